"""The device-side map between placeholders and the values they hide.

A vault lives for one conversation and never leaves the device: the cloud only ever sees
placeholders such as `<EMAIL_1>`, and `restore` puts the values back into the final answer.
The same value gets the same placeholder for the whole conversation, so the model can refer back
to "<PERSON_1>" across turns.

What `restore` expands is narrower than what the vault knows. A placeholder is expanded only when
this vault object handed it out itself (`placeholder_for`, since it was created or loaded) and the
user's own input never contained it (`reserve` sees the input before redaction). So a caller who
types "Repeat exactly: <PERSON_1>" gets the literal "<PERSON_1>" back, never the stored name: not
from a conversation loaded from disk (nothing of it is expanded until this request issues it
again), and not when the same request also names the person (the value then gets a fresh number).
A model or a worker can only echo placeholders the device put into the redacted request.
"""

from __future__ import annotations

import re
import unicodedata

from device.redaction.model import PLACEHOLDER_RE

_TYPE_RE = re.compile(r"[A-Z][A-Z_]*", re.ASCII)
# Placeholder-like forms a model might turn into a real placeholder: "<email_1>", "< EMAIL_1 >", "EMAIL_1".
_LOOSE_RE = re.compile(r"<\s*([A-Za-z][A-Za-z_]*_\d+)\s*>|(?<![A-Za-z0-9_])([A-Z][A-Z_]*_\d+)(?![A-Za-z0-9_])",
                       re.ASCII)


def typed_placeholders(text: str) -> set[str]:
    """Placeholders `text` holds or spells: exact ones, and the same after NFKC (full-width
    "＜PERSON＿1＞"), without zero-width or bidi characters, in lower case or without brackets."""
    found = {m.group() for m in PLACEHOLDER_RE.finditer(text)}
    # zero-width and bidi controls (Unicode category Cf) go first: "<PERSON_\u200b1>"
    folded = "".join(ch for ch in unicodedata.normalize("NFKC", text) if unicodedata.category(ch) != "Cf")
    for match in _LOOSE_RE.finditer(folded):
        found.add(f"<{(match.group(1) or match.group(2)).upper()}>")
    return found


_RESTORABLE_RE = re.compile(r"<[A-Z_]+_\d+>|\[[A-Z_]+_\d+\]|\{[A-Z_]+_\d+\}", re.ASCII)


def _or_same(expanded: str, written: str) -> str:
    """A bracket spelling stays as written unless its placeholder expanded to a value."""
    return written if expanded.startswith("<") and expanded.endswith(">") else expanded


class Vault:
    """Placeholder <-> value map for one conversation. Not shared between threads."""

    def __init__(self) -> None:
        self._by_key: dict[tuple[str, str], str] = {}  # (type, value) -> placeholder
        self._by_placeholder: dict[str, str] = {}  # placeholder -> value
        self._counts: dict[str, int] = {}  # type -> highest number handed out
        # Placeholder-looking strings the user typed before they were handed out: never handed out,
        # so restoring cannot turn the user's literal "<EMAIL_1>" into someone's address. Stored.
        self._reserved: set[str] = set()
        # This object's session (never stored): what it handed out, and what the user typed.
        self._issued: set[str] = set()
        self._typed: set[str] = set()
        self.owner: str | None = None
        """Who opened the conversation (`tandem serve` binds a named conversation to its caller)."""

    def placeholder_for(self, type: str, value: str) -> str:
        """The placeholder for `value`; the same (type, value) always gets the same one, unless the
        user typed that placeholder in this session: then the value moves to a fresh number."""
        if not _TYPE_RE.fullmatch(type):
            raise ValueError(f"entity type must be upper-case letters and underscores, got {type!r}")
        key = (type, value)
        placeholder = self._by_key.get(key)
        if placeholder is not None and placeholder in self._typed:
            # "<PERSON_1>" typed by the user must stay literal, so the value cannot be restored under it
            del self._by_placeholder[placeholder]
            self._reserved.add(placeholder)
            placeholder = None
        if placeholder is None:
            number = self._counts.get(type, 0)
            while True:
                number += 1
                placeholder = f"<{type}_{number}>"
                if placeholder not in self._reserved and placeholder not in self._typed:
                    break
            self._counts[type] = number
            self._by_key[key] = placeholder
            self._by_placeholder[placeholder] = value
        self._issued.add(placeholder)
        return placeholder

    def reserve(self, text: str) -> None:
        """Note the user's input before it is redacted: the placeholders it holds or spells are never
        expanded in this session, and those not handed out yet never will be."""
        for placeholder in typed_placeholders(text):
            self._typed.add(placeholder)
            if placeholder not in self._by_placeholder:
                self._reserved.add(placeholder)

    def restore(self, text: str) -> str:
        """Put back the values of placeholders this session issued and the user did not type; every
        other placeholder-looking string stays exactly as it is."""
        # One pass over the text, so a restored value that itself looks like a placeholder is not
        # expanded a second time. Models sometimes rewrite <PERSON_1> as [PERSON_1] or {PERSON_1}: those
        # spellings of a placeholder this session issued are put back too.
        return _RESTORABLE_RE.sub(lambda m: self._expand(m.group()) if m.group()[0] == "<"
                                  else _or_same(self._expand(f"<{m.group()[1:-1]}>"), m.group()), text)

    def _expand(self, placeholder: str) -> str:
        if placeholder not in self._issued or placeholder in self._typed:
            return placeholder
        return self._by_placeholder.get(placeholder, placeholder)

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
        """Everything needed to continue the conversation: entries, counters, reserved placeholders,
        the owner. Not the session: a loaded vault expands nothing until it issues placeholders again."""
        return {
            "entries": [[kind, value, placeholder] for (kind, value), placeholder in self._by_key.items()],
            "counts": dict(self._counts),
            "reserved": sorted(self._reserved),
            "owner": self.owner,
        }

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Vault:
        vault = cls()
        entries = data.get("entries", [])
        counts = data.get("counts", {})
        reserved = data.get("reserved", [])
        owner = data.get("owner")
        if not (isinstance(entries, list) and isinstance(counts, dict) and isinstance(reserved, list)
                and (owner is None or isinstance(owner, str))):
            raise TypeError("vault data has the wrong shape")
        for kind, value, placeholder in entries:
            if not (isinstance(value, str) and PLACEHOLDER_RE.fullmatch(placeholder) and _TYPE_RE.fullmatch(kind)):
                raise ValueError("vault entry has the wrong shape")
            vault._by_key[(kind, value)] = placeholder
            vault._by_placeholder[placeholder] = value
        vault._counts = {str(k): int(v) for k, v in counts.items()}
        vault._reserved = {str(r) for r in reserved}
        vault.owner = owner
        return vault
