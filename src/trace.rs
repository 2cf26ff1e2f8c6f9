//! Where a build spends its time and memory, stage by stage (`QIAO_TRACE=1`): used by the
//! build, by `qiao serve`'s updates and by the model's derivation, so it lives apart from all
//! three.

use std::time::Instant;

/// With `QIAO_TRACE=1`, prints after each stage the wall time, the CPU time of all threads
/// (user and system) and the resident memory to stderr: the cheapest way to see where a large
/// build spends its time and memory, and the CPU time stays meaningful on a busy machine.
pub struct Trace {
    on: bool,
    start: Instant,
}

impl Default for Trace {
    fn default() -> Trace {
        Trace::new()
    }
}

impl Trace {
    /// Starts the clock (on when `QIAO_TRACE` is set and not `0`).
    pub fn new() -> Trace {
        Trace {
            on: std::env::var_os("QIAO_TRACE").is_some_and(|v| v != "0"),
            start: Instant::now(),
        }
    }

    /// Prints the time and memory after the stage `name`.
    pub fn stage(&self, name: &str) {
        if !self.on {
            return;
        }
        // Linux: resident pages are the second field of /proc/self/statm; user and system
        // CPU time, in clock ticks (100 a second), the 14th and 15th of /proc/self/stat
        // (counted after the command name, which is in parentheses and may hold spaces).
        let rss_mb = std::fs::read_to_string("/proc/self/statm")
            .ok()
            .and_then(|s| s.split_whitespace().nth(1)?.parse::<u64>().ok())
            .map_or(0, |pages| pages * 4096 / 1_048_576);
        let cpu = std::fs::read_to_string("/proc/self/stat")
            .ok()
            .and_then(|s| {
                let mut f = s.rsplit_once(')')?.1.split_whitespace().skip(11);
                let user = f.next()?.parse::<u64>().ok()?;
                let system = f.next()?.parse::<u64>().ok()?;
                Some((user + system) as f64 / 100.0)
            })
            .unwrap_or(0.0);
        eprintln!(
            "qiao trace: {:>8.3} s  {:>7.2} s CPU  {:>6} MB  {name}",
            self.start.elapsed().as_secs_f64(),
            cpu,
            rss_mb
        );
    }
}
