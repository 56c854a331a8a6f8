//! The parts of a masked text that hold its checked words.
//!
//! Most of a masked message is blank: its header, the quoted thread, the signature.
//! Sentences, paragraphs and words never run across a blank line, so the text between
//! two checked regions that holds one need not be read at all: each stretch on either
//! side is read on its own, with the same result as reading the whole text.

use std::ops::Range;

use super::sentences;

/// Ranges of a masked text, in order, outside of which it is blank.
#[derive(Debug, Clone, Default)]
pub struct Stretches(Vec<Range<usize>>);

impl Stretches {
    /// The stretches of `masked` covering the `checked` ranges (in order, not
    /// overlapping; anything past the end of `masked` is left out). Two neighbours
    /// stay one stretch unless a whole line lies between them, which is blank: a
    /// sentence may go on over a blanked link, never over a blanked quote.
    pub fn new(masked: &str, checked: impl IntoIterator<Item = Range<usize>>) -> Stretches {
        let len = masked.len();
        let mut out: Vec<Range<usize>> = Vec::new();
        for range in checked {
            let range = range.start.min(len)..range.end.min(len);
            if range.is_empty() {
                continue;
            }
            match out.last_mut() {
                Some(last) if memchr::memchr_iter(b'\n', &masked.as_bytes()[last.end..range.start]).nth(1).is_none() => last.end = range.end,
                _ => out.push(range),
            }
        }
        Stretches(out)
    }

    /// [`sentences`] of the text, read stretch by stretch.
    pub fn sentences(&self, masked: &str) -> Vec<Range<usize>> {
        self.each(masked, sentences)
    }

    /// How many bytes the stretches hold.
    pub fn byte_len(&self) -> usize {
        self.0.iter().map(ExactSizeIterator::len).sum()
    }

    fn each(&self, masked: &str, read: fn(&str) -> Vec<Range<usize>>) -> Vec<Range<usize>> {
        let mut out = Vec::new();
        for stretch in &self.0 {
            out.extend(read(&masked[stretch.clone()]).into_iter().map(|found| stretch.start + found.start..stretch.start + found.end));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A masked text and its checked ranges from a picture: `#` marks blanked bytes
    /// (masked as spaces); line breaks are left out of the checked ranges, as they
    /// are in the worst case; everything else is checked.
    fn masked(picture: &str) -> (String, Vec<Range<usize>>) {
        let mut checked: Vec<Range<usize>> = Vec::new();
        for (at, byte) in picture.bytes().enumerate() {
            if byte != b'#' && byte != b'\n' {
                match checked.last_mut() {
                    Some(last) if last.end == at => last.end = at + 1,
                    _ => checked.push(at..at + 1),
                }
            }
        }
        (picture.replace('#', " "), checked)
    }

    fn same_as_whole(picture: &str) -> Stretches {
        let (text, checked) = masked(picture);
        let stretches = Stretches::new(&text, checked);
        assert_eq!(stretches.sentences(&text), sentences(&text), "{picture:?}");
        stretches
    }

    #[test]
    fn a_blank_line_between_checked_parts_splits_them() {
        let stretches = same_as_whole("Subject: Hi there\n#######\n\nFirst line\n####\n\n####\nafter the quote. More\n\n###\n####");
        assert_eq!(stretches.0.len(), 3, "{stretches:?}");
    }

    #[test]
    fn a_blanked_link_inside_a_sentence_keeps_it_whole() {
        let stretches = same_as_whole("See ##### for the details.\nAnd ####\nmore text without a stop\n");
        assert_eq!(stretches.0.len(), 1, "{stretches:?}");
    }

    #[test]
    fn every_edge_reads_as_the_whole_text() {
        for picture in [
            "",
            "####",
            "#### \n\n ####",
            "text at the end without a stop\n\n####",
            "\"Quoted.\"\n####\n\nNext.",
            "Dr.\n###\n\nSmith",
            "1.\n##\n\n- item\n- item",
            "don'\n#\n\nt stop",
            "WORDS IN CAPITALS\r\n####\r\n\r\nand CRLF lines\r\n",
            "naïve café\n##\n\n日本語のテキスト。\n",
        ] {
            same_as_whole(picture);
        }
    }

    #[test]
    fn ranges_past_the_end_are_cut_to_it() {
        let stretches = Stretches::new("short", [0..3, 4..40, 50..60]);
        assert_eq!(stretches.0, vec![0..5]);
    }
}
