//! The workloads of the performance contract, each on the library's real code path.
//!
//! All seeds are fixed; $k_BT = 1$. Sizes default to the contract's (`contract()`
//! constructors); the constructors taking sizes exist for tests and quick runs.

use crate::Workload;
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;
use thermocheck_dissipation::data::Data;
use thermocheck_dissipation::energy::GaussianMean;
use thermocheck_dissipation::gaussian::GaussianProtocol;
use thermocheck_dissipation::learning::LearningProblem;
use thermocheck_dissipation::moments::{self, MomentOptions, MomentRun};
use thermocheck_dissipation::particles::{self, ParticleOptions, ParticleRecord, ParticleRun};
use thermocheck_dissipation::schedule::Schedule;
use thermocheck_metric::energy::{EnergyFamily, QuarticCoupling, Stiffness};
use thermocheck_metric::friction::{FrictionOptions, FrictionReport, friction_tensor};
use thermocheck_numerics::error::{self, Error, Result};
use thermocheck_numerics::ode::OdeOptions;
use thermocheck_numerics::sde::{
    CHUNK_LEN, Ensemble, OuProcess, Xoshiro256PlusPlus, fill_standard_normals, streams,
};
use thermocheck_numerics::stats::par_welford;

/// Master seed of every workload's random streams.
pub const SEED: u64 = 20_251_007;

/// The number of rayon threads the workloads run on (the global pool).
pub fn threads() -> usize {
    rayon::current_num_threads()
}

fn rng_line() -> String {
    format!(
        "Xoshiro256++ stream per {CHUNK_LEN}-particle chunk + rand_distr StandardNormal (ziggurat), \
         rayon {} threads",
        threads()
    )
}

// ---------------------------------------------------------------------------------------------

/// `ou-step`: 100 exact Ornstein–Uhlenbeck steps of $N$ particles in $E = k(x-m)^2/2$, $k = 1$,
/// $m = 0$, $D = 1$, $\Delta t = 0.01$, started from the stationary $\mathcal N(m, 1/k)$
/// ([`Ensemble::step_ou_exact`]).
#[derive(Debug, Clone)]
pub struct OuStep {
    /// Particles $N$.
    pub particles: usize,
    /// Steps per run.
    pub steps: usize,
    process: OuProcess,
}

impl OuStep {
    /// Stiffness $k$, centre $m$, diffusion $D$ and step of the contract.
    pub const TRAP: (f64, f64, f64, f64) = (1.0, 0.0, 1.0, 0.01);

    /// $N = 10^6$, 100 steps.
    pub fn contract() -> Self {
        Self::new(1_000_000, 100).expect("the contract's sizes are valid")
    }

    /// `steps` steps of `particles` particles.
    ///
    /// # Errors
    /// If either is 0.
    pub fn new(particles: usize, steps: usize) -> Result<Self> {
        let (k, m, d, _) = Self::TRAP;
        Ok(OuStep {
            particles: error::count_at_least("particles", particles, 1)?,
            steps: error::count_at_least("steps", steps, 1)?,
            process: OuProcess::new(k, m, d)?,
        })
    }
}

impl Workload for OuStep {
    type Input = Ensemble;
    type Output = Ensemble;

    fn name(&self) -> String {
        "ou-step".into()
    }
    fn unit(&self) -> String {
        "particle-steps/s".into()
    }
    fn work(&self) -> f64 {
        (self.particles * self.steps) as f64
    }
    fn prepare(&mut self) -> Result<Ensemble> {
        let (k, m, _, _) = Self::TRAP;
        Ensemble::gaussian(self.particles, m, 1.0 / k, SEED)
    }
    fn run(&mut self, mut ensemble: Ensemble) -> Result<Ensemble> {
        let dt = Self::TRAP.3;
        for _ in 0..self.steps {
            ensemble.step_ou_exact(&self.process, dt)?;
        }
        Ok(ensemble)
    }
    fn accuracy(&self, ensemble: &Ensemble) -> f64 {
        let exact = 1.0 / Self::TRAP.0;
        (ensemble.moments().variance() - exact).abs() / exact
    }
    fn accuracy_metric(&self, _: &Ensemble) -> String {
        format!(
            "|sample variance - 1/k|/(1/k) after the run (sampling sd sqrt(2/N) = {:.1e})",
            (2.0 / self.particles as f64).sqrt()
        )
    }
    fn threads(&self) -> usize {
        threads()
    }
    fn details(&self, _: &Ensemble) -> Option<serde_json::Value> {
        Some(serde_json::json!({"seed": SEED, "particles": self.particles, "steps": self.steps}))
    }
    fn implementation(&self) -> String {
        format!(
            "thermocheck Ensemble::step_ou_exact (exact OU transition); {}",
            rng_line()
        )
    }
    fn repeats(&self) -> usize {
        5
    }
}

