//! The HTTP side of `qiao serve`: maps URL paths to files of the built site, strictly.
//!
//! A generic static file service would not give all the rules a site preview needs, so this
//! is one small handler:
//!
//! - only `GET` and `HEAD` (anything else is `405` with `Allow: GET, HEAD`);
//! - the path is decoded segment by segment; `.` and `..` segments, encoded or not, encoded
//!   slashes, backslashes, control characters, empty segments (`//`) and bad escapes are
//!   refused with `400` before the file system is touched;
//! - the file is then resolved with symbolic links and must still lie inside the served
//!   directory, or the answer is the site's 404 page;
//! - `/news/x/` serves `news/x/index.html`, `/news/x` redirects (`308`) to `/news/x/`, a
//!   directory without `index.html` is a 404, never a listing;
//! - missing files get the site's `404.html` (the language's own, `en/404.html`, when the
//!   path starts with a language directory) with status 404;
//! - every text type carries `charset=utf-8`, nothing is cached (`no-store`), and HTML gets
//!   the live-reload script (see [`super::livereload`]) on its way out;
//! - a request whose `Host` is not this machine (an IP address, `localhost`, or a name
//!   allowed with `--allow-host`) is refused with `403`, so a web page whose domain is
//!   rebound to 127.0.0.1 cannot read the preview ([`host_allowed`]);
//! - nothing is served before a build of this server has succeeded (a directory given with
//!   `--output` may hold an older site);
//! - bodies are streamed (`body.rs`); connections are limited in number and must send
//!   their request headers within a timeout, idle ones included (`serve`).

use std::convert::Infallible;
use std::future::Future;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::{StreamExt, stream};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::{Semaphore, oneshot, watch};

use super::Shared;
use super::body::file_body;
use super::livereload::{self, Message};
use crate::output::MARKER;

/// Limits on the connections of one server.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    /// Connections served at once; the next ones wait in the OS's queue.
    pub max_connections: usize,
    /// How long a client may keep the server waiting: to send a request's headers, between
    /// requests, or to take the next bytes of a response.
    pub client_timeout: Duration,
}

/// A connection whose writes fail once the client has taken nothing for a while: a client
/// that stops reading a response (or an event stream) would otherwise hold its connection,
/// and the file being sent, for ever.
struct StallTimeout<T> {
    io: T,
    timeout: Duration,
    stalled: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl<T> StallTimeout<T> {
    /// `Ready(Err)` once the writes have been pending for the whole timeout.
    fn poll_stall(&mut self, cx: &mut Context<'_>) -> Poll<std::io::Error> {
        let timeout = self.timeout;
        let sleep = self
            .stalled
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(timeout)));
        match sleep.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "the client stopped reading",
            )),
            Poll::Pending => Poll::Pending,
        }
    }

    /// Passes on a write's result, timing how long it stays pending.
    fn timed<R>(
        &mut self,
        cx: &mut Context<'_>,
        r: Poll<std::io::Result<R>>,
    ) -> Poll<std::io::Result<R>> {
        match r {
            Poll::Ready(r) => {
                self.stalled = None;
                Poll::Ready(r)
            }
            Poll::Pending => self.poll_stall(cx).map(Err),
        }
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for StallTimeout<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_read(cx, buf)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for StallTimeout<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let r = Pin::new(&mut self.io).poll_write(cx, buf);
        self.timed(cx, r)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        let r = Pin::new(&mut self.io).poll_flush(cx);
        self.timed(cx, r)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        let r = Pin::new(&mut self.io).poll_shutdown(cx);
        self.timed(cx, r)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        let r = Pin::new(&mut self.io).poll_write_vectored(cx, bufs);
        self.timed(cx, r)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }
}

