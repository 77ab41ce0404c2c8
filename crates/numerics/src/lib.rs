//! # thermocheck-numerics
//!
//! The one home of thermocheck's generic numerics. It knows no physics: the domain crates
//! (`thermocheck-dissipation`, `-metric`, `-temperature`) build on it.
//!
//! | module | what it does |
//! |---|---|
//! | [`ode`] | non-autonomous ODEs over `ode_solvers` (Dopri5, guarded), piecewise protocols with jumps |
//! | [`quad`] | double-exponential quadrature on finite, semi-infinite and infinite ranges, kinks, Gaussian expectations |
//! | [`fokker_planck`] | 1-D Fokker–Planck equation: Scharfetter–Gummel finite volumes, backward Euler / BDF2, KL and entropy production |
//! | [`sde`] | ensembles of overdamped Langevin particles: Euler–Maruyama and exact Ornstein–Uhlenbeck steps |
//! | [`stats`] | Welford mean/variance, standard errors, fitted orders |
//! | [`sum`] | compensated (TwoSum / Neumaier) summation |
//! | [`tolerance`] | the derived-tolerance rules ($k\hat\sigma/\sqrt N$, error estimates, conditioning) |
//! | [`claim`] | claims, evidence, profiles and seeds |
//! | [`quantity`] | `thermocheck eval` quantities |
//! | [`error`] | the error type and the input validators |
//!
//! Conventions: $k_BT = 1$; overdamped Langevin dynamics
//! $dx = -D\,\partial_x E\,dt + \sqrt{2D}\,dW$ with additive noise, so Itô and Stratonovich
//! readings coincide.
#![forbid(unsafe_code)]
#![deny(rustdoc::broken_intra_doc_links)]

pub mod claim;
pub mod diff;
pub mod error;
pub mod fokker_planck;
pub mod ode;
pub mod quad;
pub mod quantity;
pub mod sde;
mod selfcheck;
pub mod special;
pub mod stats;
pub mod sum;
pub mod tolerance;

pub use claim::{CheckConfig, Claim, Evidence, Profile, Source};
pub use error::{Error, Result};
pub use quantity::{Args, Param, ParamKind, Quantity, Value};
pub use tolerance::Tolerance;

/// The random number generator behind every stochastic result, as printed in reports.
///
/// One master seed per run; each experiment's seed is derived from it by SplitMix64
/// ([`claim::CheckConfig::stream_seed`]); within an ensemble, each fixed-size chunk of particles
/// draws from its own Xoshiro256++ stream, 2^128 draws apart (`jump()`), so results do not depend
/// on the number of threads.
pub const RNG_ALGORITHM: &str = "Xoshiro256PlusPlus (rand_xoshiro), per-chunk streams 2^128 apart via jump(), seeds split by SplitMix64";

/// The numerics self-checks (`NV…`): each numerical method against an independent reference.
pub fn claims() -> Vec<Claim> {
    selfcheck::claims()
}

/// `thermocheck eval` quantities provided by the numerics crate.
pub fn quantities() -> Vec<Quantity> {
    sde::quantities()
}
