//! Cross-language checks of `qiao check` on the `crosscheck` fixture: the glossary
//! (`Kernzonen` passes, `Kerngebiet` is forbidden, a missing rendering is reported), numbers
//! (`300` ↔ `more than 300`, `1.2万` ↔ `12,000` / `12.000`, a missing number), counts (a
//! missing heading), sections compared as a whole, `qiao: ignore` comments, drafts left
//! alone, glossary errors, `--strict`, and the same report whatever the number of threads.

mod common;

use common::{build_root, copy_fixture, fixture, qiao};

/// `file:line:col: message` of every warning `qiao check` gives for a site.
fn findings(root: &std::path::Path, drafts: bool) -> Vec<String> {
    let b = build_root(root, |o| {
        o.write = false;
        o.drafts = drafts;
    })
    .unwrap_or_else(|ds| panic!("{ds:#?}"));
    b.report
        .warnings
        .iter()
        .map(|d| format!("{}: {}", d.location(), d.message))
        .collect()
}

const NOTE: &str = " (note: 一区 / 核心区 of 一中心+一区+N基地)";

fn expected() -> Vec<String> {
    vec![
        format!(
            "content/forbidden.de.md:4:5: `Kerngebiet` is a forbidden rendering of `核心区` in de (source content/forbidden.md:4){NOTE}"
        ),
        format!(
            "content/forbidden.en.md:4:1: `核心区` (source content/forbidden.md:4) must be rendered `core zone` in en, but this paragraph does not use it{NOTE}"
        ),
        "content/headings.en.md:4:1: 1 heading here, 2 in the source content/headings.md (the 2nd at line 8); numbers and terms are compared with the whole page".into(),
        "content/numbers.en.md:6:1: the number 80 of the source (content/numbers.md:6) has no counterpart in this paragraph".into(),
        "content/sections.de.md:4:1: the number 10 of the source (content/sections.md:6) has no counterpart in this section".into(),
    ]
}

/// Every example of the issue, each with its file, line and column; everything else of the
/// fixture passes: `Kernzonen` and `core zones` (zone.*.md), `1.2万` as `12,000` and
/// `12.000`, `300家以上` as `more than 300` and `mehr als 300`, `2016年2月29日` as
/// `29 February 2016` and `29. Februar 2016`, table cells read apart (`| 10 | 300 |` is not
/// 10300), `service center` as one of two accepted
/// renderings, a number moved to the next paragraph of the same section, a block marked
/// `<!-- qiao: ignore numbers -->`, and a draft translation.
#[test]
fn each_example_is_found_where_it_is() {
    let root = fixture("crosscheck");
    assert_eq!(findings(&root, false), expected());
    // drafts are not checked, even when they are built
    assert_eq!(findings(&root, true), expected());
}

#[test]
fn strict_fails_the_check_with_exit_code_1() {
    let root = fixture("crosscheck");
    let r = root.to_str().unwrap();
    let ok = qiao(&["check", "--root", r], &[]);
    assert_eq!(ok.status.code(), Some(0));
    let strict = qiao(&["check", "--strict", "--root", r], &[]);
    assert_eq!(strict.status.code(), Some(1));
    let err = String::from_utf8_lossy(&strict.stderr);
    assert!(
        err.contains("error: `Kerngebiet` is a forbidden rendering of `核心区` in de"),
        "{err}"
    );
    assert!(err.contains("--> content/forbidden.de.md:4:5"), "{err}");
    let build = qiao(&["build", "--strict", "--root", r], &[]);
    assert_eq!(build.status.code(), Some(1));
}

#[test]
fn the_report_is_the_same_with_one_thread_or_many() {
    let root = fixture("crosscheck");
    let r = root.to_str().unwrap();
    let one = qiao(&["check", "--root", r], &[("RAYON_NUM_THREADS", "1")]);
    let many = qiao(&["check", "--root", r], &[("RAYON_NUM_THREADS", "8")]);
    let body = |o: &std::process::Output| {
        let e = String::from_utf8_lossy(&o.stderr).into_owned();
        assert!(e.contains("Kerngebiet"), "{e}");
        e
    };
    assert_eq!(body(&one), body(&many));
}

