//! Data files: facts that templates show in every language from one source, such as a table
//! of figures, kept under `data/` as TOML, YAML or JSON and read once per build.
//!
//! The rules (documented for editors in docs/templates.md, "Data files"):
//! - `data/targets.toml` is the data set `targets`; a file in a subdirectory,
//!   `data/zone/targets.toml`, is `zone/targets` (names are paths, as in `get_page`).
//! - `.toml`, `.yaml`/`.yml` and `.json` are read; any other file is skipped with a warning.
//!   Two files for one name in different formats (`targets.toml` and `targets.yaml`) are an
//!   error naming both.
//! - A language suffix, by the same rule as content files
//!   ([`crate::content::walk::split_language`]), makes a file an override for that language:
//!   `targets.de.toml` is merged over `targets.toml` for German pages. Tables are merged key
//!   by key, at every depth; any other value (a number, a text, a list) in the override
//!   replaces the base value. So the figures stay in one file and a per-language file holds
//!   only the words. A name with only per-language files exists only in those languages.
//! - Files are read through the one text reader ([`crate::text::read_text`]: BOM, CRLF,
//!   invalid UTF-8, size bound, no FIFOs); a syntax error names file, line and column.

use std::collections::BTreeMap;
use std::path::Path;

use crate::config::Config;
use crate::diagnostics::{Diagnostic, line_col};

/// The directory of data files under the site root.
pub const DATA_DIR: &str = "data";

/// The data files of a site, merged per language and ready for templates.
#[derive(Debug, Default)]
pub struct DataFiles {
    /// (name, language code) → the value for pages in that language.
    values: BTreeMap<(String, String), tera::Value>,
    /// Every name, sorted, for "did you mean".
    names: Vec<String>,
}

/// Why [`DataFiles::get`] found nothing.
#[derive(Debug, PartialEq, Eq)]
pub enum Missing {
    /// No data file has this name; the closest known name, if any is close.
    Name(Option<String>),
    /// The name exists, but only in other languages (listed).
    Language(Vec<String>),
}

/// The value of one file as parsed, before merging.
struct Parsed {
    name: String,
    lang: Option<String>,
    value: serde_json::Value,
}

impl DataFiles {
    /// Reads every data file under `root/data/`. Problems come back as diagnostics; a file
    /// that cannot be read or parsed is left out, the others are still available.
    pub fn load(root: &Path, config: &Config) -> (DataFiles, Vec<Diagnostic>) {
        let dir = root.join(DATA_DIR);
        let (files, mut diags) = crate::content::files::walk(&dir, DATA_DIR);
        let mut parsed: Vec<Parsed> = Vec::new();
        // (name, language) → the file that defined it, to catch two formats of one name.
        let mut seen: BTreeMap<(String, Option<String>), String> = BTreeMap::new();
        for f in files {
            let shown = format!("{DATA_DIR}/{}", f.rel);
            let Some((stem, format)) = split_format(&f.rel) else {
                diags.push(
                    Diagnostic::warning("skipped a file that is not a data file")
                        .in_file(&shown)
                        .with_hint(
                            "data files end in .toml, .yaml, .yml or .json; move other files \
                             out of data/",
                        ),
                );
                continue;
            };
            let (name, lang) = crate::content::walk::split_language(stem, config);
            let id = (name.to_string(), lang.map(str::to_string));
            if let Some(first) = seen.get(&id) {
                diags.push(
                    Diagnostic::error(format!(
                        "{shown} and {first} both define the data `{}`{}",
                        id.0,
                        id.1.as_deref()
                            .map_or(String::new(), |l| format!(" for `{l}`")),
                    ))
                    .in_file(&shown)
                    .with_hint("keep one of the two files: a name has one file per language"),
                );
                continue;
            }
            seen.insert(id.clone(), shown.clone());
            let text = match crate::text::read_text(&f.target, &shown) {
                Ok(t) => t,
                Err(d) => {
                    diags.push(d);
                    continue;
                }
            };
            match format.parse(&text) {
                Ok(value) => parsed.push(Parsed {
                    name: id.0,
                    lang: id.1,
                    value,
                }),
                Err(d) => diags.push(d.in_file(&shown)),
            }
        }
        (DataFiles::merge(parsed, config), diags)
    }

