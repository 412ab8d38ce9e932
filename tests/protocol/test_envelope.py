from __future__ import annotations

import base64
import json
import time

import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from pydantic import BaseModel, ConfigDict

from protocol.envelope import (
    SUITE,
    hpke_info,
    make_header,
    open_envelope,
    peek_header,
    seal,
    signed_bytes,
)
from protocol.errors import (
    DecryptError,
    EnvelopeError,
    ExpiredError,
    MalformedEnvelope,
    MisaddressedError,
    OversizedEnvelope,
    ProtocolError,
    ReplayError,
    SignatureError,
)
from protocol.keys import fingerprint
from protocol.messages import MAX_WIRE_BYTES, Envelope, Header, SubTask, TaskResult
from protocol.replay import ReplayGuard

SECRET = "the launch code is 0000-SECRET-PROMPT"


def _task_wire(store, *, prompt: str = SECRET, now: float | None = None, ttl_s: float = 60, **kw):
    header = make_header("task", "dev1", store.dev1.pool.x25519, ttl_s=ttl_s, now=now)
    return header, seal(header, SubTask(prompt=prompt, **kw), store.dev1.pool.x25519, store.dev1.ed25519)


def _open_task(store, wire: bytes, **kw):
    kw.setdefault("sender_verify", store.pool.device("dev1").ed25519)
    return open_envelope(wire, recipient=store.pool.x25519, payload_type=SubTask, **kw)


def _rewrite(wire: bytes, edit) -> bytes:
    doc = json.loads(wire)
    edit(doc)
    return json.dumps(doc, separators=(",", ":")).encode()


def test_task_round_trip(store):
    header, wire = _task_wire(store, system="be brief", max_tokens=64, temperature=0.5, part=1, parts=3)
    assert peek_header(wire) == header
    got_header, task = _open_task(store, wire, expect_device_id="dev1")
    assert got_header == header
    assert task == SubTask(prompt=SECRET, system="be brief", max_tokens=64, temperature=0.5, part=1, parts=3)


def test_result_round_trip(store):
    task_header, _ = _task_wire(store)
    header = make_header("result", "dev1", store.pool.device("dev1").x25519, task_id=task_header.task_id)
    result = TaskResult(
        task_id=task_header.task_id,
        text="answer",
        model="m",
        backend="b",
        tokens=3,
        timings_ms={"total": 12.5},
    )
    wire = seal(header, result, store.pool.device("dev1").x25519, store.pool.ed25519)
    got_header, got = open_envelope(
        wire,
        recipient=store.dev1.x25519,
        sender_verify=store.dev1.pool.ed25519,
        payload_type=TaskResult,
        expect_device_id="dev1",
    )
    assert (got_header, got) == (header, result)


def test_wire_is_compact_json_with_header_in_clear(store):
    header, wire = _task_wire(store)
    doc = json.loads(wire.decode("utf-8"))
    assert set(doc) == {"schema_version", "header", "ciphertext", "signature"}
    assert b" " not in wire
    assert Header.model_validate(doc["header"]) == header


def test_ciphertext_never_holds_the_prompt(store):
    _, wire = _task_wire(store)
    ciphertext = Envelope.model_validate_json(wire).ciphertext_bytes()
    plain = SECRET.encode()
    assert plain not in ciphertext and plain not in wire
    for shift in range(3):  # base64 of the prompt at each alignment
        chunk = base64.b64encode(plain[shift:])[:-4]
        assert chunk not in wire


def test_tampered_ciphertext_is_refused(store):
    _, wire = _task_wire(store)

    def flip(doc):
        raw = bytearray(base64.b64decode(doc["ciphertext"]))
        raw[-1] ^= 1
        doc["ciphertext"] = base64.b64encode(bytes(raw)).decode()

    with pytest.raises(SignatureError):
        _open_task(store, _rewrite(wire, flip))


def test_tampered_ciphertext_resigned_by_sender_fails_decryption(store):
    """Even the legitimate signer cannot alter a sealed payload: HPKE's tag catches it."""
    header, wire = _task_wire(store)
    raw = bytearray(Envelope.model_validate_json(wire).ciphertext_bytes())
    raw[40] ^= 0x80

    def resign(doc):
        doc["ciphertext"] = base64.b64encode(bytes(raw)).decode()
        doc["signature"] = base64.b64encode(
            store.dev1.ed25519.sign(signed_bytes(header, bytes(raw)))
        ).decode()

    with pytest.raises(DecryptError):
        _open_task(store, _rewrite(wire, resign))


@pytest.mark.parametrize(
    ("field", "value"),
    [("device_id", "dev2"), ("expires_at", None), ("seq", 1), ("task_id", "0" * 32), ("issued_at", 1.0)],
)
def test_tampered_header_field_breaks_signature(store, field, value):
    header, wire = _task_wire(store)
    if value is None:
        value = header.expires_at + 3600

    def edit(doc):
        doc["header"][field] = value

    with pytest.raises(SignatureError):
        _open_task(store, _rewrite(wire, edit))


