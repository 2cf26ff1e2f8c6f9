//! Incremental rebuilds for `qiao serve`: after a full build, the model, the template values
//! and the compiled templates stay in memory, and an edit that changes only the body of
//! pages is applied to them directly.
//!
//! The fast path is taken only when it provably gives what a full build would: the edited
//! files are known sources whose front matter is byte for byte unchanged (so no page moves,
//! is renamed, re-dated, re-titled or re-tagged, and no list changes its order), whose
//! headings define the same anchors (so no other page's `@/x.md#id` link changes), and whose
//! links are all valid. Then only the edited files are read, parsed and rendered, and only
//! the output files that show their bodies are rendered again and replaced (see
//! [`Renderer::update`]). Changed static files under `content/` or `static/` are copied.
//! Every changed path is first checked with the build's own rule ([`files::check`]): a file
//! that became a link out of the site, a FIFO or a device, and a directory moved or deleted
//! as a whole, are never read here but left to a full build, which skips or reports them.
//! Everything else (a new, deleted or renamed file, front matter, templates, interface
//! translations, `site.toml`, any error) is left to a full build, which also reports every
//! error of the site at once. A translation that is or was stale when it or its source is
//! edited is rendered again from both files, so that its blocks are marked as a full build
//! marks them ([`crate::stale`]).

use std::cmp::Ordering;
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::build::{BuildOptions, BuildReport};
use crate::content::Document;
use crate::content::files::{self, Found};
use crate::content::{SourceKind, front_matter};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::markdown;
use crate::model::{Page, Parsed, SourceFacts, date_order, list_order, page_summary};
use crate::output::{InPlace, Sink};
use crate::render::{Changed, Intl, Renderer};
use crate::translation::{Revision, TranslationState, state_of};

/// What a full build left for incremental rebuilds.
pub struct Session {
    opts: BuildOptions,
    renderer: Renderer,
    intl: Intl,
    /// Warnings of the last build that do not come from the `@/` links of a body.
    other_warnings: Vec<Diagnostic>,
    /// What the interface translations reported after the full build: a rebuild that makes
    /// them report something else (a template reached a missing message) is not applied.
    i18n_report: Vec<Diagnostic>,
    pages_per_language: Vec<(String, usize)>,
    /// Drafts and future pages the full build left out (an incremental edit never changes
    /// which: a draft toggle or a date moving into the future needs a full build).
    held_back: crate::build::HeldBack,
    /// (key, language) → source path, to find a link target's anchors.
    by_id: HashMap<(String, String), String>,
    /// The output files the last [`Session::update`] wrote or removed.
    touched: Vec<String>,
}

/// A Markdown file read, parsed and rendered, ready to replace its page's body.
struct Edit {
    rel: String,
    /// The new front matter, as written.
    head: String,
    /// Whether the front matter changed (only fields that move nothing, see [`movable`]).
    front_matter: bool,
    parsed: Parsed,
    rendered: markdown::Rendered,
    link_diagnostics: Vec<Diagnostic>,
}

