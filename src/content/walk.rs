//! Walking `content/`: which files are sections, pages, bundles and assets, in which language,
//! and which files are translations of each other.
//!
//! The rules, in one place:
//! - `_index.md` is a section, `name.md` a page, `name/index.md` a page bundle whose other
//!   files are its assets. Any other file is a static asset copied as is.
//! - `x.en.md` is the `en` translation of `x.md`; no suffix means the default language.
//!   Files that differ only in that suffix share a translation key (`news/x`).
//! - Only a configured language code is a language suffix; any other suffix is part of the
//!   page's name, as Hugo reads it: `mkfs.fat.md` is the page `mkfs.fat`, `acme.sh.en.md` the
//!   English translation of `acme.sh` ([`split_language`]).
//! - A suffix that is probably a language all the same is a warning (an error with
//!   `--strict`), so that English text does not silently become a default-language page:
//!   a configured language spelled differently (`x.EN.md`, `x.en-GB.md`, `x.zh-CN.md`), or an
//!   ISO 639-1 code that is not configured (`x.fr.md`, `x.fr-CA.md`). Two-letter codes that are far more
//!   often file extensions or domains than languages (`sh`, `io`, `ps`, `ts`, `ml`) are
//!   names ([`near_miss`]).
//! - Which files are read at all is the rule of [`files`] shared by every walk and by
//!   `qiao serve`: symbolic links are never followed out of the tree (and a loop cannot hang
//!   the walk), special files are skipped with a warning, names that are not UTF-8 are
//!   errors, hidden files and editors' swap and backup files are ignored.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::files;
use crate::config::Config;
use crate::diagnostics::Diagnostic;

/// What a Markdown source is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    /// `_index.md`: the page of a section (a directory).
    Section,
    /// `name.md` or `name/index.md`.
    Page,
}

/// One Markdown file of the site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// Path relative to `content/`, with `/` separators (`news/x.en.md`).
    pub rel: String,
    /// Absolute path on disk.
    pub abs: PathBuf,
    /// Section or page.
    pub kind: SourceKind,
    /// Language code.
    pub lang: String,
    /// Translation key shared by all translations: the path without language suffix and
    /// extension (`news/x`, `news/_index`, `news/bundle/index`).
    pub key: String,
    /// Directory of the section this file belongs to or is (`news`, `` for the root).
    pub section_dir: String,
    /// The file stem that gives the URL when no slug is set (`x`, or the bundle's directory).
    pub stem: String,
    /// Whether this is a page bundle (`name/index.md`).
    pub bundle: bool,
}

/// A non-Markdown file under `content/`.
#[derive(Debug, Clone)]
pub struct Asset {
    /// Path relative to `content/`.
    pub rel: String,
    /// Absolute path on disk.
    pub abs: PathBuf,
    /// For an asset inside a page bundle: the bundle's key (`news/bundle/index`) and the
    /// path inside the bundle (`photo.jpg`).
    pub bundle: Option<(String, String)>,
}

/// The result of walking `content/`.
#[derive(Debug, Default)]
pub struct Walked {
    /// Markdown sources, sorted by path.
    pub sources: Vec<Source>,
    /// Other files, sorted by path.
    pub assets: Vec<Asset>,
    /// Problems found on the way.
    pub diagnostics: Vec<Diagnostic>,
}

/// Whether an editor or the OS left this file behind and it must be ignored
/// (`.x.swp`, `x~`, `.#x`, `#x#`, vim's `4913`, `.DS_Store`, JetBrains' `x___jb_tmp___` and
/// `x___jb_old___`).
pub fn is_ignored_name(name: &str) -> bool {
    name.starts_with('.')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".tmp")
        || name.ends_with("___jb_tmp___")
        || name.ends_with("___jb_old___")
        || (name.starts_with('#') && name.ends_with('#'))
        || name == "4913"
}

/// Walks `content_dir` and classifies every file.
pub fn walk(content_dir: &Path, config: &Config) -> Walked {
    let mut out = Walked::default();
    if !content_dir.is_dir() {
        out.diagnostics.push(
            Diagnostic::error("the site has no content/ directory")
                .in_file("content")
                .with_hint("create content/_index.md for the home page, or run `qiao new`"),
        );
        return out;
    }
    let (found, diagnostics) = files::walk(content_dir, "content");
    let files: Vec<(String, PathBuf)> = found.into_iter().map(|f| (f.rel, f.target)).collect();
    let mut out = classify(files, config);
    out.diagnostics.splice(0..0, diagnostics);
    out
}

