//! The watch loop: file-system events in, rebuilds and live-reload messages out.
//!
//! One thread owns the watcher and runs every build, one at a time, so builds never overlap
//! and changes made during a build are coalesced into exactly one rebuild after it. Each
//! build is the full pipeline ([`crate::build()`]) into the served directory, swapped in
//! atomically: the server never shows a half-written site, and a failed build leaves the last
//! good one in place. After each build, the pages are told which of them changed (see
//! [`super::changes`]) and which page was just saved.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::Instant;

use notify::{RecursiveMode, Watcher};

use super::Shared;
use super::changes::Snapshot;
use super::livereload::{ErrorView, Message};
use super::session::Session;
use super::watch::{Batch, ChangeKind, Coalescer, WATCHED_DIRS, classify, is_relevant};
use crate::BuildOptions;
use crate::diagnostics::Diagnostic;

/// What the watch loop receives.
pub(crate) enum Msg {
    /// An event from the watcher.
    Fs(notify::Result<notify::Event>),
    /// The server is stopping.
    Stop,
}

/// Where the terminal output goes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Reporter {
    pub quiet: bool,
    pub color: bool,
}

impl Reporter {
    fn line(&self, text: &str) {
        if !self.quiet {
            let now = jiff::Zoned::now().strftime("%H:%M:%S");
            println!("[{now}] {text}");
        }
    }

    fn diagnostics(&self, diags: &[Diagnostic]) {
        if !self.quiet {
            for d in diags {
                eprintln!("{}", d.render(self.color));
            }
        }
    }
}

/// Runs builds and tells the pages about them.
pub(crate) struct Builder {
    pub opts: BuildOptions,
    pub shared: Arc<Shared>,
    pub reporter: Reporter,
    /// Whether the reload events name the page just saved (see [`Builder::navigate_target`]).
    pub navigate: bool,
    /// The warnings of the last successful build: only those it did not have are printed.
    last_warnings: Vec<Diagnostic>,
    /// What the last successful build keeps for incremental rebuilds.
    session: Option<Session>,
    /// The files the last successful build served, to tell the pages which of them changed.
    snapshot: Option<Snapshot>,
}

impl Builder {
    pub fn new(opts: BuildOptions, shared: Arc<Shared>, reporter: Reporter) -> Builder {
        Builder {
            opts,
            shared,
            reporter,
            navigate: true,
            last_warnings: Vec::new(),
            session: None,
            snapshot: None,
        }
    }

    /// Builds the site; `batch` is what changed (`None` for the first build). An edit of
    /// content, static files, templates or `.ftl` files is applied incrementally (see
    /// [`super::session`]); anything else, or anything the incremental path declines, is a
    /// full build.
    pub fn build(&mut self, batch: Option<&Batch>) {
        self.shared.building.store(true, Ordering::SeqCst);
        self.build_and_report(batch);
        self.shared.building.store(false, Ordering::SeqCst);
        // After a full build (an update leaves its fingerprints made), while the watcher
        // waits for the next change; a change saved meanwhile waits for this.
        if let Some(session) = &self.session {
            session.warm();
        }
    }

