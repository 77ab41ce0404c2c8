//! Self-checks of [`crate::sde`]: the exact-OU ensemble and the OU closed forms against an
//! independent reference (`NV1`), Euler–Maruyama's weak order (`NV2`), and the exact step's
//! freedom from step-size bias (`NV3`).
//!
//! The reference of all three is the pair of moment equations of the Ornstein–Uhlenbeck process
//!
//! $$\dot\mu = -kD\,(\mu - m),\qquad \dot{(\sigma^2)} = -2kD\,\sigma^2 + 2D$$
//!
//! (hand derivation: Itô's formula for $x$ and $(x-\mu)^2$ under the linear drift
//! $-kD(x-m)$ and noise $\sqrt{2D}\,dW$), integrated numerically by [`crate::ode::integrate`] with
//! its tol-vs-tol/10 error estimate. It shares no formula with [`OuProcess`], whose coefficients
//! ($e^{-kD\tau}$, $(1 - e^{-2kD\tau})/k$) feed both the closed forms
//! ([`OuProcess::mean`], [`OuProcess::variance`]) and the exact step. Comparing the ensemble with
//! those closed forms, or one step with many, could not detect a wrong coefficient: a wrong
//! transition that is still the exact law of *some* OU process (e.g. the rate $k\tau$ instead of
//! $kD\tau$, the process with $D = 1$) composes consistently over any number of steps and agrees
//! with closed forms built from the same coefficient. Against the moment ODE, both the closed forms
//! and the ensemble fail (checked by that mutation, dropping $D$ from the rate: `NV1` and `NV3`
//! fail). Every setting has $k \ne D$ and $D \ne 1$, so that a misplaced or missing $k$ or $D$
//! changes the numbers.
//!
//! Tolerances: closed form against the ODE, [`ESTIMATE_FACTOR`] × the ODE's error estimate plus
//! the rounding floor; an ensemble against the ODE, $k\hat\sigma/\sqrt N$ (the ODE's own error,
//! below $10^{-10}$, is seven orders smaller and not added).
//!
//! Sizes per profile (particles; quick / standard / full) keep the quick profile of all three
//! claims well under 1.5 s in release builds on two cores.

use crate::claim::{CheckConfig, Claim, Evidence, Source};
use crate::error::Result;
use crate::ode::{OdeOptions, from_fn, integrate};
use crate::sde::{Ensemble, OuProcess};
use crate::stats::{Welford, log_log_slope};
use crate::tolerance::{DEFAULT_K, ESTIMATE_FACTOR, Tolerance};

pub(super) fn claims() -> Vec<Claim> {
    vec![
        Claim::new(
            "NV1",
            Source::Numerics,
            &[],
            "the OU closed forms and the exact-OU ensemble's mean and variance at time t match the \
             moment ODEs integrated numerically",
            nv1,
        ),
        Claim::new(
            "NV2",
            Source::Numerics,
            &[],
            "Euler–Maruyama's weak error is O(dt)",
            nv2,
        ),
        Claim::new(
            "NV3",
            Source::Numerics,
            &[],
            "the exact-OU step has no step-size bias",
            nv3,
        ),
    ]
}

/// One Ornstein–Uhlenbeck setting: $E = k(x-m)^2/2$, diffusion $D$, Gaussian start
/// $\mathcal N(\mu_0, \sigma_0^2)$, final time $t$.
#[derive(Debug, Clone, Copy)]
struct OuCase {
    stiffness: f64,
    centre: f64,
    diffusion: f64,
    initial_mean: f64,
    initial_variance: f64,
    time: f64,
}

/// The mean and variance at the final time from the moment ODEs, with the solver's error estimate
/// (one absolute bound for both components).
struct MomentReference {
    mean: f64,
    variance: f64,
    estimate: f64,
}

/// The independent reference's method, for the evidence.
const REFERENCE_METHOD: &str = "moment ODEs (Dopri5, rtol 1e-10, tol vs tol/10 estimate)";

impl OuCase {
    fn point(&self) -> String {
        format!(
            "k={}, D={}, m={}, x0~N({}, {}), t={}",
            self.stiffness,
            self.diffusion,
            self.centre,
            self.initial_mean,
            self.initial_variance,
            self.time
        )
    }

    fn process(&self) -> Result<OuProcess> {
        OuProcess::new(self.stiffness, self.centre, self.diffusion)
    }

