//! [`PageList`]: the pages of a model, each held by handle.
//!
//! A model that `qiao serve` makes after a body edit is the model it serves with the edited
//! pages made again ([`super::Derivation::update_from`]); the other 28,000 pages of a large
//! site are shared with it, not copied. Reading is as from a `Vec<Page>`: indexed by
//! [`PageId`], iterated as `&Page`.

use std::ops::Index;
use std::sync::Arc;

use rayon::prelude::*;

use super::{Page, PageId};

/// The pages of a model, in its order (language, then key), each shared by handle.
#[derive(Debug, Clone, Default)]
pub struct PageList(Vec<Arc<Page>>);

impl PageList {
    /// How many pages.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The pages, in order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &Page> + ExactSizeIterator + Clone {
        self.0.iter().map(|p| &**p)
    }

    /// The pages, in order, for rayon.
    pub fn par_iter(&self) -> impl IndexedParallelIterator<Item = &Page> {
        self.0.par_iter().map(|p| &**p)
    }

    /// The page at position `i`, if there is one.
    pub fn get(&self, i: usize) -> Option<&Page> {
        self.0.get(i).map(|p| &**p)
    }

    /// Binary search by `f`, as [`slice::binary_search_by`].
    pub fn binary_search_by(
        &self,
        mut f: impl FnMut(&Page) -> std::cmp::Ordering,
    ) -> Result<usize, usize> {
        self.0.binary_search_by(|p| f(p))
    }

    /// Puts `page` in the place of the page `id`.
    pub fn set(&mut self, id: PageId, page: Page) {
        self.0[id.index()] = Arc::new(page);
    }

    /// Whether the page `id` here is the very page `id` of `other` (shared, not equal).
    pub fn shares(&self, id: PageId, other: &PageList) -> bool {
        match (self.0.get(id.index()), other.0.get(id.index())) {
            (Some(a), Some(b)) => Arc::ptr_eq(a, b),
            _ => false,
        }
    }
}

impl Index<PageId> for PageList {
    type Output = Page;
    fn index(&self, id: PageId) -> &Page {
        &self.0[id.index()]
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
        PageList(out)
    }
}

impl FromIterator<Page> for PageList {
    fn from_iter<I: IntoIterator<Item = Page>>(iter: I) -> PageList {
        PageList(iter.into_iter().map(Arc::new).collect())
    }
}

impl<'a> IntoIterator for &'a PageList {
    type Item = &'a Page;
    type IntoIter = std::iter::Map<std::slice::Iter<'a, Arc<Page>>, fn(&Arc<Page>) -> &Page>;
    fn into_iter(self) -> Self::IntoIter {
        fn page(p: &Arc<Page>) -> &Page {
            p
        }
        self.0.iter().map(page as fn(&Arc<Page>) -> &Page)
    }
}
