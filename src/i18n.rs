//! Interface translations with Fluent: every word a theme shows comes from `.ftl` files,
//! looked up per language through a fallback chain, with CLDR plural rules, terms,
//! attributes, and numbers and dates formatted by ICU4X.
//!
//! Layers, each overriding the previous message by message: the built-in theme's messages
//! (compiled in), `themes/<theme>/i18n/<code>/*.ftl`, then the site's `i18n/<code>/*.ftl`.
//! Lookups happen while pages render, in parallel; what they find missing is recorded and
//! reported once the build is done.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use std::sync::{Arc, Mutex};

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentError, FluentResource, FluentValue};
use unic_langid::LanguageIdentifier;

use crate::config::Config;
use crate::diagnostics::{Diagnostic, LineIndex};
use crate::format::{DateStyle, LocaleFormat};

/// The built-in theme's messages.
const BUILTIN: &[(&str, &str)] = &[
    ("zh", include_str!("theme/builtin/i18n/zh.ftl")),
    ("en", include_str!("theme/builtin/i18n/en.ftl")),
    ("de", include_str!("theme/builtin/i18n/de.ftl")),
];

/// Where a message is defined, for reports.
#[derive(Debug, Clone)]
struct Origin {
    file: String,
    line: usize,
    /// The text of that line, for diagnostics.
    line_text: String,
    builtin: bool,
}

/// Where a template names a message (`t(key="id")`): undefined messages are reported there.
#[derive(Debug, Clone)]
pub struct CallSite {
    /// The template as the editor knows it (`templates/page.html`).
    pub file: String,
    /// The template's text, to quote the line.
    pub text: Arc<str>,
    /// 1-based line.
    pub line: usize,
    /// 1-based column of `key`.
    pub column: usize,
}

/// What rendering asked for, collected across threads.
#[derive(Debug, Default)]
struct Usage {
    used: BTreeSet<String>,
    /// (message, language) → where it was asked for.
    undefined: BTreeMap<(String, String), String>,
    /// (message, language it was found in, what went wrong) → where it was asked for.
    errors: BTreeMap<(String, String, String), String>,
}

/// All messages of a site, per language, ready for lookups from any thread.
pub struct Catalog {
    bundles: HashMap<String, FluentBundle<FluentResource>>,
    chains: HashMap<String, Vec<String>>,
    /// message id → language → where it is defined (terms are left out).
    defined: BTreeMap<String, BTreeMap<String, Origin>>,
    usage: Mutex<Usage>,
    /// Where templates name each message, set by the build once templates are loaded.
    call_sites: std::sync::OnceLock<BTreeMap<String, Vec<CallSite>>>,
}

/// ICU4X number formatting for Fluent placeables, cached per bundle language by Fluent's
/// memoizer.
struct IcuNumber(LocaleFormat);

impl intl_memoizer::Memoizable for IcuNumber {
    type Args = ();
    type Error = String;
    fn construct(lang: LanguageIdentifier, _args: ()) -> Result<Self, String> {
        LocaleFormat::new(&lang.to_string()).map(IcuNumber)
    }
}

fn format_number(
    value: &FluentValue,
    intls: &intl_memoizer::concurrent::IntlLangMemoizer,
) -> Option<String> {
    use fluent_bundle::memoizer::MemoizerKind;
    match value {
        FluentValue::Number(n) => {
            let decimals = n.options.minimum_fraction_digits.map(|d| d as i16);
            intls
                .with_try_get_threadsafe::<IcuNumber, _, _>((), |f| f.0.number(n.value, decimals))
                .ok()
                .flatten()
        }
        _ => None,
    }
}

/// The 1-based line where each message of an `.ftl` file is defined (`id =` at the start of
/// a line; the first definition wins), found in one pass over the text. Searching the text
/// from the start for every message made 40,000 messages in one file take a minute.
fn message_lines(text: &str) -> HashMap<&str, usize> {
    let mut lines = HashMap::new();
    for (i, line) in text.lines().enumerate() {
        let end = line
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
            .unwrap_or(line.len());
        let (id, rest) = line.split_at(end);
        if id.starts_with(|c: char| c.is_ascii_alphabetic())
            && rest.trim_start_matches([' ', '\t']).starts_with('=')
        {
            lines.entry(id).or_insert(i + 1);
        }
    }
    lines
}

