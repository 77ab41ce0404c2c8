//! Streaming statistics: Welford mean and variance, standard errors, fitted convergence orders.
//!
//! The tolerance rule $k\hat\sigma/\sqrt N$ built from these lives in [`crate::tolerance`].

use crate::tolerance::Tolerance;
use rayon::prelude::*;
use serde::Serialize;

/// Running mean and variance by Welford's update, mergeable by Chan's pairwise formula.
///
/// Numerically stable for long streams with a large mean (no $\sum x^2 - n\bar x^2$ cancellation).
/// Merging in a fixed order gives bit-identical results regardless of how the partial sums were
/// scheduled across threads.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Welford {
    n: u64,
    mean: f64,
    m2: f64,
}

impl Welford {
    /// An empty accumulator.
    pub fn new() -> Self {
        Self::default()
    }

    /// Accumulates every value of a slice.
    pub fn from_slice(values: &[f64]) -> Self {
        let mut w = Self::new();
        values.iter().for_each(|&x| w.push(x));
        w
    }

    /// Adds one observation.
    #[inline]
    pub fn push(&mut self, x: f64) {
        self.n += 1;
        let delta = x - self.mean;
        self.mean += delta / self.n as f64;
        self.m2 += delta * (x - self.mean);
    }

    /// Combines two accumulators (Chan, Golub & LeVeque 1979).
    pub fn merge(&self, other: &Welford) -> Welford {
        if other.n == 0 {
            return *self;
        }
        if self.n == 0 {
            return *other;
        }
        let n = self.n + other.n;
        let (na, nb, nn) = (self.n as f64, other.n as f64, n as f64);
        let delta = other.mean - self.mean;
        Welford {
            n,
            mean: self.mean + delta * nb / nn,
            m2: self.m2 + other.m2 + delta * delta * na * nb / nn,
        }
    }

    /// Number of observations.
    pub fn count(&self) -> u64 {
        self.n
    }

    /// Sample mean (NaN when empty).
    pub fn mean(&self) -> f64 {
        if self.n == 0 { f64::NAN } else { self.mean }
    }

    /// Unbiased sample variance $\frac{1}{n-1}\sum (x_i-\bar x)^2$ (NaN for fewer than 2 values).
    pub fn variance(&self) -> f64 {
        if self.n < 2 {
            f64::NAN
        } else {
            self.m2 / (self.n - 1) as f64
        }
    }

    /// Population variance $\frac1n\sum (x_i-\bar x)^2$ (the ensemble's own second central moment).
    pub fn population_variance(&self) -> f64 {
        if self.n == 0 {
            f64::NAN
        } else {
            self.m2 / self.n as f64
        }
    }

    /// Sample standard deviation $\hat\sigma$.
    pub fn std_dev(&self) -> f64 {
        self.variance().sqrt()
    }

    /// Standard error of the mean, $\hat\sigma/\sqrt n$.
    pub fn standard_error(&self) -> f64 {
        self.std_dev() / (self.n as f64).sqrt()
    }

    /// The sampling tolerance $k\hat\sigma/\sqrt n$ for this mean.
    pub fn tolerance(&self, k: f64) -> Tolerance {
        Tolerance::sampling(k, self.std_dev(), self.n as usize)
    }
}

impl Welford {
    /// Merges partial accumulators left to right: the fixed order that makes parallel
    /// reductions bit-identical for any thread count.
    pub fn merge_in_order(parts: &[Welford]) -> Welford {
        parts.iter().fold(Welford::new(), |acc, w| acc.merge(w))
    }
}

/// Count, mean and variance of $f(v_i)$ over a slice, in parallel over fixed chunks of
/// `chunk_len` values merged in chunk order: the result does not depend on the thread count.
///
/// # Panics
/// If `chunk_len` is 0 (a programmer error).
#[track_caller]
pub fn par_welford(values: &[f64], chunk_len: usize, f: impl Fn(f64) -> f64 + Sync) -> Welford {
    assert!(chunk_len > 0, "par_welford: chunk_len must be positive");
    let parts: Vec<Welford> = values
        .par_chunks(chunk_len)
        .map(|xs| {
            let mut w = Welford::new();
            xs.iter().for_each(|&x| w.push(f(x)));
            w
        })
        .collect();
    Welford::merge_in_order(&parts)
}

