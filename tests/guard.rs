//! `tactful guard` in front of a fake sendmail: clean mail arrives byte for byte,
//! risky mail is held with a readable report and a saved copy, and the real
//! command's exit status comes through.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_tactful");

/// A scratch folder with a fake sendmail that records its stdin and arguments.
struct Sandbox {
    dir: PathBuf,
}

impl Sandbox {
    fn new(name: &str) -> Sandbox {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("guard-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("home")).unwrap();
        // The fake: saves stdin and argv, then exits with $FAKE_EXIT (default 0).
        let fake = dir.join("sendmail");
        std::fs::write(
            &fake,
            "#!/bin/sh\n\
             out=\"$(dirname \"$0\")\"\n\
             cat > \"$out/received.eml\"\n\
             printf '%s\\n' \"$@\" > \"$out/argv\"\n\
             exit \"${FAKE_EXIT:-0}\"\n",
        )
        .unwrap();
        make_executable(&fake);
        Sandbox { dir }
    }

    fn sendmail(&self) -> String {
        self.dir.join("sendmail").display().to_string()
    }

    fn held_dir(&self) -> PathBuf {
        self.dir.join("state").join("tactful").join("held")
    }

    /// `tactful guard ARGS`, isolated from the user's config, its stdio piped.
    fn guard_command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(BIN);
        cmd.arg("guard")
            .args(args)
            .current_dir(&self.dir)
            .env("HOME", self.dir.join("home"))
            .env("XDG_CONFIG_HOME", self.dir.join("config"))
            .env("XDG_STATE_HOME", self.dir.join("state"))
            .env_remove("TACTFUL_GUARD")
            .env_remove("TACTFUL_GUARD_DIR")
            .env_remove("FAKE_EXIT")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        cmd
    }

    /// Runs `tactful guard ARGS` with `message` on stdin.
    fn guard(&self, args: &[&str], message: &[u8], env: &[(&str, &str)]) -> Output {
        let mut cmd = self.guard_command(args);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("run tactful guard");
        // The guard may exit before reading (a usage error): a broken pipe is fine here.
        let _ = child.stdin.take().unwrap().write_all(message);
        child.wait_with_output().unwrap()
    }

    fn received(&self) -> Option<Vec<u8>> {
        std::fs::read(self.dir.join("received.eml")).ok()
    }

    fn argv(&self) -> Vec<String> {
        std::fs::read_to_string(self.dir.join("argv")).unwrap().lines().map(str::to_owned).collect()
    }

    /// The held messages (each `ID.eml` has its `ID.command` beside it).
    fn held(&self) -> Vec<PathBuf> {
        held_in(&self.held_dir())
    }
}

impl Drop for Sandbox {
    /// Kept after a failure, for a look; removed after a pass.
    fn drop(&mut self) {
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

fn held_in(dir: &Path) -> Vec<PathBuf> {
    match std::fs::read_dir(dir) {
        Ok(entries) => entries.map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|ext| ext == "eml")).collect(),
        Err(_) => Vec::new(),
    }
}

#[cfg(unix)]
fn make_executable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A clean multipart message with CRLF line ends, 8-bit UTF-8 and Latin-1 bytes in the
/// body, a base64 attachment with arbitrary bytes, and no newline at the very end.
fn clean_message() -> Vec<u8> {
    let mut m = Vec::new();
    m.extend_from_slice(
        b"From: Ann Example <ann@example.com>\r\n\
          To: Bob Example <bob@example.com>\r\n\
          Subject: =?UTF-8?Q?Caf=C3=A9_notes?=\r\n\
          MIME-Version: 1.0\r\n\
          Content-Type: multipart/mixed; boundary=\"b0undary\"\r\n\
          \r\n\
          --b0undary\r\n\
          Content-Type: text/plain; charset=utf-8\r\n\
          Content-Transfer-Encoding: 8bit\r\n\
          \r\n\
          Hi Bob,\r\n\
          \r\n",
    );
    m.extend_from_slice("Thanks for the café notes from Zoë — the numbers look right 👍.\r\n".as_bytes());
    m.extend_from_slice(b"Trailing spaces stay   \r\n\tand tabs too.\r\n\r\nAnn\r\n--b0undary\r\n");
    m.extend_from_slice(b"Content-Type: application/octet-stream; name=\"data.bin\"\r\n");
    m.extend_from_slice(b"Content-Transfer-Encoding: base64\r\n\r\n");
    m.extend_from_slice(b"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4v\r\n");
    m.extend_from_slice(b"--b0undary--\r\n");
    // A raw Latin-1 byte in an epilogue and a lone CR: must pass untouched.
    m.extend_from_slice(b"epilogue \xe9\r no final newline");
    m
}

