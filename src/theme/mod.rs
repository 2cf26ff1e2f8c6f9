//! Templates and static files of the theme: the built-in theme compiled into the binary,
//! then `themes/<theme>/`, then the site's own `templates/` and `static/`, each overriding
//! the previous file by file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::diagnostics::Diagnostic;

/// The built-in theme, used when `site.toml` names none, and as the base every theme
/// inherits missing templates from.
const BUILTIN: &[(&str, &str)] = &[
    ("base.html", include_str!("builtin/templates/base.html")),
    ("index.html", include_str!("builtin/templates/index.html")),
    (
        "section.html",
        include_str!("builtin/templates/section.html"),
    ),
    ("page.html", include_str!("builtin/templates/page.html")),
    (
        "taxonomy_list.html",
        include_str!("builtin/templates/taxonomy_list.html"),
    ),
    (
        "taxonomy_single.html",
        include_str!("builtin/templates/taxonomy_single.html"),
    ),
    ("404.html", include_str!("builtin/templates/404.html")),
    (
        "partials/languages.html",
        include_str!("builtin/templates/partials/languages.html"),
    ),
    (
        "partials/list.html",
        include_str!("builtin/templates/partials/list.html"),
    ),
    (
        "directives/figure.html",
        include_str!("builtin/templates/directives/figure.html"),
    ),
    (
        "directives/notice.html",
        include_str!("builtin/templates/directives/notice.html"),
    ),
    (
        "directives/download.html",
        include_str!("builtin/templates/directives/download.html"),
    ),
    (
        "directives/video.html",
        include_str!("builtin/templates/directives/video.html"),
    ),
    (
        "directives/embed.html",
        include_str!("builtin/templates/directives/embed.html"),
    ),
    (
        "directives/click-to-load.js",
        include_str!("builtin/templates/directives/click-to-load.js"),
    ),
];

const BUILTIN_STATIC: &[(&str, &str)] = &[
    ("qiao.css", include_str!("builtin/static/qiao.css")),
    ("favicon.svg", include_str!("builtin/static/favicon.svg")),
];

/// Where a template came from, for error messages.
#[derive(Debug, Clone)]
struct TemplateSource {
    /// Shown in diagnostics: `themes/zone/templates/page.html` or `<built-in>/page.html`.
    display: String,
    text: String,
}

/// The templates of a site, ready to be compiled.
#[derive(Debug, Clone)]
pub struct TemplateSet {
    templates: BTreeMap<String, TemplateSource>,
    statics: BTreeMap<String, StaticFile>,
    /// Files skipped by the walks (links out of the tree, special files).
    warnings: Vec<Diagnostic>,
}

#[derive(Debug, Clone)]
enum StaticFile {
    Builtin(&'static str),
    Disk(PathBuf),
}

impl TemplateSet {
    /// Collects templates and static files for the site at `root`.
    pub fn load(root: &Path, theme: Option<&str>) -> Result<TemplateSet, Vec<Diagnostic>> {
        let mut templates = BTreeMap::new();
        let mut statics = BTreeMap::new();
        for (name, text) in BUILTIN {
            templates.insert(
                name.to_string(),
                TemplateSource {
                    display: format!("<built-in theme>/{name}"),
                    text: text.to_string(),
                },
            );
        }
        for (name, text) in BUILTIN_STATIC {
            statics.insert(name.to_string(), StaticFile::Builtin(text));
        }
        let mut errors = Vec::new();
        let mut walked = Vec::new();
        let mut layers = Vec::new();
        if let Some(t) = theme {
            let dir = root.join("themes").join(t);
            if !dir.is_dir() {
                errors.push(
                    Diagnostic::error(format!("theme `{t}` not found: themes/{t}/ does not exist"))
                        .in_file("site.toml")
                        .with_hint("create the theme directory, or remove `theme` to use the built-in theme"),
                );
            }
            layers.push((dir, format!("themes/{t}/")));
        }
        layers.push((root.to_path_buf(), String::new()));
        for (dir, prefix) in layers {
            for (rel, abs) in files_under(
                &dir.join("templates"),
                &format!("{prefix}templates"),
                &mut walked,
            ) {
                let display = format!("{prefix}templates/{rel}");
                match crate::text::read_text(&abs, &display) {
                    Ok(text) => {
                        templates.insert(rel.clone(), TemplateSource { display, text });
                    }
                    Err(d) => errors.push(d),
                }
            }
            for (rel, abs) in
                files_under(&dir.join("static"), &format!("{prefix}static"), &mut walked)
            {
                statics.insert(rel, StaticFile::Disk(abs));
            }
        }
        if errors.is_empty() && !walked.iter().any(Diagnostic::is_error) {
            Ok(TemplateSet {
                templates,
                statics,
                warnings: walked,
            })
        } else {
            errors.extend(walked);
            Err(errors)
        }
    }