// ---------------------------------------------------------------------------------------------

/// `normals`: $N$ standard normal variates written to a buffer with the generator, chunking and
/// threads of the Langevin steps — the bound of [`OuStep`] and [`Learning`] (one variate per
/// particle-step). A run fills the buffer `fills` times (100 for the contract, like the 100
/// steps of [`OuStep`]), so that its duration, and its exposure to other load on the machine,
/// is comparable with the workloads it bounds.
#[derive(Debug, Clone)]
pub struct Normals {
    /// Variates per fill ($N$).
    pub count: usize,
    /// Fills of the buffer per run.
    pub fills: usize,
    buffer: Vec<f64>,
    streams: Vec<Xoshiro256PlusPlus>,
}

impl Normals {
    /// $N = 10^6$, 100 fills per run.
    pub fn contract() -> Self {
        Self::new(1_000_000, 100).expect("the contract's size is valid")
    }

    /// `fills` fills of `count` variates per run.
    ///
    /// # Errors
    /// If `count` or `fills` is 0.
    pub fn new(count: usize, fills: usize) -> Result<Self> {
        let count = error::count_at_least("count", count, 1)?;
        Ok(Normals {
            count,
            fills: error::count_at_least("fills", fills, 1)?,
            buffer: vec![0.0; count],
            streams: streams(SEED, count.div_ceil(CHUNK_LEN)),
        })
    }

    /// The buffer of the last run.
    pub fn buffer(&self) -> &[f64] {
        &self.buffer
    }
}

/// Fills `buffer` with standard normals, chunk $j$ of [`CHUNK_LEN`] from `streams[j]` by
/// [`fill_standard_normals`], chunks in parallel: exactly the variate generation of
/// [`Ensemble`]'s steps, without the steps.
pub fn fill_normals(buffer: &mut [f64], streams: &mut [Xoshiro256PlusPlus]) {
    buffer
        .par_chunks_mut(CHUNK_LEN)
        .zip(streams.par_iter_mut())
        .for_each(|(chunk, rng)| fill_standard_normals(rng, chunk));
}

impl Workload for Normals {
    type Input = ();
    type Output = f64;

    fn name(&self) -> String {
        "normals".into()
    }
    fn unit(&self) -> String {
        "variates/s".into()
    }
    fn work(&self) -> f64 {
        (self.count * self.fills) as f64
    }
    fn prepare(&mut self) -> Result<()> {
        Ok(())
    }
    fn run(&mut self, (): ()) -> Result<f64> {
        for _ in 0..self.fills {
            fill_normals(&mut self.buffer, &mut self.streams);
        }
        Ok(std::hint::black_box(self.buffer[self.count - 1]))
    }
    fn accuracy(&self, _: &f64) -> f64 {
        (par_welford(&self.buffer, CHUNK_LEN, |z| z).variance() - 1.0).abs()
    }
    fn accuracy_metric(&self, _: &f64) -> String {
        format!(
            "|sample variance - 1| of the last fill (sampling sd sqrt(2/N) = {:.1e})",
            (2.0 / self.count as f64).sqrt()
        )
    }
    fn threads(&self) -> usize {
        threads()
    }
    fn details(&self, _: &f64) -> Option<serde_json::Value> {
        Some(
            serde_json::json!({"seed": SEED, "variates_per_fill": self.count, "fills": self.fills}),
        )
    }
    fn implementation(&self) -> String {
        format!("{}; {} fills of the buffer per run", rng_line(), self.fills)
    }
    fn repeats(&self) -> usize {
        5
    }
}

// ---------------------------------------------------------------------------------------------

