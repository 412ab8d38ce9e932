"""Stand-ins for client-chosen strings in log lines.

Request ids, conversation names, caller names a client picked on an anonymous broker, reply topics:
none of them is logged as sent. A value chosen by a client can hold a newline (a forged log line), a
terminal escape, or private text ("anna-keller-divorce"). `tag` logs a short keyed hash instead,
enough to see that two lines concern the same request; the key is random per process, so a tag
cannot be matched against guesses offline, nor across restarts.
"""

from __future__ import annotations

import hashlib
import secrets

_KEY = secrets.token_bytes(16)


def tag(value: str | bytes | None) -> str:
    """`-` for None, else `#` + 8 hex digits of a keyed BLAKE2b of the value."""
    if value is None:
        return "-"
    data = value.encode("utf-8", "surrogatepass") if isinstance(value, str) else value
    return "#" + hashlib.blake2b(data, key=_KEY, digest_size=4).hexdigest()
