//! Tokens: words, numbers, punctuation and symbols, each with its byte span and a
//! normalised form (lower case, one apostrophe, one hyphen) that rules compare with.

use std::ops::Range;

use super::sentences::word_after;
use super::{is_word_byte, is_word_char};

/// What a token is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// Letters (and digits): "don't", "follow-up", "Q3", "café", "日本語".
    Word,
    /// Digits, with inner `.`, `,` or `:` between digits: "3", "3.5", "10:30", "1,000".
    Number,
    /// A punctuation mark, or a run of sentence marks: ",", "(", "!!!", "?!", "...".
    Punct,
    /// An emoji or other symbol, with its modifiers and joined parts: "👍🏽", "™".
    Symbol,
}

/// One token: where it is in the text and what it is. Its normalised form is in
/// [`Tokens::norm`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    /// Byte offsets into the text.
    pub start: usize,
    pub end: usize,
    pub kind: TokenKind,
    /// Byte range of the normalised form in [`Tokens`]' buffer.
    norm: (u32, u32),
    /// Offset in the normalised form of a contraction's apostrophe ("i'll": 1), 0 if
    /// the token is no contraction.
    apostrophe: u32,
    /// Whether a clause ends here: `,` `;` `:` a dash standing alone, brackets, `!` `?`
    /// and an ellipsis. Word gaps never cross one.
    pub clause_break: bool,
    /// Whether the token is an ASCII word or number joined by nothing but apostrophes
    /// ("don't", "Q3", "42"), as most are: one word as [`super::words`] reads them,
    /// which a measure can take as it is. False for a token read char by char.
    pub simple: bool,
}

impl Token {
    pub fn span(&self) -> Range<usize> {
        self.start..self.end
    }
}

/// The tokens of a text, in order, with their normalised forms.
#[derive(Debug, Clone, Default)]
pub struct Tokens {
    pub list: Vec<Token>,
    /// The text in lower case, then the normalised forms of the tokens that are not
    /// ASCII.
    norms: String,
    /// How long the text is: where its lower-cased copy ends in `norms`.
    text_len: usize,
}

impl Tokens {
    /// Tokenizes `text`; whitespace separates tokens and is never one.
    pub fn new(text: &str) -> Tokens {
        // The normalised form of an ASCII token (most are) is its text in lower case:
        // one lower-cased copy of the whole text holds them all, by range, and the
        // forms of the others are added after it. A token every three bytes covers
        // prose ("a, b."); a longer list is grown.
        let mut norms = String::with_capacity(text.len() + 16);
        norms.push_str(text);
        norms.make_ascii_lowercase();
        let mut out = Tokens { list: Vec::with_capacity(text.len() / 3 + 1), norms, text_len: text.len() };
        let bytes = text.as_bytes();
        let mut at = 0;
        while let Some(&byte) = bytes.get(at) {
            // Most of a sentence is ASCII words and spaces: read as bytes, each class
            // told by one look-up.
            match Lead::of(byte) {
                Lead::Blank => {
                    at += 1;
                    continue;
                }
                Lead::Word => {
                    if let Some((end, kind, apostrophe, simple)) = ascii_word_end(bytes, at) {
                        out.push_ascii_word(at, end, kind, apostrophe, simple);
                        // The space after a word (most often there is one) is
                        // stepped over here, not in a turn of its own.
                        at = end + usize::from(bytes.get(end) == Some(&b' '));
                        continue;
                    }
                }
                // A comma or a bracket is a token of its own.
                Lead::Mark => {
                    out.push_ascii_marks(at, at + 1, false);
                    at += 1;
                    continue;
                }
                Lead::Break => {
                    out.push_ascii_marks(at, at + 1, true);
                    at += 1;
                    continue;
                }
                Lead::Stop => {
                    if let Some(end) = ascii_stop_run_end(bytes, at) {
                        out.push_ascii_marks(at, end, is_clause_break(&text[at..end]));
                        at = end;
                        continue;
                    }
                }
                Lead::Other => {}
            }
            let c = text[at..].chars().next().expect("a character at a char boundary");
            if c.is_whitespace() {
                at += c.len_utf8();
                continue;
            }
            let (end, kind) = if is_word_char(c) {
                word_end(text, at)
            } else if is_sentence_mark(c) {
                (run_end(text, at, is_sentence_mark), TokenKind::Punct)
            } else if is_punctuation(c) {
                (at + c.len_utf8(), TokenKind::Punct)
            } else {
                (symbol_end(text, at), TokenKind::Symbol)
            };
            out.push(text, at, end, kind);
            at = end;
        }
        out
    }

