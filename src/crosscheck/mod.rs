//! Cross-language checks, run by `qiao check` and `qiao build`: does each translation say
//! what its source says, as far as a machine can tell without understanding either?
//!
//! - **Terms** ([`glossary`]): where a source block contains a term of
//!   `i18n/glossary.toml`, the translated block must use the required rendering and no
//!   forbidden variant.
//! - **Numbers** ([`numbers`]): each number of a source block must have a counterpart in the
//!   translated block (`1.2万` ↔ `12,000`, `300` ↔ `more than 300`, `2月` ↔ `February`).
//! - **Counts** ([`structure`]): headings, tables, table rows, images, footnote definitions
//!   and references, and `@/` links must be as many in the translation as in the source.
//!
//! Blocks are aligned in order: when a page has the same sequence of block kinds in both
//! languages, block by block; otherwise section by section (between headings) where the
//! headings match, comparing a source block with its whole translated section; otherwise
//! with the whole translated page, which the heading-count finding then says once.
//! Front matter `title`, `summary` and `description` are compared field by field.
//!
//! Every finding is a warning (an error with `--strict`) that names the translation's file,
//! line and column and the source's file and line. Drafts are not checked (a stub from
//! `qiao translate` is a draft until translated), nor pages without a translation; stale
//! translations are. Each page is read once and pages are checked in parallel; the work is
//! linear in the size of the site and the glossary.

pub mod glossary;
pub mod numbers;
pub mod structure;

use std::collections::HashMap;
use std::path::Path;

use rayon::prelude::*;

use crate::config::Config;
use crate::content::Parsed;
use crate::diagnostics::Diagnostic;
use crate::markdown::BlockKind;
use glossary::{Matcher, Miss};
use numbers::{Convention, SourceNumber, Values};
use structure::{Page, Unit, UnitKind};

/// Every finding of the cross-language checks of a site, and the errors of its glossary.
pub fn check(root: &Path, config: &Config, docs: &[Parsed]) -> Vec<Diagnostic> {
    let (mut diags, found) = check_groups(root, config, docs, &|_| true);
    diags.extend(found.into_iter().flat_map(|(_, f)| f));
    diags
}

/// The errors of the glossary, and the findings of each page whose key `wanted` accepts
/// (a source and its translations are one group, named by their key), sorted by the
/// source's path. `qiao serve` checks again only the groups whose files changed.
pub fn check_groups(
    root: &Path,
    config: &Config,
    docs: &[Parsed],
    wanted: &(dyn Fn(&str) -> bool + Sync),
) -> (Vec<Diagnostic>, Vec<(String, Vec<Diagnostic>)>) {
    let (glossary, diags) = glossary::load(root, config);
    let glossary = glossary.unwrap_or_default();
    let matcher = Matcher::new(&glossary, config);
    let default = config.default_language.as_str();
    let convention = config
        .languages
        .iter()
        .find(|l| l.is_default)
        .map_or(Convention::Point, |l| Convention::for_locale(&l.locale));

    let mut translations: HashMap<&str, Vec<&Parsed>> = HashMap::new();
    for p in docs {
        if p.source.lang != default && !p.doc.meta.draft && wanted(&p.source.key) {
            translations.entry(&p.source.key).or_default().push(p);
        }
    }
    let mut pairs: Vec<(&Parsed, Vec<&Parsed>)> = docs
        .iter()
        .filter(|p| p.source.lang == default && !p.doc.meta.draft)
        .filter_map(|p| Some((p, translations.remove(p.source.key.as_str())?)))
        .collect();
    pairs.sort_by(|a, b| a.0.source.rel.cmp(&b.0.source.rel));

    let found: Vec<(String, Vec<Diagnostic>)> = pairs
        .par_iter()
        .map(|(source, translated)| {
            let src = structure::read(source);
            let src_units = SourceUnits::new(&src, &matcher, convention);
            let mut out = src.problems.clone();
            for t in translated {
                let tr = structure::read(t);
                out.extend(tr.problems.iter().cloned());
                out.extend(compare(&src, &src_units, &tr, &t.source.lang, &matcher));
            }
            (source.source.key.clone(), out)
        })
        .collect();
    (diags, found)
}

