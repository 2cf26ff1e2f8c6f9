//! `qiao xliff export` and `qiao xliff import`: exchange with translators' tools (CAT tools,
//! Weblate, Pontoon, Poedit) through XLIFF 2.1 or 1.2 ([`xliff`]) and gettext PO ([`po`]).
//!
//! The Markdown files stay the source of truth: an export is a view of them, cut into
//! *units* (one per translatable front-matter field and one per body block, in the block
//! order of [`crate::markdown::blocks`]), and an import writes the targets that changed back
//! into the translation files, block by block, leaving every other byte alone.
//!
//! A unit's text keeps the Markdown *text* editable and turns all markup between (emphasis
//! marks, link brackets and destinations, inline code, footnote references, hard breaks,
//! nested block structure) into numbered *codes* that tools protect: `<ph>` elements in
//! XLIFF, `{1}` placeholders in PO. A soft line break inside a paragraph is plain text
//! (`\n`), so a translator may re-wrap freely.
//!
//! Unit ids are stable and say what they are: `title`, `summary`, `description`, and
//! `b<N>-<kind>` for the N-th body block (`b3-paragraph`), within the file named by the
//! XLIFF `<file original="…">` or the PO `msgctxt` (`content/news/x.md#b3-paragraph`).
//! Source blocks are aligned with translation blocks by position when both bodies have the
//! same sequence of block kinds; otherwise the units are exported without a pre-filled
//! target and import refuses to write the body of that translation.
//! Which source blocks changed since the translation's recorded revision comes from
//! [`translation::block_changes`]: those units are exported in state `initial`.

pub mod po;
pub mod xliff;

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::path::{Path, PathBuf};

use pulldown_cmark::{Event, Parser, Tag};
use rayon::prelude::*;

use crate::config::Config;
use crate::content::Document;
use crate::diagnostics::Diagnostic;
use crate::markdown::BlockKind;
use crate::translation;

/// The file format of an exchange file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// XLIFF 2.1 (`urn:oasis:names:tc:xliff:document:2.0` namespace, `version="2.1"`).
    Xliff,
    /// XLIFF 1.2, for tools that read no XLIFF 2 (translate-toolkit's format detection
    /// and `pocount`, older CAT tools).
    Xliff12,
    /// gettext PO, with `{N}` placeholders for codes.
    Po,
}

impl Format {
    /// The format of an exchange file, by extension first (`.po`, `.pot`), else by its
    /// first non-blank character (`<` for XML).
    pub fn detect(path: &Path, text: &str) -> Format {
        match path.extension().and_then(|e| e.to_str()) {
            Some("po" | "pot") => Format::Po,
            Some("xlf" | "xliff" | "xml") => Format::Xliff,
            _ if text
                .trim_start_matches('\u{feff}')
                .trim_start()
                .starts_with('<') =>
            {
                Format::Xliff
            }
            _ => Format::Po,
        }
    }
}

/// The translation state of a unit, as XLIFF 2 names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum State {
    /// Not translated, or the source changed since it was (PO: empty or `fuzzy`).
    Initial,
    /// Translated.
    Translated,
    /// Translated and reviewed.
    Reviewed,
    /// Translated, reviewed and signed off.
    Final,
}

impl State {
    /// The XLIFF `state` attribute value.
    pub fn as_str(self) -> &'static str {
        match self {
            State::Initial => "initial",
            State::Translated => "translated",
            State::Reviewed => "reviewed",
            State::Final => "final",
        }
    }

    /// Reads an XLIFF `state` attribute value.
    pub fn parse(s: &str) -> Option<State> {
        Some(match s {
            "initial" => State::Initial,
            "translated" => State::Translated,
            "reviewed" => State::Reviewed,
            "final" => State::Final,
            _ => return None,
        })
    }
}

/// A piece of a unit's content: editable text or a protected code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    /// Text the translator translates (Markdown text; `\n` is a soft line break).
    Text(String),
    /// A code, by its id in the unit's [`Unit::codes`].
    Code(usize),
}

/// One translatable field or body block.
#[derive(Debug, Clone)]
pub struct Unit {
    /// `title`, `summary`, `description`, or `b<N>-<kind>` for the N-th body block.
    pub id: String,
    /// The field name, or the block kind (`paragraph`, `heading`, `list_item`, `table_row`).
    pub kind: String,
    /// The line of the source file the field or block starts on.
    pub line: usize,
    /// What the source says.
    pub source: Vec<Piece>,
    /// What the translation says, where it has an aligned counterpart.
    pub target: Option<Vec<Piece>>,
    /// The Markdown of each code, by id: the source's codes first (1, 2, …), then those only
    /// the target has.
    pub codes: BTreeMap<usize, String>,
    /// `Initial` when there is no target or the source changed since it was translated.
    pub state: State,
}

/// The units of one source file, with what an import needs to find its translation.
#[derive(Debug, Clone)]
pub struct FileUnits {
    /// The source, relative to the site root (`content/news/x.md`).
    pub source: String,
    /// Its translation, relative to the site root (`content/news/x.de.md`).
    pub translation: String,
    /// The source's current revision.
    pub revision: String,
    /// Fields, then body blocks, in order.
    pub units: Vec<Unit>,
    /// Why targets are missing, when the translation's blocks do not align.
    pub note: Option<String>,
}

/// Everything an export writes.
#[derive(Debug, Clone)]
pub struct Exchange {
    /// BCP 47 locale of the default language (`zh-Hans`).
    pub src_locale: String,
    /// BCP 47 locale of the target language (`de`).
    pub trg_locale: String,
    /// The target language code (`de`).
    pub lang: String,
    /// Sorted by source path.
    pub files: Vec<FileUnits>,
}

/// A unit read back from an exchange file.
#[derive(Debug, Clone)]
pub struct Incoming {
    /// The source file it belongs to (`content/news/x.md`).
    pub file: String,
    /// Its id.
    pub id: String,
    /// 1-based line and column of the unit in the exchange file.
    pub pos: (usize, usize),
    /// The source as exported.
    pub source: Vec<Piece>,
    /// The target, if any (an empty one counts as none).
    pub target: Option<Vec<Piece>>,
    /// The Markdown of codes the file carries (XLIFF `<originalData>`); PO carries none.
    pub codes: BTreeMap<usize, String>,
    /// Its state.
    pub state: State,
}

