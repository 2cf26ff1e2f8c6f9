//! Menus: named lists of links (`[[menus.main]]` in `site.toml`), the same items in every
//! language, for a theme's navigation.
//!
//! Three stages, like the rest of the pipeline. [`RawMenus`] is what serde reads (unknown
//! keys rejected); [`validate`] checks what serde cannot (a name for every
//! language, exactly one of `page` and `url`, parents that exist and form no cycle) and
//! keeps each entry's position in `site.toml`; [`resolve`] turns `page = "@/…"` into the
//! page's address in each language with the site's own `@/` resolver once the pages are
//! known, so that a missing page is an error at its line and column; [`view`] gives a
//! template the entries of one language, each marked `current` (the page being rendered) or
//! `active` (the page being rendered is it or lies below it).

use std::collections::BTreeMap;

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::diagnostics::{Diagnostic, line_col};

/// `[menus]` as written: menu name → entries.
pub type RawMenus = IndexMap<String, Vec<Spanned<RawEntry>>>;

/// One `[[menus.<name>]]` entry as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEntry {
    #[serde(default)]
    name: Option<Spanned<Localized>>,
    #[serde(default)]
    page: Option<Spanned<String>>,
    #[serde(default)]
    url: Option<Spanned<Localized>>,
    #[serde(default)]
    weight: Option<i64>,
    #[serde(default)]
    identifier: Option<Spanned<String>>,
    #[serde(default)]
    parent: Option<Spanned<String>>,
}

/// A text that is the same in every language (`"GitHub"`) or given per language
/// (`{ zh = "新闻", en = "News", de = "Aktuelles" }`).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Localized {
    /// The same text in every language.
    All(String),
    /// Language code → text.
    Each(IndexMap<String, String>),
}

impl Localized {
    fn get(&self, lang: &str) -> Option<&str> {
        match self {
            Localized::All(s) => Some(s),
            Localized::Each(m) => m.get(lang).map(String::as_str),
        }
    }
}

/// A page's or section's own `menu` field: the menu's name, with a weight or not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MenuRef {
    /// `menu: main`
    Name(String),
    /// `menu: {name: main, weight: 2}`
    Weighted {
        /// The menu's name.
        name: String,
        /// Order among the menu's top-level entries (lower first; default 0).
        weight: i64,
    },
}

impl<'de> Deserialize<'de> for MenuRef {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = MenuRef;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a menu name (`menu: main`) or `{name: main, weight: 2}`")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<MenuRef, E> {
                Ok(MenuRef::Name(v.to_string()))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut m: A,
            ) -> Result<MenuRef, A::Error> {
                const FIELDS: &[&str] = &["name", "weight"];
                let (mut name, mut weight) = (None, 0);
                while let Some(key) = m.next_key::<String>()? {
                    match key.as_str() {
                        "name" => name = Some(m.next_value::<String>()?),
                        "weight" => weight = m.next_value::<i64>()?,
                        other => return Err(serde::de::Error::unknown_field(other, FIELDS)),
                    }
                }
                let name = name.ok_or_else(|| serde::de::Error::missing_field("name"))?;
                Ok(MenuRef::Weighted { name, weight })
            }
        }
        d.deserialize_any(V)
    }
}

impl MenuRef {
    fn parts(&self) -> (&str, i64) {
        match self {
            MenuRef::Name(n) => (n, 0),
            MenuRef::Weighted { name, weight } => (name, *weight),
        }
    }
}

/// Adds the pages and sections that name a menu in their front matter to `resolved`, at the
/// top level of that menu in their language, titled with their title; `pages` gives each
/// one's menu, language, site path and title, in the site's order. Entries keep their order
/// by weight, `site.toml`'s entries first among equals.
pub fn add_from_pages<'p>(
    resolved: &mut Resolved,
    pages: impl IntoIterator<Item = (&'p MenuRef, &'p str, &'p str, &'p str)>,
) {
    for (menu, lang, path, title) in pages {
        let (name, weight) = menu.parts();
        let items = resolved
            .0
            .entry(lang.to_string())
            .or_default()
            .entry(name.to_string())
            .or_default();
        let at = items.partition_point(|i| i.weight <= weight);
        items.insert(
            at,
            Item {
                identifier: None,
                name: title.to_string(),
                titled: true,
                url: path.to_string(),
                weight,
                children: Vec::new(),
            },
        );
    }
}

