//! Energy families written as text expressions in `x` and named parameters (spec M1).
//!
//! `ExpressionFamily::new("k*(x-mu)^2/2", &["k", "mu"])` is the family $E_\theta(x)$ with
//! $\theta = (k, \mu)$ **in the order the caller lists the parameters** (not alphabetical), so
//! that `--at k=2,mu=0` and the rows of the friction matrix follow the user's order.
//!
//! # Parsing and derivatives
//!
//! The text is parsed once by `exmex` 0.21 into a flat expression over a forward-mode dual number
//! (`num_dual::Dual64` behind a newtype that gives it the `FromStr` and `Default` exmex needs).
//! Evaluating it with the tangent seeded on one variable gives that partial derivative exactly
//! (to rounding): $\partial_xE$ for the chain's drift and $X_i = \partial_{\theta_i}E$ for M7. This
//! is automatic differentiation of the parsed expression; exmex's own *symbolic* derivatives sit
//! behind its cargo feature `partial`, which the workspace does not enable. The unit tests and
//! claim MV5 check these derivatives against Richardson-extrapolated central differences of the
//! energy (an independent method).
//!
//! # Grammar
//!
//! Binary `+ - * / ^`; unary `-`, `+` and the functions `abs sqrt cbrt exp ln log log2 log10 sin
//! cos tan asin acos atan sinh cosh tanh asinh acosh atanh`; constants `PI`, `π` and `E`
//! (Euler's number; a parameter cannot be called `E`); numbers in decimal or scientific notation
//! (`2.5e-3`). As in exmex, **unary operators bind tighter than binary ones**: `-x^2` is
//! $(-x)^2$; write `-(x^2)` or `0 - x^2`.
//!
//! # Errors
//!
//! Unparseable text ([`Error::Parse`] on `energy`, with exmex's message), an energy without `x`,
//! a variable of the expression that is not among the parameters ([`Error::MissingParameter`]
//! naming it), a listed parameter that the expression does not contain, a parameter named `x`, or
//! a parameter listed twice ([`Error::Parse`] on `parameters`, naming it).

use crate::energy::EnergyFamily;
use exmex::{Express, FlatEx};
use num_dual::Dual64;
use std::collections::BTreeSet;
use std::sync::{Mutex, OnceLock};
use thermocheck_numerics::error::{self, Error, Result};

mod ad {
    //! The dual-number operand type, its operators and its literal matcher for exmex.
    #![allow(missing_docs)] // ops_factory! generates an undocumented struct

    use exmex::{BinOp, MakeOperators, MatchLiteral, Operator, ops_factory};
    use num_dual::{Dual64, DualNum};
    use std::str::FromStr;
    use std::sync::OnceLock;

    /// A forward-mode dual number as exmex's operand type.
    #[derive(Debug, Clone, Copy)]
    pub struct Ad(pub Dual64);

    impl Default for Ad {
        /// The dual zero.
        fn default() -> Self {
            Ad(Dual64::from_re(0.0))
        }
    }

