//! Energy families $E_\theta(x)$ of one-dimensional energy-based models (spec D1, D11, D25).
//!
//! A family maps parameters $\theta\in\mathbb R^n$ to an energy of a scalar state $x$. The model
//! density is $p_\theta = e^{-E_\theta}/Z_\theta$ and the free energy $F(\theta) = -\ln Z_\theta$
//! ($k_BT = 1$). Learning needs $E$, $\partial_x E$ (the chain's drift) and $\nabla_\theta E$ (the
//! gradient estimate and the work); the free energy is closed-form where one exists and
//! otherwise comes from quadrature.

use thermocheck_numerics::error::{self, Result};
use thermocheck_numerics::quad::{self, QuadOptions};

/// A one-dimensional energy family $E_\theta(x)$, with $p_\theta = e^{-E_\theta}/Z_\theta$,
/// $F(\theta) = -\ln Z_\theta$ and statistics $X_i = \partial_{\theta_i}E_\theta$ ($k_BT = 1$).
///
/// Spec: M1 (D1).
///
/// Implementors supply the energy and its two gradients; [`EnergyFamily::free_energy`] defaults
/// to quadrature of $Z_\theta = \int e^{-E_\theta(x)}\,dx$ over the real line.
pub trait EnergyFamily: Sync + Send {
    /// Human-readable name with the formula, e.g. `E = (x - θ)²/(2σ²)`.
    fn name(&self) -> String;

    /// Names of the parameters, kebab-case (length $n$).
    fn parameter_names(&self) -> Vec<String>;

    /// Checks that $\theta$ has length $n$, is finite and gives a normalisable density.
    ///
    /// # Errors
    /// A typed error naming the offending parameter.
    fn validate(&self, theta: &[f64]) -> Result<()>;

    /// $E_\theta(x)$.
    fn energy(&self, theta: &[f64], x: f64) -> f64;

    /// $\partial_x E_\theta(x)$.
    fn grad_x(&self, theta: &[f64], x: f64) -> f64;

    /// $\nabla_\theta E_\theta(x)$, written into `out` (length $n$).
    fn grad_theta(&self, theta: &[f64], x: f64, out: &mut [f64]);

    /// $E_\theta(x_j)$ for every `xs[j]`, into `out[j]` (the same values as
    /// [`EnergyFamily::energy`]). One call per batch: through `dyn EnergyFamily` the loop runs
    /// with the family's `energy` inlined (the default body is compiled per family).
    fn energies(&self, theta: &[f64], xs: &[f64], out: &mut [f64]) {
        for (o, &x) in out.iter_mut().zip(xs) {
            *o = self.energy(theta, x);
        }
    }

    /// $E_\theta(x_j)$ into `energies[j]` and $\nabla_\theta E_\theta(x_j)$ into
    /// `grads[j*n..(j+1)*n]` for every `xs[j]` (the values of [`EnergyFamily::energy`] and
    /// [`EnergyFamily::grad_theta`], in one call).
    fn energies_and_grads(
        &self,
        theta: &[f64],
        xs: &[f64],
        energies: &mut [f64],
        grads: &mut [f64],
    ) {
        let n = theta.len();
        for (j, &x) in xs.iter().enumerate() {
            energies[j] = self.energy(theta, x);
            self.grad_theta(theta, x, &mut grads[j * n..(j + 1) * n]);
        }
    }

    /// If $E_\theta(x) = \tfrac k2 (x-\mu)^2 + c(\theta)$, the trap `(k, μ)`: the chain then stays
    /// Gaussian and can be evolved exactly (moment ODEs, exact OU steps).
    ///
    /// Must return `Some` for every valid θ or `None` for all: the particle engine is chosen
    /// from θ₀, and a family whose trap disappears at a later θ ends the run with an error.
    fn quadratic_trap(&self, _theta: &[f64]) -> Option<(f64, f64)> {
        None
    }

    /// A Gaussian envelope for exact rejection sampling of $p_\theta$: `(c, b)` such that
    /// $e^{-E_\theta(x)} \le e^{\,b - c x^2/2}$ for all $x$, with $c > 0$.
    fn gaussian_envelope(&self, _theta: &[f64]) -> Option<(f64, f64)> {
        None
    }

