//! A deterministic solver for the one-dimensional Fokker–Planck (Smoluchowski) equation of
//! overdamped Langevin dynamics, by conservative finite volumes with Scharfetter–Gummel fluxes
//! and implicit time stepping.
//!
//! The density $q(x, t)$ of $dx = -D\,\partial_x E(x,t)\,dt + \sqrt{2D}\,dW$ (additive noise, so
//! Itô and Stratonovich coincide) obeys
//!
//! $$\partial_t q = \partial_x\big(D\,(\partial_x q + q\,\partial_x E)\big)
//!   = D\,\partial_x\big(e^{-E}\,\partial_x(q\,e^{E})\big),$$
//!
//! where $x$ is the position, $E(x,t)$ the energy in units of $k_BT = 1$ (supplied by the caller,
//! and free to change between steps), and $D > 0$ the diffusion coefficient (squared position per
//! unit time). It is solved on a finite interval $[a, b]$ with zero-flux (reflecting) walls.
//!
//! # Space: Scharfetter–Gummel finite volumes
//!
//! The [`Grid`] has $n$ cells of width $h = (b-a)/n$ and centres $x_i = a + (i+\tfrac12)h$,
//! $i = 0, \dots, n-1$. A [`Density`] stores one value $q_i$ per cell, normalised so that
//! $h\sum_i q_i = 1$. With $E_i = E(x_i)$, the flux through the face between cells $i$ and $i+1$
//! is
//!
//! $$J_{i+\frac12} = \frac{D}{h}\Big[B(\Delta E_{i+\frac12})\,q_i - B(-\Delta E_{i+\frac12})\,q_{i+1}\Big],
//!   \qquad \Delta E_{i+\frac12} = E_{i+1} - E_i,\qquad B(z) = \frac{z}{e^z - 1},$$
//!
//! and the cells evolve by
//!
//! $$\frac{dq_i}{dt} = -\frac{J_{i+\frac12} - J_{i-\frac12}}{h},\qquad
//!   J_{\frac12} = J_{n-\frac12} = 0 \text{ (the walls)}.$$
//!
//! $J_{i+\frac12}$ is the *exact* constant flux of $J = -D(q' + qE')$ between $x_i$ and
//! $x_{i+1}$ when $E$ is linear there (integrate $(q e^E)' = -J e^E/D$ across the face); the
//! Bernoulli function $B$ ([`bernoulli`]) is evaluated with `expm1` and by its series near 0.
//! Consequences, all exact in exact arithmetic (and to a few ulps in floating point):
//!
//! - **conservation**: the fluxes telescope, so $h\sum_i q_i$ never changes;
//! - **exact discrete equilibrium**: $J_{i+\frac12} = 0$ at every face iff
//!   $q_{i+1}/q_i = B(\Delta E)/B(-\Delta E) = e^{-\Delta E}$, i.e.
//!   $q_i = e^{-E_i}/Z_h$ with $Z_h = h\sum_j e^{-E_j}$ ([`Grid::equilibrium`]);
//! - **positivity**: the off-diagonal entries $\frac{D}{h^2}B(\pm\Delta E) \ge 0$ and every column
//!   of the operator sums to 0, so $I - c\,\Delta t\,A$ is an M-matrix (positive inverse) for every
//!   step size: backward Euler maps non-negative densities to non-negative densities, for any
//!   $\Delta t$, however steep the potential (the upwind limit $B(z) \to 0$, $B(-z) \to z$ is
//!   automatic); BDF2 does too with its limiter (below).
//!
//! For smooth $E$ and $q$ the scheme is second order in $h$: reading $q_i$ as the value at the
//! centre (or as the cell average; they differ by $O(h^2)$), the error is $O(h^2)$ (self-check
//! `NV9` fits the order).
//!
//! # Time: implicit, the potential at the new time
//!
//! The problem is stiff (eigenvalues up to $\sim 4D/h^2$), so both [`Scheme`]s are implicit and
//! evaluate the operator $A(t_{k+1})$ of the energy *at the end of the step*:
//!
//! - [`Scheme::BackwardEuler`]: $(I - \Delta t\,A)\,q^{k+1} = q^k$ — first order, L-stable,
//!   positivity-preserving for every $\Delta t$;
//! - [`Scheme::Bdf2`]: variable-step BDF2,
//!   $(I - \beta\Delta t_k A)\,q^{k+1} = \alpha_1 q^k - \alpha_2 q^{k-1}$ with
//!   $\omega = \Delta t_k/\Delta t_{k-1}$, $\beta = \frac{1+\omega}{1+2\omega}$,
//!   $\alpha_1 = \frac{(1+\omega)^2}{1+2\omega}$, $\alpha_2 = \frac{\omega^2}{1+2\omega}$ —
//!   second order, L-stable; the first step (and the first after [`FokkerPlanck::restart`]) is a
//!   backward-Euler step, whose $O(\Delta t^2)$ local error keeps the global order 2.
//!
//! No linear method of order above 1 preserves positivity for every step (Bolley & Crouzeix
//! 1978): BDF2's right-hand side $\alpha_1 q^k - \alpha_2 q^{k-1}$ is negative in a cell whose
//! value fell by more than $(1+\omega)^2/\omega^2$ (4 at constant steps) in the previous step —
//! typically a far tail relaxing much faster than $1/\Delta t$. There a *positivity limiter* sets
//! the right-hand side to 0 and rescales it to the conserved mass, after which the M-matrix solve
//! returns a non-negative density. It never acts where the solution is resolved in time (so the
//! order is 2) nor at equilibrium; what it removed is reported in [`SolverReport`].
//!
//! Because only $E(\cdot, t_{k+1})$ enters a step, the caller may supply a different energy at
//! every step ([`FokkerPlanck::step`]), e.g. one whose parameters were just updated from the
//! current density. A step then reads as: the energy jumps with $q$ frozen, then $q$ relaxes in
//! the new energy for $\Delta t$. Both schemes are mass-conservative (BDF2's coefficients satisfy
//! $\alpha_1 - \alpha_2 = 1$). Each step solves one tridiagonal system by the Thomas algorithm in
//! a cancellation-free form (below), $O(n)$ operations; when the energy and the step are the same
//! as in the previous step the factorisation is reused.
//!
//! # Free energy, relative entropy and entropy production
//!
//! The observables are defined on the grid, consistently with the discrete equilibrium
//! $p_i = e^{-E_i}/Z_h$:
//!
//! $$\langle f\rangle_q = h\sum_i f(x_i)\,q_i,\quad
//!   S(q) = -h\sum_i q_i\ln q_i,\quad
//!   D_{KL}(q\|p) = h\sum_i q_i\ln\frac{q_i}{p_i},\quad
//!   F_h = -\ln Z_h,$$
//!
//! $$\sigma_h(q) = \frac{D}{h}\sum_{i=0}^{n-2}\big(u_{i+\frac12} - v_{i+\frac12}\big)
//!   \ln\frac{u_{i+\frac12}}{v_{i+\frac12}},\qquad
//!   u_{i+\frac12} = B(-\Delta E_{i+\frac12})\,q_{i+1},\quad v_{i+\frac12} = B(\Delta E_{i+\frac12})\,q_i .$$
//!
//! Each term of $\sigma_h$ is $\ge 0$ (also in floating point). Summation by parts gives, **exactly**
//! for the semi-discrete system (any $h$) with the energy held fixed,
//!
//! $$\frac{d}{dt}D_{KL}(q\|p) = h\sum_i \dot q_i \ln\frac{q_i}{p_i}
//!   = \sum_{\text{faces}} J_{i+\frac12}\,\ln\frac{u_{i+\frac12}}{v_{i+\frac12}} = -\sigma_h(q),$$
//!
//! since $h J_{i+\frac12}/D = v - u$ and $\ln(u/v) = \ln(q_{i+1}/p_{i+1}) - \ln(q_i/p_i)$.
//! $\sigma_h$ approximates the continuous $D\int q\,|\partial_x\ln(q/p)|^2dx$ to $O(h^2)$
//! (as do $D_{KL}$, $S$ and $F_h$ their integrals; for the equilibrium of a smooth confining
//! energy the midpoint sums are even exponentially accurate). After time discretisation:
//!
//! - backward Euler satisfies the discrete dissipation *inequality*
//!   $D_{KL}(q^{k+1}\|p) - D_{KL}(q^{k}\|p) \le -\Delta t\,\sigma_h(q^{k+1})$ exactly (convexity of
//!   $D_{KL}$; the right side is the gradient at $q^{k+1}$ applied to the step);
//! - $D_{KL}(t_1) - D_{KL}(t_0) = -\int_{t_0}^{t_1}\sigma_h\,dt$ holds to the time integrator's
//!   accuracy, $O(\Delta t^2)$ for BDF2 with the trapezoidal rule for the integral.
//!
//! When the energy changes between steps: $D_{KL}(q\|p) = \langle E\rangle_q - S(q) - F_h$ holds
//! exactly on the grid (for mass 1), so a change of the energy from $E$ to $E'$ with $q$ frozen
//! changes $D_{KL}$ by exactly $\langle E' - E\rangle_q - (F'_h - F_h)$, and the backward-Euler
//! inequality above holds for each step with the energy of that step.
//!
//! # The linear solve
//!
//! $M = I - \kappa\,\tilde A$ ($\kappa = c\,\Delta t\,D/h^2$, $\tilde A$ the operator in units of
//! $D/h^2$) has diagonal $1 + \kappa(B^+_{i+\frac12} + B^-_{i-\frac12})$, sub-diagonal
//! $-\kappa B^+_{i-\frac12}$ and super-diagonal $-\kappa B^-_{i+\frac12}$, with
//! $B^\pm = B(\pm\Delta E)$, and column sums 1. Plain Thomas elimination would form its pivots as
//! differences of $O(\kappa)$ numbers — large for big steps. Here the pivot is split as
//! $\pi_i = s_i + \kappa B^+_{i+\frac12}$ with $s_0 = 1$ and
//! $s_i = 1 + \kappa B^-_{i-\frac12}\,s_{i-1}/\pi_{i-1}$ (the column sum of the reduced matrix, as in
//! the Grassmann–Taksar–Heyman algorithm), and computed as the ratio $\pi_i = \theta_i/\theta_{i-1}$
//! of the continuant $\theta_i = \varphi_i + \kappa B^+_{i+\frac12}\theta_{i-1}$,
//! $\varphi_{i+1} = \theta_i + \kappa B^-_{i+\frac12}\varphi_i$ ($\varphi_i = s_i\theta_{i-1}$), which
//! keeps divisions off the loop-carried chain. Every pivot, every forward and every backward
//! substitution is a sum of non-negative terms: no cancellation, $\pi_i \ge 1$ (no breakdown), and
//! non-negative right-hand sides give non-negative solutions in floating point too.
//!
//! Spec: self-checks `NV8` (the OU transition) and `NV9` (convergence orders, exact
//! equilibrium).
//!
//! # Examples
//! ```
//! use thermocheck_numerics::fokker_planck::{FokkerPlanck, Grid, Scheme};
//! // Relaxation in E = x²/2 (D = 1) from N(2, 1/4): the mean decays as 2e^{−t}.
//! let grid = Grid::new(-10.0, 10.0, 800)?;
//! let start = grid.density_from_fn(|x: f64| (-2.0 * (x - 2.0).powi(2)).exp())?;
//! let mut solver = FokkerPlanck::new(start, 1.0, Scheme::Bdf2)?;
//! solver.integrate_to(&|_t: f64, x: f64| x * x / 2.0, 1.0, 400)?;
//! assert!((solver.density().mean() - 2.0 * (-1.0f64).exp()).abs() < 1e-4);
//! assert!((solver.density().mass() - 1.0).abs() < 1e-12);
//! # Ok::<(), thermocheck_numerics::Error>(())
//! ```

