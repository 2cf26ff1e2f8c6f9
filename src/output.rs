//! Writing the site: into a staging directory, put in place at the end, so that readers see
//! the old site or the new one and a failed build changes nothing.
//!
//! - **An ordinary output directory** is staged beside itself (`.public.qiao-staging-*`) and
//!   swapped in with one `renameat2(RENAME_EXCHANGE)` on Linux (elsewhere two renames, with a
//!   short window in which the output directory does not exist but is never half-written).
//! - **A symlinked output** (`public -> /srv/www/site`) stays a symlink: the directory it
//!   points to is replaced as above.
//! - **A mount point** (a Docker volume, a tmpfs), or an output whose parent qiao may not
//!   write, cannot be renamed: the site is staged *inside* it (`public/.qiao-staging-*`) and
//!   its top-level entries are exchanged one by one. Each entry changes atomically; for the
//!   microseconds the exchanges take, some top-level entries may be new and others old.
//!   Should one exchange fail, those done are undone.
//!
//! Every staging directory has a lock file beside it (`<staging>.lock`), flock-ed by the
//! build that owns it and naming its process. A build that was killed leaves both behind;
//! the next build takes the lock (which the kernel released with the dead process), and so
//! knows the owner is gone, and removes them. The staging directory of a build that is still
//! running is locked, and left alone.
//!
//! The first error of the device (disk full, quota, read-only file system) stops writing and
//! is reported once ([`Staging::failure`]), not once per file.
//!
//! qiao only ever replaces a directory it wrote itself (it leaves a marker file), so a typo
//! in `--output` cannot wipe out somebody's documents.

use std::fmt;
use std::fs;
use std::io::{self, Read, Write};
use std::path::{Component, Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

/// The marker qiao leaves in every output directory it writes.
pub const MARKER: &str = ".qiao-output";
const MARKER_TEXT: &str = "This directory is written by qiao build and replaced on every build.\n";
/// Names of staging directories inside the output (a mount point); beside it they are
/// prefixed with the output's name too (`.public.qiao-staging-`).
const INSIDE_PREFIX: &str = ".qiao-staging-";

/// Where rendered files go.
///
/// A [`Staging`] sink stops writing at the first error of the device (a full disk) and
/// records it once ([`Staging::failure`]): its later writes succeed without writing.
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

/// Where the site is staged, which decides how it is put in place (see the module header).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// Beside the output directory, swapped in by one exchange of names.
    Beside,
    /// Inside the output directory (a mount point), its top-level entries exchanged one by
    /// one.
    Inside,
}

/// The first error of the device that stopped a build from writing (disk full).
#[derive(Debug)]
pub struct Failure {
    /// The output file that could not be written.
    pub rel: String,
    /// Its size in bytes.
    pub size: u64,
    /// The error.
    pub error: io::Error,
}

/// What [`Staging::commit`] did when it put the new site in place.
#[derive(Debug)]
pub struct Committed {
    /// How the new site was put in place.
    pub placement: Placement,
    /// The previous site, where it could not be removed after the new one took its place,
    /// and why. The next build removes it.
    pub old_left: Option<(PathBuf, io::Error)>,
}

/// Why [`Staging::commit`] failed.
#[derive(Debug)]
pub enum CommitError {
    /// Nothing changed: the output still holds the previous site.
    Unchanged(io::Error),
    /// Putting the new site in place failed half-way, and undoing what was done failed
    /// too: the output is neither the previous site nor the new one.
    Mixed {
        /// Why the exchange failed.
        error: io::Error,
        /// Why undoing it failed.
        undo: io::Error,
    },
}

impl fmt::Display for CommitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CommitError::Unchanged(e) => write!(f, "{e}"),
            CommitError::Mixed { error, undo } => {
                write!(f, "{error}; undoing what was done failed too: {undo}")
            }
        }
    }
}

/// Renames `a` to `b` and `b` to `a` in one step; an error of kind `Unsupported` or
/// `InvalidInput` where the file system cannot.
type Exchange = fn(&Path, &Path) -> io::Result<()>;

