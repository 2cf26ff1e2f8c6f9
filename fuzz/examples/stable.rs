//! Runs the fuzz targets without libFuzzer or a nightly compiler: feeds each target the
//! repository's own files (the zone site, the test fixtures) and random mutations of them
//! for a number of seconds, and reports how many inputs it ran and the slowest one. A panic
//! saves the input under `fuzz/artifacts/<target>/` and fails.
//!
//! `cargo run --release --no-default-features --example stable -- [TARGET|all] [SECONDS]`
//! `cargo run --release --no-default-features --example stable -- --write-seeds` writes the
//! seeds to `fuzz/corpus/<target>/`, a starting corpus for `cargo fuzz run`.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use qiao_fuzz::{SITE_FILES, TARGETS, join_site};

/// A small, seedable xorshift generator: runs are reproducible from the seed they print.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

/// Pieces of syntax that random bytes rarely hit.
const TOKENS: &[&str] = &[
    "---\n",
    "+++\n",
    "\n",
    "\r\n",
    "\t",
    " ",
    "[",
    "]",
    "(",
    ")",
    "{",
    "}",
    "{{",
    "}}",
    "{%",
    "%}",
    "#",
    "# ",
    "## ",
    "{#id}",
    "*",
    "**",
    "_",
    "`",
    "```\n",
    "> ",
    "- ",
    "1. ",
    "|",
    "| --- |",
    "[^1]",
    "[^1]: ",
    "<!-- more -->",
    "@/news/a.md",
    "](",
    "![",
    "<",
    ">",
    "&",
    "\\",
    "\"",
    "'",
    "'''",
    "\"\"\"",
    "=",
    " = ",
    ":",
    ": ",
    "title: ",
    "date: ",
    "2016-02-29",
    "2016-02-30T25:00:00Z",
    "tags: [",
    "slug: ",
    "aliases: ",
    "draft: true",
    "translation_of: ",
    "[languages.",
    "[taxonomies.",
    "locale = ",
    "base_url = ",
    "default_language = ",
    "-> ",
    "{ $n }",
    "[one] ",
    "*[other] ",
    "-term",
    ".attr",
    "中",
    "欧",
    "，",
    "。",
    "ä",
    "ß",
    "\u{200b}",
    "\u{feff}",
    "\u{301}",
    "😀",
    "\u{0}",
    "\u{7f}",
    "\u{2028}",
    "%",
    "%2F",
    "../",
    "./",
    "/",
    "..",
    ".md",
    ".en",
    ".de",
];

fn mutate(rng: &mut Rng, input: &[u8], seeds: &[Vec<u8>]) -> Vec<u8> {
    let mut v = input.to_vec();
    for _ in 0..1 + rng.below(8) {
        let at = rng.below(v.len() + 1);
        match rng.below(7) {
            0 if !v.is_empty() => {
                let i = rng.below(v.len());
                v[i] ^= 1 << rng.below(8);
            }
            1 => v.insert(at, rng.next() as u8),
            2 => {
                let t = TOKENS[rng.below(TOKENS.len())].as_bytes();
                v.splice(at..at, t.iter().copied());
            }
            3 if !v.is_empty() => {
                let end = (at + 1 + rng.below(64)).min(v.len());
                v.drain(at.min(end)..end);
            }
            4 if !v.is_empty() => {
                // Repeat a piece: repetitive input finds quadratic paths.
                let start = rng.below(v.len());
                let end = (start + 1 + rng.below(16)).min(v.len());
                let piece = v[start..end].to_vec();
                for _ in 0..1 + rng.below(64) {
                    v.splice(at..at, piece.iter().copied());
                }
            }
            5 => {
                let other = &seeds[rng.below(seeds.len())];
                if !other.is_empty() {
                    let start = rng.below(other.len());
                    let end = (start + 1 + rng.below(256)).min(other.len());
                    v.splice(at..at, other[start..end].iter().copied());
                }
            }
            _ => {
                let i = rng.below(v.len() + 1);
                v.truncate(i.max(1).min(v.len()));
            }
        }
    }
    v.truncate(64 * 1024);
    v
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn files_with(dir: &Path, ext: &str) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        let mut entries: Vec<PathBuf> = rd.flatten().map(|e| e.path()).collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                if !p.ends_with("target") && !p.ends_with(".git") && !p.ends_with("public") {
                    stack.push(p);
                }
            } else if p.extension().is_some_and(|e| e == ext) {
                out.extend(std::fs::read(&p).ok());
            }
        }
    }
    out
}

