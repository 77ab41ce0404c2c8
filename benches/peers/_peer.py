"""Shared harness of the NumPy/SciPy peer scripts (issue #7, docs: README.md beside this file).

One home for what every peer does the same way:

- the command line (`--repeats R`, `--quick`);
- the timing rule of the performance contract: one untimed warm-up run, then R timed runs with
  `time.perf_counter`, and the fastest of the R durations is the record's "seconds" (`timeit`'s
  rule, as on the Rust side: slower runs measure other processes; every run's seconds and the
  median CPU seconds go under "details", to show contention on a shared machine);
- the JSON record of the contract, one object per line on stdout per workload a script runs
  (and nothing else on stdout: diagnostics go to stderr).
"""

import argparse
import json
import math
import platform
import statistics
import sys
import time

try:
    import numpy
    import scipy
except ImportError as error:  # one line naming the fix, exit 2 (as the `performance` binary)
    print(
        f"error: the NumPy/SciPy peers need numpy and scipy ({error}): run "
        "`python3 -m pip install -r benches/peers/requirements.txt`",
        file=sys.stderr,
    )
    sys.exit(2)


def parse_args(description, default_repeats, extra=None):
    """The common command line; `extra(parser)` may add script-specific options."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--repeats",
        type=int,
        default=default_repeats,
        help=f"timed runs after the warm-up; the fastest is reported (default {default_repeats})",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="small sizes: a smoke test of the script, not a measurement",
    )
    if extra is not None:
        extra(parser)
    args = parser.parse_args()
    if args.repeats < 1:
        parser.error(f"--repeats must be at least 1 (got {args.repeats})")
    return args


class Timing:
    """What [`measure`] found: `seconds` (the fastest run's wall seconds, the contract's figure basis),
    `runs` (every timed run's wall seconds), `cpu_seconds` (median process CPU seconds: on a
    loaded machine, wall > CPU for these single-threaded peers shows the contention) and `result`
    (the last run's return value)."""

    def __init__(self, walls, cpus, result):
        self.seconds = min(walls)
        self.runs = walls
        self.cpu_seconds = statistics.median(cpus)
        self.result = result

    def details(self):
        """The timing fields every record carries under "details"."""
        return {"cpu_seconds": self.cpu_seconds, "run_seconds": self.runs}


def measure(run, repeats, setup=None):
    """Times `run` by the contract's rule: one warm-up run, then `repeats` timed runs, fastest.

    `setup()` (untimed) makes a fresh state before each run, e.g. the initial particle sample,
    and `run(state)` gets it; without `setup`, `run()` takes no argument. Wall time by
    `time.perf_counter`, CPU time by `time.process_time`. Returns a [`Timing`].
    """

    def once():
        state = setup() if setup is not None else None
        wall, cpu = time.perf_counter(), time.process_time()
        result = run(state) if setup is not None else run()
        return time.perf_counter() - wall, time.process_time() - cpu, result

    once()  # warm-up: page faults, caches, lazy imports
    walls, cpus = [], []
    result = None
    for _ in range(repeats):
        wall, cpu, result = once()
        walls.append(wall)
        cpus.append(cpu)
    return Timing(walls, cpus, result)


def versions():
    """`numpy x.y.z / scipy x.y.z / CPython x.y.z`."""
    return (
        f"numpy {numpy.__version__} / scipy {scipy.__version__} / "
        f"{platform.python_implementation()} {platform.python_version()}"
    )


def record(workload, figure, unit, timing, accuracy, accuracy_metric, repeats, method,
           threads=1, **details):
    """The contract's record as a dict, "seconds" from `timing` (a [`Timing`]), on `threads`
    threads; `details` and the timing's CPU seconds and per-run seconds go under "details"."""
    details = {**details, **timing.details()}
    return {
        "workload": workload,
        "figure": _number(figure),
        "unit": unit,
        "seconds": _number(timing.seconds),
        "accuracy": _number(accuracy),
        "accuracy_metric": accuracy_metric,
        "repeats": repeats,
        "implementation": f"{versions()}, {method}",
        "threads": int(threads),
        "details": _clean(details),
    }


def emit(workload, figure, unit, timing, accuracy, accuracy_metric, repeats, method,
         alternatives=(), threads=1, **details):
    """Prints the contract's JSON record (see [`record`]) on stdout, one line; `alternatives`
    (records made by [`record`]: other methods or settings of the same workload) go under
    "alternatives", which the report prints in its details with their ratio to thermocheck."""
    out = record(workload, figure, unit, timing, accuracy, accuracy_metric, repeats, method,
                 threads=threads, **details)
    if alternatives:
        out["alternatives"] = list(alternatives)
    print_record(out)


def print_record(out):
    """Prints one record (a dict) as one JSON line on stdout."""
    json.dump(out, sys.stdout, allow_nan=False)
    sys.stdout.write("\n")
    sys.stdout.flush()


def log(message):
    """A diagnostic line on stderr (stdout carries only the JSON record)."""
    print(message, file=sys.stderr, flush=True)


def _number(x):
    x = float(x)
    if not math.isfinite(x):
        raise ValueError(f"non-finite value in the record: {x}")
    return x


def _clean(value):
    """JSON-ready copy: NumPy scalars to Python numbers, recursively."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if isinstance(value, (numpy.integer,)):
        return int(value)
    if isinstance(value, (numpy.floating, float)):
        return _number(value)
    return value
