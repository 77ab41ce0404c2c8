//! `thermocheck eval` quantities of the dissipation crate (stable names, issue #3).
//!
//! | quantity | parameters | spec |
//! |---|---|---|
//! | `min-excess-work` | `--duration --variance --diffusion --distance` | D12 |
//! | `ramp-excess-work` | `--duration --variance --diffusion --distance` | D17 |
//! | `optimal-learning-rate` | `--duration --variance --diffusion --time` | D14, $0 < t < T$ |
//! | `initial-impulse` | `--duration --variance --diffusion` | D14 |
//! | `final-impulse` | `--duration --variance --diffusion` | D14 |
//! | `optimal-protocol` | `--duration --variance --diffusion --start --target --time` | D13, $0 < t < T$ |
//! | `stiffness-min-work` | `--initial-stiffness --final-stiffness --duration --diffusion` | D26 |
//!
//! All parameters are required; $k_BT = 1$. Each evaluates the closed form of
//! [`gaussian`](crate::gaussian) or [`stiffness`](crate::stiffness), so the values and errors are
//! exactly those of the library.

use crate::gaussian::GaussianProtocol;
use crate::stiffness::StiffnessProtocol;
use thermocheck_numerics::{Args, Param, Quantity, Result, Value};

const DURATION: Param = Param::number("duration", "T > 0: training duration (time units)");
const VARIANCE: Param = Param::number(
    "variance",
    "sigma^2 > 0: fixed model variance of E = (x - theta)^2/(2 sigma^2) (squared position units)",
);
const DIFFUSION: Param = Param::number(
    "diffusion",
    "D > 0: diffusion constant of the chain (squared position per unit time)",
);
const DISTANCE: Param = Param::number(
    "distance",
    "Delta = mu_D - theta_0: displacement the parameter must travel (position units, any sign)",
);
const TIME: Param = Param::number(
    "time",
    "t: time inside the open interval (0, T); the protocol jumps at both ends",
);
const START: Param = Param::number("start", "theta_0: initial parameter (position units)");
const TARGET: Param = Param::number(
    "target",
    "mu_D: data mean, the target parameter (position units)",
);
const INITIAL_STIFFNESS: Param = Param::number(
    "initial-stiffness",
    "k_i > 0: initial stiffness of E = k x^2/2 (per squared position unit)",
);
const FINAL_STIFFNESS: Param = Param::number(
    "final-stiffness",
    "k_f > 0: final (target) stiffness, 1/M_D for data second moment M_D",
);

const WORK_PARAMS: &[Param] = &[DURATION, VARIANCE, DIFFUSION, DISTANCE];
const RATE_PARAMS: &[Param] = &[DURATION, VARIANCE, DIFFUSION, TIME];
const IMPULSE_PARAMS: &[Param] = &[DURATION, VARIANCE, DIFFUSION];
const PROTOCOL_PARAMS: &[Param] = &[DURATION, VARIANCE, DIFFUSION, START, TARGET, TIME];
const STIFFNESS_PARAMS: &[Param] = &[INITIAL_STIFFNESS, FINAL_STIFFNESS, DURATION, DIFFUSION];

fn gaussian(args: &Args) -> Result<GaussianProtocol> {
    GaussianProtocol::new(
        args.number("duration")?,
        args.number("variance")?,
        args.number("diffusion")?,
    )
}

fn eval_min_excess_work(args: &Args) -> Result<Value> {
    gaussian(args)?
        .min_excess_work(args.number("distance")?)
        .map(Value::Scalar)
}

fn eval_ramp_excess_work(args: &Args) -> Result<Value> {
    gaussian(args)?
        .ramp_excess_work(args.number("distance")?)
        .map(Value::Scalar)
}

fn eval_optimal_learning_rate(args: &Args) -> Result<Value> {
    gaussian(args)?
        .optimal_learning_rate(args.number("time")?)
        .map(Value::Scalar)
}

fn eval_initial_impulse(args: &Args) -> Result<Value> {
    Ok(Value::Scalar(gaussian(args)?.initial_impulse()))
}

