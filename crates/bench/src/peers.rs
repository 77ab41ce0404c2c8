//! Running the NumPy/SciPy peer scripts of `benches/peers/` and reading their records.
//!
//! Each script `benches/peers/<workload>.py` prints its record as a JSON object on stdout (the
//! contract); a script covering several workloads (friction: two families) may print several
//! objects, one after the other or as an array.

use crate::Record;
use std::path::{Path, PathBuf};
use std::process::Command;

/// What went wrong with the peers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PeerError {
    /// `python3` cannot import numpy or scipy: the user must install the pinned versions.
    MissingDependencies(String),
    /// A script failed or printed no readable record.
    Script(String),
}

impl std::fmt::Display for PeerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PeerError::MissingDependencies(detail) => write!(
                f,
                "the NumPy/SciPy peers need numpy and scipy ({detail}): run `python3 -m pip \
                 install -r benches/peers/requirements.txt`, or pass --skip-peers"
            ),
            PeerError::Script(detail) => write!(f, "{detail}"),
        }
    }
}

impl std::error::Error for PeerError {}

/// The Python interpreter: `$PYTHON` or `python3`.
pub fn python() -> String {
    std::env::var("PYTHON").unwrap_or_else(|_| "python3".into())
}

/// The repository root: the directory holding `benches/peers/`, searched first from the
/// workspace this binary was built from (this crate's manifest directory) up, then from the
/// current directory up — so that a report always compares the sources it was built from.
pub fn repository_root() -> Option<PathBuf> {
    let from_manifest = Some(PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    let from_cwd = std::env::current_dir().ok();
    [from_manifest, from_cwd]
        .into_iter()
        .flatten()
        .find_map(|start| root_above(&start))
}

/// The nearest of `start` and its ancestors that holds `benches/peers/`.
pub fn root_above(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .find(|d| d.join("benches").join("peers").is_dir())
        .map(Path::to_path_buf)
}

/// `numpy x.y.z`, `scipy x.y.z` as `python3` imports them.
///
/// # Errors
/// [`PeerError::MissingDependencies`] if either cannot be imported.
pub fn versions() -> Result<(String, String), PeerError> {
    let out = Command::new(python())
        .args([
            "-c",
            "import numpy, scipy; print(numpy.__version__, scipy.__version__)",
        ])
        .output()
        .map_err(|e| PeerError::MissingDependencies(format!("{}: {e}", python())))?;
    let text = String::from_utf8_lossy(&out.stdout);
    let mut words = text.split_whitespace();
    match (out.status.success(), words.next(), words.next()) {
        (true, Some(numpy), Some(scipy)) => Ok((numpy.to_owned(), scipy.to_owned())),
        _ => {
            let stderr = String::from_utf8_lossy(&out.stderr);
            let last = stderr.lines().last().unwrap_or("import failed").trim();
            Err(PeerError::MissingDependencies(last.to_owned()))
        }
    }
}

/// The path of the peer script of `script` (e.g. `ou-step`): `benches/peers/ou-step.py`, or
/// with underscores, `ou_step.py`.
pub fn script_path(root: &Path, script: &str) -> Option<PathBuf> {
    let dir = root.join("benches").join("peers");
    [script.to_owned(), script.replace('-', "_")]
        .iter()
        .map(|name| dir.join(format!("{name}.py")))
        .find(|p| p.is_file())
}

/// Runs one peer script from the repository root with `args` (e.g. `--quick`) and returns every
/// record it printed.
///
/// # Errors
/// [`PeerError::Script`] if the script is missing, fails, or prints no record.
pub fn run_script(root: &Path, script: &str, args: &[&str]) -> Result<Vec<Record>, PeerError> {
    let path = script_path(root, script)
        .ok_or_else(|| PeerError::Script(format!("no peer script benches/peers/{script}.py")))?;
    // Named relative to the repository root: the report must not carry this machine's paths.
    let shown = path
        .strip_prefix(root)
        .unwrap_or(&path)
        .display()
        .to_string();
    let out = Command::new(python())
        .arg(&path)
        .args(args)
        .current_dir(root)
        .output()
        .map_err(|e| PeerError::Script(format!("{shown}: {e}")))?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        return Err(PeerError::Script(format!(
            "{shown} failed ({}): {}",
            out.status,
            stderr.lines().last().unwrap_or("").trim()
        )));
    }
    parse_records(&String::from_utf8_lossy(&out.stdout))
        .map_err(|e| PeerError::Script(format!("{shown}: {e}")))
}

