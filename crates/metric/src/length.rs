//! Linear-response excess work, thermodynamic length and the length bound (spec M3, M4).
//!
//! For a protocol $\theta(t)$ on $[0, T]$ without jumps and an equilibrium start, linear response
//! (M3) gives the excess power $\dot\theta^\top\zeta(\theta)\dot\theta$ and
//! $$W^{LR}_{ex} = \int_0^T \dot\theta^\top\zeta(\theta)\,\dot\theta\,dt,\qquad
//!   \ell = \int_0^T \sqrt{\dot\theta^\top\zeta(\theta)\,\dot\theta}\,dt,\qquad
//!   W^{LR}_{ex} \ge \frac{\ell^2}{T}$$
//! (M4, Cauchy–Schwarz; equality iff the excess power is constant, see
//! [`ConstantSpeed`](crate::protocol::ConstantSpeed)). The friction is any [`Friction`]: a closure
//! $\theta \mapsto \zeta(\theta)$ returning `Result<DMatrix<f64>>`, so the closed forms of
//! [`crate::gaussian`] and the numerical M7 friction of [`crate::friction`] plug in alike. Both
//! integrals use [`thermocheck_numerics::quad::integrate`] and return its report, with the
//! cross-checked error estimate.

use crate::protocol::Protocol;
use nalgebra::DMatrix;
use std::cell::RefCell;
use thermocheck_numerics::error::{self, Error, Result, fmt_number};
use thermocheck_numerics::quad::{self, QuadOptions, QuadReport};

/// A metric on parameter space: $\theta \mapsto \zeta(\theta)$, an $n\times n$ positive
/// semidefinite matrix (units $\[X\]^2\times$time for the friction tensor).
///
/// Implemented for every closure `Fn(&[f64]) -> Result<DMatrix<f64>>`.
pub trait Friction {
    /// $\zeta(\theta)$.
    ///
    /// # Errors
    /// Whatever the metric cannot evaluate at $\theta$ (e.g. a stiffness $\le 0$).
    fn friction(&self, theta: &[f64]) -> Result<DMatrix<f64>>;
}

impl<F: Fn(&[f64]) -> Result<DMatrix<f64>>> Friction for F {
    fn friction(&self, theta: &[f64]) -> Result<DMatrix<f64>> {
        self(theta)
    }
}

/// The excess power of linear response at time $t$ (M3).
///
/// $$P_{ex}(t) = \dot\theta(t)^\top\,\zeta\big(\theta(t)\big)\,\dot\theta(t),$$
/// where $\theta$ is the protocol, $\dot\theta$ its velocity and $\zeta$ the friction
/// ($k_BT$ per unit time). Spec: M3.
///
/// # Errors
/// The protocol's errors (time outside $[0, T]$, ...); the friction's errors;
/// [`Error::DimensionMismatch`] (`friction`) unless $\zeta$ is $n\times n$;
/// [`Error::OutOfRange`] (`friction`) if $P_{ex}$ is negative beyond round-off (a metric that is
/// not positive semidefinite) or not finite.
///
/// # Examples
/// ```
/// use nalgebra::DMatrix;
/// use thermocheck_metric::{length, protocol::LinearProtocol};
/// let p = LinearProtocol::new(&[0.0, 1.0], &[2.0, 1.0], 1.0)?;
/// let zeta = |_: &[f64]| Ok(DMatrix::from_diagonal_element(2, 2, 0.5));
/// assert_eq!(length::excess_power(&p, &zeta, 0.3)?, 2.0);
/// # Ok::<(), thermocheck_numerics::Error>(())
/// ```
pub fn excess_power(protocol: &impl Protocol, friction: &impl Friction, time: f64) -> Result<f64> {
    let theta = protocol.position(time)?;
    let v = protocol.velocity(time)?;
    let zeta = friction.friction(theta.as_slice())?;
    let n = protocol.dimension();
    error::length("friction", zeta.nrows(), n)?;
    error::length("friction", zeta.ncols(), n)?;
    let power = v.dot(&(&zeta * &v));
    // Round-off in a PSD quadratic form is at most a few ε·Σ|v_i||ζ_ij||v_j|.
    let magnitude = v.abs().dot(&(zeta.abs() * v.abs()));
    if !power.is_finite() || power < -(n as f64 + 2.0) * 4.0 * f64::EPSILON * magnitude {
        return Err(Error::out_of_range(
            &["friction"],
            format!(
                "θ̇ᵀζθ̇ = {} at t = {}: the metric must be positive semidefinite and finite",
                fmt_number(power),
                fmt_number(time)
            ),
        ));
    }
    Ok(power.max(0.0))
}

/// The metric speed $\sqrt{\dot\theta^\top\zeta\dot\theta}$ at time $t$ (M4).
///
/// # Errors
/// As [`excess_power`].
pub fn speed(protocol: &impl Protocol, friction: &impl Friction, time: f64) -> Result<f64> {
    excess_power(protocol, friction, time).map(f64::sqrt)
}

/// Integrates `integrand(t)` over $[a, b]$, returning the integrand's own first error rather
/// than the quadrature's NaN complaint.
fn integrate_checked(
    integrand: impl Fn(f64) -> Result<f64>,
    a: f64,
    b: f64,
    options: &QuadOptions,
) -> Result<QuadReport> {
    let first_error: RefCell<Option<Error>> = RefCell::new(None);
    let report = quad::integrate(
        |t: f64| match integrand(t) {
            Ok(v) => v,
            Err(e) => {
                first_error.borrow_mut().get_or_insert(e);
                f64::NAN
            }
        },
        a,
        b,
        &[],
        options,
    );
    match first_error.into_inner() {
        Some(e) => Err(e),
        None => report,
    }
}

