//! `qiao status` and `qiao translate`: the translation workflow on the command line.
//!
//! `status` reads the site (no rendering of output files) and reports, per language and
//! section, which translations exist, are missing, are drafts or stale; plus Fluent
//! messages missing per language and unused. Its JSON form is a stable interface for CI
//! (`format: 1`, documented in docs/translating.md).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::build::{BuildOptions, load_documents};
use crate::config::Config;
use crate::diagnostics::Diagnostic;
use crate::translation::{self, Status};

/// What `qiao status` was asked for.
#[derive(Debug, Clone)]
pub struct StatusOptions {
    /// Site root.
    pub root: PathBuf,
    /// Only this language.
    pub lang: Option<String>,
}

/// Computes the status of the site's translations and interface messages.
pub fn status(opts: &StatusOptions) -> Result<Status, Vec<Diagnostic>> {
    let config = Config::load(&opts.root)?;
    if let Some(l) = &opts.lang
        && (config.language(l).is_none() || *l == config.default_language)
    {
        return Err(vec![Diagnostic::error(format!(
            "`{l}` is not a configured language other than the default ({})",
            config.default_language
        ))]);
    }
    let loaded = load_documents(&opts.root, &config, true, true);
    let (docs, diags) = (loaded.parsed, loaded.diagnostics);
    if diags.iter().any(Diagnostic::is_error) {
        return Err(diags);
    }
    let mut status = translation::status(&config, &docs, SystemTime::now());
    translation::attach_block_changes(&mut status, &opts.root, &docs);
    let (catalog, _) = crate::i18n::Catalog::load(&opts.root, &config);
    let missing = catalog.missing_by_language();
    for l in &mut status.languages {
        l.messages_missing = missing.get(&l.code).cloned().unwrap_or_default();
    }
    // Which messages templates use is only known by rendering: run a check.
    let mut check = BuildOptions::new(&opts.root);
    check.write = false;
    status.messages_unused = crate::build(&check).ok().map(|r| r.unused_messages);
    if let Some(l) = &opts.lang {
        status.languages.retain(|x| &x.code == l);
        status
            .violations
            .retain(|v| v.contains(&format!(" {l} ")) || !v.contains("translation"));
    }
    Ok(status)
}

/// Whether `--strict` should fail: a required translation is missing or stale too long.
pub fn fails_strict(status: &Status) -> bool {
    !status.violations.is_empty()
}

