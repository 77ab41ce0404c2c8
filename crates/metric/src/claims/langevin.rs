//! The Langevin (M13) checks: the Langevin part of MV1 (the estimators reproduce the closed
//! forms M10–M12) and MV6 (the estimators' bias and spread scale as stated, and Euler–Maruyama
//! differs from the exact chain by $O(h)$).
//!
//! Every family used here has a single-exponential autocorrelation per component,
//! $C_{ij}(s) = I_{F,ij}\,e^{-s/\tau_{ij}}$ with $\tau_{ij} = \zeta_{ij}/I_{F,ij}$ (M10–M12), and
//! the chains are exactly sampled (exact OU transitions from an exact equilibrium start) with
//! the exact $\langle X\rangle$. The expected value of each estimator is then known exactly
//! ([`autocorrelation_expectation`], [`batch_means_expectation`]): the closed-form $\zeta$ plus the
//! estimator's deterministic bias (truncation and trapezoid for the autocorrelation integral,
//! $\approx-\zeta\tau/t_b$ for batch means). **The bias is put in the expected value**, and the
//! tolerance is purely statistical, $k\hat\sigma/\sqrt R$ over $R$ independent replicas,
//! $k$ = [`DEFAULT_K`].

use crate::energy::{EnergyFamily, GaussianMean, GaussianMeanStiffness, Stiffness};
use crate::gaussian;
use crate::langevin::{
    Integrator, LangevinEstimate, LangevinOptions, autocorrelation_expectation,
    autocorrelation_variance, batch_means_expectation, estimate_friction,
};
use thermocheck_numerics::tolerance::DEFAULT_K;
use thermocheck_numerics::{CheckConfig, Claim, Evidence, Result, Source, Tolerance};

pub(super) fn claims() -> Vec<Claim> {
    vec![Claim::new(
        "MV6",
        Source::MinimalDissipation,
        &["M13", "M6"],
        "The Langevin estimators' errors scale as stated: the batch-means bias is −⟨φ²⟩/t_b ∝ \
         1/t_b, the autocorrelation integral's spread ∝ √(s_max/L_tot), and Euler–Maruyama \
         chains differ from exact-OU chains by O(h).",
        mv6,
    )]
}

/// One Gaussian case of MV1: a family at $\theta$ and its closed forms.
struct Case {
    label: String,
    family: Box<dyn EnergyFamily>,
    theta: Vec<f64>,
    diffusion: f64,
    /// $\langle X\rangle$, exact.
    mean: Vec<f64>,
    /// $\zeta$ (M10–M12), row-major $n\times n$.
    zeta: Vec<f64>,
    /// $I_F$ (M10–M12), row-major $n\times n$.
    fisher: Vec<f64>,
}

impl Case {
    fn n(&self) -> usize {
        self.theta.len()
    }

    /// The autocorrelation $C_{ij}(s) = I_{F,ij}e^{-s/\tau_{ij}}$ (0 where $I_{F,ij} = 0$).
    fn correlation(&self, i: usize, j: usize) -> impl Fn(f64) -> f64 + use<> {
        let k = i * self.n() + j;
        let (z, f) = (self.zeta[k], self.fisher[k]);
        move |s: f64| {
            if f == 0.0 {
                0.0
            } else {
                f * (-s * f / z).exp()
            }
        }
    }

    /// Largest and smallest relaxation time $\zeta_{ii}/I_{F,ii}$.
    fn relaxation_times(&self) -> (f64, f64) {
        let taus: Vec<f64> = (0..self.n())
            .map(|i| self.zeta[i * self.n() + i] / self.fisher[i * self.n() + i])
            .collect();
        let max = taus.iter().copied().fold(0.0, f64::max);
        let min = taus.iter().copied().fold(f64::INFINITY, f64::min);
        (max, min)
    }
}

