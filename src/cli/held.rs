//! Held messages: the copies `tactful guard` keeps, and `tactful held list|send|drop`.
//!
//! Every message the guard is given is first written here whole (a private file,
//! synced to disk, put in place by a rename so no partial file is ever visible), with
//! the send command beside it. The command then reads that file, not a pipe: it gets
//! the whole message even if the guard is stopped, and the guard can tell whether it
//! read all of it. A copy is removed once sent; otherwise it stays until it is sent
//! with `tactful held send ID` (byte for byte, through the same command), dropped, or
//! pruned after [`KEEP_DAYS`] days.
//!
//! In the folder, `ID.eml` is the message and `ID.command` the command line (one
//! argument after the other, each ended by a NUL byte). A write in progress is named
//! `.spool-…`.

use std::ffi::OsString;
use std::fs::File;
use std::io::{Seek, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, ExitStatus, Stdio};
use std::time::{Duration, SystemTime};

use anyhow::Context;
use clap::{Args, Subcommand};

use super::{signals, EXIT_ERROR};

/// Where held messages are kept, when set; else `$XDG_STATE_HOME/tactful/held`.
pub const ENV_DIR: &str = "TACTFUL_GUARD_DIR";

/// Held messages older than this many days are removed.
pub const KEEP_DAYS: u64 = 30;

/// A write in progress that was abandoned (its writer died) is removed after this.
const ABANDONED_AFTER: Duration = Duration::from_secs(24 * 60 * 60);

const MESSAGE_EXT: &str = "eml";
const COMMAND_EXT: &str = "command";
const SPOOL_PREFIX: &str = ".spool-";

#[derive(Args, Debug)]
pub struct HeldArgs {
    #[command(subcommand)]
    pub command: HeldCommand,
}

#[derive(Subcommand, Debug)]
pub enum HeldCommand {
    /// List the held messages, oldest first.
    List,
    /// Send a held message as it is, through the command it was held from.
    Send {
        /// The message's id, as `tactful held list` shows it.
        id: String,
    },
    /// Delete a held message without sending it.
    Drop {
        /// The message's id, as `tactful held list` shows it.
        id: String,
    },
}

/// A message kept on disk, with the command it is for.
#[derive(Debug, Clone)]
pub struct Held {
    pub id: String,
    pub message: PathBuf,
    command_file: PathBuf,
}

/// How handing a held message to its command went.
#[derive(Debug)]
pub enum Delivery {
    /// The command exited 0 after reading the whole message.
    Sent,
    /// The command could not be started: nothing was sent.
    NotRun { why: String },
    /// It did not: the exit status to give and why, in words.
    Failed { code: u8, why: String },
    /// A signal stopped us; it was passed on to the command, which ended so.
    Interrupted { signal: i32, command: String },
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

impl Held {
    /// Keeps `message` and its `command`, in the held folder or else the temp folder.
    /// Nothing partial is left behind when neither can be written (a full disk).
    pub fn keep(message: &[u8], command: &[OsString]) -> Result<Held, String> {
        let mut problems = Vec::new();
        for dir in held_dir().into_iter().chain([std::env::temp_dir()]) {
            match keep_in(&dir, message, command) {
                Ok(held) => return Ok(held),
                Err(err) => problems.push(format!("{}: {err}", dir.display())),
            }
        }
        Err(problems.join("; "))
    }

    /// The held message `id` in the held folder.
    pub fn find(id: &str) -> anyhow::Result<Held> {
        let dir = held_dir().context("no folder for held messages: set TACTFUL_GUARD_DIR, XDG_STATE_HOME or HOME")?;
        let plain = !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
        anyhow::ensure!(plain, "`{id}` is not a held message id (see `tactful held list`)");
        let held = Held::at(&dir, id);
        anyhow::ensure!(held.message.is_file(), "no held message `{id}` in {} (see `tactful held list`)", dir.display());
        Ok(held)
    }

    fn at(dir: &Path, id: &str) -> Held {
        Held { id: id.to_owned(), message: dir.join(format!("{id}.{MESSAGE_EXT}")), command_file: dir.join(format!("{id}.{COMMAND_EXT}")) }
    }

    /// The command line kept with the message.
    pub fn command(&self) -> anyhow::Result<Vec<OsString>> {
        let bytes = std::fs::read(&self.command_file).with_context(|| format!("{}: cannot read the send command", self.command_file.display()))?;
        let ended = bytes.strip_suffix(&[0]).unwrap_or(&bytes);
        let command: Vec<OsString> = if ended.is_empty() { Vec::new() } else { ended.split(|&b| b == 0).map(os_string).collect() };
        anyhow::ensure!(!command.is_empty(), "{}: no send command", self.command_file.display());
        Ok(command)
    }

    /// Removes the message and its command.
    pub fn remove(&self) -> std::io::Result<()> {
        let _ = std::fs::remove_file(&self.command_file);
        std::fs::remove_file(&self.message)
    }

