//! `tactful guard`: a pre-send guard in front of a sendmail-compatible command.
//!
//! Mail clients that send through a command (mutt's `sendmail`, aerc's `outgoing`,
//! `git send-email --sendmail-cmd`) pipe the finished message into it. The guard sits
//! in between:
//!
//! ```text
//! tactful guard [--min-severity S] [--force] -- /usr/sbin/sendmail -oi -oem
//! ```
//!
//! It reads the whole message from stdin and checks it. With no finding at or above
//! the threshold (`--min-severity`, default `warning`) it hands the bytes, unchanged,
//! to the command and exits with that command's status. Otherwise it sends nothing,
//! prints the report to stderr, saves a copy of the message and exits with
//! [`EXIT_FINDINGS`]; the client then keeps the message as unsent. `--force` or
//! `TACTFUL_GUARD=off` sends without checking.
//!
//! The message is never altered and never dropped: whenever the guard itself cannot
//! deliver it (the command is missing, the rules cannot load, the command stopped
//! reading), it saves a copy and says where, and exits non-zero.

use std::ffi::OsString;
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, ExitStatus, Stdio};

use anyhow::Context;
use clap::Args;
use tactful::Severity;

use super::check::check_bytes;
use super::report::{self, Checked};
use super::{RuleOptions, EXIT_ERROR, EXIT_FINDINGS};

/// The environment variable that turns the guard off (`off`, `0`, `false`, `no`).
pub const ENV_SWITCH: &str = "TACTFUL_GUARD";
/// Where held messages are saved, when set; else `$XDG_STATE_HOME/tactful/held`.
pub const ENV_DIR: &str = "TACTFUL_GUARD_DIR";

/// The threshold when `--min-severity` is not given.
pub const DEFAULT_THRESHOLD: Severity = Severity::Warning;

#[derive(Args, Debug)]
pub struct GuardArgs {
    /// Send without checking (same as TACTFUL_GUARD=off).
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub rules: RuleOptions,
    /// The real send command and its arguments, after `--`.
    #[arg(last = true, required = true, value_name = "COMMAND")]
    pub command: Vec<OsString>,
}

/// Reads the message on stdin, then sends it through `args.command` or holds it.
pub fn run(args: &GuardArgs) -> anyhow::Result<ExitCode> {
    let mut message = Vec::new();
    if let Err(err) = std::io::stdin().lock().read_to_end(&mut message) {
        // Part of the message may be missing: sending it would alter it.
        let saved = save_copy(&message);
        eprintln!("tactful guard: could not read the message from stdin ({err}); NOT sent.");
        eprintln!("{}", saved_line(&saved, "what was read"));
        return Ok(ExitCode::from(EXIT_ERROR));
    }

    if args.force || switched_off() {
        return send(&args.command, &message);
    }

    let threshold = args.rules.min_severity.unwrap_or(DEFAULT_THRESHOLD);
    // A bug in the checker must not lose the message: a panic is handled like an error.
    let checked = std::panic::catch_unwind(|| findings_at_or_above(&args.rules, &message, threshold))
        .unwrap_or_else(|_| Err(anyhow::anyhow!("the checker failed (a bug in tactful; please report it)")));
    let held = match checked {
        Ok(held) => held,
        Err(err) => {
            let saved = save_copy(&message);
            eprintln!("tactful guard: cannot check the message: {err:#}");
            eprintln!("The message was NOT sent. {}", saved_line(&saved, "it"));
            eprintln!("Fix the configuration, or send anyway with {ENV_SWITCH}=off.");
            return Ok(ExitCode::from(EXIT_ERROR));
        }
    };
    let Some(checked) = held else {
        return send(&args.command, &message);
    };

    let saved = save_copy(&message);
    let stderr = std::io::stderr();
    let color = stderr.is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let mut err = stderr.lock();
    report::text(&mut err, std::slice::from_ref(&checked), color)?;
    let n = checked.findings.len();
    writeln!(err, "tactful guard: held this message: {n} finding{} at or above {threshold}. It was NOT sent.", if n == 1 { "" } else { "s" })?;
    writeln!(err, "{}", saved_line(&saved, "it"))?;
    writeln!(err, "Reword it and send again, or send as it is with {ENV_SWITCH}=off or `tactful guard --force`.")?;
    Ok(ExitCode::from(EXIT_FINDINGS))
}

