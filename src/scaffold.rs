//! `qiao new`: a new page or section with a front matter scaffold, never overwriting a file.
//!
//! What it writes is what an editor would expect to find: a title made from the name, a file
//! name that is a clean URL segment, today's date on pages, and no empty fields (an empty
//! `summary` would show as an empty paragraph in lists and feeds). A new page is a draft until
//! the editor publishes it; a section (`_index`) never is, since a hidden section hides its
//! whole list.

use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::diagnostics::Diagnostic;

/// What `qiao new` is asked for, resolved against the site: where the file goes and what it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// Path under `content/` without language suffix and extension (`news/big-title`,
    /// `news/gallery/index`, `news/_index`).
    pub key: String,
    /// The language of the new file.
    pub lang: String,
    /// The title for the front matter.
    pub title: String,
    /// Whether the file is a section's page (`_index`).
    pub section: bool,
    /// Whether a path segment was renamed to be a clean URL segment (the editor is told).
    pub renamed: bool,
}

/// Turns what the editor typed (`news/Big Title`, `news/x.md`, `content/news/x.en.md`,
/// `news/gallery/`, `news/_index`) into a [`Target`].
pub fn target(config: &Config, path: &str, lang: Option<&str>) -> Result<Target, Diagnostic> {
    let trimmed = path.trim().replace('\\', "/");
    let bundle = trimmed.ends_with('/');
    let mut rel = trimmed
        .trim_start_matches("./")
        .trim_start_matches("content/");
    rel = rel.trim_end_matches('/');
    rel = rel.strip_suffix(".md").unwrap_or(rel);
    // A language suffix typed as part of the name (`x.en`) is the language, unless --lang says.
    let mut lang = lang.map(str::to_string);
    if let crate::content::name::Named {
        key: stem,
        lang: Some(code),
    } = crate::content::name::split_path(rel, |c| config.language(c).is_some())
    {
        if lang.as_deref().is_some_and(|l| l != code) {
            return Err(Diagnostic::error(format!(
                "`{path}` names the language `{code}`, but --lang says `{}`",
                lang.unwrap_or_default()
            ))
            .with_hint("give the language once, in the name or with --lang"));
        }
        lang = Some(code.to_string());
        rel = stem;
    }
    let lang = lang.unwrap_or_else(|| config.default_language.clone());
    if config.language(&lang).is_none() {
        let known: Vec<&str> = config.languages.iter().map(|l| l.code.as_str()).collect();
        return Err(
            Diagnostic::error(format!("`{lang}` is not a configured language"))
                .with_hint(format!("use one of: {}", known.join(", "))),
        );
    }
    let segments: Vec<&str> = rel.split('/').collect();
    let valid = !rel.is_empty()
        && segments
            .iter()
            .all(|s| !s.trim().is_empty() && *s != "." && *s != "..");
    if !valid {
        return Err(
            Diagnostic::error(format!("`{path}` is not a path inside content/"))
                .with_hint("write it like news/my-article (a page), news/gallery/ (a page bundle) or news/_index (a section)"),
        );
    }
    let mut renamed = false;
    let mut clean: Vec<String> = segments
        .iter()
        .map(|s| {
            let c = url_segment(s);
            renamed |= c != *s;
            c
        })
        .collect();
    if clean.iter().any(|s| s.is_empty()) {
        return Err(Diagnostic::error(format!(
            "`{path}` has a name that leaves nothing for the URL"
        ))
        .with_hint("use letters, digits or Chinese characters in the name"));
    }
    let last = segments[segments.len() - 1];
    let section = last == "_index";
    let title = if section {
        match segments.len() {
            1 => config
                .language(&lang)
                .map(|l| l.title.clone())
                .unwrap_or_default(),
            n => title_from(segments[n - 2]),
        }
    } else if last == "index" && segments.len() > 1 {
        title_from(segments[segments.len() - 2])
    } else {
        title_from(last)
    };
    if bundle && !section && last != "index" {
        clean.push("index".to_string());
    }
    Ok(Target {
        key: clean.join("/"),
        lang,
        title,
        section,
        renamed,
    })
}

/// A name as a clean URL segment: ASCII letters in lower case, spaces as `-`, characters
/// that must be escaped in a URL (`?#%&` and the like) left out. Chinese and other letters
/// stay as they are (`开幕式` is a good URL segment).
pub fn url_segment(name: &str) -> String {
    if name == "_index" || name == "index" {
        return name.to_string();
    }
    let mut out = String::new();
    for c in name.trim().chars() {
        if c.is_whitespace() || c == '-' {
            if !out.is_empty() && !out.ends_with('-') {
                out.push('-');
            }
        } else if c.is_alphanumeric() || c == '_' || c == '.' {
            out.extend(c.to_lowercase());
        }
    }
    out.trim_end_matches('-')
        .trim_start_matches('.')
        .to_string()
}

/// A title from a file name: `big-title` → `Big title`, `Big Title` → `Big Title`.
fn title_from(name: &str) -> String {
    let spaced = name.replace(['-', '_'], " ");
    let spaced = spaced.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut chars = spaced.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => spaced,
    }
}

