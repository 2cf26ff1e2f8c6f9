//! Fluent messages through the `t` function and locale-aware filters, on the `i18n`
//! fixture: plurals, terms, attributes, fallback chains, escaping, and every error the
//! catalog reports, with file and line.

mod common;

use common::{build_root, copy_fixture, fixture};

fn para(html: &str, id: &str) -> String {
    let start = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no #{id} in {html}"));
    let rest = &html[start..];
    let open = rest.find('>').unwrap() + 1;
    let close = rest.find("</").unwrap();
    rest[open..close].to_string()
}

#[test]
fn plurals_for_zero_one_two_in_english_and_german() {
    let b = common::build("i18n");
    let en = b.read("en/index.html");
    assert_eq!(
        para(&en, "n0"),
        "0 enterprises have settled in the China-EU Zone"
    );
    assert_eq!(
        para(&en, "n1"),
        "1 enterprise has settled in the China-EU Zone"
    );
    assert_eq!(
        para(&en, "n2"),
        "2 enterprises have settled in the China-EU Zone"
    );
    let de = b.read("de/index.html");
    assert_eq!(
        para(&de, "n0"),
        "0 Unternehmen haben sich in der Kooperationszone angesiedelt"
    );
    assert_eq!(
        para(&de, "n1"),
        "1 Unternehmen hat sich in der Kooperationszone angesiedelt"
    );
    assert_eq!(
        para(&de, "n2"),
        "2 Unternehmen haben sich in der Kooperationszone angesiedelt"
    );
}

#[test]
fn numbers_in_messages_follow_the_locale() {
    let b = common::build("i18n");
    assert_eq!(
        para(&b.read("index.html"), "n1234"),
        "已有 1,234 家企业入驻中欧合作区"
    );
    assert_eq!(
        para(&b.read("en/index.html"), "n1234"),
        "1,234 enterprises have settled in the China-EU Zone"
    );
    assert_eq!(
        para(&b.read("de/index.html"), "n1234"),
        "1.234 Unternehmen haben sich in der Kooperationszone angesiedelt"
    );
}

