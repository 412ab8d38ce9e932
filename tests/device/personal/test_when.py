"""Due times and durations as people say them, against a fixed `now` in Europe/Zurich (DST included)."""

from __future__ import annotations

from datetime import datetime, time, timezone

import pytest

from device.errors import BadTime
from device.personal.when import find_duration, find_when, parse_duration, parse_when
from tests.device.personal.conftest import ZURICH

WED = datetime(2025, 6, 11, 14, 20, tzinfo=ZURICH)  # Wednesday 11 June 2025, 14:20 (summer time, +02:00)


@pytest.mark.parametrize(("said", "expected"), [
    ("on Friday", "2025-06-13T09:00:00+02:00"),
    ("Friday", "2025-06-13T09:00:00+02:00"),
    ("Friday at 9", "2025-06-13T09:00:00+02:00"),
    ("at 9 on Friday", "2025-06-13T09:00:00+02:00"),
    ("friday evening", "2025-06-13T19:00:00+02:00"),
    ("Friday evening at 7", "2025-06-13T19:00:00+02:00"),
    ("tomorrow at 6:30", "2025-06-12T06:30:00+02:00"),
    ("tomorrow morning", "2025-06-12T09:00:00+02:00"),
    ("tomorrow", "2025-06-12T09:00:00+02:00"),
    ("the day after tomorrow", "2025-06-13T09:00:00+02:00"),
    ("at 6:30", "2025-06-12T06:30:00+02:00"),  # passed today: tomorrow
    ("at 16:30", "2025-06-11T16:30:00+02:00"),  # still ahead: today
    ("6:30 pm", "2025-06-11T18:30:00+02:00"),
    ("6:30 p.m.", "2025-06-11T18:30:00+02:00"),
    ("6pm", "2025-06-11T18:00:00+02:00"),
    ("at 7 pm", "2025-06-11T19:00:00+02:00"),
    ("18:30", "2025-06-11T18:30:00+02:00"),
    ("at nine", "2025-06-12T09:00:00+02:00"),
    ("9 o'clock", "2025-06-12T09:00:00+02:00"),
    ("12 am", "2025-06-12T00:00:00+02:00"),
    ("12 pm", "2025-06-12T12:00:00+02:00"),
    ("at noon", "2025-06-12T12:00:00+02:00"),
    ("midnight", "2025-06-12T00:00:00+02:00"),
    ("half past six", "2025-06-12T06:30:00+02:00"),
    ("quarter to seven", "2025-06-12T06:45:00+02:00"),
    ("in 10 minutes", "2025-06-11T14:30:00+02:00"),
    ("in an hour and a half", "2025-06-11T15:50:00+02:00"),
    ("in 90 seconds", "2025-06-11T14:21:30+02:00"),
    ("10 minutes from now", "2025-06-11T14:30:00+02:00"),
    ("in 3 days", "2025-06-14T14:20:00+02:00"),
    ("in 2 days at 9", "2025-06-13T09:00:00+02:00"),
    ("in a week", "2025-06-18T14:20:00+02:00"),
    ("next Monday", "2025-06-16T09:00:00+02:00"),
    ("next week", "2025-06-18T09:00:00+02:00"),
    ("Wednesday", "2025-06-18T09:00:00+02:00"),  # a weekday is never today
    ("this Wednesday at 15:00", "2025-06-11T15:00:00+02:00"),  # "this" may be today
    ("this Wednesday", "2025-06-18T09:00:00+02:00"),  # ... unless its time has passed
    ("this Friday", "2025-06-13T09:00:00+02:00"),
    ("on the 5th", "2025-07-05T09:00:00+02:00"),  # the 5th of June has passed
    ("on the 20th", "2025-06-20T09:00:00+02:00"),
    ("the 5th of December", "2025-12-05T09:00:00+01:00"),
    ("December 24 at noon", "2025-12-24T12:00:00+01:00"),
    ("Dec 24th", "2025-12-24T09:00:00+01:00"),
    ("24 December 2025", "2025-12-24T09:00:00+01:00"),
    ("January 3", "2026-01-03T09:00:00+01:00"),
    ("June 1", "2026-06-01T09:00:00+02:00"),  # passed this year: next year's
    ("tonight", "2025-06-11T20:00:00+02:00"),
    ("tonight at 11", "2025-06-11T23:00:00+02:00"),
    ("this evening", "2025-06-11T19:00:00+02:00"),
    ("this afternoon at 4", "2025-06-11T16:00:00+02:00"),
    ("in the morning", "2025-06-12T09:00:00+02:00"),
    ("2025-12-24", "2025-12-24T09:00:00+01:00"),
    ("2025-12-24T18:00", "2025-12-24T18:00:00+01:00"),
    ("2025-12-24 18:00", "2025-12-24T18:00:00+01:00"),
    ("2025-12-24T17:00Z", "2025-12-24T18:00:00+01:00"),
    ("2025-12-24T18:00+00:00", "2025-12-24T19:00:00+01:00"),
    ("24.12.2025", "2025-12-24T09:00:00+01:00"),
    ("Friday.", "2025-06-13T09:00:00+02:00"),
    # German
    ("am Freitag", "2025-06-13T09:00:00+02:00"),
    ("am Freitag um 9", "2025-06-13T09:00:00+02:00"),
    ("nächsten Montag", "2025-06-16T09:00:00+02:00"),
    ("morgen um 6:30", "2025-06-12T06:30:00+02:00"),
    ("morgen früh", "2025-06-12T09:00:00+02:00"),
    ("übermorgen um 7", "2025-06-13T07:00:00+02:00"),
    ("heute Abend", "2025-06-11T19:00:00+02:00"),
    ("um 18 Uhr", "2025-06-11T18:00:00+02:00"),
    ("18 Uhr 30", "2025-06-11T18:30:00+02:00"),
    ("um halb sieben", "2025-06-12T06:30:00+02:00"),
    ("in 10 Minuten", "2025-06-11T14:30:00+02:00"),
    ("in einer Stunde", "2025-06-11T15:20:00+02:00"),
    ("in anderthalb Stunden", "2025-06-11T15:50:00+02:00"),
    ("am 24.12.", "2025-12-24T09:00:00+01:00"),
    ("24. Dezember um 12", "2025-12-24T12:00:00+01:00"),
    ("am 5.", "2025-07-05T09:00:00+02:00"),
])
def test_parse_when(said: str, expected: str) -> None:
    got = parse_when(said, WED)
    assert got.isoformat() == expected
    assert got.tzinfo is ZURICH


