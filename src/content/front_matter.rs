//! Front matter: the YAML block between `---` lines at the top of a Markdown file, or the
//! TOML block between `+++` lines that Hugo and Zola sites use.
//!
//! Parsed with serde-saphyr (or toml) into a struct that denies unknown fields (with a "did
//! you mean" hint, and the qiao way for keys common in other generators, such as `author` or
//! `url`), then checked for what the format cannot express: a title is present, dates are
//! real calendar dates, slugs cannot escape the output directory, `translation_of` is a revision (never a path).
//! Positions in diagnostics
//! are positions in the whole file, not in the block.
//!
//! What editors bring from elsewhere is accepted where the meaning is clear: dates written
//! `2016-02-29 11:00:00` and date-times without an offset (read in the site's `timezone`),
//! Jekyll's `2016-02-29 11:00:00 +0800`, TOML dates, a single tag written as a scalar
//! (`tags: 江门`), Zola's `[taxonomies]` table.

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};

use crate::diagnostics::{Diagnostic, line_col, unknown_field_hint};

/// The front matter fields, as written.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrontMatter {
    /// Page title (required).
    pub title: Option<String>,
    /// Publication date: `YYYY-MM-DD`, a date and time (`2016-02-29 11:00:00`, read in the
    /// site's time zone) or RFC 3339.
    #[serde(default, deserialize_with = "date_text")]
    pub date: Option<String>,
    /// Date of the last update.
    #[serde(default, deserialize_with = "date_text")]
    pub updated: Option<String>,
    /// Drafts are only built with `--drafts`.
    #[serde(default)]
    pub draft: bool,
    /// Last URL component instead of the file name.
    pub slug: Option<String>,
    /// Summary for lists and feeds.
    pub summary: Option<String>,
    /// `<meta name="description">`.
    pub description: Option<String>,
    /// Tags, in the page's language (one tag may be written without a list).
    #[serde(default, deserialize_with = "one_or_many")]
    pub tags: Vec<String>,
    /// Categories, in the page's language (one may be written without a list).
    #[serde(default, deserialize_with = "one_or_many")]
    pub categories: Vec<String>,
    /// Sort order within a section (lower first).
    pub weight: Option<i64>,
    /// Template to render with instead of the default.
    pub template: Option<String>,
    /// Old URLs that redirect here.
    #[serde(default, deserialize_with = "one_or_many")]
    pub aliases: Vec<String>,
    /// Free data for themes.
    #[serde(default)]
    pub extra: Option<serde_json::Value>,
    /// For a translation: the hash of the default-language source it was translated from
    /// (written by `qiao translate`); a different current hash means the translation is stale.
    pub translation_of: Option<String>,
    /// Puts the page or section into a menu of its language (`menu: main`, or
    /// `menu: {name: main, weight: 2}`), titled with its title ([`crate::menu`]).
    #[serde(default)]
    pub menu: Option<crate::menu::MenuRef>,
    /// Zola's `[taxonomies]` table (`tags`, `categories`): [`parse`] moves its terms into
    /// `tags` and `categories`, so it is always empty afterwards.
    #[serde(default)]
    pub taxonomies: Option<Taxonomies>,
}

/// Zola's way to write tags and categories: `[taxonomies]` then `tags = [...]`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Taxonomies {
    /// Tags.
    #[serde(default, deserialize_with = "one_or_many")]
    pub tags: Vec<String>,
    /// Categories.
    #[serde(default, deserialize_with = "one_or_many")]
    pub categories: Vec<String>,
}

/// A list of names, or one name on its own (`tags: 江门`, as Hugo and Jekyll allow).
fn one_or_many<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = Vec<String>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a name or a list of names")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok(vec![v.to_string()])
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            Ok(vec![v.to_string()])
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            Ok(vec![v.to_string()])
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(V)
        }
        fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            while let Some(name) = seq.next_element::<String>()? {
                out.push(name);
            }
            Ok(out)
        }
    }
    d.deserialize_any(V)
}

/// A date as text: a YAML scalar, or a TOML date or date-time (`date = 2016-02-29`), which
/// the toml crate hands over as a one-entry map holding its text.
fn date_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = Option<String>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a date such as 2016-02-29")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(V)
        }
        fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            match map.next_entry::<String, String>()? {
                Some((_, text)) if map.next_key::<de::IgnoredAny>()?.is_none() => Ok(Some(text)),
                _ => Err(de::Error::invalid_type(de::Unexpected::Map, &self)),
            }
        }
    }
    d.deserialize_any(V)
}

/// Front matter keys common in Hugo, Zola and Jekyll (Zola's section keys `sort_by`,
/// `paginate_by` and `generate_feeds` among them), and how qiao says the same thing.
const FOREIGN_KEYS: &[(&str, &str)] = &[
    (
        "author",
        "qiao has no `author` field: put it under `extra` (YAML `extra: { author: Li Wei }`, TOML an `[extra]` table with `author = \"Li Wei\"` at the end) and show it in templates as `page.extra.author`",
    ),
    (
        "authors",
        "qiao has no `authors` field: put them under `extra` (`authors` inside `extra`) and show them in templates as `page.extra.authors`",
    ),
    (
        "linkTitle",
        "qiao has one title per page: use `title`, or put a short title under `extra` for your templates",
    ),
    (
        "url",
        "qiao builds a page's address from its file's path: set `slug` to change the last segment, and list old addresses under `aliases` so that they redirect",
    ),
    (
        "permalink",
        "qiao builds a page's address from its file's path: set `slug` to change the last segment, and list old addresses under `aliases` so that they redirect",
    ),
    (
        "translationKey",
        "qiao pairs translations by file name: `x.md`, `x.en.md` and `x.de.md` are one page in three languages; name the files that way and remove this key",
    ),
    (
        "lastmod",
        "qiao calls the date of the last change `updated`",
    ),
    (
        "layout",
        "choose the template with `template`, e.g. `template: page.html` (`template = \"page.html\"` in TOML)",
    ),
    (
        "published",
        "a page that must not be published is a draft: write `draft: true` (`draft = true` in TOML)",
    ),
    ("keywords", "qiao calls keywords `tags`"),
    (
        "sort_by",
        "qiao lists every section's pages by `weight` (lowest first, pages without one after), then newest first, then by title: remove `sort_by` (Zola's `date` is that order), and give pages a `weight` to order them by hand",
    ),
    (
        "paginate_by",
        "qiao paginates every section's list alike: set `paginate = 10` in site.toml (a taxonomy's lists: `paginate` under `[taxonomies.tags]`) and remove `paginate_by`",
    ),
    (
        "generate_feeds",
        "qiao gives every section with dated pages an Atom feed (`atom.xml`), and every language one: remove `generate_feeds`",
    ),
];