/// Where a diagnostic about an entry points: a line of `site.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Position {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in chars.
    pub column: usize,
    /// The text of that line.
    pub text: String,
}

impl Position {
    fn of(text: &str, offset: usize) -> Position {
        let (line, column) = line_col(text, offset);
        Position {
            line,
            column,
            text: text.lines().nth(line - 1).unwrap_or_default().to_string(),
        }
    }
}

/// Where an entry leads.
#[derive(Debug, Clone, Serialize)]
pub enum Target {
    /// A page or section of the site (`@/news/_index.md`), in each language's version.
    Page {
        /// The path after `@/`.
        path: String,
        /// Where `page` is written.
        at: Position,
    },
    /// An address, per language code; a root-relative one (`/x/`) gets the site's base path.
    Url(BTreeMap<String, String>),
}

/// A validated menu entry.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    /// The entry's `identifier`, if it has one.
    pub identifier: Option<String>,
    /// Language code → the text of the link; a page's entry without a name in a language
    /// shows the page's title there.
    pub name: BTreeMap<String, String>,
    /// Where it leads.
    pub target: Target,
    /// Order among its siblings (lower first; equal weights keep the file's order).
    pub weight: i64,
    /// Index (in its menu) of the entry it is nested under.
    pub parent: Option<usize>,
}

/// The validated menus, in the order of `site.toml`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Menus(pub Vec<(String, Vec<Entry>)>);

/// Validates the raw menus against the configured language codes; `text` is the
/// `site.toml` they were read from (for positions).
pub fn validate(raw: RawMenus, languages: &[String], text: &str) -> (Menus, Vec<Diagnostic>) {
    let mut errors = Vec::new();
    let mut menus = Vec::new();
    let at = |offset: usize, msg: String, hint: &str| {
        let (line, col) = line_col(text, offset);
        Diagnostic::error(msg).at(text, line, col).with_hint(hint)
    };
    for (menu, entries) in raw {
        let mut ids: IndexMap<String, usize> = IndexMap::new();
        for (i, e) in entries.iter().enumerate() {
            if let Some(id) = &e.get_ref().identifier
                && ids.insert(id.get_ref().clone(), i).is_some()
            {
                errors.push(at(
                    id.span().start,
                    format!(
                        "menu `{menu}` has two entries with identifier `{}`",
                        id.get_ref()
                    ),
                    "give each entry its own identifier",
                ));
            }
        }
        let mut out = Vec::with_capacity(entries.len());
        let mut parent_at = Vec::with_capacity(entries.len());
        for e in entries {
            let start = e.span().start;
            let RawEntry {
                name,
                page,
                url,
                weight,
                identifier,
                parent,
            } = e.into_inner();
            let target = match (page, url.as_ref()) {
                (Some(p), None) => match p.get_ref().strip_prefix("@/") {
                    Some(path) => Target::Page {
                        path: path.to_string(),
                        at: Position::of(text, p.span().start),
                    },
                    None => {
                        errors.push(at(
                            p.span().start,
                            format!("menu `{menu}`: `page = \"{}\"` does not start with `@/`", p.get_ref()),
                            "name a content file as in a Markdown link: page = \"@/news/_index.md\" (or write url = \"…\" for an address)",
                        ));
                        Target::Url(BTreeMap::new())
                    }
                },
                (None, Some(u)) => {
                    let mut urls = BTreeMap::new();
                    for l in languages {
                        match u.get_ref().get(l) {
                            Some(x) => {
                                urls.insert(l.clone(), x.to_string());
                            }
                            None => errors.push(at(
                                u.span().start,
                                format!("menu `{menu}`: this entry has no url in {l}"),
                                "write the url in every language, or one url for all",
                            )),
                        }
                    }
                    Target::Url(urls)
                }
                (Some(p), Some(_)) => {
                    errors.push(at(
                        p.span().start,
                        format!("menu `{menu}`: this entry has both `page` and `url`"),
                        "keep one: page = \"@/…\" for a page of the site, url = \"…\" for any other address",
                    ));
                    Target::Url(BTreeMap::new())
                }
                (None, None) => {
                    errors.push(at(
                        start,
                        format!("menu `{menu}`: this entry has neither `page` nor `url`"),
                        "add page = \"@/news/_index.md\" (a page of the site) or url = \"https://…\"",
                    ));
                    Target::Url(BTreeMap::new())
                }
            };
            let mut names = BTreeMap::new();
            let mut missing = Vec::new();
            for l in languages {
                match name.as_ref().and_then(|n| n.get_ref().get(l)) {
                    Some(n) => {
                        names.insert(l.clone(), n.to_string());
                    }
                    // A page's own title stands in.
                    None if matches!(target, Target::Page { .. }) => {}
                    None => missing.push(l.as_str()),
                }
            }
            if !missing.is_empty() {
                errors.push(at(
                    name.as_ref().map_or(start, |n| n.span().start),
                    format!(
                        "menu `{menu}`: this entry has no name in {}",
                        missing.join(", ")
                    ),
                    "an entry with a `url` needs a name in every language, e.g. name = { zh = \"新闻\", en = \"News\", de = \"Aktuelles\" }, or one for all: name = \"GitHub\"",
                ));
            }
            for field in [&name, &url].into_iter().flatten() {
                if let Localized::Each(m) = field.get_ref() {
                    for code in m.keys().filter(|c| !languages.contains(c)) {
                        errors.push(at(
                            field.span().start,
                            format!("menu `{menu}`: `{code}` is not a configured language"),
                            &format!(
                                "use the codes of [languages.<code>]: {}",
                                languages.join(", ")
                            ),
                        ));
                    }
                }
            }
            parent_at.push(parent.as_ref().map_or(start, |p| p.span().start));
            let parent = match parent {
                None => None,
                Some(p) => match ids.get(p.get_ref()) {
                    Some(&i) => Some(i),
                    None => {
                        errors.push(at(
                            p.span().start,
                            format!(
                                "menu `{menu}` has no entry with identifier `{}`",
                                p.get_ref()
                            ),
                            "set `identifier` on the parent entry and name it in `parent`",
                        ));
                        None
                    }
                },
            };
            out.push(Entry {
                identifier: identifier.map(Spanned::into_inner),
                name: names,
                target,
                weight: weight.unwrap_or(0),
                parent,
            });
        }
        // Every entry is in `out`, erroneous or not, so indices match `ids`.
        for (i, e) in out.iter().enumerate() {
            let mut seen = vec![i];
            let mut p = e.parent;
            while let Some(x) = p {
                if x == i {
                    let id = e.identifier.clone().unwrap_or_default();
                    errors.push(at(
                        parent_at[i],
                        format!("menu `{menu}`: the entry `{id}` is nested under itself"),
                        "`parent` must lead up to an entry without a parent",
                    ));
                    break;
                }
                if seen.contains(&x) {
                    break;
                }
                seen.push(x);
                p = out.get(x).and_then(|e| e.parent);
            }
        }
        menus.push((menu, out));
    }
    (Menus(menus), errors)
}

