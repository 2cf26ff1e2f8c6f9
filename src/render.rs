//! Rendering the model: template contexts (typed, serialize-only views), Tera setup with the
//! functions themes may call, and the list of every file a build writes.
//!
//! Each page's view is serialized once into a Tera value; lists, paginators and the
//! `get_page`/`get_section` functions share those values (Tera values are reference
//! counted), so a 30,000-page site does not serialize any page twice.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use rayon::prelude::*;
use serde::Serialize;

use crate::config::{Config, Language};
use crate::diagnostics::Diagnostic;
use crate::markdown::TocEntry;
use crate::model::{Page, SiteModel, TaxonomyModel, Term};
use crate::output::Sink;
use crate::theme::TemplateSet;
use crate::xml;

/// A reference from a view to another page.
#[derive(Serialize, Clone)]
struct Link<'a> {
    title: &'a str,
    path: &'a str,
    permalink: String,
}

#[derive(Serialize)]
struct TermView<'a> {
    name: &'a str,
    slug: &'a str,
    path: &'a str,
    permalink: String,
    count: usize,
}

#[derive(Serialize)]
struct TaxonomyView<'a> {
    name: &'a str,
    lang: &'a str,
    path: &'a str,
    permalink: String,
    terms: Vec<TermView<'a>>,
}

#[derive(Serialize)]
struct TranslationView<'a> {
    code: &'a str,
    name: &'a str,
    locale: &'a str,
    /// Site path of the page in that language; `None` when it does not exist.
    path: Option<&'a str>,
    permalink: Option<String>,
    present: bool,
    current: bool,
}

#[derive(Serialize)]
struct PageView<'a> {
    title: &'a str,
    description: Option<&'a str>,
    summary: Option<&'a str>,
    content: &'a str,
    toc: &'a [TocEntry],
    date: Option<&'a str>,
    updated: Option<&'a str>,
    draft: bool,
    slug: &'a str,
    path: &'a str,
    permalink: String,
    lang: &'a str,
    locale: &'a str,
    content_lang: &'a str,
    content_locale: &'a str,
    key: &'a str,
    source: &'a str,
    section: &'a str,
    weight: Option<i64>,
    extra: &'a serde_json::Value,
    tags: Vec<Link<'a>>,
    categories: Vec<Link<'a>>,
    prev: Option<Link<'a>>,
    next: Option<Link<'a>>,
    fallback: bool,
    /// `source` (default language), `current`, `stale`, `untracked` or `fallback`.
    translation: crate::translation::TranslationState,
    /// For a stale translation: the sections in which blocks whose source changed stand.
    stale_sections: &'a [crate::stale::StaleSection],
    /// The default-language page this one translates (or stands in for).
    original: Option<Link<'a>>,
    translations: Vec<TranslationView<'a>>,
    /// Sections from the home page down to the page's own section, for breadcrumbs.
    ancestors: Vec<Link<'a>>,
    /// Other pages of the same language sharing the most tags and categories.
    related: Vec<Link<'a>>,
    assets: Vec<String>,
    word_count: usize,
    reading_time: usize,
    excerpt: String,
}

#[derive(Serialize)]
struct SectionLink<'a> {
    title: &'a str,
    path: &'a str,
    dir: &'a str,
    page_count: usize,
}

#[derive(Serialize)]
struct SectionView<'a> {
    title: &'a str,
    description: Option<&'a str>,
    content: &'a str,
    toc: &'a [TocEntry],
    dir: &'a str,
    path: &'a str,
    permalink: String,
    lang: &'a str,
    content_lang: &'a str,
    content_locale: &'a str,
    source: Option<&'a str>,
    extra: &'a serde_json::Value,
    subsections: Vec<SectionLink<'a>>,
    parent: Option<Link<'a>>,
    /// Sections from the home page down to the parent, for breadcrumbs.
    ancestors: Vec<Link<'a>>,
    fallback: bool,
    page_count: usize,
    translations: Vec<TranslationView<'a>>,
}

#[derive(Serialize)]
struct LanguageView<'a> {
    code: &'a str,
    name: &'a str,
    locale: &'a str,
    title: &'a str,
    description: &'a str,
    is_default: bool,
    path: String,
    base_url: &'a str,
    legal: &'a crate::config::Legal,
}

#[derive(Serialize)]
struct ConfigView<'a> {
    base_url: &'a str,
    base_path: &'a str,
    default_language: &'a str,
    title: &'a str,
    description: &'a str,
    languages: Vec<LanguageView<'a>>,
    taxonomies: Vec<&'a str>,
    extra: &'a serde_json::Value,
}

#[derive(Serialize, Clone)]
struct FeedLink {
    title: String,
    path: String,
}

fn empty_map() -> &'static serde_json::Value {
    static MAP: std::sync::OnceLock<serde_json::Value> = std::sync::OnceLock::new();
    MAP.get_or_init(|| serde_json::Value::Object(Default::default()))
}

fn val<T: Serialize>(v: &T) -> tera::Value {
    tera::Value::from_serializable(v)
}

/// The template values of the site: each page's and section's view serialized once, and
/// shared (Tera values are reference counted) by every list, paginator and function call.
struct Values {
    page_values: Vec<tera::Value>,
    section_values: Vec<tera::Value>,
    /// One value per taxonomy and language, shared by its index and all its term pages.
    taxonomy_values: Vec<tera::Value>,
    config_values: HashMap<String, tera::Value>,
    feeds: Feeds,
    /// Related pages of each page.
    related: Vec<Vec<usize>>,
}

impl Values {
    fn compute(model: &SiteModel) -> Values {
        let config = &model.config;
        let related = related_pages(model);
        let page_values: Vec<tera::Value> = model
            .pages
            .par_iter()
            .enumerate()
            .map(|(i, _)| val(&page_view(model, &related, i)))
            .collect();
        let section_values = (0..model.sections.len())
            .map(|i| section_value(model, i, &page_values))
            .collect();
        Values {
            page_values,
            section_values,
            taxonomy_values: model
                .taxonomies
                .iter()
                .map(|t| val(&taxonomy_view(config, t)))
                .collect(),
            config_values: config
                .languages
                .iter()
                .map(|l| (l.code.clone(), val(&config_view(config, l))))
                .collect(),
            feeds: plan_feeds(model),
            related,
        }
    }
}

/// What rendering one file reads: the model and the values.
#[derive(Clone, Copy)]
struct Prepared<'m> {
    model: &'m SiteModel,
    v: &'m Values,
}

/// Which Atom feeds exist: per language, per section, per term.
#[derive(Default)]
struct Feeds {
    language: HashMap<String, String>,
    section: HashMap<usize, String>,
    term: HashMap<(usize, usize), String>,
}

/// Something a file read through a template function (`get_page`, `get_section`), beyond
/// its own context: when it changes, the file must be rendered again.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Dep {
    Page(String, String),
    Section(String, String),
}

thread_local! {
    /// The dependencies of the file being rendered on this thread, while one is.
    static RECORDING: std::cell::RefCell<Option<Vec<Dep>>> = const { std::cell::RefCell::new(None) };
}

fn record(dep: impl FnOnce() -> Dep) {
    RECORDING.with(|r| {
        if let Some(v) = r.borrow_mut().as_mut() {
            v.push(dep());
        }
    });
}