    impl FromStr for Ad {
        type Err = std::num::ParseFloatError;
        fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
            s.parse::<f64>().map(|v| Ad(Dual64::from_re(v)))
        }
    }

    /// $a^b$: integer powers by repeated multiplication (exact for negative bases), real constant
    /// powers by `powf`, and the general dual power only when the exponent carries a tangent.
    fn power(a: Ad, b: Ad) -> Ad {
        let (a, b) = (a.0, b.0);
        Ad(if b.eps == 0.0 {
            let n = b.re;
            if n.fract() == 0.0 && n.abs() <= 1024.0 {
                a.powi(n as i32)
            } else {
                a.powf(n)
            }
        } else if a.re > 0.0 && a.eps == 0.0 {
            (b * a.ln()).exp()
        } else {
            a.powd(b)
        })
    }

    fn absolute(a: Ad) -> Ad {
        if a.0.re < 0.0 { Ad(-a.0) } else { a }
    }

    ops_factory!(
        AdOps,
        Ad,
        Operator::make_bin(
            "^",
            BinOp {
                apply: power,
                prio: 4,
                is_commutative: false,
            }
        ),
        Operator::make_bin(
            "*",
            BinOp {
                apply: |a, b| Ad(a.0 * b.0),
                prio: 2,
                is_commutative: true,
            }
        ),
        Operator::make_bin(
            "/",
            BinOp {
                apply: |a, b| Ad(a.0 / b.0),
                prio: 3,
                is_commutative: false,
            }
        ),
        Operator::make_bin_unary(
            "+",
            BinOp {
                apply: |a, b| Ad(a.0 + b.0),
                prio: 0,
                is_commutative: true,
            },
            |a| a
        ),
        Operator::make_bin_unary(
            "-",
            BinOp {
                apply: |a, b| Ad(a.0 - b.0),
                prio: 1,
                is_commutative: false,
            },
            |a| Ad(-a.0)
        ),
        Operator::make_unary("abs", absolute),
        Operator::make_unary("sqrt", |a| Ad(a.0.sqrt())),
        Operator::make_unary("cbrt", |a| Ad(a.0.cbrt())),
        Operator::make_unary("exp", |a| Ad(a.0.exp())),
        Operator::make_unary("ln", |a| Ad(a.0.ln())),
        Operator::make_unary("log", |a| Ad(a.0.ln())),
        Operator::make_unary("log2", |a| Ad(a.0.log2())),
        Operator::make_unary("log10", |a| Ad(a.0.log10())),
        Operator::make_unary("sin", |a| Ad(a.0.sin())),
        Operator::make_unary("cos", |a| Ad(a.0.cos())),
        Operator::make_unary("tan", |a| Ad(a.0.tan())),
        Operator::make_unary("asin", |a| Ad(a.0.asin())),
        Operator::make_unary("acos", |a| Ad(a.0.acos())),
        Operator::make_unary("atan", |a| Ad(a.0.atan())),
        Operator::make_unary("sinh", |a| Ad(a.0.sinh())),
        Operator::make_unary("cosh", |a| Ad(a.0.cosh())),
        Operator::make_unary("tanh", |a| Ad(a.0.tanh())),
        Operator::make_unary("asinh", |a| Ad(a.0.asinh())),
        Operator::make_unary("acosh", |a| Ad(a.0.acosh())),
        Operator::make_unary("atanh", |a| Ad(a.0.atanh())),
        Operator::make_constant("PI", Ad(Dual64::from_re(std::f64::consts::PI))),
        Operator::make_constant("π", Ad(Dual64::from_re(std::f64::consts::PI))),
        Operator::make_constant("E", Ad(Dual64::from_re(std::f64::consts::E)))
    );

    /// Decimal and scientific literals (exmex's default matcher has no exponents).
    #[derive(Clone, Eq, PartialEq, Ord, PartialOrd, Debug, Default)]
    pub struct AdLiteral;

    impl MatchLiteral for AdLiteral {
        fn is_literal(text: &str) -> Option<&str> {
            static RE: OnceLock<exmex::regex::Regex> = OnceLock::new();
            let re = RE.get_or_init(|| {
                exmex::regex::Regex::new(r"^(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
                    .expect("valid literal pattern")
            });
            re.find(text).map(|m| m.as_str())
        }
    }
}

use ad::{Ad, AdLiteral, AdOps};

type AdExpr = FlatEx<Ad, AdOps, AdLiteral>;

/// An energy family $E_\theta(x)$ given as a text expression (module docs).
#[derive(Debug, Clone)]
pub struct ExpressionFamily {
    text: String,
    parameters: Vec<&'static str>,
    expression: AdExpr,
    /// For each exmex variable (alphabetical), its slot: 0 for `x`, $1 + i$ for parameter $i$.
    slots: Vec<usize>,
}

/// Parameter names live as long as the program so that [`EnergyFamily::parameter_names`] can
/// return `&'static str`; each distinct name is stored once.
fn intern(name: &str) -> &'static str {
    static NAMES: OnceLock<Mutex<BTreeSet<&'static str>>> = OnceLock::new();
    let mut set = NAMES
        .get_or_init(|| Mutex::new(BTreeSet::new()))
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(&s) = set.get(name) {
        return s;
    }
    let s: &'static str = Box::leak(name.to_owned().into_boxed_str());
    set.insert(s);
    s
}

fn bad_parameters(text: &str, expected: String) -> Error {
    Error::Parse {
        parameter: "parameters".into(),
        expected,
        text: text.to_owned(),
    }
}

