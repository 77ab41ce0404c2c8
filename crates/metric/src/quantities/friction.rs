//! (being written)

use thermocheck_numerics::Quantity;

pub(super) fn quantities() -> Vec<Quantity> {
    Vec::new()
}
