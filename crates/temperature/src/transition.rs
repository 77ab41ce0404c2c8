//! Transition temperatures between states, the $S_{trained} = 0$ pitfall, and the Type II
//! (data-shift) temperature (spec T6, T21–T24). Entropies in nats, summed over the $n$
//! parameters; MSE without ½.

use crate::data::DataMoments;
use nalgebra::DVector;
use std::f64::consts::{E, PI};
use thermocheck_numerics::error::{self, Error, Result};

/// The chord temperature between two states (T6): $T_{0\to1} = (E_0 - E_1)/(S_0 - S_1)$.
///
/// # Errors
/// [`Error::InvalidParameter`] naming a non-finite input; [`Error::OutOfRange`] naming both
/// entropies if $S_1 = S_0$ (no entropy change: the chord is undefined).
pub fn transition_temperature(
    energy_initial: f64,
    energy_final: f64,
    entropy_initial: f64,
    entropy_final: f64,
) -> Result<f64> {
    error::finite("energy-initial", energy_initial)?;
    error::finite("energy-final", energy_final)?;
    error::finite("entropy-initial", entropy_initial)?;
    error::finite("entropy-final", entropy_final)?;
    if entropy_final == entropy_initial {
        return Err(Error::out_of_range(
            &["entropy-initial", "entropy-final"],
            format!(
                "initial and final entropies are equal ({}): the transition temperature ΔE/ΔS \
                 is undefined",
                error::fmt_number(entropy_final)
            ),
        ));
    }
    Ok((energy_initial - energy_final) / (entropy_initial - entropy_final))
}

/// The logarithmic mean $(x - y)/\ln(x/y)$ of two positive numbers, stable when $x\approx y$
/// (it tends to $x$): with $\rho = y/x$, $(1-\rho)/(-\ln\rho)$ and $-\ln\rho$ via `ln_1p`.
fn log_mean(x: f64, y: f64) -> f64 {
    if x == y {
        return x;
    }
    let d = (y - x) / x; // ρ − 1
    let l = -d.ln_1p(); // −ln ρ
    x * (-d) / l
}

/// Type I → trained with residual spread (T21): init $\mathcal N(0,\sigma_0^2I)$, final state
/// $\mathcal N(w^*, \sigma_1^2I)$, MSE:
///
/// $$T_{0\to1} = \frac{w^{*\top}Mw^* + (\sigma_0^2-\sigma_1^2)\operatorname{tr}M}{n\ln(\sigma_0/\sigma_1)},$$
///
/// where $M$ is the feature second moment, $w^* = M^{-1}b$ the least-squares optimum and $n$ the
/// number of parameters. $T\to0$ like $1/\ln(1/\sigma_1)$ as $\sigma_1\to0$.
///
/// # Errors
/// [`Error::InvalidParameter`] naming `sigma-initial`/`sigma-final` (not finite, $> 0$);
/// [`Error::OutOfRange`] naming both when they are equal (no entropy change); errors of
/// [`DataMoments::least_squares`].
pub fn trained_transition_temperature(
    moments: &DataMoments,
    sigma_initial: f64,
    sigma_final: f64,
) -> Result<f64> {
    let s0 = error::positive("sigma-initial", sigma_initial)?;
    let s1 = error::positive("sigma-final", sigma_final)?;
    if s0 == s1 {
        return Err(Error::out_of_range(
            &["sigma-initial", "sigma-final"],
            format!(
                "initial and final σ are equal ({}): the entropy does not change and the \
                 transition temperature ΔE/ΔS is undefined",
                error::fmt_number(s1)
            ),
        ));
    }
    let (w, _) = moments.least_squares()?;
    let signal = moments.quadratic_form(&w);
    let n = moments.dimension() as f64;
    Ok((signal + (s0 - s1) * (s0 + s1) * moments.trace()) / (n * (s0 / s1).ln()))
}

