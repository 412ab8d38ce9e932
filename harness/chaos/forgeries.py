"""What an attacker on the broker can send, for `tandem chaos`: each must be refused.

The attacker has captured real envelopes (`task_wire`, `result_wire`; tasks are schema-3 session
tasks, `protocol.session`) and holds keys of its own
(a rogue Ed25519/X25519 pair), but none of the device's or pool's private keys. Each forgery
names the topic it goes to and whether the pool or the device must refuse it. A byte-identical
copy of a real envelope is not a forgery (it is a duplicate, deduplicated): it is not listed.

Results travel in "response-key" mode (`protocol.envelope`): unsigned, authenticated by an AEAD
tag under a key only the device and the pool know. The result forgeries attack exactly that: a
result under the attacker's own key (with the genuine key id copied), an edited header, a result
for a task the device never sent, and a downgrade to an HPKE-sealed result signed by a rogue key.
"""

from __future__ import annotations

import base64
import json
import os
import time
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from protocol import topics
from protocol.envelope import make_header, seal
from protocol.keys import PublicKeys
from protocol.messages import MAX_WIRE_BYTES, Header, SubTask, TaskResult
from protocol.response import new_response_key, result_header, seal_result
from protocol.session import SessionSealer


@dataclass(frozen=True)
class Forgery:
    name: str
    topic: str
    wire: bytes
    target: str  # "pool" | "device"


def _flip_ciphertext(wire: bytes) -> bytes:
    env = json.loads(wire)
    ct = bytearray(base64.b64decode(env["ciphertext"]))
    ct[len(ct) // 2] ^= 0x01
    env["ciphertext"] = base64.b64encode(bytes(ct)).decode()
    return json.dumps(env).encode()


def _edit_header(wire: bytes, **changes: object) -> bytes:
    env = json.loads(wire)
    env["header"].update(changes)
    return json.dumps(env).encode()


def _bump_seq(wire: bytes) -> bytes:
    env = json.loads(wire)
    env["header"]["seq"] += 1
    return json.dumps(env).encode()


def forgeries(*, device_id: str, other_device_id: str, pool: PublicKeys, device: PublicKeys,
              task_wire: bytes, result_wire: bytes) -> list[Forgery]:
    """One batch, every kind once."""
    rogue_ed = Ed25519PrivateKey.generate()
    task_t, result_t = topics.task_topic(device_id), topics.result_topic(device_id)
    now = time.time()
    nonce = os.urandom(8).hex().encode()  # each batch's garbage differs, so refusals attribute exactly
    rogue_task = seal(make_header("task", device_id, pool.x25519), SubTask(prompt="forged"), pool.x25519, rogue_ed)
    # a session task whose ticket the attacker signed, and the genuine task with that ticket swapped in
    _, rogue_session_task = SessionSealer(device_id, rogue_ed).seal_task(SubTask(prompt="forged"), new_response_key(),
                                                                          pool, ttl_s=600)
    swapped = json.loads(task_wire)
    swapped["ticket"] = json.loads(rogue_session_task)["ticket"]
    unenrolled = seal(make_header("task", "chaos-rogue", pool.x25519), SubTask(prompt="hi"), pool.x25519, rogue_ed)
    expired_h = make_header("task", device_id, pool.x25519, ttl_s=60, now=now - 3600)
    expired = seal(expired_h, SubTask(prompt="stale"), pool.x25519, rogue_ed)
    genuine = json.loads(result_wire)["header"]
    task_id = genuine["task_id"]
    fake = TaskResult(task_id=task_id, text="forged", model="x", backend="x", tokens=0)
    # the attacker's own response key, under the genuine result's key id
    rogue_key = new_response_key()
    rogue_h = result_header(Header.model_validate(json.loads(task_wire)["header"]).model_copy(
        update={"task_id": task_id}), rogue_key, ttl_s=600)
    rogue_result = _edit_header(seal_result(rogue_h, fake, rogue_key), key_id=genuine["key_id"])
    # a downgrade: an HPKE-sealed result signed by a rogue key, for a task sent in response-key mode
    rh = make_header("result", device_id, device.x25519, task_id=task_id)
    downgraded = seal(rh, fake, device.x25519, rogue_ed)
    unknown_h = result_header(rogue_h.model_copy(update={"task_id": os.urandom(16).hex()}), rogue_key, ttl_s=600)
    unknown = seal_result(unknown_h, fake.model_copy(update={"task_id": unknown_h.task_id}), rogue_key)
    return [
        Forgery("tampered-task-ciphertext", task_t, _flip_ciphertext(task_wire), "pool"),
        Forgery("tampered-task-header", task_t, _bump_seq(task_wire), "pool"),
        Forgery("task-signed-by-rogue-key", task_t, rogue_task, "pool"),
        Forgery("session-ticket-signed-by-rogue-key", task_t, rogue_session_task, "pool"),
        Forgery("task-with-another-sessions-ticket", task_t, json.dumps(swapped).encode(), "pool"),
        Forgery("task-replayed-as-other-device", topics.task_topic(other_device_id), task_wire, "pool"),
        Forgery("task-from-unenrolled-device", topics.task_topic("chaos-rogue"), unenrolled, "pool"),
        Forgery("expired-task", task_t, expired, "pool"),
        Forgery("result-on-task-topic", task_t, result_wire, "pool"),
        Forgery("garbage-task", task_t, b"\xff\x00 not an envelope " + nonce, "pool"),
        Forgery("oversized-task", task_t, b"{" + nonce + b" " * (MAX_WIRE_BYTES + 10) + b"}", "pool"),
        Forgery("tampered-result", result_t, _flip_ciphertext(result_wire), "device"),
        Forgery("result-header-edited", result_t, _bump_seq(result_wire), "device"),
        Forgery("result-under-rogue-response-key", result_t, rogue_result, "device"),
        Forgery("result-downgraded-to-sealed-rogue-signed", result_t, downgraded, "device"),
        Forgery("result-for-a-task-never-sent", result_t, unknown, "device"),
        Forgery("garbage-result", result_t, b"[" + nonce + b"]", "device"),
    ]