    /// Integrates $\dot\mu = -kD(\mu-m)$, $\dot{(\sigma^2)} = -2kD\sigma^2 + 2D$ from
    /// $(\mu_0, \sigma_0^2)$ over $[0, t]$ (module docs).
    fn reference(&self) -> Result<MomentReference> {
        let (k, m, d) = (self.stiffness, self.centre, self.diffusion);
        let moments = from_fn(2, move |_t: f64, y: &[f64], dy: &mut [f64]| {
            dy[0] = -k * d * (y[0] - m);
            dy[1] = -2.0 * k * d * y[1] + 2.0 * d;
        });
        let solution = integrate(
            &moments,
            0.0,
            self.time,
            &[self.initial_mean, self.initial_variance],
            &OdeOptions::default(),
        )?;
        Ok(MomentReference {
            mean: solution.y[0],
            variance: solution.y[1],
            // Always present with the default options (estimate on); NaN would fail loudly.
            estimate: solution.report.error_estimate.unwrap_or(f64::NAN),
        })
    }

    /// An ensemble of `n` particles from the start distribution, advanced to `time` by `steps`
    /// exact-OU steps of equal size.
    fn run_exact(&self, n: usize, steps: u32, seed: u64) -> Result<Ensemble> {
        let process = self.process()?;
        let mut ensemble = Ensemble::gaussian(n, self.initial_mean, self.initial_variance, seed)?;
        let dt = self.time / f64::from(steps);
        for _ in 0..steps {
            ensemble.step_ou_exact(&process, dt)?;
        }
        Ok(ensemble)
    }
}

/// An ensemble's mean and sample variance with what their sampling tolerances need: the
/// [`Welford`] of the positions, and the unbiased sample variance together with the Welford of the
/// squared deviations $(x_i - \bar x)^2$, whose standard deviation $\hat\sigma$ gives the
/// variance's tolerance $k\hat\sigma/\sqrt N$ (two passes, both chunk-ordered).
struct Summary {
    positions: Welford,
    variance: f64,
    squared_deviations: Welford,
}

impl Summary {
    fn of(ensemble: &Ensemble) -> Self {
        let positions = ensemble.moments();
        let mean = positions.mean();
        let squared_deviations = ensemble.moments_of(|x| (x - mean) * (x - mean));
        Summary {
            positions,
            variance: positions.variance(),
            squared_deviations,
        }
    }

    fn variance_tolerance(&self) -> Tolerance {
        self.squared_deviations.tolerance(DEFAULT_K)
    }

    fn variance_standard_error(&self) -> f64 {
        self.squared_deviations.standard_error()
    }

    /// The ensemble's mean and variance against the reference, with sampling tolerances.
    fn against(&self, point: &str, method: &str, reference: &MomentReference) -> [Evidence; 2] {
        [
            Evidence::compare(
                point,
                format!("{method}: mean vs {REFERENCE_METHOD}"),
                reference.mean,
                self.positions.mean(),
                self.positions.tolerance(DEFAULT_K),
            ),
            Evidence::compare(
                point,
                format!("{method}: variance vs {REFERENCE_METHOD}"),
                reference.variance,
                self.variance,
                self.variance_tolerance(),
            ),
        ]
    }
}

fn nv1(config: &CheckConfig) -> Result<Vec<Evidence>> {
    const STEPS: u32 = 16;
    let n = config.profile.pick(250_000, 1_000_000, 4_000_000);
    let cases = [
        // Attractive: relaxation from N(−1, 1/4) towards the Boltzmann N(1, 1/2); kDt = 1.
        OuCase {
            stiffness: 2.0,
            centre: 1.0,
            diffusion: 0.5,
            initial_mean: -1.0,
            initial_variance: 0.25,
            time: 1.0,
        },
        // Repulsive (k < 0): the exact step must handle growth, e^{−kDt} = e^{1/5}.
        OuCase {
            stiffness: -0.5,
            centre: 0.5,
            diffusion: 0.8,
            initial_mean: 0.0,
            initial_variance: 0.5,
            time: 0.5,
        },
    ];
    let mut evidence = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        let point = case.point();
        let reference = case.reference()?;
        let process = case.process()?;
        evidence.push(Evidence::compare(
            point.clone(),
            format!("closed form OuProcess::mean vs {REFERENCE_METHOD}"),
            reference.mean,
            process.mean(case.time, case.initial_mean)?,
            Tolerance::error_estimate(ESTIMATE_FACTOR, reference.estimate, reference.mean),
        ));
        evidence.push(Evidence::compare(
            point.clone(),
            format!("closed form OuProcess::variance vs {REFERENCE_METHOD}"),
            reference.variance,
            process.variance(case.time, case.initial_variance)?,
            Tolerance::error_estimate(ESTIMATE_FACTOR, reference.estimate, reference.variance),
        ));
        let ensemble = case.run_exact(n, STEPS, config.stream_seed(100 + i as u64))?;
        let method = format!("exact-OU ensemble, N={n}, {STEPS} steps");
        evidence.extend(Summary::of(&ensemble).against(&point, &method, &reference));
    }
    Ok(evidence)
}

