//! The site's directives: one Tera template per directive, `templates/directives/NAME.html`
//! (built-in: figure, notice, download, video, embed), which a theme or the site overrides
//! or adds to, each declaring its arguments in a header comment:
//!
//! ```text
//! {#- directive
//!     kind: leaf
//!     args: src(required file) alt(required) caption credit
//! -#}
//! ```
//!
//! `kind` is `leaf` (`::name{…}`, the default) or `container` (`:::name{…}` … `:::`, whose
//! template outputs `{{ body | safe }}` once). An argument is `name`, or `name(…)` with any
//! of `required`, `file` (a file of the page bundle, of `static/`, or an `http(s)` address,
//! which must exist; the template gets its address, size and language in `files.NAME`) and
//! a list of allowed values `a|b`. `#id` and `.class` are always allowed.
//!
//! Calls are checked before they are rendered, with the position of the argument at fault
//! and "did you mean" for misspelt names, as front matter is. Rendering happens in the
//! parallel Markdown stage ([`crate::markdown::render_with`]); a directive's output depends
//! only on the call, the page and the files it names, so builds stay deterministic.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;

use crate::config::Config;
use crate::content::Parsed;
use crate::diagnostics::Diagnostic;
use crate::directive::{Call, Expand, Expansion, Kind, Problem};
use crate::format::LocaleFormat;
use crate::theme::TemplateSet;

/// Stands for a container's blocks while its template is rendered; the output is split there.
const BODY: &str = "\u{E000}qiao-directive-body\u{E000}";

/// One declared argument.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ArgSpec {
    name: String,
    required: bool,
    file: bool,
    /// Allowed values; empty: any.
    values: Vec<String>,
}

/// What a directive template declares.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Spec {
    kind: Kind,
    args: Vec<ArgSpec>,
    /// The header could not be read (and that is reported once): calls are not checked
    /// nor rendered.
    broken: bool,
}

/// Reads the header comment of a directive template. `Err` says what is wrong with it.
fn parse_header(text: &str) -> Result<Spec, String> {
    let mut spec = Spec {
        kind: Kind::Leaf,
        args: Vec::new(),
        broken: false,
    };
    let trimmed = text.trim_start();
    let Some(comment) = trimmed.strip_prefix("{#") else {
        return Ok(spec);
    };
    let Some(end) = comment.find("#}") else {
        return Ok(spec);
    };
    let comment = comment[..end].trim_matches(|c: char| c == '-' || c.is_whitespace());
    let Some(body) = comment.strip_prefix("directive") else {
        return Ok(spec);
    };
    for line in body.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let (key, value) = line
            .split_once(':')
            .ok_or_else(|| format!("`{line}` in the header: expected `kind: …` or `args: …`"))?;
        match key.trim() {
            "kind" => {
                spec.kind = match value.trim() {
                    "leaf" => Kind::Leaf,
                    "container" => Kind::Container,
                    other => return Err(format!("`kind: {other}`: use `leaf` or `container`")),
                }
            }
            "args" => spec.args.extend(parse_args(value)?),
            other => {
                return Err(format!(
                    "`{other}:` in the header: expected `kind` or `args`"
                ));
            }
        }
    }
    Ok(spec)
}

