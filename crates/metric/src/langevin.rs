//! Langevin estimators of the friction tensor (spec M13): the autocorrelation integral and batch
//! means, from equilibrium chains at fixed $\theta$.
//!
//! The chains follow $dx = -D\,\partial_xE_\theta\,dt + \sqrt{2D}\,dW$ (M1) and are observed every
//! step $h$ through $X = \nabla_\theta E_\theta(x)$, $n \ge 1$ components. Two estimators of
//! $\zeta_{ij} = \int_0^\infty C_{ij}(s)\,ds$ (M2) are accumulated on the fly in one pass:
//!
//! - **Autocorrelation integral.** $\hat\zeta = \int_0^{s_{max}}\hat C(s)\,ds$ by the trapezoid
//!   rule on the lag grid $s = lh$, with $\hat C$ averaged over time, chains and (for the
//!   reported value) replicas. Truncation bias $-\int_{s_{max}}^\infty C\,ds$, which is
//!   $\approx -\zeta e^{-s_{max}/\tau}$ for a single exponential $C(s) = I_Fe^{-s/\tau}$;
//!   trapezoid bias $+\zeta h^2/(12\tau^2)$ for the same $C$; relative SD
//!   $\approx 2\sqrt{s_{max}/L_{tot}}$ with $L_{tot}$ the total trajectory time (for a Gaussian $X$
//!   and single-exponential $C$ the Bartlett formula gives the refinement
//!   $2\sqrt{s_{max}/L_{tot}}\sqrt{1 - 3\tau/(4s_{max})}$).
//! - **Batch means.** $\hat\zeta = \overline{A_b A_b^\top}/(2t_b)$ with
//!   $A_b = \int_{\text{block}}\delta X\,ds$ (trapezoid) over blocks of length $t_b$. Bias
//!   $-\langle\phi\phi^\top\rangle/t_b$ (M6), i.e. $-\tau/t_b$ relative for a single exponential;
//!   relative SD $\approx\sqrt{2/B}$ for $B$ blocks.
//!
//! [`autocorrelation_expectation`] and [`batch_means_expectation`] give the exact expectation of
//! each estimator for a known $C(s)$ (exactly sampled chains, exact mean): the stated biases
//! without the asymptotic approximations.
//!
//! # Chains, replicas and error bars
//!
//! The chains are the particles of one [`Ensemble`], split into `replicas` groups of
//! `chains_per_replica` consecutive chains. Each group gives its own estimate; the reported
//! value is the mean over groups and its error bar $\hat\sigma/\sqrt R$, with $\hat\sigma$ the
//! sample SD across the $R$ groups. Transitions are the exact Ornstein–Uhlenbeck law when the
//! family is Gaussian ([`EnergyFamily::quadratic_trap`]), Euler–Maruyama otherwise (bias
//! $O(h)$). Gaussian chains start in exact equilibrium; others start from an exact rejection
//! sample of $p_\theta$ through the family's Gaussian envelope, so the burn-in only has to remove
//! the $O(h)$ discretisation offset (still at least ten relaxation times, see
//! [`LangevinOptions::burn_in`]).
//!
//! # Reproducibility and memory
//!
//! The noise comes from the ensemble's per-chunk Xoshiro256++ streams and every accumulation is
//! owned by one replica and done in a fixed order, so results are bit-identical for any number of
//! rayon threads. Memory is bounded by the lag window: $2(m+1)$ values per chain and parameter
//! ($m = s_{max}/h$), plus $n^2(m+1)$ per replica, independent of the chain length.

use nalgebra::DMatrix;
use rayon::prelude::*;
use thermocheck_numerics::claim::splitmix64;
use thermocheck_numerics::error::{self, Error, Result, fmt_number};
use thermocheck_numerics::sde::{CHUNK_LEN, Ensemble, OuProcess};
use thermocheck_numerics::tolerance::Tolerance;

use crate::energy::EnergyFamily;

/// Which transition the chains use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Integrator {
    /// Exact Ornstein–Uhlenbeck transitions when the family is Gaussian (no step-size bias),
    /// Euler–Maruyama otherwise.
    #[default]
    Auto,
    /// Euler–Maruyama for every family (bias $O(h)$; for comparing with the exact chain, MV6).
    EulerMaruyama,
}

/// Options of [`estimate_friction`]. All times are in the chain's time unit and must be whole
/// numbers of steps.
#[derive(Debug, Clone, PartialEq)]
pub struct LangevinOptions {
    /// $D > 0$, the chain's diffusion constant.
    pub diffusion: f64,
    /// $h > 0$, the time step and observation interval.
    pub step: f64,
    /// $L$, the observed time per chain ($L/h$ steps).
    pub chain_time: f64,
    /// Unobserved time before $t = 0$. Gaussian chains with exact transitions start in exact
    /// equilibrium and need none; Euler–Maruyama chains need at least ten relaxation times to
    /// reach their own stationary law (checked for Gaussian families, where the position
    /// relaxation time $1/(kD)$ is known; reported in
    /// [`LangevinEstimate::burn_in_relaxation_times`] otherwise).
    pub burn_in: f64,
    /// $s_{max}$, the upper end of the autocorrelation integral ($0 < s_{max} < L$).
    pub max_lag: f64,
    /// $t_b$, the batch-means block length ($0 < t_b \le L$).
    pub block_time: f64,
    /// Chains per replica (≥ 1).
    pub chains_per_replica: usize,
    /// Number of independent replicas $R$ (≥ 2), the source of the error bars.
    pub replicas: usize,
    /// Master seed of the initial sample and the noise.
    pub seed: u64,
    /// The exact $\langle X\rangle$ if known (length $n$); otherwise each replica uses its own
    /// sample mean, which biases $\hat C(s)$ by about $-2\zeta/L_{rep}$ per lag ($L_{rep}$ the
    /// replica's total time) and makes batch means divide by $B - 1$.
    pub exact_mean: Option<Vec<f64>>,
    /// Exact OU when possible, or Euler–Maruyama throughout.
    pub integrator: Integrator,
}

