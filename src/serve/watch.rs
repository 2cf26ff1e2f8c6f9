//! Watching the site's sources: which file-system events matter, what kind of change each one
//! is, and when a burst of them is over.
//!
//! Editors save in many ways (write in place, write a temporary file and rename it over the
//! original, keep `.swp`, `~` and `4913` files around), and a `git checkout` touches hundreds
//! of files in a few milliseconds. Three rules make all of these one clean rebuild:
//!
//! - Only the site's inputs are watched: `content/`, `themes/`, `i18n/`, `templates/`,
//!   `static/`, `data/` recursively and the root itself without recursion (for `site.toml` and for
//!   those directories when they are created later). `public/`, `.git/` and build folders are
//!   never watched, so a build cannot trigger itself.
//! - [`classify`] drops reads, hidden files and editors' leftovers (the same rule as the
//!   content walk, [`crate::content::walk::is_ignored_name`]) and sorts the rest into
//!   [`ChangeKind`]s.
//! - [`Coalescer`] is a global trailing debounce: the rebuild starts once no relevant event
//!   has arrived for a short quiet period, or after a maximum wait during an endless stream.
//!   Per-file debouncers (such as notify-debouncer-full) emit a long burst in several batches
//!   and would rebuild several times; the rebuild re-reads the whole tree, so rename pairing
//!   is not needed either.

use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};
use std::time::{Duration, Instant};

use crate::content::walk::is_ignored_name;

/// The directories under the site root whose changes trigger a rebuild.
pub const WATCHED_DIRS: [&str; 6] = [
    "content",
    "themes",
    "i18n",
    "templates",
    "static",
    crate::data::DATA_DIR,
];

/// What kind of input changed. The order is the order of precedence when a burst mixes
/// kinds (the most far-reaching last).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ChangeKind {
    /// A file under `static/` or a theme's `static/`.
    Static,
    /// A Markdown file or an asset under `content/`.
    Content,
    /// A template, or any other file of a theme.
    Template,
    /// An interface translation (`.ftl`) under `i18n/` or a theme's `i18n/`.
    I18n,
    /// A data file under `data/` (read by any template through `get_data`: a full rebuild).
    Data,
    /// `site.toml`.
    Config,
}

/// One relevant change: its kind and the path relative to the site root, with `/`
/// separators.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Change {
    /// What kind of input changed.
    pub kind: ChangeKind,
    /// The path relative to the site root (`content/news/x.md`).
    pub path: String,
}

/// Sorts a changed path into a [`Change`], or `None` when the change cannot affect the site
/// (a file outside the watched inputs, a hidden file, an editor's swap or backup file).
pub fn classify(root: &Path, path: &Path) -> Option<Change> {
    let rel = path.strip_prefix(root).ok()?;
    let mut parts = Vec::new();
    for c in rel.components() {
        match c {
            // A name that is not UTF-8 keeps its place, lossily (with U+FFFD): the build
            // reports it as an error, so the change must not be dropped.
            Component::Normal(s) => parts.push(s.to_string_lossy()),
            _ => return None,
        }
    }
    let parts: Vec<&str> = parts.iter().map(|p| p.as_ref()).collect();
    if parts.iter().any(|p| is_ignored_name(p)) {
        return None;
    }
    let kind = match parts.as_slice() {
        ["site.toml"] => ChangeKind::Config,
        ["content", ..] => ChangeKind::Content,
        ["templates", ..] => ChangeKind::Template,
        ["static", ..] => ChangeKind::Static,
        ["i18n", ..] => ChangeKind::I18n,
        ["data", ..] => ChangeKind::Data,
        ["themes", _, "static", ..] => ChangeKind::Static,
        ["themes", _, "i18n", ..] => ChangeKind::I18n,
        // templates, a theme's own config, or the theme directory itself
        ["themes", ..] => ChangeKind::Template,
        _ => return None,
    };
    Some(Change {
        kind,
        path: parts.join("/"),
    })
}

/// The changes of one burst, ready to be rebuilt together.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Batch {
    /// The distinct changes.
    pub changes: BTreeSet<Change>,
    /// Events were lost (the OS queue overflowed) or could not be read: everything may
    /// have changed.
    pub rescan: bool,
}

