//! Non-autonomous ODEs $y' = f(t, y)$: the one entry point over `ode_solvers`, and piecewise
//! protocols with jumps.
//!
//! Every ODE in thermocheck goes through [`integrate`] or [`integrate_piecewise`]; nothing else
//! touches `ode_solvers`. The wrapper exists because `ode_solvers` 0.6 has two bugs that silently
//! return wrong numbers (DESIGN.md, "Known dependency pitfalls"):
//!
//! - **`Dop853` is wrong for time-dependent right-hand sides** (two Butcher nodes are 0 instead of
//!   1). On $y' = 7t^6$ it reports spurious stiffness or returns garbage. We never use it.
//! - **`Dopri5` with dense output returns a wrong last point** ($y' = 7t^6$ on $[0, 2]$ with output
//!   step 0.5 gives ≈126.2–126.8 instead of 128). In 0.6.2 the cause is the end-point fix-up in
//!   `solution_output`: as soon as the *next* dense output time is within $10^{-9}$ of $t_1$ it
//!   pushes the interpolant *extrapolated* from the current step (which may be far from $t_1$) and
//!   advances past $t_1$, so the correct point is never written. We use `OutputType::Sparse`,
//!   which stores the integrator's own state after every accepted step, and read only the last
//!   one: the state after the final step, whose size the solver sets to $t_1 - t$.
//!
//! Sparse output lands on $t_1$ only up to rounding: the last step adds $h = t_1 - t$ to $t$, and
//! $t + (t_1 - t)$ can differ from $t_1$ by an ulp when $t$ and $t_1$ are far apart relative to
//! their size (e.g. an interval that straddles 0). We return `t = t1` exactly and check that the
//! solver's own final time is within a few ulps of it; the state difference this causes is
//! $|f|\cdot\mathrm{ulp}(t_1)$, far below any tolerance we can ask for.
//!
//! The error estimate does not trust the local step-size controller: see [`OdeOptions`].
//!
//! Checked by the self-checks `NV6` (regressions for both bugs) and `NV7` (piecewise protocols
//! against closed forms).

use crate::error::{self, Error, Result, fmt_number};
use nalgebra::{Const, DefaultAllocator, Dim, Dyn, OVector, U1, allocator::Allocator};
use ode_solvers::{Dopri5, OutputType, System};
use serde::Serialize;

/// A system of first-order ODEs $y' = f(t, y)$, $y \in \mathbb{R}^n$.
///
/// The state and its derivative are plain slices, so implementers need not know `nalgebra`.
/// For a closure, use [`from_fn`].
pub trait OdeSystem {
    /// The dimension $n$ of the state.
    fn dimension(&self) -> usize;

    /// Writes $f(t, y)$ into `dy`. Both slices have length [`dimension`](Self::dimension).
    fn derivative(&self, t: f64, y: &[f64], dy: &mut [f64]);
}

impl<S: OdeSystem + ?Sized> OdeSystem for &S {
    fn dimension(&self) -> usize {
        (**self).dimension()
    }

    fn derivative(&self, t: f64, y: &[f64], dy: &mut [f64]) {
        (**self).derivative(t, y, dy);
    }
}

/// An [`OdeSystem`] made of a dimension and a closure `f(t, y, dy)`; built by [`from_fn`].
#[derive(Clone, Copy)]
pub struct FnSystem<F> {
    dimension: usize,
    f: F,
}

impl<F> std::fmt::Debug for FnSystem<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FnSystem")
            .field("dimension", &self.dimension)
            .finish_non_exhaustive()
    }
}

/// Wraps a closure `f(t, y, dy)` that writes $f(t, y)$ into `dy` as an [`OdeSystem`] of the given
/// dimension.
///
/// # Examples
/// ```
/// use thermocheck_numerics::ode::{from_fn, OdeSystem};
/// let decay = from_fn(1, |_t, y, dy| dy[0] = -y[0]);
/// let mut dy = [0.0];
/// decay.derivative(0.0, &[2.0], &mut dy);
/// assert_eq!(dy[0], -2.0);
/// ```
pub fn from_fn<F>(dimension: usize, f: F) -> FnSystem<F>
where
    F: Fn(f64, &[f64], &mut [f64]),
{
    FnSystem { dimension, f }
}

impl<F> OdeSystem for FnSystem<F>
where
    F: Fn(f64, &[f64], &mut [f64]),
{
    fn dimension(&self) -> usize {
        self.dimension
    }

    fn derivative(&self, t: f64, y: &[f64], dy: &mut [f64]) {
        (self.f)(t, y, dy);
    }
}

