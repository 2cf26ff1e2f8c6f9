//! Numbers in a source block and their counterparts in a translated block.
//!
//! The two sides are read differently on purpose. The **source** side is read strictly, so
//! that only what is certainly a number is asked for: Arabic numbers in the source
//! language's convention (`1,200.5` or, for German, `1.200,5`), scaled by a Chinese unit
//! after them (`1.2万` = 12,000, `3亿`, `30多万`), and Chinese numerals (`二〇一六`, `三百`,
//! `十三`, `十三五` = 13). A lone numeral is a number only before a measure word or after
//! `第` (`三年`, `三大`, `二是`, `第三`), not in a name (`四川`, `五邑`); a lone `一` never is
//! (一心, 一体, 一流), nor a run that starts with a unit (`万达`, `千方百计`), nor `十分`
//! (very). A number directly before `月` is a month (`2月` = February), also with a space
//! between (`10 月`).
//!
//! The **translated** side is read leniently, as the set of every value any reading gives:
//! digits with either grouping convention (`1,200`, `1.200`, `1 200`, each group also on
//! its own, so `29.02.2016` holds 29, 2 and 2016), scaled by the word after them
//! (`thousand`, `Tsd.`, `million`, `Mio.`, `Mrd.`, `billion`, also `万` and `亿`), English
//! and German number words and ordinals up to twelve (`three`, `drei`, `dritte`, `Zweitens`,
//! also at the start of a German compound: `Fünfjahresplan`), `hundred`/`hundert`, and month
//! names (`February`, `Februar`). `300` is then found in `≥ 300`, `more than 300` and
//! `mehr als 300` without any rule for the words around it. A lenient side only ever
//! removes findings, never adds one.

use std::collections::HashSet;
use std::fmt;

use crate::tokenize::fold_char;

/// An exact decimal: `mantissa / 10^scale`, without trailing zeros in the fraction, so
/// that equal values are equal (`1.20` = `1.2`, `1.2万` = `12000`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Num {
    mantissa: u128,
    scale: u32,
}

/// More digits than this are not a quantity anyone translates (and would overflow).
const MAX_DIGITS: usize = 30;

impl Num {
    /// An integer.
    pub fn int(n: u128) -> Num {
        Num::new(n, 0)
    }

    fn new(mut mantissa: u128, mut scale: u32) -> Num {
        while scale > 0 && mantissa.is_multiple_of(10) {
            mantissa /= 10;
            scale -= 1;
        }
        Num { mantissa, scale }
    }

    /// The value of `int.frac` written in ASCII digits; `None` when there are too many.
    fn parse(int: &str, frac: &str) -> Option<Num> {
        if int.len() + frac.len() > MAX_DIGITS || int.len() + frac.len() == 0 {
            return None;
        }
        let mut m: u128 = 0;
        for b in int.bytes().chain(frac.bytes()) {
            m = m
                .checked_mul(10)?
                .checked_add(u128::from(b.checked_sub(b'0')?))?;
        }
        Some(Num::new(m, frac.len() as u32))
    }

    /// `self × 10^k`.
    fn times_pow10(self, k: u32) -> Option<Num> {
        if self.scale >= k {
            return Some(Num::new(self.mantissa, self.scale - k));
        }
        let m = self
            .mantissa
            .checked_mul(10u128.checked_pow(k - self.scale)?)?;
        Some(Num::new(m, 0))
    }

    /// The integer value, if this is an integer that fits.
    fn as_int(self) -> Option<u128> {
        (self.scale == 0).then_some(self.mantissa)
    }
}

impl fmt::Display for Num {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits = self.mantissa.to_string();
        let scale = self.scale as usize;
        if scale == 0 {
            return f.write_str(&digits);
        }
        let padded = format!("{digits:0>width$}", width = scale + 1);
        let (int, frac) = padded.split_at(padded.len() - scale);
        write!(f, "{int}.{frac}")
    }
}

