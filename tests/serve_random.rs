//! The invariant of `qiao serve`: after any sequence of edits, creations, deletions and
//! renames, of files and of whole directories (moved out of the site and back, renamed,
//! deleted), the served site is exactly what a clean `qiao build` of the same sources writes
//! (or, while the sources have errors, exactly the last good build).
//!
//! Each step applies one or a burst of random operations, waits until the server has caught
//! up, builds the same sources from scratch into another directory, and compares the two
//! trees byte for byte. `QIAO_RANDOM_SEEDS=n` and `QIAO_RANDOM_STEPS=n` make the run longer;
//! a failure prints the seed and the operations that led to it.

mod serve_support;

use std::fs;
use std::path::{Path, PathBuf};

use serve_support::*;

/// xorshift64*: small, deterministic, good enough to pick operations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        (!items.is_empty()).then(|| &items[self.below(items.len())])
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

/// Files whose removal breaks internal links of the fixture: they are only broken and
/// restored on purpose, by `break` and `fix`.
const LINKED: [&str; 2] = ["content/bases/kaiping.md", "content/news/only-zh.md"];

struct Site {
    root: PathBuf,
    rng: Rng,
    counter: usize,
    /// Files made invalid, with their good text.
    broken: Vec<(PathBuf, String)>,
    /// Outside the site: where directories are moved out to.
    outside: PathBuf,
    /// Directories moved out, with where they were.
    away: Vec<(PathBuf, PathBuf)>,
    log: Vec<String>,
}

