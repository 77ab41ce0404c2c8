//! Energy and temperature of the linear model $\hat y = w^\top x$ for every loss × init
//! (spec T5, T8–T20).
//!
//! # Per-sample building block (T10)
//!
//! For one sample $(x, y)$ with $n$ features, and a zero-mean scale family $w = \vartheta w_0$,
//! the conditional energy and temperature are
//!
//! $$e(x,y;\vartheta) = \mathbb E_{w}\,\ell\big(y, w^\top x\big),\qquad
//!   t = \frac{\vartheta}{n}\,\partial_\vartheta e = \frac1n\,\mathbb E\big[\hat y\,\partial_{\hat y}\ell\big]
//!   \ \text{(virial, T8)},$$
//!
//! and the data-level $E$ and $T$ are their averages (the entropy does not depend on the data).
//! [`sample_thermo`] evaluates $(e, t)$ for `mse | mae | ce` × `normal | uniform`:
//!
//! | loss | normal init, $s = \sigma\lVert x\rVert$ | uniform init, $c_i = a|x_i|$ |
//! |---|---|---|
//! | MSE | $e = y^2 + s^2$, $t = 2s^2/n$ (T11) | $e = y^2 + a^2r^2/3$, $t = 2a^2r^2/(3n)$ (T12), any $n$ |
//! | MAE | $e = \lvert y\rvert + 2s\,L(\lvert y\rvert/s)$, $t = 2s\,\phi(y/s)/n$ (T15) | exact piecewise polynomial (T16), see [`UniformSum`] |
//! | CE | $e = F(s)$, $t = s^2G(s)/n$ (T18) | exact: quadrature against the exact density of $\hat y$ |
//!
//! with $L(u) = \phi(u) - u\,\Phi(-u)$ (so that $s\,g(y/s) = |y| + 2sL(|y|/s)$, the stable form of
//! T15's $g$). All forms are exact; the asymptotic ones are separate functions with their domain
//! of validity.
//!
//! # Uniform init: the exact law of $\hat y$
//!
//! Under $w_i\sim\mathcal U(-a,a)$, $\hat y = S = \sum_i c_iU_i$ with $U_i\sim\mathcal U(-1,1)$ and
//! $c_i = a|x_i|$ (zero features drop out; the sign of $x_i$ does not matter). [`UniformSum`]
//! holds the non-zero $c_i$ and computes:
//!
//! - MAE, every $n_{eff}\le 20$: with $T = \mathbb E(S-|y|)_+$ and $P = P(S>|y|)$,
//!   $\mathbb E|S-y| = |y| + 2T$ and $\mathbb E[S;S>|y|] = T + |y|P$, where
//!   $$T = \frac{\sum_{\varepsilon:\,d_\varepsilon>0}\big(\prod_i\varepsilon_i\big)\,d_\varepsilon^{n+1}}{2^n(n+1)!\prod_ic_i},\qquad
//!   P = \frac{\sum_{\varepsilon:\,d_\varepsilon>0}\big(\prod_i\varepsilon_i\big)\,d_\varepsilon^{n}}{2^n\,n!\prod_ic_i},\qquad
//!   d_\varepsilon = \sum_i\varepsilon_ic_i - |y|$$
//!   (iterate $\mathbb E_{V}\psi(w+V) = [\psi^{(-1)}(w+c)-\psi^{(-1)}(w-c)]/(2c)$ with the
//!   antiderivatives of $(s-|y|)_+$ and $\mathbf 1\{s>|y|\}$). Only vertices beyond $|y|$ enter:
//!   near the edge of the support a single term, a closed form. Each $d_\varepsilon$ is a
//!   compensated sum in the original units kept in double-double, and the sums run in
//!   double-double, so they lose nothing to cancellation unless the $|x_i|$ span about
//!   $10^{16}$; a run-time bound is checked. When it fails ($\max|x_i|/\min|x_i|$ extreme):
//!   $n_{eff} = 2$ uses the stable two-term form (averages of piecewise polynomials over
//!   sub-intervals in which every term is non-negative; the one-term law when $c_2$ is below
//!   half an ulp of $|y|$), $n_{eff} = 3$ the exact density quadrature below, and
//!   $n_{eff}\ge4$ is refused ([`Error::OutOfRange`] naming `features`, the failing bound in
//!   the message) beyond $10^{-10}$ relative;
//! - $n_{eff}\le 3$ (CE, and the MAE fallback): the exact density of $S$ (a box, a trapezoid,
//!   or the window average of the trapezoid — the trapezoid itself when $c_3$ is below half an
//!   ulp — all evaluated as sums of non-negative terms), integrated against the loss by
//!   double-exponential quadrature with break points at every kink of the density (relative
//!   tolerance [`EXACT_QUAD_REL_TOL`]). CE with $n_{eff}\ge4$ non-zero
//!   features under uniform init is refused with [`Error::OutOfRange`] naming `features`: the
//!   issue's $10^{-8}$ cannot be guaranteed there (use [`ce_uniform_small_scale_temperature`]
//!   for the $O(v)$ asymptote, T19).

use crate::data::{DataMoments, DataSet};
use crate::init::{BlockMixedInit, Init, InitKind};
use crate::logistic::{logistic_slope_mean, softplus_mean};
use crate::loss::{Loss, softmax_hessian_trace, softplus};
use num_dual::{Dual64, DualNum};
use std::f64::consts::PI;
use thermocheck_numerics::error::{self, Error, Result};
use thermocheck_numerics::quad::{self, QuadOptions};
use thermocheck_numerics::special::{normal_pdf, normal_sf};
use thermocheck_numerics::sum::{CompensatedSum, two_sum};

/// The energy $e$ and temperature $t$ of one sample (T10), or their data averages $E$, $T$.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thermo {
    /// Energy: the expected loss, in loss units.
    pub energy: f64,
    /// Temperature $dE/dS$, in loss units per nat.
    pub temperature: f64,
}

/// Largest number of non-zero features for which the exact uniform-init MAE vertex sum is
/// evaluated ($2^{20}$ vertices, about 20 ms).
pub const MAX_UNIFORM_MAE_FEATURES: usize = 20;

/// Largest number of non-zero features for which the uniform-init cross entropy is computed
/// exactly (through the exact density of $\hat y$).
pub const MAX_UNIFORM_CE_FEATURES: usize = 3;

/// Relative rounding bound above which the MAE vertex sum is refused.
const VERTEX_REL_BOUND: f64 = 1e-10;

// Quadrature tolerances of the crate's per-sample results, one per purpose (the efficiencies
// keep theirs, `efficiency::REL_TOL`, beside the estimates they return).

/// Relative tolerance of the quadratures that *are* a library result promised to $10^{-12}$
/// (the exact uniform density here; $F$, $G$ in [`crate::logistic`]): a decade below the
/// promise, so the promise holds with the cross-checked estimate's safety factor.
pub const EXACT_QUAD_REL_TOL: f64 = 1e-13;

/// Relative tolerance of reference quadratures used as evidence (AD of $E(\sigma)$, entropies
/// $-\int p\ln p$, mean-field corrections): the claims compare against them with their own
/// error estimate as the tolerance, so any level works; $10^{-12}$ keeps them cheap and far
/// below the Monte Carlo tolerances they sit beside.
pub const EVIDENCE_QUAD_REL_TOL: f64 = 1e-12;

/// Relative tolerance per nesting level of the softmax ($K = 3$) expectations: the outer
/// integrand carries the inner error, so the result is good to about twice this; $10^{-10}$
/// costs about a tenth of $10^{-12}$'s evaluations in the nested rule.
pub const SOFTMAX_QUAD_REL_TOL: f64 = 1e-10;

const DENSITY_REL_TOL: f64 = EXACT_QUAD_REL_TOL;

/// Rounding bound below which the vertex sum is accepted at $n_{eff}\le3$, where an exact
/// fallback that does not cancel exists (two-term form, density quadrature): the level of
/// those fallbacks, so the vertex sum is never the less accurate route.
const EXACT_FORM_REL_TOL: f64 = DENSITY_REL_TOL;

