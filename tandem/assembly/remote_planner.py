"""The worker's planning in-process: `plan_remote(text, tools)` without a broker round trip per call.

`tandem eval bfcl` (without `--device-only`) scores what the cloud planner would answer on thousands
of items; sealing each through MQTT would measure the transport, not the model. This builds the same
backend a worker would run, chosen as `tandem demo` chooses it (`tandem.assembly.demo_cloud`: the
Qwen2.5-Coder-1.5B GGUF through llama.cpp when installed, else the configured backend), and plans with
the same `plan(prompt, tools)` the worker calls for a sub-task that offers tools.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from protocol.tools import PlannedToolCall
from tandem.settings import Settings

PlanRemote = Callable[[str, Sequence[Mapping[str, Any]]], PlannedToolCall | None]
"""(text, tools as {"name", "description", "parameters"}) -> the call the worker's model plans, or None."""


def remote_planner(settings: Settings) -> tuple[PlanRemote, str]:
    """`plan_remote` on the worker's model, and that model's name (for the report)."""
    from cloud.planning import plan_task, tool_specs
    from protocol.messages import SubTask
    from tandem.assembly.demo_cloud import demo_settings
    from tandem.assembly.worker_backend import make_worker_backend

    backend = make_worker_backend(demo_settings(settings))

    def plan_remote(text: str, tools: Sequence[Mapping[str, Any]]) -> PlannedToolCall | None:
        return plan_task(backend, SubTask(prompt=text, tools=tool_specs(tools)))

    return plan_remote, str(backend.model)
