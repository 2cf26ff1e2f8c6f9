//! Images (`tests/fixtures/images`, whose pictures each test draws into its copy of the
//! site): width and height from the files, lazy loading below the first image, warnings for
//! missing alt text with their position, per-language bundle files (`chart.de.png`),
//! responsive variants with `srcset` and WebP, their cache, and the same bytes whatever the
//! number of threads.

mod common;
mod serve_support;

use std::collections::BTreeMap;
use std::path::Path;

use common::{build_root, build_with_threads, copy_fixture, tree};

/// Draws a picture of `w`×`h` pixels whose colours depend on `seed`: the same every time.
fn picture(w: u32, h: u32, seed: u8) -> image::RgbImage {
    image::RgbImage::from_fn(w, h, |x, y| {
        image::Rgb([
            (x * 255 / w) as u8,
            (y * 255 / h) as u8,
            ((x + y) as u8).wrapping_add(seed),
        ])
    })
}

/// A copy of the fixture with its pictures: a JPEG photo 800×500, a PNG chart 600×300 with a
/// German version 610×305, a PNG logo 64×64 and a static PNG line 100×2.
fn site() -> tempfile::TempDir {
    let dir = copy_fixture("images");
    let root = dir.path();
    let bundle = root.join("content/news/report");
    picture(800, 500, 0).save(bundle.join("photo.jpg")).unwrap();
    picture(600, 300, 1).save(bundle.join("chart.png")).unwrap();
    picture(610, 305, 2)
        .save(bundle.join("chart.de.png"))
        .unwrap();
    picture(64, 64, 3).save(bundle.join("logo.png")).unwrap();
    std::fs::create_dir_all(root.join("static/img")).unwrap();
    picture(100, 2, 4)
        .save(root.join("static/img/line.png"))
        .unwrap();
    dir
}

/// Every `<img …>` and `<source …>` tag of a page, as written.
fn tags(html: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find(['<']) {
        rest = &rest[i..];
        let end = rest.find('>').map_or(rest.len(), |e| e + 1);
        if rest.starts_with("<img") || rest.starts_with("<source") {
            out.push(&rest[..end]);
        }
        rest = &rest[end..];
    }
    out
}

const SIZES: &str = "(min-width: 40rem) 40rem, 100vw";

#[test]
fn images_get_their_size_lazy_loading_and_variants() {
    let dir = site();
    let b = build_root(dir.path(), |_| {}).unwrap();
    let html = b.read("news/report/index.html");
    let photo = "/news/report/photo";
    let chart = "/news/report/chart";
    assert_eq!(
        tags(&html),
        [
            // The first image is on the first screen: not lazy.
            format!(
                "<source type=\"image/webp\" srcset=\"{photo}.320w.webp 320w, {photo}.480w.webp 480w, \
                 {photo}.800w.webp 800w\" sizes=\"{SIZES}\">"
            ),
            format!(
                "<img src=\"{photo}.jpg\" alt=\"园区全景\" width=\"800\" height=\"500\" \
                 decoding=\"async\" srcset=\"{photo}.320w.jpg 320w, {photo}.480w.jpg 480w, \
                 {photo}.jpg 800w\" sizes=\"{SIZES}\" />"
            ),
            format!(
                "<source type=\"image/webp\" srcset=\"{chart}.320w.webp 320w, {chart}.480w.webp 480w, \
                 {chart}.600w.webp 600w\" sizes=\"{SIZES}\">"
            ),
            format!(
                "<img src=\"{chart}.png\" alt=\"增长图表\" width=\"600\" height=\"300\" \
                 loading=\"lazy\" decoding=\"async\" srcset=\"{chart}.320w.png 320w, \
                 {chart}.480w.png 480w, {chart}.png 600w\" sizes=\"{SIZES}\" />"
            ),
            // Narrower than the smallest width: no variants.
            "<img src=\"/news/report/logo.png\" alt=\"\" width=\"64\" height=\"64\" loading=\"lazy\" \
             decoding=\"async\" />"
                .to_string(),
            "<img src=\"/img/line.png\" alt=\"\" role=\"presentation\" width=\"100\" height=\"2\" \
             loading=\"lazy\" decoding=\"async\" />"
                .to_string(),
            // Raw HTML is read against the page too.
            "<img src=\"logo.png\" width=\"64\" height=\"64\" loading=\"lazy\" decoding=\"async\">"
                .to_string(),
            // Remote: no size (no network at build time).
            "<img src=\"https://example.com/remote.png\" alt=\"远程图片\" loading=\"lazy\" \
             decoding=\"async\" />"
                .to_string(),
        ]
    );
    assert!(html.contains("<picture><source type=\"image/webp\""));
    assert_eq!(html.matches("<picture>").count(), 2);
    assert_eq!(html.matches("</picture>").count(), 2);

    for (file, w, h) in [
        ("photo.320w.jpg", 320, 200),
        ("photo.480w.jpg", 480, 300),
        ("photo.320w.webp", 320, 200),
        ("photo.800w.webp", 800, 500),
        ("chart.480w.png", 480, 240),
        ("chart.600w.webp", 600, 300),
    ] {
        let path = b.public().join("news/report").join(file);
        let img = image::open(&path).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!((img.width(), img.height()), (w, h), "{file}");
    }
    let webp = std::fs::read(b.public().join("news/report/photo.480w.webp")).unwrap();
    assert_eq!((&webp[..4], &webp[8..12]), (&b"RIFF"[..], &b"WEBP"[..]));
    // Lossy: far smaller than the pixels.
    assert!(webp.len() < 480 * 300, "{} bytes", webp.len());
    // Only widths below the image's own: no 2000w anywhere.
    assert!(!html.contains("2000w"));
    assert!(!b.exists("news/report/photo.2000w.jpg"));
}