    /// The value of each name in each language: the base file with the language's file
    /// merged over it.
    fn merge(parsed: Vec<Parsed>, config: &Config) -> DataFiles {
        let mut base: BTreeMap<String, serde_json::Value> = BTreeMap::new();
        let mut overrides: BTreeMap<(String, String), serde_json::Value> = BTreeMap::new();
        for p in parsed {
            match p.lang {
                None => {
                    base.insert(p.name, p.value);
                }
                Some(l) => {
                    overrides.insert((p.name, l), p.value);
                }
            }
        }
        let mut names: Vec<String> = base
            .keys()
            .chain(overrides.keys().map(|(n, _)| n))
            .cloned()
            .collect();
        names.sort();
        names.dedup();
        let mut values = BTreeMap::new();
        for name in &names {
            for l in &config.languages {
                let id = (name.clone(), l.code.clone());
                let value = match (base.get(name), overrides.remove(&id)) {
                    (Some(b), Some(o)) => {
                        let mut v = b.clone();
                        deep_merge(&mut v, o);
                        v
                    }
                    (Some(b), None) => b.clone(),
                    (None, Some(o)) => o,
                    (None, None) => continue,
                };
                values.insert(id, tera::Value::from_serializable(&value));
            }
        }
        DataFiles { values, names }
    }

    /// The data `name` for pages in `lang`, or why there is none.
    pub fn get(&self, name: &str, lang: &str) -> Result<&tera::Value, Missing> {
        let name = name.trim_start_matches('/');
        let name = name.strip_prefix("data/").unwrap_or(name);
        if let Some(v) = self.values.get(&(name.to_string(), lang.to_string())) {
            return Ok(v);
        }
        if self.names.iter().any(|n| n == name) {
            let langs = self
                .values
                .keys()
                .filter(|(n, _)| n == name)
                .map(|(_, l)| l.clone())
                .collect();
            return Err(Missing::Language(langs));
        }
        let near = self
            .names
            .iter()
            .map(|n| (strsim::jaro_winkler(name, n), n))
            .filter(|(score, _)| *score > 0.7)
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, n)| n.clone());
        Err(Missing::Name(near))
    }

    /// Every data name, sorted.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The error message of the template function `get_data` for `name` in `lang`.
    pub fn explain(&self, name: &str, lang: &str, missing: Missing) -> String {
        match missing {
            Missing::Name(near) => {
                let known = if self.names.is_empty() {
                    "there are no data files under data/".to_string()
                } else {
                    format!("the data files are: {}", self.names.join(", "))
                };
                match near {
                    Some(n) => format!("get_data: no data `{name}`; did you mean `{n}`? ({known})"),
                    None => format!("get_data: no data `{name}`; {known}"),
                }
            }
            Missing::Language(langs) => format!(
                "get_data: the data `{name}` has no file for language `{lang}` (only for {}); \
                 add data/{name}.toml for every language, or data/{name}.{lang}.toml",
                langs.join(", ")
            ),
        }
    }
}

/// The formats data files may be written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Toml,
    Yaml,
    Json,
}

/// `zone/targets.de.toml` → (`zone/targets.de`, TOML); `None` for any other extension.
fn split_format(rel: &str) -> Option<(&str, Format)> {
    let (stem, ext) = rel.rsplit_once('.')?;
    let format = match ext.to_ascii_lowercase().as_str() {
        "toml" => Format::Toml,
        "yaml" | "yml" => Format::Yaml,
        "json" => Format::Json,
        _ => return None,
    };
    (!stem.is_empty() && !stem.ends_with('/')).then_some((stem, format))
}

