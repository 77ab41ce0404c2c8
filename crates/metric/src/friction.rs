//! The friction tensor of a one-dimensional energy family by the exact formula (spec M2, M5, M7).
//!
//! For $E_\theta(x)$ with $x \in \mathbb R$, $\theta \in \mathbb R^n$, $k_BT = 1$ and the chain
//! $dx = -D\,\partial_xE\,dt + \sqrt{2D}\,dW$, the friction tensor (M2) is, by M7,
//! $$\zeta_{ij} = \frac1D\int_{-\infty}^{\infty}\frac{G_i(u)\,G_j(u)}{p(u)}\,du,\qquad
//! G_i(u) = \int_{-\infty}^{u} p(v)\big(X_i(v) - \langle X_i\rangle\big)\,dv
//!        = -\int_u^{\infty} p(v)\big(X_i(v) - \langle X_i\rangle\big)\,dv,$$
//! where $p = e^{-E_\theta}/Z$, $X_i = \partial_{\theta_i}E$ and $\langle\cdot\rangle$ is the
//! equilibrium mean. The same pass gives $\langle X\rangle$ and the Fisher information
//! $I_{F,ij} = \mathrm{Cov}(X_i, X_j)$ (M5).
//!
//! # Method
//!
//! 1. **Support.** The mode is located on the grid $\{0, \pm2^k : -1074 \le k \le 1023\}$ (every
//!    scale of `f64`) and refined by bisection on the sign of $\partial_xE$. From the mode, $E$ is
//!    scanned outward at offsets $d = 2^k$ on each side up to the end of the `f64` range. The
//!    side's width $w$ is the first offset where $E$ has risen by 1; the domain ends at the first
//!    offset beyond which $E - E_{min} - \ln(d/w) \ge$ `tail_drop` (default 80) holds at every
//!    scanned offset, i.e. where $p$ times the distance, a bound on the tail mass of any density
//!    decaying faster than $1/x$, has dropped by $e^{-80}$; where possible, further out, to where
//!    $p\,(d/w)^3$ has (the friction integrand $G^2/p$ decays only like $p\,x^2X^2$ on power-law
//!    tails). If no such offset exists, $p$ is not
//!    normalisable (or its tail is too heavy to truncate): a typed error naming the energy and
//!    $\theta$. So is an $E$ that jumps from a not-yet-decayed value straight to $+\infty$ (an
//!    overflow such as $\ln(1 + x^2)$ once $x^2$ overflows, which would otherwise pass for a
//!    wall).
//! 2. **Panels.** The domain is split at the mode and at $m \pm w\,2^k$ (geometric, so that a heavy
//!    or wide tail costs a few panels per octave), and each panel carries $n$ Chebyshev points of
//!    the second kind (Clenshaw–Curtis). Everything is computed from
//!    $\ln q = -(E - E_{min}) \le 0$, so $q \le 1$ never overflows. A node below $E_{min}$ by
//!    more than the scans' rounding threshold $10^{-9}(1 + |E_{min}|)$ lies in a well the search
//!    missed (narrower than its samples): the search restarts from it. The normalisation
//!    $Z = \int q$ is applied once at the end: $\zeta = \frac{1}{DZ}\int
//!    G_q^2/q$ with $G_q = Z\,G$. $q$ and $1/\sqrt q$ are computed once per node; $X_i$ is
//!    scaled exactly by a power of two $c_i$ (`binary_scale`), and $G_iG_j/q$ is formed as
//!    $(G_i/\sqrt q)(G_j/\sqrt q)$, which neither overflows nor underflows where $G^2$ or $q$
//!    alone would.
//! 3. **One cumulative pass from the nearer end.** On each panel the spectral integration matrix
//!    (the exact indefinite integral of the panel's interpolating polynomial) gives $\int$ from
//!    the panel's left end to every node; its mirror image gives $\int$ to the right end. Panels
//!    left of the mode accumulate from the left end of the domain, panels right of it from the
//!    right end ($G = -\int_u^\infty$), so $G$ keeps its relative accuracy in both tails (M7
//!    notes). $\langle X\rangle$ uses the same nodes and weights, so both passes meet at the mode.
//! 4. **Adaptivity.** A panel is bisected while the two highest Chebyshev coefficients of any of
//!    $q$, $q\,\delta X_i$, $q\,\delta X_i^2$ or $G_i^2/q$ on it, times its half-width, exceed
//!    `rel_tol` times that integrand's total ($|q\,\delta X_i|$'s total for $q\,\delta X_i$).
//! 5. **Error estimate (n vs 2n).** The converged panels are all bisected once more (twice the
//!    nodes) and the whole computation repeated; the finer result is returned and
//!    $|\zeta_{2n} - \zeta_n|$ is reported as the estimate — by the convention of
//!    [`thermocheck_numerics::tolerance::ESTIMATE_FACTOR`], a bound on the error of the coarser
//!    value and so, for a spectrally converging rule, far above that of the returned one.
//!
//! For smooth families the default options reach about $10^{-13}$ relative error (measured
//! against M10–M12 and M9) with about six thousand energy evaluations: the support scan takes
//! $2\times2099$ for the grid (the outward scans reuse its values wherever $m \pm 2^k$ rounds
//! to $\pm2^k$: every offset from a mode at 0, the large ones from any mode), plus 64 uniform
//! samples per initial panel and $n$ per panel of the two passes; see `benches/friction.rs`.
//! The Clenshaw–Curtis rule is built once per node count and process.
//!
//! [`CumulativeSide::LeftOnly`] keeps the naive one-sided $G$ (cumulative from the left end over
//! the whole line) as an explicit option: it is the **wrong** method, kept so that MV5 can show
//! that its round-off residue $\epsilon$ in the right tail makes $\int\epsilon^2/p$ blow up.

use crate::energy::EnergyFamily;
use crate::gaussian::scaled_power;
use nalgebra::{DMatrix, DVector};
use thermocheck_numerics::error::{self, Error, Result, fmt_number};
use thermocheck_numerics::quad::ClenshawCurtis;

/// Default target relative accuracy of the adaptive panel refinement.
pub const DEFAULT_REL_TOL: f64 = 1e-13;
/// Default number of Chebyshev (Clenshaw–Curtis) nodes per panel.
pub const DEFAULT_NODES_PER_PANEL: usize = 24;
/// Default drop of $\ln p$ (below its maximum, corrected by $\ln$ distance) where the domain is
/// truncated: the neglected mass is below $e^{-80} \approx 1.8\times10^{-35}$ of the total.
pub const DEFAULT_TAIL_DROP: f64 = 80.0;
/// Fewest representable points across the width of $p$ (offset where $E$ rises by 1, on the
/// power-of-two scan) below which the density is not resolved in `f64`: $2^{22}$. Node
/// positions round to the `f64` grid, an error of about ulp/width relative per node, which the
/// n-vs-2n estimate sees; at $2^{21}$ (`k*(x-mu)^2/2` at $\mu = 10^6$, $k = 10^7$) the panel
/// refinement chases that noise until its budget is spent, while from $2^{22}$ on ($k \le
/// 5\times10^6$ there) it converges (measured).
pub const RESOLUTION: f64 = 4_194_304.0;

/// Resolution (width in ulp of the mode) below which a failure to reach the requested accuracy
/// is attributed to the location of $p$ rather than to the method: $2^{32}$, where a single
/// node's rounding is already $2^{-32} \approx 2.3\times10^{-10}$ of the width, above the
/// $10^{-10}$ accuracy of the `friction` quantity. Such failures are [`Error::OutOfRange`] (an
/// input error), as below [`RESOLUTION`].
pub const RESOLUTION_LIMITED: f64 = 4_294_967_296.0;

/// Largest share of $\int G_i^2/p$ the outermost octave of the domain may hold before
/// $\zeta_{ii}$ is reported as divergent; below it, the share is added to the error estimate as
/// the truncation error.
const TAIL_SHARE_LIMIT: f64 = 1e-6;

/// Largest number of nodes per panel ([`FrictionOptions::with_nodes_per_panel`]).
const MAX_NODES: usize = 64;

/// Default budget of panels for the adaptive refinement.
pub const DEFAULT_MAX_PANELS: usize = 4000;

/// Which end the cumulative integral $G$ is taken from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CumulativeSide {
    /// From the nearer end: $\int_{-\infty}^u$ left of the mode, $-\int_u^\infty$ right of it
    /// (M7 notes). The correct method.
    #[default]
    NearerEnd,
    /// $\int_{-\infty}^u$ everywhere: the naive one-sided cumulative integral. **Wrong** in the
    /// right tail (its round-off residue $\epsilon$ makes $\epsilon^2/p$ diverge); kept only for
    /// the MV5 regression.
    LeftOnly,
}

/// Validated options of [`friction_tensor`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FrictionOptions {
    rel_tol: f64,
    nodes_per_panel: usize,
    tail_drop: f64,
    max_panels: usize,
    side: CumulativeSide,
}

impl Default for FrictionOptions {
    fn default() -> Self {
        FrictionOptions {
            rel_tol: DEFAULT_REL_TOL,
            nodes_per_panel: DEFAULT_NODES_PER_PANEL,
            tail_drop: DEFAULT_TAIL_DROP,
            max_panels: DEFAULT_MAX_PANELS,
            side: CumulativeSide::NearerEnd,
        }
    }
}