/// A rendered file: output path, contents, and which source (or page) produced it.
type Output = (String, String, String);

/// A job's outcome: what it rendered (or why it failed) and what it read through functions.
type Rendered<T> = (Job, Result<T, (Diagnostic, String)>, Vec<Dep>);

/// Files as (output path, bytes).
type Files = Vec<(String, Vec<u8>)>;

/// The site's model with its templates compiled and its values computed: renders the whole
/// site, and afterwards, when the bodies of some pages changed, only the files that show them.
pub struct Renderer {
    model: SiteModel,
    templates: TemplateSet,
    tera: tera::Tera,
    values: Values,
    lookup: Arc<RwLock<Lookup>>,
    /// Which files read which page or section through a function.
    deps: HashMap<Dep, BTreeSet<Job>>,
    /// Whether a template may read `section.pages`, or a section's value as a whole: then a
    /// change to one page re-renders every page of its section's list, not just its own.
    section_pages_read: bool,
    /// Output path → the file copied there (content files, then theme and site `static/`).
    copies: BTreeMap<String, PathBuf>,
    /// The search index files of each language, as last written.
    search_files: BTreeMap<String, BTreeSet<String>>,
}

impl Renderer {
    /// Computes the values and compiles the templates (with the functions registered).
    pub fn new(
        model: SiteModel,
        templates: TemplateSet,
        intl: &Intl,
    ) -> Result<Renderer, Vec<Diagnostic>> {
        let values = Values::compute(&model);
        let lookup = Arc::new(RwLock::new(Lookup::new(&model, &values)));
        let tera = templates.build(|t| register_functions(t, lookup.clone(), intl))?;
        let section_pages_read = templates.may_read("section", "pages");
        Ok(Renderer {
            model,
            templates,
            tera,
            values,
            lookup,
            deps: HashMap::new(),
            section_pages_read,
            copies: BTreeMap::new(),
            search_files: BTreeMap::new(),
        })
    }

    /// The site being rendered.
    pub fn model(&self) -> &SiteModel {
        &self.model
    }

    /// The model, to change the bodies of pages before [`Renderer::update`].
    pub(crate) fn model_mut(&mut self) -> &mut SiteModel {
        &mut self.model
    }

    /// Where a file of the site's sources is copied to, if it is copied (and not hidden by a
    /// file of the same name in a later layer).
    pub(crate) fn copy_target(&self, abs: &Path) -> Option<&str> {
        self.copies
            .iter()
            .find(|(_, from)| from.as_path() == abs)
            .map(|(rel, _)| rel.as_str())
    }

    /// Whether some copied file lies under the directory `dir`.
    pub(crate) fn copies_from_under(&self, dir: &Path) -> bool {
        self.copies
            .values()
            .any(|from| from.starts_with(dir) && from != dir)
    }

