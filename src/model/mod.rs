//! The site model: every page and section in every language, with its URL, its
//! translations, its place in its section and its taxonomy terms.
//!
//! Built once from parsed documents and never mutated afterwards; rendering only reads it.
//! All collections are sorted, so the model, and therefore the output, is the same whatever
//! the order in which parallel stages finished.
//!
//! [`build`] is a short sequence of steps, one module each, every one a function from typed
//! inputs to a typed output, unit-tested on a small in-memory site:
//!
//! 1. [`place`]: the URL and output directory of every source, and clashes between them;
//! 2. [`links`]: the tables `@/` links are resolved against ([`links::LinkTables`]) and the
//!    resolver itself ([`LinkResolver`]), with [`site_files`]: what plain links may reach;
//! 3. [`bodies`]: every source's Markdown rendered (in parallel), then its links checked;
//!    [`stale_marks`]: the blocks of stale translations marked;
//! 4. [`pages`]: pages, `_index` documents, translation revisions and fallback copies;
//! 5. [`sections`]: the section tree in every language, list order, previous and next;
//! 6. [`taxonomies`]: terms, their slugs, and each page's terms;
//! 7. [`aliases`]: redirects and their clashes;
//! 8. [`menus`]: the menus of `site.toml` and of front matter, resolved.
//!
//! Steps read front matter through [`fields::effects`], which decides for every field which
//! step it changes. [`steps`] times them.
//!
//! [`mod@derive`] keeps what those steps computed per source, so that `qiao serve` can derive a
//! whole new model from a few changed files without rendering every page again.
//! File names (`x.en.md`) and `@/` links are read by one rule: [`crate::content::name`].
//!
//! Pages, sections, taxonomies and terms refer to each other by typed ids ([`ids`]):
//! [`PageId`], [`SectionId`], [`TaxonomyId`] are positions in [`SiteModel::pages`],
//! [`SiteModel::sections`] and [`SiteModel::taxonomies`], [`TermId`] a taxonomy and a
//! position in its terms; the `Vec`s are indexed by them (`model.pages[id]`, or
//! [`SiteModel::page`]). They hold within one model only: across generations a page is
//! the same page by its (key, language), a section by its (directory, language).
//! Languages are [`crate::config::Lang`] handles, which only the configuration makes: a
//! page's, section's or taxonomy's language is always one of `site.toml`, and sorts by its
//! code.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use crate::config::{Config, Lang};
use crate::content::{Asset, Document, Source};
use crate::diagnostics::Diagnostic;
use crate::translation::{Revision, TranslationState};

pub mod aliases;
pub mod bodies;
pub mod derive;
pub mod fields;
#[cfg(test)]
pub(crate) mod fixture;
pub mod ids;
pub mod links;
pub mod load;
pub mod menus;
pub mod page_list;
pub mod pages;
pub mod place;
pub mod sections;
pub mod site_files;
pub mod stale_marks;
pub mod steps;
pub mod taxonomies;
#[cfg(test)]
mod tests;

pub use crate::content::Parsed;
pub use derive::Derivation;
pub use ids::{PageId, SectionId, TaxonomyId, TermId};
pub use links::LinkResolver;
pub use page_list::PageList;
pub use pages::page_summary;
pub use place::{out_dir, source_path};
pub use sections::{date_order, list_order, newest};
pub use taxonomies::{term_slug, term_slugs};

/// A link from one taxonomy term to its page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TermRef {
    /// The term as written by the editor.
    pub name: String,
    /// URL segment.
    pub slug: String,
    /// Site path of the term page.
    pub path: String,
}

/// A page's terms per taxonomy name, each list sorted by slug. Every page of a term holds
/// the same [`TermRef`] (a term with thousands of pages is not copied thousands of times).
pub type PageTerms = std::sync::Arc<BTreeMap<String, Vec<std::sync::Arc<TermRef>>>>;

