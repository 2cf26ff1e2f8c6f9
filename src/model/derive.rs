//! Re-deriving the model from a few changed sources: the half of `qiao serve`'s incremental
//! protocol that produces a new [`SiteModel`] (the other half diffs it against the old one
//! and re-renders what changed).
//!
//! A [`Derivation`] keeps the files of `content/` as the walk found them
//! ([`crate::content::known`]) and, per Markdown source, its content hash, its parsed
//! document (as read, before translations inherit shared fields), its rendered body with the
//! `@/` lookups that rendering made ([`Lookup`]), and its link checks with the lookups they
//! made ([`LinkProbes`]). [`Derivation::update`] looks only at the changed paths (by the
//! walk's own rule; a changed directory is walked again), reads and parses only the files
//! that changed, and runs every step of [`super::build`] over the cache: a body is rendered
//! again only when its text, its place (site path, bundle) or what one of its lookups
//! resolves to changed; its links are checked again only when it was rendered again or a
//! lookup of its check answers differently; a translation revision is hashed again only when
//! its source's text changed. Rendered bodies and source texts are shared between the cache
//! and the models, not copied. The taxonomies (step 6) are kept when
//! what they read of the pages is byte for byte the same ([`super::taxonomies::inputs`]; a
//! body edit changes none of it), and shared with the new model. The other steps (placing,
//! link tables, stale blocks, pages, sections, aliases, menus) are site-wide and run again
//! in full, so the result equals a fresh [`super::build`], diagnostics included. Each step is timed
//! ([`Derivation::steps`]; printed with `QIAO_TRACE=1`).
//!
//! `qiao serve` calls [`Derivation::update_from`] with the model it serves: when only the
//! bodies of pages changed (front matter and anchors as they were), the new model is that
//! model with those pages made again, without the site-wide steps; with debug assertions,
//! every step runs too and must give the same.
//!
//! A change to a file of `content/` that is not Markdown (an image, a bundle file) may change
//! how images are sized and which files directives find: [`Derivation::update`] then renders
//! every body again. Changes to `site.toml`, templates or static files need a new
//! [`Derivation`].

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

// The derivation's tables are keyed by the site's own paths and keys, and a structural edit
// looks up every one of them again: FxHash, not SipHash.
use rustc_hash::FxHashMap;

use rayon::prelude::*;

use super::bodies::{self, PerSource, RenderedSource};
use super::links::{LinkProbes, Lookup};
use super::load::{self, HeldBack};
use super::place::Placed;
use super::{FromTemplates, Inputs, LinkResolver, Parsed, SiteModel, SourceFacts};
use crate::config::Config;
use crate::content::known::Known;
use crate::content::{Document, Source, walk};
use crate::diagnostics::Diagnostic;
use crate::markdown;
use crate::translation::Revision;

/// What the model is derived from besides `content/`: fixed for the life of a [`Derivation`].
pub struct Settings {
    /// The site root.
    pub root: PathBuf,
    /// Validated configuration.
    pub config: Config,
    /// Publish drafts.
    pub drafts: bool,
    /// Publish pages dated in the future.
    pub future: bool,
    /// Ids the templates define (`main`), which generated heading ids avoid.
    pub template_ids: Vec<String>,
    /// The directive templates, compiled.
    pub directives: Option<Arc<crate::directives::DirectiveSet>>,
    /// The images pages show, shared by every model derived.
    pub images: Arc<crate::images::Images>,
}

// `Settings::load` is in the build module, made by the build's own set-up.

/// One source as last read.
struct Read {
    /// BLAKE3 of the file's bytes as read (after the text reader's normalization).
    hash: blake3::Hash,
    /// The parsed document, or why it could not be parsed.
    parsed: Result<Document, Vec<Diagnostic>>,
}

/// One body as last rendered, with what it depended on.
#[derive(Clone)]
struct Memo {
    hash: blake3::Hash,
    path: String,
    key: String,
    bundle: bool,
    lookups: Vec<Lookup>,
    rendered: Arc<markdown::Rendered>,
}

/// The model of a site with, per source, what deriving it again needs (see the module
/// documentation).
pub struct Derivation {
    settings: Settings,
    /// The files of `content/`, as the walk finds them.
    known: Known,
    /// By path relative to `content/`.
    read: FxHashMap<String, Read>,
    /// By path relative to `content/`.
    memos: FxHashMap<String, Memo>,
    /// Translation revisions by the text hash of their source.
    revisions: FxHashMap<blake3::Hash, Revision>,
    /// The link checks of each source, by path relative to `content/`.
    checks: FxHashMap<String, Checked>,
    /// What plain links were checked against in the last derivation.
    outputs: Option<Outputs>,
    /// The taxonomies of the last derivation, with what they were made of
    /// ([`super::taxonomies::inputs`]).
    taxonomies: Option<KeptTaxonomies>,
    /// How many bodies the last derivation rendered.
    rendered_last: usize,
    /// The findings of the cross-language checks ([`crate::crosscheck`]) per page key, with
    /// a print of the files of that key they were found in; `None` when they are not run.
    cross_checks: Option<FxHashMap<String, (blake3::Hash, Vec<Diagnostic>)>>,
    /// The time each step of the last derivation took.
    steps: super::steps::Steps,
    /// What the last derivation returned besides its model, for [`Derivation::update_from`].
    last: Option<Last>,
    /// When the last derivation made its model from the one served: the pages it made
    /// again (see [`Derivation::edited_pages`]).
    edited: Option<Vec<super::PageId>>,
}

