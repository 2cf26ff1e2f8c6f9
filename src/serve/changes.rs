//! Which served pages a rebuild changed, so that only the tabs showing them reload.
//!
//! After every successful build the served directory is listed and each file hashed
//! ([`Snapshot::take`]); the difference with the previous snapshot ([`Snapshot::diff`]) is
//! what the pages are told. This works the same for the incremental path (which rewrites a
//! few files in place) and for full builds (which swap in a whole new tree, mostly
//! identical): what counts is the bytes served, not which step wrote them. A file whose
//! size, modification time and inode are unchanged keeps its hash without being read again.
//! After an incremental rebuild only the files it wrote are read again
//! ([`Snapshot::update`]): listing a site of 40,000 files takes longer than the rebuild.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use rayon::prelude::*;

/// The served files of one build: path relative to the site directory (with `/`) to what
/// identifies their content.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Snapshot {
    files: BTreeMap<String, Entry>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    len: u64,
    modified: Option<SystemTime>,
    inode: u64,
    hash: [u8; 32],
}

/// What a rebuild changed, as the open pages see it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Changes {
    /// The URL paths (`/news/x/`, `/en/`, `/404.html`) of the HTML pages that were added,
    /// changed or removed, sorted.
    pub pages: Vec<String>,
    /// Whether a stylesheet changed.
    pub css: bool,
    /// Whether a file that pages may show changed (an image, a script, a font): every page
    /// reloads. Files that no page shows (feeds, sitemaps, the search index) do not count.
    pub assets: bool,
}

impl Snapshot {
    /// Lists and hashes the files under `dir`, reusing the hashes of `previous` for files
    /// that were not rewritten (same size, modification time and inode). Unreadable files
    /// are left out (they count as removed).
    pub fn take(dir: &Path, previous: &Snapshot) -> Snapshot {
        let found: Vec<(String, PathBuf)> = walkdir::WalkDir::new(dir)
            .follow_links(false)
            .into_iter()
            .flatten()
            .filter(|e| e.file_type().is_file())
            .filter_map(|e| {
                let rel = relative(dir, e.path())?;
                Some((rel, e.into_path()))
            })
            .collect();
        let files = found
            .into_par_iter()
            .filter_map(|(rel, path)| {
                let entry = Entry::read(&path, previous.files.get(&rel))?;
                Some((rel, entry))
            })
            .collect();
        Snapshot { files }
    }

    /// What changed from `self` to `next`.
    pub fn diff(&self, next: &Snapshot) -> Changes {
        let changed = next
            .files
            .iter()
            .filter(|(k, v)| self.files.get(*k).is_none_or(|p| p.hash != v.hash))
            .map(|(k, _)| k)
            .chain(self.files.keys().filter(|k| !next.files.contains_key(*k)));
        Changes::of(changed)
    }

    /// Reads again only the files at `touched` (relative to `dir`): those an incremental
    /// rebuild wrote or removed. Returns what changed.
    pub fn update(&mut self, dir: &Path, touched: &[String]) -> Changes {
        let mut changed = Vec::new();
        for rel in touched {
            let old = self.files.remove(rel);
            let new = Entry::read(&dir.join(rel), old.as_ref());
            if old.as_ref().map(|e| e.hash) != new.as_ref().map(|e| e.hash) {
                changed.push(rel);
            }
            if let Some(e) = new {
                self.files.insert(rel.clone(), e);
            }
        }
        Changes::of(changed)
    }
}

impl Entry {
    /// The file at `path`, hashed unless `previous` has the same size, modification time
    /// and inode; `None` when it cannot be read.
    fn read(path: &Path, previous: Option<&Entry>) -> Option<Entry> {
        let meta = std::fs::symlink_metadata(path).ok()?;
        if !meta.is_file() {
            return None;
        }
        let mut e = Entry {
            len: meta.len(),
            modified: meta.modified().ok(),
            inode: inode(&meta),
            hash: [0; 32],
        };
        e.hash = match previous {
            Some(p)
                if p.modified.is_some()
                    && (p.len, p.modified, p.inode) == (e.len, e.modified, e.inode) =>
            {
                p.hash
            }
            _ => hash_file(path)?,
        };
        Some(e)
    }
}

impl Changes {
    fn of<'a>(changed: impl IntoIterator<Item = &'a String>) -> Changes {
        let mut changes = Changes::default();
        for rel in changed {
            match Kind::of(rel) {
                Kind::Page => changes.pages.push(url_path(rel)),
                Kind::Css => changes.css = true,
                Kind::Asset => changes.assets = true,
                Kind::Data => {}
            }
        }
        changes.pages.sort();
        changes.pages.dedup();
        changes
    }
}

