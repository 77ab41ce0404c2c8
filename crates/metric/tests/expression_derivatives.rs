//! Expression families: exmex's symbolic derivatives (the family's own) against forward-mode AD
//! of the same parse, and what happens at the edges of the grammar (`abs`, `cbrt`, powers of
//! non-positive bases).

use proptest::prelude::*;
use thermocheck_metric::energy::EnergyFamily;
use thermocheck_metric::expression::{DerivativeMethod, ExpressionFamily};
use thermocheck_metric::friction::{FrictionOptions, friction_tensor};
use thermocheck_numerics::Error;
use thermocheck_numerics::tolerance::{ROUNDING_ULPS, Tolerance};

/// `[∂x, ∂θ…]` by the family (symbolic) and by dual numbers.
fn both(f: &ExpressionFamily, theta: &[f64], x: f64) -> (Vec<f64>, Vec<f64>) {
    let mut g = vec![0.0; theta.len()];
    f.grad_theta(theta, x, &mut g);
    let symbolic = std::iter::once(f.grad_x(theta, x))
        .chain(g.clone())
        .collect();
    f.ad_grad_theta(theta, x, &mut g);
    let ad = std::iter::once(f.ad_grad_x(theta, x)).chain(g).collect();
    (symbolic, ad)
}

/// Symbolic and AD derivatives are the same derivative in two operation orders: they agree to
/// ROUNDING_ULPS·ε times `scale[j]`, the sum of the magnitudes of the derivative's terms (written
/// out per case below), so that a derivative that cancels to ~0 is not asked for relative accuracy.
fn assert_agree(f: &ExpressionFamily, theta: &[f64], x: f64, scale: &[f64]) {
    let (symbolic, ad) = both(f, theta, x);
    assert_eq!(f.derivative_method(), DerivativeMethod::Symbolic);
    for j in 0..symbolic.len() {
        Tolerance::conditioning(ROUNDING_ULPS, scale[j]).assert_accepts(
            &format!("{} derivative {j} at θ={theta:?}, x={x}", f.name()),
            ad[j],
            symbolic[j],
        );
    }
}

proptest! {
    /// k ∈ [0.01, 100], μ, x ∈ [−10, 10]: the harmonic trap.
    #[test]
    fn harmonic_symbolic_matches_ad(k in 0.01..100.0_f64, mu in -10.0..10.0_f64, x in -10.0..10.0_f64) {
        let f = ExpressionFamily::new("k*(x-mu)^2/2", &["k", "mu"]).unwrap();
        let d = (x.abs() + mu.abs()) * k;
        assert_agree(&f, &[k, mu], x, &[d, (x.abs() + mu.abs()).powi(2), d]);
    }

    /// a ∈ [−5, 5], b ∈ [0.01, 5], c ∈ [0, 3], x ∈ [−6, 6]: quartic plus ln cosh, including
    /// double wells where ∂xE cancels.
    #[test]
    fn quartic_ln_cosh_symbolic_matches_ad(
        a in -5.0..5.0_f64, b in 0.01..5.0_f64, c in 0.0..3.0_f64, x in -6.0..6.0_f64,
    ) {
        let f = ExpressionFamily::new("a*x^2/2 + b*x^4/4 + c*ln(cosh(x))", &["a", "b", "c"])
            .unwrap();
        let scale = [
            (a * x).abs() + (b * x.powi(3)).abs() + c.abs(),
            x * x,
            x.powi(4),
            x.abs() + 1.0,
        ];
        assert_agree(&f, &[a, b, c], x, &scale);
    }

    /// s ∈ [−2, 2], t ∈ [−3, 3], x ∈ [−5, 5]: exponentials and a parameter in an exponent of a
    /// positive base.
    #[test]
    fn exp_and_positive_base_power_match_ad(
        s in -2.0..2.0_f64, t in -3.0..3.0_f64, x in -5.0..5.0_f64,
    ) {
        let f = ExpressionFamily::new("exp(s*x) + (1 + x^2)^t", &["s", "t"]).unwrap();
        let p = (1.0 + x * x).powf(t);
        let scale = [
            (s * (s * x).exp()).abs() + p * (t * x).abs() * 4.0,
            (x * (s * x).exp()).abs(),
            p * (1.0 + x * x).ln().abs().max(1.0),
        ];
        assert_agree(&f, &[s, t], x, &scale);
    }
}

#[test]
fn symbolic_derivatives_are_exmex_expressions() {
    let f = ExpressionFamily::new("k*(x-mu)^2/2", &["k", "mu"]).unwrap();
    let (d_x, d_theta) = f.symbolic_derivative_texts().unwrap();
    assert!(d_x.contains("{k}"), "{d_x}");
    assert_eq!(d_theta.len(), 2);
    assert_eq!(f.grad_x(&[2.0, 1.0], 3.0), 4.0);
}

