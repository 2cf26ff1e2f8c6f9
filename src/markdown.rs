//! Markdown to HTML for pages written in Chinese, English and German.
//!
//! pulldown-cmark parses CommonMark well, but its HTML output is not what a
//! multilingual publication needs, so this module filters its event stream:
//!
//! - Editors hard-wrap Chinese and Japanese paragraphs. A browser turns every
//!   line break into a space, which puts stray gaps between ideographs; a soft
//!   break with East Asian characters on both sides is therefore dropped.
//!   Punctuation that is East Asian in Chinese text and Western in English
//!   text (“ ” ‘ ’ — …) counts as whatever stands beyond it.
//! - Every heading gets a stable, unique `id` (kept in the page's own script,
//!   so Chinese headings do not turn into empty or transliterated slugs) and
//!   the headings form a nested table of contents. Ids and anchors are NFC
//!   ([`crate::ident`]), so decomposed and precomposed accents match.
//! - Footnotes are collected into one endnote section, with a back-link to
//!   each reference, instead of being rendered where their definitions happen
//!   to stand; a footnote nothing refers to is left out and reported.
//! - Internal links (`@/path/to/page.md#anchor`) are resolved to URLs, and
//!   each one is reported with its line and column so the caller can name
//!   broken links precisely. Relative links are made root-relative against the
//!   page, root-relative ones get the site's base path, and both are reported
//!   too, so the caller can check that they lead to a file of the site.
//! - A `<!-- more -->` line splits off a summary, and the first paragraph and
//!   the plain text (for word counts) are extracted in the same pass. Both
//!   summaries are made fit for other pages ([`reusable_html`]): no ids, and
//!   fragment links that point back at the page.
//!
//! - Directives (`::figure{…}`, `:::notice` … `:::`) found in the text of paragraphs become
//!   the HTML an [`Expand`] gives for them (see [`crate::directive`]); language spans
//!   (`[以上]{lang=zh}`, `:::lang{lang=zh}`) become elements with a `lang` attribute, and in a
//!   page that is not in the site's default language, runs of Han characters are marked with
//!   its locale ([`Options::han_locale`]). Code spans and code blocks are never touched.
//!
//! Everything here is a pure function of its input: no global state, no
//! panics, the same source always gives the same output.

use std::collections::{HashMap, HashSet};
use std::ops::{Range, RangeInclusive};
use std::sync::Arc;

use pulldown_cmark::{CowStr, Event, Options as ParserOptions, Parser, Tag, TagEnd, html};
use serde::Serialize;

use crate::directive::{self, Expand};
use crate::format::is_east_asian;
use crate::ident;

/// The line that separates a page's summary from the rest of its body.
pub const MORE_MARKER: &str = "<!-- more -->";

/// Id of the empty `<span>` that replaces the [`MORE_MARKER`] line in the
/// body, so that "continue reading" links can jump past the summary.
pub const CONTINUE_READING_ID: &str = "continue-reading";

/// Settings for [`render`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    /// The site path of the page (`/en/news/photos/`). When set, relative link and image
    /// destinations (`photo.jpg`, `../x/`) are made root-relative against it, so that the
    /// same HTML works in list pages, summaries and feeds, not only on the page itself.
    pub base_path: Option<String>,
    /// Ids that the page's template defines around the body (`main`, `toc-title`):
    /// generated heading ids avoid them, so that `## Main` does not repeat `id="main"`.
    pub reserved_ids: Vec<String>,
    /// The site's base path (`/sub/path/` for `base_url = "https://x.org/sub/path/"`).
    /// When set, root-relative destinations (`/news/about/`, `/logo.png`), which authors write
    /// from the root of the site, are prefixed with it.
    pub site_root: Option<String>,
    /// The locale to mark runs of Han characters with (`zh-Hans`), in a page whose language
    /// is not the site's Chinese, Japanese or Korean default language; `None` marks nothing.
    pub han_locale: Option<String>,
    /// The site's languages as (code, locale): `{lang=zh}` is written out as `zh`'s locale.
    pub languages: Vec<(String, String)>,
    /// Indices (from 0, in the order of [`blocks`]) of the blocks whose start tag gets a
    /// `data-stale` attribute (`<p data-stale>`, `<h2 data-stale id="…">`, `<li>`, `<tr>`,
    /// `<pre>`): the blocks of a stale translation whose source changed. HTML blocks are
    /// never marked. Empty for every page but stale translations.
    pub stale_blocks: Vec<usize>,
    /// Whether bare `https://…`, `www.…` and e-mail addresses in text become links
    /// ([`crate::autolink`]; `[markdown] autolinks` in `site.toml`, on by default there).
    pub autolinks: bool,
}

/// The result of rendering one page's Markdown.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rendered {
    /// The full body as HTML, footnotes included at the end (shared by the copies of a
    /// page: a model derived again reuses it).
    pub html: crate::content::Text,
    /// Nested table of contents built from the headings (shared, like `html`, by the
    /// copies of a page).
    pub toc: Toc,
    /// HTML of everything before the `<!-- more -->` line, if there is one; made to be
    /// shown on other pages by [`reusable_html`].
    pub summary_html: Option<Arc<str>>,
    /// HTML of the first top-level paragraph (`<p>…</p>`), if there is one; made to be
    /// shown on other pages by [`reusable_html`].
    pub first_paragraph_html: Option<Arc<str>>,
    /// Every id defined in the page: headings (explicit and generated),
    /// footnotes and footnote references, and [`CONTINUE_READING_ID`] when the
    /// page has a `<!-- more -->` line. In document order.
    pub anchors: Vec<String>,
    /// Every `@/` link or image, in document order.
    pub links: Vec<InternalLink>,
    /// Footnotes that are defined but never referenced, in document order. They are left
    /// out of the page; the caller warns about them.
    pub unused_footnotes: Vec<UnusedFootnote>,
    /// Every relative or root-relative link or image, as rewritten, in document order
    /// (relative ones only when [`Options::base_path`] is set).
    pub local_links: Vec<LocalLink>,
    /// Plain text of the body without markup or raw HTML, blocks separated
    /// by `"\n\n"`; meant for word counts and search indexes.
    pub text: crate::content::Text,
    /// Words in `text`, counted by [`crate::format::word_count`] (made once here: a page's
    /// view shows it, and a model derived again reuses it).
    pub words: usize,
    /// The excerpt templates show, in the page's language ([`crate::format::excerpt`]): of
    /// the front matter's `summary` when there is one, else of `text`. Set by the caller
    /// that knows the language and the front matter (the model's link resolver), empty
    /// otherwise.
    pub excerpt: crate::content::Text,
    /// Errors in directives and language spans, in document order.
    pub directive_problems: Vec<DirectiveProblem>,
}

/// A directive or language span that is wrong (unknown name or argument, missing argument,
/// unclosed container, invalid language tag).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectiveProblem {
    /// 1-based line in the source given to [`render`].
    pub line: usize,
    /// 1-based column, counted in chars.
    pub column: usize,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub hint: String,
}

/// A page's table of contents: its top-level entries, shared by handle (a model derived
/// again in `qiao serve` makes every page again, and copies no table).
pub type Toc = Arc<[TocEntry]>;

/// One heading in the table of contents; serializable so templates can
/// render it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TocEntry {
    /// Heading level, 1 to 6.
    pub level: u8,
    /// The heading's `id`, the link target is `#` + this.
    pub id: String,
    /// The heading as plain text.
    pub title: String,
    /// Headings of a deeper level that follow this one before the next
    /// heading of the same or a higher level.
    pub children: Vec<TocEntry>,
}

/// A link or image whose destination starts with `@/`, i.e. points at
/// another file of the site's content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InternalLink {
    /// The path after `@/`, without the fragment, e.g. `news/unveiling.md`.
    pub target: String,
    /// The fragment after `#`, percent-decoded, if there is a non-empty one.
    pub anchor: Option<String>,
    /// 1-based line of the link's start in the source given to [`render`].
    pub line: usize,
    /// 1-based column of the link's start, counted in chars.
    pub column: usize,
    /// Whether the resolver knew the target.
    pub resolved: bool,
}

/// A footnote definition (`[^label]: …`) that nothing refers to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnusedFootnote {
    /// The label as written.
    pub label: String,
    /// 1-based line of the definition in the source given to [`render`].
    pub line: usize,
    /// 1-based column of the definition, counted in chars.
    pub column: usize,
}

/// A link or image to a path of the site written without `@/`: `photo.jpg`, `../x/`,
/// `/news/about/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalLink {
    /// The destination as written.
    pub written: String,
    /// The root-relative path it leads to, base path included, without query or fragment
    /// (`/sub/path/news/about/`), still percent-encoded.
    pub path: String,
    /// 1-based line of the link's start in the source given to [`render`].
    pub line: usize,
    /// 1-based column of the link's start, counted in chars.
    pub column: usize,
}

/// Renders Markdown to HTML.
///
/// `resolve` maps the path of an internal link (`news/unveiling.md` for
/// `@/news/unveiling.md`) to its URL, or returns `None` when there is no such
/// page. A resolved link points at the URL plus `#anchor` if it had one; an
/// unresolved link gets `href="#"` and an unresolved image keeps its original
/// `src`. Either way the link is listed in [`Rendered::links`] so the caller
/// can report it.
///
/// Supported on top of CommonMark: tables, footnotes, strikethrough, task
/// lists and heading attributes (`# Title {#id .class}`). Raw HTML passes
/// through unchanged. A top-level line consisting of `<!-- more -->` is
/// replaced by `<span id="continue-reading"></span>` in the body.
pub fn render(
    source: &str,
    options: &Options,
    resolve: &dyn Fn(&str) -> Option<String>,
) -> Rendered {
    render_with(source, options, resolve, None)
}

