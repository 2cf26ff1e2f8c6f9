//! Turning text into search terms, the same way at build time (here) and in the reader's
//! browser (`search.js` of the zone theme). The cross-language checks (numbers, glossary)
//! fold and classify characters by the same rules, so it is a module of its own, below both.
//!
//! The index is only useful if a query is cut into exactly the terms the text was cut into,
//! so every rule here is one that a few lines of dependency-free JavaScript can repeat:
//!
//! 1. **Fold** each character: compatibility decomposition (NFKD, as
//!    `String.prototype.normalize("NFKD")`), combining marks dropped, lower-cased, and a few
//!    letters that have no decomposition spelled out (`ß` → `ss`, `æ` → `ae`, `ø` → `o`, …).
//!    `München` and `munchen` meet here.
//! 2. **Split** into runs: a run of CJK characters (Han, kana, Hangul) becomes overlapping
//!    character bigrams plus the words of three or more characters that jieba finds in it (a
//!    single character stays a unigram); everything else is cut into maximal runs of letters
//!    and digits. For Latin, Greek and Cyrillic text these are the words of Unicode word
//!    boundaries (UAX #29) with in-word punctuation (`zone’s`, `3.5`) as a separator; the
//!    possessive `s` after an apostrophe is dropped.
//! 3. **German**: `ae`, `oe`, `ue` (not after `q`) fold to `a`, `o`, `u`, the spelling of
//!    umlauts without umlaut keys, so `Muenchen` meets `München` (Snowball's "german2" rule).
//! 4. **Stem** lightly: English plurals (Harman's S-stemmer, as Lucene's
//!    `EnglishMinimalStemmer`), German inflection endings (Lucene's `GermanMinimalStemmer`,
//!    after Savoy). Both are a few lines on each side; prefix matching at query time does
//!    the rest (see docs/search.md).

use std::borrow::Cow;
use std::sync::LazyLock;

use jieba_rs::Jieba;
use rustc_hash::FxHashMap;
use unicode_normalization::char::{decompose_compatible, is_combining_mark};

/// Language-specific rules of one index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Analyzer {
    /// No stemming (Chinese, and languages qiao has no rules for).
    Plain,
    /// English: S-stemmer.
    English,
    /// German: umlaut digraphs folded, minimal stemmer.
    German,
}

impl Analyzer {
    /// The rules for a BCP 47 locale (`en-GB` → English, `de` → German, `zh-Hans` → plain).
    pub fn for_locale(locale: &str) -> Analyzer {
        let primary = locale.split(['-', '_']).next().unwrap_or("");
        match primary.to_ascii_lowercase().as_str() {
            "en" => Analyzer::English,
            "de" => Analyzer::German,
            _ => Analyzer::Plain,
        }
    }

    /// The name `search.js` reads from the manifest (`none`, `en`, `de`).
    pub fn name(self) -> &'static str {
        match self {
            Analyzer::Plain => "none",
            Analyzer::English => "en",
            Analyzer::German => "de",
        }
    }

    /// The term of one letter-and-digit word (already folded).
    pub fn word_term(self, word: &str) -> Cow<'_, str> {
        match self {
            Analyzer::Plain => Cow::Borrowed(word),
            Analyzer::English => stem_english(word),
            Analyzer::German => match fold_german_digraphs(word) {
                Cow::Borrowed(w) => stem_german(w),
                Cow::Owned(w) => Cow::Owned(stem_german(&w).into_owned()),
            },
        }
    }
}

/// Whether `c` belongs to a script written without spaces between words, whose runs are
/// indexed as bigrams: Han (with extensions and compatibility ideographs), Hiragana,
/// Katakana, Hangul. The same ranges are in `search.js`.
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF      // Hiragana, Katakana
        | 0x3400..=0x4DBF    // CJK Extension A
        | 0x4E00..=0x9FFF    // CJK Unified Ideographs
        | 0xAC00..=0xD7AF    // Hangul syllables
        | 0xF900..=0xFAFF    // CJK compatibility ideographs
        | 0x20000..=0x3134F) // Extensions B–G
}

