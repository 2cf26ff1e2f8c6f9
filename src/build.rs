//! The build pipeline, start to end: config → walk → parse → model → render → swap.
//!
//! Every stage pushes its problems into one list and the pipeline goes on as far as it can,
//! so that one run reports every error of the site. Output is written only when there is no
//! error at all, and then atomically (see [`crate::output`]).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::config::Config;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::model::{self, Derivation};
use crate::output::{NullSink, Sink, Staging};
use crate::render::{self, Renderer};
use crate::theme::TemplateSet;

/// What to build and how.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// The site root (holds `site.toml`).
    pub root: PathBuf,
    /// Output directory; `public/` under the root when `None`.
    pub output: Option<PathBuf>,
    /// Replaces `base_url` from `site.toml`.
    pub base_url: Option<String>,
    /// Include pages marked `draft: true`.
    pub drafts: bool,
    /// Include pages whose `date` is in the future (left out by default, as Hugo does).
    pub future: bool,
    /// Treat warnings as errors.
    pub strict: bool,
    /// `false` for `qiao check`: do everything but write nothing.
    pub write: bool,
    /// One output directory per host when languages have their own `base_url`
    /// (`qiao build --split-hosts`, see [`crate::hosts`]).
    pub split_hosts: bool,
}

impl BuildOptions {
    /// Defaults for building the site at `root` into `root/public`.
    pub fn new(root: impl Into<PathBuf>) -> BuildOptions {
        BuildOptions {
            root: root.into(),
            output: None,
            base_url: None,
            drafts: false,
            future: false,
            strict: false,
            write: true,
            split_hosts: false,
        }
    }

    /// The output directory these options write to.
    pub fn output_dir(&self) -> PathBuf {
        self.output
            .clone()
            .unwrap_or_else(|| self.root.join("public"))
    }
}

/// What a finished build did.
#[derive(Debug)]
pub struct BuildReport {
    /// Pages (not counting fallback copies) per language code, in config order.
    pub pages_per_language: Vec<(String, usize)>,
    /// Files written (or that would have been, for `check`).
    pub files: usize,
    /// Wall time.
    pub elapsed: Duration,
    /// Warnings (errors make the build fail instead).
    pub warnings: Vec<Diagnostic>,
    /// Fluent messages the site or its theme defines but no template used.
    pub unused_messages: Vec<String>,
    /// Pages left out of this build: drafts and future-dated pages.
    pub held_back: HeldBack,
}

pub use crate::model::load::{
    HeldBack, Loaded, ParseSource, is_future, load_documents, load_documents_with, now_timestamp,
};

pub use crate::trace::Trace;

/// Builds the site. On failure returns every diagnostic, errors and warnings, sorted;
/// the previous output is then untouched.
pub fn build(opts: &BuildOptions) -> Result<BuildReport, Vec<Diagnostic>> {
    run(opts, Keep::Nothing).map(|ran| ran.report)
}

/// What a finished build leaves to its caller: the model, the templates and the template
/// values, which a large site holds in hundreds of megabytes of small allocations. Dropping
/// it frees them (half a second of CPU at 28,000 pages); a command whose process exits next
/// may instead leave that to the operating system with [`std::mem::forget`].
#[derive(Default)]
pub struct Remains {
    _renderer: Option<Renderer>,
}

/// Builds the site like [`build`], and hands the model and values to the caller instead of
/// freeing them (see [`Remains`]).
pub fn build_with_remains(opts: &BuildOptions) -> Result<(BuildReport, Remains), Vec<Diagnostic>> {
    run(opts, Keep::Remains).map(|ran| (ran.report, ran.remains))
}

/// What a build that wrote the site keeps for incremental updates (`qiao serve`): the
/// renderer (model, templates, values) and the interface translations it rendered with.
pub struct Kept {
    /// The model, templates and values of the site as written.
    pub renderer: Renderer,
    /// The interface translations and data it was rendered with.
    pub intl: render::Intl,
    /// What an update needs besides the renderer.
    pub updates: ForUpdates,
}

