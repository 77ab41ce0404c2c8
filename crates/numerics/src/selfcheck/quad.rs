//! Self-checks of [`crate::quad`]: `NV4` (integrals with known values: a kink, an endpoint
//! singularity, infinite ranges, tiny and huge scales, a narrow peak at a break point) and `NV5`
//! (Gaussian expectations over $q \in [10^{-6}, 10^6]$).
//!
//! Every reference is a closed form derived by hand (named at each case); none is computed by
//! quadrature or shares code with [`crate::quad`]. Each reference exists only here: the unit
//! tests of [`crate::quad`] do not repeat these integrals (the claims run in `cargo test`).
//!
//! Tolerances: [`ESTIMATE_FACTOR`] (1) times the cross-checked $n$ vs $2n$ estimate, which
//! measures the error of the coarser $I_n$ while the finer $I_{2n}$ is returned (tolerance
//! module), and for `NV5` also the stated $10^{-10}$ relative accuracy.

use crate::error::Result;
use crate::quad::{QuadOptions, QuadReport, gaussian_expectation, integrate};
use crate::tolerance::ESTIMATE_FACTOR;
use crate::{CheckConfig, Claim, Evidence, Source, Tolerance};
use std::f64::consts::PI;

/// The relative accuracy issue #2 asks of Gaussian expectations.
const GAUSSIAN_REL: f64 = 1e-10;
const GAUSSIAN_REASON: &str = "issue #2: accuracy for q in [1e-6, 1e6]";

pub(super) fn claims() -> Vec<Claim> {
    vec![
        Claim::new(
            "NV4",
            Source::Numerics,
            &[],
            "quadrature of integrals with known values, including a kink, an endpoint \
             singularity and infinite ranges",
            nv4,
        ),
        Claim::new(
            "NV5",
            Source::Numerics,
            &[],
            "Gaussian expectations E[f(z)], z ~ N(0, q), hold 1e-10 relative accuracy for q from \
             1e-6 to 1e6",
            nv5,
        ),
    ]
}

fn method(report: &QuadReport) -> String {
    format!(
        "double-exponential quadrature, n vs 2n cross-check ({} evaluations, {} segments)",
        report.evaluations, report.segments
    )
}

/// The comparison within the cross-checked error estimate; `method_suffix` says which tolerance
/// the row tests when a point has several rows.
fn against_estimate(
    point: &str,
    expected: f64,
    report: &QuadReport,
    method_suffix: &str,
) -> Evidence {
    Evidence::compare(
        point,
        format!("{}{method_suffix}", method(report)),
        expected,
        report.value,
        Tolerance::error_estimate(ESTIMATE_FACTOR, report.error_estimate, expected),
    )
}

fn nv4(config: &CheckConfig) -> Result<Vec<Evidence>> {
    let options = QuadOptions::default();
    let inf = f64::INFINITY;
    // (point, integrand, lower, upper, break points, hand-derived value)
    type Case = (String, Box<dyn Fn(f64) -> f64>, f64, f64, Vec<f64>, f64);
    let mut cases: Vec<Case> = vec![
        (
            // 1/2 + 2 = 5/2.
            "∫_{-1}^{2} |x| dx, kink at 0 given".into(),
            Box::new(f64::abs),
            -1.0,
            2.0,
            vec![0.0],
            2.5,
        ),
        (
            "∫_0^∞ e^{-x} dx".into(),
            Box::new(|x: f64| (-x).exp()),
            0.0,
            inf,
            vec![],
            1.0,
        ),
        (
            // The Gaussian integral.
            "∫_{-∞}^{∞} e^{-x²} dx".into(),
            Box::new(|x: f64| (-x * x).exp()),
            -inf,
            inf,
            vec![],
            PI.sqrt(),
        ),
        (
            // Γ(1/2) = √π.
            "∫_0^∞ x^{-1/2} e^{-x} dx (endpoint singularity)".into(),
            Box::new(|x: f64| (-x).exp() / x.sqrt()),
            0.0,
            inf,
            vec![],
            PI.sqrt(),
        ),
        (
            "∫_1^∞ x^{-2} dx (algebraic tail)".into(),
            Box::new(|x: f64| 1.0 / (x * x)),
            1.0,
            inf,
            vec![],
            1.0,
        ),
        (
            // w√(2π); the neglected tails are beyond 1e7 widths.
            "∫_{-1e3}^{2e3} e^{-(x-0.3)²/(2·1e-8)} dx, peak of width 1e-4 at break point 0.3"
                .into(),
            Box::new(|x: f64| (-0.5 * ((x - 0.3) / 1e-4).powi(2)).exp()),
            -1e3,
            2e3,
            vec![0.3],
            1e-4 * (2.0 * PI).sqrt(),
        ),
    ];
    for sigma in config.profile.pick(
        vec![1e-9, 1e9],
        vec![1e-9, 1e-3, 1e3, 1e9],
        vec![1e-15, 1e-9, 1e-3, 1e3, 1e9, 1e15],
    ) {
        cases.push((
            format!("∫_0^∞ e^{{-x/σ}} dx = σ, σ = {sigma:e} (scale probe)"),
            Box::new(move |x: f64| (-x / sigma).exp()),
            0.0,
            inf,
            vec![],
            sigma,
        ));
    }
    let mut evidence = Vec::with_capacity(cases.len());
    for (point, f, lower, upper, breakpoints, expected) in cases {
        let report = integrate(f, lower, upper, &breakpoints, &options)?;
        evidence.push(against_estimate(&point, expected, &report, ""));
    }
    Ok(evidence)
}

