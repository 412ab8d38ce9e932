"""JSON Schemas of tool arguments: small builders for the slot types, and validation at the boundary.

Slots follow Home Assistant's names and value types (`brightness` 0-100, `temperature` a number,
`volume_step` "up" / "down" / a number); numbers are numbers. Validation uses `jsonschema`; its
errors become a `ToolError` that names the slot and the rule, never the value (it may be private).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from device.errors import ToolError

TEXT: dict[str, Any] = {"type": "string", "minLength": 1}
PERCENT: dict[str, Any] = {"type": "number", "minimum": 0, "maximum": 100}
NUMBER: dict[str, Any] = {"type": "number"}
COUNT: dict[str, Any] = {"type": "integer", "minimum": 0}
# the target slots of Home Assistant's device intents
TARGET: dict[str, Any] = {"name": TEXT, "area": TEXT, "floor": TEXT, "domain": TEXT, "device_class": TEXT}


def obj(required: tuple[str, ...] = (), /, **properties: Mapping[str, Any]) -> dict[str, Any]:
    """An object schema with exactly these properties (no others)."""
    return {"type": "object", "properties": {k: dict(v) for k, v in properties.items()},
            "required": list(required), "additionalProperties": False}


def validate(tool: str, schema: Mapping[str, Any], arguments: Mapping[str, Any]) -> None:
    """ToolError when `arguments` do not fit `schema` (the message names slots and rules, not values)."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(dict(schema))
    problems = sorted(validator.iter_errors(dict(arguments)), key=lambda e: list(e.path))
    if problems:
        where = "; ".join(f"{'.'.join(str(p) for p in e.path) or 'arguments'}: {e.validator} {e.validator_value!r}"
                          for e in problems[:3])
        raise ToolError(f"{tool}: the arguments do not fit its schema ({where})")
