//! Compensated floating-point summation: error-free TwoSum and Neumaier's running sum.
//!
//! Plain recursive summation of $m$ terms has error up to $(m-1)\varepsilon\sum|x_i|$;
//! [`CompensatedSum`] (Neumaier's variant of Kahan summation) carries the exact rounding error
//! of every addition in a second accumulator, so its error is
//! $\le 2\varepsilon\,|\textstyle\sum x_i| + O(m\varepsilon^2)\sum|x_i|$ — the sum is correct to
//! a few ulps unless the cancellation $\sum|x_i| / |\sum x_i|$ exceeds about $1/\varepsilon$
//! (Higham, *Accuracy and Stability of Numerical Algorithms*, §4.3).

/// Knuth's TwoSum: $s = \mathrm{fl}(a + b)$ and the exact rounding error $e$, so that
/// $a + b = s + e$ exactly (round-to-nearest, no overflow).
pub fn two_sum(a: f64, b: f64) -> (f64, f64) {
    let s = a + b;
    let bb = s - a;
    let e = (a - (s - bb)) + (b - bb);
    (s, e)
}

/// Neumaier's compensated running sum.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct CompensatedSum {
    sum: f64,
    compensation: f64,
}

impl CompensatedSum {
    /// The empty sum.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `x`, accumulating the exact rounding error of the addition.
    pub fn add(&mut self, x: f64) {
        let (s, e) = two_sum(self.sum, x);
        self.sum = s;
        self.compensation += e;
    }

    /// The compensated value $\mathrm{fl}(s + c)$.
    pub fn value(&self) -> f64 {
        self.sum + self.compensation
    }

    /// The unrounded pair (leading part, correction): a double-double value whose sum is the
    /// total to about $\varepsilon^2\sum|x_i|$.
    pub fn parts(&self) -> (f64, f64) {
        (self.sum, self.compensation)
    }
}

impl FromIterator<f64> for CompensatedSum {
    fn from_iter<I: IntoIterator<Item = f64>>(iter: I) -> Self {
        let mut s = CompensatedSum::new();
        for x in iter {
            s.add(x);
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_sum_is_error_free() {
        // 1 + 2^-60 is not representable: the error term holds the lost 2^-60 exactly.
        let (s, e) = two_sum(1.0, 2f64.powi(-60));
        assert_eq!((s, e), (1.0, 2f64.powi(-60)));
        let (s, e) = two_sum(0.1, 0.2);
        // 0.1 + 0.2 = 0.30000000000000004 with error −2.7755575615628914e-17 (exact binary
        // arithmetic: 0.1 = 3602879701896397·2^-55, 0.2 = twice that; their sum needs 54 bits).
        assert_eq!(s, 0.300_000_000_000_000_04);
        assert_eq!(e, -2.775_557_561_562_891_4e-17);
    }

    #[test]
    fn compensated_sum_survives_cancellation_plain_sum_does_not() {
        // 1e16 + 1 − 1e16 + 1 = 2 exactly; plain left-to-right summation gives 0 or 2 depending
        // on rounding of 1e16 + 1 (it rounds to 1e16, so plain gives 1).
        let xs = [1e16, 1.0, -1e16, 1.0];
        let plain: f64 = xs.iter().sum();
        let comp: CompensatedSum = xs.iter().copied().collect();
        assert_eq!(comp.value(), 2.0);
        assert_ne!(plain, 2.0);
        // Many tiny terms after a big one: Σ = 1 + 10⁶·1e-17 = 1 + 1e-11.
        let mut s = CompensatedSum::new();
        s.add(1.0);
        for _ in 0..1_000_000 {
            s.add(1e-17);
        }
        assert!((s.value() - (1.0 + 1e-11)).abs() <= f64::EPSILON);
    }
}