/// $\lVert x\rVert$ without overflow or underflow of the squares.
pub fn norm(x: &[f64]) -> f64 {
    let m = x.iter().fold(0.0_f64, |a, &v| a.max(v.abs()));
    if m == 0.0 || !m.is_finite() {
        return m;
    }
    m * x.iter().map(|&v| (v / m) * (v / m)).sum::<f64>().sqrt()
}

fn out_of_range(what: &str) -> Error {
    Error::out_of_range(&["scale", "features", "target"], what)
}

fn finite_or(value: f64, what: &str) -> Result<f64> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(out_of_range(what))
    }
}

impl Thermo {
    /// `self` if both fields are finite; else [`Error::OutOfRange`] saying what overflowed (the
    /// energy checked first).
    fn all_finite_or(self, energy_overflow: &str, temperature_overflow: &str) -> Result<Thermo> {
        Ok(Thermo {
            energy: finite_or(self.energy, energy_overflow)?,
            temperature: finite_or(self.temperature, temperature_overflow)?,
        })
    }
}

/// Validates one sample's inputs as `eval` receives them.
fn validate(features: &[f64], target: f64, loss: Loss) -> Result<()> {
    error::count_at_least("features", features.len(), 1)?;
    error::all_finite("features", features)?;
    error::finite("target", target)?;
    if loss == Loss::CrossEntropy {
        // A binary cross-entropy label.
        error::one_of("target", target, &[-1.0, 1.0])?;
    }
    Ok(())
}

/// Per-sample energy and temperature $(e, t)$ of T10 for a loss and an i.i.d. init.
///
/// $$e = \mathbb E_w\,\ell(y, w^\top x),\qquad t = \frac{\vartheta}{n}\,\frac{\partial e}{\partial\vartheta}
///   = \frac{de/d\vartheta}{dS/d\vartheta},$$
///
/// where $n$ = `features.len()`, $\vartheta$ the init scale ($\sigma$ or half-width $a$) and
/// $S = n\,h(\vartheta)$ the entropy in nats. Conventions: MSE without ½; cross entropy binary with
/// labels $\pm1$ (its $e$, $t$ do not depend on the label, T18).
///
/// Accuracy, whenever the result is a normal `f64`: MSE and MAE under normal init, a few ulps;
/// CE (the quadratures of [`crate::logistic`] and of the exact uniform law) and MAE uniform
/// with $\le3$ non-zero features, below $10^{-12}$ relative (in practice a few ulps for MAE:
/// the double-double vertex sums); MAE uniform with 4–20 non-zero features, below the vertex
/// sum's run-time rounding bound, which must be at most $10^{-10}$ (else an error; a few ulps
/// unless the $|x_i|$ span many decades). Tails underflow gracefully (MAE's
/// $t\propto e^{-y^2/2s^2}$ returns the correctly rounded tiny value or 0).
///
/// # Errors
/// - [`Error::InvalidParameter`] naming `features` (empty, or `features[i]` not finite) or
///   `target` (not finite, or a CE label other than ±1);
/// - [`Error::OutOfRange`] naming `scale`, `features` and `target` if the result overflows, and
///   naming `features` when the uniform-init MAE or CE cannot be computed exactly to $10^{-10}$
///   (see the module docs: CE with more than 3, MAE with more than 20 non-zero features).
///
/// # Examples
/// ```
/// use thermocheck_temperature::{init::Init, linear::sample_thermo, loss::Loss};
/// // Spec TV5: σ = 1, r = 2, y = 1, n = 4 → MAE e = 2g(0.5), t = ½√(2/π)e^{-1/8}
/// let th = sample_thermo(Loss::Mae, Init::normal(1.0)?, &[1.0, 1.0, 1.0, 1.0], 1.0)?;
/// assert!((th.energy - 1.7911862296).abs() < 1e-10);
/// assert!((th.temperature - 0.3520653268).abs() < 1e-10);
/// # Ok::<(), thermocheck_numerics::Error>(())
/// ```
pub fn sample_thermo(loss: Loss, init: Init, features: &[f64], target: f64) -> Result<Thermo> {
    sample_thermo_unchecked(loss, init, features, target)?.all_finite_or(
        "the energy e overflows f64",
        "the temperature t overflows f64",
    )
}

/// The per-sample energy $e = \mathbb E_{w}\,\ell\big(y, w^\top x\big)$ of [`sample_thermo`]
/// alone: it is an error only if $e$ itself is not representable (the temperature may overflow,
/// e.g. MSE with a huge scale, without affecting it).
///
/// Spec: T2, T10 (closed forms T11–T19).
///
/// # Errors
/// As [`sample_thermo`], the overflow check applying to $e$ only.
pub fn sample_energy(loss: Loss, init: Init, features: &[f64], target: f64) -> Result<f64> {
    let th = sample_thermo_unchecked(loss, init, features, target)?;
    finite_or(th.energy, "the energy e overflows f64")
}

/// The per-sample temperature $t = (\vartheta/n)\,\partial_\vartheta e$ of [`sample_thermo`]
/// alone: it is an error only if $t$ itself is not representable (e.g. MSE at
/// $|y| = 10^{200}$: $e = y^2 + s^2$ overflows but $t = 2s^2/n$ does not).
///
/// Spec: T10 (closed forms T11–T19).
///
/// # Errors
/// As [`sample_thermo`], the overflow check applying to $t$ only.
pub fn sample_temperature(loss: Loss, init: Init, features: &[f64], target: f64) -> Result<f64> {
    let th = sample_thermo_unchecked(loss, init, features, target)?;
    finite_or(th.temperature, "the temperature t overflows f64")
}

/// [`sample_thermo`] without the final overflow checks: a field may be $+\infty$ when its value
/// exceeds `f64::MAX` (never NaN).
fn sample_thermo_unchecked(
    loss: Loss,
    init: Init,
    features: &[f64],
    target: f64,
) -> Result<Thermo> {
    validate(features, target, loss)?;
    let n = features.len();
    let a = init.scale();
    match (loss, init.kind()) {
        (Loss::Mse, kind) => {
            let sd = match kind {
                InitKind::Normal => a * norm(features),
                InitKind::Uniform => a * norm(features) / 3f64.sqrt(),
            };
            Ok(mse_thermo(sd, target, n))
        }
        (Loss::Mae, InitKind::Normal) => Ok(mae_normal_thermo(a * norm(features), target, n)),
        (Loss::Mae, InitKind::Uniform) => {
            let sum = UniformSum::new(a, features)?;
            sum.mae(target, n)
        }
        (Loss::CrossEntropy, InitKind::Normal) => ce_normal_sample(a * norm(features), n),
        (Loss::CrossEntropy, InitKind::Uniform) => UniformSum::new(a, features)?.ce(n),
    }
}

/// MSE per sample for any zero-mean init with prediction standard deviation
/// $\mathrm{sd}(\hat y) = \sqrt v\,r$ (T11, T12): $e = y^2 + v r^2$, $t = 2vr^2/n$. Exact.
///
/// # Errors
/// [`Error::OutOfRange`] if $e$ overflows.
pub fn mse_sample(prediction_sd: f64, y: f64, n: usize) -> Result<Thermo> {
    mse_thermo(prediction_sd, y, n)
        .all_finite_or("y² + v·r² overflows f64", "2v·r²/n overflows f64")
}

/// [`mse_sample`] unchecked: $+\infty$ where a value overflows.
fn mse_thermo(sd: f64, y: f64, n: usize) -> Thermo {
    Thermo {
        energy: y * y + sd * sd,
        // 2·sd·(sd/n): no spurious overflow of sd² when 2sd²/n is representable.
        temperature: 2.0 * sd * (sd / n as f64),
    }
}

/// $L(u) = \phi(u) - u\,\Phi(-u) = \mathbb E(Z-u)_+$ for $u \ge 0$ (the normal loss function).
///
/// Direct form: the cancellation grows like $u^2$ (at most $1600$ ulps at $u = 40$); beyond
/// $u = 40$, $L < \phi(40) \approx 10^{-348}$ is 0 in `f64`. Callers use it only where it is
/// dominated by $|u|$ (MAE energy), so the relative error of the result stays at a few ulps.
fn normal_loss_function(u: f64) -> f64 {
    if u > 40.0 {
        0.0
    } else {
        (normal_pdf(u) - u * normal_sf(u)).max(0.0)
    }
}

