"""Response-key results (wire schema 2): the task carries a key, the result comes back under it.

The device draws a fresh random 32-byte response key per task and puts it inside the sealed,
signed task payload (`KeyedSubTask`). The worker that opens the task encrypts its `TaskResult`
with ChaCha20-Poly1305 under that key: a random 12-byte nonce, and the canonical result header
as associated data, so task id, device id, seq, times and key id are bound to the ciphertext.
No HPKE and no signature on the result: the AEAD tag proves it came from a holder of the key,
and only the device and the pool that opened the task hold it (see `protocol.envelope` for the
whole design and why it is safe). The key never appears in logs, reprs or error messages.

`open_result` refuses in the same order as `open_envelope`: size/JSON/schema (`parse_envelope`),
addressing (kind, mode, device, key id), expiry and clock skew, the AEAD tag, the payload schema,
and last the optional replay guard.
"""

from __future__ import annotations

import hashlib
import os
import time
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from pydantic import ValidationError

from protocol.codec import b64, schema_problems
from protocol.envelope import canonical_header, check_fresh, parse_envelope, seal
from protocol.errors import (
    DecryptError,
    InvalidResult,
    MisaddressedError,
    OversizedEnvelope,
    ProtocolError,
)
from protocol.ids import next_seq
from protocol.messages import (
    MAX_WIRE_BYTES,
    RESPONSE_KEY_BYTES,
    RESPONSE_NONCE_BYTES,
    Envelope,
    Header,
    KeyedSubTask,
    SubTask,
    TaskResult,
    canonical_bytes,
    wire_bytes,
)
from protocol.replay import ReplayGuard

__all__ = [
    "AAD_PREFIX",
    "answer",
    "new_response_key",
    "open_result",
    "response_key_id",
    "result_header",
    "seal_result",
    "seal_task",
]

AAD_PREFIX = b"tandem/v2/result|"
_KEY_ID_PREFIX = b"tandem/v2/response-key-id|"


def new_response_key() -> bytes:
    """A fresh random response key (one per task)."""
    return os.urandom(RESPONSE_KEY_BYTES)


def response_key_id(key: bytes) -> str:
    """The `key_id` of a result under `key`: 8 bytes of a domain-separated sha256, hex. It names
    the key (the device checks it before trying the tag) and reveals nothing usable about it."""
    return hashlib.sha256(_KEY_ID_PREFIX + key).digest()[:8].hex()


def seal_task(header: Header, task: SubTask, response_key: bytes, recipient: X25519PublicKey,
              signer: Ed25519PrivateKey) -> bytes:
    """Seal a schema-2 "response-key" task: HPKE to the pool, signed by the device, key inside."""
    if header.schema_version != 2 or header.result_mode != "response-key" or header.kind != "task":
        raise ProtocolError("a keyed task needs a schema 2 task header with result_mode 'response-key' "
                            "(make_header(..., result_mode='response-key'))")
    _check_key(response_key)
    payload = KeyedSubTask(task=task, response_key=b64(response_key))
    return seal(header, payload, recipient, signer)


def result_header(task: Header, response_key: bytes, *, ttl_s: float, now: float | None = None) -> Header:
    """The header of the response-key result answering `task`."""
    return Header(**_result_fields(task, response_key, ttl_s, now))


def _result_fields(task: Header, response_key: bytes, ttl_s: float, now: float | None) -> dict[str, Any]:
    """Every field of the result header answering `task` (`result_header`, `answer`)."""
    issued = time.time() if now is None else now
    return {"schema_version": 2, "kind": "result", "device_id": task.device_id, "task_id": task.task_id,
            "seq": next_seq(), "issued_at": issued, "expires_at": issued + ttl_s,
            "key_id": response_key_id(response_key), "result_mode": "response-key", "session": None}


def seal_result(header: Header, result: TaskResult, response_key: bytes) -> bytes:
    """Encrypt `result` under the task's response key; return the wire bytes (no signature)."""
    if header.kind != "result" or header.result_mode != "response-key":
        raise ProtocolError("seal_result needs a response-key result header (protocol.response.result_header)")
    _check_key(response_key)
    if header.key_id != response_key_id(response_key):
        raise ProtocolError("header.key_id is not response_key_id(response_key): build it with result_header()")
    if result.task_id != header.task_id:
        raise ProtocolError(f"result for task {result.task_id} under a header for task {header.task_id}")
    return _encrypt(header.schema_version, canonical_header(header), result, response_key)


