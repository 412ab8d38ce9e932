"""The replay guard: a receiver's filter against duplicates and replays of authenticated headers.

A receiver feeds it each header only after every other check passed (`open_envelope` and
`open_result` take it as their last step; the worker and the device call `check_and_record` right
after opening), so that only authenticated headers can move its state. Senders keep `seq` increasing
across restarts with `protocol.ids.next_seq`.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict

from protocol.errors import ReplayError
from protocol.messages import Header

__all__ = ["ReplayGuard"]


class ReplayGuard:
    """Receiver-side duplicate and replay filter, in memory (v1; a durable one comes later).

    Streams are (device_id, kind). The exact rule, for a header on stream S:

    1. Forget entries accepted more than `window_s` ago (receiver clock), a device's oldest entries
       beyond `max_ids_per_device`, and the oldest entries beyond `max_ids` in total. When an entry is
       forgotten, S's *floor* becomes the highest seq ever forgotten on S.
    2. Refuse if task_id was accepted on S and is still remembered (a duplicate: QoS 1 redelivery
       or a replay).
    3. Refuse if seq <= floor(S): that message may have been seen and forgotten.
    4. Otherwise accept and remember (task_id, seq).

    Every accepted message with seq > floor is still remembered, so no message is accepted twice,
    while messages reordered in flight (within the window) are still accepted. Senders must keep
    seq increasing across restarts (`protocol.ids.next_seq` does).

    Retries: a device re-sends a spooled task byte for byte (same task id, same seq), and QoS 1
    redelivers. With `allow_repeat=True` such a repeat is not an error: `check_and_record` returns
    True and the receiver deduplicates (the worker re-sends its stored result, the device ignores
    a second result). A remembered task id with a *different* seq is still refused, and so is
    anything at or below the floor (replayed or reordered beyond the window), so the repeat path
    only ever sees the exact signed header that was accepted before.

    Only feed it headers from `open_envelope` (after the signature check), or a forger could
    push floors up. Each process has its own guard; workers of one host also share a durable
    task ledger (`cloud.ledger`) so a repeat reaching another worker is deduplicated too.
    """

    def __init__(self, window_s: float = 600, max_ids: int = 100_000, max_ids_per_device: int = 10_000) -> None:
        if window_s <= 0 or max_ids < 1 or max_ids_per_device < 1:
            raise ValueError("window_s must be > 0, max_ids and max_ids_per_device >= 1")
        self.window_s = window_s
        self.max_ids = max_ids
        self.max_ids_per_device = max_ids_per_device
        """One device's cap: past it that device's own oldest entries are forgotten (its floor rises), so a
        flood from one device never evicts another's state. `max_ids` stays the bound of the whole."""
        self._seen: OrderedDict[tuple[str, str, str], tuple[int, float]] = OrderedDict()
        self._per_device: dict[str, OrderedDict[tuple[str, str, str], None]] = {}
        self._floor: dict[tuple[str, str], int] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._seen)

    def floor(self, device_id: str, kind: str) -> int:
        """Highest forgotten seq of a stream (-1 if nothing was forgotten)."""
        return self._floor.get((device_id, kind), -1)

    def _forget(self, now: float) -> None:
        cutoff = now - self.window_s
        while self._seen:
            key, (seq, accepted_at) = next(iter(self._seen.items()))
            if accepted_at >= cutoff and len(self._seen) <= self.max_ids:
                break
            self._drop(key, seq)

    def _drop(self, key: tuple[str, str, str], seq: int) -> None:
        del self._seen[key]
        own = self._per_device.get(key[0])
        if own is not None:
            own.pop(key, None)
            if not own:
                del self._per_device[key[0]]
        stream = key[:2]
        self._floor[stream] = max(self._floor.get(stream, -1), seq)

    def check_and_record(self, header: Header, *, now: float | None = None, allow_repeat: bool = False) -> bool:
        """Accept and remember `header`, or raise ReplayError. True: an exact repeat (allow_repeat)."""
        if now is None:
            now = time.time()
        stream = (header.device_id, header.kind)
        key = (header.device_id, header.kind, header.task_id)
        with self._lock:
            self._forget(now)
            if key in self._seen:
                if allow_repeat and self._seen[key][0] == header.seq:
                    return True
                raise ReplayError(
                    f"{header.kind} {header.task_id} from device {header.device_id} was already "
                    f"received: dropped as a duplicate (a retry re-sends the very same envelope)"
                )
            floor = self._floor.get(stream, -1)
            if header.seq <= floor:
                raise ReplayError(
                    f"{header.kind} {header.task_id} from device {header.device_id} has seq "
                    f"{header.seq}, at or below {floor}, the newest seq this receiver has forgotten: "
                    f"dropped as a possible replay; check the sender's clock if this repeats"
                )
            # Receiver time only grows here (monotonic insertion order keeps _forget a queue).
            last_at = next(reversed(self._seen.values()))[1] if self._seen else now
            self._seen[key] = (header.seq, max(now, last_at))
            own = self._per_device.setdefault(header.device_id, OrderedDict())
            own[key] = None
            while len(own) > self.max_ids_per_device:  # this device's oldest, never another device's
                oldest = next(iter(own))
                self._drop(oldest, self._seen[oldest][0])
            if len(self._seen) > self.max_ids:  # (the time window was applied above, with the same `now`)
                self._forget(now)
            return False
