//! The cost of the search index alone (`search::language_index_files`, every language of a
//! site), for BENCHMARKS.md:
//!
//! ```sh
//! cargo run --release --example search_timing -- /dev/shm/c10k-search [ROUNDS]
//! ```
//!
//! The site must have `[search] enabled = true`. Derives the model once, then builds the
//! index of every language ROUNDS times (5 by default) and prints the median and the
//! fastest time, with the process's CPU time over all rounds (user + system, all threads),
//! the number of files and bytes, and a hash of them (to compare two builds' output).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use qiao::model::{Derivation, derive::Settings};

/// User + system CPU time of the process so far, from `/proc/self/stat` (clock ticks of
/// 1/100 s on Linux); `None` elsewhere.
fn cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let after_name = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    // Fields 14 and 15 of the line (utime, stime) are the 12th and 13th after the name.
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

fn main() {
    let mut args = std::env::args().skip(1);
    let root = PathBuf::from(args.next().expect("the site root"));
    let rounds: usize = args
        .next()
        .map_or(5, |n| n.parse().expect("a number of rounds"));
    let (settings, _) = Settings::load(&root, false, false).expect("settings");
    let (_, derived) = Derivation::new(settings);
    let model = derived.model;
    assert!(
        model.config.search.enabled,
        "{}: set `[search] enabled = true` in site.toml",
        root.display()
    );
    let codes: Vec<String> = model
        .config
        .languages
        .iter()
        .map(|l| l.code.clone())
        .collect();
    let mut times = Vec::new();
    let mut summary = (0, 0, String::new());
    let cpu_before = cpu_time();
    for _ in 0..rounds.max(1) {
        let t = Instant::now();
        let files: Vec<(String, Vec<u8>)> = codes
            .iter()
            .flat_map(|c| qiao::search::language_index_files(&model, c))
            .collect();
        times.push(t.elapsed());
        let mut hasher = blake3::Hasher::new();
        for (name, data) in &files {
            hasher.update(name.as_bytes());
            hasher.update(data);
        }
        summary = (
            files.len(),
            files.iter().map(|(_, d)| d.len()).sum::<usize>(),
            hasher.finalize().to_hex()[..16].to_string(),
        );
    }
    let cpu = match (cpu_before, cpu_time()) {
        (Some(a), Some(b)) => format!("{:.2} s", (b - a).as_secs_f64() / times.len() as f64),
        _ => "unknown".into(),
    };
    times.sort();
    println!(
        "search index of {} pages, {} languages: median {:.3} s, fastest {:.3} s, CPU {} per round; \
         {} files, {} bytes, hash {}",
        model.pages.len(),
        codes.len(),
        times[times.len() / 2].as_secs_f64(),
        times[0].as_secs_f64(),
        cpu,
        summary.0,
        summary.1,
        summary.2
    );
}
