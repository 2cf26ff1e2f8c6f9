//! `qiao xliff export` and `qiao xliff import` end to end, through the real binary on a
//! copy of the `exchange` fixture (a Chinese source with headings, inline markup, a list,
//! a table, a code block and a footnote; a German translation of it; one translation whose
//! paragraphs were merged; one source without translation): round trips that change no
//! byte, one edited target that changes one block, inline codes, stale blocks, errors with
//! positions, and real consumers (translate-toolkit, msgfmt) where they are installed.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use common::{copy_fixture, qiao_at, tree};

/// A copy of the fixture whose German translation records the source's current revision.
fn site() -> tempfile::TempDir {
    let site = copy_fixture("exchange");
    let (code, _, err) = qiao_at(
        site.path(),
        &[
            "translate",
            "content/news/unveiling.md",
            "--to",
            "de",
            "--mark-current",
        ],
    );
    assert_eq!(code, 0, "{err}");
    site
}

/// The file an export in `format` is written to.
fn exported(root: &Path, format: &str) -> std::path::PathBuf {
    root.join(match format {
        "xliff" => "out.xlf",
        "xliff12" => "out-12.xlf",
        _ => "out.po",
    })
}

fn export(root: &Path, format: &str) -> String {
    let file = exported(root, format);
    let (code, _, err) = qiao_at(
        root,
        &[
            "xliff",
            "export",
            "--to",
            "de",
            "--format",
            format,
            "--output",
            file.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{err}");
    std::fs::read_to_string(file).unwrap()
}

fn import(root: &Path, name: &str, text: &str) -> (i32, String, String) {
    let file = root.join(name);
    std::fs::write(&file, text).unwrap();
    qiao_at(root, &["xliff", "import", file.to_str().unwrap()])
}

fn content(root: &Path) -> BTreeMap<String, Vec<u8>> {
    tree(&root.join("content"))
}

fn read(root: &Path, rel: &str) -> String {
    std::fs::read_to_string(root.join(rel)).unwrap()
}

/// The lines of `b` that differ from `a`'s, by position.
fn changed_lines(a: &str, b: &str) -> Vec<String> {
    assert_eq!(a.lines().count(), b.lines().count(), "{a}\n---\n{b}");
    a.lines()
        .zip(b.lines())
        .filter(|(x, y)| x != y)
        .map(|(_, y)| y.to_string())
        .collect()
}

#[test]
fn round_trip_without_edits_changes_no_byte() {
    let site = site();
    let root = site.path();
    let before = content(root);
    for format in ["xliff", "xliff12", "po"] {
        let text = export(root, format);
        let (code, out, err) = import(root, &format!("back.{format}"), &text);
        assert_eq!(code, 0, "{format}: {err}");
        assert!(
            out.contains("0 fields and blocks changed in 0 files"),
            "{out}"
        );
        assert_eq!(before, content(root), "{format}: a file changed");
    }
}

#[test]
fn a_translation_saved_with_bom_and_crlf_keeps_them() {
    let site = site();
    let root = site.path();
    let de = root.join("content/news/unveiling.de.md");
    let windows = format!(
        "\u{feff}{}",
        read(root, "content/news/unveiling.de.md").replace('\n', "\r\n")
    );
    std::fs::write(&de, &windows).unwrap();
    let x = export(root, "xliff");
    let (code, _, err) = import(root, "same.xlf", &x);
    assert_eq!(code, 0, "{err}");
    assert_eq!(read(root, "content/news/unveiling.de.md"), windows);
    let edited = x.replace("Die Feier ist beendet.", "Die Feier ist zu Ende.");
    let (code, _, err) = import(root, "edited.xlf", &edited);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        read(root, "content/news/unveiling.de.md"),
        windows.replace("Die Feier ist beendet.", "Die Feier ist zu Ende.")
    );
}

#[test]
fn export_is_deterministic_and_names_locales() {
    let site = site();
    let a = export(site.path(), "xliff");
    assert_eq!(a, export(site.path(), "xliff"));
    assert!(a.contains(
        "<xliff xmlns=\"urn:oasis:names:tc:xliff:document:2.0\" version=\"2.1\" srcLang=\"zh-Hans\" trgLang=\"de-DE\">"
    ));
    let files: Vec<&str> = a
        .lines()
        .filter_map(|l| l.split("original=\"").nth(1))
        .map(|l| l.trim_end_matches("\">"))
        .collect();
    assert_eq!(
        files,
        [
            "content/_index.md",
            "content/news/_index.md",
            "content/news/merged.md",
            "content/news/only-zh.md",
            "content/news/unveiling.md"
        ]
    );
    let (code, _, err) = qiao_at(site.path(), &["xliff", "export", "--to", "zh"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("`zh` is not a configured language to translate into"),
        "{err}"
    );
    let po = export(site.path(), "po");
    assert!(po.contains("\"Language: de-DE\\n\""));
    assert!(po.contains("msgctxt \"content/news/unveiling.md#b2-paragraph\""));
}

#[test]
fn inline_markup_is_protected_and_structure_stays_out() {
    let site = site();
    let x = export(site.path(), "xliff");
    // Link, emphasis, inline code and footnote reference are codes with their Markdown.
    assert!(
        x.contains("<data id=\"d4\">](https://example.org/wanda)</data>"),
        "{x}"
    );
    assert!(x.contains("<data id=\"d5\">`qiao build`</data>"), "{x}");
    assert!(
        x.contains("<ph id=\"6\" dataRef=\"d6\" canCopy=\"no\" canDelete=\"no\" disp=\"[^1]\"/>")
    );
    // Heading marks, list markers and heading attributes are not in the units.
    assert!(x.contains("<source xml:space=\"preserve\">挂牌仪式</source>"));
    assert!(x.contains("<source xml:space=\"preserve\">第一项：中欧服务中心</source>"));
    // The code block is not a unit, but keeps its place in the numbering.
    assert!(!x.contains("qiao build\n</"));
    assert!(x.contains("unit id=\"b8-paragraph\""));
    let po = export(site.path(), "po");
    assert!(po.contains("#. {4} = ](https://example.org/wanda)"));
    assert!(
        po.contains("{1}合作区{2}挂牌仪式在{3}江门万达广场{4}举行，"),
        "{po}"
    );
}

#[test]
fn one_changed_target_changes_one_block_only() {
    for format in ["xliff", "xliff12", "po"] {
        let site = site();
        let root = site.path();
        let before = read(root, "content/news/unveiling.de.md");
        let text = export(root, format);
        let edited = text.replace(
            "Erstens: das Servicezentrum",
            "Erstens: das neue Servicezentrum",
        );
        assert_ne!(text, edited);
        let (code, out, err) = import(root, &format!("edited.{format}"), &edited);
        assert_eq!(code, 0, "{err}");
        assert!(
            out.contains("1 fields and blocks changed in 1 files"),
            "{out}"
        );
        let after = read(root, "content/news/unveiling.de.md");
        assert_eq!(
            changed_lines(&before, &after),
            ["- Erstens: das neue Servicezentrum China-EU"],
            "{format}"
        );
    }
}

#[test]
fn inline_codes_survive_an_edit_around_them() {
    let site = site();
    let root = site.path();
    let x = export(root, "xliff");
    let edited = x.replace("Wanda Plaza Jiangmen<ph", "Wanda-Plaza in Jiangmen<ph");
    let (code, _, err) = import(root, "e.xlf", &edited);
    assert_eq!(code, 0, "{err}");
    let after = read(root, "content/news/unveiling.de.md");
    assert!(
        after.contains("in der [Wanda-Plaza in Jiangmen](https://example.org/wanda) statt; `qiao build` genügt[^1]."),
        "{after}"
    );
    assert!(
        after.contains("der **Zone**\nin der"),
        "the soft break stays: {after}"
    );
    let (code, _, err) = qiao_at(root, &["build"]);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn a_changed_source_block_is_initial_and_its_translation_makes_the_page_current() {
    let site = site();
    let root = site.path();
    let src = root.join("content/news/unveiling.md");
    let text = read(root, "content/news/unveiling.md").replace("仪式结束。", "仪式圆满结束。");
    std::fs::write(&src, text).unwrap();
    let (_, out, _) = qiao_at(root, &["status", "--lang", "de"]);
    assert!(out.contains("stale"), "{out}");
    let x = export(root, "xliff");
    let states: Vec<(&str, &str)> = x
        .split("<unit id=\"")
        .skip(1)
        .filter(|u| u.contains("新闻") || u.contains("仪式"))
        .map(|u| {
            (
                u.split('"').next().unwrap(),
                u.split("state=\"")
                    .nth(1)
                    .unwrap()
                    .split('"')
                    .next()
                    .unwrap(),
            )
        })
        .collect();
    assert!(states.contains(&("b8-paragraph", "initial")), "{states:?}");
    assert!(states.contains(&("b1-heading", "translated")), "{states:?}");
    // Translate the one unit and mark it translated.
    let edited = x.replace(
        "<segment state=\"initial\">\n        <source xml:space=\"preserve\">仪式圆满结束。</source>\n        <target xml:space=\"preserve\">Die Feier ist beendet.</target>",
        "<segment state=\"translated\">\n        <source xml:space=\"preserve\">仪式圆满结束。</source>\n        <target xml:space=\"preserve\">Die Feier ist erfolgreich beendet.</target>",
    );
    assert_ne!(x, edited);
    let before = read(root, "content/news/unveiling.de.md");
    let (code, out, err) = import(root, "t.xlf", &edited);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("now records the source's current revision"),
        "{out}"
    );
    let after = read(root, "content/news/unveiling.de.md");
    let changed = changed_lines(&before, &after);
    assert_eq!(changed.len(), 2, "{changed:?}");
    assert!(changed[0].starts_with("translation_of: "));
    assert_eq!(changed[1], "Die Feier ist erfolgreich beendet.");
    let (_, json, _) = qiao_at(root, &["status", "--json", "--lang", "de"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["languages"][0]["total"]["stale"], 0, "{json}");
}

#[test]
fn tags_are_one_unit_whose_items_keep_their_number() {
    let site = site();
    let root = site.path();
    let x = export(root, "xliff");
    assert!(
        x.contains("<source xml:space=\"preserve\">江门<ph id=\"1\" dataRef=\"d1\" canCopy=\"no\" canDelete=\"no\" disp=\", \"/>合作区</source>"),
        "{x}"
    );
    let before = read(root, "content/news/unveiling.de.md");
    let edited = x.replace(
        "disp=\", \"/>Kooperationszone</target>",
        "disp=\", \"/>Zone \"EU\"</target>",
    );
    assert_ne!(x, edited);
    let (code, _, err) = import(root, "tags.xlf", &edited);
    assert_eq!(code, 0, "{err}");
    let after = read(root, "content/news/unveiling.de.md");
    assert_eq!(
        after,
        before.replace(
            "tags:\n  - Jiangmen\n  - Kooperationszone\n",
            "tags: [\"Jiangmen\", \"Zone \\\"EU\\\"\"]\n"
        )
    );
    let (code, _, err) = qiao_at(root, &["build"]);
    assert_eq!(code, 0, "{err}");
    // A translation with one tag fewer deletes the separator: refused.
    let po = export(root, "po");
    let fewer = po.replace(
        "msgstr \"Jiangmen{1}Zone \\\"EU\\\"\"",
        "msgstr \"Jiangmen\"",
    );
    assert_ne!(po, fewer);
    let (code, _, err) = import(root, "fewer.po", &fewer);
    assert_eq!(code, 1);
    assert!(
        err.contains("unit `tags` of content/news/unveiling.md: placeholder {1}"),
        "{err}"
    );
}

#[test]
fn a_missing_translation_is_created_from_the_stub() {
    let site = site();
    let root = site.path();
    let po = export(root, "po");
    let edited = po.replace(
        "msgctxt \"content/news/only-zh.md#b1-paragraph\"\nmsgid \"只有中文版本。\"\nmsgstr \"\"",
        "msgctxt \"content/news/only-zh.md#b1-paragraph\"\nmsgid \"只有中文版本。\"\nmsgstr \"Nur auf Chinesisch.\"",
    );
    assert_ne!(po, edited);
    let (code, _, err) = import(root, "n.po", &edited);
    assert_eq!(code, 0, "{err}");
    let made = read(root, "content/news/only-zh.de.md");
    assert!(made.contains("draft: true"), "{made}");
    assert!(made.ends_with("---\nNur auf Chinesisch.\n"), "{made}");
}

#[test]
fn merged_paragraphs_are_exported_without_targets_and_not_overwritten() {
    let site = site();
    let root = site.path();
    let x = export(root, "xliff");
    assert!(x.contains("the source has 2 blocks and the translation 1"));
    let merged = x
        .split("original=\"content/news/merged.md\"")
        .nth(1)
        .unwrap()
        .split("</file>")
        .next()
        .unwrap();
    assert_eq!(
        merged.matches("<target").count(),
        1,
        "only the title: {merged}"
    );
    let edited = x
        .replace(
            "<source xml:space=\"preserve\">第一段。</source>",
            "<source xml:space=\"preserve\">第一段。</source><target>Absatz eins.</target>",
        )
        .replace(
            "<target xml:space=\"preserve\">Zusammengelegte Absätze</target>",
            "<target xml:space=\"preserve\">Zusammengeführte Absätze</target>",
        );
    let before = read(root, "content/news/merged.de.md");
    let (code, _, err) = import(root, "m.xlf", &edited);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("unit `b1-paragraph` is not applied to content/news/merged.de.md"),
        "{err}"
    );
    let after = read(root, "content/news/merged.de.md");
    assert_eq!(
        changed_lines(&before, &after),
        ["title: \"Zusammengeführte Absätze\""]
    );
}

#[test]
fn a_unit_whose_source_changed_since_the_export_is_skipped() {
    let site = site();
    let root = site.path();
    let x = export(root, "xliff");
    let src = root.join("content/news/unveiling.md");
    std::fs::write(
        &src,
        read(root, "content/news/unveiling.md").replace("仪式结束。", "仪式结束了。"),
    )
    .unwrap();
    let edited = x.replace("Die Feier ist beendet.", "Die Feier ist zu Ende.");
    let before = content(root);
    let (code, _, err) = import(root, "s.xlf", &edited);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("the source of unit `b8-paragraph` changed since the export"),
        "{err}"
    );
    assert!(err.contains("content/news/unveiling.md:23"), "{err}");
    assert_eq!(before, content(root));
}

#[test]
fn a_block_that_moved_since_the_export_is_found_by_its_source() {
    let site = site();
    let root = site.path();
    let x = export(root, "xliff");
    // A paragraph added at the top of the source and of its translation: block 8 is now 9.
    for (rel, new) in [
        ("content/news/unveiling.md", "新增段落。"),
        ("content/news/unveiling.de.md", "Neuer Absatz."),
    ] {
        let text = read(root, rel).replacen("---\n## ", &format!("---\n{new}\n\n## "), 1);
        std::fs::write(root.join(rel), text).unwrap();
    }
    let before = read(root, "content/news/unveiling.de.md");
    let edited = x.replace("Die Feier ist beendet.", "Die Feier ist zu Ende.");
    let (code, _, err) = import(root, "moved.xlf", &edited);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        changed_lines(&before, &read(root, "content/news/unveiling.de.md")),
        ["Die Feier ist zu Ende."]
    );
    // Two units for one block: an error, nothing written.
    let unit = x
        .split("    <unit id=\"b8-paragraph\"")
        .nth(1)
        .unwrap()
        .split("</unit>\n")
        .next()
        .unwrap();
    let twice = x.replacen(
        "    <unit id=\"b8-paragraph\"",
        &format!("    <unit id=\"b8-paragraph\"{unit}</unit>\n    <unit id=\"b8-paragraph\""),
        1,
    );
    let (code, _, err) = import(root, "twice.xlf", &twice);
    assert_eq!(code, 1);
    assert!(
        err.contains("unit `b8-paragraph` of content/news/unveiling.md is in the file twice"),
        "{err}"
    );
}

