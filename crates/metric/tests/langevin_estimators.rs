//! The M13 estimators on exactly sampled Ornstein–Uhlenbeck chains, where everything is known:
//! for the Gaussian mean with σ² = D = 1, $X = \theta - x$ is an OU process with
//! $C(s) = e^{-s}$, $\zeta = 1$, $\tau = 1$, $\langle\phi^2\rangle = \int_0^\infty sC\,ds = 1$ (M6, M10).
//! Tolerances: $k\hat\sigma/\sqrt R$ over independent replicas, $k$ = `DEFAULT_K`.

use rayon::ThreadPoolBuilder;
use thermocheck_metric::energy::{GaussianMean, GaussianMeanStiffness, Quartic, Stiffness};
use thermocheck_metric::langevin::{
    Integrator, LangevinEstimate, LangevinOptions, autocorrelation_expectation,
    batch_means_expectation, estimate_friction,
};
use thermocheck_numerics::tolerance::{DEFAULT_K, Tolerance};

fn ou_options(seed: u64, chains: usize) -> LangevinOptions {
    LangevinOptions {
        chains_per_replica: chains,
        replicas: 16,
        seed,
        exact_mean: Some(vec![0.0]),
        ..LangevinOptions::new(1.0, 0.25, 200.0, 6.0, 10.0)
    }
}

fn run(seed: u64, chains: usize) -> LangevinEstimate {
    estimate_friction(
        &GaussianMean::new(1.0).unwrap(),
        &[0.0],
        &ou_options(seed, chains),
    )
    .unwrap()
}

/// At two sizes: Ĉ(s) at every lag, both estimators and Var X against the exact values.
#[test]
fn estimators_recover_the_known_ou_correlation() {
    let c = |s: f64| (-s).exp();
    for chains in [32, 128] {
        let e = run(17, chains);
        assert!(e.exact_transitions);
        assert_eq!((e.chain_steps, e.lag_steps, e.block_steps), (800, 24, 40));
        assert_eq!(e.blocks_per_replica, chains * 20);
        // Ĉ(lh), replica mean at each lag. Error scale: the replica spread of Ĉ(0). For a
        // Gaussian process Bartlett gives N·Var Ĉ(l) = Σ_r [C(r)² + C(r+l)C(r−l)] ≤ 2Σ_r C(r)²
        // = N·Var Ĉ(0) (Cauchy–Schwarz), so that spread bounds every lag's.
        for (l, cl) in e.correlation.iter().enumerate() {
            Tolerance::sampling(DEFAULT_K, e.fisher.spread[(0, 0)], 16).assert_accepts(
                &format!("C({l}h), {chains} chains"),
                c(l as f64 * 0.25),
                cl[(0, 0)],
            );
        }
        let ac = autocorrelation_expectation(c, 0.25, 6.0).unwrap();
        e.autocorrelation.tolerance(DEFAULT_K, 0, 0).assert_accepts(
            "autocorrelation ζ̂",
            ac,
            e.autocorrelation.mean[(0, 0)],
        );
        let bm = batch_means_expectation(c, 0.25, 10.0).unwrap();
        // ⟨φ²⟩ = 1, t_b = 10: stated bias −0.1, exact 1 − (1 − e^{−10})/10 + O(h²).
        assert!((bm - 0.9).abs() < 0.01, "{bm}");
        e.batch_means.tolerance(DEFAULT_K, 0, 0).assert_accepts(
            "batch-means ζ̂",
            bm,
            e.batch_means.mean[(0, 0)],
        );
        e.fisher
            .tolerance(DEFAULT_K, 0, 0)
            .assert_accepts("Var X", 1.0, e.fisher.mean[(0, 0)]);
    }
}