/// What a derivation returned besides its model, and when loading the same files would load
/// something else.
struct Last {
    diagnostics: Vec<Diagnostic>,
    held_back: HeldBack,
    /// See [`load::Loaded::next_due`].
    next_due: Option<i64>,
}

/// What one derivation produced.
pub struct Derived {
    /// The model, equal to what [`super::build`] makes of the same files.
    pub model: SiteModel,
    /// The problems of reading, parsing and deriving, as a build reports them.
    pub diagnostics: Vec<Diagnostic>,
    /// Drafts and future pages left out.
    pub held_back: HeldBack,
}

impl Derivation {
    /// Reads and derives the whole site.
    pub fn new(settings: Settings) -> (Derivation, Derived) {
        Derivation::start(settings, false)
    }

    /// Reads and derives the whole site like [`Derivation::new`], and runs the
    /// cross-language checks too, as a build does: each update checks again only the pages
    /// (a source with its translations) whose files changed.
    pub fn with_cross_checks(settings: Settings) -> (Derivation, Derived) {
        Derivation::start(settings, true)
    }

    fn start(settings: Settings, cross_checks: bool) -> (Derivation, Derived) {
        let known = Known::walk(&settings.root.join("content"), "content");
        let mut d = Derivation {
            known,
            settings,
            read: FxHashMap::default(),
            memos: FxHashMap::default(),
            revisions: FxHashMap::default(),
            checks: FxHashMap::default(),
            outputs: None,
            taxonomies: None,
            rendered_last: 0,
            cross_checks: cross_checks.then(FxHashMap::default),
            steps: super::steps::Steps::new(),
            last: None,
            edited: None,
        };
        let derived = d.derive();
        (d, derived)
    }

    /// Derives the model again after the files `changed` (absolute, or relative to the
    /// site root; created, modified or deleted) changed on disk.
    pub fn update(&mut self, changed: &[PathBuf]) -> Derived {
        let mut steps = super::steps::Steps::new();
        self.take_changes(changed);
        steps.mark("changed files");
        self.derive_steps(steps)
    }

    /// [`Derivation::update`], given the model that the last derivation made (`served`):
    /// when only the bodies of pages changed, the new model is made from it without the
    /// site-wide steps. That is when every changed file is the source of a published page
    /// (not an `_index`; the file its page was made from) whose front matter is byte for
    /// byte as it was, and whose body
    /// defines the same anchors; when it is in the default language, translations compare
    /// it with the same revision; it is not a stale translation (its marks come from its
    /// body); the site requires no translations (`[translation] required`, whose warnings
    /// count days); and no page held back as future has fallen due. Everything the
    /// site-wide steps make (places, link tables, sections and their order, taxonomies,
    /// aliases, menus) reads front matter, file names and anchors only, so it is as it was:
    /// those pages and their fallback copies are made again by the functions of steps 3 and
    /// 4 ([`super::pages::page_of`], [`super::pages::fallback_copy`]) and keep their place,
    /// their cross-language checks and link checks are run again, and the rest of the
    /// model is copied from `served`. Otherwise every step runs, as in
    /// [`Derivation::update`]. With debug assertions, the result is compared with what
    /// every step makes, and a difference fails.
    pub fn update_from(&mut self, changed: &[PathBuf], served: &SiteModel) -> Derived {
        let mut steps = super::steps::Steps::new();
        let changes = self.take_changes(changed);
        steps.mark("changed files");
        if changes.other_than_markdown {
            return self.derive_steps(steps);
        }
        let Some((derived, edited)) = self.edit_bodies(&changes.files, served, &mut steps) else {
            return self.derive_steps(steps);
        };
        steps.trace("derive (bodies)");
        #[cfg(debug_assertions)]
        self.assert_as_every_step(&derived);
        self.steps = steps;
        self.edited = Some(edited);
        derived
    }

    /// Runs every step, and fails when the model or the problems differ from `derived`,
    /// which [`Derivation::update_from`] made from the model served.
    #[cfg(debug_assertions)]
    fn assert_as_every_step(&mut self, derived: &Derived) {
        let rendered_last = self.rendered_last;
        let full = self.derive_steps(super::steps::Steps::new());
        assert_eq!(
            full.model.rendering_inputs(),
            derived.model.rendering_inputs(),
            "a body edit made another model than every step makes"
        );
        let sorted = |ds: &[Diagnostic]| {
            let mut v: Vec<String> = ds.iter().map(|d| format!("{d:?}")).collect();
            v.sort();
            v
        };
        assert_eq!(
            sorted(&full.diagnostics),
            sorted(&derived.diagnostics),
            "a body edit found other problems than every step finds"
        );
        assert_eq!(full.held_back, derived.held_back);
        self.rendered_last = rendered_last;
    }

