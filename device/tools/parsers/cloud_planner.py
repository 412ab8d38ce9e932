"""The cloud as planner, the device as actor: a command the device cannot parse is planned in the cloud.

    step text (redacted) --mask_home--> the home's names as placeholders too (<DEVICE_1>, <AREA_1>)
      + the tools' specs, no values (offered_tools: names, descriptions, schemas without enums of
        private values, defaults or examples)
      -> SubTask(prompt, tools) through the escalator (sealed, as any escalation)
      <- TaskResult.tool_call: a call whose arguments may hold placeholders, or none
      -> checked here (an offered tool, arguments bounded, guesses dropped) -> ToolCall(planned_by="cloud")
      -> the device's tool executor restores the values from the vault and executes it under the
         act policy, as any call a local parser made

The cloud never executes anything and never sees a value: what leaves is the redacted text with the
home's entity, area and floor names replaced by placeholders in the conversation's vault, and the
tool schemas stripped of everything that could name a device, a room or a contact. The planner is
asked only when a step looks like a command that the local parsers could not parse, or parsed with
less confidence than `min_confidence` (`looks_like_command`: a cheap test of command verbs and device
words, so a knowledge question or a writing task is not sent to be planned).

Everything the cloud returns is untrusted. A call of a tool that was not offered is refused
(`PlanRefused`), as is one whose arguments do not fit the protocol's bounds (the escalator fails the
task with the protocol's reason) or the tool's schema (the executor refuses it before it runs).
A string argument that is neither a placeholder of this request nor words of the request is the
model's guess, and dropped when the tool does not require it, as is an optional argument that does
not fit its own schema (a colour temperature of 0) and a placeholder of the wrong kind in
a home tool's target slot (an e-mail address as an area); a placeholder this request does not hold
refuses the whole call (never act on a value the user did not give now).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from device.collab.steps import ToolCall
from device.errors import ToolError
from device.redaction.model import PLACEHOLDER_RE
from device.tools.parsers.base import HomeVocabulary
from protocol.messages import SubTask
from protocol.tools import ToolSpec

if TYPE_CHECKING:
    from device.escalation import Escalator, SentRecord
    from device.redaction.vault import Vault
    from device.tools import ToolRegistry

log = logging.getLogger(__name__)

__all__ = ["CloudPlanner", "PlanRefused", "looks_like_command", "mask_home", "offered_tools", "strip_values"]

PLACEHOLDER_TYPES = {"entity": "DEVICE", "area": "AREA", "floor": "FLOOR"}
"""The vault types of the home's names (`<DEVICE_1>` is an entity's name, `<AREA_1>` an area's)."""
_SLOT_KINDS = {"name": "DEVICE", "area": "AREA", "floor": "FLOOR"}
_ANY_SPELLING = re.compile(r"[<\[{]([A-Z_]+_\d+)[>\]}]")
"""A placeholder as the vault restores it: <PERSON_1>, and the [PERSON_1] / {PERSON_1} models write."""
_COMMAND = re.compile(
    r"\b(?:turn|switch|swap|kill|shut|cut|power|put|set|dim|brighten|bump|crank|raise|lower|drop|boost|make|"
    r"start|stop|pause|resume|unpause|play|skip|mute|unmute|open|close|shut|lock|unlock|arm|disarm|toggle|"
    r"activate|deactivate|enable|disable|remind|add|cancel|begin|kick|fire|light|heat|cool|warm|hit)\b",
    re.IGNORECASE)
_THING = re.compile(
    r"<(?:DEVICE|AREA|FLOOR)_\d+>|\b(?:lights?|lamps?|bulbs?|switch(?:es)?|fans?|blinds?|shades?|curtains?|"
    r"shutters?|covers?|garage|door|gate|locks?|heating|heater|thermostat|temperature|ac|air|tv|telly|"
    r"speakers?|music|volume|song|track|playlist|vacuum|hoover|mower|timer|countdown|alarm|reminder|list|"
    r"brightness|degrees|percent|%)\b", re.IGNORECASE)
