//! Filling a suggestion template with what the rule matched.

/// Expands `template` for a match: `$0` / `${0}` the whole match, `$1`, `${name}`
/// groups (`groups` holds `(name, text)` in order; a regex's unnamed group has an
/// empty name), `${lower}` the match in lower case, `$$` a dollar sign. A group that
/// did not take part expands to nothing.
pub fn expand(template: &str, matched: &str, groups: &[(String, String)]) -> String {
    let mut out = String::with_capacity(template.len() + matched.len());
    let mut rest = template;
    while let Some(dollar) = rest.find('$') {
        out.push_str(&rest[..dollar]);
        rest = &rest[dollar + 1..];
        let (name, after) = if let Some(braced) = rest.strip_prefix('{') {
            match braced.find('}') {
                Some(close) => (&braced[..close], &braced[close + 1..]),
                None => ("", rest),
            }
        } else if rest.starts_with('$') {
            out.push('$');
            rest = &rest[1..];
            continue;
        } else {
            let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
            (&rest[..digits], &rest[digits..])
        };
        if name.is_empty() {
            out.push('$');
            continue;
        }
        rest = after;
        match name {
            "0" => out.push_str(matched),
            "lower" => out.push_str(&matched.to_lowercase()),
            _ => {
                let group = match name.parse::<usize>() {
                    Ok(index) => index.checked_sub(1).and_then(|i| groups.get(i)),
                    Err(_) => groups.iter().find(|(n, _)| n == name),
                };
                out.push_str(group.map_or("", |(_, text)| text.as_str()));
            }
        }
    }
    out.push_str(rest);
    out
}

/// The groups of a regex match as [`expand`] takes them: `(name, text)`, unnamed
/// groups with an empty name, groups that did not take part empty.
pub fn regex_groups(regex: &regex::Regex, hay: &str, at: usize) -> Vec<(String, String)> {
    let Some(captures) = regex.captures_at(hay, at) else { return Vec::new() };
    let named = regex.capture_names().zip(captures.iter()).skip(1);
    named.map(|(name, group)| (name.unwrap_or("").to_owned(), group.map_or("", |g| g.as_str()).to_owned())).collect()
}

/// Gives the replacement the case of the text it replaces: a capital first letter when
/// the match opens a sentence or is capitalised itself ("Sorry" → "I apologise"), but
/// not when the match is all capitals, which is an acronym or shouting ("ASAP").
pub fn match_case(replacement: String, matched: &str, opens_sentence: bool) -> String {
    let first_upper = matched.chars().next().is_some_and(char::is_uppercase);
    let all_caps = matched.chars().filter(|c| c.is_alphabetic()).count() > 1 && !matched.chars().any(char::is_lowercase);
    let capitalise = opens_sentence || (first_upper && !all_caps);
    let mut chars = replacement.chars();
    match chars.next() {
        Some(first) if capitalise && first.is_lowercase() => first.to_uppercase().chain(chars).collect(),
        _ => replacement,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use regex::Regex;

    #[test]
    fn templates_fill_groups_by_number_and_name() {
        let regex = Regex::new(r"(?P<who>you) (always|never) (\w+)").unwrap();
        let groups = regex_groups(&regex, "you always send", 0);
        assert_eq!(expand("${who} sometimes $3, $$5 ${lower}", "You ALWAYS", &groups), "you sometimes send, $5 you always");
        assert_eq!(expand("$9 trailing $", "x", &groups), " trailing $");
    }

    #[test]
    fn case_follows_the_replaced_text() {
        assert_eq!(match_case("when you can".into(), "ASAP", false), "when you can");
        assert_eq!(match_case("when you can".into(), "ASAP", true), "When you can");
        assert_eq!(match_case("i apologise".into(), "Sorry", false), "I apologise");
        assert_eq!(match_case("to recap".into(), "per my last email", false), "to recap");
    }
}