    /// If $E_\theta(x)$ and every $\partial_{\theta_j}E_\theta(x)$ are polynomials in $x$, their
    /// largest degree. Degree ≤ 5 lets expectations under a Gaussian use the exact three-point
    /// Gauss–Hermite rule instead of adaptive quadrature.
    fn polynomial_degree(&self) -> Option<u32> {
        None
    }

    /// $F(\theta) = -\ln\int e^{-E_\theta(x)}dx$, by double-exponential quadrature over
    /// $\mathbb R$ to 1e-13 relative (an error estimate cross-checked n vs 2n).
    ///
    /// # Errors
    /// The validation error of $\theta$, or [`NotConverged`](thermocheck_numerics::Error::NotConverged) from the quadrature.
    fn free_energy(&self, theta: &[f64]) -> Result<f64> {
        self.validate(theta)?;
        let options = QuadOptions::new(1e-13, 0.0)?;
        let z = quad::integrate(
            |x: f64| (-self.energy(theta, x)).exp(),
            f64::NEG_INFINITY,
            f64::INFINITY,
            &[],
            &options,
        )?;
        Ok(-z.value.ln())
    }
}

fn check_len(theta: &[f64], n: usize) -> Result<()> {
    error::length("theta", theta.len(), n)?;
    error::all_finite("theta", theta)
}

/// Gaussian mean family $E_\theta(x) = (x-\theta)^2/(2\sigma^2)$ with fixed variance (spec D11).
///
/// $F(\theta) = -\tfrac12\ln(2\pi\sigma^2)$ does not depend on $\theta$.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GaussianMean {
    variance: f64,
}

impl GaussianMean {
    /// The family with variance $\sigma^2$.
    ///
    /// # Errors
    /// If `variance` is not finite and > 0.
    pub fn new(variance: f64) -> Result<Self> {
        Ok(GaussianMean {
            variance: error::positive("variance", variance)?,
        })
    }

    /// $\sigma^2$.
    pub fn variance(&self) -> f64 {
        self.variance
    }
}

impl EnergyFamily for GaussianMean {
    fn name(&self) -> String {
        format!("E = (x - θ)²/(2σ²), σ² = {}", self.variance)
    }
    fn parameter_names(&self) -> Vec<String> {
        vec!["mean".into()]
    }
    fn validate(&self, theta: &[f64]) -> Result<()> {
        check_len(theta, 1)
    }
    fn energy(&self, theta: &[f64], x: f64) -> f64 {
        (x - theta[0]).powi(2) / (2.0 * self.variance)
    }
    fn grad_x(&self, theta: &[f64], x: f64) -> f64 {
        (x - theta[0]) / self.variance
    }
    fn grad_theta(&self, theta: &[f64], x: f64, out: &mut [f64]) {
        out[0] = (theta[0] - x) / self.variance;
    }
    fn quadratic_trap(&self, theta: &[f64]) -> Option<(f64, f64)> {
        Some((1.0 / self.variance, theta[0]))
    }
    fn polynomial_degree(&self) -> Option<u32> {
        Some(2)
    }
    fn free_energy(&self, theta: &[f64]) -> Result<f64> {
        self.validate(theta)?;
        Ok(-0.5 * (2.0 * std::f64::consts::PI * self.variance).ln())
    }
}

/// Stiffness family $E_k(x) = kx^2/2$, $k > 0$ (spec D25): $F(k) = \tfrac12\ln(k/2\pi)$.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Stiffness;

impl EnergyFamily for Stiffness {
    fn name(&self) -> String {
        "E = k x²/2".into()
    }
    fn parameter_names(&self) -> Vec<String> {
        vec!["stiffness".into()]
    }
    fn validate(&self, theta: &[f64]) -> Result<()> {
        check_len(theta, 1)?;
        error::positive("stiffness", theta[0]).map(|_| ())
    }
    fn energy(&self, theta: &[f64], x: f64) -> f64 {
        0.5 * theta[0] * x * x
    }
    fn grad_x(&self, theta: &[f64], x: f64) -> f64 {
        theta[0] * x
    }
    fn grad_theta(&self, _theta: &[f64], x: f64, out: &mut [f64]) {
        out[0] = 0.5 * x * x;
    }
    fn quadratic_trap(&self, theta: &[f64]) -> Option<(f64, f64)> {
        Some((theta[0], 0.0))
    }
    fn polynomial_degree(&self) -> Option<u32> {
        Some(2)
    }
    fn free_energy(&self, theta: &[f64]) -> Result<f64> {
        self.validate(theta)?;
        Ok(0.5 * (theta[0] / (2.0 * std::f64::consts::PI)).ln())
    }
}

