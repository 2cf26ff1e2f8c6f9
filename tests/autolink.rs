//! Bare addresses become links (`src/autolink.rs`): every example of the GFM spec's
//! "Autolinks (extension)" section (cmark-gfm `test/spec.txt`), with `https://` instead of
//! GFM's `http://` for `www.` addresses (qiao's documented choice), and Chinese and German
//! cases; a fixture site (`tests/fixtures/autolinks`) shows that code, raw HTML and existing
//! links are left alone and that `[markdown] autolinks = false` turns it off.

mod common;

use common::{build, build_root, copy_fixture};
use qiao::markdown::{Options, render};

fn md(source: &str) -> String {
    let options = Options {
        autolinks: true,
        ..Options::default()
    };
    render(source, &options, &|_| None).html.to_string()
}

/// The GFM spec's examples, input and expected HTML, `www.` links with `https://`.
const GFM_EXAMPLES: &[(&str, &str)] = &[
    (
        "www.commonmark.org\n",
        "<p><a href=\"https://www.commonmark.org\">www.commonmark.org</a></p>\n",
    ),
    (
        "Visit www.commonmark.org/help for more information.\n",
        "<p>Visit <a href=\"https://www.commonmark.org/help\">www.commonmark.org/help</a> for more information.</p>\n",
    ),
    (
        "Visit www.commonmark.org.\n\nVisit www.commonmark.org/a.b.\n",
        "<p>Visit <a href=\"https://www.commonmark.org\">www.commonmark.org</a>.</p>\n\
         <p>Visit <a href=\"https://www.commonmark.org/a.b\">www.commonmark.org/a.b</a>.</p>\n",
    ),
    (
        "www.google.com/search?q=Markup+(business)\n\n\
         www.google.com/search?q=Markup+(business)))\n\n\
         (www.google.com/search?q=Markup+(business))\n\n\
         (www.google.com/search?q=Markup+(business)\n",
        "<p><a href=\"https://www.google.com/search?q=Markup+(business)\">www.google.com/search?q=Markup+(business)</a></p>\n\
         <p><a href=\"https://www.google.com/search?q=Markup+(business)\">www.google.com/search?q=Markup+(business)</a>))</p>\n\
         <p>(<a href=\"https://www.google.com/search?q=Markup+(business)\">www.google.com/search?q=Markup+(business)</a>)</p>\n\
         <p>(<a href=\"https://www.google.com/search?q=Markup+(business)\">www.google.com/search?q=Markup+(business)</a></p>\n",
    ),
    (
        "www.google.com/search?q=(business))+ok\n",
        "<p><a href=\"https://www.google.com/search?q=(business))+ok\">www.google.com/search?q=(business))+ok</a></p>\n",
    ),
    (
        "www.google.com/search?q=commonmark&hl=en\n\nwww.google.com/search?q=commonmark&hl;\n",
        "<p><a href=\"https://www.google.com/search?q=commonmark&amp;hl=en\">www.google.com/search?q=commonmark&amp;hl=en</a></p>\n\
         <p><a href=\"https://www.google.com/search?q=commonmark\">www.google.com/search?q=commonmark</a>&amp;hl;</p>\n",
    ),
    (
        "www.commonmark.org/he<lp\n",
        "<p><a href=\"https://www.commonmark.org/he\">www.commonmark.org/he</a>&lt;lp</p>\n",
    ),
    (
        "http://commonmark.org\n\n\
         (Visit https://encrypted.google.com/search?q=Markup+(business))\n\n\
         Anonymous FTP is available at ftp://foo.bar.baz.\n",
        "<p><a href=\"http://commonmark.org\">http://commonmark.org</a></p>\n\
         <p>(Visit <a href=\"https://encrypted.google.com/search?q=Markup+(business)\">https://encrypted.google.com/search?q=Markup+(business)</a>)</p>\n\
         <p>Anonymous FTP is available at <a href=\"ftp://foo.bar.baz\">ftp://foo.bar.baz</a>.</p>\n",
    ),
    (
        "foo@bar.baz\n",
        "<p><a href=\"mailto:foo@bar.baz\">foo@bar.baz</a></p>\n",
    ),
    (
        "hello@mail+xyz.example isn't valid, but hello+xyz@mail.example is.\n",
        "<p>hello@mail+xyz.example isn't valid, but <a href=\"mailto:hello+xyz@mail.example\">hello+xyz@mail.example</a> is.</p>\n",
    ),
    (
        "a.b-c_d@a.b\n\na.b-c_d@a.b.\n\na.b-c_d@a.b-\n\na.b-c_d@a.b_\n",
        "<p><a href=\"mailto:a.b-c_d@a.b\">a.b-c_d@a.b</a></p>\n\
         <p><a href=\"mailto:a.b-c_d@a.b\">a.b-c_d@a.b</a>.</p>\n\
         <p>a.b-c_d@a.b-</p>\n\
         <p>a.b-c_d@a.b_</p>\n",
    ),
];

