//! DV12 (D26, D27): the optimal stiffness protocol against the spec's table, against the moment
//! ODEs driven by its learning-rate realisation, and against numerical minimisation over
//! piecewise-constant stiffness protocols.

use super::gaussian::{at_least, estimate, spec_table};
use crate::data::Data;
use crate::energy::Stiffness;
use crate::learning::LearningProblem;
use crate::moments::{self, MomentOptions};
use crate::stiffness::StiffnessProtocol;
use nalgebra::{Cholesky, DMatrix, DVector};
use num_dual::{DualNum, HyperDual64};
use thermocheck_numerics::tolerance::ESTIMATE_FACTOR;
use thermocheck_numerics::{CheckConfig, Error, Evidence, Result, Tolerance};

/// The DV12 table: (k_i, k_f, T, D, c, W*, ΔF, W*_ex, w*(T)).
// ΔF = ln(4)/2 = ln 2 in one row: a reference value, not a hand-typed constant.
#[allow(clippy::approx_constant)]
pub(crate) const DV12_TABLE: [[f64; 9]; 6] = [
    [
        1.0, 2.0, 1.0, 1.0, -0.190983, 0.402918, 0.346574, 0.056345, 0.654508,
    ],
    [
        1.0, 2.0, 2.0, 0.5, -0.190983, 0.402918, 0.346574, 0.056345, 0.654508,
    ],
    [
        1.0, 0.5, 0.3, 1.0, 0.205543, -0.265380, -0.346574, 0.081194, 1.127128,
    ],
    [
        2.0, 5.0, 4.0, 1.0, -0.087453, 0.474220, 0.458145, 0.016075, 0.211372,
    ],
    [
        1.0, 4.0, 1.0, 2.0, -0.220871, 0.803806, 0.693147, 0.110659, 0.311652,
    ],
    [
        0.5, 3.0, 0.7, 1.3, -0.454097, 1.441314, 0.895880, 0.545434, 0.688602,
    ],
];

/// Work of a piecewise-constant stiffness protocol: $n$ equal pieces at stiffness
/// $k_j = e^{x_j}$, a jump from $k_i$ into the first and from the last to $k_f$ at $T$.
///
/// On a piece of length $h$ at stiffness $k$ no work is done and the chain variance relaxes
/// exactly (Ornstein–Uhlenbeck), $w \leftarrow 1/k + (w - 1/k)\,e^{-2kDh}$
/// (D25: $\dot w = 2D(1 - kw)$); a jump $k^- \to k^+$ costs $(k^+ - k^-)\,w/2$. Nothing here
/// uses D26. Generic so that hyper-dual numbers give the exact gradient and Hessian in
/// $x = \ln k$.
fn piecewise_work<N: DualNum<Primitive = f64> + Copy>(
    k_i: f64,
    k_f: f64,
    log_levels: &[N],
    duration: f64,
    diffusion: f64,
) -> N {
    let rate = -2.0 * diffusion * duration / log_levels.len() as f64;
    let mut k = N::from(k_i);
    let mut w = N::from(1.0 / k_i);
    let mut work = N::from(0.0);
    for &x in log_levels {
        let level = x.exp();
        work += (level - k) * w * 0.5;
        k = level;
        let equilibrium = level.recip();
        w = equilibrium + (w - equilibrium) * (level * rate).exp();
    }
    work + (-k + k_f) * w * 0.5
}

/// A converged minimum over piecewise-constant protocols.
struct Minimum {
    work: f64,
    gradient: f64,
    iterations: usize,
}

/// Largest Newton iteration count before [`minimise`] gives up.
const MAX_NEWTON: usize = 200;

