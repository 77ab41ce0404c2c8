//! The Ornstein–Uhlenbeck process: [`OuProcess`], its mean and variance at time $t$ from a
//! Gaussian (or any) start, and the exact one-step transition behind
//! [`Ensemble::step_ou_exact`](super::Ensemble::step_ou_exact).
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
//! $$x(\tau) \mid x(0) \sim \mathcal N\!\bigl(a\,x(0) + (1-a)\,m,\; 2D\tau\,\varphi(2r)\bigr),
//!   \qquad r = kD\tau,\quad a = e^{-r},\quad
//!   \varphi(u) = \frac{1-e^{-u}}{u} = -\frac{\operatorname{expm1}(-u)}{u},\quad \varphi(0) = 1.$$
//!
//! # Numerically stable forms
//!
//! - The rate $r = kD\tau$ is one product of the three factors, largest × smallest first, so it
//!   overflows or underflows only where the exact product does (for subnormal-free inputs).
//! - The mean is evaluated as the weighted sum $\mu_0\,a - m\,\operatorname{expm1}(-r)$: exact at
//!   $a = 1$ ($t = 0$ gives $\mu_0$ bit for bit) and at $a \to 0$ (gives $m$), and its rounding
//!   error is a few ε times $|\mu_0|a + |m||1-a|$, the problem's own conditioning — the textbook
//!   $m + (\mu_0 - m)\,a$ loses every digit of $\mu_0$ below the ulp of a large centre. $k = 0$
//!   returns $\mu_0$ without forming $D\tau$ (which may overflow). For $k < 0$ where $a$
//!   overflows, the deviation $(\mu_0-m)\,e^{|r|}$ is formed as $(\mu_0-m)\,(e^{|r|/n})^n$, so
//!   a representable result is returned even when $a$ is not.
//! - $\varphi$ is evaluated by `expm1` away from 0 and by its Taylor series for $|u| < 10^{-4}$, so
//!   the variance keeps full relative accuracy for $kD\tau \to 0$, and for large $k > 0$ the
//!   noise variance $(1 - e^{-2r})/k \to 1/k$ is formed without $2D\tau$. For $k < 0$ the variance
//!   is $e^{2|r|}\,\bigl(\sigma_0^2 + 2D\tau\,\varphi(2|r|)\bigr)$, a sum of non-negative terms
//!   times the growth factor, applied in pieces as for the mean.
//!
//! A result that does not fit in `f64` is [`Error::OutOfRange`] naming the parameters whose
//! combination causes it, never `inf` or NaN.

use crate::error::{self, Error, Result, fmt_number};
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

/// $xyz$ with two roundings, the largest factor times the smallest first: that intermediate
/// overflows only if the whole product does, and underflows only if the whole product does or a
/// factor is subnormal.
fn product3(x: f64, y: f64, z: f64) -> f64 {
    let mut v = [x, y, z];
    v.sort_unstable_by(|a, b| a.abs().total_cmp(&b.abs()));
    (v[2] * v[0]) * v[1]
}

/// $s\,e^{x}$ for $x \ge 0$ without a spurious overflow of $e^x$: $s\,(e^{x/n})^n$ with
/// $n = \lceil x/\ln(\texttt{f64::MAX})\rceil$. The partial products grow monotonically from $s$
/// to the result, so none overflows unless the result does. $n \le 3$ suffices: beyond
/// $x = 3\ln(\texttt{f64::MAX})$ even the smallest subnormal $|s| = 2^{-1074} = e^{-744.4}$ gives an
/// overflow. Rounding: $n + 1$ multiplications and the `exp` of $x/n$.
fn scale_by_exp(s: f64, x: f64) -> f64 {
    if s == 0.0 {
        return s;
    }
    let pieces = (x / LN_MAX).ceil().max(1.0);
    if pieces > 3.0 {
        return s * f64::INFINITY;
    }
    let h = (x / pieces).exp();
    (0..pieces as u32).fold(s, |y, _| y * h)
}

/// $v = (1 - e^{-2r})/k = 2D\tau\,\varphi(2r)$, the variance a point mass acquires over $\tau$,
/// for $r = kD\tau$ of either sign ($k = 0$ gives $r = 0$ and $v = 2D\tau$). Away from the series
/// it does not form $2D\tau$, which may overflow while $v \approx 1/k$ does not.
fn noise_variance(k: f64, d: f64, tau: f64, r: f64) -> f64 {
    if (2.0 * r).abs() < SERIES_BELOW {
        2.0 * (d * tau) * relaxation_fraction(2.0 * r)
    } else {
        -(-2.0 * r).exp_m1() / k
    }
}

/// `name = value`, saying so when the product itself overflowed.
fn fmt_rate(name: &str, r: f64) -> String {
    if r.is_finite() {
        format!("{name} = {}", fmt_number(r))
    } else {
        format!("{name} overflows f64")
    }
}