#[test]
fn gfm_spec_examples() {
    for (source, expected) in GFM_EXAMPLES {
        assert_eq!(md(source), *expected, "source: {source:?}");
    }
}

#[test]
fn chinese_text_around_an_address_stays_text() {
    let cases = [
        (
            "详见https://example.org/plan。",
            "<p>详见<a href=\"https://example.org/plan\">https://example.org/plan</a>。</p>\n",
        ),
        (
            "（见www.example.org）",
            "<p>（见<a href=\"https://www.example.org\">www.example.org</a>）</p>\n",
        ),
        (
            "请发邮件至info@example.org，谢谢。",
            "<p>请发邮件至<a href=\"mailto:info@example.org\">info@example.org</a>，谢谢。</p>\n",
        ),
        (
            "网址：https://example.org/a?b=1、https://example.org/c；「www.example.org」【https://example.org/d】《https://example.org/e》",
            "<p>网址：<a href=\"https://example.org/a?b=1\">https://example.org/a?b=1</a>、\
             <a href=\"https://example.org/c\">https://example.org/c</a>；「<a href=\"https://www.example.org\">www.example.org</a>」\
             【<a href=\"https://example.org/d\">https://example.org/d</a>】《<a href=\"https://example.org/e\">https://example.org/e</a>》</p>\n",
        ),
        (
            "“https://example.org/f”和‘www.example.org’",
            "<p>“<a href=\"https://example.org/f\">https://example.org/f</a>”和‘<a href=\"https://www.example.org\">www.example.org</a>’</p>\n",
        ),
        (
            "见https://example.org/g　下一句！https://example.org/h？",
            "<p>见<a href=\"https://example.org/g\">https://example.org/g</a>　下一句！<a href=\"https://example.org/h\">https://example.org/h</a>？</p>\n",
        ),
        // A Han character ends the address; `<…>` keeps it.
        (
            "https://zh.wikipedia.org/wiki/江门 <https://zh.wikipedia.org/wiki/江门>",
            "<p><a href=\"https://zh.wikipedia.org/wiki/\">https://zh.wikipedia.org/wiki/</a>江门 \
             <a href=\"https://zh.wikipedia.org/wiki/%E6%B1%9F%E9%97%A8\">https://zh.wikipedia.org/wiki/江门</a></p>\n",
        ),
        // A line break inside Chinese text is still dropped after a link.
        (
            "见https://example.org/。\n文件",
            "<p>见<a href=\"https://example.org/\">https://example.org/</a>。文件</p>\n",
        ),
    ];
    for (source, expected) in cases {
        assert_eq!(md(source), expected, "source: {source:?}");
    }
}

#[test]
fn german_quotes_parentheses_and_letters() {
    let cases = [
        (
            "Der Plan (siehe https://example.org/plan).",
            "<p>Der Plan (siehe <a href=\"https://example.org/plan\">https://example.org/plan</a>).</p>\n",
        ),
        (
            "„https://example.org“ und «www.example.org»",
            "<p>„<a href=\"https://example.org\">https://example.org</a>“ und «<a href=\"https://www.example.org\">www.example.org</a>»</p>\n",
        ),
        (
            "https://example.org/a, dann",
            "<p><a href=\"https://example.org/a\">https://example.org/a</a>, dann</p>\n",
        ),
        (
            "Schreiben Sie an info@example.org.",
            "<p>Schreiben Sie an <a href=\"mailto:info@example.org\">info@example.org</a>.</p>\n",
        ),
        (
            "https://example.org/Straße und https://bücher.de/",
            "<p><a href=\"https://example.org/Stra%C3%9Fe\">https://example.org/Straße</a> und \
             <a href=\"https://b%C3%BCcher.de/\">https://bücher.de/</a></p>\n",
        ),
        (
            "https://de.wikipedia.org/wiki/Jiangmen_(Stadt)",
            "<p><a href=\"https://de.wikipedia.org/wiki/Jiangmen_(Stadt)\">https://de.wikipedia.org/wiki/Jiangmen_(Stadt)</a></p>\n",
        ),
    ];
    for (source, expected) in cases {
        assert_eq!(md(source), expected, "source: {source:?}");
    }
}

