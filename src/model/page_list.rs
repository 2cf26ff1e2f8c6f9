//! [`PageList`]: the pages of a model, each held by handle, with where each page's
//! translations are.
//!
//! A model that `qiao serve` makes after a body edit is the model it serves with the edited
//! pages made again ([`super::Derivation::update_from`]); the other 28,000 pages of a large
//! site are shared with it, not copied. Reading is as from a `Vec<Page>`: indexed by
//! [`PageId`], iterated as `&Page`.
//!
//! Every page's view reads its translations (the language switcher, `hreflang`) and its
//! original, and so does every fingerprint `qiao serve` compares after an edit: found by
//! index in a table made once per list ([`PageList::translation`]), not by a binary search
//! of the whole list, whose every step reads another page's key from memory.

use std::ops::Index;
use std::sync::Arc;

use rayon::prelude::*;

use super::{Page, PageId};

/// The pages of a model, in its order (language, then key), each shared by handle.
#[derive(Debug, Clone, Default)]
pub struct PageList {
    pages: Vec<Arc<Page>>,
    /// Where each page's translations are (shared by the copies of the list: [`PageList::set`]
    /// keeps every page's language and key).
    translations: Arc<Translations>,
}

/// The value of an empty slot of [`Translations::slots`].
const NONE: u32 = u32::MAX;

/// The pages of each key by language, made by merging the list's runs of one language
/// (each sorted by key) in one pass.
#[derive(Debug, Default)]
struct Translations {
    /// The languages of the list, in its order (by code).
    langs: Vec<crate::config::Lang>,
    /// By page: the number of its key (keys numbered in their order).
    key_of: Vec<u32>,
    /// By key number times `langs.len()` plus the language's position: the page with that
    /// key in that language, or [`NONE`].
    slots: Vec<u32>,
}

impl Translations {
    fn of(pages: &[Arc<Page>]) -> Translations {
        // The runs of one language: the list is sorted by language first.
        let mut langs = Vec::new();
        let mut runs: Vec<std::ops::Range<usize>> = Vec::new();
        for (i, p) in pages.iter().enumerate() {
            match runs.last_mut() {
                Some(run) if langs.last() == Some(&p.lang) => run.end = i + 1,
                _ => {
                    langs.push(p.lang);
                    runs.push(i..i + 1);
                }
            }
        }
        let width = langs.len();
        let mut key_of = vec![NONE; pages.len()];
        let mut slots = Vec::new();
        // Each step numbers the smallest key under the runs' cursors and moves past it every
        // cursor on that key (a run holds a key once; were it twice, the second would get a
        // number of its own, so the loop always moves on).
        let mut at: Vec<usize> = runs.iter().map(|r| r.start).collect();
        let mut number: u32 = 0;
        loop {
            let smallest = (runs.iter().zip(&at))
                .filter(|&(run, &i)| i < run.end)
                .map(|(_, &i)| pages[i].key.as_str())
                .min();
            let Some(key) = smallest else { break };
            slots.extend(std::iter::repeat_n(NONE, width));
            for (pos, (run, i)) in runs.iter().zip(&mut at).enumerate() {
                if *i < run.end && pages[*i].key == key {
                    slots[number as usize * width + pos] = *i as u32;
                    key_of[*i] = number;
                    *i += 1;
                }
            }
            number += 1;
        }
        Translations {
            langs,
            key_of,
            slots,
        }
    }
}

impl PageList {
    /// The list of `pages`, which are sorted by (language, key).
    fn new(pages: Vec<Arc<Page>>) -> PageList {
        debug_assert!(
            (pages.windows(2)).all(|w| (w[0].lang, &w[0].key) < (w[1].lang, &w[1].key)),
            "pages are sorted by (language, key), each pair once"
        );
        PageList {
            translations: Arc::new(Translations::of(&pages)),
            pages,
        }
    }

    /// The page with the key of page `i` in the language `lang` (a fallback copy included),
    /// found by index.
    pub fn translation(&self, i: PageId, lang: &str) -> Option<PageId> {
        let t = &*self.translations;
        let pos = t.langs.iter().position(|l| l.code() == lang)?;
        let key = *t.key_of.get(i.index())? as usize;
        let slot = t.slots[key * t.langs.len() + pos];
        (slot != NONE).then(|| PageId::new(slot as usize))
    }

    /// For each page of this list, the position of the page with its language and key in
    /// `old` (a list of another model), if it has one: one pass over both, as both are
    /// sorted by (language, key).
    pub fn positions_in(&self, old: &PageList) -> Vec<Option<PageId>> {
        let mut j = 0;
        (self.pages.iter())
            .map(|p| {
                let at = |q: &Page| (q.lang, q.key.as_str()).cmp(&(p.lang, p.key.as_str()));
                while j < old.pages.len() && at(&old.pages[j]).is_lt() {
                    j += 1;
                }
                (j < old.pages.len() && at(&old.pages[j]).is_eq()).then(|| PageId::new(j))
            })
            .collect()
    }

    /// How many pages.
    pub fn len(&self) -> usize {
        self.pages.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.pages.is_empty()
    }

