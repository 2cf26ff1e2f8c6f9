//! Pagination of section and term lists.

use super::*;

pub(super) fn pager_count(items: usize, per: usize) -> usize {
    items.div_ceil(per.max(1)).max(1)
}

pub(super) fn taxonomy_paginate(config: &Config, name: &str) -> usize {
    config
        .taxonomies
        .iter()
        .find(|t| t.name == name)
        .map_or(config.paginate, |t| t.paginate)
}

/// The `paginator` of one page of a list, as templates see it: the pages it shows, which
/// page of how many it is, and the site paths of the first, last, previous and next pages.
/// Page 1 of a list is the list's own path, page n is `<path>page/n/`.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Paginator<'a> {
    /// The list's own site path (page 1).
    base: &'a str,
    /// The items of the whole list, as page indices.
    items: &'a [PageId],
    /// 0-based number of this page of the list.
    n: usize,
    /// Items per page.
    per: usize,
}

impl<'a> Paginator<'a> {
    /// Page `n` (0-based) of the list `items` at `base`, `per` items a page.
    pub(super) fn new(base: &'a str, items: &'a [PageId], n: usize, per: usize) -> Paginator<'a> {
        Paginator {
            base,
            items,
            n,
            per,
        }
    }

    /// How many pages the list has (at least one, even when it is empty).
    pub(super) fn number_pagers(&self) -> usize {
        pager_count(self.items.len(), self.per)
    }

    /// The site path of page `k` (0-based) of the list.
    pub(super) fn page_path(&self, k: usize) -> String {
        if k == 0 {
            self.base.to_string()
        } else {
            format!("{}page/{}/", self.base, k + 1)
        }
    }

    /// The site path of this page of the list.
    pub(super) fn path(&self) -> String {
        self.page_path(self.n)
    }

    /// How many items the whole list has, and how many a page shows.
    pub(super) fn sizes(&self) -> (usize, usize) {
        (self.items.len(), self.per)
    }

    /// The items this page shows.
    pub(super) fn shown(&self) -> &'a [PageId] {
        let start = (self.n * self.per).min(self.items.len());
        let end = (start + self.per).min(self.items.len());
        &self.items[start..end]
    }

    /// The path of the previous page, if there is one.
    pub(super) fn previous(&self) -> Option<String> {
        self.n.checked_sub(1).map(|k| self.page_path(k))
    }

    /// The path of the next page, if there is one.
    pub(super) fn next(&self) -> Option<String> {
        (self.n + 1 < self.number_pagers()).then(|| self.page_path(self.n + 1))
    }

    /// The template value, with the pages' shared values from `values` (by page index):
    /// `pages`, `current_index` (1-based), `number_pagers`, `total_pages`, `paginate_by`,
    /// `first`, `last`, `previous` and `next` (paths, or none).
    pub(super) fn value(&self, values: &[tera::Value]) -> tera::Value {
        let pages: Vec<tera::Value> = self
            .shown()
            .iter()
            .map(|&k| values[k.index()].clone())
            .collect();
        let opt = |p: Option<String>| p.map_or(tera::Value::none(), tera::Value::from);
        let mut m = tera::Map::new();
        m.insert("pages".into(), tera::Value::from(pages));
        m.insert("current_index".into(), tera::Value::from(self.n + 1));
        m.insert(
            "number_pagers".into(),
            tera::Value::from(self.number_pagers()),
        );
        m.insert("total_pages".into(), tera::Value::from(self.items.len()));
        m.insert("paginate_by".into(), tera::Value::from(self.per));
        m.insert("first".into(), tera::Value::from(self.page_path(0)));
        m.insert(
            "last".into(),
            tera::Value::from(self.page_path(self.number_pagers() - 1)),
        );
        m.insert("previous".into(), opt(self.previous()));
        m.insert("next".into(), opt(self.next()));
        tera::Value::from(m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_of_a_list() {
        let items: Vec<PageId> = (10..17).map(PageId::new).collect();
        let first = Paginator::new("/news/", &items, 0, 3);
        assert_eq!(first.number_pagers(), 3);
        assert_eq!(first.path(), "/news/");
        assert_eq!(first.shown(), &[10, 11, 12].map(PageId::new));
        assert_eq!(first.previous(), None);
        assert_eq!(first.next().as_deref(), Some("/news/page/2/"));
        let last = Paginator::new("/news/", &items, 2, 3);
        assert_eq!(last.path(), "/news/page/3/");
        assert_eq!(last.shown(), &[PageId::new(16)]);
        assert_eq!(last.previous().as_deref(), Some("/news/page/2/"));
        assert_eq!(last.next(), None);
    }

    #[test]
    fn an_empty_list_has_one_empty_page() {
        let p = Paginator::new("/tags/x/", &[], 0, 10);
        assert_eq!(p.number_pagers(), 1);
        assert!(p.shown().is_empty());
        assert_eq!((p.previous(), p.next()), (None, None));
    }

    #[test]
    fn the_value_templates_see() {
        let items = [0, 1, 2].map(PageId::new);
        let values: Vec<tera::Value> = ["a", "b", "c"].map(tera::Value::from).to_vec();
        let v = Paginator::new("/x/", &items, 1, 2).value(&values);
        let m = serde_json::to_value(&v).expect("serializable");
        assert_eq!(m["pages"], serde_json::json!(["c"]));
        assert_eq!(m["current_index"], 2);
        assert_eq!(m["number_pagers"], 2);
        assert_eq!(m["total_pages"], 3);
        assert_eq!(m["first"], "/x/");
        assert_eq!(m["last"], "/x/page/2/");
        assert_eq!(m["previous"], "/x/");
        assert_eq!(m["next"], serde_json::Value::Null);
    }
}