/// A short clean message, for the tests about exit statuses rather than bytes.
fn plain_message() -> Vec<u8> {
    b"From: Ann Example <ann@example.com>\r\n\
      To: Bob Example <bob@example.com>\r\n\
      Subject: Notes\r\n\
      \r\n\
      Hi Bob,\r\n\
      \r\n\
      Thanks for the notes; the numbers look right.\r\n\
      \r\n\
      Ann\r\n"
        .to_vec()
}

fn risky_message() -> Vec<u8> {
    b"From: Ann Example <ann@example.com>\r\n\
      To: Bob Example <bob@example.com>\r\n\
      Subject: Report\r\n\
      \r\n\
      Hi Bob,\r\n\
      \r\n\
      Please get back to me ASAP.\r\n\
      \r\n\
      Ann\r\n"
        .to_vec()
}

#[test]
fn clean_mail_is_sent_byte_for_byte_with_the_arguments() {
    let sb = Sandbox::new("clean");
    let message = clean_message();
    let out = sb.guard(&["--", &sb.sendmail(), "-oi", "-f", "ann@example.com", "bob@example.com"], &message, &[]);
    assert!(out.status.success(), "exit {:?}, stderr:\n{}", out.status, stderr(&out));
    assert_eq!(sb.received().expect("the fake sendmail got the message"), message);
    assert_eq!(sb.argv(), ["-oi", "-f", "ann@example.com", "bob@example.com"]);
    assert!(sb.held().is_empty(), "nothing is held");
    assert!(out.stdout.is_empty());
}

#[test]
fn risky_mail_is_held_with_a_report_and_a_saved_copy() {
    let sb = Sandbox::new("risky");
    let message = risky_message();
    let out = sb.guard(&["--", &sb.sendmail(), "bob@example.com"], &message, &[]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "held mail exits 1; stderr:\n{err}");
    assert_eq!(sb.received(), None, "the command was not run");
    // The report names the rule, quotes the line and offers the rewrite.
    assert!(err.contains("warning[pressure.asap]"), "{err}");
    assert!(err.contains("Please get back to me ASAP."), "{err}");
    assert!(err.contains("suggestion"), "{err}");
    assert!(err.contains("NOT sent"), "{err}");
    // The copy is where it says, byte for byte.
    let held = sb.held();
    assert_eq!(held.len(), 1, "one copy in {}", sb.held_dir().display());
    assert!(err.contains(&held[0].display().to_string()), "stderr names {}:\n{err}", held[0].display());
    assert_eq!(std::fs::read(&held[0]).unwrap(), message);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&held[0]).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "the saved copy is private");
    }
}

#[test]
fn guard_off_and_force_send_risky_mail_unchanged() {
    for (name, args, env) in [("env-off", vec![], vec![("TACTFUL_GUARD", "off")]), ("force", vec!["--force"], vec![])] {
        let sb = Sandbox::new(name);
        let message = risky_message();
        let sendmail = sb.sendmail();
        let mut all: Vec<&str> = args.clone();
        all.extend(["--", &sendmail, "bob@example.com"]);
        let out = sb.guard(&all, &message, &env);
        assert!(out.status.success(), "{name}: exit {:?}\n{}", out.status, stderr(&out));
        assert_eq!(sb.received().as_deref(), Some(&message[..]), "{name}");
        assert!(sb.held().is_empty(), "{name}");
    }
}

