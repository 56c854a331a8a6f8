//! A rule's examples run as tests: one runner for `tactful pack test` and `cargo test`.

use std::sync::Arc;

use super::{Engine, EngineError, Selection, Toggle};
use crate::message::Message;
use crate::rules::{Pack, Rule};

/// Runs one rule alone (switched on, with its pack's vocabulary) over its examples;
/// returns a line per failed example.
pub fn run_examples(pack: &Pack, rule: &Arc<Rule>) -> Result<Vec<String>, EngineError> {
    let info = &rule.info;
    let solo = Pack {
        name: pack.name.clone(),
        rules: vec![Arc::clone(rule)],
        vocabulary: pack.vocabulary.clone(),
        lists: pack.lists.clone(),
        ..Pack::default()
    };
    let mut selection = Selection::default();
    selection.set(info.id.clone(), Toggle::On);
    let engine = Engine::new(&[solo], &selection)?;
    let run = |text: &str| {
        let message = Message::parse(text);
        let findings: Vec<_> = engine.check(&message).into_iter().filter(|f| f.rule == info.id).collect();
        (message, findings)
    };
    let mut problems = Vec::new();
    for example in &info.examples.flag {
        if run(example).1.is_empty() {
            problems.push(format!("should flag: {example:?}, but nothing was flagged"));
        }
    }
    for example in &info.examples.pass {
        let (message, findings) = run(example);
        if let Some(finding) = findings.first() {
            problems.push(format!("should pass: {example:?}, but it flagged {:?}", &message.text()[finding.span.clone()]));
        }
    }
    for rewrite in &info.examples.rewrite {
        let (message, findings) = run(&rewrite.from);
        let Some(finding) = findings.first() else {
            problems.push(format!("rewrite of {:?}: nothing was flagged", rewrite.from));
            continue;
        };
        let text = message.text();
        let results: Vec<String> =
            finding.suggestions.iter().map(|s| format!("{}{}{}", &text[..finding.span.start], s.replacement, &text[finding.span.end..])).collect();
        if !results.iter().any(|r| r.trim() == rewrite.to.trim()) {
            let got = if results.is_empty() {
                "no suggestion".to_owned()
            } else {
                results.iter().map(|r| format!("{:?}", r.trim())).collect::<Vec<_>>().join(" or ")
            };
            problems.push(format!("rewrite of {:?}: expected {:?}, got {got}", rewrite.from, rewrite.to));
        }
    }
    Ok(problems)
}
