//! Static full-text search: `qiao build` writes one index per language, split into small
//! JSON shards that the browser fetches only when a query needs them, so a site with tens of
//! thousands of pages can be searched without a server and without downloading the whole
//! index.
//!
//! Stages: [`tokenize`] turns text into terms (Chinese bigrams and jieba words, folded and
//! lightly stemmed English and German words), [`index`] scores every (term, page) pair with
//! BM25 at build time and cuts the sorted term list into shards. The browser side is
//! `themes/zone/static/search.js`; the format is described in `docs/search.md`.

pub mod index;
/// Terms from text (a module of its own: the cross-language checks use it too).
pub use crate::tokenize;

/// `[search]` in `site.toml`, a part of the configuration.
pub use crate::config::search as settings;

pub use index::{INDEX_DIR, language_index_files};
pub use settings::{RawSearch, SearchSettings};
