//! The functions the fuzz targets call, one per kind of input qiao reads: front matter,
//! Markdown, `site.toml`, Fluent `.ftl` files and whole sites. Each takes arbitrary bytes,
//! goes through qiao's public API as a build would, and renders every diagnostic (source
//! snippets with carets are a classic place for an index to go out of range). A panic, or
//! an input that does not finish, is a bug.
//!
//! The libFuzzer targets in `fuzz_targets/` call these; so does the stable runner
//! (`examples/stable.rs`), which needs no nightly compiler.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use qiao::config::Config;
use qiao::diagnostics::Diagnostic;

/// A fuzz target: takes any bytes, must not panic.
pub type Target = fn(&[u8]);

/// The targets by name, for the stable runner.
pub const TARGETS: &[(&str, Target)] = &[
    ("front_matter", front_matter),
    ("markdown", markdown),
    ("site_toml", site_toml),
    ("ftl", ftl),
    ("whole_site", whole_site),
];

/// The files of a whole-site input, in order: the input is split at NUL bytes and each part
/// becomes the next file (missing parts are missing files).
pub const SITE_FILES: &[&str] = &[
    "site.toml",
    "content/_index.md",
    "content/_index.en.md",
    "content/news/_index.md",
    "content/news/a.md",
    "content/news/a.en.md",
    "content/news/a.de.md",
    "content/about.md",
    "i18n/en/site.ftl",
    "templates/page.html",
    "static/site.css",
];

/// A small valid configuration with three languages, for the targets that need one.
pub const SITE_TOML: &str = r#"base_url = "https://example.org/"
default_language = "zh"

[languages.zh]
name = "中文"
locale = "zh-Hans"
title = "合作区"

[languages.en]
name = "English"
locale = "en"
title = "The Zone"

[languages.de]
name = "Deutsch"
locale = "de"
title = "Die Zone"

[taxonomies.tags]
feed = true
"#;

fn show(ds: &[Diagnostic]) {
    for d in ds {
        let _ = d.to_string();
        let _ = d.render(true);
    }
}

/// YAML (or other) front matter and the body split from it.
pub fn front_matter(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match qiao::content::front_matter::parse(text) {
        Ok(doc) => {
            let _ = doc.body();
        }
        Err(ds) => show(&ds),
    }
}

/// Markdown to HTML, with and without a base path and internal links that resolve.
pub fn markdown(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let plain = qiao::markdown::Options::default();
    let _ = qiao::markdown::render(text, &plain, &|_| None);
    let based = qiao::markdown::Options {
        base_path: Some("/en/news/photos/".into()),
    };
    let _ = qiao::markdown::render(text, &based, &|p| Some(format!("/en/{p}/")));
}

/// `site.toml`.
pub fn site_toml(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Err(ds) = Config::parse(text) {
        show(&ds);
    }
}

/// A scratch directory for this process, removed at exit only by the OS's temp cleaning
/// (a fuzzing process never ends cleanly).
fn scratch() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        tempfile::Builder::new()
            .prefix("qiao-fuzz-")
            .tempdir()
            .expect("a temporary directory")
            .keep()
    })
}

/// An `.ftl` file, loaded for every language of [`SITE_TOML`].
pub fn ftl(data: &[u8]) {
    let root = scratch().join("ftl");
    let config = Config::parse(SITE_TOML).expect("SITE_TOML is valid");
    for lang in ["zh", "en", "de"] {
        let dir = root.join("i18n").join(lang);
        std::fs::create_dir_all(&dir).expect("scratch directory");
        std::fs::write(dir.join("site.ftl"), data).expect("scratch file");
    }
    let (_catalog, ds) = qiao::i18n::Catalog::load(&root, &config);
    show(&ds);
}

/// A whole site (see [`SITE_FILES`]), checked, or built when the first byte is odd.
pub fn whole_site(data: &[u8]) {
    let root = scratch().join("site");
    let _ = std::fs::remove_dir_all(&root);
    for (rel, part) in SITE_FILES.iter().zip(data.split(|b| *b == 0)) {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().expect("a relative path")).expect("scratch dir");
        std::fs::write(p, part).expect("scratch file");
    }
    std::fs::create_dir_all(&root).expect("scratch directory");
    let mut opts = qiao::BuildOptions::new(&root);
    opts.output = Some(scratch().join("public"));
    opts.write = data.first().is_some_and(|b| b % 2 == 1);
    if let Err(ds) = qiao::build(&opts) {
        show(&ds);
    }
}

/// Joins site files into one whole-site input (the inverse of [`whole_site`]'s split).
pub fn join_site(files: &[Vec<u8>]) -> Vec<u8> {
    files.join(&0u8)
}
