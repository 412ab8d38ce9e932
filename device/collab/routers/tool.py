"""The `tool` router: a step the planner marked as a tool call is executed by a device tool.

Tools act on the home and on the user's own data; only the device executes them, so a tool step
never escalates as text. Without a tool executor the agent answers such a step with the model.
"""

from __future__ import annotations

from dataclasses import dataclass

from device.collab.steps import Draft, RouteDecision, Step


@dataclass(frozen=True)
class ToolRouter:
    name: str = "tool"
    needs_draft: bool = False
    probe_tokens: int | None = None

    def decide(self, step: Step, draft: Draft | None) -> RouteDecision | None:
        return RouteDecision("tool", "a device tool does this") if step.kind == "tool" else None

    def uncertainty(self, draft: Draft) -> float | None:
        return None