/// Two-parameter Gaussian $E_{\mu,k}(x) = k(x-\mu)^2/2$, $\theta = (\mu, k)$, $k>0$:
/// $F = \tfrac12\ln(k/2\pi)$. Spec: M12.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct GaussianMeanStiffness;

impl EnergyFamily for GaussianMeanStiffness {
    fn name(&self) -> String {
        "E = k (x - μ)²/2".into()
    }
    fn parameter_names(&self) -> Vec<String> {
        vec!["mean".into(), "stiffness".into()]
    }
    fn validate(&self, theta: &[f64]) -> Result<()> {
        check_len(theta, 2)?;
        error::positive("stiffness", theta[1]).map(|_| ())
    }
    fn energy(&self, theta: &[f64], x: f64) -> f64 {
        0.5 * theta[1] * (x - theta[0]).powi(2)
    }
    fn grad_x(&self, theta: &[f64], x: f64) -> f64 {
        theta[1] * (x - theta[0])
    }
    fn grad_theta(&self, theta: &[f64], x: f64, out: &mut [f64]) {
        out[0] = theta[1] * (theta[0] - x);
        out[1] = 0.5 * (x - theta[0]).powi(2);
    }
    fn quadratic_trap(&self, theta: &[f64]) -> Option<(f64, f64)> {
        Some((theta[1], theta[0]))
    }
    fn polynomial_degree(&self) -> Option<u32> {
        Some(2)
    }
    fn free_energy(&self, theta: &[f64]) -> Result<f64> {
        self.validate(theta)?;
        Ok(0.5 * (theta[1] / (2.0 * std::f64::consts::PI)).ln())
    }
}

/// Quartic family $E_\theta(x) = \theta_1 x^2/2 + \theta_2 x^4/4$ with $\theta_2 > 0$ (a double
/// well when $\theta_1 < 0$). Nothing about it is Gaussian: its free energy comes from quadrature.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Quartic;

impl EnergyFamily for Quartic {
    fn name(&self) -> String {
        "E = θ₁ x²/2 + θ₂ x⁴/4".into()
    }
    fn parameter_names(&self) -> Vec<String> {
        vec!["quadratic".into(), "quartic".into()]
    }
    fn validate(&self, theta: &[f64]) -> Result<()> {
        check_len(theta, 2)?;
        error::positive("quartic", theta[1]).map(|_| ())
    }
    fn energy(&self, theta: &[f64], x: f64) -> f64 {
        let x2 = x * x;
        x2 * (0.5 * theta[0] + 0.25 * theta[1] * x2)
    }
    fn grad_x(&self, theta: &[f64], x: f64) -> f64 {
        x * (theta[0] + theta[1] * x * x)
    }
    fn grad_theta(&self, _theta: &[f64], x: f64, out: &mut [f64]) {
        let x2 = x * x;
        out[0] = 0.5 * x2;
        out[1] = 0.25 * x2 * x2;
    }
    fn polynomial_degree(&self) -> Option<u32> {
        Some(4)
    }
    /// With $y = x^2$: $E - c y/2 = (\theta_1 - c)y/2 + \theta_2 y^2/4 \ge -(\theta_1-c)^2/(4\theta_2)$
    /// for $\theta_1 < c$ (minimum at $y = (c-\theta_1)/\theta_2$), and $\ge 0$ for $c = \theta_1 > 0$.
    fn gaussian_envelope(&self, theta: &[f64]) -> Option<(f64, f64)> {
        let (a, b) = (theta[0], theta[1]);
        if a > 0.0 {
            Some((a, 0.0))
        } else {
            let c = b.sqrt().max(1e-3);
            Some((c, (a - c).powi(2) / (4.0 * b)))
        }
    }
}

/// Quartic well $E_\theta(x) = (x-\theta)^4/4$: non-Gaussian *and* nonlinear in $\theta$, so
/// $E_{\theta+\Delta\theta} - E_\theta \ne \Delta\theta\,\partial_\theta E_\theta$ and a gradient step's
/// D7 ledger differs from its first-order estimate. A translation family: $F$ does not depend on
/// $\theta$ ($Z = \tfrac12\Gamma(\tfrac14)\,4^{1/4}$ by $u = (x-\theta)^4/4$; here by quadrature).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct QuarticWell;