/// The compact table for terminals; colours only when `color`.
///
/// With `list_drafts`, every draft is listed with its path and language; otherwise only
/// their number is.
pub fn human(status: &Status, color: bool, list_drafts: bool) -> String {
    let paint = |code: &str, n: usize, s: String| {
        if color && n > 0 {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s
        }
    };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<6} {:<20} {:>6} {:>8} {:>9} {:>6} {:>6} {:>8}",
        "lang", "section", "pages", "current", "untracked", "stale", "draft", "missing"
    );
    for l in &status.languages {
        let rows = std::iter::once(&l.total).chain(l.sections.iter());
        for (k, s) in rows.enumerate() {
            let name = if k == 0 {
                "(all)".to_string()
            } else if s.section.is_empty() {
                "(top)".to_string()
            } else {
                s.section.clone()
            };
            let lang = if k == 0 { l.code.as_str() } else { "" };
            let _ = writeln!(
                out,
                "{:<6} {:<20} {:>6} {:>8} {} {} {} {}",
                lang,
                name,
                s.pages,
                s.current,
                paint("35", s.untracked, format!("{:>9}", s.untracked)),
                paint("33", s.stale, format!("{:>6}", s.stale)),
                paint("36", s.draft, format!("{:>6}", s.draft)),
                paint("31", s.missing, format!("{:>8}", s.missing)),
            );
        }
    }
    for l in &status.languages {
        let pages: Vec<_> = l.sections.iter().flat_map(|s| s.attention.iter()).collect();
        if !pages.is_empty() {
            let _ = writeln!(out, "\n{} ({}):", l.code, l.name);
            for p in pages {
                let detail = match p.state.as_str() {
                    "stale" => format!(
                        "{}  stale: translated from {}, source is now {}{}",
                        p.translation.as_deref().unwrap_or(""),
                        p.translated_from.as_deref().unwrap_or("?"),
                        p.source_revision,
                        p.stale_days
                            .map_or_else(String::new, |d| format!(", changed {d} day(s) ago"))
                    ),
                    "draft" if p.stale => format!(
                        "{}  draft, and stale: made from {}, source is now {}{}",
                        p.translation.as_deref().unwrap_or(""),
                        p.translated_from.as_deref().unwrap_or("?"),
                        p.source_revision,
                        p.stale_days
                            .map_or_else(String::new, |d| format!(", changed {d} day(s) ago"))
                    ),
                    "draft" => format!("{}  draft", p.translation.as_deref().unwrap_or("")),
                    "untracked" => format!(
                        "{}  untracked (no translation_of); if it matches the source: {}",
                        p.translation.as_deref().unwrap_or(""),
                        p.command.as_deref().unwrap_or("")
                    ),
                    _ => format!(
                        "{}  missing; create it with: {}",
                        p.translation.as_deref().unwrap_or(&p.source),
                        p.command.as_deref().unwrap_or("")
                    ),
                };
                let req = if p.required { "  (required)" } else { "" };
                let _ = writeln!(out, "  {detail}{req}");
                if let Some(c) = &p.changed_blocks {
                    changed_lines(&mut out, c);
                }
            }
        }
        if !l.legacy_revisions.is_empty() {
            let n = l.legacy_revisions.len();
            let _ = writeln!(
                out,
                "  {n} {} translation{} record{} a revision of the older kind (title and body \
                 only): check the summary, description, tags and categories, then `qiao \
                 translate SOURCE --to {} --mark-current` (--json lists them)",
                l.code,
                if n == 1 { "" } else { "s" },
                if n == 1 { "s" } else { "" },
                l.code
            );
        }
        if !l.messages_missing.is_empty() {
            let _ = writeln!(
                out,
                "  messages missing in {}: {}",
                l.code,
                l.messages_missing.join(", ")
            );
        }
    }
    match &status.messages_unused {
        Some(u) if !u.is_empty() => {
            let _ = writeln!(out, "\nunused messages: {}", u.join(", "));
        }
        Some(_) => {}
        None => {
            let _ = writeln!(
                out,
                "\nunused messages: unknown (the site does not build; run qiao check)"
            );
        }
    }
    if !status.drafts.is_empty() {
        let n = status.drafts.len();
        if list_drafts {
            let _ = writeln!(out, "\ndrafts ({n}, not published):");
            for d in &status.drafts {
                let _ = writeln!(out, "  {:<4} {}  {}", d.lang, d.path, d.title);
            }
        } else {
            let _ = writeln!(
                out,
                "\n{n} draft{} not published (qiao status --drafts lists them)",
                if n == 1 { "" } else { "s" }
            );
        }
    }
    if !status.violations.is_empty() {
        let _ = writeln!(out, "\n[translation] policy not met:");
        for v in &status.violations {
            let _ = writeln!(out, "  {}", paint("31", 1, v.clone()));
        }
    }
    out
}

/// The changed fields and blocks of a stale page, one per line, with where each lands in
/// the translation and how the blocks were aligned.
fn changed_lines(out: &mut String, c: &translation::BlockChanges) {
    use crate::stale::AlignmentKind;
    if c.changed.is_empty() && c.removed == 0 {
        return;
    }
    let how = match (c.alignment, c.alignment_reason.as_deref()) {
        (Some(AlignmentKind::Structure), _) => " (blocks aligned by structure)".to_string(),
        (Some(AlignmentKind::BySection), Some(r)) => {
            format!(" (blocks aligned by section only: {r})")
        }
        (Some(AlignmentKind::None), Some(r)) => format!(" (blocks not aligned: {r})"),
        _ => String::new(),
    };
    let _ = writeln!(out, "    changed since{how}:");
    for b in &c.changed {
        let what = match (b.block, b.line) {
            (Some(n), Some(line)) => format!(
                "block {n}: {} at line {line} ({})",
                b.kind.replace('_', " "),
                b.excerpt
            ),
            _ => b.kind.clone(),
        };
        let lands = match b.translation_line {
            Some(l) => format!("  → translation line {l}"),
            None if c.alignment.is_some() && b.block.is_none() => {
                "  → not set in the translation".to_string()
            }
            None if c.alignment.is_some() => "  → not placed in the translation".to_string(),
            None => String::new(),
        };
        let _ = writeln!(out, "      {what}{lands}");
    }
    if c.removed > 0 {
        let _ = writeln!(
            out,
            "      {} block{} removed",
            c.removed,
            if c.removed == 1 { "" } else { "s" }
        );
    }
}

