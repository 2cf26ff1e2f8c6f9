//! Locale-aware formatting of dates and numbers with ICU4X (CLDR data compiled in), and
//! text measures that understand Chinese: word counts, reading time, summaries.
//!
//! Hand-made month tables and digit grouping get German and Chinese wrong in small ways
//! (`29. Februar 2016`, `2016年2月29日`, `1.234,5`); CLDR gets them right.

use icu_calendar::{Date, Gregorian};
use icu_datetime::FixedCalendarDateTimeFormatter;
use icu_datetime::fieldsets::{Y, YM, YMD};
use icu_decimal::DecimalFormatter;
use icu_locale_core::Locale;
use unicode_segmentation::UnicodeSegmentation;

/// The date styles templates can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateStyle {
    /// 2016年2月29日 · 29 February 2016 · 29. Februar 2016
    Long,
    /// 2016年2月29日 · 29 Feb 2016 · 29.02.2016
    Medium,
    /// 2016/2/29 · 29/02/2016 · 29.02.16
    Short,
    /// 2016年2月 · February 2016 · Februar 2016
    YearMonth,
    /// 2016年 · 2016 · 2016
    Year,
    /// 2016-02-29, for `datetime` attributes.
    Iso,
}

impl DateStyle {
    /// Parses the `format` argument of the `date` filter.
    pub fn parse(s: &str) -> Option<DateStyle> {
        Some(match s {
            "long" => DateStyle::Long,
            "medium" => DateStyle::Medium,
            "short" => DateStyle::Short,
            "year_month" => DateStyle::YearMonth,
            "year" => DateStyle::Year,
            "iso" => DateStyle::Iso,
            _ => return None,
        })
    }
}

/// Formatters for one locale, created once per build and shared by all threads.
pub struct LocaleFormat {
    long: FixedCalendarDateTimeFormatter<Gregorian, YMD>,
    medium: FixedCalendarDateTimeFormatter<Gregorian, YMD>,
    short: FixedCalendarDateTimeFormatter<Gregorian, YMD>,
    year_month: FixedCalendarDateTimeFormatter<Gregorian, YM>,
    year: FixedCalendarDateTimeFormatter<Gregorian, Y>,
    decimal: DecimalFormatter,
}

impl LocaleFormat {
    /// Formatters for a BCP 47 locale (`zh-Hans`, `en-GB`, `de`).
    pub fn new(locale: &str) -> Result<LocaleFormat, String> {
        let loc: Locale = locale
            .parse()
            .map_err(|e| format!("`{locale}` is not a locale ICU4X understands: {e:?}"))?;
        let err = |e: icu_datetime::DateTimeFormatterLoadError| {
            format!("no date formats for `{locale}`: {e:?}")
        };
        Ok(LocaleFormat {
            long: FixedCalendarDateTimeFormatter::try_new((&loc).into(), YMD::long())
                .map_err(err)?,
            medium: FixedCalendarDateTimeFormatter::try_new((&loc).into(), YMD::medium())
                .map_err(err)?,
            short: FixedCalendarDateTimeFormatter::try_new((&loc).into(), YMD::short())
                .map_err(err)?,
            year_month: FixedCalendarDateTimeFormatter::try_new((&loc).into(), YM::long())
                .map_err(err)?,
            year: FixedCalendarDateTimeFormatter::try_new((&loc).into(), Y::long()).map_err(err)?,
            decimal: DecimalFormatter::try_new((&loc).into(), Default::default())
                .map_err(|e| format!("no number formats for `{locale}`: {e:?}"))?,
        })
    }

