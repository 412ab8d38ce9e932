"""Policy around the routers: what may stop a step that a router sends to the cloud.

* `CloudBudget`: at most `per_day` escalations a day (the device's local date); past it, steps are
  answered on the device with a notice saying so and when the budget renews. The count survives
  restarts (a small JSON file in the state dir, written atomically), so a restart does not refill it.
* `LatencyTarget`: when the cloud has lately taken longer than `target_s` per step (an exponentially
  weighted mean of the round trips the agent saw), steps stay on the device with a notice; after
  `recheck_s` one step is sent again to see whether the cloud got faster.

The privacy policy (`device.redaction.policy`) and an unreachable broker are handled before these:
a step that may not leave never reaches them.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

log = logging.getLogger(__name__)


@dataclass
class CloudBudget:
    per_day: int
    path: Path | None = None
    """Where the day's count is kept (None: in memory, for tests and one-shot runs)."""
    today: Callable[[], date] = date.today
    _day: str = ""
    _used: int = 0

    def __post_init__(self) -> None:
        if self.per_day < 0:
            raise ValueError("a daily cloud budget is 0 or more escalations")
        if self.path is not None and self.path.exists():
            try:
                data = json.loads(self.path.read_text(encoding="utf-8"))
                self._day, self._used = str(data["day"]), int(data["used"])
            except (OSError, ValueError, KeyError, TypeError) as exc:
                # an unreadable count is taken as spent, never as a fresh budget: say how to reset it
                log.warning("cloud budget file unreadable (%s): counting today's budget as spent until it is "
                            "fixed or removed: %s", type(exc).__name__, self.path)
                self._day, self._used = self.today().isoformat(), self.per_day

    def _roll(self) -> None:
        day = self.today().isoformat()
        if day != self._day:
            self._day, self._used = day, 0

    def remaining(self) -> int:
        self._roll()
        return max(0, self.per_day - self._used)

    def take(self) -> bool:
        """Spend one escalation of today's budget; False when it is spent (nothing is counted then)."""
        self._roll()
        if self._used >= self.per_day:
            return False
        self._used += 1
        self._save()
        return True

    def notice(self) -> str:
        return (f"the daily cloud budget ({self.per_day} escalations) is spent: answered on the device; it renews "
                "tomorrow (`[escalation] daily_cloud_budget`)")

    def _save(self) -> None:
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + ".tmp")
        tmp.write_text(json.dumps({"day": self._day, "used": self._used}), encoding="utf-8")
        os.replace(tmp, self.path)


@dataclass
class LatencyTarget:
    target_s: float
    alpha: float = 0.3
    recheck_s: float = 300.0
    clock: Callable[[], float] = time.monotonic
    expected_s: float | None = None
    _last: float = field(default=0.0)

    def observe(self, seconds: float) -> None:
        """A cloud step's round trip (submit to result)."""
        self.expected_s = seconds if self.expected_s is None else (
            self.alpha * seconds + (1 - self.alpha) * self.expected_s)
        self._last = self.clock()

    def allows(self) -> bool:
        """True unless the cloud has lately been slower than the target (and it is not yet time to recheck)."""
        if self.expected_s is None or self.expected_s <= self.target_s:
            return True
        if self.clock() - self._last >= self.recheck_s:
            self._last = self.clock()  # one step goes to measure again
            return True
        return False

    def notice(self) -> str:
        return (f"the cloud lately took {self.expected_s or 0.0:.1f} s a step, above the latency target of "
                f"{self.target_s:g} s: answered on the device (`[escalation] latency_target_s`)")
