//! The translation workflow: which translations exist, which are missing, which are stale
//! because their source changed after they were made, and the files translators work on.
//!
//! A translation records the revision of the default-language source it was made from as
//! `translation_of: <hash>` in its front matter: a short BLAKE3 hash of the source's
//! translatable fields and of what its body says once rendered ([`Revision`]), so that a
//! re-wrapped paragraph is the same revision and a new summary is not. When the source
//! changes, its hash changes and the translation is stale (a draft too, shown as both). The
//! source text of each recorded revision is kept in `.qiao/sources/<hash>.md` (written by
//! `qiao translate` and `--mark-current`), so that `qiao status --diff` can show what changed
//! without needing git.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use rayon::prelude::*;
use serde::Serialize;

use crate::config::Config;
use crate::content::Document;
use crate::content::Parsed;
use crate::content::revision::short_hash;
pub use crate::content::revision::{STORE, is_revision};
use crate::diagnostics::Diagnostic;

/// The state of a page with respect to its source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TranslationState {
    /// A page in the default language: it is the source.
    Source,
    /// A translation of the source's current revision.
    Current,
    /// A translation of an earlier revision: the source changed since.
    Stale,
    /// A translation that does not record its source revision (no `translation_of`).
    Untracked,
    /// No translation: the default-language page shown in its place.
    Fallback,
}

/// The revision of a default-language source that translations are compared with.
///
/// Its [`hash`](Revision::hash) covers every field a translator translates (`title`,
/// `summary`, `description`, `tags`, `categories`, the fields [`stub`] marks) and what the
/// body says once rendered ([`crate::markdown::meaning`]): re-wrapping a paragraph or
/// changing whitespace leaves it unchanged, changing a word changes it.
///
/// Earlier versions of qiao hashed only the title and the body's text, line by line.
/// Translations marked then still record such a hash, kept as [`legacy`](Revision::legacy):
/// a translation that records the legacy hash of the current source is current, so that
/// upgrading qiao does not make a whole site stale (`--mark-current` records the new hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revision {
    /// The hash `qiao translate` records now: 12 hex digits of BLAKE3.
    pub hash: String,
    /// The hash earlier versions of qiao recorded for the same source (title and body text
    /// only).
    pub legacy: String,
}

impl Revision {
    /// The revision of a parsed source (before its text is released).
    pub fn of(doc: &Document) -> Revision {
        Revision {
            hash: source_hash(doc),
            legacy: legacy_hash(&doc.title, doc.body()),
        }
    }

    /// Whether a translation that records `recorded` was made from this revision, by either
    /// hash.
    pub fn matches(&self, recorded: &str) -> bool {
        let r = recorded.trim();
        r == self.hash || r == self.legacy
    }

    /// Whether `recorded` matches only by the legacy hash: current, but recorded before
    /// the summary, description, tags and categories counted.
    pub fn is_legacy(&self, recorded: &str) -> bool {
        let r = recorded.trim();
        r != self.hash && r == self.legacy
    }
}

/// The normalised form a source hash covers: the translatable fields with whitespace runs
/// collapsed, as JSON (unambiguous whatever they hold; a struct, so that the order of the
/// fields is fixed by its declaration, not by serde_json's features), then the body's
/// rendered meaning.
fn normalized(doc: &Document) -> String {
    #[derive(Serialize)]
    struct Fields {
        title: String,
        summary: Option<String>,
        description: Option<String>,
        tags: Vec<String>,
        categories: Vec<String>,
    }
    let m = &doc.meta;
    let fields = Fields {
        title: collapse(&doc.title),
        summary: m.summary.as_deref().map(collapse),
        description: m.description.as_deref().map(collapse),
        tags: m.tags.iter().map(|t| collapse(t)).collect(),
        categories: m.categories.iter().map(|t| collapse(t)).collect(),
    };
    // Serialising strings and lists cannot fail; were it to, the empty object still
    // gives a hash (of the body alone).
    let fields = serde_json::to_string(&fields).unwrap_or_default();
    format!(
        "qiao source revision 2\n{fields}\n{}",
        crate::markdown::meaning(doc.body())
    )
}

/// The short hash of a source revision (12 hex digits of BLAKE3 over its normalised
/// translatable fields and body, see [`Revision`]).
pub fn source_hash(doc: &Document) -> String {
    short_hash(&normalized(doc))
}

/// The text earlier versions of qiao hashed: the title and the body, with line endings and
/// trailing spaces normalised. Its hash is the BLAKE3 of exactly this text, which is also
/// what the store holds for such a revision.
fn legacy_text(title: &str, body: &str) -> String {
    let mut s = String::with_capacity(title.len() + body.len() + 2);
    s.push_str(title.trim());
    s.push_str("\n\n");
    for line in body.trim().lines() {
        s.push_str(line.trim_end());
        s.push('\n');
    }
    s
}