/// The same family with no signal (T22): $T = 2\bar m_2\,(\sigma_0^2-\sigma_1^2)/\ln(\sigma_0^2/\sigma_1^2)$,
/// $2\bar m_2$ times the logarithmic mean of the two variances, which lies strictly between
/// the local temperatures $2\sigma_1^2\bar m_2$ and $2\sigma_0^2\bar m_2$. Stable for
/// $\sigma_1\to\sigma_0$ (it tends to the local temperature).
///
/// # Errors
/// [`Error::InvalidParameter`] naming `mean-second-moment` ($\ge0$), `sigma-initial` or
/// `sigma-final` ($> 0$).
pub fn no_signal_transition_temperature(
    mean_second_moment: f64,
    sigma_initial: f64,
    sigma_final: f64,
) -> Result<f64> {
    let m2 = error::non_negative("mean-second-moment", mean_second_moment)?;
    let s0 = error::positive("sigma-initial", sigma_initial)?;
    let s1 = error::positive("sigma-final", sigma_final)?;
    Ok(2.0 * m2 * log_mean(s0 * s0, s1 * s1))
}

/// The $S_{trained} := 0$ convention (T23): $T = (E_0 - E_{min})/\big(\tfrac n2\ln(2\pi e\sigma_0^2)\big)$
/// with $E_0 - E_{min} = w^{*\top}Mw^* + \sigma_0^2\operatorname{tr}M$.
///
/// **A sign pitfall, not a physical negative temperature:** the denominator is the differential
/// entropy of the init, negative for $\sigma_0^2 < 1/(2\pi e)\approx0.0585498$ (e.g. fan-in
/// $\sigma_0^2 = 1/n$ with $n\ge18$), and the result then is negative; it is infinite at
/// $\sigma_0^2 = 1/(2\pi e)$ (reported as an error).
///
/// # Errors
/// [`Error::InvalidParameter`] naming `sigma-initial`; [`Error::OutOfRange`] naming
/// `sigma-initial` when the init entropy is 0 (the convention is singular there).
pub fn zero_entropy_convention_temperature(
    moments: &DataMoments,
    sigma_initial: f64,
) -> Result<f64> {
    let s0 = error::positive("sigma-initial", sigma_initial)?;
    let (w, _) = moments.least_squares()?;
    let excess = moments.quadratic_form(&w) + s0 * s0 * moments.trace();
    let n = moments.dimension() as f64;
    let entropy = n / 2.0 * (2.0 * PI * E * s0 * s0).ln();
    if entropy == 0.0 {
        return Err(Error::out_of_range(
            &["sigma-initial"],
            "σ₀² = 1/(2πe): the init entropy is 0 and the S_trained = 0 chord is infinite",
        ));
    }
    Ok(excess / entropy)
}

/// The init variance at which the $S_{trained}=0$ convention changes sign: $1/(2\pi e)$ (T23).
pub const ZERO_ENTROPY_VARIANCE: f64 = 1.0 / (2.0 * PI * E);

/// Type II, data-shift state (T24): the model is fixed at $w$, the data are
/// $x\sim\mathcal N(\mu, s^2I)$, $y = \beta^\top x + \varepsilon$, $\varepsilon\sim\mathcal N(0,\sigma_\varepsilon^2)$.
#[derive(Debug, Clone, PartialEq)]
pub struct DataShift {
    mismatch: DVector<f64>,
    mean: DVector<f64>,
    spread: f64,
    noise_sd: f64,
}

impl DataShift {
    /// The state with mismatch $\delta = \beta - w$, feature mean $\mu$, spread $s > 0$ and noise
    /// standard deviation $\sigma_\varepsilon\ge0$.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming `mismatch`, `mean` (empty or not finite), `spread`
    /// ($> 0$) or `noise-sd` ($\ge 0$); [`Error::DimensionMismatch`] naming `mean`.
    pub fn new(mismatch: &[f64], mean: &[f64], spread: f64, noise_sd: f64) -> Result<Self> {
        error::count_at_least("mismatch", mismatch.len(), 1)?;
        error::all_finite("mismatch", mismatch)?;
        error::length("mean", mean.len(), mismatch.len())?;
        error::all_finite("mean", mean)?;
        error::positive("spread", spread)?;
        error::non_negative("noise-sd", noise_sd)?;
        Ok(DataShift {
            mismatch: DVector::from_column_slice(mismatch),
            mean: DVector::from_column_slice(mean),
            spread,
            noise_sd,
        })
    }

