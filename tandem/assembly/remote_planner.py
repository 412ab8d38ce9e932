"""The worker's planning in-process: `plan_remote(text, tools)` without a broker round trip per call.

`tandem eval bfcl` (without `--device-only`) scores what the cloud planner would answer on thousands
of items; sealing each through MQTT would measure the transport, not the model. This builds the same
backend a worker would run, chosen as `tandem demo` chooses it (`tandem.assembly.demo_cloud`: the
Qwen2.5-Coder-1.5B GGUF through llama.cpp when installed, else the configured backend), and plans with
the same `plan(prompt, tools)` the worker calls for a sub-task that offers tools.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from protocol.tools import PlannedToolCall
from tandem.settings import Settings

log = logging.getLogger(__name__)

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


HomeCommand = Callable[[str, str | None], tuple[dict[str, Any] | None, float]]
"""(text, the device's area) -> `{"intent", "slots"}` with the home's values restored, or None; confidence."""


def home_command_planner(backend: Any, inventory: Any) -> HomeCommand:
    """A command planned in the cloud exactly as a device asks for it (`CloudPlanner`): the home's names
    masked as placeholders, the tools offered without private values, the worker's `plan` on `backend`,
    the answer checked (guessed arguments dropped), then the values restored on the device. For
    `tandem eval route`: the cloud's answer to a command item. A plan the model could not write or the
    checks refused is None (the cloud got it wrong), never an exception."""
    from cloud.errors import BackendError
    from cloud.planning import plan_task
    from device.redaction.vault import Vault
    from device.tools import load_registry
    from device.tools.parsers.base import HomeVocabulary
    from device.tools.parsers.cloud_planner import CloudPlanner, PlanRefused, mask_home, offered_tools
    from protocol.messages import SubTask

    registry = load_registry(entry_points=False)

    def plan(text: str, here: str | None) -> tuple[dict[str, Any] | None, float]:
        vocabulary = HomeVocabulary(tuple(inventory.floors), tuple(inventory.areas), tuple(inventory.entities), here)
        vault = Vault()
        masked = mask_home(text, vocabulary, vault)
        tools = offered_tools(registry, vocabulary, vault.values())
        try:
            planned = plan_task(backend, SubTask(prompt=masked, tools=tools, max_tokens=256))
            if planned is None:
                return None, 1.0
            call = CloudPlanner(registry, lambda: vocabulary).check(planned.name, planned.arguments, masked, tools)
        except (BackendError, PlanRefused) as exc:
            log.info("the cloud's plan was refused: %s", type(exc).__name__)
            return None, 0.0
        slots = {k: vault.restore(v) if isinstance(v, str) else v for k, v in call.arguments.items()}
        return {"intent": call.name, "slots": slots}, call.confidence

    return plan
