//! The metric claims MV1–MV7 (spec `metric.md` §7), run by `thermocheck verify`, by `cargo test`
//! (quick profile) and by the generated tables. MV8–MV10 need the exact dynamics of
//! `thermocheck-dissipation` and are registered there.

use thermocheck_numerics::Claim;

mod friction;
mod langevin;
mod length;

/// Every MV claim of this crate, in id order.
pub(crate) fn claims() -> Vec<Claim> {
    let mut all = friction::claims();
    all.extend(langevin::claims());
    all.extend(length::claims());
    all.sort_by_key(|c| c.id[2..].parse::<u32>().unwrap_or(u32::MAX));
    all
}
