"""Session tasks (wire schema 3): sign and HPKE-seal once per session, not once per task.

Sealing every task with HPKE and signing it with Ed25519 costs the device ~0.1 ms and the worker
~0.11 ms (X25519 decapsulation + signature check): as much as a whole MQTT round trip on a LAN,
and the largest part of a worker's CPU per task. TLS 1.3 and Noise solve the same problem the
same way: the asymmetric operations authenticate a key once, the messages then use that key.

    ticket     = a sealed envelope (schema 3, kind "session"): SessionKey{key} HPKE-sealed to the
                 pool and Ed25519-signed by the device, exactly like a schema-1 task (`envelope.seal`),
                 with its own expiry (hours)
    session_id = sha256(b"tandem/v3/session|" + the ticket's base64 text as carried)[:16], hex
    task       = header (schema 3, names `session`) + nonce || ChaCha20-Poly1305(session key, nonce,
                 KeyedSubTask JSON, aad=b"tandem/v3/task|" + canonical header) + the ticket itself

Every task carries its ticket, so any worker of a shared subscription can open any task with no
state and no extra round trip. A worker checks a ticket once (`open_envelope`: addressing,
expiry, the device's signature, HPKE) and keeps (device, session_id) -> key in a bounded LRU
cache; later tasks of the session cost a text comparison with the checked ticket and one AEAD
open. The header binds the ticket (by its digest), the pool key, the device, the task id, seq and
times, so a task authenticates as a whole: a changed ticket, header or ciphertext is refused
whether the worker has the session cached or not.

Security, compared with schema 1/2 (each task signed):
* confidentiality and integrity against the broker, other devices and other pools are the same:
  only the device and the pool can open the ticket, so only they hold the session key;
* authenticity of the sender rests on the ticket's signature: a task is accepted only under a
  key that this device signed for this pool, like the records of a TLS session;
* a task is not signed individually, so it is not proof to a third party that the device sent it
  (nothing relied on that), and anyone holding the pool's private key could forge tasks of a live
  session, as it could already read them all.
Replays are refused by the same `protocol.replay.ReplayGuard` (task id + seq), and the ticket's
expiry bounds a session's life. Random 96-bit nonces are safe far beyond the tasks one session
carries (a device starts a new session every `SESSION_TTL_S`).
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from pydantic import ValidationError

from protocol.codec import b64, schema_problems
from protocol.envelope import canonical_header, check_fresh, open_envelope, parse_envelope, seal
from protocol.errors import (
    DecryptError,
    ExpiredError,
    MalformedEnvelope,
    MisaddressedError,
    OversizedEnvelope,
    ProtocolError,
)
from protocol.ids import new_task_id, next_seq
from protocol.keys import PublicKeys
from protocol.messages import (
    MAX_WIRE_BYTES,
    RESPONSE_NONCE_BYTES,
    SESSION_KEY_BYTES,
    Envelope,
    Header,
    KeyedSubTask,
    SessionKey,
    SubTask,
    wire_bytes,
)

__all__ = [
    "AAD_PREFIX",
    "SESSION_TTL_S",
    "Session",
    "SessionCache",
    "SessionSealer",
    "seal_session_task",
    "session_id",
]

AAD_PREFIX = b"tandem/v3/task|"
_ID_PREFIX = b"tandem/v3/session|"
SESSION_TTL_S = 6 * 3600.0
"""How long a session ticket is valid; a device starts a new session well before it runs out."""


def session_id(ticket: str) -> str:
    """The digest a task header names its ticket by: 16 bytes of a domain-separated sha256 of the
    ticket's base64 text as the task carries it (hex). Hashing the text, not the decoded bytes, binds
    its one wire form too, and a worker that has the session cached never decodes the ticket."""
    return hashlib.sha256(_ID_PREFIX + ticket.encode("ascii")).digest()[:16].hex()


@dataclass(frozen=True)
class Session:
    """One device session: its key (never logged), its ticket and when the ticket expires."""

    key: bytes = field(repr=False)
    ticket: str
    """Standard base64 of the ticket's wire bytes, as tasks carry it."""
    session_id: str
    key_id: str
    """The pool key the ticket is sealed to."""
    expires_at: float
    aead: ChaCha20Poly1305 = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "aead", ChaCha20Poly1305(self.key))  # stateless: safe to share


