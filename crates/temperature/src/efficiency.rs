//! Work efficiency of an activation as a heat engine, and the two engine types (T29–T31).
//!
//! A layer with pre-activations $z \sim \mathcal N(0, q)$ takes in the heat $Q_h = q$ and passes on
//! the work $W = Q(q) = \mathbb E[\varphi(z)^2]$ (T29). The efficiencies computed here are
//!
//! | function | formula | spec |
//! |---|---|---|
//! | [`efficiency`] | $\eta_\varphi(q) = \mathbb E[\varphi(z)^2]/q$ | T29 |
//! | [`centred_efficiency`] | $\mathrm{Var}\,\varphi(z)/q$ | T29 (alternative) |
//! | [`marginal_efficiency`] | $Q'(q) = \mathbb E[\varphi(z)\varphi'(z)z]/q = \mathbb E[\varphi'(z)^2 + \varphi(z)\varphi''(z)]$ | T28, T29 |
//! | [`backward_efficiency`] | $\mathbb E[\varphi'(z)^2]$ | T29 (alternative) |
//!
//! all by double-exponential quadrature ([`gaussian_expectation`], standardised $z = \sqrt q\,u$,
//! split at 0 and at the kinks), each with its cross-checked error estimate.
//!
//! # Accuracy and range
//!
//! Quadrature runs at relative tolerance $10^{-12}$; against 30-digit `mpmath` values the observed
//! relative error is below $10^{-12}$ for every activation and $q \in [10^{-6}, 10^{6}]$ (tests).
//! Outside that range the results stay correct to the same order while they are normal `f64`s:
//! the integrand is rescaled, $\mathbb E[(\varphi(z)/c)^2]\,(c/\sqrt q)^2$ with
//! $c = \max(|\varphi(\sqrt q)|, |\varphi(-\sqrt q)|)$, so neither $\varphi^2$ nor $q$ is ever formed
//! where it could overflow or underflow; a result beyond the range of `f64` (the sigmoid's
//! $\eta \approx 1/(4q)$ at $q < 10^{-308}$) is an [`Error::OutOfRange`], never `inf` or NaN.
//!
//! # The centred efficiency without cancellation
//!
//! $\mathrm{Var}\,\varphi = \mathbb E\varphi^2 - (\mathbb E\varphi)^2$ loses everything for the
//! sigmoid at small $q$ ($\mathbb E\varphi^2 \approx \tfrac14 \gg \mathrm{Var}\,\varphi \approx q/16$).
//! Instead, with $\psi = \varphi - \varphi(0)$ evaluated without cancellation
//! ([`Activation::shifted_value`]: $\tfrac12\tanh(z/2)$ for the sigmoid) and $\mu = \mathbb E\psi$,
//! $$\mathrm{Var}\,\varphi = \mathrm{Var}\,\psi = \mathbb E\big[(\psi - \mu)^2\big],$$
//! a mean of non-negative terms, so the quadrature's relative accuracy carries over. An error
//! $\delta$ in $\mu$ changes the result by exactly $\delta^2$ ($\mathbb E(\psi - \mu - \delta)^2 =
//! \mathrm{Var}\,\psi + \delta^2$), second order, which the reported estimate includes.
//!
//! # Engine types (T30)
//!
//! [`classify_engine`] evaluates $\eta_\varphi$ on the grid $q = 10^{-4}, 10^{-3}, \dots, 10^{4}$ and
//! calls the activation *Type A* (constant efficiency) if all values agree within their
//! quadrature error estimates, *Type B* otherwise. Nothing is read from a list of names.

use crate::activation::Activation;
use std::f64::consts::PI;
use thermocheck_numerics::error::{self, Error, Result, fmt_number};
use thermocheck_numerics::quad::{QuadOptions, QuadReport, gaussian_expectation};
use thermocheck_numerics::tolerance::ROUNDING_ULPS;