/// `learning`: persistent-chain learning of a Gaussian mean with work and objective bookkeeping
/// ([`particles::learn_streaming`], every update recorded): $E_\theta = (x-\theta)^2/(2\sigma^2)$,
/// $\sigma^2 = 1$, $D = 1$, $\theta_0 = 0$, $\mu_D = 2$, $T = 1$, the optimal schedule with
/// impulses (D14), $N$ particles from $p_{\theta_0}$, $K$ updates.
#[derive(Debug, Clone)]
pub struct Learning {
    /// Particles $N$.
    pub particles: usize,
    /// Updates $K$.
    pub updates: usize,
    energy: GaussianMean,
    data: Data,
    schedule: Schedule,
}

/// A learning run and its recorded trajectory (one record per update).
#[derive(Debug, Clone)]
pub struct LearningOutput {
    /// The run.
    pub run: ParticleRun,
    /// One record per update.
    pub records: Vec<ParticleRecord>,
}

impl Learning {
    /// $\mu_D - \theta_0$.
    pub const DISTANCE: f64 = 2.0;
    /// $W^* = \Delta^2/(DT + 2\sigma^2)$ (D12) with $\Delta = 2$, $D = T = \sigma^2 = 1$.
    pub const MIN_WORK: f64 = 4.0 / 3.0;

    /// $N = 10^6$, $K = 10^3$.
    pub fn contract() -> Self {
        Self::new(1_000_000, 1000).expect("the contract's sizes are valid")
    }

    /// `particles` particles, `updates` updates.
    ///
    /// # Errors
    /// If either is 0.
    pub fn new(particles: usize, updates: usize) -> Result<Self> {
        let protocol = GaussianProtocol::new(1.0, 1.0, 1.0)?;
        Ok(Learning {
            particles: error::count_at_least("particles", particles, 1)?,
            updates: error::count_at_least("steps", updates, 1)?,
            energy: GaussianMean::new(1.0)?,
            data: Data::gaussian(Self::DISTANCE, 0.0)?,
            schedule: protocol.optimal_schedule(true)?,
        })
    }

    /// $\langle W\rangle$ of the $N \to \infty$ limit of the discrete recursion the particles
    /// follow (the chain mean in place of the sample mean, exactly as the peer's `mean_field`):
    /// impulse $\eta_0$; then $K$ times the exact-OU relaxation of the chain mean over
    /// $h = T/K$ followed by the update $\theta' = \theta + h\,\eta^*(t_k + h/2)(\mu_D -
    /// m)/\sigma^2$; then impulse $\eta_T$; each update costs $(\theta - \theta')m/\sigma^2 +
    /// (\theta'^2 - \theta^2)/(2\sigma^2)$ (with $\sigma^2 = D = T = 1$, $\theta_0 = 0$,
    /// $\mu_D = 2$). Its distance from $W^*$ is the run's O(1/K) discretisation bias.
    pub fn mean_field_work(&self) -> f64 {
        // σ² = D = T = 1, τ = σ²/D = 1: η*(t) = 1/(3 − t), η₀ = 1/3, η_T = 1/2 (D14).
        let h = 1.0 / self.updates as f64;
        let decay = (-h).exp();
        let update = |gain: f64, theta: f64, m: f64| {
            let new = theta + gain * (Self::DISTANCE - m);
            (new, (theta - new) * m + 0.5 * (new * new - theta * theta))
        };
        let (mut theta, mut m) = (0.0, 0.0);
        let (t1, mut work) = update(1.0 / 3.0, theta, m);
        theta = t1;
        for step in 0..self.updates {
            m = theta + (m - theta) * decay;
            let rate = 1.0 / (3.0 - (step as f64 + 0.5) * h);
            let (t1, w) = update(h * rate, theta, m);
            theta = t1;
            work += w;
        }
        work + update(0.5, theta, m).1
    }

    /// $|W_\infty - W^*|/W^*$ of [`Learning::mean_field_work`]: the O(1/K) discretisation bias.
    pub fn discretisation_bias(&self) -> f64 {
        (self.mean_field_work() - Self::MIN_WORK).abs() / Self::MIN_WORK
    }