/// A single self-contained HTML page for editors.
pub fn html(status: &Status) -> String {
    let e = crate::xml::escape;
    let mut rows = String::new();
    let mut details = String::new();
    for l in &status.languages {
        for s in std::iter::once(&l.total).chain(l.sections.iter()) {
            let name = if s.section == "*" {
                "all".to_string()
            } else if s.section.is_empty() {
                "(top)".into()
            } else {
                s.section.clone()
            };
            let _ = writeln!(
                rows,
                "<tr><th scope=\"row\">{} · {}</th><td>{}</td><td>{}</td><td>{}</td><td class=\"{}\">{}</td><td>{}</td><td class=\"{}\">{}</td></tr>",
                e(&l.code),
                e(&name),
                s.pages,
                s.current,
                s.untracked,
                if s.stale > 0 { "warn" } else { "" },
                s.stale,
                s.draft,
                if s.missing > 0 { "bad" } else { "" },
                s.missing
            );
        }
        let items: Vec<String> = l
            .sections
            .iter()
            .flat_map(|s| s.attention.iter())
            .map(|p| {
                format!(
                    "<li><code>{}</code> — {}{}{}{}</li>",
                    e(p.translation.as_deref().unwrap_or(&p.source)),
                    e(&p.state),
                    if p.stale && p.state != "stale" {
                        ", stale"
                    } else {
                        ""
                    },
                    if p.required { " (required)" } else { "" },
                    p.command
                        .as_deref()
                        .map_or_else(String::new, |c| format!(": <code>{}</code>", e(c)))
                )
            })
            .collect();
        if !items.is_empty() || !l.messages_missing.is_empty() {
            let _ = write!(
                details,
                "<h2 lang=\"en\">{} ({})</h2><ul>{}</ul>",
                e(&l.name),
                e(&l.code),
                items.join("")
            );
            if !l.messages_missing.is_empty() {
                let _ = write!(
                    details,
                    "<p>Messages missing: <code>{}</code></p>",
                    e(&l.messages_missing.join(", "))
                );
            }
        }
    }
    let violations = if status.violations.is_empty() {
        "<p class=\"ok\">The [translation] policy is met.</p>".to_string()
    } else {
        format!(
            "<ul class=\"bad\">{}</ul>",
            status
                .violations
                .iter()
                .map(|v| format!("<li>{}</li>", e(v)))
                .collect::<String>()
        )
    };
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>Translation status</title>\n<style>\nbody{{font-family:system-ui,\"PingFang SC\",\"Noto Sans CJK SC\",sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1d1d1f}}\ntable{{border-collapse:collapse;width:100%}}th,td{{border:1px solid #ccc;padding:.3rem .6rem;text-align:right}}th[scope=row]{{text-align:left}}\n.warn{{background:#fff4ce}}.bad{{background:#fde7e9}}.ok{{color:#0a6b2d}}code{{font-size:.9em}}\n</style>\n</head>\n<body>\n<h1>Translation status</h1>\n<p>Default language: <code>{}</code></p>\n<table>\n<thead><tr><th scope=\"col\">language · section</th><th scope=\"col\">pages</th><th scope=\"col\">current</th><th scope=\"col\">untracked</th><th scope=\"col\">stale</th><th scope=\"col\">draft</th><th scope=\"col\">missing</th></tr></thead>\n<tbody>\n{rows}</tbody>\n</table>\n{violations}\n{details}\n</body>\n</html>\n",
        e(&status.default_language)
    )
}

/// `qiao translate PATH --to CODE`: creates the stub next to the source and returns its
/// path; never overwrites a file.
pub fn translate(root: &Path, path: &str, to: &str) -> Result<PathBuf, Diagnostic> {
    let (config, source, doc, text) = read_source(root, path)?;
    if to == config.default_language || config.language(to).is_none() {
        return Err(Diagnostic::error(format!(
            "`{to}` is not a configured language to translate into"
        ))
        .with_hint(format!(
            "the default language is {}; use another configured code",
            config.default_language
        )));
    }
    let target = translation::translation_path(&source, to);
    if target.exists() {
        return Err(Diagnostic::error(format!(
            "{} exists already; qiao translate never overwrites a file",
            target.display()
        ))
        .with_hint(format!(
            "after revising it, run `qiao translate {path} --to {to} --mark-current`"
        )));
    }
    let hash = translation::store_revision(root, &doc)
        .map_err(|e| Diagnostic::error(format!("cannot write {}: {e}", translation::STORE)))?;
    let stub = crate::shared::strip_from_stub(
        &translation::stub(&text, &hash),
        &config.translation.shared,
    );
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&target)
        .and_then(|mut f| std::io::Write::write_all(&mut f, stub.as_bytes()))
        .map_err(|e| Diagnostic::error(format!("cannot create {}: {e}", target.display())))?;
    Ok(target)
}

