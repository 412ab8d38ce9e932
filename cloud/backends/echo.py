"""The `echo` backend: answers with the prompt, so load tests measure the transport and crypto.

A sub-task that carries earlier turns (`SubTask.history`) is answered with them too, one message per
line before the prompt, so tests see exactly what of a conversation reached the cloud.

It also plans tool calls, deterministically and without a model, so the planning path (device ->
worker -> device) is tested end to end: the tool whose name and description share the most words
with the request (ties: the first offered; none shared: no call), its string arguments filled with
the request's placeholders in order and its number arguments with the request's numbers.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator, Sequence
from typing import Any, ClassVar

from protocol.messages import SubTask
from protocol.tools import PlannedToolCall, ToolSpec

_WORD = re.compile(r"[a-z]+")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_PLACEHOLDER = re.compile(r"<[A-Z_]+_\d+>")
_NUMBER = re.compile(r"(?<![\w<])\d+(?:\.\d+)?(?![\w>])")
_STOP = frozenset({"a", "an", "the", "of", "to", "in", "on", "at", "for", "and", "or", "it", "is", "be", "my", "me",
                   "please", "set", "get"})

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
        for message in task.history or ():
            yield message.content + "\n"
        yield task.prompt

    def plan(self, prompt: str, tools: Sequence[ToolSpec]) -> PlannedToolCall | None:
        """The keyword plan described in the module docstring (a test double, not a model)."""
        if self.delay_s > 0:
            time.sleep(self.delay_s)
        asked = _words(_PLACEHOLDER.sub(" ", prompt))
        best, best_score = None, 0
        for tool in tools:
            score = len(asked & _words(_CAMEL.sub(" ", tool.name) + " " + tool.description))
            if score > best_score:
                best, best_score = tool, score
        if best is None:
            return None
        placeholders = _PLACEHOLDER.findall(prompt)
        numbers = [float(n) if "." in n else int(n) for n in _NUMBER.findall(prompt)]
        properties = best.parameters.get("properties")
        arguments: dict[str, Any] = {}
        for name, schema in (properties.items() if isinstance(properties, dict) else ()):
            kind = schema.get("type") if isinstance(schema, dict) else None
            if kind == "string" and placeholders:
                arguments[name] = placeholders.pop(0)
            elif kind in ("number", "integer") and numbers:
                arguments[name] = numbers.pop(0)
        return PlannedToolCall(name=best.name, arguments=arguments)


def _words(text: str) -> set[str]:
    return set(_WORD.findall(text.lower())) - _STOP
