//! Running the binary under a watchdog: a run that grows past a memory ceiling or runs
//! for minutes is killed, so a regression (reading a device, a FIFO, a bomb of a pack)
//! fails its test instead of exhausting the machine. The peak resident memory comes
//! from the kernel's own account (`wait4`'s rusage).

#![allow(dead_code)]

use std::io::{Read, Write};
use std::os::unix::process::ExitStatusExt;
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// A run that passes this is killed.
pub const KILL_ABOVE_KIB: u64 = 1 << 20;
/// A run still going after this is killed (a FIFO read would block for ever).
pub const KILL_AFTER: Duration = Duration::from_secs(180);

/// How one bounded run ended.
#[derive(Debug)]
pub struct Finished {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
    /// Peak resident memory of the process, in KiB.
    pub peak_kib: u64,
    /// Why the watchdog killed it, if it did.
    pub killed: Option<String>,
}

/// Runs `command` with `input` on its stdin (or the stdin the caller set, for `None`)
/// under the watchdog.
// The child is reaped by `wait4`, which also gives its peak memory.
#[allow(clippy::zombie_processes)]
pub fn run_bounded(command: &mut Command, input: Option<&[u8]>) -> Finished {
    if input.is_some() {
        command.stdin(Stdio::piped());
    }
    let mut child = command.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("run tactful");
    if let (Some(input), Some(mut stdin)) = (input, child.stdin.take()) {
        let input = input.to_vec();
        // The process may exit before reading it all: a broken pipe is fine.
        std::thread::spawn(move || {
            let _ = stdin.write_all(&input);
        });
    }
    let stdout = read_all(child.stdout.take().unwrap());
    let stderr = read_all(child.stderr.take().unwrap());
    let pid = child.id() as libc::pid_t;
    let started = Instant::now();
    let mut killed = None;
    let (status, usage) = loop {
        let mut status = 0;
        // SAFETY: plain out-parameters for wait4.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        let done = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) };
        if done == pid {
            break (ExitStatus::from_raw(status), usage);
        }
        if killed.is_none() {
            let rss = resident_kib(pid);
            if rss > KILL_ABOVE_KIB || started.elapsed() > KILL_AFTER {
                killed = Some(format!("killed after {:?} at {rss} KiB resident", started.elapsed()));
                // SAFETY: the child is not reaped yet, so the pid is still its own.
                unsafe { libc::kill(pid, libc::SIGKILL) };
            }
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    Finished { status, stdout: stdout.join().unwrap(), stderr: stderr.join().unwrap(), peak_kib: u64::try_from(usage.ru_maxrss).unwrap_or(0), killed }
}

fn read_all(mut pipe: impl Read + Send + 'static) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = pipe.read_to_end(&mut bytes);
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

fn resident_kib(pid: libc::pid_t) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap_or("VmRSS: 0 kB");
    line.split_whitespace().nth(1).and_then(|n| n.parse().ok()).unwrap_or(0)
}
