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
//!   the live-reload script (see [`super::livereload`]) on its way out.

use std::convert::Infallible;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::{StreamExt, stream};
use tokio::io::AsyncReadExt;
use tokio::sync::broadcast::error::RecvError;

use super::Shared;
use super::livereload::{self, Message};
use crate::output::MARKER;

/// The axum application: one handler for every path.
pub(crate) fn router(shared: Arc<Shared>) -> axum::Router {
    axum::Router::new().fallback(handle).with_state(shared)
}

async fn handle(State(shared): State<Arc<Shared>>, req: Request) -> Response {
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
    if path.starts_with(livereload::RESERVED_PREFIX) {
        return not_found(&shared, &[], &tag, head).await;
    }
    let Ok(request) = parse_path(path) else {
        return plain(StatusCode::BAD_REQUEST, "400 Bad Request\n");
    };
    match lookup(&shared.site_dir, &request).await {
        Lookup::File(file) => serve_file(&file, &tag, head).await,
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
        Lookup::NotFound => not_found(&shared, &request.segments, &tag, head).await,
        Lookup::NoSite => no_site(&shared, &tag, head),
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

async fn serve_file(path: &Path, tag: &str, head: bool) -> Response {
    let ctype = content_type(path);
    if ctype.starts_with("text/html") {
        return match tokio::fs::read(path).await {
            Ok(html) => text_response(StatusCode::OK, ctype, livereload::inject(&html, tag), head),
            Err(_) => plain(StatusCode::NOT_FOUND, "404 Not Found\n"),
        };
    }
    let Ok(mut file) = tokio::fs::File::open(path).await else {
        return plain(StatusCode::NOT_FOUND, "404 Not Found\n");
    };
    let Ok(meta) = file.metadata().await else {
        return plain(StatusCode::NOT_FOUND, "404 Not Found\n");
    };
    let len = meta.len();
    if len <= 1 << 20 {
        let mut data = Vec::with_capacity(len as usize);
        return match file.read_to_end(&mut data).await {
            Ok(_) => text_response(StatusCode::OK, ctype, data, head),
            Err(_) => plain(StatusCode::NOT_FOUND, "404 Not Found\n"),
        };
    }
    // Large files (videos, archives) are streamed.
    let body = if head {
        Body::empty()
    } else {
        Body::from_stream(stream::unfold(Some(file), |file| async move {
            let mut file = file?;
            let mut buf = vec![0; 64 * 1024];
            match file.read(&mut buf).await {
                Ok(0) => None,
                Ok(n) => {
                    buf.truncate(n);
                    Some((Ok::<_, std::io::Error>(Bytes::from(buf)), Some(file)))
                }
                Err(e) => Some((Err(e), None)),
            }
        }))
    };
    let mut r = Response::new(body);
    set_headers(&mut r, ctype);
    r.headers_mut()
        .insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    r
}

/// The site's 404 page: the language's own when the path starts with a language directory
/// that has one, else the site's.
async fn not_found(shared: &Shared, segments: &[String], tag: &str, head: bool) -> Response {
    let Ok(root) = tokio::fs::canonicalize(&shared.site_dir).await else {
        return no_site(shared, tag, head);
    };
    let mut candidates = Vec::new();
    if let Some(first) = segments.first() {
        candidates.push(root.join(first).join("404.html"));
    }
    candidates.push(root.join("404.html"));
    for c in candidates {
        if let Some(m) = inside(&root, &c).await
            && m.is_file()
            && let Ok(html) = tokio::fs::read(&c).await
        {
            return text_response(
                StatusCode::NOT_FOUND,
                "text/html; charset=utf-8",
                livereload::inject(&html, tag),
                head,
            );
        }
    }
    plain(StatusCode::NOT_FOUND, "404 Not Found\n")
}

/// No build has succeeded yet: a page with the errors, which reloads once they are fixed.
fn no_site(shared: &Shared, tag: &str, head: bool) -> Response {
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
        livereload::inject(html.as_bytes(), tag),
        head,
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
            Err(RecvError::Lagged(_)) => Message::Reload { build: 0 },
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
    fn escapes_html() {
        assert_eq!(
            escape_html("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;"
        );
    }
}
