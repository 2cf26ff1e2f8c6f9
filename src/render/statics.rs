//! Static copies: content assets, the site's and the theme's `static/` files.

use super::*;

/// Output path → the file copied there. Later layers win: theme and site static files over
/// content files with the same path.
pub(super) fn plan_copies(model: &SiteModel, templates: &TemplateSet) -> BTreeMap<String, PathBuf> {
    let mut copies: BTreeMap<String, PathBuf> = Default::default();
    for p in &model.pages {
        for (abs, inner) in &p.assets {
            copies.insert(join(&p.out_dir, inner), abs.clone());
        }
    }
    for (abs, rel) in &model.static_assets {
        copies.insert(rel.clone(), abs.clone());
    }
    for (abs, rel) in templates.static_files() {
        copies.insert(rel, abs.to_path_buf());
    }
    copies
}
