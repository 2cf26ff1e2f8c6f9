//! `qiao build` and `qiao check`: the build pipeline ([`qiao::build`]), writing the site or
//! only checking it, then the one-line summary.

use std::path::PathBuf;
use std::process::ExitCode;

use qiao::build::Remains;
use qiao::diagnostics::Diagnostic;
use qiao::{BuildOptions, BuildReport};

use super::{Failure, Outcome, outln, print_diagnostics};

/// The arguments of `qiao build`.
#[derive(clap::Args)]
pub struct BuildArgs {
    /// Site root, the directory that holds site.toml.
    #[arg(long, default_value = ".")]
    root: PathBuf,
    /// Output directory [default: ROOT/public].
    #[arg(long)]
    output: Option<PathBuf>,
    /// Base URL to use instead of site.toml's base_url (and the languages' own).
    #[arg(long)]
    base_url: Option<String>,
    /// Write one directory per host (OUTPUT/<host>/) when languages have their own
    /// base_url in site.toml.
    #[arg(long)]
    split_hosts: bool,
    /// Include pages marked `draft: true`.
    #[arg(long)]
    drafts: bool,
    /// Include pages dated in the future.
    #[arg(long)]
    future: bool,
    /// Treat warnings as errors.
    #[arg(long)]
    strict: bool,
}

/// The arguments of `qiao check`.
#[derive(clap::Args)]
pub struct CheckArgs {
    /// Site root, the directory that holds site.toml.
    #[arg(long, default_value = ".")]
    root: PathBuf,
    /// Include pages marked `draft: true`.
    #[arg(long)]
    drafts: bool,
    /// Include pages dated in the future.
    #[arg(long)]
    future: bool,
    /// Treat warnings as errors.
    #[arg(long)]
    strict: bool,
}

/// `qiao build`.
pub fn build(args: BuildArgs, color: bool) -> Outcome {
    let BuildArgs {
        root,
        output,
        base_url,
        split_hosts,
        drafts,
        future,
        strict,
    } = args;
    let opts = BuildOptions {
        root,
        output,
        base_url,
        drafts,
        future,
        strict,
        write: true,
        split_hosts,
    };
    finish(qiao::build::build_with_remains(&opts), color, "built")
}

/// `qiao check`: everything a build does, but nothing written.
pub fn check(args: CheckArgs, color: bool) -> Outcome {
    let CheckArgs {
        root,
        drafts,
        future,
        strict,
    } = args;
    let opts = BuildOptions {
        root,
        output: None,
        base_url: None,
        drafts,
        future,
        strict,
        write: false,
        split_hosts: false,
    };
    finish(qiao::build::build_with_remains(&opts), color, "checked")
}

/// `not built: 2 drafts (zh 1, de 1), 1 page dated in the future (--drafts, --future
/// include them)`.
fn held_back_line(held: &qiao::build::HeldBack) -> String {
    let mut parts = Vec::new();
    let mut flags = Vec::new();
    let drafts: usize = held.drafts.iter().map(|(_, n)| n).sum();
    if drafts > 0 {
        let per: Vec<String> = held
            .drafts
            .iter()
            .map(|(l, n)| format!("{l} {n}"))
            .collect();
        let s = if drafts == 1 { "" } else { "s" };
        parts.push(format!("{drafts} draft{s} ({})", per.join(", ")));
        flags.push("--drafts");
    }
    if held.future > 0 {
        let n = held.future;
        parts.push(if n == 1 {
            "1 page dated in the future".to_string()
        } else {
            format!("{n} pages dated in the future")
        });
        flags.push("--future");
    }
    let verb = if flags.len() == 1 {
        "includes"
    } else {
        "include"
    };
    let them = if drafts + held.future == 1 {
        "it"
    } else {
        "them"
    };
    format!(
        "not built: {} ({} {verb} {them})",
        parts.join(", "),
        flags.join(", ")
    )
}

/// Prints a finished build's warnings and summary, or turns its errors into a [`Failure`]
/// with the count of errors and warnings as its closing line.
///
/// The process exits after this: the model, the template values and the printed warnings
/// are left to the operating system ([`std::mem::forget`]) rather than freed one allocation
/// at a time, which took half a second of CPU at 28,000 pages.
fn finish(
    result: Result<(BuildReport, Remains), Vec<Diagnostic>>,
    color: bool,
    verb: &str,
) -> Outcome {
    match result {
        Ok((mut report, remains)) => {
            std::mem::forget(remains);
            print_diagnostics(&report.warnings, color);
            let warning_count = report.warnings.len();
            std::mem::forget(std::mem::take(&mut report.warnings));
            let langs: Vec<String> = report
                .pages_per_language
                .iter()
                .map(|(code, n)| format!("{code} {n}"))
                .collect();
            let warnings = match warning_count {
                0 => String::new(),
                1 => ", 1 warning".to_string(),
                n => format!(", {n} warnings"),
            };
            outln!(
                "{verb}: pages {}; {} files in {:.2} s{warnings}",
                langs.join(", "),
                report.files,
                report.elapsed.as_secs_f64()
            );
            if !report.held_back.is_empty() {
                outln!("{}", held_back_line(&report.held_back));
            }
            if verb == "checked" && !report.unused_messages.is_empty() {
                outln!("unused messages: {}", report.unused_messages.join(", "));
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(diags) => {
            let errors = diags.iter().filter(|d| d.is_error()).count();
            let warnings = diags.len() - errors;
            let changed = diags
                .iter()
                .any(|d| d.message.starts_with(qiao::build::HALF_WAY));
            let closing = format!(
                "error: the site has {errors} error{}{}; {}",
                if errors == 1 { "" } else { "s" },
                match warnings {
                    0 => String::new(),
                    1 => " and 1 warning".into(),
                    n => format!(" and {n} warnings"),
                },
                if changed {
                    "the output was changed half-way"
                } else if verb == "checked" && errors == 1 {
                    "fix it and check again"
                } else if verb == "checked" {
                    "fix them and check again"
                } else {
                    "nothing was written"
                }
            );
            Err(Failure {
                diagnostics: diags,
                closing: Some(closing),
            })
        }
    }
}
