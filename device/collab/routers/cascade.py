"""The `cascade`: routers asked in order, the first decision wins (the default router).

Before a draft, only routers that read the request are asked; if none decides and some router
needs a draft, the cascade abstains and the agent drafts. With a draft, every router is asked in
order again. If no router decides at all, the step stays on the device ("no router escalated
it"): the device is the default, the cloud is earned.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from device.collab.routers.base import Router
from device.collab.steps import Draft, RouteDecision, Step

DEFAULT_REASON = "no router escalated it"


@dataclass(frozen=True)
class CascadeRouter:
    routers: tuple[Router, ...]
    name: str = "cascade"

    def __init__(self, routers: Sequence[Router], name: str = "cascade") -> None:
        object.__setattr__(self, "routers", tuple(routers))
        object.__setattr__(self, "name", name)

    @property
    def needs_draft(self) -> bool:
        return any(r.needs_draft for r in self.routers)

    @property
    def probe_tokens(self) -> int | None:
        probes = [r.probe_tokens for r in self.routers if r.probe_tokens is not None]
        return min(probes) if probes else None

    def decide(self, step: Step, draft: Draft | None) -> RouteDecision | None:
        for router in self.routers:
            if router.needs_draft and draft is None:
                return None  # the next router reads a draft: draft first, then ask again
            decision = router.decide(step, draft)
            if decision is not None:
                return decision
        if draft is not None and not draft.finished:
            return None  # part-way: keep drafting
        return RouteDecision("local", DEFAULT_REASON, None if draft is None else self.uncertainty(draft))

    def uncertainty(self, draft: Draft) -> float | None:
        for router in self.routers:
            reading = router.uncertainty(draft)
            if reading is not None:
                return reading
        return None