/// The MV1 table (spec §7): mean (D = 0.7, σ² = 0.5), stiffness (1, 1), (2, 0.5), (0.3, 1.7),
/// two-parameter (μ, k) = (0, 2), D = 1. Closed forms from [`gaussian`].
fn mv1_cases() -> Result<Vec<Case>> {
    let mut cases = Vec::new();
    let (variance, d) = (0.5, 0.7);
    cases.push(Case {
        label: format!("Gaussian mean σ² = {variance}, D = {d}"),
        family: Box::new(GaussianMean::new(variance)?),
        theta: vec![0.3],
        diffusion: d,
        mean: vec![0.0],
        zeta: vec![gaussian::translation_friction(1, d)?[(0, 0)]],
        fisher: vec![gaussian::mean_fisher(variance)?],
    });
    for (k, d) in [(1.0, 1.0), (2.0, 0.5), (0.3, 1.7)] {
        cases.push(Case {
            label: format!("stiffness k = {k}, D = {d}"),
            family: Box::new(Stiffness),
            theta: vec![k],
            diffusion: d,
            mean: vec![0.5 / k],
            zeta: vec![gaussian::stiffness_friction(k, d)?],
            fisher: vec![gaussian::stiffness_fisher(k)?],
        });
    }
    let (k, d) = (2.0, 1.0);
    let zeta = gaussian::mean_stiffness_friction(k, d)?;
    let fisher = gaussian::mean_stiffness_fisher(k)?;
    cases.push(Case {
        label: format!("two-parameter (μ, k) = (0, {k}), D = {d}"),
        family: Box::new(GaussianMeanStiffness),
        theta: vec![0.0, k],
        diffusion: d,
        mean: vec![0.0, 0.5 / k],
        zeta: zeta.transpose().iter().copied().collect(),
        fisher: fisher.transpose().iter().copied().collect(),
    });
    Ok(cases)
}

/// The Langevin (M13) evidence of MV1, appended to the quadrature evidence by the MV1 claim in
/// `claims/friction.rs`.
///
/// For each case: exact-OU chains with $h = \tau_{min}/4$ ($\tau_{min}/2$ for two parameters),
/// $s_{max} = 8\tau_{max}$, $t_b = 20\tau_{max}$, chains of $200\tau_{max}$; both estimators of
/// every $\zeta_{ij}$ ($i \le j$) against the closed form plus the estimator's exact bias, and
/// $\hat I_F = \hat C(0)$ against $I_F$, each within $k\hat\sigma/\sqrt R$.
pub(super) fn mv1_evidence(config: &CheckConfig) -> Result<Vec<Evidence>> {
    let replicas = config.profile.pick(20, 40, 80);
    let chains = config.profile.pick(128, 256, 512);
    let mut out = Vec::new();
    for (index, case) in mv1_cases()?.into_iter().enumerate() {
        let (tau_max, tau_min) = case.relaxation_times();
        let n = case.n();
        let h = tau_min / if n == 1 { 4.0 } else { 2.0 };
        // Whole numbers of steps: every time below is an integer multiple of h.
        let ratio = (tau_max / h).round();
        let options = LangevinOptions {
            chains_per_replica: chains,
            replicas,
            seed: config.stream_seed(600 + index as u64),
            exact_mean: Some(case.mean.clone()),
            ..LangevinOptions::new(
                case.diffusion,
                h,
                200.0 * ratio * h,
                8.0 * ratio * h,
                20.0 * ratio * h,
            )
        };
        let run = estimate_friction(case.family.as_ref(), &case.theta, &options)?;
        let method = format!(
            "exact-OU chains, {replicas} replicas × {chains} chains × L = {:.4}, h = {h:.4}, \
             s_max = {:.4}, t_b = {:.4}; tolerance {DEFAULT_K}·σ̂/√R, expected value includes \
             the estimator's exact deterministic bias",
            options.chain_time, options.max_lag, options.block_time
        );
        for i in 0..n {
            for j in i..n {
                let c = case.correlation(i, j);
                let zeta = case.zeta[i * n + j];
                let entry = if n == 1 {
                    String::new()
                } else {
                    format!(" [{i}{j}]")
                };
                let ac = autocorrelation_expectation(&c, h, options.max_lag)?;
                let bm = batch_means_expectation(&c, h, options.block_time)?;
                out.push(Evidence::compare(
                    format!(
                        "{}: ζ{entry} = {zeta:.7} (M10–M12), E[ζ̂] = ζ {:+.2e} (truncation + \
                         trapezoid)",
                        case.label,
                        ac - zeta
                    ),
                    format!("M13 autocorrelation integral: {method}"),
                    ac,
                    run.autocorrelation.mean[(i, j)],
                    run.autocorrelation.tolerance(DEFAULT_K, i, j),
                ));
                out.push(Evidence::compare(
                    format!(
                        "{}: ζ{entry} = {zeta:.7} (M10–M12), E[ζ̂] = ζ {:+.2e} (≈ −ζτ/t_b)",
                        case.label,
                        bm - zeta
                    ),
                    format!("M13 batch means: {method}"),
                    bm,
                    run.batch_means.mean[(i, j)],
                    run.batch_means.tolerance(DEFAULT_K, i, j),
                ));
                out.push(Evidence::compare(
                    format!("{}: I_F{entry} = Var X (M5, M10–M12)", case.label),
                    format!("equilibrium covariance Ĉ(0) of the same chains: {method}"),
                    case.fisher[i * n + j],
                    run.fisher.mean[(i, j)],
                    run.fisher.tolerance(DEFAULT_K, i, j),
                ));
            }
        }
    }
    Ok(out)
}

