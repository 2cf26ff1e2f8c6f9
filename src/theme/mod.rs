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
                match std::fs::read_to_string(&abs) {
                    Ok(text) => {
                        templates.insert(
                            rel.clone(),
                            TemplateSource {
                                display: format!("{prefix}templates/{rel}"),
                                text,
                            },
                        );
                    }
                    Err(e) => errors.push(
                        Diagnostic::error(format!("cannot read template: {e}"))
                            .in_file(format!("{prefix}templates/{rel}")),
                    ),
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