/// Reads the translation at `target` for `--mark-current`, refusing a link out of the
/// site.
fn read_translation(
    root: &Path,
    path: &str,
    to: &str,
    target: &Path,
) -> Result<String, Diagnostic> {
    // The build skips a link out of content/; writing through one would change a file
    // outside the site.
    let is_link = std::fs::symlink_metadata(target).is_ok_and(|m| m.file_type().is_symlink());
    let inside = match (target.canonicalize(), root.join("content").canonicalize()) {
        (Ok(t), Ok(content)) => t.starts_with(content),
        _ => false,
    };
    if is_link && !inside {
        return Err(Diagnostic::error(format!(
            "{} is a symbolic link that leads out of content/; qiao does not write through it",
            target.display()
        ))
        .with_hint("replace the link with a copy of the file"));
    }
    let text = crate::text::read_text(target, target).map_err(|d| match d.hint {
        Some(_) => d,
        None => d.with_hint(format!(
            "create it first with `qiao translate {path} --to {to}`"
        )),
    })?;
    Ok(text)
}

/// `qiao translate PATH --to CODE --mark-current`: records that the translation now
/// reflects the source's current revision.
pub fn mark_current(root: &Path, path: &str, to: &str) -> Result<(PathBuf, String), Diagnostic> {
    let (_, source, doc, _) = read_source(root, path)?;
    let target = translation::translation_path(&source, to);
    let text = read_translation(root, path, to, &target)?;
    let hash = translation::store_revision(root, &doc)
        .map_err(|e| Diagnostic::error(format!("cannot write {}: {e}", translation::STORE)))?;
    std::fs::write(&target, translation::mark_current(&text, &hash))
        .map_err(|e| Diagnostic::error(format!("cannot write {}: {e}", target.display())))?;
    Ok((target, hash))
}

