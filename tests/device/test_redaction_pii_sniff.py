"""End to end: sniff every MQTT payload of an escalation and find none of the request's PII.

An observer on `#` records every message that crosses the broker while the agent (tiny model,
forced to the cloud) escalates a request full of PII to a real echo worker. Each payload is searched
raw for the values in every encoding a reader could undo (UTF-8/16, JSON escapes, percent-encoding,
base64 at any alignment, digits only, case-folded), then opened with the pool key (and results with
the device key), and the plaintext the worker read is searched the same way.
"""

from __future__ import annotations

import asyncio
import base64
import json
import time
import urllib.parse
from pathlib import Path

from cloud.worker import Worker
from device.agent import Agent, AgentConfig, Answer
from device.escalation import Escalator
from device.redaction import RuleRedactor
from inference.engine import Engine
from protocol.envelope import peek_header
from protocol.errors import EnvelopeError
from protocol.keys import DeviceKeys, PoolKeys
from protocol.response import open_result
from protocol.session import SessionCache
from tandem.broker import BrokerProcess
from tests.mqtt_observer import Observer

REQUEST = ("Write a friendly note to Anna Keller (anna.keller@example.com, +41 79 555 12 34) who lives at "
           "Bahnhofstrasse 21, 8001 Zürich, that her card 4111 1111 1111 1111 and IBAN CH93 0076 2011 6238 5295 7 "
           "are charged on Friday; she was born on 12.03.1985. Then explain how a condensing boiler works.")
PII = ["Anna Keller", "anna.keller@example.com", "+41 79 555 12 34", "Bahnhofstrasse 21", "8001 Zürich",
       "4111 1111 1111 1111", "CH93 0076 2011 6238 5295 7", "12.03.1985"]


def needles(value: str) -> set[bytes]:
    """`value` as bytes in every encoding the worker (or anyone on the wire) could decode."""
    forms = {value, value.lower(), value.upper(), value.replace(" ", ""),
             "".join(c for c in value if c.isdigit()) if sum(c.isdigit() for c in value) >= 6 else value,
             json.dumps(value)[1:-1], urllib.parse.quote(value), urllib.parse.quote_plus(value)}
    forms |= {w for w in value.replace(",", " ").split() if len(w) >= 4 and not w.isdigit()}  # "Keller"
    out: set[bytes] = set()
    for form in forms:
        for enc in ("utf-8", "utf-16-le", "utf-16-be"):
            raw = form.encode(enc)
            out.add(raw)
            for pad in range(3):  # base64 of the value at each alignment inside a longer text
                for b64 in (base64.b64encode(b"\0" * pad + raw), base64.urlsafe_b64encode(b"\0" * pad + raw)):
                    core = b64.rstrip(b"=")
                    skip = (pad * 4 + 2) // 3
                    out.add(core[skip:len(core) - 2])
    return {n for n in out if len(n) >= 4}


def _ask(tiny_model: Path, broker_url: str, keys_root: Path) -> Answer:
    async def go() -> Answer:
        esc = Escalator(broker_url=broker_url, keys=DeviceKeys.load(keys_root, "dev-a"))
        await esc.start()
        agent = Agent(Engine(tiny_model, threads=1), RuleRedactor(),
                      AgentConfig(threshold=99, probe_tokens=4, local_max_tokens=8, timeout_s=15), esc)
        try:
            return await agent.ask(REQUEST, force="cloud")
        finally:
            await esc.close()

    return asyncio.run(go())


def test_no_pii_in_any_mqtt_payload_nor_in_what_the_worker_opens(
        tiny_model: Path, mosquitto: BrokerProcess, keys_root: Path, echo_pool: Worker) -> None:
    observer = Observer(mosquitto.url)
    try:
        answer = _ask(tiny_model, mosquitto.url, keys_root)
        time.sleep(0.3)  # let the observer receive the last result
    finally:
        observer.close()
    assert answer.sent, "nothing escalated: the test would prove nothing"
    assert answer.route == "cloud"
    payloads = [p for _, p in observer.messages]
    assert len(payloads) >= 2 * len(answer.sent)  # tasks and results at least

    pool, device = PoolKeys.load(keys_root), DeviceKeys.load(keys_root, "dev-a")
    opened: list[bytes] = []
    sessions = SessionCache()  # tasks are session tasks (protocol.session): the pool's view of them
    response_keys: dict[str, bytes] = {}  # the tasks (opened with the pool key) carry their results' keys
    for wire in payloads:
        try:
            header = peek_header(wire)
        except EnvelopeError:
            continue  # status messages ("online") are no envelopes
        if header.kind == "task":
            _, keyed = sessions.open_task(wire, recipient_for=lambda _: pool.x25519,
                                          sender_verify=device.public.ed25519, expect_device_id="dev-a",
                                          max_skew_s=3600)
            response_keys[header.task_id] = keyed.key_bytes()
            opened.append(keyed.task.model_dump_json().encode())
        elif header.kind == "result":
            _, result = open_result(wire, response_key=response_keys[header.task_id], expect_device_id="dev-a",
                                    max_skew_s=3600)
            opened.append(result.model_dump_json().encode())
    assert len(opened) >= 2 * len(answer.sent)
    assert any(b"<PERSON_1>" in p for p in opened) and any(b"<IBAN_1>" in p for p in opened)

    for value in PII:
        for needle in needles(value):
            for blob in payloads + opened:
                assert needle not in blob, f"{value!r} leaked as {needle!r}"
    # the user still gets the values back
    assert "Anna Keller" in answer.answer and "CH93 0076 2011 6238 5295 7" in answer.answer


def test_needles_catch_a_leak() -> None:
    """The search itself can fail: a payload carrying the value in base64 is caught."""
    blob = json.dumps({"p": base64.b64encode(b"hi Anna Keller!").decode()}).encode()
    assert any(n in blob for n in needles("Anna Keller"))
    assert any(n in "Keller".encode("utf-16-le") for n in needles("Anna Keller"))
