//! Exact samples of the equilibrium density $p_\theta \propto e^{-E_\theta}$ of a 1-D energy
//! family (M1): the starting ensembles of Langevin learning (dissipation) and of the friction
//! estimators (M13), written once here.

use crate::energy::EnergyFamily;
use rand::{RngExt, SeedableRng};
use rand_distr::StandardNormal;
use thermocheck_numerics::error::{self, Error, Result};
use thermocheck_numerics::sde::Xoshiro256PlusPlus;

/// `n` exact samples of $p_\theta$ from one sequential Xoshiro256++ stream seeded with `seed`, so
/// the sample depends only on the seed:
/// - a Gaussian family ([`EnergyFamily::quadratic_trap`] $= (k, \mu)$) gives $\mu + z/\sqrt k$;
/// - otherwise rejection from the family's Gaussian envelope $e^{b - cx^2/2} \ge e^{-E_\theta(x)}$
///   ([`EnergyFamily::gaussian_envelope`]): propose $x \sim \mathcal N(0, 1/c)$, accept with
///   probability $e^{-E_\theta(x) + cx^2/2 - b}$.
///
/// # Errors
/// - `n` = 0 ([`Error::InvalidParameter`] named `particles`), or an allocation of `n` values that
///   memory cannot hold ([`Error::OutOfRange`]);
/// - [`Error::NotConverged`] if the family offers neither a trap nor an envelope.
pub fn sample(energy: &dyn EnergyFamily, theta: &[f64], n: usize, seed: u64) -> Result<Vec<f64>> {
    error::count_at_least("particles", n, 1)?;
    let mut out = Vec::new();
    out.try_reserve_exact(n).map_err(|_| Error::OutOfRange {
        parameters: vec!["particles".into()],
        detail: format!("cannot allocate {n} particles"),
    })?;
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    if let Some((k, mu)) = energy.quadratic_trap(theta) {
        let sd = (1.0 / k).sqrt();
        out.extend((0..n).map(|_| mu + sd * rng.sample::<f64, _>(StandardNormal)));
        return Ok(out);
    }
    let (c, bound) = energy
        .gaussian_envelope(theta)
        .ok_or_else(|| Error::NotConverged {
            method: "equilibrium sampling".into(),
            detail: format!(
                "{} offers no Gaussian envelope for exact sampling",
                energy.name()
            ),
        })?;
    let sd = (1.0 / c).sqrt();
    while out.len() < n {
        let x = sd * rng.sample::<f64, _>(StandardNormal);
        let log_accept = -energy.energy(theta, x) + 0.5 * c * x * x - bound;
        if rng.random::<f64>().ln() < log_accept {
            out.push(x);
        }
    }
    Ok(out)
}
