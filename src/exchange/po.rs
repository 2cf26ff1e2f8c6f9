//! gettext PO for `qiao xliff export --format po`, which Weblate, Pontoon and Poedit read.
//!
//! One entry per field or block: `msgctxt` is `<source path>#<unit id>`
//! (`content/news/x.md#b3-paragraph`), `msgid` the source, `msgstr` the translation,
//! `#, fuzzy` for a unit in state `initial` that has a target. PO cannot protect markup,
//! so codes are written as placeholders `{1}`, `{2}`, … and their Markdown is listed in
//! an extracted comment (`#. {1} = **`); on import, each placeholder of the source must be
//! in the translation exactly once. The Markdown of each placeholder is taken from the
//! current files on import, not from the PO file.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::{Exchange, Incoming, Piece, State, placeholder_like};
use crate::diagnostics::{Diagnostic, LineIndex};

/// Writes an export as PO.
pub fn write(ex: &Exchange) -> String {
    let mut s = String::new();
    s.push_str("msgid \"\"\nmsgstr \"\"\n");
    for h in [
        "Project-Id-Version: qiao\\n".to_string(),
        // Left for the translator's tool to fill in (empty, so that exports are
        // byte-identical and msgfmt finds every header field).
        "PO-Revision-Date: \\n".to_string(),
        "Last-Translator: \\n".to_string(),
        "Language-Team: \\n".to_string(),
        "MIME-Version: 1.0\\n".to_string(),
        "Content-Type: text/plain; charset=UTF-8\\n".to_string(),
        "Content-Transfer-Encoding: 8bit\\n".to_string(),
        format!("Language: {}\\n", escape(&ex.trg_locale)),
        format!("X-Qiao-Source-Language: {}\\n", escape(&ex.src_locale)),
        "X-Generator: qiao xliff export\\n".to_string(),
    ] {
        let _ = writeln!(s, "\"{h}\"");
    }
    for f in &ex.files {
        for u in &f.units {
            s.push('\n');
            let _ = writeln!(s, "#. {}", u.kind);
            if u.id == "title"
                && let Some(n) = &f.note
            {
                let _ = writeln!(s, "#. {}: {n}", f.translation);
            }
            for (n, data) in &u.codes {
                let _ = writeln!(s, "#. {{{n}}} = {}", data.replace('\n', "\\n"));
            }
            let _ = writeln!(s, "#: {}:{}", f.source, u.line);
            if u.state == State::Initial && u.target.is_some() {
                s.push_str("#, fuzzy\n");
            }
            let _ = writeln!(s, "msgctxt \"{}#{}\"", escape(&f.source), u.id);
            string(&mut s, "msgid", &text(&u.source));
            string(
                &mut s,
                "msgstr",
                &u.target.as_deref().map(text).unwrap_or_default(),
            );
        }
    }
    s
}

/// A unit's content with placeholders.
fn text(pieces: &[Piece]) -> String {
    let mut s = String::new();
    for p in pieces {
        match p {
            Piece::Text(t) => s.push_str(t),
            Piece::Code(n) => {
                let _ = write!(s, "{{{n}}}");
            }
        }
    }
    s
}

/// A PO keyword and its string, split after each `\n` as gettext does.
fn string(s: &mut String, keyword: &str, value: &str) {
    if !value.contains('\n') || value.trim_end_matches('\n').is_empty() {
        let _ = writeln!(s, "{keyword} \"{}\"", escape(value));
        return;
    }
    let _ = writeln!(s, "{keyword} \"\"");
    for line in value.split_inclusive('\n') {
        let _ = writeln!(s, "\"{}\"", escape(line));
    }
}

/// Escapes a PO string.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out
}

/// Reads a PO string literal (without its quotes); `None` when it is malformed.
fn unescape(s: &str) -> Option<String> {
    let inner = s.trim().strip_prefix('"')?.strip_suffix('"')?;
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '"' {
            return None;
        }
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next()? {
            'n' => out.push('\n'),
            't' => out.push('\t'),
            'r' => out.push('\r'),
            '\\' => out.push('\\'),
            '"' => out.push('"'),
            'a' => out.push('\u{7}'),
            'b' => out.push('\u{8}'),
            'f' => out.push('\u{c}'),
            'v' => out.push('\u{b}'),
            _ => return None,
        }
    }
    Some(out)
}

/// Pieces of a PO string: text and `{N}` placeholders (a `{/N}` is read as `{N}`'s
/// closing twin only if the unit has such a code; qiao writes none).
fn pieces(s: &str) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut last = 0;
    for (i, len) in placeholder_like(s) {
        let inner = &s[i + 1..i + len - 1];
        let Ok(n) = inner.parse::<usize>() else {
            continue;
        };
        if i > last {
            out.push(Piece::Text(s[last..i].to_string()));
        }
        out.push(Piece::Code(n));
        last = i + len;
    }
    if last < s.len() {
        out.push(Piece::Text(s[last..].to_string()));
    }
    super::xliff::merge(out)
}