/// A fresh directory beside the output (or inside it, for a mount point), put in place by
/// [`Staging::commit`] and removed on drop if never committed.
pub struct Staging {
    path: PathBuf,
    /// flock-ed while this value lives; removed with the staging directory.
    lock: Option<(PathBuf, fs::File)>,
    /// The output directory, symlinks resolved.
    target: PathBuf,
    placement: Placement,
    exchange: Exchange,
    count: AtomicUsize,
    written: AtomicU64,
    needed: AtomicU64,
    /// `needed` with every file rounded up to whole blocks of the file system.
    on_disk: AtomicU64,
    block: u64,
    failure: OnceLock<Failure>,
    leftovers: Vec<(PathBuf, io::Error)>,
    /// Set when putting the site in place failed and could not be undone: what is left is
    /// kept for the user to see (the next build removes it).
    keep: bool,
}

impl Staging {
    /// Creates the staging directory for `target`, after checking that `target` may be
    /// replaced and removing what interrupted builds left.
    pub fn new(target: &Path) -> io::Result<Staging> {
        Staging::create(target, None, exchange)
    }

    /// [`Staging::new`], with the placement and the exchange of names given (tests force
    /// the path of a mount point through it).
    pub(crate) fn create(
        target: &Path,
        force: Option<Placement>,
        exchange: Exchange,
    ) -> io::Result<Staging> {
        let target = resolve(target)?;
        check_replaceable(&target)?;
        let parent = target
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_path_buf();
        let name = target
            .file_name()
            .map_or("public".into(), |n| n.to_string_lossy().into_owned());
        let beside_prefix = format!(".{name}.{}", &INSIDE_PREFIX[1..]);
        let exists = target.is_dir();
        let mut leftovers = Vec::new();
        if parent.is_dir() {
            leftovers.extend(remove_leftovers(&parent, &beside_prefix));
        }
        if exists {
            leftovers.extend(remove_leftovers(&target, INSIDE_PREFIX));
        }
        let placement = force.unwrap_or(if exists && is_mount_point(&target) {
            Placement::Inside
        } else {
            Placement::Beside
        });
        let made = match placement {
            Placement::Beside => {
                fs::create_dir_all(&parent)?;
                match new_locked_dir(&parent, &beside_prefix) {
                    // A parent qiao may not write (`/srv/www` owned by root, `public/`
                    // by the user): stage inside instead.
                    Err(e) if exists && is_permission(&e) => {
                        new_locked_dir(&target, INSIDE_PREFIX).map(|m| (m, Placement::Inside))
                    }
                    r => r.map(|m| (m, Placement::Beside)),
                }
            }
            Placement::Inside => {
                fs::create_dir_all(&target)?;
                new_locked_dir(&target, INSIDE_PREFIX).map(|m| (m, Placement::Inside))
            }
        };
        let ((path, lock), placement) = made?;
        let block = block_size(&path);
        let staging = Staging {
            path,
            lock: Some(lock),
            target,
            placement,
            exchange,
            count: AtomicUsize::new(0),
            written: AtomicU64::new(0),
            needed: AtomicU64::new(0),
            on_disk: AtomicU64::new(0),
            block,
            failure: OnceLock::new(),
            leftovers,
            keep: false,
        };
        // On failure, dropping `staging` removes what was made.
        fs::write(staging.path.join(MARKER), MARKER_TEXT)?;
        Ok(staging)
    }

    /// The staging directory.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Where the site is staged.
    pub fn placement(&self) -> Placement {
        self.placement
    }

    /// Leftovers of interrupted builds that could not be removed, and why.
    pub fn leftovers(&self) -> &[(PathBuf, io::Error)] {
        &self.leftovers
    }

    /// The error of the device that stopped this staging from writing, if one did. A
    /// staging with a failure must not be committed: it is incomplete.
    pub fn failure(&self) -> Option<&Failure> {
        self.failure.get()
    }