/// The hash earlier versions of qiao recorded (see [`Revision::legacy`]).
fn legacy_hash(title: &str, body: &str) -> String {
    short_hash(&legacy_text(title, body))
}

/// The translatable fields of a source that are set, each as one line of text (whitespace
/// runs collapsed, lists joined with `, `), in the order of [`revision_text`].
fn field_lines(doc: &Document) -> Vec<(&'static str, String)> {
    let m = &doc.meta;
    let mut out = vec![("title", collapse(&doc.title))];
    for (name, value) in [("summary", &m.summary), ("description", &m.description)] {
        if let Some(v) = value {
            out.push((name, collapse(v)));
        }
    }
    for (name, values) in [("tags", &m.tags), ("categories", &m.categories)] {
        if !values.is_empty() {
            let values: Vec<String> = values.iter().map(|v| collapse(v)).collect();
            out.push((name, values.join(", ")));
        }
    }
    out
}

/// `s` with its runs of ASCII whitespace collapsed to one space, and trimmed.
fn collapse(s: &str) -> String {
    s.split_ascii_whitespace().collect::<Vec<_>>().join(" ")
}

/// The readable text of a source revision, as the store keeps it for `qiao status --diff`:
/// the translatable fields that are set, one per line, then the body as written (trailing
/// spaces and line endings normalised).
pub fn revision_text(doc: &Document) -> String {
    let mut s = String::new();
    for (name, value) in field_lines(doc) {
        s.push_str(&format!("{name}: {value}\n"));
    }
    s.push('\n');
    for line in doc.body().trim().lines() {
        s.push_str(line.trim_end());
        s.push('\n');
    }
    s
}

/// The state of `doc` in `lang`, given the current revision of its default-language source.
pub fn state_of(
    doc: &Document,
    lang: &str,
    config: &Config,
    source: Option<&Revision>,
) -> TranslationState {
    if lang == config.default_language {
        return TranslationState::Source;
    }
    match (&doc.meta.translation_of, source) {
        (None, _) => TranslationState::Untracked,
        (Some(recorded), Some(current)) if !current.matches(recorded) => TranslationState::Stale,
        _ => TranslationState::Current,
    }
}

/// One page in the status report.
#[derive(Debug, Clone, Serialize)]
pub struct PageStatus {
    /// The default-language source file (`content/news/x.md`).
    pub source: String,
    /// The translation file, when it exists.
    pub translation: Option<String>,
    /// `current`, `stale`, `untracked`; `missing` and `draft` for no published translation.
    pub state: String,
    /// Whether the source changed since the translation was made: true for every `stale`
    /// translation, and for a `draft` made from an earlier revision of the source.
    pub stale: bool,
    /// For stale translations (drafts included): the revision they were made from.
    pub translated_from: Option<String>,
    /// The source's current revision.
    pub source_revision: String,
    /// For stale translations (drafts included): days since the source file last changed.
    pub stale_days: Option<u64>,
    /// For stale translations (drafts included): which fields and blocks of the source
    /// changed since, when the store holds the revision they were made from.
    pub changed_blocks: Option<BlockChanges>,
    /// Whether `[translation]` requires this translation.
    pub required: bool,
    /// What to run next: for a missing translation the command that creates it, for an
    /// untracked one the command that records the revision it reflects.
    pub command: Option<String>,
}

/// Counts and pages of one section in one language.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SectionStatus {
    /// Section directory (`` for pages at the top of content/).
    pub section: String,
    /// Pages in the default language.
    pub pages: usize,
    /// Published translations made from the source's current revision.
    pub current: usize,
    /// Published translations without `translation_of`: nobody recorded which revision of
    /// the source they reflect, so they are neither current nor stale.
    pub untracked: usize,
    /// Published translations whose source changed.
    pub stale: usize,
    /// Translations that exist as drafts only.
    pub draft: usize,
    /// Pages without a translation.
    pub missing: usize,
    /// Every page that is not current, sorted by source path.
    pub attention: Vec<PageStatus>,
}

/// The status of one language.
#[derive(Debug, Clone, Serialize)]
pub struct LanguageStatus {
    /// Language code.
    pub code: String,
    /// Language name.
    pub name: String,
    /// Totals over all sections.
    pub total: SectionStatus,
    /// Per section, sorted by directory.
    pub sections: Vec<SectionStatus>,
    /// Fluent messages the site or its theme defines in some language but not in this one.
    pub messages_missing: Vec<String>,
    /// Current translations whose `translation_of` is a revision of the older kind (see
    /// [`Revision::legacy`]), sorted: a change of their source's summary, description, tags
    /// or categories would not show until they are marked current again.
    pub legacy_revisions: Vec<String>,
}

