//! Data statistics of the linear model $\hat y = w^\top x$ (spec T1).
//!
//! A data set is a list of [`Sample`]s $(x, y)$ with $x\in\mathbb R^n$; the closed forms of the
//! temperature need only its moments,
//!
//! $$M = \mathbb E[xx^\top],\quad b = \mathbb E\[xy\],\quad \mathbb Ey^2,\quad
//!   \bar m_2 = \operatorname{tr}M/n,$$
//!
//! held by [`DataMoments`], which can be built from a [`DataSet`] (empirical moments, every
//! sample weighted $1/N$) or given directly. The least-squares optimum is $w^* = M^{-1}b$ with
//! $E_{min} = \mathbb Ey^2 - b^\top M^{-1}b$.

use nalgebra::{DMatrix, DVector};
use thermocheck_numerics::error::{self, Error, Result};

/// One sample $(x, y)$: features $x\in\mathbb R^n$ ($n\ge1$, finite) and a finite target $y$.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    features: Vec<f64>,
    target: f64,
}

impl Sample {
    /// A validated sample.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming `features` if there are none (reported as a count
    /// below 1) or `features[i]` if one is not finite, or `target` if it is not finite.
    pub fn new(features: Vec<f64>, target: f64) -> Result<Self> {
        error::count_at_least("features", features.len(), 1)?;
        error::all_finite("features", &features)?;
        error::finite("target", target)?;
        Ok(Sample { features, target })
    }

    /// The features $x$.
    pub fn features(&self) -> &[f64] {
        &self.features
    }

    /// The target $y$.
    pub fn target(&self) -> f64 {
        self.target
    }

    /// The number of features $n$ (= number of parameters of the linear model).
    pub fn dimension(&self) -> usize {
        self.features.len()
    }

    /// $r^2 = \lVert x\rVert^2$.
    pub fn norm_squared(&self) -> f64 {
        self.features.iter().map(|v| v * v).sum()
    }
}

/// A finite data set: $N\ge1$ samples of one common dimension $n$.
#[derive(Debug, Clone, PartialEq)]
pub struct DataSet {
    samples: Vec<Sample>,
}

impl DataSet {
    /// A data set of validated samples with one common dimension.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming `samples` if empty; [`Error::DimensionMismatch`] naming
    /// `samples[i].features` for a sample whose dimension differs from the first.
    pub fn new(samples: Vec<Sample>) -> Result<Self> {
        error::count_at_least("samples", samples.len(), 1)?;
        let n = samples[0].dimension();
        for (i, s) in samples.iter().enumerate() {
            error::length(&format!("samples[{i}].features"), s.dimension(), n)?;
        }
        Ok(DataSet { samples })
    }

    /// The samples.
    pub fn samples(&self) -> &[Sample] {
        &self.samples
    }

    /// The dimension $n$.
    pub fn dimension(&self) -> usize {
        self.samples[0].dimension()
    }

    /// The empirical moments $M = \frac1N\sum x x^\top$, $b = \frac1N\sum xy$,
    /// $\mathbb Ey^2 = \frac1N\sum y^2$ (T1).
    ///
    /// # Errors
    /// [`Error::OutOfRange`] naming `samples` if a moment overflows.
    pub fn moments(&self) -> Result<DataMoments> {
        let n = self.dimension();
        let count = self.samples.len() as f64;
        let mut m = DMatrix::zeros(n, n);
        let mut b = DVector::zeros(n);
        let mut y2 = 0.0;
        for s in &self.samples {
            let x = DVector::from_column_slice(&s.features);
            m += &x * x.transpose() / count;
            b += &x * (s.target / count);
            y2 += s.target * s.target / count;
        }
        DataMoments::new(m, b, y2).map_err(|_| {
            Error::out_of_range(&["samples"], "a second moment of the data overflows f64")
        })
    }
}

/// The second-order data statistics of the linear model (spec T1): $M$, $b$, $\mathbb Ey^2$.
#[derive(Debug, Clone, PartialEq)]
pub struct DataMoments {
    second_moment: DMatrix<f64>,
    cross_moment: DVector<f64>,
    target_second_moment: f64,
}

impl DataMoments {
    /// Moments given directly: $M$ ($n\times n$, symmetric, finite, $M_{ii}\ge0$), $b$ (length $n$)
    /// and $\mathbb Ey^2\ge0$.
    ///
    /// # Errors
    /// [`Error::DimensionMismatch`] naming `second-moment` (not square) or `cross-moment`;
    /// [`Error::InvalidParameter`] naming `second-moment`, `cross-moment` or
    /// `target-second-moment` for non-finite entries, a negative diagonal or a negative
    /// $\mathbb Ey^2$.
    pub fn new(
        second_moment: DMatrix<f64>,
        cross_moment: DVector<f64>,
        target_second_moment: f64,
    ) -> Result<Self> {
        let n = second_moment.nrows();
        error::count_at_least("second-moment", n, 1)?;
        error::length("second-moment", second_moment.ncols(), n)?;
        error::length("cross-moment", cross_moment.len(), n)?;
        error::all_finite("second-moment", second_moment.as_slice())?;
        error::all_finite("cross-moment", cross_moment.as_slice())?;
        for i in 0..n {
            error::non_negative(&format!("second-moment[{i}][{i}]"), second_moment[(i, i)])?;
        }
        error::non_negative("target-second-moment", target_second_moment)?;
        Ok(DataMoments {
            second_moment,
            cross_moment,
            target_second_moment,
        })
    }

