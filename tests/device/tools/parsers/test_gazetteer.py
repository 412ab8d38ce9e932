"""The home's names marked in a request, as the learned parser's model reads them."""

from __future__ import annotations

from device.tools.parsers.gazetteer import AREA, ENTITY, FLOOR, Gazetteer

G = Gazetteer.of(["Box Room Latch", "Den Lamp"], ["Box Room", "Den"], ["Top Floor"])


def _marked(text: str, bit: int) -> list[str]:
    marks = G.char_marks(text)
    words, current = [], ""
    for ch, m in zip(text, marks):
        if m & bit:
            current += ch
        elif current:
            words.append(current)
            current = ""
    return [*words, current] if current else words


def test_names_areas_and_floors_are_marked_case_insensitively_with_plurals() -> None:
    text = "bolt the BOX ROOM LATCH and the den lamps on the top floor"
    assert _marked(text, ENTITY) == ["BOX ROOM LATCH", "den lamps"]
    assert _marked(text, AREA) == ["BOX ROOM", "den"]
    assert _marked(text, FLOOR) == ["top floor"]


def test_only_whole_words_are_marked() -> None:
    assert _marked("the garden is dense", AREA) == []


def test_token_marks_follow_their_first_character() -> None:
    text = "den lamp"
    assert G.type_ids(text, [(0, 0), (0, 3), (4, 8), (0, 0)]) == [0, ENTITY | AREA, ENTITY, 0]


def test_a_home_without_names_marks_nothing() -> None:
    assert set(Gazetteer.of().char_marks("turn on the den lamp")) == {0}
