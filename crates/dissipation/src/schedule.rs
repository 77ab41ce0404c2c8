//! Learning-rate schedules: a continuous part $\eta(t)$ or $H(t)$ plus impulses (spec D4).
//!
//! Learning ascends the log-likelihood, $\dot\theta = H(t)\,\hat g$ with $\hat g$ the chain-based
//! gradient estimate. An impulse $c\,\delta(t - t_0)$ is one gradient step of size $c$ taken with
//! the chain frozen: $\theta^+ = \theta^- + c\,\hat g(\theta^-, q)$. Scalar rates act as
//! $\eta(t) I$ on any number of parameters.

use nalgebra::{DMatrix, DVector};
use std::fmt;
use std::sync::Arc;
use thermocheck_numerics::error::{self, Error, Result};

/// A gain: a scalar $\eta$ (times the identity) or a matrix $H$.
#[derive(Debug, Clone, PartialEq)]
pub enum Gain {
    /// $\eta\,I$.
    Scalar(f64),
    /// $H$ (symmetric positive semi-definite).
    Matrix(DMatrix<f64>),
}

impl Gain {
    /// Writes the parameter velocity $\eta\,\hat g$ (scalar) or $H\hat g$ (matrix) into `out`, for
    /// `g` $=\hat g$ (D4).
    ///
    /// # Panics
    /// If a matrix gain's size differs from `g.len()` (schedules are validated against the
    /// problem's dimension before use).
    #[track_caller]
    pub fn apply(&self, g: &[f64], out: &mut [f64]) {
        match self {
            Gain::Scalar(eta) => out.iter_mut().zip(g).for_each(|(o, gi)| *o = eta * gi),
            Gain::Matrix(h) => {
                let v = h * DVector::from_column_slice(g);
                out.copy_from_slice(v.as_slice());
            }
        }
    }

    /// The gain times a step length: the size of one discrete update $h\,H(t)$.
    pub fn scaled(self, h: f64) -> Gain {
        match self {
            Gain::Scalar(eta) => Gain::Scalar(eta * h),
            Gain::Matrix(m) => Gain::Matrix(m * h),
        }
    }

    fn validate(&self, parameter: &str, dimension: Option<usize>) -> Result<()> {
        match self {
            Gain::Scalar(eta) => error::non_negative(parameter, *eta).map(|_| ()),
            Gain::Matrix(h) => validate_psd(parameter, h, dimension),
        }
    }
}

/// Checks that a matrix gain is square (of the given size), finite, symmetric to
/// $10^3\varepsilon\max|H_{ij}|$ and positive semi-definite (smallest eigenvalue
/// $\ge -10^3\varepsilon\,\lVert H\rVert$; round-off of the symmetric eigen-solver is
/// $O(n\varepsilon\lVert H\rVert)$).
fn validate_psd(parameter: &str, h: &DMatrix<f64>, dimension: Option<usize>) -> Result<()> {
    let n = dimension.unwrap_or(h.nrows());
    error::length(&format!("{parameter} rows"), h.nrows(), n)?;
    error::length(&format!("{parameter} columns"), h.ncols(), n)?;
    error::all_finite(parameter, h.as_slice())?;
    let scale = h.amax();
    let tol = 1e3 * f64::EPSILON * scale;
    for i in 0..n {
        for j in 0..i {
            if (h[(i, j)] - h[(j, i)]).abs() > tol {
                return Err(Error::InvalidParameter {
                    parameter: format!("{parameter} (asymmetry at ({i}, {j}))"),
                    requirement: error::Requirement::InRange {
                        min: -tol,
                        max: tol,
                    },
                    value: h[(i, j)] - h[(j, i)],
                });
            }
        }
    }
    let min_eig = h.clone().symmetric_eigenvalues().min();
    if min_eig < -tol {
        return Err(Error::InvalidParameter {
            parameter: format!("{parameter} smallest eigenvalue"),
            requirement: error::Requirement::NonNegative,
            value: min_eig,
        });
    }
    Ok(())
}

/// One impulse $c\,\delta(t - t_0)$ in the rate: a gradient step $\theta^+ = \theta^- + c\,\hat g$
/// (or $H\hat g$) of the given gain at time $t_0$ = `time`, chain frozen (D4).
#[derive(Debug, Clone, PartialEq)]
pub struct Impulse {
    /// When, in $[0, T]$.
    pub time: f64,
    /// Its size.
    pub gain: Gain,
}

type ScalarRate = Arc<dyn Fn(f64) -> f64 + Send + Sync>;
type MatrixRate = Arc<dyn Fn(f64) -> DMatrix<f64> + Send + Sync>;

#[derive(Clone)]
enum Rate {
    Scalar(ScalarRate),
    Matrix(MatrixRate),
}

/// A learning-rate schedule on $[0, T]$: continuous part plus impulses, driving
/// $\dot\theta = \eta(t)\,\hat g$ or $\dot\theta = H(t)\,\hat g$.
///
/// Spec: D4.
///
/// The continuous part is a user function, so its values are validated when evaluated:
/// [`Schedule::gain`] returns an error naming `learning-rate` if $\eta(t)$ is negative or not
/// finite.
#[derive(Clone)]
pub struct Schedule {
    label: String,
    duration: f64,
    rate: Rate,
    impulses: Vec<Impulse>,
}

impl fmt::Debug for Schedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Schedule")
            .field("label", &self.label)
            .field("duration", &self.duration)
            .field("impulses", &self.impulses)
            .finish_non_exhaustive()
    }
}

