"""The agent drives whatever planner, router, fuser and tool executor it is given (tiny model, real broker)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from cloud.worker import Worker
from device.agent import Agent, AgentConfig, Answer
from device.collab import Draft, Plan, RouteDecision, Step, StepResult
from device.collab.executors import ToolContext
from device.errors import ToolError
from device.escalation import Escalator
from device.redaction import RuleRedactor
from inference.engine import Engine
from protocol.keys import DeviceKeys
from tandem.broker import BrokerProcess

CONFIG = AgentConfig(threshold=0.5, probe_tokens=4, local_max_tokens=8, timeout_s=10)


@dataclass(frozen=True)
class FixedPlanner:
    """Plans every request as the given steps (placeholders filled from the redacted text's first)."""

    steps: tuple[Step, ...]
    name: str = "fixed"

    def plan(self, text: str) -> Plan:
        return Plan(self.steps)


@dataclass
class RecordingTools:
    """A tool executor that records its calls; `refuse` makes it raise ToolError."""

    refuse: bool = False
    calls: list[tuple[Step, dict[int, StepResult]]] = field(default_factory=list)

    async def run(self, step: Step, context: ToolContext) -> StepResult:
        self.calls.append((step, dict(context.prior)))
        if self.refuse:
            raise ToolError("the lock policy asks first")
        call = {"name": "HassTurnOff", "arguments": {"name": "Kitchen Spots"}, "result": {"state": "off"}}
        return StepResult(step.index, "Done: kitchen light off.", "tool", {"call": call})


@dataclass(frozen=True)
class AlwaysCloud:
    """A pre-generation router: decides from the request alone, never drafts."""

    name: str = "always-cloud"
    needs_draft: bool = False
    probe_tokens: int | None = None

    def decide(self, step: Step, draft: Draft | None) -> RouteDecision | None:
        return RouteDecision("cloud", "request router")

    def uncertainty(self, draft: Draft) -> float | None:
        return None


@pytest.fixture(scope="module")
def engine(tiny_model: Path) -> Engine:
    return Engine(tiny_model, threads=1)


def _ask(agent: Agent, text: str, broker_url: str | None = None, keys_root: Path | None = None) -> Answer:
    async def go() -> Answer:
        if broker_url is not None:
            assert keys_root is not None
            agent.escalator = Escalator(broker_url=broker_url, keys=DeviceKeys.load(keys_root, "dev-a"))
            await agent.escalator.start()
        try:
            return await agent.ask(text)
        finally:
            if agent.escalator is not None:
                await agent.escalator.close()

    return asyncio.run(go())


TOOL_THEN_TEXT = FixedPlanner((Step(0, "Turn off the kitchen light.", kind="tool"),
                               Step(1, "Say hello.")))


def test_tool_steps_go_to_the_tool_executor_and_never_leave(engine: Engine) -> None:
    tools = RecordingTools()
    agent = Agent(engine, RuleRedactor(), CONFIG, planner=TOOL_THEN_TEXT, tools=tools)
    answer = _ask(agent, "turn off the kitchen light and say hello")
    assert [c[0].index for c in tools.calls] == [0]
    assert [(p.route, p.reason) for p in answer.parts] == [("tool", "a device tool does this"),
                                                           ("local", "no cloud configured")]
    assert answer.route == "local" and answer.sent == []
    assert answer.answer.startswith("Done: kitchen light off.")
    assert answer.tool_calls == [{"name": "HassTurnOff", "arguments": {"name": "Kitchen Spots"},
                                  "result": {"state": "off"}}]
    assert answer.parts[0].tool_call == answer.tool_calls[0]


def test_a_tool_that_refuses_is_answered_on_the_device_with_a_notice(engine: Engine) -> None:
    agent = Agent(engine, RuleRedactor(), CONFIG, planner=TOOL_THEN_TEXT, tools=RecordingTools(refuse=True))
    answer = _ask(agent, "turn off the kitchen light and say hello")
    assert answer.parts[0].route == "local" and answer.parts[0].reason.endswith("tool failed")
    assert any("lock policy asks first" in n for n in answer.notices)
    assert "[note]" in answer.answer and "Done:" not in answer.answer


def test_without_a_tool_executor_tool_steps_are_answered_by_the_model(engine: Engine) -> None:
    agent = Agent(engine, RuleRedactor(), CONFIG, planner=TOOL_THEN_TEXT)
    answer = _ask(agent, "turn off the kitchen light and say hello")
    assert answer.parts[0].route == "local"
    assert any("no tool executor" in n for n in answer.notices)


def test_a_tool_step_waits_for_the_cloud_step_it_depends_on(engine: Engine, mosquitto: BrokerProcess,
                                                            keys_root: Path, echo_pool: Worker) -> None:
    tools = RecordingTools()
    planner = FixedPlanner((Step(0, "Explain when boilers need a service."),
                            Step(1, "Remind <PERSON_1> about it.", personal=True, kind="tool", depends_on=(0,))))
    agent = Agent(engine, RuleRedactor(), CONFIG, planner=planner, tools=tools)
    answer = _ask(agent, "remind Anna Keller about the boiler service", mosquitto.url, keys_root)
    # the random tiny model is unsure: step 0 escalates; the echo worker returns its prompt
    assert [p.route for p in answer.parts] == ["cloud", "tool"]
    (step, prior), = tools.calls
    assert step.index == 1 and prior[0].route == "cloud"
    assert prior[0].text == "Explain when boilers need a service."
    assert [s["payload"]["prompt"] for s in answer.sent] == ["Explain when boilers need a service."]


def test_a_request_router_escalates_without_a_local_draft(engine: Engine, mosquitto: BrokerProcess,
                                                          keys_root: Path, echo_pool: Worker) -> None:
    agent = Agent(engine, RuleRedactor(), CONFIG, router=AlwaysCloud())
    answer = _ask(agent, "Explain tides. Then explain waves.", mosquitto.url, keys_root)
    assert [(p.route, p.reason, p.draft_tokens) for p in answer.parts] == [("cloud", "request router", 0)] * 2
    assert answer.timings_ms["local_model"] == 0.0
