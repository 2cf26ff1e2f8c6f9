//! Directives and language spans: the syntax of the CommonMark generic-directives proposal
//! (as in remark-directive), read from lines that pulldown-cmark has already placed in text,
//! never from code.
//!
//! - A leaf directive is a line of its own: `::figure[label]{src="a.jpg" alt="…"}`.
//! - A container opens with `:::notice{kind="info"}` and closes with a `:::` line; an outer
//!   container nests others by using more colons (`::::`). Its fences stand at the start of
//!   a line (column 1), outside lists and quotes.
//! - Attributes are `{key="value" key='value' key=value #id .class key}`; the same parser
//!   reads the language of a span, `[以上]{lang=zh}`, and of a block, `:::lang{lang=zh}`.
//!
//! This module only reads the syntax and checks language tags; the Markdown stage finds the
//! lines and spans in its event stream, and an [`Expand`] (the site's directive templates,
//! in the `directives` module) turns a call into HTML. Everything is a pure function of its input.

/// One attribute of a directive or span, as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attr {
    /// The key (`id` for `#x`, `class` for `.x`).
    pub key: String,
    /// The value, unquoted; empty for a bare key.
    pub value: String,
    /// Byte offset of the key in the text given to the parser.
    pub offset: usize,
    /// Byte offset of the value (of the key when there is none).
    pub value_offset: usize,
}

/// A syntax error at a byte offset of the text given to the parser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// Byte offset of the problem.
    pub offset: usize,
    /// What is wrong.
    pub message: String,
}

/// Reads `{…}` starting at `text[start]` (which must be `{`). Returns the attributes and the
/// offset just after the closing `}`; `None` when `text[start]` is not `{`.
pub fn parse_attrs(text: &str, start: usize) -> Option<Result<(Vec<Attr>, usize), SyntaxError>> {
    let bytes = text.as_bytes();
    if bytes.get(start) != Some(&b'{') {
        return None;
    }
    let err = |offset: usize, message: &str| {
        Some(Err(SyntaxError {
            offset,
            message: message.to_string(),
        }))
    };
    let mut attrs = Vec::new();
    let mut i = start + 1;
    loop {
        while i < bytes.len() && (bytes[i] == b' ' || bytes[i] == b'\t') {
            i += 1;
        }
        let Some(&b) = bytes.get(i) else {
            return err(start, "`{` is never closed by `}`");
        };
        match b {
            b'}' => return Some(Ok((attrs, i + 1))),
            b'#' | b'.' => {
                let end = name_end(text, i + 1);
                if end == i + 1 {
                    return err(
                        i,
                        "`#` and `.` must be followed by a name (`#intro`, `.wide`)",
                    );
                }
                let key = if b == b'#' { "id" } else { "class" };
                attrs.push(Attr {
                    key: key.to_string(),
                    value: text[i + 1..end].to_string(),
                    offset: i,
                    value_offset: i + 1,
                });
                i = end;
            }
            _ => {
                let end = name_end(text, i);
                if end == i {
                    return err(
                        i,
                        "expected an attribute (`key=\"value\"`, `#id` or `.class`) or `}`",
                    );
                }
                let key = text[i..end].to_string();
                let offset = i;
                i = end;
                if bytes.get(i) != Some(&b'=') {
                    attrs.push(Attr {
                        key,
                        value: String::new(),
                        offset,
                        value_offset: offset,
                    });
                    continue;
                }
                i += 1;
                let value_offset = i;
                let value = match bytes.get(i) {
                    Some(&q @ (b'"' | b'\'')) => {
                        let Some(len) = text[i + 1..].find(q as char) else {
                            return err(i, "this quote is never closed");
                        };
                        let v = text[i + 1..i + 1 + len].to_string();
                        i += len + 2;
                        v
                    }
                    _ => {
                        let len = text[i..]
                            .find(|c: char| c.is_whitespace() || matches!(c, '}' | '"' | '\''))
                            .unwrap_or(text.len() - i);
                        if len == 0 {
                            return err(i, "a value must follow `=` (quote it if it has spaces)");
                        }
                        let v = text[i..i + len].to_string();
                        i += len;
                        v
                    }
                };
                attrs.push(Attr {
                    key,
                    value,
                    offset,
                    value_offset,
                });
            }
        }
    }
}

/// The end of a name (`[A-Za-z0-9_-]`, not starting with `-`) that starts at `start`.
fn name_end(text: &str, start: usize) -> usize {
    let bytes = text.as_bytes();
    let mut i = start;
    while i < bytes.len()
        && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_' || (bytes[i] == b'-' && i > start))
    {
        i += 1;
    }
    i
}

