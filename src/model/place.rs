//! Step 1 of [`super::build`]: where every source goes. Its site path (language prefix,
//! section directories, the name or `slug`, each segment percent-encoded), its output
//! directory, and a check that no two sources are written to one place.

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::{Parsed, Unpublished, UnpublishedSource, UnpublishedSources, section_path};
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
/// and left out. The first two kinds are added to `unpublished` as
/// [`Unpublished::Unplaced`] when no page kept has their (key, language): a link to them
/// is a consequence of the error reported here, not an error of its own.
pub fn place(
    config: &Config,
    parsed: Vec<Parsed>,
    unpublished: &mut UnpublishedSources,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Placed> {
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
    // Left out because the address is taken.
    let mut taken = vec![false; parsed.len()];
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
                taken[k] = true;
                continue;
            }
            claimed.insert(path, &p.source.rel);
        }
        // A source left out for its address whose (key, language) no page kept: links to
        // it are consequences of that error. (A name that cannot be an address beside a
        // second file of the page, kept, is not: that file is the page.)
        let left_out = |k: usize| paths[k].is_none() || taken[k];
        if (0..parsed.len()).any(left_out) {
            let kept_pages: rustc_hash::FxHashSet<(&str, &str)> = (parsed.iter().zip(&kept))
                .filter(|&(_, &kept)| kept)
                .map(|(p, _)| (p.source.key.as_str(), p.source.lang.as_str()))
                .collect();
            for (k, p) in parsed.iter().enumerate() {
                let s = &p.source;
                if left_out(k) && !kept_pages.contains(&(s.key.as_str(), s.lang.as_str())) {
                    unpublished
                        .entry((s.key.clone(), s.lang.clone()))
                        .or_insert_with(|| UnpublishedSource {
                            why: Unpublished::Unplaced,
                            file: format!("content/{}", s.rel),
                            path: None,
                        });
                }
            }
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

    /// The fixture's sources (`(file, front matter)`, with empty bodies) placed: what is
    /// placed, what is recorded as left out, and the problems.
    fn place_all(files: &[(&str, &str)]) -> (Vec<Placed>, UnpublishedSources, Vec<Diagnostic>) {
        let c = fixture::config();
        let mut diags = Vec::new();
        let mut unpublished = UnpublishedSources::new();
        let sources = (files.iter())
            .map(|(rel, front)| source(&c, rel, front, ""))
            .collect();
        let placed = place(&c, sources, &mut unpublished, &mut diags);
        (placed, unpublished, diags)
    }

    #[test]
    fn sources_get_prefixed_encoded_paths_and_clashes_are_errors() {
        let c = fixture::config();
        let (placed, unpublished, diags) = place_all(&[
            ("news/a.md", "title: A"),
            ("news/a.en.md", "title: A"),
            ("news/b.md", "title: B\nslug: a"),
            ("my docs/_index.de.md", "title: D"),
            ("news/c.md", "title: C\nslug: 新闻"),
            ("news/..md", "title: D"),
            ("news/c.zh.md", "title: C2"),
        ]);
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
            [
                "the page's name `.` cannot be part of an address",
                "content/news/c.zh.md and content/news/c.md are both the 中文 version of `news/c`",
                "content/news/b.md and content/news/a.md would both be written to /news/a/",
            ]
        );
        assert_eq!(diags[2].path, Some("content/news/b.md".into()));
        // The two left out for their address are known as such, so that links to them are
        // not reported a second time; the second file of `news/c` is not: `news/c` exists.
        let mut left_out: Vec<_> = (unpublished.iter())
            .map(|((key, lang), u)| (key.as_str(), lang.as_str(), u.file.as_str(), &u.why))
            .collect();
        left_out.sort_by_key(|&(key, ..)| key);
        assert_eq!(
            left_out,
            [
                ("news/.", "zh", "content/news/..md", &Unpublished::Unplaced),
                ("news/b", "zh", "content/news/b.md", &Unpublished::Unplaced),
            ]
        );
        assert_eq!(out_dir(&c, "/de/my%20docs/"), "de/my docs");
    }

    #[test]
    fn links_to_a_page_left_out_for_its_address_are_not_reported_again() {
        let c = fixture::config();
        let links = "[b](@/news/b.md) [dot](@/news/..md) [none](@/news/none.md)";
        let (model, diags) = fixture::build(vec![
            source(&c, "news/a.md", "title: A", ""),
            source(&c, "news/b.md", "title: B\nslug: a", ""),
            source(&c, "news/..md", "title: D", ""),
            source(&c, "news/c.md", "title: C", links),
            source(&c, "news/c.en.md", "title: C", links),
        ]);
        // Each left-out page's own error once, and the one link to a page that never
        // existed from each linking page; nothing for the links to the two left out.
        assert_eq!(
            fixture::messages(&diags),
            [
                "the page's name `.` cannot be part of an address",
                "content/news/b.md and content/news/a.md would both be written to /news/a/",
                "link to `@/news/none.md`, which does not exist",
                "link to `@/news/none.md`, which does not exist",
            ]
        );
        let keys: Vec<&str> = model.pages.iter().map(|p| p.key.as_str()).collect();
        assert!(!keys.contains(&"news/b") && !keys.contains(&"news/."));
    }

    #[test]
    fn a_name_that_cannot_be_an_address_beside_its_page_is_not_recorded_as_left_out() {
        // `..md` cannot be an address; `..zh.md`, the same page in the default language, has
        // a slug and is that page.
        let (placed, unpublished, diags) = place_all(&[
            ("news/..md", "title: D"),
            ("news/..zh.md", "title: D\nslug: dot"),
        ]);
        assert_eq!(
            fixture::messages(&diags),
            ["the page's name `.` cannot be part of an address"]
        );
        assert_eq!(placed.len(), 1);
        assert_eq!(placed[0].path, "/news/dot/");
        assert!(unpublished.is_empty(), "{unpublished:?}");
    }
}
