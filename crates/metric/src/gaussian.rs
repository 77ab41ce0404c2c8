//! Closed forms of the friction tensor and the Fisher information for Gaussian families and
//! translation families (spec M9–M12).
//!
//! All with $k_BT = 1$ and $X = \partial_\theta E$. Products of powers are evaluated through
//! `scaled_power` so that a representable result is never lost to an intermediate overflow or
//! a subnormal intermediate (e.g. $1/(4Dk^3)$ with $k = 10^{-104}$, $D = 10^{10}$).

use nalgebra::DMatrix;
use thermocheck_numerics::error::{self, Error, Result};

/// $c\,a^{p}\,b^{q}$ for positive finite $a, b, c$, evaluated in logarithms of the binary
/// exponents so that only the final result can overflow or underflow. Relative error: a few ulp.
pub(crate) fn scaled_power(c: f64, factors: &[(f64, i32)]) -> f64 {
    // Split each factor into mantissa in [1, 2) and binary exponent; powers of the mantissas stay
    // in range for the small integer powers used here.
    let mut mantissa = c;
    let mut exponent: i64 = 0;
    for &(value, power) in factors {
        let bits = value.to_bits();
        let (m, e) = if (bits >> 52) & 0x7ff == 0 {
            // Subnormal: normalise first.
            let scaled = value * 2f64.powi(64);
            let e_scaled = ((scaled.to_bits() >> 52) & 0x7ff) as i64 - 1023;
            (scaled / 2f64.powi(e_scaled as i32), e_scaled - 64)
        } else {
            let e = ((bits >> 52) & 0x7ff) as i64 - 1023;
            (f64::from_bits((bits & !(0x7ff << 52)) | (1023 << 52)), e)
        };
        mantissa *= m.powi(power);
        exponent += e * power as i64;
    }
    // Apply the binary exponent in steps that cannot overflow an f64 scale factor.
    let mut result = mantissa;
    while exponent > 0 {
        let step = exponent.min(1000);
        result *= 2f64.powi(step as i32);
        exponent -= step;
    }
    while exponent < 0 {
        let step = (-exponent).min(1000);
        result /= 2f64.powi(step as i32);
        exponent += step;
    }
    result
}

fn representable(value: f64, parameters: &[&str], what: &str) -> Result<f64> {
    if value.is_finite() && value > 0.0 {
        Ok(value)
    } else {
        Err(Error::out_of_range(
            parameters,
            format!("{what} is not representable as a positive f64"),
        ))
    }
}

/// Friction of a translation family $E_\theta(x) = U(x - \theta)$ in $d$ dimensions (M9, M10):
/// $\zeta = I/D$ exactly, whatever the confining shape $U$.
///
/// # Errors
/// `diffusion` not finite and $> 0$; `dimension` zero; $1/D$ not representable.
pub fn translation_friction(dimension: usize, diffusion: f64) -> Result<DMatrix<f64>> {
    error::count_at_least("dimension", dimension, 1)?;
    let d = error::positive("diffusion", diffusion)?;
    let z = representable(1.0 / d, &["diffusion"], "1/D")?;
    Ok(DMatrix::from_diagonal_element(dimension, dimension, z))
}

/// Fisher information of the 1-D Gaussian mean $E = (x-\theta)^2/(2\sigma^2)$ (M10):
/// $I_F = 1/\sigma^2$.
///
/// # Errors
/// `variance` not finite and $> 0$; the result not representable.
pub fn mean_fisher(variance: f64) -> Result<f64> {
    let v = error::positive("variance", variance)?;
    representable(1.0 / v, &["variance"], "1/σ²")
}

/// Friction of the stiffness family $E_k = kx^2/2$, $X = x^2/2$ (M11):
/// $$\zeta(k) = \frac{1}{4Dk^3}.$$
///
/// # Errors
/// `stiffness` or `diffusion` not finite and $> 0$; the result not representable.
pub fn stiffness_friction(stiffness: f64, diffusion: f64) -> Result<f64> {
    let k = error::positive("stiffness", stiffness)?;
    let d = error::positive("diffusion", diffusion)?;
    representable(
        scaled_power(0.25, &[(d, -1), (k, -3)]),
        &["stiffness", "diffusion"],
        "ζ = 1/(4Dk³)",
    )
}

/// Fisher information of the stiffness family (M11): $I_F = \operatorname{Var}(x^2/2) = 1/(2k^2)$.
///
/// # Errors
/// `stiffness` not finite and $> 0$; the result not representable.
pub fn stiffness_fisher(stiffness: f64) -> Result<f64> {
    let k = error::positive("stiffness", stiffness)?;
    representable(
        scaled_power(0.5, &[(k, -2)]),
        &["stiffness"],
        "I_F = 1/(2k²)",
    )
}

