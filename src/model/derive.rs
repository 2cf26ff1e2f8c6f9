//! Re-deriving the model from a few changed sources: the half of `qiao serve`'s incremental
//! protocol that produces a new [`SiteModel`] (the other half diffs it against the old one
//! and re-renders what changed).
//!
//! A [`Derivation`] keeps, per Markdown source, its content hash, its parsed document (as
//! read, before translations inherit shared fields) and its rendered body with the `@/`
//! lookups that rendering made ([`Lookup`]). [`Derivation::update`] walks `content/` again
//! (the walk's own rules decide what each file is), reads and parses only the files it is
//! told changed or has not seen, and runs every step of [`super::build`] over the cache:
//! a body is rendered again only when its text, its place (site path, bundle) or what one of
//! its lookups resolves to changed; a translation revision is hashed again only when its
//! source's text changed. Everything else (placing, link tables, link and anchor checks,
//! stale blocks, pages, sections, taxonomies, aliases, menus) is site-wide and cheap, and
//! runs again in full, so the result equals a fresh [`super::build`], diagnostics included.
//!
//! A change to a file of `content/` that is not Markdown (an image, a bundle file) may change
//! how images are sized and which files directives find: [`Derivation::update`] then renders
//! every body again. Changes to `site.toml`, templates or static files need a new
//! [`Derivation`].

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use rayon::prelude::*;

use super::bodies::{PerSource, RenderedSource};
use super::links::Lookup;
use super::load::{self, HeldBack};
use super::place::Placed;
use super::{FromTemplates, Inputs, LinkResolver, Parsed, SiteModel};
use crate::config::Config;
use crate::content::{Document, Source};
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

impl Settings {
    /// The settings of the site at `root` as a build reads them: `site.toml`, the templates'
    /// ids and static files, the directive templates (with the site's messages and formats).
    /// Problems with any of those are returned; a build reports them too.
    pub fn load(
        root: &std::path::Path,
        drafts: bool,
        future: bool,
    ) -> Result<(Settings, Vec<Diagnostic>), Vec<Diagnostic>> {
        let config = Config::load(root)?;
        let mut diags = Vec::new();
        let templates = crate::theme::TemplateSet::load(root, config.theme.as_deref());
        let (catalog, d) = crate::i18n::Catalog::load(root, &config);
        diags.extend(d);
        let formats = (config.languages.iter())
            .filter_map(|l| {
                Some((
                    l.code.clone(),
                    crate::format::LocaleFormat::new(&l.locale).ok()?,
                ))
            })
            .collect();
        let (data, d) = crate::data::DataFiles::load(root, &config);
        diags.extend(d);
        let intl = crate::render::Intl {
            catalog: Arc::new(catalog),
            formats: Arc::new(formats),
            data: Arc::new(data),
        };
        let (template_ids, static_files, directives) = match &templates {
            Ok(t) => {
                let statics = (t.static_files().into_iter())
                    .map(|(abs, rel)| (rel, Some(abs.to_path_buf())))
                    .chain(t.builtin_static().into_iter().map(|(rel, _)| (rel, None)))
                    .collect();
                let (directives, d) = crate::directives::DirectiveSet::new(t, &intl, &config, root);
                diags.extend(d);
                (t.literal_ids(), statics, directives.map(Arc::new))
            }
            Err(ds) => {
                diags.extend(ds.iter().cloned());
                (Vec::new(), Vec::new(), None)
            }
        };
        let images = crate::images::Images::new(
            root,
            config.images.clone(),
            &config.base_path,
            static_files,
        );
        let settings = Settings {
            root: root.to_path_buf(),
            config,
            drafts,
            future,
            template_ids,
            directives,
            images: Arc::new(images),
        };
        Ok((settings, diags))
    }
}

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
    rendered: markdown::Rendered,
}