/// A number of a source block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceNumber {
    /// Its value.
    pub value: Num,
    /// Whether it names a month (`2月`): then a month name counts as its counterpart.
    pub month: bool,
    /// As written in the source (`1.2万`, `二〇一六`, `2月`).
    pub written: String,
    /// Byte offset in the text it was read from.
    pub at: usize,
}

impl SourceNumber {
    /// How a finding names it: as written, with the value when that differs.
    pub fn describe(&self) -> String {
        let value = self.value.to_string();
        if self.written == value {
            value
        } else if self.month {
            format!("{} (month {value})", self.written)
        } else {
            format!("{} ({value})", self.written)
        }
    }
}

/// Whether a block's numbers are written in the German convention (`1.200,5`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Convention {
    /// `1,200.5`: English, Chinese and most others.
    Point,
    /// `1.200,5`: German.
    Comma,
}

impl Convention {
    /// The convention of a BCP 47 locale.
    pub fn for_locale(locale: &str) -> Convention {
        match crate::tokenize::Analyzer::for_locale(locale) {
            crate::tokenize::Analyzer::German => Convention::Comma,
            _ => Convention::Point,
        }
    }
}

/// An Arabic number as written: its digit groups and the separator before each group
/// after the first.
struct Digits {
    groups: Vec<String>,
    seps: Vec<char>,
    end: usize,
}

/// A group of ASCII digits as an integer (`02` is 2).
fn integer(group: &str) -> Option<Num> {
    let trimmed = group.trim_start_matches('0');
    Num::parse(if trimmed.is_empty() { "0" } else { trimmed }, "")
}

fn ascii_digit(c: char) -> Option<char> {
    match c {
        '0'..='9' => Some(c),
        '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32),
        _ => None,
    }
}

/// Separators that may stand between digit groups; a plain space only when `space`.
fn is_separator(c: char, space: bool) -> bool {
    matches!(
        c,
        ',' | '.' | '\'' | '’' | '\u{a0}' | '\u{202f}' | '\u{2009}'
    ) || (space && c == ' ')
}

/// Reads the digits and separators starting at byte `start` of `text`.
fn read_digits(text: &str, start: usize, space: bool) -> Digits {
    let mut groups = vec![String::new()];
    let mut seps = Vec::new();
    let mut chars = text[start..].char_indices().peekable();
    let mut end = start;
    while let Some((i, c)) = chars.next() {
        if let Some(d) = ascii_digit(c) {
            if let Some(g) = groups.last_mut() {
                g.push(d);
            }
            end = start + i + c.len_utf8();
        } else if is_separator(c, space)
            && chars.peek().is_some_and(|&(_, n)| ascii_digit(n).is_some())
        {
            seps.push(c);
            groups.push(String::new());
        } else {
            break;
        }
    }
    Digits { groups, seps, end }
}

/// The value of `d` read in one convention, if it is well-formed there: grouping
/// separators before groups of exactly three digits, a first group of one to three, one
/// decimal separator at most, last.
fn interpret(d: &Digits, conv: Convention, space: bool) -> Option<Num> {
    let decimal = match conv {
        Convention::Point => '.',
        Convention::Comma => ',',
    };
    let grouping = |c: char| {
        c != decimal
            && match conv {
                Convention::Point => c != '.',
                Convention::Comma => c != ',',
            }
            && is_separator(c, space)
    };
    let mut int = String::new();
    let mut frac = "";
    for (k, group) in d.groups.iter().enumerate() {
        if k == 0 {
            int.push_str(group);
            continue;
        }
        let sep = d.seps[k - 1];
        if sep == decimal && k == d.groups.len() - 1 {
            frac = group;
        } else if grouping(sep) && group.len() == 3 && d.groups[0].len() <= 3 {
            int.push_str(group);
        } else {
            return None;
        }
    }
    Num::parse(&int, frac)
}

