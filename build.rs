//! Embeds the built-in packs: every directory under `rules/` (except `examples/`) is a
//! pack, and every `.toml` file in it is one of its files. Adding a rule file never
//! needs a Rust change. Also compiles the default pack with the library's own pack
//! compiler (its modules, included below), so `tactful` starts without parsing it, and
//! writes one `#[test]` per rule (`rule_tests.rs`, for tests/rule_examples.rs), so
//! `cargo test pressure_asap` runs one rule's examples.

// The library's modules, of which this script runs only the pack compiler.
#![allow(dead_code, unused_imports)]

#[path = "src/bytes.rs"]
mod bytes;
#[path = "src/engine/mod.rs"]
mod engine;
#[path = "src/finding.rs"]
mod finding;
#[path = "src/fsread.rs"]
mod fsread;
#[path = "src/message/mod.rs"]
mod message;
#[path = "src/parallel.rs"]
mod parallel;
#[path = "src/rules/mod.rs"]
mod rules;
#[path = "src/selection.rs"]
mod selection;
#[path = "src/text/mod.rs"]
mod text;

use std::fmt::Write;
use std::path::Path;

/// The packs as [`main`] read them: (name, [(file, text)]).
type Packs = &'static [(&'static str, &'static [(&'static str, &'static str)])];

/// What the library embeds, as this script has it: the packs read from `rules/`, and
/// nothing compiled yet.
mod embedded {
    pub static PACKS: std::sync::OnceLock<super::Packs> = std::sync::OnceLock::new();
    pub const DEFAULT_PACK_COMPILED: &[u8] = &[];
    pub const DEFAULT_WORDS_COMPILED: &[u8] = &[];

    pub fn builtin_packs() -> super::Packs {
        PACKS.get().expect("the packs are read first")
    }
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    println!("cargo:rerun-if-changed={}", root.display());
    let out_dir = std::env::var("OUT_DIR").unwrap();
    let out_dir = Path::new(&out_dir);
    let mut dirs: Vec<_> = std::fs::read_dir(&root)
        .expect("rules/ exists")
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.is_dir() && path.file_name().is_some_and(|n| n != "examples"))
        .collect();
    dirs.sort();
    let mut packs = Vec::new();
    let mut out = String::from("/// Built-in packs: (name, [(file, text)]).\nstatic BUILTIN_PACKS: &[(&str, &[(&str, &str)])] = &[\n");
    let mut tests = String::from("/// Every rule id of the built-in packs, as found in their files.\nconst RULE_IDS: &[(&str, &str)] = &[\n");
    let mut functions = String::new();
    for pack in dirs {
        println!("cargo:rerun-if-changed={}", pack.display());
        let name = pack.file_name().unwrap().to_string_lossy().into_owned();
        let mut paths: Vec<_> = std::fs::read_dir(&pack)
            .expect("pack directory is readable")
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|path| path.extension().is_some_and(|ext| ext == "toml"))
            .collect();
        paths.sort();
        writeln!(out, "    ({name:?}, &[").unwrap();
        let mut files = Vec::new();
        for file in paths {
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
            files.push((leak(label), leak(text)));
        }
        writeln!(out, "    ]),").unwrap();
        packs.push((leak(name), &*Vec::leak(files)));
    }
    out.push_str("];\n\n/// The built-in packs.\npub fn builtin_packs() -> &'static [(&'static str, &'static [(&'static str, &'static str)])] {\n    BUILTIN_PACKS\n}\n");
    for (item, file) in [("DEFAULT_PACK_COMPILED", "default-pack.bin"), ("DEFAULT_WORDS_COMPILED", "default-words.bin")] {
        let path = out_dir.join(file);
        writeln!(
            out,
            "\n/// `{file}`, written by build.rs (empty if the pack did not compile).\npub static {item}: &[u8] = include_bytes!({:?});",
            path.display().to_string()
        )
        .unwrap();
    }
    tests.push_str("];\n\n");
    tests.push_str(&functions);
    std::fs::write(out_dir.join("embedded.rs"), out).unwrap();
    std::fs::write(out_dir.join("rule_tests.rs"), tests).unwrap();

    embedded::PACKS.set(Vec::leak(packs)).expect("set once");
    // A broken default pack is reported where it is read, with its place, by the
    // binary and its tests: here it is only not compiled ahead.
    let (pack, words) = match compile_default() {
        Ok(compiled) => compiled,
        Err(problem) => {
            println!("cargo:warning=the default pack is not compiled ahead: {problem}");
            (Vec::new(), Vec::new())
        }
    };
    std::fs::write(out_dir.join("default-pack.bin"), pack).unwrap();
    std::fs::write(out_dir.join("default-words.bin"), words).unwrap();
}

/// The default pack and its rules in the match language, serialized.
fn compile_default() -> Result<(Vec<u8>, Vec<u8>), String> {
    let (pack, pack_bytes) = rules::compile_builtin(rules::DEFAULT_PACK).map_err(|err| err.to_string())?;
    let words = engine::compile_default_words(&pack).map_err(|err| err.to_string())?;
    Ok((pack_bytes, words))
}

fn leak(text: String) -> &'static str {
    String::leak(text)
}
