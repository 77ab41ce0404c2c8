//! Initialisations of the linear model and their entropies (spec T1, T3, T13, T14).
//!
//! Every initialisation here is a zero-mean *scale family*: $w = \vartheta\,w_0$ with $w_0$ of a
//! fixed shape. Entropies are differential entropies in **nats, summed over the $n$
//! parameters** (spec T3):
//!
//! $$h_{\mathcal N(0,\sigma^2)} = \tfrac12\ln(2\pi e\sigma^2),\qquad h_{\mathcal U(-a,a)} = \ln(2a),
//!   \qquad S = n\,h \text{ for i.i.d. coordinates},$$
//!
//! so along any scale family $dS = n\,d\ln\vartheta$. The block-mixed init ([`BlockMixedInit`],
//! T13) has normal and uniform coordinates; the mixture-density init ([`MixtureInit`], T14) draws
//! every coordinate from $\lambda\mathcal N(0,\sigma^2) + (1-\lambda)\mathcal U(-a,a)$, whose
//! entropy has no closed form and is computed by quadrature.

use num_dual::DualNum;
use rand::{Rng, RngExt};
use rand_distr::StandardNormal;
use std::f64::consts::{E, PI};
use std::fmt;
use std::str::FromStr;
use thermocheck_numerics::error::{self, Error, Result};
use thermocheck_numerics::quad::{self, QuadOptions, QuadReport};

/// The shape of a one-parameter initialisation: `normal` ($\vartheta = \sigma$) or `uniform`
/// ($\vartheta = a$, the half-width).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum InitKind {
    /// $w_i \sim \mathcal N(0, \sigma^2)$.
    Normal,
    /// $w_i \sim \mathcal U(-a, a)$.
    Uniform,
}

impl InitKind {
    /// The names `eval` accepts.
    pub const NAMES: &'static [&'static str] = &["normal", "uniform"];

    /// The name of the shape.
    pub fn name(self) -> &'static str {
        match self {
            InitKind::Normal => "normal",
            InitKind::Uniform => "uniform",
        }
    }
}

impl fmt::Display for InitKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for InitKind {
    type Err = Error;

    /// Parses `normal` or `uniform`.
    ///
    /// # Errors
    /// [`Error::Unknown`] of kind `init` otherwise.
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "normal" => Ok(InitKind::Normal),
            "uniform" => Ok(InitKind::Uniform),
            other => Err(Error::Unknown {
                kind: "init".to_owned(),
                name: other.to_owned(),
                known: InitKind::NAMES.iter().map(|s| s.to_string()).collect(),
            }),
        }
    }
}

/// An i.i.d. zero-mean initialisation of one shape and scale $\vartheta > 0$.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Init {
    kind: InitKind,
    scale: f64,
}

impl Init {
    /// An init of the given shape and scale ($\sigma$ for normal, half-width $a$ for uniform).
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming `scale` unless it is finite and $> 0$.
    pub fn new(kind: InitKind, scale: f64) -> Result<Self> {
        error::positive("scale", scale)?;
        Ok(Init { kind, scale })
    }

    /// $\mathcal N(0, \sigma^2)$.
    ///
    /// # Errors
    /// As [`Init::new`].
    pub fn normal(sigma: f64) -> Result<Self> {
        Self::new(InitKind::Normal, sigma)
    }

    /// $\mathcal U(-a, a)$.
    ///
    /// # Errors
    /// As [`Init::new`].
    pub fn uniform(half_width: f64) -> Result<Self> {
        Self::new(InitKind::Uniform, half_width)
    }

    /// The shape.
    pub fn kind(&self) -> InitKind {
        self.kind
    }

    /// The scale $\vartheta$.
    pub fn scale(&self) -> f64 {
        self.scale
    }

    /// $v = \operatorname{Var}(w_i)$: $\sigma^2$ or $a^2/3$ (T1).
    pub fn variance(&self) -> f64 {
        match self.kind {
            InitKind::Normal => self.scale * self.scale,
            InitKind::Uniform => self.scale * self.scale / 3.0,
        }
    }

    /// The differential entropy of one coordinate, in nats:
    /// $h = \tfrac12\ln(2\pi e\sigma^2)$ for $\mathcal N(0,\sigma^2)$, $h = \ln(2a)$ for
    /// $\mathcal U(-a, a)$ (T3).
    pub fn entropy_per_parameter(&self) -> f64 {
        entropy_per_parameter(self.kind, self.scale)
    }

