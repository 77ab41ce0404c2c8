//! The error type of thermocheck, and the validators every crate uses on user input.
//!
//! A parameter error names the parameter (in the kebab-case spelling the CLI uses, e.g.
//! `variance`, `initial-mean`), the condition it violated and the offending value, so that the CLI
//! can print `error: --variance must be finite and > 0 (got -1)` without knowing which crate
//! raised it. Every domain crate validates through the functions here rather than writing its own
//! checks, so the same bad value gets the same message everywhere.
//!
//! Numbers in messages go through [`fmt_number`]: integers print as integers (`got -1`), everything
//! else in Rust's shortest round-trip form with an exponent for large and small magnitudes
//! (`1e300`, `2.5e-7`), never as a 300-digit expansion.

use std::fmt;

/// A number as error messages print it: readable and exact.
///
/// Integer values below $10^{15}$ in magnitude print as plain integers (`-1`, `0`, `128`; `-0` keeps
/// its sign); every other value prints in Rust's shortest round-trip representation (`{:?}`),
/// which switches to an exponent for large and small magnitudes (`1e300`, `1.5e-12`, `0.25`) and
/// spells `NaN`, `inf` and `-inf`. Parsing the printed text gives back the same `f64`.
///
/// # Examples
/// ```
/// use thermocheck_numerics::error::fmt_number;
/// assert_eq!(fmt_number(-1.0), "-1");
/// assert_eq!(fmt_number(0.1), "0.1");
/// assert_eq!(fmt_number(1e300), "1e300");
/// assert_eq!(fmt_number(f64::NAN), "NaN");
/// assert_eq!(fmt_number(-354.8913564466920).parse::<f64>().unwrap(), -354.891356446692);
/// ```
pub fn fmt_number(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        // Exactly representable as i64; `-0.0 as i64` would drop the sign.
        if value == 0.0 && value.is_sign_negative() {
            "-0".to_owned()
        } else {
            format!("{}", value as i64)
        }
    } else {
        format!("{value:?}")
    }
}

/// Result alias used throughout thermocheck.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The condition a parameter must satisfy; rendered after "must be".
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Requirement {
    /// Any finite number.
    Finite,
    /// Finite and strictly positive.
    Positive,
    /// Finite and ≥ 0.
    NonNegative,
    /// Finite and inside the closed interval `[min, max]`.
    InRange {
        /// Lower end (inclusive).
        min: f64,
        /// Upper end (inclusive).
        max: f64,
    },
    /// Finite and strictly greater than a bound.
    GreaterThan(f64),
    /// An integer count of at least this many.
    AtLeast(u64),
    /// Exactly one of these values (e.g. a binary label, −1 or 1).
    OneOf(&'static [f64]),
}

impl fmt::Display for Requirement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Requirement::Finite => write!(f, "finite"),
            Requirement::Positive => write!(f, "finite and > 0"),
            Requirement::NonNegative => write!(f, "finite and >= 0"),
            Requirement::InRange { min, max } => write!(
                f,
                "finite and in [{}, {}]",
                fmt_number(*min),
                fmt_number(*max)
            ),
            Requirement::GreaterThan(b) => write!(f, "finite and > {}", fmt_number(*b)),
            Requirement::AtLeast(n) => write!(f, "an integer >= {n}"),
            Requirement::OneOf(values) => {
                let list: Vec<String> = values.iter().map(|&v| fmt_number(v)).collect();
                write!(f, "one of {}", list.join(", "))
            }
        }
    }
}

