//! Parameter protocols $\theta(t)$ on $[0, T]$ with their velocities $\dot\theta(t)$ (spec M3, M4).
//!
//! A [`Protocol`] is a smooth path in $\mathbb R^n$ over a finite duration. Linear response (M3)
//! assumes an equilibrium start and **no jumps**, so a protocol here is continuous on the closed
//! interval; exact optimal protocols with jumps at the ends are driven by the exact engine of
//! `thermocheck-dissipation` (`moments::drive`), which takes the two jumps separately.
//!
//! Implementations: [`LinearProtocol`] (a straight line at constant velocity), [`FnProtocol`]
//! (closures for $\theta$ and $\dot\theta$) and [`ConstantSpeed`], the reparametrisation of any
//! protocol to constant excess power $\dot\theta^\top\zeta\dot\theta$ with respect to a metric
//! (M4). The geodesics of M14 and M15 live in [`crate::geodesic`].

use crate::length::{self, Friction};
use nalgebra::DVector;
use std::cell::Cell;
use thermocheck_numerics::error::{self, Error, Result, fmt_number};
use thermocheck_numerics::quad::QuadOptions;

/// A parameter protocol $\theta(t)\in\mathbb R^n$ on $[0, T]$ with velocity $\dot\theta(t)$.
///
/// Implementors supply the duration, the dimension and the *raw* evaluations (time already
/// validated); callers use [`position`](Protocol::position) and [`velocity`](Protocol::velocity),
/// which check that $t \in [0, T]$ and that the result has $n$ finite entries.
pub trait Protocol {
    /// The duration $T > 0$ (time units).
    fn duration(&self) -> f64;

    /// The number $n$ of parameters.
    fn dimension(&self) -> usize;

    /// $\theta(t)$ for $t \in [0, T]$ (validated by the caller).
    ///
    /// # Errors
    /// Whatever the implementation cannot evaluate (e.g. a root-finding failure).
    fn raw_position(&self, time: f64) -> Result<DVector<f64>>;

    /// $\dot\theta(t)$ for $t \in [0, T]$ (validated by the caller).
    ///
    /// # Errors
    /// Whatever the implementation cannot evaluate.
    fn raw_velocity(&self, time: f64) -> Result<DVector<f64>>;

    /// $\theta(t)$, checked.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming `time` unless $0 \le t \le T$;
    /// [`Error::DimensionMismatch`] (`position`) if the implementation returns a vector of the
    /// wrong length; [`Error::InvalidParameter`] (`position[i]`) for a non-finite entry.
    fn position(&self, time: f64) -> Result<DVector<f64>> {
        let t = check_time(time, self.duration())?;
        checked_output("position", self.raw_position(t)?, self.dimension())
    }

    /// $\dot\theta(t)$, checked.
    ///
    /// # Errors
    /// As [`position`](Protocol::position), naming `velocity`.
    fn velocity(&self, time: f64) -> Result<DVector<f64>> {
        let t = check_time(time, self.duration())?;
        checked_output("velocity", self.raw_velocity(t)?, self.dimension())
    }
}

impl<P: Protocol + ?Sized> Protocol for &P {
    fn duration(&self) -> f64 {
        (**self).duration()
    }
    fn dimension(&self) -> usize {
        (**self).dimension()
    }
    fn raw_position(&self, time: f64) -> Result<DVector<f64>> {
        (**self).raw_position(time)
    }
    fn raw_velocity(&self, time: f64) -> Result<DVector<f64>> {
        (**self).raw_velocity(time)
    }
}

/// Checks $0 \le t \le T$.
fn check_time(time: f64, duration: f64) -> Result<f64> {
    error::in_range("time", time, 0.0, duration)
}

fn checked_output(what: &str, value: DVector<f64>, dimension: usize) -> Result<DVector<f64>> {
    error::length(what, value.len(), dimension)?;
    error::all_finite(what, value.as_slice())?;
    Ok(value)
}

