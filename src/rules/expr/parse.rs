//! Parsing an expression: `[(I | we) ~need ..6 @by-when]`.

use std::sync::Arc;

use super::inflect::forms;
use super::{Class, Literal, Node, TokenRegex, CLAUSE_GAP, MAX_GAP, MAX_REPEAT};
use crate::rules::keys::suggestion_suffix;
use crate::text::{normalise, normalise_keeping_case, TokenKind, Tokens};

/// A syntax error at byte `offset` of the expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub offset: usize,
    pub message: String,
}

/// Compiled size allowed for one `/re/` element.
const TOKEN_REGEX_SIZE_LIMIT: usize = 1 << 18;

/// Parses an expression; `@list` names stay unresolved.
pub fn parse(source: &str) -> Result<Node, ParseError> {
    let mut parser = Parser { src: source, at: 0, focus: false };
    let node = parser.alternation(None)?;
    Ok(node)
}

struct Parser<'a> {
    src: &'a str,
    at: usize,
    focus: bool,
}

/// Characters that end a bare word.
fn ends_word(c: char) -> bool {
    c.is_whitespace() || matches!(c, '(' | ')' | '[' | ']' | '|' | '?' | '*' | '+')
}

impl Parser<'_> {
    fn peek(&self) -> Option<char> {
        self.src[self.at..].chars().next()
    }

    fn peek2(&self) -> Option<char> {
        self.src[self.at..].chars().nth(1)
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.at += c.len_utf8();
        Some(c)
    }

    fn skip_space(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.bump();
        }
    }

    fn error<T>(&self, offset: usize, message: impl Into<String>) -> Result<T, ParseError> {
        Err(ParseError { offset, message: message.into() })
    }

    /// Alternatives separated by `|`, up to `close` (not consumed) or the end.
    fn alternation(&mut self, close: Option<(char, usize)>) -> Result<Node, ParseError> {
        let mut alternatives = Vec::new();
        loop {
            let start = self.at;
            let sequence = self.sequence()?;
            self.skip_space();
            match self.peek() {
                Some('|') => {
                    if sequence.is_empty() {
                        return self.error(self.at, "nothing before `|`: each alternative needs at least one element");
                    }
                    alternatives.push(sequence);
                    self.bump();
                }
                next => {
                    if sequence.is_empty() {
                        let message = match (next, close) {
                            (None, None) if alternatives.is_empty() => "the expression is empty".to_owned(),
                            (Some(c), Some((want, _))) if c == want && alternatives.is_empty() => {
                                format!("empty group `{}{c}`", opening(want))
                            }
                            _ => "nothing after `|`: each alternative needs at least one element".to_owned(),
                        };
                        return self.error(start.min(self.at), message);
                    }
                    alternatives.push(sequence);
                    match (next, close) {
                        (None, None) => break,
                        (Some(c), Some((want, _))) if c == want => break,
                        (None, Some((want, open_at))) => return self.error(open_at, format!("`{}` is never closed: add `{want}`", opening(want))),
                        (Some(c), _) => return self.error(self.at, format!("unexpected `{c}`{}", stray_hint(c))),
                    }
                }
            }
        }
        let mut nodes: Vec<Node> = alternatives.into_iter().map(sequence_node).collect();
        Ok(if nodes.len() == 1 { nodes.pop().expect("one") } else { Node::Alt(nodes) })
    }

    fn sequence(&mut self) -> Result<Vec<Node>, ParseError> {
        let mut items = Vec::new();
        loop {
            self.skip_space();
            match self.peek() {
                None | Some('|' | ')' | ']') => return Ok(items),
                Some(_) => items.push(self.item()?),
            }
        }
    }

    /// `[name=] [!] atom [? * +]`
    fn item(&mut self) -> Result<Node, ParseError> {
        let capture = self.capture_name();
        let negated_at = (self.peek() == Some('!')).then(|| {
            let at = self.at;
            self.bump();
            at
        });
        let atom_at = self.at;
        let mut node = self.atom()?;
        if let Some(at) = negated_at {
            if matches!(node, Node::Gap(_) | Node::Start | Node::End | Node::Focus(_) | Node::Any) {
                return self.error(at, "`!` takes a word, `~word`, `@list`, `#class`, `/re/` or a group");
            }
            node = Node::Not(Box::new(node));
        }
        if let Some(quantifier) = self.peek().filter(|c| matches!(c, '?' | '*' | '+')) {
            if matches!(node, Node::Gap(_) | Node::Start | Node::End) {
                return self.error(self.at, format!("`{quantifier}` cannot follow a gap or `^`/`$`"));
            }
            self.bump();
            let (min, max) = match quantifier {
                '?' => (0, 1),
                '*' => (0, MAX_REPEAT),
                _ => (1, MAX_REPEAT),
            };
            node = Node::Repeat { node: Box::new(node), min, max };
        }
        match self.peek() {
            Some(c) if !c.is_whitespace() && !matches!(c, ')' | ']' | '|') => {
                return self.error(self.at, format!("unexpected `{c}` after an element: separate elements with a space{}", stray_hint(c)));
            }
            _ => {}
        }
        if let Some(name) = capture {
            if matches!(node, Node::Gap(_) | Node::Start | Node::End) {
                return self.error(atom_at, "a capture takes a word or a group, not a gap or an anchor");
            }
            node = Node::Capture(name, Box::new(node));
        }
        Ok(node)
    }

    /// `name=` before an element: a lower-case name and `=`.
    fn capture_name(&mut self) -> Option<String> {
        let rest = &self.src[self.at..];
        let len = rest.find(|c: char| !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-'))?;
        if len == 0 || !rest[len..].starts_with('=') || !rest.starts_with(|c: char| c.is_ascii_lowercase()) {
            return None;
        }
        let name = rest[..len].to_owned();
        self.at += len + 1;
        Some(name)
    }

    fn atom(&mut self) -> Result<Node, ParseError> {
        let start = self.at;
        let c = self.peek().expect("caller checked");
        let alone = |p: &Self, len: usize| p.src[p.at + len..].chars().next().is_none_or(ends_word);
        match c {
            '(' => {
                self.bump();
                let inner = self.alternation(Some((')', start)))?;
                self.bump();
                Ok(inner)
            }
            '[' => {
                if self.focus {
                    return self.error(start, "only one `[...]` per expression: it marks the part that is reported");
                }
                self.focus = true;
                self.bump();
                let inner = self.alternation(Some((']', start)))?;
                self.bump();
                Ok(Node::Focus(Box::new(inner)))
            }
            '~' => {
                self.bump();
                let word = self.bare_text();
                if word.is_empty() {
                    return self.error(start, "`~` needs a word right after it: `~reply`");
                }
                let norm = normalise(&word);
                let cased = normalise_keeping_case(&word);
                let nodes = forms(&norm)
                    .into_iter()
                    .map(|form| {
                        let keep_capital = cased.starts_with(|c: char| c.is_uppercase());
                        let form_cased = if keep_capital { capitalise(&form) } else { form.clone() };
                        word_node(&form, &form_cased)
                    })
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|message| ParseError { offset: start, message })?;
                Ok(Node::Alt(nodes))
            }
            '@' => {
                self.bump();
                let name = self.name_text();
                if name.is_empty() {
                    return self.error(start, "`@` needs a list name right after it: `@weekday`");
                }
                Ok(Node::List(name, start))
            }
            '#' => {
                self.bump();
                let name = self.name_text();
                let class = match name.as_str() {
                    "num" => Class::Number,
                    "cap" => Class::Capitalised,
                    "upper" => Class::Upper,
                    "emoji" => Class::Emoji,
                    _ => {
                        let close = suggestion_suffix(&name, ["num", "cap", "upper", "emoji"]);
                        return self.error(start, format!("unknown class `#{name}`{close}; the classes are #num, #cap, #upper and #emoji"));
                    }
                };
                Ok(Node::Class(class))
            }
            '/' => self.token_regex(),
            '.' if self.peek2() == Some('.') => {
                self.bump();
                self.bump();
                if self.peek() == Some('.') {
                    self.bump();
                    return Ok(Node::Gap(CLAUSE_GAP));
                }
                let digits_at = self.at;
                let digits = self.name_text();
                match digits.parse::<u8>() {
                    Ok(n) if (1..=MAX_GAP).contains(&n) => Ok(Node::Gap(n)),
                    Ok(_) | Err(_) if digits.chars().all(|c| c.is_ascii_digit()) && !digits.is_empty() => {
                        self.error(digits_at, format!("a gap `..N` skips 1 to {MAX_GAP} words; `...` skips up to the clause's edge"))
                    }
                    _ => self.error(start, "`..` needs a number of words: `..3` (or `...` for the rest of the clause)"),
                }
            }
            '_' if alone(self, 1) => {
                self.bump();
                Ok(Node::Any)
            }
            '^' if alone(self, 1) => {
                self.bump();
                Ok(Node::Start)
            }
            '$' if alone(self, 1) => {
                self.bump();
                Ok(Node::End)
            }
            _ => {
                let text = self.bare_text();
                if text.is_empty() {
                    return self.error(start, format!("unexpected `{c}`{}", stray_hint(c)));
                }
                word_node(&normalise(&text), &normalise_keeping_case(&text)).map_err(|message| ParseError { offset: start, message })
            }
        }
    }

    /// A bare word, with `\x` standing for `x`.
    fn bare_text(&mut self) -> String {
        let mut out = String::new();
        while let Some(c) = self.peek() {
            if c == '\\' {
                self.bump();
                if let Some(escaped) = self.bump() {
                    out.push(escaped);
                }
                continue;
            }
            if ends_word(c) {
                break;
            }
            out.push(c);
            self.bump();
        }
        out
    }

    fn name_text(&mut self) -> String {
        let rest = &self.src[self.at..];
        let len = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_')).unwrap_or(rest.len());
        self.at += len;
        rest[..len].to_owned()
    }

    /// `/re/`: up to the next `/` not escaped by a backslash.
    fn token_regex(&mut self) -> Result<Node, ParseError> {
        let start = self.at;
        self.bump();
        let body_at = self.at;
        let mut source = String::new();
        loop {
            match self.bump() {
                None => return self.error(start, "`/` opens a regex that is never closed: add `/`"),
                Some('/') => break,
                Some('\\') if self.peek() == Some('/') => {
                    self.bump();
                    source.push('/');
                }
                Some('\\') => {
                    source.push('\\');
                    if let Some(next) = self.bump() {
                        source.push(next);
                    }
                }
                Some(c) => source.push(c),
            }
        }
        if source.is_empty() {
            return self.error(start, "empty regex `//`");
        }
        // The syntax is checked now (cheap); compiling waits for the first use.
        match regex_syntax::Parser::new().parse(&format!("^(?:{source})$")) {
            Ok(_) => Ok(Node::Regex(Arc::new(TokenRegex::new(source, body_at)))),
            Err(err) => Err(regex_parse_error(&regex::Error::Syntax(err.to_string()), &source, body_at)),
        }
    }
}

