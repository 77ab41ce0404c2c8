//! `docs/performance.md`: the comparison table, the machine, and the targets.

use crate::Record;
use crate::machine::Machine;
use std::fmt::Write as _;

/// One row of the comparison: thermocheck's record and, where there is one, the peer's.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// thermocheck's record.
    pub ours: Record,
    /// The NumPy/SciPy peer's record on the same workload.
    pub peer: Option<Record>,
}

impl Row {
    /// thermocheck's figure over the peer's (for throughputs: how many times faster).
    pub fn ratio(&self) -> Option<f64> {
        self.peer.as_ref().map(|p| self.ours.figure / p.figure)
    }
}

/// Everything the report states.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// The rows, in workload order.
    pub rows: Vec<Row>,
    /// Machine and toolchain.
    pub machine: Machine,
    /// `(numpy, scipy)` versions, if the peers ran.
    pub python: Option<(String, String)>,
    /// Why the peers did not run, if they did not.
    pub peers_skipped: Option<String>,
    /// Wall seconds of `cargo test --workspace --release`, if measured in this run.
    pub cargo_test_seconds: Option<f64>,
    /// The load averages when the measurements ended (see [`Machine::load_average`]).
    pub load_average_end: String,
}

/// Whether a target was met, missed, or could not be judged in this run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Met.
    Met,
    /// Missed.
    Missed,
    /// Not measured in this run.
    NotMeasured,
}

impl Verdict {
    fn from_bool(met: bool) -> Self {
        if met { Verdict::Met } else { Verdict::Missed }
    }

    fn label(self) -> &'static str {
        match self {
            Verdict::Met => "met",
            Verdict::Missed => "**missed**",
            Verdict::NotMeasured => "not measured",
        }
    }
}

/// One target of issue #7 with the measured value.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    /// The target, in words.
    pub what: &'static str,
    /// The measured value, in words.
    pub measured: String,
    /// The verdict.
    pub verdict: Verdict,
}

impl Report {
    /// The row of `workload`.
    pub fn row(&self, workload: &str) -> Option<&Row> {
        self.rows.iter().find(|r| r.ours.workload == workload)
    }

    /// Particle-steps/s of `workload` over normal variates/s (one variate per particle-step):
    /// the fraction of the variate-generation bound reached.
    pub fn bound_fraction(&self, workload: &str) -> Option<f64> {
        Some(self.row(workload)?.ours.figure / self.row("normals")?.ours.figure)
    }

    /// The targets of issue #7 with their verdicts.
    pub fn targets(&self) -> Vec<Target> {
        let ratio_target = |what: &'static str, workload: &str, min: f64, accuracy: bool| match self
            .row(workload)
        {
            Some(row) => match (row.ratio(), &row.peer) {
                (Some(ratio), Some(peer)) => {
                    let accurate = !accuracy || row.ours.accuracy <= peer.accuracy.max(1e-10);
                    Target {
                        what,
                        measured: format!(
                            "{ratio:.1}× (accuracy {:.1e} vs {:.1e})",
                            row.ours.accuracy, peer.accuracy
                        ),
                        verdict: Verdict::from_bool(ratio >= min && accurate),
                    }
                }
                _ => not_measured(what),
            },
            None => not_measured(what),
        };
        let mut targets = vec![
            ratio_target(
                "learning with bookkeeping ≥ 8× NumPy",
                "learning",
                8.0,
                false,
            ),
            match self.bound_fraction("learning") {
                Some(f) => Target {
                    what: "learning ≥ 70% of the normal-generation bound",
                    measured: format!("{:.0}%", 100.0 * f),
                    verdict: Verdict::from_bool(f >= 0.7),
                },
                None => not_measured("learning ≥ 70% of the normal-generation bound"),
            },
            ratio_target(
                "moment ODE ≥ 100× solve_ivp at equal tolerance",
                "moment-ode",
                100.0,
                false,
            ),
            ratio_target(
                "friction (stiffness) ≥ 100× nested quad, equal or better accuracy",
                "friction-stiffness",
                100.0,
                true,
            ),
            ratio_target(
                "friction (quartic) ≥ 100× nested quad, equal or better accuracy",
                "friction-quartic",
                100.0,
                true,
            ),
        ];
        targets.push(match self.row("verify-quick") {
            Some(row) => Target {
                what: "`thermocheck verify --quick` < 10 s wall",
                measured: format!(
                    "{:.2} s ({} failed rows)",
                    row.ours.figure, row.ours.accuracy
                ),
                verdict: Verdict::from_bool(row.ours.figure < 10.0 && row.ours.accuracy == 0.0),
            },
            None => not_measured("`thermocheck verify --quick` < 10 s wall"),
        });
        targets.push(match self.cargo_test_seconds {
            Some(s) => Target {
                what: "`cargo test --workspace --release` < 10 min (warm build)",
                measured: format!("{s:.0} s"),
                verdict: Verdict::from_bool(s < 600.0),
            },
            None => not_measured("`cargo test --workspace --release` < 10 min (warm build)"),
        });
        targets
    }