    /// Formats a date given as `YYYY-MM-DD` or RFC 3339 (its calendar date, as written).
    pub fn date(&self, value: &str, style: DateStyle) -> Option<String> {
        let ymd = value.get(..10)?;
        let y: i32 = ymd.get(..4)?.parse().ok()?;
        let m: u8 = ymd.get(5..7)?.parse().ok()?;
        let d: u8 = ymd.get(8..10)?.parse().ok()?;
        if ymd.as_bytes().get(4) != Some(&b'-') || ymd.as_bytes().get(7) != Some(&b'-') {
            return None;
        }
        let date = Date::try_new_gregorian(y, m, d).ok()?;
        Some(match style {
            DateStyle::Long => self.long.format(&date).to_string(),
            DateStyle::Medium => self.medium.format(&date).to_string(),
            DateStyle::Short => self.short.format(&date).to_string(),
            DateStyle::YearMonth => self.year_month.format(&date).to_string(),
            DateStyle::Year => self.year.format(&date).to_string(),
            DateStyle::Iso => ymd.to_string(),
        })
    }

    /// Formats a number with the locale's separators; `decimals` rounds (half even is
    /// avoided: CLDR's default half-expand, as people expect).
    pub fn number(&self, value: f64, decimals: Option<i16>) -> Option<String> {
        if !value.is_finite() {
            return None;
        }
        let text = match decimals {
            Some(d) => format!("{value:.prec$}", prec = d.clamp(0, 20) as usize),
            None => format!("{value}"),
        };
        let dec: fixed_decimal::Decimal = text.parse().ok()?;
        Some(self.decimal.format(&dec).to_string())
    }
}

/// Whether a character is written without spaces between words (Han, kana, Hangul and
/// their punctuation), so that it counts as a word of its own.
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3000..=0x303F | 0x3040..=0x30FF | 0x3100..=0x312F | 0x31A0..=0x31FF
        | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF
        | 0xFF00..=0xFFEF | 0x20000..=0x2FA1F)
}

/// Characters written without spaces between words: Han, kana, Bopomofo,
/// CJK punctuation and fullwidth forms.
///
/// Hangul is deliberately not included: Korean separates words with spaces,
/// so a line break between Hangul syllables must stay a space (as in the CSS
/// Text Level 3 segment-break rules). Markdown drops a line break between two such
/// characters instead of making it a space, and a bare address ends before one.
pub(crate) fn is_east_asian(c: char) -> bool {
    matches!(c as u32,
        0x2E80..=0x2FFF       // CJK radicals, Kangxi radicals, description characters
        | 0x3000..=0x303F     // CJK symbols and punctuation
        | 0x3040..=0x30FF     // Hiragana, Katakana
        | 0x3100..=0x312F     // Bopomofo
        | 0x3190..=0x31FF     // Kanbun, Bopomofo extended, strokes, Katakana extension
        | 0x3200..=0x33FF     // enclosed CJK letters, CJK compatibility
        | 0x3400..=0x4DBF     // CJK extension A
        | 0x4E00..=0x9FFF     // CJK unified ideographs
        | 0xF900..=0xFAFF     // CJK compatibility ideographs
        | 0xFE10..=0xFE1F     // vertical forms
        | 0xFE30..=0xFE4F     // CJK compatibility forms
        | 0xFF00..=0xFF9F     // fullwidth forms, halfwidth CJK punctuation and Katakana
        | 0xFFE0..=0xFFEF     // fullwidth signs
        | 0x1B000..=0x1B16F   // Kana supplement and extensions
        | 0x20000..=0x3FFFF // CJK extensions B and later, compatibility supplement
    )
}

/// Words in a text: every CJK character counts as one word (punctuation excluded), Latin
/// and other scripts count by Unicode word boundaries (UAX #29).
pub fn word_count(text: &str) -> usize {
    fast_word_count(text).unwrap_or_else(|| unicode_word_count(text))
}

