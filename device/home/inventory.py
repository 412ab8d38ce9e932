"""The home from a file: floors, areas and entities in the shape of Home Assistant's intent-test fixtures.

    floors:   [{id, name, aliases}]
    areas:    [{id, name, floor, aliases}]           floor: a floor's id or name
    entities: [{id, name, aliases, area, state, attributes, is_exposed}]
                                                     id: domain.object_id; area: an area's id or name

YAML or JSON (by suffix; anything else is read as YAML, which JSON also is). The fixtures' other
sections (`language`, `timers`, `media`, `shopping_list`) are accepted and ignored: they are not the
home. Fixture conventions kept: a `state` given as `{in: spoken, out: value}` takes `out`; an
entity with `is_exposed: false` is left out (the assistant must not see it); a name with optional
parts (`Trader Joe[']s`) is the name with them and an alias without. An unquoted YAML `on`/`off`
(a boolean to YAML) is read back as the state "on"/"off". Attributes keep Home Assistant's names;
a cover's or valve's `position` becomes `current_position`, the attribute Home Assistant shows.

Every mistake is reported at once, each with its line (YAML), its field and what to change.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from device.errors import InventoryError
from device.home.model import UNKNOWN, Area, Entity, Floor

__all__ = ["Inventory", "load_inventory", "parse_inventory", "slugify"]

log = logging.getLogger(__name__)

_NUMERIC_ATTRIBUTES = ("current_position", "brightness", "temperature", "current_temperature", "volume_level",
                       "percentage")
_ENTITY_ID = re.compile(r"^[a-z_][a-z0-9_]*\.\S(?:.*\S)?$")


def slugify(text: str) -> str:
    """Home Assistant's object-id style: lower case, runs of other characters become one `_`."""
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_") or "unnamed"


@dataclass(frozen=True)
class Inventory:
    floors: tuple[Floor, ...] = ()
    areas: tuple[Area, ...] = ()
    entities: tuple[Entity, ...] = ()
    source: str = "<inventory>"

    def area(self, area_id: str) -> Area | None:
        return next((a for a in self.areas if a.id == area_id), None)

    def find_area(self, ref: str) -> Area | None:
        """An area by id, name or alias (case-insensitive), or by its name's slug."""
        return _find(self.areas, ref)

    def find_floor(self, ref: str) -> Floor | None:
        return _find(self.floors, ref)


def _find(items: Iterable[Area] | Iterable[Floor], ref: str) -> Any:
    key = ref.strip().casefold()
    for item in items:
        if key == item.id.casefold() or key == item.name.casefold() or key in (a.casefold() for a in item.aliases) \
                or slugify(ref) == item.id or slugify(ref) == slugify(item.name):
            return item
    return None


# -- the file's shape (pydantic: typos in field names are errors, not silently ignored) ----------------