    /// A word [`ascii_word_end`] found: no clause break, its text in lower case.
    fn push_ascii_word(&mut self, start: usize, end: usize, kind: TokenKind, apostrophe: u32, simple: bool) {
        let norm = (start as u32, end as u32);
        self.list.push(Token { start, end, kind, norm, apostrophe, clause_break: false, simple });
    }

    /// A punctuation mark, or a run of sentence marks, in ASCII: its own normal form,
    /// no contraction.
    fn push_ascii_marks(&mut self, start: usize, end: usize, clause_break: bool) {
        let norm = (start as u32, end as u32);
        self.list.push(Token { start, end, kind: TokenKind::Punct, norm, apostrophe: 0, clause_break, simple: false });
    }

    fn push(&mut self, text: &str, start: usize, end: usize, kind: TokenKind) {
        let written = &text[start..end];
        let norm = if written.is_ascii() {
            // Lower-cased already; ASCII apostrophes and hyphens are the normal ones.
            (start, end)
        } else {
            let norm_start = self.norms.len();
            for c in written.chars() {
                match normal_char(c) {
                    Some(n) => self.norms.push(n),
                    None => self.norms.extend(c.to_lowercase()),
                }
            }
            (norm_start, self.norms.len())
        };
        let form = &self.norms[norm.0..norm.1];
        let clause_break = kind == TokenKind::Punct && is_clause_break(form);
        let apostrophe = memchr::memrchr(b'\'', form.as_bytes()).unwrap_or(0) as u32;
        self.list.push(Token { start, end, kind, norm: (norm.0 as u32, norm.1 as u32), apostrophe, clause_break, simple: false });
    }

    /// Hands `each` the [`words`](super::words) of `text`, the text the tokens were
    /// read from, found from the tokens instead of by reading it again (a measure counts
    /// the words of a whole message, which the rules have tokenized). Whatever joins a
    /// word joins a word or number token too, so no word goes past the token it starts
    /// in: a simple token is one word, another is read alone. Only a symbol may hold a
    /// letter (one a zero-width joiner ties to an emoji), from which a word may go on
    /// into the next tokens: from such a symbol on, the text is read.
    pub fn words(&self, text: &str, mut each: impl FnMut(Range<usize>)) {
        for token in &self.list {
            match token.kind {
                _ if token.simple => each(token.span()),
                TokenKind::Word | TokenKind::Number => words_within(text, token.span(), &mut each),
                TokenKind::Symbol if text[token.span()].chars().any(is_word_char) => {
                    words_within(text, token.start..text.len(), &mut each);
                    return;
                }
                TokenKind::Symbol | TokenKind::Punct => {}
            }
        }
    }

    /// The text the tokens were read from, with its ASCII letters in lower case.
    pub fn lower_case(&self) -> &str {
        &self.norms[..self.text_len]
    }

    /// The normalised form of token `index`: lower case, `'` for every apostrophe and
    /// `-` for every hyphen.
    pub fn norm(&self, index: usize) -> &str {
        let (start, end) = self.list[index].norm;
        &self.norms[start as usize..end as usize]
    }

    /// Where the apostrophe of token `index` is in its normalised form, if the token
    /// is a contraction: "i'll" is "i" and "'ll".
    pub fn apostrophe(&self, index: usize) -> Option<usize> {
        Some(self.list[index].apostrophe as usize).filter(|&at| at > 0)
    }