/// Accepts connections until `stop`, then lets the open ones finish their response.
///
/// Each connection holds one of `max_connections` permits: at the limit, new connections
/// wait in the listening socket's queue instead of using up the process's file descriptors
/// (whose usual limit is 1,024, and which the served files need too). Hyper closes a
/// connection that has not sent a whole request head within `client_timeout`, which is also
/// how long an idle keep-alive connection is kept, and [`StallTimeout`] one that has taken no
/// byte of its response for as long: idle sockets and stalled readers cannot lock clients out
/// for longer than that. An open event stream is a response in progress, never idle; its
/// keep-alive comments show whether its client still reads.
pub(crate) async fn serve(
    listener: tokio::net::TcpListener,
    shared: Arc<Shared>,
    limits: Limits,
    mut stop: oneshot::Receiver<()>,
) {
    let app = router(shared);
    let permits = Arc::new(Semaphore::new(limits.max_connections));
    let (closing, closed) = watch::channel(());
    loop {
        let permit = tokio::select! {
            _ = &mut stop => break,
            p = permits.clone().acquire_owned() => match p {
                Ok(p) => p,
                Err(_) => break,
            },
        };
        let stream = tokio::select! {
            _ = &mut stop => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                // out of file descriptors, or a connection reset while queued: try again
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    continue;
                }
            },
        };
        let _ = stream.set_nodelay(true);
        let service = TowerToHyperService::new(app.clone());
        let mut closed = closed.clone();
        tokio::spawn(async move {
            let _permit = permit;
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder
                .timer(TokioTimer::new())
                .header_read_timeout(limits.client_timeout);
            let io = StallTimeout {
                io: stream,
                timeout: limits.client_timeout,
                stalled: None,
            };
            let conn = builder.serve_connection(TokioIo::new(io), service);
            tokio::pin!(conn);
            tokio::select! {
                _ = conn.as_mut() => return,
                _ = closed.changed() => {}
            }
            conn.as_mut().graceful_shutdown();
            let _ = tokio::time::timeout(limits.client_timeout, conn).await;
        });
    }
    drop(listener);
    let _ = closing.send(());
    drop(closed);
    // every connection has ended when every permit is back
    let all = u32::try_from(limits.max_connections).unwrap_or(u32::MAX);
    let _ = permits.acquire_many(all).await;
}

/// The axum application: one handler for every path.
pub(crate) fn router(shared: Arc<Shared>) -> axum::Router {
    axum::Router::new().fallback(handle).with_state(shared)
}

async fn handle(State(shared): State<Arc<Shared>>, req: Request) -> Response {
    let host = match request_host(&req) {
        Ok(host) => host,
        Err(()) => return wrong_host(),
    };
    if let Some(h) = host
        && !host_allowed(h, &shared.allow_hosts)
    {
        return wrong_host();
    }
    // Links lead back to the address the request came to (`--bind 0.0.0.0`).
    let to = host.map(|h| format!("http://{}/", h.to_ascii_lowercase()));
    let rewrite = to
        .as_deref()
        .filter(|to| *to != shared.base_url)
        .map(|to| (shared.base_url.as_str(), to));
    let method = req.method().clone();
    if method != Method::GET && method != Method::HEAD {
        let mut r = plain(StatusCode::METHOD_NOT_ALLOWED, "405 Method Not Allowed\n");
        r.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return r;
    }
    let head = method == Method::HEAD;
    let path = req.uri().path();
    if path == livereload::EVENTS_PATH {
        if head {
            return text_response(StatusCode::OK, "text/event-stream", Vec::new(), true);
        }
        return events(&shared);
    }
    if path == livereload::SCRIPT_PATH {
        return text_response(
            StatusCode::OK,
            "text/javascript; charset=utf-8",
            livereload::SCRIPT.as_bytes().to_vec(),
            head,
        );
    }
    // Taken before the file is read: a page is never older than the build it names.
    let tag = shared.script_tag();
    let reply = Reply {
        tag: &tag,
        rewrite,
        head,
    };
    if path.starts_with(livereload::RESERVED_PREFIX) {
        if !shared.is_built() {
            return no_site(&shared, &reply);
        }
        return not_found(&shared, &[], &reply).await;
    }
    let Ok(request) = parse_path(path) else {
        return plain(StatusCode::BAD_REQUEST, "400 Bad Request\n");
    };
    if !shared.is_built() {
        return no_site(&shared, &reply);
    }
    // An incremental update writes its files while it holds this: a request sees all of
    // one generation or all of the next (see `Shared::generation`).
    let _generation = shared.generation.read().await;
    match lookup(&shared.site_dir, &request).await {
        Lookup::File(file) => serve_file(&file, StatusCode::OK, &reply).await,
        Lookup::Redirect => {
            let mut location = format!("{path}/");
            if let Some(q) = req.uri().query() {
                location.push('?');
                location.push_str(q);
            }
            let mut r = plain(StatusCode::PERMANENT_REDIRECT, "308 Permanent Redirect\n");
            if let Ok(v) = HeaderValue::from_str(&location) {
                r.headers_mut().insert(header::LOCATION, v);
            }
            r
        }
        Lookup::NotFound => not_found(&shared, &request.segments, &reply).await,
        Lookup::NoSite => no_site(&shared, &reply),
    }
}

