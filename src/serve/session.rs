//! Incremental rebuilds for `qiao serve`: one protocol for every content, template and
//! interface-translation edit (see docs/serve.md).
//!
//! After a full build, the renderer (model, compiled templates, values and what each file
//! read) stays in memory, with the per-source cache the build's steps ran over
//! ([`crate::build::derive_keeping`], a [`crate::model::Derivation`]). On a change, the
//! build's own steps make a new model from the sources as they are now: from the changed
//! sources only after an edit of `content/` ([`crate::model::Derivation::update_from`]: a
//! body edit is the model served with the edited pages made again, any other edit runs
//! every step over the cache), the model served itself after an edit of page templates
//! only (the templates loaded again), and from everything again otherwise.
//! [`Renderer::next`] then compares the new model with the one served, by stable
//! identities, and renders
//! exactly the files whose inputs changed: new, deleted and renamed pages, tags, dates,
//! slugs, drafts, aliases, sections and translations all go this way, as do template edits
//! (the files whose template, or a template it uses, changed) and `.ftl` edits (the files
//! of that language). The files of one update are written while the server holds no read of
//! the site (see [`super::Shared::generation`]), so a reader sees all of an update or none.
//!
//! A full build remains for `site.toml`, data files, files outside the watched trees, images
//! that pages show, any error (so that every error of the site is reported at once and the
//! last good site stays), sites that split output per host, and whenever the interface
//! translations report something new.

use std::path::Path;
use std::time::Instant;

use crate::build::{BuildOptions, BuildReport, Derived, ForUpdates, Kept, Trace};
use crate::diagnostics::Diagnostic;
use crate::model::Derivation;
use crate::output::{InPlace, Sink};
use crate::render::Intl;
use crate::render::Renderer;

/// What the last build or update left for the next incremental one.
pub(crate) struct Session {
    opts: BuildOptions,
    renderer: Renderer,
    intl: Intl,
    /// What the interface translations reported after the last build: an update that makes
    /// them report something else is not applied.
    i18n_report: Vec<Diagnostic>,
    /// The output files the last [`Session::update`] wrote or removed.
    touched: Vec<String>,
    /// The sources as last read, parsed and rendered (see [`crate::model::derive`]).
    derivation: Derivation,
    /// The problems of what is not content (messages, data, directive templates): an
    /// update of the content alone reports them again as they were.
    setup_diagnostics: Vec<Diagnostic>,
    /// The last update's warnings, as made and sorted: sorting 186,000 findings takes about
    /// 70 ms at 10,000 articles, and most edits find the same ones.
    warnings: Option<crate::diagnostics::SortedDiagnostics>,
}

impl Session {
    /// The session of a build that wrote the site.
    pub(crate) fn new(opts: BuildOptions, kept: Kept) -> Session {
        let Kept {
            mut renderer,
            intl,
            updates:
                ForUpdates {
                    derivation,
                    setup_diagnostics,
                    message_prints,
                },
        } = kept;
        renderer.set_language_prints(message_prints);
        let i18n_report = intl.catalog.report();
        Session {
            opts,
            renderer,
            intl,
            i18n_report,
            touched: Vec::new(),
            derivation,
            setup_diagnostics,
            warnings: None,
        }
    }

    /// Makes now what the next update would otherwise make first: the fingerprints of the
    /// generation served (about 2 s at 10,000 articles on two cores).
    pub fn warm(&self) {
        self.renderer.warm();
    }

    /// The output files (relative to the output directory, `en/news/x/index.html`) that the
    /// last [`Session::update`] wrote or removed, sorted: `qiao serve` compares only these
    /// with what it served before (see `serve::changes`). Empty after a full build.
    pub fn touched(&self) -> &[String] {
        &self.touched
    }

    /// The site path (`/en/news/x/`) of the page or section that the Markdown file `rel`
    /// (relative to the site root) is the source of, in the file's own language; `None` for
    /// any other file, and for a page the build left out (a draft).
    pub fn page_path(&self, rel: &str) -> Option<String> {
        let model = self.renderer.model();
        let lang = &model.sources.get(rel)?.source.lang;
        let page = model
            .pages
            .iter()
            .find(|p| p.source == rel && &p.lang == lang && !p.fallback)
            .map(|p| p.path.clone());
        page.or_else(|| {
            model
                .sections
                .iter()
                .find(|s| s.source.as_deref() == Some(rel) && &s.lang == lang)
                .map(|s| s.path.clone())
        })
    }

