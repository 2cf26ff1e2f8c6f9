//! Shared front matter fields: values that do not change from one language to another (a
//! date, a weight, `extra.role`), declared once in `site.toml`:
//!
//! ```toml
//! [translation]
//! shared = ["date", "weight", "extra.role"]
//! ```
//!
//! A translation that omits a shared field inherits the value of its default-language source
//! ([`inherit`], run right after parsing, so every later stage, from drafts and future dates to
//! lists, feeds and templates, sees the inherited value). A translation that sets a different
//! value keeps it, with a warning naming both files and lines; an equal value is fine. `qiao
//! translate` leaves shared fields out of the stubs it writes ([`strip_from_stub`]). Shared
//! fields are not part of the source revision, so changing one never makes a translation
//! stale.
//!
//! Translated fields (`title`, `summary`, `description`, `tags`, `categories`), per-page
//! publishing (`draft`) and addresses (`slug`, `aliases`) cannot be shared: the list is
//! checked when `site.toml` is read, with "did you mean" for a misspelt name.

use std::collections::HashMap;

pub use crate::config::SharedField;
use crate::content::Parsed;
use crate::content::{Document, SourceKind};
use crate::diagnostics::Diagnostic;

impl SharedField {
    /// The keys leading to the field in front matter (`["extra", "role"]`).
    fn path(&self) -> Vec<String> {
        match self {
            SharedField::Extra(p) => std::iter::once("extra".to_string())
                .chain(p.iter().cloned())
                .collect(),
            other => vec![other.name()],
        }
    }

    /// The value in `doc`, as JSON for comparing and for messages; `None` when not set.
    fn get(&self, doc: &Document) -> Option<serde_json::Value> {
        let m = &doc.meta;
        match self {
            // The validated date: `2016-02-29` and `2016-02-29T00:00:00+08:00` in a site in
            // that zone are the same date.
            SharedField::Date => doc.date.as_ref().map(|d| d.rfc3339.clone().into()),
            SharedField::Updated => doc.updated.as_ref().map(|d| d.rfc3339.clone().into()),
            SharedField::Weight => m.weight.map(Into::into),
            SharedField::Template => m.template.clone().map(Into::into),
            SharedField::Extra(path) => {
                let mut v = m.extra.as_ref()?;
                for k in path {
                    v = v.get(k)?;
                }
                (!v.is_null()).then(|| v.clone())
            }
        }
    }

    /// Copies the field from `from` into `to`.
    fn copy(&self, from: &Document, to: &mut Document) {
        match self {
            SharedField::Date => {
                to.date = from.date.clone();
                std::sync::Arc::make_mut(&mut to.meta).date = from.meta.date.clone();
            }
            SharedField::Updated => {
                to.updated = from.updated.clone();
                std::sync::Arc::make_mut(&mut to.meta).updated = from.meta.updated.clone();
            }
            SharedField::Weight => std::sync::Arc::make_mut(&mut to.meta).weight = from.meta.weight,
            SharedField::Template => {
                std::sync::Arc::make_mut(&mut to.meta).template = from.meta.template.clone()
            }
            SharedField::Extra(path) => {
                let Some(value) = self.get(from) else { return };
                let table = || serde_json::Value::Object(Default::default());
                let mut slot = std::sync::Arc::make_mut(&mut to.meta)
                    .extra
                    .get_or_insert_with(table);
                for (i, k) in path.iter().enumerate() {
                    // A text where a table was expected (`extra: x`): the translation's own
                    // value stands.
                    let Some(o) = slot.as_object_mut() else {
                        return;
                    };
                    let last = i + 1 == path.len();
                    slot = o.entry(k.clone()).or_insert_with(|| {
                        if last {
                            serde_json::Value::Null
                        } else {
                            table()
                        }
                    });
                }
                if slot.is_null() {
                    *slot = value;
                }
            }
        }
    }
}

/// A translation's shared field that differs from its source: the field, the translation's
/// value and the source's.
#[derive(Debug, Clone, PartialEq)]
pub struct Conflict {
    /// The field.
    pub field: SharedField,
    /// What the translation says.
    pub own: serde_json::Value,
    /// What the source says.
    pub source: serde_json::Value,
}

/// Gives `translation` the shared fields it omits from `source`; returns the fields it sets
/// to a different value (it keeps its own).
pub fn inherit_from(
    shared: &[SharedField],
    source: &Document,
    translation: &mut Document,
) -> Vec<Conflict> {
    let mut conflicts = Vec::new();
    for f in shared {
        match (f.get(source), f.get(translation)) {
            (Some(_), None) => f.copy(source, translation),
            (Some(s), Some(own)) if s != own => conflicts.push(Conflict {
                field: f.clone(),
                own,
                source: s,
            }),
            _ => {}
        }
    }
    conflicts
}

/// Whether `a` and `b` have the same values (or none) for every shared field.
pub fn same_values(shared: &[SharedField], a: &Document, b: &Document) -> bool {
    shared.iter().all(|f| f.get(a) == f.get(b))
}