    /// $n$.
    pub fn dimension(&self) -> usize {
        self.mismatch.len()
    }

    /// $E(s) = \sigma_\varepsilon^2 + s^2\lVert\delta\rVert^2 + (\delta^\top\mu)^2$ (T24), MSE.
    pub fn energy(&self) -> f64 {
        let dm = self.mismatch.dot(&self.mean);
        self.noise_sd * self.noise_sd
            + self.spread * self.spread * self.mismatch.norm_squared()
            + dm * dm
    }

    /// The data entropy $S_x = \tfrac n2\ln(2\pi es^2)$, nats (T24).
    pub fn entropy(&self) -> f64 {
        self.dimension() as f64 / 2.0 * (2.0 * PI * E * self.spread * self.spread).ln()
    }

    /// $T_{II} = \partial E/\partial S_x = 2s^2\lVert\delta\rVert^2/n$ (T24). A matched model
    /// ($\delta = 0$) is cold under spread shifts; a pure mean shift is work, not heat.
    pub fn temperature(&self) -> f64 {
        2.0 * self.spread * self.spread * self.mismatch.norm_squared() / self.dimension() as f64
    }

    /// The energy released by a refresh (retraining to $w = \beta$):
    /// $s^2\lVert\delta\rVert^2 + (\delta^\top\mu)^2$ (T24).
    pub fn refresh_release(&self) -> f64 {
        self.energy() - self.noise_sd * self.noise_sd
    }

    /// The same state at another spread $s$.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming `spread`.
    pub fn with_spread(&self, spread: f64) -> Result<Self> {
        let mut s = self.clone();
        s.spread = error::positive("spread", spread)?;
        Ok(s)
    }

    /// The mismatch $\delta$.
    pub fn mismatch(&self) -> &DVector<f64> {
        &self.mismatch
    }

    /// The feature mean $\mu$.
    pub fn mean(&self) -> &DVector<f64> {
        &self.mean
    }

    /// The spread $s$.
    pub fn spread(&self) -> f64 {
        self.spread
    }

    /// The noise standard deviation $\sigma_\varepsilon$.
    pub fn noise_sd(&self) -> f64 {
        self.noise_sd
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_mean_is_stable_near_equal_arguments() {
        let x = 2.0;
        let y = 2.0 * (1.0 + 1e-12);
        // (x − y)/ln(x/y) = x(1 + δ/2 − δ²/12 + …), δ = 1e-12.
        assert!((log_mean(x, y) - 2.0 * (1.0 + 0.5e-12)).abs() < 1e-15);
        assert!((log_mean(1.0, 0.01) - 0.99 / 100f64.ln()).abs() < 1e-15);
    }

    #[test]
    fn equal_entropies_are_a_clear_error() {
        let e = transition_temperature(1.0, 2.0, 1.0, 1.0).unwrap_err();
        assert!(matches!(e, Error::OutOfRange { .. }), "{e}");
        assert!(e.to_string().contains("entropies are equal"), "{e}");
        let m = DataMoments::diagonal(&[1.0], &[1.0], 2.0).unwrap();
        let e = trained_transition_temperature(&m, 0.5, 0.5).unwrap_err();
        assert!(matches!(e, Error::OutOfRange { .. }), "{e}");
        assert!(e.to_string().contains("σ are equal"), "{e}");
    }

    #[test]
    fn zero_entropy_convention_singularity_is_an_error() {
        let m = DataMoments::diagonal(&[1.0], &[1.0], 2.0).unwrap();
        let e = zero_entropy_convention_temperature(&m, ZERO_ENTROPY_VARIANCE.sqrt());
        // The exact root is not representable; either an error or a huge value of either sign.
        if let Ok(t) = e {
            assert!(t.abs() > 1e10);
        }
        assert!(zero_entropy_convention_temperature(&m, 0.2).unwrap() < 0.0);
        assert!(zero_entropy_convention_temperature(&m, 0.3).unwrap() > 0.0);
    }
}
