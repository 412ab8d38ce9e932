"""Fit the model's spans to whole entities: the model often stops one word short, or one too far.

Every span is first trimmed of edge punctuation (a name labelled with its comma must not swallow
the address after it) and snapped to whole words ("str. 53" -> "Kuschstr. 53"). Then:

- PERSON loses leading titles ("Dott" in "Dott.ssa Faggiani": the rule for titles finds the name)
  and takes in capitalised name words next to it ("Rembrandt" before "Bosurgi"), an initial before
  it ("O." + "Finzi") and particles followed by a name word ("van" -> "van der Mast"), but never a
  sentence's first word, a title or a word that never continues a name.
- STREET_ADDRESS takes in the house number, street type or flat prefix just before it ("79805" +
  "Walter Inlet", "callejón" + "ascensión batalla 287", "Studio" + "83t, Brown Rue"), an apartment
  suffix and a postcode + town after it ("Apt. 036", ", IN 45501"), and drops a trailing clause that
  is plainly not part of it (", avisa al banco").

The model also fires on text that is nobody's (it learnt from generated sentences, and hand-written
requests showed where): port and order numbers ("port 8443", "Bestellung 73519"), a time ("9 Uhr"),
German nouns that are capitalised like names ("meine Handynummer", "viele Kalorien"), a pet ("a cat
called Marmalade"). Those are dropped: an address needs a street word, or a house number next to a
capitalised word; a one-word name not in the gazetteer must not follow an article, a possessive or a
quantifier; a lower-case name must start with a known first name; a name keeps no lower-case word
at its end.
"""

from __future__ import annotations

import re

from device.redaction.addresses import STREET_WORD_RE, TAIL_RE, plausible_address
from device.redaction.detectors import Span
from device.redaction.names import FUNCTION_WORDS, KNOWN_FIRST_NAMES_LOWER, NOT_NAMES, PARTICLES, word_set
from device.redaction.streets import PREFIX_ALT, SECONDARY_AFTER_ALT, SECONDARY_BEFORE_ALT
from device.redaction.titles import title_chain

_EDGE = " \t\n\r,;:"
_PREV_WORD_RE = re.compile(r"([^\W\d_]+(?:['’-][^\W\d_]+)*)[ \t]+$")
_NEXT_WORD_RE = re.compile(r"[ \t]+([^\W\d_]+(?:['’-][^\W\d_]+)*)")
_PREV_TOKEN_RE = re.compile(r"(\S+)[ \t]+$")
_INITIAL_RE = re.compile(r"(?<![\w.])[^\W\d_]\.[ \t]?$")
_LEFT_ADDR_RE = re.compile(
    r"(?:\b[0-9]{1,6}[a-zA-Z]?,?\s+"  # the house number before an English-style street
    r"|(?<![\w.])(?i:" + SECONDARY_BEFORE_ALT + r")\s*[0-9]{1,5}[a-zA-Z]?,?\s+)$"  # "Flat 36, " "Studio 83t, "
)
_SECONDARY_BEFORE_RE = re.compile(r"(?<![\w.])(?i:" + SECONDARY_BEFORE_ALT + r")\s*$")
_STREET_OF_RE = re.compile(r"(?<![\w.])(?i:" + PREFIX_ALT + r")\s+(?:(?i:de|du|des|de la|del|della|di|da|do|dos)\s+)?$")
_LEFT_TYPE_RE = re.compile(r"(?<![\w.])(?i:" + PREFIX_ALT + r")\s+$")  # "callejón ", "Incrocio ", "rue "
_RIGHT_ADDR_RE = re.compile(r"(?:,?\s+(?i:" + SECONDARY_AFTER_ALT + r")\s*[0-9]{1,5}[a-zA-Z]?\b)+")
_STATE_ZIP_RE = re.compile(r",?[ \t]+[A-Z]{2}[ \t]+[0-9]{5}(?:-[0-9]{4})?\b")
_MAX_CLAUSE_LOWER = 2  # a trailing comma part with more lower-case words than this is a clause
# Words right before a noun, never (or hardly ever) right before a person's name.
_DETERMINERS = word_set("""
    the an my your his her its our their this that these those some any every each no
    der die das den dem des ein eine einen einem einer eines kein keine keinen meine mein meinen meinem meiner
    deine dein deinen seine sein seinen ihre ihren unsere unser unseren viele viel wenige pro am im vom zum zur
    beim ins jede jeder jedes welche welcher diese dieser dieses
    le la les un une des du au aux mon ma mes ton ta tes son sa ses notre nos votre vos leur leurs ce cette
    il lo gli un uno una del della dei degli delle al alla mio mia miei tuo tua suo sua questo questa
    el los las unos unas mi mis tu tus su sus nuestro nuestra este esta
    het een mijn jouw zijn haar ons onze deze dit
""")
# "a cat called Marmalade", "unser Hund namens Bello": a pet's name is nobody's personal data.
_PET_RE = re.compile(r"(?i:cat|dog|kitten|puppy|hamster|rabbit|parrot|horse|pony|goldfish|pet|katze|kater|hund|"
                     r"chat|chien|gatto|cane|perro|gato|kat|hond|konijn)\s+(?i:called|named|namens|appelé|appelée|"
                     r"nommé|chiamato|chiamata|llamado|llamada|genaamd|heet|is called)\s+$")