/// What `qiao xliff export` was asked for.
#[derive(Debug, Clone)]
pub struct ExportOptions {
    /// Site root.
    pub root: PathBuf,
    /// The language to translate into.
    pub lang: String,
    /// Only sources under these paths (`content/news`, `news/x.md`); all when empty.
    pub paths: Vec<String>,
    /// XLIFF or PO.
    pub format: Format,
}

/// One block of a body: its kind, its range, and (for blocks with text) the range of its
/// inline content and the pieces of that content as byte ranges.
#[derive(Debug, Clone)]
struct Block {
    kind: BlockKind,
    range: Range<usize>,
    /// Where the editable content starts and ends (after `## `, `- `, before a closing
    /// `{#id}`); `None` for code and HTML blocks and blocks without text.
    span: Option<Range<usize>>,
    pieces: Vec<RawPiece>,
}

#[derive(Debug, Clone)]
enum RawPiece {
    Text(Range<usize>),
    Break,
    Code(Range<usize>),
}

/// The blocks of a body, each with its editable content cut into text and codes.
fn blocks_of(body: &str) -> Vec<Block> {
    let list = crate::markdown::blocks(body);
    let mut spans: Vec<Option<Range<usize>>> = vec![None; list.len()];
    let mut texts: Vec<Vec<Range<usize>>> = vec![Vec::new(); list.len()];
    let mut b = 0;
    for (event, range) in
        Parser::new_ext(body, crate::markdown::parser_options()).into_offset_iter()
    {
        let inline = match &event {
            Event::Text(_)
            | Event::Code(_)
            | Event::InlineMath(_)
            | Event::DisplayMath(_)
            | Event::InlineHtml(_)
            | Event::FootnoteReference(_)
            | Event::SoftBreak
            | Event::HardBreak => true,
            Event::Start(t) => matches!(
                t,
                Tag::Emphasis
                    | Tag::Strong
                    | Tag::Strikethrough
                    | Tag::Superscript
                    | Tag::Subscript
                    | Tag::Link { .. }
                    | Tag::Image { .. }
            ),
            _ => false,
        };
        if !inline {
            continue;
        }
        while b < list.len() && list[b].1.end <= range.start {
            b += 1;
        }
        let Some((kind, block)) = list.get(b) else {
            break;
        };
        if range.start < block.start
            || range.end > block.end
            || matches!(kind, BlockKind::CodeBlock | BlockKind::Html)
        {
            continue;
        }
        let span = spans[b].get_or_insert(range.clone());
        span.start = span.start.min(range.start);
        span.end = span.end.max(range.end);
        if matches!(event, Event::Text(_)) {
            match texts[b].last_mut() {
                Some(last) if last.end == range.start => last.end = range.end,
                _ => texts[b].push(range),
            }
        }
    }
    list.into_iter()
        .zip(spans)
        .zip(texts)
        .map(|(((kind, range), span), texts)| {
            let span = span.filter(|_| !texts.is_empty());
            let pieces = span
                .as_ref()
                .map(|s| pieces_of(body, s.clone(), &texts))
                .unwrap_or_default();
            Block {
                kind,
                range,
                span,
                pieces,
            }
        })
        .collect()
}

/// The content of `span` cut into text (the `texts` ranges, split at anything that looks
/// like a PO placeholder) and codes (everything between), soft line breaks as breaks.
fn pieces_of(body: &str, span: Range<usize>, texts: &[Range<usize>]) -> Vec<RawPiece> {
    let mut out = Vec::new();
    let mut at = span.start;
    let gap = |out: &mut Vec<RawPiece>, r: Range<usize>| {
        if r.is_empty() {
            return;
        }
        let g = body.get(r.clone()).unwrap_or("");
        // One line end that is not a hard break (two spaces or `\` before it) is a soft
        // break: markup before it and after its continuation (`> `, indentation) stays
        // code on either side.
        let soft = (g.matches('\n').count() == 1)
            .then(|| g.split_once('\n'))
            .flatten()
            .filter(|(before, _)| !before.ends_with("  ") && !before.ends_with('\\'));
        let Some((before, after)) = soft else {
            out.push(RawPiece::Code(r));
            return;
        };
        let before = before.trim_end_matches([' ', '\t']);
        if !before.is_empty() {
            out.push(RawPiece::Code(r.start..r.start + before.len()));
        }
        out.push(RawPiece::Break);
        let rest = after.trim_start_matches([' ', '\t', '>']);
        if !rest.is_empty() {
            out.push(RawPiece::Code(r.end - rest.len()..r.end));
        }
    };
    for t in texts {
        gap(&mut out, at..t.start);
        // `{3}` written in the text would read as a placeholder in PO: protect it.
        let text = body.get(t.clone()).unwrap_or("");
        let mut last = 0;
        for (i, len) in placeholder_like(text) {
            if i > last {
                out.push(RawPiece::Text(t.start + last..t.start + i));
            }
            out.push(RawPiece::Code(t.start + i..t.start + i + len));
            last = i + len;
        }
        if last < text.len() {
            out.push(RawPiece::Text(t.start + last..t.end));
        }
        at = t.end;
    }
    gap(&mut out, at..span.end);
    out
}

/// Byte offsets and lengths of `{N}` and `{/N}` in `s`.
pub(crate) fn placeholder_like(s: &str) -> Vec<(usize, usize)> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'{' {
            let mut j = i + 1;
            if b.get(j) == Some(&b'/') {
                j += 1;
            }
            let digits = j;
            while b.get(j).is_some_and(u8::is_ascii_digit) {
                j += 1;
            }
            if j > digits && b.get(j) == Some(&b'}') {
                out.push((i, j + 1 - i));
                i = j + 1;
                continue;
            }
        }
        i += 1;
    }
    out
}

/// A block's content as unit pieces, with its codes numbered from `first`.
fn unit_pieces(body: &str, block: &Block, first: usize) -> (Vec<Piece>, Vec<String>) {
    let mut pieces: Vec<Piece> = Vec::new();
    let mut codes = Vec::new();
    let push_text = |pieces: &mut Vec<Piece>, s: &str| match pieces.last_mut() {
        Some(Piece::Text(t)) => t.push_str(s),
        _ => pieces.push(Piece::Text(s.to_string())),
    };
    for p in &block.pieces {
        match p {
            RawPiece::Text(r) => push_text(&mut pieces, body.get(r.clone()).unwrap_or("")),
            RawPiece::Break => push_text(&mut pieces, "\n"),
            RawPiece::Code(r) => {
                codes.push(body.get(r.clone()).unwrap_or("").to_string());
                pieces.push(Piece::Code(first + codes.len() - 1));
            }
        }
    }
    (pieces, codes)
}