    /// $\mathrm{sd}(W)/(\sqrt N\,W^*)$ with the run's measured $\mathrm{sd}(W)$.
    pub fn monte_carlo_sd(&self, output: &LearningOutput) -> f64 {
        output.run.work.std_dev() / ((self.particles as f64).sqrt() * Self::MIN_WORK)
    }

    /// One run on the library's path.
    ///
    /// # Errors
    /// As [`particles::learn_streaming`].
    pub fn learn(&self) -> Result<LearningOutput> {
        let problem = LearningProblem::new(&self.energy, &self.data, &self.schedule, &[0.0], 1.0)?;
        let options = ParticleOptions {
            record_every: 1,
            ..ParticleOptions::new(self.particles, self.updates, SEED)?
        };
        let mut records = Vec::with_capacity(self.updates);
        let run = particles::learn_streaming(
            &problem,
            &options,
            |_| {},
            |r| {
                records.push(r.clone());
                Ok(())
            },
        )?;
        Ok(LearningOutput { run, records })
    }
}

impl Workload for Learning {
    type Input = ();
    type Output = LearningOutput;

    fn name(&self) -> String {
        "learning".into()
    }
    fn unit(&self) -> String {
        "particle-steps/s".into()
    }
    fn work(&self) -> f64 {
        (self.particles * self.updates) as f64
    }
    fn prepare(&mut self) -> Result<()> {
        Ok(())
    }
    fn run(&mut self, (): ()) -> Result<LearningOutput> {
        self.learn()
    }
    fn accuracy(&self, output: &LearningOutput) -> f64 {
        (output.run.work.mean() - Self::MIN_WORK).abs() / Self::MIN_WORK
    }
    fn accuracy_metric(&self, output: &LearningOutput) -> String {
        format!(
            "|<W> - W*|/W*, W* = 4/3 (continuous time); O(1/K) discretisation bias {:.2e} \
             (N -> inf limit of the same recursion, K = {}), Monte Carlo sd sd(W)/(sqrt(N) W*) \
             = {:.2e} (measured sd(W) = {:.4})",
            self.discretisation_bias(),
            self.updates,
            self.monte_carlo_sd(output),
            output.run.work.std_dev()
        )
    }
    fn threads(&self) -> usize {
        threads()
    }
    fn details(&self, output: &LearningOutput) -> Option<serde_json::Value> {
        Some(serde_json::json!({
            "seed": SEED,
            "particles": self.particles,
            "updates": self.updates,
            "mean_work": output.run.work.mean(),
            "sd_work": output.run.work.std_dev(),
            "discretisation_bias": self.discretisation_bias(),
            "monte_carlo_sd": self.monte_carlo_sd(output),
        }))
    }
    fn implementation(&self) -> String {
        format!(
            "thermocheck particles::learn_streaming (exact-OU chain, per-particle work, ledger \
             and record every update); {}",
            rng_line()
        )
    }
    fn repeats(&self) -> usize {
        3
    }
}

// ---------------------------------------------------------------------------------------------

/// `moment-ode`: the $N\to\infty$ moment equations of the learning problem of [`Learning`] with
/// $\mu_D = 5$ ([`moments::learn`], Dopri5 to rtol $10^{-10}$, atol $10^{-12}$, impulses as
/// jumps at $0$ and $T$), one output interval.
#[derive(Debug, Clone)]
pub struct MomentOde {
    /// Whether the solver adds its tol/10 companion solve (the library default) for an error
    /// estimate; the contract's comparison with one `solve_ivp` call uses `false`.
    pub estimate_error: bool,
    energy: GaussianMean,
    data: Data,
    schedule: Schedule,
}

impl MomentOde {
    /// $W^* = \Delta^2/(DT + 2\sigma^2) = 25/3$ (spec table D12 row 1).
    pub const MIN_WORK: f64 = 25.0 / 3.0;

    /// One solve at rtol $10^{-10}$, atol $10^{-12}$, without (`false`) or with (`true`) the
    /// tol/10 error estimate.
    pub fn new(estimate_error: bool) -> Self {
        let protocol = GaussianProtocol::new(1.0, 1.0, 1.0).expect("valid protocol");
        MomentOde {
            estimate_error,
            energy: GaussianMean::new(1.0).expect("valid variance"),
            data: Data::gaussian(5.0, 0.0).expect("valid data"),
            schedule: protocol.optimal_schedule(true).expect("valid schedule"),
        }
    }

