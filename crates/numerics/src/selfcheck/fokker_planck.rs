//! Self-checks of [`crate::fokker_planck`]: the finite-volume solution against the exact
//! Ornstein–Uhlenbeck transition (`NV8`), and the scheme's convergence orders and exact discrete
//! equilibrium on a non-Gaussian, time-dependent double well (`NV9`).
//!
//! `NV8`'s references are [`ou_mean`]/[`ou_variance`] (fixed trap) and the closed-form mean of a
//! trap dragged at constant speed (hand derivation below); none shares code with the solver.
//! `NV9` has no closed form to compare with, so it is a self-convergence study: differences
//! between successive refinements, whose fitted log-log slope is the order.
//!
//! Sizes (quick profile) keep both claims together at a few milliseconds in release builds.

use crate::claim::{CheckConfig, Claim, Evidence, Source};
use crate::error::Result;
use crate::fokker_planck::{BDF2_MAX_STEP_RATIO, Density, FokkerPlanck, Grid, Scheme};
use crate::sde::{ou_mean, ou_variance};
use crate::stats::log_log_slope;
use crate::tolerance::Tolerance;

pub(super) fn claims() -> Vec<Claim> {
    vec![
        Claim::new(
            "NV8",
            Source::Numerics,
            &[],
            "Fokker–Planck finite volumes reproduce the OU transition: the mean and variance of \
             the Scharfetter–Gummel/BDF2 solution in a fixed and in a dragged harmonic trap match \
             the exact Ornstein–Uhlenbeck moments within twice the Richardson error estimate.",
            nv8,
        ),
        Claim::new(
            "NV9",
            Source::Numerics,
            &[],
            "Fokker–Planck convergence order: on a tilted double well the Scharfetter–Gummel \
             scheme is second order in space, BDF2 second and backward Euler first order in time \
             (fitted orders within 0.3), and the discrete equilibrium is stationary to round-off.",
            nv9,
        ),
    ]
}

/// Factor on the Richardson estimate $|Q_{2n,\Delta t/2} - Q_{n,\Delta t}|/3$ of the fine
/// solution's error. For a second-order method in the asymptotic range the estimate is the
/// error itself (measured: error/estimate = 1.00 to three digits for all four comparisons in
/// every profile); the factor 2 absorbs the $O(h^4, \Delta t^3)$ remainder at the coarse level.
const RICHARDSON_FACTOR: f64 = 2.0;

/// Half-width of the domain $[-L, L]$ of `NV8`: the densities (variance ≤ 1, centres within
/// 2.5 of 0) have mass $< e^{-45}$ beyond it, so the reflecting walls are invisible.
const NV8_HALF_WIDTH: f64 = 12.0;

/// An OU setting: trap $E = k(x - m_0 - vt)^2/2$, start $\mathcal N(\mu_0, \sigma_0^2)$.
#[derive(Debug, Clone, Copy)]
struct OuCase {
    stiffness: f64,
    centre: f64,
    speed: f64,
    diffusion: f64,
    initial_mean: f64,
    initial_variance: f64,
    time: f64,
}

impl OuCase {
    fn point(&self) -> String {
        format!(
            "E=k(x-m0-vt)^2/2, k={}, m0={}, v={}, D={}, x0~N({}, {}), t={}",
            self.stiffness,
            self.centre,
            self.speed,
            self.diffusion,
            self.initial_mean,
            self.initial_variance,
            self.time
        )
    }

    /// The exact mean. With $\lambda = kD$, $\dot\mu = -\lambda(\mu - m_0 - vt)$ has the solution
    /// $\mu(t) = m_0 + vt - v/\lambda + (\mu_0 - m_0 + v/\lambda)e^{-\lambda t}$ (hand
    /// derivation: particular solution linear in $t$ plus the homogeneous decay); for $v = 0$ it
    /// is [`ou_mean`].
    fn exact_mean(&self) -> Result<f64> {
        if self.speed == 0.0 {
            return ou_mean(
                self.stiffness,
                self.centre,
                self.diffusion,
                self.time,
                self.initial_mean,
            );
        }
        let lambda = self.stiffness * self.diffusion;
        let lag = self.speed / lambda;
        Ok(self.centre + self.speed * self.time - lag
            + (self.initial_mean - self.centre + lag) * (-lambda * self.time).exp())
    }

