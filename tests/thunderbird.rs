//! `tactful thunderbird install|uninstall` on the built binary, with HOME in a temp
//! dir: the native-messaging host manifest Thunderbird reads to start `tactful`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_tactful");

fn run(home: &Path, args: &[&str]) -> Output {
    Command::new(BIN).args(args).env("HOME", home).output().unwrap()
}

fn temp_home(name: &str) -> PathBuf {
    let home = std::env::temp_dir().join(format!("tactful-tb-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&home);
    std::fs::create_dir_all(&home).unwrap();
    home
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

/// The add-on's id, from its own manifest: the host must allow exactly that add-on.
fn addon_id() -> String {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("editors/thunderbird/src/manifest.json");
    let manifest: Value = serde_json::from_str(&std::fs::read_to_string(manifest).unwrap()).unwrap();
    manifest["browser_specific_settings"]["gecko"]["id"].as_str().unwrap().to_owned()
}

#[test]
fn install_writes_the_host_manifest_and_reports_it() {
    let home = temp_home("install");
    let out = run(&home, &["thunderbird", "install"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let path = home.join(".mozilla/native-messaging-hosts/tactful.json");
    let written = std::fs::read_to_string(&path).unwrap();
    let manifest: Value = serde_json::from_str(&written).unwrap();
    let binary = Path::new(BIN).canonicalize().unwrap();
    assert_eq!(manifest["name"], "tactful");
    assert_eq!(manifest["type"], "stdio");
    assert_eq!(manifest["path"], binary.to_str().unwrap(), "the absolute path of the binary that ran");
    assert_eq!(manifest["allowed_extensions"], serde_json::json!([addon_id()]));
    let report = text(&out.stdout);
    assert!(report.starts_with(&format!("wrote {}:\n{written}", path.display())), "{report}");
    assert!(report.contains(binary.to_str().unwrap()), "{report}");

    // Again: the same file, replaced.
    assert!(run(&home, &["thunderbird", "install"]).status.success());
    assert_eq!(std::fs::read_to_string(&path).unwrap(), written);

    let out = run(&home, &["thunderbird", "uninstall"]);
    assert!(out.status.success());
    assert_eq!(text(&out.stdout), format!("removed {}\n", path.display()));
    assert!(!path.exists());
    let out = run(&home, &["thunderbird", "uninstall"]);
    assert!(out.status.success());
    assert!(text(&out.stdout).starts_with("nothing to remove"), "{}", text(&out.stdout));
    let _ = std::fs::remove_dir_all(&home);
}

#[test]
fn install_says_why_it_cannot_write() {
    let home = temp_home("blocked");
    // A file where the folder should be.
    std::fs::write(home.join(".mozilla"), "").unwrap();
    let out = run(&home, &["thunderbird", "install"]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains(&format!("creating {}", home.join(".mozilla/native-messaging-hosts").display())), "{err}");
    let _ = std::fs::remove_dir_all(&home);
}

#[test]
fn arguments_that_only_look_like_a_host_launch_are_not_one() {
    let home = temp_home("argv");
    // A relative manifest path is no launch by Thunderbird: clap explains instead.
    let out = run(&home, &["tactful.json", "tactful@tactful"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("unrecognized subcommand"), "{}", text(&out.stderr));
    let _ = std::fs::remove_dir_all(&home);
}