/// Whether a directive is a line of its own or a container of blocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `::name…`
    Leaf,
    /// `:::name…` … `:::`
    Container,
}

/// One directive as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    /// Leaf or container.
    pub kind: Kind,
    /// The name (`figure`).
    pub name: String,
    /// Byte offset of the name in the source.
    pub offset: usize,
    /// The label between `[` and `]`, as written (inline Markdown), with its offset.
    pub label: Option<(String, usize)>,
    /// The attributes, offsets in the source.
    pub attrs: Vec<Attr>,
    /// Whether the line has a label or attributes (a bare `::word` of an unknown name stays
    /// text: prose uses `::` too).
    pub explicit: bool,
}

impl Call {
    /// The value of an attribute.
    pub fn attr(&self, key: &str) -> Option<&Attr> {
        self.attrs.iter().find(|a| a.key == key)
    }
}

/// What a directive line is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    /// A leaf directive, or a container's opening fence (with its number of colons).
    Open(Call, usize),
    /// A closing fence with its number of colons.
    Close(usize),
}

/// Reads a line that starts with two or more colons at `line[0]`; `base` is the line's
/// offset in the source (offsets in the result are in the source). `None` when the line is
/// not a directive (it stays text), `Some(Err)` when it clearly means to be one but is
/// malformed.
pub fn parse_line(line: &str, base: usize) -> Option<Result<Line, SyntaxError>> {
    let colons = line.bytes().take_while(|b| *b == b':').count();
    if colons < 2 {
        return None;
    }
    let rest = &line[colons..];
    if colons >= 3 && rest.trim().is_empty() {
        return Some(Ok(Line::Close(colons)));
    }
    let name_start = colons;
    if !line.as_bytes().get(name_start)?.is_ascii_alphabetic() {
        return None;
    }
    let name_stop = name_end(line, name_start);
    let mut i = name_stop;
    let mut label = None;
    if line.as_bytes().get(i) == Some(&b'[') {
        let end = label_end(line, i)?;
        label = Some((line[i + 1..end].to_string(), base + i + 1));
        i = end + 1;
    }
    let mut attrs = Vec::new();
    match parse_attrs(line, i) {
        None => {}
        Some(Ok((a, end))) => {
            attrs = a;
            i = end;
        }
        Some(Err(e)) => {
            return Some(Err(SyntaxError {
                offset: base + e.offset,
                message: e.message,
            }));
        }
    }
    if !line[i..].trim().is_empty() {
        return None;
    }
    for a in &mut attrs {
        a.offset += base;
        a.value_offset += base;
    }
    let explicit = i > name_stop;
    let kind = if colons == 2 {
        Kind::Leaf
    } else {
        Kind::Container
    };
    Some(Ok(Line::Open(
        Call {
            kind,
            name: line[name_start..name_stop].to_string(),
            offset: base + name_start,
            label,
            attrs,
            explicit,
        },
        colons,
    )))
}

/// The offset of the `]` that closes the `[` at `start`, with nested brackets and
/// backslash escapes; `None` when there is none on the line.
fn label_end(text: &str, start: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = start;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 1,
            b'[' => depth += 1,
            b']' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// The language a span or block is marked with: `lang=zh` names a configured language
/// (written out as its locale, `zh-Hans`), any other value must be a well-formed BCP 47
/// tag (written as given). `languages` are the site's (code, locale) pairs.
pub fn lang_value(attr: &Attr, languages: &[(String, String)]) -> Result<String, String> {
    if let Some((_, locale)) = languages.iter().find(|(code, _)| *code == attr.value) {
        return Ok(locale.clone());
    }
    if attr.value.is_empty() {
        return Err("`lang` needs a language: `lang=zh`, `lang=en`, `lang=de-CH`".to_string());
    }
    match attr.value.parse::<icu_locale_core::Locale>() {
        Ok(_) if attr.value.is_ascii() && !attr.value.contains('_') => Ok(attr.value.clone()),
        _ => Err(format!(
            "`{}` is not a language tag (BCP 47, such as `zh`, `en-GB` or `de`)",
            attr.value
        )),
    }
}

/// A problem a directive or span has, at a byte offset of the source given to
/// the Markdown renderer (`markdown::render`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Byte offset in the source.
    pub offset: usize,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub hint: String,
}

/// The HTML of an expanded directive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expansion {
    /// A leaf directive's HTML.
    Leaf(String),
    /// The HTML before and after a container's blocks.
    Container {
        /// Before the blocks.
        open: String,
        /// After them.
        close: String,
    },
}

