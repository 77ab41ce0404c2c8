//! The `thermocheck eval` quantities of the metric crate.

use thermocheck_numerics::{Param, Quantity};

mod friction;
mod geodesic;

/// `--diffusion`, as every quantity of this crate takes it.
const DIFFUSION: Param = Param::number(
    "diffusion",
    "D > 0: diffusion constant of the chain (squared position per unit time)",
);

/// Every quantity of this crate.
pub(crate) fn quantities() -> Vec<Quantity> {
    let mut all = friction::quantities();
    all.extend(geodesic::quantities());
    all
}
