//! Menus (`[[menus.<name>]]` in `site.toml`, `src/menu.rs`): a nested menu in three
//! languages (`tests/fixtures/menus`, under the base path `/sub/`) as the built-in theme
//! renders it, the zone site's navigation, and the errors of a menu that is wrong.

mod common;

use common::{build, build_root, copy_fixture};
use qiao::diagnostics::Diagnostic;

/// The `<nav class="site-nav">` element of a built page.
fn nav(html: &str) -> &str {
    let start = html.find("<nav class=\"site-nav\"").expect("a site-nav");
    let end = start + html[start..].find("</nav>").expect("its end") + "</nav>".len();
    &html[start..end]
}

#[test]
fn nested_menu_in_three_languages() {
    let built = build("menus");
    // Sorted by weight; names from `name`, else the page's title in that language; the
    // page being rendered is `current`, its ancestors `active`. The news article is in the
    // menu by its own front matter (`menu: main` in English, with a weight in Chinese, not
    // at all in German).
    assert_eq!(
        nav(&built.read("en/about/team/index.html")),
        "<nav class=\"site-nav\" aria-label=\"Main menu\"><ul>\n\
         <li><a href=\"/sub/en/news/opening/\">Zone opens</a></li>\n\
         <li><a href=\"/sub/en/news/\">News</a></li>\n\
         <li><a href=\"/sub/en/about/\" class=\"active\">About</a><ul>\
         <li><a href=\"/sub/en/about/contact/\">Contact</a></li>\
         <li><a href=\"/sub/en/about/team/\" aria-current=\"page\">Team</a></li></ul></li>\n\
         <li><a href=\"https://github.com/qiao-ssg/qiao\">GitHub</a></li>\n\
         </ul></nav>"
    );
    assert_eq!(
        nav(&built.read("news/opening/index.html")),
        "<nav class=\"site-nav\" aria-label=\"主菜单\"><ul>\n\
         <li><a href=\"/sub/news/\" class=\"active\">新闻动态</a></li>\n\
         <li><a href=\"/sub/news/opening/\" aria-current=\"page\">合作区挂牌</a></li>\n\
         <li><a href=\"/sub/about/\">关于</a><ul>\
         <li><a href=\"/sub/about/contact/\">联系我们</a></li>\
         <li><a href=\"/sub/about/team/\">团队</a></li></ul></li>\n\
         <li><a href=\"https://github.com/qiao-ssg/qiao\">GitHub</a></li>\n\
         </ul></nav>"
    );
    // A page without a German translation is linked in the default language, as `@/` links
    // are; the home page is no entry's ancestor.
    assert_eq!(
        nav(&built.read("de/index.html")),
        "<nav class=\"site-nav\" aria-label=\"Hauptmenü\"><ul>\n\
         <li><a href=\"/sub/de/news/\">Aktuelles</a></li>\n\
         <li><a href=\"/sub/de/about/\">Über uns</a><ul>\
         <li><a href=\"/sub/about/contact/\">Kontakt</a></li>\
         <li><a href=\"/sub/de/about/team/\">Das Team</a></li></ul></li>\n\
         <li><a href=\"https://github.com/qiao-ssg/qiao\">GitHub</a></li>\n\
         </ul></nav>"
    );
    assert_eq!(
        nav(&built.read("de/about/index.html")),
        nav(&built.read("de/index.html")).replace(
            "<a href=\"/sub/de/about/\">",
            "<a href=\"/sub/de/about/\" aria-current=\"page\">"
        )
    );
}

#[test]
fn templates_see_every_menu_with_per_language_urls() {
    let dir = copy_fixture("menus");
    let tpl = dir.path().join("templates");
    std::fs::create_dir_all(&tpl).unwrap();
    std::fs::write(
        tpl.join("404.html"),
        "{% for m, items in menus %}{{ m }}:{% for i in items %}[{{ i.name }} {{ i.url }} {{ i.weight }} {{ i.identifier }} {{ i.current }} {{ i.active }} {{ i.children | length }}]{% endfor %};{% endfor %}",
    )
    .unwrap();
    let built = build_root(dir.path(), |_| {}).unwrap();
    assert_eq!(
        built.read("en/404.html"),
        "main:[Zone opens /sub/en/news/opening/ 0  false false 0][News /sub/en/news/ 10  false false 0][About /sub/en/about/ 20 about false false 2]\
         [GitHub https://github.com/qiao-ssg/qiao 30  false false 0];\
         footer:[Home /sub/en/ 0  false false 0];"
    );
}

#[test]
fn the_zone_site_navigation_comes_from_its_menu() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let built = build_root(root, |_| {}).unwrap();
    let de = built.read("de/news/index.html");
    let nav = nav(&de);
    for (url, name) in [
        ("/de/news/", "Nachrichten"),
        ("/de/bases/", "Struktur und Industriestandorte"),
        ("/de/policy/", "Pläne und Ziele"),
        ("/de/about/", "Über diese Website"),
        ("/de/search/", "Suche"),
    ] {
        assert!(
            nav.contains(&format!("<a href=\"{url}\"")),
            "{url} in {nav}"
        );
        assert!(nav.contains(&format!(">{name}</a>")), "{name} in {nav}");
    }
    assert!(
        nav.contains("<a href=\"/de/news/\" aria-current=\"page\">"),
        "{nav}"
    );
    assert_eq!(nav.matches("<li>").count(), 5);
}

