//! `thermocheck eval activation-efficiency`: the work efficiency of T29.
//!
//! | quantity | parameters | spec |
//! |---|---|---|
//! | `activation-efficiency` | `--activation NAME --variance q [--slope α]` | T29, TV15 |
//!
//! Evaluates [`efficiency`](crate::efficiency::efficiency), so values and errors are those of
//! the library: $\eta_\varphi(q) = \mathbb E[\varphi(z)^2]/q$, $z \sim \mathcal N(0, q)$, to
//! $10^{-10}$ relative or better for $q \in [10^{-6}, 10^{6}]$ (tests against 30-digit mpmath).

use crate::activation::{Activation, NAMES};
use crate::efficiency::efficiency;
use thermocheck_numerics::quantity::ParamKind;
use thermocheck_numerics::{Args, Param, Quantity, Result, Value};

const PARAMS: &[Param] = &[
    Param {
        name: "activation",
        doc: "activation phi: linear, relu, leaky-relu (needs --slope), tanh, sigmoid, gelu (exact, \
              z Phi(z)), elu (alpha = 1), softplus, swish (= silu)",
        kind: ParamKind::Choice(NAMES),
        required: true,
    },
    Param::number(
        "variance",
        "q > 0: variance of the pre-activation z ~ N(0, q) (heat taken in)",
    ),
    Param::number(
        "slope",
        "alpha: negative-side slope of leaky-relu (required for it, rejected for the others)",
    )
    .optional(),
];

fn eval_activation_efficiency(args: &Args) -> Result<Value> {
    let slope = match args.text("slope") {
        Some(_) => Some(args.number("slope")?),
        None => None,
    };
    let name = args.text("activation").unwrap_or_default();
    let activation = Activation::from_name(name, slope)?;
    Ok(Value::Scalar(
        efficiency(&activation, args.number("variance")?)?.value,
    ))
}

/// The efficiency quantities.
pub(super) fn quantities() -> Vec<Quantity> {
    vec![Quantity::new(
        "activation-efficiency",
        "work efficiency of an activation: E[phi(z)^2]/q for z ~ N(0, q), by quadrature \
         (1/2 for relu, (1 + alpha^2)/2 for leaky-relu at every q)",
        "T29",
        PARAMS,
        eval_activation_efficiency,
    )]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eval(given: &[(&str, &str)]) -> Result<f64> {
        let q = quantities().remove(0);
        Ok(q.eval(given.iter().copied())?.as_scalar().expect("scalar"))
    }

    #[test]
    fn name_and_parameters_are_the_stable_contract() {
        let q = quantities().remove(0);
        assert_eq!(q.name, "activation-efficiency");
        let names: Vec<_> = q.params.iter().map(|p| p.name).collect();
        assert_eq!(names, ["activation", "variance", "slope"]);
    }

    #[test]
    fn evaluates_and_rejects_bad_input_by_name() {
        // ReLU: exactly 1/2 (T27); leaky 0.1: 0.505.
        assert!((eval(&[("activation", "relu"), ("variance", "3")]).unwrap() - 0.5).abs() < 1e-14);
        let leaky = eval(&[
            ("activation", "leaky-relu"),
            ("variance", "1e6"),
            ("slope", "0.1"),
        ])
        .unwrap();
        assert!((leaky - 0.505).abs() < 1e-14);
        let cases: &[(&[(&str, &str)], &str)] = &[
            (&[("activation", "relu"), ("variance", "0")], "variance"),
            (&[("activation", "relu"), ("variance", "-1")], "variance"),
            (&[("activation", "relu"), ("variance", "nan")], "variance"),
            (
                &[("activation", "tanh"), ("variance", "1"), ("slope", "0.1")],
                "slope",
            ),
            (&[("activation", "leaky-relu"), ("variance", "1")], "slope"),
            (
                &[
                    ("activation", "leaky-relu"),
                    ("variance", "1"),
                    ("slope", "inf"),
                ],
                "slope",
            ),
        ];
        for (given, parameter) in cases {
            let e = eval(given).unwrap_err();
            assert_eq!(e.parameter(), Some(*parameter), "{e}");
            assert!(e.is_input_error());
        }
        let e = eval(&[("activation", "mish"), ("variance", "1")]).unwrap_err();
        assert!(
            e.to_string().starts_with("unknown activation `mish`"),
            "{e}"
        );
    }
}
