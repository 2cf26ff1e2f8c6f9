//! One reader for every text file qiao opens: `site.toml`, content, templates, `.ftl`
//! files, translation revisions.
//!
//! Editors save text in more ways than one: with a byte order mark (Notepad, some Windows
//! tools), with CRLF line ends, now and then in a legacy encoding such as GBK. Reading every
//! file through [`read_text`] means each of those is handled once and the same way:
//! - a leading UTF-8 byte order mark is dropped;
//! - CRLF line ends become LF (lines and columns in diagnostics stay those of the file);
//! - bytes that are not UTF-8 are an error naming the file, the byte offset, line and column;
//! - only regular files are read (a link to `/dev/zero` or a named pipe is an error, not a
//!   hang), and no file larger than [`MAX_TEXT_BYTES`] is read into memory.

use std::path::Path;

use crate::diagnostics::{Diagnostic, line_col};

/// The largest text file qiao reads: 64 MiB, the bound of [`crate::content::files::read`].
/// Real sources are far below it; the bound keeps a mistaken link to a huge or endless file
/// from exhausting memory.
pub const MAX_TEXT_BYTES: u64 = crate::content::files::MAX_FILE_BYTES;

/// Reads the text file at `path`; `display` is how diagnostics name it (relative to the site
/// root, such as `content/news/x.md`). See the module header for what is normalised. The
/// bytes come from [`crate::content::files::read`]: it never blocks on a FIFO or a device
/// that took the place of a file, and stops at [`MAX_TEXT_BYTES`].
pub fn read_text(path: &Path, display: impl AsRef<Path>) -> Result<String, Diagnostic> {
    let display = display.as_ref();
    let bytes =
        crate::content::files::read(path).map_err(|e| e.diagnostic(&display.to_string_lossy()))?;
    decode(bytes).map_err(|d| d.in_file(display))
}

/// Turns the bytes of a text file into text as [`read_text`] does, without the path: the
/// diagnostic has line and column, and the caller adds the file.
pub fn decode(bytes: Vec<u8>) -> Result<String, Diagnostic> {
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => return Err(invalid_utf8(e.as_bytes(), e.utf8_error().valid_up_to())),
    };
    Ok(normalize(text))
}

/// Drops a leading byte order mark and turns CRLF into LF, reusing the string when there is
/// nothing to change.
pub fn normalize(text: String) -> String {
    let text = match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    };
    if text.contains("\r\n") {
        text.replace("\r\n", "\n")
    } else {
        text
    }
}

fn invalid_utf8(bytes: &[u8], valid_up_to: usize) -> Diagnostic {
    // Everything before `valid_up_to` is valid UTF-8 by definition.
    let before = std::str::from_utf8(&bytes[..valid_up_to]).unwrap_or_default();
    // Editors do not show a byte order mark: columns count from after it.
    let before = before.strip_prefix('\u{feff}').unwrap_or(before);
    let bom = valid_up_to - before.len();
    let (line, col) = line_col(before, before.len());
    let line_start = before.rfind('\n').map_or(0, |i| i + 1) + bom;
    let line_end = bytes[valid_up_to..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |i| valid_up_to + i);
    let shown = String::from_utf8_lossy(&bytes[line_start..line_end]);
    // `at` takes the whole source and picks the line: give it a source whose line `line`
    // is the offending one.
    let source = format!("{}{shown}", "\n".repeat(line - 1));
    Diagnostic::error(format!(
        "the file is not valid UTF-8: byte {valid_up_to} (0x{:02X}) does not start a character",
        bytes[valid_up_to]
    ))
    .at(&source, line, col)
    .with_hint("save the file as UTF-8 (in most editors: File > Save with Encoding > UTF-8)")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_bom_and_crlf() {
        let t = decode(b"\xEF\xBB\xBFa = 1\r\nb = 2\r\n".to_vec()).unwrap();
        assert_eq!(t, "a = 1\nb = 2\n");
        assert_eq!(decode("江门\n".as_bytes().to_vec()).unwrap(), "江门\n");
        // a lone CR is kept: only CRLF pairs are line ends to normalise
        assert_eq!(decode(b"a\rb".to_vec()).unwrap(), "a\rb");
    }

    #[test]
    fn invalid_utf8_names_byte_line_and_column() {
        // "title: 江" then a GBK byte pair on line 2, column 8
        let mut bytes = "---\ntitle: 江".as_bytes().to_vec();
        bytes.extend_from_slice(&[0xD6, 0xD0, b'\n']);
        let d = decode(bytes).unwrap_err();
        assert!(d.message.contains("byte 14 (0xD6)"), "{}", d.message);
        assert_eq!((d.line, d.column), (Some(2), Some(9)));
        assert_eq!(d.source_line.as_deref(), Some("title: 江\u{fffd}\u{fffd}"));
    }

    #[test]
    fn bounded_and_regular_files_only() {
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("big.md");
        let f = std::fs::File::create(&big).unwrap();
        f.set_len(MAX_TEXT_BYTES + 1).unwrap();
        let d = read_text(&big, "content/big.md").unwrap_err();
        assert!(d.message.contains("64 MiB"), "{}", d.message);
        assert_eq!(d.path.as_deref(), Some(Path::new("content/big.md")));
        let d = read_text(dir.path(), "content").unwrap_err();
        assert!(d.message.contains("not a regular file"), "{}", d.message);
        #[cfg(unix)]
        {
            let link = dir.path().join("zero.md");
            std::os::unix::fs::symlink("/dev/zero", &link).unwrap();
            let d = read_text(&link, "content/zero.md").unwrap_err();
            assert!(d.message.contains("not a regular file"), "{}", d.message);
        }
        let d = read_text(&dir.path().join("missing"), "site.toml").unwrap_err();
        assert!(d.message.starts_with("cannot read file"), "{}", d.message);
        assert_eq!(d.path.as_deref(), Some(Path::new("site.toml")));
    }
}