impl EnergyFamily for QuarticWell {
    fn name(&self) -> String {
        "E = (x - θ)⁴/4".into()
    }
    fn parameter_names(&self) -> Vec<String> {
        vec!["centre".into()]
    }
    fn validate(&self, theta: &[f64]) -> Result<()> {
        check_len(theta, 1)
    }
    fn energy(&self, theta: &[f64], x: f64) -> f64 {
        0.25 * (x - theta[0]).powi(4)
    }
    fn grad_x(&self, theta: &[f64], x: f64) -> f64 {
        (x - theta[0]).powi(3)
    }
    fn grad_theta(&self, theta: &[f64], x: f64, out: &mut [f64]) {
        out[0] = -(x - theta[0]).powi(3);
    }
    fn polynomial_degree(&self) -> Option<u32> {
        Some(4)
    }
}

/// Quartic coupling family $E_\theta(x) = \theta x^4/4$, $\theta > 0$, with $X = x^4/4$: the
/// one-parameter family of the `friction-quartic` quantity. $Z = \tfrac12\Gamma(\tfrac14)
/// (4/\theta)^{1/4}$, so $F = -\ln Z$, $\langle X\rangle = 1/(4\theta)$ and
/// $I_F = \operatorname{Var}(X) = -\partial_\theta^2F = 1/(4\theta^2)$ (M5).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct QuarticCoupling;

impl EnergyFamily for QuarticCoupling {
    fn name(&self) -> String {
        "E = θ x⁴/4".into()
    }
    fn parameter_names(&self) -> Vec<String> {
        vec!["coupling".into()]
    }
    fn validate(&self, theta: &[f64]) -> Result<()> {
        check_len(theta, 1)?;
        error::positive("coupling", theta[0]).map(|_| ())
    }
    fn energy(&self, theta: &[f64], x: f64) -> f64 {
        0.25 * theta[0] * (x * x) * (x * x)
    }
    fn grad_x(&self, theta: &[f64], x: f64) -> f64 {
        theta[0] * x * x * x
    }
    fn grad_theta(&self, _theta: &[f64], x: f64, out: &mut [f64]) {
        out[0] = 0.25 * (x * x) * (x * x);
    }
    fn polynomial_degree(&self) -> Option<u32> {
        Some(4)
    }
}

/// $\ln\cosh y$ without overflow: $|y| + \ln(1 + e^{-2|y|}) - \ln 2$.
fn ln_cosh(y: f64) -> f64 {
    let a = y.abs();
    a + (-2.0 * a).exp().ln_1p() - std::f64::consts::LN_2
}

/// Translation family $E_\theta(x) = U(x - \theta)$ with the confining non-Gaussian shape
/// $$U(y) = \frac a2 y^2 + \frac b4 y^4 + c\,\ln\cosh y,\qquad a, b, c \ge 0,\ a + b + c > 0$$
/// (spec M9: $\zeta = 1/D$ whatever the shape, while $I_F = \langle U'^2\rangle = \langle U''\rangle$
/// depends on it). $c\ln\cosh$ alone gives the sech density $p \propto \cosh^{-c}$ with
/// exponential tails; $b$ alone the quartic well. $F$ does not depend on $\theta$.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TranslationWell {
    quadratic: f64,
    quartic: f64,
    log_cosh: f64,
}

impl TranslationWell {
    /// The shape $(a, b, c)$.
    ///
    /// # Errors
    /// Any coefficient not finite and $\ge 0$, or all three zero (`quadratic` is then named).
    pub fn new(quadratic: f64, quartic: f64, log_cosh: f64) -> Result<Self> {
        error::non_negative("quadratic", quadratic)?;
        error::non_negative("quartic", quartic)?;
        error::non_negative("log-cosh", log_cosh)?;
        if quadratic + quartic + log_cosh == 0.0 {
            return Err(error::Error::InvalidParameter {
                parameter: "quadratic".into(),
                requirement: error::Requirement::Positive,
                value: 0.0,
            });
        }
        Ok(TranslationWell {
            quadratic,
            quartic,
            log_cosh,
        })
    }