/// What each unit of a source page holds that its translation must render: its numbers and
/// glossary terms, fields first, then blocks.
struct SourceUnits {
    numbers: Vec<Vec<SourceNumber>>,
    terms: Vec<Vec<usize>>,
}

impl SourceUnits {
    fn new(page: &Page<'_>, matcher: &Matcher<'_>, convention: Convention) -> SourceUnits {
        let units = page.fields.iter().chain(&page.blocks);
        let (numbers, terms) = units
            .map(|u| {
                if !u.is_prose() {
                    return (Vec::new(), Vec::new());
                }
                let numbers = if u.ignore.numbers {
                    Vec::new()
                } else {
                    numbers::source_numbers(&u.plain, convention)
                };
                let terms = if u.ignore.terms || matcher.is_empty() {
                    Vec::new()
                } else {
                    matcher.terms_in(&u.plain)
                };
                (numbers, terms)
            })
            .unzip();
        SourceUnits { numbers, terms }
    }
}

/// Source units compared with translated units, and where a finding about them points.
struct Group {
    /// Indices into fields-then-blocks of the source.
    source: Vec<usize>,
    /// Indices into fields-then-blocks of the translation.
    translated: Vec<usize>,
    /// Byte offset in the translation a finding points at.
    at: usize,
    /// How a finding names the translated side (`this paragraph`, `this section`).
    scope: String,
}

/// How findings name a unit of the translation.
fn unit_name(u: &Unit) -> String {
    match u.kind {
        UnitKind::Field(f) => format!("`{f}`"),
        UnitKind::Block(k) => match k {
            BlockKind::Paragraph => "this paragraph",
            BlockKind::Heading => "this heading",
            BlockKind::ListItem => "this list item",
            BlockKind::TableRow => "this table row",
            BlockKind::CodeBlock => "this code block",
            BlockKind::Html => "this HTML block",
        }
        .to_string(),
    }
}

/// Pairs the units of a source and a translation (see the module header). Returns the
/// groups and whether the body had to be compared as a whole.
fn align(src: &Page<'_>, tr: &Page<'_>) -> (Vec<Group>, bool) {
    let mut groups = Vec::new();
    let tr_units: Vec<&Unit> = tr.fields.iter().chain(&tr.blocks).collect();
    for (i, s) in src.fields.iter().enumerate() {
        if let Some(j) = tr.fields.iter().position(|t| t.kind == s.kind) {
            groups.push(Group {
                source: vec![i],
                translated: vec![j],
                at: tr.fields[j].start,
                scope: unit_name(&tr.fields[j]),
            });
        }
    }
    let (sf, tf) = (src.fields.len(), tr.fields.len());
    let one_to_one = |groups: &mut Vec<Group>, s: &[usize], t: &[usize]| {
        for (&a, &b) in s.iter().zip(t) {
            groups.push(Group {
                source: vec![a],
                translated: vec![b],
                at: tr_units[b].start,
                scope: unit_name(tr_units[b]),
            });
        }
    };
    let kinds = |page: &Page<'_>, ix: &[usize], offset: usize| -> Vec<UnitKind> {
        ix.iter().map(|&i| page.blocks[i - offset].kind).collect()
    };
    let all_s: Vec<usize> = (sf..sf + src.blocks.len()).collect();
    let all_t: Vec<usize> = (tf..tf + tr.blocks.len()).collect();
    if kinds(src, &all_s, sf) == kinds(tr, &all_t, tf) {
        one_to_one(&mut groups, &all_s, &all_t);
        return (groups, false);
    }
    let sections = |page: &Page<'_>, offset: usize| -> Vec<Vec<usize>> {
        let mut out = vec![Vec::new()];
        for (i, b) in page.blocks.iter().enumerate() {
            if b.kind == UnitKind::Block(BlockKind::Heading) {
                out.push(Vec::new());
            }
            if let Some(s) = out.last_mut() {
                s.push(offset + i);
            }
        }
        out
    };
    let (ss, ts) = (sections(src, sf), sections(tr, tf));
    if ss.len() != ts.len() {
        groups.push(Group {
            source: all_s,
            translated: all_t,
            at: tr.body_start,
            scope: "this page".into(),
        });
        return (groups, true);
    }
    for (s, t) in ss.iter().zip(&ts) {
        if kinds(src, s, sf) == kinds(tr, t, tf) {
            one_to_one(&mut groups, s, t);
        } else if !s.is_empty() {
            groups.push(Group {
                source: s.clone(),
                translated: t.clone(),
                at: t.first().map_or(tr.body_start, |&b| tr_units[b].start),
                scope: "this section".into(),
            });
        }
    }
    (groups, false)
}

