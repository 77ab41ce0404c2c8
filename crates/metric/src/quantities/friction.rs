//! `thermocheck eval` quantities of the friction tensor (issue #4; stable names, $k_BT = 1$).
//!
//! | quantity | parameters | value | spec |
//! |---|---|---|---|
//! | `friction-stiffness` | `--stiffness --diffusion` | $1/(4Dk^3)$ | M11 |
//! | `friction-quartic` | `--coupling --diffusion` | $\zeta(\theta)$ of $E = \theta x^4/4$, $X = x^4/4$ | M7 |
//! | `friction` | `--energy EXPR --at NAME=VALUE,... --diffusion` | the matrix $\zeta$ over the parameters, in `--at` order | M7 |
//!
//! `friction` parses `--energy` with [`ExpressionFamily`] (grammar in its docs), takes the
//! parameters and their order from `--at`, and evaluates [`friction_tensor`]; it fails with
//! [`Error::NotConverged`] rather than return a matrix whose n-vs-2n estimate exceeds
//! $10^{-10}$ relative.

use super::DIFFUSION;
use crate::expression::ExpressionFamily;
use crate::friction::{
    FrictionOptions, RESOLUTION_LIMITED, friction_tensor, quartic_coupling_friction,
};
use crate::gaussian::stiffness_friction;
use thermocheck_numerics::error::{Error, fmt_number};
use thermocheck_numerics::{Args, Param, ParamKind, Quantity, Result, Value};

/// Relative accuracy the `friction` quantity guarantees (issue #4).
const FRICTION_ACCURACY: f64 = 1e-10;

const STIFFNESS: Param = Param::number(
    "stiffness",
    "k > 0: stiffness of E = k x^2/2 (per squared position unit)",
);
const COUPLING: Param = Param::number(
    "coupling",
    "theta > 0: coupling of E = theta x^4/4 (per fourth power of position)",
);
const ENERGY: Param = Param {
    name: "energy",
    doc: "E(x; parameters): expression in x and the parameters, e.g. \"k*(x-mu)^2/2\" \
          (+ - * / ^, exp ln sqrt sin cos tanh cosh abs ..., PI, E; -x^2 means -(x^2))",
    kind: ParamKind::Text,
    required: true,
};
const AT: Param = Param {
    name: "at",
    doc: "NAME=VALUE,...: the parameter point; its order is the order of the matrix rows",
    kind: ParamKind::Text,
    required: true,
};

const STIFFNESS_PARAMS: &[Param] = &[STIFFNESS, DIFFUSION];
const QUARTIC_PARAMS: &[Param] = &[COUPLING, DIFFUSION];
const FRICTION_PARAMS: &[Param] = &[ENERGY, AT, DIFFUSION];

/// Parses `NAME=VALUE,NAME=VALUE,...` (spaces around items ignored).
///
/// # Errors
/// [`Error::Parse`] on `at` for an empty list, an item without `=`, an empty or repeated name, or
/// a value that is not a finite number (naming the entry).
pub(crate) fn parse_assignments(text: &str) -> Result<Vec<(String, f64)>> {
    let bad = |expected: String| Error::Parse {
        parameter: "at".into(),
        expected,
        text: text.to_owned(),
    };
    if text.trim().is_empty() {
        return Err(bad("a list NAME=VALUE,... with at least one entry".into()));
    }
    let mut out: Vec<(String, f64)> = Vec::new();
    for item in text.split(',') {
        let item = item.trim();
        let Some((name, value)) = item.split_once('=') else {
            return Err(bad(format!("NAME=VALUE items (`{item}` has no `=`)")));
        };
        let (name, value) = (name.trim(), value.trim());
        if name.is_empty() {
            return Err(bad(format!("a name before `=` in `{item}`")));
        }
        if out.iter().any(|(n, _)| n == name) {
            return Err(bad(format!("each name once (`{name}` is repeated)")));
        }
        let v: f64 = value
            .parse()
            .map_err(|_| bad(format!("a number for `{name}` (got `{value}`)")))?;
        if !v.is_finite() {
            // The name is not a flag of its own: the error is on `--at`, naming the entry.
            return Err(bad(format!("a finite number for `{name}`")));
        }
        out.push((name.to_owned(), v));
    }
    Ok(out)
}

