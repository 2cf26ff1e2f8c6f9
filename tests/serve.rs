//! `qiao serve` end to end without a browser: the HTTP rules (paths, traversal attempts,
//! methods, content types, 404 pages), the watcher under editors' save patterns, the
//! live-reload events, and errors that never stop the server.

mod serve_support;

use std::fs;
use std::time::Duration;

use qiao::serve::{ServeOptions, Server};
use serve_support::*;

#[test]
fn serves_pretty_urls_with_charset_and_the_reload_script() {
    let site = copy_fixture("trilingual");
    let server = start(site.path());
    let addr = server.addr();
    assert!(server.status().errors.is_empty(), "{:?}", server.status());

    let home = get(addr, "/");
    assert_eq!(home.status, 200);
    assert_eq!(
        home.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(home.header("cache-control"), Some("no-store"));
    assert!(has_script(&home.text()));
    // the script is added at serve time: the built file does not have it
    let built = fs::read_to_string(server.site_dir().join("index.html")).unwrap();
    assert!(!built.contains("__qiao"));
    assert_eq!(strip_script(&home.text()), built);
    // the tag names the server and the build the page comes from
    let mut events = Events::connect(addr);
    let hello = events.expect("hello");
    assert!(home.text().contains(&format!(
        "data-server=\"{}\" data-build=\"1\"></script></body>",
        hello.data["server"].as_str().unwrap()
    )));

    let r = get(addr, "/news/unveiling");
    assert_eq!(r.status, 308);
    assert_eq!(r.header("location"), Some("/news/unveiling/"));
    let r = get(addr, "/news/unveiling?x=1");
    assert_eq!(r.header("location"), Some("/news/unveiling/?x=1"));
    let r = get(addr, "/news/unveiling/");
    assert_eq!(r.status, 200);
    assert!(r.text().contains("中欧合作区挂牌"));
    // Unicode paths, percent-encoded as browsers send them
    let r = get(addr, "/categories/%E6%96%B0%E9%97%BB/");
    assert_eq!(r.status, 200, "{}", r.text());
    // base_url is the server's own address
    assert!(
        r.text()
            .contains(&format!("href=\"http://{addr}/categories/")),
        "{}",
        r.text()
    );

    for (path, ctype) in [
        ("/qiao.css", "text/css; charset=utf-8"),
        ("/site.css", "text/css; charset=utf-8"),
        ("/atom.xml", "application/xml; charset=utf-8"),
        ("/news/bundle/photo.png", "image/png"),
        ("/__qiao/livereload.js", "text/javascript; charset=utf-8"),
    ] {
        let r = get(addr, path);
        assert_eq!(r.status, 200, "{path}");
        assert_eq!(r.header("content-type"), Some(ctype), "{path}");
        assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
    }
    assert_eq!(
        get(addr, "/news/bundle/photo.png").body,
        fs::read(site.path().join("content/news/bundle/photo.png")).unwrap()
    );
}

#[test]
fn head_is_get_without_a_body() {
    let site = copy_fixture("trilingual");
    let server = start(site.path());
    let get = request(server.addr(), "GET", "/news/unveiling/");
    let head = request(server.addr(), "HEAD", "/news/unveiling/");
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    assert_eq!(head.header("content-type"), get.header("content-type"));
    assert_eq!(
        head.header("content-length"),
        Some(get.body.len().to_string().as_str())
    );
    assert_eq!(request(server.addr(), "HEAD", "/nope/").status, 404);
}

#[test]
fn large_files_are_streamed_whole() {
    let site = copy_fixture("trilingual");
    let big: Vec<u8> = (0..3_000_000u32).map(|i| (i * 7 % 251) as u8).collect();
    fs::create_dir_all(site.path().join("content/files")).unwrap();
    fs::write(site.path().join("content/files/big.bin"), &big).unwrap();
    let server = start(site.path());
    let r = get(server.addr(), "/files/big.bin");
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("application/octet-stream"));
    assert_eq!(r.header("content-length"), Some("3000000"));
    assert!(r.body == big, "the body differs");
    let head = request(server.addr(), "HEAD", "/files/big.bin");
    assert_eq!(head.header("content-length"), Some("3000000"));
    assert!(head.body.is_empty());
    let head = request(server.addr(), "HEAD", "/__qiao/events");
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
}

#[test]
fn only_get_and_head() {
    let site = copy_fixture("trilingual");
    let server = start(site.path());
    for method in ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"] {
        let r = request(server.addr(), method, "/");
        assert_eq!(r.status, 405, "{method}");
        assert_eq!(r.header("allow"), Some("GET, HEAD"), "{method}");
    }
    assert_eq!(request(server.addr(), "POST", "/__qiao/events").status, 405);
}

#[test]
fn missing_pages_get_the_sites_404_page_never_a_listing() {
    let site = copy_fixture("trilingual");
    // a directory of assets without index.html
    write(site.path().join("content/files/docs/a.txt"), "plain text\n");
    let server = start(site.path());
    let addr = server.addr();
    let page404 = fs::read_to_string(server.site_dir().join("404.html")).unwrap();
    let en404 = fs::read_to_string(server.site_dir().join("en/404.html")).unwrap();

    for path in [
        "/nope/",
        "/nope",
        "/files/docs/",
        "/files/",
        "/news/nope.html",
    ] {
        let r = get(addr, path);
        assert_eq!(r.status, 404, "{path}");
        assert_eq!(r.header("content-type"), Some("text/html; charset=utf-8"));
        assert_eq!(strip_script(&r.text()), page404, "{path}");
        assert!(!r.text().contains("a.txt"), "{path} lists the directory");
    }
    let r = get(addr, "/en/nope/");
    assert_eq!(r.status, 404);
    assert_eq!(strip_script(&r.text()), en404);
    let r = get(addr, "/files/docs/a.txt");
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("text/plain; charset=utf-8"));
    // a file is not a directory
    assert_eq!(get(addr, "/files/docs/a.txt/").status, 404);
    // the server's own paths
    assert_eq!(get(addr, "/__qiao/").status, 404);
    assert_eq!(get(addr, "/__qiao/nope").status, 404);
    // the output marker is not part of the site
    assert_eq!(get(addr, "/.qiao-output").status, 400);
}

