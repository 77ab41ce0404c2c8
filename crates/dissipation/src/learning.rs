//! The persistent-chain learning problem and its thermodynamic ledger (spec D2–D9).
//!
//! A [`LearningProblem`] bundles an energy family, the data, a learning-rate schedule, the initial
//! parameters and the chain's diffusion constant. The engines that evolve it —
//! [`crate::moments`] (exact moment ODEs for Gaussian families), [`crate::particles`] (a Langevin
//! ensemble, i.e. real persistent-chain SGD) and [`crate::density`] (a Fokker–Planck solver for
//! any 1-D energy) — all report the same [`LedgerPoint`]s:
//!
//! - work $W(t)=\int_0^t\dot\theta\cdot\mathbb E_{q_s}[\nabla_\theta E_{\theta_s}]\,ds$ (jumps:
//!   $\mathbb E_q[E_{\theta^+}-E_{\theta^-}]$), D5;
//! - free-energy change $\Delta F = F(\theta_t) - F(\theta_0)$, D5;
//! - the true objective $\mathcal L(\theta) = \mathbb E_{p_D}[E_\theta] - F(\theta)$, D2;
//! - the approximate objective $\tilde{\mathcal L}(t) = \mathcal L(\theta_0) - \int_0^t \hat g\cdot d\theta$,
//!   accumulated by each engine from its own gradient estimates (jumps and discrete updates as the
//!   finite differences $d_k - w_k$ of D7), D6/D7,
//!
//! so that the bias $\mathcal L - \tilde{\mathcal L}$, computed from the estimator path, can be
//! compared with $W - \Delta F$, computed from the work and the free energy (D8). The identity
//! itself holds by construction: D6 replaces the intractable $-\Delta F$ by $-W$, and
//! $\int\hat g\cdot d\theta = W - \Delta\mathbb E_{p_D}E_\theta$ for any $F$. What an engine's D8
//! residual tests is that its work, estimator path and free energies are computed consistently
//! (to round-off for the discrete ledger, to the solver's error in continuous time); the
//! physical content is D9, $W - \Delta F = D_{KL}(q_t\|p_{\theta_t}) + \int\sigma\,dt \ge 0$, which
//! the engines check with the KL and entropy production they compute independently.

use crate::data::Data;
use crate::energy::EnergyFamily;
use crate::schedule::Schedule;
use serde::Serialize;
use thermocheck_numerics::Error;
use thermocheck_numerics::error::{self, Result};
use thermocheck_numerics::quad::three_point_gauss_hermite_nodes;

/// A persistent-chain learning problem (D3, D4) with the chain starting in equilibrium,
/// $q_0 = p_{\theta_0}$.
#[derive(Clone, Copy)]
pub struct LearningProblem<'a> {
    energy: &'a dyn EnergyFamily,
    data: &'a Data,
    schedule: &'a Schedule,
    initial: &'a [f64],
    diffusion: f64,
}

impl std::fmt::Debug for LearningProblem<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LearningProblem")
            .field("energy", &self.energy.name())
            .field("schedule", &self.schedule.label())
            .field("initial", &self.initial)
            .field("diffusion", &self.diffusion)
            .finish_non_exhaustive()
    }
}

impl<'a> LearningProblem<'a> {
    /// Validates and bundles a problem.
    ///
    /// # Errors
    /// If $\theta_0$ is invalid for the energy, `diffusion` is not finite and > 0, or an impulse
    /// of the schedule does not match the number of parameters.
    pub fn new(
        energy: &'a dyn EnergyFamily,
        data: &'a Data,
        schedule: &'a Schedule,
        initial: &'a [f64],
        diffusion: f64,
    ) -> Result<Self> {
        energy.validate(initial)?;
        error::positive("diffusion", diffusion)?;
        schedule.validate_dimension(initial.len())?;
        Ok(LearningProblem {
            energy,
            data,
            schedule,
            initial,
            diffusion,
        })
    }

