//! The one rule for which files of the site's sources are read, shared by every walk of the
//! build (`content/`, `static/`, `templates/`, `i18n/` and a theme's) and by `qiao serve`'s
//! incremental rebuilds, so that a file created while serving is treated exactly as a clean
//! build treats it:
//!
//! - A file is read only when it lies inside its tree after resolving symbolic links, is a
//!   regular file, and no part of its path is ignored ([`is_ignored_name`]: hidden files,
//!   editors' leftovers). A directory reached through a symbolic link is not entered.
//! - A symbolic link out of the tree (`ln -s /etc/passwd static/x.css`), or to a directory,
//!   and a special file (a FIFO, a socket, a device such as `/dev/zero`) are skipped with a
//!   warning naming them: reading a FIFO would block, and a device may never end.
//! - A name that is not valid UTF-8 is an error naming the file (its other bytes as `%XX`):
//!   file names become URLs, and two such names converted lossily would become one file.
//! - Reading (the one reader of [`crate::text`]) never blocks on a special file that replaced a
//!   checked one, and stops at its size bound with an error naming the file and the limit.

use std::ffi::OsStr;
use std::path::{Component, Path, PathBuf};

use crate::content::walk::is_ignored_name;
use crate::diagnostics::Diagnostic;

/// A file admitted by the rule, found by [`walk`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeFile {
    /// Path relative to the tree, with `/` separators (`news/x.md`).
    pub rel: String,
    /// The path as walked (under the tree as given).
    pub path: PathBuf,
    /// What to read: the path itself, or where its symbolic link leads (inside the tree).
    pub target: PathBuf,
}

/// Every file of the tree at `dir` that the rule admits, sorted by path, with a diagnostic
/// for each entry it skips (warnings) or rejects (errors). `shown` is how diagnostics name
/// the tree (`content`, `themes/zone/static`). A missing directory has no files.
pub fn walk(dir: &Path, shown: &str) -> (Vec<TreeFile>, Vec<Diagnostic>) {
    let (files, diags) = walk_under(dir, "", shown);
    (files, diags.into_iter().map(|(_, d)| d).collect())
}

/// [`walk`] of the subtree `sub` (relative to the tree, `/` separators; `` for the whole
/// tree), exactly as a walk of the whole tree finds it: paths relative to the tree, symbolic
/// links judged against the tree. Each diagnostic comes with the path (relative to the tree)
/// of the entry it is about, so that `qiao serve` can replace what it found under a changed
/// directory.
pub fn walk_under(
    dir: &Path,
    sub: &str,
    shown: &str,
) -> (Vec<TreeFile>, Vec<(String, Diagnostic)>) {
    let (mut files, mut diags) = (Vec::new(), Vec::new());
    let Ok(root) = dir.canonicalize() else {
        return (files, diags);
    };
    let start = if sub.is_empty() {
        dir.to_path_buf()
    } else {
        dir.join(sub)
    };
    let mut it = walkdir::WalkDir::new(&start)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter();
    while let Some(entry) = it.next() {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let at = e.path().map_or_else(String::new, |p| escaped_rel(dir, p));
                let d = Diagnostic::error(format!("cannot read this entry: {e}"))
                    .in_file(join(shown, &at));
                diags.push((at, d));
                continue;
            }
        };
        if entry.depth() == 0 {
            continue;
        }
        let name = entry.file_name();
        let rel = escaped_rel(dir, entry.path());
        let Some(name) = name.to_str() else {
            diags.push((rel.clone(), not_utf8(&join(shown, &rel))));
            if entry.file_type().is_dir() {
                it.skip_current_dir();
            }
            continue;
        };
        if is_ignored_name(name) {
            if entry.file_type().is_dir() {
                it.skip_current_dir();
            }
            continue;
        }
        if entry.file_type().is_dir() {
            continue;
        }
        match admit(&root, entry.path(), entry.file_type()) {
            Ok(target) => files.push(TreeFile {
                rel,
                path: entry.path().to_path_buf(),
                target,
            }),
            Err(why) => diags.push((rel.clone(), skipped(&join(shown, &rel), why))),
        }
    }
    (files, diags)
}

