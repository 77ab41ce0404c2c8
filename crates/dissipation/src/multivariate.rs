//! Multivariate Gaussian with constant covariance: the matrix learning-rate schedule $H^*(t)$
//! (spec D22–D24).
//!
//! The model is $E_\theta(x) = \tfrac12(x - \theta)^\top\Sigma^{-1}(x - \theta)$ with $\Sigma$ fixed,
//! symmetric positive definite. The chain mean obeys $\dot m = D\Sigma^{-1}(\theta - m)$, the
//! gradient estimate is $\hat g = \Sigma^{-1}(\mu_D - m)$ and learning is $\dot\theta = H(t)\,\hat g$
//! (D22). The eigendirections of $\Sigma$ (variances $\sigma_i^2$, relaxation times
//! $\tau_i = \sigma_i^2/D$) decouple, and each is the scalar problem of
//! [`gaussian`](crate::gaussian).
//!
//! # Why mode by mode is exact
//!
//! Every matrix of D23 is a rational function $f(\Sigma)$ of $\Sigma$ alone, e.g.
//! $H^*(t) = f_t(\Sigma)$ with $f_t(\lambda) = \lambda/((T - t) + 2\lambda/D)$, whose poles lie
//! off the (positive) spectrum. With the eigendecomposition $\Sigma = U\Lambda U^\top$, $U$
//! orthogonal, $\Sigma^k = U\Lambda^kU^\top$ and $(g(\Sigma))^{-1} = U\,g(\Lambda)^{-1}U^\top$, so
//! $f(\Sigma) = U f(\Lambda) U^\top$ exactly: these matrices commute with $\Sigma$ and with each
//! other, and evaluating $f$ eigenvalue by eigenvalue is the formula itself, not an approximation.
//! Numerically, the symmetric eigensolver is backward stable, so the matrices carry an absolute
//! error of a few $\varepsilon\,n\,\|f(\Sigma)\|$; the scalar $f(\lambda_i)$ use the stable forms of
//! [`gaussian`](crate::gaussian). The quadratic form $W^*_{ex}$ is instead computed by a Cholesky
//! solve with $DT\,I + 2\Sigma$ (no explicit inverse), whose relative error is a few
//! $\varepsilon\,\kappa(\Sigma)$.

use crate::gaussian::{GaussianProtocol, finite_result, time_inside};
use crate::schedule::{Gain, Schedule};
use nalgebra::{Cholesky, DMatrix, DVector, Dyn, SymmetricEigen};
use thermocheck_numerics::error::{self, Error, Requirement, Result};

/// Relative symmetry tolerance for a covariance:
/// $|\Sigma_{ij} - \Sigma_{ji}| \le 10^{-12}\max_{kl}|\Sigma_{kl}|$.
///
/// Exactly symmetric input (parsed text, $AA^\top$ products) passes with room to spare; a matrix
/// asymmetric beyond this is almost certainly a wrong input, not round-off. The accepted matrix is
/// symmetrised, $(\Sigma + \Sigma^\top)/2$.
pub const SYMMETRY_TOLERANCE: f64 = 1e-12;

/// The multivariate Gaussian learning problem of duration $T$: covariance $\Sigma$ and chain
/// diffusion $D$, validated (spec D22).
#[derive(Debug, Clone)]
pub struct MultivariateProtocol {
    duration: f64,
    diffusion: f64,
    covariance: DMatrix<f64>,
    /// Eigenvalues $\sigma_i^2$ of $\Sigma$.
    variances: DVector<f64>,
    /// Orthonormal eigenvectors of $\Sigma$, as columns.
    modes: DMatrix<f64>,
    /// Cholesky factor of $DT\,I + 2\Sigma$.
    shifted: Cholesky<f64, Dyn>,
}

