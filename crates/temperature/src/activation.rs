//! (being written; see `theory/temperature.md`)
