//! User-facing errors and warnings.
//!
//! A build collects every problem it finds instead of stopping at the first, so an editor
//! fixes a whole batch in one go. Each [`Diagnostic`] names the file and, where there is one,
//! the line and column, says what is wrong and how to fix it, and carries the source line so
//! that it can be shown with a caret under the culprit (rendered by `annotate-snippets`).

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// The site cannot be built correctly.
    Error,
    /// The site builds, but something is probably not what the editor wants.
    /// `--strict` turns these into errors.
    Warning,
}

/// One problem, located as precisely as we can: its [`Details`], shared by handle. A build
/// may find hundreds of thousands (a corpus whose translations drift), and `qiao serve`
/// keeps each finding of the cross-language checks from one update to the next, sorts them
/// and compares them with those it printed: a copy is a count, not four strings. Reads and
/// writes go to the details (`d.message`, `d.hint = ...`); a write to shared details copies them
/// first.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Diagnostic(std::sync::Arc<Details>);

impl std::ops::Deref for Diagnostic {
    type Target = Details;
    fn deref(&self) -> &Details {
        &self.0
    }
}

impl std::ops::DerefMut for Diagnostic {
    fn deref_mut(&mut self) -> &mut Details {
        std::sync::Arc::make_mut(&mut self.0)
    }
}

impl Diagnostic {
    /// Whether the two are one diagnostic (copies of one handle), not two equal ones.
    pub fn same_handle(&self, other: &Diagnostic) -> bool {
        std::sync::Arc::ptr_eq(&self.0, &other.0)
    }

    /// The diagnostics of `now` that `shown` has no equal of, in the order of `now`:
    /// what `qiao serve` prints after an update. `now` holds no two equal diagnostics (it
    /// is sorted: [`Diagnostics::into_sorted`] removes duplicates).
    ///
    /// A site may have hundreds of thousands of warnings, and an update keeps most of them
    /// as they were, by handle, in the same order. The handles the two lists start and end
    /// with in common are shown; between them, handles are matched by address, and only
    /// the others are compared by what they say, with those of `shown` that are no longer
    /// in `now` (a finding made again with the same text is not new). Hashing the text of
    /// every warning instead took about 250 ms after each save on a 10,000-article site
    /// whose warnings changed.
    pub fn not_in(now: &[Diagnostic], shown: &[Diagnostic]) -> Vec<Diagnostic> {
        use std::collections::HashSet;
        debug_assert_eq!(
            now.iter().collect::<HashSet<_>>().len(),
            now.len(),
            "`now` has duplicates"
        );
        let (head, tail) = common_ends(now, shown);
        // What is outside the two middles is in both lists, and `now` holds it once.
        let now = &now[head..now.len() - tail];
        let shown = &shown[head..shown.len() - tail];
        let address = |d: &Diagnostic| std::sync::Arc::as_ptr(&d.0);
        let shown_at: HashSet<*const Details> = shown.iter().map(address).collect();
        let now_at: HashSet<*const Details> = now.iter().map(address).collect();
        let gone: HashSet<&Details> = (shown.iter())
            .filter(|d| !now_at.contains(&address(d)))
            .map(|d| &*d.0)
            .collect();
        (now.iter())
            .filter(|d| !shown_at.contains(&address(d)) && !gone.contains(&*d.0))
            .cloned()
            .collect()
    }
}

/// How many diagnostics the two lists start with, and then end with, that are the same
/// handles (the two never overlap).
fn common_ends(a: &[Diagnostic], b: &[Diagnostic]) -> (usize, usize) {
    let head = (a.iter().zip(b))
        .take_while(|(x, y)| x.same_handle(y))
        .count();
    let tail = (a[head..].iter().rev().zip(b[head..].iter().rev()))
        .take_while(|(x, y)| x.same_handle(y))
        .count();
    (head, tail)
}

impl fmt::Debug for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// What a [`Diagnostic`] says.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Details {
    /// Error or warning.
    pub severity: Severity,
    /// The file, relative to the site root where possible.
    pub path: Option<PathBuf>,
    /// 1-based line, if known.
    pub line: Option<usize>,
    /// 1-based column in characters, if known.
    pub column: Option<usize>,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub hint: Option<String>,
    /// The text of the offending line, shown under the message.
    pub source_line: Option<String>,
}

impl Diagnostic {
    /// An error with a message and nothing else.
    pub fn error(message: impl Into<String>) -> Self {
        Diagnostic::new(Severity::Error, message.into())
    }

    /// A warning with a message and nothing else.
    pub fn warning(message: impl Into<String>) -> Self {
        Diagnostic::new(Severity::Warning, message.into())
    }

    fn new(severity: Severity, message: String) -> Self {
        Diagnostic(std::sync::Arc::new(Details {
            severity,
            path: None,
            line: None,
            column: None,
            message,
            hint: None,
            source_line: None,
        }))
    }

