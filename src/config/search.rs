//! `[search]` in `site.toml`: whether `qiao build` writes a search index, and the few knobs
//! that trade index size against result quality.
//!
//! A part of the configuration like any other table of `site.toml`; kept in a file of its own
//! with its ranges, and read by the search index through [`Config::search`](super::Config).
//! `config.rs` deserializes the table and turns the problems found here into diagnostics
//! ([`SettingError`], which `[images]` reports too).

use std::ops::Range;

use serde::{Deserialize, Serialize};
use toml::Spanned;

/// The `[search]` table as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSearch {
    #[serde(default)]
    enabled: bool,
    #[serde(default)]
    title_boost: Option<Spanned<i64>>,
    #[serde(default)]
    excerpt_length: Option<Spanned<i64>>,
    #[serde(default)]
    shard_size: Option<Spanned<i64>>,
}

/// Validated search settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SearchSettings {
    /// Whether `qiao build` writes `search-index/<lang>/` (off unless `enabled = true`).
    pub enabled: bool,
    /// How many times a word in the title counts as much as one in the body.
    pub title_boost: u32,
    /// Characters of each page's text stored for result excerpts.
    pub excerpt_length: usize,
    /// Target size of one postings shard in KiB (uncompressed JSON).
    pub shard_size: usize,
}

impl Default for SearchSettings {
    fn default() -> SearchSettings {
        SearchSettings {
            enabled: false,
            title_boost: 5,
            excerpt_length: 240,
            shard_size: 48,
        }
    }
}

/// A value of `[search]` that is out of range.
#[derive(Debug, Clone)]
pub struct SettingError {
    /// Where the value is in `site.toml`.
    pub span: Range<usize>,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub hint: &'static str,
}

impl RawSearch {
    /// Checks the ranges; out-of-range values are reported and replaced by defaults.
    pub fn validate(self) -> (SearchSettings, Vec<SettingError>) {
        let RawSearch {
            enabled,
            title_boost,
            excerpt_length,
            shard_size,
        } = self;
        let defaults = SearchSettings::default();
        let mut errors = Vec::new();
        let mut ranged = |v: Option<Spanned<i64>>,
                          range: Range<i64>,
                          default: usize,
                          message: &str,
                          hint: &'static str| match v {
            None => default,
            Some(s) if range.contains(s.get_ref()) => *s.get_ref() as usize,
            Some(s) => {
                errors.push(SettingError {
                    span: s.span(),
                    message: message.to_string(),
                    hint,
                });
                default
            }
        };
        let title_boost = ranged(
            title_boost,
            1..101,
            defaults.title_boost as usize,
            "`title_boost` in [search] must be between 1 and 100",
            "for example title_boost = 5: a title word counts as much as five body words",
        ) as u32;
        let excerpt_length = ranged(
            excerpt_length,
            0..5001,
            defaults.excerpt_length,
            "`excerpt_length` in [search] must be between 0 and 5000 characters",
            "for example excerpt_length = 240",
        );
        let shard_size = ranged(
            shard_size,
            4..4097,
            defaults.shard_size,
            "`shard_size` in [search] must be between 4 and 4096 KiB",
            "for example shard_size = 48",
        );
        (
            SearchSettings {
                enabled,
                title_boost,
                excerpt_length,
                shard_size,
            },
            errors,
        )
    }
}
