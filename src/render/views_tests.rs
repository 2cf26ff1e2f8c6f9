//! Tests of the shared template values: a page's value made with [`SharedLinks`] is the
//! same, key order included, as its view serialized on its own.

use super::*;
use crate::build::{BuildOptions, Trace, derive};

fn check_site(root: &Path) {
    let opts = BuildOptions::new(root);
    let derived = derive(&opts, &Trace::new()).expect("the site derives");
    let model = &derived.site;
    assert!(!model.pages.is_empty(), "{} has pages", root.display());
    let related = related_pages(model);
    let shared = SharedLinks::new(model);
    let mut with_terms = 0;
    for i in 0..model.pages.len() {
        let alone = val(&page_view(model, &related, i));
        let made = page_value(model, &related, &shared, i);
        assert!(made == alone, "page {} differs", model.pages[i].path);
        assert_eq!(
            serde_json::to_string(&made).ok(),
            serde_json::to_string(&alone).ok(),
            "page {} serializes differently",
            model.pages[i].path
        );
        with_terms += usize::from(!model.pages[i].terms.is_empty());
    }
    assert!(with_terms > 0, "{} has pages with terms", root.display());
}

#[test]
fn shared_page_values_equal_the_views_on_the_zone_site() {
    check_site(Path::new(env!("CARGO_MANIFEST_DIR")));
}

#[test]
fn shared_page_values_equal_the_views_on_a_trilingual_site() {
    check_site(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/trilingual"));
}