/// Everything that can go wrong in thermocheck's library code.
///
/// Normal diagnostics (step counts, evaluation counts, error estimates) are not errors: they come
/// back in report structs beside the result. An `Err` means the caller's input was invalid or the
/// requested accuracy could not be reached.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A numeric parameter violated its requirement.
    #[error("{parameter} must be {requirement} (got {})", fmt_number(*.value))]
    InvalidParameter {
        /// Parameter name, kebab-case, as the CLI spells it.
        parameter: String,
        /// The condition it violated.
        requirement: Requirement,
        /// The value it had.
        value: f64,
    },
    /// An interval `[lo, hi]` that must be non-empty (`lo < hi`) was not.
    #[error(
        "{parameter} must be a non-empty interval with lower < upper (got [{}, {}])",
        fmt_number(*.lower),
        fmt_number(*.upper)
    )]
    EmptyRange {
        /// Parameter name.
        parameter: String,
        /// Lower end given.
        lower: f64,
        /// Upper end given.
        upper: f64,
    },
    /// A sequence that must be strictly increasing was not.
    #[error(
        "{parameter} must be strictly increasing (entry {index} is {}, after {})",
        fmt_number(*.value),
        fmt_number(*.previous)
    )]
    NotIncreasing {
        /// Parameter name.
        parameter: String,
        /// Index of the first offending entry.
        index: usize,
        /// The entry before it.
        previous: f64,
        /// The offending entry.
        value: f64,
    },
    /// Two inputs whose lengths must agree did not.
    #[error("{parameter} must have length {expected} (got {actual})")]
    DimensionMismatch {
        /// Parameter name.
        parameter: String,
        /// Required length.
        expected: usize,
        /// Given length.
        actual: usize,
    },
    /// A name (quantity, claim id, option value) that is not known.
    #[error("unknown {kind} `{name}`{}", fmt_known(.known))]
    Unknown {
        /// What kind of name it is ("quantity", "claim", "loss", ...).
        kind: String,
        /// The name given.
        name: String,
        /// The accepted names, for the message (may be empty).
        known: Vec<String>,
    },
    /// A required parameter was not given.
    #[error("missing required parameter {parameter}")]
    MissingParameter {
        /// Parameter name.
        parameter: String,
    },
    /// A parameter value could not be parsed.
    #[error("{parameter} must be {expected} (got `{text}`)")]
    Parse {
        /// Parameter name.
        parameter: String,
        /// What was expected, e.g. "a number".
        expected: String,
        /// The text given.
        text: String,
    },
    /// Inputs that are each valid but whose combination puts the result (or an intermediate the
    /// method cannot avoid) outside the range of `f64`: it overflows, or underflows to a value that
    /// can no longer be used. A caller's input error: choose a smaller time, a weaker repulsion, a
    /// larger step, etc.
    #[error("{} {}: {detail}", fmt_parameters(.parameters), if .parameters.len() == 1 { "is out of range" } else { "are out of range together" })]
    OutOfRange {
        /// The parameters whose combination is responsible, kebab-case as the CLI spells them
        /// (e.g. `stiffness`, `diffusion`, `time`).
        parameters: Vec<String>,
        /// What overflows or underflows, naming the product or quantity and its value.
        detail: String,
    },
    /// A numerical method could not reach the requested accuracy.
    #[error("{method} did not converge: {detail}")]
    NotConverged {
        /// The method, e.g. "double-exponential quadrature".
        method: String,
        /// What went wrong, with the achieved and requested accuracy.
        detail: String,
    },
}