/// What the stages before rendering keep for incremental updates (`qiao serve`).
pub struct ForUpdates {
    /// What deriving the model again after an edit of the content needs.
    pub derivation: Derivation,
    /// The problems of what is not content (messages, data, directive templates).
    pub setup_diagnostics: Vec<Diagnostic>,
    /// The fingerprints of each language's `.ftl` files, taken before they were read
    /// ([`crate::i18n::file_prints`]).
    pub message_prints: std::collections::HashMap<String, blake3::Hash>,
}

/// Builds the site like [`build`], and keeps what a later incremental rebuild needs (when
/// the build wrote the site and is not strict).
pub fn build_keeping(opts: &BuildOptions) -> Result<(BuildReport, Option<Kept>), Vec<Diagnostic>> {
    run(opts, Keep::ForUpdates).map(|ran| (ran.report, ran.kept))
}

/// What [`run`] keeps of a build besides its report.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Keep {
    /// Nothing: the model and values are freed before the build returns.
    Nothing,
    /// The renderer, for the caller to free ([`Remains`]).
    Remains,
    /// The renderer and what incremental updates need ([`Kept`]).
    ForUpdates,
}

/// A finished build: its report and what [`Keep`] asked to keep.
struct Ran {
    report: BuildReport,
    kept: Option<Kept>,
    remains: Remains,
}

/// The build; `keep` says what it keeps of the renderer (a plain build drops the model).
fn run(opts: &BuildOptions, keep: Keep) -> Result<Ran, Vec<Diagnostic>> {
    let start = Instant::now();
    let trace = Trace::new();

    let (derived, derivation) = derive_with(opts, &trace, keep == Keep::ForUpdates)?;
    let Derived {
        site,
        templates,
        intl,
        diagnostics: mut diags,
        held_back,
        legal_links,
    } = derived;
    let output = opts.output_dir();
    let templates = match templates {
        Ok(t) => {
            diags.extend(t.warnings().iter().cloned());
            Some(t)
        }
        Err(ds) => {
            diags.extend(ds);
            None
        }
    };
    if opts.strict {
        diags.make_strict();
    }

    // Render even when there are errors already, into a sink that writes nothing: template
    // errors are then reported in the same run.
    let staging = if opts.write && !diags.has_errors() && templates.is_some() {
        match Staging::new(&output) {
            Ok(s) => Some(s),
            Err(e) => {
                diags.push(
                    Diagnostic::error(format!("cannot prepare the output directory: {e}"))
                        .in_file(&output),
                );
                None
            }
        }
    } else {
        None
    };
    let null = NullSink::default();
    let written: &dyn Sink = match &staging {
        Some(s) => s,
        None => &null,
    };
    let host_config = site.config.clone();
    let use_hosts = crate::hosts::HostSink::is_needed(&host_config, &legal_links);
    let hosts = crate::hosts::HostSink::new(written, &host_config, legal_links);
    let sink: &dyn Sink = if use_hosts { &hosts } else { written };
    let pages_per_language: Vec<(String, usize)> = site
        .config
        .languages
        .iter()
        .map(|l| {
            let n = site
                .pages
                .iter()
                .filter(|p| p.lang == l.code && !p.fallback)
                .count();
            (l.code.clone(), n)
        })
        .collect();
    let mut renderer = None;
    if let Some(t) = templates {
        let sites = t.message_call_sites();
        intl.catalog.mark_used(sites.keys().cloned());
        intl.catalog.set_call_sites(sites);
        match Renderer::new(site, t, &intl) {
            Ok(mut r) => {
                trace.stage("template values");
                let mut rd = r.render_all(sink);
                if staging.is_some() {
                    rd.extend(r.model().images.write_variants(sink));
                }
                rd.extend(intl.catalog.report());
                if opts.strict {
                    for d in &mut rd {
                        d.severity = crate::diagnostics::Severity::Error;
                    }
                }
                diags.extend(rd);
                renderer = Some(r);
            }
            Err(ds) => diags.extend(ds),
        }
    }
    if use_hosts {
        if let Err(e) = hosts.finish() {
            diags.push(Diagnostic::error(format!(
                "cannot write the root pages of the hosts: {e}"
            )));
        }
        let mut hd = hosts.diagnostics();
        if opts.strict {
            for d in &mut hd {
                d.severity = crate::diagnostics::Severity::Error;
            }
        }
        diags.extend(hd);
    }
    let files = sink.count();
    trace.stage("render and write");

    if let Some(s) = &staging {
        if let Some(d) = device_failure(s, &output) {
            diags.push(d);
        }
        for (path, e) in s.leftovers() {
            diags.push(
                Diagnostic::warning(format!(
                    "cannot remove {}, left by an interrupted build: {e}",
                    path.display()
                ))
                .with_hint("remove it by hand"),
            );
        }
    }
    if diags.has_errors() {
        // `staging` is dropped here: the temporary directory goes, the output stays.
        return Err(diags.into_sorted());
    }
    let mut warnings = diags.into_sorted();
    if let Some(s) = staging {
        warnings.extend(commit(s, &output)?);
    }
    trace.stage("diagnostics sorted, output committed");
    let (kept, remains) = match renderer {
        Some(renderer) if keep == Keep::ForUpdates && opts.write && !opts.strict => {
            let kept = derivation.map(|updates| Kept {
                renderer,
                intl: intl.clone(),
                updates,
            });
            (kept, Remains::default())
        }
        unused if keep == Keep::Remains => (None, Remains { _renderer: unused }),
        unused => {
            // Freed here rather than at the end of the function, so that the trace shows it.
            drop(unused);
            (None, Remains::default())
        }
    };
    trace.stage(if keep == Keep::Remains {
        "model and values handed to the caller"
    } else {
        "model and values freed"
    });
    let report = BuildReport {
        pages_per_language,
        files,
        elapsed: start.elapsed(),
        warnings,
        unused_messages: intl.catalog.unused(),
        held_back,
    };
    Ok(Ran {
        report,
        kept,
        remains,
    })
}

