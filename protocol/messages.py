"""Message schemas that cross MQTT: the signed header, the payloads and the envelope.

The header travels in clear (the broker and the receiver need it to route and to pick keys) and is
authenticated twice: it is the HPKE `info` (so the ciphertext opens only under this exact header)
and it is covered by the sender's Ed25519 signature. Payloads travel only inside the ciphertext.

Two schema versions are spoken (see `protocol.envelope` for the crypto of each):

    1  task and result both HPKE-sealed and Ed25519-signed ("sealed" result mode)
    2  the header names its `result_mode`; with "response-key" the task payload is a `KeyedSubTask`
       (the sub-task plus a fresh 32-byte response key) and the result comes back encrypted under
       that key with ChaCha20-Poly1305, unsigned (`protocol.response`)
    3  session tasks (`protocol.session`): the task is encrypted with ChaCha20-Poly1305 under the
       device's session key, and carries the session's ticket (a schema-3 "session" envelope: the
       key HPKE-sealed to the pool and Ed25519-signed by the device) that the header names by
       digest; results are schema 2 "response-key" as before

A schema-1 header carries no `result_mode` field on the wire or in its canonical bytes, so v1
peers keep working byte for byte.

Optional payload fields added later (`SubTask.tools`, `SubTask.history`, `TaskResult.tool_call`) are left out of the
JSON when unset, so a payload that does not use them is byte for byte what an older peer sends and
accepts; a peer that predates a field refuses a payload that sets it (every model forbids extras),
and the device then answers on its own as for any refused escalation.

Header is validated strictly (no "5" for 5, no true for 1): it comes from the network before any
crypto. Payloads are built in-process by our own code, so they keep pydantic's lax mode. Every model
hides input values from its validation errors, so a refused payload never echoes its text in a log.
"""

from __future__ import annotations

import base64
from typing import Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    model_serializer,
    model_validator,
)

from protocol.tools import MAX_TOOLS, MAX_TOOLS_BYTES, PlannedToolCall, ToolSpec

__all__ = [
    "B64_PATTERN",
    "DEVICE_ID_PATTERN",
    "HPKE_OVERHEAD",
    "KEY_B64_PATTERN",
    "KEY_ID_PATTERN",
    "MAX_HISTORY_CHARS",
    "MAX_HISTORY_MESSAGES",
    "MAX_PROMPT_CHARS",
    "MAX_SEQ",
    "MAX_WIRE_BYTES",
    "MIN_TICKET_BYTES",
    "PAYLOAD_KIND",
    "RESPONSE_KEY_BYTES",
    "RESPONSE_NONCE_BYTES",
    "RESPONSE_OVERHEAD",
    "SESSION_KEY_BYTES",
    "SIGNATURE_B64_PATTERN",
    "SIGNATURE_BYTES",
    "TASK_ID_PATTERN",
    "Envelope",
    "Header",
    "HistoryMessage",
    "KeyedSubTask",
    "Kind",
    "ResultMode",
    "SessionKey",
    "SubTask",
    "TaskResult",
    "b64_chars",
    "canonical_bytes",
    "envelope_wire",
    "exact_b64_pattern",
    "wire_bytes",
]

MAX_WIRE_BYTES = 256 * 1024
"""Largest envelope (wire bytes) a receiver accepts and `seal` produces."""

DEVICE_ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"
TASK_ID_PATTERN = r"^[0-9a-f]{32}$"
KEY_ID_PATTERN = r"^[0-9a-f]{16}$"
MAX_PROMPT_CHARS = 32 * 1024
MAX_HISTORY_MESSAGES = 16
"""At most so many earlier messages of a conversation ride along with a sub-task (`SubTask.history`)."""
MAX_HISTORY_CHARS = 16 * 1024
"""...and at most so many characters of them in all."""
MAX_SEQ = 2**63 - 1

HPKE_OVERHEAD = 32 + 16
"""X25519 encapsulated key + ChaCha20-Poly1305 tag: the shortest possible HPKE ciphertext."""
RESPONSE_NONCE_BYTES = 12
RESPONSE_OVERHEAD = RESPONSE_NONCE_BYTES + 16
"""Nonce + ChaCha20-Poly1305 tag: the shortest possible response-key ciphertext."""
RESPONSE_KEY_BYTES = 32
SESSION_KEY_BYTES = 32
MIN_TICKET_BYTES = 64
SIGNATURE_BYTES = 64

