//! Building the search index of each language: BM25 scores computed at build time, a term
//! list cut into shards of about `shard_size` KiB, and page metadata in small shards.
//!
//! Scoring is done here rather than in the browser so that a shard only needs, per term, the
//! pages and one small integer per page (the "impact": the term's BM25 score in that page,
//! times ten, rounded). The browser adds impacts up; it never needs document lengths or
//! collection statistics. Everything is written in a fixed order (pages by path, terms in
//! UTF-16 order, which is JavaScript's string order), so the same site gives byte-identical
//! files.
//!
//! Files, per language code `L` (see docs/search.md):
//!
//! - `search-index/L/index.json`: the manifest (analyzer, page count, first term of each
//!   shard, section titles, a version that changes with the content);
//! - `search-index/L/tN.json`: `[[term, [doc, impact, doc-delta, impact, ...]], ...]`;
//! - `search-index/L/dN.json`: `[[title, path, date, section, excerpt], ...]` for pages
//!   `16 N` to `16 N + 15`.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use jieba_rs::Jieba;
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::Serialize;

use super::settings::SearchSettings;
use super::tokenize::{Analyzer, Segmenter, TermKind, terms};
use crate::config::Language;
use crate::model::{Page, SiteModel};

/// Directory of the index under the output root.
pub const INDEX_DIR: &str = "search-index";
/// Version of the file format, in the manifest; `search.js` refuses others.
pub const FORMAT: u32 = 1;
/// Pages per metadata shard.
pub const DOCS_PER_SHARD: usize = 16;
/// Template of the search page itself, which is never indexed.
pub const SEARCH_TEMPLATE: &str = "search.html";
/// BM25 term-frequency saturation.
const K1: f64 = 1.2;
/// BM25 length normalisation.
const B: f64 = 0.75;
/// Impacts are BM25 scores times this, rounded, at least 1.
const IMPACT_SCALE: f64 = 10.0;
/// Pages per unit of parallel work; each unit builds its own postings, merged in page order.
const CHUNK: usize = 256;

/// jieba's dictionary is loaded once per process, the first time a CJK run of three or more
/// characters is indexed.
static JIEBA: LazyLock<Jieba> = LazyLock::new(Jieba::new);

/// The index files of the language `code` (empty unless `[search] enabled = true`): an
/// incremental rebuild writes again only the index of the languages whose pages changed.
pub fn language_index_files(model: &SiteModel, code: &str) -> Vec<(String, Vec<u8>)> {
    let settings = &model.config.search;
    match model.config.language(code) {
        Some(l) if settings.enabled => language_files(model, l, settings),
        _ => Vec::new(),
    }
}

/// Whether a page belongs in its language's index: not a fallback copy (its text is in
/// another language), not the search page, not marked `search: false` in `extra`.
pub fn is_indexed(page: &Page) -> bool {
    let excluded = page
        .doc
        .meta
        .extra
        .as_ref()
        .and_then(|e| e.get("search"))
        .and_then(|v| v.as_bool())
        == Some(false);
    !page.fallback && !excluded && page.doc.meta.template.as_deref() != Some(SEARCH_TEMPLATE)
}

/// A term of at most [`Short::MAX`] bytes packed into one integer: its bytes, and its length
/// in the last byte. Nearly every term is that short (a CJK bigram is six bytes, a jieba word
/// of five characters fifteen, most words less), so the postings are keyed by integers: no
/// allocation for a new term and no string comparison for each token.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct Short(u128);

impl Short {
    /// The longest term (in bytes) that is packed.
    const MAX: usize = 15;

    fn new(term: &str) -> Option<Short> {
        let bytes = term.as_bytes();
        let n = bytes.len();
        if n > Short::MAX {
            return None;
        }
        // The bytes read as two little-endian words, without copying them into an array
        // first (the copy and the wide read after it stalled the processor on every token).
        let (low, high) = match bytes.split_first_chunk::<8>() {
            Some((first, rest)) => (u64::from_le_bytes(*first), le_word(rest)),
            None => (le_word(bytes), 0),
        };
        let packed = u128::from(low) | u128::from(high) << 64 | (n as u128) << 120;
        Some(Short(packed))
    }