/// Gives every translation in `docs` the shared fields it omits from its default-language
/// source (same key, same kind); returns a warning for each shared field a translation sets
/// to another value, naming both files and lines. Nothing happens when no field is shared.
pub fn inherit(config: &crate::config::Config, docs: &mut [&mut Parsed]) -> Vec<Diagnostic> {
    let shared = &config.translation.shared;
    if shared.is_empty() {
        return Vec::new();
    }
    let default = &config.default_language;
    let mut sources: HashMap<(String, bool), usize> = HashMap::new();
    for (i, p) in docs.iter().enumerate() {
        if &p.source.lang == default {
            sources.insert((p.source.key.clone(), is_section(p)), i);
        }
    }
    let mut diags = Vec::new();
    for i in 0..docs.len() {
        if &docs[i].source.lang == default {
            continue;
        }
        let Some(&s) = sources.get(&(docs[i].source.key.clone(), is_section(docs[i]))) else {
            continue;
        };
        let source = docs[s].doc.clone();
        let conflicts = inherit_from(shared, &source, &mut docs[i].doc);
        for c in conflicts {
            let path = c.field.path();
            let own_line = field_line(&docs[i].doc, &path);
            let source_line = field_line(&source, &path);
            let name = c.field.name();
            diags.push(
                Diagnostic::warning(format!(
                    "`{name}` is shared by all languages, but this translation sets {} where its \
                     source content/{}:{source_line} sets {}",
                    c.own, docs[s].source.rel, c.source
                ))
                .in_file(format!("content/{}", docs[i].source.rel))
                .at_line(&docs[i].doc.text, own_line)
                .with_hint(format!(
                    "delete this line to use the source's value, or take `{name}` out of \
                     [translation] shared in site.toml if it differs by language"
                )),
            );
        }
    }
    diags
}

fn is_section(p: &Parsed) -> bool {
    matches!(p.source.kind, SourceKind::Section)
}

/// The 1-based line of the file that sets the field at `path` (`["extra", "role"]`) in the
/// front matter of `doc`, YAML or TOML; 1 when it cannot be found.
fn field_line(doc: &Document, path: &[String]) -> usize {
    let lines = doc.text.lines().take(doc.body_line.saturating_sub(1));
    let mut depth = 0;
    let mut min_indent = 0;
    let mut found = 1;
    for (i, line) in lines.enumerate().skip(1) {
        if depth == path.len() {
            break;
        }
        let indent = line.len() - line.trim_start().len();
        let trimmed = line.trim();
        // A TOML table header, `[extra]`: its keys follow at any indentation.
        let (key, table) = match trimmed.strip_prefix('[').and_then(|t| t.strip_suffix(']')) {
            Some(t) => (t.trim(), true),
            None => (
                trimmed
                    .split([':', '='])
                    .next()
                    .unwrap_or("")
                    .trim()
                    .trim_matches(['"', '\'']),
                false,
            ),
        };
        if depth > 0 && !trimmed.is_empty() && indent < min_indent {
            break;
        }
        if key == path[depth] && (depth > 0 || indent == 0) {
            depth += 1;
            found = i + 1;
            min_indent = if table { 0 } else { indent + 1 };
        }
    }
    if depth == path.len() { found } else { 1 }
}

/// A stub's text without the top-level lines (and their indented continuation lines) of the
/// shared fields, and without the shared keys of `extra` (an `extra` left empty goes too).
pub fn strip_from_stub(stub: &str, shared: &[SharedField]) -> String {
    if shared.is_empty() {
        return stub.to_string();
    }
    if stub.starts_with("+++") {
        return strip_from_toml_stub(stub, shared);
    }
    let top: Vec<String> = shared
        .iter()
        .filter(|f| !matches!(f, SharedField::Extra(_)))
        .map(SharedField::name)
        .collect();
    let extra_keys: Vec<&str> = shared
        .iter()
        .filter_map(|f| match f {
            SharedField::Extra(p) if p.len() == 1 => Some(p[0].as_str()),
            _ => None,
        })
        .collect();
    let indent = |l: &str| l.len() - l.trim_start().len();
    let key = |l: &str| {
        l.trim()
            .split(':')
            .next()
            .unwrap_or("")
            .trim()
            .trim_matches(['"', '\''])
            .to_string()
    };
    let mut out: Vec<&str> = Vec::new();
    let mut lines = stub.split_inclusive('\n');
    if let Some(first) = lines.next() {
        out.push(first);
    }
    // Inside a dropped field: lines indented more than this belong to it.
    let mut skipping: Option<usize> = None;
    // Where the `extra:` line is in `out`, and whether a key of it was kept.
    let mut extra: Option<(usize, usize, bool)> = None;
    let mut in_fm = true;
    for line in lines {
        if !in_fm {
            out.push(line);
            continue;
        }
        if line.trim_end() == "---" {
            in_fm = false;
        }
        let blank = line.trim().is_empty();
        if let Some(level) = skipping {
            if blank || (indent(line) > level && in_fm) {
                continue;
            }
            skipping = None;
        }
        if in_fm && !blank {
            let ind = indent(line);
            if let Some((at, level, kept)) = extra {
                if ind > level {
                    if extra_keys.contains(&key(line).as_str()) {
                        skipping = Some(ind);
                    } else {
                        extra = Some((at, level, true));
                        out.push(line);
                    }
                    continue;
                }
                if !kept {
                    out.remove(at);
                }
                extra = None;
            }
            if ind == 0 && top.contains(&key(line)) {
                skipping = Some(0);
                continue;
            }
            if ind == 0 && key(line) == "extra" && line.trim_end().ends_with(':') {
                extra = Some((out.len(), 0, false));
            }
        } else if let (false, Some((at, _, false))) = (in_fm, extra) {
            // The front matter ended with an `extra:` whose keys were all shared.
            extra = None;
            out.remove(at);
        }
        out.push(line);
    }
    out.concat()
}