/// What the stages before rendering make of a site's files: the model, the templates, the
/// interface translations and data, and every problem found so far.
pub struct Derived {
    /// The site model.
    pub site: model::SiteModel,
    /// The templates, or why they could not be loaded.
    pub templates: Result<TemplateSet, Vec<Diagnostic>>,
    /// Interface translations, locale formats and data files.
    pub intl: render::Intl,
    /// Problems found so far (errors and warnings).
    pub diagnostics: Diagnostics,
    /// Drafts and future pages left out.
    pub held_back: HeldBack,
    /// The legal links each host must show (see [`crate::hosts`]).
    pub legal_links: Vec<crate::hosts::RequiredLink>,
}

impl Derived {
    /// A model derived from the per-source cache, with what it is rendered with: the
    /// problems of the set-up first, then the model's, then the legal links' (as
    /// [`derive()`] gathers them).
    pub(crate) fn from_cache(
        derived: model::derive::Derived,
        setup_diagnostics: &[Diagnostic],
        templates: Result<TemplateSet, Vec<Diagnostic>>,
        intl: render::Intl,
    ) -> Derived {
        let model::derive::Derived {
            model: site,
            diagnostics: content_diagnostics,
            held_back,
        } = derived;
        let mut diagnostics = Diagnostics::new();
        diagnostics.extend(setup_diagnostics.iter().cloned());
        diagnostics.extend(content_diagnostics);
        let (legal_links, legal_errors) = crate::hosts::required_links(&site.config, &site);
        diagnostics.extend(legal_errors);
        Derived {
            site,
            templates,
            intl,
            diagnostics,
            held_back,
            legal_links,
        }
    }
}

/// The stages of the pipeline before rendering, from the files under `opts.root`:
/// configuration, templates, messages, data, walk and parse, cross-language checks,
/// Markdown and model. `Err` only when `site.toml` cannot be loaded (or the output
/// directory is not allowed); every other problem is in [`Derived::diagnostics`].
pub fn derive(opts: &BuildOptions, trace: &Trace) -> Result<Derived, Vec<Diagnostic>> {
    derive_with(opts, trace, false).map(|(derived, _)| derived)
}

/// The same stages as [`derive()`], by the same steps, keeping per source what deriving the
/// model again after an edit needs (a [`Derivation`], for `qiao serve`), with the problems
/// of what is not content (messages, data, directive templates), which an update of the
/// content alone does not find again.
pub fn derive_keeping(
    opts: &BuildOptions,
    trace: &Trace,
) -> Result<(Derived, ForUpdates), Vec<Diagnostic>> {
    let (derived, kept) = derive_with(opts, trace, true)?;
    let kept = kept.ok_or_else(|| vec![Diagnostic::error("the model was not kept")])?;
    Ok((derived, kept))
}

