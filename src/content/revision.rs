//! The revision a translation records in `translation_of:`: 12 hexadecimal digits of a
//! BLAKE3 hash (`short_hash`), and where the texts of revisions are stored ([`STORE`]). The
//! front matter checks the form when it is read ([`is_revision`]), and nothing of another
//! form is used to find a file in the store. What a source's revision hashes is the
//! translation workflow's (`translation::source_hash`); the form is here, below the front
//! matter and the paragraph-level comparison of revisions (`stale`), which both need it.

/// Where source revisions are kept, under the site root.
pub const STORE: &str = ".qiao/sources";

/// The first 12 hex digits of the BLAKE3 hash of `text`.
pub(crate) fn short_hash(text: &str) -> String {
    blake3::hash(text.as_bytes()).to_hex()[..12].to_string()
}

/// Whether `s` is a source revision as `translation::source_hash` writes it: 12 lowercase
/// hexadecimal digits (surrounding spaces aside). Anything else, a path above all, is never
/// used to find a file in the revision store.
pub fn is_revision(s: &str) -> bool {
    let s = s.trim();
    s.len() == 12 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}
