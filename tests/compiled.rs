//! The default pack as build.rs compiled it (what `tactful` loads) against the same
//! pack read from its files in rules/: the same rules, lists and findings.

use std::path::Path;

use tactful::rules::{builtin_pack, compiled_default_pack, DEFAULT_PACK};
use tactful::{Engine, Message, Pack, Selection, Severity, Toggle};

fn from_files() -> Pack {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules").join(DEFAULT_PACK);
    Pack::load(&dir).unwrap_or_else(|err| panic!("{err}"))
}

fn compiled() -> Pack {
    assert!(compiled_default_pack().is_some(), "build.rs compiled the default pack");
    builtin_pack(DEFAULT_PACK).expect("a built-in pack").unwrap_or_else(|err| panic!("{err}"))
}

#[test]
fn the_compiled_default_pack_holds_what_its_files_say() {
    let (compiled, read) = (compiled(), from_files());
    assert_eq!(compiled.name, read.name);
    assert_eq!(compiled.rules.len(), read.rules.len());
    for (a, b) in compiled.rules.iter().zip(&read.rules) {
        // Origins differ (`builtin:default/x.toml` against a path); lines do not.
        assert_eq!((&a.info.id, a.location.line), (&b.info.id, b.location.line));
        assert_eq!(*a.info, tactful::RuleInfo { pack: a.info.pack.clone(), ..(*b.info).clone() }, "{}", a.info.id);
        assert_eq!(
            format!("{:?}", a.matcher.patterns.iter().map(source).collect::<Vec<_>>()),
            format!("{:?}", b.matcher.patterns.iter().map(source).collect::<Vec<_>>())
        );
        assert_eq!(a.matcher.guards.len(), b.matcher.guards.len(), "{}", a.info.id);
        // Measures (word sets in no order) are compared by what they find, below.
    }
    let names = |pack: &Pack| pack.lists.names().map(str::to_owned).collect::<Vec<_>>();
    assert_eq!(names(&compiled), names(&read));
}

fn source(pattern: &tactful::rules::Pattern) -> &str {
    match pattern {
        tactful::rules::Pattern::Expr(expr) => &expr.source,
        tactful::rules::Pattern::Regex(escape) => &escape.source,
    }
}

/// Also under a selection that turns rules off and changes severities: the engine
/// compiles the rules that are off too, so the compiled pack serves every selection.
#[test]
fn the_compiled_default_pack_finds_what_its_files_find() {
    let mut selective = Selection { min_severity: Some(Severity::Info), ..Selection::default() };
    selective.set("pressure", Toggle::Off);
    selective.set("shouting.capitals-soft", Toggle::At(Severity::Error));
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join("corpus");
    let mut files: Vec<_> = std::fs::read_dir(&corpus).unwrap().map(|entry| entry.unwrap().path()).collect();
    files.retain(|file| file.extension().is_some_and(|ext| ext == "eml"));
    files.sort();
    let mut counts = Vec::new();
    for selection in [Selection::default(), selective] {
        let compiled = Engine::new(&[compiled()], &selection).unwrap();
        let read = Engine::new(&[from_files()], &selection).unwrap();
        assert_eq!(compiled.rule_count(), read.rule_count());
        let mut findings = Vec::new();
        for file in &files {
            let message = Message::parse(&std::fs::read_to_string(file).unwrap());
            let (a, b) = (compiled.check(&message), read.check(&message));
            assert_eq!(a, b, "{}", file.display());
            findings.extend(a);
        }
        counts.push((findings.len(), findings.iter().filter(|f| f.category == "pressure").count()));
    }
    let [(all, pressure), (selected, no_pressure)] = counts[..] else { unreachable!() };
    assert!(all > 50 && pressure > 0, "the corpus has findings to compare ({all}, {pressure} pressure)");
    assert!(selected < all && no_pressure == 0, "the selection changes what is found ({selected} of {all})");
}
