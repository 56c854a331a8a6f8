//! Embeds the built-in packs: every directory under `rules/` (except `examples/`) is a
//! pack, and every `.toml` file in it is one of its files. Adding a rule file never
//! needs a Rust change.

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
        }
        writeln!(out, "    ]),").unwrap();
    }
    out.push_str("];\n");
    let dest = Path::new(&std::env::var("OUT_DIR").unwrap()).join("builtin_packs.rs");
    std::fs::write(dest, out).unwrap();
}
