//! From `content/` on disk to parsed documents: walking the tree, splitting front matter
//! from Markdown, validating the front matter.

pub mod files;
pub mod front_matter;
pub mod known;
pub mod name;
pub mod revision;
pub mod walk;

pub use front_matter::{DateValue, Document, FrontMatter, Text};
pub use walk::{Asset, Source, SourceKind, Walked};

/// A parsed source, ready to be placed in the model.
#[derive(Debug, Clone)]
pub struct Parsed {
    /// Where it came from.
    pub source: Source,
    /// What it says.
    pub doc: Document,
}