_KNOWLEDGE = re.compile(r"^\s*(?:what|why|how|who|when|where|which|explain|describe|write|tell me about|"
                        r"compare|define|summari[sz]e|translate|is|are|does|do|should)\b", re.IGNORECASE)
_POLITE = re.compile(r"^\s*(?:(?:can|could|would|will)\s+you|please|i\s+(?:want|need|would like))\b",
                     re.IGNORECASE)


class PlanRefused(ToolError):
    """The cloud's plan cannot be executed (a tool that was not offered, an error result): nothing ran."""


def looks_like_command(text: str, names: Iterable[str] = ()) -> bool:
    """True when `text` reads like an instruction to a device or a timer, not a question or a writing
    task: a command verb and a device word or one of the home's `names`, not opened by a question word
    (unless it is a polite request, "can you dim the lights")."""
    if _KNOWLEDGE.match(text) and not _POLITE.match(text):
        return False
    if not _COMMAND.search(text):
        return False
    if _THING.search(text):
        return True
    low = text.casefold()
    return any(re.search(rf"(?<!\w){re.escape(n.casefold())}(?!\w)", low) for n in names if n.strip())


def mask_home(text: str, vocabulary: HomeVocabulary, vault: Vault) -> str:
    """`text` with every entity, area and floor name or alias of the home replaced by its placeholder
    (longest first, whole words, any case). The vault keeps the home's own spelling of the name, so the
    call restores to the name the home knows."""
    names: dict[str, tuple[str, str]] = {}
    for kind, items in (("floor", vocabulary.floors), ("area", vocabulary.areas), ("entity", vocabulary.entities)):
        for item in items:
            for word in (item.name, *item.aliases):
                if word.strip():
                    names.setdefault(word.casefold(), (PLACEHOLDER_TYPES[kind], item.name))
    if not names:
        return text
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
                         + r")(?!\w)", re.IGNORECASE)
    return pattern.sub(lambda m: vault.placeholder_for(*names[m.group().casefold()]), text)


def strip_values(schema: Any, private: frozenset[str]) -> Any:
    """`schema` without `examples` and `default` anywhere, and without an `enum` or `const` that holds a
    private value (a name in `private`, compared case-insensitively: the home's names, the vault's
    values): the cloud learns the arguments' types, not the home's or the user's values."""
    if isinstance(schema, list):
        return [strip_values(item, private) for item in schema]
    if not isinstance(schema, Mapping):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in ("examples", "default"):
            continue
        if key in ("enum", "const"):
            values = value if key == "enum" and isinstance(value, list) else [value]
            if any(isinstance(v, str) and v.casefold() in private for v in values):
                continue
        out[key] = strip_values(value, private) if key not in ("enum", "const") else value
    return out


def offered_tools(registry: ToolRegistry, vocabulary: HomeVocabulary,
                  extra_private: Iterable[str] = ()) -> tuple[ToolSpec, ...]:
    """The registry's tools as the cloud may see them: name, description, schema without private values."""
    private = frozenset(n.casefold() for items in (vocabulary.floors, vocabulary.areas, vocabulary.entities)
                        for item in items for n in (item.name, *item.aliases))
    private |= frozenset(v.casefold() for v in extra_private)
    return tuple(ToolSpec(name=d["name"], description=d["description"],
                          parameters=strip_values(d["parameters"], private))
                 for d in registry.describe())


