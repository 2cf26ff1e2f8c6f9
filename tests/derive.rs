//! `model::Derivation`: after every random edit of a copy of the zone site, the model that
//! `update` derives from the changed files equals a fresh `model::build`, in every field that
//! rendering reads, with the same diagnostics.

mod common;

use std::path::{Path, PathBuf};

use qiao::diagnostics::Diagnostic;
use qiao::model::{self, Derivation, derive::Settings};

/// A fresh full build of the model, as `qiao build` makes it.
fn fresh(root: &Path) -> (String, Vec<String>) {
    let (settings, _) = Settings::load(root, false, false).unwrap();
    let Settings {
        config,
        template_ids,
        directives,
        images,
        ..
    } = settings;
    let loaded = model::load::load_documents(root, &config, false, false);
    let mut diags = loaded.diagnostics;
    diags.extend(qiao::translation::policy_diagnostics(
        &config,
        &loaded.parsed,
    ));
    diags.extend(qiao::translation::leftover_markers(&config, &loaded.parsed));
    diags.extend(qiao::crosscheck::check(root, &config, &loaded.parsed));
    let images = std::sync::Arc::try_unwrap(images).ok().unwrap();
    let m = model::build(
        config,
        loaded.parsed,
        loaded.assets,
        model::FromTemplates {
            ids: template_ids,
            directives,
        },
        images,
        loaded.unpublished,
        &mut diags,
        root,
    );
    (m.rendering_inputs(), shown(&diags))
}

fn shown(diags: &[Diagnostic]) -> Vec<String> {
    let mut v: Vec<String> = diags.iter().map(|d| format!("{d:?}")).collect();
    v.sort();
    v
}

/// A small deterministic generator (no dependency for a few numbers).
struct Lcg(u64);
impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n
    }
}

/// The Markdown pages of the site (not sections), relative to the root, sorted.
fn pages(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![root.join("content")];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "md")
                && !p
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .starts_with("_index")
            {
                out.push(p.strip_prefix(root).unwrap().to_string_lossy().into_owned());
            }
        }
    }
    out.sort();
    out
}

/// Inserts `line` as the first line of the front matter of `rel`.
fn front(root: &Path, rel: &str, line: &str) {
    let path = root.join(rel);
    let text = std::fs::read_to_string(&path).unwrap();
    let text = text.replacen("---\n", &format!("---\n{line}\n"), 1);
    std::fs::write(path, text).unwrap();
}

