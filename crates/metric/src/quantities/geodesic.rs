//! `thermocheck eval` quantities of the geodesic module (stable names, issue #4).
//!
//! | quantity | parameters | spec |
//! |---|---|---|
//! | `stiffness-geodesic-work` | `--initial-stiffness --final-stiffness --duration --diffusion` | M14 |
//!
//! All parameters are required; $k_BT = 1$. Evaluates
//! [`stiffness_geodesic_work`](crate::geodesic::stiffness_geodesic_work), so the values and errors
//! are exactly those of the library.

use super::DIFFUSION;
use crate::geodesic;
use thermocheck_numerics::{Args, Param, Quantity, Result, Value};

const INITIAL_STIFFNESS: Param = Param::number(
    "initial-stiffness",
    "k_i > 0: initial stiffness of E = k x^2/2 (per squared position unit)",
);
const FINAL_STIFFNESS: Param = Param::number(
    "final-stiffness",
    "k_f > 0: final stiffness of E = k x^2/2 (per squared position unit)",
);
const DURATION: Param = Param::number("duration", "T > 0: protocol duration (time units)");

const STIFFNESS_PARAMS: &[Param] = &[INITIAL_STIFFNESS, FINAL_STIFFNESS, DURATION, DIFFUSION];

fn eval_stiffness_geodesic_work(args: &Args) -> Result<Value> {
    geodesic::stiffness_geodesic_work(
        args.number("initial-stiffness")?,
        args.number("final-stiffness")?,
        args.number("duration")?,
        args.number("diffusion")?,
    )
    .map(Value::Scalar)
}

pub(super) fn quantities() -> Vec<Quantity> {
    vec![Quantity::new(
        "stiffness-geodesic-work",
        "linear-response excess work on the constant-speed stiffness geodesic (k^{-1/2} linear \
         in t): (k_i^{-1/2} - k_f^{-1/2})^2/(D T) (k_BT units), the minimum over protocols \
         k_i -> k_f in linear response",
        "M14",
        STIFFNESS_PARAMS,
        eval_stiffness_geodesic_work,
    )]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find() -> Quantity {
        thermocheck_numerics::quantity::find(quantities(), "stiffness-geodesic-work")
            .expect("registered")
    }

    #[test]
    fn name_and_parameters_are_the_stable_contract() {
        let q = find();
        assert_eq!(q.spec, "M14");
        let names: Vec<&str> = q.params.iter().map(|p| p.name).collect();
        assert_eq!(
            names,
            [
                "initial-stiffness",
                "final-stiffness",
                "duration",
                "diffusion"
            ]
        );
    }

    /// Spec M17: the stiffness geodesic 1 → 4 at D = 1, T = 3 has W^LR = 0.08333333 (= 1/12,
    /// (1 − 1/2)²/3 by hand).
    #[test]
    fn evaluates_the_m17_value_and_names_bad_parameters() {
        let q = find();
        let w = q
            .eval([
                ("initial-stiffness", "1"),
                ("final-stiffness", "4"),
                ("duration", "3"),
                ("diffusion", "1"),
            ])
            .unwrap()
            .as_scalar()
            .expect("scalar");
        assert!((w - 1.0 / 12.0).abs() < 2.0 * f64::EPSILON, "{w}");
        let e = q
            .eval([
                ("initial-stiffness", "1"),
                ("final-stiffness", "-4"),
                ("duration", "3"),
                ("diffusion", "1"),
            ])
            .unwrap_err();
        assert!(e.to_string().contains("final-stiffness"), "{e}");
    }
}
