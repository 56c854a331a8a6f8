//! The match language: expressions over words (rules/README.md, "Match expressions").
//!
//! An expression is parsed when its pack loads ([`parse`]: errors point at the
//! character), kept as a [`Node`] tree whose `@list` references stay names, and
//! compiled to a [`Program`] when an engine is built from the final stack of packs
//! (lists are late-bound: a pack that adds to `@reader` changes every rule using it).
//! A program is matched over tokens by a bounded backtracker ([`vm`]): the work per
//! start position is bounded by the program's size times its maximum length, so
//! matching is linear in the text whatever its shape.

pub mod analysis;
mod inflect;
pub mod lexicon;
mod parse;
mod program;
pub mod vm;

use std::sync::{Arc, OnceLock};

pub use analysis::{Analysis, AnchorWords};
pub use lexicon::{Lexicon, TokenWords, WordId};
pub use parse::{parse, phrase_node, syntax_error, ParseError};
pub use program::{check, compile, CompileError, ListCache, Program, MAX_MATCH_TOKENS};

/// The most times `*` and `+` repeat.
pub const MAX_REPEAT: u8 = 4;
/// The longest gap `..N` may ask for; `...` is a gap of this many.
pub const MAX_GAP: u8 = 8;
/// The words `...` may skip.
pub const CLAUSE_GAP: u8 = 12;

/// One word of a pattern, in the form tokens are compared in. Shared text: the tree
/// of an expression is copied when its lists are resolved, its words are not. Stored
/// as its two forms, the second only when it differs.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(into = "(Box<str>, Option<Box<str>>)", from = "(SharedText, Option<SharedText>)")]
#[serde(bound(deserialize = "'de: 'static"))]
pub struct Literal {
    /// Lower case, `'` and `-` unified.
    pub norm: SharedText,
    /// The same with its capitals, for case-sensitive rules.
    pub cased: SharedText,
}

impl From<Literal> for (Box<str>, Option<Box<str>>) {
    fn from(literal: Literal) -> Self {
        let cased = (literal.cased != literal.norm).then(|| Box::from(&*literal.cased));
        (Box::from(&*literal.norm), cased)
    }
}

impl From<(SharedText, Option<SharedText>)> for Literal {
    fn from((norm, cased): (SharedText, Option<SharedText>)) -> Literal {
        let cased = cased.unwrap_or_else(|| norm.clone());
        Literal { norm, cased }
    }
}

/// A word's text, copied without copying its bytes: the words of every list and
/// expression a check compiles are read back from the default pack the binary embeds
/// (and copied again each time a list is resolved), and allocating each one cost more
/// than the rest of reading it.
#[derive(Clone)]
pub enum SharedText {
    /// Read back from bytes that live as long as the program (the embedded pack).
    Embedded(&'static str),
    Counted(Arc<str>),
}

impl std::ops::Deref for SharedText {
    type Target = str;

    fn deref(&self) -> &str {
        match self {
            SharedText::Embedded(text) => text,
            SharedText::Counted(text) => text,
        }
    }
}

impl From<&str> for SharedText {
    fn from(text: &str) -> SharedText {
        SharedText::Counted(Arc::from(text))
    }
}

/// As its text: a word is the same word wherever its bytes are.
impl PartialEq for SharedText {
    fn eq(&self, other: &SharedText) -> bool {
        **self == **other
    }
}

impl Eq for SharedText {}

impl std::hash::Hash for SharedText {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        (**self).hash(state);
    }
}

impl std::borrow::Borrow<str> for SharedText {
    fn borrow(&self) -> &str {
        self
    }
}

impl std::fmt::Debug for SharedText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        (**self).fmt(f)
    }
}

impl serde::Serialize for SharedText {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self)
    }
}

/// Borrowed from the bytes read when they live as long as the program; the embedded
/// packs are the only ones read back.
impl<'de: 'static> serde::Deserialize<'de> for SharedText {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<SharedText, D::Error> {
        struct Text;
        impl serde::de::Visitor<'static> for Text {
            type Value = SharedText;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a word")
            }
            fn visit_borrowed_str<E>(self, text: &'static str) -> Result<SharedText, E> {
                Ok(SharedText::Embedded(text))
            }
            fn visit_str<E>(self, text: &str) -> Result<SharedText, E> {
                Ok(SharedText::from(text))
            }
        }
        deserializer.deserialize_str(Text)
    }
}

impl Literal {
    pub fn new(norm: &str, cased: &str) -> Literal {
        let norm = SharedText::from(norm);
        // Most pattern words are written in lower case: one text serves both.
        let cased = if *cased == *norm { norm.clone() } else { SharedText::from(cased) };
        Literal { norm, cased }
    }
}

