//! # thermocheck-temperature
//!
//! Energy, entropy and temperature of machine-learning systems; networks as heat
//! engines (spec: `theory/temperature.md`, results T1–T31, checks TV1–TV15).
//!
//! This crate is a placeholder until its issue lands: it registers no claims and no `eval`
//! quantities yet.
#![forbid(unsafe_code)]

use thermocheck_numerics::{Claim, Quantity};

/// The claims (spec checks `TV…`) this crate registers with `thermocheck verify`.
pub fn claims() -> Vec<Claim> {
    Vec::new()
}

/// The `thermocheck eval` quantities this crate provides.
pub fn quantities() -> Vec<Quantity> {
    Vec::new()
}