/// Keeps the least of the contexts a problem was seen in (`slot` empty: none yet). Pages
/// are rendered in parallel, so the first one to ask would differ from build to build, and
/// so would the report; the least is the same in every build.
fn keep_least(slot: &mut String, context: &str) {
    if slot.is_empty() || context < slot.as_str() {
        *slot = context.to_string();
    }
}

impl Catalog {
    /// Loads the `.ftl` files of the site at `root`. Syntax errors are returned as
    /// diagnostics with file, line and column; the rest of the file still loads.
    pub fn load(root: &Path, config: &Config) -> (Catalog, Vec<Diagnostic>) {
        let mut diags = Vec::new();
        let mut bundles = HashMap::new();
        let mut defined: BTreeMap<String, BTreeMap<String, Origin>> = BTreeMap::new();
        let mut layers: Vec<(std::path::PathBuf, String)> = Vec::new();
        if let Some(t) = &config.theme {
            layers.push((
                root.join("themes").join(t).join("i18n"),
                format!("themes/{t}/i18n"),
            ));
        }
        layers.push((root.join("i18n"), "i18n".to_string()));

        for lang in &config.languages {
            let langid: LanguageIdentifier = lang
                .locale
                .parse()
                .or_else(|_| lang.code.parse())
                .unwrap_or_default();
            let mut bundle = FluentBundle::new_concurrent(vec![langid]);
            bundle.set_use_isolating(false);
            bundle.set_formatter(Some(format_number));
            if let Ok(fmt) = LocaleFormat::new(&lang.locale) {
                let fmt = Arc::new(fmt);
                let _ = bundle.add_function("DATE", move |positional, named| {
                    let style = match named.get("style") {
                        Some(FluentValue::String(s)) => {
                            DateStyle::parse(s).unwrap_or(DateStyle::Long)
                        }
                        _ => DateStyle::Long,
                    };
                    match positional.first() {
                        Some(FluentValue::String(s)) => fmt
                            .date(s, style)
                            .map_or(FluentValue::Error, |d| FluentValue::String(d.into())),
                        _ => FluentValue::Error,
                    }
                });
            }
            let mut sources: Vec<(String, String, bool)> = Vec::new();
            if let Some((_, text)) = BUILTIN.iter().find(|(c, _)| *c == lang.code) {
                sources.push((
                    format!("<built-in theme>/i18n/{}.ftl", lang.code),
                    text.to_string(),
                    true,
                ));
            }
            for (dir, display) in &layers {
                let dir = dir.join(&lang.code);
                for (rel, abs) in ftl_files(&dir, &format!("{display}/{}", lang.code), &mut diags) {
                    let shown = format!("{display}/{}/{rel}", lang.code);
                    match crate::text::read_text(&abs, &shown) {
                        Ok(text) => sources.push((shown, text, false)),
                        Err(d) => diags.push(d),
                    }
                }
            }
            for (file, text, builtin) in sources {
                let text: Arc<str> = Arc::from(text.strip_prefix('\u{feff}').unwrap_or(&text));
                let res = match FluentResource::try_new(text.to_string()) {
                    Ok(r) => r,
                    Err((r, errors)) => {
                        let index = LineIndex::new(&text);
                        for e in errors {
                            let (line, col) = index.line_col(e.pos.start);
                            diags.push(
                                Diagnostic::error(format!("Fluent syntax error: {}", syntax_message(&e.kind)))
                                    .in_file(&file)
                                    .at_text(index.line(line), line, col)
                                    .with_hint("see https://projectfluent.org/fluent/guide/ for the syntax; message ids use letters, digits, - and _"),
                            );
                        }
                        r
                    }
                };
                let lines = message_lines(&text);
                let index = LineIndex::new(&text);
                for entry in res.entries() {
                    if let fluent_syntax::ast::Entry::Message(m) = entry {
                        let id = m.id.name.to_string();
                        let line = lines.get(id.as_str()).copied().unwrap_or(1);
                        let line_text = index.line(line).to_string();
                        defined.entry(id).or_default().insert(
                            lang.code.clone(),
                            Origin {
                                file: file.clone(),
                                line,
                                line_text,
                                builtin,
                            },
                        );
                    }
                }
                bundle.add_resource_overriding(res);
            }
            bundles.insert(lang.code.clone(), bundle);
        }

        let mut chains = HashMap::new();
        for lang in &config.languages {
            let mut chain = vec![lang.code.clone()];
            for f in lang
                .fallback
                .iter()
                .chain(std::iter::once(&config.default_language))
            {
                if !chain.contains(f) {
                    chain.push(f.clone());
                }
            }
            chains.insert(lang.code.clone(), chain);
        }
        let catalog = Catalog {
            bundles,
            chains,
            defined,
            usage: Mutex::new(Usage::default()),
            call_sites: std::sync::OnceLock::new(),
        };
        (catalog, diags)
    }

