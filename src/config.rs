//! `site.toml`: the raw, serde-shaped file and the validated [`Config`] the build uses.
//!
//! Parsing and validation are separate steps: serde rejects unknown keys (with a "did you
//! mean" hint), then `Config::from_raw` destructures every field, checks what serde cannot
//! (the default language exists, locales look like BCP 47 tags, `base_url` is absolute) and
//! produces types the rest of the pipeline can trust.

use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::diagnostics::{Diagnostic, line_col, unknown_field_hint};

pub mod images;
pub mod search;
pub mod shared;

pub use shared::SharedField;

/// The configuration file name at the root of a site.
pub const CONFIG_FILE: &str = "site.toml";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    base_url: Spanned<String>,
    default_language: Spanned<String>,
    #[serde(default)]
    theme: Option<Spanned<String>>,
    #[serde(default)]
    paginate: Option<Spanned<i64>>,
    #[serde(default)]
    missing_translation: Option<MissingTranslation>,
    #[serde(default)]
    feed_limit: Option<Spanned<i64>>,
    #[serde(default)]
    term_slugs: Option<TermSlugs>,
    #[serde(default)]
    timezone: Option<Spanned<String>>,
    languages: Spanned<IndexMap<String, RawLanguage>>,
    #[serde(default)]
    taxonomies: RawTaxonomies,
    #[serde(default)]
    extra: toml::Table,
    #[serde(default)]
    translation: RawTranslation,
    #[serde(default)]
    search: search::RawSearch,
    #[serde(default)]
    images: images::RawImages,
    #[serde(default)]
    markdown: MarkdownSettings,
    #[serde(default)]
    menus: crate::menu::RawMenus,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTranslation {
    #[serde(default)]
    required: IndexMap<String, Vec<String>>,
    #[serde(default)]
    stale_days: Option<u32>,
    #[serde(default)]
    shared: Vec<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLanguage {
    name: String,
    locale: Spanned<String>,
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    fallback: Vec<Spanned<String>>,
    #[serde(default)]
    reading_speed: Option<Spanned<i64>>,
    #[serde(default)]
    base_url: Option<Spanned<String>>,
    #[serde(default)]
    legal: Option<RawLegal>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLegal {
    #[serde(default)]
    icp: Option<String>,
    #[serde(default)]
    public_security: Option<String>,
    #[serde(default)]
    imprint: Option<Spanned<String>>,
    #[serde(default)]
    privacy: Option<Spanned<String>>,
    #[serde(default)]
    accessibility: Option<Spanned<String>>,
    #[serde(default)]
    contact: Option<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTaxonomies {
    tags: Option<RawTaxonomy>,
    categories: Option<RawTaxonomy>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTaxonomy {
    #[serde(default)]
    paginate: Option<Spanned<i64>>,
    #[serde(default)]
    feed: bool,
}

/// `[markdown]`: how page bodies are rendered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct MarkdownSettings {
    /// Whether bare `https://…`, `www.…` and e-mail addresses in text become links
    /// (the `autolink` module); on unless `autolinks = false`.
    #[serde(default = "yes")]
    pub autolinks: bool,
}

impl Default for MarkdownSettings {
    fn default() -> Self {
        MarkdownSettings { autolinks: true }
    }
}

fn yes() -> bool {
    true
}

/// What to do with a page that has no translation in some language.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MissingTranslation {
    /// The page exists only in the languages it is written in (the default).
    #[default]
    Omit,
    /// The page is also rendered in the other languages from the default-language source.
    Fallback,
}

/// How taxonomy terms become URL segments.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TermSlugs {
    /// Keep Unicode letters: `/tags/中欧合作/`, `/de/tags/förderpolitik/` (the default).
    #[default]
    Unicode,
    /// Transliterate to ASCII: `/tags/zhong-ou-he-zuo/`, `/de/tags/foerderpolitik/`.
    Ascii,
}

/// A language of the site, as the model and the renderer refer to it: a small `Copy`
/// handle that only [`Config`] makes ([`Config::lang`], [`Language::lang`]), so a `Lang`
/// is always one of the languages of `site.toml`. It holds the code itself ([`Lang::code`],
/// also its `Display`), and compares, orders and hashes as that code does: sorting by
/// `Lang` is sorting by code.
#[derive(Clone, Copy)]
pub struct Lang {
    /// The code's bytes, the first `len` of them used.
    bytes: [u8; Lang::MAX_LEN],
    /// Length of the code.
    len: u8,
}

impl Lang {
    /// The longest language code a site may use, in bytes.
    pub const MAX_LEN: usize = 23;

    /// The handle of `code`, a code validated by [`is_language_code`] (so at most
    /// [`Lang::MAX_LEN`] ASCII bytes; a longer one is cut, but [`Config`] rejects it).
    fn new(code: &str) -> Lang {
        let mut bytes = [0; Lang::MAX_LEN];
        let mut len = code.len().min(Lang::MAX_LEN);
        while !code.is_char_boundary(len) {
            len -= 1;
        }
        bytes[..len].copy_from_slice(&code.as_bytes()[..len]);
        Lang {
            bytes,
            len: len as u8,
        }
    }

    /// The code used in file names and URLs (`en` in `x.en.md` and `/en/`).
    pub fn code(&self) -> &str {
        // `new` copies whole characters of a `str`.
        std::str::from_utf8(&self.bytes[..usize::from(self.len)]).unwrap_or_default()
    }

    /// The code, as [`Lang::code`].
    pub fn as_str(&self) -> &str {
        self.code()
    }
}

/// A `Lang` reads as its code wherever a `&str` is expected (`config.lang_prefix(&lang)`).
impl std::ops::Deref for Lang {
    type Target = str;
    fn deref(&self) -> &str {
        self.code()
    }
}

impl std::fmt::Debug for Lang {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.code(), f)
    }
}

