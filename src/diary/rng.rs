//! A small seeded pseudo-random number generator for the resampling in
//! [`compare`](mod@super::compare), so the same journal and seed always give the same
//! report, on every machine and with every build (no dependency on `rand`'s versioned
//! algorithms).
//!
//! The generator is **SplitMix64** (Steele, Lea and Flood, "Fast splittable pseudorandom
//! number generators", OOPSLA 2014; the constants are those of Sebastiano Vigna's
//! reference `splitmix64.c`): a 64-bit state advanced by the golden-ratio increment
//! `0x9E3779B97F4A7C15`, each output a bijective mix of the new state. It passes BigCrush,
//! has period 2^64, and is far more than good enough for bootstrap and permutation
//! resampling of a few hundred days. It is **not** cryptographic.
//!
//! Bounded integers use Lemire's multiply-and-reject method ("Fast random integer
//! generation in an interval", ACM TOMACS 2019), which is exactly uniform (no modulo
//! bias).

/// SplitMix64: see the module documentation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitMix64 {
    state: u64,
}

/// The golden-ratio increment of SplitMix64.
const GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

impl SplitMix64 {
    /// A generator whose first output is the mix of `seed + GAMMA` (as in the reference
    /// implementation, where the state is the seed).
    pub fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    /// An independent-looking stream for one purpose (`stream` numbers the purposes):
    /// the seed of the new generator is the mix of `seed` and `stream`, so streams with
    /// different numbers do not overlap in any practical sense and one purpose's draws
    /// never shift another's.
    pub fn stream(seed: u64, stream: u64) -> Self {
        let mut g = Self::new(seed ^ stream.wrapping_mul(0xD1B5_4A32_D192_ED03));
        let s = g.next_u64();
        Self::new(s)
    }

    /// The next 64 random bits.
    fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(GAMMA);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniform integer in `0..n` (Lemire's method; `n` must be at least 1, and 0 is
    /// returned for `n == 0` rather than panicking).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            return 0;
        }
        let mut m = u128::from(self.next_u64()) * u128::from(n);
        let mut low = m as u64;
        if low < n {
            // 2^64 mod n, computed without overflow.
            let threshold = n.wrapping_neg() % n;
            while low < threshold {
                m = u128::from(self.next_u64()) * u128::from(n);
                low = m as u64;
            }
        }
        (m >> 64) as u64
    }

    /// A uniform index in `0..n`.
    pub fn index(&mut self, n: usize) -> usize {
        self.below(n as u64) as usize
    }

    /// A uniform float in `[0, 1)` with 53 random bits.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_reference_splitmix64_outputs() {
        // Vigna's splitmix64.c seeded with 1234567 (also recomputed independently in
        // Python from the published algorithm).
        let mut g = SplitMix64::new(1_234_567);
        let got: Vec<u64> = (0..5).map(|_| g.next_u64()).collect();
        assert_eq!(
            got,
            [
                6_457_827_717_110_365_317,
                3_203_168_211_198_807_973,
                9_817_491_932_198_370_423,
                4_593_380_528_125_082_431,
                16_408_922_859_458_223_821,
            ]
        );
    }

    #[test]
    fn bounded_draws_are_in_range_and_roughly_uniform() {
        let mut g = SplitMix64::new(42);
        let mut counts = [0u32; 7];
        for _ in 0..70_000 {
            let i = g.index(7);
            counts[i] += 1;
        }
        // Each count is Binomial(70000, 1/7): mean 10000, sd ≈ 93; ±600 is > 6 sd.
        for c in counts {
            assert!((9_400..=10_600).contains(&c), "{counts:?}");
        }
        assert_eq!(g.below(0), 0);
        assert_eq!(g.below(1), 0);
        for _ in 0..1000 {
            let u = g.unit();
            assert!((0.0..1.0).contains(&u));
        }
    }

    #[test]
    fn streams_differ_and_repeat() {
        let a: Vec<u64> = {
            let mut g = SplitMix64::stream(7, 1);
            (0..4).map(|_| g.next_u64()).collect()
        };
        let b: Vec<u64> = {
            let mut g = SplitMix64::stream(7, 2);
            (0..4).map(|_| g.next_u64()).collect()
        };
        let a2: Vec<u64> = {
            let mut g = SplitMix64::stream(7, 1);
            (0..4).map(|_| g.next_u64()).collect()
        };
        assert_ne!(a, b);
        assert_eq!(a, a2);
    }
}
