"""What the device does with a request that discloses sensitive context about its user.

Sensitive context is not PII: "My HIV test came back positive. Do I have to tell my new employer?"
holds no name, yet the pool (which knows the device's key) would learn a health status of the
device's owner. A classifier (`DisclosureClassifier`, e.g. `device.redaction.sensitive.SensitiveClassifier`) tags the
categories a request discloses about the user or people close to them; per category, config says:

- ``local`` (default): the request is answered on the device; nothing of it escalates.
- ``ask``: the face asks the user before anything escalates (the TUI, or a service request that
  approves it); without an answer, local.
- ``generalize``: the device rewrites the request about "someone" instead of the user
  (`device.redaction.generalize`) and only that rewrite may escalate; the trace shows it. A request
  the rules cannot rewrite stays local.

When a request tags several categories, the strictest action wins (local, then ask, then generalize).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal, Protocol, get_args

from device.redaction.sensitive import CATEGORIES

SensitiveAction = Literal["local", "ask", "generalize"]
ACTIONS: tuple[SensitiveAction, ...] = get_args(SensitiveAction)


class DisclosureClassifier(Protocol):
    def classify(self, text: str, *also: str) -> tuple[str, ...]:
        """The categories (from `CATEGORIES`) that `text` (redacted) or any of `also` (other views of the
        same request: the user's own words) discloses; () when none."""
        ...


@dataclass(frozen=True)
class SensitivePolicy:
    actions: Mapping[str, SensitiveAction] = field(default_factory=dict)
    default: SensitiveAction = "local"

    def __post_init__(self) -> None:
        unknown = sorted(set(self.actions) - set(CATEGORIES))
        bad = sorted({a for a in (*self.actions.values(), self.default) if a not in ACTIONS})
        if unknown or bad:
            raise ValueError(f"sensitive policy: unknown categories {unknown} or actions {bad}; categories: "
                             f"{', '.join(CATEGORIES)}; actions: {', '.join(ACTIONS)}")

    def action(self, categories: Iterable[str]) -> SensitiveAction | None:
        """The strictest action over `categories`; None when there are none."""
        chosen = [self.actions.get(c, self.default) for c in categories]
        return min(chosen, key=ACTIONS.index) if chosen else None