    /// Takes note of the changed files: only the changed paths are looked at (a directory's
    /// are walked), by the walk's own rule; their reads are forgotten, and a file that is gone
    /// with all that was kept of it. A changed file that is not Markdown may change how
    /// images are sized and what directives find: every body is rendered again.
    fn take_changes(&mut self, changed: &[PathBuf]) -> crate::content::known::Changes {
        let changed: Vec<PathBuf> = changed
            .iter()
            .map(|p| {
                if p.is_absolute() {
                    p.clone()
                } else {
                    self.settings.root.join(p)
                }
            })
            .collect();
        let changes = self.known.update(&changed);
        if changes.other_than_markdown {
            self.memos.clear();
        }
        for rel in &changes.files {
            self.read.remove(rel);
            if !self.known.contains(rel) {
                self.memos.remove(rel);
                self.checks.remove(rel);
            }
        }
        changes
    }

    /// The model and problems of the site after the bodies of the pages at `files`
    /// (relative to `content/`) changed, made from `served` (see
    /// [`Derivation::update_from`]); `None` when some change may reach further than its
    /// page, or anything else differs from what `served` was made of. Nothing is kept
    /// before every check has passed.
    fn edit_bodies(
        &mut self,
        files: &[String],
        served: &SiteModel,
        steps: &mut super::steps::Steps,
    ) -> Option<(Derived, Vec<super::PageId>)> {
        let s = &self.settings;
        let config = &s.config;
        let last = self.last.as_ref()?;
        if last
            .next_due
            .is_some_and(|due| due <= load::now_timestamp())
            || !config.translation.required.is_empty()
        {
            return None;
        }
        let resolver = served.resolver();
        // The anchors of every page and section, for the link checks of the edited pages
        // (made when a link first asks).
        let anchors_by_key: std::sync::OnceLock<FxHashMap<(&str, &str), &[String]>> =
            std::sync::OnceLock::new();
        let anchors = |k: &(String, String)| {
            let by_key = anchors_by_key.get_or_init(|| {
                (served.sources.values())
                    .map(|f| {
                        let key = (f.source.key.as_str(), f.source.lang.as_str());
                        (key, f.anchors.as_slice())
                    })
                    .collect()
            });
            by_key.get(&(k.0.as_str(), k.1.as_str())).copied()
        };
        let mut edits: Vec<Edit> = Vec::with_capacity(files.len());
        for rel in files {
            let site_rel = format!("content/{rel}");
            let old = served.sources.get(&site_rel)?;
            let source = &old.source;
            if source.kind != crate::content::SourceKind::Page || !self.known.contains(rel) {
                return None;
            }
            let lang = config.lang(&source.lang)?;
            let id = *served.page_index.get(&(source.key.clone(), lang))?;
            let page = &served.pages[id];
            // Two files of one key and language (`x.md` and `x.zh.md` in the default
            // language) both make pages, but the index names one: it must be this file's.
            if page.source != site_rel {
                return None;
            }
            // A stale translation's marks come from its body and its source's: neither may
            // be edited here.
            let stale = |p: &super::Page| {
                p.translation == crate::translation::TranslationState::Stale
                    || !p.stale_sections.is_empty()
            };
            let mut translations = (config.languages.iter())
                .filter_map(|l| served.page_at(&l.code, &source.key))
                .map(|i| &served.pages[i]);
            if stale(page) || (lang == config.default_language && translations.any(stale)) {
                return None;
            }
            let read = read_source(source, &site_rel, &config.timezone);
            let doc = read.parsed.as_ref().ok()?;
            if doc.text.get(..doc.body_start) != Some(old.head.as_str()) {
                return None;
            }
            let parsed = Parsed {
                source: source.clone(),
                doc: with_text_of(&page.doc, doc),
            };
            let revision = match served.source_hashes.get(&source.key) {
                Some(before) if source.lang == config.default_language => {
                    let now = Revision::of(&parsed.doc);
                    if now != *before {
                        return None;
                    }
                    Some((read.hash, now))
                }
                _ => None,
            };
            let (rendered, lookups) = resolver.render_recorded(&parsed, &page.path);
            if rendered.anchors != old.anchors {
                return None;
            }
            let link_diagnostics = resolver.check_links(&parsed, &rendered, &anchors);
            let probes = resolver.probes(&parsed, &rendered, &anchors);
            let r = bodies::RenderedSource {
                parsed,
                path: page.path.clone(),
                rendered: Arc::new(rendered),
            };
            let facts = Arc::new(bodies::facts(&r, link_diagnostics));
            edits.push(Edit {
                rel: rel.clone(),
                site_rel,
                id,
                read,
                revision,
                lookups,
                rendered: r,
                checked: Checked { probes, facts },
            });
        }
        steps.mark("bodies");

        // The pages, and the fallback copies of those in the default language.
        let mut model = served.clone();
        steps.mark("copy of the model served");
        let mut edited = Vec::new();
        for e in &edits {
            let old = &served.pages[e.id];
            let mut parsed = e.rendered.parsed.clone();
            parsed.doc.release_text();
            let translation = crate::translation::state_of(
                &parsed.doc,
                &parsed.source.lang,
                config,
                served.source_hashes.get(&parsed.source.key),
            );
            let made = super::pages::page_of(
                config,
                parsed,
                e.rendered.path.clone(),
                &e.rendered.rendered,
                translation,
                Vec::new(),
                old.assets.clone(),
            );
            model.pages.set(e.id, keep_place(made, old));
            edited.push(e.id);
            if old.lang == config.default_language {
                for l in config.languages.iter().filter(|l| !l.is_default) {
                    if let Some(c) = served.page_at(&l.code, &old.key)
                        && served.pages[c].fallback
                    {
                        let copy = super::pages::fallback_copy(config, &model.pages[e.id], l);
                        model.pages.set(c, keep_place(copy, &served.pages[c]));
                        edited.push(c);
                    }
                }
            }
            model
                .sources
                .insert(e.site_rel.clone(), e.checked.facts.clone());
        }
        steps.mark("pages");

        // Problems: the link checks of the edited pages, and the cross-language checks of
        // the pages they belong to, in the places of those they replace.
        let mut diagnostics = last.diagnostics.clone();
        for e in &edits {
            let old = &served.sources[&e.site_rel];
            if !replace_run(
                &mut diagnostics,
                &old.link_diagnostics,
                &e.checked.facts.link_diagnostics,
            ) {
                return None;
            }
        }
        let mut cross = Vec::new();
        if let Some(memo) = &self.cross_checks {
            let keys: std::collections::BTreeSet<&str> = (edits.iter())
                .map(|e| e.rendered.parsed.source.key.as_str())
                .collect();
            for key in keys {
                let (print, found) = self.cross_check_page(served, key, &edits)?;
                let before = memo.get(key).map_or(&[][..], |(_, ds)| ds.as_slice());
                if !replace_run(&mut diagnostics, before, &found) {
                    return None;
                }
                cross.push((key.to_string(), (print, found)));
            }
        }
        steps.mark("cross-language checks");

        // Every check passed: what was made is kept.
        self.rendered_last = edits.len();
        for e in edits {
            let source = &e.rendered.parsed.source;
            let memo = Memo {
                hash: e.read.hash,
                path: e.rendered.path.clone(),
                key: source.key.clone(),
                bundle: source.bundle,
                lookups: e.lookups,
                rendered: e.rendered.rendered.clone(),
            };
            self.memos.insert(e.rel.clone(), memo);
            if let Some((hash, revision)) = e.revision {
                self.revisions.insert(hash, revision);
            }
            self.checks.insert(e.rel.clone(), e.checked);
            self.read.insert(e.rel, e.read);
        }
        if let Some(memo) = &mut self.cross_checks {
            memo.extend(cross);
        }
        let held_back = last.held_back.clone();
        if let Some(last) = &mut self.last {
            last.diagnostics = diagnostics.clone();
        }
        steps.mark("keep memos");
        edited.sort();
        edited.dedup();
        Some((
            Derived {
                model,
                diagnostics,
                held_back,
            },
            edited,
        ))
    }

