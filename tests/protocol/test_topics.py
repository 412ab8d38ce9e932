from __future__ import annotations

import pytest

from protocol.errors import MisaddressedError, ProtocolError
from protocol.topics import (
    WORKER_SHARE_GROUP,
    device_id_from_topic,
    parse_topic,
    result_topic,
    task_topic,
    worker_subscription,
)


def test_topic_names():
    assert task_topic("dev-1") == "tandem/v1/task/dev-1"
    assert result_topic("dev_1") == "tandem/v1/result/dev_1"
    assert WORKER_SHARE_GROUP == "tandem-workers"
    assert worker_subscription(shared=True) == "$share/tandem-workers/tandem/v1/task/+"
    assert worker_subscription(shared=False) == "tandem/v1/task/+"


def test_device_id_round_trips_through_topics():
    assert device_id_from_topic(task_topic("abc")) == "abc"
    assert parse_topic(result_topic("abc")) == ("result", "abc")


@pytest.mark.parametrize(
    "topic",
    [
        "tandem/v1/task/",
        "tandem/v1/task/a/b",
        "tandem/v2/task/a",
        "tandem/v1/other/a",
        "tandem/v1/task/+",
        "tandem/v1/task/a\n",
        "x",
    ],
)
def test_foreign_topics_are_misaddressed(topic):
    with pytest.raises(MisaddressedError):
        device_id_from_topic(topic)


@pytest.mark.parametrize("bad", ["", "a/b", "+", "#", "x" * 65])
def test_topic_builders_refuse_bad_device_ids(bad):
    with pytest.raises(ProtocolError):
        task_topic(bad)
