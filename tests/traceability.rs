//! Traceability between the code, the proofs and the spec (issue #6, part 2):
//!
//! 1. every claim registered in code (`thermocheck::registry::claims`) is named in the front
//!    matter of some proof under `proofs/`;
//! 2. every id in a proof's front matter is a registered claim id or a spec id;
//! 3. every spec-shaped id (`D…`, `M…`, `T…`, `DV…`, `MV…`, `TV…`) in a front matter and every
//!    result a claim cites (`Claim::results`) exists in the spec. The `NV…` ids are code-only:
//!    they name thermocheck's numerics self-checks, which the spec does not list;
//! 4. the committed snapshot `tests/fixtures/spec-ids.txt` equals the ids the spec defines;
//! 5. the proof map compiled into `thermocheck` (`thermocheck::proofs::for_claim`, built from the
//!    front matter by `crates/cli/build.rs`) names, for every registered claim and every
//!    front-matter id, exactly the proof files whose front matter this test's parser
//!    (`tests/support/proof_blocks.rs`) reads that id from: the two parsers check each other.
//!
//! The spec lives outside the repository, in `../shared/theory` next to the workspace root, and
//! may be absent (a CI clone). The tests read it from `THERMOCHECK_SPEC_DIR` or
//! `<workspace>/../shared/theory` when present, and otherwise check against the snapshot; they
//! print which source they used.
//!
//! The snapshot lists the spec's ids sorted by prefix and number, one per line. To regenerate it
//! after the spec changes, run
//!
//! ```text
//! THERMOCHECK_SPEC_DIR=/path/to/theory THERMOCHECK_BLESS=1 \
//!     cargo test --release --test traceability spec_id_snapshot
//! ```
//!
//! (without `THERMOCHECK_BLESS` the test fails and prints the expected content).
//! `THERMOCHECK_PROOF_ROOT=/other/checkout` reads that checkout's `proofs/` instead of this one's.

#[allow(dead_code)] // only the front-matter parser is used here; tests/proofs.rs uses the rest
#[path = "support/proof_blocks.rs"]
mod proof_blocks;

use proof_blocks::markdown_files;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use thermocheck::registry;

const SPEC_FILES: &[&str] = &["dissipation.md", "metric.md", "temperature.md"];
const SPEC_PREFIXES: &[&str] = &["D", "M", "T", "DV", "MV", "TV"];
const SNAPSHOT: &str = "tests/fixtures/spec-ids.txt";

fn workspace() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// An id as (prefix, number) when it has the shape of a spec id (`D12`, `MV3`, …).
fn spec_shaped(id: &str) -> Option<(&str, u32)> {
    let split = id.find(|c: char| c.is_ascii_digit())?;
    let (prefix, number) = id.split_at(split);
    let number: u32 = number.parse().ok()?;
    SPEC_PREFIXES.contains(&prefix).then_some((prefix, number))
}

/// Sorts ids by prefix, then number: D1, D2, …, D10, DV1, …
fn sorted(ids: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut ids: Vec<String> = ids
        .into_iter()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    ids.sort_by_key(|id| {
        spec_shaped(id).map_or((id.clone(), 0), |(prefix, number)| {
            (prefix.to_owned(), number)
        })
    });
    ids
}

/// The ids in `text`: every spec-shaped token bounded by non-alphanumeric characters, and
/// whether it is a definition (`**D12 (name).**` or `- **DV3 (…)**`, i.e. right after `**`) or a
/// mention (`(D12)`, `M7–M9`, a table cell `M17`, …).
fn ids_in(text: &str) -> (BTreeSet<String>, BTreeSet<String>) {
    let (mut defined, mut mentioned) = (BTreeSet::new(), BTreeSet::new());
    let bytes = text.as_bytes();
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut i = 0;
    while i < bytes.len() {
        let starts_word = i == 0 || !word(bytes[i - 1]);
        if !(starts_word && bytes[i].is_ascii_uppercase()) {
            i += 1;
            continue;
        }
        let mut end = i;
        while end < bytes.len() && word(bytes[end]) {
            end += 1;
        }
        let token = &text[i..end];
        if let Some((prefix, _)) = spec_shaped(token) {
            // Only letters then digits: `D12`, not `D12a` or `DV_1`.
            if token[prefix.len()..].bytes().all(|b| b.is_ascii_digit()) {
                mentioned.insert(token.to_owned());
                if text[..i].ends_with("**") {
                    defined.insert(token.to_owned());
                }
            }
        }
        i = end.max(i + 1);
    }
    (defined, mentioned)
}

/// Where the spec's ids come from: the spec itself when it is present, else the snapshot.
enum SpecSource {
    Spec(PathBuf),
    Snapshot,
}