/// The whole report, as `qiao status --json` prints it.
#[derive(Debug, Clone, Serialize)]
pub struct Status {
    /// Version of this JSON format.
    pub format: u32,
    /// The default language, which all other languages translate from.
    pub default_language: String,
    /// Every language but the default, in config order.
    pub languages: Vec<LanguageStatus>,
    /// Fluent messages defined but used by no template (`None` when the site could not be
    /// rendered to find out).
    pub messages_unused: Option<Vec<String>>,
    /// What `[translation]` requires and is not met: missing required translations and
    /// translations stale for longer than allowed.
    pub violations: Vec<String>,
    /// Every draft of the site, in every language (the default language's too), sorted by
    /// path: drafts are not published, so an editor must be able to find them.
    pub drafts: Vec<DraftStatus>,
}

/// A page marked `draft: true`.
#[derive(Debug, Clone, Serialize)]
pub struct DraftStatus {
    /// The file (`content/news/x.de.md`).
    pub path: String,
    /// Its language code.
    pub lang: String,
    /// Its title.
    pub title: String,
}

/// Computes the status from parsed documents (drafts included).
pub fn status(config: &Config, docs: &[Parsed], now: SystemTime) -> Status {
    let default = &config.default_language;
    let mut sources: BTreeMap<&str, &Parsed> = BTreeMap::new();
    let mut by_key: HashMap<(&str, &str), &Parsed> = HashMap::new();
    for p in docs {
        by_key.insert((p.source.key.as_str(), p.source.lang.as_str()), p);
        if &p.source.lang == default && !p.doc.meta.draft {
            sources.insert(p.source.key.as_str(), p);
        }
    }
    let revisions: HashMap<&str, Revision> = sources
        .par_iter()
        .map(|(key, src)| (*key, Revision::of(&src.doc)))
        .collect();
    let mut languages = Vec::new();
    let mut violations = Vec::new();
    for lang in config.languages.iter().filter(|l| &l.code != default) {
        let mut sections: BTreeMap<String, SectionStatus> = BTreeMap::new();
        let mut legacy_revisions = Vec::new();
        for (key, src) in &sources {
            let dir = src.source.section_dir.clone();
            let Some(revision) = revisions.get(key) else {
                continue;
            };
            let required = config.translation.requires(&lang.code, &dir);
            let entry = sections
                .entry(dir.clone())
                .or_insert_with(|| SectionStatus {
                    section: dir.clone(),
                    ..Default::default()
                });
            entry.pages += 1;
            let translation = by_key.get(&(*key, lang.code.as_str()));
            let source_rel = format!("content/{}", src.source.rel);
            let would_be = translation_path(Path::new(&source_rel), &lang.code);
            let mut page = PageStatus {
                source: source_rel.clone(),
                translation: Some(translation.map_or_else(
                    || would_be.to_string_lossy().into_owned(),
                    |t| format!("content/{}", t.source.rel),
                )),
                state: String::new(),
                stale: false,
                translated_from: None,
                source_revision: revision.hash.clone(),
                stale_days: None,
                changed_blocks: None,
                required,
                command: None,
            };
            match translation {
                None => {
                    entry.missing += 1;
                    page.state = "missing".into();
                    page.command = Some(format!("qiao translate {source_rel} --to {}", lang.code));
                    if required {
                        violations.push(format!(
                            "{source_rel} has no {} translation (required)",
                            lang.code
                        ));
                    }
                }
                Some(t) if t.doc.meta.draft => {
                    entry.draft += 1;
                    page.state = "draft".into();
                    // A draft is counted once, as a draft; that its source changed since its
                    // stub was made is shown on the page.
                    let stale = state_of(&t.doc, &lang.code, config, Some(revision))
                        == TranslationState::Stale;
                    if stale {
                        page.stale = true;
                        page.translated_from = t.doc.meta.translation_of.clone();
                        page.stale_days = Some(age_days(&src.source.abs, now));
                    }
                    if required {
                        violations.push(format!(
                            "content/{} is still a draft{} (a {} translation is required)",
                            t.source.rel,
                            if stale {
                                ", and its source changed since it was made"
                            } else {
                                ""
                            },
                            lang.code
                        ));
                    }
                }
                Some(t) => match state_of(&t.doc, &lang.code, config, Some(revision)) {
                    TranslationState::Stale => {
                        entry.stale += 1;
                        let days = age_days(&src.source.abs, now);
                        page.state = "stale".into();
                        page.stale = true;
                        page.translated_from = t.doc.meta.translation_of.clone();
                        page.stale_days = Some(days);
                        let allowed = config.translation.stale_days;
                        if !config.translation.required.is_empty()
                            && required
                            && allowed.is_none_or(|n| days > u64::from(n))
                        {
                            violations.push(format!(
                                "content/{} is stale: {source_rel} changed {days} day(s) ago{}",
                                t.source.rel,
                                allowed.map_or_else(String::new, |n| format!(" (allowed: {n})"))
                            ));
                        }
                    }
                    TranslationState::Untracked => {
                        entry.untracked += 1;
                        page.state = "untracked".into();
                        page.command = Some(format!(
                            "qiao translate {source_rel} --to {} --mark-current",
                            lang.code
                        ));
                    }
                    _ => {
                        entry.current += 1;
                        if t.doc
                            .meta
                            .translation_of
                            .as_deref()
                            .is_some_and(|r| revision.is_legacy(r))
                        {
                            legacy_revisions.push(format!("content/{}", t.source.rel));
                        }
                        continue;
                    }
                },
            }
            entry.attention.push(page);
        }
        let sections: Vec<SectionStatus> = sections.into_values().collect();
        let mut total = SectionStatus {
            section: "*".into(),
            ..Default::default()
        };
        for s in &sections {
            total.pages += s.pages;
            total.current += s.current;
            total.untracked += s.untracked;
            total.stale += s.stale;
            total.draft += s.draft;
            total.missing += s.missing;
        }
        languages.push(LanguageStatus {
            code: lang.code.clone(),
            name: lang.name.clone(),
            total,
            sections,
            messages_missing: Vec::new(),
            legacy_revisions: {
                legacy_revisions.sort();
                legacy_revisions
            },
        });
    }
    violations.sort();
    let mut drafts: Vec<DraftStatus> = docs
        .iter()
        .filter(|p| p.doc.meta.draft)
        .map(|p| DraftStatus {
            path: format!("content/{}", p.source.rel),
            lang: p.source.lang.clone(),
            title: p.doc.title.clone(),
        })
        .collect();
    drafts.sort_by(|a, b| a.path.cmp(&b.path));
    Status {
        format: 1,
        default_language: default.clone(),
        languages,
        messages_unused: None,
        violations,
        drafts,
    }
}

