//! Self-checks of [`crate::sde`] (stub).
use crate::Claim;

pub(super) fn claims() -> Vec<Claim> {
    Vec::new()
}