/// The word-boundary classes (UAX #29, `Word_Break`) of the characters that most Chinese,
/// English and German text is made of, as far as counting words needs them.
#[derive(Clone, Copy, PartialEq, Eq)]
enum WordClass {
    /// `ALetter`: ASCII and Latin-1 / Latin Extended-A letters.
    Letter,
    /// `Numeric`: ASCII digits.
    Digit,
    /// `ExtendNumLet`: the underscore, which joins letters and digits but is not one.
    Underscore,
    /// `MidLetter`: joins two letters (`:`, `·`, `：`).
    MidLetter,
    /// `MidNum`: joins two digits (`,`, `;`, `，`, `；`).
    MidNum,
    /// `MidNumLet` and `Single_Quote`: join two letters or two digits (`.`, `'`, `’`).
    MidNumLet,
    /// A letter or digit that is a word of its own (`Other` in UAX #29, but alphanumeric):
    /// a Han ideograph of the main blocks, a subscript digit (`CO₂`).
    Alone,
    /// Anything else of the fast set: never part of a word (spaces, line breaks, other
    /// punctuation).
    Break,
}

/// The class of `c`, or `None` for a character outside the fast set (letters of other
/// scripts, combining marks, format characters, ...): those texts take the full UAX #29
/// algorithm. `fast_classes_agree_with_unicode_words` checks each class against it.
fn word_class(c: char) -> Option<WordClass> {
    use WordClass::*;
    Some(match c {
        'a'..='z' | 'A'..='Z' => Letter,
        '0'..='9' => Digit,
        '_' => Underscore,
        ':' => MidLetter,
        ',' | ';' => MidNum,
        '.' | '\'' => MidNumLet,
        '\0'..='\u{7f}' => Break,
        '\u{c0}'..='\u{d6}' | '\u{d8}'..='\u{f6}' | '\u{f8}'..='\u{17f}' => Letter,
        '\u{b7}' | '\u{ff1a}' => MidLetter,
        '\u{ff0c}' | '\u{ff1b}' => MidNum,
        '\u{2018}' | '\u{2019}' | '\u{ff0e}' => MidNumLet,
        '\u{2013}' | '\u{2014}' | '\u{201c}' | '\u{201d}' | '\u{2026}' => Break,
        '\u{3001}' | '\u{3002}' | '\u{300a}'..='\u{3011}' => Break,
        '\u{ff01}' | '\u{ff08}' | '\u{ff09}' | '\u{ff1f}' => Break,
        '\u{2080}'..='\u{2089}' => Alone,
        c if is_han(c) => Alone,
        _ => return None,
    })
}

/// [`word_count`] of a text made only of characters [`word_class`] knows, in one pass
/// without the Unicode tables; `None` as soon as another character comes. Within that set
/// the UAX #29 rules that matter are few: letters, digits and underscores join (WB5, WB8 to
/// WB10, WB13a, WB13b); a `MidLetter` or `MidNumLet` between two letters and a `MidNum` or
/// `MidNumLet` between two digits join them (WB6, WB7, WB11, WB12); a Han ideograph or a
/// subscript digit is a word of its own; everything else breaks. A word of letters and digits counts one.
fn fast_word_count(text: &str) -> Option<usize> {
    use WordClass::*;
    let mut count = 0;
    // The class of the last character of the word being read (letter, digit, underscore),
    // whether the word has a letter or a digit, and a middle mark read right after it.
    let mut last: Option<WordClass> = None;
    let mut alnum = false;
    let mut mid: Option<WordClass> = None;
    for c in text.chars() {
        let class = word_class(c)?;
        let joins = match class {
            Letter | Digit | Underscore => match (last, mid) {
                (Some(_), None) => true,
                (Some(Letter), Some(MidLetter | MidNumLet)) => class == Letter,
                (Some(Digit), Some(MidNum | MidNumLet)) => class == Digit,
                _ => false,
            },
            MidLetter | MidNum | MidNumLet => {
                if mid.is_none() && matches!(last, Some(Letter | Digit)) {
                    mid = Some(class);
                    continue;
                }
                false
            }
            Alone | Break => false,
        };
        if !joins {
            count += usize::from(alnum);
            (last, alnum) = (None, false);
        }
        mid = None;
        match class {
            Letter | Digit | Underscore => {
                last = Some(class);
                alnum |= class != Underscore;
            }
            Alone => count += 1,
            _ => {}
        }
    }
    Some(count + usize::from(alnum))
}

