//! `qiao serve`: build the site, serve it, rebuild on every save, reload the open pages.
//!
//! Editors write in one window and read the page in another; this module makes that loop
//! instant and keeps it running whatever they type:
//!
//! - the site is built by the same pipeline as `qiao build` ([`crate::build()`]) into a private
//!   temporary directory (never `public/`, unless `--output` says so), with `base_url` set to
//!   the server's own address;
//! - [`watch`] turns file-system events into one rebuild per burst of saves;
//! - [`server`] serves the directory with strict path rules, and injects the live-reload
//!   script into HTML responses only (so the served files are exactly a `qiao build`); it
//!   answers only requests that name this machine (no DNS rebinding), with bounded
//!   connections and timeouts, streaming every body;
//! - [`livereload`] defines the Server-Sent Events that reload pages, swap stylesheets, and
//!   show or clear the error overlay; `changes` tells which pages a build changed, so that
//!   only their tabs reload, and the tab focused last goes to the page just saved;
//! - a failed build keeps the last good site served and reports its errors in the terminal
//!   and in the browser.
//!
//! The pieces run on two threads of their own: the watch loop (it owns the watcher and runs
//! the builds, the first one included) and a small tokio runtime for HTTP. `qiao serve`
//! stops at once on a signal: a build in progress is not waited for beyond a moment.

mod body;
mod changes;
pub mod livereload;
mod rebuild;
pub mod server;
mod session;
pub mod watch;

use std::fmt;
use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::Sender;
use std::sync::{Arc, Condvar, Mutex, RwLock};
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use notify::{RecursiveMode, Watcher};
use tokio::sync::{broadcast, oneshot};

use crate::BuildOptions;
use crate::config::{CONFIG_FILE, Config};
use crate::diagnostics::Diagnostic;
use livereload::{ErrorView, Hello, Message};
use rebuild::{Builder, Msg, Reporter, WatchLoop};
use watch::Coalescer;

/// The port tried first; when it is taken, the next ones, then any free port.
pub const DEFAULT_PORT: u16 = 1111;

/// How `qiao serve` runs.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The site root (holds `site.toml`).
    pub root: PathBuf,
    /// The address to listen on; `127.0.0.1` unless the user asks for another.
    pub bind: IpAddr,
    /// The port; `None` tries [`DEFAULT_PORT`] and the next ones, then any free port.
    /// `Some(0)` asks the OS for a free port (tests).
    pub port: Option<u16>,
    /// Include pages marked `draft: true`.
    pub drafts: bool,
    /// Include pages dated in the future.
    pub future: bool,
    /// Build into this directory instead of a private temporary one.
    pub output: Option<PathBuf>,
    /// How long the file system must be quiet before a rebuild starts.
    pub debounce: Duration,
    /// Print nothing (the library user reports by itself).
    pub quiet: bool,
    /// Colour the diagnostics printed in the terminal.
    pub color: bool,
    /// Host names, besides IP addresses and `localhost`, that requests may name in their
    /// `Host` header (`--allow-host`); see [`server::host_allowed`].
    pub allow_hosts: Vec<String>,
    /// Connections served at once; more wait until one closes.
    pub max_connections: usize,
    /// After a Markdown file is saved, the tab focused last goes to its page
    /// (`--no-navigate` turns it off).
    pub navigate: bool,
    /// How long a client may keep the server waiting before its connection is closed: to
    /// send a request's headers, between requests, or to take the next bytes of a response.
    pub client_timeout: Duration,
}

impl ServeOptions {
    /// Defaults for serving the site at `root` on `127.0.0.1`.
    pub fn new(root: impl Into<PathBuf>) -> ServeOptions {
        ServeOptions {
            root: root.into(),
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: None,
            drafts: false,
            future: false,
            output: None,
            debounce: Duration::from_millis(25),
            quiet: false,
            color: false,
            allow_hosts: Vec::new(),
            max_connections: 512,
            navigate: true,
            client_timeout: Duration::from_secs(10),
        }
    }
}

/// Why the server could not start (once it runs, nothing stops it but the user).
#[derive(Debug)]
pub struct ServeError {
    message: String,
}

impl ServeError {
    fn new(message: impl Into<String>) -> ServeError {
        ServeError {
            message: message.into(),
        }
    }
}

impl fmt::Display for ServeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ServeError {}

