//! `thermocheck eval` quantities: named closed forms with typed, validated parameters.
//!
//! Each domain crate exposes `quantities() -> Vec<Quantity>`; the CLI gathers them. Parameter names
//! are kebab-case and spelled out (`--duration`, `--variance`), and the names are a stable contract.

use crate::error::{self, Error, Result};
use serde::Serialize;
use std::collections::BTreeMap;

/// What kind of value a parameter takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ParamKind {
    /// One real number.
    Number,
    /// A comma-separated list of real numbers.
    Numbers,
    /// Free text (an expression, an assignment list).
    Text,
    /// One of a fixed set of names.
    Choice(&'static [&'static str]),
}

/// One parameter of a quantity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Param {
    /// kebab-case name, without the leading `--`.
    pub name: &'static str,
    /// One line: meaning, symbol and unit.
    pub doc: &'static str,
    /// Value kind.
    pub kind: ParamKind,
    /// Whether it must be given.
    pub required: bool,
}

impl Param {
    /// A required real-number parameter.
    pub const fn number(name: &'static str, doc: &'static str) -> Self {
        Param {
            name,
            doc,
            kind: ParamKind::Number,
            required: true,
        }
    }

    /// The same parameter, optional.
    pub const fn optional(mut self) -> Self {
        self.required = false;
        self
    }
}

/// The value of a quantity.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Value {
    /// A real number.
    Scalar(f64),
    /// A vector.
    Vector(Vec<f64>),
    /// A matrix, row by row.
    Matrix(Vec<Vec<f64>>),
}

impl Value {
    /// The number, if the value is a scalar.
    pub fn as_scalar(&self) -> Option<f64> {
        match self {
            Value::Scalar(x) => Some(*x),
            _ => None,
        }
    }
}

/// The parameters given to a quantity, as text, checked against its [`Param`] list.
#[derive(Debug, Clone, Default)]
pub struct Args {
    values: BTreeMap<String, String>,
}

impl Args {
    /// Collects `(name, value)` pairs, rejecting unknown and repeated names.
    ///
    /// # Errors
    /// [`Error::Unknown`] for a name not in `params`, [`Error::Parse`] for a repeated one,
    /// [`Error::MissingParameter`] for a required parameter not given.
    pub fn new<'a>(
        params: &[Param],
        given: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Self> {
        let mut values = BTreeMap::new();
        for (name, value) in given {
            if !params.iter().any(|p| p.name == name) {
                return Err(Error::Unknown {
                    kind: "parameter".into(),
                    name: format!("--{name}"),
                    known: params.iter().map(|p| format!("--{}", p.name)).collect(),
                });
            }
            if values.insert(name.to_owned(), value.to_owned()).is_some() {
                return Err(Error::Parse {
                    parameter: name.to_owned(),
                    expected: "given once".into(),
                    text: value.to_owned(),
                });
            }
        }
        for p in params {
            if p.required && !values.contains_key(p.name) {
                return Err(Error::MissingParameter {
                    parameter: p.name.to_owned(),
                });
            }
            if let (ParamKind::Choice(options), Some(v)) = (p.kind, values.get(p.name)) {
                if !options.contains(&v.as_str()) {
                    return Err(Error::Unknown {
                        kind: p.name.to_owned(),
                        name: v.clone(),
                        known: options.iter().map(|s| s.to_string()).collect(),
                    });
                }
            }
        }
        Ok(Args { values })
    }

