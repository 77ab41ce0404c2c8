//! `thermocheck tables`: the reference tables of the spec and every claim family's evidence, as
//! Markdown and CSV in `docs/tables/`.
//!
//! The tables are generated from the same registered claims `thermocheck verify` runs, in the
//! Standard profile with the default seed, so every number in them is a check that passed: when
//! any check fails nothing is written. The text is deterministic (fixed seed, fixed number
//! formatting, no dates or timings) and identical for any `--threads`, so `--check` can compare
//! the committed files byte for byte with a fresh run.

mod format;
pub(crate) mod output;
mod spec;

use crate::{Failure, Outcome, registry};
use format::{csv, csv_number, md_table, sci3, sig10};
use spec::SPEC_TABLES;
use std::collections::BTreeMap;
use std::path::Path;
use thermocheck_numerics::{CheckConfig, Claim, Evidence, Profile};

/// Arguments of `thermocheck tables`.
#[derive(Debug, clap::Args)]
pub struct TablesArgs {
    /// Directory the tables are written to, created if needed (checked before anything is
    /// computed: an unusable directory exits 2). Without --filter, the .md/.csv files in it that
    /// are not generated are removed; files of other kinds are left alone.
    #[arg(long, default_value = "docs/tables", value_name = "DIR")]
    pub out: std::path::PathBuf,
    /// Write nothing; exit 1 listing (on stderr, one line each) every generated file in --out
    /// that differs from a fresh run or is missing, and every other .md/.csv file there (extra).
    /// Files of other kinds (notes.txt, .gitkeep) are ignored.
    #[arg(long)]
    pub check: bool,
    /// Only the claims whose id starts with this prefix (e.g. `NV`, `DV3`), and only the tables
    /// they make.
    #[arg(long, value_name = "ID_OR_PREFIX")]
    pub filter: Option<String>,
    /// Worker threads, 1 to 256 (the tables are identical for any count).
    #[arg(long, value_name = "N", allow_hyphen_values = true,
          value_parser = clap::value_parser!(u16).range(1..=256))]
    pub threads: Option<u16>,
}

/// The kinds of file `tables` generates: only these count as extra in `--check` and are pruned.
const KINDS: &[&str] = &["md", "csv"];

/// The work profile and seed of every generated table.
const CONFIG: CheckConfig = CheckConfig {
    profile: Profile::Standard,
    seed: CheckConfig::DEFAULT_SEED,
};

pub fn run(args: &TablesArgs) -> Result<Outcome, Failure> {
    let claims = registry::select(registry::claims(), args.filter.as_deref())?;
    let (pool, _) = crate::runtime::thread_pool(args.threads)?;
    // Before the run: an unusable --out is bad input, not a failure after ~30 s of checks.
    let out = output::prepare(&args.out, args.check)?;
    let result = compute_and_render(&pool, claims, args.filter.as_deref());
    let files = match result {
        Ok(files) => files,
        Err(e) => {
            out.remove_created();
            return Err(e);
        }
    };
    if args.check {
        check(&args.out, &files)
    } else {
        write(&args.out, &files, args.filter.is_none())
    }
}