impl LangevinOptions {
    /// Options with the given dynamics and lengths, no burn-in, 1 chain per replica, 2
    /// replicas, seed 0, the sample mean and [`Integrator::Auto`]; set the other fields with
    /// struct-update syntax.
    ///
    /// Validation happens in [`estimate_friction`] (it needs the family).
    pub fn new(diffusion: f64, step: f64, chain_time: f64, max_lag: f64, block_time: f64) -> Self {
        LangevinOptions {
            diffusion,
            step,
            chain_time,
            burn_in: 0.0,
            max_lag,
            block_time,
            chains_per_replica: 1,
            replicas: 2,
            seed: 0,
            exact_mean: None,
            integrator: Integrator::Auto,
        }
    }
}

/// A matrix estimate from $R$ independent replicas: their mean, the error bar
/// $\hat\sigma/\sqrt R$ and the per-replica values (M13: error bars from independent replicas).
#[derive(Debug, Clone, PartialEq)]
pub struct ReplicaEstimate {
    /// Mean over replicas.
    pub mean: DMatrix<f64>,
    /// $\hat\sigma_{ij}$: the sample standard deviation across replicas (divisor $R-1$).
    pub spread: DMatrix<f64>,
    /// The estimate of each replica, in replica order.
    pub replicas: Vec<DMatrix<f64>>,
}

impl ReplicaEstimate {
    fn from_replicas(replicas: Vec<DMatrix<f64>>) -> Self {
        let (rows, cols) = replicas[0].shape();
        let r = replicas.len() as f64;
        let mut mean = DMatrix::zeros(rows, cols);
        for m in &replicas {
            mean += m;
        }
        mean /= r;
        let mut spread = DMatrix::zeros(rows, cols);
        for m in &replicas {
            spread += (m - &mean).map(|d| d * d);
        }
        let spread = spread.map(|s| (s / (r - 1.0)).sqrt());
        ReplicaEstimate {
            mean,
            spread,
            replicas,
        }
    }

    /// Number of replicas $R$.
    pub fn count(&self) -> usize {
        self.replicas.len()
    }

    /// The error bar $\hat\sigma_{ij}/\sqrt R$ of entry $(i, j)$ of the mean.
    pub fn standard_error(&self, i: usize, j: usize) -> f64 {
        self.spread[(i, j)] / (self.count() as f64).sqrt()
    }

    /// The sampling tolerance $k\,\hat\sigma_{ij}/\sqrt R$ of entry $(i, j)$.
    pub fn tolerance(&self, k: f64, i: usize, j: usize) -> Tolerance {
        Tolerance::sampling(k, self.spread[(i, j)], self.count())
    }
}

/// The result of [`estimate_friction`]: both estimators of M13 (the autocorrelation integral
/// $\hat\zeta = \int_0^{s_{max}}\hat C(s)\,ds$ and batch means
/// $\hat\zeta = \overline{A_bA_b^\top}/(2t_b)$), the Fisher information $\hat C(0)$ and the
/// autocorrelation function, each with replica error bars, plus the run's diagnostics.
#[derive(Debug, Clone, PartialEq)]
pub struct LangevinEstimate {
    /// $\hat\zeta$ by the autocorrelation integral (symmetrised).
    pub autocorrelation: ReplicaEstimate,
    /// $\hat\zeta$ by batch means (symmetrised).
    pub batch_means: ReplicaEstimate,
    /// $\hat I_F = \hat C(0)$, the equilibrium covariance of $X$ (M5).
    pub fisher: ReplicaEstimate,
    /// $\hat C(lh)$ for $l = 0..=m$, the mean over replicas.
    pub correlation: Vec<DMatrix<f64>>,
    /// Whether exact OU transitions were used.
    pub exact_transitions: bool,
    /// Steps per chain $L/h$.
    pub chain_steps: usize,
    /// Lags $m = s_{max}/h$.
    pub lag_steps: usize,
    /// Steps per block $t_b/h$.
    pub block_steps: usize,
    /// Blocks per replica $B_{rep}$ (the tail shorter than a block is not used).
    pub blocks_per_replica: usize,
    /// Total observed time of all chains $L_{tot}$.
    pub total_time: f64,
    /// Burn-in over the largest integrated relaxation time $\hat\zeta_{ii}/\hat I_{F,ii}$
    /// (should be ≥ 10 for Euler–Maruyama chains).
    pub burn_in_relaxation_times: f64,
}

/// The step counts of validated options.
#[derive(Debug, Clone, Copy)]
struct Plan {
    n: usize,
    chains: usize,
    lags: usize,
    chain_steps: usize,
    block_steps: usize,
    burn_steps: usize,
    h: f64,
}