fn eval_friction_stiffness(args: &Args) -> Result<Value> {
    stiffness_friction(args.number("stiffness")?, args.number("diffusion")?).map(Value::Scalar)
}

fn eval_friction_quartic(args: &Args) -> Result<Value> {
    quartic_coupling_friction(args.number("coupling")?, args.number("diffusion")?)
        .map(Value::Scalar)
}

fn eval_friction(args: &Args) -> Result<Value> {
    let energy = args.text("energy").ok_or_else(|| Error::MissingParameter {
        parameter: "energy".into(),
    })?;
    let at_text = args.text("at").ok_or_else(|| Error::MissingParameter {
        parameter: "at".into(),
    })?;
    let diffusion = args.number("diffusion")?;
    let at = parse_assignments(at_text)?;
    let names: Vec<&str> = at.iter().map(|(n, _)| n.as_str()).collect();
    let theta: Vec<f64> = at.iter().map(|&(_, v)| v).collect();
    let family = ExpressionFamily::new(energy, &names).map_err(|e| match e {
        Error::MissingParameter { parameter } => Error::Parse {
            parameter: "at".into(),
            expected: format!(
                "a value for every parameter of the energy (`{parameter}` is missing)"
            ),
            text: at_text.to_owned(),
        },
        Error::Parse {
            parameter,
            expected,
            ..
        } if parameter == "parameters" => Error::Parse {
            parameter: "at".into(),
            expected,
            text: at_text.to_owned(),
        },
        other => other,
    })?;
    let report = friction_tensor(&family, &theta, diffusion, &FrictionOptions::default())
        .map_err(|e| on_at(e, at_text))?;
    if report.relative_error > FRICTION_ACCURACY && report.resolution < RESOLUTION_LIMITED {
        return Err(Error::out_of_range(
            &["at"],
            format!(
                "{at_text}: the width of p is only {} ulp of its mode {}, so f64 node positions \
                 limit the accuracy to {} relative, above {}: move the mode nearer 0",
                fmt_number(report.resolution.round()),
                fmt_number(report.mode),
                fmt_number(report.relative_error),
                fmt_number(FRICTION_ACCURACY)
            ),
        ));
    }
    if report.relative_error > FRICTION_ACCURACY {
        return Err(Error::NotConverged {
            method: "M7 friction quadrature".into(),
            detail: format!(
                "n-vs-2n relative error estimate {} exceeds {}",
                fmt_number(report.relative_error),
                fmt_number(FRICTION_ACCURACY)
            ),
        });
    }
    let n = theta.len();
    Ok(Value::Matrix(
        (0..n)
            .map(|i| (0..n).map(|j| report.friction[(i, j)]).collect())
            .collect(),
    ))
}

/// `theta` (the library's name of the parameter point, not a flag) becomes `at` in an
/// [`Error::OutOfRange`], and its detail gets the `--at` text.
fn on_at(e: Error, at_text: &str) -> Error {
    match e {
        Error::OutOfRange { parameters, detail } => Error::OutOfRange {
            parameters: parameters
                .into_iter()
                .map(|p| if p == "theta" { "at".to_owned() } else { p })
                .collect(),
            detail: format!("{detail} (--at {at_text})"),
        },
        other => other,
    }
}