/// The name of a block kind in unit ids and notes (`paragraph`, `list_item`).
fn kind_name(kind: BlockKind) -> String {
    serde_json::to_value(kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// The translatable fields of a document that are set, as pieces and the Markdown of
/// their codes (ids from 1): `title`, `summary` and `description` as text; `tags` and
/// `categories` as their items with a code (`, `) between each two, so that a translation
/// keeps the number of items.
fn fields(doc: &Document) -> Vec<(&'static str, Vec<Piece>, Vec<String>)> {
    let mut out = vec![("title", vec![Piece::Text(doc.title.clone())], Vec::new())];
    for (name, value) in [
        ("summary", &doc.meta.summary),
        ("description", &doc.meta.description),
    ] {
        if let Some(v) = value {
            out.push((name, vec![Piece::Text(v.clone())], Vec::new()));
        }
    }
    for (name, items) in [
        ("tags", &doc.meta.tags),
        ("categories", &doc.meta.categories),
    ] {
        if items.is_empty() {
            continue;
        }
        let mut pieces = Vec::new();
        let mut codes = Vec::new();
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                codes.push(", ".to_string());
                pieces.push(Piece::Code(codes.len()));
            }
            pieces.push(Piece::Text(item.clone()));
        }
        out.push((name, pieces, codes));
    }
    out
}

/// Whether a field is a list (`tags`, `categories`).
fn is_list(name: &str) -> bool {
    matches!(name, "tags" | "categories")
}

/// The 1-based line of the front matter that sets `key` at the top level, if one does.
fn field_line(text: &str, key: &str) -> Option<usize> {
    front_matter_lines(text)
        .into_iter()
        .find(|(_, l)| line_key(l) == Some(key))
        .map(|(i, _)| i + 1)
}

