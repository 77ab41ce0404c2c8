//! `thermocheck verify --quick` end to end, wall seconds (the `verify-quick` workload,
//! [`VerifyQuick`]): the built binary in a fresh process per iteration.
//!
//! Run: `cargo build --release -p thermocheck && cargo bench -p thermocheck-bench --bench
//! verify_quick` (the bench finds `target/release/thermocheck`, or `THERMOCHECK_BIN`).

use criterion::{Criterion, criterion_group, criterion_main};
use std::time::Duration;
use thermocheck_bench::Workload;
use thermocheck_bench::workloads::VerifyQuick;

fn bench_verify_quick(c: &mut Criterion) {
    let mut workload = VerifyQuick::locate().expect("build the thermocheck binary first");
    let mut group = c.benchmark_group("verify");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(60));
    group.bench_function("verify-quick", |b| {
        b.iter(|| {
            let outcome = workload.run(()).expect("verify runs");
            assert_eq!(outcome.failed, 0, "a check failed");
        })
    });
    group.finish();
}

criterion_group!(benches, bench_verify_quick);
criterion_main!(benches);