use crate::error::{self, Error, Result};
use serde::Serialize;

/// A time-dependent energy $E(x, t)$: one required method, implemented for every
/// `Fn(f64, f64) -> f64 + Sync` closure taking `(t, x)`.
///
/// Implement it on a struct for an energy family with parameters. For energies whose parameters
/// are only known step by step (updated from the current density), use [`FokkerPlanck::step`]
/// with the energy of that step instead.
///
/// # Examples
/// ```
/// use thermocheck_numerics::fokker_planck::Potential;
/// // A harmonic trap whose centre moves with unit speed: E = (x − t)²/2.
/// let trap = |t: f64, x: f64| (x - t).powi(2) / 2.0;
/// assert_eq!(trap.energy(1.0, 3.0), 2.0);
/// ```
pub trait Potential: Sync {
    /// $E(x, t)$ at time `t` and position `x`, in units of $k_BT$.
    fn energy(&self, t: f64, x: f64) -> f64;
}

impl<F> Potential for F
where
    F: Fn(f64, f64) -> f64 + Sync,
{
    #[inline]
    fn energy(&self, t: f64, x: f64) -> f64 {
        self(t, x)
    }
}

/// Smallest number of cells of a [`Grid`]: one interior face.
pub const MIN_CELLS: usize = 2;

/// Largest step ratio $\omega = \Delta t_k/\Delta t_{k-1}$ that [`Scheme::Bdf2`] accepts.
///
/// Variable-step BDF2 is zero-stable for $\omega < 1 + \sqrt2$ (Grigorieff 1983); 2 keeps a margin.
/// A larger increase needs [`FokkerPlanck::restart`] (one backward-Euler step) first.
pub const BDF2_MAX_STEP_RATIO: f64 = 2.0;

/// Below this $|z|$ the Bernoulli function is summed as its (even) Taylor series
/// [`BERNOULLI_EVEN`]; above it $z/\operatorname{expm1}(z)$ is accurate to a few ulps.
const BERNOULLI_SERIES_BELOW: f64 = 1.0;

/// $B_{2k}/(2k)!$, $k = 1, \dots, 11$ (Bernoulli numbers $B_{2k}$, exact rationals rounded to
/// f64): the coefficients of $\frac z2\coth\frac z2 = 1 + \sum_k \frac{B_{2k}}{(2k)!}z^{2k}$. The
/// series converges for $|z| < 2\pi$; at $|z| \le 1$ the first omitted term,
/// $|B_{24}/24!| = 1.4\times10^{-19}$, is far below half an ulp of the sum ($\ge 1$).
const BERNOULLI_EVEN: [f64; 11] = [
    0.083_333_333_333_333_33,
    -0.001_388_888_888_888_889,
    3.306_878_306_878_307e-5,
    -8.267_195_767_195_768e-7,
    2.087_675_698_786_81e-8,
    -5.284_190_138_687_493e-10,
    1.338_253_653_068_467_9e-11,
    -3.389_680_296_322_582_7e-13,
    8.586_062_056_277_845e-15,
    -2.174_868_698_558_062e-16,
    5.509_002_828_360_229_5e-18,
];

/// The Bernoulli function $B(z) = z/(e^z - 1)$, $B(0) = 1$.
///
/// $$B(z) = \frac{z}{e^z - 1} = \frac z2\coth\frac z2 - \frac z2
///   = 1 - \frac z2 + \frac{z^2}{12} - \frac{z^4}{720} + \dots,\qquad
///   B(-z) = z + B(z) = e^{z}B(z),$$
///
/// where $z$ is a dimensionless energy difference (units of $k_BT$). It is the weight of the
/// Scharfetter–Gummel flux (see the [module documentation](self)). Evaluated by the even series
/// of $\frac z2\coth\frac z2$ (11 terms, a polynomial in $z^2$) for $|z| < 1$ — the common case on
/// a fine grid, and about five times cheaper than `expm1` — and as $z/\operatorname{expm1}(z)$
/// above, so it has a relative error of a few ulps for every finite $z$: for $z \to +\infty$ it
/// underflows gracefully ($ze^{-z}$, 0 beyond $z \approx 745$), for $z \to -\infty$ it tends to
/// $|z|$. NaN gives NaN.
///
/// # Examples
/// ```
/// use thermocheck_numerics::fokker_planck::bernoulli;
/// assert_eq!(bernoulli(0.0), 1.0);
/// // B(1) = 1/(e − 1)
/// assert!((bernoulli(1.0) - 1.0 / (1.0f64.exp() - 1.0)).abs() < 1e-16);
/// // B(−z) = z + B(z)
/// assert!((bernoulli(-3.0) - (3.0 + bernoulli(3.0))).abs() < 1e-15);
/// assert!((bernoulli(-0.5) - (0.5 + bernoulli(0.5))).abs() < 1e-16);
/// ```
pub fn bernoulli(z: f64) -> f64 {
    bernoulli_pair(z).0
}

/// $(B(z), B(-z))$ without cancellation. For $|z| < 1$ both come from the even part
/// $P = \frac z2\coth\frac z2 \in [1, 1.09)$ as $P \mp z/2$ ($P \ge 1$ and $|z|/2 < 1/2$, so the
/// difference loses at most one bit). Above, with $w = |z|$, $B(w) = w/\operatorname{expm1}(w)$ and
/// $B(-w) = w + B(w)$ are sums of non-negative terms.
#[inline]
fn bernoulli_pair(z: f64) -> (f64, f64) {
    let w = z.abs();
    if w < BERNOULLI_SERIES_BELOW {
        let even = bernoulli_even_part(w * w);
        let half = 0.5 * z;
        return (even - half, even + half);
    }
    // expm1 overflows to +inf beyond w ≈ 709.78, giving 0: the true value is below 1e-305.
    let b_plus = w / w.exp_m1();
    let b_minus = w + b_plus;
    if z >= 0.0 {
        (b_plus, b_minus)
    } else if z < 0.0 {
        (b_minus, b_plus)
    } else {
        (f64::NAN, f64::NAN)
    }
}

/// $\frac z2\coth\frac z2 = 1 + u\,Q(u)$, $u = z^2$, for $|z| < 1$, with the degree-10
/// polynomial $Q(u) = \sum_{k=0}^{10} \frac{B_{2k+2}}{(2k+2)!}u^k$ ([`BERNOULLI_EVEN`]) in
/// Estrin's form: the same terms as Horner's rule, but a dependency depth of 5 instead of 10,
/// so that neighbouring faces overlap in the pipeline (and vectorise). All terms of $uQ$ are
/// below $0.09$ in size, so the rounding differences between the two orders are $O(\varepsilon)$
/// relative to the sum $\ge 1$.
#[inline(always)]
fn bernoulli_even_part(u: f64) -> f64 {
    let c = &BERNOULLI_EVEN;
    let u2 = u * u;
    let u4 = u2 * u2;
    let u8 = u4 * u4;
    let q01 = c[0] + c[1] * u;
    let q23 = c[2] + c[3] * u;
    let q45 = c[4] + c[5] * u;
    let q67 = c[6] + c[7] * u;
    let q89 = c[8] + c[9] * u;
    let q03 = q01 + q23 * u2;
    let q47 = q45 + q67 * u2;
    let q810 = q89 + c[10] * u2;
    let q07 = q03 + q47 * u4;
    1.0 + u * (q07 + q810 * u8)
}

/// A uniform grid of $n$ cells on a finite interval $[a, b]$, with reflecting walls.
///
/// Cell $i$ covers $[a + ih, a + (i+1)h]$, $h = (b-a)/n$, and has centre
/// $x_i = a + (i + \tfrac12)h$ (position units).
///
/// # Examples
/// ```
/// use thermocheck_numerics::fokker_planck::Grid;
/// let grid = Grid::new(-1.0, 1.0, 4)?;
/// assert_eq!(grid.width(), 0.5);
/// assert_eq!(grid.centres(), vec![-0.75, -0.25, 0.25, 0.75]);
/// assert!(Grid::new(1.0, -1.0, 4).is_err());
/// # Ok::<(), thermocheck_numerics::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Grid {
    lower: f64,
    upper: f64,
    cells: usize,
    width: f64,
}

