//! The `thermocheck` command-line tool's library part: the registry of every crate's claims and
//! `eval` quantities, shared by the binary and the cross-crate tests.
#![forbid(unsafe_code)]

pub mod registry;