/// Days since a file was last modified (0 when unknown).
fn age_days(path: &Path, now: SystemTime) -> u64 {
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| now.duration_since(t).ok())
        .map_or(0, |d| d.as_secs() / 86_400)
}

/// The `[translation]` policy as build warnings (errors under `--strict`), so that
/// `qiao check --strict` can block a publish.
pub fn policy_diagnostics(config: &Config, docs: &[Parsed]) -> Vec<Diagnostic> {
    if config.translation.required.is_empty() {
        return Vec::new();
    }
    status(config, docs, SystemTime::now())
        .violations
        .into_iter()
        .map(|v| {
            let file = v.split_whitespace().next().unwrap_or("").to_string();
            Diagnostic::warning(v)
                .in_file(file)
                .with_hint("translate it (`qiao translate PATH --to CODE`), or change [translation] in site.toml")
        })
        .collect()
}

/// The marker `qiao translate` puts after each field a translator must translate.
pub const MARKER: &str = "# TRANSLATE";

/// Published translations that still carry a [`MARKER`] in their front matter: a field that
/// was probably never translated (readers would see the source language). Warnings (errors
/// with `--strict`), one per marker, at its line and column.
pub fn leftover_markers(config: &Config, docs: &[Parsed]) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    for p in docs {
        if p.source.lang == config.default_language || p.doc.meta.draft {
            continue;
        }
        let head = p.doc.text.get(..p.doc.body_start).unwrap_or("");
        for (i, line) in head.lines().enumerate() {
            let Some(col) = line.find(MARKER) else {
                continue;
            };
            let field = line.split(':').next().unwrap_or("").trim();
            let column = line[..col].chars().count() + 1;
            diags.push(
                Diagnostic::warning(format!(
                    "`{field}` still carries the `{MARKER}` marker, but this translation is published"
                ))
                .in_file(format!("content/{}", p.source.rel))
                .at(&p.doc.text, i + 1, column)
                .with_hint(format!(
                    "translate `{field}` into {}, then delete the `{MARKER}` comment",
                    p.source.lang
                )),
            );
        }
    }
    diags
}

/// Saves a source revision in the store, so that `--diff` can show changes since, and
/// returns its hash.
pub fn store_revision(root: &Path, doc: &Document) -> std::io::Result<String> {
    let hash = source_hash(doc);
    let dir = root.join(STORE);
    std::fs::create_dir_all(&dir)?;
    let path = dir.join(format!("{hash}.md"));
    if !path.exists() {
        std::fs::write(path, revision_text(doc))?;
    }
    Ok(hash)
}

