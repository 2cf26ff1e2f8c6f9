//! The live-reload protocol between `qiao serve` and the open pages.
//!
//! The script is injected into HTML responses at serve time, never into the built files,
//! so a served site is byte for byte the site `qiao build` writes. It listens to a stream of
//! Server-Sent Events (plain HTTP, reconnected by the browser itself, no WebSocket needed):
//!
//! | event | data | the page |
//! |---|---|---|
//! | `hello` | `{"server", "build", "errors", "served"}` | reloads if `server` or `build` differ from the page's own (the script tag names them: `data-server`, `data-build`), else shows `errors` |
//! | `reload` | `{"build", "pages"?, "css", "navigate"?}` | the tab that was focused last goes to `navigate` (the page just saved); every other tab reloads if its own page is in `pages` (all of them when `pages` is absent), else swaps its stylesheets if `css`; a reload saves the scroll position |
//! | `css` | `{"build"}` | swaps its same-origin stylesheets without reloading |
//! | `build-error` | `{"build", "errors", "served"}` | shows the error overlay (the last good page stays below; `served` is false while no build has succeeded yet) |
//!
//! `errors` is a list of `{"location", "message", "text"}` where `text` is the diagnostic as
//! the terminal shows it; the script inserts it with `textContent`, never as HTML.

use serde::Serialize;

use crate::diagnostics::Diagnostic;

/// Everything under this path belongs to the server, not to the site.
pub const RESERVED_PREFIX: &str = "/__qiao/";
/// The event stream.
pub const EVENTS_PATH: &str = "/__qiao/events";
/// The script.
pub const SCRIPT_PATH: &str = "/__qiao/livereload.js";
/// The script's source.
pub const SCRIPT: &str = include_str!("livereload.js");
/// The start of the tag injected into every HTML page (see [`script_tag`]).
pub const SCRIPT_TAG_START: &str = "<script src=\"/__qiao/livereload.js\"";

/// The tag injected into an HTML page. It names the server and the build the page was
/// served from, so that a page whose site was rebuilt before its event stream connected
/// still reloads.
pub fn script_tag(server: &str, build: u64) -> String {
    format!(
        "{SCRIPT_TAG_START} data-server=\"{}\" data-build=\"{build}\"></script>",
        crate::xml::escape(server)
    )
}

/// Inserts `tag` before the last `</body>` (any case), or at the end of a page that has
/// none.
pub fn inject(html: &[u8], tag: &str) -> Vec<u8> {
    let needle = b"</body";
    let at = html
        .windows(needle.len())
        .rposition(|w| w.eq_ignore_ascii_case(needle))
        .unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + tag.len() + 1);
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(tag.as_bytes());
    if at == html.len() {
        out.push(b'\n');
    }
    out.extend_from_slice(&html[at..]);
    out
}

/// A diagnostic as the overlay shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErrorView {
    /// `path:line:column`.
    pub location: String,
    /// What is wrong.
    pub message: String,
    /// The whole diagnostic as printed in the terminal (without colours).
    pub text: String,
}

impl From<&Diagnostic> for ErrorView {
    fn from(d: &Diagnostic) -> ErrorView {
        ErrorView {
            location: d.location(),
            message: d.message.clone(),
            text: d.render(false),
        }
    }
}

/// One message to the open pages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    /// A rebuild succeeded and pages may have changed.
    Reload {
        /// The build number.
        build: u64,
        /// The URL paths of the pages that changed (added, changed or removed), with `/`
        /// for a directory's `index.html`; `None` when every page must reload (an image or
        /// script changed, or there is no earlier build to compare with).
        pages: Option<Vec<String>>,
        /// Whether a stylesheet changed too (tabs that do not reload swap them).
        css: bool,
        /// The URL path of the page whose Markdown file was saved, in that file's language:
        /// the tab the editor looked at last goes there.
        navigate: Option<String>,
    },
    /// A rebuild succeeded and only stylesheets changed.
    Css {
        /// The build number.
        build: u64,
    },
    /// A rebuild failed; the last good site stays served.
    BuildError {
        /// The build number.
        build: u64,
        /// The errors (warnings are left to the terminal).
        errors: Vec<ErrorView>,
        /// Whether an earlier build succeeded, so that its site is still served.
        served: bool,
    },
    /// The server is stopping: streams end, browsers reconnect to the next server.
    Shutdown,
}

/// What a page learns when it connects.
#[derive(Debug, Clone, Serialize)]
pub struct Hello {
    /// Identifies this server process: a different one means the server restarted.
    pub server: String,
    /// The number of the last finished build (successful or not).
    pub build: u64,
    /// The errors of the last build, empty if it succeeded.
    pub errors: Vec<ErrorView>,
    /// Whether a build has succeeded (else there is no site to show, only the errors).
    pub served: bool,
}

