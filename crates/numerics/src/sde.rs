//! Langevin ensembles (stub: filled by the sde work item).
use crate::Quantity;

/// `eval` quantities of this module.
pub fn quantities() -> Vec<Quantity> {
    Vec::new()
}
