//! # thermocheck-metric
//!
//! Friction tensor, thermodynamic length, geodesic and natural-gradient learning-rate
//! schedules (spec: `theory/metric.md`, results M1–M20, checks MV1–MV10).
//!
//! This crate is a placeholder until its issue lands: it registers no claims and no `eval`
//! quantities yet.
#![forbid(unsafe_code)]

use thermocheck_numerics::{Claim, Quantity};

/// The claims (spec checks `MV…`) this crate registers with `thermocheck verify`.
pub fn claims() -> Vec<Claim> {
    Vec::new()
}

/// The `thermocheck eval` quantities this crate provides.
pub fn quantities() -> Vec<Quantity> {
    Vec::new()
}
