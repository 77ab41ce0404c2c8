//! The `thermocheck` command-line tool's library part: the registry of every crate's claims and
//! `eval` quantities, shared by the binary and the cross-crate tests.
#![forbid(unsafe_code)]

pub mod registry;

/// The Rust examples of `docs/guide.md`, compiled and run as doc tests so the guide stays
/// correct.
#[cfg(doctest)]
#[doc = include_str!("../../../docs/guide.md")]
pub struct UserGuide;