class SessionSealer:
    """The device side: holds the current session and seals tasks under it (thread-safe).

    A new session (one HPKE seal + one signature) starts on first use, when the pool key changes,
    and when the current ticket would expire before a task sealed now: so a spooled task that is
    re-sent byte for byte until its own expiry always carries a ticket that is still valid.
    """

    def __init__(self, device_id: str, signer: Ed25519PrivateKey, *, ttl_s: float = SESSION_TTL_S) -> None:
        self.device_id = device_id
        self._signer = signer
        self.ttl_s = ttl_s
        self._session: Session | None = None
        self._lock = threading.Lock()
        self.sessions_started = 0

    def session(self, pool: PublicKeys, *, valid_until: float, now: float | None = None) -> Session:
        """The current session for `pool`, or a new one if it would expire before `valid_until`."""
        now = time.time() if now is None else now
        with self._lock:
            current = self._session
            if current is None or current.key_id != pool.key_id or current.expires_at < valid_until:
                if valid_until > now + self.ttl_s:
                    raise ProtocolError(f"a task valid until {valid_until:.0f} outlives a new session "
                                        f"({self.ttl_s:.0f} s): lower the task's time-to-live")
                current = self._session = self._start(pool, now)
            return current

    def _start(self, pool: PublicKeys, now: float) -> Session:
        key = os.urandom(SESSION_KEY_BYTES)
        header = Header(schema_version=3, result_mode="sealed", kind="session", device_id=self.device_id,
                        task_id=new_task_id(), seq=next_seq(), issued_at=now, expires_at=now + self.ttl_s,
                        key_id=pool.key_id)
        wire = seal(header, SessionKey(key=b64(key)), pool.x25519, self._signer)
        self.sessions_started += 1
        ticket = b64(wire)
        return Session(key=key, ticket=ticket, session_id=session_id(ticket), key_id=pool.key_id,
                       expires_at=header.expires_at)

    def seal_task(self, task: SubTask, response_key: bytes, pool: PublicKeys, *, ttl_s: float,
                  now: float | None = None) -> tuple[Header, bytes]:
        """Seal one sub-task (its result comes back under `response_key`); (header, wire bytes)."""
        now = time.time() if now is None else now
        session = self.session(pool, valid_until=now + ttl_s, now=now)
        header = Header(schema_version=3, result_mode="response-key", kind="task", device_id=self.device_id,
                        task_id=new_task_id(), seq=next_seq(), issued_at=now, expires_at=now + ttl_s,
                        key_id=session.key_id, session=session.session_id)
        payload = KeyedSubTask(task=task, response_key=b64(response_key))
        return header, seal_session_task(header, payload, session)


def seal_session_task(header: Header, payload: KeyedSubTask, session: Session) -> bytes:
    """Encrypt `payload` under the session key, bound to `header`; return the wire bytes."""
    if header.session != session.session_id or header.kind != "task" or header.key_id != session.key_id:
        raise ProtocolError("the header must be a schema 3 task naming this session and its pool key "
                            "(SessionSealer.seal_task builds it)")
    nonce = os.urandom(RESPONSE_NONCE_BYTES)
    head = canonical_header(header)
    ciphertext = nonce + session.aead.encrypt(nonce, payload.model_dump_json().encode("utf-8"), AAD_PREFIX + head)
    wire = wire_bytes(header.schema_version, head, b64(ciphertext), None, session.ticket)
    if len(wire) > MAX_WIRE_BYTES:
        raise OversizedEnvelope(f"sealed task is {len(wire)} bytes, over the {MAX_WIRE_BYTES}-byte limit: split "
                                "the request into more sub-tasks or lower its size")
    return wire


@dataclass(frozen=True)
class _Known:
    aead: ChaCha20Poly1305 = field(repr=False)
    key_id: str
    expires_at: float
    ticket: str = field(repr=False)
    """The checked ticket's text (its `session_id` is the cache key)."""