impl ExpressionFamily {
    /// Parses `energy`, an expression in `x` and the named `parameters` (their order is
    /// $\theta$'s order).
    ///
    /// # Errors
    /// As in the module docs.
    ///
    /// # Examples
    /// ```
    /// use thermocheck_metric::energy::EnergyFamily;
    /// use thermocheck_metric::expression::ExpressionFamily;
    /// let f = ExpressionFamily::new("k*(x-mu)^2/2", &["k", "mu"]).unwrap();
    /// assert_eq!(f.energy(&[2.0, 1.0], 3.0), 4.0);
    /// let mut x = [0.0; 2];
    /// f.grad_theta(&[2.0, 1.0], 3.0, &mut x);
    /// assert_eq!(x, [2.0, -4.0]); // (x-μ)²/2 and -k(x-μ)
    /// ```
    pub fn new(energy: &str, parameters: &[&str]) -> Result<Self> {
        let listed = parameters.join(",");
        for (i, p) in parameters.iter().enumerate() {
            if *p == "x" {
                return Err(bad_parameters(
                    &listed,
                    "parameter names other than `x` (x is the state)".into(),
                ));
            }
            if parameters[..i].contains(p) {
                return Err(bad_parameters(
                    &listed,
                    format!("each parameter listed once (`{p}` is repeated)"),
                ));
            }
        }
        let expression = AdExpr::parse(energy).map_err(|e| Error::Parse {
            parameter: "energy".into(),
            expected: format!("an expression in x and the parameters ({e})"),
            text: energy.to_owned(),
        })?;
        let names = expression.var_names();
        if !names.iter().any(|v| v == "x") {
            return Err(Error::Parse {
                parameter: "energy".into(),
                expected: "an expression containing the state variable x".into(),
                text: energy.to_owned(),
            });
        }
        let mut slots = Vec::with_capacity(names.len());
        for v in names {
            if v == "x" {
                slots.push(0);
            } else if let Some(i) = parameters.iter().position(|p| p == v) {
                slots.push(1 + i);
            } else {
                return Err(Error::MissingParameter {
                    parameter: v.clone(),
                });
            }
        }
        if let Some(p) = parameters.iter().find(|p| !names.iter().any(|v| v == *p)) {
            return Err(bad_parameters(
                &listed,
                format!("names that occur in the energy `{energy}` (`{p}` does not)"),
            ));
        }
        Ok(ExpressionFamily {
            text: energy.to_owned(),
            parameters: parameters.iter().map(|p| intern(p)).collect(),
            expression,
            slots,
        })
    }

    /// The expression as given.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Evaluates with the tangent seeded on slot `seed` (0 = x, 1 + i = θ_i; `None`: no tangent).
    fn eval(&self, theta: &[f64], x: f64, seed: Option<usize>) -> Dual64 {
        let vars: Vec<Ad> = self
            .slots
            .iter()
            .map(|&s| {
                let re = if s == 0 { x } else { theta[s - 1] };
                let eps = if Some(s) == seed { 1.0 } else { 0.0 };
                Ad(Dual64::new(re, eps))
            })
            .collect();
        // The variable count is fixed at parse time, so evaluation cannot fail; NaN otherwise.
        self.expression
            .eval(&vars)
            .map(|a| a.0)
            .unwrap_or(Dual64::from_re(f64::NAN))
    }
}

impl EnergyFamily for ExpressionFamily {
    fn name(&self) -> String {
        format!("E = {}", self.text)
    }
    fn parameter_names(&self) -> Vec<&'static str> {
        self.parameters.clone()
    }
    fn validate(&self, theta: &[f64]) -> Result<()> {
        error::length("theta", theta.len(), self.parameters.len())?;
        for (name, &v) in self.parameters.iter().zip(theta) {
            error::finite(name, v)?;
        }
        Ok(())
    }
    fn energy(&self, theta: &[f64], x: f64) -> f64 {
        self.eval(theta, x, None).re
    }
    fn grad_x(&self, theta: &[f64], x: f64) -> f64 {
        self.eval(theta, x, Some(0)).eps
    }
    fn grad_theta(&self, theta: &[f64], x: f64, out: &mut [f64]) {
        for (i, o) in out.iter_mut().enumerate() {
            *o = self.eval(theta, x, Some(1 + i)).eps;
        }
    }
}

