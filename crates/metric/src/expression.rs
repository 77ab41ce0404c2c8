//! Energy families written as text expressions in `x` and named parameters (spec M1).
//!
//! `ExpressionFamily::new("k*(x-mu)^2/2", &["k", "mu"])` is the family $E_\theta(x)$ with
//! $\theta = (k, \mu)$ **in the order the caller lists the parameters** (not alphabetical), so
//! that `--at k=2,mu=0` and the rows of the friction matrix follow the user's order.
//!
//! # Parsing and derivatives
//!
//! The text is parsed once by `exmex` 0.21 into a flat `f64` expression, and exmex's symbolic
//! differentiation (its cargo feature `partial`) builds, also once, the expressions
//! $\partial_xE$ (the chain's drift) and $X_i = \partial_{\theta_i}E$ (M7's statistics); the
//! family evaluates these three kinds of expression, with the variables gathered in exmex's
//! alphabetical order into a stack buffer (no allocation for up to 16 variables).
//! [`ExpressionFamily::symbolic_derivative_texts`] prints them.
//!
//! The same text is also parsed over a forward-mode dual number (`num_dual::Dual64` behind a
//! newtype), whose evaluation with the tangent seeded on one variable gives that partial by
//! automatic differentiation: [`ExpressionFamily::ad_grad_x`] and
//! [`ExpressionFamily::ad_grad_theta`]. This is the independent check: claim MV5 and the tests
//! compare the symbolic derivatives with it (to rounding) and with Richardson-extrapolated
//! central differences of the energy (within their error estimate).
//!
//! exmex 0.21 has no symbolic rule for `abs` and `cbrt`; an energy using either is differentiated
//! by the dual numbers instead ([`DerivativeMethod::Automatic`], reported by
//! [`ExpressionFamily::derivative_method`]), with $\tfrac{d}{du}|u| = 0$ at $u = 0$ (the midpoint
//! of the subdifferential, what a central difference gives).
//!
//! Powers: $u^n$ with a constant exponent uses IEEE `pow`, exact for integer $n$ and $u < 0$
//! (`x^3` at $-2$ is $-8$, its derivative 12); a non-integer constant power of $u < 0$ is NaN (in
//! the energy too). A parameter in an exponent has $\partial_\theta u^\theta = u^\theta\ln u$,
//! NaN for $u \le 0$ by both methods (also at $u = 0$, where the one-sided limit is 0). Both
//! reach [`crate::friction::friction_tensor`] as typed errors naming the energy ("NaN" energy, or
//! "finite ∂E/∂θ wherever p > 0"), never as silent NaN.
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
use exmex::{Differentiate, Express, FlatEx};
use num_dual::Dual64;
use std::collections::BTreeSet;
use std::sync::{Mutex, OnceLock};
use thermocheck_numerics::error::{self, Error, Result};

/// Decimal and scientific literals (exmex's default matcher has no exponents); shared by the
/// `f64` and the dual-number parse so that both read the same numbers.
mod literal {
    use exmex::MatchLiteral;
    use std::sync::OnceLock;

    #[derive(Clone, Eq, PartialEq, Ord, PartialOrd, Debug, Default)]
    pub struct Literal;

    impl MatchLiteral for Literal {
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

mod real {
    //! The `f64` operators of the grammar, the operand type of the symbolic derivatives.
    #![allow(missing_docs)] // ops_factory! generates an undocumented struct

    use exmex::{BinOp, MakeOperators, Operator, ops_factory};