    /// The pages, in order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &Page> + ExactSizeIterator + Clone {
        self.pages.iter().map(|p| &**p)
    }

    /// The pages, in order, for rayon.
    pub fn par_iter(&self) -> impl IndexedParallelIterator<Item = &Page> {
        self.pages.par_iter().map(|p| &**p)
    }

    /// The page at position `i`, if there is one.
    pub fn get(&self, i: usize) -> Option<&Page> {
        self.pages.get(i).map(|p| &**p)
    }

    /// Binary search by `f`, as [`slice::binary_search_by`].
    pub fn binary_search_by(
        &self,
        mut f: impl FnMut(&Page) -> std::cmp::Ordering,
    ) -> Result<usize, usize> {
        self.pages.binary_search_by(|p| f(p))
    }

    /// Puts `page` in the place of the page `id`, which has its language and key.
    pub fn set(&mut self, id: PageId, page: Page) {
        let old = &self.pages[id.index()];
        debug_assert!(
            old.lang == page.lang && old.key == page.key,
            "a page set in the place of another has its language and key"
        );
        self.pages[id.index()] = Arc::new(page);
    }

    /// Whether the page `id` here is the very page `id` of `other` (shared, not equal).
    pub fn shares(&self, id: PageId, other: &PageList) -> bool {
        match (self.pages.get(id.index()), other.pages.get(id.index())) {
            (Some(a), Some(b)) => Arc::ptr_eq(a, b),
            _ => false,
        }
    }
}

impl Index<PageId> for PageList {
    type Output = Page;
    fn index(&self, id: PageId) -> &Page {
        &self.pages[id.index()]
    }
}

impl From<Vec<Page>> for PageList {
    /// Each page moved into a handle of its own, from the last: the vector is shortened as
    /// it goes, so that the memory it gives back holds the handles (28,000 pages are about
    /// 15 MB, which would otherwise stay with the process as a hole in its heap).
    fn from(mut pages: Vec<Page>) -> PageList {
        let mut out = Vec::with_capacity(pages.len());
        while let Some(p) = pages.pop() {
            out.push(Arc::new(p));
            if pages.len().is_multiple_of(1024) {
                pages.shrink_to_fit();
            }
        }
        out.reverse();
        PageList::new(out)
    }
}

impl FromIterator<Page> for PageList {
    fn from_iter<I: IntoIterator<Item = Page>>(iter: I) -> PageList {
        PageList::new(iter.into_iter().map(Arc::new).collect())
    }
}

impl<'a> IntoIterator for &'a PageList {
    type Item = &'a Page;
    type IntoIter = std::iter::Map<std::slice::Iter<'a, Arc<Page>>, fn(&Arc<Page>) -> &Page>;
    fn into_iter(self) -> Self::IntoIter {
        fn page(p: &Arc<Page>) -> &Page {
            p
        }
        self.pages.iter().map(page as fn(&Arc<Page>) -> &Page)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::fixture::{self, source};

    /// Sources in three languages with gaps (fallback copies fill them), keys that sort
    /// differently from their files, and a key in one language only.
    fn model(extra: &[&str]) -> crate::model::SiteModel {
        let c = fixture::config();
        let mut sources = vec![
            source(&c, "news/a.md", "title: A", ""),
            source(&c, "news/a.en.md", "title: A", ""),
            source(&c, "news/a.de.md", "title: A", ""),
            source(&c, "news/b.md", "title: B", ""),
            source(&c, "news/b.de.md", "title: B", ""),
            source(&c, "news/b-2.en.md", "title: B2", ""),
            source(&c, "news/c.md", "title: C", ""),
            source(&c, "about.md", "title: About", ""),
            source(&c, "about.en.md", "title: About", ""),
        ];
        sources.extend(extra.iter().map(|rel| source(&c, rel, "title: X", "")));
        fixture::build(sources).0
    }

    #[test]
    fn translations_are_the_pages_a_search_finds() {
        let m = model(&[]);
        let langs = ["zh", "en", "de", "fr"];
        let mut found = 0;
        for i in PageId::range(m.pages.len()) {
            for lang in langs {
                let searched = m.page_at(lang, &m.pages[i].key);
                assert_eq!(m.pages.translation(i, lang), searched, "{i:?} in {lang}");
                found += usize::from(searched.is_some());
            }
        }
        // Not a vacuous agreement: pages, fallback copies and gaps were all looked up.
        assert!(found > m.pages.len() && found < 3 * m.pages.len());
        assert!(m.pages.iter().any(|p| p.fallback));
        let b2 = m.page_at("en", "news/b-2").unwrap();
        assert_eq!(m.pages.translation(b2, "zh"), None);
        let a_en = m.page_at("en", "news/a").unwrap();
        assert_eq!(m.original_id(a_en), m.page_at("zh", "news/a"));
        assert_eq!(m.original_id(m.page_at("zh", "news/a").unwrap()), None);
    }

    #[test]
    fn positions_in_another_list_are_found_by_language_and_key() {
        let old = model(&[]);
        let new = model(&["news/aa.md", "news/0.de.md", "zz.en.md"]);
        let positions = new.pages.positions_in(&old.pages);
        assert_eq!(positions.len(), new.pages.len());
        for (i, p) in new.pages.iter().enumerate() {
            assert_eq!(
                positions[i],
                old.page_at(&p.lang, &p.key),
                "{} {}",
                p.lang,
                p.key
            );
        }
        assert!(positions.iter().any(Option::is_none));
        // And the other way round, where pages are missing.
        let back = old.pages.positions_in(&new.pages);
        for (i, p) in old.pages.iter().enumerate() {
            assert_eq!(back[i], new.page_at(&p.lang, &p.key));
        }
    }
}