/// Builds the menus fixture with `menus` instead of its own `[[menus…]]` tables and returns
/// the errors as `(line, column, message)`.
fn errors(menus: &str) -> Vec<(Option<usize>, Option<usize>, String)> {
    let dir = copy_fixture("menus");
    let toml = dir.path().join("site.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    let head = &text[..text.find("# Weights").unwrap()];
    std::fs::write(&toml, format!("{head}{menus}")).unwrap();
    let ds: Vec<Diagnostic> = build_root(dir.path(), |_| {}).err().expect("errors");
    let ds: Vec<&Diagnostic> = ds.iter().filter(|d| d.is_error()).collect();
    for d in &ds {
        assert_eq!(d.path.as_deref(), Some(std::path::Path::new("site.toml")));
        assert!(d.hint.is_some(), "{d}");
    }
    ds.iter()
        .map(|d| (d.line, d.column, d.message.clone()))
        .collect()
}

/// The line of site.toml where the menus start in [`errors`].
const FIRST: usize = 19;

#[test]
fn a_missing_page_is_an_error_at_its_position() {
    assert_eq!(
        errors(
            "[[menus.main]]\nname = \"X\"\npage = \"@/nowhere.md\"\n\n[[menus.main]]\npage   =   \"@/news/gone/_index.md\"\n"
        ),
        [
            (
                Some(FIRST + 2),
                Some(8),
                "menu `main`: there is no published page `@/nowhere.md`".to_string()
            ),
            (
                Some(FIRST + 5),
                Some(12),
                "menu `main`: there is no published page `@/news/gone/_index.md`".to_string()
            ),
        ]
    );
}

#[test]
fn unknown_keys_are_errors_with_a_suggestion() {
    let e = errors("[[menus.main]]\nnmae = \"X\"\npage = \"@/news/_index.md\"\n");
    assert_eq!(e.len(), 1, "{e:?}");
    assert_eq!(e[0].0, Some(FIRST + 1));
    assert!(e[0].2.contains("nmae"), "{}", e[0].2);
}

#[test]
fn every_wrong_entry_is_reported_at_once() {
    let e = errors(
        "[[menus.main]]\nurl = \"https://x.org/\"\nname = { zh = \"甲\", en = \"A\" }\n\
         \n[[menus.main]]\nname = \"B\"\npage = \"news/_index.md\"\n\
         \n[[menus.main]]\nname = \"C\"\npage = \"@/news/_index.md\"\nurl = \"/x/\"\n\
         \n[[menus.main]]\nname = \"D\"\n\
         \n[[menus.main]]\nname = \"E\"\nurl = \"/e/\"\nparent = \"nobody\"\n\
         \n[[menus.main]]\nidentifier = \"f\"\nparent = \"g\"\nname = \"F\"\nurl = \"/f/\"\n\
         \n[[menus.main]]\nidentifier = \"g\"\nparent = \"f\"\nname = { zh = \"G\", en = \"G\", de = \"G\", fr = \"G\" }\nurl = \"/g/\"\n\
         \n[[menus.main]]\nname = \"H\"\nurl = { zh = \"/\", en = \"/en/\", de = \"/de/\", it = \"/it/\" }\n",
    );
    let messages: Vec<(usize, &str)> = e
        .iter()
        .map(|(l, _, m)| (l.unwrap_or(0), m.as_str()))
        .collect();
    assert_eq!(
        messages,
        [
            (FIRST + 2, "menu `main`: this entry has no name in de"),
            (
                FIRST + 6,
                "menu `main`: `page = \"news/_index.md\"` does not start with `@/`"
            ),
            (
                FIRST + 10,
                "menu `main`: this entry has both `page` and `url`"
            ),
            (
                FIRST + 13,
                "menu `main`: this entry has neither `page` nor `url`"
            ),
            (
                FIRST + 19,
                "menu `main` has no entry with identifier `nobody`"
            ),
            (FIRST + 30, "menu `main`: `fr` is not a configured language"),
            (FIRST + 35, "menu `main`: `it` is not a configured language"),
            (
                FIRST + 23,
                "menu `main`: the entry `f` is nested under itself"
            ),
            (
                FIRST + 29,
                "menu `main`: the entry `g` is nested under itself"
            ),
        ]
    );
}

#[test]
fn a_wrong_menu_field_is_an_error_in_the_page() {
    let dir = copy_fixture("menus");
    std::fs::write(
        dir.path().join("content/about/team.md"),
        "---\ntitle: 团队\nmenu: {name: main, wieght: 2}\n---\n\n团队。\n",
    )
    .unwrap();
    let ds = build_root(dir.path(), |_| {}).err().expect("an error");
    let d = ds.iter().find(|d| d.is_error()).expect("an error");
    assert_eq!(
        d.path.as_deref(),
        Some(std::path::Path::new("content/about/team.md"))
    );
    assert_eq!((d.line, d.column), (Some(3), Some(20)), "{d}");
    assert_eq!(d.hint.as_deref(), Some("did you mean `weight`?"));
}
