//! Small pieces of wording shared by the front ends.

/// "1 rule", "2 rules", "0 rules": a count with its noun, plural unless it is one.
/// Every noun the front ends count takes a plain `s`.
pub fn counted(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn one_is_singular_and_every_other_count_plural() {
        assert_eq!(super::counted(1, "rule"), "1 rule");
        assert_eq!(super::counted(0, "pack"), "0 packs");
        assert_eq!(super::counted(2, "warning"), "2 warnings");
    }
}