/// `qiao translate PATH --to CODE --mark-current --block N …`: records that the changes of
/// the source named by `blocks` (block numbers as `qiao status` gives them, or field names)
/// need no new translation, and returns what it did, in words. Once no change is left, the
/// translation records the source's current revision (see [`crate::stale`]).
pub fn mark_blocks(
    root: &Path,
    path: &str,
    to: &str,
    blocks: &[String],
) -> Result<String, Diagnostic> {
    let (_, source, doc, _) = read_source(root, path)?;
    let target = translation::translation_path(&source, to);
    let text = read_translation(root, path, to, &target)?;
    let shown = target.display().to_string();
    let t = crate::content::front_matter::parse(&text)
        .map_err(|mut ds| ds.remove(0).in_file(&target))?;
    let mark_all = format!("qiao translate {path} --to {to} --mark-current");
    let Some(recorded) = t.meta.translation_of.as_deref().map(str::trim) else {
        return Err(Diagnostic::error(format!(
            "{shown} does not record `translation_of`, so its changed blocks are not known"
        ))
        .with_hint(format!("record the revision it reflects with `{mark_all}`")));
    };
    if translation::Revision::of(&doc).matches(recorded) {
        return Err(Diagnostic::error(format!(
            "{shown} is current: no block of its source changed"
        )));
    }
    let stored = crate::stale::Stored::load(root, recorded).ok_or_else(|| {
        Diagnostic::error(format!(
            "source revision {recorded}, which {shown} was made from, is not in {}/",
            translation::STORE
        ))
        .with_hint(format!(
            "without it the changed blocks are not known: check the translation, then run `{mark_all}`"
        ))
    })?;
    let cmp = crate::stale::compare(&stored, translation::fields_of(&doc), &doc);
    let name_of = |c: &crate::stale::Change| {
        let p = &cmp.parts[c.new];
        match (p.block, p.line) {
            (Some(b), Some(l)) => format!(
                "block {} ({} at line {})",
                b + 1,
                p.kind.replace('_', " "),
                doc.body_line + l
            ),
            _ => p.kind.clone(),
        }
    };
    let valid = cmp
        .changed
        .iter()
        .map(name_of)
        .collect::<Vec<_>>()
        .join(", ");
    let blocks_in_source = cmp.parts.iter().filter(|p| p.block.is_some()).count();
    let mut accepted = Vec::new();
    let mut problems = Vec::new();
    for b in blocks {
        let b = b.trim();
        let found = match b.parse::<usize>() {
            Ok(n) if n == 0 || n > blocks_in_source => {
                problems.push(format!(
                    "block {n} is out of range: the source has blocks 1 to {blocks_in_source}"
                ));
                continue;
            }
            Ok(n) => cmp
                .changed
                .iter()
                .position(|c| cmp.parts[c.new].block == Some(n - 1)),
            Err(_) => cmp
                .changed
                .iter()
                .position(|c| cmp.parts[c.new].block.is_none() && cmp.parts[c.new].kind == b),
        };
        match found {
            Some(i) if !accepted.contains(&i) => accepted.push(i),
            Some(_) => {}
            None if b.parse::<usize>().is_ok() => {
                problems.push(format!("block {b} did not change since {recorded}"));
            }
            None => problems.push(format!(
                "`{b}` is neither a block number nor a changed field"
            )),
        }
    }
    if !problems.is_empty() {
        return Err(Diagnostic::error(format!("{shown}: {}", problems.join("; "))).with_hint(
            if valid.is_empty() {
                format!(
                    "no block of the source changed, only {} were removed; check the translation, then run `{mark_all}`",
                    cmp.removed
                )
            } else {
                format!("the changed blocks are: {valid} (as `qiao status` numbers them)")
            },
        ));
    }
    let left: Vec<String> = (0..cmp.changed.len())
        .filter(|i| !accepted.contains(i))
        .map(|i| name_of(&cmp.changed[i]))
        .collect();
    if left.is_empty() && cmp.removed == 0 {
        let hash = translation::store_revision(root, &doc)
            .map_err(|e| Diagnostic::error(format!("cannot write {}: {e}", translation::STORE)))?;
        std::fs::write(&target, translation::mark_current(&text, &hash))
            .map_err(|e| Diagnostic::error(format!("cannot write {shown}: {e}")))?;
        return Ok(format!(
            "{shown}: no change is left, it now records source revision {hash} (current)"
        ));
    }
    let (revision, hash) = crate::stale::accept(&stored, &cmp, &accepted, recorded);
    // The composed revision must leave exactly the other changes.
    let check = crate::stale::compare(
        &crate::stale::Stored::parse(&revision, &hash),
        translation::fields_of(&doc),
        &doc,
    );
    let still: Vec<usize> = check.changed.iter().map(|c| c.new).collect();
    let expected: Vec<usize> = (0..cmp.changed.len())
        .filter(|i| !accepted.contains(i))
        .map(|i| cmp.changed[i].new)
        .collect();
    if still != expected || check.removed != cmp.removed {
        return Err(Diagnostic::error(format!(
            "{shown}: these blocks cannot be accepted one by one (the source's structure around them changed)"
        ))
        .with_hint(format!("check the whole translation, then run `{mark_all}`")));
    }
    let store = root.join(translation::STORE);
    std::fs::create_dir_all(&store)
        .and_then(|()| std::fs::write(store.join(format!("{hash}.md")), &revision))
        .map_err(|e| Diagnostic::error(format!("cannot write {}: {e}", translation::STORE)))?;
    std::fs::write(&target, translation::mark_current(&text, &hash))
        .map_err(|e| Diagnostic::error(format!("cannot write {shown}: {e}")))?;
    let mut rest = left.join(", ");
    if cmp.removed > 0 {
        if !rest.is_empty() {
            rest.push_str("; ");
        }
        rest.push_str(&format!("{} block(s) removed from the source", cmp.removed));
    }
    Ok(format!(
        "{shown} now records revision {hash} ({recorded} with the accepted changes); still stale: {rest}"
    ))
}

