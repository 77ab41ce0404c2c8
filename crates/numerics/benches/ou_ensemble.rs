//! OU ensemble throughput (stub: filled by the sde work item).
fn main() {}
