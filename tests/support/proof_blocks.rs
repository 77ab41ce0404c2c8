//! Machine-checked steps of the Markdown derivations in `proofs/` (issue #6).
//!
//! A proof file opens with front matter naming the claim ids it establishes,
//!
//! ```text
//! ---
//! claims: [M11, MV1]
//! ---
//! ```
//!
//! and repeats every mechanically checkable step in a fenced block:
//!
//! ~~~text
//! ```identity
//! vars: x in [-5, 5], a in [-5, 5]
//! lhs: (x - a)^2
//! rhs: x^2 - 2*a*x + a^2
//! ```
//! ~~~
//!
//! A `derivative` block has the same fields plus `var:` and states
//! $\partial\,\mathrm{lhs}/\partial\,\mathrm{var} = \mathrm{rhs}$; the derivative of `lhs` is formed
//! symbolically by exmex (feature `partial`), which has no rule for `abs` and `cbrt` (a clear
//! error is reported then). Both sides are parsed by exmex after
//! [`standard_unary_minus`], so `-x^2` means $-(x^2)$ as in the LaTeX beside it.
//!
//! Each block is evaluated at [`POINTS`] points drawn uniformly from its box by a fixed-seed
//! Xoshiro256++ stream (`thermocheck_numerics::sde::streams`), and passes when at every point
//! $|\mathrm{lhs}-\mathrm{rhs}| \le$ [`RELATIVE_TOLERANCE`]$\cdot\max(1,|\mathrm{lhs}|,|\mathrm{rhs}|)$.
//! A point where either side is not finite is a failure: a block's box must keep both sides
//! finite.

use exmex::{Differentiate, Express, FlatEx};
use rand_xoshiro::rand_core::Rng;
use std::path::{Path, PathBuf};
use thermocheck_metric::expression::standard_unary_minus;
use thermocheck_numerics::sde::streams;

/// Number of random points per block.
pub const POINTS: usize = 256;

/// Seed of the point stream (fixed, so a failure is reproducible).
pub const SEED: u64 = 0x5052_4F4F_4653; // "PROOFS"

/// Allowed difference relative to $\max(1,|\mathrm{lhs}|,|\mathrm{rhs}|)$.
///
/// Why this value: a block states an *exact* identity, so the only difference between the two
/// sides is floating-point rounding. Each side is a tree of O(10–100) operations, each with
/// relative error $\le 2^{-53} \approx 1.1\cdot10^{-16}$; with cancellations between terms of
/// the size of the result, the accumulated error stays below about $100 \cdot 10^{-16} \cdot$
/// (scale) $= 10^{-14}\cdot$scale, with the boxes chosen so that intermediate terms are within a
/// factor ~100 of the result. $10^{-10}$ leaves four orders of margin for that, while any
/// algebraic slip (a wrong sign, factor or power) changes the value at O(1) relative size at
/// generic points. The floor 1 in the scale is for points where both sides are near zero: there
/// the rounding error is set by the O(1) intermediate terms, not by the tiny result.
pub const RELATIVE_TOLERANCE: f64 = 1e-10;

/// The kind of a checked block.
#[derive(Clone, Debug, PartialEq)]
pub enum BlockKind {
    /// `lhs = rhs` identically on the box.
    Identity,
    /// $\partial\,\mathrm{lhs}/\partial\,\mathrm{var} = \mathrm{rhs}$ on the box.
    Derivative {
        /// The variable differentiated by.
        var: String,
    },
}

/// A variable and the closed interval it is drawn from.
#[derive(Clone, Debug, PartialEq)]
pub struct VarBox {
    /// Variable name as used in the expressions.
    pub name: String,
    /// Lower end of the interval.
    pub lo: f64,
    /// Upper end of the interval.
    pub hi: f64,
}

/// One fenced `identity` or `derivative` block.
#[derive(Clone, Debug, PartialEq)]
pub struct Block {
    /// Identity or derivative.
    pub kind: BlockKind,
    /// 1-based line of the opening fence.
    pub line: usize,
    /// The box the points are drawn from.
    pub vars: Vec<VarBox>,
    /// Left-hand side text.
    pub lhs: String,
    /// Right-hand side text.
    pub rhs: String,
}