    fn into_term(self) -> String {
        let packed = self.0.to_le_bytes();
        let len = usize::from(packed[Short::MAX]).min(Short::MAX);
        // The bytes of a `&str`, cut at its end: always UTF-8.
        String::from_utf8_lossy(&packed[..len]).into_owned()
    }
}

/// Up to 7 bytes read as a little-endian integer: the first and the last bytes of a group,
/// overlapping when the length is not a power of two (the overlap holds the same bytes).
fn le_word(b: &[u8]) -> u64 {
    let n = b.len();
    match n {
        0 => 0,
        1 => u64::from(b[0]),
        2..=3 => {
            let first = u64::from(u16::from_le_bytes([b[0], b[1]]));
            let last = u64::from(u16::from_le_bytes([b[n - 2], b[n - 1]]));
            first | last << ((n - 2) * 8)
        }
        _ => {
            let first = u64::from(u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
            let last = u64::from(u32::from_le_bytes([b[n - 4], b[n - 3], b[n - 2], b[n - 1]]));
            first | last << ((n - 4) * 8)
        }
    }
}

/// A term as the tables key it: packed when short ([`Short`]), else its text.
enum Key {
    Short(Short),
    Long(String),
}

impl Key {
    fn into_term(self) -> String {
        match self {
            Key::Short(k) => k.into_term(),
            Key::Long(t) => t,
        }
    }
}

/// Numbers for terms, given in the order terms are first seen.
#[derive(Default)]
struct TermIds {
    short: FxHashMap<Short, u32>,
    long: FxHashMap<String, u32>,
    /// The term of each number.
    keys: Vec<Key>,
}

impl TermIds {
    /// The number of `key`, a new one if it has none yet.
    fn id(&mut self, key: &Key) -> u32 {
        match key {
            Key::Short(k) => self.short_id(*k),
            Key::Long(t) => self.long_id(t),
        }
    }

    fn short_id(&mut self, k: Short) -> u32 {
        let next = self.keys.len() as u32;
        let id = *self.short.entry(k).or_insert(next);
        if id == next {
            self.keys.push(Key::Short(k));
        }
        id
    }

    fn long_id(&mut self, t: &str) -> u32 {
        if let Some(&id) = self.long.get(t) {
            return id;
        }
        let next = self.keys.len() as u32;
        self.long.insert(t.to_string(), next);
        self.keys.push(Key::Long(t.to_string()));
        next
    }
}

/// The postings of a run of consecutive pages, and the length of each page in terms: one
/// flat list of (term number, page, weighted frequency), pages in increasing order, rather
/// than a list per term (tens of thousands of small lists per run of pages, each grown one
/// page at a time, cost more in the allocator than the counting itself).
struct ChunkIndex {
    terms: TermIds,
    postings: Vec<(u32, u32, u32)>,
    lens: Vec<u32>,
}

impl ChunkIndex {
    fn new(pages: usize) -> ChunkIndex {
        ChunkIndex {
            terms: TermIds::default(),
            postings: Vec::new(),
            lens: Vec::with_capacity(pages),
        }
    }

    /// Adds the terms of page `doc` (no page before the last one added), and empties them.
    fn add_page(&mut self, doc: u32, page: &mut PageTerms) {
        for (k, tf) in page.short.drain() {
            let id = self.terms.short_id(k);
            self.postings.push((id, doc, tf));
        }
        for (t, tf) in page.long.drain() {
            let id = self.terms.long_id(&t);
            self.postings.push((id, doc, tf));
        }
    }
}

/// The terms of a language's runs of pages, merged in page order: every term, in the order
/// the runs first met it; all postings (page, weighted frequency), grouped by term and in
/// increasing page order within a term; and where each term's group starts (term `t`'s
/// postings are `starts[t]..starts[t + 1]`, the last entry being their number). Terms are
/// numbered again for the whole language and the postings sorted by term number by
/// counting (stable, so each term's pages stay in order).
fn merge_chunks(chunks: Vec<ChunkIndex>) -> (Vec<String>, Vec<(u32, u32)>, Vec<usize>) {
    let mut all = TermIds::default();
    let mut renumbered: Vec<Vec<u32>> = Vec::with_capacity(chunks.len());
    let mut counts: Vec<usize> = Vec::new();
    for chunk in &chunks {
        let ids: Vec<u32> = (chunk.terms.keys.iter()).map(|k| all.id(k)).collect();
        counts.resize(all.keys.len(), 0);
        for &(t, _, _) in &chunk.postings {
            counts[ids[t as usize] as usize] += 1;
        }
        renumbered.push(ids);
    }
    // starts[t]..starts[t + 1] is term t's part of `postings`.
    let mut starts = Vec::with_capacity(counts.len() + 1);
    let mut total = 0;
    for c in &counts {
        starts.push(total);
        total += c;
    }
    starts.push(total);
    let mut next = starts.clone();
    let mut postings = vec![(0u32, 0u32); total];
    for (chunk, ids) in chunks.into_iter().zip(renumbered) {
        for (t, doc, tf) in chunk.postings {
            let slot = &mut next[ids[t as usize] as usize];
            postings[*slot] = (doc, tf);
            *slot += 1;
        }
    }
    let terms = all.keys.into_iter().map(Key::into_term).collect();
    (terms, postings, starts)
}

/// The weighted frequency of each term of one page. A page repeats many of its terms: they
/// are counted here, in a table small enough to stay in the processor's cache, and each
/// goes into its run's [`ChunkIndex`] once.
#[derive(Default)]
struct PageTerms {
    short: FxHashMap<Short, u32>,
    long: FxHashMap<String, u32>,
}

impl PageTerms {
    /// Counts `w` more occurrences of `term`.
    fn add(&mut self, term: &str, w: u32) {
        match Short::new(term) {
            Some(k) => *self.short.entry(k).or_default() += w,
            None => match self.long.get_mut(term) {
                Some(tf) => *tf += w,
                None => {
                    self.long.insert(term.to_string(), w);
                }
            },
        }
    }
}

/// Indexes pages `first..` of `chunk`: title words count `title_boost` times.
fn chunk_index(chunk: &[&Page], first: u32, analyzer: Analyzer, title_boost: u32) -> ChunkIndex {
    let mut index = ChunkIndex::new(chunk.len());
    let mut page_terms = PageTerms::default();
    let mut segmenter = Segmenter::new(&JIEBA);
    for (k, page) in chunk.iter().enumerate() {
        let mut len = 0u32;
        let mut add = |t: &str, kind: TermKind, w: u32| {
            if kind != TermKind::Segment {
                len += w;
            }
            page_terms.add(t, w);
        };
        terms(&page.doc.title, analyzer, Some(&mut segmenter), |t, k| {
            add(t, k, title_boost)
        });
        terms(&page.text, analyzer, Some(&mut segmenter), |t, k| {
            add(t, k, 1)
        });
        index.lens.push(len);
        index.add_page(first + k as u32, &mut page_terms);
    }
    index
}

/// JavaScript's string order (UTF-16 code units). For strings without characters beyond
/// U+FFFF it is the order of their UTF-8 bytes, which is much faster to compare.
fn utf16_order(a: &str, b: &str) -> std::cmp::Ordering {
    // A character beyond U+FFFF is the only one whose UTF-8 starts with 0xF0 or above.
    let astral = |s: &str| s.bytes().any(|b| b >= 0xF0);
    if astral(a) || astral(b) {
        a.encode_utf16().cmp(b.encode_utf16())
    } else {
        a.cmp(b)
    }
}

/// The manifest `search.js` reads first.
#[derive(Serialize)]
struct Manifest<'a> {
    format: u32,
    lang: &'a str,
    locale: &'a str,
    analyzer: &'a str,
    version: String,
    docs: usize,
    docs_per_shard: usize,
    /// Characters stored per excerpt: an excerpt this long was cut.
    excerpt_length: usize,
    terms: usize,
    /// First term of each postings shard; shard `i` holds the terms from `shards[i]` up to
    /// (not including) `shards[i + 1]`.
    shards: Vec<String>,
    sections: Vec<&'a str>,
}