/// A token regex `^(?:source)$`, compiled.
pub(super) fn build_token_regex(source: &str, insensitive: bool) -> Result<regex::Regex, regex::Error> {
    regex::RegexBuilder::new(&format!("^(?:{source})$")).case_insensitive(insensitive).size_limit(TOKEN_REGEX_SIZE_LIMIT).build()
}

/// A token regex's error at its place: `source` starts at `body_at` in the expression.
pub(super) fn regex_parse_error(err: &regex::Error, source: &str, body_at: usize) -> ParseError {
    let (offset, message) = regex_error(err);
    // The caret counts characters of `^(?:source)$`; four come before `source`.
    let inside = offset.and_then(|chars| chars.checked_sub(4)).and_then(|chars| source.char_indices().nth(chars)).map(|(i, _)| i);
    ParseError { offset: inside.map_or(body_at, |i| body_at + i), message }
}

/// The caret column (in characters) and the one-line message of a regex error.
pub(crate) fn regex_error(err: &regex::Error) -> (Option<usize>, String) {
    match err {
        regex::Error::CompiledTooBig(limit) => (None, format!("regex is too large once compiled (over {limit} bytes); simplify it")),
        regex::Error::Syntax(report) => report_error(report),
        other => (None, format!("invalid regex: {other}")),
    }
}

