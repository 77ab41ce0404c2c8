//! Accuracy of the per-sample energy and temperature (`sample-energy`, `sample-temperature`)
//! against independent high-precision values, and property tests of the identities.
//!
//! Reference values: mpmath at 30 digits (`mp.dps = 30`), inputs converted exactly from their
//! binary `f64` values, by methods that share no formula with the library:
//!
//! - MAE normal: `s*(2*npdf(u) + u*(2*ncdf(u) - 1))` with `u = y/s` (the spec's $g$, in
//!   30-digit arithmetic, where its cancellation is harmless), $t = 2s\,$`npdf(u)`$/n$;
//! - MAE uniform: the vertex sums $K\sum_\varepsilon(\prod\varepsilon)|d|d^n/(n+1)!$ and
//!   $2K\sum(\prod\varepsilon)[d_+^{n+1}/(n+1)! + |y|d_+^n/n!]/n$ in 30-digit arithmetic
//!   (the library uses stable piecewise forms for $n \le 2$ and the density quadrature for
//!   unequal $n = 3$);
//! - CE normal: `mp.quad` of the $v = s|u|$ forms of $F$ and $G$ with break points
//!   `[0, s/4, s, 1, 10, 50, 200, inf]`;
//! - CE uniform: `mp.quad` over the cube $[-1,1]^n$ (split at 0) of
//!   $\operatorname{softplus}(\sum c_iu_i)$ and $S\tanh(S/2)$, divided by $2^n$ (and $2n$).
//!
//! The script is `ext.py` of the issue #5 report; each row's command is the function named in
//! its first two columns.
// The mpmath digits are kept as printed (20 significant), beyond f64, on purpose.
#![allow(clippy::excessive_precision)]

use proptest::prelude::*;
use thermocheck_temperature::init::{Init, InitKind};
use thermocheck_temperature::linear::{self, sample_thermo};
use thermocheck_temperature::loss::Loss;

/// (loss, init, scale, features, target, e, t) — mpmath, 20 significant digits.
#[allow(clippy::type_complexity)]
const MPMATH: &[(&str, &str, f64, &[f64], f64, f64, f64)] = &[
    (
        "mae",
        "normal",
        1e-8,
        &[3.0, 4.0],
        2e-8,
        4.304_388_369_474_529_834_4e-8,
        1.841_350_701_516_616_577_2e-8,
    ),
    (
        "mae",
        "normal",
        1e6,
        &[1.0, 2.0, 2.0],
        0.7,
        2_393_653.682_408_661_228_2,
        797_884.560_802_843_635_69,
    ),
    (
        "mae",
        "normal",
        0.1,
        &[1.0],
        3.5,
        3.5,
        7.880_792_554_272_585_001_9e-268,
    ),
    (
        "mae",
        "normal",
        1.0,
        &[0.5, -0.25],
        -0.3,
        0.508_761_292_199_935_666_98,
        0.193_106_401_649_205_314_89,
    ),
    (
        "mae",
        "uniform",
        2.0,
        &[0.3],
        0.1,
        0.308_333_333_333_333_323_46,
        0.291_666_666_666_666_654_33,
    ),
    (
        "mae",
        "uniform",
        1e-6,
        &[1.0, 1e-7],
        3e-7,
        5.450_000_000_000_016_42e-7,
        2.275_000_000_000_008_230_4e-7,
    ),
    (
        "mae",
        "uniform",
        1e5,
        &[0.7, -1.3],
        5e4,
        80_897.435_897_435_898_316,
        30_833.333_333_333_334_102,
    ),
    (
        "mae",
        "uniform",
        1.0,
        &[1.0, 0.5, 0.25],
        0.9,
        0.942_250_000_000_000_017_98,
        0.071_208_333_333_333_329_337,
    ),
    (
        "mae",
        "uniform",
        1.0,
        &[1.0, 1e-6, 0.3],
        0.2,
        0.535_000_000_000_166_667_78,
        0.165_000_000_000_055_554_45,
    ),
    (
        "mae",
        "uniform",
        0.5,
        &[1.0, -2.0, 0.5, 1.5, 0.7],
        0.4,
        0.736_680_958_333_333_339_07,
        0.118_821_519_444_444_442_44,
    ),
    (
        "ce",
        "normal",
        1e-6,
        &[1.0],
        1.0,
        0.693_147_180_560_070_309_42,
        2.499_999_999_999_374_773_7e-13,
    ),
    (
        "ce",
        "normal",
        1e5,
        &[3.0, 4.0],
        -1.0,
        199_471.140_202_028_806_47,
        99_735.570_099_701_935_737,
    ),
    (
        "ce",
        "uniform",
        1e-4,
        &[1.0],
        1.0,
        0.693_147_180_976_611_975_98,
        8.333_333_329_166_667_468_3e-10,
    ),
    (
        "ce",
        "uniform",
        1e4,
        &[1.0],
        1.0,
        2_500.000_082_246_703_342_4,
        2_499.999_917_753_296_657_6,
    ),
    (
        "ce",
        "uniform",
        3.0,
        &[1.0, 0.5],
        1.0,
        1.063_745_700_830_695_245_3,
        0.306_961_062_507_731_586_48,
    ),
];