    /// Hands the message to `command` on its stdin (the file itself, so the command gets
    /// all of it whatever happens here) and waits. A signal caught meanwhile is passed
    /// on to the command. Sent only if it exited 0 having read every byte.
    pub fn deliver(&self, command: &[OsString]) -> Delivery {
        let (program, rest) = command.split_first().expect("a send command");
        let shown = Path::new(program).display().to_string();
        let not_run = |why: String| Delivery::NotRun { why };
        let opened = File::open(&self.message).and_then(|file| Ok((file.metadata()?.len(), file.try_clone()?, file)));
        let (size, stdin, mut progress) = match opened {
            Ok(files) => files,
            Err(err) => return not_run(format!("cannot read the copy to send ({err})")),
        };
        // `progress` shares its file offset with the command's stdin: it shows how far
        // the command read.
        let mut child = match Command::new(program).args(rest).stdin(Stdio::from(stdin)).spawn() {
            Ok(child) => child,
            Err(err) => return not_run(format!("cannot run {shown}: {err}")),
        };
        let waited = signals::wait_forwarding(&mut child);
        let read = progress.stream_position().unwrap_or(0);
        let (status, signal) = match waited {
            Ok(waited) => waited,
            Err(err) => return Delivery::Failed { code: EXIT_ERROR, why: format!("lost track of {shown}: {err}") },
        };
        if let Some(signal) = signal {
            return Delivery::Interrupted { signal, command: format!("{shown} {}", ended(status, read, size)) };
        }
        match exit_code(status) {
            0 if read >= size => Delivery::Sent,
            0 => Delivery::Failed {
                code: EXIT_ERROR,
                why: format!("{shown} exited 0 before reading the whole message (it read {read} of {size} bytes)"),
            },
            code => Delivery::Failed { code, why: format!("{shown} {}", ended(status, read, size)) },
        }
    }
}

/// How a command ended, in words.
fn ended(status: ExitStatus, read: u64, size: u64) -> String {
    let how = match status.code() {
        Some(code) => format!("exited with status {code}"),
        None => format!("was stopped by a signal (status {})", exit_code(status)),
    };
    if read >= size {
        format!("{how} after reading the whole message")
    } else {
        format!("{how} after reading {read} of {size} bytes")
    }
}

/// The command's exit status as ours; a signal `n` becomes `128 + n`, as in shells.
pub fn exit_code(status: ExitStatus) -> u8 {
    if let Some(code) = status.code() {
        return u8::try_from(code).unwrap_or(EXIT_ERROR);
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            return signals::exit_status(signal);
        }
    }
    EXIT_ERROR
}

/// Writes the command, then the message, each complete before it gets its name.
fn keep_in(dir: &Path, message: &[u8], command: &[OsString]) -> std::io::Result<Held> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)?;
    prune(dir);
    let held = unused_id(dir)?;
    let mut command_line = Vec::new();
    for arg in command {
        command_line.extend_from_slice(&os_bytes(arg));
        command_line.push(0);
    }
    write_whole(&held.command_file, &command_line)?;
    if let Err(err) = write_whole(&held.message, message) {
        let _ = std::fs::remove_file(&held.command_file);
        return Err(err);
    }
    // The names are on disk too once the folder is synced.
    if let Ok(folder) = File::open(dir) {
        let _ = folder.sync_all();
    }
    Ok(held)
}

/// `SECONDS-PID`, with `-N` added if a message of this second and process exists.
fn unused_id(dir: &Path) -> std::io::Result<Held> {
    let stamp = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let pid = std::process::id();
    (0..1000)
        .map(|n| if n == 0 { format!("{stamp}-{pid}") } else { format!("{stamp}-{pid}-{n}") })
        .map(|id| Held::at(dir, &id))
        .find(|held| !held.message.exists() && !held.command_file.exists())
        .ok_or_else(|| std::io::Error::other("no free file name"))
}

/// Writes `bytes` to a new private file beside `path`, syncs it, then renames it to
/// `path`; on any failure the partial file is removed.
fn write_whole(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let spool = path.with_file_name(format!("{SPOOL_PREFIX}{name}"));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let written = options.open(&spool).and_then(|mut file| {
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&spool, path)
    });
    if written.is_err() {
        let _ = std::fs::remove_file(&spool);
    }
    written
}

/// Removes messages older than [`KEEP_DAYS`] and abandoned partial writes; returns
/// how many messages went.
fn prune(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let now = SystemTime::now();
    let age = |path: &Path| std::fs::metadata(path).and_then(|m| m.modified()).ok().and_then(|t| now.duration_since(t).ok());
    let mut removed = 0;
    for path in entries.filter_map(|e| e.ok().map(|e| e.path())) {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let Some(age) = age(&path) else { continue };
        if name.starts_with(SPOOL_PREFIX) {
            if age > ABANDONED_AFTER {
                let _ = std::fs::remove_file(&path);
            }
        } else if path.extension().is_some_and(|ext| ext == MESSAGE_EXT) && age > Duration::from_secs(KEEP_DAYS * 24 * 60 * 60) {
            let id = name.trim_end_matches(&format!(".{MESSAGE_EXT}"));
            if Held::at(dir, id).remove().is_ok() {
                removed += 1;
            }
        }
    }
    removed
}

