//! Writing the site: into a staging directory beside the output, swapped in at the end.
//!
//! A build that fails leaves the previous output exactly as it was, and files from earlier
//! builds that no longer have a source disappear with the old tree. On Linux the swap is a
//! single `renameat2(RENAME_EXCHANGE)`; elsewhere it is two renames, with a short window in
//! which the output directory does not exist but is never half-written.
//!
//! qiao only ever replaces a directory it wrote itself (it leaves a marker file), so a typo
//! in `--output` cannot wipe out somebody's documents.

use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The marker qiao leaves in every output directory it writes.
pub const MARKER: &str = ".qiao-output";
const MARKER_TEXT: &str = "This directory is written by qiao build and replaced on every build.\n";

/// Where rendered files go.
pub trait Sink: Sync {
    /// Writes a file at a relative path (`en/news/x/index.html`).
    fn write(&self, rel: &str, data: &[u8]) -> io::Result<()>;
    /// Copies a file to a relative path.
    fn copy(&self, from: &Path, rel: &str) -> io::Result<()>;
    /// Removes a file written by an earlier build (an incremental rebuild only).
    fn remove(&self, rel: &str) -> io::Result<()>;
    /// How many files were written so far.
    fn count(&self) -> usize;
}

/// Discards everything: `qiao check` renders every page but writes nothing.
#[derive(Default)]
pub struct NullSink {
    count: AtomicUsize,
}

impl Sink for NullSink {
    fn write(&self, rel: &str, _data: &[u8]) -> io::Result<()> {
        safe_rel(rel)?;
        self.count.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
    fn copy(&self, from: &Path, rel: &str) -> io::Result<()> {
        safe_rel(rel)?;
        fs::metadata(from)?;
        self.count.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
    fn remove(&self, rel: &str) -> io::Result<()> {
        safe_rel(rel).map(|_| ())
    }
    fn count(&self) -> usize {
        self.count.load(Ordering::Relaxed)
    }
}

/// A fresh directory next to the output, swapped into place by [`Staging::commit`] and
/// removed on drop if never committed.
pub struct Staging {
    dir: Option<tempfile::TempDir>,
    path: PathBuf,
    target: PathBuf,
    count: AtomicUsize,
}

impl Staging {
    /// Creates the staging directory next to `target`, after checking that `target` may be
    /// replaced.
    pub fn new(target: &Path) -> io::Result<Staging> {
        check_replaceable(target)?;
        let parent = target
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        fs::create_dir_all(parent)?;
        let name = target
            .file_name()
            .map_or("public".into(), |n| n.to_string_lossy().into_owned());
        let dir = tempfile::Builder::new()
            .prefix(&format!(".{name}.qiao-staging-"))
            .tempdir_in(parent)?;
        let path = dir.path().to_path_buf();
        fs::write(path.join(MARKER), MARKER_TEXT)?;
        Ok(Staging {
            dir: Some(dir),
            path,
            target: target.to_path_buf(),
            count: AtomicUsize::new(0),
        })
    }

    /// The staging directory.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Swaps the staged site into place and deletes the previous one.
    pub fn commit(mut self) -> io::Result<()> {
        let dir = self
            .dir
            .take()
            .ok_or_else(|| io::Error::other("already committed"))?;
        let staged = dir.keep();
        // Directories from tempfile are 0700; a published site must be readable.
        set_dir_permissions(&staged)?;
        if self.target.exists() {
            swap(&staged, &self.target)?;
            // `staged` now holds the previous site.
            fs::remove_dir_all(&staged)?;
        } else {
            fs::rename(&staged, &self.target)?;
        }
        Ok(())
    }

    fn full(&self, rel: &str) -> io::Result<PathBuf> {
        let p = self.path.join(safe_rel(rel)?);
        if let Some(parent) = p.parent() {
            fs::create_dir_all(parent)?;
        }
        Ok(p)
    }
}

impl Sink for Staging {
    fn write(&self, rel: &str, data: &[u8]) -> io::Result<()> {
        let p = self.full(rel)?;
        fs::write(p, data)?;
        self.count.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
    fn copy(&self, from: &Path, rel: &str) -> io::Result<()> {
        let p = self.full(rel)?;
        fs::copy(from, p)?;
        self.count.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
    fn remove(&self, rel: &str) -> io::Result<()> {
        fs::remove_file(self.path.join(safe_rel(rel)?))
    }
    fn count(&self) -> usize {
        self.count.load(Ordering::Relaxed)
    }
}

/// Replaces files of an existing output directory one by one, each atomically (written
/// beside its target, then renamed over it): an incremental rebuild of `qiao serve`, which
/// changes a handful of files, writes only those. A reader sees every file either old or
/// new, never half-written.
pub struct InPlace {
    root: PathBuf,
    count: AtomicUsize,
}

impl InPlace {
    /// Writes into `root`, which must be an output directory qiao wrote.
    pub fn new(root: &Path) -> io::Result<InPlace> {
        if !root.join(MARKER).is_file() {
            return Err(io::Error::other(format!(
                "{} was not written by qiao",
                root.display()
            )));
        }
        Ok(InPlace {
            root: root.to_path_buf(),
            count: AtomicUsize::new(0),
        })
    }

    fn replace(&self, rel: &str, fill: impl FnOnce(&Path) -> io::Result<()>) -> io::Result<()> {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let target = self.root.join(safe_rel(rel)?);
        let parent = target.parent().unwrap_or(&self.root);
        fs::create_dir_all(parent)?;
        // Written with the default permissions, like every other output file (a temporary
        // file from `tempfile` would be private to the owner).
        let tmp = parent.join(format!(
            ".qiao-{}-{}.tmp",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let result = fill(&tmp).and_then(|()| fs::rename(&tmp, &target));
        if result.is_err() {
            let _ = fs::remove_file(&tmp);
        }
        result?;
        self.count.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
}

impl Sink for InPlace {
    fn write(&self, rel: &str, data: &[u8]) -> io::Result<()> {
        self.replace(rel, |tmp| fs::write(tmp, data))
    }
    fn copy(&self, from: &Path, rel: &str) -> io::Result<()> {
        self.replace(rel, |tmp| fs::copy(from, tmp).map(|_| ()))
    }
    fn remove(&self, rel: &str) -> io::Result<()> {
        match fs::remove_file(self.root.join(safe_rel(rel)?)) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            r => r,
        }
    }
    fn count(&self) -> usize {
        self.count.load(Ordering::Relaxed)
    }
}

/// A relative output path must stay inside the output directory, whatever a slug, an alias
/// or a file name says.
fn safe_rel(rel: &str) -> io::Result<&Path> {
    let p = Path::new(rel);
    let ok = !rel.is_empty()
        && p.components().all(|c| matches!(c, Component::Normal(_)))
        && !rel.chars().any(char::is_control);
    if ok {
        Ok(p)
    } else {
        Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("refusing to write outside the output directory: {rel:?}"),
        ))
    }
}

/// An existing output directory is replaced only if it is empty or qiao wrote it.
pub(crate) fn check_replaceable(target: &Path) -> io::Result<()> {
    match fs::read_dir(target) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
        Ok(mut entries) => {
            if entries.next().is_none() || target.join(MARKER).is_file() {
                Ok(())
            } else {
                Err(io::Error::new(
                    io::ErrorKind::AlreadyExists,
                    format!(
                        "{} exists and was not written by qiao; refusing to replace it \
                         (remove it or choose another --output)",
                        target.display()
                    ),
                ))
            }
        }
    }
}

#[cfg(target_os = "linux")]
fn swap(a: &Path, b: &Path) -> io::Result<()> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    match renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE) {
        Ok(()) => Ok(()),
        // Some file systems do not support RENAME_EXCHANGE: fall back to two renames.
        Err(rustix::io::Errno::INVAL | rustix::io::Errno::NOSYS) => swap_by_rename(a, b),
        Err(e) => Err(e.into()),
    }
}

#[cfg(not(target_os = "linux"))]
fn swap(a: &Path, b: &Path) -> io::Result<()> {
    swap_by_rename(a, b)
}

/// `b` moves aside, `a` takes its place, the old `b` ends up at `a`.
fn swap_by_rename(a: &Path, b: &Path) -> io::Result<()> {
    let aside = a.with_extension("old");
    fs::rename(b, &aside)?;
    if let Err(e) = fs::rename(a, b) {
        // put the previous site back
        let _ = fs::rename(&aside, b);
        return Err(e);
    }
    fs::rename(&aside, a)
}

#[cfg(unix)]
fn set_dir_permissions(p: &Path) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(p, fs::Permissions::from_mode(0o755))
}