    /// Compiles the templates into a Tera instance. `register` adds the functions and
    /// filters (they must exist before templates are added, in Tera 2).
    pub fn build(
        &self,
        register: impl FnOnce(&mut tera::Tera),
    ) -> Result<tera::Tera, Vec<Diagnostic>> {
        let mut tera = tera::Tera::new();
        tera.autoescape_on(vec![".html", ".htm", ".xml"]);
        register(&mut tera);
        let all = self
            .templates
            .iter()
            .map(|(name, src)| (name.as_str(), src.text.as_str()));
        tera.add_raw_templates(all)
            .map_err(|e| self.diagnostics(&e))?;
        Ok(tera)
    }

    /// Whether some template might read `var.attr`, or use the value of `var` as a whole
    /// (pass it to a macro, a filter or an include, loop over it, index it, test it): a
    /// conservative scan of the code in `{{ }}` and `{% %}` tags. `false` means no template
    /// can see `var.attr` through `var`.
    pub fn may_read(&self, var: &str, attr: &str) -> bool {
        self.templates
            .values()
            .any(|t| code_may_read(&t.text, var, attr))
    }

    /// Every template as (name, text), sorted by name.
    pub fn sources(&self) -> impl Iterator<Item = (&str, &str)> {
        self.templates
            .iter()
            .map(|(name, src)| (name.as_str(), src.text.as_str()))
    }

    /// The templates under `directives/` (the directives, `NAME.html`, and what they
    /// include), sorted: the template's name, where it came from (for messages) and its text.
    pub fn directive_templates(&self) -> Vec<(&str, &str, &str)> {
        self.templates
            .iter()
            .filter(|(name, _)| name.starts_with("directives/"))
            .map(|(name, src)| (name.as_str(), src.display.as_str(), src.text.as_str()))
            .collect()
    }

    /// The files the walks skipped, as warnings (see [`crate::content::files`]).
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }

    /// Static files as (source on disk, output path). Built-in files are materialised as
    /// data by [`TemplateSet::builtin_static`].
    pub fn static_files(&self) -> Vec<(&Path, String)> {
        self.statics
            .iter()
            .filter_map(|(rel, f)| match f {
                StaticFile::Disk(p) => Some((p.as_path(), rel.clone())),
                StaticFile::Builtin(_) => None,
            })
            .collect()
    }

    /// Built-in static files that no theme or site file overrides.
    pub fn builtin_static(&self) -> Vec<(String, &'static str)> {
        self.statics
            .iter()
            .filter_map(|(rel, f)| match f {
                StaticFile::Builtin(t) => Some((rel.clone(), *t)),
                StaticFile::Disk(_) => None,
            })
            .collect()
    }

    /// Message ids that templates pass as literal `key="..."` arguments: they count as used
    /// even when this build's content never renders them (a pagination label on a site
    /// with one page per list), so `qiao check` does not call them unused.
    pub fn literal_message_keys(&self) -> std::collections::BTreeSet<String> {
        self.message_call_sites().into_keys().collect()
    }

