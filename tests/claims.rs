//! Cross-crate test: every registered claim passes in the quick profile under seeds other than
//! the default, so no check passes only because of one lucky seed. (The per-crate unit tests run
//! the default seed; `verify --full` runs larger ensembles.)

use thermocheck::registry;
use thermocheck_numerics::{CheckConfig, Profile, claim::assert_claims_pass};

#[test]
fn claims_pass_under_other_seeds() {
    for seed in [1, 0xDEAD_BEEF] {
        assert_claims_pass(
            &registry::claims(),
            &CheckConfig {
                profile: Profile::Quick,
                seed,
            },
        );
    }
}