/// The same for a syntax error found without compiling.
pub fn syntax_error(err: &regex_syntax::Error) -> (Option<usize>, String) {
    report_error(&err.to_string())
}

/// The regex crates' report is for terminals: the pattern, a line of carets, the error.
fn report_error(report: &str) -> (Option<usize>, String) {
    let mut lines = report.lines();
    let caret = lines.nth(2).and_then(|l| l.strip_prefix("    ")).and_then(|l| l.chars().position(|c| c == '^'));
    let detail = report.lines().rev().find(|l| l.starts_with("error:")).unwrap_or(report);
    (caret, format!("invalid regex: {}", detail.trim_start_matches("error:").trim()))
}

fn opening(close: char) -> char {
    if close == ']' {
        '['
    } else {
        '('
    }
}

fn stray_hint(c: char) -> &'static str {
    match c {
        ')' | ']' => " (nothing opened it)",
        '?' | '*' | '+' | '!' => " (write `\\` before it for the character itself)",
        _ => "",
    }
}

/// A plain phrase, read word by word with nothing special in it ("let you down",
/// "p.s."): what a measure's word list holds.
pub fn phrase_node(phrase: &str) -> Result<Node, String> {
    let words = phrase.split_whitespace().map(|word| word_node(&normalise(word), &normalise_keeping_case(word))).collect::<Result<Vec<_>, _>>()?;
    if words.is_empty() {
        return Err("a phrase is empty".into());
    }
    Ok(sequence_node(words))
}

