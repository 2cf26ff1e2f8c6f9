//! The functions templates may call: `get_section`, `get_page`, `url_for`, and the table of
//! contents of a page, used from a site-level template that overrides the built-in one.

mod common;

#[test]
fn template_functions_resolve_per_language() {
    let b = common::build("functions");
    let en = b.read("en/index.html");
    assert!(en.contains(r#"<p id="news">News: 2</p>"#), "{en}");
    assert!(en.contains(r#"<p id="page-de">Zone feierlich eröffnet</p>"#));
    assert!(en.contains(r#"<p id="page-current">China-EU zone unveiled</p>"#));
    assert!(en.contains(
        r#"<p id="url">/en/news/unveiling/ /news/only-zh/ /de/news/unveiling/ /qiao.css</p>"#
    ));
    assert!(en.contains(r#"<ol id="toc"><li>the-ceremony</li><li>targets</li></ol>"#));
    let zh = b.read("index.html");
    assert!(zh.contains(r#"<p id="news">新闻: 3</p>"#));
    assert!(zh.contains(r#"<ol id="toc"><li>现场</li><li>targets</li></ol>"#));
}

#[test]
fn base_url_with_a_path_prefixes_every_link() {
    let b = common::build_root(&common::fixture("functions"), |o| {
        o.base_url = Some("https://example.github.io/zone".into())
    })
    .unwrap();
    let en = b.read("en/index.html");
    assert!(
        en.contains(
            "/zone/en/news/unveiling/ /zone/news/only-zh/ /zone/de/news/unveiling/ /zone/qiao.css"
        ),
        "{en}"
    );
    assert!(en.contains(r#"<link rel="canonical" href="https://example.github.io/zone/en/">"#));
    let article = b.read("en/news/unveiling/index.html");
    assert!(article.contains(r#"<a href="/zone/en/bases/kaiping/#focus">"#));
    assert!(
        b.read("sitemap.xml")
            .contains("<loc>https://example.github.io/zone/en/news/unveiling/</loc>")
    );
}