#[test]
fn german_pages_show_german_images_under_the_plain_name() {
    let dir = site();
    let b = build_root(dir.path(), |_| {}).unwrap();
    let bundle = dir.path().join("content/news/report");
    let german = std::fs::read(bundle.join("chart.de.png")).unwrap();
    let plain = std::fs::read(bundle.join("chart.png")).unwrap();
    assert_eq!(
        std::fs::read(b.public().join("de/news/report/chart.png")).unwrap(),
        german
    );
    assert_eq!(
        std::fs::read(b.public().join("en/news/report/chart.png")).unwrap(),
        plain
    );
    assert_eq!(
        std::fs::read(b.public().join("news/report/chart.png")).unwrap(),
        plain
    );
    for lang in ["", "en/", "de/"] {
        assert!(
            !b.exists(&format!("{lang}news/report/chart.de.png")),
            "{lang}"
        );
    }
    let de = b.read("de/news/report/index.html");
    let chart = tags(&de)
        .into_iter()
        .find(|t| t.starts_with("<img src=\"/de/news/report/chart.png\""))
        .unwrap();
    assert!(chart.contains("width=\"610\" height=\"305\""), "{chart}");
    // The German variants are made from the German file.
    let variant = image::open(b.public().join("de/news/report/chart.480w.png")).unwrap();
    assert_eq!((variant.width(), variant.height()), (480, 240));
    let en = b.read("en/news/report/index.html");
    assert!(en.contains("width=\"600\" height=\"300\""));
    // An `@/` link to the German file leads to where it is published.
    assert!(
        en.contains("<a href=\"/de/news/report/chart.png\">German chart</a>"),
        "{en}"
    );
    assert_ne!(
        std::fs::read(b.public().join("de/news/report/chart.480w.png")).unwrap(),
        std::fs::read(b.public().join("en/news/report/chart.480w.png")).unwrap(),
    );
}

#[test]
fn images_without_alt_text_are_warned_about_where_they_are_written() {
    let dir = site();
    let b = build_root(dir.path(), |_| {}).unwrap();
    let warnings: Vec<(String, Option<usize>, Option<usize>, String)> = b
        .report
        .warnings
        .iter()
        .map(|d| {
            (
                d.path.as_deref().unwrap().to_string_lossy().into_owned(),
                d.line,
                d.column,
                d.message.clone(),
            )
        })
        .collect();
    let file = "content/news/report/index.md".to_string();
    let message = "image `logo.png` has no alt text".to_string();
    assert_eq!(
        warnings,
        [
            (file.clone(), Some(11), Some(1), message.clone()),
            (file, Some(15), Some(11), message),
        ]
    );
    let hint = b.report.warnings[0].hint.as_deref().unwrap();
    assert!(hint.contains("![{decorative}](logo.png)"), "{hint}");

    // --strict makes them errors.
    let errors = build_root(dir.path(), |o| o.strict = true).err().unwrap();
    assert_eq!(errors.len(), 2);
}

