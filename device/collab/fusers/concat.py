"""The `concat` fuser: each step's answer in request order, joined by a blank line.

The user asked for the jobs in that order; placeholders are restored last, on the device, so
values appear only in what the user sees.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from device.collab.fusers.base import append_notices
from device.collab.steps import StepResult
from device.redaction.vault import Vault


def fuse(results: Sequence[StepResult], vault: Vault, notices: Sequence[str] = ()) -> str:
    """Join the results in step order, restore the values, then append each notice as `[note] ...`."""
    body = "\n\n".join(r.text.strip() for r in sorted(results, key=lambda r: r.index) if r.text.strip())
    return append_notices(vault.restore(body), notices)


@dataclass(frozen=True)
class ConcatFuser:
    name: str = "concat"

    def fuse(self, results: Sequence[StepResult], vault: Vault) -> str:
        return fuse(results, vault)
