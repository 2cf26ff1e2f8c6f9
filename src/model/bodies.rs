//! Step 3 of [`super::build`]: the Markdown of every source rendered, in parallel, with its
//! `@/` links resolved; then its links checked, once every page's anchors are known.

use std::sync::Arc;

use rayon::prelude::*;

use super::links::Anchors;
use super::place::Placed;
use super::{LinkResolver, Parsed, SourceFacts};
use crate::diagnostics::Diagnostic;
use crate::markdown;
use crate::translation::Revision;

/// A placed source with its rendered body.
#[derive(Debug, Clone)]
pub struct RenderedSource {
    /// The source.
    pub parsed: Parsed,
    /// Its site path.
    pub path: String,
    /// Its body, rendered (shared with what [`super::Derivation`] keeps of it).
    pub rendered: std::sync::Arc<markdown::Rendered>,
}

/// The per-source work of [`super::build`], done afresh ([`Fresh`]) or taken from what an
/// earlier build computed when its inputs are the same ([`super::Derivation`]).
pub trait PerSource: Sync {
    /// Renders the bodies of `placed`, keeping their order.
    fn render(&mut self, resolver: &LinkResolver<'_>, placed: Vec<Placed>) -> Vec<RenderedSource>;
    /// The revision of a default-language source that translations are compared with.
    fn revision(&self, p: &Parsed) -> Revision;
    /// Checks the links of every rendered source, as [`check_all`] does.
    fn check(
        &mut self,
        resolver: &LinkResolver<'_>,
        rendered: &[RenderedSource],
        diags: &mut Vec<Diagnostic>,
    ) -> super::Sources;
    /// The taxonomies of `pages` and each page's terms (step 6), made afresh unless kept
    /// from before.
    fn taxonomies(
        &mut self,
        config: &crate::config::Config,
        pages: &[super::Page],
    ) -> super::taxonomies::Taxonomies {
        super::taxonomies::taxonomies(config, pages)
    }
}

/// Every source rendered and hashed, as a full build does.
pub struct Fresh;

impl PerSource for Fresh {
    fn render(&mut self, resolver: &LinkResolver<'_>, placed: Vec<Placed>) -> Vec<RenderedSource> {
        render_all(resolver, placed)
    }

    fn revision(&self, p: &Parsed) -> Revision {
        Revision::of(&p.doc)
    }

    fn check(
        &mut self,
        resolver: &LinkResolver<'_>,
        rendered: &[RenderedSource],
        diags: &mut Vec<Diagnostic>,
    ) -> super::Sources {
        check_all(resolver, rendered, diags)
    }
}

/// Renders every placed source, in parallel, keeping their order.
pub fn render_all(resolver: &LinkResolver<'_>, placed: Vec<Placed>) -> Vec<RenderedSource> {
    placed
        .into_par_iter()
        .map(|Placed { parsed, path }| {
            let rendered = std::sync::Arc::new(resolver.render(&parsed, &path));
            RenderedSource {
                parsed,
                path,
                rendered,
            }
        })
        .collect()
}

/// Checks the links of every rendered source against the anchors of all of them; returns
/// what serve needs to know of each source, by its path relative to the site root, and
/// pushes the problems found to `diags` (in source order).
pub fn check_all(
    resolver: &LinkResolver<'_>,
    rendered: &[RenderedSource],
    diags: &mut Vec<Diagnostic>,
) -> super::Sources {
    check_all_with(rendered, diags, &|r, anchors| {
        Arc::new(facts(
            r,
            resolver.check_links(&r.parsed, &r.rendered, anchors),
        ))
    })
}

/// What the model keeps of a rendered source whose links were checked, with the problems
/// found.
pub(crate) fn facts(r: &RenderedSource, link_diagnostics: Vec<Diagnostic>) -> SourceFacts {
    let p = &r.parsed;
    SourceFacts {
        source: p.source.clone(),
        head: p.doc.text.get(..p.doc.body_start).unwrap_or("").to_string(),
        anchors: r.rendered.anchors.clone(),
        link_diagnostics,
    }
}

/// [`check_all`], with the check of one source (given the anchors of all) done by `check`:
/// [`super::Derivation`] checks again only the sources whose links may now check differently.
pub(crate) fn check_all_with(
    rendered: &[RenderedSource],
    diags: &mut Vec<Diagnostic>,
    check: &(dyn Fn(&RenderedSource, &Anchors<'_>) -> Arc<SourceFacts> + Sync),
) -> super::Sources {
    let by_key: rustc_hash::FxHashMap<(&str, &str), &[String]> = rendered
        .iter()
        .map(|r| {
            let s = &r.parsed.source;
            (
                (s.key.as_str(), s.lang.as_str()),
                r.rendered.anchors.as_slice(),
            )
        })
        .collect();
    let anchors = |k: &(String, String)| by_key.get(&(k.0.as_str(), k.1.as_str())).copied();
    let checked: Vec<Arc<SourceFacts>> = rendered.par_iter().map(|r| check(r, &anchors)).collect();
    let mut sources = super::Sources::with_capacity_and_hasher(rendered.len(), Default::default());
    for (r, facts) in rendered.iter().zip(checked) {
        diags.extend(facts.link_diagnostics.iter().cloned());
        sources.insert(format!("content/{}", r.parsed.source.rel), facts);
    }
    sources
}
