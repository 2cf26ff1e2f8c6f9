//! Bare addresses in running text become links: the GFM autolink extension, with rules for
//! Chinese and German text.
//!
//! Editors paste `https://…`, `www.…` and e-mail addresses into prose. pulldown-cmark has no
//! GFM autolink option, so this module finds them in the text events of a parsed body and
//! wraps them in link events. It works on `Text` events only, so nothing inside code spans,
//! code blocks, raw HTML, existing links or `<…>` autolinks is touched; text inside raw
//! `<a>`, `<code>`, `<pre>`, `<kbd>`, `<samp>`, `<script>`, `<style>` and `<textarea>`
//! elements is left alone too.
//!
//! The rules are those of cmark-gfm (`extensions/autolink.c`, the GFM spec's "Autolinks
//! (extension)"): a `www.` address after the start of a text, a space or one of `*_~(`;
//! an `http://`, `https://` or `ftp://` address whose scheme is not glued to other letters;
//! a valid domain (at least one period for `www.`, no underscore in the last two segments);
//! trailing `?!.,:*_~'"` left out, a trailing `)` only when it closes a `(` of the address,
//! a trailing `&name;` left out; e-mail addresses `local@domain.tld` (`mailto:`).
//!
//! Chinese text puts no space between an address and the sentence (`详见https://x.org/plan。`),
//! so an address also ends at the first CJK character (Han, kana, Hangul), CJK or full-width
//! punctuation (`。，、（）「」【】《》` and the U+FF00 block), an ideographic space, or any other
//! non-ASCII punctuation (`“ ” „ ‘ ’ — … « »`); and an address may start right after such a
//! character. Other non-ASCII letters continue it (`https://example.org/Straße`), as they do
//! in an IRI. A Han character therefore can never be part of a bare address: an author who
//! wants one linked writes `<https://zh.wikipedia.org/wiki/江门>`.
//!
//! One deliberate difference from GFM: a `www.` address gets `https://`, not `http://`.

use std::ops::Range;

use pulldown_cmark::{CowStr, Event, LinkType, Tag, TagEnd};

/// An address found in a text: where it stands and where it leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Address {
    /// Byte range of the address, as written, in the text searched.
    pub range: Range<usize>,
    /// The link destination: the address itself, `https://` + a `www.` address, or
    /// `mailto:` + an e-mail address.
    pub href: String,
}

/// Wraps every bare address in the text events of `events` in a link, leaving code, raw
/// HTML and existing links alone. Adjacent text events (pulldown-cmark splits text at
/// entities, escapes and delimiters) are searched as one text; where nothing is found they
/// are returned unchanged. New events carry the byte range of the text they came from.
pub fn link_addresses<'a>(
    events: Vec<(Event<'a>, Range<usize>)>,
) -> Vec<(Event<'a>, Range<usize>)> {
    let mut out = Vec::with_capacity(events.len());
    let mut run: Vec<(Event<'a>, Range<usize>)> = Vec::new();
    // Depth inside links, images, code blocks and metadata, and inside raw HTML elements
    // whose text is not prose.
    let mut skip = 0usize;
    let mut raw = 0usize;
    for (event, range) in events {
        if matches!(event, Event::Text(_)) && skip == 0 && raw == 0 {
            run.push((event, range));
            continue;
        }
        flush(&mut run, &mut out);
        match &event {
            Event::Start(
                Tag::Link { .. } | Tag::Image { .. } | Tag::CodeBlock(_) | Tag::MetadataBlock(_),
            ) => skip += 1,
            Event::End(
                TagEnd::Link | TagEnd::Image | TagEnd::CodeBlock | TagEnd::MetadataBlock(_),
            ) => skip = skip.saturating_sub(1),
            Event::Html(html) | Event::InlineHtml(html) => raw = raw_depth(raw, html),
            _ => {}
        }
        out.push((event, range));
    }
    flush(&mut run, &mut out);
    out
}

/// Moves a run of text events to `out`, split around the addresses it holds.
fn flush<'a>(run: &mut Vec<(Event<'a>, Range<usize>)>, out: &mut Vec<(Event<'a>, Range<usize>)>) {
    if run.is_empty() {
        return;
    }
    let joined: String = run
        .iter()
        .map(|(e, _)| match e {
            Event::Text(t) => t.as_ref(),
            _ => "",
        })
        .collect();
    let found = if joined.contains("://") || joined.contains("www.") || joined.contains('@') {
        find(&joined)
    } else {
        Vec::new()
    };
    if found.is_empty() {
        out.append(run);
        return;
    }
    let span = run[0].1.start..run[run.len() - 1].1.end;
    run.clear();
    let mut at = 0;
    let text = |s: &str| (Event::Text(CowStr::from(s.to_owned())), span.clone());
    for Address { range, href } in found {
        if range.start > at {
            out.push(text(&joined[at..range.start]));
        }
        out.push((
            Event::Start(Tag::Link {
                link_type: LinkType::Inline,
                dest_url: href.into(),
                title: CowStr::Borrowed(""),
                id: CowStr::Borrowed(""),
            }),
            span.clone(),
        ));
        out.push(text(&joined[range.clone()]));
        out.push((Event::End(TagEnd::Link), span.clone()));
        at = range.end;
    }
    if at < joined.len() {
        out.push(text(&joined[at..]));
    }
}

