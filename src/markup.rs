//! Escaping text for markup: one function that every writer of XML and HTML text outside
//! templates uses (feeds, sitemaps, redirects, summaries written in front matter). It lives
//! below both the model and the writers of files, so that neither depends on the other for it.

/// Escapes text for XML and HTML attribute and element content.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // XML 1.0 forbids most control characters even as references.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}
