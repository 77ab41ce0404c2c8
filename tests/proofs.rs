//! Every mechanically checkable step of the derivations in `proofs/` holds at seeded random
//! points (issue #6), and the checker rejects a deliberately broken step.

#[path = "support/proof_blocks.rs"]
mod proof_blocks;

use proof_blocks::{check_proof, markdown_files};
use std::path::{Path, PathBuf};

fn read(relative: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {relative}: {e}"))
}

/// The checkout whose `proofs/` are checked: this one, or the one `THERMOCHECK_PROOF_ROOT` names
/// (so one built test binary can check a proof being written in another worktree).
fn proof_root() -> PathBuf {
    std::env::var_os("THERMOCHECK_PROOF_ROOT")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")))
}

#[test]
fn every_proof_step_holds() {
    let root = proof_root();
    let root = root.as_path();
    let mut files = Vec::new();
    markdown_files(&root.join("proofs"), &mut files);
    // proofs/README.md describes the directory; every other Markdown file is a proof.
    files.retain(|p| p.file_name().is_some_and(|n| n != "README.md"));
    assert!(!files.is_empty(), "no proofs found under proofs/");
    let mut failures = Vec::new();
    for path in &files {
        let name = path
            .strip_prefix(root)
            .unwrap_or(path)
            .display()
            .to_string();
        let text = std::fs::read_to_string(path).expect("readable proof");
        match check_proof(&name, &text) {
            Ok((proof, reports)) => {
                println!("{name}: claims {:?}", proof.claims);
                for r in reports {
                    println!(
                        "  {} {}: worst relative difference {:.2e}",
                        r.location, r.kind, r.worst_relative
                    );
                }
            }
            Err(e) => failures.push(e),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn broken_step_fails_with_its_location() {
    let file = "tests/fixtures/broken-proof.md";
    let err = check_proof(file, &read(file)).expect_err("the broken step must fail");
    println!("{err}");
    // Line 15 is the fence of the identity whose right-hand side has the wrong sign; the sound
    // derivative block before it (line 8) must not be reported.
    assert!(
        err.contains("tests/fixtures/broken-proof.md:15: identity block fails"),
        "{err}"
    );
    assert!(!err.contains("broken-proof.md:8:"), "{err}");
    assert!(err.contains("worst point: "), "{err}");
}

#[test]
fn sound_fixture_passes() {
    let file = "tests/fixtures/sound-proof.md";
    let (proof, reports) = check_proof(file, &read(file)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(proof.claims, ["X1", "X2"]);
    let kinds: Vec<&str> = reports.iter().map(|r| r.kind).collect();
    assert_eq!(kinds, ["identity", "derivative"]);
}

#[test]
fn unsupported_and_non_finite_steps_are_reported() {
    let abs = "---\nclaims: [X1]\n---\n```derivative\nvars: x in [1, 2]\nvar: x\nlhs: abs(x)\nrhs: 1\n```\n";
    let err = check_proof("abs.md", abs).expect_err("exmex has no rule for abs");
    assert!(
        err.contains("abs.md:4:") && err.contains("no derivative rule"),
        "{err}"
    );

    let pole = "---\nclaims: [X1]\n---\n```identity\nvars: x in [-1, 1]\nlhs: ln(x^2)\nrhs: 2*ln(x)\n```\n";
    let err = check_proof("pole.md", pole).expect_err("ln of a negative number is NaN");
    assert!(
        err.contains("pole.md:4:") && err.contains("not finite"),
        "{err}"
    );

    let minus =
        "---\nclaims: [X1]\n---\n```identity\nvars: x in [-3, 3]\nlhs: -x^2 + x^2\nrhs: 0\n```\n";
    check_proof("minus.md", minus).unwrap_or_else(|e| panic!("-x^2 must mean -(x^2): {e}"));
}
