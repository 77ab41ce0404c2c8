//! The one tolerance module: every comparison in thermocheck states where its tolerance comes from.
//!
//! A tolerance is derived, never guessed. The rules are
//!
//! - **sampling**: $k\,\hat\sigma/\sqrt{N}$ for a Monte Carlo mean with sample standard deviation
//!   $\hat\sigma$ measured in the same run, $k$ stated (default [`DEFAULT_K`] = 5, a two-sided
//!   false-alarm probability of about $5.7\times10^{-7}$ for a Gaussian estimator);
//! - **error estimate**: a stated factor (normally [`ESTIMATE_FACTOR`] = 1) times a cross-checked
//!   error estimate of a deterministic method (n vs 2n nodes, tol vs tol/10), plus a rounding
//!   floor;
//! - **conditioning**: $c\,\varepsilon\,|x|$ for results that only round-off separates;
//! - **stated**: a bound the specification or issue states explicitly (e.g. "fitted order within
//!   0.2 of 1", "128 to 1e-10 relative"), with the reason quoted.

use serde::Serialize;
use std::fmt;

/// Default number of standard errors $k$ in the sampling rule $k\,\hat\sigma/\sqrt N$.
///
/// For a Gaussian estimator, $P(|Z| > 5) \approx 5.7\times10^{-7}$: with a few hundred stochastic
/// comparisons per `verify` run a false alarm is expected less than once in a thousand runs.
pub const DEFAULT_K: f64 = 5.0;

/// Factor on the cross-checked error estimate of a deterministic method: 1.
///
/// Both deterministic methods return the *finer* of two solutions and report their difference as
/// the estimate $e$, so $e$ measures the error of the *coarser* one:
///
/// - **ODE** ([`crate::ode::integrate`]): solves at tolerance `tol` and at `tol/10` with steps at
///   most half the first solve's largest, returns the second solution $y_f$ and reports
///   $e = |y_c - y_f|$. Dormand–Prince's global error scales about linearly with the tolerance
///   (and by $2^5$ with the step), so $\mathrm{err}(y_c) \gtrsim 10\,\mathrm{err}(y_f)$ and
///   $e \ge \mathrm{err}(y_c) - \mathrm{err}(y_f) \gtrsim 9\,\mathrm{err}(y_f)$ (measured 9–26 on
///   $y' = -y + \sin t$; the rare exceptions are in [`crate::ode::OdeOptions`]).
/// - **Quadrature** ([`crate::quad`]): integrates every piece with $n$ nodes and as two halves at a
///   tenfold tighter target ($2n$ nodes), returns $I_{2n}$ and reports
///   $\max(|I_n - I_{2n}|, \text{crate estimate})$. A double-exponential rule roughly doubles its
///   correct digits when the nodes double, so $|I_n - I_{2n}| \approx \mathrm{err}(I_n) \gg
///   \mathrm{err}(I_{2n})$.
///
/// A factor 1 on $e$ therefore already carries a margin of about 10 over the returned value's
/// error; a larger factor would only hide an estimate that has stopped bounding the error. The
/// rounding floor [`ROUNDING_ULPS`] covers an estimate of exactly 0 (both solutions equal to the
/// last bit).
pub const ESTIMATE_FACTOR: f64 = 1.0;

/// Rounding floor, in units of machine epsilon times the magnitude compared, added to
/// error-estimate tolerances so that a method whose estimate is exactly zero is not asked to beat
/// round-off.
pub const ROUNDING_ULPS: f64 = 64.0;

/// How a tolerance was derived.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "rule", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Rule {
    /// $k\,\hat\sigma/\sqrt{N}$.
    Sampling {
        /// Number of standard errors.
        k: f64,
        /// Sample standard deviation of the averaged quantity.
        sigma: f64,
        /// Number of independent samples.
        n: f64,
    },
    /// `factor` × `estimate` + [`ROUNDING_ULPS`]·ε·`scale`.
    ErrorEstimate {
        /// Safety factor applied to the estimate.
        factor: f64,
        /// The cross-checked error estimate of the method.
        estimate: f64,
        /// Magnitude of the compared values, for the rounding floor.
        scale: f64,
    },
    /// $c\,\varepsilon\,$`scale`.
    Conditioning {
        /// Number of machine epsilons.
        c: f64,
        /// Magnitude of the compared values.
        scale: f64,
    },
    /// A bound the specification or the issue states.
    Stated {
        /// Why this bound (quoted source).
        reason: String,
    },
    /// A bound derived in the check itself (a truncation or asymptotic remainder, a bias formula),
    /// with its derivation.
    Derived {
        /// The derivation, e.g. `finite-difference truncation |f(2h)−f(h)|/3`.
        reason: String,
    },
    /// The sum of independent allowances, e.g. sampling error plus a derived bias bound.
    Sum {
        /// The parts, each with its own derivation.
        parts: Vec<Tolerance>,
    },
}

