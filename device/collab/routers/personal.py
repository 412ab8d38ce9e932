"""The `personal` router: a step about the user's private data stays on the device.

Even with its values replaced by placeholders, the structure of "remind <PERSON_1> ... on
Friday" tells the cloud something about the user's life; with `keep_personal_local` (the
default) such steps are answered by the device model. Forcing the cloud overrides it (the agent
applies that); the redaction policy's hard holds do not depend on it.
"""

from __future__ import annotations

from dataclasses import dataclass

from device.collab.steps import Draft, RouteDecision, Step

REASON = "personal data stays on the device"


@dataclass(frozen=True)
class PersonalRouter:
    keep_personal_local: bool = True
    name: str = "personal"
    needs_draft: bool = False
    probe_tokens: int | None = None

    def decide(self, step: Step, draft: Draft | None) -> RouteDecision | None:
        return RouteDecision("local", REASON) if step.personal and self.keep_personal_local else None

    def uncertainty(self, draft: Draft) -> float | None:
        return None
