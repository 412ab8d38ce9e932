"""Restoring placeholders in streamed output, where "<PERSON_1>" may arrive as "<PER" + "SON_1>".

`StreamRestorer.feed(chunk)` returns the text that is safe to show now, with complete known
placeholders replaced by their values; a tail that could still grow into a placeholder ("<",
"<EMAIL_", "<EMAIL_1") is held back until the next chunk decides it, or `flush()` ends the
stream. Held text is bounded: a tail longer than any placeholder the vault knows is released as it
is. Like `Vault.restore`, it never invents a value: unknown placeholders pass through unchanged.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable

from device.redaction.vault import Vault

# What a placeholder looks like while it is still being written.
_PARTIAL_RE = re.compile(r"<[A-Z_]*(?:(?<=_)[0-9]+)?", re.ASCII)
_MAX_HELD = 48  # longer than "<STREET_ADDRESS_1234>"


class StreamRestorer:
    """Restores one stream (one answer); feed chunks in order, then flush once."""

    def __init__(self, vault: Vault) -> None:
        self.vault = vault
        self._held = ""

    def feed(self, chunk: str) -> str:
        text = self._held + chunk
        cut = text.rfind("<")
        if cut != -1 and len(text) - cut <= _MAX_HELD and _PARTIAL_RE.fullmatch(text, cut):
            ready, self._held = text[:cut], text[cut:]
        else:
            ready, self._held = text, ""
        return self.vault.restore(ready)

    def flush(self) -> str:
        """The held tail (restored if it completed); call once at the end of the stream."""
        rest, self._held = self._held, ""
        return self.vault.restore(rest)


class PartStreams:
    """One `StreamRestorer` per part of an answer, in front of an `on_token(part, text)` callback.

    The agent streams several parts (local drafts token by token, cloud answers in one piece);
    each gets its own restorer so a "<PER" held back in one part never joins "SON_1>" of another.
    `feed` may be called from the engine's thread and from the event loop, for different parts.
    """

    def __init__(self, vault: Vault, sink: Callable[[int, str], None]) -> None:
        self.vault = vault
        self.sink = sink
        self._streams: dict[int, StreamRestorer] = {}
        self._lock = threading.Lock()

    def _stream(self, part: int) -> StreamRestorer:
        with self._lock:
            return self._streams.setdefault(part, StreamRestorer(self.vault))

    def feed(self, part: int, chunk: str) -> None:
        ready = self._stream(part).feed(chunk)
        if ready:
            self.sink(part, ready)

    def flush(self) -> None:
        """End every part's stream: release what each still holds."""
        with self._lock:
            streams = sorted(self._streams.items())
        for part, stream in streams:
            rest = stream.flush()
            if rest:
                self.sink(part, rest)