/// Applies edit number `kind` to a random page; returns the files it changed.
fn apply(root: &Path, rng: &mut Lcg, step: usize, kind: usize) -> (String, Vec<PathBuf>) {
    let all = pages(root);
    let rel = all[rng.below(all.len())].clone();
    let abs = root.join(&rel);
    match kind {
        0 => {
            let new = format!("content/news/new-{step}.md");
            std::fs::write(
                root.join(&new),
                format!(
                    "---\ntitle: \"新页 {step}\"\ndate: 2020-01-{:02}\ntags: [\"江门\", \"新{step}\"]\n---\n\n见[挂牌](@/news/zone-unveiling.md#ceremony)与[概览](@/bases/_index.md#overview)。\n",
                    step % 28 + 1
                ),
            )
            .unwrap();
            // A page with plain links only, which rendering does not look up.
            let plain = format!("content/news/plain-{step}.md");
            std::fs::write(
                root.join(&plain),
                "---\ntitle: 链接\ndate: 2020-02-02\n---\n\n[旧址](/news/zone-unveiling/)，[专题](/topic-3/)。\n",
            )
            .unwrap();
            (format!("new {new}"), vec![root.join(new), root.join(plain)])
        }
        1 => {
            std::fs::remove_file(&abs).unwrap();
            (format!("delete {rel}"), vec![abs])
        }
        2 => {
            let to = abs.with_file_name(format!(
                "renamed-{step}-{}",
                abs.file_name().unwrap().to_string_lossy()
            ));
            std::fs::rename(&abs, &to).unwrap();
            (format!("rename {rel}"), vec![abs, to])
        }
        3 => {
            front(root, &rel, &format!("slug: s{step}"));
            (format!("slug {rel}"), vec![abs])
        }
        4 => {
            front(
                root,
                &rel,
                &format!("tags: [\"标签{}\", \"Tag\"]", step % 3),
            );
            let text = std::fs::read_to_string(&abs).unwrap();
            // A second `tags:` would be an error: keep the first.
            let mut seen = false;
            let kept: Vec<&str> = text
                .lines()
                .filter(|l| {
                    if l.starts_with("tags:") {
                        let first = !seen;
                        seen = true;
                        return first;
                    }
                    true
                })
                .collect();
            std::fs::write(&abs, kept.join("\n") + "\n").unwrap();
            (format!("tag {rel}"), vec![abs])
        }
        5 => {
            let text = std::fs::read_to_string(&abs).unwrap();
            let text: Vec<String> = text
                .lines()
                .map(|l| {
                    if l.starts_with("date:") {
                        format!("date: 20{:02}-03-0{}", 10 + step % 10, 1 + step % 9)
                    } else {
                        l.to_string()
                    }
                })
                .collect();
            std::fs::write(&abs, text.join("\n") + "\n").unwrap();
            (format!("date {rel}"), vec![abs])
        }
        6 => {
            front(root, &rel, "draft: true");
            (format!("draft {rel}"), vec![abs])
        }
        7 => {
            // The heading other pages link to with `#overview` changes its id, then back.
            let index = "content/bases/_index.md";
            let text = std::fs::read_to_string(root.join(index)).unwrap();
            let text = if text.contains("{#overview}") {
                text.replace("{#overview}", "{#list}")
            } else {
                text.replace("{#list}", "{#overview}")
            };
            std::fs::write(root.join(index), text).unwrap();
            (format!("anchor {index}"), vec![root.join(index)])
        }
        8 => {
            // A page that others link to is removed.
            let linked = root.join("content/news/zone-unveiling.md");
            if linked.exists() {
                std::fs::remove_file(&linked).unwrap();
            }
            ("remove linked page".to_string(), vec![linked])
        }
        9 => {
            // A draft published again, or a page made a draft.
            let text = std::fs::read_to_string(&abs).unwrap();
            if text.contains("\ndraft: true\n") {
                std::fs::write(&abs, text.replacen("\ndraft: true\n", "\n", 1)).unwrap();
                (format!("undraft {rel}"), vec![abs])
            } else {
                front(root, &rel, "draft: true");
                (format!("draft {rel}"), vec![abs])
            }
        }
        10 => {
            let text = std::fs::read_to_string(&abs).unwrap();
            if text.contains("\naliases:") {
                (format!("no alias added to {rel}"), vec![])
            } else {
                front(root, &rel, &format!("aliases: [\"/old-{step}/\"]"));
                (format!("alias {rel}"), vec![abs])
            }
        }
        11 => {
            // A translation added, or removed when it exists.
            let stem = rel.strip_suffix(".md").unwrap();
            let original = if stem.ends_with(".en") || stem.ends_with(".de") {
                format!("{}.md", &stem[..stem.len() - 3])
            } else {
                rel.clone()
            };
            let translation = format!("{}.de.md", original.strip_suffix(".md").unwrap());
            let at = root.join(&translation);
            if at.exists() {
                std::fs::remove_file(&at).unwrap();
                (format!("remove translation {translation}"), vec![at])
            } else if root.join(&original).exists() {
                std::fs::write(
                    &at,
                    format!(
                        "---\ntitle: \"Übersetzung {step}\"\ndate: 2021-05-0{}\ntags: [\"Jiangmen\"]\n---\n\nSiehe [Zone](@/news/zone-unveiling.md#ceremony).\n",
                        1 + step % 9
                    ),
                )
                .unwrap();
                (format!("add translation {translation}"), vec![at])
            } else {
                (format!("no translation for {rel}"), vec![])
            }
        }
        12 => {
            // A new section: its directory appears with an `_index` and a page at once, as
            // a copied folder does (one event, for the directory).
            let dir = root.join(format!("content/topic-{step}"));
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(
                dir.join("_index.md"),
                format!("---\ntitle: \"专题 {step}\"\n---\n\n专题。\n"),
            )
            .unwrap();
            std::fs::write(
                dir.join("first.md"),
                format!(
                    "---\ntitle: \"第一 {step}\"\ndate: 2022-02-02\n---\n\n见[专题](@/topic-{step}/_index.md)。\n"
                ),
            )
            .unwrap();
            (format!("new section topic-{step}"), vec![dir])
        }
        13 => {
            // A directory renamed, or an `_index` added to a directory without one.
            let topics: Vec<PathBuf> = std::fs::read_dir(root.join("content"))
                .unwrap()
                .flatten()
                .map(|e| e.path())
                .filter(|p| {
                    p.is_dir()
                        && p.file_name()
                            .unwrap()
                            .to_string_lossy()
                            .starts_with("topic-")
                })
                .collect();
            match topics.first() {
                Some(dir) if dir.join("_index.md").exists() => {
                    let to = root.join(format!("content/renamed-topic-{step}"));
                    std::fs::rename(dir, &to).unwrap();
                    (format!("rename {}", dir.display()), vec![dir.clone(), to])
                }
                _ => {
                    let dir = root.join(format!("content/bare-{step}"));
                    std::fs::create_dir_all(&dir).unwrap();
                    std::fs::write(dir.join("page.md"), "---\ntitle: 页\n---\n\n页。\n").unwrap();
                    let changed = vec![dir.clone()];
                    (
                        format!("new directory without _index {}", dir.display()),
                        changed,
                    )
                }
            }
        }
        14 => {
            // A new `_index` for a directory that had none.
            let bare: Vec<PathBuf> = std::fs::read_dir(root.join("content"))
                .unwrap()
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.is_dir() && !p.join("_index.md").exists())
                .collect();
            match bare.first() {
                Some(dir) => {
                    let index = dir.join("_index.md");
                    std::fs::write(&index, "---\ntitle: 新栏目\n---\n\n新栏目。\n").unwrap();
                    (format!("new _index in {}", dir.display()), vec![index])
                }
                None => ("no directory without _index".to_string(), vec![]),
            }
        }
        15 => {
            // An editor's swap file and backup beside a body edit: the walk ignores them.
            let swap = abs.with_file_name(format!(
                ".{}.swp",
                abs.file_name().unwrap().to_string_lossy()
            ));
            std::fs::write(&swap, "swap").unwrap();
            let backup =
                abs.with_file_name(format!("{}~", abs.file_name().unwrap().to_string_lossy()));
            std::fs::copy(&abs, &backup).unwrap();
            let text = std::fs::read_to_string(&abs).unwrap();
            std::fs::write(&abs, format!("{text}\n又一段 {step}。\n")).unwrap();
            (
                format!("body with swap file {rel}"),
                vec![swap, backup, abs],
            )
        }
        16 => {
            // A number in a translation that its source does not have: a cross-language
            // finding more.
            let translations: Vec<&String> = (all.iter())
                .filter(|p| p.ends_with(".en.md") || p.ends_with(".de.md"))
                .collect();
            let rel = translations[rng.below(translations.len())].clone();
            let abs = root.join(&rel);
            let text = std::fs::read_to_string(&abs).unwrap();
            let n = 1000 + step * 37;
            std::fs::write(&abs, format!("{text}\nAbout {n} firms took part.\n")).unwrap();
            (format!("number in {rel}"), vec![abs])
        }
        _ => {
            let text = std::fs::read_to_string(&abs).unwrap();
            std::fs::write(&abs, format!("{text}\n另一段 {step}。\n")).unwrap();
            (format!("body {rel}"), vec![abs])
        }
    }
}