    /// Puts the staged site in place of the output and deletes the previous one.
    pub fn commit(mut self) -> Result<Committed, CommitError> {
        if let Some(f) = self.failure.get() {
            return Err(CommitError::Unchanged(io::Error::new(
                f.error.kind(),
                format!("the staged site is incomplete: {}", f.error),
            )));
        }
        let r = self.put_in_place();
        if matches!(r, Err(CommitError::Mixed { .. })) {
            self.keep = true;
        }
        let old = r?;
        // `old` now holds the previous site, if there was one.
        let aside = with_suffix(&old, ".old");
        let left = [&old, &aside]
            .into_iter()
            .find_map(|p| remove_dir(p).err().map(|e| (p.clone(), e)));
        Ok(Committed {
            placement: self.placement,
            old_left: left,
        })
    }

    /// Puts the staged site in place; returns where the previous one went.
    fn put_in_place(&mut self) -> Result<PathBuf, CommitError> {
        let staged = self.path.clone();
        let aside = with_suffix(&staged, ".old");
        let ex = self.exchange;
        match self.placement {
            Placement::Inside => {
                let _guard = lock_dir(&self.target);
                swap_entries(&staged, &self.target, &aside, ex)?;
            }
            Placement::Beside if !self.target.exists() => {
                fs::rename(&staged, &self.target).map_err(CommitError::Unchanged)?;
            }
            Placement::Beside => match exchange_or_rename(ex, &staged, &self.target, &aside) {
                Ok(()) => {}
                // The output is a mount point after all (a bind mount of the same file
                // system, on a kernel without statx): exchange its entries.
                Err(CommitError::Unchanged(e)) if is_busy(&e) => {
                    self.placement = Placement::Inside;
                    let _guard = lock_dir(&self.target);
                    swap_entries(&staged, &self.target, &aside, ex)?;
                }
                Err(e) => return Err(e),
            },
        }
        Ok(staged)
    }

    fn full(&self, rel: &str) -> io::Result<PathBuf> {
        let p = self.path.join(safe_rel(rel)?);
        if let Some(parent) = p.parent() {
            fs::create_dir_all(parent)?;
        }
        Ok(p)
    }

    /// Writes one file unless an earlier write hit an error of the device; records the
    /// first such error instead of returning it.
    fn put(
        &self,
        rel: &str,
        size: u64,
        fill: impl FnOnce(&Path) -> io::Result<()>,
    ) -> io::Result<()> {
        self.needed.fetch_add(size, Ordering::Relaxed);
        self.on_disk
            .fetch_add(size.div_ceil(self.block) * self.block, Ordering::Relaxed);
        if self.failure.get().is_some() {
            return Ok(());
        }
        match self.full(rel).and_then(|p| fill(&p)) {
            Ok(()) => {
                self.written.fetch_add(size, Ordering::Relaxed);
                self.count.fetch_add(1, Ordering::Relaxed);
                Ok(())
            }
            Err(error) if is_device_full(&error) => {
                let _ = self.failure.set(Failure {
                    rel: rel.to_string(),
                    size,
                    error,
                });
                Ok(())
            }
            Err(e) => Err(e),
        }
    }

    /// Bytes of the files written so far, of all the files the build asked to write
    /// (written or skipped after a [`Failure`]), and the same with each file rounded up to
    /// whole blocks of the file system (what they take on disk, directories aside).
    pub fn bytes(&self) -> (u64, u64, u64) {
        (
            self.written.load(Ordering::Relaxed),
            self.needed.load(Ordering::Relaxed),
            self.on_disk.load(Ordering::Relaxed),
        )
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if self.keep {
            return;
        }
        // Not committed: the staged site goes. Committed: the previous site, if it could
        // not be removed before, is tried once more.
        let _ = remove_dir(&self.path);
        let aside = with_suffix(&self.path, ".old");
        let _ = remove_dir(&aside);
        if let Some((lock, _file)) = self.lock.take()
            && !self.path.exists()
            && !aside.exists()
        {
            // Still locked by `_file`: nobody else removes it meanwhile.
            let _ = fs::remove_file(lock);
        }
    }
}