/// The straight line $\theta(t) = \theta_0 + (\theta_1 - \theta_0)\,t/T$ at constant velocity
/// $(\theta_1 - \theta_0)/T$.
///
/// Evaluated as $\theta_0 + \Delta\,u$ for $u = t/T \le 1/2$ and $\theta_1 - \Delta(1-u)$ after, so
/// both ends are returned exactly.
#[derive(Debug, Clone, PartialEq)]
pub struct LinearProtocol {
    start: DVector<f64>,
    end: DVector<f64>,
    duration: f64,
}

impl LinearProtocol {
    /// The straight line from `start` $=\theta_0$ to `end` $=\theta_1$ in time $T$ = `duration`.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming `duration` unless finite and $> 0$, or naming
    /// `start[i]`/`end[i]` for a non-finite entry; [`Error::DimensionMismatch`] (`end`) if the
    /// two ends differ in length; `start` empty; [`Error::OutOfRange`] if the velocity
    /// $(\theta_1-\theta_0)/T$ overflows.
    ///
    /// # Examples
    /// ```
    /// use thermocheck_metric::protocol::{LinearProtocol, Protocol};
    /// let p = LinearProtocol::new(&[0.0, 1.0], &[2.0, 0.5], 4.0)?;
    /// assert_eq!(p.position(1.0)?.as_slice(), &[0.5, 0.875]);
    /// assert_eq!(p.velocity(3.0)?.as_slice(), &[0.5, -0.125]);
    /// assert!(LinearProtocol::new(&[0.0], &[1.0, 2.0], 1.0).is_err());
    /// # Ok::<(), thermocheck_numerics::Error>(())
    /// ```
    pub fn new(start: &[f64], end: &[f64], duration: f64) -> Result<Self> {
        let duration = error::positive("duration", duration)?;
        error::count_at_least("start", start.len(), 1)?;
        error::length("end", end.len(), start.len())?;
        error::all_finite("start", start)?;
        error::all_finite("end", end)?;
        for (i, (a, b)) in start.iter().zip(end).enumerate() {
            let v = (b - a) / duration;
            if !v.is_finite() {
                return Err(Error::out_of_range(
                    &["start", "end", "duration"],
                    format!(
                        "velocity component {i} = (end − start)/duration = {} is not finite",
                        fmt_number(v)
                    ),
                ));
            }
        }
        Ok(LinearProtocol {
            start: DVector::from_column_slice(start),
            end: DVector::from_column_slice(end),
            duration,
        })
    }

    /// $\theta_0$.
    pub fn start(&self) -> &DVector<f64> {
        &self.start
    }

    /// $\theta_1$.
    pub fn end(&self) -> &DVector<f64> {
        &self.end
    }
}

impl Protocol for LinearProtocol {
    fn duration(&self) -> f64 {
        self.duration
    }
    fn dimension(&self) -> usize {
        self.start.len()
    }
    fn raw_position(&self, time: f64) -> Result<DVector<f64>> {
        let u = time / self.duration;
        Ok(if u <= 0.5 {
            DVector::from_iterator(
                self.start.len(),
                self.start
                    .iter()
                    .zip(&self.end)
                    .map(|(a, b)| a + (b - a) * u),
            )
        } else {
            let rest = (self.duration - time) / self.duration;
            DVector::from_iterator(
                self.start.len(),
                self.start
                    .iter()
                    .zip(&self.end)
                    .map(|(a, b)| b - (b - a) * rest),
            )
        })
    }
    fn raw_velocity(&self, _time: f64) -> Result<DVector<f64>> {
        Ok((&self.end - &self.start) / self.duration)
    }
}

/// A protocol given by two closures, $t \mapsto \theta(t)$ and $t \mapsto \dot\theta(t)$.
///
/// The closures are trusted to be consistent ($\dot\theta = d\theta/dt$); the output length and
/// finiteness are checked on every call of [`Protocol::position`] and [`Protocol::velocity`].
pub struct FnProtocol<X, V> {
    dimension: usize,
    duration: f64,
    position: X,
    velocity: V,
}

