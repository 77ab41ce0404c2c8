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
//! | [`energy`] | D1, D11, D25 | energy families $E_\theta(x)$ (re-exported from `thermocheck-metric`) |
//! | [`data`] | D2 | the data distribution |
//! | [`schedule`] | D4 | learning-rate schedules: scalar or matrix, continuous part plus impulses |
//! | [`learning`] | D2–D9 | the learning problem and its ledger (work, ΔF, $\mathcal L$, $\tilde{\mathcal L}$) |
//! | [`moments`] | D11, D25 | engine: exact moment ODEs for Gaussian families |
//! | [`particles`] | D7, D21 | engine: persistent-chain SGD with a Langevin particle ensemble |
//! | [`density`] | D8, D9 | engine: learning on the Fokker–Planck density, any 1-D energy |
//!
//! Conventions: $k_BT = 1$; $D$ is the chain's diffusion constant; $\tau = \sigma^2/D$.
#![forbid(unsafe_code)]
#![deny(rustdoc::broken_intra_doc_links)]

mod claims;
/// Energy families, shared with the metric crate (they live there so that the friction tensor
/// can take them without a dependency cycle).
pub use thermocheck_metric::energy;
pub mod data;
pub mod density;
pub mod gaussian;
pub mod learning;
pub mod moments;
pub mod multivariate;
pub mod particles;
mod quantities;
pub mod schedule;
pub mod stiffness;

use thermocheck_numerics::{Claim, Quantity};

/// The claims (spec checks `DV…`) this crate registers with `thermocheck verify`.
pub fn claims() -> Vec<Claim> {
    claims::claims()
}

/// The metric claims MV8–MV10 (spec `metric.md` §7): linear response against the exact moment
/// dynamics (M16, M17), the exact optima against the geodesic bound (M4 caveat) and the
/// natural-gradient design against the optimal schedule (M19, M20). They live here because they
/// need this crate's exact dynamics and closed forms, and this crate depends on
/// `thermocheck-metric`, not the reverse.
pub fn metric_claims() -> Vec<Claim> {
    claims::linear_response::claims()
}

/// The `thermocheck eval` quantities this crate provides.
pub fn quantities() -> Vec<Quantity> {
    quantities::quantities()
}
