//! Runs thermocheck's workloads and their NumPy/SciPy peers back to back (each workload, then
//! its peer) and writes `docs/performance.md`.
//!
//! ```text
//! cargo run --release -p thermocheck-bench --bin performance -- [--out PATH] [--skip-peers]
//!     [--quick-peers] [--only W1,W2,...] [--with-cargo-test]
//! ```
//!
//! - `--out PATH`: where to write the report (default `docs/performance.md` under the
//!   repository root);
//! - `--skip-peers`: thermocheck's side only (no Python needed);
//! - `--only`: a comma-separated subset of the workloads (`ou-step`, `normals`, `learning`,
//!   `moment-ode`, `moment-ode+estimate`, `friction-stiffness`, `friction-quartic`,
//!   `verify-quick`);
//! - `--quick-peers`: run the peers with `--quick` (small sizes, one repeat): a smoke test of
//!   the comparison, not a measurement (the report says so);
//! - `--with-cargo-test`: also time `cargo test --workspace --release` (minutes).
//!
//! Exit status 1 if a workload or a peer failed (a failed peer is also recorded in the report);
//! exit status 2, with one line naming `python3 -m pip install -r benches/peers/requirements.txt`,
//! if the peers are wanted and `python3` lacks numpy or scipy.
#![forbid(unsafe_code)]

use std::path::PathBuf;
use std::process::{Command, ExitCode, Stdio};
use thermocheck_bench::machine::Machine;
use thermocheck_bench::peers::{self, PeerError};
use thermocheck_bench::report::{Report, Row};
use thermocheck_bench::workloads::{
    Friction, FrictionFamily, Learning, MomentOde, Normals, OuStep, VerifyQuick, timed,
};
use thermocheck_bench::{Record, Workload, measure_default};

const WORKLOADS: [&str; 8] = [
    "ou-step",
    "normals",
    "learning",
    "moment-ode",
    "moment-ode+estimate",
    "friction-stiffness",
    "friction-quartic",
    "verify-quick",
];

struct Args {
    out: Option<PathBuf>,
    skip_peers: bool,
    only: Vec<String>,
    cargo_test: bool,
    quick_peers: bool,
}

const USAGE: &str = "usage: performance [--out PATH] [--skip-peers] [--quick-peers] [--only W1,W2] \
                     [--with-cargo-test]";

/// The arguments, or `None` when `--help` asked for the usage line.
fn parse_args() -> Result<Option<Args>, String> {
    let mut args = Args {
        out: None,
        skip_peers: false,
        only: WORKLOADS.iter().map(|s| (*s).to_owned()).collect(),
        cargo_test: false,
        quick_peers: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--out" => args.out = Some(it.next().ok_or("--out needs a path")?.into()),
            "--skip-peers" => args.skip_peers = true,
            "--with-cargo-test" => args.cargo_test = true,
            "--quick-peers" => args.quick_peers = true,
            "--only" => {
                let list = it.next().ok_or("--only needs a list of workloads")?;
                args.only = list.split(',').map(|s| s.trim().to_owned()).collect();
                if let Some(bad) = args.only.iter().find(|w| !WORKLOADS.contains(&w.as_str())) {
                    return Err(format!(
                        "unknown workload {bad:?} (one of {})",
                        WORKLOADS.join(", ")
                    ));
                }
            }
            "-h" | "--help" => return Ok(None),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(Some(args))
}

/// The peer script a workload is compared with.
fn peer_script(workload: &str) -> Option<&'static str> {
    match workload {
        "ou-step" => Some("ou-step"),
        "normals" => Some("normals"),
        "learning" => Some("learning"),
        "moment-ode" | "moment-ode+estimate" => Some("moment-ode"),
        "friction-stiffness" | "friction-quartic" => Some("friction"),
        _ => None,
    }
}

fn run<W: Workload>(mut workload: W) -> Result<Record, String> {
    eprint!("thermocheck {} ... ", workload.name());
    let record = measure_default(&mut workload).map_err(|e| format!("{}: {e}", workload.name()))?;
    eprintln!(
        "{:.4e} {} (fastest run {:.4} s, accuracy {:.2e})",
        record.figure, record.unit, record.seconds, record.accuracy
    );
    Ok(record)
}

/// Builds the `thermocheck` binary when run through cargo (so `verify-quick` times the current
/// sources), then locates it.
fn verify_quick() -> Result<VerifyQuick, String> {
    if let Some(cargo) = std::env::var_os("CARGO") {
        let status = Command::new(cargo)
            .args([
                "build",
                "--release",
                "--quiet",
                "-p",
                "thermocheck",
                "--bin",
                "thermocheck",
            ])
            .status()
            .map_err(|e| format!("cargo build -p thermocheck: {e}"))?;
        if !status.success() {
            return Err(format!("cargo build -p thermocheck failed ({status})"));
        }
    }
    VerifyQuick::locate().map_err(|e| e.to_string())
}

fn thermocheck_records(only: &[String]) -> Result<Vec<Record>, String> {
    let mut records = Vec::new();
    for name in only {
        let record = match name.as_str() {
            "ou-step" => run(OuStep::contract())?,
            "normals" => run(Normals::contract())?,
            "learning" => run(Learning::contract())?,
            "moment-ode" => run(MomentOde::new(false))?,
            "moment-ode+estimate" => run(MomentOde::new(true))?,
            "friction-stiffness" => run(Friction::new(FrictionFamily::Stiffness))?,
            "friction-quartic" => run(Friction::new(FrictionFamily::Quartic))?,
            "verify-quick" => run(verify_quick()?)?,
            other => return Err(format!("unknown workload {other}")),
        };
        records.push(record);
    }
    Ok(records)
}

