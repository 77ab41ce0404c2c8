//! Persistent-chain learning with a Langevin particle ensemble: real persistent-chain SGD with
//! $N$ particles (spec D7, D8, D21; checks DV1, DV10).
//!
//! The chain is $N$ overdamped Langevin particles ([`thermocheck_numerics::sde::Ensemble`]). With
//! update interval $h = T/K$:
//!
//! 1. impulses at $t = 0$ (chain frozen, D4);
//! 2. for $k = 0, \dots, K-1$: the chain moves for $h$ at fixed $\theta_k$ (exact OU transition
//!    for Gaussian families, Euler–Maruyama sub-steps otherwise), then
//!    $\theta_{k+1} = \theta_k + h\,H(t_k + h/2)\,\hat g_k$ with the samples frozen,
//!    $\hat g_k = \frac1N\sum_i\nabla_\theta E_{\theta_k}(x_k^{(i)}) - \mathbb E_{p_D}[\nabla_\theta E_{\theta_k}]$;
//!    impulses with times in $(t_k, t_{k+1}]$ follow the update;
//! 3. the ledger of D7: $w_k = \frac1N\sum_i[E_{\theta_{k+1}} - E_{\theta_k}](x_k^{(i)})$,
//!    $d_k = \mathbb E_{p_D}E_{\theta_{k+1}} - \mathbb E_{p_D}E_{\theta_k}$,
//!    $\tilde{\mathcal L}_{k+1} = \tilde{\mathcal L}_k + d_k - w_k$; impulses enter the same way.
//!
//! Each particle also carries its own work $W_i = \sum_k[E_{\theta_{k+1}} - E_{\theta_k}](x_k^{(i)})$,
//! whose mean is $\sum_k w_k$ and whose spread gives $\mathrm{sd}(W)$ and Jarzynski's
//! $\langle e^{-W}\rangle$ (D21).

use crate::energy::EnergyFamily;
use crate::learning::LearningProblem;
use crate::learning::left_domain;
use crate::schedule::Gain;
use rayon::prelude::*;
use serde::Serialize;
use thermocheck_numerics::error::{self, Error, Result};
use thermocheck_numerics::sde::{CHUNK_LEN, Ensemble, OuProcess};
use thermocheck_numerics::stats::{Welford, par_welford};

/// Options of a particle run.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ParticleOptions {
    /// Number of chain particles $N$.
    pub particles: usize,
    /// Number of parameter updates $K$ ($h = T/K$).
    pub updates: usize,
    /// Euler–Maruyama sub-steps per update for non-Gaussian energies (ignored when the exact
    /// OU transition applies).
    pub chain_substeps: usize,
    /// Master seed of the initial sample and the chain noise.
    pub seed: u64,
    /// Record the trajectory every this many updates (0: only the end).
    pub record_every: usize,
}

impl ParticleOptions {
    /// Validated options with one chain sub-step and no trajectory recording.
    ///
    /// # Errors
    /// If `particles` or `updates` is 0.
    pub fn new(particles: usize, updates: usize, seed: u64) -> Result<Self> {
        Ok(ParticleOptions {
            particles: error::count_at_least("particles", particles, 1)?,
            updates: error::count_at_least("steps", updates, 1)?,
            chain_substeps: 1,
            seed,
            record_every: 0,
        })
    }
}

/// One recorded instant of a particle run (after the update at that time).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ParticleRecord {
    /// $t$.
    pub time: f64,
    /// $\theta$.
    pub theta: Vec<f64>,
    /// Empirical chain mean.
    pub chain_mean: f64,
    /// Empirical chain variance.
    pub chain_variance: f64,
    /// $\sum w_k$ so far.
    pub work: f64,
    /// $\mathcal L(\theta)$.
    pub objective: f64,
    /// $\tilde{\mathcal L}$ by the D7 recursion.
    pub approximate_objective: f64,
}

/// The outcome of a particle run.
#[derive(Debug, Clone, Serialize)]
pub struct ParticleRun {
    /// $\theta_K$ after the final impulses.
    pub theta: Vec<f64>,
    /// $\sum_k w_k$ (impulses included): the mean work per particle.
    pub total_work: f64,
    /// Statistics of the per-particle works $W_i$.
    pub work: Welford,
    /// Statistics of $e^{-W_i}$ (Jarzynski, D21).
    pub exp_minus_work: Welford,
    /// $\Delta F_K = F(\theta_K) - F(\theta_0)$.
    pub free_energy_change: f64,
    /// $\mathcal L(\theta_K)$.
    pub objective: f64,
    /// $\tilde{\mathcal L}_K$ by the D7 recursion.
    pub approximate_objective: f64,
    /// $\max_k |(d_k - w_k) + \hat g_k\cdot\Delta\theta_k|$: zero to round-off for the Gaussian
    /// mean (D7), first order in the step otherwise.
    pub max_step_residual: f64,
    /// Largest magnitude among the terms of the D8 identity, for round-off tolerances.
    pub ledger_scale: f64,
    /// The recorded trajectory (see [`ParticleOptions::record_every`]).
    pub trajectory: Vec<ParticleRecord>,
}

