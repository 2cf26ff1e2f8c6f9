//! Helpers for the `qiao serve` tests: a server on a copy of a fixture site, a raw HTTP/1.1
//! client (it sends request targets byte for byte, `..` included, which real clients
//! normalise away), and a reader of the live-reload event stream.
#![allow(dead_code)]

pub mod front_matter;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use qiao::serve::{ServeOptions, Server};

/// How long a test waits for a rebuild before failing.
pub const TIMEOUT: Duration = Duration::from_secs(20);

/// A fresh copy of a fixture site.
pub fn copy_fixture(name: &str) -> tempfile::TempDir {
    let from = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    copy_tree(&from)
}

/// A fresh copy of a directory: files, directories, and symbolic links as links (one that
/// leads into `from` by an absolute path leads to the same place in the copy).
pub fn copy_tree(from: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for e in walkdir::WalkDir::new(from) {
        let e = e.unwrap();
        let dest = dir.path().join(e.path().strip_prefix(from).unwrap());
        #[cfg(unix)]
        if e.path_is_symlink() {
            let target = std::fs::read_link(e.path()).unwrap();
            let target = match target.strip_prefix(from) {
                Ok(rel) => dir.path().join(rel),
                Err(_) => target,
            };
            std::os::unix::fs::symlink(target, &dest).unwrap();
            continue;
        }
        if e.file_type().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
        } else {
            std::fs::copy(e.path(), &dest).unwrap();
        }
    }
    dir
}

/// Options for a quiet server on a free port.
pub fn options(root: &Path) -> ServeOptions {
    let mut o = ServeOptions::new(root);
    o.port = Some(0);
    o.quiet = true;
    o
}

/// A server on a site root.
pub fn start(root: &Path) -> Server {
    Server::start(&options(root)).expect("server starts")
}

/// Waits until every change made so far is served; fails the test on timeout.
pub fn sync(server: &Server) {
    assert!(server.sync(TIMEOUT), "the server did not catch up in time");
}

/// An HTTP response.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    /// The first header with this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Sends one request with the target exactly as given and reads the whole response.
pub fn request(addr: SocketAddr, method: &str, target: &str) -> Response {
    request_as(addr, method, target, &addr.to_string())
}

/// `GET` a path.
pub fn get(addr: SocketAddr, target: &str) -> Response {
    request(addr, "GET", target)
}

fn parse_response(raw: &[u8]) -> Response {
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no header end in {:?}", String::from_utf8_lossy(raw)));
    let head = String::from_utf8_lossy(&raw[..end]).into_owned();
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap();
    let status = status_line.split(' ').nth(1).unwrap().parse().unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let mut body = raw[end + 4..].to_vec();
    let chunked = headers
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"));
    if chunked {
        body = dechunk(&body);
    }
    Response {
        status,
        headers,
        body,
    }
}

fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let Some(eol) = b.windows(2).position(|w| w == b"\r\n") else {
            return out;
        };
        let size = usize::from_str_radix(String::from_utf8_lossy(&b[..eol]).trim(), 16).unwrap();
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&b[eol + 2..eol + 2 + size]);
        b = &b[eol + 2 + size + 2..];
    }
}

/// One Server-Sent Event.
#[derive(Debug, Clone)]
pub struct SseEvent {
    pub name: String,
    pub data: serde_json::Value,
}

/// A connection to `/__qiao/events`.
pub struct Events {
    reader: BufReader<TcpStream>,
    text: String,
}

impl Events {
    /// Connects and reads the response headers.
    pub fn connect(addr: SocketAddr) -> Events {
        let mut s = TcpStream::connect(addr).unwrap();
        s.set_read_timeout(Some(Duration::from_millis(200)))
            .unwrap();
        write!(
            s,
            "GET /__qiao/events HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\n\r\n"
        )
        .unwrap();
        let mut reader = BufReader::new(s);
        let deadline = Instant::now() + TIMEOUT;
        let mut head = String::new();
        while !head.ends_with("\r\n\r\n") {
            assert!(Instant::now() < deadline, "no SSE headers");
            let _ = reader.read_line(&mut head);
        }
        assert!(head.starts_with("HTTP/1.1 200"), "{head}");
        assert!(
            head.to_ascii_lowercase()
                .contains("content-type: text/event-stream"),
            "{head}"
        );
        Events {
            reader,
            text: String::new(),
        }
    }