    /// Looks a message (or `message.attribute`) up for `lang`, walking the fallback chain.
    /// `context` says where it was asked for, for reports.
    pub fn translate(
        &self,
        lang: &str,
        key: &str,
        attr: Option<&str>,
        args: &FluentArgs,
        context: &str,
    ) -> Option<String> {
        let (id, attr) = match (attr, key.split_once('.')) {
            (Some(a), _) => (key, Some(a)),
            (None, Some((m, a))) => (m, Some(a)),
            (None, None) => (key, None),
        };
        if let Ok(mut u) = self.usage.lock() {
            u.used.insert(id.to_string());
        }
        let chain = self.chains.get(lang).map_or(&[][..], Vec::as_slice);
        for code in chain {
            let Some(bundle) = self.bundles.get(code) else {
                continue;
            };
            let Some(msg) = bundle.get_message(id) else {
                continue;
            };
            let pattern = match attr {
                Some(a) => msg.get_attribute(a).map(|at| at.value()),
                None => msg.value(),
            };
            let Some(pattern) = pattern else { continue };
            let mut errors = Vec::new();
            let out = bundle.format_pattern(pattern, Some(args), &mut errors);
            if !errors.is_empty()
                && let Ok(mut u) = self.usage.lock()
            {
                for e in errors {
                    let what = match &e {
                        FluentError::ResolverError(
                            fluent_bundle::resolver::ResolverError::Reference(
                                fluent_bundle::resolver::errors::ReferenceKind::Variable {
                                    id: var,
                                },
                            ),
                        ) => format!(
                            "message `{key}` in {code} uses the variable `${var}`, which was not passed (pass it as t(key=\"{key}\", {var}=...))"
                        ),
                        other => format!("message `{key}` in {code}: {other}"),
                    };
                    keep_least(
                        u.errors
                            .entry((key.to_string(), code.clone(), what))
                            .or_default(),
                        context,
                    );
                }
            }
            return Some(out.into_owned());
        }
        if let Ok(mut u) = self.usage.lock() {
            keep_least(
                u.undefined
                    .entry((key.to_string(), lang.to_string()))
                    .or_default(),
                context,
            );
        }
        None
    }

    /// Records where templates name each message (as the theme's
    /// `TemplateSet::message_call_sites` finds them); set once, by the build.
    pub fn set_call_sites(&self, sites: BTreeMap<String, Vec<CallSite>>) {
        let _ = self.call_sites.set(sites);
    }

    /// Counts messages as used without rendering them (those the theme's
    /// `TemplateSet::literal_message_keys` finds).
    pub fn mark_used(&self, ids: impl IntoIterator<Item = String>) {
        if let Ok(mut u) = self.usage.lock() {
            u.used.extend(ids);
        }
    }