impl ParticleRun {
    /// The D8 residual $[\mathcal L(\theta_K) - \tilde{\mathcal L}_K] - [\sum_k w_k - \Delta F_K]$.
    pub fn identity_residual(&self) -> f64 {
        (self.objective - self.approximate_objective) - (self.total_work - self.free_energy_change)
    }
}

/// Runs persistent-chain SGD with $N$ Langevin particles.
///
/// # Errors
/// Invalid options, a schedule value that is negative or non-finite, θ leaving the family's
/// domain, a non-finite particle (too large a chain step), or quadrature failure in the data
/// term.
pub fn learn(problem: &LearningProblem<'_>, options: &ParticleOptions) -> Result<ParticleRun> {
    let mut trajectory = Vec::new();
    let mut run = learn_streaming(
        problem,
        options,
        |_| {},
        |r| {
            trajectory.push(r.clone());
            Ok(())
        },
    )?;
    run.trajectory = trajectory;
    Ok(run)
}

/// [`learn`] for long runs: calls `progress(k)` after each of the $K$ updates (for a progress
/// bar) and hands each recorded [`ParticleRecord`] to `sink` as it is made (e.g. a CSV writer)
/// instead of keeping the trajectory; the returned run's `trajectory` is empty.
///
/// # Errors
/// As [`learn`], and the first error `sink` returns.
pub fn learn_streaming(
    problem: &LearningProblem<'_>,
    options: &ParticleOptions,
    progress: impl Fn(usize),
    mut sink: impl FnMut(&ParticleRecord) -> Result<()>,
) -> Result<ParticleRun> {
    let options =
        ParticleOptions::new(options.particles, options.updates, options.seed).map(|o| {
            ParticleOptions {
                chain_substeps: options.chain_substeps,
                record_every: options.record_every,
                ..o
            }
        })?;
    error::count_at_least("chain-substeps", options.chain_substeps, 1)?;
    let energy = problem.energy();
    let n = problem.dimension();
    let schedule = problem.schedule();
    let duration = schedule.duration();
    let h = duration / options.updates as f64;
    let d = problem.diffusion();

    let mut theta = problem.initial().to_vec();
    let positions = equilibrium_sample(energy, &theta, options.particles, options.seed)?;
    let noise_seed = thermocheck_numerics::claim::splitmix64(options.seed ^ 0x005E_ED0F_C4A1);
    let mut chain = Ensemble::from_positions(positions, noise_seed)?;
    let mut works = allocate(options.particles)?;
    works.resize(options.particles, 0.0);

    let f0 = energy.free_energy(&theta)?;
    let objective0 = problem.data_energy(&theta)? - f0;
    let mut ledger = Ledger {
        total_work: 0.0,
        approximate_objective: objective0,
        max_step_residual: 0.0,
        scale: objective0.abs(),
    };
    let mut impulses = schedule.impulses().iter().peekable();

    // An impulse at time τ follows update round(τ/h) (update 0: before the chain first moves);
    // the index, not a float comparison with an accumulated time, decides.
    let update_index = |i: &&crate::schedule::Impulse| {
        (i.time / duration * options.updates as f64).round() as usize
    };
    while let Some(i) = impulses.next_if(|i| update_index(i) == 0) {
        theta = update(
            problem,
            &chain,
            &mut works,
            &theta,
            &i.gain,
            0.0,
            &mut ledger,
        )?;
    }
    for k in 0..options.updates {
        let t = k as f64 * h;
        move_chain(energy, &mut chain, &theta, d, h, options.chain_substeps)?;
        let gain = schedule.gain(t + 0.5 * h, n)?.scaled(h);
        // T·(k+1)/K lands on the grid times exactly where they are representable.
        let t_next = duration * (k + 1) as f64 / options.updates as f64;
        theta = update(
            problem,
            &chain,
            &mut works,
            &theta,
            &gain,
            t_next,
            &mut ledger,
        )?;
        while let Some(i) = impulses.next_if(|i| update_index(i) <= k + 1) {
            theta = update(
                problem,
                &chain,
                &mut works,
                &theta,
                &i.gain,
                t_next,
                &mut ledger,
            )?;
        }
        progress(k + 1);
        let record = options.record_every > 0
            && ((k + 1) % options.record_every == 0 || k + 1 == options.updates);
        if record {
            let moments = chain.moments();
            sink(&ParticleRecord {
                time: t_next,
                theta: theta.clone(),
                chain_mean: moments.mean(),
                chain_variance: moments.population_variance(),
                work: ledger.total_work,
                objective: problem.objective(&theta)?,
                approximate_objective: ledger.approximate_objective,
            })?;
        }
    }

    let free_energy_change = energy.free_energy(&theta)? - f0;
    let objective = problem.objective(&theta)?;
    Ok(ParticleRun {
        work: par_welford(&works, CHUNK_LEN, |w| w),
        exp_minus_work: par_welford(&works, CHUNK_LEN, |w| (-w).exp()),
        total_work: ledger.total_work,
        free_energy_change,
        objective,
        approximate_objective: ledger.approximate_objective,
        max_step_residual: ledger.max_step_residual,
        ledger_scale: ledger
            .scale
            .max(objective.abs())
            .max(free_energy_change.abs())
            .max(ledger.total_work.abs()),
        theta,
        trajectory: Vec::new(),
    })
}

