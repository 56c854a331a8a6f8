//! Embeds the built-in packs: every directory under `rules/` (except `examples/`) is a
//! pack, and every `.toml` file in it is one of its files. Adding a rule file never
//! needs a Rust change. Also writes one `#[test]` per rule (`rule_tests.rs`, for
//! tests/rule_examples.rs), so `cargo test pressure_asap` runs one rule's examples.

use std::fmt::Write;
use std::path::Path;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut packs: Vec<_> = std::fs::read_dir(&root)
        .expect("rules/ exists")
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.is_dir() && path.file_name().is_some_and(|n| n != "examples"))
        .collect();
    packs.sort();
    let mut out = String::from("/// Built-in packs: (name, [(file, text)]).\npub static BUILTIN_PACKS: &[(&str, &[(&str, &str)])] = &[\n");
    let mut tests = String::from("/// Every rule id of the built-in packs, as found in their files.\nconst RULE_IDS: &[(&str, &str)] = &[\n");
    let mut functions = String::new();
    for pack in packs {
        println!("cargo:rerun-if-changed={}", pack.display());
        let name = pack.file_name().unwrap().to_string_lossy().into_owned();
        let mut files: Vec<_> = std::fs::read_dir(&pack)
            .expect("pack directory is readable")
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|path| path.extension().is_some_and(|ext| ext == "toml"))
            .collect();
        files.sort();
        writeln!(out, "    ({name:?}, &[").unwrap();
        for file in files {
            println!("cargo:rerun-if-changed={}", file.display());
            let label = format!("builtin:{name}/{}", file.file_name().unwrap().to_string_lossy());
            writeln!(out, "        ({label:?}, include_str!({:?})),", file.display().to_string()).unwrap();
            let text = std::fs::read_to_string(&file).expect("pack file is readable");
            // A rule's id is on a line of its own: `id = "category.name"`.
            for id in text.lines().filter_map(|line| line.strip_prefix("id = \"")?.strip_suffix('"')) {
                let function: String = format!("{name}_{id}").chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
                writeln!(tests, "    ({name:?}, {id:?}),").unwrap();
                writeln!(functions, "#[test]\nfn {function}() {{\n    check_rule({name:?}, {id:?});\n}}\n").unwrap();
            }
        }
        writeln!(out, "    ]),").unwrap();
    }
    out.push_str("];\n");
    tests.push_str("];\n\n");
    tests.push_str(&functions);
    let dir = std::env::var("OUT_DIR").unwrap();
    std::fs::write(Path::new(&dir).join("builtin_packs.rs"), out).unwrap();
    std::fs::write(Path::new(&dir).join("rule_tests.rs"), tests).unwrap();
}