/// How many kinds of edit [`apply`] knows.
const KINDS: usize = 18;

/// Every update is given the model of the one before, as `qiao serve` gives the model it
/// serves ([`Derivation::update_from`]): body edits make the new model from it, every other
/// edit runs every step.
#[test]
fn updates_equal_fresh_builds_after_random_edits() {
    let mut from_served = 0;
    for seed in [1u64, 7, 42] {
        let site = common::zone_copy();
        let root = site.path();
        let (settings, _) = Settings::load(root, false, false).unwrap();
        let (mut derivation, first) = Derivation::with_cross_checks(settings);
        let (model, diags) = fresh(root);
        assert_eq!(first.model.rendering_inputs(), model);
        assert_eq!(shown(&first.diagnostics), diags);
        let mut served = first.model;
        let mut rng = Lcg(seed);
        for step in 0..24 {
            // Every kind of edit once, in an order of the seed's, then random ones.
            let kind = if step < KINDS {
                (step * 5 + seed as usize) % KINDS
            } else {
                rng.below(KINDS)
            };
            let (what, changed) = apply(root, &mut rng, step, kind);
            let derived = derivation.update_from(&changed, &served);
            from_served += usize::from(derivation.edited_pages().is_some());
            let (model, diags) = fresh(root);
            let got = derived.model.rendering_inputs();
            if got != model {
                let at = got
                    .lines()
                    .zip(model.lines())
                    .find(|(a, b)| a != b)
                    .map(|(a, b)| format!("derived: {a}\nfresh:   {b}"));
                panic!("seed {seed}, step {step} ({what}): models differ\n{at:?}");
            }
            assert_eq!(
                shown(&derived.diagnostics),
                diags,
                "seed {seed}, step {step} ({what})"
            );
            served = derived.model;
        }
    }
    assert!(
        from_served >= 3,
        "{from_served} updates made from the model served"
    );
}