    fn build_and_report(&mut self, batch: Option<&Batch>) {
        let start = Instant::now();
        let mut full_because = None;
        if let Some(b) = batch
            && let Some(session) = self.session.take()
        {
            let fast = !b.rescan
                && b.changes.iter().all(|c| {
                    matches!(
                        c.kind,
                        ChangeKind::Content
                            | ChangeKind::Static
                            | ChangeKind::Template
                            | ChangeKind::I18n
                    )
                });
            if fast {
                let paths: Vec<String> = b.changes.iter().map(|c| c.path.clone()).collect();
                let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    session.update(&paths, &self.shared.generation)
                }));
                match outcome {
                    Ok(Ok((session, report))) => {
                        self.session = Some(session);
                        let elapsed = start.elapsed().as_secs_f64() * 1000.0;
                        self.succeeded(Some(b), report, true, |n| {
                            format!("updated {n} files in {elapsed:.0} ms")
                        });
                        return;
                    }
                    Ok(Err(why)) => {
                        if std::env::var_os("QIAO_DEBUG_INCREMENTAL").is_some() {
                            eprintln!("incremental declined: {why}");
                        }
                        full_because = Some(why)
                    }
                    Err(_) => full_because = Some("the incremental rebuild failed".into()),
                }
            } else {
                full_because = Some("site.toml or data files changed".into());
            }
        }
        // A bug in a build stage must not end the watch loop: report it like an error and
        // keep serving the last good site.
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            crate::build::build_keeping(&self.opts).map(|(report, kept)| {
                let session = kept.map(|k| Session::new(self.opts.clone(), k));
                (report, session)
            })
        }))
        .unwrap_or_else(|panic| {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            Err(vec![
                Diagnostic::error(format!("internal error: the build panicked: {what}"))
                    .with_hint("this is a bug in qiao; please report it with the file you changed"),
            ])
        });
        if self.shared.is_stopping() {
            // Stopped during the build (its writes may have been made to fail on purpose,
            // see `Server::stop`): nothing to report.
            return;
        }
        let elapsed = start.elapsed().as_secs_f64() * 1000.0;
        let what = self.describe(batch);
        match result {
            Ok((report, session)) => {
                self.session = session;
                let why = full_because.map_or_else(String::new, |w| format!(" (full build: {w})"));
                self.succeeded(batch, report, false, |n| {
                    format!("built {n} files in {elapsed:.0} ms{why}")
                });
            }
            Err(diags) => {
                self.session = None;
                // The warnings the terminal already shows are not printed again above
                // every error (they are again once the site builds and they change).
                let (errors, warnings): (Vec<Diagnostic>, Vec<Diagnostic>) =
                    diags.into_iter().partition(Diagnostic::is_error);
                let new_warnings = Diagnostic::not_in(&warnings, &self.last_warnings);
                self.reporter.diagnostics(&new_warnings);
                self.reporter.diagnostics(&errors);
                let views = errors.iter().map(ErrorView::from).collect();
                let n = errors.len();
                let build = self.shared.finish_build(errors, None);
                let served = self.shared.is_built();
                self.reporter.line(&format!(
                    "{what}: {n} error{}; {}",
                    if n == 1 { "" } else { "s" },
                    if served {
                        "the last good version stays served"
                    } else {
                        "there is no good version to serve yet: the site appears once they are fixed"
                    }
                ));
                let _ = self.shared.events.send(Message::BuildError {
                    build,
                    errors: views,
                    served,
                });
                self.shared.wake();
            }
        }
    }

    /// What a batch changed, for the terminal.
    fn describe(&self, batch: Option<&Batch>) -> String {
        batch.map_or_else(|| "first build".to_string(), |b| b.summary(&self.opts.root))
    }

    /// The page to show after `batch`: the one whose Markdown file was saved, when exactly
    /// one was (a `git checkout` of many files moves no tab) and it is still a page.
    fn navigate_target(&self, batch: &Batch) -> Option<String> {
        let mut sources = batch.changes.iter().filter(|c| {
            c.kind == ChangeKind::Content && c.path.to_ascii_lowercase().ends_with(".md")
        });
        let only = sources.next().filter(|_| sources.next().is_none())?;
        self.session.as_ref()?.page_path(&only.path)
    }

    /// Reports a successful build and tells the open pages which of them changed; `done`
    /// says what was done with how many files.
    fn succeeded(
        &mut self,
        batch: Option<&Batch>,
        report: crate::BuildReport,
        incremental: bool,
        done: impl FnOnce(usize) -> String,
    ) {
        // Only the warnings the terminal does not show yet: a site with many warnings would
        // otherwise print them all again after each save.
        if report.warnings != self.last_warnings {
            let new = Diagnostic::not_in(&report.warnings, &self.last_warnings);
            self.reporter.diagnostics(&new);
            self.last_warnings = report.warnings;
        }
        let dir = &self.shared.site_dir;
        let changes = match (&mut self.snapshot, &self.session) {
            (Some(snapshot), Some(session)) if incremental => {
                Some(snapshot.update(dir, session.touched()))
            }
            (previous, _) => {
                let next = Snapshot::take(dir, previous.as_ref().unwrap_or(&Snapshot::default()));
                let changes = previous.as_ref().map(|old| old.diff(&next));
                *previous = Some(next);
                changes
            }
        };
        let previous_ok = self.shared.status().errors.is_empty();
        let build = self.shared.finish_build(
            Vec::new(),
            (self.session.as_ref())
                .filter(|_| incremental)
                .map(|s| s.touched().to_vec()),
        );
        let what = self.describe(batch);
        self.reporter
            .line(&format!("{what}: {}", done(report.files)));
        let navigate = batch
            .filter(|_| self.navigate)
            .and_then(|b| self.navigate_target(b));
        let msg = match changes {
            // Only stylesheets changed, and no page shows an error to clear.
            Some(c)
                if previous_ok
                    && navigate.is_none()
                    && c.pages.is_empty()
                    && c.css
                    && !c.assets =>
            {
                Message::Css { build }
            }
            Some(c) => Message::Reload {
                build,
                pages: (!c.assets).then_some(c.pages),
                css: c.css,
                navigate,
            },
            None => Message::Reload {
                build,
                pages: None,
                css: false,
                navigate,
            },
        };
        // No receiver (no open page) is not an error.
        let _ = self.shared.events.send(msg);
        self.shared.wake();
    }
}