    /// The entropy $S = n\,h$ of $n$ i.i.d. coordinates, in nats (T3).
    pub fn entropy(&self, n: usize) -> f64 {
        n as f64 * self.entropy_per_parameter()
    }

    /// One coordinate $w_i$ drawn from the init.
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        self.scale * standard_draw(self.kind, rng)
    }
}

/// A draw of the unit-scale shape $w_0$: $\mathcal N(0,1)$ or $\mathcal U(-1,1)$. Multiplying by
/// $\vartheta$ gives the init; reusing the same $w_0$ at two scales gives common random numbers.
pub fn standard_draw<R: Rng + ?Sized>(kind: InitKind, rng: &mut R) -> f64 {
    match kind {
        InitKind::Normal => rng.sample::<f64, _>(StandardNormal),
        InitKind::Uniform => 2.0 * rng.random::<f64>() - 1.0,
    }
}

/// The entropy of one coordinate of scale $\vartheta$, generic so that forward-mode AD gives
/// $dh/d\vartheta = 1/\vartheta$: $\tfrac12\ln(2\pi e\vartheta^2)$ (normal) or $\ln(2\vartheta)$
/// (uniform), in nats (T3).
pub fn entropy_per_parameter<D: DualNum<Primitive = f64> + Copy>(kind: InitKind, scale: D) -> D {
    match kind {
        InitKind::Normal => (scale * scale * (2.0 * PI * E)).ln() * 0.5,
        InitKind::Uniform => (scale * 2.0).ln(),
    }
}

/// Block-mixed init (T13): the coordinates flagged `normal` are $\mathcal N(0,\sigma^2)$, the
/// others $\mathcal U(-a, a)$.
#[derive(Debug, Clone, PartialEq)]
pub struct BlockMixedInit {
    normal: Vec<bool>,
    sigma: f64,
    half_width: f64,
}

impl BlockMixedInit {
    /// A block-mixed init; `normal[i]` says whether coordinate $i$ is normal.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming `normal` if empty, `sigma` or `half-width` unless
    /// finite and $> 0$.
    pub fn new(normal: Vec<bool>, sigma: f64, half_width: f64) -> Result<Self> {
        error::count_at_least("normal", normal.len(), 1)?;
        error::positive("sigma", sigma)?;
        error::positive("half-width", half_width)?;
        Ok(BlockMixedInit {
            normal,
            sigma,
            half_width,
        })
    }

    /// Which coordinates are normal.
    pub fn normal_mask(&self) -> &[bool] {
        &self.normal
    }

    /// $\sigma$ of the normal block.
    pub fn sigma(&self) -> f64 {
        self.sigma
    }

    /// $a$ of the uniform block.
    pub fn half_width(&self) -> f64 {
        self.half_width
    }

    /// $(n_N, n_U)$.
    pub fn block_sizes(&self) -> (usize, usize) {
        let n_n = self.normal.iter().filter(|&&b| b).count();
        (n_n, self.normal.len() - n_n)
    }

    /// $S = \tfrac{n_N}2\ln(2\pi e\sigma^2) + n_U\ln(2a)$ (T13), in nats.
    pub fn entropy(&self) -> f64 {
        let (n_n, n_u) = self.block_sizes();
        n_n as f64 * entropy_per_parameter(InitKind::Normal, self.sigma)
            + n_u as f64 * entropy_per_parameter(InitKind::Uniform, self.half_width)
    }

    /// The variance of coordinate $i$: $\sigma^2$ in the normal block, $a^2/3$ in the uniform
    /// block (T1, T13).
    ///
    /// # Panics
    /// If `i` is out of range (a programmer error).
    #[track_caller]
    pub fn variance(&self, i: usize) -> f64 {
        if self.normal[i] {
            self.sigma * self.sigma
        } else {
            self.half_width * self.half_width / 3.0
        }
    }
}

/// Mixture-density init (T14): every coordinate from
/// $p(w) = \lambda\,\mathcal N(w; 0,\sigma^2) + (1-\lambda)\,\mathcal U(w; -a, a)$.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MixtureInit {
    weight: f64,
    sigma: f64,
    half_width: f64,
}

impl MixtureInit {
    /// A mixture with normal weight $\lambda\in\[0,1\]$.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming `weight` (outside $\[0,1\]$), `sigma` or `half-width`
    /// (not finite and $> 0$).
    pub fn new(weight: f64, sigma: f64, half_width: f64) -> Result<Self> {
        error::in_range("weight", weight, 0.0, 1.0)?;
        error::positive("sigma", sigma)?;
        error::positive("half-width", half_width)?;
        Ok(MixtureInit {
            weight,
            sigma,
            half_width,
        })
    }

