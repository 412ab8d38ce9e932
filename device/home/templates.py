"""The small part of Home Assistant's MQTT templates that devices actually send, without a Jinja engine.

Value templates (reading a state): one expression, `{{ value }}` or `{{ value_json.a.b }}` /
`{{ value_json['a'][0] }}`, optionally through the filters `float`, `int`, `round(n)`, `lower`,
`upper`, `string`, `trim`. That is what Zigbee2MQTT, ESPHome and most Tasmota configs use. Anything
else (`{% if %}`, arithmetic, other filters) is refused when the config arrives
(`UnsupportedTemplate`), so the entity is known but that part of its state is not followed, and the
log says which template it was.

Command templates (writing a command): text with `{{ value }}` (`{{ position }}` for covers,
`{{ red }}`/`{{ green }}`/`{{ blue }}` for RGB),
optionally `| int`, replaced by the value; e.g. Zigbee2MQTT's `{"position": {{ position }}}`.

Rendering mimics Jinja's: a JSON `true` renders "True", a number as Python prints it; a missing key
or a payload that is not JSON renders nothing (None): the message does not change the state, as
Home Assistant ignores it with a warning.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

__all__ = ["UnsupportedTemplate", "ValueTemplate", "render_command"]

_EXPR = re.compile(r"^\s*\{\{\s*(?P<expr>.+?)\s*\}\}\s*$", re.DOTALL)
_PATH = re.compile(r"""\.(?P<attr>[A-Za-z_][A-Za-z0-9_]*)|\[\s*(?:(?P<index>-?\d+)|'(?P<sq>[^']*)'|"(?P<dq>[^"]*)")\s*\]""")
_FILTER = re.compile(r"^(?P<name>[a-z_]+)(?:\(\s*(?P<arg>-?\d+)?\s*\))?$")
_FILTERS = ("float", "int", "round", "lower", "upper", "string", "trim")
_COMMAND = re.compile(r"\{\{\s*(?P<var>value|position|red|green|blue|brightness)\s*(?:\|\s*(?P<filter>int|float|string)\s*)?\}\}")


class UnsupportedTemplate(ValueError):
    """A template beyond the supported forms (see the module doc)."""


_MISSING = object()


@dataclass(frozen=True)
class ValueTemplate:
    source: str
    json_path: tuple[str | int, ...] | None
    """None: the template reads the raw `value`; else the path into `value_json`."""
    filters: tuple[tuple[str, int | None], ...] = ()

    @classmethod
    def parse(cls, text: str) -> ValueTemplate:
        match = _EXPR.match(text)
        if match is None or "{%" in text:
            raise UnsupportedTemplate(f"template {text!r} is not a single {{{{ value... }}}} expression")
        head, *filters = [part.strip() for part in match.group("expr").split("|")]
        path: tuple[str | int, ...] | None
        if head == "value":
            path = None
        elif head.startswith("value_json"):
            rest, parts = head[len("value_json"):], []
            while rest:
                step = _PATH.match(rest)
                if step is None:
                    raise UnsupportedTemplate(f"template {text!r}: cannot read {rest!r} (only .key and ['key'])")
                if step.group("attr") is not None:
                    parts.append(step.group("attr"))
                elif step.group("index") is not None:
                    parts.append(int(step.group("index")))
                else:
                    parts.append(step.group("sq") if step.group("sq") is not None else step.group("dq"))
                rest = rest[step.end():]
            path = tuple(parts)
        else:
            raise UnsupportedTemplate(f"template {text!r} reads {head!r}; only value and value_json are supported")
        parsed: list[tuple[str, int | None]] = []
        for f in filters:
            fm = _FILTER.match(f)
            if fm is None or fm.group("name") not in _FILTERS:
                raise UnsupportedTemplate(f"template {text!r}: filter {f!r} is not supported ({', '.join(_FILTERS)})")
            arg = fm.group("arg")
            parsed.append((fm.group("name"), int(arg) if arg is not None else None))
        return cls(text, path, tuple(parsed))

    def render(self, payload: str) -> str | None:
        """The template's text for this payload, or None when the value is not there."""
        value: Any = payload
        if self.json_path is not None:
            try:
                value = json.loads(payload)
            except ValueError:
                return None
            for step in self.json_path:
                value = _step(value, step)
                if value is _MISSING:
                    return None
        for name, arg in self.filters:
            value = _apply(name, arg, value)
            if value is _MISSING:
                return None
        return _jinja_str(value)


def _step(value: Any, step: str | int) -> Any:
    if isinstance(step, int):
        return value[step] if isinstance(value, list) and -len(value) <= step < len(value) else _MISSING
    return value.get(step, _MISSING) if isinstance(value, dict) else _MISSING


def _apply(name: str, arg: int | None, value: Any) -> Any:
    try:
        if name == "float":
            return float(value)
        if name == "int":
            return int(float(value))
        if name == "round":
            return round(float(value), arg or 0)
    except (TypeError, ValueError):
        return _MISSING
    text = _jinja_str(value)
    return {"lower": text.lower(), "upper": text.upper(), "trim": text.strip()}.get(name, text)


def _jinja_str(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return str(value)


def render_command(template: str, **variables: Any) -> str:
    """`template` with `{{ value }}` / `{{ position }}` replaced; UnsupportedTemplate for anything else."""

    def substitute(match: re.Match[str]) -> str:
        name = match.group("var")
        if name not in variables:
            raise UnsupportedTemplate(f"command template {template!r} uses {name!r}, which this command lacks")
        value = variables[name]
        kind = match.group("filter")
        if kind == "int":
            value = int(float(value))
        elif kind == "float":
            value = float(value)
        return _jinja_str(value)

    out = _COMMAND.sub(substitute, template)
    if "{{" in out or "{%" in out:
        raise UnsupportedTemplate(f"command template {template!r} is beyond {{{{ value }}}} substitution")
    return out