/// Runs `claims` and renders their tables; fails (listing every failed check on stderr) unless
/// every check passed.
fn compute_and_render(
    pool: &rayon::ThreadPool,
    claims: Vec<Claim>,
    filter: Option<&str>,
) -> Result<BTreeMap<String, String>, Failure> {
    let bar = crate::runtime::progress_bar(claims.len(), "{bar:30} {pos}/{len} claims  {msg}");
    let mut results: Vec<(Claim, Vec<Evidence>)> = Vec::new();
    let mut failures: Vec<String> = Vec::new();
    for claim in claims {
        bar.set_message(claim.id);
        match pool.install(|| claim.check(&CONFIG)) {
            Ok(evidence) if evidence.is_empty() => {
                failures.push(format!("{}: produced no evidence", claim.id))
            }
            Ok(evidence) => {
                failures.extend(
                    evidence
                        .iter()
                        .filter(|e| !e.passed)
                        .map(|e| format!("{}: {e}", claim.id)),
                );
                results.push((claim, evidence));
            }
            Err(e) => failures.push(format!("{}: check could not run: {e}", claim.id)),
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    if !failures.is_empty() {
        for f in &failures {
            eprintln!("{f}");
        }
        return Err(Failure::Check(format!(
            "{} check(s) failed (profile {}, seed {}); no table written",
            failures.len(),
            CONFIG.profile,
            CONFIG.seed
        )));
    }
    render(&results, filter)
}

/// Compares the files in `dir` with `files`; one line on stderr per file that differs, is
/// missing or is extra (a `.md`/`.csv` file of `dir` that is not generated; other kinds are not
/// the command's and are ignored).
fn check(dir: &Path, files: &BTreeMap<String, String>) -> Result<Outcome, Failure> {
    let mut stale = Vec::new();
    for (name, content) in files {
        let path = dir.join(name);
        match std::fs::read(&path) {
            Ok(bytes) if bytes == content.as_bytes() => {}
            Ok(_) => stale.push(format!("{}: differs from a fresh run", path.display())),
            Err(_) => stale.push(format!("{}: missing", path.display())),
        }
    }
    stale.extend(
        output::extra_files(dir, KINDS, |name| files.contains_key(name))
            .iter()
            .map(|name| format!("{}: extra (not generated)", dir.join(name).display())),
    );
    if stale.is_empty() {
        outln!("{} files in {} are current", files.len(), dir.display());
        return Ok(Outcome::Passed);
    }
    for line in &stale {
        eprintln!("{line}");
    }
    outln!(
        "{} file(s) in {} are not current; regenerate them with `thermocheck tables --out {}`",
        stale.len(),
        dir.display(),
        dir.display()
    );
    Ok(Outcome::Failed)
}

/// Writes `files` into `dir` and, when `prune`, removes the other `.md`/`.csv` files there.
fn write(dir: &Path, files: &BTreeMap<String, String>, prune: bool) -> Result<Outcome, Failure> {
    let fail = |what: &str, path: &Path, e: std::io::Error| {
        Failure::Check(format!("cannot {what} {}: {e}", path.display()))
    };
    std::fs::create_dir_all(dir).map_err(|e| fail("create", dir, e))?;
    for (name, content) in files {
        let path = dir.join(name);
        std::fs::write(&path, content).map_err(|e| fail("write", &path, e))?;
    }
    let removed = if prune {
        output::prune(dir, KINDS, |name| files.contains_key(name))?
    } else {
        0
    };
    outln!(
        "wrote {} files to {}{}",
        files.len(),
        dir.display(),
        if removed > 0 {
            format!(", removed {removed} stale")
        } else {
            String::new()
        }
    );
    Ok(Outcome::Passed)
}

/// A claim family: the claims whose id starts with `prefix`.
struct Family {
    prefix: &'static str,
    title: &'static str,
}

const FAMILIES: &[Family] = &[
    Family {
        prefix: "NV",
        title: "numerics self-checks",
    },
    Family {
        prefix: "DV",
        title: "minimal-dissipation learning (dissipation.md)",
    },
    Family {
        prefix: "MV",
        title: "the thermodynamic metric (metric.md)",
    },
    Family {
        prefix: "TV",
        title: "the temperature of machine learning systems (temperature.md)",
    },
];

const GENERATED: &str = "Generated by `thermocheck tables` from the claims `thermocheck verify` \
                         runs (profile standard, default seed); every row is a check that \
                         passed. Do not edit: regenerate with `thermocheck tables`; \
                         `thermocheck tables --check` tells whether this file is current.";

/// Every output file, by name.
fn render(
    results: &[(Claim, Vec<Evidence>)],
    filter: Option<&str>,
) -> Result<BTreeMap<String, String>, Failure> {
    let mut files = BTreeMap::new();
    let mut index_spec = Vec::new();
    for table in SPEC_TABLES {
        let Some((claim, evidence)) = results.iter().find(|(c, _)| c.id == table.claim) else {
            continue;
        };
        let rows = spec::select(table, evidence);
        let spec_rows = rows.iter().filter(|(s, _)| *s).count();
        if spec_rows == 0 {
            // A claim relabelled its evidence: the table would silently lose the spec's values.
            return Err(Failure::Check(format!(
                "{}: no evidence of {} has a method containing {:?}; update crates/cli/src/tables/spec.rs",
                table.slug, table.claim, table.marker
            )));
        }
        let (md, csv) = spec_table(table, claim, &rows);
        files.insert(format!("{}.md", table.slug), md);
        files.insert(format!("{}.csv", table.slug), csv);
        index_spec.push(vec![
            format!("[{0}.md]({0}.md), [csv]({0}.csv)", table.slug),
            table.location.to_owned(),
            table.claim.to_owned(),
            spec_rows.to_string(),
            (rows.len() - spec_rows).to_string(),
        ]);
    }
    let mut index_families = Vec::new();
    for family in FAMILIES {
        let members: Vec<&(Claim, Vec<Evidence>)> = results
            .iter()
            .filter(|(c, _)| c.id.starts_with(family.prefix))
            .collect();
        if members.is_empty() {
            continue;
        }
        let slug = format!("claims-{}", family.prefix.to_lowercase());
        let (md, csv) = family_table(family, &members);
        files.insert(format!("{slug}.md"), md);
        files.insert(format!("{slug}.csv"), csv);
        let first = members.first().map_or("", |(c, _)| c.id);
        let last = members.last().map_or("", |(c, _)| c.id);
        index_families.push(vec![
            format!("[{slug}.md]({slug}.md), [csv]({slug}.csv)"),
            family.title.to_owned(),
            if first == last {
                first.to_owned()
            } else {
                format!("{first}–{last} ({})", members.len())
            },
            members
                .iter()
                .map(|(_, e)| e.len())
                .sum::<usize>()
                .to_string(),
        ]);
    }
    let evidence: usize = results.iter().map(|(_, e)| e.len()).sum();
    files.insert(
        "README.md".to_owned(),
        index(
            results.len(),
            evidence,
            filter,
            &index_spec,
            &index_families,
        ),
    );
    Ok(files)
}

/// `README.md`: what was run, with which crates, and the list of tables. No dates or timings, so
/// the file changes only when the results do.
fn index(
    claims: usize,
    evidence: usize,
    filter: Option<&str>,
    spec: &[Vec<String>],
    families: &[Vec<String>],
) -> String {
    // Links are written raw, so the cells are joined here instead of by `md_table`.
    let raw_table = |header: &[&str], rows: &[Vec<String>]| {
        let mut out = format!(
            "| {} |\n|{}\n",
            header.join(" | "),
            "---|".repeat(header.len())
        );
        for row in rows {
            let cells: Vec<String> = row
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    if i == 0 {
                        c.clone()
                    } else {
                        format::md_cell(c)
                    }
                })
                .collect();
            out.push_str(&format!("| {} |\n", cells.join(" | ")));
        }
        out
    };
    let selection = match filter {
        None => format!("all {claims} registered claims"),
        Some(prefix) => format!("the {claims} claims whose id starts with `{prefix}` (--filter)"),
    };
    let mut out = String::from("# Reference tables\n\n");
    out.push_str(GENERATED);
    out.push_str("\n\n");
    out.push_str(&format!(
        "- thermocheck {}\n- profile: {}; master seed {} (`CheckConfig::DEFAULT_SEED`); the \
         results are identical for any `--threads`\n- RNG: {}\n- numerical crates: {}\n\
         - claims: {selection}; {evidence} rows of evidence, all passed\n\
         - numbers: 10 significant digits; errors and tolerances: 3 significant digits; each \
         tolerance is followed by its derivation (k·σ̂/√N for Monte Carlo, the method's \
         cross-checked error estimate, c·ε·|x| for round-off, or the bound the spec states)\n\n",
        env!("CARGO_PKG_VERSION"),
        CONFIG.profile,
        CONFIG.seed,
        thermocheck_numerics::RNG_ALGORITHM,
        env!("THERMOCHECK_CRATE_VERSIONS"),
    ));
    if !spec.is_empty() {
        out.push_str(
            "## The spec's reference tables\n\nEach shows the spec's printed value beside \
             thermocheck's value, and the independent methods' values at the same points.\n\n",
        );
        out.push_str(&raw_table(
            &[
                "file",
                "spec table",
                "claim",
                "spec rows",
                "independent rows",
            ],
            spec,
        ));
        out.push('\n');
    }
    if !families.is_empty() {
        out.push_str(
            "## Every claim's evidence, by family\n\nEvery piece of evidence `thermocheck verify` \
             prints: closed form, independent value, method, error and tolerance.\n\n",
        );
        out.push_str(&raw_table(&["file", "family", "claims", "rows"], families));
    }
    out
}

