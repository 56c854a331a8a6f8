//! Filling a suggestion template with what the rule matched.

use regex::Captures;

/// Expands `template` for a match: `$0` / `${0}` the whole match, `$1`, `${name}`
/// capture groups, `${lower}` the match in lower case, `$$` a dollar sign. A group
/// that did not take part expands to nothing.
pub fn expand(template: &str, matched: &str, captures: Option<&Captures<'_>>) -> String {
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
                    Ok(index) => captures.and_then(|c| c.get(index)),
                    Err(_) => captures.and_then(|c| c.name(name)),
                };
                out.push_str(group.map_or("", |g| g.as_str()));
            }
        }
    }
    out.push_str(rest);
    out
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
        let caps = regex.captures("you always send").unwrap();
        assert_eq!(expand("${who} sometimes $3, $$5 ${lower}", "You ALWAYS", Some(&caps)), "you sometimes send, $5 you always");
        assert_eq!(expand("$9 trailing $", "x", Some(&caps)), " trailing $");
    }

    #[test]
    fn case_follows_the_replaced_text() {
        assert_eq!(match_case("when you can".into(), "ASAP", false), "when you can");
        assert_eq!(match_case("when you can".into(), "ASAP", true), "When you can");
        assert_eq!(match_case("i apologise".into(), "Sorry", false), "I apologise");
        assert_eq!(match_case("to recap".into(), "per my last email", false), "to recap");
    }
}