impl Format {
    /// Parses `text`; an error carries line, column and a hint, not yet the file.
    fn parse(self, text: &str) -> Result<serde_json::Value, Diagnostic> {
        let (message, line, col, hint) = match self {
            Format::Toml => match text.parse::<toml::Table>() {
                Ok(t) => return Ok(toml_to_json(toml::Value::Table(t))),
                Err(e) => {
                    let (line, col) = e.span().map_or((1, 1), |s| line_col(text, s.start));
                    (
                        first_line(e.message()),
                        line,
                        col,
                        "TOML: `key = value`, text in quotes, tables as [name]",
                    )
                }
            },
            Format::Yaml => match serde_saphyr::from_str::<serde_json::Value>(text) {
                Ok(v) => return Ok(v),
                Err(e) => {
                    let (line, col) = e.location().map_or((1, 1), |l| {
                        ((l.line() as usize).max(1), l.column().max(1) as usize)
                    });
                    (
                        first_line(&e.to_string()),
                        line,
                        col,
                        "YAML: `key: value`, nested keys indented with spaces (not tabs)",
                    )
                }
            },
            Format::Json => match serde_json::from_str::<serde_json::Value>(text) {
                Ok(v) => return Ok(v),
                Err(e) => (
                    first_line(&e.to_string()),
                    e.line(),
                    e.column(),
                    "JSON: keys and texts in double quotes, no comma after the last entry",
                ),
            },
        };
        Err(Diagnostic::error(format!("invalid data file: {message}"))
            .at(text, line, col)
            .with_hint(hint))
    }
}

/// The first line of a parser's message (the rest repeats the source line, which the
/// diagnostic shows itself), without serde_json's trailing position.
fn first_line(message: &str) -> String {
    let first = message.lines().next().unwrap_or(message).trim();
    match first.rsplit_once(" at line ") {
        Some((m, _)) => m.to_string(),
        None => first.to_string(),
    }
}

/// A TOML value as JSON: dates and times become their text (`2018-12-31`), as in front
/// matter, so that the `date` filter formats them.
fn toml_to_json(v: toml::Value) -> serde_json::Value {
    use serde_json::Value as J;
    match v {
        toml::Value::String(s) => J::String(s),
        toml::Value::Integer(i) => J::from(i),
        toml::Value::Float(f) => serde_json::Number::from_f64(f).map_or(J::Null, J::Number),
        toml::Value::Boolean(b) => J::Bool(b),
        toml::Value::Datetime(d) => J::String(d.to_string()),
        toml::Value::Array(a) => J::Array(a.into_iter().map(toml_to_json).collect()),
        toml::Value::Table(t) => {
            J::Object(t.into_iter().map(|(k, v)| (k, toml_to_json(v))).collect())
        }
    }
}

/// Merges `over` into `base`: tables key by key at every depth; any other value replaces.
fn deep_merge(base: &mut serde_json::Value, over: serde_json::Value) {
    match (base, over) {
        (serde_json::Value::Object(b), serde_json::Value::Object(o)) => {
            for (k, v) in o {
                match b.get_mut(&k) {
                    Some(slot) => deep_merge(slot, v),
                    None => {
                        b.insert(k, v);
                    }
                }
            }
        }
        (slot, v) => *slot = v,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_merge_at_every_depth_and_other_values_replace() {
        let mut base = serde_json::json!({"a": {"x": 1, "y": [1, 2]}, "b": 2});
        deep_merge(
            &mut base,
            serde_json::json!({"a": {"y": [3], "z": "de"}, "c": true}),
        );
        assert_eq!(
            base,
            serde_json::json!({"a": {"x": 1, "y": [3], "z": "de"}, "b": 2, "c": true})
        );
    }

    #[test]
    fn formats_by_extension() {
        assert_eq!(
            split_format("zone/targets.de.toml"),
            Some(("zone/targets.de", Format::Toml))
        );
        assert_eq!(split_format("a.YML"), Some(("a", Format::Yaml)));
        assert_eq!(split_format("a.json"), Some(("a", Format::Json)));
        assert_eq!(split_format("README.md"), None);
        assert_eq!(split_format(".toml"), None);
    }

    #[test]
    fn syntax_errors_have_line_and_column() {
        let d = Format::Toml.parse("a = 1\nb = = 2\n").unwrap_err();
        assert_eq!((d.line, d.column), (Some(2), Some(5)), "{d:?}");
        let d = Format::Json.parse("{\n  \"a\": 1,\n}\n").unwrap_err();
        assert_eq!(d.line, Some(3), "{d:?}");
        let d = Format::Yaml.parse("a: 1\nb: [1, 2\n").unwrap_err();
        assert!(d.line.is_some_and(|l| l >= 2), "{d:?}");
    }

    #[test]
    fn toml_dates_become_text() {
        let v = Format::Toml.parse("until = 2018-12-31\n").unwrap();
        assert_eq!(v, serde_json::json!({"until": "2018-12-31"}));
    }
}
