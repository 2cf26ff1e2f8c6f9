//! What each front-matter field changes in the model, decided in one place: every step of
//! [`super::build`] reads a page's front matter through [`effects`], which names every field
//! of [`FrontMatter`] without `..`. A field added to the front matter therefore fails to
//! compile here until someone decides which step it changes (and `qiao serve`, which derives
//! the model again with the same steps, follows without being told).

use crate::content::FrontMatter;
use crate::menu::MenuRef;

/// The front-matter fields that steps of the model read, by the step that reads them.
#[derive(Debug, Clone, Copy)]
pub struct Effects<'a> {
    /// [`super::load`]: a draft is left out unless drafts are published.
    pub draft: bool,
    /// [`super::place`]: the last segment of the page's address.
    pub slug: Option<&'a str>,
    /// [`super::pages`]: the summary lists and feeds show, and the excerpt templates show.
    pub summary: Option<&'a str>,
    /// [`super::pages`]: the revision of the source a translation was made from.
    pub translation_of: Option<&'a str>,
    /// [`super::sections`]: the order of pages and sections in lists.
    pub weight: Option<i64>,
    /// [`super::taxonomies`]: the page's tags.
    pub tags: &'a [String],
    /// [`super::taxonomies`]: the page's categories.
    pub categories: &'a [String],
    /// [`super::aliases`]: old addresses that redirect to the page.
    pub aliases: &'a [String],
    /// [`super::menus`]: the menu the page is put in.
    pub menu: Option<&'a MenuRef>,
}

/// The fields of `meta` that the model's steps read; the others are named with what reads
/// them instead.
pub fn effects(meta: &FrontMatter) -> Effects<'_> {
    let FrontMatter {
        // Validated into `Document::title`, `date` and `updated` by the parser; `date` orders
        // lists ([`super::sections`]) and holds back future pages ([`super::load`]) from
        // there. Shown by templates.
        title: _,
        date: _,
        updated: _,
        draft,
        slug,
        summary,
        // Shown by templates (`<meta name="description">`) only.
        description: _,
        tags,
        categories,
        weight,
        // Chooses the template when rendering; no step of the model reads it.
        template: _,
        aliases,
        // Free data for templates.
        extra: _,
        translation_of,
        menu,
        // Moved into `tags` and `categories` by the parser: always empty here.
        taxonomies: _,
    } = meta;
    Effects {
        draft: *draft,
        slug: slug.as_deref(),
        summary: summary.as_deref(),
        translation_of: translation_of.as_deref(),
        weight: *weight,
        tags,
        categories,
        aliases,
        menu: menu.as_ref(),
    }
}

impl<'a> Effects<'a> {
    /// The terms the page gives the taxonomy `kind`.
    pub fn terms(self, kind: crate::config::TaxonomyKind) -> &'a [String] {
        match kind {
            crate::config::TaxonomyKind::Tags => self.tags,
            crate::config::TaxonomyKind::Categories => self.categories,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_a_step_reads_comes_through() {
        let doc = crate::content::front_matter::parse(
            "---\ntitle: T\ndraft: true\nslug: s\nsummary: S\nweight: 3\ntags: [a]\ncategories: [b]\naliases: [/old/]\ntranslation_of: 17784148d617\nmenu: main\n---\n",
        )
        .unwrap();
        let e = effects(&doc.meta);
        assert!(e.draft);
        assert_eq!(e.slug, Some("s"));
        assert_eq!(e.summary, Some("S"));
        assert_eq!(e.weight, Some(3));
        assert_eq!(e.terms(crate::config::TaxonomyKind::Tags), ["a"]);
        assert_eq!(e.terms(crate::config::TaxonomyKind::Categories), ["b"]);
        assert_eq!(e.aliases, ["/old/"]);
        assert_eq!(e.translation_of, Some("17784148d617"));
        assert!(e.menu.is_some());
    }
}
