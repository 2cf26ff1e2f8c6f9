//! Walking `content/`: which files are sections, pages, bundles and assets, in which language,
//! and which files are translations of each other.
//!
//! The rules, in one place:
//! - `_index.md` is a section, `name.md` a page, `name/index.md` a page bundle whose other
//!   files are its assets. Any other file is a static asset copied as is.
//! - `x.en.md` is the `en` translation of `x.md`; no suffix means the default language.
//!   Files that differ only in that suffix share a translation key (`news/x`).
//! - A suffix that looks like a language code but is not configured is an error: a typo such
//!   as `x.eng.md` must not silently become a page called `x.eng`.
//! - Symbolic links are never followed out of the tree (and a loop cannot hang the walk),
//!   hidden files and editors' swap and backup files are ignored.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use walkdir::WalkDir;

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
#[derive(Debug, Clone)]
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
/// (`.x.swp`, `x~`, `.#x`, `#x#`, vim's `4913`, `.DS_Store`).
pub fn is_ignored_name(name: &str) -> bool {
    name.starts_with('.')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".tmp")
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
    let root = match content_dir.canonicalize() {
        Ok(r) => r,
        Err(e) => {
            out.diagnostics
                .push(Diagnostic::error(format!("cannot read content/: {e}")).in_file("content"));
            return out;
        }
    };
    let mut files = Vec::new();
    let walker = WalkDir::new(&root)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !is_ignored_name(&e.file_name().to_string_lossy()));
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let path = e.path().map(|p| rel_display(&root, p)).unwrap_or_default();
                out.diagnostics.push(
                    Diagnostic::error(format!("cannot read this entry: {e}"))
                        .in_file(format!("content/{path}")),
                );
                continue;
            }
        };
        let ft = entry.file_type();
        let path = entry.path().to_path_buf();
        if ft.is_symlink() {
            // Follow a link only to a file that lies inside content/ itself.
            match path.canonicalize() {
                Ok(target) if target.starts_with(&root) && target.is_file() => {
                    files.push((path, target))
                }
                _ => out.diagnostics.push(
                    Diagnostic::warning(
                        "skipped a symbolic link that leads out of content/ or to a directory",
                    )
                    .in_file(format!("content/{}", rel_display(&root, &path)))
                    .with_hint("copy the file into content/ instead of linking to it"),
                ),
            }
        } else if ft.is_file() {
            files.push((path.clone(), path));
        }
    }

    // Directories that are page bundles: they hold an index.md in some language.
    let mut bundles = BTreeSet::new();
    for (path, _) in &files {
        let rel = rel_display(&root, path);
        let (dir, name) = split_dir(&rel);
        if !dir.is_empty()
            && let Some(stem) = name.strip_suffix(".md")
            && (stem == "index" || stem.strip_prefix("index.").is_some_and(is_lang_suffix))
        {
            bundles.insert(dir.to_string());
        }
    }

    for (path, abs) in files {
        let rel = rel_display(&root, &path);
        let (dir, name) = split_dir(&rel);
        // The innermost bundle around the file: its directory's ancestors, looked up one by
        // one (comparing every file with every bundle made 10,000 bundles take seconds).
        let bundle_of = std::iter::successors(Some(dir), |d| d.rsplit_once('/').map(|(p, _)| p))
            .find(|d| bundles.contains(*d))
            .map(str::to_string);
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
        let (stem, lang) = match stem_full.rsplit_once('.') {
            Some((s, suffix)) if is_lang_suffix(suffix) => {
                if config.language(suffix).is_none() {
                    let known: Vec<&str> =
                        config.languages.iter().map(|l| l.code.as_str()).collect();
                    out.diagnostics.push(
                        Diagnostic::error(format!(
                            "`{suffix}` in the file name is not a configured language"
                        ))
                        .in_file(format!("content/{rel}"))
                        .with_hint(format!(
                            "name the file `{s}.md` for the default language, or use one of: {}; \
                             or add [languages.{suffix}] to site.toml",
                            known.join(", ")
                        )),
                    );
                    continue;
                }
                (s, suffix.to_string())
            }
            _ => (stem_full, config.default_language.clone()),
        };
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

/// A suffix that is meant as a language code: 2 or 3 lowercase letters, optionally followed
/// by `-subtags` (`en`, `de`, `pt-br`).
fn is_lang_suffix(s: &str) -> bool {
    crate::config::is_language_code(s)
}

/// `a/b/c.md` → (`a/b`, `c.md`); a top-level name has the directory ``.
fn split_dir(rel: &str) -> (&str, &str) {
    rel.rsplit_once('/').unwrap_or(("", rel))
}

fn rel_display(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
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

    #[test]
    fn unknown_language_suffix_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        touch(dir.path(), "news/a.fr.md");
        let w = walk(dir.path(), &config());
        assert!(w.sources.is_empty());
        assert_eq!(w.diagnostics.len(), 1);
        assert!(w.diagnostics[0].message.contains("`fr`"));
        assert_eq!(
            w.diagnostics[0].path.as_deref(),
            Some(Path::new("content/news/a.fr.md"))
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
