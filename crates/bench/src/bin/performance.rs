//! Runs thermocheck's workloads and their NumPy/SciPy peers back to back and writes
//! `docs/performance.md`.
#![forbid(unsafe_code)]

fn main() {}
