//! MV7 (M4, M14, M15): for random smooth protocols, $W^{LR}_{ex} \ge \ell^2/T$ with equality after
//! the constant-speed reparametrisation, and the geodesic beats every other path between the same
//! endpoints — on the stiffness family and the two-parameter Gaussian.
//!
//! # The random protocols (seeded by `config.stream_seed`)
//!
//! Time is warped by $g(u) = u + \sum_{m=1}^{3} a_m\sin(m\pi u)/(m\pi)$, $u = t/T$, with
//! $\sum|a_m| \le 0.9$, so $g' = 1 + \sum a_m\cos(m\pi u) \ge 0.1$: $g$ is smooth, increasing, $g(0)=0$,
//! $g(1)=1$.
//!
//! - **Stiffness**: $\ln k(t) = \ln k_i + (\ln k_f - \ln k_i)\,g(u)$ with $k_i \in [0.3, 3]$,
//!   $|\ln(k_f/k_i)| \in [0.3, 1.5]$, $T \in [0.5, 5]$, $D \in [0.3, 3]$. Monotone, so its
//!   length equals the M14 distance and its constant-speed reparametrisation *is* the M14
//!   geodesic (two independent statements checked pointwise).
//! - **Two-parameter Gaussian**: in $(\mu, \sigma)$, the straight line from $(\mu_0, \sigma_0)$ to
//!   $(\mu_1, \sigma_1)$ at the warped time $g(u)$ plus bumps $b_m\sin(m\pi u)$ ($m = 1, 2$) in
//!   each coordinate, $\mu \in [-2, 2]$, $\sigma \in [0.5, 2]$, $\sum|b^\sigma_m| \le 0.4\min\sigma$
//!   (so $\sigma > 0$), $\sum |b^\mu_m| \le 1$; given to the metric in $(\mu, k = \sigma^{-2})$.
//!
//! Evidence per protocol: $W^{LR}_{ex} \ge \ell^2/T$; $W^{LR}$ of the constant-speed
//! reparametrisation $= \ell^2/T$; $W^{LR} \ge \mathcal D_\zeta^2/T$ (geodesic closed form, M14/M15)
//! and $\ge$ the quadrature of the geodesic protocol's own $W^{LR}$. Tolerances come from the
//! quadrature's cross-checked estimates ($\delta(\ell^2/T) = 2\ell\,\delta\ell/T$).

use crate::gaussian;
use crate::geodesic::{self, MeanStiffnessGeodesic, StiffnessGeodesic};
use crate::length::{self, Friction};
use crate::protocol::{ConstantSpeed, FnProtocol, Protocol};
use nalgebra::{DMatrix, DVector};
use rand::{RngExt, SeedableRng};
use std::f64::consts::PI;
use thermocheck_numerics::quad::QuadOptions;
use thermocheck_numerics::sde::Xoshiro256PlusPlus;
use thermocheck_numerics::tolerance::ESTIMATE_FACTOR;
use thermocheck_numerics::{CheckConfig, Claim, Evidence, Result, Source, Tolerance};

pub(super) fn claims() -> Vec<Claim> {
    vec![Claim::new(
        "MV7",
        Source::MinimalDissipation,
        &["M3", "M4", "M14", "M15"],
        "For random smooth protocols W^LR ≥ ℓ²/T, with equality after the constant-speed \
         reparametrisation; the constant-speed reparametrisation of a monotone stiffness path is \
         the M14 geodesic, and the geodesic beats every other path between the same endpoints.",
        mv7,
    )]
}

/// The time warp $g(u)$, $g'(u)$ with coefficients `a`.
fn warp(a: &[f64; 3], u: f64) -> (f64, f64) {
    let mut g = u;
    let mut dg = 1.0;
    for (m, am) in a.iter().enumerate() {
        let w = (m + 1) as f64 * PI;
        g += am * (w * u).sin() / w;
        dg += am * (w * u).cos();
    }
    (g, dg)
}

/// Random warp coefficients with $\sum|a_m| \le 0.9$.
fn random_warp(rng: &mut Xoshiro256PlusPlus) -> [f64; 3] {
    let raw: [f64; 3] = [
        rng.random_range(-1.0..1.0),
        rng.random_range(-1.0..1.0),
        rng.random_range(-1.0..1.0),
    ];
    let total: f64 = raw.iter().map(|x: &f64| x.abs()).sum();
    let scale = rng.random_range(0.0..0.9) / total.max(1e-12);
    raw.map(|x| x * scale)
}

fn stiffness_zeta(diffusion: f64) -> impl Fn(&[f64]) -> Result<DMatrix<f64>> {
    move |th: &[f64]| {
        Ok(DMatrix::from_element(
            1,
            1,
            gaussian::stiffness_friction(th[0], diffusion)?,
        ))
    }
}

fn mean_stiffness_zeta(diffusion: f64) -> impl Fn(&[f64]) -> Result<DMatrix<f64>> {
    move |th: &[f64]| gaussian::mean_stiffness_friction(th[1], diffusion)
}

