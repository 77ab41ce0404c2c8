//! The spec's numeric reference tables and the claim evidence that reproduces each.
//!
//! Every reference table of `dissipation.md`, `metric.md` and `temperature.md` is checked by one
//! claim, which labels the rows comparing its closed form with the printed value by a `vs spec …`
//! method. A generated table shows those rows (the spec's printed value beside thermocheck's
//! value) together with the claim's independent-method rows at the same parameter points, plus
//! the claim's other independent rows that test the same quantities at points labelled
//! differently (`extra`). The spec itself is not read: its printed values are the claims'
//! `expected` numbers, so the tables regenerate on a clone without the spec.

use thermocheck_numerics::Evidence;

/// One reference table of the spec.
pub struct SpecTable {
    /// File stem under `docs/tables/`.
    pub slug: &'static str,
    /// Heading of the generated table.
    pub title: &'static str,
    /// Where the table is in the spec and what its columns are.
    pub location: &'static str,
    /// The claim whose evidence reproduces it.
    pub claim: &'static str,
    /// The text of the `method` of the rows comparing with the printed values.
    pub marker: &'static str,
    /// Independent rows of the claim at points labelled differently from the spec rows'.
    pub extra: fn(&Evidence) -> bool,
}

impl SpecTable {
    /// Whether `e` compares with a printed value of this table.
    pub fn is_spec_row(&self, e: &Evidence) -> bool {
        e.method.contains(self.marker)
    }
}

fn none(_: &Evidence) -> bool {
    false
}

/// The nine numeric tables of the spec, in spec order (the notation table of `dissipation.md` has
/// no numbers and is left out).
pub const SPEC_TABLES: &[SpecTable] = &[
    SpecTable {
        slug: "spec-dissipation-gaussian-optimal",
        title: "Gaussian mean: optimal, ramp, sudden and linear-response work (dissipation.md, DV3)",
        location: "dissipation.md, reference table of check DV3: T, σ², D, Δ → W*_ex (D12), \
                   W_lin (D17), sudden Δ²/(2σ²) and LR Δ²/(DT) (D19), jump τv (D13), η₀, η*(0⁺), \
                   η*(T⁻) (D14)",
        claim: "DV3",
        marker: "vs spec DV3 table",
        extra: |e| e.method.starts_with("moment ODEs"),
    },
    SpecTable {
        slug: "spec-dissipation-stiffness-optimal",
        title: "Optimal stiffness protocol (dissipation.md, DV12)",
        location: "dissipation.md, reference table of check DV12: k_i, k_f, T, D → c, W*, ΔF, \
                   W*_ex, w*(T) (D26)",
        claim: "DV12",
        marker: "vs spec DV12 table",
        extra: none,
    },
    SpecTable {
        slug: "spec-metric-excess-work",
        title: "Exact against linear-response excess work (metric.md, M17)",
        location: "metric.md, table of M17: protocol, T → exact W_ex (M16), W^LR_ex",
        claim: "MV8",
        marker: "vs spec table M17",
        extra: none,
    },
    SpecTable {
        slug: "spec-metric-friction",
        title: "Friction, Fisher information and relaxation times (metric.md, MV1)",
        location: "metric.md, table of check MV1: case, k, D → ζ, I_F, relaxation time(s) \
                   (M10–M12)",
        claim: "MV1",
        marker: "vs spec table",
        extra: |e| e.method.starts_with("M13") || e.method.starts_with("equilibrium covariance"),
    },
    SpecTable {
        slug: "spec-temperature-loss-example",
        title: "Per-sample energy and temperature of MSE, MAE and cross entropy (temperature.md, TV5)",
        location: "temperature.md, table of check TV5 (σ=1, r=2, y=1, n=4): loss → e, t",
        claim: "TV5",
        marker: "vs spec TV5",
        extra: none,
    },
    SpecTable {
        slug: "spec-temperature-cross-entropy-f-g",
        title: "Cross-entropy functions F(s) and G(s) (temperature.md, TV6)",
        location: "temperature.md, table of check TV6: s → F(s), G(s) (T18)",
        claim: "TV6",
        marker: "vs spec TV6",
        extra: |e| e.method.contains("series error"),
    },
    SpecTable {
        slug: "spec-temperature-uniform-init-clt",
        title: "Uniform-init MAE: exact CLT ratio and its Edgeworth form (temperature.md, TV8)",
        location: "temperature.md, table of check TV8: n → exact (Irwin–Hall) ratio, Edgeworth \
                   1 + 1/(20n) (T16)",
        claim: "TV8",
        marker: "CLT ratio vs spec TV8",
        extra: |e| e.method.starts_with("Edgeworth") || e.method.starts_with("exact √"),
    },
    SpecTable {
        slug: "spec-temperature-activation-example",
        title: "Homogeneous activations: product law worked example (temperature.md, TV13)",
        location: "temperature.md, table of check TV13: activation → E[ŷ²|x], T_l, global T \
                   (T25–T27)",
        claim: "TV13",
        marker: "vs spec table",
        extra: none,
    },
    SpecTable {
        slug: "spec-temperature-work-efficiency",
        title: "Work efficiencies of activations (temperature.md, TV15)",
        location: "temperature.md, table of check TV15: activation, q → E φ²/q, Var φ/q, \
                   E φ'² (T29–T31)",
        claim: "TV15",
        marker: "vs spec table",
        // The homogeneous activations' spec rows are "any q"; their checks sweep q.
        extra: |e| {
            ["linear, q=", "relu, q=", "leaky-relu 0.1, q="]
                .iter()
                .any(|p| e.point.starts_with(p))
        },
    },
];

/// The rows of `evidence` (one claim's, in check order) that make up `table`: for each parameter
/// point with a spec row, in order of first appearance, every row at that point (spec rows and
/// independent rows); then the `extra` rows at other points. Each row comes with whether it is
/// a spec row.
pub fn select<'a>(table: &SpecTable, evidence: &'a [Evidence]) -> Vec<(bool, &'a Evidence)> {
    let mut points: Vec<&str> = Vec::new();
    for e in evidence.iter().filter(|e| table.is_spec_row(e)) {
        if !points.contains(&e.point.as_str()) {
            points.push(&e.point);
        }
    }
    let mut rows = Vec::new();
    for point in &points {
        rows.extend(
            evidence
                .iter()
                .filter(|e| e.point == *point)
                .map(|e| (table.is_spec_row(e), e)),
        );
    }
    rows.extend(
        evidence
            .iter()
            .filter(|e| !points.contains(&e.point.as_str()) && (table.extra)(e))
            .map(|e| (false, e)),
    );
    rows
}