#[test]
fn code_html_and_existing_links_are_left_alone() {
    let cases = [
        "`https://example.org/code`",
        "```\ncurl https://example.org/block\n```",
        "    indented https://example.org/block",
        "<code>https://example.org/raw</code>",
        "<a href=\"https://example.org/x\">https://example.org/x</a>",
        "<div>\nhttps://example.org/html-block\n</div>",
        "[https://example.org/a](https://example.org/b)",
        "[www.example.org](https://example.org/b)",
        "![www.example.org](x.png)",
        "<https://example.org/angle>",
    ];
    for source in cases {
        let plain = render(source, &Options::default(), &|_| None).html;
        assert_eq!(md(source), plain, "source: {source:?}");
    }
    assert_eq!(
        md("*www.example.org* __https://example.org__ ~~a@b.cd~~"),
        "<p><em><a href=\"https://www.example.org\">www.example.org</a></em> \
         <strong><a href=\"https://example.org\">https://example.org</a></strong> \
         <del><a href=\"mailto:a@b.cd\">a@b.cd</a></del></p>\n"
    );
}

#[test]
fn off_by_default_in_the_library_options() {
    assert_eq!(
        render("www.example.org", &Options::default(), &|_| None).html,
        "<p>www.example.org</p>\n"
    );
}

#[test]
fn fixture_site_links_bare_addresses_in_three_languages() {
    let built = build("autolinks");
    let zh = built.read("links/index.html");
    for expected in [
        "详见<a href=\"https://example.org/plan\">https://example.org/plan</a>。",
        "（见<a href=\"https://www.example.org\">www.example.org</a>）",
        "请发邮件至<a href=\"mailto:info@example.org\">info@example.org</a>，谢谢。",
        "<code>https://example.org/code</code>",
        "curl https://example.org/block",
        "<a href=\"https://example.org/plan\">计划</a>",
    ] {
        assert!(zh.contains(expected), "{expected} not in\n{zh}");
    }
    let en = built.read("en/links/index.html");
    for expected in [
        "See <a href=\"https://example.org/plan\">https://example.org/plan</a>, or \
         <a href=\"https://www.example.org/a.b\">www.example.org/a.b</a>. Write to \
         <a href=\"mailto:info@example.org\">info@example.org</a>.",
        "<code>curl https://example.org/code</code>",
        "<code>https://example.org/raw</code>",
        "<a href=\"https://example.org/x\">https://example.org/x</a>",
    ] {
        assert!(en.contains(expected), "{expected} not in\n{en}");
    }
    let de = built.read("de/links/index.html");
    for expected in [
        "(siehe <a href=\"https://example.org/plan\">https://example.org/plan</a>).",
        "„<a href=\"https://example.org\">https://example.org</a>“",
        "<a href=\"https://de.wikipedia.org/wiki/Jiangmen_(Stadt)\">",
        "an <a href=\"mailto:info@example.org\">info@example.org</a>.",
    ] {
        assert!(de.contains(expected), "{expected} not in\n{de}");
    }
    // No autolink is counted as a local link or reported.
    assert!(
        built.report.warnings.is_empty(),
        "{:?}",
        built.report.warnings
    );
}

#[test]
fn markdown_autolinks_false_turns_it_off() {
    let dir = copy_fixture("autolinks");
    let toml = dir.path().join("site.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    std::fs::write(&toml, format!("{text}\n[markdown]\nautolinks = false\n")).unwrap();
    let built = build_root(dir.path(), |_| {}).unwrap();
    let zh = built.read("links/index.html");
    assert!(zh.contains("<p>详见https://example.org/plan。</p>"), "{zh}");
}

#[test]
fn unknown_markdown_key_is_an_error_with_position() {
    let dir = copy_fixture("autolinks");
    let toml = dir.path().join("site.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    let lines = text.lines().count();
    std::fs::write(&toml, format!("{text}\n[markdown]\nautolink = false\n")).unwrap();
    let errors = build_root(dir.path(), |_| {}).err().expect("an error");
    let e = &errors[0];
    assert!(e.message.contains("autolink"), "{}", e.message);
    assert_eq!(e.line, Some(lines + 3));
}
