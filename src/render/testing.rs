//! Small sites for the unit tests of the views and the feed plan: written into a temporary
//! directory and made into a model by the build's own stages ([`crate::build::derive`]),
//! so that the tests depend on what a site says, not on how the model is put together.

use super::*;

/// A three-language site (zh, the default; en; de) with `missing_translation = "fallback"`,
/// tags with feeds and categories without, and the Markdown `files` (paths under
/// `content/`, text).
pub(super) fn site(files: &[(&str, &str)]) -> SiteModel {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let root = dir.path();
    let write = |rel: &str, text: &str| {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("a directory");
        std::fs::write(path, text).expect("a file");
    };
    write(
        "site.toml",
        r#"base_url = "https://example.org/"
default_language = "zh"
missing_translation = "fallback"

[languages.zh]
name = "中文"
locale = "zh-Hans"
title = "合作区"
description = "合作区网站"

[languages.en]
name = "English"
locale = "en"
title = "The Zone"
description = "The Zone's website"

[languages.de]
name = "Deutsch"
locale = "de"
title = "Die Zone"
description = "Website der Zone"

[taxonomies.tags]
feed = true

[taxonomies.categories]
feed = false
"#,
    );
    for (rel, text) in files {
        write(&format!("content/{rel}"), text);
    }
    let opts = crate::build::BuildOptions::new(root);
    let derived = crate::build::derive(&opts, &crate::build::Trace::new())
        .unwrap_or_else(|d| panic!("site.toml: {d:?}"));
    assert!(
        !derived.diagnostics.has_errors(),
        "{:?}",
        derived.diagnostics.sorted()
    );
    derived.site
}

/// The page `key` in language `lang`.
pub(super) fn page(model: &SiteModel, lang: &str, key: &str) -> PageId {
    model
        .page_at(lang, key)
        .unwrap_or_else(|| panic!("no page {key} in {lang}"))
}

/// The section `dir` in language `lang`.
pub(super) fn section(model: &SiteModel, lang: &str, dir: &str) -> SectionId {
    let lang = model.config.lang(lang).expect("a language of the site");
    model.section_index[&(dir.to_string(), lang)]
}

/// A small news site: two dated articles (one translated into English), a subsection with
/// one more, and an undated guide in another section.
pub(super) fn news_site() -> SiteModel {
    site(&[
        ("news/_index.md", "---\ntitle: 新闻\n---\n新闻介绍。\n"),
        ("news/_index.en.md", "---\ntitle: News\n---\n"),
        (
            "news/a.md",
            "---\ntitle: 甲文\ndate: 2020-01-01\ntags: [甲, 乙]\ncategories: [动态]\n---\n甲。\n",
        ),
        (
            "news/a.en.md",
            "---\ntitle: Article A\ndate: 2020-01-01\n---\nA.\n",
        ),
        (
            "news/b.md",
            "---\ntitle: 乙文\ndate: 2020-02-01\ntags: [甲]\n---\n乙。\n",
        ),
        ("news/sub/_index.md", "---\ntitle: 专题\n---\n"),
        (
            "news/sub/c.md",
            "---\ntitle: 丙文\ndate: 2020-03-01\n---\n丙。\n",
        ),
        (
            "docs/guide.md",
            "---\ntitle: 指南\ntags: [丙]\n---\n指南。\n",
        ),
    ])
}