fn claim_heading(claim: &Claim) -> String {
    let results = if claim.results.is_empty() {
        String::new()
    } else {
        format!(" Results: {}.", claim.results.join(", "))
    };
    format!(
        "{}\n\nSource: {}.{results}\n\n",
        format::md_cell(claim.statement),
        claim.source.citation()
    )
}

/// One reference table of the spec.
fn spec_table(
    table: &spec::SpecTable,
    claim: &Claim,
    rows: &[(bool, &Evidence)],
) -> (String, String) {
    let mut md = format!("# {}\n\n{GENERATED}\n\n", table.title);
    md.push_str(&format!("Spec: {}.\n\n", format::md_cell(table.location)));
    md.push_str(&format!("Claim {}: {}", claim.id, claim_heading(claim)));
    let (columns, lines) = spec::grid(rows);
    md.push_str(
        "## As the spec prints it\n\nthermocheck's value to 10 significant digits, the spec's \
         printed value in parentheses (columns name the quantity; the method that computed it is \
         in the rows below); the rows below give each comparison's error and tolerance \
         and the independent methods' values.\n\n",
    );
    let mut grid_header = vec!["point".to_owned()];
    grid_header.extend(columns.iter().map(|c| format::md_cell(c)));
    let grid_rows: Vec<Vec<String>> = lines
        .iter()
        .map(|(point, cells)| {
            let mut row = vec![(*point).to_owned()];
            row.extend(cells.iter().map(|cell| {
                cell.map_or_else(String::new, |e| {
                    format!("{} ({})", sig10(e.observed), spec_printed(e))
                })
            }));
            row
        })
        .collect();
    let grid_header: Vec<&str> = grid_header.iter().map(String::as_str).collect();
    md.push_str(&md_table(&grid_header, &grid_rows));
    md.push_str("\n## Every comparison\n\n");
    md.push_str(
        "Rows are grouped by parameter point. A *spec* row compares the spec's printed value \
         (*spec printed*) with thermocheck's value (*thermocheck*; the method says whether it is \
         the closed form or a reference computation); an *independent* row compares thermocheck's \
         closed form with an independent method (*independent*). The error is |thermocheck − \
         spec printed| or |independent − thermocheck|.\n\n",
    );
    let header = [
        "point",
        "row",
        "quantity and method",
        "spec printed",
        "thermocheck",
        "independent",
        "abs err",
        "rel err",
        "tolerance (abs, derivation)",
    ];
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|(is_spec, e)| {
            let (printed, ours, independent) = if *is_spec {
                (spec_printed(e), sig10(e.observed), String::new())
            } else {
                (String::new(), sig10(e.expected), sig10(e.observed))
            };
            vec![
                e.point.clone(),
                if *is_spec { "spec" } else { "independent" }.to_owned(),
                e.method.clone(),
                printed,
                ours,
                independent,
                sci3(e.abs_err),
                sci3(e.rel_err),
                e.tolerance.to_string(),
            ]
        })
        .collect();
    md.push_str(&md_table(&header, &cells));
    let csv_header = [
        "claim",
        "point",
        "row",
        "method",
        "spec_printed",
        "thermocheck",
        "independent",
        "abs_err",
        "rel_err",
        "tolerance_abs",
        "tolerance",
    ];
    let csv_rows: Vec<Vec<String>> = rows
        .iter()
        .zip(&cells)
        .map(|((_, e), c)| {
            let mut row = vec![claim.id.to_owned()];
            // point, row, method; then the numbers (an empty field where Markdown shows —).
            row.extend(c[..3].iter().cloned());
            row.extend(c[3..8].iter().map(|n| csv_number(n)));
            row.push(csv_number(&sci3(e.tolerance.absolute)));
            row.push(c[8].clone());
            row
        })
        .collect();
    (md, csv(&csv_header, &csv_rows))
}

