//! Paragraph-level staleness: which blocks of a source changed since the revision a
//! translation was made from, where each lands in the translation, and accepting single
//! changes (`qiao translate --mark-current --block N`).
//!
//! A source revision is kept as text in `.qiao/sources/<hash>.md` (written by
//! `translation::revision_text`): its translatable front-matter fields, one per
//! line, then its body. Both it and the current source are cut into parts: the fields, then
//! the body's blocks ([`crate::markdown::blocks`]: paragraphs, headings, list items, table
//! rows, code blocks, HTML blocks). A part of the current source is *changed* when the
//! revision has no part of its kind that says the same ([`crate::markdown::meaning`]);
//! moving a block is no change. Each changed part replaces the first part of its kind that
//! the revision has and the source no longer has, its *old* form.
//!
//! The blocks of the source and of its translation are then aligned ([`align`]): by position
//! when both have the same structure (the same kinds of blocks in the same order); else
//! section by section, when both have the same number of headings, matching a section's
//! blocks from its start and from its end, so that paragraphs a translator merged or split
//! land on the merged or split ones; else not at all. How it was done is reported with the
//! reason ([`Alignment`]), in `qiao status` and on no account guessed silently.
//!
//! `--block N` records that a change needs no new translation by writing a revision of its
//! own: the revision the translation was made from with the accepted parts taken from the
//! current source. It is stored like any other, with a first line saying what it is, and
//! the translation's `translation_of` records its hash. A later edit elsewhere in the source
//! does not bring the accepted change back; once no change is left, `translation_of` records
//! the source's current revision, exactly as `--mark-current` does.

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::ops::Range;
use std::path::Path;

use serde::Serialize;

use crate::content::{Document, Parsed};
use crate::markdown::{self, BlockKind, TocEntry};

/// One comparable part of a revision: a translatable front-matter field or a body block.
#[derive(Debug, Clone)]
pub struct Part {
    /// The field's name, or the block's kind (`paragraph`, `heading`, `list_item`,
    /// `table_row`, `code_block`, `html`).
    pub kind: String,
    /// For a block: its index among the body's blocks (from 0).
    pub block: Option<usize>,
    /// For a block: its byte range in the body.
    pub range: Option<Range<usize>>,
    /// For a block: the line it starts on, counted from 0 at the start of the body.
    pub line: Option<usize>,
    /// What it says: the field's value, or the block's [`markdown::meaning`].
    pub meaning: String,
    /// Its text as written.
    pub text: String,
}

/// The parts of a revision or source: its fields, then the blocks of its body.
pub fn parts(fields: Vec<(String, String)>, body: &str) -> Vec<Part> {
    let mut out: Vec<Part> = fields
        .into_iter()
        .map(|(name, value)| Part {
            kind: name,
            block: None,
            range: None,
            line: None,
            meaning: value.clone(),
            text: value,
        })
        .collect();
    for (i, (kind, range)) in markdown::blocks(body).into_iter().enumerate() {
        let text = body.get(range.clone()).unwrap_or("");
        out.push(Part {
            kind: kind_name(kind),
            block: Some(i),
            line: Some(body.get(..range.start).unwrap_or("").matches('\n').count()),
            meaning: markdown::meaning(text),
            text: text.to_string(),
            range: Some(range),
        });
    }
    out
}