fn spec_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("THERMOCHECK_SPEC_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join("../shared/theory"));
    SPEC_FILES
        .iter()
        .all(|f| dir.join(f).is_file())
        .then_some(dir)
}

/// The ids the spec defines (and, when read from the spec, the ids it mentions), with the source.
fn spec_ids() -> (BTreeSet<String>, BTreeSet<String>, SpecSource) {
    if let Some(dir) = spec_dir() {
        let (mut defined, mut mentioned) = (BTreeSet::new(), BTreeSet::new());
        for file in SPEC_FILES {
            let text = std::fs::read_to_string(dir.join(file))
                .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.join(file).display()));
            let (d, m) = ids_in(&text);
            defined.extend(d);
            mentioned.extend(m);
        }
        println!("spec ids read from the spec in {}", dir.display());
        (defined, mentioned, SpecSource::Spec(dir))
    } else {
        let text = std::fs::read_to_string(workspace().join(SNAPSHOT))
            .unwrap_or_else(|e| panic!("cannot read {SNAPSHOT}: {e}"));
        let ids: BTreeSet<String> = text.lines().map(str::to_owned).collect();
        println!(
            "spec not found (set THERMOCHECK_SPEC_DIR or place it at ../shared/theory); spec ids \
             read from the snapshot {SNAPSHOT}"
        );
        (ids.clone(), ids, SpecSource::Snapshot)
    }
}

/// The checkout whose `proofs/` are read: this one, or the one `THERMOCHECK_PROOF_ROOT` names
/// (as in tests/proofs.rs, so one built test binary can check proofs written in another worktree).
fn proof_root() -> PathBuf {
    std::env::var_os("THERMOCHECK_PROOF_ROOT")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().to_path_buf())
}

/// Proof file (relative, `/`-separated) → the ids of its front matter, for the proofs of
/// [`proof_root`].
fn proof_front_matter() -> BTreeMap<String, Vec<String>> {
    proof_front_matter_in(&proof_root())
}

/// Proof file (relative to `root`, `/`-separated) → the ids of its front matter.
fn proof_front_matter_in(root: &Path) -> BTreeMap<String, Vec<String>> {
    let mut files = Vec::new();
    markdown_files(&root.join("proofs"), &mut files);
    let mut map = BTreeMap::new();
    for path in files {
        let name = path
            .strip_prefix(root)
            .unwrap_or(&path)
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/");
        if name == "proofs/README.md" {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("readable proof");
        let proof = proof_blocks::parse_proof(&name, &text).unwrap_or_else(|e| panic!("{e}"));
        map.insert(name, proof.claims);
    }
    assert!(!map.is_empty(), "no proofs under proofs/");
    map
}

fn registered() -> Vec<&'static str> {
    registry::claims().iter().map(|c| c.id).collect()
}

#[test]
fn every_registered_claim_has_a_proof() {
    let proven: BTreeSet<String> = proof_front_matter().into_values().flatten().collect();
    let missing: Vec<&str> = registered()
        .into_iter()
        .filter(|id| !proven.contains(*id))
        .collect();
    assert!(
        missing.is_empty(),
        "{} registered claim(s) are named in no proof's front matter: {}",
        missing.len(),
        missing.join(", ")
    );
}