/// A parsed proof file.
#[derive(Clone, Debug, PartialEq)]
pub struct Proof {
    /// Claim ids from the front matter.
    pub claims: Vec<String>,
    /// Checked blocks in file order.
    pub blocks: Vec<Block>,
}

/// Result of a block that passed.
#[derive(Clone, Debug)]
pub struct BlockReport {
    /// `file:line` of the opening fence.
    pub location: String,
    /// `identity` or `derivative`.
    pub kind: &'static str,
    /// Largest $|\mathrm{lhs}-\mathrm{rhs}|/\max(1,|\mathrm{lhs}|,|\mathrm{rhs}|)$ over the points.
    pub worst_relative: f64,
}

/// Every `.md` file below `dir`, in sorted order (depth first), appended to `out`.
pub fn markdown_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            markdown_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "md") {
            out.push(path);
        }
    }
}

/// Parses front matter and blocks; errors name `file:line`.
pub fn parse_proof(file: &str, text: &str) -> Result<Proof, String> {
    let lines: Vec<&str> = text.lines().collect();
    let claims = parse_front_matter(file, &lines)?;
    let mut blocks = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let trimmed = lines[i].trim();
        if let Some(info) = trimmed.strip_prefix("```") {
            let start = i;
            let kind = info.trim();
            let mut body = Vec::new();
            i += 1;
            while i < lines.len() && lines[i].trim() != "```" {
                body.push((i + 1, lines[i]));
                i += 1;
            }
            if i == lines.len() {
                return Err(format!("{file}:{}: unclosed code fence", start + 1));
            }
            if kind == "identity" || kind == "derivative" {
                blocks.push(parse_block(file, start + 1, kind, &body)?);
            }
        }
        i += 1;
    }
    Ok(Proof { claims, blocks })
}

fn parse_front_matter(file: &str, lines: &[&str]) -> Result<Vec<String>, String> {
    if lines.first().map(|l| l.trim()) != Some("---") {
        return Err(format!(
            "{file}:1: a proof must open with front matter `---` / `claims: [..]` / `---`"
        ));
    }
    let end = lines
        .iter()
        .skip(1)
        .position(|l| l.trim() == "---")
        .ok_or_else(|| format!("{file}:1: front matter is not closed by `---`"))?
        + 1;
    for (n, line) in lines.iter().enumerate().take(end).skip(1) {
        if let Some(list) = line.trim().strip_prefix("claims:") {
            let inner = list
                .trim()
                .strip_prefix('[')
                .and_then(|s| s.strip_suffix(']'))
                .ok_or_else(|| format!("{file}:{}: claims must be a list `[A1, B2]`", n + 1))?;
            let claims: Vec<String> = inner
                .split(',')
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect();
            if claims.is_empty() {
                return Err(format!("{file}:{}: the claims list is empty", n + 1));
            }
            return Ok(claims);
        }
    }
    Err(format!("{file}:1: front matter has no `claims:` line"))
}

fn parse_block(
    file: &str,
    line: usize,
    kind: &str,
    body: &[(usize, &str)],
) -> Result<Block, String> {
    let (mut vars, mut lhs, mut rhs, mut var) = (None, None, None, None);
    for &(n, text) in body {
        let text = text.trim();
        if text.is_empty() {
            continue;
        }
        let (key, value) = text
            .split_once(':')
            .ok_or_else(|| format!("{file}:{n}: expected `key: value`, found `{text}`"))?;
        let value = value.trim().to_owned();
        let slot = match key.trim() {
            "vars" => &mut vars,
            "lhs" => &mut lhs,
            "rhs" => &mut rhs,
            "var" if kind == "derivative" => &mut var,
            other => {
                return Err(format!(
                    "{file}:{n}: unknown field `{other}` in a {kind} block"
                ));
            }
        };
        if slot.replace(value).is_some() {
            return Err(format!("{file}:{n}: field `{}` given twice", key.trim()));
        }
    }
    let missing = |field: &str| format!("{file}:{line}: {kind} block has no `{field}:` field");
    let vars = parse_vars(file, line, &vars.ok_or_else(|| missing("vars"))?)?;
    let lhs = lhs.ok_or_else(|| missing("lhs"))?;
    let rhs = rhs.ok_or_else(|| missing("rhs"))?;
    let kind = if kind == "derivative" {
        let var = var.ok_or_else(|| missing("var"))?;
        if !vars.iter().any(|v| v.name == var) {
            return Err(format!(
                "{file}:{line}: `var: {var}` is not among the block's vars"
            ));
        }
        BlockKind::Derivative { var }
    } else {
        BlockKind::Identity
    };
    Ok(Block {
        kind,
        line,
        vars,
        lhs,
        rhs,
    })
}

