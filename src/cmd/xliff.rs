//! `qiao xliff export` and `qiao xliff import`: exchange translations with translators'
//! tools (see [`qiao::exchange`]).

use std::path::PathBuf;
use std::process::ExitCode;

use super::{Failure, Outcome, out, outln, print_diagnostics};

/// The subcommands of `qiao xliff`.
#[derive(clap::Subcommand)]
pub enum XliffCommand {
    /// Write the fields and blocks of default-language pages, with their translations, for
    /// a translator's tool (to standard output unless --output is given).
    Export {
        /// Language to translate into.
        #[arg(long)]
        to: String,
        /// File format: xliff (XLIFF 2.1), xliff12 (XLIFF 1.2) or po (gettext).
        #[arg(long, value_enum, default_value = "xliff")]
        format: ExchangeFormat,
        /// Write to FILE instead of standard output.
        #[arg(long, value_name = "FILE")]
        output: Option<PathBuf>,
        /// Only sources under these paths (content/news, news/x.md) [default: all].
        paths: Vec<String>,
        /// Site root, the directory that holds site.toml.
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
    /// Write the translations of an XLIFF or PO file back into the Markdown files.
    Import {
        /// The file a translator's tool saved (XLIFF 2 or 1.2, or PO).
        file: PathBuf,
        /// Site root, the directory that holds site.toml.
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
}

/// The file formats of `qiao xliff export --format` (XLIFF 2.1, XLIFF 1.2, gettext PO; the
/// variants carry no doc comments, which clap would show as help for each value).
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum ExchangeFormat {
    Xliff,
    Xliff12,
    Po,
}

/// `qiao xliff export` and `qiao xliff import`.
pub fn execute(command: XliffCommand, color: bool) -> Outcome {
    match command {
        XliffCommand::Export {
            to,
            format,
            output,
            paths,
            root,
        } => {
            let format = match format {
                ExchangeFormat::Xliff => qiao::exchange::Format::Xliff,
                ExchangeFormat::Xliff12 => qiao::exchange::Format::Xliff12,
                ExchangeFormat::Po => qiao::exchange::Format::Po,
            };
            let opts = qiao::exchange::ExportOptions {
                root,
                lang: to,
                paths,
                format,
            };
            let ex = qiao::exchange::export(&opts).map_err(Failure::diagnostics)?;
            let text = qiao::exchange::write(&ex, format);
            let units: usize = ex.files.iter().map(|f| f.units.len()).sum();
            match output {
                Some(file) => {
                    if let Err(e) = std::fs::write(&file, text) {
                        return Err(Failure::message(format!(
                            "cannot write {}: {e}",
                            file.display()
                        )));
                    }
                    eprintln!(
                        "wrote {} units of {} files to {}",
                        units,
                        ex.files.len(),
                        file.display()
                    );
                }
                None => out!("{text}"),
            }
            Ok(ExitCode::SUCCESS)
        }
        XliffCommand::Import { file, root } => match qiao::exchange::import(&root, &file) {
            Ok(r) => {
                print_diagnostics(&r.warnings, color);
                outln!(
                    "{} fields and blocks changed in {} files",
                    r.changed,
                    r.written.len()
                );
                for w in &r.written {
                    outln!("  wrote {w}");
                }
                for m in &r.marked {
                    outln!("  {m} now records the source's current revision");
                }
                Ok(ExitCode::SUCCESS)
            }
            Err(ds) => Err(Failure {
                diagnostics: ds,
                closing: Some(
                    "nothing was written: fix the errors above and import again".to_string(),
                ),
            }),
        },
    }
}
