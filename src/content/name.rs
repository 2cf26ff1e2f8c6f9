//! The one rule for names with a language suffix, for files and links alike: `x.en.md` is
//! the `en` translation of `x.md`, and `@/news/x.en.md` links to it.
//!
//! Only a configured language code is a suffix, and only on the file name itself, after the
//! last `/`: `mkfs.fat.md` is the page `mkfs.fat`, `acme.sh.en.md` the English
//! translation of `acme.sh`, and `news/.en.md` the default-language page `.en` in `news/`
//! (a name needs something before its suffix). The walk of `content/`, `@/` links, the
//! template functions `get_page` and `get_section`, `qiao new` and the exchange formats all
//! read names with these functions, so that a link finds exactly the file the walk read.

use crate::config::Config;

/// Splits a file stem into the page's name and its language suffix: `acme.sh.en` →
/// (`acme.sh`, `en`), `mkfs.fat` → (`mkfs.fat`, none). Only a configured language code is a
/// suffix. The one rule for every place that reads file names (the walk, `@/` links, the
/// template functions, `qiao status`).
pub fn split_language<'a>(stem: &'a str, config: &Config) -> (&'a str, Option<&'a str>) {
    split_language_by(stem, |code| config.language(code).is_some())
}

/// [`split_language`] where only the list of language codes is at hand.
pub fn split_language_by(stem: &str, is_language: impl Fn(&str) -> bool) -> (&str, Option<&str>) {
    match stem.rsplit_once('.') {
        Some((name, suffix)) if !name.is_empty() && is_language(suffix) => (name, Some(suffix)),
        _ => (stem, None),
    }
}

/// A page or section named by a path relative to `content/`, as links and commands write it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Named<'a> {
    /// The translation key (`news/x`, `news/_index`, `news/b/index`).
    pub key: &'a str,
    /// The language written in the name, if any (`en` in `news/x.en.md`).
    pub lang: Option<&'a str>,
}

/// Reads a content path without its `.md` (`news/x.en`, `news/x`) by the rule of
/// [`split_language`], applied to the file name only: the key and the language written.
pub fn split_path<'a>(path: &'a str, is_language: impl Fn(&str) -> bool) -> Named<'a> {
    let (dir, file) = match path.rsplit_once('/') {
        Some((dir, file)) => (Some(dir), file),
        None => (None, path),
    };
    let (name, lang) = split_language_by(file, is_language);
    let key = match dir {
        Some(dir) => &path[..dir.len() + 1 + name.len()],
        None => name,
    };
    Named { key, lang }
}

/// Reads what a link or a template names (`@/news/x.en.md`, `/news/x.md`, `news/x.en`,
/// `news/x`): a leading `@/` or `/` and a trailing `.md` are optional.
pub fn page_name<'a>(written: &'a str, is_language: impl Fn(&str) -> bool) -> Named<'a> {
    let path = written.trim_start_matches("@/").trim_start_matches('/');
    let path = path.strip_suffix(".md").unwrap_or(path);
    split_path(path, is_language)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lang(code: &str) -> bool {
        matches!(code, "zh" | "en" | "de")
    }

    #[test]
    fn file_stems_split_on_configured_codes_only() {
        assert_eq!(
            split_language_by("acme.sh.en", lang),
            ("acme.sh", Some("en"))
        );
        assert_eq!(split_language_by("mkfs.fat", lang), ("mkfs.fat", None));
        assert_eq!(split_language_by("x.fr", lang), ("x.fr", None));
        assert_eq!(split_language_by(".en", lang), (".en", None));
        assert_eq!(split_language_by("en", lang), ("en", None));
    }

    #[test]
    fn paths_split_on_the_file_name_only() {
        let named = |key, lang| Named { key, lang };
        assert_eq!(split_path("news/x.en", lang), named("news/x", Some("en")));
        assert_eq!(split_path("news/x", lang), named("news/x", None));
        assert_eq!(split_path("x.de", lang), named("x", Some("de")));
        // The walk reads the file `news/.en.md` as the page `.en`: a link must find it.
        // (Read as one string, `news/.en` once split into `news/` and `en`.)
        assert_eq!(split_path("news/.en", lang), named("news/.en", None));
        assert_eq!(split_path("v1.en/x", lang), named("v1.en/x", None));
        assert_eq!(split_path("b/index.en", lang), named("b/index", Some("en")));
    }

    #[test]
    fn links_and_template_arguments_read_alike() {
        for written in [
            "@/news/x.en.md",
            "/news/x.en.md",
            "news/x.en.md",
            "news/x.en",
        ] {
            assert_eq!(
                page_name(written, lang),
                Named {
                    key: "news/x",
                    lang: Some("en")
                },
                "{written}"
            );
        }
        assert_eq!(
            page_name("@/news/.en.md", lang),
            Named {
                key: "news/.en",
                lang: None
            }
        );
    }
}