class _Doc(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class _FloorDoc(_Doc):
    id: str
    name: str
    aliases: list[str] = Field(default_factory=list)
    level: int | None = None
    icon: str | None = None


class _AreaDoc(_Doc):
    id: str | None = None
    name: str
    floor: str | None = None
    aliases: list[str] = Field(default_factory=list)
    icon: str | None = None


class _SpokenState(_Doc):
    spoken: str = Field(alias="in")
    out: str | int | float | bool


class _EntityDoc(_Doc):
    id: str
    name: str | None = None
    aliases: list[str] = Field(default_factory=list)
    area: str | None = None
    state: _SpokenState | str | int | float | bool | None = None
    attributes: dict[str, Any] = Field(default_factory=dict)
    is_exposed: bool = True


class _InventoryDoc(_Doc):
    floors: list[_FloorDoc] = Field(default_factory=list)
    areas: list[_AreaDoc] = Field(default_factory=list)
    entities: list[_EntityDoc] = Field(default_factory=list)
    language: str | None = None
    timers: list[Any] = Field(default_factory=list)
    media: list[Any] = Field(default_factory=list)
    shopping_list: list[Any] = Field(default_factory=list)


_LineOf = Callable[[Sequence[str | int]], int | None]


def load_inventory(path: str | Path) -> Inventory:
    """Read and check an inventory file; InventoryError lists every problem with line and field."""
    path = Path(path).expanduser()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InventoryError(f"cannot read the home inventory {path} ({exc}): check [home] inventory "
                             "(TANDEM_HOME__INVENTORY)") from exc
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InventoryError(f"{path}:{exc.lineno}: not valid JSON ({exc.msg}): fix the syntax there") from exc
        return parse_inventory(data, source=str(path))
    data, line_of = _load_yaml(text, str(path))
    return parse_inventory(data, source=str(path), line_of=line_of)


def _load_yaml(text: str, source: str) -> tuple[Any, _LineOf]:
    try:
        import yaml
    except ImportError as exc:
        raise InventoryError(f"reading the YAML inventory {source} needs PyYAML: pip install 'tandem-edge[device]' "
                             "(or write the inventory as .json)") from exc

    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{source}:{mark.line + 1}" if mark is not None else source
        problem = getattr(exc, "problem", None) or str(exc)
        raise InventoryError(f"{where}: not valid YAML ({problem}): fix the syntax there "
                             "(indentation, a missing ':' or an unclosed quote)") from exc
    finally:
        loader.dispose()

    def line_of(loc: Sequence[str | int]) -> int | None:
        current = node
        line = None if current is None else current.start_mark.line + 1
        for key in loc:
            if isinstance(current, yaml.MappingNode):
                current = next((v for k, v in current.value if getattr(k, "value", None) == key), None)
            elif isinstance(current, yaml.SequenceNode) and isinstance(key, int) and key < len(current.value):
                current = current.value[key]
            else:
                break
            if current is None:
                break
            line = current.start_mark.line + 1
        return line

    return data, line_of


def parse_inventory(data: Any, *, source: str = "<inventory>", line_of: _LineOf | None = None) -> Inventory:
    """An inventory from already-parsed data (a dict in the file's shape)."""
    if data is None:
        data = {}
    if not isinstance(data, Mapping):
        raise InventoryError(f"{source}: the inventory must be a mapping with floors, areas and entities "
                             f"(found a {type(data).__name__})")
    problems: list[str] = []

    def where(loc: Sequence[str | int]) -> str:
        line = line_of(loc) if line_of is not None else None
        path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".")
        return f"{source}:{line}: {path}" if line is not None else f"{source}: {path}"

    try:
        doc = _InventoryDoc.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            loc = _doc_loc(err["loc"])
            problem = f"{where(loc)}: {_explain(err, loc)}"
            if problem not in problems:  # a union (state) reports once per member
                problems.append(problem)
        raise InventoryError(_summary(source, problems)) from exc

    floors: list[Floor] = []
    for i, f in enumerate(doc.floors):
        if any(x.id == f.id for x in floors):
            problems.append(f"{where(['floors', i, 'id'])}: floor id {f.id!r} is used twice: give each floor its own id")
        floors.append(Floor(f.id, f.name, tuple(f.aliases)))
    floor_index = Inventory(floors=tuple(floors))

    areas: list[Area] = []
    for i, a in enumerate(doc.areas):
        area_id = a.id or slugify(a.name)
        if any(x.id == area_id for x in areas):
            problems.append(f"{where(['areas', i, 'id'])}: area id {area_id!r} is used twice: give each area its "
                            "own id")
        floor_id = None
        if a.floor is not None:
            floor = floor_index.find_floor(a.floor)
            if floor is None:
                problems.append(f"{where(['areas', i, 'floor'])}: {a.floor!r} names no floor; floors: "
                                f"{_listing(floors)}: use one of them or add the floor under `floors`")
            else:
                floor_id = floor.id
        areas.append(Area(area_id, a.name, floor_id, tuple(a.aliases)))
    area_index = Inventory(floors=tuple(floors), areas=tuple(areas))

    entities: list[Entity] = []
    seen: set[str] = set()
    for i, e in enumerate(doc.entities):
        if not _ENTITY_ID.match(e.id):
            problems.append(f"{where(['entities', i, 'id'])}: {e.id!r} is not an entity id: write domain.object_id, "
                            "e.g. light.kitchen_spots")
            continue
        if e.id in seen:
            problems.append(f"{where(['entities', i, 'id'])}: entity id {e.id!r} is used twice: entity ids are unique")
            continue
        seen.add(e.id)
        entity_area = None
        if e.area is not None:
            area = area_index.find_area(e.area)
            if area is None:
                problems.append(f"{where(['entities', i, 'area'])}: {e.area!r} names no area; areas: "
                                f"{_listing(areas)}: use one of them or add the area under `areas`")
            else:
                entity_area = area.id
        if not e.is_exposed:
            log.debug("inventory entity %s is not exposed: left out", e.id)
            continue
        name, more_aliases = _spoken_name(e.name or e.id.split(".", 1)[1].replace("_", " ").title())
        entities.append(Entity(e.id, name, tuple(dict.fromkeys([*more_aliases, *e.aliases])), entity_area,
                               _state(e.state), _attributes(e.id, e.attributes)))
    if problems:
        raise InventoryError(_summary(source, problems))
    return Inventory(tuple(floors), tuple(areas), tuple(entities), source)