impl<X, V> std::fmt::Debug for FnProtocol<X, V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FnProtocol")
            .field("dimension", &self.dimension)
            .field("duration", &self.duration)
            .finish_non_exhaustive()
    }
}

impl<X, V> FnProtocol<X, V>
where
    X: Fn(f64) -> Result<DVector<f64>>,
    V: Fn(f64) -> Result<DVector<f64>>,
{
    /// A protocol of `dimension` parameters over $[0, T]$, $T$ = `duration`.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming `duration` unless finite and $> 0$, or `dimension`
    /// if 0.
    ///
    /// # Examples
    /// ```
    /// use nalgebra::DVector;
    /// use thermocheck_metric::protocol::{FnProtocol, Protocol};
    /// // k(t) = 1 + 3t² on [0, 1].
    /// let p = FnProtocol::new(1, 1.0,
    ///     |t| Ok(DVector::from_element(1, 1.0 + 3.0 * t * t)),
    ///     |t| Ok(DVector::from_element(1, 6.0 * t)))?;
    /// assert_eq!(p.position(0.5)?[0], 1.75);
    /// assert!(p.velocity(1.5).is_err());
    /// # Ok::<(), thermocheck_numerics::Error>(())
    /// ```
    pub fn new(dimension: usize, duration: f64, position: X, velocity: V) -> Result<Self> {
        Ok(FnProtocol {
            dimension: error::count_at_least("dimension", dimension, 1)?,
            duration: error::positive("duration", duration)?,
            position,
            velocity,
        })
    }
}

impl<X, V> Protocol for FnProtocol<X, V>
where
    X: Fn(f64) -> Result<DVector<f64>>,
    V: Fn(f64) -> Result<DVector<f64>>,
{
    fn duration(&self) -> f64 {
        self.duration
    }
    fn dimension(&self) -> usize {
        self.dimension
    }
    fn raw_position(&self, time: f64) -> Result<DVector<f64>> {
        (self.position)(time)
    }
    fn raw_velocity(&self, time: f64) -> Result<DVector<f64>> {
        (self.velocity)(time)
    }
}

/// Number of equal pieces on which [`ConstantSpeed`] tabulates the cumulative length; the root
/// finder then integrates only inside one piece.
const LENGTH_KNOTS: usize = 32;

/// Largest number of safeguarded-Newton iterations when inverting the cumulative length.
const MAX_INVERSION_STEPS: usize = 200;

/// The constant-speed reparametrisation of a protocol with respect to a metric $\zeta$ (M4).
///
/// With the speed $v(t) = \sqrt{\dot\theta^\top\zeta(\theta)\dot\theta}$, the cumulative length
/// $s(t) = \int_0^t v\,dt'$ and $\ell = s(T)$, the reparametrised protocol is
/// $$\tilde\theta(u) = \theta\big(t(u)\big),\qquad s\big(t(u)\big) = \ell\,u/T,\qquad
///   \dot{\tilde\theta}(u) = \dot\theta\big(t(u)\big)\,\frac{\ell/T}{v\big(t(u)\big)},$$
/// on the same duration $T$: same path, same endpoints, constant excess power $\ell^2/T^2$, so
/// that $W^{LR}_{ex} = \ell^2/T$, the M4 bound. $s$ is tabulated by quadrature at 33 equal
/// knots; $t(u)$ is found by safeguarded Newton inside one piece (bisection when Newton leaves
/// the bracket), each step one quadrature from the knot.
///
/// Accuracy: $t(u)$ solves $s(t) = \ell u/T$ to the quadrature tolerance (relative to $\ell$);
/// [`length_error`](Self::length_error) is the summed quadrature estimate of $\ell$.
pub struct ConstantSpeed<P, F> {
    protocol: P,
    friction: F,
    options: QuadOptions,
    knots: Vec<f64>,
    cumulative: Vec<f64>,
    length_error: f64,
    /// The last inversion `(u, t(u))`: a quadrature asks for the position and the velocity at
    /// the same time, and each inversion costs several quadratures.
    last: Cell<Option<(f64, f64)>>,
}