#[test]
fn nothing_outside_the_site_is_reachable() {
    let site = copy_fixture("trilingual");
    let server = start(site.path());
    let addr = server.addr();
    let served = server.site_dir().to_path_buf();
    // secrets next to the served directory and in the site root
    let outside = served.parent().unwrap();
    fs::write(outside.join("secret.txt"), "SECRET-NEXT-DOOR").unwrap();
    fs::write(site.path().join("secret.txt"), "SECRET-ROOT").unwrap();
    // symbolic links inside the output that lead out of it
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(outside.join("secret.txt"), served.join("link.txt")).unwrap();
        std::os::unix::fs::symlink(outside, served.join("linkdir")).unwrap();
        std::os::unix::fs::symlink("/etc", served.join("etc")).unwrap();
    }

    let attempts = [
        "/../secret.txt",
        "/../../secret.txt",
        "/news/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E/secret.txt",
        "/.%2e/secret.txt",
        "/%2e%2e%2fsecret.txt",
        "/news%2f..%2f..%2fsecret.txt",
        "/..%2Fsecret.txt",
        "/..%5csecret.txt",
        "/..\\secret.txt",
        "/%5c..%5c..%5csecret.txt",
        "/%252e%252e/secret.txt",
        "//secret.txt",
        "/./secret.txt",
        "/secret.txt%00.html",
        "/link.txt",
        "/linkdir/secret.txt",
        "/linkdir/",
        "/etc/passwd",
        "/etc/",
        "/etc",
    ];
    for target in attempts {
        let r = get(addr, target);
        assert!(
            r.status == 400 || r.status == 404,
            "{target}: {} {}",
            r.status,
            r.text()
        );
        let text = r.text();
        assert!(!text.contains("SECRET"), "{target} leaked: {text}");
        assert!(!text.contains("root:"), "{target} leaked /etc/passwd");
    }
    // `..` and its encodings are refused before the file system is asked
    for target in ["/../secret.txt", "/%2e%2e/secret.txt", "/..%2fsecret.txt"] {
        assert_eq!(get(addr, target).status, 400, "{target}");
    }
    // an absolute-form request target does not help
    let r = request(addr, "GET", &format!("http://{addr}/../secret.txt"));
    assert!(r.status == 400 || r.status == 404);
    assert!(!r.text().contains("SECRET"));
}

#[test]
fn serve_leaves_public_alone_unless_asked() {
    let site = copy_fixture("trilingual");
    let server = start(site.path());
    assert!(!site.path().join("public").exists());
    assert!(!server.site_dir().starts_with(site.path()));
    drop(server);

    // with --output, the site is built there (and served from there)
    let out = site.path().join("preview");
    let mut opts = options(site.path());
    opts.output = Some(out.clone());
    let server = Server::start(&opts).unwrap();
    assert!(out.join("index.html").is_file());
    assert_eq!(get(server.addr(), "/").status, 200);
    drop(server);
    // a foreign directory is never replaced (nor served: see the next test)
    let docs = site.path().join("docs");
    write(docs.join("thesis.txt"), "precious");
    let mut opts = options(site.path());
    opts.output = Some(docs.clone());
    assert!(Server::start(&opts).is_err());
    assert_eq!(
        fs::read_to_string(docs.join("thesis.txt")).unwrap(),
        "precious"
    );
}

/// `--output ~` served `~/.ssh/id_rsa`, `--output .` the site's `.git/config`: serve refuses
/// at its start every directory `qiao build` refuses, and serves only what its build wrote.
#[test]
fn serve_output_refuses_what_build_refuses_and_serves_only_the_build() {
    let site = copy_fixture("trilingual");
    let home = tempfile::tempdir().unwrap();
    write(home.path().join(".ssh/id_rsa"), "PRIVATE KEY");
    write(
        site.path().join(".git/config"),
        "url = https://TOKEN@example.org/x.git",
    );
    for (dir, why) in [
        (home.path().to_path_buf(), "not written by qiao"),
        (site.path().to_path_buf(), "sources"),
        (site.path().join("."), "sources"),
        (site.path().join("content/news"), "inside content/"),
        (site.path().join(".git"), "inside .git/"),
    ] {
        let mut build = qiao::BuildOptions::new(site.path());
        build.output = Some(dir.clone());
        assert!(qiao::build(&build).is_err(), "build accepts {dir:?}");
        let mut opts = options(site.path());
        opts.output = Some(dir.clone());
        let err = Server::start(&opts)
            .err()
            .unwrap_or_else(|| panic!("serve accepts {dir:?}"));
        let msg = err.to_string();
        assert!(msg.contains(why), "{dir:?}: {msg}");
        assert!(msg.contains(&dir.display().to_string()), "{dir:?}: {msg}");
    }
    assert_eq!(
        fs::read_to_string(home.path().join(".ssh/id_rsa")).unwrap(),
        "PRIVATE KEY"
    );

    // a directory of an earlier build: what was there is not served, before the first
    // build succeeds (503) nor after it (the build replaced it)
    let out = tempfile::tempdir().unwrap();
    let out = out.path().join("preview");
    write(out.join(".qiao-output"), "");
    write(out.join("old.html"), "<p>OLD</p>");
    let toml = site.path().join("site.toml");
    let good = fs::read_to_string(&toml).unwrap();
    fs::write(&toml, good.replace("default_language", "default_languag")).unwrap();
    let mut opts = options(site.path());
    opts.output = Some(out.clone());
    let server = Server::start(&opts).unwrap();
    let addr = server.addr();
    for path in ["/old.html", "/.qiao-output", "/", "/__qiao/x"] {
        let r = get(addr, path);
        assert!(r.status == 503 || r.status == 400, "{path}: {}", r.status);
        assert!(!r.text().contains("OLD"), "{path}");
    }
    fs::write(&toml, &good).unwrap();
    sync(&server);
    assert_eq!(get(addr, "/").status, 200);
    assert_eq!(get(addr, "/old.html").status, 404);
    assert_eq!(get(addr, "/.qiao-output").status, 400);
}

/// DNS rebinding: a page of another site whose name resolves to 127.0.0.1 sends its own name
/// in `Host`; only this machine's names and addresses are answered.
#[test]
fn requests_for_other_hosts_are_refused() {
    let site = copy_fixture("trilingual");
    let mut opts = options(site.path());
    opts.allow_hosts = vec!["preview.test".into()];
    let server = Server::start(&opts).unwrap();
    let addr = server.addr();
    let port = addr.port();
    for path in [
        "/",
        "/news/unveiling/",
        "/atom.xml",
        "/nope/",
        "/__qiao/events",
        "/__qiao/livereload.js",
    ] {
        for host in [
            format!("rebound.example:{port}"),
            "rebound.example".to_string(),
            format!("127.0.0.1.nip.io:{port}"),
            format!("localhost.rebound.example:{port}"),
            format!("preview.test.rebound.example:{port}"),
        ] {
            let r = request_as(addr, "GET", path, &host);
            assert_eq!(r.status, 403, "{host} {path}");
            assert!(r.text().contains("--allow-host"), "{host} {path}");
            assert!(!r.text().contains("中欧"), "{host} {path}");
        }
        for host in [
            addr.to_string(),
            format!("localhost:{port}"),
            format!("LocalHost.:{port}"),
            format!("[::1]:{port}"),
            format!("192.0.2.7:{port}"),
            format!("preview.test:{port}"),
        ] {
            let r = request_as(addr, "HEAD", path, &host);
            assert!(r.status != 403, "{host} {path}: {}", r.status);
        }
    }
    // an absolute-form target names the host too
    let r = request_as(addr, "GET", "http://rebound.example/", &addr.to_string());
    assert_eq!(r.status, 403);
    let r = request_as(addr, "GET", &format!("http://{addr}/"), &addr.to_string());
    assert_eq!(r.status, 200);
}