    /// The cross-language findings of the page `key` (its source and translations as in
    /// `served`, the texts of `edits` for those edited) and the print of its files, as
    /// [`cross_checks`] makes them.
    fn cross_check_page(
        &self,
        served: &SiteModel,
        key: &str,
        edits: &[Edit],
    ) -> Option<(blake3::Hash, Vec<Diagnostic>)> {
        let s = &self.settings;
        let mut group: Vec<(Parsed, Option<blake3::Hash>)> = Vec::new();
        for l in &s.config.languages {
            let Some(i) = served.page_at(&l.code, key) else {
                continue;
            };
            let page = &served.pages[i];
            if page.fallback {
                continue;
            }
            let rel = page.source.strip_prefix("content/")?;
            match edits.iter().find(|e| e.rel == rel) {
                Some(e) => group.push((e.rendered.parsed.clone(), Some(e.read.hash))),
                None => {
                    let read = self.read.get(rel)?;
                    let doc = read.parsed.as_ref().ok()?;
                    let source = served.sources.get(&page.source)?.source.clone();
                    let doc = with_text_of(&page.doc, doc);
                    group.push((Parsed { source, doc }, Some(read.hash)));
                }
            }
        }
        group.sort_by(|a, b| a.0.source.rel.cmp(&b.0.source.rel));
        let mut h = blake3::Hasher::new();
        for (p, hash) in &group {
            file_print(&mut h, &p.source.rel, *hash);
        }
        let parsed: Vec<Parsed> = group.into_iter().map(|(p, _)| p).collect();
        let (_, found) =
            crate::crosscheck::check_groups(&s.root, &s.config, &parsed, &|k| k == key);
        let findings = found.into_iter().find(|(k, _)| k == key).map(|(_, ds)| ds);
        Some((h.finalize(), findings.unwrap_or_default()))
    }