impl MultivariateProtocol {
    /// Validates the duration $T$, the covariance $\Sigma$ and the diffusion constant $D$.
    ///
    /// $T$ is the training duration (time units), $\Sigma$ the fixed model covariance (squared
    /// position units, $n\times n$ symmetric positive definite) and $D$ the chain's diffusion
    /// constant. Spec: D22.
    ///
    /// # Errors
    /// - [`Error::InvalidParameter`] naming `duration` or `diffusion` unless finite and > 0;
    ///   `covariance-dimension` if $\Sigma$ is $0\times0$; `covariance[i,j]` for a non-finite
    ///   entry; `covariance[i,j] - covariance[j,i]` if the asymmetry exceeds
    ///   [`SYMMETRY_TOLERANCE`]$\cdot\max|\Sigma|$; `covariance smallest eigenvalue` unless it
    ///   exceeds $n\,\varepsilon\,\lambda_{max}$ and the Cholesky factorisation succeeds (positive
    ///   definite in floating point);
    /// - [`Error::DimensionMismatch`] naming `covariance-columns` if $\Sigma$ is not square.
    ///
    /// # Examples
    /// ```
    /// use nalgebra::DMatrix;
    /// use thermocheck_dissipation::multivariate::MultivariateProtocol;
    /// let sigma = DMatrix::from_row_slice(2, 2, &[0.5, 0.0, 0.0, 2.0]);
    /// let p = MultivariateProtocol::new(1.5, sigma, 1.0)?;
    /// assert_eq!(p.dimension(), 2);
    /// let bad = DMatrix::from_row_slice(2, 2, &[1.0, 2.0, 2.0, 1.0]); // eigenvalues 3, −1
    /// assert!(MultivariateProtocol::new(1.5, bad, 1.0).is_err());
    /// # Ok::<(), thermocheck_numerics::Error>(())
    /// ```
    pub fn new(duration: f64, covariance: DMatrix<f64>, diffusion: f64) -> Result<Self> {
        let duration = error::positive("duration", duration)?;
        let diffusion = error::positive("diffusion", diffusion)?;
        let n = covariance.nrows();
        error::count_at_least("covariance-dimension", n, 1)?;
        error::length("covariance-columns", covariance.ncols(), n)?;
        let mut scale: f64 = 0.0;
        for i in 0..n {
            for j in 0..n {
                let v = error::finite(&format!("covariance[{i},{j}]"), covariance[(i, j)])?;
                scale = scale.max(v.abs());
            }
        }
        let tol = SYMMETRY_TOLERANCE * scale;
        for i in 0..n {
            for j in (i + 1)..n {
                let diff = covariance[(i, j)] - covariance[(j, i)];
                if diff.abs() > tol {
                    return Err(Error::InvalidParameter {
                        parameter: format!("covariance[{i},{j}] - covariance[{j},{i}]"),
                        requirement: Requirement::InRange {
                            min: -tol,
                            max: tol,
                        },
                        value: diff,
                    });
                }
            }
        }
        let covariance = (&covariance + covariance.transpose()) * 0.5;
        let eigen = SymmetricEigen::new(covariance.clone());
        let largest = eigen.eigenvalues.max();
        let smallest = eigen.eigenvalues.min();
        let floor = n as f64 * f64::EPSILON * largest.max(0.0);
        let not_positive_definite = || Error::InvalidParameter {
            parameter: "covariance smallest eigenvalue".to_owned(),
            requirement: Requirement::GreaterThan(floor),
            value: smallest,
        };
        if smallest.partial_cmp(&floor) != Some(std::cmp::Ordering::Greater)
            || Cholesky::new(covariance.clone()).is_none()
        {
            return Err(not_positive_definite());
        }
        let shift = diffusion * duration;
        let shifted_matrix = DMatrix::from_diagonal_element(n, n, shift) + &covariance * 2.0;
        let shifted = Cholesky::new(shifted_matrix).ok_or_else(not_positive_definite)?;
        Ok(MultivariateProtocol {
            duration,
            diffusion,
            covariance,
            variances: eigen.eigenvalues,
            modes: eigen.eigenvectors,
            shifted,
        })
    }

    /// The dimension $n$ of $\theta$.
    pub fn dimension(&self) -> usize {
        self.covariance.nrows()
    }

    /// The duration $T$.
    pub fn duration(&self) -> f64 {
        self.duration
    }

    /// The diffusion constant $D$.
    pub fn diffusion(&self) -> f64 {
        self.diffusion
    }

    /// The (symmetrised) covariance $\Sigma$.
    pub fn covariance(&self) -> &DMatrix<f64> {
        &self.covariance
    }

