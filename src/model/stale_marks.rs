//! Step 3b of [`super::build`]: stale translations. A translation whose source changed
//! since the revision it was made from gets the blocks those changes land on marked
//! `data-stale` ([`crate::stale`] finds them; this step renders the bodies again with the
//! model's link resolver). [`crate::stale`] knows nothing of the model.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use rayon::prelude::*;

use super::bodies::RenderedSource;
use super::{LinkResolver, Parsed};
use crate::config::Config;
use crate::content::SourceKind;
use crate::stale::{Comparison, Marked, Stored, compare, render_marked};
use crate::translation::Revision;

/// Marks the stale translations among `rendered` (by their index there): for each, the
/// changes of its source since the revision it was made from (computed once per source and
/// revision, when the store holds it), aligned with its blocks; the body is rendered again
/// with those blocks marked. Nothing is done for current translations, so that a site
/// without stale ones pays nothing.
pub(crate) fn mark_stale_translations(
    root: &Path,
    config: &Config,
    rendered: &[RenderedSource],
    source_hashes: &HashMap<String, Revision>,
    resolver: &LinkResolver<'_>,
) -> HashMap<usize, Marked> {
    let default = &config.default_language;
    let stale: Vec<(usize, &str)> = rendered
        .iter()
        .enumerate()
        .filter(|(_, r)| {
            r.parsed.source.lang != *default && r.parsed.source.kind == SourceKind::Page
        })
        .filter_map(|(k, r)| {
            let p = &r.parsed;
            let recorded = p.doc.meta.translation_of.as_deref()?;
            let current = source_hashes.get(&p.source.key)?;
            (!current.matches(recorded)).then_some((k, recorded.trim()))
        })
        .collect();
    if stale.is_empty() {
        return HashMap::new();
    }
    let sources: HashMap<&str, &Parsed> = rendered
        .iter()
        .map(|r| &r.parsed)
        .filter(|p| p.source.lang == *default)
        .map(|p| (p.source.key.as_str(), p))
        .collect();
    let wanted: BTreeSet<(&str, &str)> = stale
        .iter()
        .map(|&(k, rev)| (rendered[k].parsed.source.key.as_str(), rev))
        .collect();
    let comparisons: HashMap<(&str, &str), Comparison> = wanted
        .into_par_iter()
        .filter_map(|(key, rev)| {
            let src = sources.get(key)?;
            let stored = Stored::load(root, rev)?;
            let fields = crate::translation::fields_of(&src.doc);
            Some(((key, rev), compare(&stored, fields, &src.doc)))
        })
        .collect();
    stale
        .into_par_iter()
        .filter_map(|(k, rev)| {
            let RenderedSource {
                parsed: p, path, ..
            } = &rendered[k];
            let key = p.source.key.as_str();
            let cmp = comparisons.get(&(key, rev))?;
            let src = sources.get(key)?;
            let render = |marks: Vec<usize>| resolver.render_marked(p, path, marks);
            Some((k, render_marked(&render, p, &src.doc, cmp)?))
        })
        .collect()
}