/// Relative tolerance of every efficiency quadrature.
pub const REL_TOL: f64 = 1e-12;

/// A value with the cross-checked absolute error estimate of the quadrature that produced it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    /// The value.
    pub value: f64,
    /// Absolute error estimate (about ten times the actual error, see
    /// [`thermocheck_numerics::tolerance::ESTIMATE_FACTOR`]).
    pub error_estimate: f64,
}

/// $\mathbb E[f(z)]$, $z \sim \mathcal N(0, q)$, split at the kinks of `activation`, with an
/// absolute floor `abs_tol` for integrals that may vanish.
fn expect(
    activation: &Activation,
    q: f64,
    abs_tol: f64,
    f: impl Fn(f64) -> f64,
) -> Result<QuadReport> {
    let options = QuadOptions::new(REL_TOL, abs_tol)?;
    gaussian_expectation(f, q, activation.kinks(), &options)
}

/// A magnitude $c > 0$ of $f$ at the operating point: $\max(|f(s)|, |f(-s)|)$, or 1 if that is 0
/// or not finite. Dividing by it keeps the integrand $O(1)$ for every $q$.
fn magnitude(f: impl Fn(f64) -> f64, s: f64) -> f64 {
    let c = f(s).abs().max(f(-s).abs());
    if c > 0.0 && c.is_finite() { c } else { 1.0 }
}

/// `value`, unless it is not finite: then an [`Error::OutOfRange`] naming `variance`.
fn representable(what: &str, activation: &Activation, q: f64, e: Estimate) -> Result<Estimate> {
    if e.value.is_finite() && e.error_estimate.is_finite() {
        Ok(e)
    } else {
        Err(Error::out_of_range(
            &["variance"],
            format!(
                "{what} of {} at q = {} is beyond the range of f64",
                activation.label(),
                fmt_number(q)
            ),
        ))
    }
}

/// For a positively homogeneous activation every efficiency is $O(a_+^2 + a_-^2)$ (T27): when
/// the closed form $(a_+^2 + a_-^2)/2$ is not representable the quadrature would only meet an
/// infinite integrand, so this is an [`Error::OutOfRange`] naming `slope` up front.
fn homogeneous_representable(activation: &Activation) -> Result<()> {
    match activation.homogeneous_slopes() {
        Some((p, m)) if !homogeneous_efficiency(p, m).is_finite() => Err(Error::out_of_range(
            &["slope"],
            format!(
                "the efficiency (a₊² + a₋²)/2 of {} is beyond the range of f64",
                activation.label()
            ),
        )),
        _ => Ok(()),
    }
}

/// $\mathbb E[\varphi(z)^2]$ over $q$ scaled: returns $I = \mathbb E[(\varphi/c)^2]$ and
/// $(c/\sqrt q)^2$ factor pieces.
fn scaled_second_moment(activation: &Activation, q: f64) -> Result<(QuadReport, f64, f64)> {
    let q = error::positive("variance", q)?;
    homogeneous_representable(activation)?;
    let s = q.sqrt();
    let c = magnitude(|z| activation.value(z), s);
    let r = expect(activation, q, 0.0, |z| {
        let v = activation.value(z) / c;
        v * v
    })?;
    Ok((r, c, s))
}

/// The work $Q(q) = \mathbb E[\varphi(z)^2]$, $z \sim \mathcal N(0, q)$ (T28, T29).
///
/// # Errors
/// [`Error::InvalidParameter`] (`variance`) unless $q$ is finite and $> 0$;
/// [`Error::OutOfRange`] if $Q$ overflows; [`Error::NotConverged`] if the quadrature fails.
pub fn second_moment(activation: &Activation, q: f64) -> Result<Estimate> {
    let (r, c, _) = scaled_second_moment(activation, q)?;
    let e = Estimate {
        value: r.value * c * c,
        error_estimate: r.error_estimate * c * c,
    };
    representable("E[φ(z)²]", activation, q, e)
}