impl Session {
    pub(crate) fn new(
        opts: BuildOptions,
        renderer: Renderer,
        intl: Intl,
        warnings: &[Diagnostic],
        pages_per_language: Vec<(String, usize)>,
        held_back: crate::build::HeldBack,
    ) -> Session {
        let model = renderer.model();
        // The warnings that are not a source's own link warnings (each taken out once): a
        // count per diagnostic, so that a build with many warnings does not pay for each
        // link warning a search through all of them.
        let mut links: HashMap<&Diagnostic, usize> = HashMap::new();
        for facts in model.sources.values() {
            for d in &facts.link_diagnostics {
                *links.entry(d).or_default() += 1;
            }
        }
        let other_warnings: Vec<Diagnostic> = warnings
            .iter()
            .filter(|w| match links.get_mut(w) {
                Some(n) if *n > 0 => {
                    *n -= 1;
                    false
                }
                _ => true,
            })
            .cloned()
            .collect();
        let by_id = model
            .sources
            .iter()
            .map(|(rel, f)| ((f.source.key.clone(), f.source.lang.clone()), rel.clone()))
            .collect();
        let i18n_report = intl.catalog.report();
        Session {
            opts,
            renderer,
            intl,
            other_warnings,
            i18n_report,
            pages_per_language,
            held_back,
            by_id,
            touched: Vec::new(),
        }
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

    /// Applies changes to the files at `changed` (paths relative to the site root, as the
    /// watcher reports them) and writes the affected output files into the output directory.
    /// `Err` says why a full build is needed instead; the session is then spent (parts of it
    /// may already reflect the change) and nothing was written.
    pub fn update(mut self, changed: &[String]) -> Result<(Session, BuildReport), String> {
        let start = Instant::now();
        let root = self.opts.root.clone();
        let mut edits = Vec::new();
        let mut copies: Vec<(PathBuf, String)> = Vec::new();
        for rel in changed {
            if rel.contains(char::REPLACEMENT_CHARACTER) {
                // The watcher's lossy form of a name that is not UTF-8 (see `classify`).
                return Err(format!("{rel}: the name may not be UTF-8"));
            }
            let abs = root.join(rel);
            let model = self.renderer.model();
            let copied_to = self.renderer.copy_target(&abs).map(str::to_string);
            let source = model.sources.contains_key(rel.as_str());
            // A directory moved or deleted as a whole is one event for the directory.
            let under = format!("{rel}/");
            let holds_known = source
                || copied_to.is_some()
                || model.sources.keys().any(|k| k.starts_with(&under))
                || self.renderer.copies_from_under(&abs);
            let Some(tree) = tree_of(&root, rel) else {
                return Err(format!("{rel} is not under content/ or static/"));
            };
            // The same rule as the build's walk: inside the tree, a regular file after
            // resolving links, not ignored.
            match (files::check(&tree, &abs), copied_to) {
                // Created and removed within the burst (an editor's temporary file, such as
                // JetBrains' `x.md___jb_tmp___`): not in the site, then or now. (A skipped
                // file is left to a full build, which warns about it.)
                (Found::Missing, _) if !holds_known => continue,
                (Found::File(target), None) if source => edits.push(self.read(rel, &target)?),
                // Pages carry the size and the variants of the images they show.
                (Found::File(target), Some(_))
                    if !source && (model.images.shows(&abs) || model.images.shows(&target)) =>
                {
                    return Err(format!("{rel} is an image that pages show"));
                }
                (Found::File(target), Some(out)) if !source => copies.push((target, out)),
                (Found::Missing, _) => return Err("a file was removed".to_string()),
                _ => return Err(format!("{rel} is new, moved or not a regular file")),
            }
        }

        let changed = self.apply(edits)?;
        let pending = self
            .renderer
            .update(&changed)
            .map_err(|_| "a template failed".to_string())?;
        if self.intl.catalog.report() != self.i18n_report {
            return Err("the interface translations report something new".into());
        }
        let sink = Recording {
            inner: InPlace::new(&self.opts.output_dir()).map_err(|e| e.to_string())?,
            touched: std::sync::Mutex::new(Vec::new()),
        };
        let mut files = pending
            .write(&sink)
            .map_err(|_| "cannot write the output".to_string())?;
        for (abs, out) in &copies {
            sink.copy(abs, out).map_err(|e| e.to_string())?;
            files += 1;
        }
        let mut touched = sink
            .touched
            .into_inner()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        touched.sort();
        touched.dedup();
        self.touched = touched;
        let report = BuildReport {
            pages_per_language: self.pages_per_language.clone(),
            files,
            elapsed: start.elapsed(),
            warnings: self.warnings(),
            unused_messages: self.intl.catalog.unused(),
            held_back: self.held_back.clone(),
        };
        Ok((self, report))
    }

    /// Reads, parses and renders one edited Markdown file, if the edit qualifies.
    fn read(&self, rel: &str, abs: &Path) -> Result<Edit, String> {
        let model = self.renderer.model();
        let facts: &SourceFacts = model
            .sources
            .get(rel)
            .ok_or_else(|| format!("{rel} is a new source"))?;
        let text =
            crate::text::read_text(abs, format!("content/{rel}")).map_err(|d| d.to_string())?;
        let mut doc = front_matter::parse_in(&text, &model.config.timezone)
            .map_err(|_| format!("{rel} has errors"))?;
        self.inherit_shared(facts, &mut doc)?;
        let head = doc.text.get(..doc.body_start).unwrap_or("").to_string();
        let front_matter = head != facts.head;
        if front_matter {
            let old = match facts.source.kind {
                SourceKind::Page => model
                    .page_index
                    .get(&(facts.source.key.clone(), facts.source.lang.clone()))
                    .map(|&i| &model.pages[i].doc),
                SourceKind::Section => None,
            };
            if !old.is_some_and(|old| movable(old, &doc)) {
                return Err(format!(
                    "the front matter of {rel} changed (slug, aliases, tags, categories, draft, \
                     whether it has a date, or a section's)"
                ));
            }
            // A menu may show the title on every page.
            if old.is_some_and(|old| old.title != doc.title)
                && (model.pages.iter())
                    .filter(|p| p.key == facts.source.key)
                    .any(|p| model.menus.shows_title_of(&p.path))
            {
                return Err(format!("the title of {rel}, which a menu shows, changed"));
            }
            // Warnings elsewhere in the file may have moved to other lines.
            let here = Path::new(rel);
            if self
                .other_warnings
                .iter()
                .any(|d| d.path.as_deref() == Some(here))
            {
                return Err(format!("{rel} has warnings"));
            }
        }
        let parsed = Parsed {
            source: facts.source.clone(),
            doc,
        };
        let path = self.site_path(&facts.source.key, &facts.source.lang, facts.source.kind);
        let resolver = model.resolver();
        let rendered = resolver.render(&parsed, &path);
        // Images bring files (variants) and warnings (alt text) that only a full build
        // gathers: a page that shows images, before or after the edit, is rebuilt in full.
        let old_html = match facts.source.kind {
            SourceKind::Page => model
                .page_index
                .get(&(facts.source.key.clone(), facts.source.lang.clone()))
                .map(|&i| model.pages[i].html.as_str()),
            SourceKind::Section => model
                .section_index
                .get(&(facts.source.section_dir.clone(), facts.source.lang.clone()))
                .map(|&i| model.sections[i].html.as_str()),
        };
        if crate::images::shows_images(&rendered.html)
            || old_html.is_some_and(crate::images::shows_images)
        {
            return Err(format!("{rel} shows images"));
        }
        if rendered.anchors != facts.anchors {
            return Err(format!("the headings or anchors of {rel} changed"));
        }
        let link_diagnostics = resolver.check_links(&parsed, &rendered, &|id| {
            self.by_id
                .get(id)
                .and_then(|r| model.sources.get(r))
                .map(|f| f.anchors.as_slice())
        });
        if link_diagnostics.iter().any(Diagnostic::is_error) {
            return Err(format!("{rel} has errors"));
        }
        Ok(Edit {
            rel: rel.to_string(),
            head,
            front_matter,
            parsed,
            rendered,
            link_diagnostics,
        })
    }

    /// What the build's [`crate::shared::inherit`] does for one edited file: a translation
    /// takes the shared fields it omits from its source. A full build is needed when the
    /// source is not in the model (a draft), when the translation sets a shared field to
    /// another value (a warning), and when a source's shared field changed (its translations
    /// inherit it).
    fn inherit_shared(&self, facts: &SourceFacts, doc: &mut Document) -> Result<(), String> {
        let model = self.renderer.model();
        let shared = &model.config.translation.shared;
        if shared.is_empty() {
            return Ok(());
        }
        let default = &model.config.default_language;
        let key = &facts.source.key;
        let source_doc = match facts.source.kind {
            SourceKind::Page => model
                .page_index
                .get(&(key.clone(), default.clone()))
                .map(|&i| &model.pages[i].doc),
            SourceKind::Section => model
                .sections
                .iter()
                .find(|s| s.dir == facts.source.section_dir && &s.lang == default)
                .and_then(|s| s.doc.as_ref()),
        };
        if &facts.source.lang == default {
            // The same values as before, or the translations' inherited ones are out of date.
            return match source_doc {
                Some(old) if crate::shared::same_values(shared, old, doc) => Ok(()),
                _ => Err(format!(
                    "a shared field of {} may have changed",
                    facts.source.rel
                )),
            };
        }
        let Some(source) = source_doc else {
            return Err(format!(
                "the source of {} is not in the site",
                facts.source.rel
            ));
        };
        if !crate::shared::inherit_from(shared, source, doc).is_empty() {
            return Err(format!(
                "{} sets a shared field of its own",
                facts.source.rel
            ));
        }
        Ok(())
    }

    /// The site path a source is rendered at: the path its links are relative to.
    fn site_path(&self, key: &str, lang: &str, kind: SourceKind) -> String {
        let model = self.renderer.model();
        match kind {
            SourceKind::Page => model
                .page_index
                .get(&(key.to_string(), lang.to_string()))
                .map(|&i| model.pages[i].path.clone()),
            SourceKind::Section => model
                .link_index
                .get(&(key.to_string(), lang.to_string()))
                .cloned(),
        }
        .unwrap_or_default()
    }

    /// Puts the new bodies and front matter into the model: pages (with their fallback
    /// copies, and the translation state of their translations) and sections. Returns what
    /// changed, or why a full build is needed (a page moved in a list).
    fn apply(&mut self, edits: Vec<Edit>) -> Result<Changed, String> {
        let policy = !self.renderer.model().config.translation.required.is_empty();
        let model = self.renderer.model_mut();
        let default = model.config.default_language.clone();
        let mut changed = Changed::default();
        // Translations that are or were stale: rendered again once every edit is in.
        let mut restale: BTreeSet<usize> = BTreeSet::new();
        // The pages whose front matter changed, as they were.
        let mut olds: HashMap<usize, Page> = HashMap::new();
        for edit in edits {
            let Edit {
                rel,
                head,
                front_matter,
                parsed,
                rendered: r,
                link_diagnostics,
            } = edit;
            let Parsed { source, mut doc } = parsed;
            if let Some(f) = model.sources.get_mut(&rel) {
                let f = std::sync::Arc::make_mut(f);
                f.link_diagnostics = link_diagnostics;
                f.head = head;
            }
            match source.kind {
                SourceKind::Section => {
                    doc.release_text();
                    for (k, s) in model.sections.iter_mut().enumerate() {
                        if s.source.as_deref() == Some(rel.as_str()) {
                            s.html = r.html.clone();
                            s.toc = r.toc.clone();
                            s.doc = Some(doc.clone());
                            changed.sections.insert(k);
                        }
                    }
                }
                SourceKind::Page => {
                    let key = source.key.clone();
                    let Some(&i) = model.page_index.get(&(key.clone(), source.lang.clone())) else {
                        return Err(format!("{rel} has no page"));
                    };
                    if source.lang == default {
                        model.source_hashes.insert(key.clone(), Revision::of(&doc));
                    }
                    let summary = page_summary(&r, &doc);
                    doc.release_text();
                    let hash = model.source_hashes.get(&key);
                    let translation = state_of(&doc, &source.lang, &model.config, hash);
                    if [translation, model.pages[i].translation].contains(&TranslationState::Stale)
                    {
                        // Its marked blocks and sections depend on its source too.
                        restale.insert(i);
                    }
                    if front_matter {
                        olds.entry(i).or_insert_with(|| model.pages[i].clone());
                    }
                    let p = &mut model.pages[i];
                    p.html = r.html;
                    p.summary = summary;
                    p.toc = r.toc;
                    p.text = r.text;
                    p.doc = doc;
                    p.translation = translation;
                    changed.pages.insert(i);
                    if front_matter {
                        changed.relinked.insert(i);
                        let was = &olds[&i].doc;
                        let now = &model.pages[i].doc;
                        changed.redated |= was.date != now.date || was.updated != now.updated;
                    }
                    if source.lang != default {
                        continue;
                    }
                    // Fallback copies show the same page; translations may have become stale
                    // (or current again).
                    let codes: Vec<String> = model
                        .config
                        .languages
                        .iter()
                        .map(|l| l.code.clone())
                        .filter(|c| *c != default)
                        .collect();
                    for code in codes {
                        let Some(j) = model.page_at(&code, &key) else {
                            continue;
                        };
                        if model.pages[j].fallback {
                            if front_matter {
                                olds.entry(j).or_insert_with(|| model.pages[j].clone());
                            }
                            let src = model.pages[i].clone();
                            let c = &mut model.pages[j];
                            c.html = src.html;
                            c.summary = src.summary;
                            c.toc = src.toc;
                            c.text = src.text;
                            c.doc = src.doc;
                            changed.pages.insert(j);
                            if front_matter {
                                changed.relinked.insert(j);
                            }
                        } else {
                            let hash = model.source_hashes.get(&key);
                            let state = state_of(&model.pages[j].doc, &code, &model.config, hash);
                            if [state, model.pages[j].translation]
                                .contains(&TranslationState::Stale)
                            {
                                // Which of its blocks are marked may have changed.
                                restale.insert(j);
                            }
                            if state != model.pages[j].translation {
                                if policy {
                                    return Err("a translation changed state".into());
                                }
                                model.pages[j].translation = state;
                                changed.pages.insert(j);
                            }
                        }
                    }
                }
            }
        }
        // A new title, date or weight may move a page in its section's list, in its terms'
        // lists, or in the order all lists and related pages follow (and so change
        // neighbours, pagination and related pages): then a full build.
        let model = self.renderer.model();
        for (&i, old) in &olds {
            let new = &model.pages[i];
            let same_order = model.pages.iter().enumerate().all(|(j, other)| {
                let before = olds.get(&j).unwrap_or(other);
                j == i || date_order(old, before) == date_order(new, other)
            });
            let in_section = model.sections.get(new.section).is_none_or(|s| {
                let Some(at) = s.pages.iter().position(|&k| k == i) else {
                    return true;
                };
                let ordered = |a: usize, b: usize| {
                    list_order(&model.pages[a], &model.pages[b]) == Ordering::Less
                };
                at.checked_sub(1).is_none_or(|k| ordered(s.pages[k], i))
                    && s.pages.get(at + 1).is_none_or(|&k| ordered(i, k))
            });
            if !same_order || !in_section {
                return Err(format!("{} moved in a list", new.source));
            }
        }
        self.mark_stale(restale, &mut changed)?;
        Ok(changed)
    }

    /// Renders the translations at `pages` again, from their files and their sources' files,
    /// with the blocks whose source changed marked as a full build marks them
    /// ([`crate::stale`]).
    fn mark_stale(&mut self, pages: BTreeSet<usize>, changed: &mut Changed) -> Result<(), String> {
        let model = self.renderer.model();
        let default = &model.config.default_language;
        let read = |rel: &str| -> Result<(crate::content::Source, Document), String> {
            let facts = model
                .sources
                .get(rel)
                .ok_or_else(|| format!("{rel} is a new source"))?;
            let text = crate::text::read_text(&facts.source.abs, rel).map_err(|d| d.to_string())?;
            let doc = front_matter::parse_in(&text, &model.config.timezone)
                .map_err(|_| format!("{rel} has errors"))?;
            Ok((facts.source.clone(), doc))
        };
        let mut marked = Vec::new();
        for j in pages {
            let page = &model.pages[j];
            let (source, doc) = read(&page.source)?;
            let original = model
                .page_at(default, &page.key)
                .ok_or_else(|| format!("{} has no source", page.source))?;
            let (_, src) = read(&model.pages[original].source)?;
            let parsed = Parsed { source, doc };
            let resolver = model.resolver();
            let render = |marks| resolver.render_marked(&parsed, &page.path, marks);
            let m = crate::stale::mark_page(
                &self.opts.root,
                &render,
                &parsed,
                &src,
                model.source_hashes.get(&page.key),
            );
            marked.push((j, m));
        }
        let model = self.renderer.model_mut();
        for (j, m) in marked {
            model.pages[j].html = m.html;
            model.pages[j].stale_sections = m.sections;
            changed.pages.insert(j);
        }
        Ok(())
    }

    /// Every warning of the site now, as a full build would list them.
    fn warnings(&self) -> Vec<Diagnostic> {
        let mut all = Diagnostics::new();
        all.extend(self.other_warnings.iter().cloned());
        for f in self.renderer.model().sources.values() {
            all.extend(f.link_diagnostics.iter().cloned());
        }
        all.sorted()
    }
}

/// The tree a changed file belongs to, as the build walks it: `content/`, `static/` or a
/// theme's `static/`.
fn tree_of(root: &Path, rel: &str) -> Option<PathBuf> {
    match rel.split('/').collect::<Vec<_>>().as_slice() {
        ["content", ..] => Some(root.join("content")),
        ["static", ..] => Some(root.join("static")),
        ["themes", theme, "static", ..] => Some(root.join("themes").join(theme).join("static")),
        _ => None,
    }
}

/// Whether a front matter change leaves every page where it was: the same address, aliases,
/// terms and publication state, and a date only if it had one (a dated page is in feeds).
/// Title, dates, summary, description, weight, template, `extra` and `translation_of` may
/// change; whether the page then moves in a list is checked afterwards.
fn movable(old: &Document, new: &Document) -> bool {
    let (a, b) = (&old.meta, &new.meta);
    let now = crate::build::now_timestamp();
    a.draft == b.draft
        && crate::build::is_future(old, now) == crate::build::is_future(new, now)
        // The model keeps source revisions only for sources a translation tracks.
        && a.translation_of.is_some() == b.translation_of.is_some()
        && a.slug == b.slug
        && a.menu == b.menu
        && a.aliases == b.aliases
        && a.tags == b.tags
        && a.categories == b.categories
        && old.date.is_some() == new.date.is_some()
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