/// One entry resolved for one language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// The entry's `identifier`, if it has one.
    pub identifier: Option<String>,
    /// The text of the link.
    pub name: String,
    /// Whether the text is the title of the page it leads to.
    pub titled: bool,
    /// The address (a site path for pages).
    pub url: String,
    /// The `weight` it was sorted by.
    pub weight: i64,
    /// Nested entries, sorted.
    pub children: Vec<Item>,
}

/// A page an entry leads to, in one language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageLink {
    /// Its site path.
    pub url: String,
    /// Its title.
    pub title: String,
}

/// Every menu resolved: language code → menu name → top-level items, sorted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Resolved(pub BTreeMap<String, IndexMap<String, Vec<Item>>>);

/// Resolves the menus for every language: `resolve(path, lang)` maps the path of an `@/`
/// target to its address and title in `lang`, as for links in Markdown; `base_path` is the site's
/// base path, put before root-relative `url`s. A page that does not exist is an error at
/// the line and column of its `page` key in `site.toml`, once per entry (the caller names
/// the file, as for [`validate`]).
pub fn resolve(
    menus: &Menus,
    languages: &[String],
    base_path: &str,
    resolve: &dyn Fn(&str, &str) -> Option<PageLink>,
    diags: &mut Vec<Diagnostic>,
) -> Resolved {
    let mut out = BTreeMap::new();
    for lang in languages {
        let mut by_menu = IndexMap::new();
        for (menu, entries) in &menus.0 {
            let urls: Vec<Option<(String, Option<String>)>> = entries
                .iter()
                .map(|e| match &e.target {
                    Target::Page { path, .. } => {
                        resolve(path, lang).map(|p| (p.url, Some(p.title)))
                    }
                    Target::Url(m) => m.get(lang).map(|u| (with_base(u, base_path), None)),
                })
                .collect();
            by_menu.insert(menu.clone(), tree(entries, &urls, lang, None));
        }
        out.insert(lang.clone(), by_menu);
    }
    for (menu, entries) in &menus.0 {
        for e in entries {
            if let Target::Page { path, at } = &e.target
                && languages.iter().all(|l| resolve(path, l).is_none())
            {
                diags.push(
                    Diagnostic::error(format!("menu `{menu}`: there is no published page `@/{path}`"))
                        .at_text(&at.text, at.line, at.column)
                        .with_hint("name a file under content/, as in a Markdown link: @/news/_index.md for a section, @/about.md for a page (a draft or a page dated in the future is published only with --drafts or --future)"),
                );
            }
        }
    }
    Resolved(out)
}