/// A request path, decoded and checked.
#[derive(Debug, PartialEq, Eq)]
pub struct RequestPath {
    /// The decoded segments (`["news", "x"]`).
    pub segments: Vec<String>,
    /// Whether the path ends with `/` (`/` itself included).
    pub trailing_slash: bool,
}

/// Why a path is refused.
#[derive(Debug, PartialEq, Eq)]
pub struct BadPath;

/// Decodes and checks a request path (`/news/%E6%96%B0/`). Everything that could name a file
/// outside the site, or name one file in two ways, is refused.
pub fn parse_path(raw: &str) -> Result<RequestPath, BadPath> {
    let rest = raw.strip_prefix('/').ok_or(BadPath)?;
    if raw.contains('\\') {
        return Err(BadPath);
    }
    let (body, trailing_slash) = match rest.strip_suffix('/') {
        Some(b) => (b, true),
        None => (rest, rest.is_empty()),
    };
    let mut segments = Vec::new();
    if !body.is_empty() {
        for seg in body.split('/') {
            let bytes = percent_decode(seg)?;
            let s = String::from_utf8(bytes).map_err(|_| BadPath)?;
            let bad = s.is_empty()
                || s == "."
                || s == ".."
                || s.contains(['/', '\\'])
                || s.chars().any(char::is_control)
                || s == MARKER;
            if bad {
                return Err(BadPath);
            }
            segments.push(s);
        }
    }
    Ok(RequestPath {
        segments,
        trailing_slash,
    })
}

/// Strict percent-decoding: `%` must be followed by two hex digits.
fn percent_decode(s: &str) -> Result<Vec<u8>, BadPath> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = |c: u8| (c as char).to_digit(16);
            let hi = b.get(i + 1).copied().and_then(hex).ok_or(BadPath)?;
            let lo = b.get(i + 2).copied().and_then(hex).ok_or(BadPath)?;
            out.push((hi * 16 + lo) as u8);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    Ok(out)
}

enum Lookup {
    File(PathBuf),
    Redirect,
    NotFound,
    NoSite,
}

/// Resolves a checked path inside `root`, following symbolic links only as long as they stay
/// inside it.
async fn lookup(root: &Path, req: &RequestPath) -> Lookup {
    let Ok(root) = tokio::fs::canonicalize(root).await else {
        return Lookup::NoSite;
    };
    let mut path = root.clone();
    path.extend(&req.segments);
    let Some(meta) = inside(&root, &path).await else {
        return Lookup::NotFound;
    };
    if meta.is_dir() {
        if !req.trailing_slash {
            return Lookup::Redirect;
        }
        let index = path.join("index.html");
        match inside(&root, &index).await {
            Some(m) if m.is_file() => Lookup::File(index),
            _ => Lookup::NotFound,
        }
    } else if meta.is_file() && !req.trailing_slash {
        Lookup::File(path)
    } else {
        Lookup::NotFound
    }
}

/// The metadata of `path` if it exists and, symbolic links resolved, lies inside `root`.
async fn inside(root: &Path, path: &Path) -> Option<std::fs::Metadata> {
    let real = tokio::fs::canonicalize(path).await.ok()?;
    if !real.starts_with(root) {
        return None;
    }
    tokio::fs::metadata(&real).await.ok()
}

/// The `Host` a request names: its `Host` header, or the authority of an absolute-form
/// target (which takes precedence). `None` without either (HTTP/1.0); `Err` when the two
/// disagree or the header is not text.
fn request_host(req: &Request) -> Result<Option<&str>, ()> {
    let header = match req.headers().get(header::HOST) {
        Some(v) => Some(v.to_str().map_err(|_| ())?),
        None => None,
    };
    match (req.uri().authority().map(|a| a.as_str()), header) {
        (Some(a), Some(h)) if !a.eq_ignore_ascii_case(h) => Err(()),
        (Some(a), _) => Ok(Some(a)),
        (None, h) => Ok(h),
    }
}

