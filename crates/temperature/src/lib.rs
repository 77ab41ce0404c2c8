//! # thermocheck-temperature
//!
//! Energy, entropy and temperature of machine-learning systems; networks as heat
//! engines (spec: `theory/temperature.md`, results T1–T31, checks TV1–TV15).
//!
//! | module | spec | what |
//! |---|---|---|
//! | [`data`] | T1 | data statistics of the linear model, from a data set or from moments |
//! | [`loss`] | T2 | the losses: MSE, MAE, binary and softmax cross entropy |
//! | [`init`] | T1, T3 | initialisations (normal, uniform, block-mixed, mixture) and their entropies |
//! | [`logistic`] | T18 | $F(s)$ and $G(s)$: Gaussian expectations of softplus and the logistic slope |
//! | [`linear`] | T5–T20 | energy and temperature of the linear model, per sample and averaged |
//! | [`transition`] | T6, T21–T24 | transition temperatures, the $S = 0$ pitfall, Type II (data shift) |
//! | [`activation`] | T27–T31 | activation functions and their derivatives |
//! | [`network`] | T25–T28 | fully connected networks: local and global temperatures |
//! | [`efficiency`] | T29–T31 | work efficiency of activations; the two engine types |
//!
//! Conventions: entropies in nats, summed over the $n$ parameters; MSE is $(y-\hat y)^2$ without
//! a factor ½; binary cross entropy is $\operatorname{softplus}(-y\hat y)$ with labels $\pm1$.
#![forbid(unsafe_code)]
#![deny(rustdoc::broken_intra_doc_links)]

pub mod activation;
mod claims;
pub mod data;
pub mod efficiency;
pub mod init;
pub mod linear;
pub mod logistic;
pub mod loss;
pub mod network;
mod quantities;
pub mod transition;

use thermocheck_numerics::{Claim, Quantity};

/// The claims (spec checks `TV…`) this crate registers with `thermocheck verify`.
pub fn claims() -> Vec<Claim> {
    claims::claims()
}

/// The `thermocheck eval` quantities this crate provides.
pub fn quantities() -> Vec<Quantity> {
    quantities::quantities()
}
