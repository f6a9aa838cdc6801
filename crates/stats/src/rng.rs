//! A small seeded generator for randomisation draws: xoshiro256++ seeded by SplitMix64, with
//! Lemire's unbiased bounded integers. Each chunk of draws gets its own stream derived from
//! (seed, chunk), so results do not depend on the number of threads.

pub(crate) struct Rng {
    state: [u64; 4],
    /// Unused 16-bit pieces of the last output: small bounds (strata) need only 16 random bits.
    pieces: u64,
    pieces_left: u32,
}

fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Rng {
    pub fn for_stream(seed: u64, stream: u64) -> Rng {
        let mut stream_state = stream;
        let mut mix = seed ^ splitmix64(&mut stream_state);
        let state = [
            splitmix64(&mut mix),
            splitmix64(&mut mix),
            splitmix64(&mut mix),
            splitmix64(&mut mix),
        ];
        Rng {
            state,
            pieces: 0,
            pieces_left: 0,
        }
    }

    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        let s = &mut self.state;
        let result = s[0].wrapping_add(s[3]).rotate_left(23).wrapping_add(s[0]);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    #[inline]
    fn next_u16(&mut self) -> u32 {
        if self.pieces_left == 0 {
            self.pieces = self.next_u64();
            self.pieces_left = 4;
        }
        let piece = (self.pieces & 0xFFFF) as u32;
        self.pieces >>= 16;
        self.pieces_left -= 1;
        piece
    }

    /// Uniform integer in 0..bound (bound > 0), without modulo bias (Lemire 2019). Bounds up to
    /// 4096 use 16 random bits (rejection below 6.25%), larger ones 64.
    #[inline]
    pub fn below(&mut self, bound: u32) -> u32 {
        if bound <= 4096 {
            let mut product = self.next_u16() * bound;
            if (product & 0xFFFF) < bound {
                let threshold = (0x1_0000 - bound) % bound;
                while (product & 0xFFFF) < threshold {
                    product = self.next_u16() * bound;
                }
            }
            return product >> 16;
        }
        let bound = bound as u64;
        let mut product = (self.next_u64() as u128) * bound as u128;
        if (product as u64) < bound {
            let threshold = bound.wrapping_neg() % bound;
            while (product as u64) < threshold {
                product = (self.next_u64() as u128) * bound as u128;
            }
        }
        (product >> 64) as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_draws_are_uniform() {
        let mut rng = Rng::for_stream(7, 0);
        let mut counts = [0u32; 6];
        for _ in 0..60_000 {
            counts[rng.below(6) as usize] += 1;
        }
        // Each cell ~ Binomial(60000, 1/6): sd ≈ 91; 5 sd bounds.
        for count in counts {
            assert!((count as i64 - 10_000).abs() < 460, "{counts:?}");
        }
    }

    #[test]
    fn large_bounds_are_uniform_too() {
        let mut rng = Rng::for_stream(11, 0);
        let bound = 50_000;
        let mut halves = [0u32; 2];
        for _ in 0..40_000 {
            halves[(rng.below(bound) >= bound / 2) as usize] += 1;
        }
        // Binomial(40000, 1/2): sd = 100.
        assert!((halves[0] as i64 - 20_000).abs() < 500, "{halves:?}");
    }

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let first: Vec<u64> = (0..4).map(|_| Rng::for_stream(1, 2).next_u64()).collect();
        assert!(first.windows(2).all(|w| w[0] == w[1]));
        assert_ne!(
            Rng::for_stream(1, 2).next_u64(),
            Rng::for_stream(1, 3).next_u64()
        );
    }
}
