"""Peer of workload 2, `normals`: N standard normal variates written to a buffer by NumPy.

The bound of the OU step: N = 10^6 variates from one `Generator(PCG64)` (NumPy's ziggurat
`standard_normal`) into a preallocated buffer, `standard_normal(out=buf)`, on one thread - the
generator and thread count the `ou-step` and `learning` peers use (NumPy's Generator is
single-threaded as used). One run fills the buffer FILLS = 100 times, as the Rust side does (100
fills of its 10^6 buffer per run, like the 100 steps of `ou-step`): the same work per run.

Secondary record ("alternatives"): the same fills on a pool of THREADS = 2 threads, one
Generator per thread from `SeedSequence(SEED).spawn(THREADS)`, each filling its own contiguous
slice with `standard_normal(out=slice)`, which releases the GIL - NumPy's documented way to
generate in parallel (its "Multithreaded generation" guide).

figure: variates per second. accuracy: |sample variance - 1| of the last fill (sampling sd
sqrt(2/N) ~ 1.4e-3).
"""

import math
from concurrent.futures import ThreadPoolExecutor

import _peer  # first: it names the fix if numpy/scipy are missing

import numpy as np  # noqa: E402

SEED = 20261123
FILLS = 100
THREADS = 2


def main():
    args = _peer.parse_args(__doc__.splitlines()[0], default_repeats=5)
    n = 10_000 if args.quick else 1_000_000
    repeats = 1 if args.quick else args.repeats
    metric = f"|sample variance - 1| of the last fill (sampling sd sqrt(2/N) = {math.sqrt(2.0 / n):.2e})"

    rng = np.random.default_rng(SEED)  # Generator(PCG64)
    buf = np.empty(n)

    def run():
        for _ in range(FILLS):
            rng.standard_normal(out=buf)
        return buf

    timing = _peer.measure(run, repeats)
    variance = float(np.var(timing.result, ddof=1))

    # The threaded alternative: one Generator per thread from SeedSequence.spawn, each thread
    # filling its own slice (standard_normal(out=) releases the GIL).
    rngs = [np.random.Generator(np.random.PCG64(s)) for s in np.random.SeedSequence(SEED).spawn(THREADS)]
    bounds = [(i * n) // THREADS for i in range(THREADS + 1)]
    slices = [buf[bounds[i]:bounds[i + 1]] for i in range(THREADS)]

    with ThreadPoolExecutor(max_workers=THREADS) as pool:

        def fill(i):
            for _ in range(FILLS):
                rngs[i].standard_normal(out=slices[i])

        def run_threaded():
            list(pool.map(fill, range(THREADS)))
            return buf

        threaded = _peer.measure(run_threaded, repeats)
    threaded_variance = float(np.var(threaded.result, ddof=1))

    alternative = _peer.record(
        workload="normals",
        figure=n * FILLS / threaded.seconds,
        unit="variates/s",
        timing=threaded,
        accuracy=abs(threaded_variance - 1.0),
        accuracy_metric=metric,
        repeats=repeats,
        method=(
            f"{THREADS} threads (ThreadPoolExecutor), one Generator(PCG64) each from "
            f"SeedSequence({SEED}).spawn({THREADS}), standard_normal(out=slice) (releases the "
            f"GIL), N = {n}, {FILLS} fills per run"
        ),
        threads=THREADS,
        seed=SEED,
        variates=n,
        fills=FILLS,
        sample_variance=threaded_variance,
    )
    _peer.emit(
        workload="normals",
        figure=n * FILLS / timing.seconds,
        unit="variates/s",
        timing=timing,
        accuracy=abs(variance - 1.0),
        accuracy_metric=metric,
        repeats=repeats,
        method=(
            f"Generator(PCG64).standard_normal(out=buf), 1 thread (NumPy's Generator is "
            f"single-threaded as used), N = {n}, {FILLS} fills per run"
        ),
        alternatives=[alternative],
        seed=SEED,
        variates=n,
        fills=FILLS,
        sample_variance=variance,
        sampling_sd=math.sqrt(2.0 / n),
    )


if __name__ == "__main__":
    main()
