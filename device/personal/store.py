"""`PersonalStore`: the user's own data on the device (reminders, alarms, timers, lists, notes,
contacts, outgoing messages) in one SQLite database, and the API the device's tools call.

All calls are synchronous and fast (one small transaction each) and safe from any thread; the agent
calls them from a worker thread, the scheduler from asyncio through `asyncio.to_thread`.

What is stored encrypted: every text the user said or typed (reminder and note texts, whom a
reminder is for, list names and items, timer names, contacts, message texts, conversation turns),
each sealed with ChaCha20-Poly1305 under a key derived from `key` (`device.personal.sealing`). In the
clear: ids, kinds, states, due and creation times, durations, a timer's area, request ids,
conversation ids and routes. Logs carry ids and counts, never texts.

`key` is the device's vault key (`tandem.assembly.personal_setup.open_personal_store` passes it);
without one the store keeps its own key file beside the database (`<file>.key`, 0600), which
protects less (a copy of the directory carries both) and suits tests and tools.

`request_id` on the adding calls names one tool call: the same id again (a retry) returns the row
the first call wrote instead of adding a second. Give each call of a request its own id
(e.g. `f"{request_id}:{step}"`).

Every time given must be timezone-aware; every time returned is aware, in the store's zone `tz`
(default: the device's zone, `device.personal.zones.local_zone`), and `to_json()` writes ISO 8601
with the offset.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime, tzinfo
from pathlib import Path

from device.errors import PersonalStoreError
from device.personal.contacts import Contacts
from device.personal.conversations import Conversations
from device.personal.db import Database
from device.personal.firing import Deliveries
from device.personal.lists import Lists
from device.personal.notes import Notes
from device.personal.outbox import Outbox
from device.personal.reminders import Reminders
from device.personal.sealing import Sealer
from device.personal.timers import Timers
from device.personal.values import (
    Contact,
    ConversationInfo,
    Fired,
    ListItem,
    Message,
    Note,
    Reminder,
    Timer,
    Turn,
)
from device.personal.zones import local_zone
from device.redaction.vault_store import DEFAULT_TTL_S

log = logging.getLogger(__name__)


def own_key(path: Path) -> bytes:
    """The key file beside the database (`<file>.key`), created 0600 on first use."""
    from device.errors import VaultError
    from device.redaction.vault_store import load_or_create_key

    try:
        return load_or_create_key(path.with_name(path.name + ".key"))
    except VaultError as exc:
        raise PersonalStoreError(f"the personal store's own key: {exc}") from exc


class PersonalStore:
    """See the module docstring. `clock` gives "now" (aware); `tz` the zone times come back in."""

    def __init__(self, path: Path, *, key: bytes | None = None, clock: Callable[[], datetime] | None = None,
                 tz: tzinfo | None = None) -> None:
        self.path = Path(path)
        self.tz = tz or local_zone()
        zone = self.tz
        self._db = Database(self.path, Sealer(key if key is not None else own_key(self.path)),
                            clock=clock or (lambda: datetime.now(zone)), tz=self.tz)
        self._reminders = Reminders(self._db)
        self._timers = Timers(self._db)
        self._lists = Lists(self._db)
        self._notes = Notes(self._db)
        self._contacts = Contacts(self._db)
        self._outbox = Outbox(self._db, self._contacts)
        self._deliveries = Deliveries(self._db, self._contacts)
        self._conversations = Conversations(self._db)

    def now(self) -> datetime:
        """The store's clock, in its zone: the `now` to give `parse_when`."""
        return self._db.now()

    def close(self) -> None:
        self._db.close()

    # -- reminders and alarms ------------------------------------------------------------------------

    def add_reminder(self, text: str, due: datetime, *, kind: str = "reminder", contact: str | None = None,
                     request_id: str | None = None) -> Reminder:
        """A reminder ("reminder") or alarm ("alarm") at `due`; `contact`: whom it is for, as said."""
        return self._reminders.add(text, due, kind=kind, contact=contact, request_id=request_id)

    def reminders(self, *, pending_only: bool = True) -> list[Reminder]:
        """Reminders and alarms by due time; `pending_only=False` adds fired and cancelled ones."""
        return self._reminders.all(pending_only=pending_only)

    def reminder(self, reminder_id: str) -> Reminder:
        return self._reminders.get(reminder_id)

    def cancel_reminder(self, reminder_id: str) -> Reminder:
        """Cancel it; one already fired or cancelled comes back unchanged (look at `state`)."""
        return self._reminders.cancel(reminder_id)

    def due_reminders(self, now: datetime) -> list[Reminder]:
        return self._reminders.due(now)

    def mark_fired(self, reminder_id: str, fired_at: datetime) -> None:
        """Record a reminder as fired by a caller that delivered it itself (not needed with `Scheduler`)."""
        self._reminders.mark_fired(reminder_id, fired_at)

    # -- timers ---------------------------------------------------------------------------------------

    def start_timer(self, seconds: int, *, name: str | None = None, area: str | None = None,
                    request_id: str | None = None) -> Timer:
        return self._timers.start(seconds, name=name, area=area, request_id=request_id)

    def find_timers(self, *, name: str | None = None, area: str | None = None,
                    seconds: int | None = None) -> list[Timer]:
        """Active timers matching all given criteria ("the pasta timer", "the 5 minute timer")."""
        return self._timers.find(name=name, area=area, seconds=seconds)

    def timer(self, timer_id: str) -> Timer:
        return self._timers.get(timer_id)

    def cancel_timer(self, timer_id: str) -> Timer:
        return self._timers.cancel(timer_id)

    def cancel_all_timers(self) -> int:
        return self._timers.cancel_all()

    def pause_timer(self, timer_id: str) -> Timer:
        return self._timers.pause(timer_id)

    def unpause_timer(self, timer_id: str) -> Timer:
        return self._timers.unpause(timer_id)

    def add_time(self, timer_id: str, seconds: int) -> Timer:
        """Add seconds (negative: take them away; past zero it runs out now)."""
        return self._timers.add_time(timer_id, seconds)

    def timers(self) -> list[Timer]:
        """Running and paused timers, with `remaining_s` from the clock."""
        return self._timers.active()

    def due_timers(self, now: datetime) -> list[Timer]:
        return self._timers.due(now)

    def mark_timer_fired(self, timer_id: str, fired_at: datetime) -> None:
        self._timers.mark_fired(timer_id, fired_at)

    # -- lists ----------------------------------------------------------------------------------------

    def add_item(self, list_name: str, item: str, request_id: str | None = None) -> ListItem:
        """Add to the list (created on first use; "Shopping List" = `lists.SHOPPING_LIST`)."""
        return self._lists.add(list_name, item, request_id)

    def complete_item(self, list_name: str, item: str) -> ListItem:
        """Check off the item `item` names (fuzzy; AmbiguousItem with a question; UnknownItem)."""
        return self._lists.complete(list_name, item)

    def remove_item(self, list_name: str, item: str) -> ListItem:
        return self._lists.remove(list_name, item)

    def items(self, list_name: str, *, include_done: bool = False) -> list[ListItem]:
        return self._lists.items(list_name, include_done=include_done)

    def lists(self) -> list[str]:
        return self._lists.names()

    # -- notes ----------------------------------------------------------------------------------------

    def add_note(self, text: str, request_id: str | None = None) -> Note:
        return self._notes.add(text, request_id)

    def notes(self) -> list[Note]:
        return self._notes.all()

    # -- conversations -------------------------------------------------------------------------------

    def add_turn(self, conversation: str, turn: Turn, *, face: str, owner: str | None = None,
                 ttl_s: float = DEFAULT_TTL_S) -> Turn:
        """Keep one turn of `conversation` (sealed); the conversation expires `ttl_s` after it."""
        return self._conversations.add_turn(conversation, turn, face=face, owner=owner, ttl_s=ttl_s)

    def turns(self, conversation: str, *, last: int | None = None) -> list[Turn]:
        return self._conversations.turns(conversation, last=last)

    def conversation(self, conversation: str) -> ConversationInfo | None:
        return self._conversations.info(conversation)

    def conversations(self, *, limit: int | None = None) -> list[ConversationInfo]:
        return self._conversations.all(limit=limit)

    def latest_conversation(self, *, face: str | None = None) -> str | None:
        return self._conversations.latest(face=face)

    def delete_conversation(self, conversation: str) -> bool:
        return self._conversations.delete(conversation)

    def purge_expired_conversations(self) -> int:
        """Delete the expired conversations now (reads already skip them; the next write deletes them too)."""
        return self._conversations.purge_expired()

    # -- contacts and messages ------------------------------------------------------------------------

    def add_contact(self, name: str, *, email: str | None = None, phone: str | None = None,
                    aliases: Iterable[str] = ()) -> Contact:
        """Add a contact, or update the one of the same name."""
        return self._contacts.add(name, email=email, phone=phone, aliases=aliases)

    def find_contact(self, name: str) -> Contact:
        """The contact `name` means (name or alias, fuzzy; UnknownItem / AmbiguousItem)."""
        return self._contacts.find(name)

    def contact(self, contact_id: str) -> Contact:
        return self._contacts.get(contact_id)

    def contacts(self) -> list[Contact]:
        return self._contacts.all()

    def queue_message(self, contact: str, text: str, request_id: str | None = None) -> Message:
        """Queue a message to the contact `contact` names; the scheduler hands it to the notifier."""
        return self._outbox.queue(contact, text, request_id)

    def messages(self, *, queued_only: bool = True) -> list[Message]:
        return self._outbox.all(queued_only=queued_only)

    # -- firing (used by `device.personal.scheduler.Scheduler`) ---------------------------------------

    def claim_due(self, now: datetime) -> int:
        """Fire, in one transaction, everything due at `now`; returns how many (see `firing`)."""
        return self._deliveries.claim(now)

    def undelivered(self, *, late_after_s: float = 60.0) -> list[Fired]:
        """Fired items no notifier has taken yet (a view; the scheduler uses `take_undelivered`)."""
        return self._deliveries.undelivered(late_after_s)

    def take_undelivered(self, now: datetime, *, owner: str, lease_s: float = 30.0,
                         late_after_s: float = 60.0) -> list[Fired]:
        """Lease the undelivered items nobody holds to `owner` (see `firing`)."""
        return self._deliveries.take(now, owner=owner, lease_s=lease_s, late_after_s=late_after_s)

    def mark_delivered(self, fired: Fired, at: datetime) -> None:
        self._deliveries.delivered(fired, at)

    def mark_delivery_failed(self, fired: Fired, retry_at: datetime) -> None:
        self._deliveries.failed(fired, retry_at)

    def next_due(self) -> datetime | None:
        """The earliest time something pending comes due (None: nothing pending)."""
        return self._deliveries.next_due()