/// Reads `src(required file) alt(required) kind(info|warning) caption`.
fn parse_args(text: &str) -> Result<Vec<ArgSpec>, String> {
    let mut out = Vec::new();
    let mut rest = text.trim();
    while !rest.is_empty() {
        let end = rest
            .find(|c: char| c.is_whitespace() || c == '(')
            .unwrap_or(rest.len());
        let name = &rest[..end];
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            return Err(format!(
                "`{rest}`: an argument is a name, optionally with `(…)`"
            ));
        }
        let mut arg = ArgSpec {
            name: name.to_string(),
            required: false,
            file: false,
            values: Vec::new(),
        };
        rest = rest[end..].trim_start();
        if let Some(inner) = rest.strip_prefix('(') {
            let close = inner
                .find(')')
                .ok_or_else(|| format!("`({inner}`: `(` is never closed"))?;
            for option in inner[..close].split([' ', ',']).filter(|o| !o.is_empty()) {
                match option {
                    "required" => arg.required = true,
                    "file" => arg.file = true,
                    values if values.contains('|') => {
                        arg.values = values.split('|').map(str::to_string).collect();
                    }
                    other => {
                        return Err(format!(
                            "`{other}` in `{name}(…)`: use `required`, `file` or values `a|b`"
                        ));
                    }
                }
            }
            rest = inner[close + 1..].trim_start();
        }
        out.push(arg);
    }
    Ok(out)
}

/// A site's directive templates, compiled, with what each declares. Shared by all threads.
pub struct DirectiveSet {
    tera: tera::Tera,
    specs: BTreeMap<String, Spec>,
    /// Where each template came from (`themes/zone/templates/directives/notice.html`).
    displays: BTreeMap<String, String>,
    root: PathBuf,
    /// Directories whose files are served from the site's root, the site's own first.
    static_dirs: Vec<PathBuf>,
    base_path: String,
    /// (code, locale, name) of the site's languages.
    languages: Vec<(String, String, String)>,
    formats: Arc<std::collections::HashMap<String, LocaleFormat>>,
}

impl std::fmt::Debug for DirectiveSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DirectiveSet")
            .field("directives", &self.specs.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl DirectiveSet {
    /// Compiles the directive templates of `templates`. `register` adds to their Tera the
    /// functions and filters that write words and figures in the reader's language (`t`,
    /// `date`, `number`, `get_data`: the renderer's own, so that a directive template and a
    /// page template say the same); `formats` are the same locale formatters, for file sizes.
    /// Problems with a header are returned; a template that does not compile gives `None`
    /// (the page templates' compilation reports it).
    pub fn new(
        templates: &TemplateSet,
        register: &dyn Fn(&mut tera::Tera),
        formats: Arc<std::collections::HashMap<String, LocaleFormat>>,
        config: &Config,
        root: &Path,
    ) -> (Option<DirectiveSet>, Vec<Diagnostic>) {
        let mut diags = Vec::new();
        let mut specs = BTreeMap::new();
        let mut displays = BTreeMap::new();
        let mut sources = Vec::new();
        for (template, display, text) in templates.directive_templates() {
            sources.push((template, text));
            let Some(name) = template
                .strip_prefix("directives/")
                .and_then(|n| n.strip_suffix(".html"))
            else {
                continue;
            };
            match parse_header(text) {
                Ok(spec) => {
                    specs.insert(name.to_string(), spec);
                }
                Err(message) => {
                    diags.push(
                        Diagnostic::error(format!("directive template header: {message}"))
                            .in_file(display)
                            .with_hint(
                                "see docs/directives.md for the header of a directive template",
                            ),
                    );
                    let broken = Spec {
                        kind: Kind::Leaf,
                        args: Vec::new(),
                        broken: true,
                    };
                    specs.insert(name.to_string(), broken);
                }
            }
            displays.insert(name.to_string(), display.to_string());
        }
        let mut tera = tera::Tera::new();
        tera.autoescape_on(vec![".html"]);
        register(&mut tera);
        if tera.add_raw_templates(sources.iter().copied()).is_err() {
            return (None, diags);
        }
        let mut static_dirs = vec![root.join("static")];
        if let Some(theme) = &config.theme {
            static_dirs.push(root.join("themes").join(theme).join("static"));
        }
        let set = DirectiveSet {
            tera,
            specs,
            displays,
            root: root.to_path_buf(),
            static_dirs,
            base_path: config.base_path.clone(),
            languages: (config.languages.iter())
                .map(|l| (l.code.clone(), l.locale.clone(), l.name.clone()))
                .collect(),
            formats,
        };
        (Some(set), diags)
    }

    /// The directives as seen from one page, placed at the site path `path`.
    pub fn for_page<'s>(&'s self, p: &Parsed, path: &str) -> PageDirectives<'s> {
        let dir = match p.source.rel.rsplit_once('/') {
            Some((dir, _)) => dir.to_string(),
            None => String::new(),
        };
        PageDirectives {
            set: self,
            lang: p.source.lang.clone(),
            dir,
            bundle: p.source.bundle,
            path: path.to_string(),
        }
    }

    /// A file size in the reader's language: `1.2 MB`, `1,2 MB`, `830 kB` (SI units, a
    /// no-break space before the unit).
    pub fn size_text(&self, bytes: u64, lang: &str) -> String {
        size_text(self.formats.get(lang), bytes)
    }
}

