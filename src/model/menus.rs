//! Step 8 of [`super::build`]: the menus of `site.toml`, with their pages' addresses and
//! titles in every language, and the entries pages and sections add with `menu:` in their
//! front matter.

use super::SiteModel;
use crate::diagnostics::Diagnostic;

/// The site's menus, resolved against the finished `site` (its pages, sections and links).
pub fn menus(site: &SiteModel, diags: &mut Vec<Diagnostic>) -> crate::menu::Resolved {
    let mut menus = site.resolve_menus(diags);
    let from_pages = (site.pages.iter().filter(|p| !p.fallback))
        .filter_map(|p| {
            Some((
                super::fields::effects(&p.doc.meta).menu?,
                p.lang.as_str(),
                p.path.as_str(),
                p.doc.title.as_str(),
            ))
        })
        .chain(site.sections.iter().filter_map(|s| {
            let doc = s.doc.as_ref()?;
            Some((
                super::fields::effects(&doc.meta).menu?,
                s.lang.as_str(),
                s.path.as_str(),
                s.title.as_str(),
            ))
        }));
    crate::menu::add_from_pages(&mut menus, from_pages);
    menus
}

impl SiteModel {
    /// The menus of `site.toml` with their pages' addresses in every language.
    fn resolve_menus(&self, diags: &mut Vec<Diagnostic>) -> crate::menu::Resolved {
        let codes: Vec<String> = self
            .config
            .languages
            .iter()
            .map(|l| l.code.clone())
            .collect();
        let resolver = self.resolver();
        let mut missing = Vec::new();
        let menus = crate::menu::resolve(
            &self.config.menus,
            &codes,
            &self.config.base_path,
            &|path, lang| {
                let (url, _) = resolver.resolve(path, lang)?;
                let title = self.title_at(&url)?;
                Some(crate::menu::PageLink {
                    title: title.to_string(),
                    url,
                })
            },
            &mut missing,
        );
        diags.extend(
            missing
                .into_iter()
                .map(|d| d.in_file(crate::config::CONFIG_FILE)),
        );
        menus
    }

    /// The title of the page or section at site path `path`.
    fn title_at(&self, path: &str) -> Option<&str> {
        (self.pages.iter().find(|p| p.path == path))
            .map(|p| p.doc.title.as_str())
            .or_else(|| (self.sections.iter().find(|s| s.path == path)).map(|s| s.title.as_str()))
    }
}