/// The model of a site with, per source, what deriving it again needs (see the module
/// documentation).
pub struct Derivation {
    settings: Settings,
    /// By path relative to `content/`.
    read: HashMap<String, Read>,
    /// By path relative to `content/`.
    memos: HashMap<String, Memo>,
    /// Translation revisions by the text hash of their source.
    revisions: HashMap<blake3::Hash, Revision>,
    /// How many bodies the last derivation rendered.
    rendered_last: usize,
    /// The findings of the cross-language checks ([`crate::crosscheck`]) per page key, with
    /// a print of the files of that key they were found in; `None` when they are not run.
    checks: Option<HashMap<String, (blake3::Hash, Vec<Diagnostic>)>>,
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
        let mut d = Derivation {
            settings,
            read: HashMap::new(),
            memos: HashMap::new(),
            revisions: HashMap::new(),
            rendered_last: 0,
            checks: None,
        };
        let derived = d.derive();
        (d, derived)
    }

    /// Reads and derives the whole site like [`Derivation::new`], and runs the
    /// cross-language checks too, as a build does: each update checks again only the pages
    /// (a source with its translations) whose files changed.
    pub fn with_cross_checks(settings: Settings) -> (Derivation, Derived) {
        let mut d = Derivation {
            settings,
            read: HashMap::new(),
            memos: HashMap::new(),
            revisions: HashMap::new(),
            rendered_last: 0,
            checks: Some(HashMap::new()),
        };
        let derived = d.derive();
        (d, derived)
    }

    /// Derives the model again after the files `changed` (absolute, or relative to the
    /// site root; created, modified or deleted) changed on disk.
    pub fn update(&mut self, changed: &[PathBuf]) -> Derived {
        let content = self.settings.root.join("content");
        let rels: HashSet<String> = changed
            .iter()
            .map(|p| {
                if p.is_absolute() {
                    p.clone()
                } else {
                    self.settings.root.join(p)
                }
            })
            .filter_map(|p| {
                let rel = p.strip_prefix(&content).ok()?;
                Some(rel.to_string_lossy().replace('\\', "/"))
            })
            .collect();
        let assets_changed = rels.iter().any(|r| !r.ends_with(".md"));
        if assets_changed {
            self.memos.clear();
        }
        // A changed directory (renamed, deleted) changes every file under it.
        self.read.retain(|rel, _| {
            !rels.iter().any(|r| {
                rel == r
                    || rel
                        .strip_prefix(r.as_str())
                        .is_some_and(|t| t.starts_with('/'))
            })
        });
        self.derive()
    }

    /// What the model is derived from besides `content/`.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// How many bodies the last derivation rendered (the others were reused).
    pub fn rendered_last(&self) -> usize {
        self.rendered_last
    }

    fn derive(&mut self) -> Derived {
        let s = &self.settings;
        let fresh: Mutex<Vec<(String, Read)>> = Mutex::default();
        let read = &self.read;
        let parse = |source: Source, display: String| -> Result<Parsed, Vec<Diagnostic>> {
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
            doc.map(|doc| Parsed { source, doc })
        };
        let loaded = load::load_documents_with(&s.root, &s.config, s.drafts, s.future, &parse);
        let fresh = fresh.into_inner().unwrap_or_default();
        self.read.extend(fresh);
        // Forget what was read of files that are gone.
        let present: HashSet<&str> = loaded
            .parsed
            .iter()
            .map(|p| p.source.rel.as_str())
            .chain(
                loaded
                    .unpublished
                    .values()
                    .map(|u| u.file.trim_start_matches("content/")),
            )
            .collect();
        self.read.retain(|rel, _| present.contains(rel.as_str()));
        self.memos.retain(|rel, _| present.contains(rel.as_str()));

        let mut diagnostics = loaded.diagnostics;
        diagnostics.extend(crate::translation::policy_diagnostics(
            &s.config,
            &loaded.parsed,
        ));
        diagnostics.extend(crate::translation::leftover_markers(
            &s.config,
            &loaded.parsed,
        ));
        if let Some(memo) = &mut self.checks {
            diagnostics.extend(cross_checks(s, &loaded.parsed, &self.read, memo));
        }
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
            new_memos: Vec::new(),
            new_revisions: Mutex::default(),
        };
        let model = super::assemble(inputs, loaded.parsed, &mut cache, &mut diagnostics);
        let Cache {
            new_memos,
            new_revisions,
            ..
        } = cache;
        self.rendered_last = new_memos.len();
        self.memos.extend(new_memos);
        self.revisions
            .extend(new_revisions.into_inner().unwrap_or_default());
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
    read: &HashMap<String, Read>,
    memo: &mut HashMap<String, (blake3::Hash, Vec<Diagnostic>)>,
) -> Vec<Diagnostic> {
    let mut files: Vec<&Parsed> = parsed.iter().collect();
    files.sort_by(|a, b| a.source.rel.cmp(&b.source.rel));
    let mut hashers: HashMap<&str, blake3::Hasher> = HashMap::new();
    for p in files {
        let h = hashers.entry(&p.source.key).or_default();
        h.update(p.source.rel.as_bytes());
        h.update(&[0]);
        match read.get(&p.source.rel) {
            Some(r) => h.update(r.hash.as_bytes()),
            None => h.update(&[0]),
        };
    }
    let prints: HashMap<&str, blake3::Hash> = hashers
        .into_iter()
        .map(|(k, h)| (k, h.finalize()))
        .collect();
    memo.retain(|k, (print, _)| prints.get(k.as_str()) == Some(print));
    let known: HashSet<String> = memo.keys().cloned().collect();
    let (mut diagnostics, found) =
        crate::crosscheck::check_groups(&s.root, &s.config, parsed, &|k| !known.contains(k));
    for (key, findings) in found {
        if let Some(&print) = prints.get(key.as_str()) {
            memo.insert(key, (print, findings));
        }
    }
    for (key, print) in prints {
        memo.entry(key.to_string()).or_insert((print, Vec::new()));
    }
    let mut keys: Vec<&String> = memo.keys().collect();
    keys.sort();
    diagnostics.extend(keys.into_iter().flat_map(|k| memo[k].1.iter().cloned()));
    diagnostics
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

/// The per-source work of one derivation, reusing the memos of the last.
struct Cache<'d> {
    read: &'d HashMap<String, Read>,
    memos: &'d HashMap<String, Memo>,
    revisions: &'d HashMap<blake3::Hash, Revision>,
    new_memos: Vec<(String, Memo)>,
    new_revisions: Mutex<Vec<(blake3::Hash, Revision)>>,
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
        let _ = writeln!(out, "page_index {:?}", sorted(page_index));
        let _ = writeln!(out, "section_index {:?}", sorted(section_index));
        let _ = writeln!(out, "sources {:?}", sorted(sources));
        let _ = writeln!(out, "link_index {:?}", sorted(link_index));
        let _ = writeln!(out, "content_assets {:?}", sorted(content_assets));
        let _ = writeln!(out, "site_files {files:?}");
        let _ = writeln!(out, "source_hashes {:?}", sorted(source_hashes));
        let _ = writeln!(out, "template_ids {template_ids:?}");
        let _ = writeln!(out, "directives {}", directives.is_some());
        let _ = writeln!(out, "unpublished {:?}", sorted(unpublished));
        let _ = writeln!(out, "unpublished_dirs {:?}", sorted(unpublished_dirs));
        let _ = writeln!(out, "menus {menus:?}");
        out
    }
}
