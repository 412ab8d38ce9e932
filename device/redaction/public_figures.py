"""Names of public figures in a knowledge question are not the user's private data.

"Who played Caesar in the 1963 film with Elizabeth Taylor?" or "When was Marie Curie born?" names
people, the redactor replaces them with `<PERSON_n>`, and the step would then count as personal and
stay on the small device model, which answers it wrongly. Whom the user *knows* is private; whom the
whole world knows is the question. `public_names(text, vault, contacts)` returns the PERSON
placeholders of a redacted step that name public figures, so the step may leave with those names.

It leans to privacy: a placeholder counts as public only when every one of these holds, and
otherwise the step stays as it was (redacted, personal):

* the step is a knowledge question (a question word or "tell me about / explain ... ?"), and holds no
  other kind of personal value (an email, a phone number, an address, ...);
* nothing in it ties the person to the user: no "my/our/me/I", no relation ("friend", "boss",
  "neighbour", ...), no act towards the person ("remind", "email", "call", "tell <PERSON>", "meet",
  "invite", "birthday party", ...);
* the name is not one of the user's contacts (the device's store), and it is a full name ("Marie Curie")
  or carries a title no contact does ("Alexander the Great", "Henry VIII"): a single word ("Anna",
  "Keller", even "Einstein") may be someone the user knows, so it stays a placeholder. A relation of
  someone else ("Cleopatra's partner", "the first wife of Henry VIII") ties no one to the user; "my
  partner" does.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from device.redaction.model import PLACEHOLDER_RE
from device.redaction.vault import Vault

_QUESTION = re.compile(
    r"^\s*(?:who|what|when|where|which|why|how|did|does|do|was|were|is|are|has|had|can|could|name|list|"
    r"tell me (?:about|who|what|when|which)|explain|describe|give me)\b", re.IGNORECASE)
_TIES = re.compile(
    r"\b(?:my|mine|our|ours|me|i|i'm|i've|i'd|we|us|remind|reminder|email|e-mail|text|message|call|phone|ring|"
    r"meet|meeting|invite|invited|visit|visiting|date|dating|appointment|birthday party|wedding|dinner|lunch|"
    r"friend|friends|colleague|coworker|co-worker|boss|manager|neighbour|neighbor|roommate|flatmate|landlord|"
    r"tenant|wife|husband|partner|girlfriend|boyfriend|ex|son|daughter|child|kid|kids|mum|mom|mother|dad|"
    r"father|sister|brother|aunt|uncle|cousin|grandma|grandmother|grandpa|grandfather|niece|nephew|"
    r"teacher|doctor|patient|client|customer|student|classmate|family|birthday|owe|owes|lend|borrow|"
    r"pay|paid|salary|address|diagnosed|pregnant|sick|ill|"
    r"coming|come|came|arrive|arriving|arrived|late|tonight|tomorrow|today|yesterday|weekend|here|joining|"
    r"staying|okay|ok|doing)\b", re.IGNORECASE)
_OPENER = re.compile(r"^\s*(?:tell me|give me|show me|can you tell me|could you tell me)\b", re.IGNORECASE)
_ACT_ON_PERSON = re.compile(r"\b(?:tell|ask|send|write to|thank|congratulate|wish)\s+<PERSON_\d+>", re.IGNORECASE)
_PERSON = re.compile(r"<PERSON_\d+>")
_KIN = (r"(?:wife|husband|partner|son|daughter|mother|father|sister|brother|children|child|teacher|successor|"
        r"predecessor|rival)")
_THEIR_KIN = re.compile(
    rf"(?:\b(?!(?:my|our|your)\b)[A-Z][\w-]*|<PERSON_\d+>)'s\s+{_KIN}\b|\b{_KIN}\s+of\s+(?:<PERSON_\d+>|[A-Z])")
"""A relation of someone else ("Cleopatra's partner", "Napoleon's wife"): it ties no one to the user."""
_EPITHET = re.compile(r"^\s+(?:the\s+(?:great|elder|younger|conqueror|magnificent|wise|bold|terrible|lionheart|"
                      r"confessor)|[IVX]{1,5})\b", re.IGNORECASE)
"""A title no contact carries: "Alexander the Great", "Henry VIII" name a historical figure."""


def public_names(text: str, vault: Vault, contacts: Iterable[str] = ()) -> dict[str, str]:
    """PERSON placeholders of the redacted step `text` that name public figures -> their names (see the
    module docstring); empty when the step is not a knowledge question or anything ties it to the user."""
    placeholders = set(PLACEHOLDER_RE.findall(text))
    persons = {p for p in placeholders if _PERSON.fullmatch(p)}
    if not persons or placeholders - persons:  # another kind of personal value: the step stays personal
        return {}
    if not _QUESTION.match(text) and not text.rstrip().endswith("?"):
        return {}
    if _TIES.search(_PERSON.sub(" ", _THEIR_KIN.sub(" ", _OPENER.sub(" ", text)))) or _ACT_ON_PERSON.search(text):
        return {}
    known = {c.strip().casefold() for c in contacts}
    found: dict[str, str] = {}
    for placeholder in sorted(persons):
        name = vault.restore(placeholder)
        titled = any(_EPITHET.match(text[m.end():]) for m in re.finditer(re.escape(placeholder), text))
        if name == placeholder or not _public_looking(name, known, titled):
            return {}  # one private-looking name keeps the whole step home
        found[placeholder] = name
    return found


def _public_looking(name: str, contacts: set[str], titled: bool = False) -> bool:
    folded = name.strip().casefold()
    if not folded or folded in contacts or any(folded in c.split() or c in folded for c in contacts if c):
        return False
    words = name.split()
    return len(words) >= 2 or titled