/// The spec's printed value of a spec row, as the spec prints it. When the row's tolerance says
/// the spec rounds to `n` decimals (`spec table rounds to 6 decimals`) and the value is a
/// rounding, it keeps its `n` decimals, trailing zeros included (W_lin = 0.090000454… is printed
/// `0.090000`, not `0.09`); an exact value the spec prints in its shortest form (`12.5`, `0.5`
/// in the same table) stays so. Otherwise the shortest form that reads back as the claim's value,
/// so a 10-digit spec value such as 1.7911862296 is not rounded again; stated decimals that would
/// change the value (the spec printed more digits than the tolerance says) are ignored.
fn spec_printed(e: &Evidence) -> String {
    if !e.expected.is_finite() {
        return format::NO_VALUE.to_owned();
    }
    let shortest = format!("{}", e.expected);
    let Some(decimals) = stated_decimals(&e.tolerance.to_string()) else {
        return shortest;
    };
    // A rounding moves the value by up to half a unit in the last printed place; thermocheck's
    // value differs from an exact printed value by round-off only (≲ 1e−12 relative), far below
    // a millionth of that half unit.
    let half_unit = 0.5 * 10f64.powi(-i32::try_from(decimals).unwrap_or(17));
    let rounded = (e.observed - e.expected).abs() > 1e-6 * half_unit;
    let fixed = format!("{:.decimals$}", e.expected);
    if rounded && fixed.parse::<f64>() == Ok(e.expected) {
        fixed
    } else {
        shortest
    }
}

