//! The `qiao` command: parses arguments, runs one command (one module each under `cmd/`),
//! prints a failure once, and maps the outcome to an exit code (0 success, 1 the site has
//! errors, 2 bad usage).

mod cmd;

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// A static site generator for publications in Chinese, English and German at once.
#[derive(Parser)]
#[command(name = "qiao", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the site into the output directory (public/ by default).
    Build(cmd::build::BuildArgs),
    /// Do everything a build does, links included, but write nothing.
    Check(cmd::build::CheckArgs),
    /// Build the site, serve it locally, rebuild on every change and reload open pages.
    Serve(cmd::serve::ServeArgs),
    /// Translation status: missing, stale and draft translations per language and section,
    /// and Fluent messages missing or unused.
    Status(cmd::status::StatusArgs),
    /// Create a translation stub next to a source page, or mark a translation as current.
    Translate(cmd::translate::TranslateArgs),
    /// Exchange translations with translators' tools: XLIFF 2.1 or gettext PO.
    Xliff {
        #[command(subcommand)]
        command: cmd::xliff::XliffCommand,
    },
    /// Create a new site: site.toml, a home page and a first article in every language.
    Init(cmd::init::InitArgs),
    /// Create a page (news/my-article), a page bundle (news/gallery/) or a section
    /// (news/_index) with a front matter scaffold.
    New(cmd::new::NewArgs),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let outcome = match cli.command {
        Command::Build(args) => cmd::build::build(args, color),
        Command::Check(args) => cmd::build::check(args, color),
        Command::Serve(args) => cmd::serve::execute(args, color),
        Command::Status(args) => cmd::status::execute(args),
        Command::Translate(args) => cmd::translate::execute(args),
        Command::Xliff { command } => cmd::xliff::execute(command, color),
        Command::Init(args) => cmd::init::execute(args),
        Command::New(args) => cmd::new::execute(args),
    };
    match outcome {
        Ok(code) => code,
        Err(failure) => {
            failure.print(color);
            ExitCode::from(1)
        }
    }
}