/// Which edits make the new model from the one served, and which run every step: each
/// result equals a fresh build.
#[test]
fn a_body_edit_is_made_from_the_model_served_and_anything_more_runs_every_step() {
    let site = common::zone_copy();
    let root = site.path();
    let (settings, _) = Settings::load(root, false, false).unwrap();
    let (mut derivation, first) = Derivation::with_cross_checks(settings);
    let mut served = first.model;
    let mut check = |derivation: &mut Derivation, rel: &str, from_served: bool, what: &str| {
        let changed = [root.join(rel)];
        let derived = derivation.update_from(&changed, &served);
        assert_eq!(derivation.edited_pages().is_some(), from_served, "{what}");
        let (model, diags) = fresh(root);
        assert_eq!(derived.model.rendering_inputs(), model, "{what}");
        assert_eq!(shown(&derived.diagnostics), diags, "{what}");
        served = derived.model;
    };
    let en = "content/news/zone-unveiling.en.md";
    let text = std::fs::read_to_string(root.join(en)).unwrap();
    std::fs::write(
        root.join(en),
        format!("{text}\nThe zone had 3 bases and 12 partners.\n"),
    )
    .unwrap();
    check(
        &mut derivation,
        en,
        true,
        "a sentence with numbers in a translation",
    );
    assert_eq!(derivation.rendered_last(), 1);
    let text = std::fs::read_to_string(root.join(en)).unwrap();
    std::fs::write(
        root.join(en),
        format!("{text}\n## A new heading\n\nText.\n"),
    )
    .unwrap();
    check(&mut derivation, en, false, "a heading: a new anchor");
    front(root, en, "weight: 3");
    check(&mut derivation, en, false, "front matter");
    let zh = "content/news/zone-unveiling.md";
    let text = std::fs::read_to_string(root.join(zh)).unwrap();
    std::fs::write(root.join(zh), format!("{text}\n新的一段。\n")).unwrap();
    check(
        &mut derivation,
        zh,
        false,
        "a source whose translations record its revision",
    );
    let index = "content/news/_index.md";
    let text = std::fs::read_to_string(root.join(index)).unwrap();
    std::fs::write(root.join(index), format!("{text}\n新的一段。\n")).unwrap();
    check(&mut derivation, index, false, "an _index");
    // Nothing changed (a template was edited): the model served, as it is.
    let derived = derivation.update_from(&[], &served);
    assert!(derivation.edited_pages().is_some());
    assert_eq!(derived.model.rendering_inputs(), fresh(root).0);
}