/// Work efficiency $\eta_\varphi(q) = \mathbb E_{z\sim\mathcal N(0,q)}[\varphi(z)^2]/q$ (T29).
///
/// Where: $q > 0$ is the pre-activation variance (heat taken in), $\varphi$ the activation.
/// Equal to $(a_+^2 + a_-^2)/2$ at every $q$ for positively homogeneous activations
/// ([`closed_form_efficiency`]); above 1 for the sigmoid and softplus at small $q$ (non-zero
/// output mean). Spec: T29, TV15.
///
/// # Errors
/// [`Error::InvalidParameter`] (`variance`) unless $q$ is finite and $> 0$;
/// [`Error::OutOfRange`] if $\eta$ is beyond `f64` (sigmoid, softplus at $q \lesssim 10^{-308}$);
/// [`Error::NotConverged`] if the quadrature fails.
///
/// # Examples
/// ```
/// use thermocheck_temperature::{activation::Activation, efficiency::efficiency};
/// let eta = efficiency(&Activation::Tanh, 1.0)?.value;
/// assert!((eta - 0.394294490).abs() < 1e-9); // spec TV15: 0.39429
/// assert!((efficiency(&Activation::Relu, 1e6)?.value - 0.5).abs() < 1e-12);
/// # Ok::<(), thermocheck_numerics::Error>(())
/// ```
pub fn efficiency(activation: &Activation, q: f64) -> Result<Estimate> {
    let (r, c, s) = scaled_second_moment(activation, q)?;
    let f = (c / s) * (c / s);
    let e = Estimate {
        value: r.value * f,
        error_estimate: r.error_estimate * f,
    };
    representable("E[φ(z)²]/q", activation, q, e)
}

/// Centred efficiency $\mathrm{Var}\,\varphi(z)/q$, $z \sim \mathcal N(0, q)$ (T29 alternative),
/// computed as $\mathbb E[(\psi - \mathbb E\psi)^2]/q$ with $\psi = \varphi - \varphi(0)$ (see the
/// [module documentation](self) for why this does not cancel).
///
/// Closed forms: $(a_+^2 + a_-^2)/2 - (a_+ - a_-)^2/(2\pi)$ for homogeneous activations (T31);
/// at most $1/16$ for the sigmoid (Gaussian Poincaré, $|\mathrm{sig}'| \le \tfrac14$). Spec: T29,
/// T31, TV15.
///
/// # Errors
/// As [`efficiency`].
pub fn centred_efficiency(activation: &Activation, q: f64) -> Result<Estimate> {
    let q = error::positive("variance", q)?;
    homogeneous_representable(activation)?;
    let s = q.sqrt();
    let c = magnitude(|z| activation.shifted_value(z), s);
    // E ψ may vanish (odd ψ): its error enters only squared, so an absolute floor of 1e-9 (in
    // units of c) costs at most 1e-18 of the O(1) scaled variance.
    let mean = expect(activation, q, 1e-9, |z| activation.shifted_value(z) / c)?;
    let mu = mean.value;
    let var = expect(activation, q, 0.0, |z| {
        let d = activation.shifted_value(z) / c - mu;
        d * d
    })?;
    let f = (c / s) * (c / s);
    let e = Estimate {
        value: var.value * f,
        error_estimate: (var.error_estimate + mean.error_estimate * mean.error_estimate) * f,
    };
    representable("Var φ(z)/q", activation, q, e)
}

/// $\varphi'(z) - \varphi'(0)$ without cancellation, for the activations with $\varphi(0) \ne 0$:
/// $\mathrm{sig}' - \tfrac14 = -\tfrac14\tanh^2(z/2)$ and $\mathrm{softplus}' - \tfrac12 = \tfrac12\tanh(z/2)$.
fn shifted_derivative(activation: &Activation, z: f64) -> f64 {
    match activation {
        Activation::Sigmoid => {
            let t = (0.5 * z).tanh();
            -0.25 * t * t
        }
        Activation::Softplus => 0.5 * (0.5 * z).tanh(),
        other => other.derivative(z) - other.derivative(0.0),
    }
}

