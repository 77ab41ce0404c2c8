//! Which proof files establish each claim: the map build.rs reads from the front matter of
//! `proofs/**/*.md` at build time (nothing is read at run time).

include!(concat!(env!("OUT_DIR"), "/proof_map.rs"));

/// The proof files (relative to the workspace root, e.g.
/// `proofs/dissipation/gaussian-optimal-protocol.md`) whose front matter names `id`; empty when
/// none does.
pub fn for_claim(id: &str) -> &'static [&'static str] {
    PROOFS
        .iter()
        .find(|(claim, _)| *claim == id)
        .map_or(&[], |(_, files)| files)
}
