"""Schema 2: keyed tasks and response-key results (no HPKE, no signature on the result)."""

from __future__ import annotations

import base64
import json
import time

import pytest
from pydantic import ValidationError

from protocol.envelope import make_header, open_envelope, seal
from protocol.errors import DecryptError, ExpiredError, MisaddressedError, ProtocolError, ReplayError
from protocol.messages import KeyedSubTask, SubTask, TaskResult
from protocol.replay import ReplayGuard
from protocol.response import (
    new_response_key,
    open_result,
    response_key_id,
    result_header,
    seal_result,
    seal_task,
)

SECRET = "the answer holds 0000-SECRET-RESULT"


def _keyed_task(store, key: bytes):
    header = make_header("task", "dev1", store.dev1.pool.x25519, ttl_s=60, result_mode="response-key")
    return header, seal_task(header, SubTask(prompt="q"), key, store.dev1.pool.x25519, store.dev1.ed25519)


def _result(task_header, key: bytes, *, text: str = SECRET, ttl_s: float = 60, now: float | None = None):
    header = result_header(task_header, key, ttl_s=ttl_s, now=now)
    result = TaskResult(task_id=task_header.task_id, text=text, model="m", backend="b", tokens=1)
    return header, seal_result(header, result, key)


def _rewrite(wire: bytes, edit) -> bytes:
    doc = json.loads(wire)
    edit(doc)
    return json.dumps(doc, separators=(",", ":")).encode()


def test_round_trip_through_the_pool(store):
    key = new_response_key()
    _, wire = _keyed_task(store, key)
    header, payload = open_envelope(wire, recipient=store.pool.x25519, payload_type=KeyedSubTask,
                                    sender_verify=store.pool.device("dev1").ed25519, expect_device_id="dev1")
    assert header.schema_version == 2 and header.result_mode == "response-key"
    assert payload.key_bytes() == key and payload.task.prompt == "q"
    rh, result_wire = _result(header, payload.key_bytes())
    doc = json.loads(result_wire)
    assert "signature" not in doc and doc["header"]["key_id"] == response_key_id(key)
    assert SECRET.encode() not in result_wire and base64.b64encode(key) not in result_wire
    got_header, got = open_result(result_wire, response_key=key, expect_device_id="dev1")
    assert got_header == rh and got.text == SECRET


def test_the_key_never_shows_in_reprs_or_errors(store):
    key = new_response_key()
    payload = KeyedSubTask(task=SubTask(prompt="q"), response_key=base64.b64encode(key).decode())
    assert base64.b64encode(key).decode() not in repr(payload)
    with pytest.raises(ValidationError) as info:
        KeyedSubTask(task=SubTask(prompt="q"), response_key=base64.b64encode(key[:31]).decode())
    assert base64.b64encode(key[:31]).decode() not in str(info.value)


def test_each_seal_uses_a_fresh_nonce(store):
    key = new_response_key()
    task_header, _ = _keyed_task(store, key)
    header = result_header(task_header, key, ttl_s=60)
    result = TaskResult(task_id=task_header.task_id, text=SECRET, model="m", backend="b", tokens=1)
    a, b = seal_result(header, result, key), seal_result(header, result, key)
    assert json.loads(a)["ciphertext"][:16] != json.loads(b)["ciphertext"][:16]


@pytest.mark.parametrize("edit", [
    lambda d: d["header"].update(seq=d["header"]["seq"] + 1),
    lambda d: d["header"].update(expires_at=d["header"]["expires_at"] + 1),
    lambda d: d.update(ciphertext=base64.b64encode(
        base64.b64decode(d["ciphertext"])[:-1] + bytes([base64.b64decode(d["ciphertext"])[-1] ^ 1])).decode()),
])
def test_tampering_is_refused_by_the_tag(store, edit):
    key = new_response_key()
    task_header, _ = _keyed_task(store, key)
    _, wire = _result(task_header, key)
    with pytest.raises(DecryptError):
        open_result(_rewrite(wire, edit), response_key=key, expect_device_id="dev1")


def test_a_result_for_another_task_or_key_is_refused(store):
    key, other = new_response_key(), new_response_key()
    task_header, _ = _keyed_task(store, key)
    _, wire = _result(task_header, key)
    with pytest.raises(MisaddressedError, match="not this task's response key"):
        open_result(wire, response_key=other, expect_device_id="dev1")
    # a forger who copies the genuine key id still lacks the key
    forged_header = result_header(task_header, other, ttl_s=60).model_copy(update={"key_id": response_key_id(key)})
    forged = _rewrite(_result(task_header, other)[1], lambda d: d["header"].update(key_id=forged_header.key_id))
    with pytest.raises(DecryptError):
        open_result(forged, response_key=key, expect_device_id="dev1")
    with pytest.raises(MisaddressedError, match="names device"):
        open_result(wire, response_key=key, expect_device_id="dev2")
    moved = _rewrite(wire, lambda d: d["header"].update(task_id="f" * 32))
    with pytest.raises(DecryptError):
        open_result(moved, response_key=key, expect_device_id="dev1")


