//! Text as editors really save it, and front matter as other generators write it: one
//! reader for every text file (byte order mark, CRLF, invalid UTF-8, a size bound), TOML
//! front matter, dates without an offset, scalar tags.

mod common;

use std::path::Path;

use common::{build_root, copy_fixture, tree};

/// A page template, an .ftl file and a Markdown page added to the trilingual fixture, to be
/// written with and without a byte order mark and CRLF.
const PAGE_TEMPLATE: &str = "{% extends \"base.html\" %}\n{% block content %}\n<h1 id=\"t\">{{ page.title }}</h1>\n<p id=\"m\">{{ t(key=\"reader-note\") }}</p>\n{% endblock content %}\n";
const FTL: &str = "reader-note = 读者须知\n    续行\n";
const PAGE: &str = "---\ntitle: 换行\ndate: 2016-02-29\n---\n第一段\n\n第二段\n";

fn with_bom_and_crlf(text: &str) -> Vec<u8> {
    let mut v = b"\xEF\xBB\xBF".to_vec();
    v.extend_from_slice(text.replace('\n', "\r\n").as_bytes());
    v
}

fn write(root: &Path, rel: &str, bytes: &[u8]) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, bytes).unwrap();
}

#[test]
fn every_text_file_reads_the_same_with_a_bom_and_crlf() {
    let plain = copy_fixture("trilingual");
    let windows = copy_fixture("trilingual");
    let toml = std::fs::read_to_string(plain.path().join("site.toml")).unwrap();
    for (rel, text) in [
        ("templates/page.html", PAGE_TEMPLATE),
        ("i18n/zh/reader.ftl", FTL),
        ("i18n/en/reader.ftl", FTL),
        ("i18n/de/reader.ftl", FTL),
        ("content/news/crlf.md", PAGE),
    ] {
        write(plain.path(), rel, text.as_bytes());
        write(windows.path(), rel, &with_bom_and_crlf(text));
    }
    write(windows.path(), "site.toml", &with_bom_and_crlf(&toml));
    let a = build_root(plain.path(), |_| {}).unwrap();
    let b = build_root(windows.path(), |_| {}).unwrap_or_else(|ds| panic!("{ds:#?}"));
    let page = a.read("news/crlf/index.html");
    assert!(page.contains("<h1 id=\"t\">换行</h1>"), "{page}");
    assert!(page.contains("读者须知"), "{page}");
    assert_eq!(
        tree(&a.public()),
        tree(&b.public()),
        "same site, same bytes"
    );
}

#[test]
fn invalid_utf8_names_file_byte_line_and_column_in_every_kind_of_file() {
    let site = copy_fixture("trilingual");
    // "中" in GBK: D6 D0
    let gbk = |prefix: &str, suffix: &str| {
        let mut v = prefix.as_bytes().to_vec();
        v.extend_from_slice(&[0xD6, 0xD0]);
        v.extend_from_slice(suffix.as_bytes());
        v
    };
    write(
        site.path(),
        "content/news/gbk.md",
        &gbk("---\ntitle: ", "\n---\n"),
    );
    write(
        site.path(),
        "templates/page.html",
        &gbk("{% extends \"base.html\" %}\n<p>", "</p>\n"),
    );
    write(site.path(), "i18n/en/gbk.ftl", &gbk("a = 1\nb = ", "\n"));
    let errs = build_root(site.path(), |_| {}).err().expect("must fail");
    let find = |path: &str| {
        errs.iter()
            .find(|d| d.path.as_deref() == Some(Path::new(path)))
            .unwrap_or_else(|| panic!("no error for {path}: {errs:#?}"))
    };
    let md = find("content/news/gbk.md");
    assert_eq!(
        md.message,
        "the file is not valid UTF-8: byte 11 (0xD6) does not start a character"
    );
    assert_eq!((md.line, md.column), (Some(2), Some(8)));
    assert!(md.hint.as_deref().unwrap().contains("UTF-8"));
    let tpl = find("templates/page.html");
    assert!(tpl.message.contains("byte 29 (0xD6)"), "{}", tpl.message);
    assert_eq!((tpl.line, tpl.column), (Some(2), Some(4)));
    let ftl = find("i18n/en/gbk.ftl");
    assert!(ftl.message.contains("byte 10 (0xD6)"), "{}", ftl.message);
    assert_eq!((ftl.line, ftl.column), (Some(2), Some(5)));

    // site.toml is read first; its error stops the build before anything else.
    let site = copy_fixture("trilingual");
    let mut toml = std::fs::read(site.path().join("site.toml")).unwrap();
    toml.splice(0..0, *b"\xEF\xBB\xBF# \xFF\n");
    std::fs::write(site.path().join("site.toml"), toml).unwrap();
    let errs = build_root(site.path(), |_| {}).err().expect("must fail");
    assert_eq!(errs.len(), 1, "{errs:#?}");
    assert_eq!(errs[0].path.as_deref(), Some(Path::new("site.toml")));
    assert!(
        errs[0].message.contains("byte 5 (0xFF)"),
        "{}",
        errs[0].message
    );
    assert_eq!((errs[0].line, errs[0].column), (Some(1), Some(3)));
}