/// The top-level lines of a front matter (between `---` or `+++` lines), with their
/// 0-based line numbers; TOML lines after the first `[table]` are not top-level.
fn front_matter_lines(text: &str) -> Vec<(usize, &str)> {
    let mut lines = text.lines().enumerate();
    let Some((_, fence)) = lines.next() else {
        return Vec::new();
    };
    let fence = fence.trim_start_matches('\u{feff}').trim_end();
    if fence != "---" && fence != "+++" {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (i, l) in lines {
        let end = l.trim_end();
        // YAML may also close with `...`; TOML's top level ends at the first table.
        if end == fence
            || (fence == "---" && end == "...")
            || (fence == "+++" && l.trim_start().starts_with('['))
        {
            break;
        }
        out.push((i, l));
    }
    out
}

/// The key a top-level front-matter line sets (`title: x`, `title = "x"`), if any.
fn line_key(line: &str) -> Option<&str> {
    if line.starts_with([' ', '\t', '#', '-']) {
        return None;
    }
    let end = line.find([':', '='])?;
    let key = line[..end].trim().trim_matches(['"', '\'']);
    (!key.is_empty()).then_some(key)
}

/// The units of one source and its translation (if any), with states from the store.
fn file_units(
    root: &Path,
    source_rel: &str,
    translation_rel: &str,
    src: &Document,
    tr: Option<&Document>,
) -> FileUnits {
    let revision = translation::Revision::of(src);
    let (fresh, changes) = match tr.and_then(|t| t.meta.translation_of.as_deref()) {
        Some(r) if revision.matches(r) => (true, None),
        Some(r) => (false, translation::block_changes(root, r, src, None)),
        None => (false, None),
    };
    let changed = |kind: &str, line: Option<usize>| -> bool {
        if fresh {
            return false;
        }
        match &changes {
            Some(c) => c.changed.iter().any(|b| b.kind == kind && b.line == line),
            None => true,
        }
    };
    let mut units = Vec::new();
    let tr_fields: HashMap<&str, (Vec<Piece>, Vec<String>)> = tr
        .map(fields)
        .unwrap_or_default()
        .into_iter()
        .map(|(name, pieces, codes)| (name, (pieces, codes)))
        .collect();
    for (name, source, codes) in fields(src) {
        let mut table: BTreeMap<usize, String> = (1..).zip(codes).collect();
        let target = tr_fields
            .get(name)
            .filter(|(p, _)| has_text(p))
            .map(|(p, c)| map_codes(p.clone(), c, &mut table));
        let state = if target.is_some() && !changed(name, None) {
            State::Translated
        } else {
            State::Initial
        };
        units.push(Unit {
            id: name.to_string(),
            kind: name.to_string(),
            line: field_line(&src.text, name).unwrap_or(1),
            source,
            target,
            codes: table,
            state,
        });
    }
    let body = src.body();
    let sblocks = blocks_of(body);
    let (tbody, tblocks) = match tr {
        Some(t) => (t.body(), blocks_of(t.body())),
        None => ("", Vec::new()),
    };
    let aligned = tr.is_some() && aligns(&sblocks, &tblocks);
    let note = (tr.is_some() && !aligned).then(|| misalignment(&sblocks, &tblocks));
    let lines = crate::diagnostics::LineIndex::new(body);
    for (i, b) in sblocks.iter().enumerate() {
        if b.span.is_none() {
            continue;
        }
        let kind = kind_name(b.kind);
        let (source, codes) = unit_pieces(body, b, 1);
        let mut table: BTreeMap<usize, String> = (1..).zip(codes).collect();
        let target = if aligned {
            tblocks
                .get(i)
                .filter(|t| t.span.is_some())
                .map(|t| target_pieces(tbody, t, &mut table))
        } else {
            None
        };
        let body_line = lines.line_col(b.range.start).0 - 1;
        let line = src.body_line + body_line;
        let state = if target.is_some() && !changed(&kind, Some(line)) {
            State::Translated
        } else {
            State::Initial
        };
        units.push(Unit {
            id: format!("b{}-{kind}", i + 1),
            kind,
            line,
            source,
            target,
            codes: table,
            state,
        });
    }
    FileUnits {
        source: source_rel.to_string(),
        translation: translation_rel.to_string(),
        revision: revision.hash,
        units,
        note,
    }
}

/// A translation block's content as pieces whose codes reuse the source's ids where the
/// Markdown is the same (first unused one), and get new ids in `table` otherwise.
fn target_pieces(body: &str, block: &Block, table: &mut BTreeMap<usize, String>) -> Vec<Piece> {
    let (pieces, codes) = unit_pieces(body, block, 1);
    map_codes(pieces, &codes, table)
}

/// Whether pieces say something: text other than white space, or a code.
fn has_text(pieces: &[Piece]) -> bool {
    pieces.iter().any(|p| match p {
        Piece::Text(s) => !s.trim().is_empty(),
        Piece::Code(_) => true,
    })
}

/// Renumbers a translation's codes (`codes[n - 1]` is the Markdown of its code `n`) so
/// that each uses the id of the first unused source code with the same Markdown in
/// `table`, or a new id added to it.
fn map_codes(
    pieces: Vec<Piece>,
    codes: &[String],
    table: &mut BTreeMap<usize, String>,
) -> Vec<Piece> {
    let source_ids: Vec<(usize, String)> = table.iter().map(|(k, v)| (*k, v.clone())).collect();
    let mut used = vec![false; source_ids.len()];
    pieces
        .into_iter()
        .map(|p| match p {
            Piece::Code(n) => {
                let Some(data) = codes.get(n.wrapping_sub(1)) else {
                    return Piece::Code(n);
                };
                match source_ids
                    .iter()
                    .enumerate()
                    .find(|(i, (_, d))| !used[*i] && d == data)
                {
                    Some((i, (id, _))) => {
                        used[i] = true;
                        Piece::Code(*id)
                    }
                    None => {
                        let id = table.keys().next_back().copied().unwrap_or(0) + 1;
                        table.insert(id, data.clone());
                        Piece::Code(id)
                    }
                }
            }
            t => t,
        })
        .collect()
}

/// Whether two bodies have the same sequence of block kinds, so that block N of the
/// translation translates block N of the source.
fn aligns(source: &[Block], translation: &[Block]) -> bool {
    source.len() == translation.len()
        && source
            .iter()
            .zip(translation)
            .all(|(s, t)| s.kind == t.kind && s.span.is_some() == t.span.is_some())
}

/// Why two bodies do not align, in an editor's words.
fn misalignment(source: &[Block], translation: &[Block]) -> String {
    if source.len() != translation.len() {
        return format!(
            "the source has {} blocks and the translation {}: paragraphs were merged or split, so no block can be matched with its translation",
            source.len(),
            translation.len()
        );
    }
    let i = source
        .iter()
        .zip(translation)
        .position(|(s, t)| s.kind != t.kind || s.span.is_some() != t.span.is_some())
        .unwrap_or(0);
    format!(
        "block {} is a {} in the source but a {} in the translation",
        i + 1,
        kind_name(source[i].kind),
        kind_name(translation[i].kind)
    )
}

/// Whether `rel` (relative to content/) is selected by one of `paths` (as given on the
/// command line: `content/news`, `news/x.md`, `news/x`); all are when `paths` is empty.
fn selected(rel: &str, paths: &[String]) -> bool {
    paths.is_empty()
        || paths.iter().any(|p| {
            let p = p
                .trim_start_matches("./")
                .trim_start_matches("content/")
                .trim_end_matches('/');
            let p = p.strip_suffix(".md").unwrap_or(p);
            let r = rel.strip_suffix(".md").unwrap_or(rel);
            p.is_empty()
                || p == "content"
                || r == p
                || r.strip_prefix(p).is_some_and(|rest| rest.starts_with('/'))
        })
}

/// Collects the units of every selected default-language source and its translation into
/// `opts.lang`.
pub fn export(opts: &ExportOptions) -> Result<Exchange, Vec<Diagnostic>> {
    let config = Config::load(&opts.root)?;
    let Some(target) = config
        .language(&opts.lang)
        .filter(|l| l.code != config.default_language)
    else {
        return Err(vec![
            Diagnostic::error(format!(
                "`{}` is not a configured language to translate into",
                opts.lang
            ))
            .with_hint(format!(
                "the default language is {}; use another code from site.toml's [languages]",
                config.default_language
            )),
        ]);
    };
    let src_locale = config
        .language(&config.default_language)
        .map_or(config.default_language.clone(), |l| l.locale.clone());
    let trg_locale = target.locale.clone();
    let loaded = crate::build::load_documents(&opts.root, &config, true, true);
    if loaded.diagnostics.iter().any(Diagnostic::is_error) {
        return Err(loaded.diagnostics);
    }
    let mut translations = HashMap::new();
    let mut sources = Vec::new();
    for p in &loaded.parsed {
        if p.source.lang == opts.lang {
            translations.insert(p.source.key.as_str(), p);
        } else if p.source.lang == config.default_language
            && !p.doc.meta.draft
            && selected(&p.source.rel, &opts.paths)
        {
            sources.push(p);
        }
    }
    sources.sort_by(|a, b| a.source.rel.cmp(&b.source.rel));
    let files = sources
        .par_iter()
        .map(|s| {
            let tr = translations.get(s.source.key.as_str());
            let source_rel = format!("content/{}", s.source.rel);
            let translation_rel = match tr {
                Some(t) => format!("content/{}", t.source.rel),
                None => translation::translation_path(Path::new(&source_rel), &opts.lang)
                    .to_string_lossy()
                    .into_owned(),
            };
            file_units(
                &opts.root,
                &source_rel,
                &translation_rel,
                &s.doc,
                tr.map(|t| &t.doc),
            )
        })
        .collect();
    Ok(Exchange {
        src_locale,
        trg_locale,
        lang: opts.lang.clone(),
        files,
    })
}

/// Writes an export in `format`.
pub fn write(exchange: &Exchange, format: Format) -> String {
    match format {
        Format::Xliff => xliff::write(exchange),
        Format::Xliff12 => xliff::write_12(exchange),
        Format::Po => po::write(exchange),
    }
}

/// What an import did.
#[derive(Debug, Clone, Default)]
pub struct ImportReport {
    /// Translation files written, relative to the site root.
    pub written: Vec<String>,
    /// Units whose target changed a field or block.
    pub changed: usize,
    /// Translation files that now record the source's current revision.
    pub marked: Vec<String>,
    /// Units skipped, with why (source changed since the export, blocks not aligned).
    pub warnings: Vec<Diagnostic>,
}

/// Reads an exchange file and writes the targets that changed into the translations.
///
/// Everything is checked before anything is written: malformed files, unknown files and
/// units, and placeholders deleted or repeated are errors, all reported at once, and then
/// nothing is written. Units whose source changed since the export, and body units of a
/// translation whose blocks no longer align with the source's, are skipped with a warning.
pub fn import(root: &Path, file: &Path) -> Result<ImportReport, Vec<Diagnostic>> {
    if std::fs::metadata(file).is_ok_and(|m| m.len() > crate::text::MAX_TEXT_BYTES) {
        return Err(vec![
            Diagnostic::error(format!(
                "{} is larger than 64 MiB, the most qiao reads from one file",
                crate::diagnostics::display_path(file)
            ))
            .in_file(file)
            .with_hint("export fewer pages per file (`qiao xliff export --to CODE content/news/2016`) and import each"),
        ]);
    }
    let text = crate::text::read_text(file, file).map_err(|d| vec![d])?;
    let display = crate::diagnostics::display_path(file);
    let format = Format::detect(file, &text);
    let (lang, incoming) = match format {
        Format::Xliff | Format::Xliff12 => xliff::read(&text, &display)?,
        Format::Po => po::read(&text, &display)?,
    };
    let config = Config::load(root)?;
    let Some(lang) = config
        .languages
        .iter()
        .find(|l| l.code != config.default_language && (l.code == lang || l.locale == lang))
        .map(|l| l.code.clone())
    else {
        return Err(vec![
            Diagnostic::error(format!(
                "the target language `{lang}` of {display} is not a configured language to translate into"
            ))
            .in_file(file)
            .with_hint("export the file again with `qiao xliff export --to CODE`"),
        ]);
    };
    let ctx = Import {
        root,
        file,
        lines: crate::diagnostics::LineIndex::new(&text),
        format,
        config: &config,
        lang: &lang,
    };
    let mut by_file: BTreeMap<&str, Vec<&Incoming>> = BTreeMap::new();
    for u in &incoming {
        by_file.entry(u.file.as_str()).or_default().push(u);
    }
    let mut errors = Vec::new();
    let mut report = ImportReport::default();
    let mut writes = Vec::new();
    for (source_rel, units) in by_file {
        match ctx.file_pair(source_rel, units[0].pos) {
            Ok(pair) => writes.extend(ctx.apply(&pair, &units, &mut errors, &mut report)),
            Err(d) => errors.push(d),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    for w in writes {
        if let Some(src) = &w.revision_of {
            translation::store_revision(root, src).map_err(|e| {
                vec![Diagnostic::error(format!(
                    "cannot write {}: {e}",
                    translation::STORE
                ))]
            })?;
        }
        write_atomic(&w.path, &w.text).map_err(|e| {
            vec![Diagnostic::error(format!("cannot write {}: {e}", w.rel)).in_file(&w.rel)]
        })?;
        report.written.push(w.rel);
    }
    Ok(report)
}

/// One import: the exchange file and the site it goes into.
struct Import<'a> {
    root: &'a Path,
    file: &'a Path,
    /// The exchange file's lines, for positions in errors.
    lines: crate::diagnostics::LineIndex<'a>,
    format: Format,
    config: &'a Config,
    lang: &'a str,
}

/// A source named in an exchange file, and its translation as it is (or its stub).
struct Pair {
    source_rel: String,
    src: Document,
    translation_rel: String,
    translation_path: PathBuf,
    /// The translation's text as read (byte order mark dropped, CRLF as LF), or the stub.
    tr_text: String,
    tr: Document,
}

/// A translation to write once everything is checked.
struct Pending {
    path: PathBuf,
    rel: String,
    text: String,
    /// The source whose revision the translation now records, to store its text.
    revision_of: Option<Document>,
}

/// How an incoming unit matches the current units of its source.
enum Found<'c> {
    /// The unit, by id or, for a block that moved, by kind and source text.
    Unit(&'c Unit),
    /// A unit with that id whose source changed since the export.
    Changed(&'c Unit),
    /// No such unit.
    Unknown,
}

/// Finds an incoming unit among the current ones: by id; a block that moved (blocks
/// added or removed before it, in the source and the translation alike) by its kind and
/// source text, when exactly one unit has them.
fn find<'c>(u: &Incoming, current: &'c [Unit]) -> Found<'c> {
    let by_id = current.iter().find(|c| c.id == u.id);
    if let Some(c) = by_id.filter(|c| same_source(u, c)) {
        return Found::Unit(c);
    }
    let kind = u.id.split_once('-').map_or(u.id.as_str(), |(_, k)| k);
    let mut found = current
        .iter()
        .filter(|c| c.kind == kind && same_source(u, c));
    match (found.next(), found.next(), by_id) {
        (Some(c), None, _) => Found::Unit(c),
        (_, _, Some(c)) => Found::Changed(c),
        _ => Found::Unknown,
    }
}

impl Import<'_> {
    /// An error at a position of the exchange file.
    fn error_at(&self, pos: (usize, usize), msg: String) -> Diagnostic {
        Diagnostic::error(msg)
            .in_file(self.file)
            .at_text(self.lines.line(pos.0), pos.0, pos.1)
    }

    /// Reads the source an exchange file names (at `pos`) and its translation, or makes
    /// the stub of a missing one as `qiao translate` would.
    fn file_pair(&self, source_rel: &str, pos: (usize, usize)) -> Result<Pair, Diagnostic> {
        if !is_content_path(source_rel) {
            return Err(self.error_at(pos, format!(
                "`{source_rel}` is not a Markdown file under content/; an exchange file names its sources as `content/…/x.md`"
            )));
        }
        let stem = Path::new(source_rel)
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("");
        if let (_, Some(l)) = crate::content::walk::split_language(stem, self.config) {
            return Err(self
                .error_at(
                    pos,
                    format!(
                        "`{source_rel}` is a page in `{l}`, not a source in the default language ({})",
                        self.config.default_language
                    ),
                )
                .with_hint(
                    "an exchange file names the default-language sources its units translate",
                ));
        }
        let source_path = self.root.join(source_rel);
        let src = read_doc(&source_path, source_rel)?;
        let translation_rel = translation::translation_path(Path::new(source_rel), self.lang)
            .to_string_lossy()
            .into_owned();
        let translation_path = self.root.join(&translation_rel);
        let (tr_text, tr) = if translation_path.exists() {
            let d = read_doc(&translation_path, &translation_rel)?;
            (d.text.to_string(), d)
        } else {
            let raw = crate::text::read_text(&source_path, source_rel)?;
            let stub = translation::stub(&raw, &translation::source_hash(&src));
            let d = crate::content::front_matter::parse(&stub).map_err(|_| {
                Diagnostic::error(format!("cannot make a translation stub of {source_rel}"))
                    .in_file(source_rel)
            })?;
            (stub, d)
        };
        Ok(Pair {
            source_rel: source_rel.to_string(),
            src,
            translation_rel,
            translation_path,
            tr_text,
            tr,
        })
    }

    /// Applies the units of one source to its translation: the new text, when it changed.
    /// Errors and warnings are collected.
    fn apply(
        &self,
        pair: &Pair,
        units: &[&Incoming],
        errors: &mut Vec<Diagnostic>,
        report: &mut ImportReport,
    ) -> Option<Pending> {
        let Pair {
            source_rel,
            src,
            translation_rel,
            translation_path,
            tr_text,
            tr,
        } = pair;
        let current = file_units(self.root, source_rel, translation_rel, src, Some(tr));
        let tblocks = blocks_of(tr.body());
        let aligned = aligns(&blocks_of(src.body()), &tblocks);
        let mut edits: Vec<(Range<usize>, String)> = Vec::new();
        let mut complete = true;
        let mut used: HashMap<&str, (usize, usize)> = HashMap::new();
        for u in units {
            let cur = match find(u, &current.units) {
                Found::Unit(c) => c,
                Found::Changed(c) => {
                    report.warnings.push(
                        Diagnostic::warning(format!(
                            "the source of unit `{}` changed since the export; its translation is not applied",
                            u.id
                        ))
                        .in_file(source_rel)
                        .at(&src.text, c.line, 1)
                        .with_hint(format!("export {source_rel} again and translate the unit anew")),
                    );
                    complete = false;
                    continue;
                }
                Found::Unknown => {
                    errors.push(self.error_at(u.pos, format!(
                        "unit `{}` of {source_rel} is not a field or block of that file",
                        u.id
                    )).with_hint("unit ids are written by `qiao xliff export`; export the file again rather than adding units"));
                    continue;
                }
            };
            if let Some(first) = used.insert(cur.id.as_str(), u.pos) {
                errors.push(
                    self.error_at(
                        u.pos,
                        format!(
                            "unit `{}` of {source_rel} is in the file twice (first at line {})",
                            u.id, first.0
                        ),
                    )
                    .with_hint("keep one of the two units"),
                );
                continue;
            }
            let Some(target) = &u.target else {
                complete = false;
                continue;
            };
            complete &= u.state != State::Initial;
            let codes = if u.codes.is_empty() {
                &cur.codes
            } else {
                &u.codes
            };
            if let Err(msg) = check_codes(target, &cur.source, codes, self.format) {
                errors.push(self.error_at(
                    u.pos,
                    format!("unit `{}` of {source_rel}: {msg}", u.id),
                ).with_hint("keep every placeholder of the source exactly once in the translation; move it, do not delete or copy it"));
                continue;
            }
            if cur.target.as_ref() == Some(target) && codes_agree(target, codes, &cur.codes) {
                continue;
            }
            match edit_for(tr, &tblocks, cur, target, codes, aligned) {
                Ok(Some(e)) => edits.push(e),
                Ok(None) => {}
                Err(msg) => {
                    report.warnings.push(
                        Diagnostic::warning(format!(
                            "unit `{}` is not applied to {translation_rel}: {msg}",
                            u.id
                        ))
                        .in_file(translation_rel)
                        .with_hint(
                            "make the translation's paragraphs match the source's one to one, then export again",
                        ),
                    );
                    complete = false;
                }
            }
        }
        complete &= used.len() == current.units.len();
        let mut new_text = tr_text.clone();
        edits.sort_by_key(|(r, _)| std::cmp::Reverse(r.start));
        report.changed += edits.len();
        for (r, s) in edits {
            new_text.replace_range(r, &s);
        }
        if complete {
            new_text = translation::mark_current(&new_text, &current.revision);
            if tr.meta.translation_of.as_deref().map(str::trim) != Some(current.revision.as_str()) {
                report.marked.push(translation_rel.clone());
            }
        }
        // No change to the text as read (or to the stub), no write.
        if new_text == *tr_text && (translation_path.exists() || !complete) {
            return None;
        }
        let original = std::fs::read(translation_path).unwrap_or_default();
        if original.windows(2).any(|w| w == b"\r\n") {
            new_text = new_text.replace('\n', "\r\n");
        }
        if original.starts_with("\u{feff}".as_bytes()) {
            new_text.insert(0, '\u{feff}');
        }
        Some(Pending {
            path: translation_path.clone(),
            rel: translation_rel.clone(),
            text: new_text,
            revision_of: complete.then(|| src.clone()),
        })
    }
}