impl Grid {
    /// A grid of `cells` cells on `[lower, upper]`.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] if `lower` or `upper` is not finite, `cells` <
    /// [`MIN_CELLS`], or the cell width is not a positive finite number (a range wider than
    /// `f64::MAX`, or so narrow that it underflows); [`Error::EmptyRange`] if `lower >= upper`.
    pub fn new(lower: f64, upper: f64, cells: usize) -> Result<Self> {
        let lower = error::finite("lower", lower)?;
        let upper = error::finite("upper", upper)?;
        error::interval("interval", lower, upper)?;
        let cells = error::count_at_least("cells", cells, MIN_CELLS)?;
        let width = error::positive("cell-width", (upper - lower) / cells as f64)?;
        Ok(Grid {
            lower,
            upper,
            cells,
            width,
        })
    }

    /// The left wall $a$.
    pub fn lower(&self) -> f64 {
        self.lower
    }

    /// The right wall $b$.
    pub fn upper(&self) -> f64 {
        self.upper
    }

    /// The number of cells $n$.
    pub fn cells(&self) -> usize {
        self.cells
    }

    /// The cell width $h = (b-a)/n$.
    pub fn width(&self) -> f64 {
        self.width
    }

    /// The centre $x_i = a + (i+\tfrac12)h$ of cell `i` (not checked against $n$: any `i` gives
    /// the point on the extended lattice).
    #[inline]
    pub fn centre(&self, i: usize) -> f64 {
        self.lower + (i as f64 + 0.5) * self.width
    }

    /// All cell centres, left to right.
    pub fn centres(&self) -> Vec<f64> {
        (0..self.cells).map(|i| self.centre(i)).collect()
    }

    /// Evaluates `energy` at every centre into `out`, checking that the values and their
    /// neighbour differences are finite.
    fn energies_into(&self, energy: impl Fn(f64) -> f64, out: &mut Vec<f64>) -> Result<()> {
        out.clear();
        out.extend((0..self.cells).map(|i| energy(self.centre(i))));
        check_energies(out)
    }

    fn energies(&self, energy: impl Fn(f64) -> f64) -> Result<Vec<f64>> {
        let mut out = Vec::with_capacity(self.cells);
        self.energies_into(energy, &mut out)?;
        Ok(out)
    }

    /// The grid free energy $F_h = -\ln Z_h$ of an energy.
    ///
    /// $$F_h = -\ln Z_h,\qquad Z_h = h\sum_{i=0}^{n-1} e^{-E(x_i)},$$
    ///
    /// where $E$ is the energy ($k_BT$) and $x_i$, $h$ the grid's centres and width: the
    /// normalisation of the discrete equilibrium ([`Grid::equilibrium`]), and the midpoint rule
    /// for $-\ln\int_a^b e^{-E}dx$. Evaluated as a log-sum-exp, so energies of any size are fine.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] if the energy is not finite at a centre (named `energy[i]`),
    /// or two neighbouring energies differ by more than `f64::MAX`.
    ///
    /// # Examples
    /// ```
    /// use thermocheck_numerics::fokker_planck::Grid;
    /// // E = x²/2: F = −ln √(2π) (the walls at ±12 cut off e^{−72}).
    /// let grid = Grid::new(-12.0, 12.0, 240)?;
    /// let f = grid.free_energy(|x: f64| x * x / 2.0)?;
    /// assert!((f + (2.0 * std::f64::consts::PI).sqrt().ln()).abs() < 1e-14);
    /// # Ok::<(), thermocheck_numerics::Error>(())
    /// ```
    pub fn free_energy(&self, energy: impl Fn(f64) -> f64) -> Result<f64> {
        Ok(self.free_energy_of(&self.energies(energy)?))
    }

    fn free_energy_of(&self, energies: &[f64]) -> f64 {
        let e_min = energies.iter().copied().fold(f64::INFINITY, f64::min);
        let sum: f64 = energies.iter().map(|&e| (e_min - e).exp()).sum();
        e_min - self.width.ln() - sum.ln()
    }

    /// The discrete equilibrium of an energy: the exact stationary density of the scheme.
    ///
    /// $$q_i = \frac{e^{-E(x_i)}}{Z_h},\qquad Z_h = h\sum_j e^{-E(x_j)},$$
    ///
    /// where $E$ is the energy ($k_BT$) and $x_i$, $h$ the grid's centres and width. Every
    /// Scharfetter–Gummel flux vanishes on it, so stepping it in the same energy leaves it
    /// unchanged up to round-off. Cells where $e^{-(E_i - \min E)}$ underflows hold 0.
    ///
    /// Self-check: `NV9` (the discrete equilibrium is stationary to round-off).
    ///
    /// # Errors
    /// As [`Grid::free_energy`].
    ///
    /// # Examples
    /// ```
    /// use thermocheck_numerics::fokker_planck::Grid;
    /// // E = 2(x − 1)²: mean 1, variance 1/4 (the midpoint sums are spectrally accurate).
    /// let grid = Grid::new(-6.0, 8.0, 280)?;
    /// let p = grid.equilibrium(|x: f64| 2.0 * (x - 1.0).powi(2))?;
    /// assert!((p.mean() - 1.0).abs() < 1e-13);
    /// assert!((p.variance() - 0.25).abs() < 1e-13);
    /// # Ok::<(), thermocheck_numerics::Error>(())
    /// ```
    pub fn equilibrium(&self, energy: impl Fn(f64) -> f64) -> Result<Density> {
        let energies = self.energies(energy)?;
        Ok(self.equilibrium_of(&energies))
    }

    fn equilibrium_of(&self, energies: &[f64]) -> Density {
        let e_min = energies.iter().copied().fold(f64::INFINITY, f64::min);
        let mut values: Vec<f64> = energies.iter().map(|&e| (e_min - e).exp()).collect();
        let norm = self.width * values.iter().sum::<f64>();
        values.iter_mut().for_each(|q| *q /= norm);
        Density {
            grid: *self,
            values,
        }
    }

    /// A density from a non-negative function, sampled at the centres and normalised on the
    /// grid.
    ///
    /// $$q_i = \frac{f(x_i)}{h\sum_j f(x_j)},$$
    ///
    /// where $f \ge 0$ is an unnormalised density (per position unit). The point values are
    /// cell averages to $O(h^2)$, the scheme's own accuracy.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] if $f$ is negative or not finite at a centre (named
    /// `density[i]`), or its sum is not a positive finite number (named `density-mass`).
    ///
    /// # Examples
    /// ```
    /// use thermocheck_numerics::fokker_planck::Grid;
    /// let grid = Grid::new(0.0, 1.0, 10)?;
    /// let q = grid.density_from_fn(|x: f64| x)?; // linear ramp, normalised to 2x
    /// assert!((q.values()[9] - 1.9).abs() < 1e-15);
    /// assert!(grid.density_from_fn(|x: f64| x - 0.5).is_err());
    /// # Ok::<(), thermocheck_numerics::Error>(())
    /// ```
    pub fn density_from_fn(&self, f: impl Fn(f64) -> f64) -> Result<Density> {
        self.density_from_values((0..self.cells).map(|i| f(self.centre(i))).collect())
    }

    /// A density from one non-negative value per cell, normalised on the grid
    /// ($q_i = v_i / (h\sum_j v_j)$).
    ///
    /// # Errors
    /// [`Error::DimensionMismatch`] if `values` does not have one entry per cell; otherwise as
    /// [`Grid::density_from_fn`].
    ///
    /// # Examples
    /// ```
    /// use thermocheck_numerics::fokker_planck::Grid;
    /// let grid = Grid::new(0.0, 2.0, 2)?;
    /// let q = grid.density_from_values(vec![1.0, 3.0])?;
    /// assert_eq!(q.values(), &[0.25, 0.75]);
    /// # Ok::<(), thermocheck_numerics::Error>(())
    /// ```
    pub fn density_from_values(&self, mut values: Vec<f64>) -> Result<Density> {
        error::length("density", values.len(), self.cells)?;
        if let Some(i) = values.iter().position(|v| !(v.is_finite() && *v >= 0.0)) {
            error::non_negative(&format!("density[{i}]"), values[i])?;
        }
        let norm = error::positive("density-mass", self.width * values.iter().sum::<f64>())?;
        values.iter_mut().for_each(|q| *q /= norm);
        Ok(Density {
            grid: *self,
            values,
        })
    }
}

/// Checks energies at the centres and their neighbour differences for finiteness.
///
/// The hot path (every step) only scans; the validators, which format the parameter name, run
/// on the first offending entry.
fn check_energies(energies: &[f64]) -> Result<()> {
    if any_non_finite(energies) {
        let i = energies.iter().position(|e| !e.is_finite()).unwrap_or(0);
        error::finite(&format!("energy[{i}]"), energies[i])?;
    }
    let differences_bad = energies
        .iter()
        .zip(energies.iter().skip(1))
        .fold(false, |bad, (a, b)| bad | !(b - a).is_finite());
    if differences_bad {
        let i = energies
            .windows(2)
            .position(|w| !(w[1] - w[0]).is_finite())
            .unwrap_or(0);
        error::finite(
            &format!("energy difference at face {i}"),
            energies[i + 1] - energies[i],
        )?;
    }
    Ok(())
}

/// Whether any entry is NaN or infinite: a branch-free reduction (it vectorises, unlike an
/// early-exit search), run on every step.
#[inline]
fn any_non_finite(values: &[f64]) -> bool {
    values.iter().fold(false, |bad, v| bad | !v.is_finite())
}

/// A probability density on a [`Grid`]: one non-negative value $q_i$ per cell, $h\sum_i q_i = 1$.
///
/// Built by [`Grid::density_from_fn`], [`Grid::density_from_values`] and
/// [`Grid::equilibrium`], and evolved by [`FokkerPlanck`]. Its observables are the grid sums in
/// the [module documentation](self), consistent with the discrete equilibrium.
#[derive(Debug, Clone, PartialEq)]
pub struct Density {
    grid: Grid,
    values: Vec<f64>,
}

impl Density {
    /// The grid.
    pub fn grid(&self) -> &Grid {
        &self.grid
    }

    /// The values $q_i$ (per position unit), left to right.
    pub fn values(&self) -> &[f64] {
        &self.values
    }

    /// The mass $h\sum_i q_i$ (1 up to round-off; the scheme conserves it).
    pub fn mass(&self) -> f64 {
        self.grid.width * self.values.iter().sum::<f64>()
    }

