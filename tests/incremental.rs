//! Incremental rebuilds of `qiao serve` on the zone's own site: its theme reads
//! `section.pages` and calls `get_section` from every page, it has translations tracked with
//! `translation_of` and a search index. Each edit must be applied incrementally (or not, when
//! it moves a page) and leave exactly what a clean build writes.

mod serve_support;

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
}

impl Check<'_> {
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
        let clean = clean_build(self.root, self.server.base_url()).expect("a clean build");
        let d = differences(&tree(self.server.site_dir()), &clean);
        assert!(d.is_empty(), "{rel}: {d:#?}");
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
    let mut c = Check {
        server: &server,
        root: &root,
        incremental: server.status().incremental,
    };
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
    assert_eq!(server.status().incremental, incremental, "an error is a full build");
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
    let mut c = Check {
        server: &server,
        root: &root,
        incremental: server.status().incremental,
    };
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
    let mut c = Check {
        server: &server,
        root: &root,
        incremental: server.status().incremental,
    };
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