    /// What the model is derived from besides `content/`.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// When the last derivation made its model from the model served (see
    /// [`Derivation::update_from`]): the pages it made again, edited pages and their
    /// fallback copies, in their places. Every other page, section, taxonomy and term is
    /// as it was, and so is every related list (they read front matter only).
    pub fn edited_pages(&self) -> Option<&[super::PageId]> {
        self.edited.as_deref()
    }

    /// How many bodies the last derivation rendered (the others were reused).
    pub fn rendered_last(&self) -> usize {
        self.rendered_last
    }

    /// The time each step of the last derivation took (printed to stderr as it ends when
    /// `QIAO_TRACE=1`).
    pub fn steps(&self) -> &super::steps::Steps {
        &self.steps
    }

    fn derive(&mut self) -> Derived {
        self.derive_steps(super::steps::Steps::new())
    }

    fn derive_steps(&mut self, mut steps: super::steps::Steps) -> Derived {
        self.edited = None;
        let derived = self.derive_with(&mut steps);
        steps.trace("derive");
        self.steps = steps;
        derived
    }

    fn derive_with(&mut self, steps: &mut super::steps::Steps) -> Derived {
        let s = &self.settings;
        let fresh: Mutex<Vec<(String, Read)>> = Mutex::default();
        let read = &self.read;
        let parse =
            |source: Source, display: String| -> Result<Parsed, (Source, Vec<Diagnostic>)> {
                let doc = match read.get(&source.rel) {
                    Some(r) => r.parsed.clone(),
                    None => {
                        let r = read_source(&source, &display, &s.config.timezone);
                        let doc = r.parsed.clone();
                        if let Ok(mut f) = fresh.lock() {
                            f.push((source.rel.clone(), r));
                        }
                        doc
                    }
                };
                match doc {
                    Ok(doc) => Ok(Parsed { source, doc }),
                    Err(ds) => Err((source, ds)),
                }
            };
        let content = s.root.join("content");
        let walked = if content.is_dir() {
            let files = (self.known.files())
                .map(|(rel, target)| (rel.to_string(), target.to_path_buf()))
                .collect();
            let mut walked = walk::classify(files, &s.config);
            (walked.diagnostics).splice(0..0, self.known.diagnostics().cloned());
            walked
        } else {
            walk::walk(&content, &s.config)
        };
        steps.mark("classify files");
        let loaded = load::load_walked(walked, &s.config, s.drafts, s.future, &parse);
        steps.mark("load");
        let fresh = fresh.into_inner().unwrap_or_default();
        self.read.extend(fresh);

        let mut diagnostics = loaded.diagnostics;
        diagnostics.extend(crate::translation::policy_diagnostics(
            &s.config,
            &loaded.parsed,
        ));
        diagnostics.extend(crate::translation::leftover_markers(
            &s.config,
            &loaded.parsed,
        ));
        steps.mark("policy, leftover markers");
        if let Some(memo) = &mut self.cross_checks {
            diagnostics.extend(cross_checks(s, &loaded.parsed, &self.read, memo));
        }
        steps.mark("cross-language checks");
        let inputs = Inputs {
            config: s.config.clone(),
            assets: loaded.assets,
            from_templates: FromTemplates {
                ids: s.template_ids.clone(),
                directives: s.directives.clone(),
            },
            images: s.images.clone(),
            unpublished: loaded.unpublished,
            root: s.root.clone(),
        };
        let mut cache = Cache {
            read: &self.read,
            memos: &self.memos,
            revisions: &self.revisions,
            checks: &self.checks,
            outputs: self.outputs.take(),
            taxonomies: self.taxonomies.take(),
            new_memos: Vec::new(),
            new_revisions: Mutex::default(),
            new_checks: Mutex::default(),
        };
        let model = super::assemble(inputs, loaded.parsed, &mut cache, &mut diagnostics, steps);
        let Cache {
            new_memos,
            new_revisions,
            new_checks,
            outputs,
            taxonomies,
            ..
        } = cache;
        self.taxonomies = taxonomies;
        self.rendered_last = new_memos.len();
        self.checks
            .extend(new_checks.into_inner().unwrap_or_default());
        self.outputs = outputs;
        self.memos.extend(new_memos);
        let new_revisions = new_revisions.into_inner().unwrap_or_default();
        if !new_revisions.is_empty() {
            // Revisions of texts no source has any more are not needed again.
            let hashes: HashSet<blake3::Hash> = self.read.values().map(|r| r.hash).collect();
            self.revisions.retain(|h, _| hashes.contains(h));
            self.revisions.extend(new_revisions);
        }
        self.last = Some(Last {
            diagnostics: diagnostics.clone(),
            held_back: loaded.held_back.clone(),
            next_due: loaded.next_due,
        });
        steps.mark("keep memos");
        Derived {
            model,
            diagnostics,
            held_back: loaded.held_back,
        }
    }
}