/// `1st`, `2nd`, `3rd`, `4th`, `11th`.
fn ordinal(n: usize) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// `or`-joined renderings in backticks.
fn alternatives(list: &[String]) -> String {
    list.iter()
        .map(|r| format!("`{r}`"))
        .collect::<Vec<_>>()
        .join(" or ")
}

/// The findings of one translation against its source.
fn compare(
    src: &Page<'_>,
    units: &SourceUnits,
    tr: &Page<'_>,
    lang: &str,
    matcher: &Matcher<'_>,
) -> Vec<Diagnostic> {
    let (groups, whole_page) = align(src, tr);
    let mut out = counts(src, tr, whole_page);
    let src_units: Vec<&Unit> = src.fields.iter().chain(&src.blocks).collect();
    let tr_units: Vec<&Unit> = tr.fields.iter().chain(&tr.blocks).collect();
    for g in &groups {
        let translated: Vec<&Unit> = g
            .translated
            .iter()
            .map(|&i| tr_units[i])
            .filter(|u| u.is_prose())
            .collect();
        // Numbers.
        if !translated.iter().any(|u| u.ignore.numbers)
            && g.source.iter().any(|&i| !units.numbers[i].is_empty())
        {
            let mut values = Values::default();
            for u in &translated {
                values.read(&u.plain);
            }
            for &i in &g.source {
                let mut missing: Vec<String> = Vec::new();
                for n in units.numbers[i].iter().filter(|n| !values.has(n)) {
                    let d = n.describe();
                    if !missing.contains(&d) {
                        missing.push(d);
                    }
                }
                if missing.is_empty() {
                    continue;
                }
                let (what, verb) = if missing.len() == 1 {
                    ("the number", "has")
                } else {
                    ("the numbers", "have")
                };
                out.push(
                    tr.warning_at(
                        g.at,
                        format!(
                            "{what} {} of the source ({}) {verb} no counterpart in {}",
                            missing.join(", "),
                            src.place(src_units[i].start),
                            g.scope
                        ),
                    )
                    .with_hint(
                        "write each number in digits or in words (300 may be `≥ 300` or `more than 300`, \
                         1.2万 is `12,000` or `12.000`, 2月 is `February`); if the difference is deliberate, \
                         put `<!-- qiao: ignore numbers -->` in this block",
                    ),
                );
            }
        }
        // Terms.
        if matcher.is_empty() || translated.iter().any(|u| u.ignore.terms) {
            continue;
        }
        // Each term once per group, named with the first source block that has it, and
        // each translated unit read once for all of them.
        let mut terms: Vec<usize> = Vec::new();
        let mut first_in: HashMap<usize, usize> = HashMap::new();
        for &i in &g.source {
            for &t in &units.terms[i] {
                if let std::collections::hash_map::Entry::Vacant(e) = first_in.entry(t) {
                    e.insert(i);
                    terms.push(t);
                }
            }
        }
        if terms.is_empty() {
            continue;
        }
        terms.sort_unstable();
        let source_place = |index: usize| {
            first_in
                .get(&index)
                .map_or_else(String::new, |&i| src.place(src_units[i].start))
        };
        // A term is missing when no translated unit of the group has it.
        let mut missing: Vec<(&glossary::Term, usize, &[String], usize)> = Vec::new();
        for u in &translated {
            for m in matcher.check(&terms, lang, &u.plain) {
                match m {
                    Miss::Forbidden {
                        term,
                        index,
                        variant,
                        at,
                        renderings,
                    } => {
                        let instead = if renderings.is_empty() {
                            "rephrase it".to_string()
                        } else {
                            format!("write {} instead", alternatives(renderings))
                        };
                        out.push(
                            tr.warning_at(
                                u.file_offset(at),
                                format!(
                                    "`{variant}` is a forbidden rendering of `{}` in {lang} (source {}){}",
                                    term.source,
                                    source_place(index),
                                    note(term)
                                ),
                            )
                            .with_hint(format!(
                                "{instead} ({}:{})",
                                glossary::FILE,
                                term.line
                            )),
                        );
                    }
                    Miss::Missing {
                        term,
                        index,
                        renderings,
                    } => match missing.iter_mut().find(|m| m.1 == index) {
                        Some(m) => m.3 += 1,
                        None => missing.push((term, index, renderings, 1)),
                    },
                }
            }
        }
        for (term, index, renderings, _) in missing.into_iter().filter(|m| m.3 == translated.len())
        {
            out.push(
                tr.warning_at(
                    g.at,
                    format!(
                        "`{}` (source {}) must be rendered {} in {lang}, but {} does not use it{}",
                        term.source,
                        source_place(index),
                        alternatives(renderings),
                        g.scope,
                        note(term)
                    ),
                )
                .with_hint(format!(
                    "use {}, or add the wording used here to the term's `{lang}` list in {}:{}; \
                     `<!-- qiao: ignore terms -->` in the block silences it",
                    alternatives(renderings),
                    glossary::FILE,
                    term.line
                )),
            );
        }
    }
    out
}

