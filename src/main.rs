//! The `qiao` command: parses arguments, runs one command, prints diagnostics once, and
//! maps the outcome to an exit code (0 success, 1 the site has errors, 2 bad usage).

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use qiao::diagnostics::Diagnostic;
use qiao::{BuildOptions, BuildReport};

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
    Build {
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
    },
    /// Do everything a build does, links included, but write nothing.
    Check {
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
    },
    /// Build the site, serve it locally, rebuild on every change and reload open pages.
    Serve {
        /// Site root, the directory that holds site.toml.
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Address to listen on (only 127.0.0.1 unless you say otherwise).
        #[arg(long, default_value = "127.0.0.1")]
        bind: std::net::IpAddr,
        /// Port [default: 1111, or the next free one].
        #[arg(long)]
        port: Option<u16>,
        /// Include pages marked `draft: true`.
        #[arg(long)]
        drafts: bool,
        /// Include pages dated in the future.
        #[arg(long)]
        future: bool,
        /// Open the home page in the browser.
        #[arg(long)]
        open: bool,
        /// Do not move the browser tab to the page just saved (tabs only reload).
        #[arg(long)]
        no_navigate: bool,
        /// Build into this directory [default: a temporary one; public/ is left alone].
        #[arg(long)]
        output: Option<PathBuf>,
        /// Also answer requests for this host name (IP addresses and localhost always work);
        /// repeat for more names.
        #[arg(long = "allow-host", value_name = "NAME", value_parser = qiao::serve::server::parse_allowed_host)]
        allow_host: Vec<String>,
    },
    /// Translation status: missing, stale and draft translations per language and section,
    /// and Fluent messages missing or unused.
    Status {
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
    },
    /// Create a translation stub next to a source page, or mark a translation as current.
    Translate {
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
    },
    /// Exchange translations with translators' tools: XLIFF 2.1 or gettext PO.
    Xliff {
        #[command(subcommand)]
        command: XliffCommand,
    },
    /// Create a new site: site.toml, a home page and a first article in every language.
    Init {
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
    },
    /// Create a page (news/my-article), a page bundle (news/gallery/) or a section
    /// (news/_index) with a front matter scaffold.
    New {
        /// Path under content/, e.g. news/my-article.
        path: String,
        /// Language of the page [default: the default language].
        #[arg(long)]
        lang: Option<String>,
        /// Site root, the directory that holds site.toml.
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
}

