//! Directives (`::figure{…}`, `:::notice` … `:::`) and language spans (`[以上]{lang=zh}`):
//! the built-ins in all three languages of a fixture site, a site's own directive template,
//! errors with file, line and column, code left alone, the CommonMark examples unchanged,
//! and the `lang` of Han runs in the zone site's English and German pages.
//! Snapshots regenerate with `INSTA_UPDATE=always cargo test --test directives`.

mod common;

use common::{build, build_root, copy_fixture};
use qiao::directive::{Call, Expand, Expansion, Problem};

/// The `<article>` of a page: what the body's directives wrote, without the theme around it.
fn article(html: &str) -> &str {
    let start = html.find("<article").expect("the page has an article");
    let end = html.find("</article>").expect("the article ends") + "</article>".len();
    &html[start..end]
}

#[test]
fn built_in_directives_in_three_languages() {
    let b = build("directives");
    for (name, rel) in [
        ("directives_zh", "news/opening/index.html"),
        ("directives_en", "en/news/opening/index.html"),
        ("directives_de", "de/news/opening/index.html"),
        ("directives_site_template", "about/index.html"),
    ] {
        insta::assert_snapshot!(name, article(&b.read(rel)));
    }
    let zh = b.read("news/opening/index.html");
    // Directive-like text in code is left as it is.
    assert!(zh.contains("<code>::figure{src=\"x.png\"}</code>"));
    assert!(zh.contains(
        "<pre><code>::figure{src=\"x.png\" alt=\"{{ x }}\"}\n:::notice\n{% raw %}\n:::\n</code></pre>"
    ));
    // No third-party request before a click: no iframe anywhere, only a link.
    assert!(!zh.contains("<iframe"));
    // A file in another language than the page says so; one in the page's language does not.
    let en = b.read("en/news/opening/index.html");
    assert!(en.contains("href=\"/en/news/opening/plan.zh.pdf\" download hreflang=\"zh-Hans\""));
    assert!(en.contains("<span lang=\"zh-Hans\">中文</span>"));
    let de = b.read("de/news/opening/index.html");
    assert!(de.contains("href=\"/de/news/opening/plan.de.pdf\" download>Der Plan</a>"));
}

#[test]
fn file_sizes_are_written_in_the_readers_locale() {
    let site = copy_fixture("directives");
    let plan = site.path().join("content/news/opening/plan.de.pdf");
    std::fs::write(&plan, vec![b'0'; 1_200_000]).unwrap();
    let b = build_root(site.path(), |_| {}).unwrap();
    let meta = |rel: &str| {
        let html = b.read(rel);
        let at = html.find("plan.de.pdf").unwrap();
        let start = at + html[at..].find("download-meta").unwrap();
        html[start..start + html[start..].find("</span>").unwrap()].to_string()
    };
    assert_eq!(
        meta("de/news/opening/index.html"),
        "download-meta\">(PDF, 1,2\u{a0}MB)"
    );
    assert!(meta("en/news/opening/index.html").contains("(PDF, 1.2\u{a0}MB, "));
    assert!(meta("news/opening/index.html").contains("(PDF, 1.2\u{a0}MB, "));
}

/// (file, line, column, message, hint) of each diagnostic.
type Located = (String, Option<usize>, Option<usize>, String, String);

