"""Schema 3: session tasks, a signed ticket checked once per session, then one AEAD per task."""

from __future__ import annotations

import base64
import json
import time

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pydantic import ValidationError

from protocol.envelope import open_envelope, parse_envelope
from protocol.errors import (
    DecryptError,
    ExpiredError,
    MalformedEnvelope,
    MisaddressedError,
    ProtocolError,
    SignatureError,
)
from protocol.messages import Envelope, KeyedSubTask, SubTask
from protocol.response import new_response_key
from protocol.session import SessionCache, SessionSealer, session_id

SECRET = "escalate this 0000-SECRET-TASK"


def _open(cache: SessionCache, store, wire: bytes, *, device: str = "dev1", now: float | None = None):
    # recipient_for(key_id) as the worker passes it: the pool's private X25519 key for that id
    return cache.open_task(wire, recipient_for=lambda kid: store.pool.pair_for(kid)[1],
                           sender_verify=store.pool.device(device).ed25519, expect_device_id=device, now=now)


def _seal(sealer: SessionSealer, store, prompt: str = SECRET, *, ttl_s: float = 60, now: float | None = None):
    key = new_response_key()
    header, wire = sealer.seal_task(SubTask(prompt=prompt), key, store.dev1.pool, ttl_s=ttl_s, now=now)
    return header, wire, key


def _rewrite(wire: bytes, edit) -> bytes:
    doc = json.loads(wire)
    edit(doc)
    return json.dumps(doc, separators=(",", ":")).encode()


def test_a_session_is_signed_once_and_its_tasks_open_with_one_aead(store):
    sealer, cache = SessionSealer("dev1", store.dev1.ed25519), SessionCache()
    opened = []
    for i in range(5):
        header, wire, key = _seal(sealer, store, f"{SECRET} {i}")
        assert SECRET.encode() not in wire and base64.b64encode(key) not in wire
        got_header, payload = _open(cache, store, wire)
        assert isinstance(payload, KeyedSubTask) and payload.key_bytes() == key
        assert got_header == header and header.schema_version == 3 and header.result_mode == "response-key"
        opened.append(payload.task.prompt)
    assert opened == [f"{SECRET} {i}" for i in range(5)]
    assert sealer.sessions_started == 1 and cache.tickets_checked == 1 and len(cache) == 1
    doc = json.loads(wire)
    assert "signature" not in doc and header.session == session_id(doc["ticket"])


def test_a_second_worker_opens_any_task_of_the_session_without_state(store):
    sealer = SessionSealer("dev1", store.dev1.ed25519)
    wires = [_seal(sealer, store)[1] for _ in range(3)]
    assert _open(SessionCache(), store, wires[2])[1].task.prompt == SECRET
    assert _open(SessionCache(), store, wires[0])[1].task.prompt == SECRET


def test_a_ticket_signed_by_another_key_is_refused(store):
    rogue = SessionSealer("dev1", Ed25519PrivateKey.generate())
    with pytest.raises(SignatureError):
        _open(SessionCache(), store, _seal(rogue, store)[1])


@pytest.mark.parametrize("cached", [False, True])
def test_tampering_is_refused_with_or_without_the_session_cached(store, cached):
    sealer, cache = SessionSealer("dev1", store.dev1.ed25519), SessionCache()
    if cached:
        _open(cache, store, _seal(sealer, store)[1])
    _, wire, _ = _seal(sealer, store)

    def flip(doc):
        ct = bytearray(base64.b64decode(doc["ciphertext"]))
        ct[-1] ^= 1
        doc["ciphertext"] = base64.b64encode(bytes(ct)).decode()

    with pytest.raises(DecryptError):
        _open(cache, store, _rewrite(wire, flip))
    with pytest.raises(DecryptError):  # the header is the AEAD's associated data
        _open(cache, store, _rewrite(wire, lambda d: d["header"].update(seq=d["header"]["seq"] + 1)))
    other = _seal(SessionSealer("dev1", store.dev1.ed25519), store)[1]  # another genuine session's ticket
    with pytest.raises(MisaddressedError, match="carries another ticket"):
        _open(cache, store, _rewrite(wire, lambda d: d.update(ticket=json.loads(other)["ticket"])))
    with pytest.raises(MisaddressedError, match="pool key"):
        _open(cache, store, _rewrite(wire, lambda d: d["header"].update(key_id="0" * 16)))
    assert _open(cache, store, wire)[1].task.prompt == SECRET  # the genuine one still opens


def test_a_task_on_another_devices_topic_is_refused(store):
    wire = _seal(SessionSealer("dev1", store.dev1.ed25519), store)[1]
    with pytest.raises(MisaddressedError):
        _open(SessionCache(), store, wire, device="dev2")