/// What the last build left: its number and, if it failed, its errors.
#[derive(Debug, Clone, Default)]
pub struct BuildStatus {
    /// Builds finished so far, successful or not (the first build is 1).
    pub build: u64,
    /// The errors of the last build; empty when it succeeded.
    pub errors: Vec<Diagnostic>,
    /// How many of the builds were incremental (see `serve::session`).
    pub incremental: u64,
    /// The output files (relative to the served directory, sorted) that the last build
    /// wrote or removed when it was incremental; empty after a full build or a failure.
    pub touched: Vec<String>,
}

/// State shared by the watch loop and the HTTP handlers.
pub(crate) struct Shared {
    /// The directory served (and built into).
    site_dir: PathBuf,
    /// Whether a build of this server has succeeded: until then the directory may hold what
    /// was there before (an older build given with `--output`), which is not served.
    built: AtomicBool,
    /// The base URL the site is built with (`http://127.0.0.1:1111/`).
    base_url: String,
    /// Names allowed in the `Host` header besides IP addresses and `localhost`.
    allow_hosts: Vec<String>,
    /// Distinguishes this server process from the next one (pages reload after a restart).
    server_id: String,
    status: RwLock<BuildStatus>,
    events: broadcast::Sender<Message>,
    stopping: AtomicBool,
    /// Whether a build is running (in the watch thread).
    building: AtomicBool,
    synced: Mutex<u64>,
    synced_cv: Condvar,
    /// Held for reading while a request reads the site, and for writing while an
    /// incremental update writes its files: one update is one generation, seen whole.
    pub(crate) generation: tokio::sync::RwLock<()>,
}

impl Shared {
    fn status(&self) -> BuildStatus {
        self.status
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    /// Records a finished build and returns its number.
    /// `touched` is what an incremental build wrote or removed (`None`: a full build).
    fn finish_build(&self, errors: Vec<Diagnostic>, touched: Option<Vec<String>>) -> u64 {
        let mut s = self
            .status
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        s.build += 1;
        s.incremental += u64::from(touched.is_some());
        s.touched = touched.unwrap_or_default();
        if errors.is_empty() {
            self.built.store(true, Ordering::SeqCst);
        }
        s.errors = errors;
        s.build
    }

    /// Wakes the threads waiting in [`Shared::wait_first_build`]: called once the pages
    /// have been told about a finished build, so that a page connecting after
    /// [`Server::start`] returns never hears about the first build twice.
    pub(crate) fn wake(&self) {
        let _guard = self
            .synced
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        self.synced_cv.notify_all();
    }

    /// Blocks until the first build has finished (successfully or not) or the server stops.
    fn wait_first_build(&self) {
        let guard = self
            .synced
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let waited = self
            .synced_cv
            .wait_while(guard, |_| self.status().build == 0 && !self.is_stopping());
        drop(waited);
    }

    fn is_built(&self) -> bool {
        self.built.load(Ordering::SeqCst)
    }

    fn hello(&self) -> Hello {
        let s = self.status();
        Hello {
            server: self.server_id.clone(),
            build: s.build,
            errors: s.errors.iter().map(ErrorView::from).collect(),
            served: self.is_built(),
        }
    }

    fn script_tag(&self) -> String {
        livereload::script_tag(&self.server_id, self.status().build)
    }

    fn is_stopping(&self) -> bool {
        self.stopping.load(Ordering::SeqCst)
    }

    fn mark_synced(&self, n: u64) {
        let mut s = self
            .synced
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        *s = (*s).max(n);
        self.synced_cv.notify_all();
    }
}

/// A running `qiao serve`: the HTTP server, the watcher and the builds. Stops when dropped.
pub struct Server {
    addr: SocketAddr,
    base_url: String,
    root: PathBuf,
    shared: Arc<Shared>,
    loop_tx: Sender<Msg>,
    loop_thread: Option<JoinHandle<()>>,
    /// Disconnected once the watch loop has ended.
    loop_done: std::sync::mpsc::Receiver<()>,
    runtime: Option<tokio::runtime::Runtime>,
    stop_http: Option<oneshot::Sender<()>>,
    http_task: Option<tokio::task::JoinHandle<()>>,
    sync_dir: PathBuf,
    next_sync: AtomicU64,
    // Held while the server runs: a later `qiao serve` removes the directory only when it can
    // take this lock, that is once this process has ended (see [`remove_stale`]).
    _lock: std::fs::File,
    // Removed last: holds the served site unless `--output` was given.
    _tmp: tempfile::TempDir,
}

impl Server {
    /// Builds the site once, then starts watching and serving. Build errors do not stop it
    /// (they are shown instead of the site); only a missing site, an unusable address or a
    /// failing watcher do.
    pub fn start(opts: &ServeOptions) -> Result<Server, ServeError> {
        let server = Server::launch(opts)?;
        server.shared.wait_first_build();
        Ok(server)
    }

