"""The `slm` parser stage: the device model writes the call under a grammar built from the tools' schemas.

For what template matching and the learned parser cannot fill: users' own tools (any JSON Schema),
and phrasings nobody wrote a template for. The grammar (`inference.constrained.plan_call`) is "no
call, or one of these tools with arguments valid under its schema"; the home's slots (`name`,
`area`, `floor`) are narrowed to the inventory's own names, so the model cannot invent a device.
The call's confidence is the model's probability of calling at all times the geometric mean
probability of the call's tokens; below `min_call_probability` of calling, it is not a command.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from device.collab.steps import ToolCall
from device.tools.parsers.base import HomeVocabulary

if TYPE_CHECKING:
    from device.tools.base import Tool
    from inference.constrained import ToolSpec
    from inference.engine import Engine

log = logging.getLogger(__name__)

_HOME_SLOTS = ("name", "area", "floor")


def narrowed(schema: Mapping[str, Any], vocabulary: HomeVocabulary) -> dict[str, Any]:
    """`schema` with its string `name`/`area`/`floor` properties limited to the home's names."""
    names = {"name": sorted({e.name for e in vocabulary.entities}), "area": sorted({a.name for a in vocabulary.areas}),
             "floor": sorted({f.name for f in vocabulary.floors})}
    props = dict(schema.get("properties", {}))
    for slot in _HOME_SLOTS:
        spec = props.get(slot)
        if isinstance(spec, Mapping) and spec.get("type") == "string" and "enum" not in spec and names[slot]:
            props[slot] = {**spec, "enum": names[slot]}
    return {**schema, "properties": props} if props else dict(schema)


class SlmParser:
    """`CommandParser` over `tools` with the device model `engine` (one parse at a time: not thread-safe)."""

    name = "slm"

    def __init__(self, vocabulary: HomeVocabulary, engine: Engine, tools: Iterable[Tool], *,
                 min_call_probability: float = 0.5, max_tokens: int = 128) -> None:
        from inference.constrained import ToolSpec

        self.engine = engine
        self.min_call_probability = min_call_probability
        self.max_tokens = max_tokens
        self.tools: list[ToolSpec] = [
            ToolSpec(t.name, t.description, narrowed(t.schema, vocabulary) if t.home else dict(t.schema))
            for t in tools]

    def parse(self, text: str) -> ToolCall | None:
        from inference.constrained import plan_call

        call = plan_call(self.engine, text, self.tools, min_call_probability=self.min_call_probability,
                         max_tokens=self.max_tokens)
        if call is None:
            return None
        log.debug("slm call=%s confidence=%.2f", call.name, call.confidence)
        return ToolCall(call.name, dict(call.arguments), call.confidence)
