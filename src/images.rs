//! Images in rendered pages: size, loading, alt text and responsive variants.
//!
//! A page's body HTML (Markdown, raw HTML and whatever directives produced) goes through
//! [`Images::enrich`] once it is final. Every `<img>` whose `src` is a file of the site (a
//! page-bundle file, a file of `content/`, a theme or site `static/` file) gets:
//!
//! - `width` and `height` read from the file's header (the browser reserves the space, so the
//!   text does not jump while the picture loads), unless either is written already;
//! - `loading="lazy"` on every image but the first of the body ("the first screen": the first
//!   picture is usually a page's lead image, which must not wait), and `decoding="async"`;
//! - for a PNG or JPEG wider than the smallest configured width, resized variants in its own
//!   format and in WebP, offered with `srcset` and `sizes` (a `<picture>` with a WebP
//!   `<source>` when WebP is on).
//!
//! Remote images (`https://…`, `//…`, `data:`) only get `loading` and `decoding`: a build
//! never goes to the network. An alt text of `{decorative}` marks a decorative image: it is
//! written `alt="" role="presentation"`; any other image without alt text is a warning with
//! file, line and column ([`alt_warnings`]).
//!
//! Variants are encoded after rendering ([`Images::write_variants`]), in parallel across
//! images, into `.qiao/cache/images/`, named by a hash of the source's content and of every
//! setting that changes the bytes; a later build copies them from there instead of encoding
//! again. Encoders run single-threaded on fixed settings, so the bytes are the same whatever
//! the number of threads.
//!
//! Per-language files follow the rule of page files: in a page bundle, `chart.de.png` takes
//! the place of `chart.png` on German pages ([`bundle_files`]); it is published there as
//! `chart.png` and not under its own name.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use rayon::prelude::*;

use crate::diagnostics::Diagnostic;
use crate::output::Sink;

pub use crate::config::images::ImageSettings;

/// The alt text that marks an image as decorative (`![{decorative}](line.png)`).
pub const DECORATIVE: &str = "{decorative}";

/// Where variants are cached, under the site root.
pub const CACHE_DIR: &str = ".qiao/cache/images";

/// Part of every cache key: changes whenever resizing or encoding would give other bytes
/// (the scheme here, the `image` and `webp` crates' encoders).
const ENCODER_VERSION: &str = "qiao-images-1;image-0.25;webp-0.3";

/// The files of a page bundle that a page in `lang` publishes, as (absolute source, name
/// in the page's directory): `chart.de.png` is published as `chart.png` on German pages and
/// replaces the bundle's `chart.png` there; on pages in other languages it is not published.
/// `files` are (absolute source, path inside the bundle); `is_language` tells configured
/// language codes. Sorted by published name.
pub fn bundle_files(
    files: &[(PathBuf, String)],
    lang: &str,
    is_language: &dyn Fn(&str) -> bool,
) -> Vec<(PathBuf, String)> {
    let mut out: BTreeMap<String, (PathBuf, bool)> = BTreeMap::new();
    for (abs, inner) in files {
        match localized(inner, is_language) {
            Some((plain, l)) if l == lang => {
                out.insert(plain, (abs.clone(), true));
            }
            Some(_) => {}
            None => {
                out.entry(inner.clone())
                    .or_insert_with(|| (abs.clone(), false));
            }
        }
    }
    out.into_iter()
        .map(|(name, (abs, _))| (abs, name))
        .collect()
}

/// `dir/chart.png` for `dir/chart.de.png` when `de` is a language, with the language.
pub fn localized(inner: &str, is_language: &dyn Fn(&str) -> bool) -> Option<(String, String)> {
    let (dir, name) = match inner.rsplit_once('/') {
        Some((d, n)) => (Some(d), n),
        None => (None, inner),
    };
    let (stem, ext) = name.rsplit_once('.')?;
    let (plain, lang) = crate::content::walk::split_language_by(stem, is_language);
    let lang = lang?;
    let plain = format!("{plain}.{ext}");
    Some((
        match dir {
            Some(d) => format!("{d}/{plain}"),
            None => plain,
        },
        lang.to_string(),
    ))
}

/// Raster formats that get resized variants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Png,
    Jpeg,
    /// Shown as it is (GIF, WebP): only its size is read.
    Other,
}

/// What the header of an image file says, and its content hash when it gets variants.
#[derive(Debug)]
struct Info {
    width: u32,
    height: u32,
    kind: Kind,
    hash: Option<String>,
}

/// The format of one variant file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Format {
    Png,
    Jpeg,
    WebP,
}

