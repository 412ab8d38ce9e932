"""The fuser seam: one answer from the steps' results, values restored last, on the device.

Results arrive redacted (placeholders) from the device model, the cloud and the tools; a fuser
puts them together in the request's order and restores the vault's values only at the end, so
values appear in nothing but what the user sees.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

from device.collab.steps import StepResult

if TYPE_CHECKING:
    from device.redaction.vault import Vault


class Fuser(Protocol):
    @property
    def name(self) -> str:
        """The registry name."""
        ...

    def fuse(self, results: Sequence[StepResult], vault: Vault) -> str:
        """The user's answer (values restored)."""
        ...


def append_notices(text: str, notices: Sequence[str]) -> str:
    """`text`, then each notice on its own line as `[note] ...` (what the user must know: a step
    answered on the device because the cloud failed, a tool that refused)."""
    if not notices:
        return text
    return text + "\n\n" + "\n".join(f"[note] {n}" for n in notices)
