//! Recognisers for the single lines that change what a message body is made of:
//! quote markers, attribution lines, forwarded-message markers, signature delimiters
//! and Markdown code fences. Each looks at one line's content (line ending excluded).

/// A line of a quoted message: `>` after optional indentation, at any depth.
pub(super) fn is_quoted(line: &str) -> bool {
    // Bytes rather than chars: the indentation and the marker are ASCII, and this is
    // asked of every line of a body.
    line.bytes().find(|&b| b != b' ' && b != b'\t') == Some(b'>')
}

/// The text of a quoted line without its quote markers (`"> > x"` and `">> x"` both
/// give `"x"`).
pub(super) fn strip_quote_markers(line: &str) -> &str {
    let mut rest = line.trim_start_matches([' ', '\t']);
    while let Some(after) = rest.strip_prefix('>') {
        rest = after.strip_prefix(' ').unwrap_or(after);
    }
    rest
}

/// The signature delimiter: exactly `"-- "` (RFC 3676), or `"--"` as many clients
/// strip the trailing space.
pub(super) fn is_signature_delimiter(line: &str) -> bool {
    line == "-- " || line == "--"
}

/// A line after which everything is an earlier message: Outlook's
/// `-----Original Message-----` and underscore rule, Gmail's and Thunderbird's
/// forwarded-message banners, Apple Mail's `Begin forwarded message:`.
/// The embedded `From:/Sent:/Subject:` block is recognised by [`starts_header_block`].
#[inline]
pub(super) fn is_forward_marker(line: &str) -> bool {
    // Asked of every line of a body: an empty line, or one starting with a printable
    // ASCII byte no marker starts with, is ruled out in place, before a call and a
    // `trim`.
    let may_be = line.as_bytes().first().is_some_and(|&b| !b.is_ascii_graphic() || may_start_forward_marker(b));
    may_be && reads_as_forward_marker(line)
}

/// The body of [`is_forward_marker`], for the lines their first byte did not rule out.
fn reads_as_forward_marker(line: &str) -> bool {
    const BANNERS: &[&str] =
        &["original message", "forwarded message", "ursprüngliche nachricht", "weitergeleitete nachricht", "message d'origine", "message transféré"];
    const INTRODUCERS: &[&str] = &["begin forwarded message:", "anfang der weitergeleiteten nachricht:"];
    let line = line.trim();
    match line.as_bytes().first() {
        Some(b'_') => line.len() >= 20 && line.bytes().all(|b| b == b'_'),
        Some(b'B' | b'b' | b'A' | b'a') => INTRODUCERS.iter().any(|introducer| line.eq_ignore_ascii_case(introducer)),
        // "-----Original Message-----", "---------- Forwarded message ---------"
        Some(b'-') => {
            let inner = line.trim_start_matches('-');
            let leading = line.len() - inner.len();
            let middle = inner.trim_end_matches('-');
            let trailing = inner.len() - middle.len();
            leading >= 2 && trailing >= 2 && BANNERS.contains(&middle.trim().to_lowercase().as_str())
        }
        // Every marker starts with one of those; the other lines are ruled out by
        // their first byte.
        _ => false,
    }
}

/// True for the bytes a forward marker can start with (after its indentation).
fn may_start_forward_marker(b: u8) -> bool {
    matches!(b, b'_' | b'B' | b'b' | b'A' | b'a' | b'-')
}

/// Field labels of an embedded header block, as Outlook, Apple Mail and Gmail write
/// them above a forwarded or replied-to message (English, German, French, Spanish).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum EmbeddedField {
    From,
    Date,
    Subject,
}

/// Reads a line such as `From: Jane`, `**From:** Jane`, `*Sent:* Monday` or
/// `Objet : Test` as a field of an embedded header block.
pub(super) fn embedded_field(line: &str) -> Option<EmbeddedField> {
    const FROM: &[&str] = &["from", "von", "de"];
    const DATE: &[&str] = &["sent", "date", "gesendet", "datum", "envoyé", "enviado", "fecha"];
    const SUBJECT: &[&str] = &["subject", "betreff", "objet", "asunto"];
    const MAX_LABEL_LEN: usize = 12;
    // Most lines of prose have no colon at all: one fast search says so.
    memchr::memchr(b':', line.as_bytes())?;
    let line = line.trim_start().trim_start_matches(['*', '_']);
    // The colon is looked for no further than a label can reach, so a long line of
    // prose costs no more than a short one.
    let colon = line.bytes().take(MAX_LABEL_LEN + 1).position(|b| b == b':')?;
    let label = line[..colon].trim_end_matches(['*', '_', ' ']).to_lowercase();
    let label = label.as_str();
    if FROM.contains(&label) {
        Some(EmbeddedField::From)
    } else if DATE.contains(&label) {
        Some(EmbeddedField::Date)
    } else if SUBJECT.contains(&label) {
        Some(EmbeddedField::Subject)
    } else {
        None
    }
}