/// Everything the watch loop needs.
pub(crate) struct WatchLoop {
    pub builder: Builder,
    pub watcher: notify::RecommendedWatcher,
    pub rx: Receiver<Msg>,
    pub coalescer: Coalescer,
    /// The site root, canonical.
    pub root: PathBuf,
    /// Where [`super::Server::sync`] drops its markers.
    pub sync_dir: PathBuf,
}

impl WatchLoop {
    /// Runs the first build, then receives events until [`Msg::Stop`] and rebuilds when a
    /// burst is over.
    pub fn run(mut self) {
        self.builder.build(None);
        loop {
            let msg = match self.coalescer.deadline() {
                None => match self.rx.recv() {
                    Ok(m) => Some(m),
                    Err(_) => return,
                },
                Some(due) => {
                    match self
                        .rx
                        .recv_timeout(due.saturating_duration_since(Instant::now()))
                    {
                        Ok(m) => Some(m),
                        Err(RecvTimeoutError::Timeout) => None,
                        Err(RecvTimeoutError::Disconnected) => return,
                    }
                }
            };
            match msg {
                Some(Msg::Stop) => return,
                Some(Msg::Fs(Ok(event))) => self.event(event),
                Some(Msg::Fs(Err(e))) => {
                    // Typically the OS queue overflowed: rebuild everything.
                    self.builder
                        .reporter
                        .line(&format!("warning: file watching: {e}; rebuilding"));
                    self.coalescer.push_rescan(Instant::now());
                }
                None => {}
            }
            if let Some(batch) = self.coalescer.take_due(Instant::now()) {
                self.builder.build(Some(&batch));
            }
        }
    }

    fn event(&mut self, event: notify::Event) {
        if event.need_rescan() {
            self.coalescer.push_rescan(Instant::now());
        }
        if !is_relevant(&event.kind) {
            return;
        }
        for path in &event.paths {
            if path.parent() == Some(self.sync_dir.as_path()) {
                self.sync(path);
                continue;
            }
            if path.parent() == Some(self.root.as_path()) {
                self.rewatch(path);
            }
            if let Some(change) = classify(&self.root, path) {
                self.coalescer.push(change, Instant::now());
            }
        }
    }

    /// A watched directory created (or re-created) after the start gets its watch.
    fn rewatch(&mut self, path: &Path) {
        let is_input = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| WATCHED_DIRS.contains(&n));
        if is_input && path.is_dir() {
            let _ = self.watcher.unwatch(path);
            if let Err(e) = self.watcher.watch(path, RecursiveMode::Recursive) {
                self.builder
                    .reporter
                    .line(&format!("warning: cannot watch {}: {e}", path.display()));
            }
        }
    }

    /// A sync marker: every event before it has been received, so building what is pending
    /// now makes the served site reflect every change made before the marker.
    fn sync(&mut self, marker: &Path) {
        let Some(n) = marker
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.parse::<u64>().ok())
        else {
            return;
        };
        if let Some(batch) = self.coalescer.take() {
            self.builder.build(Some(&batch));
        }
        self.builder.shared.mark_synced(n);
    }
}