/// MAE under normal init, per sample (T15), exact:
///
/// $$e = s\,g(y/s) = |y| + 2s\,L(|y|/s),\qquad t = \frac{2s}{n}\,\phi(y/s) = \frac sn\sqrt{\tfrac2\pi}\,e^{-y^2/(2s^2)},$$
///
/// where $s = \sigma\lVert x\rVert \ge 0$ and $L(u) = \phi(u) - u\Phi(-u)$. The form
/// $|y| + 2sL$ adds two non-negative terms, so $e$ is accurate to a few ulps for all $s$ and $y$
/// (frozen regime $s\ll|y|$: $e\to|y|$, $t\to0$ underflowing gracefully; $s = 0$: $e = |y|$,
/// $t = 0$).
///
/// # Errors
/// [`Error::OutOfRange`] if $e$ overflows.
pub fn mae_normal_sample(s: f64, y: f64, n: usize) -> Result<Thermo> {
    mae_normal_thermo(s, y, n).all_finite_or("s·g(y/s) overflows f64", "2s·φ(y/s)/n overflows f64")
}

/// [`mae_normal_sample`] unchecked: $+\infty$ where a value overflows.
fn mae_normal_thermo(s: f64, y: f64, n: usize) -> Thermo {
    let ay = y.abs();
    if s == 0.0 {
        return Thermo {
            energy: ay,
            temperature: 0.0,
        };
    }
    let u = ay / s;
    Thermo {
        energy: ay + 2.0 * s * normal_loss_function(u),
        temperature: 2.0 * s * (normal_pdf(u) / n as f64),
    }
}

/// Binary cross entropy under normal init, per sample (T18), exact:
/// $e = F(s)$, $t = s^2G(s)/n$ with $s = \sigma\lVert x\rVert$ (label independent).
///
/// # Errors
/// [`Error::OutOfRange`] if $e$ overflows; quadrature errors of [`crate::logistic`].
pub fn ce_normal_sample(s: f64, n: usize) -> Result<Thermo> {
    let s = finite_or(s, "s = σ·‖x‖ overflows f64")?;
    let energy = softplus_mean(s)?;
    let temperature = s * (s * logistic_slope_mean(s)?) / n as f64;
    Ok(Thermo {
        energy,
        temperature: finite_or(temperature, "s²G(s) overflows f64")?,
    })
}

/// The prediction $\hat y = S = \sum_i c_iU_i$ under uniform init, $U_i\sim\mathcal U(-1,1)$,
/// $c_i = a|x_i| > 0$ (zero features dropped): the exact law of T16–T19.
///
/// Internally everything is computed for $S/\Lambda$ with $\Lambda = \sum_ic_i$ (support
/// $[-1, 1]$), so no power or product overflows.
#[derive(Debug, Clone, PartialEq)]
pub struct UniformSum {
    /// $\Lambda = \sum c_i$ (0 if every feature is 0).
    total: f64,
    /// $c_i = a|x_i|$ in the original units, descending (for the vertex sums, which need the
    /// distances $\sum\pm c_i - |y|$ without the rounding of $c_i/\Lambda$).
    scales: Vec<f64>,
    /// $c_i/\Lambda$, descending.
    weights: Vec<f64>,
}

impl UniformSum {
    /// The law of $\sum_i a\,x_i\,U_i$.
    ///
    /// Terms with $c_i/\Lambda$ below the smallest subnormal (e.g. $|x_i| = 10^{-200}$ beside
    /// $10^{200}$) are dropped: they change every moment by less than $10^{-308}$ relative, and
    /// a zero weight would make the box and trapezoid densities divide by zero.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming `scale` ($a$ not finite and $> 0$) or `features`
    /// (empty or not finite); [`Error::OutOfRange`] if $\sum_i a|x_i|$ overflows.
    pub fn new(half_width: f64, features: &[f64]) -> Result<Self> {
        error::positive("scale", half_width)?;
        error::count_at_least("features", features.len(), 1)?;
        error::all_finite("features", features)?;
        let mut c: Vec<f64> = features
            .iter()
            .map(|&x| half_width * x.abs())
            .filter(|&v| v > 0.0)
            .collect();
        let total = finite_or(c.iter().sum(), "a·Σ|x_i| overflows f64")?;
        c.sort_by(|p, q| q.total_cmp(p));
        c.retain(|&v| v / total > 0.0);
        let weights = c.iter().map(|&v| v / total).collect();
        Ok(UniformSum {
            total,
            scales: c,
            weights,
        })
    }

    /// The number of non-zero terms.
    pub fn terms(&self) -> usize {
        self.weights.len()
    }

    /// $\operatorname{Var}S = \sum c_i^2/3$.
    pub fn variance(&self) -> f64 {
        let w2: f64 = self.weights.iter().map(|w| w * w).sum();
        self.total * self.total * w2 / 3.0
    }

    /// $\mathbb E|S - y|$ and $\mathbb E[S\,\mathbf 1\{S>|y|\}]$, exact (see module docs): the MAE
    /// energy $e$ and, as $t = 2\,\mathbb E[S\,\mathbf 1\{S>|y|\}]/n$, its temperature (T16).
    ///
    /// Both come from the tail $T = \mathbb E(S-|y|)_+$ and $P = P(S > |y|)$:
    /// $\mathbb E|S-y| = |y| + 2T$ (as $\mathbb ES = 0$) and $\mathbb E[S;S>|y|] = T + |y|P$,
    /// with $T$, $P$ the vertex sums over the vertices beyond $|y|$ only (module docs).
    /// Near the edge of the support only the vertex $\sum c_i$ is beyond $|y|$ and the sums are
    /// one closed-form term; the distances $d = \sum\pm c_i - |y|$ are formed in double-double
    /// arithmetic in the original units, so they carry no cancellation.
    ///
    /// # Errors
    /// [`Error::OutOfRange`] naming `features` beyond [`MAX_UNIFORM_MAE_FEATURES`] non-zero
    /// terms or, at $n\ge4$ non-zero terms, when the vertex sum's run-time rounding bound on
    /// either result exceeds $10^{-10}$ relative (at $n\le3$ the stable two-term form or the
    /// density quadrature take over instead); quadrature errors of that
    /// fallback.
    pub fn mean_abs_deviation(&self, y: f64) -> Result<(f64, f64)> {
        let ay = y.abs();
        let n = self.scales.len();
        if n == 0 {
            return Ok((ay, 0.0));
        }
        if n > MAX_UNIFORM_MAE_FEATURES {
            return Err(Error::out_of_range(
                &["features"],
                format!(
                    "{n} non-zero features: the exact uniform-init MAE is evaluated for at most \
                     {MAX_UNIFORM_MAE_FEATURES} (2^n vertices)"
                ),
            ));
        }
        // Σc_i − |y| compensated: S never exceeds |y| when it is ≤ 0, and then
        // |S − y| = |y| − sign(y) S with E S = 0.
        let edge: CompensatedSum = self.scales.iter().copied().chain([-ay]).collect();
        if edge.value() <= 0.0 {
            return Ok((ay, 0.0));
        }
        // Work with Λ in [1, 2) by an exact power-of-two scaling.
        let k = binary_exponent(self.total);
        let c: Vec<f64> = self.scales.iter().map(|&v| ldexp(v, -k)).collect();
        let z = ldexp(ay, -k);
        let tail = vertex_tail(&c, z)?;
        let e = z + 2.0 * tail.tail;
        let m = tail.tail + z * tail.probability;
        let bound_e = 2.0 * tail.tail_bound + f64::EPSILON * e;
        let bound_m = tail.tail_bound + z * tail.probability_bound + 2.0 * f64::EPSILON * m;
        let limit = if n <= 3 {
            EXACT_FORM_REL_TOL
        } else {
            VERTEX_REL_BOUND
        };
        if bound_e <= limit * e && bound_m <= limit * m {
            return Ok((ldexp(e, k), ldexp(m.max(0.0), k)));
        }
        let lam = self.total;
        let zn = ay / lam;
        let (e, m) = match self.weights.as_slice() {
            &[c1, c2] => two_term_mad(c1, c2, zn),
            // Very unequal |x_i|: the exact density quadrature does not cancel.
            [_, _, _] => self.density_tail_mad(zn)?,
            _ => {
                let (what, bound, value) = if bound_e > limit * e {
                    ("E|ŷ − y|", bound_e, e)
                } else {
                    ("E[ŷ; ŷ > |y|]", bound_m, m)
                };
                return Err(Error::out_of_range(
                    &["features"],
                    format!(
                        "the exact uniform-init MAE vertex sum over {n} features cancels beyond \
                         double-double precision: rounding bound of {what} is {:.1e} relative > \
                         {VERTEX_REL_BOUND:e} (the |x_i| span {:.1e}; the sum cancels when they are \
                         very unequal)",
                        bound / value,
                        self.scales[0] / self.scales[n - 1]
                    ),
                ));
            }
        };
        Ok((lam * e, lam * m))
    }