    /// One solve on the library's path.
    ///
    /// # Errors
    /// As [`moments::learn`].
    pub fn solve(&self) -> Result<MomentRun> {
        let problem = LearningProblem::new(&self.energy, &self.data, &self.schedule, &[0.0], 1.0)?;
        let options = MomentOptions {
            ode: OdeOptions::new(1e-10, 1e-12)?.with_error_estimate(self.estimate_error),
            output_intervals: 1,
        };
        moments::learn(&problem, &options)
    }
}

impl Workload for MomentOde {
    type Input = ();
    type Output = MomentRun;

    fn name(&self) -> String {
        if self.estimate_error {
            "moment-ode+estimate".into()
        } else {
            "moment-ode".into()
        }
    }
    fn unit(&self) -> String {
        "solves/s".into()
    }
    fn work(&self) -> f64 {
        1.0
    }
    fn prepare(&mut self) -> Result<()> {
        Ok(())
    }
    fn run(&mut self, (): ()) -> Result<MomentRun> {
        self.solve()
    }
    fn accuracy(&self, run: &MomentRun) -> f64 {
        (run.final_point().work - Self::MIN_WORK).abs() / Self::MIN_WORK
    }
    fn accuracy_metric(&self, _: &MomentRun) -> String {
        "|W - W*|/W*, W* = 25/3 (spec D12 row 1)".into()
    }
    fn details(&self, run: &MomentRun) -> Option<serde_json::Value> {
        Some(serde_json::json!({
            "rhs_evaluations": run.report.evaluations,
            "accepted_steps": run.report.accepted_steps,
        }))
    }
    fn implementation(&self) -> String {
        format!(
            "thermocheck moments::learn, guarded Dopri5 rtol 1e-10 atol 1e-12{}, state (m, w, θ, \
             W, G, Σ), impulses as jumps",
            if self.estimate_error {
                " plus the tol/10 companion solve (error estimate)"
            } else {
                ", one solve"
            }
        )
    }
    fn repeats(&self) -> usize {
        101
    }
}

// ---------------------------------------------------------------------------------------------

/// The two families of the `friction` workload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrictionFamily {
    /// $E = kx^2/2$, $X = x^2/2$, $k = 2$, $D = 0.5$: $\zeta = 1/(4Dk^3) = 0.0625$ (M11).
    Stiffness,
    /// $E = \theta x^4/4$, $X = x^4/4$, $\theta = 1$, $D = 1$: $\zeta_1 = 0.04224864000420529556$
    /// (mpmath, 20 digits; the contract's reference).
    Quartic,
}

/// `friction-stiffness` / `friction-quartic`: the M7 friction $\zeta$ of a one-parameter family
/// by [`friction_tensor`] with default options (1e-10 relative). A timed run is
/// [`FRICTION_BATCH`] evaluations (about 2–3 ms; one evaluation takes 50–100 µs), so that the
/// 51 timed runs span about 0.1 s rather than a few milliseconds: on this shared machine, runs of
/// single evaluations gave the same binary 9.6k–15.8k evaluations/s in three back-to-back reports.
#[derive(Debug, Clone)]
pub struct Friction {
    /// Which family.
    pub family: FrictionFamily,
    options: FrictionOptions,
}

/// Friction evaluations per timed run of [`Friction`].
pub const FRICTION_BATCH: usize = 32;

impl Friction {
    /// The workload for one family, default options.
    pub fn new(family: FrictionFamily) -> Self {
        Friction {
            family,
            options: FrictionOptions::default(),
        }
    }

    /// `(family, θ, D, reference ζ)`.
    fn case(&self) -> (&'static dyn EnergyFamily, f64, f64, f64) {
        match self.family {
            FrictionFamily::Stiffness => (&Stiffness, 2.0, 0.5, 1.0 / (4.0 * 0.5 * 8.0)),
            // mpmath, 20 digits (PERF-CONTRACT, workload 5b): 0.0422486400042052955622, here
            // rounded to the nearest f64.
            FrictionFamily::Quartic => (&QuarticCoupling, 1.0, 1.0, 0.042_248_640_004_205_29),
        }
    }