/// One page in one language.
#[derive(Debug, Clone)]
pub struct Page {
    /// Translation key (`news/x`).
    pub key: String,
    /// Language the page is served in.
    pub lang: Lang,
    /// Language the content is written in (differs from `lang` for fallback copies).
    pub content_lang: Lang,
    /// Source file, relative to the site root (`content/news/x.en.md`).
    pub source: String,
    /// Parsed front matter and body.
    pub doc: Document,
    /// Rendered body.
    pub html: crate::content::Text,
    /// Summary HTML (`<!-- more -->`, front matter `summary`, or first paragraph).
    pub summary: Option<std::sync::Arc<str>>,
    /// Table of contents.
    pub toc: crate::markdown::Toc,
    /// Plain text of the body.
    pub text: crate::content::Text,
    /// Words in `text` ([`crate::format::word_count`]).
    pub words: usize,
    /// The excerpt templates show: of the front matter's `summary` when there is one, else
    /// of `text` ([`crate::format::excerpt`], in the language of the content).
    pub excerpt: crate::content::Text,
    /// Site path, e.g. `/en/news/x/`.
    pub path: String,
    /// Output directory relative to the output root (`en/news/x`).
    pub out_dir: String,
    /// The section the page is listed in.
    pub section: SectionId,
    /// Neighbours within the section, in list order.
    pub prev: Option<PageId>,
    /// See `prev`.
    pub next: Option<PageId>,
    /// Terms per taxonomy name; shared with the models derived after it while the
    /// taxonomies stay the same (see [`taxonomies::Taxonomies`]).
    pub terms: PageTerms,
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

/// Two pages are equal when every field is: what rendering reads of a page is the same.
/// Texts shared by the two (the body rendered once and kept) compare without reading them.
impl PartialEq for Page {
    fn eq(&self, other: &Page) -> bool {
        self.same_but_places(other)
            && self.section == other.section
            && self.prev == other.prev
            && self.next == other.next
    }
}

impl Page {
    /// Whether every field but the indices into the model (`section`, `prev`, `next`) is
    /// equal: `qiao serve` compares each page of a new model with its predecessor in the
    /// generation served, in which a page added or removed before it moved those indices
    /// (what they lead to is compared apart, see `render::incremental`). Every field is
    /// named, so that a new one is compared too.
    pub fn same_but_places(&self, other: &Page) -> bool {
        let Page {
            key,
            lang,
            content_lang,
            source,
            doc,
            html,
            summary,
            toc,
            text,
            words,
            excerpt,
            path,
            out_dir,
            // Indices into one model: compared by `eq`, and by what they lead to in
            // `render::incremental`.
            section: _,
            prev: _,
            next: _,
            terms,
            fallback,
            translation,
            stale_sections,
            assets,
        } = self;
        *key == other.key
            && *lang == other.lang
            && *content_lang == other.content_lang
            && *source == other.source
            && *path == other.path
            && *out_dir == other.out_dir
            && *fallback == other.fallback
            && *translation == other.translation
            && *words == other.words
            && *html == other.html
            && *text == other.text
            && *excerpt == other.excerpt
            && *summary == other.summary
            && *toc == other.toc
            && *terms == other.terms // `Arc` of an `Eq` type: the same pointer is equal at once
            && *stale_sections == other.stale_sections
            && *assets == other.assets
            && *doc == other.doc
    }
}

/// One section (a directory of `content/`) in one language.
#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    /// Directory relative to `content/` (`` for the home page).
    pub dir: String,
    /// Language.
    pub lang: Lang,
    /// Language the section's text is written in.
    pub content_lang: Lang,
    /// Source file, when the section has an `_index` in some language.
    pub source: Option<String>,
    /// Parsed `_index` (own language, else the default language's), if any.
    pub doc: Option<Document>,
    /// Title (front matter, else the directory name).
    pub title: String,
    /// Rendered body.
    pub html: crate::content::Text,
    /// Table of contents.
    pub toc: crate::markdown::Toc,
    /// Site path.
    pub path: String,
    /// Output directory.
    pub out_dir: String,
    /// Pages, sorted for listing.
    pub pages: Vec<PageId>,
    /// Child sections, sorted.
    pub subsections: Vec<SectionId>,
    /// Parent section.
    pub parent: Option<SectionId>,
    /// Rendered from the default-language `_index` because no translation exists.
    pub fallback: bool,
}

/// All terms of one taxonomy in one language.
#[derive(Debug, Clone, PartialEq)]
pub struct TaxonomyModel {
    /// `tags` or `categories`.
    pub name: String,
    /// Language.
    pub lang: Lang,
    /// Site path of the index of terms.
    pub path: String,
    /// Terms sorted by slug.
    pub terms: Vec<Term>,
}