/// What a site is rendered with besides its content.
pub(crate) struct Setup {
    pub(crate) config: Config,
    pub(crate) templates: Result<TemplateSet, Vec<Diagnostic>>,
    pub(crate) intl: render::Intl,
    /// What the model takes from the templates.
    pub(crate) from_templates: model::FromTemplates,
    pub(crate) images: crate::images::Images,
    /// The problems of messages, locales, data files and directive templates.
    pub(crate) diagnostics: Vec<Diagnostic>,
    /// The fingerprints of the `.ftl` files, taken before they were read.
    pub(crate) message_prints: std::collections::HashMap<String, blake3::Hash>,
}

/// Configuration, templates, interface translations, locale formats, data files, images
/// and directive templates.
pub(crate) fn setup(opts: &BuildOptions) -> Result<Setup, Vec<Diagnostic>> {
    let mut diags = Vec::new();
    let mut config = Config::load(&opts.root)?;
    if let Some(url) = &opts.base_url {
        config = config.with_base_url(url).map_err(|d| vec![d])?;
    }
    config.split_hosts = opts.split_hosts;
    if opts.write {
        check_output_dir(&opts.root, &opts.output_dir()).map_err(|d| vec![d])?;
    }

    let templates = TemplateSet::load(&opts.root, config.theme.as_deref());
    let message_prints = crate::i18n::file_prints(&opts.root, &config);
    let (catalog, i18n_diags) = crate::i18n::Catalog::load(&opts.root, &config);
    diags.extend(i18n_diags);
    let mut formats = std::collections::HashMap::new();
    for l in &config.languages {
        match crate::format::LocaleFormat::new(&l.locale) {
            Ok(f) => {
                formats.insert(l.code.clone(), f);
            }
            Err(e) => diags.push(
                Diagnostic::error(e)
                    .in_file(crate::config::CONFIG_FILE)
                    .with_hint("use a BCP 47 tag such as zh-Hans, en-GB or de"),
            ),
        }
    }
    let (data, data_diags) = crate::data::DataFiles::load(&opts.root, &config);
    diags.extend(data_diags);
    let intl = render::Intl {
        catalog: std::sync::Arc::new(catalog),
        formats: std::sync::Arc::new(formats),
        data: std::sync::Arc::new(data),
    };
    let template_ids = templates
        .as_ref()
        .map(TemplateSet::literal_ids)
        .unwrap_or_default();
    let static_files: Vec<(String, Option<PathBuf>)> = match &templates {
        Ok(t) => (t.static_files().into_iter())
            .map(|(abs, rel)| (rel, Some(abs.to_path_buf())))
            .chain(t.builtin_static().into_iter().map(|(rel, _)| (rel, None)))
            .collect(),
        Err(_) => Vec::new(),
    };
    let images = crate::images::Images::new(
        &opts.root,
        config.images.clone(),
        &config.base_path,
        static_files,
    );
    let (directives, directive_diags) = match &templates {
        Ok(t) => crate::directives::DirectiveSet::new(
            t,
            &|tera| render::register_intl(tera, &intl),
            intl.formats.clone(),
            &config,
            &opts.root,
        ),
        Err(_) => (None, Vec::new()),
    };
    diags.extend(directive_diags);
    Ok(Setup {
        config,
        templates,
        intl,
        from_templates: model::FromTemplates {
            ids: template_ids,
            directives: directives.map(std::sync::Arc::new),
        },
        images,
        diagnostics: diags,
        message_prints,
    })
}

impl model::derive::Settings {
    /// The settings of the site at `root` as a build reads them (the build's own
    /// `setup`): `site.toml`, the templates' ids and static files, the directive templates
    /// (with the site's messages and formats). Problems with any of those are returned; a
    /// build reports them too.
    pub fn load(
        root: &Path,
        drafts: bool,
        future: bool,
    ) -> Result<(model::derive::Settings, Vec<Diagnostic>), Vec<Diagnostic>> {
        let opts = BuildOptions {
            drafts,
            future,
            write: false,
            ..BuildOptions::new(root)
        };
        let Setup {
            config,
            from_templates,
            images,
            diagnostics,
            ..
        } = setup(&opts)?;
        let settings = model::derive::Settings {
            root: root.to_path_buf(),
            config,
            drafts,
            future,
            template_ids: from_templates.ids,
            directives: from_templates.directives,
            images: std::sync::Arc::new(images),
        };
        Ok((settings, diagnostics))
    }
}