    /// Starts watching and serving, with the first build running in the watch thread:
    /// until it finishes, pages say that it has not finished yet.
    fn launch(opts: &ServeOptions) -> Result<Server, ServeError> {
        let root = opts.root.canonicalize().map_err(|e| {
            ServeError::new(format!(
                "cannot open the site root {}: {e}",
                opts.root.display()
            ))
        })?;
        if !root.join(CONFIG_FILE).is_file() {
            return Err(ServeError::new(format!(
                "{} has no {CONFIG_FILE}: run qiao serve in a site's root or pass --root",
                root.display()
            )));
        }
        // `--output` is refused at the start when a build would refuse it: the server must
        // never serve a directory it may not replace (a home directory, the site itself).
        if let Some(out) = &opts.output {
            crate::build::check_output(&root, out).map_err(|d| match &d.hint {
                Some(hint) => ServeError::new(format!("{} ({hint})", d.message)),
                None => ServeError::new(d.message.clone()),
            })?;
        }
        let tmp_parent = temp_parent();
        remove_stale(&tmp_parent);
        let (tmp, lock) = serve_dir(&tmp_parent).map_err(|e| {
            ServeError::new(format!(
                "cannot create a temporary directory in {}: {e}",
                tmp_parent.display()
            ))
        })?;
        let site_dir = match &opts.output {
            Some(o) => o.clone(),
            None => tmp.path().join("site"),
        };
        let sync_dir = tmp.path().join("sync");
        std::fs::create_dir(&sync_dir)
            .map_err(|e| ServeError::new(format!("cannot create {}: {e}", sync_dir.display())))?;
        let listener = bind(opts.bind, opts.port)?;
        let addr = listener
            .local_addr()
            .map_err(|e| ServeError::new(format!("cannot read the server's address: {e}")))?;
        let base_url = base_url(addr);

        let (events, _) = broadcast::channel(64);
        let shared = Arc::new(Shared {
            site_dir: site_dir.clone(),
            built: AtomicBool::new(false),
            base_url: base_url.clone(),
            allow_hosts: opts.allow_hosts.clone(),
            server_id: server_id(),
            status: RwLock::new(BuildStatus::default()),
            events,
            stopping: AtomicBool::new(false),
            building: AtomicBool::new(false),
            synced: Mutex::new(0),
            synced_cv: Condvar::new(),
            generation: tokio::sync::RwLock::new(()),
        });

        // Watch before the first build, so that a save during it is not lost.
        let (loop_tx, rx) = std::sync::mpsc::channel();
        let tx = loop_tx.clone();
        // Symbolic links to directories are not followed, as the build does not enter them:
        // a link to `/` must not make the watcher walk the whole disk.
        let mut watcher = notify::RecommendedWatcher::new(
            move |res| {
                let _ = tx.send(Msg::Fs(res));
            },
            notify::Config::default().with_follow_symlinks(false),
        )
        .map_err(|e| ServeError::new(format!("cannot watch {}: {e}", root.display())))?;
        let watch = |w: &mut notify::RecommendedWatcher, p: &Path, mode| {
            w.watch(p, mode)
                .map_err(|e| ServeError::new(format!("cannot watch {}: {e}", p.display())))
        };
        watch(&mut watcher, &root, RecursiveMode::NonRecursive)?;
        for dir in watch::existing_watched_dirs(&root) {
            watch(&mut watcher, &dir, RecursiveMode::Recursive)?;
        }
        watch(&mut watcher, &sync_dir, RecursiveMode::NonRecursive)?;

        let build_opts = BuildOptions {
            root: root.clone(),
            output: Some(site_dir),
            base_url: Some(base_url.clone()),
            drafts: opts.drafts,
            future: opts.future,
            strict: false,
            write: true,
            split_hosts: false,
        };
        let reporter = Reporter {
            quiet: opts.quiet,
            color: opts.color,
        };
        let mut builder = Builder::new(build_opts, shared.clone(), reporter);
        builder.navigate = opts.navigate;

        let watch_loop = WatchLoop {
            builder,
            watcher,
            rx,
            coalescer: Coalescer::new(
                opts.debounce,
                (opts.debounce * 4).max(Duration::from_secs(2)),
            ),
            root: root.clone(),
            sync_dir: sync_dir.clone(),
        };
        let (done, loop_done) = std::sync::mpsc::channel::<()>();
        let loop_thread = std::thread::Builder::new()
            .name("qiao-watch".into())
            .spawn(move || {
                let _done = done;
                watch_loop.run();
            })
            .map_err(|e| ServeError::new(format!("cannot start the watch thread: {e}")))?;

        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("qiao-http")
            .enable_all()
            .build()
            .map_err(|e| ServeError::new(format!("cannot start the HTTP runtime: {e}")))?;
        let listener = {
            let _guard = runtime.enter();
            listener
                .set_nonblocking(true)
                .and_then(|()| tokio::net::TcpListener::from_std(listener))
                .map_err(|e| ServeError::new(format!("cannot listen on {addr}: {e}")))?
        };
        let (stop_http, stopped) = oneshot::channel::<()>();
        let limits = server::Limits {
            max_connections: opts.max_connections.max(1),
            client_timeout: opts.client_timeout,
        };
        let http_task = runtime.spawn(server::serve(listener, shared.clone(), limits, stopped));

        Ok(Server {
            addr,
            base_url,
            root,
            shared,
            loop_tx,
            loop_thread: Some(loop_thread),
            loop_done,
            runtime: Some(runtime),
            stop_http: Some(stop_http),
            http_task: Some(http_task),
            sync_dir,
            next_sync: AtomicU64::new(0),
            _lock: lock,
            _tmp: tmp,
        })
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The base URL the site is built with (`http://127.0.0.1:1111/`).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The directory served: the built site, exactly as `qiao build` writes it.
    pub fn site_dir(&self) -> &Path {
        &self.shared.site_dir
    }

    /// The number of the last build and its errors.
    pub fn status(&self) -> BuildStatus {
        self.shared.status()
    }

    /// The home page of each language as (code, name, URL), in `site.toml` order; just the
    /// base URL when `site.toml` cannot be read.
    pub fn home_pages(&self) -> Vec<(String, String, String)> {
        let config = Config::load(&self.root)
            .ok()
            .and_then(|c| c.with_base_url(&self.base_url).ok());
        match config {
            Some(c) => c
                .languages
                .iter()
                .map(|l| {
                    (
                        l.code.clone(),
                        l.name.clone(),
                        c.permalink(&c.lang_prefix(&l.code)),
                    )
                })
                .collect(),
            None => vec![(String::new(), String::new(), self.base_url.clone())],
        }
    }

    /// Waits until every change made to the site before this call is built and served.
    /// Returns `false` on timeout.
    ///
    /// It drops a marker file in a directory watched by the same watcher: the OS delivers
    /// events in order, so once the marker is seen, every earlier change has been seen too.
    pub fn sync(&self, timeout: Duration) -> bool {
        let n = self.next_sync.fetch_add(1, Ordering::SeqCst) + 1;
        if std::fs::write(self.sync_dir.join(n.to_string()), b"").is_err() {
            return false;
        }
        let guard = self
            .shared
            .synced
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let result = self
            .shared
            .synced_cv
            .wait_timeout_while(guard, timeout, |synced| *synced < n);
        match result {
            Ok((_, t)) => !t.timed_out(),
            Err(_) => false,
        }
    }

    /// Blocks until the user presses Ctrl-C or the process is asked to end (SIGINT, SIGTERM,
    /// SIGHUP or SIGQUIT). The signals are caught from this call on; [`run`] catches them
    /// before the first build.
    pub fn wait_for_interrupt(&self) {
        if let Ok(mut signals) = Signals::catch() {
            signals.wait();
        }
    }

    /// Stops watching and serving; open pages are told, and reconnect to the next server.
    /// A build in progress is finished first.
    pub fn shutdown(mut self) {
        self.stop(None);
    }

    /// Stops like [`Server::shutdown`], but waits at most `grace` for a build in progress:
    /// for a process about to end (the build's thread ends with it). The served directory
    /// is removed either way.
    fn shutdown_within(mut self, grace: Duration) {
        self.stop(Some(grace));
    }

    fn stop(&mut self, grace: Option<Duration>) {
        self.shared.stopping.store(true, Ordering::SeqCst);
        self.shared.wake();
        let _ = self.loop_tx.send(Msg::Stop);
        if let Some(t) = self.loop_thread.take() {
            let ended = match grace {
                None => true,
                Some(grace) => matches!(
                    self.loop_done.recv_timeout(grace),
                    Err(std::sync::mpsc::RecvTimeoutError::Disconnected) | Ok(())
                ),
            };
            if ended {
                let _ = t.join();
            } else if self.shared.site_dir.starts_with(self._tmp.path()) {
                // The build goes on in its thread until the process ends: its writes must
                // not re-create the directory once it is removed.
                let blocker = self._tmp.path().to_path_buf();
                if block_writes(&blocker) {
                    // Writes now fail at once, which ends most builds in a moment.
                    let ended = matches!(
                        self.loop_done.recv_timeout(grace.unwrap_or_default()),
                        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) | Ok(())
                    );
                    if ended {
                        let _ = t.join();
                        let _ = std::fs::remove_file(&blocker);
                    }
                    // Otherwise the empty file stays until the next `qiao serve` removes it
                    // (see [`remove_stale`]).
                }
            }
        }
        let _ = self.shared.events.send(Message::Shutdown);
        if let Some(stop) = self.stop_http.take() {
            let _ = stop.send(());
        }
        if let Some(rt) = self.runtime.take() {
            if let Some(task) = self.http_task.take() {
                let _ =
                    rt.block_on(async { tokio::time::timeout(Duration::from_secs(2), task).await });
            }
            rt.shutdown_timeout(Duration::from_millis(500));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop(None);
    }
}

/// How long `qiao serve` waits for a build in progress when asked to stop: a moment, so
/// that Ctrl-C feels immediate even during a long build.
const STOP_GRACE: Duration = Duration::from_millis(200);

/// `qiao serve`: starts the server, prints where the site is, opens the browser if asked,
/// and runs until Ctrl-C.
pub fn run(opts: &ServeOptions, open: bool) -> Result<(), ServeError> {
    // Caught before the first build, so that no way of ending the process leaves the built
    // site behind (the server's directory is removed when `server` is dropped).
    let mut signals = Signals::catch()?;
    let server = Server::launch(opts)?;
    // The first build runs in the watch thread: a signal during it stops at once.
    let (built, first_build) = oneshot::channel();
    let shared = server.shared.clone();
    std::thread::spawn(move || {
        shared.wait_first_build();
        let _ = built.send(());
    });
    if signals.wait_or(first_build) {
        stop(server, &mut signals);
        return Ok(());
    }
    let mut out = std::io::stdout().lock();
    // The terminal may be gone (SIGHUP): printing must not stop the clean-up.
    let _ = writeln!(out, "serving {} (Ctrl-C to stop):", server.root.display());
    let pages = server.home_pages();
    for (code, name, url) in &pages {
        let _ = if code.is_empty() {
            writeln!(out, "  {url}")
        } else {
            writeln!(out, "  {code:<6} {url}  {name}")
        };
    }
    if opts.bind.is_unspecified() {
        let _ = writeln!(
            out,
            "{}",
            other_addresses_note(server.addr(), &network_addresses(opts.bind))
        );
    }
    let _ = out.flush();
    drop(out);
    if open && let Some((_, _, url)) = pages.first() {
        open_browser(url);
    }
    signals.wait();
    stop(server, &mut signals);
    Ok(())
}

/// Stops the server after a signal: a build in progress delays the end by a moment at
/// most, and a second signal ends it at once; the served directory is removed either way.
fn stop(server: Server, signals: &mut Signals) {
    let _ = writeln!(std::io::stdout(), "stopping");
    let dir = server._tmp.path().to_path_buf();
    let shared = server.shared.clone();
    let (stopped, done) = oneshot::channel();
    let stopping = std::thread::spawn(move || {
        server.shutdown_within(STOP_GRACE);
        let _ = stopped.send(());
    });
    if signals.wait_or(done) {
        // Asked twice: the rest of the shutdown is skipped, not the clean-up. A build that
        // is still running must not write the directory again before the process ends.
        if shared.building.load(Ordering::SeqCst) {
            block_writes(&dir);
        } else {
            let _ = std::fs::remove_dir_all(&dir);
        }
    } else {
        let _ = stopping.join();
    }
}

/// The signals that end `qiao serve`, caught so that it can clean up.
struct Signals {
    runtime: tokio::runtime::Runtime,
    #[cfg(unix)]
    streams: Vec<tokio::signal::unix::Signal>,
}

impl Signals {
    /// Starts catching SIGINT, SIGTERM, SIGHUP and SIGQUIT (Ctrl-C elsewhere).
    fn catch() -> Result<Signals, ServeError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| ServeError::new(format!("cannot catch signals: {e}")))?;
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let _guard = runtime.enter();
            let kinds = [
                SignalKind::interrupt(),
                SignalKind::terminate(),
                SignalKind::hangup(),
                SignalKind::quit(),
            ];
            let streams = kinds
                .into_iter()
                .map(signal)
                .collect::<std::io::Result<Vec<_>>>()
                .map_err(|e| ServeError::new(format!("cannot catch signals: {e}")))?;
            Ok(Signals { runtime, streams })
        }
        #[cfg(not(unix))]
        Ok(Signals { runtime })
    }

    /// Blocks until one of the signals arrives (or arrived since [`Signals::catch`], or
    /// since the last wait).
    fn wait(&mut self) {
        let (_never, pending) = oneshot::channel::<()>();
        self.wait_or(pending);
    }

    /// Blocks until one of the signals arrives (`true`) or `done` is sent or dropped
    /// (`false`).
    fn wait_or(&mut self, done: oneshot::Receiver<()>) -> bool {
        #[cfg(unix)]
        {
            let streams = &mut self.streams;
            self.runtime.block_on(async move {
                let waits = streams.iter_mut().map(|s| Box::pin(s.recv()));
                tokio::select! {
                    _ = futures_util::future::select_all(waits) => true,
                    _ = done => false,
                }
            })
        }
        #[cfg(not(unix))]
        {
            self.runtime.block_on(async move {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => true,
                    _ = done => false,
                }
            })
        }
    }
}