/// The multiplier of Chinese units (`万` 10^4, `亿` 10^8, `千`, `百`, `十`) directly after a
/// number, optionally after `多`/`余` (more than): the power of ten and the bytes it takes.
fn chinese_multiplier(rest: &str) -> (u32, usize) {
    let mut len = 0;
    let mut chars = rest.chars().peekable();
    if let Some(&c) = chars.peek()
        && matches!(c, '多' | '余')
    {
        chars.next();
        len += c.len_utf8();
    }
    let mut power = 0;
    let mut units = 0;
    for c in chars {
        let p = match c {
            '十' => 1,
            '百' => 2,
            '千' => 3,
            '万' | '萬' => 4,
            '亿' | '億' => 8,
            _ => break,
        };
        power += p;
        len += c.len_utf8();
        units += 1;
    }
    if units == 0 { (0, 0) } else { (power, len) }
}

fn chinese_digit(c: char) -> Option<u128> {
    Some(match c {
        '〇' | '零' => 0,
        '一' => 1,
        '二' | '两' | '兩' => 2,
        '三' => 3,
        '四' => 4,
        '五' => 5,
        '六' => 6,
        '七' => 7,
        '八' => 8,
        '九' => 9,
        _ => return None,
    })
}

fn chinese_unit(c: char) -> Option<u128> {
    Some(match c {
        '十' => 10,
        '百' => 100,
        '千' => 1000,
        '万' | '萬' => 10_000,
        '亿' | '億' => 100_000_000,
        _ => return None,
    })
}

fn is_chinese_numeral(c: char) -> bool {
    chinese_digit(c).is_some() || chinese_unit(c).is_some()
}

/// The value of a run of Chinese numerals, or `None` when it is not a number (a lone `一`,
/// a run that starts with a unit, two digits side by side such as `三四`, approximate).
fn chinese_value(run: &[char]) -> Option<u128> {
    if run.is_empty() || (run.len() == 1 && matches!(run[0], '一' | '零' | '〇')) {
        return None;
    }
    let first = run[0];
    if chinese_unit(first).is_some() && first != '十' {
        return None;
    }
    // Year-style digit by digit: 二〇一六.
    if run.len() >= 3 && run.iter().all(|&c| chinese_digit(c).is_some()) {
        return run.iter().try_fold(0u128, |v, &c| {
            v.checked_mul(10)?.checked_add(chinese_digit(c)?)
        });
    }
    let mut total: u128 = 0; // completed 亿 parts
    let mut section: u128 = 0; // below 万 or 亿
    let mut current: Option<u128> = None;
    for &c in run {
        if let Some(d) = chinese_digit(c) {
            if current.is_some_and(|v| v != 0) {
                return None; // 三四: approximate, not one number
            }
            current = Some(d);
        } else if let Some(u) = chinese_unit(c) {
            let n = current.take().unwrap_or(1);
            if u >= 10_000 {
                section = (section + n).checked_mul(u)?;
                if u == 100_000_000 {
                    total = total.checked_add(section)?;
                    section = 0;
                }
            } else {
                section = section.checked_add(n.checked_mul(u)?)?;
            }
        }
    }
    total
        .checked_add(section)?
        .checked_add(current.unwrap_or(0))
}