    /// Attaches the file.
    pub fn in_file(mut self, path: impl AsRef<Path>) -> Self {
        self.path = Some(path.as_ref().to_path_buf());
        self
    }

    /// Attaches a 1-based line and column and the source line they point into.
    pub fn at(mut self, source: &str, line: usize, column: usize) -> Self {
        self.line = Some(line.max(1));
        self.column = Some(column.max(1));
        self.source_line = source
            .lines()
            .nth(line.saturating_sub(1))
            .map(|l| l.trim_end_matches('\r').to_string());
        self
    }

    /// Like [`Diagnostic::at`], with the text of the line itself: for callers that report
    /// many positions in one file (`at` reads the file up to the line each time; with a
    /// [`LineIndex`] the whole batch stays linear).
    pub fn at_text(mut self, line_text: &str, line: usize, column: usize) -> Self {
        self.line = Some(line.max(1));
        self.column = Some(column.max(1));
        self.source_line = Some(line_text.trim_end_matches('\r').to_string());
        self
    }

    /// Attaches a 1-based line (column 1) and its source text.
    pub fn at_line(self, source: &str, line: usize) -> Self {
        self.at(source, line, 1)
    }

    /// Attaches a hint saying how to fix the problem.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Whether this is an error (after `--strict` has been applied).
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// `path:line:column`, as far as known; used as the location prefix.
    pub fn location(&self) -> String {
        let mut s = match &self.path {
            Some(p) => display_path(p),
            None => String::new(),
        };
        if let Some(line) = self.line {
            s.push_str(&format!(":{line}"));
            if let Some(col) = self.column {
                s.push_str(&format!(":{col}"));
            }
        }
        s
    }

    /// Renders the diagnostic the way rustc does, with the source line and a caret.
    pub fn render(&self, color: bool) -> String {
        let level = match self.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
        };
        let path = self.path.as_deref().map(display_path);
        let title = level.primary_title(self.message.as_str());
        let mut group = match (&self.source_line, self.line) {
            (Some(src), Some(line)) => {
                let col = self.column.unwrap_or(1);
                let start = src
                    .char_indices()
                    .nth(col.saturating_sub(1))
                    .map_or(src.len(), |(i, _)| i);
                let end = src[start..]
                    .chars()
                    .next()
                    .map_or(start, |c| start + c.len_utf8());
                let mut snippet = Snippet::source(src.as_str())
                    .line_start(line)
                    .annotation(AnnotationKind::Primary.span(start..end));
                if let Some(p) = &path {
                    snippet = snippet.path(p.as_str());
                }
                title.element(snippet)
            }
            _ => match &path {
                Some(p) => {
                    let mut origin = annotate_snippets::Origin::path(p.as_str());
                    if let Some(line) = self.line {
                        origin = origin.line(line);
                    }
                    title.element(origin)
                }
                None => Group::with_title(title),
            },
        };
        if let Some(hint) = &self.hint {
            group = group.element(Level::HELP.message(hint.as_str()));
        }
        let renderer = if color {
            Renderer::styled()
        } else {
            Renderer::plain()
        };
        renderer.render(&[group])
    }

    /// Sort key that gives a stable, readable order: by file, then position (what
    /// [`Diagnostics::into_sorted`] orders by, without comparing paths each time).
    #[cfg(test)]
    fn sort_key(&self) -> (Option<&PathBuf>, usize, usize, Severity, &str) {
        (
            self.path.as_ref(),
            self.line.unwrap_or(0),
            self.column.unwrap_or(0),
            self.severity,
            &self.message,
        )
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let loc = self.location();
        if loc.is_empty() {
            write!(f, "{kind}: {}", self.message)?;
        } else {
            write!(f, "{loc}: {kind}: {}", self.message)?;
        }
        if let Some(h) = &self.hint {
            write!(f, " (hint: {h})")?;
        }
        Ok(())
    }
}

/// Paths are shown with forward slashes on every platform, so that messages and snapshots
/// are the same everywhere.
pub fn display_path(p: &Path) -> String {
    p.to_string_lossy().replace('\\', "/")
}

/// Diagnostics as they were made, and sorted ([`Diagnostics::into_sorted_reusing`]), with
/// the file of each as a number (`FileIds`): patching the sorted list after a change
/// reads those numbers, not the paths of 186,000 diagnostics spread over the heap.
#[derive(Debug, Default, Clone)]
pub struct SortedDiagnostics {
    unsorted: Vec<Diagnostic>,
    sorted: Vec<Diagnostic>,
    /// The file of each of `unsorted`.
    unsorted_files: Vec<u32>,
    /// The file of each of `sorted`.
    sorted_files: Vec<u32>,
    files: FileIds,
}

/// A number for each file diagnostics name: equal for equal paths (by `Path`: `a//b` and
/// `a/b` too), 0 for a diagnostic without a path.
#[derive(Debug, Default, Clone)]
struct FileIds {
    /// By the bytes of the path.
    by_bytes: HashMap<Vec<u8>, u32>,
    /// By [`component_key`].
    by_key: HashMap<Vec<u8>, u32>,
    last: u32,
}

