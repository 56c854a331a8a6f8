//! The `tactful` binary: wires the library to a command line and a language server.

mod cli;
mod lsp;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Catch tone and trust risks in emails while you write them.
#[derive(Parser)]
#[command(name = "tactful", version, about, propagate_version = true)]
struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check drafts or messages (files, or stdin with no path or `-`).
    Check(cli::check::CheckArgs),
    /// List every rule with its category, severity and message.
    Rules(cli::rules::RulesArgs),
    /// Explain a rule: why it matters, its examples and its rewrites.
    Explain(cli::rules::ExplainArgs),
    /// Pre-send guard: check the message on stdin, then pass it to COMMAND or hold it.
    Guard(cli::guard::GuardArgs),
    /// Messages the guard kept: list them, send one as it is, or drop it.
    Held(cli::held::HeldArgs),
    /// Run the language server on stdin and stdout, for editors.
    Lsp(lsp::LspArgs),
    /// Rule packs: check, test, create and sync them.
    Pack(cli::pack::PackArgs),
    /// Write a commented starter `.tactful.toml` in the current directory.
    Init(cli::init::InitArgs),
    /// Connect the Thunderbird add-on: install or remove its native-messaging host manifest.
    Thunderbird(cli::thunderbird::ThunderbirdArgs),
}

fn main() -> ExitCode {
    // Thunderbird starts its native-messaging host as `tactful MANIFEST.json ADDON_ID`.
    let argv: Vec<_> = std::env::args_os().collect();
    let outcome = match lsp::LspArgs::for_native_host(&argv) {
        Some(args) => lsp::run(&args),
        None => dispatch(Args::parse_from(argv)),
    };
    match outcome {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(cli::EXIT_ERROR)
        }
    }
}

fn dispatch(args: Args) -> anyhow::Result<ExitCode> {
    let printing_only = match &args.command {
        Command::Check(_) | Command::Rules(_) | Command::Explain(_) => true,
        Command::Pack(pack) => matches!(pack.command, cli::pack::PackCommand::Check(_) | cli::pack::PackCommand::Test(_)),
        _ => false,
    };
    if printing_only {
        cli::signals::end_on_closed_output();
    }
    match args.command {
        Command::Check(args) => cli::check::run(&args),
        Command::Rules(args) => cli::rules::list(&args),
        Command::Explain(args) => cli::rules::explain(&args),
        Command::Guard(args) => cli::guard::run(&args),
        Command::Held(args) => cli::held::run(&args),
        Command::Lsp(args) => lsp::run(&args),
        Command::Pack(args) => cli::pack::run(&args),
        Command::Init(args) => cli::init::run(&args),
        Command::Thunderbird(args) => cli::thunderbird::run(&args),
    }
}
