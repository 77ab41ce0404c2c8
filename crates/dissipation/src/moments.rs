//! Exact moment ODEs of persistent-chain learning for Gaussian families (spec D11, D25;
//! `metric.md` M16).
//!
//! For an energy $E_\theta(x) = \tfrac{k}{2}(x-\mu)^2 + c(\theta)$ (the family reports its trap
//! $(k, \mu)$ through [`EnergyFamily::quadratic_trap`]) a Gaussian chain stays Gaussian,
//! $q_t = \mathcal N(m, w)$, with
//! $$\dot m = -Dk(m-\mu),\qquad \dot w = 2D(1-kw),$$
//! and learning $\dot\theta = H(t)\,\hat g$, $\hat g = \mathbb E_q[\nabla_\theta E] - \mathbb E_{p_D}[\nabla_\theta E]$
//! (D4). Alongside, the engine integrates the work rate $\dot W = \dot\theta\cdot\mathbb E_q[\nabla_\theta E]$
//! (D5), the estimator path integral $\dot G = \hat g\cdot\dot\theta$ (D6) and the entropy production
//! $\dot\Sigma = D\,\mathbb E_q|\partial_x\ln(q/p_\theta)|^2 = D[(k-1/w)^2w + k^2(m-\mu)^2]$ (D9).
//! Impulses are jumps $\theta^+ = \theta^- + c\,\hat g$ with the chain frozen, costing
//! $\mathbb E_q[E_{\theta^+}-E_{\theta^-}]$ of work. Expectations over $q$ use the three-point
//! Gauss–Hermite rule, exact here because $E$ and $\nabla_\theta E$ are quadratic in $x$.
//!
//! Integration goes through [`thermocheck_numerics::ode::integrate_piecewise`] (guarded Dopri5),
//! segment by segment between output times and impulses.

use crate::energy::EnergyFamily;
use crate::learning::left_domain;
use crate::learning::{ChainSummary, LearningProblem, LedgerPoint};
use std::cell::RefCell;
use thermocheck_numerics::Error;
use thermocheck_numerics::error::{self, Result};
use thermocheck_numerics::ode::{self, OdeOptions, OdeReport};
use thermocheck_numerics::quad::three_point_gauss_hermite;

/// Options of the moment-ODE engine.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MomentOptions {
    /// ODE tolerances (default: rtol 1e-11, atol 1e-13, with the tol/10 error estimate).
    pub ode: OdeOptions,
    /// Number of equal output intervals on $[0, T]$ (default 16); impulse times are added.
    pub output_intervals: usize,
}

impl Default for MomentOptions {
    fn default() -> Self {
        MomentOptions {
            ode: OdeOptions::new(1e-11, 1e-13).expect("valid tolerances"),
            output_intervals: 16,
        }
    }
}

/// The result of a moment-ODE learning run.
#[derive(Debug, Clone)]
pub struct MomentRun {
    /// Output times (including $0$, $T$ and every impulse time).
    pub times: Vec<f64>,
    /// Ledger just before any impulse at each output time.
    pub before: Vec<LedgerPoint>,
    /// Ledger just after any impulse at each output time.
    pub after: Vec<LedgerPoint>,
    /// `(time, work)` of each impulse, in order.
    pub impulse_works: Vec<(f64, f64)>,
    /// Solver diagnostics; `error_estimate` bounds the error of every integrated quantity.
    pub report: OdeReport,
}

impl MomentRun {
    /// The ledger at $T^+$, after the final impulse.
    pub fn final_point(&self) -> &LedgerPoint {
        self.after.last().expect("at least two output times")
    }
}

// State layout: [m, w, θ₀ … θₙ₋₁, W, G, Σ].
const M: usize = 0;
const W_CHAIN: usize = 1;
const THETA: usize = 2;