def test_the_default_time_of_day_is_a_parameter() -> None:
    assert parse_when("on Friday", WED, default_time=time(7, 15)).isoformat() == "2025-06-13T07:15:00+02:00"


@pytest.mark.parametrize(("now", "said", "expected"), [
    # Spring forward: Sunday 30 March 2025, 02:00 CET -> 03:00 CEST.
    (datetime(2025, 3, 29, 10, 0, tzinfo=ZURICH), "tomorrow at 9", "2025-03-30T09:00:00+02:00"),
    (datetime(2025, 3, 29, 10, 0, tzinfo=ZURICH), "on Sunday", "2025-03-30T09:00:00+02:00"),
    (datetime(2025, 3, 29, 10, 0, tzinfo=ZURICH), "in 1 day", "2025-03-30T10:00:00+02:00"),  # same wall time
    (datetime(2025, 3, 29, 10, 0, tzinfo=ZURICH), "in 24 hours", "2025-03-30T11:00:00+02:00"),  # real time
    (datetime(2025, 3, 29, 10, 0, tzinfo=ZURICH), "tomorrow at 2:30", "2025-03-30T03:30:00+02:00"),  # skipped hour
    (datetime(2025, 3, 30, 1, 50, tzinfo=ZURICH), "in 20 minutes", "2025-03-30T03:10:00+02:00"),
    # Fall back: Sunday 26 October 2025, 03:00 CEST -> 02:00 CET.
    (datetime(2025, 10, 25, 10, 0, tzinfo=ZURICH), "tomorrow at 9", "2025-10-26T09:00:00+01:00"),
    (datetime(2025, 10, 25, 10, 0, tzinfo=ZURICH), "tomorrow at 2:30", "2025-10-26T02:30:00+02:00"),  # 1st of two
    (datetime(2025, 10, 26, 2, 55, tzinfo=ZURICH), "in 10 minutes", "2025-10-26T02:05:00+01:00"),
    (datetime(2025, 10, 24, 12, 0, tzinfo=ZURICH), "next Monday", "2025-10-27T09:00:00+01:00"),
])
def test_parse_when_across_dst_changes(now: datetime, said: str, expected: str) -> None:
    assert parse_when(said, now).isoformat() == expected


def test_the_result_is_in_nows_zone_whatever_it_is() -> None:
    utc_now = WED.astimezone(timezone.utc)
    assert parse_when("in 10 minutes", utc_now).isoformat() == "2025-06-11T12:30:00+00:00"


