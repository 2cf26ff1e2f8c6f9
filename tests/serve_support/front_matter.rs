//! Line-level edits of YAML front matter, as an editor makes them: one top-level field
//! (`key: value`) replaced, added or removed, the rest of the file kept byte for byte. Enough
//! for the random-edit oracle's structural edits (tags, slugs, dates, drafts, aliases...);
//! not a YAML parser.

/// The front matter (without its `---` lines) and the rest, of a text that starts with one.
fn split(text: &str) -> Option<(&str, &str)> {
    let rest = text.strip_prefix("---\n")?;
    if let Some(body) = rest.strip_prefix("---\n") {
        return Some(("", body));
    }
    let end = rest.find("\n---\n")?;
    Some((&rest[..end + 1], &rest[end + 5..]))
}

/// What follows the front matter.
pub fn body(text: &str) -> Option<&str> {
    split(text).map(|(_, body)| body)
}

/// Whether `text` has front matter these helpers can edit.
pub fn has(text: &str) -> bool {
    split(text).is_some()
}

/// The value of the top-level field `key`, without a trailing `# comment`.
pub fn field(text: &str, key: &str) -> Option<String> {
    let (front, _) = split(text)?;
    let prefix = format!("{key}:");
    front
        .lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .map(|v| {
            let v = v.find(" #").map_or(v, |i| &v[..i]);
            v.trim().to_string()
        })
}

/// `text` with the field `key` set to `value` (replaced where it is, else added as the first
/// field), or removed when `value` is `None`. `None` when `text` has no front matter.
pub fn set(text: &str, key: &str, value: Option<&str>) -> Option<String> {
    let (front, body) = split(text)?;
    let prefix = format!("{key}:");
    let mut lines: Vec<String> = front.lines().map(str::to_string).collect();
    let at = lines.iter().position(|l| l.starts_with(&prefix));
    match (at, value) {
        (Some(i), Some(v)) => lines[i] = format!("{key}: {v}"),
        (Some(i), None) => {
            lines.remove(i);
        }
        (None, Some(v)) => lines.insert(0, format!("{key}: {v}")),
        (None, None) => {}
    }
    let mut out = String::from("---\n");
    for l in lines {
        out.push_str(&l);
        out.push('\n');
    }
    out.push_str("---\n");
    out.push_str(body);
    Some(out)
}

/// The items of a flow list field (`tags: [a, b]`), or of a single value (`tags: a`), as
/// written (quotes kept).
pub fn list(text: &str, key: &str) -> Vec<String> {
    let Some(v) = field(text, key) else {
        return Vec::new();
    };
    let inner = v
        .strip_prefix('[')
        .and_then(|v| v.strip_suffix(']'))
        .unwrap_or(&v);
    inner
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// `text` with the list field `key` set to `items` (removed when there are none).
pub fn set_list(text: &str, key: &str, items: &[String]) -> Option<String> {
    if items.is_empty() {
        set(text, key, None)
    } else {
        set(text, key, Some(&format!("[{}]", items.join(", "))))
    }
}
