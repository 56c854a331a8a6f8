//! `tactful check`: the engine over files or stdin, for scripts and pre-send hooks.

use std::io::{BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, ValueEnum};
use tactful::fsread::{self, Limit};
use tactful::{Engine, Finding, Message, Severity};

use super::ordered;
use super::report::{self, Checked, Input, Tally, Unchecked};
use super::{RuleOptions, EXIT_ERROR, EXIT_FINDINGS};

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
    /// Exit with status 1 only when a reported finding is at or above this severity.
    #[arg(long, value_name = "SEVERITY", default_value_t = Severity::Warning)]
    pub fail_on: Severity,
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

/// How far into a file to look for a NUL byte, the sign of a binary file (as ripgrep does).
const BINARY_SNIFF_BYTES: usize = 8 << 10;

/// Checks every input, going on past one that cannot be read; exit 2 when one could
/// not, else 1 when a reported finding reaches `--fail-on`, else 0. Each input is
/// checked on every core and reported in order as soon as it and those before it are
/// done, so memory stays that of a few messages.
pub fn run(args: &CheckArgs) -> anyhow::Result<ExitCode> {
    let cwd = std::env::current_dir().context("reading the current directory")?;
    let engine = args.rules.engine(&cwd)?;
    let stdin_only = args.paths.is_empty();
    let paths: Vec<PathBuf> = if stdin_only { vec![PathBuf::from("-")] } else { args.paths.clone() };
    let (mut failed, mut found) = (false, false);
    let stdout = std::io::stdout();
    let color = match args.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => stdout.is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
    // Stdout alone writes every line on its own (a JSON report is many short lines);
    // written in blocks, and flushed at the end.
    let mut out = BufWriter::with_capacity(64 << 10, stdout.lock());
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    // Each input is rendered on the thread that checked it, which also frees its
    // message: the thread that writes the report in order only writes.
    let render = |path: &PathBuf| render(&engine, args, color, path);
    ordered::map(&paths, workers, render, |rendered| {
        let mut tally = Tally::default();
        let mut entries = rendered.map(|rendered| {
            if let Some((unreadable, line)) = &rendered.note {
                failed |= unreadable;
                eprintln!("{line}");
            }
            found |= rendered.found;
            tally.add(&rendered.tally);
            rendered.bytes
        });
        match args.format {
            Format::Json => report::json_array(&mut out, entries),
            Format::Text => {
                entries.try_for_each(|bytes| out.write_all(&bytes))?;
                drop(entries);
                tally.write(&mut out)
            }
        }
    })?;
    out.flush()?;
    // The process ends here: freeing the engine's many small allocations would take
    // longer than checking a small draft.
    std::mem::forget(engine);
    Ok(match (failed, found) {
        (true, _) => ExitCode::from(EXIT_ERROR),
        (false, true) => ExitCode::from(EXIT_FINDINGS),
        (false, false) => ExitCode::SUCCESS,
    })
}

/// Checks one input and renders its part of the report.
fn render(engine: &Engine, args: &CheckArgs, color: bool, path: &Path) -> Rendered {
    let input = check_path(engine, path);
    let mut rendered = Rendered::default();
    match &input {
        Input::Checked(checked) => rendered.found = checked.findings.iter().any(|f| f.severity >= args.fail_on),
        Input::Unchecked { path, why } => {
            let unreadable = matches!(why, Unchecked::Unreadable(_));
            let (label, action) = if unreadable { ("error", "") } else { ("note", "skipped, ") };
            let line = format!("{label}: {}: {action}{}", report::visible(path), report::visible(&why.to_string()));
            rendered.note = Some((unreadable, line));
        }
    }
    match (args.format, &input) {
        (Format::Json, _) => rendered.bytes = report::json_entry(engine, &input),
        (Format::Text, Input::Checked(checked)) => {
            rendered.tally = report::text_findings(&mut rendered.bytes, checked, color).expect("writing to memory cannot fail");
        }
        (Format::Text, Input::Unchecked { .. }) => {}
    }
    rendered
}

/// One input's part of the report, rendered by the thread that checked it.
#[derive(Default)]
struct Rendered {
    /// Whether a finding reaches `--fail-on`.
    found: bool,
    /// The line on stderr that says why the input was not checked, and whether that
    /// is an error.
    note: Option<(bool, String)>,
    /// Its entry in the report on stdout.
    bytes: Vec<u8>,
    tally: Tally,
}

/// Parses and checks one input.
pub fn check_bytes(engine: &Engine, path: String, bytes: &[u8]) -> Checked {
    let message = Message::from_bytes(bytes);
    let findings: Vec<Finding> = engine.check(&message);
    Checked { path, message, findings }
}

/// One path checked, or why it was not.
fn check_path(engine: &Engine, path: &Path) -> Input {
    let name = display_name(path);
    match read_input(path) {
        Err(err) => Input::Unchecked { path: name, why: Unchecked::Unreadable(err.to_string()) },
        Ok(bytes) if is_binary(&bytes) => Input::Unchecked { path: name, why: Unchecked::Binary },
        Ok(bytes) => Input::Checked(check_bytes(engine, name, &bytes)),
    }
}

/// A NUL byte near the start: a binary file, not a message.
fn is_binary(bytes: &[u8]) -> bool {
    bytes[..bytes.len().min(BINARY_SNIFF_BYTES)].contains(&0)
}

/// The most of one input that is read: a draft is far smaller; a message with large
/// attachments still fits.
pub const INPUT: Limit = Limit { what: "input", bytes: 64 << 20 };

/// One input, within [`INPUT`]: a regular file (never a device or a FIFO, which could
/// hang or never end), or stdin, which is refused as a whole once it passes the limit.
fn read_input(path: &Path) -> Result<Vec<u8>, fsread::ReadError> {
    if path == Path::new("-") {
        fsread::read_stream(std::io::stdin().lock(), INPUT)
    } else {
        fsread::read(path, INPUT)
    }
}

fn display_name(path: &Path) -> String {
    if path == Path::new("-") {
        "<stdin>".to_owned()
    } else {
        path.display().to_string()
    }
}
