//! The site model: every page and section in every language, with its URL, its
//! translations, its place in its section and its taxonomy terms.
//!
//! Built once from parsed documents and never mutated afterwards; rendering only reads it.
//! All collections are sorted, so the model, and therefore the output, is the same whatever
//! the order in which parallel stages finished.

use std::collections::{BTreeMap, HashMap, HashSet};

use rayon::prelude::*;

use crate::config::{Config, MissingTranslation, TermSlugs};
use crate::content::{Asset, DateValue, Document, Source, SourceKind};
use crate::diagnostics::Diagnostic;
use crate::ident;
use crate::markdown::{self, TocEntry};
use crate::translation::{Revision, TranslationState, state_of};

/// A parsed source, ready to be placed in the model.
#[derive(Debug)]
pub struct Parsed {
    /// Where it came from.
    pub source: Source,
    /// What it says.
    pub doc: Document,
}

/// A link from one taxonomy term to its page.
#[derive(Debug, Clone)]
pub struct TermRef {
    /// The term as written by the editor.
    pub name: String,
    /// URL segment.
    pub slug: String,
    /// Site path of the term page.
    pub path: String,
}

/// One page in one language.
#[derive(Debug, Clone)]
pub struct Page {
    /// Translation key (`news/x`).
    pub key: String,
    /// Language the page is served in.
    pub lang: String,
    /// Language the content is written in (differs from `lang` for fallback copies).
    pub content_lang: String,
    /// Source file, relative to the site root (`content/news/x.en.md`).
    pub source: String,
    /// Parsed front matter and body.
    pub doc: Document,
    /// Rendered body.
    pub html: String,
    /// Summary HTML (`<!-- more -->`, front matter `summary`, or first paragraph).
    pub summary: Option<String>,
    /// Table of contents.
    pub toc: Vec<TocEntry>,
    /// Plain text of the body.
    pub text: String,
    /// Site path, e.g. `/en/news/x/`.
    pub path: String,
    /// Output directory relative to the output root (`en/news/x`).
    pub out_dir: String,
    /// Index into [`SiteModel::sections`].
    pub section: usize,
    /// Neighbours within the section, in list order.
    pub prev: Option<usize>,
    /// See `prev`.
    pub next: Option<usize>,
    /// Terms per taxonomy name.
    pub terms: BTreeMap<String, Vec<TermRef>>,
    /// Rendered from the default-language source because no translation exists.
    pub fallback: bool,
    /// Whether this translation is current with its source.
    pub translation: TranslationState,
    /// For a stale translation: the sections in which blocks whose source changed stand
    /// (see [`crate::stale::StaleSection`]); empty otherwise.
    pub stale_sections: Vec<crate::stale::StaleSection>,
    /// Files of a page bundle: (absolute source, path inside the bundle).
    pub assets: Vec<(std::path::PathBuf, String)>,
}

/// One section (a directory of `content/`) in one language.
#[derive(Debug, Clone)]
pub struct Section {
    /// Directory relative to `content/` (`` for the home page).
    pub dir: String,
    /// Language.
    pub lang: String,
    /// Language the section's text is written in.
    pub content_lang: String,
    /// Source file, when the section has an `_index` in some language.
    pub source: Option<String>,
    /// Parsed `_index` (own language, else the default language's), if any.
    pub doc: Option<Document>,
    /// Title (front matter, else the directory name).
    pub title: String,
    /// Rendered body.
    pub html: String,
    /// Table of contents.
    pub toc: Vec<TocEntry>,
    /// Site path.
    pub path: String,
    /// Output directory.
    pub out_dir: String,
    /// Pages, sorted for listing.
    pub pages: Vec<usize>,
    /// Child sections, sorted.
    pub subsections: Vec<usize>,
    /// Parent section.
    pub parent: Option<usize>,
    /// Rendered from the default-language `_index` because no translation exists.
    pub fallback: bool,
}

/// All terms of one taxonomy in one language.
#[derive(Debug, Clone)]
pub struct TaxonomyModel {
    /// `tags` or `categories`.
    pub name: String,
    /// Language.
    pub lang: String,
    /// Site path of the index of terms.
    pub path: String,
    /// Terms sorted by slug.
    pub terms: Vec<Term>,
}

/// One term and its pages.
#[derive(Debug, Clone)]
pub struct Term {
    /// Display name (the first spelling met, in sorted source order).
    pub name: String,
    /// URL segment.
    pub slug: String,
    /// Site path.
    pub path: String,
    /// Pages, newest first.
    pub pages: Vec<usize>,
}

/// A redirect from an old path.
#[derive(Debug, Clone)]
pub struct Alias {
    /// Output file of the redirect page, relative to the output root: `old/index.html` for
    /// `/old/` or `/old`, the file itself for `/old.html` (and `.htm`).
    pub out_file: String,
    /// Where it points to.
    pub target_path: String,
    /// Source file that declared it.
    pub source: String,
}

/// What an incremental rebuild (`serve::session`) needs to know about a Markdown source
/// that the model no longer keeps once its text is released.
#[derive(Debug, Clone)]
pub struct SourceFacts {
    /// Where the file is and what it is.
    pub source: Source,
    /// The front matter exactly as written, delimiters included: everything in the model
    /// that is not the rendered body derives from it, so an edit that leaves it unchanged
    /// cannot move, rename, re-date or re-tag the page.
    pub head: String,
    /// Ids the body defines, which other pages' `@/x.md#id` links are checked against.
    pub anchors: Vec<String>,
    /// Problems with the body's `@/` links (warnings, when the build succeeded).
    pub link_diagnostics: Vec<Diagnostic>,
}

/// The complete site. Built at once by [`build`]; an incremental rebuild changes only the
/// rendered bodies of pages whose front matter did not change (see `serve::session`).
#[derive(Debug)]
pub struct SiteModel {
    /// Validated configuration.
    pub config: Config,
    /// Every page in every language.
    pub pages: Vec<Page>,
    /// Every section in every language.
    pub sections: Vec<Section>,
    /// Taxonomies per language.
    pub taxonomies: Vec<TaxonomyModel>,
    /// Redirects.
    pub aliases: Vec<Alias>,
    /// Files of `content/` that are copied as they are: (absolute source, output path).
    pub static_assets: Vec<(std::path::PathBuf, String)>,
    /// Page by (key, language).
    pub page_index: HashMap<(String, String), usize>,
    /// Section by (directory, language).
    pub section_index: HashMap<(String, String), usize>,
    /// Every Markdown source in the model, by its path relative to the site root
    /// (`content/news/x.en.md`).
    pub sources: HashMap<String, SourceFacts>,
    /// (key, language) → site path of every page and section source, for `@/` links.
    pub link_index: HashMap<(String, String), String>,
    /// Files of `content/` by path relative to it, for `@/` links to them.
    pub content_assets: HashMap<String, Asset>,
    /// Output paths that relative and root-relative links may lead to (see `site_files`).
    pub site_files: std::collections::HashSet<String>,
    /// Translation key → [`Revision`] of its default-language page: what translations
    /// are compared against.
    pub source_hashes: HashMap<String, Revision>,
    /// Ids the templates define (`main`), which generated heading ids avoid.
    pub template_ids: Vec<String>,
    /// The images pages show: sizes read, variants to write.
    pub images: std::sync::Arc<crate::images::Images>,
    /// The site's directive templates, compiled (`None` when they do not compile).
    pub directives: Option<std::sync::Arc<crate::directives::DirectiveSet>>,
    /// Sources left out of the site (drafts, future pages, unreadable front matter): a
    /// link to one says why instead of "does not exist".
    pub unpublished: UnpublishedSources,
    /// The output directory each left-out page would have, to its (key, language).
    pub unpublished_dirs: HashMap<String, (String, String)>,
    /// The menus of `site.toml`, resolved for every language.
    pub menus: crate::menu::Resolved,
}