/// The cross-language checks of `parsed`, checking again only the keys whose files changed
/// since the findings in `memo` were made (a key's files: its source and translations, by
/// path and text hash).
fn cross_checks(
    s: &Settings,
    parsed: &[Parsed],
    read: &FxHashMap<String, Read>,
    memo: &mut FxHashMap<String, (blake3::Hash, Vec<Diagnostic>)>,
) -> Vec<Diagnostic> {
    // Each key's files in path order, hashed by one hasher in turn (a hasher per key is
    // about 2 KB to set up and move, for each of tens of thousands of keys on every update).
    let mut files: Vec<(&str, &str)> = (parsed.iter())
        .map(|p| (p.source.key.as_str(), p.source.rel.as_str()))
        .collect();
    files.sort_unstable();
    let mut prints: FxHashMap<&str, blake3::Hash> =
        FxHashMap::with_capacity_and_hasher(files.len(), Default::default());
    let mut h = blake3::Hasher::new();
    for (i, &(key, rel)) in files.iter().enumerate() {
        file_print(&mut h, rel, read.get(rel).map(|r| r.hash));
        if files.get(i + 1).is_none_or(|&(next, _)| next != key) {
            prints.insert(key, h.finalize());
            h.reset();
        }
    }
    memo.retain(|k, (print, _)| prints.get(k.as_str()) == Some(print));
    let known: &FxHashMap<String, _> = memo;
    let (mut diagnostics, found) =
        crate::crosscheck::check_groups(&s.root, &s.config, parsed, &|k| !known.contains_key(k));
    for (key, findings) in found {
        if let Some(&print) = prints.get(key.as_str()) {
            memo.insert(key, (print, findings));
        }
    }
    // Keys with nothing to check (no translation): remembered as checked, without
    // allocating a key for the others on every update.
    for (key, print) in prints {
        if !memo.contains_key(key) {
            memo.insert(key.to_string(), (print, Vec::new()));
        }
    }
    let mut keys: Vec<&String> = memo.keys().collect();
    keys.sort();
    diagnostics.extend(keys.into_iter().flat_map(|k| memo[k].1.iter().cloned()));
    diagnostics
}

/// A page whose body was edited, made again (see [`Derivation::update_from`]).
struct Edit {
    /// Relative to `content/`.
    rel: String,
    /// Relative to the site root.
    site_rel: String,
    id: super::PageId,
    read: Read,
    /// The revision of a default-language source that translations record, by text hash.
    revision: Option<(blake3::Hash, Revision)>,
    /// What its rendering looked up.
    lookups: Vec<super::links::Lookup>,
    rendered: bodies::RenderedSource,
    checked: Checked,
}

/// The document of a page as loaded (`loaded`: shared fields inherited, which come from
/// front matter; its text released), with the text of `read`, the file as read now with the
/// same front matter.
fn with_text_of(
    loaded: &crate::content::Document,
    read: &crate::content::Document,
) -> crate::content::Document {
    crate::content::Document {
        text: read.text.clone(),
        body_start: read.body_start,
        body_line: read.body_line,
        ..loaded.clone()
    }
}

/// `made` in the place of `old` in its section, with its terms: what steps 5 and 6 gave
/// `old` from front matter that `made` has too.
fn keep_place(made: super::Page, old: &super::Page) -> super::Page {
    super::Page {
        section: old.section,
        prev: old.prev,
        next: old.next,
        terms: old.terms.clone(),
        ..made
    }
}

/// Replaces in `all` the run of diagnostics that are `old` (the same handles, one after
/// another) with `new`; `new` is added at the end when `old` is empty. `false` when `old`
/// is not found.
fn replace_run(all: &mut Vec<Diagnostic>, old: &[Diagnostic], new: &[Diagnostic]) -> bool {
    let Some(first) = old.first() else {
        all.extend(new.iter().cloned());
        return true;
    };
    let Some(at) = all.iter().position(|d| d.same_handle(first)) else {
        return false;
    };
    let run = all.get(at..at + old.len());
    if !run.is_some_and(|run| run.iter().zip(old).all(|(a, b)| a.same_handle(b))) {
        return false;
    }
    all.splice(at..at + old.len(), new.iter().cloned());
    true
}

/// Adds one file of a page (a source or translation) to the print of the files its
/// cross-language findings were found in; the files are added in order of `rel`.
fn file_print(h: &mut blake3::Hasher, rel: &str, hash: Option<blake3::Hash>) {
    h.update(rel.as_bytes());
    h.update(&[0]);
    match hash {
        Some(hash) => h.update(hash.as_bytes()),
        None => h.update(&[0]),
    };
}