fn eval_final_impulse(args: &Args) -> Result<Value> {
    Ok(Value::Scalar(gaussian(args)?.final_impulse()))
}

fn eval_optimal_protocol(args: &Args) -> Result<Value> {
    gaussian(args)?
        .optimal_protocol(
            args.number("start")?,
            args.number("target")?,
            args.number("time")?,
        )
        .map(Value::Scalar)
}

fn eval_stiffness_min_work(args: &Args) -> Result<Value> {
    let p = StiffnessProtocol::new(
        args.number("initial-stiffness")?,
        args.number("final-stiffness")?,
        args.number("duration")?,
        args.number("diffusion")?,
    )?;
    Ok(Value::Scalar(p.min_work()))
}

/// The dissipation crate's `eval` quantities.
pub(crate) fn quantities() -> Vec<Quantity> {
    vec![
        Quantity::new(
            "min-excess-work",
            "minimal excess work of moving a Gaussian mean by Delta in time T: \
             Delta^2/(D T + 2 sigma^2) (k_BT units)",
            "D12",
            WORK_PARAMS,
            eval_min_excess_work,
        ),
        Quantity::new(
            "ramp-excess-work",
            "excess work of the linear ramp: Delta^2/(D T^2) [T - tau (1 - exp(-T/tau))], \
             tau = sigma^2/D, evaluated stably for all T/tau",
            "D17",
            WORK_PARAMS,
            eval_ramp_excess_work,
        ),
        Quantity::new(
            "optimal-learning-rate",
            "optimal learning rate eta*(t) = sigma^2/(T + 2 tau - t) for 0 < t < T, \
             tau = sigma^2/D (impulses at t = 0 and T not included)",
            "D14",
            RATE_PARAMS,
            eval_optimal_learning_rate,
        ),
        Quantity::new(
            "initial-impulse",
            "initial impulse of the optimal schedule: eta_0 = sigma^2 tau/(T + 2 tau)",
            "D14",
            IMPULSE_PARAMS,
            eval_initial_impulse,
        ),
        Quantity::new(
            "final-impulse",
            "final impulse of the optimal schedule: eta_T = sigma^2/2",
            "D14",
            IMPULSE_PARAMS,
            eval_final_impulse,
        ),
        Quantity::new(
            "optimal-protocol",
            "optimal parameter theta*(t) = theta_0 + Delta (t + tau)/(T + 2 tau) for 0 < t < T \
             (jumps of tau v at both ends)",
            "D13",
            PROTOCOL_PARAMS,
            eval_optimal_protocol,
        ),
        Quantity::new(
            "stiffness-min-work",
            "minimal work of changing the stiffness k_i -> k_f in time T (Schmiedl-Seifert): \
             k_f (1 + cS)^2/(2 k_i) - 1/2 - ln(1 + cS) + c^2 S/k_i, S = D T",
            "D26",
            STIFFNESS_PARAMS,
            eval_stiffness_min_work,
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find(name: &str) -> Quantity {
        thermocheck_numerics::quantity::find(quantities(), name).expect("registered")
    }

    #[test]
    fn names_and_parameters_are_the_stable_contract() {
        let expected: &[(&str, &[&str], &str)] = &[
            (
                "min-excess-work",
                &["duration", "variance", "diffusion", "distance"],
                "D12",
            ),
            (
                "ramp-excess-work",
                &["duration", "variance", "diffusion", "distance"],
                "D17",
            ),
            (
                "optimal-learning-rate",
                &["duration", "variance", "diffusion", "time"],
                "D14",
            ),
            (
                "initial-impulse",
                &["duration", "variance", "diffusion"],
                "D14",
            ),
            (
                "final-impulse",
                &["duration", "variance", "diffusion"],
                "D14",
            ),
            (
                "optimal-protocol",
                &[
                    "duration",
                    "variance",
                    "diffusion",
                    "start",
                    "target",
                    "time",
                ],
                "D13",
            ),
            (
                "stiffness-min-work",
                &[
                    "initial-stiffness",
                    "final-stiffness",
                    "duration",
                    "diffusion",
                ],
                "D26",
            ),
        ];
        let qs = quantities();
        assert_eq!(qs.len(), expected.len());
        for (q, (name, params, spec)) in qs.iter().zip(expected) {
            assert_eq!(q.name, *name);
            assert_eq!(q.spec, *spec);
            let got: Vec<&str> = q.params.iter().map(|p| p.name).collect();
            assert_eq!(got, *params, "{name}");
            assert!(q.params.iter().all(|p| p.required), "{name}");
        }
    }

    #[test]
    fn quantities_evaluate_the_closed_forms() {
        let g = [("duration", "1"), ("variance", "1"), ("diffusion", "1")];
        let with = |extra: &[(&'static str, &'static str)]| {
            g.iter().chain(extra.iter()).copied().collect::<Vec<_>>()
        };
        let v = find("min-excess-work")
            .eval(with(&[("distance", "5")]))
            .unwrap()
            .as_scalar()
            .expect("scalar");
        assert!((v - 25.0 / 3.0).abs() < 1e-14);
        let v = find("ramp-excess-work")
            .eval(with(&[("distance", "1")]))
            .unwrap()
            .as_scalar()
            .expect("scalar");
        assert!((v - (-1.0f64).exp()).abs() < 1e-15);
        let v = find("optimal-learning-rate")
            .eval(with(&[("time", "0.5")]))
            .unwrap()
            .as_scalar()
            .expect("scalar");
        assert_eq!(v, 0.4);
        assert_eq!(
            find("initial-impulse")
                .eval(g)
                .unwrap()
                .as_scalar()
                .expect("scalar"),
            1.0 / 3.0
        );
        assert_eq!(
            find("final-impulse")
                .eval(g)
                .unwrap()
                .as_scalar()
                .expect("scalar"),
            0.5
        );
        let v = find("optimal-protocol")
            .eval(with(&[("start", "0"), ("target", "5"), ("time", "0.5")]))
            .unwrap()
            .as_scalar()
            .expect("scalar");
        assert!((v - 2.5).abs() < 1e-15);
        let v = find("stiffness-min-work")
            .eval([
                ("initial-stiffness", "1"),
                ("final-stiffness", "2"),
                ("duration", "1"),
                ("diffusion", "1"),
            ])
            .unwrap()
            .as_scalar()
            .expect("scalar");
        assert!((v - 0.402918).abs() < 5e-7); // DV12, spec rounds to 6 decimals
    }

    #[test]
    fn bad_input_is_a_named_error() {
        let rate = find("optimal-learning-rate");
        for t in ["0", "1", "-0.5", "2"] {
            let e = rate
                .eval([
                    ("duration", "1"),
                    ("variance", "1"),
                    ("diffusion", "1"),
                    ("time", t),
                ])
                .unwrap_err();
            assert_eq!(e.parameter(), Some("time"));
            assert!(
                e.to_string()
                    .contains("open interval (0, duration) = (0, 1)"),
                "{e}"
            );
        }
        let e = rate
            .eval([
                ("duration", "1"),
                ("variance", "1"),
                ("diffusion", "1"),
                ("time", "nan"),
            ])
            .unwrap_err();
        assert_eq!(e.to_string(), "time must be finite (got NaN)");
        let e = find("min-excess-work")
            .eval([
                ("duration", "1"),
                ("variance", "-1"),
                ("diffusion", "1"),
                ("distance", "1"),
            ])
            .unwrap_err();
        assert_eq!(e.to_string(), "variance must be finite and > 0 (got -1)");
        let e = find("initial-impulse")
            .eval([("duration", "1"), ("variance", "1")])
            .unwrap_err();
        assert_eq!(e.to_string(), "missing required parameter diffusion");
        let e = find("stiffness-min-work")
            .eval([
                ("initial-stiffness", "0"),
                ("final-stiffness", "2"),
                ("duration", "1"),
                ("diffusion", "1"),
            ])
            .unwrap_err();
        assert_eq!(e.parameter(), Some("initial-stiffness"));
    }
}
