"""Message schemas that cross MQTT: the signed header, the two payloads and the envelope.

The header travels in clear (the broker and the receiver need it to route and to pick keys) and is
authenticated twice: it is the HPKE `info` (so the ciphertext opens only under this exact header)
and it is covered by the sender's Ed25519 signature. Payloads travel only inside the ciphertext.

Header is validated strictly (no "5" for 5, no true for 1): it comes from the network before any
crypto. Payloads are built in-process by our own code, so they keep pydantic's lax mode. Every model
hides input values from its validation errors, so a refused payload never echoes its text in a log.
"""

from __future__ import annotations

import base64
import binascii
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

MAX_WIRE_BYTES = 256 * 1024
"""Largest envelope (wire bytes) a receiver accepts and `seal` produces."""

DEVICE_ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"
TASK_ID_PATTERN = r"^[0-9a-f]{32}$"
KEY_ID_PATTERN = r"^[0-9a-f]{16}$"
MAX_PROMPT_CHARS = 32 * 1024
MAX_SEQ = 2**63 - 1

HPKE_OVERHEAD = 32 + 16
"""X25519 encapsulated key + ChaCha20-Poly1305 tag: the shortest possible ciphertext."""
SIGNATURE_BYTES = 64

Kind = Literal["task", "result"]


class Header(BaseModel):
    """Clear-text, signed routing data of one envelope."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, hide_input_in_errors=True)

    schema_version: Literal[1] = 1
    kind: Kind
    device_id: str = Field(pattern=DEVICE_ID_PATTERN)
    """The device this exchange belongs to (sender of a task, recipient of a result)."""
    task_id: str = Field(pattern=TASK_ID_PATTERN)
    """uuid4().hex of the sub-task; a result carries the id of the task it answers."""
    seq: int = Field(ge=0, le=MAX_SEQ)
    """Sender's monotonic sequence number (see `envelope.next_seq`)."""
    issued_at: float = Field(allow_inf_nan=False)
    """Unix seconds at the sender when sealed."""
    expires_at: float = Field(allow_inf_nan=False)
    """Unix seconds after which the receiver refuses the envelope."""
    key_id: str = Field(pattern=KEY_ID_PATTERN)
    """Fingerprint of the recipient's X25519 public key (`keys.fingerprint`)."""

    @model_validator(mode="after")
    def _expiry_after_issue(self) -> Header:
        if self.expires_at <= self.issued_at:
            raise ValueError("expires_at must be later than issued_at")
        return self


class SubTask(BaseModel):
    """Payload of a `task` envelope: one redacted sub-task for a cloud worker."""

    model_config = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True)

    schema_version: Literal[1] = 1
    prompt: str = Field(max_length=MAX_PROMPT_CHARS)
    system: str | None = Field(default=None, max_length=MAX_PROMPT_CHARS)
    max_tokens: int = Field(default=256, ge=1, le=4096)
    temperature: float = Field(default=0.0, ge=0.0, le=2.0, allow_inf_nan=False)
    part: int = Field(default=0, ge=0)
    """Index of this sub-task within the request."""
    parts: int = Field(default=1, ge=1)
    """How many sub-tasks the request was split into."""

    @model_validator(mode="after")
    def _part_in_range(self) -> SubTask:
        if self.part >= self.parts:
            raise ValueError("part must be smaller than parts")
        return self


class TaskResult(BaseModel):
    """Payload of a `result` envelope: a worker's answer (or error) for one sub-task."""

    model_config = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True)

    schema_version: Literal[1] = 1
    task_id: str = Field(pattern=TASK_ID_PATTERN)
    text: str
    model: str
    backend: str
    tokens: int = Field(ge=0)
    timings_ms: dict[str, float] = Field(default_factory=dict)
    error: str | None = None
    """Set when the worker could not answer; `text` is then empty or partial."""


def _strict_b64(value: str, *, min_bytes: int, exact: bool) -> str:
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError("not valid standard base64") from exc
    # Reject non-canonical encodings (stray padding bits) so one byte string has one wire form.
    if base64.b64encode(raw).decode("ascii") != value:
        raise ValueError("not canonical base64")
    if (exact and len(raw) != min_bytes) or len(raw) < min_bytes:
        raise ValueError(
            f"decodes to {len(raw)} bytes, expected {'exactly' if exact else 'at least'} {min_bytes}"
        )
    return value


class Envelope(BaseModel):
    """What goes on the wire: compact JSON of this model, UTF-8."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, hide_input_in_errors=True)

    schema_version: Literal[1] = 1
    header: Header
    ciphertext: str
    """Standard base64 of the HPKE single-shot ciphertext (enc || sealed payload JSON)."""
    signature: str
    """Standard base64 of the Ed25519 signature over `envelope.signed_bytes(header, ciphertext)`."""

    @field_validator("ciphertext")
    @classmethod
    def _ciphertext_b64(cls, value: str) -> str:
        return _strict_b64(value, min_bytes=HPKE_OVERHEAD, exact=False)

    @field_validator("signature")
    @classmethod
    def _signature_b64(cls, value: str) -> str:
        return _strict_b64(value, min_bytes=SIGNATURE_BYTES, exact=True)

    def ciphertext_bytes(self) -> bytes:
        return base64.b64decode(self.ciphertext)

    def signature_bytes(self) -> bytes:
        return base64.b64decode(self.signature)

    def to_wire(self) -> bytes:
        return self.model_dump_json().encode("utf-8")


PAYLOAD_KIND: dict[type[BaseModel], Kind] = {SubTask: "task", TaskResult: "result"}
"""Which header kind each payload type travels under."""