/// Whether a path from an exchange file names a Markdown file under `content/` without
/// leaving it.
fn is_content_path(p: &str) -> bool {
    p.starts_with("content/")
        && p.ends_with(".md")
        && Path::new(p)
            .components()
            .all(|c| matches!(c, std::path::Component::Normal(_)))
}

/// Reads and parses a Markdown file, errors naming `rel`.
fn read_doc(path: &Path, rel: &str) -> Result<Document, Diagnostic> {
    let text = crate::text::read_text(path, rel)?;
    crate::content::front_matter::parse(&text).map_err(|mut ds| ds.remove(0).in_file(rel))
}

/// Whether an incoming unit's source is the current source of that unit: same text and
/// codes (and, where the file carries the codes' Markdown, the same Markdown).
fn same_source(u: &Incoming, cur: &Unit) -> bool {
    u.source == cur.source
        && (u.codes.is_empty()
            || cur.source.iter().all(|p| match p {
                Piece::Code(n) => u.codes.get(n) == cur.codes.get(n),
                Piece::Text(_) => true,
            }))
}

/// Whether the codes a target uses mean the same Markdown in both tables.
fn codes_agree(target: &[Piece], a: &BTreeMap<usize, String>, b: &BTreeMap<usize, String>) -> bool {
    target.iter().all(|p| match p {
        Piece::Code(n) => a.get(n) == b.get(n),
        Piece::Text(_) => true,
    })
}

