//! The cost of re-deriving the model after one changed source (`model::Derivation::update`)
//! against a full `model::build` of the same site, for docs/serve.md:
//!
//! ```sh
//! cp -r /dev/shm/c10k /tmp/c10k   # gencorpus.py --pages 10000
//! cargo run --release --example derive_timing -- /tmp/c10k
//! ```
//!
//! Edits the body of one page, then its tags, then deletes it, timing each `update`.

use std::path::{Path, PathBuf};
use std::time::Instant;

use qiao::model::{Derivation, derive::Settings};

fn main() {
    let root = PathBuf::from(std::env::args().nth(1).expect("the site root"));
    let t = Instant::now();
    let (settings, _) = Settings::load(&root, false, false).expect("settings");
    let (mut d, first) = Derivation::new(settings);
    println!(
        "full derivation (as model::build): {:>8.3} s, {} pages, {} bodies rendered",
        t.elapsed().as_secs_f64(),
        first.model.pages.len(),
        d.rendered_last()
    );
    let page = first_page(&root.join("content"));
    let rel = page.strip_prefix(&root).unwrap().display().to_string();
    drop(first);
    let text = std::fs::read_to_string(&page).unwrap();
    type Edit<'a> = (&'a str, Box<dyn Fn() + 'a>);
    let edits: [Edit<'_>; 3] = [
        (
            "body edit",
            Box::new(|| std::fs::write(&page, format!("{text}\nOne more line.\n")).unwrap()),
        ),
        (
            "tag change",
            Box::new(|| {
                std::fs::write(&page, text.replacen("---\n", "---\ntags: [timing]\n", 1)).unwrap()
            }),
        ),
        (
            "deletion",
            Box::new(|| std::fs::remove_file(&page).unwrap()),
        ),
    ];
    for (what, edit) in edits {
        edit();
        let t = Instant::now();
        let derived = d.update(std::slice::from_ref(&page));
        println!(
            "update, {what} of {rel}: {:>8.3} s, {} bodies rendered, {} diagnostics",
            t.elapsed().as_secs_f64(),
            d.rendered_last(),
            derived.diagnostics.len()
        );
    }
    std::fs::write(&page, &text).unwrap();
}

/// The first Markdown page (not `_index`) under `dir`, in name order.
fn first_page(dir: &Path) -> PathBuf {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    for p in &entries {
        if p.is_file()
            && p.extension().is_some_and(|x| x == "md")
            && !p.file_name().unwrap().to_string_lossy().starts_with('_')
        {
            return p.clone();
        }
    }
    for p in entries {
        if p.is_dir() {
            return first_page(&p);
        }
    }
    panic!("no page under {}", dir.display())
}
