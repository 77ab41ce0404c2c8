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
//!
//! # Two implementations of the same discretisation
//!
//! - **Gaussian families** ([`EnergyFamily::quadratic_trap`] is `Some`) take a fused path: one
//!   pass over memory per update ([`Ensemble::step_ou_exact_fused`]) adds each particle's work
//!   increment of the previous update at its old position, moves it exactly, and sums the moved
//!   positions for the chain's mean and variance. For
//!   $E_\theta(x) = \tfrac k2(x-\mu)^2 + c(\theta)$ both $E_\theta$ and $\nabla_\theta E_\theta$
//!   are quadratic in $x$, so their averages over the particles are functions of the particles'
//!   mean $\hat m$ and (population) variance $\hat v$ alone: $\frac1N\sum_i f(x_i) =
//!   f(\hat m) + \tfrac12 f''\hat v$, which the three-point Gauss–Hermite rule at
//!   $\mathcal N(\hat m, \hat v)$ evaluates exactly. So $\hat g_k$ and $w_k$ are the same
//!   particle averages as in step 3, computed from two sums instead of a sweep each, and the
//!   per-particle increments use the closed form $\tfrac{k'}2(x-\mu')^2 - \tfrac k2(x-\mu)^2 +
//!   c(\theta') - c(\theta)$ with $c(\theta) = E_\theta(\mu)$ (no dynamic dispatch per particle).
//!   Same noise, same order of operations; results differ from the generic path by round-off
//!   only (tested with a derived bound).
//!
//!   The path is chosen from θ₀ alone, since the θ a run will visit are not known in advance.
//!   So a family's `quadratic_trap` must be `Some` for every valid θ or `None` for all (every
//!   built-in family is one or the other); a family with a trap at θ₀ but not at a later θ ends
//!   the run with [`Error::OutOfRange`] naming `energy`, the family, that θ and the time.
//! - **Any other family** takes the generic path: Euler–Maruyama sub-steps, then one sweep each
//!   for $\hat g_k$ and the work increments, through the [`EnergyFamily`] methods.
//!
//! Both are bit-identical for any number of threads (fixed chunks, reductions in chunk order).

use crate::energy::EnergyFamily;
use crate::learning::LearningProblem;
use crate::learning::left_domain;
use crate::schedule::Gain;
use rayon::prelude::*;
use serde::Serialize;
use thermocheck_numerics::error::{self, Error, Result};
use thermocheck_numerics::quad::three_point_gauss_hermite_nodes;
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
/// domain, a non-finite particle (too large a chain step), quadrature failure in the data
/// term, or [`Error::OutOfRange`] naming `energy` for a family whose `quadratic_trap` is `Some`
/// at θ₀ but `None` at a later θ (see the module docs).
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
    sink: impl FnMut(&ParticleRecord) -> Result<()>,
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
    // From θ₀ alone: the θ the run visits are not known in advance. A family whose trap exists
    // at θ₀ but not at a later θ breaks the `quadratic_trap` contract (module docs) and ends
    // the run with the typed error of `trap`.
    let engine = if problem.energy().quadratic_trap(problem.initial()).is_some() {
        Engine::Fused
    } else {
        Engine::Generic
    };
    run(problem, &options, engine, progress, sink)
}

/// Which implementation runs a learning problem (module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Engine {
    /// One sweep per quantity through the [`EnergyFamily`] methods; any family.
    Generic,
    /// One fused pass per update; Gaussian families only.
    Fused,
}

/// [`learn_streaming`] with validated options on the given engine.
fn run(
    problem: &LearningProblem<'_>,
    options: &ParticleOptions,
    engine: Engine,
    progress: impl Fn(usize),
    sink: impl FnMut(&ParticleRecord) -> Result<()>,
) -> Result<ParticleRun> {
    match engine {
        Engine::Generic => learn_generic(problem, options, progress, sink),
        Engine::Fused => learn_fused(problem, options, progress, sink),
    }
}

/// The generic engine (module docs).
fn learn_generic(
    problem: &LearningProblem<'_>,
    options: &ParticleOptions,
    progress: impl Fn(usize),
    mut sink: impl FnMut(&ParticleRecord) -> Result<()>,
) -> Result<ParticleRun> {
    let options = *options;
    let energy = problem.energy();
    let n = problem.dimension();
    let schedule = problem.schedule();
    let duration = schedule.duration();
    let h = duration / options.updates as f64;
    let d = problem.diffusion();
    let Start {
        mut theta,
        mut chain,
        mut works,
        f0,
        mut ledger,
    } = Start::new(problem, &options)?;
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

    finish(problem, theta, &works, f0, &ledger)
}