/// A validated date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DateValue {
    /// RFC 3339, for feeds and sitemaps (`2016-02-29T00:00:00+00:00` for a bare date).
    pub rfc3339: String,
    /// The calendar date as written (`2016-02-29`).
    pub ymd: String,
    /// Seconds since the epoch, the sort key.
    #[serde(skip)]
    pub timestamp: i64,
}

impl DateValue {
    /// Parses a date as [`DateValue::parse_in`] does, reading dates without an offset in UTC.
    pub fn parse(s: &str) -> Option<DateValue> {
        Self::parse_in(s, &jiff::tz::TimeZone::UTC)
    }

    /// Parses `YYYY-MM-DD`, an RFC 3339 timestamp, or a date and time without an offset
    /// (`2016-02-29 11:00:00`, `2016-02-29T11:00`), which is read in `tz`, as is the midnight
    /// that starts a bare date. `None` for anything else, including impossible dates such as
    /// 2016-02-30.
    pub fn parse_in(s: &str, tz: &jiff::tz::TimeZone) -> Option<DateValue> {
        let s = s.trim();
        if let Some(joined) = spaced_offset(s) {
            return Self::parse_in(&joined, tz);
        }
        if let Ok(d) = s.parse::<jiff::civil::Date>()
            && s.len() == 10
        {
            return Self::local(d.to_datetime(jiff::civil::Time::midnight()), tz);
        }
        // RFC 3339 requires an offset; jiff's Timestamp parser accepts exactly that shape
        // (plus lowercase `t`/`z` and a space separator, which RFC 3339 also allows).
        if let Ok(ts) = s.parse::<jiff::Timestamp>() {
            let offset = parse_offset(s)?;
            return Some(Self::at(ts, offset));
        }
        // Hugo, Zola and Jekyll write date-times without an offset; jiff's civil parser would
        // also take one with an offset it then ignores, so insist there is none.
        let (_, time) = s.split_once([' ', 'T', 't'])?;
        if time.contains(['+', '-', 'Z', 'z', '[']) {
            return None;
        }
        Self::local(s.parse().ok()?, tz)
    }

    /// A civil date-time in `tz`; a time that a daylight saving change makes ambiguous or
    /// skips is resolved the way RFC 5545 and Temporal do ("compatible").
    fn local(dt: jiff::civil::DateTime, tz: &jiff::tz::TimeZone) -> Option<DateValue> {
        let ts = tz.to_ambiguous_timestamp(dt).compatible().ok()?;
        Some(Self::at(ts, tz.to_offset(ts)))
    }

    fn at(ts: jiff::Timestamp, offset: jiff::tz::Offset) -> DateValue {
        let dt = ts.to_zoned(jiff::tz::TimeZone::fixed(offset));
        let rfc3339 = format!(
            "{}{}",
            dt.datetime().strftime("%Y-%m-%dT%H:%M:%S"),
            format_offset(offset)
        );
        DateValue {
            rfc3339,
            ymd: dt.date().to_string(),
            timestamp: ts.as_second(),
        }
    }
}

/// Jekyll writes `2016-02-29 11:00:00 +0800`: the offset after a space, often without a
/// colon. Gives the RFC 3339 spelling (`2016-02-29 11:00:00+08:00`), or `None` for any other
/// shape.
fn spaced_offset(s: &str) -> Option<String> {
    let (head, offset) = s.rsplit_once(' ')?;
    let digits: String = offset.get(1..)?.chars().filter(|&c| c != ':').collect();
    let shape_ok = offset.starts_with(['+', '-'])
        && digits.len() == 4
        && digits.bytes().all(|b| b.is_ascii_digit())
        && (offset.len() == 5 || offset.get(3..4) == Some(":"))
        && head.contains(':');
    shape_ok.then(|| format!("{head}{}{}:{}", &offset[..1], &digits[..2], &digits[2..]))
}

fn parse_offset(s: &str) -> Option<jiff::tz::Offset> {
    if s.ends_with(['Z', 'z']) {
        return Some(jiff::tz::Offset::UTC);
    }
    let tail = &s[s.len().checked_sub(6)?..];
    let sign = match tail.as_bytes()[0] {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let h: i32 = tail.get(1..3)?.parse().ok()?;
    let m: i32 = tail.get(4..6)?.parse().ok()?;
    jiff::tz::Offset::from_seconds(sign * (h * 3600 + m * 60)).ok()
}

fn format_offset(o: jiff::tz::Offset) -> String {
    let secs = o.seconds();
    let sign = if secs < 0 { '-' } else { '+' };
    let a = secs.unsigned_abs();
    format!("{sign}{:02}:{:02}", a / 3600, (a % 3600) / 60)
}

/// A Markdown file split into its validated front matter and body.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// Title.
    pub title: String,
    /// Validated `date`.
    pub date: Option<DateValue>,
    /// Validated `updated`.
    pub updated: Option<DateValue>,
    /// The rest of the front matter as written (shared by the copies of the document, which
    /// `qiao serve` makes of every source on every save).
    pub meta: std::sync::Arc<FrontMatter>,
    /// 1-based line of the file where the body starts.
    pub body_line: usize,
    /// The whole file with CRLF normalised, for quoting lines in diagnostics; the body is
    /// the part from `body_start` (kept once, not copied: on large sites the sources are a
    /// good part of the memory; copies of the document share it).
    pub text: Text,
    /// Byte offset of the body in `text`.
    pub body_start: usize,
}

impl Document {
    /// Markdown after the front matter.
    pub fn body(&self) -> &str {
        self.text.get(self.body_start..).unwrap_or("")
    }

