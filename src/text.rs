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

use std::io::{self, Read};
use std::path::Path;

use crate::diagnostics::{Diagnostic, line_col};

/// The most bytes read from one source file (Markdown, template, interface messages,
/// `site.toml`): 64 MiB. Real sources are far below it; the bound keeps a mistaken link to a
/// huge or endless file from exhausting memory.
pub const MAX_TEXT_BYTES: u64 = 64 * 1024 * 1024;

/// Reads the text file at `path`; `display` is how diagnostics name it (relative to the site
/// root, such as `content/news/x.md`). See the module header for what is normalised. The
/// bytes come from [`read_bytes`]: it never blocks on a FIFO or a device that took the place
/// of a file, and stops at [`MAX_TEXT_BYTES`].
pub fn read_text(path: &Path, display: impl AsRef<Path>) -> Result<String, Diagnostic> {
    let display = display.as_ref();
    let bytes = read_bytes(path).map_err(|e| e.diagnostic(&display.to_string_lossy()))?;
    decode(bytes).map_err(|d| d.in_file(display))
}

/// Why [`read_bytes`] failed.
#[derive(Debug)]
pub enum ReadError {
    /// The file system said no (missing, unreadable).
    Io(io::Error),
    /// A FIFO, socket or device took the place of the file.
    NotRegular,
    /// Larger than [`MAX_TEXT_BYTES`].
    TooLarge,
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::Io(e) => write!(f, "cannot read file: {e}"),
            ReadError::NotRegular => {
                write!(f, "this is not a regular file (a FIFO, socket or device)")
            }
            ReadError::TooLarge => write!(
                f,
                "the file is larger than {} MiB, the most qiao reads from one source file",
                MAX_TEXT_BYTES >> 20
            ),
        }
    }
}

impl ReadError {
    /// The error as a diagnostic on the file shown as `shown`.
    pub fn diagnostic(&self, shown: &str) -> Diagnostic {
        let d = Diagnostic::error(self.to_string()).in_file(shown);
        match self {
            ReadError::Io(_) => d,
            ReadError::NotRegular => {
                d.with_hint("replace it with a regular file, or move it out of the site")
            }
            ReadError::TooLarge => {
                d.with_hint("split it into several files, or move it out of the site")
            }
        }
    }
}

/// Reads the bytes of a file: never blocks on a FIFO or a device that took the place of a file,
/// and stops at [`MAX_TEXT_BYTES`].
pub fn read_bytes(path: &Path) -> Result<Vec<u8>, ReadError> {
    let file = open(path).map_err(ReadError::Io)?;
    let meta = file.metadata().map_err(ReadError::Io)?;
    if !meta.is_file() {
        return Err(ReadError::NotRegular);
    }
    if meta.len() > MAX_TEXT_BYTES {
        return Err(ReadError::TooLarge);
    }
    let mut bytes = Vec::new();
    file.take(MAX_TEXT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > MAX_TEXT_BYTES {
        return Err(ReadError::TooLarge);
    }
    Ok(bytes)
}

/// Opens for reading; on Linux without blocking when the path is a FIFO (the open of a FIFO
/// waits for a writer), so that [`read_bytes`] can see what it is and refuse it.
fn open(path: &Path) -> io::Result<std::fs::File> {
    let mut opts = std::fs::OpenOptions::new();
    opts.read(true);
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.custom_flags(rustix::fs::OFlags::NONBLOCK.bits() as i32);
    }
    opts.open(path)
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

    #[test]
    fn reading_refuses_fifos_and_endless_files() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe.md");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        // Would block for ever without a writer if opened like a file.
        let e = read_bytes(&fifo).unwrap_err();
        assert!(matches!(e, ReadError::NotRegular), "{e:?}");
        let d = e.diagnostic("content/pipe.md");
        assert!(d.message.contains("not a regular file"), "{d:?}");
        assert_eq!(d.path.as_deref(), Some(Path::new("content/pipe.md")));
        assert!(matches!(
            read_bytes(Path::new("/dev/zero")),
            Err(ReadError::NotRegular)
        ));

        let big = dir.path().join("big.md");
        let f = std::fs::File::create(&big).unwrap();
        f.set_len(MAX_TEXT_BYTES + 1).unwrap();
        let e = read_bytes(&big).unwrap_err();
        assert!(matches!(e, ReadError::TooLarge), "{e:?}");
        assert!(e.to_string().contains("larger than 64 MiB"), "{e}");
        f.set_len(3).unwrap();
        assert_eq!(read_bytes(&big).unwrap(), [0, 0, 0]);
    }
}
