//! The `--out` directory of the generating commands (`tables`, `figures`): validated before any
//! computation, and the files in it of the kinds a command generates (`.md`/`.csv` for tables,
//! `.svg`/`.md` for figures) compared with or pruned to a fresh run. Files of other kinds
//! (`notes.txt`, `.gitkeep`) belong to the user: never reported, never removed, so a
//! regenerated directory always passes `--check`.

use crate::Failure;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

/// A validated `--out` directory.
#[derive(Debug)]
pub struct OutDir {
    /// The directories [`prepare`] created, deepest first.
    created: Vec<PathBuf>,
}

/// Validates `--out` before anything is computed, so an unusable directory is bad input (exit
/// 2, one line naming `--out` and the path) instead of a failure after the whole run.
///
/// With `check`, `dir` must be a directory or not exist (then every file is reported missing);
/// nothing is created. Otherwise `dir` must be a directory or creatable (it is created now,
/// with its missing parents), and writable: a probe file is created in it and removed.
pub fn prepare(dir: &Path, check: bool) -> Result<OutDir, Failure> {
    let bad = |what: String| Failure::Input(format!("--out {}: {what}", dir.display()));
    let mut created = Vec::new();
    match std::fs::metadata(dir) {
        Ok(m) if m.is_dir() => {}
        Ok(_) => {
            return Err(Failure::Input(format!(
                "--out {} is not a directory",
                dir.display()
            )));
        }
        Err(e) if e.kind() == ErrorKind::NotFound => {
            if check {
                return Ok(OutDir { created });
            }
            let mut missing = dir;
            loop {
                created.push(missing.to_path_buf());
                match missing.parent() {
                    Some(parent) if !parent.as_os_str().is_empty() && !parent.exists() => {
                        missing = parent;
                    }
                    _ => break,
                }
            }
            if let Err(e) = std::fs::create_dir_all(dir) {
                OutDir { created }.remove_created();
                return Err(bad(format!("cannot create the directory: {e}")));
            }
        }
        Err(e) => return Err(bad(format!("not usable as a directory: {e}"))),
    }
    let out = OutDir { created };
    if !check {
        let probe = dir.join(format!(".thermocheck-write-probe-{}", std::process::id()));
        let written = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&probe);
        match written {
            Ok(_) => {
                let _ = std::fs::remove_file(&probe);
            }
            Err(e) => {
                out.remove_created();
                return Err(bad(format!("cannot write into the directory: {e}")));
            }
        }
    }
    Ok(out)
}

impl OutDir {
    /// Removes the directories [`prepare`] created, if still empty: the run failed and wrote
    /// nothing.
    pub fn remove_created(self) {
        for dir in &self.created {
            // `remove_dir` only removes an empty directory; anything else is left as it is.
            let _ = std::fs::remove_dir(dir);
        }
    }
}

/// Whether `name` is of one of the generated `kinds` (extensions without the dot).
pub fn is_generated_kind(name: &str, kinds: &[&str]) -> bool {
    Path::new(name)
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| kinds.contains(&e))
}

/// The regular files in `dir` of the generated `kinds` for which `generated` is false, sorted;
/// none when `dir` cannot be read (it does not exist: `--check` reports every file missing).
pub fn extra_files(dir: &Path, kinds: &[&str], generated: impl Fn(&str) -> bool) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut extra: Vec<String> = entries
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| is_generated_kind(name, kinds) && !generated(name))
        .collect();
    extra.sort();
    extra
}

/// Removes the [`extra_files`] of `dir`; returns how many.
pub fn prune(
    dir: &Path,
    kinds: &[&str],
    generated: impl Fn(&str) -> bool,
) -> Result<usize, Failure> {
    let extra = extra_files(dir, kinds, generated);
    for name in &extra {
        let path = dir.join(name);
        std::fs::remove_file(&path)
            .map_err(|e| Failure::Check(format!("cannot remove {}: {e}", path.display())))?;
    }
    Ok(extra.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_kinds_are_matched_by_extension() {
        assert!(is_generated_kind("claims-tv.md", &["md", "csv"]));
        assert!(is_generated_kind("x.csv", &["md", "csv"]));
        assert!(!is_generated_kind("notes.txt", &["md", "csv"]));
        assert!(!is_generated_kind("md", &["md", "csv"]));
        assert!(!is_generated_kind(".gitkeep", &["md", "csv"]));
        assert!(!is_generated_kind("figure.svg", &["md", "csv"]));
    }

    #[test]
    fn a_created_directory_is_removed_when_the_run_fails() {
        let base =
            std::env::temp_dir().join(format!("thermocheck-output-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&base);
        std::fs::create_dir_all(&base).unwrap();
        let dir = base.join("a/b");
        // --check creates nothing.
        prepare(&dir, true).unwrap().remove_created();
        assert!(!base.join("a").exists());
        let out = prepare(&dir, false).unwrap();
        assert!(dir.is_dir());
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0, "probe left");
        out.remove_created();
        assert!(!base.join("a").exists(), "created parents are removed too");
        assert!(base.is_dir(), "an existing directory is kept");
        // An existing directory is never removed.
        prepare(&base, false).unwrap().remove_created();
        assert!(base.is_dir());
        let _ = std::fs::remove_dir_all(&base);
    }
}