#[test]
fn the_threshold_decides_what_is_held() {
    // pressure.asap is a warning: below an `error` threshold the mail goes out.
    let sb = Sandbox::new("threshold-error");
    let out = sb.guard(&["--min-severity", "error", "--", &sb.sendmail()], &risky_message(), &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(sb.received().as_deref(), Some(&risky_message()[..]));

    // ...and a disabled rule holds nothing.
    let sb = Sandbox::new("disabled");
    let out = sb.guard(&["--disable", "pressure", "--", &sb.sendmail()], &risky_message(), &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(sb.received().is_some());

    // A workspace config that turns the rule off is honoured too.
    let sb = Sandbox::new("workspace-config");
    std::fs::write(sb.dir.join(".tactful.toml"), "[rules]\n\"pressure.asap\" = \"off\"\n").unwrap();
    let out = sb.guard(&["--", &sb.sendmail()], &risky_message(), &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(sb.received().is_some());
}

#[test]
fn the_real_commands_exit_status_comes_through() {
    for code in ["1", "75", "127"] {
        let sb = Sandbox::new(&format!("exit-{code}"));
        let message = plain_message();
        let out = sb.guard(&["--", &sb.sendmail()], &message, &[("FAKE_EXIT", code)]);
        assert_eq!(out.status.code(), Some(code.parse().unwrap()), "{}", stderr(&out));
        // It did get the whole message; the failure is the command's own.
        assert_eq!(sb.received().as_deref(), Some(&message[..]));
    }
}

#[test]
fn a_command_killed_by_a_signal_is_reported_as_128_plus_the_signal() {
    let sb = Sandbox::new("signal");
    let out = sb.guard(&["--", "/bin/sh", "-c", "cat >/dev/null; kill -9 $$"], &plain_message(), &[]);
    assert_eq!(out.status.code(), Some(128 + 9), "{}", stderr(&out));
}

#[test]
fn a_missing_command_keeps_the_message() {
    let sb = Sandbox::new("missing");
    let message = plain_message();
    let missing = sb.dir.join("no-such-sendmail").display().to_string();
    let out = sb.guard(&["--", &missing], &message, &[]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("NOT sent"), "{err}");
    let held = sb.held();
    assert_eq!(held.len(), 1, "{err}");
    assert_eq!(std::fs::read(&held[0]).unwrap(), message);
}

#[test]
fn a_command_that_stops_reading_but_exits_0_is_not_taken_as_sent() {
    let sb = Sandbox::new("early-exit");
    // Bigger than a pipe buffer, so the write fails once the command is gone.
    let mut message = plain_message();
    message.extend(std::iter::repeat_n(b'x', 1 << 20));
    let out = sb.guard(&["--", "/bin/true"], &message, &[]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("before reading the whole message"), "{err}");
    assert_eq!(std::fs::read(&sb.held()[0]).unwrap(), message);
}

#[test]
fn tactful_guard_dir_overrides_where_copies_go() {
    let sb = Sandbox::new("guard-dir");
    let dir = sb.dir.join("custom-held");
    let out = sb.guard(&["--", &sb.sendmail()], &risky_message(), &[("TACTFUL_GUARD_DIR", dir.to_str().unwrap())]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(held_in(&dir).len(), 1);
    assert!(stderr(&out).contains(&dir.display().to_string()));
}

#[test]
fn a_command_is_required() {
    let sb = Sandbox::new("no-command");
    let out = sb.guard(&[], &risky_message(), &[]);
    assert_eq!(out.status.code(), Some(2), "clap usage error");
    assert_eq!(sb.received(), None);
}

#[test]
fn a_checker_failure_holds_the_message_and_keeps_a_copy() {
    // A broken workspace config: the guard cannot check, so it must not send,
    // and the message must survive.
    let sb = Sandbox::new("bad-config");
    std::fs::write(sb.dir.join(".tactful.toml"), "no_such_key = 1\n").unwrap();
    let message = plain_message();
    let out = sb.guard(&["--", &sb.sendmail()], &message, &[]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("cannot check"), "{err}");
    assert!(err.contains("TACTFUL_GUARD=off"), "{err}");
    assert_eq!(sb.received(), None);
    assert_eq!(std::fs::read(&sb.held()[0]).unwrap(), message);
}

// ---- never a partial delivery taken for success (issue 11) ----

/// A message of `size` bytes: the risky-free plain message, padded with text lines.
fn big_message(size: usize) -> Vec<u8> {
    let mut message = plain_message();
    while message.len() < size {
        message.extend_from_slice(b"The numbers in the attached table look right to me.\r\n");
    }
    message
}

#[cfg(unix)]
#[test]
fn a_signal_while_the_command_reads_keeps_the_whole_message_and_says_where() {
    for (name, signal) in [("term", 15), ("int", 2)] {
        let sb = Sandbox::new(&format!("signal-{name}"));
        let message = big_message(3 << 20);
        // Reads a part, says it started, then waits to be stopped.
        let command = format!("head -c 100000 > '{0}/part'; touch '{0}/started'; exec sleep 60", sb.dir.display());
        let mut child = sb.guard_command(&["--", "/bin/sh", "-c", &command]).spawn().unwrap();
        child.stdin.take().unwrap().write_all(&message).unwrap();
        let started = sb.dir.join("started");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
        while !started.exists() {
            assert!(std::time::Instant::now() < deadline, "{name}: the command never started");
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let kill = Command::new("kill").args([&format!("-{signal}"), &child.id().to_string()]).status().unwrap();
        assert!(kill.success());
        let out = child.wait_with_output().unwrap();
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(128 + signal), "{name}: {err}");
        let held = sb.held();
        assert_eq!(held.len(), 1, "{name}: {err}");
        assert_eq!(std::fs::read(&held[0]).unwrap(), message, "{name}: the copy is whole");
        assert!(err.contains(&held[0].display().to_string()), "{name}: says where: {err}");
        assert!(err.contains("tactful held send"), "{name}: {err}");
    }
}

#[test]
fn a_command_that_exits_0_without_reading_a_small_message_is_not_taken_as_sent() {
    let sb = Sandbox::new("no-read");
    let message = plain_message();
    let out = sb.guard(&["--", "/bin/true"], &message, &[]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains(&format!("exited 0 before reading the whole message (it read 0 of {} bytes)", message.len())), "{err}");
    let held = sb.held();
    assert_eq!(std::fs::read(&held[0]).unwrap(), message);
    assert!(err.contains(&held[0].display().to_string()), "{err}");
}

#[cfg(unix)]
#[test]
fn a_full_disk_leaves_no_partial_file_and_sends_nothing() {
    use std::os::unix::process::CommandExt;
    for (name, message) in [("risky", risky_message()), ("clean", big_message(64 << 10))] {
        let sb = Sandbox::new(&format!("full-{name}"));
        let tmp = sb.dir.join("tmp");
        std::fs::create_dir_all(&tmp).unwrap();
        let mut command = sb.guard_command(&["--", &sb.sendmail()]);
        command.env("TMPDIR", &tmp);
        // A file may not grow past 100 bytes: every write past that fails, as on a full disk.
        // SAFETY: only async-signal-safe calls between fork and exec.
        unsafe {
            command.pre_exec(|| {
                libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
                let limit = libc::rlimit { rlim_cur: 100, rlim_max: 100 };
                if libc::setrlimit(libc::RLIMIT_FSIZE, &limit) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let mut child = command.spawn().unwrap();
        let _ = child.stdin.take().unwrap().write_all(&message);
        let out = child.wait_with_output().unwrap();
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{name}: {err}");
        assert!(err.contains("NOT sent") && err.contains("Your mail client still has it"), "{name}: {err}");
        assert_eq!(sb.received(), None, "{name}: nothing sent");
        for dir in [sb.held_dir(), tmp] {
            let left: Vec<_> = std::fs::read_dir(&dir).map(|e| e.map(|e| e.unwrap().path()).collect()).unwrap_or_default();
            assert!(left.is_empty(), "{name}: partial files left in {}: {left:?}", dir.display());
        }
    }
}

/// `tactful held ARGS` in the sandbox.
fn held_command(sb: &Sandbox, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.arg("held").args(args).current_dir(&sb.dir).env("HOME", sb.dir.join("home")).env("XDG_STATE_HOME", sb.dir.join("state"));
    cmd.env_remove("TACTFUL_GUARD_DIR").env_remove("FAKE_EXIT");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

#[test]
fn a_held_message_is_listed_sent_byte_for_byte_through_its_command_or_dropped() {
    let sb = Sandbox::new("held-send");
    let message = risky_message();
    let out = sb.guard(&["--", &sb.sendmail(), "-oi", "bob@example.com"], &message, &[]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    let id = sb.held()[0].file_stem().unwrap().to_string_lossy().into_owned();
    assert!(err.contains(&format!("`tactful held send {id}`")), "the report says how to send it anyway: {err}");

    let list = held_command(&sb, &["list"], &[]);
    let listed = String::from_utf8_lossy(&list.stdout);
    assert!(listed.contains(&id) && listed.contains("subject: Report") && listed.contains("to: Bob Example <bob@example.com>"), "{listed}");

    // The command fails: the copy stays.
    let failed = held_command(&sb, &["send", &id], &[("FAKE_EXIT", "75")]);
    assert_eq!(failed.status.code(), Some(75), "{}", stderr(&failed));
    assert_eq!(sb.held().len(), 1);

    let sent = held_command(&sb, &["send", &id], &[]);
    assert!(sent.status.success(), "{}", stderr(&sent));
    assert_eq!(sb.received().as_deref(), Some(&message[..]), "byte for byte");
    assert_eq!(sb.argv(), ["-oi", "bob@example.com"], "through the same command");
    assert!(sb.held().is_empty(), "sent copies are removed");
    assert!(std::fs::read_dir(sb.held_dir()).unwrap().next().is_none(), "nothing else left");

    let out = sb.guard(&["--", &sb.sendmail()], &message, &[]);
    assert_eq!(out.status.code(), Some(1));
    let id = sb.held()[0].file_stem().unwrap().to_string_lossy().into_owned();
    let dropped = held_command(&sb, &["drop", &id], &[]);
    assert!(dropped.status.success(), "{}", stderr(&dropped));
    assert!(std::fs::read_dir(sb.held_dir()).unwrap().next().is_none());
    assert_eq!(held_command(&sb, &["send", "../../etc/passwd"], &[]).status.code(), Some(2));
}

#[test]
fn held_messages_older_than_thirty_days_are_pruned() {
    let sb = Sandbox::new("held-prune");
    for _ in 0..2 {
        assert_eq!(sb.guard(&["--", &sb.sendmail()], &risky_message(), &[]).status.code(), Some(1));
    }
    let held = sb.held();
    assert_eq!(held.len(), 2);
    let month_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(31 * 24 * 60 * 60);
    std::fs::File::options().write(true).open(&held[0]).unwrap().set_modified(month_ago).unwrap();
    let list = held_command(&sb, &["list"], &[]);
    let listed = String::from_utf8_lossy(&list.stdout);
    assert!(listed.contains("removed 1 held message older than 30 days"), "{listed}");
    assert_eq!(sb.held(), vec![held[1].clone()]);
    assert!(!held[0].with_extension("command").exists(), "its command went too");
}
