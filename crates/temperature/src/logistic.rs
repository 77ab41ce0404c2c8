//! $F(s)$ and $G(s)$: the Gaussian expectations behind binary cross entropy (spec T18).
//!
//! $$F(s) = \mathbb E_{u\sim\mathcal N(0,1)}\operatorname{softplus}(su),\qquad
//!   G(s) = \mathbb E_u\big[\operatorname{sig}'(su)\big],\qquad F'(s) = s\,G(s),$$
//!
//! where $s = \sigma\lVert x\rVert \ge 0$ is the standard deviation of the prediction
//! $\hat y = w^\top x$ under $\mathcal N(0,\sigma^2 I)$ init. With $u\mapsto -u$ symmetric and
//! $\operatorname{softplus}(z) = \max(z,0) + \ln(1+e^{-|z|})$, substituting $v = s|u|$:
//!
//! $$F(s) = \frac{s}{\sqrt{2\pi}} + \frac2s\int_0^\infty \ln(1+e^{-v})\,\phi(v/s)\,dv,\qquad
//!   G(s) = \frac2s\int_0^\infty \operatorname{sig}'(v)\,\phi(v/s)\,dv .$$
//!
//! Both integrands are positive, smooth on $[0,\infty)$ and decay like $e^{-v}$ (or faster), so
//! there is no cancellation at any $s$ and the double-exponential quadrature of
//! [`thermocheck_numerics::quad`] (relative tolerance $10^{-13}$, cross-checked estimate) gives
//! both to about $10^{-13}$ relative for every $s$ from $10^{-3}$ to `f64::MAX` — unlike a fixed
//! Gauss–Hermite rule, which misses the $O(1/s)$-wide kink region for $s \gtrsim 20$ (TV6). Below
//! $s = 10^{-3}$ the small-scale series (three terms, truncation $< s^6/192 < 10^{-20}$) is used.
//!
//! Independent evidence (tests here and claim TV6): 40-digit `mpmath` values from
//! $s = 10^{-3}$ to $10^6$, $F' = sG$ by central differences, the spec's TV6 table, and the small-
//! and large-scale series converging at their predicted orders.

use std::f64::consts::{LN_2, PI};
use thermocheck_numerics::error::{self, Result};
use thermocheck_numerics::quad::{self, QuadOptions};

// The logistic function family, the one home of these elementary functions (the losses
// and the activations use them from here).

/// $\operatorname{softplus}(z) = \ln(1+e^z)$, as $\max(z,0) + \operatorname{ln\_1p}(e^{-|z|})$.
///
/// Exact to a few ulps for every finite $z$: no overflow for $z \to \infty$ (returns $z$), and
/// the tail $e^{z}$ for $z \to -\infty$ keeps its relative accuracy down to underflow.
///
/// # Examples
/// ```
/// use thermocheck_temperature::logistic::softplus;
/// assert_eq!(softplus(1000.0), 1000.0);
/// assert!((softplus(-50.0) / (-50.0f64).exp() - 1.0).abs() < 1e-15);
/// assert!((softplus(0.0) - std::f64::consts::LN_2).abs() < 1e-16);
/// ```
pub fn softplus(z: f64) -> f64 {
    z.max(0.0) + (-z.abs()).exp().ln_1p()
}

/// The logistic function $\operatorname{sig}(z) = 1/(1+e^{-z})$, computed from $e^{-|z|}$ so that
/// the small tail $\operatorname{sig}(-z) \approx e^{-z}$ keeps its relative accuracy.
pub fn sigmoid(z: f64) -> f64 {
    let e = (-z.abs()).exp();
    if z >= 0.0 {
        1.0 / (1.0 + e)
    } else {
        e / (1.0 + e)
    }
}

/// The logistic slope $\operatorname{sig}'(z) = \operatorname{sig}(z)(1-\operatorname{sig}(z)) =
/// e^{-|z|}/(1+e^{-|z|})^2$: even, $\tfrac14$ at 0, underflowing gracefully like $e^{-|z|}$.
pub fn sigmoid_slope(z: f64) -> f64 {
    let e = (-z.abs()).exp();
    e / ((1.0 + e) * (1.0 + e))
}

/// Below this $s$ the three-term small-scale series is used (truncation error $< 10^{-20}$).
const SERIES_BELOW: f64 = 1e-3;

/// Relative tolerance of the quadratures: a decade below the $10^{-12}$ the module promises.
const REL_TOL: f64 = crate::linear::EXACT_QUAD_REL_TOL;

