"""`tandem eval compound` end to end: the agent over a real broker and worker, sniffed; and the baseline.

Starts what is missing as `tandem demo` does (a loopback broker, one worker with the largest cloud model
installed), runs each pair through the device agent (tools in dry run over the fixture home, so commands
are planned and checked but act on nothing), records every payload that crosses the broker (a client
subscribed to `#`), then asks the same cloud model in-process for the whole redacted request (text, and
a planned call) as the baseline. Scoring lives in `harness.eval.compound`.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from tandem.settings import Settings


class _Sniffer:
    """Every payload on the broker while it runs (topic filter `#`)."""

    def __init__(self, settings: Settings) -> None:
        from protocol.mqtt import connect, make_client

        self.payloads: list[bytes] = []
        self._lock = threading.Lock()
        self._client = make_client(f"tandem-eval-sniffer-{time.monotonic_ns() % 100000}", settings.mqtt_version)
        self._client.on_message = lambda c, u, msg: self._add(bytes(msg.payload))
        connect(self._client, settings.broker_url, auth=settings.mqtt_auth())
        self._client.subscribe("#", qos=1)

    def _add(self, payload: bytes) -> None:
        with self._lock:
            self.payloads.append(payload)

    def take(self) -> list[bytes]:
        time.sleep(0.3)  # the last results still in flight
        with self._lock:
            out, self.payloads = self.payloads, []
        return out

    def close(self) -> None:
        self._client.disconnect()
        self._client.loop_stop()


async def run_compound(settings: Settings, pairs: Sequence[Any], progress: Callable[[str], None]) -> tuple[list[Any], list[Any]]:
    import asyncio

    from device.home.inventory import load_inventory
    from device.redaction.vault import Vault
    from harness.eval.compound import Outcome, device_part_right, echo_lines, leaks, mentions, question_right
    from harness.eval.route.items import COMMANDS
    from protocol.messages import SubTask
    from tandem.assembly.demo_cloud import demo_settings
    from tandem.assembly.remote_planner import home_command_planner
    from tandem.assembly.runtime import ensure_infra, ensure_local_pool, make_agent
    from tandem.assembly.worker_backend import make_worker_backend

    home = COMMANDS / "tools_home.yaml"
    settings = demo_settings(settings).model_copy(update={"home": settings.home.model_copy(update={"inventory": home})})
    inventory = load_inventory(home)
    home_names = [e.name for e in inventory.entities]
    ensure_local_pool(settings)  # the eval runs its own pool on this machine
    infra = await asyncio.to_thread(ensure_infra, settings)
    if infra.broker is not None and not infra.broker.supports_shared_subscriptions:
        settings = settings.model_copy(update={"mqtt_version": "3.1.1"})
    sniffer = _Sniffer(settings)
    agent, escalator = make_agent(settings)
    tandem_rows: list[Outcome] = []
    try:
        if agent.tools is not None:
            await agent.tools.start()
        if escalator is not None:
            await escalator.start()
        for i, pair in enumerate(pairs, 1):
            sniffer.take()
            answer = await agent.ask(pair.text, dry_run=True)
            wire = sniffer.take()
            # the home's names the device part uses ("Gas", a sensor, is not private in "which gas do plants ...")
            private = [*pair.private, *(n for n in home_names if mentions(pair.device["text"], n))]
            calls = [c for c in answer.tool_calls if isinstance(c, dict)]
            call = ({"intent": calls[0]["name"], "slots": {k: agent.vault.restore(v) if isinstance(v, str) else v
                                                          for k, v in calls[0].get("arguments", {}).items()}}
                    if calls else None)
            sent = [json.dumps(s["payload"], ensure_ascii=False) for s in answer.sent]
            asked = [pair.device["text"], pair.question]
            tandem_rows.append(Outcome(pair, device_part_right(pair, call, answer.answer),
                                       question_right(pair, answer.answer), leaks(sent, private),
                                       leaks(wire, pair.private), [p.route for p in answer.parts],
                                       echo_lines(answer.answer, asked)))
            progress(f"tandem: {i}/{len(pairs)}")
    finally:
        if agent.tools is not None:
            await agent.tools.close()
        if escalator is not None:
            await escalator.close()
        sniffer.close()
        infra.stop()

    backend = make_worker_backend(settings)
    plan = home_command_planner(backend, inventory)
    whole_rows: list[Outcome] = []
    for i, pair in enumerate(pairs, 1):
        vault = Vault()
        redacted = agent.redactor.redact(pair.text, vault).text
        text = vault.restore("".join(backend.generate(SubTask(prompt=redacted, max_tokens=settings.cloud_max_tokens))))
        call = None
        if "command" in pair.device:
            planned, _ = plan(redacted, None)
            call = planned
        whole_rows.append(Outcome(pair, device_part_right(pair, call, text), question_right(pair, text),
                                  echoes=echo_lines(text, [pair.device["text"], pair.question])))
        progress(f"whole to cloud: {i}/{len(pairs)}")
    return tandem_rows, whole_rows
