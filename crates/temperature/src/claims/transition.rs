//! TV11–TV12: transition temperatures (T21–T23) and the Type II data-shift temperature (T24)
//! against the spec's values, Monte Carlo energies with analytic entropies, and finite
//! differences.

use crate::data::DataMoments;
use crate::transition::{
    DataShift, ZERO_ENTROPY_VARIANCE, no_signal_transition_temperature,
    trained_transition_temperature, transition_temperature, zero_entropy_convention_temperature,
};
use rand::{RngExt, SeedableRng};
use rand_distr::StandardNormal;
use std::f64::consts::{E, PI};
use thermocheck_numerics::sde::Xoshiro256PlusPlus;
use thermocheck_numerics::stats::Welford;
use thermocheck_numerics::tolerance::DEFAULT_K;
use thermocheck_numerics::{CheckConfig, Claim, Evidence, Result, Source, Tolerance};

fn printed(decimals: i32) -> Tolerance {
    Tolerance::stated_absolute(
        0.5 * 10f64.powi(-decimals),
        "spec value rounded to its printed decimals",
    )
}

/// TV11 (T21–T23).
fn tv11(config: &CheckConfig) -> Result<Vec<Evidence>> {
    let mut out = Vec::new();
    let t22 = no_signal_transition_temperature(1.0, 1.0, 0.1)?;
    out.push(Evidence::compare(
        "m̄₂=1, σ₀=1, σ₁=0.1",
        "T22 vs spec TV11",
        0.429_951_54,
        t22,
        printed(8),
    ));
    out.push(Evidence::compare(
        "m̄₂=1, σ₀=1, σ₁=0.1",
        "T22 above the final local T 2σ₁²m̄₂ = 0.02 (observed = min(T, 0.02)... margin)",
        0.02,
        t22.min(0.02),
        Tolerance::stated_absolute(0.0, "strict bound"),
    ));
    out.push(Evidence::compare(
        "m̄₂=1, σ₀=1, σ₁=0.1",
        "T22 below the initial local T 2σ₀²m̄₂ = 2 (observed = max(T, 2))",
        2.0,
        t22.max(2.0),
        Tolerance::stated_absolute(0.0, "strict bound"),
    ));
    // T21 with M = diag(1, 2), w* = (1, 0.5): b = M w*, Ey² = w*ᵀMw* + E_min (E_min = 0.2).
    let e_min = 0.2;
    let m = DataMoments::diagonal(&[1.0, 2.0], &[1.0, 1.0], 1.5 + e_min)?;
    let t21 = trained_transition_temperature(&m, 1.0, 0.1)?;
    out.push(Evidence::compare(
        "M=diag(1,2), w*=(1,0.5), σ₀=1, σ₁=0.1",
        "T21 vs spec TV11",
        0.970_648_2,
        t21,
        printed(7),
    ));
    // Monte Carlo energies of both states (data in moment form: E(w) = E_min + (w−w*)ᵀM(w−w*)),
    // analytic entropies n ln σ + const.
    let draws = config.profile.pick(200_000, 2_000_000, 10_000_000);
    let mut g = Xoshiro256PlusPlus::seed_from_u64(config.stream_seed(11_000));
    let (mut e0, mut e1) = (Welford::new(), Welford::new());
    let w_star = [1.0, 0.5];
    let diag = [1.0, 2.0];
    for _ in 0..draws {
        let (mut a, mut b) = (e_min, e_min);
        for i in 0..2 {
            let w0 = g.sample::<f64, _>(StandardNormal);
            let w1 = w_star[i] + 0.1 * g.sample::<f64, _>(StandardNormal);
            a += diag[i] * (w0 - w_star[i]).powi(2);
            b += diag[i] * (w1 - w_star[i]).powi(2);
        }
        e0.push(a);
        e1.push(b);
    }
    let ds = 2.0 * (1.0f64 / 0.1).ln();
    let mc = transition_temperature(e0.mean(), e1.mean(), ds, 0.0)?;
    let se = (e0.variance() / draws as f64 + e1.variance() / draws as f64).sqrt() / ds;
    out.push(Evidence::compare(
        "M=diag(1,2), w*=(1,0.5), σ₀=1, σ₁=0.1",
        format!("MC energies (N={draws}) and analytic entropies"),
        t21,
        mc,
        Tolerance::standard_errors(DEFAULT_K, se),
    ));
    // T23 and its sign pitfall.
    for (s02, expected) in [(1.0, 1.585_692_4), (0.05, -10.452_617)] {
        let t = zero_entropy_convention_temperature(&m, f64::sqrt(s02))?;
        let dec = if s02 == 1.0 { 7 } else { 6 };
        out.push(Evidence::compare(
            format!("σ₀²={s02}"),
            "T23 (S_trained = 0) vs spec TV11",
            expected,
            t,
            printed(dec),
        ));
    }
    out.push(Evidence::compare(
        "T23",
        "sign change at σ₀² = 1/(2πe) vs spec",
        0.058_549_8,
        ZERO_ENTROPY_VARIANCE,
        printed(7),
    ));
    let below =
        zero_entropy_convention_temperature(&m, (ZERO_ENTROPY_VARIANCE * (1.0 - 1e-6)).sqrt())?;
    let above =
        zero_entropy_convention_temperature(&m, (ZERO_ENTROPY_VARIANCE * (1.0 + 1e-6)).sqrt())?;
    out.push(Evidence::compare(
        "σ₀² = (1 ∓ 1e-6)/(2πe)",
        "sign(T) flips: sign below × sign above = −1",
        -1.0,
        below.signum() * above.signum(),
        Tolerance::stated_absolute(0.0, "exact sign"),
    ));
    // Fan-in σ₀² = 1/n: negative exactly from n = 18.
    let first_negative = (1..100)
        .find(|&n| (2.0 * PI * E / n as f64).ln() < 0.0)
        .unwrap_or(0);
    out.push(Evidence::compare(
        "σ₀² = 1/n",
        "first n with negative init entropy vs spec 18",
        18.0,
        first_negative as f64,
        Tolerance::stated_absolute(0.0, "exact integer"),
    ));
    Ok(out)
}