/// `value / step` as a whole number of steps, or an error naming `parameter`.
fn whole_steps(parameter: &str, value: f64, step: f64) -> Result<usize> {
    let ratio = value / step;
    let steps = ratio.round();
    if !(steps.is_finite() && steps < 1e15) || (ratio - steps).abs() > 1e-9 * ratio.max(1.0) {
        return Err(Error::out_of_range(
            &[parameter, "step"],
            format!(
                "{parameter} must be a whole number of steps (got {}/{} = {})",
                fmt_number(value),
                fmt_number(step),
                fmt_number(ratio)
            ),
        ));
    }
    Ok(steps as usize)
}

fn validate(family: &dyn EnergyFamily, theta: &[f64], o: &LangevinOptions) -> Result<Plan> {
    family.validate(theta)?;
    let n = family.parameter_names().len();
    let d = error::positive("diffusion", o.diffusion)?;
    let h = error::positive("step", o.step)?;
    error::positive("chain-time", o.chain_time)?;
    error::non_negative("burn-in", o.burn_in)?;
    error::positive("max-lag", o.max_lag)?;
    error::positive("block-time", o.block_time)?;
    error::count_at_least("chains-per-replica", o.chains_per_replica, 1)?;
    error::count_at_least("replicas", o.replicas, 2)?;
    let chain_steps = whole_steps("chain-time", o.chain_time, h)?;
    let lag_steps = whole_steps("max-lag", o.max_lag, h)?;
    let block_steps = whole_steps("block-time", o.block_time, h)?;
    let burn_steps = whole_steps("burn-in", o.burn_in, h)?;
    for (name, steps) in [("chain-time", chain_steps), ("max-lag", lag_steps)] {
        error::count_at_least(&format!("{name}/step"), steps, 1)?;
    }
    if lag_steps >= chain_steps {
        return Err(Error::out_of_range(
            &["max-lag", "chain-time"],
            format!(
                "max-lag must be < chain-time (got {} >= {})",
                fmt_number(o.max_lag),
                fmt_number(o.chain_time)
            ),
        ));
    }
    if block_steps == 0 || block_steps > chain_steps {
        return Err(Error::out_of_range(
            &["block-time", "chain-time"],
            format!(
                "block-time must be in [step, chain-time] (got {}, chain-time {})",
                fmt_number(o.block_time),
                fmt_number(o.chain_time)
            ),
        ));
    }
    if o.chains_per_replica * (chain_steps / block_steps) < 2 {
        return Err(Error::out_of_range(
            &["block-time", "chain-time", "chains-per-replica"],
            "batch means need at least 2 blocks per replica",
        ));
    }
    if let Some(mean) = &o.exact_mean {
        error::length("exact-mean", mean.len(), n)?;
        error::all_finite("exact-mean", mean)?;
    }
    let chains = o
        .chains_per_replica
        .checked_mul(o.replicas)
        .ok_or_else(|| {
            Error::out_of_range(&["chains-per-replica", "replicas"], "too many chains")
        })?;
    // Euler–Maruyama on a Gaussian: the relaxation time is known, so the burn-in rule is checked.
    if let (Integrator::EulerMaruyama, Some((k, _))) = (o.integrator, family.quadratic_trap(theta))
    {
        let tau = 1.0 / (k * d);
        if o.burn_in < 10.0 * tau {
            return Err(Error::out_of_range(
                &["burn-in"],
                format!(
                    "Euler–Maruyama chains need burn-in >= 10 relaxation times 1/(kD) = {} (got {})",
                    fmt_number(10.0 * tau),
                    fmt_number(o.burn_in)
                ),
            ));
        }
    }
    Ok(Plan {
        n,
        chains,
        lags: lag_steps + 1,
        chain_steps,
        block_steps,
        burn_steps,
        h,
    })
}

fn allocate(len: usize, what: &str) -> Result<Vec<f64>> {
    let mut v = Vec::new();
    v.try_reserve_exact(len).map_err(|_| {
        Error::out_of_range(
            &["chains-per-replica", "max-lag"],
            format!("cannot allocate the {what} ({len} values)"),
        )
    })?;
    v.resize(len, 0.0);
    Ok(v)
}

/// What one replica accumulates while its chains run.
struct Replica {
    /// Subtracted from $X$ before accumulation: $\langle X\rangle$ if known, else the replica's
    /// first observation mean (a shift against cancellation; corrected at the end).
    centre: Vec<f64>,
    /// Per chain and parameter, the last $m+1$ values of $X$ − centre, stored twice
    /// ($2(m+1)$ slots) so that the lag window is one contiguous slice.
    history: Vec<f64>,
    /// $\sum_t \delta X_i(t)\,\delta X_j(t-l)$ for $(i, j)$ and lags stored in reverse order
    /// (index $m - l$), so the update is a contiguous multiply–add.
    products: Vec<f64>,
    /// $\sum_t \delta X_i(t)$.
    sum: Vec<f64>,
    /// The running trapezoid integral of the current block, per chain and parameter.
    block: Vec<f64>,
    /// $\sum_b A_{b,i}A_{b,j}$.
    block_products: Vec<f64>,
    /// $\sum_b A_{b,i}$.
    block_sum: Vec<f64>,
    blocks: usize,
    /// Scratch for $\nabla_\theta E$.
    x: Vec<f64>,
}

