//! Step 1 of [`super::build`]: where every source goes. Its site path (language prefix,
//! section directories, the name or `slug`, each segment percent-encoded), its output
//! directory, and a check that no two sources are written to one place.

use std::collections::BTreeMap;

use super::{Parsed, section_path};
use crate::config::Config;
use crate::content::{Document, Source, SourceKind};
use crate::diagnostics::Diagnostic;
use crate::ident;

/// A source with the site path it is published at.
#[derive(Debug, Clone)]
pub struct Placed {
    /// The source.
    pub parsed: Parsed,
    /// Its site path (`/en/news/x/`).
    pub path: String,
}

/// Places every source: the ones whose name cannot be an address, the second of two that
/// would be written to one path, and the second of two that are one page in one language
/// (`x.md` and `x.zh.md` when zh is the default language), in source order, are reported
/// and left out.
pub fn place(config: &Config, parsed: Vec<Parsed>, diags: &mut Vec<Diagnostic>) -> Vec<Placed> {
    let mut claimed: BTreeMap<String, String> = BTreeMap::new();
    let mut kept = Vec::new();
    let placed: Vec<(Parsed, String)> = parsed
        .into_iter()
        .filter_map(|p| match source_path(config, &p.source, &p.doc) {
            Ok(path) => Some((p, path)),
            Err(d) => {
                diags.push(d);
                None
            }
        })
        .collect();
    // Which file is the page of each (key, language): links, translations and the language
    // switcher find a page by those, so two files cannot be one page.
    let mut second = vec![false; placed.len()];
    let mut pages: BTreeMap<(&str, &str), String> = BTreeMap::new();
    for (k, (p, _)) in placed.iter().enumerate() {
        let rel = format!("content/{}", p.source.rel);
        let s = &p.source;
        if let Some(other) = pages.get(&(s.key.as_str(), s.lang.as_str())) {
            let language = config
                .language(&s.lang)
                .map_or(s.lang.as_str(), |l| &l.name);
            diags.push(
                Diagnostic::error(format!(
                    "{rel} and {other} are both the {language} version of `{}`",
                    s.key
                ))
                .in_file(&rel)
                .with_hint(format!(
                    "keep one of them: a file without a language suffix is already in the default language ({})",
                    config.default_language
                )),
            );
            second[k] = true;
            continue;
        }
        pages.insert((s.key.as_str(), s.lang.as_str()), rel);
    }
    drop(pages);
    let placed: Vec<(Parsed, String)> = (placed.into_iter().zip(second))
        .filter(|(_, second)| !second)
        .map(|(placed, _)| placed)
        .collect();
    for (p, path) in placed {
        let rel = format!("content/{}", p.source.rel);
        if let Some(other) = claimed.get(&path) {
            diags.push(
                Diagnostic::error(format!(
                    "{rel} and {other} would both be written to {path}"
                ))
                .in_file(&rel)
                .with_hint("give one of them a different `slug` in its front matter, or rename the file"),
            );
            continue;
        }
        claimed.insert(path.clone(), rel);
        kept.push(Placed { parsed: p, path });
    }
    kept
}

/// The site path of a source, every segment percent-encoded ([`crate::url`]); an error when
/// its name cannot be a URL segment (`.`, `..`).
pub fn source_path(config: &Config, source: &Source, doc: &Document) -> Result<String, Diagnostic> {
    let prefix = config.lang_prefix(&source.lang);
    let dir = section_path(&source.section_dir);
    match source.kind {
        SourceKind::Section => Ok(format!("{prefix}{dir}")),
        SourceKind::Page => {
            let slug = super::fields::effects(&doc.meta).slug;
            let slug = ident::nfc(slug.unwrap_or(&source.stem));
            if !crate::url::is_valid_segment(&slug) {
                return Err(Diagnostic::error(format!(
                    "the page's name `{slug}` cannot be part of an address"
                ))
                .in_file(format!("content/{}", source.rel))
                .with_hint("give the page a `slug` in its front matter, e.g. `slug: dot`"));
            }
            Ok(format!("{prefix}{dir}{}/", crate::url::segment(&slug)))
        }
    }
}

/// Output directory (relative, no leading or trailing slash, percent-decoded: the names on
/// disk) of a site path.
pub fn out_dir(config: &Config, path: &str) -> String {
    crate::url::decode(
        path.strip_prefix(config.base_path.as_str())
            .unwrap_or(path)
            .trim_matches('/'),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_cannot_be_url_segments_need_a_slug() {
        let config = Config::parse(
            "base_url = \"https://x.org/\"\ndefault_language = \"zh\"\n[languages.zh]\nname = \"中文\"\nlocale = \"zh-Hans\"\ntitle = \"t\"\n",
        )
        .unwrap();
        let doc = crate::content::front_matter::parse("---\ntitle: x\n---\n").unwrap();
        let source = |stem: &str| Source {
            rel: format!("news/{stem}.md"),
            abs: std::path::PathBuf::new(),
            kind: SourceKind::Page,
            lang: "zh".into(),
            key: format!("news/{stem}"),
            section_dir: "my docs".into(),
            stem: stem.into(),
            bundle: false,
        };
        for bad in [".", ".."] {
            let d = source_path(&config, &source(bad), &doc).unwrap_err();
            assert_eq!(
                d.message,
                format!("the page's name `{bad}` cannot be part of an address")
            );
            assert!(d.hint.as_deref().unwrap().contains("slug"));
        }
        assert_eq!(
            source_path(&config, &source("c#?&%"), &doc).unwrap(),
            "/my%20docs/c%23%3F&%25/"
        );
        assert_eq!(out_dir(&config, "/my%20docs/c%23%3F&%25/"), "my docs/c#?&%");
    }
}

#[cfg(test)]
mod step_tests {
    use super::*;
    use crate::model::fixture::{self, source};

    #[test]
    fn sources_get_prefixed_encoded_paths_and_clashes_are_errors() {
        let c = fixture::config();
        let mut diags = Vec::new();
        let placed = place(
            &c,
            vec![
                source(&c, "news/a.md", "title: A", ""),
                source(&c, "news/a.en.md", "title: A", ""),
                source(&c, "news/b.md", "title: B\nslug: a", ""),
                source(&c, "my docs/_index.de.md", "title: D", ""),
                source(&c, "news/c.md", "title: C\nslug: 新闻", ""),
            ],
            &mut diags,
        );
        let paths: Vec<(&str, &str)> = placed
            .iter()
            .map(|p| (p.parsed.source.rel.as_str(), p.path.as_str()))
            .collect();
        assert_eq!(
            paths,
            [
                ("news/a.md", "/news/a/"),
                ("news/a.en.md", "/en/news/a/"),
                ("my docs/_index.de.md", "/de/my%20docs/"),
                ("news/c.md", "/news/新闻/"),
            ]
        );
        assert_eq!(
            fixture::messages(&diags),
            ["content/news/b.md and content/news/a.md would both be written to /news/a/"]
        );
        assert_eq!(diags[0].path, Some("content/news/b.md".into()));
        assert_eq!(out_dir(&c, "/de/my%20docs/"), "de/my docs");
    }
}