    fn prepared(&self) -> Prepared<'_> {
        Prepared {
            model: &self.model,
            v: &self.values,
        }
    }

    /// Renders `jobs` in parallel, recording what each read through functions.
    fn render_jobs(&self, jobs: &[Job]) -> Vec<Rendered<Output>> {
        let p = self.prepared();
        jobs.par_iter()
            .map(|job| {
                RECORDING.with(|r| *r.borrow_mut() = Some(Vec::new()));
                let out = render_job(p, &self.tera, &self.templates, job);
                let deps = RECORDING
                    .with(|r| r.borrow_mut().take())
                    .unwrap_or_default();
                (job.clone(), out, deps)
            })
            .collect()
    }

    fn remember(&mut self, job: &Job, deps: Vec<Dep>) {
        for d in deps {
            self.deps.entry(d).or_default().insert(job.clone());
        }
    }

    /// Renders every output file of the site into `sink`. Returns the diagnostics of
    /// rendering (template errors name template, line and cause).
    pub fn render_all(&mut self, sink: &dyn Sink) -> Vec<Diagnostic> {
        let model = &self.model;
        let config = &model.config;
        let mut jobs = Vec::new();
        for i in 0..model.pages.len() {
            jobs.push(Job::Page(i));
        }
        for (i, s) in model.sections.iter().enumerate() {
            let pagers = pager_count(s.pages.len(), config.paginate);
            for n in 0..pagers {
                jobs.push(Job::Section(i, n));
            }
        }
        for (t, tax) in model.taxonomies.iter().enumerate() {
            jobs.push(Job::TaxonomyIndex(t));
            let per = taxonomy_paginate(config, &tax.name);
            for (k, term) in tax.terms.iter().enumerate() {
                for n in 0..pager_count(term.pages.len(), per) {
                    jobs.push(Job::Term(t, k, n));
                }
            }
        }
        for l in &config.languages {
            jobs.push(Job::NotFound(l.code.clone()));
        }

        let rendered = self.render_jobs(&jobs);
        let results: Vec<Rendered<(String, String)>> = rendered
            .into_par_iter()
            .map(|(job, out, deps)| {
                let r =
                    out.and_then(
                        |(rel, html, owner)| match sink.write(&rel, html.as_bytes()) {
                            Ok(()) => Ok((rel, owner)),
                            Err(e) => {
                                Err((Diagnostic::error(format!("cannot write {rel}: {e}")), rel))
                            }
                        },
                    );
                (job, r, deps)
            })
            .collect();
        // Who wrote what, to catch two sources claiming one output file.
        let mut written: Vec<(String, String)> = Vec::new();
        let mut failures = Vec::new();
        for (job, r, deps) in results {
            self.remember(&job, deps);
            match r {
                Ok(w) => written.push(w),
                Err(f) => failures.push(f),
            }
        }
        let mut diags = group_failures(failures);
        let model = &self.model;
        let config = &model.config;
        let p = self.prepared();

        // Files that need no template.
        let mut plain: Vec<(String, Vec<u8>)> = Vec::new();
        for a in &model.aliases {
            plain.push((
                a.out_file.clone(),
                xml::redirect_page(&config.permalink(&a.target_path)).into_bytes(),
            ));
        }
        plain.extend(feed_files(p, &|_| true));
        plain.extend(xml::sitemaps(model));
        plain.push(("robots.txt".into(), xml::robots(config).into_bytes()));
        let codes: Vec<&str> = config.languages.iter().map(|l| l.code.as_str()).collect();
        let (search, search_files) = search_index(model, codes);
        plain.extend(search);
        diags.extend(write_files(sink, &plain));
        for (rel, _) in &plain {
            written.push((
                rel.clone(),
                "qiao (feed, sitemap, search index, robots.txt or alias)".into(),
            ));
        }
        // Later layers win: theme and site static files over content files with the same path.
        let mut copies: BTreeMap<String, PathBuf> = Default::default();
        for p in &model.pages {
            for (abs, inner) in &p.assets {
                copies.insert(join(&p.out_dir, inner), abs.clone());
            }
        }
        for (abs, rel) in &model.static_assets {
            copies.insert(rel.clone(), abs.clone());
        }
        for (rel, text) in self.templates.builtin_static() {
            if let Err(e) = sink.write(&rel, text.as_bytes()) {
                diags.push(Diagnostic::error(format!("cannot write {rel}: {e}")));
            }
        }
        for (abs, rel) in self.templates.static_files() {
            copies.insert(rel, abs.to_path_buf());
        }
        for (rel, abs) in &copies {
            written.push((rel.clone(), abs.display().to_string()));
        }
        diags.extend(clashes(written));
        diags.extend(
            copies
                .par_iter()
                .filter_map(|(rel, abs)| {
                    sink.copy(abs, rel).err().map(|e| {
                        Diagnostic::error(format!("cannot copy {} to {rel}: {e}", abs.display()))
                    })
                })
                .collect::<Vec<_>>(),
        );
        self.copies = copies;
        self.search_files = search_files;
        diags
    }

    /// Renders again what shows the pages and sections that changed in the model since the
    /// last render (bodies, or front matter that moves nothing: see [`Changed`]): their own
    /// files, the pages that link to a retitled page, the list pages and term pages that
    /// hold them, the files that read them through `get_page` or `get_section`, their feeds,
    /// their language's search index, and the sitemap when dates changed. Returns
    /// the files to write, or the errors of rendering.
    pub fn update(&mut self, changed: &Changed) -> Result<Pending, Vec<Diagnostic>> {
        let model = &self.model;
        let config = &model.config;
        let sections = &changed.sections;
        // Pages that link to a relinked page show its title: its neighbours, the pages that
        // list it as related, its translations (their `original`).
        let mut pages = changed.pages.clone();
        for &x in &changed.relinked {
            let p = &model.pages[x];
            pages.extend(p.prev);
            pages.extend(p.next);
            if p.lang == config.default_language {
                for l in &config.languages {
                    pages.extend(model.page_at(&l.code, &p.key));
                }
            }
        }
        if !changed.relinked.is_empty() {
            for (j, related) in self.values.related.iter().enumerate() {
                if related.iter().any(|k| changed.relinked.contains(k)) {
                    pages.insert(j);
                }
            }
        }
        let pages = &pages;
        for &i in pages {
            self.values.page_values[i] = val(&page_view(model, &self.values.related, i));
        }
        let mut touched: BTreeSet<usize> = sections.clone();
        touched.extend(
            pages
                .iter()
                .map(|&i| model.pages[i].section)
                .filter(|&s| s < model.sections.len()),
        );
        for &s in &touched {
            self.values.section_values[s] = section_value(model, s, &self.values.page_values);
        }
        if let Ok(mut l) = self.lookup.write() {
            for &i in pages.iter().filter(|&&i| !model.pages[i].fallback) {
                let page = &model.pages[i];
                l.pages.insert(
                    (page.key.clone(), page.lang.clone()),
                    self.values.page_values[i].clone(),
                );
            }
            for &s in &touched {
                let sec = &model.sections[s];
                l.sections.insert(
                    (sec.dir.clone(), sec.lang.clone()),
                    self.values.section_values[s].clone(),
                );
            }
        }

        let mut jobs: BTreeSet<Job> = BTreeSet::new();
        let mut feeds: BTreeSet<&str> = BTreeSet::new();
        let mut languages: BTreeSet<&str> = BTreeSet::new();
        let all_pagers = |s: usize, jobs: &mut BTreeSet<Job>| {
            for n in 0..pager_count(model.sections[s].pages.len(), config.paginate) {
                jobs.insert(Job::Section(s, n));
            }
        };
        for &s in &touched {
            if self.section_pages_read || sections.contains(&s) || config.paginate == 0 {
                all_pagers(s, &mut jobs);
            }
            let sec = &model.sections[s];
            if let Some(js) = self
                .deps
                .get(&Dep::Section(sec.dir.clone(), sec.lang.clone()))
            {
                jobs.extend(js.iter().cloned());
            }
        }
        for &i in pages {
            let page = &model.pages[i];
            jobs.insert(Job::Page(i));
            if let Some(sec) = model.sections.get(page.section)
                && let Some(at) = sec.pages.iter().position(|&k| k == i)
                && config.paginate > 0
            {
                jobs.insert(Job::Section(page.section, at / config.paginate));
            }
            if page.fallback {
                continue;
            }
            if let Some(js) = self
                .deps
                .get(&Dep::Page(page.key.clone(), page.lang.clone()))
            {
                jobs.extend(js.iter().cloned());
            }
            languages.insert(&page.lang);
            if let Some(f) = self.values.feeds.language.get(&page.lang) {
                feeds.insert(f);
            }
            if let Some(f) = self.values.feeds.section.get(&page.section) {
                feeds.insert(f);
            }
            for (t, tax) in model.taxonomies.iter().enumerate() {
                if tax.lang != page.lang {
                    continue;
                }
                let per = taxonomy_paginate(config, &tax.name).max(1);
                for r in page.terms.get(&tax.name).into_iter().flatten() {
                    let Ok(k) = tax.terms.binary_search_by(|x| x.slug.cmp(&r.slug)) else {
                        continue;
                    };
                    if let Some(at) = tax.terms[k].pages.iter().position(|&x| x == i) {
                        jobs.insert(Job::Term(t, k, at / per));
                    }
                    if let Some(f) = self.values.feeds.term.get(&(t, k)) {
                        feeds.insert(f);
                    }
                }
            }
        }

        let jobs: Vec<Job> = jobs.into_iter().collect();
        let mut out: Vec<(String, Vec<u8>)> = Vec::new();
        let mut failures = Vec::new();
        let mut recorded = Vec::new();
        for (job, r, deps) in self.render_jobs(&jobs) {
            recorded.push((job, deps));
            match r {
                Ok((rel, html, _)) => out.push((rel, html.into_bytes())),
                Err(f) => failures.push(f),
            }
        }
        if !failures.is_empty() {
            return Err(group_failures(failures));
        }
        let p = self.prepared();
        let feeds: BTreeSet<String> = feeds.into_iter().map(str::to_string).collect();
        out.extend(feed_files(p, &|path| feeds.contains(path)));
        if changed.redated {
            out.extend(xml::sitemaps(model));
        }
        let (search, search_files) = search_index(model, languages.into_iter().collect::<Vec<_>>());
        out.extend(search);
        // A shard the index no longer has would be left behind.
        let mut stale = Vec::new();
        for (lang, now) in &search_files {
            if let Some(before) = self.search_files.get(lang) {
                stale.extend(before.difference(now).cloned());
            }
        }

        for (job, deps) in recorded {
            self.remember(&job, deps);
        }
        self.search_files.extend(search_files);
        Ok(Pending { files: out, stale })
    }
}

/// What changed in the model since the last render (see [`Renderer::update`]).
#[derive(Debug, Default)]
pub struct Changed {
    /// Pages whose body, front matter or translation state changed.
    pub pages: BTreeSet<usize>,
    /// Sections whose body changed.
    pub sections: BTreeSet<usize>,
    /// Of `pages`, those whose front matter changed: title or dates may differ, so the
    /// pages that link to them and the sitemap change too. Their place in every list is
    /// the same.
    pub relinked: BTreeSet<usize>,
    /// Whether the date or the update date of a page changed: they are in the sitemap.
    pub redated: bool,
}

/// The files an incremental rebuild rendered, not written yet.
pub struct Pending {
    files: Vec<(String, Vec<u8>)>,
    /// Files of the previous build to remove (search index shards that are gone).
    stale: Vec<String>,
}