/// Marginal efficiency $Q'(q) = \frac{d}{dq}\mathbb E[\varphi(z)^2]$ (T28, T29 alternative), by the
/// score form
/// $$Q'(q) = \frac{\mathbb E[\varphi(z)\varphi'(z)\,z]}{q}
///        = \frac{\mathbb E[\psi(z)\varphi'(z)\,z] + \varphi(0)\,\mathbb E[(\varphi'(z) - \varphi'(0))\,z]}{q},$$
/// where $\psi = \varphi - \varphi(0)$ (the second line drops $\varphi(0)\varphi'(0)\mathbb E z = 0$).
///
/// Derivation: $Q(q) = \mathbb E\varphi(\sqrt q u)^2$, so $Q' = \mathbb E[\varphi\varphi'(\sqrt q u)\,u]/\sqrt q$.
/// Stein's lemma turns this into the spec's $\mathbb E[\varphi'^2 + \varphi\varphi'']$
/// ([`marginal_efficiency_stein_form`]), but that integrand is the derivative of
/// $\varphi\varphi'$: for tanh at $q = 10^6$ it is $O(1)$ where the result is $4\times10^{-10}$, so it
/// cancels by a factor $\sim q$ and cannot reach $10^{-10}$ relative. The score form's
/// integrands are one-signed or nearly so ($\psi z \ge 0$ for the monotone activations), and the
/// split at $\varphi(0)$ removes the odd part $\tfrac12\mathrm{sig}'(z)z$ of the sigmoid's
/// integrand, which would otherwise dominate it at small $q$.
///
/// # Errors
/// As [`efficiency`].
pub fn marginal_efficiency(activation: &Activation, q: f64) -> Result<Estimate> {
    let q = error::positive("variance", q)?;
    homogeneous_representable(activation)?;
    let s = q.sqrt();
    // Standardised: E[(ψ/c) φ'(z) (z/s)]·c/s, with ψ scaled by its magnitude c as in `efficiency`.
    let c = magnitude(|z| activation.shifted_value(z), s);
    let main = expect(activation, q, 0.0, |z| {
        activation.shifted_value(z) / c * activation.derivative(z) * (z / s)
    })?;
    let mut value = main.value * c / s;
    let mut error_estimate = main.error_estimate * c / s;
    let phi0 = activation.value_at_zero();
    if phi0 != 0.0 {
        // E[(φ' − φ'(0)) z/s], integrated as its even part ½[g(z) + g(−z)]: for the sigmoid g is
        // exactly odd (φ' even), so the even part is exactly 0 in floating point rather than
        // two halves of size ¼E|u| cancelling to rounding. An absolute floor at the main term's
        // relative tolerance (in this integral's units) lets a vanishing integral converge.
        let floor = REL_TOL * (main.value * c).abs() / phi0.abs();
        let g = |z: f64| shifted_derivative(activation, z) * (z / s);
        let shift = expect(activation, q, floor, |z| 0.5 * (g(z) + g(-z)))?;
        value += phi0 * shift.value / s;
        error_estimate += phi0.abs() * shift.error_estimate / s;
    }
    representable(
        "Q'(q)",
        activation,
        q,
        Estimate {
            value,
            error_estimate,
        },
    )
}

