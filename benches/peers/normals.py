"""Peer of workload 2, `normals`: N standard normal variates written to a buffer by NumPy.

The bound of the OU step: N = 10^6 variates from one `Generator(PCG64)` (NumPy's ziggurat
`standard_normal`) into a preallocated buffer, `standard_normal(out=buf)`, on one thread - the
generator and thread count the `ou-step` and `learning` peers use. One run fills the buffer once.

figure: variates per second. accuracy: |sample variance - 1| (sampling sd sqrt(2/N) ~ 1.4e-3).
"""

import math

import numpy as np

import _peer

SEED = 20261123


def main():
    args = _peer.parse_args(__doc__.splitlines()[0], default_repeats=21)
    n = 10_000 if args.quick else 1_000_000
    rng = np.random.default_rng(SEED)  # Generator(PCG64)
    buf = np.empty(n)

    def run():
        rng.standard_normal(out=buf)
        return buf

    timing = _peer.measure(run, args.repeats)
    buf = timing.result
    variance = float(np.var(buf, ddof=1))
    _peer.emit(
        workload="normals",
        figure=n / timing.seconds,
        unit="variates/s",
        timing=timing,
        accuracy=abs(variance - 1.0),
        accuracy_metric=f"|sample variance - 1| (sampling sd sqrt(2/N) = {math.sqrt(2.0 / n):.2e})",
        repeats=args.repeats,
        method=f"Generator(PCG64).standard_normal(out=buf), 1 thread, N = {n}",
        variates=n,
        sample_variance=variance,
        sampling_sd=math.sqrt(2.0 / n),
    )


if __name__ == "__main__":
    main()
