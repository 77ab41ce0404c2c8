//! Activation functions $\varphi$ of the networks of T25–T31, with $\varphi'$ and $\varphi''$ in
//! stable forms.
//!
//! | name | $\varphi(z)$ | notes |
//! |---|---|---|
//! | `linear` | $z$ | positively homogeneous |
//! | `relu` | $\max(z, 0)$ | positively homogeneous, kink at 0 |
//! | `leaky-relu` | $z$ for $z > 0$, $\alpha z$ otherwise | positively homogeneous, kink at 0; slope $\alpha$ required |
//! | `tanh` | $\tanh z$ | $\tanh' = \operatorname{sech}^2 z = 4e^{-2\lvert z\rvert}/(1+e^{-2\lvert z\rvert})^2$ (no $1-\tanh^2$ cancellation) |
//! | `sigmoid` | $1/(1+e^{-z})$ | from $e^{-\lvert z\rvert}$, so neither tail overflows |
//! | `gelu` | $z\,\Phi(z)$ | exact (erf-based) via [`normal_cdf`], accurate to ~1 ulp |
//! | `elu` | $z$ for $z > 0$, $e^z - 1$ otherwise ($\alpha = 1$) | `expm1`; $\varphi'$ continuous, $\varphi''$ jumps at 0 |
//! | `softplus` | $\ln(1+e^z) = \max(z,0) + \ln(1+e^{-\lvert z\rvert})$ | $\varphi' = $ sigmoid |
//! | `swish` (alias `silu`) | $z\,\mathrm{sig}(z)$ | |
//!
//! Every function is finite for every finite $z$ and underflows to the correct tiny value in the
//! tails (e.g. $\mathrm{sig}(-800) = 0$, $\mathrm{sig}'(50) = e^{-50}$ to full relative accuracy).
//! Spec: T1 (sig, softplus), T27, T29–T31, TV15.

use crate::logistic::{sigmoid, sigmoid_slope, softplus};
use std::f64::consts::LN_2;
use thermocheck_numerics::error::{self, Error, Result, fmt_number};
use thermocheck_numerics::special::{normal_cdf, normal_pdf};

/// The names the CLI accepts for `--activation` (`silu` is an alias of `swish`).
pub const NAMES: &[&str] = &[
    "linear",
    "relu",
    "leaky-relu",
    "tanh",
    "sigmoid",
    "gelu",
    "elu",
    "softplus",
    "swish",
    "silu",
];

/// An activation function $\varphi$ (see the [module table](self)).
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum Activation {
    /// $\varphi(z) = z$.
    Linear,
    /// $\varphi(z) = \max(z, 0)$.
    Relu,
    /// $\varphi(z) = z$ for $z > 0$ and $\alpha z$ otherwise; any finite slope $\alpha$
    /// ($\alpha = 1$ is linear, $\alpha = -1$ is $\lvert z\rvert$, other values are PReLU).
    LeakyRelu {
        /// The negative-side slope $\alpha$.
        slope: f64,
    },
    /// $\varphi(z) = \tanh z$.
    Tanh,
    /// $\varphi(z) = 1/(1+e^{-z})$.
    Sigmoid,
    /// $\varphi(z) = z\,\Phi(z)$ (exact GELU).
    Gelu,
    /// $\varphi(z) = z$ for $z > 0$, $e^z - 1$ otherwise (ELU with $\alpha = 1$).
    Elu,
    /// $\varphi(z) = \ln(1 + e^z)$.
    Softplus,
    /// $\varphi(z) = z/(1+e^{-z})$ (swish with $\beta = 1$, SiLU).
    Swish,
}

/// $\operatorname{sech}^2 z = 4e^{-2\lvert z\rvert}/(1+e^{-2\lvert z\rvert})^2$, accurate in the tails
/// where $1 - \tanh^2 z$ would cancel to 0.
fn sech2(z: f64) -> f64 {
    let e = (-2.0 * z.abs()).exp();
    4.0 * e / ((1.0 + e) * (1.0 + e))
}