class SessionCache:
    """The pool side: opens session tasks, checking each session's ticket once (thread-safe).

    `max_sessions` bounds memory (least recently used sessions are forgotten and their next task
    checks the ticket again). Only tickets that passed every check enter the cache.
    """

    def __init__(self, max_sessions: int = 4096) -> None:
        self.max_sessions = max_sessions
        self._known: OrderedDict[tuple[str, str], _Known] = OrderedDict()
        self._lock = threading.Lock()
        self.tickets_checked = 0

    def __len__(self) -> int:
        return len(self._known)

    def open_task(
        self,
        wire: bytes | Envelope,
        *,
        recipient_for: Callable[[str], X25519PrivateKey],
        sender_verify: Ed25519PublicKey,
        expect_device_id: str,
        now: float | None = None,
        max_skew_s: float = 300,
    ) -> tuple[Header, KeyedSubTask]:
        """Check and decrypt one schema-3 task. `recipient_for(key_id)`: the pool's X25519 private key
        a ticket is sealed to (MisaddressedError if unknown). Refuses in the order of `open_envelope`
        (addressing, expiry, then the ticket, then the AEAD tag, then the payload) and raises only
        EnvelopeError subclasses for bad input; the replay guard is the caller's, as for other tasks."""
        env = parse_envelope(wire)
        header = env.header
        if not env.session_task:
            raise MisaddressedError(f"envelope {header.task_id} is not a session task: it opens with "
                                    "protocol.envelope.open_envelope")
        if header.device_id != expect_device_id:
            raise MisaddressedError(
                f"envelope {header.task_id} names device {header.device_id!r} but arrived for "
                f"{expect_device_id!r}: dropped; the sender published to the wrong topic")
        now = time.time() if now is None else now
        check_fresh(header, now, max_skew_s)
        assert env.ticket is not None  # a session task carries one (Envelope validation)
        slot = (header.device_id, header.session or "")
        with self._lock:
            known = self._known.get(slot)
            if known is not None:
                self._known.move_to_end(slot)
        # the ticket must be the one the header names: hashed on first sight; once its session is
        # cached, comparing the text with the checked ticket's is the same test without the hash
        if (session_id(env.ticket) != header.session if known is None else env.ticket != known.ticket):
            raise MisaddressedError(f"task {header.task_id} names session {header.session} but carries another "
                                    "ticket: dropped; it was edited in transit")
        if known is None:
            known = self._check_ticket(slot, header, env, recipient_for, sender_verify, now, max_skew_s)
        recipient_for(known.key_id)  # the pool key must still be ours (a rotation's overlap may have ended)
        if header.key_id != known.key_id:
            raise MisaddressedError(f"task {header.task_id} names pool key {header.key_id}, its session's ticket "
                                    f"is sealed to {known.key_id}: dropped")
        if now > known.expires_at:
            raise ExpiredError(f"task {header.task_id}'s session expired {now - known.expires_at:.0f} s ago: "
                               "dropped; the device starts a new session for new tasks")
        raw = env.ciphertext_bytes()
        nonce, sealed = raw[:RESPONSE_NONCE_BYTES], raw[RESPONSE_NONCE_BYTES:]
        try:
            plaintext = known.aead.decrypt(nonce, sealed, AAD_PREFIX + canonical_header(header))
        except InvalidTag as exc:
            raise DecryptError(f"task {header.task_id} does not authenticate under its session's key: dropped; "
                               "it was tampered with or forged") from exc
        try:
            payload = KeyedSubTask.model_validate_json(plaintext)
        except ValidationError as exc:
            raise MalformedEnvelope(
                f"task {header.task_id} decrypted but is not a valid KeyedSubTask ({schema_problems(exc)}): "
                "dropped; sender and receiver disagree on the schema version") from exc
        return header, payload

    def _check_ticket(self, slot: tuple[str, str], header: Header, env: Envelope,
                      recipient_for: Callable[[str], X25519PrivateKey], sender_verify: Ed25519PublicKey,
                      now: float, max_skew_s: float) -> _Known:
        """First task of this session here: the ticket's full check, once (outside the lock: it is
        the slow part); only a ticket that passes enters the cache."""
        ticket_env = parse_envelope(env.ticket_bytes())  # canonical base64: checked when the task was parsed
        if ticket_env.header.kind != "session":
            raise MisaddressedError(f"task {header.task_id} carries a {ticket_env.header.kind!r} envelope as "
                                    "its ticket: dropped")
        _, key = open_envelope(ticket_env, recipient=recipient_for(ticket_env.header.key_id),
                               sender_verify=sender_verify, payload_type=SessionKey,
                               expect_device_id=header.device_id, now=now, max_skew_s=max_skew_s)
        known = _Known(aead=ChaCha20Poly1305(key.key_bytes()), key_id=ticket_env.header.key_id,
                       expires_at=ticket_env.header.expires_at, ticket=env.ticket or "")
        with self._lock:
            self.tickets_checked += 1
            self._known[slot] = known
            while len(self._known) > self.max_sessions:
                self._known.popitem(last=False)
        return known
