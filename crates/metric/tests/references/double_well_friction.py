"""Reference friction tensor of the double well E = a x^2/2 + b x^4/4 at (a, b) = (-12, 1), D = 1.

M7: zeta_ij = (1/D) int G_i G_j / p, G_i(u) = -int_u^inf p (X_i - <X_i>), X = (x^2/2, x^4/4),
p = e^(-(E - E_min))/Z with E_min = -36 (wells at +-sqrt(12)). The density is even and G_i odd,
so every integral is twice its half on [0, inf); the truncation at 10 (E - E_min > 1600) and
9 for the outer integral are far below the 30 digits printed. Used by
`the_barrier_36_double_well_matches_mpmath` in ../friction_accuracy.rs.

Run: python3 double_well_friction.py   (mpmath; about 10 minutes)
"""

import mpmath as mp

mp.mp.dps = 40
a, b, D = mp.mpf(-12), mp.mpf(1), 1
E_MIN = -36


def q(y):
    return mp.exp(-(a * y**2 / 2 + b * y**4 / 4 - E_MIN))


X = [lambda y: y**2 / 2, lambda y: y**4 / 4]
CUT = mp.mpf(10)
BREAKS = [0, 1, 2, 3, mp.sqrt(12), 4, 5, 6, 7, 8, 9, CUT]


def integ(f, lo, hi):
    return mp.quad(f, [lo] + [p for p in BREAKS if lo < p < hi] + [hi])


Z = 2 * integ(q, 0, CUT)
MEAN = [2 * integ(lambda y, Xi=Xi: q(y) * Xi(y), 0, CUT) / Z for Xi in X]


def G(i, x):
    return -integ(lambda y: q(y) * (X[i](y) - MEAN[i]), x, CUT)


mp.mp.dps = 30
for i, j in [(0, 0), (0, 1), (1, 1)]:
    value = 2 * integ(lambda x: G(i, x) * G(j, x) / q(x), 0, mp.mpf(9)) / (D * Z)
    print(f"zeta[{i},{j}] =", mp.nstr(value, 20), flush=True)
