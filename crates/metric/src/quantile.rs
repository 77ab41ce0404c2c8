//! The quantile (Wasserstein) form of the friction tensor (spec M8), an independent check of M7.
//!
//! $$\zeta_{ij} = \frac1D\int_0^1\partial_iQ_\theta(s)\,\partial_jQ_\theta(s)\,ds
//!              = \frac1D\int_{-\infty}^{\infty}\partial_iQ_\theta\big(P_\theta(u)\big)\,
//!                \partial_jQ_\theta\big(P_\theta(u)\big)\,p_\theta(u)\,du,$$
//! where $Q_\theta$ is the quantile function and $P_\theta$ the CDF of $p_\theta \propto e^{-E_\theta}$
//! (the second form substitutes $s = P_\theta(u)$, so the outer quadrature sees a density instead of
//! the endpoint singularities of $Q$ at $s = 0, 1$).
//!
//! Nothing here uses $G$ or $X = \partial_\theta E$ — only the energy itself:
//!
//! - **CDF.** Masses $\int_{-\infty}^x e^{c - E}$ and $\int_x^\infty e^{c-E}$ by
//!   [`quad::integrate`] (relative tolerance $10^{-13}$), from the *nearer* end of the real line so
//!   that tail probabilities keep their relative accuracy; $c = E_\theta(\text{mode})$.
//! - **Quantiles.** $Q_{\theta'}(s)$ by Newton's method on the mass equation, started at $u$, each
//!   step adding the mass of the short interval it moves over (again by quadrature);
//!   $dQ/ds = 1/p$ makes Newton quadratically convergent.
//! - **$\partial_\theta Q$.** Richardson-extrapolated central differences in $\theta_j$ with steps
//!   $h_j$ and $h_j/2$ ($R(h) = (4D(h/2) - D(h))/3$, error $O(h^4)$), and again with $h_j/2$,
//!   $h_j/4$. The finer $R(h/2)$ is used and $|R(h) - R(h/2)|$ is its error estimate.
//! - **Outer integral** by [`quad::integrate`] over $u$ (relative tolerance `rel_tol`), on the
//!   truncated support of M7's step 1 (the mass outside is below $e^{-80}$); the masses are
//!   taken from the ends of the same support.
//!
//! # Error estimate
//! `error_estimate[(i, j)]` = the outer quadrature's cross-checked estimate $+ \pi w M_{ij}/D$,
//! where $M_{ij} = \max_u |\Delta_{ij}(u)|\,p(u)\,(1 + (u - m)^2/w^2)$ over the quadrature nodes,
//! $\Delta_{ij}$ is the change of the integrand $\partial_iQ\,\partial_jQ$ between the two Richardson
//! levels, $m$ the mode and $w$ the width of $p$: since $|\Delta|p \le M/(1 + (u-m)^2/w^2)$,
//! $\int|\Delta|\,p\,du \le \pi w M$. It covers
//! the truncation of the differences; their round-off, $\sim 10^{-13}\,w/h$ relative for a
//! density of width $w$, enters through the same difference. With the default step
//! $4\times10^{-3}$ the method agrees with M7 to about $10^{-10}$ relative on the families of MV3.
//!
//! It is slow by design (one quadrature per mass, a dozen quantiles per node): a check, not a
//! production method.

use crate::energy::EnergyFamily;
use crate::friction::{Counter, DEFAULT_TAIL_DROP, fmt_theta, locate_support};
use nalgebra::DMatrix;
use std::cell::{Cell, RefCell};
use thermocheck_numerics::diff::Richardson;
use thermocheck_numerics::error::{self, Error, Result};
use thermocheck_numerics::quad::{self, QuadOptions};

/// Relative tolerance of every mass quadrature.
const MASS_REL_TOL: f64 = 1e-13;

/// Validated options of [`quantile_friction`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QuantileOptions {
    rel_tol: f64,
    step: f64,
}

impl Default for QuantileOptions {
    /// Outer tolerance $10^{-10}$, relative step $4\times10^{-3}$.
    fn default() -> Self {
        QuantileOptions {
            rel_tol: 1e-10,
            step: 4e-3,
        }
    }
}

impl QuantileOptions {
    /// Outer relative tolerance `rel_tol` and difference step `step`: $h_j$ = `step`$\cdot|\theta_j|$,
    /// or `step` itself where $\theta_j = 0$.
    ///
    /// # Errors
    /// `rel-tol` not in $[10^{-13}, 10^{-2}]$; `step` not in $[10^{-6}, 0.1]$.
    pub fn new(rel_tol: f64, step: f64) -> Result<Self> {
        Ok(QuantileOptions {
            rel_tol: error::in_range("rel-tol", rel_tol, 1e-13, 1e-2)?,
            step: error::in_range("step", step, 1e-6, 0.1)?,
        })
    }
}