/// The common evidence of one random protocol: Cauchy–Schwarz, equality after reparametrisation,
/// and the geodesic bound (closed form and the geodesic protocol's quadrature).
#[allow(clippy::too_many_arguments)]
fn length_evidence(
    point: &str,
    protocol: &impl Protocol,
    friction: &impl Friction,
    geodesic_protocol: &impl Protocol,
    geodesic_work: f64,
    options: &QuadOptions,
    evidence: &mut Vec<Evidence>,
) -> Result<ConstantSpeedSummary> {
    let t = protocol.duration();
    let work = length::linear_response_excess_work(protocol, friction, options)?;
    let ell = length::thermodynamic_length(protocol, friction, options)?;
    let bound = length::length_bound(ell.value, t)?;
    let bound_error = 2.0 * ell.value * ell.error_estimate / t;
    evidence.push(Evidence::at_least(
        point,
        "W^LR ≥ ℓ²/T (Cauchy–Schwarz, M4)",
        work.value,
        bound,
        Tolerance::error_estimate(ESTIMATE_FACTOR, work.error_estimate + bound_error, bound),
    ));
    let by_reference = |theta: &[f64]| friction.friction(theta);
    let reparametrised = ConstantSpeed::new(protocol, by_reference, options)?;
    let constant = length::linear_response_excess_work(&reparametrised, friction, options)?;
    let length_error = (reparametrised.length() - ell.value).abs() + reparametrised.length_error();
    evidence.push(Evidence::compare(
        point,
        "W^LR of the constant-speed reparametrisation = ℓ²/T (M4 equality)",
        bound,
        constant.value,
        Tolerance::error_estimate(
            ESTIMATE_FACTOR,
            constant.error_estimate + bound_error + 2.0 * ell.value * length_error / t,
            bound,
        ),
    ));
    evidence.push(Evidence::at_least(
        point,
        "W^LR ≥ D_ζ²/T (geodesic closed form M14/M15)",
        work.value,
        geodesic_work,
        Tolerance::error_estimate(ESTIMATE_FACTOR, work.error_estimate, geodesic_work),
    ));
    let geodesic_quadrature =
        length::linear_response_excess_work(geodesic_protocol, friction, options)?;
    evidence.push(Evidence::at_least(
        point,
        "W^LR ≥ W^LR of the geodesic protocol (quadrature)",
        work.value,
        geodesic_quadrature.value,
        Tolerance::error_estimate(
            ESTIMATE_FACTOR,
            work.error_estimate + geodesic_quadrature.error_estimate,
            geodesic_quadrature.value,
        ),
    ));
    Ok(ConstantSpeedSummary {
        length: ell.value,
        length_error: ell.error_estimate + length_error,
    })
}

struct ConstantSpeedSummary {
    length: f64,
    length_error: f64,
}

