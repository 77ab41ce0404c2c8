//! Natural-gradient learning-rate matrices and the flows they induce (spec M18–M20).
//!
//! With the D4 gradient estimate $\hat g = \mathbb E_q\[X\] - \mathbb E_{p_D}\[X\]$, linear response gives
//! the lag bias $\hat g \approx -\nabla\mathcal L + \zeta\dot\theta$ (M18). Learning $\dot\theta = H\hat g$
//! then follows the induced flow
//! $$\dot\theta = -\big(H^{-1} - \zeta\big)^{-1}\nabla\mathcal L\qquad(\text{M19}),$$
//! which descends only while $H^{-1} - \zeta \succ 0$ ([`induced_flow_matrix`] returns a typed error
//! otherwise). A learning-rate matrix $H = h\,G^{-1}$ ([`learning_rate_matrix`]) with $G = \zeta$ gives
//! the gain $h/(1-h)$ on $\zeta^{-1}\nabla\mathcal L$ ([`friction_natural_gain`], M19 a), with
//! $G = I_F$ and $\zeta = \tau I_F$ the gain $h/(1 - h\tau)$ on $I_F^{-1}\nabla\mathcal L$
//! ([`fisher_natural_gain`], M19 b). The inverse design $H = c\,(G + c\zeta)^{-1}$
//! ([`inverse_design`], M19 d) gives exactly $\dot\theta = -c\,G^{-1}\nabla\mathcal L$, and
//! [`constant_power_rate`] fixes $c$ by constant excess power (M19 f).
//!
//! All matrices are symmetric positive definite $n\times n$ (a metric $G$, a friction $\zeta$, a
//! learning-rate matrix $H$); they are checked by Cholesky factorisation.

use nalgebra::{Cholesky, DMatrix, DVector, Dyn};
use thermocheck_numerics::error::{self, Error, Result, fmt_number};

/// Checks that `m` is square of size `n` (if given) and finite.
fn check_square(name: &str, m: &DMatrix<f64>, n: usize) -> Result<()> {
    error::length(name, m.nrows(), n)?;
    error::length(name, m.ncols(), n)?;
    error::all_finite(name, m.as_slice())
}

/// The Cholesky factor of a symmetric matrix, or an error naming it as not positive definite.
fn positive_definite(name: &str, m: &DMatrix<f64>) -> Result<Cholesky<f64, Dyn>> {
    Cholesky::new(m.clone()).ok_or_else(|| {
        let smallest = m
            .clone()
            .symmetric_eigenvalues()
            .iter()
            .copied()
            .fold(f64::INFINITY, f64::min);
        Error::out_of_range(
            &[name],
            format!(
                "it must be symmetric positive definite (smallest eigenvalue {})",
                fmt_number(smallest)
            ),
        )
    })
}

/// The natural-gradient learning-rate matrix $H = h\,G^{-1}$ (M19).
///
/// $$H = h\,G^{-1},$$
/// where $h \ge 0$ is the scalar rate and $G$ the metric ($\zeta$ or $I_F$, symmetric positive
/// definite). With $G = \zeta$, $h$ is dimensionless. Spec: M19.
///
/// # Errors
/// [`Error::InvalidParameter`] naming `rate` unless finite and $\ge 0$, or `metric[i]` for a
/// non-finite entry; [`Error::DimensionMismatch`] (`metric`) unless square;
/// [`Error::OutOfRange`] (`metric`) unless positive definite.
///
/// # Examples
/// ```
/// use nalgebra::DMatrix;
/// use thermocheck_metric::natural_gradient::learning_rate_matrix;
/// let h = learning_rate_matrix(0.5, &DMatrix::from_diagonal_element(2, 2, 4.0))?;
/// assert_eq!(h[(0, 0)], 0.125);
/// # Ok::<(), thermocheck_numerics::Error>(())
/// ```
pub fn learning_rate_matrix(rate: f64, metric: &DMatrix<f64>) -> Result<DMatrix<f64>> {
    let h = error::non_negative("rate", rate)?;
    check_square("metric", metric, metric.nrows())?;
    Ok(positive_definite("metric", metric)?.inverse() * h)
}