impl Sink for Staging {
    fn write(&self, rel: &str, data: &[u8]) -> io::Result<()> {
        self.put(rel, data.len() as u64, |p| fs::write(p, data))
    }
    fn copy(&self, from: &Path, rel: &str) -> io::Result<()> {
        let size = fs::metadata(from)?.len();
        self.put(rel, size, |p| fs::copy(from, p).map(|_| ()))
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
    /// Removes the file, then each directory above it that is left empty (a clean build
    /// has no empty directories, and the server would list one).
    fn remove(&self, rel: &str) -> io::Result<()> {
        let target = self.root.join(safe_rel(rel)?);
        match fs::remove_file(&target) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            r => r?,
        }
        let mut dir = target.parent();
        while let Some(d) = dir.filter(|d| *d != self.root && d.starts_with(&self.root)) {
            // Fails on a directory that still holds something: then so would every one above.
            if fs::remove_dir(d).is_err() {
                break;
            }
            dir = d.parent();
        }
        Ok(())
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

/// An existing output directory is replaced only if it is empty (but for the leftovers of
/// interrupted builds) or qiao wrote it.
pub(crate) fn check_replaceable(target: &Path) -> io::Result<()> {
    match fs::read_dir(target) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
        Ok(entries) => {
            let mut entries = entries.filter(|e| {
                e.as_ref()
                    .map_or(true, |e| !is_staging_name(&e.file_name()))
            });
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

/// Whether an entry of the output directory belongs to a build in progress (or an
/// interrupted one) rather than to the site.
fn is_staging_name(name: &std::ffi::OsStr) -> bool {
    name.as_encoded_bytes()
        .starts_with(INSIDE_PREFIX.as_bytes())
}

/// The directory `target` names, following symlinks (a symlink's target is replaced, the
/// symlink stays), even when it does not exist yet.
fn resolve(target: &Path) -> io::Result<PathBuf> {
    let mut p = target.to_path_buf();
    for _ in 0..40 {
        match fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => {
                let link = fs::read_link(&p)?;
                p = match p.parent() {
                    Some(parent) => parent.join(link),
                    None => link,
                };
            }
            _ => return Ok(p),
        }
    }
    Err(io::Error::other(format!(
        "{}: too many levels of symbolic links",
        target.display()
    )))
}

/// Makes a staging directory `<prefix><random>` in `dir`, with its lock file
/// `<prefix><random>.lock` beside it, locked. The lock file exists before the directory
/// and is locked before it names its owner, so another build never takes a directory in
/// the making for a leftover.
fn new_locked_dir(dir: &Path, prefix: &str) -> io::Result<(PathBuf, (PathBuf, fs::File))> {
    let (mut file, temp) = tempfile::Builder::new()
        .prefix(prefix)
        .suffix(".lock")
        .rand_bytes(10)
        .tempfile_in(dir)?
        .into_parts();
    file.lock()?;
    writeln!(
        file,
        "locked by qiao build, process {}, while it builds the site",
        std::process::id()
    )?;
    let lock = temp.keep().map_err(|e| e.error)?;
    let staged = lock.with_extension("");
    if let Err(e) = fs::create_dir(&staged) {
        let _ = fs::remove_file(&lock);
        return Err(e);
    }
    Ok((staged, (lock, file)))
}

/// Removes the staging directories in `dir` whose lock file nobody holds: their build was
/// interrupted. Returns those that could not be removed.
fn remove_leftovers(dir: &Path, prefix: &str) -> Vec<(PathBuf, io::Error)> {
    let mut failed = Vec::new();
    let Ok(entries) = fs::read_dir(dir) else {
        return failed;
    };
    for e in entries.flatten() {
        let name = e.file_name();
        let Some(stem) = name
            .to_str()
            .and_then(|n| n.strip_suffix(".lock"))
            .filter(|s| s.len() > prefix.len() && s.starts_with(prefix))
        else {
            continue;
        };
        let lock = e.path();
        let Ok(mut file) = fs::OpenOptions::new().read(true).write(true).open(&lock) else {
            continue;
        };
        if file.try_lock().is_err() {
            continue; // its build is running
        }
        let mut owner = String::new();
        if file.read_to_string(&mut owner).is_err() || owner.is_empty() {
            continue; // a build between creating its lock file and locking it
        }
        let staged = dir.join(stem);
        let mut gone = true;
        for p in [with_suffix(&staged, ".old"), staged] {
            if let Err(err) = remove_dir(&p) {
                failed.push((p, err));
                gone = false;
            }
        }
        if gone {
            let _ = fs::remove_file(&lock);
        }
    }
    failed
}

/// Holds an exclusive lock on a directory while its entries are exchanged, so that two
/// builds into one mount point do not interleave.
fn lock_dir(dir: &Path) -> Option<fs::File> {
    let f = fs::File::open(dir).ok()?;
    f.lock().ok()?;
    Some(f)
}

/// The block size of the file system holding `p`: the least a non-empty file takes.
fn block_size(p: &Path) -> u64 {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let Ok(m) = fs::metadata(p) {
            return m.blksize().max(1);
        }
    }
    let _ = p;
    4096
}

/// Whether `p` is the root of a mounted file system (which cannot be renamed).
fn is_mount_point(p: &Path) -> bool {
    #[cfg(target_os = "linux")]
    {
        use rustix::fs::{AtFlags, CWD, StatxAttributes, StatxFlags, statx};
        if let Ok(s) = statx(CWD, p, AtFlags::empty(), StatxFlags::empty())
            && s.stx_attributes_mask.contains(StatxAttributes::MOUNT_ROOT)
        {
            return s.stx_attributes.contains(StatxAttributes::MOUNT_ROOT);
        }
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let (Ok(a), Ok(b)) = (fs::metadata(p), fs::metadata(p.join(".."))) {
            return a.dev() != b.dev();
        }
    }
    let _ = p;
    false
}

fn is_permission(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::PermissionDenied | io::ErrorKind::ReadOnlyFilesystem
    )
}

/// The errors of renaming a mount point.
fn is_busy(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ResourceBusy | io::ErrorKind::CrossesDevices
    )
}