fn sequence_node(mut items: Vec<Node>) -> Node {
    if items.len() == 1 {
        items.pop().expect("one")
    } else {
        Node::Seq(items)
    }
}

fn capitalise(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map_or_else(String::new, |first| first.to_uppercase().chain(chars).collect())
}

/// The tokens a pattern word stands for: "a.m." is four, "follow-up" matches
/// "follow-up" or "follow up", "'ll" is the tail of a contraction.
fn word_node(norm: &str, cased: &str) -> Result<Node, String> {
    // Most pattern words are one plain word, which is one token as it is.
    let plain = |word: &str| !word.is_empty() && word.bytes().all(|b| b.is_ascii_alphanumeric());
    if plain(norm) && plain(cased) && norm.eq_ignore_ascii_case(cased) {
        return Ok(Node::Word(Literal::new(norm, cased)));
    }
    let norm_tokens = Tokens::new(norm);
    let cased_tokens = Tokens::new(cased);
    if norm_tokens.len() != cased_tokens.len() {
        return Err(format!("`{cased}` changes its words when lower-cased; write it in lower case"));
    }
    let mut nodes = Vec::new();
    let mut index = 0;
    while index < norm_tokens.len() {
        let token = norm_tokens.list[index];
        let mut span = token.span();
        let mut cased_span = cased_tokens.list[index].span();
        // An apostrophe right before a word: a contraction's tail ("'ll", "'re").
        let next = norm_tokens.list.get(index + 1);
        if norm_tokens.norm(index) == "'" && next.is_some_and(|n| n.start == token.end && n.kind == TokenKind::Word) {
            index += 1;
            span.end = norm_tokens.list[index].end;
            cased_span.end = cased_tokens.list[index].end;
        }
        let literal = Literal::new(&normalise(&norm[span]), &normalise_keeping_case(&cased[cased_span]));
        nodes.push(hyphen_alternatives(literal));
        index += 1;
    }
    Ok(sequence_node(nodes))
}