/// The result of [`quantile_friction`]: $\zeta$ by the quantile form (M8) with its error estimate.
#[derive(Debug, Clone, PartialEq)]
pub struct QuantileReport {
    /// $\zeta$ by M8.
    pub friction: DMatrix<f64>,
    /// Absolute error estimate per entry (module docs).
    pub error_estimate: DMatrix<f64>,
    /// Energy evaluations.
    pub evaluations: usize,
}

/// A family at one $\theta'$ with the energy shift $c$ and its total mass.
struct Shifted<'a> {
    family: &'a dyn EnergyFamily,
    theta: Vec<f64>,
    shift: f64,
    mode: f64,
    /// Ends of the base density's truncated support (M7 step 1: the mass beyond is below
    /// $e^{-80}$ of the total), shared by every $\theta'$ so that masses stay comparable.
    lower: f64,
    upper: f64,
    /// Width of the base density (offset where $E$ has risen by 1).
    width: f64,
    total: f64,
    evaluations: &'a Cell<usize>,
}

impl Shifted<'_> {
    fn q(&self, x: f64) -> f64 {
        self.evaluations.set(self.evaluations.get() + 1);
        (self.shift - self.family.energy(&self.theta, x)).exp()
    }

    /// $\int_a^b e^{c - E}$ to `MASS_REL_TOL` relative or `abs_tol` absolute.
    fn integral(&self, a: f64, b: f64, abs_tol: f64) -> Result<f64> {
        if a == b {
            return Ok(0.0);
        }
        let (lo, hi, sign) = if a < b { (a, b, 1.0) } else { (b, a, -1.0) };
        if hi - lo <= 1e-6 * self.width {
            // Intervals shorter than 1e-6 w (Newton's last steps, nodes next to the support's
            // ends) use the midpoint rule, relative error ~(Δ/w)² ≤ 1e-12 of a contribution that
            // is itself tiny; a quadrature over a few ulps would see its nodes round onto the ends.
            let mid = lo + 0.5 * (hi - lo);
            return Ok(sign * self.q(mid) * (hi - lo));
        }
        let cuts: Vec<f64> = [self.mode]
            .into_iter()
            .filter(|&m| lo < m && m < hi)
            .collect();
        let options = QuadOptions::new(MASS_REL_TOL, abs_tol)?;
        let r = quad::integrate(|v: f64| self.q(v), lo, hi, &cuts, &options)?;
        Ok(sign * r.value)
    }

    /// Mass on the side of `x` given by `left` (unnormalised).
    fn mass(&self, x: f64, left: bool) -> Result<f64> {
        if left {
            self.integral(self.lower, x, 0.0)
        } else {
            self.integral(x, self.upper, 0.0)
        }
    }

    /// $Q_{\theta'}$ at the probability whose `left`-side tail is `target` (normalised), by
    /// Newton from `start`.
    fn quantile(&self, target: f64, left: bool, start: f64) -> Result<f64> {
        let width = self.width;
        let mut x = start;
        let mut m = self.mass(x, left)? / self.total;
        for _ in 0..60 {
            let density = self.q(x) / self.total;
            let residual = m - target;
            // Left mass increases with x, right mass decreases.
            let step = if left {
                -residual / density
            } else {
                residual / density
            };
            if !step.is_finite() {
                break;
            }
            let next = x + step;
            // A Newton increment needs accuracy relative to the tail mass, not to itself.
            let dm = self.integral(x, next, MASS_REL_TOL * m.abs() * self.total)? / self.total;
            m += if left { dm } else { -dm };
            x = next;
            if step.abs() <= 1e-15 * (x.abs() + width) {
                return Ok(x);
            }
        }
        Err(Error::NotConverged {
            method: "quantile by Newton's method".into(),
            detail: format!(
                "{} at θ = {}: no convergence to tail mass {target:e}",
                self.family.name(),
                fmt_theta(&self.theta)
            ),
        })
    }
}