    /// Problems found while rendering and in the files: messages used but defined in no
    /// language (errors), missing variables (errors), messages missing in some language
    /// (warnings naming the fallback used).
    pub fn report(&self) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        let Ok(u) = self.usage.lock() else { return out };
        // A message that no language defines is one mistake, wherever it is used: one error
        // at each template call that names it, listing the pages that asked for it.
        let empty = BTreeMap::new();
        let call_sites = self.call_sites.get().unwrap_or(&empty);
        let mut nowhere: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for ((key, _), ctx) in &u.undefined {
            let id = key.split('.').next().unwrap_or(key);
            if !self.defined.contains_key(id) && call_sites.contains_key(id) {
                nowhere.entry(key.as_str()).or_default().push(ctx.as_str());
            }
        }
        for (key, used_by) in &nowhere {
            let id = key.split('.').next().unwrap_or(key);
            let mut langs: Vec<&str> = self.chains.keys().map(String::as_str).collect();
            langs.sort_unstable();
            for site in call_sites.get(id).into_iter().flatten() {
                out.push(
                    Diagnostic::error(format!(
                        "the message `{key}` is not defined in any language (used by {})",
                        used_by.join(", ")
                    ))
                    .in_file(&site.file)
                    .at(&site.text, site.line, site.column)
                    .with_hint(format!(
                        "add `{id} = ...` to i18n/<code>/*.ftl for {}, or fix the key's spelling",
                        langs.join(", ")
                    )),
                );
            }
        }
        for ((key, lang), ctx) in &u.undefined {
            if nowhere.contains_key(key.as_str()) {
                continue;
            }
            let id = key.split('.').next().unwrap_or(key);
            let elsewhere: Vec<&str> = self
                .defined
                .get(id)
                .map(|m| m.keys().map(String::as_str).collect())
                .unwrap_or_default();
            let chain = self
                .chains
                .get(lang)
                .map_or_else(String::new, |c| c.join(" → "));
            let message = if elsewhere.is_empty() {
                format!("the message `{key}` is not defined in any language (used by {ctx})")
            } else {
                format!(
                    "the message `{key}` is missing in {lang} and in its fallback chain ({chain}); only {} has it (used by {ctx})",
                    elsewhere.join(", ")
                )
            };
            out.push(
                Diagnostic::error(message)
                    .in_file(format!("i18n/{lang}"))
                    .with_hint(format!(
                        "add `{id} = ...` to i18n/{lang}/*.ftl, or a `fallback` for {lang} in site.toml"
                    )),
            );
        }
        for ((key, code, what), ctx) in &u.errors {
            let id = key.split('.').next().unwrap_or(key);
            let d = Diagnostic::error(format!("{what} (while rendering {ctx})"));
            out.push(match self.defined.get(id).and_then(|m| m.get(code)) {
                Some(origin) => d
                    .in_file(&origin.file)
                    .at_text(&origin.line_text, origin.line, 1),
                None => d.in_file("i18n"),
            });
        }
        for (id, langs) in &self.defined {
            if langs.values().all(|o| o.builtin) {
                continue;
            }
            for (code, chain) in &self.chains {
                if langs.contains_key(code) {
                    continue;
                }
                let used = chain.iter().find(|c| langs.contains_key(*c));
                let (any_lang, origin) = match langs.iter().next() {
                    Some(x) => x,
                    None => continue,
                };
                let fallback =
                    used.map_or_else(|| "no language of its chain".to_string(), |c| c.to_string());
                out.push(
                    Diagnostic::warning(format!(
                        "the message `{id}` is missing in {code}; {code} pages show it from {fallback} (fallback chain {})",
                        chain.join(" → ")
                    ))
                    .in_file(&origin.file)
                    .at_text(&origin.line_text, origin.line, 1)
                    .with_hint(format!("add `{id}` to i18n/{code}/ (it is defined here, in {any_lang})")),
                );
            }
        }
        out
    }

    /// For each language, the messages the site or its theme defines in some language but
    /// not in this one (built-in messages are left out), sorted.
    pub fn missing_by_language(&self) -> BTreeMap<String, Vec<String>> {
        let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (id, langs) in &self.defined {
            if langs.values().all(|o| o.builtin) {
                continue;
            }
            for code in self.chains.keys() {
                if !langs.contains_key(code) {
                    out.entry(code.clone()).or_default().push(id.clone());
                }
            }
        }
        out
    }

    /// Messages defined by the site or its theme that no template used, sorted.
    pub fn unused(&self) -> Vec<String> {
        let Ok(u) = self.usage.lock() else {
            return Vec::new();
        };
        self.defined
            .iter()
            .filter(|(id, langs)| !u.used.contains(*id) && langs.values().any(|o| !o.builtin))
            .map(|(id, _)| id.clone())
            .collect()
    }
}

/// Turns Tera keyword arguments (other than `key`, `attr`, `lang`) into Fluent variables:
/// numbers stay numbers (for plural selection), everything else becomes a string.
pub fn fluent_args(kwargs: &tera::Kwargs) -> FluentArgs<'static> {
    let mut args = FluentArgs::new();
    for (k, v) in kwargs.iter() {
        let name = k.to_string();
        if matches!(name.as_str(), "key" | "attr" | "lang") {
            continue;
        }
        let value: FluentValue<'static> = if let Some(n) = v.as_number() {
            match n.as_float() {
                f if f.is_finite() => FluentValue::from(f),
                _ => FluentValue::from(v.to_string()),
            }
        } else if let Some(s) = v.as_str() {
            FluentValue::from(s.to_string())
        } else {
            FluentValue::from(v.to_string())
        };
        args.set(name, value);
    }
    args
}

