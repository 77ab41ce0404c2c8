//! The numerics self-checks `NV…`: every method against a reference that shares no code with it.
//!
//! | id | what |
//! |---|---|
//! | NV1 | exact-OU ensemble mean and variance at time t against the exact OU solution |
//! | NV2 | Euler–Maruyama weak error is O(dt) (fitted order within 0.2 of 1) |
//! | NV3 | the exact-OU step has no step-size bias (1 step vs many steps vs exact) |
//! | NV4 | quadrature of integrals with known values: kinks, endpoint singularities, infinite ranges |
//! | NV5 | Gaussian expectations E[f(z)], z ~ N(0, q), q from 1e-6 to 1e6, against closed forms |
//! | NV6 | ODE regressions for the two known ode_solvers bugs (y' = 7t⁶ on [0, 2] gives 128) |
//! | NV7 | piecewise ODE protocols with jumps against closed-form solutions |
//! | NV8 | Fokker–Planck finite volumes reproduce the OU transition (fixed and dragged trap), Richardson tolerance |
//! | NV9 | Fokker–Planck convergence orders (space 2, BDF2 2, backward Euler 1) on a tilted double well; exact discrete equilibrium |

use crate::Claim;

mod fokker_planck;
mod ode;
mod quad;
mod sde;

pub(crate) fn claims() -> Vec<Claim> {
    let mut claims = Vec::new();
    claims.extend(sde::claims());
    claims.extend(quad::claims());
    claims.extend(ode::claims());
    claims.extend(fokker_planck::claims());
    claims
}