/// $Q'(q) = \mathbb E[\varphi'(z)^2 + \varphi(z)\varphi''(z)]$, the spec's form (T28), by
/// quadrature: the independent route to [`marginal_efficiency`] (no score weight $z$, second
/// derivatives instead). Valid because $\varphi\varphi'$ is absolutely continuous for every
/// activation here (at the kinks of ReLU and leaky ReLU $\varphi(0) = 0$; the ELU's $\varphi'$ is
/// continuous). Well conditioned for moderate $q$ only: for saturating activations the integrand
/// is an exact derivative and cancels by a factor $\sim q$ at large $q$ (see
/// [`marginal_efficiency`]); there it fails with [`Error::NotConverged`] rather than return an
/// inaccurate value.
///
/// # Errors
/// As [`efficiency`].
pub fn marginal_efficiency_stein_form(activation: &Activation, q: f64) -> Result<Estimate> {
    let q = error::positive("variance", q)?;
    homogeneous_representable(activation)?;
    let r = expect(activation, q, 0.0, |z| {
        let d = activation.derivative(z);
        d * d + activation.value(z) * activation.second_derivative(z)
    })?;
    representable(
        "Q'(q)",
        activation,
        q,
        Estimate {
            value: r.value,
            error_estimate: r.error_estimate,
        },
    )
}

/// Backward efficiency $\mathbb E[\varphi'(z)^2]$, $z \sim \mathcal N(0, q)$ (T29 alternative): the
/// mean squared gain a gradient picks up passing back through the layer.
///
/// # Errors
/// As [`efficiency`].
pub fn backward_efficiency(activation: &Activation, q: f64) -> Result<Estimate> {
    let q = error::positive("variance", q)?;
    homogeneous_representable(activation)?;
    let r = expect(activation, q, 0.0, |z| {
        let d = activation.derivative(z);
        d * d
    })?;
    let e = Estimate {
        value: r.value,
        error_estimate: r.error_estimate,
    };
    representable("E[φ'(z)²]", activation, q, e)
}

/// $\eta = (a_+^2 + a_-^2)/2$ of a positively homogeneous activation with slopes $a_\pm$
/// (T27): $\mathbb E[\varphi(z)^2] = a_+^2\mathbb E[z^2\mathbf 1_{z>0}] + a_-^2\mathbb E[z^2\mathbf
/// 1_{z<0}]$ and each half carries $q/2$ for any symmetric $z$. It is also the marginal and
/// the backward efficiency.
pub fn homogeneous_efficiency(a_plus: f64, a_minus: f64) -> f64 {
    0.5 * (a_plus * a_plus + a_minus * a_minus)
}

/// Centred efficiency of a positively homogeneous activation with slopes $a_\pm$ (T31):
/// $(a_+^2 + a_-^2)/2 - (a_+ - a_-)^2/(2\pi)$, since $\mathbb E\varphi = (a_+ - a_-)\sqrt{q/(2\pi)}$.
/// Leaky ReLU: $(1+\alpha^2)/2 - (1-\alpha)^2/(2\pi)$; ReLU: $\tfrac12 - \tfrac1{2\pi}$.
pub fn homogeneous_centred_efficiency(a_plus: f64, a_minus: f64) -> f64 {
    let d = a_plus - a_minus;
    homogeneous_efficiency(a_plus, a_minus) - d * d / (2.0 * PI)
}

/// The closed-form $\eta_\varphi = (a_+^2 + a_-^2)/2$ of a positively homogeneous activation
/// with slopes $a_\pm$ ([`homogeneous_efficiency`]; the Type A engines of T30, constant in $q$);
/// `None` for the others.
///
/// Spec: T27, T29, T30.
pub fn closed_form_efficiency(activation: &Activation) -> Option<f64> {
    activation
        .homogeneous_slopes()
        .map(|(p, m)| homogeneous_efficiency(p, m))
}

/// A truncated series and the size of its first omitted term.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Asymptote {
    /// The truncated series.
    pub value: f64,
    /// The first omitted term (signed).
    pub first_omitted: f64,
}

