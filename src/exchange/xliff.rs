//! XLIFF for `qiao xliff`: one `<file>` per source (`original` is its path), one unit per
//! field or block.
//!
//! XLIFF 2.1 (the default): `<unit>` with one `<segment>` (`canResegment="no"`); codes are
//! `<ph>` elements with `canCopy="no"` and `canDelete="no"`, their Markdown kept in the
//! unit's `<originalData>` and shown to translators through `disp`. XLIFF 2.1 keeps the
//! 2.0 core namespace (`urn:oasis:names:tc:xliff:document:2.0`) and says `version="2.1"`.
//!
//! XLIFF 1.2 (`--format xliff12`, for tools that read no XLIFF 2): `<trans-unit>`; codes
//! are `<ph>` elements whose content is the Markdown they stand for; states are the 1.2
//! names (`needs-review-translation`, `translated`, `signed-off`, `final`).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::{Exchange, Incoming, Piece, State, Unit};
use crate::diagnostics::{Diagnostic, LineIndex};
use crate::xml::escape;

/// The XLIFF 2 core namespace (the same for 2.0 and 2.1).
pub const NAMESPACE: &str = "urn:oasis:names:tc:xliff:document:2.0";

/// The XLIFF 1.2 namespace.
pub const NAMESPACE_12: &str = "urn:oasis:names:tc:xliff:document:1.2";

/// Writes an export as XLIFF 2.1.
pub fn write(ex: &Exchange) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<xliff xmlns=\"{NAMESPACE}\" version=\"2.1\" srcLang=\"{}\" trgLang=\"{}\">",
        escape(&ex.src_locale),
        escape(&ex.trg_locale)
    );
    for (i, f) in ex.files.iter().enumerate() {
        let _ = writeln!(
            s,
            "  <file id=\"f{}\" original=\"{}\">",
            i + 1,
            escape(&f.source)
        );
        s.push_str("    <notes>\n");
        let _ = writeln!(
            s,
            "      <note category=\"translation\">{}</note>",
            escape(&f.translation)
        );
        let _ = writeln!(
            s,
            "      <note category=\"source-revision\">{}</note>",
            escape(&f.revision)
        );
        if let Some(n) = &f.note {
            let _ = writeln!(s, "      <note category=\"alignment\">{}</note>", escape(n));
        }
        s.push_str("    </notes>\n");
        for u in &f.units {
            write_unit(&mut s, &f.source, u);
        }
        s.push_str("  </file>\n");
    }
    s.push_str("</xliff>\n");
    s
}

fn write_unit(s: &mut String, file: &str, u: &Unit) {
    let _ = writeln!(
        s,
        "    <unit id=\"{}\" name=\"{}\" canResegment=\"no\">",
        escape(&u.id),
        escape(&u.kind)
    );
    let _ = writeln!(
        s,
        "      <notes>\n        <note category=\"location\">{}:{}</note>\n      </notes>",
        escape(file),
        u.line
    );
    if !u.codes.is_empty() {
        s.push_str("      <originalData>\n");
        for (id, data) in &u.codes {
            let _ = writeln!(s, "        <data id=\"d{id}\">{}</data>", escape(data));
        }
        s.push_str("      </originalData>\n");
    }
    let _ = writeln!(s, "      <segment state=\"{}\">", u.state.as_str());
    let _ = writeln!(
        s,
        "        <source xml:space=\"preserve\">{}</source>",
        content(&u.source, &u.codes)
    );
    if let Some(t) = &u.target {
        let _ = writeln!(
            s,
            "        <target xml:space=\"preserve\">{}</target>",
            content(t, &u.codes)
        );
    }
    s.push_str("      </segment>\n    </unit>\n");
}

/// The inline content of a `<source>` or `<target>`.
fn content(pieces: &[Piece], codes: &BTreeMap<usize, String>) -> String {
    let mut s = String::new();
    for p in pieces {
        match p {
            Piece::Text(t) => s.push_str(&escape(t)),
            Piece::Code(n) => {
                let disp = codes.get(n).map(String::as_str).unwrap_or("");
                let _ = write!(
                    s,
                    "<ph id=\"{n}\" dataRef=\"d{n}\" canCopy=\"no\" canDelete=\"no\" disp=\"{}\"/>",
                    escape(disp)
                );
            }
        }
    }
    s
}

