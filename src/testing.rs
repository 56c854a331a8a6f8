//! What the unit tests share.

use std::ops::Range;

/// Numbers from a fixed sequence (a linear congruential generator): generated test
/// inputs, the same on every run.
pub(crate) struct Seeded(u64);

impl Default for Seeded {
    fn default() -> Seeded {
        Seeded(0x2545_f491_4f6c_dd1d)
    }
}

impl Seeded {
    /// The next number in `range` (not empty).
    pub fn within(&mut self, range: Range<usize>) -> usize {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        range.start + (self.0 >> 33) as usize % range.len()
    }

    /// Some of `pieces`, each drawn in turn, as many as a number drawn from `count`.
    pub fn draw<'a, T: ?Sized>(&mut self, pieces: &[&'a T], count: Range<usize>) -> Vec<&'a T> {
        let drawn = self.within(count);
        (0..drawn).map(|_| pieces[self.within(0..pieces.len())]).collect()
    }
}
