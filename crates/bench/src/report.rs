//! `docs/performance.md`: the comparison table, the machine, and the issue's targets.

use crate::Record;
use crate::machine::Machine;
use std::fmt::Write as _;
use thermocheck_numerics::tolerance::ROUNDING_ULPS;

/// One row of the comparison: thermocheck's record and, where there is one, the peer's.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// thermocheck's record.
    pub ours: Record,
    /// The NumPy/SciPy peer's record on the same workload.
    pub peer: Option<Record>,
    /// Why the peer has no record although it was run (its script failed, or printed no record
    /// of this workload): reported, and the `performance` binary exits 1.
    pub peer_failure: Option<String>,
}

impl Row {
    /// A row without a peer failure.
    pub fn new(ours: Record, peer: Option<Record>) -> Self {
        Row {
            ours,
            peer,
            peer_failure: None,
        }
    }

    /// thermocheck's figure over the peer's (for throughputs: how many times faster).
    pub fn ratio(&self) -> Option<f64> {
        self.peer.as_ref().map(|p| ratio(&self.ours, p))
    }

    /// [`Row::ratio`] per thread: divided by thermocheck's threads, times the peer's.
    pub fn per_core_ratio(&self) -> Option<f64> {
        self.peer.as_ref().map(|p| per_core_ratio(&self.ours, p))
    }
}

/// `ours.figure / peer.figure`.
pub fn ratio(ours: &Record, peer: &Record) -> f64 {
    ours.figure / peer.figure
}

/// [`ratio`] ÷ thermocheck's threads × the peer's threads: the speed-up per thread, so that a
/// 2-thread against 1-thread ratio is not read as a per-core one.
pub fn per_core_ratio(ours: &Record, peer: &Record) -> f64 {
    ratio(ours, peer) / ours.threads.max(1) as f64 * peer.threads.max(1) as f64
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
    /// Whether the peers ran with `--quick` (small sizes: a smoke test, not a measurement).
    pub peers_quick: bool,
    /// Wall seconds of `cargo test --workspace --release`, if measured in this run.
    pub cargo_test_seconds: Option<f64>,
    /// The load averages when the measurements ended (see [`Machine::load_average`]).
    pub load_average_end: String,
    /// The master seed of thermocheck's random streams.
    pub seed: u64,
}

/// Whether a target was met, missed, or could not be judged in this run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Met.
    Met,
    /// Missed.
    Missed,
    /// Measured, but the two sides did not reach the accuracy the target is stated at (the
    /// target's `measured` text gives the reason).
    NotComparable,
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
            Verdict::NotComparable => "not comparable",
            Verdict::NotMeasured => "not measured",
        }
    }
}

/// The accuracy (relative error) the contract asks both sides of the friction and moment-ODE
/// comparisons to reach.
pub const CONTRACT_ACCURACY: f64 = 1e-10;

/// Relative errors at or below this are rounding, not method error: [`ROUNDING_ULPS`]·ε
/// (≈ 1.4e-14), the workspace's rounding floor. Two accuracies both below it count as equal
/// (e.g. 2.2e-16 against 1.1e-16 is the last bit of two correct results, not a difference).
pub const ROUNDING_FLOOR: f64 = ROUNDING_ULPS * f64::EPSILON;

/// The verdict of a "≥ `min`× the peer" target, and the reason when the two sides are not
/// comparable. With `required = Some(a)` (an accuracy target, e.g. [`CONTRACT_ACCURACY`]) the
/// ratio counts only if the peer reached `a` and thermocheck is at least as accurate as the
/// peer (`ours_accuracy ≤ max(peer_accuracy, ROUNDING_FLOOR)`, see [`ROUNDING_FLOOR`]); without
/// it (statistical accuracies) only the ratio is judged. A non-finite ratio or accuracy is
/// never met.
pub fn ratio_verdict(
    ratio: f64,
    min: f64,
    ours_accuracy: f64,
    peer_accuracy: f64,
    required: Option<f64>,
) -> (Verdict, Option<String>) {
    if let Some(required) = required {
        let peer_reached = peer_accuracy <= required;
        if !peer_reached {
            return (
                Verdict::NotComparable,
                Some(format!(
                    "the peer's accuracy {peer_accuracy:.1e} misses the contract's {required:.0e}"
                )),
            );
        }
        let as_accurate = ours_accuracy <= peer_accuracy.max(ROUNDING_FLOOR);
        if !as_accurate {
            return (
                Verdict::NotComparable,
                Some(format!(
                    "thermocheck's accuracy {ours_accuracy:.1e} is worse than the peer's \
                     {peer_accuracy:.1e}"
                )),
            );
        }
    }
    (Verdict::from_bool(ratio.is_finite() && ratio >= min), None)
}

