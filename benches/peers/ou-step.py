"""Peer of workload 1, `ou-step`: the exact Ornstein-Uhlenbeck step of N particles in NumPy.

E = k(x - m)^2/2 with k = 1, m = 0, D = 1, dt = 0.01 (k_BT = 1); N = 10^6 particles start from the
stationary N(m, 1/k) and take 100 exact steps per run,

    x <- m + (x - m) e^{-Dk dt} + sqrt((1 - e^{-2Dk dt})/k) z,   z ~ N(0, 1),

vectorised and in place (`out=`), one `Generator(PCG64)` on one thread. The initial stationary
sample is drawn before the timer starts (setup); the timed run is the 100 steps.

figure: particle-steps per second. accuracy: |sample variance - 1/k| / (1/k) after the run (the
process is stationary, so this is pure sampling noise, sd sqrt(2/N) ~ 1.4e-3 at N = 10^6).
"""

import math

import _peer  # first: it names the fix if numpy/scipy are missing

import numpy as np  # noqa: E402

SEED = 20261123
K, MU, D, DT, STEPS = 1.0, 0.0, 1.0, 0.01, 100


def main():
    args = _peer.parse_args(__doc__.splitlines()[0], default_repeats=5)
    n = 10_000 if args.quick else 1_000_000
    decay = math.exp(-D * K * DT)
    # 1 - e^{-2Dk dt} by expm1: no cancellation for small D k dt.
    noise = math.sqrt(-math.expm1(-2.0 * D * K * DT) / K)
    shift = (1.0 - decay) * MU  # x -> decay*x + (1 - decay)*m + noise*z

    def setup():
        rng = np.random.default_rng(SEED)  # Generator(PCG64)
        x = rng.standard_normal(n)
        x *= 1.0 / math.sqrt(K)
        x += MU
        return rng, x, np.empty(n)

    def run(state):
        rng, x, z = state
        for _ in range(STEPS):
            rng.standard_normal(out=z)
            z *= noise
            x *= decay
            if shift != 0.0:
                x += shift
            x += z
        return x

    timing = _peer.measure(run, args.repeats, setup=setup)
    x = timing.result
    variance = float(np.var(x, ddof=1))
    stationary = 1.0 / K
    _peer.emit(
        workload="ou-step",
        figure=n * STEPS / timing.seconds,
        unit="particle-steps/s",
        timing=timing,
        accuracy=abs(variance - stationary) / stationary,
        accuracy_metric=(
            "|sample variance - 1/k|/(1/k) after the run (sampling sd sqrt(2/N) = "
            f"{math.sqrt(2.0 / n):.2e})"
        ),
        repeats=args.repeats,
        method=(
            "exact OU step, Generator(PCG64).standard_normal(out=) + in-place ufuncs, 1 thread, "
            f"N = {n}, {STEPS} steps/run, dt = {DT}"
        ),
        seed=SEED,
        particles=n,
        steps=STEPS,
        sample_variance=variance,
        sampling_sd=math.sqrt(2.0 / n),
    )


if __name__ == "__main__":
    main()