/// tanh as $q \to 0$ (T31, refined): the asymptotic series
/// $\eta = 1 - 2q + \tfrac{17}{3}q^2 - \tfrac{62}{3}q^3 + \tfrac{1382}{15}q^4 - \dots$,
/// from $\tanh^2 z = z^2 - \tfrac23 z^4 + \tfrac{17}{45}z^6 - \tfrac{62}{315}z^8 + \dots$ and
/// $\mathbb E z^{2k} = (2k-1)!!\,q^k$. The first `terms` $\in \{1, 2, 3\}$ terms are kept
/// (2 is the spec's $1 - 2q$).
///
/// # Panics
/// If `terms` is not 1, 2 or 3 (a programmer error).
#[track_caller]
pub fn tanh_efficiency_small_q(q: f64, terms: usize) -> Asymptote {
    let c = [1.0, -2.0, 17.0 / 3.0, -62.0 / 3.0];
    assert!((1..=3).contains(&terms), "terms must be 1, 2 or 3");
    let value = (0..terms).rev().fold(0.0, |acc, k| acc * q + c[k]);
    Asymptote {
        value,
        first_omitted: c[terms] * q.powi(terms as i32),
    }
}

/// tanh as $q \to \infty$ (T31, refined): $\eta = \big(1 - \mathbb E\operatorname{sech}^2 z\big)/q$ with
/// $\mathbb E\operatorname{sech}^2 z = \sqrt{2/(\pi q)}\,\big(1 - \tfrac{\pi^2}{24q} + \tfrac{7\pi^4}{1920q^2} - \dots\big)$
/// (expanding the density $e^{-z^2/2q}/\sqrt{2\pi q}$ under $\int\operatorname{sech}^2 = 2$,
/// $\int z^2\operatorname{sech}^2 = \pi^2/6$, $\int z^4\operatorname{sech}^2 = 7\pi^4/120$).
/// `terms` = 1 is the spec's $(1 - \sqrt{2/(\pi q)})/q$; 2 adds the $\pi^2$ term.
///
/// # Panics
/// If `terms` is not 1 or 2.
#[track_caller]
pub fn tanh_efficiency_large_q(q: f64, terms: usize) -> Asymptote {
    assert!((1..=2).contains(&terms), "terms must be 1 or 2");
    let lead = (2.0 / (PI * q)).sqrt();
    let c = [1.0, -PI * PI / 24.0, 7.0 * PI.powi(4) / 1920.0];
    let sech2 = lead * (0..terms).rev().fold(0.0, |acc, k| acc / q + c[k]);
    Asymptote {
        value: (1.0 - sech2) / q,
        first_omitted: -lead * c[terms] / q.powi(terms as i32) / q,
    }
}

/// Sigmoid as $q \to 0$ (T31): since $\mathrm{sig} = \tfrac12 + \tfrac12\tanh(z/2)$,
/// $\eta_{\rm sig}(q) = \frac1{4q} + \frac1{16}\eta_{\tanh}(q/4) = \frac1{4q} + \frac1{16} - \frac q{32} + \frac{17q^2}{768} - \dots$.
/// `terms` counts the terms after $1/(4q)$ (2 is the spec's $\frac1{4q} + \frac1{16}$).
///
/// # Panics
/// If `terms` is not 1, 2 or 3.
#[track_caller]
pub fn sigmoid_efficiency_small_q(q: f64, terms: usize) -> Asymptote {
    let t = tanh_efficiency_small_q(q / 4.0, terms);
    Asymptote {
        value: 0.25 / q + t.value / 16.0,
        first_omitted: t.first_omitted / 16.0,
    }
}