impl Format {
    fn name(self) -> &'static str {
        match self {
            Format::Png => "png",
            Format::Jpeg => "jpeg",
            Format::WebP => "webp",
        }
    }
}

/// One variant a page shows: what to encode and where it is published.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Variant {
    source: PathBuf,
    width: u32,
    height: u32,
    format: Format,
    /// Name of the cached file, from the content hash and the settings.
    cache_name: String,
}

/// Where a page is, for [`Images::enrich`].
pub struct PageImages<'a> {
    /// The page's site path (`/de/news/photos/`), against which relative `src` are read.
    pub path: &'a str,
    /// Finds the file behind a decoded output path (`de/news/photos/chart.png`).
    pub locate: &'a (dyn Fn(&str) -> Option<PathBuf> + Sync),
    /// Whether the first image is on the first screen (a page's body), so not lazy.
    pub first_eager: bool,
}

/// One build's images: the settings, what the files' headers said, and the variants the
/// pages show. Shared by all rendering threads; lives in the model, so that `qiao serve`
/// knows which files pages show.
#[derive(Debug)]
pub struct Images {
    settings: ImageSettings,
    base_path: String,
    cache_dir: PathBuf,
    /// Theme, site and built-in `static/` files: output path → file (`None` for a
    /// built-in one).
    static_files: HashMap<String, Option<PathBuf>>,
    infos: Mutex<HashMap<PathBuf, Option<Arc<Info>>>>,
    /// Published path → variant.
    variants: Mutex<BTreeMap<String, Variant>>,
    encoded: AtomicUsize,
}

impl Images {
    /// Images of the site at `root`, with its `static/` files as (output path, file; `None`
    /// for a built-in one).
    pub fn new(
        root: &Path,
        settings: ImageSettings,
        base_path: &str,
        static_files: Vec<(String, Option<PathBuf>)>,
    ) -> Images {
        Images {
            settings,
            base_path: base_path.to_string(),
            cache_dir: root.join(CACHE_DIR),
            static_files: static_files.into_iter().collect(),
            infos: Mutex::default(),
            variants: Mutex::default(),
            encoded: AtomicUsize::new(0),
        }
    }

    /// The theme or site `static/` file published at `rel`.
    pub fn static_file(&self, rel: &str) -> Option<PathBuf> {
        self.static_files.get(rel).cloned().flatten()
    }

    /// The output paths of every `static/` file, which links may lead to.
    pub fn static_paths(&self) -> impl Iterator<Item = &str> {
        self.static_files.keys().map(String::as_str)
    }

    /// Whether a page shows the file at `abs` (its size is in the HTML, or it has variants).
    pub fn shows(&self, abs: &Path) -> bool {
        self.infos
            .lock()
            .map(|m| m.contains_key(abs))
            .unwrap_or(true)
    }

    /// How many variant files the last [`Images::write_variants`] encoded (the others came
    /// from the cache).
    pub fn encoded(&self) -> usize {
        self.encoded.load(Ordering::Relaxed)
    }

    /// Adds size, loading and variants to every `<img>` of `html` (see the module header).
    /// HTML without `<img` comes back as it is.
    pub fn enrich(&self, html: &str, page: &PageImages<'_>) -> String {
        if !has_img(html) {
            return html.to_string();
        }
        let tags = img_tags(html);
        let mut out = String::with_capacity(html.len() + tags.len() * 160);
        let mut at = 0;
        for (n, tag) in tags.iter().enumerate() {
            out.push_str(&html[at..tag.start]);
            self.rewrite(html, tag, n == 0 && page.first_eager, page, &mut out);
            at = tag.end;
        }
        out.push_str(&html[at..]);
        out
    }