/// Smallest accepted relative tolerance.
///
/// With [`OdeOptions::estimate_error`] on, the companion solve runs at `rtol / 10`; below
/// $10^{-14} \approx 45\,\varepsilon$ per step round-off rather than truncation dominates, so the
/// tighter solve would no longer be more accurate and the estimate would mean nothing.
pub const MIN_RTOL: f64 = 1e-13;

/// Accuracy and work limits of an ODE solve, validated on construction.
///
/// Dormand–Prince 5(4) (`Dopri5`) accepts a step when its local error estimate
/// $\mathrm{err}_i$ satisfies
/// $\sqrt{\tfrac1n\sum_i (\mathrm{err}_i / (a + r\max(|y_i|, |y_i^{\text{new}}|)))^2} \le 1$,
/// where $r$ is `rtol`, $a$ is `atol` (in the units of $y$) and $n$ the dimension.
///
/// That controls the *local* error only. When `estimate_error` is on (the default), [`integrate`]
/// therefore solves twice, at $(r, a)$ and at $(r/10, a/10)$ with every step at most half the
/// first solve's largest step, returns the tighter solution, and reports
/// $\max_i |y_i^{(r)} - y_i^{(r/10)}|$ as the *global* error estimate. The global error of
/// Dopri5 shrinks roughly in proportion to the tolerance where the tolerance sets the steps, and by
/// $2^5$ where the steps are halved, so the estimate measures the error of the looser solution,
/// and the returned tighter solution is several times more accurate than reported (the estimate
/// was 9–26 times its true error on $y' = -y + \sin t$ over spans 1 to 50 for $r$ from $10^{-4}$
/// to $10^{-10}$, at 1.6 times the work of the first solve): a conservative bound, valid as long
/// as the flow does not amplify errors so much that the two solves differ by chance. Tolerances
/// built on it therefore use the factor [`ESTIMATE_FACTOR`](crate::tolerance::ESTIMATE_FACTOR)
/// = 1.
///
/// The step cap matters on spans shorter than the steps the tolerance would allow: each solve
/// then takes one to three steps set by the span and the start-up heuristic, the error no longer
/// falls with the tolerance (on $[0.1, 0.3]$: $1.2\times10^{-9}$, $4.9\times10^{-9}$,
/// $9.9\times10^{-9}$ at $r = 10^{-3}, 10^{-4}, 10^{-5}$), and a tol/10 companion alone
/// underestimated the error in 263 of 2400 sampled spans from $10^{-3}$ to 10. With the cap, 2 of
/// those 2400 remain, by factors 2.6 and 2.2, where the looser solve's error cancelled by
/// accident — at errors a thousand times below the requested tolerance.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct OdeOptions {
    rtol: f64,
    atol: f64,
    max_steps: usize,
    estimate_error: bool,
}

impl Default for OdeOptions {
    /// `rtol = 1e-10`, `atol = 1e-12`, `max_steps = 100_000`, `estimate_error = true`.
    fn default() -> Self {
        OdeOptions {
            rtol: 1e-10,
            atol: 1e-12,
            max_steps: 100_000,
            estimate_error: true,
        }
    }
}

impl OdeOptions {
    /// Options with the given relative and absolute tolerances, the default step limit
    /// (100 000) and the error estimate on.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming `rtol` unless $r$ is finite, $> 0$ and in
    /// [[`MIN_RTOL`], 1]; naming `atol` unless $a$ is finite and $> 0$.
    pub fn new(rtol: f64, atol: f64) -> Result<Self> {
        error::positive("rtol", rtol)?;
        error::in_range("rtol", rtol, MIN_RTOL, 1.0)?;
        error::positive("atol", atol)?;
        Ok(OdeOptions {
            rtol,
            atol,
            ..Self::default()
        })
    }

    /// The same options with at most `max_steps` attempted steps per solve.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming `max-steps` if it is 0.
    pub fn with_max_steps(self, max_steps: usize) -> Result<Self> {
        error::count_at_least("max-steps", max_steps, 1)?;
        Ok(OdeOptions { max_steps, ..self })
    }

    /// The same options with the tol-vs-tol/10 error estimate switched on or off. Off halves the
    /// work and leaves [`OdeReport::error_estimate`] at `None`.
    pub fn with_error_estimate(self, estimate_error: bool) -> Self {
        OdeOptions {
            estimate_error,
            ..self
        }
    }

    /// Relative tolerance $r$.
    pub fn rtol(&self) -> f64 {
        self.rtol
    }