/// Whether the preview answers a request for `host` (a `Host` header: a name or an address,
/// with an optional port). Browsers send the name the page was loaded from, so a page of
/// another site whose domain resolves to 127.0.0.1 (DNS rebinding) names that domain and is
/// refused. Allowed: IP addresses (no domain can be rebound to stand for them), `localhost`
/// and names under it, and the names in `allowed` (`--allow-host`, lowercase).
pub fn host_allowed(host: &str, allowed: &[String]) -> bool {
    let (name, port) = if let Some(rest) = host.strip_prefix('[') {
        let Some((ip, after)) = rest.split_once(']') else {
            return false;
        };
        if ip.parse::<std::net::Ipv6Addr>().is_err() {
            return false;
        }
        match after {
            "" => return true,
            p => (ip, p.strip_prefix(':').unwrap_or("x")),
        }
    } else {
        match host.rsplit_once(':') {
            Some((name, port)) => (name, port),
            None => (host, ""),
        }
    };
    let port_ok = port.len() <= 5 && port.bytes().all(|b| b.is_ascii_digit());
    if !port_ok {
        return false;
    }
    if host.starts_with('[') {
        return true;
    }
    let name = name.to_ascii_lowercase();
    let name = name.strip_suffix('.').unwrap_or(&name);
    if name.parse::<IpAddr>().is_ok() {
        return true;
    }
    // the name goes into the links of the answer: only what a host name is made of
    let plain = name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.' || b == b'_');
    plain
        && (name == "localhost"
            || name.ends_with(".localhost")
            || allowed.iter().any(|a| a.as_str() == name))
}

/// Checks a name given with `--allow-host` and returns it as requests are compared with it.
pub fn parse_allowed_host(name: &str) -> Result<String, String> {
    let lower = name.trim().to_ascii_lowercase();
    let lower = lower.strip_suffix('.').unwrap_or(&lower).to_string();
    let ok = !lower.is_empty()
        && lower.len() <= 253
        && lower.split('.').all(|label| {
            !label.is_empty()
                && !label.starts_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        });
    if ok {
        Ok(lower)
    } else {
        Err(format!(
            "{name:?} is not a host name (letters, digits, `-` and dots, as in \
             preview.example.org)"
        ))
    }
}

/// The answer to a request for another host than this machine.
fn wrong_host() -> Response {
    plain(
        StatusCode::FORBIDDEN,
        "403 Forbidden: qiao serve answers requests for localhost and IP addresses only.\n\
         To preview the site under another name, start it with --allow-host NAME.\n",
    )
}

/// How the pages of one request are sent.
struct Reply<'a> {
    /// The live-reload tag for HTML.
    tag: &'a str,
    /// The base URL the site is built with, and the one to put in its place in text files:
    /// the address the request came to, when it is another.
    rewrite: Option<(&'a str, &'a str)>,
    /// A `HEAD` request: the headers only.
    head: bool,
}

/// A file of the site; HTML gets the tag, text gets the base URL replaced.
async fn serve_file(path: &Path, status: StatusCode, reply: &Reply<'_>) -> Response {
    let ctype = content_type(path);
    let tag = ctype.starts_with("text/html").then_some(reply.tag);
    let rewrite = reply.rewrite.filter(|_| ctype.contains("charset=utf-8"));
    let body = match file_body(path, tag, rewrite).await {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return plain(StatusCode::NOT_FOUND, "404 Not Found\n");
        }
        // out of file descriptors, or a read error: the client may try again
        Err(_) => return plain(StatusCode::SERVICE_UNAVAILABLE, "503 Service Unavailable\n"),
    };
    let mut r = Response::new(if reply.head { Body::empty() } else { body.body });
    *r.status_mut() = status;
    set_headers(&mut r, ctype);
    if let Some(len) = body.len {
        r.headers_mut()
            .insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    }
    r
}

