//! The labelled dev corpus (tests/corpus, a copy of the shared dev set) scored the way
//! the product is judged: micro F1 over categories, false alarms on clean mail, and no
//! finding starting inside quoted text, signatures, headers or code.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::Deserialize;
use tactful::{Config, Engine, Message};

#[derive(Deserialize)]
struct Labels {
    case: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    file: String,
    #[serde(default)]
    expect: BTreeSet<String>,
    #[serde(default)]
    optional: BTreeSet<String>,
    #[serde(default)]
    never_in: Vec<String>,
}

#[derive(Default)]
struct Tally {
    true_positive: usize,
    false_positive: usize,
    false_negative: usize,
}

#[test]
fn dev_corpus_meets_the_quality_bar() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let labels: Labels = toml::from_str(&std::fs::read_to_string(dir.join("labels.toml")).unwrap()).unwrap();
    let config = Config::default();
    let engine = Engine::new(&config.load_packs().unwrap(), &config.selection()).unwrap();

    let mut per_category: BTreeMap<String, Tally> = BTreeMap::new();
    let (mut clean, mut clean_alarmed) = (0, 0);
    let mut problems = Vec::new();
    for case in &labels.case {
        let bytes = std::fs::read(dir.join(&case.file)).unwrap();
        let message = Message::from_bytes(&bytes);
        let findings = engine.check(&message);
        let found: BTreeSet<String> = findings.iter().map(|f| f.rule.category.clone()).collect();
        for category in case.expect.union(&found) {
            let tally = per_category.entry(category.clone()).or_default();
            match (case.expect.contains(category), found.contains(category)) {
                (true, true) => tally.true_positive += 1,
                (true, false) => {
                    tally.false_negative += 1;
                    problems.push(format!("miss: {}: {category}", case.file));
                }
                (false, true) if !case.optional.contains(category) => {
                    tally.false_positive += 1;
                    problems.push(format!("false alarm: {}: {category}", case.file));
                }
                _ => {}
            }
        }
        if case.expect.is_empty() {
            clean += 1;
            if found.iter().any(|c| !case.optional.contains(c)) {
                clean_alarmed += 1;
            }
        }
        assert!(!message.is_decoded(), "{}: corpus drafts are plain text; offsets must be into the file", case.file);
        for fragment in &case.never_in {
            let text = message.text();
            for (at, _) in text.match_indices(fragment.as_str()) {
                let inside = at..at + fragment.len();
                if let Some(finding) = findings.iter().find(|f| inside.contains(&f.span.start)) {
                    panic!("{}: {} starts inside {fragment:?} (quoted text, signature, header or code)", case.file, finding.rule.id);
                }
            }
        }
    }
    let sum = |f: fn(&Tally) -> usize| per_category.values().map(f).sum::<usize>() as f64;
    let (tp, fp, fn_) = (sum(|t| t.true_positive), sum(|t| t.false_positive), sum(|t| t.false_negative));
    let precision = tp / (tp + fp).max(1.0);
    let recall = tp / (tp + fn_).max(1.0);
    let f1 = 2.0 * precision * recall / (precision + recall).max(f64::EPSILON);
    let clean_rate = clean_alarmed as f64 / clean.max(1) as f64;
    let summary = format!(
        "precision {precision:.3} recall {recall:.3} F1 {f1:.3}; clean messages with a false alarm {clean_alarmed}/{clean}\n{}",
        problems.join("\n")
    );
    println!("{summary}");
    assert!(f1 >= 0.85, "micro F1 below 0.85: {summary}");
    assert!(clean_rate <= 0.10, "more than 10% of clean messages alarmed: {summary}");
}
