//! Paragraph-level staleness end to end, through the real binary on a copy of the trilingual
//! fixture whose article is rewritten here: an English translation with the source's
//! structure, a German one that merged two paragraphs. Which blocks `qiao status` reports and
//! where they land, the `--diff` block view, `data-stale` and the notice readers see, and
//! `qiao translate --mark-current --block N`.

mod common;

use std::path::Path;

use common::{attention, build_root, copy_fixture, edit, qiao_at};

const SOURCE: &str = "content/news/unveiling.md";
const EN: &str = "content/news/unveiling.en.md";
const DE: &str = "content/news/unveiling.de.md";

/// Blocks: 1 导言段落, 2 ## 背景, 3 第一段, 4 第二段, 5 甲, 6 乙, 7 ## 目标, 8 目标段落.
const ZH_TEXT: &str = "---\ntitle: 中欧合作区挂牌\ndate: 2016-02-29\ntags: [中欧合作, 江门]\n\
categories: [新闻]\naliases: [\"/old/unveiling/\"]\n---\n导言段落。\n\n## 背景\n\n第一段。\n\n\
第二段。\n\n- 甲\n- 乙\n\n## 目标 {#targets}\n\n目标段落。\n";

/// The same structure: block N is block N.
const EN_TEXT: &str = "---\ntitle: China-EU zone unveiled\ndate: 2016-02-29\n\
tags: [China-EU cooperation, Jiangmen]\ncategories: [News]\n---\nIntroduction.\n\n\
## Background\n\nFirst paragraph.\n\nSecond paragraph.\n\n- A\n- B\n\n## Targets {#targets}\n\n\
Target paragraph.\n";

/// The first and second paragraphs of the background merged into one.
const DE_TEXT: &str = "---\ntitle: Zone eröffnet\ndate: 2016-02-29\n\
tags: [China-EU-Zusammenarbeit, Jiangmen]\ncategories: [Nachrichten]\n---\nEinleitung.\n\n\
## Hintergrund\n\nErster und zweiter Absatz.\n\n- A\n- B\n\n## Ziele {#targets}\n\nZielabsatz.\n";

/// The fixture with the article above, both translations marked current.
fn site() -> tempfile::TempDir {
    let site = copy_fixture("trilingual");
    let root = site.path();
    for (rel, text) in [(SOURCE, ZH_TEXT), (EN, EN_TEXT), (DE, DE_TEXT)] {
        std::fs::write(root.join(rel), text).unwrap();
    }
    for lang in ["en", "de"] {
        ok(root, &["translate", SOURCE, "--to", lang, "--mark-current"]);
    }
    site
}

/// Runs a command that must succeed and returns its output.
fn ok(root: &Path, args: &[&str]) -> String {
    let (code, out, err) = qiao_at(root, args);
    assert_eq!(code, 0, "{args:?}: {err}");
    out
}

/// The numbers of the changed blocks (or names of changed fields) of a stale translation.
fn changed(root: &Path, rel: &str) -> Vec<String> {
    let page = attention(root, rel).expect("stale");
    page["changed_blocks"]["changed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| match c["block"].as_u64() {
            Some(n) => n.to_string(),
            None => c["kind"].as_str().unwrap().to_string(),
        })
        .collect()
}

/// The start tags that carry `data-stale` in a page, in order.
fn stale_tags(html: &str) -> Vec<String> {
    html.match_indices("data-stale")
        .map(|(i, _)| {
            let start = html[..i].rfind('<').unwrap();
            let end = i + html[i..].find('>').unwrap();
            html[start..=end].to_string()
        })
        .collect()
}

#[test]
fn status_says_which_blocks_changed_and_where_they_land() {
    let site = site();
    let root = site.path();
    edit(root, SOURCE, "第二段。", "第二段有改动。");
    edit(root, SOURCE, "- 乙", "- 乙丙");
    let page = attention(root, EN).unwrap();
    assert_eq!(page["state"], "stale");
    assert_eq!(
        page["changed_blocks"],
        serde_json::json!({
            "changed": [
                { "block": 4, "kind": "paragraph", "line": 14, "excerpt": "第二段有改动。",
                  "translation_line": 14, "translation_blocks": [4] },
                { "block": 6, "kind": "list_item", "line": 17, "excerpt": "- 乙丙",
                  "translation_line": 17, "translation_blocks": [6] }
            ],
            "removed": 0,
            "alignment": "structure",
            "alignment_reason": null
        })
    );
    // (The translation's front matter now holds `translation_of` too.)
    let out = ok(root, &["status", "--lang", "en"]);
    assert!(
        out.contains(
            "    changed since (blocks aligned by structure):\n      \
             block 4: paragraph at line 14 (第二段有改动。)  → translation line 14\n      \
             block 6: list item at line 17 (- 乙丙)  → translation line 17\n"
        ),
        "{out}"
    );
}