    /// The expectation of a function on the grid.
    ///
    /// $$\langle f\rangle_q = h\sum_{i=0}^{n-1} f(x_i)\,q_i,$$
    ///
    /// where $x_i$ are the centres, $h$ the width and $q_i$ the values: the midpoint rule,
    /// $O(h^2)$ accurate, and exact for the discrete equilibrium's own weights. A non-finite
    /// $f(x_i)$ where $q_i > 0$ gives a non-finite result.
    ///
    /// # Examples
    /// ```
    /// use thermocheck_numerics::fokker_planck::Grid;
    /// let q = Grid::new(0.0, 2.0, 2)?.density_from_values(vec![1.0, 3.0])?;
    /// assert_eq!(q.expectation(|x| x), 0.25 * 0.5 + 0.75 * 1.5);
    /// # Ok::<(), thermocheck_numerics::Error>(())
    /// ```
    pub fn expectation(&self, f: impl Fn(f64) -> f64) -> f64 {
        let h = self.grid.width;
        self.values
            .iter()
            .enumerate()
            .filter(|&(_, &q)| q != 0.0)
            .map(|(i, &q)| f(self.grid.centre(i)) * q)
            .sum::<f64>()
            * h
    }

    /// The mean $\langle x\rangle_q$.
    pub fn mean(&self) -> f64 {
        self.expectation(|x| x)
    }

    /// The variance $\langle (x - \langle x\rangle_q)^2\rangle_q$ (two passes, no cancellation).
    pub fn variance(&self) -> f64 {
        let m = self.mean();
        self.expectation(|x| (x - m) * (x - m))
    }

    /// The differential entropy on the grid (nats).
    ///
    /// $$S(q) = -h\sum_i q_i\ln q_i,$$
    ///
    /// with $0\ln 0 = 0$; the midpoint rule for $-\int q\ln q\,dx$.
    ///
    /// # Examples
    /// ```
    /// use thermocheck_numerics::fokker_planck::Grid;
    /// // Uniform on [0, 2]: S = ln 2.
    /// let q = Grid::new(0.0, 2.0, 8)?.density_from_fn(|_| 1.0)?;
    /// assert!((q.entropy() - 2.0f64.ln()).abs() < 1e-15);
    /// # Ok::<(), thermocheck_numerics::Error>(())
    /// ```
    pub fn entropy(&self) -> f64 {
        -self.grid.width
            * self
                .values
                .iter()
                .filter(|&&q| q > 0.0)
                .map(|&q| q * q.ln())
                .sum::<f64>()
    }

    /// The relative entropy of this density to the discrete equilibrium of an energy (nats).
    ///
    /// $$D_{KL}(q\|p) = h\sum_i q_i\ln\frac{q_i}{p_i},\qquad p_i = \frac{e^{-E(x_i)}}{Z_h},$$
    ///
    /// where $E$ is the energy ($k_BT$), $p$ its discrete equilibrium ([`Grid::equilibrium`])
    /// and $0\ln 0 = 0$. It is $\ge 0$ up to round-off, 0 exactly at $q = p$, and equals
    /// $\langle E\rangle_q - S(q) - F_h$. Along the semi-discrete flow in a fixed energy its
    /// derivative is exactly $-\sigma_h$ ([`Density::entropy_production`]).
    ///
    /// # Errors
    /// As [`Grid::free_energy`].
    ///
    /// # Examples
    /// ```
    /// use thermocheck_numerics::fokker_planck::Grid;
    /// // N(0, 1/4) against the equilibrium N(0, 1) of E = x²/2:
    /// // KL = (s² − 1 − ln s²)/2 with s² = 1/4.
    /// let grid = Grid::new(-12.0, 12.0, 480)?;
    /// let q = grid.density_from_fn(|x: f64| (-2.0 * x * x).exp())?;
    /// let kl = q.kl_divergence(|x: f64| x * x / 2.0)?;
    /// assert!((kl - (0.25 - 1.0 - 0.25f64.ln()) / 2.0).abs() < 1e-12);
    /// # Ok::<(), thermocheck_numerics::Error>(())
    /// ```
    pub fn kl_divergence(&self, energy: impl Fn(f64) -> f64) -> Result<f64> {
        let energies = self.grid.energies(energy)?;
        Ok(self.kl_divergence_of(&energies))
    }

    fn kl_divergence_of(&self, energies: &[f64]) -> f64 {
        let f = self.grid.free_energy_of(energies);
        self.grid.width
            * self
                .values
                .iter()
                .zip(energies)
                .filter(|&(&q, _)| q > 0.0)
                .map(|(&q, &e)| q * (q.ln() + (e - f)))
                .sum::<f64>()
    }

    /// The entropy production rate of this density in an energy, discretised consistently with
    /// the Scharfetter–Gummel fluxes (nats per unit time).
    ///
    /// $$\sigma_h(q) = \frac{D}{h}\sum_{i=0}^{n-2}\big(u_{i+\frac12} - v_{i+\frac12}\big)
    ///   \ln\frac{u_{i+\frac12}}{v_{i+\frac12}},\qquad
    ///   u_{i+\frac12} = B(-\Delta E_{i+\frac12})\,q_{i+1},\quad
    ///   v_{i+\frac12} = B(\Delta E_{i+\frac12})\,q_i,$$
    ///
    /// where $D$ is the diffusion coefficient, $h$ the width, $B$ the [`bernoulli`] function and
    /// $\Delta E_{i+\frac12} = E(x_{i+1}) - E(x_i)$. It approximates
    /// $D\int q\,|\partial_x\ln(q/p)|^2dx$ to $O(h^2)$, every term is $\ge 0$, it vanishes exactly
    /// at the discrete equilibrium, and $\frac{d}{dt}D_{KL}(q\|p) = -\sigma_h$ exactly for the
    /// semi-discrete flow (see the [module documentation](self)).
    ///
    /// Zeros: values below the smallest normal f64 (`f64::MIN_POSITIVE` ≈ 2.2e-308), such as
    /// far tails of an equilibrium that underflowed, enter the logarithm as that number, so a face
    /// between such a cell and one of value $u$ adds about $u\,(708 + \ln u)$ — negligible where
    /// underflow happens. An exact zero next to substantial mass (a user-supplied density with a
    /// gap) has an infinite continuum rate, and gets this large finite stand-in instead; start
    /// from positive densities where the initial rate matters.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] if `diffusion` is not finite and > 0; otherwise as
    /// [`Grid::free_energy`].
    ///
    /// # Examples
    /// ```
    /// use thermocheck_numerics::fokker_planck::Grid;
    /// // q = N(0, s²), p = N(0, 1/k): σ = D s² (k − 1/s²)², here s² = 1/4, k = 1, D = 2 → 4.5.
    /// let grid = Grid::new(-12.0, 12.0, 2400)?;
    /// let q = grid.density_from_fn(|x: f64| (-2.0 * x * x).exp())?;
    /// let sigma = q.entropy_production(|x: f64| x * x / 2.0, 2.0)?;
    /// // The O(h²) discretisation error is −1.1e-4 at h = 0.01 (and −2.8e-5 at h/2).
    /// assert!((sigma - 4.5).abs() < 2e-4);
    /// let p = grid.equilibrium(|x: f64| x * x / 2.0)?;
    /// assert!(p.entropy_production(|x: f64| x * x / 2.0, 2.0)? < 1e-20);
    /// # Ok::<(), thermocheck_numerics::Error>(())
    /// ```
    pub fn entropy_production(&self, energy: impl Fn(f64) -> f64, diffusion: f64) -> Result<f64> {
        let d = error::positive("diffusion", diffusion)?;
        let energies = self.grid.energies(energy)?;
        Ok(self.entropy_production_of(&energies, d))
    }

    fn entropy_production_of(&self, energies: &[f64], diffusion: f64) -> f64 {
        let q = &self.values;
        let sum: f64 = energies
            .windows(2)
            .enumerate()
            .map(|(i, e)| {
                let (b_plus, b_minus) = bernoulli_pair(e[1] - e[0]);
                let u = b_minus * q[i + 1];
                let v = b_plus * q[i];
                if u == v {
                    0.0
                } else if u >= f64::MIN_POSITIVE && v >= f64::MIN_POSITIVE {
                    // u − v and ln(u/v) have the same sign in floating point too.
                    (u - v) * (u / v).ln()
                } else {
                    // An underflowed (or zero) side enters the logarithm as the smallest normal
                    // f64; the ordering, hence the sign, is kept.
                    (u - v) * (u.max(f64::MIN_POSITIVE).ln() - v.max(f64::MIN_POSITIVE).ln())
                }
            })
            .sum();
        diffusion / self.grid.width * sum
    }
}

/// The implicit time integrator of a [`FokkerPlanck`] solver.
///
/// A closed set of two well-studied schemes, chosen once per solver: an enum rather than a trait
/// because both share the same operator, factorisation and history handling, and differ only
/// in two coefficients.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Scheme {
    /// Backward (implicit) Euler: first order, L-stable, positivity-preserving for any step.
    BackwardEuler,
    /// Variable-step BDF2, started (and restarted) by one backward-Euler step: second order,
    /// L-stable. Step ratios up to [`BDF2_MAX_STEP_RATIO`].
    Bdf2,
}

/// Diagnostics of a [`FokkerPlanck`] run (normal information, not errors).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct SolverReport {
    /// Steps taken.
    pub steps: u64,
    /// Steps taken as backward Euler: all of them for [`Scheme::BackwardEuler`]; for
    /// [`Scheme::Bdf2`] the first step and the first after each [`FokkerPlanck::restart`].
    pub backward_euler_steps: u64,
    /// BDF2 steps at which the positivity limiter acted (see the [module documentation](self)).
    pub limited_steps: u64,
    /// Total mass $h\sum_i \max(-r_i, 0)$ the limiter removed from BDF2 right-hand sides $r$
    /// (before rescaling them to the conserved mass): a bound on the perturbation it made. Far
    /// below the accuracy asked for, it is harmless; comparable to it, the step is too large
    /// for the time scales of the problem.
    pub clipped_mass: f64,
}

/// The previous density and step of a BDF2 run.
#[derive(Debug, Clone)]
struct History {
    previous: Vec<f64>,
    dt: f64,
}