/// The sample-mean variant agrees with the exact-mean one within the error bars (its bias,
/// about −2ζ·s_max/L_rep ≈ −2·6/(128·200) relative, is far below them).
#[test]
fn sample_mean_variant_agrees() {
    let mut o = ou_options(5, 128);
    o.exact_mean = None;
    let e = estimate_friction(&GaussianMean::new(1.0).unwrap(), &[0.0], &o).unwrap();
    let c = |s: f64| (-s).exp();
    for (what, est, expected) in [
        (
            "autocorrelation",
            &e.autocorrelation,
            autocorrelation_expectation(c, 0.25, 6.0).unwrap(),
        ),
        (
            "batch means",
            &e.batch_means,
            batch_means_expectation(c, 0.25, 10.0).unwrap(),
        ),
        ("Var X", &e.fisher, 1.0),
    ] {
        est.tolerance(DEFAULT_K, 0, 0)
            .assert_accepts(what, expected, est.mean[(0, 0)]);
    }
}

/// Bit-identical results for 1 and 2 rayon threads, for exact-OU and Euler–Maruyama chains and
/// more than one ensemble chunk (CHUNK_LEN = 8192 chains).
#[test]
fn results_do_not_depend_on_the_thread_count() {
    let in_pool = |threads: usize, o: &LangevinOptions, em: bool| {
        ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| {
                if em {
                    estimate_friction(&Quartic, &[1.0, 0.5], o).unwrap()
                } else {
                    estimate_friction(&GaussianMeanStiffness, &[0.5, 2.0], o).unwrap()
                }
            })
    };
    let exact = LangevinOptions {
        chains_per_replica: 3000,
        replicas: 4,
        seed: 99,
        ..LangevinOptions::new(1.0, 0.1, 3.0, 0.5, 1.0)
    };
    let em = LangevinOptions {
        chains_per_replica: 8,
        replicas: 5,
        seed: 98,
        burn_in: 0.5,
        ..LangevinOptions::new(1.0, 0.01, 2.0, 0.2, 0.5)
    };
    for (o, is_em) in [(&exact, false), (&em, true)] {
        let one = in_pool(1, o, is_em);
        let two = in_pool(2, o, is_em);
        assert_eq!(one, two, "thread count changed the result (EM: {is_em})");
        assert_eq!(one.exact_transitions, !is_em);
    }
}

/// Options that cannot give an estimate are typed errors naming the option, never panics.
#[test]
fn invalid_inputs_are_typed_errors() {
    let g = GaussianMean::new(1.0).unwrap();
    let base = ou_options(1, 2);
    let check = |o: LangevinOptions, name: &str| {
        let e = estimate_friction(&g, &[0.0], &o).unwrap_err();
        assert!(e.is_input_error(), "{e}");
        assert!(e.to_string().contains(name), "{name}: {e}");
    };
    check(
        LangevinOptions {
            step: 0.0,
            ..base.clone()
        },
        "step",
    );
    check(
        LangevinOptions {
            chain_time: f64::INFINITY,
            ..base.clone()
        },
        "chain-time",
    );
    check(
        LangevinOptions {
            max_lag: 200.0,
            ..base.clone()
        },
        "max-lag",
    );
    check(
        LangevinOptions {
            max_lag: 0.1,
            ..base.clone()
        },
        "whole number of steps",
    );
    check(
        LangevinOptions {
            block_time: 0.0,
            ..base.clone()
        },
        "block-time",
    );
    check(
        LangevinOptions {
            replicas: 1,
            ..base.clone()
        },
        "replicas",
    );
    check(
        LangevinOptions {
            exact_mean: Some(vec![f64::NAN]),
            ..base.clone()
        },
        "exact-mean",
    );
    check(
        LangevinOptions {
            integrator: Integrator::EulerMaruyama,
            ..base.clone()
        },
        "burn-in",
    );
    // θ outside the family's domain.
    let e = estimate_friction(&Stiffness, &[0.0], &base).unwrap_err();
    assert_eq!(e.parameter(), Some("stiffness"));
    // An unstable Euler–Maruyama step (D·k·h = 2.5 > 2) diverges: NotConverged, not a panic or NaN.
    let unstable = LangevinOptions {
        integrator: Integrator::EulerMaruyama,
        step: 2.5,
        chain_time: 2500.0,
        burn_in: 10.0,
        max_lag: 5.0,
        block_time: 25.0,
        exact_mean: Some(vec![0.5]),
        ..base.clone()
    };
    let e = estimate_friction(&Stiffness, &[1.0], &unstable).unwrap_err();
    assert!(!e.is_input_error(), "{e}");
}