/// A unified diff of the source `doc` since the revision a translation was made from.
pub fn diff_since(root: &Path, revision: &str, doc: &Document) -> Result<String, Diagnostic> {
    if !is_revision(revision) {
        return Err(Diagnostic::error(format!(
            "`{revision}` is not a source revision (12 hexadecimal digits)"
        )));
    }
    let revision = revision.trim();
    let path = root.join(STORE).join(format!("{revision}.md"));
    let old = crate::text::read_text(&path, &path).map_err(|_| {
        Diagnostic::error(format!("source revision {revision} is not in {STORE}/"))
            .with_hint("revisions are saved by `qiao translate` and `--mark-current`; commit .qiao/ with the site to keep them")
    })?;
    // A revision of the older kind is the very text its hash was taken of: compare it with
    // the same kind of text, so that the fields it did not hold do not show as added.
    let new = if short_hash(&old) == revision {
        legacy_text(&doc.title, doc.body())
    } else {
        revision_text(doc)
    };
    let diff = similar::TextDiff::from_lines(&old, &new);
    Ok(diff
        .unified_diff()
        .context_radius(2)
        .header(
            &format!("{revision} (translated)"),
            &format!("{} (now)", source_hash(doc)),
        )
        .to_string())
}

/// A part of the current source that the revision a translation was made from did not
/// have: a changed or added field or body block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChangedBlock {
    /// For a body block: its number among the source's blocks, from 1 (the `N` of
    /// `qiao translate --mark-current --block N`). A field is named by its `kind`.
    pub block: Option<usize>,
    /// `title`, `summary`, `description`, `tags`, `categories`, or the kind of body block:
    /// `paragraph`, `heading`, `list_item`, `table_row`, `code_block`, `html`.
    pub kind: String,
    /// For a body block: the line of the source file it starts on.
    pub line: Option<usize>,
    /// The beginning of its first line as it is now (at most 30 characters, then `…` if
    /// there is more), to find it by.
    pub excerpt: String,
    /// Where it lands in the translation: the line of the translation file of the field, or
    /// of the first block it lands on; `None` when it cannot be placed.
    pub translation_line: Option<usize>,
    /// For a body block: the numbers (from 1) of the translation's blocks it lands on
    /// (several when the alignment is only by section).
    pub translation_blocks: Vec<usize>,
}

/// Which parts of a source changed since a revision: per-block staleness.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct BlockChanges {
    /// Fields and blocks of the current source that the revision did not have, in order.
    pub changed: Vec<ChangedBlock>,
    /// How many fields and blocks of the revision the current source no longer has, beyond
    /// those it has in a changed form (each of `changed` replaces one of its kind).
    pub removed: usize,
    /// How the source's blocks were matched with the translation's (see
    /// [`crate::stale::AlignmentKind`]): `structure`, `by-section` or `none`.
    pub alignment: Option<crate::stale::AlignmentKind>,
    /// Why the alignment is not by structure, in words.
    pub alignment_reason: Option<String>,
}

/// The translatable fields of `doc`, as the store writes them.
pub(crate) fn fields_of(doc: &Document) -> Vec<(String, String)> {
    field_lines(doc)
        .into_iter()
        .map(|(name, value)| (name.to_string(), value))
        .collect()
}

/// The line (from 1) of the translation file `doc` on which its front matter sets `field`.
pub(crate) fn field_line(doc: &Document, field: &str) -> Option<usize> {
    let head = doc.text.get(..doc.body_start)?;
    head.lines()
        .position(|l| {
            l.strip_prefix(field)
                .is_some_and(|rest| matches!(rest.trim_start().chars().next(), Some(':' | '=')))
        })
        .map(|i| i + 1)
}

/// The reason for an alignment that is not by structure, naming lines of the translation
/// `t` (whose blocks are `t_blocks`).
fn alignment_reason(
    a: &crate::stale::Alignment,
    t: &Document,
    t_lines: &[usize],
) -> Option<String> {
    use crate::stale::AlignmentKind;
    match a.kind {
        AlignmentKind::Structure => None,
        AlignmentKind::None => Some(format!(
            "the source has {} heading(s) and the translation {}: changed blocks cannot be \
             placed in it",
            a.headings.0, a.headings.1
        )),
        AlignmentKind::BySection => Some(
            a.uneven
                .iter()
                .map(|(n, first, s, tr)| {
                    let at = t_lines
                        .get(*first)
                        .map_or(String::new(), |l| format!(" (line {})", t.body_line + l));
                    let name = if *n == 0 {
                        "the introduction".to_string()
                    } else {
                        format!("section {n}")
                    };
                    format!(
                        "{name}{at} has {s} block(s) in the source and {tr} in the \
                         translation (paragraphs merged or split?): its changed blocks may \
                         land on a neighbour too"
                    )
                })
                .collect::<Vec<_>>()
                .join("; "),
        ),
    }
}

