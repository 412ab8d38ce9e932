"""Errors of the wire protocol, and the root of every tandem error.

    TandemError(Exception)          root of every tandem error (device, cloud, quantize subclass it)
     └─ ProtocolError               the wire protocol was misused or refused a message
         ├─ EnvelopeError           any reason an incoming envelope is refused
         │   ├─ MalformedEnvelope   bad JSON, invalid UTF-8, schema violation, bad base64
         │   │   └─ InvalidResult   a result that authenticates under its task's key but whose payload
         │   │                      does not fit `TaskResult` (e.g. an oversized tool call): the task
         │   │                      it answers fails at once instead of waiting for another result
         │   ├─ OversizedEnvelope   larger than MAX_WIRE_BYTES
         │   ├─ SignatureError      the Ed25519 signature does not verify for the expected sender
         │   ├─ DecryptError        HPKE open failed: wrong key or tampered ciphertext
         │   ├─ ReplayError         task id already seen, or sequence below the forgotten range
         │   ├─ ExpiredError        expires_at passed, or issued_at too far in the future (clock skew)
         │   └─ MisaddressedError   key_id not ours, device_id not the expected one, wrong kind
         └─ KeyStoreError           missing or unreadable key file, bad permissions, unknown device,
                                    no pinned pool key

Each message says what happened and what to do next. None holds a plaintext payload: an envelope
refused after decryption reports field names and error types, never values.
"""

from __future__ import annotations

__all__ = [
    "DecryptError",
    "EnvelopeError",
    "ExpiredError",
    "InvalidResult",
    "KeyStoreError",
    "MalformedEnvelope",
    "MisaddressedError",
    "OversizedEnvelope",
    "ProtocolError",
    "ReplayError",
    "SignatureError",
    "TandemError",
]


class TandemError(Exception):
    """Root of every tandem error; catch this to handle anything tandem raises on purpose."""


class ProtocolError(TandemError):
    pass


class EnvelopeError(ProtocolError):
    """An incoming envelope was refused; the receiver drops it and goes on."""


class MalformedEnvelope(EnvelopeError):
    pass


class InvalidResult(MalformedEnvelope):
    """Authenticated (it opened under the task's response key) yet not a valid `TaskResult`.
    `task_id` is the task it answers, so the receiver can fail that task with this message."""

    def __init__(self, message: str, task_id: str) -> None:
        super().__init__(message)
        self.task_id = task_id


class OversizedEnvelope(EnvelopeError):
    pass


class SignatureError(EnvelopeError):
    pass


class DecryptError(EnvelopeError):
    pass


class ReplayError(EnvelopeError):
    pass


class ExpiredError(EnvelopeError):
    pass


class MisaddressedError(EnvelopeError):
    pass


class KeyStoreError(ProtocolError):
    pass