impl Schedule {
    /// A scalar schedule $\eta(t)$ on $[0, T]$ without impulses.
    ///
    /// # Errors
    /// If `duration` is not finite and > 0.
    pub fn scalar(
        label: impl Into<String>,
        duration: f64,
        rate: impl Fn(f64) -> f64 + Send + Sync + 'static,
    ) -> Result<Self> {
        Ok(Schedule {
            label: label.into(),
            duration: error::positive("duration", duration)?,
            rate: Rate::Scalar(Arc::new(rate)),
            impulses: Vec::new(),
        })
    }

    /// A constant scalar rate $\eta$.
    ///
    /// # Errors
    /// If `duration` is not finite and > 0 or `rate` is not finite and ≥ 0.
    pub fn constant(duration: f64, rate: f64) -> Result<Self> {
        let rate = error::non_negative("rate", rate)?;
        Self::scalar(format!("constant η = {rate}"), duration, move |_| rate)
    }

    /// A matrix schedule $H(t)$ on $[0, T]$ without impulses.
    ///
    /// # Errors
    /// If `duration` is not finite and > 0.
    pub fn matrix(
        label: impl Into<String>,
        duration: f64,
        rate: impl Fn(f64) -> DMatrix<f64> + Send + Sync + 'static,
    ) -> Result<Self> {
        Ok(Schedule {
            label: label.into(),
            duration: error::positive("duration", duration)?,
            rate: Rate::Matrix(Arc::new(rate)),
            impulses: Vec::new(),
        })
    }

    /// Adds an impulse (kept sorted by time; several at one time apply in the order added).
    ///
    /// # Errors
    /// If `time` is outside $[0, T]$ or the gain is negative, non-finite, or (matrix) not
    /// symmetric positive semi-definite.
    pub fn with_impulse(mut self, time: f64, gain: Gain) -> Result<Self> {
        error::in_range("impulse-time", time, 0.0, self.duration)?;
        gain.validate("impulse", None)?;
        let at = self.impulses.partition_point(|i| i.time <= time);
        self.impulses.insert(at, Impulse { time, gain });
        Ok(self)
    }

    /// A short description, e.g. `optimal (D14)`.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// $T$.
    pub fn duration(&self) -> f64 {
        self.duration
    }

    /// The impulses, sorted by time.
    pub fn impulses(&self) -> &[Impulse] {
        &self.impulses
    }

    /// The continuous gain at time `t`.
    ///
    /// # Errors
    /// If the rate at `t` is negative or not finite (named `learning-rate`), or a matrix rate is
    /// not symmetric positive semi-definite of size `dimension`.
    pub fn gain(&self, t: f64, dimension: usize) -> Result<Gain> {
        let gain = match &self.rate {
            Rate::Scalar(f) => Gain::Scalar(f(t)),
            Rate::Matrix(f) => Gain::Matrix(f(t)),
        };
        gain.validate("learning-rate", Some(dimension))
            .map_err(|e| at_time(e, t))?;
        Ok(gain)
    }

    /// Checks every impulse against the problem's dimension.
    pub(crate) fn validate_dimension(&self, dimension: usize) -> Result<()> {
        self.impulses
            .iter()
            .try_for_each(|i| i.gain.validate("impulse", Some(dimension)))
    }
}

fn at_time(e: Error, t: f64) -> Error {
    match e {
        Error::InvalidParameter {
            parameter,
            requirement,
            value,
        } => Error::InvalidParameter {
            parameter: format!("{parameter} at t = {t}"),
            requirement,
            value,
        },
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gains_apply_and_validate() {
        let mut out = [0.0; 2];
        Gain::Scalar(2.0).apply(&[1.0, -3.0], &mut out);
        assert_eq!(out, [2.0, -6.0]);
        let h = DMatrix::from_row_slice(2, 2, &[2.0, 1.0, 1.0, 2.0]);
        Gain::Matrix(h.clone()).apply(&[1.0, 1.0], &mut out);
        assert_eq!(out, [3.0, 3.0]);
        assert!(validate_psd("h", &h, Some(2)).is_ok());
        let indefinite = DMatrix::from_row_slice(2, 2, &[1.0, 2.0, 2.0, 1.0]);
        let e = validate_psd("h", &indefinite, Some(2)).unwrap_err();
        assert!(e.to_string().contains("smallest eigenvalue"), "{e}");
        let asym = DMatrix::from_row_slice(2, 2, &[1.0, 0.5, 0.0, 1.0]);
        assert!(validate_psd("h", &asym, Some(2)).is_err());
        assert!(validate_psd("h", &h, Some(3)).is_err());
    }

    #[test]
    fn schedules_reject_bad_values() {
        let s = Schedule::scalar("bad", 1.0, |t| 1.0 - 2.0 * t).unwrap();
        assert!(s.gain(0.25, 1).is_ok());
        let e = s.gain(0.75, 1).unwrap_err();
        assert_eq!(
            e.to_string(),
            "learning-rate at t = 0.75 must be finite and >= 0 (got -0.5)"
        );
        assert!(Schedule::constant(0.0, 1.0).is_err());
        assert!(Schedule::constant(1.0, f64::NAN).is_err());
        let s = Schedule::constant(2.0, 1.0).unwrap();
        assert!(s.clone().with_impulse(2.5, Gain::Scalar(1.0)).is_err());
        assert!(s.clone().with_impulse(1.0, Gain::Scalar(-1.0)).is_err());
        let s = s
            .with_impulse(2.0, Gain::Scalar(0.5))
            .unwrap()
            .with_impulse(0.0, Gain::Scalar(0.25))
            .unwrap();
        let times: Vec<f64> = s.impulses().iter().map(|i| i.time).collect();
        assert_eq!(times, [0.0, 2.0]);
    }
}