/// [`derive()`], keeping the [`Derivation`] and the setup's problems when `keep` is set.
fn derive_with(
    opts: &BuildOptions,
    trace: &Trace,
    keep: bool,
) -> Result<(Derived, Option<ForUpdates>), Vec<Diagnostic>> {
    let Setup {
        config,
        templates,
        intl,
        from_templates,
        images,
        diagnostics: setup_diagnostics,
        message_prints,
    } = setup(opts)?;
    let mut diags = Diagnostics::new();
    diags.extend(setup_diagnostics.iter().cloned());
    trace.stage("configuration, templates, messages, data");

    let (site, held_back, kept) = if keep {
        // The same steps over a per-source cache (see `model::derive`).
        let settings = model::derive::Settings {
            root: opts.root.clone(),
            config,
            drafts: opts.drafts,
            future: opts.future,
            template_ids: from_templates.ids,
            directives: from_templates.directives,
            images: std::sync::Arc::new(images),
        };
        let (derivation, derived) = Derivation::with_cross_checks(settings);
        diags.extend(derived.diagnostics);
        trace.stage("walk and parse, cross-language checks, markdown and model");
        (
            derived.model,
            derived.held_back,
            Some(ForUpdates {
                derivation,
                setup_diagnostics,
                message_prints,
            }),
        )
    } else {
        let Loaded {
            parsed,
            assets,
            diagnostics: load_diags,
            held_back,
            unpublished,
            // A build is made once: nothing waits for a held-back page to fall due.
            next_due: _,
        } = load_documents(&opts.root, &config, opts.drafts, opts.future);
        diags.extend(load_diags);
        trace.stage("walk and parse");
        diags.extend(crate::translation::policy_diagnostics(&config, &parsed));
        diags.extend(crate::translation::leftover_markers(&config, &parsed));
        diags.extend(crate::crosscheck::check(&opts.root, &config, &parsed));
        trace.stage("cross-language checks");
        let mut model_diags = Vec::new();
        let site = model::build(
            config,
            parsed,
            assets,
            from_templates,
            images,
            unpublished,
            &mut model_diags,
            &opts.root,
        );
        diags.extend(model_diags);
        trace.stage("markdown and model");
        (site, held_back, None)
    };
    let (legal_links, legal_errors) = crate::hosts::required_links(&site.config, &site);
    diags.extend(legal_errors);

    Ok((
        Derived {
            site,
            templates,
            intl,
            diagnostics: diags,
            held_back,
            legal_links,
        },
        kept,
    ))
}

/// One error for the first error of the device (a full disk) that stopped the staging
/// from writing: which file, how much space it and the whole site needed.
fn device_failure(staging: &Staging, output: &Path) -> Option<Diagnostic> {
    let f = staging.failure()?;
    let (written, needed, on_disk) = staging.bytes();
    let (what, hint) = match f.error.kind() {
        std::io::ErrorKind::ReadOnlyFilesystem => (
            "the file system is read-only",
            "choose an --output on a writable file system".to_string(),
        ),
        _ => (
            "no space left",
            format!(
                "the new site needs at least {} on the device that holds {}, beside the \
                 previous site (which stays until the new one is complete): free that much, \
                 or choose another --output",
                human_bytes(on_disk),
                staging.path().parent().unwrap_or(output).display(),
            ),
        ),
    };
    Some(
        Diagnostic::error(format!(
            "{what}: cannot write {} ({}): {}; the site needs at least {} on this file system \
             ({} of file contents, {} written before the write failed); nothing was changed",
            f.rel,
            human_bytes(f.size),
            f.error,
            human_bytes(on_disk),
            human_bytes(needed),
            human_bytes(written),
        ))
        .in_file(output)
        .with_hint(hint),
    )
}