impl<P: std::fmt::Debug, F> std::fmt::Debug for ConstantSpeed<P, F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConstantSpeed")
            .field("protocol", &self.protocol)
            .field("length", &self.cumulative[LENGTH_KNOTS])
            .finish_non_exhaustive()
    }
}

impl<P: Protocol, F: Friction> ConstantSpeed<P, F> {
    /// Reparametrises `protocol` to constant speed in the metric `friction` ($\theta \mapsto
    /// \zeta(\theta)$), with quadrature `options`.
    ///
    /// # Errors
    /// Errors of the protocol, the friction (including [`Error::DimensionMismatch`] when its
    /// matrix is not $n\times n$) and the quadrature; [`Error::OutOfRange`] (`protocol`) if the
    /// length is zero (a constant path has no constant-speed parametrisation).
    ///
    /// # Examples
    /// The linear-in-$k$ stiffness protocol $1\to4$ becomes the M14 geodesic, linear in $k^{-1/2}$:
    /// ```
    /// use thermocheck_metric::{gaussian, protocol::{ConstantSpeed, LinearProtocol, Protocol}};
    /// use thermocheck_numerics::quad::QuadOptions;
    /// let linear = LinearProtocol::new(&[1.0], &[4.0], 2.0)?;
    /// let zeta = |th: &[f64]| Ok(nalgebra::DMatrix::from_element(1, 1, gaussian::stiffness_friction(th[0], 1.0)?));
    /// let geodesic = ConstantSpeed::new(linear, zeta, &QuadOptions::default())?;
    /// // halfway: k^{-1/2} = (1 + 1/2)/2 = 3/4, k = 16/9.
    /// assert!((geodesic.position(1.0)?[0] - 16.0 / 9.0).abs() < 1e-10);
    /// # Ok::<(), thermocheck_numerics::Error>(())
    /// ```
    pub fn new(protocol: P, friction: F, options: &QuadOptions) -> Result<Self> {
        let duration = protocol.duration();
        let knots: Vec<f64> = (0..=LENGTH_KNOTS)
            .map(|j| duration * j as f64 / LENGTH_KNOTS as f64)
            .collect();
        let mut cumulative = vec![0.0; knots.len()];
        let mut length_error = 0.0;
        for j in 1..knots.len() {
            let piece =
                length::length_between(&protocol, &friction, knots[j - 1], knots[j], options)?;
            cumulative[j] = cumulative[j - 1] + piece.value;
            length_error += piece.error_estimate;
        }
        let total = cumulative[LENGTH_KNOTS];
        if !(total > 0.0 && total.is_finite()) {
            return Err(Error::out_of_range(
                &["protocol"],
                format!(
                    "its thermodynamic length is {}; a constant-speed reparametrisation needs a \
                     positive finite length",
                    fmt_number(total)
                ),
            ));
        }
        Ok(ConstantSpeed {
            protocol,
            friction,
            options: *options,
            knots,
            cumulative,
            length_error,
            last: Cell::new(None),
        })
    }

    /// The thermodynamic length of the path,
    /// $\ell = \int_0^T\sqrt{\dot\theta^\top\zeta(\theta)\dot\theta}\,dt$ (units of
    /// $\sqrt{k_BT\cdot\text{time}}$; M4).
    pub fn length(&self) -> f64 {
        self.cumulative[LENGTH_KNOTS]
    }

    /// The quadrature error estimate of [`length`](Self::length) (sum over its pieces).
    pub fn length_error(&self) -> f64 {
        self.length_error
    }