impl Pending {
    /// Writes the files; returns how many.
    pub fn write(self, sink: &dyn Sink) -> Result<usize, Vec<Diagnostic>> {
        let mut diags = write_files(sink, &self.files);
        for rel in &self.stale {
            if let Err(e) = sink.remove(rel) {
                diags.push(Diagnostic::error(format!("cannot remove {rel}: {e}")));
            }
        }
        if diags.is_empty() {
            Ok(self.files.len())
        } else {
            Err(diags)
        }
    }
}

/// Writes files in parallel; returns a diagnostic for each that could not be written.
fn write_files(sink: &dyn Sink, files: &[(String, Vec<u8>)]) -> Vec<Diagnostic> {
    files
        .par_iter()
        .filter_map(|(rel, data)| {
            sink.write(rel, data)
                .err()
                .map(|e| Diagnostic::error(format!("cannot write {rel}: {e}")))
        })
        .collect()
}

/// The search index files of `languages`, with their names per language (to find, next
/// time, the shards that are gone).
fn search_index<'l>(
    model: &SiteModel,
    languages: impl IntoParallelIterator<Item = &'l str>,
) -> (Files, BTreeMap<String, BTreeSet<String>>) {
    let per_language: Vec<(&str, Files)> = languages
        .into_par_iter()
        .map(|lang| (lang, crate::search::language_index_files(model, lang)))
        .collect();
    let mut files = Vec::new();
    let mut names: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (lang, fs) in per_language {
        let these = names.entry(lang.to_string()).or_default();
        for (rel, data) in fs {
            these.insert(rel.clone());
            files.push((rel, data));
        }
    }
    (files, names)
}

/// Two sources that map to one output file would silently overwrite each other: a page with
/// the slug `tags` and the index of tags, a static file and a rendered page.
fn clashes(mut written: Vec<(String, String)>) -> Vec<Diagnostic> {
    written.sort();
    written
        .windows(2)
        .filter(|w| w[0].0 == w[1].0)
        .map(|w| {
            Diagnostic::error(format!(
                "{} and {} would both be written to {}",
                w[0].1, w[1].1, w[0].0
            ))
            .in_file(&w[0].1)
            .with_hint("give one of them another slug or file name")
        })
        .collect()
}

/// One template mistake breaks every page that uses the template: report it once, with
/// the first page it broke and how many others.
fn group_failures(failures: Vec<(Diagnostic, String)>) -> Vec<Diagnostic> {
    let mut groups: std::collections::BTreeMap<String, (Diagnostic, Vec<String>)> =
        Default::default();
    for (d, what) in failures {
        let key = d.to_string();
        groups
            .entry(key)
            .or_insert_with(|| (d, Vec::new()))
            .1
            .push(what);
    }
    groups
        .into_values()
        .map(|(mut d, mut whats)| {
            whats.sort();
            let first = &whats[0];
            d.message = match whats.len() {
                1 => format!("{} (while rendering {first})", d.message),
                n => format!("{} (while rendering {first} and {} more)", d.message, n - 1),
            };
            d
        })
        .collect()
}

/// One rendered file: a page, a page of a section's list, a taxonomy's index, a page of a
/// term's list, a language's 404 page.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Job {
    Page(usize),
    Section(usize, usize),
    TaxonomyIndex(usize),
    Term(usize, usize, usize),
    NotFound(String),
}

fn render_job(
    p: Prepared,
    tera: &tera::Tera,
    templates: &TemplateSet,
    job: &Job,
) -> Result<(String, String, String), (Diagnostic, String)> {
    let model = p.model;
    let config = &model.config;
    let mut ctx = tera::Context::new();
    let (lang, template, rel, path, source): (&str, String, String, String, Option<&str>) =
        match job {
            Job::Page(i) => {
                let page = &model.pages[*i];
                ctx.insert_value("page", p.v.page_values[*i].clone());
                ctx.insert("translations", &page_translations(model, *i));
                let section =
                    &model.sections[page.section.min(model.sections.len().saturating_sub(1))];
                let mut feeds = lang_feeds(p, &page.lang);
                if let Some(f) = p.v.feeds.section.get(&page.section) {
                    feeds.push(FeedLink {
                        title: section.title.clone(),
                        path: f.clone(),
                    });
                }
                ctx.insert("feeds", &feeds);
                (
                    &page.lang,
                    page.doc
                        .meta
                        .template
                        .clone()
                        .unwrap_or_else(|| "page.html".into()),
                    join(&page.out_dir, "index.html"),
                    page.path.clone(),
                    Some(page.source.as_str()),
                )
            }
            Job::Section(i, n) => {
                let s = &model.sections[*i];
                ctx.insert_value("section", p.v.section_values[*i].clone());
                ctx.insert("translations", &section_translations(model, *i));
                let (pager, path) =
                    paginator(&s.path, &s.pages, &p.v.page_values, *n, config.paginate);
                ctx.insert_value("paginator", pager);
                let mut feeds = lang_feeds(p, &s.lang);
                if let Some(f) = p.v.feeds.section.get(i)
                    && !s.dir.is_empty()
                {
                    feeds.push(FeedLink {
                        title: s.title.clone(),
                        path: f.clone(),
                    });
                }
                ctx.insert("feeds", &feeds);
                let default_tpl = if s.dir.is_empty() {
                    "index.html"
                } else {
                    "section.html"
                };
                let template = s
                    .doc
                    .as_ref()
                    .and_then(|d| d.meta.template.clone())
                    .unwrap_or_else(|| default_tpl.into());
                let rel = join(&crate::model::out_dir(config, &path), "index.html");
                (&s.lang, template, rel, path, s.source.as_deref())
            }
            Job::TaxonomyIndex(t) => {
                let tax = &model.taxonomies[*t];
                ctx.insert_value("taxonomy", p.v.taxonomy_values[*t].clone());
                ctx.insert("translations", &taxonomy_translations(model, tax));
                ctx.insert("feeds", &lang_feeds(p, &tax.lang));
                (
                    &tax.lang,
                    "taxonomy_list.html".into(),
                    join(&crate::model::out_dir(config, &tax.path), "index.html"),
                    tax.path.clone(),
                    None,
                )
            }
            Job::Term(t, k, n) => {
                let tax = &model.taxonomies[*t];
                let term = &tax.terms[*k];
                ctx.insert_value("taxonomy", p.v.taxonomy_values[*t].clone());
                ctx.insert("term", &term_view(config, term));
                // Terms are per language: a term page has no translations, and the
                // switcher shows the other languages as unavailable.
                let translations: Vec<TranslationView> = config
                    .languages
                    .iter()
                    .map(|l| {
                        let current = l.code == tax.lang;
                        TranslationView {
                            code: &l.code,
                            name: &l.name,
                            locale: &l.locale,
                            path: current.then_some(term.path.as_str()),
                            permalink: current.then(|| config.permalink(&term.path)),
                            present: current,
                            current,
                        }
                    })
                    .collect();
                ctx.insert("translations", &translations);

                let per = taxonomy_paginate(config, &tax.name);
                let (pager, path) = paginator(&term.path, &term.pages, &p.v.page_values, *n, per);
                ctx.insert_value("paginator", pager);
                let mut feeds = lang_feeds(p, &tax.lang);
                if let Some(f) = p.v.feeds.term.get(&(*t, *k)) {
                    feeds.push(FeedLink {
                        title: term.name.clone(),
                        path: f.clone(),
                    });
                }
                ctx.insert("feeds", &feeds);
                let rel = join(&crate::model::out_dir(config, &path), "index.html");
                (&tax.lang, "taxonomy_single.html".into(), rel, path, None)
            }
            Job::NotFound(code) => {
                let prefix = config.lang_prefix(code);
                let rel = join(&crate::model::out_dir(config, &prefix), "404.html");
                ctx.insert("translations", &Vec::<TranslationView>::new());
                ctx.insert("feeds", &lang_feeds(p, code));
                (
                    code,
                    "404.html".into(),
                    rel,
                    format!("{prefix}404.html"),
                    None,
                )
            }
        };
    ctx.insert("lang", lang);
    if let Some(c) = p.v.config_values.get(lang) {
        ctx.insert_value("config", c.clone());
    }
    if let Some(l) = config.language(lang) {
        ctx.insert("language", &language_view(config, l));
    }
    ctx.insert("current_path", &path);
    ctx.insert("current_url", &config.permalink(&path));
    ctx.insert(
        "menus",
        &crate::menu::view(&model.menus, lang, &config.lang_prefix(lang), &path),
    );
    let html = tera.render(&template, &ctx).map_err(|e| {
        (
            templates.diagnostic(&e),
            source.unwrap_or(&path).to_string(),
        )
    })?;
    let owner = source.map_or_else(|| format!("the page {path}"), str::to_string);
    Ok((rel, html, owner))
}