/// The cancellation-free LU factorisation of $M = I - \kappa\tilde A$ (see the module docs):
/// per row $i$, the scaled sub-diagonal magnitude $\ell_i/\pi_i = \kappa B^+_{i-\frac12}/\pi_i$,
/// the reciprocal pivot $1/\pi_i$, and the multiplier $g_i = \kappa B^-_{i+\frac12}/\pi_i$ of the
/// back substitution.
#[derive(Debug, Clone, Default)]
struct Factorisation {
    /// The energies and $\kappa$ it was built for (reused when both are bit-identical).
    energies: Vec<f64>,
    kappa: f64,
    lower: Vec<f64>,
    inv_pivot: Vec<f64>,
    upper: Vec<f64>,
}

impl Factorisation {
    fn matches(&self, energies: &[f64], kappa: f64) -> bool {
        // A branch-free comparison (it vectorises), as it runs on every step.
        self.kappa.to_bits() == kappa.to_bits()
            && self.energies.len() == energies.len()
            && !self
                .energies
                .iter()
                .zip(energies)
                .fold(false, |differ, (a, b)| {
                    differ | (a.to_bits() != b.to_bits())
                })
    }

    /// Factors $M$ for `energies` and `kappa` $= c\,\Delta t\,D/h^2$.
    fn build(&mut self, energies: &[f64], kappa: f64) {
        let n = energies.len();
        self.energies.clear();
        self.energies.extend_from_slice(energies);
        self.kappa = kappa;
        self.lower.resize(n, 0.0);
        self.inv_pivot.resize(n, 0.0);
        self.upper.resize(n, 0.0);
        // Pass 1: the off-diagonal magnitudes, κB⁺ of face f as row f+1's sub-diagonal and κB⁻
        // as row f's super-diagonal. First the series form for every face, branch-free (it
        // vectorises); then the faces with |ΔE| ≥ 1, if any (rare on a resolved grid), are
        // overwritten with the expm1 form.
        self.lower[0] = 0.0;
        self.upper[n - 1] = 0.0;
        let mut any_large = false;
        for ((lower, upper), (e0, e1)) in self.lower[1..]
            .iter_mut()
            .zip(&mut self.upper[..n - 1])
            .zip(energies.iter().zip(&energies[1..]))
        {
            let z = e1 - e0;
            any_large |= z.abs() >= BERNOULLI_SERIES_BELOW;
            let even = bernoulli_even_part(z * z);
            let half = 0.5 * z;
            *lower = kappa * (even - half);
            *upper = kappa * (even + half);
        }
        if any_large {
            for (f, e) in energies.windows(2).enumerate() {
                let z = e[1] - e[0];
                if z.abs() >= BERNOULLI_SERIES_BELOW {
                    let (b_plus, b_minus) = bernoulli_pair(z);
                    self.lower[f + 1] = kappa * b_plus;
                    self.upper[f] = kappa * b_minus;
                }
            }
        }
        // Pass 2, the elimination. With a_i = κB⁻_{i+½}, b_i = κB⁺_{i+½}, the pivots are
        // π_i = θ_i/θ_{i−1} for the continuant θ_i = φ_i + b_i θ_{i−1},
        // φ_{i+1} = θ_i + a_i φ_i (θ_{−1} = φ_0 = 1; φ_i = s_i θ_{i−1} with s_i the column sum of
        // the reduced matrix). Only additions of non-negative terms, and no division on the
        // loop-carried chain (the ratio θ_{i−1}/θ_i is off it), so rows pipeline. θ grows by
        // π_i ≥ 1 per row and is rescaled by an exact power of 2 before it can overflow.
        let mut theta_prev = 1.0;
        let mut phi = 1.0;
        for i in 0..n {
            let below = if i + 1 < n { self.lower[i + 1] } else { 0.0 };
            let theta = phi + below * theta_prev;
            let inv = theta_prev / theta;
            self.inv_pivot[i] = inv;
            self.lower[i] *= inv;
            let above = self.upper[i];
            self.upper[i] = above * inv;
            phi = theta + above * phi;
            theta_prev = theta;
            if theta_prev > CONTINUANT_RESCALE_ABOVE {
                theta_prev *= CONTINUANT_RESCALE;
                phi *= CONTINUANT_RESCALE;
            }
        }
    }

    /// Solves $M x = r$ in place (`x` holds $r$ on entry): forward
    /// $y_i = r_i/\pi_i + (\ell_i/\pi_i)\,y_{i-1}$, backward $x_i = y_i + g_i\,x_{i+1}$.
    fn solve(&self, x: &mut [f64]) {
        let mut y = 0.0;
        for ((xi, &lower), &inv) in x.iter_mut().zip(&self.lower).zip(&self.inv_pivot) {
            y = *xi * inv + lower * y;
            *xi = y;
        }
        // upper[n − 1] = 0, so the last entry is left as it is.
        let mut next = 0.0;
        for (xi, &upper) in x.iter_mut().zip(&self.upper).rev() {
            *xi += upper * next;
            next = *xi;
        }
    }
}

/// The continuant of the elimination is rescaled by [`CONTINUANT_RESCALE`] when it exceeds this
/// ($2^{512}$): it then overflows only if one row's pivot exceeds $2^{511} \approx 10^{154}$, i.e.
/// $\kappa B \gtrsim 10^{154}$ — far outside any meaningful step (the step then reports
/// [`Error::NotConverged`]).
const CONTINUANT_RESCALE_ABOVE: f64 = 1.340_780_792_994_259_7e154;

/// $2^{-512}$, exact.
const CONTINUANT_RESCALE: f64 = 7.458_340_731_200_207e-155;

/// The Fokker–Planck solver: a density on a grid, its time, and an implicit integrator for
/// $\partial_t q = \partial_x\big(D\,(\partial_x q + q\,\partial_x E)\big)$ on $[a, b]$ with
/// reflecting walls ($k_BT = 1$).
///
/// Self-checks: `NV8` (against the exact Ornstein–Uhlenbeck transition) and `NV9` (second order
/// in space, BDF2 second and backward Euler first order in time).
///
/// See the [module documentation](self) for the discretisation. Each [`step`](Self::step) takes
/// the energy for the end of that step, so the energy may change arbitrarily between steps;
/// [`integrate_to`](Self::integrate_to) does equal steps in a time-dependent [`Potential`].
/// Cost per step: one evaluation of the energy per cell and $O(n)$ arithmetic (two `expm1` per
/// face to build the factorisation, skipped when energy and step repeat).
///
/// # Examples
/// ```
/// use thermocheck_numerics::fokker_planck::{FokkerPlanck, Grid, Scheme};
/// // A caller-driven loop: the trap centre θ follows the current mean (a feedback protocol).
/// let grid = Grid::new(-8.0, 8.0, 320)?;
/// let mut solver = FokkerPlanck::new(grid.equilibrium(|x: f64| x * x / 2.0)?, 1.0, Scheme::Bdf2)?;
/// let mut theta = 0.0;
/// for _ in 0..100 {
///     theta += 0.01 * (1.0 - solver.density().mean()); // "learning" update
///     solver.step(|x: f64| (x - theta).powi(2) / 2.0, 0.01)?;
/// }
/// assert!((solver.time() - 1.0).abs() < 1e-12);
/// assert!(theta > 0.0 && theta < 0.01 * 100.0);
/// assert!((solver.density().mass() - 1.0).abs() < 1e-13);
/// # Ok::<(), thermocheck_numerics::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct FokkerPlanck {
    density: Density,
    diffusion: f64,
    scheme: Scheme,
    time: f64,
    report: SolverReport,
    history: Option<History>,
    energies: Vec<f64>,
    rhs: Vec<f64>,
    factorisation: Factorisation,
}

impl FokkerPlanck {
    /// A solver at time 0 for `initial`, with diffusion coefficient $D$ = `diffusion` (squared
    /// position per unit time) and the given scheme.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] if `diffusion` is not finite and > 0.
    pub fn new(initial: Density, diffusion: f64, scheme: Scheme) -> Result<Self> {
        let diffusion = error::positive("diffusion", diffusion)?;
        let n = initial.grid.cells;
        Ok(FokkerPlanck {
            density: initial,
            diffusion,
            scheme,
            time: 0.0,
            report: SolverReport::default(),
            history: None,
            energies: Vec::with_capacity(n),
            rhs: Vec::with_capacity(n),
            factorisation: Factorisation::default(),
        })
    }

    /// The same solver with its clock set to `time`.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] if `time` is not finite.
    pub fn with_time(mut self, time: f64) -> Result<Self> {
        self.time = error::finite("time", time)?;
        Ok(self)
    }

    /// The current density.
    pub fn density(&self) -> &Density {
        &self.density
    }

    /// The current density, by value.
    pub fn into_density(self) -> Density {
        self.density
    }

    /// The current time.
    pub fn time(&self) -> f64 {
        self.time
    }

    /// The diffusion coefficient $D$.
    pub fn diffusion(&self) -> f64 {
        self.diffusion
    }

    /// The time integrator.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// The diagnostics so far: steps, backward-Euler steps, positivity-limiter activity.
    pub fn report(&self) -> &SolverReport {
        &self.report
    }

    /// Forgets the BDF2 history, so that the next step is a backward-Euler step.
    ///
    /// Call it after a kink in time — e.g. an impulsive change of the energy between steps — that
    /// BDF2's two-step formula would otherwise straddle (first order locally there), or before
    /// increasing the step by more than [`BDF2_MAX_STEP_RATIO`]. No effect for backward Euler.
    pub fn restart(&mut self) {
        self.history = None;
    }

    /// The entropy production rate $\sigma_h$ of the current density in an energy, with this
    /// solver's $D$ (see [`Density::entropy_production`]).
    ///
    /// # Errors
    /// As [`Grid::free_energy`].
    pub fn entropy_production(&self, energy: impl Fn(f64) -> f64) -> Result<f64> {
        self.density.entropy_production(energy, self.diffusion)
    }