/// `path` relative to `dir`, with `/` separators.
fn relative(dir: &Path, path: &Path) -> Option<String> {
    let rel = path.strip_prefix(dir).ok()?;
    Some(
        rel.components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/"),
    )
}

/// How a served file matters to the open pages.
#[derive(Debug, PartialEq, Eq)]
enum Kind {
    Page,
    Css,
    /// Shown or run by pages.
    Asset,
    /// Read by programs, not shown: feeds, sitemaps, the search index, robots.txt.
    Data,
}

impl Kind {
    fn of(rel: &str) -> Kind {
        let ext = rel
            .rsplit_once('.')
            .map(|(_, e)| e.to_ascii_lowercase())
            .unwrap_or_default();
        match ext.as_str() {
            "html" | "htm" => Kind::Page,
            "css" => Kind::Css,
            "xml" | "json" | "txt" | "xsl" | "webmanifest" => Kind::Data,
            _ => Kind::Asset,
        }
    }
}

/// The URL path a page is served at: `news/x/index.html` is `/news/x/`, `404.html` is
/// `/404.html` (see [`super::server`]).
pub(crate) fn url_path(rel: &str) -> String {
    match rel.strip_suffix("index.html") {
        Some(dir) if dir.is_empty() || dir.ends_with('/') => format!("/{dir}"),
        _ => format!("/{rel}"),
    }
}

fn hash_file(path: &Path) -> Option<[u8; 32]> {
    let mut hasher = blake3::Hasher::new();
    let file = std::fs::File::open(path).ok()?;
    hasher.update_reader(file).ok()?;
    Some(*hasher.finalize().as_bytes())
}

#[cfg(unix)]
fn inode(meta: &std::fs::Metadata) -> u64 {
    std::os::unix::fs::MetadataExt::ino(meta)
}

#[cfg(not(unix))]
fn inode(_: &std::fs::Metadata) -> u64 {
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_paths() {
        assert_eq!(url_path("index.html"), "/");
        assert_eq!(url_path("en/news/x/index.html"), "/en/news/x/");
        assert_eq!(url_path("404.html"), "/404.html");
        assert_eq!(url_path("a/notindex.html"), "/a/notindex.html");
    }

    #[test]
    fn only_what_changed_is_listed() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let w = |rel: &str, text: &str| {
            let p = d.join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        };
        w("index.html", "home");
        w("news/x/index.html", "x");
        w("news/y/index.html", "y");
        w("site.css", "a");
        w("logo.png", "png");
        w("sitemap.xml", "1");
        let first = Snapshot::take(d, &Snapshot::default());
        assert_eq!(first.diff(&first), Changes::default());

        // rewritten with the same bytes (as a full build does): no change
        w("index.html", "home");
        // changed, removed, added; data files do not count
        w("news/x/index.html", "x2");
        std::fs::remove_file(d.join("news/y/index.html")).unwrap();
        w("news/z/index.html", "z");
        w("sitemap.xml", "2");
        let second = Snapshot::take(d, &first);
        let c = first.diff(&second);
        assert_eq!(c.pages, ["/news/x/", "/news/y/", "/news/z/"]);
        assert!(!c.css && !c.assets);

        w("site.css", "b");
        let third = Snapshot::take(d, &second);
        let c = second.diff(&third);
        assert!(c.css && c.pages.is_empty() && !c.assets);

        w("logo.png", "png2");
        let fourth = Snapshot::take(d, &third);
        assert!(third.diff(&fourth).assets);

        // an incremental rebuild: only what it wrote is read again
        let mut snap = fourth.clone();
        w("news/x/index.html", "x3");
        w("index.html", "home");
        w("news/z/index.html", "z2"); // not listed as written: not looked at
        std::fs::remove_file(d.join("news/x/index.html")).unwrap();
        w("news/w/index.html", "w");
        let touched = ["index.html", "news/w/index.html", "news/x/index.html"].map(String::from);
        let c = snap.update(d, &touched);
        assert_eq!(c.pages, ["/news/w/", "/news/x/"]);
        let mut expected = Snapshot::take(d, &Snapshot::default());
        expected.files.insert(
            "news/z/index.html".into(),
            fourth.files["news/z/index.html"].clone(),
        );
        let hashes = |s: &Snapshot| {
            s.files
                .iter()
                .map(|(k, v)| (k.clone(), v.hash))
                .collect::<Vec<_>>()
        };
        assert_eq!(hashes(&snap), hashes(&expected));
    }
}