fn join(dir: &str, file: &str) -> String {
    if dir.is_empty() {
        file.to_string()
    } else {
        format!("{dir}/{file}")
    }
}

fn pager_count(items: usize, per: usize) -> usize {
    items.div_ceil(per.max(1)).max(1)
}

fn taxonomy_paginate(config: &Config, name: &str) -> usize {
    config
        .taxonomies
        .iter()
        .find(|t| t.name == name)
        .map_or(config.paginate, |t| t.paginate)
}

/// The paginator of list page `n` (0-based) and the site path of that page:
/// page 1 is the list's own path, page n is `<path>page/n/`.
fn paginator(
    base: &str,
    items: &[usize],
    values: &[tera::Value],
    n: usize,
    per: usize,
) -> (tera::Value, String) {
    let total = pager_count(items.len(), per);
    let page_path = |k: usize| {
        if k == 0 {
            base.to_string()
        } else {
            format!("{base}page/{}/", k + 1)
        }
    };
    let start = (n * per).min(items.len());
    let end = (start + per).min(items.len());
    let mut m = tera::Map::new();
    m.insert(
        "pages".into(),
        tera::Value::from(
            items[start..end]
                .iter()
                .map(|&k| values[k].clone())
                .collect::<Vec<_>>(),
        ),
    );
    m.insert("current_index".into(), tera::Value::from(n + 1));
    m.insert("number_pagers".into(), tera::Value::from(total));
    m.insert("total_pages".into(), tera::Value::from(items.len()));
    m.insert("paginate_by".into(), tera::Value::from(per));
    m.insert("first".into(), tera::Value::from(page_path(0)));
    m.insert("last".into(), tera::Value::from(page_path(total - 1)));
    let opt = |k: Option<usize>| k.map_or(tera::Value::none(), |k| tera::Value::from(page_path(k)));
    m.insert("previous".into(), opt(n.checked_sub(1)));
    m.insert("next".into(), opt((n + 1 < total).then_some(n + 1)));
    (tera::Value::from(m), page_path(n))
}

fn config_view<'a>(config: &'a Config, lang: &'a Language) -> ConfigView<'a> {
    ConfigView {
        base_url: &config.base_url,
        base_path: &config.base_path,
        default_language: &config.default_language,
        title: &lang.title,
        description: &lang.description,
        languages: config
            .languages
            .iter()
            .map(|l| language_view(config, l))
            .collect(),
        taxonomies: config.taxonomies.iter().map(|t| t.name.as_str()).collect(),
        extra: &config.extra,
    }
}

fn language_view<'a>(config: &Config, l: &'a Language) -> LanguageView<'a> {
    LanguageView {
        code: &l.code,
        name: &l.name,
        locale: &l.locale,
        title: &l.title,
        description: &l.description,
        is_default: l.is_default,
        path: config.lang_prefix(&l.code),
        base_url: &l.base_url,
        legal: &l.legal,
    }
}

fn locale_of<'c>(config: &'c Config, code: &str) -> &'c str {
    config.language(code).map_or("", |l| l.locale.as_str())
}

fn link<'a>(config: &Config, title: &'a str, path: &'a str) -> Link<'a> {
    Link {
        title,
        path,
        permalink: config.permalink(path),
    }
}

/// Length of `page.excerpt`: characters for Chinese and Japanese, words otherwise.
const EXCERPT_CHARS: usize = 120;
const EXCERPT_WORDS: usize = 55;

fn page_view<'m>(model: &'m SiteModel, related: &[Vec<usize>], i: usize) -> PageView<'m> {
    let config = &model.config;
    let p = &model.pages[i];
    let words = crate::format::word_count(&p.text);
    let speed = config.language(&p.content_lang).map_or_else(
        || crate::format::default_reading_speed(&p.content_lang),
        |l| l.reading_speed,
    );
    let by_chars = crate::format::cuts_by_characters(&p.content_lang);
    let excerpt_source = p
        .doc
        .meta
        .summary
        .clone()
        .unwrap_or_else(|| p.text.to_string());
    let terms = |name: &str| -> Vec<Link<'_>> {
        p.terms
            .get(name)
            .map(|ts| ts.iter().map(|t| link(config, &t.name, &t.path)).collect())
            .unwrap_or_default()
    };
    let neighbour =
        |k: Option<usize>| k.map(|k| link(config, &model.pages[k].doc.title, &model.pages[k].path));
    let section = model.sections.get(p.section);
    PageView {
        title: &p.doc.title,
        description: p.doc.meta.description.as_deref(),
        summary: p.summary.as_deref(),
        content: &p.html,
        toc: &p.toc,
        date: p.doc.date.as_ref().map(|d| d.rfc3339.as_str()),
        updated: p.doc.updated.as_ref().map(|d| d.rfc3339.as_str()),
        draft: p.doc.meta.draft,
        slug: p
            .path
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .unwrap_or(""),
        path: &p.path,
        permalink: config.permalink(&p.path),
        lang: &p.lang,
        locale: locale_of(config, &p.lang),
        content_lang: &p.content_lang,
        content_locale: locale_of(config, &p.content_lang),
        key: &p.key,
        source: &p.source,
        section: section.map_or("", |s| s.dir.as_str()),
        weight: p.doc.meta.weight,
        extra: p.doc.meta.extra.as_ref().unwrap_or_else(|| empty_map()),
        tags: terms("tags"),
        categories: terms("categories"),
        prev: neighbour(p.prev),
        next: neighbour(p.next),
        fallback: p.fallback,
        translation: p.translation,
        stale_sections: &p.stale_sections,
        original: model
            .original_of(i)
            .map(|o| link(config, &o.doc.title, &o.path)),
        translations: page_translations(model, i),
        ancestors: section_chain(model, Some(p.section)),
        related: related[i]
            .iter()
            .map(|&k| link(config, &model.pages[k].doc.title, &model.pages[k].path))
            .collect(),
        word_count: words,
        reading_time: crate::format::reading_time(words, speed),
        excerpt: crate::format::summarize(
            &excerpt_source,
            if by_chars {
                EXCERPT_CHARS
            } else {
                EXCERPT_WORDS
            },
            by_chars,
        ),
        assets: p
            .assets
            .iter()
            .map(|(_, inner)| format!("{}{}", p.path, crate::url::path(inner)))
            .collect(),
    }
}