/// Two files of one key and language (`x.md` and `x.zh.md`, zh the default) are an error,
/// and the second is left out; a body edit of either is derived as a fresh build derives it
/// (found by a bug hunt: before the error, both were pages and the index named one, and
/// the edit of the other gave its body to that one).
#[test]
fn a_body_edit_of_one_of_two_files_with_one_key_changes_its_own_page() {
    let site = common::zone_copy();
    let root = site.path();
    let files = [
        (
            "content/news/dup.md",
            "---\ntitle: 甲\ndate: 2016-03-01\nslug: dup-a\n---\n\n正文甲。\n",
        ),
        (
            "content/news/dup.zh.md",
            "---\ntitle: 乙\ndate: 2016-03-02\nslug: dup-b\n---\n\n正文乙。\n",
        ),
    ];
    for (rel, text) in files {
        std::fs::write(root.join(rel), text).unwrap();
    }
    let (settings, _) = Settings::load(root, false, false).unwrap();
    let (mut derivation, first) = Derivation::with_cross_checks(settings);
    let mut served = first.model;
    for (rel, text) in files {
        std::fs::write(root.join(rel), format!("{text}\n新增一段。\n")).unwrap();
        let derived = derivation.update_from(&[root.join(rel)], &served);
        if let Some(page) = derived.model.pages.iter().find(|p| p.source == rel) {
            assert!(page.html.contains("新增一段"), "{rel}: {}", page.html);
        }
        let (model, diags) = fresh(root);
        assert_eq!(derived.model.rendering_inputs(), model, "{rel}");
        assert_eq!(shown(&derived.diagnostics), diags, "{rel}");
        served = derived.model;
    }
}

/// With `missing_translation = "fallback"`, the copies of an edited default-language page
/// in the languages that lack it are made again from its new body.
#[test]
fn a_body_edit_makes_the_fallback_copies_of_its_page_again() {
    let site = common::zone_copy();
    let root = site.path();
    common::edit(
        root,
        "site.toml",
        "missing_translation = \"omit\"",
        "missing_translation = \"fallback\"",
    );
    // A Chinese page without translations.
    let untranslated = "content/news/untranslated.md".to_string();
    std::fs::write(
        root.join(&untranslated),
        "---\ntitle: 未译\ndate: 2016-03-01\n---\n\n只有中文。\n",
    )
    .unwrap();
    let (settings, _) = Settings::load(root, false, false).unwrap();
    let (mut derivation, first) = Derivation::with_cross_checks(settings);
    let fallback = |m: &model::SiteModel| {
        let key = untranslated
            .trim_start_matches("content/")
            .trim_end_matches(".md");
        m.pages
            .iter()
            .filter(|p| p.key == key && p.fallback)
            .map(|p| p.html.to_string())
            .collect::<Vec<_>>()
    };
    assert!(!fallback(&first.model).is_empty());
    let text = std::fs::read_to_string(root.join(&untranslated)).unwrap();
    std::fs::write(
        root.join(&untranslated),
        format!("{text}\n新增的一段文字。\n"),
    )
    .unwrap();
    let derived = derivation.update_from(&[root.join(&untranslated)], &first.model);
    assert!(derivation.edited_pages().is_some());
    let copies = fallback(&derived.model);
    assert!(
        copies.iter().all(|html| html.contains("新增的一段文字")),
        "{copies:?}"
    );
    assert_eq!(derived.model.rendering_inputs(), fresh(root).0);
}

