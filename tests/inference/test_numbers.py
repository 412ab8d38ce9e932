"""The numbers a request states, as a tool-call argument may copy them."""

import pytest

from inference.constrained import grounded, unmentioned_required
from inference.numbers import numbers_in, states_number


@pytest.mark.parametrize(("text", "value"), [
    ("the next three days", 3),
    ("twenty-one candles", 21),
    ("ninety nine problems", 99),
    ("a dozen eggs", 12),
    ("three hundred metres", 300),
    ("an annual rate of 5%", 0.05),
    ("4.5 percent a year", 0.045),
    ("213 million people", 213_000_000),
    ("8.5 million square kilometres", 8_500_000),
    ("a $10,000 deposit", 10_000),
    ("charges of 1e-9 and 2e-9", 2e-9),
    ("roll a six twice", 2),
])
def test_a_number_said_in_words_digits_scale_or_percent_is_stated(text: str, value: float) -> None:
    assert states_number(value, text)


@pytest.mark.parametrize(("text", "value"), [
    ("the next three days", 4),
    ("an annual rate of 5%", 0.5),
    ("213 million people", 213_000),
    ("someone said nothing", 2),
    ("version 10", 100),
])
def test_a_number_not_said_is_not_stated(text: str, value: float) -> None:
    assert not states_number(value, text)


def test_digits_inside_words_or_decimals_are_not_read_twice() -> None:
    assert numbers_in("A4 paper, version 3.25") == {3.25}


def test_the_required_value_check_accepts_a_spelled_or_percent_value() -> None:
    schema = {"properties": {"years": {"type": "integer"}, "rate": {"type": "number"}}, "required": ["years", "rate"]}
    assert unmentioned_required({"years": 5, "rate": 0.05}, schema, "invest for five years at 5%") == []
    assert unmentioned_required({"years": 7, "rate": 0.05}, schema, "invest for five years at 5%") == ["years"]
    assert grounded([3, 12], "three pumpkins and a dozen eggs")


def test_whole_numbers_become_floats_where_the_schema_declares_number() -> None:
    from inference.constrained import numbers_as_declared

    schema = {"properties": {"numbers": {"type": "array", "items": {"type": "number"}}, "count": {"type": "integer"},
                             "rate": {"type": "number"}, "flag": {"type": "number"},
                             "box": {"type": "object", "properties": {"width": {"type": "number"}}}}}
    out = numbers_as_declared({"numbers": [12, 15.5], "count": 3, "rate": 5, "flag": True, "box": {"width": 2}}, schema)
    assert out == {"numbers": [12.0, 15.5], "count": 3, "rate": 5.0, "flag": True, "box": {"width": 2.0}}
    assert type(out["numbers"][0]) is float and type(out["count"]) is int and out["flag"] is True
    assert type(out["box"]["width"]) is float