/// $\zeta(\theta)$ by the quantile form M8 (module docs).
///
/// $$\zeta_{ij} = \frac1D\int_0^1\partial_iQ_\theta(s)\,\partial_jQ_\theta(s)\,ds,$$
/// where $D$ = `diffusion` $> 0$ and $Q_\theta$ is the quantile function of $p_\theta$. Spec: M8.
///
/// # Errors
/// The family's validation error (also at the perturbed $\theta \pm h$); `diffusion` not finite
/// and $> 0$; a non-confining energy (as [`crate::friction::friction_tensor`]);
/// [`Error::NotConverged`] from a quadrature or a quantile.
pub fn quantile_friction(
    family: &dyn EnergyFamily,
    theta: &[f64],
    diffusion: f64,
    options: &QuantileOptions,
) -> Result<QuantileReport> {
    family.validate(theta)?;
    let d = error::positive("diffusion", diffusion)?;
    let mut counter = Counter::new(family, theta);
    let support = locate_support(&mut counter, DEFAULT_TAIL_DROP)?;
    let evaluations = Cell::new(counter.evaluations);
    let width = support.width.0.max(support.width.1);
    let shifted = |t: Vec<f64>| -> Result<Shifted<'_>> {
        family.validate(&t)?;
        let mut s = Shifted {
            family,
            theta: t,
            shift: support.energy_min,
            mode: support.mode,
            lower: support.lower,
            upper: support.upper,
            width,
            total: 1.0,
            evaluations: &evaluations,
        };
        s.total = s.mass(support.mode, true)? + s.mass(support.mode, false)?;
        Ok(s)
    };
    let base = shifted(theta.to_vec())?;
    let n = theta.len();
    let steps: Vec<f64> = theta
        .iter()
        .map(|&t| {
            if t == 0.0 {
                options.step
            } else {
                options.step * t.abs()
            }
        })
        .collect();
    // Perturbed families: for each j, θ ± h_j·f for f in (1, 1/2, 1/4).
    let factors = [1.0, 0.5, 0.25];
    let mut perturbed: Vec<Vec<[Shifted<'_>; 2]>> = Vec::with_capacity(n);
    for j in 0..n {
        let mut per = Vec::with_capacity(3);
        for f in factors {
            let mut plus = theta.to_vec();
            let mut minus = theta.to_vec();
            plus[j] += f * steps[j];
            minus[j] -= f * steps[j];
            per.push([shifted(plus)?, shifted(minus)?]);
        }
        perturbed.push(per);
    }
    let failure: RefCell<Option<Error>> = RefCell::new(None);
    // ∂_jQ at P_θ(u) by Richardson at two levels: (finer, coarser).
    let derivative = |j: usize, u: f64| -> Result<(f64, f64)> {
        let left = u <= support.mode;
        let target = base.mass(u, left)? / base.total;
        let mut q = [[0.0; 2]; 3];
        let mut start = [u, u];
        for (level, pair) in perturbed[j].iter().enumerate() {
            for (k, fam) in pair.iter().enumerate() {
                let x = fam.quantile(target, left, start[k])?;
                q[level][k] = x;
                // The next level's quantile is about half as far from u.
                start[k] = u + 0.5 * (x - u);
            }
        }
        let central =
            |level: usize| (q[level][0] - q[level][1]) / (2.0 * factors[level] * steps[j]);
        let r = Richardson::from_differences([central(0), central(1), central(2)]);
        Ok((r.fine, r.coarse))
    };
    // ∂_jQ at a node, shared by the quadratures of every pair (i, j) that meet the same node.
    let cache: RefCell<std::collections::HashMap<(usize, u64), (f64, f64)>> =
        RefCell::new(std::collections::HashMap::new());
    let derivative = |j: usize, u: f64| -> Result<(f64, f64)> {
        if let Some(&v) = cache.borrow().get(&(j, u.to_bits())) {
            return Ok(v);
        }
        let v = derivative(j, u)?;
        cache.borrow_mut().insert((j, u.to_bits()), v);
        Ok(v)
    };
    let outer = QuadOptions::new(options.rel_tol, 0.0)?;
    let mut friction = DMatrix::zeros(n, n);
    let mut change = DMatrix::zeros(n, n);
    let mut quad_error = DMatrix::zeros(n, n);
    for i in 0..n {
        for j in i..n {
            let worst = Cell::new(0.0_f64);
            let integrand = |u: f64| -> f64 {
                if failure.borrow().is_some() {
                    return 0.0;
                }
                let density = base.q(u) / base.total;
                if density < 1e-300 {
                    return 0.0;
                }
                let pair = derivative(i, u).and_then(|di| {
                    if i == j {
                        Ok((di, di))
                    } else {
                        derivative(j, u).map(|dj| (di, dj))
                    }
                });
                match pair {
                    Ok(((fi, ci), (fj, cj))) => {
                        let fine = fi * fj;
                        let y = (u - support.mode) / width;
                        let bound = (fine - ci * cj).abs() * density * (1.0 + y * y);
                        if bound.is_finite() {
                            worst.set(worst.get().max(bound));
                        }
                        fine * density
                    }
                    Err(e) => {
                        *failure.borrow_mut() = Some(e);
                        0.0
                    }
                }
            };
            let r = quad::integrate(
                integrand,
                support.lower,
                support.upper,
                &[support.mode],
                &outer,
            )?;
            if let Some(e) = failure.borrow_mut().take() {
                return Err(e);
            }
            friction[(i, j)] = r.value / d;
            friction[(j, i)] = r.value / d;
            quad_error[(i, j)] = r.error_estimate / d;
            quad_error[(j, i)] = r.error_estimate / d;
            change[(i, j)] = worst.get();
            change[(j, i)] = worst.get();
        }
    }
    let error_estimate = DMatrix::from_fn(n, n, |i, j| {
        quad_error[(i, j)] + change[(i, j)] * std::f64::consts::PI * width / d
    });
    Ok(QuantileReport {
        friction,
        error_estimate,
        evaluations: evaluations.get(),
    })
}
