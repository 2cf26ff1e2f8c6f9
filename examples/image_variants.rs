//! The cost of responsive image variants (BENCHMARKS.md, "Images"): builds a site whose one
//! page shows `N` photos of `W`×`H` pixels, once with an empty cache (every variant
//! encoded) and once more (every variant copied from `.qiao/cache`), and prints the times.
//!
//! ```sh
//! cargo run --release --example image_variants -- [N] [W] [H]    # default 8 4000 3000
//! ```
//!
//! The photos are drawn here, the same on every run: smooth gradients with fine noise,
//! which JPEG and WebP find about as hard as a real photo.

use std::time::Instant;

fn main() {
    let args: Vec<u32> = std::env::args()
        .skip(1)
        .map(|a| a.parse().expect("numbers: N W H"))
        .collect();
    let n = args.first().copied().unwrap_or(8);
    let (w, h) = (
        args.get(1).copied().unwrap_or(4000),
        args.get(2).copied().unwrap_or(3000),
    );
    let dir = tempfile::tempdir().expect("a temporary directory");
    let root = dir.path();
    let bundle = root.join("content/photos");
    std::fs::create_dir_all(&bundle).expect("content/photos");
    std::fs::write(
        root.join("site.toml"),
        "base_url = \"https://example.org/\"\ndefault_language = \"en\"\n\n\
         [languages.en]\nname = \"English\"\nlocale = \"en\"\ntitle = \"Photos\"\n",
    )
    .expect("site.toml");
    let mut body = String::from("---\ntitle: Photos\n---\n");
    let mut seed: u32 = 20161128;
    for i in 0..n {
        let img = image::RgbImage::from_fn(w, h, |x, y| {
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            let noise = (seed >> 28) as u8;
            image::Rgb([
                ((x * 255 / w) as u8).wrapping_add(noise),
                ((y * 255 / h) as u8).wrapping_add(noise / 2),
                (((x + y + i * 97) / 16) as u8).wrapping_add(noise),
            ])
        });
        img.save(bundle.join(format!("photo{i}.jpg")))
            .expect("a photo");
        body.push_str(&format!("![Photo {i}](photo{i}.jpg)\n\n"));
    }
    std::fs::write(bundle.join("index.md"), body).expect("index.md");

    let settings = qiao::images::ImageSettings::default();
    let widths = settings.widths.iter().filter(|&&x| x < w).count();
    // Each width in JPEG and WebP, plus a WebP of the full size when no width is wider.
    let full = settings.widths.last().is_some_and(|&l| w <= l);
    let per_photo = widths * (1 + usize::from(settings.webp)) + usize::from(settings.webp && full);
    let mp = f64::from(w) * f64::from(h) / 1e6;
    let build = || {
        let mut opts = qiao::BuildOptions::new(root);
        opts.output = Some(root.join("public"));
        let start = Instant::now();
        qiao::build(&opts).expect("the site builds");
        start.elapsed().as_secs_f64()
    };
    let cold = build();
    let warm = build();
    let variants = per_photo * n as usize;
    println!(
        "{n} photos of {w}x{h} ({mp:.1} MP), widths {:?}, WebP {}: {variants} variants",
        settings.widths, settings.webp
    );
    println!(
        "cold (encode all): {cold:.2} s = {:.0} ms per photo, {:.0} ms per variant, {:.0} ms per MP of source",
        cold * 1e3 / f64::from(n),
        cold * 1e3 / variants as f64,
        cold * 1e3 / (mp * f64::from(n))
    );
    println!(
        "warm (from cache): {warm:.2} s = {:.0} ms per photo",
        warm * 1e3 / f64::from(n)
    );
}