def test_dev2_cannot_reuse_dev1s_ticket(store):
    """dev2 copies dev1's ticket into a task of its own: it cannot know the session key, and the
    ticket is checked against the topic's device."""
    sealer1, sealer2 = SessionSealer("dev1", store.dev1.ed25519), SessionSealer("dev2", store.dev2.ed25519)
    wire1 = _seal(sealer1, store)[1]
    key = new_response_key()
    _, wire2 = sealer2.seal_task(SubTask(prompt="x"), key, store.dev2.pool, ttl_s=60)
    ticket1 = json.loads(wire1)["ticket"]

    def swap(doc):
        doc["ticket"] = ticket1
        doc["header"]["session"] = session_id(ticket1)

    with pytest.raises(MisaddressedError):  # dev1's ticket names dev1
        _open(SessionCache(), store, _rewrite(wire2, swap), device="dev2")


def test_sessions_renew_before_a_task_could_outlive_its_ticket(store):
    sealer = SessionSealer("dev1", store.dev1.ed25519, ttl_s=600)
    now = time.time()
    first, _, _ = _seal(sealer, store, ttl_s=120, now=now)
    same, _, _ = _seal(sealer, store, ttl_s=120, now=now + 400)
    renewed, wire, _ = _seal(sealer, store, ttl_s=120, now=now + 500)  # 500 + 120 > 600
    assert first.session == same.session != renewed.session and sealer.sessions_started == 2
    assert _open(SessionCache(), store, wire, now=now + 560)[1].task.prompt == SECRET
    with pytest.raises(ProtocolError, match="outlives"):
        _seal(SessionSealer("dev1", store.dev1.ed25519, ttl_s=600), store, ttl_s=601, now=now)


def test_an_expired_task_or_session_is_refused(store):
    sealer = SessionSealer("dev1", store.dev1.ed25519, ttl_s=600)
    now = time.time()
    _, wire, _ = _seal(sealer, store, ttl_s=60, now=now)
    with pytest.raises(ExpiredError):
        _open(SessionCache(), store, wire, now=now + 61)


def test_the_cache_is_bounded(store):
    cache = SessionCache(max_sessions=2)
    for _ in range(3):
        _open(cache, store, _seal(SessionSealer("dev1", store.dev1.ed25519), store)[1])
    assert len(cache) == 2 and cache.tickets_checked == 3


def test_envelope_shapes_are_checked_before_any_crypto(store):
    wire = _seal(SessionSealer("dev1", store.dev1.ed25519), store)[1]
    with pytest.raises(MalformedEnvelope):  # a session task without its ticket
        parse_envelope(_rewrite(wire, lambda d: d.pop("ticket")))
    with pytest.raises(MalformedEnvelope):  # ...or with a signature of its own
        parse_envelope(_rewrite(wire, lambda d: d.update(signature=base64.b64encode(b"s" * 64).decode())))
    with pytest.raises(MisaddressedError, match="session task"):
        open_envelope(wire, recipient=store.pool.x25519, sender_verify=store.pool.device("dev1").ed25519,
                      payload_type=KeyedSubTask)
    doc = json.loads(wire)
    with pytest.raises(ValidationError):  # schema 3 is for tasks that name a session, and tickets
        Envelope.model_validate({**doc, "header": {**doc["header"], "session": None}})


def test_the_session_key_never_shows_in_reprs(store):
    sealer = SessionSealer("dev1", store.dev1.ed25519)
    session = sealer.session(store.dev1.pool, valid_until=time.time() + 60)
    assert session.key.hex() not in repr(session) and str(list(session.key)) not in repr(session)


def test_a_ticket_in_another_spelling_is_refused(store):
    """The header names the ticket by a hash of its text; a re-spelt ticket (non-canonical base64
    padding bits) that an attacker renames the session for is still refused, when the task is parsed."""
    # a ticket whose length leaves padding (its length varies with the numbers in its header)
    wire = next(w for w in (_seal(SessionSealer("dev1", store.dev1.ed25519), store)[1] for _ in range(50))
                if json.loads(w)["ticket"].endswith("="))
    ticket = json.loads(wire)["ticket"]
    body = ticket.rstrip("=")
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    respelt = body[:-1] + alphabet[alphabet.index(body[-1]) | 1] + ticket[len(body):]  # same bytes, other text
    assert respelt != ticket and base64.b64decode(respelt) == base64.b64decode(ticket)

    def swap(doc):
        doc["ticket"] = respelt
        doc["header"]["session"] = session_id(respelt)

    with pytest.raises(MalformedEnvelope, match="ticket: string_pattern_mismatch"):
        _open(SessionCache(), store, _rewrite(wire, swap))


def test_a_cached_session_under_a_retired_pool_key_is_refused(store):
    sealer, cache = SessionSealer("dev1", store.dev1.ed25519), SessionCache()
    _open(cache, store, _seal(sealer, store)[1])
    wire = _seal(sealer, store)[1]

    def retired(key_id: str):
        raise MisaddressedError(f"pool key {key_id} is no longer ours")

    with pytest.raises(MisaddressedError, match="no longer ours"):
        cache.open_task(wire, recipient_for=retired, sender_verify=store.pool.device("dev1").ed25519,
                        expect_device_id="dev1")