    pub fn len(&self) -> usize {
        self.list.len()
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }
}

/// Hands `each` the [`words`](super::words) of `text` that lie in `range`, which
/// starts between two words and ends where the last of them does.
fn words_within(text: &str, range: Range<usize>, each: &mut impl FnMut(Range<usize>)) {
    let text = &text[..range.end];
    let mut at = range.start;
    while let Some(word) = word_after(text, at) {
        at = word.end;
        each(word);
    }
}

/// The form a pattern word and a token are compared in: lower case, `'` for the
/// apostrophes a keyboard or a word processor type, `-` for hyphen look-alikes.
pub fn normalise(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    for c in word.chars() {
        match normal_char(c) {
            Some(n) => out.push(n),
            None => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// As [`normalise`], keeping the capitals (for case-sensitive rules).
pub fn normalise_keeping_case(word: &str) -> String {
    word.chars().map(|c| normal_char(c).unwrap_or(c)).collect()
}

/// Whether normalising takes `c` as one spelling of several (an apostrophe, a hyphen):
/// where a normalised form holds `c`, the text may hold another.
pub fn has_spellings(c: char) -> bool {
    normal_char(c).is_some()
}

fn normal_char(c: char) -> Option<char> {
    match c {
        '\'' | '’' | '‘' | 'ʼ' => Some('\''),
        '-' | '‐' | '‑' | '‒' | '–' => Some('-'),
        _ => None,
    }
}

pub(crate) fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '’' | '‘' | 'ʼ')
}

fn is_hyphen(c: char) -> bool {
    matches!(c, '-' | '‐' | '‑' | '‒' | '–')
}

/// How [`Tokens::new`] reads a token that starts with a byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lead {
    /// ASCII whitespace: no token.
    Blank,
    /// An ASCII letter, digit or `_`: a word, read by [`ascii_word_end`] when it can.
    Word,
    /// ASCII punctuation that is a token on its own (not `.` `!` `?`, which start runs,
    /// nor `_`) and ends no clause.
    Mark,
    /// As `Mark`, for those that end a clause ([`is_clause_break`] of its one byte).
    Break,
    /// `.` `!` `?`: a run of sentence marks, read by [`ascii_stop_run_end`] when it can.
    Stop,
    /// Anything else: read as a character.
    Other,
}

impl Lead {
    /// A table, as it is looked up for every token and every blank between two: one
    /// load instead of a chain of range tests (whitespace, alphanumeric, punctuation,
    /// then a string comparison for the clause break).
    fn of(byte: u8) -> Lead {
        const LEADS: [Lead; 256] = {
            let mut table = [Lead::Other; 256];
            let mut index = 0;
            while index < 128 {
                let byte = index as u8;
                table[index] = match byte {
                    // `char::is_whitespace` of an ASCII byte.
                    b' ' | b'\t' | b'\n' | 0x0B | 0x0C | b'\r' => Lead::Blank,
                    _ if byte.is_ascii_alphanumeric() || byte == b'_' => Lead::Word,
                    b'.' | b'!' | b'?' => Lead::Stop,
                    b',' | b';' | b':' | b'(' | b')' | b'[' | b']' | b'{' | b'}' | b'-' => Lead::Break,
                    _ if byte.is_ascii_punctuation() => Lead::Mark,
                    _ => Lead::Other,
                };
                index += 1;
            }
            table
        };
        LEADS[usize::from(byte)]
    }
}

/// Combining marks, variation selectors, skin tones and joiners: they belong to the
/// character before them.
fn is_extender(c: char) -> bool {
    matches!(c as u32,
        0x0300..=0x036F | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF | 0xFE20..=0xFE2F
        | 0xFE00..=0xFE0F | 0x1F3FB..=0x1F3FF | 0xE0020..=0xE007F | 0x200C)
}

fn is_sentence_mark(c: char) -> bool {
    matches!(c, '.' | '!' | '?' | '…')
}

