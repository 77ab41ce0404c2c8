"""Peer of workload 5, `friction`: the M7 friction of a 1-D family by nested `scipy.integrate.quad`.

    zeta = (1/D) int G(x)^2 / p(x) dx,   G(x) = int_{-inf}^x (X(x') - <X>) p(x') dx',
    p = e^{-E}/Z,   X = d_theta E   (k_BT = 1, spec M7)

for two families:
  (a) stiffness E = k x^2/2, X = x^2/2, k = 2, D = 0.5: exact zeta = 1/(4 D k^3) = 0.0625 (M11);
  (b) quartic coupling E = theta x^4/4, X = x^4/4, theta = 1, D = 1: reference
      zeta = 0.0422486400042052955622 (mpmath, 20 digits; the performance contract).

How a careful SciPy user evaluates it: Z and <X> by `quad` over (-inf, mode] and [mode, inf);
G by an inner `quad` at every outer node, from the nearer tail (G(x) = -int_x^inf (X - <X>) p for
x above the mode, since int (X - <X>) p = 0: no cancellation in the tail), and the factor e^{E(x)}
of 1/p taken inside the inner integral, e^{-(E(x') - E(x))} <= 1, so that G^2/p = e^{-E(x)} h(x)^2/Z
never forms 0/0 or inf/inf; where e^{-E(x)} underflows to 0 the outer integrand is 0 without an inner
integral. The outer integral is `quad` over the same two half-lines. Every `quad` uses the same
(epsabs, epsrel, limit). The contract tightens the tolerances UNTIL the achieved error is <= 1e-10
relative, so the headline record is the cheapest rung of the ladder below (loosest first) whose
achieved error is <= 1e-10 without an IntegrationWarning, chosen at run time per family: SciPy's
defaults already reach it here (2.6e-11 stiffness, 1.1e-12 quartic). The request a careful user
makes for a 1e-10 result, epsabs = epsrel = 1e-10, is timed as a secondary record
("alternatives"). `--sweep` prints the whole ladder with the achieved errors to stderr
(README.md records it).

Each family is its own workload and prints its own record, `friction-stiffness` then
`friction-quartic` (two JSON objects, one per line; the Rust side names them the same way).
One run = one evaluation of zeta. figure: evaluations per second. accuracy: relative error
against the exact/reference value.
"""

import math
import warnings

import _peer  # first: it names the fix if numpy/scipy are missing

from scipy.integrate import IntegrationWarning, quad  # noqa: E402

# The contract's accuracy: the headline setting is the cheapest rung reaching it.
TARGET = 1e-10
# The request a careful user makes for a 1e-10 result: epsabs = epsrel = 1e-10 (limit raised to 100
# so that QUADPACK never stops on its subinterval budget): the secondary record.
EPSABS, EPSREL, LIMIT = 1e-10, 1e-10, 100
DEFAULTS = (1.49e-8, 1.49e-8, 50)
LADDER = [
    DEFAULTS,  # SciPy's defaults
    (1e-10, 1e-10, 100),
    (1e-11, 1e-11, 100),
    (1e-12, 1e-12, 200),
    (1e-13, 1e-13, 200),
    (1e-14, 1e-14, 400),
]


def stiffness(k=2.0):
    return {
        "workload": "friction-stiffness",
        "name": "stiffness E = k x^2/2, k = 2, D = 0.5",
        "metric": "relative error vs exact 1/(4Dk^3) = 0.0625 (M11)",
        "energy": lambda x: 0.5 * k * x * x,
        "observable": lambda x: 0.5 * x * x,
        "mode": 0.0,
        "diffusion": 0.5,
        "reference": 1.0 / (4.0 * 0.5 * k**3),  # M11: 1/(4 D k^3) = 0.0625
    }


def quartic_coupling(theta=1.0):
    return {
        "workload": "friction-quartic",
        "name": "quartic coupling E = theta x^4/4, theta = 1, D = 1",
        "metric": "relative error vs mpmath reference 0.0422486400042052955622 (20 digits)",
        "energy": lambda x: 0.25 * theta * x**4,
        "observable": lambda x: 0.25 * x**4,
        "mode": 0.0,
        "diffusion": 1.0,
        "reference": 0.0422486400042052955622,  # mpmath, 20 digits (the performance contract)
    }


