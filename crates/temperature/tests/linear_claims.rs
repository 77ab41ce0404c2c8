//! The linear-model and transition claims TV1–TV12 in the quick profile, for two seeds.

use std::time::Instant;
use thermocheck_numerics::claim::assert_claims_pass;
use thermocheck_numerics::{CheckConfig, Claim, Profile};

fn mine() -> Vec<Claim> {
    thermocheck_temperature::claims()
        .into_iter()
        .filter(|c| {
            c.id[2..]
                .parse::<u32>()
                .map(|k| (1..=12).contains(&k))
                .unwrap_or(false)
        })
        .collect()
}

#[test]
fn tv1_to_tv12_pass_in_quick_profile_for_two_seeds() {
    let claims = mine();
    assert_eq!(claims.len(), 12, "TV1–TV12 registered");
    for seed in [CheckConfig::DEFAULT_SEED, 7] {
        let config = CheckConfig {
            profile: Profile::Quick,
            seed,
        };
        for c in &claims {
            let start = Instant::now();
            let ev = c.check(&config).expect("check runs");
            eprintln!(
                "{} seed {seed}: {} evidence, {:.2?}",
                c.id,
                ev.len(),
                start.elapsed()
            );
            for e in &ev {
                eprintln!("  {e}");
            }
        }
        assert_claims_pass(&claims, &config);
    }
}
