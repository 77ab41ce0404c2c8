//! TV13 (T26, T27) and TV14 (T28): network temperatures against the spec's tables and against
//! Monte Carlo finite differences with common random numbers ([`Network::monte_carlo`]).
//!
//! Tolerances:
//! - spec numbers: half a unit of the last quoted digit ([`quoted`]);
//! - Monte Carlo means: $k\hat\sigma/\sqrt N$ with $k$ = [`DEFAULT_K`]; a central difference adds
//!   its truncation estimate $|\bar D(h) - \bar D(2h)|$ (about 3× its $O(h^2)$ error);
//! - TV14 only: the mean field is exact only at infinite width. For $L = 2$ and normal weights
//!   the finite-width expectation is exactly $v_3n_2\,\mathbb E\,Q(v_2\lVert h_1\rVert^2)$ with
//!   $\lVert h_1\rVert^2$ a sum of $n_1$ i.i.d. terms, so the delta method gives its leading
//!   correction $\delta = O(1/n_1)$ ([`finite_width_corrections`]). The Monte Carlo is compared
//!   with mean field $+\,\delta$, and the tolerance adds $|\delta|$ for the $O(1/n_1^2)$
//!   remainder (a full 100% of the leading term, where the next order is about $1/n_1 = 1/300$ of it).

use super::efficiency::{marginal_routes_agree, quoted};
use crate::activation::Activation;
use crate::efficiency::{marginal_efficiency, second_moment};
use crate::network::{
    MeanField, MonteCarloOptions, MonteCarloReport, Network, Readout, WeightInit,
};
use thermocheck_numerics::quad::{QuadOptions, gaussian_expectation};
use thermocheck_numerics::stats::Welford;
use thermocheck_numerics::tolerance::DEFAULT_K;
use thermocheck_numerics::{CheckConfig, Claim, Evidence, Result, Source, Tolerance};

pub(super) fn claims() -> Vec<Claim> {
    vec![
        Claim::new(
            "TV13",
            Source::Temperature,
            &["T25", "T26", "T27"],
            "For positively homogeneous activations the product law gives E[ŷ²|x] and the local \
             temperatures T_l = 2E ŷ²/N_l exactly at finite width; Monte Carlo finite differences \
             and the virial agree, and the global temperature is the parameter-weighted mean.",
            tv13,
        ),
        Claim::new(
            "TV14",
            Source::Temperature,
            &["T28"],
            "For tanh the mean-field recursion gives q_l, T_l, the global T and the neighbour \
             ratios q Q'/Q of the spec's table; a finite-width Monte Carlo with the readout \
             integrated out agrees within sampling error and the derived O(1/n) width correction.",
            tv14,
        ),
    ]
}

/// $k\hat\sigma/\sqrt N$ plus further derived allowances, each with its derivation.
fn combined(w: &Welford, extra: &[(&str, f64)]) -> Tolerance {
    extra.iter().fold(w.tolerance(DEFAULT_K), |tol, (what, v)| {
        tol.plus(Tolerance::derived(*v, what))
    })
}

/// The TV13 table: (activation, E[ŷ²|x], T_1, T_2, T_3, global T) as quoted.
const TV13_TABLE: &[(Activation, [&str; 5])] = &[
    (
        Activation::Relu,
        ["2.835", "0.23625", "0.189", "1.134", "0.288305"],
    ),
    (
        Activation::Linear,
        ["11.34", "0.945", "0.756", "4.536", "1.153220"],
    ),
    (
        Activation::LeakyRelu { slope: 0.1 },
        ["2.891983", "0.240999", "0.192799", "1.156793", "0.294100"],
    ),
];

