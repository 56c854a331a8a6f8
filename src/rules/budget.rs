//! How much one load may compile. Counts per pack and per rule keep a pack readable, but
//! only a total bounds the time and memory compiling takes: 2,000 rules of 200 small
//! patterns each fit every count and still took a minute and gigabytes. So the packs one
//! load reads (a config's packs and everything they extend) share one budget, charged
//! from the files as written (match expressions, list entries, regexes, phrases,
//! guards, vocabulary), before anything in them is compiled. Each regex is also capped
//! once compiled ([`super::matcher::REGEX_SIZE_LIMIT`]).

use toml::Spanned;

use super::spec::PackFile;

/// Expressions, list entries, regexes and phrases (guards and vocabulary included)
/// compiled in one load, all packs together: the built-in default pack has about 1,000.
pub const MAX_PATTERNS: usize = 10_000;
/// Their total length as written, in bytes: the default pack's are about 160 KB.
pub const MAX_PATTERN_BYTES: usize = 1 << 20;

/// What a load has compiled so far.
#[derive(Debug, Clone, Copy, Default, serde::Serialize, serde::Deserialize)]
pub struct Budget {
    patterns: usize,
    bytes: usize,
}

impl Budget {
    /// Charges every phrase and pattern of `files`, or says which limit they pass.
    pub(super) fn charge<'a>(&mut self, files: impl IntoIterator<Item = &'a PackFile>) -> Result<(), String> {
        let mut cost = Budget::default();
        for pattern in files.into_iter().flat_map(patterns_of) {
            cost.patterns += 1;
            cost.bytes += pattern.get_ref().len();
        }
        self.add(cost)
    }

    /// Charges what another load spent (a pack compiled when tactful was built).
    pub(super) fn add(&mut self, cost: Budget) -> Result<(), String> {
        let (patterns, bytes) = (self.patterns + cost.patterns, self.bytes + cost.bytes);
        let over = if patterns > MAX_PATTERNS {
            format!("{patterns} phrases and patterns; at most {MAX_PATTERNS} are compiled")
        } else if bytes > MAX_PATTERN_BYTES {
            format!("{bytes} bytes of phrases and patterns; at most {MAX_PATTERN_BYTES} are compiled")
        } else {
            (self.patterns, self.bytes) = (patterns, bytes);
            return Ok(());
        };
        Err(format!(
            "the packs loaded together have {over} (guards and vocabulary included), a limit that keeps the time and memory compiling takes bounded"
        ))
    }
}

/// Everything in a file that is compiled to a regex.
fn patterns_of(file: &PackFile) -> impl Iterator<Item = &Spanned<String>> {
    let rules = file.rules.iter().flat_map(|rule| {
        [
            &rule.phrases,
            &rule.patterns,
            &rule.unless,
            &rule.requires,
            &rule.unless_before,
            &rule.requires_before,
            &rule.unless_after,
            &rule.requires_after,
        ]
        .into_iter()
        .flatten()
    });
    let vocabulary = file.vocabulary.iter().flat_map(|words| {
        let flagged = words.flag.iter().flat_map(|entry| entry.get_ref().phrases.iter().chain(&entry.get_ref().unless));
        words.allow.iter().chain(flagged)
    });
    rules.chain(vocabulary)
}