fn mv7(config: &CheckConfig) -> Result<Vec<Evidence>> {
    let options = QuadOptions::new(1e-10, 0.0)?;
    let count = config.profile.pick(2, 8, 32);
    let mut evidence = Vec::new();
    for i in 0..count {
        // Stream indices 700.. belong to MV7 (MV10 uses 1000..).
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(config.stream_seed(700 + i as u64));

        // Stiffness.
        let k_i: f64 = rng.random_range(0.3..3.0);
        let span: f64 = rng.random_range(0.3..1.5) * if rng.random_bool(0.5) { 1.0 } else { -1.0 };
        let k_f = k_i * span.exp();
        let t: f64 = rng.random_range(0.5..5.0);
        let d: f64 = rng.random_range(0.3..3.0);
        let a = random_warp(&mut rng);
        let (ln_i, ln_f) = (k_i.ln(), k_f.ln());
        let path = FnProtocol::new(
            1,
            t,
            move |time| {
                let (g, _) = warp(&a, time / t);
                Ok(DVector::from_element(1, (ln_i + (ln_f - ln_i) * g).exp()))
            },
            move |time| {
                let (g, dg) = warp(&a, time / t);
                let k = (ln_i + (ln_f - ln_i) * g).exp();
                Ok(DVector::from_element(1, k * (ln_f - ln_i) * dg / t))
            },
        )?;
        let zeta = stiffness_zeta(d);
        let point =
            format!("stiffness #{i}: k {k_i:.4} → {k_f:.4}, T = {t:.3}, D = {d:.3}, warp {a:.3?}");
        let geodesic_protocol = StiffnessGeodesic::new(k_i, k_f, t)?;
        let summary = length_evidence(
            &point,
            &path,
            &zeta,
            &geodesic_protocol,
            geodesic::stiffness_geodesic_work(k_i, k_f, t, d)?,
            &options,
            &mut evidence,
        )?;
        let distance = geodesic::stiffness_geodesic_distance(k_i, k_f, d)?;
        evidence.push(Evidence::compare(
            &point,
            "ℓ of a monotone path (quadrature) = D_ζ = |k_i^{-1/2} − k_f^{-1/2}|/√D (M14)",
            distance,
            summary.length,
            Tolerance::error_estimate(ESTIMATE_FACTOR, summary.length_error, distance),
        ));
        // The constant-speed reparametrisation of a monotone path is the M14 geodesic. Its
        // position error is |dk/ds|·δs with δs the length error plus the inversion tolerance.
        let reparametrised = ConstantSpeed::new(&path, stiffness_zeta(d), &options)?;
        for &u in &[0.25, 0.5, 0.75] {
            let time = u * t;
            let expected = geodesic_protocol.position(time)?[0];
            let observed = reparametrised.position(time)?[0];
            let dk_ds = geodesic_protocol.velocity(time)?[0].abs() * t / distance;
            let delta_s = summary.length_error + options.rel_tol() * distance;
            evidence.push(Evidence::compare(
                &point,
                format!("constant-speed reparametrisation at u = {u} vs the M14 geodesic k(t)"),
                expected,
                observed,
                Tolerance::error_estimate(ESTIMATE_FACTOR, dk_ds * delta_s, expected),
            ));
        }

        // Two-parameter Gaussian.
        let (mu0, mu1): (f64, f64) = (rng.random_range(-2.0..2.0), rng.random_range(-2.0..2.0));
        let (s0, s1): (f64, f64) = (rng.random_range(0.5..2.0), rng.random_range(0.5..2.0));
        let t2: f64 = rng.random_range(0.5..5.0);
        let d2: f64 = rng.random_range(0.3..3.0);
        let a2 = random_warp(&mut rng);
        let sigma_room = 0.4 * s0.min(s1);
        let bump = |rng: &mut Xoshiro256PlusPlus, total: f64| -> [f64; 2] {
            let (x, y): (f64, f64) = (rng.random_range(-1.0..1.0), rng.random_range(-1.0..1.0));
            let s = total / (x.abs() + y.abs()).max(1e-12);
            [x * s, y * s]
        };
        let total_mu: f64 = rng.random_range(0.0..1.0);
        let total_sigma: f64 = rng.random_range(0.0..sigma_room);
        let (b_mu, b_sigma) = (bump(&mut rng, total_mu), bump(&mut rng, total_sigma));
        // (μ, σ)(u) and their u-derivatives.
        let moments = move |u: f64| -> [f64; 4] {
            let (g, dg) = warp(&a2, u);
            let (mut mu, mut sigma) = (mu0 + (mu1 - mu0) * g, s0 + (s1 - s0) * g);
            let (mut dmu, mut dsigma) = ((mu1 - mu0) * dg, (s1 - s0) * dg);
            for m in 0..2 {
                let w = (m + 1) as f64 * PI;
                mu += b_mu[m] * (w * u).sin();
                sigma += b_sigma[m] * (w * u).sin();
                dmu += b_mu[m] * w * (w * u).cos();
                dsigma += b_sigma[m] * w * (w * u).cos();
            }
            [mu, sigma, dmu, dsigma]
        };
        let path2 = FnProtocol::new(
            2,
            t2,
            move |time| {
                let [mu, sigma, _, _] = moments(time / t2);
                Ok(DVector::from_vec(vec![mu, sigma.powi(-2)]))
            },
            move |time| {
                let [_, sigma, dmu, dsigma] = moments(time / t2);
                Ok(DVector::from_vec(vec![
                    dmu / t2,
                    -2.0 * dsigma / t2 / sigma.powi(3),
                ]))
            },
        )?;
        let (theta0, theta1) = ([mu0, s0.powi(-2)], [mu1, s1.powi(-2)]);
        let point2 = format!(
            "two-param #{i}: (μ,σ) ({mu0:.3},{s0:.3}) → ({mu1:.3},{s1:.3}), T = {t2:.3}, \
             D = {d2:.3}, bumps μ {b_mu:.3?} σ {b_sigma:.3?}"
        );
        let summary2 = length_evidence(
            &point2,
            &path2,
            &mean_stiffness_zeta(d2),
            &MeanStiffnessGeodesic::new(&theta0, &theta1, t2)?,
            geodesic::mean_stiffness_geodesic_work(&theta0, &theta1, t2, d2)?,
            &options,
            &mut evidence,
        )?;
        let distance2 = geodesic::mean_stiffness_geodesic_distance(&theta0, &theta1, d2)?;
        evidence.push(Evidence::at_least(
            &point2,
            "ℓ ≥ D_ζ = W₂/√D (M15: straight lines in (μ,σ) are shortest)",
            summary2.length,
            distance2,
            Tolerance::error_estimate(ESTIMATE_FACTOR, summary2.length_error, distance2),
        ));
    }
    Ok(evidence)
}

#[cfg(test)]
mod tests {
    use thermocheck_numerics::CheckConfig;
    use thermocheck_numerics::claim::assert_quick_claims_pass;

    #[test]
    fn mv7_passes_in_the_quick_profile_for_two_seeds() {
        assert_quick_claims_pass(&super::claims(), &[CheckConfig::DEFAULT_SEED, 11]);
    }
}
