"""Seal and open envelopes: HPKE for secrecy, Ed25519 for the sender, checks in a fixed order.

HPKE base mode (X25519, HKDF-SHA256, ChaCha20-Poly1305) encrypts the payload to the recipient but
says nothing about who sent it, so the sender also signs. Both bind the clear-text header:

    header_bytes = json.dumps(header, sort_keys=True, separators=(",", ":"))      # canonical
    ciphertext   = HPKE.seal(payload JSON, recipient, info=b"tandem/v1|" + header_bytes)
    signature    = Ed25519.sign(b"tandem/v1/sig|" + len(header_bytes) as u32 BE + header_bytes
                                + ciphertext)

The canonical bytes are recomputed from the *validated* header on both ends, so two spellings of
the same values (1 vs 1.0) verify alike and any change of value breaks the signature.

Result modes (wire schema 1 and 2, `protocol.messages`):

* "sealed" (schema 1, and schema 2 headers that ask for it): tasks and results alike are HPKE-sealed
  to the recipient and Ed25519-signed by the sender, as above. Devices that predate schema 2 speak
  only this; workers still answer them this way.
* "response-key" (schema 2, what devices send now), in the spirit of Oblivious HTTP's response
  encapsulation (RFC 9458 section 4.4): the task is sealed and signed as above, and its payload
  (`KeyedSubTask`) carries a fresh random 32-byte response key. The worker encrypts the result
  with ChaCha20-Poly1305 under that key, with a random 12-byte nonce and the canonical result
  header as associated data (`protocol.response`), and neither HPKE-seals nor signs it:

      ciphertext = nonce || ChaCha20-Poly1305(key, nonce, TaskResult JSON,
                                              aad=b"tandem/v2/result|" + header_bytes)

  Only the device and the pool that opened the task know the key, so the result stays
  confidential and authentic against everyone else (the broker, other devices, other pools); the
  header (task id, device id, seq, expiry, key id = `response_key_id(key)`) cannot be changed.
  It is not signed, so the device cannot prove to a third party which worker answered (it never
  needed to). This saves an HPKE seal + Ed25519 sign on the worker and an HPKE open + Ed25519
  verify on the device per task. A device stores each response key (wrapped, in its 0600 spool)
  until the task is answered and pruned, so late results open after a restart; it refuses a
  "sealed" result for a task it sent in "response-key" mode (no downgrade). The key is random per
  task and the nonce per encryption, so a task answered twice (a worker died after its claim
  lease) never reuses a nonce.

`open_envelope` refuses in this order, cheapest and least trusting first: size, UTF-8, JSON, schema,
addressing (key_id, kind, expected device), expiry and clock skew, signature, decryption, payload
schema (and an optional replay check last, so that only authenticated headers enter the guard).
`protocol.response.open_result` keeps the same order with the AEAD tag in place of signature and
decryption.
"""

from __future__ import annotations

import logging
import struct
import time
from typing import TypeVar

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hpke
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from pydantic import BaseModel, ValidationError

from protocol.codec import b64, schema_problems
from protocol.errors import (
    DecryptError,
    ExpiredError,
    MalformedEnvelope,
    MisaddressedError,
    OversizedEnvelope,
    ProtocolError,
    SignatureError,
)
from protocol.ids import new_task_id, next_seq
from protocol.keys import fingerprint
from protocol.messages import MAX_WIRE_BYTES, PAYLOAD_KIND, Envelope, Header, Kind, ResultMode, wire_bytes
from protocol.replay import ReplayGuard

__all__ = [
    "INFO_PREFIX",
    "SIG_PREFIX",
    "SUITE",
    "canonical_header",
    "check_fresh",
    "hpke_info",
    "make_header",
    "open_envelope",
    "parse_envelope",
    "peek_header",
    "seal",
    "signed_bytes",
]

log = logging.getLogger(__name__)

T = TypeVar("T", bound=BaseModel)

SUITE = hpke.Suite(hpke.KEM.X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.CHACHA20_POLY1305)
INFO_PREFIX = b"tandem/v1|"
SIG_PREFIX = b"tandem/v1/sig|"


def canonical_header(header: Header) -> bytes:
    """The header bytes that HPKE `info` and the signature bind: sorted keys, compact, ASCII
    (`Header.canonical`, computed once per header)."""
    return header.canonical


def hpke_info(header: Header, head: bytes | None = None) -> bytes:
    return INFO_PREFIX + (canonical_header(header) if head is None else head)