/// See [`DirectiveSet::size_text`]; plain digits when no formatter is at hand.
fn size_text(format: Option<&LocaleFormat>, bytes: u64) -> String {
    const UNITS: [&str; 4] = ["kB", "MB", "GB", "TB"];
    if bytes < 1000 {
        return format!("{bytes}\u{a0}B");
    }
    let mut value = bytes as f64 / 1000.0;
    let mut unit = 0;
    while value >= 999.95 && unit + 1 < UNITS.len() {
        value /= 1000.0;
        unit += 1;
    }
    let decimals = if value < 9.95 { 1 } else { 0 };
    let number = format
        .and_then(|f| f.number(value, Some(decimals)))
        .unwrap_or_else(|| format!("{value:.prec$}", prec = decimals as usize));
    format!("{number}\u{a0}{}", UNITS[unit])
}

/// What a template learns about a `file` argument.
#[derive(Debug, Serialize)]
struct FileInfo {
    /// Address for `href`/`src`.
    url: String,
    /// The file name.
    name: String,
    /// Its extension in capitals (`PDF`), if it has one.
    extension: Option<String>,
    /// Size in bytes; none for an outside address.
    size: Option<u64>,
    /// The size in the page's language (`1,2 MB`).
    size_text: Option<String>,
    /// Language code from the file name (`plan.de.pdf`), when it is a language of the site.
    lang: Option<String>,
    /// That language's locale, for `hreflang`.
    hreflang: Option<String>,
    /// That language's name, in that language (`Deutsch`).
    language_name: Option<String>,
    /// Whether the file is in another language than the page.
    other_language: bool,
    /// Whether it is an `http(s)` address outside the site.
    external: bool,
    /// The host of an outside address (`www.youtube.com`).
    host: Option<String>,
}

/// The directives of one page (see [`DirectiveSet::for_page`]).
pub struct PageDirectives<'s> {
    set: &'s DirectiveSet,
    lang: String,
    /// The page's directory under `content/`.
    dir: String,
    bundle: bool,
    path: String,
}