fn located(ds: &[qiao::diagnostics::Diagnostic]) -> Vec<Located> {
    ds.iter()
        .map(|d| {
            (
                d.path
                    .as_deref()
                    .map(|p| p.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                d.line,
                d.column,
                d.message.clone(),
                d.hint.clone().unwrap_or_default(),
            )
        })
        .collect()
}

#[test]
fn bad_directives_are_errors_with_file_line_and_column_all_at_once() {
    let site = copy_fixture("directives");
    std::fs::write(
        site.path().join("content/news/bad.en.md"),
        "---\ntitle: Bad\n---\nText.\n\n\
         ::figure{src=\"/files/rules.txt\" alt=\"x\" captoin=\"y\"}\n\n\
         ::figure{src=\"/files/rules.txt\"}\n\n\
         ::figur{src=\"a.png\"}\n\n\
         :::notice{kind=\"warnig\"}\nx\n:::\n\n\
         ::download{src=\"missing.pdf\"}\n\n\
         It is [以上]{lang=\"zh Hans\"}.\n\n\
         :::notice\nnever closed\n",
    )
    .unwrap();
    let errs = build_root(site.path(), |_| {})
        .err()
        .expect("the build fails");
    let rel = "content/news/bad.en.md".to_string();
    let at = |line: usize, column: usize, message: &str, hint: &str| {
        (
            rel.clone(),
            Some(line),
            Some(column),
            message.to_string(),
            hint.to_string(),
        )
    };
    assert_eq!(
        located(&errs),
        [
            at(
                6,
                41,
                "`figure` has no argument `captoin`",
                "did you mean `caption`?"
            ),
            at(
                8,
                3,
                "`figure` needs the argument `alt`",
                "add `alt=\"…\"` between the braces"
            ),
            at(
                10,
                3,
                "unknown directive `::figur`",
                "did you mean `figure`?"
            ),
            at(
                12,
                16,
                "`kind` of `notice` must be one of info, warning, not `warnig`",
                "did you mean `warning`?"
            ),
            at(
                16,
                16,
                "there is no file `missing.pdf` in content/news/",
                "put the file beside the page in its bundle (content/…/name/index.md), or in \
                 static/ and write its path from the site's root"
            ),
            at(
                18,
                17,
                "`zh Hans` is not a language tag (BCP 47, such as `zh`, `en-GB` or `de`)",
                "use one of the site's languages (zh, en, de) or a BCP 47 tag such as `ja` or `en-GB`"
            ),
            at(
                20,
                4,
                "the container `:::notice` is never closed",
                "end it with a line of 3 colons (`:::`) at the start of a line"
            ),
        ]
    );
}

#[test]
fn a_template_header_that_cannot_be_read_is_an_error() {
    let site = copy_fixture("directives");
    std::fs::write(
        site.path().join("templates/directives/quote.html"),
        "{#- directive\n    args: by(needed)\n-#}\n{{ body | safe }}",
    )
    .unwrap();
    let errs = build_root(site.path(), |_| {})
        .err()
        .expect("the build fails");
    let found = located(&errs);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].0, "templates/directives/quote.html");
    assert!(found[0].3.contains("`needed` in `by(…)`"), "{}", found[0].3);
}

/// Knows `figure` and `notice`, as the built-in theme does; writes nothing of interest.
struct Known;

impl Expand for Known {
    fn knows(&self, name: &str) -> bool {
        matches!(name, "figure" | "notice")
    }

    fn expand(&self, call: &Call, _: Option<&str>) -> Result<Expansion, Vec<Problem>> {
        Ok(Expansion::Leaf(format!("<div>{}</div>", call.name)))
    }
}

#[test]
fn the_commonmark_examples_render_as_without_directives() {
    let text = std::fs::read_to_string(common::fixture("commonmark/spec-examples.json")).unwrap();
    let examples: Vec<String> = serde_json::from_str(&text).unwrap();
    assert_eq!(examples.len(), 652);
    let options = qiao::markdown::Options {
        languages: vec![("zh".into(), "zh-Hans".into())],
        ..Default::default()
    };
    for example in &examples {
        let plain = qiao::markdown::render(example, &Default::default(), &|_| None);
        let with = qiao::markdown::render_with(example, &options, &|_| None, Some(&Known));
        assert_eq!(plain.html, with.html, "{example:?}");
        assert!(with.directive_problems.is_empty(), "{example:?}");
    }
}

#[test]
fn han_runs_in_the_zone_sites_english_and_german_pages_are_marked_chinese() {
    let b = build_root(env!("CARGO_MANIFEST_DIR").as_ref(), |_| {}).unwrap();
    for (rel, around) in [
        (
            "en/policy/targets-2018/index.html",
            "(<span lang=\"zh-Hans\">以上</span> in the Plan)",
        ),
        (
            "de/policy/targets-2018/index.html",
            "<span lang=\"zh-Hans\">以上</span>",
        ),
    ] {
        let html = b.read(rel);
        assert!(html.contains(around), "{rel}");
    }
    // The Chinese pages are left as they are.
    let zh = b.read("policy/targets-2018/index.html");
    assert!(!zh.contains("<span lang=\"zh-Hans\">"));
}