/// Which fields and body blocks of `doc` changed since `revision`, from the revision's text
/// in the store; `None` when the store does not hold it. Moving a block counts as no change;
/// for a revision of the older kind, which held only the title and the body, the other
/// fields are not compared. With the `translation`, each change says where it lands in it.
pub fn block_changes(
    root: &Path,
    revision: &str,
    doc: &Document,
    translation: Option<&Document>,
) -> Option<BlockChanges> {
    let stored = crate::stale::Stored::load(root, revision)?;
    let cmp = crate::stale::compare(&stored, fields_of(doc), doc);
    let mut changes = BlockChanges {
        removed: cmp.removed,
        ..BlockChanges::default()
    };
    let placed = translation.map(|t| {
        let t_blocks = crate::markdown::blocks(t.body());
        let t_kinds: Vec<_> = t_blocks.iter().map(|(k, _)| *k).collect();
        let t_lines: Vec<usize> = t_blocks
            .iter()
            .map(|(_, r)| t.body().get(..r.start).unwrap_or("").matches('\n').count())
            .collect();
        let a = crate::stale::align(&crate::stale::kinds(doc.body()), &t_kinds);
        changes.alignment = Some(a.kind);
        changes.alignment_reason = alignment_reason(&a, t, &t_lines);
        (t, a, t_lines)
    });
    for c in &cmp.changed {
        let part = &cmp.parts[c.new];
        let text = &part.text;
        let first = text.trim().lines().next().unwrap_or("").trim();
        let mut excerpt: String = first.chars().take(30).collect();
        if first.chars().count() > 30 || text.trim().contains('\n') {
            excerpt.push('…');
        }
        let (translation_line, translation_blocks) = match (&placed, part.block) {
            (Some((t, a, lines)), Some(b)) => {
                let lands = a.map.get(b).cloned().unwrap_or_default();
                (
                    lands
                        .first()
                        .and_then(|&i| lines.get(i))
                        .map(|l| t.body_line + l),
                    lands.iter().map(|i| i + 1).collect(),
                )
            }
            (Some((t, _, _)), None) => (field_line(t, &part.kind), Vec::new()),
            (None, _) => (None, Vec::new()),
        };
        changes.changed.push(ChangedBlock {
            block: part.block.map(|b| b + 1),
            kind: part.kind.clone(),
            line: part.line.map(|l| doc.body_line + l),
            excerpt,
            translation_line,
            translation_blocks,
        });
    }
    Some(changes)
}

/// Adds to every stale page of `status` (drafts included) which blocks of its source
/// changed, where the store holds the revision it was made from, and where each lands in
/// the translation.
pub fn attach_block_changes(status: &mut Status, root: &Path, docs: &[Parsed]) {
    let by_path: HashMap<String, &Parsed> = docs
        .iter()
        .map(|p| (format!("content/{}", p.source.rel), p))
        .collect();
    for l in &mut status.languages {
        for page in l.sections.iter_mut().flat_map(|s| s.attention.iter_mut()) {
            if let (true, Some(from), Some(src)) = (
                page.stale,
                page.translated_from.as_deref(),
                by_path.get(&page.source),
            ) {
                let t = page
                    .translation
                    .as_ref()
                    .and_then(|t| by_path.get(t))
                    .map(|t| &t.doc);
                page.changed_blocks = block_changes(root, from, &src.doc, t);
            }
        }
    }
}

/// The path of the `lang` translation of a source file (`news/x.md` → `news/x.en.md`,
/// `news/b/index.md` → `news/b/index.en.md`).
pub fn translation_path(source: &Path, lang: &str) -> PathBuf {
    let stem = source
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    source.with_file_name(format!("{stem}.{lang}.md"))
}

/// Creates the stub of a translation: the source's front matter with `title`, `summary`,
/// `description`, `tags` and `categories` marked for translation, `translation_of` set,
/// `draft: true` so that it is not published before it is translated, and the source body
/// for the translator to overwrite.
pub fn stub(source_text: &str, hash: &str) -> String {
    let text = source_text
        .strip_prefix('\u{feff}')
        .unwrap_or(source_text)
        .replace("\r\n", "\n");
    if text.starts_with("+++") {
        return toml_stub(&text, hash);
    }
    let mut lines = text.lines();
    let mut out = String::from("---\n");
    let _ = lines.next();
    let mut draft_seen = false;
    let mut in_fm = true;
    let mut body = String::new();
    for line in lines {
        if in_fm {
            if line.trim_end() == "---" {
                if !draft_seen {
                    out.push_str("draft: true  # publish once translated\n");
                }
                out.push_str(&format!("translation_of: {hash}\n---\n"));
                in_fm = false;
                continue;
            }
            let key = line.split(':').next().unwrap_or("");
            if key == "translation_of" {
                continue;
            }
            if key == "draft" {
                draft_seen = true;
                out.push_str("draft: true  # publish once translated\n");
                continue;
            }
            out.push_str(line);
            if matches!(
                key,
                "title" | "summary" | "description" | "tags" | "categories"
            ) && !line.contains(" #")
            {
                out.push_str("  ");
                out.push_str(MARKER);
            }
            out.push('\n');
        } else {
            body.push_str(line);
            body.push('\n');
        }
    }
    out.push_str(&body);
    out
}

