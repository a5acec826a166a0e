"""Statistics the product reports and the benchmark measures with: one definition for both.

The supervisors' report (insights/report.py) gives the 90th percentile of hand-off waits and
the medians of first response and resolution times; the load benchmark (tools/bench) gives
p50/p95/p99 of reply latencies. Both use these functions, so "percentile" means the same in
the two documents. The benchmark imports the product here, never the reverse
(tests/unit/test_layers.py).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence


def percentile(sorted_values: Sequence[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100) of already sorted values: the smallest value
    with at least q % of the values at or below it (always a measured value, never an
    interpolation). None when there is no value."""
    if not sorted_values:
        return None
    # q * n first: exact for whole q and n (0.07 * 100 is 7.000000000000001 in floats).
    rank = max(1, min(len(sorted_values), math.ceil(q * len(sorted_values) / 100 - 1e-9)))
    return sorted_values[rank - 1]


def median(values: Iterable[float]) -> float | None:
    """The median (the mean of the two middle values for an even count); None when empty."""
    ordered = sorted(values)
    if not ordered:
        return None
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def share(part: int, whole: int) -> float:
    """``part`` as a percentage of ``whole``, one decimal; 0.0 when ``whole`` is 0."""
    return round(100.0 * part / whole, 1) if whole else 0.0