/// Richardson-extrapolated central difference of `f` at `t`:
/// $R = (4D(h/2) - D(h))/3$ with $D(h) = (f(t+h) - f(t-h))/(2h)$, returned with the error
/// estimate $|R - D(h/2)|$ plus the round-off bound $4\varepsilon\max|f|/h$.
pub(crate) fn richardson_derivative(f: impl Fn(f64) -> f64, t: f64, h: f64) -> (f64, f64) {
    let d = |h: f64| (f(t + h) - f(t - h)) / (2.0 * h);
    let (coarse, fine) = (d(h), d(0.5 * h));
    let r = (4.0 * fine - coarse) / 3.0;
    let size = [f(t + h), f(t - h), f(t)]
        .iter()
        .fold(0.0_f64, |m, v| m.max(v.abs()));
    (r, (r - fine).abs() + 4.0 * f64::EPSILON * size / h)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameter_order_is_the_callers() {
        let f = ExpressionFamily::new("mu*x + k*x^2/2", &["mu", "k"]).unwrap();
        assert_eq!(f.parameter_names(), vec!["mu", "k"]);
        let mut g = [0.0; 2];
        f.grad_theta(&[0.5, 3.0], 2.0, &mut g);
        assert_eq!(g, [2.0, 2.0]);
        assert_eq!(f.grad_x(&[0.5, 3.0], 2.0), 0.5 + 6.0);
        assert_eq!(f.energy(&[0.5, 3.0], 2.0), 1.0 + 6.0);
    }

    #[test]
    fn literals_constants_and_precedence() {
        let f = ExpressionFamily::new("2.5e-1*x^2 + 1e1*a", &["a"]).unwrap();
        assert_eq!(f.energy(&[1.0], 2.0), 1.0 + 10.0);
        let f = ExpressionFamily::new("-x^2 + a", &["a"]).unwrap();
        // exmex: unary minus binds tighter than ^.
        assert_eq!(f.energy(&[0.0], 3.0), 9.0);
        let f = ExpressionFamily::new("a*E + x*PI", &["a"]).unwrap();
        assert_eq!(
            f.energy(&[1.0], 1.0),
            std::f64::consts::E + std::f64::consts::PI
        );
        // Negative base with an integer power (a real power would be NaN).
        let f = ExpressionFamily::new("a*x^3", &["a"]).unwrap();
        assert_eq!(f.energy(&[1.0], -2.0), -8.0);
        assert_eq!(f.grad_x(&[1.0], -2.0), 12.0);
    }

    #[test]
    fn bad_expressions_are_named() {
        let e = ExpressionFamily::new("k*(x-mu^2", &["k", "mu"]).unwrap_err();
        assert!(
            e.to_string().starts_with("energy must be an expression"),
            "{e}"
        );
        let e = ExpressionFamily::new("k*x^2 + c", &["k"]).unwrap_err();
        assert_eq!(
            e,
            Error::MissingParameter {
                parameter: "c".into()
            }
        );
        let e = ExpressionFamily::new("k*x^2", &["k", "mu"]).unwrap_err();
        assert!(e.to_string().contains("`mu` does not"), "{e}");
        let e = ExpressionFamily::new("k^2", &["k"]).unwrap_err();
        assert!(e.to_string().contains("state variable x"), "{e}");
        let e = ExpressionFamily::new("k*x^2", &["k", "k"]).unwrap_err();
        assert!(e.to_string().contains("repeated"), "{e}");
        let e = ExpressionFamily::new("k*x^2", &["x", "k"]).unwrap_err();
        assert!(e.to_string().contains("other than `x`"), "{e}");
        let f = ExpressionFamily::new("k*x^2", &["k"]).unwrap();
        assert!(f.validate(&[f64::NAN]).is_err());
        assert!(f.validate(&[1.0, 2.0]).is_err());
    }

    /// Dual-number derivatives against Richardson central differences of the energy (an
    /// independent method): |AD − FD| ≤ the FD error estimate + 64ε|AD| (rounding of AD).
    #[test]
    fn derivatives_match_richardson_differences() {
        let cases: &[(&str, &[&str], &[f64])] = &[
            ("k*(x-mu)^2/2", &["k", "mu"], &[2.0, -0.3]),
            (
                "a*x^2/2 + b*x^4/4 + c*ln(cosh(x - m))",
                &["a", "b", "c", "m"],
                &[0.7, 0.2, 1.3, 0.4],
            ),
            (
                "exp(s*x) - t*x + sqrt(1 + x^2)*w",
                &["s", "t", "w"],
                &[0.5, 1.5, 0.25],
            ),
            ("abs(x)^1.5*k + sin(x)*atan(q)", &["k", "q"], &[1.1, 0.6]),
        ];
        for &(text, names, theta) in cases {
            let f = ExpressionFamily::new(text, names).unwrap();
            for &x in &[-1.7, 0.35, 2.2] {
                let (fd, est) = richardson_derivative(|u| f.energy(theta, u), x, 1e-3);
                let ad = f.grad_x(theta, x);
                assert!(
                    (ad - fd).abs() <= est + 64.0 * f64::EPSILON * ad.abs(),
                    "{text} ∂x at {x}: {ad} vs {fd} ± {est}"
                );
                let mut g = vec![0.0; theta.len()];
                f.grad_theta(theta, x, &mut g);
                for i in 0..theta.len() {
                    let (fd, est) = richardson_derivative(
                        |t| {
                            let mut th = theta.to_vec();
                            th[i] = t;
                            f.energy(&th, x)
                        },
                        theta[i],
                        1e-3,
                    );
                    assert!(
                        (g[i] - fd).abs() <= est + 64.0 * f64::EPSILON * g[i].abs(),
                        "{text} ∂{} at {x}: {} vs {fd} ± {est}",
                        names[i],
                        g[i]
                    );
                }
            }
        }
    }
}