    /// The Markdown of `docs/performance.md`.
    pub fn markdown(&self) -> String {
        let mut s = String::new();
        let m = &self.machine;
        let _ = writeln!(s, "# Performance: thermocheck against NumPy/SciPy\n");
        let _ = writeln!(
            s,
            "Generated by `cargo run --release -p thermocheck-bench --bin performance` \
             (issue #7; the workloads are specified in `crates/bench/src/workloads.rs` and the \
             peers in `benches/peers/`). Do not edit by hand.\n"
        );
        let _ = writeln!(s, "- date: {}", m.date_utc);
        let _ = writeln!(
            s,
            "- machine: {} cores (`available_parallelism`), CPU {}; rayon threads: {}",
            m.cores, m.cpu_model, m.threads
        );
        let _ = writeln!(s, "- rustc: {}", m.rustc);
        let _ = writeln!(
            s,
            "- load average (1, 5, 15 min) at the start: {}; at the end: {} (a load above the {} \
             cores means other processes shared the machine, lowering the figures of both sides \
             and the multi-threaded Rust figures most)",
            m.load_average, self.load_average_end, m.cores
        );
        match (&self.python, &self.peers_skipped) {
            (Some((numpy, scipy)), _) => {
                let _ = writeln!(s, "- peers: numpy {numpy}, scipy {scipy}");
            }
            (None, Some(why)) => {
                let _ = writeln!(s, "- peers: not run ({why})");
            }
            (None, None) => {}
        }
        let _ = writeln!(
            s,
            "- timing: median of the stated repeats after one untimed warm-up; each run's input \
             (e.g. the starting ensemble) is prepared outside the timer.\n"
        );

        let _ = writeln!(s, "## Workloads\n");
        let _ = writeln!(
            s,
            "| workload | thermocheck | peer | ratio | thermocheck accuracy | peer accuracy |"
        );
        let _ = writeln!(s, "|---|---:|---:|---:|---:|---:|");
        for row in &self.rows {
            let o = &row.ours;
            let (peer, ratio, peer_acc) = match &row.peer {
                Some(p) => (
                    format!("{} {}", sig(p.figure), p.unit),
                    row.ratio().map_or("–".into(), |r| format!("{r:.1}×")),
                    format!("{:.2e}", p.accuracy),
                ),
                None => ("–".into(), "–".into(), "–".into()),
            };
            let _ = writeln!(
                s,
                "| `{}` | {} {} | {} | {} | {:.2e} | {} |",
                o.workload,
                sig(o.figure),
                o.unit,
                peer,
                ratio,
                o.accuracy,
                peer_acc
            );
        }
        let _ = writeln!(s);
        for (name, label) in [("learning", "learning"), ("ou-step", "exact-OU step")] {
            if let Some(f) = self.bound_fraction(name) {
                let _ = writeln!(
                    s,
                    "Normal-generation bound ({label}): {} particle-steps/s ÷ {} normal \
                     variates/s = **{:.0}%** (one normal per particle-step, same generator and \
                     threads).\n",
                    sig(self.row(name).map_or(f64::NAN, |r| r.ours.figure)),
                    sig(self.row("normals").map_or(f64::NAN, |r| r.ours.figure)),
                    100.0 * f
                );
            }
        }

        let _ = writeln!(s, "## Targets (issue #7)\n");
        let _ = writeln!(s, "| target | measured | verdict |");
        let _ = writeln!(s, "|---|---|---|");
        for t in self.targets() {
            let _ = writeln!(s, "| {} | {} | {} |", t.what, t.measured, t.verdict.label());
        }
        let _ = writeln!(s);

        let _ = writeln!(s, "## Details\n");
        for row in &self.rows {
            let o = &row.ours;
            let _ = writeln!(s, "### `{}`\n", o.workload);
            let _ = writeln!(
                s,
                "- thermocheck: {}; median {} s over {} runs; accuracy: {}",
                o.implementation,
                sig(o.seconds),
                o.repeats,
                o.accuracy_metric
            );
            if let Some(p) = &row.peer {
                let _ = writeln!(
                    s,
                    "- peer: {}; median {} s over {} runs; accuracy: {}",
                    p.implementation,
                    sig(p.seconds),
                    p.repeats,
                    p.accuracy_metric
                );
            }
            let _ = writeln!(s);
        }
        s
    }
}

