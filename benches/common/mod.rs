//! Bench inputs shared by the benches: real mail and the pathological shapes.
//!
//! Real mail is SpamAssassin easy-ham-1 (2,500 messages nobody here wrote), fetched by
//! `scripts/fetch-ham.sh` into `tests/.cache/ham/easy-ham-1`. A bench that needs it
//! and does not find it says so and is skipped (divan prints an empty row).
//!
//! The shapes are the inputs a reliability probe found super-linear: one huge line, a
//! huge or deeply folded subject, "ASAP" or "per my last email" repeated with no
//! sentence stop, a line of capitals, and megabytes of varied prose.

#![allow(dead_code)] // each bench uses its own part of this module

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use tactful::message::RegionKind;
use tactful::Message;

/// Where `scripts/fetch-ham.sh` puts easy-ham-1.
pub fn ham_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/.cache/ham/easy-ham-1")
}

/// The raw easy-ham-1 messages in name order, or `None` (after saying so once) when
/// they have not been fetched.
pub fn ham_messages() -> Option<&'static [Vec<u8>]> {
    static HAM: OnceLock<Option<Vec<Vec<u8>>>> = OnceLock::new();
    HAM.get_or_init(|| {
        let mut files: Vec<PathBuf> = std::fs::read_dir(ham_dir()).ok()?.filter_map(|entry| entry.ok().map(|e| e.path())).collect();
        files.sort();
        let messages: Vec<Vec<u8>> = files.iter().filter_map(|f| std::fs::read(f).ok()).collect();
        (!messages.is_empty()).then_some(messages)
    })
    .as_deref()
    .or_else(|| {
        static SAID: OnceLock<()> = OnceLock::new();
        SAID.get_or_init(|| {
            eprintln!("skipped: the benches on real mail need easy-ham-1; run scripts/fetch-ham.sh first (looked in {})", ham_dir().display());
        });
        None
    })
}

/// What the writers of easy-ham-1 wrote themselves: the Body regions of every message
/// (quoted text, signatures, headers and links left out), one string per message.
pub fn ham_bodies() -> Option<&'static [String]> {
    static BODIES: OnceLock<Option<Vec<String>>> = OnceLock::new();
    BODIES
        .get_or_init(|| {
            let bodies = ham_messages()?.iter().map(|raw| {
                let message = Message::from_bytes(raw);
                let body = message.regions().iter().filter(|r| r.kind == RegionKind::Body);
                body.map(|region| &message.text()[region.range.clone()]).collect::<String>().trim().to_owned()
            });
            Some(bodies.filter(|body| !body.is_empty()).collect())
        })
        .as_deref()
}

/// Every ham body, one after another with a blank line between: a few MB of varied,
/// real prose.
pub fn ham_prose() -> Option<&'static str> {
    static PROSE: OnceLock<Option<String>> = OnceLock::new();
    PROSE.get_or_init(|| Some(ham_bodies()?.join("\n\n"))).as_deref()
}

/// The first `size` bytes of real prose (easy-ham-1 read again from the start when
/// `size` is larger than all of it), cut on a char boundary.
pub fn prose(size: usize) -> Option<String> {
    let all = ham_prose()?;
    let mut out = String::with_capacity(size + 4);
    while out.len() < size {
        let rest = size - out.len();
        let mut cut = rest.min(all.len());
        while !all.is_char_boundary(cut) {
            cut -= 1;
        }
        out.push_str(&all[..cut]);
        if cut < all.len() {
            break;
        }
    }
    Some(out)
}

/// Real drafts of about `size` bytes: whole ham bodies under a subject, starting at
/// body `skip`, so two drafts with different `skip` share no text.
pub fn draft(size: usize, skip: usize) -> Option<String> {
    let mut out = String::from("Subject: Notes\n\nHi Sam,\n\n");
    for body in ham_bodies()?.iter().filter(|b| b.len() > 200).cycle().skip(skip) {
        if out.len() >= size {
            break;
        }
        out.push_str(body);
        out.push_str("\n\n");
    }
    Some(out)
}

/// Prose with every line break a space: one line of `size` bytes.
pub fn single_line(size: usize) -> Option<String> {
    Some(prose(size)?.replace(['\n', '\r'], " "))
}

/// A compose buffer whose `Subject:` is one line of `size` bytes of prose.
pub fn long_subject(size: usize) -> Option<String> {
    Some(format!("To: sam@example.com\nSubject: {}\n\nHi Sam,\n\nSee above.\n", single_line(size)?))
}

/// A compose buffer whose `Subject:` is `size` bytes of prose folded into continuation
/// lines of about 70 bytes, as a client folds a long header.
pub fn folded_header(size: usize) -> Option<String> {
    let line = single_line(size)?;
    let mut out = String::from("To: sam@example.com\nSubject:");
    let mut width = 0;
    for word in line.split(' ').filter(|w| !w.is_empty()) {
        if width > 70 {
            out.push_str("\n ");
            width = 0;
        } else {
            out.push(' ');
        }
        out.push_str(word);
        width += word.len() + 1;
    }
    out.push_str("\n\nHi Sam,\n\nSee above.\n");
    Some(out)
}

/// `phrase` and a space, again and again, to `size` bytes: no sentence ever ends.
pub fn repeated(phrase: &str, size: usize) -> String {
    format!("{phrase} ").repeat(size.div_ceil(phrase.len() + 1))
}

/// One line of shouting: the dev corpus bodies in capitals, line breaks as spaces,
/// to `size` bytes (the corpus is in the repository, so this needs no download).
pub fn capitals(size: usize) -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut files: Vec<PathBuf> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|e| e == "eml")).collect();
    files.sort();
    let words: String = files
        .iter()
        .map(|path| {
            let text = std::fs::read_to_string(path).unwrap();
            let body = text.split_once("\n\n").map_or(text.as_str(), |(_, body)| body).to_uppercase();
            body.replace(['\n', '\r', '.', '!', '?'], " ")
        })
        .collect::<Vec<_>>()
        .join(" ");
    let mut out = String::with_capacity(size + words.len());
    while out.len() < size {
        out.push_str(&words);
        out.push(' ');
    }
    out
}

/// The shapes and the sizes the probe measured (plus a smaller size, so each bench
/// shows whether cost grows with the input and no faster).
pub const SINGLE_LINE: &[usize] = &[2_000_000, 20_000_000];
pub const LONG_SUBJECT: &[usize] = &[1_000_000, 10_000_000];
pub const FOLDED_HEADER: &[usize] = &[100_000, 1_000_000];
pub const ASAP: &[usize] = &[100_000, 200_000, 400_000];
pub const CAPITALS: &[usize] = &[100_000, 200_000, 400_000];
pub const PER_MY_LAST_EMAIL: &[usize] = &[400_000, 1_000_000];
pub const VARIED_PROSE: &[usize] = &[1_000_000, 3_000_000];