/// What each file of `content/` is, given every file the walk admits (path relative to
/// `content/`, what to read) in walk order: the second half of [`walk`], which `qiao serve`
/// runs again over the files it knows after a change, without walking.
pub fn classify(files: Vec<(String, PathBuf)>, config: &Config) -> Walked {
    let mut out = Walked::default();
    // Directories that are page bundles: they hold an index.md in some language.
    let mut bundles = BTreeSet::new();
    for (rel, _) in &files {
        let (dir, name) = split_dir(rel);
        if !dir.is_empty()
            && let Some(stem) = name.strip_suffix(".md")
            && split_language(stem, config).0 == "index"
        {
            bundles.insert(dir.to_string());
        }
    }

    // The innermost bundle around the last directory looked up: files come in walk order,
    // mostly many to a directory (a large site has tens of thousands in a few of them).
    let mut last: Option<(String, Option<String>)> = None;
    for (rel, abs) in files {
        let (dir, name) = split_dir(&rel);
        // The innermost bundle around the file: its directory's ancestors, looked up one by
        // one (comparing every file with every bundle made 10,000 bundles take seconds).
        let bundle_of = match &last {
            _ if bundles.is_empty() => None,
            Some((d, b)) if d == dir => b.clone(),
            _ => {
                let b = (std::iter::successors(Some(dir), |d| d.rsplit_once('/').map(|(p, _)| p)))
                    .find(|d| bundles.contains(*d))
                    .map(str::to_string);
                last = Some((dir.to_string(), b.clone()));
                b
            }
        };
        let (dir, name) = (dir.to_string(), name.to_string());
        let dir = dir.as_str();
        let is_md = name.ends_with(".md");
        let in_bundle_root = bundle_of.as_deref() == Some(dir);
        if !is_md || (bundle_of.is_some() && !in_bundle_root) {
            let bundle = bundle_of.map(|b| {
                let inner = rel[b.len() + 1..].to_string();
                (format!("{b}/index"), inner)
            });
            out.assets.push(Asset { rel, abs, bundle });
            continue;
        }
        let stem_full = &name[..name.len() - 3];
        if let Some(d) = near_miss(stem_full, config) {
            out.diagnostics.push(d.in_file(format!("content/{rel}")));
        }
        let (stem, lang) = split_language(stem_full, config);
        let lang = lang.unwrap_or(&config.default_language).to_string();
        if stem.is_empty() {
            out.diagnostics.push(
                Diagnostic::error("a content file needs a name before `.md`")
                    .in_file(format!("content/{rel}")),
            );
            continue;
        }
        let key = if dir.is_empty() {
            stem.to_string()
        } else {
            format!("{dir}/{stem}")
        };
        let source = if in_bundle_root && stem == "index" {
            let (parent, bundle_name) = split_dir(dir);
            Source {
                rel,
                abs,
                kind: SourceKind::Page,
                lang,
                key,
                section_dir: parent.to_string(),
                stem: bundle_name.to_string(),
                bundle: true,
            }
        } else if stem == "_index" {
            Source {
                rel,
                abs,
                kind: SourceKind::Section,
                lang,
                key,
                section_dir: dir.to_string(),
                stem: String::new(),
                bundle: false,
            }
        } else {
            Source {
                rel,
                abs,
                kind: SourceKind::Page,
                lang,
                key,
                section_dir: dir.to_string(),
                stem: stem.to_string(),
                bundle: false,
            }
        };
        out.sources.push(source);
    }
    out
}

pub use super::name::{split_language, split_language_by};