impl FrictionOptions {
    /// Default options with refinement tolerance `rel_tol`.
    ///
    /// # Errors
    /// `rel-tol` not finite and in $[10^{-15}, 10^{-2}]$.
    pub fn new(rel_tol: f64) -> Result<Self> {
        Ok(FrictionOptions {
            rel_tol: error::in_range("rel-tol", rel_tol, 1e-15, 1e-2)?,
            ..Self::default()
        })
    }

    /// The same options with `n` nodes per panel.
    ///
    /// # Errors
    /// `nodes-per-panel` outside $[8, 64]$.
    pub fn with_nodes_per_panel(mut self, n: usize) -> Result<Self> {
        error::count_at_least("nodes-per-panel", n, 8)?;
        error::in_range("nodes-per-panel", n as f64, 8.0, 64.0)?;
        self.nodes_per_panel = n;
        Ok(self)
    }

    /// The same options with another truncation drop of $\ln p$ (module docs, step 1).
    ///
    /// # Errors
    /// `tail-drop` not finite and in $[40, 650]$ (above 650, $q = e^{-\text{drop}}$ would be
    /// subnormal).
    pub fn with_tail_drop(mut self, drop: f64) -> Result<Self> {
        self.tail_drop = error::in_range("tail-drop", drop, 40.0, 650.0)?;
        Ok(self)
    }

    /// The same options with another panel budget.
    ///
    /// # Errors
    /// `max-panels` < 16.
    pub fn with_max_panels(mut self, max_panels: usize) -> Result<Self> {
        self.max_panels = error::count_at_least("max-panels", max_panels, 16)?;
        Ok(self)
    }

    /// The same options with the given side for $G$ ([`CumulativeSide::LeftOnly`] only for the
    /// MV5 regression).
    pub fn with_side(mut self, side: CumulativeSide) -> Self {
        self.side = side;
        self
    }

    /// Refinement tolerance.
    pub fn rel_tol(&self) -> f64 {
        self.rel_tol
    }
    /// Nodes per panel.
    pub fn nodes_per_panel(&self) -> usize {
        self.nodes_per_panel
    }
    /// Truncation drop of $\ln p$.
    pub fn tail_drop(&self) -> f64 {
        self.tail_drop
    }
    /// Panel budget.
    pub fn max_panels(&self) -> usize {
        self.max_panels
    }
    /// Side of the cumulative integral.
    pub fn side(&self) -> CumulativeSide {
        self.side
    }
}

/// The friction tensor $\zeta$ (M2, computed by M7), the Fisher information
/// $I_F = \mathrm{Cov}(X)$ (M5) and $\langle X\rangle = \nabla_\theta F$ at one $\theta$, with
/// their n-vs-2n error estimates and diagnostics.
#[derive(Debug, Clone, PartialEq)]
pub struct FrictionReport {
    /// $\zeta$ ($n\times n$, symmetric), from the finer (2n) computation.
    pub friction: DMatrix<f64>,
    /// $I_F = \mathrm{Cov}(X)$ (M5), from the finer computation.
    pub fisher: DMatrix<f64>,
    /// $\langle X\rangle = \nabla_\theta F$.
    pub mean_statistic: DVector<f64>,
    /// $|\langle X\rangle_{2n} - \langle X\rangle_n|$ elementwise.
    pub mean_statistic_error: DVector<f64>,
    /// $|\zeta_{2n} - \zeta_n|$ elementwise, plus the truncation estimate (the share of
    /// $\int G_i^2/p$ in the outermost octave of the domain, times $|\zeta_{ij}|$, for row $i$
    /// and column $j$).
    pub friction_error: DMatrix<f64>,
    /// $|I_{F,2n} - I_{F,n}|$ elementwise.
    pub fisher_error: DMatrix<f64>,
    /// $\max_{ij}$ `friction_error`$_{ij}/\sqrt{\zeta_{ii}\zeta_{jj}}$: the n-vs-2n difference
    /// and the truncation share together (the absolute error where the diagonal vanishes).
    pub relative_error: f64,
    /// The mode of $p$ (the centre of the two cumulative passes).
    pub mode: f64,
    /// The width of $p$ (the smaller side's offset where $E$ has risen by 1) in units of
    /// $|m|\,\varepsilon$, about an ulp of the mode; $+\infty$ at $m = 0$. At least
    /// [`RESOLUTION`]; below [`RESOLUTION_LIMITED`] the accuracy is limited by the rounding of
    /// the node positions.
    pub resolution: f64,
    /// Truncated domain $[a, b]$.
    pub domain: (f64, f64),
    /// Panels of the returned (finer) computation.
    pub panels: usize,
    /// Energy-family evaluations ($E$ and $\nabla_\theta E$ counted once per node).
    pub evaluations: usize,
}

impl FrictionReport {
    /// Integral relaxation time $\tau_{ij} = \zeta_{ij}/I_{F,ij}$ (M5).
    ///
    /// # Errors
    /// [`Error::OutOfRange`] if $|I_{F,ij}| \le 10^{-12}\sqrt{I_{F,ii}I_{F,jj}}$ (the entry
    /// vanishes to quadrature accuracy, e.g. an off-diagonal that is zero by symmetry), or the
    /// ratio is not finite. Indices out of bounds are a programmer error.
    ///
    /// # Panics
    /// If `i` or `j` is not below the number of parameters.
    #[track_caller]
    pub fn relaxation_time(&self, i: usize, j: usize) -> Result<f64> {
        let n = self.fisher.nrows();
        assert!(
            i < n && j < n,
            "parameter index ({i}, {j}) out of range for {n} parameters"
        );
        let scale = self.fisher[(i, i)].abs().sqrt() * self.fisher[(j, j)].abs().sqrt();
        let fij = self.fisher[(i, j)];
        let tau = self.friction[(i, j)] / fij;
        if fij.abs() <= 1e-12 * scale || !tau.is_finite() {
            return Err(Error::out_of_range(
                &["theta"],
                format!(
                    "τ_{i}{j} = ζ/I_F is undefined: I_F[{i},{j}] = {} vanishes",
                    fmt_number(fij)
                ),
            ));
        }
        Ok(tau)
    }

    /// The diagonal relaxation times $\tau_i = \zeta_{ii}/I_{F,ii}$ (time units).
    ///
    /// Spec: M5.
    ///
    /// # Errors
    /// As [`FrictionReport::relaxation_time`] for a vanishing $I_{F,ii}$.
    pub fn relaxation_times(&self) -> Result<DVector<f64>> {
        let n = self.fisher.nrows();
        let taus: Result<Vec<f64>> = (0..n).map(|i| self.relaxation_time(i, i)).collect();
        Ok(DVector::from_vec(taus?))
    }
}

/// $\zeta(\theta)$, $I_F(\theta)$ and $\langle X\rangle$ of a 1-D family by M7 (module docs).
///
/// $$\zeta_{ij} = \frac1D\int\frac{G_iG_j}{p}\,du,\qquad I_{F,ij} = \mathrm{Cov}(X_i, X_j),$$
/// where $D$ = `diffusion` $> 0$ (squared position per unit time) and $\theta$ = `theta`.
/// Spec: M2, M5, M7.
///
/// # Errors
/// - the family's validation error for $\theta$;
/// - `diffusion` not finite and $> 0$;
/// - [`Error::Parse`] on `energy` if $E_\theta$ is NaN somewhere, $-\infty$, or not confining
///   ($e^{-E}$ not normalisable, or with a tail too heavy to truncate inside the `f64` range),
///   naming the energy and $\theta$; also if $\nabla_\theta E$ is not finite where $p > 0$;
/// - [`Error::Parse`] on `energy` if $\zeta_{ii}$ diverges (the outermost octave of the domain
///   holds more than $10^{-6}$ of $\int G_i^2/p$, so the value would depend on the truncation;
///   a smaller share is added to `friction_error`);
/// - [`Error::NotConverged`] if the panel budget runs out;
/// - [`Error::OutOfRange`] if $\zeta$ or $I_F$ is not representable, or the width of $p$ is
///   below $2^{20}$ ulp of its mode (a density too narrow for `f64` at its location).
///
/// # Examples
/// ```
/// use thermocheck_metric::energy::Stiffness;
/// use thermocheck_metric::friction::{friction_tensor, FrictionOptions};
/// // M11: ζ = 1/(4 D k³) = 0.0625 at k = 2, D = 0.5.
/// let r = friction_tensor(&Stiffness, &[2.0], 0.5, &FrictionOptions::default()).unwrap();
/// assert!((r.friction[(0, 0)] / 0.0625 - 1.0).abs() < 1e-10);
/// assert!((r.fisher[(0, 0)] / 0.125 - 1.0).abs() < 1e-10);
/// ```
pub fn friction_tensor(
    family: &dyn EnergyFamily,
    theta: &[f64],
    diffusion: f64,
    options: &FrictionOptions,
) -> Result<FrictionReport> {
    family.validate(theta)?;
    let d = error::positive("diffusion", diffusion)?;
    let mut counter = Counter::new(family, theta);
    let mut start = None;
    for _restart in 0..RESTARTS {
        let support = locate_support_from(&mut counter, options.tail_drop, start)?;
        match friction_on_support(&mut counter, &support, d, options)? {
            Outcome::Report(report) => return Ok(*report),
            Outcome::DeeperNode(node) => start = Some(node),
        }
    }
    Err(Error::NotConverged {
        method: "mode search of p ∝ e^(-E)".into(),
        detail: format!(
            "{} at θ = {}: the quadrature nodes kept finding energies below the located minimum \
             ({RESTARTS} restarts)",
            family.name(),
            fmt_theta(theta)
        ),
    })
}

