//! Response bodies of `qiao serve`, streamed from the file in chunks.
//!
//! A page is never read whole into memory: fifty requests for a 53 MB page would otherwise
//! hold 2.6 GB. A file is sent in chunks of [`CHUNK`] bytes, and changed on the way in two
//! ways only:
//!
//! - HTML gets the live-reload tag before its last `</body>` (see
//!   [`super::livereload::inject`]). The position is found first, in the file's last
//!   [`CHUNK`] bytes (a `</body>` further from the end is not looked for: the tag then goes at
//!   the end), so the length of the response is known before it is sent;
//! - text files requested through another address than the one the site is built with
//!   (`--bind 0.0.0.0` and a phone on the network) have that base URL replaced by the
//!   request's own, so that their links lead back to this server ([`Replacer`]).

use std::io::SeekFrom;
use std::path::Path;

use axum::body::{Body, Bytes};
use futures_util::stream;
use tokio::io::{AsyncReadExt, AsyncSeekExt};

/// Files up to this size are read at once; larger ones are sent in chunks of this size.
pub const CHUNK: usize = 64 * 1024;

/// Replaces every occurrence of one byte string by another in a stream of chunks, as
/// [`str::replace`] does on the whole (leftmost, non-overlapping), keeping at most the
/// length of the searched string between chunks.
pub struct Replacer {
    from: memchr::memmem::Finder<'static>,
    to: Vec<u8>,
    carry: Vec<u8>,
}

impl Replacer {
    /// Replaces `from` (not empty) by `to`.
    pub fn new(from: &str, to: &str) -> Replacer {
        Replacer {
            from: memchr::memmem::Finder::new(from.as_bytes()).into_owned(),
            to: to.as_bytes().to_vec(),
            carry: Vec::new(),
        }
    }

    /// The next part of the output: `chunk` with the replacements, less what may be the start
    /// of an occurrence that the next chunk completes.
    pub fn push(&mut self, chunk: &[u8]) -> Vec<u8> {
        let mut buf = std::mem::take(&mut self.carry);
        buf.extend_from_slice(chunk);
        let n = self.from.needle().len();
        let mut out = Vec::with_capacity(buf.len());
        let mut at = 0;
        while let Some(i) = self.from.find(&buf[at..]) {
            out.extend_from_slice(&buf[at..at + i]);
            out.extend_from_slice(&self.to);
            at += i + n;
        }
        let keep = buf.len().saturating_sub(n.saturating_sub(1)).max(at);
        out.extend_from_slice(&buf[at..keep]);
        self.carry = buf[keep..].to_vec();
        out
    }

    /// The rest of the output.
    pub fn finish(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.carry)
    }
}

/// A body ready to send.
pub struct FileBody {
    /// The body (streamed, or in memory for small files).
    pub body: Body,
    /// Its length, when it is known before it is sent (no [`Replacer`] involved).
    pub len: Option<u64>,
}

/// What is sent of a file, in order.
enum Piece {
    /// The file up to this offset.
    Until(u64),
    /// These bytes.
    Bytes(Bytes),
}

/// The body of the file at `path`: `tag` is injected (HTML), and `rewrite` (from, to)
/// replaced in it. Errors are those of opening and reading the file's start and end.
pub async fn file_body(
    path: &Path,
    tag: Option<&str>,
    rewrite: Option<(&str, &str)>,
) -> std::io::Result<FileBody> {
    // One blocking task opens the file and reads its end (all of a small file).
    let (file, len, start, tail) = {
        let path = path.to_path_buf();
        let want_tail = tag.is_some();
        tokio::task::spawn_blocking(move || read_end(&path, want_tail))
            .await
            .map_err(std::io::Error::other)??
    };
    if let Some(data) = tail.as_ref().filter(|_| start == 0) {
        let mut data = match tag {
            Some(tag) => super::livereload::inject(data, tag),
            None => data.clone(),
        };
        if let Some((from, to)) = rewrite {
            let mut r = Replacer::new(from, to);
            let mut out = r.push(&data);
            out.extend(r.finish());
            data = out;
        }
        let len = data.len() as u64;
        return Ok(FileBody {
            body: Body::from(data),
            len: Some(len),
        });
    }
    let mut pieces = std::collections::VecDeque::new();
    let mut added = 0;
    if let (Some(tag), Some(tail)) = (tag, tail) {
        let injected = super::livereload::inject(&tail, tag);
        // the tag's position: where the injected tail first differs from the tail
        let at = tail
            .iter()
            .zip(&injected)
            .position(|(a, b)| a != b)
            .unwrap_or(tail.len());
        let extra = injected[at..injected.len() - (tail.len() - at)].to_vec();
        added = extra.len() as u64;
        pieces.push_back(Piece::Until(start + at as u64));
        pieces.push_back(Piece::Bytes(Bytes::from(extra)));
    }
    pieces.push_back(Piece::Until(len));
    let mut file = tokio::fs::File::from_std(file);
    file.seek(SeekFrom::Start(0)).await?;
    let replacer = rewrite.map(|(from, to)| Replacer::new(from, to));
    let known = replacer.is_none().then_some(len + added);
    let state = Stream {
        file,
        pos: 0,
        pieces,
        replacer,
    };
    let body = Body::from_stream(stream::unfold(state, |mut st| async move {
        st.next().await.map(|chunk| (chunk, st))
    }));
    Ok(FileBody { body, len: known })
}

