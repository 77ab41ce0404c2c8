//! Persistent-chain learning with work and objective bookkeeping, in particle-steps per second:
//! the `learning` workload ([`Learning`]: $N = 10^6$ particles, $K = 10^3$ updates, the optimal
//! schedule with impulses, every update recorded), and its normal-generation bound
//! ([`Normals`], one variate per particle-step).
//!
//! Run: `cargo bench -p thermocheck-bench --bench learning` (several minutes: one run is
//! $10^9$ particle-steps).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::time::Duration;
use thermocheck_bench::Workload;
use thermocheck_bench::workloads::{Learning, Normals};

fn bench_learning(c: &mut Criterion) {
    let mut group = c.benchmark_group("learning");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(60));
    let mut learning = Learning::contract();
    group.throughput(Throughput::Elements(learning.work() as u64));
    group.bench_function("learning/N=1e6,K=1e3", |b| {
        b.iter(|| learning.run(()).expect("learning runs"))
    });
    let mut normals = Normals::contract();
    group.measurement_time(Duration::from_secs(10));
    group.throughput(Throughput::Elements(normals.work() as u64));
    group.bench_function("normals/N=1e6x100", |b| {
        b.iter(|| normals.run(()).expect("fills"))
    });
    group.finish();
}

criterion_group!(benches, bench_learning);
criterion_main!(benches);