/// Restarts of the support search from a quadrature node found below the located minimum.
const RESTARTS: usize = 8;

/// What one M7 computation on a located support gives.
enum Outcome {
    /// The friction tensor.
    Report(Box<FrictionReport>),
    /// A node lies below $E_{min}$ by more than the rounding threshold of the scans: the mode
    /// search missed a deeper well (narrower than its samples). Its neighbouring nodes bracket
    /// it: `(bracket, x)`, the start of a new search.
    DeeperNode(((f64, f64), f64)),
}

/// M7 on the panels of `support` (module docs, steps 2–5), unless a node turns out to lie below
/// the located minimum.
fn friction_on_support(
    counter: &mut Counter<'_>,
    support: &Support,
    d: f64,
    options: &FrictionOptions,
) -> Result<Outcome> {
    let (family, theta) = (counter.family, counter.theta);
    let rule = cached_rule(options.nodes_per_panel);
    // q = e^(E_min - E) at the nodes: at most e^(1e-9 (1 + |E_min|)), or the search restarts.
    let shift = support.energy_min;
    let mut panels: Vec<Panel> = support
        .initial_edges()
        .windows(2)
        .map(|w| Panel::sample(counter, rule, shift, w[0], w[1]))
        .collect::<Result<_>>()?;
    let mode = support.mode;
    // Lengths are measured in units of the wider side's width (scale invariance).
    let scale = support.width.0.max(support.width.1);
    // Every pass (refinement, coarse, 2n check) shares the mode, scale, rule and tolerance.
    let pass_over =
        |counter: &Counter<'_>, panels: &[Panel], side: CumulativeSide, refine_to: Option<f64>| {
            integrate(counter, panels, mode, scale, rule, side, refine_to)
        };
    let converged = loop {
        if let Some(node) = deeper_node(&panels, rule, shift) {
            return Ok(Outcome::DeeperNode(node));
        }
        let pass = pass_over(
            counter,
            &panels,
            CumulativeSide::NearerEnd,
            Some(options.rel_tol),
        )?;
        let flagged = pass.flags.iter().filter(|&&f| f).count();
        if flagged == 0 {
            break pass;
        }
        if 2 * (panels.len() + flagged) > options.max_panels {
            if support.resolution() < RESOLUTION_LIMITED {
                return Err(support.unresolved(
                    family,
                    theta,
                    &format!(
                        "the panel refinement spent its budget of {} panels (rel-tol {}) on the \
                         rounding noise of the node positions",
                        options.max_panels,
                        fmt_number(options.rel_tol)
                    ),
                ));
            }
            return Err(Error::NotConverged {
                method: "M7 friction quadrature (adaptive Chebyshev panels)".into(),
                detail: format!(
                    "{} panels at θ = {} for {}: the budget of {} (counting the 2n check) is spent \
                     before every panel met rel-tol {}",
                    panels.len(),
                    fmt_theta(theta),
                    family.name(),
                    options.max_panels,
                    fmt_number(options.rel_tol)
                ),
            });
        }
        panels = refine(counter, rule, shift, panels, &pass.flags)?;
    };
    // The converged pass is the coarse (n) computation when it used the requested side.
    let coarse = match options.side {
        CumulativeSide::NearerEnd => converged,
        CumulativeSide::LeftOnly => pass_over(counter, &panels, options.side, None)?,
    };
    let all = vec![true; panels.len()];
    let fine_panels = refine(counter, rule, shift, panels, &all)?;
    if let Some(node) = deeper_node(&fine_panels, rule, shift) {
        return Ok(Outcome::DeeperNode(node));
    }
    let fine = pass_over(counter, &fine_panels, options.side, None)?;
    for (i, &flux) in fine.end_flux.iter().enumerate() {
        // G²/p must have decayed over the outermost octave of the domain, or ζ_ii diverges (X
        // grows too fast for the tails of p, e.g. X = ln(1 + x²) under a Cauchy density:
        // G²/p ~ 4 ln²x) and any value would depend on the truncation.
        // (Not for the naive one-sided G, whose tail blows up by design: MV5.)
        if options.side == CumulativeSide::NearerEnd
            && (flux.is_nan() || flux > TAIL_SHARE_LIMIT * fine.g_moment[(i, i)])
        {
            return Err(Error::Parse {
                parameter: "energy".into(),
                expected: format!(
                    "an energy whose friction integral converges at θ = {}: G²/p does not decay \
                     in the tails for parameter {} (the outermost octave holds {:.1e} of the \
                     integral)",
                    fmt_theta(theta),
                    family.parameter_names().get(i).map_or("?", String::as_str),
                    flux / fine.g_moment[(i, i)]
                ),
                text: family.name(),
            });
        }
    }
    let (friction, fisher) = fine.finish(scale, d, family, theta)?;
    let (coarse_friction, coarse_fisher) = coarse.finish(scale, d, family, theta)?;
    let mut friction_error = (&friction - &coarse_friction).abs();
    // Truncation: the outermost octave's share bounds what lies beyond for tails that decay at
    // least geometrically per octave (Cauchy-like tails decay only polynomially; see the check).
    for i in 0..theta.len() {
        let share = fine.end_flux[i] / fine.g_moment[(i, i)];
        for j in 0..theta.len() {
            friction_error[(i, j)] += share * friction[(i, j)].abs();
            friction_error[(j, i)] += share * friction[(j, i)].abs();
        }
    }
    let fisher_error = (&fisher - &coarse_fisher).abs();
    let n = theta.len();
    let mut relative_error: f64 = 0.0;
    for i in 0..n {
        for j in 0..n {
            let s = friction[(i, i)].abs().sqrt() * friction[(j, j)].abs().sqrt();
            let e = friction_error[(i, j)];
            relative_error = relative_error.max(if s > 0.0 { e / s } else { e });
        }
    }
    Ok(Outcome::Report(Box::new(FrictionReport {
        friction,
        fisher,
        mean_statistic: fine.mean.component_mul(&fine.stat_scale),
        mean_statistic_error: (fine.mean.component_mul(&fine.stat_scale)
            - coarse.mean.component_mul(&coarse.stat_scale))
        .abs(),
        friction_error,
        fisher_error,
        relative_error,
        mode,
        resolution: support.resolution(),
        domain: (support.lower, support.upper),
        panels: fine_panels.len(),
        evaluations: counter.evaluations,
    })))
}

/// Friction of the quartic coupling family $E = \theta x^4/4$, $X = x^4/4$, at any coupling:
/// $$\zeta(\theta) = \frac{\zeta_1\,\theta^{-5/2}}{D},$$
/// where $\zeta_1$ is the friction at $\theta = 1$, $D = 1$, computed once by M7
/// ([`friction_tensor`] on [`QuarticCoupling`](crate::energy::QuarticCoupling); $\zeta_1 =
/// 0.0422486400042052955622$, mpmath at 20 digits), and the power is exact by scaling: with
/// $x = \theta^{-1/4}y$, $p_\theta(x)\,dx = p_1(y)\,dy$, $X = \theta^{-1}y^4/4$, so
/// $G_\theta(x) = \theta^{-1}G_1(y)$ and $\int G_\theta^2/p_\theta\,dx = \theta^{-2}\theta^{-1/4}
/// \theta^{-1/4}\int G_1^2/p_1\,dy$. The product is formed in binary exponents, so the result
/// has the relative accuracy of $\zeta_1$ (about $10^{-15}$) for every coupling whose result is
/// representable. Spec: M7 (issue quantity `friction-quartic`).
///
/// # Errors
/// `coupling` or `diffusion` not finite and $> 0$; [`Error::OutOfRange`] if $\zeta$ overflows
/// or underflows.
pub fn quartic_coupling_friction(coupling: f64, diffusion: f64) -> Result<f64> {
    let theta = error::positive("coupling", coupling)?;
    let d = error::positive("diffusion", diffusion)?;
    static ZETA_ONE: std::sync::OnceLock<f64> = std::sync::OnceLock::new();
    let zeta_one = match ZETA_ONE.get() {
        Some(&z) => z,
        None => {
            let r = friction_tensor(
                &crate::energy::QuarticCoupling,
                &[1.0],
                1.0,
                &FrictionOptions::default(),
            )?;
            *ZETA_ONE.get_or_init(|| r.friction[(0, 0)])
        }
    };
    // θ^{-5/2} = (√θ)^{-5}; √ is correctly rounded, so this costs a few ulp.
    let z = scaled_power(zeta_one, &[(theta.sqrt(), -5), (d, -1)]);
    crate::geodesic::representable(
        z,
        false,
        &["coupling", "diffusion"],
        &format!(
            "ζ = ζ₁ θ^(-5/2)/D at θ = {}, D = {}",
            fmt_number(theta),
            fmt_number(d)
        ),
    )
}

/// The Clenshaw–Curtis rule with `n` nodes (validated: $8 \le n \le 64$), built once per
/// process: its construction costs $O(n^3)$ cosines, more than a whole friction evaluation
/// of a simple family.
fn cached_rule(n: usize) -> &'static ClenshawCurtis {
    static RULES: [std::sync::OnceLock<ClenshawCurtis>; MAX_NODES + 1] =
        [const { std::sync::OnceLock::new() }; MAX_NODES + 1];
    RULES[n].get_or_init(|| ClenshawCurtis::new(n))
}

/// $\theta$ as `(a, b, …)` for messages.
pub(crate) fn fmt_theta(theta: &[f64]) -> String {
    let parts: Vec<String> = theta.iter().map(|&t| fmt_number(t)).collect();
    format!("({})", parts.join(", "))
}