/// One term and its pages.
#[derive(Debug, Clone, PartialEq)]
pub struct Term {
    /// Display name (the first spelling met, in sorted source order).
    pub name: String,
    /// URL segment.
    pub slug: String,
    /// Site path.
    pub path: String,
    /// Pages, newest first.
    pub pages: Vec<PageId>,
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
#[derive(Debug, Clone)]
pub struct SiteModel {
    /// Validated configuration.
    pub config: Config,
    /// Every page in every language, each held by handle: a model made from another after a
    /// body edit shares every page that was not edited ([`Derivation::update_from`]).
    pub pages: PageList,
    /// Every section in every language.
    pub sections: Vec<Section>,
    /// Taxonomies per language, shared by handle: `qiao serve` keeps the last ones made
    /// (see [`taxonomies::Taxonomies`]) and gives them to every model whose pages read the
    /// same.
    pub taxonomies: Arc<Vec<TaxonomyModel>>,
    /// Redirects.
    pub aliases: Vec<Alias>,
    /// Files of `content/` that are copied as they are: (absolute source, output path).
    pub static_assets: Vec<(std::path::PathBuf, String)>,
    /// Page by (key, language), fallback copies left out.
    pub page_index: Arc<PageIndex>,
    /// Section by (directory, language).
    pub section_index: Arc<HashMap<(String, Lang), SectionId>>,
    /// Every Markdown source in the model, by its path relative to the site root
    /// (`content/news/x.en.md`); shared with the models derived after it while the source
    /// and what its links lead to stay the same.
    pub sources: Sources,
    /// (key, language) → site path of every page and section source, for `@/` links.
    pub link_index: Arc<LinkIndex>,
    /// Files of `content/` by path relative to it, for `@/` links to them.
    pub content_assets: Arc<HashMap<String, Asset>>,
    /// Output paths that relative and root-relative links may lead to (see `site_files`).
    pub site_files: Arc<PathSet>,
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
    pub unpublished: Arc<UnpublishedSources>,
    /// The output directory each left-out page would have, to its (key, language).
    pub unpublished_dirs: Arc<HashMap<String, (String, String)>>,
    /// The menus of `site.toml`, resolved for every language.
    pub menus: crate::menu::Resolved,
}

impl SiteModel {
    /// The page with this key in language `lang`, a fallback copy included. Pages are sorted
    /// by (language, key).
    pub fn page_at(&self, lang: &str, key: &str) -> Option<PageId> {
        self.pages
            .binary_search_by(|p| (p.lang.as_str(), p.key.as_str()).cmp(&(lang, key)))
            .ok()
            .map(PageId::new)
    }

    /// The default-language page that page `idx` translates, or stands in for as a
    /// fallback copy; `None` for a default-language page or one without a source.
    pub fn original_of(&self, idx: PageId) -> Option<&Page> {
        self.original_id(idx).map(|i| &self.pages[i])
    }