    /// Advances the density by one step of size `dt`, in the energy $E(\cdot)$ = `energy` that
    /// holds at the end of the step.
    ///
    /// Backward Euler solves $(I - \Delta t\,A)\,q^{k+1} = q^k$; BDF2 solves
    /// $(I - \beta\Delta t\,A)\,q^{k+1} = \alpha_1 q^k - \alpha_2 q^{k-1}$ with the coefficients of
    /// the [module documentation](self) (a backward-Euler step when there is no history), its
    /// right-hand side passed through the positivity limiter. $A$ is the Scharfetter–Gummel
    /// operator of `energy` on the grid; `dt` is in time units. Both keep the density
    /// non-negative and its mass constant (to round-off) for every `dt`.
    ///
    /// On error the solver is unchanged.
    ///
    /// Self-checks: `NV8` (OU transition), `NV9` (convergence orders).
    ///
    /// # Errors
    /// - [`Error::InvalidParameter`] if `dt` is not finite and > 0, the new time overflows, the
    ///   energy is not finite at a centre (`energy[i]`) or its neighbour differences overflow, or
    ///   (BDF2) `dt` exceeds [`BDF2_MAX_STEP_RATIO`] times the previous step (call
    ///   [`restart`](Self::restart) first);
    /// - [`Error::NotConverged`] if the solution is not finite (energy differences so large
    ///   that $\kappa B$ overflows).
    ///
    /// # Examples
    /// ```
    /// use thermocheck_numerics::fokker_planck::{FokkerPlanck, Grid, Scheme};
    /// let grid = Grid::new(-6.0, 6.0, 120)?;
    /// let p = grid.equilibrium(|x: f64| x.powi(4) - 2.0 * x * x)?;
    /// let mut solver = FokkerPlanck::new(p.clone(), 0.5, Scheme::BackwardEuler)?;
    /// solver.step(|x: f64| x.powi(4) - 2.0 * x * x, 100.0)?; // the equilibrium stays put
    /// let moved = solver.density().values().iter().zip(p.values())
    ///     .map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
    /// assert!(moved < 1e-13);
    /// assert!(solver.step(|x: f64| x, -1.0).is_err());
    /// # Ok::<(), thermocheck_numerics::Error>(())
    /// ```
    pub fn step(&mut self, energy: impl Fn(f64) -> f64, dt: f64) -> Result<()> {
        let dt = error::positive("time-step", dt)?;
        let new_time = error::finite("time", self.time + dt)?;
        self.step_to(energy, dt, new_time)
    }

    /// Integrates from the current time to `end` in `steps` equal steps, in a time-dependent
    /// potential evaluated at the end of each step ($t_k = t_0 + k\,(t_{\text{end}} - t_0)/K$).
    ///
    /// Self-checks: `NV8` (the dragged trap), `NV9` (the time-dependent double well).
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] if `end` is not finite and greater than the current time, or
    /// `steps` is 0; otherwise as [`step`](Self::step). On error the solver holds the state
    /// reached by the completed steps.
    ///
    /// # Examples
    /// ```
    /// use thermocheck_numerics::fokker_planck::{FokkerPlanck, Grid, Scheme};
    /// // The trap E = (x − t)²/2 drags the density; from equilibrium at 0 the mean lags by
    /// // v/(kD)·(1 − e^{−t}) = 1 − e^{−t} behind the centre at D = k = v = 1.
    /// let grid = Grid::new(-8.0, 10.0, 720)?;
    /// let trap = |t: f64, x: f64| (x - t).powi(2) / 2.0;
    /// let mut solver = FokkerPlanck::new(grid.equilibrium(|x: f64| x * x / 2.0)?, 1.0,
    ///                                    Scheme::Bdf2)?;
    /// solver.integrate_to(&trap, 2.0, 400)?;
    /// let lag = 2.0 - solver.density().mean();
    /// assert!((lag - (1.0 - (-2.0f64).exp())).abs() < 1e-4);
    /// # Ok::<(), thermocheck_numerics::Error>(())
    /// ```
    pub fn integrate_to<P: Potential + ?Sized>(
        &mut self,
        potential: &P,
        end: f64,
        steps: usize,
    ) -> Result<()> {
        let t0 = self.time;
        let end = error::greater_than("end-time", end, t0)?;
        let k_total = error::count_at_least("steps", steps, 1)?;
        let span = end - t0;
        // One step size for all steps (bit-identical, so a fixed potential reuses the
        // factorisation); the times are computed from t0 directly, so none accumulates
        // round-off and the last is exactly `end`.
        let dt = span / k_total as f64;
        for k in 1..=k_total {
            let t = if k == k_total {
                end
            } else {
                t0 + span * (k as f64 / k_total as f64)
            };
            self.step_to(|x| potential.energy(t, x), dt, t)?;
        }
        Ok(())
    }

    fn step_to(&mut self, energy: impl Fn(f64) -> f64, dt: f64, new_time: f64) -> Result<()> {
        let grid = self.density.grid;
        grid.energies_into(energy, &mut self.energies)?;
        let q = &self.density.values;
        // Coefficient c of dt·A and the right-hand side.
        self.rhs.clear();
        let mut clipped = 0.0;
        let mut backward_euler = false;
        let c = match (self.scheme, &self.history) {
            (Scheme::Bdf2, Some(history)) => {
                let omega = dt / history.dt;
                if omega > BDF2_MAX_STEP_RATIO {
                    error::in_range("time-step", dt, 0.0, BDF2_MAX_STEP_RATIO * history.dt)?;
                }
                let denom = 1.0 + 2.0 * omega;
                let a1 = (1.0 + omega) * (1.0 + omega) / denom;
                let a2 = omega * omega / denom;
                self.rhs.extend(
                    q.iter()
                        .zip(&history.previous)
                        .map(|(&now, &before)| a1 * now - a2 * before),
                );
                clipped = limit_to_non_negative(&mut self.rhs, q);
                (1.0 + omega) / denom
            }
            _ => {
                self.rhs.extend_from_slice(q);
                backward_euler = true;
                1.0
            }
        };
        let kappa = c * dt * self.diffusion / (grid.width * grid.width);
        if !kappa.is_finite() {
            return Err(Error::NotConverged {
                method: "Fokker-Planck step".to_owned(),
                detail: format!(
                    "dt·D/h² overflows (dt {dt}, D {}, h {})",
                    self.diffusion, grid.width
                ),
            });
        }
        if !self.factorisation.matches(&self.energies, kappa) {
            self.factorisation.build(&self.energies, kappa);
        }
        self.factorisation.solve(&mut self.rhs);
        if any_non_finite(&self.rhs) {
            let i = self.rhs.iter().position(|v| !v.is_finite()).unwrap_or(0);
            // Do not keep a factorisation that produced garbage.
            self.factorisation.energies.clear();
            return Err(Error::NotConverged {
                method: "Fokker-Planck step".to_owned(),
                detail: format!(
                    "the solution is not finite in cell {i} (x = {}): energy differences or \
                     the step are too large for f64",
                    grid.centre(i)
                ),
            });
        }
        // Commit: rhs becomes the density, the old density the history.
        let old = std::mem::replace(&mut self.density.values, std::mem::take(&mut self.rhs));
        match self.scheme {
            Scheme::Bdf2 => {
                let recycled = match self.history.replace(History { previous: old, dt }) {
                    Some(h) => h.previous,
                    None => Vec::with_capacity(grid.cells),
                };
                self.rhs = recycled;
            }
            Scheme::BackwardEuler => self.rhs = old,
        }
        self.time = new_time;
        self.report.steps += 1;
        if backward_euler {
            self.report.backward_euler_steps += 1;
        }
        if clipped > 0.0 {
            self.report.limited_steps += 1;
            self.report.clipped_mass += grid.width * clipped;
        }
        Ok(())
    }
}