# Canonical standard base64 (padded, zero padding bits: one byte string has one wire form), checked
# by pydantic-core's regex engine while it parses, with no Python call per field.
_B64 = "[A-Za-z0-9+/]"
_B64_TAIL = ("", f"{_B64}[AQgw]==", f"{_B64}{{2}}[AEIMQUYcgkosw048]=")
"""The last group of canonical base64 after 0, 1 or 2 leftover bytes (the padding bits are zero)."""
B64_PATTERN = rf"^(?:{_B64}{{4}})*(?:{_B64_TAIL[2]}|{_B64_TAIL[1]})?$"


def exact_b64_pattern(n_bytes: int) -> str:
    """Canonical standard base64 of exactly `n_bytes` bytes."""
    return rf"^(?:{_B64}{{4}}){{{n_bytes // 3}}}{_B64_TAIL[n_bytes % 3]}$"


KEY_B64_PATTERN = exact_b64_pattern(RESPONSE_KEY_BYTES)
"""A response key, canonical."""
SIGNATURE_B64_PATTERN = exact_b64_pattern(SIGNATURE_BYTES)
"""An Ed25519 signature, canonical."""


def b64_chars(n_bytes: int) -> int:
    """Length of the padded base64 of `n_bytes` bytes: a canonical text is at least `n` bytes iff it
    is at least this long."""
    return 4 * -(-n_bytes // 3)

Kind = Literal["task", "result", "session"]
"""A "session" envelope is a session ticket; it travels only inside a schema-3 task."""
ResultMode = Literal["sealed", "response-key"]
"""How a result travels: "sealed" (HPKE to the device + the pool's Ed25519 signature, schema 1) or
"response-key" (ChaCha20-Poly1305 under the key the device put in its task, schema 2)."""


def _num(value: float) -> str:
    return float.__repr__(value) if isinstance(value, float) else int.__repr__(value)


class Header(BaseModel):
    """Clear-text, signed routing data of one envelope."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, hide_input_in_errors=True)

    schema_version: Literal[1, 2, 3] = 1
    kind: Kind
    device_id: str = Field(pattern=DEVICE_ID_PATTERN)
    """The device this exchange belongs to (sender of a task, recipient of a result)."""
    task_id: str = Field(pattern=TASK_ID_PATTERN)
    """uuid4().hex of the sub-task; a result carries the id of the task it answers."""
    seq: int = Field(ge=0, le=MAX_SEQ)
    """Sender's monotonic sequence number (see `protocol.ids.next_seq`)."""
    issued_at: float = Field(allow_inf_nan=False)
    """Unix seconds at the sender when sealed."""
    expires_at: float = Field(allow_inf_nan=False)
    """Unix seconds after which the receiver refuses the envelope."""
    key_id: str = Field(pattern=KEY_ID_PATTERN)
    """Which key the payload is encrypted to: the recipient's X25519 fingerprint
    (`keys.fingerprint`), or for a response-key result `response.response_key_id(key)`."""
    result_mode: ResultMode = "sealed"
    """Schema 2 and 3. On a task: how its result must come back; on a result: how it is encrypted."""
    session: str | None = Field(default=None, pattern=TASK_ID_PATTERN)
    """Schema 3 tasks only: `session.session_id(ticket)`, the digest of the ticket the task carries."""

    @model_validator(mode="after")
    def _consistent(self) -> Header:
        if self.expires_at <= self.issued_at:
            raise ValueError("expires_at must be later than issued_at")
        if self.schema_version == 1 and self.result_mode != "sealed":
            raise ValueError("a schema 1 header has no result_mode: use schema_version 2")
        if self.schema_version == 3 and self.kind == "result":
            raise ValueError("results travel under schema 1 or 2")
        if (self.kind == "session") != (self.schema_version == 3 and self.session is None):
            raise ValueError("a session ticket is a schema 3 header of kind 'session' without a session")
        if self.schema_version == 3 and self.kind == "task" and (
                self.session is None or self.result_mode != "response-key"):
            raise ValueError("a schema 3 task names its session and asks for a response-key result")
        if self.schema_version != 3 and self.session is not None:
            raise ValueError("only schema 3 tasks name a session")
        return self

    def wire_dict(self) -> dict[str, object]:
        """The header as it travels and is signed: schema 1 without `result_mode` (v1 bytes)."""
        doc = self.model_dump(mode="json")
        if self.schema_version == 1:
            del doc["result_mode"]
        if self.session is None:
            del doc["session"]
        return doc

    @property
    def canonical(self) -> bytes:
        """`json.dumps(wire_dict(), sort_keys=True, separators=(",", ":"))` as ASCII bytes, written out
        by hand (a few times faster): every string field is a literal or matches an ASCII pattern
        that needs no escaping, and numbers render as json renders them (repr). Not cached:
        `model_copy(update=...)` would carry a stale cache along."""
        return canonical_bytes(self.schema_version, self.kind, self.device_id, self.task_id, self.seq,
                               self.issued_at, self.expires_at, self.key_id, self.result_mode, self.session)


def canonical_bytes(schema_version: int, kind: str, device_id: str, task_id: str, seq: int, issued_at: float,
                    expires_at: float, key_id: str, result_mode: str, session: str | None) -> bytes:
    """`Header.canonical` of a header with these fields. A sender that builds a header from values
    it already checked (a worker answering a task it opened: `response.answer`) writes it with no
    model in between; `tests/protocol/test_response.py` checks that a receiver parses it back to
    the same bytes."""
    mode = "" if schema_version == 1 else f'"result_mode":"{result_mode}",'
    tail = "" if session is None else f'"session":"{session}",'
    return (f'{{"device_id":"{device_id}","expires_at":{_num(expires_at)},'
            f'"issued_at":{_num(issued_at)},"key_id":"{key_id}","kind":"{kind}",'
            f'{mode}"schema_version":{schema_version},"seq":{seq},{tail}'
            f'"task_id":"{task_id}"}}').encode("ascii")


class HistoryMessage(BaseModel):
    """One earlier message of the conversation a sub-task continues (redacted like the prompt)."""

    model_config = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True)

    role: Literal["user", "assistant"]
    content: str = Field(max_length=MAX_HISTORY_CHARS)


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

    tools: tuple[ToolSpec, ...] | None = Field(default=None, max_length=MAX_TOOLS)
    """Set when the device asks for a tool call instead of prose (`protocol.tools`): the tools it may
    call, names and schemas only. Absent from the JSON when None (older workers never see it)."""

    history: tuple[HistoryMessage, ...] | None = Field(default=None, min_length=1, max_length=MAX_HISTORY_MESSAGES)
    """The earlier turns of the conversation the prompt follows up on ("and of Canada?"), oldest first and
    redacted like the prompt; the device's planner decides how many (often none). Absent from the JSON
    when None (older workers never see it)."""

    @model_validator(mode="after")
    def _part_in_range(self) -> SubTask:
        if self.part >= self.parts:
            raise ValueError("part must be smaller than parts")
        if self.tools is not None:
            names = [t.name for t in self.tools]
            if len(set(names)) != len(names):
                raise ValueError("tool names must be distinct")
            size = sum(len(t.model_dump_json()) for t in self.tools)
            if size > MAX_TOOLS_BYTES:
                raise ValueError(f"the tools are {size} bytes as JSON, at most {MAX_TOOLS_BYTES}")
        if self.history is not None:
            chars = sum(len(m.content) for m in self.history)
            if chars > MAX_HISTORY_CHARS:
                raise ValueError(f"the history is {chars} characters, at most {MAX_HISTORY_CHARS}")
        return self

    @model_serializer(mode="wrap")
    def _omit_unset(self, handler: SerializerFunctionWrapHandler) -> dict[str, object]:
        return _without_none(handler(self), "tools", "history")


