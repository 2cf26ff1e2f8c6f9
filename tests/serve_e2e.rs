//! `qiao serve` in a real browser: headless Chromium driven through chromedriver (the W3C
//! WebDriver protocol, spoken here over plain HTTP/1.1 with a few lines of JSON).
//!
//! An article is opened; its Markdown changes and the page shows the new text by itself,
//! at the same scroll position; a stylesheet changes and is swapped without a reload; an
//! error brings the overlay, the fix clears it; the server restarts and the page reconnects.
//! With two tabs open, saving a page shows it in the tab focused last, and the other tab,
//! whose page did not change, does not reload.
//!
//! Needs `chromium` and `chromedriver` (Debian: `apt-get install chromium chromium-driver`),
//! so it is ignored by default: `cargo test --test serve_e2e -- --ignored`. `QIAO_CHROMIUM`
//! and `QIAO_CHROMEDRIVER` override the programs; `QIAO_E2E_SCREENSHOTS=DIR` saves
//! screenshots of each stage there.

mod serve_support;

use std::fs;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use serve_support::*;

/// The chromedriver process, stopped when dropped (also when the test fails early).
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A chromedriver process and one browser session.
struct Browser {
    session: String,
    driver: Driver,
    addr: SocketAddr,
    _profile: tempfile::TempDir,
}

impl Browser {
    fn start() -> Browser {
        let chromium = std::env::var("QIAO_CHROMIUM").unwrap_or_else(|_| "chromium".into());
        let chromium = which(&chromium).unwrap_or_else(|| panic!("{chromium} not found"));
        let driver_bin =
            std::env::var("QIAO_CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into());
        // a free port for chromedriver (it cannot report the one it picked)
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let driver = Driver(
            Command::new(&driver_bin)
                .arg(format!("--port={port}"))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap_or_else(|e| panic!("cannot start {driver_bin}: {e}")),
        );
        let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
        let deadline = Instant::now() + Duration::from_secs(20);
        while webdriver(addr, "GET", "/status", None).is_none() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        let profile = tempfile::tempdir().unwrap();
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage", "--window-size=1000,700",
                    format!("--user-data-dir={}", profile.path().display()),
                ],
            },
        }}});
        let v = webdriver(addr, "POST", "/session", Some(caps)).expect("a session");
        let session = v["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {v}"))
            .to_string();
        Browser {
            driver,
            addr,
            session,
            _profile: profile,
        }
    }

    fn command(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let path = format!("/session/{}{path}", self.session);
        let v = webdriver(self.addr, method, &path, body)
            .unwrap_or_else(|| panic!("no answer to {method} {path}"));
        assert!(
            v["value"].get("error").is_none(),
            "{method} {path}: {}",
            v["value"]
        );
        v["value"].clone()
    }

    fn open(&self, url: &str) {
        self.command("POST", "/url", Some(json!({ "url": url })));
    }

    /// Runs JavaScript in the page and returns its value.
    fn js(&self, script: &str) -> Value {
        self.command(
            "POST",
            "/execute/sync",
            Some(json!({ "script": script, "args": [] })),
        )
    }

    /// Polls a JavaScript condition until it is true.
    fn wait_for(&self, what: &str, script: &str) {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            // the page may be reloading: errors count as "not yet"
            let path = format!("/session/{}/execute/sync", self.session);
            let v = webdriver(
                self.addr,
                "POST",
                &path,
                Some(json!({ "script": script, "args": [] })),
            );
            if v.is_some_and(|v| v["value"] == Value::Bool(true)) {
                return;
            }
            if Instant::now() > deadline {
                let text = self.js("return document.documentElement.outerHTML");
                panic!("timed out waiting for {what}; the page is:\n{text}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn screenshot(&self, name: &str) {
        let Some(dir) = std::env::var_os("QIAO_E2E_SCREENSHOTS") else {
            return;
        };
        let png = self.command("GET", "/screenshot", None);
        let data = decode_base64(png.as_str().unwrap());
        fs::create_dir_all(&dir).unwrap();
        fs::write(Path::new(&dir).join(format!("{name}.png")), data).unwrap();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = webdriver(
            self.addr,
            "DELETE",
            &format!("/session/{}", self.session),
            None,
        );
        // `driver` is stopped after this, when its field is dropped
        let _ = &self.driver;
    }
}

/// One WebDriver request; `None` when the driver cannot be reached.
fn webdriver(addr: SocketAddr, method: &str, path: &str, body: Option<Value>) -> Option<Value> {
    let mut s = TcpStream::connect(addr).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(60))).ok()?;
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .ok()?;
    // chromedriver keeps the connection open: read the headers, then Content-Length bytes
    let mut raw = Vec::new();
    let mut buf = [0; 64 * 1024];
    loop {
        let n = s.read(&mut buf).ok()?;
        if n == 0 {
            break;
        }
        raw.extend_from_slice(&buf[..n]);
        let Some(end) = raw.windows(4).position(|w| w == b"\r\n\r\n") else {
            continue;
        };
        let head = String::from_utf8_lossy(&raw[..end]).to_ascii_lowercase();
        let len = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .and_then(|v| v.trim().parse::<usize>().ok())?;
        if raw.len() >= end + 4 + len {
            return serde_json::from_slice(&raw[end + 4..end + 4 + len]).ok();
        }
    }
    None
}