/// [`strip_from_stub`] for TOML front matter: top-level `key = value` lines and the keys of
/// the `[extra]` table.
fn strip_from_toml_stub(stub: &str, shared: &[SharedField]) -> String {
    let mut out = String::new();
    let mut table: Option<String> = None;
    let mut in_fm = true;
    for (i, line) in stub.split_inclusive('\n').enumerate() {
        let t = line.trim();
        if i > 0 && in_fm && t == "+++" {
            in_fm = false;
        } else if i > 0 && in_fm {
            if let Some(name) = t.strip_prefix('[').and_then(|n| n.strip_suffix(']')) {
                table = Some(name.trim().to_string());
            } else {
                let key = t
                    .split('=')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .trim_matches(['"', '\'']);
                let path: Vec<String> = table
                    .iter()
                    .flat_map(|t| t.split('.').map(str::to_string))
                    .chain(std::iter::once(key.to_string()))
                    .collect();
                if t.contains('=') && shared.iter().any(|f| f.path() == path) {
                    continue;
                }
            }
        }
        out.push_str(line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked() {
        assert_eq!(SharedField::parse("weight"), Ok(SharedField::Weight));
        assert_eq!(
            SharedField::parse("extra.role"),
            Ok(SharedField::Extra(vec!["role".into()]))
        );
        let (msg, hint) = SharedField::parse("wieght").unwrap_err();
        assert_eq!(
            msg,
            "`wieght` is not a front matter field that can be shared"
        );
        assert_eq!(hint, "did you mean `weight`?");
        assert_eq!(
            SharedField::parse("title").unwrap_err().0,
            "`title` is translated, so it cannot be shared"
        );
        assert!(SharedField::parse("extra.").is_err());
        assert!(SharedField::parse("extra").is_err());
    }

    #[test]
    fn stubs_leave_shared_fields_out() {
        let shared = [
            SharedField::Date,
            SharedField::Weight,
            SharedField::Extra(vec!["role".into()]),
        ];
        let stub = "---\ntitle: \"x\"  # TRANSLATE\ndate: 2016-02-29\nweight: 2\nextra:\n  role: core\n  district: 蓬江区\naliases:\n  - /a/\n---\nbody\nweight: 3\n";
        assert_eq!(
            strip_from_stub(stub, &shared),
            "---\ntitle: \"x\"  # TRANSLATE\nextra:\n  district: 蓬江区\naliases:\n  - /a/\n---\nbody\nweight: 3\n"
        );
        let only_role = "---\ntitle: x\nextra:\n  role: core\n---\nbody\n";
        assert_eq!(
            strip_from_stub(only_role, &shared),
            "---\ntitle: x\n---\nbody\n"
        );
        let role_last = "---\ntitle: x\nextra:\n  role: core\ndraft: true\n---\n";
        assert_eq!(
            strip_from_stub(role_last, &shared),
            "---\ntitle: x\ndraft: true\n---\n"
        );
    }

    #[test]
    fn toml_stubs_leave_shared_fields_out() {
        let shared = [SharedField::Weight, SharedField::Extra(vec!["role".into()])];
        let stub = "+++\ndraft = true\ntitle = \"x\"\nweight = 2\n[extra]\nrole = \"core\"\ndistrict = \"a\"\n+++\nweight = 3\n";
        assert_eq!(
            strip_from_stub(stub, &shared),
            "+++\ndraft = true\ntitle = \"x\"\n[extra]\ndistrict = \"a\"\n+++\nweight = 3\n"
        );
    }

    #[test]
    fn lines_of_nested_fields() {
        let doc = crate::content::front_matter::parse(
            "---\ntitle: x\nweight: 2\nextra:\n  district: a\n  role: core\n---\nrole: no\n",
        )
        .unwrap();
        assert_eq!(field_line(&doc, &["weight".into()]), 3);
        assert_eq!(field_line(&doc, &["extra".into(), "role".into()]), 6);
        let toml = crate::content::front_matter::parse(
            "+++\ntitle = \"x\"\n[extra]\nrole = \"core\"\n+++\n",
        )
        .unwrap();
        assert_eq!(field_line(&toml, &["extra".into(), "role".into()]), 4);
    }
}