/// Orders paths relative to a tree (`/` separators) as [`walk`] lists them: name by name,
/// so that a directory's files come right after it (`a/x` before `a-b`, where plain string
/// order puts `a-b` first).
pub fn walk_order(a: &str, b: &str) -> std::cmp::Ordering {
    a.split('/').cmp(b.split('/'))
}

/// What [`check`] found at a path.
#[derive(Debug, PartialEq, Eq)]
pub enum Found {
    /// A file the rule admits; read the target (the path itself, or where its link leads).
    File(PathBuf),
    /// A real directory (not a link to one).
    Dir,
    /// Nothing: the path does not exist, or a directory on the way does not.
    Missing,
    /// A file the build would not see: ignored, inside an ignored or linked directory, a
    /// link out of the tree or to a directory, a special file, a name that is not UTF-8.
    Skipped,
}

/// Applies the rule to one path, without walking: `qiao serve` checks each changed file
/// this way, and agrees with [`walk`] of `tree` on every path under it.
pub fn check(tree: &Path, path: &Path) -> Found {
    let Ok(rel) = path.strip_prefix(tree) else {
        return Found::Skipped;
    };
    let mut at = tree.to_path_buf();
    let parts: Vec<&OsStr> = rel.components().map(Component::as_os_str).collect();
    for (i, part) in parts.iter().enumerate() {
        let fine = Path::new(part)
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
            && part.to_str().is_some_and(|n| !is_ignored_name(n));
        if !fine {
            return Found::Skipped;
        }
        at.push(part);
        let Ok(meta) = std::fs::symlink_metadata(&at) else {
            return Found::Missing;
        };
        let last = i + 1 == parts.len();
        if meta.is_dir() {
            if last {
                return Found::Dir;
            }
        } else if !last {
            // A file or a link on the way: the walk does not enter it.
            return Found::Skipped;
        } else {
            let Ok(root) = tree.canonicalize() else {
                return Found::Missing;
            };
            return match admit(&root, &at, meta.file_type()) {
                Ok(target) => Found::File(target),
                Err(_) => Found::Skipped,
            };
        }
    }
    Found::Dir
}

/// What to read for a file found at `path` (of type `ft`, not following links), or why it
/// is not read.
fn admit(root: &Path, path: &Path, ft: std::fs::FileType) -> Result<PathBuf, &'static str> {
    if ft.is_file() {
        return Ok(path.to_path_buf());
    }
    if !ft.is_symlink() {
        return Err("a special file (a FIFO, socket or device)");
    }
    let target = path
        .canonicalize()
        .map_err(|_| "a symbolic link that leads nowhere")?;
    if !target.starts_with(root) {
        return Err("a symbolic link that leads out of its directory");
    }
    let meta = std::fs::metadata(&target).map_err(|_| "a symbolic link that leads nowhere")?;
    if meta.is_dir() {
        Err("a symbolic link to a directory")
    } else if meta.is_file() {
        Ok(target)
    } else {
        Err("a symbolic link to a special file (a FIFO, socket or device)")
    }
}

fn skipped(shown: &str, why: &str) -> Diagnostic {
    Diagnostic::warning(format!("skipped {why}"))
        .in_file(shown)
        .with_hint("qiao reads only regular files inside the site; copy the file here instead")
}

fn not_utf8(shown: &str) -> Diagnostic {
    Diagnostic::error(format!(
        "the name `{shown}` is not valid UTF-8 (its invalid bytes are shown as %XX)"
    ))
    .in_file(shown)
    .with_hint(
        "rename it with UTF-8 characters: names become URLs (`convmv -f latin1 -t utf8` \
             converts names in bulk)",
    )
}

fn join(shown: &str, rel: &str) -> String {
    if rel.is_empty() {
        shown.to_string()
    } else {
        format!("{shown}/{rel}")
    }
}

/// `path` relative to `dir` with `/` separators; bytes that are not UTF-8 as `%XX`.
fn escaped_rel(dir: &Path, path: &Path) -> String {
    path.strip_prefix(dir)
        .unwrap_or(path)
        .components()
        .map(|c| escaped(c.as_os_str()))
        .collect::<Vec<_>>()
        .join("/")
}

