//! The M7 friction tensor at 1e-10 relative (the `friction` workloads, [`Friction`]): the
//! stiffness family (closed form M11), the quartic coupling $E = \theta x^4/4$, and a
//! two-parameter expression family parsed by exmex. Each case first asserts that the default
//! options reach 1e-10 relative (against the reference, and by the n-vs-2n estimate).
//!
//! Run: `cargo bench -p thermocheck-bench --bench friction -- --quick`.

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use thermocheck_bench::Workload;
use thermocheck_bench::workloads::{Friction, FrictionFamily};
use thermocheck_metric::expression::ExpressionFamily;
use thermocheck_metric::friction::{FrictionOptions, friction_tensor};

fn bench_friction(c: &mut Criterion) {
    for family in [FrictionFamily::Stiffness, FrictionFamily::Quartic] {
        let workload = Friction::new(family);
        let report = workload.evaluate().expect("friction");
        assert!(workload.accuracy(&report) < 1e-10 && report.relative_error < 1e-10);
        c.bench_function(&workload.name(), |b| {
            b.iter(|| workload.evaluate().expect("friction"))
        });
    }

    let options = FrictionOptions::default();
    let family = ExpressionFamily::new("k*x^2/2 + b*x^4/4", &["k", "b"]).expect("parses");
    let r = friction_tensor(&family, &[1.0, 1.0], 1.0, &options).expect("expression");
    assert!(r.relative_error < 1e-10);
    c.bench_function("friction-expression-two-parameters", |b| {
        b.iter(|| friction_tensor(&family, black_box(&[1.0, 1.0]), 1.0, &options))
    });
}

criterion_group!(benches, bench_friction);
criterion_main!(benches);
