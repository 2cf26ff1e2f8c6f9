//! Text that serves as an identifier: taxonomy terms, slugs, heading ids, footnote labels
//! and `@/…#anchor` targets.
//!
//! The same word can reach qiao in two Unicode spellings: `Förderung` with a precomposed
//! `ö` (U+00F6), or with `o` followed by a combining diaeresis (U+0308), as macOS file
//! names, PDF copy-and-paste and some editors produce. Readers cannot tell them apart, so
//! qiao must not either: every piece of text is brought to Normalization Form C here, in one
//! place, before it is slugged, used as a key or compared.

use std::borrow::Cow;

use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

/// `text` in Unicode Normalization Form C (canonical composition). Borrows when the text
/// already is, which is nearly always.
pub fn nfc(text: &str) -> Cow<'_, str> {
    match is_nfc_quick(text.chars()) {
        IsNormalized::Yes => Cow::Borrowed(text),
        IsNormalized::No | IsNormalized::Maybe => {
            let composed: String = text.nfc().collect();
            if composed == text {
                Cow::Borrowed(text)
            } else {
                Cow::Owned(composed)
            }
        }
    }
}

/// The key under which a taxonomy term is compared with others: NFC, without surrounding
/// white space, case-folded. `Förderung`, ` förderung ` and `Fo\u{308}rderung` are one term.
pub fn term_key(name: &str) -> String {
    nfc(name.trim()).to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decomposed_text_is_composed() {
        assert_eq!(nfc("Fo\u{308}rderung"), "Förderung");
        assert_eq!(nfc("Fo\u{308}rderung").len(), "Förderung".len());
        assert!(matches!(nfc("中欧合作"), Cow::Borrowed(_)));
        assert_eq!(nfc("e\u{301}te\u{301}"), "été");
    }

    #[test]
    fn term_keys_ignore_case_spaces_and_normalization() {
        assert_eq!(term_key(" Fo\u{308}rderung "), term_key("förderung"));
        assert_ne!(term_key("C"), term_key("C++"));
    }
}