/// An absolute tolerance together with its derivation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tolerance {
    /// The absolute bound on |observed − expected|.
    pub absolute: f64,
    /// How it was derived.
    #[serde(flatten)]
    pub rule: Rule,
}

impl Tolerance {
    /// $k\,\hat\sigma/\sqrt{N}$: the tolerance of a Monte Carlo mean of `n` samples whose sample
    /// standard deviation is `sigma`.
    pub fn sampling(k: f64, sigma: f64, n: usize) -> Self {
        let n = n as f64;
        Tolerance {
            absolute: k * sigma / n.sqrt(),
            rule: Rule::Sampling { k, sigma, n },
        }
    }

    /// $k\,\cdot$ `standard_error`, for an estimator whose standard error is already known
    /// (e.g. combined from two independent estimates as $\sqrt{s_1^2+s_2^2}$).
    pub fn standard_errors(k: f64, standard_error: f64) -> Self {
        Self::sampling(k, standard_error, 1)
    }

    /// $c\,|\hat e| + u\,\varepsilon\,|s|$: `factor` $= c$ times the method's error estimate
    /// `estimate` $= \hat e$, plus a rounding floor with $u$ = [`ROUNDING_ULPS`], $\varepsilon$ the
    /// machine epsilon and $s$ = `scale`.
    pub fn error_estimate(factor: f64, estimate: f64, scale: f64) -> Self {
        let scale = scale.abs();
        Tolerance {
            absolute: factor * estimate.abs() + ROUNDING_ULPS * f64::EPSILON * scale,
            rule: Rule::ErrorEstimate {
                factor,
                estimate: estimate.abs(),
                scale,
            },
        }
    }

    /// $c\,\varepsilon\,|$`scale`$|$: two computations that differ only by round-off.
    pub fn conditioning(c: f64, scale: f64) -> Self {
        Tolerance {
            absolute: c * f64::EPSILON * scale.abs(),
            rule: Rule::Conditioning {
                c,
                scale: scale.abs(),
            },
        }
    }

    /// A relative bound $r\,|s|$ (`relative` $= r$, `scale` $= s$) that the spec or issue states,
    /// with the reason.
    pub fn stated_relative(relative: f64, scale: f64, reason: &str) -> Self {
        Tolerance {
            absolute: relative * scale.abs(),
            rule: Rule::Stated {
                reason: reason.to_owned(),
            },
        }
    }

    /// An absolute bound the spec or issue states, with the reason.
    pub fn stated_absolute(absolute: f64, reason: &str) -> Self {
        Tolerance {
            absolute,
            rule: Rule::Stated {
                reason: reason.to_owned(),
            },
        }
    }

    /// A bound derived in the check itself (not quoted from the spec), with its derivation in
    /// words, e.g. the truncation error of a finite difference or the size of a neglected
    /// asymptotic term.
    pub fn derived(absolute: f64, reason: &str) -> Self {
        Tolerance {
            absolute: absolute.abs(),
            rule: Rule::Derived {
                reason: reason.to_owned(),
            },
        }
    }

    /// This tolerance plus `other`: independent error sources add (a conservative bound, not a
    /// root-sum-square), and each keeps its derivation.
    pub fn plus(self, other: Tolerance) -> Self {
        let absolute = self.absolute + other.absolute;
        let mut parts = Vec::new();
        for t in [self, other] {
            match t.rule {
                Rule::Sum { parts: inner } => parts.extend(inner),
                _ => parts.push(t),
            }
        }
        Tolerance {
            absolute,
            rule: Rule::Sum { parts },
        }
    }

