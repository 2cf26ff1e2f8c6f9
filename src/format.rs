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

    #[test]
    fn the_han_blocks_are_alphanumeric() {
        let han = (0x3400..=0x4DBF).chain(0x4E00..=0x9FFF);
        for c in han.filter_map(char::from_u32) {
            assert!(is_han(c) && c.is_alphanumeric(), "{c:?}");
        }
    }
}
