//! `tactful check`: the engine over files or stdin, for scripts and pre-send hooks.

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, ValueEnum};
use tactful::{Engine, Finding, Message};

use super::report::{self, Checked};
use super::{RuleOptions, EXIT_FINDINGS};

#[derive(Args, Debug)]
pub struct CheckArgs {
    /// Files to check; `-` or nothing reads stdin.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// When to colour text output.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
    #[command(flatten)]
    pub rules: RuleOptions,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Color {
    Auto,
    Always,
    Never,
}

/// Checks every input; exit 1 when any finding is reported, 2 on errors.
pub fn run(args: &CheckArgs) -> anyhow::Result<ExitCode> {
    let cwd = std::env::current_dir().context("reading the current directory")?;
    let engine = args.rules.engine(&cwd)?;
    let stdin_only = args.paths.is_empty();
    let inputs: Vec<PathBuf> = if stdin_only { vec![PathBuf::from("-")] } else { args.paths.clone() };
    let mut results = Vec::with_capacity(inputs.len());
    for path in &inputs {
        let bytes = read_input(path)?;
        results.push(check_bytes(&engine, display_name(path), &bytes));
    }
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match args.format {
        Format::Json => report::json(&mut out, &results)?,
        Format::Text => {
            let color = match args.color {
                Color::Always => true,
                Color::Never => false,
                Color::Auto => stdout.is_terminal() && std::env::var_os("NO_COLOR").is_none(),
            };
            report::text(&mut out, &results, color)?;
        }
    }
    out.flush()?;
    let found = results.iter().any(|r| !r.findings.is_empty());
    Ok(if found { ExitCode::from(EXIT_FINDINGS) } else { ExitCode::SUCCESS })
}

/// Parses and checks one input.
pub fn check_bytes(engine: &Engine, path: String, bytes: &[u8]) -> Checked {
    let message = Message::from_bytes(bytes);
    let findings: Vec<Finding> = engine.check(&message);
    Checked { path, message, findings }
}

fn read_input(path: &Path) -> anyhow::Result<Vec<u8>> {
    if path == Path::new("-") {
        let mut bytes = Vec::new();
        std::io::stdin().read_to_end(&mut bytes).context("reading stdin")?;
        Ok(bytes)
    } else {
        std::fs::read(path).with_context(|| format!("{}: cannot read", path.display()))
    }
}

fn display_name(path: &Path) -> String {
    if path == Path::new("-") {
        "<stdin>".to_owned()
    } else {
        path.display().to_string()
    }
}
