//! Step 4 of [`super::build`]: pages and `_index` documents from the rendered sources, the
//! revisions translations are compared with, and the fallback copies that stand in for
//! missing translations (`missing_translation = "fallback"`).

use std::collections::{BTreeMap, HashMap, HashSet};

use rayon::prelude::*;

use super::bodies::RenderedSource;
use super::{Page, PageId, Parsed, SectionId, out_dir, relocate};
use crate::config::{Config, Lang, MissingTranslation};
use crate::content::{Asset, Document, SourceKind};
use crate::markdown;
use crate::translation::{Revision, TranslationState, state_of};

/// An `_index` source, rendered: what a section in its language (or, without a translation,
/// in every language) shows.
#[derive(Debug, Clone)]
pub struct SectionDoc {
    /// The file (`content/news/_index.md`).
    pub source: String,
    /// Its front matter and body (the text released).
    pub doc: Document,
    /// Its rendered body.
    pub rendered: std::sync::Arc<markdown::Rendered>,
}

/// `_index` documents by (directory, language).
pub type SectionDocs = BTreeMap<(String, String), SectionDoc>;

/// What [`pages`] makes of the rendered sources.
#[derive(Debug, Default)]
pub struct Pages {
    /// One page per page source, in source order (sections and fallback copies come later).
    pub pages: Vec<Page>,
    /// The `_index` documents.
    pub section_docs: SectionDocs,
    /// Files of `content/` outside page bundles: (absolute source, output path).
    pub static_assets: Vec<(std::path::PathBuf, String)>,
}

/// The revision of every default-language source that some translation records one of:
/// what translations are compared against. As costly as rendering the sources' Markdown
/// once more: in parallel too, and only for sources that a translation records a revision
/// of (an untracked translation is neither current nor stale, whatever its source says).
/// `revision_of` computes one (or finds it computed before, see [`super::Derivation`]).
pub fn revisions(
    config: &Config,
    rendered: &[RenderedSource],
    revision_of: &(dyn Fn(&Parsed) -> Revision + Sync),
) -> HashMap<String, Revision> {
    let default = &config.default_language;
    let tracked: HashSet<&str> = rendered
        .iter()
        .map(|r| &r.parsed)
        .filter(|p| {
            p.source.lang != *default
                && super::fields::effects(&p.doc.meta).translation_of.is_some()
        })
        .map(|p| p.source.key.as_str())
        .collect();
    rendered
        .par_iter()
        .map(|r| &r.parsed)
        .filter(|p| p.source.lang == *default && tracked.contains(p.source.key.as_str()))
        .map(|p| (p.source.key.clone(), revision_of(p)))
        .collect()
}

/// What one rendered source becomes.
enum Made {
    /// An `_index` document, at (directory, language).
    Section(Box<((String, String), SectionDoc)>),
    /// A page.
    Page(Box<Page>),
}

/// Pages and `_index` documents of the rendered sources, their translation states, stale
/// blocks marked (`stale`: the marks of `stale_marks::mark_stale_translations`, by index
/// into `rendered`), bundle files given to their pages. The source text is released: the
/// Markdown has been rendered and its links checked, and on a large site the text is a good
/// part of the memory.
pub fn pages(
    config: &Config,
    rendered: Vec<RenderedSource>,
    assets: Vec<Asset>,
    mut stale: HashMap<usize, crate::stale::Marked>,
    revisions: &HashMap<String, Revision>,
) -> Pages {
    let mut pages: Vec<Page> = Vec::new();
    let mut section_docs = SectionDocs::new();
    let mut bundle_assets: HashMap<String, Vec<(std::path::PathBuf, String)>> = HashMap::new();
    let mut static_assets = Vec::new();
    for a in assets {
        match a.bundle {
            Some((key, inner)) => bundle_assets.entry(key).or_default().push((a.abs, inner)),
            None => static_assets.push((a.abs, a.rel)),
        }
    }
    // Each source on its own, in parallel (a large site has tens of thousands, and `qiao
    // serve` makes every page again after each save); collected in source order.
    let mut marks: Vec<Option<crate::stale::Marked>> =
        (0..rendered.len()).map(|k| stale.remove(&k)).collect();
    let made: Vec<Made> = rendered
        .into_par_iter()
        .zip(marks.par_iter_mut())
        .map(|(source, marked)| {
            let RenderedSource {
                parsed: mut p,
                path,
                rendered: mut r,
            } = source;
            let stale_sections = match marked.take() {
                Some(marked) => {
                    std::sync::Arc::make_mut(&mut r).html = marked.html;
                    marked.sections
                }
                None => Vec::new(),
            };
            // The Markdown has been rendered and its links checked: the source text is not
            // needed any more, and on a large site it is a good part of the memory.
            p.doc.release_text();
            let translation =
                state_of(&p.doc, &p.source.lang, config, revisions.get(&p.source.key));
            match p.source.kind {
                SourceKind::Section => Made::Section(Box::new((
                    (p.source.section_dir.clone(), p.source.lang.clone()),
                    SectionDoc {
                        source: format!("content/{}", p.source.rel),
                        doc: p.doc,
                        rendered: r,
                    },
                ))),
                SourceKind::Page => {
                    let assets = crate::images::bundle_files(
                        bundle_assets
                            .get(&p.source.key)
                            .map_or(&[][..], Vec::as_slice),
                        &p.source.lang,
                        &|code| config.language(code).is_some(),
                    );
                    Made::Page(Box::new(page_of(
                        config,
                        p,
                        path,
                        &r,
                        translation,
                        stale_sections,
                        assets,
                    )))
                }
            }
        })
        .collect();
    for m in made {
        match m {
            Made::Section(section) => {
                let (at, doc) = *section;
                section_docs.insert(at, doc);
            }
            Made::Page(page) => pages.push(*page),
        }
    }
    Pages {
        pages,
        section_docs,
        static_assets,
    }
}

