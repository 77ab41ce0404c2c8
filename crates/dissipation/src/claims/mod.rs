//! The dissipation claims DV1–DV12 (spec `dissipation.md` §7), run by `thermocheck verify`, by
//! `cargo test` (quick profile) and by the generated tables.

use thermocheck_numerics::{Claim, Source};

mod bias;
mod langevin;

/// Every DV claim of this crate.
pub(crate) fn claims() -> Vec<Claim> {
    vec![
        Claim::new(
            "DV1",
            Source::MinimalDissipation,
            &["D6", "D7", "D8"],
            "The bias of the persistent-chain objective equals the excess work, L − L̃ = W − ΔF, \
             realisation by realisation in discrete time and on the exact dynamics in continuous time.",
            bias::dv1,
        ),
        Claim::new(
            "DV2",
            Source::MinimalDissipation,
            &["D9", "D11"],
            "For Gaussian chains under any schedule the excess work is the final lag KL plus the \
             integrated entropy production.",
            bias::dv2,
        ),
        Claim::new(
            "DV10",
            Source::MinimalDissipation,
            &["D7", "D8", "D14", "D21"],
            "Persistent-chain SGD with N Langevin particles under the optimal schedule matches its \
             N → ∞ discretisation: mean work, sd(W) = √(2⟨W⟩), Jarzynski, θ_T, and the bias identity.",
            langevin::dv10,
        ),
    ]
}

#[cfg(test)]
mod tests {
    use thermocheck_numerics::claim::assert_claims_pass;
    use thermocheck_numerics::{CheckConfig, Profile};

    #[test]
    fn dissipation_claims_pass_in_the_quick_profile() {
        assert_claims_pass(&super::claims(), &CheckConfig::new(Profile::Quick));
    }
}