    /// The $n_{eff} = 3$ fallback of [`UniformSum::mean_abs_deviation`], in units of $\Lambda$:
    /// $T = \int_z^1(u-z)p(u)\,du$ and $\int_z^1 u\,p(u)\,du$ against the exact density $p$,
    /// over the tail only. $T$ gets the absolute floor $\tfrac12\,$[`DENSITY_REL_TOL`]$\,z$,
    /// because the energy is $z + 2T$.
    fn density_tail_mad(&self, z: f64) -> Result<(f64, f64)> {
        let kinks: Vec<f64> = self
            .kinks()
            .into_iter()
            .filter(|&k| z < k && k < 1.0)
            .collect();
        let tail = quad::integrate(
            |u: f64| (u - z) * self.density(u),
            z,
            1.0,
            &kinks,
            &QuadOptions::new(DENSITY_REL_TOL, DENSITY_REL_TOL * z / 2.0)?,
        )?
        .value;
        let m = quad::integrate(
            |u: f64| u * self.density(u),
            z,
            1.0,
            &kinks,
            &QuadOptions::new(DENSITY_REL_TOL, 0.0)?,
        )?
        .value;
        Ok((z + 2.0 * tail, m))
    }

    /// Per-sample MAE $(e, t)$ under uniform init: $e = \mathbb E|S-y|$ and
    /// $t = \frac{2}{n}\mathbb E[S\,\mathbf 1\{S > |y|\}]$ (virial form T8 rewritten as a tail
    /// moment: $\mathbb E[S\operatorname{sign}(S-y)] = 2\mathbb E[S;S>|y|]$ by $\mathbb ES = 0$ and
    /// symmetry, a non-negative quantity that is exactly 0 when $|y|\ge\sum c_i$).
    ///
    /// # Errors
    /// As [`UniformSum::mean_abs_deviation`].
    pub fn mae(&self, y: f64, n: usize) -> Result<Thermo> {
        let (e, m) = self.mean_abs_deviation(y)?;
        Ok(Thermo {
            energy: e,
            temperature: 2.0 * m / n as f64,
        })
    }

    /// Per-sample binary cross entropy $(e, t)$ under uniform init:
    /// $e = \mathbb E\operatorname{softplus}(S)$ and $t = \mathbb E[S\tanh(S/2)]/(2n)$ (the virial
    /// form $\mathbb E[S\operatorname{sig}(S)]/n$ with $\mathbb E S = 0$ subtracted, so that the
    /// integrand is non-negative). Exact law, quadrature to [`EXACT_QUAD_REL_TOL`].
    ///
    /// Spec: T2, T8, T19.
    ///
    /// # Errors
    /// [`Error::OutOfRange`] naming `features` beyond [`MAX_UNIFORM_CE_FEATURES`] non-zero terms.
    pub fn ce(&self, n: usize) -> Result<Thermo> {
        if self.weights.is_empty() {
            return Ok(Thermo {
                energy: std::f64::consts::LN_2,
                temperature: 0.0,
            });
        }
        let lam = self.total;
        let energy = self.density_expectation(|u| softplus(lam * u), &[])?;
        let m = self.density_expectation(|u| lam * u * (lam * u / 2.0).tanh(), &[])?;
        Ok(Thermo {
            energy,
            temperature: m / (2.0 * n as f64),
        })
    }

    /// The density of $S/\Lambda$ at $u$ for $n_{eff}\le 3$ terms (box, trapezoid, window average
    /// of the trapezoid), as sums of non-negative terms. Private: its callers use it only after
    /// checking $1 \le n_{eff} \le 3$, so the public API cannot reach the panic below.
    fn density(&self, u: f64) -> f64 {
        match self.weights.as_slice() {
            &[c1] => box_density(c1, u),
            &[c1, c2] => trapezoid_density(c1, c2, u),
            &[c1, c2, c3] => {
                // (1/2c₃)∫_{u−c₃}^{u+c₃} p₂: p₂ is linear between its kinks, so each piece is
                // integrated exactly by the trapezoid rule.
                let (lo, hi) = (u - c3, u + c3);
                if hi == lo {
                    // c₃ below half an ulp of u: the window average is the trapezoid itself
                    // (the c₃ → 0 limit), exact to ε.
                    return trapezoid_density(c1, c2, u);
                }
                let mut cuts = vec![lo, hi];
                cuts.extend(
                    [-(c1 + c2), -(c1 - c2), c1 - c2, c1 + c2]
                        .into_iter()
                        .filter(|&k| lo < k && k < hi),
                );
                cuts.sort_by(f64::total_cmp);
                let integral: f64 = cuts
                    .windows(2)
                    .map(|w| {
                        (w[1] - w[0])
                            * (trapezoid_density(c1, c2, w[0]) + trapezoid_density(c1, c2, w[1]))
                            / 2.0
                    })
                    .sum();
                // Divide by the computed width, not 2c₃: u ± c₃ rounds by ε|u|, which relative to
                // a tiny c₃ would be a large error in the width but is a negligible shift of the
                // window (the mean over the window actually integrated is what we return).
                integral / (hi - lo)
            }
            other => panic!("density: {} terms, at most 3 supported", other.len()),
        }
    }

    /// The kinks of the density of $S/\Lambda$: every $\pm c_1\pm c_2\pm\dots$ in $(-1, 1)$.
    fn kinks(&self) -> Vec<f64> {
        let mut k = vec![0.0];
        let n = self.weights.len();
        for bits in 0..(1u32 << n) {
            let b: f64 = (0..n)
                .map(|i| {
                    if bits >> i & 1 == 1 {
                        self.weights[i]
                    } else {
                        -self.weights[i]
                    }
                })
                .sum();
            if b.abs() < 1.0 {
                k.push(b);
            }
        }
        k
    }

    /// $\mathbb E f(S/\Lambda)$ by quadrature of $f$ against the exact density, break points at
    /// the density's kinks and at `extra_kinks`.
    fn density_expectation(&self, f: impl Fn(f64) -> f64, extra_kinks: &[f64]) -> Result<f64> {
        if self.weights.len() > MAX_UNIFORM_CE_FEATURES {
            return Err(Error::out_of_range(
                &["features"],
                format!(
                    "{} non-zero features: the exact law of ŵ·x under uniform init is computed for \
                     at most {MAX_UNIFORM_CE_FEATURES} (cross entropy) — use normal init, or the \
                     asymptote of T19",
                    self.weights.len()
                ),
            ));
        }
        let mut kinks = self.kinks();
        kinks.extend(extra_kinks.iter().filter(|k| k.abs() < 1.0));
        let r = quad::integrate(
            |u: f64| f(u) * self.density(u),
            -1.0,
            1.0,
            &kinks,
            &QuadOptions::new(DENSITY_REL_TOL, 0.0)?,
        )?;
        Ok(r.value)
    }
}

/// Density of $cU$, $U\sim\mathcal U(-1,1)$.
fn box_density(c: f64, u: f64) -> f64 {
    if u.abs() <= c { 0.5 / c } else { 0.0 }
}