/// Raw HTML elements whose text is not to be linked.
const RAW_ELEMENTS: [&str; 8] = [
    "a", "code", "pre", "kbd", "samp", "script", "style", "textarea",
];

/// The depth inside [`RAW_ELEMENTS`] after a piece of raw HTML; tags inside comments do
/// not count.
fn raw_depth(mut depth: usize, html: &str) -> usize {
    let lower = html.to_ascii_lowercase();
    let mut rest = lower.as_str();
    while let Some(i) = rest.find('<') {
        rest = &rest[i + 1..];
        if let Some(comment) = rest.strip_prefix("!--") {
            rest = comment.find("-->").map_or("", |end| &comment[end + 3..]);
            continue;
        }
        let (closing, name_start) = match rest.strip_prefix('/') {
            Some(r) => (true, r),
            None => (false, rest),
        };
        let name_len = name_start
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(name_start.len());
        let name = &name_start[..name_len];
        let after = name_start[name_len..].chars().next();
        let ends_name = after.is_none_or(|c| c == '>' || c == '/' || c.is_ascii_whitespace());
        if ends_name && RAW_ELEMENTS.contains(&name) {
            depth = if closing {
                depth.saturating_sub(1)
            } else {
                depth + 1
            };
        }
    }
    depth
}

/// Every bare address in `text`, in order, not overlapping.
pub fn find(text: &str) -> Vec<Address> {
    let bytes = text.as_bytes();
    let mut urls = Vec::new();
    let mut floor = 0;
    let mut i = 0;
    while i < bytes.len() {
        let found = match bytes[i] {
            b'w' => www_at(text, i),
            b':' => url_at(text, i, floor),
            _ => None,
        };
        match found {
            Some(address) => {
                i = address.range.end;
                floor = i;
                urls.push(address);
            }
            None => i += 1,
        }
    }
    // E-mail addresses are looked for in the text between the other addresses, as
    // cmark-gfm does after its inline pass.
    let mut out = Vec::with_capacity(urls.len());
    let mut gap_start = 0;
    for url in urls {
        emails(text, gap_start..url.range.start, &mut out);
        gap_start = url.range.end;
        out.push(url);
    }
    emails(text, gap_start..text.len(), &mut out);
    out
}

/// A `www.` address starting at byte `i`.
fn www_at(text: &str, i: usize) -> Option<Address> {
    if !text[i..].starts_with("www.") || !starts_after(text[..i].chars().next_back()) {
        return None;
    }
    let domain = domain_len(&text[i..], true)?;
    let end = delimit(text, i, path_end(text, i + domain));
    (end > i).then(|| Address {
        range: i..end,
        href: format!("https://{}", &text[i..end]),
    })
}

