//! Throughput of the Langevin ensemble steps and of their bound, in particle-steps (variates)
//! per second: the `ou-step` and `normals` workloads of [`thermocheck_bench::workloads`], plus
//! the Euler–Maruyama step and one-thread variants.
//!
//! - `ou-step`: [`OuStep`] — 100 exact-OU steps of $N = 10^6$ particles;
//! - `normals`: [`Normals`] — the bound, 100 fills of $N$ standard normals with the same
//!   generator, chunking and threads;
//! - `euler_maruyama_step`: one Euler–Maruyama step of $N$ particles in a double well
//!   ($\partial_x E = x^3 - x$, $D = 1$, $\Delta t = 10^{-3}$);
//! - `*_1_thread`: the same on a one-thread pool.
//!
//! Run: `cargo bench -p thermocheck-bench --bench langevin` (a few minutes). Set
//! `RAYON_NUM_THREADS` to change the global pool's size.

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use std::time::Duration;
use thermocheck_bench::Workload;
use thermocheck_bench::workloads::{Normals, OuStep, SEED};
use thermocheck_numerics::sde::Ensemble;

fn bench_langevin(c: &mut Criterion) {
    let mut group = c.benchmark_group("langevin");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(10));

    // One copy prepares each run's stationary ensemble (untimed), the other runs the steps.
    let (mut setup, ou) = (OuStep::contract(), OuStep::contract());
    group.throughput(Throughput::Elements(ou.work() as u64));
    group.bench_function("ou-step/N=1e6x100", |b| {
        b.iter_batched(
            || setup.prepare().expect("valid ensemble"),
            |e| ou.clone().run(e).expect("valid steps"),
            BatchSize::PerIteration,
        )
    });

    let mut normals = Normals::contract();
    group.throughput(Throughput::Elements(normals.work() as u64));
    group.bench_function("normals/N=1e6x100", |b| {
        b.iter(|| normals.run(()).expect("fills"))
    });

    let one_thread = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("one-thread pool");
    group.throughput(Throughput::Elements(ou.work() as u64));
    group.bench_function("ou-step_1_thread/N=1e6x100", |b| {
        b.iter_batched(
            || setup.prepare().expect("valid ensemble"),
            |e| one_thread.install(|| ou.clone().run(e).expect("valid steps")),
            BatchSize::PerIteration,
        )
    });
    group.throughput(Throughput::Elements(normals.work() as u64));
    group.bench_function("normals_1_thread/N=1e6x100", |b| {
        b.iter(|| one_thread.install(|| normals.run(()).expect("fills")))
    });

    let n = ou.particles;
    group.throughput(Throughput::Elements(n as u64));
    let mut ensemble = Ensemble::gaussian(n, 0.0, 1.0, SEED).expect("valid ensemble");
    let double_well = |_t: f64, x: f64| x * x * x - x;
    group.bench_function("euler_maruyama_step/N=1e6", |b| {
        b.iter(|| {
            ensemble
                .step_euler_maruyama(&double_well, black_box(1.0), 1e-3)
                .expect("valid step")
        })
    });
    group.finish();
}

criterion_group!(benches, bench_langevin);
criterion_main!(benches);