/// `a`, `a and b`, `a, b and c`.
fn fmt_parameters(parameters: &[String]) -> String {
    match parameters {
        [] => "the inputs".to_owned(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

fn fmt_known(known: &[String]) -> String {
    if known.is_empty() {
        String::new()
    } else {
        format!(" (known: {})", known.join(", "))
    }
}

impl Error {
    /// The parameter this error is about, if it is about one. `None` for
    /// [`Error::OutOfRange`], which is about a combination (see its `parameters`).
    pub fn parameter(&self) -> Option<&str> {
        match self {
            Error::InvalidParameter { parameter, .. }
            | Error::EmptyRange { parameter, .. }
            | Error::NotIncreasing { parameter, .. }
            | Error::DimensionMismatch { parameter, .. }
            | Error::MissingParameter { parameter }
            | Error::Parse { parameter, .. } => Some(parameter),
            Error::Unknown { .. } | Error::NotConverged { .. } | Error::OutOfRange { .. } => None,
        }
    }

    /// Whether the error was caused by the caller's input (as opposed to a numerical failure).
    /// [`Error::OutOfRange`] counts as input: the caller's combination of values has no
    /// representable result.
    pub fn is_input_error(&self) -> bool {
        !matches!(self, Error::NotConverged { .. })
    }

    /// The same error with the parameter name prefixed, e.g. `variance` → `--variance`, or
    /// `mean` → `initial.mean`; for [`Error::OutOfRange`] every name of the combination is
    /// prefixed (`--stiffness, --diffusion and --time are out of range together: …`). Used by the
    /// CLI and by constructors that validate nested inputs.
    pub fn with_parameter_prefix(mut self, prefix: &str) -> Self {
        match &mut self {
            Error::InvalidParameter { parameter, .. }
            | Error::EmptyRange { parameter, .. }
            | Error::NotIncreasing { parameter, .. }
            | Error::DimensionMismatch { parameter, .. }
            | Error::MissingParameter { parameter }
            | Error::Parse { parameter, .. } => parameter.insert_str(0, prefix),
            Error::OutOfRange { parameters, .. } => {
                parameters.iter_mut().for_each(|p| p.insert_str(0, prefix))
            }
            Error::Unknown { .. } | Error::NotConverged { .. } => {}
        }
        self
    }

    /// An [`Error::OutOfRange`] for the named combination of parameters.
    pub fn out_of_range(parameters: &[&str], detail: impl Into<String>) -> Self {
        Error::OutOfRange {
            parameters: parameters.iter().map(|&p| p.to_owned()).collect(),
            detail: detail.into(),
        }
    }

    fn invalid(parameter: &str, requirement: Requirement, value: f64) -> Self {
        Error::InvalidParameter {
            parameter: parameter.to_owned(),
            requirement,
            value,
        }
    }
}

/// Checks that `value` is finite (not NaN, not ±∞) and returns it.
///
/// # Errors
/// [`Error::InvalidParameter`] naming `parameter` otherwise.
pub fn finite(parameter: &str, value: f64) -> Result<f64> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(Error::invalid(parameter, Requirement::Finite, value))
    }
}

/// Checks that `value` is finite and strictly positive (subnormals count as positive).
///
/// # Errors
/// [`Error::InvalidParameter`] naming `parameter` otherwise.
pub fn positive(parameter: &str, value: f64) -> Result<f64> {
    if value.is_finite() && value > 0.0 {
        Ok(value)
    } else {
        Err(Error::invalid(parameter, Requirement::Positive, value))
    }
}

/// Checks that `value` is exactly one of `allowed` and returns it.
///
/// # Errors
/// [`Error::InvalidParameter`] naming `parameter` otherwise.
pub fn one_of(parameter: &str, value: f64, allowed: &'static [f64]) -> Result<f64> {
    if allowed.contains(&value) {
        Ok(value)
    } else {
        Err(Error::invalid(
            parameter,
            Requirement::OneOf(allowed),
            value,
        ))
    }
}

/// Checks that `value` is finite and ≥ 0.
///
/// # Errors
/// [`Error::InvalidParameter`] naming `parameter` otherwise.
pub fn non_negative(parameter: &str, value: f64) -> Result<f64> {
    if value.is_finite() && value >= 0.0 {
        Ok(value)
    } else {
        Err(Error::invalid(parameter, Requirement::NonNegative, value))
    }
}

/// Checks that `value` is finite and strictly greater than `bound`.
///
/// # Errors
/// [`Error::InvalidParameter`] naming `parameter` otherwise.
pub fn greater_than(parameter: &str, value: f64, bound: f64) -> Result<f64> {
    if value.is_finite() && value > bound {
        Ok(value)
    } else {
        Err(Error::invalid(
            parameter,
            Requirement::GreaterThan(bound),
            value,
        ))
    }
}

/// Checks that `value` is finite and in the closed interval `[min, max]`.
///
/// # Errors
/// [`Error::InvalidParameter`] naming `parameter` otherwise.
pub fn in_range(parameter: &str, value: f64, min: f64, max: f64) -> Result<f64> {
    if value.is_finite() && min <= value && value <= max {
        Ok(value)
    } else {
        Err(Error::invalid(
            parameter,
            Requirement::InRange { min, max },
            value,
        ))
    }
}

/// Checks that a count is at least `min` (e.g. a particle count ≥ 1).
///
/// # Errors
/// [`Error::InvalidParameter`] naming `parameter` otherwise.
pub fn count_at_least(parameter: &str, value: usize, min: usize) -> Result<usize> {
    if value >= min {
        Ok(value)
    } else {
        Err(Error::invalid(
            parameter,
            Requirement::AtLeast(min as u64),
            value as f64,
        ))
    }
}

/// Checks that `[lower, upper]` is a non-empty interval of extended reals: neither end NaN,
/// `lower < upper`. Infinite ends are allowed (quadrature maps them).
///
/// # Errors
/// [`Error::InvalidParameter`] for a NaN end, [`Error::EmptyRange`] if `lower >= upper`.
pub fn interval(parameter: &str, lower: f64, upper: f64) -> Result<(f64, f64)> {
    if lower.is_nan() {
        return Err(Error::invalid(
            &format!("{parameter} lower end"),
            Requirement::InRange {
                min: f64::NEG_INFINITY,
                max: f64::INFINITY,
            },
            lower,
        ));
    }
    if upper.is_nan() {
        return Err(Error::invalid(
            &format!("{parameter} upper end"),
            Requirement::InRange {
                min: f64::NEG_INFINITY,
                max: f64::INFINITY,
            },
            upper,
        ));
    }
    if lower < upper {
        Ok((lower, upper))
    } else {
        Err(Error::EmptyRange {
            parameter: parameter.to_owned(),
            lower,
            upper,
        })
    }
}

/// Checks that every entry is finite and the sequence strictly increases.
///
/// # Errors
/// [`Error::InvalidParameter`] for a non-finite entry (named `parameter[i]`),
/// [`Error::NotIncreasing`] for the first entry not above its predecessor.
pub fn strictly_increasing(parameter: &str, values: &[f64]) -> Result<()> {
    for (i, &v) in values.iter().enumerate() {
        if !v.is_finite() {
            finite(&format!("{parameter}[{i}]"), v)?;
        }
        if i > 0 && values[i - 1] >= v {
            return Err(Error::NotIncreasing {
                parameter: parameter.to_owned(),
                index: i,
                previous: values[i - 1],
                value: v,
            });
        }
    }
    Ok(())
}

/// Checks that a slice has the expected length.
///
/// # Errors
/// [`Error::DimensionMismatch`] otherwise.
pub fn length(parameter: &str, actual: usize, expected: usize) -> Result<()> {
    if actual == expected {
        Ok(())
    } else {
        Err(Error::DimensionMismatch {
            parameter: parameter.to_owned(),
            expected,
            actual,
        })
    }
}

/// Checks every entry of a slice for finiteness, naming the first bad one `parameter[i]`.
///
/// # Errors
/// [`Error::InvalidParameter`] for the first non-finite entry.
pub fn all_finite(parameter: &str, values: &[f64]) -> Result<()> {
    // The name is formatted only for the entry that fails: this check runs inside ODE
    // right-hand sides, where formatting a name per finite entry dominated the cost.
    match values.iter().position(|v| !v.is_finite()) {
        None => Ok(()),
        Some(i) => finite(&format!("{parameter}[{i}]"), values[i]).map(|_| ()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn message_names_parameter_condition_and_value() {
        let e = positive("variance", -1.0).unwrap_err();
        assert_eq!(e.to_string(), "variance must be finite and > 0 (got -1)");
        assert_eq!(
            e.with_parameter_prefix("--").to_string(),
            "--variance must be finite and > 0 (got -1)"
        );
        let e = finite("time", f64::NAN).unwrap_err();
        assert_eq!(e.to_string(), "time must be finite (got NaN)");
        let e = count_at_least("particles", 0, 1).unwrap_err();
        assert_eq!(e.to_string(), "particles must be an integer >= 1 (got 0)");
        let e = one_of("target", 0.5, &[-1.0, 1.0]).unwrap_err();
        assert_eq!(e.to_string(), "target must be one of -1, 1 (got 0.5)");
        assert_eq!(one_of("target", -1.0, &[-1.0, 1.0]), Ok(-1.0));
    }

    #[test]
    fn numbers_print_readably() {
        for (v, text) in [
            (-1.0, "-1"),
            (0.0, "0"),
            (-0.0, "-0"),
            (128.0, "128"),
            (999_999_999_999_999.0, "999999999999999"),
            (1e15, "1000000000000000.0"),
            (1e16, "1e16"),
            (0.5, "0.5"),
            (1e300, "1e300"),
            (-2.5e-7, "-2.5e-7"),
            (f64::MAX, "1.7976931348623157e308"),
            (f64::INFINITY, "inf"),
            (f64::NEG_INFINITY, "-inf"),
        ] {
            assert_eq!(fmt_number(v), text);
        }
        let e = positive("x", -1e300).unwrap_err();
        assert_eq!(e.to_string(), "x must be finite and > 0 (got -1e300)");
        let e = greater_than("stiffness", -400.0, -354.891_356_446_692).unwrap_err();
        assert_eq!(
            e.to_string(),
            "stiffness must be finite and > -354.891356446692 (got -400)"
        );
        let e = in_range("rtol", 2.0, 1e-13, 1.0).unwrap_err();
        assert_eq!(
            e.to_string(),
            "rtol must be finite and in [1e-13, 1] (got 2)"
        );
        let e = interval("r", 1e200, -0.1).unwrap_err();
        assert_eq!(
            e.to_string(),
            "r must be a non-empty interval with lower < upper (got [1e200, -0.1])"
        );
        let e = strictly_increasing("t", &[0.0, 1.0 / 3.0, 0.25]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "t must be strictly increasing (entry 2 is 0.25, after 0.3333333333333333)"
        );
    }

    #[test]
    fn out_of_range_is_an_input_error_naming_the_combination() {
        let e = Error::out_of_range(&["stiffness", "diffusion", "time"], "k·D·t = -1e300");
        assert!(e.is_input_error());
        assert_eq!(e.parameter(), None);
        assert_eq!(
            e.to_string(),
            "stiffness, diffusion and time are out of range together: k·D·t = -1e300"
        );
        assert_eq!(
            e.with_parameter_prefix("--").to_string(),
            "--stiffness, --diffusion and --time are out of range together: k·D·t = -1e300"
        );
        let e = Error::out_of_range(&["diffusion", "time-step"], "D·dt = 0");
        assert_eq!(
            e.to_string(),
            "diffusion and time-step are out of range together: D·dt = 0"
        );
    }

    #[test]
    fn boundaries_are_classified_as_documented() {
        assert!(positive("x", 0.0).is_err());
        assert!(positive("x", -0.0).is_err());
        assert!(positive("x", f64::MIN_POSITIVE / 2.0).is_ok());
        assert!(non_negative("x", 0.0).is_ok());
        assert!(non_negative("x", -f64::MIN_POSITIVE).is_err());
        assert!(in_range("x", 1.0, 1.0, 2.0).is_ok());
        assert!(in_range("x", 2.0, 1.0, 2.0).is_ok());
        assert!(in_range("x", 2.0 + f64::EPSILON * 2.0, 1.0, 2.0).is_err());
        assert!(greater_than("x", 1.0, 1.0).is_err());
        assert!(interval("r", 0.0, f64::INFINITY).is_ok());
        assert!(interval("r", 1.0, 1.0).is_err());
        assert!(interval("r", f64::NAN, 1.0).is_err());
        assert!(strictly_increasing("t", &[0.0, 1.0, 1.0]).is_err());
        assert!(strictly_increasing("t", &[0.0, f64::INFINITY]).is_err());
        assert!(strictly_increasing("t", &[0.0, 0.5, 2.0]).is_ok());
    }

    fn any_f64() -> impl Strategy<Value = f64> {
        // Arbitrary bit patterns cover NaN payloads, ±inf, subnormals and huge values alike.
        prop_oneof![
            any::<u64>().prop_map(f64::from_bits),
            Just(f64::NAN),
            Just(f64::INFINITY),
            Just(f64::NEG_INFINITY),
            Just(f64::MIN_POSITIVE / 4.0),
            Just(-0.0),
            Just(f64::MAX),
        ]
    }

    proptest! {
        /// The validators never panic, accept exactly what their requirement says, and return
        /// the value unchanged when they accept it.
        #[test]
        fn validators_accept_exactly_their_requirement(v in any_f64(), w in any_f64()) {
            prop_assert_eq!(finite("p", v).is_ok(), v.is_finite());
            prop_assert_eq!(positive("p", v).is_ok(), v.is_finite() && v > 0.0);
            prop_assert_eq!(non_negative("p", v).is_ok(), v.is_finite() && v >= 0.0);
            prop_assert_eq!(in_range("p", v, -1.0, 1.0).is_ok(), (-1.0..=1.0).contains(&v));
            prop_assert_eq!(interval("p", v, w).is_ok(), !v.is_nan() && !w.is_nan() && v < w);
            if let Ok(x) = positive("p", v) {
                prop_assert_eq!(x.to_bits(), v.to_bits());
            }
            if let Err(e) = positive("p", v) {
                let msg = e.to_string();
                prop_assert!(msg.starts_with("p must be"), "{}", msg);
                prop_assert!(e.is_input_error());
                // Readable: never more than 17 significant digits plus sign and exponent.
                prop_assert!(msg.len() <= "p must be finite and > 0 (got )".len() + 24, "{}", msg);
            }
            // The printed number parses back to the same value.
            let back: f64 = fmt_number(v).parse().unwrap();
            prop_assert!(back.to_bits() == v.to_bits() || (v.is_nan() && back.is_nan()));
        }
    }
}