    /// The mode variances $\sigma_i^2$ (eigenvalues of $\Sigma$, in the order of
    /// [`modes`](Self::modes)).
    pub fn mode_variances(&self) -> &DVector<f64> {
        &self.variances
    }

    /// The orthonormal eigenvectors of $\Sigma$, as columns.
    pub fn modes(&self) -> &DMatrix<f64> {
        &self.modes
    }

    /// The scalar problem of mode `index`: variance $\sigma_i^2$, same $T$ and $D$ (D22).
    ///
    /// # Errors
    /// As [`GaussianProtocol::new`] (only if $\tau_i = \sigma_i^2/D$ leaves the range of `f64`).
    ///
    /// # Panics
    /// If `index >= self.dimension()` (a programmer error).
    ///
    /// # Examples
    /// ```
    /// use nalgebra::DMatrix;
    /// use thermocheck_dissipation::multivariate::MultivariateProtocol;
    /// let p = MultivariateProtocol::new(1.5, DMatrix::from_diagonal_element(1, 1, 0.5), 1.0)?;
    /// assert_eq!(p.mode_protocol(0)?.variance(), 0.5);
    /// # Ok::<(), thermocheck_numerics::Error>(())
    /// ```
    #[track_caller]
    pub fn mode_protocol(&self, index: usize) -> Result<GaussianProtocol> {
        assert!(
            index < self.dimension(),
            "mode index {index} out of range for dimension {}",
            self.dimension()
        );
        GaussianProtocol::new(self.duration, self.variances[index], self.diffusion)
    }

    fn check_vector(&self, name: &str, v: &DVector<f64>) -> Result<()> {
        error::length(name, v.len(), self.dimension())?;
        error::all_finite(name, v.as_slice())
    }

    /// $U\,\mathrm{diag}(f(\sigma_i^2))\,U^\top$, symmetrised.
    fn spectral(&self, f: impl Fn(f64) -> f64) -> DMatrix<f64> {
        spectral(&self.modes, &self.variances, f)
    }

    /// Minimal excess work to move $\theta$ by the vector $\Delta$ in time $T$.
    ///
    /// $$W^*_{ex} = \Delta^\top\bigl(DT\,I + 2\Sigma\bigr)^{-1}\Delta = \sum_i \frac{(u_i^\top\Delta)^2}{DT + 2\sigma_i^2},$$
    /// where $\Delta = \mu_D - \theta_0$ (position units), $D$ the diffusion constant, $T$ the
    /// duration, $\Sigma$ the covariance with eigenpairs $(\sigma_i^2, u_i)$ (units of $k_BT$).
    /// Computed by a Cholesky solve with $DT\,I + 2\Sigma$. Mode by mode this is D12.
    /// Spec: D23.
    ///
    /// # Errors
    /// [`Error::DimensionMismatch`] naming `distance` if $\Delta$ has the wrong length;
    /// [`Error::InvalidParameter`] naming `distance` for a non-finite entry;
    /// [`Error::OutOfRange`] if the result overflows.
    ///
    /// # Examples
    /// ```
    /// use nalgebra::{DMatrix, DVector};
    /// use thermocheck_dissipation::multivariate::MultivariateProtocol;
    /// // DV11: Σ = diag(0.5, 2), D = 1, T = 1.5, Δ = (1, −2): W* = 0.4 + 0.727273.
    /// let sigma = DMatrix::from_row_slice(2, 2, &[0.5, 0.0, 0.0, 2.0]);
    /// let p = MultivariateProtocol::new(1.5, sigma, 1.0)?;
    /// let w = p.min_excess_work(&DVector::from_row_slice(&[1.0, -2.0]))?;
    /// assert!((w - (0.4 + 4.0 / 5.5)).abs() < 1e-15);
    /// # Ok::<(), thermocheck_numerics::Error>(())
    /// ```
    pub fn min_excess_work(&self, distance: &DVector<f64>) -> Result<f64> {
        self.check_vector("distance", distance)?;
        let z = self.shifted.solve(distance);
        finite_result(
            "min-excess-work",
            &["duration", "covariance", "diffusion", "distance"],
            distance.dot(&z),
        )
    }