    fn rewrite(
        &self,
        html: &str,
        tag: &ImgTag,
        first: bool,
        page: &PageImages<'_>,
        out: &mut String,
    ) {
        let get = |name: &str| tag.attrs.iter().find(|a| a.name == name);
        let mut added = String::new();
        let mut replaced: Option<(Range<usize>, &str)> = None;
        if let Some(alt) = get("alt")
            && alt.value.as_deref() == Some(DECORATIVE)
        {
            replaced = Some((alt.range.clone(), "alt=\"\""));
            if get("role").is_none() {
                added.push_str(" role=\"presentation\"");
            }
        }
        let local = get("src")
            .and_then(|a| a.value.as_deref())
            .and_then(|src| self.local(src, page));
        let info = local.as_ref().and_then(|(abs, _, _)| self.info(abs));
        if let Some(info) = &info
            && get("width").is_none()
            && get("height").is_none()
        {
            added.push_str(&format!(
                " width=\"{}\" height=\"{}\"",
                info.width, info.height
            ));
        }
        if !first && get("loading").is_none() {
            added.push_str(" loading=\"lazy\"");
        }
        if get("decoding").is_none() {
            added.push_str(" decoding=\"async\"");
        }
        let variants = match (&local, &info) {
            (Some((abs, rel, url)), Some(info)) if !tag.in_picture && get("srcset").is_none() => {
                self.plan(abs, rel, url, info)
            }
            _ => None,
        };
        if let Some(v) = &variants {
            added.push_str(&format!(
                " srcset=\"{}\" sizes=\"{}\"",
                v.own, self.settings.sizes
            ));
            if let Some(webp) = &v.webp {
                out.push_str(&format!(
                    "<picture><source type=\"image/webp\" srcset=\"{webp}\" sizes=\"{}\">",
                    self.settings.sizes
                ));
            }
        }
        let text = &html[tag.start..tag.end];
        let insert = tag.insert_at - tag.start;
        match &replaced {
            Some((range, with)) => {
                let (r0, r1) = (range.start - tag.start, range.end - tag.start);
                out.push_str(&text[..r0]);
                out.push_str(with);
                out.push_str(&text[r1..insert]);
            }
            None => out.push_str(&text[..insert]),
        }
        out.push_str(&added);
        out.push_str(&text[insert..]);
        if variants.as_ref().is_some_and(|v| v.webp.is_some()) {
            out.push_str("</picture>");
        }
    }

    /// The file, decoded output path and root-relative URL (without query or fragment)
    /// behind a `src`, when it is a file of the site.
    fn local(&self, src: &str, page: &PageImages<'_>) -> Option<(PathBuf, String, String)> {
        let src = src.trim();
        let lower = src.to_ascii_lowercase();
        if src.is_empty() || src.starts_with("//") || src.starts_with('#') || has_scheme(&lower) {
            return None;
        }
        let end = src.find(['?', '#']).unwrap_or(src.len());
        let url = if src.starts_with('/') {
            src[..end].to_string()
        } else {
            join(page.path, &src[..end])
        };
        let rel = crate::url::decode(url.strip_prefix(self.base_path.as_str())?);
        let abs = (page.locate)(&rel)?;
        Some((abs, rel, url))
    }

    /// The header of the image at `abs`, read once per build.
    fn info(&self, abs: &Path) -> Option<Arc<Info>> {
        if let Some(known) = self.infos.lock().ok()?.get(abs) {
            return known.clone();
        }
        let read = read_info(abs, !self.settings.widths.is_empty()).map(Arc::new);
        self.infos
            .lock()
            .ok()?
            .insert(abs.to_path_buf(), read.clone());
        read
    }

    /// The variants of an image and their `srcset` values, recorded for
    /// [`Images::write_variants`]; `None` when it gets none.
    fn plan(&self, abs: &Path, rel: &str, url: &str, info: &Info) -> Option<Srcsets> {
        let own = match info.kind {
            Kind::Png => Format::Png,
            Kind::Jpeg => Format::Jpeg,
            Kind::Other => return None,
        };
        let hash = info.hash.as_deref()?;
        let widths: Vec<u32> = (self.settings.widths.iter().copied())
            .filter(|&w| w < info.width)
            .collect();
        if widths.is_empty() {
            return None;
        }
        let (dir_url, file_url) = url.rsplit_once('/')?;
        let (dir_rel, file) = rel.rsplit_once('/').unwrap_or(("", rel));
        let (stem, ext) = file.rsplit_once('.')?;
        // A comma or space in a URL would end a srcset candidate.
        if url.contains([',', ' ']) {
            return None;
        }
        let mut variants = self.variants.lock().ok()?;
        let mut entry = |width: u32, format: Format, ext: &str| -> String {
            let name = format!("{stem}.{width}w.{ext}");
            let height = ((u64::from(info.height) * u64::from(width) + u64::from(info.width) / 2)
                / u64::from(info.width))
            .max(1) as u32;
            let published = if dir_rel.is_empty() {
                name.clone()
            } else {
                format!("{dir_rel}/{name}")
            };
            let key = blake3::hash(
                format!(
                    "{hash}\0{width}\0{}\0{}\0{ENCODER_VERSION}",
                    format.name(),
                    self.settings.quality
                )
                .as_bytes(),
            );
            let cache_name = format!("{}.{}", &key.to_hex()[..32], format.name());
            variants.insert(
                published,
                Variant {
                    source: abs.to_path_buf(),
                    width,
                    height,
                    format,
                    cache_name,
                },
            );
            format!("{dir_url}/{} {width}w", crate::url::segment(&name))
        };
        let mut own_set: Vec<String> = widths.iter().map(|&w| entry(w, own, ext)).collect();
        own_set.push(format!("{dir_url}/{file_url} {}w", info.width));
        // The full width in WebP only when the configured widths do not go beyond it:
        // encoding a whole photo is the dearest part, and wider screens than the largest
        // width are what the setting leaves out.
        let largest = self.settings.widths.last().copied().unwrap_or(0);
        let full = (info.width <= largest).then_some(info.width);
        let webp = self.settings.webp.then(|| {
            (widths.iter().copied().chain(full))
                .map(|w| entry(w, Format::WebP, "webp"))
                .collect::<Vec<_>>()
                .join(", ")
        });
        Some(Srcsets {
            own: own_set.join(", "),
            webp,
        })
    }

