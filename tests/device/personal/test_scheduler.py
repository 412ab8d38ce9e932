"""The scheduler fires each due item once: on time on the real clock, late (with a note) after the
device was off, after a crash between claim and delivery, and never twice across restarts."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from device.personal.scheduler import Scheduler
from device.personal.values import Fired
from tests.device.personal.conftest import ZURICH, FakeClock, OpenStore

DEADLINE_S = 30.0
"""Bounds waits only (a loaded CI box): nothing asserts how fast anything happened."""


class Inbox:
    """A notifier that keeps what it gets and lets a test wait for a count."""

    def __init__(self) -> None:
        self.got: list[Fired] = []
        self.fail_next = 0

    async def __call__(self, fired: Fired) -> None:
        if self.fail_next:
            self.fail_next -= 1
            raise ConnectionError("notification broker down")
        self.got.append(fired)

    async def wait_for(self, count: int) -> None:
        async def enough() -> None:
            while len(self.got) < count:
                await asyncio.sleep(0.02)

        await asyncio.wait_for(enough(), DEADLINE_S)


def test_a_reminder_and_a_timer_fire_at_their_time_on_the_real_clock(tmp_path: Path, open_store: OpenStore) -> None:
    store = open_store(tmp_path / "p.sqlite")  # the real clock
    inbox = Inbox()

    async def main() -> None:
        stop = asyncio.Event()
        task = asyncio.create_task(Scheduler(store, inbox, poll_s=0.2).run(stop))
        reminder = store.add_reminder("boiler service", store.now() + timedelta(seconds=2))
        timer = store.start_timer(1, name="tea")
        await inbox.wait_for(2)
        # A few more passes find nothing more to fire.
        for _ in range(3):
            await asyncio.sleep(0.25)
        stop.set()
        await asyncio.wait_for(task, DEADLINE_S)
        assert [f.id for f in inbox.got] == [timer.id, reminder.id]
        assert store.reminder(reminder.id).state == "fired"
        assert store.timer(timer.id).state == "finished"

    asyncio.run(main())
    assert len(inbox.got) == 2
    by_kind = {f.kind: f for f in inbox.got}
    fired = by_kind["reminder"]
    assert fired.text == "boiler service" and not fired.late and fired.note() is None
    assert fired.fired_at is not None and fired.fired_at >= fired.due  # never early
    assert by_kind["timer"].text == "tea" and by_kind["timer"].extra == {"name": "tea", "area": None, "seconds": 1}


def test_a_reminder_missed_while_the_device_was_off_fires_late_once(tmp_path: Path, open_store: OpenStore) -> None:
    path = tmp_path / "p.sqlite"
    clock = FakeClock(datetime(2025, 6, 13, 8, 0, tzinfo=ZURICH))
    before = open_store(path, clock=clock)
    due = clock.now + timedelta(hours=1)
    reminder = before.add_reminder("the boiler service is today", due, contact="Anna Keller")
    inbox = Inbox()
    assert asyncio.run(Scheduler(before, inbox, clock=clock).tick()) == []  # not yet due
    before.close()  # the device goes off

    clock.advance(hours=3, minutes=5)  # ... and comes back at 12:05
    after = open_store(path, clock=clock)
    scheduler = Scheduler(after, inbox, clock=clock, late_after_s=60)
    [fired] = asyncio.run(scheduler.tick())
    assert (fired.id, fired.kind, fired.text, fired.contact, fired.due) == (
        reminder.id, "reminder", "the boiler service is today", "Anna Keller", due)
    assert fired.late and fired.late_by_s == pytest.approx(2 * 3600 + 5 * 60)
    assert fired.note() == "Late by 2 h 5 min (the device was off or busy at its time)."
    assert fired.to_json()["late"] is True
    assert asyncio.run(scheduler.tick()) == []
    after.close()

    again = open_store(path, clock=clock)  # one more restart
    assert asyncio.run(Scheduler(again, inbox, clock=clock).tick()) == []
    assert [f.id for f in inbox.got] == [reminder.id]


def test_a_crash_between_claim_and_delivery_loses_nothing(tmp_path: Path, open_store: OpenStore) -> None:
    path = tmp_path / "p.sqlite"
    clock = FakeClock(datetime(2025, 6, 13, 8, 0, tzinfo=ZURICH))
    store = open_store(path, clock=clock)
    alarm = store.add_reminder("wake up", clock.now + timedelta(seconds=5), kind="alarm")
    clock.advance(seconds=6)
    assert store.claim_due(clock.now) == 1  # claimed and marked fired ...
    store.close()  # ... and the process dies before the notifier saw it

    inbox = Inbox()
    restarted = open_store(path, clock=clock)
    [fired] = asyncio.run(Scheduler(restarted, inbox, clock=clock).tick())
    assert (fired.id, fired.kind, fired.late) == (alarm.id, "alarm", False)
    assert asyncio.run(Scheduler(restarted, inbox, clock=clock).tick()) == []


def test_two_schedulers_on_one_file_fire_an_item_once(tmp_path: Path, open_store: OpenStore) -> None:
    path = tmp_path / "p.sqlite"
    clock = FakeClock(datetime(2025, 6, 13, 8, 0, tzinfo=ZURICH))
    one = open_store(path, clock=clock)
    two = open_store(path, clock=clock)
    for i in range(5):
        one.add_reminder(f"r{i}", clock.now + timedelta(seconds=i + 1))
    clock.advance(minutes=1)
    inbox = Inbox()

    async def both() -> None:
        await asyncio.gather(Scheduler(one, inbox, clock=clock).tick(), Scheduler(two, inbox, clock=clock).tick())

    asyncio.run(both())
    assert sorted(f.text for f in inbox.got) == [f"r{i}" for i in range(5)]


def test_a_failing_notifier_keeps_the_item_until_it_is_taken(tmp_path: Path, open_store: OpenStore) -> None:
    clock = FakeClock(datetime(2025, 6, 13, 8, 0, tzinfo=ZURICH))
    store = open_store(tmp_path / "p.sqlite", clock=clock)
    r = store.add_reminder("boiler", clock.now)
    inbox = Inbox()
    inbox.fail_next = 1
    scheduler = Scheduler(store, inbox, clock=clock, retry_s=0.0)
    assert asyncio.run(scheduler.tick()) == []
    assert [f.id for f in store.undelivered()] == [r.id]
    assert [f.id for f in asyncio.run(scheduler.tick())] == [r.id]
    assert store.undelivered() == [] and asyncio.run(scheduler.tick()) == []
    with sqlite3.connect(tmp_path / "p.sqlite") as raw:
        assert raw.execute("SELECT attempts FROM deliveries").fetchall() == [(2,)]


def test_a_failing_notifier_is_not_retried_before_retry_s(tmp_path: Path, open_store: OpenStore) -> None:
    clock = FakeClock(datetime(2025, 6, 13, 8, 0, tzinfo=ZURICH))
    store = open_store(tmp_path / "p.sqlite", clock=clock)
    store.add_reminder("boiler", clock.now)
    inbox = Inbox()
    inbox.fail_next = 1
    scheduler = Scheduler(store, inbox, clock=clock, retry_s=3600.0)
    assert asyncio.run(scheduler.tick()) == []
    assert asyncio.run(scheduler.tick()) == []  # waits out retry_s before trying again
    assert inbox.got == [] and len(store.undelivered()) == 1
    clock.advance(seconds=3600)
    assert len(asyncio.run(scheduler.tick())) == 1


def test_an_item_taken_by_a_scheduler_that_died_is_delivered_once_its_lease_runs_out(
        tmp_path: Path, open_store: OpenStore) -> None:
    clock = FakeClock(datetime(2025, 6, 13, 8, 0, tzinfo=ZURICH))
    store = open_store(tmp_path / "p.sqlite", clock=clock)
    r = store.add_reminder("boiler", clock.now)
    store.claim_due(clock.now)
    assert [f.id for f in store.take_undelivered(clock.now, owner="died", lease_s=30)] == [r.id]
    inbox = Inbox()
    scheduler = Scheduler(store, inbox, clock=clock)
    assert asyncio.run(scheduler.tick()) == []  # still leased to the one that died
    clock.advance(seconds=30)
    assert [f.id for f in asyncio.run(scheduler.tick())] == [r.id]
    assert asyncio.run(scheduler.tick()) == [] and len(inbox.got) == 1


def test_a_queued_message_is_handed_to_the_notifier_once(tmp_path: Path, open_store: OpenStore) -> None:
    clock = FakeClock(datetime(2025, 6, 13, 8, 0, tzinfo=ZURICH))
    store = open_store(tmp_path / "p.sqlite", clock=clock)
    anna = store.add_contact("Anna Keller", email="anna.keller@example.com")
    msg = store.queue_message("Anna", "running late")
    inbox = Inbox()
    scheduler = Scheduler(store, inbox, clock=clock)
    [fired] = asyncio.run(scheduler.tick())
    assert (fired.kind, fired.id, fired.text, fired.contact, fired.contact_id) == (
        "message", msg.id, "running late", "Anna Keller", anna.id)
    assert store.contact(fired.contact_id).email == "anna.keller@example.com"
    assert asyncio.run(scheduler.tick()) == []
    assert store.messages() == [] and store.messages(queued_only=False)[0].sent_at == clock.now


def test_next_due_is_the_earliest_pending_time(tmp_path: Path, open_store: OpenStore) -> None:
    clock = FakeClock(datetime(2025, 6, 13, 8, 0, tzinfo=ZURICH))
    store = open_store(tmp_path / "p.sqlite", clock=clock)
    assert store.next_due() is None
    store.add_reminder("later", clock.now + timedelta(hours=2))
    store.start_timer(60)
    assert store.next_due() == clock.now + timedelta(seconds=60)


def test_run_returns_when_stop_is_set(tmp_path: Path, open_store: OpenStore) -> None:
    store = open_store(tmp_path / "p.sqlite")

    async def main() -> None:
        stop = asyncio.Event()
        task = asyncio.create_task(Scheduler(store, Inbox(), poll_s=600).run(stop))
        await asyncio.sleep(0.05)
        stop.set()
        await asyncio.wait_for(task, DEADLINE_S)  # it does not sleep out its 600 s poll

    asyncio.run(main())