/// ISO 639-1 two-letter language codes (the 183 current ones and the withdrawn `sh`).
const ISO_639_1: &[&str] = &[
    "aa", "ab", "ae", "af", "ak", "am", "an", "ar", "as", "av", "ay", "az", "ba", "be", "bg", "bi",
    "bm", "bn", "bo", "br", "bs", "ca", "ce", "ch", "co", "cr", "cs", "cu", "cv", "cy", "da", "de",
    "dv", "dz", "ee", "el", "en", "eo", "es", "et", "eu", "fa", "ff", "fi", "fj", "fo", "fr", "fy",
    "ga", "gd", "gl", "gn", "gu", "gv", "ha", "he", "hi", "ho", "hr", "ht", "hu", "hy", "hz", "ia",
    "id", "ie", "ig", "ii", "ik", "io", "is", "it", "iu", "ja", "jv", "ka", "kg", "ki", "kj", "kk",
    "kl", "km", "kn", "ko", "kr", "ks", "ku", "kv", "kw", "ky", "la", "lb", "lg", "li", "ln", "lo",
    "lt", "lu", "lv", "mg", "mh", "mi", "mk", "ml", "mn", "mr", "ms", "mt", "my", "na", "nb", "nd",
    "ne", "ng", "nl", "nn", "no", "nr", "nv", "ny", "oc", "oj", "om", "or", "os", "pa", "pi", "pl",
    "ps", "pt", "qu", "rm", "rn", "ro", "ru", "rw", "sa", "sc", "sd", "se", "sg", "sh", "si", "sk",
    "sl", "sm", "sn", "so", "sq", "sr", "ss", "st", "su", "sv", "sw", "ta", "te", "tg", "th", "ti",
    "tk", "tl", "tn", "to", "tr", "ts", "tt", "tw", "ty", "ug", "uk", "ur", "uz", "ve", "vi", "vo",
    "wa", "wo", "xh", "yi", "yo", "za", "zh", "zu",
];

/// ISO 639-1 codes that, as the last suffix of a file name, are far more often a file
/// extension or a domain than a language: `acme.sh`, `trunk.io`, `profile.ps`, `app.ts`,
/// `main.ml`. They are names and never warned about.
const EXTENSION_LIKE: &[&str] = &["sh", "io", "ps", "ts", "ml"];

/// A warning for a suffix that is part of the page's name by the rules of [`split_language`]
/// but was probably meant as a language: a configured language spelled differently
/// (`x.EN.md`, `x.en-GB.md`, `x.zh-CN.md`) or an ISO 639-1 code that is not configured
/// (`x.fr.md`). The caller attaches the file.
pub fn near_miss(stem: &str, config: &Config) -> Option<Diagnostic> {
    let (name, suffix) = stem.rsplit_once('.')?;
    if name.is_empty() || config.language(suffix).is_some() {
        return None;
    }
    let lower = suffix.to_ascii_lowercase();
    let mut subtags = lower.split(['-', '_']);
    let primary = subtags.next().unwrap_or_default();
    let tag_like = (2..=3).contains(&primary.len())
        && primary.bytes().all(|b| b.is_ascii_lowercase())
        && subtags
            .all(|t| (1..=8).contains(&t.len()) && t.bytes().all(|b| b.is_ascii_alphanumeric()));
    if !tag_like {
        return None;
    }
    let default = &config.default_language;
    let canonical = lower.replace('_', "-");
    let configured = config
        .language(&canonical)
        .or_else(|| config.language(primary))
        .or_else(|| {
            config
                .languages
                .iter()
                .find(|l| l.code.split('-').next() == Some(primary))
        });
    if let Some(l) = configured {
        let code = &l.code;
        return Some(
            Diagnostic::warning(format!(
                "`.{suffix}` in the file name is not the language `{code}` as configured, so this \
                 is the {default} page `{name}.{suffix}`"
            ))
            .with_hint(format!(
                "for the {code} translation, rename the file to `{name}.{code}.md` (language \
                 suffixes are written exactly as in site.toml)"
            )),
        );
    }
    if ISO_639_1.contains(&primary) && !EXTENSION_LIKE.contains(&primary) {
        let known: Vec<&str> = config.languages.iter().map(|l| l.code.as_str()).collect();
        return Some(
            Diagnostic::warning(format!(
                "`.{suffix}` in the file name is a language code that is not configured, so \
                 this is the {default} page `{name}.{suffix}`"
            ))
            .with_hint(format!(
                "for a translation, add [languages.{primary}] to site.toml or use one of: {}; \
                 if `{name}.{suffix}` is the page's name, rename the file (`{name}-{suffix}.md`) \
                 and keep the address with `slug: {name}.{suffix}`",
                known.join(", ")
            )),
        );
    }
    None
}

