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

/// The quantity a spec row compares: its method up to ` vs spec` (`closed form W*_ex (D12)`),
/// up to a `: ` that separates the quantity from how it was computed (`E φ²/q: quadrature`),
/// and without a trailing parenthesis naming the result (`Var φ/q (T31)`).
pub fn quantity(method: &str) -> &str {
    let q = method.find(" vs spec").map_or(method, |end| &method[..end]);
    let q = q.find(": ").map_or(q, |end| &q[..end]);
    match q.rfind(" (") {
        Some(end) if end > 0 && q.ends_with(')') => &q[..end],
        _ => q,
    }
}

/// The spec rows laid out as the spec prints them: one row per parameter point, one column per
/// quantity (in order of first appearance), each cell the spec row's evidence if the point has
/// that quantity.
pub type Grid<'a> = (Vec<&'a str>, Vec<(&'a str, Vec<Option<&'a Evidence>>)>);

/// [`Grid`] of the spec rows among `rows` (as [`select`] returns them).
pub fn grid<'a>(rows: &[(bool, &'a Evidence)]) -> Grid<'a> {
    let mut columns: Vec<&str> = Vec::new();
    let mut points: Vec<&str> = Vec::new();
    for (_, e) in rows.iter().filter(|(is_spec, _)| *is_spec) {
        let q = quantity(&e.method);
        if !columns.contains(&q) {
            columns.push(q);
        }
        if !points.contains(&e.point.as_str()) {
            points.push(&e.point);
        }
    }
    let lines = points
        .iter()
        .map(|&point| {
            let cells = columns
                .iter()
                .map(|&q| {
                    rows.iter()
                        .find(|(is_spec, e)| {
                            *is_spec && e.point == point && quantity(&e.method) == q
                        })
                        .map(|(_, e)| *e)
                })
                .collect();
            (point, cells)
        })
        .collect();
    (columns, lines)
}

#[cfg(test)]
mod tests {
    use super::*;
    use thermocheck_numerics::Tolerance;

    fn ev(point: &str, method: &str) -> Evidence {
        Evidence::compare(
            point,
            method,
            1.0,
            1.0,
            Tolerance::stated_absolute(0.0, "test"),
        )
    }

    #[test]
    fn quantity_labels_drop_method_and_result_id() {
        assert_eq!(
            quantity("closed form W*_ex (D12) vs spec DV3 table"),
            "closed form W*_ex"
        );
        assert_eq!(
            quantity("closed form sudden Δ²/(2σ²) (D19) vs spec DV3 table"),
            "closed form sudden Δ²/(2σ²)"
        );
        assert_eq!(
            quantity("Var φ/q (T31): closed form vs spec table"),
            "Var φ/q"
        );
        assert_eq!(quantity("E φ²/q: quadrature vs spec table"), "E φ²/q");
        assert_eq!(quantity("M7 ζ vs spec table 1.4285714"), "M7 ζ");
    }

    #[test]
    fn selection_groups_by_spec_point_then_adds_extra_rows() {
        let table = SpecTable {
            slug: "t",
            title: "t",
            location: "t",
            claim: "XV1",
            marker: "vs spec",
            extra: |e| e.method.starts_with("ODE"),
        };
        let evidence = [
            ev("a", "x vs spec"),
            ev("b", "ODE at b"),
            ev("c", "MC at c"),
            ev("a", "MC at a"),
            ev("d", "x vs spec"),
            ev("e", "other"),
        ];
        let rows: Vec<(bool, &str, &str)> = select(&table, &evidence)
            .into_iter()
            .map(|(s, e)| (s, e.point.as_str(), e.method.as_str()))
            .collect();
        assert_eq!(
            rows,
            [
                (true, "a", "x vs spec"),
                (false, "a", "MC at a"),
                (true, "d", "x vs spec"),
                (false, "b", "ODE at b"),
            ]
        );
        let (columns, lines) = grid(&select(&table, &evidence));
        assert_eq!(columns, ["x"]);
        assert_eq!(lines.len(), 2);
    }
}
