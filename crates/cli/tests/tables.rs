//! `thermocheck tables` (issue #6, part 3): deterministic output, the `--check` staleness
//! contract and bad input; and `thermocheck list` naming each claim's proof (part 2).
//!
//! The generating tests use `--filter TV5`: a cheap claim (~0.5 s in the Standard profile) whose
//! Monte Carlo evidence depends on the random streams, and which makes one spec table
//! (`spec-temperature-loss-example`) and one family table (`claims-tv`).

mod common;

use common::{assert_out_rejected, snapshot, stderr, stdout, thermocheck};
use std::path::{Path, PathBuf};
use std::process::Output;

/// A fresh, empty scratch directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "thermocheck-tables-test-{}-{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// `thermocheck tables --filter TV5 --out DIR [extra]`, asserting success.
#[track_caller]
fn generate(dir: &Path, extra: &[&str]) {
    let out = dir.to_str().expect("UTF-8 temp path");
    let o = thermocheck(&[&["tables", "--filter", "TV5", "--out", out], extra].concat());
    assert_eq!(o.status.code(), Some(0), "tables: {}", stderr(&o));
}

/// `thermocheck tables --filter TV5 --out DIR --check`.
fn check(dir: &Path) -> Output {
    let out = dir.to_str().expect("UTF-8 temp path");
    thermocheck(&["tables", "--filter", "TV5", "--out", out, "--check"])
}

#[test]
fn tables_are_deterministic_and_thread_count_invariant() {
    let (a, b, c) = (scratch("det-a"), scratch("det-b"), scratch("det-c"));
    generate(&a, &["--threads", "1"]);
    generate(&b, &["--threads", "1"]);
    generate(&c, &["--threads", "2"]);
    let first = snapshot(&a);
    let names: Vec<&str> = first.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "README.md",
            "claims-tv.csv",
            "claims-tv.md",
            "spec-temperature-loss-example.csv",
            "spec-temperature-loss-example.md"
        ]
    );
    assert!(first == snapshot(&b), "two runs differ");
    assert!(first == snapshot(&c), "--threads 1 and --threads 2 differ");

    let readme = String::from_utf8(first[0].1.clone()).unwrap();
    for fragment in [
        "profile: standard",
        "master seed 20251003",
        "numerical crates: ",
        "rand_xoshiro",
        "`TV5` (--filter)",
    ] {
        assert!(
            readme.contains(fragment),
            "README lacks {fragment:?}:\n{readme}"
        );
    }
    // The spec's printed values stand beside the closed forms and the Monte Carlo values.
    let spec = String::from_utf8(first[4].1.clone()).unwrap();
    for fragment in ["| 1.7911862296 |", "| 0.1514263774 |", "MC e, N=", "5·σ̂/√N"] {
        assert!(
            spec.contains(fragment),
            "spec table lacks {fragment:?}:\n{spec}"
        );
    }
    let csv = String::from_utf8(first[3].1.clone()).unwrap();
    assert!(
        csv.starts_with("claim,point,row,method,spec_printed,thermocheck,independent,"),
        "{csv}"
    );
    for dir in [a, b, c] {
        let _ = std::fs::remove_dir_all(dir);
    }
}

#[test]
fn check_reports_every_stale_file_and_writes_nothing() {
    let dir = scratch("check");
    // Nothing generated yet: every file is missing, and --check creates nothing.
    let o = check(&dir);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(stderr(&o).lines().count(), 5, "{}", stderr(&o));
    assert!(
        stderr(&o).lines().all(|l| l.ends_with(": missing")),
        "{}",
        stderr(&o)
    );
    assert!(!dir.exists(), "--check must not write");

    generate(&dir, &[]);
    let o = check(&dir);
    assert_eq!(o.status.code(), Some(0), "fresh output: {}", stderr(&o));
    assert!(stderr(&o).is_empty(), "{}", stderr(&o));

    // Files of kinds `tables` never generates are the user's: not extra, so --check still
    // passes (regenerating could never clear them), and a run leaves them in place.
    std::fs::write(dir.join("notes.txt"), "mine\n").unwrap();
    std::fs::write(dir.join(".gitkeep"), "").unwrap();
    let o = check(&dir);
    assert_eq!(o.status.code(), Some(0), "notes.txt: {}", stderr(&o));
    assert!(stderr(&o).is_empty(), "{}", stderr(&o));
    generate(&dir, &[]);
    assert!(dir.join("notes.txt").is_file() && dir.join(".gitkeep").is_file());

    // One edited, one removed and one extra file: three lines, one per file, and exit 1.
    let edited = dir.join("claims-tv.md");
    let mut text = std::fs::read_to_string(&edited).unwrap();
    text.push_str("an edit\n");
    std::fs::write(&edited, text).unwrap();
    std::fs::remove_file(dir.join("spec-temperature-loss-example.csv")).unwrap();
    std::fs::write(dir.join("notes.md"), "not generated\n").unwrap();
    let before = snapshot(&dir);
    let o = check(&dir);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 3, "{err}");
    assert!(
        lines
            .iter()
            .any(|l| l.contains("claims-tv.md") && l.contains("differs")),
        "{err}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("spec-temperature-loss-example.csv") && l.ends_with("missing")),
        "{err}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("notes.md") && l.contains("extra")),
        "{err}"
    );
    assert!(before == snapshot(&dir), "--check changed the directory");

    // Regenerating restores the edited and removed files (a filtered run prunes nothing).
    generate(&dir, &[]);
    std::fs::remove_file(dir.join("notes.md")).unwrap();
    let o = check(&dir);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn check_help_says_which_files_count_as_extra() {
    let o = thermocheck(&["tables", "--help"]);
    let help = stdout(&o).split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        help.contains("every other .md/.csv file there (extra)"),
        "{help}"
    );
    assert!(help.contains("Files of other kinds"), "{help}");
}