    /// Lower bound on the excess work of any schedule that moves $\theta$ by
    /// $\theta_T - \theta_0$.
    ///
    /// $$W_{ex} \ge (\theta_T - \theta_0)^\top\bigl(DT\,I + 2\Sigma\bigr)^{-1}(\theta_T - \theta_0),$$
    /// where $\theta_T - \theta_0$ is the displacement achieved, $D$ the diffusion constant, $T$
    /// the duration and $\Sigma$ the covariance. Spec: D23, D18.
    ///
    /// # Errors
    /// As [`min_excess_work`](Self::min_excess_work), naming `displacement`.
    ///
    /// # Examples
    /// ```
    /// use nalgebra::{DMatrix, DVector};
    /// use thermocheck_dissipation::multivariate::MultivariateProtocol;
    /// let p = MultivariateProtocol::new(1.0, DMatrix::identity(2, 2), 1.0)?;
    /// let b = p.lower_bound(&DVector::from_row_slice(&[3.0, 4.0]))?;
    /// assert!((b - 25.0 / 3.0).abs() < 1e-14);
    /// # Ok::<(), thermocheck_numerics::Error>(())
    /// ```
    pub fn lower_bound(&self, displacement: &DVector<f64>) -> Result<f64> {
        self.check_vector("displacement", displacement)?;
        let z = self.shifted.solve(displacement);
        finite_result(
            "lower-bound",
            &["duration", "covariance", "diffusion", "distance"],
            displacement.dot(&z),
        )
    }

    /// The optimal learning-rate matrix on the open interval $0 < t < T$.
    ///
    /// $$H^*(t) = \Sigma\bigl[(T - t)\,I + 2\Sigma/D\bigr]^{-1} = U\,\mathrm{diag}\Big(\frac{\sigma_i^2}{(T - t) + 2\tau_i}\Big)\,U^\top,$$
    /// where $\Sigma = U\,\mathrm{diag}(\sigma_i^2)\,U^\top$ is the covariance, $\tau_i = \sigma_i^2/D$,
    /// $D$ the diffusion constant, $T$ the duration and $t$ the time (module docs: the spectral
    /// form is exact). Mode by mode this is D14's $\eta^*(t)$. Spec: D23.
    ///
    /// # Errors
    /// An error naming `time` unless $0 < t < T$.
    ///
    /// # Examples
    /// ```
    /// use nalgebra::DMatrix;
    /// use thermocheck_dissipation::multivariate::MultivariateProtocol;
    /// let sigma = DMatrix::from_row_slice(2, 2, &[0.5, 0.0, 0.0, 2.0]);
    /// let h = MultivariateProtocol::new(1.5, sigma, 1.0)?.optimal_rate(0.75)?;
    /// assert!((h[(0, 0)] - 0.5 / 1.75).abs() < 1e-15 && h[(0, 1)].abs() < 1e-15);
    /// # Ok::<(), thermocheck_numerics::Error>(())
    /// ```
    pub fn optimal_rate(&self, time: f64) -> Result<DMatrix<f64>> {
        let t = time_inside(time, self.duration)?;
        let remaining = self.duration - t;
        Ok(self.spectral(|s2| s2 / (remaining + 2.0 * (s2 / self.diffusion))))
    }

    /// The one-sided limits $(H^*(0^+), H^*(T^-)) = (\Sigma[TI + 2\Sigma/D]^{-1},\ DI/2)$.
    ///
    /// $$H^*(0^+) = U\,\mathrm{diag}\Big(\frac{\sigma_i^2}{T + 2\tau_i}\Big)U^\top,\qquad H^*(T^-) = \frac D2\,I,$$
    /// where $\Sigma = U\,\mathrm{diag}(\sigma_i^2)\,U^\top$, $\tau_i = \sigma_i^2/D$, $T$ the duration
    /// and $D$ the diffusion constant. Spec: D23.
    ///
    /// # Examples
    /// ```
    /// use nalgebra::DMatrix;
    /// use thermocheck_dissipation::multivariate::MultivariateProtocol;
    /// let sigma = DMatrix::from_row_slice(2, 2, &[0.5, 0.0, 0.0, 2.0]);
    /// let (start, _) = MultivariateProtocol::new(1.5, sigma, 1.0)?.optimal_rate_limits();
    /// // DV11: H*(0⁺) = diag(0.2, 0.363636).
    /// assert!((start[(0, 0)] - 0.2).abs() < 1e-15 && (start[(1, 1)] - 0.363636).abs() < 5e-7);
    /// # Ok::<(), thermocheck_numerics::Error>(())
    /// ```
    pub fn optimal_rate_limits(&self) -> (DMatrix<f64>, DMatrix<f64>) {
        let n = self.dimension();
        (
            self.spectral(|s2| s2 / (self.duration + 2.0 * (s2 / self.diffusion))),
            DMatrix::from_diagonal_element(n, n, self.diffusion / 2.0),
        )
    }

