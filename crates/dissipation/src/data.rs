//! The data distribution $p_D$ of a learning problem (spec D2).

use thermocheck_numerics::error::{self, Result};
use thermocheck_numerics::quad::{self, QuadOptions};

/// The data distribution: a finite data set, or a Gaussian given by its moments.
///
/// The maximum-likelihood objective (D2) is
/// $\mathcal L(\theta) = \mathbb E_{p_D}[E_\theta] - F(\theta)$; its data term
/// $\mathbb E_{p_D}[\cdot]$ is evaluated exactly (a sample average, or quadrature / an exact
/// moment rule for the Gaussian), so that the bias identity D8 holds to round-off.
#[derive(Debug, Clone, PartialEq)]
pub enum Data {
    /// An empirical data set; expectations are sample averages.
    Samples(Vec<f64>),
    /// $\mathcal N(\mu_D, s_D^2)$.
    Gaussian {
        /// $\mu_D$.
        mean: f64,
        /// $s_D^2 \ge 0$ (0 is a point mass).
        variance: f64,
    },
}

impl Data {
    /// Empirical data: $p_D = \frac1N\sum_{i=1}^N \delta_{x_i}$ over the given samples $x_i$.
    ///
    /// # Errors
    /// If it is empty or holds a non-finite value.
    pub fn samples(samples: Vec<f64>) -> Result<Self> {
        error::count_at_least("data", samples.len(), 1)?;
        error::all_finite("data", &samples)?;
        Ok(Data::Samples(samples))
    }

    /// A Gaussian data distribution $\mathcal N(\mu_D, s_D^2)$.
    ///
    /// # Errors
    /// If `mean` is not finite or `variance` is not finite and ≥ 0.
    pub fn gaussian(mean: f64, variance: f64) -> Result<Self> {
        Ok(Data::Gaussian {
            mean: error::finite("target", mean)?,
            variance: error::non_negative("data-variance", variance)?,
        })
    }

    /// $\mu_D$.
    pub fn mean(&self) -> f64 {
        match self {
            Data::Samples(s) => s.iter().sum::<f64>() / s.len() as f64,
            Data::Gaussian { mean, .. } => *mean,
        }
    }

    /// $s_D^2$ (the population variance of a data set).
    pub fn variance(&self) -> f64 {
        match self {
            Data::Samples(s) => {
                let m = self.mean();
                s.iter().map(|x| (x - m).powi(2)).sum::<f64>() / s.len() as f64
            }
            Data::Gaussian { variance, .. } => *variance,
        }
    }

    /// $\mathbb E_{p_D}[\,f\,]$: the sample average, or for the Gaussian double-exponential
    /// quadrature to 1e-12 relative (with an absolute floor of 1e-300 for integrands that
    /// vanish).
    ///
    /// # Errors
    /// [`thermocheck_numerics::Error::NotConverged`] if the quadrature fails.
    pub fn expect(&self, f: impl Fn(f64) -> f64) -> Result<f64> {
        match self {
            Data::Samples(s) => Ok(s.iter().map(|&x| f(x)).sum::<f64>() / s.len() as f64),
            Data::Gaussian { mean, variance } if *variance == 0.0 => Ok(f(*mean)),
            Data::Gaussian { mean, variance } => {
                let options = QuadOptions::new(1e-12, 1e-300)?;
                Ok(quad::gaussian_expectation(|z| f(mean + z), *variance, &[], &options)?.value)
            }
        }
    }

    /// $\mathbb E_{p_D}[\,f\,]$ for $f$ a polynomial of degree ≤ 2, from the mean and variance alone
    /// (exact for any distribution; see [`quad::three_point_gauss_hermite`]). For a Gaussian it is
    /// exact up to degree 5. Cheap: three evaluations.
    pub fn expect_low_degree(&self, f: impl Fn(f64) -> f64) -> f64 {
        match self {
            Data::Samples(s) => s.iter().map(|&x| f(x)).sum::<f64>() / s.len() as f64,
            Data::Gaussian { mean, variance } => {
                quad::three_point_gauss_hermite(*mean, *variance, f)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expectations_agree_between_rules() {
        let d = Data::gaussian(0.5, 2.0).unwrap();
        // E[x⁴] for N(0.5, 2): μ⁴ + 6μ²s² + 3s⁴ = 0.0625 + 3 + 12 (hand moment formula).
        let exact = 0.0625 + 3.0 + 12.0;
        assert!((d.expect(|x| x.powi(4)).unwrap() - exact).abs() < 1e-11 * exact);
        assert!((d.expect_low_degree(|x| x.powi(4)) - exact).abs() < 1e-13 * exact);
        let s = Data::samples(vec![1.0, 2.0, 4.0]).unwrap();
        assert_eq!(s.mean(), 7.0 / 3.0);
        assert_eq!(s.expect(|x| x * x).unwrap(), 7.0);
    }

    #[test]
    fn bad_data_is_rejected() {
        assert!(Data::samples(vec![]).is_err());
        assert!(Data::samples(vec![1.0, f64::NAN]).is_err());
        assert!(Data::gaussian(0.0, -1.0).is_err());
    }
}