/// Per-replica differences of entry (0, 0) of two paired runs (common random numbers): their
/// mean and standard error.
fn paired_difference(
    a: &LangevinEstimate,
    b: &LangevinEstimate,
    pick: fn(&LangevinEstimate) -> &crate::langevin::ReplicaEstimate,
) -> (f64, f64, f64, usize) {
    let diffs: Vec<f64> = pick(a)
        .replicas
        .iter()
        .zip(&pick(b).replicas)
        .map(|(x, y)| x[(0, 0)] - y[(0, 0)])
        .collect();
    let r = diffs.len() as f64;
    let mean = diffs.iter().sum::<f64>() / r;
    let sd = (diffs.iter().map(|d| (d - mean).powi(2)).sum::<f64>() / (r - 1.0)).sqrt();
    (mean, sd, sd / r.sqrt(), diffs.len())
}

/// The sample SD $\hat\sigma$ of `values` and its standard error
/// $\sqrt{(\hat m_4 - \hat\sigma^4)/R}\,/\,(2\hat\sigma)$ (delta method on $\hat\sigma^2$, with the
/// fourth central moment $\hat m_4$ measured, so no Gaussian assumption; for Gaussian values it
/// is $\approx\hat\sigma/\sqrt{2(R-1)}$).
fn spread_with_error(values: &[f64]) -> (f64, f64) {
    let r = values.len() as f64;
    let mean = values.iter().sum::<f64>() / r;
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (r - 1.0);
    let m4 = values.iter().map(|v| (v - mean).powi(4)).sum::<f64>() / r;
    let sd = var.sqrt();
    (sd, ((m4 - var * var).max(0.0) / r).sqrt() / (2.0 * sd))
}

/// MV6 (a)–(c).
fn mv6(config: &CheckConfig) -> Result<Vec<Evidence>> {
    let mut out = batch_means_bias_scaling(config)?;
    out.extend(autocorrelation_spread_scaling(config)?);
    out.extend(euler_maruyama_order(config)?);
    Ok(out)
}

/// MV6 (a): Gaussian mean, σ² = D = 1 (τ = 1, ζ = 1, ⟨φ²⟩ = ζτ = 1), exact-OU chains, h = τ/4,
/// t_b = 4, 8, 16 on the same chains (common random numbers). The relative bias at each t_b
/// against its exact value $-(\tau/t_b)(1 - e^{-t_b/\tau})$ + O(h²) (→ the stated
/// $-\langle\phi^2\rangle/(\zeta t_b) = -\tau/t_b$), and the fitted slope of
/// $\ln|\text{bias}|$ against $\ln t_b$ against the slope of the exact values (≈ −1).
fn batch_means_bias_scaling(config: &CheckConfig) -> Result<Vec<Evidence>> {
    let family = GaussianMean::new(1.0)?;
    let (zeta, tau) = (1.0, 1.0);
    let c = |s: f64| (-s / tau).exp();
    let replicas = config.profile.pick(20, 40, 80);
    let chains = config.profile.pick(100, 200, 400);
    let h = 0.25;
    let seed = config.stream_seed(610);
    let blocks = [4.0, 8.0, 16.0];
    let mut measured = Vec::new();
    let mut expected = Vec::new();
    let mut errors = Vec::new();
    let mut out = Vec::new();
    for &tb in &blocks {
        let options = LangevinOptions {
            chains_per_replica: chains,
            replicas,
            seed,
            exact_mean: Some(vec![0.0]),
            ..LangevinOptions::new(1.0, h, 400.0, h, tb)
        };
        let run = estimate_friction(&family, &[0.0], &options)?;
        let exact = batch_means_expectation(c, h, tb)? / zeta - 1.0;
        let observed = run.batch_means.mean[(0, 0)] / zeta - 1.0;
        let se = run.batch_means.standard_error(0, 0) / zeta;
        out.push(Evidence::compare(
            format!(
                "Gaussian mean σ² = D = 1 (τ = 1), t_b = {tb}: relative bias (stated −τ/t_b = \
                 {:.4})",
                -tau / tb
            ),
            format!(
                "batch means on exact-OU chains, {replicas} replicas × {chains} chains × L = \
                 400, h = {h}; expected: exact E[ζ̂]/ζ − 1; tolerance {DEFAULT_K}·σ̂/√R"
            ),
            exact,
            observed,
            Tolerance::standard_errors(DEFAULT_K, se),
        ));
        measured.push(observed.abs());
        expected.push(exact.abs());
        errors.push(se);
    }
    let slope = |ys: &[f64]| thermocheck_numerics::stats::log_log_slope(&blocks, ys);
    // Least-squares slope error with the log-bias errors SE_i/|bias_i| treated as independent:
    // conservative here, because common random numbers correlate them positively and the
    // equally spaced ln t_b give the end points opposite weights and the middle weight 0.
    let lx: Vec<f64> = blocks.iter().map(|t| t.ln()).collect();
    let mx = lx.iter().sum::<f64>() / lx.len() as f64;
    let sxx: f64 = lx.iter().map(|x| (x - mx).powi(2)).sum();
    let slope_se = lx
        .iter()
        .zip(errors.iter().zip(&measured))
        .map(|(x, (se, b))| ((x - mx) * se / b).powi(2))
        .sum::<f64>()
        .sqrt()
        / sxx;
    out.push(Evidence::compare(
        format!(
            "Gaussian mean σ² = D = 1, t_b ∈ {blocks:?}: slope of ln|bias| vs ln t_b (stated \
             bias ∝ 1/t_b: slope → −1)"
        ),
        "least-squares slope of the measured biases; expected: slope of the exact biases; \
         tolerance k·SE of the slope from the per-point errors",
        slope(&expected),
        slope(&measured),
        Tolerance::standard_errors(DEFAULT_K, slope_se),
    ));
    Ok(out)
}

