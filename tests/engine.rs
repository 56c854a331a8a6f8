//! The engine's behaviour, proven with small inline packs so the tests do not move
//! when the built-in rules are tuned: one `check(pack, text)` helper renders findings
//! as `rule "matched text" -> first suggestion`.

use tactful::{Engine, Message, Pack, Selection, Toggle};

fn engine(pack: &str, selection: &Selection) -> Engine {
    let pack = Pack::from_sources("test", &[("test.toml".to_owned(), pack.to_owned())]).unwrap_or_else(|e| panic!("{e}"));
    Engine::new(&[pack], selection).unwrap()
}

fn check_with(pack: &str, text: &str, selection: &Selection) -> Vec<String> {
    let message = Message::parse(text);
    engine(pack, selection)
        .check(&message)
        .iter()
        .map(|f| {
            let matched = &message.text()[f.span.clone()];
            match f.suggestions.first() {
                Some(s) => format!("{} {matched:?} -> {:?}", f.rule.id, s.replacement),
                None => format!("{} {matched:?}", f.rule.id),
            }
        })
        .collect()
}

fn check(pack: &str, text: &str) -> Vec<String> {
    check_with(pack, text, &Selection::default())
}

const ASAP: &str = r#"
[[rule]]
id = "pressure.asap"
message = "m"
phrases = ["asap", "as soon as possible"]
unless_before = ['''\b(?:I|we)(?:'ll| will)\b''']
suggestions = [{ title = "t", replacement = "when you have a moment" }]
"#;

#[test]
fn a_guard_on_the_text_before_the_match_separates_promise_from_demand() {
    assert_eq!(check(ASAP, "Please reply ASAP. I'll send it as soon as possible."), [r#"pressure.asap "ASAP" -> "when you have a moment""#]);
}

#[test]
fn quoted_text_signatures_and_code_are_never_flagged() {
    let text = "Hi,\n\nThanks.\n\n```\nretry ASAP\n```\n\n-- \nReply ASAP\n\nOn Mon, Bo wrote:\n> send it ASAP\n";
    assert_eq!(check(ASAP, text), Vec::<String>::new());
}

#[test]
fn the_subject_is_checked_and_scope_limits_a_rule_to_it() {
    let text = "From: a@example.com\nSubject: Reply ASAP\n\nReply ASAP.\n";
    assert_eq!(check(ASAP, text).len(), 2);
    let subject_only = ASAP.replace("message = \"m\"", "message = \"m\"\nscope = \"subject\"");
    let message = Message::parse(text);
    let findings = engine(&subject_only, &Selection::default()).check(&message);
    assert_eq!(findings.len(), 1);
    assert!(message.subject().unwrap().contains(&findings[0].span.start));
}

#[test]
fn replacements_fill_groups_and_follow_the_case_of_the_text() {
    let pack = r#"
[[rule]]
id = "absolute.you-always"
message = "m"
patterns = ['\byou (?P<word>always|never) (?P<verb>\w+)']
suggestions = [{ title = "t", replacement = "you sometimes ${verb}" }]
"#;
    assert_eq!(
        check(pack, "You always send things late. I think you never call."),
        [r#"absolute.you-always "You always send" -> "You sometimes send""#, r#"absolute.you-always "you never call" -> "you sometimes call""#]
    );
}

#[test]
fn settings_turn_rules_off_change_severity_and_filter_by_threshold() {
    let mut off = Selection::default();
    off.set("pressure", Toggle::Off);
    assert!(check_with(ASAP, "Reply ASAP.", &off).is_empty());
    let mut rule_beats_category = off.clone();
    rule_beats_category.set("pressure.asap", Toggle::On);
    assert_eq!(check_with(ASAP, "Reply ASAP.", &rule_beats_category).len(), 1);
    let mut quiet = Selection::default();
    quiet.set("pressure.asap", Toggle::At(tactful::Severity::Hint));
    quiet.min_severity = Some(tactful::Severity::Info);
    assert!(check_with(ASAP, "Reply ASAP.", &quiet).is_empty());
}

#[test]
fn rules_off_by_default_run_only_when_enabled() {
    let pack = ASAP.replace("message = \"m\"", "message = \"m\"\nenabled = false");
    assert!(check(&pack, "Reply ASAP.").is_empty());
    let mut on = Selection::default();
    on.set("pressure", Toggle::On);
    assert_eq!(check_with(&pack, "Reply ASAP.", &on).len(), 1);
}

#[test]
fn novel_demands_are_flagged_and_echoes_of_the_thread_are_not() {
    let pack = r#"
[[rule]]
id = "surprise.also-need"
message = "m"
patterns = ['''\bwe(?:'ll| will) also need\b''']
novel_to_thread = true
"#;
    let thread = "Thanks.\n\nWe'll also need weekly reports.\n\nOn Tue, Jo wrote:\n> Could you send weekly reports from now on?\n";
    assert!(check(pack, thread).is_empty());
    let novel = "Thanks.\n\nWe'll also need exclusivity in your region.\n\nOn Tue, Jo wrote:\n> Could you send weekly reports from now on?\n";
    assert_eq!(check(pack, novel).len(), 1);
}

#[test]
fn one_category_is_reported_once_for_overlapping_matches() {
    let pack = format!("{ASAP}\n[[rule]]\nid = \"pressure.reply-asap\"\nseverity = \"error\"\nmessage = \"m\"\nphrases = [\"reply asap\"]\n");
    assert_eq!(check(&pack, "Reply ASAP."), [r#"pressure.reply-asap "Reply ASAP""#]);
}

#[test]
fn message_level_measures_take_their_thresholds_from_the_pack() {
    let pack = r#"
[[rule]]
id = "clarity.many-questions"
kind = "many-questions"
message = "m"
patterns = ['^please\b']
params.max = 2

[[rule]]
id = "shouting.capitals"
kind = "capitals"
message = "m"
params.emphasis = ["NOT"]
params.allow = ["NASA"]
suggestions = [{ title = "t", replacement = "${lower}" }]

[[rule]]
id = "channel.call"
kind = "co-occurrence"
message = "m"
params.all_of = [["frustrated", "upset"], ["sorry", "misunderstanding"]]
"#;
    assert_eq!(
        check(pack, "Is it NOT ready? Where? Please call NASA. Why? I know you are upset; sorry."),
        [
            r#"shouting.capitals "NOT" -> "not""#,
            r#"clarity.many-questions "Please call NASA.""#,
            r#"channel.call "upset""#
        ]
    );
}

#[test]
fn any_text_can_be_checked_without_panicking() {
    let config = tactful::Config::default();
    let engine = Engine::new(&config.load_packs().unwrap(), &config.selection()).unwrap();
    let pieces = ["é", "👍🏽", "漢字", "e\u{301}", "\r\n", "\n> ", "ASAP", "!!!", "-- \n", "```", "`", "http://x.y/", "…", ".", "Subject: ", "\0", "\u{feff}"];
    let mut text = String::new();
    for round in 0..400 {
        text.push_str(pieces[(round * 7 + round / 3) % pieces.len()]);
        if round % 5 == 0 {
            text.push_str(" you always send it late. ");
        }
        let message = Message::parse(&text);
        for finding in engine.check(&message) {
            assert!(message.text().is_char_boundary(finding.span.start) && message.text().is_char_boundary(finding.span.end));
        }
    }
    for bytes in [&b"\xff\xfe\x00garbage"[..], b"Content-Type: multipart/mixed; boundary=x\n\n--x\n", b"From \n\n\n"] {
        engine.check(&Message::from_bytes(bytes));
    }
}
