"""What the machine gave a benchmark: CPU stolen by the hypervisor and a speed yardstick.

Absolute targets (milliseconds, requests per second) depend on the machine; these two
figures let a reader compare runs made on different machines of the same kind:

- *steal*: the share of CPU time the hypervisor gave to other guests while the benchmark
  ran (``/proc/stat``); on a shared 2-vCPU machine it grows when both cores are busy.
- *python speed*: microseconds for a fixed pure-Python loop (best of 5), the same work on
  every machine; a machine twice as slow shows twice the figure.
"""
from __future__ import annotations

import timeit
from dataclasses import dataclass


def _cpu_ticks() -> list[int]:
    with open("/proc/stat") as stat:
        fields = stat.readline().split()[1:]
    return [int(x) for x in fields]


@dataclass
class CpuShares:
    busy: float   # user + system, share of all CPU time
    steal: float  # stolen by the hypervisor, share of all CPU time

    def __str__(self) -> str:
        return f"CPU busy {self.busy:.0%}, stolen by the hypervisor {self.steal:.0%}"


class StealMeter:
    """``with StealMeter() as meter: ...`` then ``meter.shares``."""

    def __enter__(self):
        self._start = _cpu_ticks()
        return self

    def __exit__(self, *exc):
        end = _cpu_ticks()
        delta = [b - a for a, b in zip(self._start, end)]
        total = sum(delta[:8]) or 1  # user nice system idle iowait irq softirq steal
        self.shares = CpuShares(busy=(delta[0] + delta[1] + delta[2]) / total,
                                steal=delta[7] / total if len(delta) > 7 else 0.0)
        return False


def python_speed() -> float:
    """Microseconds for 1,000 dict stores in a loop (best of 5 runs of 2,000)."""
    timer = timeit.Timer("for i in range(1000): d[i] = i", setup="d = {}")
    return min(timer.repeat(repeat=5, number=2000)) / 2000 * 1e6


def describe() -> str:
    return f"python speed {python_speed():.0f} µs per 1,000 dict stores (lower is faster)"