impl Batch {
    /// Whether nothing is waiting.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty() && !self.rescan
    }

    /// A short description for the terminal: the first changed path (`removed ...` when it
    /// no longer exists under `root`) and how many more.
    pub fn summary(&self, root: &Path) -> String {
        let mut it = self.changes.iter();
        let name = |c: &Change| {
            if root.join(&c.path).symlink_metadata().is_err() {
                format!("removed {}", c.path)
            } else {
                c.path.clone()
            }
        };
        match (it.next(), self.changes.len()) {
            (None, _) => "files changed (rescan)".to_string(),
            (Some(c), 1) => name(c),
            (Some(c), n) => format!("{} and {} more", name(c), n - 1),
        }
    }
}

/// A global trailing debounce over relevant changes.
///
/// Pure (time is passed in), so that its behaviour under bursts is tested without sleeping.
#[derive(Debug)]
pub struct Coalescer {
    quiet: Duration,
    max_wait: Duration,
    pending: Batch,
    first: Option<Instant>,
    last: Option<Instant>,
}

impl Coalescer {
    /// A rebuild is due `quiet` after the last change, or `max_wait` after the first one of
    /// a burst that never pauses.
    pub fn new(quiet: Duration, max_wait: Duration) -> Coalescer {
        Coalescer {
            quiet,
            max_wait: max_wait.max(quiet),
            pending: Batch::default(),
            first: None,
            last: None,
        }
    }

    /// Records a change seen at `now`.
    pub fn push(&mut self, change: Change, now: Instant) {
        self.pending.changes.insert(change);
        self.touch(now);
    }

    /// Records that events were lost: the next rebuild must not rely on the list.
    pub fn push_rescan(&mut self, now: Instant) {
        self.pending.rescan = true;
        self.touch(now);
    }

    fn touch(&mut self, now: Instant) {
        self.first.get_or_insert(now);
        self.last = Some(now);
    }

    /// When the pending batch is due, or `None` when nothing is pending.
    pub fn deadline(&self) -> Option<Instant> {
        let (first, last) = (self.first?, self.last?);
        Some((last + self.quiet).min(first + self.max_wait))
    }

    /// Takes the pending batch if it is due at `now`.
    pub fn take_due(&mut self, now: Instant) -> Option<Batch> {
        if self.deadline()? <= now {
            self.take()
        } else {
            None
        }
    }

    /// Takes the pending batch now, due or not (a caller wants the site up to date).
    pub fn take(&mut self) -> Option<Batch> {
        self.first = None;
        self.last = None;
        let batch = std::mem::take(&mut self.pending);
        (!batch.is_empty()).then_some(batch)
    }
}

/// Whether a notify event can change a file's content or presence. Opens, reads and
/// metadata changes cannot: the build itself opens every source, and reading a file updates
/// its access time (an attribute event), so counting them would rebuild after every build.
/// (`touch` alone therefore does not rebuild; the output would be the same.)
pub fn is_relevant(kind: &notify::EventKind) -> bool {
    use notify::EventKind;
    use notify::event::{AccessKind, AccessMode, ModifyKind};
    match kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) => false,
        EventKind::Modify(ModifyKind::Metadata(_)) => false,
        EventKind::Any | EventKind::Create(_) | EventKind::Modify(_) | EventKind::Remove(_) => true,
        EventKind::Other => false,
    }
}