#[cfg(not(unix))]
fn set_dir_permissions(_p: &Path) -> io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commit_replaces_old_tree_and_drops_stale_files() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let s = Staging::new(&out).unwrap();
        s.write("old/index.html", b"old").unwrap();
        s.commit().unwrap();
        assert!(out.join("old/index.html").is_file());

        let s = Staging::new(&out).unwrap();
        s.write("new/index.html", b"new").unwrap();
        s.commit().unwrap();
        assert!(!out.join("old").exists());
        assert_eq!(fs::read(out.join("new/index.html")).unwrap(), b"new");
        // no staging directory is left behind
        let left: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 1);
    }

    #[test]
    fn dropped_staging_leaves_output_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let s = Staging::new(&out).unwrap();
        s.write("a.html", b"1").unwrap();
        s.commit().unwrap();
        {
            let s = Staging::new(&out).unwrap();
            s.write("a.html", b"2").unwrap();
        }
        assert_eq!(fs::read(out.join("a.html")).unwrap(), b"1");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn refuses_foreign_directories_and_escapes() {
        let dir = tempfile::tempdir().unwrap();
        let docs = dir.path().join("docs");
        fs::create_dir(&docs).unwrap();
        fs::write(docs.join("thesis.txt"), "precious").unwrap();
        assert!(Staging::new(&docs).is_err());
        assert!(docs.join("thesis.txt").is_file());

        let s = Staging::new(&dir.path().join("public")).unwrap();
        for bad in ["../x", "/etc/x", "a/../../x", ""] {
            assert!(s.write(bad, b"x").is_err(), "{bad}");
        }
    }
}
