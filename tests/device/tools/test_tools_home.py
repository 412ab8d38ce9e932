"""The device acts: text in, a command on the simulated device's own MQTT topic, nothing to the cloud.

Real Mosquitto, devices announced with Home Assistant's discovery schema (`harness.sim.home_devices`),
the tiny model as the device model, the real rules planner and the tools from `make_tools`."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from device.agent import Agent, AgentConfig, Answer
from device.collab import make_planner
from device.redaction import RuleRedactor
from harness.sim.home_devices import Lock, SimHome, Thermostat
from inference.engine import Engine
from tandem.assembly.tools_setup import make_tools
from tandem.broker import BrokerProcess
from tandem.settings import HomeSettings, PersonalSettings, Settings
from tests.mqtt_observer import Observer

CONFIG = AgentConfig(threshold=99, probe_tokens=4, local_max_tokens=8, timeout_s=10)


@pytest.fixture(scope="module")
def engine(tiny_model: Path) -> Engine:
    return Engine(tiny_model, threads=1)


@pytest.fixture
def sim(mosquitto: BrokerProcess) -> Iterator[SimHome]:
    uid = uuid.uuid4().hex[:8]
    home = SimHome(mosquitto.url, prefix=f"ha-{uid}", base=f"sim-{uid}").start()
    yield home
    home.close()


@pytest.fixture
def observer(mosquitto: BrokerProcess) -> Iterator[Observer]:
    obs = Observer(mosquitto.url)
    yield obs
    obs.close()


def _settings(tmp_path: Path, mosquitto: BrokerProcess, sim: SimHome) -> Settings:
    return Settings(keys_dir=tmp_path / "keys", device_id="dev-tools",
                    home=HomeSettings(broker_url=mosquitto.url, discovery_prefix=sim.prefix, area="Kitchen"),
                    personal=PersonalSettings(path=tmp_path / "personal.sqlite", timezone="Europe/Zurich"))


def _run(engine: Engine, settings: Settings, texts: list[str], **kwargs: Any) -> list[Answer]:
    async def go() -> list[Answer]:
        tools = make_tools(settings)
        agent = Agent(engine, RuleRedactor(), CONFIG, planner=make_planner("rules", tools.recognise), tools=tools)
        await tools.start()
        try:
            return [await agent.ask(text, **kwargs) for text in texts]
        finally:
            await tools.close()

    return asyncio.run(go())


def test_commands_reach_the_devices_and_nothing_reaches_the_cloud(engine: Engine, tmp_path: Path,
                                                                   mosquitto: BrokerProcess, sim: SimHome,
                                                                   observer: Observer) -> None:
    off, temperature, heat = _run(engine, _settings(tmp_path, mosquitto, sim), [
        "Turn off the kitchen spots", "What's the temperature in the nursery?",
        "Set the temperature in the living room to 22 degrees"])
    assert json.loads(sim.wait_command(sim.light.command_topic)[0])["state"] == "OFF"
    assert off.tool_calls[0]["name"] == "HassTurnOff"
    assert off.tool_calls[0]["result"]["entities"][0]["state"] == "off"  # the state the light reported
    assert off.answer == "Turned off the Kitchen Spots." and off.route == "local" and off.sent == []
    assert temperature.tool_calls[0]["name"] == "HassClimateGetTemperature"
    assert "Nursery" in temperature.answer and "°C" in temperature.answer
    thermostat = sim.device(Thermostat)
    assert [float(p) for p in sim.wait_command(f"{thermostat.root}/target/set")] == [22.0]
    assert heat.answer == "Set the Heat Pump to 22 degrees."
    assert observer.on("tandem/v1/task") == []  # no escalation for any of them
    assert [p.route for a in (off, temperature, heat) for p in a.parts] == ["tool"] * 3


def test_a_compound_request_runs_its_tool_step_and_answers_the_rest(engine: Engine, tmp_path: Path,
                                                                      mosquitto: BrokerProcess, sim: SimHome) -> None:
    (answer,) = _run(engine, _settings(tmp_path, mosquitto, sim),
                     ["Turn off the kitchen spots and explain how a heat pump works."])
    assert [(p.route, p.redacted_text) for p in answer.parts] == [
        ("tool", "Turn off the kitchen spots."), ("local", "Explain how a heat pump works.")]
    assert answer.answer.startswith("Turned off the Kitchen Spots.")


def test_unlocking_asks_first_and_never_acts_silently(engine: Engine, tmp_path: Path, mosquitto: BrokerProcess,
                                                      sim: SimHome) -> None:
    lock = sim.device(Lock)
    settings = _settings(tmp_path, mosquitto, sim)
    (refused,) = _run(engine, settings, ["Unlock the patio door"])
    assert "needs your yes" in refused.answer and refused.tool_calls[0]["result"] == {"refused": True}
    asked: list[tuple[str, str]] = []

    async def no(kind: str, question: str) -> bool:
        asked.append((kind, question))
        return False

    (declined,) = _run(engine, settings, ["Unlock the patio door"], confirm=no)
    assert asked and asked[0][0] == "act" and "Patio Door" in asked[0][1]
    assert "did not" in declined.answer
    assert sim.on(lock.command_topic) == []  # neither refusal reached the lock

    async def yes(kind: str, question: str) -> bool:
        return True

    (done,) = _run(engine, settings, ["Unlock the patio door"], confirm=yes)
    assert sim.wait_command(lock.command_topic) and done.tool_calls[0]["result"]["entities"][0]["state"] == "unlocked"


def test_a_refusing_policy_refuses_even_with_a_yes(engine: Engine, tmp_path: Path, mosquitto: BrokerProcess,
                                                   sim: SimHome) -> None:
    settings = _settings(tmp_path, mosquitto, sim)
    settings = settings.model_copy(update={"tools": settings.tools.model_copy(update={"policy": {"lock": "refuse"}})})

    async def yes(kind: str, question: str) -> bool:
        return True

    (answer,) = _run(engine, settings, ["Unlock the patio door"], confirm=yes)
    assert "refuses" in answer.answer and sim.on(sim.device(Lock).command_topic) == []


def test_dry_run_shows_the_call_and_acts_on_nothing(engine: Engine, tmp_path: Path, mosquitto: BrokerProcess,
                                                    sim: SimHome) -> None:
    settings = _settings(tmp_path, mosquitto, sim)
    light, reminder = _run(engine, settings, ["Turn off the kitchen spots", "Remind me to water the plants tomorrow"],
                           dry_run=True)
    assert light.answer.startswith("Dry run: HassTurnOff") and light.tool_calls[0]["result"]["dry_run"] is True
    assert light.tool_calls[0]["result"]["would"][0]["entity_id"] == "light.kitchen_spots"
    assert reminder.tool_calls[0]["name"] == "TandemReminderAdd" and reminder.tool_calls[0]["result"]["dry_run"]
    import time

    time.sleep(0.5)
    assert sim.on(sim.light.command_topic) == []
    from tandem.assembly.personal_setup import open_personal_store

    assert open_personal_store(settings).reminders() == []


def test_not_a_command_never_triggers_a_tool(engine: Engine, tmp_path: Path, mosquitto: BrokerProcess,
                                             sim: SimHome) -> None:
    answers = _run(engine, _settings(tmp_path, mosquitto, sim), [
        "How does a light switch work?", "Write a poem about a kitchen light.", "Turn off the garage light"])
    assert all(a.tool_calls == [] for a in answers)  # the home has no garage light: not a command for it