/// Minimises [`piecewise_work`] over $n$ levels by damped Newton in $x = \ln k$ (exact gradient
/// and Hessian from hyper-dual numbers; Levenberg shift when the Hessian is not positive
/// definite; Armijo backtracking), from the geometric interpolation $k_j = k_i^{1-u_j}k_f^{u_j}$,
/// which knows nothing of D26. Converged when the Hessian is positive definite and the Newton
/// decrement $-\nabla W^\top p \le 10^{-16}(1 + |W|)$: the quadratic model predicts no decrease
/// that `f64` could resolve (the gradient itself stalls at its round-off floor, $\sim10^{-11}$ for
/// 64 pieces).
fn minimise(k_i: f64, k_f: f64, duration: f64, diffusion: f64, pieces: usize) -> Result<Minimum> {
    let f = |x: &[f64]| piecewise_work(k_i, k_f, x, duration, diffusion);
    let derivatives = |x: &[f64]| -> (f64, DVector<f64>, DMatrix<f64>) {
        let n = x.len();
        let mut grad = DVector::zeros(n);
        let mut hess = DMatrix::zeros(n, n);
        let mut value = 0.0;
        let mut dual: Vec<HyperDual64> = x.iter().map(|&v| HyperDual64::from_re(v)).collect();
        for i in 0..n {
            for j in i..n {
                dual[i].eps1 = 1.0;
                dual[j].eps2 = 1.0;
                let r = piecewise_work(k_i, k_f, &dual, duration, diffusion);
                dual[i].eps1 = 0.0;
                dual[j].eps2 = 0.0;
                value = r.re;
                grad[i] = r.eps1;
                hess[(i, j)] = r.eps1eps2;
                hess[(j, i)] = r.eps1eps2;
            }
        }
        (value, grad, hess)
    };
    let mut x: Vec<f64> = (0..pieces)
        .map(|j| {
            let u = (j as f64 + 0.5) / pieces as f64;
            (1.0 - u) * k_i.ln() + u * k_f.ln()
        })
        .collect();
    for iteration in 0..MAX_NEWTON {
        let (value, grad, hess) = derivatives(&x);
        let g_max = grad.amax();
        let mut shift = 0.0;
        let step = loop {
            let shifted = &hess + DMatrix::identity(pieces, pieces) * shift;
            match Cholesky::new(shifted) {
                Some(ch) => break -ch.solve(&grad),
                None => shift = (shift * 10.0f64).max(1e-8 * (1.0 + hess.amax())),
            }
        };
        let slope = grad.dot(&step);
        // Newton decrement: the decrease the quadratic model still predicts.
        if shift == 0.0 && -slope <= 1e-16 * (1.0 + value.abs()) {
            return Ok(Minimum {
                work: f(&x),
                gradient: g_max,
                iterations: iteration,
            });
        }
        let mut alpha = 1.0;
        let accepted = loop {
            let trial: Vec<f64> = x.iter().zip(&step).map(|(a, s)| a + alpha * s).collect();
            if f(&trial) <= value + 1e-4 * alpha * slope {
                break Some(trial);
            }
            alpha /= 2.0;
            if alpha < 1e-12 {
                break None;
            }
        };
        match accepted {
            Some(trial) => x = trial,
            // No descent left at round-off level: converged as far as f64 allows.
            None => {
                return Ok(Minimum {
                    work: value,
                    gradient: g_max,
                    iterations: iteration,
                });
            }
        }
    }
    Err(Error::NotConverged {
        method: "damped Newton over piecewise-constant stiffness protocols".to_owned(),
        detail: format!("{MAX_NEWTON} iterations, {pieces} pieces, k_i={k_i}, k_f={k_f}"),
    })
}