    /// Where templates name a message literally (`t(key="id")`), by message id: so that a
    /// message defined in no language is reported at the call, file, line and column.
    pub fn message_call_sites(&self) -> BTreeMap<String, Vec<crate::i18n::CallSite>> {
        let mut sites: BTreeMap<String, Vec<crate::i18n::CallSite>> = BTreeMap::new();
        for t in self.templates.values() {
            let text = t.text.as_str();
            let shared: std::sync::Arc<str> = std::sync::Arc::from(text);
            let mut pos = 0;
            while let Some(i) = text[pos..].find("key") {
                let key_at = pos + i;
                pos = key_at + 3;
                let after = text[pos..].trim_start();
                let Some(after) = after.strip_prefix('=') else {
                    continue;
                };
                let after = after.trim_start();
                let Some(quote) = after.chars().next().filter(|c| *c == '"' || *c == '\'') else {
                    continue;
                };
                let value = &after[1..];
                if let Some(end) = value.find(quote) {
                    let id = value[..end].split('.').next().unwrap_or("");
                    if !id.is_empty()
                        && id
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
                    {
                        let (line, column) = crate::diagnostics::line_col(text, key_at);
                        sites
                            .entry(id.to_string())
                            .or_default()
                            .push(crate::i18n::CallSite {
                                file: t.display.clone(),
                                text: shared.clone(),
                                line,
                                column,
                            });
                    }
                }
            }
        }
        sites
    }

    /// Turns a Tera error into diagnostics naming the template file, the line and the cause:
    /// one per problem, since Tera checks every filter, test and function a template calls
    /// when it compiles and reports them together (`Unknown filter` ...).
    pub fn diagnostics(&self, e: &tera::Error) -> Vec<Diagnostic> {
        if let tera::ErrorKind::Msg(text) = e.kind() {
            let found = self.reference_errors(text);
            if !found.is_empty() {
                return found;
            }
        }
        vec![self.diagnostic(e)]
    }