#[test]
fn image_settings_are_checked() {
    let dir = site();
    let path = dir.path().join("site.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let text = text
        .replace("widths = [320, 480, 2000]", "widths = [320, 0]")
        .replace("formats = [\"webp\"]", "formats = [\"avif\"]");
    std::fs::write(&path, &text).unwrap();
    let errors = build_root(dir.path(), |_| {}).err().unwrap();
    let found: Vec<(Option<usize>, Option<usize>, &str)> = errors
        .iter()
        .map(|d| (d.line, d.column, d.message.as_str()))
        .collect();
    let line = text.lines().position(|l| l.starts_with("widths")).unwrap() + 1;
    assert_eq!(
        found,
        [
            (
                Some(line),
                Some(16),
                "a width in [images] widths must be between 16 and 8192 pixels"
            ),
            (
                Some(line + 1),
                Some(12),
                "`avif` in [images] formats is not a format qiao writes"
            ),
        ]
    );
}

/// The modification times of the cached variants.
fn cache(root: &Path) -> BTreeMap<String, std::time::SystemTime> {
    std::fs::read_dir(root.join(".qiao/cache/images"))
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                e.metadata().unwrap().modified().unwrap(),
            )
        })
        .collect()
}

#[test]
fn variants_are_cached_and_the_same_whatever_the_threads() {
    let dir = site();
    let root = dir.path();
    let outs = tempfile::tempdir().unwrap();
    let out = |n: &str| outs.path().join(n);

    build_with_threads(root, &out("one"), "1");
    let first = cache(root);
    // Photo: 2 widths + WebP of 3; chart (zh/en, de): 2 + 3 each; nothing for the logo.
    assert_eq!(first.len(), 15, "{first:#?}");

    // A second build takes every variant from the cache.
    std::thread::sleep(std::time::Duration::from_millis(20));
    build_with_threads(root, &out("four"), "4");
    assert_eq!(cache(root), first);
    assert_eq!(tree(&out("one")), tree(&out("four")));

    // Encoding again from nothing, on other threads, gives the same bytes.
    std::fs::remove_dir_all(root.join(".qiao")).unwrap();
    build_with_threads(root, &out("three"), "3");
    assert_eq!(cache(root).len(), 15);
    assert_eq!(tree(&out("one")), tree(&out("three")));
}

/// Waits for the server, then checks how the rebuild went and that it serves what a clean
/// build writes.
fn served_like_a_clean_build(
    server: &qiao::serve::Server,
    root: &Path,
    incremental: &mut u64,
    now: bool,
) {
    serve_support::sync(server);
    let status = server.status();
    assert!(status.errors.is_empty(), "{:?}", status.errors);
    assert_eq!(status.incremental, *incremental + u64::from(now));
    *incremental = status.incremental;
    let clean = serve_support::clean_build(root, server.base_url()).unwrap();
    let d = serve_support::differences(&serve_support::tree(server.site_dir()), &clean);
    assert!(d.is_empty(), "{d:#?}");
}

#[test]
fn serve_rebuilds_in_full_when_a_shown_image_or_a_page_with_images_changes() {
    let dir = site();
    let root = dir.path().canonicalize().unwrap();
    let server = serve_support::start(&root);
    let mut incremental = server.status().incremental;
    // A page without images: incremental.
    serve_support::atomic_save(
        &root.join("content/_index.md"),
        "---\ntitle: 首页\n---\n你好。\n",
    );
    served_like_a_clean_build(&server, &root, &mut incremental, true);
    // A new chart, of another size: every page showing it gets the new size and variants.
    let chart = root.join("content/news/report/chart.png");
    let tmp = root.join("content/news/report/.chart.png.tmp");
    picture(700, 350, 9)
        .save_with_format(&tmp, image::ImageFormat::Png)
        .unwrap();
    std::fs::rename(&tmp, &chart).unwrap();
    served_like_a_clean_build(&server, &root, &mut incremental, false);
    let en = std::fs::read_to_string(server.site_dir().join("en/news/report/index.html")).unwrap();
    assert!(en.contains("width=\"700\" height=\"350\""), "{en}");
    // A page that shows images: a full build (its variants and warnings are the build's).
    let report = root.join("content/news/report/index.en.md");
    let text = std::fs::read_to_string(&report).unwrap();
    serve_support::atomic_save(&report, &format!("{text}\nMore text.\n"));
    served_like_a_clean_build(&server, &root, &mut incremental, false);
}