/// Density of $c_1U_1 + c_2U_2$ ($c_1\ge c_2$): $1/(2c_1)$ on $|u|\le c_1-c_2$, then linear to 0 at
/// $c_1 + c_2$.
fn trapezoid_density(c1: f64, c2: f64, u: f64) -> f64 {
    let a = u.abs();
    if a <= c1 - c2 {
        0.5 / c1
    } else if a < c1 + c2 {
        ((c1 + c2 - a) / (2.0 * c1)) / (2.0 * c2)
    } else {
        0.0
    }
}

/// $\frac{1}{q-p}\int_p^q$ of a function that is $f_l$ on $(-\infty,-c]$, $f_m$ on $[-c, c]$ and
/// $f_r$ on $[c,\infty)$, each given by its mean over a sub-interval.
fn piecewise_mean(
    p: f64,
    q: f64,
    c: f64,
    left: impl Fn(f64, f64) -> f64,
    middle: impl Fn(f64, f64) -> f64,
    right: impl Fn(f64, f64) -> f64,
) -> f64 {
    let mut total = 0.0;
    type Mean<'a> = &'a dyn Fn(f64, f64) -> f64;
    let pieces: [(f64, f64, Mean); 3] = [
        (f64::NEG_INFINITY, -c, &left),
        (-c, c, &middle),
        (c, f64::INFINITY, &right),
    ];
    for (lo, hi, mean) in pieces {
        let (a, b) = (p.max(lo), q.min(hi));
        if b > a {
            total += (b - a) * mean(a, b);
        }
    }
    total / (q - p)
}

/// $\mathbb E|S - z|$ and $\mathbb E[S;S>z]$ for $S = c_1U_1 + c_2U_2$, $z\ge0$: the average over
/// $V_2 = c_2U_2$ of the one-term closed forms, piece by piece (every mean non-negative).
fn two_term_mad(c1: f64, c2: f64, z: f64) -> (f64, f64) {
    if z - c2 == z + c2 {
        // c₂ below half an ulp of z: the window average is the one-term law at z to within
        // ε (the window cannot even be represented; averaging over it would divide 0 by 0).
        return if z < c1 {
            (
                (z * z + c1 * c1) / (2.0 * c1),
                (c1 - z) * (c1 + z) / (4.0 * c1),
            )
        } else {
            (z, 0.0)
        };
    }
    // h₁(w) = E|c₁U − w|: |w| outside [−c₁, c₁], (w² + c₁²)/(2c₁) inside.
    let e = piecewise_mean(
        z - c2,
        z + c2,
        c1,
        |a, b| -(a + b) / 2.0,
        |a, b| ((a * a + a * b + b * b) / 3.0 + c1 * c1) / (2.0 * c1),
        |a, b| (a + b) / 2.0,
    );
    // k₁(w) = E(c₁U − w)₊ + z·P(c₁U > w) at w = z − V₂ (so that S − z = c₁U − w).
    let m = piecewise_mean(
        z - c2,
        z + c2,
        c1,
        |a, b| -(a + b) / 2.0 + z,
        |a, b| {
            let (da, db) = (c1 - a, c1 - b);
            (da * da + da * db + db * db) / 3.0 / (4.0 * c1) + z * (da + db) / 2.0 / (2.0 * c1)
        },
        |_, _| 0.0,
    );
    (e, m)
}

/// $2^e$ for $|e|\le 1023$ (exact).
fn pow2(e: i32) -> f64 {
    f64::from_bits(((1023 + e.clamp(-1022, 1023)) as u64) << 52)
}

/// $x\,2^e$, exact unless the result overflows or is subnormal.
fn ldexp(mut x: f64, mut e: i32) -> f64 {
    while e > 1000 {
        x *= pow2(1000);
        e -= 1000;
    }
    while e < -1000 {
        x *= pow2(-1000);
        e += 1000;
    }
    x * pow2(e)
}

/// The $e$ with $2^e\le x<2^{e+1}$ for a positive normal $x$ (subnormal $x$: $-1022$).
fn binary_exponent(x: f64) -> i32 {
    (((x.to_bits() >> 52) & 0x7ff) as i32 - 1023).max(-1022)
}

/// A double-double number $h + l$: about 106 significant bits (Dekker; Bailey's QD
/// "sloppy" operations, relative error a few $\varepsilon^2$ per operation).
#[derive(Debug, Clone, Copy)]
struct DoubleDouble(f64, f64);

impl DoubleDouble {
    fn from_sum(a: f64, b: f64) -> Self {
        let (h, l) = two_sum(a, b);
        DoubleDouble(h, l)
    }
    fn add(self, o: Self) -> Self {
        let (h, l) = two_sum(self.0, o.0);
        Self::from_sum(h, l + self.1 + o.1)
    }
    fn mul(self, o: Self) -> Self {
        let p = self.0 * o.0;
        // TwoProduct by fused multiply-add: p + e = self.0·o.0 exactly.
        let e = self.0.mul_add(o.0, -p) + (self.0 * o.1 + self.1 * o.0);
        Self::from_sum(p, e)
    }
    /// Multiplication by a power of two: exact.
    fn scale(self, s: f64) -> Self {
        DoubleDouble(self.0 * s, self.1 * s)
    }
    fn neg(self) -> Self {
        DoubleDouble(-self.0, -self.1)
    }
    fn value(self) -> f64 {
        self.0 + self.1
    }
}

/// $x\prod_i f_i$ without spurious overflow or underflow of the partial products.
fn scaled_product(x: f64, factors: impl IntoIterator<Item = f64>) -> f64 {
    let (mut m, mut k) = (x, 0i32);
    for f in factors {
        m *= f;
        if m == 0.0 || !m.is_finite() {
            return m;
        }
        let e = binary_exponent(m.abs());
        m = ldexp(m, -e);
        k += e;
    }
    ldexp(m, k)
}

/// The vertex tail sums of $S = \sum_i c_iU_i$ beyond $z\ge0$, with their rounding bounds.
#[derive(Debug, Clone, Copy)]
struct VertexTail {
    /// $T = \mathbb E(S - z)_+$.
    tail: f64,
    /// Bound on the rounding error of `tail`.
    tail_bound: f64,
    /// $P = P(S > z)$.
    probability: f64,
    /// Bound on the rounding error of `probability`.
    probability_bound: f64,
}

