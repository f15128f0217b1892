"""What every benchmark module shares.

A benchmark module is ``bench/g<N>_<name>.py`` with ``def run() -> list[Figure]``.
Machines are shared and noisy, so a figure is a ratio against a baseline
measured in the same run; the absolute numbers are printed for reference.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Figure:
    name: str  # "G1 ingest"
    value: float
    unit: str  # "x baseline", "% of cold", "ratio"
    target: str  # "<= 30x"
    passed: bool
    absolute: dict[str, float | int | str] = field(default_factory=dict)

    def line(self) -> str:
        return f"{self.name}: {self.value:.3g}{self.unit} (target {self.target}) {'PASS' if self.passed else 'MISS'}"


def best_of(func: Callable[[], object], repeat: int = 3) -> float:
    """Seconds of the fastest of ``repeat`` calls: the least disturbed by the neighbours."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)


def median_of(func: Callable[[], object], repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)