/// What `qiao serve --bind 0.0.0.0` prints after the home pages: the addresses other devices
/// can use, or how to find them.
fn other_addresses_note(addr: SocketAddr, others: &[IpAddr]) -> String {
    let port = addr.port();
    if others.is_empty() {
        return format!(
            "  listening on all addresses ({addr}); from another device use this machine's \
             address with port {port}: links in the pages follow the address you open"
        );
    }
    let mut s = format!("  listening on all addresses ({addr}); from another device:");
    for ip in others {
        s.push_str(&format!(
            "\n         http://{}/",
            SocketAddr::new(*ip, port)
        ));
    }
    s.push_str("\n  links in the pages follow the address you open");
    s
}

/// This machine's address on the network, as far as the OS tells without sending anything:
/// the source address of the route to a public address (none without a network).
fn network_addresses(bind: IpAddr) -> Vec<IpAddr> {
    let probe: SocketAddr = match bind {
        // TEST-NET-1 and the documentation prefix: routed like the internet, never contacted
        IpAddr::V4(_) => SocketAddr::from(([192, 0, 2, 1], 9)),
        IpAddr::V6(_) => SocketAddr::from((Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1), 9)),
    };
    let unspecified = SocketAddr::new(bind, 0);
    std::net::UdpSocket::bind(unspecified)
        .and_then(|s| s.connect(probe).and_then(|()| s.local_addr()))
        .map(|a| a.ip())
        .ok()
        .filter(|ip| !ip.is_unspecified() && !ip.is_loopback())
        .into_iter()
        .collect()
}

