//! One page read for the cross-language checks: its translatable units (front matter
//! `title`, `summary` and `description`, then the body's blocks as
//! [`crate::markdown::blocks`] cuts them) with their plain text, and the counts of what must
//! be the same in every language (headings, tables and rows, images, footnotes, `@/` links).
//!
//! One extra Markdown pass per page gives both: the text of each block (link targets,
//! heading ids and markup left out; the lines of a hard-wrapped Chinese paragraph joined)
//! and the positions of the counted things, so that each finding can point at one.
//!
//! `<!-- qiao: ignore numbers -->` (or `terms`, or both) silences the checks of one block:
//! the block it stands in, or the block after it when it stands on its own line.
//! `<!-- qiao: ignore counts -->` anywhere in a translation silences its count checks.

use std::ops::Range;

use pulldown_cmark::{Event, Parser, Tag, TagEnd};

use crate::content::Parsed;
use crate::diagnostics::{Diagnostic, LineIndex};
use crate::markdown::{self, BlockKind};

/// What a unit is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitKind {
    /// A front matter field: `title`, `summary` or `description`.
    Field(&'static str),
    /// A block of the body.
    Block(BlockKind),
}

/// What a `<!-- qiao: ignore ... -->` comment switches off.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Ignore {
    /// The number check.
    pub numbers: bool,
    /// The glossary check.
    pub terms: bool,
}

/// One translatable unit of a page and its plain text.
#[derive(Debug, Clone)]
pub struct Unit {
    /// Field or block, and which.
    pub kind: UnitKind,
    /// Byte offset in the file where it starts.
    pub start: usize,
    /// The text a reader sees (no markup, no link targets); soft breaks are `\n`.
    pub plain: String,
    /// (offset in `plain`, offset in the file, whether the text maps one to one): where
    /// each piece of `plain` came from.
    anchors: Vec<(usize, usize, bool)>,
    /// Checks switched off for this unit.
    pub ignore: Ignore,
}

impl Unit {
    /// Whether its text is prose that is translated (not code or raw HTML).
    pub fn is_prose(&self) -> bool {
        !matches!(
            self.kind,
            UnitKind::Block(BlockKind::CodeBlock | BlockKind::Html)
        )
    }

    /// The byte offset in the file of a byte offset in [`Unit::plain`]: exact where the
    /// text was written as it reads, else the start of the piece it is in.
    pub fn file_offset(&self, plain: usize) -> usize {
        let k = self.anchors.partition_point(|a| a.0 <= plain);
        match k.checked_sub(1).map(|k| self.anchors[k]) {
            Some((p, f, true)) => f + (plain - p),
            Some((_, f, false)) => f,
            None => self.start,
        }
    }

    fn push(&mut self, text: &str, file_offset: usize, exact: bool) {
        self.anchors.push((self.plain.len(), file_offset, exact));
        self.plain.push_str(text);
    }
}

/// What is counted, each with the byte offsets (in the file) where it stands.
#[derive(Debug, Clone, Default)]
pub struct Counts {
    /// Headings.
    pub headings: Vec<usize>,
    /// Tables.
    pub tables: Vec<usize>,
    /// Table rows, the header row included.
    pub rows: Vec<usize>,
    /// Images.
    pub images: Vec<usize>,
    /// Footnote definitions.
    pub footnote_definitions: Vec<usize>,
    /// Footnote references.
    pub footnote_references: Vec<usize>,
    /// `@/` links (and images), with their target without `#fragment`.
    pub internal_links: Vec<(usize, String)>,
}

impl Counts {
    /// Each count with its name in findings (singular, plural) and its positions.
    pub fn each(&self) -> Vec<(&'static str, &'static str, Vec<usize>)> {
        vec![
            ("heading", "headings", self.headings.clone()),
            ("table", "tables", self.tables.clone()),
            ("table row", "table rows", self.rows.clone()),
            ("image", "images", self.images.clone()),
            (
                "footnote definition",
                "footnote definitions",
                self.footnote_definitions.clone(),
            ),
            (
                "footnote reference",
                "footnote references",
                self.footnote_references.clone(),
            ),
            (
                "`@/` link",
                "`@/` links",
                self.internal_links.iter().map(|l| l.0).collect(),
            ),
        ]
    }
}

/// A page read for the checks.
pub struct Page<'a> {
    /// The file as the editor knows it (`content/news/x.de.md`).
    pub file: String,
    /// Line lookups into the file.
    pub lines: LineIndex<'a>,
    /// `title`, `summary`, `description`, as far as present.
    pub fields: Vec<Unit>,
    /// The body's blocks, in order (comments that only hold a `qiao:` instruction are not
    /// blocks).
    pub blocks: Vec<Unit>,
    /// What is counted.
    pub counts: Counts,
    /// Whether `<!-- qiao: ignore counts -->` stands anywhere in the body.
    pub ignore_counts: bool,
    /// Byte offset of the body in the file.
    pub body_start: usize,
    /// Unknown words in `qiao:` comments.
    pub problems: Vec<Diagnostic>,
}

