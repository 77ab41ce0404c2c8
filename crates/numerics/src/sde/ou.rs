//! Closed forms of the Ornstein–Uhlenbeck process: the exact one-step transition used by
//! [`Ensemble::step_ou_exact`](super::Ensemble::step_ou_exact), and the mean and variance at time
//! $t$ from a Gaussian start, which the self-checks `NV1` and `NV3` use as the reference.
//!
//! The process is overdamped Langevin dynamics in the quadratic energy $E(x) = k(x-m)^2/2$
//! ($k_BT = 1$):
//!
//! $$dx = -kD\,(x-m)\,dt + \sqrt{2D}\,dW,$$
//!
//! where $k$ is the stiffness (curvature of $E$, any sign), $m$ the centre, $D > 0$ the diffusion
//! coefficient and $W$ a standard Wiener process. The noise is additive, so the Itô and
//! Stratonovich readings are the same process. Over a time $\tau$ the transition is exactly
//! Gaussian:
//!
//! $$x(\tau) \mid x(0) \sim \mathcal N\!\bigl(m + (x(0)-m)\,e^{-kD\tau},\;
//!   2D\tau\,\varphi(2kD\tau)\bigr),\qquad \varphi(u) = \frac{1-e^{-u}}{u} = -\frac{\operatorname{expm1}(-u)}{u},
//!   \quad \varphi(0) = 1.$$
//!
//! $\varphi$ is evaluated by `expm1` away from 0 and by its Taylor series for $|u| < 10^{-4}$, so
//! the variance keeps full relative accuracy for $kD\tau \to 0$ (free diffusion, $2D\tau$),
//! for $k = 0$ exactly, and for $k < 0$ (a repulsive, unstable quadratic) up to overflow.

use crate::error::{self, Error, Result};
use crate::quantity::{Args, Param, Quantity, Value};

/// $\ln(\texttt{f64::MAX})$: the largest exponent `exp` can take without overflowing.
pub(crate) const LN_MAX: f64 = 709.782_712_893_384;

/// Below this $|u|$ the relaxation fraction $\varphi(u)$ is summed as a series: the first omitted
/// term $u^4/120$ is then below $10^{-18}$, under half an ulp of $\varphi \approx 1$.
const SERIES_BELOW: f64 = 1e-4;

/// $\varphi(u) = (1 - e^{-u})/u$ with $\varphi(0) = 1$, accurate to a few ulps for every finite $u$
/// for which it does not overflow.
fn relaxation_fraction(u: f64) -> f64 {
    if u.abs() < SERIES_BELOW {
        // 1 − u/2 + u²/6 − u³/24, Horner form.
        1.0 - u / 2.0 * (1.0 - u / 3.0 * (1.0 - u / 4.0))
    } else {
        -(-u).exp_m1() / u
    }
}

/// The exact OU transition over one duration: $x' = m + a\,(x-m) + \sqrt v\,\xi$.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct OuTransition {
    /// $a = e^{-kD\tau}$.
    pub(crate) decay: f64,
    /// $a^2 = e^{-2kD\tau}$, evaluated directly (not squared) for accuracy.
    pub(crate) decay_squared: f64,
    /// $v = 2D\tau\,\varphi(2kD\tau)$.
    pub(crate) noise_variance: f64,
}