/// An `http://`, `https://` or `ftp://` address whose `:` is at byte `colon`; its scheme
/// starts no earlier than `floor`.
fn url_at(text: &str, colon: usize, floor: usize) -> Option<Address> {
    let bytes = text.as_bytes();
    if !text[colon..].starts_with("://") {
        return None;
    }
    let mut start = colon;
    while start > floor && bytes[start - 1].is_ascii_alphabetic() {
        start -= 1;
    }
    let scheme = &text[start..colon];
    if !["http", "https", "ftp"]
        .iter()
        .any(|s| scheme.eq_ignore_ascii_case(s))
    {
        return None;
    }
    let host = colon + 3;
    let domain = domain_len(&text[host..], false)?;
    let end = delimit(text, start, path_end(text, host + domain));
    (end > host).then(|| Address {
        range: start..end,
        href: text[start..end].to_owned(),
    })
}

/// Whether an address may start after `prev`: at the start of the text, after a space, one
/// of `*_~(` (GFM), or any non-ASCII character that cannot be part of an address (CJK
/// characters and punctuation, `„`, `«`).
fn starts_after(prev: Option<char>) -> bool {
    prev.is_none_or(|c| c.is_whitespace() || "*_~(".contains(c) || (!c.is_ascii() && ends(c)))
}

/// Whether `c` ends an address: white space, `<`, and the non-ASCII characters that are
/// not letters of a word written with spaces (see the module header).
pub fn ends(c: char) -> bool {
    c.is_whitespace()
        || c == '<'
        || (!c.is_ascii()
            && !matches!(c as u32, 0x300..=0x36F)
            && (!c.is_alphanumeric()
                || crate::format::is_east_asian(c)
                || matches!(c as u32, 0x1100..=0x11FF | 0x3130..=0x318F | 0xAC00..=0xD7AF)))
}

/// A character of a domain label: an ASCII letter or digit, or a non-ASCII letter that
/// does not end an address (`bücher.de`).
fn is_host_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || (!c.is_ascii() && c.is_alphanumeric() && !ends(c))
}

/// The length in bytes of the valid domain at the start of `s`, if there is one: labels of
/// host characters, `-` and `_`, separated by periods, starting with a host character, with
/// no `_` in the last two labels, and (when `dotted`) at least one period between labels.
fn domain_len(s: &str, dotted: bool) -> Option<usize> {
    if !s.chars().next().is_some_and(is_host_char) {
        return None;
    }
    let len = s
        .find(|c: char| !(is_host_char(c) || c == '-' || c == '_' || c == '.'))
        .unwrap_or(s.len());
    let domain = &s[..len];
    let labels: Vec<&str> = domain.trim_end_matches('.').split('.').collect();
    if labels.iter().rev().take(2).any(|l| l.contains('_')) {
        return None;
    }
    if dotted && labels.iter().filter(|l| !l.is_empty()).count() < 2 {
        return None;
    }
    Some(len)
}

/// Where the path of an address that continues at byte `from` ends: at the first character
/// that [`ends`] it.
fn path_end(text: &str, from: usize) -> usize {
    text[from..].find(ends).map_or(text.len(), |i| from + i)
}

/// The end of the address `text[start..end]` once trailing punctuation, unbalanced closing
/// parentheses and a trailing entity-like `&name;` are left out (cmark-gfm's
/// `autolink_delim`).
fn delimit(text: &str, start: usize, mut end: usize) -> usize {
    let bytes = text.as_bytes();
    while end > start {
        match bytes[end - 1] {
            b'?' | b'!' | b'.' | b',' | b':' | b'*' | b'_' | b'~' | b'\'' | b'"' => end -= 1,
            b';' => {
                let mut amp = end - 1;
                while amp > start && bytes[amp - 1].is_ascii_alphanumeric() {
                    amp -= 1;
                }
                end = if amp < end - 1 && amp > start && bytes[amp - 1] == b'&' {
                    amp - 1
                } else {
                    end - 1
                };
            }
            b')' => {
                let link = &bytes[start..end];
                let open = link.iter().filter(|&&b| b == b'(').count();
                let close = link.iter().filter(|&&b| b == b')').count();
                if close <= open {
                    break;
                }
                end -= 1;
            }
            _ => break,
        }
    }
    end
}