/// Required ratio |bias| / standard error at the smallest step of `NV2`.
///
/// The fitted slope is a weighted sum of $\ln|\text{bias}_i|$ with weights $\pm 0.43, \pm 0.14$
/// (four steps a factor 2 apart); noise of relative size $\epsilon$ on the smallest-step bias
/// moves it by about $0.43\,\epsilon$. With the bias at least 10 standard errors, the slope's
/// sampling noise is at most ≈ 0.045, so the ±0.2 band is ≥ 4 noise standard deviations wide and
/// a passing fit measures the discretisation, not the noise.
const NV2_MIN_BIAS_IN_STANDARD_ERRORS: f64 = 10.0;

fn nv2(config: &CheckConfig) -> Result<Vec<Evidence>> {
    // OU with k = 1.5, D = 0.6 (kD = 0.9), m = 0 from the point mass at x₀ = 5, about six
    // equilibrium standard deviations away; observable E[x²] at t = 1, exact
    // 25·e^{−1.8} + (1 − e^{−1.8})/1.5 ≈ 4.6889 (here taken from the moment ODEs).
    // Euler–Maruyama's E[x²] is c^n·25 + 2Dh(1 − c^n)/(1 − c), c = (1 − kDh)², at h = t/n, whose
    // bias over h = 1/4 … 1/32 is −0.782, −0.384, −0.190, −0.094 (hand-evaluated recursion;
    // fitted slope 1.016, so higher-order terms move the fit by < 0.02). Var[x²] = 4μ²s² + 2s⁴
    // ≈ 9.8 at h = 1/32, so the smallest bias is ≈ 21, 60 and 121 standard errors from zero for
    // the quick, standard and full N.
    let case = OuCase {
        stiffness: 1.5,
        centre: 0.0,
        diffusion: 0.6,
        initial_mean: 5.0,
        initial_variance: 0.0,
        time: 1.0,
    };
    let n = config.profile.pick(500_000, 4_000_000, 16_000_000);
    let reference = case.reference()?;
    let exact = reference.mean * reference.mean + reference.variance;
    let gradient = |_t: f64, x: f64| case.stiffness * (x - case.centre);
    let step_counts = [4u32, 8, 16, 32];
    let mut dts = Vec::new();
    let mut biases = Vec::new();
    let mut standard_errors = Vec::new();
    for (level, &steps) in step_counts.iter().enumerate() {
        let dt = case.time / f64::from(steps);
        let seed = config.stream_seed(200 + level as u64);
        let mut ensemble = Ensemble::gaussian(n, case.initial_mean, case.initial_variance, seed)?;
        for _ in 0..steps {
            ensemble.step_euler_maruyama(&gradient, case.diffusion, dt)?;
        }
        let squares = ensemble.moments_of(|x| x * x);
        dts.push(dt);
        biases.push((squares.mean() - exact).abs());
        standard_errors.push(squares.standard_error());
    }
    let slope = log_log_slope(&dts, &biases);
    let point = format!("{}, observable E[x^2], dt=1/4..1/32", case.point());
    let smallest = step_counts.len() - 1;
    let (bias, resolution) = (
        biases[smallest],
        NV2_MIN_BIAS_IN_STANDARD_ERRORS * standard_errors[smallest],
    );
    Ok(vec![
        Evidence::compare(
            point.clone(),
            format!(
                "Euler-Maruyama ensembles N={n}: fitted log-log slope of |bias| vs dt \
                 (bias against {REFERENCE_METHOD})"
            ),
            1.0,
            slope,
            Tolerance::stated_absolute(0.2, "issue #2: fitted order within 0.2 of 1"),
        ),
        // The precondition "|bias| ≥ 10·SE at the smallest step" as a comparison: expected the
        // measured |bias|, observed 10·SE, tolerance |bias| − 10·SE. Then
        // |10·SE − |bias|| ≤ |bias| − 10·SE holds exactly when 10·SE ≤ |bias| (a negative
        // tolerance fails), and rel_err = 1 − 10·SE/|bias| is the fraction of the bias left over.
        Evidence::compare(
            point,
            format!(
                "resolution at dt=1/{}: 10 standard errors of E[x^2] (observed) must not exceed \
                 the |bias| there (expected)",
                step_counts[smallest]
            ),
            bias,
            resolution,
            Tolerance::stated_absolute(
                bias - resolution,
                "design: smallest-dt |bias| >= 10 standard errors, so the fit is not fitting noise",
            ),
        ),
    ])
}

