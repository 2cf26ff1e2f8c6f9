//! `qiao translate`: create a translation stub next to a source page, or record that a
//! translation (or some of its blocks) is current (see [`qiao::status`]).

use std::path::PathBuf;
use std::process::ExitCode;

use super::{Failure, Outcome, outln};

/// The arguments of `qiao translate`.
#[derive(clap::Args)]
pub struct TranslateArgs {
    /// The default-language source, e.g. content/news/zone-unveiling.md.
    path: String,
    /// Language to translate into.
    #[arg(long)]
    to: String,
    /// Record that the translation now reflects the source's current revision.
    #[arg(long)]
    mark_current: bool,
    /// With --mark-current: record only that the change of block N (numbered as `qiao
    /// status` shows them, or a field name such as `summary`) needs no new translation;
    /// repeat for more blocks.
    #[arg(long = "block", value_name = "N", requires = "mark_current")]
    blocks: Vec<String>,
    /// Site root, the directory that holds site.toml.
    #[arg(long, default_value = ".")]
    root: PathBuf,
}

/// `qiao translate`.
pub fn execute(args: TranslateArgs) -> Outcome {
    let TranslateArgs {
        path,
        to,
        mark_current,
        blocks,
        root,
    } = args;
    let result = if !blocks.is_empty() {
        qiao::status::mark_blocks(&root, &path, &to, &blocks)
    } else if mark_current {
        qiao::status::mark_current(&root, &path, &to)
            .map(|(p, h)| format!("{} now records source revision {h}", p.display()))
    } else {
        qiao::status::translate(&root, &path, &to).map(|p| {
            format!(
                "created {} (a draft: translate it, then remove `draft: true`)",
                p.display()
            )
        })
    };
    let msg = result.map_err(|d| Failure::diagnostics(vec![d]))?;
    outln!("{msg}");
    Ok(ExitCode::SUCCESS)
}