/// The matrix of the induced flow, $(H^{-1} - \zeta)^{-1}$ (M19), checking that it descends.
///
/// $$\dot\theta = -\big(H^{-1} - \zeta\big)^{-1}\nabla\mathcal L,$$
/// where $H$ is the learning-rate matrix and $\zeta$ the friction; valid only while
/// $H^{-1} - \zeta \succ 0$ (M19 e: as $H \to \zeta^{-1}$ the lag-corrected rate diverges).
/// Spec: M19.
///
/// # Errors
/// [`Error::DimensionMismatch`] (`friction`) unless both are $n\times n$; [`Error::OutOfRange`]
/// naming `learning-rate-matrix` unless $H \succ 0$, or naming `learning-rate-matrix` and
/// `friction` unless $H^{-1} - \zeta \succ 0$ (the flow would not descend).
///
/// # Examples
/// ```
/// use nalgebra::DMatrix;
/// use thermocheck_metric::natural_gradient::induced_flow_matrix;
/// let zeta = DMatrix::from_element(1, 1, 1.0);
/// // H = 0.5: (2 − 1)⁻¹ = 1.
/// assert!((induced_flow_matrix(&DMatrix::from_element(1, 1, 0.5), &zeta)?[(0, 0)] - 1.0).abs() < 1e-15);
/// // H = 2 ≥ ζ⁻¹: no descent.
/// assert!(induced_flow_matrix(&DMatrix::from_element(1, 1, 2.0), &zeta).is_err());
/// # Ok::<(), thermocheck_numerics::Error>(())
/// ```
pub fn induced_flow_matrix(
    learning_rate: &DMatrix<f64>,
    friction: &DMatrix<f64>,
) -> Result<DMatrix<f64>> {
    let n = learning_rate.nrows();
    check_square("learning-rate-matrix", learning_rate, n)?;
    check_square("friction", friction, n)?;
    let h_inverse = positive_definite("learning-rate-matrix", learning_rate)?.inverse();
    let lagged = h_inverse - friction;
    let factor = Cholesky::new(lagged.clone()).ok_or_else(|| {
        let smallest = lagged
            .symmetric_eigenvalues()
            .iter()
            .copied()
            .fold(f64::INFINITY, f64::min);
        Error::out_of_range(
            &["learning-rate-matrix", "friction"],
            format!(
                "H⁻¹ − ζ must be positive definite for the flow to descend (smallest \
                 eigenvalue {}): linear response breaks down as H → ζ⁻¹ (M19 e)",
                fmt_number(smallest)
            ),
        )
    })?;
    Ok(factor.inverse())
}

/// The induced flow $\dot\theta = -(H^{-1} - \zeta)^{-1}\nabla\mathcal L$ (M19).
///
/// # Errors
/// As [`induced_flow_matrix`]; [`Error::DimensionMismatch`] (`gradient`) unless it has $n$
/// entries.
///
/// # Examples
/// ```
/// use nalgebra::{DMatrix, DVector};
/// use thermocheck_metric::natural_gradient::induced_flow;
/// let v = induced_flow(&DMatrix::from_element(1, 1, 0.5), &DMatrix::from_element(1, 1, 1.0),
///                      &DVector::from_element(1, 3.0))?;
/// assert!((v[0] + 3.0).abs() < 1e-14, "{}", v[0]);
/// # Ok::<(), thermocheck_numerics::Error>(())
/// ```
pub fn induced_flow(
    learning_rate: &DMatrix<f64>,
    friction: &DMatrix<f64>,
    gradient: &DVector<f64>,
) -> Result<DVector<f64>> {
    let m = induced_flow_matrix(learning_rate, friction)?;
    error::length("gradient", gradient.len(), m.nrows())?;
    error::all_finite("gradient", gradient.as_slice())?;
    Ok(-(m * gradient))
}

/// The gain of the friction-natural-gradient schedule $H = h\,\zeta^{-1}$ (M19 a).
///
/// $$\dot\theta = -\frac{h}{1-h}\,\zeta^{-1}\nabla\mathcal L,\qquad 0 \le h < 1,$$
/// where $h$ is the dimensionless rate. Spec: M19 (a).
///
/// # Errors
/// [`Error::InvalidParameter`] naming `rate` unless $0 \le h < 1$.
///
/// # Examples
/// ```
/// assert_eq!(thermocheck_metric::natural_gradient::friction_natural_gain(0.5)?, 1.0);
/// # Ok::<(), thermocheck_numerics::Error>(())
/// ```
pub fn friction_natural_gain(rate: f64) -> Result<f64> {
    let h = error::in_range("rate", rate, 0.0, 1.0)?;
    if h == 1.0 {
        return Err(Error::InvalidParameter {
            parameter: "rate".to_owned(),
            requirement: error::Requirement::InRange {
                min: 0.0,
                max: 1.0 - f64::EPSILON / 2.0,
            },
            value: h,
        });
    }
    Ok(h / (1.0 - h))
}

/// The gain of the Fisher-natural-gradient schedule $H = h\,I_F^{-1}$ when $\zeta = \tau I_F$
/// (M19 b).
///
/// $$\dot\theta = -\frac{h}{1-h\tau}\,I_F^{-1}\nabla\mathcal L,\qquad 0 \le h < 1/\tau,$$
/// where $h$ is the rate (per unit time) and $\tau$ the common relaxation time. Spec: M19 (b).
///
/// # Errors
/// [`Error::InvalidParameter`] naming `relaxation-time` unless finite and $> 0$, or `rate` unless
/// $0 \le h\tau < 1$.
///
/// # Examples
/// ```
/// assert_eq!(thermocheck_metric::natural_gradient::fisher_natural_gain(1.0, 0.5)?, 2.0);
/// # Ok::<(), thermocheck_numerics::Error>(())
/// ```
pub fn fisher_natural_gain(rate: f64, relaxation_time: f64) -> Result<f64> {
    let tau = error::positive("relaxation-time", relaxation_time)?;
    let h = error::non_negative("rate", rate)?;
    let lag = 1.0 - h * tau;
    if lag.is_nan() || lag <= 0.0 {
        return Err(Error::InvalidParameter {
            parameter: "rate".to_owned(),
            requirement: error::Requirement::InRange {
                min: 0.0,
                max: 1.0 / tau,
            },
            value: h,
        });
    }
    Ok(h / lag)
}