/// Errors of the device rather than of one file: every later write would fail the same way.
fn is_device_full(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::StorageFull
            | io::ErrorKind::QuotaExceeded
            | io::ErrorKind::ReadOnlyFilesystem
    )
}

fn with_suffix(p: &Path, suffix: &str) -> PathBuf {
    let mut s = p.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// Removes a directory tree; one that is not there is fine.
fn remove_dir(p: &Path) -> io::Result<()> {
    match fs::remove_dir_all(p) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        r => r,
    }
}

/// One step of [`swap_entries`], undone in reverse order on failure.
enum Step {
    Exchanged(std::ffi::OsString),
    Added(std::ffi::OsString),
    Retired(std::ffi::OsString),
}

/// Puts the entries of `new` in place of those of `target` (a mount point), one by one:
/// each entry is exchanged atomically; entries of `target` that the new site lacks move
/// into `new`, which ends up holding the previous site. A failure undoes every step done.
fn swap_entries(new: &Path, target: &Path, aside: &Path, ex: Exchange) -> Result<(), CommitError> {
    let mut done = Vec::new();
    let error = match do_swap_entries(new, target, aside, ex, &mut done) {
        Ok(()) => return Ok(()),
        Err(e) => e,
    };
    let mut undo_error = None;
    for step in done.into_iter().rev() {
        let r = match &step {
            Step::Exchanged(n) => exchange_or_rename(ex, &new.join(n), &target.join(n), aside)
                .map_err(|e| match e {
                    CommitError::Unchanged(e) => e,
                    CommitError::Mixed { error, .. } => error,
                }),
            Step::Added(n) => fs::rename(target.join(n), new.join(n)),
            Step::Retired(n) => fs::rename(new.join(n), target.join(n)),
        };
        if let Err(e) = r {
            undo_error.get_or_insert(e);
        }
    }
    match (error, undo_error) {
        (CommitError::Unchanged(error), Some(undo)) => Err(CommitError::Mixed { error, undo }),
        (e, _) => Err(e),
    }
}

