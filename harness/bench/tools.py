"""`tandem bench tools`: a home command's round trip, text in -> the command on the device's own MQTT topic.

A loopback Mosquitto, the simulated Home Assistant-discovery devices (`harness.sim.home_devices`) and the
device's real agent (`make_agent`: redaction with the NER and sensitive-context models, the planner, the
tools) with no cloud at all. Each sample times `agent.ask(text)` from the call until the simulated device
has received its command (and the agent has its answer); the peer, measured in the same run, is the
transport floor: a plain MQTT publish from one client to the same device topic. The issue's target:
p50 under 50 ms on this kind of machine, nothing sent to any cloud topic.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

COMMANDS: tuple[tuple[str, str], ...] = (
    ("Turn off the kitchen spots", "light"), ("Turn on the kitchen spots", "light"),
    ("Set the reading lamp to 40%", "dimmer"), ("Set the temperature in the living room to 21 degrees", "climate"),
    ("Close the study blind", "blind"), ("Open the study blind", "blind"),
)
TARGET_P50_MS = 50.0


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2)


def run_tools_bench(settings: Any, *, rounds: int = 20,
                    progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    from harness.sim.home_devices import Blind, Dimmer, SimHome, Thermostat
    from tandem.broker import start_broker

    say = progress or (lambda line: None)
    with tempfile.TemporaryDirectory(prefix="tandem-bench-tools-") as tmp:
        broker = start_broker(workdir=Path(tmp) / "broker")
        uid = uuid.uuid4().hex[:8]
        sim = SimHome(broker.url, prefix=f"ha-{uid}", base=f"sim-{uid}").start()
        try:
            topics = {"light": sim.light.command_topic, "dimmer": f"{sim.device(Dimmer).root}/brightness/set",
                      "climate": f"{sim.device(Thermostat).root}/target/set", "blind": sim.device(Blind).command_topic}
            bench_settings = settings.model_copy(update={
                "home": settings.home.model_copy(update={"broker_url": broker.url, "discovery_prefix": sim.prefix}),
                "personal": settings.personal.model_copy(update={"path": Path(tmp) / "personal.sqlite"}),
                "device_id": f"bench-{uid}"})
            say("loading the device's agent (models, tools) ...")
            report = asyncio.run(_measure(bench_settings, sim, topics, rounds, say))
            report["plain_publish_ms"] = _plain_floor(broker.url, sim, topics["light"], rounds * len(COMMANDS))
        finally:
            sim.close()
            broker.stop()
    tandem_p50 = report["tandem_ms"]["p50"]
    floor_p50 = report["plain_publish_ms"]["p50"]
    report["ratio_p50_vs_plain_publish"] = round(tandem_p50 / floor_p50, 1) if floor_p50 else None
    report["targets"] = {"p50_under_50_ms": tandem_p50 < TARGET_P50_MS, "nothing_to_the_cloud": report["sent"] == 0}
    return report


async def _measure(settings: Any, sim: Any, topics: dict[str, str], rounds: int,
                   say: Callable[[str], None]) -> dict[str, Any]:
    from tandem.assembly.runtime import make_agent

    agent, _ = await asyncio.to_thread(make_agent, settings, with_cloud=False)
    assert agent.tools is not None
    await agent.tools.start()
    samples: list[float] = []
    per: dict[str, list[float]] = {text: [] for text, _ in COMMANDS}
    sent = missed = 0
    try:
        for text, _kind in COMMANDS:  # warm-up: first model calls pay their start
            await agent.ask(text)
        for r in range(rounds):
            for text, kind in COMMANDS:
                before = len(sim.on(topics[kind]))
                t0 = time.perf_counter()
                answer = await agent.ask(text)
                while len(sim.on(topics[kind])) <= before and time.perf_counter() - t0 < 2.0:
                    await asyncio.sleep(0.0005)
                ms = (time.perf_counter() - t0) * 1000
                missed += len(sim.on(topics[kind])) <= before
                sent += len(answer.sent)
                samples.append(ms)
                per[text].append(ms)
            say(f"round {r + 1}/{rounds}: p50 so far {statistics.median(samples):.1f} ms")
    finally:
        await agent.tools.close()
    return {"commands": len(COMMANDS), "rounds": rounds, "sent": sent, "missed": missed,
            "tandem_ms": {"p50": _pct(samples, 0.5), "p90": _pct(samples, 0.9), "max": round(max(samples), 2)},
            "per_command_p50_ms": {text: _pct(v, 0.5) for text, v in per.items()}}


def _plain_floor(url: str, sim: Any, topic: str, n: int) -> dict[str, float]:
    """The same device topic reached by a plain publish: what MQTT alone costs here."""
    from protocol.mqtt import connect, make_client

    client = make_client(f"bench-plain-{uuid.uuid4().hex[:6]}")
    connect(client, url)
    samples: list[float] = []
    try:
        for i in range(n):
            before = len(sim.on(topic))
            t0 = time.perf_counter()
            client.publish(topic, '{"state": "ON"}' if i % 2 else '{"state": "OFF"}', qos=1)
            while len(sim.on(topic)) <= before and time.perf_counter() - t0 < 2.0:
                time.sleep(0.0002)
            samples.append((time.perf_counter() - t0) * 1000)
    finally:
        client.disconnect()
        client.loop_stop()
    return {"p50": _pct(samples, 0.5), "p90": _pct(samples, 0.9)}