/// An Ornstein–Uhlenbeck process: overdamped Langevin dynamics in $E(x) = k(x-m)^2/2$.
///
/// $$dx = -kD\,(x-m)\,dt + \sqrt{2D}\,dW,$$
///
/// where $k$ is the stiffness (curvature of $E$, in $k_BT$ per squared position unit; any sign:
/// $k > 0$ relaxes to the Boltzmann distribution $\mathcal N(m, 1/k)$, $k = 0$ is free diffusion,
/// $k < 0$ a repulsive quadratic), $m$ the centre (position units), $D$ the diffusion coefficient
/// (squared position per unit time) and $W$ a standard Wiener process. The module documentation
/// gives the transition law and the numerically stable forms. Spec: reference process of the
/// numerics self-checks `NV1`–`NV3` and `NV8`.
///
/// # Errors
/// [`OuProcess::new`] returns [`Error::InvalidParameter`] naming `stiffness` or `centre` if not
/// finite, `diffusion` unless finite and $> 0$.
///
/// # Examples
/// ```
/// use thermocheck_numerics::sde::OuProcess;
/// // k = 2, m = 1, D = 0.5 from N(−1, 1/4), t = 1 (kDt = 1).
/// let ou = OuProcess::new(2.0, 1.0, 0.5)?;
/// let e1 = (-1.0f64).exp();
/// assert!((ou.mean(1.0, -1.0)? - (1.0 - 2.0 * e1)).abs() < 1e-15);
/// assert!((ou.variance(1.0, 0.25)? - (0.25 * e1 * e1 + (1.0 - e1 * e1) / 2.0)).abs() < 1e-15);
/// # Ok::<(), thermocheck_numerics::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OuProcess {
    stiffness: f64,
    centre: f64,
    diffusion: f64,
}

/// The coefficients of one exact step: $x' = a\,x + p + s\,\xi$ with $p = (1-a)\,m$.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct OuStep {
    /// $a = e^{-kD\Delta t}$.
    pub(crate) decay: f64,
    /// $p = (1 - a)\,m = -\operatorname{expm1}(-kD\Delta t)\,m$.
    pub(crate) pull: f64,
    /// $s = \sqrt v$, $v = 2D\Delta t\,\varphi(2kD\Delta t)$.
    pub(crate) noise: f64,
}

impl OuProcess {
    /// The process with stiffness $k$, centre $m$ and diffusion coefficient $D$.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming `stiffness` or `centre` if not finite, `diffusion`
    /// unless finite and $> 0$.
    pub fn new(stiffness: f64, centre: f64, diffusion: f64) -> Result<Self> {
        Ok(OuProcess {
            stiffness: error::finite("stiffness", stiffness)?,
            centre: error::finite("centre", centre)?,
            diffusion: error::positive("diffusion", diffusion)?,
        })
    }

    /// The stiffness $k$.
    pub fn stiffness(&self) -> f64 {
        self.stiffness
    }

    /// The centre $m$.
    pub fn centre(&self) -> f64 {
        self.centre
    }

    /// The diffusion coefficient $D$.
    pub fn diffusion(&self) -> f64 {
        self.diffusion
    }

    /// $r = kD\tau$ for a duration $\tau \ge 0$ (finite, or $\pm\infty$ where the product
    /// overflows; never NaN).
    fn rate(&self, duration: f64) -> f64 {
        product3(self.stiffness, self.diffusion, duration)
    }

    /// Mean at time $t$ from a start with mean $\mu_0$.
    ///
    /// $$\mathbb E[x(t)] = m + (\mu_0 - m)\,e^{-kDt}
    ///   = \mu_0\,e^{-kDt} - m\,\operatorname{expm1}(-kDt),$$
    ///
    /// where $k$, $m$, $D$ are the process's stiffness, centre and diffusion coefficient, $t$ the
    /// elapsed time and $\mu_0 = \mathbb E[x(0)]$ (position units). The mean does not depend on
    /// the start's shape (the drift is linear). Evaluated by the second form (module docs), which
    /// is exact at $t = 0$ and for $t \to \infty$ with $k > 0$, and loses no digits to a large
    /// centre; $k = 0$ returns $\mu_0$. Spec: `thermocheck eval ou-mean`.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming `time` unless finite and $\ge 0$, `initial-mean` unless
    /// finite; [`Error::OutOfRange`] if the result overflows `f64` (only possible for $k < 0$).
    ///
    /// # Examples
    /// ```
    /// use thermocheck_numerics::sde::OuProcess;
    /// // A large centre does not swallow the start: exactly μ₀ at t = 0.
    /// assert_eq!(OuProcess::new(1.0, 1e16, 1.0)?.mean(0.0, 1.0)?, 1.0);
    /// // Repulsive, growth factor e^{1000} beyond f64, finite result (≈ 1.97e134).
    /// let m = OuProcess::new(-1000.0, 0.0, 1.0)?.mean(1.0, 1e-300)?;
    /// assert!((m / 1.970_071_114_017_047e134 - 1.0).abs() < 1e-13);
    /// # Ok::<(), thermocheck_numerics::Error>(())
    /// ```
    pub fn mean(&self, time: f64, initial_mean: f64) -> Result<f64> {
        let t = error::non_negative("time", time)?;
        let mu0 = error::finite("initial-mean", initial_mean)?;
        let (k, m) = (self.stiffness, self.centre);
        if k == 0.0 || t == 0.0 || mu0 == m {
            // No drift, no time, or started at the centre: μ0 exactly, and no rate is formed
            // (D·t may overflow).
            return Ok(mu0);
        }
        let r = self.rate(t);
        let weighted = mu0 * (-r).exp() - m * (-r).exp_m1();
        let mean = if k > 0.0 {
            // Weights a and 1 − a in [0, 1]: the exact value lies between μ0 and m; the clamp
            // only removes rounding beyond them (and an overflow of the sum next to f64::MAX).
            weighted.clamp(mu0.min(m), mu0.max(m))
        } else if weighted.is_finite() {
            weighted
        } else {
            // a = e^{|r|} (or a term) overflowed: grow the deviation in pieces.
            m + scale_by_exp(mu0 - m, -r)
        };
        if mean.is_finite() {
            Ok(mean)
        } else {
            Err(Error::out_of_range(
                &["stiffness", "diffusion", "time", "initial-mean", "centre"],
                format!(
                    "the mean m + (mu0 - m)·e^(-k·D·t) overflows f64 ({}, initial-mean - centre \
                     = {})",
                    fmt_rate("k·D·t", r),
                    fmt_number(mu0 - m)
                ),
            ))
        }
    }