    /// The initial impulse matrix $H_0$.
    ///
    /// $$H_0 = \Sigma\,(\Sigma/D)\bigl(TI + 2\Sigma/D\bigr)^{-1} = U\,\mathrm{diag}\Big(\frac{\sigma_i^2}{x_i + 2}\Big)U^\top,
    ///   \qquad x_i = \frac{DT}{\sigma_i^2},$$
    /// where $\Sigma = U\,\mathrm{diag}(\sigma_i^2)\,U^\top$ is the covariance, $D$ the diffusion
    /// constant and $T$ the duration; each mode is D14's $\eta_0$ in its stable form.
    /// Spec: D23.
    ///
    /// # Examples
    /// ```
    /// use nalgebra::DMatrix;
    /// use thermocheck_dissipation::multivariate::MultivariateProtocol;
    /// let sigma = DMatrix::from_row_slice(2, 2, &[0.5, 0.0, 0.0, 2.0]);
    /// let h0 = MultivariateProtocol::new(1.5, sigma, 1.0)?.initial_impulse();
    /// // DV11: H₀ = diag(0.1, 0.727273).
    /// assert!((h0[(0, 0)] - 0.1).abs() < 1e-15 && (h0[(1, 1)] - 0.727273).abs() < 5e-7);
    /// # Ok::<(), thermocheck_numerics::Error>(())
    /// ```
    pub fn initial_impulse(&self) -> DMatrix<f64> {
        let td = self.duration * self.diffusion;
        self.spectral(|s2| s2 / (td / s2 + 2.0))
    }

    /// The final impulse matrix $H_T = \Sigma/2$.
    ///
    /// $$H_T = \frac{\Sigma}{2},$$
    /// where $\Sigma$ is the covariance. Spec: D23.
    ///
    /// # Examples
    /// ```
    /// use nalgebra::DMatrix;
    /// use thermocheck_dissipation::multivariate::MultivariateProtocol;
    /// let sigma = DMatrix::from_row_slice(2, 2, &[0.5, 0.0, 0.0, 2.0]);
    /// let ht = MultivariateProtocol::new(1.5, sigma, 1.0)?.final_impulse();
    /// assert_eq!((ht[(0, 0)], ht[(1, 1)]), (0.25, 1.0));
    /// # Ok::<(), thermocheck_numerics::Error>(())
    /// ```
    pub fn final_impulse(&self) -> DMatrix<f64> {
        &self.covariance * 0.5
    }