/// Monte Carlo evidence for a network against predicted (energy, T_l, T) with per-quantity
/// width corrections `delta` (zero for the exact product law).
fn monte_carlo_evidence(
    ev: &mut Vec<Evidence>,
    label: &str,
    mc: &MonteCarloReport,
    energy: f64,
    local: &[f64],
    global: f64,
    delta: Option<&WidthCorrection>,
) {
    let n = mc.energy.count();
    let method = |what: &str| format!("{what}, Monte Carlo N={n}");
    let d = |pick: fn(&WidthCorrection) -> f64| delta.map_or(0.0, pick);
    let width = |v: f64| -> Vec<(&'static str, f64)> {
        if delta.is_some() {
            vec![("O(1/n²) width remainder ≤ |δ|", v)]
        } else {
            Vec::new()
        }
    };
    let de = d(|w| w.energy);
    ev.push(Evidence::compare(
        label,
        method("E[(y − ŷ)²] − y² (y = 0)"),
        energy + de,
        mc.energy.mean(),
        combined(&mc.energy, &width(de)),
    ));
    for (l, &t) in local.iter().enumerate() {
        let dl = delta.map_or(0.0, |w| w.local[l]);
        let mut extra = vec![("FD truncation |D(h) − D(2h)|", mc.local_truncation(l))];
        extra.extend(width(dl));
        ev.push(Evidence::compare(
            label,
            method(&format!("T_{} central difference in ln ϑ (CRN)", l + 1)),
            t + dl,
            mc.local_difference[l].mean(),
            combined(&mc.local_difference[l], &extra),
        ));
        ev.push(Evidence::compare(
            label,
            method(&format!("T_{} virial ⟨W, ∇_W ℓ⟩/N (forward mode)", l + 1)),
            t + dl,
            mc.local_virial[l].mean(),
            combined(&mc.local_virial[l], &width(dl)),
        ));
    }
    let dg = d(|w| w.global);
    let mut extra = vec![("FD truncation", mc.global_truncation())];
    extra.extend(width(dg));
    ev.push(Evidence::compare(
        label,
        method("global T, all scales together"),
        global + dg,
        mc.global_difference.mean(),
        combined(&mc.global_difference, &extra),
    ));
    // T26 / first law: global difference = Σ N_l D_l / Σ N_l per draw, up to truncation.
    // The gap's truncation is that of the global difference minus a weighted mean (weights
    // N_l/ΣN summing to 1) of the local ones: bounded by the global plus the largest local.
    let truncation: f64 = mc.global_truncation()
        + (0..local.len())
            .map(|l| mc.local_truncation(l))
            .fold(0.0, f64::max);
    ev.push(Evidence::compare(
        label,
        method("T26: global difference − Σ N_l T_l/Σ N_l per draw"),
        0.0,
        mc.first_law_gap.mean(),
        combined(&mc.first_law_gap, &[("FD truncations", truncation)]),
    ));
}

fn tv13(config: &CheckConfig) -> Result<Vec<Evidence>> {
    let mut ev = Vec::new();
    let draws = config.profile.pick(20_000, 200_000, 2_000_000);
    let widths = [4, 6, 5, 1];
    let variances = [0.7, 0.3, 0.45];
    let x = [1.0; 4]; // r² = 4
    for (i, (a, row)) in TV13_TABLE.iter().enumerate() {
        let label = format!(
            "{}, widths [4,6,5,1], v = [0.7,0.3,0.45], r² = 4",
            a.label()
        );
        let net = Network::new(&widths, &variances, *a, WeightInit::Normal)?;
        let exact = net.product_law(4.0)?;
        let values = [
            exact.output_energy,
            exact.local[0],
            exact.local[1],
            exact.local[2],
            exact.global,
        ];
        let names = ["E[ŷ²|x]", "T_1", "T_2", "T_3", "global T"];
        for ((name, s), v) in names.iter().zip(row).zip(values) {
            let (q, tol) = quoted(s);
            ev.push(Evidence::compare(
                &label,
                format!("{name}: product law (T27) vs spec table"),
                q,
                v,
                tol,
            ));
        }
        let weighted: f64 = exact
            .local
            .iter()
            .zip(net.parameter_counts())
            .map(|(t, n)| t * n as f64)
            .sum::<f64>()
            / net.parameter_counts().iter().sum::<usize>() as f64;
        ev.push(Evidence::compare(
            &label,
            "T26: global T = Σ N_l T_l / Σ N_l (product law)",
            exact.global,
            weighted,
            Tolerance::conditioning(8.0, exact.global),
        ));
        let options = MonteCarloOptions {
            draws,
            step: 1e-3,
            seed: config.stream_seed(13_000 + i as u64),
            readout: Readout::Sampled,
        };
        let mc = net.monte_carlo(&x, 0.0, &options)?;
        monte_carlo_evidence(
            &mut ev,
            &label,
            &mc,
            exact.output_energy,
            &exact.local,
            exact.global,
            None,
        );
    }
    // The product law holds for any symmetric law at equal variance: uniform weights.
    let net = Network::new(&widths, &variances, Activation::Relu, WeightInit::Uniform)?;
    let exact = net.product_law(4.0)?;
    let options = MonteCarloOptions {
        draws,
        step: 1e-3,
        seed: config.stream_seed(13_010),
        readout: Readout::Sampled,
    };
    let mc = net.monte_carlo(&x, 0.0, &options)?;
    monte_carlo_evidence(
        &mut ev,
        "relu, uniform weights a_l = √(3 v_l), same widths and variances",
        &mc,
        exact.output_energy,
        &exact.local,
        exact.global,
        None,
    );
    Ok(ev)
}

