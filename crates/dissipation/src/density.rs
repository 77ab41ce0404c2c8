//! Persistent-chain learning driven by the chain *density*: a deterministic Fokker–Planck solver
//! for any one-dimensional energy (spec D3, D8, D9; checks DV1, DV2 on non-Gaussian energies).
//!
//! The chain density $q_t$ lives on a finite grid ([`thermocheck_numerics::fokker_planck`]:
//! Scharfetter–Gummel finite volumes, implicit steps, exact discrete equilibrium). With
//! $\Delta t = T/K$, each step
//!
//! 1. updates the parameters with the density frozen,
//!    $\theta^+ = \theta + \Delta t\,H(t_k + \Delta t/2)\,\hat g$,
//!    $\hat g = \mathbb E_q[\nabla_\theta E_\theta] - \mathbb E_{p_D}[\nabla_\theta E_\theta]$,
//!    which costs work $\mathbb E_q[E_{\theta^+} - E_\theta]$ (D5);
//! 2. relaxes $q$ for $\Delta t$ in the new energy and adds $\Delta t\,\sigma(q, \theta^+)$ to the
//!    entropy production, $\sigma = D\int q|\partial_x\ln(q/p_\theta)|^2$ (D9).
//!
//! Impulses are applied as in [`crate::particles`]. The run reports two approximate objectives:
//! the *estimator path integral* $\tilde{\mathcal L} = \mathcal L(\theta_0) - \sum_k\hat g_k\cdot\Delta\theta_k$
//! over the continuous updates, with impulses counted by their finite differences $d - w$ (D6 as a
//! Riemann sum: for energies nonlinear in $\theta$ its bias reaches $W - \Delta F$ only as
//! $\Delta t \to 0$, at first order), and the telescoped D7 ledger (equal to $W - \Delta F$ to
//! round-off). Free
//! energies, KL and entropy production are the grid's own (discrete equilibrium
//! $p_i \propto e^{-E_i}$), so that D9 holds up to the time discretisation.

use crate::learning::LearningProblem;
use crate::schedule::Gain;
use serde::Serialize;
use thermocheck_numerics::error::{self, Result};
use thermocheck_numerics::fokker_planck::{FokkerPlanck, Grid, Scheme};

/// Options of a density run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DensityOptions {
    /// The grid: interval `[lower, upper]` (reflecting walls) and number of cells.
    pub lower: f64,
    /// Upper end of the grid.
    pub upper: f64,
    /// Number of cells.
    pub cells: usize,
    /// Number of time steps $K$.
    pub steps: usize,
    /// Implicit scheme for the relaxation.
    pub scheme: Scheme,
}

/// The outcome of a density run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DensityRun {
    /// $\theta_T$.
    pub theta: Vec<f64>,
    /// Work $W$.
    pub work: f64,
    /// $\Delta F$ from the grid's partition function.
    pub free_energy_change: f64,
    /// $\mathcal L(\theta_T)$ (grid free energy).
    pub objective: f64,
    /// $\mathcal L(\theta_0) - \sum_k\hat g_k\cdot\Delta\theta_k$.
    pub estimator_objective: f64,
    /// $\mathcal L(\theta_0) + \sum_k (d_k - w_k)$ (D7).
    pub telescoped_objective: f64,
    /// $D_{KL}(q_T\|p_{\theta_T})$.
    pub lag_kl: f64,
    /// $\sum_k \Delta t\,\sigma_k$.
    pub entropy_production: f64,
    /// Chain mean at $T$.
    pub chain_mean: f64,
}

impl DensityRun {
    /// The excess (dissipated) work $W_{ex} = W - \Delta F$, in units of $k_BT$ (D5).
    pub fn excess_work(&self) -> f64 {
        self.work - self.free_energy_change
    }
}