/// How the one error of a build that changed the output begins: every other failed build
/// leaves the output as it was.
pub const HALF_WAY: &str = "moving the built site into place failed half-way";

/// Puts the staged site in place and says exactly what happened when that fails: nothing
/// changed, or the new site is in place but the old one could not be removed (a warning).
fn commit(staging: Staging, output: &Path) -> Result<Option<Diagnostic>, Vec<Diagnostic>> {
    use crate::output::CommitError;
    match staging.commit() {
        Ok(c) => Ok(c.old_left.map(|(path, e)| {
            Diagnostic::warning(format!(
                "the new site is in place, but the previous one could not be removed from {}: \
                 {e}",
                path.display()
            ))
            .in_file(output)
            .with_hint("remove it by hand; the next build also tries")
        })),
        Err(CommitError::Unchanged(e)) => Err(vec![
            Diagnostic::error(format!(
                "cannot move the built site into place: {e}; nothing was changed, the \
                 output holds the previous site"
            ))
            .in_file(output),
        ]),
        Err(e @ CommitError::Mixed { .. }) => Err(vec![
            Diagnostic::error(format!(
                "{HALF_WAY}: {e}; the output holds neither the previous site nor the new one"
            ))
            .in_file(output)
            .with_hint("run the build again"),
        ]),
    }
}

/// A byte count for people: 532 B, 12.3 kB, 45.6 MB.
fn human_bytes(n: u64) -> String {
    match n {
        0..1_000 => format!("{n} B"),
        1_000..1_000_000 => format!("{:.1} kB", n as f64 / 1e3),
        1_000_000..1_000_000_000 => format!("{:.1} MB", n as f64 / 1e6),
        _ => format!("{:.1} GB", n as f64 / 1e9),
    }
}

/// The output may not be the site itself, a directory holding its sources, or a parent of
/// the site: replacing it would destroy the sources.
fn check_output_dir(root: &Path, output: &Path) -> Result<(), Diagnostic> {
    let abs = |p: &Path| -> PathBuf {
        let p = if p.is_absolute() {
            p.to_path_buf()
        } else {
            std::env::current_dir().unwrap_or_default().join(p)
        };
        normalize(&p)
    };
    let root = abs(root);
    let out = abs(output);
    let refuse = |why: &str| {
        Err(Diagnostic::error(format!(
            "refusing to use {} as the output directory: {why}",
            output.display()
        ))
        .with_hint("choose a separate directory such as public/"))
    };
    if root.starts_with(&out) {
        return refuse("it contains the site's sources");
    }
    for dir in ["content", "themes", "static", "templates", "i18n", ".git"] {
        if out.starts_with(root.join(dir)) {
            return refuse(&format!("it is inside {dir}/"));
        }
    }
    if out.join(crate::config::CONFIG_FILE).exists() {
        return refuse("it holds a site.toml");
    }
    Ok(())
}

/// Every check a build makes before it writes into `output`: `qiao serve --output` makes
/// them at its start, so that it never serves a directory a build would refuse.
pub(crate) fn check_output(root: &Path, output: &Path) -> Result<(), Diagnostic> {
    check_output_dir(root, output)?;
    crate::output::check_replaceable(output).map_err(|e| {
        Diagnostic::error(format!("cannot prepare the output directory: {e}")).in_file(output)
    })
}

/// Removes `.` and `..` components without touching the file system (the output directory
/// may not exist yet).
fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_commit_that_fails_half_way_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let staging = crate::output::tests::half_new_site(&out);
        let ds = commit(staging, &out).unwrap_err();
        assert_eq!(ds.len(), 1);
        assert!(ds[0].message.starts_with(HALF_WAY), "{}", ds[0].message);
        assert!(ds[0].is_error());
    }

    #[test]
    fn output_may_not_hold_sources() {
        let root = Path::new("/srv/site");
        assert!(check_output_dir(root, Path::new("/srv/site/public")).is_ok());
        assert!(check_output_dir(root, Path::new("/srv/out")).is_ok());
        for bad in [
            "/srv/site",
            "/srv",
            "/srv/site/content",
            "/srv/site/themes/x",
            "/srv/site/public/../content",
        ] {
            assert!(check_output_dir(root, Path::new(bad)).is_err(), "{bad}");
        }
    }
}