    /// The position of [`SiteModel::original_of`].
    pub fn original_id(&self, idx: PageId) -> Option<PageId> {
        // Pages in the default language are never fallback copies: the page there is the
        // source.
        if self.pages[idx].lang == self.config.default_language {
            return None;
        }
        self.pages.translation(idx, &self.config.default_language)
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
    /// It has no place of its own: its name cannot be an address, or another source is
    /// already written to its address ([`place::place`]). That error is reported on its own.
    Unplaced,
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
    pub(crate) fn link_warning(&self, shown: &str) -> Option<Diagnostic> {
        let file = &self.file;
        match &self.why {
            Unpublished::Broken | Unpublished::Unplaced => None,
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

/// Output paths (decoded, no leading or trailing `/`), as [`site_files::site_files`] lists
/// them. Hashed with FxHash, not the standard library's SipHash: the keys are the site's own
/// paths, and a structural edit in `qiao serve` hashes every one of them again.
pub type PathSet = std::collections::HashSet<String, rustc_hash::FxBuildHasher>;

/// The site path of every placed page and section source, by (key, language); hashed as
/// [`PathSet`].
pub type LinkIndex = HashMap<(String, String), String, rustc_hash::FxBuildHasher>;

/// What the model keeps of each source, by its path relative to the site root
/// (`content/news/x.md`); hashed as [`PathSet`].
pub type Sources = HashMap<String, std::sync::Arc<SourceFacts>, rustc_hash::FxBuildHasher>;

/// Pages by (key, language), fallback copies left out ([`SiteModel::page_index`]); hashed as
/// [`PathSet`].
pub type PageIndex = HashMap<(String, Lang), PageId, rustc_hash::FxBuildHasher>;

/// Sources left out of the site, by (key, language).
pub type UnpublishedSources = HashMap<(String, String), UnpublishedSource>;

/// What the model needs from the templates.
#[derive(Debug, Default)]
pub struct FromTemplates {
    /// Ids the templates define (`main`), which generated heading ids avoid.
    pub ids: Vec<String>,
    /// The directive templates, compiled.
    pub directives: Option<std::sync::Arc<crate::directives::DirectiveSet>>,
}

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
    let inputs = Inputs {
        config,
        assets,
        from_templates,
        images: std::sync::Arc::new(images),
        unpublished,
        root: root.to_path_buf(),
    };
    assemble(
        inputs,
        parsed,
        &mut bodies::Fresh,
        diags,
        &mut steps::Steps::new(),
    )
}

/// Everything [`build`] needs besides the parsed sources.
pub struct Inputs {
    /// Validated configuration.
    pub config: Config,
    /// The files of `content/` that are not Markdown sources.
    pub assets: Vec<Asset>,
    /// What the templates tell the model.
    pub from_templates: FromTemplates,
    /// The images pages show.
    pub images: std::sync::Arc<crate::images::Images>,
    /// Sources left out of the site.
    pub unpublished: UnpublishedSources,
    /// The site root.
    pub root: std::path::PathBuf,
}

/// The steps of [`build`], with the per-source work given by the caller: a full build
/// renders every source, [`Derivation`] reuses what it rendered before.
pub(crate) fn assemble(
    inputs: Inputs,
    parsed: Vec<Parsed>,
    per_source: &mut dyn bodies::PerSource,
    diags: &mut Vec<Diagnostic>,
    steps: &mut steps::Steps,
) -> SiteModel {
    let Inputs {
        config,
        assets,
        from_templates:
            FromTemplates {
                ids: template_ids,
                directives,
            },
        images,
        mut unpublished,
        root,
    } = inputs;
    let placed = place::place(&config, parsed, &mut unpublished, diags);
    steps.mark("place");
    let tables = links::LinkTables::new(&config, &placed, &assets, &images, &unpublished);
    steps.mark("link tables");
    let resolver = LinkResolver {
        config: &config,
        index: &tables.index,
        assets: &tables.assets,
        template_ids: &template_ids,
        files: &tables.files,
        unpublished: &unpublished,
        unpublished_dirs: &tables.unpublished_dirs,
        images: &images,
        directives: directives.as_deref(),
    };
    let rendered = per_source.render(&resolver, placed);
    steps.mark("bodies");
    let checked = per_source.check(&resolver, &rendered, diags);
    steps.mark("link checks");
    let revisions = pages::revisions(&config, &rendered, &|p| per_source.revision(p));
    steps.mark("revisions");
    let stale =
        stale_marks::mark_stale_translations(&root, &config, &rendered, &revisions, &resolver);
    steps.mark("stale blocks");
    let pages::Pages {
        mut pages,
        section_docs,
        static_assets,
    } = pages::pages(&config, rendered, assets, stale, &revisions);
    steps.mark("pages");
    pages::add_fallback_copies(&config, &mut pages);
    steps.mark("fallback copies");
    let sections::Tree {
        sections,
        section_index,
    } = sections::tree(&config, &mut pages, &section_docs);
    steps.mark("sections");
    let page_index = pages::page_index(&pages);
    let taxonomies::Taxonomies {
        taxonomies,
        terms,
        diagnostics,
    } = per_source.taxonomies(&config, &pages);
    diags.extend(diagnostics);
    for (p, terms) in pages.iter_mut().zip(terms) {
        p.terms = terms;
    }
    steps.mark("taxonomies");
    let aliases = aliases::aliases(&pages, &sections, diags);
    steps.mark("aliases");
    let links::LinkTables {
        index: link_index,
        assets: content_assets,
        files: site_files,
        unpublished_dirs,
    } = tables;
    let mut site = SiteModel {
        config,
        pages: PageList::from(pages),
        sections,
        taxonomies,
        aliases,
        static_assets,
        page_index: Arc::new(page_index),
        section_index: Arc::new(section_index),
        sources: checked,
        link_index: Arc::new(link_index),
        content_assets: Arc::new(content_assets),
        site_files: Arc::new(site_files),
        source_hashes: revisions,
        template_ids,
        directives,
        unpublished: Arc::new(unpublished),
        unpublished_dirs: Arc::new(unpublished_dirs),
        images,
        menus: Default::default(),
    };
    site.menus = menus::menus(&site, diags);
    steps.mark("menus");
    site
}

/// The encoded path of a section directory below a language's prefix: `` or `my%20docs/`.
pub(crate) fn section_path(dir: &str) -> String {
    if dir.is_empty() {
        String::new()
    } else {
        format!("{}/", crate::url::path(dir))
    }
}

/// A site path moved from one language's prefix to another's.
pub(crate) fn relocate(config: &Config, path: &str, from: &str, to: &str) -> String {
    let old = config.lang_prefix(from);
    let rest = path.strip_prefix(old.as_str()).unwrap_or(path);
    format!("{}{rest}", config.lang_prefix(to))
}

/// `dir/index.html`, or `index.html` for the root.
pub(crate) fn join_index(dir: &str) -> String {
    if dir.is_empty() {
        "index.html".to_string()
    } else {
        format!("{dir}/index.html")
    }
}