impl std::fmt::Display for Lang {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

impl PartialEq for Lang {
    fn eq(&self, other: &Lang) -> bool {
        self.code() == other.code()
    }
}

impl Eq for Lang {}

impl PartialOrd for Lang {
    fn partial_cmp(&self, other: &Lang) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Lang {
    fn cmp(&self, other: &Lang) -> std::cmp::Ordering {
        self.code().cmp(other.code())
    }
}

impl std::hash::Hash for Lang {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.code().hash(state);
    }
}

impl PartialEq<str> for Lang {
    fn eq(&self, other: &str) -> bool {
        self.code() == other
    }
}

impl PartialEq<&str> for Lang {
    fn eq(&self, other: &&str) -> bool {
        self.code() == *other
    }
}

impl PartialEq<String> for Lang {
    fn eq(&self, other: &String) -> bool {
        self.code() == other
    }
}

impl PartialEq<Lang> for String {
    fn eq(&self, other: &Lang) -> bool {
        self == other.code()
    }
}

impl PartialEq<Lang> for &str {
    fn eq(&self, other: &Lang) -> bool {
        *self == other.code()
    }
}

impl AsRef<str> for Lang {
    fn as_ref(&self) -> &str {
        self.code()
    }
}

impl Serialize for Lang {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

/// One configured language.
#[derive(Debug, Clone, Serialize)]
pub struct Language {
    /// The code used in file names and URLs (`en` in `x.en.md` and `/en/`).
    pub code: String,
    /// The handle of this language.
    #[serde(skip)]
    lang: Lang,
    /// The name shown in the language switcher, in that language (`Deutsch`).
    pub name: String,
    /// BCP 47 tag for `lang` and `hreflang` (`zh-Hans`).
    pub locale: String,
    /// Site title in this language.
    pub title: String,
    /// Site description in this language.
    pub description: String,
    /// Whether this is the default language, served at `/`.
    pub is_default: bool,
    /// Languages whose interface messages stand in for missing ones, in order (the default
    /// language always comes last).
    pub fallback: Vec<String>,
    /// Words (CJK: characters) read per minute, for `page.reading_time`.
    pub reading_speed: u32,
    /// Where this language is published: its own `base_url` in `[languages.<code>]`, else
    /// the site's (absolute, ending in `/`, with the site's path).
    pub base_url: String,
    /// The legal information of this language's pages (`[languages.<code>.legal]`).
    pub legal: Legal,
}

impl Language {
    /// The handle of this language.
    pub fn lang(&self) -> Lang {
        self.lang
    }
}

/// `[languages.<code>.legal]`: what the law of the place where a language's pages are hosted
/// asks every page to show or link, which themes render in the footer and `qiao check`
/// verifies.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Legal {
    /// ICP filing number (ICP备案号) of a site hosted in mainland China, shown as written
    /// and linked to the MIIT's filing system.
    pub icp: Option<String>,
    /// Public security filing number (公安备案号), shown as written.
    pub public_security: Option<String>,
    /// The pages every page must link, by kind, as source paths under content/
    /// (`imprint.md`), in the order imprint, privacy, accessibility, contact.
    pub pages: Vec<LegalPage>,
}

/// One page that [`Legal`] requires every page to link.
#[derive(Debug, Clone, Serialize)]
pub struct LegalPage {
    /// `imprint`, `privacy`, `accessibility` or `contact`.
    pub kind: String,
    /// Source path under content/ (`imprint.md`), as `get_page(path=…)` takes it.
    pub path: String,
    /// Line, column and line text of the setting in site.toml, for errors about it.
    #[serde(skip)]
    pub at: (usize, usize, String),
}

/// Which taxonomy: the front-matter field its terms are read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum TaxonomyKind {
    /// `tags:`.
    Tags,
    /// `categories:`.
    Categories,
}

/// Settings of one taxonomy (`tags` or `categories`).
#[derive(Debug, Clone, Serialize)]
pub struct Taxonomy {
    /// `tags` or `categories`.
    pub name: String,
    /// Which taxonomy this is.
    #[serde(skip)]
    pub kind: TaxonomyKind,
    /// Pages per term page.
    pub paginate: usize,
    /// Whether each term gets an Atom feed.
    pub feed: bool,
}

/// The validated site configuration.
#[derive(Debug, Clone, Serialize)]
pub struct Config {
    /// Absolute base URL, always ending in `/`.
    pub base_url: String,
    /// The path part of `base_url` (`/` or `/sub/`), prefixed to every internal link.
    pub base_path: String,
    /// Code of the default language.
    pub default_language: String,
    /// Theme directory name under `themes/`, or `None` for the built-in theme.
    pub theme: Option<String>,
    /// Items per list page.
    pub paginate: usize,
    /// Entries per Atom feed.
    pub feed_limit: usize,
    /// Policy for untranslated pages.
    pub missing_translation: MissingTranslation,
    /// How taxonomy terms become URL segments.
    pub term_slugs: TermSlugs,
    /// The zone in which front matter dates without an offset are read (`timezone`, an IANA
    /// name such as `Asia/Shanghai`; UTC when not set), serialized as that name.
    #[serde(serialize_with = "serialize_time_zone")]
    pub timezone: jiff::tz::TimeZone,
    /// Languages, the default first, then in the order of `site.toml`.
    pub languages: Vec<Language>,
    /// Configured taxonomies, `tags` before `categories`.
    pub taxonomies: Vec<Taxonomy>,
    /// Free settings for themes.
    pub extra: serde_json::Value,
    /// Which translations are required (`[translation]`).
    pub translation: TranslationPolicy,
    /// The search index (`[search]`).
    pub search: search::SearchSettings,
    /// Whether `qiao build --split-hosts` writes one directory per host.
    #[serde(skip)]
    pub split_hosts: bool,
    /// Responsive image variants (`[images]`).
    pub images: images::ImageSettings,
    /// How page bodies are rendered (`[markdown]`).
    pub markdown: MarkdownSettings,
    /// Menus for the templates (`[[menus.<name>]]`), not yet resolved to addresses.
    pub menus: crate::menu::Menus,
}

