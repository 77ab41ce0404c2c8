//! The dissipation claims DV1–DV12 (spec `dissipation.md` §7), run by `thermocheck verify`, by
//! `cargo test` (quick profile) and by the generated tables.

use thermocheck_numerics::{Claim, Source};

mod bias;
pub(crate) mod gaussian;
mod langevin;
pub(crate) mod linear_response;
mod multivariate;
pub(crate) mod stiffness;

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
            "DV3",
            Source::MinimalDissipation,
            &["D12", "D13", "D14"],
            "The optimal schedule η*(t) with impulses η₀, η_T moves θ from θ₀ to μ_D with the \
             minimal excess work Δ²/(DT + 2σ²), and the closed forms reproduce the spec's table.",
            gaussian::dv3,
        ),
        Claim::new(
            "DV4",
            Source::MinimalDissipation,
            &["D13"],
            "On the optimal path the chain mean moves at constant speed v with θ − m = τv, and \
             the work splits into τv²/(2D), v²T/D and 3τv²/(2D), leaving a final lag KL of 2τv²/D.",
            gaussian::dv4,
        ),
        Claim::new(
            "DV5",
            Source::MinimalDissipation,
            &["D15"],
            "One optimal schedule, fixed before the target is known, reaches every target \
             (negative displacements included) with the minimal excess work.",
            gaussian::dv5,
        ),
        Claim::new(
            "DV6",
            Source::MinimalDissipation,
            &["D16"],
            "Without its impulses the optimal rate misses the target (θ_T = 0.595853) and pays \
             W = 0.101142, more than the D18 bound 0.088760.",
            gaussian::dv6,
        ),
        Claim::new(
            "DV7",
            Source::MinimalDissipation,
            &["D17", "D19"],
            "The ramp schedule η_lin moves θ linearly to μ_D at cost W_lin, with W* ≤ W_lin ≤ \
             Δ²/(2σ²) and W*/W_LR = T/(T + 2τ) → 1.",
            gaussian::dv7,
        ),
        Claim::new(
            "DV8",
            Source::MinimalDissipation,
            &["D18"],
            "Every positive learning-rate schedule, with or without impulses, pays at least \
             (θ_T − θ₀)²/(DT + 2σ²) of excess work, and the optimal schedule attains it.",
            gaussian::dv8,
        ),
        Claim::new(
            "DV9",
            Source::MinimalDissipation,
            &["D20"],
            "A constant learning rate overshoots the data mean if and only if η > D/4.",
            gaussian::dv9,
        ),
        Claim::new(
            "DV10",
            Source::MinimalDissipation,
            &["D7", "D8", "D14", "D21"],
            "Persistent-chain SGD with N Langevin particles under the optimal schedule matches its \
             N → ∞ discretisation: mean work, sd(W) = √(2⟨W⟩), Jarzynski, θ_T, and the bias identity.",
            langevin::dv10,
        ),
        Claim::new(
            "DV11",
            Source::MinimalDissipation,
            &["D23", "D24"],
            "The matrix schedule H*(t) with impulses H₀, H_T reaches a multivariate target with \
             W* = Δᵀ(DTI + 2Σ)⁻¹Δ, while a scalar schedule tuned to one mode misses the other's.",
            multivariate::dv11,
        ),
        Claim::new(
            "DV12",
            Source::MinimalDissipation,
            &["D26", "D27"],
            "The Schmiedl–Seifert stiffness protocol, realised by the D27 learning-rate schedule, \
             reaches k_f with the minimal work W*, which no piecewise-constant protocol beats.",
            stiffness::dv12,
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