def answer(task: Header, result: TaskResult, response_key: bytes, *, ttl_s: float) -> bytes:
    """What `seal_result(result_header(task, key, ttl_s=ttl_s), result, key)` returns, for a worker
    answering a task it opened: every header field comes from that validated task header or is made
    here (seq, times, key id), so the header is written out directly, without a model to build and
    check on every task."""
    _check_key(response_key)
    if result.task_id != task.task_id:
        raise ProtocolError(f"result for task {result.task_id} answers task {task.task_id}")
    if not ttl_s >= 1:
        raise ProtocolError(f"a result lives at least 1 s, not {ttl_s!r}: raise the worker's result_ttl_s")
    fields = _result_fields(task, response_key, ttl_s, None)
    return _encrypt(fields["schema_version"], canonical_bytes(**fields), result, response_key)


def _encrypt(schema_version: int, head: bytes, result: TaskResult, response_key: bytes) -> bytes:
    nonce = os.urandom(RESPONSE_NONCE_BYTES)
    ciphertext = nonce + ChaCha20Poly1305(response_key).encrypt(
        nonce, result.model_dump_json().encode("utf-8"), AAD_PREFIX + head)
    wire = wire_bytes(schema_version, head, b64(ciphertext))
    if len(wire) > MAX_WIRE_BYTES:
        raise OversizedEnvelope(f"result envelope is {len(wire)} bytes, over the {MAX_WIRE_BYTES}-byte limit: "
                                "lower the task's max_tokens")
    return wire


def open_result(
    wire: bytes | Envelope,
    *,
    response_key: bytes,
    expect_device_id: str,
    now: float | None = None,
    max_skew_s: float = 300,
    guard: ReplayGuard | None = None,
) -> tuple[Header, TaskResult]:
    """Check and decrypt a response-key result with the key its task carried.

    Raises only EnvelopeError subclasses for bad input (MisaddressedError for a result that is not
    a response-key result for this device and key, DecryptError when the tag does not verify).
    """
    env = parse_envelope(wire)
    header = env.header
    if not env.response_keyed:
        raise MisaddressedError(
            f"envelope {header.task_id} is not a response-key result: dropped; the task was sent in "
            f"response-key mode, so a sealed or task envelope for it is a downgrade or a mix-up"
        )
    if header.device_id != expect_device_id:
        raise MisaddressedError(
            f"result {header.task_id} names device {header.device_id!r}, we are {expect_device_id!r}: dropped"
        )
    if header.key_id != response_key_id(response_key):
        raise MisaddressedError(
            f"result {header.task_id} is under key {header.key_id}, not this task's response key: dropped; "
            f"it was forged or belongs to another task"
        )
    if now is None:
        now = time.time()
    check_fresh(header, now, max_skew_s, what="result")
    raw = env.ciphertext_bytes()
    nonce, sealed = raw[:RESPONSE_NONCE_BYTES], raw[RESPONSE_NONCE_BYTES:]
    try:
        plaintext = ChaCha20Poly1305(response_key).decrypt(nonce, sealed, AAD_PREFIX + canonical_header(header))
    except InvalidTag as exc:
        raise DecryptError(
            f"result {header.task_id} does not authenticate under its task's response key: dropped; it was "
            f"tampered with or forged"
        ) from exc
    try:
        result = TaskResult.model_validate_json(plaintext)
    except ValidationError as exc:
        raise InvalidResult(
            f"result {header.task_id} decrypted but is not a valid TaskResult ({schema_problems(exc)}): "
            f"refused; the worker sent something out of bounds, or sender and receiver disagree on the schema "
            f"version", header.task_id,
        ) from exc
    if result.task_id != header.task_id:
        raise MisaddressedError(f"result {header.task_id} carries a payload for task {result.task_id}: dropped")
    if guard is not None:
        guard.check_and_record(header, now=now)
    return header, result


def _check_key(key: bytes) -> None:
    if not isinstance(key, bytes) or len(key) != RESPONSE_KEY_BYTES:
        raise ProtocolError(f"a response key is {RESPONSE_KEY_BYTES} random bytes (new_response_key())")