/// A name for messages: valid UTF-8 as is, other bytes as `%XX`, as in a URL (a `\xNN`
/// escape would not survive diagnostics' path display, which turns `\` into `/`).
pub fn escaped(name: &OsStr) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let mut out = String::new();
        for chunk in name.as_bytes().utf8_chunks() {
            out.push_str(chunk.valid());
            for b in chunk.invalid() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
        out
    }
    #[cfg(not(unix))]
    {
        name.to_string_lossy().into_owned()
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    fn touch(root: &Path, rel: &str) {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, "x").unwrap();
    }

    fn mkfifo(path: &Path) {
        let status = std::process::Command::new("mkfifo")
            .arg(path)
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// The walk and the per-path check agree on every entry of a tree with links, special
    /// files and ignored names.
    #[test]
    fn walk_and_check_agree() {
        let dir = tempfile::tempdir().unwrap();
        let t = dir.path().join("static");
        let outside = dir.path().join("secret.txt");
        std::fs::write(&outside, "secret").unwrap();
        touch(&t, "a.css");
        touch(&t, "sub/b.css");
        touch(&t, ".hidden/c.css");
        touch(&t, "x.css~");
        symlink(&outside, t.join("leak.css")).unwrap();
        symlink(t.join("a.css"), t.join("alias.css")).unwrap();
        symlink(t.join("sub"), t.join("linkdir")).unwrap();
        symlink("/dev/zero", t.join("zero.css")).unwrap();
        symlink(t.join("nowhere"), t.join("dangling.css")).unwrap();
        mkfifo(&t.join("pipe.css"));

        let (files, diags) = walk(&t, "static");
        let rels: Vec<&str> = files.iter().map(|f| f.rel.as_str()).collect();
        assert_eq!(rels, ["a.css", "alias.css", "sub/b.css"]);
        let alias = files.iter().find(|f| f.rel == "alias.css").unwrap();
        assert_eq!(alias.target, t.canonicalize().unwrap().join("a.css"));
        let mut warned: Vec<String> = diags
            .iter()
            .map(|d| {
                assert!(!d.is_error(), "{d:?}");
                d.path.as_ref().unwrap().display().to_string()
            })
            .collect();
        warned.sort();
        assert_eq!(
            warned,
            [
                "static/dangling.css",
                "static/leak.css",
                "static/linkdir",
                "static/pipe.css",
                "static/zero.css"
            ]
        );

        for (rel, found) in [
            ("a.css", Found::File(t.join("a.css"))),
            ("sub/b.css", Found::File(t.join("sub/b.css"))),
            ("sub", Found::Dir),
            ("leak.css", Found::Skipped),
            ("zero.css", Found::Skipped),
            ("pipe.css", Found::Skipped),
            ("dangling.css", Found::Skipped),
            ("linkdir", Found::Skipped),
            ("linkdir/b.css", Found::Skipped),
            (".hidden/c.css", Found::Skipped),
            ("x.css~", Found::Skipped),
            ("gone.css", Found::Missing),
            ("gone/x.css", Found::Missing),
        ] {
            assert_eq!(check(&t, &t.join(rel)), found, "{rel}");
        }
        assert_eq!(
            check(&t, &t.join("alias.css")),
            Found::File(t.canonicalize().unwrap().join("a.css"))
        );
    }

    #[test]
    fn names_that_are_not_utf8_are_errors_naming_each_file() {
        use std::os::unix::ffi::OsStrExt;
        let dir = tempfile::tempdir().unwrap();
        let t = dir.path();
        for name in [&b"caf\xe9.md"[..], b"caf\xe8.md", b"d\xff"] {
            let p = t.join(OsStr::from_bytes(name));
            if name == b"d\xff" {
                std::fs::create_dir(&p).unwrap();
                std::fs::write(p.join("inner.md"), "x").unwrap();
            } else {
                std::fs::write(p, "x").unwrap();
            }
        }
        let (files, diags) = walk(t, "content");
        assert!(files.is_empty(), "{files:?}");
        let named: Vec<String> = diags
            .iter()
            .map(|d| {
                assert!(d.is_error());
                d.path.as_ref().unwrap().display().to_string()
            })
            .collect();
        assert_eq!(
            named,
            ["content/caf%E8.md", "content/caf%E9.md", "content/d%FF"]
        );
        assert_eq!(
            check(t, &t.join(OsStr::from_bytes(b"caf\xe9.md"))),
            Found::Skipped
        );
    }
}