fn is_punctuation(c: char) -> bool {
    c.is_ascii_punctuation()
        || matches!(c as u32, 0x2010..=0x2027 | 0x2030..=0x205E | 0x3000..=0x303F | 0xFF01..=0xFF0F | 0xFF1A..=0xFF20)
        || matches!(c, '«' | '»' | '¡' | '¿' | '·' | '§' | '¶')
}

fn is_clause_break(norm: &str) -> bool {
    match norm {
        "," | ";" | ":" | "(" | ")" | "[" | "]" | "{" | "}" | "-" | "—" | "--" | "、" | "；" | "：" => true,
        _ => norm.contains(['!', '?', '…']) || norm.starts_with(".."),
    }
}

fn run_end(text: &str, start: usize, part: impl Fn(char) -> bool) -> usize {
    text[start..].char_indices().find(|&(_, c)| !part(c)).map_or(text.len(), |(i, _)| start + i)
}

/// The end of the word at `start`, its kind, where its last apostrophe is (0 for none)
/// and whether nothing else joins it ([`Token::simple`]) when it is ASCII and ends
/// before ASCII, as most words are: [`word_end`] on ASCII bytes.
/// `None` where a character of another script is in or just after the word (it may be
/// a letter or a mark that goes on with it), which [`word_end`] reads.
fn ascii_word_end(bytes: &[u8], start: usize) -> Option<(usize, TokenKind, u32, bool)> {
    let mut numeric = bytes.get(start).is_some_and(u8::is_ascii_digit);
    let mut apostrophe = 0;
    let mut simple = true;
    let mut at = start;
    loop {
        let rest = &bytes[at..];
        let run = rest.iter().position(|&b| !is_word_byte(b)).unwrap_or(rest.len());
        // Only a number's runs are looked at again: a word's first letter ends it.
        numeric = numeric && rest[..run].iter().all(u8::is_ascii_digit);
        at += run;
        let Some(&joiner) = bytes.get(at) else { break };
        let after = bytes.get(at + 1).copied();
        let joins = match joiner {
            _ if !joiner.is_ascii() => return None,
            // Inside a word when a word goes on after it ("don't", "e-mail"); a letter
            // of another script may.
            b'\'' | b'-' if after.is_some_and(|b| !b.is_ascii()) => return None,
            b'\'' | b'-' => after.is_some_and(is_word_byte),
            // Inside a number when a digit follows ("3.5", "1,000", "10:30").
            b'.' | b',' | b':' => numeric && after.is_some_and(|b| b.is_ascii_digit()),
            _ => false,
        };
        if !joins {
            break;
        }
        if joiner == b'\'' {
            apostrophe = (at - start) as u32;
        }
        simple &= joiner == b'\'';
        numeric &= !matches!(joiner, b'\'' | b'-');
        at += 1;
    }
    let kind = if numeric { TokenKind::Number } else { TokenKind::Word };
    (at > start).then_some((at, kind, apostrophe, simple))
}

/// The end of the run of ASCII sentence marks at `start` ("...", "?!"), `None` when a
/// character of another script follows, which may go on with it ("?…").
fn ascii_stop_run_end(bytes: &[u8], start: usize) -> Option<usize> {
    let rest = &bytes[start..];
    let run = rest.iter().position(|b| !matches!(b, b'.' | b'!' | b'?')).unwrap_or(rest.len());
    rest.get(run).is_none_or(u8::is_ascii).then_some(start + run)
}

/// A word: letters and digits, with marks, and apostrophes, hyphens (and for numbers
/// `.`, `,`, `:`) between two of them.
fn word_end(text: &str, start: usize) -> (usize, TokenKind) {
    let mut numeric = text[start..].starts_with(|c: char| c.is_ascii_digit());
    let mut end = start;
    let mut chars = text[start..].char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let next_is_word = chars.peek().is_some_and(|&(_, n)| is_word_char(n));
        let joins = match c {
            _ if is_word_char(c) || is_extender(c) => {
                numeric &= c.is_ascii_digit() || is_extender(c);
                true
            }
            _ if (is_apostrophe(c) || is_hyphen(c)) && next_is_word => {
                numeric = false;
                true
            }
            '.' | ',' | ':' if numeric && chars.peek().is_some_and(|&(_, n)| n.is_ascii_digit()) => true,
            _ => false,
        };
        if !joins {
            break;
        }
        end = start + i + c.len_utf8();
    }
    (end, if numeric { TokenKind::Number } else { TokenKind::Word })
}

