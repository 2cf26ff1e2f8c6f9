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
        if b > 0x20 && b < 0x7f && b != b'"' && b != b'<' && b != b'>' {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
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