/// Turns directive calls into HTML: the site's directive templates for one page.
pub trait Expand: Sync {
    /// Whether `name` is a directive (a bare `::name` is one only then).
    fn knows(&self, name: &str) -> bool;
    /// The HTML of a call, whose label has been rendered to `label_html`; or what is wrong
    /// with it.
    fn expand(&self, call: &Call, label_html: Option<&str>) -> Result<Expansion, Vec<Problem>>;
}

/// Whether `c` is a Han ideograph (CJK Unified Ideographs and their extensions,
/// compatibility ideographs, 〇).
pub fn is_han(c: char) -> bool {
    matches!(c as u32,
        0x3007 | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x323AF)
}

/// Whether `c` may stand inside a run of Han characters without ending it (CJK symbols and
/// punctuation, full-width forms).
fn joins_han(c: char) -> bool {
    matches!(c as u32, 0x3000..=0x303F | 0xFF00..=0xFFEF)
}

/// The byte ranges of the runs of Han characters in `text`: each starts and ends with an
/// ideograph and may hold CJK punctuation between ideographs.
pub fn han_runs(text: &str) -> Vec<std::ops::Range<usize>> {
    let mut runs = Vec::new();
    // Every ideograph is encoded from the lead byte 0xE3 on (U+3007 and up): most English
    // and German text is done with one quick pass over its bytes.
    if !text.bytes().any(|b| b >= 0xE3) {
        return runs;
    }
    let mut current: Option<std::ops::Range<usize>> = None;
    for (i, c) in text.char_indices() {
        if is_han(c) {
            let end = i + c.len_utf8();
            match &mut current {
                Some(r) => r.end = end,
                None => current = Some(i..end),
            }
        } else if !joins_han(c) {
            runs.extend(current.take());
        }
    }
    runs.extend(current);
    runs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attrs(s: &str) -> Vec<(String, String)> {
        parse_attrs(s, 0)
            .unwrap()
            .unwrap()
            .0
            .into_iter()
            .map(|a| (a.key, a.value))
            .collect()
    }

    fn kv(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn attribute_forms() {
        assert_eq!(
            attrs(r#"{src="a b.jpg" alt='它' w=3 #top .wide open}"#),
            kv(&[
                ("src", "a b.jpg"),
                ("alt", "它"),
                ("w", "3"),
                ("id", "top"),
                ("class", "wide"),
                ("open", "")
            ])
        );
        assert_eq!(attrs("{}"), kv(&[]));
    }

    #[test]
    fn attribute_errors_have_offsets() {
        let e = parse_attrs(r#"{src="a.jpg}"#, 0).unwrap().unwrap_err();
        assert_eq!(e.offset, 5);
        let e = parse_attrs("{src=a", 0).unwrap().unwrap_err();
        assert_eq!(e.offset, 0);
        let e = parse_attrs("{=x}", 0).unwrap().unwrap_err();
        assert_eq!(e.offset, 1);
        assert!(parse_attrs("x", 0).is_none());
    }

    #[test]
    fn lines() {
        let Some(Ok(Line::Open(call, 2))) = parse_line(r#"::figure[A *b*]{src="x.jpg"}"#, 10)
        else {
            panic!("not a leaf")
        };
        assert_eq!(call.name, "figure");
        assert_eq!(call.offset, 12);
        assert_eq!(call.label, Some(("A *b*".to_string(), 19)));
        assert_eq!(call.attrs[0].offset, 26);
        assert_eq!(call.kind, Kind::Leaf);
        assert!(call.explicit);
        assert_eq!(parse_line(":::", 0), Some(Ok(Line::Close(3))));
        assert_eq!(parse_line("::::  ", 0), Some(Ok(Line::Close(4))));
        let Some(Ok(Line::Open(call, 4))) = parse_line("::::notice", 0) else {
            panic!("not a container")
        };
        assert_eq!(call.kind, Kind::Container);
        assert!(!call.explicit);
        // Prose and other syntaxes stay text.
        for text in [
            "::",
            ":: note",
            "::1",
            "::std::vector",
            "::: warning",
            "::figure{src=x} and more",
            "::figure[never closed",
        ] {
            assert_eq!(parse_line(text, 0), None, "{text}");
        }
        assert!(matches!(parse_line("::figure{src=\"x}", 0), Some(Err(_))));
    }

    #[test]
    fn language_tags() {
        let langs = vec![("zh".to_string(), "zh-Hans".to_string())];
        let attr = |v: &str| Attr {
            key: "lang".into(),
            value: v.into(),
            offset: 0,
            value_offset: 0,
        };
        assert_eq!(lang_value(&attr("zh"), &langs), Ok("zh-Hans".to_string()));
        assert_eq!(lang_value(&attr("ja-JP"), &langs), Ok("ja-JP".to_string()));
        assert!(lang_value(&attr("chinese!"), &langs).is_err());
        assert!(lang_value(&attr("x"), &langs).is_err());
        assert!(lang_value(&attr(""), &langs).is_err());
    }

    #[test]
    fn runs_of_han() {
        let t = "at least (以上) and 中国（江门）合作区, 〇";
        let runs: Vec<&str> = han_runs(t).into_iter().map(|r| &t[r]).collect();
        assert_eq!(runs, ["以上", "中国（江门）合作区", "〇"]);
        assert!(han_runs("no ideographs, ひらがな").is_empty());
    }

    /// Directives of a test: `box` (a container) and `pic` (a leaf, `src` required).
    struct TestDirectives;

    impl Expand for TestDirectives {
        fn knows(&self, name: &str) -> bool {
            matches!(name, "box" | "pic")
        }

        fn expand(&self, call: &Call, label: Option<&str>) -> Result<Expansion, Vec<Problem>> {
            match (call.name.as_str(), call.kind) {
                ("box", Kind::Container) => Ok(Expansion::Container {
                    open: "<div class=\"box\">".into(),
                    close: "</div>".into(),
                }),
                ("pic", Kind::Leaf) => match call.attr("src") {
                    Some(src) => Ok(Expansion::Leaf(format!(
                        "<img src=\"{}\" alt=\"{}\">",
                        src.value,
                        label.unwrap_or("")
                    ))),
                    None => Err(vec![Problem {
                        offset: call.offset,
                        message: "no src".into(),
                        hint: String::new(),
                    }]),
                },
                _ => Err(vec![Problem {
                    offset: call.offset,
                    message: format!("unknown {}", call.name),
                    hint: String::new(),
                }]),
            }
        }
    }

    fn options(han: bool) -> crate::markdown::Options {
        crate::markdown::Options {
            han_locale: han.then(|| "zh-Hans".to_string()),
            languages: vec![
                ("zh".to_string(), "zh-Hans".to_string()),
                ("en".to_string(), "en-GB".to_string()),
            ],
            ..Default::default()
        }
    }

    fn md(source: &str, han: bool) -> crate::markdown::Rendered {
        crate::markdown::render_with(source, &options(han), &|_| None, Some(&TestDirectives))
    }

    fn problems(source: &str) -> Vec<(usize, usize, String)> {
        md(source, false)
            .directive_problems
            .into_iter()
            .map(|p| (p.line, p.column, p.message))
            .collect()
    }

    #[test]
    fn leaf_and_container_directives() {
        let r = md(
            "Intro\n::pic[A *b*]{src=\"x.jpg\"}\n\n:::box\nInside\n\n- item\n:::\nAfter\n",
            false,
        );
        assert_eq!(
            r.html,
            "<p>Intro</p>\n<img src=\"x.jpg\" alt=\"A <em>b</em>\">\n<div class=\"box\">\n<p>Inside</p>\n<ul>\n<li>item</li>\n</ul>\n</div>\n<p>After</p>\n"
        );
        assert!(r.directive_problems.is_empty());
        // In a quote and a list item too, and nested containers.
        let r = md(
            "> ::pic{src=a}\n\n- ::pic{src=b}\n\n::::box\n:::box\nx\n:::\n::::\n",
            false,
        );
        assert_eq!(
            r.html,
            "<blockquote>\n<img src=\"a\" alt=\"\">\n</blockquote>\n<ul>\n<li><img src=\"b\" alt=\"\">\n</li>\n</ul>\n<div class=\"box\">\n<div class=\"box\">\n<p>x</p>\n</div>\n</div>\n"
        );
    }

    #[test]
    fn odd_inputs_do_not_panic() {
        const PIECES: &[&str] = &[
            "::",
            ":::",
            "::::",
            "pic",
            "box",
            "lang",
            "{",
            "}",
            "[",
            "]",
            "\"",
            "'",
            "=",
            "src=a",
            "lang=zh",
            "#i",
            ".c",
            "\n",
            "\n\n",
            "> ",
            "- ",
            "1. ",
            "```",
            "`",
            "\\",
            "以上",
            "é",
            " ",
            "\t",
            "<!--",
            "-->",
            "<!--qiao-directive-->",
            "x",
            "*",
            "![",
            "](a)",
            "[^1]",
            "\r",
        ];
        let mut rng = crate::test_rng::Lcg(20161128);
        let mut next = |n: usize| rng.below(n);
        for _ in 0..5_000 {
            let len = next(40);
            let source: String = (0..len).map(|_| PIECES[next(PIECES.len())]).collect();
            let r = md(&source, next(2) == 0);
            for p in &r.directive_problems {
                assert!(p.line >= 1 && p.column >= 1, "{source:?}");
            }
        }
    }

    #[test]
    fn a_directive_id_is_an_anchor_that_headings_avoid() {
        let r = md("::pic{src=a #intro}\n\n# Intro\n", false);
        assert_eq!(r.anchors, ["intro", "intro-1"]);
        assert!(r.html.contains("<h1 id=\"intro-1\">"), "{}", r.html);
    }

    #[test]
    fn a_code_block_in_a_container_keeps_its_fences() {
        let r = md(":::box\n```\n:::\n::pic{src=a}\n```\n:::\n", false);
        assert_eq!(
            r.html,
            "<div class=\"box\">\n<pre><code>:::\n::pic{src=a}\n</code></pre>\n</div>\n"
        );
        assert!(r.directive_problems.is_empty());
    }

    #[test]
    fn directives_are_never_read_in_code_and_prose_stays_text() {
        let source = "```\n::pic{src=a}\n:::box\n```\n\n`::pic{src=a}`\n\n    ::pic{src=a}\n\n\\::pic{src=a}\n\nstd::vector and ::std\n\n::: warning\n\n:::\n\n::word\n";
        let plain = crate::markdown::render(source, &options(false), &|_| None);
        let r = md(source, false);
        assert_eq!(r.html, plain.html);
        assert!(r.directive_problems.is_empty());
        assert!(r.html.contains("<code>::pic{src=a}</code>"));
    }

    #[test]
    fn directive_errors_have_positions() {
        assert_eq!(
            problems("Text\n\n  ::pic{alt=x}\n"),
            [(3, 5, "no src".to_string())]
        );
        assert_eq!(
            problems("::nope{a=1}\n"),
            [(1, 3, "unknown nope".to_string())]
        );
        assert_eq!(
            problems("x\n\n:::box\ninside\n"),
            [(3, 4, "the container `:::box` is never closed".to_string())]
        );
        let p = problems("::pic{src=\"a}\n");
        assert_eq!((p[0].0, p[0].1), (1, 11));
        assert_eq!(
            problems("a [b]{lang=\"no good\"} c\n\n:::lang{lang=x_y}\nz\n:::\n"),
            [
                (
                    1,
                    12,
                    "`no good` is not a language tag (BCP 47, such as `zh`, `en-GB` or `de`)"
                        .to_string()
                ),
                (
                    3,
                    14,
                    "`x_y` is not a language tag (BCP 47, such as `zh`, `en-GB` or `de`)"
                        .to_string()
                ),
            ]
        );
    }

    #[test]
    fn language_spans() {
        let r = md("at least ([以上]{lang=zh}) and [*so*]{lang=ja}.\n", true);
        assert_eq!(
            r.html,
            "<p>at least (<span lang=\"zh-Hans\">以上</span>) and <span lang=\"ja\"><em>so</em></span>.</p>\n"
        );
        assert_eq!(r.text, "at least (以上) and so.");
        let r = md(":::lang{lang=en}\nIn English.\n:::\n", false);
        assert_eq!(r.html, "<div lang=\"en-GB\">\n<p>In English.</p>\n</div>\n");
        // Not spans: a link, escaped brackets, code, other attributes.
        let source = "[a][r]{lang=zh} \\[b]{lang=zh} `[c]{lang=zh}` [d]{.x}\n\n[r]: /x\n";
        let plain = crate::markdown::render(source, &options(false), &|_| None);
        assert!(!plain.html.contains("<span"), "{}", plain.html);
    }

    #[test]
    fn han_runs_are_marked_outside_code_and_marked_spans() {
        let r = md(
            "# 标题 Title\n\nThe Plan (以上) ![图](a.png) `代码` [日本]{lang=ja}\n\n```\n汉字\n```\n\n:::lang{lang=zh}\n中文\n:::\n",
            true,
        );
        assert_eq!(
            r.html,
            "<h1 id=\"标题-title\"><span lang=\"zh-Hans\">标题</span> Title</h1>\n<p>The Plan (<span lang=\"zh-Hans\">以上</span>) <img src=\"a.png\" alt=\"图\" /> <code>代码</code> <span lang=\"ja\">日本</span></p>\n<pre><code>汉字\n</code></pre>\n<div lang=\"zh-Hans\">\n<p>中文</p>\n</div>\n"
        );
        assert_eq!(md("以上", false).html, "<p>以上</p>\n");
    }
}