/// The linear-response excess work of a protocol without jumps (M3).
///
/// $$W^{LR}_{ex} = \int_0^T \dot\theta^\top\zeta(\theta)\,\dot\theta\,dt,$$
/// where $\theta(t)$ is the protocol on $[0, T]$, $\dot\theta$ its velocity and $\zeta$ the
/// friction (units of $k_BT$), by double-exponential quadrature; the report carries the
/// cross-checked error estimate. Valid for slow protocols ($T \gg$ relaxation times) from
/// equilibrium. Spec: M3.
///
/// # Errors
/// As [`excess_power`]; [`Error::NotConverged`] from the quadrature.
///
/// # Examples
/// The M14 linear-in-$k$ protocol $1\to4$, $D = 1$, $T = 10$: $W^{LR}_{ex} = 0.03515625$.
/// ```
/// use nalgebra::DMatrix;
/// use thermocheck_metric::{gaussian, length, protocol::LinearProtocol};
/// use thermocheck_numerics::quad::QuadOptions;
/// let p = LinearProtocol::new(&[1.0], &[4.0], 10.0)?;
/// let zeta = |th: &[f64]| Ok(DMatrix::from_element(1, 1, gaussian::stiffness_friction(th[0], 1.0)?));
/// let w = length::linear_response_excess_work(&p, &zeta, &QuadOptions::default())?;
/// assert!((w.value - 0.03515625).abs() < 1e-14);
/// # Ok::<(), thermocheck_numerics::Error>(())
/// ```
pub fn linear_response_excess_work(
    protocol: &impl Protocol,
    friction: &impl Friction,
    options: &QuadOptions,
) -> Result<QuadReport> {
    integrate_checked(
        |t| excess_power(protocol, friction, t),
        0.0,
        protocol.duration(),
        options,
    )
}

/// The thermodynamic length of a protocol's path (M4).
///
/// $$\ell = \int_0^T \sqrt{\dot\theta^\top\zeta(\theta)\,\dot\theta}\,dt,$$
/// where the symbols are as in [`linear_response_excess_work`] (units of
/// $\sqrt{k_BT\cdot\text{time}}$). It does not depend on the parametrisation of the path.
/// Spec: M4.
///
/// # Errors
/// As [`linear_response_excess_work`].
///
/// # Examples
/// Any monotone stiffness path $1\to4$ has the M14 length $|1 - 1/2|/\sqrt D = 0.5$:
/// ```
/// use nalgebra::DMatrix;
/// use thermocheck_metric::{gaussian, length, protocol::LinearProtocol};
/// use thermocheck_numerics::quad::QuadOptions;
/// let p = LinearProtocol::new(&[1.0], &[4.0], 3.0)?;
/// let zeta = |th: &[f64]| Ok(DMatrix::from_element(1, 1, gaussian::stiffness_friction(th[0], 1.0)?));
/// let l = length::thermodynamic_length(&p, &zeta, &QuadOptions::default())?;
/// assert!((l.value - 0.5).abs() < 1e-13);
/// # Ok::<(), thermocheck_numerics::Error>(())
/// ```
pub fn thermodynamic_length(
    protocol: &impl Protocol,
    friction: &impl Friction,
    options: &QuadOptions,
) -> Result<QuadReport> {
    length_between(protocol, friction, 0.0, protocol.duration(), options)
}

/// The thermodynamic length of the part of the path on $[a, b] \subseteq [0, T]$:
/// $\int_a^b \sqrt{\dot\theta^\top\zeta\dot\theta}\,dt$. Spec: M4.
///
/// # Errors
/// As [`thermodynamic_length`]; [`Error::EmptyRange`] unless $a < b$.
pub fn length_between(
    protocol: &impl Protocol,
    friction: &impl Friction,
    a: f64,
    b: f64,
    options: &QuadOptions,
) -> Result<QuadReport> {
    integrate_checked(|t| speed(protocol, friction, t), a, b, options)
}

/// The Cauchy–Schwarz bound of M4 on the linear-response excess work.
///
/// $$W^{LR}_{ex} \ge \frac{\ell^2}{T},$$
/// where $\ell$ is the thermodynamic length and $T$ the duration (units of $k_BT$). With the
/// geodesic distance $\mathcal D_\zeta$ in place of $\ell$ it bounds every path between the same
/// endpoints. Spec: M4.
///
/// # Errors
/// [`Error::InvalidParameter`] naming `length` unless finite and $\ge 0$, or `duration` unless
/// finite and $> 0$; [`Error::OutOfRange`] if $\ell^2/T$ overflows.
///
/// # Examples
/// ```
/// assert_eq!(thermocheck_metric::length::length_bound(0.5, 10.0)?, 0.025);
/// # Ok::<(), thermocheck_numerics::Error>(())
/// ```
pub fn length_bound(length: f64, duration: f64) -> Result<f64> {
    let l = error::non_negative("length", length)?;
    let t = error::positive("duration", duration)?;
    let bound = l * (l / t);
    if bound.is_finite() {
        Ok(bound)
    } else {
        Err(Error::out_of_range(
            &["length", "duration"],
            format!("ℓ²/T = {} overflows", fmt_number(bound)),
        ))
    }
}
