//! MV8–MV10 (being written)

use thermocheck_numerics::Claim;

pub(crate) fn claims() -> Vec<Claim> {
    Vec::new()
}
