//! Templates and static files of the theme: the built-in theme compiled into the binary,
//! then `themes/<theme>/`, then the site's own `templates/` and `static/`, each overriding
//! the previous file by file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::diagnostics::{Diagnostic, display_path};

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
];

const BUILTIN_STATIC: &[(&str, &str)] = &[("qiao.css", include_str!("builtin/static/qiao.css"))];

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
            for (rel, abs) in files_under(&dir.join("templates")) {
                let display = format!("{prefix}templates/{rel}");
                match crate::text::read_text(&abs, &display) {
                    Ok(text) => {
                        templates.insert(rel.clone(), TemplateSource { display, text });
                    }
                    Err(d) => errors.push(d),
                }
            }
            for (rel, abs) in files_under(&dir.join("static")) {
                statics.insert(rel, StaticFile::Disk(abs));
            }
        }
        if errors.is_empty() {
            Ok(TemplateSet { templates, statics })
        } else {
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
            .map_err(|e| vec![self.diagnostic(&e)])?;
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
        let mut keys = std::collections::BTreeSet::new();
        for t in self.templates.values() {
            let text = t.text.as_str();
            let mut rest = text;
            while let Some(i) = rest.find("key") {
                rest = &rest[i + 3..];
                let after = rest.trim_start();
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
                        keys.insert(id.to_string());
                    }
                }
            }
        }
        keys
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
                let d = Diagnostic::error(format!("template error: {message}")).in_file(display);
                match tpl {
                    Some(t) => d.at(&t.text, span.start_line, span.start_col + 1),
                    None => d,
                }
                .with_hint("fix the template; see docs/templates.md for the variables and functions available")
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

/// Every file under `dir`, as (relative path with `/`, absolute path), sorted; hidden and
/// editor files skipped, symbolic links not followed.
fn files_under(dir: &Path) -> Vec<(String, PathBuf)> {
    if !dir.is_dir() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for e in walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            e.depth() == 0
                || !crate::content::walk::is_ignored_name(&e.file_name().to_string_lossy())
        })
        .flatten()
    {
        if e.file_type().is_file() {
            let rel = display_path(e.path().strip_prefix(dir).unwrap_or(e.path()));
            out.push((rel, e.path().to_path_buf()));
        }
    }
    out
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
    use super::code_may_read;

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