/// Sigmoid as $q \to \infty$ (T31, refined): $\mathbb E\,\mathrm{sig}^2 = \tfrac12 - \mathbb E\,\mathrm{sig}'$
/// (from $\mathrm{sig}(-z) = 1 - \mathrm{sig}(z)$), and $\mathbb E\,\mathrm{sig}' =
/// \frac1{\sqrt{2\pi q}}\big(1 - \frac{\pi^2}{6q} + \frac{7\pi^4}{120q^2} - \dots\big)$
/// ($\int z^2\mathrm{sig}' = \pi^2/3$, $\int z^4\mathrm{sig}' = 7\pi^4/15$). `terms` = 1 is the spec's
/// $(\tfrac12 - 1/\sqrt{2\pi q})/q$.
///
/// # Panics
/// If `terms` is not 1 or 2.
#[track_caller]
pub fn sigmoid_efficiency_large_q(q: f64, terms: usize) -> Asymptote {
    assert!((1..=2).contains(&terms), "terms must be 1 or 2");
    let lead = 1.0 / (2.0 * PI * q).sqrt();
    let c = [1.0, -PI * PI / 6.0, 7.0 * PI.powi(4) / 120.0];
    let slope = lead * (0..terms).rev().fold(0.0, |acc, k| acc / q + c[k]);
    Asymptote {
        value: (0.5 - slope) / q,
        first_omitted: -lead * c[terms] / q.powi(terms as i32) / q,
    }
}

/// The two engine types of T30.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EngineType {
    /// Type A: $\eta_\varphi$ does not depend on the operating point $q$.
    ConstantEfficiency,
    /// Type B: $\eta_\varphi$ depends on $q$ (saturating or smooth activations).
    OperatingPointDependent,
}

/// The outcome of [`classify_engine`]: the type and the numbers that decided it.
#[derive(Debug, Clone, PartialEq)]
pub struct EngineClassification {
    /// The computed type.
    pub engine_type: EngineType,
    /// The grid of operating points $q$.
    pub grid: Vec<f64>,
    /// $\eta_\varphi$ on the grid.
    pub efficiencies: Vec<Estimate>,
    /// $\max_i \eta_i - \min_i \eta_i$.
    pub spread: f64,
    /// The spread allowed for a constant: the sum of the two largest error estimates plus
    /// [`ROUNDING_ULPS`]$\cdot\varepsilon\cdot\max\eta$.
    pub allowed: f64,
}