/// `qiao status --diff PATH`: what changed in the source since the translation in PATH
/// was made, block by block beside the translation (with `lines`, as a unified diff of the
/// source's text); `color` paints the old and new blocks.
pub fn diff(root: &Path, path: &str, lines: bool, color: bool) -> Result<String, Diagnostic> {
    let file = resolve(root, path);
    let text = crate::text::read_text(&file, &file)?;
    let doc =
        crate::content::front_matter::parse(&text).map_err(|mut ds| ds.remove(0).in_file(&file))?;
    let revision = doc.meta.translation_of.clone().ok_or_else(|| {
        Diagnostic::error(format!(
            "{} does not record `translation_of`",
            file.display()
        ))
        .with_hint(
            "only translations made or marked with `qiao translate` know their source revision",
        )
    })?;
    // x.de.md → x.md
    let config = Config::load(root).map_err(|mut ds| ds.remove(0))?;
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stem = name.trim_end_matches(".md");
    let base = crate::content::walk::split_language(stem, &config).0;
    let source = file.with_file_name(format!("{base}.md"));
    let src_text = crate::text::read_text(&source, &source)?;
    let src = crate::content::front_matter::parse(&src_text)
        .map_err(|mut ds| ds.remove(0).in_file(&source))?;
    let current = translation::Revision::of(&src);
    if current.matches(&revision) {
        return Ok(format!(
            "{} is current: the source has not changed since revision {}\n",
            file.display(),
            revision.trim()
        ));
    }
    if lines {
        return translation::diff_since(root, &revision, &src);
    }
    let stored = crate::stale::Stored::load(root, &revision).ok_or_else(|| {
        Diagnostic::error(format!(
            "source revision {} is not in {}/",
            revision.trim(),
            translation::STORE
        ))
        .with_hint("revisions are saved by `qiao translate` and `--mark-current`; commit .qiao/ with the site to keep them")
    })?;
    Ok(block_view(&BlockView {
        root,
        translation: (&file, &doc),
        source: (&source, &src),
        stored: &stored,
        revision: revision.trim(),
        now: &current.hash,
        color,
    }))
}

/// What [`block_view`] shows.
struct BlockView<'a> {
    root: &'a Path,
    translation: (&'a Path, &'a crate::content::Document),
    source: (&'a Path, &'a crate::content::Document),
    stored: &'a crate::stale::Stored,
    revision: &'a str,
    now: &'a str,
    color: bool,
}