/// The name of a block kind, as JSON and `qiao status` write it.
fn kind_name(kind: BlockKind) -> String {
    serde_json::to_value(kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// A stored source revision, read from the store and cut into parts.
#[derive(Debug, Clone)]
pub struct Stored {
    /// Whether it is a revision of the older kind, which holds only the title and the body.
    pub legacy: bool,
    /// Its fields, as `name: value` lines give them.
    pub fields: Vec<(String, String)>,
    /// Its body.
    pub body: String,
    /// Its parts.
    pub parts: Vec<Part>,
}

impl Stored {
    /// Reads revision `revision` from the store under `root`; `None` when it is not a
    /// revision or the store does not hold it.
    pub fn load(root: &Path, revision: &str) -> Option<Stored> {
        if !crate::content::revision::is_revision(revision) {
            return None;
        }
        let revision = revision.trim();
        let path = root
            .join(crate::content::revision::STORE)
            .join(format!("{revision}.md"));
        let text = crate::text::read_text(&path, &path).ok()?;
        Some(Stored::parse(&text, revision))
    }

    /// A revision from its stored text.
    pub fn parse(text: &str, revision: &str) -> Stored {
        let legacy = crate::content::revision::short_hash(text) == revision;
        let (head, body) = text.split_once("\n\n").unwrap_or((text, ""));
        let fields: Vec<(String, String)> = if legacy {
            vec![("title".to_string(), collapse(head))]
        } else {
            head.lines()
                // A revision `--block` wrote starts with a comment saying so.
                .filter(|l| !l.starts_with('#'))
                .filter_map(|l| l.split_once(": "))
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        Stored {
            legacy,
            parts: parts(fields.clone(), body),
            fields,
            body: body.to_string(),
        }
    }
}

/// `s` with its runs of ASCII whitespace collapsed to one space, and trimmed.
fn collapse(s: &str) -> String {
    s.split_ascii_whitespace().collect::<Vec<_>>().join(" ")
}

/// A part of the current source that the revision did not have.
#[derive(Debug, Clone)]
pub struct Change {
    /// Its index in the current source's parts.
    pub new: usize,
    /// The index of its old form in the revision's parts, if the revision had one.
    pub old: Option<usize>,
}

/// How the current source differs from a revision.
#[derive(Debug, Clone)]
pub struct Comparison {
    /// The current source's parts.
    pub parts: Vec<Part>,
    /// Its changed parts, in order.
    pub changed: Vec<Change>,
    /// How many parts of the revision the source no longer has, beyond the old forms of
    /// the changed ones.
    pub removed: usize,
    /// Those parts (indices into the revision's parts), in order.
    pub gone: Vec<usize>,
}

/// Compares the current source `doc` (its translatable `fields` as
/// the translation workflow lists them) with a stored revision.
pub fn compare(stored: &Stored, fields: Vec<(String, String)>, doc: &Document) -> Comparison {
    let fields = fields
        .into_iter()
        .filter(|(name, _)| !stored.legacy || name == "title")
        .collect();
    let new_parts = parts(fields, doc.body());
    // Multisets by kind and meaning: a paragraph that occurs twice must be there twice.
    let mut unmatched: HashMap<(&str, &str), VecDeque<usize>> = HashMap::new();
    for (i, p) in stored.parts.iter().enumerate() {
        unmatched
            .entry((p.kind.as_str(), p.meaning.as_str()))
            .or_default()
            .push_back(i);
    }
    let mut changed_new = Vec::new();
    for (i, p) in new_parts.iter().enumerate() {
        match unmatched.get_mut(&(p.kind.as_str(), p.meaning.as_str())) {
            Some(q) if !q.is_empty() => {
                q.pop_front();
            }
            _ => changed_new.push(i),
        }
    }
    // The revision's parts left over, by kind and in order: each changed part replaces the
    // first one of its kind.
    let mut left: Vec<usize> = unmatched.into_values().flatten().collect();
    left.sort_unstable();
    let mut by_kind: HashMap<&str, VecDeque<usize>> = HashMap::new();
    for i in left {
        by_kind
            .entry(stored.parts[i].kind.as_str())
            .or_default()
            .push_back(i);
    }
    let changed = changed_new
        .into_iter()
        .map(|new| Change {
            new,
            old: by_kind
                .get_mut(new_parts[new].kind.as_str())
                .and_then(VecDeque::pop_front),
        })
        .collect();
    let mut gone: Vec<usize> = by_kind.into_values().flatten().collect();
    gone.sort_unstable();
    Comparison {
        parts: new_parts,
        changed,
        removed: gone.len(),
        gone,
    }
}

/// How the blocks of a source and of its translation were matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AlignmentKind {
    /// Same kinds of blocks in the same order: block N of the source is block N of the
    /// translation.
    Structure,
    /// The same number of headings, but not the same blocks in some section (paragraphs
    /// merged or split): the sections are matched by their headings, and a block of an
    /// uneven section lands on every translation block of its kind that it may have become
    /// (from its own position to its position moved by the difference in length), a
    /// neighbour too, rather than on a wrong one alone.
    BySection,
    /// Not the same number of headings: a changed block cannot be placed.
    None,
}

/// The alignment of a source's blocks with its translation's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alignment {
    /// How it was done.
    pub kind: AlignmentKind,
    /// For each source block, the translation blocks it lands on (indices from 0).
    pub map: Vec<Vec<usize>>,
    /// For [`AlignmentKind::BySection`]: the sections whose blocks differ, as (section
    /// number from 0, the first translation block of the section, blocks in the source,
    /// blocks in the translation); section 0 is what comes before the first heading.
    pub uneven: Vec<(usize, usize, usize, usize)>,
    /// For [`AlignmentKind::None`]: the numbers of headings in the source and the
    /// translation.
    pub headings: (usize, usize),
}

/// Aligns the blocks of a source (`source`, their kinds in order) with those of its
/// translation. HTML blocks (the `<!-- more -->` line, embedded media) are left out of the
/// comparison, since a translation may well not repeat them, and land nowhere.
pub fn align(source: &[BlockKind], translation: &[BlockKind]) -> Alignment {
    let kept = |k: &[BlockKind]| -> Vec<usize> {
        (0..k.len()).filter(|&i| k[i] != BlockKind::Html).collect()
    };
    let (ks, kt) = (kept(source), kept(translation));
    let pick =
        |k: &[BlockKind], at: &[usize]| -> Vec<BlockKind> { at.iter().map(|&i| k[i]).collect() };
    let inner = align_kept(&pick(source, &ks), &pick(translation, &kt));
    let mut map = vec![Vec::new(); source.len()];
    for (j, lands) in inner.map.into_iter().enumerate() {
        map[ks[j]] = lands.into_iter().map(|i| kt[i]).collect();
    }
    Alignment {
        map,
        uneven: inner
            .uneven
            .into_iter()
            .map(|(n, first, s, t)| (n, kt.get(first).copied().unwrap_or(first), s, t))
            .collect(),
        ..inner
    }
}

/// [`align`] for blocks of kinds other than HTML.
fn align_kept(source: &[BlockKind], translation: &[BlockKind]) -> Alignment {
    let heads = |k: &[BlockKind]| -> Vec<usize> {
        k.iter()
            .enumerate()
            .filter(|(_, k)| **k == BlockKind::Heading)
            .map(|(i, _)| i)
            .collect()
    };
    let (hs, ht) = (heads(source), heads(translation));
    if source == translation {
        return Alignment {
            kind: AlignmentKind::Structure,
            map: (0..source.len()).map(|i| vec![i]).collect(),
            uneven: Vec::new(),
            headings: (hs.len(), ht.len()),
        };
    }
    if hs.len() != ht.len() {
        return Alignment {
            kind: AlignmentKind::None,
            map: vec![Vec::new(); source.len()],
            uneven: Vec::new(),
            headings: (hs.len(), ht.len()),
        };
    }
    let bounds = |h: &[usize], len: usize| -> Vec<Range<usize>> {
        let starts: Vec<usize> = std::iter::once(0).chain(h.iter().copied()).collect();
        let ends: Vec<usize> = h.iter().copied().chain(std::iter::once(len)).collect();
        starts.into_iter().zip(ends).map(|(s, e)| s..e).collect()
    };
    let mut map = Vec::with_capacity(source.len());
    let mut uneven = Vec::new();
    for (n, (s, t)) in bounds(&hs, source.len())
        .into_iter()
        .zip(bounds(&ht, translation.len()))
        .enumerate()
    {
        let (ks, kt) = (&source[s.clone()], &translation[t.clone()]);
        if ks == kt {
            map.extend(t.map(|i| vec![i]));
            continue;
        }
        uneven.push((n, t.start, ks.len(), kt.len()));
        // Merged or split blocks move the rest of the section by up to the difference in
        // length: block j is somewhere in the band from j to j + difference, among the
        // blocks of its kind there.
        let (ls, lt) = (ks.len(), kt.len());
        for (j, kind) in ks.iter().enumerate() {
            let (from, to) = if lt >= ls {
                (j, j + (lt - ls))
            } else {
                (j.saturating_sub(ls - lt), j)
            };
            let band = from..(to + 1).min(lt);
            map.push(
                band.filter(|&i| kt[i] == *kind)
                    .map(|i| t.start + i)
                    .collect(),
            );
        }
    }
    Alignment {
        kind: AlignmentKind::BySection,
        map,
        uneven,
        headings: (hs.len(), ht.len()),
    }
}

/// The kinds of the blocks of a body, in order.
pub fn kinds(body: &str) -> Vec<BlockKind> {
    markdown::blocks(body).into_iter().map(|(k, _)| k).collect()
}

/// The translation blocks (indices from 0, sorted) on which the changed body blocks of
/// `cmp` land: the blocks a reader's page marks `data-stale`.
pub fn stale_blocks(cmp: &Comparison, alignment: &Alignment) -> Vec<usize> {
    let set: BTreeSet<usize> = cmp
        .changed
        .iter()
        .filter_map(|c| cmp.parts[c.new].block)
        .filter_map(|b| alignment.map.get(b))
        .flatten()
        .copied()
        .collect();
    set.into_iter().collect()
}

/// A section of a translated page in which changed blocks land, as the stale notice names
/// it: a heading, or the introduction (before the first heading).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StaleSection {
    /// The heading's `id` (the link target is `#` + this); `None` for the introduction.
    pub id: Option<String>,
    /// The heading as plain text; `None` for the introduction.
    pub title: Option<String>,
}

