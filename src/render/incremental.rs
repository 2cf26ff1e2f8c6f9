//! Incremental updates: rendering again only what shows what changed.

use super::*;

impl Renderer {
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
