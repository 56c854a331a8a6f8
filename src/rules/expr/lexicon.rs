//! The words an engine's expressions name, numbered. A sentence's tokens are looked
//! up once ([`Lexicon::words`]); from then on candidate picking and every word test of
//! the [`super::vm`] compare numbers instead of hashing strings.

use std::sync::{Arc, OnceLock};

use foldhash::{HashMap, HashSet};

use super::{Node, SharedText};
use crate::text::Tokens;

/// The shared lists [`Lexicon::add_words`] has walked.
pub type Walked = HashSet<*const Node>;

/// A word's number in a [`Lexicon`].
pub type WordId = u32;

/// The number of every token form no expression names.
pub const UNKNOWN: WordId = WordId::MAX;

/// Normalised word -> number.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
#[serde(bound(deserialize = "'de: 'static"))]
pub struct Lexicon {
    /// The words share their text with the expressions' (and, read back, with the
    /// embedded bytes).
    ids: HashMap<SharedText, WordId>,
    /// Tables for the short forms that most tokens are, made when first asked for,
    /// once every word is numbered.
    #[serde(skip)]
    short: OnceLock<ShortForms>,
}

/// The longest form [`ShortForms`] holds: one machine word.
const SHORT: usize = 8;

/// The numbers of the forms of at most [`SHORT`] bytes. A fifth of a sentence's
/// tokens are marks (",", "."), which a table by byte answers; most others are short
/// words, whose bytes packed into one number are looked up in an open-addressed
/// table: a multiply, a load and a compare, where hashing a string and comparing its
/// bytes cost several times that.
#[derive(Debug)]
struct ShortForms {
    one_byte: [WordId; 128],
    /// `(packed bytes, length, number)`; a length of 0 is an empty slot. Twice as many
    /// slots as forms, a power of two.
    slots: Vec<(u64, u32, WordId)>,
}

impl ShortForms {
    fn new(ids: &HashMap<SharedText, WordId>) -> ShortForms {
        let short: Vec<(&str, WordId)> = ids.iter().filter(|(form, _)| form.len() <= SHORT).map(|(form, &id)| (&**form, id)).collect();
        let mut slots = vec![(0, 0, UNKNOWN); (2 * short.len()).next_power_of_two().max(2)];
        let mask = slots.len() - 1;
        for (form, id) in short {
            let key = pack(form.as_bytes());
            let mut at = slot_of(key, mask);
            while slots[at].1 != 0 {
                at = (at + 1) & mask;
            }
            slots[at] = (key, form.len() as u32, id);
        }
        let one_byte = std::array::from_fn(|byte| {
            char::from_u32(byte as u32).map_or(UNKNOWN, |c| ids.get(c.encode_utf8(&mut [0; 4]) as &str).copied().unwrap_or(UNKNOWN))
        });
        ShortForms { one_byte, slots }
    }

    /// The number of `form` (at most [`SHORT`] bytes).
    fn id(&self, form: &[u8]) -> WordId {
        if let &[byte] = form {
            return self.one_byte.get(usize::from(byte)).copied().unwrap_or(UNKNOWN);
        }
        let key = pack(form);
        let mask = self.slots.len() - 1;
        let mut at = slot_of(key, mask);
        loop {
            let (packed, len, id) = self.slots[at];
            if len == 0 {
                return UNKNOWN;
            }
            if packed == key && len as usize == form.len() {
                return id;
            }
            at = (at + 1) & mask;
        }
    }
}

/// The bytes of a short form as one number (the length tells "a" from "a\0").
fn pack(form: &[u8]) -> u64 {
    let mut bytes = [0; SHORT];
    bytes[..form.len()].copy_from_slice(form);
    u64::from_le_bytes(bytes)
}

/// Where a packed form's search starts: the high bits of a multiplicative hash.
fn slot_of(key: u64, mask: usize) -> usize {
    (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 32) as usize & mask
}

/// A token's numbers: its whole normalised form and, for a contraction ("i'll"), its
/// head ("i") and its tail ("'ll"); [`UNKNOWN`] where no expression names the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenWords {
    pub whole: WordId,
    pub head: WordId,
    pub tail: WordId,
}

