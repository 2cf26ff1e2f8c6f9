//! The cost of re-deriving the model after one changed source (`model::Derivation::update`)
//! against a full `model::build` of the same site, for docs/serve.md:
//!
//! ```sh
//! cp -r /dev/shm/c10k /dev/shm/c10k-timing   # gencorpus.py --pages 10000
//! cargo run --release --example derive_timing -- /dev/shm/c10k-timing [ROUNDS] [verify] [cross]
//! ```
//!
//! Edits the body of one page, creates a page, deletes it, changes the tags of a page and
//! moves its date, timing each `update` (the median of ROUNDS rounds, 5 by default, each
//! edit undone between rounds) with its steps. Each edit is checked to change what it says
//! it changes (the bodies rendered, and the pages, terms or lists that differ from the model
//! before), so that a timing never measures an edit that did nothing; with `verify`, each
//! derived model and its diagnostics are also compared with a fresh derivation; with
//! `cross`, the cross-language checks run too, as in `qiao serve`. The site's files are
//! restored at the end.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use qiao::model::{Derivation, PageId, SectionId, SiteModel, derive::Settings};

/// One kind of edit: what it does to the site, and what the derived model must then show.
struct Edit {
    name: &'static str,
    /// Changes the files; returns the paths changed.
    apply: Box<dyn Fn() -> Vec<PathBuf>>,
    /// Undoes it; returns the paths changed.
    undo: Box<dyn Fn() -> Vec<PathBuf>>,
    /// Checks the difference between the model before and after.
    expect: fn(&Difference, usize) -> Result<(), String>,
}