/// Binds the listener: the port asked for, or the default and the next ones, or any.
fn bind(ip: IpAddr, port: Option<u16>) -> Result<TcpListener, ServeError> {
    let attempt = |port: u16| TcpListener::bind(SocketAddr::new(ip, port));
    match port {
        Some(p) => attempt(p).map_err(|e| {
            ServeError::new(format!("cannot listen on {}: {e}", SocketAddr::new(ip, p)))
        }),
        None => bind_first(ip, DEFAULT_PORT..DEFAULT_PORT + 10),
    }
}

/// The first of `ports` that is free, or any free port.
fn bind_first(ip: IpAddr, ports: impl IntoIterator<Item = u16>) -> Result<TcpListener, ServeError> {
    ports
        .into_iter()
        .find_map(|p| TcpListener::bind(SocketAddr::new(ip, p)).ok())
        .map_or_else(|| TcpListener::bind(SocketAddr::new(ip, 0)), Ok)
        .map_err(|e| ServeError::new(format!("cannot listen on {ip}: {e}")))
}

/// The base URL pages are built with. An unspecified address (`0.0.0.0`) cannot be
/// browsed to: links then point to the loopback address.
fn base_url(addr: SocketAddr) -> String {
    let ip = match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    format!("http://{}/", SocketAddr::new(ip, addr.port()))
}

