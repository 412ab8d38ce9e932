"""The executors a step can be routed to, besides the device model and the cloud.

The device model (`inference.engine.Engine`) answers `local` steps and the escalator
(`device.escalation.Escalator`) carries `cloud` steps; a `ToolExecutor` performs `tool` steps:
acts on the home or reads the user's own data, on the device only. The cloud may plan a tool call
but never executes one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from device.collab.steps import Step, StepResult


class ToolExecutor(Protocol):
    async def run(self, step: Step, prior: Mapping[int, StepResult]) -> StepResult:
        """Perform `step` (redacted text; the executor restores what it needs from the vault it
        holds) and say what happened, redacted, with route "tool". `prior` holds the results of
        the steps it depends on. Raises `device.errors.ToolError` when it cannot: the agent then
        answers the step with the device model and tells the user why."""
        ...