impl Replica {
    fn new(plan: &Plan, chains: usize, exact_mean: Option<&[f64]>) -> Result<Self> {
        let n = plan.n;
        Ok(Replica {
            centre: exact_mean.map_or_else(|| vec![0.0; n], <[f64]>::to_vec),
            history: allocate(chains * n * 2 * plan.lags, "lag windows")?,
            products: allocate(n * n * plan.lags, "lag products")?,
            sum: vec![0.0; n],
            block: vec![0.0; chains * n],
            block_products: vec![0.0; n * n],
            block_sum: vec![0.0; n],
            blocks: 0,
            x: vec![0.0; n],
        })
    }

    /// Records observation `t` (0-based) of the replica's chains at `positions`.
    fn observe(
        &mut self,
        family: &dyn EnergyFamily,
        theta: &[f64],
        plan: &Plan,
        t: usize,
        positions: &[f64],
        centre_from_sample: bool,
    ) -> Result<()> {
        let n = plan.n;
        let lags = plan.lags;
        if t == 0 && centre_from_sample {
            self.centre.iter_mut().for_each(|c| *c = 0.0);
            for &p in positions {
                family.grad_theta(theta, p, &mut self.x);
                for (c, x) in self.centre.iter_mut().zip(&self.x) {
                    *c += x;
                }
            }
            let count = positions.len() as f64;
            self.centre.iter_mut().for_each(|c| *c /= count);
            if let Some(bad) = self.centre.iter().find(|c| !c.is_finite()) {
                return Err(non_finite_observation(*bad));
            }
        }
        let slot = t % lags;
        let block_end = t > 0 && t % plan.block_steps == 0;
        let half = 0.5 * plan.h;
        for (c, &p) in positions.iter().enumerate() {
            family.grad_theta(theta, p, &mut self.x);
            for (xi, ci) in self.x.iter_mut().zip(&self.centre) {
                *xi -= ci;
                if !xi.is_finite() {
                    return Err(non_finite_observation(p));
                }
            }
            let window = &mut self.history[c * n * 2 * lags..(c + 1) * n * 2 * lags];
            for (j, &xj) in self.x.iter().enumerate() {
                let w = &mut window[j * 2 * lags..(j + 1) * 2 * lags];
                w[slot] = xj;
                w[slot + lags] = xj;
            }
            for (i, &xi) in self.x.iter().enumerate() {
                for j in 0..n {
                    let past = &window[j * 2 * lags + slot + 1..j * 2 * lags + slot + 1 + lags];
                    let row = &mut self.products[(i * n + j) * lags..(i * n + j + 1) * lags];
                    for (acc, &y) in row.iter_mut().zip(past) {
                        *acc += xi * y;
                    }
                }
                self.sum[i] += xi;
            }
            // Batch means: trapezoid weights ½ at both block ends.
            let block = &mut self.block[c * n..(c + 1) * n];
            if t == 0 {
                block
                    .iter_mut()
                    .zip(&self.x)
                    .for_each(|(a, x)| *a = half * x);
            } else if block_end {
                block
                    .iter_mut()
                    .zip(&self.x)
                    .for_each(|(a, x)| *a += half * x);
                for i in 0..n {
                    self.block_sum[i] += block[i];
                    for j in 0..n {
                        self.block_products[i * n + j] += block[i] * block[j];
                    }
                }
                block
                    .iter_mut()
                    .zip(&self.x)
                    .for_each(|(a, x)| *a = half * x);
            } else {
                block
                    .iter_mut()
                    .zip(&self.x)
                    .for_each(|(a, x)| *a += plan.h * x);
            }
        }
        if block_end {
            self.blocks += positions.len();
        }
        Ok(())
    }

    /// The replica's $\hat C(lh)$, $\hat\zeta$ (autocorrelation), $\hat\zeta$ (batch means).
    fn finish(
        &self,
        plan: &Plan,
        chains: usize,
        sample_mean: bool,
    ) -> (Vec<DMatrix<f64>>, DMatrix<f64>, DMatrix<f64>) {
        let n = plan.n;
        let lags = plan.lags;
        let observations = (plan.chain_steps + 1) as f64;
        let shift: Vec<f64> = if sample_mean {
            self.sum
                .iter()
                .map(|s| s / (chains as f64 * observations))
                .collect()
        } else {
            vec![0.0; n]
        };
        let correlation: Vec<DMatrix<f64>> = (0..lags)
            .map(|l| {
                let pairs = chains as f64 * (observations - l as f64);
                DMatrix::from_fn(n, n, |i, j| {
                    self.products[(i * n + j) * lags + (lags - 1 - l)] / pairs - shift[i] * shift[j]
                })
            })
            .collect();
        let mut integral = DMatrix::zeros(n, n);
        for (l, c) in correlation.iter().enumerate() {
            let w = if l == 0 || l == lags - 1 { 0.5 } else { 1.0 };
            integral += c * (w * plan.h);
        }
        let integral = symmetrise(&integral);
        let b = self.blocks as f64;
        let tb = plan.block_steps as f64 * plan.h;
        let batch = DMatrix::from_fn(n, n, |i, j| {
            let p = self.block_products[i * n + j];
            if sample_mean {
                (p - self.block_sum[i] * self.block_sum[j] / b) / ((b - 1.0) * 2.0 * tb)
            } else {
                p / (b * 2.0 * tb)
            }
        });
        (correlation, integral, symmetrise(&batch))
    }
}