/// The paths to watch recursively: those of [`WATCHED_DIRS`] that exist now.
pub fn existing_watched_dirs(root: &Path) -> Vec<PathBuf> {
    WATCHED_DIRS
        .iter()
        .map(|d| root.join(d))
        .filter(|p| p.is_dir())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(p: &str) -> Option<ChangeKind> {
        classify(Path::new("/site"), &Path::new("/site").join(p)).map(|c| c.kind)
    }

    #[test]
    fn classifies_inputs() {
        use ChangeKind::*;
        assert_eq!(kind("site.toml"), Some(Config));
        assert_eq!(kind("content/news/x.md"), Some(Content));
        assert_eq!(kind("content/news/bundle/photo.png"), Some(Content));
        assert_eq!(kind("content"), Some(Content));
        assert_eq!(kind("templates/page.html"), Some(Template));
        assert_eq!(kind("static/site.css"), Some(Static));
        assert_eq!(kind("i18n/de.ftl"), Some(I18n));
        assert_eq!(kind("data/targets.de.toml"), Some(Data));
        assert_eq!(kind("themes/zone/templates/base.html"), Some(Template));
        assert_eq!(kind("themes/zone/static/zone.css"), Some(Static));
        assert_eq!(kind("themes/zone/i18n/en.ftl"), Some(I18n));
        assert_eq!(kind("themes/zone/theme.toml"), Some(Template));
        assert_eq!(kind("themes"), Some(Template));
    }

    #[cfg(unix)]
    #[test]
    fn names_that_are_not_utf8_are_changes() {
        use std::os::unix::ffi::OsStrExt;
        let name = std::ffi::OsStr::from_bytes(b"caf\xe9.md");
        let change = classify(Path::new("/site"), &Path::new("/site/content").join(name));
        assert_eq!(
            change,
            Some(Change {
                kind: ChangeKind::Content,
                path: "content/caf\u{FFFD}.md".into()
            })
        );
    }

    #[test]
    fn ignores_outputs_and_unrelated_files() {
        for p in [
            "public/index.html",
            ".git/index",
            "target/debug/qiao",
            "README.md",
            "site.toml.bak",
            ".public.qiao-staging-x/a.html",
        ] {
            assert_eq!(kind(p), None, "{p}");
        }
        assert_eq!(
            classify(Path::new("/site"), Path::new("/elsewhere/content/x.md")),
            None
        );
    }

    #[test]
    fn ignores_editor_leftovers() {
        for p in [
            "content/.x.md.swp",
            "content/.x.md.swx",
            "content/x.md~",
            "content/.#x.md",
            "content/#x.md#",
            "content/4913",
            "content/news/.DS_Store",
            "content/.hidden/x.md",
            "static/.site.css.tmp",
            "content/x.md.tmp",
            "content/x.md___jb_tmp___",
            "templates/page.html___jb_old___",
            ".site.toml.swp",
            "site.toml~",
        ] {
            assert_eq!(kind(p), None, "{p}");
        }
    }

    fn change(i: usize) -> Change {
        Change {
            kind: ChangeKind::Content,
            path: format!("content/{i}.md"),
        }
    }

    #[test]
    fn a_burst_is_one_batch() {
        let quiet = Duration::from_millis(30);
        let mut c = Coalescer::new(quiet, Duration::from_secs(2));
        let t0 = Instant::now();
        assert_eq!(c.deadline(), None);
        // a `git checkout` of 500 files, one every 0.2 ms, with one 20 ms stall
        let mut t = t0;
        for i in 0..500 {
            t += Duration::from_micros(if i == 250 { 20_000 } else { 200 });
            c.push(change(i), t);
            // nothing is due while the burst goes on
            assert!(c.take_due(t).is_none());
        }
        assert_eq!(c.deadline(), Some(t + quiet));
        assert!(c.take_due(t + quiet - Duration::from_millis(1)).is_none());
        let batch = c.take_due(t + quiet).expect("due after the quiet period");
        assert_eq!(batch.changes.len(), 500);
        assert_eq!(c.deadline(), None);
        assert!(c.take_due(t + quiet * 10).is_none());
    }

    #[test]
    fn an_endless_stream_still_rebuilds() {
        let mut c = Coalescer::new(Duration::from_millis(30), Duration::from_millis(500));
        let t0 = Instant::now();
        let mut t = t0;
        let mut batches = 0;
        for i in 0..200 {
            t += Duration::from_millis(10);
            c.push(change(i % 3), t);
            if let Some(b) = c.take_due(t) {
                batches += 1;
                assert!(b.changes.len() <= 3);
            }
        }
        // 2 s of events every 10 ms: one rebuild per max_wait
        assert!((3..=4).contains(&batches), "{batches}");
    }

    #[test]
    fn duplicate_changes_collapse() {
        let mut c = Coalescer::new(Duration::from_millis(30), Duration::from_secs(1));
        let t = Instant::now();
        c.push(change(1), t);
        c.push(change(1), t);
        c.push_rescan(t);
        let b = c.take().unwrap();
        assert_eq!(b.changes.len(), 1);
        assert!(b.rescan);
        assert!(c.take().is_none());
    }

    #[test]
    fn reads_are_not_changes() {
        use notify::EventKind;
        use notify::event::*;
        assert!(!is_relevant(&EventKind::Access(AccessKind::Open(
            AccessMode::Any
        ))));
        assert!(!is_relevant(&EventKind::Access(AccessKind::Close(
            AccessMode::Read
        ))));
        assert!(is_relevant(&EventKind::Access(AccessKind::Close(
            AccessMode::Write
        ))));
        assert!(!is_relevant(&EventKind::Modify(ModifyKind::Metadata(
            MetadataKind::Any
        ))));
        assert!(is_relevant(&EventKind::Modify(ModifyKind::Data(
            DataChange::Any
        ))));
        assert!(is_relevant(&EventKind::Create(CreateKind::File)));
        assert!(is_relevant(&EventKind::Remove(RemoveKind::Any)));
        assert!(is_relevant(&EventKind::Modify(ModifyKind::Name(
            RenameMode::Both
        ))));
    }
}