    /// The exact variance: the drift is linear with slope $-kD$ whatever the centre does, so it
    /// is [`ou_variance`] for any $v$.
    fn exact_variance(&self) -> Result<f64> {
        ou_variance(
            self.stiffness,
            self.diffusion,
            self.time,
            self.initial_variance,
        )
    }

    /// The (mean, variance) of the BDF2 solution on `cells` cells with `steps` steps.
    fn solve(&self, cells: usize, steps: usize) -> Result<(f64, f64)> {
        let grid = Grid::new(-NV8_HALF_WIDTH, NV8_HALF_WIDTH, cells)?;
        let (mu0, s0) = (self.initial_mean, self.initial_variance);
        let start = grid.density_from_fn(|x| (-(x - mu0).powi(2) / (2.0 * s0)).exp())?;
        let mut solver = FokkerPlanck::new(start, self.diffusion, Scheme::Bdf2)?;
        let (k, m0, v) = (self.stiffness, self.centre, self.speed);
        let trap = move |t: f64, x: f64| k * (x - m0 - v * t).powi(2) / 2.0;
        solver.integrate_to(&trap, self.time, steps)?;
        let q = solver.density();
        Ok((q.mean(), q.variance()))
    }
}

fn nv8(config: &CheckConfig) -> Result<Vec<Evidence>> {
    let cases = [
        // Relaxation towards N(1, 1/4) from N(−1, 1/4); kDt = 1.
        OuCase {
            stiffness: 2.0,
            centre: 1.0,
            speed: 0.0,
            diffusion: 0.5,
            initial_mean: -1.0,
            initial_variance: 0.25,
            time: 1.0,
        },
        // A trap dragged at speed 1.5 (time-dependent potential, evaluated at each step's end).
        OuCase {
            stiffness: 1.0,
            centre: 0.0,
            speed: 1.5,
            diffusion: 1.0,
            initial_mean: 0.5,
            initial_variance: 0.5,
            time: 1.5,
        },
    ];
    let (cells, steps) = config.profile.pick((240, 60), (960, 240), (3840, 960));
    let mut evidence = Vec::new();
    for case in &cases {
        let coarse = case.solve(cells, steps)?;
        let fine = case.solve(2 * cells, 2 * steps)?;
        let method = |what: &str| {
            format!(
                "SG finite volumes + BDF2, n={}, {} steps: {what} (Richardson vs n={cells}, \
                 {steps} steps)",
                2 * cells,
                2 * steps
            )
        };
        let mean = case.exact_mean()?;
        evidence.push(Evidence::compare(
            case.point(),
            method("mean"),
            mean,
            fine.0,
            Tolerance::error_estimate(RICHARDSON_FACTOR, (fine.0 - coarse.0) / 3.0, mean),
        ));
        let variance = case.exact_variance()?;
        evidence.push(Evidence::compare(
            case.point(),
            method("variance"),
            variance,
            fine.1,
            Tolerance::error_estimate(RICHARDSON_FACTOR, (fine.1 - coarse.1) / 3.0, variance),
        ));
    }
    Ok(evidence)
}

/// The tilted double well of `NV9`: $E(x,t) = (x^2-1)^2 - a\sin(\omega t)\,x$, $a = 1.5$,
/// $\omega = 3$: non-Gaussian, bimodal, with a time dependence that moves mass between the wells.
fn tilted_double_well(t: f64, x: f64) -> f64 {
    (x * x - 1.0).powi(2) - 1.5 * (3.0 * t).sin() * x
}

/// Domain of `NV9`: $E \ge 60$ beyond $|x| = 3$, mass $< e^{-55}$ there.
const NV9_DOMAIN: (f64, f64) = (-3.0, 3.0);
const NV9_DIFFUSION: f64 = 1.0;
const NV9_TIME: f64 = 1.0;

