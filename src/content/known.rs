//! The files of `content/` as the walk last found them, kept up to date from a list of
//! changed paths without walking the whole tree again: what `qiao serve` re-derives the
//! model from after a save.
//!
//! Each changed path is judged by the walk's own rule ([`files::check`]): a file the rule
//! admits is added or replaced, a path that is gone is removed with everything under it, a
//! directory (created, renamed) is walked again, and only it ([`files::walk_under`]). A name
//! the walk ignores (an editor's swap or backup file) changes nothing. A path the rule skips
//! for another reason (a symbolic link out of the tree, a special file, a name that is not
//! UTF-8) has its directory walked again, so that the warning a full walk gives about it
//! is given too. The result is always what [`files::walk`] of the whole tree finds.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::files::{self, Found};
use super::walk::is_ignored_name;
use crate::diagnostics::Diagnostic;

/// A path relative to the tree, ordered as the walk lists files ([`files::walk_order`]).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Rel(String);

impl Ord for Rel {
    fn cmp(&self, other: &Rel) -> std::cmp::Ordering {
        files::walk_order(&self.0, &other.0)
    }
}

impl PartialOrd for Rel {
    fn partial_cmp(&self, other: &Rel) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// How a set of changed paths changed the files known.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Changes {
    /// Paths (relative to the tree) of files added, removed or changed, or found again
    /// under a directory walked again.
    pub files: Vec<String>,
    /// Whether a file that is not Markdown (`.md`) was among them, or a directory was
    /// walked again.
    pub other_than_markdown: bool,
}

/// The files of one tree (`content/`) with the walk's diagnostics, in walk order.
#[derive(Debug, Clone)]
pub struct Known {
    dir: PathBuf,
    shown: String,
    files: BTreeMap<Rel, PathBuf>,
    diagnostics: BTreeMap<Rel, Vec<Diagnostic>>,
}

impl Known {
    /// Walks the whole tree at `dir` (`shown` names it in diagnostics: `content`).
    pub fn walk(dir: &Path, shown: &str) -> Known {
        let mut k = Known {
            dir: dir.to_path_buf(),
            shown: shown.to_string(),
            files: BTreeMap::new(),
            diagnostics: BTreeMap::new(),
        };
        k.rewalk("");
        k
    }

    /// Every file admitted, (path relative to the tree, what to read), in walk order.
    pub fn files(&self) -> impl Iterator<Item = (&str, &Path)> {
        self.files.iter().map(|(r, t)| (r.0.as_str(), t.as_path()))
    }

    /// Whether the file at `rel` (relative to the tree) is admitted.
    pub fn contains(&self, rel: &str) -> bool {
        self.files.contains_key(&Rel(rel.to_string()))
    }

    /// The walk's diagnostics (skipped and rejected entries), in walk order.
    pub fn diagnostics(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics.values().flatten()
    }