/// [`word_count`] by the full UAX #29 word boundaries, for any text.
fn unicode_word_count(text: &str) -> usize {
    text.unicode_words()
        .map(|w| {
            // One pass: CJK letters counted one by one, and whether any other letter or
            // digit is there (a word of both counts one more). ASCII and the main Han blocks
            // are told without the Unicode tables (a test checks that every character of
            // those blocks is alphanumeric).
            let (mut cjk, mut other) = (0usize, false);
            for c in w.chars() {
                if c.is_ascii() {
                    other |= c.is_ascii_alphanumeric();
                } else if is_cjk(c) {
                    if is_han(c) || c.is_alphanumeric() {
                        cjk += 1;
                    }
                } else if !other {
                    other = c.is_alphanumeric();
                }
            }
            if cjk > 0 { cjk + usize::from(other) } else { 1 }
        })
        .sum()
}

/// CJK Unified Ideographs and Extension A: the bulk of Chinese text, all alphanumeric.
fn is_han(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF)
}

/// Minutes to read `words` at `per_minute`, at least one.
pub fn reading_time(words: usize, per_minute: u32) -> usize {
    words.div_ceil(per_minute.max(1) as usize).max(1)
}

/// Reading speeds by language, in words (CJK: characters) per minute, from
/// Trauzettel-Klosinski et al. (2012), "Standardized assessment of reading performance: the
/// new International Reading Speed Texts IReST": Chinese 255 characters, English 228 words,
/// German 179 words per minute. Other languages use the English rate.
pub fn default_reading_speed(lang: &str) -> u32 {
    match lang.split('-').next().unwrap_or(lang) {
        "zh" | "ja" => 255,
        "de" => 179,
        _ => 228,
    }
}

/// Whether summaries in this language are cut by characters rather than words.
pub fn cuts_by_characters(lang: &str) -> bool {
    matches!(
        lang.split('-').next().unwrap_or(lang),
        "zh" | "ja" | "ko" | "yue"
    )
}

/// How many characters an excerpt has in languages cut by characters (Chinese, Japanese,
/// Korean, Cantonese).
pub const EXCERPT_CHARS: usize = 120;
/// How many words an excerpt has in other languages.
pub const EXCERPT_WORDS: usize = 55;

/// The excerpt of a text written in `lang`: [`summarize`]d to [`EXCERPT_CHARS`] characters
/// or [`EXCERPT_WORDS`] words (see [`cuts_by_characters`]).
pub fn excerpt(text: &str, lang: &str) -> String {
    let by_chars = cuts_by_characters(lang);
    let limit = if by_chars {
        EXCERPT_CHARS
    } else {
        EXCERPT_WORDS
    };
    summarize(text, limit, by_chars)
}