    /// Tera reports unknown filters, tests, functions and components as text, each in its
    /// own block (`error: Unknown filter `x`` then ` --> name:line:col`); this reads them
    /// back into qiao's own format, with the template's path as the editor knows it.
    fn reference_errors(&self, text: &str) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        let mut message: Option<&str> = None;
        for line in text.lines() {
            if let Some(m) = line.trim_start().strip_prefix("error: ") {
                message = Some(m.trim());
                continue;
            }
            let Some(at) = line.trim_start().strip_prefix("--> ") else {
                continue;
            };
            let Some(m) = message.take() else {
                continue;
            };
            let mut parts = at.trim().rsplitn(3, ':');
            let (Some(col), Some(row), Some(name)) = (parts.next(), parts.next(), parts.next())
            else {
                continue;
            };
            let (Ok(col), Ok(row)) = (col.parse::<usize>(), row.parse::<usize>()) else {
                continue;
            };
            let Some((kind, rest)) = m.strip_prefix("Unknown ").and_then(|r| r.split_once(' '))
            else {
                continue;
            };
            let tpl = self.templates.get(name);
            let display = tpl.map_or_else(|| name.to_string(), |t| t.display.clone());
            let d = Diagnostic::error(format!("unknown {kind} {rest}")).in_file(display);
            let d = match tpl {
                Some(t) => d.at(&t.text, row, col),
                None => d,
            };
            out.push(d.with_hint(format!(
                "check the spelling; docs/templates.md lists the {kind}s qiao adds to Tera's own"
            )));
        }
        out
    }

    /// The ids that templates write literally (`<main id="main">`), sorted: the body of a
    /// page must not define them again. Ids built from template expressions are not known
    /// here and are left out.
    pub fn literal_ids(&self) -> Vec<String> {
        let mut ids = std::collections::BTreeSet::new();
        for t in self.templates.values() {
            let text = t.text.as_str();
            for (i, _) in text.match_indices("id=") {
                let attribute_start = text[..i].ends_with(|c: char| c.is_ascii_whitespace());
                let rest = &text[i + 3..];
                let Some(quote) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') else {
                    continue;
                };
                let value = &rest[1..];
                if let Some(end) = value.find(quote)
                    && attribute_start
                    && !value[..end].is_empty()
                    && !value[..end].contains(['{', '}'])
                {
                    ids.insert(value[..end].to_string());
                }
            }
        }
        ids.into_iter().collect()
    }

    /// Turns a Tera error into a diagnostic naming the template file, the line and the cause.
    pub fn diagnostic(&self, e: &tera::Error) -> Diagnostic {
        let mut causes = Vec::new();
        let mut src = std::error::Error::source(e);
        while let Some(s) = src {
            causes.push(s.to_string());
            src = s.source();
        }
        match e.kind() {
            tera::ErrorKind::SyntaxError(r) | tera::ErrorKind::RenderingError(r) => {
                let tpl = self.templates.get(r.filename());
                let display = tpl.map_or_else(|| r.filename().to_string(), |t| t.display.clone());
                let mut message = r.message().to_string();
                if !causes.is_empty() {
                    message = format!("{message}: {}", causes.join(": "));
                }
                let span = r.span();
                // "Unknown tag" says which tag only in the caret: name it.
                let word = tpl.and_then(|t| word_at(&t.text, span.start_line, span.start_col));
                let (message, hint) = match word {
                    Some(w) if message == "Unknown tag" => (
                        format!("unknown tag `{w}` in a template"),
                        "Tera's tags are if, for, set, set_global, include, extends, block, macro, filter, raw, break, continue; check the spelling".to_string(),
                    ),
                    _ => (
                        format!("template error: {message}"),
                        "fix the template; see docs/templates.md for the variables and functions available".to_string(),
                    ),
                };
                let d = Diagnostic::error(message).in_file(display);
                match tpl {
                    Some(t) => d.at(&t.text, span.start_line, span.start_col + 1),
                    None => d,
                }
                .with_hint(hint)
            }
            tera::ErrorKind::TemplateNotFound(name) => Diagnostic::error(format!(
                "template `{name}` not found"
            ))
            .with_hint(
                "add it to templates/ or to the theme, or fix the `template` front matter field",
            ),
            other => {
                let mut message = other.to_string();
                if !causes.is_empty() {
                    message = format!("{message}: {}", causes.join(": "));
                }
                Diagnostic::error(format!("template error: {message}"))
            }
        }
    }
}

/// The identifier at a 1-based line and 0-based column of a template, if there is one.
fn word_at(text: &str, line: usize, col: usize) -> Option<String> {
    let l = text.lines().nth(line.checked_sub(1)?)?;
    let w: String = l
        .chars()
        .skip(col)
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    (!w.is_empty()).then_some(w)
}

/// Every file under `dir` (shown as `shown`) that the rule of [`crate::content::files`]
/// admits, as (relative path with `/`, what to read), sorted; what it skips goes to `diags`.
fn files_under(dir: &Path, shown: &str, diags: &mut Vec<Diagnostic>) -> Vec<(String, PathBuf)> {
    let (files, found) = crate::content::files::walk(dir, shown);
    diags.extend(found);
    files.into_iter().map(|f| (f.rel, f.target)).collect()
}

