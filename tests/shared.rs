//! Shared front matter fields (`[translation] shared` in site.toml): translations inherit
//! them from their source, a different value is a warning naming both files and lines, and
//! `qiao translate` leaves them out of its stubs.

mod common;

use std::path::Path;

/// The text of the `#shared` paragraph of a page: date, weight, role, district.
fn shared(b: &common::Built, page: &str) -> String {
    let html = b.read(page);
    html.split(r#"<p id="shared">"#)
        .nth(1)
        .and_then(|t| t.split("</p>").next())
        .unwrap_or_else(|| panic!("no #shared in {html}"))
        .to_string()
}

#[test]
fn a_translation_inherits_what_it_omits_and_keeps_what_it_sets() {
    let b = common::build("shared");
    assert_eq!(
        shared(&b, "news/core/index.html"),
        "2016-02-29 1 core 江门市"
    );
    // Date, weight and role from the source; the district (not shared) is its own.
    assert_eq!(
        shared(&b, "en/news/core/index.html"),
        "2016-02-29 1 core Jiangmen"
    );
    assert_eq!(shared(&b, "en/news/base/index.html"), "2016-03-01 2 base ");
    // Its own weight stands (with a warning), the equal date is fine.
    assert_eq!(shared(&b, "de/news/core/index.html"), "2016-02-29 5 core ");
    // The inherited weights order the English list as the Chinese one.
    let list = b.read("en/news/index.html");
    let (core, base) = (
        list.find("/en/news/core/").unwrap(),
        list.find("/en/news/base/").unwrap(),
    );
    assert!(core < base, "{list}");
    // The inherited date is in the feed.
    assert!(b.read("en/atom.xml").contains("2016-03-01"));
}

#[test]
fn a_different_value_is_a_warning_with_both_places() {
    let b = common::build("shared");
    let w: Vec<_> = b
        .report
        .warnings
        .iter()
        .filter(|d| d.message.contains("shared"))
        .collect();
    assert_eq!(w.len(), 1, "{:#?}", b.report.warnings);
    let d = w[0];
    assert_eq!(
        d.path.as_deref(),
        Some(Path::new("content/news/core.de.md"))
    );
    assert_eq!(d.line, Some(4));
    assert_eq!(
        d.message,
        "`weight` is shared by all languages, but this translation sets 5 where its source \
         content/news/core.md:4 sets 1"
    );
    assert_eq!(d.source_line.as_deref(), Some("weight: 5"));
    // --strict makes it an error.
    let strict = common::build_root(&common::fixture("shared"), |o| o.strict = true);
    assert!(strict.is_err());
}

#[test]
fn stubs_leave_shared_fields_out() {
    let site = common::copy_fixture("shared");
    let root = site.path().to_str().unwrap();
    let out = common::qiao(
        &["translate", "news/base", "--to", "de", "--root", root],
        &[],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stub = std::fs::read_to_string(site.path().join("content/news/base.de.md")).unwrap();
    assert!(stub.starts_with("---\ntitle: \"基地\""), "{stub}");
    for gone in ["date:", "weight:", "extra:", "role:"] {
        assert!(!stub.contains(gone), "{gone} in {stub}");
    }
    assert!(stub.contains("\ntranslation_of: "), "{stub}");
    assert!(stub.ends_with("---\n基地。\n"), "{stub}");
    // Once published, it inherits them.
    let text = stub.replace("draft: true  # publish once translated\n", "");
    std::fs::write(site.path().join("content/news/base.de.md"), text).unwrap();
    let b = common::build_root(site.path(), |_| {}).unwrap();
    assert_eq!(shared(&b, "de/news/base/index.html"), "2016-03-01 2 base ");
}

#[test]
fn unknown_shared_names_are_errors_with_a_hint() {
    let site = common::copy_fixture("shared");
    let toml = site.path().join("site.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    std::fs::write(
        &toml,
        text.replace(
            r#"shared = ["date", "weight", "extra.role"]"#,
            r#"shared = ["date", "wieght", "title"]"#,
        ),
    )
    .unwrap();
    let Err(ds) = common::build_root(site.path(), |_| {}) else {
        panic!("the build should fail");
    };
    let line = text
        .lines()
        .position(|l| l.starts_with("shared ="))
        .unwrap()
        + 1;
    let wieght = ds
        .iter()
        .find(|d| d.message.contains("wieght"))
        .unwrap_or_else(|| panic!("{ds:#?}"));
    assert_eq!(
        wieght.message,
        "[translation] shared: `wieght` is not a front matter field that can be shared"
    );
    assert_eq!(wieght.hint.as_deref(), Some("did you mean `weight`?"));
    assert_eq!((wieght.line, wieght.column), (Some(line), Some(19)));
    assert!(
        ds.iter()
            .any(|d| d.message
                == "[translation] shared: `title` is translated, so it cannot be shared"),
        "{ds:#?}"
    );
}