/// One target of issue #7 with the measured value.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    /// The target, in words.
    pub what: &'static str,
    /// The measured value, in words (with the reason if not comparable).
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

    /// `(workload, reason)` of every peer that was run and failed.
    pub fn peer_failures(&self) -> Vec<(&str, &str)> {
        self.rows
            .iter()
            .filter_map(|r| Some((r.ours.workload.as_str(), r.peer_failure.as_deref()?)))
            .collect()
    }

    /// The targets of issue #7 with their verdicts.
    pub fn targets(&self) -> Vec<Target> {
        let ratio_target = |what: &'static str, workload: &str, min: f64, required: Option<f64>| {
            let Some(row) = self.row(workload) else {
                return not_measured(what, "–".into());
            };
            let Some(peer) = &row.peer else {
                let why = row
                    .peer_failure
                    .as_ref()
                    .map_or_else(|| "no peer record".into(), |f| format!("peer failed: {f}"));
                return not_measured(what, why);
            };
            let r = ratio(&row.ours, peer);
            let (verdict, reason) =
                ratio_verdict(r, min, row.ours.accuracy, peer.accuracy, required);
            let mut measured = format!(
                "{r:.1}× ({} vs {} threads; {:.1}× per core); accuracy {:.1e} vs {:.1e}",
                row.ours.threads,
                peer.threads,
                per_core_ratio(&row.ours, peer),
                row.ours.accuracy,
                peer.accuracy
            );
            if let Some(reason) = reason {
                let _ = write!(measured, "; not comparable: {reason}");
            }
            Target {
                what,
                measured,
                verdict,
            }
        };
        let mut targets = vec![
            ratio_target(
                "learning with bookkeeping ≥ 8× NumPy",
                "learning",
                8.0,
                None,
            ),
            match self.bound_fraction("learning") {
                Some(f) => Target {
                    what: "learning ≥ 70% of the normal-generation bound",
                    measured: format!("{:.0}%", 100.0 * f),
                    verdict: Verdict::from_bool(f >= 0.7),
                },
                None => not_measured("learning ≥ 70% of the normal-generation bound", "–".into()),
            },
            ratio_target(
                "moment ODE ≥ 100× solve_ivp (DOP853) at equal tolerance, equal or better accuracy",
                "moment-ode",
                100.0,
                Some(CONTRACT_ACCURACY),
            ),
            ratio_target(
                "friction (stiffness) ≥ 100× nested quad at equal or better accuracy",
                "friction-stiffness",
                100.0,
                Some(CONTRACT_ACCURACY),
            ),
            ratio_target(
                "friction (quartic) ≥ 100× nested quad at equal or better accuracy",
                "friction-quartic",
                100.0,
                Some(CONTRACT_ACCURACY),
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
            None => not_measured("`thermocheck verify --quick` < 10 s wall", "–".into()),
        });
        targets.push(match self.cargo_test_seconds {
            Some(s) => Target {
                what: "`cargo test --workspace --release` < 10 min (warm build)",
                measured: format!("{s:.0} s"),
                verdict: Verdict::from_bool(s < 600.0),
            },
            None => not_measured(
                "`cargo test --workspace --release` < 10 min (warm build)",
                "– (pass --with-cargo-test)".into(),
            ),
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
        if self.peers_quick {
            let _ = writeln!(
                s,
                "**Warning: the peers ran with `--quick` (small sizes, one repeat): a smoke test \
                 of the comparison, not a measurement; the ratios are meaningless.**\n"
            );
        }
        if let Some(warning) = m.load_warning() {
            let _ = writeln!(s, "**Warning: {warning}**\n");
        }
        let failures = self.peer_failures();
        if !failures.is_empty() {
            let _ = writeln!(
                s,
                "**Warning: peers failed** (the run exited with status 1):\n"
            );
            for (workload, why) in &failures {
                let _ = writeln!(s, "- `{workload}`: {why}");
            }
            let _ = writeln!(s);
        }
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
        let peer_seeds = self.peer_seeds();
        let _ = writeln!(
            s,
            "- seeds: thermocheck {} (`workloads::SEED`, one Xoshiro256++ stream per chunk); \
             peers {}",
            self.seed,
            if peer_seeds.is_empty() {
                if self.python.is_some() {
                    "– (the peers run here draw no random numbers)".to_owned()
                } else {
                    "– (not run)".to_owned()
                }
            } else {
                peer_seeds.join(", ")
            }
        );
        let _ = writeln!(
            s,
            "- timing: the fastest of the stated repeats after one untimed warm-up, on both sides \
             (Python's `timeit` rule: on a shared machine slower runs measure other processes, \
             not the code; the median and slowest runs are in the details); each run's input \
             (e.g. the starting ensemble) is prepared outside the timer.\n"
        );

        let _ = writeln!(s, "## Workloads\n");
        let _ = writeln!(
            s,
            "\"threads\" is thermocheck's (rayon) threads vs the peer's; \"per core\" is the \
             ratio ÷ thermocheck's threads × the peer's threads. Secondary peer records (other \
             methods and settings) are in the details.\n"
        );
        let _ = writeln!(
            s,
            "| workload | thermocheck | peer | threads | ratio | per core | thermocheck accuracy \
             | peer accuracy |"
        );
        let _ = writeln!(s, "|---|---:|---:|---:|---:|---:|---:|---:|");
        for row in &self.rows {
            let o = &row.ours;
            let (peer, threads, ratio, per_core, peer_acc) = match &row.peer {
                Some(p) => (
                    format!("{} {}", sig(p.figure), p.unit),
                    format!("{} vs {}", o.threads, p.threads),
                    row.ratio().map_or("–".into(), |r| format!("{r:.1}×")),
                    row.per_core_ratio()
                        .map_or("–".into(), |r| format!("{r:.1}×")),
                    format!("{:.2e}", p.accuracy),
                ),
                None => (
                    if row.peer_failure.is_some() {
                        "**failed**"
                    } else {
                        "–"
                    }
                    .into(),
                    o.threads.to_string(),
                    "–".into(),
                    "–".into(),
                    "–".into(),
                ),
            };
            let _ = writeln!(
                s,
                "| `{}` | {} {} | {} | {} | {} | {} | {:.2e} | {} |",
                o.workload,
                sig(o.figure),
                o.unit,
                peer,
                threads,
                ratio,
                per_core,
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
        let _ = writeln!(
            s,
            "A ratio target stated at an accuracy counts only if the peer reached the contract's \
             {CONTRACT_ACCURACY:.0e} relative and thermocheck is at least as accurate (errors \
             below 64 ε ≈ 1.4e-14 count as equal rounding); otherwise it is \"not comparable\", \
             with the reason.\n"
        );
        let _ = writeln!(s, "| target | measured | verdict |");
        let _ = writeln!(s, "|---|---|---|");
        for t in self.targets() {
            let _ = writeln!(s, "| {} | {} | {} |", t.what, t.measured, t.verdict.label());
        }
        let _ = writeln!(s);

        let _ = writeln!(s, "## Details\n");
        for row in &self.rows {
            self.details(&mut s, row);
        }
        s
    }

    /// The seeds the peers state in their records' details (`details.seed`), as
    /// `workload seed`.
    fn peer_seeds(&self) -> Vec<String> {
        self.rows
            .iter()
            .filter_map(|r| {
                let peer = r.peer.as_ref()?;
                let seed = peer.details.as_ref()?.get("seed")?;
                Some(format!("{} {seed}", peer.workload))
            })
            .collect()
    }

    fn details(&self, s: &mut String, row: &Row) {
        let o = &row.ours;
        let _ = writeln!(s, "### `{}`\n", o.workload);
        let _ = writeln!(
            s,
            "- thermocheck: {}; {} {}; fastest {} s of {} runs; {} thread{}; accuracy {:.2e}: {}{}",
            o.implementation,
            sig(o.figure),
            o.unit,
            sig(o.seconds),
            o.repeats,
            o.threads,
            if o.threads == 1 { "" } else { "s" },
            o.accuracy,
            o.accuracy_metric,
            facts(o)
        );
        if let Some(p) = &row.peer {
            let _ = writeln!(
                s,
                "- peer: {}; {} {}; fastest {} s of {} runs; {} thread{}; accuracy {:.2e}: {}{}",
                p.implementation,
                sig(p.figure),
                p.unit,
                sig(p.seconds),
                p.repeats,
                p.threads,
                if p.threads == 1 { "" } else { "s" },
                p.accuracy,
                p.accuracy_metric,
                facts(p)
            );
            for a in &p.alternatives {
                let _ = writeln!(
                    s,
                    "- peer alternative: {}; {} {}; fastest {} s of {} runs; {} thread{}; \
                     accuracy {:.2e}: {}; thermocheck ÷ this = **{:.1}×** ({:.1}× per core){}",
                    a.implementation,
                    sig(a.figure),
                    a.unit,
                    sig(a.seconds),
                    a.repeats,
                    a.threads,
                    if a.threads == 1 { "" } else { "s" },
                    a.accuracy,
                    a.accuracy_metric,
                    ratio(o, a),
                    per_core_ratio(o, a),
                    facts(a)
                );
            }
        }
        if let Some(why) = &row.peer_failure {
            let _ = writeln!(s, "- peer: **failed**: {why}");
        }
        if matches!(o.workload.as_str(), "normals" | "ou-step" | "learning") {
            let _ = writeln!(
                s,
                "- threads: NumPy's `Generator` is single-threaded as the peer uses it (one \
                 `Generator(PCG64)`, one thread); thermocheck runs {} rayon thread{} (one \
                 Xoshiro256++ stream per chunk), so the per-core ratio is the ratio ÷ {}.",
                o.threads,
                if o.threads == 1 { "" } else { "s" },
                o.threads
            );
        }
        let _ = writeln!(s);
    }
}

/// `; details: {...}` of a record's free-form facts (the per-run seconds left out), or nothing.
fn facts(record: &Record) -> String {
    let Some(serde_json::Value::Object(map)) = &record.details else {
        return String::new();
    };
    let kept: serde_json::Map<String, serde_json::Value> = map
        .iter()
        .filter(|(k, v)| k.as_str() != "run_seconds" && !v.is_object() && !v.is_array())
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    if kept.is_empty() {
        String::new()
    } else {
        format!("; details: `{}`", serde_json::Value::Object(kept))
    }
}

fn not_measured(what: &'static str, measured: String) -> Target {
    Target {
        what,
        measured,
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
            threads: 1,
            details: None,
            alternatives: Vec::new(),
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

    fn report(rows: Vec<Row>) -> Report {
        Report {
            rows,
            machine: machine(),
            python: Some(("2.0".into(), "1.14".into())),
            peers_skipped: None,
            peers_quick: false,
            cargo_test_seconds: None,
            load_average_end: "0.1 0.2 0.3".into(),
            seed: 7,
        }
    }

    fn row(w: &str, ours: f64, peer: Option<(f64, f64)>, acc: f64) -> Row {
        Row::new(
            record(w, ours, acc),
            peer.map(|(p, peer_acc)| record(w, p, peer_acc)),
        )
    }

    #[test]
    fn ratio_verdicts_need_the_contract_accuracy_on_both_sides() {
        use Verdict::*;
        let req = Some(CONTRACT_ACCURACY);
        // Fast enough, the peer within 1e-10, thermocheck at least as accurate: met.
        assert_eq!(
            ratio_verdict(150.0, 100.0, 1e-13, 2.6e-11, req),
            (Met, None)
        );
        assert_eq!(
            ratio_verdict(150.0, 100.0, 2.6e-11, 2.6e-11, req),
            (Met, None)
        );
        // Comparable but too slow: missed.
        assert_eq!(
            ratio_verdict(50.0, 100.0, 1e-13, 2.6e-11, req),
            (Missed, None)
        );
        // The peer missed 1e-10: not comparable, however fast.
        let (v, why) = ratio_verdict(1e4, 100.0, 1e-13, 2e-9, req);
        assert_eq!(v, NotComparable);
        assert!(why.unwrap().contains("2.0e-9"));
        // thermocheck less accurate than the peer: not comparable.
        let (v, why) = ratio_verdict(1e4, 100.0, 5e-11, 1e-12, req);
        assert_eq!(v, NotComparable);
        assert!(why.unwrap().contains("worse"));
        // Both at rounding level (below 64 ε): equal, so comparable.
        assert_eq!(
            ratio_verdict(150.0, 100.0, 2.2e-16, 1.1e-16, req),
            (Met, None)
        );
        assert_eq!(
            ratio_verdict(150.0, 100.0, 1e-14, 1.1e-16, req),
            (Met, None)
        );
        assert_eq!(
            ratio_verdict(150.0, 100.0, 2e-14, 1.1e-16, req).0,
            NotComparable
        );
        // A NaN accuracy is never comparable, a NaN ratio never met.
        assert_eq!(
            ratio_verdict(1e4, 100.0, f64::NAN, 1e-12, req).0,
            NotComparable
        );
        assert_eq!(
            ratio_verdict(1e4, 100.0, 1e-13, f64::NAN, req).0,
            NotComparable
        );
        assert_eq!(ratio_verdict(f64::NAN, 100.0, 1e-13, 1e-12, req).0, Missed);
        // Statistical accuracies (no requirement): the ratio alone.
        assert_eq!(ratio_verdict(9.0, 8.0, 1e-3, 1e-4, None), (Met, None));
        assert_eq!(ratio_verdict(7.0, 8.0, 1e-3, 1e-4, None), (Missed, None));
    }

    #[test]
    fn targets_are_judged_from_the_rows() {
        let report = report(vec![
            row("normals", 100.0, Some((50.0, 1e-3)), 0.0),
            row("learning", 80.0, Some((9.0, 1e-3)), 0.0),
            row("moment-ode", 1000.0, Some((20.0, 1e-12)), 1e-13),
            row("friction-stiffness", 1000.0, Some((1.0, 2.6e-11)), 2e-11),
            row("friction-quartic", 1000.0, Some((1.0, 1e-12)), 1e-11),
            row("verify-quick", 4.0, None, 0.0),
        ]);
        let v: Vec<Verdict> = report.targets().iter().map(|t| t.verdict).collect();
        use Verdict::*;
        // 80/9 ≥ 8; 80% of the bound; 50× < 100×; stiffness fast and as accurate; quartic fast
        // but less accurate than the peer; verify 4 s; cargo test not measured.
        assert_eq!(v, [Met, Met, Missed, Met, NotComparable, Met, NotMeasured]);
        let md = report.markdown();
        assert!(
            md.contains("| `learning` | 80.00 1/s | 9.000 1/s | 1 vs 1 | 8.9× | 8.9× |"),
            "{md}"
        );
        assert!(md.contains("= **80%**"), "{md}");
        assert!(
            md.contains("not comparable: thermocheck's accuracy 1.0e-11"),
            "{md}"
        );
        assert!(md.contains("- seeds: thermocheck 7"), "{md}");
    }

    #[test]
    fn threads_give_a_per_core_ratio_and_alternatives_reach_the_details() {
        let mut ours = record("moment-ode", 2000.0, 1e-13);
        ours.threads = 2;
        let mut peer = record("moment-ode", 10.0, 1e-12);
        let mut rk45 = record("moment-ode", 20.0, 3e-11);
        rk45.implementation = "RK45".into();
        rk45.details = Some(serde_json::json!({"rhs_evaluations": 1234, "run_seconds": [1.0]}));
        peer.alternatives = vec![rk45];
        let row = Row::new(ours, Some(peer));
        assert_eq!(row.ratio(), Some(200.0));
        assert_eq!(row.per_core_ratio(), Some(100.0));
        let md = report(vec![row]).markdown();
        assert!(md.contains("| 2 vs 1 | 200.0× | 100.0× |"), "{md}");
        assert!(md.contains("- peer alternative: RK45; 20.00 1/s"), "{md}");
        assert!(md.contains("**100.0×** (50.0× per core)"), "{md}");
        assert!(
            md.contains(r#"details: `{"rhs_evaluations":1234}`"#),
            "{md}"
        );
    }

    #[test]
    fn a_failed_peer_is_reported() {
        let mut failed = row("friction-quartic", 1000.0, None, 1e-13);
        failed.peer_failure = Some("friction.py failed (exit status: 1): boom".into());
        let report = report(vec![failed]);
        assert_eq!(
            report.peer_failures(),
            [(
                "friction-quartic",
                "friction.py failed (exit status: 1): boom"
            )]
        );
        let quartic = &report.targets()[4];
        assert_eq!(quartic.verdict, Verdict::NotMeasured);
        assert!(quartic.measured.contains("boom"));
        let md = report.markdown();
        assert!(md.contains("**Warning: peers failed**"), "{md}");
        assert!(md.contains("| **failed** |"), "{md}");
    }

    #[test]
    fn a_loaded_machine_is_warned_about() {
        let mut r = report(vec![]);
        assert!(!r.markdown().contains("Warning"));
        r.machine.load_average = "1.5 1.0 0.5".into();
        assert!(
            r.markdown()
                .contains("**Warning: the 1-minute load average")
        );
    }

    #[test]
    fn significant_digits() {
        assert_eq!(sig(123.456), "123.5");
        assert_eq!(sig(1.5e8), "1.500e8");
        assert_eq!(sig(0.5), "0.5000");
        assert_eq!(sig(0.0), "0");
    }
}
