//! Languages on their own hosts (`base_url` in `[languages.<code>]`, `qiao build
//! --split-hosts`) and the legal links of `[languages.<code>.legal]`, on a copy of the zone
//! site: Chinese at zone.example.org, English and German at zone.example.eu.

mod common;

use qiao::diagnostics::Severity;

/// A copy of the zone site whose site.toml is changed by `edit`.
fn zone_copy(edit: impl FnOnce(String) -> String) -> tempfile::TempDir {
    let dir = common::zone_copy();
    let toml = dir.path().join("site.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    std::fs::write(&toml, edit(text)).unwrap();
    dir
}

/// English and German on the European host.
fn two_hosts(toml: String) -> String {
    toml.replace(
        "[languages.en]\n",
        "[languages.en]\nbase_url = \"https://zone.example.eu/\"\n",
    )
    .replace(
        "[languages.de]\n",
        "[languages.de]\nbase_url = \"https://zone.example.eu\"\n",
    )
}

const ORG: &str = "zone.example.org";
const EU: &str = "zone.example.eu";

#[test]
fn split_hosts_put_each_language_on_its_host() {
    let site = zone_copy(two_hosts);
    let built = common::build_root(site.path(), |o| o.split_hosts = true).unwrap();
    let files = common::tree(&built.public());
    let hosts: std::collections::BTreeSet<&str> = files
        .keys()
        .filter_map(|k| k.split_once('/').map(|(h, _)| h))
        .collect();
    assert_eq!(
        hosts.into_iter().collect::<Vec<_>>(),
        vec![EU, ORG],
        "one directory per host and nothing else"
    );

    // Pages where their language lives, and only there.
    assert!(built.exists(&format!("{ORG}/index.html")));
    assert!(built.exists(&format!("{ORG}/news/zone-unveiling/index.html")));
    assert!(!built.exists(&format!("{EU}/news/zone-unveiling/index.html")));
    assert!(built.exists(&format!("{EU}/en/news/zone-unveiling/index.html")));
    assert!(built.exists(&format!("{EU}/de/news/zone-unveiling/index.html")));
    assert!(!built.exists(&format!("{ORG}/en/index.html")));
    assert!(!built.exists(&format!("{ORG}/de/index.html")));
    // Feeds go with their language; shared files to both hosts.
    assert!(built.exists(&format!("{ORG}/atom.xml")));
    assert!(!built.exists(&format!("{EU}/atom.xml")));
    assert!(built.exists(&format!("{EU}/en/atom.xml")));
    for host in [ORG, EU] {
        assert!(
            built.exists(&format!("{host}/zone.css")),
            "{host} has the styles"
        );
        assert!(
            built.exists(&format!("{host}/bases/layout.svg")),
            "{host} has the images"
        );
    }

    // The European host's root sends readers to its first language; its 404 is English.
    let root = built.read(&format!("{EU}/index.html"));
    assert!(
        root.contains("location.replace(\"https://zone.example.eu/en/\""),
        "{root}"
    );
    assert_eq!(
        built.read(&format!("{EU}/404.html")),
        built.read(&format!("{EU}/en/404.html"))
    );

    // Links across hosts are absolute, links on the same host stay paths.
    let zh_home = built.read(&format!("{ORG}/index.html"));
    let hrefs = common::attribute_values(&zh_home, "href");
    assert!(
        hrefs.iter().any(|h| h == "https://zone.example.eu/en/"),
        "{hrefs:?}"
    );
    assert!(
        hrefs.iter().any(|h| h == "https://zone.example.eu/de/"),
        "{hrefs:?}"
    );
    assert!(hrefs.iter().any(|h| h == "/news/"), "{hrefs:?}");
    assert!(
        !hrefs.iter().any(|h| h == "/en/"),
        "no path to another host: {hrefs:?}"
    );
    let en_home = built.read(&format!("{EU}/en/index.html"));
    let hrefs = common::attribute_values(&en_home, "href");
    assert!(
        hrefs.iter().any(|h| h == "https://zone.example.org/"),
        "{hrefs:?}"
    );
    assert!(hrefs.iter().any(|h| h == "/de/"), "{hrefs:?}");
    assert!(
        hrefs.iter().any(|h| h == "/zone.css"),
        "files stay paths: {hrefs:?}"
    );
    // canonical, hreflang and x-default name each page's own host.
    assert!(en_home.contains("<link rel=\"canonical\" href=\"https://zone.example.eu/en/\">"));
    assert!(en_home.contains(
        "<link rel=\"alternate\" hreflang=\"zh-Hans\" href=\"https://zone.example.org/\">"
    ));
    assert!(en_home.contains(
        "<link rel=\"alternate\" hreflang=\"x-default\" href=\"https://zone.example.org/\">"
    ));

    // Each host's robots.txt and sitemap are its own; alternates still cross hosts.
    assert!(
        built
            .read(&format!("{EU}/robots.txt"))
            .contains("Sitemap: https://zone.example.eu/sitemap.xml")
    );
    assert!(
        built
            .read(&format!("{ORG}/robots.txt"))
            .contains("Sitemap: https://zone.example.org/sitemap.xml")
    );
    for host in [ORG, EU] {
        let sitemap = built.read(&format!("{host}/sitemap.xml"));
        let locs: Vec<&str> = sitemap
            .split("<loc>")
            .skip(1)
            .filter_map(|s| s.split("</loc>").next())
            .collect();
        assert!(locs.len() > 20, "{host}: {} URLs", locs.len());
        assert!(
            locs.iter()
                .all(|l| l.starts_with(&format!("https://{host}/"))),
            "{host} lists only its own URLs: {locs:?}"
        );
    }
    let eu_sitemap = built.read(&format!("{EU}/sitemap.xml"));
    assert!(
        eu_sitemap.contains(
            "hreflang=\"zh-Hans\" href=\"https://zone.example.org/news/zone-unveiling/\""
        )
    );
    assert!(
        built.report.warnings.is_empty(),
        "{:?}",
        built.report.warnings
    );
}

#[test]
fn without_split_one_tree_links_across_hosts() {
    let site = zone_copy(two_hosts);
    let built = common::build_root(site.path(), |_| {}).unwrap();
    assert!(built.exists("index.html") && built.exists("en/index.html"));
    let hrefs = common::attribute_values(&built.read("de/about/index.html"), "href");
    assert!(
        hrefs.iter().any(|h| h == "https://zone.example.org/about/"),
        "{hrefs:?}"
    );
    assert!(hrefs.iter().any(|h| h == "/en/about/"), "{hrefs:?}");
}

#[test]
fn one_base_url_for_a_preview_puts_every_language_on_it() {
    // What `qiao serve` and `qiao build --base-url` do: one address for the whole site.
    let site = zone_copy(two_hosts);
    let built = common::build_root(site.path(), |o| {
        o.base_url = Some("http://127.0.0.1:1111/".into());
        o.split_hosts = true;
    })
    .unwrap();
    assert!(
        built.exists("index.html") && built.exists("en/index.html"),
        "not split"
    );
    let hrefs = common::attribute_values(&built.read("index.html"), "href");
    assert!(hrefs.iter().any(|h| h == "/en/"), "{hrefs:?}");
    assert!(!hrefs.iter().any(|h| h.contains("example.eu")), "{hrefs:?}");
}

#[test]
fn a_language_base_url_may_change_the_host_only() {
    let site = zone_copy(|t| {
        t.replace(
            "[languages.en]\n",
            "[languages.en]\nbase_url = \"https://zone.example.eu/english/\"\n",
        )
    });
    let errors = common::build_root(site.path(), |_| {})
        .err()
        .expect("an error");
    let e = &errors[0];
    assert!(
        e.message.contains("has the path `/english/`"),
        "{}",
        e.message
    );
    assert!(e.location().starts_with("site.toml:"), "{}", e.location());
    assert!(e.hint.as_deref().unwrap_or("").contains("only the host"));
}

#[test]
fn every_page_must_link_the_legal_pages() {
    // The zone theme links them in its footer: nothing to report.
    let site = zone_copy(|t| t);
    let built = common::build_root(site.path(), |_| {}).unwrap();
    assert!(
        built.report.warnings.is_empty(),
        "{:?}",
        built.report.warnings
    );
    let footer = built.read("de/news/zone-unveiling/index.html");
    assert!(footer.contains("<a href=\"/de/imprint/\">Impressum</a>"));

    // A theme that forgets the footer link: one warning per legal page, naming pages.
    let footer = site
        .path()
        .join("themes/zone/templates/partials/footer.html");
    let text = std::fs::read_to_string(&footer).unwrap();
    let start = text.find("{% if language.legal.pages %}").unwrap();
    let end = start + text[start..].find("</nav>{% endif %}").unwrap() + "</nav>{% endif %}".len();
    std::fs::write(&footer, format!("{}{}", &text[..start], &text[end..])).unwrap();
    let built = common::build_root(site.path(), |_| {}).unwrap();
    let about_imprint: Vec<_> = built
        .report
        .warnings
        .iter()
        .filter(|w| w.message.contains("not link the imprint page /en/imprint/"))
        .collect();
    assert_eq!(about_imprint.len(), 1, "{:?}", built.report.warnings);
    // It counts the pages and names the first ones (in order of their files).
    let m = &about_imprint[0].message;
    assert!(
        m.contains("pages do not link") && m.contains(": en/404.html, "),
        "{m}"
    );
    assert_eq!(
        built.report.warnings.len(),
        12,
        "4 legal pages × 3 languages: {:?}",
        built.report.warnings
    );
    // --strict: errors, nothing written.
    let errors = common::build_root(site.path(), |o| o.strict = true)
        .err()
        .expect("strict fails");
    assert!(errors.iter().all(|e| e.severity == Severity::Error));
}

#[test]
fn a_legal_page_that_does_not_exist_is_an_error_with_its_position() {
    let site =
        zone_copy(|t| t.replacen("imprint = \"imprint.md\"", "imprint = \"impressum.md\"", 1));
    let errors = common::build_root(site.path(), |_| {})
        .err()
        .expect("an error");
    let e = errors
        .iter()
        .find(|e| e.message.contains("impressum.md"))
        .expect("the legal error");
    assert!(
        e.message
            .contains("[languages.zh.legal] imprint = \"impressum.md\" names no page"),
        "{}",
        e.message
    );
    let toml = std::fs::read_to_string(site.path().join("site.toml")).unwrap();
    let line = toml
        .lines()
        .position(|l| l.contains("impressum.md"))
        .unwrap()
        + 1;
    assert!(
        e.location().starts_with(&format!("site.toml:{line}:")),
        "{}",
        e.location()
    );
}

#[test]
fn filing_numbers_are_shown_and_linked() {
    let site = zone_copy(|t| {
        t.replace(
            "[languages.zh.legal]\n",
            "[languages.zh.legal]\nicp = \"粤ICP备12345678号\"\npublic_security = \"粤公网安备 44070302000001号\"\n",
        )
    });
    let built = common::build_root(site.path(), |_| {}).unwrap();
    let home = built.read("index.html");
    assert!(
        home.contains(
            "<a href=\"https://beian.miit.gov.cn/\" rel=\"noopener\">粤ICP备12345678号</a>"
        )
    );
    assert!(home.contains("粤公网安备 44070302000001号</a>"));
    assert!(
        !built.read("en/index.html").contains("ICP"),
        "only on the Chinese pages"
    );
}