/// `[translation]`: what `qiao check --strict` and `qiao status --strict` require.
#[derive(Debug, Clone, Default, Serialize)]
pub struct TranslationPolicy {
    /// Language code → section directories whose pages must be translated (`*` for all,
    /// `""` for pages at the top of content/).
    pub required: Vec<(String, Vec<String>)>,
    /// How many days a translation may stay stale before it counts as a problem; `None`
    /// allows none.
    pub stale_days: Option<u32>,
    /// Front matter fields that translations inherit from their source (`shared`; the
    /// `shared` module copies them into the translations).
    pub shared: Vec<SharedField>,
}

impl TranslationPolicy {
    /// Whether pages of section `dir` must exist in `lang`.
    pub fn requires(&self, lang: &str, dir: &str) -> bool {
        self.required.iter().any(|(l, dirs)| {
            l == lang
                && dirs.iter().any(|d| {
                    let d = d.trim_matches('/');
                    d == "*" || d == dir || dir.starts_with(&format!("{d}/"))
                })
        })
    }
}

/// Looks an IANA time zone name up in the time zone database compiled into qiao, so that a
/// build gives the same dates on every machine, whatever its own zone files say.
pub fn time_zone(name: &str) -> Option<jiff::tz::TimeZone> {
    static DB: std::sync::OnceLock<jiff::tz::TimeZoneDatabase> = std::sync::OnceLock::new();
    DB.get_or_init(jiff::tz::TimeZoneDatabase::bundled)
        .get(name.trim())
        .ok()
}

fn serialize_time_zone<S: serde::Serializer>(
    tz: &jiff::tz::TimeZone,
    s: S,
) -> Result<S::Ok, S::Error> {
    s.serialize_str(tz.iana_name().unwrap_or("UTC"))
}

impl Config {
    /// Reads and validates `site.toml` under `root`.
    pub fn load(root: &Path) -> Result<Config, Vec<Diagnostic>> {
        let path = root.join(CONFIG_FILE);
        let text = crate::text::read_text(&path, CONFIG_FILE).map_err(|d| {
            let d = match d.hint {
                Some(_) => d,
                None => d.with_hint(format!(
                    "run qiao in the site's directory, or pass --root DIR where DIR holds {CONFIG_FILE}"
                )),
            };
            vec![d]
        })?;
        Config::parse(&text).map_err(|ds| ds.into_iter().map(|d| d.in_file(CONFIG_FILE)).collect())
    }

    /// Parses and validates the text of a `site.toml`.
    pub fn parse(text: &str) -> Result<Config, Vec<Diagnostic>> {
        let table: toml::Table = toml::from_str(text).map_err(|e| vec![toml_error(text, &e)])?;
        let raw: RawConfig = toml::from_str(text).map_err(|e| {
            // serde stops at the first missing key: list them all. Any other error (an
            // unknown key, often a misspelt required one) is the real cause: say that.
            if e.message().starts_with("missing field") {
                let ds = missing_keys(&table, None, text);
                if !ds.is_empty() {
                    return ds;
                }
            }
            let unknown = unknown_field_hint(e.message()).map(|(field, _)| field);
            let mut ds = vec![toml_error(text, &e)];
            ds.extend(missing_keys(&table, unknown.as_deref(), text));
            ds
        })?;
        Config::from_raw(raw, text)
    }