    /// One evaluation.
    ///
    /// # Errors
    /// As [`friction_tensor`].
    pub fn evaluate(&self) -> Result<FrictionReport> {
        let (family, theta, d, _) = self.case();
        friction_tensor(family, &[theta], d, &self.options)
    }

    /// The reference value of $\zeta$.
    pub fn reference(&self) -> f64 {
        self.case().3
    }
}

impl Workload for Friction {
    type Input = ();
    type Output = FrictionReport;

    fn name(&self) -> String {
        match self.family {
            FrictionFamily::Stiffness => "friction-stiffness".into(),
            FrictionFamily::Quartic => "friction-quartic".into(),
        }
    }
    fn unit(&self) -> String {
        "evaluations/s".into()
    }
    fn work(&self) -> f64 {
        FRICTION_BATCH as f64
    }
    fn prepare(&mut self) -> Result<()> {
        Ok(())
    }
    fn run(&mut self, (): ()) -> Result<FrictionReport> {
        for _ in 1..FRICTION_BATCH {
            std::hint::black_box(self.evaluate()?);
        }
        self.evaluate()
    }
    fn accuracy(&self, report: &FrictionReport) -> f64 {
        (report.friction[(0, 0)] / self.reference() - 1.0).abs()
    }
    fn accuracy_metric(&self, _: &FrictionReport) -> String {
        match self.family {
            FrictionFamily::Stiffness => "relative error vs exact 1/(4Dk^3) = 0.0625 (M11)".into(),
            FrictionFamily::Quartic => {
                "relative error vs 0.0422486400042052955622 (mpmath, 20 digits)".into()
            }
        }
    }
    fn implementation(&self) -> String {
        format!(
            "thermocheck friction_tensor, default options (Clenshaw-Curtis panels, cumulative G \
             from the nearer end, panels refined to rel-tol 1e-13, n-vs-2n estimate); {} \
             evaluations per timed run",
            FRICTION_BATCH
        )
    }
    fn repeats(&self) -> usize {
        51
    }
}

// ---------------------------------------------------------------------------------------------

/// `verify-quick`: `thermocheck verify --quick` end to end (the built binary, a fresh process),
/// wall seconds.
#[derive(Debug, Clone)]
pub struct VerifyQuick {
    binary: PathBuf,
}

/// What one `verify --quick` run reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VerifyOutcome {
    /// Evidence rows that passed.
    pub passed: u64,
    /// Evidence rows that failed.
    pub failed: u64,
}

impl VerifyQuick {
    /// The workload with the binary at `binary`.
    pub fn new(binary: PathBuf) -> Self {
        VerifyQuick { binary }
    }

    /// The `thermocheck` binary next to the running executable (`target/release/thermocheck`
    /// for the `performance` binary, one level up for criterion's `deps/` executables), or
    /// `THERMOCHECK_BIN` if set.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`]-like input error naming `thermocheck` if none is found.
    pub fn locate() -> Result<Self> {
        if let Some(path) = std::env::var_os("THERMOCHECK_BIN") {
            return Ok(Self::new(PathBuf::from(path)));
        }
        let exe = std::env::current_exe().map_err(|e| missing_binary(&e.to_string()))?;
        exe.ancestors()
            .skip(1)
            .take(3)
            .map(|dir| dir.join(format!("thermocheck{}", std::env::consts::EXE_SUFFIX)))
            .find(|p| p.is_file())
            .map(Self::new)
            .ok_or_else(|| missing_binary(&format!("none next to {}", exe.display())))
    }

    /// The binary's path.
    pub fn binary(&self) -> &Path {
        &self.binary
    }

