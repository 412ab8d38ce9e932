"""Who gets in: a bounded wait for the agent and a per-caller rate limit, decided at once.

The agent answers one request at a time; everything else waits. Without a bound, a flood (2000 requests
in a second) queues without end: memory grows with every payload, and a request at the back waits for
minutes. So a request is refused at once, with a reason and when to try again, when

- `max_waiting` requests already wait for the agent ("busy"), or
- its caller has used up its tokens: `burst` requests at once, refilled at `rate_per_s` ("rate limited").

A caller is the face's identity (`Caller.key`): a flooding caller exhausts its own tokens, not another's.
At most `max_callers` buckets are kept (the least recently seen goes first), so forged caller names cannot
grow memory either. Every face gets exactly one reply per request, refusals included.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class AdmissionLimits:
    max_waiting: int = 16
    """Requests that may wait for the agent; one more is told "busy" at once."""
    rate_per_s: float = 2.0
    """A caller's sustained requests per second..."""
    burst: int = 10
    """...and how many it may send at once."""
    max_callers: int = 4096
    """Callers whose buckets are remembered."""

    def __post_init__(self) -> None:
        if self.max_waiting < 1 or self.burst < 1 or self.rate_per_s <= 0 or self.max_callers < 1:
            raise ValueError("admission limits must be positive (max_waiting, burst, rate_per_s, max_callers)")


@dataclass(frozen=True)
class Refusal:
    code: Literal["busy", "rate_limited"]
    retry_after_s: float
    message: str


class Admission:
    def __init__(self, limits: AdmissionLimits | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits or AdmissionLimits()
        self._clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # caller -> (tokens, at)
        self.waiting = 0
        self.refused: dict[str, int] = {"busy": 0, "rate_limited": 0}

    def admit(self, caller: str) -> Refusal | None:
        """None: the request may wait for the agent (call `leave` when it is done); else why not."""
        lim = self.limits
        now = self._clock()
        tokens, at = self._buckets.pop(caller, (float(lim.burst), now))
        tokens = min(float(lim.burst), tokens + (now - at) * lim.rate_per_s)
        if tokens < 1.0:
            self._remember(caller, tokens, now)
            self.refused["rate_limited"] += 1
            wait = (1.0 - tokens) / lim.rate_per_s
            return Refusal("rate_limited", round(wait, 2), f"rate limited: at most {lim.burst} requests at once and "
                           f"{lim.rate_per_s:g} per second per caller; try again in {wait:.1f} s")
        if self.waiting >= lim.max_waiting:
            self._remember(caller, tokens, now)  # a refused request costs no token
            self.refused["busy"] += 1
            return Refusal("busy", 1.0, f"busy: {self.waiting} requests are waiting for the device model; try again "
                           "in a second")
        self._remember(caller, tokens - 1.0, now)
        self.waiting += 1
        return None

    def leave(self) -> None:
        self.waiting -= 1

    def _remember(self, caller: str, tokens: float, now: float) -> None:
        self._buckets[caller] = (tokens, now)
        while len(self._buckets) > self.limits.max_callers:
            self._buckets.popitem(last=False)
