//! Self-checks of [`crate::ode`] (stub).
use crate::Claim;

pub(super) fn claims() -> Vec<Claim> {
    Vec::new()
}