/// Opens a file and reads its last [`CHUNK`] bytes when `want_tail`, or all of it when it is
/// no larger: (file, length, offset of what was read, what was read).
fn read_end(
    path: &Path,
    want_tail: bool,
) -> std::io::Result<(std::fs::File, u64, u64, Option<Vec<u8>>)> {
    use std::io::{Read, Seek};
    let mut file = std::fs::File::open(path)?;
    let len = file.metadata()?.len();
    if len > CHUNK as u64 && !want_tail {
        return Ok((file, len, 0, None));
    }
    let start = len.saturating_sub(CHUNK as u64);
    file.seek(SeekFrom::Start(start))?;
    let mut tail = Vec::with_capacity((len - start) as usize);
    (&mut file).take(len - start).read_to_end(&mut tail)?;
    Ok((file, len, start, Some(tail)))
}

/// The state of a streamed body.
struct Stream {
    file: tokio::fs::File,
    pos: u64,
    pieces: std::collections::VecDeque<Piece>,
    replacer: Option<Replacer>,
}

impl Stream {
    /// The next chunk, or `None` at the end; an error ends the stream.
    async fn next(&mut self) -> Option<std::io::Result<Bytes>> {
        loop {
            let raw = match self.pieces.front_mut() {
                None => {
                    let rest = self.replacer.take()?.finish();
                    if rest.is_empty() {
                        return None;
                    }
                    return Some(Ok(Bytes::from(rest)));
                }
                Some(Piece::Bytes(b)) => {
                    let b = std::mem::take(b);
                    self.pieces.pop_front();
                    b
                }
                Some(Piece::Until(end)) => {
                    let end = *end;
                    if self.pos >= end {
                        self.pieces.pop_front();
                        continue;
                    }
                    let want = (end - self.pos).min(CHUNK as u64) as usize;
                    let mut buf = vec![0; want];
                    match self.file.read(&mut buf).await {
                        Ok(0) => {
                            self.pieces.clear();
                            return Some(Err(std::io::ErrorKind::UnexpectedEof.into()));
                        }
                        Ok(n) => {
                            buf.truncate(n);
                            self.pos += n as u64;
                            Bytes::from(buf)
                        }
                        Err(e) => {
                            self.pieces.clear();
                            return Some(Err(e));
                        }
                    }
                }
            };
            let out = match &mut self.replacer {
                Some(r) => Bytes::from(r.push(&raw)),
                None => raw,
            };
            if !out.is_empty() {
                return Some(Ok(out));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::StreamExt;

    fn replace_in_chunks(text: &str, from: &str, to: &str, size: usize) -> String {
        let mut r = Replacer::new(from, to);
        let mut out = Vec::new();
        for chunk in text.as_bytes().chunks(size) {
            out.extend(r.push(chunk));
        }
        out.extend(r.finish());
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn replaces_across_chunk_boundaries_like_str_replace() {
        let from = "http://127.0.0.1:1111/";
        let to = "http://192.168.1.5:1111/";
        for text in [
            "",
            "http://127.0.0.1:1111/",
            "<a href=\"http://127.0.0.1:1111/en/\">http://127.0.0.1:1111/</a>",
            "http://127.0.0.1:1111http://127.0.0.1:1111/x http://127.0.0.1:1111",
            "no url at all, but http://127.0.0.1:111 almost",
        ] {
            for size in 1..=text.len().max(1) + 1 {
                assert_eq!(
                    replace_in_chunks(text, from, to, size),
                    text.replace(from, to),
                    "{text:?} in chunks of {size}"
                );
            }
        }
        // overlapping candidates: leftmost, non-overlapping
        for size in 1..8 {
            assert_eq!(
                replace_in_chunks("aaaaaaa", "aa", "b", size),
                "aaaaaaa".replace("aa", "b")
            );
        }
    }

    async fn collect(b: FileBody) -> Vec<u8> {
        let mut out = Vec::new();
        let mut s = b.body.into_data_stream();
        while let Some(chunk) = s.next().await {
            out.extend_from_slice(&chunk.unwrap());
        }
        out
    }

    #[test]
    fn streamed_pages_are_the_page_with_the_tag_and_a_known_length() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let tag = "<script src=\"/__qiao/livereload.js\"></script>";
        let line = "<p><a href=\"http://127.0.0.1:1111/x/\">x</a></p>\n";
        let big = line.repeat(3 * CHUNK / line.len());
        for (name, page) in [
            ("small.html", format!("<body>{line}</body>\n</html>\n")),
            ("big.html", format!("<body>{big}</body>\n</html>\n")),
            ("nobody.html", big.clone()),
            ("exact.html", "x".repeat(CHUNK)),
        ] {
            let path = dir.path().join(name);
            std::fs::write(&path, &page).unwrap();
            let want = super::super::livereload::inject(page.as_bytes(), tag);
            let got = rt.block_on(async {
                let b = file_body(&path, Some(tag), None).await.unwrap();
                assert_eq!(b.len, Some(want.len() as u64), "{name}");
                collect(b).await
            });
            assert!(got == want, "{name}");
            // with the base URL replaced, the length is not known in advance
            let want = String::from_utf8(want)
                .unwrap()
                .replace("http://127.0.0.1:1111/", "http://[::1]:1111/");
            let got = rt.block_on(async {
                let b = file_body(
                    &path,
                    Some(tag),
                    Some(("http://127.0.0.1:1111/", "http://[::1]:1111/")),
                )
                .await
                .unwrap();
                assert!(b.len.is_none() || name != "big.html", "{name}");
                collect(b).await
            });
            assert!(String::from_utf8(got).unwrap() == want, "{name}");
            // without a tag: the file as it is
            let got = rt.block_on(async {
                let b = file_body(&path, None, None).await.unwrap();
                assert_eq!(b.len, Some(page.len() as u64));
                collect(b).await
            });
            assert!(got == page.as_bytes(), "{name}");
        }
    }
}
