//! A small deterministic random number generator for unit tests that try many generated
//! inputs: the same numbers on every run and platform, without a dependency for a few
//! numbers (Knuth's MMIX linear congruential generator, high bits taken).

/// The generator; its state is the seed.
pub(crate) struct Lcg(pub(crate) u64);

impl Lcg {
    /// The next number below `n` (`n` > 0).
    pub(crate) fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) as usize % n
    }
}