#[test]
fn terms_attributes_dates_and_filters() {
    let b = common::build("i18n");
    let zh = b.read("index.html");
    assert!(zh.contains("中欧合作区"), "the term -zone-name is used");
    assert!(zh.contains(r#"title="返回首页">首页</a>"#));
    assert_eq!(para(&zh, "dotted"), "返回首页");
    assert_eq!(para(&zh, "date"), "发布于 2016年2月29日");
    assert_eq!(
        para(&zh, "filters"),
        "2016年2月29日 | 1,234.5 | 1,234,567.89"
    );
    let en = b.read("en/index.html");
    assert_eq!(
        para(&en, "date"),
        "Published on 29 February 2016",
        "en-GB locale"
    );
    assert_eq!(
        para(&en, "filters"),
        "29 February 2016 | 1,234.5 | 1,234,567.89"
    );
    let de = b.read("de/index.html");
    assert!(de.contains(r#"title="Zurück zur Startseite">Startseite</a>"#));
    assert_eq!(para(&de, "date"), "Veröffentlicht am 29. Februar 2016");
    assert_eq!(
        para(&de, "filters"),
        "29. Februar 2016 | 1.234,5 | 1.234.567,89"
    );
}

#[test]
fn output_is_escaped_and_never_has_isolation_marks() {
    let b = common::build("i18n");
    for rel in ["index.html", "en/index.html", "de/index.html"] {
        let html = b.read(rel);
        assert!(
            !html.contains('\u{2068}') && !html.contains('\u{2069}'),
            "{rel}"
        );
    }
    assert_eq!(
        para(&b.read("en/index.html"), "escaped"),
        "Hello, &lt;b&gt;Ada&lt;/b&gt;"
    );
}

#[test]
fn fallback_chain_is_used_with_a_warning() {
    let b = common::build("i18n");
    // de has no `en-zh`; its chain is de → en → zh
    assert_eq!(
        para(&b.read("de/index.html"), "fallback"),
        "English wording"
    );
    let w = b
        .report
        .warnings
        .iter()
        .find(|w| w.message.contains("`en-zh` is missing in de"))
        .expect("a warning for the fallback");
    assert!(
        w.message
            .contains("de pages show it from en (fallback chain de → en → zh)")
    );
    assert_eq!(
        w.path.as_deref(),
        Some(std::path::Path::new("i18n/en/main.ftl"))
    );
    assert_eq!(w.line, Some(6));
}

#[test]
fn unused_messages_are_listed() {
    let b = common::build("i18n");
    assert_eq!(b.report.unused_messages, vec!["only-zh".to_string()]);
    let o = common::qiao(&["check", "--root", fixture("i18n").to_str().unwrap()], &[]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("unused messages: only-zh"));
}

#[test]
fn strict_fails_on_missing_translations() {
    assert!(build_root(&fixture("i18n"), |o| o.strict = true).is_err());
    let o = common::qiao(
        &[
            "check",
            "--root",
            fixture("i18n").to_str().unwrap(),
            "--strict",
        ],
        &[],
    );
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn syntax_error_names_file_line_and_column() {
    let site = copy_fixture("i18n");
    std::fs::write(
        site.path().join("i18n/de/broken.ftl"),
        "ok = gut\nbroken = { $count -> }\nfine = ja\n",
    )
    .unwrap();
    let errs = build_root(site.path(), |_| {}).err().unwrap();
    let d = errs
        .iter()
        .find(|d| d.message.starts_with("Fluent syntax error"))
        .expect("syntax error");
    assert_eq!(
        d.path.as_deref(),
        Some(std::path::Path::new("i18n/de/broken.ftl"))
    );
    assert_eq!(d.line, Some(2));
    assert_eq!(d.column, Some(22));
    assert_eq!(
        d.message,
        "Fluent syntax error: expected the end of the line here"
    );
}

#[test]
fn undefined_message_and_missing_variable_are_errors() {
    let site = copy_fixture("i18n");
    let tpl = site.path().join("templates/index.html");
    let text = std::fs::read_to_string(&tpl).unwrap().replace(
        "</body>",
        "<p>{{ t(key=\"no-such-message\") }}</p><p>{{ t(key=\"greeting\") }}</p></body>",
    );
    std::fs::write(&tpl, text).unwrap();
    let errs = build_root(site.path(), |_| {}).err().unwrap();
    let undefined = errs
        .iter()
        .find(|d| {
            d.message
                .contains("`no-such-message` is not defined in any language")
        })
        .expect("undefined");
    assert!(undefined.is_error());
    let var = errs
        .iter()
        .find(|d| d.message.contains("uses the variable `$name`"))
        .expect("missing variable");
    assert!(var.is_error());
}

#[test]
fn a_message_missing_from_the_whole_chain_is_an_error() {
    let site = copy_fixture("i18n");
    // zh's chain is zh alone; a message only English has cannot be shown in Chinese
    std::fs::write(
        site.path().join("i18n/en/extra.ftl"),
        "english-only = Only English\n",
    )
    .unwrap();
    let tpl = site.path().join("templates/index.html");
    let text = std::fs::read_to_string(&tpl)
        .unwrap()
        .replace("</body>", "<p>{{ t(key=\"english-only\") }}</p></body>");
    std::fs::write(&tpl, text).unwrap();
    let errs = build_root(site.path(), |_| {}).err().unwrap();
    let d = errs.iter().find(|d| d.is_error()).unwrap();
    assert!(
        d.message.contains(
            "`english-only` is missing in zh and in its fallback chain (zh); only en has it"
        ),
        "{}",
        d.message
    );
}

#[test]
fn messages_named_in_templates_count_as_used_even_when_not_rendered() {
    let site = copy_fixture("i18n");
    let tpl = site.path().join("templates/index.html");
    let text = std::fs::read_to_string(&tpl).unwrap().replace(
        "</body>",
        "{% if lang == \"xx\" %}{{ t(key='only-zh') }}{% endif %}</body>",
    );
    std::fs::write(&tpl, text).unwrap();
    let b = build_root(site.path(), |_| {}).unwrap();
    assert!(
        b.report.unused_messages.is_empty(),
        "{:?}",
        b.report.unused_messages
    );
}

#[test]
fn each_message_is_located_at_its_own_definition_in_large_files() {
    let site = copy_fixture("i18n");
    // `title =` also occurs inside `page-title =` and in a value: the definition is the
    // line that starts with the id.
    let mut ftl = String::from("page-title = 页 title = x\ntitle = 标题\n");
    for i in 0..10_000 {
        ftl.push_str(&format!("m{i} = 第{i}条\n    .attr = a{i}\n"));
    }
    std::fs::write(site.path().join("i18n/en/many.ftl"), ftl).unwrap();
    let b = build_root(site.path(), |_| {}).unwrap();
    let missing = |id: &str| {
        b.report
            .warnings
            .iter()
            .find(|w| {
                w.message
                    .starts_with(&format!("the message `{id}` is missing in de"))
            })
            .unwrap_or_else(|| panic!("no warning for {id}"))
    };
    let w = missing("title");
    assert_eq!(w.line, Some(2));
    assert_eq!(w.source_line.as_deref(), Some("title = 标题"));
    assert_eq!(missing("page-title").line, Some(1));
    let w = missing("m9999");
    assert_eq!(w.line, Some(3 + 2 * 9999));
    assert_eq!(w.source_line.as_deref(), Some("m9999 = 第9999条"));
}