    /// $U(y)$. Terms with a zero coefficient are left out, so that $0\cdot\infty$ never
    /// appears where $y^2$ overflows.
    pub fn shape(&self, y: f64) -> f64 {
        let y2 = y * y;
        let mut u = 0.0;
        if self.quadratic != 0.0 {
            u += 0.5 * self.quadratic * y2;
        }
        if self.quartic != 0.0 {
            u += 0.25 * self.quartic * y2 * y2;
        }
        if self.log_cosh != 0.0 {
            u += self.log_cosh * ln_cosh(y);
        }
        u
    }

    /// $U'(y)$.
    pub fn shape_slope(&self, y: f64) -> f64 {
        let mut s = 0.0;
        if self.quadratic != 0.0 {
            s += self.quadratic * y;
        }
        if self.quartic != 0.0 {
            s += self.quartic * y * y * y;
        }
        if self.log_cosh != 0.0 {
            s += self.log_cosh * y.tanh();
        }
        s
    }

    /// $U''(y)$ (for the integration-by-parts route $I_F = \langle U''\rangle$).
    pub fn shape_curvature(&self, y: f64) -> f64 {
        let mut c = self.quadratic;
        if self.quartic != 0.0 {
            c += 3.0 * self.quartic * y * y;
        }
        if self.log_cosh != 0.0 {
            let sech = 1.0 / y.cosh();
            c += self.log_cosh * sech * sech;
        }
        c
    }
}

impl EnergyFamily for TranslationWell {
    fn name(&self) -> String {
        format!(
            "E = U(x - θ), U(y) = {} y²/2 + {} y⁴/4 + {} ln cosh y",
            self.quadratic, self.quartic, self.log_cosh
        )
    }
    fn parameter_names(&self) -> Vec<String> {
        vec!["centre".into()]
    }
    fn validate(&self, theta: &[f64]) -> Result<()> {
        check_len(theta, 1)
    }
    fn energy(&self, theta: &[f64], x: f64) -> f64 {
        self.shape(x - theta[0])
    }
    fn grad_x(&self, theta: &[f64], x: f64) -> f64 {
        self.shape_slope(x - theta[0])
    }
    fn grad_theta(&self, theta: &[f64], x: f64, out: &mut [f64]) {
        out[0] = -self.shape_slope(x - theta[0]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    /// The analytic gradients against central differences: h = 1e-5 gives truncation error
    /// ~h²·|E'''|/6 and round-off ~ε|E|/h, both below 1e-8 relative for these O(1) points.
    #[test]
    fn gradients_match_central_differences() {
        let families: Vec<(Box<dyn EnergyFamily>, Vec<f64>)> = vec![
            (Box::new(GaussianMean::new(0.7).unwrap()), vec![0.3]),
            (Box::new(Stiffness), vec![1.7]),
            (Box::new(GaussianMeanStiffness), vec![-0.4, 2.2]),
            (Box::new(Quartic), vec![-1.0, 0.5]),
            (Box::new(QuarticWell), vec![0.4]),
            (Box::new(QuarticCoupling), vec![1.3]),
            (
                Box::new(TranslationWell::new(0.5, 0.2, 1.5).unwrap()),
                vec![-0.3],
            ),
        ];
        let h = 1e-5;
        for (family, theta) in &families {
            for &x in &[-1.3, 0.2, 0.9] {
                let fd = (family.energy(theta, x + h) - family.energy(theta, x - h)) / (2.0 * h);
                assert_relative_eq!(family.grad_x(theta, x), fd, max_relative = 1e-8);
                let mut g = vec![0.0; theta.len()];
                family.grad_theta(theta, x, &mut g);
                for j in 0..theta.len() {
                    let mut tp = theta.clone();
                    let mut tm = theta.clone();
                    tp[j] += h;
                    tm[j] -= h;
                    let fd = (family.energy(&tp, x) - family.energy(&tm, x)) / (2.0 * h);
                    assert_relative_eq!(g[j], fd, max_relative = 1e-8, epsilon = 1e-10);
                }
            }
        }
    }

    /// The closed-form free energies against the quadrature default (D1): independent methods.
    /// Tolerance 1e-12 absolute: the quadrature is asked for 1e-13 relative on Z, i.e. ~1e-13 on
    /// ln Z.
    #[test]
    fn closed_form_free_energies_match_quadrature() {
        struct ByQuadrature<'a>(&'a dyn EnergyFamily);
        impl EnergyFamily for ByQuadrature<'_> {
            fn name(&self) -> String {
                self.0.name()
            }
            fn parameter_names(&self) -> Vec<String> {
                self.0.parameter_names()
            }
            fn validate(&self, theta: &[f64]) -> Result<()> {
                self.0.validate(theta)
            }
            fn energy(&self, theta: &[f64], x: f64) -> f64 {
                self.0.energy(theta, x)
            }
            fn grad_x(&self, theta: &[f64], x: f64) -> f64 {
                self.0.grad_x(theta, x)
            }
            fn grad_theta(&self, theta: &[f64], x: f64, out: &mut [f64]) {
                self.0.grad_theta(theta, x, out)
            }
        }
        let cases: Vec<(Box<dyn EnergyFamily>, Vec<f64>)> = vec![
            (Box::new(GaussianMean::new(0.01).unwrap()), vec![3.0]),
            (Box::new(GaussianMean::new(50.0).unwrap()), vec![-2.0]),
            (Box::new(Stiffness), vec![4.0]),
            (Box::new(GaussianMeanStiffness), vec![1.5, 0.2]),
        ];
        for (family, theta) in &cases {
            let closed = family.free_energy(theta).unwrap();
            let numeric = ByQuadrature(family.as_ref()).free_energy(theta).unwrap();
            assert!(
                (closed - numeric).abs() < 1e-12,
                "{}: {closed} vs {numeric}",
                family.name()
            );
        }
    }