/// One timed update: its time, and each step's.
type Timed = (Duration, Vec<(&'static str, Duration)>);

/// How two models differ, page by page.
#[derive(Debug, Default)]
struct Difference {
    added: usize,
    removed: usize,
    changed: usize,
    /// Pages whose listing (section, neighbours) changed but not their text.
    taxonomies_changed: bool,
    sections_changed: bool,
}

fn main() {
    let mut args = std::env::args().skip(1);
    let root = PathBuf::from(args.next().expect("the site root"));
    let rounds: usize = args
        .next()
        .map_or(5, |n| n.parse().expect("a number of rounds"));
    let flags: Vec<String> = args.collect();
    // `verify`: every update is also compared with a fresh derivation (slow).
    let verify = flags.iter().any(|a| a == "verify");
    // `cross`: with the cross-language checks, as `qiao serve` derives.
    let derive = if flags.iter().any(|a| a == "cross") {
        Derivation::with_cross_checks
    } else {
        Derivation::new
    };
    let t = Instant::now();
    let (settings, _) = Settings::load(&root, false, false).expect("settings");
    let (mut d, first) = derive(settings);
    println!(
        "full derivation (as model::build): {:>8.3} s, {} pages, {} bodies rendered",
        t.elapsed().as_secs_f64(),
        first.model.pages.len(),
        d.rendered_last()
    );
    let mut before = fingerprints(&first.model);
    drop(first);
    let page = first_page(&root.join("content"));
    let text = std::fs::read_to_string(&page).expect("the page");
    let new_page = page.with_file_name("derive-timing-new.md");
    let edits = edits(&page, &text, &new_page);
    let mut times: HashMap<&str, Vec<Timed>> = HashMap::new();
    for round in 0..rounds {
        for edit in &edits {
            let changed = (edit.apply)();
            let t = Instant::now();
            let derived = d.update(&changed);
            let took = t.elapsed();
            let after = fingerprints(&derived.model);
            let diff = difference(&before, &after);
            if let Err(e) = (edit.expect)(&diff, d.rendered_last()) {
                panic!(
                    "{}: the edit did not do what it says: {e} ({diff:?})",
                    edit.name
                );
            }
            if verify {
                let (settings, _) = Settings::load(&root, false, false).expect("settings");
                let (_, fresh) = derive(settings);
                let shown = |ds: &[qiao::diagnostics::Diagnostic]| {
                    let mut v: Vec<String> = ds.iter().map(|d| format!("{d:?}")).collect();
                    v.sort();
                    v
                };
                assert_eq!(
                    shown(&derived.diagnostics),
                    shown(&fresh.diagnostics),
                    "{}: diagnostics differ from a fresh derivation",
                    edit.name
                );
                assert!(
                    derived.model.rendering_inputs() == fresh.model.rendering_inputs(),
                    "{}: the model differs from a fresh derivation",
                    edit.name
                );
                println!("{}: equal to a fresh derivation", edit.name);
            }
            if round == 0 {
                println!(
                    "{}: {} bodies rendered, {diff:?}, {} diagnostics",
                    edit.name,
                    d.rendered_last(),
                    derived.diagnostics.len()
                );
            }
            let steps = d.steps().times().to_vec();
            times.entry(edit.name).or_default().push((took, steps));
            drop(derived);
            // Undone (not timed), for the next edit to start from the same site.
            let derived = d.update(&(edit.undo)());
            before = fingerprints(&derived.model);
        }
    }
    println!("\nmedian of {rounds} rounds, release build expected:");
    for edit in &edits {
        let mut ts = times.remove(edit.name).unwrap_or_default();
        ts.sort_by_key(|(t, _)| *t);
        let (t, steps) = &ts[ts.len() / 2];
        println!("update, {}: {:>8.2} ms", edit.name, ms(*t));
        for (name, d) in steps {
            println!("    {:>8.2} ms  {name}", ms(*d));
        }
    }
    std::fs::write(&page, &text).expect("the page restored");
    let _ = std::fs::remove_file(&new_page);
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The edits timed, each with its undoing.
fn edits(page: &Path, text: &str, new_page: &Path) -> Vec<Edit> {
    let with_line = |prefix: &'static str, line: &'static str| {
        let (page, text) = (page.to_path_buf(), text.to_string());
        let changed: String = text
            .lines()
            .map(|l| if l.starts_with(prefix) { line } else { l })
            .collect::<Vec<_>>()
            .join("\n")
            + "\n";
        assert_ne!(changed, text, "the page has no `{prefix}` line");
        Box::new(move || {
            std::fs::write(&page, &changed).expect("write");
            vec![page.clone()]
        }) as Box<dyn Fn() -> Vec<PathBuf>>
    };
    let restore = || {
        let (page, text) = (page.to_path_buf(), text.to_string());
        Box::new(move || {
            std::fs::write(&page, &text).expect("write");
            vec![page.clone()]
        }) as Box<dyn Fn() -> Vec<PathBuf>>
    };
    let (p, t) = (page.to_path_buf(), text.to_string());
    let (n, n2) = (new_page.to_path_buf(), new_page.to_path_buf());
    vec![
        Edit {
            name: "body edit",
            apply: Box::new(move || {
                std::fs::write(&p, format!("{t}\nOne more line.\n")).expect("write");
                vec![p.clone()]
            }),
            undo: restore(),
            expect: |d, rendered| {
                (rendered == 1 && d.changed == 1 && d.added + d.removed == 0)
                    .then_some(())
                    .ok_or_else(|| "one page's body changes".into())
            },
        },
        Edit {
            name: "new page",
            apply: Box::new({
                let t = text.to_string();
                move || {
                    std::fs::write(&n, &t).expect("write");
                    vec![n.clone()]
                }
            }),
            undo: Box::new(move || {
                std::fs::remove_file(&n2).expect("remove");
                vec![n2.clone()]
            }),
            expect: |d, rendered| {
                (rendered >= 1 && d.added >= 1 && d.removed == 0)
                    .then_some(())
                    .ok_or_else(|| "a page is added".into())
            },
        },
        Edit {
            name: "deletion",
            apply: Box::new({
                let p = page.to_path_buf();
                move || {
                    std::fs::remove_file(&p).expect("remove");
                    vec![p.clone()]
                }
            }),
            undo: restore(),
            expect: |d, _| {
                (d.removed >= 1 && d.added == 0)
                    .then_some(())
                    .ok_or_else(|| "a page is removed".into())
            },
        },
        Edit {
            name: "tag change",
            apply: with_line("tags:", "tags: [\"derive-timing\"]"),
            undo: restore(),
            expect: |d, _| {
                (d.taxonomies_changed && d.changed >= 1 && d.added + d.removed == 0)
                    .then_some(())
                    .ok_or_else(|| "the terms change".into())
            },
        },
        Edit {
            name: "date change",
            apply: with_line("date:", "date: 2019-06-15T10:00:00+08:00"),
            undo: restore(),
            expect: |d, _| {
                (d.sections_changed && d.changed >= 1 && d.added + d.removed == 0)
                    .then_some(())
                    .ok_or_else(|| "the page and its section's order change".into())
            },
        },
    ]
}

/// A fingerprint of every page (by language, key and whether it is a fallback copy), of the
/// sections and of the taxonomies.
struct Fingerprints {
    pages: HashMap<(qiao::config::Lang, String, bool), blake3::Hash>,
    sections: blake3::Hash,
    taxonomies: blake3::Hash,
}

fn fingerprints(m: &SiteModel) -> Fingerprints {
    let page_names =
        |ids: &[PageId]| -> Vec<&str> { ids.iter().map(|&i| m.pages[i].key.as_str()).collect() };
    Fingerprints {
        pages: (m.pages.iter())
            .map(|p| {
                let mut p = p.clone();
                // Indices move with every page added or removed before them.
                let (prev, next) = (p.prev.take(), p.next.take());
                p.section = SectionId::new(0);
                let seen = format!(
                    "{p:?} {:?} {:?}",
                    prev.map(|i| &m.pages[i].key),
                    next.map(|i| &m.pages[i].key)
                );
                (
                    (p.lang, p.key.clone(), p.fallback),
                    blake3::hash(seen.as_bytes()),
                )
            })
            .collect(),
        sections: blake3::hash(
            format!(
                "{:?}",
                (m.sections.iter())
                    .map(|s| (&s.dir, &s.lang, page_names(&s.pages)))
                    .collect::<Vec<_>>()
            )
            .as_bytes(),
        ),
        taxonomies: blake3::hash(
            format!(
                "{:?}",
                (m.taxonomies.iter())
                    .map(|t| (
                        &t.name,
                        &t.lang,
                        (t.terms.iter())
                            .map(|term| (&term.slug, page_names(&term.pages)))
                            .collect::<Vec<_>>()
                    ))
                    .collect::<Vec<_>>()
            )
            .as_bytes(),
        ),
    }
}

fn difference(a: &Fingerprints, b: &Fingerprints) -> Difference {
    let mut d = Difference::default();
    for (k, h) in &b.pages {
        match a.pages.get(k) {
            None => d.added += 1,
            Some(old) if old != h => d.changed += 1,
            Some(_) => {}
        }
    }
    d.removed = a.pages.keys().filter(|k| !b.pages.contains_key(*k)).count();
    d.taxonomies_changed = a.taxonomies != b.taxonomies;
    d.sections_changed = a.sections != b.sections;
    d
}

/// The first Markdown page in the default language (not `_index`, no language in its name)
/// under `dir`, in name order.
fn first_page(dir: &Path) -> PathBuf {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("content/")
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    for p in &entries {
        if p.is_file()
            && p.extension().is_some_and(|x| x == "md")
            && p.file_stem().is_some_and(|s| {
                let s = s.to_string_lossy();
                !s.starts_with('_') && !s.contains('.')
            })
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