/// Folds one character and appends the result: NFKD, combining marks dropped,
/// lower-cased, letters without a decomposition spelled out.
pub fn fold_char(c: char, out: &mut String) {
    if folds_to_itself(c) {
        out.push(c);
        return;
    }
    if c.is_ascii() {
        out.push(c.to_ascii_lowercase());
        return;
    }
    // German's letters beyond ASCII, in every German word that has one: what the Unicode
    // tables below make of them, without the tables (a test compares the two).
    match c {
        'ä' | 'Ä' => return out.push('a'),
        'ö' | 'Ö' => return out.push('o'),
        'ü' | 'Ü' => return out.push('u'),
        'ß' => return out.push_str("ss"),
        _ => {}
    }
    fold_decomposed(c, out);
}

/// [`fold_char`] by the Unicode tables: NFKD, combining marks dropped, lower-cased, letters
/// without a decomposition spelled out.
fn fold_decomposed(c: char, out: &mut String) {
    decompose_compatible(c, |d| {
        if is_combining_mark(d) {
            return;
        }
        for l in d.to_lowercase() {
            match l {
                'ß' => out.push_str("ss"),
                'æ' => out.push_str("ae"),
                'œ' => out.push_str("oe"),
                'ø' => out.push('o'),
                'đ' | 'ð' => out.push('d'),
                'þ' => out.push_str("th"),
                'ł' => out.push('l'),
                'ı' => out.push('i'),
                'ς' => out.push('σ'),
                l => out.push(l),
            }
        }
    });
}

/// [`fold_char`] over a whole string. Runs of characters that fold to themselves (ASCII
/// other than capitals, and Han ideographs: most of any text) are copied whole.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    // Start of the run of characters copied as they are.
    let mut kept = 0;
    for (i, c) in s.char_indices() {
        if folds_to_itself(c) {
            continue;
        }
        out.push_str(&s[kept..i]);
        fold_char(c, &mut out);
        kept = i + c.len_utf8();
    }
    out.push_str(&s[kept..]);
    out
}

/// Whether [`fold_char`] leaves `c` as it is, for the characters of most text: ASCII other
/// than capitals, and Han ideographs (the bulk of Chinese text), which have no
/// decomposition and no case (a test checks this against the Unicode tables).
fn folds_to_itself(c: char) -> bool {
    if c.is_ascii() {
        !c.is_ascii_uppercase()
    } else {
        matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF)
    }
}

/// German2 umlaut digraphs: `ae` → `a`, `oe` → `o`, `ue` → `u`, except `ue` after `q`.
/// The rule looks at the word as written (`aee` keeps its second `e`).
pub fn fold_german_digraphs(word: &str) -> Cow<'_, str> {
    // The letters involved are ASCII, so the bytes tell (one pass, no allocation for the
    // words without a digraph, which are most).
    let digraph = word
        .as_bytes()
        .windows(2)
        .any(|w| matches!(w, [b'a' | b'o' | b'u', b'e']));
    if !digraph {
        return Cow::Borrowed(word);
    }
    let mut out = String::with_capacity(word.len());
    // The two characters before `c` in the word as written.
    let (mut prev, mut before) = (None, None);
    for c in word.chars() {
        let drop = c == 'e'
            && match prev {
                Some('a' | 'o') => true,
                Some('u') => before != Some('q'),
                _ => false,
            };
        if !drop {
            out.push(c);
        }
        (before, prev) = (prev, Some(c));
    }
    Cow::Owned(out)
}

/// The last four characters of `word` with their byte offsets, last first, and the length
/// of the word in characters (counted up to 7, which is all the stemmers look at).
fn tail(word: &str) -> ([(usize, char); 4], usize) {
    let mut t = [(0, '\0'); 4];
    let mut n = 0;
    for (k, ic) in word.char_indices().rev().take(7).enumerate() {
        if k < 4 {
            t[k] = ic;
        }
        n += 1;
    }
    (t, n)
}

