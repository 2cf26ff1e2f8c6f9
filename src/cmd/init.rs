//! `qiao init`: create a new site (see [`qiao::init`]).

use std::path::PathBuf;
use std::process::ExitCode;

use super::{Failure, Outcome, outln};

/// The arguments of `qiao init`.
#[derive(clap::Args)]
pub struct InitArgs {
    /// Directory of the new site (created when missing) [default: the current one].
    #[arg(default_value = ".")]
    dir: PathBuf,
    /// Languages, comma-separated, in the order of the language switcher.
    #[arg(long, value_delimiter = ',', default_value = "zh,en,de")]
    languages: Vec<String>,
    /// The default language, served at / [default: the first of --languages].
    #[arg(long)]
    default: Option<String>,
    /// Add the site to a non-empty directory that holds no site yet (never overwrites a file).
    #[arg(long)]
    force: bool,
}

/// `qiao init`, then what to do next.
pub fn execute(args: InitArgs) -> Outcome {
    let InitArgs {
        dir,
        languages,
        default,
        force,
    } = args;
    let opts = qiao::init::InitOptions {
        dir,
        languages,
        default,
        force,
        today: jiff::Zoned::now().date().to_string(),
    };
    let created = qiao::init::init(&opts).map_err(|d| Failure::diagnostics(vec![d]))?;
    outln!(
        "created a site in {} ({} files; default language {})",
        created.dir.display(),
        created.files.len(),
        created.default
    );
    outln!("next:");
    if created.dir != std::path::Path::new(".") {
        outln!("  cd {}", created.dir.display());
    }
    outln!("  qiao serve --open            preview, reloading on every save");
    outln!("  qiao new news/my-article     a new page (--lang en for another language)");
    outln!("  qiao build                   the site in public/, ready to publish");
    Ok(ExitCode::SUCCESS)
}
