//! Hostile files through the real binary: a device, a FIFO and a 1 GB sparse file as
//! `--config`, `--pack`, a config's `packs` entry and an input file, and endless
//! stdin. Each must end at once with a clear error (exit 2) naming the file and the
//! problem, and never read much: every run is measured (peak RSS from `wait4`) and
//! killed if it grows past a ceiling or takes minutes, so a regression fails the test
//! instead of exhausting the machine.
#![cfg(unix)]

#[path = "support/bounded.rs"]
mod bounded;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use bounded::{run_bounded, Finished};

const BIN: &str = env!("CARGO_BIN_EXE_tactful");

/// What a refused file may cost above a run on a small regular file: at most one
/// bounded read of 64 MiB (stdin), with room to spare.
const PEAK_ABOVE_BASELINE_KIB: u64 = 100 << 10;

/// A scratch folder with a FIFO, a 1 GB sparse file and a tiny valid pack.
struct Sandbox {
    dir: PathBuf,
}

impl Sandbox {
    fn new(name: &str) -> Sandbox {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("hostile-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        assert!(Command::new("mkfifo").arg(dir.join("fifo")).status().unwrap().success());
        let sparse = std::fs::File::create(dir.join("sparse")).unwrap();
        sparse.set_len(1 << 30).unwrap();
        Sandbox { dir }
    }

    fn path(&self, name: &str) -> String {
        self.dir.join(name).display().to_string()
    }

    fn tactful(&self, args: &[&str]) -> Command {
        let mut command = Command::new(BIN);
        command
            .args(args)
            .current_dir(&self.dir)
            .env("HOME", &self.dir)
            .env("XDG_CONFIG_HOME", self.dir.join("config"))
            .env("XDG_CACHE_HOME", self.dir.join("cache"))
            .stdin(Stdio::null());
        command
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// The peak of checking a small regular file with the built-in rules: the binary and
/// its compiled rules, whatever they cost.
fn baseline_kib() -> u64 {
    static BASELINE: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    *BASELINE.get_or_init(|| {
        let sb = Sandbox::new("baseline");
        std::fs::write(sb.dir.join("small.eml"), "Subject: hi\n\nPlease reply ASAP.\n").unwrap();
        let run = run_bounded(&mut sb.tactful(&["check", "--no-config", &sb.path("small.eml")]), None);
        assert_eq!(run.status.code(), Some(1), "{}", run.stderr);
        run.peak_kib
    })
}

/// Asserts a quick, cheap exit 2 whose error contains every one of `expected`.
fn assert_refused(case: &str, run: &Finished, expected: &[&str]) {
    assert_eq!(run.killed, None, "{case}: the watchdog stopped it; stderr:\n{}", run.stderr);
    assert_eq!(run.status.code(), Some(2), "{case}: exit status; stderr:\n{}", run.stderr);
    for part in expected {
        assert!(run.stderr.contains(part), "{case}: stderr lacks {part:?}:\n{}", run.stderr);
    }
    let bound = baseline_kib() + PEAK_ABOVE_BASELINE_KIB;
    assert!(run.peak_kib < bound, "{case}: peak {} KiB (bound {bound} KiB)", run.peak_kib);
}

/// The three hostile files, each with the error it must get, for a file read as `what`
/// with a limit of `cap` bytes: `/dev/zero`, a FIFO, and a 1 GB sparse file (`sparse`
/// names it, so that a pack can be given a `.toml` name).
fn hostile_files(sb: &Sandbox, what: &str, cap: &str, sparse: &str) -> [(&'static str, String, String); 3] {
    let not_regular = "not a regular file; only regular files are read";
    [
        ("device", "/dev/zero".to_owned(), format!("{what} is a character device, {not_regular}")),
        ("fifo", sb.path("fifo"), format!("{what} is a FIFO (named pipe), {not_regular}")),
        ("sparse", sb.path(sparse), format!("{what} is 1073741824 bytes; at most {cap} are read")),
    ]
}

#[test]
fn a_device_a_fifo_or_a_huge_file_as_config_is_refused() {
    let sb = Sandbox::new("config");
    for (name, path, problem) in hostile_files(&sb, "config file", "1048576 bytes (1 MiB)", "sparse") {
        let run = run_bounded(&mut sb.tactful(&["check", "--config", &path, "-"]), None);
        assert_refused(&format!("--config {name}"), &run, &[&format!("error: {path}:1:1: {problem}")]);
    }
}

#[test]
fn a_device_a_fifo_or_a_huge_file_as_a_pack_is_refused() {
    let sb = Sandbox::new("pack");
    std::os::unix::fs::symlink(sb.path("sparse"), sb.dir.join("sparse.toml")).unwrap();
    for (name, path, problem) in hostile_files(&sb, "pack file", "1048576 bytes (1 MiB)", "sparse.toml") {
        let run = run_bounded(&mut sb.tactful(&["check", "--no-config", "--pack", &path, "-"]), None);
        assert_refused(&format!("--pack {name}"), &run, &[&format!("error: {path}:1:1: {problem}")]);

        // The same file named in a config's `packs`.
        std::fs::write(sb.dir.join("cfg.toml"), format!("packs = [\"{path}\"]\n")).unwrap();
        let run = run_bounded(&mut sb.tactful(&["check", "--config", &sb.path("cfg.toml"), "-"]), None);
        assert_refused(&format!("packs = [{name}]"), &run, &[&format!("error: {path}:1:1: {problem}")]);
        let run = run_bounded(&mut sb.tactful(&["pack", "check", &path]), None);
        assert_eq!((run.status.code(), &run.killed), (Some(1), &None), "pack check {name}: {}", run.stderr);
    }
}

#[test]
fn a_device_a_fifo_or_a_huge_file_as_input_is_refused() {
    let sb = Sandbox::new("input");
    for (name, path, problem) in hostile_files(&sb, "input", "67108864 bytes (64 MiB)", "sparse") {
        let run = run_bounded(&mut sb.tactful(&["check", "--no-config", &path]), None);
        assert_refused(&format!("input {name}"), &run, &[&format!("error: {path}: {problem}")]);
    }
}

#[test]
fn endless_stdin_is_refused_once_past_the_limit() {
    let sb = Sandbox::new("stdin");
    let zero = std::fs::File::open("/dev/zero").unwrap();
    let run = run_bounded(sb.tactful(&["check", "--no-config"]).stdin(zero), None);
    assert_refused("endless stdin", &run, &["error: <stdin>: input is larger than the limit of 67108864 bytes (64 MiB)"]);
}

/// A pack folder of `files` files, each of `rules` rules of `phrases` small phrases.
fn write_pack(dir: &Path, name: &str, files: usize, rules: usize, phrases: usize) {
    std::fs::create_dir_all(dir).unwrap();
    for f in 0..files {
        let mut text = String::new();
        for r in 0..rules {
            let list: Vec<String> = (0..phrases).map(|p| format!("\"w{f}x{r}y{p} z\"")).collect();
            text.push_str(&format!("[[rule]]\nid = \"{name}.r{f}-{r}\"\nmessage = \"m\"\nphrases = [{}]\n\n", list.join(", ")));
        }
        std::fs::write(dir.join(format!("{f:02}.toml")), text).unwrap();
    }
}

#[test]
fn a_pack_within_every_count_but_too_big_to_compile_is_refused_before_compiling() {
    let sb = Sandbox::new("budget");
    // 20 files, 2,000 rules, 400,000 phrases: each count within its limit.
    write_pack(&sb.dir.join("bomb"), "bomb", 20, 100, 200);
    let problem = "bomb/00.toml:1:1: the packs loaded together have 400000 phrases and patterns; at most 10000 are compiled";
    let run = run_bounded(&mut sb.tactful(&["pack", "check", "bomb"]), None);
    assert_eq!((run.status.code(), &run.killed), (Some(1), &None), "{}", run.stderr);
    assert!(run.stdout.contains(&format!("error: {problem}")), "{}", run.stdout);
    let run = run_bounded(&mut sb.tactful(&["check", "--no-config", "--pack", "bomb", "-"]), None);
    assert_refused("check --pack bomb", &run, &[&format!("error: {problem}")]);

    // Two packs each within the budget, too big together: a config's packs share it.
    write_pack(&sb.dir.join("a"), "a", 1, 30, 200);
    write_pack(&sb.dir.join("b"), "b", 1, 30, 200);
    std::fs::write(sb.dir.join("cfg.toml"), "packs = [\"a\", \"b\"]\n").unwrap();
    let run = run_bounded(&mut sb.tactful(&["check", "--config", &sb.path("cfg.toml"), "-"]), None);
    assert_refused("packs = [a, b]", &run, &["b/00.toml:1:1: the packs loaded together have 12000 phrases and patterns; at most 10000"]);
    let run = run_bounded(&mut sb.tactful(&["pack", "check", "a", "b"]), None);
    assert_eq!(run.status.code(), Some(1), "each alone loads (and lacks examples): {}", run.stdout);
    assert!(!run.stdout.contains("loaded together"), "{}", run.stdout);
}