    fn from_raw(raw: RawConfig, text: &str) -> Result<Config, Vec<Diagnostic>> {
        let RawConfig {
            base_url,
            default_language,
            theme,
            paginate,
            missing_translation,
            feed_limit,
            term_slugs,
            timezone,
            languages,
            taxonomies,
            extra,
            translation,
            search,
            images,
            markdown,
            menus,
        } = raw;
        let mut errors = Vec::new();
        let at = |span: std::ops::Range<usize>, msg: String, hint: &str| {
            let (line, col) = line_col(text, span.start);
            Diagnostic::error(msg).at(text, line, col).with_hint(hint)
        };

        let mut base = base_url.get_ref().trim().to_string();
        let base_path = match url_path(&base) {
            Some(p) => p,
            None => {
                errors.push(at(
                    base_url.span(),
                    format!("`base_url` must be an absolute http(s) URL, not `{base}`"),
                    "write it like base_url = \"https://example.org/\"",
                ));
                "/".to_string()
            }
        };
        if !base.ends_with('/') {
            base.push('/');
        }

        let mut langs = Vec::new();
        let mut fallback_checks = Vec::new();
        let lang_span = languages.span();
        for (code, l) in languages.into_inner() {
            let RawLanguage {
                name,
                locale,
                title,
                description,
                fallback,
                reading_speed,
                base_url: lang_base_url,
                legal,
            } = l;
            let lang_base_url = match lang_base_url {
                None => base.clone(),
                Some(u) => {
                    let mut own = u.get_ref().trim().to_string();
                    if !own.ends_with('/') {
                        own.push('/');
                    }
                    match url_path(&own) {
                        Some(p) if p == base_path => own,
                        Some(p) => {
                            errors.push(at(
                                u.span(),
                                format!(
                                    "the `base_url` of `{code}` has the path `{p}`, but the site's base_url has `{base_path}`"
                                ),
                                "a language's own base_url changes only the host: give it the same path as the site's base_url",
                            ));
                            base.clone()
                        }
                        None => {
                            errors.push(at(
                                u.span(),
                                format!("the `base_url` of `{code}` must be an absolute http(s) URL, not `{own}`"),
                                "write it like base_url = \"https://example.eu/\"",
                            ));
                            base.clone()
                        }
                    }
                }
            };
            let legal = {
                let RawLegal {
                    icp,
                    public_security,
                    imprint,
                    privacy,
                    accessibility,
                    contact,
                } = legal.unwrap_or_default();
                let nonempty =
                    |s: Option<String>| s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
                let mut pages = Vec::new();
                for (kind, v) in [
                    ("imprint", imprint),
                    ("privacy", privacy),
                    ("accessibility", accessibility),
                    ("contact", contact),
                ] {
                    if let Some(v) = v {
                        let (line, col) = line_col(text, v.span().start);
                        let line_text = text.lines().nth(line.saturating_sub(1)).unwrap_or("");
                        let at = (line, col, line_text.to_string());
                        let path = v.into_inner().trim().trim_start_matches("@/").to_string();
                        pages.push(LegalPage {
                            kind: kind.to_string(),
                            path,
                            at,
                        });
                    }
                }
                Legal {
                    icp: nonempty(icp),
                    public_security: nonempty(public_security),
                    pages,
                }
            };
            let reading_speed = match reading_speed {
                None => crate::format::default_reading_speed(&code),
                Some(s) if (1..=10_000).contains(s.get_ref()) => *s.get_ref() as u32,
                Some(s) => {
                    errors.push(at(
                        s.span(),
                        "`reading_speed` must be between 1 and 10000 words per minute".into(),
                        "for example reading_speed = 230",
                    ));
                    crate::format::default_reading_speed(&code)
                }
            };
            let fallback_spans: Vec<_> = fallback
                .iter()
                .map(|f| (f.get_ref().clone(), f.span()))
                .collect();
            fallback_checks.push((code.clone(), fallback_spans));
            if !is_language_code(&code) {
                errors.push(at(
                    lang_span.clone(),
                    format!("`{code}` is not a valid language code"),
                    "use a lowercase code such as `zh`, `en` or `de` (at most 23 characters); it appears in file names and URLs",
                ));
            }
            if !is_bcp47(locale.get_ref()) {
                errors.push(at(
                    locale.span(),
                    format!("`{}` is not a BCP 47 language tag", locale.get_ref()),
                    "use a tag such as `zh-Hans`, `en`, `en-GB` or `de`",
                ));
            }
            langs.push(Language {
                lang: Lang::new(&code),
                is_default: code == *default_language.get_ref(),
                fallback: fallback.into_iter().map(Spanned::into_inner).collect(),
                reading_speed,
                code,
                name,
                locale: locale.into_inner(),
                title,
                description,
                base_url: lang_base_url,
                legal,
            });
        }
        if langs.is_empty() {
            errors.push(at(
                lang_span,
                "no language is configured".into(),
                "add a [languages.<code>] table for each language",
            ));
        } else if !langs.iter().any(|l| l.is_default) {
            let known: Vec<&str> = langs.iter().map(|l| l.code.as_str()).collect();
            errors.push(at(
                default_language.span(),
                format!(
                    "`default_language` is `{}`, which is not one of the configured languages",
                    default_language.get_ref()
                ),
                &format!("choose one of: {}", known.join(", ")),
            ));
        }
        for (code, fallbacks) in fallback_checks {
            for (f, span) in fallbacks {
                if f == code || !langs.iter().any(|l| l.code == f) {
                    errors.push(at(
                        span,
                        format!("`{f}` in the fallback chain of `{code}` is not another configured language"),
                        "list other language codes, e.g. fallback = [\"en\", \"zh\"]",
                    ));
                }
            }
        }
        // The default language first; the others keep the order of the file.
        langs.sort_by_key(|l| !l.is_default);

        let positive =
            |v: Option<Spanned<i64>>, default: usize, key: &str, errors: &mut Vec<_>| match v {
                None => default,
                Some(s) if *s.get_ref() > 0 => *s.get_ref() as usize,
                Some(s) => {
                    errors.push(at(
                        s.span(),
                        format!("`{key}` must be a positive number"),
                        "use a value such as 10",
                    ));
                    default
                }
            };
        let paginate = positive(paginate, 10, "paginate", &mut errors);
        let feed_limit = positive(feed_limit, 20, "feed_limit", &mut errors);
        let mut taxos = Vec::new();
        for (name, kind, t) in [
            ("tags", TaxonomyKind::Tags, taxonomies.tags),
            (
                "categories",
                TaxonomyKind::Categories,
                taxonomies.categories,
            ),
        ] {
            if let Some(t) = t {
                let RawTaxonomy { paginate: p, feed } = t;
                let p = positive(p, paginate, "paginate", &mut errors);
                taxos.push(Taxonomy {
                    name: name.to_string(),
                    kind,
                    paginate: p,
                    feed,
                });
            }
        }
        let theme = match theme {
            Some(t) if !is_safe_name(t.get_ref()) => {
                errors.push(at(
                    t.span(),
                    format!("`{}` is not a theme directory name", t.get_ref()),
                    "give the name of a directory under themes/, without slashes",
                ));
                None
            }
            t => t.map(Spanned::into_inner),
        };
        let timezone = match timezone {
            None => jiff::tz::TimeZone::UTC,
            Some(name) => match time_zone(name.get_ref()) {
                Some(tz) => tz,
                None => {
                    errors.push(at(
                        name.span(),
                        format!("`{}` is not a time zone qiao knows", name.get_ref()),
                        "use an IANA time zone name such as \"Asia/Shanghai\", \"Europe/Berlin\" or \"UTC\"",
                    ));
                    jiff::tz::TimeZone::UTC
                }
            },
        };
        let extra = serde_json::to_value(&extra).unwrap_or(serde_json::Value::Null);
        for code in translation.required.keys() {
            if !langs.iter().any(|l| l.code == *code) {
                errors.push(
                    Diagnostic::error(format!(
                        "[translation.required] names `{code}`, which is not a configured language"
                    ))
                    .with_hint("use the codes of [languages.<code>]"),
                );
            }
        }
        let RawTranslation {
            required,
            stale_days,
            shared: shared_names,
        } = translation;
        let mut shared = Vec::new();
        for name in shared_names {
            match SharedField::parse(name.get_ref()) {
                Ok(f) if !shared.contains(&f) => shared.push(f),
                Ok(_) => {}
                Err((message, hint)) => errors.push(at(
                    name.span(),
                    format!("[translation] shared: {message}"),
                    &hint,
                )),
            }
        }
        let translation = TranslationPolicy {
            required: required.into_iter().collect(),
            stale_days,
            shared,
        };
        let codes: Vec<String> = langs.iter().map(|l| l.code.clone()).collect();
        let (menus, menu_errors) = crate::menu::validate(menus, &codes, text);
        errors.extend(menu_errors);
        let (search, search_errors) = search.validate();
        for e in search_errors {
            errors.push(at(e.span, e.message, e.hint));
        }
        let (images, image_errors) = images.validate();
        for e in image_errors {
            errors.push(at(e.span, e.message, e.hint));
        }

        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Config {
            base_url: base,
            base_path,
            default_language: default_language.into_inner(),
            theme,
            paginate,
            feed_limit,
            missing_translation: missing_translation.unwrap_or_default(),
            term_slugs: term_slugs.unwrap_or_default(),
            timezone,
            languages: langs,
            taxonomies: taxos,
            extra,
            translation,
            search,
            split_hosts: false,
            images,
            markdown,
            menus,
        })
    }

    /// The language with this code.
    pub fn language(&self, code: &str) -> Option<&Language> {
        self.languages.iter().find(|l| l.code == code)
    }

    /// The handle of the language with this code; `None` when the site has no such language.
    pub fn lang(&self, code: &str) -> Option<Lang> {
        self.language(code).map(Language::lang)
    }

    /// The handle of the default language.
    pub fn default_lang_handle(&self) -> Lang {
        self.default_lang().lang
    }

    /// The default language.
    pub fn default_lang(&self) -> &Language {
        // from_raw guarantees that exactly one language is the default
        self.languages
            .iter()
            .find(|l| l.is_default)
            .unwrap_or(&self.languages[0])
    }

    /// The URL path prefix of a language: `/` for the default, `/en/` for the others
    /// (under `base_path`).
    pub fn lang_prefix(&self, code: &str) -> String {
        if code == self.default_language {
            self.base_path.clone()
        } else {
            format!("{}{code}/", self.base_path)
        }
    }

    /// Turns a site path (`/en/news/`) into an absolute URL, on the host of the language the
    /// path belongs to ([`Config::language_of_path`]).
    pub fn permalink(&self, path: &str) -> String {
        format!("{}{}", self.origin(self.language_of_path(path)), path)
    }

    /// The language whose pages a site path belongs to: the language whose prefix it starts
    /// with (`/en/…`), else the default language (whose pages have no prefix).
    pub fn language_of_path(&self, path: &str) -> &Language {
        let rest = path.strip_prefix(self.base_path.as_str()).unwrap_or(path);
        let first = rest.split('/').next().unwrap_or("");
        self.languages
            .iter()
            .find(|l| !l.is_default && l.code == first && rest.len() > first.len())
            .unwrap_or_else(|| self.default_lang())
    }

    /// The scheme, host and port where `lang` is published (`https://zone.example.org`).
    pub fn origin<'a>(&'a self, lang: &'a Language) -> &'a str {
        let end = lang.base_url.len() - self.base_path.len();
        &lang.base_url[..end]
    }

    /// The distinct origins languages are published on, in language order (the default
    /// language's first), each with the codes of its languages.
    pub fn hosts(&self) -> Vec<(&str, Vec<&str>)> {
        let mut hosts: Vec<(&str, Vec<&str>)> = Vec::new();
        for l in &self.languages {
            let o = self.origin(l);
            match hosts.iter_mut().find(|(h, _)| *h == o) {
                Some((_, codes)) => codes.push(&l.code),
                None => hosts.push((o, vec![&l.code])),
            }
        }
        hosts
    }

    /// Whether some language has a `base_url` of its own on another host.
    pub fn is_multi_host(&self) -> bool {
        self.hosts().len() > 1
    }
}