impl FileIds {
    /// The file of `d`.
    fn of(&mut self, d: &Diagnostic) -> u32 {
        let Some(p) = d.path.as_deref() else {
            return 0;
        };
        let bytes = p.as_os_str().as_encoded_bytes();
        if let Some(&id) = self.by_bytes.get(bytes) {
            return id;
        }
        let id = match self.by_key.entry(component_key(p)) {
            std::collections::hash_map::Entry::Occupied(e) => *e.get(),
            std::collections::hash_map::Entry::Vacant(e) => {
                self.last += 1;
                *e.insert(self.last)
            }
        };
        self.by_bytes.insert(bytes.to_vec(), id);
        id
    }

    /// The file of each of `items`; a path is looked up only where its bytes change (a
    /// file's diagnostics mostly come one after another).
    fn of_each(&mut self, items: &[Diagnostic]) -> Vec<u32> {
        let mut run = RunOfPath::default();
        let mut id = 0;
        (items.iter())
            .map(|d| {
                if run.starts(d) {
                    id = self.of(d);
                }
                id
            })
            .collect()
    }
}

impl SortedDiagnostics {
    /// The sorted form of `now` (as [`Diagnostics::into_sorted`] makes it) made from this
    /// one, when `now` differs from `self.unsorted` in one run only (the same handles before
    /// it and after it) of at most a twentieth of them (or 64): the diagnostics of the files named
    /// in that run (in either list) are sorted again, and those of every other file are
    /// taken as they are sorted here (the path comes first in the order, so each file's
    /// stand together). `None` otherwise.
    fn patched(&self, now: &[Diagnostic], files: &mut FileIds) -> Option<Patched> {
        let old = &self.unsorted;
        let (head, tail) = common_ends(old, now);
        let (gone, came) = (&old[head..old.len() - tail], &now[head..now.len() - tail]);
        if gone.len() + came.len() > (now.len() / 20).max(64) {
            return None;
        }
        let came_files: Vec<u32> = came.iter().map(|d| files.of(d)).collect();
        let gone_files = &self.unsorted_files[head..old.len() - tail];
        let mut concerned: Vec<u32> = gone_files.iter().chain(&came_files).copied().collect();
        concerned.sort_unstable();
        concerned.dedup();
        let concerns = |id: &u32| concerned.binary_search(id).is_ok();
        // Every diagnostic of another file is in both lists (before or after the run), as
        // often: those of the files concerned are sorted again, in the order of `now`.
        let now_files: Vec<u32> = (self.unsorted_files[..head].iter())
            .chain(&came_files)
            .chain(&self.unsorted_files[old.len() - tail..])
            .copied()
            .collect();
        let (again, again_files): (Vec<Diagnostic>, Vec<u32>) = (now.iter().zip(&now_files))
            .filter(|(_, id)| concerns(id))
            .map(|(d, &id)| (d.clone(), id))
            .unzip();
        let (again, again_files) = sort_keyed(again, again_files);
        // Both in order; no file is in both. A path is read only where a file's run starts
        // and a diagnostic sorted again may go before it.
        let mut sorted = Vec::with_capacity(self.sorted.len() + again.len());
        let mut sorted_files = Vec::with_capacity(sorted.capacity());
        let mut again = again.into_iter().zip(again_files).peekable();
        let mut previous = None;
        for (d, &id) in self.sorted.iter().zip(&self.sorted_files) {
            let starts = previous != Some(id);
            previous = Some(id);
            if concerns(&id) {
                continue;
            }
            if starts {
                while let Some((a, a_id)) =
                    again.next_if(|(a, _)| a.path.as_deref() < d.path.as_deref())
                {
                    sorted.push(a);
                    sorted_files.push(a_id);
                }
            }
            sorted.push(d.clone());
            sorted_files.push(id);
        }
        for (a, a_id) in again {
            sorted.push(a);
            sorted_files.push(a_id);
        }
        Some(Patched {
            sorted,
            sorted_files,
            unsorted_files: now_files,
        })
    }
}

/// What [`SortedDiagnostics::patched`] makes: the sorted list and the files of both lists.
struct Patched {
    sorted: Vec<Diagnostic>,
    sorted_files: Vec<u32>,
    unsorted_files: Vec<u32>,
}