/// MV6 (b): Gaussian mean, σ² = D = 1 (X is a Gaussian process, τ = 1), exact-OU chains with
/// one chain per replica, at (s_max, L) = (2, 400), (8, 400), (2, 1600). The per-replica SD
/// against Bartlett's asymptotic SD ([`autocorrelation_variance`]; → the stated
/// $2\zeta\sqrt{s_{max}/L}$ for $s_{max}\gg\tau$), and the ratios across settings, which the
/// stated scaling $\sqrt{s_{max}/L_{tot}}$ predicts as 2 and 1/2. Tolerances from the sampling
/// error of a standard deviation, $\hat\sigma/\sqrt{2(R-1)}$.
fn autocorrelation_spread_scaling(config: &CheckConfig) -> Result<Vec<Evidence>> {
    let family = GaussianMean::new(1.0)?;
    let c = |s: f64| (-s).exp();
    let replicas = config.profile.pick(400, 800, 1600);
    let h = 0.25;
    let settings = [(2.0, 400.0), (8.0, 400.0), (2.0, 1600.0)];
    let mut spreads = Vec::new();
    let mut out = Vec::new();
    for (index, &(smax, length)) in settings.iter().enumerate() {
        let options = LangevinOptions {
            chains_per_replica: 1,
            replicas,
            seed: config.stream_seed(620 + index as u64),
            exact_mean: Some(vec![0.0]),
            ..LangevinOptions::new(1.0, h, length, smax, length / 4.0)
        };
        let run = estimate_friction(&family, &[0.0], &options)?;
        let values: Vec<f64> = run
            .autocorrelation
            .replicas
            .iter()
            .map(|m| m[(0, 0)])
            .collect();
        let (sd, sd_error) = spread_with_error(&values);
        let bartlett = autocorrelation_variance(c, h, smax, length)?.sqrt();
        out.push(Evidence::compare(
            format!(
                "Gaussian mean σ² = D = 1, s_max = {smax}, L = {length}: SD of ζ̂ per chain \
                 (stated 2ζ√(s_max/L) = {:.4})",
                2.0 * (smax / length).sqrt()
            ),
            format!(
                "spread of {replicas} independent exact-OU chains, h = {h}; expected: Bartlett \
                 asymptotic SD; tolerance {DEFAULT_K}·SE(σ̂), SE(σ̂) = √((m̂₄ − σ̂⁴)/R)/(2σ̂) \
                 (≈ σ̂/√(2(R−1)) for Gaussian estimates)"
            ),
            bartlett,
            sd,
            Tolerance::standard_errors(DEFAULT_K, sd_error),
        ));
        spreads.push((sd, bartlett, sd_error / sd));
    }
    for (a, b, what) in [
        (
            0,
            1,
            "s_max 2 → 8 at L = 400 (the spec's ×2 holds as s_max → ∞)",
        ),
        (0, 2, "L 400 → 1600 at s_max = 2 (stated ×1/2)"),
    ] {
        let ratio = spreads[b].0 / spreads[a].0;
        out.push(Evidence::compare(
            format!("Gaussian mean σ² = D = 1: ratio of SD(ζ̂) for {what}"),
            "ratio of replica spreads of independent runs; expected: ratio of the Bartlett SDs; \
             tolerance k·ratio·√(δ₁² + δ₂²) with δ the relative SEs of the two spreads",
            spreads[b].1 / spreads[a].1,
            ratio,
            Tolerance::standard_errors(DEFAULT_K, ratio * spreads[a].2.hypot(spreads[b].2)),
        ));
    }
    Ok(out)
}

