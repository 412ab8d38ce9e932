"""The `slm` parser stage: its registration, and the home's names narrowing the grammar."""

from __future__ import annotations

import pytest

from device.errors import CollabConfigError
from device.home.model import Area, Entity, Floor
from device.tools.parsers import ParserContext, make_parser
from device.tools.parsers.base import HomeVocabulary
from device.tools.parsers.slm import narrowed

VOCAB = HomeVocabulary(floors=(Floor("f1", "Ground Floor"),), areas=(Area("kitchen", "Kitchen", aliases=("cooking",)),),
                       entities=(Entity("light.kitchen", "Kitchen Light", aliases=("ceiling",), area="kitchen"),))


def test_home_slots_are_limited_to_the_inventorys_names() -> None:
    schema = {"type": "object", "properties": {"name": {"type": "string"}, "area": {"type": "string"},
                                               "floor": {"type": "string"}, "brightness": {"type": "integer"}}}
    props = narrowed(schema, VOCAB)["properties"]
    assert props["name"]["enum"] == ["Kitchen Light"] and props["area"]["enum"] == ["Kitchen"]
    assert props["floor"]["enum"] == ["Ground Floor"] and "enum" not in props["brightness"]
    assert narrowed(schema, HomeVocabulary())["properties"]["name"] == {"type": "string"}  # no home: as is


def test_slm_is_registered_and_needs_the_device_model() -> None:
    with pytest.raises(CollabConfigError, match="needs the device model"):
        make_parser("slm", VOCAB, ParserContext())
    with pytest.raises(CollabConfigError, match="slm"):
        make_parser("nope", VOCAB)