/// `items` sorted as [`Diagnostics::into_sorted`] sorts them, each with its number in
/// `files` (any number: it goes along).
fn sort_keyed(items: Vec<Diagnostic>, files: Vec<u32>) -> (Vec<Diagnostic>, Vec<u32>) {
    use rayon::slice::ParallelSliceMut;
    type Key = (usize, usize, usize, Severity);
    let ranks = path_ranks(&items);
    let mut keyed: Vec<(Key, u32, Diagnostic)> = (ranks.into_iter().zip(files).zip(items))
        .map(|((rank, file), d)| {
            let key = (rank, d.line.unwrap_or(0), d.column.unwrap_or(0), d.severity);
            (key, file, d)
        })
        .collect();
    keyed.par_sort_by(|(ka, _, a), (kb, _, b)| ka.cmp(kb).then_with(|| a.message.cmp(&b.message)));
    // Duplicates removed within each group of one place and message, not only next to each
    // other: two equal ones may have one with another hint between them.
    let mut sorted = Vec::with_capacity(keyed.len());
    let mut sorted_files = Vec::with_capacity(keyed.len());
    let mut group: Option<(Key, usize)> = None;
    for (key, file, d) in keyed {
        let start = match group {
            Some((k, start))
                if k == key
                    && sorted[start..]
                        .iter()
                        .all(|e: &Diagnostic| e.message == d.message) =>
            {
                start
            }
            _ => sorted.len(),
        };
        group = Some((key, start));
        if sorted[start..].contains(&d) {
            continue;
        }
        sorted.push(d);
        sorted_files.push(file);
    }
    (sorted, sorted_files)
}

/// The path of the diagnostic last looked at, by its bytes.
#[derive(Default)]
struct RunOfPath<'a> {
    bytes: Option<Option<&'a [u8]>>,
}

impl<'a> RunOfPath<'a> {
    /// Whether `d`'s path is not (by its bytes) the one of the diagnostic before.
    fn starts(&mut self, d: &'a Diagnostic) -> bool {
        let bytes = d.path.as_deref().map(|p| p.as_os_str().as_encoded_bytes());
        let starts = self.bytes != Some(bytes);
        self.bytes = Some(bytes);
        starts
    }
}

/// Every diagnostic of a run, kept in a stable order.
#[derive(Debug, Default, Clone)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    /// An empty collection.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one diagnostic.
    pub fn push(&mut self, d: Diagnostic) {
        self.items.push(d);
    }

    /// Adds many.
    pub fn extend(&mut self, ds: impl IntoIterator<Item = Diagnostic>) {
        self.items.extend(ds);
    }

    /// Whether any error is present.
    pub fn has_errors(&self) -> bool {
        self.items.iter().any(Diagnostic::is_error)
    }

    /// Number of errors.
    pub fn error_count(&self) -> usize {
        self.items.iter().filter(|d| d.is_error()).count()
    }

    /// Number of warnings.
    pub fn warning_count(&self) -> usize {
        self.items.len() - self.error_count()
    }

    /// Turns every warning into an error (`--strict`).
    pub fn make_strict(&mut self) {
        for d in &mut self.items {
            d.severity = Severity::Error;
        }
    }

    /// Sorted, deduplicated diagnostics: the same input always reports the same way,
    /// whatever the number of threads.
    pub fn sorted(&self) -> Vec<Diagnostic> {
        self.clone().into_sorted()
    }

    /// [`Diagnostics::sorted`] without a copy: a build with a hundred thousand findings
    /// sorts them in parallel (a stable sort, so the order is the same on any number of
    /// threads) in place.
    ///
    /// Each diagnostic's position is read once into a key, and paths are ranked once per
    /// distinct path (`path_ranks`): comparing `PathBuf`s walks their components, and
    /// following every diagnostic's pointer at each comparison misses the cache, which made
    /// sorting the 186,000 findings of a 10,000-article site about 150 ms of every
    /// `qiao serve` update.
    pub fn into_sorted(self) -> Vec<Diagnostic> {
        let none = vec![0; self.items.len()];
        sort_keyed(self.items, none).0
    }

    /// [`Diagnostics::into_sorted`], made from `last` (the diagnostics of the last call and
    /// their sorted form, then set to these): given again when these are the same ones in
    /// the same order; when they differ only in one run of a few (a body edit in `qiao
    /// serve` changes the findings of its page, which stand together), the sorted form of
    /// the files those concern is made again and put in the place of theirs
    /// (`SortedDiagnostics::patched`); otherwise all are sorted. Findings of unchanged
    /// files are shared, not made again, so comparing them is cheap.
    pub fn into_sorted_reusing(self, last: &mut Option<SortedDiagnostics>) -> Vec<Diagnostic> {
        if let Some(l) = last
            && l.unsorted == self.items
        {
            return l.sorted.clone();
        }
        let mut previous = last.take();
        let mut files = (previous.as_mut())
            .map(|l| std::mem::take(&mut l.files))
            .unwrap_or_default();
        let patched = (previous.as_ref()).and_then(|l| l.patched(&self.items, &mut files));
        drop(previous);
        let unsorted = self.items.clone();
        let Patched {
            sorted,
            sorted_files,
            unsorted_files,
        } = patched.unwrap_or_else(|| {
            let unsorted_files = files.of_each(&self.items);
            let (sorted, sorted_files) = sort_keyed(self.items, unsorted_files.clone());
            Patched {
                sorted,
                sorted_files,
                unsorted_files,
            }
        });
        *last = Some(SortedDiagnostics {
            unsorted,
            sorted: sorted.clone(),
            unsorted_files,
            sorted_files,
            files,
        });
        sorted
    }

    /// Whether there is nothing to report.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

