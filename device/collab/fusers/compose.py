"""The `compose` fuser: one answer that reads as one, in the request's order (the default).

What `concat` joins, cleaned the way a person would edit it:

* **no echoes**: a model (the cloud's especially) often starts by repeating what it was asked
  ("Question: ...", "Options: A) ...", the request word for word) or with a preamble line ("Sure!",
  "Certainly, here is ..."); those lines are dropped when the step's own text holds them;
* **stated once**: a paragraph that another step already said (two tool steps confirming the same
  thing, a cloud answer restating a tool's result) is kept once, where it first appears;
* **in order**: the steps' answers follow the order the user asked in, one paragraph each;
* values restored last, on the device, so they appear in nothing but what the user sees.

A step's text arrives as `StepResult.data["asked"]` (the agent puts it there); without it nothing
counts as an echo.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from device.collab.fusers.base import append_notices
from device.collab.steps import StepResult
from device.redaction.vault import Vault

_WORD = re.compile(r"[\w<>]+")
_LABEL = re.compile(r"^\s*(?:\*\*)?(?:question|q|options?|request|prompt|task|user)(?:\*\*)?\s*:", re.IGNORECASE)
_PREAMBLE = re.compile(
    r"^\s*(?:sure|certainly|of course|okay|ok|absolutely|great question|good question)\b[^.\n]{0,60}?"
    r"(?:[!.]|here(?:'s| is| are)[^\n]*:)\s*$", re.IGNORECASE)


def _words(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


def is_echo(line: str, asked: str) -> bool:
    """`line` repeats the request (a label line such as "Options: ..." with the request's words, or four or
    more words nearly all of which are the request's), or is a preamble ("Sure! Here is the answer:")."""
    if _PREAMBLE.match(line):
        return True
    words = _words(line)
    own = set(_words(asked))
    if not words or not own:
        return False
    shared = sum(w in own for w in words) / len(words)
    if _LABEL.match(line) and shared >= 0.6:
        return True
    return len(words) >= 4 and shared >= 0.9


def clean(text: str, asked: str | None) -> str:
    """`text` without the lines at its start that echo `asked` or only announce the answer."""
    lines = text.strip().splitlines()
    if asked:
        while len(lines) > 1 and (not lines[0].strip() or is_echo(lines[0], asked)):
            lines.pop(0)  # never the last line: an answer that is all echo is still what the step said
    return "\n".join(lines).strip()


def _key(paragraph: str) -> str:
    return " ".join(_words(paragraph))


def fuse(results: Sequence[StepResult], vault: Vault, notices: Sequence[str] = ()) -> str:
    seen: set[str] = set()
    parts: list[str] = []
    for result in sorted(results, key=lambda r: r.index):
        asked = result.data.get("asked")
        body = clean(result.text, asked if isinstance(asked, str) else None)
        kept = []
        for paragraph in re.split(r"\n\s*\n", body):
            key = _key(paragraph)
            if paragraph.strip() and key not in seen:
                seen.add(key)
                kept.append(paragraph.strip())
        if kept:
            parts.append("\n\n".join(kept))
    return append_notices(vault.restore("\n\n".join(parts)), notices)


@dataclass(frozen=True)
class ComposeFuser:
    name: str = "compose"

    def fuse(self, results: Sequence[StepResult], vault: Vault) -> str:
        return fuse(results, vault)
