"""The inventory loader: the shared example, Home Assistant's fixture conventions, JSON, and broken files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from device.errors import InventoryError
from device.home.inventory import load_inventory, parse_inventory

DATA = Path(__file__).parent / "data"
EXAMPLE = DATA / "example_inventory.yaml"
"""A copy of the project's shared example inventory (shared/data/home/example_inventory.yaml)."""


def test_the_shared_example_loads_with_areas_floors_and_attributes() -> None:
    inv = load_inventory(EXAMPLE)
    assert [f.id for f in inv.floors] == ["ground", "upstairs"]
    assert [(a.id, a.floor) for a in inv.areas] == [
        ("kitchen", "ground"), ("living_room", "ground"), ("study", "upstairs"), ("nursery", "upstairs")]
    assert len(inv.entities) == 16
    by_id = {e.id: e for e in inv.entities}
    assert by_id["light.pendant"].aliases == ("table light",)
    assert by_id["light.pendant"].area == "kitchen"
    assert by_id["climate.heat_pump"].attributes["current_temperature"] == 20.5
    sensor = by_id["sensor.nursery_temperature"]
    assert (sensor.state, sensor.device_class, sensor.unit, sensor.domain) == ("19.8", "temperature", "°C", "sensor")
    blind = by_id["cover.study_blind"]
    assert blind.attributes["current_position"] == 100 and "position" not in blind.attributes
    assert by_id["weather.home"].unit == "°C" and by_id["todo.shopping_list"].area is None


def test_home_assistant_fixture_conventions() -> None:
    inv = load_inventory(DATA / "fixture_shape.yaml")
    by_id = {e.id: e for e in inv.entities}
    assert by_id["light.bedroom_lamp"].state == "off"  # YAML's boolean read back as the state
    assert by_id["light.study_lamp"].area == "study_id"  # area by name
    assert [a.floor for a in inv.areas] == ["upstairs_id", "upstairs_id", "ground_floor_id"]  # floor by name
    hallway = inv.find_area("entrance")
    assert hallway is not None and hallway.id == "hallway"
    assert by_id["light.hall_ceiling"].area == "hallway"
    assert by_id["binary_sensor.hall_window"].state == "on"  # {in, out}: the state is `out`
    assert by_id["cover.garage"].attributes["current_position"] == 0  # "0" is a number
    assert by_id["todo.trader_joes"].name == "Trader Joe's"
    assert by_id["todo.trader_joes"].aliases == ("Trader Joes",)
    assert "camera.secret" not in by_id  # is_exposed: false stays hidden
    assert (by_id["scene.movie_night"].name, by_id["scene.movie_night"].state) == ("Movie Night", "unknown")
    assert inv.floors[1].aliases == ("downstairs",)


def test_json_inventory(tmp_path: Path) -> None:
    path = tmp_path / "home.json"
    path.write_text(json.dumps({"areas": [{"id": "den", "name": "Den"}],
                                "entities": [{"id": "switch.radio", "name": "Radio", "area": "Den", "state": True}]}))
    inv = load_inventory(path)
    assert inv.entities[0].area == "den" and inv.entities[0].state == "on"


def _problem(tmp_path: Path, text: str, suffix: str = ".yaml") -> str:
    path = tmp_path / f"home{suffix}"
    path.write_text(text)
    with pytest.raises(InventoryError) as info:
        load_inventory(path)
    return str(info.value)


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    message = _problem(tmp_path, "areas:\n  - id: kitchen\n    name: [Kitchen\nentities: []\n")
    assert "home.yaml:4" in message and "not valid YAML" in message


def test_an_unknown_area_names_line_field_and_the_areas_that_exist(tmp_path: Path) -> None:
    message = _problem(tmp_path, "areas:\n  - {id: kitchen, name: Kitchen}\nentities:\n"
                                 "  - {id: light.a, name: A, area: kitchen}\n"
                                 "  - {id: light.b, name: B, area: Kitchn}\n")
    assert "home.yaml:5: entities[1].area" in message
    assert "'Kitchn' names no area" in message and "kitchen (Kitchen)" in message


def test_a_misspelt_field_is_an_error_not_ignored(tmp_path: Path) -> None:
    message = _problem(tmp_path, "entities:\n  - id: light.a\n    name: A\n    aera: kitchen\n")
    assert "home.yaml:4: entities[0].aera: unknown field" in message


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    message = _problem(tmp_path, "floors:\n  - {id: up, name: Up}\nareas:\n  - {id: den, name: Den, floor: attic}\n"
                                 "entities:\n  - {id: kitchen_light, name: A}\n  - {id: light.b, name: B}\n"
                                 "  - {id: light.b, name: B again}\n")
    assert "3 problem(s)" in message
    assert "areas[0].floor: 'attic' names no floor" in message
    assert "'kitchen_light' is not an entity id" in message
    assert "entity id 'light.b' is used twice" in message


def test_a_bad_state_says_what_a_state_may_be(tmp_path: Path) -> None:
    message = _problem(tmp_path, "entities:\n  - id: light.a\n    state: [1, 2]\n")
    assert "home.yaml:3: entities[0].state" in message and "{in: spoken words, out: state}" in message
    assert message.count("entities[0].state") == 1


def test_broken_json_and_wrong_shapes(tmp_path: Path) -> None:
    assert "home.json:2: not valid JSON" in _problem(tmp_path, '{"areas": [],\n  "entities": [}', ".json")
    assert "must be a mapping" in _problem(tmp_path, "- just\n- a list\n")
    assert "required field is missing" in _problem(tmp_path, "entities:\n  - {name: No Id}\n")


def test_a_missing_file_names_the_setting(tmp_path: Path) -> None:
    with pytest.raises(InventoryError, match="TANDEM_HOME__INVENTORY"):
        load_inventory(tmp_path / "nope.yaml")


def test_an_empty_file_is_an_empty_home(tmp_path: Path) -> None:
    path = tmp_path / "empty.yaml"
    path.write_text("")
    assert load_inventory(path).entities == ()
    assert parse_inventory({}).areas == ()