/// `--bind 0.0.0.0`: a phone on the network opens the machine's address; the links in the
/// pages it gets lead back there, not to its own 127.0.0.1.
#[test]
fn links_follow_the_address_the_request_came_to() {
    let site = copy_fixture("trilingual");
    let server = start(site.path());
    let addr = server.addr();
    let built = fs::read_to_string(server.site_dir().join("news/unveiling/index.html")).unwrap();
    let base = server.base_url().to_string();
    assert!(built.contains(&base));
    // through the address it is built with: the file as it is
    let r = get(addr, "/news/unveiling/");
    assert_eq!(strip_script(&r.text()), built);
    for host in [
        format!("192.0.2.7:{}", addr.port()),
        format!("localhost:{}", addr.port()),
    ] {
        let other = format!("http://{host}/");
        let r = request_as(addr, "GET", "/news/unveiling/", &host);
        assert_eq!(r.status, 200);
        assert_eq!(
            strip_script(&r.text()),
            built.replace(&base, &other),
            "{host}"
        );
        assert!(!r.text().contains(&base), "{host}");
        let feed = request_as(addr, "GET", "/atom.xml", &host).text();
        assert!(
            feed.contains(&other) && !feed.contains(&base),
            "{host}: {feed}"
        );
        let missing = request_as(addr, "GET", "/nope/", &host);
        assert_eq!(missing.status, 404);
        assert!(!missing.text().contains(&base), "{host}");
        // binary files are never changed
        assert_eq!(
            request_as(addr, "GET", "/news/bundle/photo.png", &host).body,
            fs::read(site.path().join("content/news/bundle/photo.png")).unwrap()
        );
    }
}

/// 1,100 idle sockets (more than the usual limit of 1,024 open files) locked every client
/// out: connections are limited, and those that send no request within the header timeout
/// are closed. Scaled down: 4 connections at most, 12 idle ones.
#[test]
fn idle_connections_are_closed_and_do_not_lock_clients_out() {
    use std::io::{Read, Write};
    let site = copy_fixture("trilingual");
    let mut opts = options(site.path());
    opts.max_connections = 4;
    opts.client_timeout = Duration::from_millis(300);
    let server = Server::start(&opts).unwrap();
    let addr = server.addr();
    let mut idle: Vec<std::net::TcpStream> = (0..12)
        .map(|_| std::net::TcpStream::connect(addr).unwrap())
        .collect();
    // some send half a request and stop (slowloris)
    for s in idle.iter_mut().step_by(3) {
        s.write_all(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
            .unwrap();
    }
    assert_eq!(get(addr, "/").status, 200);
    // a keep-alive connection idle after its first request is one of them
    let mut kept = std::net::TcpStream::connect(addr).unwrap();
    kept.set_read_timeout(Some(TIMEOUT)).unwrap();
    write!(kept, "GET /qiao.css HTTP/1.1\r\nHost: {addr}\r\n\r\n").unwrap();
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        kept.read_exact(&mut byte).unwrap();
        head.push(byte[0]);
    }
    let head = String::from_utf8(head).unwrap();
    let len: usize = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-length:")
                .map(|v| v.trim().parse().unwrap())
        })
        .unwrap();
    let mut body = vec![0u8; len];
    kept.read_exact(&mut body).unwrap();
    idle.push(kept);
    // the server closes every one of them (with a 408 at most)
    for (i, s) in idle.iter_mut().enumerate() {
        s.set_read_timeout(Some(TIMEOUT)).unwrap();
        let mut rest = Vec::new();
        match s.read_to_end(&mut rest) {
            Ok(_) => assert!(
                rest.is_empty() || rest.starts_with(b"HTTP/1.1 408"),
                "{i}: {}",
                String::from_utf8_lossy(&rest)
            ),
            Err(e) => assert_eq!(e.kind(), std::io::ErrorKind::ConnectionReset, "{i}: {e}"),
        }
    }
    // an open event stream is not idle: it stays open past the timeout
    let mut events = Events::connect(addr);
    events.expect("hello");
    std::thread::sleep(Duration::from_millis(600));
    fs::write(site.path().join("static/site.css"), "p { color: red }\n").unwrap();
    sync(&server);
    assert!(
        events.next(TIMEOUT).is_some(),
        "the event stream was closed"
    );
}

/// A client that stops reading a response held its connection (and the file) for ever: the
/// connection is closed once it has taken nothing for the client timeout.
#[test]
fn a_client_that_stops_reading_is_disconnected() {
    use std::io::{Read, Write};
    let site = copy_fixture("trilingual");
    // bigger than what the sockets' buffers hold
    let big: Vec<u8> = (0..32_000_000u32).map(|i| (i % 251) as u8).collect();
    fs::create_dir_all(site.path().join("static")).unwrap();
    fs::write(site.path().join("static/big.bin"), &big).unwrap();
    let mut opts = options(site.path());
    opts.client_timeout = Duration::from_millis(200);
    let server = Server::start(&opts).unwrap();
    let addr = server.addr();
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    write!(s, "GET /big.bin HTTP/1.1\r\nHost: {addr}\r\n\r\n").unwrap();
    let mut first = [0u8; 1024];
    s.set_read_timeout(Some(TIMEOUT)).unwrap();
    assert!(s.read(&mut first).unwrap() > 0);
    // stop reading for ten times the timeout
    std::thread::sleep(Duration::from_secs(2));
    let mut rest = Vec::new();
    let _ = s.read_to_end(&mut rest);
    assert!(
        rest.len() < big.len() / 2,
        "the whole file was still sent ({} bytes)",
        rest.len()
    );
    // the server serves on
    assert_eq!(get(addr, "/").status, 200);
}