/// How many lines after a `From:` line the rest of an embedded header block may
/// appear (From, Sent, To, Cc, Subject, and a wrapped address line or two).
pub(super) const EMBEDDED_BLOCK_LINES: usize = 6;

/// True when `lines` (a `From:` line and the lines after it) hold an embedded header
/// block: a `From:` field, then a `Sent:`/`Date:` and a `Subject:` field within
/// [`EMBEDDED_BLOCK_LINES`] lines.
#[inline]
pub(super) fn starts_header_block<'a>(mut lines: impl Iterator<Item = &'a str>) -> bool {
    // Asked at every line of a body: most are ruled out by their first byte in place,
    // before a call.
    lines.next().is_some_and(|first| may_start_from_label(first) && holds_header_block(first, lines))
}

/// The body of [`starts_header_block`], for a `first` line its first byte did not rule
/// out.
fn holds_header_block<'a>(first: &str, lines: impl Iterator<Item = &'a str>) -> bool {
    if embedded_field(first) != Some(EmbeddedField::From) {
        return false;
    }
    let (mut date, mut subject) = (false, false);
    for line in lines.take(EMBEDDED_BLOCK_LINES) {
        match embedded_field(line) {
            Some(EmbeddedField::Date) => date = true,
            Some(EmbeddedField::Subject) => subject = true,
            _ => {}
        }
    }
    date && subject
}

/// False when `line` is empty or its first byte rules out a `From:` label ("From",
/// "Von", "De", after optional `*` or `_` emphasis). Asked of every line of a body, so
/// most lines are ruled out without looking for a colon.
fn may_start_from_label(line: &str) -> bool {
    match line.as_bytes().first() {
        Some(&b) if b.is_ascii_graphic() => matches!(b.to_ascii_lowercase(), b'f' | b'v' | b'd' | b'*' | b'_'),
        Some(_) => true,
        None => false,
    }
}

/// Words that introduce the prefixed attribution forms ("On <date>, <name> wrote:",
/// "Am <date> schrieb <name>:", "Le <date>, <name> a écrit :").
const ATTRIBUTION_OPENERS: &[&str] = &["on ", "am ", "le ", "el ", "op ", "il "];

/// The verbs of an attribution line, in the languages of [`ATTRIBUTION_OPENERS`].
const ATTRIBUTION_VERBS: &[&str] = &["wrote", "writes", "schrieb", "a écrit", "escribió", "schreef", "ha scritto"];

/// True when `line` opens a prefixed attribution ("On ...", "Am ...").
pub(super) fn opens_attribution(line: &str) -> bool {
    let line = line.trim_start();
    ATTRIBUTION_OPENERS.iter().any(|opener| line.get(..opener.len()).is_some_and(|start| start.eq_ignore_ascii_case(opener)))
}

/// How an attribution candidate (one line, or a wrapped one joined) reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Attribution {
    /// Not an attribution.
    No,
    /// Ends with ':' and names the writing ("Jane wrote:"): an attribution only when
    /// a quoted block follows.
    BeforeQuote,
    /// A full "On <date>, <name> wrote:" form: an attribution wherever it stands.
    Standalone,
}

/// Classifies the (possibly joined) text of an attribution candidate.
pub(super) fn attribution(text: &str) -> Attribution {
    let text = text.trim();
    let Some(head) = text.strip_suffix(':') else {
        return Attribution::No;
    };
    let lower = head.to_lowercase();
    if !ATTRIBUTION_VERBS.iter().any(|verb| has_word(&lower, verb)) {
        return Attribution::No;
    }
    // A date makes the prefixed form unmistakable; "On Monday I wrote:" without a
    // quote after it is more likely a sentence.
    if opens_attribution(text) && text.bytes().any(|b| b.is_ascii_digit()) {
        Attribution::Standalone
    } else {
        Attribution::BeforeQuote
    }
}

/// True when `word` occurs in `text` with no letter or digit right before or after it.
fn has_word(text: &str, word: &str) -> bool {
    // The occurrences are found from the word's first byte with memchr and read left
    // to right without overlapping, as `match_indices` reads them: setting up its
    // substring search for each verb cost more than searching a line this short. A
    // first byte (ASCII or a lead byte) only ever matches at a char boundary.
    let mut next = 0;
    word.bytes().next().is_some_and(|first| {
        memchr::memchr_iter(first, text.as_bytes()).any(|at| {
            if at < next || !text.as_bytes()[at..].starts_with(word.as_bytes()) {
                return false;
            }
            next = at + word.len();
            let before = text[..at].chars().next_back();
            let after = text[next..].chars().next();
            !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
        })
    })
}