    /// Takes the paths in `changed` (absolute or relative to the working directory, as a
    /// watcher reports them; created, modified, deleted or renamed) into account. Paths
    /// outside the tree are ignored.
    pub fn update(&mut self, changed: &[PathBuf]) -> Changes {
        let mut out = Changes::default();
        let mut rels: Vec<String> = changed
            .iter()
            .filter_map(|p| {
                let rel = (p.strip_prefix(&self.dir).ok())
                    .or_else(|| p.strip_prefix(self.dir.canonicalize().ok()?).ok())?;
                Some(
                    rel.components()
                        .map(|c| files::escaped(c.as_os_str()))
                        .collect::<Vec<_>>()
                        .join("/"),
                )
            })
            .collect();
        rels.extend(self.links_affected(&rels));
        rels.sort();
        rels.dedup();
        for rel in rels {
            if rel.is_empty() || !self.dir.is_dir() {
                out.files.extend(self.files.keys().map(|r| r.0.clone()));
                self.rewalk("");
                out.other_than_markdown = true;
                out.files.extend(self.files.keys().map(|r| r.0.clone()));
                continue;
            }
            if rel.split('/').any(is_ignored_name) {
                continue;
            }
            let found = files::check(&self.dir, &self.dir.join(&rel));
            if matches!(found, Found::File(_) | Found::Dir) {
                // What lies on the way is a directory now, not a file.
                let mut at = rel.as_str();
                while let Some((up, _)) = at.rsplit_once('/') {
                    if self.files.remove(&Rel(up.to_string())).is_some() {
                        out.files.push(up.to_string());
                        out.other_than_markdown = true;
                    }
                    at = up;
                }
            }
            match found {
                Found::File(target) => {
                    if self.remove_under(&rel, &mut out.files) {
                        out.other_than_markdown = true;
                    }
                    self.diagnostics.remove(&Rel(rel.clone()));
                    if !rel.ends_with(".md") {
                        out.other_than_markdown = true;
                    }
                    self.files.insert(Rel(rel.clone()), target);
                    out.files.push(rel);
                }
                Found::Missing => self.forget(rel, &mut out),
                Found::Dir => {
                    self.remove_under(&rel, &mut out.files);
                    if self.files.remove(&Rel(rel.clone())).is_some() {
                        out.files.push(rel.clone());
                    }
                    self.diagnostics.remove(&Rel(rel.clone()));
                    out.files.extend(self.rewalk(&rel));
                    out.other_than_markdown = true;
                }
                Found::Skipped => {
                    // Walked again where it lies, for the walk's warning about it.
                    let parent = rel.rsplit_once('/').map_or("", |(d, _)| d).to_string();
                    let on_the_way = !parent.is_empty()
                        && !matches!(files::check(&self.dir, &self.dir.join(&parent)), Found::Dir);
                    if on_the_way {
                        // A file, a link or an ignored name on the way (a directory replaced
                        // by a file): the walk does not enter it, so nothing here is read or
                        // warned about.
                        self.forget(rel, &mut out);
                        continue;
                    }
                    if parent.is_empty() {
                        out.files.extend(self.files.keys().map(|r| r.0.clone()));
                        self.files.clear();
                        self.diagnostics.clear();
                    } else {
                        self.remove_under(&parent, &mut out.files);
                    }
                    out.files.extend(self.rewalk(&parent));
                    out.other_than_markdown = true;
                }
            }
        }
        out.files.sort();
        out.files.dedup();
        out
    }

    /// Whether the file `rel` is read where its name says (`target` is `dir/rel`), not
    /// through a link. Compared by bytes first: this runs for every file on every save.
    fn lies_where_named(&self, rel: &str, target: &Path) -> bool {
        let (dir, target_bytes) = (
            self.dir.as_os_str().as_encoded_bytes(),
            target.as_os_str().as_encoded_bytes(),
        );
        let same_bytes = target_bytes.len() == dir.len() + 1 + rel.len()
            && target_bytes.starts_with(dir)
            && target_bytes[dir.len()] == b'/'
            && target_bytes.ends_with(rel.as_bytes());
        same_bytes || *target == self.dir.join(rel)
    }

    /// The symbolic links to judge again after the paths `changed` (relative to the tree)
    /// changed: a link reads another file, so it changed when that file, or a directory on
    /// its way, did; and what it leads to may have changed without the link itself (its
    /// target created, deleted or itself a link retargeted). Every link, admitted or
    /// skipped, is checked again by the rule; one whose answer differs, or whose target is
    /// among `changed`, is returned.
    fn links_affected(&self, changed: &[String]) -> Vec<String> {
        let Ok(root) = self.dir.canonicalize() else {
            return Vec::new();
        };
        let changed: Vec<PathBuf> = changed.iter().map(|c| root.join(c)).collect();
        // A file the rule admits is read where it lies unless it is a link.
        let admitted = (self.files.iter())
            .filter(|(rel, target)| !self.lies_where_named(&rel.0, target))
            .map(|(rel, target)| (&rel.0, Some(target)));
        let skipped = (self.diagnostics.keys())
            .filter(|rel| {
                std::fs::symlink_metadata(self.dir.join(&rel.0))
                    .is_ok_and(|m| m.file_type().is_symlink())
            })
            .map(|rel| (&rel.0, None));
        admitted
            .chain(skipped)
            .filter(|(rel, was)| {
                let now = match files::check(&self.dir, &self.dir.join(rel.as_str())) {
                    Found::File(target) => Some(target),
                    _ => None,
                };
                now.as_ref() != *was
                    || was.is_some_and(|t| changed.iter().any(|c| t.starts_with(c)))
            })
            .map(|(rel, _)| rel.clone())
            .collect()
    }