/// At the limit, a new connection waits until one closes, instead of using up the file
/// descriptors the server needs.
#[test]
fn connections_over_the_limit_wait_their_turn() {
    use std::io::{Read, Write};
    let site = copy_fixture("trilingual");
    let mut opts = options(site.path());
    opts.max_connections = 2;
    let server = Server::start(&opts).unwrap();
    let addr = server.addr();
    let first = Events::connect(addr);
    let _second = Events::connect(addr);
    let mut third = std::net::TcpStream::connect(addr).unwrap();
    write!(
        third,
        "GET / HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    third
        .set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap();
    let mut byte = [0u8; 1];
    assert!(
        third.read(&mut byte).is_err(),
        "a third connection was served"
    );
    drop(first);
    third.set_read_timeout(Some(TIMEOUT)).unwrap();
    let mut raw = Vec::new();
    third.read_to_end(&mut raw).unwrap();
    assert!(
        raw.starts_with(b"HTTP/1.1 200"),
        "{}",
        String::from_utf8_lossy(&raw)
    );
}

/// Each HTML request read the whole page into memory: 50 requests for a 53 MB page took
/// 2.9 GB. Pages are streamed: 16 slow readers of a 24 MB page add little to the server's
/// memory (measured in a `qiao serve` process of its own).
#[cfg(target_os = "linux")]
#[test]
fn big_pages_are_streamed_not_held_in_memory() {
    use std::io::{Read, Write};
    use std::process::Command;

    let site = copy_fixture("trilingual");
    let line = "<p>Lorem ipsum dolor sit amet, consectetur adipiscing elit.</p>\n";
    let page = format!(
        "<html><body>\n{}</body></html>\n",
        line.repeat(24_000_000 / line.len())
    );
    write(site.path().join("static/big.html"), &page);
    let shm = tempfile::tempdir().unwrap();
    let (mut child, addr) = spawn_serve(site.path(), shm.path());
    let rss_mb = |pid: u32| -> u64 {
        let status = fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
        let kb: u64 = status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.split_whitespace().next()?.parse().ok())
            .unwrap();
        kb / 1024
    };
    let before = rss_mb(child.id());
    // slow readers: each reads the headers and the first bytes, then stops reading
    let mut readers = Vec::new();
    for _ in 0..16 {
        let mut s = std::net::TcpStream::connect(addr).unwrap();
        s.set_read_timeout(Some(TIMEOUT)).unwrap();
        write!(s, "GET /big.html HTTP/1.1\r\nHost: {addr}\r\n\r\n").unwrap();
        let mut first = [0u8; 4096];
        let n = s.read(&mut first).unwrap();
        assert!(first[..n].starts_with(b"HTTP/1.1 200"));
        readers.push(s);
    }
    std::thread::sleep(Duration::from_millis(500));
    let during = rss_mb(child.id());
    // one whole, correct response, with its length
    let r = get(addr, "/big.html");
    assert_eq!(
        r.header("content-length"),
        Some(r.body.len().to_string().as_str())
    );
    assert_eq!(strip_script(&r.text()), page);
    drop(readers);
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let _ = child.wait();
    // holding the page 16 times over would be 384 MB (plus a copy for the script)
    assert!(
        during < before + 120,
        "16 readers of a 24 MB page: {before} MB before, {during} MB during"
    );
}

#[test]
fn not_a_site_is_an_error_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let err = Server::start(&options(dir.path())).err().unwrap();
    assert!(err.to_string().contains("site.toml"), "{err}");
    assert!(err.to_string().contains(&dir.path().display().to_string()));
    let mut opts = options(&dir.path().join("missing"));
    opts.port = Some(0);
    assert!(Server::start(&opts).is_err());
}

#[test]
fn live_reload_events_follow_the_builds() {
    let site = copy_fixture("trilingual");
    let server = start(site.path());
    let addr = server.addr();
    let mut events = Events::connect(addr);
    let hello = events.expect("hello");
    assert_eq!(hello.data["build"], 1);
    assert_eq!(hello.data["errors"], serde_json::json!([]));
    let id = hello.data["server"].clone();

    // a Markdown edit reloads the page, which then shows the new text
    let md = site.path().join("content/news/unveiling.md");
    let original = fs::read_to_string(&md).unwrap();
    fs::write(&md, format!("{original}\n新的一段：实时预览。\n")).unwrap();
    let e = events.expect("reload");
    assert_eq!(e.data["build"], 2);
    assert!(get(addr, "/news/unveiling/").text().contains("实时预览"));

    // a stylesheet edit only swaps stylesheets
    fs::write(
        site.path().join("static/site.css"),
        "body { color: navy; }\n",
    )
    .unwrap();
    let e = events.expect("css");
    assert_eq!(e.data["build"], 3);
    assert!(get(addr, "/site.css").text().contains("navy"));

    // an error: the overlay gets file:line, the last good site stays served
    fs::write(&md, "---\ntitle: [unclosed\n---\nbody\n").unwrap();
    let e = events.expect("build-error");
    assert_eq!(e.data["build"], 4);
    let first = &e.data["errors"][0];
    let location = first["location"].as_str().unwrap();
    assert!(
        location.starts_with("content/news/unveiling.md:"),
        "{location}"
    );
    assert!(first["text"].as_str().unwrap().contains(location));
    let page = get(addr, "/news/unveiling/");
    assert_eq!(page.status, 200);
    assert!(page.text().contains("实时预览"));
    // a page opened now learns about the error when it connects
    let mut late = Events::connect(addr);
    let hello = late.expect("hello");
    assert_eq!(hello.data["build"], 4);
    assert_eq!(hello.data["server"], id);
    assert!(
        hello.data["errors"][0]["location"]
            .as_str()
            .unwrap()
            .starts_with("content/news/unveiling.md:")
    );
    let status = server.status();
    assert_eq!(status.build, 4);
    assert!(
        status.errors[0]
            .to_string()
            .contains("content/news/unveiling.md:")
    );

    // fixing the file clears it
    fs::write(&md, format!("{original}\n修好了。\n")).unwrap();
    assert_eq!(events.expect("reload").data["build"], 5);
    assert_eq!(late.expect("reload").data["build"], 5);
    assert!(get(addr, "/news/unveiling/").text().contains("修好了"));
    assert!(server.status().errors.is_empty());
    // a CSS change right after a failure reloads the page (it may be stale)
    fs::write(&md, "---\ntitle: [unclosed\n---\n").unwrap();
    events.expect("build-error");
    fs::write(&md, &original).unwrap();
    events.expect("reload");
}

/// The pages a reload event names, as a list of strings (`None` when it says "all").
fn pages_of(e: &serve_support::SseEvent) -> Option<Vec<String>> {
    e.data.get("pages").map(|p| {
        p.as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect()
    })
}