/// The number of decimals a tolerance's derivation says the spec rounds its printed values to:
/// `n` in "… rounds to n decimals", "… printed to n decimals" or "… quotes n decimals".
fn stated_decimals(derivation: &str) -> Option<usize> {
    let words: Vec<&str> = derivation
        .split(|c: char| c.is_whitespace() || c == ':' || c == ',' || c == ')' || c == '(')
        .filter(|w| !w.is_empty())
        .collect();
    words.windows(3).find_map(|w| match w {
        [lead, n, "decimals"] if matches!(*lead, "to" | "quotes") => {
            n.parse::<usize>().ok().filter(|&n| n <= 17)
        }
        _ => None,
    })
}

/// Every claim of one family with all its evidence.
fn family_table(family: &Family, members: &[&(Claim, Vec<Evidence>)]) -> (String, String) {
    let mut md = format!(
        "# {} claims: {}\n\n{GENERATED}\n\n",
        family.prefix, family.title
    );
    md.push_str(
        "*closed form* is the value the claim predicts (its closed form or reference value), \
         *independent* the value of the independent method named in *method*; abs err = \
         |independent − closed form|, rel err = abs err / |closed form|.\n\n",
    );
    let header = [
        "point",
        "method",
        "closed form",
        "independent",
        "abs err",
        "rel err",
        "tolerance (abs, derivation)",
    ];
    let mut csv_rows = Vec::new();
    for (claim, evidence) in members {
        md.push_str(&format!("## {}\n\n{}", claim.id, claim_heading(claim)));
        let cells: Vec<Vec<String>> = evidence
            .iter()
            .map(|e| {
                vec![
                    e.point.clone(),
                    e.method.clone(),
                    sig10(e.expected),
                    sig10(e.observed),
                    sci3(e.abs_err),
                    sci3(e.rel_err),
                    e.tolerance.to_string(),
                ]
            })
            .collect();
        md.push_str(&md_table(&header, &cells));
        md.push('\n');
        for (e, c) in evidence.iter().zip(cells) {
            let mut row = vec![claim.id.to_owned()];
            // point, method; then the numbers (an empty field where Markdown shows —).
            row.extend(c[..2].iter().cloned());
            row.extend(c[2..6].iter().map(|n| csv_number(n)));
            row.push(csv_number(&sci3(e.tolerance.absolute)));
            row.push(c[6].clone());
            csv_rows.push(row);
        }
    }
    let csv_header = [
        "claim",
        "point",
        "method",
        "closed_form",
        "independent",
        "abs_err",
        "rel_err",
        "tolerance_abs",
        "tolerance",
    ];
    md.truncate(md.trim_end().len());
    md.push('\n');
    (md, csv(&csv_header, &csv_rows))
}

#[cfg(test)]
mod tests {
    use super::*;
    use thermocheck_numerics::{Source, Tolerance};

    fn claim() -> Claim {
        Claim::new("XV1", Source::Numerics, &[], "a test claim", |_| {
            Ok(Vec::new())
        })
    }