/// Checks that a target keeps every code of the source exactly once and uses no code the
/// unit does not have.
fn check_codes(
    target: &[Piece],
    source: &[Piece],
    codes: &BTreeMap<usize, String>,
    format: Format,
) -> Result<(), String> {
    let show = |n: usize| match format {
        Format::Po => format!("placeholder {{{n}}}"),
        Format::Xliff | Format::Xliff12 => format!("inline code <ph id=\"{n}\">"),
    };
    let mut count: BTreeMap<usize, usize> = BTreeMap::new();
    for p in target {
        if let Piece::Code(n) = p {
            if !codes.contains_key(n) {
                return Err(format!("{} is not one of the unit's codes", show(*n)));
            }
            *count.entry(*n).or_default() += 1;
        }
    }
    for p in source {
        if let Piece::Code(n) = p {
            match count.get(n).copied().unwrap_or(0) {
                0 => {
                    return Err(format!(
                        "{} (`{}`) was deleted",
                        show(*n),
                        codes.get(n).map(String::as_str).unwrap_or("")
                    ));
                }
                1 => {}
                k => return Err(format!("{} occurs {k} times", show(*n))),
            }
        }
    }
    if let Some((n, _)) = count.iter().find(|(_, k)| **k > 1) {
        return Err(format!("{} occurs more than once", show(*n)));
    }
    Ok(())
}