/// [`render`], with the directives that `expand` knows (`None`: directive lines stay text).
/// Language spans are read either way.
pub fn render_with(
    source: &str,
    options: &Options,
    resolve: &dyn Fn(&str) -> Option<String>,
    expand: Option<&dyn Expand>,
) -> Rendered {
    let events: Vec<(Event<'_>, Range<usize>)> = Parser::new_ext(source, parser_options())
        .into_offset_iter()
        .collect();
    let found = expand
        .map(|expand| (expand, directive_lines(source, &events, expand)))
        .filter(|(_, lines)| !lines.is_empty());
    let Some((expand, lines)) = found else {
        return render_events(source, events, options, resolve, Placements::default());
    };
    // Each directive line becomes an HTML comment, which is a block of its own wherever it
    // stands (it interrupts a paragraph, it ends a list or a quote a fence was lazily part
    // of), and then the HTML the directive expands to.
    let (substituted, placements) = place_directives(source, lines, expand, options);
    let events: Vec<(Event<'_>, Range<usize>)> = Parser::new_ext(&substituted, parser_options())
        .into_offset_iter()
        .collect();
    render_events(&substituted, events, options, resolve, placements)
}

/// The rendering proper, of a source whose directive lines have been replaced.
fn render_events<'a>(
    source: &'a str,
    events: Vec<(Event<'a>, Range<usize>)>,
    options: &Options,
    resolve: &dyn Fn(&str) -> Option<String>,
    placements: Placements,
) -> Rendered {
    let Options {
        base_path,
        reserved_ids,
        site_root,
        han_locale,
        languages,
        stale_blocks,
        autolinks,
    } = options;
    let events = if *autolinks {
        crate::autolink::link_addresses(events)
    } else {
        events
    };
    let dropped_breaks: Vec<bool> = events
        .iter()
        .enumerate()
        .map(|(i, (event, _))| matches!(event, Event::SoftBreak) && joins_east_asian(&events, i))
        .collect();
    let marker = find_more_marker(&events);
    let footnotes = Footnotes::scan(&events);
    let headings = scan_headings(&events, &dropped_breaks);

    // Explicit heading ids, footnote ids and the marker's id are fixed;
    // generated heading ids must avoid all of them.
    let mut ids = IdSet::default();
    for id in reserved_ids {
        ids.reserve(id);
    }
    for explicit in headings.iter().filter_map(|h| h.explicit_id.as_deref()) {
        ids.reserve(explicit);
    }
    for id in footnotes.reserved_ids() {
        ids.reserve(&id);
    }
    if marker.is_some() {
        ids.reserve(CONTINUE_READING_ID);
    }
    for id in placements.at.values().filter_map(|p| p.id.as_deref()) {
        ids.reserve(id);
    }
    let heading_ids: Vec<String> = headings
        .iter()
        .map(|h| match &h.explicit_id {
            Some(id) => id.clone(),
            None => ids.unique(&slugify(&ident::nfc(&h.title))),
        })
        .collect();
    let toc: Toc = build_toc(
        headings
            .into_iter()
            .zip(&heading_ids)
            .map(|(h, id)| TocEntry {
                level: h.level,
                id: id.clone(),
                title: h.title,
                children: Vec::new(),
            }),
    )
    .into();

    let mut lines = LineIndex::new(source);
    let (spans, mut directive_problems) = lang_spans(source, &events, languages, &mut lines);
    directive_problems.extend(placements.problems.iter().cloned());
    let mut pass = Transform {
        resolve,
        base_path: base_path.as_deref(),
        site_root: site_root.as_deref(),
        lines,
        footnotes,
        heading_ids,
        next_heading: 0,
        next_footnote_number: 0,
        main: Vec::new(),
        collecting: Vec::new(),
        links: Vec::new(),
        local_links: Vec::new(),
        anchors: Vec::new(),
        marker_position: None,
        first_paragraph: None,
        han_locale: han_locale.as_deref(),
        placements,
        spans,
        directive_problems,
        lang_depth: 0,
        image_depth: 0,
        code_depth: 0,
        stale_blocks,
        block_depth: 0,
        next_block: 0,
    };
    pass.run(events, &dropped_breaks, marker);
    Rendered {
        toc,
        ..pass.finish()
    }
}

/// What a body says once rendered, as one canonical string to compare revisions of a
/// source by: the HTML of its event stream with the soft breaks between East Asian characters
/// dropped (the rule [`render`] applies), every other soft break a space, and runs of ASCII
/// whitespace in running text collapsed to one space. Re-wrapping a paragraph, Chinese or
/// not, therefore changes nothing; changing a word, a link or the markup does. Code blocks
/// keep their whitespace. Not for display: links stay unresolved and headings get no ids.
pub fn meaning(source: &str) -> String {
    let events: Vec<(Event<'_>, Range<usize>)> = Parser::new_ext(source, parser_options())
        .into_offset_iter()
        .collect();
    let mut kept: Vec<Event<'_>> = Vec::with_capacity(events.len());
    let mut text = String::new();
    let mut in_code_block = false;
    let flush = |text: &mut String, in_code_block: bool, kept: &mut Vec<Event<'_>>| {
        if text.is_empty() {
            return;
        }
        let mut run = String::with_capacity(text.len());
        let mut space = false;
        for c in text.chars() {
            if c.is_ascii_whitespace() && !in_code_block {
                space = true;
                continue;
            }
            if space {
                run.push(' ');
                space = false;
            }
            run.push(c);
        }
        if space {
            run.push(' ');
        }
        kept.push(Event::Text(run.into()));
        text.clear();
    };
    for (i, (event, _)) in events.iter().enumerate() {
        match event {
            Event::SoftBreak if joins_east_asian(&events, i) => {}
            Event::SoftBreak => text.push(' '),
            Event::Text(t) => text.push_str(t),
            other => {
                flush(&mut text, in_code_block, &mut kept);
                match other {
                    Event::Start(Tag::CodeBlock(_)) => in_code_block = true,
                    Event::End(TagEnd::CodeBlock) => in_code_block = false,
                    _ => {}
                }
                kept.push(other.clone());
            }
        }
    }
    flush(&mut text, in_code_block, &mut kept);
    let mut out = String::with_capacity(source.len());
    html::push_html(&mut out, kept.into_iter());
    out
}

/// What kind of block [`blocks`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BlockKind {
    /// A paragraph (outside lists and tables).
    Paragraph,
    /// A heading.
    Heading,
    /// A list item, with everything nested in it.
    ListItem,
    /// A table's header row, or one of its rows.
    TableRow,
    /// A fenced or indented code block.
    CodeBlock,
    /// A block of raw HTML.
    Html,
}

/// The blocks of a body that a translator translates one by one, in order, with the byte
/// range of each in `source`: paragraphs, headings, list items, table rows, code blocks and
/// HTML blocks. A block inside another (a paragraph in a list item or a block quote's
/// paragraph) is part of the outer one only when the outer one is itself a block of this
/// list. [`meaning`] of a block's text says whether it changed.
pub fn blocks(source: &str) -> Vec<(BlockKind, Range<usize>)> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    for (event, range) in Parser::new_ext(source, parser_options()).into_offset_iter() {
        let kind = block_kind;
        match &event {
            Event::Start(tag) => {
                if let Some(k) = kind(&tag.to_end()) {
                    if depth == 0 {
                        out.push((k, range));
                    }
                    depth += 1;
                }
            }
            Event::End(end) if kind(end).is_some() => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    out
}

/// The kind of block a tag closed by `end` starts, if it is one that [`blocks`] lists.
pub(crate) fn block_kind(end: &TagEnd) -> Option<BlockKind> {
    match end {
        TagEnd::Paragraph => Some(BlockKind::Paragraph),
        TagEnd::Heading(_) => Some(BlockKind::Heading),
        TagEnd::Item => Some(BlockKind::ListItem),
        TagEnd::TableHead | TagEnd::TableRow => Some(BlockKind::TableRow),
        TagEnd::CodeBlock => Some(BlockKind::CodeBlock),
        TagEnd::HtmlBlock => Some(BlockKind::Html),
        _ => None,
    }
}

/// Put before the start of a block that [`Options::stale_blocks`] marks, and replaced by
/// a `data-stale` attribute in its start tag once the HTML is written ([`apply_stale`]).
/// User text cannot hold it: pulldown-cmark replaces NUL characters. It ends with a line
/// break, so that the HTML writer puts no extra one before the block.
const STALE_MARK: &str = "\u{0}qiao-stale\u{0}\n";

/// Replaces each [`STALE_MARK`] by a `data-stale` attribute in the next block start tag
/// (`p`, `h1`–`h6`, `li`, `tr`, `pre`); with `keep` false, only removes the marks.
fn apply_stale(html: String, keep: bool) -> String {
    if !html.contains(STALE_MARK) {
        return html;
    }
    let mut out = String::with_capacity(html.len() + 64);
    let mut pieces = html.split(STALE_MARK);
    out.push_str(pieces.next().unwrap_or(""));
    for piece in pieces {
        let at = keep
            .then(|| {
                piece.match_indices('<').find_map(|(i, _)| {
                    let rest = &piece[i + 1..];
                    let name_len = rest
                        .find(|c: char| !c.is_ascii_alphanumeric())
                        .unwrap_or(rest.len());
                    matches!(
                        &rest[..name_len],
                        "p" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "li" | "tr" | "pre"
                    )
                    .then_some(i + 1 + name_len)
                })
            })
            .flatten();
        match at {
            Some(at) => {
                out.push_str(&piece[..at]);
                out.push_str(" data-stale");
                out.push_str(&piece[at..]);
            }
            None => out.push_str(piece),
        }
    }
    out
}

/// The pulldown-cmark extensions qiao supports.
pub(crate) fn parser_options() -> ParserOptions {
    ParserOptions::ENABLE_TABLES
        | ParserOptions::ENABLE_FOOTNOTES
        | ParserOptions::ENABLE_STRIKETHROUGH
        | ParserOptions::ENABLE_TASKLISTS
        | ParserOptions::ENABLE_HEADING_ATTRIBUTES
}

/// The single pass that rewrites the event stream: it resolves links, gives
/// headings their ids, replaces footnote references, drops East Asian soft
/// breaks and sets footnote definitions aside for the endnote section.
struct Transform<'a, 'r> {
    resolve: &'r dyn Fn(&str) -> Option<String>,
    base_path: Option<&'r str>,
    site_root: Option<&'r str>,
    lines: LineIndex<'a>,
    footnotes: Footnotes<'a>,
    heading_ids: Vec<String>,
    next_heading: usize,
    next_footnote_number: usize,
    /// The body's events, without footnote definitions.
    main: Vec<Event<'a>>,
    /// Footnote definitions being collected (key and events), innermost last.
    collecting: Vec<(String, Vec<Event<'a>>)>,
    links: Vec<InternalLink>,
    local_links: Vec<LocalLink>,
    anchors: Vec<String>,
    /// Index in `main` where the `<!-- more -->` line stood.
    marker_position: Option<usize>,
    /// Indices in `main` of the first top-level paragraph; the end is `None`
    /// while the paragraph is still open.
    first_paragraph: Option<(usize, Option<usize>)>,
    /// See [`Options::han_locale`].
    han_locale: Option<&'r str>,
    /// The HTML of the directive lines, by the offset of their placeholder.
    placements: Placements,
    /// Language spans: what replaces the events at these indices.
    spans: HashMap<usize, Vec<SpanPiece<'a>>>,
    directive_problems: Vec<DirectiveProblem>,
    /// Depth inside elements that have a `lang` of their own, images (whose text is alt
    /// text) and code blocks: no Han run there is marked.
    lang_depth: usize,
    image_depth: usize,
    code_depth: usize,
    /// See [`Options::stale_blocks`].
    stale_blocks: &'r [usize],
    /// Depth inside blocks that [`blocks`] lists, and the index of the next one.
    block_depth: usize,
    next_block: usize,
}

impl<'a> Transform<'a, '_> {
    fn run(
        &mut self,
        events: Vec<(Event<'a>, Range<usize>)>,
        dropped_breaks: &[bool],
        marker: Option<RangeInclusive<usize>>,
    ) {
        let mut depth = 0usize;
        for (i, ((event, range), dropped)) in events.into_iter().zip(dropped_breaks).enumerate() {
            // Blocks are counted as [`blocks`] counts them, the `<!-- more -->` line too.
            let mut stale = false;
            match &event {
                Event::Start(tag) => {
                    if let Some(kind) = block_kind(&tag.to_end()) {
                        if self.block_depth == 0 {
                            stale = kind != BlockKind::Html
                                && self.stale_blocks.contains(&self.next_block);
                            self.next_block += 1;
                        }
                        self.block_depth += 1;
                    }
                }
                Event::End(end) if block_kind(end).is_some() => {
                    self.block_depth = self.block_depth.saturating_sub(1);
                }
                _ => {}
            }
            if stale {
                self.emit(Event::InlineHtml(STALE_MARK.into()));
            }
            if let Some(marker) = &marker
                && marker.contains(&i)
            {
                // The marker is a balanced top-level block: skipping all of
                // it leaves `depth` unchanged.
                if i == *marker.start() {
                    self.marker_position = Some(self.main.len());
                    self.anchors.push(CONTINUE_READING_ID.to_owned());
                    self.main.push(Event::Html(
                        format!("<span id=\"{CONTINUE_READING_ID}\"></span>\n").into(),
                    ));
                }
                continue;
            }
            let top_level = depth == 0;
            match &event {
                Event::Start(_) => depth += 1,
                Event::End(_) => depth = depth.saturating_sub(1),
                _ => {}
            }
            match &event {
                Event::Start(Tag::Image { .. }) => self.image_depth += 1,
                Event::End(TagEnd::Image) => self.image_depth = self.image_depth.saturating_sub(1),
                Event::Start(Tag::CodeBlock(_)) => self.code_depth += 1,
                Event::End(TagEnd::CodeBlock) => {
                    self.code_depth = self.code_depth.saturating_sub(1);
                }
                _ => {}
            }
            if !self.spans.is_empty()
                && let Some(pieces) = self.spans.remove(&i)
            {
                for piece in pieces {
                    self.span_piece(piece);
                }
                continue;
            }
            match event {
                Event::Html(html) if !self.placements.at.is_empty() => {
                    match self.placements.take(&range) {
                        Some(placed) => {
                            if placed.lang < 0 {
                                self.lang_depth = self.lang_depth.saturating_sub(1);
                            }
                            self.anchors.extend(placed.id);
                            self.emit(Event::Html(placed.html.into()));
                            if placed.lang > 0 {
                                self.lang_depth += 1;
                            }
                        }
                        None => self.emit(Event::Html(html)),
                    }
                }
                Event::Text(text) => self.text(text),
                Event::Start(Tag::FootnoteDefinition(label)) => {
                    self.collecting.push((footnote_key(&label), Vec::new()));
                }
                Event::End(TagEnd::FootnoteDefinition) => {
                    if let Some((key, body)) = self.collecting.pop() {
                        self.footnotes.set_body(&key, body);
                    }
                }
                Event::Start(Tag::Paragraph) if top_level && self.first_paragraph.is_none() => {
                    self.first_paragraph = Some((self.main.len(), None));
                    self.main.push(Event::Start(Tag::Paragraph));
                }
                Event::End(TagEnd::Paragraph) if depth == 0 => {
                    if let Some((_, end @ None)) = &mut self.first_paragraph {
                        *end = Some(self.main.len());
                    }
                    self.main.push(Event::End(TagEnd::Paragraph));
                }
                Event::Start(mut tag) => {
                    let image = matches!(tag, Tag::Image { .. });
                    match &mut tag {
                        Tag::Heading { id, .. } => {
                            let heading_id = self.heading_ids.get(self.next_heading).cloned();
                            self.next_heading += 1;
                            self.anchors.extend(heading_id.clone());
                            *id = heading_id.map(CowStr::from);
                        }
                        Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. } => {
                            let dest = std::mem::replace(dest_url, CowStr::Borrowed(""));
                            *dest_url = self.internal(dest, range.start, image);
                        }
                        _ => {}
                    }
                    self.emit(Event::Start(tag));
                }
                Event::FootnoteReference(label) => {
                    let replacement = self.footnote_reference(&label);
                    self.emit(replacement);
                }
                Event::SoftBreak if *dropped => {}
                Event::TaskListMarker(done) => {
                    let checked = if done { " checked" } else { "" };
                    self.emit(Event::InlineHtml(
                        format!("<input type=\"checkbox\" disabled{checked}>\n").into(),
                    ));
                }
                other => self.emit(other),
            }
        }
    }

    /// Emits text, with its runs of Han characters marked when the page asks for it and the
    /// text is not in code, an image's alt text or an element with a language of its own.
    fn text(&mut self, text: CowStr<'a>) {
        let Some(locale) = self.han_locale else {
            return self.emit(Event::Text(text));
        };
        if self.lang_depth + self.image_depth + self.code_depth > 0 {
            return self.emit(Event::Text(text));
        }
        let runs = directive::han_runs(&text);
        if runs.is_empty() {
            return self.emit(Event::Text(text));
        }
        let mut at = 0;
        for run in runs {
            if run.start > at {
                self.emit(Event::Text(text[at..run.start].to_string().into()));
            }
            self.emit(Event::InlineHtml(
                format!("<span lang=\"{locale}\">").into(),
            ));
            self.emit(Event::Text(text[run.clone()].to_string().into()));
            self.emit(Event::InlineHtml("</span>".into()));
            at = run.end;
        }
        if at < text.len() {
            self.emit(Event::Text(text[at..].to_string().into()));
        }
    }

    /// Emits one piece of a language span.
    fn span_piece(&mut self, piece: SpanPiece<'a>) {
        match piece {
            SpanPiece::Open(locale) => {
                self.emit(Event::InlineHtml(
                    format!("<span lang=\"{}\">", escape_attr(&locale)).into(),
                ));
                self.lang_depth += 1;
            }
            SpanPiece::Close => {
                self.lang_depth = self.lang_depth.saturating_sub(1);
                self.emit(Event::InlineHtml("</span>".into()));
            }
            SpanPiece::Text(text) => self.text(text),
        }
    }

    /// Appends to the footnote being collected, or else to the body.
    fn emit(&mut self, event: Event<'a>) {
        match self.collecting.last_mut() {
            Some((_, body)) => body.push(event),
            None => self.main.push(event),
        }
    }

    /// Resolves an `@/` destination and records the link; relative and
    /// root-relative destinations are rewritten (see [`Options`]) and recorded;
    /// others come back unchanged.
    fn internal(&mut self, dest: CowStr<'a>, offset: usize, image: bool) -> CowStr<'a> {
        let Some(path) = dest.strip_prefix("@/") else {
            let rewritten: String = match (self.base_path, self.site_root) {
                (Some(base), _) if is_relative(&dest) => join_relative(base, &dest),
                (_, Some(root)) if is_root_relative(&dest) => {
                    format!("{root}{}", dest.trim_start_matches('/'))
                }
                (None, _) if is_root_relative(&dest) => dest.to_string(),
                // A fragment names an id of this page, and ids are NFC.
                _ if dest.starts_with('#') => return ident::nfc(&dest).into_owned().into(),
                _ => return dest,
            };
            let (line, column) = self.lines.position(offset);
            let end = rewritten.find(['#', '?']).unwrap_or(rewritten.len());
            self.local_links.push(LocalLink {
                written: dest.to_string(),
                path: rewritten[..end].to_string(),
                line,
                column,
            });
            return rewritten.into();
        };
        let (target, fragment) = path.split_once('#').unwrap_or((path, ""));
        let anchor = (!fragment.is_empty()).then(|| {
            let decoded = crate::url::decode_utf8(fragment).unwrap_or_else(|| fragment.to_owned());
            ident::nfc(&decoded).into_owned()
        });
        let url = (self.resolve)(target);
        let (line, column) = self.lines.position(offset);
        self.links.push(InternalLink {
            target: target.to_owned(),
            anchor: anchor.clone(),
            line,
            column,
            resolved: url.is_some(),
        });
        match (url, anchor) {
            (Some(url), Some(anchor)) => format!("{url}#{anchor}").into(),
            (Some(url), None) => url.into(),
            (None, _) if image => dest,
            (None, _) => "#".into(),
        }
    }

    /// The superscript number linking to a footnote, or the literal source
    /// text when no such footnote is defined.
    fn footnote_reference(&mut self, label: &str) -> Event<'a> {
        let Some(note) = self.footnotes.notes.get_mut(&footnote_key(label)) else {
            return Event::Text(format!("[^{label}]").into());
        };
        let number = *note.number.get_or_insert_with(|| {
            self.next_footnote_number += 1;
            self.next_footnote_number
        });
        note.references_emitted += 1;
        let ref_id = reference_id(&note.slug, note.references_emitted);
        let html = format!(
            "<sup class=\"footnote-ref\"><a href=\"#fn-{}\" id=\"{ref_id}\">{number}</a></sup>",
            note.slug
        );
        self.anchors.push(ref_id);
        Event::InlineHtml(html.into())
    }

    fn finish(mut self) -> Rendered {
        // Summaries are shown on other pages: no ids, fragments point at this page.
        let reusable = |events: &[Event<'_>]| {
            Arc::<str>::from(reusable_html(
                &apply_stale(to_html(events), false),
                self.base_path,
            ))
        };
        let summary_html = (self.marker_position)
            .and_then(|end| self.main.get(..end))
            .map(reusable);
        let first_paragraph_html = match self.first_paragraph {
            Some((start, Some(end))) => self.main.get(start..=end).map(reusable),
            _ => None,
        };
        let mut html = to_html(&self.main);
        let mut text = PlainText::default();
        for event in &self.main {
            text.push(event);
        }
        let notes = self.footnotes.in_section_order();
        if !notes.is_empty() {
            html.push_str("<section class=\"footnotes\" role=\"doc-endnotes\">\n<ol>\n");
            for note in notes {
                let id = format!("fn-{}", note.slug);
                let mut body = note.body.clone();
                // One back-link per reference: ↩ to the first, ↩² to the second, ….
                let mut backrefs = String::new();
                for n in 1..=note.references_emitted {
                    let mark = if n == 1 {
                        String::new()
                    } else {
                        format!("<sup>{n}</sup>")
                    };
                    backrefs.push_str(&format!(
                        " <a href=\"#{}\" class=\"footnote-backref\" role=\"doc-backlink\">↩{mark}</a>",
                        reference_id(&note.slug, n)
                    ));
                }
                if !backrefs.is_empty() {
                    // Inside the last paragraph if there is one, else after.
                    let closing = match body.last() {
                        Some(Event::End(TagEnd::Paragraph)) => body.pop(),
                        _ => None,
                    };
                    body.push(Event::InlineHtml(backrefs.into()));
                    body.extend(closing);
                }
                html.push_str(&format!("<li id=\"{id}\">\n"));
                html.push_str(&to_html(&body));
                html.push_str("</li>\n");
                text.separate("\n\n");
                for event in &note.body {
                    text.push(event);
                }
                self.anchors.push(id);
            }
            html.push_str("</ol>\n</section>\n");
        }
        let html = apply_stale(html, true);
        let unused_footnotes = self
            .footnotes
            .unused()
            .map(|note| {
                let (line, column) = self.lines.position(note.offset);
                UnusedFootnote {
                    label: note.label.clone(),
                    line,
                    column,
                }
            })
            .collect();
        let mut directive_problems = self.directive_problems;
        for placed in std::mem::take(&mut self.placements.at).into_values() {
            directive_problems.push(DirectiveProblem {
                line: placed.line,
                column: placed.column,
                message: "this directive cannot stand here".to_string(),
                hint: "put the directive on a line of its own, with a blank line before and after"
                    .to_string(),
            });
        }
        let text = text.finish();
        Rendered {
            directive_problems,
            words: crate::format::word_count(&text),
            excerpt: Default::default(),
            html: html.into(),
            toc: Toc::default(),
            summary_html,
            first_paragraph_html,
            anchors: self.anchors,
            links: self.links,
            unused_footnotes,
            local_links: self.local_links,
            text: text.into(),
        }
    }
}

fn to_html(events: &[Event<'_>]) -> String {
    let mut out = String::new();
    html::push_html(&mut out, events.iter().cloned());
    out
}

/// Finds the first top-level HTML block consisting only of
/// `<!-- more -->` and returns the indices of its events.
fn find_more_marker(events: &[(Event<'_>, Range<usize>)]) -> Option<RangeInclusive<usize>> {
    let mut depth = 0usize;
    for (i, (event, _)) in events.iter().enumerate() {
        match event {
            Event::Start(Tag::HtmlBlock) if depth == 0 => {
                let mut content = String::new();
                for (j, (inner, _)) in events.iter().enumerate().skip(i + 1) {
                    match inner {
                        Event::Html(s) | Event::Text(s) => content.push_str(s),
                        Event::End(TagEnd::HtmlBlock) => {
                            if content.trim() == MORE_MARKER {
                                return Some(i..=j);
                            }
                            break;
                        }
                        _ => break,
                    }
                }
                depth += 1;
            }
            Event::Start(_) => depth += 1,
            Event::End(_) => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

// ---------------------------------------------------------------------------
// East Asian line breaks

/// Whether the soft break at `index` sits between two East Asian characters
/// of the same block, looking through inline tags such as emphasis. Anything
/// else in the way (an image, inline HTML, a footnote reference, the block's
/// edge) means "unsure", which keeps the break.
///
/// Punctuation of ambiguous East Asian Width (“ ” ‘ ’ — … ·) is East Asian in
/// Chinese text and Western in English text, so it takes its role from
/// context: from the first character beyond it (`他说\n“你好”` joins,
/// `said\n“hello”` keeps its space), or, with nothing beyond it, from the
/// other side of the break.
fn joins_east_asian(events: &[(Event<'_>, Range<usize>)], index: usize) -> bool {
    let before = events.get(..index).unwrap_or_default().iter().rev();
    let after = events.get(index + 1..).unwrap_or_default().iter();
    let last = side_class(neighbour_chars(before.map(|(e, _)| e), true));
    let first = side_class(neighbour_chars(after.map(|(e, _)| e), false));
    let resolve = |side: Side, other: Side| match side {
        Side::Ambiguous => other,
        known => known,
    };
    resolve(last, first) == Side::EastAsian && resolve(first, last) == Side::EastAsian
}

/// What one side of a soft break is, as far as line breaking cares.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    EastAsian,
    Other,
    /// Only ambiguous punctuation up to the edge of the text run.
    Ambiguous,
    /// No text at all.
    Unsure,
}

/// The class of the first character that is not ambiguous punctuation.
fn side_class(mut chars: impl Iterator<Item = char>) -> Side {
    let mut seen = false;
    for c in chars.by_ref() {
        seen = true;
        if !is_ambiguous_punctuation(c) {
            return if is_east_asian(c) {
                Side::EastAsian
            } else {
                Side::Other
            };
        }
    }
    if seen { Side::Ambiguous } else { Side::Unsure }
}

/// Punctuation and symbols that are narrow in Western text and wide in East Asian text
/// (East Asian Width "Ambiguous"): quotation marks, dashes, ellipsis, middle dot, ….
fn is_ambiguous_punctuation(c: char) -> bool {
    use unicode_width::UnicodeWidthChar;
    !c.is_alphanumeric() && c.width() == Some(1) && c.width_cjk() == Some(2)
}

/// The characters next to a soft break, going backwards (`backwards`) or forwards through
/// the text of the same run; stops at anything that is not running text.
fn neighbour_chars<'e, 'a: 'e>(
    events: impl Iterator<Item = &'e Event<'a>>,
    backwards: bool,
) -> impl Iterator<Item = char> {
    events
        .take_while(|event| match event {
            Event::Text(_) | Event::Code(_) => true,
            Event::Start(tag) => wraps_text(&tag.to_end()),
            Event::End(end) => wraps_text(end),
            _ => false,
        })
        .flat_map(move |event| {
            let s: &str = match event {
                Event::Text(s) | Event::Code(s) => s,
                _ => "",
            };
            let chars: Box<dyn Iterator<Item = char>> = if backwards {
                Box::new(s.chars().rev())
            } else {
                Box::new(s.chars())
            };
            chars
        })
}

// ---------------------------------------------------------------------------
// Headings and the table of contents

struct HeadingInfo {
    level: u8,
    explicit_id: Option<String>,
    title: String,
}

/// Collects every heading's level, explicit id and plain-text title.
fn scan_headings(
    events: &[(Event<'_>, Range<usize>)],
    dropped_breaks: &[bool],
) -> Vec<HeadingInfo> {
    let mut headings = Vec::new();
    let mut current: Option<(HeadingInfo, PlainText)> = None;
    for ((event, _), dropped) in events.iter().zip(dropped_breaks) {
        match event {
            Event::Start(Tag::Heading { level, id, .. }) => {
                let explicit_id = id
                    .as_deref()
                    .map(str::trim)
                    .filter(|id| !id.is_empty())
                    .map(|id| ident::nfc(id).into_owned());
                let info = HeadingInfo {
                    level: *level as u8,
                    explicit_id,
                    title: String::new(),
                };
                current = Some((info, PlainText::default()));
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((mut info, title)) = current.take() {
                    info.title = title.finish();
                    headings.push(info);
                }
            }
            _ => {
                if let Some((_, title)) = &mut current
                    && !dropped
                {
                    title.push(event);
                }
            }
        }
    }
    headings
}

/// Turns a heading's text into an id: lowercase letters and digits of any
/// script, every other run of characters collapsed to a single `-`.
fn slugify(text: &str) -> String {
    let mut slug = String::new();
    let mut gap = false;
    for c in text.chars() {
        // Combining marks continue a word (decomposed umlauts: "u\u{308}").
        let continues_word = ('\u{300}'..='\u{36f}').contains(&c) && !gap && !slug.is_empty();
        if c.is_alphanumeric() || continues_word {
            if gap && !slug.is_empty() {
                slug.push('-');
            }
            gap = false;
            slug.extend(c.to_lowercase());
        } else {
            gap = true;
        }
    }
    if slug.is_empty() {
        "section".to_owned()
    } else {
        slug
    }
}

/// Ids in use in one page.
#[derive(Default)]
struct IdSet {
    taken: HashSet<String>,
    /// For each base given to [`IdSet::unique`], the suffix its last id got: the search for
    /// the next free `base-n` resumes there instead of at 1. Ids are never released, so
    /// every suffix below it is still taken, and 20,000 headings `### Fixes` cost 20,000
    /// look-ups, not 200 million.
    next_suffix: HashMap<String, usize>,
}

impl IdSet {
    fn contains(&self, id: &str) -> bool {
        self.taken.contains(id)
    }

    fn reserve(&mut self, id: &str) {
        self.taken.insert(id.to_owned());
    }

    /// `base` if it is free, else the first free `base-1`, `base-2`, ….
    fn unique(&mut self, base: &str) -> String {
        let n = self.next_suffix.entry(base.to_owned()).or_insert(0);
        let mut candidate = suffixed(base, *n);
        while self.taken.contains(&candidate) {
            *n += 1;
            candidate = suffixed(base, *n);
        }
        self.taken.insert(candidate.clone());
        candidate
    }
}

/// `base` for 0, else `base-n`.
fn suffixed(base: &str, n: usize) -> String {
    if n == 0 {
        base.to_owned()
    } else {
        format!("{base}-{n}")
    }
}

/// Nests a flat list of headings: each heading becomes a child of the
/// nearest preceding heading with a lower level.
fn build_toc(flat: impl IntoIterator<Item = TocEntry>) -> Vec<TocEntry> {
    fn close(stack: &mut Vec<TocEntry>, roots: &mut Vec<TocEntry>) {
        if let Some(done) = stack.pop() {
            match stack.last_mut() {
                Some(parent) => parent.children.push(done),
                None => roots.push(done),
            }
        }
    }
    let mut roots = Vec::new();
    let mut stack: Vec<TocEntry> = Vec::new();
    for entry in flat {
        while stack.last().is_some_and(|open| open.level >= entry.level) {
            close(&mut stack, &mut roots);
        }
        stack.push(entry);
    }
    while !stack.is_empty() {
        close(&mut stack, &mut roots);
    }
    roots
}

// ---------------------------------------------------------------------------
// Footnotes

/// Footnote definitions of one page, keyed by case-folded label.
struct Footnotes<'a> {
    notes: HashMap<String, Note<'a>>,
    /// Keys in the order of their definitions.
    order: Vec<String>,
}

struct Note<'a> {
    /// The label reduced to id characters; unique among the page's notes
    /// once [`Footnotes::scan`] is done.
    slug: String,
    /// How many references the source has to this note.
    references: usize,
    /// How many references have been rendered so far.
    references_emitted: usize,
    /// Position in order of first reference; `None` if never referenced.
    number: Option<usize>,
    body: Vec<Event<'a>>,
    has_body: bool,
    /// The label as written, and the byte offset of its definition.
    label: String,
    offset: usize,
}

impl Note<'_> {
    /// The note's own id and those of all references to it.
    fn ids(&self) -> impl Iterator<Item = String> + '_ {
        let references = (1..=self.references).map(|n| reference_id(&self.slug, n));
        std::iter::once(format!("fn-{}", self.slug)).chain(references)
    }
}

impl<'a> Footnotes<'a> {
    fn scan(events: &[(Event<'a>, Range<usize>)]) -> Self {
        let mut notes: HashMap<String, Note<'a>> = HashMap::new();
        let mut order = Vec::new();
        let mut references: HashMap<String, usize> = HashMap::new();
        for (event, range) in events {
            match event {
                Event::Start(Tag::FootnoteDefinition(label)) => {
                    let key = footnote_key(label);
                    if !notes.contains_key(&key) {
                        let note = Note {
                            slug: footnote_slug(label),
                            references: 0,
                            references_emitted: 0,
                            number: None,
                            body: Vec::new(),
                            has_body: false,
                            label: label.to_string(),
                            offset: range.start,
                        };
                        notes.insert(key.clone(), note);
                        order.push(key);
                    }
                }
                Event::FootnoteReference(label) => {
                    *references.entry(footnote_key(label)).or_default() += 1;
                }
                _ => {}
            }
        }
        // Make the slugs unique such that no two notes share an id (label
        // `a` referenced twice and label `a-2` would both have `fnref-a-2`).
        // As in `IdSet::unique`, the search for a free suffix resumes where the last note
        // with the same base left off: thousands of labels that reduce to one slug stay
        // linear.
        let mut taken = IdSet::default();
        let mut next_suffix: HashMap<String, usize> = HashMap::new();
        for key in &order {
            if let Some(note) = notes.get_mut(key) {
                note.references = references.get(key).copied().unwrap_or(0);
                let base = std::mem::take(&mut note.slug);
                let n = next_suffix.entry(base.clone()).or_insert(0);
                note.slug = suffixed(&base, *n);
                while note.ids().any(|id| taken.contains(&id)) {
                    *n += 1;
                    note.slug = suffixed(&base, *n);
                }
                for id in note.ids() {
                    taken.reserve(&id);
                }
            }
        }
        Footnotes { notes, order }
    }

    /// Ids the footnotes will define: `fn-NAME`, `fnref-NAME`,
    /// `fnref-NAME-2`, ….
    fn reserved_ids(&self) -> Vec<String> {
        self.notes.values().flat_map(Note::ids).collect()
    }

    /// Keeps the first definition of a label; later duplicates are ignored.
    fn set_body(&mut self, key: &str, body: Vec<Event<'a>>) {
        if let Some(note) = self.notes.get_mut(key)
            && !note.has_body
        {
            note.body = body;
            note.has_body = true;
        }
    }

    /// Referenced notes by number.
    fn in_section_order(&self) -> Vec<&Note<'a>> {
        let mut notes: Vec<&Note<'a>> = self
            .order
            .iter()
            .filter_map(|key| self.notes.get(key))
            .filter(|note| note.number.is_some())
            .collect();
        notes.sort_by_key(|note| note.number);
        notes
    }

    /// Notes that no reference reached, in source order.
    fn unused(&self) -> impl Iterator<Item = &Note<'a>> {
        self.order
            .iter()
            .filter_map(|key| self.notes.get(key))
            .filter(|note| note.number.is_none())
    }
}

/// Footnote labels match case-insensitively, as in pulldown-cmark, and whatever their
/// Unicode normalization.
fn footnote_key(label: &str) -> String {
    ident::nfc(label).to_lowercase()
}

/// A footnote label reduced to characters that are safe in an id.
fn footnote_slug(label: &str) -> String {
    let slug: String = ident::nfc(label.trim())
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    if slug.is_empty() {
        "note".to_owned()
    } else {
        slug
    }
}

/// Id of the `n`-th (1-based) reference to a footnote.
fn reference_id(slug: &str, n: usize) -> String {
    if n <= 1 {
        format!("fnref-{slug}")
    } else {
        format!("fnref-{slug}-{n}")
    }
}

// ---------------------------------------------------------------------------
// Plain text

/// Accumulates the visible text of events: text and code, but no raw HTML,
/// no image alt text and no footnote numbers.
#[derive(Default)]
struct PlainText {
    out: String,
    /// The strongest separator seen since the last text.
    pending: &'static str,
    /// Depth inside images and HTML blocks, whose text is not shown.
    hidden: usize,
}

impl PlainText {
    fn push(&mut self, event: &Event<'_>) {
        match event {
            Event::Text(s) | Event::Code(s) if self.hidden == 0 => self.push_str(s),
            Event::Start(Tag::Image { .. }) => self.hidden += 1,
            Event::End(TagEnd::Image) => self.hidden = self.hidden.saturating_sub(1),
            Event::Start(Tag::HtmlBlock) => {
                self.hidden += 1;
                self.separate("\n\n");
            }
            Event::End(TagEnd::HtmlBlock) => {
                self.hidden = self.hidden.saturating_sub(1);
                self.separate("\n\n");
            }
            Event::SoftBreak => self.separate(" "),
            Event::HardBreak => self.separate("\n"),
            Event::Start(Tag::TableCell) | Event::End(TagEnd::TableCell) => self.separate(" "),
            Event::Start(Tag::TableHead | Tag::TableRow)
            | Event::End(TagEnd::TableHead | TagEnd::TableRow) => self.separate("\n"),
            Event::Start(tag) if !wraps_text(&tag.to_end()) => self.separate("\n\n"),
            Event::End(end) if !wraps_text(end) => self.separate("\n\n"),
            Event::Rule => self.separate("\n\n"),
            _ => {}
        }
    }

    /// Records a separator; of several in a row the strongest wins.
    fn separate(&mut self, separator: &'static str) {
        fn strength(separator: &str) -> u8 {
            match separator {
                "" => 0,
                " " => 1,
                "\n" => 2,
                _ => 3,
            }
        }
        if strength(separator) > strength(self.pending) {
            self.pending = separator;
        }
    }

    fn push_str(&mut self, s: &str) {
        if s.is_empty() {
            return;
        }
        let mut s = s;
        if !self.out.is_empty() {
            if !self.pending.is_empty() {
                self.out.truncate(self.out.trim_end().len());
                self.out.push_str(self.pending);
            }
            // Text after something hidden, like an image, may start with
            // the space that separated the two.
            if self.out.ends_with([' ', '\n']) {
                s = s.trim_start_matches(' ');
            }
        }
        self.pending = "";
        self.out.push_str(s);
    }

    fn finish(self) -> String {
        self.out.trim().to_owned()
    }
}

/// Inline tags whose content is ordinary running text (images are not:
/// their content is alt text).
fn wraps_text(end: &TagEnd) -> bool {
    matches!(
        end,
        TagEnd::Emphasis
            | TagEnd::Strong
            | TagEnd::Strikethrough
            | TagEnd::Superscript
            | TagEnd::Subscript
            | TagEnd::Link
    )
}

// ---------------------------------------------------------------------------
// HTML reused outside its page

/// A page's HTML made fit to be shown somewhere else (a summary in a list, an entry in a
/// feed): every `id` attribute is removed, since the page's ids would be repeated or clash
/// with another page's, and every fragment-only link (`href="#fn-1"`) is pointed at the
/// page itself (`href="/news/a/#fn-1"`) when its site path `page` is known.
///
/// Works on any HTML, raw HTML written in the Markdown included: tags are read with their
/// quoted attribute values, comments and the text of `<script>`, `<style>`, `<textarea>`
/// and `<title>` are copied as they are. Text between tags is never changed.
pub fn reusable_html(html: &str, page: Option<&str>) -> String {
    let mut out = String::with_capacity(html.len() + 16);
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        rest = &rest[lt..];
        if let Some(comment) = rest.strip_prefix("<!--") {
            let end = comment.find("-->").map_or(rest.len(), |i| i + 4 + 3);
            out.push_str(&rest[..end]);
            rest = &rest[end..];
            continue;
        }
        let name_len = rest[1..]
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(rest.len() - 1);
        if name_len == 0 || !rest.as_bytes()[1].is_ascii_alphabetic() {
            // An end tag, a doctype or a lone `<`: nothing to change.
            out.push('<');
            rest = &rest[1..];
            continue;
        }
        let name = rest[1..=name_len].to_ascii_lowercase();
        let tag_end = rewrite_tag(rest, name_len + 1, page, &mut out);
        rest = &rest[tag_end..];
        if matches!(name.as_str(), "script" | "style" | "textarea" | "title") {
            let close = format!("</{name}");
            let end = rest.to_ascii_lowercase().find(&close).unwrap_or(rest.len());
            out.push_str(&rest[..end]);
            rest = &rest[end..];
        }
    }
    out.push_str(rest);
    out
}

/// Copies the start tag at the beginning of `tag` (its name ends at byte `start`) to `out`
/// without `id` attributes and with fragment-only `href`s made absolute; returns the tag's
/// length.
fn rewrite_tag(tag: &str, start: usize, page: Option<&str>, out: &mut String) -> usize {
    let bytes = tag.as_bytes();
    out.push_str(&tag[..start]);
    let mut i = start;
    loop {
        // White space before an attribute (or before `>`, `/>`).
        let space_start = i;
        while bytes.get(i).is_some_and(u8::is_ascii_whitespace) {
            i += 1;
        }
        match bytes.get(i) {
            None => {
                out.push_str(&tag[space_start..]);
                return tag.len();
            }
            Some(b'>') => {
                out.push_str(&tag[space_start..=i]);
                return i + 1;
            }
            Some(b'/') => {
                out.push_str(&tag[space_start..=i]);
                i += 1;
                continue;
            }
            Some(_) => {}
        }
        let name_start = i;
        while bytes
            .get(i)
            .is_some_and(|b| !b.is_ascii_whitespace() && !matches!(b, b'=' | b'>' | b'/'))
        {
            i += 1;
        }
        let name = tag[name_start..i].to_ascii_lowercase();
        let mut j = i;
        while bytes.get(j).is_some_and(u8::is_ascii_whitespace) {
            j += 1;
        }
        // The value, as (start, end) of the text between its quotes, if there is one.
        let mut value = None;
        if bytes.get(j) == Some(&b'=') {
            j += 1;
            while bytes.get(j).is_some_and(u8::is_ascii_whitespace) {
                j += 1;
            }
            match bytes.get(j) {
                Some(&q @ (b'"' | b'\'')) => {
                    let close = tag[j + 1..]
                        .find(q as char)
                        .map_or(tag.len(), |k| j + 1 + k);
                    value = Some((j + 1, close));
                    j = (close + 1).min(tag.len());
                }
                _ => {
                    let v = j;
                    while bytes
                        .get(j)
                        .is_some_and(|b| !b.is_ascii_whitespace() && *b != b'>')
                    {
                        j += 1;
                    }
                    value = Some((v, j));
                }
            }
            i = j;
        }
        match (name.as_str(), value, page) {
            ("id", _, _) => {}
            ("href", Some((v, e)), Some(page)) if tag[v..e].starts_with('#') => {
                out.push_str(&tag[space_start..name_start]);
                out.push_str(&format!(
                    "href=\"{}{}\"",
                    crate::xml::escape(page),
                    tag[v..e].replace('"', "&quot;")
                ));
            }
            _ => out.push_str(&tag[space_start..i]),
        }
        if i == name_start {
            // Nothing was read (cannot happen: `=` starts a value); never loop forever.
            i += tag[i..].chars().next().map_or(1, char::len_utf8);
            out.push_str(&tag[name_start..i]);
        }
    }
}

// ---------------------------------------------------------------------------
// Directives and language spans

/// What a directive line is replaced with before the source is parsed again: an HTML
/// comment, a block of its own wherever it stands.
const PLACEHOLDER: &str = "<!--qiao-directive-->";

/// A directive line found in the text of a paragraph: its byte range (without the line
/// break) and what it says.
type DirectiveLine = (
    Range<usize>,
    Result<directive::Line, directive::SyntaxError>,
);

/// The lines of `source` that are directives: lines whose first characters start a text
/// event (so never in code, HTML or a link destination) with `::`. A container's fences
/// stand at the very start of a line; a leaf directive may stand in a list or a quote.
/// A bare `::word` that `expand` does not know stays text, and so do lines that are not
/// well-formed directives.
fn directive_lines(
    source: &str,
    events: &[(Event<'_>, Range<usize>)],
    expand: &dyn Expand,
) -> Vec<DirectiveLine> {
    let mut out = Vec::new();
    let mut in_code = 0usize;
    for (event, range) in events {
        match event {
            Event::Start(Tag::CodeBlock(_)) => in_code += 1,
            Event::End(TagEnd::CodeBlock) => in_code = in_code.saturating_sub(1),
            Event::Text(_) if in_code == 0 => {
                let start = range.start;
                let Some(rest) = source.get(start..) else {
                    continue;
                };
                if !rest.starts_with("::") {
                    continue;
                }
                // Only the markers of quotes and list items may stand before a leaf; the
                // walk back stops at the first other character, so a long line with many
                // `::` is not read again for each.
                let bytes = source.as_bytes();
                let line_start = match bytes[..start].iter().rposition(|b| {
                    !matches!(
                        b,
                        b' ' | b'\t' | b'>' | b'-' | b'*' | b'+' | b'.' | b')' | b'0'..=b'9'
                    )
                }) {
                    None => 0,
                    Some(i) if matches!(bytes[i], b'\n' | b'\r') => i + 1,
                    Some(_) => continue,
                };
                let prefix = &source[line_start..start];
                let end = start + rest.find(['\n', '\r']).unwrap_or(rest.len());
                let parsed = directive::parse_line(&source[start..end], start);
                let keep = match &parsed {
                    None => false,
                    Some(Ok(directive::Line::Close(_))) => prefix.is_empty(),
                    Some(Ok(directive::Line::Open(call, _))) => {
                        let placed = match call.kind {
                            directive::Kind::Leaf => true,
                            directive::Kind::Container => prefix.is_empty(),
                        };
                        placed && (call.explicit || call.name == "lang" || expand.knows(&call.name))
                    }
                    Some(Err(_)) => true,
                };
                if keep && let Some(parsed) = parsed {
                    out.push((start..end, parsed));
                }
            }
            _ => {}
        }
    }
    out
}

/// One directive line's HTML, found again by the offset of its placeholder.
#[derive(Debug)]
struct Placed {
    html: String,
    /// +1 when it opens an element with a `lang` of its own, -1 when it closes one.
    lang: i8,
    /// Where the directive stands in the source.
    line: usize,
    column: usize,
    /// The `#id` the directive was given: an anchor of the page.
    id: Option<String>,
}

/// The directive lines of a page, expanded, and their problems.
#[derive(Debug, Default)]
struct Placements {
    at: std::collections::BTreeMap<usize, Placed>,
    problems: Vec<DirectiveProblem>,
}

impl Placements {
    /// The placement whose placeholder lies in `range` of the substituted source.
    fn take(&mut self, range: &Range<usize>) -> Option<Placed> {
        let key = *self.at.range(range.clone()).next()?.0;
        self.at.remove(&key)
    }
}

/// An open container while the lines are placed.
struct OpenContainer {
    colons: usize,
    close: String,
    lang: i8,
    name: String,
    line: usize,
    column: usize,
}

/// Replaces each directive line with [`PLACEHOLDER`] and expands it. Closing fences that
/// close nothing are put back as text.
fn place_directives(
    source: &str,
    lines: Vec<DirectiveLine>,
    expand: &dyn Expand,
    options: &Options,
) -> (String, Placements) {
    let mut index = LineIndex::new(source);
    let mut placements = Placements::default();
    let mut out = String::with_capacity(source.len() + lines.len() * PLACEHOLDER.len());
    let mut open: Vec<OpenContainer> = Vec::new();
    let mut at = 0;
    let problem =
        |placements: &mut Placements, index: &mut LineIndex<'_>, p: directive::Problem| {
            let (line, column) = index.position(p.offset);
            placements.problems.push(DirectiveProblem {
                line,
                column,
                message: p.message,
                hint: p.hint,
            });
        };
    for (range, parsed) in lines {
        if range.start < at {
            // Lines come in document order, one per line; never read one twice.
            continue;
        }
        out.push_str(&source[at..range.start]);
        at = range.end;
        let (line, column) = index.position(range.start);
        let mut id = None;
        let (html, lang) = match parsed {
            Ok(directive::Line::Close(colons)) => {
                match open.last() {
                    Some(c) if colons >= c.colons => {}
                    _ => {
                        out.push_str(&source[range]);
                        continue;
                    }
                }
                let Some(c) = open.pop() else { continue };
                (c.close, -c.lang)
            }
            Ok(directive::Line::Open(call, colons)) => {
                id = call.attr("id").map(|a| ident::nfc(&a.value).into_owned());
                let label = call.label.as_ref().map(|(text, _)| render_label(text));
                let expanded = if call.name == "lang" && call.kind == directive::Kind::Container {
                    lang_block(&call, &options.languages)
                } else {
                    expand.expand(&call, label.as_deref())
                };
                let expanded = expanded.unwrap_or_else(|problems| {
                    for p in problems {
                        problem(&mut placements, &mut index, p);
                    }
                    match call.kind {
                        directive::Kind::Leaf => directive::Expansion::Leaf(String::new()),
                        directive::Kind::Container => directive::Expansion::Container {
                            open: String::new(),
                            close: String::new(),
                        },
                    }
                });
                match expanded {
                    directive::Expansion::Leaf(html) => (html, 0),
                    directive::Expansion::Container { open: html, close } => {
                        let lang = i8::from(call.name == "lang");
                        let (line, column) = index.position(call.offset);
                        open.push(OpenContainer {
                            colons,
                            close,
                            lang,
                            name: call.name,
                            line,
                            column,
                        });
                        (html, lang)
                    }
                }
            }
            Err(e) => {
                problem(
                    &mut placements,
                    &mut index,
                    directive::Problem {
                        offset: e.offset,
                        message: format!("malformed directive: {}", e.message),
                        hint: "write it as `::name[label]{key=\"value\"}` on a line of its own \
                               (docs/directives.md); to show the text as it is, start the \
                               line with a backslash (`\\::`)"
                            .to_string(),
                    },
                );
                (String::new(), 0)
            }
        };
        placements.at.insert(
            out.len(),
            Placed {
                html: ensure_newline(html),
                lang,
                line,
                column,
                id,
            },
        );
        out.push_str(PLACEHOLDER);
    }
    out.push_str(&source[at..]);
    for c in open.into_iter().rev() {
        placements.problems.push(DirectiveProblem {
            line: c.line,
            column: c.column,
            message: format!("the container `:::{}` is never closed", c.name),
            hint: format!(
                "end it with a line of {} colons (`{}`) at the start of a line",
                c.colons,
                ":".repeat(c.colons)
            ),
        });
    }
    (out, placements)
}

fn ensure_newline(mut html: String) -> String {
    if !html.is_empty() && !html.ends_with('\n') {
        html.push('\n');
    }
    html
}

/// A label's inline Markdown as HTML.
fn render_label(label: &str) -> String {
    let mut out = String::new();
    html::push_html(&mut out, Parser::new_ext(label, parser_options()));
    let trimmed = out.trim_end();
    match trimmed
        .strip_prefix("<p>")
        .and_then(|t| t.strip_suffix("</p>"))
    {
        Some(inner) => inner.to_string(),
        None => trimmed.to_string(),
    }
}

/// The built-in block form of a language span, `:::lang{lang=zh}` … `:::`.
fn lang_block(
    call: &directive::Call,
    languages: &[(String, String)],
) -> Result<directive::Expansion, Vec<directive::Problem>> {
    let mut problems = Vec::new();
    let mut locale = None;
    for attr in &call.attrs {
        if attr.key == "lang" {
            match directive::lang_value(attr, languages) {
                Ok(l) => locale = Some(l),
                Err(message) => problems.push(directive::Problem {
                    offset: attr.value_offset,
                    message,
                    hint: lang_hint(languages),
                }),
            }
        } else {
            problems.push(directive::Problem {
                offset: attr.offset,
                message: format!("`:::lang` has no argument `{}`", attr.key),
                hint: "it takes only `lang`: `:::lang{lang=zh}`".to_string(),
            });
        }
    }
    match locale {
        Some(l) if problems.is_empty() => Ok(directive::Expansion::Container {
            open: format!("<div lang=\"{}\">", escape_attr(&l)),
            close: "</div>".to_string(),
        }),
        None if problems.is_empty() => Err(vec![directive::Problem {
            offset: call.offset,
            message: "`:::lang` needs the language of the block".to_string(),
            hint: "write `:::lang{lang=zh}`".to_string(),
        }]),
        _ => Err(problems),
    }
}

fn lang_hint(languages: &[(String, String)]) -> String {
    let codes: Vec<&str> = languages.iter().map(|(c, _)| c.as_str()).collect();
    format!(
        "use one of the site's languages ({}) or a BCP 47 tag such as `ja` or `en-GB`",
        codes.join(", ")
    )
}

/// `&`, `"`, `<` and `>` escaped for an attribute value.
fn escape_attr(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// The longest `{…}` after a span's `]` that is read as its attributes.
const SPAN_ATTRIBUTES_MAX: usize = 256;

/// One piece of what a language span's events become.
#[derive(Debug)]
enum SpanPiece<'a> {
    /// `<span lang="…">`
    Open(String),
    /// `</span>`
    Close,
    /// Text that stays.
    Text(CowStr<'a>),
}

/// The language spans of a body, `[以上]{lang=zh}`: for each event that a span's `[`, `]`
/// and `{…}` stand in, what replaces it. The brackets must enclose inline content of one
/// paragraph (an unmatched `[` and `]` in pulldown-cmark's text) and the attributes follow
/// the `]` at once, on the same line, without escapes.
fn lang_spans<'a>(
    source: &'a str,
    events: &[(Event<'a>, Range<usize>)],
    languages: &[(String, String)],
    lines: &mut LineIndex<'_>,
) -> (HashMap<usize, Vec<SpanPiece<'a>>>, Vec<DirectiveProblem>) {
    let mut edits: HashMap<usize, Vec<SpanPiece<'a>>> = HashMap::new();
    let mut problems = Vec::new();
    if !source.contains("]{") {
        return (edits, problems);
    }
    let raw = |range: &Range<usize>| source.get(range.clone()).unwrap_or("");
    let mut openers: Vec<(usize, usize)> = Vec::new();
    let mut depth = 0usize;
    let mut hidden = 0usize;
    for (i, (event, range)) in events.iter().enumerate() {
        match event {
            Event::Start(tag) => {
                depth += 1;
                if matches!(tag, Tag::Image { .. } | Tag::CodeBlock(_)) {
                    hidden += 1;
                }
            }
            Event::End(end) => {
                depth = depth.saturating_sub(1);
                if matches!(end, TagEnd::Image | TagEnd::CodeBlock) {
                    hidden = hidden.saturating_sub(1);
                }
                // Openers are pushed at the current depth, so the stack's depths never
                // decrease from bottom to top: those of the closed element are on top.
                while openers.last().is_some_and(|(_, d)| *d > depth) {
                    openers.pop();
                }
            }
            Event::Text(text) if hidden == 0 && raw(range) == text.as_ref() => {
                if source[..range.start].ends_with('\\') {
                    // `\[` and `\]`: escaped, so not a span's brackets.
                    continue;
                }
                if text.starts_with('[') {
                    openers.push((i, depth));
                    continue;
                }
                if !text.starts_with(']') || !source[range.start + 1..].starts_with('{') {
                    continue;
                }
                let pos = openers.len().wrapping_sub(1);
                if openers.last().is_none_or(|(_, d)| *d != depth) {
                    continue;
                }
                // Attributes end on their line, and a span's are short: reading at most a
                // window of the line keeps a page full of `]{"` linear.
                let from = range.start + 1;
                let mut window = (from + SPAN_ATTRIBUTES_MAX).min(source.len());
                while !source.is_char_boundary(window) {
                    window -= 1;
                }
                let window = source[from..window]
                    .find(['\n', '\r'])
                    .map_or(window, |i| from + i);
                let Some(Ok((attrs, end))) = directive::parse_attrs(&source[..window], from) else {
                    continue;
                };
                let Some(lang) = attrs.iter().find(|a| a.key == "lang") else {
                    continue;
                };
                // The events the `]{…}` stands in: plain text, one after the other.
                let mut last = i;
                while events[last].1.end < end {
                    match events.get(last + 1) {
                        Some((Event::Text(t), r))
                            if r.start == events[last].1.end && raw(r) == t.as_ref() =>
                        {
                            last += 1;
                        }
                        _ => break,
                    }
                }
                if events[last].1.end < end {
                    continue;
                }
                let mut at = |offset: usize, message: String, hint: String| {
                    let (line, column) = lines.position(offset);
                    problems.push(DirectiveProblem {
                        line,
                        column,
                        message,
                        hint,
                    });
                };
                let locale = match directive::lang_value(lang, languages) {
                    Ok(l) => l,
                    Err(message) => {
                        at(lang.value_offset, message, lang_hint(languages));
                        lang.value.clone()
                    }
                };
                for other in attrs.iter().filter(|a| a.key != "lang") {
                    at(
                        other.offset,
                        format!("a language span has no attribute `{}`", other.key),
                        "it takes only `lang`: `[以上]{lang=zh}`".to_string(),
                    );
                }
                let (opener, _) = openers[pos];
                openers.truncate(pos);
                let open_text = match &events[opener].0 {
                    Event::Text(t) => t.clone(),
                    _ => CowStr::Borrowed(""),
                };
                let mut open = vec![SpanPiece::Open(locale)];
                if open_text.len() > 1 {
                    open.push(SpanPiece::Text(CowStr::Borrowed(
                        &source[events[opener].1.start + 1..events[opener].1.end],
                    )));
                }
                edits.insert(opener, open);
                for k in i..=last {
                    edits.insert(k, Vec::new());
                }
                if let Some(close) = edits.get_mut(&i) {
                    close.push(SpanPiece::Close);
                }
                let rest = &source[end..events[last].1.end];
                if !rest.is_empty()
                    && let Some(tail) = edits.get_mut(&last)
                {
                    tail.push(SpanPiece::Text(CowStr::Borrowed(rest)));
                }
            }
            _ => {}
        }
    }
    (edits, problems)
}

// ---------------------------------------------------------------------------
// Positions and percent-decoding

/// Converts byte offsets in the source to 1-based line and char column.
struct LineIndex<'s> {
    source: &'s str,
    /// Byte offset of the start of each line.
    starts: Vec<usize>,
    /// The last position asked for: (start of its line, offset, 0-based column). Links come
    /// in document order, so the column of the next one on the same line is counted on from
    /// there; counting from the start of the line each time made a line with thousands of
    /// links (a hand-written table of contents) quadratic.
    last: (usize, usize, usize),
}

impl<'s> LineIndex<'s> {
    fn new(source: &'s str) -> Self {
        let bytes = source.as_bytes();
        let mut starts = vec![0];
        for (i, &b) in bytes.iter().enumerate() {
            let ends_line = b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n'));
            if ends_line {
                starts.push(i + 1);
            }
        }
        LineIndex {
            source,
            starts,
            last: (0, 0, 0),
        }
    }

    fn position(&mut self, offset: usize) -> (usize, usize) {
        let line = self.starts.partition_point(|&start| start <= offset).max(1);
        let start = self.starts.get(line - 1).copied().unwrap_or(0);
        let (from, counted) = match self.last {
            (line_start, at, column) if line_start == start && at <= offset => (at, column),
            _ => (start, 0),
        };
        let column = match self.source.get(from..offset) {
            Some(s) => counted + s.chars().count(),
            None => offset.saturating_sub(start),
        };
        self.last = (start, offset, column);
        (line, column + 1)
    }
}

/// A destination relative to the current page: no scheme, not root-relative, not only a
/// fragment or a query, not empty.
fn is_relative(dest: &str) -> bool {
    let scheme = dest.split_once(':').is_some_and(|(s, _)| {
        !s.is_empty()
            && s.starts_with(|c: char| c.is_ascii_alphabetic())
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    });
    !(dest.is_empty() || scheme || dest.starts_with(['/', '#', '?']))
}

/// A destination from the root of the site: `/news/`, not `//host/x`.
fn is_root_relative(dest: &str) -> bool {
    dest.starts_with('/') && !dest.starts_with("//")
}

/// Resolves `dest` against the directory path `base` (ending in `/`), folding `.` and `..`
/// segments without climbing above the root.
fn join_relative(base: &str, dest: &str) -> String {
    let (path, rest) = match dest.find(['#', '?']) {
        Some(i) => (&dest[..i], &dest[i..]),
        None => (dest, ""),
    };
    let mut segs: Vec<&str> = base.split('/').filter(|s| !s.is_empty()).collect();
    let trailing = path.ends_with('/');
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                segs.pop();
            }
            s => segs.push(s),
        }
    }
    let mut out = format!("/{}", segs.join("/"));
    if trailing && !out.ends_with('/') {
        out.push('/');
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolver(path: &str) -> Option<String> {
        match path {
            "news/unveiling.md" => Some("/en/news/unveiling/".to_owned()),
            "bases/x/photo.jpg" => Some("/bases/x/photo.jpg".to_owned()),
            _ => None,
        }
    }

    fn md(source: &str) -> Rendered {
        render(source, &Options::default(), &resolver)
    }

    fn heading_ids(source: &str) -> Vec<String> {
        fn walk(entries: &[TocEntry], out: &mut Vec<String>) {
            for entry in entries {
                out.push(entry.id.clone());
                walk(&entry.children, out);
            }
        }
        let mut ids = Vec::new();
        walk(&md(source).toc, &mut ids);
        ids
    }

    #[test]
    fn cjk_soft_break_is_removed() {
        let r = md("中欧合作区\n挂牌仪式");
        assert_eq!(r.html, "<p>中欧合作区挂牌仪式</p>\n");
        assert_eq!(r.text, "中欧合作区挂牌仪式");
    }

    #[test]
    fn cjk_punctuation_and_kana_join_too() {
        assert_eq!(md("合作区，\n（江门）").html, "<p>合作区，（江门）</p>\n");
        assert_eq!(md("ひらがな\nカタカナ").html, "<p>ひらがなカタカナ</p>\n");
        assert_eq!(md("全角ＡＢＣ\n。").html, "<p>全角ＡＢＣ。</p>\n");
    }

    #[test]
    fn ambiguous_punctuation_takes_its_role_from_context() {
        // Quotation marks, dashes and ellipses are East Asian next to Chinese…
        assert_eq!(md("他说\n“你好”").html, "<p>他说“你好”</p>\n");
        assert_eq!(md("“你好”\n他说").html, "<p>“你好”他说</p>\n");
        assert_eq!(md("他说：“\n你好”").html, "<p>他说：“你好”</p>\n");
        assert_eq!(md("合作区——\n江门").html, "<p>合作区——江门</p>\n");
        assert_eq!(md("等等……\n然后").html, "<p>等等……然后</p>\n");
        assert_eq!(
            md("他说\n**“你好”**").html,
            "<p>他说<strong>“你好”</strong></p>\n"
        );
        // … and Western next to Latin text, on either side of the break.
        assert_eq!(md("He said\n“hello”").html, "<p>He said\n“hello”</p>\n");
        assert_eq!(md("“Hello”\nhe said").html, "<p>“Hello”\nhe said</p>\n");
        assert_eq!(md("他说\n“Hello”").html, "<p>他说\n“Hello”</p>\n");
        assert_eq!(md("‘Zone’\n合作区").html, "<p>‘Zone’\n合作区</p>\n");
        // Only punctuation up to the edge of the run: the other side decides.
        assert_eq!(md("江门\n“").html, "<p>江门“</p>\n");
        assert_eq!(md("Zone\n“").html, "<p>Zone\n“</p>\n");
        assert_eq!(md("“\n”").html, "<p>“\n”</p>\n");
    }

    #[test]
    fn latin_soft_break_is_kept() {
        let r = md("Sino-European\ncooperation zone");
        assert_eq!(r.html, "<p>Sino-European\ncooperation zone</p>\n");
        assert_eq!(r.text, "Sino-European cooperation zone");
        assert_eq!(md("Ziele für\n2018").html, "<p>Ziele für\n2018</p>\n");
    }

    #[test]
    fn mixed_cjk_latin_soft_break_is_kept() {
        assert_eq!(md("合作区\nZone").html, "<p>合作区\nZone</p>\n");
        assert_eq!(md("Jiangmen\n合作区").html, "<p>Jiangmen\n合作区</p>\n");
        assert_eq!(md("合作区\nZone").text, "合作区 Zone");
    }

    #[test]
    fn hangul_soft_break_is_kept() {
        // Korean separates words with spaces.
        assert_eq!(md("한국어\n문장").html, "<p>한국어\n문장</p>\n");
    }

    #[test]
    fn soft_break_across_inline_tags() {
        assert_eq!(md("**江门**\n市").html, "<p><strong>江门</strong>市</p>\n");
        assert_eq!(md("江门\n*市*").html, "<p>江门<em>市</em></p>\n");
        assert_eq!(
            md("[江门](https://example.com/)\n~~市~~").html,
            "<p><a href=\"https://example.com/\">江门</a><del>市</del></p>\n"
        );
        assert_eq!(md("`江门`\n市").html, "<p><code>江门</code>市</p>\n");
    }

    #[test]
    fn soft_break_kept_when_unsure() {
        // An image or inline HTML next to the break: keep it.
        assert_eq!(
            md("江门![图](a.png)\n市").html,
            "<p>江门<img src=\"a.png\" alt=\"图\" />\n市</p>\n"
        );
        assert_eq!(md("江门<br>\n市").html, "<p>江门<br>\n市</p>\n");
    }

    #[test]
    fn chinese_heading_keeps_its_characters() {
        assert_eq!(
            heading_ids("# 各级领导嘉宾共同见证合作区挂牌"),
            ["各级领导嘉宾共同见证合作区挂牌"]
        );
        assert_eq!(
            heading_ids("## 合作区，“江门”（2018）《报告》。"),
            ["合作区-江门-2018-报告"]
        );
        let r = md("# 各级领导嘉宾共同见证合作区挂牌");
        assert_eq!(
            r.html,
            "<h1 id=\"各级领导嘉宾共同见证合作区挂牌\">各级领导嘉宾共同见证合作区挂牌</h1>\n"
        );
    }

    #[test]
    fn german_heading_keeps_umlauts() {
        assert_eq!(heading_ids("## Ziele für 2018"), ["ziele-für-2018"]);
        assert_eq!(
            heading_ids("## Über Straße & Größe!"),
            ["über-straße-größe"]
        );
        // Decomposed umlaut (as typed on some systems) stays one word, composed.
        assert_eq!(heading_ids("## Fu\u{308}r alle"), ["für-alle"]);
        assert_eq!(
            heading_ids("## *Wichtig*: `code` [Link](x)"),
            ["wichtig-code-link"]
        );
    }

    #[test]
    fn empty_heading_becomes_section() {
        assert_eq!(
            heading_ids("# !!!\n\n# ...\n\n#"),
            ["section", "section-1", "section-2"]
        );
    }

    #[test]
    fn duplicate_heading_ids_are_numbered() {
        assert_eq!(
            heading_ids("# Intro\n## Intro\n### Intro"),
            ["intro", "intro-1", "intro-2"]
        );
        // Ids taken by explicit ids and footnotes are skipped.
        assert_eq!(
            heading_ids(
                "# Intro\n# Other {#intro-1}\n# Intro\n# Fn note\n\nx[^note]\n\n[^note]: n"
            ),
            ["intro", "intro-1", "intro-2", "fn-note-1"]
        );
        // An explicit id later in the page still wins over a generated one.
        assert_eq!(
            heading_ids("# Intro\n# Other {#intro}"),
            ["intro-1", "intro"]
        );
    }

    #[test]
    fn generated_ids_avoid_the_template_ids() {
        let options = Options {
            reserved_ids: vec!["main".to_owned(), "toc-title".to_owned()],
            ..Options::default()
        };
        let r = render("## Main\n\n## TOC title\n\n## Other", &options, &resolver);
        assert!(r.html.contains("<h2 id=\"main-1\">Main</h2>"), "{}", r.html);
        assert!(r.html.contains("<h2 id=\"toc-title-1\">"), "{}", r.html);
        assert!(r.html.contains("<h2 id=\"other\">"), "{}", r.html);
    }

    #[test]
    fn thousands_of_identical_headings_get_consecutive_ids() {
        // A long changelog: `### Fixes` under every release, and one explicit id in the way.
        let mut source = String::from("## Fixes {#fixes-3}\n");
        for _ in 0..5000 {
            source.push_str("### Fixes\n");
        }
        let ids = heading_ids(&source);
        assert_eq!(ids.len(), 5001);
        assert_eq!(
            ids[..6],
            [
                "fixes-3", "fixes", "fixes-1", "fixes-2", "fixes-4", "fixes-5"
            ]
        );
        assert_eq!(ids[5000], "fixes-5000");
        let mut seen = HashSet::new();
        assert!(ids.iter().all(|id| seen.insert(id)));
    }

    #[test]
    fn thousands_of_footnote_labels_that_reduce_to_one_slug_stay_distinct() {
        // `a→`, `a∀`, `a┼` ... all reduce to `a-`; `a` is referenced twice.
        let marks: Vec<char> = ('\u{2190}'..'\u{2c00}')
            .filter(|c| !c.is_alphanumeric() && !c.is_whitespace())
            .filter(|c| c.to_lowercase().eq([*c]) && c.to_uppercase().eq([*c]))
            .take(2000)
            .collect();
        assert_eq!(marks.len(), 2000);
        let mut text = String::from("x[^a] y[^a]");
        let mut defs = String::from("[^a]: A\n");
        for (i, mark) in marks.iter().enumerate() {
            let label = format!("a{mark}");
            text.push_str(&format!(" t[^{label}]"));
            defs.push_str(&format!("[^{label}]: n{i}\n"));
        }
        let r = md(&format!("{text}\n\n{defs}"));
        let mut seen = HashSet::new();
        assert!(r.anchors.iter().all(|id| seen.insert(id)), "duplicate id");
        // 2 references to `a`, and for each of the 2000 others one reference and one note.
        assert_eq!(r.anchors.len(), 2 + 1 + 2 * 2000);
        assert!(
            r.html.contains("<li id=\"fn-a-\">"),
            "first of them keeps the slug"
        );
        assert!(
            r.html.contains("<li id=\"fn-a--1\">"),
            "later ones are numbered"
        );
        assert!(
            r.html.contains("<li id=\"fn-a--1999\">"),
            "{}",
            r.html.len()
        );
    }

    #[test]
    fn links_on_one_long_line_have_their_own_columns() {
        // a table of contents written by hand: thousands of links on one line
        let mut source = String::from("目录：");
        for _ in 0..3000 {
            source.push_str("[节](@/news/x.md) ");
        }
        source.push_str("\n[末](@/news/x.md)");
        let r = md(&source);
        assert_eq!(r.links.len(), 3001);
        let columns: Vec<(usize, usize)> = r.links.iter().map(|l| (l.line, l.column)).collect();
        assert_eq!(columns[0], (1, 4));
        assert_eq!(columns[1], (1, 4 + 17));
        assert_eq!(columns[2999], (1, 4 + 17 * 2999));
        assert_eq!(columns[3000], (2, 1));
    }

    #[test]
    fn explicit_id_wins() {
        let r = md("# Title {#custom-id .class}");
        assert_eq!(r.html, "<h1 id=\"custom-id\" class=\"class\">Title</h1>\n");
        assert_eq!(r.toc[0].id, "custom-id");
        assert_eq!(r.toc[0].title, "Title");
        assert_eq!(r.anchors, ["custom-id"]);
    }

    /// The TOC as `title(children) title(children)`.
    fn outline(entries: &[TocEntry]) -> String {
        let parts: Vec<String> = entries
            .iter()
            .map(|e| match e.children.as_slice() {
                [] => e.title.clone(),
                children => format!("{}({})", e.title, outline(children)),
            })
            .collect();
        parts.join(" ")
    }

    #[test]
    fn toc_nests_by_level() {
        let r = md("# A\n## B\n### C\n## *D* `d`\n#### E\n# F");
        assert_eq!(outline(&r.toc), "A(B(C) D d(E)) F");
        let d = &r.toc[0].children[1];
        assert_eq!((d.level, d.id.as_str()), (2, "d-d"));
        assert_eq!(d.children[0].level, 4);
        // A page starting below h1 still gets top-level entries.
        assert_eq!(
            outline(&md("### Deep\n## Up\n# Top\n## Down").toc),
            "Deep Up Top(Down)"
        );
    }

    #[test]
    fn toc_serializes_for_templates() {
        let toc = md("# 标题\n## Ziel").toc;
        let json = serde_json::to_string(&*toc).unwrap_or_default();
        assert_eq!(
            json,
            r#"[{"level":1,"id":"标题","title":"标题","children":[{"level":2,"id":"ziel","title":"Ziel","children":[]}]}]"#
        );
    }

    #[test]
    fn footnotes_go_to_the_end_with_back_links() {
        let r = md("B[^b] and A[^a].\n\n[^a]: Note A.\n\nMiddle.\n\n[^b]: Note B.\n\nAgain B[^b].");
        assert_eq!(
            r.html,
            "<p>B<sup class=\"footnote-ref\"><a href=\"#fn-b\" id=\"fnref-b\">1</a></sup> and \
             A<sup class=\"footnote-ref\"><a href=\"#fn-a\" id=\"fnref-a\">2</a></sup>.</p>\n\
             <p>Middle.</p>\n\
             <p>Again B<sup class=\"footnote-ref\"><a href=\"#fn-b\" id=\"fnref-b-2\">1</a></sup>.</p>\n\
             <section class=\"footnotes\" role=\"doc-endnotes\">\n<ol>\n\
             <li id=\"fn-b\">\n<p>Note B. <a href=\"#fnref-b\" class=\"footnote-backref\" role=\"doc-backlink\">↩</a> \
             <a href=\"#fnref-b-2\" class=\"footnote-backref\" role=\"doc-backlink\">↩<sup>2</sup></a></p>\n</li>\n\
             <li id=\"fn-a\">\n<p>Note A. <a href=\"#fnref-a\" class=\"footnote-backref\" role=\"doc-backlink\">↩</a></p>\n</li>\n\
             </ol>\n</section>\n"
        );
        for id in ["fnref-b", "fnref-a", "fnref-b-2", "fn-b", "fn-a"] {
            assert!(
                r.anchors.contains(&id.to_owned()),
                "{id} missing in {:?}",
                r.anchors
            );
        }
        assert_eq!(
            r.text,
            "B and A.\n\nMiddle.\n\nAgain B.\n\nNote B.\n\nNote A."
        );
    }

    #[test]
    fn footnote_names_are_sanitized_and_case_insensitive() {
        let r = md("x[^Mein.Hinweis]\n\n[^mein.hinweis]: Text");
        assert!(
            r.html
                .contains("<a href=\"#fn-mein-hinweis\" id=\"fnref-mein-hinweis\">1</a>")
        );
        assert!(r.html.contains("<li id=\"fn-mein-hinweis\">"));
        let r = md("x[^注释]\n\n[^注释]: 说明");
        assert!(r.html.contains("<li id=\"fn-注释\">"));
    }

    #[test]
    fn footnote_ids_never_collide() {
        let r = md("x[^a] y[^a] z[^a-2] w[^a b]\n\n[^a]: A\n[^a-2]: B\n[^a b]: C");
        assert!(r.html.contains("<li id=\"fn-a-2-1\">"), "{}", r.html);
        assert!(r.html.contains("<li id=\"fn-a-b\">"));
        let mut seen = HashSet::new();
        assert!(
            r.anchors.iter().all(|id| seen.insert(id)),
            "{:?}",
            r.anchors
        );
    }

    #[test]
    fn footnote_defined_in_a_quote_listed_unreferenced_left_out() {
        let r =
            md("> [^q]: Quoted note.\n\nText[^q].\n\nMore.\n  [^u]: Unused.\n\n[^v]: Also unused.");
        let section = r.html.split("<section").nth(1).unwrap_or_default();
        assert!(section.contains("<li id=\"fn-q\">\n<p>Quoted note. <a href=\"#fnref-q\""));
        assert!(!r.html.contains("Unused"), "{}", r.html);
        assert!(!r.anchors.contains(&"fn-u".to_owned()));
        assert!(!r.text.contains("nused"), "{}", r.text);
        assert_eq!(
            r.unused_footnotes,
            [
                UnusedFootnote {
                    label: "u".into(),
                    line: 6,
                    column: 3
                },
                UnusedFootnote {
                    label: "v".into(),
                    line: 8,
                    column: 1
                }
            ]
        );
        assert!(
            !r.html
                .split("<section")
                .next()
                .unwrap_or_default()
                .contains("Quoted note")
        );
    }

    #[test]
    fn undefined_footnote_stays_literal() {
        let r = md("Text[^nope] here.");
        assert_eq!(r.html, "<p>Text[^nope] here.</p>\n");
        assert!(r.anchors.is_empty());
        assert!(!r.html.contains("footnotes"));
    }

    #[test]
    fn summary_before_more_marker() {
        let r = md("Intro *para*.\n\n<!-- more -->\n\nRest.");
        assert_eq!(
            r.summary_html.as_deref(),
            Some("<p>Intro <em>para</em>.</p>\n")
        );
        assert_eq!(
            r.html,
            "<p>Intro <em>para</em>.</p>\n<span id=\"continue-reading\"></span>\n<p>Rest.</p>\n"
        );
        assert!(!r.html.contains("more"));
        assert_eq!(r.anchors, [CONTINUE_READING_ID]);
        assert_eq!(r.text, "Intro para.\n\nRest.");
        // Surrounding whitespace is allowed; only the first marker counts.
        let r = md("A\n\n  <!-- more -->  \n\nB\n\n<!-- more -->\n");
        assert_eq!(r.summary_html.as_deref(), Some("<p>A</p>\n"));
        assert!(r.html.ends_with("<p>B</p>\n<!-- more -->\n"));
    }

    #[test]
    fn summary_after_a_list_is_well_formed() {
        for source in [
            "- one\n- two\n<!-- more -->\nrest",
            "1. one\n2. two\n\n<!-- more -->\n\nrest",
        ] {
            let summary = md(source).summary_html.unwrap_or_default();
            let list = if source.starts_with('-') { "ul" } else { "ol" };
            assert_eq!(
                &*summary,
                format!("<{list}>\n<li>one</li>\n<li>two</li>\n</{list}>\n")
            );
        }
    }

    #[test]
    fn marker_must_be_top_level_and_exact() {
        for source in [
            "- a\n\n  <!-- more -->\n",
            "> <!-- more -->\n",
            "```\n<!-- more -->\n```\n",
            "<!-- more --> text\n",
            "<!-- more\n-->\n",
            "No marker.",
        ] {
            let r = md(source);
            assert_eq!(r.summary_html, None, "{source:?}");
            assert!(!r.anchors.contains(&CONTINUE_READING_ID.to_owned()));
        }
    }

    #[test]
    fn first_paragraph_is_top_level() {
        let r =
            md("# Title\n\n> quoted\n\n- item\n\n  loose\n\nFirst *real* paragraph.\n\nSecond.");
        assert_eq!(
            r.first_paragraph_html.as_deref(),
            Some("<p>First <em>real</em> paragraph.</p>\n")
        );
        assert_eq!(md("# Only a heading").first_paragraph_html, None);
        assert_eq!(
            md("中欧\n合作区[^1]\n\n[^1]: n")
                .first_paragraph_html
                .as_deref(),
            Some("<p>中欧合作区<sup class=\"footnote-ref\"><a href=\"#fn-1\">1</a></sup></p>\n")
        );
    }

    #[test]
    fn relative_links_are_based_on_the_page_path() {
        let opts = Options {
            base_path: Some("/en/news/photos/".into()),
            ..Options::default()
        };
        let r = render(
            "![a](photo.jpg) [b](../other/#x) [c](./sub/page.html?q=1) [d](/abs/) [e](https://x.org/y) [f](#top) [g](mailto:a@b.c) [h](../../../../up/)",
            &opts,
            &resolver,
        );
        assert!(
            r.html
                .contains(r#"<img src="/en/news/photos/photo.jpg" alt="a" />"#),
            "{}",
            r.html
        );
        assert!(r.html.contains(r#"<a href="/en/news/other/#x">b</a>"#));
        assert!(
            r.html
                .contains(r#"<a href="/en/news/photos/sub/page.html?q=1">c</a>"#)
        );
        assert!(r.html.contains(r#"<a href="/abs/">d</a>"#));
        assert!(r.html.contains(r#"<a href="https://x.org/y">e</a>"#));
        assert!(r.html.contains(r##"<a href="#top">f</a>"##));
        assert!(r.html.contains(r#"<a href="mailto:a@b.c">g</a>"#));
        assert!(r.html.contains(r#"<a href="/up/">h</a>"#));
    }

    #[test]
    fn root_relative_links_get_the_site_root_and_local_links_are_listed() {
        let opts = Options {
            base_path: Some("/sub/en/news/x/".into()),
            site_root: Some("/sub/".into()),
            ..Options::default()
        };
        let r = render(
            "[a](/news/about/#top) ![b](/logo.png)\n[c](foto.jpg?v=1) [d](//cdn.example/x) [e](@/news/unveiling.md)",
            &opts,
            &resolver,
        );
        assert!(
            r.html.contains(r#"<a href="/sub/news/about/#top">a</a>"#),
            "{}",
            r.html
        );
        assert!(r.html.contains(r#"<img src="/sub/logo.png" alt="b" />"#));
        assert!(
            r.html
                .contains(r#"<a href="/sub/en/news/x/foto.jpg?v=1">c</a>"#)
        );
        assert!(r.html.contains(r#"<a href="//cdn.example/x">d</a>"#));
        let local: Vec<(&str, &str, usize, usize)> = r
            .local_links
            .iter()
            .map(|l| (l.written.as_str(), l.path.as_str(), l.line, l.column))
            .collect();
        assert_eq!(
            local,
            [
                ("/news/about/#top", "/sub/news/about/", 1, 1),
                ("/logo.png", "/sub/logo.png", 1, 23),
                ("foto.jpg?v=1", "/sub/en/news/x/foto.jpg", 2, 1),
            ]
        );
    }

    #[test]
    fn internal_link_resolved_with_anchor() {
        let r = md(
            "[新闻](@/news/unveiling.md#%E7%8E%B0%E5%9C%BA) [b](@/news/unveiling.md#现场) [c](@/news/unveiling.md)",
        );
        assert_eq!(
            r.html,
            "<p><a href=\"/en/news/unveiling/#%E7%8E%B0%E5%9C%BA\">新闻</a> \
             <a href=\"/en/news/unveiling/#%E7%8E%B0%E5%9C%BA\">b</a> \
             <a href=\"/en/news/unveiling/\">c</a></p>\n"
        );
        let anchors: Vec<Option<&str>> = r.links.iter().map(|l| l.anchor.as_deref()).collect();
        assert_eq!(anchors, [Some("现场"), Some("现场"), None]);
        assert!(
            r.links
                .iter()
                .all(|l| l.resolved && l.target == "news/unveiling.md")
        );
    }

    #[test]
    fn unresolved_link_reports_line_and_char_column() {
        let r =
            md("第一行\n\n合作区挂牌 [链接](@/missing.md#ziel) und ![Foto](@/bases/x/photo.jpg)");
        assert_eq!(
            r.links,
            [
                InternalLink {
                    target: "missing.md".to_owned(),
                    anchor: Some("ziel".to_owned()),
                    line: 3,
                    column: 7,
                    resolved: false,
                },
                InternalLink {
                    target: "bases/x/photo.jpg".to_owned(),
                    anchor: None,
                    line: 3,
                    column: 35,
                    resolved: true,
                },
            ]
        );
        assert!(r.html.contains("<a href=\"#\">链接</a>"));
        assert!(
            r.html
                .contains("<img src=\"/bases/x/photo.jpg\" alt=\"Foto\" />")
        );
    }

    #[test]
    fn unresolved_image_keeps_src_and_other_links_are_untouched() {
        let r = md(
            "![照片](@/bases/y.jpg)\n[a](https://example.com/@/x) [b](../c.md) [c][ref]\n\n[ref]: @/news/unveiling.md",
        );
        assert!(
            r.html
                .contains("<img src=\"@/bases/y.jpg\" alt=\"照片\" />")
        );
        assert!(r.html.contains("<a href=\"https://example.com/@/x\">a</a>"));
        assert!(r.html.contains("<a href=\"../c.md\">b</a>"));
        assert!(r.html.contains("<a href=\"/en/news/unveiling/\">c</a>"));
        let found: Vec<(&str, bool, usize, usize)> = r
            .links
            .iter()
            .map(|l| (l.target.as_str(), l.resolved, l.line, l.column))
            .collect();
        assert_eq!(
            found,
            [
                ("bases/y.jpg", false, 1, 1),
                ("news/unveiling.md", true, 2, 43)
            ]
        );
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(
            crate::url::decode_utf8("%E7%8E%B0%E5%9C%BA").as_deref(),
            Some("现场")
        );
        assert_eq!(crate::url::decode_utf8("a%20b").as_deref(), Some("a b"));
        assert_eq!(crate::url::decode_utf8("100%").as_deref(), Some("100%"));
        assert_eq!(crate::url::decode_utf8("%zz%4").as_deref(), Some("%zz%4"));
        assert_eq!(crate::url::decode_utf8("%E7%8E"), None);
        assert_eq!(crate::url::decode_utf8("%FF"), None);
        let r = md("[x](@/news/unveiling.md#%E7%8E)");
        assert_eq!(r.links[0].anchor.as_deref(), Some("%E7%8E"));
    }

    #[test]
    fn task_list() {
        let r = md("- [ ] todo\n- [x] done");
        assert!(
            r.html
                .contains("<li><input type=\"checkbox\" disabled>\ntodo</li>")
        );
        assert!(
            r.html
                .contains("<li><input type=\"checkbox\" disabled checked>\ndone</li>")
        );
        assert_eq!(r.text, "todo\n\ndone");
    }

    #[test]
    fn strikethrough_and_table() {
        assert_eq!(md("~~alt~~ neu").html, "<p><del>alt</del> neu</p>\n");
        let r = md("| Stadt | 城市 |\n|:--|--:|\n| Jiangmen | 江门 |");
        assert!(
            r.html
                .starts_with("<table><thead><tr><th style=\"text-align: left\">Stadt</th>")
        );
        assert!(r.html.contains("<td style=\"text-align: right\">江门</td>"));
        assert!(r.html.ends_with("</tbody></table>\n"));
        assert_eq!(r.text, "Stadt 城市\nJiangmen 江门");
    }

    #[test]
    fn raw_html_passes_through() {
        let r = md("<div class=\"box\">\n\n**x**\n\n</div>\n\nA <kbd>key</kbd>.");
        assert!(
            r.html
                .starts_with("<div class=\"box\">\n<p><strong>x</strong></p>\n</div>\n")
        );
        assert!(r.html.contains("<p>A <kbd>key</kbd>.</p>"));
        assert_eq!(r.text, "x\n\nA key.");
    }

    #[test]
    fn plain_text() {
        let r = md(
            "# 标题\n\n中欧合作区\n挂牌仪式 and **bold**\ntext `code`.\n\n- one\n- two\n\n\
             <div>raw</div>\n\n![alt text](x.png) after\n\n```\nfn main() {}\n```\n\nLine  \nbreak",
        );
        assert_eq!(
            r.text,
            "标题\n\n中欧合作区挂牌仪式 and bold text code.\n\none\n\ntwo\n\nafter\n\nfn main() {}\n\nLine\nbreak"
        );
    }

    #[test]
    fn output_is_deterministic() {
        let source = "# A\n# A\nx[^1][^2]\n\n[^2]: b\n[^1]: a\n\n# 中文\n";
        assert_eq!(md(source), md(source));
    }

    #[test]
    fn reusable_html_drops_ids_and_points_fragments_at_the_page() {
        let page = Some("/news/a/");
        assert_eq!(
            reusable_html(
                "<h2 id=\"背景\">背景</h2>\n<p>x<sup class=\"footnote-ref\"><a href=\"#fn-1\" id=\"fnref-1\">1</a></sup></p>",
                page
            ),
            "<h2>背景</h2>\n<p>x<sup class=\"footnote-ref\"><a href=\"/news/a/#fn-1\">1</a></sup></p>"
        );
        // Raw HTML in any spelling; other links, text, comments and scripts stay as they are.
        assert_eq!(
            reusable_html(
                "<DIV ID='x' class=a><a href=#y title=\"id=z\">#y id=\"q\"</a><a href=\"/b/#c\">c</a></DIV><!-- <a id=\"k\"> --><script>if (a<b) x = '<p id=\"s\">'</script>",
                page
            ),
            "<DIV class=a><a href=\"/news/a/#y\" title=\"id=z\">#y id=\"q\"</a><a href=\"/b/#c\">c</a></DIV><!-- <a id=\"k\"> --><script>if (a<b) x = '<p id=\"s\">'</script>"
        );
        // Without the page's path, fragments stay; broken HTML is copied, never lost.
        assert_eq!(
            reusable_html("<a href=\"#f\" id=f>", None),
            "<a href=\"#f\">"
        );
        for odd in [
            "<",
            "<a",
            "<a href=\"#x",
            "<a id",
            "a < b <= c",
            "<a =x>",
            "<p id=\"x\"/>",
        ] {
            let out = reusable_html(odd, page);
            assert!(!out.contains("id="), "{odd:?} -> {out:?}");
        }
        assert_eq!(reusable_html("a < b <= c", page), "a < b <= c");
    }

    #[test]
    fn summaries_have_no_ids() {
        let options = Options {
            base_path: Some("/news/a/".to_owned()),
            ..Options::default()
        };
        let r = render(
            "Text[^1].\n\n## 背景\n\n<!-- more -->\n\nRest.\n\n[^1]: Note.\n",
            &options,
            &resolver,
        );
        assert_eq!(
            r.summary_html.as_deref(),
            Some(
                "<p>Text<sup class=\"footnote-ref\"><a href=\"/news/a/#fn-1\">1</a></sup>.</p>\n<h2>背景</h2>\n"
            )
        );
        assert!(r.html.contains("<h2 id=\"背景\">"), "{}", r.html);
        assert!(r.first_paragraph_html.is_some_and(|p| !p.contains("id=")));
    }

    #[test]
    fn identifiers_are_nfc() {
        // A decomposed heading gets the same id as a composed one, and links in either form
        // reach it.
        let r = md(
            "## Fo\u{308}rderung\n\n## Daten {#gro\u{308}ße}\n\n[a](#fo\u{308}rderung) [b](@/news/unveiling.md#Fo%CC%88rderung)[^fu\u{308}]\n\n[^fu\u{308}]: Note.\n",
        );
        assert_eq!(heading_ids("## Fo\u{308}rderung"), vec!["förderung"]);
        assert!(
            r.anchors.contains(&"förderung".to_owned()),
            "{:?}",
            r.anchors
        );
        assert!(r.anchors.contains(&"größe".to_owned()), "{:?}", r.anchors);
        // pulldown-cmark percent-encodes hrefs; browsers decode them before matching ids.
        assert!(r.html.contains("href=\"#f%C3%B6rderung\""), "{}", r.html);
        assert!(
            r.html
                .contains("href=\"/en/news/unveiling/#F%C3%B6rderung\"")
        );
        assert_eq!(r.links[0].anchor.as_deref(), Some("Förderung"));
        assert!(r.html.contains("id=\"fn-fü\""), "{}", r.html);
    }

    #[test]
    fn odd_inputs_do_not_panic() {
        let nested_list: String = (0..200)
            .map(|i| format!("{}- x\n", "  ".repeat(i)))
            .collect();
        let nested_quote = format!("{}text", "> ".repeat(200));
        let nested_emphasis = format!("{}x{}", "*_".repeat(500), "_*".repeat(500));
        let inputs = [
            "",
            "\n",
            "---",
            "---\n---\n",
            "---\ntitle: x\n---\n",
            "```rust\nunclosed",
            "~~~\n",
            "[^",
            "[^]",
            "[^]: x",
            "[^ ]: x\n\n[^ ]",
            "[^a]: [^a]\n\nx[^a]",
            "[^a]: [^b]: nested\n\n[^a][^b]",
            "# {#}",
            "# {#a #b .c d=e}",
            "#",
            "######",
            "[x](@/a.md#%)",
            "[x](@/a.md#%E7%8E)",
            "[x](@/a.md#%ZZ%)",
            "[x](@/#)",
            "[x](@/)",
            "![x](@/)",
            "[@/x]",
            "\0",
            "a\0b\n\0\n# \0",
            "\r\n\r",
            "中\r挂",
            "<!-- more -->",
            "<!-- more -->\n<!-- more -->",
            "| a |\n|---|\n| [^x] 中\n文 |\n\n[^x]: y",
            "*\n*",
            "中\n",
            "\n中",
            "\u{feff}# BOM",
            "- [ ]",
            "- [x] [^1]\n\n[^1]:",
            &nested_list,
            &nested_quote,
            &nested_emphasis,
        ];
        for input in inputs {
            let r = md(input);
            for link in &r.links {
                assert!(link.line >= 1 && link.column >= 1, "{input:?}: {link:?}");
            }
            let mut seen = HashSet::new();
            for id in &r.anchors {
                assert!(seen.insert(id), "{input:?}: duplicate id {id}");
            }
        }
    }

    #[test]
    fn meaning_ignores_rewraps_but_not_words() {
        let wrapped = "合作区挂牌及授牌仪式在江门万达广场举\n行，标志着合作区进入全面建设阶段。\n\nThe zone was\nunveiled   today.\n";
        let rewrapped = "合作区挂牌及授牌仪式在江门\n万达广场举行，标志着合作区进入全面建设阶段。\n\nThe zone\nwas unveiled today.\n";
        assert_eq!(meaning(wrapped), meaning(rewrapped));
        assert_eq!(
            meaning(wrapped),
            "<p>合作区挂牌及授牌仪式在江门万达广场举行，标志着合作区进入全面建设阶段。</p>\n<p>The zone was unveiled today.</p>\n"
        );
        // a word, a line break between Latin words removed, markup: all change the meaning
        assert_ne!(
            meaning(wrapped),
            meaning(&wrapped.replace("进入", "正式进入"))
        );
        assert_ne!(meaning("The zone\nwas"), meaning("The zonewas"));
        assert_ne!(meaning("中文"), meaning("*中文*"));
        // a soft break between Chinese and Latin text stays a space
        assert_ne!(meaning("江门\nJiangmen"), meaning("江门Jiangmen"));
    }

    #[test]
    fn meaning_keeps_code_whitespace() {
        assert_ne!(
            meaning("```\nfn  main()\n```\n"),
            meaning("```\nfn main()\n```\n")
        );
        assert_eq!(meaning("a `x` b"), meaning("a  `x`\nb"));
    }

    #[test]
    fn stale_blocks_get_data_stale_and_nothing_else_changes() {
        let src = "导言。\n\n## 背景\n\n- 甲\n- 乙\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```\ncode\n```\n\n<div>x</div>\n\n末段[^1]。\n\n[^1]: 注释。\n";
        let plain = render(src, &Options::default(), &resolver);
        // blocks: 0 导言, 1 背景, 2 甲, 3 乙, 4 header row, 5 row, 6 code, 7 html, 8 末段,
        // 9 the footnote's paragraph
        let marked = render(
            src,
            &Options {
                stale_blocks: vec![1, 3, 5, 6, 7, 9],
                ..Options::default()
            },
            &resolver,
        );
        let h = &marked.html;
        assert!(h.contains("<p>导言。</p>"), "{h}");
        assert!(h.contains("<h2 data-stale id=\"背景\">"), "{h}");
        assert!(h.contains("<li>甲</li>\n<li data-stale>乙</li>"), "{h}");
        assert!(h.contains("<thead><tr>"), "{h}");
        assert!(h.contains("<tbody>\n<tr data-stale>"), "{h}");
        assert!(h.contains("<pre data-stale><code>"), "{h}");
        assert!(h.contains("<div>x</div>"), "{h}");
        assert!(h.contains("<li id=\"fn-1\">\n<p data-stale>注释。"), "{h}");
        assert_eq!(h.matches("data-stale").count(), 5, "{h}");
        assert_eq!(h.replace(" data-stale", ""), plain.html);
        assert_eq!(marked.first_paragraph_html, plain.first_paragraph_html);
        assert_eq!(marked.text, plain.text);
    }

    #[test]
    fn blocks_are_the_units_a_translator_translates() {
        let src = "# 标题\n\n第一段\n续行。\n\n- 甲\n- 乙\n  - 丙\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```\ncode\n```\n\n> 引文\n";
        let found: Vec<(BlockKind, &str)> = blocks(src)
            .into_iter()
            .map(|(k, r)| (k, src[r].trim_end()))
            .collect();
        assert_eq!(
            found,
            vec![
                (BlockKind::Heading, "# 标题"),
                (BlockKind::Paragraph, "第一段\n续行。"),
                (BlockKind::ListItem, "- 甲"),
                (BlockKind::ListItem, "- 乙\n  - 丙"),
                (BlockKind::TableRow, "| a | b |"),
                (BlockKind::TableRow, "| 1 | 2 |"),
                (BlockKind::CodeBlock, "```\ncode\n```"),
                (BlockKind::Paragraph, "引文"),
            ]
        );
        assert!(blocks("").is_empty());
    }
}
