//! The translation workflow end to end, through the real binary on a copy of the trilingual
//! fixture: `qiao translate` stubs, `--mark-current`, stale detection after the source
//! changes, `qiao status` text and JSON, `--diff`, the `[translation]` policy under
//! `--strict`, and the stale notice readers see.

mod common;

use common::{attention, build_root, copy_fixture, edit, qiao_at};

fn set_policy(root: &std::path::Path, policy: &str) {
    let toml = root.join("site.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    std::fs::write(&toml, format!("{text}\n{policy}\n")).unwrap();
}

#[test]
fn translate_creates_a_stub_and_never_overwrites() {
    let site = copy_fixture("trilingual");
    let root = site.path();
    let (code, out, err) = qiao_at(
        root,
        &["translate", "content/news/only-zh.md", "--to", "de"],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("only-zh.de.md"));
    let stub = std::fs::read_to_string(root.join("content/news/only-zh.de.md")).unwrap();
    assert!(
        stub.starts_with("---\ntitle: 仅有中文  # TRANSLATE\n"),
        "{stub}"
    );
    assert!(stub.contains("draft: true"));
    assert!(stub.contains("tags: [江门]  # TRANSLATE"));
    assert!(
        stub.ends_with("---\n只有中文版本。\n"),
        "the source body is in place: {stub}"
    );
    let hash = stub
        .lines()
        .find_map(|l| l.strip_prefix("translation_of: "))
        .unwrap();
    assert_eq!(hash.len(), 12);
    assert!(
        root.join(format!(".qiao/sources/{hash}.md")).is_file(),
        "the revision is stored"
    );
    // a second call refuses
    std::fs::write(
        root.join("content/news/only-zh.de.md"),
        "translated by hand",
    )
    .unwrap();
    let (code, _, err) = qiao_at(
        root,
        &["translate", "content/news/only-zh.md", "--to", "de"],
    );
    assert_eq!(code, 1);
    assert!(err.contains("never overwrites"));
    assert_eq!(
        std::fs::read_to_string(root.join("content/news/only-zh.de.md")).unwrap(),
        "translated by hand"
    );
    // unknown language, or the default language
    assert_eq!(
        qiao_at(root, &["translate", "news/only-zh.md", "--to", "fr"]).0,
        1
    );
    assert_eq!(
        qiao_at(root, &["translate", "news/only-zh.md", "--to", "zh"]).0,
        1
    );
}

#[test]
fn stale_translations_status_diff_and_notice() {
    let site = copy_fixture("trilingual");
    let root = site.path();
    // record the current revision in the English translation
    let (code, out, err) = qiao_at(
        root,
        &[
            "translate",
            "content/news/unveiling.md",
            "--to",
            "en",
            "--mark-current",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("now records source revision"));
    let status: serde_json::Value =
        serde_json::from_str(&qiao_at(root, &["status", "--json"]).1).unwrap();
    let en = &status["languages"][0];
    assert_eq!(en["code"], "en");
    assert_eq!(en["total"]["stale"], 0);

    // the editor changes a paragraph of the Chinese source
    let src = root.join("content/news/unveiling.md");
    let text = std::fs::read_to_string(&src).unwrap().replace(
        "各级领导嘉宾共同见证合作区挂牌，",
        "各级领导嘉宾共同见证合作区正式挂牌，",
    );
    std::fs::write(&src, text).unwrap();

    let (code, out, _) = qiao_at(root, &["status"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("content/news/unveiling.en.md  stale: translated from"),
        "{out}"
    );
    let news_row = out
        .lines()
        .find(|l| l.trim_start().starts_with("news"))
        .unwrap();
    let cols: Vec<&str> = news_row.split_whitespace().collect();
    // pages, current, untracked (no translation_of: neither current nor stale), stale,
    // draft, missing
    assert_eq!(cols, vec!["news", "4", "0", "2", "1", "0", "1"], "{out}");
    // a missing translation is listed under the path it would have, with the command
    assert!(
        out.contains(
            "  content/news/only-zh.de.md  missing; create it with: \
             qiao translate content/news/only-zh.md --to de\n"
        ),
        "{out}"
    );
    assert!(
        out.contains(
            "  content/news/unveiling.de.md  untracked (no translation_of); if it matches the \
             source: qiao translate content/news/unveiling.md --to de --mark-current\n"
        ),
        "{out}"
    );

    let status: serde_json::Value =
        serde_json::from_str(&qiao_at(root, &["status", "--json", "--lang", "en"]).1).unwrap();
    assert_eq!(status["format"], 1);
    assert_eq!(status["languages"].as_array().unwrap().len(), 1);
    let news = status["languages"][0]["sections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["section"] == "news")
        .unwrap()
        .clone();
    assert_eq!(news["stale"], 1);
    let stale = news["attention"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["state"] == "stale")
        .unwrap()
        .clone();
    assert_eq!(stale["translation"], "content/news/unveiling.en.md");
    assert_eq!(stale["stale_days"], 0);

    // --diff shows the changed paragraph
    let (code, diff, err) = qiao_at(
        root,
        &[
            "status",
            "--diff",
            "content/news/unveiling.en.md",
            "--line-diff",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(diff.contains("-各级领导嘉宾共同见证合作区挂牌，"), "{diff}");
    assert!(
        diff.contains("+各级领导嘉宾共同见证合作区正式挂牌，"),
        "{diff}"
    );

    // readers see a notice in their language, linking to the original
    let b = build_root(root, |_| {}).unwrap();
    let en = b.read("en/news/unveiling/index.html");
    assert!(
        en.contains("This translation may not reflect the latest Chinese version."),
        "{en}"
    );
    assert!(en.contains(r#"<a href="/news/unveiling/" hreflang="zh-Hans">Read the original</a>"#));
    assert!(
        !b.read("de/news/unveiling/index.html")
            .contains("class=\"notice stale\""),
        "untracked, not stale"
    );

    // after revising, the translator marks it current again
    assert_eq!(
        qiao_at(
            root,
            &[
                "translate",
                "content/news/unveiling.md",
                "--to",
                "en",
                "--mark-current"
            ]
        )
        .0,
        0
    );
    let status: serde_json::Value =
        serde_json::from_str(&qiao_at(root, &["status", "--json"]).1).unwrap();
    assert_eq!(status["languages"][0]["total"]["stale"], 0);
    let html = root.join("report.html");
    assert_eq!(
        qiao_at(root, &["status", "--html", html.to_str().unwrap()]).0,
        0
    );
    assert!(
        std::fs::read_to_string(&html)
            .unwrap()
            .contains("<h1>Translation status</h1>")
    );
}

#[test]
fn policy_fails_strict_until_met() {
    let site = copy_fixture("trilingual");
    let root = site.path();
    set_policy(root, "[translation]\nrequired = { de = [\"news\"] }");
    // news/only-zh and news/bundle have no German translation
    let (code, out, _) = qiao_at(root, &["status", "--strict"]);
    assert_eq!(code, 1);
    assert!(
        out.contains("content/news/only-zh.md has no de translation (required)"),
        "{out}"
    );
    assert_eq!(
        qiao_at(root, &["status"]).0,
        0,
        "without --strict status only reports"
    );
    let (code, _, err) = qiao_at(root, &["check", "--strict"]);
    assert_eq!(code, 1);
    assert!(err.contains("has no de translation (required)"), "{err}");

    for page in ["only-zh.md", "bundle/index.md"] {
        let p = format!("content/news/{page}");
        assert_eq!(qiao_at(root, &["translate", &p, "--to", "de"]).0, 0);
    }
    // stubs are drafts: still not published, still failing
    let (code, out, _) = qiao_at(root, &["status", "--strict"]);
    assert_eq!(code, 1);
    assert!(out.contains("is still a draft"), "{out}");
    for page in ["only-zh.de.md", "bundle/index.de.md"] {
        let p = root.join("content/news").join(page);
        let t = std::fs::read_to_string(&p)
            .unwrap()
            .replace("draft: true  # publish once translated\n", "");
        std::fs::write(&p, t).unwrap();
    }
    assert_eq!(qiao_at(root, &["status", "--strict"]).0, 0);
    let (code, _, err) = qiao_at(root, &["check", "--strict"]);
    // the only warning left is the fixture's deliberate link to an untranslated page
    assert!(!err.contains("translation (required)"), "{err}");
    assert_eq!(code, 1);
}

#[test]
fn stale_days_allow_a_grace_period() {
    let site = copy_fixture("trilingual");
    let root = site.path();
    assert_eq!(
        qiao_at(
            root,
            &[
                "translate",
                "content/bases/kaiping.md",
                "--to",
                "de",
                "--mark-current"
            ]
        )
        .0,
        0
    );
    let src = root.join("content/bases/kaiping.md");
    let t = std::fs::read_to_string(&src)
        .unwrap()
        .replace("新材料产业基地。", "新材料产业基地，已挂牌。");
    std::fs::write(&src, t).unwrap();
    set_policy(root, "[translation]\nrequired = { de = [\"bases\"] }");
    let (code, out, _) = qiao_at(root, &["status", "--strict", "--lang", "de"]);
    assert_eq!(code, 1, "stale with no grace period: {out}");
    assert!(out.contains("kaiping.de.md is stale"));
    let toml = root.join("site.toml");
    let t = std::fs::read_to_string(&toml).unwrap().replace(
        "required = { de = [\"bases\"] }",
        "required = { de = [\"bases\"] }\nstale_days = 30",
    );
    std::fs::write(&toml, t).unwrap();
    // enping has no German translation: required too
    let (_, out, _) = qiao_at(root, &["status", "--strict", "--lang", "de"]);
    assert!(!out.contains("kaiping.de.md is stale"), "{out}");
    assert!(out.contains("enping.md has no de translation"));
}

#[test]
fn drafts_of_every_language_are_counted_and_listed() {
    let site = copy_fixture("trilingual");
    let root = site.path();
    std::fs::write(
        root.join("content/news/unveiling.de.md"),
        "---\ntitle: Entwurf\ndraft: true\n---\nText\n",
    )
    .unwrap();
    let (code, out, _) = qiao_at(root, &["status"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("\n2 drafts not published (qiao status --drafts lists them)\n"),
        "{out}"
    );
    let (_, out, _) = qiao_at(root, &["status", "--drafts"]);
    assert!(
        out.contains("drafts (2, not published):\n  zh   content/news/draft.md  草稿\n  de   content/news/unveiling.de.md  Entwurf\n"),
        "{out}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&qiao_at(root, &["status", "--json"]).1).unwrap();
    assert_eq!(json["drafts"][0]["path"], "content/news/draft.md");
    assert_eq!(json["drafts"][0]["lang"], "zh");
    assert_eq!(json["drafts"][1]["lang"], "de");
}

#[test]
fn a_published_translation_with_translate_markers_is_a_warning() {
    let site = copy_fixture("trilingual");
    let root = site.path();
    let (code, _, err) = qiao_at(
        root,
        &["translate", "content/news/only-zh.md", "--to", "en"],
    );
    assert_eq!(code, 0, "{err}");
    let stub = root.join("content/news/only-zh.en.md");
    // the translator publishes it, but forgets the title
    let text = std::fs::read_to_string(&stub)
        .unwrap()
        .replace("draft: true  # publish once translated\n", "");
    std::fs::write(&stub, &text).unwrap();
    let title_line = text.lines().position(|l| l.starts_with("title:")).unwrap() + 1;
    let (code, _, err) = qiao_at(root, &["check"]);
    assert_eq!(code, 0, "a warning: {err}");
    assert!(
        err.contains("warning: `title` still carries the `# TRANSLATE` marker, but this translation is published"),
        "{err}"
    );
    assert!(
        err.contains(&format!("--> content/news/only-zh.en.md:{title_line}:")),
        "{err}"
    );
    let (code, _, _) = qiao_at(root, &["check", "--strict"]);
    assert_eq!(code, 1);
    // as long as it is a draft, the markers are expected
    let (code, _, err) = qiao_at(
        root,
        &["translate", "content/news/only-zh.md", "--to", "de"],
    );
    assert_eq!(code, 0, "{err}");
    let (_, _, err) = qiao_at(root, &["check"]);
    assert!(err.contains("only-zh.en.md"), "{err}");
    assert!(!err.contains("only-zh.de.md"), "{err}");
}

#[test]
fn translation_of_is_a_revision_never_a_path() {
    let site = copy_fixture("trilingual");
    let root = site.path();
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("outside");
    std::fs::write(secret.with_extension("md"), "a file outside the site\n").unwrap();
    let file = root.join("content/news/unveiling.en.md");
    let text = std::fs::read_to_string(&file).unwrap();
    let bad = text.replacen(
        "---\n",
        &format!("---\ntranslation_of: {}\n", secret.display()),
        1,
    );
    std::fs::write(&file, bad).unwrap();

    // `qiao check` names the field, the file, its line and column.
    let (code, _, err) = qiao_at(root, &["check"]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains(&format!(
            "`translation_of: {}` is not a source revision",
            secret.display()
        )),
        "{err}"
    );
    assert!(err.contains("content/news/unveiling.en.md:2:17"), "{err}");

    // `qiao status --diff` never reads the path.
    let (code, out, err) = qiao_at(
        root,
        &[
            "status",
            "--diff",
            "content/news/unveiling.en.md",
            "--line-diff",
        ],
    );
    assert_eq!(code, 1);
    assert!(!out.contains("a file outside the site"), "{out}");
    assert!(!err.contains("a file outside the site"), "{err}");
    assert!(err.contains("not a source revision"), "{err}");
}

#[cfg(unix)]
#[test]
fn mark_current_never_writes_through_a_link_out_of_the_site() {
    let site = copy_fixture("trilingual");
    let root = site.path();
    let outside = tempfile::tempdir().unwrap();
    let elsewhere = outside.path().join("unveiling.en.md");
    let text = "---\ntitle: kept as it is\n---\nbody\n";
    std::fs::write(&elsewhere, text).unwrap();
    let link = root.join("content/news/unveiling.en.md");
    std::fs::remove_file(&link).unwrap();
    std::os::unix::fs::symlink(&elsewhere, &link).unwrap();
    let (code, _, err) = qiao_at(
        root,
        &[
            "translate",
            "content/news/unveiling.md",
            "--to",
            "en",
            "--mark-current",
        ],
    );
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("leads out of content/"), "{err}");
    assert_eq!(std::fs::read_to_string(&elsewhere).unwrap(), text);
}

/// Records the current revision of `source` in its `lang` translation.
fn mark_current(root: &std::path::Path, source: &str, lang: &str) {
    let (code, _, err) = qiao_at(root, &["translate", source, "--to", lang, "--mark-current"]);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn a_rewrap_of_the_source_does_not_make_translations_stale() {
    let site = copy_fixture("trilingual");
    let root = site.path();
    mark_current(root, "content/news/unveiling.md", "en");
    let source = "content/news/unveiling.md";
    // the editor re-wraps both hard-wrapped Chinese paragraphs, leaving a trailing space
    // (one: two would be a hard line break, which does change the page)
    edit(
        root,
        source,
        "中小企业国际合作区\n挂牌及授牌仪式",
        "中小企业国际\n合作区挂牌及授牌仪式",
    );
    edit(
        root,
        source,
        "各级领导嘉宾共同见证合作区挂牌，\n见",
        "各级领导嘉宾共同见证\n合作区挂牌，见 \n",
    );
    assert_eq!(attention(root, "content/news/unveiling.en.md"), None);
    let (code, out, err) = qiao_at(
        root,
        &[
            "status",
            "--diff",
            "content/news/unveiling.en.md",
            "--line-diff",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("unveiling.en.md is current"), "{out}");
    let b = build_root(root, |_| {}).unwrap();
    assert!(
        !b.read("en/news/unveiling/index.html")
            .contains("This translation may not reflect"),
        "no stale notice"
    );
    // a changed word in the same paragraph does make it stale
    edit(root, source, "合作区挂牌，见", "合作区正式挂牌，见");
    let page = attention(root, "content/news/unveiling.en.md").expect("stale");
    assert_eq!(page["state"], "stale");
    assert_eq!(page["stale"], true);
}

#[test]
fn every_translatable_field_makes_translations_stale() {
    let source = "content/news/unveiling.md";
    let fields = [
        (
            "title: 中欧合作区挂牌",
            "title: 中欧合作区正式挂牌",
            "+title: 中欧合作区正式挂牌",
        ),
        (
            "date:",
            "summary: 合作区挂牌。\ndate:",
            "+summary: 合作区挂牌。",
        ),
        (
            "date:",
            "description: 合作区挂牌仪式。\ndate:",
            "+description: 合作区挂牌仪式。",
        ),
        (
            "tags: [中欧合作, 江门]",
            "tags: [中欧合作, 江门, 侨乡]",
            "+tags: 中欧合作, 江门, 侨乡",
        ),
        (
            "categories: [新闻]",
            "categories: [要闻]",
            "+categories: 要闻",
        ),
    ];
    for (from, to, diff_line) in fields {
        let site = copy_fixture("trilingual");
        let root = site.path();
        mark_current(root, source, "en");
        edit(root, source, from, to);
        let page = attention(root, "content/news/unveiling.en.md")
            .unwrap_or_else(|| panic!("{to}: still current"));
        assert_eq!(page["state"], "stale", "{to}");
        let (code, diff, err) = qiao_at(
            root,
            &[
                "status",
                "--diff",
                "content/news/unveiling.en.md",
                "--line-diff",
            ],
        );
        assert_eq!(code, 0, "{err}");
        assert!(diff.contains(diff_line), "{to}: {diff}");
    }
    // fields that are not translated do not count
    let site = copy_fixture("trilingual");
    let root = site.path();
    mark_current(root, source, "en");
    edit(
        root,
        source,
        "date: 2016-02-29",
        "date: 2016-03-01\nweight: 3",
    );
    edit(
        root,
        source,
        "aliases: [\"/old/unveiling/\"]",
        "aliases: [\"/old/x/\"]",
    );
    assert_eq!(attention(root, "content/news/unveiling.en.md"), None);
}

#[test]
fn a_draft_made_from_an_earlier_source_is_draft_and_stale() {
    let site = copy_fixture("trilingual");
    let root = site.path();
    let (code, _, err) = qiao_at(
        root,
        &["translate", "content/news/only-zh.md", "--to", "de"],
    );
    assert_eq!(code, 0, "{err}");
    let page = attention(root, "content/news/only-zh.de.md").unwrap();
    assert_eq!(page["state"], "draft");
    assert_eq!(page["stale"], false);
    assert_eq!(page["translated_from"], serde_json::Value::Null);
    let (_, out, _) = qiao_at(root, &["status", "--lang", "de"]);
    assert!(
        out.contains("  content/news/only-zh.de.md  draft\n"),
        "{out}"
    );

    // the source changes while the translator works on the stub
    edit(
        root,
        "content/news/only-zh.md",
        "只有中文版本。",
        "只有中文版本，暂无译文。",
    );
    let page = attention(root, "content/news/only-zh.de.md").unwrap();
    assert_eq!(page["state"], "draft");
    assert_eq!(page["stale"], true);
    let made_from = page["translated_from"].as_str().unwrap().to_string();
    let now = page["source_revision"].as_str().unwrap().to_string();
    assert_ne!(made_from, now);
    assert_eq!(page["stale_days"], 0);
    let (_, out, _) = qiao_at(root, &["status", "--lang", "de"]);
    assert!(
        out.contains(&format!(
            "  content/news/only-zh.de.md  draft, and stale: made from {made_from}, source is \
             now {now}, changed 0 day(s) ago\n"
        )),
        "{out}"
    );
    // counted once, as a draft
    let news_row = out
        .lines()
        .find(|l| l.trim_start().starts_with("news"))
        .unwrap();
    let cols: Vec<&str> = news_row.split_whitespace().collect();
    assert_eq!(cols, vec!["news", "4", "0", "2", "0", "1", "1"], "{out}");
    let html = root.join("report.html");
    qiao_at(root, &["status", "--html", html.to_str().unwrap()]);
    assert!(
        std::fs::read_to_string(&html)
            .unwrap()
            .contains("<code>content/news/only-zh.de.md</code> — draft, stale</li>")
    );
    let (_, diff, _) = qiao_at(
        root,
        &[
            "status",
            "--diff",
            "content/news/only-zh.de.md",
            "--line-diff",
        ],
    );
    assert!(diff.contains("+只有中文版本，暂无译文。"), "{diff}");
    // a required translation: the policy names both facts
    set_policy(root, "[translation]\nrequired = { de = [\"news\"] }");
    let (code, out, _) = qiao_at(root, &["status", "--strict", "--lang", "de"]);
    assert_eq!(code, 1);
    assert!(
        out.contains(
            "content/news/only-zh.de.md is still a draft, and its source changed since it was \
             made (a de translation is required)"
        ),
        "{out}"
    );
}

#[test]
fn translations_marked_by_earlier_versions_stay_current() {
    let site = copy_fixture("trilingual");
    let root = site.path();
    // What `qiao translate --mark-current` of earlier versions of qiao wrote for the fixture's unveiling
    // article: the hash of its title and body, and that text in the store.
    let legacy = "3791f1bcc1c0";
    edit(
        root,
        "content/news/unveiling.de.md",
        "---\n",
        &format!("---\ntranslation_of: {legacy}\n"),
    );
    let store = root.join(".qiao/sources");
    std::fs::create_dir_all(&store).unwrap();
    std::fs::write(
        store.join(format!("{legacy}.md")),
        "中欧合作区挂牌\n\n2月29日上午，中欧（江门）中小企业国际合作区\n挂牌及授牌仪式在江门万达广场举行。\n\n\
         ## 现场\n\n各级领导嘉宾共同见证合作区挂牌，\n见[基地](@/bases/kaiping.md#focus)。\n\n\
         <!-- more -->\n\n## 目标 {#targets}\n\n见[目标](#targets)与[仅中文](@/news/only-zh.md)。\n",
    )
    .unwrap();
    assert_eq!(attention(root, "content/news/unveiling.de.md"), None);
    let (code, _, err) = qiao_at(root, &["check", "--strict"]);
    assert!(!err.contains("unveiling.de.md"), "{code}: {err}");
    // listed, so that someone checks the fields the old revision did not cover
    let (_, out, _) = qiao_at(root, &["status", "--json", "--lang", "de"]);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        json["languages"][0]["legacy_revisions"],
        serde_json::json!(["content/news/unveiling.de.md"])
    );
    let (code, out, _) = qiao_at(root, &["status", "--strict"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains(
            "  1 de translation records a revision of the older kind (title and body only)"
        ),
        "{out}"
    );

    // a changed word makes it stale, and --diff compares like with like
    let source = "content/news/unveiling.md";
    edit(root, source, "合作区挂牌，\n见", "合作区正式挂牌，\n见");
    let page = attention(root, "content/news/unveiling.de.md").unwrap();
    assert_eq!(page["state"], "stale");
    assert_eq!(page["translated_from"], legacy);
    // the older kind of revision holds only the title and the body: only they are compared
    assert_eq!(
        page["changed_blocks"]["changed"],
        serde_json::json!([{ "block": 3, "kind": "paragraph", "line": 13,
            "excerpt": "各级领导嘉宾共同见证合作区正式挂牌，…",
            // the German translation has one heading fewer: not placed
            "translation_line": null, "translation_blocks": [] }])
    );
    let (code, diff, err) = qiao_at(
        root,
        &[
            "status",
            "--diff",
            "content/news/unveiling.de.md",
            "--line-diff",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(diff.contains("-各级领导嘉宾共同见证合作区挂牌，"), "{diff}");
    assert!(
        diff.contains("+各级领导嘉宾共同见证合作区正式挂牌，"),
        "{diff}"
    );
    assert!(!diff.contains("+title"), "{diff}");

    // marking it current records the new kind of revision
    mark_current(root, source, "de");
    let text = std::fs::read_to_string(root.join("content/news/unveiling.de.md")).unwrap();
    let now = text
        .lines()
        .find_map(|l| l.strip_prefix("translation_of: "))
        .unwrap();
    assert_ne!(now, legacy);
    let stored = std::fs::read_to_string(store.join(format!("{now}.md"))).unwrap();
    assert!(
        stored.starts_with("title: 中欧合作区挂牌\ntags: 中欧合作, 江门\ncategories: 新闻\n\n"),
        "{stored}"
    );
    assert_eq!(attention(root, "content/news/unveiling.de.md"), None);
    let (_, out, _) = qiao_at(root, &["status"]);
    assert!(!out.contains("older kind"), "{out}");
}

#[test]
fn stale_pages_name_the_blocks_that_changed() {
    let site = copy_fixture("trilingual");
    let root = site.path();
    let source = "content/news/unveiling.md";
    mark_current(root, source, "en");
    // a new summary, a changed word, a re-wrapped paragraph and a heading deleted
    edit(root, source, "date:", "summary: 合作区挂牌。\ndate:");
    edit(root, source, "合作区挂牌，\n见", "合作区正式挂牌，\n见");
    edit(
        root,
        source,
        "中小企业国际合作区\n挂牌及授牌仪式",
        "中小企业国际\n合作区挂牌及授牌仪式",
    );
    edit(root, source, "## 目标 {#targets}\n\n", "");
    let page = attention(root, "content/news/unveiling.en.md").unwrap();
    assert_eq!(page["state"], "stale");
    assert_eq!(
        page["changed_blocks"],
        serde_json::json!({
            "changed": [
                { "block": null, "kind": "summary", "line": null, "excerpt": "合作区挂牌。",
                  "translation_line": null, "translation_blocks": [] },
                { "block": 3, "kind": "paragraph", "line": 14,
                  "excerpt": "各级领导嘉宾共同见证合作区正式挂牌，…",
                  "translation_line": null, "translation_blocks": [] }
            ],
            "removed": 1,
            // The source lost a heading the translation still has.
            "alignment": "none",
            "alignment_reason": "the source has 1 heading(s) and the translation 2: changed \
                blocks cannot be placed in it"
        })
    );
    let (_, out, _) = qiao_at(root, &["status", "--lang", "en"]);
    assert!(
        out.contains(
            "\n    changed since (blocks not aligned: the source has 1 heading(s) and the \
             translation 2: changed blocks cannot be placed in it):\n      \
             summary  → not set in the translation\n      \
             block 3: paragraph at line 14 (各级领导嘉宾共同见证合作区正式挂牌，…)  → not placed in the translation\n      \
             1 block removed\n"
        ),
        "{out}"
    );
    // without the stored revision, status still says stale, without the blocks
    std::fs::remove_dir_all(root.join(".qiao")).unwrap();
    let page = attention(root, "content/news/unveiling.en.md").unwrap();
    assert_eq!(page["state"], "stale");
    assert_eq!(page["changed_blocks"], serde_json::Value::Null);
}