/// The Markdown of a target: its text, and each code's Markdown. The text is trimmed at
/// both ends of the target; in a block that spans lines (`cont` is its continuation
/// prefix: a list item's indentation, a block quote's `> `) each line end is followed by
/// `cont` and empty lines are dropped, since they would split the block; in one that does
/// not (headings, table rows) white space runs become one space.
fn render(target: &[Piece], codes: &BTreeMap<usize, String>, cont: Option<&str>) -> String {
    let mut s = String::new();
    let last = target.len().saturating_sub(1);
    for (i, p) in target.iter().enumerate() {
        let t = match p {
            Piece::Code(n) => {
                s.push_str(codes.get(n).map(String::as_str).unwrap_or(""));
                continue;
            }
            Piece::Text(t) => t.as_str(),
        };
        let t = if i == 0 { t.trim_start() } else { t };
        let t = if i == last { t.trim_end() } else { t };
        match cont {
            Some(c) => {
                let lines: Vec<&str> = t.split('\n').collect();
                for (j, line) in lines.iter().enumerate() {
                    // Spaces before a line end would make a hard break.
                    let line = if j + 1 < lines.len() {
                        line.trim_end_matches([' ', '\t'])
                    } else {
                        line
                    };
                    if j == 0 {
                        s.push_str(line);
                    } else if j + 1 == lines.len() || !line.trim().is_empty() {
                        s.push('\n');
                        s.push_str(c);
                        s.push_str(line.trim_start_matches([' ', '\t']));
                    }
                }
            }
            None => {
                let mut space = false;
                for ch in t.chars() {
                    if ch.is_whitespace() {
                        space = true;
                        continue;
                    }
                    if space {
                        s.push(' ');
                        space = false;
                    }
                    s.push(ch);
                }
                if space {
                    s.push(' ');
                }
            }
        }
    }
    s
}

/// The edit that writes `target` into the translation: a byte range of its text and what
/// replaces it. `Ok(None)` when the translation already says the same.
fn edit_for(
    tr: &Document,
    tblocks: &[Block],
    unit: &Unit,
    target: &[Piece],
    codes: &BTreeMap<usize, String>,
    aligned: bool,
) -> Result<Option<(Range<usize>, String)>, String> {
    let Some(index) = unit
        .id
        .strip_prefix('b')
        .and_then(|r| r.split_once('-'))
        .and_then(|(n, _)| n.parse::<usize>().ok())
    else {
        let value = if is_list(&unit.id) {
            // The items are the text between the separators.
            let mut items = vec![String::new()];
            for p in target {
                match p {
                    Piece::Text(t) => {
                        if let Some(i) = items.last_mut() {
                            i.push_str(t);
                        }
                    }
                    Piece::Code(_) => items.push(String::new()),
                }
            }
            let items: Vec<String> = items
                .iter()
                .map(|i| collapse(i))
                .filter(|i| !i.is_empty())
                .map(|i| crate::scaffold::quoted(&i))
                .collect();
            format!("[{}]", items.join(", "))
        } else {
            crate::scaffold::quoted(&collapse(&render(target, codes, None)))
        };
        return Ok(field_edit(&tr.text, &unit.id, &value));
    };
    if !aligned {
        return Err(
            "its blocks do not align with the source's (paragraphs merged or split)".into(),
        );
    }
    let body = tr.body();
    let block = tblocks
        .get(index - 1)
        .ok_or("the translation has no such block")?;
    let span = block
        .span
        .clone()
        .ok_or("the translation's block has no text")?;
    let cont = match block.kind {
        BlockKind::Heading | BlockKind::TableRow => None,
        _ => {
            let line_start = body[..span.start].rfind('\n').map_or(0, |i| i + 1);
            Some(
                body[line_start..span.start]
                    .chars()
                    .map(|c| if c == '>' || c == '\t' { c } else { ' ' })
                    .collect::<String>(),
            )
        }
    };
    let new = render(target, codes, cont.as_deref());
    if body.get(span.clone()) == Some(new.as_str()) {
        return Ok(None);
    }
    let offset = tr.body_start;
    Ok(Some((offset + span.start..offset + span.end, new)))
}