/// The sections of a translation (its body `body`, rendered with table of contents `toc`)
/// under which the blocks `marked` (indices from 0) stand, in order, each once. A heading
/// block is its own section. When the headings that are blocks are not all the headings of
/// the table of contents (a heading inside a list item), the sections are not named.
pub fn stale_sections(body: &str, toc: &[TocEntry], marked: &[usize]) -> Vec<StaleSection> {
    fn flatten<'t>(toc: &'t [TocEntry], out: &mut Vec<&'t TocEntry>) {
        for e in toc {
            out.push(e);
            flatten(&e.children, out);
        }
    }
    let mut flat = Vec::new();
    flatten(toc, &mut flat);
    let kinds = kinds(body);
    if kinds.iter().filter(|k| **k == BlockKind::Heading).count() != flat.len() {
        return Vec::new();
    }
    let mut out: Vec<StaleSection> = Vec::new();
    for &b in marked {
        let headings_up_to = kinds
            .iter()
            .take(b + 1)
            .filter(|k| **k == BlockKind::Heading)
            .count();
        let section = match headings_up_to.checked_sub(1).and_then(|h| flat.get(h)) {
            Some(e) => StaleSection {
                id: Some(e.id.clone()),
                title: Some(e.title.clone()),
            },
            None => StaleSection {
                id: None,
                title: None,
            },
        };
        if !out.contains(&section) {
            out.push(section);
        }
    }
    out
}