/// The sections from the home page down to `start`, in that order.
fn section_chain(model: &SiteModel, start: Option<usize>) -> Vec<Link<'_>> {
    let mut chain = Vec::new();
    let mut cur = start.filter(|&k| k < model.sections.len());
    while let Some(k) = cur {
        let s = &model.sections[k];
        chain.push(link(&model.config, &s.title, &s.path));
        cur = s.parent;
    }
    chain.reverse();
    chain
}

/// How many related pages a page lists.
const RELATED: usize = 5;

/// How far down each of its terms' lists (newest first) a page looks for related pages:
/// without a bound, a tag shared by thousands of pages makes the search quadratic.
const RELATED_SCAN: usize = 200;

/// Pages in the same language that share tags or categories with each page: most shared
/// terms first, then in list order (newest first). Exact, without a hash map per page: the
/// pages of every term are sorted in the same order, so a k-way merge of the page's term
/// lists meets each candidate's occurrences together, and can stop as soon as it has
/// `RELATED` pages that share every term.
fn related_pages(model: &SiteModel) -> Vec<Vec<usize>> {
    let terms: HashMap<&str, &Term> = model
        .taxonomies
        .iter()
        .flat_map(|t| t.terms.iter())
        .map(|t| (t.path.as_str(), t))
        .collect();
    let pages = &model.pages;
    // Every term lists its pages in `date_order`; ranks in that order make comparisons cheap.
    let mut order: Vec<usize> = (0..pages.len()).collect();
    order.par_sort_by(|&a, &b| crate::model::date_order(&pages[a], &pages[b]));
    let mut rank = vec![0usize; pages.len()];
    for (r, &i) in order.iter().enumerate() {
        rank[i] = r;
    }
    (0..pages.len())
        .into_par_iter()
        .map(|i| {
            let lists: Vec<&[usize]> = pages[i]
                .terms
                .values()
                .flatten()
                .filter_map(|r| {
                    terms
                        .get(r.path.as_str())
                        .map(|t| &t.pages[..t.pages.len().min(RELATED_SCAN)])
                })
                .collect();
            let all = lists.len();
            let mut heads = vec![0usize; all];
            // (shared terms, page), best first; ties keep the earlier (newer) page.
            let mut best: Vec<(usize, usize)> = Vec::with_capacity(RELATED + 1);
            loop {
                let next = (0..all)
                    .filter_map(|l| lists[l].get(heads[l]).copied())
                    .min_by_key(|&p| rank[p]);
                let Some(page) = next else { break };
                let mut shared = 0;
                for l in 0..all {
                    if lists[l].get(heads[l]) == Some(&page) {
                        heads[l] += 1;
                        shared += 1;
                    }
                }
                if page == i {
                    continue;
                }
                if best.len() < RELATED || best.last().is_some_and(|&(n, _)| shared > n) {
                    let at = best
                        .iter()
                        .position(|&(n, _)| shared > n)
                        .unwrap_or(best.len());
                    best.insert(at, (shared, page));
                    best.truncate(RELATED);
                }
                if best.len() == RELATED && best.iter().all(|&(n, _)| n == all) {
                    break;
                }
            }
            best.into_iter().map(|(_, k)| k).collect()
        })
        .collect()
}

fn page_translations(model: &SiteModel, i: usize) -> Vec<TranslationView<'_>> {
    let config = &model.config;
    let me = &model.pages[i];
    model
        .translations_of_page(i)
        .into_iter()
        .filter_map(|(code, page)| {
            let l = config.language(&code)?;
            // A fallback copy is the page shown in its language, but not a translation.
            let page = page.filter(|p| !p.fallback);
            let current = code == me.lang;
            let path = if current {
                Some(me.path.as_str())
            } else {
                page.map(|p| p.path.as_str())
            };
            Some(TranslationView {
                code: &l.code,
                name: &l.name,
                locale: &l.locale,
                path,
                permalink: path.map(|p| config.permalink(p)),
                present: path.is_some() && (current && !me.fallback || page.is_some()),
                current,
            })
        })
        .collect()
}

fn section_translations(model: &SiteModel, i: usize) -> Vec<TranslationView<'_>> {
    let config = &model.config;
    let me = &model.sections[i];
    config
        .languages
        .iter()
        .map(|l| {
            let s = model
                .section_index
                .get(&(me.dir.clone(), l.code.clone()))
                .map(|&k| &model.sections[k]);
            let present = s.is_some_and(|s| !s.fallback);
            let path = s
                .filter(|_| present || l.code == me.lang)
                .map(|s| s.path.as_str());
            TranslationView {
                code: &l.code,
                name: &l.name,
                locale: &l.locale,
                path,
                permalink: path.map(|p| config.permalink(p)),
                present,
                current: l.code == me.lang,
            }
        })
        .collect()
}

fn taxonomy_translations<'m>(
    model: &'m SiteModel,
    tax: &'m TaxonomyModel,
) -> Vec<TranslationView<'m>> {
    let config = &model.config;
    config
        .languages
        .iter()
        .map(|l| {
            let other = model
                .taxonomies
                .iter()
                .find(|t| t.name == tax.name && t.lang == l.code);
            let path = other.map(|t| t.path.as_str());
            TranslationView {
                code: &l.code,
                name: &l.name,
                locale: &l.locale,
                path,
                permalink: path.map(|p| config.permalink(p)),
                present: path.is_some(),
                current: l.code == tax.lang,
            }
        })
        .collect()
}

fn section_value(model: &SiteModel, i: usize, page_values: &[tera::Value]) -> tera::Value {
    let config = &model.config;
    let s = &model.sections[i];
    let view = SectionView {
        title: &s.title,
        description: s.doc.as_ref().and_then(|d| d.meta.description.as_deref()),
        content: &s.html,
        toc: &s.toc,
        dir: &s.dir,
        path: &s.path,
        permalink: config.permalink(&s.path),
        lang: &s.lang,
        content_lang: &s.content_lang,
        content_locale: locale_of(config, &s.content_lang),
        source: s.source.as_deref(),
        extra: s
            .doc
            .as_ref()
            .and_then(|d| d.meta.extra.as_ref())
            .unwrap_or_else(|| empty_map()),
        subsections: s
            .subsections
            .iter()
            .map(|&k| {
                let c = &model.sections[k];
                SectionLink {
                    title: &c.title,
                    path: &c.path,
                    dir: &c.dir,
                    page_count: c.pages.len(),
                }
            })
            .collect(),
        ancestors: section_chain(model, s.parent),
        parent: s
            .parent
            .map(|k| link(config, &model.sections[k].title, &model.sections[k].path)),
        fallback: s.fallback,
        page_count: s.pages.len(),
        translations: section_translations(model, i),
    };
    let mut v = val(&view).into_map().unwrap_or_default();
    let pages: Vec<tera::Value> = s.pages.iter().map(|&k| page_values[k].clone()).collect();
    v.insert("pages".into(), tera::Value::from(pages));
    tera::Value::from(v)
}