impl OuTransition {
    /// Validates and evaluates the transition coefficients over `duration` $\tau$.
    ///
    /// `duration_name` is the parameter name errors use for $\tau$ (`time`, `time-step`).
    /// `growth_limit` is the largest $-kD\tau$ allowed (`LN_MAX` for the mean, `LN_MAX / 2` for
    /// quantities that involve $e^{-2kD\tau}$), so that a repulsive ($k<0$) quadratic fails with a
    /// message naming the stiffness bound rather than returning infinities.
    pub(crate) fn new(
        stiffness: f64,
        diffusion: f64,
        duration: f64,
        duration_name: &str,
        growth_limit: f64,
    ) -> Result<Self> {
        let k = error::finite("stiffness", stiffness)?;
        let d = error::positive("diffusion", diffusion)?;
        let tau = error::non_negative(duration_name, duration)?;
        let d_tau = d * tau;
        if k < 0.0 && d_tau > 0.0 {
            error::greater_than("stiffness", k, -growth_limit / d_tau)?;
        }
        let rate = k * d_tau;
        let noise_variance = if (2.0 * rate).abs() < SERIES_BELOW {
            2.0 * d_tau * relaxation_fraction(2.0 * rate)
        } else {
            // Same value as 2Dτ·φ(2kDτ) but without forming 2Dτ, which may overflow when k is
            // large and positive (then v → 1/k).
            -(-2.0 * rate).exp_m1() / k
        };
        // Callers check the fields they use: with `growth_limit = LN_MAX` (the mean) only
        // `decay` is guaranteed finite.
        Ok(OuTransition {
            decay: (-rate).exp(),
            decay_squared: (-2.0 * rate).exp(),
            noise_variance,
        })
    }
}

pub(crate) fn overflow(what: &str, stiffness: f64, diffusion: f64, duration: f64) -> Error {
    Error::NotConverged {
        method: what.to_owned(),
        detail: format!(
            "the result overflows f64 (stiffness {stiffness}, diffusion {diffusion}, time {duration})"
        ),
    }
}

/// Mean of the Ornstein–Uhlenbeck process at time $t$ from a start with mean $\mu_0$.
///
/// $$\mathbb E[x(t)] = m + (\mu_0 - m)\,e^{-kDt},$$
///
/// where $k$ is the stiffness of $E = k(x-m)^2/2$ (per squared position unit, $k_BT = 1$, any
/// sign), $m$ the centre (position units), $D$ the diffusion coefficient (squared position per
/// unit time), $t$ the elapsed time and $\mu_0 = \mathbb E[x(0)]$. The mean does not depend on the
/// start's shape (the drift is linear). Spec: `NV1`; `thermocheck eval ou-mean`.
///
/// # Errors
/// [`Error::InvalidParameter`] if any input is not finite, `diffusion` ≤ 0, `time` < 0, or
/// $-kDt > \ln(\texttt{f64::MAX})$ (a repulsive quadratic whose growth factor overflows);
/// [`Error::NotConverged`] if the result itself overflows f64.
///
/// # Examples
/// ```
/// use thermocheck_numerics::sde::ou_mean;
/// // k = 2, D = 0.5, m = 1, μ₀ = −1, t = 1: 1 − 2/e.
/// let mean = ou_mean(2.0, 1.0, 0.5, 1.0, -1.0)?;
/// assert!((mean - (1.0 - 2.0 * (-1.0f64).exp())).abs() < 1e-15);
/// # Ok::<(), thermocheck_numerics::Error>(())
/// ```
pub fn ou_mean(
    stiffness: f64,
    centre: f64,
    diffusion: f64,
    time: f64,
    initial_mean: f64,
) -> Result<f64> {
    let m = error::finite("centre", centre)?;
    let mu0 = error::finite("initial-mean", initial_mean)?;
    let tr = OuTransition::new(stiffness, diffusion, time, "time", LN_MAX)?;
    let mean = m + (mu0 - m) * tr.decay;
    if mean.is_finite() {
        Ok(mean)
    } else {
        Err(overflow("ou-mean", stiffness, diffusion, time))
    }
}

