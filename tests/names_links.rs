//! File names as people really write them and links as authors write them
//! (`tests/fixtures/names`, served under the base path `/sub/path/`): dots that are not
//! languages, near-miss language suffixes, reserved characters percent-encoded in every
//! output, root-relative and relative links, links to files that do not exist, aliases.
//! The link check requests every internal link of the built site from a real static file
//! server (tower-http's `ServeDir`), so an encoding mistake cannot hide behind file paths.

mod common;

use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;

use common::{Built, build, build_root, copy_fixture, tree};
use qiao::diagnostics::Diagnostic;

/// The site's base path, from tests/fixtures/names/site.toml.
const BASE: &str = "/sub/path/";
const ORIGIN: &str = "https://example.org";

/// `(path, line, column, message)` of each diagnostic.
fn located(ds: &[Diagnostic]) -> Vec<(String, Option<usize>, Option<usize>, String)> {
    ds.iter()
        .map(|d| {
            let path = d.path.as_deref().map(|p| p.to_string_lossy().into_owned());
            (
                path.unwrap_or_default(),
                d.line,
                d.column,
                d.message.clone(),
            )
        })
        .collect()
}

/// Writes a file into a copied fixture.
fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

#[test]
fn dots_that_are_not_languages_are_page_names() {
    let b = build("names");
    assert!(b.report.warnings.is_empty(), "{:?}", b.report.warnings);
    for file in [
        "linux/mkfs.fat/index.html",
        "common/acme.sh/index.html",
        "en/common/acme.sh/index.html",
        "en/linux/update-rc.d/index.html",
        "common/r.zsh/index.html",
        "linux/rename.ul/index.html",
        "windows/print.win/index.html",
        "common/[/index.html",
        "common/[[/index.html",
        "en/my docs/c#?&%/index.html",
        "en/my docs/Annual Report/index.html",
    ] {
        assert!(b.exists(file), "{file}");
    }
    // acme.sh.md and acme.sh.en.md are translations of each other.
    let zh = b.read("common/acme.sh/index.html");
    assert!(
        zh.contains(r#"hreflang="en" href="https://example.org/sub/path/en/common/acme.sh/""#),
        "{zh}"
    );
}

#[test]
fn reserved_characters_are_percent_encoded_in_every_output() {
    let b = build("names");
    let odd = "/sub/path/en/my%20docs/c%23%3F&amp;%25/";
    // The list page, the page's canonical and hreflang links.
    let list = b.read("en/my docs/index.html");
    assert!(list.contains(&format!(r#"href="{odd}""#)), "{list}");
    assert!(list.contains(r#"href="/sub/path/en/my%20docs/Annual%20Report/""#));
    let page = b.read("en/my docs/c#?&%/index.html");
    assert!(page.contains(&format!(r#"<link rel="canonical" href="{ORIGIN}{odd}">"#)));
    assert!(page.contains(&format!(r#"hreflang="en" href="{ORIGIN}{odd}""#)));
    assert!(page.contains(r#"href="/sub/path/en/my%20docs/atom.xml""#));
    // `[` and `[[`.
    let common = b.read("common/index.html");
    assert!(
        common.contains(r#"href="/sub/path/common/%5B/""#),
        "{common}"
    );
    assert!(common.contains(r#"href="/sub/path/common/%5B%5B/""#));
    // The sitemap wants URIs: reserved characters and Chinese percent-encoded.
    let sitemap = b.read("sitemap.xml");
    assert!(
        sitemap.contains(&format!("<loc>{ORIGIN}{odd}</loc>")),
        "{sitemap}"
    );
    assert!(sitemap.contains("<loc>https://example.org/sub/path/common/%5B%5B/</loc>"));
    assert!(sitemap.contains(
        "<loc>https://example.org/sub/path/tags/%E6%96%87%E4%BB%B6%E7%B3%BB%E7%BB%9F/</loc>"
    ));
    // Feeds.
    let feed = b.read("en/my docs/atom.xml");
    assert!(feed.contains(&format!("<id>{ORIGIN}{odd}</id>")), "{feed}");
    assert!(feed.contains(r#"<link rel="self" type="application/atom+xml" href="https://example.org/sub/path/en/my%20docs/atom.xml"/>"#));
    // The search index.
    let index = b.read("search-index/en/d0.json");
    assert!(
        index.contains(r#""/sub/path/en/my%20docs/c%23%3F&%25/""#),
        "{index}"
    );
    // Redirects.
    let redirect = b.read("en/old-name/index.html");
    assert!(redirect.contains(
        r#"<meta http-equiv="refresh" content="0; url=https://example.org/sub/path/en/my%20docs/Annual%20Report/">"#
    ), "{redirect}");
    // Bundle files and static files with spaces.
    let photos = b.read("news/photos/index.html");
    assert!(
        photos.contains(r#"href="/sub/path/news/photos/raw%20photo.jpg""#),
        "{photos}"
    );
    let links = b.read("en/news/links/index.html");
    assert!(
        links.contains(r#"href="/sub/path/my%20notes.txt""#),
        "{links}"
    );
}

#[test]
fn templates_receive_encoded_path_permalink_and_current_url() {
    let root = copy_fixture("names");
    write(
        root.path(),
        "templates/page.html",
        "{{ page.path }}|{{ page.permalink }}|{{ current_url }}|{{ current_path }}|{{ url_for(path=\"my notes.txt\") }}",
    );
    let b = build_root(root.path(), |_| {}).unwrap();
    let odd = "/sub/path/en/my%20docs/c%23%3F&amp;%25/";
    assert_eq!(
        b.read("en/my docs/c#?&%/index.html"),
        format!("{odd}|{ORIGIN}{odd}|{ORIGIN}{odd}|{odd}|/sub/path/my%20notes.txt")
    );
}

#[test]
fn near_miss_language_suffixes_are_warnings_and_errors_when_strict() {
    let root = copy_fixture("names");
    write(
        root.path(),
        "content/news/x.EN.md",
        "---\ntitle: x\n---\nEnglish text.\n",
    );
    write(
        root.path(),
        "content/news/y.zh-CN.md",
        "---\ntitle: y\n---\n中文。\n",
    );
    write(
        root.path(),
        "content/news/z.fr.md",
        "---\ntitle: z\n---\nFrançais.\n",
    );
    let b = build_root(root.path(), |_| {}).unwrap();
    let got: Vec<(String, String)> = b
        .report
        .warnings
        .iter()
        .map(|d| {
            let path = d.path.as_deref().unwrap().to_string_lossy().into_owned();
            (path, d.hint.clone().unwrap_or_default())
        })
        .collect();
    assert_eq!(got.len(), 3, "{got:?}");
    assert_eq!(got[0].0, "content/news/x.EN.md");
    assert!(
        got[0].1.contains("rename the file to `x.en.md`"),
        "{}",
        got[0].1
    );
    assert_eq!(got[1].0, "content/news/y.zh-CN.md");
    assert!(got[1].1.contains("rename the file to `y.zh.md`"));
    assert_eq!(got[2].0, "content/news/z.fr.md");
    assert!(got[2].1.contains("add [languages.fr] to site.toml"));
    // The pages are built under their whole names in the default language meanwhile.
    assert!(b.exists("news/x.EN/index.html"));
    let errs = build_root(root.path(), |o| o.strict = true).err().unwrap();
    assert_eq!(errs.iter().filter(|d| d.is_error()).count(), 3);
}

#[test]
fn root_relative_links_get_the_base_path_like_relative_and_internal_ones() {
    let b = build("names");
    let links = b.read("en/news/links/index.html");
    for expected in [
        // root-relative
        r#"<a href="/sub/path/en/news/about/">about</a>"#,
        r#"<a href="/sub/path/">home</a>"#,
        // (the first image is not lazy; see tests/images.rs)
        r#"<img src="/sub/path/logo.png" alt="logo" decoding="async" />"#,
        // relative
        r#"<a href="/sub/path/en/news/about/">about</a>"#,
        r#"<a href="/sub/path/linux/mkfs.fat/">mkfs</a>"#,
        r#"<a href="/sub/path/en/my%20docs/Annual%20Report/#section-two">report</a>"#,
        // @/
        r#"<a href="/sub/path/en/common/acme.sh/">acme.sh</a>"#,
        r#"<img src="/sub/path/news/photos/foto.jpg" alt="photo" loading="lazy" decoding="async" />"#,
        // @/ targets may be written percent-encoded
        r#"<a href="/sub/path/news/photos/raw%20photo.jpg">raw</a>"#,
        r#"<a href="/sub/path/en/my%20docs/c%23%3F&amp;%25/">odd</a>"#,
    ] {
        assert!(links.contains(expected), "{expected}\n{links}");
    }
}

#[test]
fn links_to_nothing_are_warnings_with_file_line_and_column() {
    let root = copy_fixture("names");
    write(
        root.path(),
        "content/news/broken/index.md",
        "---\ntitle: 坏链接\n---\n第一段。\n\n![照片](foto.jpg) [x](../x/)\n[about](/news/nowhere/) [full](/sub/path/news/about/)\n",
    );
    let b = build_root(root.path(), |_| {}).unwrap();
    let got = located(&b.report.warnings);
    let file = "content/news/broken/index.md".to_string();
    assert_eq!(
        got,
        vec![
            (
                file.clone(),
                Some(6),
                Some(1),
                "link to `foto.jpg` leads to `/sub/path/news/broken/foto.jpg`, which is not a page or file of the site".into()
            ),
            (
                file.clone(),
                Some(6),
                Some(17),
                "link to `../x/` leads to `/sub/path/news/x/`, which is not a page or file of the site".into()
            ),
            (
                file.clone(),
                Some(7),
                Some(1),
                "link to `/news/nowhere/` leads to `/sub/path/news/nowhere/`, which is not a page or file of the site".into()
            ),
            (
                file.clone(),
                Some(7),
                Some(25),
                "link to `/sub/path/news/about/` leads to `/sub/path/sub/path/news/about/`, which is not a page or file of the site".into()
            ),
        ]
    );
    assert!(
        b.report.warnings[3]
            .hint
            .as_deref()
            .unwrap()
            .contains("write `/news/about/`")
    );
    let errs = build_root(root.path(), |o| o.strict = true).err().unwrap();
    assert_eq!(errs.iter().filter(|d| d.is_error()).count(), 4);
}

#[test]
fn links_to_fallback_copies_lead_somewhere_only_with_fallback() {
    let root = copy_fixture("names");
    write(
        root.path(),
        "content/news/copy.en.md",
        "---\ntitle: copy\n---\n[mkfs.fat](/en/linux/mkfs.fat/)\n",
    );
    let b = build_root(root.path(), |_| {}).unwrap();
    let got = located(&b.report.warnings);
    assert_eq!(
        got,
        vec![(
            "content/news/copy.en.md".to_string(),
            Some(4),
            Some(1),
            "link to `/en/linux/mkfs.fat/` leads to `/sub/path/en/linux/mkfs.fat/`, which is not a page or file of the site".to_string()
        )]
    );
    let toml = std::fs::read_to_string(root.path().join("site.toml")).unwrap();
    let toml = toml.replace(
        "default_language = \"zh\"",
        "default_language = \"zh\"\nmissing_translation = \"fallback\"",
    );
    std::fs::write(root.path().join("site.toml"), toml).unwrap();
    let b = build_root(root.path(), |_| {}).unwrap();
    assert!(b.report.warnings.is_empty(), "{:?}", b.report.warnings);
    assert!(b.exists("en/linux/mkfs.fat/index.html"));
}

#[test]
fn aliases_keep_the_fragment_html_aliases_are_files_and_queries_are_errors() {
    let b = build("names");
    let target = "https://example.org/sub/path/en/my%20docs/Annual%20Report/";
    let redirect = b.read("en/old-name/index.html");
    assert!(
        redirect.contains(&format!(
            r#"<script>location.replace("{target}" + location.hash);</script>"#
        )),
        "{redirect}"
    );
    assert!(redirect.contains(&format!(
        r#"<meta http-equiv="refresh" content="0; url={target}">"#
    )));
    // `/old.html` is the file old.html, not old.html/index.html.
    assert_eq!(b.read("old.html"), redirect);
    assert!(!b.exists("old.html/index.html"));

    let root = copy_fixture("names");
    write(
        root.path(),
        "content/news/q.md",
        "---\ntitle: q\naliases: [\"/a?b=1\", \"/c/#d\", \"/%2e%2e/x/\"]\n---\nx\n",
    );
    write(
        root.path(),
        "content/news/r.md",
        "---\ntitle: r\naliases: [\"/news/about\"]\n---\nx\n",
    );
    let mut errs = build_root(root.path(), |_| {}).err().unwrap();
    let taken = errs.pop().unwrap();
    assert_eq!(taken.path.as_deref(), Some(Path::new("content/news/r.md")));
    assert_eq!(
        taken.message,
        "alias `/news/about/` is the address of an existing page"
    );
    let got = located(&errs);
    assert_eq!(got.len(), 3, "{got:?}");
    assert!(
        got.iter()
            .all(|(p, line, _, _)| p == "content/news/q.md" && *line == Some(3))
    );
    assert!(
        got[0]
            .3
            .contains("invalid alias `/%2e%2e/x/`: it contains `.`, `..`")
    );
    assert!(
        got[1]
            .3
            .contains("invalid alias `/a?b=1`: it contains `?` or `#`")
    );
    assert!(
        got[2]
            .3
            .contains("invalid alias `/c/#d`: it contains `?` or `#`")
    );
}

// ---------------------------------------------------------------------------------------
// The link check over HTTP

/// Serves `dir` under the base path `base` with tower-http's `ServeDir` on a free port, in a
/// background thread that lives as long as the test process.
fn serve(dir: &Path, base: &str) -> SocketAddr {
    let base = base.trim_end_matches('/').to_string();
    let dir = dir.to_path_buf();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap()).unwrap();
            let files = tower_http::services::ServeDir::new(dir);
            let app = if base.is_empty() {
                axum::Router::new().fallback_service(files)
            } else {
                axum::Router::new().nest_service(&base, files)
            };
            axum::serve(listener, app).await.unwrap();
        });
    });
    rx.recv().unwrap()
}

/// The status code of `GET target`.
fn status(addr: SocketAddr, target: &str) -> u16 {
    let mut s = TcpStream::connect(addr).unwrap();
    write!(
        s,
        "GET {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut head = Vec::new();
    s.read_to_end(&mut head).unwrap();
    let text = String::from_utf8_lossy(&head);
    text.split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("no status line for {target}: {text}"))
}

/// The values of `attr="…"` in `text`, entity references decoded.
fn attributes<'t>(text: &'t str, attr: &str) -> Vec<String> {
    let open = format!(" {attr}=\"");
    text.match_indices(&open)
        .filter_map(|(i, _)| {
            let rest: &'t str = &text[i + open.len()..];
            rest.find('"')
                .map(|end| common::html_unescape(&rest[..end]))
        })
        .collect()
}

/// Every link of the built site that points into it, as a request target: `href` and `src`
/// of HTML pages, `href` and `<loc>` of feeds and sitemaps, paths of the search index.
fn internal_links(b: &Built) -> BTreeSet<(String, String)> {
    let mut links = BTreeSet::new();
    for (rel, bytes) in tree(&b.public()) {
        let text = String::from_utf8_lossy(&bytes);
        let mut found = Vec::new();
        if rel.ends_with(".html") {
            found.extend(attributes(&text, "href"));
            found.extend(attributes(&text, "src"));
        } else if rel.ends_with(".xml") {
            found.extend(attributes(&text, "href"));
            found.extend(text.split("<loc>").skip(1).filter_map(|s| {
                s.split_once("</loc>")
                    .map(|(l, _)| common::html_unescape(l))
            }));
        } else if rel.starts_with("search-index/") && rel.contains("/d") {
            let rows: Vec<Vec<serde_json::Value>> = serde_json::from_str(&text).unwrap();
            found.extend(
                rows.iter()
                    .filter_map(|r| r.get(1)?.as_str().map(String::from)),
            );
        }
        for link in found {
            let path = match link.strip_prefix(ORIGIN) {
                Some(p) => p.to_string(),
                None if link.starts_with('/') && !link.starts_with("//") => link,
                None => continue,
            };
            let path = path.split('#').next().unwrap_or_default().to_string();
            links.insert((path, rel.clone()));
        }
    }
    links
}

/// What a browser sends for a link: IRI characters (Chinese) as UTF-8 percent-escapes. An
/// ASCII character that has no place in a URL is not fixed up: the link is broken.
fn request_target(link: &str) -> Result<String, char> {
    let mut out = String::new();
    for c in link.chars() {
        if c.is_ascii_alphanumeric() || "-._~!$&'()*+,;=:@/%?".contains(c) {
            out.push(c);
        } else if c.is_ascii() {
            return Err(c);
        } else {
            for b in c.to_string().bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    Ok(out)
}

/// Requests every internal link of a built site from `addr`: the request targets checked,
/// and the links that did not answer 200 (or hold a character a URL cannot).
fn check_over_http(b: &Built, addr: SocketAddr) -> (BTreeSet<String>, Vec<String>) {
    let mut broken = Vec::new();
    let mut checked = BTreeSet::new();
    for (link, page) in &internal_links(b) {
        match request_target(link) {
            Err(c) => broken.push(format!("{page}: `{link}` holds a raw {c:?}")),
            Ok(target) => {
                if checked.insert(target.clone()) {
                    let code = status(addr, &target);
                    if code != 200 {
                        broken.push(format!("{page}: {link} -> {code}"));
                    }
                }
            }
        }
    }
    (checked, broken)
}

#[test]
fn every_internal_link_answers_200_over_http() {
    let b = build("names");
    let addr = serve(&b.public(), BASE);
    let (checked, broken) = check_over_http(&b, addr);
    assert_eq!(broken, Vec::<String>::new());
    // Not vacuous: the odd names were among the links, and the server does answer 404.
    for must in [
        "/sub/path/en/my%20docs/c%23%3F&%25/",
        "/sub/path/en/my%20docs/Annual%20Report/",
        "/sub/path/common/%5B/",
        "/sub/path/common/%5B%5B/",
        "/sub/path/linux/mkfs.fat/",
        "/sub/path/news/photos/raw%20photo.jpg",
        "/sub/path/my%20notes.txt",
        "/sub/path/logo.png",
    ] {
        assert!(checked.contains(must), "{must} not linked: {checked:#?}");
    }
    assert!(checked.len() > 40, "{}", checked.len());
    // What a browser requests for the unencoded `href="/en/my docs/c#?&amp;%/"`.
    assert_eq!(status(addr, "/sub/path/en/my%20docs/c"), 404);
}

#[test]
fn the_other_fixtures_have_no_broken_links_over_http() {
    // (fixture, at least this many distinct links)
    for (name, least) in [("trilingual", 20), ("functions", 20), ("i18n", 3)] {
        let b = build(name);
        let addr = serve(&b.public(), "/");
        let (checked, broken) = check_over_http(&b, addr);
        assert_eq!(broken, Vec::<String>::new(), "{name}");
        assert!(checked.len() >= least, "{name}: {checked:?}");
    }
}