impl SiteModel {
    /// All languages in which the page with this key exists (not as a fallback copy).
    pub fn translations_of_page(&self, idx: usize) -> Vec<(String, Option<&Page>)> {
        let key = &self.pages[idx].key;
        self.config
            .languages
            .iter()
            .map(|l| {
                let p = self
                    .page_index
                    .get(&(key.clone(), l.code.clone()))
                    .map(|&i| &self.pages[i]);
                (l.code.clone(), p)
            })
            .collect()
    }

    /// The page with this key in language `lang`, a fallback copy included. Pages are sorted
    /// by (language, key).
    pub fn page_at(&self, lang: &str, key: &str) -> Option<usize> {
        self.pages
            .binary_search_by(|p| (p.lang.as_str(), p.key.as_str()).cmp(&(lang, key)))
            .ok()
    }

    /// The default-language page that page `idx` translates, or stands in for as a
    /// fallback copy; `None` for a default-language page or one without a source.
    pub fn original_of(&self, idx: usize) -> Option<&Page> {
        let p = &self.pages[idx];
        if p.lang == self.config.default_language {
            return None;
        }
        self.page_index
            .get(&(p.key.clone(), self.config.default_language.clone()))
            .map(|&i| &self.pages[i])
    }
}

/// Slug of a taxonomy term: lowercase, Unicode letters and digits kept (Chinese and German
/// terms stay readable), anything else folded into single dashes. With
/// [`TermSlugs::Ascii`], German umlauts become `ae`, `oe`, `ue`, `ss` and everything else
/// is transliterated (Chinese to toneless pinyin) first.
/// The name is NFC-normalized first, so a decomposed `Fo\u{308}rderung` slugs like
/// `Förderung`.
pub fn term_slug(name: &str, mode: TermSlugs) -> String {
    let composed = ident::nfc(name);
    let name = composed.as_ref();
    let ascii;
    let name = match mode {
        TermSlugs::Unicode => name,
        TermSlugs::Ascii => {
            let german: String = name
                .chars()
                .map(|c| match c {
                    'ä' => "ae".to_string(),
                    'ö' => "oe".to_string(),
                    'ü' => "ue".to_string(),
                    'Ä' => "Ae".to_string(),
                    'Ö' => "Oe".to_string(),
                    'Ü' => "Ue".to_string(),
                    'ß' => "ss".to_string(),
                    c => c.to_string(),
                })
                .collect();
            ascii = deunicode::deunicode_with_tofu(&german, "-");
            ascii.as_str()
        }
    };
    let mut out = String::new();
    let mut dash = false;
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.push(c);
        } else {
            dash = true;
        }
    }
    if out.is_empty() {
        "term".to_string()
    } else {
        out
    }
}

/// Why a Markdown source is not part of the site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unpublished {
    /// Marked `draft: true` (published with `--drafts`).
    Draft,
    /// Dated in the future (`YYYY-MM-DD`; published with `--future`).
    Future(String),
    /// Its front matter could not be read: that error is reported on its own.
    Broken,
}

/// A source left out of the site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnpublishedSource {
    /// Why.
    pub why: Unpublished,
    /// The file (`content/news/x.md`).
    pub file: String,
    /// The site path it would have (`/news/x/`), when it could be worked out.
    pub path: Option<String>,
}

impl UnpublishedSource {
    /// The warning for a link (`shown` as written) to this source; `None` when the source's
    /// own error says it all (its front matter is broken).
    fn link_warning(&self, shown: &str) -> Option<Diagnostic> {
        let file = &self.file;
        match &self.why {
            Unpublished::Broken => None,
            Unpublished::Draft => Some(
                Diagnostic::warning(format!(
                    "link to `{shown}`, a draft: it is not published, so the link leads nowhere yet"
                ))
                .with_hint(format!(
                    "publish it by deleting `draft: true` in {file} (qiao serve --drafts previews drafts)"
                )),
            ),
            Unpublished::Future(date) => Some(
                Diagnostic::warning(format!(
                    "link to `{shown}`, dated {date}: it is not published before then, so the link leads nowhere yet"
                ))
                .with_hint(format!("change the date in {file}, or build with --future")),
            ),
        }
    }
}

/// Sources left out of the site, by (key, language).
pub type UnpublishedSources = HashMap<(String, String), UnpublishedSource>;

