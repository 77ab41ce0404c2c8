//! `moments::drive` (M16) on prescribed protocols: typed errors, and agreement with the learning
//! engine `moments::learn` when the protocol is the one a schedule produces.

use nalgebra::DVector;
use thermocheck_dissipation::data::Data;
use thermocheck_dissipation::energy::{GaussianMean, GaussianMeanStiffness, Quartic, Stiffness};
use thermocheck_dissipation::gaussian::GaussianProtocol;
use thermocheck_dissipation::learning::LearningProblem;
use thermocheck_dissipation::moments::{self, MomentOptions};
use thermocheck_metric::protocol::{FnProtocol, LinearProtocol};
use thermocheck_numerics::Error;

#[test]
fn drive_rejects_bad_inputs_with_typed_errors() {
    let options = MomentOptions::default();
    let two = LinearProtocol::new(&[0.0, 1.0], &[1.0, 2.0], 1.0).unwrap();
    let e = moments::drive(&Stiffness, &two, 1.0, None, None, &options).unwrap_err();
    assert!(
        matches!(e, Error::DimensionMismatch { ref parameter, expected: 1, actual: 2 } if parameter == "protocol"),
        "{e}"
    );
    let one = LinearProtocol::new(&[1.0], &[2.0], 1.0).unwrap();
    let e = moments::drive(&Stiffness, &one, 1.0, Some(&[1.0, 2.0]), None, &options).unwrap_err();
    assert!(
        matches!(e, Error::DimensionMismatch { ref parameter, .. } if parameter == "start"),
        "{e}"
    );
    let e = moments::drive(&Stiffness, &one, -1.0, None, None, &options).unwrap_err();
    assert!(e.to_string().contains("diffusion"), "{e}");
    // Not a Gaussian family.
    let e = moments::drive(
        &Quartic,
        &LinearProtocol::new(&[1.0, 1.0], &[1.0, 2.0], 1.0).unwrap(),
        1.0,
        None,
        None,
        &options,
    )
    .unwrap_err();
    assert!(e.to_string().contains("not a Gaussian family"), "{e}");
    // A protocol that crosses k = 0 midway.
    let crossing = LinearProtocol::new(&[0.0, 1.0], &[0.0, -1.0], 1.0).unwrap();
    let e =
        moments::drive(&GaussianMeanStiffness, &crossing, 1.0, None, None, &options).unwrap_err();
    assert!(e.to_string().contains("stiffness"), "{e}");
}

/// The optimal Gaussian-mean schedule (D14, with impulses) run by `learn` produces θ*(t); driving
/// the chain through θ*(t) with the same jumps must give the same work (two engines sharing only
/// the chain rates). Tolerance: the sum of both ODE error estimates plus the rounding floor.
#[test]
fn drive_reproduces_learn_on_the_optimal_mean_path() {
    let (t_end, variance, d, target) = (2.0, 0.5, 0.8, 1.5);
    let p = GaussianProtocol::new(t_end, variance, d).unwrap();
    let schedule = p.optimal_schedule(true).unwrap();
    let energy = GaussianMean::new(variance).unwrap();
    let data = Data::gaussian(target, 0.0).unwrap();
    let problem = LearningProblem::new(&energy, &data, &schedule, &[0.0], d).unwrap();
    let options = MomentOptions::default();
    let learned = moments::learn(&problem, &options).unwrap();
    let inside = move |t: f64| t.clamp(f64::MIN_POSITIVE, t_end * (1.0 - f64::EPSILON));
    let path = FnProtocol::new(
        1,
        t_end,
        move |t| {
            Ok(DVector::from_element(
                1,
                p.optimal_protocol(0.0, target, inside(t))?,
            ))
        },
        move |_| Ok(DVector::from_element(1, p.speed(target)?)),
    )
    .unwrap();
    let driven =
        moments::drive(&energy, &path, d, Some(&[0.0]), Some(&[target]), &options).unwrap();
    let learned_work = learned.final_point().work;
    let tol = learned.report.error_estimate.unwrap()
        + driven.error_estimate()
        + 64.0 * f64::EPSILON * learned_work;
    assert!(
        (driven.work - learned_work).abs() <= tol,
        "{} vs {learned_work} (tol {tol:e})",
        driven.work
    );
    assert!((driven.excess_work - p.min_excess_work(target).unwrap()).abs() <= tol);
}