/// Variance of the Ornstein–Uhlenbeck process at time $t$ from a Gaussian (or any) start with
/// variance $\sigma_0^2$.
///
/// $$\operatorname{Var}[x(t)] = \sigma_0^2\,e^{-2kDt} + \frac{1-e^{-2kDt}}{k}
///   = \sigma_0^2\,e^{-2kDt} + 2Dt\,\varphi(2kDt),\qquad \varphi(u) = \frac{1-e^{-u}}{u},$$
///
/// where $k$ is the stiffness of $E = k(x-m)^2/2$ (any sign; $k = 0$ is free diffusion,
/// $\sigma_0^2 + 2Dt$), $D$ the diffusion coefficient, $t$ the elapsed time and $\sigma_0^2$ the
/// initial variance. It does not depend on the centre. For $k > 0$ it relaxes to the Boltzmann
/// variance $1/k$. $\varphi$ is evaluated with `expm1` or its series, so the result has full
/// relative accuracy at $kDt \to 0$ as well. Spec: `NV1`; `thermocheck eval ou-variance`.
///
/// # Errors
/// [`Error::InvalidParameter`] if any input is not finite, `diffusion` ≤ 0, `time` < 0,
/// `initial-variance` < 0, or $-2kDt > \ln(\texttt{f64::MAX})$; [`Error::NotConverged`] if the
/// result itself overflows f64.
///
/// # Examples
/// ```
/// use thermocheck_numerics::sde::ou_variance;
/// // k = 2, D = 0.5, σ₀² = 0.25, t = 1: e^{−2}/4 + (1 − e^{−2})/2.
/// let e2 = (-2.0f64).exp();
/// let var = ou_variance(2.0, 0.5, 1.0, 0.25)?;
/// assert!((var - (0.25 * e2 + (1.0 - e2) / 2.0)).abs() < 1e-15);
/// // Free diffusion: σ₀² + 2Dt.
/// assert_eq!(ou_variance(0.0, 0.5, 3.0, 0.25)?, 3.25);
/// # Ok::<(), thermocheck_numerics::Error>(())
/// ```
pub fn ou_variance(
    stiffness: f64,
    diffusion: f64,
    time: f64,
    initial_variance: f64,
) -> Result<f64> {
    let s0 = error::non_negative("initial-variance", initial_variance)?;
    let tr = OuTransition::new(stiffness, diffusion, time, "time", LN_MAX / 2.0)?;
    let variance = s0 * tr.decay_squared + tr.noise_variance;
    if variance.is_finite() {
        Ok(variance)
    } else {
        Err(overflow("ou-variance", stiffness, diffusion, time))
    }
}

const STIFFNESS_DOC: &str = "k: curvature of the energy E = k(x-m)^2/2 (k_BT per squared position unit; any sign, 0 = free diffusion)";
const DIFFUSION_DOC: &str = "D > 0: diffusion coefficient (squared position per unit time)";
const TIME_DOC: &str = "t >= 0: elapsed time";

const OU_MEAN_PARAMS: &[Param] = &[
    Param::number("stiffness", STIFFNESS_DOC),
    Param::number(
        "centre",
        "m: centre (minimum) of the quadratic energy (position units)",
    ),
    Param::number("diffusion", DIFFUSION_DOC),
    Param::number("time", TIME_DOC),
    Param::number(
        "initial-mean",
        "mu_0: mean of the start distribution at t = 0",
    ),
];

const OU_VARIANCE_PARAMS: &[Param] = &[
    Param::number("stiffness", STIFFNESS_DOC),
    Param::number("diffusion", DIFFUSION_DOC),
    Param::number("time", TIME_DOC),
    Param::number(
        "initial-variance",
        "sigma_0^2 >= 0: variance of the start distribution at t = 0 (0 = point mass)",
    ),
];

fn eval_ou_mean(args: &Args) -> Result<Value> {
    ou_mean(
        args.number("stiffness")?,
        args.number("centre")?,
        args.number("diffusion")?,
        args.number("time")?,
        args.number("initial-mean")?,
    )
    .map(Value::Scalar)
}

fn eval_ou_variance(args: &Args) -> Result<Value> {
    ou_variance(
        args.number("stiffness")?,
        args.number("diffusion")?,
        args.number("time")?,
        args.number("initial-variance")?,
    )
    .map(Value::Scalar)
}