    ops_factory!(
        RealOps,
        f64,
        // IEEE `pow` is exact in sign and value for integer exponents of negative bases
        // (x^3 at x = -2 is -8); a non-integer power of a negative base is NaN.
        Operator::make_bin(
            "^",
            BinOp {
                apply: f64::powf,
                prio: 4,
                is_commutative: false,
            }
        ),
        Operator::make_bin(
            "*",
            BinOp {
                apply: |a, b| a * b,
                prio: 2,
                is_commutative: true,
            }
        ),
        Operator::make_bin(
            "/",
            BinOp {
                apply: |a, b| a / b,
                prio: 3,
                is_commutative: false,
            }
        ),
        Operator::make_bin_unary(
            "+",
            BinOp {
                apply: |a, b| a + b,
                prio: 0,
                is_commutative: true,
            },
            |a| a
        ),
        Operator::make_bin_unary(
            "-",
            BinOp {
                apply: |a, b| a - b,
                prio: 1,
                is_commutative: false,
            },
            |a| -a
        ),
        Operator::make_unary("abs", f64::abs),
        Operator::make_unary("sqrt", f64::sqrt),
        Operator::make_unary("cbrt", f64::cbrt),
        Operator::make_unary("exp", f64::exp),
        Operator::make_unary("ln", f64::ln),
        Operator::make_unary("log", f64::ln),
        Operator::make_unary("log2", f64::log2),
        Operator::make_unary("log10", f64::log10),
        Operator::make_unary("sin", f64::sin),
        Operator::make_unary("cos", f64::cos),
        Operator::make_unary("tan", f64::tan),
        Operator::make_unary("asin", f64::asin),
        Operator::make_unary("acos", f64::acos),
        Operator::make_unary("atan", f64::atan),
        Operator::make_unary("sinh", f64::sinh),
        Operator::make_unary("cosh", f64::cosh),
        Operator::make_unary("tanh", f64::tanh),
        Operator::make_unary("asinh", f64::asinh),
        Operator::make_unary("acosh", f64::acosh),
        Operator::make_unary("atanh", f64::atanh),
        Operator::make_constant("PI", std::f64::consts::PI),
        Operator::make_constant("π", std::f64::consts::PI),
        Operator::make_constant("E", std::f64::consts::E)
    );
}

mod ad {
    //! The dual-number operand type and its operators (the same grammar as [`super::real`]).
    #![allow(missing_docs)] // ops_factory! generates an undocumented struct

    use exmex::{BinOp, MakeOperators, Operator, ops_factory};
    use num_dual::{Dual64, DualNum};
    use std::str::FromStr;

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

    /// $a^b$. A constant exponent $n$ (no tangent) by the power rule in `f64`:
    /// $(a^n,\ n\,a^{n-1}a')$ with IEEE `pow`, exact for integer $n$ and negative $a$; num-dual's
    /// own `powf`/`powi` form $a^{n-3}\cdot a^3$, which is NaN at $a = 0$ where the value is 0.
    /// An exponent with a tangent: $e^{b\ln a}$ for $a > 0$, else num-dual's general power (NaN
    /// for $a \le 0$, as $\partial_b a^b = a^b\ln a$ is).
    fn power(a: Ad, b: Ad) -> Ad {
        let (a, b) = (a.0, b.0);
        Ad(if b.eps == 0.0 {
            let n = b.re;
            let slope = if a.eps == 0.0 || n == 0.0 {
                0.0
            } else {
                n * a.re.powf(n - 1.0) * a.eps
            };
            Dual64::new(a.re.powf(n), slope)
        } else if a.re > 0.0 && a.eps == 0.0 {
            (b * a.ln()).exp()
        } else {
            a.powd(b)
        })
    }