fn with_base(url: &str, base_path: &str) -> String {
    match url.strip_prefix('/') {
        Some(rest) if !rest.starts_with('/') => format!("{base_path}{rest}"),
        _ => url.to_string(),
    }
}

/// The items under `parent`, sorted by weight, then file order; entries without an address
/// in this language are left out, with everything under them.
fn tree(
    entries: &[Entry],
    urls: &[Option<(String, Option<String>)>],
    lang: &str,
    parent: Option<usize>,
) -> Vec<Item> {
    let mut items: Vec<(i64, usize, Item)> = entries
        .iter()
        .enumerate()
        .filter(|(_, e)| e.parent == parent)
        .filter_map(|(i, e)| {
            let (url, title) = urls[i].clone()?;
            let (name, titled) = match (e.name.get(lang), title) {
                (Some(name), _) => (name.clone(), false),
                (None, title) => (title.unwrap_or_default(), true),
            };
            Some((
                e.weight,
                i,
                Item {
                    identifier: e.identifier.clone(),
                    name,
                    titled,
                    url,
                    weight: e.weight,
                    children: tree(entries, urls, lang, Some(i)),
                },
            ))
        })
        .collect();
    items.sort_by_key(|(w, i, _)| (*w, *i));
    items.into_iter().map(|(_, _, item)| item).collect()
}

impl Resolved {
    /// Whether some menu, in any language, shows the title of the page at site path `path`:
    /// then a new title changes every page of that language.
    pub fn shows_title_of(&self, path: &str) -> bool {
        fn any(items: &[Item], path: &str) -> bool {
            items
                .iter()
                .any(|i| (i.titled && i.url == path) || any(&i.children, path))
        }
        self.0
            .values()
            .any(|menus| menus.values().any(|items| any(items, path)))
    }
}

/// What a template sees of one menu entry.
#[derive(Debug, Serialize)]
pub struct ItemView<'a> {
    /// The entry's `identifier`, or `null`.
    pub identifier: Option<&'a str>,
    /// The text of the link.
    pub name: &'a str,
    /// The address.
    pub url: &'a str,
    /// The entry's weight.
    pub weight: i64,
    /// Whether it leads to the page being rendered.
    pub current: bool,
    /// Whether the page being rendered is it or lies below it (or below one of its
    /// children).
    pub active: bool,
    /// Nested entries.
    pub children: Vec<ItemView<'a>>,
}

/// The menus of `lang` as templates see them, for the page at site path `current_path`;
/// `home` is the language's home path, which is `active` only on itself.
pub fn view<'a>(
    resolved: &'a Resolved,
    lang: &str,
    home: &str,
    current_path: &str,
) -> IndexMap<&'a str, Vec<ItemView<'a>>> {
    fn one<'a>(item: &'a Item, home: &str, current_path: &str) -> ItemView<'a> {
        let children: Vec<ItemView<'a>> = item
            .children
            .iter()
            .map(|c| one(c, home, current_path))
            .collect();
        let current = item.url == current_path;
        let below = item.url != home
            && item.url.starts_with('/')
            && item.url.ends_with('/')
            && current_path.starts_with(item.url.as_str());
        ItemView {
            identifier: item.identifier.as_deref(),
            name: &item.name,
            url: &item.url,
            weight: item.weight,
            current,
            active: current || below || children.iter().any(|c| c.active),
            children,
        }
    }
    resolved
        .0
        .get(lang)
        .map(|menus| {
            menus
                .iter()
                .map(|(name, items)| {
                    (
                        name.as_str(),
                        items.iter().map(|i| one(i, home, current_path)).collect(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}