/// `qiao status --diff`: each changed field or block of the source as it was, as it is, and
/// the translation's block(s) it lands on.
fn block_view(v: &BlockView<'_>) -> String {
    let (t_file, t) = v.translation;
    let (s_file, src) = v.source;
    let rel = |p: &Path| {
        p.strip_prefix(v.root)
            .unwrap_or(p)
            .to_string_lossy()
            .into_owned()
    };
    let (t_name, s_name) = (rel(t_file), rel(s_file));
    let paint = |code: &str, s: String| {
        if v.color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s
        }
    };
    let quoted = |text: &str, code: &str| -> String {
        let mut out = String::new();
        for line in text.trim_end().lines() {
            let _ = writeln!(out, "    {}", paint(code, format!("│ {line}")));
        }
        if out.is_empty() {
            out.push_str("    (empty)\n");
        }
        out
    };
    let cmp = crate::stale::compare(v.stored, translation::fields_of(src), src);
    let t_blocks = crate::markdown::blocks(t.body());
    let t_kinds: Vec<_> = t_blocks.iter().map(|(k, _)| *k).collect();
    let alignment = crate::stale::align(&crate::stale::kinds(src.body()), &t_kinds);
    let line_of = |body: &str, at: usize| body.get(..at).unwrap_or("").matches('\n').count();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{t_name} was translated from revision {}; {s_name} is now {}.",
        v.revision, v.now
    );
    let _ = writeln!(
        out,
        "{}",
        match alignment.kind {
            crate::stale::AlignmentKind::Structure =>
                "Blocks aligned by structure: each lands on the translation's block at the same place."
                    .to_string(),
            crate::stale::AlignmentKind::BySection =>
                "Blocks aligned by section only (the source and the translation differ in some \
                 section: paragraphs merged or split?): a block may land on a neighbour too."
                    .to_string(),
            crate::stale::AlignmentKind::None => format!(
                "Blocks not aligned: the source has {} heading(s), the translation {}.",
                alignment.headings.0, alignment.headings.1
            ),
        }
    );
    for c in &cmp.changed {
        let part = &cmp.parts[c.new];
        let old = c.old.and_then(|o| v.stored.parts.get(o));
        let _ = writeln!(out);
        match (part.block, part.line) {
            (Some(b), Some(l)) => {
                let _ = writeln!(
                    out,
                    "block {}: {}, {s_name} line {}",
                    b + 1,
                    part.kind.replace('_', " "),
                    src.body_line + l
                );
            }
            _ => {
                let _ = writeln!(out, "{} (front matter)", part.kind);
            }
        }
        let _ = writeln!(out, "  was:");
        out.push_str(&match old {
            Some(o) => quoted(&o.text, "31"),
            None => "    (not there)\n".to_string(),
        });
        let _ = writeln!(out, "  now:");
        out.push_str(&quoted(&part.text, "32"));
        match part.block {
            Some(b) => {
                let lands = alignment.map.get(b).cloned().unwrap_or_default();
                if lands.is_empty() {
                    let _ = writeln!(out, "  translation: not placed");
                }
                for i in lands {
                    let Some((_, range)) = t_blocks.get(i) else {
                        continue;
                    };
                    let _ = writeln!(
                        out,
                        "  translation, {t_name} line {}:",
                        t.body_line + line_of(t.body(), range.start)
                    );
                    out.push_str(&quoted(t.body().get(range.clone()).unwrap_or(""), "0"));
                }
            }
            None => {
                let at = translation::field_line(t, &part.kind)
                    .and_then(|n| Some((n, t.text.lines().nth(n - 1)?)));
                match at {
                    Some((n, line)) => {
                        let _ = writeln!(out, "  translation, {t_name} line {n}:");
                        out.push_str(&quoted(line, "0"));
                    }
                    None => {
                        let _ = writeln!(out, "  translation: not set");
                    }
                }
            }
        }
    }
    if !cmp.gone.is_empty() {
        let _ = writeln!(out, "\nremoved from the source since:");
        for &g in &cmp.gone {
            if let Some(p) = v.stored.parts.get(g) {
                out.push_str(&quoted(&p.text, "31"));
            }
        }
    }
    if !cmp.changed.is_empty() {
        let _ = writeln!(
            out,
            "\nIf a change needs no new translation: qiao translate {s_name} --to {} --mark-current --block N",
            t_name
                .trim_end_matches(".md")
                .rsplit('.')
                .next()
                .unwrap_or("")
        );
    }
    out
}

/// A path given on the command line: absolute as is, otherwise relative to the site root
/// (`content/news/x.md`), or to `content/` (`news/x.md`, `news/x`). Never relative to the current
/// directory, which may be another site.
fn resolve(root: &Path, path: &str) -> PathBuf {
    let p = Path::new(path);
    if p.is_absolute() {
        return p.to_path_buf();
    }
    let under = root.join(p);
    if under.exists() {
        return under;
    }
    let in_content = root
        .join("content")
        .join(path.trim_start_matches("./").trim_start_matches("content/"));
    // `news/x` names `news/x.md`, as for `qiao new`.
    if !in_content.exists() && !path.ends_with(".md") {
        let mut with_ext = in_content.clone().into_os_string();
        with_ext.push(".md");
        return PathBuf::from(with_ext);
    }
    in_content
}

/// Finds and parses a default-language source given as `content/news/x.md`, `news/x.md`
/// or one of its translations.
fn read_source(
    root: &Path,
    path: &str,
) -> Result<(Config, PathBuf, crate::content::Document, String), Diagnostic> {
    let config = Config::load(root).map_err(|mut ds| ds.remove(0))?;
    let mut file = resolve(root, path);
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if let (base, Some(_)) =
        crate::content::walk::split_language(name.trim_end_matches(".md"), &config)
    {
        file = file.with_file_name(format!("{base}.md"));
    }
    let text = crate::text::read_text(&file, &file).map_err(|d| match d.hint {
        Some(_) => d,
        None => d.with_hint("give the path of a default-language Markdown file, e.g. content/news/zone-unveiling.md"),
    })?;
    let doc =
        crate::content::front_matter::parse(&text).map_err(|mut ds| ds.remove(0).in_file(&file))?;
    Ok((config, file, doc, text))
}