/// Builds the model. Problems are pushed to `diags`; the model contains whatever could be
/// built, so that later stages can still find more errors.
///
/// `images` knows the theme's and the site's static files: with the pages and content files,
/// what links in Markdown may lead to. `root` is the site root,
/// whose `.qiao/sources/` holds the revisions stale translations were made from.
#[allow(clippy::too_many_arguments)]
pub fn build(
    config: Config,
    parsed: Vec<Parsed>,
    assets: Vec<Asset>,
    from_templates: FromTemplates,
    images: crate::images::Images,
    unpublished: UnpublishedSources,
    diags: &mut Vec<Diagnostic>,
    root: &std::path::Path,
) -> SiteModel {
    let default = config.default_language.clone();
    let FromTemplates {
        ids: template_ids,
        directives,
    } = from_templates;

    // 1. URLs and output paths, with a check that no two sources map to one path.
    let placed: Vec<(Parsed, String)> = parsed
        .into_iter()
        .filter_map(|p| match source_path(&config, &p.source, &p.doc) {
            Ok(path) => Some((p, path)),
            Err(d) => {
                diags.push(d);
                None
            }
        })
        .collect();
    let mut claimed: BTreeMap<String, String> = BTreeMap::new();
    let mut kept = Vec::new();
    for (p, path) in placed {
        let rel = format!("content/{}", p.source.rel);
        if let Some(other) = claimed.get(&path) {
            diags.push(
                Diagnostic::error(format!(
                    "{rel} and {other} would both be written to {path}"
                ))
                .in_file(&rel)
                .with_hint("give one of them a different `slug` in its front matter, or rename the file"),
            );
            continue;
        }
        claimed.insert(path.clone(), rel);
        kept.push((p, path));
    }

    // 2. Link index: (key, lang) -> site path, for `@/` links.
    let mut link_index: HashMap<(String, String), String> = HashMap::new();
    for (p, path) in &kept {
        link_index.insert((p.source.key.clone(), p.source.lang.clone()), path.clone());
    }
    let asset_paths: HashMap<String, Asset> =
        assets.iter().map(|a| (a.rel.clone(), a.clone())).collect();
    let site_files = site_files(&config, &link_index, &assets, images.static_paths());
    let unpublished_dirs: HashMap<String, (String, String)> = unpublished
        .iter()
        .filter_map(|(k, u)| u.path.as_ref().map(|p| (out_dir(&config, p), k.clone())))
        .collect();
    let resolver = LinkResolver {
        config: &config,
        index: &link_index,
        assets: &asset_paths,
        template_ids: &template_ids,
        files: &site_files,
        unpublished: &unpublished,
        unpublished_dirs: &unpublished_dirs,
        images: &images,
        directives: directives.as_deref(),
    };

    // 3. Markdown, in parallel; links are checked afterwards, when every page's anchors are
    //    known.
    let rendered: Vec<(Parsed, String, markdown::Rendered)> = kept
        .into_par_iter()
        .map(|(p, path)| {
            let r = resolver.render(&p, &path);
            (p, path, r)
        })
        .collect();
    let anchors: HashMap<(String, String), &[String]> = rendered
        .iter()
        .map(|(p, _, r)| {
            (
                (p.source.key.clone(), p.source.lang.clone()),
                r.anchors.as_slice(),
            )
        })
        .collect();
    let mut sources: HashMap<String, SourceFacts> = HashMap::new();
    for (p, _, r) in &rendered {
        let link_diagnostics = resolver.check_links(p, r, &|k| anchors.get(k).copied());
        diags.extend(link_diagnostics.iter().cloned());
        let rel = format!("content/{}", p.source.rel);
        sources.insert(
            rel,
            SourceFacts {
                source: p.source.clone(),
                head: p.doc.text.get(..p.doc.body_start).unwrap_or("").to_string(),
                anchors: r.anchors.clone(),
                link_diagnostics,
            },
        );
    }
    drop(anchors);

    // 4. Pages and section sources.
    let mut pages: Vec<Page> = Vec::new();
    let mut section_docs: BTreeMap<(String, String), (String, Document, markdown::Rendered)> =
        BTreeMap::new();
    let mut bundle_assets: HashMap<String, Vec<(std::path::PathBuf, String)>> = HashMap::new();
    let mut static_assets = Vec::new();
    for a in assets {
        match a.bundle {
            Some((key, inner)) => bundle_assets.entry(key).or_default().push((a.abs, inner)),
            None => static_assets.push((a.abs, a.rel)),
        }
    }
    // As costly as rendering the sources' Markdown once more: in parallel too, and only for
    // sources that a translation records a revision of (an untracked translation is neither
    // current nor stale, whatever its source says). `qiao serve` rebuilds fully when a
    // translation starts or stops recording one (see `session::movable`).
    let tracked: std::collections::HashSet<&str> = rendered
        .iter()
        .filter(|(p, _, _)| p.source.lang != default && p.doc.meta.translation_of.is_some())
        .map(|(p, _, _)| p.source.key.as_str())
        .collect();
    let source_hashes: HashMap<String, Revision> = rendered
        .par_iter()
        .filter(|(p, _, _)| p.source.lang == default && tracked.contains(p.source.key.as_str()))
        .map(|(p, _, _)| (p.source.key.clone(), Revision::of(&p.doc)))
        .collect();
    drop(tracked);
    // Stale translations only: the blocks whose source changed are marked and their
    // sections named (see `crate::stale`).
    let mut stale_marks =
        crate::stale::mark_stale_translations(root, &config, &rendered, &source_hashes, &resolver);
    for (k, (mut p, path, mut r)) in rendered.into_iter().enumerate() {
        let stale_sections = match stale_marks.remove(&k) {
            Some(marked) => {
                r.html = marked.html;
                marked.sections
            }
            None => Vec::new(),
        };
        let rel = format!("content/{}", p.source.rel);
        // The Markdown has been rendered and its links checked: the source text is not
        // needed any more, and on a large site it is a good part of the memory.
        p.doc.release_text();
        let translation = state_of(
            &p.doc,
            &p.source.lang,
            &config,
            source_hashes.get(&p.source.key),
        );
        match p.source.kind {
            SourceKind::Section => {
                section_docs.insert(
                    (p.source.section_dir.clone(), p.source.lang.clone()),
                    (rel, p.doc, r),
                );
            }
            SourceKind::Page => {
                let summary = page_summary(&r, &p.doc);
                pages.push(Page {
                    key: p.source.key.clone(),
                    content_lang: p.source.lang.clone(),
                    lang: p.source.lang.clone(),
                    source: rel,
                    out_dir: out_dir(&config, &path),
                    path,
                    html: r.html,
                    summary,
                    toc: r.toc,
                    text: r.text,
                    section: usize::MAX,
                    prev: None,
                    next: None,
                    terms: BTreeMap::new(),
                    fallback: false,
                    translation,
                    stale_sections,
                    assets: crate::images::bundle_files(
                        bundle_assets
                            .get(&p.source.key)
                            .map_or(&[][..], Vec::as_slice),
                        &p.source.lang,
                        &|code| config.language(code).is_some(),
                    ),
                    doc: p.doc,
                });
            }
        }
    }
    // 5. Fallback copies for missing translations.
    if config.missing_translation == MissingTranslation::Fallback {
        let have: std::collections::HashSet<(String, String)> = pages
            .iter()
            .map(|p| (p.key.clone(), p.lang.clone()))
            .collect();
        let mut copies = Vec::new();
        for p in pages.iter().filter(|p| p.lang == default) {
            for l in &config.languages {
                if l.code != default && !have.contains(&(p.key.clone(), l.code.clone())) {
                    let mut c = p.clone();
                    c.lang = l.code.clone();
                    c.fallback = true;
                    c.translation = TranslationState::Fallback;
                    c.path = relocate(&config, &p.path, &default, &l.code);
                    c.out_dir = out_dir(&config, &c.path);
                    copies.push(c);
                }
            }
        }
        pages.extend(copies);
    }
    pages.sort_by(|a, b| (&a.lang, &a.key).cmp(&(&b.lang, &b.key)));

    // 6. Sections: every directory that has an `_index` or pages, plus all their ancestors
    //    and the home page, in every language that has something to show there.
    let mut sections = Vec::new();
    let mut section_index = HashMap::new();
    // A directory and all its ancestors, up to the home page (``).
    fn with_ancestors(dir: &str) -> impl Iterator<Item = &str> {
        std::iter::successors(Some(dir), |d| {
            (!d.is_empty()).then(|| d.rsplit_once('/').map_or("", |(parent, _)| parent))
        })
    }
    // (language, directory) pairs that hold pages of that language, at any depth.
    let mut with_pages: std::collections::HashSet<(String, String)> = Default::default();
    let mut all_dirs: std::collections::BTreeSet<String> = Default::default();
    for p in &pages {
        let dir = page_section_dir(p);
        for d in with_ancestors(&dir) {
            with_pages.insert((p.lang.clone(), d.to_string()));
            all_dirs.insert(d.to_string());
        }
    }
    for (d, _) in section_docs.keys() {
        all_dirs.extend(with_ancestors(d).map(str::to_string));
    }
    for l in &config.languages {
        for dir in &all_dirs {
            let own = section_docs.get(&(dir.clone(), l.code.clone()));
            let from_default = section_docs.get(&(dir.clone(), default.clone()));
            let has_pages = with_pages.contains(&(l.code.clone(), dir.clone()));
            let shown = own.is_some()
                || dir.is_empty()
                || has_pages
                || (config.missing_translation == MissingTranslation::Fallback
                    && from_default.is_some());
            if !shown {
                continue;
            }
            let (doc, fallback) = match (own, from_default) {
                (Some(o), _) => (Some(o), false),
                (None, Some(d)) => (Some(d), l.code != default),
                (None, None) => (None, false),
            };
            let title = doc.map_or_else(
                || {
                    if dir.is_empty() {
                        l.title.clone()
                    } else {
                        dir.rsplit('/').next().unwrap_or(dir).to_string()
                    }
                },
                |(_, d, _)| d.title.clone(),
            );
            let path = format!("{}{}", config.lang_prefix(&l.code), section_path(dir));
            section_index.insert((dir.clone(), l.code.clone()), sections.len());
            sections.push(Section {
                dir: dir.clone(),
                lang: l.code.clone(),
                content_lang: if fallback {
                    default.clone()
                } else {
                    l.code.clone()
                },
                source: doc.map(|(rel, _, _)| rel.clone()),
                title,
                html: doc.map(|(_, _, r)| r.html.clone()).unwrap_or_default(),
                toc: doc.map(|(_, _, r)| r.toc.clone()).unwrap_or_default(),
                doc: doc.map(|(_, d, _)| d.clone()),
                out_dir: out_dir(&config, &path),
                path,
                pages: Vec::new(),
                subsections: Vec::new(),
                parent: None,
                fallback,
            });
        }
    }
    for i in 0..sections.len() {
        let (dir, lang) = (sections[i].dir.clone(), sections[i].lang.clone());
        if dir.is_empty() {
            continue;
        }
        let parent_dir = dir.rsplit_once('/').map_or("", |(p, _)| p).to_string();
        if let Some(&pi) = section_index.get(&(parent_dir, lang)) {
            sections[i].parent = Some(pi);
            sections[pi].subsections.push(i);
        }
    }

    // 7. Pages into sections, sorted: weight first (if any), then newest first, then title.
    for (i, p) in pages.iter_mut().enumerate() {
        let dir = page_section_dir(p);
        if let Some(&si) = section_index.get(&(dir, p.lang.clone())) {
            p.section = si;
            sections[si].pages.push(i);
        }
    }
    for s in &mut sections {
        s.pages.sort_by(|&a, &b| list_order(&pages[a], &pages[b]));
        for w in 0..s.pages.len() {
            let i = s.pages[w];
            pages[i].prev = w.checked_sub(1).map(|k| s.pages[k]);
            pages[i].next = s.pages.get(w + 1).copied();
        }
    }
    // Subsections by their `_index` weight, then by directory.
    let weights: Vec<i64> = sections
        .iter()
        .map(|s| {
            s.doc
                .as_ref()
                .and_then(|d| d.meta.weight)
                .unwrap_or(i64::MAX)
        })
        .collect();
    for s in &mut sections {
        s.subsections.sort_by_key(|&i| (weights[i], i));
    }

    let page_index: HashMap<(String, String), usize> = pages
        .iter()
        .enumerate()
        .filter(|(_, p)| !p.fallback)
        .map(|(i, p)| ((p.key.clone(), p.lang.clone()), i))
        .collect();

    // 8. Taxonomies per language.
    let taxonomies = build_taxonomies(&config, &pages, diags);
    for tax in &taxonomies {
        for term in &tax.terms {
            for &i in &term.pages {
                pages[i]
                    .terms
                    .entry(tax.name.clone())
                    .or_default()
                    .push(TermRef {
                        name: term.name.clone(),
                        slug: term.slug.clone(),
                        path: term.path.clone(),
                    });
            }
        }
    }
    for p in &mut pages {
        for refs in p.terms.values_mut() {
            refs.sort_by(|a, b| a.slug.cmp(&b.slug));
        }
    }

    // 9. Aliases.
    let mut aliases = Vec::new();
    let mut alias_claims: BTreeMap<String, String> = BTreeMap::new();
    for p in pages.iter().filter(|p| !p.fallback) {
        for a in &p.doc.meta.aliases {
            let out = alias_file(&ident::nfc(a));
            if let Some(prev) = alias_claims.get(&out) {
                diags.push(
                    Diagnostic::error(format!("alias `{a}` is declared twice (also in {prev})"))
                        .in_file(&p.source)
                        .with_hint("remove one of the two aliases"),
                );
                continue;
            }
            alias_claims.insert(out.clone(), p.source.clone());
            aliases.push(Alias {
                out_file: out,
                target_path: p.path.clone(),
                source: p.source.clone(),
            });
        }
    }
    let taken: std::collections::HashSet<String> = pages
        .iter()
        .map(|p| p.out_dir.as_str())
        .chain(sections.iter().map(|s| s.out_dir.as_str()))
        .map(join_index)
        .collect();
    aliases.retain(|a| {
        if taken.contains(&a.out_file) {
            diags.push(
                Diagnostic::error(format!(
                    "alias `/{}` is the address of an existing page",
                    a.out_file.trim_end_matches("index.html")
                ))
                .in_file(&a.source)
                .with_hint("an alias must be an old address that no page uses any more"),
            );
            false
        } else {
            true
        }
    });

    let mut site = SiteModel {
        config,
        pages,
        sections,
        taxonomies,
        aliases,
        static_assets,
        page_index,
        section_index,
        sources,
        link_index,
        content_assets: asset_paths,
        site_files,
        source_hashes,
        template_ids,
        directives,
        unpublished,
        unpublished_dirs,
        images: std::sync::Arc::new(images),
        menus: Default::default(),
    };
    site.menus = site.resolve_menus(diags);
    let from_pages = (site.pages.iter().filter(|p| !p.fallback))
        .filter_map(|p| {
            Some((
                p.doc.meta.menu.as_ref()?,
                p.lang.as_str(),
                p.path.as_str(),
                p.doc.title.as_str(),
            ))
        })
        .chain(site.sections.iter().filter_map(|s| {
            let doc = s.doc.as_ref()?;
            Some((
                doc.meta.menu.as_ref()?,
                s.lang.as_str(),
                s.path.as_str(),
                s.title.as_str(),
            ))
        }));
    let mut menus = std::mem::take(&mut site.menus);
    crate::menu::add_from_pages(&mut menus, from_pages);
    site.menus = menus;
    site
}

