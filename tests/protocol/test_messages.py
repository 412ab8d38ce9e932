from __future__ import annotations

import pytest
from pydantic import ValidationError

from protocol import errors
from protocol.messages import Header, SubTask, TaskResult

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