/// `a/b/c.md` → (`a/b`, `c.md`); a top-level name has the directory ``.
fn split_dir(rel: &str) -> (&str, &str) {
    rel.rsplit_once('/').unwrap_or(("", rel))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> Config {
        Config::parse(
            r#"base_url = "https://x.org/"
default_language = "zh"
[languages.zh]
name = "中文"
locale = "zh-Hans"
title = "t"
[languages.en]
name = "English"
locale = "en"
title = "t"
"#,
        )
        .unwrap()
    }

    fn touch(root: &Path, rel: &str) {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, "x").unwrap();
    }

    #[test]
    fn classifies_files() {
        let dir = tempfile::tempdir().unwrap();
        let c = dir.path();
        for f in [
            "_index.md",
            "_index.en.md",
            "news/_index.md",
            "news/a.md",
            "news/a.en.md",
            "news/b/index.md",
            "news/b/index.en.md",
            "news/b/photo.jpg",
            "news/b/img/x.png",
            "news/.a.md.swp",
            "news/a.md~",
            "news/v1.2.md",
            "robots-extra.txt",
        ] {
            touch(c, f);
        }
        let w = walk(c, &config());
        assert!(w.diagnostics.is_empty(), "{:?}", w.diagnostics);
        let got: Vec<_> = w
            .sources
            .iter()
            .map(|s| {
                (
                    s.rel.as_str(),
                    s.key.as_str(),
                    s.lang.as_str(),
                    s.kind,
                    s.stem.as_str(),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                ("_index.en.md", "_index", "en", SourceKind::Section, ""),
                ("_index.md", "_index", "zh", SourceKind::Section, ""),
                (
                    "news/_index.md",
                    "news/_index",
                    "zh",
                    SourceKind::Section,
                    ""
                ),
                ("news/a.en.md", "news/a", "en", SourceKind::Page, "a"),
                ("news/a.md", "news/a", "zh", SourceKind::Page, "a"),
                (
                    "news/b/index.en.md",
                    "news/b/index",
                    "en",
                    SourceKind::Page,
                    "b"
                ),
                (
                    "news/b/index.md",
                    "news/b/index",
                    "zh",
                    SourceKind::Page,
                    "b"
                ),
                ("news/v1.2.md", "news/v1.2", "zh", SourceKind::Page, "v1.2"),
            ]
        );
        assert!(w.sources[5].bundle);
        assert_eq!(w.sources[5].section_dir, "news");
        let assets: Vec<_> = w
            .assets
            .iter()
            .map(|a| (a.rel.as_str(), a.bundle.clone()))
            .collect();
        assert_eq!(
            assets,
            vec![
                (
                    "news/b/img/x.png",
                    Some(("news/b/index".into(), "img/x.png".into()))
                ),
                (
                    "news/b/photo.jpg",
                    Some(("news/b/index".into(), "photo.jpg".into()))
                ),
                ("robots-extra.txt", None),
            ]
        );
    }

    /// (relative path, key, language, stem) of a source.
    type Row = (String, String, String, String);

    /// The sources walked from these files, and the warnings by file.
    fn classify(files: &[&str]) -> (Vec<Row>, Vec<(String, String)>) {
        let dir = tempfile::tempdir().unwrap();
        for f in files {
            touch(dir.path(), f);
        }
        let w = walk(dir.path(), &config());
        assert!(
            w.diagnostics.iter().all(|d| !d.is_error()),
            "{:?}",
            w.diagnostics
        );
        let sources = w
            .sources
            .iter()
            .map(|s| (s.rel.clone(), s.key.clone(), s.lang.clone(), s.stem.clone()))
            .collect();
        let warnings = w
            .diagnostics
            .iter()
            .map(|d| {
                let path = d.path.as_deref().unwrap().to_string_lossy().into_owned();
                (
                    path,
                    format!("{} / {}", d.message, d.hint.as_deref().unwrap_or("")),
                )
            })
            .collect();
        (sources, warnings)
    }

    fn row(rel: &str, key: &str, lang: &str, stem: &str) -> Row {
        (rel.into(), key.into(), lang.into(), stem.into())
    }

    #[test]
    fn dots_that_are_not_languages_are_part_of_the_name() {
        let (sources, warnings) = classify(&[
            "linux/mkfs.fat.md",
            "common/acme.sh.md",
            "common/acme.sh.en.md",
            "linux/update-rc.d.en.md",
            "common/r.zsh.md",
            "linux/rename.ul.md",
            "windows/print.win.md",
            "common/trunk.io.md",
            "bundle.v2/index.en.md",
        ]);
        assert_eq!(
            sources,
            vec![
                row(
                    "bundle.v2/index.en.md",
                    "bundle.v2/index",
                    "en",
                    "bundle.v2"
                ),
                row("common/acme.sh.en.md", "common/acme.sh", "en", "acme.sh"),
                row("common/acme.sh.md", "common/acme.sh", "zh", "acme.sh"),
                row("common/r.zsh.md", "common/r.zsh", "zh", "r.zsh"),
                row("common/trunk.io.md", "common/trunk.io", "zh", "trunk.io"),
                row("linux/mkfs.fat.md", "linux/mkfs.fat", "zh", "mkfs.fat"),
                row("linux/rename.ul.md", "linux/rename.ul", "zh", "rename.ul"),
                row(
                    "linux/update-rc.d.en.md",
                    "linux/update-rc.d",
                    "en",
                    "update-rc.d"
                ),
                row(
                    "windows/print.win.md",
                    "windows/print.win",
                    "zh",
                    "print.win"
                ),
            ]
        );
        assert_eq!(warnings, vec![]);
    }

    #[test]
    fn near_miss_language_suffixes_are_warned_about() {
        let (sources, warnings) = classify(&[
            "news/a.EN.md",
            "news/b.en-GB.md",
            "news/c.zh-CN.md",
            "news/d.fr.md",
            "news/e.En.md",
            "news/f.FR.md",
            "news/g.fr-CA.md",
            "news/h.sh-dns.md",
        ]);
        let stems: Vec<(&str, &str)> = sources
            .iter()
            .map(|(_, _, lang, stem)| (lang.as_str(), stem.as_str()))
            .collect();
        assert_eq!(
            stems,
            [
                ("zh", "a.EN"),
                ("zh", "b.en-GB"),
                ("zh", "c.zh-CN"),
                ("zh", "d.fr"),
                ("zh", "e.En"),
                ("zh", "f.FR"),
                ("zh", "g.fr-CA"),
                ("zh", "h.sh-dns"),
            ]
        );
        let got: Vec<(&str, bool)> = warnings
            .iter()
            .map(|(path, text)| {
                let fix = match path.as_str() {
                    "content/news/a.EN.md" => "rename the file to `a.en.md`",
                    "content/news/b.en-GB.md" => "rename the file to `b.en.md`",
                    "content/news/c.zh-CN.md" => "rename the file to `c.zh.md`",
                    "content/news/d.fr.md" => "add [languages.fr] to site.toml",
                    "content/news/e.En.md" => "rename the file to `e.en.md`",
                    "content/news/f.FR.md" => "add [languages.fr] to site.toml",
                    "content/news/g.fr-CA.md" => "add [languages.fr] to site.toml",
                    _ => "?",
                };
                (path.as_str(), text.contains(fix))
            })
            .collect();
        assert_eq!(
            got,
            [
                ("content/news/a.EN.md", true),
                ("content/news/b.en-GB.md", true),
                ("content/news/c.zh-CN.md", true),
                ("content/news/d.fr.md", true),
                ("content/news/e.En.md", true),
                ("content/news/f.FR.md", true),
                ("content/news/g.fr-CA.md", true),
            ]
        );
        assert!(
            warnings[3].1.contains("the zh page `d.fr`"),
            "{}",
            warnings[3].1
        );
    }

    #[cfg(unix)]
    #[test]
    fn symlink_loops_and_escapes_do_not_hang_or_leak() {
        let dir = tempfile::tempdir().unwrap();
        let c = dir.path().join("content");
        touch(&c, "a.md");
        std::os::unix::fs::symlink(&c, c.join("loop")).unwrap();
        std::os::unix::fs::symlink("/etc/passwd", c.join("passwd.md")).unwrap();
        let w = walk(&c, &config());
        assert_eq!(w.sources.len(), 1);
        assert_eq!(w.diagnostics.len(), 2, "{:?}", w.diagnostics);
        assert!(w.diagnostics.iter().all(|d| !d.is_error()));
    }
}
