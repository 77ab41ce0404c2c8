"""Reference friction of E = a x^2/2 - depth exp(-((x - 1.99)/0.003)^2) at a = 1, D = 1.

A well narrower than the support search's samples. M7 with X = x^2/2:
zeta = (1/D) int G^2/p, G(u) = int_{-inf}^u p (X - <X>) left of the well and -int_u^inf right of
it, p = e^(-(E - E_min))/Z; breakpoints resolve the well, and the truncation at |x| = 14
(outer integral 12) is far below the digits printed. Used by
`a_well_missed_by_the_search_is_found_by_the_nodes` in ../friction_accuracy.rs (depth 30).

Run: python3 missed_well_friction.py 30   (mpmath; about 10 minutes)
"""

import sys

import mpmath as mp

mp.mp.dps = 40
depth = mp.mpf(sys.argv[1] if len(sys.argv) > 1 else 30)
c, w = mp.mpf("1.99"), mp.mpf("0.003")


def E(y):
    return y**2 / 2 - depth * mp.exp(-(((y - c) / w) ** 2))


x_min = mp.findroot(lambda y: y - depth * mp.exp(-(((y - c) / w) ** 2)) * 2 * (y - c) / w**2, c)
E_MIN = E(x_min)


def q(y):
    return mp.exp(-(E(y) - E_MIN))


L = mp.mpf(14)
BREAKS = sorted(
    mp.mpf(p)
    for p in {-14, -8, -4, -2, -1, 0, 1, 1.9, 2.1, 3, 4, 8, 14}
    | {c + k * w for k in (-10, -4, -2, -1, 0, 1, 2, 4, 10)}
)


def integ(f, lo, hi):
    return mp.quad(f, [lo] + [p for p in BREAKS if lo < p < hi] + [hi])


Z = integ(q, -L, L)
MEAN = integ(lambda y: q(y) * y**2 / 2, -L, L) / Z


def G(x):
    if x < c:
        return integ(lambda y: q(y) * (y**2 / 2 - MEAN), -L, x)
    return -integ(lambda y: q(y) * (y**2 / 2 - MEAN), x, L)


mp.mp.dps = 30
value = integ(lambda x: G(x) ** 2 / q(x), -L + 2, L - 2) / Z
print("zeta =", mp.nstr(value, 20), " <X> =", mp.nstr(MEAN, 20), flush=True)