    /// The same shape scaled by $c$: $(\lambda, c\sigma, ca)$.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming `scale` unless $c$ is finite and $> 0$.
    pub fn scaled(&self, c: f64) -> Result<Self> {
        error::positive("scale", c)?;
        Self::new(self.weight, c * self.sigma, c * self.half_width)
    }

    /// $v = \lambda\sigma^2 + (1-\lambda)a^2/3$ (T14).
    pub fn variance(&self) -> f64 {
        self.weight * self.sigma * self.sigma
            + (1.0 - self.weight) * self.half_width * self.half_width / 3.0
    }

    /// The density $p(w) = \lambda\,\phi(w/\sigma)/\sigma + (1-\lambda)\,\mathbf 1\{|w| < a\}/(2a)$
    /// (T14).
    pub fn density(&self, w: f64) -> f64 {
        let normal = thermocheck_numerics::special::normal_pdf(w / self.sigma) / self.sigma;
        let uniform = if w.abs() < self.half_width {
            0.5 / self.half_width
        } else {
            0.0
        };
        self.weight * normal + (1.0 - self.weight) * uniform
    }

    /// $h = -\int p\ln p\,dw$ per coordinate (T3, T14), in nats, by double-exponential
    /// quadrature split at the jumps $\pm a$ of the uniform part (relative tolerance
    /// $10^{-12}$). The report carries the cross-checked error estimate.
    ///
    /// # Errors
    /// [`Error::NotConverged`] if the quadrature misses its tolerance.
    pub fn entropy_per_parameter(&self) -> Result<QuadReport> {
        let a = self.half_width;
        let f = |w: f64| {
            let p = self.density(w);
            if p > 0.0 { -p * p.ln() } else { 0.0 }
        };
        quad::integrate(
            f,
            f64::NEG_INFINITY,
            f64::INFINITY,
            &[-a, 0.0, a],
            &QuadOptions::new(crate::linear::EVIDENCE_QUAD_REL_TOL, 1e-300)?,
        )
    }

    /// One coordinate drawn from the mixture.
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        if rng.random::<f64>() < self.weight {
            self.sigma * rng.sample::<f64, _>(StandardNormal)
        } else {
            self.half_width * (2.0 * rng.random::<f64>() - 1.0)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use num_dual::Dual64;

    #[test]
    fn entropies_follow_the_scale_law() {
        // dh/dθ = 1/θ by forward-mode AD, for both shapes (T3).
        for kind in [InitKind::Normal, InitKind::Uniform] {
            let h = entropy_per_parameter(kind, Dual64::from_re(1.7).derivative());
            assert!((h.eps - 1.0 / 1.7).abs() < 1e-15);
        }
        let n = Init::normal(1.0).unwrap();
        assert!((n.entropy_per_parameter() - 0.5 * (2.0 * PI * E).ln()).abs() < 1e-15);
        let u = Init::uniform(1.5).unwrap();
        assert!((u.entropy(3) - 3.0 * 3f64.ln()).abs() < 1e-14);
        assert!((u.variance() - 0.75).abs() < 1e-15);
    }

    #[test]
    fn degenerate_mixtures_reduce_to_their_components() {
        // λ = 1: h_N(σ = 2); λ = 0: ln(2a).
        let m = MixtureInit::new(1.0, 2.0, 1.0).unwrap();
        let h = m.entropy_per_parameter().unwrap();
        let exact = 0.5 * (2.0 * PI * E * 4.0).ln();
        assert!((h.value - exact).abs() <= h.error_estimate + 1e-14);
        let m = MixtureInit::new(0.0, 2.0, 1.5).unwrap();
        assert!((m.entropy_per_parameter().unwrap().value - 3f64.ln()).abs() < 1e-12);
    }

    #[test]
    fn bad_scales_are_named() {
        assert_eq!(Init::normal(0.0).unwrap_err().parameter(), Some("scale"));
        assert_eq!(
            Init::uniform(f64::INFINITY).unwrap_err().parameter(),
            Some("scale")
        );
        assert!("cauchy".parse::<InitKind>().is_err());
        assert_eq!(
            MixtureInit::new(1.5, 1.0, 1.0).unwrap_err().parameter(),
            Some("weight")
        );
    }
}