/// One page in a metadata shard: title, path, date (`YYYY-MM-DD` or empty), section (index
/// into the manifest's `sections`), excerpt.
type DocRow<'a> = (&'a str, &'a str, &'a str, usize, String);

fn language_files(
    model: &SiteModel,
    lang: &Language,
    settings: &SearchSettings,
) -> Vec<(String, Vec<u8>)> {
    let analyzer = Analyzer::for_locale(&lang.locale);
    let mut docs: Vec<&Page> = model
        .pages
        .iter()
        .filter(|p| p.lang == lang.code && is_indexed(p))
        .collect();
    docs.sort_by(|a, b| a.path.cmp(&b.path));
    let mut chunks: Vec<ChunkIndex> = docs
        .par_chunks(CHUNK)
        .enumerate()
        .map(|(c, chunk)| chunk_index(chunk, (c * CHUNK) as u32, analyzer, settings.title_boost))
        .collect();
    let mut lens: Vec<u32> = Vec::with_capacity(docs.len());
    for chunk in &mut chunks {
        lens.append(&mut chunk.lens);
    }
    let (terms, postings, starts) = merge_chunks(chunks);
    let n = docs.len();
    let total_len: u64 = lens.iter().map(|&l| u64::from(l)).sum();
    let avgdl = if n == 0 {
        1.0
    } else {
        (total_len as f64 / n as f64).max(1.0)
    };
    let norms: Vec<f64> = lens
        .iter()
        .map(|&l| K1 * (1.0 - B + B * f64::from(l) / avgdl))
        .collect();
    let mut terms: Vec<(String, &[(u32, u32)])> = (terms.into_iter().enumerate())
        .map(|(t, term)| (term, &postings[starts[t]..starts[t + 1]]))
        .collect();
    terms.par_sort_unstable_by(|a, b| utf16_order(&a.0, &b.0));

    // One JSON entry per term, impacts computed in parallel.
    let entries: Vec<String> = terms
        .par_iter()
        .map(|(term, list)| term_entry(term, list, &norms, n))
        .collect();
    let target = settings.shard_size * 1024;
    let mut shards: Vec<String> = Vec::new();
    let mut firsts: Vec<String> = Vec::new();
    for ((term, _), entry) in terms.iter().zip(&entries) {
        let full = shards.last().is_none_or(|s| s.len() + entry.len() > target);
        if full {
            if let Some(s) = shards.last_mut() {
                s.push(']');
            }
            shards.push(String::from("["));
            firsts.push(term.clone());
        }
        if let Some(s) = shards.last_mut() {
            if s.len() > 1 {
                s.push(',');
            }
            s.push_str(entry);
        }
    }
    if let Some(s) = shards.last_mut() {
        s.push(']');
    }

    // Section titles in the order of the model, and page metadata.
    let mut section_ids: BTreeMap<crate::model::SectionId, usize> = BTreeMap::new();
    for p in &docs {
        section_ids.insert(p.section, 0);
    }
    let sections: Vec<&str> = section_ids
        .keys()
        .map(|&s| {
            model
                .sections
                .get(s.index())
                .map_or("", |s| s.title.as_str())
        })
        .collect();
    for (i, v) in section_ids.values_mut().enumerate() {
        *v = i;
    }
    let doc_shards: Vec<Vec<u8>> = docs
        .par_chunks(DOCS_PER_SHARD)
        .map(|chunk| {
            let rows: Vec<DocRow> = chunk
                .iter()
                .map(|p| {
                    (
                        p.doc.title.as_str(),
                        p.path.as_str(),
                        p.doc.date.as_ref().map_or("", |d| d.ymd.as_str()),
                        section_ids.get(&p.section).copied().unwrap_or(0),
                        excerpt(excerpt_source(p), settings.excerpt_length),
                    )
                })
                .collect();
            serde_json::to_vec(&rows).unwrap_or_default()
        })
        .collect();

    let mut hasher = blake3::Hasher::new();
    for s in &shards {
        hasher.update(s.as_bytes());
    }
    for d in &doc_shards {
        hasher.update(d);
    }
    for f in &firsts {
        hasher.update(f.as_bytes());
    }
    let manifest = Manifest {
        format: FORMAT,
        lang: &lang.code,
        locale: &lang.locale,
        analyzer: analyzer.name(),
        version: hasher.finalize().to_hex()[..12].to_string(),
        docs: n,
        docs_per_shard: DOCS_PER_SHARD,
        excerpt_length: settings.excerpt_length,
        terms: terms.len(),
        shards: firsts,
        sections,
    };
    let dir = format!("{INDEX_DIR}/{}", lang.code);
    let mut files = Vec::with_capacity(1 + shards.len() + doc_shards.len());
    files.push((
        format!("{dir}/index.json"),
        serde_json::to_vec(&manifest).unwrap_or_default(),
    ));
    for (i, s) in shards.into_iter().enumerate() {
        files.push((format!("{dir}/t{i}.json"), s.into_bytes()));
    }
    for (i, d) in doc_shards.into_iter().enumerate() {
        files.push((format!("{dir}/d{i}.json"), d));
    }
    files
}