impl PageDirectives<'_> {
    /// Checks a call's arguments against the declaration.
    fn check(&self, call: &Call, spec: &Spec) -> Vec<Problem> {
        let mut problems = Vec::new();
        let name = &call.name;
        let names: Vec<&str> = spec.args.iter().map(|a| a.name.as_str()).collect();
        match (spec.kind, call.kind) {
            (Kind::Leaf, Kind::Container) => problems.push(Problem {
                offset: call.offset,
                message: format!("`{name}` is not a container"),
                hint: format!("write it as `::{name}{{…}}`, on a line of its own, with two colons"),
            }),
            (Kind::Container, Kind::Leaf) => problems.push(Problem {
                offset: call.offset,
                message: format!("`{name}` is a container"),
                hint: format!(
                    "write `:::{name}{{…}}` on a line, then its content, then a line `:::`"
                ),
            }),
            _ => {}
        }
        let mut seen: Vec<&str> = Vec::new();
        for attr in &call.attrs {
            if attr.key != "class" && seen.contains(&attr.key.as_str()) {
                problems.push(Problem {
                    offset: attr.offset,
                    message: format!("the argument `{}` is given twice", attr.key),
                    hint: "keep one of them".to_string(),
                });
                continue;
            }
            seen.push(&attr.key);
            if attr.key == "id" || attr.key == "class" {
                continue;
            }
            let Some(arg) = spec.args.iter().find(|a| a.name == attr.key) else {
                problems.push(Problem {
                    offset: attr.offset,
                    message: format!("`{name}` has no argument `{}`", attr.key),
                    hint: did_you_mean(&attr.key, &names).unwrap_or_else(|| {
                        if names.is_empty() {
                            format!(
                                "`{name}` takes no arguments (declare them in the header of its template)"
                            )
                        } else {
                            format!("its arguments are: {}", names.join(", "))
                        }
                    }),
                });
                continue;
            };
            if !arg.values.is_empty() && !arg.values.contains(&attr.value) {
                let values: Vec<&str> = arg.values.iter().map(String::as_str).collect();
                problems.push(Problem {
                    offset: attr.value_offset,
                    message: format!(
                        "`{}` of `{name}` must be one of {}, not `{}`",
                        arg.name,
                        values.join(", "),
                        attr.value
                    ),
                    hint: did_you_mean(&attr.value, &values)
                        .unwrap_or_else(|| format!("write `{}={}`", arg.name, values[0])),
                });
            }
            if arg.required && attr.value.trim().is_empty() {
                problems.push(Problem {
                    offset: attr.value_offset,
                    message: format!("`{}` of `{name}` must not be empty", arg.name),
                    hint: format!("write `{}=\"…\"`", arg.name),
                });
            }
        }
        for arg in spec.args.iter().filter(|a| a.required) {
            if call.attr(&arg.name).is_none() {
                problems.push(Problem {
                    offset: call.offset,
                    message: format!("`{name}` needs the argument `{}`", arg.name),
                    hint: format!("add `{}=\"…\"` between the braces", arg.name),
                });
            }
        }
        problems
    }

    /// What the template learns about the file an argument names, or what is wrong.
    fn file(&self, value: &str) -> Result<FileInfo, String> {
        let name = value
            .rsplit('/')
            .next()
            .unwrap_or(value)
            .split(['?', '#'])
            .next()
            .unwrap_or("")
            .to_string();
        let set = self.set;
        if let Some(rest) = value
            .strip_prefix("https://")
            .or_else(|| value.strip_prefix("http://"))
        {
            let host = rest.split(['/', '?', '#']).next().unwrap_or("").to_string();
            return Ok(FileInfo {
                url: value.to_string(),
                extension: None,
                name,
                size: None,
                size_text: None,
                lang: None,
                hreflang: None,
                language_name: None,
                other_language: false,
                external: true,
                host: Some(host),
            });
        }
        if value.contains("..") || value.contains(':') || value.contains('\\') {
            return Err(format!(
                "`{value}` must be a file of the page bundle, a path from the site's root \
                 (`/files/plan.pdf`, from static/) or an http(s) address"
            ));
        }
        let (disk, url, place) = match value.strip_prefix('/') {
            Some(rest) => {
                let found = set
                    .static_dirs
                    .iter()
                    .map(|d| d.join(rest))
                    .find(|p| p.is_file());
                (
                    found,
                    format!("{}{}", set.base_path, crate::url::path(rest)),
                    "static/".to_string(),
                )
            }
            None => {
                let dir = set.root.join("content").join(&self.dir);
                let url = if self.bundle {
                    format!("{}{}", self.path, crate::url::path(value))
                } else {
                    let rel = if self.dir.is_empty() {
                        value.to_string()
                    } else {
                        format!("{}/{value}", self.dir)
                    };
                    format!("{}{}", set.base_path, crate::url::path(&rel))
                };
                let found = Some(dir.join(value)).filter(|p| p.is_file());
                (
                    found,
                    url,
                    format!("content/{}/", self.dir).replace("//", "/"),
                )
            }
        };
        let disk = disk.ok_or_else(|| format!("there is no file `{value}` in {place}"))?;
        let size = std::fs::metadata(&disk).map(|m| m.len()).ok();
        let stem = name.rsplit_once('.').map_or(name.as_str(), |(s, _)| s);
        let (_, code) = crate::content::walk::split_language_by(stem, |c| {
            set.languages.iter().any(|(code, _, _)| code == c)
        });
        let language = code.and_then(|c| set.languages.iter().find(|(code, _, _)| code == c));
        Ok(FileInfo {
            url,
            size,
            size_text: size.map(|s| set.size_text(s, &self.lang)),
            lang: language.map(|(c, _, _)| c.clone()),
            hreflang: language.map(|(_, l, _)| l.clone()),
            language_name: language.map(|(_, _, n)| n.clone()),
            other_language: language.is_some_and(|(c, _, _)| *c != self.lang),
            external: false,
            host: None,
            extension: name.rsplit_once('.').map(|(_, e)| e.to_uppercase()),
            name,
        })
    }
}

