//! Content as people really write it (`tests/fixtures/unicode`): tags and headings typed in
//! decomposed Unicode, tags whose slugs collide, footnotes in summaries and feeds, Chinese
//! hard-wrapped next to quotation marks. And for every fixture and the zone site: no page
//! repeats an id, and every `#fragment` reaches its target.

mod common;

use std::path::Path;

use common::{build, build_root, id_problems};

fn warnings(b: &common::Built) -> Vec<String> {
    b.report.warnings.iter().map(|d| d.to_string()).collect()
}

#[test]
fn decomposed_tags_and_headings_are_the_composed_ones() {
    let b = build("unicode");
    // `Förderung` (NFC) and `Fo\u{308}rderung` (NFD) are one term with one page.
    let term = b.read("de/tags/foerderung/index.html");
    assert!(term.contains("/de/news/foerderung/") && term.contains("/de/news/nfd/"));
    assert!(!b.exists("de/tags/forderung/index.html"));
    assert!(!b.exists("de/tags/fo-rderung/index.html"));
    let index = b.read("de/tags/index.html");
    assert_eq!(index.matches("/de/tags/foerderung/").count(), 1, "{index}");
    // The NFD page shows the term as first written, composed.
    assert!(b.read("de/news/nfd/index.html").contains(">Förderung</a>"));
    // An NFC link to an NFD heading builds and reaches it.
    let nfd = b.read("de/news/nfd/index.html");
    assert!(
        nfd.contains(r#"href="/de/news/foerderung/#f%C3%B6rderung""#),
        "{nfd}"
    );
    assert!(
        b.read("de/news/foerderung/index.html")
            .contains(r#"<h2 id="förderung">"#)
    );
    // Slugs and aliases typed decomposed are written composed.
    assert!(b.exists("en/news/Förderung/index.html"));
    assert!(
        b.read("en/old/förderung/index.html")
            .contains("/en/news/Förderung/")
    );
}

#[test]
fn colliding_tags_stay_distinct() {
    let b = build("unicode");
    let a = b.read("en/news/a/index.html");
    assert!(a.contains(r#"<a href="/en/tags/c/">C</a>"#), "{a}");
    assert!(
        a.contains(r#"<a href="/en/tags/c-plus-plus/">C++</a>"#),
        "{a}"
    );
    assert!(!a.contains("C#"), "a page shows only its own tags");
    let beta = b.read("en/news/b/index.html");
    assert!(
        beta.contains(r#"<a href="/en/tags/c-sharp/">C#</a>"#),
        "{beta}"
    );
    // ` c ` is `C` (case and spaces do not make a new term).
    assert!(beta.contains(r#"<a href="/en/tags/c/">C</a>"#), "{beta}");
    let c = b.read("en/tags/c/index.html");
    assert!(c.contains("/en/news/a/") && c.contains("/en/news/b/"));
    assert!(!b.read("en/tags/c-sharp/index.html").contains("/en/news/a/"));
    // The same name has the same slug in every language, even where it collides with none.
    assert!(
        b.read("news/hello/index.html")
            .contains(r#"href="/tags/c-plus-plus/""#)
    );
    assert!(!b.exists("tags/c/index.html"));
    let w = warnings(&b);
    assert!(
        w.iter().any(
            |w| w.contains("tags `C`, `C#`, `C++` would all have the slug `c`")
                && w.contains("`c`, `c-sharp`, `c-plus-plus`")
                && w.contains("content/news/a.en.md")
        ),
        "{w:#?}"
    );
}

#[test]
fn summaries_and_feeds_point_at_their_page_and_repeat_no_id() {
    let b = build("unicode");
    let list = b.read("en/news/index.html");
    assert!(
        list.contains(r#"<a href="/en/news/a/#fn-1">1</a>"#),
        "{list}"
    );
    assert!(
        list.contains(r#"<a href="/en/news/b/#fn-1">1</a>"#),
        "{list}"
    );
    assert!(list.contains("<h2>Background</h2>"), "{list}");
    assert!(!list.contains("fnref-1"), "{list}");
    for feed in ["en/news/atom.xml", "en/atom.xml", "en/tags/c/atom.xml"] {
        let xml = b.read(feed);
        assert!(
            xml.contains("href=&quot;/en/news/a/#fn-1&quot;"),
            "{feed}: {xml}"
        );
        assert!(xml.contains("href=&quot;/en/news/b/#fn-1&quot;"), "{feed}");
        assert!(!xml.contains("id=&quot;"), "{feed}: {xml}");
    }
    assert_eq!(id_problems(&b.public()), Vec::<String>::new());
    // A heading's id does not repeat one of the template's.
    assert!(
        b.read("en/news/b/index.html")
            .contains(r#"<h2 id="main-1">Main</h2>"#)
    );
}

#[test]
fn footnotes_link_back_to_every_reference_and_unused_ones_are_reported() {
    let b = build("unicode");
    let a = b.read("en/news/a/index.html");
    assert!(
        a.contains(r##"<a href="#fnref-1" class="footnote-backref" role="doc-backlink">↩</a>"##)
    );
    assert!(a.contains(
        r##"<a href="#fnref-1-2" class="footnote-backref" role="doc-backlink">↩<sup>2</sup></a>"##
    ));
    assert!(!a.contains("Never referenced"), "{a}");
    let w = warnings(&b);
    assert!(
        w.iter()
            .any(|w| w.contains("footnote `[^unused]` is never referenced")
                && w.contains("content/news/a.en.md:16:1")),
        "{w:#?}"
    );
}

#[test]
fn chinese_line_break_before_a_quotation_mark_is_no_space() {
    let b = build("unicode");
    assert!(
        b.read("news/hello/index.html")
            .contains("<p>他说“你好”。</p>")
    );
}

#[test]
fn no_page_repeats_an_id_or_links_to_a_missing_one() {
    for name in ["trilingual", "functions", "i18n", "unicode"] {
        let b = build(name);
        assert_eq!(id_problems(&b.public()), Vec::<String>::new(), "{name}");
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let zone = build_root(root, |_| {}).unwrap_or_else(|ds| panic!("{ds:#?}"));
    assert_eq!(
        id_problems(&zone.public()),
        Vec::<String>::new(),
        "zone site"
    );
}

#[test]
fn id_problems_finds_repeated_ids_and_dead_fragments() {
    let dir = tempfile::tempdir().unwrap();
    let write = |rel: &str, text: &str| {
        let p = dir.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    write(
        "news/index.html",
        "<p id=\"x\"><a href=\"#x\">ok</a><a href='/news/a/#f%C3%BC'>ok</a>\
         <a href=/news/a/#nope>dead</a><a href=\"/gone/#x\">missing</a></p>\
         <!-- <p id=\"x\"> --><h2 ID=x>again</h2><a href=\"#y\">dead</a>",
    );
    write("news/a/index.html", "<li id=\"fü\">note</li>");
    assert_eq!(
        id_problems(dir.path()),
        [
            "news/index.html: id `x` defined twice",
            "news/index.html: `/news/a/#nope` reaches no id in news/a/index.html",
            "news/index.html: `/gone/#x` points at a missing page",
            "news/index.html: `#y` reaches no id in news/index.html",
        ]
    );
}
