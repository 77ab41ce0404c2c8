//! Property tests of M4 (Cauchy–Schwarz and the geodesic bound) and M14/M15 over bounded,
//! physically meaningful ranges, plus the typed errors of mismatched dimensions.
//!
//! Ranges: stiffnesses in [0.1, 10], diffusion in [0.1, 10], durations in [0.1, 10], means in
//! [-5, 5]; protocols are straight lines in (μ, k) plus one sine bump of amplitude at most a third
//! of the smaller stiffness (so k stays > 0). Tolerances: the quadrature's cross-checked error
//! estimates (`ESTIMATE_FACTOR` = 1) plus the rounding floor.

use nalgebra::{DMatrix, DVector};
use proptest::prelude::*;
use std::f64::consts::PI;
use thermocheck_metric::geodesic::{
    MeanStiffnessGeodesic, StiffnessGeodesic, mean_stiffness_geodesic_work,
    stiffness_geodesic_work, stiffness_linear_work,
};
use thermocheck_metric::protocol::{ConstantSpeed, FnProtocol, LinearProtocol, Protocol};
use thermocheck_metric::{gaussian, length};
use thermocheck_numerics::quad::QuadOptions;
use thermocheck_numerics::tolerance::ESTIMATE_FACTOR;
use thermocheck_numerics::{Error, Result, Tolerance};

fn stiffness_zeta(d: f64) -> impl Fn(&[f64]) -> Result<DMatrix<f64>> {
    move |th: &[f64]| {
        Ok(DMatrix::from_element(
            1,
            1,
            gaussian::stiffness_friction(th[0], d)?,
        ))
    }
}

fn two_zeta(d: f64) -> impl Fn(&[f64]) -> Result<DMatrix<f64>> {
    move |th: &[f64]| gaussian::mean_stiffness_friction(th[1], d)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// M14: the quadrature of θ̇ᵀζθ̇ on the geodesic and on the linear-in-k protocol matches the
    /// two closed forms, and the geodesic is never worse.
    #[test]
    fn stiffness_closed_forms_match_quadrature(
        k_i in 0.1f64..10.0, k_f in 0.1f64..10.0, t in 0.1f64..10.0, d in 0.1f64..10.0,
    ) {
        let options = QuadOptions::default();
        let zeta = stiffness_zeta(d);
        let geo = length::linear_response_excess_work(&StiffnessGeodesic::new(k_i, k_f, t)?, &zeta, &options)?;
        let expected = stiffness_geodesic_work(k_i, k_f, t, d)?;
        let tol = Tolerance::error_estimate(ESTIMATE_FACTOR, geo.error_estimate, expected);
        prop_assert!(tol.accepts(expected, geo.value), "geodesic {} vs {} ({tol})", geo.value, expected);
        let lin = length::linear_response_excess_work(&LinearProtocol::new(&[k_i], &[k_f], t)?, &zeta, &options)?;
        let expected_lin = stiffness_linear_work(k_i, k_f, t, d)?;
        let tol = Tolerance::error_estimate(ESTIMATE_FACTOR, lin.error_estimate, expected_lin);
        prop_assert!(tol.accepts(expected_lin, lin.value), "linear {} vs {} ({tol})", lin.value, expected_lin);
        prop_assert!(expected_lin >= expected * (1.0 - 16.0 * f64::EPSILON));
    }

    /// M4 and M15 on bumped two-parameter paths: W^LR ≥ ℓ²/T ≥ W₂²/(DT), and the constant-speed
    /// reparametrisation attains ℓ²/T.
    #[test]
    fn bumped_two_parameter_paths_respect_the_bounds(
        mu0 in -5.0f64..5.0, mu1 in -5.0f64..5.0, k0 in 0.1f64..10.0, k1 in 0.1f64..10.0,
        t in 0.1f64..10.0, d in 0.1f64..10.0, bump in -1.0f64..1.0, mode in 1u32..4,
    ) {
        let amplitude = bump * k0.min(k1) / 3.0;
        let w = f64::from(mode) * PI;
        let path = FnProtocol::new(2, t,
            move |time| { let u = time / t;
                Ok(DVector::from_vec(vec![mu0 + (mu1 - mu0) * u, k0 + (k1 - k0) * u + amplitude * (w * u).sin()])) },
            move |time| { let u = time / t;
                Ok(DVector::from_vec(vec![(mu1 - mu0) / t, ((k1 - k0) + amplitude * w * (w * u).cos()) / t])) },
        )?;
        let options = QuadOptions::default();
        let zeta = two_zeta(d);
        let work = length::linear_response_excess_work(&path, &zeta, &options)?;
        let ell = length::thermodynamic_length(&path, &zeta, &options)?;
        let bound = length::length_bound(ell.value, t)?;
        let slack = work.error_estimate + 2.0 * ell.value * ell.error_estimate / t
            + 64.0 * f64::EPSILON * work.value;
        prop_assert!(work.value >= bound - slack, "W {} < ℓ²/T {}", work.value, bound);
        let geodesic = mean_stiffness_geodesic_work(&[mu0, k0], &[mu1, k1], t, d)?;
        prop_assert!(bound >= geodesic - slack, "ℓ²/T {} < W₂²/(DT) {}", bound, geodesic);
        // The geodesic protocol attains the closed form.
        let on_geodesic = length::linear_response_excess_work(
            &MeanStiffnessGeodesic::new(&[mu0, k0], &[mu1, k1], t)?, &zeta, &options)?;
        let tol = Tolerance::error_estimate(ESTIMATE_FACTOR, on_geodesic.error_estimate, geodesic);
        prop_assert!(tol.accepts(geodesic, on_geodesic.value), "{} vs {} ({tol})", on_geodesic.value, geodesic);
    }
}