    /// Whether the tolerance has a sampling part, i.e. the check is stochastic and its pass rate
    /// over seeds is meaningful (`verify --full` sweeps such claims).
    pub fn is_sampling(&self) -> bool {
        match &self.rule {
            Rule::Sampling { .. } => true,
            Rule::Sum { parts } => parts.iter().any(Tolerance::is_sampling),
            _ => false,
        }
    }

    /// Panics with what was compared, both values, the error and this tolerance (with its
    /// derivation) unless `observed` lies within it: the one assertion helper of the tests.
    ///
    /// # Panics
    /// If the tolerance does not accept `observed`.
    #[track_caller]
    pub fn assert_accepts(&self, what: &str, expected: f64, observed: f64) {
        assert!(
            self.accepts(expected, observed),
            "{what}: expected {expected:e}, observed {observed:e}, |err| {:.2e} > tol {self}",
            (observed - expected).abs()
        );
    }

    /// Whether `observed` lies within this tolerance of `expected`. NaN never passes.
    pub fn accepts(&self, expected: f64, observed: f64) -> bool {
        (observed - expected).abs() <= self.absolute
    }
}

impl fmt::Display for Tolerance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.rule {
            Rule::Sampling { k, sigma, n } if *n == 1.0 => {
                write!(f, "{:.2e} ({k}·SE, SE={sigma:.2e})", self.absolute)
            }
            Rule::Sampling { k, sigma, n } => {
                write!(f, "{:.2e} ({k}·σ̂/√N, σ̂={sigma:.2e}, N={n})", self.absolute)
            }
            Rule::ErrorEstimate {
                factor, estimate, ..
            } => write!(
                f,
                "{:.2e} ({factor}·est {estimate:.1e} + round-off)",
                self.absolute
            ),
            Rule::Conditioning { c, .. } => write!(f, "{:.2e} ({c}·ε·|x|)", self.absolute),
            Rule::Stated { reason } => write!(f, "{:.2e} ({reason})", self.absolute),
            Rule::Derived { reason } => write!(f, "{:.2e} (derived: {reason})", self.absolute),
            Rule::Sum { parts } => {
                write!(f, "{:.2e} = ", self.absolute)?;
                for (i, part) in parts.iter().enumerate() {
                    if i > 0 {
                        write!(f, " + ")?;
                    }
                    write!(f, "{part}")?;
                }
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sampling_rule_is_k_sigma_over_root_n() {
        let t = Tolerance::sampling(5.0, 2.0, 400);
        assert_eq!(t.absolute, 0.5);
        assert!(t.accepts(1.0, 1.5));
        assert!(!t.accepts(1.0, 1.5000001));
    }

    #[test]
    fn nan_is_never_accepted() {
        let t = Tolerance::stated_absolute(f64::INFINITY, "test");
        assert!(!t.accepts(1.0, f64::NAN));
        assert!(!t.accepts(f64::NAN, 1.0));
    }

    #[test]
    fn error_estimate_has_rounding_floor() {
        let t = Tolerance::error_estimate(ESTIMATE_FACTOR, 0.0, 128.0);
        assert_eq!(t.absolute, ROUNDING_ULPS * f64::EPSILON * 128.0);
    }

    #[test]
    fn sums_add_and_keep_each_derivation() {
        let t = Tolerance::sampling(5.0, 2.0, 100)
            .plus(Tolerance::derived(0.25, "bias bound"))
            .plus(Tolerance::error_estimate(1.0, 0.125, 0.0));
        assert_eq!(t.absolute, 1.0 + 0.25 + 0.125);
        let Rule::Sum { parts } = &t.rule else {
            panic!("not a sum: {t}")
        };
        assert_eq!(parts.len(), 3, "nested sums flatten");
        let text = t.to_string();
        assert!(
            text.contains("σ̂/√N") && text.contains("derived: bias bound"),
            "{text}"
        );
        assert!(t.accepts(0.0, 1.375) && !t.accepts(0.0, 1.376));
        assert!(t.is_sampling() && !Tolerance::derived(1.0, "x").is_sampling());
        let json = serde_json::to_string(&t).unwrap();
        assert!(json.contains("\"rule\":\"sum\""), "{json}");
    }
}