    #[test]
    fn a_relative_error_against_zero_is_empty_in_csv_and_a_dash_in_markdown() {
        // MV1's ζ[0,1] = 0 against quadrature's −6.04e−18: rel err = |x|/0 = ∞.
        let e = Evidence::compare(
            "μ=0.3",
            "quadrature ζ[0,1]",
            0.0,
            -6.036116341e-18,
            Tolerance::conditioning(4.0, 1.0),
        );
        assert!(e.rel_err.is_infinite());
        let claim = claim();
        let family = Family {
            prefix: "XV",
            title: "test",
        };
        let members = [(claim.clone(), vec![e.clone()])];
        let (md, csv) = family_table(&family, &members.iter().collect::<Vec<_>>());
        let row = csv.lines().nth(1).expect("a data row");
        assert_eq!(
            row,
            "XV1,μ=0.3,\"quadrature ζ[0,1]\",0,-6.036116341e-18,6.04e-18,,8.88e-16,8.88e-16 (4·ε·|x|)"
        );
        assert!(!csv.contains("inf") && !csv.contains("NaN"), "{csv}");
        assert!(md.contains("| 6.04e-18 | — |"), "{md}");
        assert!(!md.contains("inf"), "{md}");

        let table = spec::SpecTable {
            slug: "t",
            title: "t",
            location: "t",
            claim: "XV1",
            marker: "vs spec",
            extra: |_| false,
        };
        let spec_row = Evidence::compare(
            "μ=0.3",
            "ζ vs spec",
            0.0,
            1e-20,
            Tolerance::stated_absolute(5e-8, "spec table rounds to 7 decimals"),
        );
        let rows = [(true, &spec_row), (false, &e)];
        let (md, csv) = spec_table(&table, &claim, &rows);
        assert!(!csv.contains("inf") && !csv.contains("NaN"), "{csv}");
        assert!(
            csv.lines().any(|l| l.contains(",6.04e-18,,8.88e-16,")),
            "{csv}"
        );
        assert!(md.contains("| 6.04e-18 | — |"), "{md}");
        assert!(!md.contains("inf"), "{md}");
    }

    #[test]
    fn spec_values_keep_the_decimals_the_spec_rounds_to() {
        // (printed value, thermocheck's value, derivation of the tolerance).
        let spec = |printed: f64, ours: f64, reason: &str| {
            Evidence::compare(
                "p",
                "x vs spec",
                printed,
                ours,
                Tolerance::stated_absolute(5e-7, reason),
            )
        };
        let six = "spec table rounds to 6 decimals";
        // dissipation.md, DV3 table, T = 10: W_lin = 0.090000454 is printed 0.090000, …
        assert_eq!(spec_printed(&spec(0.09, 0.090000454, six)), "0.090000");
        assert_eq!(spec_printed(&spec(0.083333, 1.0 / 12.0, six)), "0.083333");
        assert_eq!(spec_printed(&spec(-0.5, -0.4999996, six)), "-0.500000");
        // … while the exact values of the same table are printed 12.5, 25 and 0.5.
        assert_eq!(spec_printed(&spec(12.5, 12.5, six)), "12.5");
        assert_eq!(spec_printed(&spec(25.0, 25.0 + 1e-14, six)), "25");
        assert_eq!(spec_printed(&spec(0.5, 0.5, six)), "0.5");
        assert_eq!(
            spec_printed(&spec(0.0, 2e-9, "spec MV1 table rounds to 7 decimals")),
            "0.0000000"
        );
        assert_eq!(
            spec_printed(&spec(0.25, 0.2500001, "spec DV10 quotes 6 decimals")),
            "0.250000"
        );
        // Within a sum of tolerances: metric.md, table M17, 0.24067710 (8 decimals).
        let sum = Evidence::compare(
            "p",
            "x vs spec",
            0.2406771,
            0.2406771029,
            Tolerance::stated_absolute(5e-9, "spec table M17 printed to 8 decimals: ½ unit")
                .plus(Tolerance::error_estimate(1.0, 1e-12, 1.0)),
        );
        assert_eq!(spec_printed(&sum), "0.24067710");
        // No stated rounding: the shortest form, as before.
        assert_eq!(
            spec_printed(&spec(0.09, 0.090000454, "spec quotes this many digits")),
            "0.09"
        );
        // More digits than stated: rounding would change the value, so it is kept whole.
        assert_eq!(
            spec_printed(&spec(1.7911862296, 1.79118622961, six)),
            "1.7911862296"
        );
        assert_eq!(stated_decimals("rounds to many decimals"), None);
    }
}