/// `s` with its white space runs collapsed to one space, and trimmed.
fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The edit that sets front-matter field `key` to `value` (one line, written as YAML and
/// TOML both read it: a double-quoted string or a list of them), replacing the line that
/// sets it (and its continuation lines) or adding one.
fn field_edit(text: &str, key: &str, value: &str) -> Option<(Range<usize>, String)> {
    let toml = text.starts_with("+++");
    let line = if toml {
        format!("{key} = {value}\n")
    } else {
        format!("{key}: {value}\n")
    };
    let offsets: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let fm = front_matter_lines(text);
    let Some(pos) = fm.iter().position(|(_, l)| line_key(l) == Some(key)) else {
        // Not set yet: YAML before the closing fence, TOML right after the opening one.
        let at = if toml {
            offsets.get(1).copied()?
        } else {
            offsets.get(fm.last().map_or(1, |(i, _)| i + 1)).copied()?
        };
        return Some((at..at, line));
    };
    let (first, l) = fm[pos];
    let mut last = first;
    let value_part = l.split_once([':', '=']).map_or("", |(_, v)| v).trim();
    if toml {
        if value_part.starts_with('[')
            && !value_part.contains(']')
            && let Some(end) = text
                .lines()
                .enumerate()
                .skip(first + 1)
                .find(|(_, l)| l.contains(']'))
        {
            last = end.0;
        }
        for q in ["\"\"\"", "'''"] {
            if let Some(rest) = value_part.strip_prefix(q)
                && !rest.contains(q)
                && let Some(end) = text
                    .lines()
                    .enumerate()
                    .skip(first + 1)
                    .find(|(_, l)| l.contains(q))
            {
                last = end.0;
            }
        }
    } else {
        // Indented lines (a block scalar, a nested list) and `- ` items of a list.
        for (i, l) in fm.iter().skip(pos + 1) {
            if l.starts_with([' ', '\t', '-']) || l.trim().is_empty() {
                last = *i;
            } else {
                break;
            }
        }
    }
    let start = offsets.get(first).copied()?;
    let end = offsets.get(last + 1).copied().unwrap_or(text.len());
    Some((start..end, line))
}

/// Writes a file by way of a temporary file in the same directory, renamed over it, so
/// that an interrupted import never leaves half a file.
fn write_atomic(path: &Path, text: &str) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    std::io::Write::write_all(&mut tmp, text.as_bytes())?;
    if let Ok(meta) = std::fs::metadata(path) {
        let _ = std::fs::set_permissions(tmp.path(), meta.permissions());
    }
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit_of(body: &str, i: usize) -> (Vec<Piece>, Vec<String>) {
        let blocks = blocks_of(body);
        unit_pieces(body, &blocks[i], 1)
    }

    #[test]
    fn markup_becomes_codes_and_soft_breaks_text() {
        let body =
            "请看**合作区**的[网站](https://example.org/)和`qiao`[^1]，\n再说。\n\n[^1]: 注释。\n";
        let (pieces, codes) = unit_of(body, 0);
        assert_eq!(
            codes,
            ["**", "**", "[", "](https://example.org/)", "`qiao`[^1]"]
        );
        assert_eq!(
            pieces,
            vec![
                Piece::Text("请看".into()),
                Piece::Code(1),
                Piece::Text("合作区".into()),
                Piece::Code(2),
                Piece::Text("的".into()),
                Piece::Code(3),
                Piece::Text("网站".into()),
                Piece::Code(4),
                Piece::Text("和".into()),
                Piece::Code(5),
                Piece::Text("，\n再说。".into()),
            ]
        );
    }

    #[test]
    fn structure_stays_outside_the_unit() {
        let body = "## 标题 {#custom}\n\n- 第一项\n  续行\n\n> 引用\n> 第二行\n\n| 甲 | 乙 |\n|---|---|\n| 1 | 2 |\n\n```\ncode\n```\n";
        let blocks = blocks_of(body);
        let spans: Vec<&str> = blocks
            .iter()
            .map(|b| b.span.clone().map_or("", |s| &body[s]))
            .collect();
        assert_eq!(
            spans,
            [
                "标题",
                "第一项\n  续行",
                "引用\n> 第二行",
                "甲 | 乙",
                "1 | 2",
                ""
            ]
        );
        assert_eq!(unit_of(body, 1).0, vec![Piece::Text("第一项\n续行".into())]);
    }

    #[test]
    fn placeholders_in_text_are_protected() {
        let body = "价格为 {1} 元，{/2} 结束。\n";
        let (pieces, codes) = unit_of(body, 0);
        assert_eq!(codes, ["{1}", "{/2}"]);
        assert_eq!(pieces.len(), 5);
    }

    #[test]
    fn field_edits_keep_other_lines() {
        let text = "---\ntitle: 挂牌  # TRANSLATE\nsummary: >\n  long\n  text\ndate: 2016-02-29\n---\nBody\n";
        let (r, s) =
            field_edit(text, "summary", &crate::scaffold::quoted("Kurz \"gesagt\"")).unwrap();
        let mut t = text.to_string();
        t.replace_range(r, &s);
        assert_eq!(
            t,
            "---\ntitle: 挂牌  # TRANSLATE\nsummary: \"Kurz \\\"gesagt\\\"\"\ndate: 2016-02-29\n---\nBody\n"
        );
        let dots = "---\ntitle: x\n...\nsummary: body text\n";
        let (r, s) = field_edit(dots, "summary", "\"Neu\"").unwrap();
        assert_eq!(r, 13..13, "inserted before `...`, not in the body: {s}");
        let (r, s) = field_edit(text, "description", "\"Neu\"").unwrap();
        let mut t = text.to_string();
        t.replace_range(r, &s);
        assert!(
            t.contains("date: 2016-02-29\ndescription: \"Neu\"\n---\n"),
            "{t}"
        );
        let toml = "+++\ntitle = \"\"\"a\nb\"\"\"\n[extra]\ntitle = \"x\"\n+++\n";
        let (r, s) = field_edit(toml, "title", "\"Titel\"").unwrap();
        let mut t = toml.to_string();
        t.replace_range(r, &s);
        assert_eq!(t, "+++\ntitle = \"Titel\"\n[extra]\ntitle = \"x\"\n+++\n");
    }

    #[test]
    fn rendering_keeps_blocks_whole() {
        let codes: BTreeMap<usize, String> = [(1, "**".to_string()), (2, "**".to_string())]
            .into_iter()
            .collect();
        let t = |s: &str| Piece::Text(s.to_string());
        let target = [
            t(" Die "),
            Piece::Code(1),
            t("neue\n\n  Zone"),
            Piece::Code(2),
            t(" \n"),
        ];
        assert_eq!(render(&target, &codes, Some("  ")), "Die **neue\n  Zone**");
        assert_eq!(render(&target, &codes, None), "Die **neue Zone**");
        let broken = [t("a"), Piece::Code(1), t("\n"), Piece::Code(2), t("b")];
        assert_eq!(render(&broken, &codes, Some("> ")), "a**\n> **b");
    }

    #[test]
    fn selection_by_path() {
        assert!(selected("news/x.md", &[]));
        assert!(selected("news/x.md", &["content/news".into()]));
        assert!(selected("news/x.md", &["news/x".into()]));
        assert!(selected("news/x.md", &["./content/news/x.md".into()]));
        assert!(!selected("newsletter/x.md", &["news".into()]));
    }
}