    /// Moments with diagonal $M = \operatorname{diag}(m)$, $b$ and $\mathbb Ey^2$.
    ///
    /// # Errors
    /// As [`DataMoments::new`].
    pub fn diagonal(m: &[f64], b: &[f64], target_second_moment: f64) -> Result<Self> {
        Self::new(
            DMatrix::from_diagonal(&DVector::from_column_slice(m)),
            DVector::from_column_slice(b),
            target_second_moment,
        )
    }

    /// The number of parameters $n$.
    pub fn dimension(&self) -> usize {
        self.second_moment.nrows()
    }

    /// $M = \mathbb E[xx^\top]$.
    pub fn second_moment(&self) -> &DMatrix<f64> {
        &self.second_moment
    }

    /// $b = \mathbb E\[xy\]$.
    pub fn cross_moment(&self) -> &DVector<f64> {
        &self.cross_moment
    }

    /// $\mathbb Ey^2$.
    pub fn target_second_moment(&self) -> f64 {
        self.target_second_moment
    }

    /// $\operatorname{tr}M = \mathbb E\lVert x\rVert^2$.
    pub fn trace(&self) -> f64 {
        self.second_moment.trace()
    }

    /// $\bar m_2 = \operatorname{tr}M/n$, the mean per-feature second moment.
    pub fn mean_second_moment(&self) -> f64 {
        self.trace() / self.dimension() as f64
    }

    /// The least-squares optimum $w^* = M^{-1}b$ and $E_{min} = \mathbb Ey^2 - b^\top w^*$
    /// (clamped at 0 against round-off; T1).
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming `second-moment` if $M$ is not positive definite (no
    /// unique optimum).
    pub fn least_squares(&self) -> Result<(DVector<f64>, f64)> {
        let chol =
            self.second_moment
                .clone()
                .cholesky()
                .ok_or_else(|| Error::InvalidParameter {
                    parameter: "second-moment".to_owned(),
                    requirement: error::Requirement::Positive,
                    value: self.second_moment.determinant(),
                })?;
        let w = chol.solve(&self.cross_moment);
        let e_min = (self.target_second_moment - self.cross_moment.dot(&w)).max(0.0);
        Ok((w, e_min))
    }

    /// The quadratic form $u^\top M u$ (e.g. the signal energy $w^{*\top}Mw^*$ of T21).
    ///
    /// # Panics
    /// If `u` does not have length $n$ (a programmer error).
    #[track_caller]
    pub fn quadratic_form(&self, u: &DVector<f64>) -> f64 {
        u.dot(&(&self.second_moment * u))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empirical_moments_and_least_squares() {
        // y = 2 x₁ − x₂ exactly on three samples: E_min = 0, w* = (2, −1).
        let data = DataSet::new(vec![
            Sample::new(vec![1.0, 0.0], 2.0).unwrap(),
            Sample::new(vec![0.0, 1.0], -1.0).unwrap(),
            Sample::new(vec![1.0, 1.0], 1.0).unwrap(),
        ])
        .unwrap();
        let m = data.moments().unwrap();
        assert!((m.trace() - 4.0 / 3.0).abs() < 1e-15);
        assert!((m.mean_second_moment() - 2.0 / 3.0).abs() < 1e-15);
        let (w, e_min) = m.least_squares().unwrap();
        assert!((w[0] - 2.0).abs() < 1e-14 && (w[1] + 1.0).abs() < 1e-14);
        assert!(e_min < 1e-14);
    }

    #[test]
    fn bad_input_is_named() {
        assert_eq!(
            Sample::new(vec![], 1.0).unwrap_err().parameter(),
            Some("features")
        );
        assert_eq!(
            Sample::new(vec![1.0, f64::NAN], 1.0)
                .unwrap_err()
                .parameter(),
            Some("features[1]")
        );
        let e = DataSet::new(vec![
            Sample::new(vec![1.0], 0.0).unwrap(),
            Sample::new(vec![1.0, 2.0], 0.0).unwrap(),
        ])
        .unwrap_err();
        assert_eq!(e.parameter(), Some("samples[1].features"));
        assert!(DataMoments::diagonal(&[1.0, -1.0], &[0.0, 0.0], 1.0).is_err());
    }
}