def signed_bytes(header: Header, ciphertext: bytes, head: bytes | None = None) -> bytes:
    """What the sender signs. The length prefix keeps the header/ciphertext split unambiguous.
    `head`: the header's canonical bytes when the caller has them already."""
    head = canonical_header(header) if head is None else head
    return SIG_PREFIX + struct.pack(">I", len(head)) + head + ciphertext


def seal(header: Header, payload: BaseModel, recipient: X25519PublicKey, signer: Ed25519PrivateKey) -> bytes:
    """Encrypt `payload` to `recipient`, sign as `signer`, and return the wire bytes.

    Raises ProtocolError if the header does not match the recipient key or the payload type, and
    OversizedEnvelope if the result would exceed MAX_WIRE_BYTES (the receiver would refuse it).
    """
    if header.key_id != fingerprint(recipient):
        raise ProtocolError(
            f"header.key_id {header.key_id} is not the fingerprint of the recipient key "
            f"({fingerprint(recipient)}): build the header with key_id=<recipient PublicKeys>.key_id"
        )
    expected_kind = PAYLOAD_KIND.get(type(payload))
    if expected_kind is not None and expected_kind != header.kind:
        raise ProtocolError(
            f"a {type(payload).__name__} payload travels under kind {expected_kind!r}, "
            f"not {header.kind!r}: fix the header's kind"
        )
    if header.kind == "result" and header.result_mode == "response-key":
        raise ProtocolError("a response-key result is not HPKE-sealed: use protocol.response.seal_result")
    plaintext = payload.model_dump_json().encode("utf-8")
    head = canonical_header(header)
    ciphertext = SUITE.encrypt(plaintext, recipient, info=INFO_PREFIX + head)
    signature = signer.sign(signed_bytes(header, ciphertext, head))
    wire = wire_bytes(header.schema_version, head, b64(ciphertext), b64(signature))
    if len(wire) > MAX_WIRE_BYTES:
        raise OversizedEnvelope(
            f"sealed envelope is {len(wire)} bytes, over the {MAX_WIRE_BYTES}-byte limit: "
            f"split the request into more sub-tasks or lower its size"
        )
    return wire


def parse_envelope(wire: bytes | Envelope) -> Envelope:
    """Size, UTF-8, JSON and schema checks of raw wire bytes (an Envelope passes through); no
    crypto, nothing is trusted yet. Parse once, then hand the Envelope to the opening function."""
    return wire if isinstance(wire, Envelope) else _parse(wire)


def _parse(wire: bytes) -> Envelope:
    if not isinstance(wire, (bytes, bytearray, memoryview)):
        raise MalformedEnvelope(
            f"envelope must be bytes, got {type(wire).__name__}: pass the raw MQTT payload"
        )
    if len(wire) > MAX_WIRE_BYTES:
        raise OversizedEnvelope(
            f"envelope of {len(wire)} bytes exceeds the {MAX_WIRE_BYTES}-byte limit: dropped; "
            f"senders must split large requests"
        )
    try:
        text = bytes(wire).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MalformedEnvelope(
            f"envelope is not valid UTF-8 (byte {exc.start}): dropped; the sender is not speaking "
            f"tandem/v1 JSON"
        ) from exc
    try:
        return Envelope.model_validate_json(text)
    except ValidationError as exc:
        raise MalformedEnvelope(
            f"envelope is not valid tandem/v1 JSON ({schema_problems(exc)}): dropped; check that "
            f"sender and receiver run the same protocol version"
        ) from exc


def peek_header(wire: bytes | Envelope) -> Header:
    """Parse and validate the envelope and return its header; no crypto, nothing is trusted yet.

    Use it to pick keys (which device's verify key) before `open_envelope`.
    """
    return parse_envelope(wire).header


def check_fresh(header: Header, now: float, max_skew_s: float, what: str = "envelope") -> None:
    """Refuse a header past its expiry, or issued further in the future than the clock skew allows."""
    if now > header.expires_at:
        raise ExpiredError(
            f"{what} {header.task_id} expired {now - header.expires_at:.1f} s ago: dropped; if this "
            f"repeats, check the clocks (NTP) of both ends or raise the sender's time-to-live"
        )
    if header.issued_at > now + max_skew_s:
        raise ExpiredError(
            f"{what} {header.task_id} is issued {header.issued_at - now:.1f} s in the future, beyond "
            f"the {max_skew_s:g} s skew window: dropped; synchronise the clocks (NTP) of both ends"
        )