/// The numbers of a source block, in order of appearance.
pub fn source_numbers(text: &str, conv: Convention) -> Vec<SourceNumber> {
    let mut out = Vec::new();
    let mut i = 0;
    let mut prev: Option<char> = None;
    while let Some(c) = text[i..].chars().next() {
        let after_digit = prev.is_some_and(|p| ascii_digit(p).is_some());
        if ascii_digit(c).is_some() && !after_digit {
            let d = read_digits(text, i, false);
            // Not one number in this convention (a date such as 2016.02.29): each group
            // is a number of its own, named as written.
            let values: Vec<(Num, Option<&str>)> = match interpret(&d, conv, false) {
                Some(v) => vec![(v, None)],
                None => d
                    .groups
                    .iter()
                    .filter_map(|g| Some((integer(g)?, Some(g.as_str()))))
                    .collect(),
            };
            let single = values.len() == 1;
            let (power, mult_len) = if single {
                chinese_multiplier(&text[d.end..])
            } else {
                (0, 0)
            };
            let end = d.end + mult_len;
            for (v, group) in values {
                let value = v.times_pow10(power).unwrap_or(v);
                let n = push_source(&mut out, text, i, end, value, single);
                if let Some(g) = group {
                    n.written = g.to_string();
                }
            }
            prev = text[..end].chars().next_back();
            i = end;
            continue;
        }
        if is_chinese_numeral(c) {
            let run: Vec<char> = text[i..]
                .chars()
                .take_while(|&c| is_chinese_numeral(c))
                .collect();
            let run_len: usize = run.iter().map(|c| c.len_utf8()).sum();
            let end = i + run_len;
            let next = text[end..].chars().next();
            let lone = run.len() == 1 && !(prev == Some('第') || next.is_some_and(is_classifier));
            let value = match chinese_value(&run) {
                // 十分 (very), not ten minutes: the reading that cannot be checked.
                Some(10) if run.len() == 1 && next == Some('分') => None,
                // A lone numeral without a measure word after it is part of a name (四川,
                // 五邑, 九江) more often than a number.
                Some(_) if lone => None,
                Some(v) => Some(v),
                // 十三五: the 13th five-year plan.
                None if run.len() >= 3 && run.last() == Some(&'五') => {
                    chinese_value(&run[..run.len() - 1]).filter(|v| (10..=20).contains(v))
                }
                None => None,
            };
            if let Some(v) = value {
                push_source(&mut out, text, i, end, Num::int(v), true);
            }
            prev = run.last().copied();
            i = end;
            continue;
        }
        prev = Some(c);
        i += c.len_utf8();
    }
    out
}

/// Measure words and others that make a lone Chinese numeral before them a number
/// (`三年`, `五大`, `三区四市`, `二是`).
fn is_classifier(c: char) -> bool {
    "个家年月日号天周大点项条位名次种类区市县镇省国方批座所届期轮场栋层倍成岁小时分秒元人是者股只件台辆艘架款门张份部支队组"
        .contains(c)
}

fn push_source<'o>(
    out: &'o mut Vec<SourceNumber>,
    text: &str,
    start: usize,
    end: usize,
    value: Num,
    may_be_month: bool,
) -> &'o mut SourceNumber {
    // `2月`, and `10 月` as typeset with a space between digits and Han characters.
    let gap = text[end..].len()
        - text[end..]
            .trim_start_matches([' ', '\u{a0}', '\u{2009}'])
            .len();
    let month = may_be_month
        && text[end + gap..].starts_with('月')
        && value.as_int().is_some_and(|m| (1..=12).contains(&m));
    let written_end = if month {
        end + gap + '月'.len_utf8()
    } else {
        end
    };
    out.push(SourceNumber {
        value,
        month,
        written: text[start..written_end].to_string(),
        at: start,
    });
    let last = out.len() - 1;
    &mut out[last]
}

/// Every value a translated block mentions, read leniently (see the module header).
#[derive(Debug, Default, Clone)]
pub struct Values {
    numbers: HashSet<Num>,
    /// Bit `m` is set when month `m` is named.
    months: u16,
}

impl Values {
    /// Whether `n` has a counterpart here.
    pub fn has(&self, n: &SourceNumber) -> bool {
        self.numbers.contains(&n.value)
            || (n.month
                && n.value
                    .as_int()
                    .is_some_and(|m| m <= 12 && self.months & (1 << m) != 0))
    }

    /// Reads every value of a translated text.
    pub fn of(text: &str) -> Values {
        let mut v = Values::default();
        v.read(text);
        v
    }