/// Runs persistent-chain learning through the exact moment ODEs.
///
/// # Errors
/// - [`Error::InvalidParameter`] if the energy is not a Gaussian family
///   ([`EnergyFamily::quadratic_trap`] is `None`) — named `energy`;
/// - the schedule's error if a rate is negative or non-finite;
/// - [`Error::NotConverged`] if θ leaves the family's domain or the ODE solver fails.
///
/// # Examples
/// The optimal schedule of D14 moves $\theta$ from 0 to $\mu_D = 1$ with $W = \Delta^2/(DT+2\sigma^2)$:
/// ```
/// use thermocheck_dissipation::{data::Data, energy::GaussianMean, moments, schedule::{Gain, Schedule}};
/// use thermocheck_dissipation::learning::LearningProblem;
/// let (t_end, var, d) = (1.0, 1.0, 1.0);
/// let tau = var / d;
/// let schedule = Schedule::scalar("optimal", t_end, move |t| var / (t_end + 2.0 * tau - t))?
///     .with_impulse(0.0, Gain::Scalar(var * tau / (t_end + 2.0 * tau)))?
///     .with_impulse(t_end, Gain::Scalar(var / 2.0))?;
/// let (energy, data) = (GaussianMean::new(var)?, Data::gaussian(1.0, 0.0)?);
/// let problem = LearningProblem::new(&energy, &data, &schedule, &[0.0], d)?;
/// let run = moments::learn(&problem, &moments::MomentOptions::default())?;
/// let end = run.final_point();
/// assert!((end.theta[0] - 1.0).abs() < 1e-9);
/// assert!((end.work - 1.0 / 3.0).abs() < 1e-9);
/// # Ok::<(), thermocheck_numerics::Error>(())
/// ```
pub fn learn(problem: &LearningProblem<'_>, options: &MomentOptions) -> Result<MomentRun> {
    let energy = problem.energy();
    let theta0 = problem.initial();
    let n = problem.dimension();
    let d = problem.diffusion();
    let (k0, mu0) = energy
        .quadratic_trap(theta0)
        .ok_or_else(|| Error::InvalidParameter {
            parameter: format!("energy ({}: not a Gaussian family)", energy.name()),
            requirement: error::Requirement::Finite,
            value: f64::NAN,
        })?;
    error::count_at_least("output-intervals", options.output_intervals, 1)?;
    let schedule = problem.schedule();
    let duration = schedule.duration();
    let times = output_times(duration, options.output_intervals, schedule);

    let first_error: RefCell<Option<Error>> = RefCell::new(None);
    let fail = |e: Error| {
        first_error.borrow_mut().get_or_insert(e);
    };

    let mut y0 = vec![0.0; n + 5];
    y0[M] = mu0;
    y0[W_CHAIN] = 1.0 / k0;
    y0[THETA..THETA + n].copy_from_slice(theta0);
    let (iw, ig, is) = (THETA + n, THETA + n + 1, THETA + n + 2);

    let rhs = |t: f64, y: &[f64], dy: &mut [f64]| {
        let theta = &y[THETA..THETA + n];
        let result = (|| -> Result<()> {
            energy
                .validate(theta)
                .map_err(|e| left_domain(energy, theta, t, e))?;
            let (k, mu) = energy.quadratic_trap(theta).expect("Gaussian family");
            let (m, w) = (y[M], y[W_CHAIN]);
            let chain = chain_gradient(energy, theta, m, w);
            let data = problem.data_gradient(theta)?;
            let g_hat: Vec<f64> = chain.iter().zip(&data).map(|(q, p)| q - p).collect();
            let mut theta_dot = vec![0.0; n];
            schedule.gain(t, n)?.apply(&g_hat, &mut theta_dot);
            dy[M] = -d * k * (m - mu);
            dy[W_CHAIN] = 2.0 * d * (1.0 - k * w);
            dy[THETA..THETA + n].copy_from_slice(&theta_dot);
            dy[iw] = dot(&theta_dot, &chain);
            dy[ig] = dot(&g_hat, &theta_dot);
            dy[is] = d * ((k - 1.0 / w).powi(2) * w + (k * (m - mu)).powi(2));
            Ok(())
        })();
        if let Err(e) = result {
            fail(e);
            dy.iter_mut().for_each(|v| *v = f64::NAN);
        }
    };

    let mut impulse_works = Vec::new();
    let jump = |index: usize, t: f64, y: &mut [f64]| {
        for impulse in schedule
            .impulses()
            .iter()
            .filter(|i| i.time == times[index])
        {
            let theta: Vec<f64> = y[THETA..THETA + n].to_vec();
            let (m, w) = (y[M], y[W_CHAIN]);
            let result = (|| -> Result<(Vec<f64>, f64, f64)> {
                let chain = chain_gradient(energy, &theta, m, w);
                let data = problem.data_gradient(&theta)?;
                let g_hat: Vec<f64> = chain.iter().zip(&data).map(|(q, p)| q - p).collect();
                let mut step = vec![0.0; n];
                impulse.gain.apply(&g_hat, &mut step);
                let after: Vec<f64> = theta.iter().zip(&step).map(|(a, b)| a + b).collect();
                energy
                    .validate(&after)
                    .map_err(|e| left_domain(energy, &after, t, e))?;
                let work = three_point_gauss_hermite(m, w, |x| {
                    energy.energy(&after, x) - energy.energy(&theta, x)
                });
                let data_change = problem.data_energy(&after)? - problem.data_energy(&theta)?;
                Ok((after, work, data_change))
            })();
            match result {
                Ok((after, work, data_change)) => {
                    y[THETA..THETA + n].copy_from_slice(&after);
                    y[iw] += work;
                    // D6: across a jump L̃ changes by the finite difference d − w, i.e. G by w − d.
                    y[ig] += work - data_change;
                    impulse_works.push((t, work));
                }
                Err(e) => {
                    fail(e);
                    y.iter_mut().for_each(|v| *v = f64::NAN);
                }
            }
        }
    };

    let solution = ode::integrate_piecewise(
        |_| ode::from_fn(n + 5, &rhs),
        &times,
        &y0,
        jump,
        &options.ode,
    );
    if let Some(e) = first_error.into_inner() {
        return Err(e);
    }
    let solution = solution?;

    let ledger = |t: f64, y: &[f64]| -> Result<LedgerPoint> {
        let theta = &y[THETA..THETA + n];
        let (k, mu) = energy
            .quadratic_trap(theta)
            .expect("validated during the run");
        let (m, w) = (y[M], y[W_CHAIN]);
        let u = k * w - 1.0;
        let chain = ChainSummary {
            mean: m,
            variance: w,
            // KL(N(m,w) ‖ N(μ,1/k)) = ½[kw − 1 − ln kw] + k(m−μ)²/2, with u − ln(1+u) for stability.
            lag_kl: Some(0.5 * (u - u.ln_1p()) + 0.5 * k * (m - mu).powi(2)),
            entropy_production: Some(y[is]),
        };
        problem.ledger(t, theta, chain, y[iw], y[ig])
    };
    let before = times
        .iter()
        .zip(&solution.before_jump)
        .map(|(&t, y)| ledger(t, y))
        .collect::<Result<Vec<_>>>()?;
    let after = times
        .iter()
        .zip(&solution.after_jump)
        .map(|(&t, y)| ledger(t, y))
        .collect::<Result<Vec<_>>>()?;
    Ok(MomentRun {
        times,
        before,
        after,
        impulse_works,
        report: solution.report,
    })
}

/// $\mathbb E_{\mathcal N(m,w)}[\nabla_\theta E_\theta]$ by the exact three-point rule.
fn chain_gradient(energy: &dyn EnergyFamily, theta: &[f64], m: f64, w: f64) -> Vec<f64> {
    let n = theta.len();
    let mut g = vec![0.0; n];
    let mut buf = vec![0.0; n];
    let dx = (3.0 * w).sqrt();
    for (x, weight) in [(m - dx, 1.0 / 6.0), (m, 2.0 / 3.0), (m + dx, 1.0 / 6.0)] {
        energy.grad_theta(theta, x, &mut buf);
        g.iter_mut()
            .zip(&buf)
            .for_each(|(gi, bi)| *gi += weight * bi);
    }
    g
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Equal output intervals on $[0, T]$ merged with the impulse times.
fn output_times(duration: f64, intervals: usize, schedule: &crate::schedule::Schedule) -> Vec<f64> {
    let mut times: Vec<f64> = (0..=intervals)
        .map(|i| duration * i as f64 / intervals as f64)
        .chain(schedule.impulses().iter().map(|i| i.time))
        .collect();
    times.sort_by(f64::total_cmp);
    times.dedup();
    times
}
