//! The losses of the temperature paper (spec T2): MSE, MAE, binary and softmax cross entropy.
//!
//! Conventions (fixed by the spec and the `eval` contract):
//!
//! - MSE is $\ell = (y-\hat y)^2$, **without** a factor ½;
//! - MAE is $\ell = |y-\hat y|$;
//! - binary cross entropy takes labels $y\in\{\pm1\}$: $\ell = \operatorname{softplus}(-y\hat y)$;
//! - softmax cross entropy over $K$ classes with logits $z$: $\ell = \operatorname{logsumexp}(z) - z_y$.
//!
//! The scalar losses implement their first and second derivative in $\hat y$, the ingredients of
//! the virial (T8) and Stein (T9) forms of the temperature. Every elementary function is written
//! stably: $\operatorname{softplus}(z) = \max(z,0) + \ln(1+e^{-|z|})$ never overflows and keeps full
//! relative accuracy in the tail $z \to -\infty$.

use std::fmt;
use std::str::FromStr;
use thermocheck_numerics::error::{Error, Result};

pub use crate::logistic::{sigmoid, sigmoid_slope, softplus};

/// $\operatorname{logsumexp}(z) = \ln\sum_k e^{z_k}$, shifted by $\max_k z_k$ so that it neither
/// overflows nor loses the small terms. Returns $-\infty$ for an empty slice.
pub fn logsumexp(z: &[f64]) -> f64 {
    let m = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if !m.is_finite() {
        return m;
    }
    m + z.iter().map(|&v| (v - m).exp()).sum::<f64>().ln()
}

/// The softmax $p_k = e^{z_k}/\sum_j e^{z_j}$ (shifted by the maximum; never overflows).
pub fn softmax(z: &[f64]) -> Vec<f64> {
    let m = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let e: Vec<f64> = z.iter().map(|&v| (v - m).exp()).collect();
    let s: f64 = e.iter().sum();
    e.into_iter().map(|v| v / s).collect()
}

/// Softmax cross entropy $\ell(z, y) = \operatorname{logsumexp}(z) - z_y$ (spec T2).
///
/// # Panics
/// If `label >= z.len()` (a programmer error: the label indexes the logits).
#[track_caller]
pub fn softmax_cross_entropy(z: &[f64], label: usize) -> f64 {
    logsumexp(z) - z[label]
}

/// The trace of the Hessian of softmax cross entropy in the logits: $1 - \lVert p\rVert^2$ with
/// $p = \operatorname{softmax}(z)$ (spec T20). It does not depend on the label.
pub fn softmax_hessian_trace(z: &[f64]) -> f64 {
    let p = softmax(z);
    // 1 − Σp² = Σ_k p_k (1 − p_k): a sum of non-negative terms, no cancellation when one p ≈ 1.
    p.iter()
        .map(|&pk| {
            let rest: f64 = 1.0 - pk;
            pk * rest
        })
        .sum()
}

/// A scalar loss $\ell(y, \hat y)$ of the linear model (spec T2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Loss {
    /// Mean squared error $(y-\hat y)^2$ (no factor ½).
    Mse,
    /// Mean absolute error $|y-\hat y|$.
    Mae,
    /// Binary cross entropy $\operatorname{softplus}(-y\hat y)$ with labels $y = \pm1$.
    CrossEntropy,
}