/// `None` when nothing reaches the threshold, else the findings that do.
fn findings_at_or_above(rules: &RuleOptions, message: &[u8], threshold: Severity) -> anyhow::Result<Option<Checked>> {
    let cwd = std::env::current_dir().context("reading the current directory")?;
    let engine = rules.engine(&cwd)?;
    let mut checked = check_bytes(&engine, "<message>".to_owned(), message);
    checked.findings.retain(|f| f.severity >= threshold);
    Ok(if checked.findings.is_empty() { None } else { Some(checked) })
}

fn switched_off() -> bool {
    std::env::var(ENV_SWITCH).map(|v| matches!(v.trim().to_ascii_lowercase().as_str(), "off" | "0" | "false" | "no")).unwrap_or(false)
}

/// Pipes `message` into the command; its exit status becomes ours.
fn send(command: &[OsString], message: &[u8]) -> anyhow::Result<ExitCode> {
    let (program, rest) = command.split_first().context("no send command given after `--`")?;
    let mut child = match Command::new(program).args(rest).stdin(Stdio::piped()).spawn() {
        Ok(child) => child,
        Err(err) => {
            let saved = save_copy(message);
            eprintln!("tactful guard: cannot run {}: {err}. The message was NOT sent.", Path::new(program).display());
            eprintln!("{}", saved_line(&saved, "it"));
            return Ok(ExitCode::from(EXIT_ERROR));
        }
    };
    let written = {
        let mut stdin = child.stdin.take().expect("stdin was piped");
        stdin.write_all(message).and_then(|()| stdin.flush())
        // stdin is closed here, so the command sees the end of the message.
    };
    let status = child.wait().with_context(|| format!("waiting for {}", Path::new(program).display()))?;
    let code = exit_code(status);
    match written {
        Ok(()) => Ok(ExitCode::from(code)),
        // The command stopped reading before the end of the message. If it reports
        // success anyway, part of the message may be lost: say so and fail.
        Err(err) if code == 0 => {
            let saved = save_copy(message);
            eprintln!(
                "tactful guard: {} exited 0 before reading the whole message ({err}); it may not have been sent.",
                Path::new(program).display()
            );
            eprintln!("{}", saved_line(&saved, "it"));
            Ok(ExitCode::from(EXIT_ERROR))
        }
        Err(_) => Ok(ExitCode::from(code)),
    }
}

/// The command's exit status as ours; a signal `n` becomes `128 + n`, as in shells.
fn exit_code(status: ExitStatus) -> u8 {
    if let Some(code) = status.code() {
        return u8::try_from(code).unwrap_or(EXIT_ERROR);
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            return u8::try_from(128 + signal).unwrap_or(EXIT_ERROR);
        }
    }
    EXIT_ERROR
}

/// The folder for held messages: `$TACTFUL_GUARD_DIR`, else
/// `$XDG_STATE_HOME/tactful/held`, else `~/.local/state/tactful/held`.
pub fn held_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os(ENV_DIR).filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir));
    }
    let state = std::env::var_os("XDG_STATE_HOME")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".local").join("state")))?;
    Some(state.join("tactful").join("held"))
}

/// Saves the message byte for byte, private to the user; falls back to the temp dir.
fn save_copy(message: &[u8]) -> Result<PathBuf, String> {
    let mut problems = Vec::new();
    for dir in held_dir().into_iter().chain([std::env::temp_dir()]) {
        match save_in(&dir, message) {
            Ok(path) => return Ok(path),
            Err(err) => problems.push(format!("{}: {err}", dir.display())),
        }
    }
    Err(problems.join("; "))
}

fn save_in(dir: &Path, message: &[u8]) -> std::io::Result<PathBuf> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)?;
    let stamp = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let pid = std::process::id();
    for n in 0..1000 {
        let path = dir.join(if n == 0 { format!("{stamp}-{pid}.eml") } else { format!("{stamp}-{pid}-{n}.eml") });
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        match options.open(&path) {
            Ok(mut file) => {
                file.write_all(message)?;
                file.sync_all()?;
                return Ok(path);
            }
            Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(err) => return Err(err),
        }
    }
    Err(std::io::Error::other("no free file name"))
}

fn saved_line(saved: &Result<PathBuf, String>, what: &str) -> String {
    match saved {
        Ok(path) => format!("A copy of {what} is saved at {}", path.display()),
        Err(why) => format!("Could NOT save a copy of {what} ({why}); your mail client still has the message."),
    }
}
