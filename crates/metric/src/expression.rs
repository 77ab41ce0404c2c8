//! (being written; see `theory/metric.md`)