impl<'a> Page<'a> {
    /// The 1-based line and column of a byte offset of the file.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        self.lines.line_col(offset)
    }

    /// A warning at a byte offset of this file.
    pub fn warning_at(&self, offset: usize, message: String) -> Diagnostic {
        let (line, col) = self.line_col(offset);
        Diagnostic::warning(message)
            .in_file(&self.file)
            .at_text(self.lines.line(line), line, col)
    }

    /// `file:line` of a byte offset, for naming this page in a finding about another.
    pub fn place(&self, offset: usize) -> String {
        format!("{}:{}", self.file, self.line_col(offset).0)
    }
}

/// What a `qiao:` comment says, if `html` is one: what it ignores (`counts` separately),
/// and the words it does not know.
fn instruction(html: &str) -> Option<(Ignore, bool, Vec<String>)> {
    let inner = html
        .trim()
        .strip_prefix("<!--")?
        .strip_suffix("-->")?
        .trim();
    let rest = inner.strip_prefix("qiao:")?.trim();
    let rest = rest.strip_prefix("ignore")?;
    let mut ignore = Ignore::default();
    let mut counts = false;
    let mut unknown = Vec::new();
    for word in rest.split([' ', ',', '\t', '\n']).filter(|w| !w.is_empty()) {
        match word {
            "numbers" => ignore.numbers = true,
            "terms" => ignore.terms = true,
            "counts" => counts = true,
            w => unknown.push(w.to_string()),
        }
    }
    Some((ignore, counts, unknown))
}

/// The plain text of a front matter field and the byte offset of its value in the file.
fn field(p: &Parsed, name: &'static str, value: &str) -> Unit {
    let head = p.doc.text.get(..p.doc.body_start).unwrap_or("");
    let mut offset = 0;
    let mut start = 0;
    for line in head.split_inclusive('\n') {
        if let Some(rest) = line.strip_prefix(name)
            && let Some(after) = rest.trim_start().strip_prefix([':', '='])
        {
            let value_at = line.len() - after.trim_start().len();
            start = offset + value_at;
            break;
        }
        offset += line.len();
    }
    let mut unit = Unit {
        kind: UnitKind::Field(name),
        start,
        plain: String::new(),
        anchors: Vec::new(),
        ignore: Ignore::default(),
    };
    unit.push(value, start, false);
    unit
}