/// The peer record of each of `ours` (`None` for a workload without a peer), or the reason it
/// has none although its peer ran: the script failed or printed no record of that workload.
type PeerOutcome = Result<Option<Record>, String>;

fn peer_records(ours: &[Record], quick: bool) -> Result<Vec<PeerOutcome>, PeerError> {
    let root = peers::repository_root().ok_or_else(|| {
        PeerError::Script("no benches/peers/ above this workspace or the current directory".into())
    })?;
    let mut by_script: Vec<(&str, Result<Vec<Record>, PeerError>)> = Vec::new();
    let mut out = Vec::new();
    for record in ours {
        let Some(script) = peer_script(&record.workload) else {
            out.push(Ok(None));
            continue;
        };
        if !by_script.iter().any(|(s, _)| *s == script) {
            eprint!("peer {script} ... ");
            let args: &[&str] = if quick { &["--quick"] } else { &[] };
            let result = peers::run_script(&root, script, args);
            match &result {
                Ok(rs) => eprintln!(
                    "{}",
                    rs.iter()
                        .map(|r| format!("{}: {:.4e} {}", r.workload, r.figure, r.unit))
                        .collect::<Vec<_>>()
                        .join("; ")
                ),
                Err(e) => eprintln!("failed: {e}"),
            }
            by_script.push((script, result));
        }
        let (_, result) = by_script
            .iter()
            .find(|(s, _)| *s == script)
            .expect("just inserted");
        out.push(match result {
            Ok(records) => peers::matching(&record.workload, records)
                .cloned()
                .map(Some)
                .ok_or_else(|| {
                    format!(
                        "benches/peers/{script}.py printed no record named {:?} (it printed {})",
                        record.workload,
                        records
                            .iter()
                            .map(|r| format!("{:?}", r.workload))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                }),
            Err(e) => Err(e.to_string()),
        });
    }
    Ok(out)
}

/// The root of the workspace this binary was built from (two levels above this crate).
fn workspace_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest
        .ancestors()
        .nth(2)
        .map_or_else(|| manifest.clone(), PathBuf::from)
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(Some(a)) => a,
        Ok(None) => {
            println!("{USAGE}");
            println!("workloads: {}", WORKLOADS.join(", "));
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("error: {e}; {USAGE}");
            return ExitCode::from(2);
        }
    };
    let python = if args.skip_peers {
        None
    } else {
        match peers::versions() {
            Ok(v) => Some(v),
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        }
    };
    let machine = Machine::probe();
    if let Some(warning) = machine.load_warning() {
        eprintln!("warning: {warning}");
    }
    // Each workload's peer runs right after it, not after all of thermocheck's: this shared VM
    // has slow and fast phases lasting seconds to minutes (the same binary's moment ODE measured
    // 139k-238k solves/s), and a ratio should compare two measurements of one phase.
    let (mut ours, mut peers) = (Vec::new(), Vec::new());
    for name in &args.only {
        let record = match thermocheck_records(std::slice::from_ref(name)) {
            Ok(mut r) => r.remove(0),
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(1);
            }
        };
        let peer = if python.is_some() {
            match peer_records(std::slice::from_ref(&record), args.quick_peers) {
                Ok(mut p) => p.remove(0),
                Err(e) => {
                    eprintln!("error: {e}");
                    return ExitCode::from(2);
                }
            }
        } else {
            Ok(None)
        };
        ours.push(record);
        peers.push(peer);
    }
    let cargo_test_seconds = if args.cargo_test {
        eprint!("cargo test --workspace --release ... ");
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let (seconds, status) = timed(|| {
            Command::new(cargo)
                .args(["test", "--workspace", "--release", "--quiet"])
                .current_dir(workspace_root())
                // The test output would mix with the report's; the exit status tells.
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
        });
        match status {
            Ok(s) if s.success() => {
                eprintln!("{seconds:.0} s");
                Some(seconds)
            }
            other => {
                eprintln!("failed ({other:?}); not reported");
                None
            }
        }
    } else {
        None
    };
    let report = Report {
        rows: ours
            .into_iter()
            .zip(peers)
            .map(|(ours, peer)| match peer {
                Ok(peer) => Row::new(ours, peer),
                Err(why) => Row {
                    ours,
                    peer: None,
                    peer_failure: Some(why),
                },
            })
            .collect(),
        machine,
        python,
        peers_skipped: args.skip_peers.then(|| "--skip-peers".to_owned()),
        peers_quick: args.quick_peers && !args.skip_peers,
        cargo_test_seconds,
        load_average_end: thermocheck_bench::machine::load_average(),
        seed: thermocheck_bench::workloads::SEED,
    };
    let out = args
        .out
        .unwrap_or_else(|| workspace_root().join("docs").join("performance.md"));
    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        if let Err(e) = std::fs::create_dir_all(dir) {
            eprintln!("error: {}: {e}", dir.display());
            return ExitCode::from(1);
        }
    }
    let markdown = report.markdown();
    if let Err(e) = std::fs::write(&out, &markdown) {
        eprintln!("error: {}: {e}", out.display());
        return ExitCode::from(1);
    }
    for t in report.targets() {
        println!("{:<70} {:<40} {:?}", t.what, t.measured, t.verdict);
    }
    println!("wrote {}", out.display());
    let failures = report.peer_failures();
    if failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        for (workload, why) in failures {
            eprintln!("error: the peer of {workload} failed: {why}");
        }
        ExitCode::from(1)
    }
}