/// For each diagnostic, a number that orders as its path does under `Path`'s order: 0 for
/// no path, equal numbers for equal paths (`a//b` and `a/b` too). Diagnostics of one file
/// mostly come one after another, so a path is looked up only when it differs from the
/// last one.
fn path_ranks(items: &[Diagnostic]) -> Vec<usize> {
    let mut ids: HashMap<&[u8], usize> = HashMap::new();
    let mut distinct: Vec<&Path> = Vec::new();
    let mut last: Option<(&[u8], usize)> = None;
    let mut of: Vec<Option<usize>> = Vec::with_capacity(items.len());
    for d in items {
        let Some(p) = d.path.as_deref() else {
            of.push(None);
            continue;
        };
        let bytes = p.as_os_str().as_encoded_bytes();
        let id = match last {
            Some((b, id)) if b == bytes => id,
            _ => *ids.entry(bytes).or_insert_with(|| {
                distinct.push(p);
                distinct.len() - 1
            }),
        };
        last = Some((bytes, id));
        of.push(Some(id));
    }
    let keys: Vec<Vec<u8>> = distinct.iter().map(|p| component_key(p)).collect();
    let mut order: Vec<usize> = (0..distinct.len()).collect();
    order.sort_by(|&a, &b| keys[a].cmp(&keys[b]));
    let mut rank = vec![0; distinct.len()];
    let mut next = 0;
    for (i, &id) in order.iter().enumerate() {
        if i == 0 || keys[order[i - 1]] != keys[id] {
            next += 1;
        }
        rank[id] = next;
    }
    of.into_iter()
        .map(|id| id.map_or(0, |id| rank[id]))
        .collect()
}

/// Bytes that compare as `path` does under `Path`'s order: its components in turn, each as
/// its kind (in `Component`'s order: prefix, root, `.`, `..`, name) and its bytes, ended by a
/// zero byte (which no path component contains). Windows prefixes (`C:`) compare by their
/// text here.
fn component_key(path: &Path) -> Vec<u8> {
    use std::path::Component;
    let mut key = Vec::with_capacity(path.as_os_str().len() + 8);
    for c in path.components() {
        key.push(match c {
            Component::Prefix(_) => 1,
            Component::RootDir => 2,
            Component::CurDir => 3,
            Component::ParentDir => 4,
            Component::Normal(_) => 5,
        });
        key.extend_from_slice(c.as_os_str().as_encoded_bytes());
        key.push(0);
    }
    key
}

/// Turns serde's "unknown field `x`, expected one of `a`, `b`" into a hint naming the nearest
/// valid key, so that a typo such as `titel` gets "did you mean `title`?".
pub fn unknown_field_hint(message: &str) -> Option<(String, String)> {
    let rest = message.split("unknown field `").nth(1)?;
    let (field, rest) = rest.split_once('`')?;
    // serde writes "expected one of `a`, `b`"; serde-saphyr "expected one of a, b".
    let list = rest
        .split_once("expected one of ")
        .or_else(|| rest.split_once("expected "))
        .map_or("", |(_, l)| l);
    let list = list.lines().next().unwrap_or("");
    let expected: Vec<&str> = list
        .split(", ")
        .flat_map(|s| s.split(" or "))
        .map(|s| s.trim().trim_matches('`'))
        .filter(|s| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
        })
        .collect();
    let best = expected
        .iter()
        .map(|cand| (strsim::jaro_winkler(field, cand), *cand))
        .filter(|(score, _)| *score > 0.7)
        .max_by(|a, b| a.0.total_cmp(&b.0));
    let hint = match best {
        Some((_, cand)) => format!("did you mean `{cand}`?"),
        None if !expected.is_empty() => format!("valid keys here are: {}", expected.join(", ")),
        None => "remove this key".to_string(),
    };
    Some((field.to_string(), hint))
}

/// Converts a byte offset into a 1-based (line, character column) pair.
pub fn line_col(source: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(source.len());
    let mut start = offset;
    while !source.is_char_boundary(start) {
        start -= 1;
    }
    let before = &source[..start];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = before[line_start..].chars().count() + 1;
    (line, col)
}

/// Where the lines of a text start: turns many byte offsets of one file into lines and
/// columns, and lines into their text, without reading the file from the start for each
/// ([`line_col`] and [`Diagnostic::at`] are linear in the position).
pub struct LineIndex<'s> {
    source: &'s str,
    /// Byte offset of the start of each line (lines end at `\n`, as in `str::lines`).
    starts: Vec<usize>,
}

