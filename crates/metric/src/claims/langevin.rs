//! (being written)

use thermocheck_numerics::{CheckConfig, Claim, Evidence, Result};

pub(super) fn claims() -> Vec<Claim> {
    Vec::new()
}

/// The Langevin (M13) evidence of MV1, appended to the quadrature evidence by the MV1 claim in
/// `claims/friction.rs`.
#[allow(dead_code)] // called by the MV1 claim once claims/friction.rs registers it
pub(super) fn mv1_evidence(_config: &CheckConfig) -> Result<Vec<Evidence>> {
    Ok(Vec::new())
}