fn do_swap_entries(
    new: &Path,
    target: &Path,
    aside: &Path,
    ex: Exchange,
    done: &mut Vec<Step>,
) -> Result<(), CommitError> {
    let unchanged = CommitError::Unchanged;
    let mut names = fs::read_dir(new)
        .and_then(|rd| {
            rd.map(|e| e.map(|e| e.file_name()))
                .collect::<io::Result<Vec<_>>>()
        })
        .map_err(unchanged)?;
    names.sort();
    for n in &names {
        let (a, b) = (new.join(n), target.join(n));
        match fs::symlink_metadata(&b) {
            Ok(_) => {
                exchange_or_rename(ex, &a, &b, aside)?;
                done.push(Step::Exchanged(n.clone()));
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                fs::rename(&a, &b).map_err(unchanged)?;
                done.push(Step::Added(n.clone()));
            }
            Err(e) => return Err(unchanged(e)),
        }
    }
    let mut stale = fs::read_dir(target)
        .and_then(|rd| {
            rd.map(|e| e.map(|e| e.file_name()))
                .collect::<io::Result<Vec<_>>>()
        })
        .map_err(unchanged)?;
    stale.retain(|n| !is_staging_name(n) && !names.contains(n));
    stale.sort();
    for n in stale {
        fs::rename(target.join(&n), new.join(&n)).map_err(unchanged)?;
        done.push(Step::Retired(n));
    }
    Ok(())
}

/// Exchanges `a` and `b`; where the file system cannot, renames `b` to `aside`, `a` to `b`
/// and `aside` to `a`, with a short window in which `b` does not exist.
fn exchange_or_rename(ex: Exchange, a: &Path, b: &Path, aside: &Path) -> Result<(), CommitError> {
    match ex(a, b) {
        Ok(()) => Ok(()),
        Err(e)
            if matches!(
                e.kind(),
                io::ErrorKind::Unsupported | io::ErrorKind::InvalidInput
            ) =>
        {
            fs::rename(b, aside).map_err(CommitError::Unchanged)?;
            if let Err(error) = fs::rename(a, b) {
                return Err(match fs::rename(aside, b) {
                    Ok(()) => CommitError::Unchanged(error),
                    Err(undo) => CommitError::Mixed { error, undo },
                });
            }
            // The new one is in place; the old one, wherever it stays, is removed.
            let _ = fs::rename(aside, a);
            Ok(())
        }
        Err(e) => Err(CommitError::Unchanged(e)),
    }
}

/// `renameat2(RENAME_EXCHANGE)`.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).map_err(io::Error::from)
}

#[cfg(not(target_os = "linux"))]
fn exchange(_a: &Path, _b: &Path) -> io::Result<()> {
    Err(io::ErrorKind::Unsupported.into())
}
#[cfg(test)]
pub(crate) mod tests {
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