    /// Quartic with θ₁ = 0: Z = ∫ e^{-a x⁴} dx = 2Γ(5/4) a^{-1/4} = ½Γ(1/4)(4/θ₂)^{1/4} with
    /// a = θ₂/4 (substitute u = a x⁴). Γ(1/4) = 3.6256099082219083119 to 20 digits (mpmath
    /// `gamma(0.25)`), independent of the quadrature.
    #[test]
    fn quartic_free_energy_matches_gamma_function_value() {
        let gamma_quarter = 3.625_609_908_221_908_f64;
        let theta2 = 2.0_f64;
        let z = 0.5 * gamma_quarter * (4.0 / theta2).powf(0.25);
        let f = Quartic.free_energy(&[0.0, theta2]).unwrap();
        assert!((f + z.ln()).abs() < 1e-12, "{f} vs {}", -z.ln());
        // The quartic well is the same integral with θ₂ = 1, at any centre.
        let z_well = 0.5 * gamma_quarter * 4f64.powf(0.25);
        let f_well = QuarticWell.free_energy(&[1.7]).unwrap();
        assert!(
            (f_well + z_well.ln()).abs() < 1e-12,
            "{f_well} vs {}",
            -z_well.ln()
        );
    }

    /// The curvature of the translation well against central differences of its slope
    /// (h = 1e-5: truncation ~h² U⁗/6 and round-off ~ε U′/h, both below 1e-8 relative
    /// here); the stable ln cosh against the direct formula where that does not overflow, and
    /// its linear growth beyond.
    #[test]
    fn translation_well_curvature_and_ln_cosh() {
        let u = TranslationWell::new(0.5, 0.2, 1.5).unwrap();
        let h = 1e-5;
        for &y in &[-2.1, -0.4, 0.0, 0.9, 3.3] {
            let fd = (u.shape_slope(y + h) - u.shape_slope(y - h)) / (2.0 * h);
            assert_relative_eq!(u.shape_curvature(y), fd, max_relative = 1e-8);
            assert_relative_eq!(
                ln_cosh(y),
                y.cosh().ln(),
                max_relative = 1e-14,
                epsilon = 1e-15
            );
        }
        assert_relative_eq!(
            ln_cosh(1000.0),
            1000.0 - std::f64::consts::LN_2,
            max_relative = 1e-15
        );
        assert!(TranslationWell::new(0.0, 0.0, 0.0).is_err());
        assert!(TranslationWell::new(1.0, -1.0, 0.0).is_err());
    }

    #[test]
    fn invalid_parameters_are_named() {
        let e = Stiffness.validate(&[-1.0]).unwrap_err();
        assert_eq!(e.to_string(), "stiffness must be finite and > 0 (got -1)");
        let e = Quartic.validate(&[1.0]).unwrap_err();
        assert!(e.to_string().contains("theta must have length 2"), "{e}");
        assert!(GaussianMean::new(f64::NAN).is_err());
        assert!(Quartic.free_energy(&[0.0, 0.0]).is_err());
    }
}
