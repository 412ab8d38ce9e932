from __future__ import annotations

import pytest

from protocol.errors import ReplayError
from protocol.ids import new_task_id
from protocol.messages import Header
from protocol.replay import ReplayGuard


def _h(task_id: str | None = None, seq: int = 100, device_id: str = "dev1", kind: str = "task") -> Header:
    return Header(
        kind=kind,
        device_id=device_id,
        task_id=task_id or new_task_id(),
        seq=seq,
        issued_at=1.0,
        expires_at=2.0,
        key_id="0" * 16,
    )


def test_duplicate_task_id_is_refused():
    guard = ReplayGuard()
    h = _h()
    guard.check_and_record(h, now=0)
    with pytest.raises(ReplayError, match="already received"):
        guard.check_and_record(h, now=1)
    # Same id with a new seq is still the same task.
    with pytest.raises(ReplayError):
        guard.check_and_record(h.model_copy(update={"seq": 999}), now=1)


def test_same_task_id_on_other_streams_is_accepted():
    guard = ReplayGuard()
    tid = new_task_id()
    guard.check_and_record(_h(tid), now=0)
    guard.check_and_record(_h(tid, kind="result"), now=0)
    guard.check_and_record(_h(tid, device_id="dev2"), now=0)
    assert len(guard) == 3


def test_reordering_within_the_window_is_accepted():
    guard = ReplayGuard()
    guard.check_and_record(_h(seq=200), now=0)
    guard.check_and_record(_h(seq=100), now=1)
    assert guard.floor("dev1", "task") == -1


def test_forgotten_ids_leave_a_floor_that_refuses_old_seqs():
    guard = ReplayGuard(window_s=10)
    old = _h(seq=100)
    guard.check_and_record(old, now=0)
    guard.check_and_record(_h(seq=150), now=5)
    # At t=11 the first entry is forgotten: its id is no longer known but its seq is the floor.
    with pytest.raises(ReplayError, match="at or below 100"):
        guard.check_and_record(old, now=11)
    with pytest.raises(ReplayError):
        guard.check_and_record(_h(seq=99), now=11)
    guard.check_and_record(_h(seq=101), now=11)
    assert guard.floor("dev1", "task") == 100
    assert guard.floor("dev2", "task") == -1


def test_max_ids_evicts_oldest_and_raises_floor():
    guard = ReplayGuard(max_ids=2)
    first = _h(seq=1)
    for h in (first, _h(seq=2), _h(seq=3)):
        guard.check_and_record(h, now=0)
    assert len(guard) == 2
    assert guard.floor("dev1", "task") == 1
    with pytest.raises(ReplayError):
        guard.check_and_record(first, now=0)


def test_guard_arguments_are_checked():
    with pytest.raises(ValueError):
        ReplayGuard(window_s=0)
    with pytest.raises(ValueError):
        ReplayGuard(max_ids=0)


def test_an_exact_repeat_passes_when_allowed_and_nothing_else_does():
    guard = ReplayGuard(window_s=10)
    h = _h(seq=100)
    assert guard.check_and_record(h, now=0, allow_repeat=True) is False
    assert guard.check_and_record(h, now=1, allow_repeat=True) is True  # retry / QoS 1 duplicate
    with pytest.raises(ReplayError, match="already received"):
        guard.check_and_record(h.model_copy(update={"seq": 101}), now=1, allow_repeat=True)
    with pytest.raises(ReplayError, match="already received"):
        guard.check_and_record(h, now=1)  # the default stays strict
    # beyond the window the task id is forgotten and its seq is the floor: refused as a replay
    guard.check_and_record(_h(seq=200), now=5)
    with pytest.raises(ReplayError, match="at or below 100"):
        guard.check_and_record(h, now=11, allow_repeat=True)


def test_one_device_s_flood_never_evicts_another_device_s_state():
    guard = ReplayGuard(max_ids=10, max_ids_per_device=3)  # one cap for all would evict dev2 after 10
    quiet = _h(seq=7, device_id="dev2")
    guard.check_and_record(quiet, now=0)
    for seq in range(1, 50):  # dev1 floods far past its own cap
        guard.check_and_record(_h(seq=seq), now=0)
    assert guard.floor("dev1", "task") == 46  # dev1 forgot its own oldest ...
    assert guard.floor("dev2", "task") == -1  # ... and dev2 lost nothing:
    assert guard.check_and_record(quiet, now=1, allow_repeat=True) is True  # its re-send is still a repeat
    with pytest.raises(ValueError):
        ReplayGuard(max_ids_per_device=0)
