//! SIGINT, SIGTERM and SIGHUP noted instead of ending the process, for the commands
//! that must not stop half-way: `guard` (the message is kept whole and the user told
//! where) and `pack sync` (git is stopped and the partial fetch removed).
//!
//! The handler only records the signal; the command looks at [`received`] between
//! steps and while it waits for a child. Blocking calls are interrupted (no
//! `SA_RESTART`), so a read from stdin returns and the command notices at once.

use std::process::{Child, ExitStatus};
use std::sync::atomic::{AtomicI32, Ordering};
use std::time::Duration;

/// The last signal caught; 0 for none.
static RECEIVED: AtomicI32 = AtomicI32::new(0);

/// The signals caught.
#[cfg(unix)]
const CAUGHT: [libc::c_int; 3] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP];

#[cfg(unix)]
extern "C" fn note(signal: libc::c_int) {
    // Only an atomic store: the one kind of work allowed in a signal handler.
    RECEIVED.store(signal, Ordering::SeqCst);
}

/// Lets a closed output end the process quietly, as other command-line tools do
/// (`tactful rules | head -1`), instead of failing on the next write. Only for
/// commands whose whole job is printing: `guard` and the server handle their pipes.
#[cfg(unix)]
pub fn end_on_closed_output() {
    // SAFETY: restoring the default disposition of SIGPIPE has no preconditions.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

#[cfg(not(unix))]
pub fn end_on_closed_output() {}

/// From now on, the [`CAUGHT`] signals are noted rather than ending the process.
#[cfg(unix)]
pub fn catch() {
    for signal in CAUGHT {
        // SAFETY: a zeroed sigaction is a valid value; `note` is async-signal-safe (it
        // does one atomic store) and has the handler's signature.
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = note as extern "C" fn(libc::c_int) as libc::sighandler_t;
            libc::sigemptyset(&mut action.sa_mask);
            action.sa_flags = 0;
            libc::sigaction(signal, &action, std::ptr::null_mut());
        }
    }
}

#[cfg(not(unix))]
pub fn catch() {}

/// The signal caught since [`catch`], if any.
pub fn received() -> Option<i32> {
    match RECEIVED.load(Ordering::SeqCst) {
        0 => None,
        signal => Some(signal),
    }
}

/// The signal's name, for messages: "SIGTERM".
pub fn name(signal: i32) -> String {
    #[cfg(unix)]
    {
        match signal {
            libc::SIGINT => return "SIGINT".to_owned(),
            libc::SIGTERM => return "SIGTERM".to_owned(),
            libc::SIGHUP => return "SIGHUP".to_owned(),
            _ => {}
        }
    }
    format!("signal {signal}")
}

/// Waits for `child`, passing on the first signal caught meanwhile; returns how it
/// ended and that signal.
pub fn wait_forwarding(child: &mut Child) -> std::io::Result<(ExitStatus, Option<i32>)> {
    let mut forwarded = None;
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok((status, forwarded.or_else(received)));
        }
        if let (None, Some(signal)) = (forwarded, received()) {
            forward(child, signal);
            forwarded = Some(signal);
        }
        // Polled: a blocking wait could not be woken by the handler.
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Sends `signal` to a child process that has not been waited for yet.
#[cfg(unix)]
fn forward(child: &Child, signal: i32) {
    if let Ok(pid) = libc::pid_t::try_from(child.id()) {
        // SAFETY: the child is not reaped yet, so its pid still names it.
        unsafe { libc::kill(pid, signal) };
    }
}

#[cfg(not(unix))]
fn forward(child: &mut Child, _signal: i32) {
    let _ = child.kill();
}

/// The exit status a process stopped by `signal` gives, as shells report it.
pub fn exit_status(signal: i32) -> u8 {
    u8::try_from(128 + signal).unwrap_or(super::EXIT_ERROR)
}