    /// The next named event, or `None` after `timeout`.
    pub fn next(&mut self, timeout: Duration) -> Option<SseEvent> {
        let deadline = Instant::now() + timeout;
        loop {
            while let Some(end) = self.text.find("\n\n") {
                let block: String = self.text.drain(..end + 2).collect();
                let mut name = None;
                let mut data = String::new();
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("event:") {
                        name = Some(v.trim().to_string());
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data.push_str(v.trim_start());
                    }
                }
                if let Some(name) = name {
                    let data = serde_json::from_str(&data).unwrap_or(serde_json::Value::Null);
                    return Some(SseEvent { name, data });
                }
            }
            if Instant::now() >= deadline {
                return None;
            }
            self.read_chunk();
        }
    }

    /// The next event, which must be called `name`.
    pub fn expect(&mut self, name: &str) -> SseEvent {
        let e = self
            .next(TIMEOUT)
            .unwrap_or_else(|| panic!("no `{name}` event"));
        assert_eq!(e.name, name, "{e:?}");
        e
    }

    /// Reads one chunk of the chunked body, if one arrives within the read timeout.
    fn read_chunk(&mut self) {
        let mut size_line = String::new();
        match self.reader.read_line(&mut size_line) {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let Ok(size) = usize::from_str_radix(size_line.trim(), 16) else {
            return;
        };
        let mut buf = vec![0; size + 2];
        let deadline = Instant::now() + TIMEOUT;
        let mut got = 0;
        while got < buf.len() && Instant::now() < deadline {
            if let Ok(n) = self.reader.read(&mut buf[got..]) {
                if n == 0 {
                    break;
                }
                got += n;
            }
        }
        self.text
            .push_str(&String::from_utf8_lossy(&buf[..size.min(got)]));
    }
}

/// Removes the injected live-reload tag, so a served page can be compared with its file.
/// Panics when there is none.
pub fn strip_script(page: &str) -> String {
    let start = page
        .find(qiao::serve::livereload::SCRIPT_TAG_START)
        .unwrap_or_else(|| panic!("no live-reload script in {page}"));
    let end = start + page[start..].find("</script>").unwrap() + "</script>".len();
    format!("{}{}", &page[..start], &page[end..])
}

/// Whether a page has the live-reload script.
pub fn has_script(page: &str) -> bool {
    page.contains(qiao::serve::livereload::SCRIPT_TAG_START)
}

/// Every file under `dir` with its bytes, and every empty directory (as `path/`, with no
/// bytes): an update that leaves an empty directory behind differs from a clean build.
pub fn tree(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut m = std::collections::BTreeMap::new();
    for e in walkdir::WalkDir::new(dir).min_depth(1).sort_by_file_name() {
        let e = e.unwrap();
        let rel = e.path().strip_prefix(dir).unwrap();
        let rel = rel.to_string_lossy().replace('\\', "/");
        if e.file_type().is_file() {
            m.insert(rel, std::fs::read(e.path()).unwrap());
        } else if e.file_type().is_dir() && std::fs::read_dir(e.path()).unwrap().next().is_none() {
            m.insert(format!("{rel}/"), Vec::new());
        }
    }
    m
}

/// Writes a file, creating its directory.
pub fn write(path: impl AsRef<Path>, text: &str) {
    let path = path.as_ref();
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// Saves like vim, VS Code or JetBrains: the new text goes to a temporary file that is then
/// renamed over the original.
pub fn atomic_save(path: &Path, text: &str) {
    let tmp: PathBuf = path.with_file_name(format!(
        ".{}.tmp",
        path.file_name().unwrap().to_string_lossy()
    ));
    std::fs::write(&tmp, text).unwrap();
    std::fs::rename(&tmp, path).unwrap();
}

/// Builds `root` from scratch with `base_url`: every output file, or the errors.
pub fn clean_build(
    root: &Path,
    base_url: &str,
) -> Result<std::collections::BTreeMap<String, Vec<u8>>, Vec<String>> {
    let out = tempfile::tempdir().unwrap();
    let mut opts = qiao::BuildOptions::new(root);
    opts.output = Some(out.path().join("site"));
    opts.base_url = Some(base_url.to_string());
    match qiao::build(&opts) {
        Ok(_) => Ok(tree(&out.path().join("site"))),
        Err(diags) => Err(diags
            .iter()
            .filter(|d| d.is_error())
            .map(|d| d.to_string())
            .collect()),
    }
}

/// What differs between two trees (as from [`tree`]), by path.
pub fn differences(
    a: &std::collections::BTreeMap<String, Vec<u8>>,
    b: &std::collections::BTreeMap<String, Vec<u8>>,
) -> Vec<String> {
    let mut d = Vec::new();
    for (k, v) in a {
        match b.get(k) {
            None => d.push(format!("only served: {k}")),
            Some(w) if w != v => d.push(format!("differs: {k}")),
            Some(_) => {}
        }
    }
    for k in b.keys() {
        if !a.contains_key(k) {
            d.push(format!("only in the clean build: {k}"));
        }
    }
    d
}

/// Sends one request with this `Host` header (none when `host` is empty) and reads the whole
/// response.
pub fn request_as(addr: SocketAddr, method: &str, target: &str, host: &str) -> Response {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(TIMEOUT)).unwrap();
    let host = if host.is_empty() {
        String::new()
    } else {
        format!("Host: {host}\r\n")
    };
    write!(
        s,
        "{method} {target} HTTP/1.1\r\n{host}Connection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    parse_response(&raw)
}