/// The directory of an origin under a split output (`https://zone.example.eu:8443` →
/// `zone.example.eu_8443`): its host name, with `_` for the port's colon.
pub fn host_dir(origin: &str) -> String {
    let host = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"))
        .unwrap_or(origin);
    host.replace(':', "_")
}

/// Where the parts of a site live.
#[derive(Debug, Clone)]
pub struct SitePaths {
    /// The site root (holds `site.toml`).
    pub root: PathBuf,
    /// `content/`.
    pub content: PathBuf,
}

impl SitePaths {
    /// The layout of the site at `root`.
    pub fn new(root: &Path) -> SitePaths {
        SitePaths {
            root: root.to_path_buf(),
            content: root.join("content"),
        }
    }
}

/// A minimal `site.toml`, shown when required keys are missing.
const MINIMAL_EXAMPLE: &str = "base_url = \"https://example.org/\"\n\
default_language = \"zh\"\n\
\n\
[languages.zh]\n\
name = \"中文\"\n\
locale = \"zh-Hans\"\n\
title = \"My site\"";

/// Every required key that is missing, in one error (serde stops at the first), with a
/// minimal example. `None` when all are there.
///
/// `misspelt` is an unknown key already reported: a required key it resembles is not listed
/// again (`default_languag` is the missing `default_language`).
///
/// A required key of a language table that is missing while a key resembling it is there
/// (`loacle`) is reported as that misspelling, at its line, rather than as missing.
fn missing_keys(table: &toml::Table, misspelt: Option<&str>, text: &str) -> Vec<Diagnostic> {
    let resembles = |k: &str| misspelt.is_some_and(|m| strsim::jaro_winkler(k, m) > 0.85);
    let mut found = Vec::new();
    let mut missing: Vec<String> = ["base_url", "default_language", "languages"]
        .into_iter()
        .filter(|k| !table.contains_key(*k) && !resembles(k))
        .map(|k| format!("`{k}`"))
        .collect();
    if let Some(toml::Value::Table(langs)) = table.get("languages") {
        if langs.is_empty() && missing.is_empty() {
            missing.push("a `[languages.<code>]` table".into());
        }
        for (code, lang) in langs {
            if let toml::Value::Table(lang) = lang {
                for key in ["name", "locale", "title"] {
                    if lang.contains_key(key) || resembles(key) {
                        continue;
                    }
                    let typo = lang
                        .keys()
                        .find(|k| strsim::jaro_winkler(key, k) > 0.85 && misspelt != Some(k));
                    match typo {
                        Some(typo) => {
                            let d = Diagnostic::error(format!(
                                "unknown key `{typo}` in [languages.{code}]"
                            ))
                            .with_hint(format!("did you mean `{key}`?"));
                            let line = text.lines().position(|l| {
                                l.trim_start()
                                    .strip_prefix(typo.as_str())
                                    .is_some_and(|r| r.trim_start().starts_with('='))
                            });
                            found.push(match line {
                                Some(i) => d.at(text, i + 1, 1),
                                None => d,
                            });
                        }
                        None => missing.push(format!("`{key}` in [languages.{code}]")),
                    }
                }
            }
        }
    }
    if missing.is_empty() {
        return found;
    }
    let n = missing.len();
    found.push(
        Diagnostic::error(format!(
            "{CONFIG_FILE} is missing {} required key{}: {}",
            n,
            if n == 1 { "" } else { "s" },
            missing.join(", ")
        ))
        .with_hint(format!(
            "a minimal {CONFIG_FILE} (one [languages.<code>] table per language; `qiao init` writes a complete one):\n\n{MINIMAL_EXAMPLE}"
        )),
    );
    found
}

