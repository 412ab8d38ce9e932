"""The scheduler: fires due reminders, alarms, finished timers and queued messages, once each.

`tandem serve` runs one `Scheduler` beside its faces; `notify` is what it does with each `Fired`
(publish on the MQTT notification topic, show in the TUI). A pass (`tick`) is:

1. claim: in one transaction, everything due becomes fired and gets a delivery row
   (`device.personal.firing`); the database refuses a second row for the same item, so nothing
   fires twice, and a claimed item waits in its row until delivered, so a restart loses nothing;
2. deliver: the undelivered items are leased to this scheduler (`lease_s`; a second scheduler on
   the same file leaves them alone), each goes to `notify` and on return is marked delivered. A
   `notify` that raises is logged (ids only) and tried again after `retry_s`.

An item claimed more than `late_after_s` after its time (the device was off, or asleep) fires with
`late=True` and `late_by_s`; `Fired.note()` says so in words.

Between passes the scheduler sleeps until the next due time or `poll_s`, whichever is sooner
(`poll_s` also bounds how long an item added by another process waits), or until `stop` is set.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from device.personal.store import PersonalStore
from device.personal.values import Fired

log = logging.getLogger(__name__)

Notify = Callable[[Fired], Awaitable[None]]

__all__ = ["Fired", "Notify", "Scheduler"]


class Scheduler:
    def __init__(self, store: PersonalStore, notify: Notify, *, clock: Callable[[], datetime] | None = None,
                 poll_s: float = 1.0, late_after_s: float = 60.0, retry_s: float = 10.0,
                 lease_s: float = 30.0) -> None:
        if poll_s <= 0:
            raise ValueError("poll_s must be positive")
        self.store = store
        self.notify = notify
        self.poll_s = poll_s
        self.late_after_s = late_after_s
        self.retry_s = retry_s
        self.lease_s = lease_s
        """How long an item handed to `notify` is this scheduler's alone (another one on the same file,
        or this one after a crash, takes it over after that if it was not delivered)."""
        self.owner = secrets.token_hex(6)
        self._clock = clock or store.now

    async def run(self, stop: asyncio.Event) -> None:
        """Fire what is due until `stop` is set."""
        log.info("scheduler started poll_s=%.3f", self.poll_s)
        while not stop.is_set():
            await self.tick()
            try:
                await asyncio.wait_for(stop.wait(), timeout=await self._pause())
            except asyncio.TimeoutError:
                continue
        log.info("scheduler stopped")

    async def _pause(self) -> float:
        nxt = await asyncio.to_thread(self.store.next_due)
        if nxt is None:
            return self.poll_s
        return min(self.poll_s, max(0.0, (nxt - self._clock()).total_seconds()))

    async def tick(self) -> list[Fired]:
        """One pass: claim what is due now, hand every undelivered item to `notify`; returns those delivered."""
        now = self._clock()
        await asyncio.to_thread(self.store.claim_due, now)
        taken = await asyncio.to_thread(self.store.take_undelivered, now, owner=self.owner, lease_s=self.lease_s,
                                        late_after_s=self.late_after_s)
        delivered = []
        for fired in taken:
            try:
                await self.notify(fired)
            except asyncio.CancelledError:
                raise
            except Exception:  # whatever the notifier raises, the item stays and is retried
                log.warning("notify failed kind=%s id=%s: retry in %.0f s", fired.kind, fired.id, self.retry_s,
                            exc_info=True)
                retry_at = self._clock() + timedelta(seconds=self.retry_s)
                await asyncio.to_thread(self.store.mark_delivery_failed, fired, retry_at)
                continue
            await asyncio.to_thread(self.store.mark_delivered, fired, self._clock())
            log.info("fired kind=%s id=%s late=%s late_by_s=%.1f", fired.kind, fired.id, fired.late, fired.late_by_s)
            delivered.append(fired)
        return delivered