/// Harman's S-stemmer (Lucene's `EnglishMinimalStemmer`): `bases` → `base`,
/// `companies` → `company`; `-ss`, `-us`, `-aes`, `-ees`, `-oes` stay.
pub fn stem_english(word: &str) -> Cow<'_, str> {
    let ([(i1, c1), (_, c2), (i3, c3), (_, c4)], len) = tail(word);
    if len < 3 || c1 != 's' {
        return Cow::Borrowed(word);
    }
    match c2 {
        'u' | 's' => Cow::Borrowed(word),
        'e' => {
            if len > 3 && c3 == 'i' && c4 != 'a' && c4 != 'e' {
                return Cow::Owned(format!("{}y", &word[..i3]));
            }
            if matches!(c3, 'i' | 'a' | 'o' | 'e') {
                return Cow::Borrowed(word);
            }
            Cow::Borrowed(&word[..i1])
        }
        _ => Cow::Borrowed(&word[..i1]),
    }
}

/// Lucene's `GermanMinimalStemmer` (after Savoy) on folded words: `-nen`, then `-en`,
/// `-se`, `-es`, `-er`, then one of `n e s r`; words under five letters stay.
pub fn stem_german(word: &str) -> Cow<'_, str> {
    let ([(i1, c1), (i2, c2), (i3, c3), _], len) = tail(word);
    if len < 5 {
        return Cow::Borrowed(word);
    }
    if len > 6 && c3 == 'n' && c2 == 'e' && c1 == 'n' {
        return Cow::Borrowed(&word[..i3]);
    }
    if len > 5 {
        let two = match c1 {
            'n' | 's' | 'r' => c2 == 'e',
            'e' => c2 == 's',
            _ => false,
        };
        if two {
            return Cow::Borrowed(&word[..i2]);
        }
    }
    match c1 {
        'n' | 'e' | 's' | 'r' => Cow::Borrowed(&word[..i1]),
        _ => Cow::Borrowed(word),
    }
}

/// Where a term came from, which decides how it is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TermKind {
    /// A letter-and-digit word (stemmed).
    Word,
    /// Two characters of a CJK run, or a one-character run.
    Gram,
    /// A word of three or more CJK characters found by jieba.
    Segment,
}

/// jieba's words of three or more characters in CJK runs, remembered by run.
///
/// A site repeats its CJK runs (a run ends at punctuation, so names, titles and set
/// phrases come back whole): the zone site's content has a third of its run characters in
/// runs seen before. A run met again takes one table lookup instead of jieba's word graph.
/// The table is emptied when it holds [`Segmenter::REMEMBERED`] runs, so its memory stays
/// bounded; the words are the same either way.
pub struct Segmenter<'a> {
    jieba: &'a LazyLock<Jieba>,
    /// Run → byte ranges of its words of three or more characters, in order.
    seen: FxHashMap<Box<str>, Box<[(u16, u16)]>>,
}

impl<'a> Segmenter<'a> {
    /// The most runs remembered at once.
    pub const REMEMBERED: usize = 2048;
    /// The longest run remembered, in bytes (longer ones are segmented each time; byte
    /// offsets within it fit in a `u16`).
    const LONGEST: usize = 1024;