impl Loss {
    /// The names `eval` accepts: `mse`, `mae`, `ce`.
    pub const NAMES: &'static [&'static str] = &["mse", "mae", "ce"];

    /// The loss $\ell(y, \hat y)$: $(y - \hat y)^2$ (MSE, no factor $\tfrac12$),
    /// $|y - \hat y|$ (MAE) or $\operatorname{softplus}(-y\hat y)$ (CE, $y = \pm1$); spec T2.
    pub fn value(self, y: f64, y_hat: f64) -> f64 {
        match self {
            Loss::Mse => (y - y_hat) * (y - y_hat),
            Loss::Mae => (y - y_hat).abs(),
            Loss::CrossEntropy => softplus(-y * y_hat),
        }
    }

    /// $\partial_{\hat y}\ell(y, \hat y)$; for MAE the subgradient $\operatorname{sign}(\hat y - y)$
    /// (0 at the kink, a null set under any continuous init).
    pub fn derivative(self, y: f64, y_hat: f64) -> f64 {
        match self {
            Loss::Mse => 2.0 * (y_hat - y),
            Loss::Mae => {
                let d = y_hat - y;
                if d > 0.0 {
                    1.0
                } else if d < 0.0 {
                    -1.0
                } else {
                    0.0
                }
            }
            // ∂/∂ŷ softplus(−yŷ) = −y sig(−yŷ).
            Loss::CrossEntropy => -y * sigmoid(-y * y_hat),
        }
    }

    /// $\partial^2_{\hat y}\ell$ away from kinks: 2 (MSE), 0 (MAE; its distributional part
    /// $2\delta(y-\hat y)$ is handled by the callers, spec T9), $y^2\operatorname{sig}'(y\hat y)$
    /// (cross entropy).
    pub fn second_derivative(self, y: f64, y_hat: f64) -> f64 {
        match self {
            Loss::Mse => 2.0,
            Loss::Mae => 0.0,
            Loss::CrossEntropy => y * y * sigmoid_slope(y * y_hat),
        }
    }

    /// The `eval` name of the loss.
    pub fn name(self) -> &'static str {
        match self {
            Loss::Mse => "mse",
            Loss::Mae => "mae",
            Loss::CrossEntropy => "ce",
        }
    }
}

impl fmt::Display for Loss {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Loss {
    type Err = Error;

    /// Parses `mse`, `mae` or `ce`.
    ///
    /// # Errors
    /// [`Error::Unknown`] of kind `loss` for any other text, listing the known names.
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "mse" => Ok(Loss::Mse),
            "mae" => Ok(Loss::Mae),
            "ce" => Ok(Loss::CrossEntropy),
            other => Err(Error::Unknown {
                kind: "loss".to_owned(),
                name: other.to_owned(),
                known: Loss::NAMES.iter().map(|s| s.to_string()).collect(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn softplus_is_stable_in_both_tails() {
        // mpmath: log1p(exp(-745)) = 4.9406564584124654e-324 underflows to the smallest subnormal.
        assert!(softplus(-745.0) > 0.0);
        assert_eq!(softplus(-800.0), 0.0);
        assert_eq!(softplus(1e300), 1e300);
        // mpmath.log1p(mpmath.exp(2)) = 2.1269280110429725
        assert!((softplus(2.0) - 2.126_928_011_042_972_5).abs() < 4e-16 * 2.13);
    }

    #[test]
    fn derivatives_match_central_differences() {
        for loss in [Loss::Mse, Loss::CrossEntropy] {
            for (y, yh) in [(1.0, 0.3), (-1.0, 2.0), (1.0, -3.0)] {
                let h = 1e-5;
                let fd = (loss.value(y, yh + h) - loss.value(y, yh - h)) / (2.0 * h);
                assert!((fd - loss.derivative(y, yh)).abs() < 1e-9, "{loss}");
                let fd2 = (loss.derivative(y, yh + h) - loss.derivative(y, yh - h)) / (2.0 * h);
                assert!((fd2 - loss.second_derivative(y, yh)).abs() < 1e-9, "{loss}");
            }
        }
        assert_eq!(Loss::Mae.derivative(1.0, 3.0), 1.0);
        assert_eq!(Loss::Mae.derivative(1.0, -3.0), -1.0);
    }

    #[test]
    fn softmax_hessian_trace_is_one_minus_norm_squared() {
        let z = [0.3, -1.2, 2.0];
        let p = softmax(&z);
        let direct = 1.0 - p.iter().map(|v| v * v).sum::<f64>();
        assert!((softmax_hessian_trace(&z) - direct).abs() < 1e-15);
        assert!((softmax_cross_entropy(&[0.0, 0.0], 1) - std::f64::consts::LN_2).abs() < 1e-16);
        assert!((logsumexp(&[1000.0, 1000.0]) - 1000.0 - std::f64::consts::LN_2).abs() < 1e-12);
    }

    #[test]
    fn unknown_names_are_typed_errors() {
        assert_eq!("mae".parse::<Loss>().unwrap(), Loss::Mae);
        let e = "hinge".parse::<Loss>().unwrap_err();
        assert!(e.to_string().contains("unknown loss `hinge`"), "{e}");
    }
}
