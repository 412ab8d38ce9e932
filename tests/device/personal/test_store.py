"""PersonalStore: round trips through the file, idempotent retries, fuzzy lookups, timers on a moved
clock, encryption at rest, and migrations of an old file."""

from __future__ import annotations

import sqlite3
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from device.errors import AmbiguousItem, PersonalStoreError, UnknownItem
from device.personal import SHOPPING_LIST
from device.personal.schema import MIGRATIONS, migrate
from device.personal.store import PersonalStore
from tests.device.personal.conftest import ZURICH, FakeClock, OpenStore

FRIDAY_9 = datetime(2025, 6, 13, 9, 0, tzinfo=ZURICH)


# -- reminders -------------------------------------------------------------------------------------

def test_a_reminder_comes_back_from_the_file_as_it_was_given(store: PersonalStore, db_path: Path,
                                                              clock: FakeClock, open_store: OpenStore) -> None:
    added = store.add_reminder("the boiler service is on Friday", FRIDAY_9, contact="Anna Keller")
    store.close()
    again = open_store(db_path, clock=clock)
    [back] = again.reminders()
    assert back == added
    assert (back.text, back.due, back.contact, back.kind, back.state) == (
        "the boiler service is on Friday", FRIDAY_9, "Anna Keller", "reminder", "pending")
    assert back.to_json()["due"] == "2025-06-13T09:00:00+02:00"
    assert back.id.startswith("r-") and len(back.id) == 8


def test_reminders_are_listed_by_due_time_and_alarms_are_reminders_of_their_own_kind(store: PersonalStore) -> None:
    store.add_reminder("later", FRIDAY_9 + timedelta(days=1))
    alarm = store.add_reminder("wake up", FRIDAY_9 - timedelta(hours=3), kind="alarm")
    assert [r.text for r in store.reminders()] == ["wake up", "later"]
    assert alarm.kind == "alarm" and alarm.id.startswith("a-")
    with pytest.raises(ValueError):
        store.add_reminder("x", FRIDAY_9, kind="birthday")


def test_a_time_in_another_zone_is_the_same_moment_shown_in_the_stores_zone(store: PersonalStore) -> None:
    r = store.add_reminder("call", datetime(2025, 6, 13, 7, 0, tzinfo=timezone.utc))
    assert r.due == FRIDAY_9 and r.due.utcoffset() == timedelta(hours=2)


def test_a_naive_due_time_is_refused(store: PersonalStore) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        store.add_reminder("x", datetime(2025, 6, 13, 9, 0))


def test_the_same_request_id_gives_the_same_row(store: PersonalStore) -> None:
    first = store.add_reminder("boiler", FRIDAY_9, request_id="req-1:0")
    retry = store.add_reminder("boiler", FRIDAY_9, request_id="req-1:0")
    other = store.add_reminder("boiler", FRIDAY_9, request_id="req-2:0")
    assert retry == first and other.id != first.id
    assert len(store.reminders()) == 2
    assert store.add_note("plumber at 10", request_id="n1") == store.add_note("plumber at 10", request_id="n1")
    assert store.add_item("shopping", "milk", request_id="i1") == store.add_item("shopping", "milk", request_id="i1")
    assert store.start_timer(60, request_id="t1").id == store.start_timer(60, request_id="t1").id
    store.add_contact("Anna Keller", email="anna@example.com")
    message = store.queue_message("Anna", "late", request_id="m1")
    assert store.queue_message("Anna", "late", request_id="m1") == message
    assert [len(store.notes()), len(store.items("shopping")), len(store.timers()), len(store.messages())] == [1] * 4


def test_cancel_a_reminder_and_cancel_it_again(store: PersonalStore) -> None:
    r = store.add_reminder("boiler", FRIDAY_9)
    assert store.cancel_reminder(r.id).state == "cancelled"
    assert store.cancel_reminder(r.id).state == "cancelled"
    assert store.reminders() == [] and [x.state for x in store.reminders(pending_only=False)] == ["cancelled"]
    with pytest.raises(UnknownItem):
        store.cancel_reminder("r-nothere")


