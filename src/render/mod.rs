//! Rendering the model: template contexts (typed, serialize-only views), Tera setup with the
//! functions themes may call, and the list of every file a build writes.
//!
//! Each page's view is serialized once into a Tera value; lists, paginators and the
//! `get_page`/`get_section` functions share those values (Tera values are reference
//! counted), so a 30,000-page site does not serialize any page twice.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering as AtomicOrdering};
use std::sync::{Arc, Mutex, RwLock};

use rayon::prelude::*;
use serde::Serialize;

use crate::config::{Config, Lang, Language};
use crate::diagnostics::Diagnostic;
use crate::markdown::TocEntry;
use crate::model::{Page, PageId, SectionId, SiteModel, TaxonomyId, TaxonomyModel, Term, TermId};
use crate::output::Sink;
use crate::theme::TemplateSet;

mod feeds;
mod functions;
mod incremental;
mod jobs;
mod paginate;
mod site_files;
mod statics;
#[cfg(test)]
mod testing;
mod views;
#[cfg(test)]
mod views_tests;
mod xml;

use feeds::*;
use functions::*;
use jobs::*;
use paginate::*;
use site_files::*;
use statics::*;
use views::*;

pub use functions::Intl;
pub(crate) use functions::register_intl;
pub use incremental::Pending;
use incremental::{JobKey, Prints};

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
    related: Related,
}

