"""Whatever arrives on the wire, the receiver raises only EnvelopeError subclasses (or succeeds)."""

from __future__ import annotations

import base64
import json

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from protocol.envelope import make_header, open_envelope, peek_header, seal
from protocol.errors import EnvelopeError
from protocol.messages import SubTask

# Module-level keys: hypothesis must not share function-scoped fixtures across examples.
POOL_X = X25519PrivateKey.generate()
DEV_ED = Ed25519PrivateKey.generate()
NOW = 1_700_000_000.0
HEADER = make_header("task", "dev1", POOL_X.public_key(), ttl_s=600, now=NOW)
VALID = seal(HEADER, SubTask(prompt="fuzz me", system="s"), POOL_X.public_key(), DEV_ED)
FUZZ = settings(max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


def _receive(wire: bytes) -> None:
    """Both entry points; succeeding is fine, any non-EnvelopeError escapes and fails the test."""
    try:
        peek_header(wire)
    except EnvelopeError:
        pass
    try:
        open_envelope(
            wire, recipient=POOL_X, sender_verify=DEV_ED.public_key(), payload_type=SubTask, now=NOW
        )
    except EnvelopeError:
        pass


def test_valid_envelope_opens():
    assert (
        open_envelope(
            VALID, recipient=POOL_X, sender_verify=DEV_ED.public_key(), payload_type=SubTask, now=NOW
        )[1].prompt
        == "fuzz me"
    )


@FUZZ
@given(st.binary(max_size=2048))
def test_arbitrary_bytes(wire):
    _receive(wire)


@FUZZ
@given(st.text(max_size=512))
def test_arbitrary_text(text):
    _receive(text.encode("utf-8", "surrogatepass"))


@FUZZ
@given(st.data())
def test_byte_mutations_of_a_valid_envelope(data):
    wire = bytearray(VALID)
    for _ in range(data.draw(st.integers(1, 4))):
        op = data.draw(st.sampled_from(["flip", "set", "insert", "delete", "truncate"]))
        i = data.draw(st.integers(0, max(len(wire) - 1, 0)))
        if op == "flip" and wire:
            wire[i] ^= 1 << data.draw(st.integers(0, 7))
        elif op == "set" and wire:
            wire[i] = data.draw(st.integers(0, 255))
        elif op == "insert":
            wire[i:i] = data.draw(st.binary(min_size=1, max_size=8))
        elif op == "delete":
            del wire[i : i + data.draw(st.integers(1, 8))]
        elif op == "truncate":
            del wire[i:]
    _receive(bytes(wire))


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40),
    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=10), kids, max_size=4),
    max_leaves=10,
)
PATHS = [("schema_version",), ("ciphertext",), ("signature",), ("header",)] + [
    ("header", k) for k in json.loads(VALID)["header"]
]


@FUZZ
@given(st.sampled_from(PATHS), JSON | st.just("__delete__"))
def test_json_field_mutations_of_a_valid_envelope(path, value):
    doc = json.loads(VALID)
    target = doc
    for key in path[:-1]:
        target = target[key]
    if value == "__delete__":
        target.pop(path[-1])
    else:
        target[path[-1]] = value
    _receive(json.dumps(doc, allow_nan=True).encode())


@FUZZ
@given(st.binary(min_size=0, max_size=200), st.binary(min_size=0, max_size=80))
def test_well_formed_envelopes_with_random_crypto_fields(ciphertext, signature):
    doc = json.loads(VALID)
    doc["ciphertext"] = base64.b64encode(ciphertext).decode()
    doc["signature"] = base64.b64encode(signature).decode()
    _receive(json.dumps(doc).encode())


# -- schema 2: keyed tasks and response-key results ------------------------------------------------

from protocol.messages import KeyedSubTask, TaskResult
from protocol.response import new_response_key, open_result, result_header, seal_result, seal_task

KEY = new_response_key()
KEYED_HEADER = make_header("task", "dev1", POOL_X.public_key(), ttl_s=600, now=NOW, result_mode="response-key")
KEYED = seal_task(KEYED_HEADER, SubTask(prompt="fuzz me"), KEY, POOL_X.public_key(), DEV_ED)
RESULT = seal_result(result_header(KEYED_HEADER, KEY, ttl_s=600, now=NOW),
                     TaskResult(task_id=KEYED_HEADER.task_id, text="ok", model="m", backend="b", tokens=1), KEY)


def _receive_v2(wire: bytes) -> None:
    """The worker's and the device's schema-2 entry points; only EnvelopeError may escape."""
    for fn in (
        lambda: open_envelope(wire, recipient=POOL_X, sender_verify=DEV_ED.public_key(), payload_type=KeyedSubTask,
                              now=NOW),
        lambda: open_result(wire, response_key=KEY, expect_device_id="dev1", now=NOW),
    ):
        try:
            fn()
        except EnvelopeError:
            pass


def test_valid_schema_2_envelopes_open():
    assert open_envelope(KEYED, recipient=POOL_X, sender_verify=DEV_ED.public_key(), payload_type=KeyedSubTask,
                         now=NOW)[1].key_bytes() == KEY
    assert open_result(RESULT, response_key=KEY, expect_device_id="dev1", now=NOW)[1].text == "ok"


