//! Typed identities of the things in one [`SiteModel`]: a page, a section, a taxonomy, a
//! term. Each is a position in one of the model's `Vec`s, so that a page cannot be passed
//! where a section is meant; the `Vec`s can be indexed by them directly
//! (`model.pages[id]`).
//!
//! They identify a thing in ONE model only: a model derived after an edit may hold the same
//! page at another position. What stays the same across generations is the (key, language)
//! pair of a page, the (directory, language) pair of a section and the (taxonomy, language,
//! slug) of a term: what `qiao serve` diffs two models by (docs/serve.md, "Diff").

use std::ops::{Index, IndexMut};

use super::{Page, Section, SiteModel, TaxonomyModel, Term};

/// Declares a position in one of the model's `Vec`s, and indexing that `Vec` by it.
macro_rules! position {
    ($(#[$doc:meta])* $name:ident => $item:ty) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(usize);

        impl $name {
            /// The id of the item at position `i`.
            pub const fn new(i: usize) -> $name {
                $name(i)
            }

            /// The position of the item.
            pub const fn index(self) -> usize {
                self.0
            }

            /// The ids of the first `n` items, in order.
            pub fn range(n: usize) -> impl DoubleEndedIterator<Item = $name> + ExactSizeIterator {
                (0..n).map($name)
            }
        }

        impl Index<$name> for [$item] {
            type Output = $item;
            fn index(&self, id: $name) -> &$item {
                &self[id.0]
            }
        }

        impl IndexMut<$name> for [$item] {
            fn index_mut(&mut self, id: $name) -> &mut $item {
                &mut self[id.0]
            }
        }

        impl Index<$name> for Vec<$item> {
            type Output = $item;
            fn index(&self, id: $name) -> &$item {
                &self[id.0]
            }
        }

        impl IndexMut<$name> for Vec<$item> {
            fn index_mut(&mut self, id: $name) -> &mut $item {
                &mut self[id.0]
            }
        }
    };
}

position! {
    /// A page of one model: its position in [`SiteModel::pages`].
    PageId => Page
}

position! {
    /// A section of one model: its position in [`SiteModel::sections`].
    SectionId => Section
}

position! {
    /// A taxonomy in one language, of one model: its position in [`SiteModel::taxonomies`].
    TaxonomyId => TaxonomyModel
}

/// A term of one model: its taxonomy, and its position in that taxonomy's
/// [`TaxonomyModel::terms`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TermId {
    /// The taxonomy (in one language) the term belongs to.
    pub taxonomy: TaxonomyId,
    /// Its position in the taxonomy's terms.
    pub index: usize,
}

impl SiteModel {
    /// The page `id`.
    pub fn page(&self, id: PageId) -> &Page {
        &self.pages[id]
    }

    /// The section `id`.
    pub fn section(&self, id: SectionId) -> &Section {
        &self.sections[id]
    }

    /// The taxonomy `id`.
    pub fn taxonomy(&self, id: TaxonomyId) -> &TaxonomyModel {
        &self.taxonomies[id]
    }

    /// The term `id`.
    pub fn term(&self, id: TermId) -> &Term {
        &self.taxonomies[id.taxonomy].terms[id.index]
    }

    /// The ids of every page, in order.
    pub fn page_ids(&self) -> impl DoubleEndedIterator<Item = PageId> + ExactSizeIterator {
        PageId::range(self.pages.len())
    }

    /// The ids of every section, in order.
    pub fn section_ids(&self) -> impl DoubleEndedIterator<Item = SectionId> + ExactSizeIterator {
        SectionId::range(self.sections.len())
    }

    /// The ids of every taxonomy, in order.
    pub fn taxonomy_ids(&self) -> impl DoubleEndedIterator<Item = TaxonomyId> + ExactSizeIterator {
        TaxonomyId::range(self.taxonomies.len())
    }
}
