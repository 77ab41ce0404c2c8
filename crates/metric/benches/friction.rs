//! Benchmark of the M7 friction tensor at the 1e-10 accuracy (issue #4): the stiffness
//! family (one parameter, closed form M11), the quartic coupling $E = \theta x^4/4$, and a
//! two-parameter expression family parsed by exmex. Each case first asserts that the default
//! options reach 1e-10 relative (against M11, and by the n-vs-2n estimate).
//!
//! Run: `cargo bench -p thermocheck-metric --bench friction -- --quick`.

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use thermocheck_metric::energy::{QuarticCoupling, Stiffness};
use thermocheck_metric::expression::ExpressionFamily;
use thermocheck_metric::friction::{FrictionOptions, friction_tensor};

fn bench_friction(c: &mut Criterion) {
    let options = FrictionOptions::default();
    let r = friction_tensor(&Stiffness, &[2.0], 0.5, &options).expect("stiffness");
    assert!((r.friction[(0, 0)] / 0.0625 - 1.0).abs() < 1e-10 && r.relative_error < 1e-10);
    c.bench_function("m7_stiffness_k2", |b| {
        b.iter(|| friction_tensor(&Stiffness, black_box(&[2.0]), 0.5, &options))
    });

    let r = friction_tensor(&QuarticCoupling, &[1.0], 1.0, &options).expect("quartic");
    assert!(r.relative_error < 1e-10);
    c.bench_function("m7_quartic_coupling", |b| {
        b.iter(|| friction_tensor(&QuarticCoupling, black_box(&[1.0]), 1.0, &options))
    });

    let family = ExpressionFamily::new("k*x^2/2 + b*x^4/4", &["k", "b"]).expect("parses");
    let r = friction_tensor(&family, &[1.0, 1.0], 1.0, &options).expect("expression");
    assert!(r.relative_error < 1e-10);
    c.bench_function("m7_expression_two_parameters", |b| {
        b.iter(|| friction_tensor(&family, black_box(&[1.0, 1.0]), 1.0, &options))
    });
}

criterion_group!(benches, bench_friction);
criterion_main!(benches);