/// Writes an export as XLIFF 1.2.
pub fn write_12(ex: &Exchange) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<xliff xmlns=\"{NAMESPACE_12}\" version=\"1.2\">"
    );
    for f in &ex.files {
        let _ = writeln!(
            s,
            "  <file original=\"{}\" source-language=\"{}\" target-language=\"{}\" datatype=\"x-markdown\">",
            escape(&f.source),
            escape(&ex.src_locale),
            escape(&ex.trg_locale)
        );
        s.push_str("    <header>\n");
        let _ = writeln!(
            s,
            "      <note from=\"translation\">{}</note>",
            escape(&f.translation)
        );
        let _ = writeln!(
            s,
            "      <note from=\"source-revision\">{}</note>",
            escape(&f.revision)
        );
        if let Some(n) = &f.note {
            let _ = writeln!(s, "      <note from=\"alignment\">{}</note>", escape(n));
        }
        s.push_str("    </header>\n    <body>\n");
        for u in &f.units {
            // translate-toolkit, and so Weblate and pocount, read a target that is not
            // `approved` as fuzzy.
            let approved = match (&u.target, u.state) {
                (None, _) => "",
                (Some(_), State::Initial) => " approved=\"no\"",
                (Some(_), _) => " approved=\"yes\"",
            };
            let _ = writeln!(
                s,
                "      <trans-unit id=\"{}\" resname=\"{}\"{approved} xml:space=\"preserve\">",
                escape(&u.id),
                escape(&u.kind)
            );
            let _ = writeln!(
                s,
                "        <source>{}</source>",
                content_12(&u.source, &u.codes)
            );
            if let Some(t) = &u.target {
                let state = match u.state {
                    State::Initial => "needs-review-translation",
                    State::Translated => "translated",
                    State::Reviewed => "signed-off",
                    State::Final => "final",
                };
                let _ = writeln!(
                    s,
                    "        <target state=\"{state}\">{}</target>",
                    content_12(t, &u.codes)
                );
            }
            let _ = writeln!(
                s,
                "        <note from=\"location\">{}:{}</note>\n      </trans-unit>",
                escape(&f.source),
                u.line
            );
        }
        s.push_str("    </body>\n  </file>\n");
    }
    s.push_str("</xliff>\n");
    s
}

/// The inline content of an XLIFF 1.2 `<source>` or `<target>`.
fn content_12(pieces: &[Piece], codes: &BTreeMap<usize, String>) -> String {
    let mut s = String::new();
    for p in pieces {
        match p {
            Piece::Text(t) => s.push_str(&escape(t)),
            Piece::Code(n) => {
                let data = codes.get(n).map(String::as_str).unwrap_or("");
                let _ = write!(s, "<ph id=\"{n}\">{}</ph>", escape(data));
            }
        }
    }
    s
}

/// Reads an XLIFF 2.x or 1.2 file: its target language and its units. Errors name the
/// line and column in the file.
pub fn read(text: &str, display: &str) -> Result<(String, Vec<Incoming>), Vec<Diagnostic>> {
    let text = text.trim_start_matches('\u{feff}');
    // Positions through one index: looking each up from the start of the file would make
    // reading a file of many units quadratic.
    let lines = LineIndex::new(text);
    let at = |(line, column): (usize, usize), msg: String| {
        Diagnostic::error(msg)
            .in_file(display)
            .at_text(lines.line(line), line, column)
    };
    let doc = roxmltree::Document::parse(text).map_err(|e| {
        let p = e.pos();
        vec![
            at(
                (p.row as usize, p.col as usize),
                format!("malformed XLIFF: {e}"),
            )
            .with_hint("the file is not well-formed XML; undo the last edit in it or export again"),
        ]
    })?;
    let root = doc.root_element();
    let pos = |n: roxmltree::Node| lines.line_col(n.range().start);
    if root.tag_name().name() == "xliff" && root.tag_name().namespace() == Some(NAMESPACE_12) {
        return read_12(&doc, &lines, display);
    }
    if root.tag_name().name() != "xliff" || root.tag_name().namespace() != Some(NAMESPACE) {
        return Err(vec![
            at(
                pos(root),
                format!(
                    "not an XLIFF 2 file: the root element is not <xliff xmlns=\"{NAMESPACE}\">"
                ),
            )
            .with_hint("qiao reads the XLIFF 2.x files `qiao xliff export` writes"),
        ]);
    }
    let Some(lang) = root.attribute("trgLang") else {
        return Err(vec![at(pos(root), "<xliff> has no trgLang".into())]);
    };
    let mut errors = Vec::new();
    let mut out = Vec::new();
    for file in root
        .children()
        .filter(|n| n.has_tag_name((NAMESPACE, "file")))
    {
        let Some(original) = file.attribute("original") else {
            errors.push(at(
                pos(file),
                "<file> has no `original` (the source's path)".into(),
            ));
            continue;
        };
        for unit in file
            .descendants()
            .filter(|n| n.has_tag_name((NAMESPACE, "unit")))
        {
            match read_unit(unit, original) {
                Ok(u) => out.push(Incoming {
                    pos: pos(unit),
                    ..u
                }),
                Err((node, msg)) => errors.push(at(pos(node), msg)),
            }
        }
    }
    if errors.is_empty() {
        Ok((lang.to_string(), out))
    } else {
        Err(errors)
    }
}