# Capitalised words next to a number that make it a time, an amount or a size, not a house number.
_UNIT_WORDS = word_set("Uhr Go Mo Ko GB MB KB TB Gb Mb Min Sek Std Km Kg CHF EUR USD GBP Fr Rs Nr No Vol Bd Port "
                       "Version Build Kapitel Seite Chapter Page Level Step Schritt Stufe Jahr Jahre")
_HOUSE_NUMBER_RE = re.compile(r"(?<![\w.,])[0-9]{1,5}[a-zA-Z]?(?:[/-][0-9]{1,5}[a-zA-Z]?)?(?![\w]|[.,][0-9])")
_LAST_FIRST_RE = re.compile(r"[A-ZÀ-Ý][^\W\d_]+(?:[-'’][^\W\d_]+)?,[ \t]+[A-ZÀ-Ý][^\W\d_]+(?:-[^\W\d_]+)?")
_CAP_WORD_RE = re.compile(r"(?<![\w])[^\W\d_][^\W\d_'’.-]+")


def _name_like(word: str) -> bool:
    return word[:1].isupper() and any(c.islower() for c in word) and word not in NOT_NAMES \
        and title_chain(word + " ", 0) is None


def _particle_context(text: str, pos: int) -> bool:
    """A particle at `pos` belongs to the name when a name word, particle or title precedes it:
    "Anna de" Vries, "van der" Mast, "mevr. van" Dam; not "cerca de" Onna, "hoofdstad van" Peru."""
    prev = _PREV_TOKEN_RE.search(text, 0, pos)
    if prev is None:
        return False
    word = prev.group(1)
    return _name_like(word) or word in PARTICLES or title_chain(word + " ", 0) is not None


def _sentence_start(text: str, pos: int) -> bool:
    before = text[:pos].rstrip()
    if before.endswith("."):
        last = before.rsplit(None, 1)[-1]
        if len(last) == 2 or title_chain(last + " ", 0) is not None:
            return False  # "mevr. van", "O. Finzi": the dot ends an abbreviation, not a sentence
    return not before or before[-1] in ".!?:\n"


def _fit(text: str, start: int, end: int) -> tuple[int, int]:
    """Trim edge punctuation, then widen to whole words."""
    while start < end and text[start] in _EDGE:
        start += 1
    while end > start and text[end - 1] in _EDGE:
        end -= 1
    while 0 < start < end and (text[start - 1].isalnum() or (text[start] == "." and text[start - 1].isalpha())):
        start -= 1
    while start < end < len(text) and text[end].isalnum() and text[end - 1].isalnum():
        end += 1
    return start, end


def grow(text: str, span: Span) -> Span | None:
    """The span fitted to its whole entity, or None when nothing of it is left (a title alone)."""
    start, end = _fit(text, span.start, span.end)
    kind = span.type
    street = _STREET_OF_RE.search(text, max(0, start - 40), start) if kind == "PERSON" else None
    if street is not None:
        kind, start = "STREET_ADDRESS", street.start()  # "rue" Benoît Ribeiro: a street named after someone
    if kind == "PERSON":
        fitted = _grow_person(text, start, end)
        if fitted is None:
            return None
        start, end = fitted
    elif kind == "STREET_ADDRESS":
        start, end = _grow_address(text, start, end)
        if _LAST_FIRST_RE.fullmatch(text, start, end) and _known_first_name(text[start:end].rsplit(" ", 1)[-1]):
            return Span("PERSON", start, end)  # "Farinelli, Antonella": a name the model took for a place
        if not plausible_address(text[start:end]) or not _address_shaped(text[start:end]):
            return None  # a product, an amount or a port number the model took for an address
    if end <= start:
        return None
    return span if (kind, start, end) == tuple(span) else Span(kind, start, end)