    /// Absolute tolerance $a$, in the units of the state.
    pub fn atol(&self) -> f64 {
        self.atol
    }

    /// Maximum number of attempted steps per solve.
    pub fn max_steps(&self) -> usize {
        self.max_steps
    }

    /// Whether [`integrate`] solves a second time at tol/10 to estimate the global error.
    pub fn estimate_error(&self) -> bool {
        self.estimate_error
    }
}

/// Diagnostics of an ODE solve: work done and the global error estimate.
///
/// Counts are totals over every solve performed (both solves when the error is estimated, every
/// segment of a piecewise protocol), i.e. they measure the cost.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct OdeReport {
    /// Accepted steps.
    pub accepted_steps: usize,
    /// Rejected steps (not counting rejections before the first accepted step, as `ode_solvers`
    /// counts them).
    pub rejected_steps: usize,
    /// Evaluations of $f$.
    pub evaluations: usize,
    /// $\max_i |y_i^{(r)} - y_i^{(r/10)}|$ at the final time (in the units of $y$), or, for a
    /// piecewise protocol, the sum of the segments' estimates; `None` when
    /// [`OdeOptions::estimate_error`] is off.
    pub error_estimate: Option<f64>,
}

impl OdeReport {
    /// Adds `other`'s counts and error estimate to this report.
    fn absorb(&mut self, other: &OdeReport) {
        self.accepted_steps += other.accepted_steps;
        self.rejected_steps += other.rejected_steps;
        self.evaluations += other.evaluations;
        self.error_estimate = match (self.error_estimate, other.error_estimate) {
            (Some(a), Some(b)) => Some(a + b),
            _ => None,
        };
    }
}

/// The state at the end of an ODE solve.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OdeSolution {
    /// The final time; exactly the requested `t1`.
    pub t: f64,
    /// The integrator's own state at `t` (never an interpolant).
    pub y: Vec<f64>,
    /// Work done and the error estimate.
    pub report: OdeReport,
}

/// Adapts an [`OdeSystem`] to `ode_solvers`' `System` on vectors of dimension `D`: a
/// compile-time size for small systems (stack storage, so the solver's vector arithmetic does
/// not allocate on every stage), [`Dyn`] otherwise.
struct Adapter<'a, S: ?Sized>(&'a S);

impl<S: OdeSystem + ?Sized, D: Dim> System<f64, OVector<f64, D>> for Adapter<'_, S>
where
    DefaultAllocator: Allocator<D>,
{
    fn system(&self, t: f64, y: &OVector<f64, D>, dy: &mut OVector<f64, D>) {
        self.0.derivative(t, y.as_slice(), dy.as_mut_slice());
    }
}

/// Largest dimension solved on stack-allocated (compile-time sized) vectors; larger systems use
/// heap vectors. Same algorithm and arithmetic either way.
const MAX_STATIC_DIMENSION: usize = 8;

const METHOD: &str = "Dormand-Prince 5(4) ODE solver";

/// The outcome of one solve.
struct Solved {
    /// The integrator's own state at `t1`.
    y: Vec<f64>,
    report: OdeReport,
    /// The largest accepted step.
    largest_step: f64,
}

/// One Dopri5 solve with sparse output; the last stored point is the integrator's own state.
/// `(rtol, atol)` are the tolerances, `h_max` the largest step allowed.
fn solve_once<S: OdeSystem + ?Sized>(
    system: &S,
    span: (f64, f64),
    y0: &[f64],
    tolerances: (f64, f64),
    h_max: f64,
    max_steps: usize,
) -> Result<Solved> {
    macro_rules! sized {
        ($($n:literal)*) => {
            match y0.len() {
                $($n => solve_sized(system, Const::<$n>, span, y0, tolerances, h_max, max_steps),)*
                n => solve_sized(system, Dyn(n), span, y0, tolerances, h_max, max_steps),
            }
        };
    }
    const _: () = assert!(MAX_STATIC_DIMENSION == 8);
    sized!(1 2 3 4 5 6 7 8)
}