    /// A segmenter with nothing remembered; `jieba` is loaded at the first run of three
    /// or more characters.
    pub fn new(jieba: &'a LazyLock<Jieba>) -> Segmenter<'a> {
        Segmenter {
            jieba,
            seen: FxHashMap::default(),
        }
    }

    /// Calls `emit` with each word of three or more characters of `run` (a CJK run), in
    /// order.
    fn words(&mut self, run: &str, emit: &mut impl FnMut(&str, TermKind)) {
        let remember = run.len() <= Self::LONGEST;
        if remember && let Some(ranges) = self.seen.get(run) {
            for &(a, b) in ranges.iter() {
                emit(&run[usize::from(a)..usize::from(b)], TermKind::Segment);
            }
            return;
        }
        let mut ranges = Vec::new();
        for t in self.jieba.cut(run, false) {
            if t.end - t.start >= 3 {
                emit(t.word, TermKind::Segment);
                if remember {
                    ranges.push((t.byte_start as u16, t.byte_end as u16));
                }
            }
        }
        if remember {
            if self.seen.len() >= Self::REMEMBERED {
                self.seen.clear();
            }
            self.seen.insert(run.into(), ranges.into_boxed_slice());
        }
    }
}

/// Calls `emit` with every term of `text`, in order. `segmenter` cuts CJK runs of three or
/// more characters into words (when `None`, only bigrams are produced).
pub fn terms(
    text: &str,
    analyzer: Analyzer,
    mut segmenter: Option<&mut Segmenter>,
    mut emit: impl FnMut(&str, TermKind),
) {
    let folded = fold(text);
    let mut rest = folded.as_str();
    let mut prev_char: Option<char> = None;
    while let Some(c) = rest.chars().next() {
        if is_cjk(c) {
            let end = rest.find(|c: char| !is_cjk(c)).unwrap_or(rest.len());
            cjk_run(&rest[..end], segmenter.as_deref_mut(), &mut emit);
            prev_char = rest[..end].chars().next_back();
            rest = &rest[end..];
        } else if c.is_alphanumeric() {
            let end = rest
                .find(|c: char| !c.is_alphanumeric() || is_cjk(c))
                .unwrap_or(rest.len());
            let word = &rest[..end];
            let possessive = word == "s" && matches!(prev_char, Some('\'' | '’'));
            if !possessive {
                emit(&analyzer.word_term(word), TermKind::Word);
            }
            prev_char = word.chars().next_back();
            rest = &rest[end..];
        } else {
            prev_char = Some(c);
            rest = &rest[c.len_utf8()..];
        }
    }
}

fn cjk_run(run: &str, segmenter: Option<&mut Segmenter>, emit: &mut impl FnMut(&str, TermKind)) {
    // Each bigram, from the start of its first character to the end of its second.
    let mut chars = 0;
    let mut prev: Option<usize> = None;
    for (i, c) in run.char_indices() {
        chars += 1;
        if let Some(p) = prev {
            emit(&run[p..i + c.len_utf8()], TermKind::Gram);
        }
        prev = Some(i);
    }
    if chars == 1 {
        emit(run, TermKind::Gram);
        return;
    }
    if chars >= 3
        && let Some(s) = segmenter
    {
        s.words(run, emit);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shortcuts of [`fold_char`] fold as the Unicode tables do, and so do ASCII and the
    /// Han blocks.
    #[test]
    fn fold_char_shortcuts_agree_with_the_tables() {
        let shortcuts = "äÄöÖüÜßAZaz09-";
        for c in shortcuts.chars().chain(['中', '\u{3400}', '\u{9fff}']) {
            let (mut quick, mut slow) = (String::new(), String::new());
            fold_char(c, &mut quick);
            fold_decomposed(c, &mut slow);
            assert_eq!(quick, slow, "{c:?}");
        }
    }

    /// The characters [`fold`] and [`fold_char`] copy without folding are those the
    /// Unicode tables leave as they are, and a text of every kind folds as its characters
    /// do one by one.
    #[test]
    fn fold_copies_only_what_folds_to_itself() {
        let samples = (0u32..0x800)
            .chain(0x3000..0x3500)
            .chain(0x4DB0..0x4E10)
            .chain(0x9FF0..0xA010)
            .chain(0xFF00..0xFF70)
            .filter_map(char::from_u32);
        let mut text = String::new();
        for c in samples {
            let mut one = String::new();
            fold_decomposed(c, &mut one);
            if folds_to_itself(c) {
                assert_eq!(one, c.to_string(), "{c:?} is copied but folds");
            }
            text.push(c);
        }
        let mut by_char = String::new();
        for c in text.chars() {
            fold_char(c, &mut by_char);
        }
        assert_eq!(fold(&text), by_char);
        assert_eq!(fold("Zone 江门 ÄRA，ok"), "zone 江门 ara,ok");
    }

    /// The words of three or more characters jieba finds in `run`, as `terms` took them
    /// before runs were remembered.
    fn jieba_words(jieba: &Jieba, run: &str) -> Vec<String> {
        let words = jieba.cut(run, false).into_iter();
        words
            .filter(|t| t.end - t.start >= 3)
            .map(|t| t.word.to_string())
            .collect()
    }

    fn segmenter_words(s: &mut Segmenter, run: &str) -> Vec<String> {
        let mut v = Vec::new();
        s.words(run, &mut |w, kind| {
            assert_eq!(kind, TermKind::Segment);
            v.push(w.to_string());
        });
        v
    }

    /// A remembered run gives jieba's words, the first time and after; a run too long to
    /// remember too; and the table empties itself when full.
    #[test]
    fn segmenter_remembers_runs_and_gives_jieba_words() {
        static JIEBA: LazyLock<Jieba> = LazyLock::new(Jieba::new);
        let run = "中欧江门中小企业国际合作区揭牌仪式";
        let want = jieba_words(&JIEBA, run);
        assert!(!want.is_empty(), "{want:?}");
        let mut s = Segmenter::new(&JIEBA);
        assert_eq!(segmenter_words(&mut s, run), want);
        assert_eq!(s.seen.len(), 1);
        assert_eq!(segmenter_words(&mut s, run), want, "remembered");

        let long = run.repeat(30);
        assert!(long.len() > Segmenter::LONGEST);
        assert_eq!(segmenter_words(&mut s, &long), jieba_words(&JIEBA, &long));
        assert_eq!(s.seen.len(), 1, "a long run is not remembered");

        for c in ('\u{4E00}'..).take(Segmenter::REMEMBERED - 1) {
            segmenter_words(&mut s, &format!("{run}{c}"));
        }
        assert_eq!(s.seen.len(), Segmenter::REMEMBERED);
        let other = "新能源汽车产业基地";
        assert_eq!(segmenter_words(&mut s, other), jieba_words(&JIEBA, other));
        assert_eq!(s.seen.len(), 1, "a full table is emptied");
        assert_eq!(segmenter_words(&mut s, run), want);

        // Within a text, the segmenter's words are the Segment terms.
        let mut segments = Vec::new();
        let text = format!("{run}，{other}。{run}");
        terms(&text, Analyzer::Plain, Some(&mut s), |t, kind| {
            if kind == TermKind::Segment {
                segments.push(t.to_string());
            }
        });
        let other_words = jieba_words(&JIEBA, other);
        assert_eq!(segments, [&want[..], &other_words, &want].concat());
    }

    fn all(text: &str, a: Analyzer) -> Vec<String> {
        let mut v = Vec::new();
        terms(text, a, None, |t, _| v.push(t.to_string()));
        v
    }

    #[test]
    fn folding_meets_spellings() {
        assert_eq!(fold("München"), "munchen");
        assert_eq!(fold("STRAẞE"), "strasse");
        assert_eq!(fold("Œuvre Ærø"), "oeuvre aero");
        assert_eq!(fold("ｆｕｌｌ２０１６"), "full2016");
        assert_eq!(fold_german_digraphs("muenchen"), "munchen");
        assert_eq!(fold_german_digraphs("quelle"), "quelle");
        assert_eq!(fold_german_digraphs("queue"), "queu");
    }

    #[test]
    fn locales_pick_rules() {
        assert_eq!(Analyzer::for_locale("en-GB"), Analyzer::English);
        assert_eq!(Analyzer::for_locale("de"), Analyzer::German);
        assert_eq!(Analyzer::for_locale("zh-Hans"), Analyzer::Plain);
    }

    #[test]
    fn s_stemmer() {
        for (w, s) in [
            ("bases", "base"),
            ("companies", "company"),
            ("zones", "zone"),
            ("class", "class"),
            ("bus", "bus"),
            ("goes", "goes"),
            ("cities", "city"),
            ("its", "it"),
            ("is", "is"),
        ] {
            assert_eq!(stem_english(w), s, "{w}");
        }
    }

    #[test]
    fn german_minimal_stemmer() {
        for (w, s) in [
            ("industriestandorte", "industriestandort"),
            ("industriestandorten", "industriestandort"),
            ("schienenverkehr", "schienenverkeh"),
            ("unternehmen", "unternehm"),
            ("kaiping", "kaiping"),
            ("zone", "zone"),
            ("zonen", "zone"),
        ] {
            assert_eq!(stem_german(w), s, "{w}");
        }
    }

    #[test]
    fn apostrophes_and_numbers_separate() {
        assert_eq!(
            all("The zone’s 3.5 km² rail-transit base", Analyzer::English),
            ["the", "zone", "3", "5", "km2", "rail", "transit", "base"]
        );
    }

    #[test]
    fn cjk_runs_are_bigrams_and_unigrams() {
        assert_eq!(
            all("2016年新能源汽车", Analyzer::Plain),
            ["2016", "年新", "新能", "能源", "源汽", "汽车"]
        );
        assert_eq!(all("2月29日", Analyzer::Plain), ["2", "月", "29", "日"]);
    }
}