impl Values {
    fn compute(model: &SiteModel) -> Values {
        let config = &model.config;
        let related = Related::of(model, None);
        let shared = SharedLinks::new(model);
        let page_values: Vec<tera::Value> = model
            .pages
            .par_iter()
            .enumerate()
            .map(|(i, _)| page_value(model, &related.pages, &shared, PageId::new(i)))
            .collect();
        let section_values = (model.section_ids())
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

/// A rendered file: output path, contents, and which source (or page) produced it.
type Output = (String, String, String);

/// A job's outcome: what it rendered (or why it failed) and what it read through functions.
type Rendered<T> = (Job, Result<T, (Diagnostic, String)>, Vec<Dep>);

/// Files as (output path, bytes).
type Files = Vec<(String, Vec<u8>)>;

/// The site's model with its templates compiled and its values computed: renders the whole
/// site, and makes the next generation from a new model ([`Renderer::next`]), rendering
/// again only what changed.
pub struct Renderer {
    model: SiteModel,
    templates: TemplateSet,
    tera: tera::Tera,
    values: Values,
    /// What the functions of `tera` record, job by job.
    reads: Arc<Reads>,
    /// What each file read through `get_page` and `get_section` when it was last rendered.
    deps: rustc_hash::FxHashMap<JobKey, Vec<Dep>>,
    /// Whether some read could not be given to a file (then no incremental update).
    untracked: bool,
    /// Output path → the file copied there (content files, then theme and site `static/`).
    copies: BTreeMap<String, PathBuf>,
    /// The search index files of each language, as last written.
    search_files: BTreeMap<String, BTreeSet<String>>,
    /// The fingerprints of this generation, made when the next one is first asked for.
    prints: std::sync::OnceLock<Prints>,
    /// A fingerprint of the interface translations of each language (see
    /// [`Renderer::next`]).
    language_prints: HashMap<String, blake3::Hash>,
    /// Where `get_page` and `url_for` find pages: the next generation shares it after a
    /// body edit.
    lookup_index: Arc<functions::LookupIndex>,
    /// The render jobs, made when first needed (see [`Renderer::job_list`]).
    job_list: std::sync::OnceLock<Arc<incremental::JobList>>,
}

impl Renderer {
    /// Computes the values and compiles the templates (with the functions registered).
    pub fn new(
        model: SiteModel,
        templates: TemplateSet,
        intl: &Intl,
    ) -> Result<Renderer, Vec<Diagnostic>> {
        let values = Values::compute(&model);
        Renderer::with_values(model, templates, intl, values)
    }

    fn with_values(
        model: SiteModel,
        templates: TemplateSet,
        intl: &Intl,
        values: Values,
    ) -> Result<Renderer, Vec<Diagnostic>> {
        let lookup = Lookup::new(&model, &values);
        Renderer::with_lookup(model, templates, intl, values, lookup)
    }

    /// [`Renderer::with_values`], with the tables of `get_page`, `get_section` and
    /// `url_for` made.
    fn with_lookup(
        model: SiteModel,
        templates: TemplateSet,
        intl: &Intl,
        values: Values,
        lookup: Lookup,
    ) -> Result<Renderer, Vec<Diagnostic>> {
        let lookup_index = lookup.index.clone();
        let lookup = Arc::new(RwLock::new(lookup));
        let reads = Arc::new(Reads::default());
        let tera = templates.build(|t| register_functions(t, lookup, reads.clone(), intl))?;
        Ok(Renderer {
            model,
            templates,
            tera,
            values,
            reads,
            deps: Default::default(),
            untracked: false,
            copies: BTreeMap::new(),
            search_files: BTreeMap::new(),
            prints: std::sync::OnceLock::new(),
            language_prints: HashMap::new(),
            lookup_index,
            job_list: std::sync::OnceLock::new(),
        })
    }

    /// The render jobs of this generation, with their identities.
    fn job_list(&self) -> &Arc<incremental::JobList> {
        self.job_list
            .get_or_init(|| Arc::new(incremental::JobList::of(&self.model)))
    }

    /// The site being rendered.
    pub fn model(&self) -> &SiteModel {
        &self.model
    }

    /// The templates the site is rendered with.
    pub fn templates(&self) -> &TemplateSet {
        &self.templates
    }

    /// Where a file of the site's sources is copied to, if it is copied (and not hidden by a
    /// file of the same name in a later layer).
    pub fn copy_target(&self, abs: &Path) -> Option<&str> {
        self.copies
            .iter()
            .find(|(_, from)| from.as_path() == abs)
            .map(|(rel, _)| rel.as_str())
    }

    fn prepared(&self) -> Prepared<'_> {
        Prepared {
            model: &self.model,
            v: &self.values,
        }
    }

    /// Renders `jobs` in parallel, recording what each read through functions (by its
    /// number in the context, see [`Reads`]), and hands each rendered file to `then` in the
    /// same task (a full build writes it there, so that no more than one file per thread is
    /// held in memory).
    fn render_jobs<T: Send>(
        &self,
        jobs: &[Job],
        then: impl Fn(Output) -> Result<T, (Diagnostic, String)> + Sync,
    ) -> Vec<Rendered<T>> {
        let p = self.prepared();
        jobs.par_iter()
            .enumerate()
            .map(|(n, job)| {
                let id = n as i64;
                let out = render_job(p, &self.tera, &self.templates, job, id).and_then(&then);
                (job.clone(), out, self.reads.take(id))
            })
            .collect()
    }

    fn remember(&mut self, job: &Job, deps: Vec<Dep>) {
        let key = JobKey::of(&self.model, job);
        if deps.is_empty() {
            self.deps.remove(&key);
        } else {
            self.deps.insert(key, deps);
        }
    }

    /// Renders every output file of the site into `sink`. Returns the diagnostics of
    /// rendering (template errors name template, line and cause).
    pub fn render_all(&mut self, sink: &dyn Sink) -> Vec<Diagnostic> {
        let jobs = all_jobs(&self.model);
        // Each file is written as soon as it is rendered; only its path and owner stay, for
        // the clash check. The search index is built meanwhile, in the same thread pool: it
        // has parts that run on one thread (merging each language's postings, cutting its
        // shards), which the render jobs keep the other threads busy through.
        let codes: Vec<&str> = (self.model.config.languages.iter())
            .map(|l| l.code.as_str())
            .collect();
        let (results, (search_written, search_diags, search_files)) = rayon::join(
            || {
                self.render_jobs(&jobs, |(rel, html, owner)| {
                    match sink.write(&rel, html.as_bytes()) {
                        Ok(()) => Ok((rel, owner)),
                        Err(e) => Err((Diagnostic::error(format!("cannot write {rel}: {e}")), rel)),
                    }
                })
            },
            || {
                let (files, names) = search_index(&self.model, codes);
                let diags = write_files(sink, &files);
                let written: Vec<String> = files.into_iter().map(|(rel, _)| rel).collect();
                (written, diags, names)
            },
        );
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
        let p = self.prepared();

        // Files that need no template.
        let (plain, plain_diags) = write_site_files(p, sink);
        diags.extend(plain_diags);
        diags.extend(search_diags);
        for rel in plain.into_iter().chain(search_written) {
            written.push((
                rel,
                "qiao (feed, sitemap, search index, robots.txt or alias)".into(),
            ));
        }
        // Later layers win: theme and site static files over content files with the same path.
        let copies = plan_copies(model, &self.templates);
        for (rel, text) in self.templates.builtin_static() {
            if let Err(e) = sink.write(&rel, text.as_bytes()) {
                diags.push(Diagnostic::error(format!("cannot write {rel}: {e}")));
            }
        }
        for (rel, abs) in &copies {
            written.push((rel.clone(), abs.display().to_string()));
        }
        diags.extend(clashes(written));
        self.untracked = self.reads.untracked();
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

/// Every render job of the site, in a stable order.
fn all_jobs(model: &SiteModel) -> Vec<Job> {
    let config = &model.config;
    let mut jobs = Vec::new();
    for i in model.page_ids() {
        jobs.push(Job::Page(i));
    }
    for (i, s) in model.section_ids().zip(&model.sections) {
        let pagers = pager_count(s.pages.len(), config.paginate);
        for n in 0..pagers {
            jobs.push(Job::Section(i, n));
        }
    }
    for (t, tax) in model.taxonomy_ids().zip(model.taxonomies.iter()) {
        jobs.push(Job::TaxonomyIndex(t));
        let per = taxonomy_paginate(config, &tax.name);
        for (index, term) in tax.terms.iter().enumerate() {
            for n in 0..pager_count(term.pages.len(), per) {
                jobs.push(Job::Term(TermId { taxonomy: t, index }, n));
            }
        }
    }
    for l in &config.languages {
        jobs.push(Job::NotFound(l.code.clone()));
    }
    jobs
}