    /// The reparametrised protocol's inner clock: the original time $t(u)$ with
    /// $s(t(u)) = \ell u/T$, where $s(t)$ is the thermodynamic length up to $t$ (M4: constant
    /// excess power).
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming `time` unless $0 \le u \le T$; quadrature errors;
    /// [`Error::NotConverged`] if the inversion does not converge.
    pub fn original_time(&self, time: f64) -> Result<f64> {
        let duration = self.protocol.duration();
        let u = check_time(time, duration)?;
        if let Some((cached_u, cached_t)) = self.last.get() {
            if cached_u == u {
                return Ok(cached_t);
            }
        }
        let t = self.invert_length(u)?;
        self.last.set(Some((u, t)));
        Ok(t)
    }

    /// Solves $s(t) = \ell u/T$ for $t$ (safeguarded Newton inside the bracketing piece).
    fn invert_length(&self, u: f64) -> Result<f64> {
        let duration = self.protocol.duration();
        if u == 0.0 {
            return Ok(0.0);
        }
        if u == duration {
            return Ok(duration);
        }
        let target = self.length() * (u / duration);
        // The piece [t_j, t_{j+1}] whose cumulative length brackets the target.
        let j = self
            .cumulative
            .partition_point(|&s| s <= target)
            .clamp(1, LENGTH_KNOTS)
            - 1;
        let (base, t_base) = (self.cumulative[j], self.knots[j]);
        let (mut lo, mut hi) = (t_base, self.knots[j + 1]);
        let piece = self.cumulative[j + 1] - base;
        // Start at linear interpolation inside the piece.
        let mut t = if piece > 0.0 {
            lo + (hi - lo) * ((target - base) / piece).clamp(0.0, 1.0)
        } else {
            0.5 * (lo + hi)
        };
        let tolerance = self
            .options
            .abs_tol()
            .max(self.options.rel_tol() * self.length());
        for _ in 0..MAX_INVERSION_STEPS {
            let s = if t > t_base {
                base + length::length_between(
                    &self.protocol,
                    &self.friction,
                    t_base,
                    t,
                    &self.options,
                )?
                .value
            } else {
                base
            };
            let residual = s - target;
            if residual.abs() <= tolerance || hi - lo <= 4.0 * f64::EPSILON * duration {
                return Ok(t);
            }
            if residual > 0.0 {
                hi = t;
            } else {
                lo = t;
            }
            let speed = length::speed(&self.protocol, &self.friction, t)?;
            let newton = t - residual / speed;
            t = if speed > 0.0 && newton > lo && newton < hi {
                newton
            } else {
                0.5 * (lo + hi)
            };
        }
        Err(Error::NotConverged {
            method: "constant-speed reparametrisation (safeguarded Newton)".to_owned(),
            detail: format!(
                "s(t) = {} not reached within {MAX_INVERSION_STEPS} steps",
                fmt_number(target)
            ),
        })
    }
}

impl<P: Protocol, F: Friction> Protocol for ConstantSpeed<P, F> {
    fn duration(&self) -> f64 {
        self.protocol.duration()
    }
    fn dimension(&self) -> usize {
        self.protocol.dimension()
    }
    fn raw_position(&self, time: f64) -> Result<DVector<f64>> {
        self.protocol.position(self.original_time(time)?)
    }
    fn raw_velocity(&self, time: f64) -> Result<DVector<f64>> {
        let t = self.original_time(time)?;
        let speed = length::speed(&self.protocol, &self.friction, t)?;
        if speed <= 0.0 {
            return Err(Error::out_of_range(
                &["protocol"],
                format!(
                    "its speed vanishes at t = {}, where the constant-speed velocity has no \
                     direction",
                    fmt_number(t)
                ),
            ));
        }
        let rate = self.length() / self.protocol.duration() / speed;
        Ok(self.protocol.velocity(t)? * rate)
    }
}