/// A string in double quotes with `\` and `"` escaped: a YAML double-quoted scalar and a TOML
/// basic string alike (what the scaffolds write has no control characters).
pub(crate) fn quoted(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// The front matter and body of a new file.
pub fn scaffold(t: &Target, today: &str) -> String {
    let title = quoted(&t.title);
    if t.section {
        format!("---\ntitle: {title}\n---\n\n")
    } else {
        format!("---\ntitle: {title}\ndate: {today}\ndraft: true\n---\n\n")
    }
}

/// Creates the file for `path` under `root`'s `content/` and returns the [`Target`] and the
/// file's path.
pub fn new_page(
    root: &Path,
    path: &str,
    lang: Option<&str>,
    today: &str,
) -> Result<(Target, PathBuf), Diagnostic> {
    let config = Config::load(root).map_err(|mut ds| ds.remove(0))?;
    let t = target(&config, path, lang)?;
    // `news/` where news/ is a section: its page is `_index.md`, and a bundle `news/index.md`
    // beside it would claim the same address.
    if let Some(dir) = t.key.strip_suffix("/index") {
        let section = root.join("content").join(dir);
        let has_index = std::fs::read_dir(&section).is_ok_and(|entries| {
            entries
                .flatten()
                .any(|e| e.file_name().to_string_lossy().starts_with("_index"))
        });
        if has_index {
            return Err(Diagnostic::error(format!(
                "content/{dir}/ is a section (it has an _index.md): a page bundle there would take the section's address"
            ))
            .with_hint(format!(
                "for a page in the section write `qiao new {dir}/my-article`, for a bundle `qiao new {dir}/my-gallery/`; the section's own page is content/{dir}/_index.md"
            )));
        }
    }
    let file = if t.lang == config.default_language {
        format!("{}.md", t.key)
    } else {
        format!("{}.{}.md", t.key, t.lang)
    };
    let target = root.join("content").join(&file);
    if let Some(parent) = target.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| Diagnostic::error(format!("cannot create {}: {e}", parent.display())))?;
    }
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&target)
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                Diagnostic::error(format!("content/{file} exists already")).with_hint(
                    "qiao new never overwrites a file: edit that one, or choose another name",
                )
            } else {
                Diagnostic::error(format!("cannot create content/{file}: {e}"))
            }
        })?;
    std::io::Write::write_all(&mut f, scaffold(&t, today).as_bytes())
        .map_err(|e| Diagnostic::error(format!("cannot write content/{file}: {e}")))?;
    Ok((t, target))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> Config {
        Config::parse(
            "base_url = \"https://x.org/\"\ndefault_language = \"zh\"\n\
             [languages.zh]\nname = \"中文\"\nlocale = \"zh-Hans\"\ntitle = \"站点\"\n\
             [languages.en]\nname = \"English\"\nlocale = \"en\"\ntitle = \"Site\"\n",
        )
        .unwrap()
    }

    fn t(path: &str, lang: Option<&str>) -> Target {
        target(&config(), path, lang).unwrap()
    }

    #[test]
    fn every_path_form_names_the_same_page() {
        for p in [
            "news/x",
            "news/x.md",
            "content/news/x.md",
            "./content/news/x",
        ] {
            let got = t(p, None);
            assert_eq!(
                (got.key.as_str(), got.lang.as_str()),
                ("news/x", "zh"),
                "{p}"
            );
        }
        let en = t("content/news/x.en.md", None);
        assert_eq!((en.key.as_str(), en.lang.as_str()), ("news/x", "en"));
        assert!(target(&config(), "news/x.en", Some("zh")).is_err());
    }

    #[test]
    fn names_become_clean_url_segments_and_titles() {
        let got = t("News/Big Title", None);
        assert_eq!(got.key, "news/big-title");
        assert_eq!(got.title, "Big Title");
        assert!(got.renamed);
        let got = t("news/new-article", None);
        assert_eq!(
            (got.key.as_str(), got.title.as_str()),
            ("news/new-article", "New article")
        );
        assert!(!got.renamed);
        let got = t("news/c#?&%", None);
        assert_eq!(got.key, "news/c");
        let got = t("新闻/开幕式", None);
        assert_eq!(
            (got.key.as_str(), got.title.as_str()),
            ("新闻/开幕式", "开幕式")
        );
        assert!(target(&config(), "news/..", None).is_err());
        assert!(target(&config(), "news/???", None).is_err());
    }

    #[test]
    fn bundles_and_sections() {
        let got = t("news/gallery/", None);
        assert_eq!(
            (got.key.as_str(), got.title.as_str()),
            ("news/gallery/index", "Gallery")
        );
        let got = t("news/gallery/index", None);
        assert_eq!(
            (got.key.as_str(), got.title.as_str()),
            ("news/gallery/index", "Gallery")
        );
        let got = t("news/_index", Some("en"));
        assert_eq!(
            (got.key.as_str(), got.title.as_str()),
            ("news/_index", "News")
        );
        assert!(got.section);
        let home = t("_index", Some("en"));
        assert_eq!(home.title, "Site");
        assert_eq!(
            scaffold(&home, "2016-02-29"),
            "---\ntitle: \"Site\"\n---\n\n"
        );
    }

    #[test]
    fn a_page_scaffold_has_no_empty_fields() {
        let text = scaffold(&t("news/x", None), "2016-02-29");
        assert_eq!(
            text,
            "---\ntitle: \"X\"\ndate: 2016-02-29\ndraft: true\n---\n\n"
        );
    }
}
