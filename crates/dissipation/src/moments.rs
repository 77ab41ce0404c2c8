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
//! A *prescribed* protocol $\theta(t)$ (any [`Protocol`] of
//! `thermocheck-metric`, with optional jumps at both ends) drives the same chain through [`drive`],
//! which returns the exact work, $\Delta F$ and $W_{ex}$ of `metric.md` M16 with the ODE error
//! estimate; [`learn`] and [`drive`] share the moment rates, the Gauss–Hermite expectations and
//! the jump cost.
//!
//! Integration goes through [`thermocheck_numerics::ode::integrate_piecewise`] (guarded Dopri5),
//! segment by segment between output times and impulses.

use crate::energy::EnergyFamily;
use crate::learning::left_domain;
use crate::learning::{ChainSummary, LearningProblem, LedgerPoint};
use std::cell::RefCell;
use thermocheck_metric::protocol::Protocol;
use thermocheck_numerics::Error;
use thermocheck_numerics::error::{self, Result};
use thermocheck_numerics::ode::{self, OdeOptions, OdeReport};
use thermocheck_numerics::quad::{three_point_gauss_hermite, three_point_gauss_hermite_nodes};

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
    let (k0, mu0) = gaussian_trap(energy, theta0)?;
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

    // Workspace of the right-hand side, allocated once per run rather than on each of its
    // evaluations: the chain and data gradients, ĝ, θ̇ and a gradient buffer.
    let workspace = RefCell::new(vec![0.0; 5 * n]);
    let rhs = |t: f64, y: &[f64], dy: &mut [f64]| {
        let theta = &y[THETA..THETA + n];
        let mut workspace = workspace.borrow_mut();
        let (chain, rest) = workspace.split_at_mut(n);
        let (data, rest) = rest.split_at_mut(n);
        let (g_hat, rest) = rest.split_at_mut(n);
        let (theta_dot, buf) = rest.split_at_mut(n);
        let result = (|| -> Result<()> {
            energy
                .validate(theta)
                .map_err(|e| left_domain(energy, theta, t, e))?;
            let (k, mu) = energy.quadratic_trap(theta).expect("Gaussian family");
            let (m, w) = (y[M], y[W_CHAIN]);
            gradient_estimate(problem, theta, (m, w), chain, data, g_hat, buf)?;
            schedule.gain(t, n)?.apply(g_hat, theta_dot);
            (dy[M], dy[W_CHAIN]) = chain_rates(d, k, mu, m, w);
            dy[THETA..THETA + n].copy_from_slice(theta_dot);
            dy[iw] = dot(theta_dot, chain);
            dy[ig] = dot(g_hat, theta_dot);
            dy[is] = d * ((k - 1.0 / w).powi(2) * w + (k * (m - mu)).powi(2));
            Ok(())
        })();
        if let Err(e) = result {
            fail(e);
            dy.iter_mut().for_each(|v| *v = f64::NAN);
        }
    };

    let mut impulse_works = Vec::new();
    // The jumps' workspace, allocated once: θ⁻, θ⁺, the chain and data gradients, ĝ, the step
    // and a gradient buffer.
    let mut jump_workspace = vec![0.0; 7 * n];
    let jump = |index: usize, t: f64, y: &mut [f64]| {
        let (theta, rest) = jump_workspace.split_at_mut(n);
        let (after, rest) = rest.split_at_mut(n);
        let (chain, rest) = rest.split_at_mut(n);
        let (data, rest) = rest.split_at_mut(n);
        let (g_hat, rest) = rest.split_at_mut(n);
        let (step, buf) = rest.split_at_mut(n);
        for impulse in schedule
            .impulses()
            .iter()
            .filter(|i| i.time == times[index])
        {
            theta.copy_from_slice(&y[THETA..THETA + n]);
            let (m, w) = (y[M], y[W_CHAIN]);
            let result = (|| -> Result<(f64, f64)> {
                gradient_estimate(problem, theta, (m, w), chain, data, g_hat, buf)?;
                impulse.gain.apply(g_hat, step);
                after
                    .iter_mut()
                    .zip(theta.iter().zip(&*step))
                    .for_each(|(a, (th, st))| *a = th + st);
                energy
                    .validate(after)
                    .map_err(|e| left_domain(energy, after, t, e))?;
                let work = jump_work(energy, theta, after, m, w);
                let data_change = problem.data_energy(after)? - problem.data_energy(theta)?;
                Ok((work, data_change))
            })();
            match result {
                Ok((work, data_change)) => {
                    y[THETA..THETA + n].copy_from_slice(after);
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

    let origin = problem.origin()?;
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
        problem.ledger(origin, t, theta, chain, y[iw], y[ig])
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

/// The trap $(k, \mu)$ of a Gaussian family at $\theta$, or the error naming `energy` if the family
/// is not Gaussian.
fn gaussian_trap(energy: &dyn EnergyFamily, theta: &[f64]) -> Result<(f64, f64)> {
    energy
        .quadratic_trap(theta)
        .ok_or_else(|| Error::InvalidParameter {
            parameter: format!("energy ({}: not a Gaussian family)", energy.name()),
            requirement: error::Requirement::Finite,
            value: f64::NAN,
        })
}

/// The result of driving a Gaussian chain through a prescribed protocol ([`drive`]).
///
/// All works in units of $k_BT$. `error_estimate` bounds the ODE error of every integrated
/// quantity (the chain moments, $W$ and $W_{ex}$).
#[derive(Debug, Clone, PartialEq)]
pub struct DrivenRun {
    /// $W$: both jumps plus $\int_0^T P\,dt$.
    pub work: f64,
    /// $\Delta F = F(\theta(T^+)) - F(\theta(0^-))$.
    pub free_energy_change: f64,
    /// $W_{ex}$, integrated directly as the excess power $\dot\theta\cdot(\mathbb E_q\[X\] - \langle X\rangle_\theta)$
    /// plus the jumps' excess (no cancellation between $W$ and $\Delta F$).
    pub excess_work: f64,
    /// The work of the jumps at $t = 0$ and $t = T$ (0 without a jump).
    pub jump_works: [f64; 2],
    /// The chain $(m, w)$ at $T$.
    pub final_chain: (f64, f64),
    /// Solver diagnostics; `error_estimate` is the ODE's global error estimate.
    pub report: OdeReport,
}

impl DrivenRun {
    /// The ODE's global error estimate (0 if the options switched it off).
    pub fn error_estimate(&self) -> f64 {
        self.report.error_estimate.unwrap_or(0.0)
    }
}

/// Drives a Gaussian chain through a prescribed protocol $\theta(t)$ and returns the exact work
/// (M16).
///
/// For a family with a quadratic trap $E_\theta = \tfrac k2(x-\mu)^2 + c(\theta)$
/// ([`EnergyFamily::quadratic_trap`]: `GaussianMeanStiffness`, `GaussianMean`, `Stiffness`) the
/// chain started in equilibrium at $\theta(0^-)$ ($m = \mu$, $w = 1/k$) stays
/// $\mathcal N(m, w)$ with
/// $$\dot m = Dk(\mu - m),\qquad \dot w = 2D(1 - kw),\qquad
///   P = \dot\theta\cdot\mathbb E_q[\partial_\theta E],\qquad W_{ex} = W - \Delta F,$$
/// which for $E = k(x-\mu)^2/2$ is $P = \dot\mu\,k(\mu-m) + \dot k\,\tfrac12[w + (m-\mu)^2]$. The
/// protocol runs on $[0, T]$; `start` $=\theta(0^-)$ and `end` $=\theta(T^+)$, if given, add jumps
/// $\theta(0^-)\to\theta(0)$ and $\theta(T)\to\theta(T^+)$ with $(m, w)$ frozen, costing
/// $\mathbb E_q[E_{\theta^+} - E_{\theta^-}]$. Expectations use the three-point Gauss–Hermite rule
/// (exact: $E$ and $\partial_\theta E$ are quadratic in $x$), shared with [`learn`]; the moment
/// rates and jump costs are the same functions as [`learn`]'s. Time enters through
/// `options.output_intervals` equal segments of [`ode::integrate_piecewise`].
///
/// # Errors
/// - [`Error::InvalidParameter`] naming `energy` if the family has no quadratic trap, or
///   `diffusion` unless finite and $> 0$;
/// - [`Error::DimensionMismatch`] naming `protocol`, `start` or `end` unless each has the family's
///   number of parameters;
/// - the protocol's and the family's validation errors (e.g. a stiffness $\le 0$ along the way,
///   reported as [`Error::NotConverged`] with the time);
/// - [`Error::NotConverged`] from the ODE solver.
///
/// # Examples
/// A linear ramp of the mean by $\Delta = 1$ in $T = 10$ ($\sigma^2 = D = 1$):
/// $W_{ex} = (\Delta/T)^2[T - \tau(1 - e^{-T/\tau})] = 0.0900005$ (D17).
/// ```
/// use thermocheck_dissipation::{energy::GaussianMean, moments};
/// use thermocheck_metric::protocol::LinearProtocol;
/// let ramp = LinearProtocol::new(&[0.0], &[1.0], 10.0)?;
/// let run = moments::drive(&GaussianMean::new(1.0)?, &ramp, 1.0, None, None,
///                          &moments::MomentOptions::default())?;
/// assert!((run.excess_work - 0.01 * (9.0 + (-10.0f64).exp())).abs() < 1e-9);
/// # Ok::<(), thermocheck_numerics::Error>(())
/// ```
pub fn drive(
    energy: &dyn EnergyFamily,
    protocol: &dyn Protocol,
    diffusion: f64,
    start: Option<&[f64]>,
    end: Option<&[f64]>,
    options: &MomentOptions,
) -> Result<DrivenRun> {
    let d = error::positive("diffusion", diffusion)?;
    let n = energy.parameter_names().len();
    error::length("protocol", protocol.dimension(), n)?;
    error::count_at_least("output-intervals", options.output_intervals, 1)?;
    let duration = protocol.duration();
    let first = protocol.position(0.0)?;
    let last = protocol.position(duration)?;
    let initial: Vec<f64> = match start {
        Some(s) => {
            error::length("start", s.len(), n)?;
            s.to_vec()
        }
        None => first.as_slice().to_vec(),
    };
    let terminal: Vec<f64> = match end {
        Some(e) => {
            error::length("end", e.len(), n)?;
            e.to_vec()
        }
        None => last.as_slice().to_vec(),
    };
    for (name, theta) in [
        ("start", initial.as_slice()),
        ("protocol", first.as_slice()),
        ("protocol", last.as_slice()),
        ("end", terminal.as_slice()),
    ] {
        energy
            .validate(theta)
            .map_err(|e| e.with_parameter_prefix(&format!("{name}.")))?;
    }
    let (k0, mu0) = gaussian_trap(energy, &initial)?;
    let free_energy_change = energy.free_energy(&terminal)? - energy.free_energy(&initial)?;

    let first_error: RefCell<Option<Error>> = RefCell::new(None);
    let fail = |e: Error| {
        first_error.borrow_mut().get_or_insert(e);
    };
    // State: [m, w, W, W_ex].
    const WORK: usize = 2;
    const EXCESS: usize = 3;
    let rhs = |t: f64, y: &[f64], dy: &mut [f64]| {
        let result = (|| -> Result<()> {
            let theta = protocol.position(t)?;
            let theta_dot = protocol.velocity(t)?;
            let theta = theta.as_slice();
            energy
                .validate(theta)
                .map_err(|e| driven_out_of_domain(energy, theta, t, e))?;
            let (k, mu) = gaussian_trap(energy, theta)?;
            let (m, w) = (y[M], y[W_CHAIN]);
            let chain = chain_gradient(energy, theta, m, w);
            // ⟨X⟩_θ = ∇_θF: the same rule at the equilibrium moments (μ, 1/k).
            let equilibrium = chain_gradient(energy, theta, mu, 1.0 / k);
            (dy[M], dy[W_CHAIN]) = chain_rates(d, k, mu, m, w);
            dy[WORK] = dot(theta_dot.as_slice(), &chain);
            dy[EXCESS] = theta_dot
                .iter()
                .zip(chain.iter().zip(&equilibrium))
                .map(|(v, (q, e))| v * (q - e))
                .sum();
            Ok(())
        })();
        if let Err(e) = result {
            fail(e);
            dy.iter_mut().for_each(|v| *v = f64::NAN);
        }
    };

    let intervals = options.output_intervals;
    let times: Vec<f64> = (0..=intervals)
        .map(|i| duration * i as f64 / intervals as f64)
        .collect();
    let mut jump_works = [0.0; 2];
    let mut jump_excess = [0.0; 2];
    let mut jump = |index: usize, _t: f64, y: &mut [f64]| {
        let (from, to) = if index == 0 {
            (initial.as_slice(), first.as_slice())
        } else if index == intervals {
            (last.as_slice(), terminal.as_slice())
        } else {
            return;
        };
        let slot = usize::from(index != 0);
        let result = (|| -> Result<(f64, f64)> {
            let work = jump_work(energy, from, to, y[M], y[W_CHAIN]);
            let df = energy.free_energy(to)? - energy.free_energy(from)?;
            Ok((work, work - df))
        })();
        match result {
            Ok((work, excess)) => {
                jump_works[slot] = work;
                jump_excess[slot] = excess;
                y[WORK] += work;
                y[EXCESS] += excess;
            }
            Err(e) => {
                fail(e);
                y.iter_mut().for_each(|v| *v = f64::NAN);
            }
        }
    };
    let solution = ode::integrate_piecewise(
        |_| ode::from_fn(4, &rhs),
        &times,
        &[mu0, 1.0 / k0, 0.0, 0.0],
        &mut jump,
        &options.ode,
    );
    if let Some(e) = first_error.into_inner() {
        return Err(e);
    }
    let solution = solution?;
    let y = &solution.y;
    Ok(DrivenRun {
        work: y[WORK],
        free_energy_change,
        excess_work: y[EXCESS],
        jump_works,
        final_chain: (y[M], y[W_CHAIN]),
        report: solution.report,
    })
}

/// A prescribed protocol that leaves the family's domain (e.g. a stiffness $\le 0$).
fn driven_out_of_domain(energy: &dyn EnergyFamily, theta: &[f64], t: f64, cause: Error) -> Error {
    Error::NotConverged {
        method: "prescribed-protocol moment ODEs".into(),
        detail: format!(
            "θ = {theta:?} left the domain of {} at t = {t}: {cause}",
            energy.name()
        ),
    }
}

/// The chain's moment rates in the trap $(k, \mu)$: $\dot m = -Dk(m-\mu)$, $\dot w = 2D(1-kw)$ (M16).
fn chain_rates(d: f64, k: f64, mu: f64, m: f64, w: f64) -> (f64, f64) {
    (-d * k * (m - mu), 2.0 * d * (1.0 - k * w))
}

/// The work of a jump $\theta^- \to \theta^+$ with the chain $\mathcal N(m, w)$ frozen:
/// $\mathbb E_q[E_{\theta^+} - E_{\theta^-}]$ by the exact three-point rule (M16).
fn jump_work(energy: &dyn EnergyFamily, before: &[f64], after: &[f64], m: f64, w: f64) -> f64 {
    three_point_gauss_hermite(m, w, |x| energy.energy(after, x) - energy.energy(before, x))
}

/// $\mathbb E_{\mathcal N(m,w)}[\nabla_\theta E_\theta]$ by the exact three-point rule.
fn chain_gradient(energy: &dyn EnergyFamily, theta: &[f64], m: f64, w: f64) -> Vec<f64> {
    let n = theta.len();
    let mut g = vec![0.0; n];
    let mut buf = vec![0.0; n];
    chain_gradient_into(energy, theta, m, w, &mut g, &mut buf);
    g
}

/// [`chain_gradient`] written into `out`, with `buf` (both of length $n$) as workspace.
fn chain_gradient_into(
    energy: &dyn EnergyFamily,
    theta: &[f64],
    m: f64,
    w: f64,
    out: &mut [f64],
    buf: &mut [f64],
) {
    out.fill(0.0);
    for (x, weight) in three_point_gauss_hermite_nodes(m, w) {
        energy.grad_theta(theta, x, buf);
        out.iter_mut()
            .zip(&*buf)
            .for_each(|(gi, bi)| *gi += weight * bi);
    }
}

/// The gradient estimate $\hat g = \langle\nabla_\theta E\rangle_{\mathcal N(m, w)} -
/// \langle\nabla_\theta E\rangle_{data}$ at θ for the chain moments `(m, w)`, into `g_hat`,
/// with the two averages in `chain` and `data` and `buf` as workspace (all of length $n$).
fn gradient_estimate(
    problem: &LearningProblem<'_>,
    theta: &[f64],
    (m, w): (f64, f64),
    chain: &mut [f64],
    data: &mut [f64],
    g_hat: &mut [f64],
    buf: &mut [f64],
) -> Result<()> {
    chain_gradient_into(problem.energy(), theta, m, w, chain, buf);
    problem.data_gradient_into(theta, data, buf)?;
    g_hat
        .iter_mut()
        .zip(chain.iter().zip(&*data))
        .for_each(|(g, (q, p))| *g = q - p);
    Ok(())
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