/// The OU `eval` quantities `ou-mean` and `ou-variance`.
pub(super) fn quantities() -> Vec<Quantity> {
    vec![
        Quantity::new(
            "ou-mean",
            "mean of the Ornstein-Uhlenbeck process at time t: m + (mu_0 - m) exp(-k D t)",
            "NV1",
            OU_MEAN_PARAMS,
            eval_ou_mean,
        ),
        Quantity::new(
            "ou-variance",
            "variance of the Ornstein-Uhlenbeck process at time t: \
             sigma_0^2 exp(-2 k D t) + (1 - exp(-2 k D t)) / k (-> sigma_0^2 + 2 D t at k = 0)",
            "NV1",
            OU_VARIANCE_PARAMS,
            eval_ou_variance,
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn ln_max_is_the_log_of_the_largest_double() {
        assert_relative_eq!(LN_MAX, f64::MAX.ln(), max_relative = f64::EPSILON);
        assert!(LN_MAX.exp().is_finite());
        assert!((LN_MAX + 1e-12).exp().is_infinite());
    }

    #[test]
    fn relaxation_fraction_is_continuous_across_the_series_switch() {
        // Both branches at the switch point must agree to a few ulps: the series is truncated
        // after u³ (omitted term u⁴/120 ≈ 8e-19) and expm1 is accurate to ~1 ulp there.
        for u in [SERIES_BELOW, -SERIES_BELOW] {
            let below = relaxation_fraction(u * (1.0 - 1e-15));
            let above = -(-u).exp_m1() / u;
            assert_relative_eq!(below, above, max_relative = 4.0 * f64::EPSILON);
        }
        assert_eq!(relaxation_fraction(0.0), 1.0);
    }

    #[test]
    fn tiny_rate_variance_matches_the_series() {
        // k D dt = 1e-12: reference from the hand-summed series
        // v = 2Dτ (1 − kDτ + (2kDτ)²/6 − …) = 2·(1 − 1e-12 + 6.7e-25) for D = 1, τ = 1, k = 1e-12;
        // the naive (1 − e^{−2kDτ})/k loses ~4 digits here (1 − e^{−2e-12} has ~1e-4 relative
        // rounding error).
        let v = ou_variance(1e-12, 1.0, 1.0, 0.0).unwrap();
        let reference = 2.0 * (1.0 - 1e-12 + 4e-24 / 6.0);
        assert_relative_eq!(v, reference, max_relative = 2.0 * f64::EPSILON);
        let naive = (1.0 - (-2e-12f64).exp()) / 1e-12;
        assert!(
            (naive - reference).abs() / reference > 1e-6,
            "naive {naive}"
        );
        // Same through the step coefficients (dt = 1e-12, k = D = 1).
        let tr = OuTransition::new(1.0, 1.0, 1e-12, "time-step", LN_MAX).unwrap();
        assert_relative_eq!(
            tr.noise_variance,
            2e-12 * (1.0 - 1e-12 + 4e-24 / 6.0),
            max_relative = 2.0 * f64::EPSILON
        );
    }

    #[test]
    fn zero_and_negative_stiffness_are_handled() {
        // k = 0 exactly: free diffusion σ₀² + 2Dt, mean stays put.
        assert_eq!(ou_variance(0.0, 0.25, 2.0, 0.5).unwrap(), 1.5);
        assert_eq!(ou_mean(0.0, 3.0, 0.25, 2.0, -1.0).unwrap(), -1.0);
        // k → 0 from either side joins k = 0 continuously.
        for k in [1e-9, -1e-9] {
            assert_relative_eq!(
                ou_variance(k, 0.25, 2.0, 0.5).unwrap(),
                1.5,
                max_relative = 1e-9
            );
        }
        // k < 0: (e^{2|k|Dt} − 1)/|k| + σ₀² e^{2|k|Dt}; k = −1, D = 1, t = 1: e² − 1 + σ₀² e².
        let e2 = 2.0f64.exp();
        assert_relative_eq!(
            ou_variance(-1.0, 1.0, 1.0, 0.5).unwrap(),
            e2 - 1.0 + 0.5 * e2,
            max_relative = 4.0 * f64::EPSILON
        );
        // Strong confinement: the variance relaxes to 1/k without forming 2Dt.
        assert_relative_eq!(
            ou_variance(1e6, 1.0, 1e3, 2.0).unwrap(),
            1e-6,
            max_relative = f64::EPSILON
        );
    }

    #[test]
    fn invalid_inputs_name_the_parameter() {
        let e = ou_variance(1.0, 0.0, 1.0, 0.0).unwrap_err();
        assert_eq!(e.parameter(), Some("diffusion"));
        let e = ou_variance(1.0, 1.0, -1.0, 0.0).unwrap_err();
        assert_eq!(e.parameter(), Some("time"));
        let e = ou_variance(1.0, 1.0, 1.0, -0.1).unwrap_err();
        assert_eq!(e.parameter(), Some("initial-variance"));
        let e = ou_mean(f64::NAN, 0.0, 1.0, 1.0, 0.0).unwrap_err();
        assert_eq!(e.parameter(), Some("stiffness"));
        let e = ou_mean(1.0, f64::INFINITY, 1.0, 1.0, 0.0).unwrap_err();
        assert_eq!(e.parameter(), Some("centre"));
        // A repulsive quadratic whose growth factor overflows names the stiffness bound.
        let e = ou_variance(-400.0, 1.0, 1.0, 0.0).unwrap_err();
        assert_eq!(e.parameter(), Some("stiffness"));
        assert!(e.to_string().contains("> -354.8"), "{e}");
        assert!(ou_mean(-400.0, 0.0, 1.0, 1.0, 1.0).is_ok());
        // Inputs that are each fine but whose result overflows.
        let e = ou_mean(0.0, -1e308, 1.0, 1.0, 1e308).unwrap_err();
        assert!(!e.is_input_error(), "{e}");
    }

    #[test]
    fn quantities_evaluate_and_report_argument_errors() {
        let qs = quantities();
        let mean = qs.iter().find(|q| q.name == "ou-mean").unwrap();
        let var = qs.iter().find(|q| q.name == "ou-variance").unwrap();
        let v = mean
            .eval([
                ("stiffness", "2"),
                ("centre", "1"),
                ("diffusion", "0.5"),
                ("time", "1"),
                ("initial-mean", "-1"),
            ])
            .unwrap();
        assert_eq!(v, Value::Scalar(ou_mean(2.0, 1.0, 0.5, 1.0, -1.0).unwrap()));
        let v = var
            .eval([
                ("stiffness", "0"),
                ("diffusion", "0.5"),
                ("time", "3"),
                ("initial-variance", "0.25"),
            ])
            .unwrap();
        assert_eq!(v, Value::Scalar(3.25));
        // Missing, unknown, unparsable and invalid arguments, each named.
        let e = var
            .eval([("stiffness", "1"), ("diffusion", "1"), ("time", "1")])
            .unwrap_err();
        assert_eq!(e.to_string(), "missing required parameter initial-variance");
        let e = var
            .eval([
                ("stiffness", "1"),
                ("diffusion", "1"),
                ("time", "1"),
                ("initial-variance", "0"),
                ("centre", "0"),
            ])
            .unwrap_err();
        assert!(
            e.to_string().starts_with("unknown parameter `--centre`"),
            "{e}"
        );
        let e = mean
            .eval([
                ("stiffness", "one"),
                ("centre", "1"),
                ("diffusion", "0.5"),
                ("time", "1"),
                ("initial-mean", "-1"),
            ])
            .unwrap_err();
        assert_eq!(e.to_string(), "stiffness must be a number (got `one`)");
        let e = mean
            .eval([
                ("stiffness", "1"),
                ("centre", "1"),
                ("diffusion", "-0.5"),
                ("time", "1"),
                ("initial-mean", "-1"),
            ])
            .unwrap_err();
        assert_eq!(e.to_string(), "diffusion must be finite and > 0 (got -0.5)");
        let e = var
            .eval([
                ("stiffness", "1"),
                ("diffusion", "1"),
                ("time", "nan"),
                ("initial-variance", "0"),
            ])
            .unwrap_err();
        assert_eq!(e.to_string(), "time must be finite (got NaN)");
    }
}
