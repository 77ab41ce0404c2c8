//! Throughput of the Langevin ensemble steps, in particle-steps per second.
//!
//! - `ou_exact_step`: one [`Ensemble::step_ou_exact`] of $N = 10^6$ particles
//!   ([`OuProcess`] k = 1, m = 0, D = 1; dt = 0.01), on rayon's global pool and on a one-thread
//!   pool;
//! - `euler_maruyama_step`: one [`Ensemble::step_euler_maruyama`] with a closure gradient
//!   (double well, $\partial_x E = x^3 - x$, D = 1, dt = 10⁻³);
//! - `standard_normals`: the bound — $N$ standard normals written to a buffer with the same
//!   generator ([`Xoshiro256PlusPlus`], one stream per chunk of [`CHUNK_LEN`]), the same
//!   distribution (`rand_distr::StandardNormal`), the same chunking and the same threads, so the
//!   ratio step / normals is the fraction of the variate-generation bound the step reaches.
//!
//! Run: `cargo bench -p thermocheck-numerics --bench ou_ensemble` (about a minute). Set
//! `RAYON_NUM_THREADS` to change the global pool's size.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rand_distr::{Distribution, StandardNormal};
use rayon::prelude::*;
use std::hint::black_box;
use std::time::Duration;
use thermocheck_numerics::sde::{CHUNK_LEN, Ensemble, OuProcess, Xoshiro256PlusPlus, streams};

const N: usize = 1_000_000;
const SEED: u64 = 20_251_003;

fn fill_normals(buffer: &mut [f64], streams: &mut [Xoshiro256PlusPlus]) {
    buffer
        .par_chunks_mut(CHUNK_LEN)
        .zip(streams.par_iter_mut())
        .for_each(|(chunk, rng)| {
            for z in chunk.iter_mut() {
                *z = StandardNormal.sample(rng);
            }
        });
}

fn bench_ensemble(c: &mut Criterion) {
    let mut group = c.benchmark_group("langevin");
    group
        .throughput(Throughput::Elements(N as u64))
        .sample_size(30)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));

    let trap = OuProcess::new(1.0, 0.0, 1.0).expect("valid process");
    let mut ensemble = Ensemble::gaussian(N, 0.0, 1.0, SEED).expect("valid ensemble");
    group.bench_function("ou_exact_step/N=1e6", |b| {
        b.iter(|| {
            ensemble
                .step_ou_exact(black_box(&trap), 0.01)
                .expect("valid step")
        })
    });

    let mut buffer = vec![0.0; N];
    let mut rngs = streams(SEED, N.div_ceil(CHUNK_LEN));
    group.bench_function("standard_normals/N=1e6", |b| {
        b.iter(|| {
            fill_normals(&mut buffer, &mut rngs);
            black_box(buffer[N - 1])
        })
    });

    let mut ensemble = Ensemble::gaussian(N, 0.0, 1.0, SEED).expect("valid ensemble");
    let double_well = |_t: f64, x: f64| x * x * x - x;
    group.bench_function("euler_maruyama_step/N=1e6", |b| {
        b.iter(|| {
            ensemble
                .step_euler_maruyama(&double_well, black_box(1.0), 1e-3)
                .expect("valid step")
        })
    });

    let one_thread = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("one-thread pool");
    let mut ensemble = Ensemble::gaussian(N, 0.0, 1.0, SEED).expect("valid ensemble");
    group.bench_function("ou_exact_step_1_thread/N=1e6", |b| {
        b.iter(|| {
            one_thread.install(|| {
                ensemble
                    .step_ou_exact(black_box(&trap), 0.01)
                    .expect("valid step")
            })
        })
    });
    group.bench_function("standard_normals_1_thread/N=1e6", |b| {
        b.iter(|| {
            one_thread.install(|| fill_normals(&mut buffer, &mut rngs));
            black_box(buffer[N - 1])
        })
    });
    group.finish();
}

criterion_group!(benches, bench_ensemble);
criterion_main!(benches);
