"""The user's own data on the device: reminders, alarms, timers, lists, notes, contacts and
messages, kept in one encrypted SQLite database and fired on time. None of it leaves the device.

    store.py       PersonalStore: the API the device's tools call (sync, thread-safe, idempotent adds)
    values.py      what it hands out (frozen dataclasses with to_json(); Fired)
    when.py        parse_when / find_when / parse_duration / find_duration: due times and lengths as
                   people say them
    when_words.py  the words those understand (English, German)
    scheduler.py   Scheduler: fires what is due, once, late with a note after downtime
    firing.py      claiming and delivering fired items in one transaction each
    reminders.py, timers.py, lists.py, notes.py, contacts.py, outbox.py
                   one table family each, behind the store
    matching.py    which stored item the user meant ("the milk" -> "oat milk"), or a question
    sealing.py     encryption at rest of every user text (ChaCha20-Poly1305 under the vault key)
    schema.py      named, append-only migrations
    db.py          the connection, its lock and the clock
    zones.py       the device's time zone (a real IANA zone, DST included)
    ids.py         short readable ids ("r-7kq2xw")

Errors are `device.errors.PersonalError` and below (`UnknownItem`, `AmbiguousItem`, `BadTime`,
`PersonalStoreError`).
"""

from device.personal.lists import SHOPPING_LIST
from device.personal.scheduler import Notify, Scheduler
from device.personal.store import PersonalStore
from device.personal.values import Contact, Fired, ListItem, Message, Note, Reminder, Timer
from device.personal.when import (
    DurationMatch,
    WhenMatch,
    find_duration,
    find_when,
    parse_duration,
    parse_when,
)
from device.personal.zones import local_zone, zone

__all__ = [
    "SHOPPING_LIST",
    "Contact",
    "DurationMatch",
    "Fired",
    "ListItem",
    "Message",
    "Note",
    "Notify",
    "PersonalStore",
    "Reminder",
    "Scheduler",
    "Timer",
    "WhenMatch",
    "find_duration",
    "find_when",
    "local_zone",
    "parse_duration",
    "parse_when",
    "zone",
]