/// $T = \mathbb E(S-z)_+$ and $P = P(S>z)$ for $S = \sum_ic_iU_i$, $U_i\sim\mathcal U(-1,1)$,
/// by the vertex sums over the vertices beyond $z$ only:
///
/// $$T = \frac{\sum_{\varepsilon:\,d_\varepsilon>0}\big(\prod_i\varepsilon_i\big)\,d_\varepsilon^{n+1}}{2^n(n+1)!\prod_ic_i},\qquad
///   P = \frac{\sum_{\varepsilon:\,d_\varepsilon>0}\big(\prod_i\varepsilon_i\big)\,d_\varepsilon^{n}}{2^n\,n!\prod_ic_i},\qquad
///   d_\varepsilon = \sum_i\varepsilon_ic_i - z,$$
///
/// (iterate $\mathbb E_U\psi(w + cU) = [\psi^{(-1)}(w+c) - \psi^{(-1)}(w-c)]/(2c)$ with the
/// antiderivatives $(s-z)_+^{k+1}/(k+1)!$ of $(s-z)_+$ and $(s-z)_+^{k}/k!$ of
/// $\mathbf 1\{s>z\}$). Each $d_\varepsilon$ is formed as a compensated sum kept in
/// double-double, scaled by the exact power of two nearest $1/d_{max}$, raised to its power and
/// summed in double-double; the bound adds, per term, $(n+1)$ times the relative error of
/// $d_\varepsilon$ plus the double-double rounding, and the final roundings. Callers scale so
/// that $\sum c_i\in[1,2)$.
fn vertex_tail(c: &[f64], z: f64) -> Result<VertexTail> {
    let n = c.len();
    let eps = f64::EPSILON;
    let eps2 = eps * eps;
    let lam: f64 = c.iter().sum();
    let distance = |bits: u64| -> DoubleDouble {
        let mut s = CompensatedSum::new();
        for (i, &ci) in c.iter().enumerate() {
            s.add(if bits >> i & 1 == 1 { -ci } else { ci });
        }
        s.add(-z);
        let (h, l) = s.parts();
        DoubleDouble::from_sum(h, l)
    };
    // The all-plus vertex is the farthest: scale every d by 2^{-j} ≈ 1/d_max (exact).
    let d_max = distance(0).value();
    if d_max <= 0.0 {
        return Ok(VertexTail {
            tail: 0.0,
            tail_bound: 0.0,
            probability: 0.0,
            probability_bound: 0.0,
        });
    }
    let j = binary_exponent(d_max).max(-1000);
    let inv = pow2(-j);
    // Error of a compensated d: the compensation's own roundings, ≤ (n+2)²ε²(Σc + z), plus
    // the double-double normalisation.
    let delta_abs = ((n + 2) * (n + 2)) as f64 * eps2 * (lam + z);
    let (mut st, mut sp) = (DoubleDouble(0.0, 0.0), DoubleDouble(0.0, 0.0));
    let (mut at, mut ap, mut bt, mut bp) = (0.0, 0.0, 0.0, 0.0);
    let mut count = 0.0;
    for bits in 0..(1u64 << n) {
        let d = distance(bits);
        if d.0 <= 0.0 {
            continue;
        }
        count += 1.0;
        let rel_d = delta_abs / d.0 + eps2;
        let ds = d.scale(inv);
        let mut pw = ds;
        for _ in 1..n {
            pw = pw.mul(ds);
        }
        let pw1 = pw.mul(ds);
        let odd = bits.count_ones() % 2 == 1;
        st = st.add(if odd { pw1.neg() } else { pw1 });
        sp = sp.add(if odd { pw.neg() } else { pw });
        let (t1, t0) = (pw1.0.abs(), pw.0.abs());
        at += t1;
        ap += t0;
        bt += t1 * ((n + 1) as f64 * rel_d + 4.0 * (n + 1) as f64 * eps2);
        bp += t0 * (n as f64 * rel_d + 4.0 * n as f64 * eps2);
    }
    // Sloppy double-double additions: ≤ 4ε² of the running magnitude each.
    let (ts, ps) = (st.value(), sp.value());
    let ts_bound = bt + 4.0 * count * eps2 * at + eps * ts.abs();
    let ps_bound = bp + 4.0 * count * eps2 * ap + eps * ps.abs();
    // T = ts·2^{j(n+1)} / (2^n (n+1)! Πc) = ts·2^j·Π(2^j/c_i) / (2^n (n+1)!), one rounding per
    // factor.
    let mut fact = 1.0_f64;
    for i in 2..=n {
        fact *= i as f64;
    }
    let r = pow2(j);
    let factor_p = scaled_product(1.0 / (pow2(n as i32) * fact), c.iter().map(|&ci| r / ci));
    let factor_t = factor_p * r / (n + 1) as f64;
    let gamma = (2 * n + 6) as f64 * eps;
    let tail = ts * factor_t;
    let probability = ps * factor_p;
    let (tail_bound, probability_bound) = if factor_p.is_finite() {
        (
            ts_bound * factor_t * (1.0 + gamma) + gamma * tail.abs(),
            ps_bound * factor_p * (1.0 + gamma) + gamma * probability.abs(),
        )
    } else {
        (f64::INFINITY, f64::INFINITY)
    };
    Ok(VertexTail {
        tail,
        tail_bound,
        probability,
        probability_bound,
    })
}

// ------------------------------------------------------------------------------------------
// Data-level energies and temperatures
// ------------------------------------------------------------------------------------------

/// $E$ and $T$ of a data set: the averages of [`sample_thermo`] over its samples (T10).
///
/// # Errors
/// As [`sample_thermo`], for the first sample that fails.
pub fn data_thermo(loss: Loss, init: Init, data: &DataSet) -> Result<Thermo> {
    let count = data.samples().len() as f64;
    let mut acc = Thermo {
        energy: 0.0,
        temperature: 0.0,
    };
    for s in data.samples() {
        let th = sample_thermo(loss, init, s.features(), s.target())?;
        acc.energy += th.energy / count;
        acc.temperature += th.temperature / count;
    }
    Ok(acc)
}

/// MSE energy of a zero-mean init of variance $v$ from the moments (T11, T12):
/// $E_0 = \mathbb Ey^2 + v\operatorname{tr}M$. Exact for every $n$ and every scale family.
pub fn mse_energy(moments: &DataMoments, variance: f64) -> f64 {
    moments.target_second_moment() + variance * moments.trace()
}

/// MSE temperature of a zero-mean scale family of variance $v$ (T11, T12, T14):
/// $T = 2v\bar m_2$ — equipartition $E_0 - \mathbb Ey^2 = nT/2$. Exact for every $n$; for normal
/// init $2\sigma^2\bar m_2$, for uniform $2a^2\bar m_2/3$, for the mixture
/// $v = \lambda\sigma^2 + (1-\lambda)a^2/3$.
pub fn mse_temperature(moments: &DataMoments, variance: f64) -> f64 {
    2.0 * variance * moments.mean_second_moment()
}

/// MSE energy of a block-mixed init (T13) as a function of its two scales, generic for AD:
/// $E = \mathbb Ey^2 + \sigma^2\sum_{i\in\mathcal I_N}M_{ii} + \tfrac{a^2}3\sum_{i\in\mathcal I_U}M_{ii}$
/// (`normal_mask[i]` true for the normal block).
///
/// # Errors
/// [`Error::DimensionMismatch`] naming `normal` if the mask's length is not $n$.
pub fn block_mixed_mse_energy<D: DualNum<Primitive = f64> + Copy>(
    moments: &DataMoments,
    normal_mask: &[bool],
    sigma: D,
    half_width: D,
) -> Result<D> {
    error::length("normal", normal_mask.len(), moments.dimension())?;
    let (mut sn, mut su) = (0.0, 0.0);
    for (i, &is_normal) in normal_mask.iter().enumerate() {
        let m = moments.second_moment()[(i, i)];
        if is_normal {
            sn += m;
        } else {
            su += m;
        }
    }
    Ok(sigma * sigma * sn + half_width * half_width * (su / 3.0) + moments.target_second_moment())
}

/// Partial and joint MSE temperatures of a block-mixed init (T13):
/// $T_N = 2\sigma^2\sum_{i\in\mathcal I_N}M_{ii}/n_N$, $T_U = \tfrac{2a^2}3\sum_{i\in\mathcal I_U}M_{ii}/n_U$,
/// $T = (n_NT_N + n_UT_U)/n$. A block that is empty has partial temperature 0.
///
/// # Errors
/// [`Error::DimensionMismatch`] naming `normal` if the init's length is not $n$.
pub fn block_mixed_mse_temperatures(
    moments: &DataMoments,
    init: &BlockMixedInit,
) -> Result<(f64, f64, f64)> {
    let n = moments.dimension();
    error::length("normal", init.normal_mask().len(), n)?;
    let (n_n, n_u) = init.block_sizes();
    let (mut sn, mut su) = (0.0, 0.0);
    for (i, &is_normal) in init.normal_mask().iter().enumerate() {
        let m = moments.second_moment()[(i, i)];
        if is_normal {
            sn += m;
        } else {
            su += m;
        }
    }
    let t_n = if n_n > 0 {
        2.0 * init.sigma() * init.sigma() * sn / n_n as f64
    } else {
        0.0
    };
    let a = init.half_width();
    let t_u = if n_u > 0 {
        2.0 * a * a / 3.0 * su / n_u as f64
    } else {
        0.0
    };
    Ok((t_n, t_u, (n_n as f64 * t_n + n_u as f64 * t_u) / n as f64))
}

// ------------------------------------------------------------------------------------------
// Asymptotic forms, each with its domain of validity
// ------------------------------------------------------------------------------------------