    /// Encodes the variants the pages show (or takes them from the cache) and publishes
    /// them. Images are done in parallel; each is decoded once for all its variants.
    /// Errors name the image file.
    pub fn write_variants(&self, sink: &dyn Sink) -> Vec<Diagnostic> {
        let variants = match self.variants.lock() {
            Ok(v) => v.clone(),
            Err(_) => return Vec::new(),
        };
        // Source → (cache name → (variant, published paths)).
        let mut by_source: BTreeMap<PathBuf, BTreeMap<String, (Variant, Vec<String>)>> =
            BTreeMap::new();
        for (published, v) in variants {
            by_source
                .entry(v.source.clone())
                .or_default()
                .entry(v.cache_name.clone())
                .or_insert_with(|| (v, Vec::new()))
                .1
                .push(published);
        }
        if !by_source.is_empty()
            && let Err(e) = std::fs::create_dir_all(&self.cache_dir)
        {
            return vec![
                Diagnostic::error(format!("cannot create the image cache: {e}"))
                    .in_file(&self.cache_dir)
                    .with_hint("check the permissions of .qiao/ in the site's directory"),
            ];
        }
        by_source
            .par_iter()
            .flat_map_iter(|(source, wanted)| self.write_one(source, wanted, sink))
            .collect()
    }

    fn write_one(
        &self,
        source: &Path,
        wanted: &BTreeMap<String, (Variant, Vec<String>)>,
        sink: &dyn Sink,
    ) -> Vec<Diagnostic> {
        let mut decoded: Option<image::DynamicImage> = None;
        // Each width is resized once, for its own format and for WebP.
        let mut resized: BTreeMap<u32, image::DynamicImage> = BTreeMap::new();
        let mut diags = Vec::new();
        for (cache_name, (v, published)) in wanted {
            let cached = self.cache_dir.join(cache_name);
            if !cached.is_file() {
                if decoded.is_none() {
                    match image::ImageReader::open(source)
                        .and_then(|r| r.with_guessed_format())
                        .map_err(|e| e.to_string())
                        .and_then(|r| r.decode().map_err(|e| e.to_string()))
                    {
                        Ok(img) => decoded = Some(img),
                        Err(e) => {
                            diags.push(
                                Diagnostic::error(format!("cannot decode the image: {e}"))
                                    .in_file(source)
                                    .with_hint(
                                        "the file is damaged or not what its name says: \
                                         export it again as PNG or JPEG",
                                    ),
                            );
                            return diags;
                        }
                    }
                }
                let Some(img) = &decoded else { continue };
                let pixels = if v.width == img.width() {
                    img
                } else {
                    resized.entry(v.width).or_insert_with(|| {
                        img.resize_exact(v.width, v.height, image::imageops::FilterType::Lanczos3)
                    })
                };
                let bytes = match encode(pixels, v.format, self.settings.quality) {
                    Ok(b) => b,
                    Err(e) => {
                        diags.push(
                            Diagnostic::error(format!(
                                "cannot encode a {} variant {} pixels wide: {e}",
                                v.format.name(),
                                v.width
                            ))
                            .in_file(source),
                        );
                        continue;
                    }
                };
                self.encoded.fetch_add(1, Ordering::Relaxed);
                if let Err(e) = write_atomically(&self.cache_dir, &cached, &bytes) {
                    diags.push(
                        Diagnostic::warning(format!("cannot cache an image variant: {e}"))
                            .in_file(&cached)
                            .with_hint("check the permissions of .qiao/cache"),
                    );
                    for p in published {
                        if let Err(e) = sink.write(p, &bytes) {
                            diags.push(Diagnostic::error(format!("cannot write {p}: {e}")));
                        }
                    }
                    continue;
                }
            }
            for p in published {
                if let Err(e) = sink.copy(&cached, p) {
                    diags.push(Diagnostic::error(format!(
                        "cannot copy {} to {p}: {e}",
                        cached.display()
                    )));
                }
            }
        }
        diags
    }
}