    /// $|a|$ with the derivative $\operatorname{sgn}(a)\,a'$, taking $\operatorname{sgn}(0) = 0$:
    /// the midpoint of the subdifferential $[-1, 1]$, which is also what a central difference
    /// of $|a|$ at 0 returns.
    fn absolute(a: Ad) -> Ad {
        let a = a.0;
        Ad(if a.re < 0.0 {
            -a
        } else if a.re > 0.0 {
            a
        } else {
            Dual64::from_re(0.0)
        })
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
}

use ad::{Ad, AdOps};
use literal::Literal;
use real::RealOps;

type RealExpr = FlatEx<f64, RealOps, Literal>;
type AdExpr = FlatEx<Ad, AdOps, Literal>;

/// Variables held on the stack during an evaluation; larger expressions use one `Vec` per call.
const STACK_VARIABLES: usize = 16;

/// How [`ExpressionFamily`]'s [`EnergyFamily::grad_x`] and [`EnergyFamily::grad_theta`] are
/// evaluated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DerivativeMethod {
    /// exmex's symbolic partial derivatives, built once at construction and evaluated in `f64`.
    Symbolic,
    /// Forward-mode automatic differentiation of the parsed energy (dual numbers): used when
    /// exmex 0.21 has no symbolic rule for an operator of the energy (`abs`, `cbrt`).
    Automatic,
}

/// An `f64` expression with the slot of each of its variables (exmex orders them alphabetically):
/// 0 for `x`, $1 + i$ for parameter $i$.
#[derive(Debug, Clone)]
struct Compiled {
    expression: RealExpr,
    slots: Vec<usize>,
}

impl Compiled {
    fn new(expression: RealExpr, parameters: &[&str]) -> Self {
        let slots = slots(expression.var_names(), parameters);
        Compiled { expression, slots }
    }

    /// The value at $(\theta, x)$, without allocating for up to [`STACK_VARIABLES`] variables.
    fn eval(&self, theta: &[f64], x: f64) -> f64 {
        let value = |s: usize| if s == 0 { x } else { theta[s - 1] };
        let n = self.slots.len();
        // The variable count is fixed at parse time, so evaluation cannot fail; NaN otherwise.
        if n <= STACK_VARIABLES {
            let mut vars = [0.0; STACK_VARIABLES];
            for (v, &s) in vars.iter_mut().zip(&self.slots) {
                *v = value(s);
            }
            self.expression.eval(&vars[..n]).unwrap_or(f64::NAN)
        } else {
            let vars: Vec<f64> = self.slots.iter().map(|&s| value(s)).collect();
            self.expression.eval(&vars).unwrap_or(f64::NAN)
        }
    }
}

/// The slot of each variable name (0 for `x`, $1 + i$ for parameter $i$); names are checked by
/// [`ExpressionFamily::new`] before this is called.
fn slots(names: &[String], parameters: &[&str]) -> Vec<usize> {
    names
        .iter()
        .map(|v| parameters.iter().position(|p| p == v).map_or(0, |i| 1 + i))
        .collect()
}

/// The symbolic $\partial_xE$ and $\partial_{\theta_i}E$ (in θ's order).
#[derive(Debug, Clone)]
struct Symbolic {
    d_x: Compiled,
    d_theta: Vec<Compiled>,
}

/// An energy family $E_\theta(x)$ given as a text expression (module docs).
#[derive(Debug, Clone)]
pub struct ExpressionFamily {
    text: String,
    parameters: Vec<&'static str>,
    energy: Compiled,
    /// `None` when exmex cannot differentiate the energy ([`DerivativeMethod::Automatic`]).
    symbolic: Option<Symbolic>,
    /// The same text parsed over dual numbers: the independent derivative.
    ad: AdExpr,
    /// Slots of `ad`'s variables, as in [`Compiled`].
    ad_slots: Vec<usize>,
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

fn bad_energy(energy: &str, expected: String) -> Error {
    Error::Parse {
        parameter: "energy".into(),
        expected,
        text: energy.to_owned(),
    }
}

/// The symbolic partials of `energy` by exmex, or `None` if exmex has no rule for one of its
/// operators (it then reports "operator abs needed for outer partial derivative").
fn symbolic_partials(energy: &RealExpr, parameters: &[&str]) -> Option<Symbolic> {
    let names = energy.var_names();
    let partial = |name: &str| -> Option<Compiled> {
        let idx = names.iter().position(|v| v == name)?;
        let d = energy.clone().partial(idx).ok()?;
        // exmex keeps the antiderivative's variables in its partials; the slots are recomputed
        // anyway so that evaluation never depends on that.
        Some(Compiled::new(d, parameters))
    };
    Some(Symbolic {
        d_x: partial("x")?,
        d_theta: parameters
            .iter()
            .map(|p| partial(p))
            .collect::<Option<Vec<_>>>()?,
    })
}

impl ExpressionFamily {
    /// Parses `energy`, an expression in `x` and the named `parameters` (their order is
    /// $\theta$'s order), and builds its symbolic partial derivatives.
    ///
    /// # Errors
    /// As in the module docs.
    ///
    /// # Examples
    /// ```
    /// use thermocheck_metric::energy::EnergyFamily;
    /// use thermocheck_metric::expression::{DerivativeMethod, ExpressionFamily};
    /// let f = ExpressionFamily::new("k*(x-mu)^2/2", &["k", "mu"]).unwrap();
    /// assert_eq!(f.derivative_method(), DerivativeMethod::Symbolic);
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
        let parsed = RealExpr::parse(energy).map_err(|e| {
            bad_energy(
                energy,
                format!("an expression in x and the parameters ({e})"),
            )
        })?;
        let names = parsed.var_names();
        if !names.iter().any(|v| v == "x") {
            return Err(bad_energy(
                energy,
                "an expression containing the state variable x".into(),
            ));
        }
        if let Some(v) = names
            .iter()
            .find(|v| *v != "x" && !parameters.contains(&v.as_str()))
        {
            return Err(Error::MissingParameter {
                parameter: v.clone(),
            });
        }
        if let Some(p) = parameters.iter().find(|p| !names.iter().any(|v| v == *p)) {
            return Err(bad_parameters(
                &listed,
                format!("names that occur in the energy `{energy}` (`{p}` does not)"),
            ));
        }
        // The same grammar over dual numbers; the two operator tables list the same names, so a
        // text that parses in f64 parses here too.
        let ad = AdExpr::parse(energy).map_err(|e| {
            bad_energy(
                energy,
                format!("an expression in x and the parameters ({e})"),
            )
        })?;
        let ad_slots = slots(ad.var_names(), parameters);
        Ok(ExpressionFamily {
            text: energy.to_owned(),
            parameters: parameters.iter().map(|p| intern(p)).collect(),
            symbolic: symbolic_partials(&parsed, parameters),
            energy: Compiled::new(parsed, parameters),
            ad,
            ad_slots,
        })
    }

