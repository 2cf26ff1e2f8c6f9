//! Unit tests of the model's steps on the small in-memory site of [`super::fixture`].

use super::fixture::{self, build, messages, source};
use super::*;
use crate::translation::TranslationState;

fn page<'m>(m: &'m SiteModel, lang: &str, key: &str) -> &'m Page {
    &m.pages[m.page_at(lang, key).unwrap()]
}

#[test]
fn missing_translations_get_fallback_copies() {
    let c = fixture::config();
    let (m, diags) = build(vec![
        source(&c, "news/a.md", "title: 甲", "正文"),
        source(&c, "news/a.en.md", "title: A", "Text"),
        source(&c, "news/b.md", "title: 乙", "正文"),
    ]);
    assert!(diags.is_empty(), "{diags:?}");
    let listed: Vec<(&str, &str, bool, &str)> = m
        .pages
        .iter()
        .map(|p| (p.lang.as_str(), p.key.as_str(), p.fallback, p.path.as_str()))
        .collect();
    assert_eq!(
        listed,
        [
            ("de", "news/a", true, "/de/news/a/"),
            ("de", "news/b", true, "/de/news/b/"),
            ("en", "news/a", false, "/en/news/a/"),
            ("en", "news/b", true, "/en/news/b/"),
            ("zh", "news/a", false, "/news/a/"),
            ("zh", "news/b", false, "/news/b/"),
        ]
    );
    let copy = page(&m, "en", "news/b");
    assert_eq!(copy.content_lang, "zh");
    assert_eq!(copy.translation, TranslationState::Fallback);
    assert_eq!(copy.out_dir, "en/news/b");
    // Fallback copies are not translations: the index of pages leaves them out.
    let en = c.lang("en").unwrap();
    assert_eq!(m.page_index.get(&("news/b".into(), en)), None);
    assert_eq!(
        m.original_of(m.page_at("en", "news/a").unwrap())
            .unwrap()
            .doc
            .title,
        "甲"
    );
}

#[test]
fn sections_form_a_tree_and_list_pages_by_weight_then_date() {
    let c = fixture::config();
    let (m, _) = build(vec![
        source(&c, "_index.md", "title: 首页", ""),
        source(&c, "news/_index.md", "title: 新闻\nweight: 2", ""),
        source(&c, "about/_index.md", "title: 关于\nweight: 1", ""),
        source(&c, "news/old.md", "title: Old\ndate: 2020-01-01", ""),
        source(&c, "news/new.md", "title: New\ndate: 2024-01-01", ""),
        source(
            &c,
            "news/pinned.md",
            "title: Pinned\nweight: 1\ndate: 2019-01-01",
            "",
        ),
        source(&c, "news/undated.md", "title: Undated", ""),
        source(&c, "news/2024/deep.md", "title: Deep\ndate: 2024-02-02", ""),
    ]);
    let zh = |dir: &str| &m.sections[m.section_index[&(dir.to_string(), c.default_lang_handle())]];
    let home = zh("");
    let subs: Vec<&str> = home
        .subsections
        .iter()
        .map(|&i| m.sections[i].dir.as_str())
        .collect();
    // `about` (weight 1) before `news` (weight 2).
    assert_eq!(subs, ["about", "news"]);
    let news = zh("news");
    let titles: Vec<&str> = news
        .pages
        .iter()
        .map(|&i| m.pages[i].doc.title.as_str())
        .collect();
    assert_eq!(titles, ["Pinned", "New", "Old", "Undated"]);
    // A directory with pages but no `_index` is a section named after it, under its parent.
    let y = zh("news/2024");
    assert_eq!((y.title.as_str(), y.source.as_deref()), ("2024", None));
    assert_eq!(m.sections[y.parent.unwrap()].dir, "news");
    // Previous and next follow the list order.
    let at = |title: &str| {
        news.pages
            .iter()
            .copied()
            .find(|&i| m.pages[i].doc.title == title)
            .unwrap()
    };
    let new = &m.pages[at("New")];
    assert_eq!(new.prev, Some(at("Pinned")));
    assert_eq!(new.next, Some(at("Old")));
    assert_eq!(m.pages[at("Pinned")].prev, None);
    assert_eq!(m.pages[at("Undated")].next, None);
    // A section without a translation is shown in every language from the default one.
    let en_news = &m.sections[m.section_index[&("news".to_string(), c.lang("en").unwrap())]];
    assert!(en_news.fallback);
    assert_eq!(
        (en_news.title.as_str(), en_news.path.as_str()),
        ("新闻", "/en/news/")
    );
}