fn thermo(loss: &str, init: &str, scale: f64, x: &[f64], y: f64) -> linear::Thermo {
    let loss: Loss = loss.parse().unwrap();
    let kind: InitKind = init.parse().unwrap();
    sample_thermo(loss, Init::new(kind, scale).unwrap(), x, y).unwrap()
}

#[test]
fn sample_quantities_match_mpmath_at_extreme_points() {
    // The issue asks for 1e-8 relative; the library promises 1e-12 (the quadratures 1e-13).
    for &(loss, init, scale, x, y, e, t) in MPMATH {
        let th = thermo(loss, init, scale, x, y);
        let re = (th.energy - e).abs() / e;
        let rt = (th.temperature - t).abs() / t;
        // MAE uniform with ≥ 4 non-zero features: the vertex sum's run-time bound, 1e-10.
        let bound = if init == "uniform" && loss == "mae" && x.len() >= 4 {
            1e-10
        } else {
            1e-12
        };
        assert!(
            re < bound && rt < bound,
            "{loss}/{init} scale={scale} x={x:?} y={y}: e {} (rel {re:e}), t {} (rel {rt:e})",
            th.energy,
            th.temperature
        );
    }
}

#[test]
fn tails_underflow_to_zero_not_nan() {
    // u = 40: t ∝ φ(40) ≈ 1.5e-348 is below the smallest subnormal: exactly 0, e = |y|.
    let th = thermo("mae", "normal", 0.05, &[1.0], 2.0);
    assert_eq!((th.energy, th.temperature), (2.0, 0.0));
    // Uniform: |y| beyond the support gives e = |y|, t = 0 exactly.
    let th = thermo("mae", "uniform", 1.0, &[0.3, 0.2], -0.6);
    assert_eq!((th.energy, th.temperature), (0.6, 0.0));
    // All features zero: ŷ ≡ 0.
    let th = thermo("ce", "uniform", 1.0, &[0.0, 0.0], 1.0);
    assert_eq!((th.energy, th.temperature), (std::f64::consts::LN_2, 0.0));
    let th = thermo("mae", "normal", 1.0, &[0.0], -3.0);
    assert_eq!((th.energy, th.temperature), (3.0, 0.0));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Label independence of cross entropy under symmetric init (T18): e and t at y = +1 and
    /// y = −1 are identical, for both shapes; scales 1e-3..1e3, 1–3 features in [−3, 3].
    #[test]
    fn cross_entropy_is_label_independent(
        scale in 1e-3f64..1e3,
        x in prop::collection::vec(-3.0f64..3.0, 1..=3),
        uniform in any::<bool>(),
    ) {
        let init = if uniform { Init::uniform(scale).unwrap() } else { Init::normal(scale).unwrap() };
        let a = sample_thermo(Loss::CrossEntropy, init, &x, 1.0).unwrap();
        let b = sample_thermo(Loss::CrossEntropy, init, &x, -1.0).unwrap();
        prop_assert_eq!(a, b);
    }

    /// Equipartition for MSE (T12): e − y² = n t/2 for every zero-mean init, any n in 1..=40,
    /// scales 1e-3..1e3, features and targets in [−10, 10].
    #[test]
    fn mse_equipartition(
        scale in 1e-3f64..1e3,
        x in prop::collection::vec(-10.0f64..10.0, 1..=40),
        y in -10.0f64..10.0,
        uniform in any::<bool>(),
    ) {
        let init = if uniform { Init::uniform(scale).unwrap() } else { Init::normal(scale).unwrap() };
        let th = sample_thermo(Loss::Mse, init, &x, y).unwrap();
        let n = x.len() as f64;
        let lhs = th.energy - y * y;
        prop_assert!((lhs - n * th.temperature / 2.0).abs() <= 1e-14 * th.energy.max(1.0) * 4.0);
    }

    /// Virial (T8) = Stein (T9) = closed form for the normal init: computed independently by
    /// quadrature — E[ŷ ∂ℓ]/n and s² E[∂²ℓ]/n (MAE's δ-part of ∂²ℓ is 2φ(y/s)/s, its density) —
    /// for MSE and CE; s in 0.05..20, y in [−3, 3] (CE: ±1).
    #[test]
    fn virial_equals_stein(s in 0.05f64..20.0, y in -3.0f64..3.0, ce in any::<bool>()) {
        use thermocheck_numerics::quad::{gaussian_expectation, QuadOptions};
        let (loss, y) = if ce { (Loss::CrossEntropy, y.signum()) } else { (Loss::Mse, y) };
        let opts = QuadOptions::new(1e-12, 1e-300).unwrap();
        let virial = gaussian_expectation(|z| z * loss.derivative(y, z), s * s, &[], &opts).unwrap().value;
        let stein = s * s * gaussian_expectation(|z| loss.second_derivative(y, z), s * s, &[], &opts).unwrap().value;
        prop_assert!((virial - stein).abs() <= 1e-10 * stein.abs());
        let th = sample_thermo(loss, Init::normal(s).unwrap(), &[1.0], y).unwrap();
        prop_assert!((th.temperature - stein).abs() <= 1e-10 * stein.abs());
    }
}
