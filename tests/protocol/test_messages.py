from __future__ import annotations

import base64
from typing import Annotated

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import Field, TypeAdapter, ValidationError

from protocol import errors
from protocol.messages import (
    B64_PATTERN,
    KEY_B64_PATTERN,
    MIN_TICKET_BYTES,
    RESPONSE_OVERHEAD,
    SIGNATURE_B64_PATTERN,
    Header,
    SubTask,
    TaskResult,
    b64_chars,
)

GOOD = {
    "kind": "task",
    "device_id": "dev1",
    "task_id": "a" * 32,
    "seq": 0,
    "issued_at": 1.0,
    "expires_at": 2.0,
    "key_id": "b" * 16,
}


def test_error_tree():
    for cls in (
        errors.MalformedEnvelope,
        errors.OversizedEnvelope,
        errors.SignatureError,
        errors.DecryptError,
        errors.ReplayError,
        errors.ExpiredError,
        errors.MisaddressedError,
    ):
        assert issubclass(cls, errors.EnvelopeError)
    assert issubclass(errors.EnvelopeError, errors.ProtocolError)
    assert issubclass(errors.KeyStoreError, errors.ProtocolError)
    assert not issubclass(errors.KeyStoreError, errors.EnvelopeError)
    assert issubclass(errors.ProtocolError, errors.TandemError)


def test_header_accepts_good_values():
    assert Header(**GOOD).schema_version == 1


@pytest.mark.parametrize(
    "change",
    [
        {"kind": "other"},
        {"device_id": "a/b"},
        {"task_id": "A" * 32},
        {"task_id": "a" * 31},
        {"seq": -1},
        {"seq": True},
        {"expires_at": 1.0},
        {"key_id": "b" * 15},
        {"issued_at": float("nan")},
        {"schema_version": 3},
        {"result_mode": "response-key"},  # schema 1 has no result modes
        {"schema_version": 2, "result_mode": "other"},
        {"extra": 1},
    ],
)
def test_header_refuses_bad_values(change):
    with pytest.raises(ValidationError):
        Header(**{**GOOD, **change})


def test_models_are_frozen():
    with pytest.raises(ValidationError):
        Header(**GOOD).seq = 5  # type: ignore[misc]


@pytest.mark.parametrize(
    "kw",
    [
        {"prompt": "x" * (32 * 1024 + 1)},
        {"prompt": "x", "max_tokens": 0},
        {"prompt": "x", "max_tokens": 4097},
        {"prompt": "x", "temperature": 2.1},
        {"prompt": "x", "part": 2, "parts": 2},
        {"prompt": "x", "parts": 0},
    ],
)
def test_subtask_limits(kw):
    with pytest.raises(ValidationError):
        SubTask(**kw)


def test_payload_errors_hide_their_input():
    with pytest.raises(ValidationError) as info:
        SubTask(prompt="TOPSECRET", max_tokens=0, nope="TOPSECRET")
    assert "TOPSECRET" not in str(info.value)


def test_task_result_defaults():
    r = TaskResult(task_id="c" * 32, text="t", model="m", backend="b", tokens=1)
    assert r.timings_ms == {} and r.error is None


_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def _canonical_b64(text: str, n_bytes: int, exact: bool) -> bool:
    """Reference: standard base64 that decodes to (at least) `n_bytes` and re-encodes to itself."""
    try:
        raw = base64.b64decode(text, validate=True)
    except ValueError:
        return False
    return base64.b64encode(raw).decode() == text and (len(raw) == n_bytes if exact else len(raw) >= n_bytes)


_B64_FIELDS = [(KEY_B64_PATTERN, 0, 32, True), (SIGNATURE_B64_PATTERN, 0, 64, True),
               (B64_PATTERN, b64_chars(RESPONSE_OVERHEAD), RESPONSE_OVERHEAD, False),
               (B64_PATTERN, b64_chars(MIN_TICKET_BYTES), MIN_TICKET_BYTES, False)]
_ADAPTERS = [(TypeAdapter(Annotated[str, Field(pattern=p, min_length=m)]), n, exact) for p, m, n, exact in _B64_FIELDS]


@settings(max_examples=500, deadline=None)
@given(raw=st.one_of(st.binary(max_size=100), st.sampled_from([28, 32, 63, 64, 65]).flatmap(
           lambda n: st.binary(min_size=n, max_size=n))),
       edit=st.integers(0, 200), char=st.sampled_from(_ALPHABET + "=-_ \n"),
       mode=st.sampled_from(["keep", "replace", "append", "strip", "respell"]))
def test_base64_fields_accept_exactly_canonical_base64(raw: bytes, edit: int, char: str, mode: str) -> None:
    """pydantic-core checks the wire's base64 fields with these patterns while it parses: each must
    accept exactly the canonical base64 of the right length, as a decode + re-encode check would."""
    text = base64.b64encode(raw).decode()
    if mode == "replace" and text:
        i = edit % len(text)
        text = text[:i] + char + text[i + 1:]
    elif mode == "append":
        text += char
    elif mode == "strip":
        text = text.rstrip("=")
    elif mode == "respell" and text.endswith("="):  # same bytes, a padding bit set: not canonical
        body = text.rstrip("=")
        text = body[:-1] + _ALPHABET[_ALPHABET.index(body[-1]) | 1] + text[len(body):]
    for adapter, n_bytes, exact in _ADAPTERS:
        try:
            adapter.validate_python(text)
            accepted = True
        except ValidationError:
            accepted = False
        assert accepted == _canonical_b64(text, n_bytes, exact), (text, n_bytes, exact)