    /// Frees the source text once it has been rendered; `body()` is empty afterwards.
    pub fn release_text(&mut self) {
        self.text = Text::default();
        self.body_start = 0;
    }
}

/// The text of a source file, shared by every copy of its [`Document`]: `qiao serve` keeps
/// each parsed document and derives a new model from copies of them after every save, which
/// must not copy the text of the whole site each time. Reads as a `&str`.
///
/// The rendered HTML of a page is a `Text` too, and templates read it as the page's
/// `content`: the text is held as a Tera string value (reference counted like an
/// `Arc<str>`), so that the page's template value takes a handle to it
/// ([`Text::to_value`]) instead of a copy of every page's HTML.
#[derive(Clone)]
pub struct Text(tera::Value);

impl Text {
    /// The text.
    pub fn as_str(&self) -> &str {
        self.0.as_str().unwrap_or("")
    }

    /// The text as a template value, sharing its buffer (no copy).
    pub fn to_value(&self) -> tera::Value {
        self.0.clone()
    }

    /// Whether `other` is a copy of this very text (then it is equal without comparing):
    /// copies share one buffer, and two live texts at one address with one length are
    /// the same bytes.
    pub fn shares(&self, other: &Text) -> bool {
        let (a, b) = (self.as_str(), other.as_str());
        std::ptr::eq(a.as_ptr(), b.as_ptr()) && a.len() == b.len()
    }
}

impl Default for Text {
    fn default() -> Text {
        Text::from("")
    }
}

impl PartialEq for Text {
    fn eq(&self, other: &Text) -> bool {
        self.shares(other) || self.as_str() == other.as_str()
    }
}

impl Eq for Text {}

