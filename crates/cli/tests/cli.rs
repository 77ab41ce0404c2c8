//! End-to-end tests of the `thermocheck` binary: the CLI contract of DESIGN.md.

use std::process::{Command, Output};

fn thermocheck(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_thermocheck"))
        .args(args)
        .env("CI", "true")
        .output()
        .expect("the thermocheck binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("UTF-8 stdout")
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).expect("UTF-8 stderr")
}

/// Bad input: exit code 2 and exactly one line on stderr, starting `error: `.
#[track_caller]
fn assert_input_error(args: &[&str], expected_fragment: &str) {
    let o = thermocheck(args);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{args:?}: stderr {err}");
    assert_eq!(
        err.lines().count(),
        1,
        "{args:?}: stderr must be one line: {err}"
    );
    assert!(err.starts_with("error: "), "{args:?}: {err}");
    assert!(
        err.contains(expected_fragment),
        "{args:?}: `{err}` lacks `{expected_fragment}`"
    );
    assert!(
        stdout(&o).is_empty(),
        "{args:?}: nothing on stdout on error"
    );
}

#[test]
fn bad_input_exits_2_with_one_line() {
    assert_input_error(&[], "a command is required");
    assert_input_error(&["frobnicate"], "unrecognized subcommand");
    assert_input_error(
        &["eval", "no-such-quantity"],
        "unknown quantity `no-such-quantity`",
    );
    assert_input_error(&["verify", "--filter", "ZZ9"], "`ZZ9`");
    assert_input_error(&["verify", "--threads", "0"], "--threads");
    assert_input_error(&["verify", "--seed", "-3"], "--seed");
    assert_input_error(&["verify", "--quick", "--full"], "--full");
    let ou = [
        "eval",
        "ou-variance",
        "--stiffness",
        "2",
        "--time",
        "1",
        "--initial-variance",
        "0.5",
    ];
    assert_input_error(
        &[&ou[..], &["--diffusion", "-1"]].concat(),
        "--diffusion must be finite and > 0 (got -1)",
    );
    assert_input_error(
        &[&ou[..], &["--diffusion", "nan"]].concat(),
        "--diffusion must be",
    );
    assert_input_error(
        &[&ou[..], &["--diffusion", "abc"]].concat(),
        "a number (got `abc`)",
    );
    assert_input_error(&ou, "missing required parameter --diffusion");
    assert_input_error(
        &[&ou[..], &["--diffusion", "1", "--bogus", "1"]].concat(),
        "unknown parameter `--bogus`",
    );
    assert_input_error(
        &[&ou[..], &["--diffusion"]].concat(),
        "--diffusion requires a value",
    );
}

#[test]
fn eval_prints_the_value_alone_or_json() {
    let args = [
        "eval",
        "ou-variance",
        "--stiffness",
        "2",
        "--diffusion",
        "0.5",
        "--time",
        "1",
        "--initial-variance",
        "0.25",
    ];
    let plain = thermocheck(&args);
    assert_eq!(plain.status.code(), Some(0), "{}", stderr(&plain));
    let text = stdout(&plain);
    let value: f64 = text.trim().parse().expect("a bare number");
    let json = thermocheck(&[&args[..], &["--json"]].concat());
    let doc: serde_json::Value = serde_json::from_str(&stdout(&json)).expect("JSON");
    assert_eq!(doc["quantity"], "ou-variance");
    assert_eq!(doc["params"]["stiffness"], 2.0);
    // Same f64 bit for bit: both outputs are shortest round-trip representations.
    assert_eq!(doc["value"].as_f64().unwrap().to_bits(), value.to_bits());
}

#[test]
fn list_shows_claims_and_quantities() {
    let o = thermocheck(&["list", "--json"]);
    assert_eq!(o.status.code(), Some(0));
    let doc: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("JSON");
    let ids: Vec<&str> = doc["claims"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    for id in [
        "NV1", "NV2", "NV3", "NV4", "NV5", "NV6", "NV7", "NV8", "NV9", "DV1", "DV10",
    ] {
        assert!(ids.contains(&id), "{id} missing from list: {ids:?}");
    }
    let names: Vec<&str> = doc["quantities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["name"].as_str().unwrap())
        .collect();
    for name in [
        "ou-variance",
        "ou-mean",
        "min-excess-work",
        "ramp-excess-work",
        "optimal-learning-rate",
        "initial-impulse",
        "final-impulse",
        "optimal-protocol",
        "stiffness-min-work",
    ] {
        assert!(names.contains(&name), "{name} missing from list: {names:?}");
    }
}

#[test]
fn simulate_learning_reports_the_bias_identity_and_writes_csv() {
    let base = [
        "simulate",
        "learning",
        "--schedule",
        "optimal",
        "--particles",
        "2000",
        "--steps",
        "50",
        "--duration",
        "1",
        "--variance",
        "1",
        "--diffusion",
        "1",
        "--start",
        "0",
        "--target",
        "2",
    ];
    let o = thermocheck(&base);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = stdout(&o);
    let residual: f64 = text
        .lines()
        .find(|l| l.starts_with("(L − L̃) − (ΣW − ΔF)"))
        .and_then(|l| l.split_whitespace().nth(7))
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no D8 residual in {text}"));
    // D8 holds to round-off: 50 updates, O(1) ledger terms.
    assert!(residual.abs() < 1e-12, "{residual}");

    let dir = std::env::temp_dir().join(format!("thermocheck-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let csv = dir.join("run.csv");
    let o = thermocheck(&[&base[..], &["--out", csv.to_str().unwrap()]].concat());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let rows = std::fs::read_to_string(&csv).unwrap();
    let mut lines = rows.lines();
    assert_eq!(
        lines.next(),
        Some("t,theta,chain_mean,work,objective,approximate_objective,bias")
    );
    assert_eq!(lines.count(), 50);
    std::fs::remove_dir_all(&dir).unwrap();

    assert_input_error(&[&base[..4], &["--rate", "1"]].concat(), "--particles");
    let constant = [&base[..3], &["constant"], &base[4..]].concat();
    assert_input_error(&constant, "--schedule constant requires --rate");
    let mut bad = base.to_vec();
    bad[11] = "-1";
    assert_input_error(&bad, "--variance must be finite and > 0 (got -1)");
}

/// The evidence of a verify run: everything but the header (which names the thread count).
fn evidence_json(threads: &str) -> serde_json::Value {
    let o = thermocheck(&[
        "verify",
        "--quick",
        "--filter",
        "NV",
        "--seed",
        "12345",
        "--threads",
        threads,
        "--json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let mut doc: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("JSON");
    assert_eq!(doc["seed"], 12345);
    assert!(doc["failed"] == 0 && doc["passed"].as_u64().unwrap() > 0);
    doc["evidence"].take()
}

#[test]
fn verify_is_identical_for_one_and_two_threads() {
    assert_eq!(evidence_json("1"), evidence_json("2"));
}

#[test]
fn verify_table_ends_with_summary_and_names_seed_rng_and_versions() {
    let o = thermocheck(&["verify", "--quick", "--filter", "NV6", "--seed", "9"]);
    assert_eq!(o.status.code(), Some(0));
    let text = stdout(&o);
    assert!(text.contains("seed 9"), "{text}");
    assert!(text.contains("Xoshiro256PlusPlus"), "{text}");
    assert!(text.contains("ode_solvers 0.6"), "{text}");
    let last = text.lines().last().unwrap();
    let (passed, failed) = last.split_once(" passed, ").expect("summary line");
    assert!(passed.parse::<usize>().unwrap() > 0);
    assert_eq!(failed, "0 failed");
}
