//! Byte scans eight bytes at a time (SWAR: one `u64` holds eight bytes of text).
//! Message parsing and text analysis both skip long runs of ASCII this way; the
//! tests that compare each scan with a byte-by-byte one live with the scans.

/// The eight bytes at `at` as a little-endian word, if there are eight.
pub(crate) fn eight_bytes(bytes: &[u8], at: usize) -> Option<u64> {
    bytes.get(at..)?.first_chunk::<8>().map(|chunk| u64::from_le_bytes(*chunk))
}

/// `byte` in each byte of a word.
pub(crate) const fn every_byte(byte: u8) -> u64 {
    u64::from_ne_bytes([byte; 8])
}

/// 0x80 in each byte of `chunk` that is one of `targets`, 0 in the others: exact, as
/// no carry crosses from one byte to the next.
pub(crate) fn bytes_equal_to_any<const N: usize>(chunk: u64, targets: [u8; N]) -> u64 {
    // A byte `y` is zero when neither `(y & 0x7F) + 0x7F` nor `y` has its top bit set.
    let low = every_byte(0x7F);
    let mut none_equal = u64::MAX;
    for target in targets {
        let y = chunk ^ every_byte(target);
        none_equal &= ((y & low) + low) | y;
    }
    !none_equal & every_byte(0x80)
}

/// The offset in its word of the first byte flagged in `flags` (0x80 in the flagged
/// bytes of a little-endian word, as [`bytes_equal_to_any`] gives them); 8 for none.
pub(crate) fn first_flagged(flags: u64) -> usize {
    flags.trailing_zeros() as usize / 8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_byte_value_at_every_place_is_flagged_exactly() {
        for place in 0..8 {
            for value in 0..=255u8 {
                let mut chunk = [b'x'; 8];
                chunk[place] = value;
                let flags = bytes_equal_to_any(u64::from_le_bytes(chunk), [b'.', 0xE2, 0]);
                let expected = if matches!(value, b'.' | 0xE2 | 0) { place } else { 8 };
                assert_eq!(first_flagged(flags), expected, "{value:#x} at {place}");
            }
        }
        assert_eq!(eight_bytes(b"abcdefgh!", 1), Some(u64::from_le_bytes(*b"bcdefgh!")));
        assert_eq!(eight_bytes(b"abcdefgh", 1), None);
        assert_eq!(eight_bytes(b"abc", 9), None);
    }
}