/// Each reload names the pages whose served bytes changed, so that only their tabs reload,
/// and the page of the Markdown file just saved, in that file's language, for the tab the
/// editor looked at last.
#[test]
fn reloads_name_the_changed_pages_and_the_saved_page() {
    let site = copy_fixture("trilingual");
    let server = start(site.path());
    let addr = server.addr();
    let mut events = Events::connect(addr);
    events.expect("hello");
    let content = site.path().join("content");

    // the English translation of an article: its English page, nothing in another language
    let en = content.join("news/unveiling.en.md");
    let text = fs::read_to_string(&en).unwrap();
    fs::write(
        &en,
        format!("{text}\nA new paragraph far below the summary.\n"),
    )
    .unwrap();
    let e = events.expect("reload");
    assert_eq!(e.data["navigate"], "/en/news/unveiling/");
    let pages = pages_of(&e).expect("a list of pages");
    assert!(
        pages.contains(&"/en/news/unveiling/".to_string()),
        "{pages:?}"
    );
    assert!(pages.iter().all(|p| p.starts_with("/en/")), "{pages:?}");
    assert_eq!(e.data["css"], false);

    // the Chinese original of another page: its page, at the default language's path
    let about = content.join("about.md");
    let text = fs::read_to_string(&about).unwrap();
    fs::write(&about, format!("{text}\n新的一段。\n")).unwrap();
    let e = events.expect("reload");
    assert_eq!(e.data["navigate"], "/about/");
    let pages = pages_of(&e).unwrap();
    assert!(pages.contains(&"/about/".to_string()), "{pages:?}");
    assert!(
        !pages.contains(&"/news/unveiling/".to_string()),
        "{pages:?}"
    );

    // a section's index names the section
    let news = content.join("news/_index.de.md");
    let text = fs::read_to_string(&news).unwrap();
    fs::write(&news, format!("{text}\nNeuer Absatz.\n")).unwrap();
    assert_eq!(events.expect("reload").data["navigate"], "/de/news/");

    // saving a file unchanged changes no page; the editor's tab still goes there
    fs::write(&about, fs::read(&about).unwrap()).unwrap();
    let e = events.expect("reload");
    assert_eq!(pages_of(&e).unwrap(), Vec::<String>::new());
    assert_eq!(e.data["navigate"], "/about/");

    // a deleted page: its tab reloads (to the 404 page), no tab moves
    fs::remove_file(content.join("bases/enping.md")).unwrap();
    let e = events.expect("reload");
    assert!(e.data.get("navigate").is_none(), "{}", e.data);
    assert!(
        pages_of(&e)
            .unwrap()
            .contains(&"/bases/enping/".to_string())
    );

    // an image may be shown by any page: every tab reloads
    fs::write(content.join("news/bundle/photo.png"), b"not really a png").unwrap();
    let e = events.expect("reload");
    assert_eq!(pages_of(&e), None, "{}", e.data);
    assert!(e.data.get("navigate").is_none());
    drop(server);

    // --no-navigate: the pages still reload, no tab moves
    let mut opts = options(site.path());
    opts.navigate = false;
    let server = Server::start(&opts).unwrap();
    let mut events = Events::connect(server.addr());
    events.expect("hello");
    fs::write(&about, "---\ntitle: 关于\n---\n不动。\n").unwrap();
    let e = events.expect("reload");
    assert!(e.data.get("navigate").is_none(), "{}", e.data);
    assert!(pages_of(&e).unwrap().contains(&"/about/".to_string()));
}

#[test]
fn the_event_stream_ends_when_the_server_stops() {
    let site = copy_fixture("trilingual");
    let server = start(site.path());
    let mut events = Events::connect(server.addr());
    events.expect("hello");
    let t = std::time::Instant::now();
    server.shutdown();
    assert!(t.elapsed() < Duration::from_secs(5));
    assert!(events.next(Duration::from_millis(300)).is_none());
}

#[test]
fn editor_save_patterns() {
    let site = copy_fixture("trilingual");
    let server = start(site.path());
    let addr = server.addr();
    let news = site.path().join("content/news");
    let md = news.join("unveiling.md");
    let original = fs::read_to_string(&md).unwrap();
    let build = server.status().build;

    // swap, backup and lock files alone never rebuild
    fs::write(news.join(".unveiling.md.swp"), "swap").unwrap();
    fs::write(news.join(".unveiling.md.swx"), "swap").unwrap();
    fs::write(news.join("unveiling.md~"), "backup").unwrap();
    fs::write(news.join(".#unveiling.md"), "lock").unwrap();
    fs::write(news.join("#unveiling.md#"), "autosave").unwrap();
    // (a JetBrains IDE that stopped in the middle of a save leaves these)
    fs::write(news.join("unveiling.md___jb_tmp___"), "new text").unwrap();
    fs::write(news.join("unveiling.md___jb_old___"), "old text").unwrap();
    fs::write(news.join("4913"), "").unwrap();
    fs::remove_file(news.join("4913")).unwrap();
    fs::write(site.path().join(".site.toml.swp"), "swap").unwrap();
    sync(&server);
    assert_eq!(
        server.status().build,
        build,
        "ignored files rebuilt the site"
    );
    for leftover in [
        ".unveiling.md.swp",
        "unveiling.md~",
        ".#unveiling.md",
        "unveiling.md___jb_tmp___",
        "unveiling.md___jb_old___",
    ] {
        fs::remove_file(news.join(leftover)).unwrap();
    }
    sync(&server);
    assert_eq!(server.status().build, build);

    // vim (backupcopy=no): 4913 probe, rename to a backup, write anew, drop the backup
    fs::write(news.join("4913"), "").unwrap();
    fs::remove_file(news.join("4913")).unwrap();
    fs::rename(&md, news.join("unveiling.md~")).unwrap();
    fs::write(&md, format!("{original}\nvim 保存。\n")).unwrap();
    fs::remove_file(news.join("unveiling.md~")).unwrap();
    sync(&server);
    assert!(get(addr, "/news/unveiling/").text().contains("vim 保存"));

    // VS Code / JetBrains: write a temporary file, rename it over the original
    atomic_save(&md, &format!("{original}\n原子保存。\n"));
    sync(&server);
    let text = get(addr, "/news/unveiling/").text();
    assert!(text.contains("原子保存"), "{text}");
    assert!(!text.contains("vim 保存"));

    // JetBrains' safe write: the original is renamed away, the new file renamed in
    let old = news.join("unveiling.md___jb_old___");
    let tmp = news.join("unveiling.md___jb_tmp___");
    fs::write(&tmp, format!("{original}\nJetBrains。\n")).unwrap();
    fs::rename(&md, &old).unwrap();
    fs::rename(&tmp, &md).unwrap();
    fs::remove_file(&old).unwrap();
    sync(&server);
    assert!(get(addr, "/news/unveiling/").text().contains("JetBrains"));
    assert!(server.status().errors.is_empty(), "{:?}", server.status());
}

#[test]
fn a_burst_of_changes_is_one_rebuild() {
    let site = copy_fixture("trilingual");
    let mut opts = options(site.path());
    // long enough that a busy test machine cannot split the burst (`sync` does not wait
    // for it: it builds at once what is pending)
    opts.debounce = Duration::from_secs(1);
    let server = Server::start(&opts).unwrap();
    let build = server.status().build;
    // like a `git checkout` of 500 files: creations, edits and deletions
    let dir = site.path().join("content/burst");
    for i in 0..500 {
        write(
            dir.join(format!("p{i:03}.md")),
            &format!("---\ntitle: Page {i}\ndate: 2020-01-01\n---\nText {i}.\n"),
        );
    }
    for i in 0..100 {
        fs::remove_file(dir.join(format!("p{i:03}.md"))).unwrap();
    }
    fs::write(
        site.path().join("content/about.md"),
        "---\ntitle: 关于\n---\n改了。\n",
    )
    .unwrap();
    sync(&server);
    assert_eq!(server.status().build, build + 1);
    assert_eq!(get(server.addr(), "/burst/p499/").status, 200);
    assert_eq!(get(server.addr(), "/burst/p000/").status, 404);
    assert!(get(server.addr(), "/about/").text().contains("改了"));
}