fn taxonomy_view<'a>(config: &Config, tax: &'a TaxonomyModel) -> TaxonomyView<'a> {
    TaxonomyView {
        name: &tax.name,
        lang: &tax.lang,
        path: &tax.path,
        permalink: config.permalink(&tax.path),
        terms: tax.terms.iter().map(|t| term_view(config, t)).collect(),
    }
}

fn term_view<'a>(config: &Config, term: &'a Term) -> TermView<'a> {
    TermView {
        name: &term.name,
        slug: &term.slug,
        path: &term.path,
        permalink: config.permalink(&term.path),
        count: term.pages.len(),
    }
}

// ---------------------------------------------------------------------------------------
// Feeds

fn plan_feeds(model: &SiteModel) -> Feeds {
    let config = &model.config;
    let mut f = Feeds::default();
    let dated = |ps: &[usize]| {
        ps.iter()
            .any(|&i| model.pages[i].doc.date.is_some() && !model.pages[i].fallback)
    };
    for l in &config.languages {
        let all: Vec<usize> = (0..model.pages.len())
            .filter(|&i| model.pages[i].lang == l.code)
            .collect();
        if dated(&all) {
            f.language.insert(
                l.code.clone(),
                format!("{}atom.xml", config.lang_prefix(&l.code)),
            );
        }
    }
    for (i, s) in model.sections.iter().enumerate() {
        if !s.dir.is_empty() && dated(&s.pages) {
            f.section.insert(i, format!("{}atom.xml", s.path));
        }
    }
    for (t, tax) in model.taxonomies.iter().enumerate() {
        let feed = config
            .taxonomies
            .iter()
            .any(|c| c.name == tax.name && c.feed);
        if !feed {
            continue;
        }
        for (k, term) in tax.terms.iter().enumerate() {
            if dated(&term.pages) {
                f.term.insert((t, k), format!("{}atom.xml", term.path));
            }
        }
    }
    f
}

fn lang_feeds(p: Prepared, lang: &str) -> Vec<FeedLink> {
    let config = &p.model.config;
    p.v.feeds
        .language
        .get(lang)
        .map(|path| FeedLink {
            title: config
                .language(lang)
                .map_or_else(String::new, |l| l.title.clone()),
            path: path.clone(),
        })
        .into_iter()
        .collect()
}

/// The feeds whose site path passes `wanted`.
fn feed_files(p: Prepared, wanted: &dyn Fn(&str) -> bool) -> Vec<(String, Vec<u8>)> {
    let model = p.model;
    let config = &model.config;
    let mut out = Vec::new();
    let mut emit = |path: &str, title: String, alternate: &str, lang: &str, pages: Vec<&Page>| {
        let body = xml::atom(config, path, &title, alternate, lang, &pages);
        out.push((crate::model::out_dir(config, path), body.into_bytes()));
    };
    let select = |idx: &mut dyn Iterator<Item = usize>| -> Vec<&Page> {
        let mut v: Vec<&Page> = idx
            .map(|i| &model.pages[i])
            .filter(|p| p.doc.date.is_some() && !p.fallback)
            .collect();
        v.sort_by(|a, b| {
            let (da, db) = (
                a.doc.date.as_ref().map(|d| d.timestamp),
                b.doc.date.as_ref().map(|d| d.timestamp),
            );
            db.cmp(&da).then_with(|| a.key.cmp(&b.key))
        });
        v.truncate(config.feed_limit);
        v
    };
    // (feed path, title, alternate page, language, candidate pages), in a stable order.
    let mut feeds: Vec<(&String, String, String, &str, Vec<usize>)> = Vec::new();
    for (code, path) in &p.v.feeds.language {
        let title = config
            .language(code)
            .map_or_else(String::new, |l| l.title.clone());
        let pages = (0..model.pages.len())
            .filter(|&i| model.pages[i].lang == *code)
            .collect();
        feeds.push((path, title, config.lang_prefix(code), code, pages));
    }
    let site_title = |lang: &str| config.language(lang).map_or("", |l| l.title.as_str());
    for (&i, path) in &p.v.feeds.section {
        let s = &model.sections[i];
        let title = format!("{} · {}", s.title, site_title(&s.lang));
        feeds.push((path, title, s.path.clone(), &s.lang, s.pages.clone()));
    }
    for (&(t, k), path) in &p.v.feeds.term {
        let tax = &model.taxonomies[t];
        let term = &tax.terms[k];
        let title = format!("{} · {}", term.name, site_title(&tax.lang));
        feeds.push((
            path,
            title,
            term.path.clone(),
            &tax.lang,
            term.pages.clone(),
        ));
    }
    feeds.retain(|f| wanted(f.0));
    feeds.sort_by(|a, b| a.0.cmp(b.0));
    for (path, title, alternate, lang, pages) in feeds {
        let pages = select(&mut pages.into_iter());
        emit(path, title, &alternate, lang, pages);
    }
    out
}

// ---------------------------------------------------------------------------------------
// Template functions

/// What `get_page`, `get_section` and `url_for` look up: owned, shareable copies of the
/// prepared values, so the functions can live inside Tera (which wants `'static`).
struct Lookup {
    default_language: String,
    languages: Vec<String>,
    base_path: String,
    pages: HashMap<(String, String), tera::Value>,
    sections: HashMap<(String, String), tera::Value>,
    paths: HashMap<(String, String), String>,
}

impl Lookup {
    fn new(m: &SiteModel, v: &Values) -> Lookup {
        let mut pages = HashMap::new();
        let mut paths = HashMap::new();
        for (i, page) in m.pages.iter().enumerate() {
            if !page.fallback {
                pages.insert(
                    (page.key.clone(), page.lang.clone()),
                    v.page_values[i].clone(),
                );
                paths.insert((page.key.clone(), page.lang.clone()), page.path.clone());
            }
        }
        let mut sections = HashMap::new();
        for (i, s) in m.sections.iter().enumerate() {
            sections.insert((s.dir.clone(), s.lang.clone()), v.section_values[i].clone());
            let key = if s.dir.is_empty() {
                "_index".to_string()
            } else {
                format!("{}/_index", s.dir)
            };
            paths.insert((key, s.lang.clone()), s.path.clone());
        }
        Lookup {
            default_language: m.config.default_language.clone(),
            languages: m.config.languages.iter().map(|l| l.code.clone()).collect(),
            base_path: m.config.base_path.clone(),
            pages,
            sections,
            paths,
        }
    }

