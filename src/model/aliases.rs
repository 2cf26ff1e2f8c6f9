//! Step 7 of [`super::build`]: the redirects pages declare with `aliases:`. Two pages may not
//! claim one old address, and an alias may not be the address of a page or section that
//! exists.

use std::collections::{BTreeMap, HashSet};

use super::{Alias, Page, Section, join_index};
use crate::diagnostics::Diagnostic;
use crate::ident;

/// The redirects of `pages` (fallback copies declare none), in page order; a clash is an
/// error on the page that declared the alias second, or on the alias that names a page.
pub fn aliases(pages: &[Page], sections: &[Section], diags: &mut Vec<Diagnostic>) -> Vec<Alias> {
    let mut aliases = Vec::new();
    let mut alias_claims: BTreeMap<String, String> = BTreeMap::new();
    for p in pages.iter().filter(|p| !p.fallback) {
        for a in super::fields::effects(&p.doc.meta).aliases {
            let out = alias_file(&ident::nfc(a));
            if let Some(prev) = alias_claims.get(&out) {
                diags.push(
                    Diagnostic::error(format!("alias `{a}` is declared twice (also in {prev})"))
                        .in_file(&p.source)
                        .with_hint("remove one of the two aliases"),
                );
                continue;
            }
            alias_claims.insert(out.clone(), p.source.clone());
            aliases.push(Alias {
                out_file: out,
                target_path: p.path.clone(),
                source: p.source.clone(),
            });
        }
    }
    let taken: HashSet<String> = pages
        .iter()
        .map(|p| p.out_dir.as_str())
        .chain(sections.iter().map(|s| s.out_dir.as_str()))
        .map(join_index)
        .collect();
    aliases.retain(|a| {
        if taken.contains(&a.out_file) {
            diags.push(
                Diagnostic::error(format!(
                    "alias `/{}` is the address of an existing page",
                    a.out_file.trim_end_matches("index.html")
                ))
                .in_file(&a.source)
                .with_hint("an alias must be an old address that no page uses any more"),
            );
            false
        } else {
            true
        }
    });
    aliases
}

/// The file a redirect page for the alias `alias` (a path from the site's root, checked by
/// [`crate::content::front_matter::check_alias`]) is written to: the decoded path plus
/// `index.html`, or the path itself when it names an HTML file (`/old.html`).
pub fn alias_file(alias: &str) -> String {
    let rel = crate::url::decode(alias.trim_matches('/'));
    let html_file = !alias.ends_with('/')
        && rel
            .rsplit('/')
            .next()
            .is_some_and(|name| name.ends_with(".html") || name.ends_with(".htm"));
    if html_file { rel } else { join_index(&rel) }
}