/// What the model needs from the templates.
#[derive(Debug, Default)]
pub struct FromTemplates {
    /// Ids the templates define (`main`), which generated heading ids avoid.
    pub ids: Vec<String>,
    /// The directive templates, compiled.
    pub directives: Option<std::sync::Arc<crate::directives::DirectiveSet>>,
}

/// The taxonomies of every language. Fallback copies are left out: their terms are in
/// another language.
///
/// Names that differ only in case, surrounding spaces or Unicode normalization are one term
/// (shown as first written, in page order). Different names keep different pages even when
/// their slugs coincide (`C`, `C++` and `C#` all slug to `c`): see [`term_slugs`], which
/// gives one name the same slug in every language. Terms are sorted by slug.
fn build_taxonomies(
    config: &Config,
    pages: &[Page],
    diags: &mut Vec<Diagnostic>,
) -> Vec<TaxonomyModel> {
    let mut taxonomies = Vec::new();
    for t in &config.taxonomies {
        let names_of = |p: &Page| -> Vec<String> {
            let names = if t.name == "tags" {
                &p.doc.meta.tags
            } else {
                &p.doc.meta.categories
            };
            names.clone()
        };
        // Term key -> (display name, pages) per language, in language order.
        let mut per_lang: Vec<BTreeMap<String, (String, Vec<usize>)>> = Vec::new();
        // Term key -> (display name, first page that used it), over all languages.
        let mut all: BTreeMap<String, (String, usize)> = BTreeMap::new();
        for l in &config.languages {
            let mut terms: BTreeMap<String, (String, Vec<usize>)> = BTreeMap::new();
            for (i, p) in pages.iter().enumerate() {
                if p.lang != l.code || p.fallback {
                    continue;
                }
                for name in names_of(p) {
                    let key = ident::term_key(&name);
                    let shown = ident::nfc(name.trim()).into_owned();
                    all.entry(key.clone()).or_insert_with(|| (shown.clone(), i));
                    let (_, term_pages) = terms.entry(key).or_insert_with(|| (shown, Vec::new()));
                    // Pages come in index order, so a repeat can only be this page's
                    // (`tags: [江门, 江门]`): no need to search the term's whole list.
                    if term_pages.last() != Some(&i) {
                        term_pages.push(i);
                    }
                }
            }
            per_lang.push(terms);
        }
        let (slugs, collisions) = term_slugs(all.keys().map(String::as_str), config.term_slugs);
        for (slug, keys) in collisions {
            let names: Vec<String> = keys
                .iter()
                .filter_map(|k| all.get(k))
                .map(|(name, _)| format!("`{name}`"))
                .collect();
            let given: Vec<String> = keys
                .iter()
                .filter_map(|k| slugs.get(k))
                .map(|slug| format!("`{slug}`"))
                .collect();
            let first_page = keys
                .iter()
                .filter_map(|k| all.get(k))
                .map(|&(_, i)| i)
                .min();
            let mut d = Diagnostic::warning(format!(
                "{} {} would all have the slug `{slug}`; to keep them apart their pages are {} \
                 (in that order)",
                t.name,
                names.join(", "),
                given.join(", "),
            ))
            .with_hint(format!(
                "if they are meant to be one term, write them the same way in `{}:`; \
                 otherwise nothing needs to change",
                t.name
            ));
            if let Some(i) = first_page {
                d = d.in_file(&pages[i].source);
            }
            diags.push(d);
        }
        for (l, terms) in config.languages.iter().zip(per_lang) {
            let prefix = format!(
                "{}{}/",
                config.lang_prefix(&l.code),
                crate::url::segment(&t.name)
            );
            let mut terms: Vec<Term> = terms
                .into_iter()
                .map(|(key, (name, mut term_pages))| {
                    let slug = slugs.get(&key).cloned().unwrap_or_default();
                    term_pages.sort_by(|&a, &b| date_order(&pages[a], &pages[b]));
                    Term {
                        name,
                        path: format!("{prefix}{}/", crate::url::segment(&slug)),
                        slug,
                        pages: term_pages,
                    }
                })
                .collect();
            terms.sort_by(|a, b| a.slug.cmp(&b.slug));
            taxonomies.push(TaxonomyModel {
                name: t.name.clone(),
                lang: l.code.clone(),
                path: prefix,
                terms,
            });
        }
    }
    taxonomies
}