/// `["term",[doc,impact,delta,impact,...]]` with BM25 impacts. `norms[d]` is page `d`'s
/// length normalisation, `K1 * (1 - B + B * len / avgdl)`.
fn term_entry(term: &str, list: &[(u32, u32)], norms: &[f64], n: usize) -> String {
    let df = list.len() as f64;
    let idf = (1.0 + (n as f64 - df + 0.5) / (df + 0.5)).ln();
    let mut out = String::with_capacity(term.len() + 8 + list.len() * 6);
    out.push('[');
    out.push_str(&serde_json::to_string(term).unwrap_or_default());
    out.push_str(",[");
    let mut prev = 0u32;
    for (i, &(doc, tf)) in list.iter().enumerate() {
        let tf = f64::from(tf);
        let norm = norms.get(doc as usize).copied().unwrap_or(K1);
        let score = idf * tf * (K1 + 1.0) / (tf + norm);
        let impact = round_positive(score * IMPACT_SCALE).max(1);
        if i > 0 {
            out.push(',');
        }
        push_u32(&mut out, doc - prev);
        out.push(',');
        push_u32(&mut out, impact);
        prev = doc;
    }
    out.push_str("]]");
    out
}

/// Appends `n` in decimal (millions of these per build: faster than `write!`).
fn push_u32(out: &mut String, n: u32) {
    out.push_str(itoa::Buffer::new().format(n));
}