/// An unusable --out is bad input: exit 2 with one line naming `--out` and the path, before any
/// claim runs (the unfiltered run takes ≥ 30 s on the 2-core CI machine; the validation
/// milliseconds), and nothing is created.
#[test]
fn unusable_out_exits_2_before_computing() {
    let file = scratch("out-is-a-file");
    std::fs::write(&file, "a file\n").unwrap();
    let below_file = file.join("sub");
    let below_file = below_file.to_str().unwrap();
    for args in [
        &["tables", "--out", "/proc/thermocheck-x"][..],
        &["tables", "--out", below_file][..],
        &["tables", "--out", below_file, "--check"][..],
    ] {
        let start = std::time::Instant::now();
        let o = thermocheck(args);
        let elapsed = start.elapsed();
        assert_out_rejected(args, &o);
        assert!(
            elapsed < std::time::Duration::from_secs(10),
            "{args:?} took {elapsed:?}: the claims ran before --out was checked"
        );
    }
    let _ = std::fs::remove_file(file);
}

#[test]
fn bad_input_exits_2_with_one_line() {
    for (args, fragment) in [
        (&["tables", "--filter", "XX9"][..], "XX9"),
        (&["tables", "--threads", "0"][..], "--threads"),
        (&["tables", "--threads", "many"][..], "--threads"),
        (&["tables", "--bogus"][..], "--bogus"),
        (&["tables", "--out", "Cargo.toml"][..], "not a directory"),
        (
            &["tables", "--out", "Cargo.toml", "--check"][..],
            "not a directory",
        ),
    ] {
        let o = thermocheck(args);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(
            err.starts_with("error: ") && err.contains(fragment),
            "{args:?}: {err}"
        );
        assert!(stdout(&o).is_empty(), "{args:?}");
    }
}

#[test]
fn list_names_the_proof_of_a_claim() {
    let o = thermocheck(&["list"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = stdout(&o);
    let dv3 = text
        .lines()
        .skip_while(|l| !l.trim_start().starts_with("DV3 "))
        .take_while(|l| !l.trim_start().starts_with("DV4 "))
        .collect::<Vec<_>>();
    assert!(
        dv3.iter()
            .any(|l| l.trim() == "proof: proofs/dissipation/gaussian-optimal-protocol.md"),
        "{dv3:#?}"
    );

    let o = thermocheck(&["list", "--json"]);
    let doc: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("JSON");
    let claims = doc["claims"].as_array().unwrap();
    // Every registered claim has a proof (tests/traceability.rs checks the map against the
    // front matter); `list` prints exactly the compiled-in map, in text and JSON.
    assert!(
        !text.contains("proof: none"),
        "a claim without a proof:\n{text}"
    );
    for c in claims {
        let id = c["id"].as_str().expect("claim id");
        let expected = thermocheck::proofs::for_claim(id);
        assert!(!expected.is_empty(), "{id} has no proof");
        let listed: Vec<&str> = c["proofs"]
            .as_array()
            .unwrap_or_else(|| panic!("{c}"))
            .iter()
            .map(|p| p.as_str().expect("a path"))
            .collect();
        assert_eq!(listed, expected, "{id} (JSON)");
        let block: Vec<&str> = text
            .lines()
            .skip_while(|l| !l.starts_with(&format!("  {id} ")))
            .skip(1)
            .take_while(|l| l.starts_with("        "))
            .filter_map(|l| l.trim().strip_prefix("proof: "))
            .collect();
        assert_eq!(block, expected, "{id} (text)");
    }
    assert!(
        thermocheck::proofs::for_claim("DV3")
            .contains(&"proofs/dissipation/gaussian-optimal-protocol.md")
    );
}