def friction(family, epsabs=EPSABS, epsrel=EPSREL, limit=LIMIT):
    """zeta of one family by nested quad."""
    energy, observable = family["energy"], family["observable"]
    mode, diffusion = family["mode"], family["diffusion"]
    inf = math.inf

    def integrate(f, lo, hi, *args):
        return quad(f, lo, hi, args=args, epsabs=epsabs, epsrel=epsrel, limit=limit)[0]

    def whole_line(f):
        return integrate(f, -inf, mode) + integrate(f, mode, inf)

    z = whole_line(lambda x: math.exp(-energy(x)))
    mean = whole_line(lambda x: observable(x) * math.exp(-energy(x))) / z

    def inner(xp, ex):  # (X(x') - <X>) e^{-(E(x') - E(x))}
        return (observable(xp) - mean) * math.exp(ex - energy(xp))

    def outer_upper(x):  # e^{-E(x)} h(x)^2, h(x) = int_x^inf (X - <X>) e^{-(E(x') - E(x))} dx'
        ex = energy(x)
        weight = math.exp(-ex)
        if weight == 0.0:
            return 0.0
        h = integrate(inner, x, inf, ex)
        return weight * h * h

    def outer_lower(x):  # the same with h(x) = int_{-inf}^x
        ex = energy(x)
        weight = math.exp(-ex)
        if weight == 0.0:
            return 0.0
        h = integrate(inner, -inf, x, ex)
        return weight * h * h

    total = integrate(outer_lower, -inf, mode) + integrate(outer_upper, mode, inf)
    return total / (z * diffusion)


def evaluate_all(families, epsabs=EPSABS, epsrel=EPSREL, limit=LIMIT):
    """zeta of every family; also the number of quad warnings raised."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", IntegrationWarning)
        values = [friction(f, epsabs, epsrel, limit) for f in families]
    return values, sum(issubclass(w.category, IntegrationWarning) for w in caught)


def options(parser):
    parser.add_argument(
        "--sweep",
        action="store_true",
        help="print the tolerance ladder (tolerances, errors, seconds) to stderr first",
    )


def main():
    args = _peer.parse_args(__doc__.splitlines()[0], default_repeats=21, extra=options)
    families = [stiffness(), quartic_coupling()]
    if args.sweep:
        import time

        for epsabs, epsrel, limit in LADDER:
            start = time.perf_counter()
            values, warned = evaluate_all(families, epsabs, epsrel, limit)
            elapsed = time.perf_counter() - start
            errors = [abs(v / f["reference"] - 1.0) for v, f in zip(values, families)]
            _peer.log(
                f"epsabs {epsabs:g} epsrel {epsrel:g} limit {limit}: relative errors "
                + ", ".join(f"{e:.2e}" for e in errors)
                + f"; {elapsed:.3f} s; {warned} IntegrationWarning(s)"
            )
    repeats = 1 if args.quick else args.repeats
    for family in families:
        reference = family["reference"]
        headline = cheapest_setting(family)
        settings = [headline] + [s for s in [(EPSABS, EPSREL, LIMIT)] if s != headline]
        records = []
        for setting in settings:
            timing = _peer.measure(lambda: evaluate_all([family], *setting), repeats)
            (value,), warned = timing.result
            epsabs, epsrel, limit = setting
            if setting != headline:
                why = "the requested 1e-10 setting, secondary"
            elif setting == DEFAULTS:
                why = "SciPy's defaults: the cheapest rung of the tolerance ladder reaching <= 1e-10"
            else:
                why = "the cheapest rung of the tolerance ladder reaching <= 1e-10"
            records.append(
                _peer.record(
                    workload=family["workload"],
                    figure=1.0 / timing.seconds,
                    unit="evaluations/s",
                    timing=timing,
                    accuracy=abs(value / reference - 1.0),
                    accuracy_metric=family["metric"],
                    repeats=repeats,
                    method=(
                        f"nested scipy.integrate.quad (QUADPACK), epsabs = {epsabs:g}, "
                        f"epsrel = {epsrel:g}, limit = {limit} ({why}); {family['name']}"
                    ),
                    zeta=value,
                    reference=reference,
                    integration_warnings=warned,
                    epsabs=epsabs,
                    epsrel=epsrel,
                    limit=limit,
                )
            )
        main_record, alternatives = records[0], records[1:]
        if alternatives:
            main_record["alternatives"] = alternatives
        _peer.print_record(main_record)


def cheapest_setting(family):
    """The first (loosest) rung of LADDER whose evaluation reaches <= TARGET relative error
    without an IntegrationWarning (untimed); the tightest rung if none does."""
    for setting in LADDER:
        (value,), warned = evaluate_all([family], *setting)
        if warned == 0 and abs(value / family["reference"] - 1.0) <= TARGET:
            return setting
    return LADDER[-1]


if __name__ == "__main__":
    main()
