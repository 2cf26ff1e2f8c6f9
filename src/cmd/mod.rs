//! One module per `qiao` command: each holds its arguments (`Args`, parsed by clap in
//! `main.rs`) and an `execute` that runs the command and prints what it has to say on
//! standard output. A command that fails returns a [`Failure`]; `main` prints it, the one
//! place where errors reach the terminal, through [`print_diagnostics`].

pub mod build;
pub mod init;
pub mod new;
pub mod serve;
pub mod status;
pub mod translate;
pub mod xliff;

use std::io::{IsTerminal, Write};

use qiao::diagnostics::Diagnostic;
use rayon::prelude::*;

/// Like `print!`, but a closed pipe (`qiao status | head`) is not an error worth a panic.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stdout(), $($arg)*);
    }};
}

/// Like `println!`, without panicking on a closed pipe.
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

pub(crate) use {out, outln};

/// Why a command failed: the diagnostics to show, then a closing line (or only a line).
/// The exit status is then 1.
pub struct Failure {
    /// Errors (and the warnings that came with them), in the order to print them.
    pub diagnostics: Vec<Diagnostic>,
    /// Printed after the diagnostics, as it is (`error: ...` included).
    pub closing: Option<String>,
}

impl Failure {
    /// A failure told by diagnostics alone.
    pub fn diagnostics(diagnostics: Vec<Diagnostic>) -> Failure {
        Failure {
            diagnostics,
            closing: None,
        }
    }

    /// A failure told by one line, printed as `error: {message}`.
    pub fn message(message: impl std::fmt::Display) -> Failure {
        Failure {
            diagnostics: Vec::new(),
            closing: Some(format!("error: {message}")),
        }
    }

    /// Prints the failure to standard error.
    pub fn print(&self, color: bool) {
        print_diagnostics(&self.diagnostics, color);
        if let Some(line) = &self.closing {
            let _ = writeln!(std::io::stderr().lock(), "{line}");
        }
    }
}

/// What a command returns: its exit status, or why it failed.
pub type Outcome = Result<std::process::ExitCode, Failure>;

/// Whether to colour what goes to standard output.
pub fn stdout_color() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

/// Prints diagnostics to standard error, each as [`Diagnostic::render`] shows it, followed
/// by a line break. Rendering is done in parallel and the text goes out through one buffered
/// lock of standard error (which Rust does not buffer), in batches, so that a site with a
/// hundred thousand findings prints them in a fraction of a second and in the same order.
pub fn print_diagnostics(diags: &[Diagnostic], color: bool) {
    const BATCH: usize = 4096;
    let mut err = std::io::BufWriter::with_capacity(1 << 16, std::io::stderr().lock());
    for batch in diags.chunks(BATCH) {
        let rendered: Vec<String> = batch.par_iter().map(|d| d.render(color)).collect();
        for text in rendered {
            if writeln!(err, "{text}").is_err() {
                return;
            }
        }
    }
    let _ = err.flush();
}
