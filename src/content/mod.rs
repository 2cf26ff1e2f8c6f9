//! From `content/` on disk to parsed documents: walking the tree, splitting front matter
//! from Markdown, validating the front matter.

pub mod files;
pub mod front_matter;
pub mod walk;

pub use front_matter::{DateValue, Document, FrontMatter};
pub use walk::{Asset, Source, SourceKind, Walked};
