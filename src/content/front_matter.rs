//! Front matter: the YAML block between `---` lines at the top of a Markdown file.
//!
//! Parsed with serde-saphyr into a struct that denies unknown fields (with a "did you mean"
//! hint), then checked for what YAML cannot express: a title is present, dates are real
//! calendar dates, slugs cannot escape the output directory, `translation_of` is a
//! revision (never a path). Positions in diagnostics are
//! positions in the whole file, not in the YAML block.

use serde::{Deserialize, Serialize};

use crate::diagnostics::{Diagnostic, unknown_field_hint};

/// The front matter fields, as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrontMatter {
    /// Page title (required).
    pub title: Option<String>,
    /// Publication date: `YYYY-MM-DD` or RFC 3339.
    pub date: Option<String>,
    /// Date of the last update.
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
    /// Tags, in the page's language.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Categories, in the page's language.
    #[serde(default)]
    pub categories: Vec<String>,
    /// Sort order within a section (lower first).
    pub weight: Option<i64>,
    /// Template to render with instead of the default.
    pub template: Option<String>,
    /// Old URLs that redirect here.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Free data for themes.
    #[serde(default)]
    pub extra: Option<serde_json::Value>,
    /// For a translation: the hash of the default-language source it was translated from
    /// (written by `qiao translate`); a different current hash means the translation is stale.
    pub translation_of: Option<String>,
}

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
    /// Parses `YYYY-MM-DD` or an RFC 3339 timestamp; `None` for anything else, including
    /// impossible dates such as 2016-02-30.
    pub fn parse(s: &str) -> Option<DateValue> {
        let s = s.trim();
        if let Ok(d) = s.parse::<jiff::civil::Date>()
            && s.len() == 10
        {
            let ts = d.to_zoned(jiff::tz::TimeZone::UTC).ok()?.timestamp();
            return Some(DateValue {
                rfc3339: format!("{d}T00:00:00+00:00"),
                ymd: d.to_string(),
                timestamp: ts.as_second(),
            });
        }
        // RFC 3339 requires an offset; jiff's Timestamp parser accepts exactly that shape
        // (plus lowercase `t`/`z` and a space separator, which RFC 3339 also allows).
        let ts: jiff::Timestamp = s.parse().ok()?;
        let offset = parse_offset(s)?;
        let dt = ts.to_zoned(jiff::tz::TimeZone::fixed(offset));
        let rfc3339 = format!(
            "{}{}",
            dt.datetime().strftime("%Y-%m-%dT%H:%M:%S"),
            format_offset(offset)
        );
        Some(DateValue {
            rfc3339,
            ymd: dt.date().to_string(),
            timestamp: ts.as_second(),
        })
    }
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
#[derive(Debug, Clone)]
pub struct Document {
    /// Title.
    pub title: String,
    /// Validated `date`.
    pub date: Option<DateValue>,
    /// Validated `updated`.
    pub updated: Option<DateValue>,
    /// The rest of the front matter as written.
    pub meta: FrontMatter,
    /// 1-based line of the file where the body starts.
    pub body_line: usize,
    /// The whole file with CRLF normalised, for quoting lines in diagnostics; the body is
    /// the part from `body_start` (kept once, not copied: on large sites the sources are a
    /// good part of the memory).
    pub text: String,
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
        self.text = String::new();
        self.body_start = 0;
    }
}

/// Splits and validates a Markdown file. Every problem found is returned, not just the
/// first. Diagnostics carry line and column but no path: the caller adds it.
pub fn parse(raw: &str) -> Result<Document, Vec<Diagnostic>> {
    let text = raw
        .strip_prefix('\u{feff}')
        .unwrap_or(raw)
        .replace("\r\n", "\n");
    let mut lines = text.split_inclusive('\n');
    let first = lines.next().unwrap_or("");
    if first.trim_end() != "---" {
        return Err(vec![
            Diagnostic::error("the file does not start with front matter")
                .at_line(&text, 1)
                .with_hint(
                    "begin the file with a `---` line, then `title: ...`, then another `---` line",
                ),
        ]);
    }
    let yaml_start = first.len();
    let mut offset = yaml_start;
    let mut end = None;
    let mut line_no = 1;
    for l in lines {
        line_no += 1;
        if l.trim_end() == "---" || l.trim_end() == "..." {
            end = Some((offset, offset + l.len(), line_no));
            break;
        }
        offset += l.len();
    }
    let Some((yaml_end, body_start, close_line)) = end else {
        return Err(vec![
            Diagnostic::error("the front matter is not closed")
                .at_line(&text, 1)
                .with_hint("add a line with `---` after the last front matter field"),
        ]);
    };
    let yaml = &text[yaml_start..yaml_end];
    // Line 1 of the YAML is line 2 of the file.
    let yaml_line = |l: u64| (l as usize).max(1) + 1;

    let meta: FrontMatter = if yaml.trim().is_empty() {
        FrontMatter::default()
    } else {
        match serde_saphyr::from_str(yaml) {
            Ok(m) => m,
            Err(e) => {
                let (line, col) = e.location().map_or((2, 1), |l| {
                    (yaml_line(l.line()), l.column().max(1) as usize)
                });
                let raw_msg = first_line(&e.to_string());
                let d = match unknown_field_hint(&raw_msg) {
                    Some((field, hint)) => {
                        Diagnostic::error(format!("unknown front matter field `{field}`"))
                            .with_hint(hint)
                    }
                    None => Diagnostic::error(format!("invalid front matter: {raw_msg}"))
                        .with_hint("front matter is YAML: `key: value`, one per line; quote values that contain `: ` or start with `[`, `{`, `@` or `*`"),
                };
                return Err(vec![d.at(&text, line, col)]);
            }
        }
    };

    let mut errors = Vec::new();
    let find_line = |key: &str| {
        text.lines()
            .take(close_line)
            .position(|l| l.starts_with(&format!("{key}:")))
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
        let parsed = DateValue::parse(v);
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
                    .with_hint("write a real calendar date as YYYY-MM-DD (2016-02-29) or RFC 3339 (2016-02-29T11:00:00+08:00)"),
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
    for alias in &meta.aliases {
        if let Err(why) = check_alias(alias) {
            errors.push(
                Diagnostic::error(format!("invalid alias `{alias}`: {why}"))
                    .at_line(&text, find_line("aliases"))
                    .with_hint("an alias is a site path such as `/old/news/unveiling/`"),
            );
        }
    }
    if let Some(revision) = &meta.translation_of
        && !crate::translation::is_revision(revision)
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
        meta,
        body_line: close_line + 1,
        text,
        body_start,
    })
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
        assert!(
            DateValue::parse("2016-02-29T11:00:00").is_none(),
            "offset required"
        );
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
    fn yaml_syntax_error_has_file_line() {
        let err = parse("---\ntitle: x\ntags: [a, b\n---\nbody").unwrap_err();
        assert!(err[0].line.unwrap() >= 3, "{err:#?}");
        assert!(err[0].message.starts_with("invalid front matter"));
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