#[test]
fn deletions_and_renames_remove_old_pages() {
    let site = copy_fixture("trilingual");
    let server = start(site.path());
    let addr = server.addr();
    let content = site.path().join("content");
    assert_eq!(get(addr, "/about/").status, 200);
    fs::rename(content.join("about.md"), content.join("about-us.md")).unwrap();
    sync(&server);
    assert_eq!(get(addr, "/about/").status, 404);
    assert_eq!(get(addr, "/about-us/").status, 200);
    assert!(!server.site_dir().join("about").exists());

    // a whole directory moves (a page bundle)
    fs::rename(content.join("news/bundle"), content.join("news/photos")).unwrap();
    sync(&server);
    assert!(server.status().errors.is_empty(), "{:?}", server.status());
    assert_eq!(get(addr, "/news/bundle/").status, 404);
    assert_eq!(get(addr, "/news/bundle/photo.png").status, 404);
    assert_eq!(get(addr, "/news/photos/").status, 200);
    assert_eq!(get(addr, "/news/photos/photo.png").status, 200);

    // a move that breaks links keeps the last good site
    fs::rename(content.join("bases"), content.join("sites")).unwrap();
    sync(&server);
    assert!(!server.status().errors.is_empty());
    assert_eq!(get(addr, "/bases/kaiping/").status, 200);
    fs::rename(content.join("sites"), content.join("bases")).unwrap();
    sync(&server);
    assert!(server.status().errors.is_empty());

    fs::remove_file(content.join("about-us.md")).unwrap();
    fs::remove_file(content.join("news/photos/photo.png")).unwrap();
    sync(&server);
    assert_eq!(get(addr, "/about-us/").status, 404);
    assert_eq!(get(addr, "/news/photos/photo.png").status, 404);
}

#[test]
fn templates_i18n_config_and_new_directories_rebuild() {
    let site = copy_fixture("trilingual");
    let server = start(site.path());
    let addr = server.addr();
    // templates/ does not exist yet: it is created while serving, then edited
    write(
        site.path().join("templates/404.html"),
        "<!DOCTYPE html><html><body>lost v1</body></html>\n",
    );
    sync(&server);
    assert!(get(addr, "/nope/").text().contains("lost v1"));
    fs::write(
        site.path().join("templates/404.html"),
        "<!DOCTYPE html><html><body>lost v2</body></html>\n",
    )
    .unwrap();
    sync(&server);
    assert!(get(addr, "/nope/").text().contains("lost v2"));

    // a template error names the template and line, and keeps the site
    fs::write(site.path().join("templates/404.html"), "<p>\n{{ nope( }}\n").unwrap();
    sync(&server);
    let errors = server.status().errors;
    assert!(!errors.is_empty());
    assert!(
        errors[0].to_string().contains("templates/404.html:2"),
        "{}",
        errors[0]
    );
    assert!(get(addr, "/nope/").text().contains("lost v2"));
    fs::remove_dir_all(site.path().join("templates")).unwrap();
    sync(&server);
    assert!(server.status().errors.is_empty());
    assert!(!get(addr, "/nope/").text().contains("lost v2"));

    // site.toml
    let toml = site.path().join("site.toml");
    let text = fs::read_to_string(&toml).unwrap();
    fs::write(&toml, text.replace("The Zone", "The New Zone")).unwrap();
    sync(&server);
    assert!(get(addr, "/en/").text().contains("The New Zone"));
    // static/ created later
    fs::remove_dir_all(site.path().join("static")).unwrap();
    sync(&server);
    assert_eq!(get(addr, "/site.css").status, 404);
    write(site.path().join("static/new.css"), "p { margin: 0 }\n");
    sync(&server);
    assert_eq!(get(addr, "/new.css").status, 200);
    fs::write(site.path().join("static/new.css"), "p { margin: 1px }\n").unwrap();
    sync(&server);
    assert!(get(addr, "/new.css").text().contains("1px"));
}

#[test]
fn a_site_that_never_built_shows_its_errors_until_fixed() {
    let site = copy_fixture("trilingual");
    let toml = site.path().join("site.toml");
    let good = fs::read_to_string(&toml).unwrap();
    fs::write(&toml, good.replace("default_language", "default_languag")).unwrap();
    let server = start(site.path());
    let addr = server.addr();
    // the overlay says that there is no good version yet
    let mut events = Events::connect(addr);
    let hello = events.expect("hello");
    assert_eq!(hello.data["served"], false);
    assert!(!hello.data["errors"].as_array().unwrap().is_empty());
    let r = get(addr, "/");
    assert_eq!(r.status, 503);
    assert_eq!(r.header("content-type"), Some("text/html; charset=utf-8"));
    let text = r.text();
    assert!(text.contains("site.toml:"), "{text}");
    assert!(text.contains("default_languag"));
    assert!(has_script(&text));
    assert_eq!(get(addr, "/news/unveiling/").status, 503);
    // messages are escaped
    fs::write(&toml, format!("<script>alert(1)</script>\n{good}")).unwrap();
    sync(&server);
    let text = get(addr, "/").text();
    assert!(!text.contains("<script>alert(1)"), "{text}");
    assert!(text.contains("&lt;script&gt;"), "{text}");

    assert_eq!(events.expect("build-error").data["served"], false);

    fs::write(&toml, &good).unwrap();
    sync(&server);
    assert_eq!(get(addr, "/").status, 200);
    assert!(server.status().errors.is_empty());
    // once a version has built, it stays served under the next errors
    fs::write(&toml, format!("x\n{good}")).unwrap();
    sync(&server);
    events.expect("reload");
    assert_eq!(events.expect("build-error").data["served"], true);
    assert_eq!(Events::connect(addr).expect("hello").data["served"], true);
}

#[test]
fn drafts_only_when_asked() {
    let site = copy_fixture("trilingual");
    let server = start(site.path());
    assert_eq!(get(server.addr(), "/news/draft/").status, 404);
    drop(server);
    let mut opts: ServeOptions = options(site.path());
    opts.drafts = true;
    let server = Server::start(&opts).unwrap();
    assert_eq!(get(server.addr(), "/news/draft/").status, 200);
}

