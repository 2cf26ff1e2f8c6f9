//! The repository's own site, the zone's publication, built as `qiao build` builds it by
//! default: the things a reader relies on, in all three languages.

mod common;

use std::path::Path;

fn zone() -> common::Built {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    common::build_root(root, |_| {}).unwrap_or_else(|ds| {
        panic!(
            "{}",
            ds.iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        )
    })
}

#[test]
fn builds_cleanly_in_three_languages() {
    let b = zone();
    assert!(b.report.warnings.is_empty(), "{:#?}", b.report.warnings);
    assert!(
        b.report.unused_messages.is_empty(),
        "{:?}",
        b.report.unused_messages
    );
    for (code, n) in &b.report.pages_per_language {
        assert!(*n >= 15, "{code}: {n} pages");
    }
}

#[test]
fn every_translation_is_its_own_canonical_and_lists_the_others() {
    let b = zone();
    for (prefix, locale) in [("", "zh-Hans"), ("en/", "en-GB"), ("de/", "de")] {
        let html = b.read(&format!("{prefix}news/zone-unveiling/index.html"));
        assert!(
            html.contains(&format!("<html lang=\"{locale}\"")),
            "{prefix}"
        );
        assert!(
            html.contains(&format!(
                r#"<link rel="canonical" href="https://zone.example.org/{prefix}news/zone-unveiling/">"#
            )),
            "{prefix}: canonical"
        );
        for (other, other_locale) in [("", "zh-Hans"), ("en/", "en-GB"), ("de/", "de")] {
            assert!(
                html.contains(&format!(
                    r#"hreflang="{other_locale}" href="https://zone.example.org/{other}news/zone-unveiling/""#
                )),
                "{prefix} -> {other}"
            );
        }
    }
}

#[test]
fn dates_are_localized() {
    let b = zone();
    assert!(
        b.read("news/zone-unveiling/index.html")
            .contains("2016年2月29日")
    );
    assert!(
        b.read("en/news/zone-unveiling/index.html")
            .contains("29 February 2016")
    );
    assert!(
        b.read("de/news/zone-unveiling/index.html")
            .contains("29. Februar 2016")
    );
}