/// Reads and parses one source, keeping its hash.
fn read_source(source: &Source, display: &str, tz: &jiff::tz::TimeZone) -> Read {
    match crate::text::read_text(&source.abs, display) {
        Ok(text) => Read {
            hash: blake3::hash(text.as_bytes()),
            parsed: crate::content::front_matter::parse_in(&text, tz)
                .map_err(|ds| ds.into_iter().map(|d| d.in_file(display)).collect()),
        },
        Err(d) => Read {
            // Unreadable: never equal to a readable text's hash that could be cached.
            hash: blake3::hash(b"\0unreadable"),
            parsed: Err(vec![d]),
        },
    }
}

/// The link checks of one source, what they looked up, and what the model keeps of it.
struct Checked {
    probes: LinkProbes,
    facts: Arc<SourceFacts>,
}

/// What plain links are checked against: the output paths that exist, and where left-out
/// pages would be.
struct Outputs {
    files: super::PathSet,
    unpublished_dirs: std::collections::HashMap<String, (String, String)>,
    unpublished: super::UnpublishedSources,
}

impl Outputs {
    fn of(r: &LinkResolver<'_>) -> Outputs {
        Outputs {
            files: r.files.clone(),
            unpublished_dirs: r.unpublished_dirs.clone(),
            unpublished: r.unpublished.clone(),
        }
    }

    /// The output paths that a plain link to now checks differently than before.
    fn changed(&self, r: &LinkResolver<'_>) -> super::PathSet {
        let mut out: super::PathSet = r.files.symmetric_difference(&self.files).cloned().collect();
        for (dir, key) in r.unpublished_dirs {
            if self.unpublished_dirs.get(dir) != Some(key)
                || self.unpublished.get(key) != r.unpublished.get(key)
            {
                out.insert(dir.clone());
            }
        }
        for dir in self.unpublished_dirs.keys() {
            if !r.unpublished_dirs.contains_key(dir) {
                out.insert(dir.clone());
            }
        }
        out
    }
}

/// The taxonomies of a derivation and the bytes of what they were made of.
struct KeptTaxonomies {
    inputs: Vec<u8>,
    made: super::taxonomies::Taxonomies,
}

/// The per-source work of one derivation, reusing the memos of the last.
struct Cache<'d> {
    read: &'d FxHashMap<String, Read>,
    memos: &'d FxHashMap<String, Memo>,
    revisions: &'d FxHashMap<blake3::Hash, Revision>,
    checks: &'d FxHashMap<String, Checked>,
    /// Taken from the derivation, and given back up to date.
    outputs: Option<Outputs>,
    /// Taken from the derivation, and given back up to date.
    taxonomies: Option<KeptTaxonomies>,
    new_memos: Vec<(String, Memo)>,
    new_revisions: Mutex<Vec<(blake3::Hash, Revision)>>,
    new_checks: Mutex<Vec<(String, Checked)>>,
}

impl Cache<'_> {
    fn hash_of(&self, p: &Parsed) -> Option<blake3::Hash> {
        self.read.get(&p.source.rel).map(|r| r.hash)
    }

    /// The memo of `p` at `path`, when nothing it depended on changed.
    fn reusable(&self, resolver: &LinkResolver<'_>, p: &Parsed, path: &str) -> Option<&Memo> {
        let memo = self.memos.get(&p.source.rel)?;
        let same = Some(memo.hash) == self.hash_of(p)
            && memo.path == path
            && memo.key == p.source.key
            && memo.bundle == p.source.bundle
            && memo
                .lookups
                .iter()
                .all(|l| resolver.lookup(&l.target, &p.source.lang) == l.url);
        same.then_some(memo)
    }
}