def open_envelope(
    wire: bytes | Envelope,
    *,
    recipient: X25519PrivateKey,
    sender_verify: Ed25519PublicKey,
    payload_type: type[T],
    now: float | None = None,
    max_skew_s: float = 300,
    expect_device_id: str | None = None,
    guard: ReplayGuard | None = None,
) -> tuple[Header, T]:
    """Check, verify and decrypt one envelope; return its header and validated payload.

    `expect_device_id`: refuse a header for another device (the id from the topic on the worker,
    our own id on the device). `guard`: run `guard.check_and_record` once everything else passed.
    `wire` may be an Envelope from `parse_envelope` (parsed once by a caller that peeked).
    Raises only EnvelopeError subclasses for bad input.
    """
    env = parse_envelope(wire)
    header = env.header
    if env.session_task:
        raise MisaddressedError(
            f"envelope {header.task_id} is a session task: it opens with its session's key "
            f"(protocol.session.SessionCache.open_task), not with HPKE"
        )
    if env.response_keyed:
        raise MisaddressedError(
            f"envelope {header.task_id} is a response-key result: it opens with the task's response key "
            f"(protocol.response.open_result), not with HPKE"
        )
    if now is None:
        now = time.time()

    # Addressing: is this envelope meant for this key, this kind of payload, this device?
    ours = fingerprint(recipient.public_key())
    if header.key_id != ours:
        raise MisaddressedError(
            f"envelope {header.task_id} is encrypted to key {header.key_id}, ours is {ours}: dropped; "
            f"if keys were rotated, re-pin them (`tandem keys init`)"
        )
    expected_kind = PAYLOAD_KIND.get(payload_type)
    if expected_kind is not None and header.kind != expected_kind:
        raise MisaddressedError(
            f"envelope {header.task_id} is a {header.kind!r}, expected {expected_kind!r}: dropped; "
            f"check the topic it arrived on"
        )
    if expect_device_id is not None and header.device_id != expect_device_id:
        raise MisaddressedError(
            f"envelope {header.task_id} names device {header.device_id!r} but arrived for "
            f"{expect_device_id!r}: dropped; the sender published to the wrong topic"
        )

    check_fresh(header, now, max_skew_s)  # before the (costlier) signature check

    ciphertext = env.ciphertext_bytes()
    head = canonical_header(header)
    try:
        sender_verify.verify(env.signature_bytes(), signed_bytes(header, ciphertext, head))
    except InvalidSignature as exc:
        raise SignatureError(
            f"envelope {header.task_id} (device {header.device_id}) has a bad signature: dropped; "
            f"it was tampered with or signed by a key that is not enrolled/pinned for this sender"
        ) from exc

    try:
        plaintext = SUITE.decrypt(ciphertext, recipient, info=INFO_PREFIX + head)
    except (InvalidTag, ValueError) as exc:
        raise DecryptError(
            f"envelope {header.task_id} does not decrypt with our key {ours}: dropped; the sender "
            f"used a stale public key for us, re-enrol this device (`tandem keys init`)"
        ) from exc

    try:
        payload = payload_type.model_validate_json(plaintext)
    except ValidationError as exc:
        # Payload models hide their input in errors, so the chained exception holds no plaintext.
        raise MalformedEnvelope(
            f"envelope {header.task_id} decrypted but its payload is not a valid "
            f"{payload_type.__name__} ({schema_problems(exc)}): dropped; sender and receiver "
            f"disagree on the schema version"
        ) from exc
    payload_task_id = getattr(payload, "task_id", None)
    if payload_task_id is not None and payload_task_id != header.task_id:
        raise MisaddressedError(
            f"envelope {header.task_id} carries a payload for task {payload_task_id}: dropped; "
            f"the sender mixed up its tasks"
        )

    if guard is not None:
        guard.check_and_record(header)
    return header, payload


def make_header(
    kind: Kind,
    device_id: str,
    recipient: X25519PublicKey,
    *,
    ttl_s: float = 120,
    task_id: str | None = None,
    now: float | None = None,
    result_mode: ResultMode | None = None,
) -> Header:
    """A fresh header: new seq, issued now, expiring after `ttl_s`, addressed to `recipient`.

    A result passes the `task_id` of the task it answers; a task gets a new one by default.
    `result_mode` set: a schema 2 header (see the module docstring); None: schema 1.
    """
    issued = time.time() if now is None else now
    return Header(
        schema_version=1 if result_mode is None else 2,
        result_mode=result_mode or "sealed",
        kind=kind,
        device_id=device_id,
        task_id=task_id if task_id is not None else new_task_id(),
        seq=next_seq(),
        issued_at=issued,
        expires_at=issued + ttl_s,
        key_id=fingerprint(recipient),
    )