#[cfg(unix)]
#[test]
fn a_link_to_a_device_or_an_oversized_file_is_an_error_not_a_hang() {
    let site = copy_fixture("trilingual");
    std::os::unix::fs::symlink("/dev/zero", site.path().join("content/news/zero.md")).unwrap();
    let big = std::fs::File::create(site.path().join("content/news/big.md")).unwrap();
    big.set_len(qiao::text::MAX_TEXT_BYTES + 1).unwrap();
    let errs = build_root(site.path(), |_| {}).err().expect("must fail");
    let msgs: Vec<(String, String)> = errs
        .iter()
        .map(|d| {
            (
                d.path.as_deref().unwrap().display().to_string(),
                d.message.clone(),
            )
        })
        .collect();
    assert!(
        msgs.iter()
            .any(|(p, m)| p == "content/news/big.md" && m.contains("larger than 64 MiB")),
        "{msgs:#?}"
    );
    assert!(
        msgs.iter()
            .any(|(p, m)| p == "content/news/zero.md" || m.contains("zero.md")),
        "{msgs:#?}"
    );
}

#[test]
fn pages_from_hugo_and_zola_build_with_dates_in_the_site_time_zone() {
    let site = copy_fixture("trilingual");
    let toml = std::fs::read_to_string(site.path().join("site.toml")).unwrap();
    let toml = toml.replace("paginate = 2", "paginate = 2\ntimezone = \"Asia/Shanghai\"");
    std::fs::write(site.path().join("site.toml"), toml).unwrap();
    // Hugo: TOML, a date-time without offset, a scalar category
    write(
        site.path(),
        "content/news/hugo.md",
        b"+++\ntitle = \"Hugo \xe9\xa1\xb5\"\ndate = 2016-02-29T11:00:00\ncategories = \"hugo-cat\"\ntags = [\"hugo-tag\"]\n[extra]\nsource = \"hugo\"\n+++\nbody\n",
    );
    // Zola: [taxonomies]
    write(
        site.path(),
        "content/news/zola.md",
        "+++\ntitle = \"Zola\"\ndate = 2016-03-01\n[taxonomies]\ntags = [\"zola-tag\"]\n+++\nbody\n".as_bytes(),
    );
    // Jekyll: a space between date and time, a single tag
    write(
        site.path(),
        "content/news/jekyll.md",
        "---\ntitle: Jekyll\ndate: 2016-03-02 09:30:00\ntags: 江门\n---\nbody\n".as_bytes(),
    );
    let b = build_root(site.path(), |_| {}).unwrap_or_else(|ds| panic!("{ds:#?}"));
    assert!(b.exists("tags/hugo-tag/index.html"));
    assert!(b.exists("categories/hugo-cat/index.html"));
    assert!(b.exists("tags/zola-tag/index.html"));
    assert!(b.exists("tags/江门/index.html"));
    let sitemap = b.read("sitemap.xml");
    for (path, date) in [
        ("news/hugo/", "2016-02-29T11:00:00+08:00"),
        ("news/zola/", "2016-03-01T00:00:00+08:00"),
        ("news/jekyll/", "2016-03-02T09:30:00+08:00"),
    ] {
        let entry = sitemap
            .split("<url>")
            .find(|u| u.contains(&format!("/{path}</loc>")))
            .unwrap_or_else(|| panic!("{path} not in {sitemap}"));
        assert!(entry.contains(date), "{path}: {entry}");
    }
}