impl PerSource for Cache<'_> {
    fn render(&mut self, resolver: &LinkResolver<'_>, placed: Vec<Placed>) -> Vec<RenderedSource> {
        let this = &*self;
        let done: Vec<(RenderedSource, Option<Memo>)> = placed
            .into_par_iter()
            .map(|Placed { parsed, path }| {
                if let Some(memo) = this.reusable(resolver, &parsed, &path) {
                    let rendered = memo.rendered.clone();
                    return (
                        RenderedSource {
                            parsed,
                            path,
                            rendered,
                        },
                        None,
                    );
                }
                let (rendered, lookups) = resolver.render_recorded(&parsed, &path);
                let rendered = Arc::new(rendered);
                let memo = this.hash_of(&parsed).map(|hash| Memo {
                    hash,
                    path: path.clone(),
                    key: parsed.source.key.clone(),
                    bundle: parsed.source.bundle,
                    lookups,
                    rendered: rendered.clone(),
                });
                (
                    RenderedSource {
                        parsed,
                        path,
                        rendered,
                    },
                    memo,
                )
            })
            .collect();
        let mut out = Vec::with_capacity(done.len());
        for (r, memo) in done {
            if let Some(m) = memo {
                self.new_memos.push((r.parsed.source.rel.clone(), m));
            }
            out.push(r);
        }
        out
    }

    fn check(
        &mut self,
        resolver: &LinkResolver<'_>,
        rendered: &[RenderedSource],
        diags: &mut Vec<Diagnostic>,
    ) -> super::Sources {
        // Sources rendered again are checked again; the others when a lookup of their check
        // answers differently now.
        let again: HashSet<&str> = self.new_memos.iter().map(|(rel, _)| rel.as_str()).collect();
        let changed = self.outputs.as_ref().map(|o| o.changed(resolver));
        let (checks, new_checks) = (self.checks, &self.new_checks);
        let facts = bodies::check_all_with(rendered, diags, &|r, anchors| {
            let rel = &r.parsed.source.rel;
            if let (Some(changed), Some(c), false) =
                (&changed, checks.get(rel), again.contains(rel.as_str()))
                && c.facts.source == r.parsed.source
                && c.probes.hold(resolver, anchors, changed)
            {
                return c.facts.clone();
            }
            let diagnostics = resolver.check_links(&r.parsed, &r.rendered, anchors);
            let probes = resolver.probes(&r.parsed, &r.rendered, anchors);
            let facts = Arc::new(bodies::facts(r, diagnostics));
            if let Ok(mut new) = new_checks.lock() {
                new.push((
                    rel.clone(),
                    Checked {
                        probes,
                        facts: facts.clone(),
                    },
                ));
            }
            facts
        });
        // What plain links are checked against, brought up to date.
        let mut outputs = self.outputs.take().unwrap_or_else(|| Outputs::of(resolver));
        for path in changed.iter().flatten() {
            if resolver.files.contains(path) {
                outputs.files.insert(path.clone());
            } else {
                outputs.files.remove(path);
            }
        }
        outputs.unpublished_dirs = resolver.unpublished_dirs.clone();
        outputs.unpublished = resolver.unpublished.clone();
        self.outputs = Some(outputs);
        facts
    }

    fn taxonomies(
        &mut self,
        config: &Config,
        pages: &[super::Page],
    ) -> super::taxonomies::Taxonomies {
        // Kept when the pages read the same: a body edit changes none of it. The
        // configuration is the same for the life of a derivation.
        let inputs = super::taxonomies::inputs(config, pages);
        if let Some(kept) = &self.taxonomies
            && kept.inputs == inputs
        {
            return kept.made.clone();
        }
        let made = super::taxonomies::taxonomies(config, pages);
        self.taxonomies = Some(KeptTaxonomies {
            inputs,
            made: made.clone(),
        });
        made
    }

    fn revision(&self, p: &Parsed) -> Revision {
        let hash = self.hash_of(p);
        if let Some(r) = hash.and_then(|h| self.revisions.get(&h)) {
            return r.clone();
        }
        let r = Revision::of(&p.doc);
        if let (Some(h), Ok(mut new)) = (hash, self.new_revisions.lock()) {
            new.push((h, r.clone()));
        }
        r
    }
}

impl SiteModel {
    /// Every field of the model that rendering reads, written out with maps sorted: two
    /// models with the same text render the same site. For tests that compare a derived
    /// model with a fresh build (the images, shared between derivations, are left out).
    pub fn rendering_inputs(&self) -> String {
        use std::fmt::Write as _;
        fn sorted<K: Ord + std::fmt::Debug, V: std::fmt::Debug>(
            m: impl IntoIterator<Item = (K, V)>,
        ) -> Vec<(K, V)> {
            let mut v: Vec<(K, V)> = m.into_iter().collect();
            v.sort_by(|a, b| a.0.cmp(&b.0));
            v
        }
        let SiteModel {
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
            content_assets,
            site_files,
            source_hashes,
            template_ids,
            images: _,
            directives,
            unpublished,
            unpublished_dirs,
            menus,
        } = self;
        let mut out = String::new();
        let mut files: Vec<&String> = site_files.iter().collect();
        files.sort();
        let _ = writeln!(out, "config {config:?}");
        for p in pages {
            let _ = writeln!(out, "page {p:?}");
        }
        for s in sections {
            let _ = writeln!(out, "section {s:?}");
        }
        let _ = writeln!(out, "taxonomies {taxonomies:?}");
        let _ = writeln!(out, "aliases {aliases:?}");
        let _ = writeln!(out, "static {static_assets:?}");
        let _ = writeln!(out, "page_index {:?}", sorted(page_index.iter()));
        let _ = writeln!(out, "section_index {:?}", sorted(section_index.iter()));
        let _ = writeln!(out, "sources {:?}", sorted(sources));
        let _ = writeln!(out, "link_index {:?}", sorted(link_index.iter()));
        let _ = writeln!(out, "content_assets {:?}", sorted(content_assets.iter()));
        let _ = writeln!(out, "site_files {files:?}");
        let _ = writeln!(out, "source_hashes {:?}", sorted(source_hashes));
        let _ = writeln!(out, "template_ids {template_ids:?}");
        let _ = writeln!(out, "directives {}", directives.is_some());
        let _ = writeln!(out, "unpublished {:?}", sorted(unpublished.iter()));
        let _ = writeln!(
            out,
            "unpublished_dirs {:?}",
            sorted(unpublished_dirs.iter())
        );
        let _ = writeln!(out, "menus {menus:?}");
        out
    }
}