/// Leading finite-width corrections $\delta$ of TV14's quantities.
#[derive(Debug, Clone)]
struct WidthCorrection {
    energy: f64,
    local: Vec<f64>,
    global: f64,
}

/// The delta-method $O(1/n_1)$ correction for a normal-weight network with $L = 2$.
///
/// Exactly (normal $W_2$, $W_3$ integrated given $h_1$): with the unit quantities
/// $a = \varphi(z)^2$, $b = 2\varphi(z)\varphi'(z)z$ over $z \sim \mathcal N(0, q_1)$ i.i.d. across
/// the $n_1$ units, their means $\bar a, \bar b$, $c = v_2n_1$, $q = c\bar a$ and $m = v_3n_2$:
/// $\mathbb E\hat y^2 = m\,\mathbb E\,Q(q)$, $N_3T_3 = 2\mathbb E\hat y^2$, $N_2T_2 = m\,\mathbb E[2qQ'(q)]$,
/// $N_1T_1 = m\,c\,\mathbb E[Q'(q)\,\bar b]$. Expanding $G(\bar a, \bar b)$ to second order about
/// the means, $\mathbb E G = G + \frac1{2n_1}(G_{aa}\sigma_{aa} + 2G_{ab}\sigma_{ab}) + O(n_1^{-2})$:
/// - $\delta(\mathbb E\hat y^2) = m\,Q''\,c^2\sigma_{aa}/(2n_1)$;
/// - $\delta(N_2T_2) = m\,c^2(2Q'' + q_2Q''')\sigma_{aa}/n_1$;
/// - $\delta(N_1T_1) = m\,c\,\big(\tfrac12c^2Q'''\,\mathbb E b\,\sigma_{aa} + c\,Q''\sigma_{ab}\big)/n_1$,
///
/// at $q = q_2$. $Q''$, $Q'''$ are central differences of the quadrature $Q'$ (step $q_2/100$,
/// relative truncation $\sim10^{-4}$, immaterial for a correction carried with 100% allowance).
fn finite_width_corrections(net: &Network, mf: &MeanField) -> Result<WidthCorrection> {
    let a = net.activation();
    let (n, v) = (net.widths(), net.variances());
    let (q1, q2) = (mf.q[0], mf.q[1]);
    let opts = QuadOptions::new(crate::linear::EVIDENCE_QUAD_REL_TOL, 1e-15)?;
    let kinks = a.kinks();
    let ex = |f: &dyn Fn(f64) -> f64| gaussian_expectation(f, q1, kinks, &opts).map(|r| r.value);
    let ea = second_moment(&a, q1)?.value;
    let eb = ex(&|z| 2.0 * a.value(z) * a.derivative(z) * z)?;
    let eaa = ex(&|z| a.value(z).powi(4))?;
    let eab = ex(&|z| a.value(z).powi(2) * 2.0 * a.value(z) * a.derivative(z) * z)?;
    let (saa, sab) = (eaa - ea * ea, eab - ea * eb);
    let h = q2 / 100.0;
    let qp = |q: f64| marginal_efficiency(&a, q).map(|e| e.value);
    let (lo, mid, hi) = (qp(q2 - h)?, qp(q2)?, qp(q2 + h)?);
    let q_2nd = (hi - lo) / (2.0 * h);
    let q_3rd = (hi - 2.0 * mid + lo) / (h * h);
    let (c, m, n1) = (v[1] * n[1] as f64, v[2] * n[2] as f64, n[1] as f64);
    let energy = m * q_2nd * c * c * saa / (2.0 * n1);
    let d1 = m * c * (0.5 * c * c * q_3rd * eb * saa + c * q_2nd * sab) / n1;
    let d2 = m * c * c * (2.0 * q_2nd + q2 * q_3rd) * saa / n1;
    let d3 = 2.0 * energy;
    let counts: Vec<f64> = net.parameter_counts().iter().map(|&k| k as f64).collect();
    let total: f64 = counts.iter().sum();
    Ok(WidthCorrection {
        energy,
        local: vec![d1 / counts[0], d2 / counts[1], d3 / counts[2]],
        global: (d1 + d2 + d3) / total,
    })
}

