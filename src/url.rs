//! Site paths from file names: the one place where a name on disk becomes a URL segment.
//!
//! Files on disk keep their raw names (`content/my docs/c#?&%.en.md`); every URL that points
//! at them is built from segments encoded by [`segment`], so that a static server finds the
//! file again: `/en/my%20docs/c%23%3F&%25/`. Site paths in the model (`Page::path` and the
//! like) are always encoded, so every output that uses them (links, canonical, hreflang,
//! feeds, sitemaps, redirects, the search index, the values templates receive) agrees.
//! [`decode`] turns a site path back into the output directory.
//!
//! What is encoded: every ASCII character that RFC 3986 does not allow in a path segment
//! (space, `"`, `#`, `%`, `<`, `>`, `?`, `[`, `\`, `]`, `^`, `` ` ``, `{`, `|`, `}`) and
//! controls. Non-ASCII letters (Chinese, umlauts) stay as they are: HTML and Atom take IRIs,
//! and [`crate::xml::uri`] encodes them as UTF-8 bytes where a format wants URIs (sitemaps).

use std::borrow::Cow;

/// Whether `c` may stand unencoded in a URL path segment: RFC 3986 `pchar` (unreserved,
/// sub-delims, `:` and `@`) plus any non-ASCII character that is not a control or a space.
fn is_segment_char(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric() || "-._~!$&'()*+,;=:@".contains(c)
    } else {
        !c.is_control() && !c.is_whitespace()
    }
}

/// Percent-encodes one path segment (a file or directory name, a slug).
pub fn segment(name: &str) -> Cow<'_, str> {
    if name.chars().all(is_segment_char) {
        return Cow::Borrowed(name);
    }
    let mut out = String::with_capacity(name.len() + 8);
    let mut buf = [0u8; 4];
    for c in name.chars() {
        if is_segment_char(c) {
            out.push(c);
        } else {
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    Cow::Owned(out)
}

/// Percent-encodes every segment of a `/`-separated path, keeping the slashes.
pub fn path(raw: &str) -> String {
    raw.split('/').map(segment).collect::<Vec<_>>().join("/")
}

/// Whether a name can be a URL segment at all: `.` and `..` cannot, a browser folds them.
pub fn is_valid_segment(name: &str) -> bool {
    !matches!(name, "" | "." | "..")
}

/// Decodes `%XX` escapes, the inverse of [`path`]: the file path of an encoded site path.
/// A `%` not followed by two hex digits stays as it is, and so does an escape that would
/// not give UTF-8.
pub fn decode(s: &str) -> String {
    if !s.contains('%') {
        return s.to_string();
    }
    decode_utf8(s).unwrap_or_else(|| s.to_string())
}

/// Decodes `%XX` escapes; a `%` not followed by two hex digits stays as it is. `None` when
/// the decoded bytes are not UTF-8.
pub fn decode_utf8(s: &str) -> Option<String> {
    let hex = |b: u8| (b as char).to_digit(16).and_then(|d| u8::try_from(d).ok());
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let escaped = match (b, bytes.get(i + 1), bytes.get(i + 2)) {
            (b'%', Some(&hi), Some(&lo)) => hex(hi).zip(hex(lo)),
            _ => None,
        };
        match escaped {
            Some((hi, lo)) => {
                out.push(hi << 4 | lo);
                i += 3;
            }
            None => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserved_characters_are_encoded_and_letters_kept() {
        assert_eq!(segment("c#?&%"), "c%23%3F&%25");
        assert_eq!(segment("my docs"), "my%20docs");
        assert_eq!(segment("Annual Report"), "Annual%20Report");
        assert_eq!(segment("["), "%5B");
        assert_eq!(segment("[["), "%5B%5B");
        assert_eq!(segment("mkfs.fat"), "mkfs.fat");
        assert_eq!(segment("挂牌仪式"), "挂牌仪式");
        assert_eq!(segment("Förderung"), "Förderung");
        assert_eq!(segment("a\u{3000}b\tc"), "a%E3%80%80b%09c");
        assert_eq!(segment(r#"<"\^`{|}>"#), "%3C%22%5C%5E%60%7B%7C%7D%3E");
        assert_eq!(path("/en/my docs/c#?&%/"), "/en/my%20docs/c%23%3F&%25/");
    }

    #[test]
    fn decoding_inverts_encoding() {
        for raw in [
            "/en/my docs/c#?&%/",
            "/%25/[[/",
            "/挂牌 仪式/",
            "/100%/a%2/",
        ] {
            assert_eq!(decode(&path(raw)), raw);
        }
        assert_eq!(decode("/a%zz/%E7%8E/"), "/a%zz/%E7%8E/");
    }

    #[test]
    fn dot_segments_are_not_names() {
        assert!(!is_valid_segment("."));
        assert!(!is_valid_segment(".."));
        assert!(is_valid_segment("..."));
        assert!(is_valid_segment("["));
    }
}