fn symmetrise(m: &DMatrix<f64>) -> DMatrix<f64> {
    (m + m.transpose()) * 0.5
}

fn non_finite_observation(x: f64) -> Error {
    Error::NotConverged {
        method: "Langevin friction estimate".into(),
        detail: format!(
            "∇θE is not finite at chain position {}: the chain left the family's domain",
            fmt_number(x)
        ),
    }
}

/// The initial positions: exact equilibrium ($\mathcal N(\mu, 1/k)$ for a Gaussian, rejection
/// from the family's Gaussian envelope otherwise, one sequential stream so the sample depends
/// only on the seed).
fn equilibrium_start(
    family: &dyn EnergyFamily,
    theta: &[f64],
    chains: usize,
    seed: u64,
) -> Result<Ensemble> {
    if let Some((k, mu)) = family.quadratic_trap(theta) {
        return Ensemble::gaussian(chains, mu, 1.0 / k, seed);
    }
    let positions = crate::equilibrium::sample(
        family,
        theta,
        chains,
        splitmix64(seed ^ 0x5EED_57A2_7000_0001),
    )
    .map_err(|e| match e {
        Error::NotConverged { detail, .. } => Error::NotConverged {
            method: "Langevin friction estimate".into(),
            detail,
        },
        other => other,
    })?;
    Ensemble::from_positions(positions, seed)
}

/// Estimates the friction tensor $\zeta(\theta)$ (M2) and the Fisher information (M5) from
/// equilibrium Langevin chains by the autocorrelation integral and batch means (M13).
///
/// $$\hat\zeta^{AC} = h\Big[\tfrac12\hat C(0) + \sum_{l=1}^{m-1}\hat C(lh) + \tfrac12\hat C(mh)\Big],
///   \qquad \hat\zeta^{BM} = \frac{\overline{A_bA_b^\top}}{2t_b},\qquad \hat I_F = \hat C(0),$$
///
/// where $h$ is the step, $m = s_{max}/h$, $\hat C(lh) = \overline{\delta X(t)\,\delta X(t-lh)^\top}$
/// over the replica's chains and times, $A_b = \int_{\text{block}}\delta X\,ds$ (trapezoid) over
/// blocks of $t_b$, and $\delta X = X - \langle X\rangle$ (exact mean if given, else the
/// replica's sample mean with the $B-1$ divisor for batch means). Both $\zeta$ estimates are
/// symmetrised. See the [module documentation](self) for biases and errors. Spec: M13 (M2, M5,
/// M6).
///
/// # Errors
/// - The family's validation error for `theta`; [`Error::InvalidParameter`] or
///   [`Error::OutOfRange`] naming the option that is not positive, not a whole number of steps,
///   `max-lag` ≥ `chain-time`, `block-time` > `chain-time`, fewer than 2 blocks per replica,
///   `replicas` < 2, `chains-per-replica` < 1, an `exact-mean` of the wrong length, or an
///   Euler–Maruyama burn-in shorter than $10/(kD)$ for a Gaussian family.
/// - [`Error::NotConverged`] if a non-Gaussian family has no Gaussian envelope, if a chain
///   diverges (Euler–Maruyama instability) or $\nabla_\theta E$ is not finite.
///
/// # Examples
/// ```
/// use thermocheck_metric::energy::GaussianMean;
/// use thermocheck_metric::langevin::{LangevinOptions, estimate_friction};
/// // ζ = 1/D = 1 for the Gaussian mean with σ² = D = 1 (τ = 1), exact OU chains. The
/// // estimator's expectation is 1 + h²/12 − e^{−8} ≈ 1 + 5e-4 (trapezoid and truncation bias).
/// // L_tot = 200·200 = 4e4, so the error bar is about 2√(8/4e4) ≈ 0.03.
/// let mut o = LangevinOptions::new(1.0, 0.1, 200.0, 8.0, 20.0);
/// o.chains_per_replica = 10;
/// o.replicas = 20;
/// o.exact_mean = Some(vec![0.0]);
/// let e = estimate_friction(&GaussianMean::new(1.0)?, &[0.0], &o)?;
/// let zeta = e.autocorrelation.mean[(0, 0)];
/// assert!((zeta - 1.0).abs() < 5.0 * e.autocorrelation.standard_error(0, 0) + 1e-3);
/// # Ok::<(), thermocheck_numerics::Error>(())
/// ```
pub fn estimate_friction(
    family: &dyn EnergyFamily,
    theta: &[f64],
    options: &LangevinOptions,
) -> Result<LangevinEstimate> {
    let plan = validate(family, theta, options)?;
    let cpr = options.chains_per_replica;
    let sample_mean = options.exact_mean.is_none();
    let mut ensemble = equilibrium_start(family, theta, plan.chains, options.seed)?;
    let trap = match (options.integrator, family.quadratic_trap(theta)) {
        (Integrator::Auto, Some((k, mu))) => Some(OuProcess::new(k, mu, options.diffusion)?),
        _ => None,
    };
    let d = options.diffusion;
    let gradient = |_t: f64, x: f64| family.grad_x(theta, x);
    let step = |e: &mut Ensemble| match &trap {
        Some(p) => e.step_ou_exact(p, plan.h),
        None => e.step_euler_maruyama(&gradient, d, plan.h),
    };
    for _ in 0..plan.burn_steps {
        step(&mut ensemble)?;
    }
    let mut replicas = (0..options.replicas)
        .map(|_| Replica::new(&plan, cpr, options.exact_mean.as_deref()))
        .collect::<Result<Vec<_>>>()?;
    // Parallel tasks of at least CHUNK_LEN chains: finer tasks cost more in scheduling than the
    // observation itself. Each replica is still processed sequentially by one task, so the
    // grouping does not change any result.
    let min_replicas_per_task = CHUNK_LEN.div_ceil(cpr);
    for t in 0..=plan.chain_steps {
        if t > 0 {
            step(&mut ensemble)?;
        }
        let failures: Vec<Option<Error>> = ensemble
            .positions()
            .par_chunks(cpr)
            .zip(replicas.par_iter_mut())
            .with_min_len(min_replicas_per_task)
            .map(|(xs, r)| r.observe(family, theta, &plan, t, xs, sample_mean).err())
            .collect();
        if let Some(e) = failures.into_iter().flatten().next() {
            return Err(e);
        }
    }
    let finished: Vec<_> = replicas
        .par_iter()
        .map(|r| r.finish(&plan, cpr, sample_mean))
        .collect();
    let mut correlations = Vec::with_capacity(finished.len());
    let mut ac = Vec::with_capacity(finished.len());
    let mut bm = Vec::with_capacity(finished.len());
    let mut fisher = Vec::with_capacity(finished.len());
    for (c, a, b) in finished {
        fisher.push(c[0].clone());
        correlations.push(c);
        ac.push(a);
        bm.push(b);
    }
    let r = correlations.len() as f64;
    let correlation: Vec<DMatrix<f64>> = (0..plan.lags)
        .map(|l| {
            correlations
                .iter()
                .fold(DMatrix::zeros(plan.n, plan.n), |acc, c| acc + &c[l])
                / r
        })
        .collect();
    let autocorrelation = ReplicaEstimate::from_replicas(ac);
    let fisher = ReplicaEstimate::from_replicas(fisher);
    let slowest = (0..plan.n)
        .map(|i| autocorrelation.mean[(i, i)] / fisher.mean[(i, i)])
        .fold(0.0f64, f64::max);
    Ok(LangevinEstimate {
        autocorrelation,
        batch_means: ReplicaEstimate::from_replicas(bm),
        fisher,
        correlation,
        exact_transitions: trap.is_some(),
        chain_steps: plan.chain_steps,
        lag_steps: plan.lags - 1,
        block_steps: plan.block_steps,
        blocks_per_replica: cpr * (plan.chain_steps / plan.block_steps),
        total_time: plan.chains as f64 * plan.chain_steps as f64 * plan.h,
        burn_in_relaxation_times: options.burn_in / slowest,
    })
}

