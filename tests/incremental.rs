//! Incremental rebuilds of `qiao serve` on the zone's own site: its theme reads
//! `section.pages` and calls `get_section` from every page, it has translations tracked with
//! `translation_of` and a search index. Each edit must be applied incrementally (or not:
//! `site.toml`, data files, pages that show images, errors) and leave exactly what a clean
//! build writes; where it says which files an edit rewrites, it asserts that set.

mod serve_support;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

use serve_support::*;

/// A copy of the zone site (sources only).
fn zone_copy() -> tempfile::TempDir {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    for top in ["content", "themes", "i18n", "data", "site.toml"] {
        let from = repo.join(top);
        if !from.exists() {
            continue;
        }
        for e in walkdir::WalkDir::new(&from) {
            let e = e.unwrap();
            let dest = dir.path().join(e.path().strip_prefix(repo).unwrap());
            if e.file_type().is_dir() {
                fs::create_dir_all(&dest).unwrap();
            } else {
                fs::copy(e.path(), &dest).unwrap();
            }
        }
    }
    dir
}

struct Check<'a> {
    server: &'a qiao::serve::Server,
    root: &'a Path,
    incremental: u64,
    /// The served files after the last step.
    served: BTreeMap<String, Vec<u8>>,
    /// The files the last step changed, added or removed (by comparing the served trees).
    changed: BTreeSet<String>,
    /// The files the last step wrote or removed (empty after a full build).
    touched: BTreeSet<String>,
}

impl<'a> Check<'a> {
    fn new(server: &'a qiao::serve::Server, root: &'a Path) -> Check<'a> {
        Check {
            server,
            root,
            incremental: server.status().incremental,
            served: tree(server.site_dir()),
            changed: BTreeSet::new(),
            touched: BTreeSet::new(),
        }
    }

    /// Saves `text` to `rel`, waits for the server, and checks whether the rebuild was
    /// incremental and that the served site is a clean build's.
    fn save(&mut self, rel: &str, text: &str, incremental: bool) {
        atomic_save(&self.root.join(rel), text);
        self.check(rel, incremental);
    }

    /// Waits for the server and checks the rebuild of a change to `rel`.
    fn check(&mut self, rel: &str, incremental: bool) {
        sync(self.server);
        let status = self.server.status();
        assert!(status.errors.is_empty(), "{rel}: {:?}", status.errors);
        // Every edit of content, templates and `.ftl` files is incremental, structural ones
        // (front matter, new and deleted files) included; full builds remain for `site.toml`,
        // data files, pages that show images, and errors (see docs/serve.md).
        assert_eq!(
            status.incremental,
            self.incremental + u64::from(incremental),
            "{rel}: incremental should be {incremental}"
        );
        self.incremental = status.incremental;
        self.touched = status.touched.into_iter().collect();
        let served = tree(self.server.site_dir());
        let clean = clean_build(self.root, self.server.base_url()).expect("a clean build");
        let d = differences(&served, &clean);
        assert!(d.is_empty(), "{rel}: {d:#?}");
        self.changed = (self.served.keys().chain(served.keys()))
            .filter(|k| !k.ends_with('/') && self.served.get(*k) != served.get(*k))
            .cloned()
            .collect();
        // Whatever changed was written (or removed) by the update.
        if incremental {
            let missed: Vec<&String> = self.changed.difference(&self.touched).collect();
            assert!(
                missed.is_empty(),
                "{rel}: changed but not touched: {missed:?}"
            );
        }
        self.served = served;
    }

    fn remove(&mut self, rel: &str) {
        fs::remove_file(self.root.join(rel)).unwrap();
        self.check(rel, true);
    }

    fn rename(&mut self, from: &str, to: &str) {
        fs::rename(self.root.join(from), self.root.join(to)).unwrap();
        self.check(to, true);
    }

    /// Whether the served site has the file `rel`.
    fn has(&self, rel: &str) -> bool {
        self.served.contains_key(rel)
    }

    /// Whether the served site has anything under the directory `rel` (an empty directory
    /// counts).
    fn has_dir(&self, rel: &str) -> bool {
        self.server.site_dir().join(rel).exists()
    }

    /// The served file `rel` as text.
    fn text(&self, rel: &str) -> String {
        String::from_utf8(self.served[rel].clone()).unwrap()
    }

    /// The files the last step touched that match `f`.
    fn touched_where(&self, f: impl Fn(&str) -> bool) -> Vec<&String> {
        self.touched.iter().filter(|t| f(t)).collect()
    }

    fn edit(&mut self, rel: &str, change: impl Fn(&str) -> String, incremental: bool) {
        let text = fs::read_to_string(self.root.join(rel)).unwrap();
        let new = change(&text);
        assert_ne!(new, text, "{rel}: the edit changes nothing");
        self.save(rel, &new, incremental);
    }

    fn page(&self, path: &str) -> String {
        fs::read_to_string(self.server.site_dir().join(path).join("index.html")).unwrap()
    }
}