/// Reads an XLIFF 1.2 document.
fn read_12(
    doc: &roxmltree::Document,
    lines: &LineIndex,
    display: &str,
) -> Result<(String, Vec<Incoming>), Vec<Diagnostic>> {
    let pos = |n: roxmltree::Node| lines.line_col(n.range().start);
    let at = |n: roxmltree::Node, msg: String| {
        let (line, column) = pos(n);
        Diagnostic::error(msg)
            .in_file(display)
            .at_text(lines.line(line), line, column)
    };
    let ns = |name| (NAMESPACE_12, name);
    let mut errors = Vec::new();
    let mut out = Vec::new();
    let mut lang = None;
    for file in doc
        .root_element()
        .children()
        .filter(|n| n.has_tag_name(ns("file")))
    {
        let (Some(original), Some(trg)) = (
            file.attribute("original"),
            file.attribute("target-language"),
        ) else {
            errors.push(at(
                file,
                "<file> needs `original` (the source's path) and `target-language`".into(),
            ));
            continue;
        };
        lang.get_or_insert_with(|| trg.to_string());
        for unit in file
            .descendants()
            .filter(|n| n.has_tag_name(ns("trans-unit")))
        {
            let Some(id) = unit.attribute("id") else {
                errors.push(at(unit, "<trans-unit> has no id".into()));
                continue;
            };
            let mut codes = BTreeMap::new();
            let mut source = Vec::new();
            let mut target = None;
            let mut state = State::Initial;
            for part in unit.children().filter(|n| n.is_element()) {
                let name = part.tag_name().name();
                if name != "source" && name != "target" {
                    continue;
                }
                let mut pieces = Vec::new();
                if let Err((n, msg)) = inline_12(part, id, &mut codes, &mut pieces) {
                    errors.push(at(n, msg));
                }
                if name == "source" {
                    source = pieces;
                } else {
                    state = match part.attribute("state") {
                        Some("final") => State::Final,
                        Some("signed-off") => State::Reviewed,
                        Some("translated") | None => State::Translated,
                        Some(_) => State::Initial,
                    };
                    if unit.attribute("approved") == Some("yes") {
                        state = state.max(State::Translated);
                    }
                    target = Some(pieces);
                }
            }
            out.push(Incoming {
                file: original.to_string(),
                id: id.to_string(),
                pos: pos(unit),
                source: merge(source),
                target: target.map(merge).filter(|t| !blank(t)),
                codes,
                state,
            });
        }
    }
    match lang {
        Some(l) if errors.is_empty() => Ok((l, out)),
        None if errors.is_empty() => Err(vec![
            Diagnostic::error("the XLIFF 1.2 file has no <file> with a target-language")
                .in_file(display),
        ]),
        _ => Err(errors),
    }
}

/// The number qiao gave a `<ph>` code (its `id`, from 1).
fn ph_id<'a, 'i>(c: roxmltree::Node<'a, 'i>, unit: &str) -> Result<usize, ReadError<'a, 'i>> {
    c.attribute("id")
        .and_then(|v| v.parse::<usize>().ok())
        .filter(|n| *n > 0)
        .ok_or((
            c,
            format!("unit `{unit}`: <ph> without the numeric id qiao gave it"),
        ))
}

