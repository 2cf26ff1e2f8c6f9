//! How long each step of deriving the model took: [`super::Derivation`] records them on
//! every derivation and prints them to stderr when `QIAO_TRACE=1` (as `qiao build` prints its
//! stages), so that the cost of an update can be read step by step.

use std::time::{Duration, Instant};

/// The steps of one derivation, in the order they ran, each with its time.
#[derive(Debug, Clone)]
pub struct Steps {
    last: Instant,
    times: Vec<(&'static str, Duration)>,
}

impl Default for Steps {
    fn default() -> Steps {
        Steps::new()
    }
}

impl Steps {
    /// Starts timing now.
    pub fn new() -> Steps {
        Steps {
            last: Instant::now(),
            times: Vec::new(),
        }
    }

    /// Ends the step `name`: the time since the previous mark (or the start).
    pub fn mark(&mut self, name: &'static str) {
        let now = Instant::now();
        self.times.push((name, now - self.last));
        self.last = now;
    }

    /// Every step timed, in order.
    pub fn times(&self) -> &[(&'static str, Duration)] {
        &self.times
    }

    /// The time of all steps together.
    pub fn total(&self) -> Duration {
        self.times.iter().map(|(_, d)| *d).sum()
    }

    /// Prints the steps to stderr when the environment sets `QIAO_TRACE` (to anything but
    /// `0`), one line each, headed by `what`.
    pub fn trace(&self, what: &str) {
        if std::env::var_os("QIAO_TRACE").is_none_or(|v| v == "0") {
            return;
        }
        for (name, d) in &self.times {
            eprintln!(
                "qiao trace: {what}: {:>9.3} ms  {name}",
                d.as_secs_f64() * 1000.0
            );
        }
        eprintln!(
            "qiao trace: {what}: {:>9.3} ms  total",
            self.total().as_secs_f64() * 1000.0
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_kept_in_order_and_add_up() {
        let mut s = Steps::new();
        s.mark("one");
        s.mark("two");
        let names: Vec<&str> = s.times().iter().map(|(n, _)| *n).collect();
        assert_eq!(names, ["one", "two"]);
        assert_eq!(s.total(), s.times()[0].1 + s.times()[1].1);
    }
}
