"""What local programs send to `tandem serve` and what they get back (socket and MQTT alike)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from device.collab.steps import Force


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    schema_version: Literal[1] = 1
    text: str = Field(min_length=1, max_length=32_000)
    system: str | None = Field(default=None, max_length=32_000)
    """A system prompt for this request (redacted like `text`)."""
    force: Force | None = None
    id: str | None = Field(default=None, max_length=200)
    """Echoed in the reply: the correlation id of the JSON fallback (and of socket clients)."""
    reply_to: str | None = Field(default=None, max_length=500)
    """MQTT 3.1.1 fallback: where to publish the reply (MQTT 5 clients set a response topic)."""
    conversation: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_-]{1,64}$")
    """Continue this named conversation: its vault (placeholders <-> values) and its turns stay on the
    device, encrypted, between requests until they expire, and a follow-up ("and of Canada?") is read
    against the turns before it. None: the request is a conversation of its own (not kept)."""
    confirm_sensitive: bool = False
    """The caller approves in advance what the `ask` sensitive-context policy would ask about: a redacted
    copy of a request that discloses sensitive context may escalate."""
    confirm_acts: bool = False
    """The caller approves in advance acts the tool policy wants confirmed (unlocking, opening a garage)."""
    dry_run: bool = False
    """Tools show their calls and act on nothing."""


class AskReply(BaseModel):
    model_config = ConfigDict(extra="forbid")

    schema_version: Literal[1] = 1
    id: str | None = None
    ok: bool
    error: str | None = None
    answer: str | None = None
    route: str | None = None
    sent: list[dict[str, Any]] = Field(default_factory=list)
    timings_ms: dict[str, float] = Field(default_factory=dict)
    parts: list[dict[str, Any]] = Field(default_factory=list)
    notices: list[str] = Field(default_factory=list)
    tool_calls: list[dict[str, Any]] = Field(default_factory=list)
    sensitive: list[str] = Field(default_factory=list)
    conversation: str | None = None
    code: str | None = None
    """Why a request was refused at once, when it may be tried again: "busy" or "rate_limited"."""
    retry_after_s: float | None = None

    @classmethod
    def failure(cls, error: str, request_id: str | None = None, *, code: str | None = None,
                retry_after_s: float | None = None) -> AskReply:
        return cls(ok=False, error=error, id=request_id, code=code, retry_after_s=retry_after_s)