/// Reads XLIFF 1.2 inline content: text and `<ph>` codes, whose content is their Markdown.
fn inline_12<'a, 'i>(
    node: roxmltree::Node<'a, 'i>,
    unit: &str,
    codes: &mut BTreeMap<usize, String>,
    out: &mut Vec<Piece>,
) -> Result<(), ReadError<'a, 'i>> {
    for c in node.children() {
        if let Some(t) = c.text().filter(|_| c.is_text()) {
            out.push(Piece::Text(t.to_string()));
            continue;
        }
        if !c.is_element() {
            continue;
        }
        match c.tag_name().name() {
            "ph" => {
                let n = ph_id(c, unit)?;
                let data: String = c
                    .descendants()
                    .filter_map(|d| d.text().filter(|_| d.is_text()))
                    .collect();
                codes.insert(n, data);
                out.push(Piece::Code(n));
            }
            "mrk" => inline_12(c, unit, codes, out)?,
            other => {
                return Err((
                    c,
                    format!(
                        "unit `{unit}`: <{other}> is not an inline code qiao wrote; only <ph> codes (and <mrk> annotations) can be read back"
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// Whether a target says nothing (no text but white space, no code).
fn blank(t: &[Piece]) -> bool {
    !t.iter().any(|p| match p {
        Piece::Text(s) => !s.trim().is_empty(),
        Piece::Code(_) => true,
    })
}

type ReadError<'a, 'i> = (roxmltree::Node<'a, 'i>, String);

fn read_unit<'a, 'i>(
    unit: roxmltree::Node<'a, 'i>,
    file: &str,
) -> Result<Incoming, ReadError<'a, 'i>> {
    let id = unit
        .attribute("id")
        .ok_or((unit, "<unit> has no id".to_string()))?;
    let mut data: BTreeMap<String, String> = BTreeMap::new();
    for d in unit
        .children()
        .filter(|n| n.has_tag_name((NAMESPACE, "originalData")))
        .flat_map(|o| o.children())
        .filter(|n| n.has_tag_name((NAMESPACE, "data")))
    {
        if let Some(did) = d.attribute("id") {
            let text: String = d
                .descendants()
                .filter(|n| n.is_text())
                .filter_map(|n| n.text())
                .collect();
            data.insert(did.to_string(), text);
        }
    }
    let mut source = Vec::new();
    let mut target: Option<Vec<Piece>> = None;
    let mut codes = BTreeMap::new();
    let mut state = State::Final;
    for seg in unit.children().filter(|n| {
        n.has_tag_name((NAMESPACE, "segment")) || n.has_tag_name((NAMESPACE, "ignorable"))
    }) {
        if seg.has_tag_name((NAMESPACE, "segment")) {
            let st = match seg.attribute("state") {
                None => State::Initial,
                Some(v) => State::parse(v).ok_or((
                    seg,
                    format!(
                        "unit `{id}`: unknown state `{v}` (initial, translated, reviewed or final)"
                    ),
                ))?,
            };
            state = state.min(st);
        }
        for part in seg.children().filter(|n| n.is_element()) {
            let name = part.tag_name().name();
            if name != "source" && name != "target" {
                continue;
            }
            let mut pieces = Vec::new();
            inline(part, id, &data, &mut codes, &mut pieces)?;
            if name == "source" {
                source.extend(pieces);
            } else {
                target.get_or_insert_with(Vec::new).extend(pieces);
            }
        }
    }
    let target = target.filter(|t| !blank(t));
    Ok(Incoming {
        file: file.to_string(),
        id: id.to_string(),
        pos: (0, 0),
        source: merge(source),
        target: target.map(merge),
        codes,
        state,
    })
}

/// Reads inline content: text, `<ph>` codes; `<mrk>` (annotations tools add) is looked
/// into; anything else is an error.
fn inline<'a, 'i>(
    node: roxmltree::Node<'a, 'i>,
    unit: &str,
    data: &BTreeMap<String, String>,
    codes: &mut BTreeMap<usize, String>,
    out: &mut Vec<Piece>,
) -> Result<(), ReadError<'a, 'i>> {
    for c in node.children() {
        if let Some(t) = c.text().filter(|_| c.is_text()) {
            out.push(Piece::Text(t.to_string()));
            continue;
        }
        if !c.is_element() {
            continue;
        }
        match c.tag_name().name() {
            "ph" => {
                let n = ph_id(c, unit)?;
                if let Some(d) = c.attribute("dataRef").and_then(|r| data.get(r)) {
                    codes.insert(n, d.clone());
                }
                out.push(Piece::Code(n));
            }
            "mrk" => inline(c, unit, data, codes, out)?,
            other => {
                return Err((
                    c,
                    format!(
                        "unit `{unit}`: <{other}> is not an inline code qiao wrote; only <ph> codes (and <mrk> annotations) can be read back"
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// Joins adjacent text pieces.
pub(crate) fn merge(pieces: Vec<Piece>) -> Vec<Piece> {
    let mut out: Vec<Piece> = Vec::with_capacity(pieces.len());
    for p in pieces {
        match (out.last_mut(), p) {
            (Some(Piece::Text(a)), Piece::Text(b)) => a.push_str(&b),
            (_, Piece::Text(b)) if b.is_empty() => {}
            (_, p) => out.push(p),
        }
    }
    out
}
