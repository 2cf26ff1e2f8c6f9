//! Step 5 of [`super::build`]: sections. Every directory that has an `_index` or pages,
//! with all its ancestors and the home page, in every language that has something to show
//! there; the tree of sections; the pages of each in list order (weight, then newest first,
//! then title), and each page's previous and next page in that order.

use std::collections::{BTreeSet, HashMap};

use rustc_hash::{FxHashMap, FxHashSet};

use super::pages::SectionDocs;
use super::{Page, PageId, Section, SectionId, out_dir, section_path};
use crate::config::{Config, Lang, MissingTranslation};
use crate::content::DateValue;

/// The sections of a site.
#[derive(Debug, Clone, Default)]
pub struct Tree {
    /// Every section in every language, by language in config order, then by directory.
    pub sections: Vec<Section>,
    /// Section by (directory, language).
    pub section_index: HashMap<(String, Lang), SectionId>,
}

/// Builds the sections of `pages` and `section_docs` and puts each page in its section
/// (setting [`Page::section`], [`Page::prev`] and [`Page::next`]).
pub fn tree(config: &Config, pages: &mut [Page], section_docs: &SectionDocs) -> Tree {
    let default = config.default_language.clone();
    let mut sections = Vec::new();
    let mut section_index = HashMap::new();
    // (language, directory) pairs that hold pages of that language, at any depth. (Borrowed
    // from the pages, and each directory's ancestors added once: `qiao serve` makes the
    // sections of a large site again after a structural edit.)
    let mut with_pages: FxHashSet<(Lang, &str)> = Default::default();
    for p in pages.iter() {
        for d in with_ancestors(page_section_dir(p)) {
            if !with_pages.insert((p.lang, d)) {
                break;
            }
        }
    }
    let mut all_dirs: BTreeSet<&str> = with_pages.iter().map(|&(_, d)| d).collect();
    for (d, _) in section_docs.keys() {
        all_dirs.extend(with_ancestors(d));
    }
    for l in &config.languages {
        for &dir in &all_dirs {
            let own = section_docs.get(&(dir.to_string(), l.code.clone()));
            let from_default = section_docs.get(&(dir.to_string(), default.clone()));
            let has_pages = with_pages.contains(&(l.lang(), dir));
            let shown = own.is_some()
                || dir.is_empty()
                || has_pages
                || (config.missing_translation == MissingTranslation::Fallback
                    && from_default.is_some());
            if !shown {
                continue;
            }
            let (doc, fallback) = match (own, from_default) {
                (Some(o), _) => (Some(o), false),
                (None, Some(d)) => (Some(d), l.code != default),
                (None, None) => (None, false),
            };
            let title = doc.map_or_else(
                || {
                    if dir.is_empty() {
                        l.title.clone()
                    } else {
                        dir.rsplit('/').next().unwrap_or(dir).to_string()
                    }
                },
                |d| d.doc.title.clone(),
            );
            let path = format!("{}{}", config.lang_prefix(&l.code), section_path(dir));
            section_index.insert((dir.to_string(), l.lang()), SectionId::new(sections.len()));
            sections.push(Section {
                dir: dir.to_string(),
                lang: l.lang(),
                content_lang: if fallback {
                    config.default_lang_handle()
                } else {
                    l.lang()
                },
                source: doc.map(|d| d.source.clone()),
                title,
                html: doc.map(|d| d.rendered.html.clone()).unwrap_or_default(),
                toc: doc.map(|d| d.rendered.toc.clone()).unwrap_or_default(),
                doc: doc.map(|d| d.doc.clone()),
                out_dir: out_dir(config, &path),
                path,
                pages: Vec::new(),
                subsections: Vec::new(),
                parent: None,
                fallback,
            });
        }
    }
    for i in SectionId::range(sections.len()) {
        let (dir, lang) = (sections[i].dir.clone(), sections[i].lang);
        if dir.is_empty() {
            continue;
        }
        let parent_dir = dir.rsplit_once('/').map_or("", |(p, _)| p).to_string();
        if let Some(&pi) = section_index.get(&(parent_dir, lang)) {
            sections[i].parent = Some(pi);
            sections[pi].subsections.push(i);
        }
    }

    // Pages into sections, sorted: weight first (if any), then newest first, then title.
    // Sections by language, then directory: a page's directory is looked up without a copy.
    let mut by_dir: FxHashMap<Lang, FxHashMap<String, SectionId>> = FxHashMap::default();
    for (&(ref dir, lang), &si) in &section_index {
        by_dir.entry(lang).or_default().insert(dir.clone(), si);
    }
    for (i, p) in PageId::range(pages.len()).zip(pages.iter_mut()) {
        let at = by_dir
            .get(&p.lang)
            .and_then(|dirs| dirs.get(page_section_dir(p)));
        if let Some(&si) = at {
            p.section = si;
            sections[si].pages.push(i);
        }
    }
    for s in &mut sections {
        s.pages.sort_by(|&a, &b| list_order(&pages[a], &pages[b]));
        for w in 0..s.pages.len() {
            let i = s.pages[w];
            pages[i].prev = w.checked_sub(1).map(|k| s.pages[k]);
            pages[i].next = s.pages.get(w + 1).copied();
        }
    }
    // Subsections by their `_index` weight, then by directory.
    let weights: Vec<i64> = sections
        .iter()
        .map(|s| {
            s.doc
                .as_ref()
                .and_then(|d| super::fields::effects(&d.meta).weight)
                .unwrap_or(i64::MAX)
        })
        .collect();
    for s in &mut sections {
        s.subsections.sort_by_key(|&i| (weights[i.index()], i));
    }

    Tree {
        sections,
        section_index,
    }
}

/// A directory and all its ancestors, up to the home page (``).
fn with_ancestors(dir: &str) -> impl Iterator<Item = &str> {
    std::iter::successors(Some(dir), |d| {
        (!d.is_empty()).then(|| d.rsplit_once('/').map_or("", |(parent, _)| parent))
    })
}

/// The section directory of a page, derived from its key.
pub fn page_section_dir(p: &Page) -> &str {
    let key = p.key.strip_suffix("/index").unwrap_or(&p.key);
    key.rsplit_once('/').map_or("", |(d, _)| d)
}

/// Order of pages in a section list.
pub fn list_order(a: &Page, b: &Page) -> std::cmp::Ordering {
    let wa = super::fields::effects(&a.doc.meta)
        .weight
        .unwrap_or(i64::MAX);
    let wb = super::fields::effects(&b.doc.meta)
        .weight
        .unwrap_or(i64::MAX);
    wa.cmp(&wb).then_with(|| date_order(a, b))
}

/// Newest first; undated pages last; then by title and key for a total order.
pub fn date_order(a: &Page, b: &Page) -> std::cmp::Ordering {
    let da = a.doc.date.as_ref().map(|d| d.timestamp);
    let db = b.doc.date.as_ref().map(|d| d.timestamp);
    db.cmp(&da)
        .then_with(|| a.doc.title.cmp(&b.doc.title))
        .then_with(|| a.key.cmp(&b.key))
}

/// The newest date among pages, for `updated` in feeds and `lastmod` in sitemaps.
pub fn newest<'a>(pages: impl Iterator<Item = &'a Page>) -> Option<&'a DateValue> {
    pages
        .filter_map(|p| p.doc.updated.as_ref().or(p.doc.date.as_ref()))
        .max_by_key(|d| d.timestamp)
}