#[derive(Default)]
struct Entry {
    line: usize,
    fuzzy: bool,
    obsolete: bool,
    ctxt: Option<String>,
    id: Option<String>,
    strs: Vec<String>,
}

/// Reads a PO file: its `Language` and its entries. Errors name the line.
pub fn read(text: &str, display: &str) -> Result<(String, Vec<Incoming>), Vec<Diagnostic>> {
    let mut entries: Vec<Entry> = Vec::new();
    let mut errors = Vec::new();
    let mut cur = Entry::default();
    // Which string a continuation line extends: 0 msgctxt, 1 msgid, 2 msgstr.
    let mut field: Option<usize> = None;
    let lines = LineIndex::new(text);
    let err = |line: usize, msg: String| {
        Diagnostic::error(msg)
            .in_file(display)
            .at_text(lines.line(line), line, 1)
            .with_hint("PO entries are `msgctxt \"…\"`, `msgid \"…\"` and `msgstr \"…\"`, each string in double quotes with `\\\"` and `\\n` escaped")
    };
    let flush = |cur: &mut Entry, entries: &mut Vec<Entry>| {
        if cur.id.is_some() {
            entries.push(std::mem::take(cur));
        } else {
            *cur = Entry::default();
        }
    };
    for (i, raw) in text.trim_start_matches('\u{feff}').lines().enumerate() {
        let n = i + 1;
        let line = raw.trim();
        if line.is_empty() {
            flush(&mut cur, &mut entries);
            field = None;
            continue;
        }
        if let Some(flags) = line.strip_prefix("#,") {
            if cur.id.is_some() {
                flush(&mut cur, &mut entries);
            }
            cur.fuzzy |= flags.split(',').any(|f| f.trim() == "fuzzy");
            continue;
        }
        if line.starts_with("#~") {
            cur.obsolete = true;
            continue;
        }
        if line.starts_with('#') {
            continue;
        }
        let (keyword, rest) = match line.split_once(char::is_whitespace) {
            Some((k, r)) if !k.starts_with('"') => (k, r),
            _ => ("", line),
        };
        let value = match unescape(rest) {
            Some(v) => v,
            None => {
                errors.push(err(n, "malformed PO string".into()));
                continue;
            }
        };
        match keyword {
            "" => match field {
                Some(0) => cur.ctxt.get_or_insert_with(String::new).push_str(&value),
                Some(1) => cur.id.get_or_insert_with(String::new).push_str(&value),
                Some(2) => {
                    if let Some(s) = cur.strs.last_mut() {
                        s.push_str(&value)
                    }
                }
                _ => errors.push(err(n, "a string outside msgctxt, msgid or msgstr".into())),
            },
            "msgctxt" => {
                if cur.id.is_some() {
                    flush(&mut cur, &mut entries);
                }
                cur.line = n;
                cur.ctxt = Some(value);
                field = Some(0);
            }
            "msgid" => {
                if cur.id.is_some() {
                    flush(&mut cur, &mut entries);
                }
                if cur.ctxt.is_none() {
                    cur.line = n;
                }
                cur.id = Some(value);
                field = Some(1);
            }
            "msgstr" | "msgstr[0]" => {
                cur.strs.push(value);
                field = Some(2);
            }
            k => errors.push(err(
                n,
                format!("`{k}` is not used in qiao's PO files (no plural forms)"),
            )),
        }
    }
    flush(&mut cur, &mut entries);
    let mut lang = None;
    let mut out = Vec::new();
    for e in entries {
        if e.obsolete {
            continue;
        }
        let id = e.id.unwrap_or_default();
        let msgstr = e.strs.into_iter().next().unwrap_or_default();
        if id.is_empty() && e.ctxt.is_none() {
            lang = msgstr
                .lines()
                .find_map(|l| l.strip_prefix("Language:"))
                .map(|l| l.trim().to_string());
            continue;
        }
        let Some((file, unit)) = e.ctxt.as_deref().and_then(|c| c.rsplit_once('#')) else {
            errors.push(err(
                e.line,
                "an entry without qiao's msgctxt `content/…/x.md#unit`".into(),
            ));
            continue;
        };
        let target = (!msgstr.trim().is_empty()).then(|| pieces(&msgstr));
        out.push(Incoming {
            file: file.to_string(),
            id: unit.to_string(),
            pos: (e.line, 1),
            source: pieces(&id),
            target,
            codes: BTreeMap::new(),
            state: if e.fuzzy {
                State::Initial
            } else {
                State::Translated
            },
        });
    }
    let Some(lang) = lang.filter(|l| !l.is_empty()) else {
        errors.push(
            Diagnostic::error("the PO file has no header entry with `Language:`")
                .in_file(display)
                .with_hint("keep the first entry (msgid \"\") that `qiao xliff export` wrote"),
        );
        return Err(errors);
    };
    if errors.is_empty() {
        Ok((lang, out))
    } else {
        Err(errors)
    }
}