/// Where the served site is built: in memory (`/dev/shm`) on Linux unless `TMPDIR` says
/// otherwise. Every rebuild writes the whole site; on a disk that is several times slower
/// than the build itself (4,500 files: 0.9 s in memory, 3 to 10 s on this project's VMs).
fn temp_parent() -> PathBuf {
    let shm = Path::new("/dev/shm");
    if cfg!(target_os = "linux") && std::env::var_os("TMPDIR").is_none() && shm.is_dir() {
        // only if it is usable: some containers mount it read-only or tiny
        if tempfile::tempdir_in(shm).is_ok() {
            return shm.to_path_buf();
        }
    }
    std::env::temp_dir()
}

/// The prefix of every server's directory in [`temp_parent`].
const SERVE_DIR_PREFIX: &str = "qiao-serve-";
/// The lock file in a server's directory, locked while the server runs.
const LOCK_FILE: &str = "lock";

/// Creates this server's directory in `parent`, with its lock file locked. The file is locked
/// under another name and then renamed, so [`remove_stale`] never sees it unlocked.
fn serve_dir(parent: &Path) -> std::io::Result<(tempfile::TempDir, std::fs::File)> {
    let dir = tempfile::Builder::new()
        .prefix(SERVE_DIR_PREFIX)
        .tempdir_in(parent)?;
    let locking = dir.path().join(format!("{LOCK_FILE}.new"));
    let file = std::fs::File::create(&locking)?;
    file.try_lock().map_err(std::io::Error::from)?;
    std::fs::rename(&locking, dir.path().join(LOCK_FILE))?;
    Ok((dir, file))
}

