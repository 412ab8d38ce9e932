"""The device-side map between placeholders and the values they hide.

A vault lives for one conversation and never leaves the device: the cloud only ever sees
placeholders such as `<EMAIL_1>`, and `restore` puts the values back into the final answer.
The same value gets the same placeholder for the whole conversation, so the model can refer back
to "<PERSON_1>" across turns.
"""

from __future__ import annotations

import re

from device.redaction.model import PLACEHOLDER_RE

_TYPE_RE = re.compile(r"[A-Z][A-Z_]*", re.ASCII)


class Vault:
    """Placeholder <-> value map for one conversation. Not shared between threads."""

    def __init__(self) -> None:
        self._by_key: dict[tuple[str, str], str] = {}  # (type, value) -> placeholder
        self._by_placeholder: dict[str, str] = {}  # placeholder -> value
        self._counts: dict[str, int] = {}  # type -> highest number handed out
        # Placeholder-looking strings the user typed themselves: never handed out, so restoring
        # cannot turn the user's literal "<EMAIL_1>" into someone's address.
        self._reserved: set[str] = set()

    def placeholder_for(self, type: str, value: str) -> str:
        """The placeholder for `value`; the same (type, value) always gets the same one."""
        if not _TYPE_RE.fullmatch(type):
            raise ValueError(f"entity type must be upper-case letters and underscores, got {type!r}")
        key = (type, value)
        placeholder = self._by_key.get(key)
        if placeholder is None:
            number = self._counts.get(type, 0)
            while True:
                number += 1
                placeholder = f"<{type}_{number}>"
                if placeholder not in self._reserved:
                    break
            self._counts[type] = number
            self._by_key[key] = placeholder
            self._by_placeholder[placeholder] = value
        return placeholder

    def reserve(self, text: str) -> None:
        """Keep placeholder-looking strings that already occur in `text` from being handed out."""
        for match in PLACEHOLDER_RE.finditer(text):
            if match.group() not in self._by_placeholder:
                self._reserved.add(match.group())

    def restore(self, text: str) -> str:
        """Put known values back; unknown placeholder-looking strings stay exactly as they are."""
        # One pass over the text, so a restored value that itself looks like a placeholder is not
        # expanded a second time.
        return PLACEHOLDER_RE.sub(lambda m: self._by_placeholder.get(m.group(), m.group()), text)

    def values(self) -> list[str]:
        """Every stored value, in the order they were first seen."""
        return list(self._by_placeholder.values())

    def values_of(self, type: str) -> list[str]:
        """Stored values of one entity type, in the order they were first seen."""
        return [value for (kind, value) in self._by_key if kind == type]

    def __len__(self) -> int:
        return len(self._by_placeholder)

    def __repr__(self) -> str:
        # Never show values: reprs end up in logs and tracebacks.
        return f"<Vault with {len(self)} entries>"

    # -- persistence (see `device.redaction.vault_store`) ------------------------------------------
    def to_dict(self) -> dict[str, object]:
        """Everything needed to continue the conversation: entries, counters, reserved placeholders."""
        return {
            "entries": [[kind, value, placeholder] for (kind, value), placeholder in self._by_key.items()],
            "counts": dict(self._counts),
            "reserved": sorted(self._reserved),
        }

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Vault:
        vault = cls()
        entries = data.get("entries", [])
        counts = data.get("counts", {})
        reserved = data.get("reserved", [])
        if not (isinstance(entries, list) and isinstance(counts, dict) and isinstance(reserved, list)):
            raise TypeError("vault data has the wrong shape")
        for kind, value, placeholder in entries:
            if not (isinstance(value, str) and PLACEHOLDER_RE.fullmatch(placeholder) and _TYPE_RE.fullmatch(kind)):
                raise ValueError("vault entry has the wrong shape")
            vault._by_key[(kind, value)] = placeholder
            vault._by_placeholder[placeholder] = value
        vault._counts = {str(k): int(v) for k, v in counts.items()}
        vault._reserved = {str(r) for r in reserved}
        return vault