/// The inverse design of M19 (d): the learning-rate matrix whose induced flow is exactly the
/// natural gradient $-c\,G^{-1}\nabla\mathcal L$.
///
/// $$H = \big(G/c + \zeta\big)^{-1} = c\,\big(G + c\,\zeta\big)^{-1},$$
/// where $G$ is the metric, $\zeta$ the friction and $c \ge 0$ the rate of the desired flow
/// (inverse time when $G = \zeta$ up to the units of $G$). Spec: M19 (d), M20.
///
/// # Errors
/// [`Error::InvalidParameter`] naming `rate` unless finite and $\ge 0$;
/// [`Error::DimensionMismatch`] (`friction`) unless both are $n\times n$; [`Error::OutOfRange`]
/// naming `metric` and `friction` unless $G + c\zeta \succ 0$.
///
/// # Examples
/// M20, 1-D Gaussian mean ($G = \zeta = 1/D$, $\tau = \sigma^2/D$): $c = \tau/(T+\tau-t)$ gives
/// $\eta^* = \sigma^2/(T+2\tau-t)$ (D14). With $\sigma^2 = D = T = 1$, $t = 0.5$: $\eta^* = 0.4$.
/// ```
/// use nalgebra::DMatrix;
/// use thermocheck_metric::natural_gradient::inverse_design;
/// let g = DMatrix::from_element(1, 1, 1.0);
/// let h = inverse_design(&g, &g, 1.0 / 1.5)?;
/// assert!((h[(0, 0)] - 0.4).abs() < 1e-15);
/// # Ok::<(), thermocheck_numerics::Error>(())
/// ```
pub fn inverse_design(
    metric: &DMatrix<f64>,
    friction: &DMatrix<f64>,
    rate: f64,
) -> Result<DMatrix<f64>> {
    let c = error::non_negative("rate", rate)?;
    let n = metric.nrows();
    check_square("metric", metric, n)?;
    check_square("friction", friction, n)?;
    let combined = metric + friction * c;
    let factor = Cholesky::new(combined).ok_or_else(|| {
        Error::out_of_range(
            &["metric", "friction"],
            "G + cζ must be symmetric positive definite",
        )
    })?;
    Ok(factor.inverse() * c)
}

/// The rate $c$ of a natural-gradient flow $\dot\theta = -c\,G^{-1}\nabla\mathcal L$ at constant
/// excess power (M19 f).
///
/// $$c = \sqrt{\frac{P_{ex}}{\nabla\mathcal L^\top G^{-1}\zeta\,G^{-1}\nabla\mathcal L}},$$
/// where $P_{ex} \ge 0$ is the excess power ($k_BT$ per unit time), $G$ the metric, $\zeta$ the
/// friction and $\nabla\mathcal L$ the gradient: then $\dot\theta^\top\zeta\dot\theta = P_{ex}$.
/// Spec: M19 (f).
///
/// # Errors
/// [`Error::InvalidParameter`] naming `power` unless finite and $\ge 0$;
/// [`Error::DimensionMismatch`] for mismatched sizes; [`Error::OutOfRange`] (`metric`) unless
/// $G \succ 0$, or (`gradient`) if the quadratic form vanishes (at a stationary point no rate
/// gives a positive power).
///
/// # Examples
/// ```
/// use nalgebra::{DMatrix, DVector};
/// use thermocheck_metric::natural_gradient::constant_power_rate;
/// let g = DMatrix::from_element(1, 1, 2.0);
/// let c = constant_power_rate(1.0, &g, &g, &DVector::from_element(1, 4.0))?;
/// assert!((c - 0.25 * 2f64.sqrt()).abs() < 1e-15); // c²·16/2 = 1
/// # Ok::<(), thermocheck_numerics::Error>(())
/// ```
pub fn constant_power_rate(
    power: f64,
    metric: &DMatrix<f64>,
    friction: &DMatrix<f64>,
    gradient: &DVector<f64>,
) -> Result<f64> {
    let p = error::non_negative("power", power)?;
    let n = metric.nrows();
    check_square("metric", metric, n)?;
    check_square("friction", friction, n)?;
    error::length("gradient", gradient.len(), n)?;
    error::all_finite("gradient", gradient.as_slice())?;
    let direction = positive_definite("metric", metric)?.solve(gradient);
    let form = direction.dot(&(friction * &direction));
    if !(form > 0.0 && form.is_finite()) {
        return Err(Error::out_of_range(
            &["gradient"],
            format!(
                "∇Lᵀ G⁻¹ζG⁻¹ ∇L = {} must be positive and finite",
                fmt_number(form)
            ),
        ));
    }
    Ok((p / form).sqrt())
}
