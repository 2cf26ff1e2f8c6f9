//! What plain (relative and root-relative) links in Markdown may lead to: every page and
//! section directory with its `index.html`, every content file, every static file, the
//! files of page bundles as each language publishes them.

use std::collections::BTreeMap;

use rustc_hash::FxHashMap;

use super::{PathSet, join_index, out_dir, relocate};
use crate::config::{Config, MissingTranslation};
use crate::content::Asset;

/// The output paths (decoded, no leading or trailing `/`) that links in Markdown may lead
/// to, besides generated files: every page and section directory with its `index.html`,
/// every content file, every static file.
pub fn site_files<'a>(
    config: &Config,
    link_index: &super::LinkIndex,
    assets: &[Asset],
    static_files: impl Iterator<Item = &'a str>,
) -> PathSet {
    let mut files: PathSet = static_files.map(str::to_string).collect();
    // Directories of each bundle's pages, with their language.
    let mut dirs_by_key: FxHashMap<&str, Vec<(String, String)>> = FxHashMap::default();
    // With `missing_translation = "fallback"`, default-language pages are copied into every
    // other language.
    let fallback = config.missing_translation == MissingTranslation::Fallback;
    let default = &config.default_language;
    let placed = link_index.iter().flat_map(|((key, lang), path)| {
        let copies = config
            .languages
            .iter()
            .filter(move |l| fallback && lang == default && l.code != *default)
            .map(move |l| relocate(config, path, default, &l.code));
        // A fallback copy shows the default language's bundle files.
        std::iter::once(path.clone())
            .chain(copies)
            .map(move |p| (key, lang, p))
    });
    let mut bundles: BTreeMap<&str, Vec<(std::path::PathBuf, String)>> = BTreeMap::new();
    for a in assets {
        match &a.bundle {
            Some((key, inner)) => bundles
                .entry(key.as_str())
                .or_default()
                .push((a.abs.clone(), inner.clone())),
            None => {
                files.insert(a.rel.clone());
            }
        }
    }
    // Directories that, with all their ancestors, are in `files` already: most pages share
    // their sections, so each directory is added once, not once per page below it.
    let mut dirs_done: PathSet = PathSet::default();
    for (key, lang, path) in placed {
        let dir = out_dir(config, &path);
        // The page and the sections above it (a section exists wherever it has pages).
        let mut d = dir.as_str();
        while !dirs_done.contains(d) {
            dirs_done.insert(d.to_string());
            files.insert(d.to_string());
            files.insert(join_index(d));
            match d.rsplit_once('/') {
                Some((parent, _)) => d = parent,
                None if d.is_empty() => break,
                None => d = "",
            }
        }
        if bundles.contains_key(key.as_str()) {
            dirs_by_key
                .entry(key.as_str())
                .or_default()
                .push((lang.clone(), dir));
        }
    }
    let is_language = |code: &str| config.language(code).is_some();
    for (key, inners) in bundles {
        for (lang, dir) in dirs_by_key.get(key).into_iter().flatten() {
            for (_, inner) in crate::images::bundle_files(&inners, lang, &is_language) {
                files.insert(format!("{dir}/{inner}"));
            }
        }
    }
    files
}