/// The friction quantities.
pub(super) fn quantities() -> Vec<Quantity> {
    vec![
        Quantity::new(
            "friction-stiffness",
            "friction of the stiffness k of E = k x^2/2 (X = x^2/2): zeta = 1/(4 D k^3)",
            "M11",
            STIFFNESS_PARAMS,
            eval_friction_stiffness,
        ),
        Quantity::new(
            "friction-quartic",
            "friction of the coupling theta of E = theta x^4/4 (X = x^4/4) by the exact 1-D \
             formula: zeta = zeta_1 theta^(-5/2)/D, zeta_1 = 0.04224864000420530",
            "M7",
            QUARTIC_PARAMS,
            eval_friction_quartic,
        ),
        Quantity::new(
            "friction",
            "friction tensor zeta_ij = (1/D) int G_i G_j/p du of a 1-D energy expression over \
             its parameters (exact 1-D formula, 1e-10 relative), rows in --at order",
            "M7",
            FRICTION_PARAMS,
            eval_friction,
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
        let expected: &[(&str, &[&str])] = &[
            ("friction-stiffness", &["stiffness", "diffusion"]),
            ("friction-quartic", &["coupling", "diffusion"]),
            ("friction", &["energy", "at", "diffusion"]),
        ];
        let qs = quantities();
        assert_eq!(qs.len(), expected.len());
        for (q, (name, params)) in qs.iter().zip(expected) {
            assert_eq!(q.name, *name);
            let got: Vec<&str> = q.params.iter().map(|p| p.name).collect();
            assert_eq!(got, *params);
        }
    }

    /// Spec MV1 table: ζ = 0.0625 at k = 2, D = 0.5 and 5.4466231 at k = 0.3, D = 1.7 (M11).
    #[test]
    fn friction_stiffness_matches_the_spec_table() {
        let q = find("friction-stiffness");
        let v = q
            .eval([("stiffness", "2"), ("diffusion", "0.5")])
            .unwrap()
            .as_scalar()
            .expect("scalar");
        assert_eq!(v, 0.0625);
        let v = q
            .eval([("stiffness", "0.3"), ("diffusion", "1.7")])
            .unwrap()
            .as_scalar()
            .expect("scalar");
        assert!((v - 5.446_623_1).abs() < 5e-8, "{v}");
        let e = q
            .eval([("stiffness", "0"), ("diffusion", "1")])
            .unwrap_err();
        assert_eq!(e.to_string(), "stiffness must be finite and > 0 (got 0)");
    }

    /// ζ₁ against mpmath (20 digits, ζ = (2/D)∫₀^∞ G²/p with G(u) = −∫_u^∞ p(X − ⟨X⟩), nested
    /// mpmath.quad): 0.042248640004205295562; the θ^(-5/2)/D scaling against direct M7 runs at
    /// extreme couplings (M7 works in scaled units, so it reaches them itself); the limits of
    /// f64 as OutOfRange.
    #[test]
    fn friction_quartic_is_accurate_at_extreme_couplings() {
        let q = find("friction-quartic");
        let v = q
            .eval([("coupling", "1"), ("diffusion", "1")])
            .unwrap()
            .as_scalar()
            .expect("scalar");
        assert!((v / 0.042_248_640_004_205_3 - 1.0).abs() < 1e-13, "{v}");
        for (theta, d) in [
            (1e-100, 1.0),
            (1e100, 1.0),
            (1e-3, 0.2),
            (37.0, 5.0),
            (1e40, 1e-30),
        ] {
            let v = quartic_coupling_friction(theta, d).unwrap();
            let r = friction_tensor(
                &crate::energy::QuarticCoupling,
                &[theta],
                d,
                &FrictionOptions::default(),
            )
            .unwrap();
            let direct = r.friction[(0, 0)];
            assert!(
                (v / direct - 1.0).abs() < 1e-12,
                "θ={theta:e}: {v:e} vs {direct:e}"
            );
        }
        let e = quartic_coupling_friction(1e-200, 1.0).unwrap_err();
        assert!(matches!(e, Error::OutOfRange { .. }), "{e}");
        let e = quartic_coupling_friction(1e200, 1.0).unwrap_err();
        assert!(matches!(e, Error::OutOfRange { .. }), "{e}");
        assert!(q.eval([("coupling", "-1"), ("diffusion", "1")]).is_err());
    }

    #[test]
    fn friction_of_an_expression_is_a_matrix_in_at_order() {
        let q = find("friction");
        let v = q
            .eval([
                ("energy", "k*(x-mu)^2/2"),
                ("at", "k=2,mu=0"),
                ("diffusion", "1"),
            ])
            .unwrap();
        let Value::Matrix(m) = v else {
            panic!("not a matrix")
        };
        // M12 with rows (k, μ): diag(1/(4Dk³), 1/D).
        assert!((m[0][0] / 0.03125 - 1.0).abs() < 1e-10, "{m:?}");
        assert!((m[1][1] - 1.0).abs() < 1e-10);
        assert!(m[0][1].abs() < 1e-12 && m[1][0].abs() < 1e-12);
    }

    #[test]
    fn bad_friction_inputs_are_typed_errors() {
        let q = find("friction");
        let msg = |energy: &str, at: &str, d: &str| {
            q.eval([("energy", energy), ("at", at), ("diffusion", d)])
                .unwrap_err()
                .to_string()
        };
        assert!(msg("k*(x-mu)^2/2", "k=2", "1").contains("`mu` is missing"));
        assert!(msg("k*x^2/2", "k=2,mu=0", "1").contains("`mu` does not"));
        assert!(msg("k*x^2/2", "k=2,k=3", "1").contains("repeated"));
        assert!(msg("k*x^2/2", "k2", "1").contains("has no `=`"));
        assert!(msg("k*x^2/2", "k=abc", "1").contains("a number for `k`"));
        assert_eq!(
            msg("k*x^2/2", "k=inf", "1"),
            "at must be a finite number for `k` (got `k=inf`)"
        );
        assert!(msg("k*x^2/2", "k=nan", "1").contains("finite number for `k`"));
        // The --at text, not the joined names, is echoed.
        assert!(msg("k*x^2/2", "k=2, mu=0", "1").contains("`k=2, mu=0`"));
        assert!(msg("k*x^2/2", "", "1").contains("at least one entry"));
        assert!(msg("k*(x^2/2", "k=1", "1").starts_with("energy must be an expression"));
        assert_eq!(
            msg("k*x^2/2", "k=1", "0"),
            "diffusion must be finite and > 0 (got 0)"
        );
        // Not confining: p ∝ e^{-k x} is not normalisable; nor is e^{+x²/2} at k = -1.
        assert!(msg("k*x", "k=1", "1").starts_with("energy must be a confining energy"));
        assert!(msg("k*x^2/2", "k=-1", "1").starts_with("energy must be a confining energy"));
        // p ∝ (1+x²)^{-1/2}: E rises, but only logarithmically — not normalisable.
        assert!(
            msg("k*ln(1 + x^2)", "k=0.5", "1").starts_with("energy must be a confining energy")
        );
        // NaN: ln of a negative number.
        assert!(msg("k*ln(x)", "k=1", "1").starts_with("energy must be a confining energy"));
    }

    /// Review repros: the point is `--at`, not an internal `theta`; ∂E/∂θ_i errors name the
    /// energy and the parameter; a density too narrow for f64 at its mode is an input error
    /// (OutOfRange) whether the scan or the accuracy check notices it.
    #[test]
    fn out_of_range_points_name_at() {
        let q = find("friction");
        let eval =
            |energy: &str, at: &str| q.eval([("energy", energy), ("at", at), ("diffusion", "1")]);
        for at in ["mu=1e10,k=1", "mu=1e6,k=1e7", "mu=1e6,k=7e6"] {
            let e = eval("k*(x-mu)^2/2", at).unwrap_err();
            assert!(matches!(e, Error::OutOfRange { .. }), "{at}: {e}");
            let text = e.with_parameter_prefix("--").to_string();
            assert!(text.starts_with("--at is out of range"), "{text}");
            assert!(text.contains(at), "{text}");
        }
        // Converges (and is exact, M12: ζ_μμ = 1/D, ζ_kk = 1/(4Dk³)) at k = 1e6.
        let Value::Matrix(m) = eval("k*(x-mu)^2/2", "mu=1e6,k=1e6").unwrap() else {
            panic!("not a matrix")
        };
        assert!((m[0][0] - 1.0).abs() < 1e-10 && (m[1][1] / 2.5e-19 - 1.0).abs() < 1e-10);
        // ∂E/∂k = |x|^k ln|x| is NaN at x < 0 only through ln of a negative base: named.
        let e = eval("x^k + x^2", "k=2").unwrap_err().to_string();
        assert!(e.contains("∂E/∂k") && e.contains("E = x^k + x^2"), "{e}");
    }

    /// The geodesic-work and quartic quantities share one policy: a non-zero result below the
    /// normal range is OutOfRange; an exact 0 (equal endpoints) is a value.
    #[test]
    fn underflow_policy_is_shared() {
        use crate::geodesic::{stiffness_geodesic_work, stiffness_linear_work};
        let e = stiffness_geodesic_work(1.0, 4.0, 1e300, 1e10).unwrap_err();
        assert!(matches!(e, Error::OutOfRange { .. }), "{e}");
        assert!(e.to_string().contains("underflows"), "{e}");
        assert!(stiffness_linear_work(1.0, 4.0, 1e300, 1e10).is_err());
        assert_eq!(stiffness_geodesic_work(2.0, 2.0, 1.0, 1.0).unwrap(), 0.0);
        let e = quartic_coupling_friction(1e200, 1.0).unwrap_err();
        assert!(e.to_string().contains("underflows"), "{e}");
    }
}
