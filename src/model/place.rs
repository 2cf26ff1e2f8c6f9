//! Step 1 of [`super::build`]: where every source goes. Its site path (language prefix,
//! section directories, the name or `slug`, each segment percent-encoded), its output
//! directory, and a check that no two sources are written to one place.

use rayon::prelude::*;
use rustc_hash::FxHashMap;

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
    // Each source's path on its own, in parallel; collected in source order.
    let paths: Vec<Result<String, Diagnostic>> = parsed
        .par_iter()
        .map(|p| source_path(config, &p.source, &p.doc))
        .collect();
    let paths: Vec<Option<String>> = (paths.into_iter())
        .map(|path| match path {
            Ok(path) => Some(path),
            Err(d) => {
                diags.push(d);
                None
            }
        })
        .collect();
    // Which file is the page of each (key, language): links, translations and the language
    // switcher find a page by those, so two files cannot be one page. Then which source
    // claims each path first. (Keys, languages and paths are borrowed: a structural edit in
    // `qiao serve` places all of a large site's sources again.)
    let mut kept = vec![false; parsed.len()];
    {
        let mut pages: FxHashMap<(&str, &str), &str> = FxHashMap::default();
        for (k, (p, path)) in parsed.iter().zip(&paths).enumerate() {
            let s = &p.source;
            if path.is_none() {
                continue;
            }
            if let Some(other) = pages.get(&(s.key.as_str(), s.lang.as_str())) {
                let rel = format!("content/{}", s.rel);
                let language = config
                    .language(&s.lang)
                    .map_or(s.lang.as_str(), |l| &l.name);
                diags.push(
                    Diagnostic::error(format!(
                        "{rel} and content/{other} are both the {language} version of `{}`",
                        s.key
                    ))
                    .in_file(&rel)
                    .with_hint(format!(
                        "keep one of them: a file without a language suffix is already in the default language ({})",
                        config.default_language
                    )),
                );
                continue;
            }
            pages.insert((s.key.as_str(), s.lang.as_str()), &s.rel);
            kept[k] = true;
        }
        let mut claimed: FxHashMap<&str, &str> = FxHashMap::default();
        for (k, (p, path)) in parsed.iter().zip(&paths).enumerate() {
            let Some(path) = path else { continue };
            if !kept[k] {
                continue;
            }
            if let Some(other) = claimed.get(path.as_str()) {
                let rel = format!("content/{}", p.source.rel);
                diags.push(
                    Diagnostic::error(format!(
                        "{rel} and content/{other} would both be written to {path}"
                    ))
                    .in_file(&rel)
                    .with_hint("give one of them a different `slug` in its front matter, or rename the file"),
                );
                kept[k] = false;
                continue;
            }
            claimed.insert(path, &p.source.rel);
        }
    }
    let mut out = Vec::with_capacity(parsed.len());
    for ((parsed, path), kept) in parsed.into_iter().zip(paths).zip(kept) {
        if let (Some(path), true) = (path, kept) {
            out.push(Placed { parsed, path });
        }
    }
    out
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