class KeyedSubTask(BaseModel):
    """Payload of a schema-2 task in "response-key" mode: the sub-task and the fresh random key
    (standard base64 of 32 bytes) that its result is encrypted under. The key is never logged:
    it is hidden from repr and from validation errors."""

    model_config = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True)

    schema_version: Literal[2] = 2
    task: SubTask
    response_key: str = Field(repr=False, pattern=KEY_B64_PATTERN)

    def key_bytes(self) -> bytes:
        return base64.b64decode(self.response_key)


class SessionKey(BaseModel):
    """Payload of a session ticket (schema 3, kind "session"): the device's 32-byte session key,
    standard base64; hidden from repr and validation errors like every key."""

    model_config = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True)

    schema_version: Literal[3] = 3
    key: str = Field(repr=False, pattern=exact_b64_pattern(SESSION_KEY_BYTES))

    def key_bytes(self) -> bytes:
        return base64.b64decode(self.key)


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
    tool_call: PlannedToolCall | None = None
    """For a task with `tools`: the call the worker planned (arguments may hold placeholders); None
    with no error: the request is not a command. Absent from the JSON when None."""

    @model_serializer(mode="wrap")
    def _omit_unset(self, handler: SerializerFunctionWrapHandler) -> dict[str, object]:
        return _without_none(handler(self), "tool_call")