    /// The raw text of a parameter, if given.
    pub fn text(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    /// A required real number. Non-finite values parse (so the validator can name them) but are
    /// rejected here: every number a quantity takes must be finite.
    ///
    /// # Errors
    /// [`Error::MissingParameter`], [`Error::Parse`], or [`Error::InvalidParameter`] if not finite.
    pub fn number(&self, name: &str) -> Result<f64> {
        let text = self.text(name).ok_or_else(|| Error::MissingParameter {
            parameter: name.to_owned(),
        })?;
        error::finite(name, parse_number(name, text)?)
    }

    /// An optional real number.
    ///
    /// # Errors
    /// As [`Args::number`], when given.
    pub fn number_or(&self, name: &str, default: f64) -> Result<f64> {
        match self.text(name) {
            Some(_) => self.number(name),
            None => Ok(default),
        }
    }

    /// A comma-separated list of finite real numbers.
    ///
    /// # Errors
    /// [`Error::MissingParameter`], [`Error::Parse`] for an entry that is not a number, or
    /// [`Error::InvalidParameter`] for a non-finite entry.
    pub fn numbers(&self, name: &str) -> Result<Vec<f64>> {
        let text = self.text(name).ok_or_else(|| Error::MissingParameter {
            parameter: name.to_owned(),
        })?;
        text.split(',')
            .map(|s| parse_number(name, s.trim()).and_then(|v| error::finite(name, v)))
            .collect()
    }
}

fn parse_number(name: &str, text: &str) -> Result<f64> {
    text.parse::<f64>().map_err(|_| Error::Parse {
        parameter: name.to_owned(),
        expected: "a number".into(),
        text: text.to_owned(),
    })
}

/// The signature of a quantity's evaluation.
pub type EvalFn = fn(&Args) -> Result<Value>;

/// A named closed form that `thermocheck eval` can compute.
#[derive(Clone)]
pub struct Quantity {
    /// Stable kebab-case name.
    pub name: &'static str,
    /// One-line description with the formula.
    pub summary: &'static str,
    /// Spec result id(s), e.g. `D12`.
    pub spec: &'static str,
    /// Its parameters.
    pub params: &'static [Param],
    eval: EvalFn,
}

impl Quantity {
    /// A quantity.
    pub const fn new(
        name: &'static str,
        summary: &'static str,
        spec: &'static str,
        params: &'static [Param],
        eval: EvalFn,
    ) -> Self {
        Quantity {
            name,
            summary,
            spec,
            params,
            eval,
        }
    }

    /// Validates the given `(name, value)` pairs and evaluates.
    ///
    /// # Errors
    /// Any parameter error of [`Args::new`], or the closed form's own validation error.
    pub fn eval<'a>(&self, given: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<Value> {
        let args = Args::new(self.params, given)?;
        (self.eval)(&args)
    }
}

/// The quantity named `name` among `quantities` (the lookup `thermocheck eval` does).
///
/// # Errors
/// [`Error::Unknown`] listing the known names when none is called `name`.
pub fn find(mut quantities: Vec<Quantity>, name: &str) -> Result<Quantity> {
    match quantities.iter().position(|q| q.name == name) {
        Some(i) => Ok(quantities.swap_remove(i)),
        None => Err(Error::Unknown {
            kind: "quantity".into(),
            name: name.to_owned(),
            known: quantities.iter().map(|q| q.name.to_owned()).collect(),
        }),
    }
}

impl std::fmt::Debug for Quantity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Quantity")
            .field("name", &self.name)
            .field("spec", &self.spec)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PARAMS: &[Param] = &[
        Param::number("variance", "σ²"),
        Param::number("time", "t").optional(),
        Param {
            name: "loss",
            doc: "loss",
            kind: ParamKind::Choice(&["mse", "mae"]),
            required: false,
        },
    ];

    #[test]
    fn args_report_unknown_missing_and_bad_values_by_name() {
        let e = Args::new(PARAMS, [("varience", "1")]).unwrap_err();
        assert!(
            e.to_string().starts_with("unknown parameter `--varience`"),
            "{e}"
        );
        let e = Args::new(PARAMS, [("time", "1")]).unwrap_err();
        assert_eq!(e.to_string(), "missing required parameter variance");
        let a = Args::new(PARAMS, [("variance", "abc")]).unwrap();
        assert_eq!(
            a.number("variance").unwrap_err().to_string(),
            "variance must be a number (got `abc`)"
        );
        let a = Args::new(PARAMS, [("variance", "inf")]).unwrap();
        assert_eq!(
            a.number("variance").unwrap_err().to_string(),
            "variance must be finite (got inf)"
        );
        let e = Args::new(PARAMS, [("variance", "1"), ("loss", "ce")]).unwrap_err();
        assert!(e.to_string().contains("known: mse, mae"), "{e}");
        let a = Args::new(PARAMS, [("variance", "2.5")]).unwrap();
        assert_eq!(a.number("variance").unwrap(), 2.5);
        assert_eq!(a.number_or("time", 1.0).unwrap(), 1.0);
    }

    fn unit(_: &Args) -> Result<Value> {
        Ok(Value::Scalar(1.0))
    }

    #[test]
    fn find_names_the_known_quantities_and_as_scalar_takes_only_scalars() {
        let qs = || {
            vec![
                Quantity::new("a", "", "", &[], unit),
                Quantity::new("b", "", "", &[], unit),
            ]
        };
        assert_eq!(find(qs(), "b").unwrap().name, "b");
        let e = find(qs(), "c").unwrap_err();
        assert!(e.to_string().starts_with("unknown quantity `c`"), "{e}");
        assert!(e.to_string().contains("known: a, b"), "{e}");
        assert_eq!(Value::Scalar(2.0).as_scalar(), Some(2.0));
        assert_eq!(Value::Vector(vec![2.0]).as_scalar(), None);
    }
}