/// "follow-up" also matches "follow up".
fn hyphen_alternatives(literal: Literal) -> Node {
    if !literal.norm.contains('-') || literal.norm.starts_with('-') || literal.norm.ends_with('-') {
        return Node::Word(literal);
    }
    let parts = literal.norm.split('-').zip(literal.cased.split('-'));
    let split = parts.map(|(norm, cased)| Node::Word(Literal::new(norm, cased))).collect();
    Node::Alt(vec![Node::Word(literal), Node::Seq(split)])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tree in a compact form: words as text, groups in parentheses.
    fn show(node: &Node) -> String {
        match node {
            Node::Word(l) => l.norm.to_string(),
            Node::Seq(nodes) => nodes.iter().map(show).collect::<Vec<_>>().join(" "),
            Node::Alt(nodes) => {
                format!("({})", nodes.iter().map(show).collect::<Vec<_>>().join("|"))
            }
            Node::Repeat { node, min, max } => format!("{{{}}}{min}..{max}", show(node)),
            Node::Gap(n) => format!("..{n}"),
            Node::Any => "_".into(),
            Node::Not(node) => format!("!{}", show(node)),
            Node::Focus(node) => format!("[{}]", show(node)),
            Node::Capture(name, node) => format!("{name}={}", show(node)),
            Node::Class(class) => format!("#{class:?}"),
            Node::Regex(re) => format!("/{}/", re.source),
            Node::List(name, at) => format!("@{name}@{at}"),
            Node::Shared(node) => show(node),
            Node::Start => "^".into(),
            Node::End => "$".into(),
        }
    }

    fn ok(source: &str) -> String {
        show(&parse(source).unwrap_or_else(|e| panic!("{source}: {e:?}")))
    }

    fn err(source: &str) -> (usize, String) {
        let e = parse(source).expect_err(source);
        (e.offset, e.message)
    }

    #[test]
    fn elements_parse_to_their_trees() {
        assert_eq!(ok("[(I | we) 'll? ~need] ..6 @by-when"), "[(i|we) {'ll}0..1 (need|needs|needing|needed)] ..6 @by-when@26");
        assert_eq!(
            ok("Follow-up a.m. why\\? !not _ ... #num /\\d+(st|nd)/ ^ $"),
            "(follow-up|follow up) a . m . why ? !not _ ..12 #Number /\\d+(st|nd)/ ^ $"
        );
        assert_eq!(ok("who=(I | we) really* very+ !(a | b)"), "who=(i|we) {really}0..4 {very}1..4 !(a|b)");
        assert_eq!(ok("a b | c"), "(a b|c)");
    }

    #[test]
    fn errors_point_at_the_character() {
        assert_eq!(err("(a | b"), (0, "`(` is never closed: add `)`".into()));
        assert_eq!(err("a )"), (2, "unexpected `)` (nothing opened it)".into()));
        assert_eq!(err("a ..9"), (4, "a gap `..N` skips 1 to 8 words; `...` skips up to the clause's edge".into()));
        assert_eq!(err("a #nums"), (2, "unknown class `#nums` (did you mean `num`?); the classes are #num, #cap, #upper and #emoji".into()));
        assert_eq!(err("[a] [b]"), (4, "only one `[...]` per expression: it marks the part that is reported".into()));
        assert_eq!(err("a /(x/"), (3, "invalid regex: unclosed group".into()));
        assert_eq!(err("(a |)"), (4, "nothing after `|`: each alternative needs at least one element".into()));
        assert_eq!(err("a(b)"), (1, "unexpected `(` after an element: separate elements with a space".into()));
    }
}
