//! Benchmark of the M7 friction tensor (being written).
fn main() {}