/// MV6 (c): stiffness k = D = 1 (τ_X = 1/2). Euler–Maruyama on $dx = -Dkx\,dt + \sqrt{2D}dW$ is
/// the AR(1) chain $x' = (1 - Dkh)x + \sqrt{2Dh}\,\xi$ with stationary variance
/// $v_h = 2Dh/(1-(1-Dkh)^2) = 1/(k(1 - Dkh/2))$, so for $X = x^2/2$:
/// $\operatorname{Var}X = v_h^2/2$ and $C(lh) = \tfrac12v_h^2(1-Dkh)^{2l}$ exactly (Isserlis), against
/// $1/(2k^2)$ and $e^{-2kDs}/(2k^2)$ for the exact chain. At h = 0.2 and 0.1, with both chains
/// driven by the same noise (common random numbers): the EM values against these exact
/// expectations, the paired EM − exact differences, and the order $\log_2$ of the ratio of the
/// Var X differences at h and h/2 (≈ 1).
fn euler_maruyama_order(config: &CheckConfig) -> Result<Vec<Evidence>> {
    let (k, d): (f64, f64) = (1.0, 1.0);
    let replicas = config.profile.pick(16, 32, 64);
    let chains = config.profile.pick(64, 128, 256);
    let mut out = Vec::new();
    let mut differences = Vec::new();
    for (index, h) in [0.2, 0.1].into_iter().enumerate() {
        let v = 1.0 / (k * (1.0 - 0.5 * d * k * h));
        let a2 = (1.0 - d * k * h).powi(2);
        let c_em = move |s: f64| 0.5 * v * v * a2.powf(s / h);
        let c_exact = move |s: f64| (-2.0 * k * d * s).exp() / (2.0 * k * k);
        let base = LangevinOptions {
            chains_per_replica: chains,
            replicas,
            seed: config.stream_seed(630 + index as u64),
            burn_in: 10.0 / (k * d),
            ..LangevinOptions::new(d, h, 100.0, 5.0, 10.0)
        };
        let exact_run = estimate_friction(
            &Stiffness,
            &[k],
            &LangevinOptions {
                exact_mean: Some(vec![0.5 / k]),
                ..base.clone()
            },
        )?;
        let em_run = estimate_friction(
            &Stiffness,
            &[k],
            &LangevinOptions {
                exact_mean: Some(vec![0.5 * v]),
                integrator: Integrator::EulerMaruyama,
                ..base.clone()
            },
        )?;
        let point = format!("stiffness k = D = 1, h = {h}");
        let method = format!(
            "{replicas} replicas × {chains} chains × L = 100, burn-in 10/(kD), s_max = 5; \
             tolerance {DEFAULT_K}·σ̂/√R"
        );
        let var_em = 0.5 * v * v;
        let var_exact = 0.5 / (k * k);
        out.push(Evidence::compare(
            format!("{point}: Var X of the EM chain = v_h²/2 (exact AR(1))"),
            format!("Euler–Maruyama chains: {method}"),
            var_em,
            em_run.fisher.mean[(0, 0)],
            em_run.fisher.tolerance(DEFAULT_K, 0, 0),
        ));
        let (diff, sd, se, r) = paired_difference(&em_run, &exact_run, |e| &e.fisher);
        out.push(Evidence::compare(
            format!("{point}: Var X, EM − exact = v_h²/2 − 1/(2k²) (O(h))"),
            format!("paired EM and exact-OU chains, same noise: {method}"),
            var_em - var_exact,
            diff,
            Tolerance::sampling(DEFAULT_K, sd, r),
        ));
        let ac_em = autocorrelation_expectation(c_em, h, 5.0)?;
        let ac_exact = autocorrelation_expectation(c_exact, h, 5.0)?;
        out.push(Evidence::compare(
            format!("{point}: ζ̂ (autocorrelation) of the EM chain, exact AR(1) expectation"),
            format!("Euler–Maruyama chains: {method}"),
            ac_em,
            em_run.autocorrelation.mean[(0, 0)],
            em_run.autocorrelation.tolerance(DEFAULT_K, 0, 0),
        ));
        let (zdiff, zsd, _, r) = paired_difference(&em_run, &exact_run, |e| &e.autocorrelation);
        out.push(Evidence::compare(
            format!("{point}: ζ̂ (autocorrelation), EM − exact (O(h))"),
            format!("paired EM and exact-OU chains, same noise: {method}"),
            ac_em - ac_exact,
            zdiff,
            Tolerance::sampling(DEFAULT_K, zsd, r),
        ));
        differences.push((var_em - var_exact, diff, se));
    }
    let order = |b1: f64, b2: f64| (b1 / b2).log2();
    let (e1, m1, s1) = differences[0];
    let (e2, m2, s2) = differences[1];
    let se = ((s1 / m1).powi(2) + (s2 / m2).powi(2)).sqrt() / std::f64::consts::LN_2;
    out.push(Evidence::compare(
        "stiffness k = D = 1, h = 0.2 → 0.1: order of the EM bias of Var X (stated O(h))",
        "log₂ of the ratio of the paired EM − exact differences; expected: the same from the \
         exact AR(1) variances; tolerance k·SE propagated from both differences",
        order(e1, e2),
        order(m1, m2),
        Tolerance::standard_errors(DEFAULT_K, se),
    ));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use thermocheck_numerics::Profile;

    fn assert_passes(evidence: &[Evidence]) {
        let failures: Vec<String> = evidence
            .iter()
            .filter(|e| !e.passed)
            .map(|e| e.to_string())
            .collect();
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn mv1_langevin_evidence_passes_for_two_seeds() {
        for seed in [CheckConfig::DEFAULT_SEED, 7] {
            let config = CheckConfig {
                profile: Profile::Quick,
                seed,
            };
            let evidence = mv1_evidence(&config).unwrap();
            // 4 one-parameter cases × 3 + the two-parameter case × 3 entries × 3.
            assert_eq!(evidence.len(), 21);
            assert_passes(&evidence);
        }
    }

    #[test]
    fn mv1_cases_reproduce_the_spec_table() {
        // Spec §7 MV1 table, 7–8 significant digits.
        let cases = mv1_cases().unwrap();
        let zetas: Vec<f64> = cases.iter().map(|c| c.zeta[0]).collect();
        for (z, spec) in zetas.iter().zip([1.4285714, 0.25, 0.0625, 5.4466231, 1.0]) {
            assert!((z / spec - 1.0).abs() < 1e-7, "{z} vs {spec}");
        }
        assert_eq!(cases[4].zeta, vec![1.0, 0.0, 0.0, 0.03125]);
        assert_eq!(cases[4].fisher, vec![2.0, 0.0, 0.0, 0.125]);
        assert_eq!(cases[4].relaxation_times(), (0.5, 0.25));
    }
}

#[cfg(test)]
mod report {
    use super::*;
    use std::time::Instant;
    use thermocheck_numerics::Profile;

    /// Prints the evidence and timings per profile:
    /// `cargo test --release -p thermocheck-metric --lib langevin::report -- --ignored --nocapture`.
    #[test]
    #[ignore = "report: prints the MV1 (Langevin) and MV6 evidence per profile"]
    fn print_evidence() {
        let profile = match std::env::var("PROFILE_PICK").as_deref() {
            Ok("standard") => Profile::Standard,
            Ok("full") => Profile::Full,
            _ => Profile::Quick,
        };
        let seed = std::env::var("SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(CheckConfig::DEFAULT_SEED);
        let config = CheckConfig { profile, seed };
        for (name, f) in [
            (
                "MV1 (Langevin)",
                mv1_evidence as fn(&CheckConfig) -> Result<Vec<Evidence>>,
            ),
            ("MV6", mv6),
        ] {
            let start = Instant::now();
            let evidence = f(&config).unwrap();
            println!("== {name} {profile}: {:?}", start.elapsed());
            for e in evidence {
                println!("{e}");
            }
        }
    }
}