    /// Variance at time $t$ from a start with variance $\sigma_0^2$.
    ///
    /// $$\operatorname{Var}[x(t)] = \sigma_0^2\,e^{-2kDt} + \frac{1-e^{-2kDt}}{k}
    ///   = \sigma_0^2\,e^{-2kDt} + 2Dt\,\varphi(2kDt),\qquad \varphi(u) = \frac{1-e^{-u}}{u},$$
    ///
    /// where $k$ and $D$ are the process's stiffness and diffusion coefficient ($k = 0$: free
    /// diffusion, $\sigma_0^2 + 2Dt$), $t$ the elapsed time and $\sigma_0^2$ the initial variance
    /// (squared position units). It does not depend on the centre. For $k > 0$ it relaxes to the
    /// Boltzmann variance $1/k$. $\varphi$ is evaluated with `expm1` or its series, so the result
    /// has full relative accuracy at $kDt \to 0$ as well. Spec: `thermocheck eval ou-variance`.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming `time` unless finite and $\ge 0$, `initial-variance`
    /// unless finite and $\ge 0$; [`Error::OutOfRange`] if the result overflows `f64`.
    ///
    /// # Examples
    /// ```
    /// use thermocheck_numerics::sde::OuProcess;
    /// // Free diffusion: σ₀² + 2Dt.
    /// assert_eq!(OuProcess::new(0.0, 0.0, 0.5)?.variance(3.0, 0.25)?, 3.25);
    /// // Strong confinement relaxes to 1/k without forming 2Dt.
    /// assert_eq!(OuProcess::new(1e6, 0.0, 1.0)?.variance(1e3, 2.0)?, 1e-6);
    /// # Ok::<(), thermocheck_numerics::Error>(())
    /// ```
    pub fn variance(&self, time: f64, initial_variance: f64) -> Result<f64> {
        let t = error::non_negative("time", time)?;
        let s0 = error::non_negative("initial-variance", initial_variance)?;
        let (k, d) = (self.stiffness, self.diffusion);
        let r = self.rate(t);
        let variance = if k >= 0.0 {
            s0 * (-2.0 * r).exp() + noise_variance(k, d, t, r)
        } else {
            // e^{2|r|}·(σ0² + (1 − e^{−2|r|})/|k|): non-negative terms, growth applied last.
            scale_by_exp(s0 + noise_variance(-k, d, t, -r), -2.0 * r)
        };
        if variance.is_finite() {
            Ok(variance)
        } else {
            Err(Error::out_of_range(
                &["stiffness", "diffusion", "time", "initial-variance"],
                format!(
                    "the variance overflows f64 ({}, initial-variance = {})",
                    fmt_rate("k·D·t", r),
                    fmt_number(s0)
                ),
            ))
        }
    }

    /// The coefficients of one exact step of size `dt` > 0.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming `time-step` unless finite and $> 0$;
    /// [`Error::OutOfRange`] if a coefficient overflows (a repulsive $k < 0$ over a long step, or
    /// $2D\Delta t$ beyond `f64`) or the noise variance underflows to 0.
    pub(crate) fn step(&self, dt: f64) -> Result<OuStep> {
        let dt = error::positive("time-step", dt)?;
        let (k, m, d) = (self.stiffness, self.centre, self.diffusion);
        let r = self.rate(dt);
        let decay = (-r).exp();
        let pull = -(-r).exp_m1() * m;
        let variance = noise_variance(k, d, dt, r);
        if decay.is_finite() && pull.is_finite() && variance.is_finite() && variance > 0.0 {
            return Ok(OuStep {
                decay,
                pull,
                noise: variance.sqrt(),
            });
        }
        let mut parameters = vec!["stiffness", "diffusion", "time-step"];
        if !pull.is_finite() {
            parameters.push("centre");
        }
        Err(Error::out_of_range(
            &parameters,
            format!(
                "the exact-OU step coefficients leave f64: growth factor e^(-k·D·dt) = {}, \
                 centre pull (1 - e^(-k·D·dt))·m = {}, noise variance = {} ({})",
                fmt_number(decay),
                fmt_number(pull),
                fmt_number(variance),
                fmt_rate("k·D·dt", r)
            ),
        ))
    }
}