/// [`solve_once`] on vectors of dimension `dim` (`y0.len()`, as a compile-time or run-time size).
fn solve_sized<S: OdeSystem + ?Sized, D: Dim>(
    system: &S,
    dim: D,
    (t0, t1): (f64, f64),
    y0: &[f64],
    (rtol, atol): (f64, f64),
    h_max: f64,
    max_steps: usize,
) -> Result<Solved>
where
    DefaultAllocator: Allocator<D>,
    OVector<f64, D>: std::ops::Mul<f64, Output = OVector<f64, D>>,
{
    let span = t1 - t0;
    // Parameters as in `Dopri5::new` (safety 0.9, beta 0.04, fac_min 0.2, fac_max 10, automatic
    // initial step, stiffness test every 1000 steps) with the given h_max, but Sparse output:
    // Dense output returns a wrong last point (module docs).
    let mut stepper = Dopri5::from_param(
        Adapter(system),
        t0,
        t1,
        span,
        OVector::<f64, D>::from_column_slice_generic(dim, U1, y0),
        rtol,
        atol,
        0.9,
        0.04,
        0.2,
        10.0,
        h_max,
        0.0,
        u32::try_from(max_steps).unwrap_or(u32::MAX),
        1000,
        OutputType::Sparse,
    );
    let not_converged = |detail: String| Error::NotConverged {
        method: METHOD.to_owned(),
        detail: format!(
            "{detail} (integrating over [{}, {}] with rtol {}, atol {}, max-steps {max_steps})",
            fmt_number(t0),
            fmt_number(t1),
            fmt_number(rtol),
            fmt_number(atol)
        ),
    };
    let stats = stepper
        .integrate()
        .map_err(|e| not_converged(e.to_string()))?;
    let (Some(&t_end), Some(y_end)) = (stepper.x_out().last(), stepper.y_out().last()) else {
        return Err(not_converged("the solver stored no state".to_owned()));
    };
    // The last step is h = t1 - t, so t + h equals t1 up to the rounding of that sum.
    let slack = 4.0 * f64::EPSILON * t0.abs().max(t1.abs());
    if (t_end - t1).abs() > slack {
        return Err(not_converged(format!(
            "the solver stopped at t = {}",
            fmt_number(t_end)
        )));
    }
    if let Some(i) = y_end.iter().position(|v| !v.is_finite()) {
        return Err(not_converged(format!(
            "component {i} of the final state is {} (blow-up)",
            fmt_number(y_end[i])
        )));
    }
    let report = OdeReport {
        accepted_steps: stats.accepted_steps as usize,
        rejected_steps: stats.rejected_steps as usize,
        evaluations: stats.num_eval as usize,
        error_estimate: None,
    };
    // Sparse output stores the start and the state after every accepted step.
    let largest_step = stepper
        .x_out()
        .windows(2)
        .map(|w| (w[1] - w[0]).abs())
        .fold(0.0, f64::max);
    Ok(Solved {
        y: y_end.as_slice().to_vec(),
        report,
        largest_step,
    })
}

