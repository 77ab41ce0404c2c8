//! The machine and toolchain a report was measured on.

use serde::Serialize;
use std::process::Command;
use std::time::{SystemTime, UNIX_EPOCH};

/// Cores, CPU model, date and tool versions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Machine {
    /// `std::thread::available_parallelism()`.
    pub cores: usize,
    /// The first `model name` of `/proc/cpuinfo` (or `unknown`).
    pub cpu_model: String,
    /// Rayon worker threads the workloads ran on.
    pub threads: usize,
    /// `YYYY-MM-DD HH:MM UTC` when the report was made.
    pub date_utc: String,
    /// `rustc --version`.
    pub rustc: String,
    /// The 1-, 5- and 15-minute load averages of `/proc/loadavg` when probed: above the core
    /// count, other processes shared the machine with the measurements.
    pub load_average: String,
}

impl Machine {
    /// Probes the running machine.
    pub fn probe() -> Self {
        Machine {
            cores: std::thread::available_parallelism().map_or(1, usize::from),
            cpu_model: cpu_model().unwrap_or_else(|| "unknown".into()),
            threads: rayon::current_num_threads(),
            date_utc: utc_now(),
            rustc: command_line("rustc", &["--version"]).unwrap_or_else(|| "unknown".into()),
            load_average: load_average(),
        }
    }

    /// A warning when the 1-minute load average at the start exceeds half the cores: other
    /// processes then shared the machine with the measurements (the multi-threaded Rust figures
    /// suffer most).
    pub fn load_warning(&self) -> Option<String> {
        load_warning(&self.load_average, self.cores)
    }
}

/// The warning of [`Machine::load_warning`] for `load_average` (`/proc/loadavg`'s first three
/// fields) on `cores` cores, or `None` below 0.5 × cores or if unreadable.
pub fn load_warning(load_average: &str, cores: usize) -> Option<String> {
    let one_minute: f64 = load_average.split_whitespace().next()?.parse().ok()?;
    let limit = 0.5 * cores as f64;
    (one_minute > limit).then(|| {
        format!(
            "the 1-minute load average at the start was {one_minute} (> 0.5 × {cores} cores = \
             {limit}): the machine was shared, the figures are lower than on an idle machine"
        )
    })
}

/// The three load averages of `/proc/loadavg` (or `unknown`).
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|| "unknown".into())
}

fn cpu_model() -> Option<String> {
    let info = std::fs::read_to_string("/proc/cpuinfo").ok()?;
    info.lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split_once(':'))
        .map(|(_, v)| v.trim().to_owned())
}

/// The first line of a command's stdout, if it ran successfully.
pub fn command_line(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).output().ok()?;
    if !out.status.success() {
        return None;
    }
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .next()
        .map(|l| l.trim().to_owned())
}

/// The current UTC time as `YYYY-MM-DD HH:MM UTC`.
pub fn utc_now() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    format_utc(secs)
}

/// `secs` since the Unix epoch as `YYYY-MM-DD HH:MM UTC` (proleptic Gregorian calendar).
pub fn format_utc(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let (hour, minute) = ((secs % 86_400) / 3600, (secs % 3600) / 60);
    // Days to civil date (H. Hinnant, "chrono-compatible low-level date algorithms").
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02} {hour:02}:{minute:02} UTC")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn load_warns_above_half_the_cores() {
        assert!(load_warning("0.9 0.5 0.2", 2).is_none());
        assert!(load_warning("1.0 0.5 0.2", 2).is_none());
        assert!(load_warning("1.01 0.5 0.2", 2).unwrap().contains("1.01"));
        assert!(load_warning("unknown", 2).is_none());
    }

    #[test]
    fn dates_match_known_epochs() {
        // `date -u -d @0`, `@951782400` (2000-02-29, a leap day) and `@1795400000`.
        assert_eq!(format_utc(0), "1970-01-01 00:00 UTC");
        assert_eq!(format_utc(951_782_400), "2000-02-29 00:00 UTC");
        assert_eq!(format_utc(1_795_400_000), "2026-11-23 02:13 UTC");
    }
}