#[test]
fn a_merged_paragraph_aligns_by_section_and_says_so() {
    let site = site();
    let root = site.path();
    edit(root, SOURCE, "第二段。", "第二段有改动。");
    let page = attention(root, DE).unwrap();
    let c = &page["changed_blocks"];
    assert_eq!(c["alignment"], "by-section");
    assert_eq!(
        c["alignment_reason"],
        "section 1 (line 10) has 5 block(s) in the source and 4 in the translation \
         (paragraphs merged or split?): its changed blocks may land on a neighbour too"
    );
    // The second paragraph lands on the merged one (block 3 of the translation), and only
    // on it: the heading and the list are not paragraphs.
    assert_eq!(c["changed"][0]["block"], 4);
    assert_eq!(
        c["changed"][0]["translation_blocks"],
        serde_json::json!([3])
    );
    assert_eq!(c["changed"][0]["translation_line"], 12);
    let out = ok(root, &["status", "--lang", "de"]);
    assert!(
        out.contains("    changed since (blocks aligned by section only: section 1 (line 10) has"),
        "{out}"
    );
    let b = build_root(root, |_| {}).unwrap();
    assert_eq!(
        stale_tags(&b.read("de/news/unveiling/index.html")),
        ["<p data-stale aria-describedby=\"stale-block-hint\">"]
    );
    assert!(b.read("de/news/unveiling/index.html").contains(
        "<p data-stale aria-describedby=\"stale-block-hint\">Erster und zweiter Absatz.</p>"
    ));
}

#[test]
fn readers_see_the_changed_blocks_marked_and_their_sections_named() {
    let site = site();
    let root = site.path();
    edit(root, SOURCE, "第二段。", "第二段有改动。");
    edit(root, SOURCE, "- 乙", "- 乙丙");
    let b = build_root(root, |_| {}).unwrap();
    let en = b.read("en/news/unveiling/index.html");
    assert_eq!(
        stale_tags(&en),
        [
            "<p data-stale aria-describedby=\"stale-block-hint\">",
            "<li data-stale aria-describedby=\"stale-block-hint\">"
        ],
        "{en}"
    );
    assert!(
        en.contains("<p data-stale aria-describedby=\"stale-block-hint\">Second paragraph.</p>")
    );
    assert!(en.contains("<li data-stale aria-describedby=\"stale-block-hint\">B</li>"));
    // Both lie in one section, named once, as a link to its heading.
    assert!(
        en.contains(
            "<p>Changed in the original since this was translated:</p>\n\
             <ul><li><a href=\"#background\" lang=\"en\">Background</a></li></ul>\n\
             <p id=\"stale-block-hint\" hidden>The original of this passage changed after it \
             was translated.</p>"
        ),
        "{en}"
    );
    assert!(en.contains("<h2 id=\"background\">Background</h2>"));
    // A change before the first heading: the introduction, in the reader's language.
    edit(root, SOURCE, "导言段落。", "新的导言段落。");
    let b = build_root(root, |_| {}).unwrap();
    let de = b.read("de/news/unveiling/index.html");
    assert!(
        de.contains(
            "<ul><li>Einleitung</li><li><a href=\"#hintergrund\" lang=\"de\">Hintergrund</a></li></ul>"
        ),
        "{de}"
    );
    // The first paragraph is marked on the page, not where lists show it as the summary.
    let en = b.read("en/news/unveiling/index.html");
    assert!(en.contains("<p data-stale aria-describedby=\"stale-block-hint\">Introduction.</p>"));
    let list = b.read("en/news/index.html");
    assert!(
        list.contains("Introduction.") && !list.contains("data-stale"),
        "{list}"
    );
    // The same output at every thread count.
    let dir = tempfile::tempdir().unwrap();
    let mut trees = Vec::new();
    for (n, threads) in [("a", "1"), ("b", "4")] {
        let p = dir.path().join(n);
        common::build_with_threads(root, &p, threads);
        trees.push(common::tree(&p));
    }
    assert_eq!(trees[0], trees[1]);
}