/// The text of the revision in which the changes `accepted` (indices into `cmp.changed`)
/// of the source are taken as translated: `stored` (revision `from`) with their old forms
/// replaced by the current ones (a field set, a block put in place of the one it replaced,
/// or added at the end when it replaced none), under a first line saying so. Returns the
/// text and its hash, which differs from the hashes of sources and of the older kind of
/// revision.
pub fn accept(
    stored: &Stored,
    cmp: &Comparison,
    accepted: &[usize],
    from: &str,
) -> (String, String) {
    let mut fields = stored.fields.clone();
    let mut replace: Vec<(Range<usize>, &str)> = Vec::new();
    let mut append: Vec<&str> = Vec::new();
    let mut names = Vec::new();
    for &a in accepted {
        let Some(c) = cmp.changed.get(a) else {
            continue;
        };
        let part = &cmp.parts[c.new];
        let old = c.old.and_then(|o| stored.parts.get(o));
        match part.block {
            None => {
                names.push(part.kind.clone());
                match fields.iter_mut().find(|(name, _)| *name == part.kind) {
                    Some(f) => f.1 = part.text.clone(),
                    None => fields.push((part.kind.clone(), part.text.clone())),
                }
            }
            Some(b) => {
                names.push(format!("block {}", b + 1));
                match old.and_then(|o| o.range.clone()) {
                    Some(range) => replace.push((range, part.text.trim_end())),
                    None => append.push(part.text.trim_end()),
                }
            }
        }
    }
    let mut body = stored.body.clone();
    replace.sort_by_key(|(r, _)| std::cmp::Reverse(r.start));
    for (range, text) in replace {
        let end = range.end.min(body.len());
        // The range of a block may hold its closing line break; the replacement does not.
        let tail = if body[range.start..end].ends_with('\n') {
            "\n"
        } else {
            ""
        };
        if body.is_char_boundary(range.start) && body.is_char_boundary(end) {
            body.replace_range(range.start..end, &format!("{text}{tail}"));
        }
    }
    for text in append {
        body.truncate(body.trim_end().len());
        body.push_str("\n\n");
        body.push_str(text);
        body.push('\n');
    }
    let mut text = format!(
        "# qiao translate --block: revision {from} with {} of the source taken as translated\n",
        names.join(", ")
    );
    for (name, value) in &fields {
        text.push_str(&format!("{name}: {value}\n"));
    }
    text.push('\n');
    text.push_str(&body);
    let hash = crate::content::revision::short_hash(&format!("qiao accepted revision\n{text}"));
    (text, hash)
}

