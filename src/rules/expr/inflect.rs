//! `~word`: the forms of a verb or noun. Regular forms are built by rule (with both
//! spellings where English is unsure: "shipped" and "shiped" cost nothing, since the
//! wrong one never occurs); irregular pasts and plurals come from a table.

/// Irregular words: the base form first, then its irregular forms. Regular `-s` and
/// `-ing` forms are added to each; regular `-ed` forms are not.
const IRREGULAR: &[&[&str]] = &[
    &["be", "am", "is", "are", "was", "were", "been", "being", "'m", "'re", "'s"],
    &["have", "has", "had", "'ve", "'d"],
    &["do", "does", "did", "done"],
    &["go", "goes", "went", "gone"],
    &["get", "got", "gotten"],
    &["send", "sent"],
    &["pay", "paid"],
    &["tell", "told"],
    &["say", "says", "said"],
    &["make", "made"],
    &["keep", "kept"],
    &["take", "took", "taken"],
    &["give", "gave", "given"],
    &["know", "knew", "known"],
    &["think", "thought"],
    &["buy", "bought"],
    &["bring", "brought"],
    &["leave", "left"],
    &["lose", "lost"],
    &["meet", "met"],
    &["write", "wrote", "written"],
    &["forget", "forgot", "forgotten"],
    &["see", "saw", "seen"],
    &["come", "came"],
    &["find", "found"],
    &["feel", "felt"],
    &["hear", "heard"],
    &["hold", "held"],
    &["let"],
    &["put"],
    &["read"],
    &["run", "ran"],
    &["set"],
    &["sell", "sold"],
    &["speak", "spoke", "spoken"],
    &["spend", "spent"],
    &["stand", "stood"],
    &["understand", "understood"],
    &["begin", "began", "begun"],
    &["break", "broke", "broken"],
    &["choose", "chose", "chosen"],
    &["drive", "drove", "driven"],
    &["fall", "fell", "fallen"],
    &["forgive", "forgave", "forgiven"],
    &["hide", "hid", "hidden"],
    &["mean", "meant"],
    &["ring", "rang", "rung"],
    &["rise", "rose", "risen"],
    &["seek", "sought"],
    &["show", "showed", "shown"],
    &["sit", "sat"],
    &["sleep", "slept"],
    &["steal", "stole", "stolen"],
    &["teach", "taught"],
    &["throw", "threw", "thrown"],
    &["wear", "wore", "worn"],
    &["win", "won"],
    &["catch", "caught"],
    &["fight", "fought"],
    &["build", "built"],
    &["cut"],
    &["hit"],
    &["hurt"],
    &["quit"],
    &["shut"],
    &["lead", "led"],
    &["lend", "lent"],
    &["deal", "dealt"],
    &["mistake", "mistook", "mistaken"],
    &["misunderstand", "misunderstood"],
    &["overlook", "overlooked"],
    &["undertake", "undertook", "undertaken"],
    &["withdraw", "withdrew", "withdrawn"],
    &["person", "people"],
    &["child", "children"],
    &["man", "men"],
    &["woman", "women"],
    &["analysis", "analyses"],
    &["criterion", "criteria"],
];

/// Every form of `base` (normalised), the base first.
pub fn forms(base: &str) -> Vec<String> {
    let entry = IRREGULAR.iter().find(|entry| entry.contains(&base));
    let base = entry.map_or(base, |entry| entry[0]);
    let mut out = vec![base.to_owned()];
    let mut add = |form: String| {
        if !out.contains(&form) {
            out.push(form);
        }
    };
    add(s_form(base));
    for form in ing_forms(base) {
        add(form);
    }
    match entry {
        Some(entry) => entry[1..].iter().for_each(|form| add((*form).to_owned())),
        None => ed_forms(base).into_iter().for_each(&mut add),
    }
    out
}

fn is_vowel(c: char) -> bool {
    matches!(c, 'a' | 'e' | 'i' | 'o' | 'u')
}

/// Ends consonant-vowel-consonant ("ship", "plan", "commit"): the last letter may double.
fn ends_cvc(word: &str) -> bool {
    let tail: Vec<char> = word.chars().rev().take(3).collect();
    tail.len() == 3 && !is_vowel(tail[0]) && !matches!(tail[0], 'w' | 'x' | 'y') && is_vowel(tail[1]) && !is_vowel(tail[2])
}

fn consonant_y(word: &str) -> Option<&str> {
    let stem = word.strip_suffix('y')?;
    stem.chars().next_back().filter(|c| !is_vowel(*c)).map(|_| stem)
}

fn s_form(word: &str) -> String {
    if let Some(stem) = consonant_y(word) {
        format!("{stem}ies")
    } else if ["s", "x", "z", "ch", "sh", "o"].iter().any(|end| word.ends_with(end)) {
        format!("{word}es")
    } else {
        format!("{word}s")
    }
}

fn ing_forms(word: &str) -> Vec<String> {
    if let Some(stem) = word.strip_suffix("ie") {
        return vec![format!("{stem}ying")];
    }
    if word.ends_with('e') && !["ee", "ye", "oe"].iter().any(|end| word.ends_with(end)) && word.len() > 2 {
        return vec![format!("{}ing", &word[..word.len() - 1])];
    }
    let mut out = vec![format!("{word}ing")];
    if ends_cvc(word) {
        let last = word.chars().next_back().expect("cvc has letters");
        out.push(format!("{word}{last}ing"));
    }
    out
}

fn ed_forms(word: &str) -> Vec<String> {
    if word.ends_with('e') {
        return vec![format!("{word}d")];
    }
    if let Some(stem) = consonant_y(word) {
        return vec![format!("{stem}ied")];
    }
    let mut out = vec![format!("{word}ed")];
    if ends_cvc(word) {
        let last = word.chars().next_back().expect("cvc has letters");
        out.push(format!("{word}{last}ed"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regular_verbs_and_nouns() {
        assert_eq!(forms("reply"), ["reply", "replies", "replying", "replied"]);
        assert_eq!(forms("respond"), ["respond", "responds", "responding", "responded"]);
        assert_eq!(forms("ship"), ["ship", "ships", "shiping", "shipping", "shiped", "shipped"]);
        assert_eq!(forms("chase"), ["chase", "chases", "chasing", "chased"]);
        assert_eq!(forms("email"), ["email", "emails", "emailing", "emailed"]);
        assert_eq!(forms("fix"), ["fix", "fixes", "fixing", "fixed"]);
    }

    #[test]
    fn irregular_forms_come_from_the_table_whichever_form_is_written() {
        assert_eq!(forms("send"), ["send", "sends", "sending", "sent"]);
        assert_eq!(forms("was"), forms("be"));
        assert!(forms("be").contains(&"'re".to_owned()));
        assert_eq!(forms("person"), ["person", "persons", "personing", "personning", "people"]);
    }
}
