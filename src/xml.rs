//! XML and HTML written without templates, escaped correctly: URIs for feeds and sitemaps,
//! alias redirect pages. The feeds and sitemaps themselves are made from the model by the
//! renderer (`render::xml`); what is here knows nothing of the site.

pub use crate::markup::escape;

/// Percent-encodes what a URI may not contain (non-ASCII, spaces, controls), keeping
/// everything else, so `/tags/中欧合作/` becomes `/tags/%E4%B8%AD.../` in feeds and sitemaps,
/// whose schemas want URIs rather than IRIs.
pub fn uri(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if kept_in_uri(b) {
            out.push(char::from(b));
        } else {
            push_percent(&mut out, b);
        }
    }
    out
}

/// Whether [`uri`] keeps the byte `b` as it is: printable ASCII but `"`, `<` and `>`.
fn kept_in_uri(b: u8) -> bool {
    (0x21..=0x7e).contains(&b) && !matches!(b, b'"' | b'<' | b'>')
}

/// Appends `%XX`, the byte `b` in upper-case hexadecimal.
fn push_percent(out: &mut String, b: u8) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    out.push('%');
    out.push(char::from(HEX[usize::from(b >> 4)]));
    out.push(char::from(HEX[usize::from(b & 0xF)]));
}

/// Appends `escape(&uri(s))` to `out`, in one pass and without the two strings between:
/// a sitemap writes this for every address of every page.
pub fn push_escaped_uri(out: &mut String, s: &str) {
    for b in s.bytes() {
        match b {
            // What `uri` keeps and `escape` changes.
            b'&' => out.push_str("&amp;"),
            b'\'' => out.push_str("&apos;"),
            _ if kept_in_uri(b) => out.push(char::from(b)),
            _ => push_percent(out, b),
        }
    }
}

/// A redirect page for an alias: tells search engines where the page lives now, and sends
/// the reader there with the `#fragment` of the old address (`/old/#section-two` lands on
/// `#section-two`) by a script; without JavaScript the meta refresh still redirects, to
/// the top of the page.
pub fn redirect_page(target: &str) -> String {
    let t = escape(target);
    // A JSON string is a JavaScript string; `<` escaped so that no `</script>` can end it.
    let js = serde_json::to_string(target)
        .unwrap_or_else(|_| "\"\"".into())
        .replace('<', "\\u003c");
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Redirect</title>\n\
         <link rel=\"canonical\" href=\"{t}\">\n<meta name=\"robots\" content=\"noindex\">\n\
         <script>location.replace({js} + location.hash);</script>\n\
         <meta http-equiv=\"refresh\" content=\"0; url={t}\">\n</head>\n<body>\n<p><a href=\"{t}\">{t}</a></p>\n</body>\n</html>\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_drops_forbidden_controls() {
        assert_eq!(escape("a<b & \"c\"\u{1}"), "a&lt;b &amp; &quot;c&quot;");
    }

    #[test]
    fn uris_are_percent_encoded() {
        assert_eq!(
            uri("https://x.org/tags/江门/"),
            "https://x.org/tags/%E6%B1%9F%E9%97%A8/"
        );
        assert_eq!(uri("https://x.org/a b/"), "https://x.org/a%20b/");
        // Every ASCII character and some beyond, against escapes written by `format!`.
        let reference = |s: &str| -> String {
            (s.bytes())
                .map(|b| match b {
                    0x21..=0x7e if !b"\"<>".contains(&b) => char::from(b).to_string(),
                    _ => format!("%{b:02X}"),
                })
                .collect()
        };
        let ascii: String = (0..=0x7fu8).map(char::from).collect();
        for s in [ascii.as_str(), "ÿ中欧\u{10FFFF}é", "\u{7f}\u{ff}"] {
            assert_eq!(uri(s), reference(s));
        }
        assert_eq!(uri("\u{7f}\u{ff}"), "%7F%C3%BF");
    }

    #[test]
    fn escaped_uris_are_escape_of_uri() {
        let ascii: String = (0..=0x7fu8).map(char::from).collect();
        for s in [
            ascii.as_str(),
            "https://x.org/a?b=1&c='2'/中欧 x/",
            "ÿ\u{10FFFF}é\u{1}",
        ] {
            let mut out = String::from("<");
            push_escaped_uri(&mut out, s);
            assert_eq!(out, format!("<{}", escape(&uri(s))), "{s:?}");
        }
    }

    #[test]
    fn redirect_is_escaped() {
        let r = redirect_page("https://x.org/a?b=\"</script>\"");
        assert!(r.contains("url=https://x.org/a?b=&quot;&lt;/script&gt;&quot;"));
        assert!(r.contains(
            r#"<script>location.replace("https://x.org/a?b=\"\u003c/script>\"" + location.hash);</script>"#
        ));
    }
}
