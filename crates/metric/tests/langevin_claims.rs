//! MV6 (spec M13) in the quick profile for two seeds, through the crate's public claim list.

use std::time::Instant;
use thermocheck_numerics::claim::assert_claims_pass;
use thermocheck_numerics::{CheckConfig, Profile};

#[test]
fn mv6_passes_for_two_seeds() {
    let claims: Vec<_> = thermocheck_metric::claims()
        .into_iter()
        .filter(|c| c.id == "MV6")
        .collect();
    assert_eq!(claims.len(), 1, "MV6 is registered once");
    assert_eq!(claims[0].results, &["M13", "M6"]);
    for seed in [CheckConfig::DEFAULT_SEED, 11] {
        let start = Instant::now();
        assert_claims_pass(
            &claims,
            &CheckConfig {
                profile: Profile::Quick,
                seed,
            },
        );
        eprintln!("MV6 quick, seed {seed}: {:?}", start.elapsed());
    }
}