#[test]
fn a_stale_translation_shows_the_notice_in_the_readers_language() {
    let site = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for entry in ["site.toml", "content", "themes", "data"] {
        let status = std::process::Command::new("cp")
            .args([
                "-r",
                root.join(entry).to_str().unwrap(),
                site.path().to_str().unwrap(),
            ])
            .status()
            .unwrap();
        assert!(status.success());
    }
    let out = common::qiao(
        &[
            "translate",
            "content/news/zone-unveiling.md",
            "--to",
            "de",
            "--mark-current",
            "--root",
            site.path().to_str().unwrap(),
        ],
        &[],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let src = site.path().join("content/news/zone-unveiling.md");
    let text =
        std::fs::read_to_string(&src)
            .unwrap()
            .replacen("2月29日上午", "2016年2月29日上午", 1);
    std::fs::write(&src, text).unwrap();
    let b = common::build_root(site.path(), |_| {}).unwrap();
    let de = b.read("de/news/zone-unveiling/index.html");
    assert!(
        de.contains(
            "Diese Übersetzung entspricht möglicherweise nicht der neuesten chinesischen Fassung."
        ),
        "{de}"
    );
    assert!(de.contains(r#"<a href="/news/zone-unveiling/" hreflang="zh-Hans">Zum Original</a>"#));
    // every translation of the zone site records its source revision, so the English one
    // is stale too, while a page whose source did not change shows no notice
    assert!(
        b.read("en/news/zone-unveiling/index.html")
            .contains("notice--stale")
    );
    assert!(!b.read("de/about/index.html").contains("notice--stale"));
}

/// The publication's own words live in the top-level `i18n/` and override the theme's generic
/// defaults message by message: the group headings of the bases page name the zone's layout
/// ("one centre + one core zone + N bases") in each language.
#[test]
fn the_sites_own_messages_override_the_themes_defaults() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for code in ["zh", "en", "de"] {
        let own = std::fs::read_to_string(root.join(format!("i18n/{code}/zone.ftl"))).unwrap();
        assert!(own.contains("role-group = "), "{code}: {own}");
    }
    let b = zone();
    for (prefix, core, base) in [
        ("", "一区", "N基地"),
        ("en/", "One core zone", "N bases"),
        ("de/", "Eine Kernzone", "N Industriestandorte"),
    ] {
        let html = b.read(&format!("{prefix}bases/index.html"));
        for (role, label) in [("core", core), ("base", base)] {
            let heading = format!("card-group__title--{role}\">{label}</h");
            assert!(html.contains(&heading), "{prefix}bases/: no {heading}");
        }
    }
}

/// Both themes ship a favicon and link it, so browsers do not ask for a missing
/// `/favicon.ico` on every page load (a 404 in the serve log each time).
#[test]
fn every_page_links_a_favicon_that_exists() {
    let zone = zone();
    let builtin = common::build("trilingual");
    for b in [&zone, &builtin] {
        for page in ["index.html", "en/index.html", "404.html"] {
            let html = b.read(page);
            let link = html
                .split("<link rel=\"icon\" href=\"")
                .nth(1)
                .unwrap_or("");
            assert!(
                link.split('"')
                    .next()
                    .unwrap_or("")
                    .ends_with("/favicon.svg"),
                "{page}: {link:.80}"
            );
        }
        assert!(b.read("favicon.svg").starts_with("<svg "));
    }
}

/// The zone's translations are all current by the source revision qiao computes now: a
/// change to how revisions are hashed that would make every site's translations look stale
/// fails here first (see `translation::Revision` for how older hashes stay valid).
#[test]
fn every_translation_records_the_current_source_revision() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let status = qiao::status::status(&qiao::status::StatusOptions {
        root: root.to_path_buf(),
        lang: None,
    })
    .unwrap_or_else(|ds| panic!("{ds:#?}"));
    assert_eq!(status.languages.len(), 2);
    for l in &status.languages {
        let t = &l.total;
        assert!(t.pages > 0);
        assert_eq!(
            (t.current, t.stale, t.untracked, t.draft, t.missing),
            (t.pages, 0, 0, 0, 0),
            "{}: {:#?}",
            l.code,
            l.sections
                .iter()
                .flat_map(|s| &s.attention)
                .collect::<Vec<_>>()
        );
        assert!(l.legacy_revisions.is_empty(), "{:?}", l.legacy_revisions);
    }
}

/// The 2018 targets come from one data file (data/targets.toml, words per language in
/// targets.en.toml and targets.de.toml) and are rendered after the page's own heading as an
/// accessible table: a caption, column and row headers with `scope`.
#[test]
fn the_targets_table_comes_from_the_data_file_in_every_language() {
    let b = zone();
    for (prefix, caption, first_row) in [
        ("", "2018年底量化目标", "引进入驻涉欧企业（家）"),
        (
            "en/",
            "Quantitative targets for the end of 2018",
            "Europe-related enterprises attracted to the zone",
        ),
        (
            "de/",
            "Kennzahlen bis Ende 2018",
            "Angesiedelte Unternehmen mit Europabezug",
        ),
    ] {
        let html = b.read(&format!("{prefix}policy/targets-2018/index.html"));
        let heading = html
            .find(r#"<h2 id="targets-table">"#)
            .expect("the heading");
        let table = html
            .find(r#"<table class="data-table">"#)
            .expect("the table");
        assert!(heading < table, "{prefix}: the table follows its heading");
        assert!(html.contains(&format!(
            r#"<caption class="visually-hidden">{caption}</caption>"#
        )));
        assert_eq!(html.matches(r#"<th scope="col""#).count(), 2, "{prefix}");
        assert!(html.contains(&format!(
            r#"<tr><th scope="row">{first_row}</th><td class="num">≥ 300</td></tr>"#
        )));
        let figures: Vec<&str> = html
            .split(r#"<td class="num">≥ "#)
            .skip(1)
            .map(|s| s.split('<').next().unwrap())
            .collect();
        assert_eq!(figures, ["300", "80", "10", "30", "10", "10"], "{prefix}");
        assert_eq!(html.matches("<table").count(), 1, "{prefix}: one table");
    }
}

#[test]
fn the_glossary_is_enforced_on_the_zone_site() {
    // The site builds without a finding (builds_cleanly_in_three_languages); a forbidden
    // variant in one German paragraph is one, at its place, and fails a strict build.
    let site = common::zone_copy();
    let page = site.path().join("content/bases/core-zone.de.md");
    let text = std::fs::read_to_string(&page).unwrap();
    assert!(
        text.contains("die Kernzone auf Branchen"),
        "the paragraph the test changes"
    );
    std::fs::write(
        &page,
        text.replacen(
            "die Kernzone auf Branchen",
            "das Kerngebiet auf Branchen",
            1,
        ),
    )
    .unwrap();
    let built = common::build_root(site.path(), |_| {}).unwrap();
    let findings: Vec<String> = built
        .report
        .warnings
        .iter()
        .map(|w| format!("{} {}", w.location(), w.message))
        .collect();
    assert!(
        findings
            .iter()
            .any(|f| f.starts_with("content/bases/core-zone.de.md:") && f.contains("Kerngebiet")),
        "{findings:#?}"
    );
    let errors = common::build_root(site.path(), |o| o.strict = true)
        .err()
        .expect("strict fails");
    assert!(
        errors.iter().any(|e| e.message.contains("Kerngebiet")),
        "{errors:#?}"
    );
}
