//! thermocheck's performance workloads (issue #7): each hot path as one function that runs the
//! workload once and reports its figure and achieved accuracy, shared by the criterion benchmarks
//! (`cargo bench -p thermocheck-bench`) and the `performance` report, which runs the NumPy/SciPy
//! peers in `benches/peers/` on the same workloads and writes `docs/performance.md`.
//!
//! The workloads and their records follow `PERF-CONTRACT` (the contract with the peer scripts):
//!
//! | workload | [`Workload`] | figure |
//! |---|---|---|
//! | `ou-step` | [`workloads::OuStep`] | particle-steps/s of [`Ensemble::step_ou_exact`](thermocheck_numerics::sde::Ensemble::step_ou_exact) |
//! | `normals` | [`workloads::Normals`] | standard normal variates/s (the bound of the Langevin steps) |
//! | `learning` | [`workloads::Learning`] | particle-steps/s of [`particles::learn_streaming`](thermocheck_dissipation::particles::learn_streaming) |
//! | `moment-ode` | [`workloads::MomentOde`] | solves/s of [`moments::learn`](thermocheck_dissipation::moments::learn) |
//! | `friction-stiffness`, `friction-quartic` | [`workloads::Friction`] | evaluations/s of [`friction_tensor`](thermocheck_metric::friction::friction_tensor) |
//! | `verify-quick` | [`workloads::VerifyQuick`] | wall seconds of `thermocheck verify --quick` |
//!
//! Timing ([`measure`]): one untimed warm-up run, then the fastest of `repeats` timed runs (the
//! rule of Python's `timeit`, which both sides follow: on a shared machine slower runs measure the
//! interference of other processes, not the code); each run's input is prepared outside the
//! timed region ([`Workload::prepare`]). The median and the slowest run go under `details`.
#![forbid(unsafe_code)]

pub mod machine;
pub mod peers;
pub mod report;
pub mod workloads;

use serde::{Deserialize, Serialize};
use std::time::Instant;
use thermocheck_numerics::error::{self, Result};

/// One workload's measurement: the record both sides of the comparison print (the contract's
/// JSON object).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// The contract's workload name, e.g. `learning`.
    pub workload: String,
    /// The throughput (or, for `verify-quick`, the wall time) in `unit`.
    pub figure: f64,
    /// Unit of `figure`, e.g. `particle-steps/s`.
    pub unit: String,
    /// Seconds of the fastest timed run.
    pub seconds: f64,
    /// The achieved accuracy (see `accuracy_metric`).
    pub accuracy: f64,
    /// What `accuracy` measures, with its expected size where it is statistical.
    pub accuracy_metric: String,
    /// Timed runs the fastest is taken from (after one warm-up).
    pub repeats: usize,
    /// One line: the implementation and method.
    pub implementation: String,
    /// Threads the timed work ran on (thermocheck: its rayon threads for the parallel
    /// workloads; a peer that does not state it: 1).
    #[serde(default = "one_thread")]
    pub threads: usize,
    /// Free-form facts of the run (seeds, RHS calls, CPU seconds, ...), printed in the report's
    /// details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<serde_json::Value>,
    /// Secondary records of the same workload (another method or setting of the same side),
    /// printed in the report's details with their ratio against thermocheck; the main table
    /// keeps one row per workload.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alternatives: Vec<Record>,
}

fn one_thread() -> usize {
    1
}

/// A workload of the contract: prepared outside the timer, run inside it, scored afterwards.
pub trait Workload {
    /// What a run needs that is not part of the timed work (e.g. the starting ensemble).
    type Input;
    /// What a run returns, scored by [`Workload::accuracy`].
    type Output;

    /// The contract's workload name.
    fn name(&self) -> String;
    /// Unit of the figure.
    fn unit(&self) -> String;
    /// Units of work in one run (e.g. particle-steps); the figure is work per second.
    fn work(&self) -> f64;
    /// The figure of a run lasting `seconds`: by default [`Workload::work`] per second.
    fn figure(&self, seconds: f64) -> f64 {
        self.work() / seconds
    }
    /// Builds one run's input (untimed).
    ///
    /// # Errors
    /// Whatever the library reports for the workload's parameters.
    fn prepare(&mut self) -> Result<Self::Input>;
    /// The timed work.
    ///
    /// # Errors
    /// Whatever the library reports for the workload.
    fn run(&mut self, input: Self::Input) -> Result<Self::Output>;
    /// The achieved accuracy of a run's output.
    fn accuracy(&self, output: &Self::Output) -> f64;
    /// What [`Workload::accuracy`] measures, with the statistical or discretisation error it is
    /// subject to where that depends on the run (e.g. the measured sd of the work).
    fn accuracy_metric(&self, output: &Self::Output) -> String;
    /// One line naming the implementation and method.
    fn implementation(&self) -> String;
    /// Timed runs for the report (after one warm-up).
    fn repeats(&self) -> usize;
    /// Threads the timed work runs on (by default 1: a sequential workload).
    fn threads(&self) -> usize {
        1
    }
    /// Facts of a run for the report's details (by default none).
    fn details(&self, _output: &Self::Output) -> Option<serde_json::Value> {
        None
    }
}

/// Runs `workload` once untimed (warm-up), then `repeats` timed runs, and returns the record
/// with the fastest run's time, the accuracy of the last run, and the median and slowest run's
/// seconds under `details` (`run_seconds_median`, `run_seconds_max`).
///
/// # Errors
/// `repeats` = 0, or the first error of a run.
pub fn measure<W: Workload>(workload: &mut W, repeats: usize) -> Result<Record> {
    let repeats = error::count_at_least("repeats", repeats, 1)?;
    let input = workload.prepare()?;
    let mut output = workload.run(input)?;
    let mut seconds = Vec::with_capacity(repeats);
    for _ in 0..repeats {
        let input = workload.prepare()?;
        let start = Instant::now();
        output = workload.run(input)?;
        seconds.push(start.elapsed().as_secs_f64());
    }
    let median = median(&mut seconds);
    let fastest = seconds[0];
    // The spread of the timed runs (sorted by `median`), so that a report shows how noisy the
    // machine was; the peers record every run's seconds the same way.
    let spread = [
        ("run_seconds_median", median),
        ("run_seconds_max", seconds[seconds.len() - 1]),
    ];
    let mut details = workload
        .details(&output)
        .unwrap_or_else(|| serde_json::Value::Object(serde_json::Map::new()));
    if let serde_json::Value::Object(map) = &mut details {
        for (key, value) in spread {
            map.insert(key.into(), serde_json::json!(value));
        }
    }
    Ok(Record {
        workload: workload.name(),
        figure: workload.figure(fastest),
        unit: workload.unit(),
        seconds: fastest,
        accuracy: workload.accuracy(&output),
        accuracy_metric: workload.accuracy_metric(&output),
        repeats,
        implementation: workload.implementation(),
        threads: workload.threads(),
        details: Some(details),
        alternatives: Vec::new(),
    })
}

/// [`measure`] with the workload's own [`Workload::repeats`].
///
/// # Errors
/// As [`measure`].
pub fn measure_default<W: Workload>(workload: &mut W) -> Result<Record> {
    let repeats = workload.repeats();
    measure(workload, repeats)
}

/// The median of a non-empty sample (mean of the middle two for an even count).
fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n % 2 == 1 {
        values[n / 2]
    } else {
        0.5 * (values[n / 2 - 1] + values[n / 2])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_and_even_samples() {
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&mut [4.0, 1.0, 3.0, 2.0]), 2.5);
    }
}