/// The `srcset` of an image in its own format and, with WebP on, in WebP.
struct Srcsets {
    own: String,
    webp: Option<String>,
}

/// Reads an image's header, and hashes its content when it may get variants.
fn read_info(abs: &Path, variants: bool) -> Option<Info> {
    let reader = image::ImageReader::open(abs)
        .ok()?
        .with_guessed_format()
        .ok()?;
    let kind = match reader.format()? {
        image::ImageFormat::Png => Kind::Png,
        image::ImageFormat::Jpeg => Kind::Jpeg,
        _ => Kind::Other,
    };
    let (width, height) = reader.into_dimensions().ok()?;
    let hash = (variants && kind != Kind::Other)
        .then(|| std::fs::read(abs).ok())
        .flatten()
        .map(|bytes| blake3::hash(&bytes).to_hex().to_string());
    Some(Info {
        width,
        height,
        kind,
        hash,
    })
}

/// Encodes one variant, already resized (Lanczos3): PNG at its default compression, JPEG
/// and WebP at `quality`.
fn encode(resized: &image::DynamicImage, format: Format, quality: u8) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    match format {
        Format::Png => resized
            .write_with_encoder(image::codecs::png::PngEncoder::new(&mut out))
            .map_err(|e| e.to_string())?,
        Format::Jpeg => image::DynamicImage::ImageRgb8(resized.to_rgb8())
            .write_with_encoder(image::codecs::jpeg::JpegEncoder::new_with_quality(
                &mut out, quality,
            ))
            .map_err(|e| e.to_string())?,
        Format::WebP => {
            let memory = if resized.color().has_alpha() {
                let rgba = resized.to_rgba8();
                webp::Encoder::from_rgba(rgba.as_raw(), rgba.width(), rgba.height())
                    .encode(f32::from(quality))
            } else {
                let rgb = resized.to_rgb8();
                webp::Encoder::from_rgb(rgb.as_raw(), rgb.width(), rgb.height())
                    .encode(f32::from(quality))
            };
            out.extend_from_slice(&memory);
        }
    }
    Ok(out)
}