    /// One run, its wall time measured by the caller.
    ///
    /// # Errors
    /// If the binary cannot be started or its JSON report cannot be read.
    pub fn verify(&self) -> Result<VerifyOutcome> {
        let output = Command::new(&self.binary)
            .args(["verify", "--quick", "--json"])
            .output()
            .map_err(|e| missing_binary(&format!("{}: {e}", self.binary.display())))?;
        let report: serde_json::Value =
            serde_json::from_slice(&output.stdout).map_err(|e| Error::NotConverged {
                method: "thermocheck verify --quick --json".into(),
                detail: format!(
                    "unreadable report ({e}); exit status {}, stderr: {}",
                    output.status,
                    String::from_utf8_lossy(&output.stderr).trim()
                ),
            })?;
        let count = |key: &str| report.get(key).and_then(serde_json::Value::as_u64);
        match (count("passed"), count("failed")) {
            (Some(passed), Some(failed)) => Ok(VerifyOutcome { passed, failed }),
            _ => Err(Error::NotConverged {
                method: "thermocheck verify --quick --json".into(),
                detail: "the report has no passed/failed counts".into(),
            }),
        }
    }
}

fn missing_binary(detail: &str) -> Error {
    Error::OutOfRange {
        parameters: vec!["thermocheck".into()],
        detail: format!(
            "the thermocheck binary is needed (cargo build --release -p thermocheck): {detail}"
        ),
    }
}

impl Workload for VerifyQuick {
    type Input = ();
    type Output = VerifyOutcome;

    fn name(&self) -> String {
        "verify-quick".into()
    }
    fn unit(&self) -> String {
        "s (wall)".into()
    }
    fn work(&self) -> f64 {
        1.0
    }
    fn figure(&self, seconds: f64) -> f64 {
        seconds
    }
    fn prepare(&mut self) -> Result<()> {
        Ok(())
    }
    fn run(&mut self, (): ()) -> Result<VerifyOutcome> {
        self.verify()
    }
    fn accuracy(&self, outcome: &VerifyOutcome) -> f64 {
        outcome.failed as f64
    }
    fn accuracy_metric(&self, _: &VerifyOutcome) -> String {
        "failed evidence rows (0: every check passed)".into()
    }
    fn implementation(&self) -> String {
        // The binary's name only: its absolute path is the measuring machine's, not the report's.
        let name = self.binary.file_name().map_or_else(
            || "thermocheck".into(),
            |n| n.to_string_lossy().into_owned(),
        );
        format!("`{name} verify --quick --json`, a fresh process")
    }
    fn threads(&self) -> usize {
        threads()
    }
    fn repeats(&self) -> usize {
        3
    }
}

/// Wall seconds of one call of `f` and its result.
pub fn timed<T>(f: impl FnOnce() -> T) -> (f64, T) {
    let start = Instant::now();
    let value = f();
    (start.elapsed().as_secs_f64(), value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn learning_discretisation_bias_is_the_peers() {
        // benches/peers/learning.py `mean_field(1000)` and `mean_field(100)` (the same recursion
        // in Python): 1.3333922516234433 and 1.333940321469893, i.e. biases 4.419e-5 and
        // 4.552e-4 - O(1/K), ten times larger at a tenth of the updates.
        let at = |k| Learning::new(10, k).unwrap();
        assert!((at(1000).mean_field_work() - 1.333_392_251_623_443_3).abs() < 1e-13);
        assert!((at(100).mean_field_work() - 1.333_940_321_469_893).abs() < 1e-13);
        let ratio = at(100).discretisation_bias() / at(1000).discretisation_bias();
        assert!((9.0..11.0).contains(&ratio), "{ratio}");
    }

    #[test]
    fn learning_record_states_measured_sd_bias_threads_and_seed() {
        let mut w = Learning::new(4096, 10).unwrap();
        let r = crate::measure(&mut w, 1).unwrap();
        assert_eq!(r.threads, threads());
        let details = r.details.unwrap();
        assert_eq!(details["seed"], SEED);
        let sd = details["sd_work"].as_f64().unwrap();
        assert!(sd > 0.0 && sd.is_finite());
        assert!(
            r.accuracy_metric
                .contains(&format!("measured sd(W) = {sd:.4}")),
            "{}",
            r.accuracy_metric
        );
        assert!(
            r.accuracy_metric
                .contains(&format!("{:.2e}", w.discretisation_bias())),
            "{}",
            r.accuracy_metric
        );
    }

    #[test]
    fn verify_quick_names_the_binary_not_its_path() {
        let w = VerifyQuick::new(PathBuf::from("/some/where/target/release/thermocheck"));
        assert_eq!(
            w.implementation(),
            "`thermocheck verify --quick --json`, a fresh process"
        );
    }
}
