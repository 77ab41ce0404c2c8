//! Claims, and the evidence that checks them.
//!
//! A [`Claim`] is one statement of the theory, with the id of the spec check it implements
//! (`DV3`, `MV7`, `TV12`; the numerics self-checks use `NV1`, `NV2`, …), its source, and a check
//! that compares a closed form with at least one independent method. The check returns one
//! [`Evidence`] per parameter point or method. Tests, `thermocheck verify` and the generated
//! tables all run the same claims.

use crate::error::Result;
use crate::tolerance::Tolerance;
use serde::Serialize;
use std::fmt;

/// Where a claim comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Source {
    /// Hnybida & Verret, *Minimal-Dissipation Learning for Energy-Based Models*, arXiv 2510.03137.
    MinimalDissipation,
    /// Zhang, *On the Temperature of Machine Learning Systems*, arXiv 2404.13218.
    Temperature,
    /// A self-check of thermocheck's own numerical methods.
    Numerics,
}

impl Source {
    /// A short citation, e.g. `arXiv 2510.03137`.
    pub fn citation(&self) -> &'static str {
        match self {
            Source::MinimalDissipation => "arXiv 2510.03137 (Hnybida & Verret)",
            Source::Temperature => "arXiv 2404.13218 (Zhang)",
            Source::Numerics => "thermocheck numerics self-check",
        }
    }
}

/// How much work a check may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Profile {
    /// Small ensembles and few points: the `cargo test` and CI budget.
    Quick,
    /// The default of `thermocheck verify`.
    #[default]
    Standard,
    /// Large ensembles, refinement studies and seed sweeps (`verify --full`).
    Full,
}

impl Profile {
    /// Picks one of three values by profile (e.g. a particle count).
    pub fn pick<T>(self, quick: T, standard: T, full: T) -> T {
        match self {
            Profile::Quick => quick,
            Profile::Standard => standard,
            Profile::Full => full,
        }
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Profile::Quick => "quick",
            Profile::Standard => "standard",
            Profile::Full => "full",
        })
    }
}

/// What a check is run with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CheckConfig {
    /// Work profile.
    pub profile: Profile,
    /// Master seed for every random stream of the run.
    pub seed: u64,
}

impl CheckConfig {
    /// The default seed of `thermocheck verify`.
    pub const DEFAULT_SEED: u64 = 20_251_003;

    /// A config with the given profile and the default seed.
    pub fn new(profile: Profile) -> Self {
        CheckConfig {
            profile,
            seed: Self::DEFAULT_SEED,
        }
    }

    /// A seed for the `index`-th independent experiment of a check, derived from the master seed
    /// by SplitMix64 so that experiments never share a stream.
    pub fn stream_seed(&self, index: u64) -> u64 {
        splitmix64(self.seed ^ splitmix64(index.wrapping_add(0x9E37_79B9_7F4A_7C15)))
    }
}

/// One step of the SplitMix64 generator (Steele, Lea & Flood 2014): a bijective 64-bit mixer
/// used only to derive seeds.
pub fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The outcome of one comparison: a closed form against an independent method at one point.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evidence {
    /// The parameter point, e.g. `k=2, D=1, t=0.5`.
    pub point: String,
    /// The independent method, e.g. `exact-OU ensemble N=1e6`.
    pub method: String,
    /// The value the claim predicts (the closed form or reference).
    pub expected: f64,
    /// The value the independent method produced.
    pub observed: f64,
    /// |observed − expected|.
    pub abs_err: f64,
    /// |observed − expected| / |expected| (∞ if expected is 0 and they differ).
    pub rel_err: f64,
    /// The derived tolerance on `abs_err`.
    pub tolerance: Tolerance,
    /// Whether `abs_err ≤ tolerance` (false for any NaN).
    pub passed: bool,
}

impl Evidence {
    /// Compares `observed` with `expected` under `tolerance`.
    pub fn compare(
        point: impl Into<String>,
        method: impl Into<String>,
        expected: f64,
        observed: f64,
        tolerance: Tolerance,
    ) -> Self {
        let abs_err = (observed - expected).abs();
        let rel_err = if abs_err == 0.0 {
            0.0
        } else {
            abs_err / expected.abs()
        };
        Evidence {
            point: point.into(),
            method: method.into(),
            expected,
            observed,
            abs_err,
            rel_err,
            passed: tolerance.accepts(expected, observed),
            tolerance,
        }
    }
}

