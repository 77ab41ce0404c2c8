//! The `thermocheck eval` quantities of the temperature crate.

use thermocheck_numerics::Quantity;

mod efficiency;
mod linear;

/// Every quantity of this crate.
pub(crate) fn quantities() -> Vec<Quantity> {
    let mut all = linear::quantities();
    all.extend(efficiency::quantities());
    all
}