impl Activation {
    /// The activation named `name`, spelled exactly as one of [`NAMES`] (the names the CLI's
    /// `--activation` accepts: lower case, `-` as separator), with the slope $\alpha$ that only
    /// `leaky-relu` takes.
    ///
    /// # Errors
    /// - [`Error::Unknown`] (kind `activation`) for a name not in [`NAMES`];
    /// - [`Error::MissingParameter`] (`slope`) for `leaky-relu` without a slope;
    /// - [`Error::InvalidParameter`] (`slope`) for a non-finite slope;
    /// - [`Error::Parse`] (`slope`) for a slope given to any other activation.
    ///
    /// # Examples
    /// ```
    /// use thermocheck_temperature::activation::Activation;
    /// assert_eq!(Activation::from_name("leaky-relu", Some(0.1))?, Activation::LeakyRelu { slope: 0.1 });
    /// assert_eq!(Activation::from_name("silu", None)?, Activation::Swish);
    /// assert!(Activation::from_name("LEAKY_RELU", Some(0.1)).is_err()); // exact names only
    /// assert!(Activation::from_name("tanh", Some(0.1)).is_err());
    /// # Ok::<(), thermocheck_numerics::Error>(())
    /// ```
    pub fn from_name(name: &str, slope: Option<f64>) -> Result<Self> {
        let activation = match name {
            "linear" => Activation::Linear,
            "relu" => Activation::Relu,
            "leaky-relu" => {
                let slope = slope.ok_or_else(|| Error::MissingParameter {
                    parameter: "slope".to_owned(),
                })?;
                return Self::leaky_relu(slope);
            }
            "tanh" => Activation::Tanh,
            "sigmoid" => Activation::Sigmoid,
            "gelu" => Activation::Gelu,
            "elu" => Activation::Elu,
            "softplus" => Activation::Softplus,
            "swish" | "silu" => Activation::Swish,
            _ => {
                return Err(Error::Unknown {
                    kind: "activation".to_owned(),
                    name: name.to_owned(),
                    known: NAMES.iter().map(|s| s.to_string()).collect(),
                });
            }
        };
        match slope {
            None => Ok(activation),
            Some(s) => Err(Error::Parse {
                parameter: "slope".to_owned(),
                expected: format!(
                    "given only with leaky-relu ({} has no slope)",
                    activation.name()
                ),
                text: thermocheck_numerics::error::fmt_number(s),
            }),
        }
    }

    /// Leaky ReLU with slope $\alpha$.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] (`slope`) if $\alpha$ is not finite.
    pub fn leaky_relu(slope: f64) -> Result<Self> {
        Ok(Activation::LeakyRelu {
            slope: error::finite("slope", slope)?,
        })
    }

    /// Every activation family once, leaky ReLU with slope `leaky_slope`: the list the claims
    /// and property tests sweep.
    pub fn all(leaky_slope: f64) -> [Activation; 9] {
        [
            Activation::Linear,
            Activation::Relu,
            Activation::LeakyRelu { slope: leaky_slope },
            Activation::Tanh,
            Activation::Sigmoid,
            Activation::Gelu,
            Activation::Elu,
            Activation::Softplus,
            Activation::Swish,
        ]
    }