/// fluent-syntax's messages print raw line breaks (`Expected one of "\n | ␍\n"`); say it
/// in words instead.
fn syntax_message(kind: &fluent_syntax::parser::ErrorKind) -> String {
    let raw = kind.to_string();
    if raw.contains('␍') || raw.contains('\n') && raw.starts_with("Expected one of") {
        return "expected the end of the line here".to_string();
    }
    raw.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The `.ftl` files under `dir` that the rule of [`crate::content::files`] admits, sorted;
/// what it skips goes to `diags`.
fn ftl_files(
    dir: &Path,
    shown: &str,
    diags: &mut Vec<Diagnostic>,
) -> Vec<(String, std::path::PathBuf)> {
    let (files, found) = crate::content::files::walk(dir, shown);
    diags.extend(found);
    files
        .into_iter()
        .filter(|f| f.rel.ends_with(".ftl"))
        .map(|f| (f.rel, f.target))
        .collect()
}

/// A fingerprint of the interface translation files of each language: its own `.ftl`
/// files (the theme's and the site's) and those of the default language, which it falls
/// back to. Taken before the messages are read, so that a file saved while they are read
/// gives a different fingerprint next time (and is read again) rather than the same one.
pub fn file_prints(
    root: &std::path::Path,
    config: &crate::config::Config,
) -> std::collections::HashMap<String, blake3::Hash> {
    let mut dirs: Vec<std::path::PathBuf> = Vec::new();
    if let Some(t) = &config.theme {
        dirs.push(root.join("themes").join(t).join("i18n"));
    }
    dirs.push(root.join("i18n"));
    let files_of = |code: &str, h: &mut blake3::Hasher| {
        for dir in &dirs {
            let mut files: Vec<std::path::PathBuf> = walkdir::WalkDir::new(dir.join(code))
                .into_iter()
                .filter_map(Result::ok)
                .filter(|e| e.file_type().is_file())
                .map(|e| e.into_path())
                .collect();
            files.sort();
            for f in files {
                h.update(f.to_string_lossy().as_bytes());
                h.update(&std::fs::read(&f).unwrap_or_default());
            }
        }
    };
    (config.languages.iter())
        .map(|l| {
            let mut h = blake3::Hasher::new();
            let chain = std::iter::once(&l.code)
                .chain(&l.fallback)
                .chain(std::iter::once(&config.default_language));
            for code in chain {
                files_of(code, &mut h);
            }
            (l.code.clone(), h.finalize())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A message missing in a language is reported with the least page that asked for it,
    /// whatever the order the pages were rendered in (seed 8 of tests/serve_random.rs named
    /// `/tags/news/` in one build and `/` in another).
    #[test]
    fn a_missing_message_names_the_same_page_in_every_order() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(
            root.join("site.toml"),
            "base_url = \"https://example.org/\"\ndefault_language = \"zh\"\n\
             [languages.zh]\nname = \"中文\"\nlocale = \"zh-Hans\"\ntitle = \"t\"\n\
             [languages.en]\nname = \"English\"\nlocale = \"en\"\ntitle = \"t\"\n",
        )
        .unwrap();
        std::fs::create_dir_all(root.join("i18n/en")).unwrap();
        std::fs::write(root.join("i18n/en/x.ftl"), "only-en = x\n").unwrap();
        let config = Config::load(root).unwrap();
        let report = |order: &[&str]| {
            let (catalog, _) = Catalog::load(root, &config);
            for context in order {
                let args = FluentArgs::new();
                assert_eq!(
                    catalog.translate("zh", "only-en", None, &args, context),
                    None
                );
            }
            let texts: Vec<String> = catalog
                .report()
                .iter()
                .filter(|d| d.is_error())
                .map(|d| d.to_string())
                .collect();
            texts
        };
        let forward = report(&["/", "/tags/news/"]);
        assert_eq!(forward, report(&["/tags/news/", "/"]));
        assert_eq!(forward.len(), 1, "{forward:?}");
        assert!(forward[0].contains("(used by /)"), "{forward:?}");
    }
}