    /// Adds every value of another translated text.
    pub fn read(&mut self, text: &str) {
        self.read_digits(text);
        self.read_words(text);
        // Chinese numerals and `N月`, for a translation into Chinese; most translated text
        // has none, and is spared the second pass.
        if !text.contains(|c: char| is_chinese_numeral(c) || c == '月') {
            return;
        }
        for n in source_numbers(text, Convention::Point) {
            if n.month {
                self.months |= 1 << n.value.as_int().unwrap_or(0).min(15);
            }
            self.numbers.insert(n.value);
        }
    }

    fn read_digits(&mut self, text: &str) {
        let mut i = 0;
        let mut prev: Option<char> = None;
        while let Some(c) = text[i..].chars().next() {
            if ascii_digit(c).is_none() || prev.is_some_and(|p| ascii_digit(p).is_some()) {
                prev = Some(c);
                i += c.len_utf8();
                continue;
            }
            let d = read_digits(text, i, true);
            let mut found: Vec<Num> = d.groups.iter().filter_map(|g| integer(g)).collect();
            for conv in [Convention::Point, Convention::Comma] {
                found.extend(interpret(&d, conv, true));
            }
            // Readings of the leading part alone: `2016 300` is also 2016 then 300.
            let scale = scale_after(&text[d.end..]);
            for n in found {
                self.numbers.insert(n);
                for &p in scale {
                    if let Some(s) = n.times_pow10(p) {
                        self.numbers.insert(s);
                    }
                }
            }
            prev = text[..d.end].chars().next_back();
            i = d.end;
        }
    }

    fn read_words(&mut self, text: &str) {
        let mut last: Option<u128> = None;
        // Number and month words are short: only the first letters of a word are folded,
        // into one buffer, and CJK characters are separators (cheap to tell, and Chinese
        // numerals are read by `source_numbers`).
        const LONGEST: usize = 12;
        let mut w = String::with_capacity(4 * LONGEST);
        let is_letter = |c: char| {
            if c.is_ascii() {
                c.is_ascii_alphanumeric()
            } else {
                !crate::tokenize::is_cjk(c) && c.is_alphanumeric()
            }
        };
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            if !is_letter(c) {
                continue;
            }
            w.clear();
            let mut len = 1;
            fold_char(c, &mut w);
            while let Some(&n) = chars.peek() {
                if !is_letter(n) {
                    break;
                }
                if len < LONGEST {
                    fold_char(n, &mut w);
                }
                len += 1;
                chars.next();
            }
            let whole = len <= LONGEST;
            if whole && let Some(m) = month_of(&w) {
                self.months |= 1 << m;
            }
            if let Some(p) = scale_word(&w).filter(|_| whole) {
                if let Some(n) = last {
                    for &k in p {
                        if let Some(v) = Num::int(n).times_pow10(k) {
                            self.numbers.insert(v);
                        }
                    }
                }
                for &k in p {
                    if let Some(v) = Num::int(1).times_pow10(k) {
                        self.numbers.insert(v);
                    }
                }
                last = None;
                continue;
            }
            last = number_word(&w, whole);
            if let Some(n) = last {
                self.numbers.insert(Num::int(n));
            }
        }
    }
}

/// The powers of ten a scale word after a number stands for (`Mrd.` 9; `billion` is 9
/// in English and 12 in German, so both).
fn scale_word(w: &str) -> Option<&'static [u32]> {
    Some(match w {
        "hundred" | "hundreds" | "hundert" => &[2],
        "thousand" | "thousands" | "tausend" | "tsd" => &[3],
        "million" | "millions" | "mn" | "mio" | "millionen" => &[6],
        "milliarde" | "milliarden" | "mrd" | "bn" => &[9],
        "billion" | "billions" => &[9, 12],
        "billionen" | "trillion" | "trillions" => &[12],
        _ => return None,
    })
}

/// The scales named right after a number: the next word (`12 thousand`, `3 Mio.`) or a
/// Chinese unit (`12万`).
fn scale_after(rest: &str) -> &'static [u32] {
    let (power, _) = chinese_multiplier(rest);
    match power {
        4 => return &[4],
        8 => return &[8],
        3 => return &[3],
        _ => {}
    }
    let rest = rest.trim_start_matches([' ', '\u{a0}', '\u{202f}', '\u{2009}']);
    let word: String = rest
        .chars()
        .take_while(|c| c.is_alphabetic())
        .flat_map(char::to_lowercase)
        .collect();
    scale_word(&word).unwrap_or(&[])
}

