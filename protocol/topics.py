"""MQTT topic names. One place, so device, worker and broker ACLs agree.

    tandem/v1/task/<device_id>     device -> pool   (workers subscribe to tandem/v1/task/+)
    tandem/v1/result/<device_id>   pool -> device   (each device subscribes to its own)

Workers share the task stream through the MQTT 5 shared subscription `$share/tandem-workers/...`
so each task reaches one worker; brokers without shared subscriptions (amqtt, MQTT 3.1.1) take the
plain filter, and then every worker receives every task.
"""

from __future__ import annotations

import re

from protocol.errors import MisaddressedError, ProtocolError
from protocol.messages import DEVICE_ID_PATTERN

__all__ = [
    "PREFIX",
    "WORKER_SHARE_GROUP",
    "device_id_from_topic",
    "parse_topic",
    "result_topic",
    "task_topic",
    "worker_subscription",
]

PREFIX = "tandem/v1"
WORKER_SHARE_GROUP = "tandem-workers"

_TOPIC_RE = re.compile(r"^tandem/v1/(task|result)/(" + DEVICE_ID_PATTERN.strip("^$") + r")$")


def task_topic(device_id: str) -> str:
    return f"{PREFIX}/task/{_check(device_id)}"


def result_topic(device_id: str) -> str:
    return f"{PREFIX}/result/{_check(device_id)}"


def worker_subscription(shared: bool) -> str:
    plain = f"{PREFIX}/task/+"
    return f"$share/{WORKER_SHARE_GROUP}/{plain}" if shared else plain


def parse_topic(topic: str) -> tuple[str, str]:
    """(kind, device_id) of a tandem topic; MisaddressedError for anything else."""
    m = _TOPIC_RE.fullmatch(topic) if isinstance(topic, str) else None
    if m is None:
        raise MisaddressedError(
            f"topic {topic!r} is not a tandem/v1 task or result topic: message dropped; check the "
            f"subscription filter and the sender's topic"
        )
    return m.group(1), m.group(2)


def device_id_from_topic(topic: str) -> str:
    return parse_topic(topic)[1]


def _check(device_id: str) -> str:
    if not isinstance(device_id, str) or not re.fullmatch(DEVICE_ID_PATTERN, device_id):
        raise ProtocolError(
            f"invalid device id {device_id!r}: use 1-64 characters from A-Z, a-z, 0-9, '_' and '-'"
        )
    return device_id