/// $\int_0^\infty h(v)\,\phi(v/s)\,dv$ by double-exponential quadrature.
fn half_line(h: impl Fn(f64) -> f64, s: f64) -> Result<f64> {
    let f = |v: f64| h(v) * thermocheck_numerics::special::normal_pdf(v / s);
    // The probe puts the exp–sinh scale where the mass is (v ≈ min(1, s)).
    let r = quad::integrate(f, 0.0, f64::INFINITY, &[], &QuadOptions::new(REL_TOL, 0.0)?)?;
    Ok(r.value)
}

/// $F(s) = \mathbb E\operatorname{softplus}(su)$, $u\sim\mathcal N(0,1)$ (spec T18), to about
/// $10^{-13}$ relative for every $s \ge 0$.
///
/// # Errors
/// [`Error::InvalidParameter`](thermocheck_numerics::Error::InvalidParameter) naming `s` unless
/// finite and $\ge 0$; [`Error::NotConverged`](thermocheck_numerics::Error::NotConverged) if the
/// quadrature misses its tolerance (not observed).
///
/// # Examples
/// ```
/// use thermocheck_temperature::logistic::softplus_mean;
/// // Spec TV5/TV6: F(2) = 1.0677143881
/// assert!((softplus_mean(2.0).unwrap() - 1.0677143881).abs() < 1e-10);
/// ```
pub fn softplus_mean(s: f64) -> Result<f64> {
    let s = error::non_negative("s", s)?;
    if s < SERIES_BELOW {
        return Ok(softplus_mean_small_scale(s));
    }
    let tail = half_line(|v| (-v).exp().ln_1p(), s)?;
    Ok(s / (2.0 * PI).sqrt() + 2.0 * (tail / s))
}

/// $G(s) = \mathbb E\operatorname{sig}'(su)$, $u\sim\mathcal N(0,1)$ (spec T18), to about
/// $10^{-13}$ relative for every $s \ge 0$ ($G \approx 1/(s\sqrt{2\pi})$ at large $s$, no
/// underflow below `f64::MAX`).
///
/// # Errors
/// As [`softplus_mean`].
///
/// # Examples
/// ```
/// use thermocheck_temperature::logistic::logistic_slope_mean;
/// // Spec TV5/TV6: G(2) = 0.1514263774
/// assert!((logistic_slope_mean(2.0).unwrap() - 0.1514263774).abs() < 1e-10);
/// ```
pub fn logistic_slope_mean(s: f64) -> Result<f64> {
    let s = error::non_negative("s", s)?;
    if s < SERIES_BELOW {
        return Ok(logistic_slope_mean_small_scale(s));
    }
    Ok(2.0 * (half_line(sigmoid_slope, s)? / s))
}

/// Small-scale series $F \approx \ln2 + s^2/8 - s^4/64$ (T18); error $\approx s^6/192$.
pub fn softplus_mean_small_scale(s: f64) -> f64 {
    let s2 = s * s;
    LN_2 + s2 / 8.0 * (1.0 - s2 / 8.0)
}

/// Small-scale series $G \approx \tfrac14 - s^2/16 + s^4/32$ (T18); error $\approx 17s^6/768$.
pub fn logistic_slope_mean_small_scale(s: f64) -> f64 {
    let s2 = s * s;
    0.25 - s2 / 16.0 * (1.0 - s2 / 2.0)
}

/// Large-scale series $F \approx s/\sqrt{2\pi} + \pi^2/(6\sqrt{2\pi}\,s)$ (T18); the next term is
/// $-7\pi^4/(360\sqrt{2\pi}\,s^3)$.
pub fn softplus_mean_large_scale(s: f64) -> f64 {
    (s + PI * PI / (6.0 * s)) / (2.0 * PI).sqrt()
}