@dataclass
class CloudPlanner:
    """Plans one step's call in the worker pool (module docstring). `min_confidence`: a local call below
    it is checked with the cloud too; `max_tokens`: the answer's budget."""

    registry: ToolRegistry
    vocabulary: Callable[[], HomeVocabulary]
    """The home's words as known now (`DeviceTools.vocabulary`: discovered devices come and go)."""
    min_confidence: float = 0.5
    max_tokens: int = 256
    timeout_s: float = 60.0

    def wanted(self, text: str, local: ToolCall | None) -> bool:
        """Whether to ask the cloud about `text`, given what the local parsers made of it."""
        if local is not None:
            return local.confidence < self.min_confidence
        vocabulary = self.vocabulary()
        return looks_like_command(text, (n for items in (vocabulary.floors, vocabulary.areas, vocabulary.entities)
                                         for item in items for n in (item.name, *item.aliases)))

    async def plan(self, text: str, escalator: Escalator, vault: Vault,
                   ) -> tuple[ToolCall | None, SentRecord]:
        """The call the cloud plans for `text` (redacted), or None when it sees no command; and what left.
        Raises EscalationError (no cloud, no answer, an out-of-bounds result) and PlanRefused (an error
        result, a tool that was not offered, a placeholder of another request)."""
        vocabulary = self.vocabulary()
        masked = mask_home(text, vocabulary, vault)
        tools = offered_tools(self.registry, vocabulary, vault.values())
        task = SubTask(prompt=masked, tools=tools, max_tokens=self.max_tokens)
        record, fut = await escalator.submit(task)
        log.info("asked the cloud to plan task=%s tools=%d bytes=%d", record.task_id, len(tools), record.wire_bytes)
        result = await escalator.wait(record, fut, self.timeout_s)
        if result.error:
            raise PlanRefused(f"the cloud could not plan the command: {result.error}")
        if result.tool_call is None:
            log.info("the cloud planned no call task=%s", record.task_id)
            return None, record
        return self.check(result.tool_call.name, result.tool_call.arguments, masked, tools), record

    def check(self, name: str, arguments: Mapping[str, Any], asked: str, offered: Sequence[ToolSpec]) -> ToolCall:
        """The cloud's call as the device will execute it; PlanRefused when it names a tool not offered."""
        if name not in {t.name for t in offered} or name not in self.registry:
            raise PlanRefused(f"the cloud planned a call of {name!r}, which is not a tool of this device: "
                              "refused, nothing was done")
        tool = self.registry.get(name)
        required = set(tool.schema.get("required", ()))
        words = {w.casefold() for w in re.findall(r"[\w%°.-]+", asked)}
        placeholders = set(PLACEHOLDER_RE.findall(asked))
        spelled = {f"<{m}>" for m in _ANY_SPELLING.findall(json.dumps(dict(arguments)))}
        foreign = sorted(spelled - placeholders)
        if foreign:  # a value of another request (or none at all): never acted on unasked
            raise PlanRefused(f"the cloud planned {name} with placeholders this request does not hold "
                              f"({', '.join(foreign)}): refused, nothing was done")
        properties = tool.schema.get("properties") or {}
        kept = {k: v for k, v in arguments.items()
                if k in required or (_fits_schema(properties.get(k), v) and (not isinstance(v, str) or (
                    _stated(v, placeholders, words) and _fits_slot(k, v, tool.home))))}
        dropped = sorted(set(arguments) - set(kept))
        if dropped:
            log.info("dropped guessed arguments of a planned call tool=%s slots=%s", name, dropped)
        return ToolCall(name, kept, confidence=1.0, planned_by="cloud")


def _fits_schema(schema: Any, value: Any) -> bool:
    """`value` fits its property's schema (an optional argument that does not is the model's filler, such
    as a colour temperature of 0); required ones are left to the executor's validation."""
    if not isinstance(schema, Mapping):
        return True
    import jsonschema

    return bool(jsonschema.Draft202012Validator(dict(schema)).is_valid(value))


def _fits_slot(slot: str, value: str, home: bool) -> bool:
    """A home tool's target slot takes only a placeholder of its kind (`name` a <DEVICE_n>, `area` an
    <AREA_n>, `floor` a <FLOOR_n>) or plain words: an e-mail address is never an area."""
    kind = _SLOT_KINDS.get(slot) if home else None
    match = PLACEHOLDER_RE.fullmatch(value.strip())
    return kind is None or match is None or value.strip().startswith(f"<{kind}_")


def _stated(value: str, placeholders: set[str], words: set[str]) -> bool:
    """The request holds `value`: it is one of its placeholders, or all its words are the request's."""
    if PLACEHOLDER_RE.fullmatch(value.strip()):
        return value.strip() in placeholders
    own = [w.casefold() for w in re.findall(r"[\w%°.-]+", value)]
    return bool(own) and all(w in words for w in own)

