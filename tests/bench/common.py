"""Helpers for benchmarks: peak memory and the one-line JSON report."""

import json
import resource


def peak_rss_mb():
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def report(name, **figures):
    print(json.dumps({"bench": name, **figures}), flush=True)