#[test]
fn diff_shows_each_change_beside_the_translation() {
    let site = site();
    let root = site.path();
    edit(root, SOURCE, "第二段。", "第二段有改动。");
    edit(
        root,
        SOURCE,
        "## 目标 {#targets}\n\n目标段落。\n",
        "## 目标 {#targets}\n",
    );
    let out = ok(root, &["status", "--diff", EN]);
    assert!(
        !out.contains('\u{1b}'),
        "no colour when not a terminal: {out}"
    );
    assert!(
        out.contains(
            "block 4: paragraph, content/news/unveiling.md line 14\n  was:\n    │ 第二段。\n  \
             now:\n    │ 第二段有改动。\n  translation, content/news/unveiling.en.md line 14:\n    \
             │ Second paragraph.\n"
        ),
        "{out}"
    );
    assert!(
        out.contains("removed from the source since:\n    │ 目标段落。\n"),
        "{out}"
    );
    // A removed block leaves the sections uneven.
    assert!(out.contains("Blocks aligned by section only"), "{out}");
    // The unified diff of the source's text is still there.
    let lines = ok(root, &["status", "--diff", EN, "--line-diff"]);
    assert!(lines.contains("-第二段。\n+第二段有改动。\n"), "{lines}");
}

#[test]
fn block_n_accepts_one_change_and_the_last_one_makes_the_translation_current() {
    let site = site();
    let root = site.path();
    edit(root, SOURCE, "第二段。", "第二段有改动。");
    edit(root, SOURCE, "- 乙", "- 乙丙");
    assert_eq!(changed(root, EN), ["4", "6"]);

    // Block 6 needed no new translation: block 4 stays stale, in status and for readers.
    let out = ok(
        root,
        &[
            "translate",
            SOURCE,
            "--to",
            "en",
            "--mark-current",
            "--block",
            "6",
        ],
    );
    assert!(
        out.contains("still stale: block 4 (paragraph at line 14)"),
        "{out}"
    );
    assert_eq!(changed(root, EN), ["4"]);
    let text = std::fs::read_to_string(root.join(EN)).unwrap();
    let recorded = text
        .lines()
        .find_map(|l| l.strip_prefix("translation_of: "))
        .unwrap();
    let stored =
        std::fs::read_to_string(root.join(format!(".qiao/sources/{recorded}.md"))).unwrap();
    assert!(
        stored.starts_with("# qiao translate --block: revision "),
        "{stored}"
    );
    assert!(
        stored.contains("- 乙丙\n") && stored.contains("第二段。\n"),
        "{stored}"
    );
    let b = build_root(root, |_| {}).unwrap();
    assert_eq!(
        stale_tags(&b.read("en/news/unveiling/index.html")),
        ["<p data-stale aria-describedby=\"stale-block-hint\">"]
    );
    // The German translation was not touched.
    assert_eq!(changed(root, DE), ["4", "6"]);

    // A later, unrelated edit of the source does not bring block 6 back.
    edit(root, SOURCE, "目标段落。", "新的目标段落。");
    assert_eq!(changed(root, EN), ["4", "8"]);

    // Accepting the last changes makes it current, recording the source's revision.
    let out = ok(
        root,
        &[
            "translate",
            SOURCE,
            "--to",
            "en",
            "--mark-current",
            "--block",
            "4",
            "--block",
            "8",
        ],
    );
    assert!(out.contains("no change is left"), "{out}");
    assert_eq!(attention(root, EN), None, "current");
    let b = build_root(root, |_| {}).unwrap();
    let en = b.read("en/news/unveiling/index.html");
    assert!(!en.contains("data-stale") && !en.contains("class=\"notice stale\""));
    // The same as marking the whole translation current.
    let marked = std::fs::read_to_string(root.join(EN)).unwrap();
    ok(root, &["translate", SOURCE, "--to", "en", "--mark-current"]);
    assert_eq!(std::fs::read_to_string(root.join(EN)).unwrap(), marked);
}

#[test]
fn block_errors_list_the_blocks_that_changed() {
    let site = site();
    let root = site.path();
    edit(root, SOURCE, "第二段。", "第二段有改动。");
    edit(root, SOURCE, "date:", "summary: 摘要。\ndate:");
    let before = std::fs::read_to_string(root.join(EN)).unwrap();
    let (code, _, err) = qiao_at(
        root,
        &[
            "translate",
            SOURCE,
            "--to",
            "en",
            "--mark-current",
            "--block",
            "99",
            "--block",
            "2",
        ],
    );
    assert_eq!(code, 1);
    assert!(
        err.contains("block 99 is out of range: the source has blocks 1 to 8"),
        "{err}"
    );
    assert!(err.contains("block 2 did not change since"), "{err}");
    assert!(
        err.contains("the changed blocks are: summary, block 4 (paragraph at line 15)"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(root.join(EN)).unwrap(),
        before,
        "nothing written"
    );
    // A field is accepted by its name.
    ok(
        root,
        &[
            "translate",
            SOURCE,
            "--to",
            "en",
            "--mark-current",
            "--block",
            "summary",
        ],
    );
    assert_eq!(changed(root, EN), ["4"]);
    // --block needs --mark-current.
    let (code, _, _) = qiao_at(root, &["translate", SOURCE, "--to", "en", "--block", "4"]);
    assert_eq!(code, 2);
}