/// Slugs collided on by several term keys, with those keys (sorted).
type Collisions = Vec<(String, Vec<String>)>;

/// The slug of every term key of a taxonomy, distinct for distinct keys, and the slugs that
/// several keys share under [`term_slug`].
///
/// A key keeps its [`term_slug`] when no other key has it. Of keys that share one, each
/// takes the slug of its name with symbols spelled out (`c-plus-plus`, `c-sharp`) when that
/// is distinct; the rest take the shared slug and then `slug-2`, `slug-3`, … in the order of
/// their keys. The result depends only on the set of keys, never on the order pages were
/// read, so a term has the same slug in every language and every build.
pub fn term_slugs<'k>(
    keys: impl IntoIterator<Item = &'k str>,
    mode: TermSlugs,
) -> (BTreeMap<String, String>, Collisions) {
    let mut groups: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for key in keys {
        groups
            .entry(term_slug(key, mode))
            .or_default()
            .push(key.to_string());
    }
    let mut used: std::collections::HashSet<String> = groups.keys().cloned().collect();
    let mut slugs = BTreeMap::new();
    let mut collisions = Vec::new();
    for (base, keys) in &groups {
        let [key] = keys.as_slice() else {
            collisions.push((base.clone(), keys.clone()));
            continue;
        };
        slugs.insert(key.clone(), base.clone());
    }
    for (base, keys) in &mut collisions {
        keys.sort();
        let spelled: Vec<String> = keys
            .iter()
            .map(|k| term_slug(&spell_symbols(k), mode))
            .collect();
        let mut rest = Vec::new();
        let mut base_free = true;
        for (key, form) in keys.iter().zip(&spelled) {
            let unique = spelled.iter().filter(|f| *f == form).count() == 1;
            if unique && form == base {
                base_free = false;
                slugs.insert(key.clone(), form.clone());
            } else if unique && !used.contains(form) {
                used.insert(form.clone());
                slugs.insert(key.clone(), form.clone());
            } else {
                rest.push(key);
            }
        }
        let mut n = 1;
        for key in rest {
            let slug = if std::mem::take(&mut base_free) {
                base.clone()
            } else {
                loop {
                    n += 1;
                    let candidate = format!("{base}-{n}");
                    if used.insert(candidate.clone()) {
                        break candidate;
                    }
                }
            };
            slugs.insert(key.clone(), slug);
        }
    }
    (slugs, collisions)
}

/// A term name with the symbols that tell programming languages and similar names apart
/// spelled out as words (`C++` → `C plus plus`), for readable distinct slugs.
fn spell_symbols(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        let word = match c {
            '+' => "plus",
            '#' => "sharp",
            '&' => "and",
            '@' => "at",
            '%' => "percent",
            '*' => "star",
            '.' => "dot",
            '/' => "slash",
            '=' => "equals",
            '<' => "lt",
            '>' => "gt",
            '!' => "bang",
            '$' => "dollar",
            '~' => "tilde",
            '^' => "caret",
            '|' => "bar",
            '?' => "question",
            _ => {
                out.push(c);
                continue;
            }
        };
        out.push(' ');
        out.push_str(word);
        out.push(' ');
    }
    out
}

/// The output paths (decoded, no leading or trailing `/`) that links in Markdown may lead
/// to, besides generated files: every page and section directory with its `index.html`,
/// every content file, every static file.
fn site_files<'a>(
    config: &Config,
    link_index: &HashMap<(String, String), String>,
    assets: &[Asset],
    static_files: impl Iterator<Item = &'a str>,
) -> std::collections::HashSet<String> {
    let mut files: std::collections::HashSet<String> = static_files.map(str::to_string).collect();
    // Directories of each bundle's pages, with their language.
    let mut dirs_by_key: HashMap<&str, Vec<(String, String)>> = HashMap::new();
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
    for (key, lang, path) in placed {
        let dir = out_dir(config, &path);
        dirs_by_key
            .entry(key.as_str())
            .or_default()
            .push((lang.clone(), dir.clone()));
        // The page and the sections above it (a section exists wherever it has pages).
        let mut d = dir.as_str();
        loop {
            files.insert(d.to_string());
            files.insert(join_index(d));
            match d.rsplit_once('/') {
                Some((parent, _)) => d = parent,
                None if d.is_empty() => break,
                None => d = "",
            }
        }
    }
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

/// The file a redirect page for the alias `alias` (a path from the site's root, checked by
/// [`crate::content::front_matter::check_alias`]) is written to: the decoded path plus
/// `index.html`, or the path itself when it names an HTML file (`/old.html`).
fn alias_file(alias: &str) -> String {
    let rel = crate::url::decode(alias.trim_matches('/'));
    let html_file = !alias.ends_with('/')
        && rel
            .rsplit('/')
            .next()
            .is_some_and(|name| name.ends_with(".html") || name.ends_with(".htm"));
    if html_file { rel } else { join_index(&rel) }
}

/// `dir/index.html`, or `index.html` for the root.
fn join_index(dir: &str) -> String {
    if dir.is_empty() {
        "index.html".to_string()
    } else {
        format!("{dir}/index.html")
    }
}

/// A page's summary: the part before `<!-- more -->`, else the front matter's `summary`,
/// else the first paragraph.
pub(crate) fn page_summary(r: &markdown::Rendered, doc: &Document) -> Option<String> {
    r.summary_html
        .clone()
        .or_else(|| {
            doc.meta
                .summary
                .as_ref()
                .map(|s| format!("<p>{}</p>", crate::xml::escape(s)))
        })
        .or_else(|| r.first_paragraph_html.clone())
}

/// The section directory of a page, derived from its key.
fn page_section_dir(p: &Page) -> String {
    let key = p.key.strip_suffix("/index").unwrap_or(&p.key);
    key.rsplit_once('/')
        .map_or(String::new(), |(d, _)| d.to_string())
}

/// Order of pages in a section list.
pub(crate) fn list_order(a: &Page, b: &Page) -> std::cmp::Ordering {
    let wa = a.doc.meta.weight.unwrap_or(i64::MAX);
    let wb = b.doc.meta.weight.unwrap_or(i64::MAX);
    wa.cmp(&wb).then_with(|| date_order(a, b))
}

/// Newest first; undated pages last; then by title and key for a total order.
pub(crate) fn date_order(a: &Page, b: &Page) -> std::cmp::Ordering {
    let da = a.doc.date.as_ref().map(|d| d.timestamp);
    let db = b.doc.date.as_ref().map(|d| d.timestamp);
    db.cmp(&da)
        .then_with(|| a.doc.title.cmp(&b.doc.title))
        .then_with(|| a.key.cmp(&b.key))
}

/// The newest date among pages, for `updated` in feeds and `lastmod` in sitemaps.
pub fn newest<'a>(pages: impl Iterator<Item = &'a Page>) -> Option<&'a DateValue> {
    pages
        .filter_map(|p| p.doc.updated.as_ref().or(p.doc.date.as_ref()))
        .max_by_key(|d| d.timestamp)
}

