//! Every rule of every built-in pack flags its `flag` examples and leaves its `pass`
//! examples alone, each checked as a plain draft with only that rule switched on.

use std::sync::Arc;

use tactful::rules::{builtin_pack, builtin_pack_names, Pack};
use tactful::{Engine, Message, Selection, Toggle};

#[test]
fn every_builtin_rule_keeps_its_examples() {
    let mut failures = Vec::new();
    let mut checked = 0;
    for name in builtin_pack_names() {
        let pack = builtin_pack(name).expect("listed").unwrap_or_else(|err| panic!("built-in pack {name}: {err}"));
        for rule in &pack.rules {
            let info = &rule.info;
            assert!(!info.examples.flag.is_empty(), "{}: no `flag` example", info.id);
            let solo = Pack { name: pack.name.clone(), rules: vec![Arc::clone(rule)], lists: pack.lists.clone(), ..Pack::default() };
            let mut selection = Selection::default();
            selection.set(info.id.clone(), Toggle::On);
            let engine = Engine::new(&[solo], &selection).expect("engine");
            let fires = |text: &str| engine.check(&Message::parse(text)).iter().any(|f| f.rule.id == info.id);
            for example in &info.examples.flag {
                checked += 1;
                if !fires(example) {
                    failures.push(format!("{} should flag: {example:?}", info.id));
                }
            }
            for example in &info.examples.pass {
                checked += 1;
                if fires(example) {
                    failures.push(format!("{} should pass: {example:?}", info.id));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{} of {checked} examples failed:\n{}", failures.len(), failures.join("\n"));
}