    /// The energy family.
    pub fn energy(&self) -> &'a dyn EnergyFamily {
        self.energy
    }

    /// The data distribution.
    pub fn data(&self) -> &'a Data {
        self.data
    }

    /// The schedule.
    pub fn schedule(&self) -> &'a Schedule {
        self.schedule
    }

    /// $\theta_0$.
    pub fn initial(&self) -> &'a [f64] {
        self.initial
    }

    /// $D$.
    pub fn diffusion(&self) -> f64 {
        self.diffusion
    }

    /// Number of parameters $n$.
    pub fn dimension(&self) -> usize {
        self.initial.len()
    }

    /// $\mathbb E_{p_D}[f]$, exact: a sample average, the three-point Gauss–Hermite rule when
    /// the energy is a polynomial of degree ≤ 5 in $x$, adaptive quadrature otherwise.
    fn data_expect(&self, f: impl Fn(f64) -> f64) -> Result<f64> {
        match self.energy.polynomial_degree() {
            Some(d) if d <= 5 => Ok(self.data.expect_low_degree(f)),
            _ => self.data.expect(f),
        }
    }

    /// The data term $\mathbb E_{p_D}[E_\theta]$ of the objective
    /// $\mathcal L(\theta) = \mathbb E_{p_D}[E_\theta] - F(\theta)$ (units of $k_BT$).
    ///
    /// Spec: D2.
    ///
    /// # Errors
    /// Quadrature failure (non-polynomial energies with Gaussian data).
    pub fn data_energy(&self, theta: &[f64]) -> Result<f64> {
        self.data_expect(|x| self.energy.energy(theta, x))
    }

    /// $\mathbb E_{p_D}[\nabla_\theta E_\theta]$, the data half of the gradient estimate
    /// $\hat g = \mathbb E_q[\nabla_\theta E_\theta] - \mathbb E_{p_D}[\nabla_\theta E_\theta]$.
    ///
    /// Spec: D2, D4.
    ///
    /// # Errors
    /// Quadrature failure (non-polynomial energies with Gaussian data).
    pub fn data_gradient(&self, theta: &[f64]) -> Result<Vec<f64>> {
        let mut g = vec![0.0; theta.len()];
        let mut scratch = vec![0.0; theta.len()];
        self.data_gradient_into(theta, &mut g, &mut scratch)?;
        Ok(g)
    }

    /// [`data_gradient`](Self::data_gradient) written into `out`, with `scratch` (both of length
    /// $n$) as workspace: no allocation for sample data or a polynomial energy of degree ≤ 5,
    /// which take every component from one pass over the data (or the three Gauss–Hermite
    /// nodes), in the same arithmetic as [`Data::expect_low_degree`] per component.
    ///
    /// # Errors
    /// Quadrature failure (non-polynomial energies with Gaussian data).
    pub(crate) fn data_gradient_into(
        &self,
        theta: &[f64],
        out: &mut [f64],
        scratch: &mut [f64],
    ) -> Result<()> {
        let low_degree = matches!(self.energy.polynomial_degree(), Some(d) if d <= 5);
        match self.data {
            Data::Samples(samples) => {
                out.fill(0.0);
                for &x in samples {
                    self.energy.grad_theta(theta, x, scratch);
                    out.iter_mut().zip(&*scratch).for_each(|(o, s)| *o += s);
                }
                let n = samples.len() as f64;
                out.iter_mut().for_each(|o| *o /= n);
            }
            Data::Gaussian { mean, variance } if low_degree => {
                // (f(a) + 4 f(b) + f(c)) / 6, as `three_point_gauss_hermite`.
                let [a, b, c] = three_point_gauss_hermite_nodes(*mean, *variance);
                self.energy.grad_theta(theta, a.0, out);
                self.energy.grad_theta(theta, b.0, scratch);
                out.iter_mut()
                    .zip(&*scratch)
                    .for_each(|(o, s)| *o += 4.0 * s);
                self.energy.grad_theta(theta, c.0, scratch);
                out.iter_mut()
                    .zip(&*scratch)
                    .for_each(|(o, s)| *o = (*o + s) / 6.0);
            }
            Data::Gaussian { .. } => {
                let n = theta.len();
                for (j, o) in out.iter_mut().enumerate() {
                    *o = self.data.expect(|x| {
                        let mut g = vec![0.0; n];
                        self.energy.grad_theta(theta, x, &mut g);
                        g[j]
                    })?;
                }
            }
        }
        Ok(())
    }

    /// The maximum-likelihood objective $\mathcal L(\theta) = \mathbb E_{p_D}[E_\theta] - F(\theta)$
    /// (D2).
    ///
    /// # Errors
    /// Invalid $\theta$, or quadrature failure.
    pub fn objective(&self, theta: &[f64]) -> Result<f64> {
        Ok(self.data_energy(theta)? - self.energy.free_energy(theta)?)
    }

    /// $(F(\theta_0), \mathbb E_{p_D}E_{\theta_0})$, the reference of every ledger entry; an engine
    /// that writes many entries computes it once and passes it to
    /// [`ledger`](Self::ledger).
    pub(crate) fn origin(&self) -> Result<(f64, f64)> {
        Ok((
            self.energy.free_energy(self.initial)?,
            self.data_energy(self.initial)?,
        ))
    }

    /// The ledger entry at one instant from $\theta$, the chain statistics, the work so far and
    /// the estimator path integral, relative to the reference `(f0, data0)` of
    /// [`origin`](Self::origin).
    pub(crate) fn ledger(
        &self,
        (f0, data0): (f64, f64),
        time: f64,
        theta: &[f64],
        chain: ChainSummary,
        work: f64,
        estimate_path_integral: f64,
    ) -> Result<LedgerPoint> {
        let objective0 = data0 - f0;
        let data_term = self.data_energy(theta)?;
        let free_energy = self.energy.free_energy(theta)?;
        let objective = data_term - free_energy;
        let approximate_objective = objective0 - estimate_path_integral;
        Ok(LedgerPoint {
            time,
            theta: theta.to_vec(),
            chain_mean: chain.mean,
            chain_variance: chain.variance,
            work,
            free_energy_change: free_energy - f0,
            data_term_change: data_term - data0,
            objective,
            approximate_objective,
            lag_kl: chain.lag_kl,
            entropy_production: chain.entropy_production,
        })
    }
}