/// A symbol with what modifies it; a zero-width joiner glues the next symbol on
/// ("👩‍💻" is one token).
fn symbol_end(text: &str, start: usize) -> usize {
    let mut chars = text[start..].char_indices();
    let (_, first) = chars.next().expect("a character at start");
    let mut end = start + first.len_utf8();
    let mut joined = false;
    for (i, c) in chars {
        if is_extender(c) || joined {
            joined = false;
        } else if c == '\u{200D}' {
            joined = true;
        } else {
            break;
        }
        end = start + i + c.len_utf8();
    }
    end
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::Seeded;

    fn show(text: &str) -> Vec<String> {
        let tokens = Tokens::new(text);
        (0..tokens.len())
            .map(|i| {
                let t = tokens.list[i];
                let kind = match t.kind {
                    TokenKind::Word => "w",
                    TokenKind::Number => "n",
                    TokenKind::Punct if t.clause_break => "b",
                    TokenKind::Punct => "p",
                    TokenKind::Symbol => "s",
                };
                format!("{kind}:{}={}", &text[t.span()], tokens.norm(i))
            })
            .collect()
    }

    /// Where an ASCII word meets a mark, the mark joins it only with a word (or, for a
    /// number, a digit) after it.
    #[test]
    fn the_lower_cased_text_is_the_text_with_ascii_letters_in_lower_case() {
        let text = "Sorry, I’m LATE — Ça VA? Naïve 👍🏽 ÉTÉ";
        let tokens = Tokens::new(text);
        assert_eq!(tokens.lower_case(), "sorry, i’m late — Ça va? naïve 👍🏽 ÉtÉ");
        assert_eq!(tokens.norm(tokens.len() - 1), "été");
    }

    #[test]
    fn marks_after_ascii_words_join_only_what_goes_on() {
        assert_eq!(show("dogs' x- y it's 12-ab_c"), ["w:dogs=dogs", "p:'='", "w:x=x", "b:-=-", "w:y=y", "w:it's=it's", "w:12-ab_c=12-ab_c"]);
        assert_eq!(
            show("3.5, 5. a:b 10:30: 1,000"),
            ["n:3.5=3.5", "b:,=,", "n:5=5", "p:.=.", "w:a=a", "b::=:", "w:b=b", "n:10:30=10:30", "b::=:", "n:1,000=1,000"]
        );
    }

    #[test]
    fn words_keep_inner_apostrophes_and_hyphens_in_normal_form() {
        assert_eq!(
            show("I’ll DON'T follow‑up, e-mail!!! o'clock"),
            ["w:I’ll=i'll", "w:DON'T=don't", "w:follow‑up=follow-up", "b:,=,", "w:e-mail=e-mail", "b:!!!=!!!", "w:o'clock=o'clock"]
        );
    }

    #[test]
    fn numbers_take_inner_separators_and_sentence_marks_form_runs() {
        assert_eq!(
            show("at 10:30 on 3.5, 1,000 3pm... 'quoted' users' a.m."),
            [
                "w:at=at",
                "n:10:30=10:30",
                "w:on=on",
                "n:3.5=3.5",
                "b:,=,",
                "n:1,000=1,000",
                "w:3pm=3pm",
                "b:...=...",
                "p:'='",
                "w:quoted=quoted",
                "p:'='",
                "w:users=users",
                "p:'='",
                "w:a=a",
                "p:.=.",
                "w:m=m",
                "p:.=."
            ]
        );
    }

    #[test]
    fn emoji_cjk_and_combining_marks_keep_exact_byte_spans() {
        let text = "cafe\u{301} 👍🏽 👩\u{200D}💻 日本語です ok";
        let tokens = Tokens::new(text);
        let spans: Vec<&str> = tokens.list.iter().map(|t| &text[t.span()]).collect();
        assert_eq!(spans, ["cafe\u{301}", "👍🏽", "👩\u{200D}💻", "日本語です", "ok"]);
        assert_eq!(tokens.list[1].kind, TokenKind::Symbol);
        assert_eq!((tokens.list[4].start, tokens.list[4].end), (text.len() - 2, text.len()));
        assert_eq!(tokens.norm(3), "日本語です");
    }

    /// Texts of the pieces words and their edges are made of, drawn from a fixed
    /// sequence.
    fn generated_texts(count: usize) -> impl Iterator<Item = String> {
        const PIECES: [&str; 22] =
            ["a", "Z", "0", "7", "_", "'", "-", ".", ",", ":", "!", "?", " ", "\n", "é", "’", "\u{301}", "…", "‑", "x", "9", ";"];
        let mut seeded = Seeded::default();
        (0..count).map(move |_| seeded.draw(&PIECES, 1..13).concat())
    }

    /// The byte fast paths agree with the char-by-char reading wherever they answer,
    /// and answer for every ASCII text.
    #[test]
    fn ascii_fast_paths_read_as_the_char_paths_do() {
        for text in generated_texts(200_000) {
            let bytes = text.as_bytes();
            for (at, c) in text.char_indices() {
                if is_word_char(c) && c.is_ascii() {
                    let fast = ascii_word_end(bytes, at);
                    if let Some((end, kind, apostrophe, simple)) = fast {
                        assert_eq!((end, kind), word_end(&text, at), "{text:?} at {at}");
                        let last = memchr::memrchr(b'\'', &bytes[at..end]).unwrap_or(0) as u32;
                        assert_eq!(apostrophe, last, "{text:?} at {at}");
                        assert_eq!(simple, bytes[at..end].iter().all(|&b| is_word_byte(b) || b == b'\''), "{text:?} at {at}");
                    }
                    assert!(fast.is_some() || !text.is_ascii(), "{text:?} at {at}");
                }
                if matches!(c, '.' | '!' | '?') {
                    let fast = ascii_stop_run_end(bytes, at);
                    if let Some(end) = fast {
                        assert_eq!(end, run_end(&text, at, is_sentence_mark), "{text:?} at {at}");
                    }
                    assert!(fast.is_some() || !text.is_ascii(), "{text:?} at {at}");
                }
            }
        }
    }

    /// The words read from the tokens are those read from the text, on generated texts
    /// of words joined by hyphens, apostrophes of every kind and number separators, with
    /// combining marks (one of them a letter), CJK, emoji with skin tones and joiners,
    /// and symbols a joiner ties a letter to.
    #[test]
    fn words_from_tokens_are_the_words_of_the_text() {
        const PIECES: [&str; 34] = [
            "a", "Zq", "0", "7", "_", "'", "’", "‘", "ʼ", "-", "‑", "–", ".", ",", ":", " ", "\n", "é", "\u{301}", "\u{345}", "日本", "👍", "🏽",
            "\u{200D}", "\u{200C}", "™", "…", "!", "\u{a0}", "x1", "don't", "3.5", "e-mail", "I’m",
        ];
        let mut seeded = Seeded::default();
        for _ in 0..100_000 {
            let text = seeded.draw(&PIECES, 1..20).concat();
            let mut found = Vec::new();
            Tokens::new(&text).words(&text, |word| found.push(word));
            let read: Vec<Range<usize>> = super::super::words(&text).map(|(start, word)| start..start + word.len()).collect();
            assert_eq!(found, read, "{text:?}");
        }
    }

    #[test]
    fn normalise_lowers_and_unifies_apostrophes_and_hyphens() {
        assert_eq!(normalise("Don’t Follow‐Up"), "don't follow-up");
        assert_eq!(normalise_keeping_case("Don’t"), "Don't");
    }
}
