//! Render jobs: one job per rendered file (a page, a page of a list, a taxonomy index, a
//! page of a term, a 404 page) and the function that renders one.

use super::*;

/// One template mistake breaks every page that uses the template: report it once, with
/// the first page it broke and how many others.
pub(super) fn group_failures(failures: Vec<(Diagnostic, String)>) -> Vec<Diagnostic> {
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
pub(super) enum Job {
    Page(PageId),
    /// Page `n` of the section's list.
    Section(SectionId, usize),
    TaxonomyIndex(TaxonomyId),
    /// Page `n` of the term's list.
    Term(TermId, usize),
    NotFound(String),
}

/// What a job puts into its template's context, in order. Rendering inserts the values;
/// fingerprinting ([`super::incremental`]) hashes them, and the shared values (pages,
/// sections, taxonomies, a language's `config`) by their fingerprints.
pub(super) trait Inputs {
    /// A value made for this job alone.
    fn value<T: Serialize + ?Sized>(&mut self, name: &'static str, v: &T);
    /// A value made for this job that is the same for every page of its list, when the job
    /// renders a page of a list (what [`Inputs::paginator`] is given is not).
    fn list_value<T: Serialize + ?Sized>(&mut self, name: &'static str, v: &T) {
        self.value(name, v);
    }
    /// The shared value of page `i`.
    fn page(&mut self, name: &'static str, i: PageId);
    /// The shared value of section `i`.
    fn section(&mut self, name: &'static str, i: SectionId);
    /// The shared value of taxonomy `t`.
    fn taxonomy(&mut self, name: &'static str, t: TaxonomyId);
    /// The shared `config` value of language `lang`.
    fn config(&mut self, lang: &str);
    /// A page of a list.
    fn paginator(&mut self, name: &'static str, pager: &Paginator);
}

/// Which template renders a job, to which output file, for which site path and source.
pub(super) struct Meta {
    pub(super) lang: String,
    pub(super) template: String,
    pub(super) rel: String,
    pub(super) path: String,
    pub(super) source: Option<String>,
}

/// Puts the context of `job` into `ctx`; returns what renders it where.
pub(super) fn job_inputs(p: Prepared, job: &Job, ctx: &mut impl Inputs) -> Meta {
    let model = p.model;
    let config = &model.config;
    let (lang, template, rel, path, source): (&str, String, String, String, Option<&str>) =
        match job {
            Job::Page(i) => {
                let page = &model.pages[*i];
                ctx.page("page", *i);
                ctx.value("translations", &page_translations(model, *i));
                let last = SectionId::new(model.sections.len().saturating_sub(1));
                let section = &model.sections[page.section.min(last)];
                let mut feeds = lang_feeds(p, &page.lang);
                if let Some(f) = p.v.feeds.section.get(&page.section) {
                    feeds.push(FeedLink {
                        title: section.title.clone(),
                        path: f.clone(),
                    });
                }
                ctx.value("feeds", &feeds);
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
                ctx.section("section", *i);
                ctx.list_value("translations", &section_translations(model, *i));
                let pager = Paginator::new(&s.path, &s.pages, *n, config.paginate);
                ctx.paginator("paginator", &pager);
                let path = pager.path();
                let mut feeds = lang_feeds(p, &s.lang);
                if let Some(f) = p.v.feeds.section.get(i)
                    && !s.dir.is_empty()
                {
                    feeds.push(FeedLink {
                        title: s.title.clone(),
                        path: f.clone(),
                    });
                }
                ctx.list_value("feeds", &feeds);
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
                ctx.taxonomy("taxonomy", *t);
                ctx.value("translations", &taxonomy_translations(model, tax));
                ctx.value("feeds", &lang_feeds(p, &tax.lang));
                (
                    &tax.lang,
                    "taxonomy_list.html".into(),
                    join(&crate::model::out_dir(config, &tax.path), "index.html"),
                    tax.path.clone(),
                    None,
                )
            }
            Job::Term(id, n) => {
                let tax = &model.taxonomies[id.taxonomy];
                let term = model.term(*id);
                ctx.taxonomy("taxonomy", id.taxonomy);
                ctx.list_value("term", &term_view(config, term));
                let translations = term_translations(config, &tax.lang, term);
                ctx.list_value("translations", &translations);

                let per = taxonomy_paginate(config, &tax.name);
                let pager = Paginator::new(&term.path, &term.pages, *n, per);
                ctx.paginator("paginator", &pager);
                let path = pager.path();
                let mut feeds = lang_feeds(p, &tax.lang);
                if let Some(f) = p.v.feeds.term.get(id) {
                    feeds.push(FeedLink {
                        title: term.name.clone(),
                        path: f.clone(),
                    });
                }
                ctx.list_value("feeds", &feeds);
                let rel = join(&crate::model::out_dir(config, &path), "index.html");
                (&tax.lang, "taxonomy_single.html".into(), rel, path, None)
            }
            Job::NotFound(code) => {
                let prefix = config.lang_prefix(code);
                let rel = join(&crate::model::out_dir(config, &prefix), "404.html");
                ctx.value("translations", &Vec::<TranslationView>::new());
                ctx.value("feeds", &lang_feeds(p, code));
                (
                    code,
                    "404.html".into(),
                    rel,
                    format!("{prefix}404.html"),
                    None,
                )
            }
        };
    ctx.value("lang", &lang);
    ctx.config(lang);
    if let Some(l) = config.language(lang) {
        ctx.list_value("language", &language_view(config, l));
    }
    ctx.value("current_path", &path);
    ctx.value("current_url", &config.permalink(&path));
    ctx.value(
        "menus",
        &crate::menu::view(&model.menus, lang, &config.lang_prefix(lang), &path),
    );
    Meta {
        lang: lang.to_string(),
        template,
        rel,
        path,
        source: source.map(str::to_string),
    }
}

/// Renders `job`; `id` is its number in this render, which `get_page` and `get_section`
/// read from the context to record what it read (see [`Reads`]).
pub(super) fn render_job(
    p: Prepared,
    tera: &tera::Tera,
    templates: &TemplateSet,
    job: &Job,
    id: i64,
) -> Result<(String, String, String), (Diagnostic, String)> {
    let mut ctx = Render {
        p,
        ctx: tera::Context::new(),
    };
    let Meta {
        lang: _,
        template,
        rel,
        path,
        source,
    } = job_inputs(p, job, &mut ctx);
    let mut ctx = ctx.ctx;
    ctx.insert(JOB_ID, &id);
    let source = source.as_deref();
    let html = tera.render(&template, &ctx).map_err(|e| {
        (
            templates.diagnostic(&e),
            source.unwrap_or(&path).to_string(),
        )
    })?;
    let owner = source.map_or_else(|| format!("the page {path}"), str::to_string);
    Ok((rel, html, owner))
}

/// Inputs collected into a Tera context.
struct Render<'m> {
    p: Prepared<'m>,
    ctx: tera::Context,
}

impl Inputs for Render<'_> {
    fn value<T: Serialize + ?Sized>(&mut self, name: &'static str, v: &T) {
        self.ctx.insert(name, v);
    }
    fn page(&mut self, name: &'static str, i: PageId) {
        self.ctx
            .insert_value(name, self.p.v.page_values[i.index()].clone());
    }
    fn section(&mut self, name: &'static str, i: SectionId) {
        self.ctx
            .insert_value(name, self.p.v.section_values[i.index()].clone());
    }
    fn taxonomy(&mut self, name: &'static str, t: TaxonomyId) {
        self.ctx
            .insert_value(name, self.p.v.taxonomy_values[t.index()].clone());
    }
    fn config(&mut self, lang: &str) {
        if let Some(c) = self.p.v.config_values.get(lang) {
            self.ctx.insert_value("config", c.clone());
        }
    }
    fn paginator(&mut self, name: &'static str, pager: &Paginator) {
        self.ctx
            .insert_value(name, pager.value(&self.p.v.page_values));
    }
}

pub(super) fn join(dir: &str, file: &str) -> String {
    if dir.is_empty() {
        file.to_string()
    } else {
        format!("{dir}/{file}")
    }
}