def test_due_reminders_and_mark_fired(store: PersonalStore, clock: FakeClock) -> None:
    soon = store.add_reminder("soon", clock.now + timedelta(minutes=5))
    store.add_reminder("later", clock.now + timedelta(days=1))
    assert store.due_reminders(clock.now) == []
    assert [r.id for r in store.due_reminders(clock.now + timedelta(minutes=5))] == [soon.id]
    store.mark_fired(soon.id, clock.now + timedelta(minutes=5))
    assert store.due_reminders(clock.now + timedelta(hours=1)) == []
    assert store.reminder(soon.id).fired_at == clock.now + timedelta(minutes=5)


# -- timers ----------------------------------------------------------------------------------------

def test_a_timer_counts_down_pauses_and_resumes_on_the_clock(store: PersonalStore, clock: FakeClock) -> None:
    t = store.start_timer(300, name="pasta", area="Kitchen")
    assert (t.remaining_s, t.state, t.id[:2]) == (300, "running", "t-")
    clock.advance(seconds=100)
    assert store.timer(t.id).remaining_s == 200
    paused = store.pause_timer(t.id)
    assert (paused.state, paused.remaining_s, paused.ends_at) == ("paused", 200, None)
    clock.advance(seconds=1000)
    assert store.timer(t.id).remaining_s == 200
    resumed = store.unpause_timer(t.id)
    assert resumed.state == "running" and resumed.ends_at == clock.now + timedelta(seconds=200)
    assert store.add_time(t.id, 60).remaining_s == 260
    assert store.add_time(t.id, -1000).remaining_s == 0
    assert [x.id for x in store.due_timers(clock.now)] == [t.id]


def test_timers_are_found_by_name_area_or_starting_length(store: PersonalStore, clock: FakeClock) -> None:
    pasta = store.start_timer(600, name="Pasta", area="kitchen")
    five = store.start_timer(300)
    eggs = store.start_timer(300, name="eggs", area="Kitchen")
    clock.advance(seconds=30)
    store.add_time(five.id, 120)
    assert [t.id for t in store.find_timers(name="the pasta")] == [pasta.id]
    assert [t.id for t in store.find_timers(name="Pasta timer")] == [pasta.id]
    assert [t.id for t in store.find_timers(area="kitchen")] == [pasta.id, eggs.id]
    assert [t.id for t in store.find_timers(seconds=300)] == [five.id, eggs.id]  # as started, not as changed
    assert [t.id for t in store.find_timers(seconds=300, area="kitchen")] == [eggs.id]
    store.cancel_timer(pasta.id)
    assert store.find_timers(name="pasta") == []
    assert store.cancel_all_timers() == 2 and store.timers() == []
    with pytest.raises(UnknownItem):
        store.pause_timer(eggs.id)


# -- lists -----------------------------------------------------------------------------------------

def test_lists_match_items_loosely_and_ask_when_two_fit(store: PersonalStore) -> None:
    for item in ("Oat milk", "Apples", "bananas", "milk chocolate"):
        store.add_item(SHOPPING_LIST, item)
    assert store.lists() == ["Shopping List"]
    assert store.complete_item("shopping", "apple").text == "Apples"  # plural, other spelling of the list
    assert store.complete_item("the shopping list", "bananna").text == "bananas"  # a typo
    with pytest.raises(AmbiguousItem) as asked:
        store.complete_item("Shopping", "milk")
    assert asked.value.choices == ("Oat milk", "milk chocolate")
    assert asked.value.question == "Which item: Oat milk or milk chocolate?"
    assert "milk" not in str(asked.value)  # the message itself holds no user text
    assert store.complete_item("shopping", "the OAT MILK").done
    assert [i.text for i in store.items("shopping")] == ["milk chocolate"]
    assert len(store.items("shopping", include_done=True)) == 4
    with pytest.raises(UnknownItem):
        store.complete_item("shopping", "bread")


