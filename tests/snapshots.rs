//! Snapshots of representative rendered pages of the trilingual fixture with the built-in
//! theme. Regenerate after an intended change with `INSTA_UPDATE=always cargo test`.

mod common;

#[test]
fn representative_pages() {
    let b = common::build("trilingual");
    for (name, rel) in [
        ("zh_home", "index.html"),
        ("en_article", "en/news/unveiling/index.html"),
        ("zh_news_page_2", "news/page/2/index.html"),
        ("de_tags", "de/tags/index.html"),
        ("zh_term_jiangmen", "tags/江门/index.html"),
        ("en_feed", "en/atom.xml"),
        ("zh_404", "404.html"),
    ] {
        insta::assert_snapshot!(name, b.read(rel));
    }
}
