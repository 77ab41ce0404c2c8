//! # thermocheck-metric
//!
//! Friction tensor, thermodynamic length, geodesic and natural-gradient learning-rate
//! schedules (spec: `theory/metric.md`, results M1–M20, checks MV1–MV10).
//!
//! | module | spec | what |
//! |---|---|---|
//! | [`energy`] | M1 | energy families $E_\theta(x)$ with $X = \partial_\theta E$ (shared with `thermocheck-dissipation`) |
//! | [`equilibrium`] | M1 | exact samples of $p_\theta$ (Gaussian or rejection from an envelope) |
//! | [`expression`] | M1 | energy families written as text expressions, differentiated symbolically |
//! | [`friction`] | M2, M5, M7 | the friction tensor of a 1-D family by the exact formula, and the Fisher information |
//! | [`quantile`] | M8 | the quantile (Wasserstein) form of the friction tensor |
//! | [`gaussian`] | M9–M12 | closed forms: translation families, Gaussian mean, stiffness, two-parameter Gaussian |
//! | [`langevin`] | M13 | Langevin estimators of the friction: autocorrelation integral and batch means |
//! | [`protocol`] | M3 | parameter protocols $\theta(t)$ with velocities |
//! | [`length`] | M3, M4 | linear-response excess work, thermodynamic length, constant-speed reparametrisation |
//! | [`geodesic`] | M14, M15 | geodesic distances and constant-speed geodesic schedules |
//! | [`natural_gradient`] | M18–M20 | natural-gradient learning-rate matrices and the flows they induce |
//!
//! Conventions: $k_BT = 1$; $X = +\partial_\theta E$; $D$ is the chain's diffusion constant.
#![forbid(unsafe_code)]
#![deny(rustdoc::broken_intra_doc_links)]

mod claims;
pub mod energy;
pub mod equilibrium;
pub mod expression;
pub mod friction;
pub mod gaussian;
pub mod geodesic;
pub mod langevin;
pub mod length;
pub mod natural_gradient;
pub mod protocol;
pub mod quantile;
mod quantities;

use thermocheck_numerics::{Claim, Quantity};

/// The claims (spec checks `MV…`) this crate registers with `thermocheck verify`.
///
/// MV8–MV10 compare linear response with the exact dynamics and optima of
/// `thermocheck-dissipation`, which depends on this crate; they are registered there.
pub fn claims() -> Vec<Claim> {
    claims::claims()
}

/// The `thermocheck eval` quantities this crate provides.
pub fn quantities() -> Vec<Quantity> {
    quantities::quantities()
}