def test_completing_twice_and_removing(store: PersonalStore) -> None:
    with pytest.raises(UnknownItem):  # no such list yet
        store.complete_item("hardware store", "nails")
    store.add_item("hardware store", "nails")
    store.add_item("hardware store", "nails")  # said twice: one item, not a question
    done = store.complete_item("Hardware Store list", "nails")
    assert store.complete_item("hardware store", "nails").id != done.id  # the second one
    assert store.complete_item("hardware store", "nails").done  # both done: a repeat, unchanged
    removed = store.remove_item("hardware store", "nails")
    assert removed.text == "nails"
    assert len(store.items("hardware store", include_done=True)) == 1


# -- notes, contacts, messages ---------------------------------------------------------------------

def test_notes_round_trip(store: PersonalStore, db_path: Path, clock: FakeClock, open_store: OpenStore) -> None:
    store.add_note("the plumber comes at 10")
    store.add_note("wifi password is on the router")
    store.close()
    assert [n.text for n in open_store(db_path, clock=clock).notes()] == ["the plumber comes at 10",
                                                               "wifi password is on the router"]


def test_contacts_are_found_by_name_alias_or_part_and_asked_about_when_two_fit(store: PersonalStore) -> None:
    anna = store.add_contact("Anna Keller", email="anna.keller@example.com", phone="+41 79 555 12 34",
                             aliases=["Mum"])
    store.add_contact("Anna Meier")
    store.add_contact("Ben Oduya")
    assert store.find_contact("anna keller") == anna
    assert store.find_contact("mum") == anna
    assert store.find_contact("Keller") == anna
    assert store.find_contact("Ben").name == "Ben Oduya"
    with pytest.raises(AmbiguousItem) as asked:
        store.find_contact("Anna")
    assert asked.value.choices == ("Anna Keller", "Anna Meier")
    with pytest.raises(UnknownItem):
        store.find_contact("Zoe")
    again = store.add_contact("anna  keller", phone="+41 79 000 00 00")  # the same person, updated
    assert again.id == anna.id and again.email == anna.email and again.phone == "+41 79 000 00 00"
    assert len(store.contacts()) == 3


def test_a_message_goes_to_the_contact_it_names(store: PersonalStore) -> None:
    store.add_contact("Anna Keller", email="anna.keller@example.com")
    msg = store.queue_message("Anna", "I'm running late")
    assert (msg.contact, msg.text, msg.id[:2]) == ("Anna Keller", "I'm running late", "m-")
    assert store.messages() == [msg]
    with pytest.raises(UnknownItem):
        store.queue_message("Zoe", "hi")


# -- at rest ---------------------------------------------------------------------------------------

SECRETS = ("Anna Keller", "anna.keller@example.com", "555 12 34", "boiler service", "plumber", "oat milk",
           "Oat milk", "Shopping", "pasta", "running late")


def test_nothing_the_user_said_is_in_the_files_in_the_clear(store: PersonalStore, db_path: Path) -> None:
    store.add_contact("Anna Keller", email="anna.keller@example.com", phone="+41 79 555 12 34")
    store.add_reminder("the boiler service is on Friday", FRIDAY_9, contact="Anna Keller")
    store.add_note("the plumber comes at 10")
    store.add_item(SHOPPING_LIST, "Oat milk")
    store.start_timer(300, name="pasta")
    store.queue_message("Anna Keller", "running late")
    store.close()
    raw = b"".join(p.read_bytes() for p in db_path.parent.iterdir())  # the database, its -wal and -shm
    assert raw, "the database was written"
    for secret in SECRETS:
        for encoding in ("utf-8", "utf-16-le"):
            assert secret.encode(encoding) not in raw, secret
    assert db_path.stat().st_mode & 0o077 == 0


def test_the_same_file_does_not_open_with_another_key(store: PersonalStore, db_path: Path, clock: FakeClock) -> None:
    store.add_note("x")
    store.close()
    with pytest.raises(PersonalStoreError, match="does not open with this key"):
        PersonalStore(db_path, key=bytes(32), clock=clock, tz=ZURICH)