/// A parsed expression element.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(bound(deserialize = "'de: 'static"))]
pub enum Node {
    /// One token with this text. A literal starting with `'` ("'ll") may also match the
    /// tail of a contraction ("I'll" is `I 'll`).
    Word(Literal),
    Seq(Vec<Node>),
    /// Alternatives; the longest match wins, then the first written.
    Alt(Vec<Node>),
    /// `x?` (0..1), `x*` (0..4), `x+` (1..4).
    Repeat {
        node: Box<Node>,
        min: u8,
        max: u8,
    },
    /// `..N` and `...`: 0..N tokens, never a clause break.
    Gap(u8),
    /// `_`: one token that is not a clause break.
    Any,
    /// `!x`: one token (not a clause break) where `x` does not match.
    Not(Box<Node>),
    /// `[ ... ]`: the span reported.
    Focus(Box<Node>),
    /// `name=x`: a part the suggestions can insert as `${name}`.
    Capture(String, Box<Node>),
    Class(Class),
    /// `/re/`: one token whose whole text matches.
    Regex(Arc<TokenRegex>),
    /// `@name`, with the byte offset of the `@` in the expression (for errors).
    List(String, usize),
    /// A list once resolved: expanded once and shared by every expression naming it.
    Shared(Arc<Node>),
    /// `^`
    Start,
    /// `$`
    End,
}

/// `#num`, `#cap`, `#upper`, `#emoji`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Class {
    Number,
    Capitalised,
    Upper,
    Emoji,
}

/// `/re/`: `^(?:re)$` on the token's text. Its syntax is checked when parsed; it is
/// compiled the first time a token is matched against it (or when a pack that must
/// report every error at its place is loaded: [`TokenRegex::compile`]).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(into = "(String, usize)", from = "(String, usize)")]
pub struct TokenRegex {
    pub source: String,
    /// Byte offset of `source` in the expression, for errors.
    offset: usize,
    /// Matched against the normalised form.
    insensitive: OnceLock<Option<regex::Regex>>,
    /// Matched against the text as written, for case-sensitive rules.
    sensitive: OnceLock<Option<regex::Regex>>,
}

impl From<(String, usize)> for TokenRegex {
    fn from((source, offset): (String, usize)) -> TokenRegex {
        TokenRegex::new(source, offset)
    }
}

impl From<TokenRegex> for (String, usize) {
    fn from(regex: TokenRegex) -> (String, usize) {
        (regex.source, regex.offset)
    }
}

impl TokenRegex {
    fn new(source: String, offset: usize) -> TokenRegex {
        TokenRegex { source, offset, insensitive: OnceLock::new(), sensitive: OnceLock::new() }
    }

    /// Compiles both forms now: the error, at its place in the expression.
    pub fn compile(&self) -> Result<(), ParseError> {
        for insensitive in [true, false] {
            parse::build_token_regex(&self.source, insensitive).map_err(|err| parse::regex_parse_error(&err, &self.source, self.offset))?;
        }
        Ok(())
    }

    /// Whether `text` (a token's normalised form, or as written when
    /// `case_sensitive`) matches. A regex too large to compile matches nothing; packs
    /// from outside are compiled when loaded, so that one is an error there.
    pub fn is_match(&self, text: &str, case_sensitive: bool) -> bool {
        let (form, insensitive) = if case_sensitive { (&self.sensitive, false) } else { (&self.insensitive, true) };
        form.get_or_init(|| parse::build_token_regex(&self.source, insensitive).ok()).as_ref().is_some_and(|regex| regex.is_match(text))
    }
}

impl Node {
    /// Every `@name` in the tree, with its offset.
    pub fn lists(&self, out: &mut Vec<(String, usize)>) {
        match self {
            Node::List(name, at) => out.push((name.clone(), *at)),
            Node::Seq(nodes) | Node::Alt(nodes) => nodes.iter().for_each(|n| n.lists(out)),
            Node::Repeat { node, .. } | Node::Not(node) | Node::Focus(node) | Node::Capture(_, node) => node.lists(out),
            Node::Shared(node) => node.lists(out),
            _ => {}
        }
    }

    /// Every `/re/` written in the tree (not those of the lists it names).
    pub fn regexes<'n>(&'n self, out: &mut Vec<&'n TokenRegex>) {
        match self {
            Node::Regex(regex) => out.push(regex),
            Node::Seq(nodes) | Node::Alt(nodes) => nodes.iter().for_each(|n| n.regexes(out)),
            Node::Repeat { node, .. } | Node::Not(node) | Node::Focus(node) | Node::Capture(_, node) => node.regexes(out),
            _ => {}
        }
    }

    /// Whether the tree has a capture called `name`.
    pub fn captures(&self, name: &str) -> bool {
        match self {
            Node::Capture(own, node) => own == name || node.captures(name),
            Node::Seq(nodes) | Node::Alt(nodes) => nodes.iter().any(|n| n.captures(name)),
            Node::Repeat { node, .. } | Node::Not(node) | Node::Focus(node) => node.captures(name),
            Node::Shared(node) => node.captures(name),
            _ => false,
        }
    }

    /// Whether the tree chooses the reported span.
    pub fn has_focus(&self) -> bool {
        match self {
            Node::Focus(_) => true,
            Node::Seq(nodes) | Node::Alt(nodes) => nodes.iter().any(Node::has_focus),
            Node::Repeat { node, .. } | Node::Not(node) | Node::Capture(_, node) => node.has_focus(),
            Node::Shared(node) => node.has_focus(),
            _ => false,
        }
    }
}
