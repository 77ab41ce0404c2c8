//! Quadrature (stub: filled by the quad work item).