/// `x in [-5, 5], s2 in [0.1, 10]` (commas inside brackets do not separate entries).
fn parse_vars(file: &str, line: usize, text: &str) -> Result<Vec<VarBox>, String> {
    let mut vars: Vec<VarBox> = Vec::new();
    let mut rest = text.trim();
    while !rest.is_empty() {
        let close = rest
            .find(']')
            .ok_or_else(|| format!("{file}:{line}: vars entry `{rest}` lacks `[lo, hi]`"))?;
        let entry = &rest[..=close];
        rest = rest[close + 1..]
            .trim_start()
            .trim_start_matches(',')
            .trim();
        let bad = || format!("{file}:{line}: vars entry `{entry}` is not `name in [lo, hi]`");
        let (name, range) = entry.split_once(" in ").ok_or_else(bad)?;
        let (lo, hi) = range
            .trim()
            .strip_prefix('[')
            .and_then(|s| s.strip_suffix(']'))
            .and_then(|s| s.split_once(','))
            .ok_or_else(bad)?;
        let lo: f64 = lo.trim().parse().map_err(|_| bad())?;
        let hi: f64 = hi.trim().parse().map_err(|_| bad())?;
        if !(lo.is_finite() && hi.is_finite() && lo < hi) {
            return Err(format!(
                "{file}:{line}: vars entry `{entry}` needs finite lo < hi"
            ));
        }
        let name = name.trim().to_owned();
        if vars.iter().any(|v| v.name == name) {
            return Err(format!("{file}:{line}: variable `{name}` declared twice"));
        }
        vars.push(VarBox { name, lo, hi });
    }
    if vars.is_empty() {
        return Err(format!(
            "{file}:{line}: a block needs at least one variable"
        ));
    }
    Ok(vars)
}

/// An expression of a block with the positions of its variables in the block's `vars`.
struct Side {
    expr: FlatEx<f64>,
    slots: Vec<usize>,
}

impl Side {
    fn eval(&self, point: &[f64], args: &mut Vec<f64>) -> Result<f64, String> {
        args.clear();
        args.extend(self.slots.iter().map(|&s| point[s]));
        self.expr.eval(args).map_err(|e| e.to_string())
    }
}

