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
    Page(usize),
    Section(usize, usize),
    TaxonomyIndex(usize),
    Term(usize, usize, usize),
    NotFound(String),
}

pub(super) fn render_job(
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
                let pager = Paginator::new(&s.path, &s.pages, *n, config.paginate);
                ctx.insert_value("paginator", pager.value(&p.v.page_values));
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
                let translations = term_translations(config, &tax.lang, term);
                ctx.insert("translations", &translations);

                let per = taxonomy_paginate(config, &tax.name);
                let pager = Paginator::new(&term.path, &term.pages, *n, per);
                ctx.insert_value("paginator", pager.value(&p.v.page_values));
                let path = pager.path();
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

pub(super) fn join(dir: &str, file: &str) -> String {
    if dir.is_empty() {
        file.to_string()
    } else {
        format!("{dir}/{file}")
    }
}