def test_no_downgrade_and_no_mix_up_between_modes(store):
    key = new_response_key()
    task_header, task_wire = _keyed_task(store, key)
    # a sealed (HPKE + signature) result for a keyed task is refused by the device
    sealed_header = make_header("result", "dev1", store.pool.device("dev1").x25519, task_id=task_header.task_id)
    sealed = seal(sealed_header, TaskResult(task_id=task_header.task_id, text="x", model="m", backend="b", tokens=0),
                  store.pool.device("dev1").x25519, store.pool.ed25519)
    with pytest.raises(MisaddressedError, match="not a response-key result"):
        open_result(sealed, response_key=key, expect_device_id="dev1")
    with pytest.raises(MisaddressedError):
        open_result(task_wire, response_key=key, expect_device_id="dev1")
    # and a response-key result never goes through the HPKE path
    _, wire = _result(task_header, key)
    with pytest.raises(MisaddressedError, match="response-key result"):
        open_envelope(wire, recipient=store.dev1.x25519, sender_verify=store.dev1.pool.ed25519,
                      payload_type=TaskResult)
    # a keyed task header with a plain SubTask payload (or the reverse) does not open
    plain = seal(task_header, SubTask(prompt="q"), store.dev1.pool.x25519, store.dev1.ed25519)
    with pytest.raises(Exception) as info:
        open_envelope(plain, recipient=store.pool.x25519, payload_type=KeyedSubTask,
                      sender_verify=store.pool.device("dev1").ed25519)
    assert type(info.value).__name__ == "MalformedEnvelope"


def test_expiry_and_replay(store):
    key = new_response_key()
    task_header, _ = _keyed_task(store, key)
    _, old = _result(task_header, key, ttl_s=10, now=time.time() - 100)
    with pytest.raises(ExpiredError):
        open_result(old, response_key=key, expect_device_id="dev1")
    _, wire = _result(task_header, key)
    guard = ReplayGuard()
    open_result(wire, response_key=key, expect_device_id="dev1", guard=guard)
    with pytest.raises(ReplayError):
        open_result(wire, response_key=key, expect_device_id="dev1", guard=guard)


def test_misuse_is_a_protocol_error(store):
    key = new_response_key()
    v1_header = make_header("task", "dev1", store.dev1.pool.x25519)
    with pytest.raises(ProtocolError, match="schema 2"):
        seal_task(v1_header, SubTask(prompt="q"), key, store.dev1.pool.x25519, store.dev1.ed25519)
    task_header, _ = _keyed_task(store, key)
    with pytest.raises(ProtocolError, match="32 random bytes"):
        seal_result(result_header(task_header, key, ttl_s=5), TaskResult(
            task_id=task_header.task_id, text="", model="m", backend="b", tokens=0), key[:16])


def test_schema_1_wire_is_unchanged(store):
    header = make_header("task", "dev1", store.dev1.pool.x25519)
    wire = seal(header, SubTask(prompt="q"), store.dev1.pool.x25519, store.dev1.ed25519)
    doc = json.loads(wire)
    assert doc["schema_version"] == 1 and "result_mode" not in doc["header"]


def test_answer_writes_the_header_a_receiver_parses_back_byte_for_byte(store):
    """`answer` writes the result header without a model: the device's strict parse must accept it
    and re-derive exactly the bytes the AEAD bound, with every field as `result_header` sets it."""
    from protocol.envelope import parse_envelope
    from protocol.response import answer

    key = new_response_key()
    task_header, _ = _keyed_task(store, key)
    result = TaskResult(task_id=task_header.task_id, text=SECRET, model="m", backend="b", tokens=1)
    before = time.time()
    wire = answer(task_header, result, key, ttl_s=90)
    env = parse_envelope(wire)
    h = env.header
    assert wire.startswith(b'{"schema_version":2,"header":' + h.canonical + b',"ciphertext":"')
    assert (h.kind, h.schema_version, h.result_mode, h.device_id, h.task_id, h.key_id, h.session) == (
        "result", 2, "response-key", "dev1", task_header.task_id, response_key_id(key), None)
    assert before <= h.issued_at <= time.time() and h.expires_at == pytest.approx(h.issued_at + 90)
    assert h.seq > task_header.seq
    assert open_result(wire, response_key=key, expect_device_id="dev1")[1].text == SECRET
    with pytest.raises(ProtocolError, match="answers task"):
        answer(task_header, result.model_copy(update={"task_id": "f" * 32}), key, ttl_s=90)
    with pytest.raises(ProtocolError, match="at least 1 s"):
        answer(task_header, result, key, ttl_s=0)