    /// The translation key of a `path` argument and the language to look it up in: the
    /// file's own suffix, else the `lang` argument, else the language being rendered.
    fn target<'p>(
        &self,
        path: &'p str,
        kwargs: &tera::Kwargs,
        state: &tera::State,
    ) -> tera::TeraResult<(&'p str, String)> {
        let (key, explicit) = self.key_of(path);
        let lang = match explicit {
            Some(x) => x.to_string(),
            None => lang_arg(kwargs, state)?,
        };
        Ok((key, lang))
    }

    /// `news/x.md`, `news/x.en.md` or `news/x` → (key, explicit language).
    fn key_of<'a>(&self, path: &'a str) -> (&'a str, Option<&'a str>) {
        let named =
            crate::content::name::page_name(path, |code| self.languages.iter().any(|l| l == code));
        (named.key, named.lang)
    }
}

fn lang_arg(kwargs: &tera::Kwargs, state: &tera::State) -> tera::TeraResult<String> {
    if let Some(l) = kwargs.get::<String>("lang")? {
        return Ok(l);
    }
    Ok(state.get::<String>("lang")?.unwrap_or_default())
}

/// Interface translations and locale formatters, shared by all rendering threads.
#[derive(Clone)]
pub struct Intl {
    /// Fluent messages of the site.
    pub catalog: Arc<crate::i18n::Catalog>,
    /// ICU4X formatters per language code.
    pub formats: Arc<HashMap<String, crate::format::LocaleFormat>>,
    /// The data files under `data/`, for `get_data`.
    pub data: Arc<crate::data::DataFiles>,
}

/// The ICU4X formatters of `lang`, for the filter `filter`.
fn formatter<'f>(
    formats: &'f HashMap<String, crate::format::LocaleFormat>,
    lang: &str,
    filter: &str,
) -> tera::TeraResult<&'f crate::format::LocaleFormat> {
    formats
        .get(lang)
        .ok_or_else(|| tera::Error::message(format!("{filter}: no locale for language `{lang}`")))
}

/// Registers `get_page`, `get_section`, `url_for`, `t`, `get_data` and the `date` and
/// `number` filters.
/// `get_page` and `get_section` record what they return (see [`Renderer::update`]).
fn register_functions(tera: &mut tera::Tera, lookup: Arc<RwLock<Lookup>>, intl: &Intl) {
    fn read(l: &RwLock<Lookup>) -> tera::TeraResult<std::sync::RwLockReadGuard<'_, Lookup>> {
        l.read()
            .map_err(|_| tera::Error::message("internal error: the page index is poisoned"))
    }
    let l = lookup.clone();
    tera.register_function(
        "get_page",
        move |kwargs: tera::Kwargs, state: &tera::State| {
            let l = read(&l)?;
            let path: String = kwargs.must_get("path")?;
            let (key, lang) = l.target(&path, &kwargs, state)?;
            let id = (key.to_string(), lang);
            let found = l.pages.get(&id).cloned().ok_or_else(|| {
                tera::Error::message(format!("get_page: no page `{path}` in language `{}`", id.1))
            })?;
            record(|| Dep::Page(id.0, id.1));
            Ok::<tera::Value, tera::Error>(found)
        },
    );
    let l = lookup.clone();
    tera.register_function(
        "get_section",
        move |kwargs: tera::Kwargs, state: &tera::State| {
            let l = read(&l)?;
            let path: String = kwargs.must_get("path")?;
            let (key, lang) = l.target(&path, &kwargs, state)?;
            let dir = key
                .strip_suffix("_index")
                .unwrap_or(key)
                .trim_end_matches('/');
            let id = (dir.to_string(), lang);
            let found = l.sections.get(&id).cloned().ok_or_else(|| {
                tera::Error::message(format!(
                    "get_section: no section `{path}` in language `{}`",
                    id.1
                ))
            })?;
            record(|| Dep::Section(id.0, id.1));
            Ok::<tera::Value, tera::Error>(found)
        },
    );
    let l = lookup;
    tera.register_function(
        "url_for",
        move |kwargs: tera::Kwargs, state: &tera::State| {
            let l = read(&l)?;
            let path: String = kwargs.must_get("path")?;
            if path.ends_with(".md") || path.starts_with("@/") {
                let (key, lang) = l.target(&path, &kwargs, state)?;
                let key = key.to_string();
                return l
                    .paths
                    .get(&(key.clone(), lang))
                    .or_else(|| l.paths.get(&(key, l.default_language.clone())))
                    .cloned()
                    .ok_or_else(|| tera::Error::message(format!("url_for: no page `{path}`")));
            }
            // A file's path as it is on disk (`my notes.txt`): encoded like every address.
            Ok(format!(
                "{}{}",
                l.base_path,
                crate::url::path(path.trim_start_matches('/'))
            ))
        },
    );
    register_intl(tera, intl);
}

/// Registers `t` and the `date` and `number` filters: what every template that writes
/// words or figures in the reader's language needs (page templates and directive templates).
pub(crate) fn register_intl(tera: &mut tera::Tera, intl: &Intl) {
    let catalog = intl.catalog.clone();
    tera.register_function("t", move |kwargs: tera::Kwargs, state: &tera::State| {
        let key: String = kwargs.must_get("key")?;
        let attr: Option<String> = kwargs.get("attr")?;
        let lang = lang_arg(&kwargs, state)?;
        let context: String = state.get("current_path")?.unwrap_or_default();
        let args = crate::i18n::fluent_args(&kwargs);
        Ok::<String, tera::Error>(
            catalog
                .translate(&lang, &key, attr.as_deref(), &args, &context)
                .unwrap_or(key),
        )
    });
    let data = intl.data.clone();
    tera.register_function(
        "get_data",
        move |kwargs: tera::Kwargs, state: &tera::State| {
            let name: String = kwargs.must_get("name")?;
            let lang = lang_arg(&kwargs, state)?;
            data.get(&name, &lang)
                .cloned()
                .map_err(|m| tera::Error::message(data.explain(&name, &lang, m)))
        },
    );
    let formats = intl.formats.clone();
    tera.register_filter(
        "date",
        move |value: &str, kwargs: tera::Kwargs, state: &tera::State| {
            let style: String = kwargs.get("format")?.unwrap_or_else(|| "long".to_string());
            let style = crate::format::DateStyle::parse(&style).ok_or_else(|| {
                tera::Error::message(format!(
                    "date: unknown format `{style}`; use long, medium, short, year_month, year or iso"
                ))
            })?;
            let lang = lang_arg(&kwargs, state)?;
            let f = formatter(&formats, &lang, "date")?;
            f.date(value, style).ok_or_else(|| {
                tera::Error::message(format!("date: `{value}` is not a date (YYYY-MM-DD or RFC 3339)"))
            })
        },
    );
    let formats = intl.formats.clone();
    tera.register_filter(
        "number",
        move |value: tera::Value, kwargs: tera::Kwargs, state: &tera::State| {
            let n = value
                .as_number()
                .map(|n| n.as_float())
                .or_else(|| value.as_str().and_then(|s| s.trim().parse::<f64>().ok()))
                .ok_or_else(|| {
                    tera::Error::message(format!("number: `{value}` is not a number"))
                })?;
            let decimals: Option<i64> = kwargs.get("decimals")?;
            let lang = lang_arg(&kwargs, state)?;
            let f = formatter(&formats, &lang, "number")?;
            f.number(n, decimals.map(|d| d.clamp(0, 20) as i16))
                .ok_or_else(|| tera::Error::message(format!("number: cannot format `{n}`")))
        },
    );
}
