//! The `thermocheck eval` quantities of the metric crate.

use thermocheck_numerics::Quantity;

mod friction;
mod geodesic;

/// Every quantity of this crate.
pub(crate) fn quantities() -> Vec<Quantity> {
    let mut all = friction::quantities();
    all.extend(geodesic::quantities());
    all
}
