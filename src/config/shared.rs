//! `[translation] shared` in `site.toml`: the front matter fields that translations inherit
//! from their source, checked by name when the file is read ("did you mean" for a misspelt
//! one). What sharing does to the pages is the `shared` module's.

/// A front matter field that translations inherit from their source.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(into = "String")]
pub enum SharedField {
    /// `date`.
    Date,
    /// `updated`.
    Updated,
    /// `weight`.
    Weight,
    /// `template`.
    Template,
    /// A key of `extra`, possibly nested: `extra.role` is `["role"]`.
    Extra(Vec<String>),
}

/// The fields that may be shared, for messages and "did you mean".
const SHAREABLE: [&str; 5] = ["date", "updated", "weight", "template", "extra.<key>"];

impl From<SharedField> for String {
    fn from(f: SharedField) -> String {
        f.name()
    }
}

impl SharedField {
    /// Reads a name of `[translation] shared`; `Err` has the message and a hint.
    pub fn parse(name: &str) -> Result<SharedField, (String, String)> {
        let field = match name {
            "date" => SharedField::Date,
            "updated" => SharedField::Updated,
            "weight" => SharedField::Weight,
            "template" => SharedField::Template,
            _ => match name.strip_prefix("extra.") {
                Some(path) if path.split('.').all(|k| !k.trim().is_empty()) => {
                    SharedField::Extra(path.split('.').map(str::to_string).collect())
                }
                _ => return Err(SharedField::refuse(name)),
            },
        };
        Ok(field)
    }

    fn refuse(name: &str) -> (String, String) {
        let why = match name {
            "title" | "summary" | "description" | "tags" | "categories" => {
                format!("`{name}` is translated, so it cannot be shared")
            }
            "draft" => "`draft` cannot be shared: each translation is published on its own".into(),
            "slug" | "aliases" => {
                format!("`{name}` cannot be shared: each language has its own addresses")
            }
            "extra" => "name a key of `extra`, such as `extra.role`, not `extra` itself".into(),
            _ => format!("`{name}` is not a front matter field that can be shared"),
        };
        let near = ["date", "updated", "weight", "template"]
            .into_iter()
            .map(|c| (strsim::jaro_winkler(name, c), c))
            .filter(|(s, _)| *s > 0.8)
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, c)| c);
        let hint = match near {
            Some(c) => format!("did you mean `{c}`?"),
            None => format!("fields that can be shared: {}", SHAREABLE.join(", ")),
        };
        (why, hint)
    }

    /// The name as written in `site.toml` (`extra.role`).
    pub fn name(&self) -> String {
        match self {
            SharedField::Date => "date".into(),
            SharedField::Updated => "updated".into(),
            SharedField::Weight => "weight".into(),
            SharedField::Template => "template".into(),
            SharedField::Extra(path) => format!("extra.{}", path.join(".")),
        }
    }
}