impl std::ops::Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl From<String> for Text {
    fn from(s: String) -> Text {
        Text(tera::Value::from(s))
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Text {
        Text(tera::Value::from(s))
    }
}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for Text {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<Text> for String {
    fn eq(&self, other: &Text) -> bool {
        self.as_str() == other.as_str()
    }
}

impl PartialEq<Text> for &str {
    fn eq(&self, other: &Text) -> bool {
        *self == other.as_str()
    }
}

impl serde::Serialize for Text {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl std::fmt::Display for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::fmt::Debug for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

/// Splits and validates a Markdown file, reading dates without an offset in UTC (see
/// [`parse_in`]).
pub fn parse(raw: &str) -> Result<Document, Vec<Diagnostic>> {
    parse_in(raw, &jiff::tz::TimeZone::UTC)
}

/// Splits and validates a Markdown file; dates without an offset are read in `tz` (the
/// site's `timezone`). Every problem found is returned, not just the first. Diagnostics
/// carry line and column but no path: the caller adds it.
pub fn parse_in(raw: &str, tz: &jiff::tz::TimeZone) -> Result<Document, Vec<Diagnostic>> {
    let text = crate::text::normalize(raw.to_string());
    let mut lines = text.split_inclusive('\n');
    let first = lines.next().unwrap_or("");
    let fence = match first.trim_end() {
        "---" => "---",
        "+++" => "+++",
        _ => {
            return Err(vec![
                Diagnostic::error("the file does not start with front matter")
                    .at_line(&text, 1)
                    .with_hint(
                        "begin the file with a `---` line, then `title: ...`, then another `---` line",
                    ),
            ]);
        }
    };
    let toml = fence == "+++";
    let block_start = first.len();
    let mut offset = block_start;
    let mut end = None;
    let mut line_no = 1;
    for l in lines {
        line_no += 1;
        let l_trim = l.trim_end();
        if l_trim == fence || (!toml && l_trim == "...") {
            end = Some((offset, offset + l.len(), line_no));
            break;
        }
        offset += l.len();
    }
    let Some((block_end, body_start, close_line)) = end else {
        return Err(vec![
            Diagnostic::error("the front matter is not closed")
                .at_line(&text, 1)
                .with_hint(format!(
                    "add a line with `{fence}` after the last front matter field"
                )),
        ]);
    };
    let block = &text[block_start..block_end];
    let mut meta = if toml {
        parse_toml(block)
    } else {
        parse_yaml(block)
    }
    .map_err(|ds| {
        ds.into_iter()
            .map(|d| d.relocate(&text))
            .collect::<Vec<_>>()
    })?;
    if let Some(t) = meta.taxonomies.take() {
        meta.tags.extend(t.tags);
        meta.categories.extend(t.categories);
    }
    let mut errors = Vec::new();
    let find_line = |key: &str| {
        text.lines()
            .take(close_line)
            .position(|l| {
                // `key:` in YAML, `key =` in TOML
                l.strip_prefix(key)
                    .is_some_and(|rest| rest.trim_start().starts_with([':', '=']))
            })
            .map_or(1, |i| i + 1)
    };
    let title = match meta.title.as_deref().map(str::trim) {
        Some(t) if !t.is_empty() => t.to_string(),
        _ => {
            errors.push(
                Diagnostic::error("the page has no title")
                    .at_line(
                        &text,
                        if meta.title.is_some() {
                            find_line("title")
                        } else {
                            1
                        },
                    )
                    .with_hint("add `title: ...` to the front matter"),
            );
            String::new()
        }
    };
    let mut date_field = |key: &str, value: &Option<String>| -> Option<DateValue> {
        let v = value.as_deref()?;
        let parsed = DateValue::parse_in(v, tz);
        if parsed.is_none() {
            let line = find_line(key);
            let col = text
                .lines()
                .nth(line - 1)
                .and_then(|l| Some(l[..l.find(v.trim())?].chars().count() + 1))
                .unwrap_or(1);
            errors.push(
                Diagnostic::error(format!("`{key}: {v}` is not a valid date"))
                    .at(&text, line, col)
                    .with_hint("write a real calendar date as YYYY-MM-DD (2016-02-29), with a time (2016-02-29 11:00:00, in the site's `timezone`) or with an offset (2016-02-29T11:00:00+08:00)"),
            );
        }
        parsed
    };
    let date = date_field("date", &meta.date);
    let updated = date_field("updated", &meta.updated);
    if let Some(slug) = &meta.slug
        && let Err(why) = check_slug(slug)
    {
        errors.push(
            Diagnostic::error(format!("invalid slug `{slug}`: {why}"))
                .at_line(&text, find_line("slug"))
                .with_hint("a slug is one URL segment such as `zone-unveiling`"),
        );
    }
    let aliases_line = find_line("aliases");
    for alias in &meta.aliases {
        if let Err(why) = check_alias(alias) {
            errors.push(
                Diagnostic::error(format!("invalid alias `{alias}`: {why}"))
                    .at_line(&text, aliases_line)
                    .with_hint("an alias is a site path such as `/old/news/unveiling/`"),
            );
        }
    }
    if let Some(revision) = &meta.translation_of
        && !super::revision::is_revision(revision)
    {
        let line = find_line("translation_of");
        let col = text
            .lines()
            .nth(line - 1)
            .and_then(|l| Some(l[..l.find(revision.trim())?].chars().count() + 1))
            .unwrap_or(1);
        errors.push(
            Diagnostic::error(format!(
                "`translation_of: {revision}` is not a source revision"
            ))
            .at(&text, line, col)
            .with_hint(
                "write the 12 hexadecimal digits `qiao translate` records, such as \
                 `17784148d617`, or run `qiao translate SOURCE --to CODE --mark-current`",
            ),
        );
    }
    if let Some(extra) = &meta.extra
        && !extra.is_object()
    {
        errors.push(
            Diagnostic::error("`extra` must be a map of keys to values")
                .at_line(&text, find_line("extra"))
                .with_hint("write `extra:` followed by indented `key: value` lines"),
        );
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Document {
        title,
        date,
        updated,
        meta: std::sync::Arc::new(meta),
        body_line: close_line + 1,
        text: text.into(),
        body_start,
    })
}

/// A problem in the front matter block, at a 1-based line and column of the block.
struct BlockError {
    message: String,
    hint: String,
    line: usize,
    column: usize,
}

impl BlockError {
    /// The diagnostic, at the position in the whole file (the block starts on line 2).
    fn relocate(self, text: &str) -> Diagnostic {
        Diagnostic::error(self.message)
            .at(text, self.line + 1, self.column)
            .with_hint(self.hint)
    }

    /// From a deserializer's message, in the editor's words: unknown fields get "did you
    /// mean" or, for keys common in other generators, the qiao way; a key set twice is named
    /// with both lines; the parsers' own vocabulary (`DuplicateKeyPolicy`, `Option<String>`)
    /// never reaches the editor.
    fn from_message(
        raw_msg: &str,
        block: &str,
        format_hint: &str,
        line: usize,
        column: usize,
    ) -> Self {
        let at = |message: String, hint: String| BlockError {
            message,
            hint,
            line,
            column,
        };
        if raw_msg.starts_with("duplicate mapping key") || raw_msg == "duplicate key" {
            // The key is on the reported line: `key: ...` or `key = ...`.
            let key = key_on_line(block.lines().nth(line.saturating_sub(1)).unwrap_or(""));
            let first = block
                .lines()
                .position(|l| {
                    l.trim_start()
                        .strip_prefix(key)
                        .and_then(|r| {
                            r.trim_start_matches(['"', '\''])
                                .trim_start()
                                .chars()
                                .next()
                        })
                        .is_some_and(|c| c == ':' || c == '=')
                })
                .filter(|&i| i + 1 < line);
            let hint = match first {
                // the block starts on line 2 of the file
                Some(i) => format!("`{key}` is also set on line {}; keep one of the two", i + 2),
                None => format!("keep only one `{key}`"),
            };
            return at(format!("`{key}` is set twice in the front matter"), hint);
        }
        if raw_msg.starts_with("cannot deserialize null") {
            return at(
                "a value is empty where text is expected".to_string(),
                "write the value, or remove the empty line or list item".to_string(),
            );
        }
        if raw_msg.starts_with("alias replay") || raw_msg.starts_with("alias expansion") {
            return at(
                "the front matter repeats YAML aliases (`*name`) too often".to_string(),
                "write the values out instead of referring to them with `*name`".to_string(),
            );
        }
        if let Some((message, hint)) = in_editors_words(raw_msg, &field_at(block, line)) {
            return at(message, hint);
        }
        let (message, hint) = match unknown_field_hint(raw_msg) {
            Some((field, hint)) => {
                let hint = FOREIGN_KEYS
                    .iter()
                    .find(|(k, _)| *k == field)
                    .map_or(hint, |(_, h)| (*h).to_string());
                (format!("unknown front matter field `{field}`"), hint)
            }
            None => (
                format!("invalid front matter: {raw_msg}"),
                format_hint.to_string(),
            ),
        };
        at(message, hint)
    }
}

/// The key a front matter line sets (`key: ...`, `- key: ...`, `"key" = ...`), as written.
fn key_on_line(line: &str) -> &str {
    line.trim_start()
        .trim_start_matches("- ")
        .split([':', '='])
        .next()
        .unwrap_or("")
        .trim()
        .trim_matches(['"', '\''])
}

/// The front matter field that a (1-based) line of the block belongs to: the key on that
/// line, or on the nearest line above it that is indented less (`tags:` for `  - a`).
fn field_at(block: &str, line: usize) -> String {
    let lines: Vec<&str> = block.lines().collect();
    let key_of = |l: &str| -> Option<String> {
        let key = key_on_line(l);
        (l.contains([':', '='])
            && !key.is_empty()
            && key
                .chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '-'))
        .then(|| key.to_string())
    };
    let Some(at) = line.checked_sub(1).filter(|&i| i < lines.len()) else {
        return String::new();
    };
    let indent = |l: &str| l.len() - l.trim_start().len();
    if indent(lines[at]) == 0 {
        return key_of(lines[at]).unwrap_or_default();
    }
    let own = indent(lines[at]);
    lines[..at]
        .iter()
        .rev()
        .find(|l| !l.trim().is_empty() && indent(l) < own)
        .and_then(|l| key_of(l))
        .unwrap_or_default()
}

/// A deserializer's type error in the front matter's own terms (`tags` must be a name or a
/// list of names, not a table), or `None` when the message is not one of those.
fn in_editors_words(raw: &str, field: &str) -> Option<(String, String)> {
    let name = if field.is_empty() {
        "this value".to_string()
    } else {
        format!("`{field}`")
    };
    if let Some(rest) = raw.strip_prefix("invalid type: ") {
        let (found, expected) = rest.split_once(", expected ")?;
        let found = match found.split_whitespace().next().unwrap_or("") {
            "map" => "a table of `key: value` pairs".to_string(),
            "sequence" => "a list".to_string(),
            "string" => format!("the text {}", &found["string ".len().min(found.len())..]),
            "integer" | "floating" => "a number".to_string(),
            "boolean" => "true or false".to_string(),
            "unit" | "null" => "nothing".to_string(),
            other => other.to_string(),
        };
        let expected = match expected.trim() {
            "a sequence" => "a list",
            "a string" => "text",
            "a boolean" => "true or false",
            "i64" | "u64" | "i32" | "u32" | "an integer" => "a whole number",
            "a map" => "a table of `key: value` pairs",
            e => e,
        };
        return Some((
            format!("{name} must be {expected}, not {found}"),
            format!(
                "write {name} as {expected}; the README's front matter example shows each field"
            ),
        ));
    }
    if raw.starts_with("invalid i64")
        || raw.starts_with("invalid u64")
        || raw.starts_with("invalid integer")
    {
        return Some((
            format!("{name} must be a whole number"),
            "write digits only, such as `weight: 3`".to_string(),
        ));
    }
    if raw.starts_with("invalid boolean") {
        return Some((
            format!("{name} must be true or false"),
            format!("write {name}: true or {name}: false").replace('`', ""),
        ));
    }
    if raw.starts_with("unclosed bracket") {
        return Some((
            format!("the list of {name} opened with `[` is not closed"),
            "close it with `]` on the same line, or write one item per line starting with `- `"
                .to_string(),
        ));
    }
    None
}

const YAML_HINT: &str = "front matter is YAML: `key: value`, one per line; quote values that contain `: ` or start with `[`, `{`, `@` or `*`";
const TOML_HINT: &str = "front matter between `+++` lines is TOML: `key = \"value\"`, one per line, tables such as [extra] last";

/// The top-level keys [`FrontMatter`] knows (kept in step with it by a test).
const KNOWN_KEYS: &[&str] = &[
    "title",
    "date",
    "updated",
    "draft",
    "slug",
    "summary",
    "description",
    "tags",
    "categories",
    "weight",
    "template",
    "aliases",
    "extra",
    "translation_of",
    "menu",
    "taxonomies",
];

fn parse_yaml(yaml: &str) -> Result<FrontMatter, Vec<BlockError>> {
    if yaml.trim().is_empty() {
        return Ok(FrontMatter::default());
    }
    serde_saphyr::from_str(yaml).map_err(|e| {
        let (line, col) = e.location().map_or((1, 1), |l| {
            ((l.line() as usize).max(1), l.column().max(1) as usize)
        });
        let first =
            BlockError::from_message(&first_line(&e.to_string()), yaml, YAML_HINT, line, col);
        let keys = || {
            serde_saphyr::from_str::<serde_json::Value>(yaml)
                .ok()?
                .as_object()
                .map(|m| m.keys().cloned().collect())
        };
        with_other_unknown_keys(first, yaml, YAML_HINT, keys)
    })
}

fn parse_toml(block: &str) -> Result<FrontMatter, Vec<BlockError>> {
    toml::from_str(block).map_err(|e| {
        let (line, col) = e.span().map_or((1, 1), |s| line_col(block, s.start));
        let first = BlockError::from_message(&first_line(e.message()), block, TOML_HINT, line, col);
        let keys = || Some(block.parse::<toml::Table>().ok()?.keys().cloned().collect());
        with_other_unknown_keys(first, block, TOML_HINT, keys)
    })
}

/// The deserializer stops at the first unknown key; an editor who brings a Hugo file with
/// `author`, `url` and `linkTitle` should learn about all three at once. When the first
/// error is an unknown key, every other unknown top-level key is reported too, each on its
/// own line.
fn with_other_unknown_keys(
    first: BlockError,
    block: &str,
    format_hint: &str,
    keys: impl FnOnce() -> Option<Vec<String>>,
) -> Vec<BlockError> {
    let Some(reported) = first
        .message
        .strip_prefix("unknown front matter field `")
        .and_then(|r| r.strip_suffix('`'))
        .map(str::to_string)
    else {
        return vec![first];
    };
    let mut out = vec![first];
    let expected = format!("expected one of {}", KNOWN_KEYS.join(", "));
    for key in keys().unwrap_or_default() {
        if key == reported || KNOWN_KEYS.contains(&key.as_str()) {
            continue;
        }
        let line = block
            .lines()
            .position(|l| {
                l.strip_prefix(key.as_str())
                    .is_some_and(|rest| rest.trim_start().starts_with([':', '=']))
            })
            .map_or(1, |i| i + 1);
        out.push(BlockError::from_message(
            &format!("unknown field `{key}`, {expected}"),
            block,
            format_hint,
            line,
            1,
        ));
    }
    out
}

/// The first line of a serde-saphyr message, without its own "error: line N column M: "
/// prefix (the diagnostic shows the position already, relative to the whole file).
fn first_line(s: &str) -> String {
    let mut l = s.lines().next().unwrap_or(s).trim();
    l = l.strip_prefix("error: ").unwrap_or(l);
    if l.starts_with("line ")
        && let Some((_, rest)) = l.split_once(": ")
    {
        l = rest;
    }
    l.to_string()
}

/// Names that a URL segment may not be: they would escape the output directory, clash with
/// files qiao writes, or be unusable on Windows hosts.
const RESERVED: &[&str] = &[
    ".",
    "..",
    "con",
    "prn",
    "aux",
    "nul",
    "com1",
    "lpt1",
    "index.html",
    "404.html",
    "sitemap.xml",
    "atom.xml",
    "robots.txt",
];

/// Checks that a slug is one safe URL segment.
pub fn check_slug(slug: &str) -> Result<(), &'static str> {
    if slug.trim().is_empty() {
        return Err("it is empty");
    }
    if slug.contains(['/', '\\']) {
        return Err("it contains a slash");
    }
    if slug.contains("..") {
        return Err("it contains `..`");
    }
    if slug.chars().any(char::is_control) {
        return Err("it contains control characters");
    }
    if slug.contains(['?', '#', '%', '"', '<', '>', ' ']) {
        return Err("it contains a character that is not allowed in a URL segment");
    }
    if RESERVED.contains(&slug.to_lowercase().as_str()) {
        return Err("it is a reserved name");
    }
    Ok(())
}

/// Checks that an alias is a site path made of safe segments.
pub fn check_alias(alias: &str) -> Result<(), &'static str> {
    if !alias.starts_with('/') {
        return Err("it must start with `/`");
    }
    if alias.contains(['?', '#']) {
        return Err(
            "it contains `?` or `#`, which a static server never sees; write only the path \
             (the redirect keeps the #fragment of the old address by itself)",
        );
    }
    let segs: Vec<&str> = alias.split('/').filter(|s| !s.is_empty()).collect();
    if segs.is_empty() {
        return Err("it would replace the home page");
    }
    for s in segs {
        // `%2e%2e` is `..` to a server too.
        let s = crate::url::decode(s);
        if s == "." || s == ".." || s.chars().any(char::is_control) || s.contains(['\\', '/']) {
            return Err("it contains `.`, `..`, a backslash or control characters");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_shares_its_buffer_with_its_copies_only() {
        let html = "<p>合作区揭牌。</p>".repeat(20);
        let a = Text::from(html.as_str());
        assert!(a.shares(&a.clone()));
        let b = Text::from(html.as_str());
        assert_eq!(a, b);
        assert!(!a.shares(&b));
    }

    #[test]
    fn parses_full_front_matter_with_bom_and_crlf() {
        let src = "\u{feff}---\r\ntitle: 中欧合作区挂牌\r\ndate: 2016-02-29\r\ntags: [中欧合作, 江门]\r\nweight: 3\r\nextra:\r\n  district: 蓬江区\r\n---\r\n正文\r\n";
        let d = parse(src).unwrap();
        assert_eq!(d.title, "中欧合作区挂牌");
        assert_eq!(
            d.date.as_ref().unwrap().rfc3339,
            "2016-02-29T00:00:00+00:00"
        );
        assert_eq!(d.meta.tags, vec!["中欧合作", "江门"]);
        assert_eq!(d.meta.weight, Some(3));
        assert_eq!(d.meta.extra.as_ref().unwrap()["district"], "蓬江区");
        assert_eq!(d.body(), "正文\n");
        assert_eq!(d.body_line, 9);
    }

    #[test]
    fn rfc3339_keeps_its_offset() {
        let d = DateValue::parse("2016-02-29T11:00:00+08:00").unwrap();
        assert_eq!(d.rfc3339, "2016-02-29T11:00:00+08:00");
        assert_eq!(d.ymd, "2016-02-29");
        assert_eq!(
            DateValue::parse("2016-02-29T03:00:00Z").unwrap().timestamp,
            d.timestamp
        );
    }

    #[test]
    fn impossible_date_is_an_error_with_position() {
        let err = parse("---\ntitle: x\ndate: 2016-02-30\n---\n").unwrap_err();
        assert_eq!(err.len(), 1);
        assert!(err[0].message.contains("2016-02-30"));
        assert_eq!((err[0].line, err[0].column), (Some(3), Some(7)));
        assert!(DateValue::parse("2016-13-01").is_none());
        assert!(DateValue::parse("29.02.2016").is_none());
        assert!(DateValue::parse("2016-02-29 25:00:00").is_none());
        assert!(DateValue::parse("2016-02-30 11:00:00").is_none());
        assert!(DateValue::parse("2016-02-29T11:00:00+8").is_none());
    }

    fn shanghai() -> jiff::tz::TimeZone {
        crate::config::time_zone("Asia/Shanghai").unwrap()
    }

    #[test]
    fn dates_without_an_offset_are_read_in_the_site_time_zone() {
        let tz = shanghai();
        let utc_instant = DateValue::parse("2016-02-29T03:00:00Z").unwrap().timestamp;
        for written in [
            "2016-02-29 11:00:00",
            "2016-02-29T11:00:00",
            "2016-02-29 11:00",
            "2016-02-29T11:00:00.000",
        ] {
            let d = DateValue::parse_in(written, &tz).unwrap_or_else(|| panic!("{written}"));
            assert_eq!(d.rfc3339, "2016-02-29T11:00:00+08:00", "{written}");
            assert_eq!(d.timestamp, utc_instant, "{written}");
        }
        // Jekyll's spelling of an offset
        for written in ["2016-02-29 11:00:00 +0800", "2016-02-29 11:00:00 +08:00"] {
            let d = DateValue::parse(written).unwrap_or_else(|| panic!("{written}"));
            assert_eq!(d.rfc3339, "2016-02-29T11:00:00+08:00", "{written}");
        }
        assert_eq!(
            DateValue::parse("2016-02-29 03:30:00 -0500")
                .unwrap()
                .rfc3339,
            "2016-02-29T03:30:00-05:00"
        );
        assert!(DateValue::parse("2016-02-29 11:00:00 +08").is_none());
        assert!(DateValue::parse("2016-02-29 +0800").is_none());
        // a bare date is midnight in the zone; an explicit offset is kept as written
        let d = DateValue::parse_in("2016-02-29", &tz).unwrap();
        assert_eq!(d.rfc3339, "2016-02-29T00:00:00+08:00");
        assert_eq!(d.ymd, "2016-02-29");
        let d = DateValue::parse_in("2016-02-29T11:00:00+01:00", &tz).unwrap();
        assert_eq!(d.rfc3339, "2016-02-29T11:00:00+01:00");
        // without a setting, UTC
        assert_eq!(
            DateValue::parse("2016-02-29 11:00:00").unwrap().rfc3339,
            "2016-02-29T11:00:00+00:00"
        );
        // Berlin's summer time: the offset is that of the date, not of today
        let berlin = crate::config::time_zone("Europe/Berlin").unwrap();
        assert_eq!(
            DateValue::parse_in("2016-07-01 12:00:00", &berlin)
                .unwrap()
                .rfc3339,
            "2016-07-01T12:00:00+02:00"
        );
        assert_eq!(
            DateValue::parse_in("2016-02-29 12:00:00", &berlin)
                .unwrap()
                .rfc3339,
            "2016-02-29T12:00:00+01:00"
        );
    }

    #[test]
    fn toml_front_matter_as_hugo_and_zola_write_it() {
        let src = "+++\r\ntitle = \"中欧合作区挂牌\"\r\ndate = 2016-02-29T11:00:00\r\nupdated = 2016-03-01\r\ndraft = false\r\naliases = [\"/old/x/\"]\r\n\r\n[taxonomies]\r\ntags = [\"中欧合作\", \"江门\"]\r\ncategories = \"新闻\"\r\n\r\n[extra]\r\ndistrict = \"蓬江区\"\r\n+++\r\n正文\r\n";
        let d = parse_in(src, &shanghai()).unwrap();
        assert_eq!(d.title, "中欧合作区挂牌");
        assert_eq!(
            d.date.as_ref().unwrap().rfc3339,
            "2016-02-29T11:00:00+08:00"
        );
        assert_eq!(d.updated.as_ref().unwrap().ymd, "2016-03-01");
        assert_eq!(d.meta.tags, ["中欧合作", "江门"]);
        assert_eq!(d.meta.categories, ["新闻"]);
        assert!(d.meta.taxonomies.is_none());
        assert_eq!(d.meta.aliases, ["/old/x/"]);
        assert_eq!(d.meta.extra.as_ref().unwrap()["district"], "蓬江区");
        assert_eq!(d.body(), "正文\n");
        assert_eq!(d.body_line, 15);
        // an offset date-time and a quoted date are the same
        let d = parse("+++\ntitle = \"t\"\ndate = 2016-02-29T11:00:00+08:00\n+++\n").unwrap();
        assert_eq!(d.date.unwrap().rfc3339, "2016-02-29T11:00:00+08:00");
        let d = parse("+++\ntitle = \"t\"\ndate = \"2016-02-29\"\n+++\n").unwrap();
        assert_eq!(d.date.unwrap().ymd, "2016-02-29");
    }

    #[test]
    fn toml_errors_have_file_positions() {
        let err = parse("+++\ntitle = \"t\"\ndate = 2016-02-30\n+++\n").unwrap_err();
        assert_eq!((err[0].line, err[0].column), (Some(3), Some(8)), "{err:#?}");
        let err = parse("+++\ntitle = \"t\"\ntags = [\"a\"\n+++\n").unwrap_err();
        assert!(
            err[0].message.starts_with("invalid front matter"),
            "{err:#?}"
        );
        assert_eq!(err[0].line, Some(3));
        let err = parse("+++\ntitle = \"t\"\n").unwrap_err();
        assert_eq!(
            err[0].hint.as_deref(),
            Some("add a line with `+++` after the last front matter field")
        );
        let err = parse("+++\ntitle = \"t\"\n[taxonomies]\nauthors = [\"李\"]\n+++\n").unwrap_err();
        assert_eq!(err[0].message, "unknown front matter field `authors`");
        assert_eq!(err[0].line, Some(4));
    }

    #[test]
    fn one_tag_or_category_may_be_a_scalar() {
        let d =
            parse("---\ntitle: t\ntags: 江门\ncategories: 2016\naliases: /old/\n---\n").unwrap();
        assert_eq!(d.meta.tags, ["江门"]);
        assert_eq!(d.meta.categories, ["2016"]);
        assert_eq!(d.meta.aliases, ["/old/"]);
        let d = parse("---\ntitle: t\ntags:\n---\n").unwrap();
        assert!(d.meta.tags.is_empty());
        let err = parse("---\ntitle: t\ntags: {a: 1}\n---\n").unwrap_err();
        assert_eq!((err[0].line, err[0].column), (Some(3), Some(7)));
    }

    #[test]
    fn keys_from_other_generators_get_the_qiao_way() {
        for (key, needle) in [
            ("author", "`extra`"),
            ("authors", "`extra`"),
            ("linkTitle", "`title`"),
            ("url", "`slug`"),
            ("permalink", "`aliases`"),
            ("translationKey", "`x.en.md`"),
            ("lastmod", "`updated`"),
            ("layout", "`template`"),
            ("published", "`draft: true`"),
            ("sort_by", "`weight`"),
            ("paginate_by", "`paginate = 10`"),
            ("generate_feeds", "Atom feed"),
        ] {
            let err = parse(&format!("---\ntitle: t\n{key}: x\n---\n")).unwrap_err();
            assert_eq!(
                err[0].message,
                format!("unknown front matter field `{key}`")
            );
            assert_eq!(err[0].line, Some(3), "{key}");
            let hint = err[0].hint.as_deref().unwrap();
            assert!(hint.contains(needle), "{key}: {hint}");
            let err = parse(&format!("+++\ntitle = \"t\"\n{key} = \"x\"\n+++\n")).unwrap_err();
            assert_eq!(err[0].hint.as_deref(), Some(hint), "{key} in TOML");
            assert_eq!(err[0].line, Some(3), "{key} in TOML");
        }
    }

    #[test]
    fn every_unknown_key_is_reported_at_once() {
        for src in [
            "---\ntitle: t\nauthor: 李\ndate: 2016-02-29\nurl: /x/\nlinkTitle: x\n---\n",
            "+++\ntitle = \"t\"\nauthor = \"李\"\ndate = 2016-02-29\nurl = \"/x/\"\nlinkTitle = \"x\"\n+++\n",
        ] {
            let mut err = parse(src).unwrap_err();
            err.sort_by_key(|d| d.line);
            let got: Vec<(Option<usize>, &str)> =
                err.iter().map(|d| (d.line, d.message.as_str())).collect();
            assert_eq!(
                got,
                [
                    (Some(3), "unknown front matter field `author`"),
                    (Some(5), "unknown front matter field `url`"),
                    (Some(6), "unknown front matter field `linkTitle`"),
                ],
                "{src}"
            );
            assert!(err[1].hint.as_deref().unwrap().contains("`slug`"));
        }
        // a typo among them still gets "did you mean"
        let err = parse("---\ntitle: t\ntgas: [a]\ncategoris: [b]\n---\n").unwrap_err();
        assert_eq!(err.len(), 2);
        assert!(
            err.iter()
                .any(|d| d.hint.as_deref() == Some("did you mean `categories`?"))
        );
    }

    #[test]
    fn known_keys_are_the_front_matter_fields() {
        let values = [
            "title: t",
            "date: 2016-02-29",
            "updated: 2016-02-29",
            "draft: false",
            "slug: s",
            "summary: s",
            "description: d",
            "tags: [a]",
            "categories: [b]",
            "weight: 1",
            "template: page.html",
            "aliases: [/old/]",
            "extra: {a: 1}",
            "translation_of: abc123def456",
            "menu: main",
            "taxonomies: {tags: [c]}",
        ];
        assert_eq!(values.len(), KNOWN_KEYS.len());
        for (value, key) in values.iter().zip(KNOWN_KEYS) {
            assert!(value.starts_with(&format!("{key}:")), "{key}");
        }
        parse(&format!("---\n{}\n---\n", values.join("\n"))).unwrap();
        // and nothing else: serde's own list of the fields is the same
        let msg = serde_saphyr::from_str::<FrontMatter>("zzz: 1")
            .unwrap_err()
            .to_string();
        let list = msg
            .split("expected one of ")
            .nth(1)
            .unwrap()
            .lines()
            .next()
            .unwrap();
        let mut fields: Vec<&str> = list.split(", ").map(|f| f.trim_matches('`')).collect();
        let mut known = KNOWN_KEYS.to_vec();
        fields.sort_unstable();
        known.sort_unstable();
        assert_eq!(fields, known);
    }

    #[test]
    fn a_key_set_twice_is_named_with_both_lines() {
        for src in [
            "---\ntitle: a\ndate: 2016-02-29\ntitle: b\n---\n",
            "+++\ntitle = \"a\"\ndate = 2016-02-29\ntitle = \"b\"\n+++\n",
        ] {
            let err = parse(src).unwrap_err();
            assert_eq!(
                err[0].message, "`title` is set twice in the front matter",
                "{src}"
            );
            assert_eq!(err[0].line, Some(4), "{src}");
            assert_eq!(
                err[0].hint.as_deref(),
                Some("`title` is also set on line 2; keep one of the two")
            );
        }
        let err = parse("---\ntitle: t\ntags: [~]\n---\n").unwrap_err();
        assert_eq!(err[0].message, "a value is empty where text is expected");
    }

    #[test]
    fn unknown_field_gets_a_suggestion_and_its_line() {
        let err = parse("---\ntitle: x\ntgas: [a]\n---\n").unwrap_err();
        assert_eq!(err[0].message, "unknown front matter field `tgas`");
        assert_eq!(err[0].hint.as_deref(), Some("did you mean `tags`?"));
        assert_eq!(err[0].line, Some(3));
    }

    #[test]
    fn missing_title_and_bad_slug_reported_together() {
        let err = parse("---\nslug: ../etc\ndate: 2016-02-30\n---\n").unwrap_err();
        assert_eq!(err.len(), 3, "{err:#?}");
    }

    #[test]
    fn translation_of_is_a_revision_never_a_path() {
        let ok = parse("---\ntitle: x\ntranslation_of: 17784148d617\n---\n").unwrap();
        assert_eq!(ok.meta.translation_of.as_deref(), Some("17784148d617"));
        for bad in [
            "/any/path/outside",
            "../../etc/passwd",
            "17784148D617",
            "1778414",
        ] {
            let err = parse(&format!("---\ntitle: x\ntranslation_of: {bad}\n---\n")).unwrap_err();
            assert_eq!(err.len(), 1, "{bad}: {err:#?}");
            assert!(err[0].message.contains("not a source revision"), "{bad}");
            assert_eq!((err[0].line, err[0].column), (Some(3), Some(17)), "{bad}");
        }
    }

    #[test]
    fn type_errors_speak_the_front_matters_terms() {
        let msg = |fm: &str| {
            let err = parse(&format!("---\ntitle: t\n{fm}\n---\nbody\n")).unwrap_err();
            err[0].message.clone()
        };
        assert_eq!(
            msg("tags: {a: 1}"),
            "`tags` must be a name or a list of names, not a table of `key: value` pairs"
        );
        assert_eq!(msg("weight: abc"), "`weight` must be a whole number");
        assert_eq!(msg("draft: maybe"), "`draft` must be true or false");
        assert_eq!(
            msg("tags: [a, b"),
            "the list of `tags` opened with `[` is not closed"
        );
        for fm in [
            "tags: {a: 1}",
            "weight: abc",
            "draft: maybe",
            "aliases:\n  x: 1",
        ] {
            let m = msg(fm);
            for word in ["invalid type", "i64", "map,", "sequence", "boolean`"] {
                assert!(!m.contains(word), "{fm}: {m}");
            }
        }
    }

    #[test]
    fn yaml_syntax_error_has_file_line() {
        let err = parse("---\ntitle: x\ntags: [a, b\n---\nbody").unwrap_err();
        assert!(err[0].line.unwrap() >= 3, "{err:#?}");
        assert_eq!(
            err[0].message,
            "the list of `tags` opened with `[` is not closed"
        );
    }

    #[test]
    fn missing_or_unclosed_front_matter() {
        assert!(
            parse("# just markdown").unwrap_err()[0]
                .message
                .contains("front matter")
        );
        assert!(
            parse("---\ntitle: x\n").unwrap_err()[0]
                .message
                .contains("not closed")
        );
        assert!(parse("").is_err());
    }

    #[test]
    fn slugs() {
        assert!(check_slug("zone-unveiling").is_ok());
        assert!(check_slug("挂牌仪式").is_ok());
        for bad in ["a/b", "..", "a..b", "con", "", "a\u{7}b", "sitemap.xml"] {
            assert!(check_slug(bad).is_err(), "{bad}");
        }
        assert!(check_alias("/old/x/").is_ok());
        assert!(check_alias("/../x").is_err());
        assert!(check_alias("old").is_err());
    }
}