/// $\mathbb E[\ln(1+e^z)]$, $z \sim \mathcal N(0, q)$, for $q \ge 10^4$: $\sqrt{q/2\pi}$ (the
/// ReLU part) plus $\frac{2}{\sqrt{2\pi q}}\sum_k \frac{(-1)^k (2k)!}{k!\,(2q)^k}\eta(2k+2)$
/// with $\eta(2) = \pi^2/12$, $\eta(4) = 7\pi^4/720$, $\eta(6) = 31\pi^6/30240$ (hand: expand
/// the density about 0 under $\ln(1+e^{-|z|})$ and use
/// $\int_0^\infty z^{s-1}\ln(1+e^{-z})\,dz = \Gamma(s)\,\eta(s+1)$). The first omitted term is
/// below $10^{-13}$ relative for $q \ge 10^4$.
fn softplus_expectation(q: f64) -> f64 {
    let eta2 = PI.powi(2) / 12.0;
    let eta4 = 7.0 * PI.powi(4) / 720.0;
    let eta6 = 31.0 * PI.powi(6) / 30240.0;
    (q / (2.0 * PI)).sqrt() + 2.0 / (2.0 * PI * q).sqrt() * (eta2 - eta4 / q + 3.0 * eta6 / (q * q))
}

/// $\ln(1+e^z)$ in a form that does not overflow.
fn softplus(z: f64) -> f64 {
    z.max(0.0) + (-z.abs()).exp().ln_1p()
}

fn nv5(config: &CheckConfig) -> Result<Vec<Evidence>> {
    let options = QuadOptions::default();
    let variances = config.profile.pick(
        vec![1e-6, 1e-3, 1.0, 1e3, 1e6],
        vec![1e-6, 1e-4, 1e-2, 1.0, 1e2, 1e4, 1e6],
        vec![
            1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 0.1, 1.0, 10.0, 1e2, 1e3, 1e4, 1e5, 1e6,
        ],
    );
    let mut evidence = Vec::new();
    let mut check = |name: &str, f: &dyn Fn(f64) -> f64, q: f64, kinks: &[f64], expected: f64| {
        let report = gaussian_expectation(f, q, kinks, &options)?;
        let point = format!("E[{name}], z ~ N(0, {q:e})");
        evidence.push(Evidence::compare(
            point.clone(),
            format!(
                "{}: within the stated 1e-10 relative accuracy",
                method(&report)
            ),
            expected,
            report.value,
            Tolerance::stated_relative(GAUSSIAN_REL, expected, GAUSSIAN_REASON),
        ));
        evidence.push(against_estimate(
            &point,
            expected,
            &report,
            ": within its own error estimate",
        ));
        Result::Ok(())
    };
    for &q in &variances {
        // Hand-derived moments of N(0, q).
        check("|z|", &f64::abs, q, &[0.0], (2.0 * q / PI).sqrt())?;
        check(
            "max(z,0)²",
            &|z: f64| z.max(0.0).powi(2),
            q,
            &[0.0],
            q / 2.0,
        )?;
        check(
            "max(z,0)",
            &|z: f64| z.max(0.0),
            q,
            &[0.0],
            (q / (2.0 * PI)).sqrt(),
        )?;
        check("z⁴", &|z: f64| z.powi(4), q, &[], 3.0 * q * q)?;
        // The characteristic function; above q ≈ 10 it cancels below double precision.
        if q <= 10.0 {
            check("cos z", &f64::cos, q, &[], (-q / 2.0).exp())?;
        }
        if q >= 1e4 {
            check("ln(1+e^z)", &softplus, q, &[], softplus_expectation(q))?;
        }
    }
    Ok(evidence)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Profile;

    #[test]
    fn quadrature_claims_pass() {
        crate::claim::assert_claims_pass(&claims(), &CheckConfig::new(Profile::Quick));
    }
}