def test_a_sealed_value_moved_to_another_row_does_not_open(store: PersonalStore, db_path: Path) -> None:
    a = store.add_note("first")
    b = store.add_note("second")
    with sqlite3.connect(db_path) as raw:
        raw.execute("UPDATE notes SET text = (SELECT text FROM notes WHERE id = ?) WHERE id = ?", (a.id, b.id))
    with pytest.raises(PersonalStoreError, match="does not open"):
        store.notes()


def test_without_a_key_the_store_keeps_its_own_key_file_beside_the_database(
        tmp_path: Path, clock: FakeClock, open_store: OpenStore) -> None:
    path = tmp_path / "p.sqlite"
    open_store(path, key=None, clock=clock).add_note("x")
    key_file = tmp_path / "p.sqlite.key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert [n.text for n in open_store(path, key=None, clock=clock).notes()] == ["x"]
    assert [n.text for n in open_store(path, key=key_file.read_bytes(), clock=clock).notes()] == ["x"]


# -- schema ----------------------------------------------------------------------------------------

def test_an_old_file_is_migrated_forward_and_keeps_its_rows(
        db_path: Path, clock: FakeClock, open_store: OpenStore) -> None:
    old = open_store(db_path, clock=clock)
    old.close()
    db_path.unlink()
    for leftover in db_path.parent.glob("dev.sqlite-*"):
        leftover.unlink()
    # A file as the first release wrote it: only the first migration, one reminder in it.
    raw = sqlite3.connect(db_path, isolation_level=None)
    assert migrate(raw, MIGRATIONS[:1]) == [MIGRATIONS[0][0]]
    raw.close()
    first = open_store(db_path, clock=clock)  # opens, runs 002 and 003
    r = first.add_reminder("boiler", FRIDAY_9)
    first.close()
    raw = sqlite3.connect(db_path)
    names = [row[0] for row in raw.execute("SELECT name FROM _migrations ORDER BY rowid")]
    tables = {row[0] for row in raw.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    raw.close()
    assert names == [name for name, _ in MIGRATIONS]
    assert {"reminders", "contacts", "messages", "deliveries"} <= tables
    again = open_store(db_path, clock=clock)
    assert again.reminders() == [r]
    again.add_contact("Anna")  # the tables of the later migrations work


def test_a_partly_migrated_file_with_data_gains_the_later_tables(
        tmp_path: Path, clock: FakeClock, open_store: OpenStore) -> None:
    path = tmp_path / "old.sqlite"
    raw = sqlite3.connect(path, isolation_level=None)
    migrate(raw, MIGRATIONS[:1])
    raw.execute("INSERT INTO lists VALUES ('l-aaaaaa', 'k', x'00', 0)")  # a row the old release wrote
    raw.close()
    store = open_store(path, clock=clock)
    store.add_contact("Ben")
    raw = sqlite3.connect(path)
    assert raw.execute("SELECT count(*) FROM lists").fetchone() == (1,)
    raw.close()


def test_a_file_from_a_newer_tandem_is_refused(
        db_path: Path, store: PersonalStore, clock: FakeClock, open_store: OpenStore) -> None:
    store.close()
    with sqlite3.connect(db_path) as raw:
        raw.execute("INSERT INTO _migrations VALUES ('999_future', 0)")
    with pytest.raises(PersonalStoreError, match="newer"):
        open_store(db_path, clock=clock)


def test_migrations_are_named_and_unique() -> None:
    names = [name for name, _ in MIGRATIONS]
    assert len(set(names)) == len(names) and names == sorted(names)


# -- threads ---------------------------------------------------------------------------------------

def test_many_threads_adding_at_once_lose_nothing(store: PersonalStore) -> None:
    def add(n: int) -> None:
        for i in range(20):
            store.add_item("shopping", f"item {n}-{i}", request_id=f"{n}-{i}")
            store.add_item("shopping", f"item {n}-{i}", request_id=f"{n}-{i}")  # a retry

    with ThreadPoolExecutor(max_workers=6) as pool:
        for done in [pool.submit(add, n) for n in range(6)]:
            done.result()  # re-raises what a thread raised
    assert len(store.items("shopping")) == 120