#[test]
fn bad_files_give_errors_with_positions_and_write_nothing() {
    let site = site();
    let root = site.path();
    let x = export(root, "xliff");
    let before = content(root);

    let malformed = x.replacen("</target>", "</targt>", 1);
    let (code, _, err) = import(root, "bad.xlf", &malformed);
    assert_eq!(code, 1);
    assert!(err.contains("malformed XLIFF"), "{err}");
    let line = malformed
        .lines()
        .position(|l| l.contains("</targt>"))
        .unwrap()
        + 1;
    assert!(err.contains(&format!("bad.xlf:{line}:")), "{err}");

    let unknown = x
        .replace("<unit id=\"b8-paragraph\"", "<unit id=\"b99-paragraph\"")
        .replace(">仪式结束。<", ">没有这一段。<");
    let (code, _, err) = import(root, "unknown.xlf", &unknown);
    assert_eq!(code, 1);
    let line = unknown
        .lines()
        .position(|l| l.contains("b99-paragraph"))
        .unwrap()
        + 1;
    assert!(
        err.contains(
            "unit `b99-paragraph` of content/news/unveiling.md is not a field or block of that file"
        ),
        "{err}"
    );
    assert!(err.contains(&format!("unknown.xlf:{line}:5")), "{err}");

    // A deleted code, together with a good edit: nothing is written.
    let deleted = x
        .replace(
            "Wanda Plaza Jiangmen<ph id=\"4\" dataRef=\"d4\" canCopy=\"no\" canDelete=\"no\" disp=\"](https://example.org/wanda)\"/>",
            "Wanda Plaza Jiangmen",
        )
        .replace("Die Feier ist beendet.", "Die Feier ist zu Ende.");
    let (code, _, err) = import(root, "deleted.xlf", &deleted);
    assert_eq!(code, 1);
    assert!(
        err.contains("unit `b2-paragraph` of content/news/unveiling.md: inline code <ph id=\"4\"> (`](https://example.org/wanda)`) was deleted"),
        "{err}"
    );
    assert!(err.contains("nothing was written"), "{err}");

    let po = export(root, "po");
    let deleted = po.replace("{3}Wanda Plaza Jiangmen{4}", "{3}Wanda Plaza Jiangmen");
    assert_ne!(po, deleted);
    let (code, _, err) = import(root, "deleted.po", &deleted);
    assert_eq!(code, 1);
    let line = deleted
        .lines()
        .position(|l| l == "msgctxt \"content/news/unveiling.md#b2-paragraph\"")
        .unwrap()
        + 1;
    assert!(
        err.contains(&format!("deleted.po:{line}:1")) && err.contains("placeholder {4}"),
        "{err}"
    );
    let unterminated = po.replacen(
        "msgstr \"Eröffnung der Zone\"",
        "msgstr \"Eröffnung der Zone",
        1,
    );
    assert_ne!(po, unterminated);
    let (code, _, err) = import(root, "unterminated.po", &unterminated);
    assert_eq!(code, 1);
    let line = unterminated
        .lines()
        .position(|l| l == "msgstr \"Eröffnung der Zone")
        .unwrap()
        + 1;
    assert!(
        err.contains(&format!("unterminated.po:{line}:1")) && err.contains("malformed PO string"),
        "{err}"
    );
    let twice = po.replace("{5} genügt{6}", "{5} genügt{5}{6}");
    assert_ne!(po, twice);
    let (code, _, err) = import(root, "twice.po", &twice);
    assert_eq!(code, 1);
    assert!(err.contains("placeholder {5} occurs 2 times"), "{err}");
    assert_eq!(before, content(root));
}