/// Runs persistent-chain learning on the Fokker–Planck density: the chain density follows
/// $\partial_t q_t = D\,\partial_x\big(q_t\,\partial_x\ln(q_t/p_{\theta_t})\big)$ from
/// $q_0 = p_{\theta_0}$ while $\dot\theta = \eta(t)\,\hat g(\theta_t, q_t)$, with the ledger of
/// work, $\Delta F$ and entropy production.
///
/// Spec: D3, D4, D5.
///
/// # Errors
/// Invalid grid or step count, a schedule value that is negative or non-finite, θ leaving the
/// family's domain, or a solver failure.
pub fn learn(problem: &LearningProblem<'_>, options: &DensityOptions) -> Result<DensityRun> {
    error::count_at_least("steps", options.steps, 1)?;
    let energy = problem.energy();
    let n = problem.dimension();
    let schedule = problem.schedule();
    let duration = schedule.duration();
    let dt = duration / options.steps as f64;
    let grid = Grid::new(options.lower, options.upper, options.cells)?;
    let free_energy = |theta: &[f64]| grid.free_energy(|x| energy.energy(theta, x));
    let objective =
        |theta: &[f64]| -> Result<f64> { Ok(problem.data_energy(theta)? - free_energy(theta)?) };

    let mut theta = problem.initial().to_vec();
    let initial = grid.equilibrium(|x| energy.energy(&theta, x))?;
    let mut chain = FokkerPlanck::new(initial, problem.diffusion(), options.scheme)?;
    let (f0, objective0) = (free_energy(&theta)?, objective(&theta)?);
    let mut ledger = Ledger::default();

    // `impulse`: D6 counts a jump by its finite difference d − w, a continuous update by ĝ·Δθ.
    let update =
        |theta: &[f64], gain: &Gain, impulse: bool, chain: &FokkerPlanck, ledger: &mut Ledger| {
            let q = chain.density();
            let data_gradient = problem.data_gradient(theta)?;
            let g_hat: Vec<f64> = (0..n)
                .map(|j| {
                    q.expectation(|x| {
                        let mut g = vec![0.0; n];
                        energy.grad_theta(theta, x, &mut g);
                        g[j]
                    }) - data_gradient[j]
                })
                .collect();
            let mut step = vec![0.0; n];
            gain.apply(&g_hat, &mut step);
            let next: Vec<f64> = theta.iter().zip(&step).map(|(a, b)| a + b).collect();
            energy.validate(&next)?;
            let w = q.expectation(|x| energy.energy(&next, x) - energy.energy(theta, x));
            let d = problem.data_energy(&next)? - problem.data_energy(theta)?;
            ledger.work += w;
            ledger.estimator += if impulse {
                w - d
            } else {
                g_hat.iter().zip(&step).map(|(g, s)| g * s).sum::<f64>()
            };
            ledger.telescoped += d - w;
            Ok::<_, thermocheck_numerics::Error>(next)
        };

    let mut impulses = schedule.impulses().iter().peekable();
    // An impulse at time τ follows update round(τ/h) (update 0: before the chain first moves);
    // the index, not a float comparison with an accumulated time, decides.
    let update_index =
        |i: &&crate::schedule::Impulse| (i.time / duration * options.steps as f64).round() as usize;
    while let Some(i) = impulses.next_if(|i| update_index(i) == 0) {
        theta = update(&theta, &i.gain, true, &chain, &mut ledger)?;
    }
    for k in 0..options.steps {
        let t = k as f64 * dt;
        let gain = schedule.gain(t + 0.5 * dt, n)?.scaled(dt);
        theta = update(&theta, &gain, false, &chain, &mut ledger)?;
        let current = theta.clone();
        chain.step(|x| energy.energy(&current, x), dt)?;
        ledger.entropy_production +=
            dt * chain.entropy_production(|x| energy.energy(&current, x))?;
        while let Some(i) = impulses.next_if(|i| update_index(i) <= k + 1) {
            theta = update(&theta, &i.gain, true, &chain, &mut ledger)?;
        }
    }

    let final_energy = |x: f64| energy.energy(&theta, x);
    Ok(DensityRun {
        lag_kl: chain.density().kl_divergence(final_energy)?,
        chain_mean: chain.density().mean(),
        free_energy_change: free_energy(&theta)? - f0,
        objective: objective(&theta)?,
        estimator_objective: objective0 - ledger.estimator,
        telescoped_objective: objective0 + ledger.telescoped,
        entropy_production: ledger.entropy_production,
        work: ledger.work,
        theta,
    })
}

#[derive(Debug, Default)]
struct Ledger {
    work: f64,
    estimator: f64,
    telescoped: f64,
    entropy_production: f64,
}
