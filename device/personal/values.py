"""The values the personal store hands out: frozen dataclasses, each with `to_json()`.

Times are timezone-aware `datetime`s in the store's zone; `to_json()` writes them as ISO 8601 with
their offset ("2025-06-13T09:00:00+02:00"), the shape `tandem reminders list --json` promises.
Texts are the user's own words, restored from the encrypted store: show them on the device, never
log them (log `id`s and counts).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

ReminderKind = Literal["reminder", "alarm"]
ReminderState = Literal["pending", "fired", "cancelled"]
TimerState = Literal["running", "paused", "finished", "cancelled"]
FiredKind = Literal["reminder", "alarm", "timer", "message"]


def iso(moment: datetime | None) -> str | None:
    """ISO 8601 with offset, to the second (None stays None)."""
    return None if moment is None else moment.isoformat(timespec="seconds")


@dataclass(frozen=True)
class Reminder:
    id: str
    kind: ReminderKind
    text: str
    due: datetime
    created_at: datetime
    state: ReminderState = "pending"
    contact: str | None = None
    """Whom the reminder is for, as the user said it ("Anna Keller"); None: the user."""
    fired_at: datetime | None = None

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "text": self.text, "due": iso(self.due), "kind": self.kind,
                "contact": self.contact, "state": self.state, "fired": iso(self.fired_at)}


@dataclass(frozen=True)
class Timer:
    """A countdown, as Home Assistant's timer intents know it."""

    id: str
    seconds: int
    """The duration it was started with ("the 5 minute timer"), unchanged by added time."""
    remaining_s: int
    """Seconds left now (computed from the store's clock); 0 once it has run out."""
    state: TimerState
    started_at: datetime
    ends_at: datetime | None
    """When it runs out; None while paused."""
    name: str | None = None
    area: str | None = None
    fired_at: datetime | None = None

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "area": self.area, "seconds": self.seconds,
                "remaining_s": self.remaining_s, "state": self.state, "started_at": iso(self.started_at),
                "ends_at": iso(self.ends_at), "fired": iso(self.fired_at)}


@dataclass(frozen=True)
class ListItem:
    id: str
    list_name: str
    text: str
    done: bool
    created_at: datetime
    done_at: datetime | None = None

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "list": self.list_name, "text": self.text, "done": self.done,
                "created_at": iso(self.created_at), "done_at": iso(self.done_at)}


@dataclass(frozen=True)
class Note:
    id: str
    text: str
    created_at: datetime

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "text": self.text, "created_at": iso(self.created_at)}


@dataclass(frozen=True)
class Contact:
    id: str
    name: str
    email: str | None = None
    phone: str | None = None
    aliases: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "email": self.email, "phone": self.phone,
                "aliases": list(self.aliases)}


@dataclass(frozen=True)
class Message:
    """A message to a contact, waiting in the outbox until the scheduler hands it to the notifier."""

    id: str
    contact_id: str
    contact: str
    """The contact's name as stored."""
    text: str
    queued_at: datetime
    sent_at: datetime | None = None

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "contact_id": self.contact_id, "contact": self.contact, "text": self.text,
                "queued_at": iso(self.queued_at), "sent": iso(self.sent_at)}


@dataclass(frozen=True)
class Fired:
    """Something that came due: a reminder, an alarm, a finished timer, or an outgoing message.

    Each fires once (`id` is the item's id, stable across restarts: a notifier that may see a
    repeat after a crash de-duplicates on it). `late` is set when it fired more than the
    scheduler's `late_after_s` after `due` (the device was off or busy); `late_by_s` says by how much.
    """

    kind: FiredKind
    id: str
    text: str
    due: datetime
    late: bool = False
    late_by_s: float = 0.0
    fired_at: datetime | None = None
    contact: str | None = None
    """Reminders: whom it is for; messages: the recipient's name."""
    contact_id: str | None = None
    """Messages: the recipient (`PersonalStore.contact(id)` has the address)."""
    extra: dict[str, Any] = field(default_factory=dict, compare=False)
    """Kind-specific details (timers: `name`, `area`, `seconds`)."""

    def note(self) -> str | None:
        """"Late by 2 h 5 min (the device was off at its time)." for a late one, else None."""
        if not self.late:
            return None
        return f"Late by {say_duration(self.late_by_s)} (the device was off or busy at its time)."

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "id": self.id, "text": self.text, "due": iso(self.due),
                "late": self.late, "late_by_s": round(self.late_by_s, 3), "fired": iso(self.fired_at),
                "contact": self.contact, "contact_id": self.contact_id, "note": self.note(), **self.extra}


def say_duration(seconds: float) -> str:
    """A short spoken length: "45 s", "5 min", "2 h 5 min", "3 d 4 h"."""
    s = max(0, round(seconds))
    days, s = divmod(s, 86400)
    hours, s = divmod(s, 3600)
    minutes, s = divmod(s, 60)
    parts = [(days, "d"), (hours, "h"), (minutes, "min")] if days or hours or minutes else [(s, "s")]
    shown = [f"{n} {unit}" for n, unit in parts if n][:2]
    return " ".join(shown) or "0 s"


@dataclass(frozen=True)
class Turn:
    """One exchange of a conversation: what the user asked and the answer they saw (values restored), how
    it was answered, and whether it may serve as redacted context for the cloud (`shareable` is False
    when the request was held on the device for its sensitive context)."""

    user: str
    answer: str
    route: str = "local"
    system: str | None = None
    shareable: bool = True
    parts: tuple[dict[str, Any], ...] = ()
    """Per part: {"route", "reason", "redacted_text"} (placeholders only), as the trace showed them."""
    n: int = 0
    at: datetime | None = None

    def record(self) -> dict[str, Any]:
        """What is sealed in the store (everything but `n` and `at`, which are columns)."""
        return {"user": self.user, "answer": self.answer, "route": self.route, "system": self.system,
                "shareable": self.shareable, "parts": list(self.parts)}

    def to_json(self) -> dict[str, Any]:
        return {"n": self.n, "at": iso(self.at), **self.record()}


@dataclass(frozen=True)
class ConversationInfo:
    """A stored conversation as `tandem logs` lists it."""

    id: str
    face: str
    owner: str | None
    turns: int
    created_at: datetime
    updated_at: datetime
    expires_at: datetime
    first: str = ""
    """The first request's opening words (the user's own: shown on the device only)."""

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "face": self.face, "owner": self.owner, "turns": self.turns,
                "created_at": iso(self.created_at), "updated_at": iso(self.updated_at),
                "expires_at": iso(self.expires_at), "first": self.first}
