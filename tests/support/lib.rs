//! Support code for thermocheck's cross-crate tests (the root package's `tests/`).
#![forbid(unsafe_code)]