fn nv3(config: &CheckConfig) -> Result<Vec<Evidence>> {
    const MANY: u32 = 64;
    // kDt = 3: a single Euler–Maruyama step of this size would even flip the sign of x − m.
    let case = OuCase {
        stiffness: 1.5,
        centre: 0.5,
        diffusion: 2.0,
        initial_mean: 2.0,
        initial_variance: 0.5,
        time: 1.0,
    };
    let n = config.profile.pick(400_000, 1_600_000, 6_400_000);
    let one = Summary::of(&case.run_exact(n, 1, config.stream_seed(300))?);
    let many = Summary::of(&case.run_exact(n, MANY, config.stream_seed(301))?);
    let reference = case.reference()?;
    let point = case.point();
    let combined = one
        .variance_standard_error()
        .hypot(many.variance_standard_error());
    let mut evidence = Vec::new();
    evidence.extend(one.against(
        &point,
        &format!("one exact-OU step of size t, N={n}"),
        &reference,
    ));
    evidence.extend(many.against(
        &point,
        &format!("{MANY} exact-OU steps of size t/{MANY}, N={n}"),
        &reference,
    ));
    evidence.push(Evidence::compare(
        point,
        format!("variance: one step vs {MANY} steps (independent ensembles)"),
        many.variance,
        one.variance,
        Tolerance::standard_errors(DEFAULT_K, combined),
    ));
    Ok(evidence)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claim::{Profile, assert_claims_pass};
    use crate::sde::CHUNK_LEN;

    #[test]
    fn sde_claims_pass_in_the_quick_profile() {
        assert_claims_pass(&claims(), &CheckConfig::new(Profile::Quick));
    }

    /// Runs the same EM, exact-OU and observed steps in a pool of `threads` threads.
    fn run_in_pool(threads: usize) -> (Vec<u64>, Welford, Welford, Welford) {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("thread pool");
        pool.install(|| {
            // Several full chunks and a ragged last one.
            let mut e = Ensemble::gaussian(5 * CHUNK_LEN + 123, 0.3, 0.7, 99).unwrap();
            let trap = OuProcess::new(1.3, -0.2, 0.8).unwrap();
            for _ in 0..3 {
                e.step_euler_maruyama(&|t: f64, x: f64| x * x * x - x + t, 0.8, 0.01)
                    .unwrap();
                e.step_ou_exact(&trap, 0.05).unwrap();
            }
            let work = e
                .step_ou_exact_observed(&OuProcess::new(0.7, 0.1, 0.8).unwrap(), 0.02, |x, y| {
                    y * y - x * x
                })
                .unwrap();
            let bits = e.positions().iter().map(|x| x.to_bits()).collect();
            (bits, e.moments(), e.moments_of(|x| x.sin()), work)
        })
    }

    #[test]
    fn sde_results_are_bit_identical_for_one_and_two_threads() {
        let one = run_in_pool(1);
        let two = run_in_pool(2);
        assert!(one.0 == two.0, "positions differ between 1 and 2 threads");
        // Welford's PartialEq compares the f64 fields exactly.
        assert_eq!(one.1, two.1, "moments differ");
        assert_eq!(one.2, two.2, "moments_of differ");
        assert_eq!(one.3, two.3, "observed step statistics differ");
    }
}