/// Removes the directories of servers that ended without cleaning up (killed with SIGKILL,
/// or by a power cut): those whose lock file can be locked, because the lock of a process is
/// released when it ends. Directories of running servers, of other users, and anything
/// without a lock file are left alone.
///
/// An empty file with such a name is what a server stopped during a long build leaves (see
/// [`block_writes`]); it is removed too.
fn remove_stale(parent: &Path) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let is_ours = entry
            .file_name()
            .to_str()
            .is_some_and(|n| n.starts_with(SERVE_DIR_PREFIX));
        if !is_ours {
            continue;
        }
        // `file_type` and `metadata` of an entry do not follow symbolic links
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_file() {
            if entry.metadata().is_ok_and(|m| m.len() == 0) {
                let _ = std::fs::remove_file(entry.path());
            }
            continue;
        }
        if !kind.is_dir() {
            continue;
        }
        let dir = entry.path();
        let Ok(lock) = std::fs::OpenOptions::new()
            .write(true)
            .open(dir.join(LOCK_FILE))
        else {
            continue;
        };
        if lock.try_lock().is_ok() {
            let _ = std::fs::remove_dir_all(&dir);
        }
    }
}

/// Removes a server's directory while a build may still be writing into it, and puts an
/// empty file in its place, so that the build's next writes fail instead of creating the
/// directory again (they create missing parents). Returns whether the file is in place.
fn block_writes(dir: &Path) -> bool {
    let mut trash = Vec::new();
    let mut blocked = false;
    // A write may re-create the directory between the rename and the file: try again.
    for i in 0..3 {
        let to = dir.with_extension(format!("removing{i}"));
        if std::fs::rename(dir, &to).is_err() {
            break;
        }
        trash.push(to);
        if std::fs::File::create_new(dir).is_ok() {
            blocked = true;
            break;
        }
    }
    for t in &trash {
        let _ = std::fs::remove_dir_all(t);
    }
    blocked
}

fn server_id() -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("{:x}-{nanos:x}", std::process::id())
}

