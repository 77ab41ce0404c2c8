//! thermocheck's performance workloads (issue #7): each hot path as one function that runs the
//! workload once and reports its figure and achieved accuracy, shared by the criterion benchmarks
//! (`cargo bench -p thermocheck-bench`) and the `performance` report, which runs the NumPy/SciPy
//! peers in `benches/peers/` on the same workloads and writes `docs/performance.md`.
#![forbid(unsafe_code)]