    /// The expression as given.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// How the family's derivatives are evaluated: symbolically unless the energy uses an
    /// operator without an exmex rule (module docs).
    pub fn derivative_method(&self) -> DerivativeMethod {
        if self.symbolic.is_some() {
            DerivativeMethod::Symbolic
        } else {
            DerivativeMethod::Automatic
        }
    }

    /// The symbolic $\partial_xE$ and $\partial_{\theta_i}E$ as exmex prints them (variables in
    /// braces), or `None` under [`DerivativeMethod::Automatic`].
    pub fn symbolic_derivative_texts(&self) -> Option<(String, Vec<String>)> {
        self.symbolic.as_ref().map(|s| {
            (
                s.d_x.expression.to_string(),
                s.d_theta.iter().map(|d| d.expression.to_string()).collect(),
            )
        })
    }

    /// Evaluates over dual numbers with the tangent seeded on slot `seed` (0 = x, 1 + i = θ_i).
    fn eval_ad(&self, theta: &[f64], x: f64, seed: usize) -> Dual64 {
        let vars: Vec<Ad> = self
            .ad_slots
            .iter()
            .map(|&s| {
                let re = if s == 0 { x } else { theta[s - 1] };
                Ad(Dual64::new(re, if s == seed { 1.0 } else { 0.0 }))
            })
            .collect();
        self.ad
            .eval(&vars)
            .map(|a| a.0)
            .unwrap_or(Dual64::from_re(f64::NAN))
    }