#[derive(Subcommand)]
enum XliffCommand {
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

#[derive(Clone, Copy, clap::ValueEnum)]
enum ExchangeFormat {
    Xliff,
    Xliff12,
    Po,
}

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
    match cli.command {
        Command::Build {
            root,
            output,
            base_url,
            split_hosts,
            drafts,
            future,
            strict,
        } => {
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
            finish(qiao::build(&opts), color, "built")
        }
        Command::Check {
            root,
            drafts,
            future,
            strict,
        } => {
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
            finish(qiao::build(&opts), color, "checked")
        }
        Command::Serve {
            root,
            bind,
            port,
            drafts,
            future,
            open,
            no_navigate,
            output,
            allow_host,
        } => {
            let mut opts = qiao::serve::ServeOptions::new(root);
            opts.navigate = !no_navigate;
            opts.allow_hosts = allow_host;
            opts.bind = bind;
            opts.port = port;
            opts.drafts = drafts;
            opts.future = future;
            opts.output = output;
            opts.color = color;
            match qiao::serve::run(&opts, open) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::from(1)
                }
            }
        }
        Command::Status {
            root,
            json,
            lang,
            strict,
            diff,
            line_diff,
            html,
            drafts,
        } => {
            if let Some(path) = diff {
                let out_color =
                    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
                return match qiao::status::diff(&root, &path, line_diff, out_color) {
                    Ok(d) => {
                        out!("{d}");
                        ExitCode::SUCCESS
                    }
                    Err(e) => {
                        eprintln!("{}", e.render(color));
                        ExitCode::from(1)
                    }
                };
            }
            let opts = qiao::status::StatusOptions { root, lang };
            match qiao::status::status(&opts) {
                Ok(st) => {
                    if json {
                        match serde_json::to_string_pretty(&st) {
                            Ok(j) => outln!("{j}"),
                            Err(e) => eprintln!("error: {e}"),
                        }
                    } else {
                        let out_color = std::io::stdout().is_terminal()
                            && std::env::var_os("NO_COLOR").is_none();
                        out!("{}", qiao::status::human(&st, out_color, drafts));
                    }
                    if let Some(file) = html
                        && let Err(e) = std::fs::write(&file, qiao::status::html(&st))
                    {
                        eprintln!("error: cannot write {}: {e}", file.display());
                        return ExitCode::from(1);
                    }
                    if strict && qiao::status::fails_strict(&st) {
                        ExitCode::from(1)
                    } else {
                        ExitCode::SUCCESS
                    }
                }
                Err(ds) => {
                    for d in &ds {
                        eprintln!("{}", d.render(color));
                    }
                    ExitCode::from(1)
                }
            }
        }
        Command::Translate {
            path,
            to,
            mark_current,
            blocks,
            root,
        } => {
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
            match result {
                Ok(msg) => {
                    outln!("{msg}");
                    ExitCode::SUCCESS
                }
                Err(d) => {
                    eprintln!("{}", d.render(color));
                    ExitCode::from(1)
                }
            }
        }
        Command::Init {
            dir,
            languages,
            default,
            force,
        } => {
            let opts = qiao::init::InitOptions {
                dir,
                languages,
                default,
                force,
                today: jiff::Zoned::now().date().to_string(),
            };
            match qiao::init::init(&opts) {
                Ok(created) => {
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
                    outln!(
                        "  qiao new news/my-article     a new page (--lang en for another language)"
                    );
                    outln!("  qiao build                   the site in public/, ready to publish");
                    ExitCode::SUCCESS
                }
                Err(d) => {
                    eprintln!("{}", d.render(color));
                    ExitCode::from(1)
                }
            }
        }
        Command::Xliff { command } => xliff(command, color),
        Command::New { path, lang, root } => {
            let today = jiff::Zoned::now().date().to_string();
            match qiao::scaffold::new_page(&root, &path, lang.as_deref(), &today) {
                Ok((t, p)) => {
                    outln!("created {}", p.display());
                    if t.renamed {
                        outln!(
                            "  (the name is written as a clean URL segment; the title keeps \"{}\")",
                            t.title
                        );
                    }
                    if !t.section {
                        outln!(
                            "  a draft: `qiao serve --drafts` shows it; delete `draft: true` to publish it"
                        );
                    }
                    ExitCode::SUCCESS
                }
                Err(d) => {
                    eprintln!("{}", d.render(color));
                    ExitCode::from(1)
                }
            }
        }
    }
}

/// `qiao xliff export` and `qiao xliff import`.
fn xliff(command: XliffCommand, color: bool) -> ExitCode {
    let print = |ds: &[Diagnostic]| {
        for d in ds {
            eprintln!("{}", d.render(color));
        }
    };
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
            let ex = match qiao::exchange::export(&opts) {
                Ok(ex) => ex,
                Err(ds) => {
                    print(&ds);
                    return ExitCode::from(1);
                }
            };
            let text = qiao::exchange::write(&ex, format);
            let units: usize = ex.files.iter().map(|f| f.units.len()).sum();
            match output {
                Some(file) => {
                    if let Err(e) = std::fs::write(&file, text) {
                        eprintln!("error: cannot write {}: {e}", file.display());
                        return ExitCode::from(1);
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
            ExitCode::SUCCESS
        }
        XliffCommand::Import { file, root } => match qiao::exchange::import(&root, &file) {
            Ok(r) => {
                print(&r.warnings);
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
                ExitCode::SUCCESS
            }
            Err(ds) => {
                print(&ds);
                eprintln!("nothing was written: fix the errors above and import again");
                ExitCode::from(1)
            }
        },
    }
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

fn finish(result: Result<BuildReport, Vec<Diagnostic>>, color: bool, verb: &str) -> ExitCode {
    match result {
        Ok(report) => {
            for w in &report.warnings {
                eprintln!("{}", w.render(color));
            }
            let langs: Vec<String> = report
                .pages_per_language
                .iter()
                .map(|(code, n)| format!("{code} {n}"))
                .collect();
            let warnings = match report.warnings.len() {
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
            ExitCode::SUCCESS
        }
        Err(diags) => {
            for d in &diags {
                eprintln!("{}", d.render(color));
            }
            let errors = diags.iter().filter(|d| d.is_error()).count();
            let warnings = diags.len() - errors;
            let changed = diags
                .iter()
                .any(|d| d.message.starts_with(qiao::build::HALF_WAY));
            eprintln!(
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
            ExitCode::from(1)
        }
    }
}
