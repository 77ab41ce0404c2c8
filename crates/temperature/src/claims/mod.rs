//! The temperature claims TV1–TV15 (spec `temperature.md` §6), run by `thermocheck verify`, by
//! `cargo test` (quick profile) and by the generated tables.

use thermocheck_numerics::Claim;

mod efficiency;
mod linear;
mod network;
mod transition;

/// Every TV claim of this crate, in id order.
pub(crate) fn claims() -> Vec<Claim> {
    let mut all = linear::claims();
    all.extend(transition::claims());
    all.extend(network::claims());
    all.extend(efficiency::claims());
    all.sort_by_key(|c| c.id[2..].parse::<u32>().unwrap_or(u32::MAX));
    all
}