/// The site path of a source, every segment percent-encoded ([`crate::url`]); an error when
/// its name cannot be a URL segment (`.`, `..`).
pub(crate) fn source_path(
    config: &Config,
    source: &Source,
    doc: &Document,
) -> Result<String, Diagnostic> {
    let prefix = config.lang_prefix(&source.lang);
    let dir = section_path(&source.section_dir);
    match source.kind {
        SourceKind::Section => Ok(format!("{prefix}{dir}")),
        SourceKind::Page => {
            let slug = ident::nfc(doc.meta.slug.as_deref().unwrap_or(&source.stem));
            if !crate::url::is_valid_segment(&slug) {
                return Err(Diagnostic::error(format!(
                    "the page's name `{slug}` cannot be part of an address"
                ))
                .in_file(format!("content/{}", source.rel))
                .with_hint("give the page a `slug` in its front matter, e.g. `slug: dot`"));
            }
            Ok(format!("{prefix}{dir}{}/", crate::url::segment(&slug)))
        }
    }
}

/// The encoded path of a section directory below a language's prefix: `` or `my%20docs/`.
fn section_path(dir: &str) -> String {
    if dir.is_empty() {
        String::new()
    } else {
        format!("{}/", crate::url::path(dir))
    }
}

fn relocate(config: &Config, path: &str, from: &str, to: &str) -> String {
    let old = config.lang_prefix(from);
    let rest = path.strip_prefix(old.as_str()).unwrap_or(path);
    format!("{}{rest}", config.lang_prefix(to))
}

/// Output directory (relative, no leading or trailing slash, percent-decoded: the names on
/// disk) of a site path.
pub fn out_dir(config: &Config, path: &str) -> String {
    crate::url::decode(
        path.strip_prefix(config.base_path.as_str())
            .unwrap_or(path)
            .trim_matches('/'),
    )
}

/// The anchors of the page or section with a (key, language), if it exists.
pub(crate) type Anchors<'x> = dyn Fn(&(String, String)) -> Option<&'x [String]> + 'x;

/// Resolves and checks `@/` links against the site's pages and content files.
pub(crate) struct LinkResolver<'a> {
    config: &'a Config,
    index: &'a HashMap<(String, String), String>,
    assets: &'a HashMap<String, Asset>,
    template_ids: &'a [String],
    files: &'a std::collections::HashSet<String>,
    unpublished: &'a UnpublishedSources,
    unpublished_dirs: &'a HashMap<String, (String, String)>,
    images: &'a crate::images::Images,
    directives: Option<&'a crate::directives::DirectiveSet>,
}

impl SiteModel {
    /// The menus of `site.toml` with their pages' addresses in every language.
    fn resolve_menus(&self, diags: &mut Vec<Diagnostic>) -> crate::menu::Resolved {
        let codes: Vec<String> = self
            .config
            .languages
            .iter()
            .map(|l| l.code.clone())
            .collect();
        let resolver = self.resolver();
        crate::menu::resolve(
            &self.config.menus,
            &codes,
            &self.config.base_path,
            &|path, lang| {
                let (url, _) = resolver.resolve(path, lang)?;
                let title = self.title_at(&url)?;
                Some(crate::menu::PageLink {
                    title: title.to_string(),
                    url,
                })
            },
            diags,
        )
    }

    /// The title of the page or section at site path `path`.
    fn title_at(&self, path: &str) -> Option<&str> {
        (self.pages.iter().find(|p| p.path == path))
            .map(|p| p.doc.title.as_str())
            .or_else(|| (self.sections.iter().find(|s| s.path == path)).map(|s| s.title.as_str()))
    }

    /// The resolver of `@/` links for this site.
    pub(crate) fn resolver(&self) -> LinkResolver<'_> {
        LinkResolver {
            config: &self.config,
            index: &self.link_index,
            assets: &self.content_assets,
            template_ids: &self.template_ids,
            files: &self.site_files,
            unpublished: &self.unpublished,
            unpublished_dirs: &self.unpublished_dirs,
            images: &self.images,
            directives: self.directives.as_deref(),
        }
    }
}