/// What an engine knows about the chain at one instant.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub(crate) struct ChainSummary {
    pub mean: f64,
    pub variance: f64,
    pub lag_kl: Option<f64>,
    pub entropy_production: Option<f64>,
}

/// The thermodynamic ledger of a learning run at one instant.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LedgerPoint {
    /// $t$.
    pub time: f64,
    /// $\theta_t$.
    pub theta: Vec<f64>,
    /// Chain mean $\mathbb E_{q_t}[\,x\,]$.
    pub chain_mean: f64,
    /// Chain variance.
    pub chain_variance: f64,
    /// Work $W(t)$ (D5).
    pub work: f64,
    /// $\Delta F(t)$ (D5).
    pub free_energy_change: f64,
    /// $\mathbb E_{p_D}E_{\theta_t} - \mathbb E_{p_D}E_{\theta_0}$.
    pub data_term_change: f64,
    /// $\mathcal L(\theta_t)$ (D2).
    pub objective: f64,
    /// $\tilde{\mathcal L}(t)$ (D6/D7).
    pub approximate_objective: f64,
    /// $D_{KL}(q_t\|p_{\theta_t})$, where the engine can compute it.
    pub lag_kl: Option<f64>,
    /// $\int_0^t D\int q|\nabla\ln(q/p)|^2$, where the engine can compute it (D9).
    pub entropy_production: Option<f64>,
}

impl LedgerPoint {
    /// The excess work $W - \Delta F$ (D5).
    pub fn excess_work(&self) -> f64 {
        self.work - self.free_energy_change
    }

    /// The bias $\mathcal L(\theta_t) - \tilde{\mathcal L}(t)$ of the approximate objective (D8).
    pub fn bias(&self) -> f64 {
        self.objective - self.approximate_objective
    }
}

/// An error for a parameter path that left the family's domain during learning (e.g. a stiffness
/// driven through zero by too large a learning rate).
pub(crate) fn left_domain(
    energy: &dyn crate::energy::EnergyFamily,
    theta: &[f64],
    t: f64,
    cause: Error,
) -> Error {
    Error::NotConverged {
        method: "persistent-chain learning".into(),
        detail: format!(
            "θ = {theta:?} left the domain of {} at t = {t}: {cause}",
            energy.name()
        ),
    }
}