def _grow_person(text: str, start: int, end: int) -> tuple[int, int] | None:
    while (chain := title_chain(text, start)) is not None:
        if chain[0] >= end:
            return None  # a title alone ("Dott" of "Dott.ssa Faggiani") is nobody
        start = chain[0]  # the title is not the person; the title rule finds the name after it
    start, end = _fit(text, start, end)
    if not any(c.isalpha() for c in text[start:end]):
        return None
    for _ in range(3):  # name words and particles before it: "Rembrandt" Bosurgi, "van der" Berg
        m = _PREV_WORD_RE.search(text, 0, start)
        if m is None or _sentence_start(text, m.start(1)):
            break
        if _name_like(m.group(1)):
            start = m.start(1)
            continue
        if m.group(1) not in PARTICLES or not _particle_context(text, m.start(1)):
            break
        start = m.start(1)
    m = _INITIAL_RE.search(text, max(0, start - 3), start)  # "O. " Finzi
    if m is not None and not _sentence_start(text, m.start()):
        start = m.start()
    for _ in range(3):
        m = _NEXT_WORD_RE.match(text, end)
        if m is None:
            break
        after = _NEXT_WORD_RE.match(text, m.end(1))
        if not (_name_like(m.group(1)) or (m.group(1) in PARTICLES and after is not None
                                             and (_name_like(after.group(1)) or after.group(1) in PARTICLES))):
            break
        end = m.end(1)  # a particle stays only when a name word follows it ("van der Mast")
    words = text[start:end].split()
    if words and words[0][:1].isupper() and "," not in text[start:end]:  # "Kurfürstendamm spazieren": a
        while len(words) > 1 and words[-1][:1].islower():  # name ends at its last name word
            end = text.rfind(" ", start, end)
            words.pop()
    while words and words[-1] in PARTICLES:
        end = text.rfind(" ", start, end)
        words.pop()
    if len(words) == 1 and words[0].islower() and words[0] not in KNOWN_FIRST_NAMES_LOWER:
        return None  # one lower-case word no one is called ("numéro", "four"): a slip of the model
    if words and (len(words) == 1 or all(w.islower() for w in words)) and not _person_position(text, start, words[0]):
        return None  # "viele Kalorien", "des vraies frites", "a cat called Marmalade"
    return (start, end) if words else None


def _person_position(text: str, start: int, word: str) -> bool:
    """May a lone word at `start` be a name? Not after an article, possessive or quantifier ("meine
    Handynummer", "viele Kalorien", "am Kurfürstendamm"), nor as a pet's name; a known first name may."""
    if word.strip(".,;:!?'’s") in KNOWN_FIRST_NAMES_LOWER or word.lower().strip(".,;:!?") in KNOWN_FIRST_NAMES_LOWER:
        return _PET_RE.search(text, max(0, start - 30), start) is None
    m = _PREV_WORD_RE.search(text, 0, start)
    if m is not None and m.group(1).lower() in _DETERMINERS:
        return False
    return _PET_RE.search(text, max(0, start - 30), start) is None


def _known_first_name(word: str) -> bool:
    """A first name the gazetteer knows, in any case ("Antonella", "antonella")."""
    return word.lower() in KNOWN_FIRST_NAMES_LOWER


def _address_shaped(value: str) -> bool:
    """A street word, or a house number next to a capitalised word that is no unit ("Meir 50",
    "14 Pendlebury Close"); not "port 8443", "9 Uhr", "58214 devait", "0x80070005"."""
    if not any(c.isalpha() for c in value):
        return False
    if STREET_WORD_RE.search(value):
        return True
    if _HOUSE_NUMBER_RE.search(value) is None:
        return False
    words = [w for w in _CAP_WORD_RE.findall(value) if len(w) >= 3]
    if value.islower():  # typed in lower case: two words besides the number, not "58214 devait", no code
        return sum(w not in FUNCTION_WORDS for w in words) >= 2 and not any(c in "()[]{}=:;<>\"" for c in value)
    return any(w[0].isupper() and w not in _UNIT_WORDS for w in words)


def _grow_address(text: str, start: int, end: int) -> tuple[int, int]:
    for _ in range(3):
        before = text[max(0, start - 24):start]
        if text[start].isdigit():  # "Studio " 83t, Brown Rue
            m = _SECONDARY_BEFORE_RE.search(before)
        else:  # "79805 " Walter Inlet, "Flat 36, " Alan Plains, "callejón " ascensión batalla 287
            m = _LEFT_ADDR_RE.search(before) or _LEFT_TYPE_RE.search(before)
        if m is None:
            break
        start -= len(before) - m.start()
    m = _RIGHT_ADDR_RE.match(text, end)
    if m is not None:
        end = m.end()
    tail = TAIL_RE.match(text, end) or _STATE_ZIP_RE.match(text, end)
    if tail is not None:
        end = tail.end()
    return start, _drop_clause(text, start, end)


def _drop_clause(text: str, start: int, end: int) -> int:
    """Cut a trailing ", avisa al banco": the last comma part has no digit and several lower-case words."""
    cut = text.rfind(",", start, end)
    if cut == -1:
        return end
    part = text[cut + 1:end]
    words = part.split()
    lower = sum(1 for w in words if w[:1].islower())
    if not any(c.isdigit() for c in part) and lower > _MAX_CLAUSE_LOWER:
        return cut
    return end