impl LinkResolver<'_> {
    /// Renders the body of `p`, which is placed at the site path `path`.
    pub(crate) fn render(&self, p: &Parsed, path: &str) -> markdown::Rendered {
        self.render_marked(p, path, Vec::new())
    }

    /// [`LinkResolver::render`], with `data-stale` on the blocks at `stale_blocks` (see
    /// [`markdown::Options::stale_blocks`]).
    pub(crate) fn render_marked(
        &self,
        p: &Parsed,
        path: &str,
        stale_blocks: Vec<usize>,
    ) -> markdown::Rendered {
        let options = markdown::Options {
            base_path: Some(path.to_string()),
            reserved_ids: self.template_ids.to_vec(),
            site_root: Some(self.config.base_path.clone()),
            han_locale: crate::directives::han_locale(self.config, &p.source.lang),
            languages: (self.config.languages.iter())
                .map(|l| (l.code.clone(), l.locale.clone()))
                .collect(),
            stale_blocks,
            autolinks: self.config.markdown.autolinks,
        };
        let expand = self.directives.map(|d| d.for_page(p, path));
        let mut r = markdown::render_with(
            p.doc.body(),
            &options,
            &|target| self.resolve(target, &p.source.lang).map(|(url, _)| url),
            expand.as_ref().map(|e| e as &dyn crate::directive::Expand),
        );
        self.enrich_images(p, path, &mut r);
        r
    }

    /// Gives the images of a rendered body their size, loading and variants (see
    /// [`crate::images`]), finding each file as the output will hold it: a page bundle's file
    /// in the page's language (`chart.de.png` for `chart.png` on German pages), a file of
    /// `content/`, a `static/` file.
    fn enrich_images(&self, p: &Parsed, path: &str, r: &mut markdown::Rendered) {
        let out = out_dir(self.config, path);
        let bundle_dir = p
            .source
            .bundle
            .then(|| p.source.key.strip_suffix("index"))
            .flatten();
        let lang = p.source.lang.as_str();
        let locate = |rel: &str| -> Option<std::path::PathBuf> {
            if let Some(dir) = bundle_dir
                && let Some(inner) = rel.strip_prefix(out.as_str())
                && let Some(inner) = inner.strip_prefix('/')
            {
                let own = inner
                    .rsplit_once('.')
                    .map(|(stem, ext)| format!("{dir}{stem}.{lang}.{ext}"));
                if let Some(a) = (own.iter().chain([&format!("{dir}{inner}")]))
                    .find_map(|rel| self.assets.get(rel.as_str()))
                {
                    return Some(a.abs.clone());
                }
            }
            // A file of `content/` where it lies (another page's bundle file too, in the
            // default language), else a `static/` file.
            match self.assets.get(rel) {
                Some(a) => Some(a.abs.clone()),
                None => self.images.static_file(rel),
            }
        };
        let mut page = crate::images::PageImages {
            path,
            locate: &locate,
            first_eager: true,
        };
        r.html = self.images.enrich(&r.html, &page);
        page.first_eager = false;
        for html in [&mut r.summary_html, &mut r.first_paragraph_html]
            .into_iter()
            .flatten()
        {
            *html = self.images.enrich(html, &page);
        }
    }

    /// Checks the `@/` links of a rendered body: targets that do not exist, anchors the
    /// target does not define (`anchors` gives a page's ids by key and language), and
    /// links that land on another language. Footnotes that no reference links to are
    /// warnings too, and the problems of directives and language spans errors.
    pub(crate) fn check_links<'x>(
        &self,
        p: &Parsed,
        r: &markdown::Rendered,
        anchors: &Anchors<'x>,
    ) -> Vec<Diagnostic> {
        let mut diags = Vec::new();
        let rel = format!("content/{}", p.source.rel);
        // Built once per page and target, when first needed: a page with thousands of links
        // to its own headings neither searches its anchors for each link nor reads its text
        // from the start for each diagnostic.
        let mut anchor_sets: HashMap<(String, String), Option<HashSet<&'x str>>> = HashMap::new();
        let mut lines: Option<crate::diagnostics::LineIndex<'_>> = None;
        for link in &r.links {
            let line = p.doc.body_line + link.line - 1;
            let mut at = |d: Diagnostic| {
                let index =
                    lines.get_or_insert_with(|| crate::diagnostics::LineIndex::new(&p.doc.text));
                d.in_file(&rel).at_text(index.line(line), line, link.column)
            };
            match self.resolve(&link.target, &p.source.lang) {
                None => match self.unpublished_target(&link.target, &p.source.lang) {
                    // A broken target's own error is reported; this link is only its
                    // consequence.
                    Some(u) => {
                        if let Some(d) = u.link_warning(&format!("@/{}", link.target)) {
                            diags.push(at(d));
                        }
                    }
                    None => diags.push(at(Diagnostic::error(format!(
                        "link to `@/{}`, which does not exist",
                        link.target
                    ))
                    .with_hint("write the path of a Markdown file relative to content/, e.g. `@/news/zone-unveiling.md`"))),
                },
                Some((_, found)) => {
                    if let Some((key, lang)) = &found
                        && lang != &p.source.lang
                    {
                        diags.push(at(Diagnostic::warning(format!(
                            "`@/{}` has no {} translation; linking to the {lang} page",
                            link.target, p.source.lang
                        ))
                        .with_hint(format!("translate `{key}` or link to another page"))));
                    }
                    if let (Some(anchor), Some(target)) = (&link.anchor, &found)
                        && !anchor_sets
                            .entry(target.clone())
                            .or_insert_with(|| {
                                anchors(target).map(|a| a.iter().map(String::as_str).collect())
                            })
                            .as_ref()
                            .is_some_and(|a| a.contains(anchor.as_str()))
                    {
                        diags.push(at(Diagnostic::error(format!(
                            "`@/{}#{anchor}`: the page has no heading or anchor `{anchor}`",
                            link.target
                        ))
                        .with_hint("check the heading's id (give it one with `## Title {#id}`)")));
                    }
                }
            }
        }
        diags.extend(crate::images::alt_warnings(
            &r.html,
            p.doc.body(),
            &p.doc.text,
            p.doc.body_line,
            &rel,
        ));
        for problem in &r.directive_problems {
            let line = p.doc.body_line + problem.line - 1;
            diags.push(
                Diagnostic::error(problem.message.clone())
                    .in_file(&rel)
                    .at(&p.doc.text, line, problem.column)
                    .with_hint(problem.hint.clone()),
            );
        }
        for note in &r.unused_footnotes {
            let line = p.doc.body_line + note.line - 1;
            diags.push(
                Diagnostic::warning(format!(
                    "footnote `[^{}]` is never referenced, so it is not shown",
                    note.label
                ))
                .in_file(&rel)
                .at(&p.doc.text, line, note.column)
                .with_hint(format!(
                    "refer to it with `[^{}]` where it belongs, or delete the definition",
                    note.label
                )),
            );
        }
        for link in &r.local_links {
            if self.leads_somewhere(&link.path) {
                continue;
            }
            let line = p.doc.body_line + link.line - 1;
            if let Some(u) = self.unpublished_at(&link.path) {
                if let Some(d) = u.link_warning(&link.written) {
                    diags.push(d.in_file(&rel).at(&p.doc.text, line, link.column));
                }
                continue;
            }
            let root = &self.config.base_path;
            let hint = if link.written.starts_with('/')
                && root != "/"
                && link.written.starts_with(root.as_str())
            {
                format!(
                    "links that start with `/` are read from the root of the site, and qiao adds \
                     the base path `{root}` itself: write `/{}`",
                    &link.written[root.len()..]
                )
            } else if link.written.starts_with('/') {
                "links that start with `/` are read from the root of the site (`/news/` is \
                 content/news/); for a page, write `@/path/to/page.md`, or link with a full URL"
                    .to_string()
            } else {
                "a relative link is read from the page's address; for a page, write \
                 `@/path/to/page.md`, and put a page's images beside it in a page bundle \
                 (name/index.md)"
                    .to_string()
            };
            diags.push(
                Diagnostic::warning(format!(
                    "link to `{}` leads to `{}`, which is not a page or file of the site",
                    link.written, link.path
                ))
                .in_file(&rel)
                .at(&p.doc.text, line, link.column)
                .with_hint(hint),
            );
        }
        diags
    }

    /// The left-out page (a draft, a future page) that a root-relative path (base path
    /// included, percent-encoded) would name if it were published.
    fn unpublished_at(&self, path: &str) -> Option<&UnpublishedSource> {
        let rest = path.strip_prefix(self.config.base_path.as_str())?;
        let dir = crate::url::decode(rest);
        let key = self.unpublished_dirs.get(dir.trim_matches('/'))?;
        self.unpublished.get(key)
    }

    /// Whether a root-relative path (base path included, percent-encoded) names a page,
    /// section or file of the site, or a file the build generates (feeds, sitemaps,
    /// `robots.txt`, `404.html`, list pages, taxonomy pages, the search index).
    fn leads_somewhere(&self, path: &str) -> bool {
        let Some(rest) = path.strip_prefix(self.config.base_path.as_str()) else {
            return false;
        };
        let rel = crate::url::decode(rest);
        let rel = rel.trim_matches('/');
        if self.files.contains(rel) {
            return true;
        }
        let mut segs: Vec<&str> = rel.split('/').collect();
        if segs
            .first()
            .is_some_and(|s| self.config.language(s).is_some())
        {
            segs.remove(0);
        }
        let last = segs.last().copied().unwrap_or_default();
        let generated = matches!(last, "atom.xml" | "404.html" | "sitemap.xml" | "robots.txt")
            || last.starts_with("sitemap-")
            || segs.first() == Some(&"search-index")
            || segs
                .first()
                .is_some_and(|s| self.config.taxonomies.iter().any(|t| t.name == *s));
        // List pages: `news/page/2/`.
        let list_page = segs.len() >= 2
            && segs[segs.len() - 2] == "page"
            && last.bytes().all(|b| b.is_ascii_digit());
        generated || list_page
    }

    /// Resolves an `@/` target for a page in `lang`: the URL, and the (key, language) of the
    /// page it lands on (`None` for a static file).
    /// A target may be written percent-encoded (`@/my%20docs/x.md`) or not
    /// (`<@/my docs/x.md>`).
    fn resolve(&self, target: &str, lang: &str) -> Option<(String, Option<(String, String)>)> {
        readings(target)
            .iter()
            .find_map(|t| self.resolve_exactly(t, lang))
    }

    /// The left-out source an `@/…md` target names, in `lang` or else the default language
    /// (read as [`Self::resolve`] reads it).
    fn unpublished_target(&self, target: &str, lang: &str) -> Option<&UnpublishedSource> {
        readings(target).iter().find_map(|t| {
            let stem = t.strip_suffix(".md")?;
            self.page_keys(stem, lang)
                .into_iter()
                .find_map(|k| self.unpublished.get(&k))
        })
    }

    /// The (key, language) pairs an `@/` page target names, in the order they are tried:
    /// the language written in the name (`x.en.md`), else the linking page's language and
    /// then the default language.
    fn page_keys(&self, stem: &str, lang: &str) -> Vec<(String, String)> {
        let (key, explicit) = crate::content::walk::split_language(stem, self.config);
        let langs = match explicit {
            Some(l) => vec![l],
            None => vec![lang, self.config.default_language.as_str()],
        };
        langs
            .into_iter()
            .map(|l| (key.to_string(), l.to_string()))
            .collect()
    }

    fn resolve_exactly(
        &self,
        target: &str,
        lang: &str,
    ) -> Option<(String, Option<(String, String)>)> {
        if let Some(stem) = target.strip_suffix(".md") {
            return self.page_keys(stem, lang).into_iter().find_map(|k| {
                let url = self.index.get(&k)?;
                Some((url.clone(), Some(k)))
            });
        }
        let asset = self.assets.get(target)?;
        match &asset.bundle {
            Some((key, inner)) => {
                // `chart.de.png` is published as `chart.png` beside the German page.
                let is_language = |code: &str| self.config.language(code).is_some();
                let (inner, lang) = match crate::images::localized(inner, &is_language) {
                    Some((plain, own)) => (std::borrow::Cow::Owned(plain), own),
                    None => (std::borrow::Cow::Borrowed(inner.as_str()), lang.to_string()),
                };
                let page = self.index.get(&(key.clone(), lang)).or_else(|| {
                    self.index
                        .get(&(key.clone(), self.config.default_language.clone()))
                })?;
                Some((format!("{page}{}", crate::url::path(&inner)), None))
            }
            None => Some((
                format!("{}{}", self.config.base_path, crate::url::path(&asset.rel)),
                None,
            )),
        }
    }
}