/// The error for an energy whose $e^{-E}$ cannot be normalised (or is not a number).
pub(crate) fn not_confining(family: &dyn EnergyFamily, theta: &[f64], why: &str) -> Error {
    Error::Parse {
        parameter: "energy".into(),
        expected: format!(
            "a confining energy at θ = {} (e^(-E) normalisable): {why}",
            fmt_theta(theta)
        ),
        text: family.name(),
    }
}

/// A family at fixed $\theta$ that counts its evaluations.
pub(crate) struct Counter<'a> {
    pub(crate) family: &'a dyn EnergyFamily,
    pub(crate) theta: &'a [f64],
    pub(crate) evaluations: usize,
}

impl<'a> Counter<'a> {
    /// A counter of the energy evaluations of `family` at `theta`, starting at 0.
    pub(crate) fn new(family: &'a dyn EnergyFamily, theta: &'a [f64]) -> Self {
        Counter {
            family,
            theta,
            evaluations: 0,
        }
    }

    /// $E_\theta(x)$; NaN and $-\infty$ are errors naming the energy.
    pub(crate) fn energy(&mut self, x: f64) -> Result<f64> {
        self.evaluations += 1;
        let e = self.family.energy(self.theta, x);
        self.checked(x, e)
    }

    /// `e` = $E_\theta(x)$ as evaluated; NaN and $-\infty$ are errors naming the energy.
    #[inline]
    fn checked(&self, x: f64, e: f64) -> Result<f64> {
        if is_bad_energy(e) {
            return Err(self.bad_energy(x, e));
        }
        Ok(e)
    }

    /// The error for a NaN or $-\infty$ energy `e` at `x` (out of line: the check is on every
    /// node, the message on none).
    #[cold]
    #[inline(never)]
    fn bad_energy(&self, x: f64, e: f64) -> Error {
        not_confining(
            self.family,
            self.theta,
            &format!("E = {} at x = {}", fmt_number(e), fmt_number(x)),
        )
    }
}

/// NaN or $-\infty$: an energy that no density $e^{-E}$ can have.
#[inline]
fn is_bad_energy(e: f64) -> bool {
    e.is_nan() || e == f64::NEG_INFINITY
}

/// Energies above this are "overflowing": a NaN right after one (outward) is read as $+\infty$.
const OVERFLOWING: f64 = 1e100;

impl Counter<'_> {
    /// $E_\theta(x)$ on an outward scan, `previous` being the energy at the previous (inner)
    /// point: a NaN after an energy above $10^{100}$ is the $\infty - \infty$ of an expression
    /// whose terms overflow with opposite signs (e.g. $-3x^2/2 + x^4/8$ at $|x| \sim 10^{154}$)
    /// and is read as $+\infty$; any other NaN is an error.
    fn energy_outward(&mut self, x: f64, previous: f64) -> Result<f64> {
        self.evaluations += 1;
        let e = self.family.energy(self.theta, x);
        self.checked_outward(x, e, previous)
    }

    /// [`Counter::energy_outward`] for an energy `e` = $E_\theta(x)$ already evaluated.
    #[inline]
    fn checked_outward(&self, x: f64, e: f64, previous: f64) -> Result<f64> {
        if e.is_nan() && previous > OVERFLOWING {
            return Ok(f64::INFINITY);
        }
        self.checked(x, e)
    }
}

/// Where $p_\theta$ lives: mode, minimum energy, and the truncated domain (module docs, step 1).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Support {
    /// The mode $m$.
    pub(crate) mode: f64,
    /// $E(m)$.
    pub(crate) energy_min: f64,
    /// Offset from the mode at which $E$ has risen by 1, left and right.
    pub(crate) width: (f64, f64),
    /// Truncation offsets from the mode, left and right (powers of two).
    pub(crate) reach: (f64, f64),
    /// $m - $ left reach.
    pub(crate) lower: f64,
    /// $m + $ right reach.
    pub(crate) upper: f64,
}

impl Support {
    /// The width of $p$ in units of $|m|\varepsilon$ ([`FrictionReport::resolution`]).
    pub(crate) fn resolution(&self) -> f64 {
        self.width.0.min(self.width.1) / (self.mode.abs() * f64::EPSILON)
    }

    /// The [`Error::OutOfRange`] for a density too narrow for `f64` at its location (`why`
    /// says what failed).
    pub(crate) fn unresolved(&self, family: &dyn EnergyFamily, theta: &[f64], why: &str) -> Error {
        Error::out_of_range(
            &["theta"],
            format!(
                "{} at θ = {}: the width of p ({}) is only {} ulp of its mode ({}), so f64 \
                 cannot resolve the density: {why}",
                family.name(),
                fmt_theta(theta),
                fmt_number(self.width.0.min(self.width.1)),
                fmt_number(self.resolution().round()),
                fmt_number(self.mode)
            ),
        )
    }

    /// Panel edges $m - r_L, \dots, m - 2w_L, m - w_L, m, m + w_R, m + 2w_R, \dots, m + r_R$.
    fn initial_edges(&self) -> Vec<f64> {
        let side = |w: f64, r: f64, s: f64| {
            let mut out = Vec::new();
            let mut d = w;
            while d < r {
                out.push(self.mode + s * d);
                d *= 2.0;
            }
            out.push(self.mode + s * r);
            out
        };
        let mut edges: Vec<f64> = side(self.width.0, self.reach.0, -1.0);
        edges.reverse();
        edges.push(self.mode);
        edges.extend(side(self.width.1, self.reach.1, 1.0));
        edges.dedup();
        edges
    }
}

/// Locates the mode and truncation of $p_\theta$ (module docs, step 1).
pub(crate) fn locate_support(counter: &mut Counter<'_>, tail_drop: f64) -> Result<Support> {
    locate_support_from(counter, tail_drop, None)
}