/// Solves $y' = f(t, y)$, $y(t_0) = y_0$ and returns $y(t_1)$.
///
/// $$y(t_1) = y_0 + \int_{t_0}^{t_1} f(t, y(t))\,dt,$$
/// where $f$ is `system`'s [`derivative`](OdeSystem::derivative), $t$ the independent variable
/// (any unit) and $y \in \mathbb{R}^n$ the state. Integrated by Dormand–Prince 5(4) with
/// adaptive steps; $f$ is evaluated only at $t \in [t_0, t_1]$. The returned state is the
/// integrator's own state after its last step, which ends at $t_1$ (module docs: never an
/// interpolant, so immune to the `ode_solvers` dense-output bug).
///
/// With [`OdeOptions::estimate_error`] on, solves at `rtol, atol` and at `rtol/10, atol/10` (with
/// steps at most half the first solve's largest), returns the second and reports
/// $\max_i|y_i^{(r)} - y_i^{(r/10)}|$ in [`OdeReport::error_estimate`].
///
/// Self-check: `NV6` ($y' = 7t^6$ to $10^{-10}$ relative, the regression for both
/// `ode_solvers` bugs) and, through [`integrate_piecewise`], `NV7`.
///
/// # Errors
/// - [`Error::InvalidParameter`] if `t0` or `t1` is not finite, the dimension is 0, or an entry
///   of `y0` is not finite;
/// - [`Error::EmptyRange`] (parameter `time-span`) unless $t_0 < t_1$;
/// - [`Error::DimensionMismatch`] if `y0.len()` differs from `system.dimension()`;
/// - [`Error::NotConverged`] if the solver stops early (step limit, step-size underflow,
///   stiffness detected) or the final state is not finite.
///
/// # Examples
/// $y' = -y$, $y(0) = 1$ gives $y(1) = e^{-1}$:
/// ```
/// use thermocheck_numerics::ode::{from_fn, integrate, OdeOptions};
/// let decay = from_fn(1, |_t, y, dy| dy[0] = -y[0]);
/// let sol = integrate(&decay, 0.0, 1.0, &[1.0], &OdeOptions::default())?;
/// assert_eq!(sol.t, 1.0);
/// assert!((sol.y[0] - (-1.0f64).exp()).abs() < 1e-12);
/// assert!(sol.report.error_estimate.unwrap() < 1e-10);
/// # Ok::<(), thermocheck_numerics::Error>(())
/// ```
pub fn integrate<S: OdeSystem + ?Sized>(
    system: &S,
    t0: f64,
    t1: f64,
    y0: &[f64],
    options: &OdeOptions,
) -> Result<OdeSolution> {
    error::finite("t0", t0)?;
    error::finite("t1", t1)?;
    error::interval("time-span", t0, t1)?;
    error::count_at_least("dimension", system.dimension(), 1)?;
    error::length("y0", y0.len(), system.dimension())?;
    all_finite("y0", y0)?;

    let OdeOptions {
        rtol,
        atol,
        max_steps,
        estimate_error,
    } = *options;
    let coarse = solve_once(system, (t0, t1), y0, (rtol, atol), t1 - t0, max_steps)?;
    let mut report = coarse.report;
    if !estimate_error {
        return Ok(OdeSolution {
            t: t1,
            y: coarse.y,
            report,
        });
    }
    // The companion: tenfold tighter, and a refinement of the coarse mesh at least twofold
    // (OdeOptions docs: where the span rather than the tolerance sets the steps, tol/10 alone
    // does not make it more accurate).
    let fine = solve_once(
        system,
        (t0, t1),
        y0,
        (rtol / 10.0, atol / 10.0),
        coarse.largest_step / 2.0,
        max_steps,
    )?;
    report.absorb(&fine.report);
    report.error_estimate = Some(
        coarse
            .y
            .iter()
            .zip(&fine.y)
            .map(|(c, f)| (c - f).abs())
            .fold(0.0, f64::max),
    );
    Ok(OdeSolution {
        t: t1,
        y: fine.y,
        report,
    })
}

/// [`error::all_finite`], which names each entry as it goes, called only when an entry is not
/// finite: the same error, without building a name per entry on every solve.
fn all_finite(parameter: &str, values: &[f64]) -> Result<()> {
    if values.iter().all(|v| v.is_finite()) {
        Ok(())
    } else {
        error::all_finite(parameter, values)
    }
}

/// The states of a piecewise protocol at its breakpoints.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PiecewiseSolution {
    /// The final time: the last breakpoint, exactly.
    pub t: f64,
    /// The final state, after the jump at the last breakpoint.
    pub y: Vec<f64>,
    /// `before_jump[k]` is $y(t_k^-)$, the state just before the jump at breakpoint $k$
    /// (`before_jump[0]` is $y_0$).
    pub before_jump: Vec<Vec<f64>>,
    /// `after_jump[k]` is $y(t_k^+)$, the state just after the jump at breakpoint $k$
    /// (`after_jump[last]` equals `y`).
    pub after_jump: Vec<Vec<f64>>,
    /// Work summed over the segments; the error estimate is the sum of the segments' estimates.
    pub report: OdeReport,
}

