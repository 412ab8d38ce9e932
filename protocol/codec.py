"""Encodings that several protocol modules share: base64 for the wire and the key files, and a
summary of schema errors that never carries a value.

Envelopes, response-key results and session tasks all carry binary fields as standard base64
(`b64`); key files hold raw 32-byte keys the same way (`b64decode_32`). A payload or key file that
fails its schema is reported by `schema_problems`: field paths and error types only, because the
values may be secret (a decrypted payload, a private key) or huge (untrusted wire input).
"""

from __future__ import annotations

import base64
import binascii

from pydantic import ValidationError

__all__ = ["b64", "b64decode_32", "schema_problems"]


def b64(raw: bytes) -> str:
    """Standard, padded base64 of `raw` as text (what every binary field on the wire holds)."""
    return base64.b64encode(raw).decode("ascii")


def b64decode_32(value: str, what: str) -> bytes:
    """The 32 raw bytes of a key written in standard base64; ValueError naming `what` otherwise
    (never the value: it may be a private key)."""
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError(f"{what} is not valid base64") from exc
    if len(raw) != 32:
        raise ValueError(f"{what} is {len(raw)} bytes, expected 32")
    return raw


def schema_problems(exc: ValidationError) -> str:
    """Field paths and error types only: values may be secret (payloads) or huge (wire input)."""
    parts = []
    for err in exc.errors(include_url=False, include_input=False, include_context=False)[:5]:
        loc = ".".join(str(p) for p in err["loc"]) or "<root>"
        parts.append(f"{loc}: {err['type']}")
    more = exc.error_count() - len(parts)
    return "; ".join(parts) + (f" (+{more} more)" if more > 0 else "")