fn which(program: &str) -> Option<String> {
    if program.contains('/') {
        return Path::new(program).exists().then(|| program.to_string());
    }
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(program))
            .find(|p| p.is_file())
            .map(|p| p.display().to_string())
    })
}

fn decode_base64(s: &str) -> Vec<u8> {
    let val = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        _ => 63,
    };
    let bytes: Vec<u8> = s.bytes().filter(|&c| c != b'=' && c != b'\n').collect();
    let mut out = Vec::new();
    for chunk in bytes.chunks(4) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &c)| n | (val(c) as u32) << (18 - 6 * i));
        out.extend_from_slice(&n.to_be_bytes()[1..chunk.len()]);
    }
    out
}

#[test]
#[ignore = "needs chromium and chromedriver; run with --ignored"]
fn a_real_browser_follows_the_edits() {
    let site = copy_fixture("trilingual");
    let md = site.path().join("content/news/unveiling.md");
    let original = fs::read_to_string(&md).unwrap();
    let server = start(site.path());
    let port = server.addr().port();
    let url = format!("{}news/unveiling/", server.base_url());
    let browser = Browser::start();

    browser.open(&url);
    browser.wait_for(
        "the article",
        "return document.title.includes('中欧合作区挂牌')",
    );
    // the page is connected once its script has run; give the stream a moment to open
    browser.wait_for(
        "the live-reload script",
        "return window.__qiaoLiveReload === true",
    );

    // 1. a Markdown edit shows up by itself (a reload: the marker variable is gone)
    browser.js("window.__mark = 1; return true");
    let long: String = (0..150)
        .map(|i| format!("\n第{i}段：为了能够滚动页面。\n"))
        .collect();
    fs::write(&md, format!("{original}\n实时预览一{long}")).unwrap();
    browser.wait_for(
        "the first edit",
        "return document.body.innerText.includes('实时预览一') && window.__mark === undefined",
    );

    // 2. the next edit keeps the scroll position
    browser.js("window.scrollTo(0, 1500); return true");
    browser.wait_for("scrolling", "return Math.abs(window.scrollY - 1500) < 2");
    fs::write(&md, format!("{original}\n实时预览二{long}")).unwrap();
    browser.wait_for(
        "the second edit",
        "return document.body.innerText.includes('实时预览二')",
    );
    browser.wait_for(
        "the scroll position",
        "return Math.abs(window.scrollY - 1500) < 2",
    );
    browser.screenshot("1-edited");

    // 3. a stylesheet edit is swapped in without reloading
    browser.js("window.__mark = 2; return true");
    write(
        site.path().join("static/qiao.css"),
        "body { background: rgb(1, 2, 3); color: white; }\n",
    );
    browser.wait_for(
        "the new stylesheet",
        "return getComputedStyle(document.body).backgroundColor === 'rgb(1, 2, 3)'",
    );
    assert_eq!(browser.js("return window.__mark"), json!(2));

    // 4. an error: the overlay names the file and line; the page stays
    fs::write(&md, "---\ntitle: [unclosed\n---\n错误\n").unwrap();
    browser.wait_for(
        "the error overlay",
        "const o = document.getElementById('qiao-error-overlay'); \
         return !!o && o.textContent.includes('content/news/unveiling.md:')",
    );
    assert_eq!(
        browser.js("return document.body.innerText.includes('实时预览二')"),
        json!(true)
    );
    browser.screenshot("2-error");

    // 5. the fix clears it
    fs::write(&md, format!("{original}\n修好了\n")).unwrap();
    browser.wait_for(
        "the fix",
        "return !document.getElementById('qiao-error-overlay') \
         && document.body.innerText.includes('修好了')",
    );
    browser.screenshot("3-fixed");

    // 6. the server restarts on the same port with a changed site: the page reconnects
    // and reloads by itself
    server.shutdown();
    fs::write(&md, format!("{original}\n重启以后\n")).unwrap();
    let mut opts = options(site.path());
    opts.port = Some(port);
    let server = qiao::serve::Server::start(&opts).expect("restart on the same port");
    browser.wait_for(
        "the restarted server",
        "return document.body.innerText.includes('重启以后')",
    );
    drop(server);
}