impl Lexicon {
    /// Numbers every word of `node`; a shared list is walked once (`seen`).
    pub fn add_words(&mut self, node: &Node, seen: &mut Walked) {
        match node {
            Node::Word(literal) if !self.ids.contains_key(&*literal.norm) => {
                let next = self.ids.len() as WordId;
                self.ids.insert(literal.norm.clone(), next);
                // Tables made before this word was numbered would miss it.
                self.short.take();
            }
            Node::Seq(items) | Node::Alt(items) => items.iter().for_each(|item| self.add_words(item, seen)),
            Node::Repeat { node, .. } | Node::Not(node) | Node::Focus(node) | Node::Capture(_, node) => self.add_words(node, seen),
            Node::Shared(inner) if seen.insert(Arc::as_ptr(inner)) => self.add_words(inner, seen),
            _ => {}
        }
    }

    /// How many words are numbered (their numbers are below it).
    pub fn size(&self) -> usize {
        self.ids.len()
    }

    /// The number of a normalised word, [`UNKNOWN`] if no expression names it.
    #[inline]
    pub fn id(&self, norm: &str) -> WordId {
        if norm.len() <= SHORT {
            return self.short.get_or_init(|| ShortForms::new(&self.ids)).id(norm.as_bytes());
        }
        self.hashed(norm)
    }

    fn hashed(&self, norm: &str) -> WordId {
        self.ids.get(norm).copied().unwrap_or(UNKNOWN)
    }

    /// The numbers of every token of a sentence.
    pub fn words(&self, tokens: &Tokens) -> Vec<TokenWords> {
        (0..tokens.len())
            .map(|index| {
                let norm = tokens.norm(index);
                let whole = self.id(norm);
                match tokens.apostrophe(index) {
                    Some(at) => TokenWords { whole, head: self.id(&norm[..at]), tail: self.id(&norm[at..]) },
                    None => TokenWords { whole, head: UNKNOWN, tail: UNKNOWN },
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Short forms are answered by tables; a word numbered after the tables were made
    /// is still found.
    #[test]
    fn short_words_are_found_however_late_they_are_numbered() {
        let mut lexicon = Lexicon::default();
        let mut walked = Walked::default();
        lexicon.add_words(&crate::rules::expr::parse("i need it").expect("parses"), &mut walked);
        let i = lexicon.id("i");
        assert_ne!(i, UNKNOWN);
        assert_eq!(lexicon.id("?"), UNKNOWN);
        lexicon.add_words(&crate::rules::expr::parse(r"\? a").expect("parses"), &mut walked);
        assert_ne!(lexicon.id("?"), UNKNOWN);
        assert_ne!(lexicon.id("a"), UNKNOWN);
        assert_eq!(lexicon.id("i"), i);
        assert_eq!(lexicon.id("need"), lexicon.hashed("need"));
        assert_eq!(lexicon.id("b"), UNKNOWN);
        lexicon.add_words(&crate::rules::expr::parse("now please").expect("parses"), &mut walked);
        assert_ne!(lexicon.id("now"), UNKNOWN);
        assert_eq!(lexicon.id("now"), lexicon.hashed("now"));
    }

    /// Every form of a large lexicon gets its own number back, whatever its length
    /// (short forms from the packed table, long ones hashed); a form that differs
    /// from one only by length, a trailing NUL or case is unknown.
    #[test]
    fn every_form_of_a_lexicon_is_found_and_nothing_else() {
        let words: Vec<String> =
            (0..3000).map(|n| format!("w{n:x}")).chain(["a", "’", "don't", "eight888", "nine99999", "—"].map(String::from)).collect();
        let mut lexicon = Lexicon::default();
        lexicon.add_words(&crate::rules::expr::parse(&words.join(" ")).expect("parses"), &mut Walked::default());
        for word in &words {
            let norm = crate::text::normalise(word);
            assert_eq!(lexicon.id(&norm), lexicon.hashed(&norm), "{word}");
            assert_ne!(lexicon.id(&norm), UNKNOWN, "{word}");
        }
        for stranger in ["w", "w1000000", "a\0", "eight88", "eight8888", "nine9999", "W1"] {
            assert_eq!(lexicon.id(stranger), UNKNOWN, "{stranger}");
        }
    }
}
