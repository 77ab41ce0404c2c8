//! Property tests of the M7 friction tensor (spec M9, M12; issue #4).
//!
//! - **M9**: random translation families $U(y) = a y^2/2 + b y^4/4 + c\ln\cosh y$ with
//!   $a, b, c \in [0, 3]$ (at least one $\ge 0.1$, so the well is confining on an $O(1)$ scale),
//!   centre $\theta \in [-50, 50]$ and $D \in [0.01, 100]$ give $\zeta = 1/D$ to $10^{-9}$
//!   relative (the bound), whatever the shape.
//! - **M12**: random two-parameter Gaussians, $\mu \in [-10^3, 10^3]$, $k \in [10^{-4}, 10^4]$
//!   (log-uniform), $D \in [10^{-3}, 10^3]$ (log-uniform), give
//!   $\zeta = \mathrm{diag}(1/D, 1/(4Dk^3))$ and $I_F = \mathrm{diag}(k, 1/(2k^2))$ to $10^{-9}$.
//! - The reported n-vs-2n estimate stays below $10^{-10}$ relative on all of them.

use proptest::prelude::*;
use thermocheck_metric::energy::{GaussianMeanStiffness, TranslationWell};
use thermocheck_metric::friction::{FrictionOptions, friction_tensor};
use thermocheck_metric::gaussian;

fn rel(a: f64, b: f64) -> f64 {
    (a / b - 1.0).abs()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn translation_families_have_friction_one_over_d(
        a in 0.0..3.0_f64,
        b in 0.0..3.0_f64,
        c in 0.0..3.0_f64,
        theta in -50.0..50.0_f64,
        log_d in -2.0..2.0_f64,
    ) {
        prop_assume!(a.max(b).max(c) >= 0.1);
        let d = 10f64.powf(log_d);
        let u = TranslationWell::new(a, b, c).unwrap();
        let r = friction_tensor(&u, &[theta], d, &FrictionOptions::default()).unwrap();
        prop_assert!(rel(r.friction[(0, 0)], 1.0 / d) < 1e-9,
            "ζ = {} vs 1/D = {} (a={a}, b={b}, c={c}, θ={theta})", r.friction[(0, 0)], 1.0 / d);
        prop_assert!(r.relative_error < 1e-10, "estimate {}", r.relative_error);
    }

    #[test]
    fn two_parameter_gaussians_match_m12(
        mu in -1e3..1e3_f64,
        log_k in -4.0..4.0_f64,
        log_d in -3.0..3.0_f64,
    ) {
        let (k, d) = (10f64.powf(log_k), 10f64.powf(log_d));
        let r = friction_tensor(&GaussianMeanStiffness, &[mu, k], d, &FrictionOptions::default())
            .unwrap();
        let zeta = gaussian::mean_stiffness_friction(k, d).unwrap();
        let fisher = gaussian::mean_stiffness_fisher(k).unwrap();
        for i in 0..2 {
            prop_assert!(rel(r.friction[(i, i)], zeta[(i, i)]) < 1e-9,
                "ζ[{i},{i}] = {} vs {} (μ={mu}, k={k}, D={d})", r.friction[(i, i)], zeta[(i, i)]);
            prop_assert!(rel(r.fisher[(i, i)], fisher[(i, i)]) < 1e-9,
                "I[{i},{i}] = {} vs {}", r.fisher[(i, i)], fisher[(i, i)]);
        }
        let off = r.friction[(0, 1)].abs() / (r.friction[(0, 0)] * r.friction[(1, 1)]).sqrt();
        prop_assert!(off < 1e-10, "off-diagonal {off}");
        prop_assert!(r.relative_error < 1e-10, "estimate {}", r.relative_error);
    }
}