    /// Forgets `rel` and everything under it (gone, or hidden behind a file on the way),
    /// with what was warned about it, noting in `out` what went.
    fn forget(&mut self, rel: String, out: &mut Changes) {
        if self.remove_under(&rel, &mut out.files) {
            out.other_than_markdown = true;
        }
        if self.files.remove(&Rel(rel.clone())).is_some() {
            out.other_than_markdown |= !rel.ends_with(".md");
            out.files.push(rel.clone());
        }
        self.diagnostics.remove(&Rel(rel));
    }

    /// Forgets the files and diagnostics strictly under the directory `rel`, pushing the
    /// files' paths to `gone`; whether there were any.
    fn remove_under(&mut self, rel: &str, gone: &mut Vec<String>) -> bool {
        let under = |r: &Rel| r.0.strip_prefix(rel).is_some_and(|t| t.starts_with('/'));
        let before = gone.len();
        self.files.retain(|r, _| {
            let keep = !under(r);
            if !keep {
                gone.push(r.0.clone());
            }
            keep
        });
        self.diagnostics.retain(|r, _| !under(r));
        gone.len() > before
    }

    /// Walks the directory `rel` (`` for the whole tree) and adds what it finds; returns
    /// the paths of the files found.
    fn rewalk(&mut self, rel: &str) -> Vec<String> {
        let (found, diags) = files::walk_under(&self.dir, rel, &self.shown);
        for (at, d) in diags {
            self.diagnostics.entry(Rel(at)).or_default().push(d);
        }
        found
            .into_iter()
            .map(|f| {
                self.files.insert(Rel(f.rel.clone()), f.target);
                f.rel
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same_as_walk(k: &Known) {
        let (files, diags) = files::walk(&k.dir, &k.shown);
        let want: Vec<(String, PathBuf)> = files.into_iter().map(|f| (f.rel, f.target)).collect();
        let got: Vec<(String, PathBuf)> = k
            .files()
            .map(|(r, t)| (r.to_string(), t.to_path_buf()))
            .collect();
        assert_eq!(got, want);
        let got: Vec<String> = k.diagnostics().map(|d| format!("{d:?}")).collect();
        let want: Vec<String> = diags.iter().map(|d| format!("{d:?}")).collect();
        assert_eq!(got, want);
    }

    #[test]
    fn changes_keep_the_files_equal_to_a_fresh_walk() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("content");
        let w = |rel: &str| {
            let p = dir.join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, "x").unwrap();
            p
        };
        w("a.md");
        w("a-b/x.md");
        w("a/x.md");
        w("a/b/c.png");
        let mut k = Known::walk(&dir, "content");
        same_as_walk(&k);
        // `a/x` and `a/b/` are listed before `a-b`, as the walk lists them.
        let order: Vec<&str> = k.files().map(|(r, _)| r).collect();
        assert_eq!(order, ["a/b/c.png", "a/x.md", "a-b/x.md", "a.md"]);

        // A new file, a changed one and an editor's swap file.
        let new = w("a/new.md");
        let swap = w("a/.new.md.swp");
        let c = k.update(&[new.clone(), swap, dir.join("a.md")]);
        assert_eq!(c.files, ["a.md", "a/new.md"]);
        assert!(!c.other_than_markdown);
        same_as_walk(&k);

        // A deleted file, then a deleted directory.
        std::fs::remove_file(&new).unwrap();
        let c = k.update(&[new]);
        assert_eq!(c.files, ["a/new.md"]);
        same_as_walk(&k);
        std::fs::remove_dir_all(dir.join("a")).unwrap();
        let c = k.update(&[dir.join("a")]);
        assert_eq!(c.files, ["a/b/c.png", "a/x.md"]);
        assert!(c.other_than_markdown);
        same_as_walk(&k);

        // A directory renamed: its old name is gone, its new one walked.
        std::fs::rename(dir.join("a-b"), dir.join("c")).unwrap();
        let c = k.update(&[dir.join("a-b"), dir.join("c")]);
        assert_eq!(c.files, ["a-b/x.md", "c/x.md"]);
        same_as_walk(&k);

        // A file that becomes a directory.
        std::fs::remove_file(dir.join("a.md")).unwrap();
        w("a.md/inner.md");
        k.update(&[dir.join("a.md")]);
        same_as_walk(&k);

        // A directory of files that becomes a file, with every path reported: nothing under
        // it is walked (walking it was an error: `cannot read this entry`).
        w("d/e/f/x.md");
        k.update(&[dir.join("d")]);
        std::fs::remove_dir_all(dir.join("d")).unwrap();
        w("d");
        let c = k.update(&[
            dir.join("d"),
            dir.join("d/e"),
            dir.join("d/e/f"),
            dir.join("d/e/f/x.md"),
        ]);
        assert_eq!(c.files, ["d", "d/e/f/x.md"]);
        assert_eq!(
            k.diagnostics().count(),
            0,
            "{:?}",
            k.diagnostics().collect::<Vec<_>>()
        );
        same_as_walk(&k);
    }

    #[cfg(unix)]
    #[test]
    fn a_link_changes_with_what_it_leads_to() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("content");
        std::fs::create_dir_all(dir.join("news")).unwrap();
        std::fs::create_dir_all(dir.join("bases")).unwrap();
        std::fs::write(dir.join("bases/y.md"), "y").unwrap();
        std::os::unix::fs::symlink("../bases/y.md", dir.join("news/link.md")).unwrap();
        std::os::unix::fs::symlink("later.md", dir.join("news/dangling.md")).unwrap();
        let mut k = Known::walk(&dir, "content");
        assert_eq!(k.diagnostics().count(), 1);

        // Its target saved: the link's text changed too.
        std::fs::write(dir.join("bases/y.md"), "y2").unwrap();
        let c = k.update(&[dir.join("bases/y.md")]);
        assert_eq!(c.files, ["bases/y.md", "news/link.md"]);
        same_as_walk(&k);

        // Its target's directory renamed: the link leads nowhere now.
        std::fs::rename(dir.join("bases"), dir.join("sites")).unwrap();
        let c = k.update(&[dir.join("bases"), dir.join("sites")]);
        assert!(c.files.iter().any(|f| f == "news/link.md"), "{c:?}");
        same_as_walk(&k);

        // A link that led nowhere, once its target is written.
        std::fs::write(dir.join("news/later.md"), "later").unwrap();
        let c = k.update(&[dir.join("news/later.md")]);
        assert_eq!(c.files, ["news/dangling.md", "news/later.md"]);
        same_as_walk(&k);
        assert_eq!(k.diagnostics().count(), 1);

        // And deleted again.
        std::fs::remove_file(dir.join("news/later.md")).unwrap();
        let c = k.update(&[dir.join("news/later.md")]);
        assert_eq!(c.files, ["news/dangling.md", "news/later.md"]);
        same_as_walk(&k);
        assert_eq!(k.diagnostics().count(), 2);
    }

    #[cfg(unix)]
    #[test]
    fn a_skipped_file_is_warned_about_as_a_walk_does() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("content");
        std::fs::create_dir_all(dir.join("news")).unwrap();
        std::fs::write(dir.join("news/x.md"), "x").unwrap();
        std::fs::write(tmp.path().join("secret"), "x").unwrap();
        let mut k = Known::walk(&dir, "content");
        let link = dir.join("news/out.md");
        std::os::unix::fs::symlink(tmp.path().join("secret"), &link).unwrap();
        let c = k.update(std::slice::from_ref(&link));
        assert!(c.other_than_markdown);
        assert_eq!(k.diagnostics().count(), 1);
        same_as_walk(&k);
        std::fs::remove_file(&link).unwrap();
        k.update(&[link]);
        assert_eq!(k.diagnostics().count(), 0);
        same_as_walk(&k);
    }
}