/// Mean of the Ornstein–Uhlenbeck process at time $t$ from a start with mean $\mu_0$:
/// [`OuProcess::mean`] of `OuProcess::new(stiffness, centre, diffusion)`, for callers with loose
/// parameters.
///
/// $$\mathbb E[x(t)] = m + (\mu_0 - m)\,e^{-kDt},$$
///
/// where $k$ is the stiffness, $m$ the centre, $D$ the diffusion coefficient, $t$ the elapsed time
/// and $\mu_0$ the initial mean (see [`OuProcess`] for units). Spec: `thermocheck eval ou-mean`.
///
/// # Errors
/// As [`OuProcess::new`] and [`OuProcess::mean`].
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
    OuProcess::new(stiffness, centre, diffusion)?.mean(time, initial_mean)
}

/// Variance of the Ornstein–Uhlenbeck process at time $t$ from a start with variance
/// $\sigma_0^2$: [`OuProcess::variance`] of `OuProcess::new(stiffness, 0, diffusion)` (the
/// variance does not depend on the centre), for callers with loose parameters.
///
/// $$\operatorname{Var}[x(t)] = \sigma_0^2\,e^{-2kDt} + \frac{1-e^{-2kDt}}{k},$$
///
/// where $k$ is the stiffness, $D$ the diffusion coefficient, $t$ the elapsed time and
/// $\sigma_0^2$ the initial variance (see [`OuProcess`] for units). Spec:
/// `thermocheck eval ou-variance`.
///
/// # Errors
/// As [`OuProcess::new`] and [`OuProcess::variance`].
///
/// # Examples
/// ```
/// use thermocheck_numerics::sde::ou_variance;
/// // k = 2, D = 0.5, σ₀² = 0.25, t = 1: e^{−2}/4 + (1 − e^{−2})/2.
/// let e2 = (-2.0f64).exp();
/// let var = ou_variance(2.0, 0.5, 1.0, 0.25)?;
/// assert!((var - (0.25 * e2 + (1.0 - e2) / 2.0)).abs() < 1e-15);
/// # Ok::<(), thermocheck_numerics::Error>(())
/// ```
pub fn ou_variance(
    stiffness: f64,
    diffusion: f64,
    time: f64,
    initial_variance: f64,
) -> Result<f64> {
    OuProcess::new(stiffness, 0.0, diffusion)?.variance(time, initial_variance)
}

const STIFFNESS_DOC: &str = "k: curvature of the energy E = k(x-m)^2/2 (k_BT per squared position unit; any sign, 0 = free diffusion)";
const DIFFUSION_DOC: &str = "D > 0: diffusion coefficient (squared position per unit time)";
const TIME_DOC: &str = "t >= 0: elapsed time";