/// The real command: prints the home pages, serves, and stops cleanly on Ctrl-C.
#[cfg(unix)]
#[test]
fn the_command_prints_urls_and_stops_on_ctrl_c() {
    use std::io::BufRead;
    use std::process::{Command, Stdio};

    let site = copy_fixture("trilingual");
    let shm = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_qiao"))
        .args(["serve", "--port", "0", "--root"])
        .arg(site.path())
        .env("NO_COLOR", "1")
        .env("TMPDIR", shm.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let mut urls = Vec::new();
    while urls.len() < 3 {
        let line = lines.next().expect("three home pages").unwrap();
        if let Some(at) = line.find("http://") {
            urls.push(line[at..].split_whitespace().next().unwrap().to_string());
        }
    }
    assert!(urls[0].starts_with("http://127.0.0.1:"), "{urls:?}");
    assert!(urls[1].ends_with("/en/"), "{urls:?}");
    assert!(urls[2].ends_with("/de/"), "{urls:?}");
    let addr: std::net::SocketAddr = urls[0]
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .parse()
        .unwrap();
    assert_eq!(get(addr, "/en/").status, 200);
    // the site is built in TMPDIR, not in public/
    assert!(!site.path().join("public").exists());
    assert_eq!(fs::read_dir(shm.path()).unwrap().count(), 1);

    let kill = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let deadline = std::time::Instant::now() + TIMEOUT;
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "qiao serve did not stop"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "{status:?}");
    // its temporary directory is gone
    assert_eq!(fs::read_dir(shm.path()).unwrap().count(), 0);
}

/// Starts `qiao serve` on a free port with `TMPDIR` set to `tmp`; returns it and its address
/// once it prints its first home page.
#[cfg(unix)]
fn spawn_serve(
    root: &std::path::Path,
    tmp: &std::path::Path,
) -> (std::process::Child, std::net::SocketAddr) {
    use std::io::BufRead;
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_qiao"))
        .args(["serve", "--port", "0", "--root"])
        .arg(root)
        .env("NO_COLOR", "1")
        .env("TMPDIR", tmp)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let url = loop {
        let line = lines.next().expect("a home page").unwrap();
        if let Some(at) = line.find("http://") {
            break line[at..].split_whitespace().next().unwrap().to_string();
        }
    };
    // keep reading what it prints, so that it never blocks on a full pipe
    std::thread::spawn(move || for _ in lines {});
    let addr = url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .parse()
        .unwrap();
    (child, addr)
}