/// [`locate_support`], refining the mode from `start = (bracket, x)` instead of the grid minimum
/// when given: a point below every energy seen so far (a quadrature node in a well that the
/// search missed; [`deeper_node`]).
fn locate_support_from(
    counter: &mut Counter<'_>,
    tail_drop: f64,
    start: Option<((f64, f64), f64)>,
) -> Result<Support> {
    // The grid 0, ±2^k covers every scale of f64.
    let mut best = (counter.energy(0.0)?, 0.0_f64);
    let mut previous = [best.0; 2];
    // E at +2^k and -2^k as evaluated, kept: the outward scans below land on the same points
    // wherever mode ± 2^k rounds to ±2^k (every large offset, and all of them from a mode at
    // 0), and reuse the values instead of evaluating the energy again.
    let BinaryScales {
        powers,
        negated,
        ln: ln_powers,
    } = binary_scales();
    let mut grid = [vec![0.0; SCALES], vec![0.0; SCALES]];
    counter.family.energies(counter.theta, powers, &mut grid[0]);
    counter
        .family
        .energies(counter.theta, negated, &mut grid[1]);
    counter.evaluations += 2 * SCALES;
    // Checked in the order of the scan (+2^k, then -2^k, k ascending), so the first offending
    // point is reported.
    // Where no value is NaN or -inf (the usual case) every check passes and returns the value
    // itself, so the checks (a call and a `Result` per point) are skipped.
    let clean = |g: &[f64]| g.iter().all(|&e| !is_bad_energy(e));
    let grid_clean = [clean(&grid[0]), clean(&grid[1])];
    if grid_clean[0] && grid_clean[1] {
        // The first minimum in scan order, as the checked scan below finds it: the lowest value
        // (in four independent lanes), then its first occurrence.
        let lowest = lowest_of(&grid[0]).min(lowest_of(&grid[1]));
        if lowest < best.0
            && let Some(k) = (0..SCALES).find(|&k| grid[0][k] == lowest || grid[1][k] == lowest)
        {
            best = if grid[0][k] == lowest {
                (lowest, powers[k])
            } else {
                (lowest, negated[k])
            };
        }
    } else {
        for (k, &p) in powers.iter().enumerate() {
            for (side, x) in [p, -p].into_iter().enumerate() {
                let e = counter.checked_outward(x, grid[side][k], previous[side])?;
                previous[side] = e;
                if e < best.0 {
                    best = (e, x);
                }
            }
        }
    }
    let (bracket, x0) = start.unwrap_or((scan_bracket(0.0, best.1), best.1));
    let mut mode = refine_mode(counter, bracket, x0)?;
    // E at the mode itself, so that the widths below are measured from the point the scans
    // start at (never from a lower energy found elsewhere).
    let mut energy_min = counter.energy(mode)?;
    for _restart in 0..8 {
        let mut sides = [(0.0, 0.0); 2];
        let mut lower_found = None;
        for (s_i, s) in [-1.0, 1.0].into_iter().enumerate() {
            let mut previous = energy_min;
            let (grid_side, side_clean, signed) = if s < 0.0 {
                (&grid[1], grid_clean[1], negated)
            } else {
                (&grid[0], grid_clean[0], powers)
            };
            let lower_threshold = -1e-9 * (1.0 + energy_min.abs());
            // Arithmetic on subnormals is slow (microcode assists), and a quarter of the scan
            // is subnormal: s·d is taken from the table of ±2^k, and E − E_min is E itself
            // when E_min = 0 (the same values, without the subnormal operations).
            let rise_of = |e: f64| if energy_min == 0.0 { e } else { e - energy_min };
            // From a mode at 0 every x = ±2^k is a grid point (none equals the mode, all are
            // finite), and the grid values pass the checks unchanged: the scan is the grid
            // itself, read in place.
            let bulk = mode == 0.0 && side_clean;
            let (mut offsets_scanned, mut ln_offsets_scanned, mut rises_scanned) =
                (Vec::new(), Vec::new(), Vec::new());
            if bulk {
                if energy_min != 0.0 {
                    rises_scanned.extend(grid_side.iter().map(|&e| rise_of(e)));
                }
            } else {
                offsets_scanned.reserve(SCALES);
                ln_offsets_scanned.reserve(SCALES);
                rises_scanned.reserve(SCALES);
                for (k, (&d, &sd)) in powers.iter().zip(signed).enumerate() {
                    let x = if mode == 0.0 { sd } else { mode + sd };
                    if x == mode {
                        continue;
                    }
                    if !x.is_finite() {
                        break;
                    }
                    let e = if x == sd && side_clean {
                        grid_side[k]
                    } else if x == sd {
                        counter.checked_outward(x, grid_side[k], previous)?
                    } else {
                        counter.energy_outward(x, previous)?
                    };
                    previous = e;
                    let rise = rise_of(e);
                    if rise < lower_threshold && lower_found.is_none_or(|(el, _)| e < el) {
                        lower_found = Some((e, x));
                    }
                    offsets_scanned.push(d);
                    ln_offsets_scanned.push(ln_powers[k]);
                    rises_scanned.push(rise);
                }
            }
            let (offsets, ln_offsets, rises): (&[f64], &[f64], &[f64]) = if bulk {
                // No grid value lies below E_min: E_min starts at E(mode) <= the grid minimum
                // (the mode is refined from it, or from a start point below it, and never rises
                // above its starting point) and only falls on a restart, so the lower-well test
                // of the scalar scan cannot fire here.
                let rises = if energy_min == 0.0 {
                    grid_side.as_slice()
                } else {
                    &rises_scanned
                };
                (powers, ln_powers, rises)
            } else {
                (&offsets_scanned, &ln_offsets_scanned, &rises_scanned)
            };
            let Some(w_i) = rises.iter().position(|&r| r >= 1.0) else {
                return Err(not_confining(
                    counter.family,
                    counter.theta,
                    &format!(
                        "E does not rise by 1 above its minimum {} on the {} side within the f64 range",
                        fmt_number(energy_min),
                        if s < 0.0 { "left" } else { "right" }
                    ),
                ));
            };
            let width = offsets[w_i];
            // ln 2^k from the table (the same values as `offsets[i].ln()`).
            let ln_width = ln_offsets[w_i];
            let tail_ok = |i: usize| {
                rises[i] == f64::INFINITY || rises[i] - (ln_offsets[i] - ln_width) >= tail_drop
            };
            let last = offsets.len() - 1;
            let reach_i = match (0..=last).rev().find(|&i| !tail_ok(i)) {
                None => 0,
                Some(i) if i == last => {
                    return Err(not_confining(
                        counter.family,
                        counter.theta,
                        &format!(
                            "on the {} side p·|x| has not dropped by e^-{} at |x - mode| = {} \
                             (E - E_min = {})",
                            if s < 0.0 { "left" } else { "right" },
                            fmt_number(tail_drop),
                            fmt_number(offsets[last]),
                            fmt_number(rises[last])
                        ),
                    ));
                }
                Some(i) if rises[i + 1] == f64::INFINITY => {
                    // E jumps from "not yet decayed" to +∞: almost always an overflow of the
                    // expression (e.g. ln(1 + x²) once x² overflows), not a hard wall.
                    return Err(not_confining(
                        counter.family,
                        counter.theta,
                        &format!(
                            "on the {} side E overflows to +inf at |x - mode| = {} before p·|x| \
                             has dropped by e^-{} (E - E_min = {} at {}), so normalisability \
                             cannot be decided",
                            if s < 0.0 { "left" } else { "right" },
                            fmt_number(offsets[i + 1]),
                            fmt_number(tail_drop),
                            fmt_number(rises[i]),
                            fmt_number(offsets[i])
                        ),
                    ));
                }
                Some(i) => i + 1,
            };
            // The friction integrand G²/p decays like p·x²·X² on power-law tails: where the
            // stronger rule p·|x|³ ≤ e^-drop can be met (always, for tails faster than any
            // power), truncate there instead; otherwise the tail-share check of
            // `friction_tensor` decides whether ζ converges.
            let strong_ok = |i: usize| {
                rises[i] == f64::INFINITY
                    || rises[i] - 3.0 * (ln_offsets[i] - ln_width) >= tail_drop
            };
            let reach_i = match (0..=last).rev().find(|&i| !strong_ok(i)) {
                None => reach_i,
                Some(i) if i == last || rises[i + 1] == f64::INFINITY => reach_i,
                Some(i) => reach_i.max(i + 1),
            };
            sides[s_i] = (width, offsets[reach_i].max(width));
        }
        if let Some((_, x)) = lower_found {
            let bracket = scan_bracket(mode, x);
            // The scan found a deeper well than the grid: recentre there and scan again.
            mode = refine_mode(counter, bracket, x)?;
            energy_min = counter.energy(mode)?;
            continue;
        }
        let support = Support {
            mode,
            energy_min,
            width: (sides[0].0, sides[1].0),
            reach: (sides[0].1, sides[1].1),
            lower: mode - sides[0].1,
            upper: mode + sides[1].1,
        };
        // The outward scans see only offsets 2^k from the mode, so on a corrugated energy they
        // can miss a deeper well (k x²/2 + 8 cos x at k = 0.01: from the local minimum 5π, no
        // offset lands near ±π). Sample every initial panel (octave) uniformly as well; a lower
        // sample recentres the search there.
        if let Some((bracket, x)) = lower_on_panels(counter, &support)? {
            mode = refine_mode(counter, bracket, x)?;
            energy_min = counter.energy(mode)?;
            continue;
        }
        if support.resolution() < RESOLUTION {
            return Err(support.unresolved(
                counter.family,
                counter.theta,
                "fewer than 2^22 representable points across it",
            ));
        }
        return Ok(support);
    }
    Err(Error::NotConverged {
        method: "mode search of p ∝ e^(-E)".into(),
        detail: format!(
            "{} at θ = {}: the outward scans kept finding lower energies",
            counter.family.name(),
            fmt_theta(counter.theta)
        ),
    })
}

/// The lowest of `values`, none of which is NaN, by four interleaved running minima (independent
/// chains, unlike one `fold`); $+\infty$ for none.
fn lowest_of(values: &[f64]) -> f64 {
    let mut lanes = [f64::INFINITY; 4];
    let blocks = values.chunks_exact(4);
    let rest = blocks.remainder();
    for block in blocks {
        for (m, &v) in lanes.iter_mut().zip(block) {
            *m = if v < *m { v } else { *m };
        }
    }
    for &v in rest {
        lanes[0] = if v < lanes[0] { v } else { lanes[0] };
    }
    lanes.into_iter().fold(f64::INFINITY, f64::min)
}

/// The number of binary scales $2^k$, $-1074 \le k \le 1023$, of `f64`.
const SCALES: usize = 2098;

/// The grid of binary scales, ascending in $k = -1074, \dots, 1023$.
struct BinaryScales {
    /// $2^k$: exact doublings of the smallest subnormal (the same values as `2f64.powi(k)`).
    powers: Vec<f64>,
    /// $-2^k$.
    negated: Vec<f64>,
    /// $\ln 2^k$ (by `f64::ln`).
    ln: Vec<f64>,
}

/// The [`BinaryScales`], computed once per process.
fn binary_scales() -> &'static BinaryScales {
    static SCALE_TABLE: std::sync::OnceLock<BinaryScales> = std::sync::OnceLock::new();
    SCALE_TABLE.get_or_init(|| {
        let powers: Vec<f64> = std::iter::successors(Some(f64::from_bits(1)), |&p| Some(2.0 * p))
            .take(SCALES)
            .collect();
        BinaryScales {
            negated: powers.iter().map(|&p| -p).collect(),
            ln: powers.iter().map(|&p| p.ln()).collect(),
            powers,
        }
    })
}

/// Points sampled uniformly per initial panel by [`lower_on_panels`].
const PANEL_SAMPLES: usize = 64;

/// The lowest of [`PANEL_SAMPLES`] uniform samples of $E$ in each initial panel of `support`, with
/// its neighbouring samples, if it lies below $E_{min}$ by more than $10^{-9}(1 + |E_{min}|)$
/// (rounding of the energy, as in the outward scans).
fn lower_on_panels(
    counter: &mut Counter<'_>,
    support: &Support,
) -> Result<Option<((f64, f64), f64)>> {
    let threshold = support.energy_min - 1e-9 * (1.0 + support.energy_min.abs());
    let mut best: Option<(f64, (f64, f64), f64)> = None;
    let mut xs = [0.0; PANEL_SAMPLES - 1];
    let mut es = [0.0; PANEL_SAMPLES - 1];
    for w in support.initial_edges().windows(2) {
        let (a, b) = (w[0], w[1]);
        let step = (b - a) / PANEL_SAMPLES as f64;
        for (j, x) in (1..PANEL_SAMPLES).zip(xs.iter_mut()) {
            *x = a + step * j as f64;
        }
        counter.family.energies(counter.theta, &xs, &mut es);
        counter.evaluations += xs.len();
        for (&x, &e) in xs.iter().zip(&es) {
            let e = counter.checked(x, e)?;
            if e < threshold && best.is_none_or(|(eb, _, _)| e < eb) {
                best = Some((e, (x - step, x + step), x));
            }
        }
    }
    Ok(best.map(|(_, bracket, x)| (bracket, x)))
}

