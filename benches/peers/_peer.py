"""Shared harness of the NumPy/SciPy peer scripts (issue #7, docs: README.md beside this file).

One home for what every peer does the same way:

- the command line (`--repeats R`, `--quick`);
- the timing rule of the performance contract: one untimed warm-up run, then R timed runs with
  `time.perf_counter`, and the median of the R durations is the figure's "seconds";
- the one JSON record each script prints on stdout (and nothing else on stdout: diagnostics go
  to stderr).
"""

import argparse
import json
import math
import platform
import statistics
import sys
import time

import numpy
import scipy


def parse_args(description, default_repeats, extra=None):
    """The common command line; `extra(parser)` may add script-specific options."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--repeats",
        type=int,
        default=default_repeats,
        help=f"timed runs after the warm-up; the median is reported (default {default_repeats})",
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


def measure(run, repeats, setup=None):
    """Median wall seconds of `run(state)` over `repeats` timed runs after one warm-up.

    `setup()` (untimed) makes a fresh state before each run, e.g. the initial particle sample;
    without it `run()` takes no argument. Returns `(median_seconds, all_seconds, last_result)`.
    """

    def once():
        state = setup() if setup is not None else None
        start = time.perf_counter()
        result = run(state) if setup is not None else run()
        return time.perf_counter() - start, result

    once()  # warm-up: page faults, caches, lazy imports
    seconds = []
    result = None
    for _ in range(repeats):
        elapsed, result = once()
        seconds.append(elapsed)
    return statistics.median(seconds), seconds, result


def versions():
    """`numpy x.y.z / scipy x.y.z / CPython x.y.z`."""
    return (
        f"numpy {numpy.__version__} / scipy {scipy.__version__} / "
        f"{platform.python_implementation()} {platform.python_version()}"
    )


def emit(workload, figure, unit, seconds, accuracy, accuracy_metric, repeats, method, **details):
    """Prints the contract's JSON record on stdout; `details` go under the key "details"."""
    record = {
        "workload": workload,
        "figure": _number(figure),
        "unit": unit,
        "seconds": _number(seconds),
        "accuracy": _number(accuracy),
        "accuracy_metric": accuracy_metric,
        "repeats": repeats,
        "implementation": f"{versions()}, {method}",
    }
    if details:
        record["details"] = _clean(details)
    json.dump(record, sys.stdout, allow_nan=False)
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