/// The single relaxation time of $X = x^2/2$ in the stiffness family (M11):
/// $\tau_k = 1/(2kD)$, half the position relaxation time.
///
/// # Errors
/// `stiffness` or `diffusion` not finite and $> 0$; the result not representable.
pub fn stiffness_relaxation_time(stiffness: f64, diffusion: f64) -> Result<f64> {
    let k = error::positive("stiffness", stiffness)?;
    let d = error::positive("diffusion", diffusion)?;
    representable(
        scaled_power(0.5, &[(k, -1), (d, -1)]),
        &["stiffness", "diffusion"],
        "τ = 1/(2kD)",
    )
}

/// Friction of the two-parameter Gaussian $E = k(x-\mu)^2/2$, $\theta = (\mu, k)$ (M12):
/// $$\zeta = \operatorname{diag}\Big(\frac1D,\ \frac{1}{4Dk^3}\Big).$$
///
/// # Errors
/// As [`translation_friction`] and [`stiffness_friction`].
pub fn mean_stiffness_friction(stiffness: f64, diffusion: f64) -> Result<DMatrix<f64>> {
    let zeta_kk = stiffness_friction(stiffness, diffusion)?;
    let zeta_mm = translation_friction(1, diffusion)?[(0, 0)];
    Ok(DMatrix::from_diagonal(&nalgebra::DVector::from_vec(vec![
        zeta_mm, zeta_kk,
    ])))
}

/// Fisher information of the two-parameter Gaussian (M12):
/// $I_F = \operatorname{diag}\big(k,\ 1/(2k^2)\big)$.
///
/// # Errors
/// `stiffness` not finite and $> 0$; the result not representable.
pub fn mean_stiffness_fisher(stiffness: f64) -> Result<DMatrix<f64>> {
    let k = error::positive("stiffness", stiffness)?;
    let i_kk = stiffness_fisher(k)?;
    Ok(DMatrix::from_diagonal(&nalgebra::DVector::from_vec(vec![
        k, i_kk,
    ])))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scaled_power_survives_extreme_intermediates() {
        // 1/(4Dk³) at k = 1e-104, D = 1e10: k³ = 1e-312 is subnormal, the result 2.5e301 is not.
        let z = stiffness_friction(1e-104, 1e10).unwrap();
        assert!((z / 2.5e301 - 1.0).abs() < 1e-14, "{z:e}");
        // k = 1e104, D = 1e-10: (1/k)³ = 1e-312 is subnormal, the result 2.5e-303 is not.
        let z = stiffness_friction(1e104, 1e-10).unwrap();
        assert!((z / 2.5e-303 - 1.0).abs() < 1e-14, "{z:e}");
        assert!(stiffness_friction(1e-110, 1.0).is_err());
        // A subnormal input: τ = 1/(2kD) at k = 1e-310, D = 1e10 is 5e299.
        let tau = stiffness_relaxation_time(1e-310, 1e10).unwrap();
        assert!((tau / 5e299 - 1.0).abs() < 1e-14, "{tau:e}");
        assert!(stiffness_friction(0.0, 1.0).is_err());
    }

    /// M9–M12 against the M7 quadrature (an independent method: Chebyshev panels on the density,
    /// no closed form), over a grid of stiffness and diffusion spanning 200 decades: 1e-10
    /// relative (the bound) and within M7's own n-vs-2n estimate. The mean sits half a
    /// standard deviation from 0 (a density far narrower than the f64 grid at its mode is
    /// OutOfRange, see `friction`).
    #[test]
    fn closed_forms_match_m7_quadrature() {
        use crate::energy::GaussianMeanStiffness;
        use crate::friction::{FrictionOptions, friction_tensor};
        for k in [1e-100, 1e-7, 0.3, 1.0, 42.0, 1e9, 1e100] {
            for d in [1e-50, 0.7, 1e50] {
                let Ok(zeta) = mean_stiffness_friction(k, d) else {
                    continue; // 1/(4Dk³) outside f64: OutOfRange, tested above
                };
                let fisher = mean_stiffness_fisher(k).unwrap();
                let r = friction_tensor(
                    &GaussianMeanStiffness,
                    &[0.5 / k.sqrt(), k],
                    d,
                    &FrictionOptions::default(),
                )
                .unwrap();
                for i in 0..2 {
                    let err = (r.friction[(i, i)] - zeta[(i, i)]).abs();
                    assert!(
                        err <= 1e-10 * zeta[(i, i)],
                        "k={k:e}, D={d:e}, ζ[{i}]: {} vs {}",
                        r.friction[(i, i)],
                        zeta[(i, i)]
                    );
                    assert!(err <= r.friction_error[(i, i)] + 64.0 * f64::EPSILON * zeta[(i, i)]);
                    assert!((r.fisher[(i, i)] / fisher[(i, i)] - 1.0).abs() <= 1e-10);
                }
                let tau_k = stiffness_relaxation_time(k, d).unwrap();
                assert!((r.relaxation_time(1, 1).unwrap() / tau_k - 1.0).abs() <= 1e-10);
                assert!(
                    (translation_friction(1, d).unwrap()[(0, 0)] * d - 1.0).abs() <= f64::EPSILON
                );
            }
        }
    }
}
