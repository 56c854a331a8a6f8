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
                Some(s) => format!("{} {matched:?} -> {:?}", f.rule, s.replacement),
                None => format!("{} {matched:?}", f.rule),
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
        [r#"shouting.capitals "NOT" -> "not""#, r#"clarity.many-questions "Please call NASA.""#, r#"channel.call "upset""#]
    );
}

#[test]
fn any_text_can_be_checked_without_panicking() {
    let config = tactful::Config::default();
    let engine = Engine::new(&config.load_packs().unwrap(), &config.selection()).unwrap();
    let pieces =
        ["é", "👍🏽", "漢字", "e\u{301}", "\r\n", "\n> ", "ASAP", "!!!", "-- \n", "```", "`", "http://x.y/", "…", ".", "Subject: ", "\0", "\u{feff}"];
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

// The match language (rules/README.md, "Match expressions").

const DEADLINE: &str = r#"
[lists]
weekday = ["monday", "friday"]
deadline = ["@weekday", "end of (the)? day", "eod"]
by-when = ["(by | before) (the)? @deadline", "asap"]

[[rule]]
id = "pressure.deadline"
message = "m"
match = ["[who=(I | we) 'll? ~need] ..6 @by-when"]
unless = ["no rush", "\\? $"]
unless_before = ["(if | whether) ..3 $"]
suggestions = [{ title = "t", replacement = "${who} would like" }]
"#;

#[test]
fn an_expression_reports_its_focus_and_fills_captures_through_lists_and_inflections() {
    let text = "I need the report by Friday. We’ll needed it before end of day.";
    assert_eq!(check(DEADLINE, text), [r#"pressure.deadline "I need" -> "I would like""#, r#"pressure.deadline "We’ll needed" -> "We would like""#]);
}

#[test]
fn expression_guards_look_at_their_window_and_gaps_stop_at_clauses() {
    for text in ["If I need it by Friday, I'll say.", "I need it by Friday?", "I need it, by Friday.", "No rush, I need it by Friday."] {
        assert_eq!(check(DEADLINE, text), Vec::<String>::new(), "{text}");
    }
}

#[test]
fn a_regex_escape_hatch_runs_on_sentences_and_fills_named_groups() {
    let pack = r#"
[[rule]]
id = "absolute.you-always"
message = "m"
regex = ['\byou (?P<word>always|never) (?P<verb>\w+)']
unless = ["just kidding"]
suggestions = [{ title = "t", replacement = "you sometimes ${verb}" }]
"#;
    assert_eq!(
        check(pack, "You always send things late. You never call, just kidding."),
        [r#"absolute.you-always "You always send" -> "You sometimes send""#]
    );
}

#[test]
fn a_team_pack_adds_to_an_inherited_list_and_the_inherited_rules_see_it() {
    let text = "Our team will call you at your earliest convenience.";
    let fires = |packs: &[Pack]| {
        let engine = Engine::new(packs, &Selection::default()).unwrap();
        engine.check(&Message::parse(text)).iter().any(|f| f.rule == "pressure.earliest-convenience")
    };
    let default = tactful::rules::builtin_pack("default").unwrap().unwrap();
    assert!(fires(std::slice::from_ref(&default)));
    let team = "[pack]\nname = \"team\"\nextends = [\"default\"]\n\n[lists.add]\nwriter = [\"our team\"]\n";
    let team = Pack::from_sources("team", &[("team.toml".to_owned(), team.to_owned())]).unwrap();
    assert!(!fires(&[default, team]));
}

fn load_error(pack: &str) -> String {
    Pack::from_sources("test", &[("test.toml".to_owned(), pack.to_owned())]).expect_err("pack must not load").to_string()
}

#[test]
fn errors_in_expressions_point_into_the_toml_string() {
    let rule = |entry: &str| format!("[lists]\nweekday = [\"friday\"]\n\n[[rule]]\nid = \"a.b\"\nmessage = \"m\"\nmatch = [{entry}]\n");
    assert_eq!(load_error(&rule("'~need ..3 @weekdy'")), "test.toml:7:21: unknown list `@weekdy` (did you mean `weekday`?)");
    assert_eq!(load_error(&rule("'need (by | before'")), "test.toml:7:16: `(` is never closed: add `)`");
    assert_eq!(load_error(&rule(r#""say \"hi\" (oops""#)), "test.toml:7:22: `(` is never closed: add `)`");
    assert_eq!(load_error(&rule("'really?'")), "test.toml:7:10: the expression can match no word at all; it would flag everything");
    assert_eq!(load_error(&rule("'a /(x/'")), "test.toml:7:14: invalid regex: unclosed group");
    let mixed = "[[rule]]\nid = \"a.b\"\nmessage = \"m\"\nmatch = [\"x\"]\nphrases = [\"y\"]\n";
    assert_eq!(
        load_error(mixed),
        "test.toml:2:6: rule `a.b` mixes `match`/`regex` with the older `phrases`/`patterns`; write it with `match` and `regex` only"
    );
}

#[test]
fn list_errors_name_the_circle_and_both_places() {
    assert_eq!(load_error("[lists]\na = [\"x @b\"]\nb = [\"y @a\"]\n"), "test.toml:2:5: lists use each other in a circle: @a -> @b -> @a");
    let twice = Pack::from_sources(
        "test",
        &[("a.toml".to_owned(), "[lists]\nx = [\"one\"]\n".to_owned()), ("b.toml".to_owned(), "[lists]\nx = [\"two\"]\n".to_owned())],
    );
    assert_eq!(
        twice.expect_err("defined twice").to_string(),
        "b.toml:2:5: list `x` is already defined at a.toml:2:5; add entries to it under [lists.add] instead"
    );
    assert_eq!(load_error("[lists.add]\nwekday = [\"sat\"]\n"), "test.toml:2:10: [lists.add] `wekday`: no such list to add to");
}

#[test]
fn expressions_without_an_anchor_word_are_reported_for_pack_check() {
    let pack = "[[rule]]\nid = \"a.b\"\nmessage = \"m\"\nmatch = [\"#num _\", \"~pay #num\"]\nregex = ['\\d+']\n";
    let pack = Pack::from_sources("test", &[("test.toml".to_owned(), pack.to_owned())]).unwrap();
    let engine = Engine::new(&[pack], &Selection::default()).unwrap();
    let found: Vec<String> = engine.unanchored().iter().map(|u| format!("{} {} {}", u.rule, u.location, u.source)).collect();
    assert_eq!(found, ["a.b test.toml:4:10 #num _", "a.b test.toml:5:10 \\d+"]);
}

#[test]
fn a_sentence_cache_gives_the_same_findings_and_follows_edits_and_the_thread() {
    let plain = engine(DEADLINE, &Selection::default());
    let mut cache = tactful::SentenceCache::default();
    let shown = |findings: Vec<tactful::Finding>, message: &Message| -> Vec<String> {
        findings.iter().map(|f| format!("{}@{}", &message.text()[f.span.clone()], f.span.start)).collect()
    };
    let drafts = [
        "I need the report by Friday.",
        "Hi. I need the report by Friday.",
        "Hi. I need the report by Friday? Ok.",
        "Hi. I need the report by Friday.",
    ];
    for draft in drafts {
        let message = Message::parse(draft);
        let fresh = shown(plain.check(&message), &message);
        assert_eq!(shown(plain.check_with_cache(&message, &mut cache), &message), fresh, "{draft}");
        assert_eq!(shown(plain.check_with_cache(&message, &mut cache), &message), fresh, "{draft}, again");
    }
    let novel = DEADLINE.replace("message = \"m\"", "message = \"m\"\nnovel_to_thread = true");
    let thread_aware = engine(&novel, &Selection::default());
    let mut cache = tactful::SentenceCache::default();
    let echo = Message::parse("I need the report by Friday.\n\nOn Tue, Jo wrote:\n> Could you send the report by Friday?\n");
    let fresh = Message::parse("I need the report by Friday.\n\nOn Tue, Jo wrote:\n> Lunch?\n");
    assert_eq!(thread_aware.check_with_cache(&fresh, &mut cache).len(), 1);
    assert!(thread_aware.check_with_cache(&echo, &mut cache).is_empty());
}

/// A message with more findings than anyone fixes one by one (here one sentence that
/// never ends, then more sentences) reports the first `MAX_FINDINGS` in text order and a
/// note on the first word it did not check; a check with a sentence cache (the
/// language server's) reports the same, the second time too.
#[test]
fn past_the_findings_limit_checking_stops_with_a_note_where_it_stopped() {
    use tactful::engine::{LIMIT_NOTE, MAX_FINDINGS};
    let text = format!("{}\n\nPlease reply ASAP.\n", "ASAP ".repeat(MAX_FINDINGS + 50));
    let message = Message::parse(&text);
    let asap = engine(ASAP, &Selection::default());
    let mut cache = tactful::SentenceCache::with_capacity(1 << 20);
    let runs = [asap.check(&message), asap.check_with_cache(&message, &mut cache), asap.check_with_cache(&message, &mut cache)];
    for findings in runs {
        assert_eq!(findings.len(), MAX_FINDINGS + 1);
        assert!(findings[..MAX_FINDINGS].iter().all(|f| f.rule == "pressure.asap"));
        assert!(findings.windows(2).all(|pair| pair[0].span.start < pair[1].span.start));
        let note = findings.last().unwrap();
        assert_eq!((note.rule.as_str(), note.severity), (LIMIT_NOTE, tactful::Severity::Info));
        assert_eq!(note.span.start, MAX_FINDINGS * "ASAP ".len());
        assert_eq!(&message.text()[note.span.clone()], "ASAP");
        assert!(note.suggestions.is_empty());
    }
    // A measure's findings count too: here shouting, one "NOT" per finding.
    let shouting = format!("{ASAP}\n[[rule]]\nid = \"shouting.capitals\"\nkind = \"capitals\"\nmessage = \"m\"\nparams.emphasis = [\"NOT\"]\n");
    let text = format!("Please reply ASAP. {}\n", "It is NOT. ".repeat(MAX_FINDINGS + 10));
    let findings = engine(&shouting, &Selection::default()).check(&Message::parse(&text));
    assert_eq!(findings.len(), MAX_FINDINGS + 1);
    assert_eq!((findings[0].rule.as_str(), findings[1].rule.as_str()), ("pressure.asap", "shouting.capitals"));
    let note = findings.last().unwrap();
    assert_eq!((note.rule.as_str(), note.span.start), (LIMIT_NOTE, text.find("NOT").unwrap() + (MAX_FINDINGS - 1) * "It is NOT. ".len()));
    let under_the_limit = format!("{}\n\nPlease reply ASAP.\n", "ASAP ".repeat(MAX_FINDINGS - 2));
    let findings = asap.check(&Message::parse(&under_the_limit));
    assert_eq!(findings.len(), MAX_FINDINGS - 1);
    assert!(findings.iter().all(|f| f.rule != LIMIT_NOTE));
}

/// A co-occurrence group's phrases are words: "upsetting" is not "upset", a phrase may
/// wrap across lines, case does not matter, and where several phrases match at one
/// place the first written is reported.
#[test]
fn co_occurrence_phrases_match_as_words_and_the_first_written_wins() {
    let pack = r#"
[[rule]]
id = "channel.call"
kind = "co-occurrence"
message = "m"
params.all_of = [["upset", "upset with us", "let you down"], ["sorry"]]
"#;
    assert_eq!(check(pack, "This is upsetting. Sorry."), Vec::<String>::new());
    assert_eq!(check(pack, "They are UPSET with us. Sorry."), [r#"channel.call "UPSET""#]);
    assert_eq!(check(pack, "We let\nyou down, I know. So sorry."), [r#"channel.call "let\nyou down""#]);
    assert_eq!(check(pack, "You are upset."), Vec::<String>::new());
}