/// English and German number words and ordinals up to twelve (folded: `fünf` is `funf`);
/// German ones also at the start of a compound or with an inflection (`dreier`,
/// `Fünfjahresplan`, `Zweitens`).
fn number_word(w: &str, whole: bool) -> Option<u128> {
    // A `match` on the word (the compiler dispatches on its length first): this runs for
    // every word of every translated block.
    let exact = match w {
        "one" | "once" | "first" | "firstly" | "ein" | "eine" | "einen" | "einem" | "einer"
        | "eines" | "eins" => Some(1),
        "two" | "twice" | "both" | "second" | "secondly" | "zwo" => Some(2),
        "three" | "third" | "thirdly" => Some(3),
        "four" | "fourth" => Some(4),
        "five" | "fifth" => Some(5),
        "six" | "sixth" => Some(6),
        "seven" | "seventh" => Some(7),
        "eight" | "eighth" => Some(8),
        "nine" | "ninth" => Some(9),
        "ten" | "tenth" => Some(10),
        "eleven" | "eleventh" | "elf" => Some(11),
        "twelve" | "twelfth" | "dozen" => Some(12),
        _ => None,
    };
    // German stems that begin number words, ordinals and compounds.
    const PREFIX: &[(&str, u128)] = &[
        ("erst", 1),
        ("zwei", 2),
        ("zweit", 2),
        ("beid", 2),
        ("drei", 3),
        ("dritt", 3),
        ("vier", 4),
        ("funf", 5),
        ("sechs", 6),
        ("sieben", 7),
        ("siebt", 7),
        ("acht", 8),
        ("neun", 9),
        ("zehn", 10),
        ("elft", 11),
        ("zwolf", 12),
        ("dutzend", 12),
    ];
    if whole && let Some(n) = exact {
        return Some(n);
    }
    // All prefixes begin with one of these letters: most words are out at once.
    if !w.starts_with(['e', 'z', 'd', 'v', 'f', 's', 'a', 'n', 'b']) {
        return None;
    }
    PREFIX
        .iter()
        .filter(|(p, _)| w.starts_with(p))
        .max_by_key(|(p, _)| p.len())
        .map(|&(_, n)| n)
}