def _doc_loc(loc: Sequence[str | int]) -> list[str | int]:
    """pydantic's error location without the union-member tags it inserts (`str`, `_SpokenState`, ...)."""
    tags = {"str", "int", "float", "bool", "none"}
    return [p for p in loc if isinstance(p, int) or not (p in tags or p.startswith("_") or "[" in p)]


def _explain(err: Any, loc: Sequence[str | int]) -> str:
    kind = err.get("type", "")
    if kind == "extra_forbidden":
        return ("unknown field: check its spelling (an entity has id, name, aliases, area, state, attributes, "
                "is_exposed; an area id, name, floor, aliases; a floor id, name, aliases)")
    if kind == "missing":
        return "required field is missing: add it"
    if "state" in loc:
        return "a state is text, a number, on/off, or {in: spoken words, out: state}: fix the value"
    return f"{err.get('msg', 'invalid value')}: fix the value"


def _summary(source: str, problems: list[str]) -> str:
    head = f"the home inventory {source} has {len(problems)} problem(s):\n  "
    return head + "\n  ".join(problems[:20]) + ("\n  ..." if len(problems) > 20 else "")


def _listing(items: Sequence[Area] | Sequence[Floor]) -> str:
    return ", ".join(f"{x.id} ({x.name})" for x in items) or "none defined"


def _spoken_name(name: str) -> tuple[str, list[str]]:
    """`Trader Joe[']s` -> ("Trader Joe's", ["Trader Joes"]): hassil's optional parts."""
    if "[" not in name:
        return name.strip(), []
    with_parts = re.sub(r"\[([^\]]*)\]", r"\1", name).strip()
    without = re.sub(r"\s+", " ", re.sub(r"\[[^\]]*\]", "", name)).strip()
    return with_parts, [without] if without and without != with_parts else []


def _state(value: Any) -> str:
    if isinstance(value, _SpokenState):
        value = value.out
    if value is None:
        return UNKNOWN
    if isinstance(value, bool):  # YAML 1.1 reads an unquoted on/off as a boolean
        return "on" if value else "off"
    return str(value)


def _attributes(entity_id: str, given: Mapping[str, Any]) -> dict[str, Any]:
    attrs = dict(given)
    if entity_id.split(".", 1)[0] in ("cover", "valve") and "position" in attrs and "current_position" not in attrs:
        attrs["current_position"] = attrs.pop("position")
    for key in _NUMERIC_ATTRIBUTES:
        value = attrs.get(key)
        if isinstance(value, str):
            try:
                attrs[key] = int(value) if re.fullmatch(r"-?\d+", value.strip()) else float(value)
            except ValueError:
                log.debug("attribute %s of %s is not a number: kept as text", key, entity_id)
    return attrs
