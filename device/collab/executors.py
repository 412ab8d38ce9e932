"""The executors a step can be routed to, besides the device model and the cloud.

The device model (`inference.engine.Engine`) answers `local` steps and the escalator
(`device.escalation.Escalator`) carries `cloud` steps; a `ToolExecutor` performs `tool` steps:
acts on the home or reads the user's own data, on the device only. The cloud may plan a tool call
but never executes one: a `ToolPlanner` (`device.tools.parsers.cloud_planner.CloudPlanner`) asks it
for a call when the device's own parsers cannot parse a command, and the tool executor runs that call.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from device.collab.steps import Step, StepResult, ToolCall

if TYPE_CHECKING:
    from device.escalation import Escalator, SentRecord
    from device.redaction.vault import Vault

Confirm = Callable[[str, str], Awaitable[bool]]
"""Asks the user yes/no: (what about: "sensitive" | "act", the question). A face that cannot ask gives None."""


@dataclass(frozen=True)
class ToolContext:
    """What a tool step may use besides its own text, for one request."""

    restore: Callable[[str], str]
    """Placeholders -> the vault's values (tools act on real values, on the device only)."""
    prior: Mapping[int, StepResult] = field(default_factory=dict)
    """Results of the steps this one depends on."""
    confirm: Callable[[str], Awaitable[bool]] | None = None
    """Asks the user a yes/no question (acts that need confirmation); None: nobody to ask."""
    dry_run: bool = False
    """Show the call, act on nothing."""
    request_id: str = ""
    """Stable across retries of the same request: acts are idempotent on it."""


class ToolExecutor(Protocol):
    async def start(self) -> None:
        """Connect what the tools act on (the home); idempotent. Faces call it before the first request."""
        ...

    async def close(self) -> None:
        ...

    async def run(self, step: Step, context: ToolContext) -> StepResult:
        """Perform `step` (redacted text; values through `context.restore`) and say what happened,
        redacted, with route "tool" and the call in `data` ("name", "arguments", "result"). Raises
        `device.errors.ToolError` when it cannot: the agent then answers the step with the device
        model and tells the user why."""
        ...


class ToolPlanner(Protocol):
    """Plans a tool call elsewhere (the cloud) for a command the device could not parse; never executes."""

    def wanted(self, text: str, local: ToolCall | None) -> bool:
        """Whether to ask about `text` (redacted), given the call the device's parsers made (None: none)."""
        ...

    async def plan(self, text: str, escalator: Escalator, vault: Vault) -> tuple[ToolCall | None, SentRecord]:
        """The planned call (placeholders for values; None: not a command) and what left the device.
        Raises `EscalationError` when no answer came, `ToolError` when the plan is refused."""
        ...
