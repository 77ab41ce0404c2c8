//! Cross-crate test: every crate's claims pass in the quick profile under seeds other than the
//! default, so no check passes only because of one lucky seed. (The per-crate unit tests run the
//! default seed; `verify --full` runs larger ensembles.)

use thermocheck_numerics::{CheckConfig, Claim, Profile, claim::assert_claims_pass};

fn all_claims() -> Vec<Claim> {
    let mut all = thermocheck_numerics::claims();
    all.extend(thermocheck_dissipation::claims());
    all.extend(thermocheck_metric::claims());
    all.extend(thermocheck_temperature::claims());
    all
}

#[test]
fn claims_pass_under_other_seeds() {
    for seed in [1, 0xDEAD_BEEF] {
        assert_claims_pass(
            &all_claims(),
            &CheckConfig {
                profile: Profile::Quick,
                seed,
            },
        );
    }
}
