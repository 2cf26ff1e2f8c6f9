//! Step 0 of the model: the sources. Walks `content/`, parses every Markdown file in
//! parallel, lets translations inherit shared fields, and sets aside drafts, future pages and
//! files whose front matter is broken ([`super::UnpublishedSources`]). Every command that
//! reads the site (`build`, `check`, `status`, `serve`) starts here.

use std::path::Path;

use rayon::prelude::*;

use super::Parsed;
use crate::config::Config;
use crate::content::{front_matter, walk};
use crate::diagnostics::Diagnostic;

/// Pages a build left out, so that the summary can say so: an editor whose new page does
/// not appear must learn why without reading the docs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HeldBack {
    /// Drafts (`draft: true`) per language code, in config order; languages without drafts
    /// are not listed.
    pub drafts: Vec<(String, usize)>,
    /// Pages dated in the future.
    pub future: usize,
}

impl HeldBack {
    /// Whether nothing was held back.
    pub fn is_empty(&self) -> bool {
        self.drafts.is_empty() && self.future == 0
    }
}

/// Whether a page's `date` lies after `now` (seconds since the epoch): such a page is
/// published only with `--future`.
pub fn is_future(doc: &crate::content::Document, now: i64) -> bool {
    doc.date.as_ref().is_some_and(|d| d.timestamp > now)
}

/// The current time in seconds since the epoch, for [`is_future`].
pub fn now_timestamp() -> i64 {
    jiff::Timestamp::now().as_second()
}

/// What [`load_documents`] found in `content/`.
pub struct Loaded {
    /// The sources that are part of this build, parsed.
    pub parsed: Vec<Parsed>,
    /// The other files of `content/`.
    pub assets: Vec<crate::content::Asset>,
    /// Problems found while reading and parsing.
    pub diagnostics: Vec<Diagnostic>,
    /// How many drafts and future pages were left out, for the summary.
    pub held_back: HeldBack,
    /// Every source left out (held back or failed to parse), by (key, language): a link to
    /// one is reported with the reason, not as a link to nothing.
    pub unpublished: super::UnpublishedSources,
    /// The earliest date (seconds since the epoch) of a page held back because it is dated
    /// in the future: from then on, loading the same files publishes it.
    pub next_due: Option<i64>,
}

/// Walks `content/` and parses every Markdown file in parallel: the stages every command
/// shares (`build`, `check`, `status`). Drafts are left out unless `drafts` is set, pages
/// dated in the future unless `future` is; what was left out is counted in [`HeldBack`].
pub fn load_documents(root: &Path, config: &Config, drafts: bool, future: bool) -> Loaded {
    load_documents_with(root, config, drafts, future, &|source, display| {
        parse_source(source, display, &config.timezone)
    })
}

/// A source that could not be read or parsed, with the problems.
pub type Unread = (crate::content::Source, Vec<Diagnostic>);

/// How [`load_documents_with`] reads and parses one source (`display` is its path as the
/// editor knows it); when it cannot, the source comes back with the problems.
pub type ParseSource<'a> =
    dyn Fn(crate::content::Source, String) -> Result<Parsed, Unread> + Sync + 'a;

/// [`load_documents`], with the reading and parsing of each source given by the caller:
/// [`super::Derivation`] reads again only the sources that changed.
pub fn load_documents_with(
    root: &Path,
    config: &Config,
    drafts: bool,
    future: bool,
    parse: &ParseSource<'_>,
) -> Loaded {
    let walked = walk::walk(&root.join("content"), config);
    load_walked(walked, config, drafts, future, parse)
}

/// [`load_documents_with`], for the files of `content/` found by the caller:
/// [`super::Derivation`] keeps them from one derivation to the next.
pub fn load_walked(
    walked: walk::Walked,
    config: &Config,
    drafts: bool,
    future: bool,
    parse: &ParseSource<'_>,
) -> Loaded {
    let mut diags = Vec::new();
    diags.extend(walked.diagnostics);
    let mut results: Vec<Result<Parsed, Unread>> = walked
        .sources
        .into_par_iter()
        .map(|source| {
            let display = format!("content/{}", source.rel);
            parse(source, display)
        })
        .collect();
    // Before drafts and future dates are sorted out: a translation may inherit its date.
    let mut docs: Vec<&mut Parsed> = results.iter_mut().filter_map(|r| r.as_mut().ok()).collect();
    diags.extend(crate::shared::inherit(config, &mut docs));
    let mut parsed = Vec::new();
    let mut held = HeldBack::default();
    let mut unpublished = super::UnpublishedSources::new();
    let mut next_due: Option<i64> = None;
    let mut drafts_by_lang: std::collections::HashMap<String, usize> = Default::default();
    let now = now_timestamp();
    // The (key, language) and file of a source left out.
    let identity =
        |s: &crate::content::Source| (s.key.clone(), s.lang.clone(), format!("content/{}", s.rel));
    for r in results {
        // Where a held-back page would be, so that a plain link to that address says why
        // it leads nowhere.
        let path_of = |p: &Parsed| super::source_path(config, &p.source, &p.doc).ok();
        let (why, path, (key, lang, file)) = match r {
            Ok(p) if super::fields::effects(&p.doc.meta).draft && !drafts => {
                *drafts_by_lang.entry(p.source.lang.clone()).or_default() += 1;
                (super::Unpublished::Draft, path_of(&p), identity(&p.source))
            }
            Ok(p) if !future && is_future(&p.doc, now) => {
                held.future += 1;
                let due = p.doc.date.as_ref().map_or(i64::MAX, |d| d.timestamp);
                next_due = Some(next_due.map_or(due, |n| n.min(due)));
                let date = p
                    .doc
                    .date
                    .as_ref()
                    .map(|d| d.ymd.clone())
                    .unwrap_or_default();
                (
                    super::Unpublished::Future(date),
                    path_of(&p),
                    identity(&p.source),
                )
            }
            Ok(p) => {
                parsed.push(p);
                continue;
            }
            Err((source, ds)) => {
                diags.extend(ds);
                (super::Unpublished::Broken, None, identity(&source))
            }
        };
        unpublished.insert((key, lang), super::UnpublishedSource { why, file, path });
    }
    held.drafts = config
        .languages
        .iter()
        .filter_map(|l| drafts_by_lang.get(&l.code).map(|n| (l.code.clone(), *n)))
        .collect();
    Loaded {
        parsed,
        assets: walked.assets,
        diagnostics: diags,
        held_back: held,
        unpublished,
        next_due,
    }
}

/// Reads and parses one Markdown source (`display` is its path as the editor knows it); when
/// it cannot, the source comes back with the problems.
pub fn parse_source(
    source: crate::content::Source,
    display: String,
    timezone: &jiff::tz::TimeZone,
) -> Result<Parsed, Unread> {
    let text = match crate::text::read_text(&source.abs, &display) {
        Ok(text) => text,
        Err(d) => return Err((source, vec![d])),
    };
    match front_matter::parse_in(&text, timezone) {
        Ok(doc) => Ok(Parsed { source, doc }),
        Err(ds) => Err((
            source,
            ds.into_iter().map(|d| d.in_file(&display)).collect(),
        )),
    }
}