impl Extend<f64> for Welford {
    fn extend<I: IntoIterator<Item = f64>>(&mut self, iter: I) {
        iter.into_iter().for_each(|x| self.push(x));
    }
}

/// Least-squares slope of $\ln y$ against $\ln x$: the fitted order $p$ in $y \approx C x^p$.
///
/// Returns NaN if fewer than two points, or any $x_i, y_i \le 0$.
///
/// # Panics
/// If `xs` and `ys` differ in length (a programmer error).
#[track_caller]
pub fn log_log_slope(xs: &[f64], ys: &[f64]) -> f64 {
    assert_eq!(
        xs.len(),
        ys.len(),
        "log_log_slope: xs and ys differ in length"
    );
    if xs.len() < 2 || xs.iter().chain(ys).any(|&v| v.is_nan() || v <= 0.0) {
        return f64::NAN;
    }
    let lx: Vec<f64> = xs.iter().map(|x| x.ln()).collect();
    let ly: Vec<f64> = ys.iter().map(|y| y.ln()).collect();
    let n = lx.len() as f64;
    let mx = lx.iter().sum::<f64>() / n;
    let my = ly.iter().sum::<f64>() / n;
    let sxy: f64 = lx.iter().zip(&ly).map(|(x, y)| (x - mx) * (y - my)).sum();
    let sxx: f64 = lx.iter().map(|x| (x - mx) * (x - mx)).sum();
    sxy / sxx
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn welford_matches_two_pass_on_a_shifted_sequence() {
        // Offset 1e9 with spread ~2: the naive Σx² − n·x̄² formula has relative error
        // ~ε·(x̄/σ)² ≈ 55 (no digits left), Welford's ~ε·x̄/σ ≈ 1e-7 (Chan, Golub & LeVeque 1983).
        // The two-pass reference is accurate to ~ε here because the deviations are computed from
        // exactly representable integers.
        let xs: Vec<f64> = (0..1000).map(|i| 1e9 + (i % 7) as f64).collect();
        let w = Welford::from_slice(&xs);
        let mean = xs.iter().sum::<f64>() / 1000.0;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / 999.0;
        let kappa = mean / var.sqrt();
        assert_relative_eq!(w.mean(), mean, max_relative = 4.0 * f64::EPSILON);
        assert_relative_eq!(
            w.variance(),
            var,
            max_relative = 10.0 * f64::EPSILON * kappa
        );
        let naive = (xs.iter().map(|x| x * x).sum::<f64>() - 1000.0 * mean * mean) / 999.0;
        assert!((naive - var).abs() > 10.0 * f64::EPSILON * kappa * var);
    }

    #[test]
    fn merge_equals_single_stream() {
        let xs: Vec<f64> = (0..101).map(|i| ((i * 37) % 101) as f64 * 0.1).collect();
        let whole = Welford::from_slice(&xs);
        let merged = Welford::from_slice(&xs[..40]).merge(&Welford::from_slice(&xs[40..]));
        assert_eq!(whole.count(), merged.count());
        assert_relative_eq!(whole.mean(), merged.mean(), max_relative = 1e-14);
        assert_relative_eq!(whole.variance(), merged.variance(), max_relative = 1e-13);
        assert_eq!(Welford::new().merge(&whole), whole);
    }

    #[test]
    fn empty_and_single_are_nan_not_panic() {
        assert!(Welford::new().mean().is_nan());
        assert!(Welford::from_slice(&[1.0]).variance().is_nan());
    }

    #[test]
    fn slope_recovers_exact_power_law() {
        let xs = [0.1, 0.05, 0.025, 0.0125];
        let ys: Vec<f64> = xs.iter().map(|x: &f64| 3.0 * x.powf(1.5)).collect();
        assert_relative_eq!(log_log_slope(&xs, &ys), 1.5, max_relative = 1e-12);
        assert!(log_log_slope(&xs, &[1.0, 0.0, 1.0, 1.0]).is_nan());
    }
}