/// TV14 mean-field table: q_l, T_l, global T, ratios, as quoted.
const TV14_Q: [&str; 3] = ["2.0", "0.7799636", "0.3495760"];
const TV14_T: [&str; 3] = ["1.342761e-5", "3.945705e-6", "2.330507e-3"];
const TV14_GLOBAL: &str = "1.183398e-5";
const TV14_RATIOS: [&str; 2] = ["0.340310", "0.507920"];

fn tv14(config: &CheckConfig) -> Result<Vec<Evidence>> {
    let mut ev = Vec::new();
    let widths = [30, 300, 300, 1];
    let variances = [2.0 / 30.0, 1.5 / 300.0, 1.0 / 300.0];
    let net = Network::new(&widths, &variances, Activation::Tanh, WeightInit::Normal)?;
    let mf = net.mean_field(30.0)?;
    let label = "tanh, widths [30,300,300,1], v = [2/30, 1.5/300, 1/300], r² = 30";
    let mut compare = |what: String, s: &str, v: f64| {
        let (q, tol) = quoted(s);
        ev.push(Evidence::compare(label, what, q, v, tol));
    };
    for l in 0..3 {
        compare(
            format!("mean field q_{} vs spec", l + 1),
            TV14_Q[l],
            mf.q[l],
        );
        compare(
            format!("mean field T_{} vs spec", l + 1),
            TV14_T[l],
            mf.temperatures.local[l],
        );
    }
    compare(
        "mean field global T vs spec".into(),
        TV14_GLOBAL,
        mf.temperatures.global,
    );
    for (l, ratio) in TV14_RATIOS.iter().enumerate() {
        compare(
            format!("neighbour ratio q Q'/Q at q_{} vs spec", l + 1),
            ratio,
            mf.ratios[l],
        );
    }
    // Q' at the operating points by the spec's Stein form (independent integrand).
    for l in 0..2 {
        ev.push(marginal_routes_agree(
            label,
            format!("Q'(q_{}): score form vs Stein form E[φ'² + φφ'']", l + 1),
            &Activation::Tanh,
            mf.q[l],
        )?);
    }
    // Finite-width Monte Carlo, readout integrated out (spec's advice).
    let delta = finite_width_corrections(&net, &mf)?;
    let options = MonteCarloOptions {
        draws: config.profile.pick(200, 2000, 20_000),
        step: 1e-3,
        seed: config.stream_seed(14_000),
        readout: Readout::Integrated,
    };
    let mc = net.monte_carlo(&[1.0; 30], 0.0, &options)?;
    let t = &mf.temperatures;
    monte_carlo_evidence(
        &mut ev,
        &format!(
            "{label}; finite width, compared with mean field + δ (δ_E = {:.3e})",
            delta.energy
        ),
        &mc,
        t.output_energy,
        &t.local,
        t.global,
        Some(&delta),
    );
    Ok(ev)
}

#[cfg(test)]
mod tests {
    use super::*;
    use thermocheck_numerics::claim::assert_quick_claims_pass;

    #[test]
    fn tv13_and_tv14_pass_quick_for_two_seeds() {
        assert_quick_claims_pass(&claims(), &[CheckConfig::DEFAULT_SEED, 7]);
    }
}