    /// The canonical name (as in [`NAMES`]).
    pub fn name(&self) -> &'static str {
        match self {
            Activation::Linear => "linear",
            Activation::Relu => "relu",
            Activation::LeakyRelu { .. } => "leaky-relu",
            Activation::Tanh => "tanh",
            Activation::Sigmoid => "sigmoid",
            Activation::Gelu => "gelu",
            Activation::Elu => "elu",
            Activation::Softplus => "softplus",
            Activation::Swish => "swish",
        }
    }

    /// A label for tables: the name, with the slope for leaky ReLU (`leaky-relu 0.1`).
    pub fn label(&self) -> String {
        match self {
            Activation::LeakyRelu { slope } => format!("leaky-relu {}", fmt_number(*slope)),
            other => other.name().to_owned(),
        }
    }

    /// $\varphi(z)$.
    pub fn value(&self, z: f64) -> f64 {
        match *self {
            Activation::Linear => z,
            Activation::Relu => z.max(0.0),
            Activation::LeakyRelu { slope } => {
                if z > 0.0 {
                    z
                } else {
                    slope * z
                }
            }
            Activation::Tanh => z.tanh(),
            Activation::Sigmoid => sigmoid(z),
            Activation::Gelu => z * normal_cdf(z),
            Activation::Elu => {
                if z > 0.0 {
                    z
                } else {
                    z.exp_m1()
                }
            }
            Activation::Softplus => softplus(z),
            Activation::Swish => z * sigmoid(z),
        }
    }

    /// $\varphi(z) - \varphi(0)$ without cancellation near $z = 0$: $\tfrac12\tanh(z/2)$ for the
    /// sigmoid, $\ln(1 + \operatorname{expm1}(z)/2)$ for softplus ($z \le 1$), and $\varphi(z)$
    /// itself for every activation with $\varphi(0) = 0$. The centred efficiency is built on it.
    pub fn shifted_value(&self, z: f64) -> f64 {
        match *self {
            Activation::Sigmoid => 0.5 * (0.5 * z).tanh(),
            // ln(1+e^z) − ln 2 = ln(1 + (e^z − 1)/2): exact in the small-z region; for z > 1 the
            // difference z − ln 2 + ln(1+e^{−z}) ≥ 0.3 does not cancel and never overflows.
            Activation::Softplus => {
                if z <= 1.0 {
                    (0.5 * z.exp_m1()).ln_1p()
                } else {
                    (z - LN_2) + (-z).exp().ln_1p()
                }
            }
            _ => self.value(z),
        }
    }

    /// $\varphi(0)$: $\tfrac12$ for the sigmoid, $\ln 2$ for softplus, 0 otherwise.
    pub fn value_at_zero(&self) -> f64 {
        match self {
            Activation::Sigmoid => 0.5,
            Activation::Softplus => LN_2,
            _ => 0.0,
        }
    }

    /// $\varphi'(z)$ (at a kink, the right derivative).
    pub fn derivative(&self, z: f64) -> f64 {
        match *self {
            Activation::Linear => 1.0,
            Activation::Relu => {
                if z >= 0.0 {
                    1.0
                } else {
                    0.0
                }
            }
            Activation::LeakyRelu { slope } => {
                if z >= 0.0 {
                    1.0
                } else {
                    slope
                }
            }
            Activation::Tanh => sech2(z),
            Activation::Sigmoid => sigmoid_slope(z),
            Activation::Gelu => normal_cdf(z) + z * normal_pdf(z),
            Activation::Elu => {
                if z > 0.0 {
                    1.0
                } else {
                    z.exp()
                }
            }
            Activation::Softplus => sigmoid(z),
            Activation::Swish => sigmoid(z) + z * sigmoid_slope(z),
        }
    }

    /// $\varphi''(z)$ in the ordinary sense away from the kinks (0 for the piecewise-linear
    /// activations; their delta at 0 always meets $\varphi(0) = 0$ in $\varphi\varphi''$).
    pub fn second_derivative(&self, z: f64) -> f64 {
        match *self {
            Activation::Linear | Activation::Relu | Activation::LeakyRelu { .. } => 0.0,
            Activation::Tanh => -2.0 * z.tanh() * sech2(z),
            // sig'' = sig'(1 − 2 sig) = −sig' tanh(z/2).
            Activation::Sigmoid => -sigmoid_slope(z) * (0.5 * z).tanh(),
            // φ(z)(2 − z²); beyond |z| = 40 the density is 0 in f64 and z² may overflow.
            Activation::Gelu => {
                if z.abs() > 40.0 {
                    0.0
                } else {
                    normal_pdf(z) * (2.0 - z * z)
                }
            }
            Activation::Elu => {
                if z > 0.0 {
                    0.0
                } else {
                    z.exp()
                }
            }
            Activation::Softplus => sigmoid_slope(z),
            // (z sig)'' = 2 sig' + z sig''.
            Activation::Swish => sigmoid_slope(z) * (2.0 - z * (0.5 * z).tanh()),
        }
    }

    /// The points where $\varphi$ or $\varphi'$ is not smooth (quadrature break points): $0$ for
    /// ReLU, leaky ReLU and ELU, none otherwise.
    pub fn kinks(&self) -> &'static [f64] {
        match self {
            Activation::Relu | Activation::LeakyRelu { .. } | Activation::Elu => &[0.0],
            _ => &[],
        }
    }

    /// The slopes $(a_+, a_-)$ of a positively homogeneous activation, $\varphi(z) = a_+ z$ for
    /// $z > 0$ and $a_- z$ for $z < 0$ (so $\varphi(cz) = c\varphi(z)$ for $c > 0$); `None` for the
    /// others. This is the structure T27's product law needs; the engine type of T30 is *not*
    /// read from it but computed (see [`crate::efficiency::classify_engine`]).
    pub fn homogeneous_slopes(&self) -> Option<(f64, f64)> {
        match *self {
            Activation::Linear => Some((1.0, 1.0)),
            Activation::Relu => Some((1.0, 0.0)),
            Activation::LeakyRelu { slope } => Some((1.0, slope)),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn names_parse_and_round_trip() {
        for name in NAMES {
            let slope = (*name == "leaky-relu").then_some(0.2);
            let a = Activation::from_name(name, slope).unwrap();
            let canonical = if *name == "silu" { "swish" } else { name };
            assert_eq!(a.name(), canonical);
        }
        let e = Activation::from_name("mish", None).unwrap_err();
        assert!(
            e.to_string().starts_with("unknown activation `mish`"),
            "{e}"
        );
        let e = Activation::from_name("leaky-relu", None).unwrap_err();
        assert_eq!(e.to_string(), "missing required parameter slope");
        let e = Activation::from_name("relu", Some(0.1)).unwrap_err();
        assert_eq!(e.parameter(), Some("slope"));
        assert!(e.to_string().contains("relu has no slope"), "{e}");
        let e = Activation::from_name("leaky-relu", Some(f64::NAN)).unwrap_err();
        assert_eq!(e.parameter(), Some("slope"));
        // Exactly the CLI's names (its Choice rejects other spellings before this is called).
        for other in ["LEAKY_RELU", "leaky_relu", "Tanh", " relu"] {
            assert!(Activation::from_name(other, Some(0.1)).is_err(), "{other}");
        }
    }

    #[test]
    fn tails_underflow_to_the_right_tiny_values() {
        // sig(-50) = e^{-50}/(1+e^{-50}); sig'(50) = e^{-50}/(1+e^{-50})^2; sech²(30) = 4e^{-60}/(1+e^{-60})^2
        let e50 = (-50.0f64).exp();
        assert!((sigmoid(-50.0) / e50 - 1.0).abs() < 1e-15);
        assert!((sigmoid_slope(50.0) / e50 - 1.0).abs() < 1e-15);
        assert!((sech2(30.0) / (4.0 * (-60.0f64).exp()) - 1.0).abs() < 1e-15);
        for a in Activation::all(0.1) {
            for z in [-1e308, -800.0, -40.0, 0.0, 40.0, 800.0, 1e308] {
                for v in [a.value(z), a.derivative(z), a.second_derivative(z)] {
                    assert!(!v.is_nan(), "{} at {z}", a.name());
                }
                if z.abs() < 1e300 {
                    assert!(a.shifted_value(z).is_finite(), "{} at {z}", a.name());
                }
            }
        }
        assert_eq!(Activation::Softplus.value(-800.0), 0.0);
        assert_eq!(Activation::Softplus.value(800.0), 800.0);
    }

    /// Central differences $[f(z+h) - f(z-h)]/2h$ with $h = 10^{-5}$: truncation
    /// $h^2 f'''/6 \lesssim 10^{-10}$ and rounding $\varepsilon|f|/h \lesssim 10^{-10}$ for
    /// $|z| \le 5$, so $10^{-8}$ bounds the error with a wide margin.
    fn central(f: impl Fn(f64) -> f64, z: f64) -> f64 {
        let h = 1e-5;
        (f(z + h) - f(z - h)) / (2.0 * h)
    }

    proptest! {
        /// Analytic derivatives against central differences on $[-5, 5]$, away from the kink
        /// at 0 (distance > 1e-3 so no difference straddles it).
        #[test]
        fn derivatives_match_finite_differences(z in -5.0f64..5.0, slope in -1.0f64..1.0) {
            prop_assume!(z.abs() > 1e-3);
            for a in Activation::all(slope) {
                let d = central(|t| a.value(t), z);
                prop_assert!((d - a.derivative(z)).abs() < 1e-8, "{} φ' at {z}", a.name());
                let d2 = central(|t| a.derivative(t), z);
                prop_assert!((d2 - a.second_derivative(z)).abs() < 1e-8, "{} φ'' at {z}", a.name());
                let s = a.value(z) - a.value_at_zero();
                prop_assert!((s - a.shifted_value(z)).abs() <= 4.0 * f64::EPSILON * (1.0 + a.value(z).abs()));
            }
        }
    }
}
