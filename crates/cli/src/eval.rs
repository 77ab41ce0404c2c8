//! `thermocheck eval QUANTITY --PARAM VALUE ... [--json]`.

use crate::{Failure, Outcome, registry};
use serde_json::json;
use thermocheck_numerics::{Value, quantity};

#[derive(Debug, clap::Args)]
pub struct EvalArgs {
    /// Print `{"quantity": ..., "params": {...}, "value": ...}` instead of the bare value.
    #[arg(long)]
    json: bool,
    /// The quantity's name (see `thermocheck list`).
    quantity: String,
    /// The quantity's parameters, `--name value` or `--name=value`.
    #[arg(
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "--PARAM VALUE"
    )]
    params: Vec<String>,
}

pub fn run(args: &EvalArgs) -> Result<Outcome, Failure> {
    let quantity = quantity::find(registry::quantities(), &args.quantity)?;
    let (pairs, json_after) = parse_params(&args.params)?;
    let value = quantity.eval(pairs.iter().map(|(n, v)| (n.as_str(), v.as_str())))?;
    let finite = match &value {
        Value::Scalar(x) => x.is_finite(),
        Value::Vector(v) => v.iter().all(|x| x.is_finite()),
        Value::Matrix(m) => m.iter().flatten().all(|x| x.is_finite()),
    };
    if !finite {
        // A closed form must reject what it cannot compute; a non-finite result is our bug.
        return Err(Failure::Check(format!(
            "{} produced a non-finite value {value:?} for {pairs:?}; please report this",
            quantity.name
        )));
    }
    if args.json || json_after {
        let params: serde_json::Map<String, serde_json::Value> = pairs
            .iter()
            .map(|(n, v)| {
                let value = v
                    .parse::<f64>()
                    .ok()
                    .and_then(|x| serde_json::Number::from_f64(x).map(serde_json::Value::Number))
                    .unwrap_or_else(|| serde_json::Value::String(v.clone()));
                (n.clone(), value)
            })
            .collect();
        let out = json!({"quantity": quantity.name, "params": params, "value": value});
        outln!("{out}");
    } else {
        outln!("{}", render(&value));
    }
    Ok(Outcome::Passed)
}

/// Splits `--name value` / `--name=value` tokens; `--json` may also appear among them.
fn parse_params(tokens: &[String]) -> Result<(Vec<(String, String)>, bool), Failure> {
    let mut pairs = Vec::new();
    let mut json = false;
    let mut iter = tokens.iter();
    while let Some(token) = iter.next() {
        let Some(flag) = token.strip_prefix("--") else {
            return Err(Failure::Input(format!(
                "unexpected argument `{token}` (parameters are given as --name value)"
            )));
        };
        if flag == "json" {
            json = true;
            continue;
        }
        let (name, value) = match flag.split_once('=') {
            Some((n, v)) => (n.to_owned(), v.to_owned()),
            None => {
                let value = iter
                    .next()
                    .ok_or_else(|| Failure::Input(format!("--{flag} requires a value")))?;
                (flag.to_owned(), value.clone())
            }
        };
        pairs.push((name, value));
    }
    Ok((pairs, json))
}

/// The value alone: the shortest representation that round-trips the f64 (Rust's `{:?}`, which
/// switches to exponent notation for very large and very small magnitudes).
fn render(value: &Value) -> String {
    let row = |xs: &[f64]| {
        xs.iter()
            .map(|x| format!("{x:?}"))
            .collect::<Vec<_>>()
            .join(" ")
    };
    match value {
        Value::Scalar(x) => format!("{x:?}"),
        Value::Vector(v) => row(v),
        Value::Matrix(m) => m.iter().map(|r| row(r)).collect::<Vec<_>>().join("\n"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(xs: &[&str]) -> Vec<String> {
        xs.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn params_accept_both_spellings_and_negative_values() {
        let (pairs, json) =
            parse_params(&strings(&["--time", "-1", "--json", "--diffusion=2"])).unwrap();
        assert!(json);
        assert_eq!(
            pairs,
            vec![
                ("time".into(), "-1".into()),
                ("diffusion".into(), "2".into())
            ]
        );
        assert!(parse_params(&strings(&["--time"])).is_err());
        assert!(parse_params(&strings(&["time", "1"])).is_err());
    }

    #[test]
    fn render_round_trips() {
        for x in [0.1, 1e-300, 128.0, 1.0 / 3.0, 6.02214076e23] {
            assert_eq!(render(&Value::Scalar(x)).parse::<f64>().unwrap(), x);
        }
    }
}