#[test]
fn a_fixed_translation_has_no_finding() {
    let site = copy_fixture("crosscheck");
    let root = site.path();
    let content = root.join("content");
    std::fs::write(
        content.join("forbidden.de.md"),
        "---\ntitle: Dienste\n---\nDie Kernzone hat ein Servicezentrum.\n",
    )
    .unwrap();
    std::fs::write(
        content.join("forbidden.en.md"),
        "---\ntitle: Services\n---\nThe core zone has a service centre.\n",
    )
    .unwrap();
    std::fs::write(
        content.join("numbers.en.md"),
        "---\ntitle: Numbers\n---\nOn 29 February 2016 the zone was unveiled.\n\n\
         More than 300 enterprises, among them 80 European enterprises.\n\n\
         | Indicator | 2016 | 2018 |\n| --- | ---: | ---: |\n| Enterprises | 10 | 300 |\n",
    )
    .unwrap();
    std::fs::write(
        content.join("headings.en.md"),
        "---\ntitle: Structure\n---\n## Background\n\nText.\n\n## Targets\n\nText.\n",
    )
    .unwrap();
    std::fs::write(
        content.join("sections.de.md"),
        "---\ntitle: Abschnitte\n---\n## Ziele\n\nBis Ende 2018 sollen 300 Unternehmen kommen.\n\n\
         Und zehn Plattformen.\n",
    )
    .unwrap();
    assert_eq!(findings(root, false), Vec::<String>::new());
}

#[test]
fn a_deliberate_difference_can_be_silenced() {
    let site = copy_fixture("crosscheck");
    let root = site.path();
    let content = root.join("content");
    let append = |file: &str, text: &str| {
        let p = content.join(file);
        let old = std::fs::read_to_string(&p).unwrap();
        std::fs::write(&p, format!("{old}{text}")).unwrap();
    };
    append("headings.en.md", "\n<!-- qiao: ignore counts -->\n");
    // an instruction within the block it is about
    let p = content.join("numbers.en.md");
    let t = std::fs::read_to_string(&p).unwrap().replace(
        "European enterprises.",
        "European enterprises. <!-- qiao: ignore numbers -->",
    );
    std::fs::write(&p, t).unwrap();
    // on its own line before the block, and a word it does not know
    let p = content.join("forbidden.de.md");
    let t = std::fs::read_to_string(&p).unwrap().replace(
        "Das Kerngebiet",
        "<!-- qiao: ignore terms, typos -->\nDas Kerngebiet",
    );
    std::fs::write(&p, t).unwrap();
    assert_eq!(
        findings(root, false),
        [
            "content/forbidden.de.md:4:1: `qiao: ignore` does not know `typos`".to_string(),
            expected()[1].clone(),
            expected()[4].clone(),
        ]
    );
}

#[test]
fn glossary_errors_stop_the_check_with_line_and_column() {
    let site = copy_fixture("crosscheck");
    let root = site.path();
    std::fs::write(
        root.join("i18n/glossary.toml"),
        "[[term]]\nsource = \"核心区\"\nde = \"Kernzone\"\nnotes = \"x\"\nfr = \"zone centrale\"\n\n[[term]]\nen = \"y\"\n",
    )
    .unwrap();
    let errors: Vec<String> = build_root(root, |o| o.write = false)
        .err()
        .expect("a bad glossary is an error")
        .iter()
        .filter(|d| d.is_error())
        .map(|d| d.to_string())
        .collect();
    assert_eq!(
        errors,
        [
            "i18n/glossary.toml:4:1: error: unknown key `notes` in a glossary term (hint: did you mean `note`?)",
            "i18n/glossary.toml:5:1: error: language `fr` is not configured in site.toml (hint: the languages to translate into are en, de; add [languages.fr] to site.toml or remove this key)",
            "i18n/glossary.toml:7:1: error: this term has no `source` (hint: add source = \"...\": the term as the default-language pages write it)",
        ]
    );
    // a syntax error names its place too
    std::fs::write(root.join("i18n/glossary.toml"), "[[term]\nsource = 1\n").unwrap();
    let errors = build_root(root, |o| o.write = false).err().unwrap();
    assert!(
        errors
            .iter()
            .any(|d| d.is_error() && d.location().starts_with("i18n/glossary.toml:1:")),
        "{errors:#?}"
    );
}