/// `x` rounded to the nearest integer, halves away from zero, as `x.round() as u32` gives
/// (one per posting: `f64::round` is a library call on the x86-64 baseline, this is a
/// conversion and a comparison); 0 for NaN and below 0, `u32::MAX` from there up.
fn round_positive(x: f64) -> u32 {
    // `as` truncates towards zero and saturates; up to `u32::MAX` the fraction
    // `x - whole` is exact.
    let whole = x as u32;
    if x - f64::from(whole) >= 0.5 {
        whole.saturating_add(1)
    } else {
        whole
    }
}

/// The text results show under the title: the page's own summary (front matter
/// `summary`, else `description`), as the site's lists show it, else the start of its body.
pub fn excerpt_source(page: &Page) -> &str {
    let meta = &page.doc.meta;
    [meta.summary.as_deref(), meta.description.as_deref()]
        .into_iter()
        .flatten()
        .find(|s| !s.trim().is_empty())
        .unwrap_or(&page.text)
}

/// The first `chars` characters of a page's text, whitespace collapsed, for excerpts.
pub fn excerpt(text: &str, chars: usize) -> String {
    let mut out = String::new();
    let mut count = 0;
    let mut space = false;
    for c in text.chars() {
        if count >= chars {
            break;
        }
        if c.is_whitespace() {
            space = !out.is_empty();
            continue;
        }
        if space {
            out.push(' ');
            count += 1;
            space = false;
            if count >= chars {
                break;
            }
        }
        out.push(c);
        count += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpt_collapses_space_and_counts_characters() {
        assert_eq!(excerpt("  a\n\n b  c ", 10), "a b c");
        assert_eq!(excerpt("新能源汽车", 3), "新能源");
        assert_eq!(excerpt("ab cd", 3), "ab ");
    }

    #[test]
    fn numbers_are_written_in_decimal() {
        let mut s = String::new();
        for n in [0, 7, 10, 4_294_967_295] {
            push_u32(&mut s, n);
            s.push(' ');
        }
        assert_eq!(s, "0 7 10 4294967295 ");
    }

    #[test]
    fn impacts_round_as_f64_round() {
        let below_half = 0.5 - f64::EPSILON / 4.0;
        let mut xs = vec![0.0, 0.5, 1.5, 2.5, below_half, 1.0 + below_half, 123_456.5];
        let mut rng = crate::test_rng::Lcg(7);
        for _ in 0..10_000 {
            // Up to about a thousand, with many near a half.
            let whole = rng.below(1000) as f64;
            let frac = rng.below(1001) as f64 / 1000.0;
            xs.push(whole + frac);
            xs.push(whole + 0.5 - f64::EPSILON * whole.max(1.0));
        }
        for x in xs {
            assert_eq!(round_positive(x), x.round() as u32, "{x}");
        }
        assert_eq!(round_positive(f64::NAN), 0);
        assert_eq!(round_positive(-3.0), 0);
        assert_eq!(round_positive(1e12), u32::MAX);
    }

    #[test]
    fn short_terms_pack_and_unpack() {
        for t in ["", "a", "江门", "新能源汽车", "fünf-bytes-ok", "𠀀𠀁x"] {
            assert!(t.len() <= Short::MAX, "{t}");
            let k = Short::new(t).expect("short");
            assert_eq!(k.into_term(), t);
        }
        assert!(Short::new("sixteen bytes!!!").is_none());
        // Every length packs as the bytes in order with the length in the last byte.
        let text = "abcdefghijklmno";
        for n in 0..=Short::MAX {
            let mut want = [0u8; 16];
            want[..n].copy_from_slice(&text.as_bytes()[..n]);
            want[Short::MAX] = n as u8;
            let k = Short::new(&text[..n]).expect("short");
            assert_eq!(k.0, u128::from_le_bytes(want), "{n} bytes");
            assert_eq!(k.into_term(), &text[..n]);
        }
        // A shorter term is not a prefix of a longer one's key.
        assert!(Short::new("ab") != Short::new("ab\0"));
    }

    #[test]
    fn postings_keep_short_and_long_terms_apart_and_in_page_order() {
        let long = "zusammenarbeitsvereinbarung";
        // Packed and not packed, of one and of several bytes per character.
        let middle = "江门市";
        let mut page = PageTerms::default();
        let mut first = ChunkIndex::new(2);
        page.add("rail", 1);
        page.add(long, 2);
        page.add(middle, 5);
        page.add("rail", 3);
        first.add_page(0, &mut page);
        assert!(page.short.is_empty() && page.long.is_empty(), "emptied");
        page.add("port", 1);
        first.add_page(1, &mut page);
        // The second run of pages numbers its terms in another order.
        let mut second = ChunkIndex::new(2);
        page.add(long, 1);
        page.add(middle, 1);
        second.add_page(2, &mut page);
        page.add("rail", 1);
        page.add("port", 7);
        second.add_page(3, &mut page);
        let (terms, postings, starts) = merge_chunks(vec![first, second]);
        let mut got: Vec<(String, Vec<(u32, u32)>)> = (terms.into_iter().enumerate())
            .map(|(t, term)| (term, postings[starts[t]..starts[t + 1]].to_vec()))
            .collect();
        got.sort();
        assert_eq!(
            got,
            vec![
                ("port".to_string(), vec![(1, 1), (3, 7)]),
                ("rail".to_string(), vec![(0, 4), (3, 1)]),
                (long.to_string(), vec![(0, 2), (2, 1)]),
                (middle.to_string(), vec![(0, 5), (2, 1)]),
            ]
        );
        assert_eq!(starts.last(), Some(&postings.len()));
    }

    #[test]
    fn terms_sort_in_utf16_order() {
        // U+FF5E (fullwidth tilde) is after U+20000 in code points, before it in UTF-16.
        let mut v = vec!["\u{20000}", "\u{FF5E}", "b", "a", "\u{4E00}", "\u{10FFFF}"];
        v.sort_by(|a, b| utf16_order(a, b));
        let mut want = v.clone();
        want.sort_by(|a, b| a.encode_utf16().cmp(b.encode_utf16()));
        assert_eq!(v, want);
        assert_eq!(v[..3], ["a", "b", "\u{4E00}"]);
        assert!(v.iter().position(|s| *s == "\u{20000}") < v.iter().position(|s| *s == "\u{FF5E}"));
    }

    #[test]
    fn impacts_are_delta_coded() {
        let e = term_entry("rail", &[(2, 1), (5, 3)], &[K1; 6], 6);
        assert!(e.starts_with("[\"rail\",[2,"), "{e}");
        let nums: Vec<u32> = e
            .trim_start_matches("[\"rail\",[")
            .trim_end_matches("]]")
            .split(',')
            .map(|x| x.parse().unwrap())
            .collect();
        assert_eq!(nums[2], 3, "second doc is a delta");
        assert!(nums[3] > nums[1], "more occurrences score higher");
    }
}
