//! `qiao serve`: build the site, serve it locally, rebuild on every change (see
//! [`qiao::serve`]).

use std::path::PathBuf;
use std::process::ExitCode;

use super::{Failure, Outcome};

/// The arguments of `qiao serve`.
#[derive(clap::Args)]
pub struct ServeArgs {
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
}

/// `qiao serve`: runs until interrupted.
pub fn execute(args: ServeArgs, color: bool) -> Outcome {
    let ServeArgs {
        root,
        bind,
        port,
        drafts,
        future,
        open,
        no_navigate,
        output,
        allow_host,
    } = args;
    let mut opts = qiao::serve::ServeOptions::new(root);
    opts.navigate = !no_navigate;
    opts.allow_hosts = allow_host;
    opts.bind = bind;
    opts.port = port;
    opts.drafts = drafts;
    opts.future = future;
    opts.output = output;
    opts.color = color;
    qiao::serve::run(&opts, open)
        .map(|()| ExitCode::SUCCESS)
        .map_err(Failure::message)
}