fn toml_error(text: &str, e: &toml::de::Error) -> Diagnostic {
    let msg = e.message().trim().to_string();
    let (line, col) = e.span().map_or((1, 1), |s| line_col(text, s.start));
    let d = Diagnostic::error(msg.clone()).at(text, line, col);
    match unknown_field_hint(&msg) {
        Some((field, hint)) => {
            let taxonomy = msg.contains("`tags`") && msg.contains("`categories`");
            let (message, hint) = match field.as_str() {
                _ if taxonomy => (
                    format!("qiao has no taxonomy `{field}`: it has `tags` and `categories`"),
                    if let Some(near) = ["tags", "categories"]
                        .into_iter()
                        .find(|t| strsim::jaro_winkler(t, &field) > 0.85)
                    {
                        format!("did you mean `{near}`?")
                    } else {
                        "classify pages with tags or categories; to name a page's author, write it in the page's front matter under `extra` (extra: { author: ... }) and show it in the theme".to_string()
                    },
                ),
                "title" | "description" => (
                    format!("unknown key `{field}`"),
                    format!("the site's {field} is set per language: [languages.<code>] {field} = \"...\""),
                ),
                "baseURL" | "baseurl" => (
                    format!("unknown key `{field}`"),
                    "qiao's name for it is base_url".to_string(),
                ),
                "defaultContentLanguage" | "languageCode" | "default_lang" => (
                    format!("unknown key `{field}`"),
                    "qiao's name for it is default_language (a code such as \"zh\"; the locale, zh-Hans, goes in [languages.zh])".to_string(),
                ),
                _ => (format!("unknown key `{field}`"), hint),
            };
            let mut d = d.with_hint(hint);
            d.message = message;
            d
        }
        None => d.with_hint("see the site.toml reference in the README"),
    }
}

/// The path of an absolute http(s) URL, always starting and ending with `/`.
fn url_path(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let host_end = rest.find('/').unwrap_or(rest.len());
    if host_end == 0 || rest.contains(['?', '#', ' ']) {
        return None;
    }
    let mut path = rest[host_end..].to_string();
    if !path.starts_with('/') {
        path.insert(0, '/');
    }
    if !path.ends_with('/') {
        path.push('/');
    }
    Some(path)
}