fn parse_side(
    at: &str,
    name: &str,
    text: &str,
    block: &Block,
    derivative_by: Option<&str>,
) -> Result<Side, String> {
    let mut expr = exmex::parse::<f64>(&standard_unary_minus(text))
        .map_err(|e| format!("{at}: cannot parse {name} `{text}`: {e}"))?;
    if let Some(var) = derivative_by {
        let idx = expr
            .var_names()
            .iter()
            .position(|v| v == var)
            .ok_or_else(|| format!("{at}: {name} `{text}` does not contain `{var}`"))?;
        expr = expr.partial(idx).map_err(|e| {
            format!(
                "{at}: exmex cannot differentiate {name} `{text}` by `{var}` ({e}); \
                 exmex 0.21 has no derivative rule for `abs` or `cbrt`: rewrite the step \
                 without them (e.g. `x^(1/3)` on a positive box, `sqrt(x^2)`)"
            )
        })?;
    }
    let slots =
        expr.var_names()
            .iter()
            .map(|v| {
                block.vars.iter().position(|b| &b.name == v).ok_or_else(|| {
                    format!("{at}: {name} uses `{v}`, which is not declared in `vars:`")
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
    Ok(Side { expr, slots })
}

/// Evaluates one block at [`POINTS`] seeded points; the error names `file:line`, the block, the
/// worst (or first non-finite) point and both values.
pub fn check_block(file: &str, block: &Block) -> Result<BlockReport, String> {
    let at = format!("{file}:{}", block.line);
    let (kind, by) = match &block.kind {
        BlockKind::Identity => ("identity", None),
        BlockKind::Derivative { var } => ("derivative", Some(var.as_str())),
    };
    let lhs = parse_side(&at, "lhs", &block.lhs, block, by)?;
    let rhs = parse_side(&at, "rhs", &block.rhs, block, None)?;
    let describe = |point: &[f64], l: f64, r: f64| {
        let coords: Vec<String> = block
            .vars
            .iter()
            .zip(point)
            .map(|(v, x)| format!("{} = {x:e}", v.name))
            .collect();
        let lhs_label = match by {
            Some(var) => format!("d/d{var} of lhs"),
            None => "lhs".to_owned(),
        };
        format!(
            "{at}: {kind} block fails\n  lhs: {}\n  rhs: {}\n  worst point: {}\n  {lhs_label} = {l:e}, rhs = {r:e}, |difference| = {:e}",
            block.lhs,
            block.rhs,
            coords.join(", "),
            (l - r).abs()
        )
    };
    let mut rng = streams(SEED, 1)
        .pop()
        .ok_or_else(|| format!("{at}: no random stream"))?;
    let mut point = vec![0.0; block.vars.len()];
    let mut args = Vec::with_capacity(block.vars.len());
    let mut worst: Option<(f64, Vec<f64>, f64, f64)> = None;
    for _ in 0..POINTS {
        for (x, v) in point.iter_mut().zip(&block.vars) {
            // 53 random bits give a uniform double in [0, 1).
            let u = (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64);
            *x = v.lo + (v.hi - v.lo) * u;
        }
        let l = lhs
            .eval(&point, &mut args)
            .map_err(|e| format!("{at}: {e}"))?;
        let r = rhs
            .eval(&point, &mut args)
            .map_err(|e| format!("{at}: {e}"))?;
        if !(l.is_finite() && r.is_finite()) {
            return Err(format!(
                "{} (a side is not finite: shrink the box)",
                describe(&point, l, r)
            ));
        }
        let relative = (l - r).abs() / 1f64.max(l.abs()).max(r.abs());
        if worst.as_ref().is_none_or(|w| relative > w.0) {
            worst = Some((relative, point.clone(), l, r));
        }
    }
    let (worst_relative, point, l, r) = worst.ok_or_else(|| format!("{at}: no points"))?;
    if worst_relative > RELATIVE_TOLERANCE {
        return Err(format!(
            "{} > {RELATIVE_TOLERANCE:e}·max(1, |lhs|, |rhs|) (relative {worst_relative:e})",
            describe(&point, l, r)
        ));
    }
    Ok(BlockReport {
        location: at,
        kind,
        worst_relative,
    })
}

/// Parses and checks a whole proof: the reports of the passing blocks, or every failure
/// (parse errors and failing blocks) joined by blank lines.
pub fn check_proof(file: &str, text: &str) -> Result<(Proof, Vec<BlockReport>), String> {
    let proof = parse_proof(file, text)?;
    if proof.blocks.is_empty() {
        return Err(format!("{file}: no `identity` or `derivative` block"));
    }
    let mut reports = Vec::new();
    let mut failures = Vec::new();
    for block in &proof.blocks {
        match check_block(file, block) {
            Ok(r) => reports.push(r),
            Err(e) => failures.push(e),
        }
    }
    if failures.is_empty() {
        Ok((proof, reports))
    } else {
        Err(failures.join("\n\n"))
    }
}