#[test]
fn an_update_renders_only_what_changed() {
    let site = common::zone_copy();
    let root = site.path();
    let (settings, _) = Settings::load(root, false, false).unwrap();
    let (mut derivation, _) = Derivation::new(settings);
    let total = derivation.rendered_last();
    assert!(total > 50, "{total}");
    // A body edit renders that body only.
    common::edit(root, "content/about.md", "\n", "\n\n");
    derivation.update(&[root.join("content/about.md")]);
    assert_eq!(derivation.rendered_last(), 1);
    // A removed page renders again the pages whose links to it now resolve differently.
    let linked = root.join("content/news/zone-unveiling.md");
    std::fs::remove_file(&linked).unwrap();
    let derived = derivation.update(&[linked]);
    let (model, _) = fresh(root);
    assert_eq!(derived.model.rendering_inputs(), model);
    let linking = pages(root)
        .iter()
        .filter(|p| {
            std::fs::read_to_string(root.join(p))
                .unwrap()
                .contains("@/news/zone-unveiling.md")
        })
        .count();
    assert!(linking > 0);
    assert!(derivation.rendered_last() >= 1 && derivation.rendered_last() < total / 2);
    // Nothing changed: nothing is rendered.
    derivation.update(&[]);
    assert_eq!(derivation.rendered_last(), 0);
}

/// Front matter as Hugo and Zola sites write it (TOML between `+++`, with `[taxonomies]`
/// and `[extra]` tables), and YAML saved on Windows (a byte-order mark, CRLF line ends):
/// a body edit of each takes the shortcut and gives what a fresh build gives, and an edit
/// of their front matter does not take it.
#[test]
fn a_body_edit_under_toml_or_crlf_front_matter_is_made_from_the_model_served() {
    let site = common::zone_copy();
    let root = site.path();
    let toml = "content/news/hugo-style.md";
    let crlf = "content/news/windows-style.md";
    std::fs::write(
        root.join(toml),
        "+++\ntitle = \"侨乡合作\"\ndate = 2016-03-01T09:00:00+08:00\n\n[taxonomies]\n\
         tags = [\"中欧合作\"]\n\n[extra]\ndistrict = \"蓬江区\"\n+++\n\n第一段。\n",
    )
    .unwrap();
    std::fs::write(
        root.join(crlf),
        "\u{feff}---\r\ntitle: 江门合作\r\ndate: 2016-03-02\r\ntags: [江门]\r\n---\r\n\r\n第一段。\r\n",
    )
    .unwrap();
    let (settings, _) = Settings::load(root, false, false).unwrap();
    let (mut derivation, first) = Derivation::with_cross_checks(settings);
    let mut served = first.model;
    let mut edit = |rel: &str, from: &str, to: &str, shortcut: bool| {
        let text = std::fs::read_to_string(root.join(rel)).unwrap();
        assert!(text.contains(from), "{rel}: {from}");
        std::fs::write(root.join(rel), text.replacen(from, to, 1)).unwrap();
        let derived = derivation.update_from(&[root.join(rel)], &served);
        assert_eq!(
            derivation.edited_pages().is_some(),
            shortcut,
            "{rel}: {from} -> {to}"
        );
        let (model, diags) = fresh(root);
        assert_eq!(derived.model.rendering_inputs(), model, "{rel}");
        assert_eq!(shown(&derived.diagnostics), diags, "{rel}");
        assert!(
            derived.model.rendering_inputs().contains(to.trim()),
            "{rel}: the edit is in the model"
        );
        served = derived.model;
    };
    edit(toml, "第一段。", "第一段，改过。", true);
    edit(crlf, "第一段。", "第一段，改过。", true);
    edit(toml, "蓬江区", "新会区", false);
    edit(crlf, "tags: [江门]", "tags: [江门, 新会]", false);
    edit(toml, "改过。", "又改过。", true);
    edit(crlf, "改过。", "又改过。", true);
}
