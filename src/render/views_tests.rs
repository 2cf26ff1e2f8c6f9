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
    for i in model.page_ids() {
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
        shares_html(&made, &model.pages[i].html, &model.pages[i].path);
    }
    assert!(with_terms > 0, "{} has pages with terms", root.display());
    let page_values: Vec<tera::Value> = (model.page_ids())
        .map(|i| page_value(model, &related, &shared, i))
        .collect();
    for (i, s) in model.section_ids().zip(&model.sections) {
        let made = section_value(model, i, &page_values);
        let mut alone = val(&section_view(model, i)).into_map().unwrap_or_default();
        let pages: Vec<tera::Value> = s
            .pages
            .iter()
            .map(|&k| page_values[k.index()].clone())
            .collect();
        alone.insert("pages".into(), tera::Value::from(pages));
        let alone = tera::Value::from(alone);
        assert_eq!(
            serde_json::to_string(&made).ok(),
            serde_json::to_string(&alone).ok(),
            "section {} serializes differently",
            s.path
        );
        shares_html(&made, &s.html, &s.path);
    }
}

/// `value.content` is the model's HTML itself, not a copy of it (short strings are kept
/// inline by Tera, so only a long body can be told apart).
fn shares_html(value: &tera::Value, html: &crate::content::Text, path: &str) {
    let content = value
        .get_from_path("content")
        .and_then(|c| c.as_str())
        .unwrap_or_else(|| panic!("{path} has a content string"));
    assert_eq!(content, html.as_str(), "{path}: content");
    if html.len() > 64 {
        assert_eq!(
            content.as_ptr(),
            html.as_str().as_ptr(),
            "{path}: content is a copy of the HTML"
        );
    }
}

#[test]
fn shared_page_values_equal_the_views_on_the_zone_site() {
    check_site(Path::new(env!("CARGO_MANIFEST_DIR")));
}

#[test]
fn shared_page_values_equal_the_views_on_a_trilingual_site() {
    check_site(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/trilingual"));
}