/// Waits for a child process to end; fails the test after [`TIMEOUT`].
#[cfg(unix)]
fn wait_for_exit(child: &mut std::process::Child) -> std::process::ExitStatus {
    let deadline = std::time::Instant::now() + TIMEOUT;
    loop {
        if let Some(s) = child.try_wait().unwrap() {
            return s;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "qiao serve did not stop"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// SIGTERM, SIGHUP and SIGQUIT left the whole built site in `/dev/shm`; only SIGINT cleaned
/// up. Every one does now, and a directory left by a killed server (SIGKILL cannot be
/// caught) is removed by the next `qiao serve`.
#[cfg(unix)]
#[test]
fn every_signal_cleans_up_and_the_next_start_removes_what_a_kill_left() {
    use std::process::Command;
    let site = copy_fixture("trilingual");
    let tmp = tempfile::tempdir().unwrap();
    let entries = || fs::read_dir(tmp.path()).unwrap().count();
    for signal in ["INT", "TERM", "HUP", "QUIT"] {
        let (mut child, addr) = spawn_serve(site.path(), tmp.path());
        assert_eq!(get(addr, "/en/").status, 200);
        assert_eq!(entries(), 1, "{signal}");
        let kill = Command::new("kill")
            .args([&format!("-{signal}"), &child.id().to_string()])
            .status()
            .unwrap();
        assert!(kill.success());
        let status = wait_for_exit(&mut child);
        assert!(status.success(), "{signal}: {status:?}");
        assert_eq!(entries(), 0, "SIG{signal} left the served site behind");
    }
    let (mut killed, _) = spawn_serve(site.path(), tmp.path());
    killed.kill().unwrap();
    killed.wait().unwrap();
    assert_eq!(entries(), 1, "SIGKILL cannot clean up");
    let (mut next, addr) = spawn_serve(site.path(), tmp.path());
    assert_eq!(get(addr, "/").status, 200);
    assert_eq!(entries(), 1, "the killed server's directory is still there");
    let _ = Command::new("kill")
        .args(["-TERM", &next.id().to_string()])
        .status();
    wait_for_exit(&mut next);
    assert_eq!(entries(), 0);
}

/// What a `qiao serve` process printed so far, read by background threads.
#[cfg(unix)]
#[derive(Clone, Default)]
struct Printed {
    out: std::sync::Arc<std::sync::Mutex<String>>,
    err: std::sync::Arc<std::sync::Mutex<String>>,
}

#[cfg(unix)]
impl Printed {
    fn stdout(&self) -> String {
        self.out.lock().unwrap().clone()
    }

    fn stderr(&self) -> String {
        self.err.lock().unwrap().clone()
    }

    /// Waits until `what` (stdout or stderr) contains `text`; fails after [`TIMEOUT`].
    fn wait_for(&self, what: fn(&Printed) -> String, text: &str) -> String {
        let deadline = std::time::Instant::now() + TIMEOUT;
        loop {
            let s = what(self);
            if s.contains(text) {
                return s;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "no {text:?} in:\n{s}\nstderr:\n{}",
                self.stderr()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// Starts `qiao serve --port 0 ARGS` with `TMPDIR` set to `tmp` and environment `env`,
/// keeping everything it prints.
#[cfg(unix)]
fn spawn_printing(
    root: &std::path::Path,
    tmp: &std::path::Path,
    args: &[&str],
    env: &[(&str, &std::ffi::OsStr)],
) -> (std::process::Child, Printed) {
    use std::io::Read;
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_qiao"))
        .args(["serve", "--port", "0", "--root"])
        .arg(root)
        .args(args)
        .env("NO_COLOR", "1")
        .env("TMPDIR", tmp)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let printed = Printed::default();
    let collect = |mut from: Box<dyn Read + Send>,
                   into: std::sync::Arc<std::sync::Mutex<String>>| {
        std::thread::spawn(move || {
            let mut buf = [0; 4096];
            while let Ok(n) = from.read(&mut buf) {
                if n == 0 {
                    break;
                }
                into.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
    };
    collect(Box::new(child.stdout.take().unwrap()), printed.out.clone());
    collect(Box::new(child.stderr.take().unwrap()), printed.err.clone());
    (child, printed)
}

/// Sends `signal` to the child and waits for it to end.
#[cfg(unix)]
fn stop(child: &mut std::process::Child, signal: &str) -> std::process::ExitStatus {
    let kill = std::process::Command::new("kill")
        .args([&format!("-{signal}"), &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    wait_for_exit(child)
}

/// The terminal says what happened in the editor's terms: a deleted file is "removed", the
/// warnings already shown are not printed again above every error, and a site that never
/// built says that there is nothing to serve yet.
#[cfg(unix)]
#[test]
fn the_terminal_names_removals_and_does_not_repeat_warnings() {
    let site = copy_fixture("trilingual");
    let tmp = tempfile::tempdir().unwrap();
    let (mut child, printed) = spawn_printing(site.path(), tmp.path(), &[], &[]);
    printed.wait_for(Printed::stdout, "http://");
    const WARNING: &str = "has no en translation";
    assert_eq!(printed.stderr().matches(WARNING).count(), 1);

    let content = site.path().join("content");
    fs::remove_file(content.join("bases/enping.md")).unwrap();
    let out = printed.wait_for(Printed::stdout, "removed content/bases/enping.md: updated");
    assert!(!out.contains("os error"), "{out}");
    assert!(!printed.stderr().contains("os error"));

    fs::write(content.join("about.md"), "---\ntitle: [unclosed\n---\n").unwrap();
    printed.wait_for(
        Printed::stdout,
        "1 error; the last good version stays served",
    );
    let err = printed.wait_for(Printed::stderr, "content/about.md:");
    assert_eq!(err.matches(WARNING).count(), 1, "{err}");
    // a removal that breaks the build says so too
    fs::remove_file(content.join("news/only-zh.md")).unwrap();
    printed.wait_for(Printed::stdout, "removed content/news/only-zh.md: ");
    assert_eq!(printed.stderr().matches(WARNING).count(), 1);
    assert!(stop(&mut child, "INT").success());

    // a site that never built
    let toml = site.path().join("site.toml");
    let good = fs::read_to_string(&toml).unwrap();
    fs::write(&toml, good.replace("default_language", "default_languag")).unwrap();
    let (mut child, printed) = spawn_printing(site.path(), tmp.path(), &[], &[]);
    printed.wait_for(
        Printed::stdout,
        "first build: 1 error; there is no good version to serve yet",
    );
    assert!(stop(&mut child, "INT").success());
    assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 0);
}

/// `--open` where no browser can be opened says so and names the URL: no opener program at
/// all, and one that fails (as `xdg-open` does when no browser is installed).
#[cfg(all(unix, not(target_os = "macos")))]
#[test]
fn open_without_a_browser_says_so() {
    use std::os::unix::fs::PermissionsExt;
    let site = copy_fixture("trilingual");
    let tmp = tempfile::tempdir().unwrap();
    let empty = tempfile::tempdir().unwrap();
    let failing = tempfile::tempdir().unwrap();
    let opener = failing.path().join("xdg-open");
    fs::write(
        &opener,
        "#!/bin/sh\necho 'xdg-open: no method available' >&2\nexit 3\n",
    )
    .unwrap();
    fs::set_permissions(&opener, fs::Permissions::from_mode(0o755)).unwrap();
    for path in [empty.path(), failing.path()] {
        let (mut child, printed) = spawn_printing(
            site.path(),
            tmp.path(),
            &["--open"],
            &[("PATH", path.as_os_str())],
        );
        let out = printed.wait_for(Printed::stdout, "http://");
        let err = printed.wait_for(Printed::stderr, "warning: cannot open a browser (xdg-open ");
        let url = out[out.find("http://").unwrap()..]
            .split_whitespace()
            .next()
            .unwrap()
            .to_string();
        assert!(err.contains(&format!("open {url} yourself")), "{err}");
        assert!(stop(&mut child, "INT").success());
    }
}

/// Ctrl-C ends `qiao serve` at once even while a build runs (it was waited for, however
/// long), and the served directory is still removed. The first build here would take hours:
/// a template loops ten billion times.
#[cfg(unix)]
#[test]
fn ctrl_c_during_a_long_build_exits_at_once() {
    let site = copy_fixture("trilingual");
    write(
        site.path().join("templates/404.html"),
        "<!DOCTYPE html><html><body>{% for i in range(end=100000) %}\
         {% for j in range(end=100000) %}{% endfor %}{% endfor %}</body></html>\n",
    );
    let tmp = tempfile::tempdir().unwrap();
    let (mut child, printed) = spawn_printing(site.path(), tmp.path(), &[], &[]);
    // the server's directory appears before the first build starts
    let deadline = std::time::Instant::now() + TIMEOUT;
    while fs::read_dir(tmp.path()).unwrap().count() == 0 {
        assert!(std::time::Instant::now() < deadline, "no serve directory");
        std::thread::sleep(Duration::from_millis(20));
    }
    let status = stop(&mut child, "INT");
    assert!(status.success(), "{status:?}");
    let out = printed.stdout();
    assert!(!out.contains("first build"), "the build finished: {out}");
    assert!(!out.contains("serving"), "{out}");
    // The directory is gone. The build, still running when the process ended, could have
    // created it again: an empty file holds its place, which the next start removes.
    let left: Vec<_> = fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert!(left.len() <= 1, "{left:?}");
    for path in &left {
        let meta = fs::symlink_metadata(path).unwrap();
        assert!(
            meta.is_file() && meta.len() == 0,
            "{path:?} was left behind"
        );
    }
    fs::remove_dir_all(site.path().join("templates")).unwrap();
    let (mut next, _) = spawn_serve(site.path(), tmp.path());
    assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 1);
    assert!(stop(&mut next, "TERM").success());
    assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 0);
}

/// Ctrl-C while a full build writes a large site: the build's writes, which go on in its
/// thread until the process ends, do not bring the removed directory back.
#[cfg(unix)]
#[test]
fn ctrl_c_while_a_build_writes_leaves_nothing() {
    let site = copy_fixture("trilingual");
    let news = site.path().join("content/news");
    for i in 0..3000 {
        write(
            news.join(format!("gen{i:04}.md")),
            &format!(
                "---\ntitle: 第{i}篇\ndate: 2024-01-01\ntags: [t{}]\n---\n正文{i}。\n",
                i % 50
            ),
        );
    }
    let tmp = tempfile::tempdir().unwrap();
    let (mut child, _printed) = spawn_printing(site.path(), tmp.path(), &[], &[]);
    // the site's directory fills up: the build is writing
    let deadline = std::time::Instant::now() + TIMEOUT;
    let writing = loop {
        let found = walkdir::WalkDir::new(tmp.path())
            .into_iter()
            .flatten()
            .any(|e| e.file_name() == "index.html");
        if found {
            break true;
        }
        if std::time::Instant::now() > deadline {
            break false;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    assert!(writing, "the build wrote nothing");
    assert!(stop(&mut child, "INT").success());
    let left: Vec<_> = fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    for path in &left {
        let meta = fs::symlink_metadata(path).unwrap();
        assert!(
            meta.is_file() && meta.len() == 0,
            "{path:?} was left behind"
        );
    }
}