/// Language codes appear in file names and URLs: lowercase letters, optionally with
/// `-subtag`s (`zh`, `pt-br`).
/// At most [`Lang::MAX_LEN`] bytes.
pub fn is_language_code(code: &str) -> bool {
    if code.len() > Lang::MAX_LEN {
        return false;
    }
    let mut parts = code.split('-');
    let first_ok = parts
        .next()
        .is_some_and(|p| (2..=3).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_lowercase()));
    first_ok
        && parts.all(|p| {
            (1..=8).contains(&p.len())
                && p.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// A light syntactic check of a BCP 47 tag: a 2–3 letter language subtag, then
/// alphanumeric subtags of 1–8 characters.
pub fn is_bcp47(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let first_ok = parts
        .next()
        .is_some_and(|p| (2..=3).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphabetic()));
    first_ok
        && parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

fn is_safe_name(name: &str) -> bool {
    !name.is_empty()
        && name != "."
        && name != ".."
        && !name.contains(['/', '\\'])
        && !name.chars().any(char::is_control)
}

impl Config {
    /// The same configuration with another `base_url` (`qiao build --base-url`), which also
    /// replaces the languages' own `base_url`s: the whole site goes to that one address.
    pub fn with_base_url(mut self, url: &str) -> Result<Config, Diagnostic> {
        let path = url_path(url.trim()).ok_or_else(|| {
            Diagnostic::error(format!(
                "--base-url must be an absolute http(s) URL, not `{url}`"
            ))
            .with_hint("for example --base-url https://example.org/")
        })?;
        let mut base = url.trim().to_string();
        if !base.ends_with('/') {
            base.push('/');
        }
        // One URL for the whole site (a preview, `qiao serve`): every language on it.
        for l in &mut self.languages {
            l.base_url = base.clone();
        }
        self.base_url = base;
        self.base_path = path;
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
base_url = "https://zone.example.org/sub"
default_language = "zh"

[languages.en]
name = "English"
locale = "en"
title = "Zone"

[languages.zh]
name = "中文"
locale = "zh-Hans"
title = "合作区"
"#;

    #[test]
    fn pages_of_a_language_with_its_own_base_url_live_on_its_host() {
        let c = Config::parse(&MINIMAL.replace(
            "[languages.en]\n",
            "[languages.en]\nbase_url = \"https://zone.example.eu:8443/sub/\"\n",
        ))
        .unwrap();
        assert_eq!(c.language_of_path("/sub/en/news/").code, "en");
        assert_eq!(
            c.language_of_path("/sub/english/").code,
            "zh",
            "a prefix, not a start"
        );
        assert_eq!(c.language_of_path("/sub/news/").code, "zh");
        assert_eq!(
            c.permalink("/sub/en/news/"),
            "https://zone.example.eu:8443/sub/en/news/"
        );
        assert_eq!(
            c.permalink("/sub/news/"),
            "https://zone.example.org/sub/news/"
        );
        assert!(c.is_multi_host());
        let hosts = c.hosts();
        assert_eq!(hosts[0], ("https://zone.example.org", vec!["zh"]));
        assert_eq!(hosts[1], ("https://zone.example.eu:8443", vec!["en"]));
        assert_eq!(host_dir(hosts[1].0), "zone.example.eu_8443");
        // One address for the whole site (serve, --base-url): one host again.
        let one = c.with_base_url("http://127.0.0.1:1111/sub/").unwrap();
        assert!(!one.is_multi_host());
        assert_eq!(one.permalink("/sub/en/"), "http://127.0.0.1:1111/sub/en/");
    }

    #[test]
    fn minimal_config_validates() {
        let c = Config::parse(MINIMAL).unwrap();
        assert_eq!(c.base_url, "https://zone.example.org/sub/");
        assert_eq!(c.base_path, "/sub/");
        assert_eq!(c.languages[0].code, "zh", "default language comes first");
        assert_eq!(c.languages[1].code, "en");
        assert_eq!(c.lang_prefix("en"), "/sub/en/");
        assert_eq!(c.lang_prefix("zh"), "/sub/");
        assert_eq!(
            c.permalink("/sub/en/news/"),
            "https://zone.example.org/sub/en/news/"
        );
        assert_eq!(c.paginate, 10);
        assert_eq!(c.missing_translation, MissingTranslation::Omit);
    }

    #[test]
    fn timezone_is_an_iana_name_from_the_bundled_database() {
        let c = Config::parse(MINIMAL).unwrap();
        assert_eq!(c.timezone, jiff::tz::TimeZone::UTC, "UTC by default");
        let text = MINIMAL.replace(
            "default_language",
            "timezone = \"Asia/Shanghai\"\ndefault_language",
        );
        let c = Config::parse(&text).unwrap();
        assert_eq!(c.timezone.iana_name(), Some("Asia/Shanghai"));
        assert_eq!(
            serde_json::to_value(&c).unwrap()["timezone"],
            "Asia/Shanghai"
        );
        let text = MINIMAL.replace(
            "default_language",
            "timezone = \"Asia/Peking\"\ndefault_language",
        );
        let err = Config::parse(&text).unwrap_err();
        assert_eq!(
            err[0].message,
            "`Asia/Peking` is not a time zone qiao knows"
        );
        let (line, col) = (err[0].line.unwrap(), err[0].column.unwrap());
        assert_eq!(
            text.lines().nth(line - 1).unwrap(),
            "timezone = \"Asia/Peking\""
        );
        assert_eq!(col, 12);
    }

    #[test]
    fn unknown_key_is_named_with_suggestion_and_position() {
        let text = MINIMAL.replace(
            "default_language",
            "paginate = 5\ndefault_languag = \"zh\"\ndefault_language",
        );
        let err = Config::parse(&text).unwrap_err();
        assert_eq!(err[0].message, "unknown key `default_languag`");
        assert_eq!(
            err[0].hint.as_deref(),
            Some("did you mean `default_language`?")
        );
        assert_eq!(err[0].line, Some(4));
    }

    #[test]
    fn every_missing_required_key_is_listed_at_once() {
        let errs =
            Config::parse("[languages.en]\nname = \"English\"\n\n[languages.de]\n").unwrap_err();
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert_eq!(
            errs[0].message,
            "site.toml is missing 7 required keys: `base_url`, `default_language`, \
             `locale` in [languages.en], `title` in [languages.en], `name` in [languages.de], \
             `locale` in [languages.de], `title` in [languages.de]"
        );
        let hint = errs[0].hint.as_deref().unwrap();
        assert!(
            hint.contains("base_url = \"https://example.org/\""),
            "{hint}"
        );
        // the example itself is a valid site.toml
        Config::parse(MINIMAL_EXAMPLE).unwrap();
        // an unknown key and the missing ones, in one run
        let errs = Config::parse("title = \"x\"\n").unwrap_err();
        assert_eq!(errs[0].message, "unknown key `title`");
        assert!(
            errs[1]
                .message
                .contains("`base_url`, `default_language`, `languages`")
        );
        // a misspelt required key is reported as such, not also as missing
        let errs =
            Config::parse(&MINIMAL.replace("default_language", "default_languag")).unwrap_err();
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert_eq!(errs[0].message, "unknown key `default_languag`");
        // two misspellings: the one serde stops at, and one in a language table, each named
        let two = format!("pagiante = 5\n{}", MINIMAL.replace("locale", "loacle"));
        let errs = Config::parse(&two).unwrap_err();
        let msgs: Vec<&str> = errs.iter().map(|d| d.message.as_str()).collect();
        assert!(msgs.iter().any(|m| m.contains("`pagiante`")), "{msgs:?}");
        assert!(msgs.iter().any(|m| m.contains("`loacle`")), "{msgs:?}");
        assert!(!msgs.iter().any(|m| m.contains("missing")), "{msgs:?}");
    }

    #[test]
    fn keys_from_other_generators_get_the_qiao_way() {
        let taxo = format!("{MINIMAL}\n[taxonomies.authors]\n");
        let errs = Config::parse(&taxo).unwrap_err();
        assert_eq!(
            errs[0].message,
            "qiao has no taxonomy `authors`: it has `tags` and `categories`"
        );
        assert!(errs[0].hint.as_deref().unwrap().contains("extra"));
        let errs = Config::parse(&format!("{MINIMAL}\n[taxonomies.tgas]\n")).unwrap_err();
        assert_eq!(errs[0].hint.as_deref(), Some("did you mean `tags`?"));
        let errs = Config::parse(&format!("title = \"x\"\n{MINIMAL}")).unwrap_err();
        assert_eq!(errs[0].message, "unknown key `title`");
        assert!(
            errs[0]
                .hint
                .as_deref()
                .unwrap()
                .contains("[languages.<code>] title")
        );
        let errs = Config::parse(&format!("baseURL = \"x\"\n{MINIMAL}")).unwrap_err();
        assert_eq!(
            errs[0].hint.as_deref(),
            Some("qiao's name for it is base_url")
        );
    }

    #[test]
    fn a_lang_handle_is_one_of_the_configured_languages_and_orders_by_its_code() {
        let c = Config::parse(&MINIMAL.replace("[languages.en]", "[languages.de-at]")).unwrap();
        assert_eq!(c.lang("fr"), None);
        let (zh, de) = (c.default_lang_handle(), c.lang("de-at").unwrap());
        assert_eq!((zh.code(), de.to_string().as_str()), ("zh", "de-at"));
        assert_eq!(c.languages[1].lang(), de);
        // As the codes sort, whatever the order of `site.toml`.
        assert!(de < zh);
        assert_eq!(format!("{de:?}"), format!("{:?}", "de-at"));
    }

    #[test]
    fn a_language_code_longer_than_a_lang_holds_is_an_error() {
        let long = "de-abcdefgh-abcdefgh-ab";
        assert_eq!(long.len(), Lang::MAX_LEN);
        let c = Config::parse(&MINIMAL.replace("[languages.en]", &format!("[languages.{long}]")));
        assert_eq!(
            c.unwrap().lang(long).map(|l| l.to_string()).as_deref(),
            Some(long)
        );
        let text = MINIMAL.replace("[languages.en]", &format!("[languages.{long}x]"));
        let err = Config::parse(&text).unwrap_err();
        assert_eq!(err.len(), 1, "{err:#?}");
        assert!(
            err[0].message.contains("not a valid language code"),
            "{err:#?}"
        );
        assert_eq!(err[0].line, Some(5));
        assert!(
            err[0].hint.as_deref().unwrap_or("").contains("at most 23"),
            "{err:#?}"
        );
    }

    #[test]
    fn unknown_key_in_language_table() {
        let text = MINIMAL.replace("locale = \"en\"", "locale = \"en\"\ntitel = \"x\"");
        let err = Config::parse(&text).unwrap_err();
        assert_eq!(err[0].hint.as_deref(), Some("did you mean `title`?"));
    }

    #[test]
    fn all_validation_errors_are_reported_together() {
        let text = MINIMAL
            .replace("https://zone.example.org/sub", "zone.example.org")
            .replace("zh-Hans", "zh_Hans!")
            .replace("default_language = \"zh\"", "default_language = \"fr\"");
        let err = Config::parse(&text).unwrap_err();
        assert_eq!(err.len(), 3, "{err:#?}");
        assert!(err[0].message.contains("base_url"));
        assert_eq!(err[0].line, Some(2));
    }

    #[test]
    fn missing_translation_values() {
        let text = format!("missing_translation = \"fallback\"\n{MINIMAL}");
        assert_eq!(
            Config::parse(&text).unwrap().missing_translation,
            MissingTranslation::Fallback
        );
        let text = format!("missing_translation = \"maybe\"\n{MINIMAL}");
        let err = Config::parse(&text).unwrap_err();
        assert_eq!(err[0].line, Some(1));
    }

    #[test]
    fn fallback_chains_and_reading_speed() {
        let text = MINIMAL.replace(
            "title = \"Zone\"",
            "title = \"Zone\"\nfallback = [\"zh\"]\nreading_speed = 200",
        );
        let c = Config::parse(&text).unwrap();
        let en = c.language("en").unwrap();
        assert_eq!(en.fallback, vec!["zh"]);
        assert_eq!(en.reading_speed, 200);
        assert_eq!(c.language("zh").unwrap().reading_speed, 255);
        let bad = MINIMAL.replace("title = \"Zone\"", "title = \"Zone\"\nfallback = [\"fr\"]");
        let err = Config::parse(&bad).unwrap_err();
        assert!(
            err[0]
                .message
                .contains("`fr` in the fallback chain of `en`"),
            "{err:?}"
        );
    }

    #[test]
    fn codes_and_tags() {
        assert!(is_language_code("zh"));
        assert!(is_language_code("pt-br"));
        assert!(!is_language_code("EN"));
        assert!(!is_language_code("e"));
        assert!(is_language_code("zh-hant-tw"));
        assert!(!is_language_code("de-abcdefgh-abcdefgh-abc"));
        assert!(is_bcp47("zh-Hans"));
        assert!(is_bcp47("en-GB"));
        assert!(!is_bcp47("zh_Hans"));
    }
}