#[test]
fn terms_merge_case_and_normalization_and_get_one_slug() {
    let c = fixture::config();
    let (m, diags) = build(vec![
        source(
            &c,
            "a.md",
            "title: A\ndate: 2024-01-01\ntags: [Förderung, C]",
            "",
        ),
        source(
            &c,
            "b.md",
            "title: B\ndate: 2024-02-01\ntags: [\"Fo\u{308}rderung\", \" c \", C++]",
            "",
        ),
        source(&c, "a.en.md", "title: A\ntags: [förderung]", ""),
    ]);
    let tags = |lang: &str| {
        m.taxonomies
            .iter()
            .find(|t| t.name == "tags" && t.lang == lang)
            .unwrap()
    };
    let zh: Vec<(&str, &str, usize)> = tags("zh")
        .terms
        .iter()
        .map(|t| (t.name.as_str(), t.slug.as_str(), t.pages.len()))
        .collect();
    assert_eq!(
        zh,
        [
            ("C", "c", 2),
            ("C++", "c-plus-plus", 1),
            ("Förderung", "förderung", 2)
        ]
    );
    // Newest first.
    let f = &tags("zh").terms[2];
    assert_eq!(m.pages[f.pages[0]].doc.title, "B");
    // The same name has the same slug in English.
    assert_eq!(tags("en").terms[0].path, "/en/tags/förderung/");
    // Each page knows its terms, sorted by slug.
    let b = page(&m, "zh", "b");
    let slugs: Vec<&str> = b.terms["tags"].iter().map(|t| t.slug.as_str()).collect();
    assert_eq!(slugs, ["c", "c-plus-plus", "förderung"]);
    assert_eq!(messages(&diags).len(), 1, "{diags:?}");
    assert!(
        diags[0]
            .message
            .contains("`C`, `C++` would all have the slug `c`"),
        "{diags:?}"
    );
}

#[test]
fn aliases_may_not_clash_or_name_a_page() {
    let c = fixture::config();
    let (m, diags) = build(vec![
        source(&c, "a.md", "title: A\naliases: [/old/, /old.html]", ""),
        source(&c, "b.md", "title: B\naliases: [/old]", ""),
        source(&c, "c.md", "title: C\naliases: [/a/]", ""),
    ]);
    let made: Vec<(&str, &str)> = m
        .aliases
        .iter()
        .map(|a| (a.out_file.as_str(), a.target_path.as_str()))
        .collect();
    assert_eq!(made, [("old/index.html", "/a/"), ("old.html", "/a/")]);
    assert_eq!(
        messages(&diags),
        [
            "alias `/old` is declared twice (also in content/a.md)",
            "alias `/a/` is the address of an existing page",
        ]
    );
    assert_eq!(diags[1].path, Some("content/c.md".into()));
}