struct Ledger {
    total_work: f64,
    approximate_objective: f64,
    max_step_residual: f64,
    scale: f64,
}

/// One gradient step $\theta^+ = \theta + \text{gain}\cdot\hat g$ with the samples frozen, and its
/// D7 bookkeeping.
fn update(
    problem: &LearningProblem<'_>,
    chain: &Ensemble,
    works: &mut [f64],
    theta: &[f64],
    gain: &Gain,
    t: f64,
    ledger: &mut Ledger,
) -> Result<Vec<f64>> {
    let energy = problem.energy();
    let n = theta.len();
    let chain_gradient = mean_gradient(energy, theta, chain);
    let data_gradient = problem.data_gradient(theta)?;
    let g_hat: Vec<f64> = chain_gradient
        .iter()
        .zip(&data_gradient)
        .map(|(q, p)| q - p)
        .collect();
    let mut step = vec![0.0; n];
    gain.apply(&g_hat, &mut step);
    let next: Vec<f64> = theta.iter().zip(&step).map(|(a, b)| a + b).collect();
    energy
        .validate(&next)
        .map_err(|e| left_domain(energy, &next, t, e))?;

    // Per-particle work increments, and their chunk sums in chunk order (thread-count invariant).
    let partial: Vec<f64> = works
        .par_chunks_mut(CHUNK_LEN)
        .zip(chain.positions().par_chunks(CHUNK_LEN))
        .map(|(ws, xs)| {
            let mut sum = 0.0;
            for (w, &x) in ws.iter_mut().zip(xs) {
                let dw = energy.energy(&next, x) - energy.energy(theta, x);
                *w += dw;
                sum += dw;
            }
            sum
        })
        .collect();
    let w = partial.iter().sum::<f64>() / chain.len() as f64;
    let dterm = problem.data_energy(&next)? - problem.data_energy(theta)?;
    ledger.total_work += w;
    ledger.approximate_objective += dterm - w;
    let linear: f64 = g_hat.iter().zip(&step).map(|(g, s)| g * s).sum();
    ledger.max_step_residual = ledger.max_step_residual.max(((dterm - w) + linear).abs());
    ledger.scale = ledger.scale.max(w.abs()).max(dterm.abs());
    Ok(next)
}

/// $\frac1N\sum_i\nabla_\theta E_\theta(x_i)$, reduced in chunk order.
fn mean_gradient(energy: &dyn EnergyFamily, theta: &[f64], chain: &Ensemble) -> Vec<f64> {
    let n = theta.len();
    let parts = chain.map_chunks(|xs| {
        let mut sum = vec![0.0; n];
        let mut g = vec![0.0; n];
        for &x in xs {
            energy.grad_theta(theta, x, &mut g);
            sum.iter_mut().zip(&g).for_each(|(s, gi)| *s += gi);
        }
        sum
    });
    let mut total = vec![0.0; n];
    for part in &parts {
        total.iter_mut().zip(part).for_each(|(t, p)| *t += p);
    }
    total.iter_mut().for_each(|t| *t /= chain.len() as f64);
    total
}

/// The chain's move at fixed θ for a time `h`.
fn move_chain(
    energy: &dyn EnergyFamily,
    chain: &mut Ensemble,
    theta: &[f64],
    diffusion: f64,
    h: f64,
    substeps: usize,
) -> Result<()> {
    if let Some((k, mu)) = energy.quadratic_trap(theta) {
        return chain.step_ou_exact(&OuProcess::new(k, mu, diffusion)?, h);
    }
    let dt = h / substeps as f64;
    let gradient = |_t: f64, x: f64| energy.grad_x(theta, x);
    (0..substeps).try_for_each(|_| chain.step_euler_maruyama(&gradient, diffusion, dt))
}

/// An empty vector with room for `n` particles, or an input error if memory cannot hold them
/// (instead of aborting the process).
fn allocate(n: usize) -> Result<Vec<f64>> {
    let mut v = Vec::new();
    v.try_reserve_exact(n).map_err(|_| Error::OutOfRange {
        parameters: vec!["particles".into()],
        detail: format!("cannot allocate {n} particles"),
    })?;
    Ok(v)
}

/// `n` exact samples of $p_\theta$ (see [`thermocheck_metric::equilibrium::sample`], where the
/// sampler lives so that the friction estimators share it).
pub use thermocheck_metric::equilibrium::sample as equilibrium_sample;