def test_header_bound_to_ciphertext_through_hpke_info(store):
    """Decrypting with another header's info fails: the header is authenticated by HPKE too."""
    header, wire = _task_wire(store)
    ciphertext = Envelope.model_validate_json(wire).ciphertext_bytes()
    other = header.model_copy(update={"seq": header.seq + 1})
    assert SUITE.decrypt(ciphertext, store.pool.x25519, info=hpke_info(header))
    with pytest.raises(InvalidTag):
        SUITE.decrypt(ciphertext, store.pool.x25519, info=hpke_info(other))


def test_wrong_recipient_key_is_misaddressed(store):
    _, wire = _task_wire(store)
    with pytest.raises(MisaddressedError, match="encrypted to key"):
        open_envelope(
            wire, recipient=store.dev2.x25519, sender_verify=store.dev1.public.ed25519, payload_type=SubTask
        )


def test_forged_key_id_fails_decryption(store):
    """Sealed to another key but labelled with ours: passes addressing, fails HPKE open."""
    stranger = X25519PrivateKey.generate().public_key()
    header = make_header("task", "dev1", store.pool.public.x25519)
    ciphertext = SUITE.encrypt(
        SubTask(prompt=SECRET).model_dump_json().encode(), stranger, info=hpke_info(header)
    )
    wire = Envelope(
        header=header,
        ciphertext=base64.b64encode(ciphertext).decode(),
        signature=base64.b64encode(store.dev1.ed25519.sign(signed_bytes(header, ciphertext))).decode(),
    ).to_wire()
    with pytest.raises(DecryptError):
        _open_task(store, wire)


def test_signature_by_another_device_is_refused(store):
    header = make_header("task", "dev1", store.dev2.pool.x25519)
    wire = seal(header, SubTask(prompt="x"), store.dev2.pool.x25519, store.dev2.ed25519)
    # The worker looks the verify key up by the header's device id, as the cloud does.
    with pytest.raises(SignatureError):
        _open_task(store, wire, sender_verify=store.pool.device(peek_header(wire).device_id).ed25519)


def test_random_signing_key_is_refused(store):
    header = make_header("task", "dev1", store.dev1.pool.x25519)
    wire = seal(header, SubTask(prompt="x"), store.dev1.pool.x25519, Ed25519PrivateKey.generate())
    with pytest.raises(SignatureError):
        _open_task(store, wire)


def test_expired_envelope_is_refused(store):
    _, wire = _task_wire(store, now=1000.0, ttl_s=60)
    assert _open_task(store, wire, now=1060.0)[1].prompt == SECRET
    with pytest.raises(ExpiredError, match="expired"):
        _open_task(store, wire, now=1060.5)


def test_issued_too_far_in_future_is_refused(store):
    _, wire = _task_wire(store, now=10_000.0, ttl_s=3600)
    assert _open_task(store, wire, now=10_000.0 - 299, max_skew_s=300)[1].prompt == SECRET
    with pytest.raises(ExpiredError, match="future"):
        _open_task(store, wire, now=10_000.0 - 301, max_skew_s=300)


def test_default_now_is_wall_clock(store):
    _, wire = _task_wire(store, now=time.time() - 120, ttl_s=60)
    with pytest.raises(ExpiredError):
        _open_task(store, wire)


def test_replayed_task_id_is_refused(store):
    _, wire = _task_wire(store)
    guard = ReplayGuard()
    _open_task(store, wire, guard=guard)
    with pytest.raises(ReplayError, match="already received"):
        _open_task(store, wire, guard=guard)


def test_forged_envelope_does_not_enter_the_replay_guard(store):
    _, wire = _task_wire(store)
    guard = ReplayGuard()

    def forge(doc):
        doc["signature"] = base64.b64encode(b"\0" * 64).decode()

    with pytest.raises(SignatureError):
        _open_task(store, _rewrite(wire, forge), guard=guard)
    assert len(guard) == 0
    _open_task(store, wire, guard=guard)


def test_wrong_kind_is_misaddressed(store):
    _, wire = _task_wire(store)
    with pytest.raises(MisaddressedError, match="expected 'result'"):
        open_envelope(
            wire,
            recipient=store.pool.x25519,
            sender_verify=store.dev1.public.ed25519,
            payload_type=TaskResult,
        )


def test_device_id_other_than_expected_is_misaddressed(store):
    _, wire = _task_wire(store)
    with pytest.raises(MisaddressedError, match="arrived for 'dev2'"):
        _open_task(store, wire, expect_device_id="dev2")