#[test]
fn links_name_translations_by_the_walks_rule() {
    let c = fixture::config();
    let (m, diags) = build(vec![
        source(
            &c,
            "news/a.md",
            "title: A",
            "[en](@/news/x.en.md) [dot](@/news/.en.md) [x](@/news/x.md)",
        ),
        source(&c, "news/x.md", "title: X", ""),
        source(&c, "news/x.en.md", "title: X", ""),
        // The file `news/.en.md` is the default-language page `.en` (its slug makes it an
        // address), not an English page `news/`.
        source(&c, "news/.en.md", "title: Dot\nslug: dot", ""),
    ]);
    // The English page is found (and linking across languages is worth a warning); the
    // page `.en` is found, so there is no "does not exist".
    assert_eq!(
        messages(&diags),
        ["`@/news/x.en.md` has no zh translation; linking to the en page"]
    );
    let html = &page(&m, "zh", "news/a").html;
    assert!(html.contains(r#"<a href="/en/news/x/">en</a>"#), "{html}");
    assert!(html.contains(r#"<a href="/news/dot/">dot</a>"#), "{html}");
    assert!(html.contains(r#"<a href="/news/x/">x</a>"#), "{html}");
}

#[test]
fn taxonomy_inputs_change_with_everything_the_step_reads() {
    let c = fixture::config();
    let (m, _) = build(vec![
        source(
            &c,
            "a.md",
            "title: 甲\ndate: 2024-01-01\ntags: [江门]",
            "正文",
        ),
        source(&c, "b.md", "title: 乙\ncategories: [新闻]", "正文"),
    ]);
    let all: Vec<Page> = m.pages.iter().cloned().collect();
    let before = taxonomies::inputs(&c, &all);
    // What the step does not read leaves the inputs as they are.
    let mut same = all.clone();
    same[0].html = "<p>别的正文</p>".to_string().into();
    same[0].path = "/elsewhere/".to_string();
    same[0].words += 1;
    assert_eq!(taxonomies::inputs(&c, &same), before);
    let other = |front: &str| {
        let mut pages = all.clone();
        let i = pages
            .iter()
            .position(|p| p.lang == "zh" && p.key == "a")
            .unwrap();
        pages[i].doc = source(&c, "a.md", front, "正文").doc;
        taxonomies::inputs(&c, &pages)
    };
    assert_eq!(other("title: 甲\ndate: 2024-01-01\ntags: [江门]"), before);
    for front in [
        "title: 甲\ndate: 2024-01-01\ntags: [江门, 中欧]",
        "title: 甲\ndate: 2024-01-01\ntags: [江門]",
        "title: 甲\ndate: 2024-01-01\ntags: [江门]\ncategories: [新闻]",
        "title: 甲\ndate: 2024-01-02\ntags: [江门]",
        "title: 甲\ntags: [江门]",
        "title: 甲乙\ndate: 2024-01-01\ntags: [江门]",
    ] {
        assert_ne!(other(front), before, "{front}");
    }
    type Edit = fn(&mut Vec<Page>);
    let edits: [Edit; 5] = [
        |p| p[0].key.push('x'),
        |p| p[0].lang = fixture::config().lang("en").unwrap(),
        |p| p[0].fallback = !p[0].fallback,
        |p| p[0].source.push('x'),
        |p| {
            p.pop();
        },
    ];
    for (n, edit) in edits.iter().enumerate() {
        let mut pages = all.clone();
        edit(&mut pages);
        assert_ne!(taxonomies::inputs(&c, &pages), before, "edit {n}");
    }
    // Swapping two pages changes the indices the terms list: the inputs too.
    let mut swapped = all.clone();
    swapped.swap(0, 1);
    assert_ne!(taxonomies::inputs(&c, &swapped), before);
}

#[test]
fn taxonomies_made_again_equal_the_first() {
    let c = fixture::config();
    let (m, diags) = build(vec![
        source(&c, "a.md", "title: 甲\ntags: [C, C++]", ""),
        source(&c, "b.md", "title: 乙\ntags: [c, 江门]", ""),
    ]);
    let all: Vec<Page> = m.pages.iter().cloned().collect();
    let made = taxonomies::taxonomies(&c, &all);
    assert_eq!(made.terms.len(), m.pages.len());
    for (p, terms) in m.pages.iter().zip(&made.terms) {
        assert_eq!(format!("{:?}", p.terms), format!("{terms:?}"));
    }
    assert_eq!(
        format!("{:?}", m.taxonomies),
        format!("{:?}", made.taxonomies)
    );
    assert_eq!(messages(&diags), messages(&made.diagnostics));
}