#[test]
fn zone_site_edits_are_incremental_and_exact() {
    let dir = zone_copy();
    let root = dir.path().canonicalize().unwrap();
    // The English article records the Chinese revision it translates.
    qiao::status::mark_current(&root, "content/news/zone-unveiling.md", "en").unwrap();
    let server = start(&root);
    let mut c = Check::new(&server, &root);
    let unveiling = "content/news/zone-unveiling.md";
    let unveiling_en = "content/news/zone-unveiling.en.md";
    let stale = "notice--stale";
    assert!(!c.page("en/news/zone-unveiling").contains(stale));

    // A body edit in the default language: the page, its lists, its feeds, the search
    // index, and its English translation, now stale.
    c.edit(unveiling, |t| format!("{t}\n增量构建测试段落。\n"), true);
    assert!(c.page("news/zone-unveiling").contains("增量构建测试段落"));
    assert!(
        c.page("en/news/zone-unveiling").contains(stale),
        "the translation is stale now"
    );
    // The new paragraph has no counterpart in the translation's structure: it lands on the
    // last section's paragraphs, which are marked as a clean build marks them.
    assert!(c.page("en/news/zone-unveiling").contains("<p data-stale"));
    // A word changed in the first paragraph marks the translation's first paragraph too.
    c.edit(
        unveiling,
        |t| t.replacen("标志着合作区进入", "标志着合作区正式进入", 1),
        true,
    );
    assert!(
        c.page("en/news/zone-unveiling")
            .contains("<p data-stale aria-describedby=\"stale-block-hint\">On the morning")
    );

    // The translation's body, and a section's introduction (every page of the list shows it).
    c.edit(
        unveiling_en,
        |t| format!("{t}\nAn added paragraph.\n"),
        true,
    );
    // (bases/_index.md shows the layout diagram: an edit of a page that shows images is a
    // full build, see docs/images.md, so the news section's introduction is edited here.)
    c.edit(
        "content/news/_index.md",
        |t| format!("{t}\n新闻介绍补充。\n"),
        true,
    );
    c.edit(
        "content/bases/_index.md",
        |t| format!("{t}\n基地介绍补充。\n"),
        false,
    );
    // A stylesheet of the theme.
    c.edit(
        "themes/zone/static/zone.css",
        |t| format!("{t}\n/* incremental */\n"),
        true,
    );
    // Front matter that moves nothing: a description; a new title (the home page, the
    // neighbours and the translation's `original` link show it) that keeps the date order.
    // The description is translated, so a translation marked current is stale again.
    qiao::status::mark_current(&root, unveiling, "en").unwrap();
    c.check(unveiling_en, true);
    assert!(!c.page("en/news/zone-unveiling").contains(stale));
    c.edit(
        unveiling,
        |t| t.replacen("\ndescription: \"", "\ndescription: \"（更新）", 1),
        true,
    );
    assert!(
        c.page("en/news/zone-unveiling").contains(stale),
        "a new description makes the translation stale"
    );
    c.edit(
        unveiling,
        |t| t.replacen("\ntitle: \"", "\ntitle: \"新标题：", 1),
        true,
    );
    assert!(
        c.page("news").contains("新标题："),
        "the list shows the new title"
    );

    // A date moved into the future takes the page out of the site (it is published only
    // with --future), and back; a translation that stops or starts recording its source
    // revision: incremental, equal to clean builds.
    let about_de = "content/about.de.md";
    let recorded = fs::read_to_string(root.join(about_de)).unwrap();
    let line = recorded
        .lines()
        .find(|l| l.starts_with("translation_of: "))
        .expect("the zone's translations record their revision")
        .to_string();
    c.edit(about_de, |t| t.replacen(&format!("{line}\n"), "", 1), true);
    c.save(about_de, &recorded, true);
    assert!(!c.page("de/about").contains(stale));

    let later = "content/news/later.md";
    c.save(
        later,
        "---\ntitle: 后续\ndate: 2016-03-01\n---\n正文。\n",
        true,
    );
    assert!(server.site_dir().join("news/later/index.html").exists());
    c.edit(later, |t| t.replace("2016-03-01", "2999-03-01"), true);
    assert!(!server.site_dir().join("news/later/index.html").exists());
    c.edit(later, |t| t.replace("2999-03-01", "2016-03-01"), true);
    assert!(server.site_dir().join("news/later/index.html").exists());

    // What other pages see: a new heading (an anchor), new tags: incremental too.
    c.edit(unveiling, |t| format!("{t}\n## 新的小节\n"), true);
    c.edit(
        unveiling,
        |t| t.replacen("\ntags: [", "\ntags: [新标签, ", 1),
        true,
    );
    // And back to incremental, with JetBrains' "safe write": the new text goes to
    // `x___jb_tmp___`, the old file is renamed to `x___jb_old___`, then the temporary file
    // to `x`, and the old one is deleted. The temporary names come and go within the burst.
    let path = root.join(unveiling);
    let text = fs::read_to_string(&path).unwrap();
    let tmp = root.join(format!("{unveiling}___jb_tmp___"));
    let old = root.join(format!("{unveiling}___jb_old___"));
    fs::write(&tmp, format!("{text}\n再补充一句。\n")).unwrap();
    fs::rename(&path, &old).unwrap();
    fs::rename(&tmp, &path).unwrap();
    fs::remove_file(&old).unwrap();
    c.check(unveiling, true);
}