/// Seeds: the repository's own files of each kind; for whole sites, the fixtures and the
/// zone site joined in [`SITE_FILES`] order.
fn seeds(target: &str) -> Vec<Vec<u8>> {
    let r = repo();
    let mut s = match target {
        "front_matter" | "markdown" => files_with(&r.join("content"), "md")
            .into_iter()
            .chain(files_with(&r.join("tests/fixtures"), "md"))
            .collect(),
        "site_toml" => {
            let mut v = vec![qiao_fuzz::SITE_TOML.as_bytes().to_vec()];
            v.extend(files_with(&r.join("tests/fixtures"), "toml"));
            v.extend(std::fs::read(r.join("site.toml")).ok());
            v
        }
        "ftl" => files_with(&r, "ftl"),
        _ => {
            let mut sites = vec![r.clone()];
            for f in ["trilingual", "i18n", "functions"] {
                sites.push(r.join("tests/fixtures").join(f));
            }
            sites
                .iter()
                .map(|site| {
                    let files: Vec<Vec<u8>> = SITE_FILES
                        .iter()
                        .map(|rel| {
                            let p = site.join(rel);
                            std::fs::read(&p).unwrap_or_else(|_| match *rel {
                                "site.toml" => qiao_fuzz::SITE_TOML.as_bytes().to_vec(),
                                _ => b"---\ntitle: x\n---\nbody\n".to_vec(),
                            })
                        })
                        .collect();
                    let mut joined = join_site(&files);
                    joined.insert(0, b'\n'); // even: checked, not written
                    joined
                })
                .collect()
        }
    };
    s.push(Vec::new());
    s
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--write-seeds") {
        for (name, _) in TARGETS {
            let dir = repo().join("fuzz/corpus").join(name);
            std::fs::create_dir_all(&dir).expect("corpus directory");
            for (i, s) in seeds(name).iter().enumerate() {
                std::fs::write(dir.join(format!("seed-{i}")), s).expect("seed file");
            }
        }
        return;
    }
    let which = args.first().map_or("all", String::as_str);
    let secs: u64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(10);
    let seed: u64 = std::env::var("FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x9e37_79b9_7f4a_7c15);
    let chosen: Vec<_> = TARGETS
        .iter()
        .filter(|(n, _)| which == "all" || *n == which)
        .collect();
    if chosen.is_empty() {
        eprintln!("unknown target {which}; one of: all, {}", names());
        std::process::exit(2);
    }
    std::panic::set_hook(Box::new(|_| {}));
    let mut failed = false;
    for (name, f) in chosen {
        let seeds = seeds(name);
        let mut rng = Rng(seed);
        let start = Instant::now();
        let (mut runs, mut slowest, mut slowest_input) = (0u64, Duration::ZERO, Vec::new());
        while start.elapsed() < Duration::from_secs(secs) {
            let base = &seeds[rng.below(seeds.len())];
            let input = if runs < seeds.len() as u64 {
                base.clone()
            } else {
                mutate(&mut rng, base, &seeds)
            };
            let t = Instant::now();
            let r = std::panic::catch_unwind(|| f(&input));
            let took = t.elapsed();
            if took > slowest {
                slowest = took;
                slowest_input.clone_from(&input);
            }
            runs += 1;
            if r.is_err() {
                let dir = repo().join("fuzz/artifacts").join(name);
                std::fs::create_dir_all(&dir).expect("artifact directory");
                let p = dir.join(format!("crash-{seed}-{runs}"));
                std::fs::write(&p, &input).expect("artifact file");
                eprintln!("{name}: panic on input {runs}, saved to {}", p.display());
                failed = true;
                break;
            }
        }
        // Timed again: the first call of a process pays for lazy initialisation.
        let t = Instant::now();
        let _ = std::panic::catch_unwind(|| f(&slowest_input));
        let again = t.elapsed();
        let dir = repo().join("fuzz/artifacts").join(name);
        std::fs::create_dir_all(&dir).expect("artifact directory");
        std::fs::write(dir.join("slowest"), &slowest_input).expect("artifact file");
        println!(
            "{name}: {runs} runs in {:.1} s, slowest input {:.1} ms ({} bytes; {:.1} ms when \
             run again; saved as fuzz/artifacts/{name}/slowest)",
            start.elapsed().as_secs_f64(),
            slowest.as_secs_f64() * 1e3,
            slowest_input.len(),
            again.as_secs_f64() * 1e3,
        );
    }
    if failed {
        std::process::exit(1);
    }
}

fn names() -> String {
    TARGETS
        .iter()
        .map(|(n, _)| *n)
        .collect::<Vec<_>>()
        .join(", ")
}