/// The run's outcome from the final θ, the per-particle works and the ledger.
fn finish(
    problem: &LearningProblem<'_>,
    theta: Vec<f64>,
    works: &[f64],
    f0: f64,
    ledger: &Ledger,
) -> Result<ParticleRun> {
    let free_energy_change = problem.energy().free_energy(&theta)? - f0;
    let objective = problem.objective(&theta)?;
    Ok(ParticleRun {
        work: par_welford(works, CHUNK_LEN, |w| w),
        exp_minus_work: par_welford(works, CHUNK_LEN, |w| (-w).exp()),
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

/// The state every engine starts from: θ₀, the chain drawn from $p_{\theta_0}$ with its noise
/// streams, zero works, $F(\theta_0)$ and the ledger at $t = 0$.
struct Start {
    theta: Vec<f64>,
    chain: Ensemble,
    works: Vec<f64>,
    f0: f64,
    ledger: Ledger,
}

impl Start {
    fn new(problem: &LearningProblem<'_>, options: &ParticleOptions) -> Result<Self> {
        let energy = problem.energy();
        let theta = problem.initial().to_vec();
        let positions = equilibrium_sample(energy, &theta, options.particles, options.seed)?;
        let noise_seed = thermocheck_numerics::claim::splitmix64(options.seed ^ 0x005E_ED0F_C4A1);
        let chain = Ensemble::from_positions(positions, noise_seed)?;
        let mut works = allocate(options.particles)?;
        works.resize(options.particles, 0.0);
        let f0 = energy.free_energy(&theta)?;
        let objective0 = problem.data_energy(&theta)? - f0;
        Ok(Start {
            theta,
            chain,
            works,
            f0,
            ledger: Ledger {
                total_work: 0.0,
                approximate_objective: objective0,
                max_step_residual: 0.0,
                scale: objective0.abs(),
            },
        })
    }
}

/// The fused engine for Gaussian families (module docs): the same discretisation as
/// [`learn_generic`], with one pass over memory per update.
fn learn_fused(
    problem: &LearningProblem<'_>,
    options: &ParticleOptions,
    progress: impl Fn(usize),
    mut sink: impl FnMut(&ParticleRecord) -> Result<()>,
) -> Result<ParticleRun> {
    let energy = problem.energy();
    let n = problem.dimension();
    let schedule = problem.schedule();
    let duration = schedule.duration();
    let h = duration / options.updates as f64;
    let d = problem.diffusion();
    let Start {
        mut theta,
        mut chain,
        mut works,
        f0,
        mut ledger,
    } = Start::new(problem, options)?;
    let mut impulses = schedule.impulses().iter().peekable();
    let update_index = |i: &&crate::schedule::Impulse| {
        (i.time / duration * options.updates as f64).round() as usize
    };

    // The chain's moments at the current positions, and the work increments of the updates made
    // since the chain last moved: each particle receives them at the start of the next pass, at
    // the positions they were defined on (the generic engine adds them right away; the sums are
    // the same).
    let mut moments = ChainMoments::merge(&chain.map_chunks(|xs| {
        let mut sums = ChunkSums::default();
        sums.add(xs);
        sums
    }));
    let mut pending: Vec<Increment> = Vec::new();
    let apply = |theta: &mut Vec<f64>,
                 gain: &Gain,
                 t: f64,
                 moments: &ChainMoments,
                 pending: &mut Vec<Increment>,
                 ledger: &mut Ledger|
     -> Result<()> {
        let chain_gradient = moments.mean_gradient(energy, theta);
        let step = parameter_step(problem, theta, &chain_gradient, gain, t)?;
        let w = moments.expect(|x| energy.energy(&step.next, x) - energy.energy(theta, x));
        ledger.book(problem, theta, &step, w)?;
        pending.push(Increment::new(energy, theta, &step.next, t)?);
        *theta = step.next;
        Ok(())
    };
    while let Some(i) = impulses.next_if(|i| update_index(i) == 0) {
        apply(
            &mut theta,
            &i.gain,
            0.0,
            &moments,
            &mut pending,
            &mut ledger,
        )?;
    }
    for k in 0..options.updates {
        let t = k as f64 * h;
        let (stiffness, centre) = trap(energy, &theta, t)?;
        let process = OuProcess::new(stiffness, centre, d)?;
        let increments = std::mem::take(&mut pending);
        let sums = chain.step_ou_exact_fused(
            &process,
            h,
            &mut works,
            |_: &mut ChunkSums, xs, ws| increments.iter().for_each(|inc| inc.add_to(xs, ws)),
            ChunkSums::add,
        )?;
        moments = ChainMoments::merge(&sums);
        let gain = schedule.gain(t + 0.5 * h, n)?.scaled(h);
        let t_next = duration * (k + 1) as f64 / options.updates as f64;
        apply(
            &mut theta,
            &gain,
            t_next,
            &moments,
            &mut pending,
            &mut ledger,
        )?;
        while let Some(i) = impulses.next_if(|i| update_index(i) <= k + 1) {
            apply(
                &mut theta,
                &i.gain,
                t_next,
                &moments,
                &mut pending,
                &mut ledger,
            )?;
        }
        progress(k + 1);
        let record = options.record_every > 0
            && ((k + 1) % options.record_every == 0 || k + 1 == options.updates);
        if record {
            sink(&ParticleRecord {
                time: t_next,
                theta: theta.clone(),
                chain_mean: moments.mean,
                chain_variance: moments.variance,
                work: ledger.total_work,
                objective: problem.objective(&theta)?,
                approximate_objective: ledger.approximate_objective,
            })?;
        }
    }
    // The increments of the last update and the final impulses, at the final positions.
    works
        .par_chunks_mut(CHUNK_LEN)
        .zip(chain.positions().par_chunks(CHUNK_LEN))
        .for_each(|(ws, xs)| pending.iter().for_each(|inc| inc.add_to(xs, ws)));
    finish(problem, theta, &works, f0, &ledger)
}

/// The trap $(k, \mu)$ of a Gaussian family at θ (reached at time `t`).
///
/// The fused engine is chosen when the family has a trap at θ₀, which presumes the contract
/// stated in the module docs: `quadratic_trap` is `Some` for every valid θ or for none. A family
/// that breaks it is reported here, naming the family, θ and `t`, instead of being evolved
/// with the wrong dynamics.
fn trap(energy: &dyn EnergyFamily, theta: &[f64], t: f64) -> Result<(f64, f64)> {
    energy
        .quadratic_trap(theta)
        .ok_or_else(|| not_a_trap_everywhere(energy, theta, t))
}

/// The error of a family whose `quadratic_trap` is `Some` at θ₀ but `None` at a later θ.
fn not_a_trap_everywhere(energy: &dyn EnergyFamily, theta: &[f64], t: f64) -> Error {
    Error::out_of_range(
        &["energy"],
        format!(
            "the family `{}` has a quadratic trap at the initial θ but none at θ = {theta:?} \
             (t = {t}); quadratic_trap must return Some for every valid θ or None for all",
            energy.name()
        ),
    )
}

/// The work increment $E_{\theta'}(x) - E_\theta(x) = \tfrac{k'}2(x-\mu')^2 - \tfrac k2(x-\mu)^2
/// + c(\theta') - c(\theta)$ of a parameter change in a Gaussian family, $c(\theta) = E_\theta(\mu)$.
#[derive(Debug, Clone, Copy)]
struct Increment {
    half_before: f64,
    centre_before: f64,
    half_after: f64,
    centre_after: f64,
    offset: f64,
}

impl Increment {
    /// The increment of the step from `before` to `after`, made at time `t`.
    fn new(energy: &dyn EnergyFamily, before: &[f64], after: &[f64], t: f64) -> Result<Self> {
        let (k0, mu0) = trap(energy, before, t)?;
        let (k1, mu1) = trap(energy, after, t)?;
        Ok(Increment {
            half_before: 0.5 * k0,
            centre_before: mu0,
            half_after: 0.5 * k1,
            centre_after: mu1,
            offset: energy.energy(after, mu1) - energy.energy(before, mu0),
        })
    }

    /// Adds the increment at each position to the matching work.
    ///
    /// With the stiffness unchanged ($k' = k$, e.g. learning a mean) the difference of squares
    /// is the linear $k(\mu - \mu')\,(x - \tfrac{\mu + \mu'}2)$: exact algebra, fewer
    /// operations, and free of the cancellation of two nearly equal squares.
    #[inline]
    fn add_to(&self, xs: &[f64], works: &mut [f64]) {
        let inc = *self;
        if inc.half_after == inc.half_before {
            let slope = 2.0 * inc.half_before * (inc.centre_before - inc.centre_after);
            let middle = 0.5 * (inc.centre_before + inc.centre_after);
            for (w, &x) in works.iter_mut().zip(xs) {
                *w += slope * (x - middle) + inc.offset;
            }
        } else {
            for (w, &x) in works.iter_mut().zip(xs) {
                let (a, b) = (x - inc.centre_after, x - inc.centre_before);
                *w += (inc.half_after * (a * a) - inc.half_before * (b * b)) + inc.offset;
            }
        }
    }
}

/// Independent partial sums, so that the summing loop vectorises.
const LANES: usize = 4;

/// One chunk's sums of the moved positions about its first position $s$ (so that
/// $\sum(x-s)^2$ loses no digits to a mean far from zero): count, $\sum(x-s)$, $\sum(x-s)^2$.
#[derive(Debug, Clone, Copy, Default)]
struct ChunkSums {
    count: usize,
    shift: f64,
    first: [f64; LANES],
    second: [f64; LANES],
}

impl ChunkSums {
    fn add(&mut self, xs: &[f64]) {
        let Some(&x0) = xs.first() else { return };
        if self.count == 0 {
            self.shift = x0;
        }
        self.count += xs.len();
        let (shift, mut first, mut second) = (self.shift, self.first, self.second);
        let mut blocks = xs.chunks_exact(LANES);
        for block in &mut blocks {
            for l in 0..LANES {
                let y = block[l] - shift;
                first[l] += y;
                second[l] += y * y;
            }
        }
        for (l, &x) in blocks.remainder().iter().enumerate() {
            let y = x - shift;
            first[l] += y;
            second[l] += y * y;
        }
        (self.first, self.second) = (first, second);
    }
}

/// The chain's mean $\hat m$ and population variance $\hat v$.
#[derive(Debug, Clone, Copy, PartialEq)]
struct ChainMoments {
    mean: f64,
    variance: f64,
}

impl ChainMoments {
    /// The moments of the union of the chunks, combined in chunk order: chunk means and
    /// centred sums of squares $M_j = S_{2,j} - S_{1,j}^2/n_j$, then
    /// $\sum_j [M_j + n_j(\bar x_j - \hat m)^2]$ about the global mean.
    fn merge(chunks: &[ChunkSums]) -> Self {
        let total: usize = chunks.iter().map(|c| c.count).sum();
        let parts: Vec<(f64, f64, f64)> = chunks
            .iter()
            .filter(|c| c.count > 0)
            .map(|c| {
                let n = c.count as f64;
                let s1: f64 = c.first.iter().sum();
                let s2: f64 = c.second.iter().sum();
                (n, c.shift + s1 / n, (s2 - s1 * s1 / n).max(0.0))
            })
            .collect();
        let n = total as f64;
        let mean = parts.iter().map(|(nj, mj, _)| nj * mj).sum::<f64>() / n;
        let m2: f64 = parts
            .iter()
            .map(|(nj, mj, m2j)| m2j + nj * (mj - mean) * (mj - mean))
            .sum();
        ChainMoments {
            mean,
            variance: m2 / n,
        }
    }

    /// The particle average of a quadratic in $x$, exactly: the three-point Gauss–Hermite rule
    /// at $\mathcal N(\hat m, \hat v)$ gives $f(\hat m) + \tfrac12 f''\hat v$, which is the
    /// average over any sample with mean $\hat m$ and population variance $\hat v$.
    fn expect(&self, f: impl Fn(f64) -> f64) -> f64 {
        three_point_gauss_hermite_nodes(self.mean, self.variance)
            .iter()
            .map(|&(x, weight)| weight * f(x))
            .sum()
    }

    /// $\frac1N\sum_i\nabla_\theta E_\theta(x_i)$ for a Gaussian family (quadratic in $x$), as
    /// [`ChainMoments::expect`].
    fn mean_gradient(&self, energy: &dyn EnergyFamily, theta: &[f64]) -> Vec<f64> {
        let mut total = vec![0.0; theta.len()];
        let mut g = vec![0.0; theta.len()];
        for (x, weight) in three_point_gauss_hermite_nodes(self.mean, self.variance) {
            energy.grad_theta(theta, x, &mut g);
            total
                .iter_mut()
                .zip(&g)
                .for_each(|(t, gi)| *t += weight * gi);
        }
        total
    }
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
    let chain_gradient = mean_gradient(energy, theta, chain);
    let step = parameter_step(problem, theta, &chain_gradient, gain, t)?;
    let next = &step.next;

    // Per-particle work increments, and their chunk sums in chunk order (thread-count invariant).
    let partial: Vec<f64> = works
        .par_chunks_mut(CHUNK_LEN)
        .zip(chain.positions().par_chunks(CHUNK_LEN))
        .map(|(ws, xs)| {
            let mut sum = 0.0;
            for (w, &x) in ws.iter_mut().zip(xs) {
                let dw = energy.energy(next, x) - energy.energy(theta, x);
                *w += dw;
                sum += dw;
            }
            sum
        })
        .collect();
    let w = partial.iter().sum::<f64>() / chain.len() as f64;
    ledger.book(problem, theta, &step, w)?;
    Ok(step.next)
}

/// One gradient step with the samples frozen: $\hat g$, the step and the new θ.
struct ParameterStep {
    g_hat: Vec<f64>,
    step: Vec<f64>,
    next: Vec<f64>,
}

/// $\theta^+ = \theta + \text{gain}\cdot\hat g$ from the chain's mean gradient, validated.
fn parameter_step(
    problem: &LearningProblem<'_>,
    theta: &[f64],
    chain_gradient: &[f64],
    gain: &Gain,
    t: f64,
) -> Result<ParameterStep> {
    let energy = problem.energy();
    let data_gradient = problem.data_gradient(theta)?;
    let g_hat: Vec<f64> = chain_gradient
        .iter()
        .zip(&data_gradient)
        .map(|(q, p)| q - p)
        .collect();
    let mut step = vec![0.0; theta.len()];
    gain.apply(&g_hat, &mut step);
    let next: Vec<f64> = theta.iter().zip(&step).map(|(a, b)| a + b).collect();
    energy
        .validate(&next)
        .map_err(|e| left_domain(energy, &next, t, e))?;
    Ok(ParameterStep { g_hat, step, next })
}

impl Ledger {
    /// The D7 bookkeeping of one step whose mean work increment is `w`.
    fn book(
        &mut self,
        problem: &LearningProblem<'_>,
        theta: &[f64],
        step: &ParameterStep,
        w: f64,
    ) -> Result<()> {
        let dterm = problem.data_energy(&step.next)? - problem.data_energy(theta)?;
        self.total_work += w;
        self.approximate_objective += dterm - w;
        let linear: f64 = step.g_hat.iter().zip(&step.step).map(|(g, s)| g * s).sum();
        self.max_step_residual = self.max_step_residual.max(((dterm - w) + linear).abs());
        self.scale = self.scale.max(w.abs()).max(dterm.abs());
        Ok(())
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Data;
    use crate::energy::{GaussianMean, GaussianMeanStiffness};
    use crate::schedule::Schedule;
    use thermocheck_numerics::Tolerance;

    /// A time-dependent rate with impulses at both ends and one inside (update K/2).
    fn schedule(base: f64) -> Schedule {
        Schedule::scalar("base(1 + sin 3t / 2)", 1.0, move |t| {
            base * (1.0 + 0.5 * (3.0 * t).sin())
        })
        .unwrap()
        .with_impulse(0.0, Gain::Scalar(0.3 * base))
        .unwrap()
        .with_impulse(0.5, Gain::Scalar(0.2 * base))
        .unwrap()
        .with_impulse(1.0, Gain::Scalar(0.4 * base))
        .unwrap()
    }

    fn run_recorded(
        problem: &LearningProblem<'_>,
        options: &ParticleOptions,
        engine: Engine,
    ) -> (ParticleRun, Vec<ParticleRecord>) {
        let mut records = Vec::new();
        let run = run(
            problem,
            options,
            engine,
            |_| {},
            |r| {
                records.push(r.clone());
                Ok(())
            },
        )
        .unwrap();
        (run, records)
    }

    /// The two engines compute the same particle averages in different orders (a sweep of
    /// sequential chunk sums against shifted lane sums and the Gauss–Hermite identity), so each
    /// update's averages differ by at most Higham's recursive-summation bound γ_n ≈ nε, where
    /// n = min(N, CHUNK_LEN) + chunks is the most terms one accumulator receives (a chunk's
    /// particles, then the chunk sums), plus a few roundings of the closed forms (16 ε). The
    /// learning map is non-expansive (θ and the chain relax), so over K updates and 3 impulses
    /// the differences add at most linearly: c = (K + 3)(min(N, CHUNK_LEN) + chunks + 16) ulps of
    /// the scale. A worst-case bound, so it is loose for a full chunk (n = 8192: ~8e-11 of the
    /// scale at K = 40, where the engines differ by a few ulps); with a few particles it is
    /// sharp (see `the_engine_agreement_bound_is_sharp_for_one_small_chunk`).
    fn round_off(updates: usize, particles: usize, scale: f64) -> Tolerance {
        let terms = (particles.min(CHUNK_LEN) + particles.div_ceil(CHUNK_LEN) + 16) as f64;
        Tolerance::conditioning((updates as f64 + 3.0) * terms, scale)
    }

    /// Runs both engines and asserts that every output agrees within [`round_off`]; returns the
    /// generic run and the tolerance of the run-level outputs.
    fn assert_engines_agree(
        problem: &LearningProblem<'_>,
        particles: usize,
        updates: usize,
    ) -> (ParticleRun, Tolerance) {
        let options = ParticleOptions {
            record_every: 1,
            ..ParticleOptions::new(particles, updates, 17).unwrap()
        };
        let (generic, generic_records) = run_recorded(problem, &options, Engine::Generic);
        let (fused, fused_records) = run_recorded(problem, &options, Engine::Fused);
        let scale = generic.ledger_scale;
        let tol = round_off(updates, particles, scale);
        let pairs = [
            ("total work", generic.total_work, fused.total_work),
            ("<W>", generic.work.mean(), fused.work.mean()),
            ("sd(W)", generic.work.std_dev(), fused.work.std_dev()),
            (
                "<exp(-W)>",
                generic.exp_minus_work.mean(),
                fused.exp_minus_work.mean(),
            ),
            ("objective", generic.objective, fused.objective),
            (
                "approximate objective",
                generic.approximate_objective,
                fused.approximate_objective,
            ),
            (
                "free-energy change",
                generic.free_energy_change,
                fused.free_energy_change,
            ),
            (
                "max step residual",
                generic.max_step_residual,
                fused.max_step_residual,
            ),
        ];
        for (what, a, b) in pairs {
            tol.assert_accepts(what, a, b);
        }
        for (a, b) in generic.theta.iter().zip(&fused.theta) {
            round_off(updates, particles, a.abs().max(1.0)).assert_accepts("θ", *a, *b);
        }
        // The D7 identities hold to round-off on the fused engine as on the generic one.
        Tolerance::conditioning(8.0 * (updates as f64 + 4.0), fused.ledger_scale).assert_accepts(
            "D8 residual",
            0.0,
            fused.identity_residual(),
        );
        assert_eq!(generic_records.len(), updates);
        assert_eq!(fused_records.len(), updates);
        for (a, b) in generic_records.iter().zip(&fused_records) {
            assert_eq!(a.time, b.time);
            let width = a.chain_mean.abs() + a.chain_variance.sqrt();
            round_off(updates, particles, width).assert_accepts(
                "chain mean",
                a.chain_mean,
                b.chain_mean,
            );
            round_off(updates, particles, a.chain_variance).assert_accepts(
                "chain variance",
                a.chain_variance,
                b.chain_variance,
            );
            tol.assert_accepts("work so far", a.work, b.work);
            tol.assert_accepts("objective", a.objective, b.objective);
            tol.assert_accepts(
                "approximate objective",
                a.approximate_objective,
                b.approximate_objective,
            );
        }
        (generic, tol)
    }

    #[test]
    fn the_engine_agreement_bound_is_sharp_for_one_small_chunk() {
        // 24 particles in one chunk: the worst-case bound is (40 + 3)(24 + 1 + 16) = 1763 ulps
        // ≈ 3.9e-13 of the scale, so a relative error of 1e-12 in the total work (a quantity
        // of the order of the scale here) cannot hide in it.
        let energy = GaussianMean::new(0.8).unwrap();
        let data = Data::gaussian(1.5, 0.3).unwrap();
        let rate = schedule(0.6);
        let problem = LearningProblem::new(&energy, &data, &rate, &[-0.5], 1.3).unwrap();
        let (generic, tol) = assert_engines_agree(&problem, 24, 40);
        let work = generic.total_work;
        assert!(
            work.abs() > 0.5 * generic.ledger_scale,
            "{work} vs {}",
            generic.ledger_scale
        );
        assert!(
            !tol.accepts(work, work * (1.0 + 1e-12)),
            "a 1e-12 relative error in the total work would pass {tol}"
        );
        // The same for the stiffness family (the k' ≠ k increments).
        let data = Data::gaussian(1.0, 0.5).unwrap();
        let rate = schedule(0.4);
        let problem =
            LearningProblem::new(&GaussianMeanStiffness, &data, &rate, &[0.2, 1.5], 0.7).unwrap();
        assert_engines_agree(&problem, 24, 40);
    }

    #[test]
    fn fused_engine_agrees_with_the_generic_one_gaussian_mean() {
        let energy = GaussianMean::new(0.8).unwrap();
        let data = Data::gaussian(1.5, 0.3).unwrap();
        let schedule = schedule(0.6);
        let problem = LearningProblem::new(&energy, &data, &schedule, &[-0.5], 1.3).unwrap();
        // Two full chunks and a partial one; K = 40 puts the middle impulse after update 20.
        assert_engines_agree(&problem, 2 * CHUNK_LEN + 1001, 40);
    }

    #[test]
    fn fused_engine_agrees_with_the_generic_one_mean_and_stiffness() {
        // Both the centre and the stiffness move: the increments' k' ≠ k terms are exercised.
        let data = Data::gaussian(1.0, 0.5).unwrap();
        let schedule = schedule(0.4);
        let problem =
            LearningProblem::new(&GaussianMeanStiffness, &data, &schedule, &[0.2, 1.5], 0.7)
                .unwrap();
        assert_engines_agree(&problem, CHUNK_LEN + 333, 30);
    }

    /// Runs the fused engine on 1 and on 3 threads and asserts that every output is the same,
    /// bit for bit.
    fn assert_thread_invariant(problem: &LearningProblem<'_>, particles: usize, updates: usize) {
        let options = ParticleOptions {
            record_every: 1,
            ..ParticleOptions::new(particles, updates, 3).unwrap()
        };
        let on = |threads: usize| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| run_recorded(problem, &options, Engine::Fused))
        };
        let (one, one_records) = on(1);
        let (three, three_records) = on(3);
        let bits = |r: &ParticleRun| {
            let mut v = vec![
                r.total_work,
                r.work.mean(),
                r.work.variance(),
                r.exp_minus_work.mean(),
                r.objective,
                r.approximate_objective,
                r.free_energy_change,
                r.max_step_residual,
                r.ledger_scale,
            ];
            v.extend(&r.theta);
            v.into_iter().map(f64::to_bits).collect::<Vec<_>>()
        };
        assert_eq!(bits(&one), bits(&three));
        let record_bits = |records: &[ParticleRecord]| {
            records
                .iter()
                .flat_map(|r| {
                    let mut v = vec![
                        r.time,
                        r.chain_mean,
                        r.chain_variance,
                        r.work,
                        r.objective,
                        r.approximate_objective,
                    ];
                    v.extend(&r.theta);
                    v
                })
                .map(f64::to_bits)
                .collect::<Vec<_>>()
        };
        assert_eq!(one_records.len(), updates);
        assert_eq!(record_bits(&one_records), record_bits(&three_records));
    }

    #[test]
    fn fused_engine_is_identical_for_any_thread_count() {
        let energy = GaussianMean::new(1.0).unwrap();
        let data = Data::gaussian(2.0, 0.0).unwrap();
        let schedule = schedule(0.5);
        let problem = LearningProblem::new(&energy, &data, &schedule, &[0.0], 1.0).unwrap();
        assert_thread_invariant(&problem, 3 * CHUNK_LEN + 5, 20);
    }

    #[test]
    fn gaussian_families_take_the_fused_engine() {
        // learn() on a Gaussian family is the fused engine, bit for bit.
        let energy = GaussianMean::new(1.0).unwrap();
        let data = Data::gaussian(1.0, 0.0).unwrap();
        let schedule = schedule(0.5);
        let problem = LearningProblem::new(&energy, &data, &schedule, &[0.0], 1.0).unwrap();
        let options = ParticleOptions::new(1000, 10, 5).unwrap();
        let public = learn(&problem, &options).unwrap();
        let (fused, _) = run_recorded(&problem, &options, Engine::Fused);
        assert_eq!(public.total_work.to_bits(), fused.total_work.to_bits());
        assert_eq!(public.work, fused.work);
    }

    /// A test-only Gaussian family whose constant is not zero, so that the fused engine's
    /// offset $c(\theta') - c(\theta)$ is exercised: $\theta = (\mu, k)$,
    /// $E = \tfrac k2(x-\mu)^2 + c(\theta)$ with $c = \tfrac12\mu^2 + k$, and
    /// $F = c(\theta) + \tfrac12\ln(k/2\pi)$ (the Gaussian integral times $e^{-c}$).
    struct OffsetTrap;

    impl EnergyFamily for OffsetTrap {
        fn name(&self) -> String {
            "E = k (x - μ)²/2 + μ²/2 + k (test family)".into()
        }
        fn parameter_names(&self) -> Vec<String> {
            vec!["mean".into(), "stiffness".into()]
        }
        fn validate(&self, theta: &[f64]) -> Result<()> {
            error::length("theta", theta.len(), 2)?;
            error::all_finite("theta", theta)?;
            error::positive("stiffness", theta[1]).map(drop)
        }
        fn energy(&self, theta: &[f64], x: f64) -> f64 {
            let (mu, k) = (theta[0], theta[1]);
            0.5 * k * (x - mu) * (x - mu) + 0.5 * mu * mu + k
        }
        fn grad_x(&self, theta: &[f64], x: f64) -> f64 {
            theta[1] * (x - theta[0])
        }
        fn grad_theta(&self, theta: &[f64], x: f64, out: &mut [f64]) {
            let (mu, k) = (theta[0], theta[1]);
            out[0] = k * (mu - x) + mu;
            out[1] = 0.5 * (x - mu) * (x - mu) + 1.0;
        }
        fn quadratic_trap(&self, theta: &[f64]) -> Option<(f64, f64)> {
            Some((theta[1], theta[0]))
        }
        fn polynomial_degree(&self) -> Option<u32> {
            Some(2)
        }
        fn free_energy(&self, theta: &[f64]) -> Result<f64> {
            self.validate(theta)?;
            let (mu, k) = (theta[0], theta[1]);
            Ok(0.5 * mu * mu + k + 0.5 * (k / (2.0 * std::f64::consts::PI)).ln())
        }
    }

    #[test]
    fn fused_engine_agrees_with_the_generic_one_with_an_energy_offset() {
        // c(θ) = μ²/2 + k changes with every update, so each per-particle increment carries the
        // offset c(θ') − c(θ) = E_θ'(μ') − E_θ(μ); both μ and k move (the k' ≠ k branch).
        let data = Data::gaussian(1.0, 0.5).unwrap();
        let schedule = schedule(0.4);
        let problem =
            LearningProblem::new(&OffsetTrap, &data, &schedule, &[0.2, 1.5], 0.7).unwrap();
        let options = ParticleOptions::new(1000, 10, 5).unwrap();
        let run = learn(&problem, &options).unwrap();
        // The offset is not negligible: the family's constant moves by more than the total work.
        let c = |t: &[f64]| OffsetTrap.energy(t, t[0]);
        assert!((c(&run.theta) - c(problem.initial())).abs() > 1e-2);
        assert_engines_agree(&problem, CHUNK_LEN + 333, 30);
    }

    /// A test-only family that breaks the `quadratic_trap` contract: $E = (x-\theta)^2/2$
    /// everywhere, but it reports its trap only for $\theta < 1/2$.
    struct TrapOnlyBelowHalf;

    impl EnergyFamily for TrapOnlyBelowHalf {
        fn name(&self) -> String {
            "E = (x - θ)²/2, trap reported for θ < 1/2 (test family)".into()
        }
        fn parameter_names(&self) -> Vec<String> {
            vec!["mean".into()]
        }
        fn validate(&self, theta: &[f64]) -> Result<()> {
            error::length("theta", theta.len(), 1)?;
            error::all_finite("theta", theta)
        }
        fn energy(&self, theta: &[f64], x: f64) -> f64 {
            0.5 * (x - theta[0]) * (x - theta[0])
        }
        fn grad_x(&self, theta: &[f64], x: f64) -> f64 {
            x - theta[0]
        }
        fn grad_theta(&self, theta: &[f64], x: f64, out: &mut [f64]) {
            out[0] = theta[0] - x;
        }
        fn quadratic_trap(&self, theta: &[f64]) -> Option<(f64, f64)> {
            (theta[0] < 0.5).then_some((1.0, theta[0]))
        }
        fn polynomial_degree(&self) -> Option<u32> {
            Some(2)
        }
        fn free_energy(&self, theta: &[f64]) -> Result<f64> {
            self.validate(theta)?;
            Ok(-0.5 * (2.0 * std::f64::consts::PI).ln())
        }
    }

    #[test]
    fn a_family_with_a_trap_on_part_of_its_domain_is_a_typed_error() {
        // θ₀ = 0 has a trap (fused engine); learning the data mean 2 carries θ past 1/2.
        let data = Data::gaussian(2.0, 0.0).unwrap();
        let schedule = Schedule::scalar("1", 1.0, |_| 1.0).unwrap();
        let problem =
            LearningProblem::new(&TrapOnlyBelowHalf, &data, &schedule, &[0.0], 1.0).unwrap();
        let err = learn(&problem, &ParticleOptions::new(1000, 10, 5).unwrap()).unwrap_err();
        let Error::OutOfRange { parameters, detail } = &err else {
            panic!("expected OutOfRange, got {err:?}");
        };
        assert_eq!(parameters, &["energy".to_owned()]);
        assert!(detail.contains(&TrapOnlyBelowHalf.name()), "{detail}");
        assert!(detail.contains("none at θ = ["), "{detail}");
        assert!(err.is_input_error());
        // The θ named is past the boundary, and learning stopped at the first such θ.
        let named: f64 = detail
            .split("θ = [")
            .nth(1)
            .and_then(|rest| rest.split(']').next())
            .and_then(|v| v.parse().ok())
            .unwrap();
        assert!(named >= 0.5, "{detail}");
        // The generic engine, which asks for the trap at each θ, runs the same problem.
        let options = ParticleOptions::new(1000, 10, 5).unwrap();
        assert!(run(&problem, &options, Engine::Generic, |_| {}, |_| Ok(())).is_ok());
    }

    #[test]
    fn fused_engine_with_a_moving_stiffness_is_identical_for_any_thread_count() {
        // The k' ≠ k branch of the increments (non-linear in x) and the moments of a chain whose
        // width changes, on 1 and 3 threads.
        let data = Data::gaussian(1.0, 0.5).unwrap();
        let schedule = schedule(0.4);
        let problem =
            LearningProblem::new(&GaussianMeanStiffness, &data, &schedule, &[0.2, 1.5], 0.7)
                .unwrap();
        assert_thread_invariant(&problem, 3 * CHUNK_LEN + 5, 20);
    }
}
