//! The trilingual fixture site, built and read back: translations, hreflang, sitemaps,
//! pagination, taxonomies, feeds, aliases, bundles, East Asian line breaks, internal links.

mod common;

use common::{build, build_root, copy_fixture};

#[test]
fn translations_are_linked_both_ways() {
    let b = build("trilingual");
    let zh = b.read("news/unveiling/index.html");
    let en = b.read("en/news/unveiling/index.html");
    for html in [&zh, &en] {
        assert!(html.contains(r#"<link rel="alternate" hreflang="zh-Hans" href="https://example.org/news/unveiling/">"#));
        assert!(html.contains(
            r#"<link rel="alternate" hreflang="en" href="https://example.org/en/news/unveiling/">"#
        ));
        assert!(html.contains(
            r#"<link rel="alternate" hreflang="de" href="https://example.org/de/news/unveiling/">"#
        ));
    }
    assert!(zh.contains(r#"<html lang="zh-Hans">"#));
    assert!(en.contains(r#"<html lang="en">"#));
    assert!(en.contains(r#"<link rel="canonical" href="https://example.org/en/news/unveiling/">"#));
    // the switcher links to the other languages
    assert!(zh.contains(r#"<a href="/en/news/unveiling/" hreflang="en" lang="en">English</a>"#));
    assert!(
        en.contains(r#"<a href="/news/unveiling/" hreflang="zh-Hans" lang="zh-Hans">中文</a>"#)
    );
}

#[test]
fn missing_translations_are_unavailable_not_dead_links() {
    let b = build("trilingual");
    let only = b.read("news/only-zh/index.html");
    assert!(only.contains(r#"<span class="unavailable" lang="en">English</span>"#));
    assert!(only.contains(r#"<span class="unavailable" lang="de">Deutsch</span>"#));
    assert!(!only.contains("hreflang=\"en\""));
    assert!(
        !b.exists("en/news/only-zh/index.html"),
        "omit mode renders no copy"
    );
}

#[test]
fn sitemap_lists_every_page_once_with_alternates() {
    let b = build("trilingual");
    let sm = b.read("sitemap.xml");
    for loc in [
        "https://example.org/news/unveiling/",
        "https://example.org/en/news/unveiling/",
    ] {
        assert_eq!(sm.matches(&format!("<loc>{loc}</loc>")).count(), 1, "{loc}");
    }
    let entry = sm
        .split("<url>")
        .find(|u| u.contains("<loc>https://example.org/de/news/unveiling/</loc>"))
        .unwrap();
    assert!(entry.contains(r#"hreflang="zh-Hans" href="https://example.org/news/unveiling/""#));
    assert!(entry.contains(r#"hreflang="en" href="https://example.org/en/news/unveiling/""#));
    assert!(entry.contains(r#"hreflang="de" href="https://example.org/de/news/unveiling/""#));
    assert!(entry.contains(r#"hreflang="x-default" href="https://example.org/news/unveiling/""#));
    assert!(entry.contains("<lastmod>2016-02-29T00:00:00+00:00</lastmod>"));
    // term URLs are percent-encoded
    assert!(sm.contains("<loc>https://example.org/tags/%E6%B1%9F%E9%97%A8/</loc>"));
    assert!(!sm.contains("draft"));
    assert!(
        b.read("robots.txt")
            .contains("Sitemap: https://example.org/sitemap.xml")
    );
}

#[test]
fn sections_paginate() {
    let b = build("trilingual");
    // zh news: unveiling, only-zh, bundle (the draft is left out); paginate = 2
    let p1 = b.read("news/index.html");
    let p2 = b.read("news/page/2/index.html");
    assert!(!b.exists("news/page/3/index.html"));
    assert!(p1.contains(r#"<a rel="next" href="/news/page/2/">"#));
    assert!(p2.contains(r#"<a rel="prev" href="/news/">"#));
    assert!(
        p1.contains("仅有中文") && p1.contains("中欧合作区挂牌"),
        "newest first"
    );
    assert!(p2.contains("图片新闻"));
    assert!(
        !b.exists("en/news/page/2/index.html"),
        "two English news pages fit on one page"
    );
}

#[test]
fn weights_order_sections_and_neighbours_link() {
    let b = build("trilingual");
    let bases = b.read("bases/index.html");
    assert!(
        bases.find("恩平").unwrap() < bases.find("开平").unwrap(),
        "weight 1 before weight 2"
    );
    let kaiping = b.read("bases/kaiping/index.html");
    assert!(
        kaiping.contains(r#"<a rel="prev" href="/bases/enping/"><small>上一篇</small> 恩平</a>"#)
    );
}

#[test]
fn taxonomies_are_kept_per_language() {
    let b = build("trilingual");
    let zh_tags = b.read("tags/index.html");
    assert!(zh_tags.contains("中欧合作") && zh_tags.contains("江门"));
    assert!(!zh_tags.contains("China-EU cooperation"));
    let en_tags = b.read("en/tags/index.html");
    assert!(
        en_tags
            .contains(r#"<a href="/en/tags/china-eu-cooperation/">China-EU cooperation</a> (1)"#)
    );
    assert!(b.exists("de/tags/china-eu-zusammenarbeit/index.html"));
    // tags paginate by 1: 江门 has two pages in Chinese
    assert!(b.exists("tags/江门/page/2/index.html"));
    assert!(b.exists("categories/新闻/index.html"));
}

#[test]
fn feeds_per_language_section_and_term() {
    let b = build("trilingual");
    let zh = b.read("atom.xml");
    assert_eq!(zh.matches("<entry>").count(), 3);
    assert!(
        zh.contains("<updated>2016-03-01T00:00:00+00:00</updated>"),
        "newest entry, not build time"
    );
    assert!(zh.contains(r#"xml:lang="zh-Hans""#));
    let en_news = b.read("en/news/atom.xml");
    assert_eq!(en_news.matches("<entry>").count(), 2);
    assert!(b.exists("tags/江门/atom.xml"), "tags have feed = true");
    assert!(
        !b.exists("categories/新闻/atom.xml"),
        "categories have feed = false"
    );
    assert!(!b.exists("bases/atom.xml"), "no feed without dated pages");
    let html = b.read("en/news/index.html");
    assert!(html.contains(r#"type="application/atom+xml" title="The Zone" href="/en/atom.xml""#));
    assert!(html.contains(r#"href="/en/news/atom.xml""#));
}

#[test]
fn aliases_redirect() {
    let b = build("trilingual");
    let r = b.read("old/unveiling/index.html");
    assert!(r.contains(
        r#"<meta http-equiv="refresh" content="0; url=https://example.org/news/unveiling/">"#
    ));
    assert!(r.contains(r#"<link rel="canonical" href="https://example.org/news/unveiling/">"#));
}

#[test]
fn bundles_copy_their_files_beside_each_translation() {
    let b = build("trilingual");
    assert!(b.exists("news/bundle/photo.png"));
    assert!(
        b.exists("en/news/photo-news/photo.png"),
        "slug moves the bundle, assets follow"
    );
    assert!(
        b.read("en/news/photo-news/index.html")
            .contains(r#"<img src="/en/news/photo-news/photo.png" alt="Photo""#)
    );
    assert!(b.exists("site.css") && b.exists("qiao.css"));
    // relative links are based on the page, so they also work in lists and feeds (images
    // in summaries are lazy; this "photo" is text, so it has no size: tests/images.rs)
    assert!(b.read("news/page/2/index.html").contains(
        r#"<img src="/news/bundle/photo.png" alt="照片" loading="lazy" decoding="async" />"#
    ));
}

#[test]
fn drafts_only_with_the_flag() {
    let b = build("trilingual");
    assert!(!b.exists("news/draft/index.html"));
    let root = common::fixture("trilingual");
    let d = build_root(&root, |o| o.drafts = true).unwrap();
    assert!(d.exists("news/draft/index.html"));
}

#[test]
fn east_asian_line_breaks() {
    let b = build("trilingual");
    let zh = b.read("news/unveiling/index.html");
    assert!(zh.contains(
        "<p>2月29日上午，中欧（江门）中小企业国际合作区挂牌及授牌仪式在江门万达广场举行。</p>"
    ));
    let en = b.read("en/news/unveiling/index.html");
    assert!(
        en.contains("International\nCooperation Zone"),
        "Latin soft break stays a line break"
    );
}

#[test]
fn internal_links_resolve_per_language() {
    let b = build("trilingual");
    let zh = b.read("news/unveiling/index.html");
    let en = b.read("en/news/unveiling/index.html");
    assert!(zh.contains(r#"<a href="/bases/kaiping/#focus">基地</a>"#));
    assert!(en.contains(r#"<a href="/en/bases/kaiping/#focus">the Kaiping base</a>"#));
    // no English translation: falls back to the Chinese page, with a warning
    assert!(en.contains(r#"<a href="/news/only-zh/">a Chinese-only page</a>"#));
    let w = &b.report.warnings;
    assert_eq!(w.len(), 1, "{w:#?}");
    assert_eq!(
        w[0].path.as_deref(),
        Some(std::path::Path::new("content/news/unveiling.en.md"))
    );
    assert_eq!(w[0].line, Some(13));
    assert!(w[0].message.contains("has no en translation"));
}

#[test]
fn heading_ids_and_summary() {
    let b = build("trilingual");
    let zh = b.read("news/unveiling/index.html");
    assert!(zh.contains(r#"<h2 id="现场">现场</h2>"#));
    assert!(
        b.read("de/news/unveiling/index.html")
            .contains(r#"<h2 id="targets">Ziele für 2018</h2>"#)
    );
    // the summary is what stands before <!-- more -->
    let list = b.read("news/index.html");
    let item = list
        .split("<li>")
        .find(|l| l.contains("中欧合作区挂牌"))
        .unwrap();
    assert!(item.contains("各级领导嘉宾"), "{item}");
    assert!(!item.contains("目标"), "{item}");
}

#[test]
fn fallback_mode_renders_copies_with_canonical_to_the_original() {
    let site = copy_fixture("trilingual");
    let toml = site.path().join("site.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    std::fs::write(&toml, format!("missing_translation = \"fallback\"\n{text}")).unwrap();
    let b = build_root(site.path(), |_| {}).unwrap();
    let copy = b.read("en/news/only-zh/index.html");
    assert!(copy.contains(r#"<html lang="en">"#));
    assert!(
        copy.contains(r#"<article lang="zh-Hans">"#),
        "content keeps its language"
    );
    assert!(copy.contains(r#"<link rel="canonical" href="https://example.org/news/only-zh/">"#));
    assert!(copy.contains(r#"class="notice""#));
    assert!(
        !copy.contains(r#"hreflang="en" href="https://example.org/en/news/only-zh/""#),
        "a copy is no translation"
    );
    assert!(!b.read("sitemap.xml").contains("/en/news/only-zh/"));
    assert!(
        b.read("en/news/index.html").contains("/en/news/only-zh/"),
        "listed in the English section"
    );
    // the Chinese-only base page gets an English section copy too
    assert!(b.exists("en/bases/enping/index.html"));
    assert!(
        !b.read("en/tags/index.html").contains("江门"),
        "terms stay per language"
    );
}

#[test]
fn breadcrumbs_and_related_pages() {
    let b = build("trilingual");
    let zh = b.read("news/unveiling/index.html");
    assert!(
        zh.contains(r#"<ol><li><a href="/">首页</a></li><li><a href="/news/">新闻</a></li></ol>"#),
        "{zh}"
    );
    // only-zh shares the tag 江门; the bundle page shares nothing
    let related = zh
        .split(r#"<aside class="related">"#)
        .nth(1)
        .unwrap()
        .split("</aside>")
        .next()
        .unwrap();
    assert!(related.contains(r#"<a href="/news/only-zh/">仅有中文</a>"#));
    assert!(!related.contains("/news/bundle/"));
    assert!(
        !b.read("news/bundle/index.html")
            .contains(r#"class="related""#)
    );
}