def test_result_for_another_task_is_misaddressed(store):
    device_pub = store.pool.device("dev1")
    header = make_header("result", "dev1", device_pub.x25519)
    result = TaskResult(task_id="f" * 32, text="", model="m", backend="b", tokens=0)
    wire = seal(header, result, device_pub.x25519, store.pool.ed25519)
    with pytest.raises(MisaddressedError, match="payload for task"):
        open_envelope(
            wire, recipient=store.dev1.x25519, sender_verify=store.dev1.pool.ed25519, payload_type=TaskResult
        )


def test_oversized_is_refused_before_parsing():
    wire = b"{" + b" " * MAX_WIRE_BYTES + b"}"
    with pytest.raises(OversizedEnvelope):
        peek_header(wire)


def test_oversized_open(store):
    with pytest.raises(OversizedEnvelope):
        _open_task(store, b"\xff" * (MAX_WIRE_BYTES + 1))


def test_seal_refuses_to_build_an_oversized_envelope(store):
    # 32k NUL characters become 6-byte JSON escapes: within the prompt limit, over the wire limit.
    with pytest.raises(OversizedEnvelope, match="split"):
        _task_wire(store, prompt="\0" * 32 * 1024)


def test_invalid_utf8_is_malformed(store):
    _, wire = _task_wire(store)
    bad = wire.replace(b'"dev1"', b'"dev\xff"', 1)
    with pytest.raises(MalformedEnvelope, match="UTF-8"):
        peek_header(bad)
    with pytest.raises(MalformedEnvelope, match="UTF-8"):
        _open_task(store, bad)


@pytest.mark.parametrize(
    "edit",
    [
        lambda d: d.update(extra=1),
        lambda d: d.update(schema_version=2),
        lambda d: d["header"].update(schema_version=2),
        lambda d: d["header"].update(seq="5"),
        lambda d: d["header"].update(device_id="../etc"),
        lambda d: d.update(ciphertext=d["ciphertext"][:-2] + "!!"),
        lambda d: d.update(signature=d["signature"][:-4]),
        lambda d: d.update(ciphertext=base64.b64encode(b"short").decode()),
        lambda d: d.pop("signature"),
    ],
)
def test_schema_violations_are_malformed(store, edit):
    _, wire = _task_wire(store)
    with pytest.raises(MalformedEnvelope):
        peek_header(_rewrite(wire, edit))


def test_non_canonical_base64_is_malformed(store):
    _, wire = _task_wire(store)
    sig = json.loads(wire)["signature"]  # 64 bytes -> ends "==", last data char has 4 spare bits
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    last = alphabet[alphabet.index(sig[-3]) ^ 1]
    bad = _rewrite(wire, lambda d: d.update(signature=sig[:-3] + last + "=="))
    assert base64.b64decode(json.loads(bad)["signature"]) == base64.b64decode(sig)
    with pytest.raises(MalformedEnvelope):
        peek_header(bad)


@pytest.mark.parametrize("wire", [b"", b"null", b"[]", b"{", b'"x"', b"{}", "é".encode("latin-1")])
def test_junk_is_malformed(wire):
    with pytest.raises(MalformedEnvelope):
        peek_header(wire)


def test_payload_schema_error_does_not_leak_plaintext(store):
    class Sneaky(BaseModel):
        model_config = ConfigDict(extra="forbid", frozen=True)
        prompt: str
        smuggled: str

    header = make_header("task", "dev1", store.dev1.pool.x25519)
    wire = seal(header, Sneaky(prompt=SECRET, smuggled=SECRET), store.dev1.pool.x25519, store.dev1.ed25519)
    with pytest.raises(MalformedEnvelope) as info:
        _open_task(store, wire)
    texts = [str(info.value), repr(info.value), str(info.value.__cause__)]
    assert "smuggled" in texts[0]
    assert all(SECRET not in t and "SECRET" not in t for t in texts)


def test_error_messages_never_hold_the_prompt(store):
    _, wire = _task_wire(store, now=0.0, ttl_s=1)
    with pytest.raises(EnvelopeError) as info:
        _open_task(store, wire)
    assert SECRET not in str(info.value)


def test_seal_refuses_header_for_another_recipient(store):
    header = make_header("task", "dev1", store.dev2.public.x25519)
    with pytest.raises(ProtocolError, match="key_id"):
        seal(header, SubTask(prompt="x"), store.dev1.pool.x25519, store.dev1.ed25519)


def test_seal_refuses_payload_of_the_wrong_kind(store):
    header = make_header("result", "dev1", store.dev1.pool.x25519)
    with pytest.raises(ProtocolError, match="kind"):
        seal(header, SubTask(prompt="x"), store.dev1.pool.x25519, store.dev1.ed25519)


def test_key_id_is_recipient_fingerprint(store):
    header, _ = _task_wire(store)
    assert header.key_id == fingerprint(store.pool.x25519.public_key()) == store.pool.public.key_id
