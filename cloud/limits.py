"""Per-device rate limits and quotas, checked on authenticated tasks before a backend runs.

Only a task whose signature verified reaches `admit`, so a forger cannot spend another device's
budget. A refused task is answered (a sealed result with `error` saying which limit and when it
resets), so the device falls back to its local answer at once instead of waiting and re-sending.

    rate:   a token bucket per device, `rate_per_s` sustained with `burst` on top
    quota:  tasks and generated tokens per fixed window of `quota_window_s`, starting at the
            device's first task in the window; tokens are charged after the answer (`spend`)

State is in this process's memory, shared by its workers: with P worker processes a device gets up
to P times its limits, so divide the configured values by P (or run one process with `workers=N`).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from cloud.config import DeviceLimits, LimitSettings


@dataclass
class _DeviceState:
    tokens_in_bucket: float
    refilled_at: float
    window_start: float
    tasks: int = 0
    generated: int = 0


class DeviceLimiter:
    def __init__(self, settings: LimitSettings) -> None:
        self.settings = settings
        self._state: dict[str, _DeviceState] = {}
        self._lock = threading.Lock()

    def limits_for(self, device_id: str) -> DeviceLimits:
        return self.settings.devices.get(device_id, self.settings.default)

    @property
    def active(self) -> bool:
        """False when no device has any limit (the worker can skip the check)."""
        every = [self.settings.default, *self.settings.devices.values()]
        return any(x.rate_per_s is not None or x.quota_tasks is not None or x.quota_tokens is not None
                   for x in every)

    def admit(self, device_id: str, *, now: float | None = None) -> str | None:
        """None: run the task (and count it). Otherwise the reason it is refused, for the device."""
        now = time.monotonic() if now is None else now
        lim = self.limits_for(device_id)
        with self._lock:
            st = self._state.get(device_id)
            if st is None:
                st = self._state[device_id] = _DeviceState(float(lim.burst), now, now)
            if now - st.window_start >= lim.quota_window_s:
                st.window_start, st.tasks, st.generated = now, 0, 0
            reset_in = lim.quota_window_s - (now - st.window_start)
            if lim.quota_tasks is not None and st.tasks >= lim.quota_tasks:
                return f"quota exceeded: {st.tasks}/{lim.quota_tasks} tasks in this window; resets in {reset_in:.0f} s"
            if lim.quota_tokens is not None and st.generated >= lim.quota_tokens:
                return (f"quota exceeded: {st.generated}/{lim.quota_tokens} tokens in this window; "
                        f"resets in {reset_in:.0f} s")
            if lim.rate_per_s is not None:
                st.tokens_in_bucket = min(float(lim.burst),
                                          st.tokens_in_bucket + (now - st.refilled_at) * lim.rate_per_s)
                st.refilled_at = now
                if st.tokens_in_bucket < 1.0:
                    wait = (1.0 - st.tokens_in_bucket) / lim.rate_per_s
                    return f"rate limited: over {lim.rate_per_s:g} tasks/s; retry in {wait:.1f} s"
                st.tokens_in_bucket -= 1.0
            st.tasks += 1
            return None

    def spend(self, device_id: str, tokens: int) -> None:
        """Charge the tokens a task generated to its device's quota."""
        with self._lock:
            st = self._state.get(device_id)
            if st is not None:
                st.generated += max(tokens, 0)
