//! # thermocheck-dissipation
//!
//! Persistent-chain EBM learning, bias = excess work, and minimal-dissipation learning-rate
//! schedules (spec: `theory/dissipation.md`, results D1–D28, checks DV1–DV12).
//!
//! This crate is a placeholder until its issue lands: it registers no claims and no `eval`
//! quantities yet.
#![forbid(unsafe_code)]

use thermocheck_numerics::{Claim, Quantity};

/// The claims (spec checks `DV…`) this crate registers with `thermocheck verify`.
pub fn claims() -> Vec<Claim> {
    Vec::new()
}

/// The `thermocheck eval` quantities this crate provides.
pub fn quantities() -> Vec<Quantity> {
    Vec::new()
}