/// The density at `NV9_TIME`, from the discrete equilibrium of $E(\cdot, 0)$.
fn nv9_solve(cells: usize, steps: usize, scheme: Scheme) -> Result<Density> {
    let grid = Grid::new(NV9_DOMAIN.0, NV9_DOMAIN.1, cells)?;
    let start = grid.equilibrium(|x| tilted_double_well(0.0, x))?;
    let mut solver = FokkerPlanck::new(start, NV9_DIFFUSION, scheme)?;
    solver.integrate_to(&tilted_double_well, NV9_TIME, steps)?;
    Ok(solver.into_density())
}

/// $h\sum_i |q_i - \bar r_i|$ between a density `q` on $n$ cells and the density `r` on $2n$
/// cells of the same interval, restricted by averaging pairs of cells,
/// $\bar r_i = (r_{2i} + r_{2i+1})/2$ (exact for cell averages, $O(h^2)$ for point values: either
/// way the difference keeps the scheme's $h^2$ scaling). With `r` on the same grid, the plain
/// $L^1$ distance.
fn l1_distance(q: &Density, r: &Density) -> f64 {
    let (q, r, h) = (q.values(), r.values(), q.grid().width());
    let sum: f64 = if r.len() == q.len() {
        q.iter().zip(r).map(|(a, b)| (a - b).abs()).sum()
    } else {
        q.iter()
            .enumerate()
            .map(|(i, a)| (a - 0.5 * (r[2 * i] + r[2 * i + 1])).abs())
            .sum()
    };
    h * sum
}

/// The two self-convergence measures between successive refinements, $|\langle x\rangle_j -
/// \langle x\rangle_{j+1}|$ and the $L^1$ distance, and their fitted orders against `sizes`
/// ($h$ or $\Delta t$ of each solution).
fn fitted_orders(sizes: &[f64], solutions: &[Density]) -> [(f64, Vec<f64>); 2] {
    let mean: Vec<f64> = solutions
        .windows(2)
        .map(|w| (w[0].mean() - w[1].mean()).abs())
        .collect();
    let l1: Vec<f64> = solutions
        .windows(2)
        .map(|w| l1_distance(&w[0], &w[1]))
        .collect();
    let coarse = &sizes[..sizes.len() - 1];
    [
        (log_log_slope(coarse, &mean), mean),
        (log_log_slope(coarse, &l1), l1),
    ]
}

const OBSERVABLES: [&str; 2] = ["<x>", "the density (L1 distance)"];

/// Stated tolerance on fitted orders. Measured at the quick sizes the successive-difference
/// ratios are 3.92–4.00 (space), 4.04–4.43 (BDF2) and 2.00–2.04 (backward Euler), i.e. the
/// pre-asymptotic $O(h^4)$, $O(\Delta t^3)$ terms move the fits by at most 0.15; 0.3 leaves
/// a margin while still excluding the neighbouring integer orders by 0.7.
const ORDER_TOLERANCE: f64 = 0.3;
const ORDER_REASON: &str = "issue #3: fitted order within 0.3 of the theoretical order \
    (pre-asymptotic terms move these fits by < 0.15, measured)";