impl Expand for PageDirectives<'_> {
    fn knows(&self, name: &str) -> bool {
        self.set.specs.contains_key(name)
    }

    fn expand(&self, call: &Call, label_html: Option<&str>) -> Result<Expansion, Vec<Problem>> {
        let set = self.set;
        let Some(spec) = set.specs.get(&call.name) else {
            let known: Vec<&str> = set.specs.keys().map(String::as_str).collect();
            let colons = if call.kind == Kind::Leaf { "::" } else { ":::" };
            return Err(vec![Problem {
                offset: call.offset,
                message: format!("unknown directive `{colons}{}`", call.name),
                hint: did_you_mean(&call.name, &known).unwrap_or_else(|| {
                    format!(
                        "the directives are {}; add templates/directives/{}.html for a new one, \
                         or start the line with a backslash (`\\{colons}`) to show it as text",
                        known.join(", "),
                        call.name
                    )
                }),
            }]);
        };
        if spec.broken {
            return Err(Vec::new());
        }
        let mut problems = self.check(call, spec);
        let mut args: BTreeMap<&str, Option<&str>> =
            spec.args.iter().map(|a| (a.name.as_str(), None)).collect();
        let mut files: BTreeMap<&str, FileInfo> = BTreeMap::new();
        let mut classes: Vec<&str> = Vec::new();
        let mut id = None;
        for attr in &call.attrs {
            match attr.key.as_str() {
                "class" => classes.push(&attr.value),
                "id" => id = Some(attr.value.as_str()),
                key => {
                    let Some(arg) = spec.args.iter().find(|a| a.name == key) else {
                        continue;
                    };
                    args.insert(&arg.name, Some(&attr.value));
                    if arg.file && !attr.value.is_empty() {
                        match self.file(&attr.value) {
                            Ok(info) => {
                                files.insert(&arg.name, info);
                            }
                            Err(message) => problems.push(Problem {
                                offset: attr.value_offset,
                                message,
                                hint: "put the file beside the page in its bundle \
                                       (content/…/name/index.md), or in static/ and write its \
                                       path from the site's root"
                                    .to_string(),
                            }),
                        }
                    }
                }
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        let (locale, language_name) = set
            .languages
            .iter()
            .find(|(c, _, _)| *c == self.lang)
            .map_or((self.lang.as_str(), ""), |(_, l, n)| {
                (l.as_str(), n.as_str())
            });
        let mut ctx = tera::Context::new();
        ctx.insert("lang", &self.lang);
        ctx.insert("locale", locale);
        ctx.insert("language_name", language_name);
        ctx.insert("current_path", &self.path);
        ctx.insert("page_path", &self.path);
        ctx.insert("args", &args);
        ctx.insert("files", &files);
        ctx.insert("label", &label_html);
        ctx.insert("id", &id);
        ctx.insert("class", &(!classes.is_empty()).then(|| classes.join(" ")));
        if call.kind == Kind::Container {
            ctx.insert("body", BODY);
        }
        let template = format!("directives/{}.html", call.name);
        let html = set.tera.render(&template, &ctx).map_err(|e| {
            let mut message = e.to_string();
            let mut source = std::error::Error::source(&e);
            while let Some(s) = source {
                message = format!("{message}: {s}");
                source = s.source();
            }
            let display = set.displays.get(&call.name).map_or("", String::as_str);
            vec![Problem {
                offset: call.offset,
                message: format!("the template of `{}` failed: {message}", call.name),
                hint: format!("fix {display}"),
            }]
        })?;
        match call.kind {
            Kind::Leaf => Ok(Expansion::Leaf(html)),
            Kind::Container => match html.split_once(BODY) {
                Some((open, close)) if !close.contains(BODY) => Ok(Expansion::Container {
                    open: open.to_string(),
                    close: close.to_string(),
                }),
                _ => Err(vec![Problem {
                    offset: call.offset,
                    message: format!(
                        "the template of the container `{}` must write `{{{{ body | safe }}}}` once",
                        call.name
                    ),
                    hint: format!(
                        "fix {}",
                        set.displays.get(&call.name).map_or("", String::as_str)
                    ),
                }]),
            },
        }
    }
}

/// "did you mean `x`?" for the candidate nearest to `word`, if one is near enough.
fn did_you_mean(word: &str, candidates: &[&str]) -> Option<String> {
    candidates
        .iter()
        .map(|c| (strsim::jaro_winkler(word, c), *c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| format!("did you mean `{c}`?"))
}

/// The locale that runs of Han characters are marked with in pages of `lang`: the default
/// language's, when `lang` is another language and the default is written in Han
/// characters (Chinese, Japanese, Korean).
pub fn han_locale(config: &Config, lang: &str) -> Option<String> {
    if lang == config.default_language {
        return None;
    }
    let default = config.language(&config.default_language)?;
    let primary = default.locale.split(['-', '_']).next().unwrap_or("");
    matches!(primary, "zh" | "ja" | "ko" | "yue" | "cmn").then(|| default.locale.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers() {
        let spec = parse_header(
            "{#- directive\n    kind: container\n    args: src(required file) kind(info|warning) credit\n-#}\n<x>",
        )
        .unwrap();
        assert_eq!(spec.kind, Kind::Container);
        let names: Vec<(&str, bool, bool, usize)> = spec
            .args
            .iter()
            .map(|a| (a.name.as_str(), a.required, a.file, a.values.len()))
            .collect();
        assert_eq!(
            names,
            [
                ("src", true, true, 0),
                ("kind", false, false, 2),
                ("credit", false, false, 0)
            ]
        );
        assert_eq!(parse_header("<p>no header</p>").unwrap().args, []);
        assert!(parse_header("{# directive\n args: a(maybe) #}").is_err());
        assert!(parse_header("{# directive\n kind: block #}").is_err());
    }

    #[test]
    fn sizes_per_locale() {
        let de = LocaleFormat::new("de").unwrap();
        let en = LocaleFormat::new("en-GB").unwrap();
        assert_eq!(size_text(Some(&de), 1_200_000), "1,2\u{a0}MB");
        assert_eq!(size_text(Some(&en), 1_200_000), "1.2\u{a0}MB");
        assert_eq!(size_text(Some(&en), 830_400), "830\u{a0}kB");
        assert_eq!(size_text(Some(&en), 999), "999\u{a0}B");
        assert_eq!(size_text(Some(&en), 999_999), "1.0\u{a0}MB");
        assert_eq!(size_text(None, 12_345_678_901), "12\u{a0}GB");
    }
}