impl Evidence {
    /// Evidence that `value ≥ bound`: expected = `bound`, observed = `value` clamped to the
    /// allowed side (so a value above the bound compares equal; a NaN value stays NaN and
    /// fails), under `tolerance` (zero for a strict inequality). The method text is `relation`
    /// followed by the unclamped value, the bound and the margin.
    pub fn at_least(
        point: impl Into<String>,
        relation: &str,
        value: f64,
        bound: f64,
        tolerance: Tolerance,
    ) -> Self {
        let observed = if value >= bound { bound } else { value };
        Evidence::compare(
            point,
            format!(
                "{relation}: {value:.9e} ≥ {bound:.9e} (margin {:.2e}; observed = min(value, bound))",
                value - bound
            ),
            bound,
            observed,
            tolerance,
        )
    }
}

impl fmt::Display for Evidence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "[{}] {} @ {}: expected {:e}, observed {:e}, |err| {:.2e} vs tol {}",
            if self.passed { "pass" } else { "FAIL" },
            self.method,
            self.point,
            self.expected,
            self.observed,
            self.abs_err,
            self.tolerance
        )
    }
}

/// The signature of a claim's check.
pub type CheckFn = fn(&CheckConfig) -> Result<Vec<Evidence>>;

/// One statement of the theory and the check that tests it.
#[derive(Clone)]
pub struct Claim {
    /// The spec's check id (`DV3`, `MV7`, `TV12`, `NV1`, …).
    pub id: &'static str,
    /// The paper (or numerics) it comes from.
    pub source: Source,
    /// The spec result ids it establishes (e.g. `["D6", "D7"]`).
    pub results: &'static [&'static str],
    /// The statement in one sentence.
    pub statement: &'static str,
    check: CheckFn,
}

impl Claim {
    /// A claim with its check.
    pub const fn new(
        id: &'static str,
        source: Source,
        results: &'static [&'static str],
        statement: &'static str,
        check: CheckFn,
    ) -> Self {
        Claim {
            id,
            source,
            results,
            statement,
            check,
        }
    }

    /// Runs the check. An `Err` means the check itself could not run (e.g. a method failed to
    /// converge); failed comparisons come back as evidence with `passed == false`.
    pub fn check(&self, config: &CheckConfig) -> Result<Vec<Evidence>> {
        (self.check)(config)
    }

    /// Whether `verify --filter prefix` selects this claim (case-sensitive id prefix).
    pub fn matches(&self, prefix: &str) -> bool {
        self.id.starts_with(prefix)
    }
}

impl fmt::Debug for Claim {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Claim")
            .field("id", &self.id)
            .field("source", &self.source)
            .field("results", &self.results)
            .field("statement", &self.statement)
            .finish_non_exhaustive()
    }
}

/// Runs every claim in quick mode and panics with all failing evidence: the body of the
/// `cargo test` wrapper each crate has around its claims.
///
/// # Panics
/// If any claim's check errors or any of its evidence fails.
#[track_caller]
pub fn assert_claims_pass(claims: &[Claim], config: &CheckConfig) {
    let mut failures = Vec::new();
    for claim in claims {
        match claim.check(config) {
            Ok(evidence) if evidence.is_empty() => {
                failures.push(format!("{}: produced no evidence", claim.id))
            }
            Ok(evidence) => failures.extend(
                evidence
                    .iter()
                    .filter(|e| !e.passed)
                    .map(|e| format!("{}: {e}", claim.id)),
            ),
            Err(e) => failures.push(format!("{}: check could not run: {e}", claim.id)),
        }
    }
    assert!(
        failures.is_empty(),
        "{} failing piece(s) of evidence (seed {}):\n{}",
        failures.len(),
        config.seed,
        failures.join("\n")
    );
}

/// [`assert_claims_pass`] in the Quick profile for each of `seeds`: the standard's "claims run
/// in `cargo test` in the Quick profile for two seeds".
///
/// # Panics
/// As [`assert_claims_pass`], at the first seed with a failure.
#[track_caller]
pub fn assert_quick_claims_pass(claims: &[Claim], seeds: &[u64]) {
    for &seed in seeds {
        assert_claims_pass(
            claims,
            &CheckConfig {
                profile: Profile::Quick,
                seed,
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compare_computes_errors_and_verdict() {
        let e = Evidence::compare("p", "m", 2.0, 2.1, Tolerance::stated_absolute(0.2, "test"));
        assert!(e.passed);
        assert!((e.rel_err - 0.05).abs() < 1e-15);
        let e = Evidence::compare(
            "p",
            "m",
            0.0,
            f64::NAN,
            Tolerance::stated_absolute(1.0, "test"),
        );
        assert!(!e.passed);
    }

    #[test]
    fn stream_seeds_differ_and_are_deterministic() {
        let c = CheckConfig::new(Profile::Quick);
        assert_ne!(c.stream_seed(0), c.stream_seed(1));
        assert_eq!(
            c.stream_seed(7),
            CheckConfig::new(Profile::Full).stream_seed(7)
        );
    }
}