/// Every record in `text`: JSON objects one after another, or arrays of them.
///
/// # Errors
/// A message if the text holds no record or something that is not one.
pub fn parse_records(text: &str) -> Result<Vec<Record>, String> {
    let mut records = Vec::new();
    for value in serde_json::Deserializer::from_str(text).into_iter::<serde_json::Value>() {
        let value = value.map_err(|e| format!("unreadable output ({e})"))?;
        let items = match value {
            serde_json::Value::Array(items) => items,
            other => vec![other],
        };
        for item in items {
            records.push(
                serde_json::from_value(item).map_err(|e| format!("not a contract record ({e})"))?,
            );
        }
    }
    if records.is_empty() {
        return Err("printed no record".into());
    }
    Ok(records)
}

/// The peer record of the thermocheck workload `workload` among `records`: exactly the same
/// workload name (the contract's names), or none.
pub fn matching<'a>(workload: &str, records: &'a [Record]) -> Option<&'a Record> {
    records.iter().find(|r| r.workload == workload)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(name: &str) -> serde_json::Value {
        serde_json::json!({"workload": name, "figure": 1.5, "unit": "u", "seconds": 0.5,
            "accuracy": 1e-3, "accuracy_metric": "m", "repeats": 3, "implementation": "numpy"})
    }

    #[test]
    fn records_parse_as_objects_in_sequence_or_arrays() {
        let one = record("ou-step").to_string();
        assert_eq!(parse_records(&one).unwrap().len(), 1);
        let two = format!("{}\n{}", record("a"), record("b"));
        assert_eq!(parse_records(&two).unwrap().len(), 2);
        let array = serde_json::json!([record("a"), record("b"), record("c")]).to_string();
        assert_eq!(parse_records(&array).unwrap().len(), 3);
        assert!(parse_records("").is_err());
        assert!(parse_records("{\"workload\": 1}").is_err());
    }

    #[test]
    fn peers_match_by_exact_name_only() {
        let parse = |v: serde_json::Value| parse_records(&v.to_string()).unwrap();
        let both = parse(serde_json::json!([
            record("friction-stiffness"),
            record("friction-quartic")
        ]));
        assert_eq!(
            matching("friction-quartic", &both).unwrap().workload,
            "friction-quartic"
        );
        assert_eq!(
            matching("friction-stiffness", &both).unwrap().workload,
            "friction-stiffness"
        );
        // No fuzzy fallbacks: near names, families and a lone record do not match.
        let near = parse(serde_json::json!([
            record("friction (stiffness)"),
            record("Friction-Quartic")
        ]));
        assert!(matching("friction-stiffness", &near).is_none());
        assert!(matching("friction-quartic", &near).is_none());
        assert!(matching("moment-ode", &parse(record("moment_ode"))).is_none());
        assert!(matching("learning", &parse(record("ou-step"))).is_none());
    }

    #[test]
    fn details_threads_and_alternatives_are_read() {
        let mut main = record("moment-ode");
        main["details"] = serde_json::json!({"rhs_evaluations": 100});
        main["alternatives"] = serde_json::json!([record("moment-ode"), record("moment-ode")]);
        main["threads"] = serde_json::json!(1);
        let r = &parse_records(&main.to_string()).unwrap()[0];
        assert_eq!(r.alternatives.len(), 2);
        assert_eq!(r.details.as_ref().unwrap()["rhs_evaluations"], 100);
        // A record without "threads" is single-threaded.
        assert_eq!(
            parse_records(&record("x").to_string()).unwrap()[0].threads,
            1
        );
    }

    #[test]
    fn the_repository_root_is_this_workspace() {
        let root = repository_root().unwrap();
        assert!(Path::new(env!("CARGO_MANIFEST_DIR")).starts_with(&root));
    }
}
