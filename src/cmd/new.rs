//! `qiao new`: create a page, a page bundle or a section with a front matter scaffold (see
//! [`qiao::scaffold`]).

use std::path::PathBuf;
use std::process::ExitCode;

use super::{Failure, Outcome, outln};

/// The arguments of `qiao new`.
#[derive(clap::Args)]
pub struct NewArgs {
    /// Path under content/, e.g. news/my-article.
    path: String,
    /// Language of the page [default: the default language].
    #[arg(long)]
    lang: Option<String>,
    /// Site root, the directory that holds site.toml.
    #[arg(long, default_value = ".")]
    root: PathBuf,
}

/// `qiao new`.
pub fn execute(args: NewArgs) -> Outcome {
    let NewArgs { path, lang, root } = args;
    let today = jiff::Zoned::now().date().to_string();
    let (t, p) = qiao::scaffold::new_page(&root, &path, lang.as_deref(), &today)
        .map_err(|d| Failure::diagnostics(vec![d]))?;
    outln!("created {}", p.display());
    if t.renamed {
        outln!(
            "  (the name is written as a clean URL segment; the title keeps \"{}\")",
            t.title
        );
    }
    if !t.section {
        outln!("  a draft: `qiao serve --drafts` shows it; delete `draft: true` to publish it");
    }
    Ok(ExitCode::SUCCESS)
}