    /// $\partial_xE_\theta(x)$ by forward-mode automatic differentiation of the parsed energy:
    /// the derivative independent of the symbolic one (claim MV5 compares the two).
    pub fn ad_grad_x(&self, theta: &[f64], x: f64) -> f64 {
        self.eval_ad(theta, x, 0).eps
    }

    /// $X_i = \partial_{\theta_i}E_\theta(x)$ by forward-mode automatic differentiation (as
    /// [`Self::ad_grad_x`]), into `out` (length = number of parameters).
    pub fn ad_grad_theta(&self, theta: &[f64], x: f64, out: &mut [f64]) {
        for (i, o) in out.iter_mut().enumerate() {
            *o = self.eval_ad(theta, x, 1 + i).eps;
        }
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
        self.energy.eval(theta, x)
    }
    fn grad_x(&self, theta: &[f64], x: f64) -> f64 {
        match &self.symbolic {
            Some(s) => s.d_x.eval(theta, x),
            None => self.ad_grad_x(theta, x),
        }
    }
    fn grad_theta(&self, theta: &[f64], x: f64, out: &mut [f64]) {
        match &self.symbolic {
            Some(s) => {
                for (o, d) in out.iter_mut().zip(&s.d_theta) {
                    *o = d.eval(theta, x);
                }
            }
            None => self.ad_grad_theta(theta, x, out),
        }
    }
}

/// Richardson-extrapolated central difference of `f` at `t`:
/// $R(h) = (4D(h/2) - D(h))/3$ with $D(h) = (f(t+h) - f(t-h))/(2h)$, returned with an error
/// estimate: the larger of $|R(h) - D(h/2)|$ (the truncation of the unextrapolated difference,
/// a bound on $R$'s) and $|R(h) - R(h/2)|$ (the h-vs-h/2 change, which also sees the round-off of
/// an energy whose terms cancel, where $|f|$ understates its rounding), plus the round-off bound
/// $4\varepsilon\max|f|/h$.
pub(crate) fn richardson_derivative(f: impl Fn(f64) -> f64, t: f64, h: f64) -> (f64, f64) {
    let d = |h: f64| (f(t + h) - f(t - h)) / (2.0 * h);
    let (coarse, fine, finest) = (d(h), d(0.5 * h), d(0.25 * h));
    let r = (4.0 * fine - coarse) / 3.0;
    let r_half = (4.0 * finest - fine) / 3.0;
    let size = [f(t + h), f(t - h), f(t)]
        .iter()
        .fold(0.0_f64, |m, v| m.max(v.abs()));
    let change = (r - fine).abs().max((r - r_half).abs());
    (r, change + 4.0 * f64::EPSILON * size / h)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `f64` and the dual-number grammars list the same operators, so a text parses in
    /// both and the AD check differentiates what the family evaluates.
    #[test]
    fn both_grammars_have_the_same_operators() {
        use exmex::MakeOperators;
        let real: BTreeSet<String> = real::RealOps::make()
            .iter()
            .map(|o| o.repr().to_owned())
            .collect();
        let ad: BTreeSet<String> = AdOps::make().iter().map(|o| o.repr().to_owned()).collect();
        assert_eq!(real, ad);
        assert_eq!(real.len(), 5 + 20 + 3); // binary, functions, constants
    }

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

    /// The family's derivatives (symbolic, or AD for `abs`) against Richardson central
    /// differences of the energy (an independent method): |∂ − FD| ≤ the FD error estimate +
    /// 64ε|∂| (rounding of the derivative).
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
                let dx = f.grad_x(theta, x);
                assert!(
                    (dx - fd).abs() <= est + 64.0 * f64::EPSILON * dx.abs(),
                    "{text} ∂x at {x}: {dx} vs {fd} ± {est}"
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