impl<'s> LineIndex<'s> {
    /// Indexes `source` in one pass.
    pub fn new(source: &'s str) -> Self {
        let starts = std::iter::once(0)
            .chain(source.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        LineIndex { source, starts }
    }

    /// The 1-based (line, character column) of a byte offset, as [`line_col`] computes it.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(self.source.len());
        while !self.source.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&s| s <= offset).max(1);
        let start = self.starts[line - 1];
        (line, self.source[start..offset].chars().count() + 1)
    }

    /// The text of a 1-based line, without its line end; empty past the end.
    pub fn line(&self, line: usize) -> &'s str {
        let Some(&start) = self.starts.get(line.wrapping_sub(1)) else {
            return "";
        };
        let end = self
            .starts
            .get(line)
            .map_or(self.source.len(), |&next| next - 1);
        self.source[start..end].trim_end_matches('\r')
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The sorted diagnostics of the last call are given again only for the same ones.
    #[test]
    fn sorting_again_reuses_the_last_result_only_for_the_same_diagnostics() {
        let d = |file: &str, line: usize| {
            Diagnostic::warning(format!("w{line}"))
                .in_file(file)
                .at("a\nb\nc", line, 1)
        };
        let of = |ds: &[Diagnostic]| {
            let mut all = Diagnostics::new();
            all.extend(ds.iter().cloned());
            all
        };
        let a = vec![d("b.md", 2), d("a.md", 3), d("b.md", 1)];
        let mut b = a.clone();
        b.push(d("a.md", 1));
        let mut last = None;
        let first = of(&a).into_sorted_reusing(&mut last);
        assert_eq!(first, of(&a).into_sorted());
        assert_eq!(of(&a).into_sorted_reusing(&mut last), first);
        let more = of(&b).into_sorted_reusing(&mut last);
        assert_eq!(more, of(&b).into_sorted());
        assert_eq!(more.len(), 4);
        // Fewer again, and the same in another order: sorted anew, the same.
        assert_eq!(of(&a).into_sorted_reusing(&mut last), first);
        let mut reordered = a.clone();
        reordered.reverse();
        assert_eq!(of(&reordered).into_sorted_reusing(&mut last), first);
        assert_eq!(of(&[]).into_sorted_reusing(&mut last), Vec::new());
    }

    /// When the diagnostics differ from the last ones in one run, the sorted form is made
    /// again for the files of that run only, and equals sorting them all: findings of a file
    /// added, removed, replaced, duplicated, and of a file without diagnostics before.
    /// Equal diagnostics are one, also when one with another hint stands between them.
    #[test]
    fn sorting_removes_every_duplicate_of_a_place_and_message() {
        let x = Diagnostic::warning("m").in_file("a.md").with_hint("h1");
        let y = Diagnostic::warning("m").in_file("a.md").with_hint("h2");
        let x2 = Diagnostic::warning("m").in_file("a.md").with_hint("h1");
        let mut all = Diagnostics::new();
        all.extend([
            x.clone(),
            y.clone(),
            x2,
            Diagnostic::warning("n").in_file("a.md"),
        ]);
        let sorted = all.into_sorted();
        assert_eq!(sorted.len(), 3, "{sorted:?}");
        assert!(sorted[0].same_handle(&x) && sorted[1].same_handle(&y));
    }

    #[test]
    fn new_diagnostics_are_found_by_handle_and_then_by_text() {
        let kept = Diagnostic::warning("kept").in_file("a.md");
        let remade = Diagnostic::warning("made again").in_file("a.md");
        let gone = Diagnostic::warning("gone").in_file("b.md");
        let shown = vec![kept.clone(), remade.clone(), gone];
        let new = Diagnostic::warning("new").in_file("a.md");
        // The same text in a new handle, as checking a page again makes it.
        let remade_again = Diagnostic::warning("made again").in_file("a.md");
        assert!(!remade_again.same_handle(&remade));
        let now = vec![new.clone(), kept.clone(), remade_again.clone()];
        let found = Diagnostic::not_in(&now, &shown);
        assert_eq!(found.len(), 1);
        assert!(found[0].same_handle(&new));
        // The same ends, and a middle changed: a finding made again, one new.
        let (p, q) = (Diagnostic::warning("p"), Diagnostic::warning("q"));
        let shown = vec![p.clone(), remade.clone(), q.clone()];
        let now = vec![p.clone(), new.clone(), remade_again.clone(), q.clone()];
        let found = Diagnostic::not_in(&now, &shown);
        assert_eq!(found.len(), 1);
        assert!(found[0].same_handle(&new));
        assert!(Diagnostic::not_in(&shown, &shown).is_empty());
        // What a set of their texts finds, on random lists.
        let mut rng = crate::test_rng::Lcg(7);
        let mut below = |n: usize| rng.below(n);
        let pool: Vec<Diagnostic> = (0..40)
            .map(|i| Diagnostic::warning(format!("w{}", i % 25)).in_file("x.md"))
            .collect();
        for _ in 0..200 {
            // Lists without two equal diagnostics (`shown` may hold any).
            let mut pick = |n: u64| -> Vec<Diagnostic> {
                let mut seen = std::collections::HashSet::new();
                (0..n)
                    .map(|_| pool[below(40)].clone())
                    .filter(|d| seen.insert(d.clone()))
                    .collect()
            };
            let (shown, now) = (pick(10), pick(10));
            let texts: std::collections::HashSet<&Diagnostic> = shown.iter().collect();
            let want: Vec<&Diagnostic> = now.iter().filter(|d| !texts.contains(d)).collect();
            let got = Diagnostic::not_in(&now, &shown);
            assert_eq!(got.iter().collect::<Vec<_>>(), want);
        }
    }

    #[test]
    fn sorting_again_after_a_change_in_one_run_equals_sorting_all() {
        let d = |file: &str, line: usize, message: &str| {
            Diagnostic::warning(message.to_string())
                .in_file(file)
                .at("a\nb\nc\nd", line, 1)
        };
        let of = |ds: &[Diagnostic]| {
            let mut all = Diagnostics::new();
            all.extend(ds.iter().cloned());
            all
        };
        let no_path = Diagnostic::warning("site-wide");
        // 60 findings over 20 files, in the order of their making (not sorted).
        let mut base: Vec<Diagnostic> = Vec::new();
        for f in [
            7, 3, 12, 0, 19, 5, 11, 2, 16, 9, 1, 14, 18, 4, 10, 6, 15, 13, 8, 17,
        ] {
            let file = format!("content/f{f}.md");
            for line in [3, 1, 2] {
                base.push(d(&file, line, &format!("m{f}-{line}")));
            }
        }
        base.insert(30, no_path.clone());
        let mut last = None;
        assert_eq!(
            of(&base).into_sorted_reusing(&mut last),
            of(&base).into_sorted()
        );
        let changes: Vec<Vec<Diagnostic>> = vec![
            // A finding more in one file, in the middle of its run.
            {
                let mut v = base.clone();
                v.insert(7, d("content/f3.md", 4, "new"));
                v
            },
            // One finding fewer.
            {
                let mut v = base.clone();
                v.remove(8);
                v
            },
            // A file's findings replaced by other ones (a body edit).
            {
                let mut v = base.clone();
                v.splice(
                    3..6,
                    [d("content/f12.md", 2, "other"), d("content/f12.md", 1, "x")],
                );
                v
            },
            // A finding of a file that had none, and one equal to another (removed as a
            // duplicate), and one without a file.
            {
                let mut v = base.clone();
                v.insert(10, d("content/f20.md", 1, "first"));
                v.insert(11, d("content/f0.md", 3, "m0-3"));
                v.insert(12, Diagnostic::warning("site-wide"));
                v
            },
            // Changes in two runs far apart (a finding more in one file, one fewer in
            // another): sorted anew.
            {
                let mut v = base.clone();
                v.insert(50, d("content/f15.md", 4, "new"));
                v.remove(2);
                v
            },
            // Findings moved elsewhere in the list: sorted anew too.
            {
                let mut v = base.clone();
                v.swap(0, 50);
                v
            },
        ];
        let before = || {
            let mut last = None;
            of(&base).into_sorted_reusing(&mut last);
            last.expect("kept")
        };
        for (n, now) in changes.iter().enumerate() {
            let got = of(now).into_sorted_reusing(&mut Some(before()));
            assert_eq!(got, of(now).into_sorted(), "change {n}");
            let b = before();
            let patched = b.patched(now, &mut b.files.clone()).is_some();
            assert_eq!(patched, n < 4, "change {n}");
        }
        // Random findings added and removed in several places, and moved: always what
        // sorting all of them gives.
        let mut rng = crate::test_rng::Lcg(11);
        let mut below = |n: usize| rng.below(n);
        for round in 0..300 {
            let mut v = base.clone();
            for _ in 0..1 + below(4) {
                match below(3) {
                    0 => {
                        let f = below(22);
                        let at = below(v.len() + 1);
                        v.insert(at, d(&format!("content/f{f}.md"), 1 + below(4), "r"));
                    }
                    1 => {
                        v.remove(below(v.len()));
                    }
                    _ => {
                        let (a, b) = (below(v.len()), below(v.len()));
                        v.swap(a, b);
                    }
                }
            }
            let got = of(&v).into_sorted_reusing(&mut Some(before()));
            assert_eq!(got, of(&v).into_sorted(), "round {round}");
        }
        // One change after another, each patching the list the last one made, with paths
        // equal as `Path`s but not as bytes.
        let mut last = Some(before());
        let mut v = base.clone();
        for round in 0..300 {
            let at = below(v.len() + 1);
            match below(4) {
                0 => v.insert(
                    at,
                    d(&format!("content/f{}.md", below(22)), 1 + below(4), "r"),
                ),
                1 => v.insert(
                    at,
                    d(&format!("content//f{}.md", below(22)), 1 + below(4), "s"),
                ),
                2 if v.len() > 10 => {
                    v.remove(at.min(v.len() - 1));
                }
                _ => {
                    let f = below(20);
                    let file = format!("content/f{f}.md");
                    let at = v
                        .iter()
                        .position(|x| x.path.as_deref() == Some(Path::new(&file)));
                    if let Some(at) = at {
                        v[at] = d(&file, 2, &format!("m{f}-edited"));
                    }
                }
            }
            let got = of(&v).into_sorted_reusing(&mut last);
            assert_eq!(got, of(&v).into_sorted(), "chained round {round}");
        }
    }

    /// `into_sorted` ranks paths instead of comparing them each time: the order must be the
    /// one `Path` gives, where it differs from the order of the bytes (`a/b` before `a-b`,
    /// `a//b` equal to `a/b`), with the line, column, severity and message after it, and
    /// duplicates removed.
    #[test]
    fn sorting_orders_paths_as_path_does_and_removes_duplicates() {
        let paths = [
            None,
            Some("content/a-b.md"),
            Some("content/a/b.md"),
            Some("content//a/b.md"),
            Some("content/a.md"),
            Some("content/ab/c.md"),
            Some("content/Z.md"),
            Some("content/é.md"),
            Some("content/e\u{301}.md"),
            Some("static/x"),
            Some("/abs/a.md"),
            Some("../up/a.md"),
            Some("./content/a.md"),
            Some("content/a.md/"),
        ];
        let mut all = Diagnostics::new();
        let mut n = 0u32;
        for round in 0..3 {
            for (i, p) in paths.iter().enumerate() {
                n = n.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                let mut d = if n.is_multiple_of(3) {
                    Diagnostic::error(format!("m{}", n % 4))
                } else {
                    Diagnostic::warning(format!("m{}", n % 4))
                };
                if let Some(p) = p {
                    d = d.in_file(p);
                }
                if (i + round) % 2 == 0 {
                    d = d.at("x\ny\nz", (n % 3) as usize + 1, (n % 5) as usize);
                }
                all.push(d.clone());
                if n.is_multiple_of(2) {
                    all.push(d);
                }
            }
        }
        let mut expected = all.items.clone();
        expected.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        expected.dedup();
        let sorted = all.into_sorted();
        assert_eq!(sorted, expected);
        let a_slash = sorted
            .iter()
            .position(|d| d.path.as_deref() == Some(Path::new("content/a/b.md")));
        let a_dash = sorted
            .iter()
            .position(|d| d.path.as_deref() == Some(Path::new("content/a-b.md")));
        assert!(
            a_slash < a_dash,
            "content/a/b.md sorts before content/a-b.md"
        );
        assert!(sorted.len() > paths.len());
    }

    #[test]
    fn suggests_nearest_key() {
        let (field, hint) =
            unknown_field_hint("unknown field `titel`, expected one of `title`, `date`, `tags`")
                .unwrap();
        assert_eq!(field, "titel");
        assert_eq!(hint, "did you mean `title`?");
    }

    #[test]
    fn understands_serde_saphyr_wording() {
        let (_, hint) = unknown_field_hint(
            "line 2 column 1: unknown field `tgas`, expected one of title, tags",
        )
        .unwrap();
        assert_eq!(hint, "did you mean `tags`?");
    }

    #[test]
    fn lists_keys_when_nothing_is_close() {
        let (_, hint) =
            unknown_field_hint("unknown field `zzzzzz`, expected `name` or `locale`").unwrap();
        assert_eq!(hint, "valid keys here are: name, locale");
    }

    #[test]
    fn line_col_counts_characters() {
        let src = "第一行\n中欧合作区 x";
        assert_eq!(line_col(src, src.find('x').unwrap()), (2, 7));
        assert_eq!(line_col(src, 0), (1, 1));
        // an offset inside a character snaps back to its start
        assert_eq!(line_col(src, 1), (1, 1));
    }

    #[test]
    fn line_index_agrees_with_line_col_and_at() {
        let src = "第一行\r\n中欧合作区 x\n\nlast";
        let index = LineIndex::new(src);
        for offset in 0..=src.len() + 2 {
            assert_eq!(index.line_col(offset), line_col(src, offset), "{offset}");
        }
        for line in 1..=5 {
            let d = Diagnostic::error("x").at(src, line, 1);
            let e = Diagnostic::error("x").at_text(index.line(line), line, 1);
            assert_eq!(
                d.source_line.clone().unwrap_or_default(),
                e.source_line.clone().unwrap(),
                "{line}"
            );
        }
        assert_eq!(index.line(2), "中欧合作区 x");
        assert_eq!(index.line(0), "");
    }

    #[test]
    fn renders_file_line_and_caret() {
        let d = Diagnostic::error("bad date")
            .in_file("content/news/x.md")
            .at("a\ndate: 2016-02-30\n", 2, 7)
            .with_hint("use a real date");
        let out = d.render(false);
        assert!(out.contains("content/news/x.md:2:7"), "{out}");
        assert!(out.contains("date: 2016-02-30"), "{out}");
        assert!(out.contains("use a real date"), "{out}");
        assert_eq!(
            d.to_string(),
            "content/news/x.md:2:7: error: bad date (hint: use a real date)"
        );
    }
}
