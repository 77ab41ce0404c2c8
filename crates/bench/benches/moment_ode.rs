//! The Gaussian optimal-protocol moment ODE to rtol 1e-10 (the `moment-ode` workload,
//! [`MomentOde`]): one solve, and the library default with the tol/10 error estimate.
//!
//! Run: `cargo bench -p thermocheck-bench --bench moment_ode`.

use criterion::{Criterion, criterion_group, criterion_main};
use thermocheck_bench::Workload;
use thermocheck_bench::workloads::MomentOde;

fn bench_moment_ode(c: &mut Criterion) {
    for estimate in [false, true] {
        let mut workload = MomentOde::new(estimate);
        let run = workload.solve().expect("solves");
        // The contract's accuracy at this tolerance: |W − 25/3|/(25/3) well below 1e-9.
        assert!(
            workload.accuracy(&run) < 1e-9,
            "{}",
            workload.accuracy(&run)
        );
        c.bench_function(&workload.name(), |b| {
            b.iter(|| workload.run(()).expect("solves"))
        });
    }
}

criterion_group!(benches, bench_moment_ode);
criterion_main!(benches);
