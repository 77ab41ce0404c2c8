//! Records the versions of the numerical crates from the workspace's Cargo.lock, so every
//! `verify` report states exactly which ode_solvers, quadrature, RNG, … produced its numbers.

use std::path::PathBuf;

const REPORTED: &[&str] = &[
    "ode_solvers",
    "quadrature",
    "rand",
    "rand_distr",
    "rand_xoshiro",
    "rayon",
    "statrs",
];
// nalgebra is left out: Cargo.lock also lists statrs's optional nalgebra, which is not built, so
// the lockfile alone cannot say which of the two versions is in use (ode_solvers pins 0.34).

fn main() {
    let lock = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap()).join("../../Cargo.lock");
    println!("cargo:rerun-if-changed={}", lock.display());
    let text = std::fs::read_to_string(&lock).unwrap_or_default();
    let mut found: Vec<String> = Vec::new();
    let mut name: Option<&str> = None;
    for line in text.lines() {
        if let Some(n) = line.strip_prefix("name = \"") {
            name = n.strip_suffix('"');
        } else if let (Some(v), Some(n)) = (line.strip_prefix("version = \""), name.take()) {
            if REPORTED.contains(&n) {
                found.push(format!("{n} {}", v.trim_end_matches('"')));
            }
        }
    }
    found.sort();
    let versions = if found.is_empty() {
        "unknown (built outside the workspace)".to_owned()
    } else {
        found.join(", ")
    };
    println!("cargo:rustc-env=THERMOCHECK_CRATE_VERSIONS={versions}");
}
