//! `thermocheck eval` quantities of the dissipation crate (stub).
use thermocheck_numerics::Quantity;

pub(crate) fn quantities() -> Vec<Quantity> {
    Vec::new()
}