/// Two tabs: saving a page shows it in the tab looked at last, in the language of the file
/// saved, and a tab whose page did not change does not reload.
#[test]
#[ignore = "needs chromium and chromedriver; run with --ignored"]
fn the_last_tab_follows_the_saved_page_and_the_other_stays() {
    let site = copy_fixture("trilingual");
    let server = start(site.path());
    let base = server.base_url().to_string();
    let browser = Browser::start();

    // tab A: an article
    let tab_a = browser.command("GET", "/window", None);
    browser.open(&format!("{base}news/unveiling/"));
    browser.wait_for("tab A connected", "return window.__qiaoConnected === true");
    browser.js("window.__mark = 'A'; return true");
    // tab B, opened later: the about page
    let tab_b =
        browser.command("POST", "/window/new", Some(json!({"type": "tab"})))["handle"].clone();
    browser.command("POST", "/window", Some(json!({ "handle": tab_b })));
    browser.open(&format!("{base}about/"));
    browser.wait_for("tab B connected", "return window.__qiaoConnected === true");
    browser.js("window.__mark = 'B'; return true");

    // 1. the English version of another page is saved: tab B goes there
    let md = site.path().join("content/bases/kaiping.en.md");
    let text = fs::read_to_string(&md).unwrap();
    fs::write(&md, format!("{text}\nNavigated here by itself.\n")).unwrap();
    browser.wait_for(
        "tab B showing the saved page",
        "return location.pathname === '/en/bases/kaiping/' \
         && document.body.innerText.includes('Navigated here by itself')",
    );
    browser.screenshot("4-navigated");
    // tab A's page did not change: it did not reload
    browser.command("POST", "/window", Some(json!({ "handle": tab_a })));
    assert_eq!(browser.js("return window.__mark"), json!("A"));
    assert_eq!(
        browser.js("return location.pathname"),
        json!("/news/unveiling/")
    );

    // 2. tab A is looked at now; its own page is saved: it reloads where it is, and tab B,
    // whose page did not change, stays
    browser.js("window.dispatchEvent(new Event('focus')); return true");
    let md = site.path().join("content/news/unveiling.md");
    let text = fs::read_to_string(&md).unwrap();
    fs::write(&md, format!("{text}\n第二个标签页。\n")).unwrap();
    browser.wait_for(
        "tab A reloaded",
        "return window.__mark === undefined \
         && document.body.innerText.includes('第二个标签页')",
    );
    browser.command("POST", "/window", Some(json!({ "handle": tab_b })));
    browser.js("window.__mark = 'B2'; return true");
    // one more edit of tab A's page, then tab B is checked: still not reloaded
    browser.command("POST", "/window", Some(json!({ "handle": tab_a })));
    browser.js("window.dispatchEvent(new Event('focus')); return true");
    fs::write(&md, format!("{text}\n第三次。\n")).unwrap();
    browser.wait_for(
        "tab A reloaded again",
        "return document.body.innerText.includes('第三次')",
    );
    browser.command("POST", "/window", Some(json!({ "handle": tab_b })));
    assert_eq!(browser.js("return window.__mark"), json!("B2"));
    assert_eq!(
        browser.js("return location.pathname"),
        json!("/en/bases/kaiping/")
    );
    drop(server);
}

/// A site whose first build fails: the overlay says that there is no good version yet, and
/// the fix brings the site.
#[test]
#[ignore = "needs chromium and chromedriver; run with --ignored"]
fn a_site_that_never_built_says_so_until_fixed() {
    let site = copy_fixture("trilingual");
    let toml = site.path().join("site.toml");
    let good = fs::read_to_string(&toml).unwrap();
    fs::write(&toml, good.replace("default_language", "default_languag")).unwrap();
    let server = start(site.path());
    let browser = Browser::start();
    browser.open(&format!("{}news/unveiling/", server.base_url()));
    browser.wait_for(
        "the overlay",
        "const o = document.getElementById('qiao-error-overlay'); \
         return !!o && o.textContent.includes('there is no good version yet') \
         && o.textContent.includes('site.toml:')",
    );
    browser.screenshot("5-never-built");
    fs::write(&toml, &good).unwrap();
    browser.wait_for(
        "the site",
        "return !document.getElementById('qiao-error-overlay') \
         && document.title.includes('中欧合作区挂牌')",
    );
    drop(server);
}
