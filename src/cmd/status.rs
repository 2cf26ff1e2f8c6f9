//! `qiao status`: translation status per language and section, or with `--diff` what
//! changed in a source since its translation was made (see [`qiao::status`]).

use std::path::PathBuf;
use std::process::ExitCode;

use super::{Failure, Outcome, out, outln, stdout_color};

/// The arguments of `qiao status`.
#[derive(clap::Args)]
pub struct StatusArgs {
    /// Site root, the directory that holds site.toml.
    #[arg(long, default_value = ".")]
    root: PathBuf,
    /// Print JSON (stable format, see docs/translating.md).
    #[arg(long, conflicts_with_all = ["html", "diff"])]
    json: bool,
    /// Only this language.
    #[arg(long)]
    lang: Option<String>,
    /// Exit with 1 when the [translation] policy of site.toml is not met.
    #[arg(long)]
    strict: bool,
    /// Show what changed in the source since the translation in PATH was made: each
    /// changed block as it was and as it is, beside the translation's block.
    #[arg(long, value_name = "PATH")]
    diff: Option<String>,
    /// With --diff: a unified diff of the source's text instead of the block view.
    #[arg(long, requires = "diff")]
    line_diff: bool,
    /// Also write a self-contained HTML report to FILE.
    #[arg(long, value_name = "FILE")]
    html: Option<PathBuf>,
    /// List every draft with its path and language.
    #[arg(long)]
    drafts: bool,
}

/// `qiao status`.
pub fn execute(args: StatusArgs) -> Outcome {
    let StatusArgs {
        root,
        json,
        lang,
        strict,
        diff,
        line_diff,
        html,
        drafts,
    } = args;
    if let Some(path) = diff {
        let d = qiao::status::diff(&root, &path, line_diff, stdout_color())
            .map_err(|e| Failure::diagnostics(vec![e]))?;
        out!("{d}");
        return Ok(ExitCode::SUCCESS);
    }
    let opts = qiao::status::StatusOptions { root, lang };
    let st = qiao::status::status(&opts).map_err(Failure::diagnostics)?;
    if json {
        match serde_json::to_string_pretty(&st) {
            Ok(j) => outln!("{j}"),
            Err(e) => Failure::message(e).print(false),
        }
    } else {
        out!("{}", qiao::status::human(&st, stdout_color(), drafts));
    }
    if let Some(file) = html
        && let Err(e) = std::fs::write(&file, qiao::status::html(&st))
    {
        return Err(Failure::message(format!(
            "cannot write {}: {e}",
            file.display()
        )));
    }
    if strict && qiao::status::fails_strict(&st) {
        Ok(ExitCode::from(1))
    } else {
        Ok(ExitCode::SUCCESS)
    }
}