/// Integrates a protocol made of smooth segments separated by jumps of the state.
///
/// With breakpoints $t_0 < t_1 < \dots < t_{m}$ and $y(t_0^-) = y_0$:
/// $$y(t_k^+) = J_k\big(y(t_k^-)\big) \quad (k = 0, \dots, m), \qquad
/// y' = f_k(t, y) \ \text{on}\ (t_k, t_{k+1}) \quad (k = 0, \dots, m-1),$$
/// where $J_k$ is `jump(k, t_k, y)` (which edits `y` in place; a no-op for no jump) and $f_k$ is
/// the derivative of `segment_system(k)`. The jump is applied at **every** breakpoint, the first
/// and the last included: minimal-dissipation protocols have impulses at both ends.
///
/// Segment $k$ is solved by [`integrate`] on $[t_k, t_{k+1}]$ with `segment_system(k)`, which
/// evaluates $f_k$ at both closed ends. Passing the segment index is what makes a right-hand side
/// that changes at a breakpoint (a piecewise-constant or piecewise-linear protocol) correct: at
/// $t = t_{k+1}$ segment $k$ still uses $f_k$, which a function of $t$ alone could not tell from
/// $f_{k+1}$. For one smooth system, pass `|_| &system`.
///
/// `jump` is called exactly once per breakpoint, in order. The error estimate (when on) is the
/// sum of the per-segment estimates, each for a segment started from the same state; errors
/// carried in from earlier segments are transported by the flow and the jumps, so the sum is a
/// faithful estimate when these do not amplify differences in the norm the result is compared
/// in (contractive dynamics, jumps with Lipschitz constant ≤ 1), and an underestimate by the
/// amplification factor otherwise. Conservative dynamics preserve only their invariant's norm:
/// an oscillator conserving $\omega^2x^2 + v^2$ can still amplify a componentwise error (by up
/// to $\sqrt{1+\omega^2} \approx 2.24$ for the $\omega = 2$ oscillator of NV7,
/// `proofs/numerics/ode-references.md`).
///
/// Self-check: `NV7` (piecewise protocols with jumps against closed forms composed by hand).
///
/// # Errors
/// - [`Error::InvalidParameter`] if there are fewer than 2 breakpoints (parameter
///   `number-of-breakpoints`), a breakpoint or an entry of `y0` is not finite, or a jump leaves a
///   non-finite entry (parameter `state-after-jump-k`);
/// - [`Error::NotIncreasing`] unless the breakpoints strictly increase;
/// - [`Error::DimensionMismatch`] if `y0.len()` differs from `segment_system(0).dimension()`
///   (`y0`) or a later segment's dimension differs (`segment-k.y0`);
/// - [`Error::NotConverged`] if a segment's solve fails, as in [`integrate`].
///
/// # Examples
/// $y' = -y$ on $[0, 1]$ and $[1, 2]$, from $y_0 = 0$, with $y \mathrel{+}= 1$ at each of
/// $t = 0, 1, 2$: $y(2^+) = (e^{-1} + 1)e^{-1} + 1$.
/// ```
/// use thermocheck_numerics::ode::{from_fn, integrate_piecewise, OdeOptions};
/// let decay = from_fn(1, |_t, y, dy| dy[0] = -y[0]);
/// let sol = integrate_piecewise(
///     |_| &decay,
///     &[0.0, 1.0, 2.0],
///     &[0.0],
///     |_k, _t, y| y[0] += 1.0,
///     &OdeOptions::default(),
/// )?;
/// let e = (-1.0f64).exp();
/// assert!((sol.y[0] - ((e + 1.0) * e + 1.0)).abs() < 1e-12);
/// assert!((sol.before_jump[1][0] - e).abs() < 1e-12);
/// # Ok::<(), thermocheck_numerics::Error>(())
/// ```
pub fn integrate_piecewise<S, F, J>(
    mut segment_system: F,
    breakpoints: &[f64],
    y0: &[f64],
    mut jump: J,
    options: &OdeOptions,
) -> Result<PiecewiseSolution>
where
    S: OdeSystem,
    F: FnMut(usize) -> S,
    J: FnMut(usize, f64, &mut [f64]),
{
    let n = breakpoints.len();
    error::count_at_least("number-of-breakpoints", n, 2)?;
    // The check names each entry as it goes: call it only when it will fail.
    let increasing =
        breakpoints.iter().all(|t| t.is_finite()) && breakpoints.windows(2).all(|w| w[0] < w[1]);
    if !increasing {
        error::strictly_increasing("breakpoints", breakpoints)?;
    }
    let mut first = Some(segment_system(0));
    let dimension = first.as_ref().map_or(0, OdeSystem::dimension);
    error::count_at_least("dimension", dimension, 1)?;
    error::length("y0", y0.len(), dimension)?;
    all_finite("y0", y0)?;

    let mut y = y0.to_vec();
    let mut before_jump = Vec::with_capacity(n);
    let mut after_jump = Vec::with_capacity(n);
    let mut report = OdeReport {
        error_estimate: options.estimate_error.then_some(0.0),
        ..OdeReport::default()
    };
    for (k, &t) in breakpoints.iter().enumerate() {
        before_jump.push(y.clone());
        jump(k, t, &mut y);
        if !y.iter().all(|v| v.is_finite()) {
            error::all_finite(&format!("state-after-jump-{k}"), &y)?;
        }
        after_jump.push(y.clone());
        if let Some(&t_next) = breakpoints.get(k + 1) {
            let segment = match first.take() {
                Some(system) => integrate(&system, t, t_next, &y, options),
                None => integrate(&segment_system(k), t, t_next, &y, options),
            }
            .map_err(|e| e.with_parameter_prefix(&format!("segment-{k}.")))?;
            report.absorb(&segment.report);
            y = segment.y;
        }
    }
    Ok(PiecewiseSolution {
        t: breakpoints[n - 1],
        y,
        before_jump,
        after_jump,
        report,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Tolerance;
    use ode_solvers::{Dop853, Vector1};

    /// The same right-hand side in `ode_solvers`' own trait, to run the raw solvers.
    struct RawSevenTSix;
    impl System<f64, Vector1<f64>> for RawSevenTSix {
        fn system(&self, t: f64, _y: &Vector1<f64>, dy: &mut Vector1<f64>) {
            dy[0] = 7.0 * t.powi(6);
        }
    }

    /// $y' = -y$: a smooth system for the input-validation and failure tests (any system would
    /// do; the accuracy tests against closed forms live with the references in the self-checks,
    /// `selfcheck/ode.rs`).
    fn decay() -> FnSystem<impl Fn(f64, &[f64], &mut [f64])> {
        from_fn(1, |_t: f64, y: &[f64], dy: &mut [f64]| dy[0] = -y[0])
    }

    /// Proves that the regression input discriminates: raw `Dopri5` with dense output (step
    /// 0.5) gets the last point wrong by far more than the 1e-10 relative tolerance of the
    /// regression check `NV6` (`selfcheck/ode.rs`, run by `cargo test`), which would therefore
    /// catch any unguarded use. If this ever fails, `ode_solvers` fixed the bug.
    #[test]
    fn raw_dopri5_dense_output_last_point_is_wrong() {
        let mut stepper = Dopri5::new(RawSevenTSix, 0.0, 2.0, 0.5, Vector1::new(0.0), 1e-10, 1e-12);
        stepper.integrate().unwrap();
        let (&t_last, y_last) = (
            stepper.x_out().last().unwrap(),
            stepper.y_out().last().unwrap(),
        );
        assert_eq!(t_last, 2.0);
        assert!(
            (y_last[0] - 128.0).abs() > 1e-3,
            "ode_solvers' dense output now gives {} at t = 2: the bug seems fixed",
            y_last[0]
        );
    }

    /// Same for `Dop853` on a time-dependent right-hand side: it either gives up (spurious
    /// stiffness) or returns a wrong value. If this ever fails, `ode_solvers` fixed the bug.
    #[test]
    fn raw_dop853_is_wrong_for_time_dependent_rhs() {
        let mut stepper = Dop853::new(RawSevenTSix, 0.0, 2.0, 0.5, Vector1::new(0.0), 1e-10, 1e-12);
        let outcome = stepper.integrate();
        let last = stepper.y_out().last().map(|y| y[0]);
        let wrong = outcome.is_err() || last.is_none_or(|y| (y - 128.0).abs() > 1e-3);
        assert!(
            wrong,
            "ode_solvers' Dop853 now gives {last:?}: the bug seems fixed"
        );
    }

    #[test]
    fn bad_inputs_give_typed_errors() {
        let o = OdeOptions::default();
        let sys = decay();
        let e = integrate(&sys, f64::NAN, 1.0, &[0.0], &o).unwrap_err();
        assert!(
            matches!(&e, Error::InvalidParameter { parameter, .. } if parameter == "t0"),
            "{e}"
        );
        let e = integrate(&sys, 0.0, f64::INFINITY, &[0.0], &o).unwrap_err();
        assert!(
            matches!(&e, Error::InvalidParameter { parameter, .. } if parameter == "t1"),
            "{e}"
        );
        for t1 in [0.0, -1.0] {
            let e = integrate(&sys, 0.0, t1, &[0.0], &o).unwrap_err();
            assert!(matches!(e, Error::EmptyRange { .. }), "{e}");
        }
        let e = integrate(&sys, 0.0, 1.0, &[0.0, 1.0], &o).unwrap_err();
        assert!(
            matches!(
                e,
                Error::DimensionMismatch {
                    expected: 1,
                    actual: 2,
                    ..
                }
            ),
            "{e}"
        );
        let e = integrate(&sys, 0.0, 1.0, &[f64::NAN], &o).unwrap_err();
        assert!(
            matches!(&e, Error::InvalidParameter { parameter, .. } if parameter == "y0[0]"),
            "{e}"
        );
        let empty = from_fn(0, |_, _, _| {});
        assert!(
            integrate(&empty, 0.0, 1.0, &[], &o)
                .unwrap_err()
                .is_input_error()
        );

        for rtol in [0.0, -1e-8, f64::NAN, f64::INFINITY, 1e-16, 2.0] {
            let e = OdeOptions::new(rtol, 1e-12).unwrap_err();
            assert!(
                matches!(&e, Error::InvalidParameter { parameter, .. } if parameter == "rtol"),
                "{e}"
            );
        }
        for atol in [0.0, -1.0, f64::NAN] {
            let e = OdeOptions::new(1e-8, atol).unwrap_err();
            assert!(
                matches!(&e, Error::InvalidParameter { parameter, .. } if parameter == "atol"),
                "{e}"
            );
        }
        assert!(o.with_max_steps(0).is_err());
        assert_eq!(OdeOptions::new(MIN_RTOL, 1e-300).unwrap().rtol(), MIN_RTOL);
    }

    #[test]
    fn failures_are_not_converged_errors() {
        // y' = y², y(0) = 1 blows up at t = 1.
        let blow_up = from_fn(1, |_t, y, dy| dy[0] = y[0] * y[0]);
        let e = integrate(&blow_up, 0.0, 2.0, &[1.0], &OdeOptions::default()).unwrap_err();
        assert!(matches!(e, Error::NotConverged { .. }), "{e}");
        assert!(!e.is_input_error());
        // Too few steps for the accuracy asked.
        let few = OdeOptions::default().with_max_steps(5).unwrap();
        let e = integrate(&decay(), 0.0, 50.0, &[1.0], &few).unwrap_err();
        assert!(matches!(e, Error::NotConverged { .. }), "{e}");
        assert!(e.to_string().contains("max-steps 5"), "{e}");
    }

    #[test]
    fn piecewise_applies_every_jump_once_and_passes_the_segment() {
        // y' = c_k on segment k (a right-hand side that changes at the breakpoints), with
        // y *= 2 at every breakpoint: exact by hand, and Dopri5 is exact on constants.
        let rates = [1.0, -3.0, 0.5];
        let breakpoints = [0.0, 1.0, 1.5, 4.0];
        let mut calls = Vec::new();
        let sol = integrate_piecewise(
            |k| from_fn(1, move |_, _, dy| dy[0] = rates[k]),
            &breakpoints,
            &[1.0],
            |k, t, y| {
                calls.push((k, t));
                y[0] *= 2.0;
            },
            &OdeOptions::default(),
        )
        .unwrap();
        assert_eq!(calls, vec![(0, 0.0), (1, 1.0), (2, 1.5), (3, 4.0)]);
        let mut y = 1.0;
        for k in 0..breakpoints.len() {
            let tol = Tolerance::conditioning(64.0, y);
            tol.assert_accepts(&format!("before jump {k}"), y, sol.before_jump[k][0]);
            y *= 2.0;
            tol.assert_accepts(&format!("after jump {k}"), y, sol.after_jump[k][0]);
            if k < rates.len() {
                y += rates[k] * (breakpoints[k + 1] - breakpoints[k]);
            }
        }
        assert_eq!(&sol.y, sol.after_jump.last().unwrap());
        assert_eq!(sol.report.error_estimate.map(|e| e < 1e-12), Some(true));
    }

    #[test]
    fn piecewise_bad_inputs_give_typed_errors() {
        let system = decay();
        let o = OdeOptions::default();
        let run = |breakpoints: &[f64], y0: &[f64]| {
            integrate_piecewise(|_| &system, breakpoints, y0, |_, _, _| {}, &o).unwrap_err()
        };
        assert!(matches!(
            run(&[0.0], &[0.0]),
            Error::InvalidParameter { .. }
        ));
        assert!(matches!(
            run(&[0.0, 1.0, 1.0], &[0.0]),
            Error::NotIncreasing { .. }
        ));
        assert!(matches!(
            run(&[0.0, f64::NAN], &[0.0]),
            Error::InvalidParameter { .. }
        ));
        assert!(matches!(
            run(&[0.0, 1.0], &[0.0, 0.0]),
            Error::DimensionMismatch { .. }
        ));
        let e = integrate_piecewise(
            |_| &system,
            &[0.0, 1.0, 2.0],
            &[0.0],
            |k, _, y| {
                if k == 1 {
                    y[0] = f64::NAN;
                }
            },
            &o,
        )
        .unwrap_err();
        assert_eq!(e.parameter(), Some("state-after-jump-1[0]"));
        // A later segment with the wrong dimension names the segment.
        let e = integrate_piecewise(
            |k| from_fn(k + 1, |_, _, dy| dy.fill(0.0)),
            &[0.0, 1.0, 2.0],
            &[0.0],
            |_, _, _| {},
            &o,
        )
        .unwrap_err();
        assert_eq!(e.parameter(), Some("segment-1.y0"));
    }
}
