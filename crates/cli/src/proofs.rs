//! Which proof files establish each claim.
//!
//! The map is read by `build.rs` from the front matter (`---` / `claims: [D12, DV3]` / `---`) of
//! `proofs/**/*.md` at build time and compiled in, so nothing is read at run time and a binary
//! installed away from the repository still knows its proofs. `thermocheck list` prints it; the
//! workspace test `tests/traceability.rs` compares it, for every registered claim, with the front
//! matter as the proof checker parses it, so the two parsers check each other.

include!(concat!(env!("OUT_DIR"), "/proof_map.rs"));

/// The proof files establishing the claim or spec result `id`: the files (relative to the
/// workspace root, `/`-separated and sorted, e.g. `proofs/dissipation/gaussian-optimal-protocol.md`)
/// whose front matter lists `id`; empty when none does (or when the crate was built without the
/// workspace's `proofs/` directory).
///
/// ```
/// let proofs = thermocheck::proofs::for_claim("DV3");
/// assert!(proofs.contains(&"proofs/dissipation/gaussian-optimal-protocol.md"));
/// assert!(thermocheck::proofs::for_claim("no such claim").is_empty());
/// ```
pub fn for_claim(id: &str) -> &'static [&'static str] {
    PROOFS
        .iter()
        .find(|(claim, _)| *claim == id)
        .map_or(&[], |(_, files)| files)
}
