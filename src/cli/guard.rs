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
//! It reads the whole message from stdin (at most [`MAX_MESSAGE`]) and keeps it whole
//! on disk first (see [`super::held`]), then checks it. With no finding at or above the
//! threshold (`--min-severity`, default `warning`) it hands the kept file, unchanged,
//! to the command as its stdin and exits with that command's status; the copy is
//! removed once the command exited 0 having read all of it. Otherwise it sends
//! nothing, prints the report to stderr and exits with [`EXIT_FINDINGS`]; the client
//! then keeps the message as unsent, and `tactful held send ID` sends the kept copy
//! as it is. `--force` or `TACTFUL_GUARD=off` hand the command the client's stdin
//! directly, as if the guard were not there.
//!
//! The message is either delivered whole or kept whole where the user is told: when
//! the command is missing, fails, exits 0 without reading all of it, or the guard is
//! stopped by a signal (passed on to the command), the copy stays and the guard says
//! where and exits non-zero. When no copy can be written at all (a full disk), nothing
//! is sent and the client keeps the message.

use std::ffi::OsString;
use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::{Command, ExitCode, Stdio};

use anyhow::Context;
use clap::Args;
use tactful::fsread::{self, Limit};
use tactful::Severity;

use super::check::check_bytes;
use super::held::{self, Delivery, Held};
use super::report::{self, Checked};
use super::{signals, RuleOptions, EXIT_ERROR, EXIT_FINDINGS};

/// The environment variable that turns the guard off (`off`, `0`, `false`, `no`).
pub const ENV_SWITCH: &str = "TACTFUL_GUARD";

/// The threshold when `--min-severity` is not given.
pub const DEFAULT_THRESHOLD: Severity = Severity::Warning;

/// The largest message the guard checks and keeps; a bigger one is not sent (the
/// client keeps it), and `TACTFUL_GUARD=off` sends it.
pub const MAX_MESSAGE: Limit = Limit { what: "the message", bytes: 64 << 20 };

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

/// Reads the message on stdin, keeps it, then sends it through `args.command` or holds it.
pub fn run(args: &GuardArgs) -> anyhow::Result<ExitCode> {
    signals::catch();
    if args.force || switched_off() {
        return pass_through(&args.command);
    }
    let message = match fsread::read_stream(std::io::stdin().lock(), MAX_MESSAGE) {
        Ok(message) => message,
        Err(err) => {
            eprintln!("tactful guard: {err}; it was NOT sent. Your mail client still has it.");
            eprintln!("To send it without the guard, set {ENV_SWITCH}=off.");
            return Ok(ExitCode::from(EXIT_ERROR));
        }
    };
    let held = match Held::keep(&message, &args.command) {
        Ok(held) => held,
        Err(why) => {
            eprintln!("tactful guard: the message was NOT sent: no copy to send it from could be written ({why}).");
            eprintln!("Your mail client still has it; free some space, or send it with {ENV_SWITCH}=off.");
            return Ok(ExitCode::from(EXIT_ERROR));
        }
    };
    if let Some(signal) = signals::received() {
        return Ok(stopped(&held, signal, "before it was sent"));
    }

    let threshold = args.rules.min_severity.unwrap_or(DEFAULT_THRESHOLD);
    // A bug in the checker must not lose the message: a panic is handled like an error.
    let checked = std::panic::catch_unwind(|| findings_at_or_above(&args.rules, &message, threshold))
        .unwrap_or_else(|_| Err(anyhow::anyhow!("the checker failed (a bug in tactful; please report it)")));
    if let Some(signal) = signals::received() {
        return Ok(stopped(&held, signal, "before it was sent"));
    }
    match checked {
        Err(err) => {
            eprintln!("tactful guard: cannot check the message: {err:#}");
            eprintln!("The message was NOT sent. {}", kept(&held));
            eprintln!("Fix the configuration, or send anyway with {ENV_SWITCH}=off.");
            Ok(ExitCode::from(EXIT_ERROR))
        }
        Ok(Some(checked)) => report_held(&checked, threshold, &held),
        Ok(None) => Ok(deliver(&held, &args.command)),
    }
}

/// Sends the kept copy; removes it once it is sent, else says where it is.
fn deliver(held: &Held, command: &[OsString]) -> ExitCode {
    match held.deliver(command) {
        Delivery::Sent => {
            if let Err(err) = held.remove() {
                eprintln!("tactful guard: sent; the copy at {} could not be removed ({err})", held.message.display());
            }
            ExitCode::SUCCESS
        }
        Delivery::NotRun { why } => {
            eprintln!("tactful guard: {why}; the message was NOT sent. {}", kept(held));
            ExitCode::from(EXIT_ERROR)
        }
        Delivery::Failed { code, why } => {
            eprintln!("tactful guard: {why}; the message may NOT have been sent. {}", kept(held));
            ExitCode::from(code)
        }
        Delivery::Interrupted { signal, command } => stopped(held, signal, &format!("while sending: {command}")),
    }
}

fn stopped(held: &Held, signal: i32, when: &str) -> ExitCode {
    eprintln!("tactful guard: stopped by {} {when}. {}", signals::name(signal), kept(held));
    ExitCode::from(signals::exit_status(signal))
}

/// Prints the report of a held message.
fn report_held(checked: &Checked, threshold: Severity, held: &Held) -> anyhow::Result<ExitCode> {
    let stderr = std::io::stderr();
    let color = stderr.is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let mut err = stderr.lock();
    report::text(&mut err, std::slice::from_ref(checked), color)?;
    let n = checked.findings.len();
    writeln!(err, "tactful guard: held this message: {n} finding{} at or above {threshold}. It was NOT sent.", if n == 1 { "" } else { "s" })?;
    writeln!(err, "{}", kept(held))?;
    writeln!(err, "Reword it and send again, or send this copy as it is with `tactful held send {}`", held.id)?;
    writeln!(err, "(or send again with {ENV_SWITCH}=off or `tactful guard --force`).")?;
    Ok(ExitCode::from(EXIT_FINDINGS))
}

/// Where the copy is and how to send it.
fn kept(held: &Held) -> String {
    format!("A copy is kept at {}; `tactful held send {}` sends it as it is.", held.message.display(), held.id)
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

/// The guard switched off: the command reads the client's stdin itself; its exit
/// status becomes ours. A signal to the guard is passed on.
fn pass_through(command: &[OsString]) -> anyhow::Result<ExitCode> {
    let (program, rest) = command.split_first().context("no send command given after `--`")?;
    let shown = Path::new(program).display().to_string();
    let mut child = match Command::new(program).args(rest).stdin(Stdio::inherit()).spawn() {
        Ok(child) => child,
        Err(err) => {
            eprintln!("tactful guard: cannot run {shown}: {err}. The message was NOT sent; your mail client still has it.");
            return Ok(ExitCode::from(EXIT_ERROR));
        }
    };
    let (status, _) = signals::wait_forwarding(&mut child).with_context(|| format!("waiting for {shown}"))?;
    Ok(ExitCode::from(held::exit_code(status)))
}
