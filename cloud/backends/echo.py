"""The `echo` backend: answers with the prompt, so load tests measure the transport and crypto."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import ClassVar

from protocol.messages import SubTask

__all__ = ["EchoBackend"]


class EchoBackend:
    """Returns the prompt: measures the transport and crypto, not a model.

    `delay_s` makes each answer take that long, so fault tests can kill a worker mid-task.
    """

    name: ClassVar[str] = "echo"
    can_stream: ClassVar[bool] = True

    def __init__(self, delay_s: float = 0.0) -> None:
        self.delay_s = delay_s
        self.inline = delay_s <= 0  # no delay: answers at once, never blocks the MQTT thread

    @property
    def model(self) -> str:
        return "echo"

    def generate(self, task: SubTask) -> Iterator[str]:
        if self.delay_s > 0:
            time.sleep(self.delay_s)
        yield task.prompt