/// See [`TemplateSet::may_read`]. Only the code inside tags is scanned (the HTML around it
/// may say `<section>`); string literals and comments are skipped.
fn code_may_read(text: &str, var: &str, attr: &str) -> bool {
    let chars: Vec<char> = text.chars().collect();
    let n = chars.len();
    let mut i = 0;
    while i + 1 < n {
        if chars[i] != '{' {
            i += 1;
            continue;
        }
        let close = match chars[i + 1] {
            '{' => '}',
            '%' => '%',
            '#' => {
                // A comment: skip to `#}`.
                i += 2;
                while i + 1 < n && !(chars[i] == '#' && chars[i + 1] == '}') {
                    i += 1;
                }
                i += 2;
                continue;
            }
            _ => {
                i += 1;
                continue;
            }
        };
        i += 2;
        let mut depth = 0usize;
        // Previous significant character, to tell `x.section` (an attribute) from `section`.
        let mut prev = ' ';
        while i < n {
            let c = chars[i];
            if depth == 0 && c == close && chars.get(i + 1) == Some(&'}') {
                i += 2;
                break;
            }
            match c {
                '"' | '\'' | '`' => {
                    i += 1;
                    while i < n && chars[i] != c {
                        if chars[i] == '\\' {
                            i += 1;
                        }
                        i += 1;
                    }
                    i += 1;
                    prev = c;
                }
                '{' | '[' | '(' => {
                    depth += usize::from(c == '{');
                    prev = c;
                    i += 1;
                }
                '}' => {
                    depth = depth.saturating_sub(1);
                    prev = c;
                    i += 1;
                }
                c if c.is_alphabetic() || c == '_' => {
                    let start = i;
                    while i < n && (chars[i].is_alphanumeric() || chars[i] == '_') {
                        i += 1;
                    }
                    let ident: String = chars[start..i].iter().collect();
                    if ident == var && prev != '.' {
                        let mut j = i;
                        while j < n && chars[j].is_whitespace() {
                            j += 1;
                        }
                        match chars.get(j) {
                            Some('.') => {
                                j += 1;
                                while j < n && chars[j].is_whitespace() {
                                    j += 1;
                                }
                                let s = j;
                                while j < n && (chars[j].is_alphanumeric() || chars[j] == '_') {
                                    j += 1;
                                }
                                let name: String = chars[s..j].iter().collect();
                                if name.is_empty() || name == attr {
                                    return true;
                                }
                            }
                            // A keyword argument named like the variable: `t(section=x)`.
                            Some('=') if chars.get(j + 1) != Some(&'=') => {}
                            _ => return true,
                        }
                    }
                    prev = 'a';
                }
                c if c.is_whitespace() => i += 1,
                c => {
                    prev = c;
                    i += 1;
                }
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::{TemplateSet, code_may_read};

    #[test]
    fn literal_ids_of_the_templates() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("templates");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("page.html"),
            "<h2 id='toc-title'>x</h2><p data-id=\"no\" id=\"p-{{ page.slug }}\"></p>\n\
             <input\tid=\"search-q\">{{ page.content | safe }}",
        )
        .unwrap();
        let set = TemplateSet::load(root.path(), None).unwrap_or_else(|e| panic!("{e:?}"));
        // The site's page.html, plus the built-in base.html's `<main id="main">`.
        assert_eq!(set.literal_ids(), ["main", "search-q", "toc-title"]);
    }

    #[test]
    fn scan_for_reads_of_an_attribute() {
        let reads = |t: &str| code_may_read(t, "section", "pages");
        // Only other attributes, a kwarg of the same name, another variable's attribute,
        // HTML, strings and comments: no read.
        assert!(!reads("<section>{{ section.title }}</section>"));
        assert!(!reads(
            "{% if section.subsections %}{{ section . content | safe }}{% endif %}"
        ));
        assert!(!reads(
            r#"{{ t(key="more", section=news.title) }} {{ get_section(path="x") }}"#
        ));
        assert!(!reads(
            r#"{{ x.section }} {{ "section.pages" }} {# section.pages #}"#
        ));
        assert!(!reads(
            "{% for p in paginator.pages %}{{ p.title }}{% endfor %}"
        ));
        // Reads, direct or possible.
        assert!(reads("{% for p in section.pages %}{% endfor %}"));
        assert!(reads("{% set s = section %}{{ s.pages }}"));
        assert!(reads("{{ section | json_encode }}"));
        assert!(reads(r#"{{ section["pages"] }}"#));
        assert!(reads("{% if section %}x{% endif %}"));
        assert!(reads("{{ m::list(items=section) }}"));
        assert!(reads("{{ {\"a\": 1} }}{{ section.pages }}"));
        assert!(reads("{%- for p in section.pages -%}{%- endfor -%}"));
    }
}
