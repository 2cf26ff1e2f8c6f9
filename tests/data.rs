//! Data files under `data/`: `get_data` per language, with per-language files merged over
//! the common one and numbers formatted per locale, and the errors of bad data files and
//! unknown names.

mod common;

/// The rows of the `#targets` table of a page: (label, figure).
fn rows(html: &str) -> Vec<(String, String)> {
    let table = html
        .split(r#"<table id="targets">"#)
        .nth(1)
        .and_then(|t| t.split("</table>").next())
        .unwrap_or_else(|| panic!("no targets table in {html}"));
    table
        .split("<tr>")
        .skip(1)
        .map(|r| {
            let label = r
                .split("<th scope=\"row\">")
                .nth(1)
                .unwrap()
                .split("</th>")
                .next()
                .unwrap();
            let value = r
                .split("<td>")
                .nth(1)
                .unwrap()
                .split("</td>")
                .next()
                .unwrap();
            (label.to_string(), value.to_string())
        })
        .collect()
}

fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[test]
fn get_data_merges_the_language_file_and_formats_per_locale() {
    let b = common::build("data");
    let zh = b.read("index.html");
    assert!(zh.contains("<caption>2018年底量化目标</caption>"), "{zh}");
    assert_eq!(
        rows(&zh),
        pairs(&[
            ("涉欧企业（家）", "300"),
            ("面积（公顷）", "1,250.5"),
            ("欧洲企业占比", "0.25"),
        ])
    );
    let en = b.read("en/index.html");
    assert!(en.contains("<caption>Targets for the end of 2018</caption>"));
    // `share` has no English label: the common file's stands (tables merge key by key).
    assert_eq!(
        rows(&en),
        pairs(&[
            ("Europe-related enterprises", "300"),
            ("Area (hectares)", "1,250.5"),
            ("欧洲企业占比", "0.25"),
        ])
    );
    let de = b.read("de/index.html");
    assert!(de.contains("<caption>Ziele bis Ende 2018</caption>"));
    assert_eq!(
        rows(&de),
        pairs(&[
            ("Unternehmen mit Europabezug", "300"),
            ("Fläche (Hektar)", "1.250,5"),
            ("Anteil europäischer Unternehmen", "0,25"),
        ])
    );
    // `lang=` asks for another language; a file in a directory is named by its path.
    assert!(en.contains(r#"<p id="de">Ziele bis Ende 2018</p>"#));
    assert!(
        en.contains(r#"<p id="facts">5 29 February 2016</p>"#),
        "{en}"
    );
    assert!(
        de.contains(r#"<p id="facts">5 29. Februar 2016</p>"#),
        "{de}"
    );
}

/// Builds a copy of the data fixture after `change`; the diagnostics, which must fail it.
fn errors_after(change: impl FnOnce(&std::path::Path)) -> Vec<qiao::diagnostics::Diagnostic> {
    let site = common::copy_fixture("data");
    change(site.path());
    match common::build_root(site.path(), |_| {}) {
        Ok(_) => panic!("the build should fail"),
        Err(ds) => ds,
    }
}

#[test]
fn an_unknown_name_lists_the_known_ones() {
    let ds = errors_after(|root| {
        let t = root.join("templates/index.html");
        let text = std::fs::read_to_string(&t).unwrap();
        std::fs::write(
            &t,
            text.replace(r#"name="zone/facts""#, r#"name="zone/fact""#),
        )
        .unwrap();
    });
    let all: Vec<String> = ds.iter().map(|d| d.to_string()).collect();
    let d = ds
        .iter()
        .find(|d| d.message.contains("get_data"))
        .unwrap_or_else(|| panic!("{all:#?}"));
    assert!(
        d.message
            .contains("no data `zone/fact`; did you mean `zone/facts`?"),
        "{all:#?}"
    );
    assert!(
        d.message
            .contains("the data files are: targets, zone/facts"),
        "{all:#?}"
    );
}

#[test]
fn syntax_errors_name_file_line_and_column() {
    let ds = errors_after(|root| {
        std::fs::write(
            root.join("data/targets.en.toml"),
            "caption = \"x\"\nlabels = [\n",
        )
        .unwrap();
        std::fs::write(root.join("data/zone/facts.json"), "{\n  \"bases\": 5,\n}\n").unwrap();
        std::fs::write(
            root.join("data/targets.de.yaml"),
            "caption: a\n labels: b\n",
        )
        .unwrap();
    });
    let located = |file: &str| {
        ds.iter()
            .find(|d| d.path.as_deref() == Some(std::path::Path::new(file)))
            .unwrap_or_else(|| panic!("no error for {file}: {ds:#?}"))
    };
    let toml = located("data/targets.en.toml");
    assert!(toml.message.starts_with("invalid data file"), "{toml:?}");
    assert_eq!((toml.line, toml.column), (Some(2), Some(11)), "{toml:?}");
    let json = located("data/zone/facts.json");
    assert_eq!((json.line, json.column), (Some(3), Some(1)), "{json:?}");
    let yaml = located("data/targets.de.yaml");
    assert_eq!(yaml.line, Some(2), "{yaml:?}");
    assert!(ds.iter().all(|d| d.line.is_some()), "{ds:#?}");
}

#[test]
fn one_name_in_two_formats_is_an_error() {
    let ds = errors_after(|root| {
        std::fs::write(root.join("data/targets.yaml"), "caption: b\n").unwrap();
    });
    assert!(
        ds.iter().any(|d| d.is_error()
            && d.message
                == "data/targets.yaml and data/targets.toml both define the data `targets`"),
        "{ds:#?}"
    );
}

#[test]
fn a_name_missing_in_a_language_says_which_languages_have_it() {
    let ds = errors_after(|root| {
        std::fs::write(root.join("data/only.de.toml"), "x = 1\n").unwrap();
        let t = root.join("templates/index.html");
        let text = std::fs::read_to_string(&t).unwrap();
        std::fs::write(
            &t,
            text.replace(
                "{% endblock content %}",
                "{% set only = get_data(name=\"only\") %}{{ only.x }}{% endblock content %}",
            ),
        )
        .unwrap();
    });
    assert!(
        ds.iter().any(|d| d
            .message
            .contains("get_data: the data `only` has no file for language `zh` (only for de)")),
        "{ds:#?}"
    );
}