/// The BDF2 positivity limiter: sets negative entries of the right-hand side to 0 and rescales
/// it to the mass of the current density `q`, returning the sum of the removed negative parts
/// (0 if none, and then `rhs` is untouched).
///
/// A negative entry means the density fell by more than a factor $(1+\omega)^2/\omega^2$ (4 at
/// constant steps) in that cell during the previous step — a component the step does not
/// resolve, typically a far tail relaxing at a rate $\gg 1/\Delta t$. Where the solution is
/// resolved in time the limiter never acts, so it does not affect the order.
fn limit_to_non_negative(rhs: &mut [f64], q: &[f64]) -> f64 {
    if !rhs.iter().fold(false, |any, &r| any | (r < 0.0)) {
        return 0.0;
    }
    let mut negative = 0.0;
    for r in rhs.iter_mut() {
        if *r < 0.0 {
            negative -= *r;
            *r = 0.0;
        }
    }
    if negative > 0.0 {
        let kept: f64 = rhs.iter().sum();
        let target: f64 = q.iter().sum();
        if kept > 0.0 {
            let scale = target / kept;
            rhs.iter_mut().for_each(|r| *r *= scale);
        } else {
            // Everything was clipped (a step absurdly larger than every time scale): fall back
            // to the backward-Euler right-hand side.
            rhs.copy_from_slice(q);
        }
    }
    negative
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tolerance::Tolerance;

    /// Dense Gaussian elimination with partial pivoting: an independent reference for the
    /// tridiagonal solve (indexed like the textbook algorithm, hence the allow).
    #[allow(clippy::needless_range_loop)]
    fn dense_solve(mut m: Vec<Vec<f64>>, mut r: Vec<f64>) -> Vec<f64> {
        let n = r.len();
        for k in 0..n {
            let p = (k..n)
                .max_by(|&a, &b| m[a][k].abs().total_cmp(&m[b][k].abs()))
                .unwrap();
            m.swap(k, p);
            r.swap(k, p);
            for i in k + 1..n {
                let f = m[i][k] / m[k][k];
                for j in k..n {
                    m[i][j] -= f * m[k][j];
                }
                r[i] -= f * r[k];
            }
        }
        let mut x = vec![0.0; n];
        for i in (0..n).rev() {
            let s: f64 = (i + 1..n).map(|j| m[i][j] * x[j]).sum();
            x[i] = (r[i] - s) / m[i][i];
        }
        x
    }

    /// The matrix I − κÃ assembled entry by entry from the flux formula.
    #[allow(clippy::needless_range_loop)]
    fn dense_matrix(energies: &[f64], kappa: f64) -> Vec<Vec<f64>> {
        let n = energies.len();
        let mut m = vec![vec![0.0; n]; n];
        for i in 0..n {
            m[i][i] = 1.0;
        }
        for f in 0..n - 1 {
            let z = energies[f + 1] - energies[f];
            let (bp, bm) = (z / z.exp_m1(), -z / (-z).exp_m1());
            // Flux out of f to f+1: κ(B⁺ q_f − B⁻ q_{f+1}).
            m[f][f] += kappa * bp;
            m[f][f + 1] -= kappa * bm;
            m[f + 1][f] -= kappa * bp;
            m[f + 1][f + 1] += kappa * bm;
        }
        m
    }

    #[test]
    fn bernoulli_matches_direct_formula_and_series_boundary() {
        for &z in &[
            -800.0, -50.0, -3.0, -1.0, -0.999, -0.5, -0.011, -1e-8, 1e-8, 0.009, 0.3, 0.5, 0.7,
            0.999, 1.0, 3.0, 50.0,
        ] {
            let (bp, bm) = bernoulli_pair(z);
            // Reference: the direct quotient z/expm1(z), accurate to a few ulps for every z ≠ 0
            // (expm1 keeps full relative accuracy near 0).
            let direct = |z: f64| z / z.exp_m1();
            let tol = Tolerance::conditioning(8.0, direct(z));
            assert!(tol.accepts(direct(z), bp), "B({z}) = {bp} vs {}", direct(z));
            let tol = Tolerance::conditioning(8.0, direct(-z));
            assert!(
                tol.accepts(direct(-z), bm),
                "B(-{z}) = {bm} vs {}",
                direct(-z)
            );
        }
        assert_eq!(bernoulli(0.0), 1.0);
        assert_eq!(bernoulli(800.0), 0.0);
        assert_eq!(bernoulli(-800.0), 800.0);
        assert!(bernoulli(f64::NAN).is_nan());
        // A dense sweep over the series range and a little beyond, against the same reference.
        for k in -12_000..=12_000 {
            let z = k as f64 * 1e-4 + 3.7e-6; // never exactly 0
            let direct = z / z.exp_m1();
            let (bp, bm) = bernoulli_pair(z);
            assert!(
                Tolerance::conditioning(8.0, direct).accepts(direct, bp),
                "B({z})"
            );
            let direct = -z / (-z).exp_m1();
            assert!(
                Tolerance::conditioning(8.0, direct).accepts(direct, bm),
                "B(-{z})"
            );
        }
        // Continuity across the series threshold (both sides accurate to a few ulps).
        let below = bernoulli(BERNOULLI_SERIES_BELOW * (1.0 - 1e-15));
        let above = bernoulli(BERNOULLI_SERIES_BELOW);
        assert!((below - above).abs() < 8.0 * f64::EPSILON);
    }

    #[test]
    fn tridiagonal_solve_matches_dense_elimination() {
        // Random-looking rugged energies, small and huge κ (the cancellation-prone regime).
        let energies: Vec<f64> = (0..9).map(|i| ((i * 37 % 11) as f64 - 5.0) * 1.7).collect();
        let r: Vec<f64> = (0..9).map(|i| 1.0 + (i as f64 * 0.7).sin()).collect();
        for &kappa in &[1e-3, 1.0, 1e6] {
            let mut lu = Factorisation::default();
            lu.build(&energies, kappa);
            let mut x = r.clone();
            lu.solve(&mut x);
            let reference = dense_solve(dense_matrix(&energies, kappa), r.clone());
            // Conditioning: ‖M⁻¹‖ is ≤ 1 in the column-sum norm, so c·ε·n·max|x|.
            let scale = reference.iter().fold(0.0f64, |m, v| m.max(v.abs()));
            // With κ·B up to 1e6·e^{17} the dense (pivoted) solve itself loses digits; the
            // factor 1e3 covers its growth factor, the fast solve has none.
            let tol = Tolerance::conditioning(1e3 * 9.0 * kappa.max(1.0).sqrt(), scale);
            for (a, b) in x.iter().zip(&reference) {
                assert!(tol.accepts(*b, *a), "κ = {kappa}: {a} vs {b} (tol {tol})");
            }
            assert!(x.iter().all(|&v| v > 0.0));
            // Column sums of M are 1, so Σx = Σr.
            let (sx, sr) = (x.iter().sum::<f64>(), r.iter().sum::<f64>());
            assert!(
                Tolerance::conditioning(4.0 * 9.0, sr).accepts(sr, sx),
                "{sx} vs {sr}"
            );
        }
    }

    #[test]
    fn tridiagonal_solve_has_a_componentwise_small_residual_for_huge_steps() {
        // κ = 1e12 on a rugged energy: the continuant grows by ~1e12 per row and is rescaled
        // every ~40 rows; the residual must still be at round-off, row by row.
        let n = 300;
        let energies: Vec<f64> = (0..n).map(|i| 3.0 * ((i * 7 % 13) as f64).sin()).collect();
        let r: Vec<f64> = (0..n).map(|i| 1.0 + 0.5 * (i as f64 * 0.3).cos()).collect();
        let kappa = 1e12;
        let mut lu = Factorisation::default();
        lu.build(&energies, kappa);
        let mut x = r.clone();
        lu.solve(&mut x);
        let m = dense_matrix(&energies, kappa);
        for i in 0..n {
            let residual: f64 = (0..n).map(|j| m[i][j] * x[j]).sum::<f64>() - r[i];
            let scale: f64 = (0..n).map(|j| (m[i][j] * x[j]).abs()).sum::<f64>() + r[i].abs();
            // Conditioning: c·ε·(|M||x| + |r|)_i with c = 16 (three terms per row, each a few
            // roundings, plus the dense product's own rounding).
            let tol = Tolerance::conditioning(16.0, scale);
            assert!(
                tol.accepts(0.0, residual),
                "row {i}: residual {residual:e} (tol {tol})"
            );
        }
        assert!(x.iter().all(|&v| v > 0.0 && v.is_finite()));
    }

    #[test]
    fn bad_input_is_an_error_not_a_panic() {
        assert!(Grid::new(1.0, 1.0, 10).is_err());
        assert!(Grid::new(f64::NAN, 1.0, 10).is_err());
        assert!(Grid::new(0.0, f64::INFINITY, 10).is_err());
        assert!(Grid::new(-f64::MAX, f64::MAX, 10).is_err());
        let e = Grid::new(0.0, 1.0, 1).unwrap_err();
        assert_eq!(e.to_string(), "cells must be an integer >= 2 (got 1)");
        let grid = Grid::new(0.0, 1.0, 8).unwrap();
        assert!(grid.density_from_fn(|_| 0.0).is_err());
        assert!(
            grid.density_from_fn(|x| if x > 0.5 { f64::NAN } else { 1.0 })
                .is_err()
        );
        let e = grid.density_from_fn(|x| x - 0.5).unwrap_err();
        assert_eq!(e.parameter(), Some("density[0]"));
        assert!(grid.density_from_values(vec![1.0; 7]).is_err());
        assert!(grid.equilibrium(|x| 1.0 / (x - 0.5625)).is_err()); // x = 0.5625 is a centre
        assert!(
            grid.equilibrium(|x| if x < 0.5 { -1e308 } else { 1e308 })
                .is_err()
        );
        let q = grid.density_from_fn(|_| 1.0).unwrap();
        assert!(q.entropy_production(|x| x, 0.0).is_err());
        assert!(FokkerPlanck::new(q.clone(), -1.0, Scheme::Bdf2).is_err());
        assert!(FokkerPlanck::new(q.clone(), f64::NAN, Scheme::Bdf2).is_err());
        let mut s = FokkerPlanck::new(q.clone(), 1.0, Scheme::Bdf2).unwrap();
        assert!(s.step(|x| x, 0.0).is_err());
        assert!(s.step(|x| x, f64::INFINITY).is_err());
        assert!(s.step(|_| f64::NAN, 0.1).is_err());
        assert!(s.integrate_to(&|_t: f64, x: f64| x, 0.0, 10).is_err());
        assert!(s.integrate_to(&|_t: f64, x: f64| x, 1.0, 0).is_err());
        assert_eq!(s.report().steps, 0);
        assert_eq!(s.density(), &q, "failed steps must not change the state");
        s.step(|x| x, 0.1).unwrap();
        s.step(|x| x, 0.1).unwrap();
        let e = s.step(|x| x, 0.3).unwrap_err();
        assert_eq!(e.parameter(), Some("time-step"));
        s.restart();
        s.step(|x| x, 0.3).unwrap();
        // Backward Euler accepts any ratio.
        let mut s = FokkerPlanck::new(q, 1.0, Scheme::BackwardEuler).unwrap();
        s.step(|x| x, 1e-6).unwrap();
        s.step(|x| x, 1e6).unwrap();
        assert!(s.with_time(f64::NAN).is_err());
    }

    #[test]
    fn both_schemes_keep_density_non_negative_in_steep_potentials_with_huge_steps() {
        // Steep, rugged and discontinuous energies (ΔE up to ~1e4 per face) and dt up to 1e6:
        // the M-matrix structure, the cancellation-free solve and (BDF2) the limiter keep every
        // value ≥ 0 and the mass at 1.
        let grid = Grid::new(-2.0, 2.0, 400).unwrap();
        let energies: [&dyn Fn(f64) -> f64; 4] = [
            &|x: f64| 1e3 * x.powi(4),
            &|x: f64| 200.0 * (7.0 * x).sin() + 50.0 * x,
            &|x: f64| if x.abs() < 0.3 { 0.0 } else { 1e4 },
            &|x: f64| -3e3 * x,
        ];
        // Step sizes; BDF2 restarts before each jump larger than its ratio limit.
        let dts = [1e-4, 2e-4, 4e-4, 1.0, 1.0, 1e6, 1e6, 1e6];
        for (k, energy) in energies.iter().enumerate() {
            for scheme in [Scheme::BackwardEuler, Scheme::Bdf2] {
                let start = grid
                    .density_from_fn(|x| if x > 1.0 { 1.0 } else { 0.0 })
                    .unwrap();
                let mut s = FokkerPlanck::new(start, 1.0, scheme).unwrap();
                for (i, &dt) in dts.iter().enumerate() {
                    if i > 0 && dt > BDF2_MAX_STEP_RATIO * dts[i - 1] {
                        s.restart();
                    }
                    s.step(energy, dt).unwrap();
                    let q = s.density().values();
                    assert!(
                        q.iter().all(|&v| v >= 0.0),
                        "energy {k}, {scheme:?}, dt {dt}: negative value"
                    );
                    // Conditioning: c·ε·n per step, c = 4.
                    let tol = Tolerance::conditioning(4.0 * 400.0 * (i + 1) as f64, 1.0);
                    let mass = s.density().mass();
                    assert!(
                        tol.accepts(1.0, mass),
                        "energy {k}, {scheme:?}, dt {dt}: mass {mass}"
                    );
                }
                // After three steps of 1e6 the density is at the discrete equilibrium for the
                // energies without high barriers: their slowest rate λ is ≳ 0.8 (energy 2:
                // diffusion out of a flat region of width 1.7), and each backward-Euler step
                // contracts by 1/(1 + λ·dt) ≈ 1e-6, so the KL is ≲ 1e4·(1e-6)³ (measured 6e-15).
                // Energy 1 has barriers of ~400 (Kramers time ~e^400) and is not.
                if k != 1 {
                    let kl = s.density().kl_divergence(energy).unwrap();
                    assert!(kl.abs() < 1e-12, "energy {k}, {scheme:?}: KL {kl}");
                }
                if scheme == Scheme::Bdf2 {
                    assert!(
                        s.report().limited_steps > 0,
                        "energy {k}: limiter never acted"
                    );
                    assert_eq!(s.report().backward_euler_steps, 3);
                }
            }
        }
    }

    #[test]
    fn mass_is_conserved_to_round_off() {
        let grid = Grid::new(-4.0, 4.0, 2000).unwrap();
        let start = grid
            .density_from_fn(|x| (-(x - 1.0).powi(2) * 4.0).exp())
            .unwrap();
        let tilted = |t: f64, x: f64| (x * x - 1.0).powi(2) - 2.0 * (3.0 * t).sin() * x;
        for scheme in [Scheme::BackwardEuler, Scheme::Bdf2] {
            let mut s = FokkerPlanck::new(start.clone(), 1.0, scheme).unwrap();
            let steps = 1000;
            s.integrate_to(&tilted, 2.0, steps).unwrap();
            // Conditioning: each step's solve and the mass sum err by ~ε per cell; allow
            // c·ε·√(steps)·n with c = 1 (round-off accumulates as a random walk) — measured
            // drift is far below.
            let tol = Tolerance::conditioning((steps as f64).sqrt() * 2000.0, 1.0);
            let mass = s.density().mass();
            assert!(
                tol.accepts(1.0, mass),
                "{scheme:?}: mass {mass} (tol {tol})"
            );
        }
    }

    #[test]
    fn the_discrete_equilibrium_is_exactly_stationary() {
        let grid = Grid::new(-3.0, 3.0, 600).unwrap();
        let energy = |x: f64| 3.0 * (x * x - 1.0).powi(2) + 0.5 * x;
        let p = grid.equilibrium(energy).unwrap();
        assert!(p.entropy_production(energy, 1.0).unwrap() < 1e-25);
        assert!(p.kl_divergence(energy).unwrap().abs() < 1e-14);
        for scheme in [Scheme::BackwardEuler, Scheme::Bdf2] {
            let mut s = FokkerPlanck::new(p.clone(), 1.0, scheme).unwrap();
            for &dt in &[1e-3, 1e-3, 1.0, 1.0, 1e3] {
                s.restart();
                s.step(energy, dt).unwrap();
            }
            let peak = p.values().iter().fold(0.0f64, |m, &v| m.max(v));
            let tol = Tolerance::conditioning(4.0 * 600.0, peak);
            for (a, b) in s.density().values().iter().zip(p.values()) {
                assert!(tol.accepts(*b, *a), "{scheme:?}: {a} vs {b}");
            }
        }
    }

    #[test]
    fn observables_match_gaussian_closed_forms_to_second_order() {
        // q = N(0.5, s²) against p = N(0, 1/k) of E = kx²/2: closed forms (hand derivation)
        // KL = (k s² − 1 − ln(k s²) + k m²)/2, σ = D[(k − 1/s²)² s² + k² m²],
        // S = ln(2πe s²)/2.
        let (s2, k, m, d): (f64, f64, f64, f64) = (0.3, 2.0, 0.5, 0.7);
        let kl_exact = (k * s2 - 1.0 - (k * s2).ln() + k * m * m) / 2.0;
        let sigma_exact = d * ((k - 1.0 / s2).powi(2) * s2 + k * k * m * m);
        let entropy_exact = (2.0 * std::f64::consts::PI * std::f64::consts::E * s2).ln() / 2.0;
        let energy = |x: f64| k * x * x / 2.0;
        let mut sigma_errors = Vec::new();
        for &n in &[200usize, 400] {
            let grid = Grid::new(-10.0, 10.0, n).unwrap();
            let q = grid
                .density_from_fn(|x| (-(x - m).powi(2) / (2.0 * s2)).exp())
                .unwrap();
            // Midpoint sums of smooth, rapidly decaying integrands: exponentially accurate.
            let kl = q.kl_divergence(energy).unwrap();
            assert!((kl - kl_exact).abs() < 1e-12, "KL {kl} vs {kl_exact}");
            assert!((q.entropy() - entropy_exact).abs() < 1e-12);
            assert!((q.variance() - s2).abs() < 1e-12);
            sigma_errors.push(q.entropy_production(energy, d).unwrap() - sigma_exact);
        }
        // σ_h is an O(h²) approximation: halving h divides the error by 4 (3.9..4.1 allows the
        // O(h⁴) term at these h).
        let ratio = sigma_errors[0] / sigma_errors[1];
        assert!(
            (3.9..4.1).contains(&ratio),
            "error ratio {ratio}, errors {sigma_errors:?}"
        );
    }

    #[test]
    fn entropy_production_is_non_negative_and_backward_euler_dissipates_at_least_it() {
        let grid = Grid::new(-3.0, 3.0, 300).unwrap();
        let energy = |x: f64| (x * x - 1.0).powi(2) * 2.0;
        let start = grid
            .density_from_fn(|x| (-(x - 0.8).powi(2) * 10.0).exp() + 1e-3)
            .unwrap();
        let mut s = FokkerPlanck::new(start, 1.0, Scheme::BackwardEuler).unwrap();
        let mut kl = s.density().kl_divergence(energy).unwrap();
        for &dt in &[1e-4, 1e-3, 1e-2, 0.1, 1.0] {
            s.step(energy, dt).unwrap();
            let sigma = s.entropy_production(energy).unwrap();
            assert!(sigma >= 0.0);
            let kl_new = s.density().kl_divergence(energy).unwrap();
            // Convexity: KL(q¹) − KL(q⁰) ≤ −dt σ(q¹), up to the round-off of the two KL sums.
            let slack = Tolerance::conditioning(64.0, kl).absolute;
            assert!(
                kl_new - kl <= -dt * sigma + slack,
                "dt {dt}: ΔKL {} vs -dtσ {}",
                kl_new - kl,
                -dt * sigma
            );
            kl = kl_new;
        }
    }

    /// KL(t₁) − KL(t₀) + ∫σ dt for BDF2 with the trapezoidal rule, in a fixed potential.
    fn dissipation_residual(steps: usize) -> (f64, f64) {
        let grid = Grid::new(-3.0, 3.0, 300).unwrap();
        let energy = |x: f64| (x * x - 1.0).powi(2) * 2.0 + 0.3 * x;
        // The equilibrium of a tilted energy: q/p = e^{1.5x}/const is smooth and bounded, so
        // there is no initial layer for the time step to resolve.
        let start = grid.equilibrium(|x| energy(x) - 1.5 * x).unwrap();
        let mut s = FokkerPlanck::new(start, 1.0, Scheme::Bdf2).unwrap();
        let dt = 0.5 / steps as f64;
        let kl0 = s.density().kl_divergence(energy).unwrap();
        let mut sigma = s.entropy_production(energy).unwrap();
        let mut integral = 0.0;
        for _ in 0..steps {
            s.step(energy, dt).unwrap();
            let next = s.entropy_production(energy).unwrap();
            integral += 0.5 * dt * (sigma + next);
            sigma = next;
        }
        let kl1 = s.density().kl_divergence(energy).unwrap();
        (kl1 - kl0 + integral, kl0 - kl1)
    }

    #[test]
    fn discrete_dissipation_identity_holds_to_the_time_integrators_order() {
        let (coarse, drop) = dissipation_residual(200);
        let (fine, _) = dissipation_residual(400);
        // The semi-discrete identity is exact, so the residual is the O(dt²) time error only:
        // Richardson estimate of the fine residual |fine − coarse|/3, with a factor 2.
        let tol = Tolerance::error_estimate(2.0, (fine - coarse) / 3.0, drop);
        assert!(
            tol.accepts(0.0, fine),
            "residual {fine} (coarse {coarse}), tol {tol}"
        );
        let ratio = coarse / fine;
        assert!(
            (3.0..5.0).contains(&ratio),
            "residual ratio {ratio}: not second order"
        );
        assert!(
            fine.abs() < 1e-3 * drop,
            "residual {fine} vs KL drop {drop}"
        );
    }

    #[test]
    fn factorisation_is_reused_only_for_identical_energy_and_step() {
        let grid = Grid::new(-2.0, 2.0, 50).unwrap();
        let start = grid.density_from_fn(|x| (-x * x).exp()).unwrap();
        let mut a = FokkerPlanck::new(start.clone(), 1.0, Scheme::BackwardEuler).unwrap();
        let mut b = FokkerPlanck::new(start, 1.0, Scheme::BackwardEuler).unwrap();
        for k in 0..5 {
            let energy = |x: f64| x * x * if k < 3 { 1.0 } else { 2.0 };
            a.step(energy, 0.1).unwrap();
            b.factorisation = Factorisation::default(); // b always refactors
            b.step(energy, 0.1).unwrap();
            assert_eq!(a.density(), b.density(), "step {k}");
        }
    }
}