/// The spec results a claim cites are derived too: every id in some claim's `results` appears in
/// the front matter of some proof.
#[test]
fn every_cited_result_has_a_proof() {
    let proven: BTreeSet<String> = proof_front_matter().into_values().flatten().collect();
    let mut missing: Vec<String> = Vec::new();
    for claim in registry::claims() {
        for &result in claim.results {
            if !proven.contains(result) {
                missing.push(format!("{result} (cited by {})", claim.id));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "{} cited result(s) are named in no proof's front matter: {}",
        missing.len(),
        missing.join(", ")
    );
}

#[test]
fn compiled_proof_map_equals_the_front_matter() {
    // build.rs reads this checkout's proofs/, whatever THERMOCHECK_PROOF_ROOT says.
    let front_matter = proof_front_matter_in(workspace());
    let mut proving: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (file, ids) in &front_matter {
        for id in ids {
            proving
                .entry(id.as_str())
                .or_default()
                .insert(file.as_str());
        }
    }
    let claims = registered();
    let ids: BTreeSet<&str> = claims
        .iter()
        .copied()
        .chain(proving.keys().copied())
        .collect();
    assert!(!claims.is_empty(), "no registered claims");
    let mut mismatches = Vec::new();
    for id in ids {
        let compiled: BTreeSet<&str> = thermocheck::proofs::for_claim(id).iter().copied().collect();
        let parsed = proving.get(id).cloned().unwrap_or_default();
        if compiled != parsed {
            mismatches.push(format!(
                "{id}: compiled into thermocheck {compiled:?}, front matter {parsed:?}"
            ));
        }
        // A registered claim with no proof fails here too, not only in
        // `every_registered_claim_has_a_proof`: `list` must never print `proof: none`.
        if claims.contains(&id) && compiled.is_empty() {
            mismatches.push(format!("{id}: registered, but no proof names it"));
        }
    }
    assert!(
        mismatches.is_empty(),
        "thermocheck::proofs (crates/cli/build.rs) and the front matter disagree (rebuild after \
         editing proofs/; if it persists, one of the two parsers is wrong):\n{}",
        mismatches.join("\n")
    );
}

#[test]
fn every_front_matter_id_is_a_claim_or_a_spec_id() {
    let claims = registered();
    let (spec, _, _) = spec_ids();
    let mut unknown = Vec::new();
    for (file, ids) in proof_front_matter() {
        for id in ids {
            if !claims.contains(&id.as_str()) && !spec.contains(&id) {
                unknown.push(format!("{file}: {id}"));
            }
        }
    }
    assert!(
        unknown.is_empty(),
        "front-matter ids that are neither a registered claim nor a spec id:\n{}",
        unknown.join("\n")
    );
}

#[test]
fn cited_spec_ids_exist_in_the_spec() {
    let (spec, _, _) = spec_ids();
    // The NV ids are thermocheck's own numerics self-checks: code-only, never in the spec.
    assert!(
        spec.iter().all(|id| !id.starts_with("NV")),
        "the spec unexpectedly defines NV ids"
    );
    let mut absent = Vec::new();
    for (file, ids) in proof_front_matter() {
        for id in ids.iter().filter(|id| spec_shaped(id).is_some()) {
            if !spec.contains(id) {
                absent.push(format!("{file} (front matter): {id}"));
            }
        }
    }
    for claim in registry::claims() {
        if claim.id.starts_with("NV") {
            assert!(
                spec_shaped(claim.id).is_none(),
                "NV ids are not spec-shaped"
            );
        } else if !spec.contains(claim.id) {
            absent.push(format!("claim {} itself", claim.id));
        }
        for id in claim.results {
            if !spec.contains(*id) {
                absent.push(format!("claim {} (results): {id}", claim.id));
            }
        }
    }
    assert!(
        absent.is_empty(),
        "ids cited but not in the spec:\n{}",
        absent.join("\n")
    );
}

#[test]
fn spec_id_snapshot_is_current() {
    let (defined, mentioned, source) = spec_ids();
    let SpecSource::Spec(dir) = source else {
        println!("spec absent: the snapshot {SNAPSHOT} stands in for it");
        return;
    };
    // Every id the spec mentions (in a citation, a range or a table cell) is one it defines.
    let undefined: Vec<&String> = mentioned.difference(&defined).collect();
    assert!(
        undefined.is_empty(),
        "the spec in {} mentions ids it never defines: {undefined:?}",
        dir.display()
    );
    for prefix in SPEC_PREFIXES {
        assert!(
            defined
                .iter()
                .any(|id| spec_shaped(id).is_some_and(|(p, _)| p == *prefix)),
            "no {prefix} ids found in the spec: has its formatting changed?"
        );
    }
    let expected: String = sorted(defined).into_iter().map(|id| id + "\n").collect();
    let path = workspace().join(SNAPSHOT);
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != expected && std::env::var_os("THERMOCHECK_BLESS").is_some() {
        std::fs::write(&path, &expected).expect("writable snapshot");
        println!("wrote {SNAPSHOT}");
        return;
    }
    assert!(
        committed == expected,
        "{SNAPSHOT} differs from the ids of the spec in {}; rerun with THERMOCHECK_BLESS=1 to \
         rewrite it, or replace its content with:\n{expected}",
        dir.display()
    );
}

#[test]
fn id_extraction_reads_the_spec_formats() {
    let (defined, mentioned) = ids_in(
        "**D12 (minimal excess work).** see (D13) and M7–M9.\n- **DV3 (D12).** x\n\
         | T17 | $T_1$ D12a DV_1 xD4 **MV10** |",
    );
    let set = |ids: &[&str]| ids.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
    assert_eq!(defined, set(&["D12", "DV3", "MV10"]));
    assert_eq!(
        mentioned,
        set(&["D12", "D13", "M7", "M9", "DV3", "T17", "MV10"])
    );
    assert_eq!(
        sorted(["D10", "DV1", "D2", "M1"].map(String::from)),
        ["D2", "D10", "DV1", "M1"]
    );
}