    /// Applies the changes to the files at `changed` (paths relative to the site root, as
    /// the watcher reports them): derives the new model, renders what changed and writes it
    /// into the output directory while `swap` holds the site (no request sees half of it).
    /// `Err` says why a full build is needed instead; nothing was written then.
    pub fn update(
        self,
        changed: &[String],
        swap: &tokio::sync::RwLock<()>,
    ) -> Result<(Session, BuildReport), String> {
        let start = Instant::now();
        let root = self.opts.root.clone();
        let model = self.renderer.model();
        let mut abs_changed = Vec::new();
        for rel in changed {
            if rel.contains(char::REPLACEMENT_CHARACTER) {
                // The watcher's lossy form of a name that is not UTF-8 (see `classify`).
                return Err(format!("{rel}: the name may not be UTF-8"));
            }
            let first = rel.split('/').next().unwrap_or("");
            if !matches!(
                first,
                "content" | "static" | "templates" | "i18n" | "themes"
            ) {
                return Err(format!("{rel} is not content, a template or a translation"));
            }
            let abs = root.join(rel);
            if model.images.shows(&abs) {
                return Err(format!("{rel} is an image that pages show"));
            }
            abs_changed.push(abs);
        }
        let trace = Trace::new();
        // Content alone: the model is derived again from the changed sources (the others
        // as last read and rendered). Templates, messages or static files: everything before
        // rendering is made again, as a build does, with a new derivation.
        let content_only = changed.iter().all(|rel| rel.starts_with("content/"));
        let mut derivation = self.derivation;
        let mut setup_diagnostics = self.setup_diagnostics;
        let mut prints = self.renderer.language_prints().clone();
        let Derived {
            site,
            templates,
            intl,
            mut diagnostics,
            held_back,
            legal_links,
        } = if content_only {
            let derived = Derived::from_cache(
                derivation.update_from(&abs_changed, model),
                &setup_diagnostics,
                Ok(self.renderer.templates().clone()),
                self.intl.clone(),
            );
            trace.stage("derived again");
            derived
        } else if let Some(setup) = templates_only(changed)
            .then(|| crate::build::setup(&self.opts).ok())
            .flatten()
            .filter(|s| s.from_templates.ids == derivation.settings().template_ids)
        {
            // Templates alone (not directive templates, which render inside bodies): the
            // content is as it was, so is the model; the templates are loaded again (with
            // the messages, whose call sites they are).
            setup_diagnostics = setup.diagnostics;
            prints = setup.message_prints;
            Derived::from_cache(
                derivation.update_from(&[], model),
                &setup_diagnostics,
                setup.templates,
                setup.intl,
            )
        } else {
            let (derived, fresh) = crate::build::derive_keeping(&self.opts, &trace)
                .map_err(|_| "site.toml has errors")?;
            derivation = fresh.derivation;
            setup_diagnostics = fresh.setup_diagnostics;
            prints = fresh.message_prints;
            derived
        };
        if diagnostics.has_errors() {
            return Err("the site has errors".into());
        }
        let Ok(templates) = templates else {
            return Err("the templates have errors".into());
        };
        // One host: the output is the files rendered (the legal links were checked by the
        // full build; they are checked again by the next one).
        let _ = legal_links;
        if site.config.is_multi_host() {
            return Err("the site is split per host".into());
        }
        // Images bring files (variants) and warnings (alt text) that only a full build
        // gathers: a changed page that shows images, before or after, is built in full.
        // (Sources are named relative to the site root, `content/news/x.md`, like `changed`.)
        for src in changed {
            let shows = |m: &crate::model::SiteModel| {
                (m.pages.iter().filter(|p| p.source == *src))
                    .any(|p| crate::images::shows_images(&p.html))
                    || (m.sections.iter())
                        .filter(|s| s.source.as_deref() == Some(src.as_str()))
                        .any(|s| crate::images::shows_images(&s.html))
            };
            if shows(model) || shows(&site) {
                return Err(format!("{src} shows images"));
            }
        }
        let same_templates = templates.sources().eq(self.renderer.templates().sources());
        let same_messages = &prints == self.renderer.language_prints();
        let (intl, fresh) = if same_templates && same_messages {
            (self.intl.clone(), false)
        } else {
            let sites = templates.message_call_sites();
            intl.catalog.mark_used(sites.keys().cloned());
            intl.catalog.set_call_sites(sites);
            (intl, true)
        };
        diagnostics.extend(templates.warnings().iter().cloned());
        let pages_per_language: Vec<(String, usize)> = (site.config.languages.iter())
            .map(|l| {
                let n = (site.pages.iter())
                    .filter(|p| p.lang == l.code && !p.fallback)
                    .count();
                (l.code.clone(), n)
            })
            .collect();
        trace.stage("update: derived the new model");
        let (renderer, pending) = self.renderer.next(
            site,
            templates,
            &intl,
            prints,
            &abs_changed,
            // The pages made again, when the model is the one served with those edited.
            derivation.edited_pages(),
            &trace,
        )?;
        let i18n_report = intl.catalog.report();
        if (fresh && !i18n_report.is_empty()) || (!fresh && i18n_report != self.i18n_report) {
            return Err("the interface translations report something new".into());
        }
        diagnostics.extend(i18n_report.iter().cloned());
        let sink = Recording {
            inner: InPlace::new(&self.opts.output_dir()).map_err(|e| e.to_string())?,
            touched: std::sync::Mutex::new(Vec::new()),
        };
        let files = {
            let _whole = swap.blocking_write();
            pending
                .write(&sink)
                .map_err(|_| "cannot write the output".to_string())?
        };
        trace.stage("update: written");
        let mut touched = sink
            .touched
            .into_inner()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        touched.sort();
        touched.dedup();
        let mut sorted = self.warnings;
        let warnings = diagnostics.into_sorted_reusing(&mut sorted);
        trace.stage("update: warnings sorted");
        let report = BuildReport {
            pages_per_language,
            files,
            elapsed: start.elapsed(),
            warnings,
            unused_messages: intl.catalog.unused(),
            held_back,
        };
        // The generation replaced is large (every page's values and the compiled templates):
        // freed on another thread, after the reply (here when no thread can be started: a
        // closure that cannot run is dropped at once).
        let replaced = self.renderer;
        let _ = std::thread::Builder::new()
            .name("qiao-free".into())
            .spawn(move || drop(replaced));
        Ok((
            Session {
                opts: self.opts,
                renderer,
                intl,
                i18n_report,
                touched,
                derivation,
                setup_diagnostics,
                warnings: sorted,
            },
            report,
        ))
    }
}

