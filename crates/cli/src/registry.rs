//! Gathers the claims and eval quantities of every crate, in a fixed order: the one list of
//! crates that `thermocheck verify`, `list`, `eval` and the cross-crate tests all use.

use thermocheck_numerics::{Claim, Error, Quantity};

/// Every registered claim: numerics self-checks first, then dissipation, metric (MV8–MV10 come
/// from the dissipation crate, see [`thermocheck_dissipation::metric_claims`]), temperature.
pub fn claims() -> Vec<Claim> {
    let mut all = thermocheck_numerics::claims();
    all.extend(thermocheck_dissipation::claims());
    all.extend(thermocheck_metric::claims());
    all.extend(thermocheck_dissipation::metric_claims());
    all.extend(thermocheck_temperature::claims());
    all
}

/// The claims whose id starts with `filter` (every claim without one), as `verify --filter` and
/// `tables --filter` select them.
///
/// # Errors
/// [`Error::Unknown`] naming `--filter` and listing the known ids when nothing matches.
pub fn select(claims: Vec<Claim>, filter: Option<&str>) -> Result<Vec<Claim>, Error> {
    let Some(prefix) = filter else {
        return Ok(claims);
    };
    let known: Vec<String> = claims.iter().map(|c| c.id.to_owned()).collect();
    let selected: Vec<Claim> = claims.into_iter().filter(|c| c.matches(prefix)).collect();
    if selected.is_empty() {
        return Err(Error::Unknown {
            kind: "claim id or prefix (--filter)".into(),
            name: prefix.to_owned(),
            known,
        });
    }
    Ok(selected)
}

/// Every `eval` quantity.
pub fn quantities() -> Vec<Quantity> {
    let mut all = thermocheck_numerics::quantities();
    all.extend(thermocheck_dissipation::quantities());
    all.extend(thermocheck_metric::quantities());
    all.extend(thermocheck_temperature::quantities());
    all
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn claim_ids_are_unique_and_spec_shaped() {
        let claims = claims();
        let mut seen = HashSet::new();
        for c in &claims {
            assert!(seen.insert(c.id), "duplicate claim id {}", c.id);
            let (prefix, number) = c.id.split_at(2);
            assert!(
                ["NV", "DV", "MV", "TV"].contains(&prefix) && number.parse::<u32>().is_ok(),
                "claim id {} is not of the form NV1/DV3/MV7/TV12",
                c.id
            );
        }
    }

    #[test]
    fn quantity_names_are_unique_kebab_case() {
        let mut seen = HashSet::new();
        for q in quantities() {
            assert!(seen.insert(q.name), "duplicate quantity {}", q.name);
            let kebab = |s: &str| {
                !s.is_empty()
                    && s.chars()
                        .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-')
            };
            assert!(kebab(q.name), "quantity {} is not kebab-case", q.name);
            for p in q.params {
                assert!(
                    kebab(p.name),
                    "{}: parameter {} is not kebab-case",
                    q.name,
                    p.name
                );
            }
        }
    }
}
