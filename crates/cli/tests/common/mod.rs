//! Helpers shared by the end-to-end tests of the `thermocheck` binary (`cli.rs`, `tables.rs`,
//! `figures.rs`). Each test file compiles its own copy and uses a subset, hence the `dead_code`
//! allowance.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

/// Runs the binary under test with `args` (with `CI` set, so no progress bars).
pub fn thermocheck(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_thermocheck"))
        .args(args)
        .env("CI", "true")
        .output()
        .expect("the thermocheck binary runs")
}

/// The captured stdout as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("UTF-8 stdout")
}

/// The captured stderr as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).expect("UTF-8 stderr")
}

/// The CLI contract for an unusable `--out` (`args[2]`): exit status 2, one line on stderr
/// naming the path, nothing on stdout.
#[track_caller]
pub fn assert_out_rejected(args: &[&str], o: &Output) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
    assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
    assert!(
        err.starts_with("error: --out ") && err.contains(args[2]),
        "{args:?}: {err}"
    );
    assert!(o.stdout.is_empty(), "{args:?}");
}

/// Every file of `dir`, sorted by name, with its bytes.
pub fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .expect("readable directory")
        .map(|e| {
            let e = e.expect("directory entry");
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).expect("readable file"),
            )
        })
        .collect();
    files.sort();
    files
}