    /// The optimal parameter path for $0 < t < T$.
    ///
    /// $$\theta^*(t) = \theta_0 + \bigl(TI + 2\Sigma/D\bigr)^{-1}\bigl(tI + \Sigma/D\bigr)\,\Delta,$$
    /// where $\theta_0$ is the start, $\Delta = \mu_D - \theta_0$, $T$ the duration, $t$ the time,
    /// $\Sigma$ the covariance and $D$ the diffusion constant; mode by mode D13's
    /// $\theta_0 + v_i(t + \tau_i)$. It jumps at both ends, so the time must lie in the open
    /// interval. Spec: D23, D13.
    ///
    /// # Errors
    /// [`Error::DimensionMismatch`] or [`Error::InvalidParameter`] naming `start` or `target`;
    /// an error naming `time` unless $0 < t < T$.
    ///
    /// # Examples
    /// ```
    /// use nalgebra::{DMatrix, DVector};
    /// use thermocheck_dissipation::multivariate::MultivariateProtocol;
    /// let p = MultivariateProtocol::new(1.0, DMatrix::identity(2, 2), 1.0)?;
    /// let zero = DVector::zeros(2);
    /// let theta = p.optimal_protocol(&zero, &DVector::from_row_slice(&[5.0, -5.0]), 0.5)?;
    /// assert!((theta[0] - 2.5).abs() < 1e-14 && (theta[1] + 2.5).abs() < 1e-14);
    /// # Ok::<(), thermocheck_numerics::Error>(())
    /// ```
    pub fn optimal_protocol(
        &self,
        start: &DVector<f64>,
        target: &DVector<f64>,
        time: f64,
    ) -> Result<DVector<f64>> {
        self.check_vector("start", start)?;
        self.check_vector("target", target)?;
        let t = time_inside(time, self.duration)?;
        let fraction = self.spectral(|s2| {
            let tau = s2 / self.diffusion;
            (t + tau) / (self.duration + 2.0 * tau)
        });
        Ok(start + fraction * (target - start))
    }

    /// The optimal matrix schedule of D23 as a [`Schedule`], with or without its impulses.
    ///
    /// $$H^*(t) = \Sigma\bigl[(T - t)\,I + 2\Sigma/D\bigr]^{-1}\quad(0 \le t \le T),\qquad
    ///   H^* \ni H_0\,\delta(t) + H_T\,\delta(t - T),$$
    /// where $\Sigma$ is the covariance, $D$ the diffusion constant, $T$ the duration, and
    /// $H_0$, $H_T$ the impulse matrices ([`initial_impulse`](Self::initial_impulse),
    /// [`final_impulse`](Self::final_impulse)). The continuous part is evaluated in the spectral
    /// form of [`optimal_rate`](Self::optimal_rate) and extended to the closed interval by
    /// continuity ($H^*(T) = DI/2$), so an ODE solver may evaluate it at both ends. With impulses
    /// it brings every target to $\mu_D$ with $W = \Delta^\top(DTI + 2\Sigma)^{-1}\Delta$
    /// (D23); it takes no target. Spec: D23.
    ///
    /// # Errors
    /// Only if the schedule cannot be built (it always can for a validated protocol).
    ///
    /// # Examples
    /// ```
    /// use nalgebra::DMatrix;
    /// use thermocheck_dissipation::multivariate::MultivariateProtocol;
    /// use thermocheck_dissipation::schedule::Gain;
    /// let sigma = DMatrix::from_row_slice(2, 2, &[0.5, 0.0, 0.0, 2.0]);
    /// let p = MultivariateProtocol::new(1.5, sigma, 1.0)?;
    /// let s = p.optimal_schedule(true)?;
    /// let Gain::Matrix(h) = s.gain(0.0, 2)? else { unreachable!() };
    /// // DV11: H*(0⁺) = diag(0.2, 0.363636).
    /// assert!((h[(0, 0)] - 0.2).abs() < 1e-15 && (h[(1, 1)] - 4.0 / 11.0).abs() < 1e-15);
    /// assert_eq!(s.impulses().len(), 2);
    /// # Ok::<(), thermocheck_numerics::Error>(())
    /// ```
    pub fn optimal_schedule(&self, with_impulses: bool) -> Result<Schedule> {
        let (modes, variances) = (self.modes.clone(), self.variances.clone());
        let (duration, diffusion) = (self.duration, self.diffusion);
        let rate = move |t: f64| {
            let remaining = duration - t;
            spectral(&modes, &variances, |s2| {
                s2 / (remaining + 2.0 * (s2 / diffusion))
            })
        };
        if with_impulses {
            Schedule::matrix("optimal H*(t) with impulses H₀, H_T (D23)", duration, rate)?
                .with_impulse(0.0, Gain::Matrix(self.initial_impulse()))?
                .with_impulse(duration, Gain::Matrix(self.final_impulse()))
        } else {
            Schedule::matrix("optimal H*(t) without impulses", duration, rate)
        }
    }
}