/// MAE, normal init, hot regime $s\gg|y|$ (T15 i): $e\approx s\sqrt{2/\pi} + y^2/(s\sqrt{2\pi})$;
/// relative error $O(y^4/s^4)$.
pub fn mae_normal_hot_energy(s: f64, y: f64) -> f64 {
    s * (2.0 / PI).sqrt() + y * y / (s * (2.0 * PI).sqrt())
}

/// MAE, normal init, hot regime (T15 i): $t\approx\frac sn\sqrt{2/\pi}$; the exact ratio is
/// $e^{-y^2/(2s^2)} = 1 - y^2/(2s^2) + \dots$, so the relative error is $y^2/(2s^2)$.
pub fn mae_normal_hot_temperature(s: f64, n: usize) -> f64 {
    s / n as f64 * (2.0 / PI).sqrt()
}

/// MAE, normal init, fan-in limit (T15 iii): with $\sigma^2 = \kappa/n$ and
/// $\lVert x\rVert^2/n\to\bar m_2$, $s_\infty = \sqrt{\kappa\bar m_2}$ and
/// $nT\to s_\infty\sqrt{2/\pi}\,\mathbb E_y[e^{-y^2/(2s_\infty^2)}]$, the mean taken over
/// `targets`. Valid as $n\to\infty$ when $\lVert x\rVert^2/n$ concentrates (error
/// $O(\operatorname{Var}(\lVert x\rVert^2/n))$).
pub fn mae_normal_fan_in_limit(kappa: f64, mean_second_moment: f64, targets: &[f64]) -> f64 {
    let s = (kappa * mean_second_moment).sqrt();
    let mean: f64 = targets
        .iter()
        .map(|&y| (-(y / s) * (y / s) / 2.0).exp())
        .sum::<f64>()
        / targets.len() as f64;
    s * (2.0 / PI).sqrt() * mean
}

/// Cross entropy, small scale (T18, T19): $T\approx v\bar m_2/4$ (MSE/8), for any zero-mean
/// init of variance $v$ (only the variance enters at $O(v)$); relative error $O(v\,r^2)$.
pub fn ce_small_scale_temperature(variance: f64, mean_second_moment: f64) -> f64 {
    variance * mean_second_moment / 4.0
}

/// [`ce_small_scale_temperature`] under uniform init $\mathcal U(-a, a)$, i.e. with $v = a^2/3$:
/// $T \approx a^2\bar m_2/12$ (T19), named for discoverability.
pub fn ce_uniform_small_scale_temperature(half_width: f64, mean_second_moment: f64) -> f64 {
    ce_small_scale_temperature(half_width * half_width / 3.0, mean_second_moment)
}

/// Cross entropy, normal init, large scale (T18): $t\approx s/(n\sqrt{2\pi})$ per sample
/// ($T\approx\sigma\,\mathbb E\lVert x\rVert/(n\sqrt{2\pi})$); relative error
/// $\pi^2/(6s^2)$.
pub fn ce_large_scale_temperature(s: f64, n: usize) -> f64 {
    s / (n as f64 * (2.0 * PI).sqrt())
}

/// Cross entropy, normal init, fan-in limit (T18): $nT\to s_\infty^2G(s_\infty)$,
/// $s_\infty = \sqrt{\kappa\bar m_2}$.
///
/// # Errors
/// As [`logistic_slope_mean`].
pub fn ce_fan_in_limit(kappa: f64, mean_second_moment: f64) -> Result<f64> {
    let s = (kappa * mean_second_moment).sqrt();
    Ok(s * s * logistic_slope_mean(s)?)
}

/// MAE under uniform init, $y = 0$: Edgeworth ratio to the normal init of equal variance (T16),
/// $T^{\mathcal U}/T^{\mathcal N}_{\sigma=a/\sqrt3}\approx 1-\kappa_4/24$ with
/// $\kappa_4 = -\tfrac65\sum x_i^4/(\sum x_i^2)^2$. Error $O(1/n^2)$ for $x = \mathbf 1_n$
/// (good from $n\ge2$; at $n = 1$ it gives 1.05 against the exact $\sqrt{3\pi/8}$).
pub fn mae_uniform_edgeworth_ratio(features: &[f64]) -> f64 {
    let s2: f64 = features.iter().map(|x| x * x).sum();
    let s4: f64 = features.iter().map(|x| x.powi(4)).sum();
    let kappa4 = -1.2 * s4 / (s2 * s2);
    1.0 - kappa4 / 24.0
}

// ------------------------------------------------------------------------------------------
// Softmax (T20)
// ------------------------------------------------------------------------------------------

/// Softmax cross entropy, $K\in\{2, 3\}$ classes, normal init, per sample (T20): the energy
/// $e = \mathbb E\operatorname{logsumexp}(z)$ and the Stein temperature
/// $t = \frac{s^2}{Kn}\,\mathbb E[1 - \lVert p(z)\rVert^2]$, $z\sim\mathcal N(0, s^2I_K)$,
/// $s = \sigma\lVert x\rVert$, $n$ features ($Kn$ parameters).
///
/// Softmax is invariant under $z\mapsto z + c\mathbf 1$, so only the $K-1$ contrasts matter; the
/// expectation is a 1-D ($K = 2$) or nested 2-D ($K = 3$) Gaussian quadrature, relative
/// tolerance [`SOFTMAX_QUAD_REL_TOL`] per level.
///
/// # Errors
/// [`Error::InvalidParameter`] naming `classes` unless $K\in\{2,3\}$, `s` unless finite and
/// $\ge0$; quadrature errors.
pub fn softmax_sample_thermo(classes: usize, s: f64, n: usize) -> Result<Thermo> {
    error::in_range("classes", classes as f64, 2.0, 3.0)?;
    let s = error::non_negative("s", s)?;
    let k = classes as f64;
    let opts = QuadOptions::new(SOFTMAX_QUAD_REL_TOL, 1e-300)?;
    let (e_c, h) = if s == 0.0 {
        (0.0, 1.0 - 1.0 / k)
    } else if classes == 2 {
        // z₁ − z₂ = √2 s u; logsumexp(z) = z₂ + softplus(z₁ − z₂), E z₂ = 0.
        let e = quad::gaussian_expectation(softplus, 2.0 * s * s, &[], &opts)?.value;
        let h = quad::gaussian_expectation(
            |d| 2.0 * crate::loss::sigmoid_slope(d),
            2.0 * s * s,
            &[],
            &opts,
        )?
        .value;
        (e, h)
    } else {
        // z = m·1 + s(α e₁ + β e₂), e₁ = (1, −1, 0)/√2, e₂ = (1, 1, −2)/√6; E m = 0.
        let (r2, r6) = (2f64.sqrt(), 6f64.sqrt());
        let z = |a: f64, b: f64| [a / r2 + b / r6, -a / r2 + b / r6, -2.0 * b / r6];
        let nested = |f: &dyn Fn(&[f64; 3]) -> f64| -> Result<f64> {
            // The first inner failure is kept and returned: the outer quadrature sees NaN
            // there and stops, but its own NotConverged would hide the cause.
            let failure = std::cell::RefCell::new(None);
            let inner =
                |a: f64| match quad::gaussian_expectation(|b| f(&z(a, b)), s * s, &[], &opts) {
                    Ok(r) => r.value,
                    Err(e) => {
                        failure.borrow_mut().get_or_insert(e);
                        f64::NAN
                    }
                };
            let outer = quad::gaussian_expectation(inner, s * s, &[], &opts);
            if let Some(e) = failure.into_inner() {
                return Err(e);
            }
            Ok(outer?.value)
        };
        (
            nested(&|z| crate::loss::logsumexp(z))?,
            nested(&|z| softmax_hessian_trace(z))?,
        )
    };
    Ok(Thermo {
        energy: e_c,
        temperature: s * s * h / (k * n as f64),
    })
}

/// Softmax, small scale (T20): $t\approx (K-1)s^2/(K^2n)$ per sample, i.e.
/// $T\approx (K-1)\sigma^2\bar m_2/K^2$; relative error $O(s^2)$.
pub fn softmax_small_scale_temperature(classes: usize, s: f64, n: usize) -> f64 {
    let k = classes as f64;
    (k - 1.0) * s * s / (k * k * n as f64)
}