def _without_none(doc: dict[str, object], *optional: str) -> dict[str, object]:
    """`doc` without the optional fields that are None: the JSON an older peer writes and accepts."""
    for name in optional:
        if doc.get(name, 0) is None:
            del doc[name]
    return doc


def _b64_len(value: str) -> int:
    """Decoded length of canonical base64 (already checked by `B64_PATTERN`)."""
    return len(value) // 4 * 3 - value[-2:].count("=")


class Envelope(BaseModel):
    """What goes on the wire: compact JSON of this model, UTF-8.

    Its schema_version is its header's. A response-key result (schema 2) and a session task
    (schema 3) have no `signature` (an AEAD tag authenticates them); every other envelope must have
    one. A session task, and only it, carries `ticket`.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, hide_input_in_errors=True)

    schema_version: Literal[1, 2, 3] = 1
    header: Header
    ciphertext: str = Field(pattern=B64_PATTERN, min_length=b64_chars(RESPONSE_OVERHEAD))
    """Standard base64: HPKE single-shot ciphertext (enc || sealed payload JSON), or for a
    response-key result nonce || ChaCha20-Poly1305(payload JSON)."""
    signature: str | None = Field(default=None, pattern=SIGNATURE_B64_PATTERN)
    """Standard base64 of the Ed25519 signature over `envelope.signed_bytes(header, ciphertext)`."""
    ticket: str | None = Field(default=None, pattern=B64_PATTERN, min_length=b64_chars(MIN_TICKET_BYTES))
    """Schema 3 tasks: standard base64 of the session ticket's wire bytes (`protocol.session`); the
    header names it by a hash of this exact text."""

    @model_validator(mode="after")
    def _mode(self) -> Envelope:
        if self.schema_version != self.header.schema_version:
            raise ValueError("envelope and header schema_version differ")
        if self.session_task != (self.ticket is not None):
            raise ValueError("a session task carries a ticket, and nothing else does")
        if self.response_keyed or self.session_task:
            if self.signature is not None:
                raise ValueError("a response-key result or session task carries no signature")
        else:
            if self.signature is None:
                raise ValueError("signature missing")
            if _b64_len(self.ciphertext) < HPKE_OVERHEAD:
                raise ValueError(f"ciphertext shorter than {HPKE_OVERHEAD} bytes")
        return self

    @property
    def response_keyed(self) -> bool:
        """A result encrypted under the task's response key (no HPKE, no signature)."""
        return self.header.kind == "result" and self.header.result_mode == "response-key"

    @property
    def session_task(self) -> bool:
        """A task encrypted under its session's key (schema 3; no HPKE, no signature of its own)."""
        return self.header.kind == "task" and self.header.schema_version == 3

    def ciphertext_bytes(self) -> bytes:
        return base64.b64decode(self.ciphertext)

    def signature_bytes(self) -> bytes:
        return base64.b64decode(self.signature or "")

    def ticket_bytes(self) -> bytes:
        """The ticket's wire bytes (its text matched `B64_PATTERN` when the envelope was parsed)."""
        return base64.b64decode(self.ticket or "")

    def to_wire(self) -> bytes:
        return envelope_wire(self.header, self.ciphertext, self.signature, self.ticket)


def envelope_wire(header: Header, ciphertext: str, signature: str | None, ticket: str | None = None) -> bytes:
    """An Envelope's wire bytes, compact JSON: the header in its canonical form (sorted keys), the
    base64 fields verbatim. Senders build them from values they made, without a model in between."""
    return wire_bytes(header.schema_version, header.canonical, ciphertext, signature, ticket)


def wire_bytes(schema_version: int, head: bytes, ciphertext: str, signature: str | None = None,
               ticket: str | None = None) -> bytes:
    """`envelope_wire` from the header's canonical bytes (`head`) and schema version: for senders that
    already bound `head` into the crypto."""
    sig = b"" if signature is None else b',"signature":"' + signature.encode("ascii") + b'"'
    tick = b"" if ticket is None else b',"ticket":"' + ticket.encode("ascii") + b'"'
    return (b'{"schema_version":' + str(schema_version).encode("ascii") + b',"header":' + head
            + b',"ciphertext":"' + ciphertext.encode("ascii") + b'"' + sig + tick + b"}")


PAYLOAD_KIND: dict[type[BaseModel], Kind] = {SubTask: "task", KeyedSubTask: "task", TaskResult: "result",
                                             SessionKey: "session"}
"""Which header kind each payload type travels under."""