/// Reads a page: its fields, its blocks with their text, and its counts.
pub fn read(p: &Parsed) -> Page<'_> {
    let text = p.doc.text.as_str();
    let body_start = p.doc.body_start.min(text.len());
    let body = p.doc.body();
    let file = format!("content/{}", p.source.rel);
    let mut fields = vec![field(p, "title", &p.doc.title)];
    if let Some(s) = &p.doc.meta.summary {
        fields.push(field(p, "summary", s));
    }
    if let Some(d) = &p.doc.meta.description {
        fields.push(field(p, "description", d));
    }

    // The blocks of `markdown::blocks`, cut in the same pass that reads their text (one
    // parse per page instead of two; a test checks that the cuts agree).
    let mut ranges: Vec<(BlockKind, Range<usize>)> = Vec::new();
    let mut units: Vec<Unit> = Vec::new();
    let mut depth = 0usize;
    let mut current: Option<usize> = None;
    let mut counts = Counts::default();
    let mut ignore_counts = false;
    let mut problems = Vec::new();
    let lines = LineIndex::new(text);
    let unknown_words = |words: Vec<String>, at: usize, problems: &mut Vec<Diagnostic>| {
        for w in words {
            let (line, col) = lines.line_col(at);
            problems.push(
                Diagnostic::warning(format!("`qiao: ignore` does not know `{w}`"))
                    .in_file(&file)
                    .at_text(lines.line(line), line, col)
                    .with_hint("write `<!-- qiao: ignore numbers -->`, `terms` or `counts`"),
            );
        }
    };

    for (event, r) in Parser::new_ext(body, markdown::parser_options()).into_offset_iter() {
        let at = body_start + r.start;
        if let Event::Start(tag) = &event
            && let Some(kind) = markdown::block_kind(&tag.to_end())
        {
            if depth == 0 {
                ranges.push((kind, r.clone()));
                units.push(Unit {
                    kind: UnitKind::Block(kind),
                    start: at,
                    plain: String::new(),
                    anchors: Vec::new(),
                    ignore: Ignore::default(),
                });
                current = Some(units.len() - 1);
            }
            depth += 1;
        }
        let inside = current.is_some();
        let b = current.unwrap_or(0);
        match &event {
            Event::Text(t) | Event::Code(t) if inside && units[b].is_prose() => {
                let exact = body.get(r.clone()) == Some(t.as_ref());
                units[b].push(t, at, exact);
            }
            // Cells, the paragraphs of a list item and line breaks separate words and
            // numbers (`| 10 | 20 |` is not 1020).
            Event::SoftBreak
            | Event::HardBreak
            | Event::End(
                TagEnd::Paragraph | TagEnd::TableCell | TagEnd::Item | TagEnd::Heading(_),
            ) if inside => {
                let len = units[b].plain.len();
                units[b].anchors.push((len, at, false));
                units[b].plain.push('\n');
            }
            Event::Html(h) | Event::InlineHtml(h) => {
                if let Some((ignore, all_counts, unknown)) = instruction(h) {
                    ignore_counts |= all_counts;
                    if inside {
                        units[b].ignore.numbers |= ignore.numbers;
                        units[b].ignore.terms |= ignore.terms;
                    }
                    unknown_words(unknown, at, &mut problems);
                }
            }
            Event::Start(Tag::Heading { .. }) => counts.headings.push(at),
            Event::Start(Tag::Table(_)) => counts.tables.push(at),
            Event::Start(Tag::TableHead | Tag::TableRow) => counts.rows.push(at),
            Event::Start(Tag::Image { dest_url, .. }) => {
                counts.images.push(at);
                if let Some(target) = dest_url.strip_prefix("@/") {
                    counts.internal_links.push((at, internal_target(target)));
                }
            }
            Event::Start(Tag::Link { dest_url, .. }) => {
                if let Some(target) = dest_url.strip_prefix("@/") {
                    counts.internal_links.push((at, internal_target(target)));
                }
            }
            Event::Start(Tag::FootnoteDefinition(_)) => counts.footnote_definitions.push(at),
            Event::FootnoteReference(_) => counts.footnote_references.push(at),
            _ => {}
        }
        if let Event::End(end) = &event
            && markdown::block_kind(end).is_some()
        {
            depth = depth.saturating_sub(1);
            if depth == 0 {
                current = None;
            }
        }
    }

    // An HTML block that only holds `qiao:` comments is an instruction for the next block,
    // not a block of its own (a translator adds it; the source does not have it).
    let mut blocks = Vec::with_capacity(units.len());
    let mut pending = Ignore::default();
    for (unit, (_, r)) in units.into_iter().zip(&ranges) {
        if unit.kind == UnitKind::Block(BlockKind::Html) {
            let html = &body[r.clone()];
            let comments: Vec<_> = html
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(instruction)
                .collect();
            if !comments.is_empty() && comments.iter().all(Option::is_some) {
                for (ignore, _, _) in comments.into_iter().flatten() {
                    pending.numbers |= ignore.numbers;
                    pending.terms |= ignore.terms;
                }
                continue;
            }
        }
        let mut unit = unit;
        unit.ignore.numbers |= pending.numbers;
        unit.ignore.terms |= pending.terms;
        pending = Ignore::default();
        blocks.push(unit);
    }

    Page {
        file,
        lines,
        fields,
        blocks,
        counts,
        ignore_counts,
        body_start,
        problems,
    }
}

/// An `@/` target as compared between languages: without `#fragment`.
fn internal_target(target: &str) -> String {
    target.split('#').next().unwrap_or("").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The blocks are cut exactly as [`markdown::blocks`] cuts them.
    #[test]
    fn blocks_agree_with_the_markdown_module() {
        let body = "# 标题\n\n第一段，\n第二行。\n\n- 一\n- 二\n\n  续\n\n> 引用\n\n\
                    | a | b |\n| - | - |\n| 1 | 2 |\n\n```\ncode\n```\n\n<div>\nx\n</div>\n\n\
                    脚注[^1]。\n\n[^1]: 注释\n";
        let text = format!("---\ntitle: x\n---\n{body}");
        let doc = crate::content::front_matter::parse(&text).unwrap();
        let source = crate::content::Source {
            rel: "x.md".into(),
            abs: "x.md".into(),
            kind: crate::content::SourceKind::Page,
            lang: "zh".into(),
            key: "x".into(),
            section_dir: String::new(),
            stem: "x".into(),
            bundle: false,
        };
        let p = Parsed { source, doc };
        let page = read(&p);
        let start = p.doc.body_start;
        let ours: Vec<(UnitKind, usize)> = page
            .blocks
            .iter()
            .map(|u| (u.kind, u.start - start))
            .collect();
        let theirs: Vec<(UnitKind, usize)> = markdown::blocks(body)
            .into_iter()
            .map(|(k, r)| (UnitKind::Block(k), r.start))
            .collect();
        assert_eq!(ours, theirs);
        assert_eq!(page.blocks[1].plain, "第一段，\n第二行。\n");
        assert_eq!(page.counts.rows.len(), 2);
        assert_eq!(page.counts.footnote_definitions.len(), 1);
    }
}