/// An open Markdown code fence: its character and length, so the closing fence can be
/// matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Fence {
    mark: u8,
    len: usize,
}

impl Fence {
    /// A line opening a fenced code block: up to three spaces, then three or more
    /// backticks or tildes (a backtick fence's info string has no backtick).
    pub fn open(line: &str) -> Option<Fence> {
        let (mark, len, rest) = fence_run(line)?;
        if mark == b'`' && rest.contains('`') {
            return None;
        }
        Some(Fence { mark, len })
    }

    /// True when `line` closes this fence: the same character, at least as many,
    /// nothing else on the line.
    pub fn is_closed_by(self, line: &str) -> bool {
        fence_run(line).is_some_and(|(mark, len, rest)| mark == self.mark && len >= self.len && rest.trim().is_empty())
    }
}

/// The run of fence characters at the start of `line`, its length and what follows.
fn fence_run(line: &str) -> Option<(u8, usize, &str)> {
    // Counted in bytes: asked of every line of a body, and a space is one byte.
    let indent = line.bytes().take_while(|&b| b == b' ').count();
    if indent > 3 {
        return None;
    }
    let trimmed = &line[indent..];
    let mark = *trimmed.as_bytes().first()?;
    if mark != b'`' && mark != b'~' {
        return None;
    }
    let len = trimmed.bytes().take_while(|&b| b == mark).count();
    (len >= 3).then(|| (mark, len, &trimmed[len..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quote_markers_at_any_depth() {
        assert!(is_quoted("> a") && is_quoted("  >> a") && is_quoted(">"));
        assert!(!is_quoted("a > b"));
        assert_eq!(strip_quote_markers("> > a"), "a");
        assert_eq!(strip_quote_markers(">>a"), "a");
        assert_eq!(strip_quote_markers(" >  a"), " a");
    }

    #[test]
    fn forward_markers() {
        for marker in [
            "-----Original Message-----",
            "-------- Original Message --------",
            "---------- Forwarded message ---------",
            "-------- Forwarded Message --------",
            "Begin forwarded message:",
            "________________________________",
            "  -----Ursprüngliche Nachricht-----  ",
        ] {
            assert!(is_forward_marker(marker), "{marker}");
        }
        for line in ["Original Message", "-- ", "______", "--- Original thoughts ---"] {
            assert!(!is_forward_marker(line), "{line}");
        }
    }

    #[test]
    fn embedded_header_blocks() {
        let block = |text: &str| starts_header_block(text.lines());
        assert!(block("From: A\nSent: Monday\nTo: B\nSubject: C"));
        assert!(block("**From:** A\n**Sent:** Monday\n**Subject:** C"));
        assert!(block("*From:* A\n*Date:* Monday\n*To:* B\n*Subject:* C"));
        assert!(block("De : A\nEnvoyé : lundi\nObjet : C"));
        assert!(block("From: A\nSubject: C\nDate: 6 March\nTo: B"));
        assert!(!block("From: A\nTo: B\nSubject: C"));
        assert!(!block("From now on: we ship on Mondays.\nDate: tbd\nSubject: x"));
    }

    #[test]
    fn attributions() {
        use Attribution::*;
        assert_eq!(attribution("On Mon, 9 Feb 2026 at 16:02, Kwame <k@x.org> wrote:"), Standalone);
        assert_eq!(attribution("Am 02.03.2026 um 10:00 schrieb Hans <h@x.de>:"), Standalone);
        assert_eq!(attribution("Le lun. 2 mars 2026 à 10:00, Jean <j@x.fr> a écrit :"), Standalone);
        assert_eq!(attribution("Jane Doe wrote:"), BeforeQuote);
        assert_eq!(attribution("jane@x.com> writes:"), BeforeQuote);
        assert_eq!(attribution("On Monday I wrote:"), BeforeQuote);
        assert_eq!(attribution("I wrote a plan."), No);
        assert_eq!(attribution("He rewrote:"), No);
        assert_eq!(attribution("Notes:"), No);
    }

    #[test]
    fn verbs_are_matched_as_whole_words() {
        assert!(has_word("he rewrote, then wrote", "wrote"));
        assert!(has_word("wrote", "wrote") && has_word("jean a écrit", "a écrit"));
        assert!(!has_word("wrotewrote", "wrote") && !has_word("écrit", "a écrit") && !has_word("", "wrote"));
    }

    #[test]
    fn fences() {
        let fence = Fence::open("```python");
        assert!(fence.is_some_and(|f| f.is_closed_by("```") && !f.is_closed_by("~~~")));
        assert!(Fence::open("   ~~~~").is_some_and(|f| !f.is_closed_by("~~~")));
        assert_eq!(Fence::open("``x`` inline"), None);
        assert_eq!(Fence::open("    ```"), None);
    }
}