/// The site's 404 page: the language's own when the path starts with a language directory
/// that has one, else the site's.
async fn not_found(shared: &Shared, segments: &[String], reply: &Reply<'_>) -> Response {
    let Ok(root) = tokio::fs::canonicalize(&shared.site_dir).await else {
        return no_site(shared, reply);
    };
    let mut candidates = Vec::new();
    if let Some(first) = segments.first() {
        candidates.push(root.join(first).join("404.html"));
    }
    candidates.push(root.join("404.html"));
    for c in candidates {
        if let Some(m) = inside(&root, &c).await
            && m.is_file()
        {
            return serve_file(&c, StatusCode::NOT_FOUND, reply).await;
        }
    }
    plain(StatusCode::NOT_FOUND, "404 Not Found\n")
}

/// No build has succeeded yet: a page with the errors, which reloads once they are fixed.
fn no_site(shared: &Shared, reply: &Reply<'_>) -> Response {
    let errors = shared.status().errors;
    let mut html = String::from(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>qiao: the site has errors</title></head>\n<body>\n<h1>The site could not be built</h1>\n",
    );
    if errors.is_empty() {
        html.push_str("<p>The first build has not finished yet.</p>\n");
    }
    for e in &errors {
        html.push_str("<pre>");
        html.push_str(&escape_html(&e.render(false)));
        html.push_str("</pre>\n");
    }
    html.push_str("</body></html>\n");
    text_response(
        StatusCode::SERVICE_UNAVAILABLE,
        "text/html; charset=utf-8",
        livereload::inject(html.as_bytes(), reply.tag),
        reply.head,
    )
}

/// The event stream: a `hello`, then one event per finished build, until the server stops.
fn events(shared: &Arc<Shared>) -> Response {
    if shared.is_stopping() {
        return plain(StatusCode::SERVICE_UNAVAILABLE, "503 Service Unavailable\n");
    }
    let rx = shared.events.subscribe();
    let (name, data) = shared.hello().to_event();
    let hello = Event::default()
        .event(name)
        .data(data)
        .retry(Duration::from_millis(500));
    let first = stream::once(async move { Ok::<_, Infallible>(hello) });
    let rest = stream::unfold(rx, |mut rx| async move {
        let msg = match rx.recv().await {
            Ok(m) => m,
            // Events were missed: reloading is always correct.
            Err(RecvError::Lagged(_)) => Message::Reload {
                build: 0,
                pages: None,
                css: false,
                navigate: None,
            },
            Err(RecvError::Closed) => return None,
        };
        let (name, data) = msg.to_event()?;
        Some((Ok(Event::default().event(name).data(data)), rx))
    });
    let mut r = Sse::new(first.chain(rest))
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response();
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

fn text_response(status: StatusCode, ctype: &'static str, body: Vec<u8>, head: bool) -> Response {
    let len = body.len();
    let mut r = if head {
        let mut r = Response::new(Body::empty());
        r.headers_mut()
            .insert(header::CONTENT_LENGTH, HeaderValue::from(len));
        r
    } else {
        Response::new(Body::from(body))
    };
    *r.status_mut() = status;
    set_headers(&mut r, ctype);
    r
}

fn plain(status: StatusCode, text: &'static str) -> Response {
    text_response(
        status,
        "text/plain; charset=utf-8",
        text.as_bytes().to_vec(),
        false,
    )
}

fn set_headers(r: &mut Response, ctype: &'static str) {
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(ctype));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
}

/// The `Content-Type` of a file, by extension; text types say `charset=utf-8`.
pub fn content_type(path: &Path) -> &'static str {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" | "map" => "application/json; charset=utf-8",
        "webmanifest" => "application/manifest+json; charset=utf-8",
        "xml" | "xsl" => "application/xml; charset=utf-8",
        "atom" => "application/atom+xml; charset=utf-8",
        "rss" => "application/rss+xml; charset=utf-8",
        "txt" | "text" => "text/plain; charset=utf-8",
        "md" | "markdown" => "text/markdown; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        "svg" => "image/svg+xml; charset=utf-8",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "ttf" => "font/ttf",
        "otf" => "font/otf",
        "pdf" => "application/pdf",
        "wasm" => "application/wasm",
        "mp4" => "video/mp4",
        "webm" => "video/webm",
        "mp3" => "audio/mpeg",
        "ogg" => "audio/ogg",
        "zip" => "application/zip",
        _ => "application/octet-stream",
    }
}