/// A stale translation's body with the blocks whose source changed marked `data-stale`,
/// and the sections they stand in.
#[derive(Debug, Clone)]
pub struct Marked {
    /// The body's HTML.
    pub html: crate::content::Text,
    /// The sections, in order.
    pub sections: Vec<StaleSection>,
}

/// How a translation's body is rendered with the blocks at the given indices marked
/// `data-stale` (the model's link resolver, for the page's address).
pub type RenderMarked<'a> = dyn Fn(Vec<usize>) -> markdown::Rendered + 'a;

/// Renders the translation `p` with the blocks on which the changes `cmp` of its source
/// `source` land marked (by `render`); `None` when none lands anywhere.
pub(crate) fn render_marked(
    render: &RenderMarked<'_>,
    p: &Parsed,
    source: &Document,
    cmp: &Comparison,
) -> Option<Marked> {
    let alignment = align(&kinds(source.body()), &kinds(p.doc.body()));
    let marks = stale_blocks(cmp, &alignment);
    if marks.is_empty() {
        return None;
    }
    let r = render(marks.clone());
    let sections = stale_sections(p.doc.body(), &r.toc, &marks);
    Some(Marked {
        html: r.html,
        sections,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use BlockKind::{Heading as H, ListItem as L, Paragraph as P};

    #[test]
    fn same_structure_aligns_block_by_block() {
        let a = align(&[H, P, L, L], &[H, P, L, L]);
        assert_eq!(a.kind, AlignmentKind::Structure);
        assert_eq!(a.map, vec![vec![0], vec![1], vec![2], vec![3]]);
    }

    #[test]
    fn merged_paragraphs_align_by_section() {
        // Section 1 of the source has three paragraphs; the translation merged the last two.
        let a = align(&[P, H, P, P, P, H, P], &[P, H, P, P, H, P]);
        assert_eq!(a.kind, AlignmentKind::BySection);
        assert_eq!(a.uneven, vec![(1, 1, 4, 3)]);
        // The last paragraph lands on the merged one, the middle one on it or on the one
        // before; the other sections are block for block.
        assert_eq!(
            a.map,
            vec![
                vec![0],
                vec![1],
                vec![2],
                vec![2, 3],
                vec![3],
                vec![4],
                vec![5]
            ]
        );
        // Split instead: each paragraph lands on its own position or the next one.
        let a = align(&[H, P, P, L], &[H, P, P, P, L]);
        assert_eq!(a.map, vec![vec![0], vec![1, 2], vec![2, 3], vec![4]]);
    }

    #[test]
    fn html_blocks_are_left_out() {
        use BlockKind::Html;
        // The source's `<!-- more -->` line is not in the translation.
        let a = align(&[P, Html, H, P], &[P, H, P, Html]);
        assert_eq!(a.kind, AlignmentKind::Structure);
        assert_eq!(a.map, vec![vec![0], vec![], vec![1], vec![2]]);
    }

    #[test]
    fn different_headings_do_not_align() {
        let a = align(&[H, P, H, P], &[H, P, P]);
        assert_eq!(a.kind, AlignmentKind::None);
        assert_eq!(a.headings, (2, 1));
        assert!(a.map.iter().all(Vec::is_empty));
    }

    #[test]
    fn sections_of_marked_blocks() {
        let body = "导言。\n\n## 背景 {#bg}\n\n甲。\n\n## 目标\n\n乙。\n";
        let r = markdown::render(body, &markdown::Options::default(), &|_| None);
        let s = stale_sections(body, &r.toc, &[0, 2, 3, 4]);
        assert_eq!(
            s,
            vec![
                StaleSection {
                    id: None,
                    title: None
                },
                StaleSection {
                    id: Some("bg".into()),
                    title: Some("背景".into())
                },
                StaleSection {
                    id: Some("目标".into()),
                    title: Some("目标".into())
                },
            ]
        );
    }
}