def _flip_or_cut(valid: bytes, data) -> bytes:
    """1-4 random bit flips or short deletions of `valid`."""
    wire = bytearray(valid)
    for _ in range(data.draw(st.integers(1, 4))):
        i = data.draw(st.integers(0, len(wire) - 1))
        if data.draw(st.booleans()):
            wire[i] ^= 1 << data.draw(st.integers(0, 7))
        else:
            del wire[i : i + data.draw(st.integers(1, 8))]
    return bytes(wire)


def _set_field(valid: bytes, path: tuple[str, ...], value) -> bytes:
    """`valid` with the JSON field at `path` set to `value` (or deleted for "__delete__")."""
    doc = json.loads(valid)
    target = doc
    for key in path[:-1]:
        target = target[key]
    if value == "__delete__":
        target.pop(path[-1], None)
    else:
        target[path[-1]] = value
    return json.dumps(doc, allow_nan=True).encode()


@FUZZ
@given(st.sampled_from([KEYED, RESULT]), st.data())
def test_byte_mutations_of_schema_2_envelopes(valid, data):
    _receive_v2(_flip_or_cut(valid, data))


@FUZZ
@given(st.sampled_from([KEYED, RESULT]), st.sampled_from(
    [("schema_version",), ("ciphertext",), ("signature",)] + [("header", k) for k in json.loads(RESULT)["header"]]),
    JSON | st.just("__delete__"))
def test_json_field_mutations_of_schema_2_envelopes(valid, path, value):
    _receive_v2(_set_field(valid, path, value))


# -- parsers added with the spool and the key lifecycle (issue 5) ------------------------------------

from device.errors import SpoolCorrupt
from device.spool import SpoolRecord
from protocol.errors import KeyStoreError
from protocol.keyfiles import parse_overlap, parse_private_key
from protocol.keys import PublicKeys

ROW_VALUE = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40) | st.binary(max_size=64)


@FUZZ
@given(st.lists(ROW_VALUE, min_size=0, max_size=8))
def test_spool_rows_of_any_shape(row):
    try:
        SpoolRecord.from_row(tuple(row))
    except SpoolCorrupt:
        pass


@FUZZ
@given(st.data())
def test_spool_rows_with_mutated_wire(data):
    wire = bytearray(VALID)
    i = data.draw(st.integers(0, len(wire) - 1))
    wire[i] ^= 1 << data.draw(st.integers(0, 7))
    row = (HEADER.task_id, bytes(wire), HEADER.key_id, NOW, HEADER.expires_at, data.draw(st.integers(-2, 5)))
    try:
        SpoolRecord.from_row(row)
    except SpoolCorrupt:
        pass


@FUZZ
@given(st.text(max_size=300) | JSON.map(lambda v: json.dumps(v)))
def test_key_files_of_any_content(text):
    for parse in (lambda t: PublicKeys.from_json(t), lambda t: parse_private_key(t, "x25519"),
                  lambda t: parse_private_key(t, "ed25519"), lambda t: parse_overlap(t)):
        try:
            parse(text)
        except KeyStoreError:
            pass


@FUZZ
@given(st.sampled_from(["ed25519", "x25519", "key_id", "schema_version"]), JSON | st.just("__delete__"))
def test_public_key_file_field_mutations(field, value):
    doc = json.loads(PublicKeys(DEV_ED.public_key(), POOL_X.public_key()).to_json())
    if value == "__delete__":
        doc.pop(field)
    else:
        doc[field] = value
    try:
        PublicKeys.from_json(json.dumps(doc, allow_nan=True))
    except KeyStoreError:
        pass


# -- session tasks (schema 3): the worker's entry point, cached session or not ---------------------

from protocol.session import SessionCache, SessionSealer

_SEALER = SessionSealer("dev1", DEV_ED)
_POOL_PUB = PublicKeys(Ed25519PrivateKey.generate().public_key(), POOL_X.public_key())
SESSION_TASK = _SEALER.seal_task(SubTask(prompt="fuzz me"), KEY, _POOL_PUB, ttl_s=600, now=NOW)[1]
_WARM = SessionCache()  # holds the session's key, as a worker does after its first task


def _receive_v3(wire: bytes) -> None:
    for cache in (_WARM, SessionCache()):
        try:
            cache.open_task(wire, recipient_for=lambda _: POOL_X, sender_verify=DEV_ED.public_key(),
                            expect_device_id="dev1", now=NOW)
        except EnvelopeError:
            pass


def test_valid_session_task_opens():
    header, payload = _WARM.open_task(SESSION_TASK, recipient_for=lambda _: POOL_X,
                                      sender_verify=DEV_ED.public_key(), expect_device_id="dev1", now=NOW)
    assert header.schema_version == 3 and payload.key_bytes() == KEY and len(_WARM) == 1


@FUZZ
@given(st.data())
def test_byte_mutations_of_session_tasks(data):
    _receive_v3(_flip_or_cut(SESSION_TASK, data))


@FUZZ
@given(st.sampled_from([("schema_version",), ("ciphertext",), ("ticket",), ("signature",)]
                       + [("header", k) for k in json.loads(SESSION_TASK)["header"]]),
       JSON | st.just("__delete__"))
def test_json_field_mutations_of_session_tasks(path, value):
    _receive_v3(_set_field(SESSION_TASK, path, value))