/// Escapes text for HTML element content and attribute values (the same escaping as
/// feeds and sitemaps).
pub fn escape_html(s: &str) -> String {
    crate::xml::escape(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(raw: &str) -> (Vec<String>, bool) {
        let p = parse_path(raw).unwrap_or_else(|_| panic!("{raw} refused"));
        (p.segments, p.trailing_slash)
    }

    #[test]
    fn decodes_paths() {
        assert_eq!(ok("/"), (vec![], true));
        assert_eq!(ok("/news/x/"), (vec!["news".into(), "x".into()], true));
        assert_eq!(ok("/news/x"), (vec!["news".into(), "x".into()], false));
        assert_eq!(
            ok("/categories/%E6%96%B0%E9%97%BB/"),
            (vec!["categories".into(), "新闻".into()], true)
        );
        assert_eq!(ok("/a%20b.css"), (vec!["a b.css".into()], false));
        // decoded once only: `%252e%252e` is the literal name `%2e%2e`
        assert_eq!(
            ok("/%252e%252e/x"),
            (vec!["%2e%2e".into(), "x".into()], false)
        );
        assert_eq!(
            ok("/.well-known/x"),
            (vec![".well-known".into(), "x".into()], false)
        );
    }

    #[test]
    fn refuses_traversal_and_ambiguous_paths() {
        for raw in [
            "",
            "news",
            "/..",
            "/../etc/passwd",
            "/news/../../x",
            "/news/./x",
            "/%2e%2e/x",
            "/%2E%2E/x",
            "/.%2e/x",
            "/%2e/x",
            "/news%2f..%2f..%2fetc",
            "/news%2Fx",
            "/news%5c..%5cx",
            "/news\\..\\x",
            "//etc/passwd",
            "/news//x",
            "/%00",
            "/x%0a",
            "/%zz",
            "/%4",
            "/%ff%fe",
            "/.qiao-output",
        ] {
            assert_eq!(parse_path(raw), Err(BadPath), "{raw:?}");
        }
    }

    #[test]
    fn content_types_say_utf8_for_text() {
        for (name, want) in [
            ("index.html", "text/html; charset=utf-8"),
            ("site.CSS", "text/css; charset=utf-8"),
            ("atom.xml", "application/xml; charset=utf-8"),
            ("app.js", "text/javascript; charset=utf-8"),
            ("photo.png", "image/png"),
            ("logo.svg", "image/svg+xml; charset=utf-8"),
            ("noext", "application/octet-stream"),
        ] {
            assert_eq!(content_type(Path::new(name)), want, "{name}");
        }
    }

    #[test]
    fn only_this_machine_and_allowed_names_are_hosts() {
        let allowed = vec!["preview.example.org".to_string()];
        for ok in [
            "127.0.0.1:1111",
            "127.0.0.1",
            "192.168.1.5:8080",
            "[::1]:1111",
            "[::1]",
            "[fe80::1]:80",
            "localhost:1111",
            "LOCALHOST",
            "localhost.",
            "app.localhost:1111",
            "preview.example.org:1111",
            "Preview.Example.Org.",
        ] {
            assert!(host_allowed(ok, &allowed), "{ok} refused");
        }
        for bad in [
            "evil.example:1111",
            "attacker.com",
            "127.0.0.1.nip.io:1111",
            "localhost.evil.com",
            "example.org",
            "sub.preview.example.org",
            "localhost:11x",
            "localhost:1111/<script>",
            "[::1",
            "[::1]x",
            "[not-ip]:1",
            "<script>.localhost:1111",
            "a\".localhost",
            "",
        ] {
            assert!(!host_allowed(bad, &allowed), "{bad} accepted");
        }
    }

    #[test]
    fn allowed_host_names_are_checked() {
        assert_eq!(
            parse_allowed_host("Preview.Example.ORG."),
            Ok("preview.example.org".into())
        );
        assert_eq!(parse_allowed_host("mybox"), Ok("mybox".into()));
        for bad in ["", "a..b", "-a.b", "a b", "a/b", "a:80", "*.example.org"] {
            assert!(parse_allowed_host(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn escapes_html() {
        assert_eq!(
            escape_html("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;"
        );
    }
}