/// The ways an `@/` target may be meant, in the order they are tried, without repeats: as
/// written, composed (NFC: a target pasted in decomposed form, `Fo\u{308}rderung.md`, still
/// finds the file), and the same percent-decoded (the only way to link to a name holding
/// `#`). A leading `/` is ignored.
fn readings(target: &str) -> Vec<String> {
    let decoded = crate::url::decode(target);
    let mut out: Vec<String> = Vec::with_capacity(4);
    for written in [target, decoded.as_str()] {
        let written = written.trim_start_matches('/');
        for t in [written.to_string(), ident::nfc(written).into_owned()] {
            if !out.contains(&t) {
                out.push(t);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn term_slugs_keep_unicode_letters() {
        let u = TermSlugs::Unicode;
        assert_eq!(term_slug("中欧合作", u), "中欧合作");
        assert_eq!(term_slug("China-EU cooperation", u), "china-eu-cooperation");
        assert_eq!(term_slug("Förderpolitik & Recht", u), "förderpolitik-recht");
        assert_eq!(term_slug("  ?? ", u), "term");
    }

    #[test]
    fn names_that_cannot_be_url_segments_need_a_slug() {
        let config = Config::parse(
            "base_url = \"https://x.org/\"\ndefault_language = \"zh\"\n[languages.zh]\nname = \"中文\"\nlocale = \"zh-Hans\"\ntitle = \"t\"\n",
        )
        .unwrap();
        let doc = crate::content::front_matter::parse("---\ntitle: x\n---\n").unwrap();
        let source = |stem: &str| Source {
            rel: format!("news/{stem}.md"),
            abs: std::path::PathBuf::new(),
            kind: SourceKind::Page,
            lang: "zh".into(),
            key: format!("news/{stem}"),
            section_dir: "my docs".into(),
            stem: stem.into(),
            bundle: false,
        };
        for bad in [".", ".."] {
            let d = source_path(&config, &source(bad), &doc).unwrap_err();
            assert_eq!(
                d.message,
                format!("the page's name `{bad}` cannot be part of an address")
            );
            assert!(d.hint.unwrap().contains("slug"));
        }
        assert_eq!(
            source_path(&config, &source("c#?&%"), &doc).unwrap(),
            "/my%20docs/c%23%3F&%25/"
        );
        assert_eq!(out_dir(&config, "/my%20docs/c%23%3F&%25/"), "my docs/c#?&%");
    }

    #[test]
    fn ascii_term_slugs_transliterate() {
        let a = TermSlugs::Ascii;
        assert_eq!(term_slug("中欧合作", a), "zhong-ou-he-zuo");
        assert_eq!(term_slug("Förderpolitik", a), "foerderpolitik");
        assert_eq!(term_slug("Straße der Maß", a), "strasse-der-mass");
        assert_eq!(term_slug("Schienenverkehr", a), "schienenverkehr");
    }

    #[test]
    fn decomposed_terms_slug_like_composed_ones() {
        let nfd = "Fo\u{308}rderung";
        assert_eq!(term_slug(nfd, TermSlugs::Ascii), "foerderung");
        assert_eq!(term_slug(nfd, TermSlugs::Unicode), "förderung");
    }

    fn slugs_of(keys: &[&str], mode: TermSlugs) -> Vec<(String, String)> {
        term_slugs(keys.iter().copied(), mode)
            .0
            .into_iter()
            .collect()
    }

    #[test]
    fn colliding_term_slugs_become_distinct_and_readable() {
        let pairs = |v: &[(&str, &str)]| -> Vec<(String, String)> {
            v.iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect()
        };
        for keys in [["c", "c++", "c#"], ["c#", "c", "c++"], ["c++", "c#", "c"]] {
            let (slugs, collisions) = term_slugs(keys, TermSlugs::Ascii);
            assert_eq!(
                slugs.into_iter().collect::<Vec<_>>(),
                pairs(&[("c", "c"), ("c#", "c-sharp"), ("c++", "c-plus-plus")])
            );
            assert_eq!(
                collisions,
                vec![("c".to_string(), vec!["c".into(), "c#".into(), "c++".into()])]
            );
        }
        // Without a readable form: numbered in the order of the names, never taking another
        // term's slug.
        assert_eq!(
            slugs_of(&["中歐", "中欧", "zhong-ou-2"], TermSlugs::Ascii),
            pairs(&[
                ("zhong-ou-2", "zhong-ou-2"),
                ("中欧", "zhong-ou"),
                ("中歐", "zhong-ou-3")
            ])
        );
        // `C++` alone keeps the plain slug.
        assert_eq!(
            slugs_of(&["c++"], TermSlugs::Unicode),
            pairs(&[("c++", "c")])
        );
    }
}