/// exmex 0.21 has no symbolic rule for `abs` or `cbrt` ("operator abs needed for outer partial
/// derivative"): such families fall back to dual numbers, with d|u|/du = 0 at u = 0 (the midpoint
/// of the subdifferential, which the central difference also gives).
#[test]
fn abs_and_cbrt_fall_back_to_automatic_differentiation() {
    let f = ExpressionFamily::new("k*abs(x)", &["k"]).unwrap();
    assert_eq!(f.derivative_method(), DerivativeMethod::Automatic);
    assert!(f.symbolic_derivative_texts().is_none());
    assert_eq!(f.grad_x(&[2.0], -3.0), -2.0);
    assert_eq!(f.grad_x(&[2.0], 3.0), 2.0);
    assert_eq!(f.grad_x(&[2.0], 0.0), 0.0);
    let mut g = [0.0];
    f.grad_theta(&[2.0], -3.0, &mut g);
    assert_eq!(g, [3.0]);
    // |x|^1.5 is differentiable at 0 with derivative 0.
    let f = ExpressionFamily::new("k*abs(x)^1.5", &["k"]).unwrap();
    assert_eq!(f.grad_x(&[1.0], 0.0), 0.0);
    assert_eq!(f.grad_x(&[1.0], -4.0), -1.5 * 2.0);
    let f = ExpressionFamily::new("k*cbrt(x)^2 + x^2", &["k"]).unwrap();
    assert_eq!(f.derivative_method(), DerivativeMethod::Automatic);
    // d/dx x^(2/3) = (2/3) x^(-1/3) = 1/3 at x = 8 (exact in binary up to rounding).
    Tolerance::conditioning(ROUNDING_ULPS, 16.0).assert_accepts(
        "cbrt",
        1.0 / 3.0 + 16.0,
        f.grad_x(&[1.0], 8.0),
    );
    // The friction of an abs-energy runs on the AD path.
    let f = ExpressionFamily::new("abs(x-m)^1.5 + x^2/2", &["m"]).unwrap();
    assert!(friction_tensor(&f, &[0.3], 1.0, &FrictionOptions::default()).is_ok());
}

/// Powers: a constant integer exponent of a negative base is exact in both methods; a
/// non-integer constant exponent of a negative base is NaN in the energy (IEEE `pow`), and a
/// parameter in the exponent gives ∂θ(u^θ) = u^θ ln u, NaN for u < 0 in both methods (its limit
/// 0 at u = 0); M7 turns
/// either into a typed error naming the energy, never a silent NaN.
#[test]
fn powers_of_non_positive_bases() {
    let f = ExpressionFamily::new("a*x^3 + x^4", &["a"]).unwrap();
    assert_eq!(f.derivative_method(), DerivativeMethod::Symbolic);
    let (symbolic, ad) = both(&f, &[2.0], -2.0);
    assert_eq!(symbolic, vec![2.0 * 3.0 * 4.0 - 32.0, -8.0]);
    assert_eq!(symbolic, ad);
    let f = ExpressionFamily::new("a*x^(-2) + x^2", &["a"]).unwrap();
    assert_eq!(f.grad_x(&[1.0], -2.0), 0.25 - 4.0);

    let f = ExpressionFamily::new("x^2 + a*x^2.5", &["a"]).unwrap();
    assert!(f.energy(&[1.0], -1.0).is_nan());
    assert_eq!(f.grad_x(&[1.0], 0.0), 0.0);
    let e = friction_tensor(&f, &[1.0], 1.0, &FrictionOptions::default()).unwrap_err();
    assert!(
        matches!(&e, Error::Parse { parameter, .. } if parameter == "energy"),
        "{e}"
    );

    let f = ExpressionFamily::new("x^k", &["k"]).unwrap();
    assert_eq!(f.derivative_method(), DerivativeMethod::Symbolic);
    let (symbolic, ad) = both(&f, &[2.0], -2.0);
    assert!(
        symbolic[1].is_nan() && ad[1].is_nan(),
        "{symbolic:?} {ad:?}"
    );
    // At u = 0 the one-sided limit u^θ ln u → 0 (θ > 0): exmex's form is NaN there, so the
    // dual numbers supply the limit.
    let (symbolic, ad) = both(&f, &[2.0], 0.0);
    assert_eq!((symbolic[1], ad[1]), (0.0, 0.0));
    let (symbolic, _) = both(&f, &[2.0], -2.0);
    assert_eq!(symbolic[0], -4.0);
    let e = friction_tensor(&f, &[2.0], 1.0, &FrictionOptions::default()).unwrap_err();
    assert!(e.to_string().contains("finite ∂E/∂k"), "{e}");
    assert!(e.to_string().contains("E = x^k"), "{e}");
}
