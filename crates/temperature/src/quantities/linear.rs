//! `thermocheck eval` quantities of the linear model (stable names, issue #5).
//!
//! | quantity | parameters | spec |
//! |---|---|---|
//! | `sample-energy` | `--loss mse\|mae\|ce --init normal\|uniform --scale S --features x1,x2,... --target y` | T10–T18 |
//! | `sample-temperature` | same | T10–T18 |
//!
//! $n$ is the number of features; $S$ is $\sigma$ (normal) or the half-width $a$ (uniform);
//! the temperature is $t = (de/dS)/(dS_{ent}/dS) = (S/n)\,de/dS$ with the entropy in nats summed
//! over the $n$ parameters. MSE is $(y-\hat y)^2$ without ½; cross entropy is binary,
//! $\operatorname{softplus}(-y\hat y)$ with labels ±1. They evaluate
//! [`linear::sample_energy`](crate::linear::sample_energy) and
//! [`linear::sample_temperature`](crate::linear::sample_temperature), so values, accuracy and
//! errors are exactly the library's, each quantity failing only if it itself overflows:
//! relative error a few ulps for MSE and MAE under normal init; below $10^{-12}$ for CE and for
//! MAE under uniform init with at most 3 non-zero features; below the vertex sum's run-time
//! rounding bound, at most $10^{-10}$ (in practice a few ulps), for MAE uniform with 4–20
//! non-zero features. Beyond (CE uniform with more than 3, MAE uniform with more than 20
//! non-zero features, or a vertex sum whose bound fails): a typed error naming `features`.

use crate::init::{Init, InitKind};
use crate::linear::{sample_energy, sample_temperature};
use crate::loss::Loss;
use thermocheck_numerics::{Args, Param, ParamKind, Quantity, Result, Value};

const LOSS: Param = Param {
    name: "loss",
    doc: "loss: mse = (y - yhat)^2 (no 1/2), mae = |y - yhat|, ce = softplus(-y yhat), labels +-1",
    kind: ParamKind::Choice(Loss::NAMES),
    required: true,
};
const INIT: Param = Param {
    name: "init",
    doc: "initialisation: normal N(0, S^2) or uniform U(-S, S), i.i.d. over the n parameters",
    kind: ParamKind::Choice(InitKind::NAMES),
    required: true,
};
const SCALE: Param = Param::number(
    "scale",
    "S > 0: init scale, sigma (normal) or half-width a (uniform)",
);
const FEATURES: Param = Param {
    name: "features",
    doc: "x1,x2,...: the sample's features (finite; n = their count = number of parameters)",
    kind: ParamKind::Numbers,
    required: true,
};
const TARGET: Param = Param::number("target", "y: the sample's target (a label -1 or 1 for ce)");

const PARAMS: &[Param] = &[LOSS, INIT, SCALE, FEATURES, TARGET];

/// The parsed arguments of both quantities.
fn inputs(args: &Args) -> Result<(Loss, Init, Vec<f64>, f64)> {
    let loss: Loss = args.text("loss").unwrap_or_default().parse()?;
    let kind: InitKind = args.text("init").unwrap_or_default().parse()?;
    let init = Init::new(kind, args.number("scale")?)?;
    Ok((
        loss,
        init,
        args.numbers("features")?,
        args.number("target")?,
    ))
}

fn eval_sample_energy(args: &Args) -> Result<Value> {
    let (loss, init, x, y) = inputs(args)?;
    Ok(Value::Scalar(sample_energy(loss, init, &x, y)?))
}

fn eval_sample_temperature(args: &Args) -> Result<Value> {
    let (loss, init, x, y) = inputs(args)?;
    Ok(Value::Scalar(sample_temperature(loss, init, &x, y)?))
}

/// The linear-model quantities.
pub(super) fn quantities() -> Vec<Quantity> {
    vec![
        Quantity::new(
            "sample-energy",
            "per-sample energy e(x, y) = E_w loss(y, w.x) of the linear model under i.i.d. \
             normal/uniform init of scale S (T10-T18)",
            "T10",
            PARAMS,
            eval_sample_energy,
        ),
        Quantity::new(
            "sample-temperature",
            "per-sample temperature t(x, y) = (S/n) de/dS = (de/dS)/(dS_ent/dS), entropy in nats \
             summed over the n parameters (T10-T18)",
            "T10",
            PARAMS,
            eval_sample_temperature,
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eval(name: &str, given: &[(&str, &str)]) -> Result<Value> {
        thermocheck_numerics::quantity::find(quantities(), name)
            .expect("registered")
            .eval(given.iter().copied())
    }

    #[test]
    fn tv5_through_eval() {
        let p = [
            ("loss", "mae"),
            ("init", "normal"),
            ("scale", "1"),
            ("features", "1,1,1,1"),
            ("target", "1"),
        ];
        let t = eval("sample-temperature", &p)
            .unwrap()
            .as_scalar()
            .expect("scalar");
        assert!((t - 0.352_065_326_8).abs() < 1e-10);
    }

    #[test]
    fn bad_input_is_typed() {
        let base = |k: &'static str, v: &'static str| {
            let mut p = vec![
                ("loss", "mse"),
                ("init", "normal"),
                ("scale", "1"),
                ("features", "1,2"),
                ("target", "1"),
            ];
            for e in p.iter_mut() {
                if e.0 == k {
                    e.1 = v;
                }
            }
            p
        };
        for (k, v) in [
            ("scale", "0"),
            ("scale", "-1"),
            ("scale", "inf"),
            ("features", ""),
            ("features", "1,nan"),
            ("features", "1,inf"),
            ("loss", "hinge"),
            ("init", "cauchy"),
            ("target", "nan"),
        ] {
            for q in ["sample-energy", "sample-temperature"] {
                assert!(eval(q, &base(k, v)).is_err(), "{q} --{k} {v} must fail");
            }
        }
    }

    #[test]
    fn each_quantity_fails_only_on_its_own_overflow() {
        // MSE, y = 1e200: e = y² + s² overflows but t = 2s²/n = 2 (review of issue #5).
        let p = [
            ("loss", "mse"),
            ("init", "normal"),
            ("scale", "1"),
            ("features", "1"),
            ("target", "1e200"),
        ];
        assert_eq!(eval("sample-temperature", &p).unwrap(), Value::Scalar(2.0));
        assert!(matches!(
            eval("sample-energy", &p),
            Err(thermocheck_numerics::Error::OutOfRange { .. })
        ));
    }
}