/// The exact expectation of the autocorrelation-integral estimate for a known $C(s)$, exact
/// mean and exactly sampled chains: the trapezoid sum
/// $h\big[\tfrac12C(0) + \sum_{l=1}^{m-1}C(lh) + \tfrac12C(mh)\big]$, $m = s_{max}/h$.
///
/// Its difference from $\zeta$ is the estimator's deterministic bias: truncation
/// $-\int_{s_{max}}^\infty C\,ds$ plus the trapezoid error (for $C = I_Fe^{-s/\tau}$:
/// $-\zeta e^{-s_{max}/\tau}$ and $+\zeta h^2/(12\tau^2)$ to leading order). Spec: M13.
///
/// # Errors
/// `step` or `max-lag` not positive, or `max-lag` not a whole number of steps.
pub fn autocorrelation_expectation(
    correlation: impl Fn(f64) -> f64,
    step: f64,
    max_lag: f64,
) -> Result<f64> {
    let h = error::positive("step", step)?;
    error::positive("max-lag", max_lag)?;
    let m = whole_steps("max-lag", max_lag, h)?;
    error::count_at_least("max-lag/step", m, 1)?;
    let inner: f64 = (1..m).map(|l| correlation(l as f64 * h)).sum();
    Ok(h * (0.5 * correlation(0.0) + inner + 0.5 * correlation(m as f64 * h)))
}

/// The exact expectation of the batch-means estimate for a known $C(s)$, exact mean and exactly
/// sampled chains, with $A_b$ the trapezoid integral over $M = t_b/h$ steps:
///
/// $$\mathbb E\,\hat\zeta^{BM} = \frac{h^2}{2t_b}\sum_{i,j=0}^{M}w_iw_jC(|i-j|h)
///   = \frac{h^2}{2t_b}\Big[(M-\tfrac12)C(0) + 2\sum_{l=1}^{M-1}(M-l)\,C(lh) + \tfrac12C(Mh)\Big],$$
///
/// where $w_0 = w_M = \tfrac12$ and $w_i = 1$ otherwise. As $h\to0$ this is
/// $\frac1{t_b}\int_0^{t_b}(t_b-s)C(s)\,ds = \zeta - \langle\phi^2\rangle/t_b + o(1/t_b)$ (M6);
/// for $C = I_Fe^{-s/\tau}$ it is $\zeta\big[1 - \tfrac{\tau}{t_b}(1-e^{-t_b/\tau})\big]$.
/// Spec: M13.
///
/// # Errors
/// `step` or `block-time` not positive, or `block-time` not a whole number of steps.
pub fn batch_means_expectation(
    correlation: impl Fn(f64) -> f64,
    step: f64,
    block_time: f64,
) -> Result<f64> {
    let h = error::positive("step", step)?;
    error::positive("block-time", block_time)?;
    let m = whole_steps("block-time", block_time, h)?;
    error::count_at_least("block-time/step", m, 1)?;
    let mf = m as f64;
    let inner: f64 = (1..m)
        .map(|l| 2.0 * (mf - l as f64) * correlation(l as f64 * h))
        .sum();
    let total = (mf - 0.5) * correlation(0.0) + inner + 0.5 * correlation(mf * h);
    Ok(h * h * total / (2.0 * mf * h))
}