/// Opens `url` in the user's browser; when there is none (no opener program, or it fails
/// as `xdg-open` does without a browser), says so and names the URL to open by hand.
fn open_browser(url: &str) {
    let (program, args): (&str, &[&str]) = if cfg!(target_os = "macos") {
        ("open", &[])
    } else if cfg!(windows) {
        ("cmd", &["/C", "start", ""])
    } else {
        ("xdg-open", &[])
    };
    let warn =
        |why: String| eprintln!("warning: cannot open a browser ({why}); open {url} yourself");
    let child = std::process::Command::new(program)
        .args(args)
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return warn(format!("{program} is not installed"));
        }
        Err(e) => return warn(format!("{program}: {e}")),
    };
    // The opener may run as long as the browser it starts: it is waited for aside.
    let url = url.to_string();
    let program = program.to_string();
    let _ = std::thread::Builder::new()
        .name("qiao-open".into())
        .spawn(move || match child.wait() {
            Ok(status) if !status.success() => eprintln!(
                "warning: cannot open a browser ({program} failed: {status}); open {url} yourself"
            ),
            _ => {}
        });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls() {
        let a = |s: &str| s.parse::<SocketAddr>().unwrap();
        assert_eq!(base_url(a("127.0.0.1:1111")), "http://127.0.0.1:1111/");
        assert_eq!(base_url(a("0.0.0.0:8080")), "http://127.0.0.1:8080/");
        assert_eq!(base_url(a("[::1]:80")), "http://[::1]:80/");
        assert_eq!(base_url(a("[::]:80")), "http://[::1]:80/");
        assert_eq!(base_url(a("192.168.1.5:1")), "http://192.168.1.5:1/");
    }

    #[test]
    fn all_addresses_print_where_other_devices_connect() {
        let addr: SocketAddr = "0.0.0.0:1111".parse().unwrap();
        let note = other_addresses_note(addr, &["192.168.1.5".parse().unwrap()]);
        assert!(note.contains("http://192.168.1.5:1111/"), "{note}");
        assert!(!note.contains("127.0.0.1"), "{note}");
        let note = other_addresses_note(addr, &[]);
        assert!(
            note.contains("this machine's address with port 1111"),
            "{note}"
        );
    }

    #[test]
    fn stale_directories_of_ended_servers_are_removed() {
        let parent = tempfile::tempdir().unwrap();
        // a running server's directory (its lock is held) survives
        let (running, _lock) = serve_dir(parent.path()).unwrap();
        std::fs::write(running.path().join("page.html"), "x").unwrap();
        // one left by a killed server: the lock file is there, nobody holds it
        let (killed, lock) = serve_dir(parent.path()).unwrap();
        std::fs::write(killed.path().join("page.html"), "x").unwrap();
        drop(lock);
        let killed = killed.keep();
        // not a server's directory, and one without a lock file (it may be starting)
        let other = parent.path().join("qiao-other");
        std::fs::create_dir(&other).unwrap();
        let starting = parent.path().join("qiao-serve-starting");
        std::fs::create_dir(&starting).unwrap();
        remove_stale(parent.path());
        assert!(!killed.exists());
        assert!(running.path().join("page.html").is_file());
        assert!(other.is_dir());
        assert!(starting.is_dir());
    }

    #[test]
    fn a_directory_blocked_during_a_build_stays_removed() {
        let parent = tempfile::tempdir().unwrap();
        let (dir, lock) = serve_dir(parent.path()).unwrap();
        let dir = dir.keep();
        std::fs::create_dir_all(dir.join("staging/news")).unwrap();
        std::fs::write(dir.join("staging/news/a.html"), "a").unwrap();
        assert!(block_writes(&dir));
        // what a build still running does next fails
        assert!(std::fs::create_dir_all(dir.join("staging/tags")).is_err());
        assert!(std::fs::write(dir.join("staging/news/b.html"), "b").is_err());
        let names = || {
            std::fs::read_dir(parent.path())
                .unwrap()
                .map(|e| e.unwrap().file_name())
                .collect::<Vec<_>>()
        };
        assert_eq!(names(), [dir.file_name().unwrap()]);
        assert!(dir.is_file());
        // the next server removes the empty file, once this process has ended (here: the
        // lock is released)
        drop(lock);
        remove_stale(parent.path());
        assert!(names().is_empty());
    }

    #[test]
    fn a_taken_port_is_an_error_only_when_asked_for() {
        let taken = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = taken.local_addr().unwrap().port();
        let ip = IpAddr::V4(Ipv4Addr::LOCALHOST);
        assert!(bind(ip, Some(port)).is_err());
        let l = bind_first(ip, [port]).unwrap();
        assert_ne!(l.local_addr().unwrap().port(), port);
    }
}
