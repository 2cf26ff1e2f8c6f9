//! A small in-memory site for the unit tests of the model's steps: a configuration in zh
//! (default), en and de, and sources made from text with the real front-matter parser.

use crate::config::Config;
use crate::content::{Parsed, Source, SourceKind, front_matter};

/// `site.toml` of the fixture: three languages, tags and categories, fallback copies.
pub const SITE: &str = r#"base_url = "https://x.org/"
default_language = "zh"
missing_translation = "fallback"
[languages.zh]
name = "中文"
locale = "zh-Hans"
title = "站点"
[languages.en]
name = "English"
locale = "en"
title = "Site"
[languages.de]
name = "Deutsch"
locale = "de"
title = "Seite"
[taxonomies.tags]
[taxonomies.categories]
"#;

/// The fixture's configuration.
pub fn config() -> Config {
    Config::parse(SITE).unwrap()
}

/// A parsed source at `rel` (relative to `content/`, `news/x.en.md`), classified by the
/// walk's rules, with `front` as its front matter (YAML lines) and `body`.
pub fn source(config: &Config, rel: &str, front: &str, body: &str) -> Parsed {
    let (dir, name) = rel.rsplit_once('/').unwrap_or(("", rel));
    let stem_full = name.strip_suffix(".md").unwrap();
    let (stem, lang) = crate::content::name::split_language(stem_full, config);
    let lang = lang.unwrap_or(&config.default_language).to_string();
    let key = if dir.is_empty() {
        stem.to_string()
    } else {
        format!("{dir}/{stem}")
    };
    let (kind, section_dir, stem, bundle) = if stem == "_index" {
        (SourceKind::Section, dir.to_string(), String::new(), false)
    } else if stem == "index" && !dir.is_empty() {
        let (parent, bundle) = dir.rsplit_once('/').unwrap_or(("", dir));
        (
            SourceKind::Page,
            parent.to_string(),
            bundle.to_string(),
            true,
        )
    } else {
        (SourceKind::Page, dir.to_string(), stem.to_string(), false)
    };
    let text = format!("---\n{front}\n---\n{body}");
    Parsed {
        source: Source {
            rel: rel.to_string(),
            abs: std::path::PathBuf::from("/nonexistent/content").join(rel),
            kind,
            lang,
            key,
            section_dir,
            stem,
            bundle,
        },
        doc: front_matter::parse(&text).unwrap(),
    }
}

/// The model of the fixture site with these sources (no other files), and the problems
/// found.
pub fn build(sources: Vec<Parsed>) -> (super::SiteModel, Vec<crate::diagnostics::Diagnostic>) {
    let config = config();
    let images = crate::images::Images::new(
        std::path::Path::new("/nonexistent"),
        config.images.clone(),
        &config.base_path,
        Vec::new(),
    );
    let mut diags = Vec::new();
    let model = super::build(
        config,
        sources,
        Vec::new(),
        super::FromTemplates::default(),
        images,
        super::UnpublishedSources::new(),
        &mut diags,
        std::path::Path::new("/nonexistent"),
    );
    (model, diags)
}

/// The messages of `diags`.
pub fn messages(diags: &[crate::diagnostics::Diagnostic]) -> Vec<String> {
    diags.iter().map(|d| d.message.clone()).collect()
}