/// The asymptotic ($L_{tot}\to\infty$) variance of the autocorrelation-integral estimate when
/// $X$ is a stationary **Gaussian** process with known mean and autocovariance $C(s)$, sampled
/// every $h$ (Bartlett's formula):
///
/// $$\operatorname{Var}\hat\zeta^{AC} \simeq \frac{h^3}{L_{tot}}\sum_{u,v=0}^{m}w_uw_v\big[S(v-u) + S(u+v)\big],
///   \qquad S(d) = \sum_{r\in\mathbb Z}C(|r|h)\,C(|r+d|h),$$
///
/// where $w_0 = w_m = \tfrac12$, $w_l = 1$ otherwise, $m = s_{max}/h$. For
/// $C = I_Fe^{-s/\tau}$, $h\to0$ and $s_{max}\gg\tau$ it tends to
/// $\zeta^2(4s_{max} - 3\tau)/L_{tot}$, i.e. the stated relative SD $2\sqrt{s_{max}/L_{tot}}$
/// (M13) with the correction $\sqrt{1 - 3\tau/(4s_{max})}$. The sums over $r$ run until
/// $|C(|r|h)| \le 10^{-17}|C(0)|$. For non-Gaussian $X$ a fourth-cumulant term is missing.
///
/// # Errors
/// `step`, `max-lag` or `total-time` not positive, `max-lag` not a whole number of steps, or
/// [`Error::NotConverged`] if $C$ has not decayed below $10^{-17}C(0)$ within $10^6$ steps.
pub fn autocorrelation_variance(
    correlation: impl Fn(f64) -> f64,
    step: f64,
    max_lag: f64,
    total_time: f64,
) -> Result<f64> {
    let h = error::positive("step", step)?;
    error::positive("max-lag", max_lag)?;
    let total = error::positive("total-time", total_time)?;
    let m = whole_steps("max-lag", max_lag, h)?;
    error::count_at_least("max-lag/step", m, 1)?;
    let c0 = correlation(0.0).abs();
    let mut gamma = vec![correlation(0.0)];
    while gamma.last().is_some_and(|g| g.abs() > 1e-17 * c0) || gamma.len() <= 2 * m {
        if gamma.len() > 1_000_000 {
            return Err(Error::NotConverged {
                method: "Bartlett variance".into(),
                detail: "C(s) has not decayed below 1e-17·C(0) within 1e6 steps".into(),
            });
        }
        gamma.push(correlation(gamma.len() as f64 * h));
    }
    let reach = gamma.len() as i64;
    let g = |r: i64| gamma.get(r.unsigned_abs() as usize).copied().unwrap_or(0.0);
    let s = |d: i64| -> f64 { (-reach - d.abs()..=reach).map(|r| g(r) * g(r + d)).sum() };
    let mi = m as i64;
    let sums: Vec<f64> = (0..=2 * mi).map(s).collect();
    let w = |l: i64| if l == 0 || l == mi { 0.5 } else { 1.0 };
    let mut acc = 0.0;
    for u in 0..=mi {
        for v in 0..=mi {
            acc += w(u) * w(v) * (sums[(v - u).unsigned_abs() as usize] + sums[(u + v) as usize]);
        }
    }
    Ok(h * h * h * acc / total)
}

/// The stated truncation bias of the autocorrelation integral for a single exponential
/// $C(s) = (\zeta/\tau)e^{-s/\tau}$: $-\zeta e^{-s_{max}/\tau}$. Spec: M13.
pub fn truncation_bias(zeta: f64, tau: f64, max_lag: f64) -> f64 {
    -zeta * (-max_lag / tau).exp()
}

/// The stated batch-means bias $-\langle\phi^2\rangle/t_b$ (M6, M13); for a single exponential
/// $\langle\phi^2\rangle = \int_0^\infty sC(s)\,ds = \zeta\tau$.
pub fn batch_means_bias(phi_squared: f64, block_time: f64) -> f64 {
    -phi_squared / block_time
}

/// The stated relative SD of the autocorrelation integral, $2\sqrt{s_{max}/L_{tot}}$ (M13,
/// asymptotic and somewhat optimistic).
pub fn autocorrelation_relative_sd(max_lag: f64, total_time: f64) -> f64 {
    2.0 * (max_lag / total_time).sqrt()
}