/// The page of one rendered page source (`p`, its text released, at site path `path`), as
/// step 4 makes it: placed in no section and without terms yet (`section`, `prev`, `next`
/// and `terms` are set by steps 5 and 6). `qiao serve` makes the page of a source whose body
/// alone was edited with this too ([`super::Derivation::update_from`]).
pub fn page_of(
    config: &Config,
    p: Parsed,
    path: String,
    r: &markdown::Rendered,
    translation: TranslationState,
    stale_sections: Vec<crate::stale::StaleSection>,
    assets: Vec<(std::path::PathBuf, String)>,
) -> Page {
    let summary = page_summary(r, &p.doc);
    // The walk gives every source one of the site's languages.
    let lang = (config.lang(&p.source.lang)).unwrap_or_else(|| config.default_lang_handle());
    Page {
        key: p.source.key.clone(),
        content_lang: lang,
        lang,
        source: format!("content/{}", p.source.rel),
        out_dir: out_dir(config, &path),
        path,
        html: r.html.clone(),
        summary,
        toc: r.toc.clone(),
        text: r.text.clone(),
        words: r.words,
        excerpt: r.excerpt.clone(),
        section: SectionId::new(usize::MAX),
        prev: None,
        next: None,
        terms: Default::default(),
        fallback: false,
        translation,
        stale_sections,
        assets,
        doc: p.doc,
    }
}

/// The fallback copy of the default-language page `p` in the language `lang`: the page as
/// it is, served at that language's address.
pub fn fallback_copy(config: &Config, p: &Page, lang: &crate::config::Language) -> Page {
    let mut c = p.clone();
    c.lang = lang.lang();
    c.fallback = true;
    c.translation = TranslationState::Fallback;
    c.path = relocate(config, &p.path, &config.default_language, &lang.code);
    c.out_dir = out_dir(config, &c.path);
    c
}

/// Adds a fallback copy of every default-language page in every language that has no
/// translation of it (with `missing_translation = "fallback"`), then sorts the pages by
/// (language, key).
pub fn add_fallback_copies(config: &Config, pages: &mut Vec<Page>) {
    let default = &config.default_language;
    if config.missing_translation == MissingTranslation::Fallback {
        let have: HashSet<(&str, Lang)> = pages.iter().map(|p| (p.key.as_str(), p.lang)).collect();
        let mut copies = Vec::new();
        for p in pages.iter().filter(|p| p.lang == *default) {
            for l in &config.languages {
                if l.code != *default && !have.contains(&(p.key.as_str(), l.lang())) {
                    copies.push(fallback_copy(config, p, l));
                }
            }
        }
        pages.extend(copies);
    }
    sort_pages(pages);
}

/// Sorts `pages` by (language, key), stably. The order is found on their positions and the
/// pages are then moved once each: a page is about 500 bytes, and sorting them in place
/// moves each of tens of thousands of them at every level of the merge.
fn sort_pages(pages: &mut Vec<Page>) {
    let mut order: Vec<usize> = (0..pages.len()).collect();
    order.sort_by(|&a, &b| (&pages[a].lang, &pages[a].key).cmp(&(&pages[b].lang, &pages[b].key)));
    let mut slots: Vec<Option<Page>> = pages.drain(..).map(Some).collect();
    pages.extend(order.iter().filter_map(|&i| slots[i].take()));
}

/// Page by (key, language), fallback copies left out.
pub fn page_index(pages: &[Page]) -> super::PageIndex {
    PageId::range(pages.len())
        .zip(pages)
        .filter(|(_, p)| !p.fallback)
        .map(|(i, p)| ((p.key.clone(), p.lang), i))
        .collect()
}

/// A page's summary: the part before `<!-- more -->`, else the front matter's `summary`,
/// else the first paragraph.
pub fn page_summary(r: &markdown::Rendered, doc: &Document) -> Option<std::sync::Arc<str>> {
    r.summary_html
        .clone()
        .or_else(|| {
            super::fields::effects(&doc.meta)
                .summary
                .map(|s| format!("<p>{}</p>", crate::markup::escape(s)).into())
        })
        .or_else(|| r.first_paragraph_html.clone())
}