/// TV12 (T24).
fn tv12(_config: &CheckConfig) -> Result<Vec<Evidence>> {
    let mut out = Vec::new();
    let shift = DataShift::new(&[1.0, -1.0, 0.5], &[0.2, 0.0, 1.0], 0.5, 0.3)?;
    let p = "n=3, s=0.5, δ=(1,−1,0.5), μ=(0.2,0,1), σ_ε=0.3";
    out.push(Evidence::compare(
        p,
        "E vs spec TV12",
        1.1425,
        shift.energy(),
        Tolerance::conditioning(16.0, 1.1425),
    ));
    out.push(Evidence::compare(
        p,
        "T_II vs spec TV12",
        0.375,
        shift.temperature(),
        Tolerance::conditioning(16.0, 0.375),
    ));
    out.push(Evidence::compare(
        p,
        "refresh release vs spec TV12",
        1.0525,
        shift.refresh_release(),
        Tolerance::conditioning(16.0, 1.0525),
    ));
    // Finite difference in s at h and h/2 (E and S_x are exact, so the estimate is the
    // truncation difference plus round-off of ΔE/ΔS).
    let fd = |h: f64| -> Result<f64> {
        let (a, b) = (shift.with_spread(0.5 + h)?, shift.with_spread(0.5 - h)?);
        Ok((a.energy() - b.energy()) / (a.entropy() - b.entropy()))
    };
    let (f1, f2) = (fd(1e-3)?, fd(5e-4)?);
    out.push(Evidence::compare(
        p,
        "central difference ΔE/ΔS_x in s",
        shift.temperature(),
        f2,
        Tolerance::error_estimate(1.0, (f1 - f2).abs() + 1e-12, 0.375),
    ));
    // A pure mean shift changes E at fixed S_x (work, not heat).
    let moved = DataShift::new(&[1.0, -1.0, 0.5], &[0.5, 0.0, 1.0], 0.5, 0.3)?;
    out.push(Evidence::compare(
        p,
        "mean shift: ΔS_x = 0",
        0.0,
        moved.entropy() - shift.entropy(),
        Tolerance::conditioning(16.0, shift.entropy()),
    ));
    let matched = DataShift::new(&[0.0; 3], &[0.2, 0.0, 1.0], 0.5, 0.3)?;
    out.push(Evidence::compare(
        "δ = 0",
        "matched model is cold: T_II = 0",
        0.0,
        matched.temperature(),
        Tolerance::stated_absolute(0.0, "exact"),
    ));
    Ok(out)
}

pub(super) fn claims() -> Vec<Claim> {
    vec![
        Claim::new(
            "TV11",
            Source::Temperature,
            &["T21", "T22", "T23"],
            "Transition temperatures: T22 = 0.42995154 lies between the local temperatures; T21 = 0.9706482 matches Monte Carlo energies; the S_trained = 0 convention gives 1.5856924 and −10.452617, changing sign at σ₀² = 1/(2πe).",
            tv11,
        ),
        Claim::new(
            "TV12",
            Source::Temperature,
            &["T24"],
            "Type II data shift: E = 1.1425, T_II = 0.375 (= finite difference in s), refresh releases 1.0525.",
            tv12,
        ),
    ]
}