/// DV12 (D26, D27): every row of the spec's table from the closed forms; the moment ODEs with the
/// stiffness energy, data of second moment $1/k_f$ and the D27 schedule reach $k_f$ and $w^*(T)$
/// with $W = W^*$; the D27 impulses quoted in the spec; and minimisation over piecewise-constant
/// protocols approaching $W^*$ from above as the pieces are refined.
pub(super) fn dv12(config: &CheckConfig) -> Result<Vec<Evidence>> {
    let mut out = Vec::new();
    let names = ["c", "W*", "ΔF", "W*_ex", "w*(T)"];
    for row in DV12_TABLE {
        let [k_i, k_f, t, d] = [row[0], row[1], row[2], row[3]];
        let p = StiffnessProtocol::new(k_i, k_f, t, d)?;
        let here = format!("k_i={k_i}, k_f={k_f}, T={t}, D={d}");
        let observed = [
            p.c(),
            p.min_work(),
            p.free_energy_change(),
            p.min_excess_work(),
            p.variance(t)?,
        ];
        for (i, (name, value)) in names.iter().zip(observed).enumerate() {
            out.push(Evidence::compare(
                here.clone(),
                format!("closed form {name} (D26) vs spec DV12 table"),
                row[4 + i],
                value,
                spec_table(),
            ));
        }

        // The learning-rate realisation (D27) through the moment ODEs.
        let schedule = p.schedule()?;
        let data = Data::gaussian(0.0, p.data_second_moment())?;
        let initial = [k_i];
        let problem = LearningProblem::new(&Stiffness, &data, &schedule, &initial, d)?;
        let run = moments::learn(&problem, &MomentOptions::default())?;
        let end = run.final_point();
        let e = estimate(&run);
        let w_t = p.variance(t)?;
        for (what, expected, observed) in [
            ("k(T⁺) vs k_f", k_f, end.theta[0]),
            ("chain variance w(T) vs w*(T)", w_t, end.chain_variance),
            ("W vs W* (D26)", p.min_work(), end.work),
            (
                "W − ΔF vs W*_ex (D26)",
                p.min_excess_work(),
                end.excess_work(),
            ),
        ] {
            out.push(Evidence::compare(
                here.clone(),
                format!("moment ODEs, D27 schedule with impulses: {what}"),
                expected,
                observed,
                Tolerance::error_estimate(ESTIMATE_FACTOR, e, expected),
            ));
        }
    }

    // D27's quoted impulses: (k_i, T, D) = (1, 1, 1).
    for (k_f, eta0, eta_t) in [(2.0, 0.763932, 3.055728), (4.0, 1.046333, 10.833990)] {
        let p = StiffnessProtocol::new(1.0, k_f, 1.0, 1.0)?;
        let here = format!("k_i=1, k_f={k_f}, T=1, D=1");
        out.push(Evidence::compare(
            here.clone(),
            "closed form η₀ (D27) vs spec",
            eta0,
            p.initial_impulse(),
            spec_table(),
        ));
        out.push(Evidence::compare(
            here,
            "closed form η_T (D27) vs spec",
            eta_t,
            p.final_impulse(),
            spec_table(),
        ));
    }

    // Minimisation over piecewise-constant protocols, refined n → 2n. The minimum converges as
    // O(1/n²) (measured order printed with each point), so, as for any n-vs-2n rule, the change
    // W_min(n/2) − W_min(n) ≈ 3·(W_min(n) − W*) bounds the refinement error of the finer value.
    let finest = config.profile.pick(16, 32, 128);
    for row in [DV12_TABLE[0], DV12_TABLE[2]] {
        let [k_i, k_f, t, d] = [row[0], row[1], row[2], row[3]];
        let p = StiffnessProtocol::new(k_i, k_f, t, d)?;
        let w_star = p.min_work();
        let here = format!("k_i={k_i}, k_f={k_f}, T={t}, D={d}");
        let mut history: Vec<f64> = Vec::new();
        let mut pieces = 1;
        while pieces <= finest {
            let m = minimise(k_i, k_f, t, d, pieces)?;
            let order = match history.as_slice() {
                [.., a, b] => format!(", observed order {:.2}", ((a - b) / (b - m.work)).log2()),
                _ => String::new(),
            };
            let point = format!(
                "{here}; {pieces} pieces (Newton {} its, |∇W|∞={:.1e}){order}",
                m.iterations, m.gradient
            );
            // The work of a feasible protocol, exact up to rounding (a few ε per piece).
            let rounding =
                Tolerance::conditioning(16.0 * (pieces as f64 + 2.0), w_star.abs() + 1.0);
            out.push(at_least(
                point.clone(),
                "minimum over piecewise-constant protocols ≥ W* (D26 optimality)",
                m.work,
                w_star,
                rounding.clone(),
            ));
            if let Some(&coarse) = history.last() {
                // Splitting every piece keeps the n/2-piece optimum feasible: no increase.
                out.push(at_least(
                    point.clone(),
                    &format!("refinement: W_min({}) ≥ W_min({pieces})", pieces / 2),
                    coarse,
                    m.work,
                    rounding,
                ));
                out.push(Evidence::compare(
                    point,
                    format!(
                        "minimum over {pieces} pieces vs W*, refinement error ≤ W_min({}) − W_min({pieces})",
                        pieces / 2
                    ),
                    w_star,
                    m.work,
                    Tolerance::error_estimate(ESTIMATE_FACTOR, coarse - m.work, w_star),
                ));
            }
            history.push(m.work);
            pieces *= 2;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newton_gradient_matches_finite_differences() {
        let x = [0.1, 0.4, 0.2];
        let f = |x: &[f64]| piecewise_work(1.0, 2.0, x, 1.0, 1.0);
        let mut dual: Vec<HyperDual64> = x.iter().map(|&v| HyperDual64::from_re(v)).collect();
        dual[1].eps1 = 1.0;
        let g = piecewise_work(1.0, 2.0, &dual, 1.0, 1.0).eps1;
        let h = 1e-6;
        let fd = (f(&[0.1, 0.4 + h, 0.2]) - f(&[0.1, 0.4 - h, 0.2])) / (2.0 * h);
        // Central difference: O(h²) truncation + O(ε/h) rounding, ≈ 1e-10.
        assert!((g - fd).abs() < 1e-9, "{g} vs {fd}");
    }
}