/// Classifies an activation as a Type A or Type B engine (T30) by computation: $\eta_\varphi$ at
/// $q = 10^{-4}, 10^{-3}, \dots, 10^{4}$ is constant within its quadrature error estimates (Type
/// A) or not (Type B).
///
/// # Errors
/// [`Error::NotConverged`] if a quadrature fails.
pub fn classify_engine(activation: &Activation) -> Result<EngineClassification> {
    let grid: Vec<f64> = (-4..=4).map(|k| 10f64.powi(k)).collect();
    let efficiencies = grid
        .iter()
        .map(|&q| efficiency(activation, q))
        .collect::<Result<Vec<_>>>()?;
    let (lo, hi) = efficiencies
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), e| {
            (lo.min(e.value), hi.max(e.value))
        });
    let mut errors: Vec<f64> = efficiencies.iter().map(|e| e.error_estimate).collect();
    errors.sort_by(|a, b| b.total_cmp(a));
    let allowed = errors[0] + errors[1] + ROUNDING_ULPS * f64::EPSILON * hi.abs();
    let spread = hi - lo;
    let engine_type = if spread <= allowed {
        EngineType::ConstantEfficiency
    } else {
        EngineType::OperatingPointDependent
    };
    Ok(EngineClassification {
        engine_type,
        grid,
        efficiencies,
        spread,
        allowed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn bad_variances_are_typed_errors() {
        for q in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            for f in [
                efficiency,
                centred_efficiency,
                marginal_efficiency,
                backward_efficiency,
            ] {
                let e = f(&Activation::Tanh, q).unwrap_err();
                assert_eq!(e.parameter(), Some("variance"), "{e}");
            }
        }
        // η_sig ≈ 1/(4q) overflows below q ≈ 7e-310: an out-of-range input error, not inf.
        let e = efficiency(&Activation::Sigmoid, 1e-310).unwrap_err();
        assert!(matches!(e, Error::OutOfRange { .. }), "{e}");
        // Leaky ReLU with α = 1e160: η = (1 + α²)/2 overflows at every q — OutOfRange naming
        // `slope`, not a NotConverged from an infinite integrand (review of issue #5).
        let a = Activation::leaky_relu(1e160).unwrap();
        for q in [1.0, 1e300] {
            for f in [
                efficiency,
                centred_efficiency,
                marginal_efficiency,
                backward_efficiency,
                second_moment,
            ] {
                let e = f(&a, q).unwrap_err();
                assert!(
                    matches!(&e, Error::OutOfRange { parameters, .. } if parameters == &["slope"]),
                    "{e}"
                );
            }
        }
    }

    #[test]
    fn extreme_variances_stay_finite_and_graceful() {
        // Far outside the documented range every efficiency is finite or a typed error.
        for a in Activation::all(0.1) {
            for q in [1e-300, 1e-30, 1e30, 1e300, f64::MAX] {
                match efficiency(&a, q) {
                    Ok(e) => assert!(e.value.is_finite() && e.value >= 0.0, "{} {q}", a.label()),
                    Err(e) => assert!(matches!(e, Error::OutOfRange { .. }), "{e}"),
                }
            }
        }
        // tanh at q = 1e300: η = (1 − √(2/(πq)))/q to ~1e-150 relative.
        let eta = efficiency(&Activation::Tanh, 1e300).unwrap().value;
        assert!((eta * 1e300 - 1.0).abs() < 1e-12, "{eta:e}");
        // tanh at q = f64::MAX: η ≈ 1/q, a subnormal; the quadrature sees O(1) values only.
        let eta = efficiency(&Activation::Tanh, f64::MAX).unwrap().value;
        assert!(
            eta > 0.0 && (eta / (1.0 / f64::MAX) - 1.0).abs() < 1e-6,
            "{eta:e}"
        );
    }

    #[test]
    fn classification_is_computed() {
        for a in Activation::all(0.1) {
            let c = classify_engine(&a).unwrap();
            let expect_a = a.homogeneous_slopes().is_some();
            assert_eq!(
                c.engine_type == EngineType::ConstantEfficiency,
                expect_a,
                "{}: spread {:e} allowed {:e}",
                a.label(),
                c.spread,
                c.allowed
            );
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        /// T27/T30: a positively homogeneous activation has the same η, marginal and backward
        /// efficiency $(1+\alpha^2)/2$ at every operating point, and centred efficiency
        /// $(1+\alpha^2)/2 - (1-\alpha)^2/(2\pi)$ — over $q \in [10^{-6}, 10^6]$ (log-uniform)
        /// and leaky slopes $\alpha \in [-1, 1]$; so the neighbour ratio $qQ'/Q$ of T28 is 1.
        /// Tolerance: the quadrature's own error estimate plus the rounding floor.
        #[test]
        fn homogeneous_efficiency_is_independent_of_q(log_q in -6.0f64..6.0, alpha in -1.0f64..1.0) {
            let q = 10f64.powf(log_q);
            let a = Activation::LeakyRelu { slope: alpha };
            let exact = homogeneous_efficiency(1.0, alpha);
            let centred = homogeneous_centred_efficiency(1.0, alpha);
            let floor = ROUNDING_ULPS * f64::EPSILON;
            for (what, e, x) in [
                ("η", efficiency(&a, q).unwrap(), exact),
                ("marginal", marginal_efficiency(&a, q).unwrap(), exact),
                ("backward", backward_efficiency(&a, q).unwrap(), exact),
                ("centred", centred_efficiency(&a, q).unwrap(), centred),
            ] {
                prop_assert!((e.value - x).abs() <= e.error_estimate + floor * x.abs(),
                    "{what} α={alpha} q={q:e}: {} vs {x} (est {:e})", e.value, e.error_estimate);
            }
            let ratio = q * marginal_efficiency(&a, q).unwrap().value / second_moment(&a, q).unwrap().value;
            prop_assert!((ratio - 1.0).abs() < 1e-11, "ratio {ratio}");
        }
    }
}