// ------------------------------------------------------------------------------------------
// Independent evidence: AD of E(θ) by quadrature, virial and Stein forms
// ------------------------------------------------------------------------------------------

/// $E(\sigma)$ of one sample under normal init as a dual number: the quadrature
/// $\int\ell(y, \sigma r u)\phi(u)\,du$ applied to the real part and to the derivative part that
/// forward-mode AD (num-dual) propagates through $\ell$ — so `eps` is
/// $\partial_\sigma e = \mathbb E[\partial_{\hat y}\ell\;r u]$ without a hand-written derivative.
/// MAE's kink is a break point at $u = y/(\sigma r)$. Returns the value and, as a second dual
/// number, the quadratures' cross-checked absolute error estimates of its two parts.
///
/// Spec: T2, T10 (the AD evidence for $t = (\sigma/n)\,\partial_\sigma e$).
///
/// # Errors
/// Quadrature errors; [`Error::InvalidParameter`] naming `sigma` or `r` unless $>0$.
pub fn normal_energy_dual(loss: Loss, sigma: Dual64, r: f64, y: f64) -> Result<(Dual64, Dual64)> {
    error::positive("sigma", sigma.re)?;
    error::positive("r", r)?;
    let l = |u: f64| -> Dual64 {
        let y_hat = sigma * (r * u);
        match loss {
            Loss::Mse => (y_hat - y) * (y_hat - y),
            Loss::Mae => {
                let d = y_hat - y;
                if d.re < 0.0 { -d } else { d }
            }
            Loss::CrossEntropy => {
                let z = y_hat * (-y);
                if z.re > 0.0 {
                    z + (-z).exp().ln_1p()
                } else {
                    z.exp().ln_1p()
                }
            }
        }
    };
    let kink = [y / (sigma.re * r)];
    let kinks: &[f64] = if loss == Loss::Mae && kink[0].abs() < 40.0 {
        &kink
    } else {
        &[]
    };
    let opts = QuadOptions::new(EVIDENCE_QUAD_REL_TOL, 1e-300)?;
    let re = quad::gaussian_expectation(|u| l(u).re, 1.0, kinks, &opts)?;
    let eps = quad::gaussian_expectation(|u| l(u).eps, 1.0, kinks, &opts)?;
    Ok((
        Dual64::new(re.value, eps.value),
        Dual64::new(re.error_estimate, eps.error_estimate),
    ))
}

/// Generic MSE energy $e = y^2 + \vartheta^2 q$ along a scale family (for AD in tests and
/// claims): $q = r^2$ (normal, T11) or $r^2/3$ (uniform, T12).
pub fn mse_energy_along_scale<D: DualNum<Primitive = f64> + Copy>(scale: D, q: f64, y: f64) -> D {
    scale * scale * q + y * y
}

#[cfg(test)]
mod tests {
    use super::*;

    /// $(\mathbb E|S-z|, \mathbb E[S;S>z])$ from the vertex tail sums, asserting their bound.
    fn vertex_mad(c: &[f64], z: f64) -> (f64, f64) {
        let t = vertex_tail(c, z).unwrap();
        // Equal-ish weights: no cancellation, the bound is a few ulps.
        assert!(
            t.tail_bound <= 1e-14 * t.tail && t.probability_bound <= 1e-14 * t.probability,
            "{t:?}"
        );
        (z + 2.0 * t.tail, t.tail + z * t.probability)
    }

    fn th(loss: Loss, init: Init, x: &[f64], y: f64) -> Thermo {
        sample_thermo(loss, init, x, y).unwrap()
    }

    #[test]
    fn tv5_per_sample_table() {
        // Spec TV5 (σ = 1, r = 2, y = 1, n = 4): 10-digit values.
        let x = [1.0; 4];
        let n = Init::normal(1.0).unwrap();
        let m = th(Loss::Mse, n, &x, 1.0);
        assert_eq!((m.energy, m.temperature), (5.0, 2.0));
        let a = th(Loss::Mae, n, &x, 1.0);
        assert!((a.energy - 1.791_186_229_6).abs() < 1e-10);
        assert!((a.temperature - 0.352_065_326_8).abs() < 1e-10);
        let c = th(Loss::CrossEntropy, n, &x, 1.0);
        assert!((c.energy - 1.067_714_388_1).abs() < 1e-10);
        assert!((c.temperature - 0.151_426_377_4).abs() < 1e-10);
    }

    #[test]
    fn tv8_uniform_mae_table() {
        // n = 1, a = 1.5, x = 1.2, y = 0.5: e = 0.96944444, t = 0.83055556 (spec TV8).
        let u = Init::uniform(1.5).unwrap();
        let t = th(Loss::Mae, u, &[1.2], 0.5);
        assert!((t.energy - 0.969_444_444_444_444_4).abs() < 1e-15);
        assert!((t.temperature - 0.830_555_555_555_555_6).abs() < 1e-15);
        // CLT ratio E|Σ a u_i| / (a/√3 √n √(2/π)) for x = 1_n: exact density of the sum by
        // rational piecewise-polynomial convolution (tests/linear_accuracy.rs, `ref`), 10 digits.
        let exact = [
            (1, 1.085_401_882),
            (2, 1.023_326_708),
            (4, 1.013_041_756),
            (8, 1.006_406_623),
            (16, 1.003_163_795),
        ];
        for (n, ratio) in exact {
            let x = vec![1.0; n];
            let e = th(Loss::Mae, u, &x, 0.0).energy;
            let normal = 1.5 / 3f64.sqrt() * (n as f64).sqrt() * (2.0 / PI).sqrt();
            assert!((e / normal - ratio).abs() < 1e-9, "n = {n}: {}", e / normal);
        }
    }

    #[test]
    fn two_and_three_term_forms_agree_with_the_vertex_sum() {
        // Same law, three methods: stable two-term form, vertex sum, density quadrature.
        for (c1, c2, z) in [
            (0.6, 0.4, 0.1),
            (0.7, 0.3, 0.55),
            (0.5, 0.5, 0.0),
            (0.9, 0.1, 0.95),
        ] {
            let (e2, m2) = two_term_mad(c1, c2, z);
            let (ev, mv) = vertex_mad(&[c1, c2], z);
            assert!(
                (e2 - ev).abs() < 1e-14 && (m2 - mv).abs() < 1e-14,
                "{c1} {c2} {z}"
            );
        }
        let s = UniformSum::new(1.0, &[0.5, 0.3, 0.2]).unwrap();
        for z in [0.0, 0.25, 0.7] {
            let (ev, mv) = vertex_mad(&s.weights, z);
            let eq = s.density_expectation(|u| (u - z).abs(), &[z]).unwrap();
            let mq = s
                .density_expectation(|u| if u > z { u } else { 0.0 }, &[z])
                .unwrap();
            assert!(
                (ev - eq).abs() < 1e-12 && (mv - mq).abs() < 1e-12,
                "z = {z}"
            );
        }
    }

    #[test]
    fn bad_input_is_typed() {
        let n = Init::normal(1.0).unwrap();
        assert_eq!(
            sample_thermo(Loss::Mse, n, &[], 1.0)
                .unwrap_err()
                .parameter(),
            Some("features")
        );
        assert_eq!(
            sample_thermo(Loss::Mse, n, &[f64::NAN], 1.0)
                .unwrap_err()
                .parameter(),
            Some("features[0]")
        );
        let label = sample_thermo(Loss::CrossEntropy, n, &[1.0], 0.5).unwrap_err();
        assert_eq!(label.to_string(), "target must be one of -1, 1 (got 0.5)");
        assert!(matches!(label, Error::InvalidParameter { .. }));
        let big = Init::normal(1e200).unwrap();
        assert!(matches!(
            sample_thermo(Loss::Mse, big, &[1e200], 1.0),
            Err(Error::OutOfRange { .. })
        ));
        let u = Init::uniform(1.0).unwrap();
        assert!(matches!(
            sample_thermo(Loss::CrossEntropy, u, &[1.0; 4], 1.0),
            Err(Error::OutOfRange { .. })
        ));
    }
}