fn not_measured(what: &'static str) -> Target {
    Target {
        what,
        measured: "–".into(),
        verdict: Verdict::NotMeasured,
    }
}

/// Four significant digits, in scientific notation outside [0.01, 10⁶).
fn sig(x: f64) -> String {
    if x.is_finite() && x != 0.0 && !(1e-2..1e6).contains(&x.abs()) {
        format!("{x:.3e}")
    } else {
        let digits = if x == 0.0 || !x.is_finite() {
            0
        } else {
            (3 - x.abs().log10().floor() as i32).max(0) as usize
        };
        format!("{x:.digits$}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(workload: &str, figure: f64, accuracy: f64) -> Record {
        Record {
            workload: workload.into(),
            figure,
            unit: "1/s".into(),
            seconds: 1.0 / figure,
            accuracy,
            accuracy_metric: "m".into(),
            repeats: 3,
            implementation: "i".into(),
        }
    }

    fn machine() -> Machine {
        Machine {
            cores: 2,
            cpu_model: "cpu".into(),
            threads: 2,
            date_utc: "2026-01-01 00:00 UTC".into(),
            rustc: "rustc".into(),
            load_average: "0.1 0.2 0.3".into(),
        }
    }

    #[test]
    fn targets_are_judged_from_the_rows() {
        let row = |w: &str, ours: f64, peer: Option<f64>, acc: f64| Row {
            ours: record(w, ours, acc),
            peer: peer.map(|p| record(w, p, 1e-11)),
        };
        let report = Report {
            rows: vec![
                row("normals", 100.0, Some(50.0), 0.0),
                row("learning", 80.0, Some(9.0), 0.0),
                row("moment-ode", 1000.0, Some(20.0), 0.0),
                row("friction-stiffness", 1000.0, Some(1.0), 2e-11),
                row("friction-quartic", 1000.0, Some(1.0), 1e-12),
                row("verify-quick", 4.0, None, 0.0),
            ],
            machine: machine(),
            python: Some(("2.0".into(), "1.14".into())),
            peers_skipped: None,
            cargo_test_seconds: None,
            load_average_end: "0.1 0.2 0.3".into(),
        };
        let v: Vec<Verdict> = report.targets().iter().map(|t| t.verdict).collect();
        use Verdict::*;
        // 80/9 ≥ 8; 80% of the bound; 50× < 100×; stiffness fast and within 1e-10; quartic met;
        // verify 4 s; cargo test not measured.
        assert_eq!(v, [Met, Met, Missed, Met, Met, Met, NotMeasured]);
        let md = report.markdown();
        assert!(
            md.contains("| `learning` | 80.00 1/s | 9.000 1/s | 8.9× |"),
            "{md}"
        );
        assert!(md.contains("= **80%**"), "{md}");
    }

    #[test]
    fn significant_digits() {
        assert_eq!(sig(123.456), "123.5");
        assert_eq!(sig(1.5e8), "1.500e8");
        assert_eq!(sig(0.5), "0.5000");
        assert_eq!(sig(0.0), "0");
    }
}