/// The stated relative SD of batch means, $\sqrt{2/B}$ for $B$ blocks (M13).
pub fn batch_means_relative_sd(blocks: usize) -> f64 {
    (2.0 / blocks as f64).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::energy::{GaussianMean, GaussianMeanStiffness, Quartic, Stiffness};

    fn options() -> LangevinOptions {
        let mut o = LangevinOptions::new(1.0, 0.1, 50.0, 5.0, 10.0);
        o.chains_per_replica = 4;
        o.replicas = 8;
        o.seed = 3;
        o
    }

    #[test]
    fn invalid_options_are_named() {
        let g = GaussianMean::new(1.0).unwrap();
        let param = |o: &LangevinOptions| {
            let e = estimate_friction(&g, &[0.0], o).unwrap_err();
            assert!(e.is_input_error(), "{e}");
            e.to_string()
        };
        let mut o = options();
        o.step = -0.1;
        assert!(param(&o).starts_with("step must be"));
        let mut o = options();
        o.diffusion = f64::NAN;
        assert!(param(&o).starts_with("diffusion must be"));
        let mut o = options();
        o.max_lag = 50.0;
        assert!(param(&o).contains("max-lag must be < chain-time"));
        let mut o = options();
        o.max_lag = 5.05;
        assert!(param(&o).contains("whole number of steps"));
        let mut o = options();
        o.block_time = 60.0;
        assert!(param(&o).contains("block-time"));
        let mut o = options();
        o.replicas = 1;
        assert!(param(&o).starts_with("replicas must be"));
        let mut o = options();
        o.chains_per_replica = 0;
        assert!(param(&o).starts_with("chains-per-replica must be"));
        let mut o = options();
        o.chains_per_replica = 1;
        o.block_time = 30.0;
        assert!(param(&o).contains("at least 2 blocks"));
        let mut o = options();
        o.exact_mean = Some(vec![0.0, 1.0]);
        assert!(param(&o).contains("exact-mean"));
        let mut o = options();
        o.burn_in = -1.0;
        assert!(param(&o).starts_with("burn-in must be"));
        let mut o = options();
        o.integrator = Integrator::EulerMaruyama;
        o.burn_in = 5.0;
        assert!(param(&o).contains("10 relaxation times"));
        // The family's own validation.
        let e = estimate_friction(&Stiffness, &[-1.0], &options()).unwrap_err();
        assert_eq!(e.parameter(), Some("stiffness"));
        let e = estimate_friction(&GaussianMeanStiffness, &[0.0], &options()).unwrap_err();
        assert!(e.is_input_error(), "{e}");
        // Expectation helpers.
        assert!(autocorrelation_expectation(|_| 1.0, 0.0, 1.0).is_err());
        assert!(batch_means_expectation(|_| 1.0, 0.1, 0.15).is_err());
    }

    #[test]
    fn expectations_of_a_single_exponential_match_their_limits() {
        // C(s) = e^{−s}: ζ = 1, ⟨φ²⟩ = ∫ s e^{−s} ds = 1. Trapezoid with h → 0 and s_max = 30:
        // h/2·coth(h/2)·(1 − e^{−30}) ≈ 1 + h²/12 (hand-summed geometric series).
        let c = |s: f64| (-s).exp();
        let h: f64 = 0.01;
        let ac = autocorrelation_expectation(c, h, 30.0).unwrap();
        let series = 0.5 * h / (0.5 * h).tanh() * (1.0 - (-30.0f64).exp());
        assert!((ac - series).abs() < 1e-12, "{ac} vs {series}");
        // Batch means: the continuous limit 1 − (1 − e^{−t_b})/t_b, error O(h²).
        for tb in [1.0, 5.0, 20.0] {
            let bm = batch_means_expectation(c, 1e-3, tb).unwrap();
            let limit = 1.0 - (1.0 - f64::exp(-tb)) / tb;
            assert!((bm - limit).abs() < 1e-6, "t_b={tb}: {bm} vs {limit}");
        }
        // Bartlett variance: (4 s_max − 3τ)/L for C = e^{−s} as h → 0 (hand integration of
        // ∫∫(τ+|u−v|)e^{−|u−v|/τ} and ∫∫(τ+u+v)e^{−(u+v)/τ} over [0, s_max]², e^{−20} dropped).
        let var = autocorrelation_variance(c, 0.01, 20.0, 1000.0).unwrap();
        assert!((var * 1000.0 / 77.0 - 1.0).abs() < 1e-3, "{}", var * 1000.0);
        assert_eq!(truncation_bias(2.0, 1.0, 0.0), -2.0);
        assert_eq!(batch_means_bias(2.0, 4.0), -0.5);
        assert!((autocorrelation_relative_sd(10.0, 2000.0) - 0.1414).abs() < 1e-4);
        assert_eq!(batch_means_relative_sd(200), 0.1);
    }

    #[test]
    fn non_gaussian_families_run_with_euler_maruyama() {
        let mut o = options();
        o.step = 0.01;
        o.chain_time = 20.0;
        o.max_lag = 2.0;
        o.block_time = 5.0;
        o.burn_in = 1.0;
        let e = estimate_friction(&Quartic, &[1.0, 0.5], &o).unwrap();
        assert!(!e.exact_transitions);
        assert_eq!(e.autocorrelation.mean.shape(), (2, 2));
        assert!(e.autocorrelation.mean[(0, 0)] > 0.0);
        assert_eq!(e.autocorrelation.mean, e.autocorrelation.mean.transpose());
    }
}