/// Adds the e-mail addresses in `text[gap]` to `out` (cmark-gfm's rules: a local part of
/// ASCII letters, digits and `.+-_` not preceded by `/`; a domain of letters, digits, `-`
/// and `_` with at least one period, ending in a letter).
fn emails(text: &str, gap: Range<usize>, out: &mut Vec<Address>) {
    let bytes = text.as_bytes();
    let mut from = gap.start;
    while let Some(i) = text[from..gap.end].find('@') {
        let at = from + i;
        from = at + 1;
        let mut start = at;
        while start > gap.start && is_local_byte(bytes[start - 1]) {
            start -= 1;
        }
        if start == at || (start > gap.start && bytes[start - 1] == b'/') {
            continue;
        }
        let mut end = at + 1;
        let mut periods = 0;
        while end < gap.end {
            match bytes[end] {
                b if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' => {}
                b'.' if bytes.get(end + 1).is_some_and(u8::is_ascii_alphanumeric) => periods += 1,
                _ => break,
            }
            end += 1;
        }
        let last = bytes[end - 1];
        if end - at < 2 || periods == 0 || !(last.is_ascii_alphabetic() || last == b'.') {
            continue;
        }
        // A second `@` right after the domain (`a@b.c@d.e`) makes it no address.
        if end < gap.end && bytes[end] == b'@' {
            from = end + 1;
            continue;
        }
        let end = delimit(text, start, end);
        if end <= at + 1 {
            continue;
        }
        out.push(Address {
            range: start..end,
            href: format!("mailto:{}", &text[start..end]),
        });
        from = end;
    }
}

fn is_local_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'+' | b'-' | b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn linked(text: &str) -> Vec<(&str, String)> {
        find(text)
            .into_iter()
            .map(|a| (&text[a.range], a.href))
            .collect()
    }

    #[test]
    fn chinese_punctuation_ends_the_address() {
        assert_eq!(
            linked("详见https://example.org/plan。"),
            [(
                "https://example.org/plan",
                "https://example.org/plan".into()
            )]
        );
        assert_eq!(
            linked("（见www.example.org）"),
            [("www.example.org", "https://www.example.org".into())]
        );
        assert_eq!(
            linked("请发邮件至info@example.org，谢谢"),
            [("info@example.org", "mailto:info@example.org".into())]
        );
    }

    #[test]
    fn letters_of_other_scripts_continue_it() {
        assert_eq!(
            linked("https://example.org/Straße und mehr"),
            [(
                "https://example.org/Straße",
                "https://example.org/Straße".into()
            )]
        );
        assert_eq!(
            linked("https://zh.wikipedia.org/wiki/江门"),
            [(
                "https://zh.wikipedia.org/wiki/",
                "https://zh.wikipedia.org/wiki/".into()
            )]
        );
    }

    #[test]
    fn glued_scheme_and_www_are_not_addresses() {
        assert!(linked("foohttp://example.org").is_empty());
        assert!(linked("awww.example.org").is_empty());
        assert!(linked("www. example").is_empty());
        assert!(linked("www..").is_empty());
        assert!(linked("http://").is_empty());
        assert!(linked("www.a_b.c_d").is_empty());
        assert!(linked("x/foo@bar.baz").is_empty());
    }

    #[test]
    fn raw_html_depth() {
        assert_eq!(raw_depth(0, "<a href=\"x\">"), 1);
        assert_eq!(raw_depth(1, "</a>"), 0);
        assert_eq!(raw_depth(0, "<abbr title=x>"), 0);
        assert_eq!(raw_depth(0, "<code>x</code><pre>"), 1);
        assert_eq!(raw_depth(0, "</code>"), 0);
        assert_eq!(raw_depth(0, "<!-- <a href=x> --><kbd>"), 1);
        assert_eq!(raw_depth(0, "<!-- <a href=x>"), 0);
    }

    #[test]
    fn odd_inputs_do_not_panic() {
        for s in [
            "",
            "@",
            "@@@@",
            "a@",
            "@b.c",
            "://",
            "http://",
            "www.",
            "www..",
            ";",
            "&;",
            "https://x.org&;",
            "(((((",
            "http://x.y/))))",
            "é@é.é",
            "江@门.中国",
            "www.例子.中国",
        ] {
            find(s);
        }
        let long = "@".repeat(100_000);
        assert!(find(&long).is_empty());
    }
}