/// The month a folded English or German month name (or its abbreviation) stands for.
fn month_of(w: &str) -> Option<u16> {
    Some(match w {
        "january" | "januar" | "janner" | "jan" => 1,
        "february" | "februar" | "feber" | "feb" => 2,
        "march" | "marz" | "mar" | "mrz" => 3,
        "april" | "apr" => 4,
        "may" | "mai" => 5,
        "june" | "juni" | "jun" => 6,
        "july" | "juli" | "jul" => 7,
        "august" | "aug" => 8,
        "september" | "sept" | "sep" => 9,
        "october" | "oktober" | "oct" | "okt" => 10,
        "november" | "nov" => 11,
        "december" | "dezember" | "dec" | "dez" => 12,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn src(text: &str) -> Vec<String> {
        source_numbers(text, Convention::Point)
            .iter()
            .map(SourceNumber::describe)
            .collect()
    }

    fn found(source: &str, translated: &str) -> bool {
        let v = Values::of(translated);
        let ns = source_numbers(source, Convention::Point);
        assert!(!ns.is_empty(), "no number in {source}");
        ns.iter().all(|n| v.has(n))
    }

    #[test]
    fn decimals_print_exactly() {
        assert_eq!(Num::parse("1", "20").unwrap().to_string(), "1.2");
        assert_eq!(Num::parse("0", "05").unwrap().to_string(), "0.05");
        assert_eq!(
            Num::parse("1", "2").unwrap().times_pow10(4).unwrap(),
            Num::int(12_000)
        );
    }

    #[test]
    fn source_numbers_arabic_and_chinese() {
        assert_eq!(
            src("2016年2月29日，引进300家，1.2万人，3亿元，30多万，1,200.5"),
            [
                "2016",
                "2月 (month 2)",
                "29",
                "300",
                "1.2万 (12000)",
                "3亿 (300000000)",
                "30多万 (300000)",
                "1,200.5 (1200.5)"
            ]
        );
        assert_eq!(
            src("二〇一六年，三百家，十三五规划，第十三个五年，三点要求"),
            [
                "二〇一六 (2016)",
                "三百 (300)",
                "十三五 (13)",
                "十三 (13)",
                "五 (5)",
                "三 (3)"
            ]
        );
        // not numbers: a lone 一, runs starting with a unit, 十分, approximations
        assert!(src("一心一区，万达广场，千方百计，十分重要，三四个，四川，五邑").is_empty());
        assert_eq!(
            source_numbers("1.200,5 und 29.02.2016", Convention::Comma)
                .iter()
                .map(|n| n.value.to_string())
                .collect::<Vec<_>>(),
            ["1200.5", "29", "2", "2016"]
        );
        assert_eq!(src("2016.02.29"), ["2016", "02 (2)", "29"]);
    }

    #[test]
    fn odd_input_neither_panics_nor_overflows() {
        for text in [
            "",
            "99999999999999999999999999999999999999999999",
            "1.2.3.4,5,,6..7",
            "零〇〇 万亿亿亿亿亿亿亿亿 十十十十 二二二 3多 １２３",
            "九千九百九十九万九千九百九十九亿九千九百九十九万九千九百九十九亿九千九百九十九万亿",
            "12月 13月 0月 99999999999999999999999999999月",
            "1 000 000 000 000 000 000 000 000 000 000 000 000 billion",
        ] {
            let _ = source_numbers(text, Convention::Point);
            let _ = source_numbers(text, Convention::Comma);
            let _ = Values::of(text);
        }
        assert_eq!(src("１２３年"), ["１２３ (123)"]);
        assert_eq!(src("13月"), ["13"]);
    }

    #[test]
    fn translated_counterparts() {
        assert!(found("300家以上", "≥ 300"));
        assert!(found("逾300家", "more than 300 enterprises"));
        assert!(found("300家", "mehr als 300 Unternehmen"));
        assert!(found("1.2万", "12,000 people"));
        assert!(found("1.2万", "12.000 Menschen"));
        assert!(found("1.2万", "12 000 people"));
        assert!(found("1.2万", "12 thousand"));
        assert!(found("1.2万", "12 Tsd."));
        assert!(found("3亿元", "300 million yuan"));
        assert!(found("3亿元", "300 Mio. Yuan"));
        assert!(found("30亿", "3 Mrd."));
        assert!(found("30亿", "3 billion"));
        assert!(found("2016年2月29日", "29 February 2016"));
        assert!(found("2016年2月29日", "29. Februar 2016"));
        assert!(found("2016年2月29日", "29.02.2016"));
        assert!(found(
            "10 月 1 日办公室休息",
            "The office is closed on 1 October."
        ));
        assert!(found(
            "10 月 1 日办公室休息",
            "Am 1. Oktober ist das Büro geschlossen."
        ));
        assert!(found("3年内", "within three years"));
        assert!(found("三点要求", "drei Anforderungen"));
        assert!(found("二是", "Zweitens"));
        assert!(found("另外两个平台", "die beiden anderen"));
        assert!(found("另外两个平台", "the other two"));
        assert!(found("十三五", "im 13. Fünfjahresplan"));
        assert!(found("三百家", "three hundred firms"));
        assert!(found("12.5%", "12,5 %"));
        assert!(!found("300家", "30 Unternehmen"));
        assert!(!found("2016年2月29日", "29 March 2016"));
        assert!(!found("1.2万", "1,200"));
    }
}