impl Message {
    /// The SSE event name and JSON data, or `None` for [`Message::Shutdown`].
    pub fn to_event(&self) -> Option<(&'static str, String)> {
        #[derive(Serialize)]
        struct Build<'a> {
            build: u64,
            #[serde(skip_serializing_if = "Option::is_none")]
            errors: Option<&'a [ErrorView]>,
            #[serde(skip_serializing_if = "Option::is_none")]
            served: Option<bool>,
            #[serde(skip_serializing_if = "Option::is_none")]
            pages: Option<&'a [String]>,
            #[serde(skip_serializing_if = "Option::is_none")]
            css: Option<bool>,
            #[serde(skip_serializing_if = "Option::is_none")]
            navigate: Option<&'a str>,
        }
        let only = |build: u64| Build {
            build,
            errors: None,
            served: None,
            pages: None,
            css: None,
            navigate: None,
        };
        let (name, data) = match self {
            Message::Reload {
                build,
                pages,
                css,
                navigate,
            } => (
                "reload",
                Build {
                    pages: pages.as_deref(),
                    css: Some(*css),
                    navigate: navigate.as_deref(),
                    ..only(*build)
                },
            ),
            Message::Css { build } => ("css", only(*build)),
            Message::BuildError {
                build,
                errors,
                served,
            } => (
                "build-error",
                Build {
                    errors: Some(errors),
                    served: Some(*served),
                    ..only(*build)
                },
            ),
            Message::Shutdown => return None,
        };
        Some((name, json(&data)))
    }
}

impl Hello {
    /// The SSE event name and JSON data.
    pub fn to_event(&self) -> (&'static str, String) {
        ("hello", json(self))
    }
}

fn json(v: &impl Serialize) -> String {
    // Serializing these plain structs cannot fail.
    serde_json::to_string(v).unwrap_or_else(|_| "{}".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn injects_before_the_last_body_end() {
        let tag = script_tag("a\"b", 7);
        assert_eq!(
            tag,
            "<script src=\"/__qiao/livereload.js\" data-server=\"a&quot;b\" data-build=\"7\"></script>"
        );
        let page = b"<html><body><p>x</p></BODY>\n</html>\n";
        let out = String::from_utf8(inject(page, &tag)).unwrap();
        assert_eq!(out, format!("<html><body><p>x</p>{tag}</BODY>\n</html>\n"));
        let frag = String::from_utf8(inject(b"<p>no body</p>", &tag)).unwrap();
        assert_eq!(frag, format!("<p>no body</p>{tag}\n"));
        // a `</body>` in a code sample before the real one does not matter
        let two =
            String::from_utf8(inject(b"<pre>&lt;/body&gt;</body></pre></body>", &tag)).unwrap();
        assert!(two.ends_with(&format!("{tag}</body>")), "{two}");
    }

    #[test]
    fn events_are_json() {
        let d = Diagnostic::error("bad <b>thing</b>")
            .in_file("content/x.md")
            .at("a\nb", 2, 1);
        let m = Message::BuildError {
            build: 3,
            errors: vec![ErrorView::from(&d)],
            served: false,
        };
        let (name, data) = m.to_event().unwrap();
        assert_eq!(name, "build-error");
        let v: serde_json::Value = serde_json::from_str(&data).unwrap();
        assert_eq!(v["build"], 3);
        assert_eq!(v["served"], false);
        assert_eq!(v["errors"][0]["location"], "content/x.md:2:1");
        assert_eq!(v["errors"][0]["message"], "bad <b>thing</b>");
        assert!(
            v["errors"][0]["text"]
                .as_str()
                .unwrap()
                .contains("content/x.md:2:1")
        );
        let reload = Message::Reload {
            build: 4,
            pages: Some(vec!["/en/news/x/".into()]),
            css: false,
            navigate: Some("/en/news/x/".into()),
        };
        assert_eq!(
            reload.to_event().unwrap(),
            (
                "reload",
                r#"{"build":4,"pages":["/en/news/x/"],"css":false,"navigate":"/en/news/x/"}"#
                    .to_string()
            )
        );
        let all = Message::Reload {
            build: 5,
            pages: None,
            css: true,
            navigate: None,
        };
        assert_eq!(
            all.to_event().unwrap(),
            ("reload", r#"{"build":5,"css":true}"#.to_string())
        );
        assert_eq!(Message::Shutdown.to_event(), None);
    }
}
