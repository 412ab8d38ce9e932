"""Which words of a request are the home's names: the learned parser's view of the inventory.

The model reads, beside each token, a small mask: is it inside a mention of an entity's name or
alias (1), an area's (2), a floor's (4) (a bitmask: "Den" in "Den Lamp" is 1|2). It is how a model
trained on synthetic homes tells "Box Room Latch" (one entity) from "box room" + "latch", in a home
it never saw. Mentions match case-insensitively at word boundaries, plurals and hyphens allowed.
Training (`quantize.intent`) and the device compute the mask here, the same way.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["AREA", "ENTITY", "FLOOR", "TYPE_VOCAB", "Gazetteer"]

ENTITY, AREA, FLOOR = 1, 2, 4
TYPE_VOCAB = 8


def _pattern(names: Iterable[str]) -> re.Pattern[str] | None:
    words = sorted({" ".join(n.casefold().split()) for n in names if n and n.strip()}, key=len, reverse=True)
    if not words:
        return None
    alternatives = "|".join(r"[\s-]+".join(re.escape(w) for w in name.split()) for name in words)
    return re.compile(rf"(?<![\w'])(?:{alternatives})(?:s|es|'s)?(?![\w'])", re.IGNORECASE)


@dataclass(frozen=True)
class Gazetteer:
    entities: re.Pattern[str] | None = None
    areas: re.Pattern[str] | None = None
    floors: re.Pattern[str] | None = None

    @classmethod
    def of(cls, entities: Iterable[str] = (), areas: Iterable[str] = (), floors: Iterable[str] = ()) -> Gazetteer:
        return cls(_pattern(entities), _pattern(areas), _pattern(floors))

    def char_marks(self, text: str) -> list[int]:
        marks = [0] * len(text)
        for bit, pattern in ((ENTITY, self.entities), (AREA, self.areas), (FLOOR, self.floors)):
            if pattern is None:
                continue
            for m in pattern.finditer(text):
                for i in range(m.start(), m.end()):
                    marks[i] |= bit
        return marks

    def type_ids(self, text: str, offsets: list[tuple[int, int]]) -> list[int]:
        """One mask per token (a token's first character's; 0 for [CLS], [SEP])."""
        marks = self.char_marks(text)
        return [marks[start] if end > start and start < len(marks) else 0 for start, end in offsets]