impl Site {
    fn markdown(&self) -> Vec<PathBuf> {
        let mut v: Vec<PathBuf> = walkdir::WalkDir::new(self.root.join("content"))
            .sort_by_file_name()
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file() && e.path().extension() == Some("md".as_ref()))
            .map(|e| e.into_path())
            .collect();
        v.retain(|p| !self.broken.iter().any(|(b, _)| b == p));
        v
    }

    fn movable(&self) -> Vec<PathBuf> {
        self.markdown()
            .into_iter()
            .filter(|p| !LINKED.iter().any(|l| p.ends_with(l)))
            .collect()
    }

    /// Directories where a new page may go: not inside a page bundle (a page there would
    /// collide with the bundle's own output, an error that would stay for good).
    fn dirs(&self) -> Vec<PathBuf> {
        let content = self.root.join("content");
        let in_bundle = |dir: &Path| {
            dir.ancestors()
                .take_while(|a| a.starts_with(&content))
                .any(|a| {
                    fs::read_dir(a).unwrap().any(|e| {
                        let name = e.unwrap().file_name().to_string_lossy().into_owned();
                        name.starts_with("index.") && name.ends_with(".md")
                    })
                })
        };
        walkdir::WalkDir::new(&content)
            .sort_by_file_name()
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_dir() && !in_bundle(e.path()))
            .map(|e| e.into_path())
            .collect()
    }

    /// Directories that may be moved, renamed or deleted as a whole: any under `content/`
    /// that holds no linked file.
    fn movable_dirs(&self) -> Vec<PathBuf> {
        let content = self.root.join("content");
        walkdir::WalkDir::new(&content)
            .min_depth(1)
            .sort_by_file_name()
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_dir())
            .map(|e| e.into_path())
            .filter(|d| !LINKED.iter().any(|l| self.root.join(l).starts_with(d)))
            .collect()
    }

    /// Moves, renames or deletes a whole directory, or moves one back into the site.
    fn directory_operation(&mut self) -> String {
        self.counter += 1;
        let c = self.counter;
        if !self.away.is_empty() && self.rng.chance(30) {
            let (from, was) = self.away.remove(self.rng.below(self.away.len()));
            let to = if was.exists() || self.rng.chance(50) {
                let dirs = self.dirs();
                self.rng.pick(&dirs).unwrap().join(format!("back{c}"))
            } else {
                was
            };
            fs::create_dir_all(to.parent().unwrap()).unwrap();
            fs::rename(&from, &to).unwrap();
            return format!("move a directory back in: {}", self.rel(&to));
        }
        let Some(dir) = self.rng.pick(&self.movable_dirs()).cloned() else {
            return "directory: nothing to move".into();
        };
        match self.rng.below(4) {
            0 | 1 => {
                let to = self.outside.join(format!("d{c}"));
                fs::rename(&dir, &to).unwrap();
                let what = format!("move {} out of the site", self.rel(&dir));
                self.away.push((to, dir));
                what
            }
            2 => {
                let dirs: Vec<PathBuf> = self
                    .dirs()
                    .into_iter()
                    .filter(|d| !d.starts_with(&dir))
                    .collect();
                let parent = self
                    .rng
                    .pick(&dirs)
                    .cloned()
                    .unwrap_or_else(|| dir.parent().unwrap().to_path_buf());
                let to = parent.join(format!("moved{c}"));
                fs::rename(&dir, &to).unwrap();
                format!("rename {} -> {}", self.rel(&dir), self.rel(&to))
            }
            _ => {
                fs::remove_dir_all(&dir).unwrap();
                format!("delete the directory {}", self.rel(&dir))
            }
        }
    }

    fn rel(&self, p: &Path) -> String {
        p.strip_prefix(&self.root)
            .unwrap()
            .to_string_lossy()
            .into_owned()
    }

    fn fresh_name(&mut self) -> String {
        self.counter += 1;
        let lang = match self.rng.below(4) {
            0 => ".en",
            1 => ".de",
            _ => "",
        };
        format!("gen-{}{lang}.md", self.counter)
    }

    fn page(&mut self, title: &str) -> String {
        let tags = ["江门", "合作", "news", "Zone"];
        let tag = tags[self.rng.below(tags.len())];
        let day = 1 + self.rng.below(28);
        format!(
            "---\ntitle: {title}\ndate: 2021-03-{day:02}\ntags: [{tag}]\n---\n{title}：正文 body text {}.\n",
            self.counter
        )
    }

    fn save(&mut self, path: &Path, text: &str) {
        if self.rng.chance(50) {
            atomic_save(path, text);
        } else {
            fs::write(path, text).unwrap();
        }
    }

    /// Applies one random operation and describes it.
    fn operate(&mut self) -> String {
        // errors are fixed soon, as editors do, so that most steps build
        if !self.broken.is_empty() && self.rng.chance(40) {
            let i = self.rng.below(self.broken.len());
            let (p, good) = self.broken.remove(i);
            write(&p, &good);
            return format!("fix {}", self.rel(&p));
        }
        match self.rng.below(100) {
            0..=19 => {
                let Some(p) = self.rng.pick(&self.markdown()).cloned() else {
                    return "edit: nothing to edit".into();
                };
                self.counter += 1;
                let c = self.counter;
                let text = fs::read_to_string(&p).unwrap();
                // Mostly body edits, and front matter edits that move nothing (applied
                // incrementally), some that may change what other pages see (headings, links,
                // titles: full rebuilds when they do).
                let describe = if text.contains("\ndescription: ") {
                    text.replacen("\ndescription: ", &format!("\ndescription: {c} "), 1)
                } else {
                    text.replacen("---\n", &format!("---\ndescription: 描述 {c}\n"), 1)
                };
                let (new, what) = match self.rng.below(9) {
                    0 => (format!("{text}\n## 小节 Part {c}\n"), "add a heading to"),
                    1 => (
                        text.replacen("title: ", &format!("title: {c} "), 1),
                        "retitle",
                    ),
                    2 => (
                        format!("{text}\n见 [开平](@/bases/kaiping.md) {c}。\n"),
                        "add a link to",
                    ),
                    3 => (
                        text.replacen("\n---\n", &format!("\n---\n第一段 First {c}.\n\n"), 1),
                        "insert a first paragraph in",
                    ),
                    4 => (describe, "describe"),
                    _ => (format!("{text}\n编辑 edit {c}.\n"), "edit"),
                };
                self.save(&p, &new);
                format!("{what} {}", self.rel(&p))
            }
            20..=36 => {
                let dirs = self.dirs();
                let mut dir = self.rng.pick(&dirs).cloned().unwrap();
                if self.rng.chance(20) {
                    dir = dir.join(format!("sub{}", self.counter));
                }
                let name = self.fresh_name();
                let text = self.page(&format!("新页 {}", self.counter));
                write(dir.join(&name), &text);
                format!("create {}", self.rel(&dir.join(name)))
            }
            37..=46 => {
                let Some(p) = self.rng.pick(&self.movable()).cloned() else {
                    return "delete: nothing".into();
                };
                fs::remove_file(&p).unwrap();
                format!("delete {}", self.rel(&p))
            }
            47..=58 => {
                let Some(p) = self.rng.pick(&self.movable()).cloned() else {
                    return "rename: nothing".into();
                };
                let dirs = self.dirs();
                let dir = if self.rng.chance(50) {
                    p.parent().unwrap().to_path_buf()
                } else {
                    self.rng.pick(&dirs).cloned().unwrap()
                };
                let to = dir.join(self.fresh_name());
                if to.exists() {
                    return "rename: target exists".into();
                }
                fs::rename(&p, &to).unwrap();
                format!("rename {} -> {}", self.rel(&p), self.rel(&to))
            }
            59..=70 => self.directory_operation(),
            71..=78 => {
                let css = self.root.join("static/site.css");
                self.counter += 1;
                let text = format!("body {{ margin: {}px; }}\n", self.counter);
                self.save(&css, &text);
                "edit static/site.css".into()
            }
            79..=84 => {
                self.counter += 1;
                let p = self
                    .root
                    .join(format!("content/files/f{}.txt", self.counter % 3));
                if p.exists() && self.rng.chance(50) {
                    fs::remove_file(&p).unwrap();
                    format!("delete {}", self.rel(&p))
                } else {
                    write(&p, &format!("asset {}\n", self.counter));
                    format!("write {}", self.rel(&p))
                }
            }
            85..=91 => {
                // an error: invalid front matter, or a linked page removed
                if self.rng.chance(50) {
                    let Some(p) = self.rng.pick(&self.markdown()).cloned() else {
                        return "break: nothing".into();
                    };
                    let good = fs::read_to_string(&p).unwrap();
                    self.save(&p, "---\ntitle: [unclosed\n---\nbroken\n");
                    self.broken.push((p.clone(), good));
                    format!("break {}", self.rel(&p))
                } else {
                    let p = self.root.join(LINKED[self.rng.below(LINKED.len())]);
                    if !p.exists() {
                        return "break: already removed".into();
                    }
                    let good = fs::read_to_string(&p).unwrap();
                    fs::remove_file(&p).unwrap();
                    self.broken.push((p.clone(), good));
                    format!("remove linked {}", self.rel(&p))
                }
            }
            _ => {
                // editors' leftovers only: no change to the site
                let dirs = self.dirs();
                let dir = self.rng.pick(&dirs).cloned().unwrap();
                fs::write(dir.join(".gen.md.swp"), "swap").unwrap();
                fs::write(dir.join("gen.md~"), "backup").unwrap();
                fs::write(dir.join("4913"), "").unwrap();
                fs::remove_file(dir.join("4913")).unwrap();
                format!("swap files in {}", self.rel(&dir))
            }
        }
    }
}

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Runs one sequence; returns how many of the server's rebuilds were incremental.
fn run_sequence(seed: u64, steps: usize) -> u64 {
    let dir = copy_fixture("trilingual");
    let outside = tempfile::tempdir().unwrap();
    let server = start(dir.path());
    let base_url = server.base_url().to_string();
    let mut site = Site {
        root: dir.path().canonicalize().unwrap(),
        rng: Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1),
        counter: 0,
        broken: Vec::new(),
        outside: outside.path().to_path_buf(),
        away: Vec::new(),
        log: Vec::new(),
    };
    let mut last_good = clean_build(&site.root, &base_url).expect("the fixture builds");
    assert!(differences(&tree(server.site_dir()), &last_good).is_empty());

    let (mut built, mut failed) = (0, 0);
    for step in 0..steps {
        // one operation, or a burst of several without waiting
        let n = if site.rng.chance(25) {
            2 + site.rng.below(5)
        } else {
            1
        };
        for _ in 0..n {
            let op = site.operate();
            site.log.push(format!("step {step}: {op}"));
        }
        sync(&server);
        let context = || format!("seed {seed}, operations:\n{}", site.log.join("\n"));
        let served = tree(server.site_dir());
        let status = server.status();
        match clean_build(&site.root, &base_url) {
            Ok(clean) => {
                assert!(
                    status.errors.is_empty(),
                    "the server has errors a clean build has not: {:?}\n{}",
                    status.errors,
                    context()
                );
                let d = differences(&served, &clean);
                assert!(d.is_empty(), "{d:#?}\n{}", context());
                last_good = clean;
                built += 1;
            }
            Err(errors) => {
                if std::env::var_os("QIAO_RANDOM_VERBOSE").is_some() {
                    eprintln!("step {step}: {errors:?}");
                }
                let served_errors: Vec<String> =
                    status.errors.iter().map(|d| d.to_string()).collect();
                assert_eq!(served_errors, errors, "{}", context());
                let d = differences(&served, &last_good);
                assert!(
                    d.is_empty(),
                    "not the last good site: {d:#?}\n{}",
                    context()
                );
                failed += 1;
            }
        }
    }
    let incremental = server.status().incremental;
    eprintln!(
        "seed {seed}: {built} steps matched a clean build ({incremental} rebuilds were \
         incremental), {failed} kept the last good site"
    );
    incremental
}

#[test]
fn random_edit_sequences_match_a_clean_build() {
    let seeds = env_or("QIAO_RANDOM_SEEDS", 3);
    let steps = env_or("QIAO_RANDOM_STEPS", 20) as usize;
    let first = env_or("QIAO_RANDOM_SEED", 1);
    let mut incremental = 0;
    for seed in first..first + seeds {
        incremental += run_sequence(seed, steps);
    }
    // The fast path must have been taken, or this test proves nothing about it.
    assert!(incremental > 0, "no rebuild was incremental");
}
