//! The `thermocheck` command-line tool's library part: the registry of every crate's claims and
//! `eval` quantities, and the map from claims to the proofs that establish them, shared by the
//! binary and the cross-crate tests.
#![forbid(unsafe_code)]

pub mod proofs;
pub mod registry;

/// The Rust examples of `docs/guide.md`, compiled and run as doc tests so the guide stays
/// correct.
#[cfg(doctest)]
#[doc = include_str!("../../../docs/guide.md")]
pub struct UserGuide;