#[test]
fn mismatched_dimensions_are_typed_errors() {
    let options = QuadOptions::default();
    // A 1-parameter protocol with a 2×2 metric.
    let line = LinearProtocol::new(&[1.0], &[2.0], 1.0).unwrap();
    let square = |_: &[f64]| Ok(DMatrix::identity(2, 2));
    let e = length::linear_response_excess_work(&line, &square, &options).unwrap_err();
    assert!(
        matches!(e, Error::DimensionMismatch { ref parameter, expected: 1, actual: 2 } if parameter == "friction"),
        "{e}"
    );
    // Ends of different lengths.
    let e = LinearProtocol::new(&[1.0], &[2.0, 3.0], 1.0).unwrap_err();
    assert!(matches!(e, Error::DimensionMismatch { .. }), "{e}");
    // A closure protocol that returns the wrong length.
    let bad = FnProtocol::new(
        2,
        1.0,
        |_| Ok(DVector::from_element(3, 1.0)),
        |_| Ok(DVector::zeros(2)),
    )
    .unwrap();
    let e = bad.position(0.5).unwrap_err();
    assert!(
        matches!(e, Error::DimensionMismatch { ref parameter, expected: 2, actual: 3 } if parameter == "position"),
        "{e}"
    );
    // Time outside [0, T], NaN time.
    assert!(line.position(1.5).is_err());
    assert!(line.velocity(f64::NAN).is_err());
    // A constant path has no constant-speed reparametrisation.
    let still = LinearProtocol::new(&[1.0], &[1.0], 1.0).unwrap();
    let e = ConstantSpeed::new(still, stiffness_zeta(1.0), &options).unwrap_err();
    assert!(matches!(e, Error::OutOfRange { .. }), "{e}");
    // A path that leaves the family's domain: the friction's own error, not a NaN.
    let negative = LinearProtocol::new(&[1.0], &[-1.0], 1.0).unwrap();
    let e =
        length::linear_response_excess_work(&negative, &stiffness_zeta(1.0), &options).unwrap_err();
    assert!(e.to_string().contains("stiffness"), "{e}");
}

/// The constant-speed reparametrisation inverted by root finding against an independent
/// inversion: integrating dt/du = (ℓ/T)/v(t) with the guarded ODE solver. Tolerance: the ODE's
/// estimate plus |dt/ds|·(quadrature length error + inversion tolerance).
#[test]
fn constant_speed_inversion_matches_an_ode_inversion() {
    use thermocheck_numerics::ode::{self, OdeOptions};
    let (t, d) = (2.0, 0.7);
    let path = FnProtocol::new(
        1,
        t,
        |time| Ok(DVector::from_element(1, 1.0 + time * time)),
        |time| Ok(DVector::from_element(1, 2.0 * time)),
    )
    .unwrap();
    let options = QuadOptions::default();
    let zeta = stiffness_zeta(d);
    let reparametrised = ConstantSpeed::new(&path, stiffness_zeta(d), &options).unwrap();
    let rate = reparametrised.length() / t;
    // The speed vanishes at t = 0 (dt/du is singular there), so the ODE starts at u = T/2 from the
    // root finder's value and integrates forward to u = 0.9T.
    let u0 = 0.5 * t;
    let t0 = reparametrised.original_time(u0).unwrap();
    let system = ode::from_fn(1, |_u, y: &[f64], dy: &mut [f64]| {
        dy[0] = rate / length::speed(&path, &zeta, y[0].min(t)).unwrap_or(f64::NAN);
    });
    let u1 = 0.9 * t;
    let sol = ode::integrate(&system, u0, u1, &[t0], &OdeOptions::default()).unwrap();
    let expected = reparametrised.original_time(u1).unwrap();
    let dt_ds = 1.0 / length::speed(&path, &zeta, expected).unwrap();
    let tol = sol.report.error_estimate.unwrap()
        + dt_ds
            * (reparametrised.length_error() + options.rel_tol() * reparametrised.length())
            * 2.0;
    assert!(
        (sol.y[0] - expected).abs() <= tol,
        "{} vs {expected} (tol {tol:e})",
        sol.y[0]
    );
}