/// ` (note: ...)` when the term has a note.
fn note(term: &glossary::Term) -> String {
    term.note
        .as_deref()
        .map_or(String::new(), |n| format!(" (note: {n})"))
}

/// One finding per count that differs between the source and the translation.
fn counts(src: &Page<'_>, tr: &Page<'_>, whole_page: bool) -> Vec<Diagnostic> {
    if tr.ignore_counts {
        return Vec::new();
    }
    let mut out = Vec::new();
    for ((one, many, s), (_, _, t)) in src.counts.each().into_iter().zip(tr.counts.each()) {
        if s.len() == t.len() {
            continue;
        }
        let noun = |n: usize| if n == 1 { one } else { many };
        let at = t
            .get(s.len())
            .or(t.last())
            .copied()
            .unwrap_or(tr.body_start);
        let mut message = format!(
            "{} {} here, {} in the source {}",
            t.len(),
            noun(t.len()),
            s.len(),
            src.file
        );
        if let Some(&first_missing) = s.get(t.len()) {
            message.push_str(&format!(
                " (the {} at line {})",
                ordinal(t.len() + 1),
                src.line_col(first_missing).0
            ));
        }
        if one == "`@/` link" {
            let mut left: Vec<&str> = tr
                .counts
                .internal_links
                .iter()
                .map(|l| l.1.as_str())
                .collect();
            let mut absent = Vec::new();
            for (_, target) in &src.counts.internal_links {
                match left.iter().position(|l| l == target) {
                    Some(k) => {
                        left.remove(k);
                    }
                    None => absent.push(format!("@/{target}")),
                }
            }
            if !absent.is_empty() {
                message.push_str(&format!("; not here: {}", absent.join(", ")));
            }
        }
        if one == "heading" && whole_page {
            message.push_str("; numbers and terms are compared with the whole page");
        }
        out.push(tr.warning_at(at, message).with_hint(format!(
            "translate every {one} of the source; if the difference is deliberate, put \
             `<!-- qiao: ignore counts -->` in this file"
        )));
    }
    out
}
