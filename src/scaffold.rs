//! `qiao new`: a new page with a front matter scaffold, never overwriting a file.

use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::diagnostics::Diagnostic;

/// Creates `content/<path>[.<lang>].md` under `root` and returns its path.
///
/// `path` is relative to `content/` (`news/new-article`, with or without `.md`); a leading
/// `content/` is accepted too, so that shell completion works.
pub fn new_page(
    root: &Path,
    path: &str,
    lang: Option<&str>,
    today: &str,
) -> Result<PathBuf, Diagnostic> {
    let config = Config::load(root).map_err(|mut ds| ds.remove(0))?;
    let lang = lang.unwrap_or(&config.default_language);
    if config.language(lang).is_none() {
        let known: Vec<&str> = config.languages.iter().map(|l| l.code.as_str()).collect();
        return Err(
            Diagnostic::error(format!("`{lang}` is not a configured language"))
                .with_hint(format!("use one of: {}", known.join(", "))),
        );
    }
    let rel = path.trim_start_matches("content/").trim_end_matches(".md");
    let ok = !rel.is_empty()
        && Path::new(rel)
            .components()
            .all(|c| matches!(c, std::path::Component::Normal(_)));
    if !ok {
        return Err(
            Diagnostic::error(format!("`{path}` is not a path inside content/"))
                .with_hint("write it like news/my-article"),
        );
    }
    let file = if lang == config.default_language {
        format!("{rel}.md")
    } else {
        format!("{rel}.{lang}.md")
    };
    let target = root.join("content").join(&file);
    let stem = rel.rsplit('/').next().unwrap_or(rel);
    let title = stem.replace(['-', '_'], " ");
    let text = format!(
        "---\ntitle: \"{}\"\ndate: {today}\ndraft: true\nsummary: \"\"\ntags: []\ncategories: []\n---\n\n",
        title.replace('"', "\\\"")
    );
    if let Some(parent) = target.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| Diagnostic::error(format!("cannot create {}: {e}", parent.display())))?;
    }
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&target)
        .map_err(|e| {
            let d = Diagnostic::error(format!("cannot create content/{file}: {e}"));
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                d.with_hint("the file exists already; qiao new never overwrites a file")
            } else {
                d
            }
        })?;
    std::io::Write::write_all(&mut f, text.as_bytes())
        .map_err(|e| Diagnostic::error(format!("cannot write content/{file}: {e}")))?;
    Ok(target)
}