/// Shortens plain text to `limit` characters (CJK languages) or words (others), adding
/// `…` when something was cut. Never cuts inside a character or a word.
pub fn summarize(text: &str, limit: usize, by_chars: bool) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if by_chars {
        if text.chars().count() <= limit {
            return text;
        }
        let cut: String = text.chars().take(limit).collect();
        return format!(
            "{}…",
            cut.trim_end_matches(|c: char| c.is_whitespace() || "，、；：,;:".contains(c))
        );
    }
    let mut words = 0;
    let mut end = text.len();
    for (i, w) in text.split_word_bound_indices() {
        if w.chars().any(char::is_alphanumeric) {
            words += 1;
            if words > limit {
                end = i;
                break;
            }
        }
    }
    if end == text.len() {
        return text;
    }
    format!(
        "{}…",
        text[..end].trim_end_matches(|c: char| c.is_whitespace() || ",;:–-".contains(c))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_three_languages() {
        let zh = LocaleFormat::new("zh-Hans").unwrap();
        let gb = LocaleFormat::new("en-GB").unwrap();
        let us = LocaleFormat::new("en").unwrap();
        let de = LocaleFormat::new("de").unwrap();
        let d = "2016-02-29T11:00:00+08:00";
        assert_eq!(zh.date(d, DateStyle::Long).unwrap(), "2016年2月29日");
        assert_eq!(gb.date(d, DateStyle::Long).unwrap(), "29 February 2016");
        assert_eq!(us.date(d, DateStyle::Long).unwrap(), "February 29, 2016");
        assert_eq!(de.date(d, DateStyle::Long).unwrap(), "29. Februar 2016");
        assert_eq!(de.date(d, DateStyle::Medium).unwrap(), "29.02.2016");
        assert_eq!(
            de.date("2016-02-29", DateStyle::YearMonth).unwrap(),
            "Februar 2016"
        );
        assert_eq!(
            zh.date("2016-02-29", DateStyle::YearMonth).unwrap(),
            "2016年2月"
        );
        assert_eq!(gb.date("2016-02-29", DateStyle::Iso).unwrap(), "2016-02-29");
        assert!(de.date("2016-02-30", DateStyle::Long).is_none());
        assert!(de.date("soon", DateStyle::Long).is_none());
    }

    #[test]
    fn numbers_in_three_languages() {
        let zh = LocaleFormat::new("zh-Hans").unwrap();
        let en = LocaleFormat::new("en").unwrap();
        let de = LocaleFormat::new("de").unwrap();
        assert_eq!(en.number(1234.5, None).unwrap(), "1,234.5");
        assert_eq!(de.number(1234.5, None).unwrap(), "1.234,5");
        assert_eq!(zh.number(1234.5, None).unwrap(), "1,234.5");
        assert_eq!(de.number(1234567.891, Some(2)).unwrap(), "1.234.567,89");
        assert_eq!(en.number(300.0, None).unwrap(), "300");
        assert!(en.number(f64::NAN, None).is_none());
    }

    #[test]
    fn word_counts() {
        assert_eq!(word_count("中欧合作区挂牌。"), 7);
        assert_eq!(word_count("The zone was unveiled on 29 February."), 7);
        assert_eq!(
            word_count("Die Kooperationszone wurde feierlich eröffnet."),
            5
        );
        assert_eq!(word_count("江门 2016 年"), 4);
    }

    #[test]
    fn reading_times() {
        assert_eq!(reading_time(510, default_reading_speed("zh")), 2);
        assert_eq!(reading_time(228, default_reading_speed("en")), 1);
        assert_eq!(reading_time(229, default_reading_speed("en")), 2);
        assert_eq!(reading_time(0, default_reading_speed("de")), 1);
        assert_eq!(reading_time(360, default_reading_speed("de")), 3);
    }

    #[test]
    fn summaries_cut_by_characters_or_words() {
        assert_eq!(
            summarize("中欧（江门）中小企业国际合作区挂牌", 6, true),
            "中欧（江门）…"
        );
        assert_eq!(summarize("短文", 6, true), "短文");
        assert_eq!(
            summarize(
                "The China-EU zone was unveiled on the morning of 29 February.",
                5,
                false
            ),
            "The China-EU zone was…"
        );
        assert_eq!(
            summarize(
                "Die Kooperationszone wurde am Vormittag feierlich eröffnet.",
                4,
                false
            ),
            "Die Kooperationszone wurde am…"
        );
        assert_eq!(summarize("Short text.", 5, false), "Short text.");
        assert!(cuts_by_characters("zh") && !cuts_by_characters("de"));
    }

    /// `word_count` as it was written first, two passes over each word with the Unicode
    /// tables for every character: the one-pass version must count the same.
    fn word_count_reference(text: &str) -> usize {
        text.unicode_words()
            .map(|w| {
                let cjk = w
                    .chars()
                    .filter(|&c| is_cjk(c) && c.is_alphanumeric())
                    .count();
                if cjk > 0 {
                    cjk + usize::from(w.chars().any(|c| !is_cjk(c) && c.is_alphanumeric()))
                } else {
                    1
                }
            })
            .sum()
    }

    #[test]
    fn word_count_agrees_with_the_reference() {
        let texts = [
            "江门2016年，5G基站与AI工厂",
            "ひらがな、カタカナ。한국어 텍스트",
            "Straße_über 3,14 Mio. Euro; e.g. can't-stop",
            "𠀀𠀁 (Extension B) 〇 々 ㊀ 㐀 鿿 豈",
            "x\u{301}y 1\u{20e3} ①②③ ½ ٣٤ Ⅻ",
            "",
            "   \n\t ",
        ];
        for t in texts {
            assert_eq!(word_count(t), word_count_reference(t), "{t:?}");
        }
        // Every character of the CJK ranges, alone and beside Latin letters and digits.
        let cjk = (0x3040..=0x30FF)
            .chain(0x3400..=0x4DBF)
            .chain(0x4E00..=0x9FFF)
            .chain(0xAC00..=0xD7AF)
            .chain(0xF900..=0xFAFF)
            .chain((0x20000..=0x3134F).step_by(97));
        let all: String = cjk.filter_map(char::from_u32).collect();
        for chunk in all.chars().collect::<Vec<_>>().chunks(64) {
            let s: String = chunk.iter().collect();
            for t in [s.clone(), format!("a{s}1"), format!("{s} b c")] {
                assert_eq!(word_count(&t), word_count_reference(&t), "{t:?}");
            }
        }
    }

    /// Every character [`word_class`] knows, in strings of one to three of them with
    /// representatives of every class around it, counts as the full UAX #29 algorithm
    /// counts: a character given the wrong class would split or join a word differently.
    #[test]
    fn fast_classes_agree_with_unicode_words() {
        let known: Vec<char> = (0..=0x10FFFF)
            .filter_map(char::from_u32)
            .filter(|&c| word_class(c).is_some())
            .collect();
        let others = [
            'a', 'Z', 'ä', '1', '_', ':', ',', '.', '\'', '’', '，', '：', ' ', '\n', '-', '中',
            '。', '"',
        ];
        for &c in &known {
            for &o in &others {
                for t in [
                    format!("{o}{c}{o}"),
                    format!("{c}{o}"),
                    format!("{o}{c}"),
                    format!("{c}{c}{o}"),
                    format!("{c}"),
                ] {
                    assert_eq!(fast_word_count(&t), Some(unicode_word_count(&t)), "{t:?}");
                }
            }
        }
    }

    /// Random texts over the fast set and a few characters outside it (which take the full
    /// algorithm): the two paths of [`word_count`] agree, and the fast one is taken whenever
    /// every character is in its set.
    #[test]
    fn fast_word_count_agrees_on_random_text() {
        let alphabet: Vec<char> = "aZäß19₂_:,;.'’‘·：，；．“”—…、。《》（）！？ \n\t-\"中文江门"
            .chars()
            .chain(['\u{301}', '\u{ad}', 'ア', '①', '²', '\u{200d}'])
            .collect();
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for len in 0..2000 {
            let t: String = (0..len % 40)
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    alphabet[(seed % alphabet.len() as u64) as usize]
                })
                .collect();
            assert_eq!(word_count(&t), unicode_word_count(&t), "{t:?}");
            if t.chars().all(|c| word_class(c).is_some()) {
                assert_eq!(fast_word_count(&t), Some(unicode_word_count(&t)), "{t:?}");
            } else {
                assert_eq!(fast_word_count(&t), None, "{t:?}");
            }
        }
    }

    #[test]
    fn the_han_blocks_are_alphanumeric() {
        let han = (0x3400..=0x4DBF).chain(0x4E00..=0x9FFF);
        for c in han.filter_map(char::from_u32) {
            assert!(is_han(c) && c.is_alphanumeric(), "{c:?}");
        }
    }
}
