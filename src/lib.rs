//! qiao: a static site generator for publications that live in Chinese, English and German
//! at once.
//!
//! The build is a pipeline of small stages, each in its own module, each taking the previous
//! stage's value and returning a new one:
//!
//! `config` (site.toml) → `content::walk` (which files) → `content::front_matter` (parse) →
//! `markdown` (HTML, TOC, links) → `model` (URLs, translations, sections, taxonomies) →
//! `render` (templates, feeds, sitemap) → `output` (staging directory, atomic swap).
//!
//! Modules import one another in that direction only, never in a cycle (README.md, "Source
//! layout"; checked by `tests/layout.rs`).
#![deny(missing_docs)]
// Errors are `Diagnostic`s: cold-path values with a message, a hint and a source line.
// Boxing them everywhere would only add noise.
#![allow(clippy::result_large_err)]

pub mod autolink;
pub mod build;
pub mod config;
pub mod content;
pub mod crosscheck;
pub mod data;
pub mod diagnostics;
pub mod directive;
pub mod directives;
pub mod exchange;
pub mod format;
pub mod hosts;
pub mod i18n;
pub mod ident;
pub mod images;
pub mod init;
pub mod markdown;
pub mod markup;
pub mod menu;
pub mod model;
pub mod output;
pub mod render;
pub mod scaffold;
pub mod search;
pub mod serve;
pub mod shared;
pub mod stale;
pub mod status;
#[cfg(test)]
mod test_rng;
pub mod text;
pub mod theme;
pub mod tokenize;
pub mod trace;
pub mod translation;
pub mod url;
pub mod xml;

pub use build::{BuildOptions, BuildReport, build};
