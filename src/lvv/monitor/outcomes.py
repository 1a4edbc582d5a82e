"""Outcomes over time: cumulative incidence of each outflow class with competing risks
(Aalen-Johansen), people still in the LVV censored at the peildatum (docs/adr/0034).

With day-level dates many people leave on the same day; the estimator handles ties exactly (all
events at a time before the censorings at that time), with no jitter, so the figures are
reproducible."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

DAYS_PER_MONTH = 30.4375  # 365.25 / 12
HORIZON_MONTHS = (6, 12, 18)


def months_to_days(months: int) -> int:
    return round(months * DAYS_PER_MONTH)


@dataclass(frozen=True)
class CumulativeIncidence:
    """Step functions: at `times[i]` (days since admission) the cumulative incidence of each cause
    becomes `curves[cause][i]`; before the first time every cause is 0."""

    causes: tuple[str, ...]
    times: tuple[int, ...]
    curves: dict[str, tuple[float, ...]]
    n: int

    def at(self, day: float, cause: str) -> float:
        value = 0.0
        for t, v in zip(self.times, self.curves[cause], strict=True):
            if t > day:
                break
            value = v
        return value

    def followed_up_to(self, day: float) -> bool:
        """Whether anyone was still followed on `day` (otherwise the estimate is not reported)."""
        return bool(self.times) and self.max_time >= day

    max_time: int = 0


def aalen_johansen(
    observations: Iterable[tuple[int, str | None]], causes: Sequence[str]
) -> CumulativeIncidence:
    """`observations`: (days from admission to outflow or censoring, cause or None if censored).

    CIF_k(t) = sum over event times s <= t of S(s-) * d_k(s) / n(s), with S the Kaplan-Meier
    probability of not having left by any cause, n(s) the number still at risk just before s."""
    data = list(observations)
    events: dict[int, Counter] = {}
    leaving: Counter = Counter()
    for time, cause in data:
        leaving[time] += 1
        if cause is not None:
            events.setdefault(time, Counter())[cause] += 1
    at_risk = len(data)
    survival = 1.0
    cif = dict.fromkeys(causes, 0.0)
    times: list[int] = []
    curves: dict[str, list[float]] = {c: [] for c in causes}
    for time in sorted(leaving):
        d = events.get(time, Counter())
        total = sum(d.values())
        if total:
            for cause in causes:
                cif[cause] += survival * d[cause] / at_risk
            survival *= 1 - total / at_risk
            times.append(time)
            for cause in causes:
                curves[cause].append(cif[cause])
        at_risk -= leaving[time]
    return CumulativeIncidence(
        causes=tuple(causes),
        times=tuple(times),
        curves={c: tuple(v) for c, v in curves.items()},
        n=len(data),
        max_time=max((t for t, _ in data), default=0),
    )
