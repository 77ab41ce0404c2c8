"""Peer of workload 4, `moment-ode`: the Gaussian optimal-protocol moment ODE with SciPy.

The N -> infinity moment equations of persistent-chain learning of a Gaussian mean (as
`thermocheck_dissipation::moments::learn`): E_theta(x) = (x - theta)^2/(2 sigma^2), sigma^2 = 1,
D = 1, T = 1, theta_0 = 0, data a point mass at mu_D = 5, chain N(m, sigma^2) (its variance stays
sigma^2 from the equilibrium start), optimal schedule of spec D14 with impulses. State
(theta, m, W):

    g      = E_q[d_theta E] - E_pD[d_theta E] = (mu_D - m)/sigma^2
    theta' = eta*(t) g,   eta*(t) = sigma^2/(T + 2 tau - t),   tau = sigma^2/D
    m'     = -(D/sigma^2)(m - theta)
    W'     = theta' E_q[d_theta E] = theta' (theta - m)/sigma^2

Impulses are jumps between integrations, the chain frozen: theta+ = theta + c g with
c = eta_0 = sigma^2 tau/(T + 2 tau) at t = 0 and c = eta_T = sigma^2/2 at t = T, costing
W += E_q[E_theta+ - E_theta] = [(m - theta+)^2 - (m - theta)^2]/(2 sigma^2).

One run = jump, `solve_ivp(method="DOP853", rtol=1e-10, atol=1e-12)` over [0, T], jump.
figure: solves per second. accuracy: |W - W*|/W*, W* = Delta^2/(DT + 2 sigma^2) = 25/3
(spec table D12 row 1). The issue mandates DOP853 (the headline); the same solve with RK45 (the
Dormand-Prince 5(4) tableau of thermocheck's Dopri5: the method-matched peer) and LSODA at the same
rtol/atol are secondary records ("alternatives"), each with its accuracy and RHS-call count.
`--quick` times one run of each. Two records: `moment-ode` (one solve, the contract's comparison) and
`moment-ode+estimate` (the solve plus its rtol/10, atol/10 companion for an error estimate, the
peer of the library's default error-estimated solve).
"""

import _peer  # first: it names the fix if numpy/scipy are missing

from scipy.integrate import solve_ivp  # noqa: E402

VARIANCE, DIFFUSION, DURATION, THETA0, TARGET = 1.0, 1.0, 1.0, 0.0, 5.0
RTOL, ATOL = 1e-10, 1e-12


def solve(variance=VARIANCE, diffusion=DIFFUSION, duration=DURATION, theta0=THETA0,
          target=TARGET, rtol=RTOL, atol=ATOL, method="DOP853"):
    """One learning run through the moment ODE; returns (theta_T, W, solve_ivp result)."""
    tau = variance / diffusion
    two_tau = 2.0 * tau
    relax = diffusion / variance

    def rhs(t, y):
        theta, m, _ = y
        theta_dot = variance / ((duration - t) + two_tau) * (target - m) / variance
        return [theta_dot, -relax * (m - theta), theta_dot * (theta - m) / variance]

    def jump(gain, theta, m, work):
        new = theta + gain * (target - m) / variance
        return new, work + ((m - new) ** 2 - (m - theta) ** 2) / (2.0 * variance)

    theta, m, work = theta0, theta0, 0.0  # equilibrium start: chain mean at theta_0
    theta, work = jump(variance * tau / (duration + two_tau), theta, m, work)
    sol = solve_ivp(rhs, (0.0, duration), [theta, m, work], method=method, rtol=rtol,
                    atol=atol)
    if not sol.success:
        raise RuntimeError(f"solve_ivp failed: {sol.message}")
    theta, m, work = sol.y[:, -1]
    theta, work = jump(variance / 2.0, theta, m, work)
    return theta, work, sol


def solve_with_estimate():
    """The solve plus its tol/10 companion, as a careful user estimates the ODE error (and as
    the library's default error estimate does): returns (theta, W, estimate |W - W_tol/10|)."""
    theta, work, sol = solve()
    _, fine, _ = solve(rtol=RTOL / 10.0, atol=ATOL / 10.0)
    return theta, work, abs(work - fine), sol


def main():
    args = _peer.parse_args(__doc__.splitlines()[0], default_repeats=31)
    repeats = 1 if args.quick else args.repeats
    delta = TARGET - THETA0
    w_star = delta**2 / (DIFFUSION * DURATION + 2.0 * VARIANCE)  # D12: 25/3
    metric = "|W - W*|/W*, W* = 25/3 (spec D12 row 1)"

    def record(method, note):
        timing = _peer.measure(lambda: solve(method=method), repeats)
        theta, work, sol = timing.result
        return _peer.record(
            workload="moment-ode",
            figure=1.0 / timing.seconds,
            unit="solves/s",
            timing=timing,
            accuracy=abs(work - w_star) / w_star,
            accuracy_metric=metric,
            repeats=repeats,
            method=(
                f'solve_ivp(method="{method}", rtol={RTOL:g}, atol={ATOL:g}) on (theta, m, W), '
                f"one solve, impulses as jumps between integrations{note}"
            ),
            theta_final=theta,
            theta_error=abs(theta - TARGET),
            work=work,
            w_star=w_star,
            rhs_evaluations=int(sol.nfev),
            accepted_steps=int(len(sol.t) - 1),
        )

    headline = record("DOP853", " (the issue's method)")
    headline["alternatives"] = [
        record("RK45", " (Dormand-Prince 5(4), thermocheck's Dopri5 tableau: method-matched)"),
        record("LSODA", " (Adams/BDF switching, ODEPACK)"),
    ]
    _peer.print_record(headline)

    timing = _peer.measure(solve_with_estimate, repeats)
    theta, work, estimate, sol = timing.result
    _peer.emit(
        workload="moment-ode+estimate",
        figure=1.0 / timing.seconds,
        unit="solves/s",
        timing=timing,
        accuracy=abs(work - w_star) / w_star,
        accuracy_metric=metric,
        repeats=repeats,
        method=(
            f'solve_ivp(method="DOP853", rtol={RTOL:g}, atol={ATOL:g}) on (theta, m, W) plus '
            "the tol/10 companion solve (error estimate), impulses as jumps between integrations"
        ),
        theta_final=theta,
        work=work,
        w_star=w_star,
        error_estimate=estimate,
    )


if __name__ == "__main__":
    main()