/// The neighbours of a scan minimum `x0` found at offset $d = x_0 - c$ from the scan's centre
/// $c$ (0 for the initial grid, the current mode for the outward scans): $c + d/2$ and $c + 2d$,
/// ordered (or $x_0 \pm 2^{-1074}$ at $d = 0$).
fn scan_bracket(centre: f64, x0: f64) -> (f64, f64) {
    let tiny = 2f64.powi(-1074);
    let d = x0 - centre;
    if d == 0.0 {
        (x0 - tiny, x0 + tiny)
    } else {
        let (near, far) = (centre + 0.5 * d, centre + 2.0 * d);
        if d > 0.0 { (near, far) } else { (far, near) }
    }
}

/// Refines a sampled minimum `x0` by bisection on the sign of $\partial_xE$ between its
/// neighbouring sample points `bracket`. Keeps `x0` without a sign change, and also when the
/// bisection ends at a higher energy than $E(x_0)$ (on a corrugated energy the bracket can hold
/// several stationary points, and bisection may converge to a higher local minimum); so
/// $E(\text{result}) \le E(x_0)$.
fn refine_mode(counter: &mut Counter<'_>, (mut lo, mut hi): (f64, f64), x0: f64) -> Result<f64> {
    if !hi.is_finite() || !lo.is_finite() || lo >= hi {
        return Ok(x0);
    }
    let grad = |c: &mut Counter<'_>, x: f64| {
        c.evaluations += 1;
        c.family.grad_x(c.theta, x)
    };
    if !(grad(counter, lo) < 0.0 && grad(counter, hi) > 0.0) {
        return Ok(x0);
    }
    for _ in 0..2200 {
        // Bisect in value, or in magnitude when the bracket spans many octaves of one sign.
        let mid = if lo > 0.0 && hi > 4.0 * lo {
            (lo * hi).sqrt()
        } else if hi < 0.0 && lo < 4.0 * hi {
            -(lo * hi).sqrt()
        } else {
            lo + 0.5 * (hi - lo)
        };
        if mid <= lo || mid >= hi {
            break;
        }
        let g = grad(counter, mid);
        if g.is_nan() {
            break;
        }
        if g < 0.0 {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    let (elo, ehi, e0) = (
        counter.energy(lo)?,
        counter.energy(hi)?,
        counter.energy(x0)?,
    );
    let (x, e) = if elo <= ehi { (lo, elo) } else { (hi, ehi) };
    // On a tie the sampled point is kept: a flat bottom (E = kx²/2 at x = ±2^-1074 rounds to
    // E(0)) then leaves the mode on the grid point 0, where the outward scans reuse the grid.
    Ok(if e < e0 { x } else { x0 })
}

/// One panel $[a, b]$ with $E$, $q = e^{s - E}$, $1/\sqrt q$ and $X$ at its $n$ nodes, in one
/// allocation (panels are made by the hundred per call).
struct Panel {
    a: f64,
    b: f64,
    /// `[E (n) | q (n) | 1/√q, 0 where q = 0 (n) | X node-major (n·n_params) | max|X_i| where
    /// q > 0 (n_params)]`: `X_i(x_j)` at `3n + j·n_params + i`.
    values: Vec<f64>,
    n: usize,
    /// Whether every $X_i$ is finite where $q > 0$.
    stat_finite: bool,
    /// The lowest $E$ at the nodes, and its node.
    lowest: (f64, usize),
}

impl Panel {
    fn sample(
        counter: &mut Counter<'_>,
        rule: &ClenshawCurtis,
        shift: f64,
        a: f64,
        b: f64,
    ) -> Result<Self> {
        let np = counter.theta.len();
        let n = rule.len();
        let mut values = vec![0.0; n * (3 + np) + np];
        let (mid, half) = (0.5 * (a + b), 0.5 * (b - a));
        let mut xs = [0.0; MAX_NODES];
        let xs = &mut xs[..n];
        for (j, (x, &t)) in xs.iter_mut().zip(rule.nodes()).enumerate() {
            *x = if j == 0 {
                a
            } else if j == n - 1 {
                b
            } else {
                mid + half * t
            };
        }
        let (energy, rest) = values.split_at_mut(n);
        let (q, rest) = rest.split_at_mut(n);
        let (q_root_inverse, rest) = rest.split_at_mut(n);
        let stat = &mut rest[..n * np];
        counter
            .family
            .energies_and_grads(counter.theta, xs, energy, stat);
        counter.evaluations += n;
        if let Some(j) = energy.iter().position(|&e| is_bad_energy(e)) {
            return Err(counter.bad_energy(xs[j], energy[j]));
        }
        let lowest =
            energy.iter().enumerate().fold(
                (f64::INFINITY, 0),
                |m, (j, &e)| if e < m.0 { (e, j) } else { m },
            );
        for ((v, r), &e) in q
            .iter_mut()
            .zip(q_root_inverse.iter_mut())
            .zip(energy.iter())
        {
            (*v, *r) = boltzmann_weights(shift, e);
        }
        let mut panel = Panel {
            a,
            b,
            values,
            n,
            stat_finite: true,
            lowest,
        };
        panel.summarise_stat();
        Ok(panel)
    }

    /// Sets $\max|X_i|$ over the nodes where $q > 0$, and whether $X$ is finite there (once per
    /// panel and shift, not per pass).
    fn summarise_stat(&mut self) {
        let (n, np) = (self.n, self.n_params());
        let len = self.values.len();
        let (head, largest) = self.values.split_at_mut(len - np);
        let (q, stat) = (&head[n..2 * n], &head[3 * n..]);
        let mut finite = true;
        for (i, l) in largest.iter_mut().enumerate() {
            let mut m = 0.0_f64;
            for (x, &qv) in stat.iter().skip(i).step_by(np).zip(q) {
                if qv > 0.0 {
                    finite &= x.is_finite();
                    // Not `f64::max`: its NaN handling costs a chain of selects, and a NaN
                    // here is reported through `finite` anyway.
                    let a = x.abs();
                    m = if a > m { a } else { m };
                }
            }
            *l = m;
        }
        self.stat_finite = finite;
    }

    /// $q = e^{s - E}$ at the nodes.
    fn q(&self) -> &[f64] {
        &self.values[self.n..2 * self.n]
    }

    /// $1/\sqrt q$ at the nodes (0 where $q = 0$).
    fn q_root_inverse(&self) -> &[f64] {
        &self.values[2 * self.n..3 * self.n]
    }

    /// The number of parameters.
    fn n_params(&self) -> usize {
        (self.values.len() - 3 * self.n) / (self.n + 1)
    }

    /// $X$ at the nodes, node-major: `stat()[j * n_params + i]` is $X_i(x_j)$.
    fn stat(&self) -> &[f64] {
        &self.values[3 * self.n..self.values.len() - self.n_params()]
    }

    /// $\max|X_i|$ over the nodes where $q > 0$.
    fn stat_largest(&self) -> &[f64] {
        &self.values[self.values.len() - self.n_params()..]
    }

    fn x(&self, rule: &ClenshawCurtis, j: usize) -> f64 {
        0.5 * (self.a + self.b) + 0.5 * (self.b - self.a) * rule.nodes()[j]
    }
}

/// The error for the first node where $p > 0$ and some $X_i$ is not finite (the caller's
/// energy at fault), if there is one.
fn non_finite_statistic(
    at: &Counter<'_>,
    panels: &[Panel],
    rule: &ClenshawCurtis,
    np: usize,
) -> Option<Error> {
    for p in panels {
        for (j, (stat, &qv)) in p.stat().chunks_exact(np).zip(p.q()).enumerate() {
            if let Some(i) = stat
                .iter()
                .position(|v| !v.is_finite())
                .filter(|_| qv > 0.0)
            {
                let names = at.family.parameter_names();
                return Some(Error::Parse {
                    parameter: "energy".into(),
                    expected: format!(
                        "finite ∂E/∂{} wherever p > 0 at θ = {} (it is {} at x = {})",
                        names.get(i).map_or("θ", String::as_str),
                        fmt_theta(at.theta),
                        fmt_number(stat[i]),
                        fmt_number(p.x(rule, j))
                    ),
                    text: at.family.name(),
                });
            }
        }
    }
    None
}

/// The lowest node of `panels` if it lies below $E_{min}$ = `energy_min` by more than the
/// scans' rounding threshold $10^{-9}(1 + |E_{min}|)$, with its neighbouring nodes as a bracket.
fn deeper_node(
    panels: &[Panel],
    rule: &ClenshawCurtis,
    energy_min: f64,
) -> Option<((f64, f64), f64)> {
    let threshold = energy_min - 1e-9 * (1.0 + energy_min.abs());
    let p = panels
        .iter()
        .filter(|p| p.lowest.0 < threshold)
        .min_by(|a, b| a.lowest.0.total_cmp(&b.lowest.0))?;
    let j = p.lowest.1;
    let x = p.x(rule, j);
    let lo = if j == 0 { p.a } else { p.x(rule, j - 1) };
    let hi = if j + 1 == rule.len() {
        p.b
    } else {
        p.x(rule, j + 1)
    };
    Some(((lo, hi), x))
}

/// $q = e^{s - E}$ and $1/\sqrt q$ (0 where $q = 0$, i.e. where $p$ and every integrand
/// vanish), from one exponential $h = e^{(s - E)/2}$: $q = h^2$ (a few ulp from $e^{s-E}$),
/// and $1/\sqrt q = 1/h$, without a square root per node.
fn boltzmann_weights(shift: f64, e: f64) -> (f64, f64) {
    let h = (0.5 * (shift - e)).exp();
    let q = h * h;
    (q, if q > 0.0 { 1.0 / h } else { 0.0 })
}

/// Bisects the flagged panels.
fn refine(
    counter: &mut Counter<'_>,
    rule: &ClenshawCurtis,
    shift: f64,
    panels: Vec<Panel>,
    flags: &[bool],
) -> Result<Vec<Panel>> {
    let mut out = Vec::with_capacity(panels.len() * 2);
    for (p, &split) in panels.into_iter().zip(flags) {
        let mid = 0.5 * (p.a + p.b);
        if split && mid > p.a && mid < p.b {
            out.push(Panel::sample(counter, rule, shift, p.a, mid)?);
            out.push(Panel::sample(counter, rule, shift, mid, p.b)?);
        } else {
            out.push(p);
        }
    }
    Ok(out)
}

/// The unnormalised moments of one pass over the panels, in the units $y = (x - m)/s$ and
/// $\tilde X_i = X_i/c_i$ (so that they stay $O(1)$ whatever the scales of $x$ and $X$).
struct Pass {
    /// $Z_y = \int q\,dy$.
    z: f64,
    /// $c_i$: the largest power of two $\le \max|X_i|$ over the nodes where $p > 0$ ([`binary_scale`]).
    stat_scale: DVector<f64>,
    /// $\langle \tilde X\rangle$.
    mean: DVector<f64>,
    /// $\int G_{q,i}G_{q,j}/q$.
    g_moment: DMatrix<f64>,
    /// $\int q\,\delta X_i\delta X_j$.
    x_cov: DMatrix<f64>,
    /// Panels to bisect.
    flags: Vec<bool>,
    /// $\int G_{q,i}^2/q$ over the outermost panel on either side (the larger): the share of the
    /// last octave of the domain, which is negligible exactly when the integrand decays.
    end_flux: Vec<f64>,
}

impl Pass {
    /// $\zeta_{ij} = c_ic_js^2\,M^G_{ij}/(DZ_y)$ and $I_{F,ij} = c_ic_j\,M^X_{ij}/Z_y$, multiplied
    /// in binary exponents so that only a non-representable result overflows.
    fn finish(
        &self,
        s: f64,
        d: f64,
        family: &dyn EnergyFamily,
        theta: &[f64],
    ) -> Result<(DMatrix<f64>, DMatrix<f64>)> {
        let np = self.mean.len();
        let c = &self.stat_scale;
        let zeta = DMatrix::from_fn(np, np, |i, j| {
            scaled_power(
                self.g_moment[(i, j)] / self.z,
                &[(c[i], 1), (c[j], 1), (s, 2), (d, -1)],
            )
        });
        let fisher = DMatrix::from_fn(np, np, |i, j| {
            scaled_power(self.x_cov[(i, j)] / self.z, &[(c[i], 1), (c[j], 1)])
        });
        if zeta.iter().chain(fisher.iter()).any(|v| !v.is_finite())
            || (0..np).any(|i| zeta[(i, i)] == 0.0 && self.g_moment[(i, i)] != 0.0)
        {
            return Err(Error::out_of_range(
                &["theta", "diffusion"],
                format!(
                    "ζ or I_F of {} at θ = {} is not representable in f64",
                    family.name(),
                    fmt_theta(theta)
                ),
            ));
        }
        Ok((zeta, fisher))
    }
}

/// The scale $c$ of a statistic with $\max|X| = v$: the largest power of two $\le v$, but at
/// least the smallest normal $2^{-1022}$ (so that $1/c \le 2^{1022}$ is exact, $X/c$ is an exact
/// multiplication, and $|X/c| < 2$); 1 if $v$ is 0.
fn binary_scale(v: f64) -> f64 {
    if v == 0.0 {
        1.0
    } else if v < f64::MIN_POSITIVE {
        f64::MIN_POSITIVE
    } else if !v.is_finite() {
        v
    } else {
        // Clearing the mantissa of a positive normal number rounds it down to a power of two.
        f64::from_bits(v.to_bits() & !((1_u64 << 52) - 1))
    }
}

/// One pass of M7 over the panels: $Z$, $\langle X\rangle$, $G$ by one cumulative pass from the
/// side(s) chosen, and the moments (module docs, steps 2–4); with `refine_to = Some(rel_tol)`
/// also the panels to bisect (none are flagged with `None`: the 2n pass, whose flags nobody
/// reads, skips the indicators).
// Index loops: node t of panel k is addressed in several parallel arrays at once.
#[allow(clippy::needless_range_loop)]
fn integrate(
    at: &Counter<'_>,
    panels: &[Panel],
    mode: f64,
    length_scale: f64,
    rule: &ClenshawCurtis,
    side: CumulativeSide,
    refine_to: Option<f64>,
) -> Result<Pass> {
    let n = rule.len();
    let np = panels[0].stat().len() / n;
    let count = panels.len();
    // Flat buffers, one allocation each: per parameter f, g at [(k*np + i)*n + t].
    let half = |p: &Panel| 0.5 * (p.b - p.a) / length_scale;
    let z: f64 = panels.iter().map(|p| half(p) * rule.integral(p.q())).sum();
    // Non-finite X where p > 0 is the caller's energy at fault. The scale c_i is taken over the
    // same nodes (each panel's summary: `Panel::summarise_stat`).
    let mut stat_scale = DVector::from_element(np, 0.0_f64);
    let all_finite = panels.iter().all(|p| p.stat_finite);
    for (i, c) in stat_scale.iter_mut().enumerate() {
        *c = binary_scale(
            panels
                .iter()
                .map(|p| p.stat_largest()[i])
                .fold(0.0, f64::max),
        );
    }
    if !all_finite && let Some(error) = non_finite_statistic(at, panels, rule, np) {
        return Err(error);
    }
    let inverse_scale: Vec<f64> = stat_scale.iter().map(|c| 1.0 / c).collect();
    // Parameter-major per panel, like f and g: scaled[(k*np + i)*n + t] = X_i(x_t)/c_i on panel
    // k, and 0 where q = 0 (X need not be finite there), so that every product with it below
    // vanishes where p does without a test per node.
    // scaled, f and g: one allocation per pass.
    let mut per_node = vec![0.0; 3 * count * np * n];
    let (scaled, rest) = per_node.split_at_mut(count * np * n);
    let (f, g) = rest.split_at_mut(count * np * n);
    for (k, p) in panels.iter().enumerate() {
        for (t, (stat, &qv)) in p.stat().chunks_exact(np).zip(p.q()).enumerate() {
            if qv > 0.0 {
                for (i, &x) in stat.iter().enumerate() {
                    scaled[(k * np + i) * n + t] = x * inverse_scale[i];
                }
            }
        }
    }
    let sk = |k: usize, i: usize| &scaled[(k * np + i) * n..(k * np + i + 1) * n];
    let mut buf = [0.0; MAX_NODES];
    let buf = &mut buf[..n];
    let mut mean = DVector::zeros(np);
    for (k, p) in panels.iter().enumerate() {
        for i in 0..np {
            for ((b, &qv), &x) in buf.iter_mut().zip(p.q()).zip(sk(k, i)) {
                *b = qv * x;
            }
            mean[i] += half(p) * rule.integral(buf);
        }
    }
    mean /= z;
    // f_i = q δX_i (0 where q = 0).
    for (k, p) in panels.iter().enumerate() {
        for i in 0..np {
            let fi = &mut f[(k * np + i) * n..(k * np + i + 1) * n];
            for ((v, &qv), &x) in fi.iter_mut().zip(p.q()).zip(sk(k, i)) {
                *v = qv * (x - mean[i]);
            }
        }
    }
    let fk = |k: usize, i: usize| &f[(k * np + i) * n..(k * np + i + 1) * n];
    // G_q at every node: one cumulative pass from each end.
    let centre = panels
        .iter()
        .position(|p| p.a >= mode)
        .unwrap_or(panels.len());
    let split = match side {
        CumulativeSide::NearerEnd => centre,
        CumulativeSide::LeftOnly => panels.len(),
    };
    let mut acc = vec![0.0; np];
    for k in 0..split {
        let h = half(&panels[k]);
        for i in 0..np {
            let gi = &mut g[(k * np + i) * n..(k * np + i + 1) * n];
            rule.cumulative(fk(k, i), false, gi);
            for v in gi.iter_mut() {
                *v = acc[i] + h * *v;
            }
            acc[i] += h * rule.integral(fk(k, i));
        }
    }
    acc.fill(0.0);
    for k in (split..panels.len()).rev() {
        let h = half(&panels[k]);
        for i in 0..np {
            let gi = &mut g[(k * np + i) * n..(k * np + i + 1) * n];
            rule.cumulative(fk(k, i), true, gi);
            for v in gi.iter_mut() {
                *v = -(acc[i] + h * *v);
            }
            acc[i] += h * rule.integral(fk(k, i));
        }
    }
    let gk = |k: usize, i: usize| &g[(k * np + i) * n..(k * np + i + 1) * n];
    // Moments and refinement indicators.
    let mut g_moment = DMatrix::zeros(np, np);
    let mut x_cov = DMatrix::zeros(np, np);
    let mut end_flux = vec![0.0_f64; np];
    let mut abs_f = vec![0.0; np];
    // Per panel: indicators [q, (q δX_i, q δX_i², G_i²/q) for each i], flat.
    let per_panel = 1 + 3 * np;
    let mut tails = vec![0.0; count * per_panel];
    let mut fa = [0.0; MAX_NODES];
    let fa = &mut fa[..n];
    // G_i/√q at the nodes of one panel (0 where q = 0): G_iG_j/q as a product of O(G/√q)
    // factors, which neither overflows nor underflows where G² or q alone would.
    let mut g_root = vec![0.0; np * n];
    for (k, p) in panels.iter().enumerate() {
        let h = half(p);
        let qp = panels[k].q();
        let ind = &mut tails[k * per_panel..(k + 1) * per_panel];
        let flagging = refine_to.is_some();
        if flagging {
            ind[0] = h * rule.tail(qp);
        }
        let rp = p.q_root_inverse();
        for i in 0..np {
            for ((v, &g), &r) in g_root[i * n..(i + 1) * n].iter_mut().zip(gk(k, i)).zip(rp) {
                *v = g * r;
            }
        }
        for i in 0..np {
            let fi = fk(k, i);
            let ri = &g_root[i * n..(i + 1) * n];
            for j in i..np {
                let rj = &g_root[j * n..(j + 1) * n];
                for ((b, &a), &c) in buf.iter_mut().zip(ri).zip(rj) {
                    *b = a * c;
                }
                let gm = h * rule.integral(buf);
                if i == j && flagging {
                    ind[1 + 3 * i + 2] = h * rule.tail(buf);
                }
                if i == j && (k == 0 || k == panels.len() - 1) {
                    end_flux[i] = end_flux[i].max(gm.abs());
                }
                for ((b, &fv), &x) in buf.iter_mut().zip(fi).zip(sk(k, j)) {
                    *b = fv * (x - mean[j]);
                }
                let xc = h * rule.integral(buf);
                if i == j && flagging {
                    ind[1 + 3 * i + 1] = h * rule.tail(buf);
                }
                g_moment[(i, j)] += gm;
                x_cov[(i, j)] += xc;
                if i != j {
                    g_moment[(j, i)] += gm;
                    x_cov[(j, i)] += xc;
                }
            }
            if flagging {
                for (a, v) in fa.iter_mut().zip(fi) {
                    *a = v.abs();
                }
                abs_f[i] += h * rule.integral(fa);
                ind[1 + 3 * i] = h * rule.tail(fi);
            }
        }
    }
    let mut totals = vec![z];
    for i in 0..np {
        totals.extend([abs_f[i], x_cov[(i, i)], g_moment[(i, i)]]);
    }
    let Some(rel_tol) = refine_to else {
        return Ok(Pass {
            end_flux,
            z,
            stat_scale,
            mean,
            g_moment,
            x_cov,
            flags: Vec::new(),
        });
    };
    let flags = panels
        .iter()
        .zip(tails.chunks_exact(per_panel))
        .map(|(p, ind)| {
            let splittable = p.b - p.a > 64.0 * f64::EPSILON * p.a.abs().max(p.b.abs());
            splittable
                && ind
                    .iter()
                    .zip(&totals)
                    .any(|(&e, &t)| e > rel_tol * t.abs() || !e.is_finite())
        })
        .collect();
    Ok(Pass {
        end_flux,
        z,
        stat_scale,
        mean,
        g_moment,
        x_cov,
        flags,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::energy::{GaussianMean, GaussianMeanStiffness, Stiffness};

    /// M10–M12 by M7 at the spec's MV1 points: relative error ≤ 1e-10 (the issue's bound), and
    /// the reported n-vs-2n estimate bounds the actual error of the coarse run.
    #[test]
    fn closed_forms_to_1e10() {
        let o = FrictionOptions::default();
        let r = friction_tensor(&GaussianMean::new(2.5).unwrap(), &[0.3], 0.7, &o).unwrap();
        assert!((r.friction[(0, 0)] * 0.7 - 1.0).abs() < 1e-10, "{r:?}");
        assert!((r.fisher[(0, 0)] * 2.5 - 1.0).abs() < 1e-10);
        for (k, d) in [(1.0, 1.0), (2.0, 0.5), (0.3, 1.7), (1e-8, 3.0), (1e9, 0.2)] {
            let r = friction_tensor(&Stiffness, &[k], d, &o).unwrap();
            let exact = 1.0 / (4.0 * d * k * k * k);
            assert!(
                (r.friction[(0, 0)] / exact - 1.0).abs() < 1e-10,
                "k={k}: {} vs {exact}",
                r.friction[(0, 0)]
            );
            assert!((r.fisher[(0, 0)] * 2.0 * k * k - 1.0).abs() < 1e-10);
            assert!((r.mean_statistic[0] * 2.0 * k - 1.0).abs() < 1e-10);
            assert!(r.relative_error < 1e-8);
        }
        let r = friction_tensor(&GaussianMeanStiffness, &[1.0, 2.0], 1.0, &o).unwrap();
        assert!((r.friction[(0, 0)] - 1.0).abs() < 1e-10);
        assert!((r.friction[(1, 1)] / 0.03125 - 1.0).abs() < 1e-10);
        assert!(r.friction[(0, 1)].abs() < 1e-12);
        let tau = r.relaxation_times().unwrap();
        assert!((tau[0] - 0.5).abs() < 1e-10 && (tau[1] - 0.25).abs() < 1e-10);
        assert!(r.relaxation_time(0, 1).is_err());
    }

    #[test]
    fn bad_inputs_are_typed_errors() {
        let o = FrictionOptions::default();
        assert!(friction_tensor(&Stiffness, &[1.0], 0.0, &o).is_err());
        assert!(friction_tensor(&Stiffness, &[-1.0], 1.0, &o).is_err());
        assert!(FrictionOptions::new(0.5).is_err());
        assert!(FrictionOptions::default().with_nodes_per_panel(4).is_err());
        assert!(FrictionOptions::default().with_tail_drop(1000.0).is_err());
    }

    /// The statistic scale is a power of two, exact to invert, for every magnitude: 2^⌊log2 v⌋
    /// for normal v (3 → 2, 2^1023·1.5 → 2^1023), the smallest normal for subnormal v (whose
    /// power-of-two floor would have a reciprocal beyond f64), 1 for 0.
    #[test]
    fn binary_scales_are_powers_of_two_with_exact_reciprocals() {
        assert_eq!(binary_scale(3.0), 2.0);
        assert_eq!(binary_scale(0.75), 0.5);
        assert_eq!(binary_scale(1.5 * 2f64.powi(1023)), 2f64.powi(1023));
        assert_eq!(binary_scale(f64::MIN_POSITIVE * 1.5), f64::MIN_POSITIVE);
        assert_eq!(binary_scale(1e-310), f64::MIN_POSITIVE);
        assert_eq!(binary_scale(0.0), 1.0);
        for v in [3.0, 1e-300, 1e300, f64::MAX, 1e-310, 5e-324] {
            let c = binary_scale(v);
            let r = 1.0 / c;
            assert!(r.is_finite() && r * c == 1.0, "{v}: c = {c}");
            assert!(v / c < 2.0, "{v}");
        }
    }

    /// Corrugated energies k x²/2 + a cos x (review repro): the global minima are near ±π,
    /// and the support search must end there with E_min = E(mode), not at a higher local
    /// minimum (which gave a false OutOfRange). Reference: the minimum of E on a 10⁻⁴ grid over
    /// [-60, 60] (the mode's E must not exceed it), and ζ by mpmath (cos.py of the review,
    /// nested quadrature on 208, 336 and 540 panels) at (a, k) = (8, 0.3), (3, 0.1), (8, 0.01).
    #[test]
    fn corrugated_energies_find_the_global_minimum() {
        use crate::expression::ExpressionFamily;
        let o = FrictionOptions::default();
        for (a, k) in [
            (8.0, 0.01),
            (20.0, 0.01),
            (20.0, 0.02),
            (8.0, 0.3),
            (3.0, 0.1),
        ] {
            let text = format!("k*x^2/2 + {a}*cos(x)");
            let f = ExpressionFamily::new(&text, &["k"]).unwrap();
            let theta = [k];
            let mut counter = Counter::new(&f, &theta);
            let support = locate_support(&mut counter, DEFAULT_TAIL_DROP).unwrap();
            assert_eq!(support.energy_min, f.energy(&[k], support.mode), "{text}");
            let grid_min = (-600_000..=600_000)
                .map(|i| f.energy(&[k], f64::from(i) * 1e-4))
                .fold(f64::INFINITY, f64::min);
            assert!(
                support.energy_min <= grid_min,
                "{text} at k={k}: mode {} E {} above the grid minimum {grid_min}",
                support.mode,
                support.energy_min
            );
            assert!(
                (support.mode.abs() - std::f64::consts::PI).abs() < 0.5,
                "{support:?}"
            );
            let r = friction_tensor(&f, &[k], 1.0, &o).unwrap();
            let reference = match (a, k) {
                (8.0, 0.3) => Some(144.625_542_003_661_15),
                (3.0, 0.1) => Some(2_915.364_591_606_026),
                // cos.py 0.01 8 135 540 (25 digits): 45888756935.47457892474673.
                (8.0, 0.01) => Some(45_888_756_935.474_58),
                _ => None,
            };
            if let Some(z) = reference {
                assert!(
                    (r.friction[(0, 0)] - z).abs() <= r.friction_error[(0, 0)] + 1e-13 * z,
                    "{text}: {} vs mpmath {z}",
                    r.friction[(0, 0)]
                );
            }
        }
    }
}