fn nv9(config: &CheckConfig) -> Result<Vec<Evidence>> {
    let mut evidence = Vec::new();
    let point = "E=(x^2-1)^2-1.5 sin(3t) x on [-3,3], D=1, t=1, from the equilibrium of E(.,0)";
    let levels = config.profile.pick(4, 5, 6);

    // Space: cells n0·2^j at a fixed step; the (common) time error cancels in the differences.
    let (n0, space_steps) = config.profile.pick((40, 200), (40, 400), (80, 800));
    let mut widths = Vec::new();
    let mut solutions = Vec::new();
    for j in 0..levels {
        let cells = n0 << j;
        widths.push((NV9_DOMAIN.1 - NV9_DOMAIN.0) / cells as f64);
        solutions.push(nv9_solve(cells, space_steps, Scheme::Bdf2)?);
    }
    for (name, (order, differences)) in OBSERVABLES.iter().zip(fitted_orders(&widths, &solutions)) {
        evidence.push(Evidence::compare(
            point,
            format!(
                "space order of {name}: slope of successive differences {:.2e} vs h, \
                 n={n0}..{}, {space_steps} BDF2 steps",
                Differences(&differences),
                n0 << (levels - 1)
            ),
            2.0,
            order,
            Tolerance::stated_absolute(ORDER_TOLERANCE, ORDER_REASON),
        ));
    }

    // Time: steps k0·2^j on a fixed grid; the (common) space error cancels in the differences.
    let (time_cells, k0) = config.profile.pick((200, 10), (400, 10), (800, 20));
    for (scheme, expected, scheme_name) in [
        (Scheme::Bdf2, 2.0, "BDF2"),
        (Scheme::BackwardEuler, 1.0, "backward Euler"),
    ] {
        let mut dts = Vec::new();
        let mut solutions = Vec::new();
        for j in 0..levels {
            let steps = k0 << j;
            dts.push(NV9_TIME / steps as f64);
            solutions.push(nv9_solve(time_cells, steps, scheme)?);
        }
        for (name, (order, differences)) in OBSERVABLES.iter().zip(fitted_orders(&dts, &solutions))
        {
            evidence.push(Evidence::compare(
                point,
                format!(
                    "{scheme_name} time order of {name}: slope of successive differences \
                     {:.2e} vs dt, {k0}..{} steps, n={time_cells}",
                    Differences(&differences),
                    k0 << (levels - 1)
                ),
                expected,
                order,
                Tolerance::stated_absolute(ORDER_TOLERANCE, ORDER_REASON),
            ));
        }
    }

    // Exact equilibrium: the discrete equilibrium of E(., t) for a fixed t is a fixed point of
    // both schemes, whatever the step.
    let cells = config.profile.pick(400, 1600, 6400);
    let energy = |x: f64| tilted_double_well(0.5, x);
    let grid = Grid::new(NV9_DOMAIN.0, NV9_DOMAIN.1, cells)?;
    let p = grid.equilibrium(energy)?;
    let peak = p.values().iter().fold(0.0f64, |m, &v| m.max(v));
    for (scheme, name) in [
        (Scheme::Bdf2, "BDF2"),
        (Scheme::BackwardEuler, "backward Euler"),
    ] {
        let mut solver = FokkerPlanck::new(p.clone(), NV9_DIFFUSION, scheme)?;
        let dts = [1e-4, 1e-4, 2e-4, 1e-2, 2e-2, 1.0, 2.0, 1e3];
        for (i, &dt) in dts.iter().enumerate() {
            if i > 0 && dt > BDF2_MAX_STEP_RATIO * dts[i - 1] {
                solver.restart();
            }
            solver.step(energy, dt)?;
        }
        let deviation = max_deviation(solver.density(), &p);
        evidence.push(Evidence::compare(
            format!("E=(x^2-1)^2-1.5 sin(1.5) x on [-3,3], n={cells}, D=1"),
            format!(
                "{name}: max_i |q_i - p_i| after {} steps (dt 1e-4..1e3) from the discrete \
                 equilibrium p",
                dts.len()
            ),
            0.0,
            deviation,
            // Conditioning: each face's flux cancels to a few ulps of B·p, and the solve adds
            // O(n) such terms per step; c·ε·n·max p with c = 1 per step taken.
            Tolerance::conditioning(dts.len() as f64 * cells as f64, peak),
        ));
    }
    Ok(evidence)
}

fn max_deviation(q: &Density, p: &Density) -> f64 {
    q.values()
        .iter()
        .zip(p.values())
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max)
}

/// Formats a list of differences compactly for the method string.
struct Differences<'a>(&'a [f64]);

impl std::fmt::LowerExp for Differences<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self
            .0
            .iter()
            .map(|d| match f.precision() {
                Some(p) => format!("{d:.p$e}"),
                None => format!("{d:e}"),
            })
            .collect();
        write!(f, "[{}]", parts.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claim::{Profile, assert_claims_pass};

    #[test]
    fn fokker_planck_claims_pass_in_the_quick_profile() {
        assert_claims_pass(&claims(), &CheckConfig::new(Profile::Quick));
    }

    #[test]
    fn ids_are_nv8_and_nv9() {
        let ids: Vec<_> = claims().iter().map(|c| c.id).collect();
        assert_eq!(ids, ["NV8", "NV9"]);
    }
}