/// Large-scale series $G \approx 1/(s\sqrt{2\pi}) - \pi^2/(6\sqrt{2\pi}\,s^3)$ (T18, the
/// derivative of [`softplus_mean_large_scale`] divided by $s$); error $O(s^{-5})$.
pub fn logistic_slope_mean_large_scale(s: f64) -> f64 {
    (1.0 - PI * PI / (6.0 * s * s)) / (s * (2.0 * PI).sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// $(s, F(s), G(s))$ from mpmath at 40 digits, rounded to 20 significant digits:
    /// `F = s/sqrt(2*pi) + (2/s)*quad(lambda v: log1p(exp(-v))*npdf(v/s), [0, s/4, s, 1, 10, 50,
    /// 200, inf])`, `G = (2/s)*quad(lambda v: sigp(v)*npdf(v/s), [same])` with
    /// `sigp(z) = exp(-|z|)/(1+exp(-|z|))**2` (`mp.dps = 40`).
    #[allow(clippy::excessive_precision)] // mpmath digits kept as printed
    const MPMATH: [(f64, f64, f64); 8] = [
        (
            1e-3,
            0.693_147_305_559_929_684_42,
            0.249_999_937_500_031_249_98,
        ),
        (
            0.05,
            0.693_459_582_984_967_631_3,
            0.249_843_944_967_420_295_93,
        ),
        (
            0.5,
            0.723_492_801_065_975_971_39,
            0.236_044_422_439_879_662_44,
        ),
        (
            3.0,
            1.394_078_043_158_599_637_8,
            0.114_837_904_773_910_542_76,
        ),
        (
            50.0,
            19.960_232_657_577_215_366,
            0.007_973_602_976_970_872_99,
        ),
        (
            1e3,
            398.942_936_634_424_795_86,
            3.989_416_241_699_517_963_3e-4,
        ),
        (
            1e4,
            3_989.422_869_637_700_797_6,
            3.989_422_738_390_954_272_4e-5,
        ),
        (
            1e6,
            398_942.280_402_088_911_69,
            3.989_422_804_007_764_441_9e-7,
        ),
    ];

    #[test]
    fn matches_mpmath_from_small_to_huge_scales() {
        for (s, f, g) in MPMATH {
            let rf = (softplus_mean(s).unwrap() - f).abs() / f;
            let rg = (logistic_slope_mean(s).unwrap() - g).abs() / g;
            assert!(
                rf < 1e-12 && rg < 1e-12,
                "s = {s}: rel err F {rf:e}, G {rg:e}"
            );
        }
    }

    #[test]
    fn derivative_of_f_is_s_g() {
        // Central difference, step h = 1e-4 s: truncation ~ h² F'''/6 ≲ 1e-9 relative,
        // rounding ~ 1e-13 F / h; the bound 1e-7 is far above both.
        for s in [0.01, 0.3, 1.0, 4.0, 30.0, 500.0] {
            let h = 1e-4 * s;
            let fd = (softplus_mean(s + h).unwrap() - softplus_mean(s - h).unwrap()) / (2.0 * h);
            let sg = s * logistic_slope_mean(s).unwrap();
            assert!((fd - sg).abs() < 1e-7 * sg, "s = {s}: F' {fd} vs sG {sg}");
        }
    }

    #[test]
    fn series_converge_at_their_orders() {
        // Small-s: error ∝ s⁶ (slope 6); large-s: F error ∝ s⁻³, G error ∝ s⁻⁵.
        let small = [0.05, 0.1, 0.2];
        let ef: Vec<f64> = small
            .iter()
            .map(|&s| (softplus_mean(s).unwrap() - softplus_mean_small_scale(s)).abs())
            .collect();
        let slope = thermocheck_numerics::stats::log_log_slope(&small, &ef);
        assert!((slope - 6.0).abs() < 0.1, "small-s slope {slope}");
        let large = [20.0, 40.0, 80.0];
        let ef: Vec<f64> = large
            .iter()
            .map(|&s| (softplus_mean(s).unwrap() - softplus_mean_large_scale(s)).abs())
            .collect();
        let slope = thermocheck_numerics::stats::log_log_slope(&large, &ef);
        assert!((slope + 3.0).abs() < 0.1, "large-s F slope {slope}");
        let eg: Vec<f64> = large
            .iter()
            .map(|&s| (logistic_slope_mean(s).unwrap() - logistic_slope_mean_large_scale(s)).abs())
            .collect();
        let slope = thermocheck_numerics::stats::log_log_slope(&large, &eg);
        assert!((slope + 5.0).abs() < 0.1, "large-s G slope {slope}");
    }

    #[test]
    fn limits_and_bad_input() {
        assert_eq!(softplus_mean(0.0).unwrap(), LN_2);
        assert_eq!(logistic_slope_mean(0.0).unwrap(), 0.25);
        let g = logistic_slope_mean(f64::MAX).unwrap();
        assert!(g > 0.0 && (g * f64::MAX * (2.0 * PI).sqrt() - 1.0).abs() < 1e-12);
        assert_eq!(softplus_mean(-1.0).unwrap_err().parameter(), Some("s"));
        assert!(logistic_slope_mean(f64::NAN).is_err());
    }
}
