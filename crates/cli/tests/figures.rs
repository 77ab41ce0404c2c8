//! End-to-end tests of `thermocheck figures`: deterministic output, the `--check` contract, the
//! committed `docs/figures` being current, and the labels every figure must carry.

mod common;

use common::{assert_out_rejected, snapshot, stderr, thermocheck};
use std::path::{Path, PathBuf};
use std::process::Output;

/// The files `figures` writes (the guide links them by these names).
const FILES: [&str; 6] = [
    "README.md",
    "activation-efficiency.svg",
    "excess-work-vs-duration.svg",
    "optimal-protocol.svg",
    "stiffness-geodesic.svg",
    "temperature-vs-init-scale.svg",
];

/// A fresh, empty scratch directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("thermocheck-figures-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch directory");
    dir
}

/// Runs `figures --out dir` and asserts success.
fn generate(dir: &Path) {
    let o = thermocheck(&["figures", "--out", dir.to_str().expect("UTF-8 path")]);
    assert_eq!(o.status.code(), Some(0), "figures failed: {}", stderr(&o));
}

fn check(dir: &Path) -> Output {
    thermocheck(&[
        "figures",
        "--check",
        "--out",
        dir.to_str().expect("UTF-8 path"),
    ])
}

#[test]
fn two_runs_are_byte_identical() {
    let (a, b) = (scratch("run-a"), scratch("run-b"));
    generate(&a);
    generate(&b);
    let (sa, sb) = (snapshot(&a), snapshot(&b));
    let names: Vec<&str> = sa.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, FILES);
    for ((name, x), (_, y)) in sa.iter().zip(&sb) {
        assert!(x == y, "{name} differs between two runs");
    }
    let _ = std::fs::remove_dir_all(a);
    let _ = std::fs::remove_dir_all(b);
}

#[test]
fn check_passes_on_fresh_output_and_fails_on_each_kind_of_staleness() {
    let dir = scratch("check");
    generate(&dir);
    let o = check(&dir);
    assert_eq!(o.status.code(), Some(0), "fresh output: {}", stderr(&o));

    // One edited file: exit 1, named on stderr, and --check writes nothing.
    let edited = dir.join("stiffness-geodesic.svg");
    let mut bytes = std::fs::read(&edited).expect("readable");
    bytes.extend_from_slice(b"<!-- edited -->\n");
    std::fs::write(&edited, &bytes).expect("writable");
    let before = snapshot(&dir);
    let o = check(&dir);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "edited file: {err}");
    assert!(
        err.contains("differs") && err.contains("stiffness-geodesic.svg"),
        "{err}"
    );
    assert_eq!(snapshot(&dir), before, "--check must not write");

    // A missing file and an extra file are reported as well.
    std::fs::remove_file(dir.join("optimal-protocol.svg")).expect("removable");
    std::fs::write(dir.join("old-figure.svg"), b"<svg/>").expect("writable");
    let err = stderr(&check(&dir));
    assert!(
        err.contains("missing") && err.contains("optimal-protocol.svg"),
        "{err}"
    );
    assert!(
        err.contains("extra") && err.contains("old-figure.svg"),
        "{err}"
    );

    // Files of kinds `figures` never generates are the user's: --check ignores them (they are
    // not extra, since regenerating could never clear them) and a run leaves them in place.
    std::fs::write(dir.join("notes.txt"), b"mine\n").expect("writable");
    let err = stderr(&check(&dir));
    assert!(!err.contains("notes.txt"), "{err}");

    // Regenerating makes the output current again: the stale .svg is removed, notes.txt kept.
    generate(&dir);
    assert!(!dir.join("old-figure.svg").exists(), "stale figure kept");
    assert!(dir.join("notes.txt").is_file(), "a user's file was removed");
    let o = check(&dir);
    assert_eq!(o.status.code(), Some(0), "regenerated: {}", stderr(&o));
    let _ = std::fs::remove_dir_all(dir);
}

/// An unusable --out is bad input: exit 2 with one line naming `--out` and the path, before any
/// figure is computed, and nothing is written.
#[test]
fn unusable_out_exits_2() {
    let dir = scratch("out-is-a-file");
    let file = dir.join("a-file");
    std::fs::write(&file, b"a file\n").expect("writable");
    let below_file = file.join("sub");
    let file = file.to_str().expect("UTF-8 path");
    let below_file = below_file.to_str().expect("UTF-8 path");
    for args in [
        &["figures", "--out", "/proc/thermocheck-x"][..],
        &["figures", "--out", file][..],
        &["figures", "--out", below_file][..],
        &["figures", "--out", below_file, "--check"][..],
    ] {
        assert_out_rejected(args, &thermocheck(args));
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn check_help_says_which_files_count_as_extra() {
    let o = thermocheck(&["figures", "--help"]);
    let help = String::from_utf8(o.stdout).expect("UTF-8 help");
    let help = help.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        help.contains("every other .svg/.md file there (extra)"),
        "{help}"
    );
    assert!(help.contains("Files of other kinds"), "{help}");
}

#[test]
fn committed_figures_are_current() {
    let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/figures");
    let o = check(&docs);
    assert_eq!(
        o.status.code(),
        Some(0),
        "docs/figures is stale; run `thermocheck figures`: {}",
        stderr(&o)
    );
}

#[test]
fn every_figure_has_its_axis_labels_legend_and_caption() {
    let dir = scratch("labels");
    generate(&dir);
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).expect("UTF-8 file");
    let expected: [(&str, &[&str]); 5] = [
        (
            "optimal-protocol.svg",
            &[
                "time t / T",
                "θ*(t), m*(t)",
                "units of Δ",
                "η*(t)",
                "units of D",
                "T/τ = 10",
            ],
        ),
        (
            "excess-work-vs-duration.svg",
            &[
                "duration T",
                "units of τ",
                "excess work W_ex",
                "k_BT",
                "linear response",
            ],
        ),
        (
            "stiffness-geodesic.svg",
            &[
                "time t / T",
                "stiffness k(t)",
                "duration T",
                "excess work",
                "linear in k",
            ],
        ),
        (
            "temperature-vs-init-scale.svg",
            &[
                "init scale σ",
                "temperature T = dE/dS",
                "MSE",
                "MAE",
                "cross entropy",
            ],
        ),
        (
            "activation-efficiency.svg",
            &[
                "pre-activation variance q",
                "work efficiency",
                "ReLU",
                "tanh",
                "sigmoid",
            ],
        ),
    ];
    let readme = read("README.md");
    for (file, labels) in expected {
        let svg = read(file);
        for label in labels {
            assert!(svg.contains(label), "{file} lacks the label `{label}`");
        }
        // Every text names the embedded family with a fallback and renders at ≥ 14 px.
        for text in svg.split("<text").skip(1) {
            assert!(
                text.contains(r#"font-family="DejaVu Sans, sans-serif""#),
                "{file}: {text}"
            );
            let size: f64 = text
                .split("font-size=\"")
                .nth(1)
                .and_then(|s| s.split('"').next())
                .and_then(|s| s.parse().ok())
                .expect("a font-size attribute");
            assert!(size >= 14.0, "{file}: font-size {size} < 14 px");
        }
        assert!(
            readme.contains(&format!("]({file})")),
            "README does not embed {file}"
        );
    }
    assert_eq!(readme.matches("**Independent check").count(), 5, "{readme}");
    let _ = std::fs::remove_dir_all(dir);
}