/// Whether a command runs successfully (for the tools the consumer test needs).
fn available(program: &str, args: &[&str]) -> bool {
    Command::new(program)
        .args(args)
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn real_consumers_read_the_files_and_their_edits_import() {
    if !available("python3", &["-c", "import translate"]) {
        eprintln!("skipped: translate-toolkit is not installed (pip install translate-toolkit)");
        return;
    }
    if !available("msgfmt", &["--version"]) {
        eprintln!("skipped: msgfmt is not installed (apt-get install gettext)");
        return;
    }
    let site = site();
    let root = site.path();
    let xlf = exported(root, "xliff");
    let po = exported(root, "po");
    export(root, "xliff");
    export(root, "po");
    let units = 18;

    // gettext accepts the PO file.
    let o = Command::new("msgfmt")
        .args(["--check", "-o", "/dev/null"])
        .arg(&po)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

    // translate-toolkit: pocount counts the PO and XLIFF 1.2 units alike (its format
    // detection takes every XLIFF for 1.2); its XLIFF 2 reader loads the XLIFF 2.1 file.
    export(root, "xliff12");
    for file in [&po, &exported(root, "xliff12")] {
        let o = Command::new("python3")
            .args(["-m", "translate.tools.pocount", "--csv"])
            .arg(file)
            .output()
            .unwrap();
        let csv = String::from_utf8_lossy(&o.stdout);
        assert!(
            o.status.success(),
            "{csv}{}",
            String::from_utf8_lossy(&o.stderr)
        );
        // Filename, then translated, fuzzy, untranslated and total messages among word counts.
        let row: Vec<usize> = csv
            .lines()
            .nth(1)
            .unwrap_or("")
            .split(',')
            .skip(1)
            .map(|c| c.trim().parse().unwrap())
            .collect();
        assert_eq!((row[0], row[3], row[5], row[7]), (11, 1, 6, units), "{csv}");
    }

    // Edit one target with the toolkit's own API, save, import.
    let script = r#"
import sys
from translate.storage import xliff2, factory
kind, path = sys.argv[1], sys.argv[2]
if kind == "xliff":
    store = xliff2.Xliff2File.parsefile(path)
    units = [u for u in store.units if not u.isheader()]
    assert len(units) == int(sys.argv[3]), len(units)
    unit = [u for u in units if u.source == "仪式结束。"][0]
    unit.target = "Die Feier ist vorbei."
    unit.marktranslated()
elif kind == "xliff12":
    store = factory.getobject(path)
    unit = [u for u in store.units if u.getid() == "content/news/unveiling.md\x04b1-heading"][0]
    unit.target = "Die Eröffnungsfeier"
else:
    store = factory.getobject(path)
    unit = [u for u in store.units if u.getcontext() == "content/news/unveiling.md#b3-list_item"][0]
    unit.target = "Erstens: das Servicezentrum EU-China"
store.save()
"#;
    let xlf12 = exported(root, "xliff12");
    for (kind, path, line) in [
        ("xliff", &xlf, "Die Feier ist vorbei."),
        ("xliff12", &xlf12, "## Die Eröffnungsfeier {#ceremony}"),
        ("po", &po, "- Erstens: das Servicezentrum EU-China"),
    ] {
        // Exported now, after the previous import: a target in an exchange file replaces
        // what the translation says at import time.
        export(root, kind);
        let before = read(root, "content/news/unveiling.de.md");
        let o = Command::new("python3")
            .args(["-c", script, kind])
            .arg(path)
            .arg(units.to_string())
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        if kind == "po" {
            let o = Command::new("msgfmt")
                .args(["--check", "-o", "/dev/null"])
                .arg(path)
                .output()
                .unwrap();
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        }
        let (code, _, err) = qiao_at(root, &["xliff", "import", path.to_str().unwrap()]);
        assert_eq!(code, 0, "{kind}: {err}");
        let after = read(root, "content/news/unveiling.de.md");
        assert_eq!(changed_lines(&before, &after), [line], "{kind}");
    }
}