/// What the OU quantities are: a reference process of the numerics, not a claim of the papers.
const OU_SPEC: &str = "OU transition, numerics reference";

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
            OU_SPEC,
            OU_MEAN_PARAMS,
            eval_ou_mean,
        ),
        Quantity::new(
            "ou-variance",
            "variance of the Ornstein-Uhlenbeck process at time t: \
             sigma_0^2 exp(-2 k D t) + (1 - exp(-2 k D t)) / k (-> sigma_0^2 + 2 D t at k = 0)",
            OU_SPEC,
            OU_VARIANCE_PARAMS,
            eval_ou_variance,
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tolerance::Tolerance;
    use approx::assert_relative_eq;
    use proptest::prelude::*;

    fn ou(k: f64, m: f64, d: f64) -> OuProcess {
        OuProcess::new(k, m, d).unwrap()
    }

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
    fn helpers_avoid_spurious_overflow() {
        // 1e300 · 1e-300 · 1e10 in the naive order is inf · 1e-300.
        assert_eq!(product3(1e300, 1e10, 1e-300), 1e10);
        assert_eq!(product3(1e300, 1e300, 0.0), 0.0);
        assert!(product3(-1e300, 1e300, 1.0).is_infinite());
        // 1e-300 · e^{1000} = 1.97e134 although e^{1000} overflows; pieces 1, 2 and 3.
        assert_relative_eq!(
            scale_by_exp(2.0, 1.0),
            2.0 * 1f64.exp(),
            max_relative = 1e-15
        );
        assert_relative_eq!(
            scale_by_exp(1e-300, 1000.0),
            1.970_071_114_017_047e134,
            max_relative = 4.0 * f64::EPSILON
        );
        // The smallest subnormal, e^{−744.4}, times e^{1450}: three pieces, finite.
        assert!(scale_by_exp(5e-324, 1450.0).is_finite());
        assert!(scale_by_exp(1.0, 3.0 * LN_MAX + 1.0).is_infinite());
        assert_eq!(scale_by_exp(0.0, f64::INFINITY), 0.0);
    }

    /// Reference values from mpmath 1.3.0 at 60 digits, evaluated from the exact binary values of
    /// the f64 inputs with the textbook forms $m + (\mu_0-m)e^{-kDt}$ and
    /// $\sigma_0^2 e^{-2kDt} - \operatorname{expm1}(-2kDt)/k$ ($\sigma_0^2 + 2Dt$ at $k = 0$), which
    /// at that precision lose nothing; the script is in the test's comment below. The last
    /// column is the componentwise relative condition number
    /// $\kappa = \sum_i |x_i\,\partial f/\partial x_i| / |f|$ over the inputs, computed there
    /// analytically: rounding each input by ε moves the exact result by up to κε, so a
    /// backward-stable evaluation is within a small multiple of κε.
    ///
    /// ```text
    /// from mpmath import mp, mpf, exp, expm1, fabs; mp.dps = 60
    /// mean: r = k*D*t; a = exp(-r); f = m + (mu0-m)*a
    ///       kappa = (|mu0 a| + |m (1-a)| + 3 |(mu0-m) a r|) / |f|
    /// var:  e = exp(-2r); f = s0 e - expm1(-2r)/k; dr = 2 r e (1/k - s0)
    ///       kappa = (s0 e + 2|dr| + |dr - (1-e)/k|) / f   (k = 0: f = s0 + 2Dt, (s0 + 4Dt)/f)
    /// ```
    #[allow(
        clippy::excessive_precision,
        reason = "mpmath's 20 digits as printed; each literal rounds to the nearest f64"
    )]
    const MEAN_REFERENCES: [(f64, f64, f64, f64, f64, f64, f64); 14] = [
        // (k, m, D, t, mu0, mean, kappa)
        (2.0, 1.0, 0.5, 1.0, -1.0, 0.264_241_117_657_115_356_81, 12.1),
        // Reviewer: t = 0 with a large centre must return mu0 exactly.
        (1.0, 1e16, 1.0, 0.0, 1.0, 1.0, 1.0),
        // Reviewer: a tiny rate must not lose mu0's digits to the centre (naive: 10000.0).
        (1e-12, 1e12, 1.0, 1.0, 1e4, 10_000.999_999_989_999_5, 1.0),
        // Reviewer: k = 0 with mu0 - m beyond f64 (naive: error).
        (0.0, -1e308, 1.0, 1.0, 1e308, 1e308, 1.0),
        // Reviewer: k = 0 with D·t beyond f64 (naive: NaN rate).
        (0.0, 3.0, 1e300, 1e300, 2.5, 2.5, 1.0),
        // Reviewer: e^{1000} overflows, the result does not.
        (
            -1000.0,
            0.0,
            1.0,
            1.0,
            1e-300,
            1.970_071_114_017_047_043_3e134,
            3000.0,
        ),
        (
            -0.5,
            0.5,
            0.8,
            0.5,
            0.0,
            -0.110_701_379_080_084_923_74,
            4.31,
        ),
        (1e6, 3.0, 1.0, 1.0, -7.0, 3.0, 1.0),
        (
            -1e-9,
            1e16,
            1.0,
            1.0,
            1.0,
            -9_999_999.004_999_999_624_5,
            4.0,
        ),
        (3.0, -2.0, 1e-3, 1e-7, 5.0, 4.999_999_997_900_000_000_3, 1.0),
        (
            -700.0,
            1.0,
            1.0,
            1.0,
            1.5,
            5.071_160_273_675_022_547_3e303,
            2110.0,
        ),
        // k·D overflows, k·D·t does not.
        (1e300, 0.25, 1e300, 1e-300, -4.0, 0.25, 1.0),
        (
            0.7,
            1e300,
            1.0,
            2.0,
            -1e300,
            5.068_060_721_167_870_289_3e299,
            6.06,
        ),
        // mu0 one ulp above a huge centre, repulsive.
        (
            -1.0,
            1e300,
            1.0,
            1.0,
            1.000_000_000_000_000_2e300,
            1.000_000_000_000_000_456_7e300,
            4.44,
        ),
    ];

    /// As [`MEAN_REFERENCES`]: (k, D, t, s0, variance, kappa).
    #[allow(
        clippy::excessive_precision,
        reason = "mpmath's 20 digits as printed; each literal rounds to the nearest f64"
    )]
    const VARIANCE_REFERENCES: [(f64, f64, f64, f64, f64, f64); 10] = [
        (2.0, 0.5, 1.0, 0.25, 0.466_166_179_190_846_827_03, 1.15),
        (0.0, 0.5, 3.0, 0.25, 3.25, 1.92),
        (1e-12, 1.0, 1.0, 0.0, 1.999_999_999_998, 2.0),
        (-1.0, 1.0, 1.0, 0.5, 10.083_584_148_395_975_341, 6.33),
        (1e6, 1.0, 1e3, 2.0, 1e-6, 1.0),
        // e^{1000} overflows, e^{1000}/1e300 does not.
        (
            -1e300,
            1.0,
            5e-298,
            0.0,
            1.970_071_114_017_228_437_6e134,
            3000.0,
        ),
        // D·t overflows, the relaxed variance 1/k does not.
        (0.3, 1e200, 1e200, 1.0, 3.333_333_333_333_333_456_7, 1.0),
        (-1e-9, 2.0, 3.0, 0.1, 12.100_000_073_200_000_301, 1.99),
        (5.0, 1e-3, 1e-9, 7.0, 6.999_999_999_932, 1.0),
        (
            -1.0,
            1.0,
            300.0,
            1e-200,
            3.773_020_300_929_939_823_4e260,
            1800.0,
        ),
    ];

    /// Allowed error per unit of condition: 8 ε. The evaluation is a handful of roundings (the
    /// rate's two, exp/expm1's one each, a product and a sum, and up to three more for the
    /// piecewise growth factor), each moving the result by at most ε times a term bounded by
    /// κ|f|.
    const ULPS_PER_CONDITION: f64 = 8.0;

    #[test]
    fn mean_and_variance_match_arbitrary_precision_references() {
        for (k, m, d, t, mu0, expected, kappa) in MEAN_REFERENCES {
            let got = ou(k, m, d).mean(t, mu0).unwrap();
            let tol = Tolerance::conditioning(ULPS_PER_CONDITION * kappa.max(1.0), expected);
            assert!(
                tol.accepts(expected, got),
                "mean k={k:e} m={m:e} D={d:e} t={t:e} mu0={mu0:e}: {got:e} vs {expected:e}, tol {tol}"
            );
        }
        // Exact where the forms are exact.
        assert_eq!(ou(1.0, 1e16, 1.0).mean(0.0, 1.0).unwrap(), 1.0);
        assert_eq!(ou(1e6, 3.0, 1.0).mean(1.0, -7.0).unwrap(), 3.0);
        for (k, d, t, s0, expected, kappa) in VARIANCE_REFERENCES {
            let got = ou(k, 0.0, d).variance(t, s0).unwrap();
            let tol = Tolerance::conditioning(ULPS_PER_CONDITION * kappa.max(1.0), expected);
            assert!(
                tol.accepts(expected, got),
                "variance k={k:e} D={d:e} t={t:e} s0={s0:e}: {got:e} vs {expected:e}, tol {tol}"
            );
        }
    }

    #[test]
    fn tiny_rate_variance_matches_the_series() {
        // k D dt = 1e-12: reference from the hand-summed series
        // v = 2Dτ (1 − kDτ + (2kDτ)²/6 − …) = 2·(1 − 1e-12 + 6.7e-25) for D = 1, τ = 1, k = 1e-12;
        // the naive (1 − e^{−2kDτ})/k loses ~4 digits here (1 − e^{−2e-12} has ~1e-4 relative
        // rounding error).
        let v = ou(1e-12, 0.0, 1.0).variance(1.0, 0.0).unwrap();
        let reference = 2.0 * (1.0 - 1e-12 + 4e-24 / 6.0);
        assert_relative_eq!(v, reference, max_relative = 2.0 * f64::EPSILON);
        let naive = (1.0 - (-2e-12f64).exp()) / 1e-12;
        assert!(
            (naive - reference).abs() / reference > 1e-6,
            "naive {naive}"
        );
        // Same through the step coefficients (dt = 1e-12, k = D = 1).
        let step = ou(1.0, 0.0, 1.0).step(1e-12).unwrap();
        assert_relative_eq!(
            step.noise * step.noise,
            2e-12 * (1.0 - 1e-12 + 4e-24 / 6.0),
            max_relative = 4.0 * f64::EPSILON
        );
    }

    #[test]
    fn zero_and_negative_stiffness_are_handled() {
        // k = 0 exactly: free diffusion σ₀² + 2Dt, mean stays put.
        assert_eq!(ou(0.0, 0.0, 0.25).variance(2.0, 0.5).unwrap(), 1.5);
        assert_eq!(ou(0.0, 3.0, 0.25).mean(2.0, -1.0).unwrap(), -1.0);
        // k → 0 from either side joins k = 0 continuously.
        for k in [1e-9, -1e-9] {
            assert_relative_eq!(
                ou(k, 0.0, 0.25).variance(2.0, 0.5).unwrap(),
                1.5,
                max_relative = 1e-9
            );
        }
        // k < 0: (e^{2|k|Dt} − 1)/|k| + σ₀² e^{2|k|Dt}; k = −1, D = 1, t = 1: e² − 1 + σ₀² e².
        let e2 = 2.0f64.exp();
        assert_relative_eq!(
            ou(-1.0, 0.0, 1.0).variance(1.0, 0.5).unwrap(),
            e2 - 1.0 + 0.5 * e2,
            max_relative = 4.0 * f64::EPSILON
        );
    }

    #[test]
    fn invalid_inputs_name_the_parameter() {
        let name = |r: Result<f64>| r.unwrap_err().parameter().map(str::to_owned);
        assert_eq!(
            OuProcess::new(1.0, 0.0, 0.0).unwrap_err().parameter(),
            Some("diffusion")
        );
        assert_eq!(
            OuProcess::new(f64::NAN, 0.0, 1.0).unwrap_err().parameter(),
            Some("stiffness")
        );
        assert_eq!(
            OuProcess::new(1.0, f64::INFINITY, 1.0)
                .unwrap_err()
                .parameter(),
            Some("centre")
        );
        let p = ou(1.0, 0.0, 1.0);
        assert_eq!(name(p.variance(-1.0, 0.0)).as_deref(), Some("time"));
        assert_eq!(
            name(p.variance(1.0, -0.1)).as_deref(),
            Some("initial-variance")
        );
        assert_eq!(name(p.mean(f64::NAN, 0.0)).as_deref(), Some("time"));
        assert_eq!(
            name(p.mean(1.0, f64::INFINITY)).as_deref(),
            Some("initial-mean")
        );
        // The free functions validate the same way.
        assert_eq!(
            name(ou_variance(1.0, 0.0, 1.0, 0.0)).as_deref(),
            Some("diffusion")
        );
        assert_eq!(
            name(ou_mean(1.0, f64::NAN, 1.0, 1.0, 0.0)).as_deref(),
            Some("centre")
        );
    }

    #[test]
    fn overflow_is_an_out_of_range_input_error_naming_the_product() {
        // Repulsive, growth e^{800}·(1/400) beyond f64: not a stiffness bound, an overflow.
        let e = ou(-400.0, 0.0, 1.0).variance(1.0, 0.0).unwrap_err();
        assert!(matches!(e, Error::OutOfRange { .. }), "{e}");
        assert!(e.is_input_error());
        assert_eq!(
            e.to_string(),
            "stiffness, diffusion, time and initial-variance are out of range together: the \
             variance overflows f64 (k·D·t = -400, initial-variance = 0)"
        );
        assert!(ou(-400.0, 0.0, 1.0).mean(1.0, 1.0).is_ok());
        // k < 0 with D·t overflowing: the message names the product, not a bound "> -0".
        let e = ou(-1.0, 0.0, 1e200).mean(1e200, 1.0).unwrap_err();
        let msg = e.with_parameter_prefix("--").to_string();
        assert!(msg.starts_with("--stiffness, --diffusion, --time"), "{msg}");
        assert!(msg.contains("k·D·t overflows f64"), "{msg}");
        assert!(!msg.contains("-0"), "{msg}");
        // Numbers in messages are readable, not 300-digit expansions.
        let e = ou(-1.0, 1.5e308, 1.0).mean(1.0, -1.5e308).unwrap_err();
        assert!(
            e.to_string().contains("initial-mean - centre = -inf"),
            "{e}"
        );
        assert!(e.to_string().len() < 250, "{e}");
        // The step: e^{2000} growth in one step, and noise variance 2·D·dt beyond f64.
        let e = ou(-1000.0, 0.0, 1.0).step(1.0).unwrap_err();
        assert!(matches!(e, Error::OutOfRange { .. }), "{e}");
        assert!(ou(0.0, 0.0, 1e300).step(1e10).is_err());
        // D·dt underflowing to 0 leaves no noise: out of range, as for Euler–Maruyama.
        let e = ou(1.0, 0.0, 1e-200).step(1e-200).unwrap_err();
        assert!(e.to_string().contains("noise variance = 0"), "{e}");
    }

    #[test]
    fn quantities_evaluate_and_report_argument_errors() {
        let qs = quantities();
        let mean = qs.iter().find(|q| q.name == "ou-mean").unwrap();
        let var = qs.iter().find(|q| q.name == "ou-variance").unwrap();
        assert_eq!(mean.spec, OU_SPEC);
        assert_eq!(var.spec, OU_SPEC);
        let v = mean
            .eval([
                ("stiffness", "2"),
                ("centre", "1"),
                ("diffusion", "0.5"),
                ("time", "1"),
                ("initial-mean", "-1"),
            ])
            .unwrap();
        assert_eq!(v, Value::Scalar(ou(2.0, 1.0, 0.5).mean(1.0, -1.0).unwrap()));
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

    /// A finite double of either sign (or 0) with a log-uniform magnitude in $[10^{-300}, 10^{300}]$:
    /// every scale `f64` can hold, for the no-NaN/no-inf property.
    fn any_scale() -> impl Strategy<Value = f64> {
        prop_oneof![
            1 => Just(0.0),
            8 => (-300.0f64..300.0, any::<bool>())
                .prop_map(|(e, neg)| if neg { -(10f64.powf(e)) } else { 10f64.powf(e) }),
        ]
    }

    fn positive_scale() -> impl Strategy<Value = f64> {
        (-300.0f64..300.0).prop_map(|e| 10f64.powf(e))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// Over every scale of every input, an `Ok` mean, variance or step is finite, and an
        /// `Err` is an input error (the inputs are valid, so only `OutOfRange` can occur).
        #[test]
        fn any_ok_result_is_finite(
            k in any_scale(),
            m in any_scale(),
            d in positive_scale(),
            t in any_scale(),
            mu0 in any_scale(),
        ) {
            let (t, s0) = (t.abs(), mu0.abs());
            let p = OuProcess::new(k, m, d).unwrap();
            for (what, r) in [("mean", p.mean(t, mu0)), ("variance", p.variance(t, s0))] {
                match r {
                    Ok(v) => prop_assert!(v.is_finite(), "{} = {}", what, v),
                    Err(e) => prop_assert!(
                        matches!(e, Error::OutOfRange { .. }), "{}: {}", what, e
                    ),
                }
            }
            if t > 0.0 {
                match p.step(t) {
                    Ok(s) => prop_assert!(
                        s.decay.is_finite() && s.pull.is_finite() && s.noise > 0.0
                            && s.noise.is_finite(),
                        "{:?}", s
                    ),
                    Err(e) => prop_assert!(matches!(e, Error::OutOfRange { .. }), "step: {}", e),
                }
            }
        }

        /// The stable forms agree with the textbook forms $m + (\mu_0-m)e^{-r}$ and
        /// $\sigma_0^2 e^{-2r} + (1-e^{-2r})/k$, evaluated naively (direct product $kDt$, `exp`
        /// only: a second algebraic route), within the naive forms' own rounding error bound
        /// $c\,\varepsilon\,(\text{sum of the magnitudes of their terms})(1 + |r|)$, $c = 16$
        /// ($|r|$ for the rounding of the rate inside `exp`). Ranges: rate $kDt \in [-30, 30]$,
        /// $D \in [10^{-3}, 10^3]$ and $t \in [10^{-3}, 10]$ log-uniform ($k = \text{rate}/(Dt)$),
        /// $m, \mu_0 \in [-10^3, 10^3]$, $\sigma_0^2 \in [0, 10^3]$; $|2kDt| \ge 10^{-3}$ for the
        /// variance, where the naive $1 - e^{-2r}$ still has 13 digits.
        #[test]
        fn stable_forms_agree_with_the_textbook_forms(
            rate in -30.0f64..30.0,
            log_d in -3.0f64..3.0,
            log_t in -3.0f64..1.0,
            m in -1e3f64..1e3,
            mu0 in -1e3f64..1e3,
            s0 in 0.0f64..1e3,
        ) {
            let (d, t) = (10f64.powf(log_d), 10f64.powf(log_t));
            let k = rate / (d * t);
            let r = k * d * t;
            let p = OuProcess::new(k, m, d).unwrap();
            let a = (-r).exp();
            let naive = m + (mu0 - m) * a;
            let scale = (m.abs() + (mu0.abs() + m.abs()) * a) * (1.0 + r.abs());
            let got = p.mean(t, mu0).unwrap();
            prop_assert!(
                Tolerance::conditioning(16.0, scale).accepts(naive, got),
                "mean {} vs naive {} (scale {})", got, naive, scale
            );
            if (2.0 * r).abs() >= 1e-3 {
                let a2 = (-2.0 * r).exp();
                let naive = s0 * a2 + (1.0 - a2) / k;
                let scale = (s0 * a2 + (1.0 + a2) / k.abs()) * (1.0 + 2.0 * r.abs());
                let got = p.variance(t, s0).unwrap();
                prop_assert!(
                    Tolerance::conditioning(16.0, scale).accepts(naive, got),
                    "variance {} vs naive {} (scale {})", got, naive, scale
                );
            }
        }

        /// One exact step from a point mass reproduces the closed forms: mean $a\mu_0 + p$ and
        /// variance $s^2$ at $t = \Delta t$ (the step and the closed forms are separate code
        /// paths over the same rate), within the rounding of a few operations. Ranges as above,
        /// with $\Delta t \in [10^{-6}, 10]$.
        #[test]
        fn step_coefficients_reproduce_the_closed_forms(
            rate in -30.0f64..30.0,
            log_d in -3.0f64..3.0,
            log_dt in -6.0f64..1.0,
            m in -1e3f64..1e3,
            mu0 in -1e3f64..1e3,
        ) {
            let (d, dt) = (10f64.powf(log_d), 10f64.powf(log_dt));
            let k = rate / (d * dt);
            let p = OuProcess::new(k, m, d).unwrap();
            let s = p.step(dt).unwrap();
            let mean = p.mean(dt, mu0).unwrap();
            let scale = mu0.abs() * s.decay + s.pull.abs();
            prop_assert!(
                Tolerance::conditioning(8.0, scale).accepts(mean, mu0 * s.decay + s.pull),
                "mean {} vs step {}", mean, mu0 * s.decay + s.pull
            );
            let variance = p.variance(dt, 0.0).unwrap();
            prop_assert!(
                Tolerance::conditioning(8.0, variance).accepts(variance, s.noise * s.noise),
                "variance {} vs step {}", variance, s.noise * s.noise
            );
        }
    }
}
