//! The documentation against the program: the README's JSON example is real output,
//! and the guides link only to files that are in the project.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(relative: &str) -> String {
    std::fs::read_to_string(root().join(relative)).unwrap_or_else(|err| panic!("{relative}: {err}"))
}

/// The README's example is an excerpt of `tactful check --format json` on the sample
/// draft: the same file entry, and each diagnostic shown exactly as the program
/// prints it. When a rule changes, this says what to paste.
#[test]
fn the_readme_json_example_is_real_output_for_the_sample_draft() {
    let readme = read("README.md");
    let section = &readme[readme.find("### JSON output").expect("a JSON output section")..];
    let start = section.find("```json\n").expect("a json block") + "```json\n".len();
    let block = &section[start..start + section[start..].find("```").unwrap()];
    let example: Value = serde_json::from_str(block).unwrap_or_else(|err| panic!("the README's JSON example does not parse: {err}"));

    let out = Command::new(env!("CARGO_BIN_EXE_tactful"))
        .args(["check", "--no-config", "--format", "json", "docs/sample-draft.eml"])
        .current_dir(root())
        .output()
        .unwrap();
    let real: Value = serde_json::from_slice(&out.stdout).unwrap();
    let (shown, file) = (&example[0], &real[0]);
    assert_eq!((&shown["path"], &shown["decoded"]), (&file["path"], &file["decoded"]));
    let real_diagnostics = file["diagnostics"].as_array().unwrap();
    let shown_diagnostics = shown["diagnostics"].as_array().unwrap();
    assert!(!shown_diagnostics.is_empty());
    for diagnostic in shown_diagnostics {
        let same_rule = real_diagnostics.iter().find(|d| d["rule"] == diagnostic["rule"] && d["start"] == diagnostic["start"]);
        assert!(
            real_diagnostics.contains(diagnostic),
            "the README shows a diagnostic the program does not print; the real one is:\n{}",
            serde_json::to_string_pretty(&same_rule.or(real_diagnostics.first())).unwrap()
        );
    }
}

/// Every relative link in the guides leads to a file of the project, and no guide
/// points outside it (a path on one developer's machine).
#[test]
fn the_guides_link_only_to_files_in_the_project() {
    let guides = ["README.md", "rules/README.md", "docs/lsp.md", "editors/README.md"];
    for guide in guides {
        let text = read(guide);
        assert!(!text.contains("/work/"), "{guide} names a path on one developer's machine");
        let dir = root().join(guide).parent().unwrap().to_path_buf();
        for rest in text.match_indices("](").map(|(at, _)| &text[at + 2..]) {
            let target = &rest[..rest.find(')').unwrap_or(0)];
            let path = target.split('#').next().unwrap_or_default();
            if path.is_empty() || path.contains("://") || path.starts_with("mailto:") {
                continue;
            }
            assert!(Path::new(&dir).join(path).exists(), "{guide} links to `{target}`, which is not in the project");
        }
    }
}