#[test]
fn an_error_in_an_edit_is_reported_and_the_fix_rebuilds() {
    let dir = zone_copy();
    let root = dir.path().canonicalize().unwrap();
    let server = start(&root);
    let incremental = server.status().incremental;
    let rel = "content/news/zone-unveiling.md";
    let good = fs::read_to_string(root.join(rel)).unwrap();
    // A body edit with a broken link: not applied, the full build reports it.
    atomic_save(
        &root.join(rel),
        &format!("{good}\n[x](@/news/no-such-page.md)\n"),
    );
    sync(&server);
    let errors = server.status().errors;
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].message.contains("no-such-page"), "{errors:?}");
    assert_eq!(
        server.status().incremental,
        incremental,
        "an error is a full build"
    );
    atomic_save(&root.join(rel), &format!("{good}\n修好了。\n"));
    sync(&server);
    assert!(server.status().errors.is_empty());
    // After a failed build nothing is kept to update: the fix is a full build too.
    assert_eq!(server.status().incremental, incremental);
    let clean = clean_build(&root, server.base_url()).unwrap();
    assert!(differences(&tree(server.site_dir()), &clean).is_empty());
}

/// Data files and shared front matter fields in `qiao serve`: a data file change rebuilds the
/// pages that show it; a translation that inherits `extra.data_table` and `weight` keeps
/// them through an incremental edit of its body; a shared field changed in the source reaches
/// its translations. Every step leaves exactly what a clean build writes.
#[test]
fn data_files_and_shared_fields_in_serve_match_a_clean_build() {
    let dir = zone_copy();
    let root = dir.path().canonicalize().unwrap();
    let server = start(&root);
    let mut c = Check::new(&server, &root);
    let figures = |page: &str| page.matches(r#"<td class="num">"#).count();
    assert_eq!(figures(&c.page("en/policy/targets-2018")), 6);

    // A figure and a German label: every language shows the figure, German the label.
    c.edit(
        "data/targets.toml",
        |t| t.replacen("at_least = 300", "at_least = 1300", 1),
        false,
    );
    assert!(c.page("policy/targets-2018").contains("≥ 1,300"));
    assert!(c.page("en/policy/targets-2018").contains("≥ 1,300"));
    assert!(c.page("de/policy/targets-2018").contains("≥ 1.300"));
    c.edit(
        "data/targets.de.toml",
        |t| t.replace("Weitere besondere Projekte", "Sonstige Projekte"),
        false,
    );
    assert!(
        c.page("de/policy/targets-2018")
            .contains(">Sonstige Projekte</th>")
    );

    // The English translation's body: incremental, and it still inherits the table.
    c.edit(
        "content/policy/targets-2018.en.md",
        |t| format!("{t}\nAn added paragraph.\n"),
        true,
    );
    assert_eq!(figures(&c.page("en/policy/targets-2018")), 6);

    // A shared field of the source (the weight orders the policy list in every language).
    c.edit(
        "content/policy/targets-2018.md",
        |t| t.replacen("\nweight: 2\n", "\nweight: 0\n", 1),
        true,
    );
}

#[test]
fn a_new_title_of_a_page_a_menu_shows_rebuilds_every_page() {
    let dir = copy_fixture("menus");
    let root = dir.path().canonicalize().unwrap();
    // A dated page, alone in its list: a new title moves it nowhere, yet every page's menu
    // shows it.
    let toml = root.join("site.toml");
    let text = fs::read_to_string(&toml).unwrap();
    fs::write(
        &toml,
        format!("{text}\n[[menus.main]]\npage = \"@/news/opening.md\"\nweight = 40\n"),
    )
    .unwrap();
    // Here the menu entry is site.toml's, not the page's own.
    let opening = root.join("content/news/opening.md");
    let text = fs::read_to_string(&opening).unwrap();
    fs::write(
        &opening,
        text.replace("menu: {name: main, weight: 15}\n", ""),
    )
    .unwrap();
    let server = start(&root);
    let mut c = Check::new(&server, &root);
    assert!(c.page("about").contains(">合作区挂牌</a>"));
    c.edit(
        "content/news/opening.en.md",
        |t| format!("{t}\nMore text.\n"),
        true,
    );
    c.edit(
        "content/news/opening.md",
        |t| t.replace("title: 合作区挂牌", "title: 合作区正式挂牌"),
        true,
    );
    assert!(c.page("about").contains(">合作区正式挂牌</a>"));
    // A page that puts itself into a menu, or takes itself out: every page shows it.
    c.edit(
        "content/about/team.md",
        |t| t.replace("title: 团队\n", "title: 团队\nmenu: footer\n"),
        true,
    );
    c.edit(
        "content/about/team.md",
        |t| t.replace("menu: footer\n", ""),
        true,
    );
}

/// The position of `needle` in `hay`; fails the test when it is not there.
/// The built-in theme's template `name` with `code` at the start of its content block.
fn builtin_with_content(name: &str, code: &str) -> String {
    let builtin = fs::read_to_string(format!("src/theme/builtin/templates/{name}")).unwrap();
    let block = "{% block content %}";
    assert!(
        builtin.contains(block),
        "the built-in {name} has a content block"
    );
    builtin.replacen(block, &format!("{block}{code}"), 1)
}

fn at(hay: &str, needle: &str) -> usize {
    hay.find(needle)
        .unwrap_or_else(|| panic!("no {needle:?} in the page"))
}

/// Whether a file belongs to a language other than the default one (`en/...`, `de/...`).
fn translated(rel: &str) -> bool {
    rel.starts_with("en/") || rel.starts_with("de/")
}

/// A page's life, each step incremental and equal to a clean build: created, dated, tagged,
/// renamed, given a slug, an alias, a draft flag, deleted. Each step rewrites what shows the
/// page (its lists, feeds, sitemap, search index, term pages) and nothing of the other
/// languages, which do not show it.
#[test]
fn structural_edits_of_a_page_are_incremental_and_exact() {
    let dir = zone_copy();
    let root = dir.path().canonicalize().unwrap();
    let server = start(&root);
    let mut c = Check::new(&server, &root);
    let later = "content/news/later.md";
    let unveiling = "/news/zone-unveiling/";

    // A new page: its own file, its section's list, the feeds, the sitemap, the search
    // index and the list of each of its terms.
    c.save(
        later,
        "---\ntitle: 合作区后续报道\ndate: 2016-03-01\ntags: [\"中欧合作\"]\n---\n后续正文。\n",
        true,
    );
    for rel in [
        "news/later/index.html",
        "news/index.html",
        "news/atom.xml",
        "sitemap.xml",
        "tags/中欧合作/index.html",
    ] {
        assert!(
            c.touched.contains(rel),
            "{rel} not rewritten: {:?}",
            c.touched
        );
    }
    for list in [
        "news/index.html",
        "news/atom.xml",
        "sitemap.xml",
        "tags/中欧合作/index.html",
    ] {
        assert!(
            c.text(list).contains("/news/later/"),
            "{list} does not list it"
        );
    }
    assert!(
        c.touched_where(|t| t.starts_with("search-index/zh/"))
            .iter()
            .any(|t| c.text(t).contains("合作区后续报道")),
        "the search index has it"
    );
    assert_eq!(c.touched_where(translated), Vec::<&String>::new());
    // Newest first: the new page is above the older one, and they are neighbours.
    let news = c.text("news/index.html");
    assert!(at(&news, "/news/later/") < at(&news, unveiling));
    assert!(
        c.text("news/zone-unveiling/index.html")
            .contains("/news/later/")
    );

    // A date change moves it below the older one; the neighbours follow.
    let before = c.text("news/zone-unveiling/index.html");
    c.edit(later, |t| t.replace("2016-03-01", "2016-02-01"), true);
    let news = c.text("news/index.html");
    assert!(at(&news, unveiling) < at(&news, "/news/later/"));
    assert!(c.changed.contains("news/zone-unveiling/index.html"));
    assert_ne!(c.text("news/zone-unveiling/index.html"), before);
    assert_eq!(c.touched_where(translated), Vec::<&String>::new());

    // A new tag: a new term page (with its feed); taken away, the term page disappears.
    c.edit(
        later,
        |t| t.replace("[\"中欧合作\"]", "[\"中欧合作\", \"后续\"]"),
        true,
    );
    assert!(c.has("tags/后续/index.html"));
    assert!(c.touched.contains("tags/index.html"));
    assert!(c.text("tags/index.html").contains("后续"));
    c.edit(later, |t| t.replace(", \"后续\"]", "]"), true);
    assert!(!c.has_dir("tags/后续"), "the term's directory is removed");
    assert!(c.touched.contains("tags/后续/index.html"));
    assert!(!c.text("tags/index.html").contains("/tags/后续/"));

    // A rename: the old address is gone, the new one listed.
    let renamed = "content/news/follow-up.md";
    c.rename(later, renamed);
    assert!(!c.has_dir("news/later"));
    assert!(c.has("news/follow-up/index.html"));
    assert!(c.text("news/index.html").contains("/news/follow-up/"));
    assert!(!c.text("news/index.html").contains("/news/later/"));

    // A slug: the page moves, its old directory is removed.
    c.edit(
        renamed,
        |t| t.replacen("---\n", "---\nslug: sequel\n", 1),
        true,
    );
    assert!(!c.has_dir("news/follow-up"));
    assert!(c.has("news/sequel/index.html"));
    assert!(c.text("sitemap.xml").contains("/news/sequel/"));

    // An alias writes a redirect at the old address; taken away, the redirect goes.
    c.edit(
        renamed,
        |t| t.replacen("---\n", "---\naliases: [\"/news/follow-up/\"]\n", 1),
        true,
    );
    assert!(
        c.text("news/follow-up/index.html")
            .contains("/news/sequel/")
    );
    assert_eq!(c.touched_where(translated), Vec::<&String>::new());
    c.edit(
        renamed,
        |t| t.replace("aliases: [\"/news/follow-up/\"]\n", ""),
        true,
    );
    assert!(!c.has_dir("news/follow-up"));

    // A draft leaves the site (and its lists); published again, it is back.
    c.edit(
        renamed,
        |t| t.replacen("---\n", "---\ndraft: true\n", 1),
        true,
    );
    assert!(!c.has_dir("news/sequel"));
    assert!(!c.text("news/index.html").contains("/news/sequel/"));
    assert!(!c.text("tags/中欧合作/index.html").contains("/news/sequel/"));
    c.edit(renamed, |t| t.replace("draft: true\n", ""), true);
    assert!(c.has("news/sequel/index.html"));

    // Deleted: its files are removed and no list shows it.
    c.remove(renamed);
    assert!(!c.has_dir("news/sequel"));
    for list in [
        "news/index.html",
        "news/atom.xml",
        "sitemap.xml",
        "tags/中欧合作/index.html",
    ] {
        assert!(
            !c.text(list).contains("/news/sequel/"),
            "{list} still lists it"
        );
    }
    assert!(c.touched.contains("news/sequel/index.html"));
    assert_eq!(c.touched_where(translated), Vec::<&String>::new());
}

/// Translations and sections: a translation added shows in the original's language
/// switcher and in its own language's lists, and goes again; a new section (`_index.md`)
/// gets its list page and its first page.
#[test]
fn translations_and_new_sections_are_incremental_and_exact() {
    let dir = zone_copy();
    let root = dir.path().canonicalize().unwrap();
    let server = start(&root);
    let mut c = Check::new(&server, &root);
    let later = "content/news/later.md";
    c.save(
        later,
        "---\ntitle: 后续\ndate: 2016-03-01\n---\n正文。\n",
        true,
    );
    assert!(!c.has("en/news/later/index.html"));

    let later_en = "content/news/later.en.md";
    c.save(later_en, "---\ntitle: Follow-up\n---\nText.\n", true);
    assert!(c.has("en/news/later/index.html"));
    assert!(c.text("en/news/index.html").contains("/en/news/later/"));
    assert!(
        c.changed.contains("news/later/index.html"),
        "the switcher links it"
    );
    assert!(c.text("news/later/index.html").contains("/en/news/later/"));
    assert_eq!(
        c.touched_where(|t| t.starts_with("de/")),
        Vec::<&String>::new()
    );

    c.remove(later_en);
    assert!(!c.has_dir("en/news/later"));
    assert!(!c.text("en/news/index.html").contains("/en/news/later/"));
    assert!(!c.text("news/later/index.html").contains("/en/news/later/"));

    // A new section, then a page in it.
    fs::create_dir(root.join("content/events")).unwrap();
    c.save(
        "content/events/_index.md",
        "---\ntitle: 活动\n---\n合作区的活动。\n",
        true,
    );
    assert!(c.text("events/index.html").contains("活动"));
    c.save(
        "content/events/fair.md",
        "---\ntitle: 中欧博览会\ndate: 2016-05-01\n---\n博览会。\n",
        true,
    );
    assert!(c.has("events/fair/index.html"));
    assert!(c.text("events/index.html").contains("/events/fair/"));
    // The section's `_index` taken away: the section stays (its pages make it), without
    // its introduction.
    c.remove("content/events/_index.md");
    assert!(!c.text("events/index.html").contains("合作区的活动"));
}

/// A page that is a symbolic link to another file of `content/` changes with that file:
/// when it is saved, when it is deleted (the link leads nowhere and is skipped), when a link
/// that led nowhere gets its target. A directory of pages replaced by a file of the same
/// name leaves nothing of it (walking what was under it was an error).
#[cfg(unix)]
#[test]
fn links_follow_their_targets_and_replaced_directories_leave_nothing() {
    let dir = zone_copy();
    let root = dir.path().canonicalize().unwrap();
    let server = start(&root);
    let mut c = Check::new(&server, &root);
    let target = "content/news/later.md";
    c.save(
        target,
        "---\ntitle: 后续\ndate: 2016-03-01\n---\n正文。\n",
        true,
    );
    std::os::unix::fs::symlink("later.md", root.join("content/news/linked.md")).unwrap();
    c.check("content/news/linked.md", true);
    assert!(c.text("news/linked/index.html").contains("正文。"));
    c.edit(target, |t| t.replace("正文。", "改过的正文。"), true);
    assert!(c.text("news/linked/index.html").contains("改过的正文。"));
    c.remove(target);
    assert!(!c.has_dir("news/linked"));
    c.save(
        target,
        "---\ntitle: 又一篇\ndate: 2016-03-02\n---\n新的正文。\n",
        true,
    );
    assert!(c.text("news/linked/index.html").contains("新的正文。"));

    // A directory of pages deleted and a file written in its place, in one burst.
    fs::create_dir_all(root.join("content/events/fairs/2016")).unwrap();
    c.save(
        "content/events/fairs/2016/fair.md",
        "---\ntitle: 博览会\ndate: 2016-05-01\n---\n博览会。\n",
        true,
    );
    // (The watcher may see each burst as one change or two: each is incremental.)
    let burst = |change: &dyn Fn()| {
        let before = server.status().incremental;
        change();
        sync(&server);
        let status = server.status();
        assert!(status.errors.is_empty(), "{:?}", status.errors);
        assert!(
            status.incremental > before,
            "the update fell back to a full build"
        );
        let clean = clean_build(&root, server.base_url()).expect("a clean build");
        let d = differences(&tree(server.site_dir()), &clean);
        assert!(d.is_empty(), "{d:#?}");
    };
    burst(&|| {
        fs::remove_dir_all(root.join("content/events")).unwrap();
        write(root.join("content/events"), "not a directory any more");
    });
    assert!(!server.site_dir().join("events/fairs").exists());
    // And back: the file replaced by a directory with a page.
    burst(&|| {
        fs::remove_file(root.join("content/events")).unwrap();
        write(
            root.join("content/events/fair.md"),
            "---\ntitle: 博览会\ndate: 2016-05-01\n---\n博览会。\n",
        );
    });
    assert!(server.site_dir().join("events/fair/index.html").exists());
}

/// A template edit rewrites exactly the files rendered with it; an `.ftl` edit exactly the
/// files of that language that show the message.
#[test]
fn template_and_translation_edits_rewrite_exactly_their_files() {
    let dir = zone_copy();
    let root = dir.path().canonicalize().unwrap();
    let server = start(&root);
    let mut c = Check::new(&server, &root);
    let with = |c: &Check, mark: &str| -> BTreeSet<String> {
        (c.served.iter())
            .filter(|(_, bytes)| String::from_utf8_lossy(bytes).contains(mark))
            .map(|(rel, _)| rel.clone())
            .collect()
    };

    // The template of term pages (every language, every page of a term's list).
    c.edit(
        "themes/zone/templates/taxonomy_single.html",
        |t| {
            t.replacen(
                "<header class=\"page-header\">",
                "<header class=\"page-header term\">",
                1,
            )
        },
        true,
    );
    let terms = with(&c, "<header class=\"page-header term\">");
    assert!(terms.len() > 10, "{terms:?}");
    assert!(terms.iter().any(|t| t.starts_with("de/")));
    assert_eq!(c.touched, terms);
    assert_eq!(c.changed, terms);

    // A partial included by the list templates only (sections and terms).
    c.edit(
        "themes/zone/templates/partials/pagination.html",
        |t| format!("<!-- pagination -->{t}"),
        true,
    );
    let lists = with(&c, "<!-- pagination -->");
    assert!(lists.contains("news/index.html") && lists.contains("tags/中欧合作/index.html"));
    assert!(!lists.contains("news/zone-unveiling/index.html"));
    assert_eq!(c.changed, lists);
    // The bases' overview is rendered with section.html too, which includes the partial
    // in a branch the overview does not take: it is rendered again (a template's files are
    // known by template, not by branch) and comes out the same.
    let also: Vec<&String> = c.touched.difference(&lists).collect();
    assert!(
        also.iter().all(|t| {
            let t = t.trim_start_matches("en/").trim_start_matches("de/");
            t == "bases/index.html" || t.starts_with("bases/page/")
        }),
        "{also:?}"
    );

    // A German message every page shows: the German files, no other.
    c.edit(
        "themes/zone/i18n/de/zone.ftl",
        |t| {
            t.replace(
                "skip-to-content = Zum Inhalt springen",
                "skip-to-content = Direkt zum Inhalt",
            )
        },
        true,
    );
    let german = with(&c, "Direkt zum Inhalt");
    assert!(
        german.len() > 10 && german.iter().all(|t| t.starts_with("de/")),
        "{german:?}"
    );
    assert_eq!(c.touched, german);
    assert_eq!(c.changed, german);
}

/// What a template reads through `get_page` and `get_section` is recorded wherever the call
/// is made (an included template, a loop, a block of a template that extends another), so
/// that a change to the page or section read renders the reader again, and only the readers
/// of what changed. A read that cannot be recorded (from a component, which sees only its
/// own arguments) is never lost: updates are full builds then.
#[test]
fn reads_through_functions_are_recorded_wherever_they_are_made() {
    let dir = copy_fixture("reads");
    let root = dir.path().canonicalize().unwrap();
    let server = start(&root);
    let mut c = Check::new(&server, &root);
    let readers = |c: &Check| -> BTreeSet<String> {
        c.touched_where(|t| t.starts_with("r/"))
            .into_iter()
            .cloned()
            .collect()
    };
    let set = |names: &[&str]| -> BTreeSet<String> {
        names.iter().map(|n| format!("r/{n}/index.html")).collect()
    };

    // The body of the page read: an edit that the model served takes in
    // (`Derivation::update_from`), whose new value the readers of the page read.
    c.edit(
        "content/t/target.md",
        |t| t.replace("目标正文", "目标新正文"),
        true,
    );
    let shown = c.text("r/content/index.html");
    assert!(shown.contains("<p>目标新正文。</p>"), "{shown}");
    assert!(readers(&c).contains("r/content/index.html"));
    // The page read from an included template and in a loop.
    c.edit(
        "content/t/target.md",
        |t| t.replace("目标一", "目标甲"),
        true,
    );
    assert!(
        c.text("r/include/index.html")
            .contains("<p id=\"target\">目标甲</p>")
    );
    assert!(c.text("r/loop/index.html").contains("<li>目标甲</li>"));
    // (The section read in a block holds its pages: that reader is rendered again too.)
    assert_eq!(readers(&c), set(&["include", "loop", "block", "content"]));
    // A page of another section, read in the loop only.
    c.edit(
        "content/u/other.md",
        |t| t.replace("目标二", "目标乙"),
        true,
    );
    assert!(c.text("r/loop/index.html").contains("<li>目标乙</li>"));
    assert_eq!(readers(&c), set(&["loop"]));
    // The section, read in a block.
    c.edit(
        "content/t/_index.md",
        |t| t.replace("目标栏目", "目标专栏"),
        true,
    );
    assert!(c.text("r/block/index.html").contains("目标专栏"));
    // (Its pages show their section's title, so the readers of the page see it too.)
    assert_eq!(readers(&c), set(&["include", "loop", "block", "content"]));

    // A reader that reads from a component: its read has no file to go to, so this update
    // and the next ones are full builds, and still exact.
    c.save(
        "content/r/component.md",
        "---\ntitle: 读者（component）\ntemplate: reader-component.html\n---\n正文。\n",
        false,
    );
    assert!(
        c.text("r/component/index.html")
            .contains("<p id=\"target\">目标甲</p>")
    );
    c.edit(
        "content/t/target.md",
        |t| t.replace("目标甲", "目标丙"),
        false,
    );
    assert!(
        c.text("r/component/index.html")
            .contains("<p id=\"target\">目标丙</p>")
    );
}

/// A body edit on a site whose templates read no page through functions (the built-in
/// theme): the update keeps the views and fingerprints of every page it did not change
/// without making them again (`render::incremental`, checked against fresh ones in builds
/// with debug assertions, as tests are), and renders again the page and exactly the lists
/// that hold it: its section's list, and each term list that shows it. The output equals a
/// clean build's.
#[test]
fn a_body_edit_renders_again_the_page_and_the_lists_that_hold_it() {
    let dir = copy_fixture("trilingual");
    let root = dir.path().canonicalize().unwrap();
    let server = start(&root);
    let mut c = Check::new(&server, &root);
    // The first paragraph: the page's summary, which the lists show.
    c.edit(
        "content/news/unveiling.en.md",
        |t| t.replacen("On the morning of", "Early on the morning of", 1),
        true,
    );
    assert!(
        c.page("en/news/unveiling")
            .contains("Early on the morning of")
    );
    let html: BTreeSet<&str> = (c.touched.iter())
        .filter(|t| t.ends_with(".html"))
        .map(String::as_str)
        .collect();
    // The page, its section's list, and the lists of its two tags and its category.
    for want in ["en/news/unveiling/index.html", "en/news/index.html"] {
        assert!(html.contains(want), "{want} not in {html:?}");
    }
    let terms: Vec<&&str> = (html.iter())
        .filter(|t| t.starts_with("en/tags/") || t.starts_with("en/categories/"))
        .collect();
    assert_eq!(terms.len(), 3, "{html:?}");
    // Nothing in the other languages, and no page that does not hold it.
    assert!(html.iter().all(|t| t.starts_with("en/")), "{html:?}");
    assert!(!html.contains("en/about/index.html"), "{html:?}");

    // A later hour of the same day: no list changes order, but the sitemap's `lastmod`
    // and the page's date do.
    c.edit(
        "content/news/unveiling.en.md",
        |t| t.replacen("date: 2016-02-29", "date: 2016-02-29T15:30:00+08:00", 1),
        true,
    );
    assert!(c.touched.contains("sitemap.xml"), "{:?}", c.touched);
    assert!(c.text("sitemap.xml").contains("2016-02-29T15:30:00+08:00"));
}

#[test]
fn a_body_edit_renders_again_only_the_list_page_that_shows_it_unless_the_template_reads_section_pages()
 {
    let dir = copy_fixture("trilingual");
    let root = dir.path().canonicalize().unwrap();
    let server = start(&root);
    let mut c = Check::new(&server, &root);
    // The Chinese news list has two pages (two per page): `only-zh` on the first, `bundle`
    // on the second. The built-in list templates read `paginator.pages`, not
    // `section.pages`: the second list page does not show the edited page.
    c.edit(
        "content/news/only-zh.md",
        |t| t.replace("只有中文版本。", "只有中文版本，没有译文。"),
        true,
    );
    assert!(
        c.touched.contains("news/only-zh/index.html"),
        "{:?}",
        c.touched
    );
    assert!(c.touched.contains("news/index.html"), "{:?}", c.touched);
    assert!(
        !c.touched.contains("news/page/2/index.html"),
        "{:?}",
        c.touched
    );

    // So after an edit of the page template (which renders every page again).
    let page = fs::read_to_string("src/theme/builtin/templates/page.html").unwrap();
    fs::create_dir_all(root.join("templates")).unwrap();
    c.save(
        "templates/page.html",
        &page.replacen(
            "{% endblock content %}",
            "<!-- a -->{% endblock content %}",
            1,
        ),
        true,
    );
    c.edit(
        "content/news/only-zh.md",
        |t| t.replace("没有译文。", "没有译文，真的。"),
        true,
    );
    assert!(
        !c.touched.contains("news/page/2/index.html"),
        "{:?}",
        c.touched
    );
    c.edit(
        "content/news/only-zh.md",
        |t| t.replace("没有译文，真的。", "没有译文。"),
        true,
    );

    // A list template that shows every page of its section (here their word counts): each
    // list page depends on every page of the section, and a clean build agrees (`Check`).
    let reads_all = builtin_with_content(
        "section.html",
        "<p class=\"counts\">{% for p in section.pages %}{{ p.word_count }} {% endfor %}</p>",
    );
    fs::create_dir_all(root.join("templates")).unwrap();
    c.save("templates/section.html", &reads_all, true);
    c.edit(
        "content/news/only-zh.md",
        |t| t.replace("没有译文。", "没有译文，也没有摘要。"),
        true,
    );
    assert!(
        c.changed.contains("news/page/2/index.html"),
        "{:?}",
        c.changed
    );
}

#[test]
fn a_new_tag_renders_again_only_its_own_term_pages_unless_the_template_reads_the_terms() {
    let dir = copy_fixture("trilingual");
    let root = dir.path().canonicalize().unwrap();
    let server = start(&root);
    let mut c = Check::new(&server, &root);
    // `only-zh` is tagged 江门; 中欧合作 is another page's tag.
    let zh = "content/news/only-zh.md";
    let other_term = "tags/中欧合作/index.html";
    assert!(c.has(other_term));
    // The built-in term list reads fields of `taxonomy`, not its terms: a new tag adds its
    // term page and changes the taxonomy's index, not the other terms' pages.
    c.edit(
        zh,
        |t| t.replace("tags: [江门]", "tags: [江门, 轨道交通]"),
        true,
    );
    assert!(c.has("tags/轨道交通/index.html"));
    assert!(c.changed.contains("tags/index.html"), "{:?}", c.changed);
    assert!(!c.touched.contains(other_term), "{:?}", c.touched);

    // A term list that shows every term of its taxonomy with its count: a new tag changes
    // every term page of the language, and a clean build agrees (`Check`).
    let reads_terms = builtin_with_content(
        "taxonomy_single.html",
        "<p class=\"all-terms\">{% for tm in taxonomy.terms %}{{ tm.name }} ({{ tm.count }}) {% endfor %}</p>",
    );
    fs::create_dir_all(root.join("templates")).unwrap();
    c.save("templates/taxonomy_single.html", &reads_terms, true);
    c.edit(zh, |t| t.replace("轨道交通]", "轨道交通, 港口]"), true);
    assert!(c.changed.contains(other_term), "{:?}", c.changed);
    assert!(c.text(other_term).contains("港口 (1)"));
}

/// A component (global in Tera: called without naming its file) that reads every term of
/// the taxonomy, called from the term list: the term pages read the terms, and a new tag
/// renders them all again (found by review: the component's file was not among the
/// templates a page was judged to use).
#[test]
fn a_component_that_reads_the_terms_makes_every_term_page_depend_on_them() {
    let dir = copy_fixture("trilingual");
    let root = dir.path().canonicalize().unwrap();
    fs::create_dir_all(root.join("templates")).unwrap();
    fs::write(
        root.join("templates/cloud.html"),
        "{% component cloud(@taxonomy) %}<p class=\"cloud\">{% for tm in taxonomy.terms %}{{ tm.name }} ({{ tm.count }}) {% endfor %}</p>{% endcomponent cloud %}",
    )
    .unwrap();
    let calls = builtin_with_content("taxonomy_single.html", "{{<cloud />}}");
    fs::write(root.join("templates/taxonomy_single.html"), calls).unwrap();
    let server = start(&root);
    let mut c = Check::new(&server, &root);
    let other_term = "tags/中欧合作/index.html";
    assert!(c.text(other_term).contains("class=\"cloud\""));
    c.edit(
        "content/news/only-zh.md",
        |t| t.replace("tags: [江门]", "tags: [江门, 港口]"),
        true,
    );
    assert!(c.changed.contains(other_term), "{:?}", c.changed);
    assert!(c.text(other_term).contains("港口 (1)"));
}