/// [`stub`] for TOML front matter (between `+++` lines): `draft` and `translation_of` go
/// right after the opening line, since a key after a table such as `[extra]` would belong
/// to that table.
fn toml_stub(text: &str, hash: &str) -> String {
    let mut out =
        format!("+++\ndraft = true  # publish once translated\ntranslation_of = \"{hash}\"\n");
    let mut in_fm = true;
    let mut top_level = true;
    for line in text.lines().skip(1) {
        if in_fm {
            if line.trim_end() == "+++" {
                in_fm = false;
            } else if line.trim_start().starts_with('[') {
                top_level = false;
            }
            let key = line.split('=').next().unwrap_or("").trim();
            if top_level && matches!(key, "draft" | "translation_of") {
                continue;
            }
            out.push_str(line);
            if in_fm
                && matches!(
                    key,
                    "title" | "summary" | "description" | "tags" | "categories"
                )
                && !line.contains(" #")
            {
                out.push_str("  # TRANSLATE");
            }
        } else {
            out.push_str(line);
        }
        out.push('\n');
    }
    out
}

/// Sets `translation_of` in a translation's text to `hash`, keeping everything else.
pub fn mark_current(text: &str, hash: &str) -> String {
    let text = text.replace("\r\n", "\n");
    if text.starts_with("+++") {
        // TOML: the key goes right after the opening line, where it is surely top-level;
        // an old top-level one is dropped.
        let mut out = format!("+++\ntranslation_of = \"{hash}\"\n");
        let mut top_level = true;
        let mut in_fm = true;
        for line in text.split_inclusive('\n').skip(1) {
            if in_fm {
                if line.trim_end() == "+++" {
                    in_fm = false;
                } else if line.trim_start().starts_with('[') {
                    top_level = false;
                } else if top_level
                    && line.split('=').next().unwrap_or("").trim() == "translation_of"
                {
                    continue;
                }
            }
            out.push_str(line);
        }
        return out;
    }
    let mut out = String::new();
    let mut lines = text.split_inclusive('\n');
    let first = lines.next().unwrap_or("");
    out.push_str(first);
    let mut done = false;
    for line in lines.by_ref() {
        if line.trim_end() == "---" {
            if !done {
                out.push_str(&format!("translation_of: {hash}\n"));
            }
            out.push_str(line);
            break;
        }
        if line.starts_with("translation_of:") {
            out.push_str(&format!("translation_of: {hash}\n"));
            done = true;
        } else {
            out.push_str(line);
        }
    }
    for line in lines {
        out.push_str(line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str) -> Document {
        crate::content::front_matter::parse(text).unwrap()
    }

    const SOURCE: &str = "---\ntitle: 标题\nsummary: 摘要\ndescription: 描述\ntags: [江门, 合作]\ncategories: [新闻]\ndate: 2016-02-29\n---\n第一段在江门万达广场举\n行。\n\n第二段。\n";

    #[test]
    fn hash_ignores_whitespace_habits_and_rewraps_but_not_words() {
        let a = source_hash(&doc(SOURCE));
        assert_eq!(a.len(), 12);
        assert!(is_revision(&a));
        let habits = SOURCE
            .replace("title: 标题", "title: \"标题 \"")
            .replace("行。\n", "行。  \r\n")
            .replace('\n', "\r\n");
        assert_eq!(a, source_hash(&doc(&habits)));
        let rewrapped = SOURCE.replace("在江门万达广场举\n行。", "在江门\n万达广场举行。");
        assert_eq!(a, source_hash(&doc(&rewrapped)));
        // fields that are not translated do not count either
        assert_eq!(
            a,
            source_hash(&doc(&SOURCE.replace("2016-02-29", "2016-03-01")))
        );
        assert_ne!(
            a,
            source_hash(&doc(&SOURCE.replace("第二段。", "第二段有改动。")))
        );
    }

    #[test]
    fn every_translatable_field_counts() {
        let a = source_hash(&doc(SOURCE));
        for (from, to) in [
            ("title: 标题", "title: 新标题"),
            ("summary: 摘要", "summary: 新摘要"),
            ("description: 描述", "description: 新描述"),
            ("tags: [江门, 合作]", "tags: [江门, 中欧合作]"),
            ("tags: [江门, 合作]", "tags: [合作, 江门]"),
            ("categories: [新闻]", "categories: [政策]"),
            ("summary: 摘要\n", ""),
        ] {
            let changed = SOURCE.replace(from, to);
            assert_ne!(a, source_hash(&doc(&changed)), "{from} -> {to}");
        }
        // the same words in another field are another revision
        let moved = SOURCE.replace(
            "summary: 摘要\ndescription: 描述",
            "summary: 描述\ndescription: 摘要",
        );
        assert_ne!(a, source_hash(&doc(&moved)));
    }

    #[test]
    fn legacy_hashes_still_match() {
        let r = Revision::of(&doc(SOURCE));
        assert_eq!(
            r.legacy,
            short_hash("标题\n\n第一段在江门万达广场举\n行。\n\n第二段。\n")
        );
        assert_ne!(r.hash, r.legacy);
        assert!(r.matches(&r.hash) && !r.is_legacy(&r.hash));
        assert!(r.matches(&format!(" {} ", r.legacy)) && r.is_legacy(&r.legacy));
        assert!(!r.matches("000000000000"));
        let later = Revision::of(&doc(&SOURCE.replace("第二段。", "第二段有改动。")));
        assert!(!later.matches(&r.legacy) && !later.matches(&r.hash));
    }

    #[test]
    fn revision_text_is_readable() {
        assert_eq!(
            revision_text(&doc(SOURCE)),
            "title: 标题\nsummary: 摘要\ndescription: 描述\ntags: 江门, 合作\ncategories: 新闻\n\n第一段在江门万达广场举\n行。\n\n第二段。\n"
        );
    }

    #[test]
    fn toml_front_matter_gets_top_level_keys() {
        let src = "+++\ntitle = \"挂牌\"\ndraft = false\ntranslation_of = \"old\"\ntags = [\"江门\"]\n[extra]\ntranslation_of = \"kept\"\n+++\n正文。\n";
        let stub = stub(src, "abc123def456");
        assert_eq!(
            stub,
            "+++\ndraft = true  # publish once translated\ntranslation_of = \"abc123def456\"\ntitle = \"挂牌\"  # TRANSLATE\ntags = [\"江门\"]  # TRANSLATE\n[extra]\ntranslation_of = \"kept\"\n+++\n正文。\n"
        );
        let parsed = crate::content::front_matter::parse(&stub).unwrap();
        assert_eq!(parsed.meta.translation_of.as_deref(), Some("abc123def456"));
        assert!(parsed.meta.draft);
        let marked = mark_current(&stub, "0123456789ab");
        let parsed = crate::content::front_matter::parse(&marked).unwrap();
        assert_eq!(parsed.meta.translation_of.as_deref(), Some("0123456789ab"));
        assert_eq!(
            parsed.meta.extra.as_ref().unwrap()["translation_of"],
            "kept"
        );
        assert_eq!(parsed.body(), "正文。\n");
    }

    #[test]
    fn stub_marks_fields_and_sets_revision() {
        let src = "---\ntitle: 挂牌\ndate: 2016-02-29\nsummary: 摘要\ntags: [江门]\n---\n正文。\n";
        let s = stub(src, "abc123def456");
        assert_eq!(
            s,
            "---\ntitle: 挂牌  # TRANSLATE\ndate: 2016-02-29\nsummary: 摘要  # TRANSLATE\ntags: [江门]  # TRANSLATE\ndraft: true  # publish once translated\ntranslation_of: abc123def456\n---\n正文。\n"
        );
        let parsed = crate::content::front_matter::parse(&s).unwrap();
        assert_eq!(parsed.title, "挂牌");
        assert!(parsed.meta.draft);
    }

    #[test]
    fn mark_current_replaces_or_inserts() {
        let t = "---\ntitle: x\ntranslation_of: old\n---\nbody\n";
        assert_eq!(
            mark_current(t, "new"),
            "---\ntitle: x\ntranslation_of: new\n---\nbody\n"
        );
        let t = "---\ntitle: x\n---\nbody\n---\n";
        assert_eq!(
            mark_current(t, "new"),
            "---\ntitle: x\ntranslation_of: new\n---\nbody\n---\n"
        );
    }

    #[test]
    fn translation_paths() {
        assert_eq!(
            translation_path(Path::new("content/news/x.md"), "de"),
            Path::new("content/news/x.de.md")
        );
        assert_eq!(
            translation_path(Path::new("content/news/b/index.md"), "en"),
            Path::new("content/news/b/index.en.md")
        );
    }
}