/// `tactful held list|send|drop`.
pub fn run(args: &HeldArgs) -> anyhow::Result<ExitCode> {
    match &args.command {
        HeldCommand::List => list(),
        HeldCommand::Send { id } => send(id),
        HeldCommand::Drop { id } => {
            let held = Held::find(id)?;
            held.remove().with_context(|| format!("{}: cannot remove", held.message.display()))?;
            println!("dropped {id}");
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn list() -> anyhow::Result<ExitCode> {
    let dir = held_dir().context("no folder for held messages: set TACTFUL_GUARD_DIR, XDG_STATE_HOME or HOME")?;
    let pruned = prune(&dir);
    if pruned > 0 {
        println!("removed {pruned} held message{} older than {KEEP_DAYS} days", if pruned == 1 { "" } else { "s" });
    }
    let mut ids: Vec<String> = match std::fs::read_dir(&dir) {
        Ok(entries) => entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|ext| ext == MESSAGE_EXT))
            .filter_map(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
            .filter(|id| !id.starts_with('.'))
            .collect(),
        Err(_) => Vec::new(),
    };
    if ids.is_empty() {
        println!("no held messages in {}", dir.display());
        return Ok(ExitCode::SUCCESS);
    }
    ids.sort();
    for id in &ids {
        let held = Held::at(&dir, id);
        let bytes = std::fs::read(&held.message).unwrap_or_default();
        let subject = header(&bytes, "subject").unwrap_or_else(|| "(no subject)".to_owned());
        let to = header(&bytes, "to").unwrap_or_default();
        println!("{id}  {} bytes  to: {to}  subject: {subject}", bytes.len());
    }
    println!("\nsend one as it is: tactful held send ID; delete it: tactful held drop ID ({})", dir.display());
    Ok(ExitCode::SUCCESS)
}

/// The raw value of a header (unfolded, not decoded), for the list.
fn header(message: &[u8], name: &str) -> Option<String> {
    let text = String::from_utf8_lossy(&message[..message.len().min(64 << 10)]);
    let mut lines = text.lines().take_while(|line| !line.is_empty()).peekable();
    while let Some(line) = lines.next() {
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        if key.trim().eq_ignore_ascii_case(name) {
            let mut value = value.trim().to_owned();
            while let Some(next) = lines.next_if(|l| l.starts_with([' ', '\t'])) {
                value.push(' ');
                value.push_str(next.trim());
            }
            return Some(value.chars().filter(|c| !c.is_control()).collect());
        }
    }
    None
}

fn send(id: &str) -> anyhow::Result<ExitCode> {
    let held = Held::find(id)?;
    let command = held.command()?;
    signals::catch();
    match held.deliver(&command) {
        Delivery::Sent => {
            held.remove().with_context(|| format!("sent, but {} could not be removed", held.message.display()))?;
            println!("sent {id}");
            Ok(ExitCode::SUCCESS)
        }
        Delivery::NotRun { why } => {
            eprintln!("tactful held: {why}; it was NOT sent. The copy stays at {}.", held.message.display());
            Ok(ExitCode::from(EXIT_ERROR))
        }
        Delivery::Failed { code, why } => {
            eprintln!("tactful held: {why}; it may NOT have been sent. The copy stays at {}.", held.message.display());
            Ok(ExitCode::from(code))
        }
        Delivery::Interrupted { signal, command } => {
            eprintln!("tactful held: stopped by {} ({command}). The copy stays at {}.", signals::name(signal), held.message.display());
            Ok(ExitCode::from(signals::exit_status(signal)))
        }
    }
}

#[cfg(unix)]
fn os_bytes(arg: &OsString) -> Vec<u8> {
    std::os::unix::ffi::OsStrExt::as_bytes(arg.as_os_str()).to_vec()
}

#[cfg(not(unix))]
fn os_bytes(arg: &OsString) -> Vec<u8> {
    arg.to_string_lossy().into_owned().into_bytes()
}

#[cfg(unix)]
fn os_string(bytes: &[u8]) -> OsString {
    <std::ffi::OsStr as std::os::unix::ffi::OsStrExt>::from_bytes(bytes).to_owned()
}

#[cfg(not(unix))]
fn os_string(bytes: &[u8]) -> OsString {
    String::from_utf8_lossy(bytes).into_owned().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_read_raw_and_unfolded() {
        let message = b"To: Bob <b@x>\r\nSubject: Quarterly\r\n numbers\r\n\r\nSubject: not this";
        assert_eq!(header(message, "subject").as_deref(), Some("Quarterly numbers"));
        assert_eq!(header(message, "to").as_deref(), Some("Bob <b@x>"));
        assert_eq!(header(message, "cc"), None);
    }
}