/// Writes `bytes` to `path` through a temporary file in `dir`, so that a reader (another
/// build) never sees half a file.
fn write_atomically(dir: &Path, path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Whether a URL starts with a scheme (`https:`, `data:`).
fn has_scheme(lower: &str) -> bool {
    match lower.find(':') {
        Some(i) => {
            let scheme = &lower[..i];
            !scheme.is_empty()
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        }
        None => false,
    }
}

/// A relative URL read against the directory of `base` (a site path ending in `/`).
fn join(base: &str, rel: &str) -> String {
    let mut segs: Vec<&str> = base.split('/').collect();
    segs.pop(); // What follows the last `/`.
    for part in rel.split('/') {
        match part {
            "." => {}
            ".." => {
                if segs.len() > 1 {
                    segs.pop();
                }
            }
            p => segs.push(p),
        }
    }
    segs.join("/")
}

/// Whether `html` shows an image (holds an `<img` tag, in any case).
pub fn shows_images(html: &str) -> bool {
    has_img(html)
}

/// Whether `html` holds an `<img` tag, in any case.
fn has_img(html: &str) -> bool {
    let b = html.as_bytes();
    memchr::memchr_iter(b'<', b).any(|i| is_img_at(b, i))
}

fn is_img_at(b: &[u8], i: usize) -> bool {
    b.len() >= i + 5
        && b[i + 1..i + 4].eq_ignore_ascii_case(b"img")
        && matches!(
            b[i + 4],
            b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' | b'/' | b'>'
        )
}

/// One attribute of a tag.
#[derive(Debug)]
struct Attr {
    /// Lowercase name.
    name: String,
    /// Value with character references decoded; `None` for a bare attribute.
    value: Option<String>,
    /// The whole attribute in the HTML.
    range: Range<usize>,
}

/// One `<img>` tag of the HTML.
#[derive(Debug)]
struct ImgTag {
    start: usize,
    end: usize,
    /// Where new attributes go: before `/>` or `>`.
    insert_at: usize,
    attrs: Vec<Attr>,
    /// Inside a `<picture>` the author wrote: its sources are the author's.
    in_picture: bool,
}

/// The `<img>` tags of `html`, in order; comments, `<script>`, `<style>` and `<textarea>`
/// are skipped.
fn img_tags(html: &str) -> Vec<ImgTag> {
    let b = html.as_bytes();
    let mut tags = Vec::new();
    let mut picture = 0usize;
    let mut i = 0;
    while let Some(off) = memchr::memchr(b'<', &b[i..]) {
        let at = i + off;
        let rest = &b[at..];
        if rest.starts_with(b"<!--") {
            i = memchr::memmem::find(&rest[4..], b"-->").map_or(b.len(), |e| at + 4 + e + 3);
            continue;
        }
        let starts = |name: &[u8]| {
            rest.len() > name.len() + 1
                && rest[1..=name.len()].eq_ignore_ascii_case(name)
                && !rest[name.len() + 1].is_ascii_alphanumeric()
        };
        if let Some(raw) = [&b"script"[..], b"style", b"textarea"]
            .into_iter()
            .find(|n| starts(n))
        {
            let close = format!("</{}", String::from_utf8_lossy(raw));
            let lower = html[at..].to_ascii_lowercase();
            i = lower.find(&close).map_or(b.len(), |e| at + e + close.len());
            continue;
        }
        if starts(b"picture") {
            picture += 1;
        } else if starts(b"/picture") {
            picture = picture.saturating_sub(1);
        } else if is_img_at(b, at) {
            match parse_tag(html, at, 4) {
                Some(mut tag) => {
                    tag.in_picture = picture > 0;
                    i = tag.end;
                    tags.push(tag);
                    continue;
                }
                None => break,
            }
        }
        i = at + 1;
    }
    tags
}

/// Parses the attributes of the tag at `start` whose name is `name_len` bytes long;
/// `None` when the tag never ends.
fn parse_tag(html: &str, start: usize, name_len: usize) -> Option<ImgTag> {
    let b = html.as_bytes();
    let mut i = start + name_len;
    let mut attrs = Vec::new();
    loop {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        match b.get(i)? {
            b'>' => {
                return Some(ImgTag {
                    start,
                    end: i + 1,
                    insert_at: i,
                    attrs,
                    in_picture: false,
                });
            }
            b'/' if b.get(i + 1) == Some(&b'>') => {
                // `<img … />`: keep the space before the slash where there was one.
                let insert_at = if i > 0 && b[i - 1] == b' ' { i - 1 } else { i };
                return Some(ImgTag {
                    start,
                    end: i + 2,
                    insert_at,
                    attrs,
                    in_picture: false,
                });
            }
            b'/' => {
                i += 1;
                continue;
            }
            _ => {}
        }
        let name_start = i;
        while i < b.len() && !b[i].is_ascii_whitespace() && !matches!(b[i], b'=' | b'>' | b'/') {
            i += 1;
        }
        let name = html[name_start..i].to_ascii_lowercase();
        let mut j = i;
        while j < b.len() && b[j].is_ascii_whitespace() {
            j += 1;
        }
        let mut value = None;
        if b.get(j) == Some(&b'=') {
            j += 1;
            while j < b.len() && b[j].is_ascii_whitespace() {
                j += 1;
            }
            match b.get(j)? {
                q @ (b'"' | b'\'') => {
                    let close = memchr::memchr(*q, &b[j + 1..])? + j + 1;
                    value = Some(unescape(&html[j + 1..close]));
                    i = close + 1;
                }
                _ => {
                    let v0 = j;
                    while j < b.len() && !b[j].is_ascii_whitespace() && b[j] != b'>' {
                        j += 1;
                    }
                    value = Some(unescape(&html[v0..j]));
                    i = j;
                }
            }
        }
        attrs.push(Attr {
            name,
            value,
            range: name_start..i,
        });
    }
}

/// Decodes the character references pulldown-cmark and editors write in attributes.
fn unescape(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let end = rest.find(';').filter(|&e| e <= 10);
        let decoded = end.and_then(|e| {
            let name = &rest[1..e];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                _ => {
                    let n = name.strip_prefix('#')?;
                    let code = match n.strip_prefix(['x', 'X']) {
                        Some(h) => u32::from_str_radix(h, 16).ok()?,
                        None => n.parse().ok()?,
                    };
                    char::from_u32(code)
                }
            }?;
            Some((c, e))
        });
        match decoded {
            Some((c, e)) => {
                out.push(c);
                rest = &rest[e + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// An image of the body that needs alt text: its `src` as written in the HTML.
fn missing_alt(html: &str) -> Vec<String> {
    if !has_img(html) {
        return Vec::new();
    }
    img_tags(html)
        .into_iter()
        .filter(|t| {
            let get = |n: &str| t.attrs.iter().find(|a| a.name == n);
            let alt_empty = get("alt")
                .and_then(|a| a.value.as_deref())
                .is_none_or(|v| v.trim().is_empty());
            let decorative = get("role")
                .and_then(|a| a.value.as_deref())
                .is_some_and(|r| matches!(r.trim(), "presentation" | "none"))
                || get("aria-hidden")
                    .and_then(|a| a.value.as_deref())
                    .is_some_and(|v| v.trim() == "true");
            alt_empty && !decorative
        })
        .map(|t| {
            t.attrs
                .iter()
                .find(|a| a.name == "src")
                .and_then(|a| a.value.clone())
                .unwrap_or_default()
        })
        .collect()
}

/// The file name a `src` ends in, decoded (`chart.png` for `/de/x/chart.png?v=2`).
fn file_name(src: &str) -> String {
    let end = src.find(['?', '#']).unwrap_or(src.len());
    let path = &src[..end];
    crate::url::decode(path.rsplit('/').next().unwrap_or(path))
}

/// Warnings for the images of a rendered body (`html`) that have no alt text and are not
/// marked decorative. `body` is the Markdown body, which starts at line `body_line` of
/// `text`, the whole file `rel`: each warning points at the image's `![` in the Markdown, or
/// else at the first mention of its file name (raw HTML, a directive).
pub fn alt_warnings(
    html: &str,
    body: &str,
    text: &str,
    body_line: usize,
    rel: &str,
) -> Vec<Diagnostic> {
    let missing = missing_alt(html);
    if missing.is_empty() {
        return Vec::new();
    }
    // Markdown images with empty alt text: (offset in body, file name).
    let mut markdown: Vec<(usize, String, bool)> = Vec::new();
    // Where every Markdown image stands, so that the file name of an image in raw HTML is
    // not found inside one of them.
    let mut spans: Vec<Range<usize>> = Vec::new();
    let mut open: Option<(usize, String, bool)> = None;
    let parser = pulldown_cmark::Parser::new_ext(body, pulldown_cmark::Options::all());
    for (event, range) in parser.into_offset_iter() {
        match event {
            pulldown_cmark::Event::Start(pulldown_cmark::Tag::Image { dest_url, .. }) => {
                spans.push(range.clone());
                open = Some((range.start, file_name(&dest_url), true));
            }
            pulldown_cmark::Event::End(pulldown_cmark::TagEnd::Image) => {
                if let Some((at, name, empty)) = open.take()
                    && empty
                {
                    markdown.push((at, name, false));
                }
            }
            pulldown_cmark::Event::Text(t) | pulldown_cmark::Event::Code(t)
                if !t.trim().is_empty() =>
            {
                if let Some(o) = &mut open {
                    o.2 = false;
                }
            }
            _ => {}
        }
    }
    let mut searched_from: HashMap<String, usize> = HashMap::new();
    missing
        .iter()
        .map(|src| {
            let name = file_name(src);
            let offset = match markdown
                .iter_mut()
                .find(|(_, n, used)| !*used && *n == name)
            {
                Some((at, _, used)) => {
                    *used = true;
                    Some(*at)
                }
                None if name.is_empty() => None,
                None => {
                    let from = searched_from.entry(name.clone()).or_insert(0);
                    let found = body
                        .get(*from..)
                        .into_iter()
                        .flat_map(|b| b.match_indices(name.as_str()))
                        .map(|(i, _)| i + *from)
                        .find(|i| !spans.iter().any(|s| s.contains(i)));
                    if let Some(i) = found {
                        *from = i + name.len();
                    }
                    found
                }
            };
            let d = Diagnostic::warning(format!(
                "image `{}` has no alt text",
                if name.is_empty() { src.as_str() } else { &name }
            ))
            .in_file(rel)
            .with_hint(format!(
                "describe the picture for readers who cannot see it: `![what it shows]({})`; \
                 if it is only decoration, write `![{DECORATIVE}]({})`",
                if name.is_empty() { "…" } else { &name },
                if name.is_empty() { "…" } else { &name },
            ));
            match offset {
                Some(o) => {
                    let (line, column) = position(body, o);
                    let line = body_line + line - 1;
                    d.at(text, line, column)
                }
                None => d,
            }
        })
        .collect()
}

/// 1-based line and column (in chars) of a byte offset.
fn position(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page<'a>(locate: &'a (dyn Fn(&str) -> Option<PathBuf> + Sync)) -> PageImages<'a> {
        PageImages {
            path: "/news/x/",
            locate,
            first_eager: true,
        }
    }

    #[test]
    fn html_without_images_is_untouched() {
        let images = Images::new(Path::new("/nowhere"), ImageSettings::default(), "/", vec![]);
        let none = |_: &str| None;
        let html = "<p>x &lt;img src=a&gt;</p><!-- <img src=b> -->\n";
        assert_eq!(images.enrich(html, &page(&none)), html);
    }

    #[test]
    fn remote_images_get_loading_but_no_size() {
        let images = Images::new(Path::new("/nowhere"), ImageSettings::default(), "/", vec![]);
        let none = |_: &str| None;
        let html =
            r#"<p><img src="https://x.org/a.png" alt="a" /><IMG SRC='//x.org/b.png' alt=b></p>"#;
        assert_eq!(
            images.enrich(html, &page(&none)),
            r#"<p><img src="https://x.org/a.png" alt="a" decoding="async" /><IMG SRC='//x.org/b.png' alt=b loading="lazy" decoding="async"></p>"#
        );
    }

    #[test]
    fn decorative_images_lose_the_marker() {
        let images = Images::new(Path::new("/nowhere"), ImageSettings::default(), "/", vec![]);
        let none = |_: &str| None;
        let out = images.enrich(r#"<img src="a.png" alt="{decorative}" />"#, &page(&none));
        assert_eq!(
            out,
            r#"<img src="a.png" alt="" role="presentation" decoding="async" />"#
        );
        assert!(missing_alt(&out).is_empty());
        assert_eq!(
            missing_alt(r#"<img src="/a/b%20c.png" alt="">"#),
            ["/a/b%20c.png"]
        );
    }

    #[test]
    fn relative_sources_are_read_against_the_page() {
        assert_eq!(join("/news/x/", "a.png"), "/news/x/a.png");
        assert_eq!(join("/news/x/", "../y/a.png"), "/news/y/a.png");
        assert_eq!(join("/news/x/", "./a.png"), "/news/x/a.png");
        assert!(has_scheme("data:image/png;base64,xx"));
        assert!(!has_scheme("dir/a:b.png"));
    }

    #[test]
    fn language_files_replace_plain_ones_in_their_language_only() {
        let is_lang = |c: &str| matches!(c, "zh" | "en" | "de");
        let files = vec![
            (PathBuf::from("/b/chart.de.png"), "chart.de.png".to_string()),
            (PathBuf::from("/b/chart.png"), "chart.png".to_string()),
            (
                PathBuf::from("/b/img/map.en.jpg"),
                "img/map.en.jpg".to_string(),
            ),
            (PathBuf::from("/b/mkfs.fat.png"), "mkfs.fat.png".to_string()),
        ];
        let names = |lang: &str| {
            bundle_files(&files, lang, &is_lang)
                .into_iter()
                .map(|(a, n)| format!("{}={n}", a.display()))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            names("de"),
            ["/b/chart.de.png=chart.png", "/b/mkfs.fat.png=mkfs.fat.png"]
        );
        assert_eq!(
            names("en"),
            [
                "/b/chart.png=chart.png",
                "/b/img/map.en.jpg=img/map.jpg",
                "/b/mkfs.fat.png=mkfs.fat.png"
            ]
        );
    }

    #[test]
    fn photos_wider_than_the_largest_width_get_no_full_width_webp() {
        let settings = ImageSettings {
            widths: vec![480, 960],
            ..ImageSettings::default()
        };
        let images = Images::new(Path::new("/nowhere"), settings, "/", vec![]);
        let info = |width| Info {
            width,
            height: 300,
            kind: Kind::Jpeg,
            hash: Some("h".into()),
        };
        let plan = |width| {
            let s = images
                .plan(
                    Path::new("/c/p.jpg"),
                    "news/p.jpg",
                    "/news/p.jpg",
                    &info(width),
                )
                .unwrap();
            (s.own, s.webp.unwrap())
        };
        assert_eq!(
            plan(4000),
            (
                "/news/p.480w.jpg 480w, /news/p.960w.jpg 960w, /news/p.jpg 4000w".to_string(),
                "/news/p.480w.webp 480w, /news/p.960w.webp 960w".to_string()
            )
        );
        assert_eq!(
            plan(700),
            (
                "/news/p.480w.jpg 480w, /news/p.jpg 700w".to_string(),
                "/news/p.480w.webp 480w, /news/p.700w.webp 700w".to_string()
            )
        );
        assert!(
            images
                .plan(
                    Path::new("/c/p.jpg"),
                    "news/p.jpg",
                    "/news/p.jpg",
                    &info(480)
                )
                .is_none()
        );
    }

    #[test]
    fn character_references_are_decoded() {
        assert_eq!(unescape("a&amp;b&#x41;&#66;&lt;&nope"), "a&bAB<&nope");
    }
}
