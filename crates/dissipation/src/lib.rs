//! # thermocheck-dissipation
//!
//! Persistent-chain EBM learning, bias = excess work, and minimal-dissipation learning-rate
//! schedules (spec: `theory/dissipation.md`, results D1–D28, checks DV1–DV12).
//!
//! | module | spec | what |
//! |---|---|---|
//! | [`gaussian`] | D11–D21 | Gaussian mean (moving trap): minimal excess work, optimal protocol and learning rate, ramp, bounds |
//! | [`multivariate`] | D22–D24 | constant-covariance multivariate Gaussian: the matrix schedule $H^*(t)$ |
//! | [`stiffness`] | D25–D27 | variance learning (Schmiedl–Seifert stiffness protocol) and its learning-rate realisation |
//!
//! Conventions: $k_BT = 1$; $D$ is the chain's diffusion constant; $\tau = \sigma^2/D$.
#![forbid(unsafe_code)]
#![deny(rustdoc::broken_intra_doc_links)]

pub mod gaussian;
pub mod multivariate;
mod quantities;
pub mod stiffness;

use thermocheck_numerics::{Claim, Quantity};

/// The claims (spec checks `DV…`) this crate registers with `thermocheck verify`.
pub fn claims() -> Vec<Claim> {
    Vec::new()
}

/// The `thermocheck eval` quantities this crate provides.
pub fn quantities() -> Vec<Quantity> {
    quantities::quantities()
}
