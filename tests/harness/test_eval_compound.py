"""The compound-request set and its scoring (`tandem eval compound` runs them end to end)."""

from __future__ import annotations

from harness.eval.compound import Outcome, device_part_right, leaks, pairs, question_right, summary


def test_pairs_join_a_private_device_part_and_a_question_reproducibly() -> None:
    first, again = pairs(12, seed=3), pairs(12, seed=3)
    assert first == again and len({p.text for p in first}) == 12
    personal = [p for p in first if p.private]
    assert personal and all(p.private[0] in p.text for p in personal)
    assert all(p.question[:-1].lower() in p.text.lower() for p in first)


def test_scoring_of_each_part() -> None:
    reminder, command = pairs(6, seed=0)[0], pairs(6, seed=0)[5]
    assert reminder.private and "command" in command.device
    assert device_part_right(reminder, None, f"Hi {reminder.private[0]}, the service is on Friday.")
    assert not device_part_right(reminder, None, "Hi, the service is on Friday.")
    gold = command.device["command"]
    assert device_part_right(command, {"intent": gold["intent"], "slots": dict(gold["slots"])}, "")
    assert not device_part_right(command, {"intent": "HassTurnOn", "slots": {"name": "Somewhere Else"}}, "")
    assert question_right(reminder, f"Done. {reminder.gold[0]}.")
    assert not question_right(reminder, "I do not know.")


def test_leaks_are_whole_words_in_any_payload() -> None:
    assert leaks([b"sealed \x00 bytes", '{"prompt": "Remind <PERSON_1> ..."}'], ["Tobias Lindqvist", "CO"]) == []
    assert leaks(['{"prompt": "Remind tobias lindqvist"}'], ["Tobias Lindqvist"]) == ["Tobias Lindqvist"]
    assert leaks(["how many continents"], ["CO"]) == []


def test_summary_counts_both_parts_and_every_leak() -> None:
    a, b = pairs(2, seed=1)
    rows = [Outcome(a, True, True), Outcome(b, True, False, leaked_to_pool=["x"], leaked_on_wire=["y", "z"])]
    report = summary(rows, [Outcome(a, False, True), Outcome(b, True, True)])
    assert report["tandem"] == {"both_right": 0.5, "device_part": 1.0, "question": 0.5, "leaks_to_pool": 1,
                                "leaks_on_wire": 2}
    assert report["whole_to_cloud"]["both_right"] == 0.5 and report["n"] == 2