/// Whether every changed path is a page template (of the site or of a theme): not a
/// directive template, which renders inside bodies, nor a theme's static file or message.
fn templates_only(changed: &[String]) -> bool {
    changed.iter().all(|rel| {
        let template = rel.starts_with("templates/")
            || rel
                .strip_prefix("themes/")
                .and_then(|r| r.split_once('/'))
                .is_some_and(|(_, r)| r.starts_with("templates/"));
        template && !rel.contains("/directives/")
    })
}

/// A sink that notes the path of every file it writes or removes.
struct Recording {
    inner: InPlace,
    touched: std::sync::Mutex<Vec<String>>,
}

impl Recording {
    fn note(&self, rel: &str) {
        self.touched
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .push(rel.to_string());
    }
}

impl Sink for Recording {
    fn write(&self, rel: &str, data: &[u8]) -> std::io::Result<()> {
        self.note(rel);
        self.inner.write(rel, data)
    }
    fn copy(&self, from: &Path, rel: &str) -> std::io::Result<()> {
        self.note(rel);
        self.inner.copy(from, rel)
    }
    fn remove(&self, rel: &str) -> std::io::Result<()> {
        self.note(rel);
        self.inner.remove(rel)
    }
    fn count(&self) -> usize {
        self.inner.count()
    }
}