@pytest.mark.parametrize(("said", "left"), [
    ("on Fryday", "fryday"),
    ("wake me", "wake me"),
    ("February 30", "February 30"),
    ("2024-01-01", "2024-01-01"),  # a full date that has passed is refused, not moved
    ("at 25:00", "at 25:00"),
    ("13 pm", "13 pm"),
    ("in a bit", "a bit"),
    ("Friday and Monday", "and monday"),  # the second date is what was not understood
    ("in 10 minutes at 9", "in 10 minutes at 9"),
    ("on Friday in 2 hours", "on Friday in 2 hours"),
    ("", ""),
])
def test_what_is_not_a_time_is_refused_with_the_words_not_understood(said: str, left: str) -> None:
    with pytest.raises(BadTime) as refused:
        parse_when(said, WED)
    assert refused.value.text == left
    assert "say e.g." in str(refused.value)


def test_a_naive_now_is_a_bug_of_the_caller() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        parse_when("on Friday", datetime(2025, 6, 11, 14, 20))


@pytest.mark.parametrize(("said", "seconds"), [
    ("5 minutes", 300),
    ("an hour and a half", 5400),
    ("one and a half hours", 5400),
    ("1.5 hours", 5400),
    ("1h30", 5400),
    ("1h30m", 5400),
    ("1 h 30", 5400),
    ("90 seconds", 90),
    ("30s", 30),
    ("10 mins", 600),
    ("a minute and 20 seconds", 80),
    ("2 hours 15 minutes", 8100),
    ("2 hours, 15 minutes and 10 seconds", 8110),
    ("half an hour", 1800),
    ("a quarter of an hour", 900),
    ("three quarters of an hour", 2700),
    ("twenty five minutes", 1500),
    ("twenty-five minutes", 1500),
    ("2 and a half minutes", 150),
    ("hour", 3600),
    ("for 5 minutes", 300),
    ("a day", 86400),
    ("eine halbe Stunde", 1800),
    ("anderthalb Stunden", 5400),
    ("eineinhalb Stunden", 5400),
    ("fünfundzwanzig Minuten", 1500),
    ("1 Stunde und 20 Minuten", 4800),
    ("zehn Minuten", 600),
    ("90 Sekunden", 90),
])
def test_parse_duration(said: str, seconds: int) -> None:
    assert parse_duration(said) == seconds


@pytest.mark.parametrize("said", ["", "banana", "1:30", "0 minutes", "5", "minutes 5 banana", "an hour or two"])
def test_parse_duration_refuses_what_is_not_a_length(said: str) -> None:
    with pytest.raises(BadTime) as refused:
        parse_duration(said)
    assert refused.value.text == said


@pytest.mark.parametrize(("text", "phrase", "due"), [
    ("Remind Anna Keller that the boiler service is on Friday.", "on Friday", "2025-06-13T09:00:00+02:00"),
    (("Remind <PERSON_1> (<EMAIL_1>, <PHONE_1>) that the boiler service is on Friday, and explain how a "
      "condensing boiler works."), "on Friday", "2025-06-13T09:00:00+02:00"),
    ("wake me at 6:30", "at 6:30", "2025-06-12T06:30:00+02:00"),
    ("remind me to call mom in 10 minutes", "in 10 minutes", "2025-06-11T14:30:00+02:00"),
    ("remind me tomorrow at 8 to water the plants", "tomorrow at 8", "2025-06-12T08:00:00+02:00"),
    ("erinnere mich morgen um 7 an den Müll", "morgen um 7", "2025-06-12T07:00:00+02:00"),
])
def test_find_when_finds_the_phrase_inside_a_request(text: str, phrase: str, due: str) -> None:
    found = find_when(text, WED)
    assert found is not None
    assert (text[found.start:found.end], found.due.isoformat()) == (phrase, due)


@pytest.mark.parametrize("text", ["buy the 12 eggs", "turn off the kitchen light", "explain how a heat pump works"])
def test_find_when_finds_nothing_where_no_time_is_said(text: str) -> None:
    assert find_when(text, WED) is None


@pytest.mark.parametrize(("text", "phrase", "seconds"), [
    ("start a 1 hour and 15 minute timer", "1 hour and 15 minute", 4500),
    ("start a 5 minute timer named pizza", "5 minute", 300),
    ("add 2 minutes to the pasta timer", "2 minutes", 120),
    ("Timer für 1 Stunde, 15 Minuten und 30 Sekunden", "1 Stunde, 15 Minuten und 30 Sekunden", 4530),
])
def test_find_duration_finds_the_length_inside_a_request(text: str, phrase: str, seconds: int) -> None:
    found = find_duration(text)
    assert found is not None
    assert (text[found.start:found.end], found.seconds) == (phrase, seconds)


def test_find_duration_finds_nothing_where_no_length_is_said() -> None:
    assert find_duration("cancel the timer") is None