/// $U\,\mathrm{diag}(f(\sigma_i^2))\,U^\top$, symmetrised, for eigenvectors `modes` (columns
/// of $U$) and eigenvalues `variances`.
fn spectral(
    modes: &DMatrix<f64>,
    variances: &DVector<f64>,
    f: impl Fn(f64) -> f64,
) -> DMatrix<f64> {
    let values = variances.map(f);
    let m = modes * DMatrix::from_diagonal(&values) * modes.transpose();
    (&m + m.transpose()) * 0.5
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;
    use proptest::prelude::*;

    fn diag(values: &[f64]) -> DMatrix<f64> {
        DMatrix::from_diagonal(&DVector::from_row_slice(values))
    }

    fn rotation(angle: f64) -> DMatrix<f64> {
        let (s, c) = angle.sin_cos();
        DMatrix::from_row_slice(2, 2, &[c, -s, s, c])
    }

    fn dv11() -> MultivariateProtocol {
        MultivariateProtocol::new(1.5, diag(&[0.5, 2.0]), 1.0).unwrap()
    }

    #[test]
    fn dv11_reference_values_are_reproduced() {
        const SPEC_ROUNDING: f64 = 5e-7; // spec rounds to 6 decimals
        let p = dv11();
        let delta = DVector::from_row_slice(&[1.0, -2.0]);
        assert!((p.min_excess_work(&delta).unwrap() - 1.127273).abs() < SPEC_ROUNDING);
        let (h_start, h_end) = p.optimal_rate_limits();
        let checks = [
            (h_start, [0.2, 0.363636]),
            (p.initial_impulse(), [0.1, 0.727273]),
            (p.final_impulse(), [0.25, 1.0]),
            (h_end, [0.5, 0.5]),
        ];
        for (m, expected) in checks {
            for i in 0..2 {
                assert!(
                    (m[(i, i)] - expected[i]).abs() < SPEC_ROUNDING,
                    "{m} vs {expected:?}"
                );
            }
            assert!(m[(0, 1)].abs() < 1e-16 && m[(1, 0)].abs() < 1e-16);
        }
    }

    // D24 (scalar schedules tuned to one mode miss the other's target, spec DV11 values) is
    // claim DV11 in `claims/multivariate.rs`, on the moment-ODE engine mode by mode.

    #[test]
    fn cholesky_work_equals_the_mode_sum_and_is_rotation_invariant() {
        let base = diag(&[0.3, 1.7]);
        let delta = DVector::from_row_slice(&[0.9, -1.4]);
        let p0 = MultivariateProtocol::new(2.0, base, 0.6).unwrap();
        let w0 = p0.min_excess_work(&delta).unwrap();
        // Σᵢ (uᵢᵀΔ)²/(DT + 2σᵢ²) with the eigenpairs, through the scalar D12.
        let projected = p0.modes().transpose() * &delta;
        let modal: f64 = (0..2)
            .map(|i| {
                p0.mode_protocol(i)
                    .unwrap()
                    .min_excess_work(projected[i])
                    .unwrap()
            })
            .sum::<f64>();
        assert_relative_eq!(w0, modal, max_relative = 4.0 * f64::EPSILON);
        for angle in [0.3, 1.1, 2.5] {
            let r = rotation(angle);
            let sigma = &r * diag(&[0.3, 1.7]) * r.transpose();
            let p = MultivariateProtocol::new(2.0, sigma, 0.6).unwrap();
            // Conditioning: κ = 1.7/0.3 ≈ 6, a handful of ε.
            assert_relative_eq!(
                p.min_excess_work(&(&r * &delta)).unwrap(),
                w0,
                max_relative = 1e-14
            );
            let h = p.optimal_rate(0.8).unwrap();
            let expected = &r * p0.optimal_rate(0.8).unwrap() * r.transpose();
            assert!((h - expected).amax() < 1e-15);
        }
    }

    #[test]
    fn invalid_covariances_name_the_problem() {
        let e = MultivariateProtocol::new(1.0, DMatrix::zeros(2, 3), 1.0).unwrap_err();
        assert_eq!(e.parameter(), Some("covariance-columns"));
        let e = MultivariateProtocol::new(1.0, DMatrix::zeros(0, 0), 1.0).unwrap_err();
        assert_eq!(e.parameter(), Some("covariance-dimension"));
        let nan = DMatrix::from_row_slice(2, 2, &[1.0, f64::NAN, f64::NAN, 1.0]);
        let e = MultivariateProtocol::new(1.0, nan, 1.0).unwrap_err();
        assert_eq!(e.parameter(), Some("covariance[0,1]"));
        let asym = DMatrix::from_row_slice(2, 2, &[1.0, 0.2, 0.1, 1.0]);
        let e = MultivariateProtocol::new(1.0, asym, 1.0).unwrap_err();
        assert_eq!(e.parameter(), Some("covariance[0,1] - covariance[1,0]"));
        assert!(e.to_string().contains("got 0.1"), "{e}");
        // Round-off asymmetry is accepted and symmetrised.
        let nearly = DMatrix::from_row_slice(2, 2, &[1.0, 0.2, 0.2 * (1.0 + 1e-15), 1.0]);
        let p = MultivariateProtocol::new(1.0, nearly, 1.0).unwrap();
        assert_eq!(p.covariance()[(0, 1)], p.covariance()[(1, 0)]);
        let indefinite = DMatrix::from_row_slice(2, 2, &[1.0, 2.0, 2.0, 1.0]);
        let e = MultivariateProtocol::new(1.0, indefinite, 1.0).unwrap_err();
        assert_eq!(e.parameter(), Some("covariance smallest eigenvalue"));
        let singular = DMatrix::from_row_slice(2, 2, &[1.0, 1.0, 1.0, 1.0]);
        assert!(MultivariateProtocol::new(1.0, singular, 1.0).is_err());
        let e = MultivariateProtocol::new(0.0, DMatrix::identity(2, 2), 1.0).unwrap_err();
        assert_eq!(e.parameter(), Some("duration"));
        let p = dv11();
        let e = p.min_excess_work(&DVector::zeros(3)).unwrap_err();
        assert_eq!(e.parameter(), Some("distance"));
        let e = p
            .min_excess_work(&DVector::from_row_slice(&[1.0, f64::INFINITY]))
            .unwrap_err();
        assert_eq!(e.parameter(), Some("distance[1]"));
        assert_eq!(p.optimal_rate(1.5).unwrap_err().parameter(), Some("time"));
        assert_eq!(p.optimal_rate(0.0).unwrap_err().parameter(), Some("time"));
    }

    proptest! {
        /// Σ = σ²I reduces every matrix quantity to the scalar one times I, and W* to the scalar
        /// W* of the distance |Δ|. T, σ², D log-uniform in [1e-3, 1e3], n in 1..=4, Δ entries in
        /// [−10, 10]. Tolerance: a few ε (conditioning 1).
        #[test]
        fn isotropic_covariance_reduces_to_the_scalar_protocol(
            lt in -3.0f64..3.0, ls in -3.0f64..3.0, ld in -3.0f64..3.0,
            delta in proptest::collection::vec(-10.0f64..10.0, 1..=4), frac in 0.01f64..0.99) {
            let (t, s2, d) = (10f64.powf(lt), 10f64.powf(ls), 10f64.powf(ld));
            let n = delta.len();
            let p = MultivariateProtocol::new(t, DMatrix::from_diagonal_element(n, n, s2), d).unwrap();
            let q = GaussianProtocol::new(t, s2, d).unwrap();
            let delta = DVector::from_vec(delta);
            let w = p.min_excess_work(&delta).unwrap();
            let ws = q.min_excess_work(delta.norm()).unwrap();
            prop_assert!((w - ws).abs() <= 8.0 * f64::EPSILON * ws, "{} vs {}", w, ws);
            let eye = DMatrix::<f64>::identity(n, n);
            let time = frac * t;
            let pairs = [
                (p.optimal_rate(time).unwrap(), q.optimal_learning_rate(time).unwrap()),
                (p.initial_impulse(), q.initial_impulse()),
                (p.final_impulse(), q.final_impulse()),
            ];
            for (m, s) in pairs {
                prop_assert!((m - &eye * s).amax() <= 4.0 * f64::EPSILON * s);
            }
        }
    }
}
