//! End-to-end tests of the `thermocheck` binary: the CLI contract of DESIGN.md.

mod common;

use common::{stderr, stdout, thermocheck};
use std::process::Command;

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

/// `eval QUANTITY ARGS` as a number, asserting exit 0.
#[track_caller]
fn eval_number(args: &[&str]) -> f64 {
    let o = thermocheck(&[&["eval"], args].concat());
    assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
    stdout(&o).trim().parse().expect("a bare number")
}

/// A spec table value quoted to `digits` decimals: the printed value is within half a unit of
/// its last place of the true one.
#[track_caller]
fn assert_quoted(what: &str, observed: f64, quoted: f64, decimals: i32) {
    let half_unit = 0.5 * 10f64.powi(-decimals);
    assert!(
        (observed - quoted).abs() <= half_unit,
        "{what}: {observed} vs quoted {quoted} ± {half_unit:e}"
    );
}

#[test]
fn metric_quantities_reproduce_the_spec_tables_through_the_cli() {
    // MV1 table: stiffness k = 0.3, D = 1.7 gives ζ = 5.4466231 (7 decimals).
    let z = eval_number(&[
        "friction-stiffness",
        "--stiffness",
        "0.3",
        "--diffusion",
        "1.7",
    ]);
    assert_quoted("friction-stiffness", z, 5.4466231, 7);
    // M17 table: stiffness geodesic 1 → 4 at T = 10 has W_LR = 0.025 (3 decimals quoted).
    let w = eval_number(&[
        "stiffness-geodesic-work",
        "--initial-stiffness",
        "1",
        "--final-stiffness",
        "4",
        "--duration",
        "10",
        "--diffusion",
        "1",
    ]);
    assert_quoted("stiffness-geodesic-work", w, 0.025, 3);
    // MV1 table, two-parameter (μ, k) Gaussian at k = 2, D = 1: ζ = diag(0.03125, 1) in the
    // order the user lists the parameters (k first), by M7 quadrature of a text energy.
    let o = thermocheck(&[
        "eval",
        "friction",
        "--energy",
        "k*(x-mu)^2/2",
        "--at",
        "k=2,mu=0",
        "--diffusion",
        "1",
        "--json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let doc: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("JSON");
    let m = doc["value"].as_array().expect("a matrix");
    let entry = |i: usize, j: usize| m[i][j].as_f64().unwrap();
    assert_quoted("ζ_kk", entry(0, 0), 0.03125, 5);
    assert_quoted("ζ_μμ", entry(1, 1), 1.0, 0);
    // The accuracy bar for M7 is 1e-10 relative; the closed forms are exact here.
    assert!((entry(0, 0) / 0.03125 - 1.0).abs() < 1e-10, "{m:?}");
    assert!((entry(1, 1) - 1.0).abs() < 1e-10, "{m:?}");
    assert!(
        entry(0, 1).abs() < 1e-10 && entry(0, 1) == entry(1, 0),
        "{m:?}"
    );
}

#[test]
fn temperature_quantities_reproduce_the_spec_tables_through_the_cli() {
    // TV5: σ = 1, r = 2 (four unit features), y = 1, n = 4; values quoted to 10 decimals.
    let base = [
        "--init",
        "normal",
        "--scale",
        "1",
        "--features",
        "1,1,1,1",
        "--target",
        "1",
    ];
    for (loss, e, t) in [
        ("mse", 5.0, 2.0),
        ("mae", 1.7911862296, 0.3520653268),
        ("ce", 1.0677143881, 0.1514263774),
    ] {
        let energy = eval_number(&[&["sample-energy", "--loss", loss], &base[..]].concat());
        let temperature =
            eval_number(&[&["sample-temperature", "--loss", loss], &base[..]].concat());
        assert_quoted(loss, energy, e, 10);
        assert_quoted(loss, temperature, t, 10);
    }
    // TV8: n = 1 uniform init, a = 1.5, x = 1.2, y = 0.5: e = 0.96944444, t = 0.83055556.
    let uniform = [
        "--loss",
        "mae",
        "--init",
        "uniform",
        "--scale",
        "1.5",
        "--features",
        "1.2",
    ];
    let e = eval_number(&[&["sample-energy"], &uniform[..], &["--target", "0.5"]].concat());
    let t = eval_number(&[&["sample-temperature"], &uniform[..], &["--target", "0.5"]].concat());
    assert_quoted("uniform MAE e", e, 0.96944444, 8);
    assert_quoted("uniform MAE t", t, 0.83055556, 8);
    // TV15: homogeneous activations have η independent of q; tanh at q = 1 is 0.39429.
    for q in ["1e-6", "1", "1e6"] {
        let relu = eval_number(&[
            "activation-efficiency",
            "--activation",
            "relu",
            "--variance",
            q,
        ]);
        assert_quoted("relu", relu, 0.5, 12);
        let leaky = eval_number(&[
            "activation-efficiency",
            "--activation",
            "leaky-relu",
            "--slope",
            "0.1",
            "--variance",
            q,
        ]);
        assert_quoted("leaky", leaky, 0.505, 12);
    }
    let tanh = eval_number(&[
        "activation-efficiency",
        "--activation",
        "tanh",
        "--variance",
        "1",
    ]);
    assert_quoted("tanh", tanh, 0.39429, 5);
}

#[test]
fn metric_and_temperature_bad_input_exits_2_with_one_line() {
    let friction = |energy: &'static str, at: &'static str| {
        [
            "eval",
            "friction",
            "--energy",
            energy,
            "--at",
            at,
            "--diffusion",
            "1",
        ]
    };
    assert_input_error(&friction("k*x", "k=2"), "confining");
    assert_input_error(&friction("k*(x-mu)^2/2", "k=2"), "mu");
    assert_input_error(&friction("k*(x-mu)^2/2", "k=2,mu=0,z=1"), "z");
    assert_input_error(&friction("k*(x-", "k=2"), "--energy");
    assert_input_error(
        &[
            "eval",
            "friction-stiffness",
            "--stiffness",
            "0",
            "--diffusion",
            "1",
        ],
        "--stiffness",
    );
    assert_input_error(
        &[
            "eval",
            "friction-quartic",
            "--coupling",
            "1",
            "--diffusion",
            "-1",
        ],
        "--diffusion",
    );
    let sample = |loss: &'static str, scale: &'static str, features: &'static str| {
        [
            "eval",
            "sample-energy",
            "--loss",
            loss,
            "--init",
            "normal",
            "--scale",
            scale,
            "--features",
            features,
            "--target",
            "1",
        ]
    };
    assert_input_error(&sample("hinge", "1", "1,2"), "hinge");
    assert_input_error(&sample("mse", "-1", "1,2"), "--scale");
    assert_input_error(&sample("mse", "1", "1,nan"), "--features");
    assert_input_error(
        &[
            "eval",
            "activation-efficiency",
            "--activation",
            "tanh",
            "--slope",
            "0.1",
            "--variance",
            "1",
        ],
        "--slope",
    );
    assert_input_error(
        &[
            "eval",
            "activation-efficiency",
            "--activation",
            "relu",
            "--variance",
            "0",
        ],
        "--variance",
    );
    assert_input_error(
        &[
            "eval",
            "activation-efficiency",
            "--activation",
            "mish",
            "--variance",
            "1",
        ],
        "mish",
    );
}

#[test]
fn a_closed_stdout_ends_quietly_instead_of_panicking() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    // The quick report is far larger than a pipe buffer (64 KiB), so the binary is still
    // writing when the reader goes away after one line: the next write meets a broken pipe.
    let mut child = Command::new(env!("CARGO_BIN_EXE_thermocheck"))
        .args(["verify", "--quick"])
        .env("CI", "true")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the thermocheck binary runs");
    let mut first = String::new();
    BufReader::new(child.stdout.take().expect("piped stdout"))
        .read_line(&mut first)
        .expect("one line");
    assert!(first.starts_with("thermocheck "), "{first}");
    let out = child.wait_with_output().expect("the binary exits");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "stderr: {err}");
    assert_eq!(out.status.code(), Some(141), "stderr: {err}");
}