    /// Every file under `dir` with its bytes, staging leftovers included.
    fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
        let mut out = Vec::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            for e in fs::read_dir(&d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                } else {
                    let rel = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
                    out.push((rel, fs::read(&p).unwrap()));
                }
            }
        }
        out.sort();
        out
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    /// A site with `old/index.html` and `shared.css` committed into `out`.
    fn first_site(out: &Path) {
        let s = Staging::new(out).unwrap();
        s.write("old/index.html", b"old").unwrap();
        s.write("shared.css", b"old css").unwrap();
        s.commit().unwrap();
    }

    fn second_site(s: &Staging) {
        s.write("new/index.html", b"new").unwrap();
        s.write("shared.css", b"new css").unwrap();
    }

    #[test]
    fn leftovers_of_dead_builds_go_those_of_running_builds_stay() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        first_site(&out);
        // What a killed build leaves: its lock file, unlocked, naming it, and its directory.
        let dead = dir.path().join(".public.qiao-staging-dead000000");
        fs::create_dir_all(dead.join("en")).unwrap();
        fs::write(dead.join("en/index.html"), "half").unwrap();
        fs::create_dir(with_suffix(&dead, ".old")).unwrap();
        fs::write(
            with_suffix(&dead, ".lock"),
            "locked by qiao build, process 1\n",
        )
        .unwrap();
        // The same inside the output (a mount point).
        let dead_inside = out.join(".qiao-staging-dead000000");
        fs::create_dir(&dead_inside).unwrap();
        fs::write(with_suffix(&dead_inside, ".lock"), "process 1\n").unwrap();
        // A build that is running, and a directory nobody can prove to be qiao's.
        let running = Staging::new(&out).unwrap();
        running.write("a.html", b"running").unwrap();
        let foreign = dir.path().join(".public.qiao-staging-foreign");
        fs::create_dir(&foreign).unwrap();

        let s = Staging::new(&out).unwrap();
        assert!(s.leftovers().is_empty());
        assert!(!dead.exists() && !with_suffix(&dead, ".old").exists());
        assert!(!with_suffix(&dead, ".lock").exists());
        assert!(!dead_inside.exists() && !with_suffix(&dead_inside, ".lock").exists());
        assert_eq!(fs::read(running.path().join("a.html")).unwrap(), b"running");
        assert!(foreign.exists());
        drop(s);
        drop(running);
        assert_eq!(
            names(dir.path()),
            [".public.qiao-staging-foreign", "public"]
        );
        assert_eq!(names(&out), [".qiao-output", "old", "shared.css"]);
    }

    #[test]
    fn a_mount_point_gets_its_entries_exchanged() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        first_site(&out);
        let s = Staging::create(&out, Some(Placement::Inside), exchange).unwrap();
        assert!(s.path().starts_with(&out));
        second_site(&s);
        let c = s.commit().unwrap();
        assert_eq!(c.placement, Placement::Inside);
        assert!(c.old_left.is_none());
        assert_eq!(
            files(&out),
            [
                (MARKER.to_string(), MARKER_TEXT.as_bytes().to_vec()),
                ("new/index.html".to_string(), b"new".to_vec()),
                ("shared.css".to_string(), b"new css".to_vec()),
            ]
        );
        assert_eq!(names(dir.path()), ["public"]);
    }

    /// The kernel's answer when the output is a mount point it did not report as one: the
    /// whole-directory exchange is refused, entries can be exchanged.
    fn busy_for_staging_dirs(a: &Path, b: &Path) -> io::Result<()> {
        let whole = a
            .file_name()
            .is_some_and(|n| n.to_string_lossy().contains("qiao-staging-"));
        if whole {
            Err(io::ErrorKind::ResourceBusy.into())
        } else {
            exchange(a, b)
        }
    }

    #[test]
    fn a_busy_output_falls_back_to_exchanging_entries() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        first_site(&out);
        let s = Staging::create(&out, None, busy_for_staging_dirs).unwrap();
        assert_eq!(s.placement(), Placement::Beside);
        second_site(&s);
        let c = s.commit().unwrap();
        assert_eq!(c.placement, Placement::Inside);
        assert_eq!(fs::read(out.join("shared.css")).unwrap(), b"new css");
        assert!(!out.join("old").exists());
        assert_eq!(names(dir.path()), ["public"]);
    }

    /// Exchanging `shared.css` fails, as a full or failing device would.
    fn fail_on_css(a: &Path, b: &Path) -> io::Result<()> {
        if a.ends_with("shared.css") {
            Err(io::Error::other("simulated failure"))
        } else {
            exchange(a, b)
        }
    }

    #[test]
    fn a_failed_exchange_of_entries_is_undone_and_reported_as_unchanged() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        first_site(&out);
        let before = files(&out);
        let s = Staging::create(&out, Some(Placement::Inside), fail_on_css).unwrap();
        // `new/` is added and `.qiao-output` exchanged before `shared.css` fails.
        second_site(&s);
        match s.commit() {
            Err(CommitError::Unchanged(e)) => assert!(e.to_string().contains("simulated")),
            other => panic!("{other:?}"),
        }
        assert_eq!(files(&out), before);
        assert_eq!(names(dir.path()), ["public"]);
    }

    /// Exchanging `shared.css` fails, and so does exchanging the marker back.
    pub(crate) fn fail_and_fail_to_undo(a: &Path, b: &Path) -> io::Result<()> {
        // Per path, as tests run in parallel: the second exchange of a marker is the undo.
        static SEEN: std::sync::Mutex<Vec<PathBuf>> = std::sync::Mutex::new(Vec::new());
        let undo = || {
            let mut seen = SEEN.lock().unwrap();
            let again = seen.iter().any(|p| p == a);
            seen.push(a.to_path_buf());
            again
        };
        if a.ends_with("shared.css") {
            Err(io::Error::other("simulated failure"))
        } else if a.ends_with(MARKER) && undo() {
            Err(io::Error::other("simulated failure to undo"))
        } else {
            exchange(a, b)
        }
    }

    /// A site that a failed exchange left half-new; the next build cleans up after it.
    pub(crate) fn half_new_site(out: &Path) -> Staging {
        first_site(out);
        let s = Staging::create(out, Some(Placement::Inside), fail_and_fail_to_undo).unwrap();
        second_site(&s);
        s
    }

    #[test]
    fn a_failure_to_undo_is_reported_as_mixed_and_cleaned_up_next_time() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let s = half_new_site(&out);
        match s.commit() {
            Err(e @ CommitError::Mixed { .. }) => {
                assert_eq!(
                    e.to_string(),
                    "simulated failure; undoing what was done failed too: simulated failure \
                     to undo"
                );
            }
            other => panic!("{other:?}"),
        }
        // Kept for the user to see, until the next build.
        assert_eq!(
            names(&out)
                .iter()
                .filter(|n| is_staging_name(n.as_ref()))
                .count(),
            2
        );
        drop(Staging::new(&out).unwrap());
        assert_eq!(names(&out), [MARKER, "old", "shared.css"]);
    }

    #[test]
    fn without_rename_exchange_the_swap_is_three_renames() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        first_site(&out);
        for placement in [Placement::Beside, Placement::Inside] {
            let s = Staging::create(&out, Some(placement), |_, _| {
                Err(io::ErrorKind::Unsupported.into())
            })
            .unwrap();
            second_site(&s);
            s.commit().unwrap();
            assert_eq!(fs::read(out.join("shared.css")).unwrap(), b"new css");
            assert!(!out.join("old").exists());
            assert_eq!(names(dir.path()), ["public"]);
            assert_eq!(names(&out), [MARKER, "new", "shared.css"]);
        }
    }

    #[test]
    fn a_symlinked_output_stays_a_symlink_to_the_new_site() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("www/site");
        fs::create_dir_all(&real).unwrap();
        let link = dir.path().join("public");
        #[cfg(unix)]
        std::os::unix::fs::symlink("www/site", &link).unwrap();
        #[cfg(not(unix))]
        return;
        first_site(&link);
        let s = Staging::new(&link).unwrap();
        second_site(&s);
        s.commit().unwrap();
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read(real.join("shared.css")).unwrap(), b"new css");
        assert!(!real.join("old").exists());
        assert_eq!(names(&dir.path().join("www")), ["site"]);
    }

    #[test]
    fn the_first_error_of_the_device_stops_writing_and_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let s = Staging::new(&dir.path().join("public")).unwrap();
        s.write("a.html", b"12345").unwrap();
        // Errors of one file are that file's.
        let denied = |_: &Path| Err(io::Error::from(io::ErrorKind::PermissionDenied));
        assert!(s.put("e.html", 1, denied).is_err());
        let full = |_: &Path| Err(io::Error::from(io::ErrorKind::StorageFull));
        s.put("b.html", 7, full).unwrap();
        s.put("c.html", 9, full).unwrap();
        s.write("d.html", b"123").unwrap();
        let f = s.failure().unwrap();
        assert_eq!((f.rel.as_str(), f.size), ("b.html", 7));
        assert_eq!(f.error.kind(), io::ErrorKind::StorageFull);
        let (written, needed, on_disk) = s.bytes();
        assert_eq!((written, needed), (5, 5 + 1 + 7 + 9 + 3));
        // Five files of less than a block each.
        assert_eq!(on_disk, 5 * s.block);
        assert_eq!(s.count(), 1);
        assert!(!s.path().join("d.html").exists());
        assert!(matches!(s.commit(), Err(CommitError::Unchanged(_))));
    }
}
