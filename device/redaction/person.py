"""Rule-based PERSON detection: titles, a first-name gazetteer, and echoes of known names.

Five rules, each cheap and predictable:
1. a title chain ("Dr.", "Frau", "M.", "Sra.", "Dott.ssa", "mevr.") followed by name tokens (particles
   such as "van der" allowed first) -> the name tokens; after a strong title ("mevrouw", "Dott.",
   any dotted one) a lower-case word counts too ("mevr. molen");
2. a known first name followed by one or two capitalised surname tokens (particles such as
   "van der" allowed in between) -> the whole name;
3. a known first name alone, where the words around it say it is someone: a possessive
   ("Richard's dog") or a word that introduces a person ("for Katharina", "an Anna", "Dear Paul");
4. once a name is known (in this text or earlier in the conversation's vault), later mentions
   of it, or of its parts ("Anna", "Keller"), are redacted too, so they cannot leak on their own;
5. a word for a relative or a role ("my sister", "mein Sohn", "oma", "mi hija", "our babysitter",
   "my landlord", "my patient") followed by capitalised name tokens -> those tokens, whether or not the
   first name is in the gazetteer: the words before say it is a person close to the user.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from device.redaction.detectors import Span
from device.redaction.names import (
    FUNCTION_WORDS,
    KNOWN_FIRST_NAMES,
    KNOWN_FIRST_NAMES_LOWER,
    NOT_NAMES,
    PARTICLES,
    word_set,
)
from device.redaction.titles import title_chain

# Letters only (any script), with inner apostrophes or hyphens: "O'Brien", "Keller-Schmidt".
_WORD_RE = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_INLINE_SPACE_RE = re.compile(r"[ \t\u00a0]+")
# Words right before a lone first name that say a person follows (rule 3), in the shipped languages.
_PERSON_CUE_RE = re.compile(
    r"(?<!\w)(?i:to|for|with|from|and|dear|hi|hello|hey|thank|thanks|call|text|email|ask|tell|remind|invite|meet|"
    r"named|called|an|für|mit|von|und|liebe|lieber|hallo|danke|pour|avec|et|chère|cher|bonjour|salut|merci|à|"
    r"per|con|caro|cara|ciao|grazie|para|querida|querido|hola|gracias|voor|met|aan|beste|hoi|dag|bedank|bel|a|du)"
    r"[ \t\u00a0]+$"
)
_CUE_WINDOW = 16
# Rule 5: relatives and roles, in the shipped languages (lower case; a capital is allowed too).
_RELATIONS = word_set(
    "wife husband son daughter sister brother mother father mom mum dad mama papa grandma grandpa granny "
    "grandmother grandfather aunt uncle cousin niece nephew kid child baby friend boyfriend girlfriend partner "
    "fiancé fiancée colleague coworker co-worker boss manager neighbor neighbour landlord landlady tenant "
    "roommate flatmate housemate babysitter nanny tutor teacher doctor dentist therapist patient client "
    "tita tito lola lolo stepson stepdaughter stepmother stepfather "
    "frau mann sohn tochter schwester bruder mutter vater oma opa tante onkel cousine freund freundin "
    "kollege kollegin chef chefin nachbar nachbarin vermieter vermieterin patient patientin enkel enkelin "
    "femme mari fils fille sœur soeur frère frere mère mere père pere maman mamie papi tante oncle ami amie "
    "copain copine collègue voisin voisine propriétaire patiente "
    "moglie marito figlio figlia sorella fratello madre padre mamma papà nonna nonno zia zio cugino cugina "
    "amico amica collega capo vicino vicina padrone paziente "
    "esposa marido hijo hija hermana hermano mamá papá abuela abuelo tía tío primo prima amigo amiga colega "
    "jefe jefa vecino vecina casero casera "
    "vrouw zoon dochter zus zuster broer moeder vader opa oom neef nicht vriend vriendin buurman buurvrouw "
    "huisbaas"
)
_RELATION_RE = re.compile(r"(?<![\w-])(?i:" + "|".join(sorted(map(re.escape, _RELATIONS), key=len, reverse=True))
                          + r"),?[ \t]+$")
# A company named after people: "Walter AG", "Simon S.A.", "Stichting Oda", "Rossi e Figli".
_ORG_AFTER_RE = re.compile(r"[ \t]*(?:AG|GmbH|KG|OHG|SARL|SAS|SA|SE|Ltd|Inc|LLC|PLC|BV|NV|SpA|Srl|SL|S\.[A-Za-z]{1,3}\.|"
                           r"&|and Sons|e Figli|e hijos|Group|Groep|Gruppe|Holding)(?!\w)")
_INSTITUTIONS = frozenset([
    "Fellowship", "Prize", "Award", "Foundation", "Institute", "Museum", "College", "Stadium", "Airport", "Center",
    "Centre", "Bridge", "Hall", "Theatre", "Theater", "Library", "Gymnasium", "Schule", "Stiftung", "Preis", "Prijs",
    "Prix", "Premio", "Fondazione", "Fundación", "Instituut", "Institut", "Universität",
])
_INSTITUTION_RE = re.compile(r"[ \t]+(?:" + "|".join(_INSTITUTIONS) + r")(?!\w)")
_ORG_BEFORE_RE = re.compile(r"(?:Stichting|Koninklijke|Groupe|Gruppo|Grupo|Fundación|Fondazione|Stiftung|Firma)[ \t]+$")
_POSSESSIVE = ("'s", "’s")
_MAX_NAME_TOKENS = 3  # "Anna Maria Keller"; particles do not count
_MIN_ECHO_LEN = 3


def _is_name_token(word: str) -> bool:
    """Capitalised, not all caps ("API"), and not a word that never continues a name."""
    return word[0].isupper() and any(c.islower() for c in word) and word not in NOT_NAMES and word not in _INSTITUTIONS


def _is_first_name(word: str) -> bool:
    if word.endswith(_POSSESSIVE):
        word = word[:-2]  # "Richard's"
    if word in NOT_NAMES:
        return False  # "German": a first name in Spain, a language everywhere
    if word in KNOWN_FIRST_NAMES:
        return True
    parts = word.split("-")  # "Anna-Lena", "Jean-Luc"; not "Robin-sur-Mer"
    return len(parts) > 1 and parts[0] in KNOWN_FIRST_NAMES and all(p[:1].isupper() for p in parts)


def _inside_proper_noun(text: str, words: list[re.Match[str]], i: int) -> bool:
    """words[i] continues a capitalised word mid-sentence ("Santa Cruz", "Santo Stefano"): a place or
    a company, unless that word is a cue ("Hi Anna Keller") or the sentence's first word."""
    if i == 0 or not _gap(text, words[i - 1].end(), words[i].start()):
        return False
    prev = words[i - 1]
    before = text[:prev.start()].rstrip()
    if not before or before[-1] in ".!?:\n" or not prev.group()[0].isupper():
        return False  # the sentence's first word ("Invite Anna Keller") or a lower-case one
    return _PERSON_CUE_RE.search(text, max(0, words[i].start() - _CUE_WINDOW), words[i].start()) is None


def _named_after(text: str, end: int) -> bool:
    """The name is part of an institution's or company's name ("Marie Curie Fellowship", "X S.A.")."""
    return _ORG_AFTER_RE.match(text, end) is not None or _INSTITUTION_RE.match(text, end) is not None


def _gap(text: str, end: int, start: int, pattern: re.Pattern[str] = _INLINE_SPACE_RE) -> bool:
    return pattern.fullmatch(text, end, start) is not None


def _take_name(text: str, words: list[re.Match[str]], i: int, max_tokens: int) -> int | None:
    """Index of the last word of a name starting at words[i], or None if words[i] starts none."""
    last, taken, j = None, 0, i
    while j < len(words) and taken < max_tokens:
        if j > i and not _gap(text, words[j - 1].end(), words[j].start()):
            break
        word = words[j].group()
        if word in PARTICLES and last is not None:
            j += 1  # only kept if a capitalised token follows
            continue
        if not _is_name_token(word):
            break
        last, taken = j, taken + 1
        j += 1
    return last


def _strip_possessive(text: str, start: int, end: int) -> int:
    if text.endswith(_POSSESSIVE, start, end) and end - start > 2:
        return end - 2
    return end


def _after_titles(text: str, words: list[re.Match[str]], i: int) -> tuple[int, int] | None:
    """(first, last) word indexes of the name after a title chain at words[i] ("Prof. Dr. Keller"), or None."""
    chain = title_chain(text, words[i].start())
    if chain is None:
        return None
    end, lower_ok = chain
    j = i + 1
    while j < len(words) and words[j].start() < end:
        j += 1  # the title's own words ("Dott", "ssa")
    if j == len(words) or words[j].start() != end:
        return None
    first = j
    while first < len(words) and words[first].group() in PARTICLES and first + 1 < len(words) \
            and _gap(text, words[first].end(), words[first + 1].start()):
        first += 1  # "mevr. van der Mast": the particles belong to the name
    if first < len(words):
        last = _take_name(text, words, first, _MAX_NAME_TOKENS)
        if last is not None:
            return j, last
        word = words[first].group()
        if lower_ok and word.islower() and len(word) >= _MIN_ECHO_LEN and word not in FUNCTION_WORDS:
            return j, first
    return None


def _lower_name(text: str, words: list[re.Match[str]], i: int) -> int | None:
    """Index of the last word of a lower-case name at words[i] right after a cue, or None.

    Only a known first name opens it ("for gotthilf", "voor jose manuel atienza"); it goes on over
    further known first names and particles, then at most one more word when a function word,
    punctuation or the end follows that ("an josefa lorch eine ...")."""
    if words[i].group() not in KNOWN_FIRST_NAMES_LOWER or \
            _PERSON_CUE_RE.search(text, max(0, words[i].start() - _CUE_WINDOW), words[i].start()) is None:
        return None
    last, j = i, i + 1
    while j < len(words) and _gap(text, words[j - 1].end(), words[j].start()):
        word = words[j].group()
        if not word.islower() or word in FUNCTION_WORDS:
            break
        if word in KNOWN_FIRST_NAMES_LOWER or word in PARTICLES:
            last, j = (j if word not in PARTICLES else last), j + 1
            continue
        nxt = words[j + 1] if j + 1 < len(words) else None
        closes = nxt is None or not _gap(text, words[j].end(), nxt.start()) or nxt.group() in FUNCTION_WORDS
        if closes and len(word) >= _MIN_ECHO_LEN:
            last = j
        break
    return last


def _lone_first_name(text: str, words: list[re.Match[str]], i: int) -> bool:
    """Rule 3: words[i] is a known first name standing alone where a person is expected."""
    word = words[i]
    if not _is_first_name(word.group()):
        return False
    nxt = words[i + 1] if i + 1 < len(words) else None
    if nxt is not None and _gap(text, word.end(), nxt.start()) and _is_name_token(nxt.group()):
        return False  # "Marie Curie Fellowship": capitalised words go on, rule 2 decides
    if _ORG_AFTER_RE.match(text, word.end()) or _ORG_BEFORE_RE.search(text, 0, word.start()):
        return False  # a company named after someone
    if word.group().endswith(_POSSESSIVE):
        return True
    if _PERSON_CUE_RE.search(text, max(0, word.start() - _CUE_WINDOW), word.start()) is not None:
        return True
    # Mid-sentence after a lower-case word ("Kannst du Katharina eine ..."), not after a capitalised
    # one: that is a longer proper noun ("San Francisco", "Port Richard").
    before = text[:word.start()].rstrip()
    prev = words[i - 1] if i > 0 else None
    if not before or before[-1] in ".!?:\n" or prev is None or not _gap(text, prev.end(), word.start()):
        return False
    return prev.group()[0].islower()


def _after_relation(text: str, words: list[re.Match[str]], i: int) -> bool:
    """Rule 5: words[i] is a capitalised name token right after a relative's or a role's word."""
    word = words[i].group()
    if not _is_name_token(word.removesuffix("'s").removesuffix("’s")) or word in FUNCTION_WORDS:
        return False
    return _RELATION_RE.search(text, max(0, words[i].start() - 20), words[i].start()) is not None


def find_persons(text: str, known: Iterable[str] = ()) -> Iterator[Span]:
    """PERSON spans in `text`; `known` are names already in the vault from earlier turns."""
    words = list(_WORD_RE.finditer(text))
    found: list[str] = []
    i = 0
    while i < len(words):
        titled = _after_titles(text, words, i)  # rule 1: the name after the title(s)
        first, last = titled if titled is not None else (None, None)
        if first is None and _is_first_name(words[i].group()) and not _inside_proper_noun(text, words, i):
            # rule 2: a first name directly followed by at least one surname token
            last = _take_name(text, words, i, _MAX_NAME_TOKENS)
            first = i if last is not None and last > i and not _named_after(text, words[last].end()) else None
            if first is None and _lone_first_name(text, words, i):
                first = last = i  # rule 3
        if first is None and words[i].group().islower():
            last = _lower_name(text, words, i)  # rule 3 for "for gotthilf", "an josefa lorch"
            first = None if last is None else i
        if first is None and _after_relation(text, words, i):
            last = _take_name(text, words, i, _MAX_NAME_TOKENS)  # rule 5: "mein Sohn Ferdinand"
            first = None if last is None or _named_after(text, words[last].end()) else i
        if first is None or last is None:
            i += 1
            continue
        start = words[first].start()
        end = _strip_possessive(text, start, words[last].end())
        found.append(text[start:end])
        yield Span("PERSON", start, end)
        i = last + 1
    yield from _echoes(text, [*found, *known])


def _echoes(text: str, names: list[str]) -> Iterator[Span]:
    """Whole-word mentions of known names and of their parts (first name, surname)."""
    needles = set(names)
    for name in names:
        for part in _WORD_RE.findall(name):
            if len(part) >= _MIN_ECHO_LEN and part not in PARTICLES and _is_name_token(part):
                needles.add(part)
    needles.discard("")
    if not needles:
        return
    # Longest first, so "Anna Keller" is preferred over "Anna" at the same position.
    alternation = "|".join(re.escape(n) for n in sorted(needles, key=len, reverse=True))
    for m in re.finditer(rf"(?<!\w)(?:{alternation})(?!\w)", text):
        yield Span("PERSON", m.start(), m.end())


_PLACE_BEFORE_RE = re.compile(r"(?<!\w)(?i:in|im|aus|nach|near|en|uit|naar|dans|nel|nella|cerca de|vicino a)[ \t]+$")
_NEXT_RE = re.compile(r"[ \t]+([^\W\d_]+)")
_AFTER_COMMA_RE = re.compile(r",[ \t]+([^\W\d_]+(?:-[^\W\d_]+)*)")
_BEFORE_COMMA_RE = re.compile(r"([^\W\d_]+(?:['’-][^\W\d_]+)*),[ \t]+$")


def last_first(text: str, span: Span) -> Span | None:
    """A name written "Last, First" around a found part of it ("Cichorius" + ", Hilde", "Price, " +
    "Steve"), or None. The part after the comma must be a known first name and the part before it
    must not be one ("Anna, Tom and Paul" is a list), and capitalised (or lower case when the first
    name is too)."""
    value = text[span.start:span.end]
    after = _AFTER_COMMA_RE.match(text, span.end)
    if after is not None and _known_any_case(after.group(1)) and not _more_caps(text, after.end()) \
            and all(w in PARTICLES for w in value.split()[:-1]) and not _known_any_case(value) \
            and (value[:1].isupper() or after.group(1).islower()):
        return Span("PERSON", span.start, after.end())
    before = _BEFORE_COMMA_RE.search(text, 0, span.start)
    if before is not None and _PLACE_BEFORE_RE.search(text, 0, before.start(1)):
        return None  # "In Berlin, Anna said": a place, then the name
    if before is not None and _known_any_case(value) and " " not in value:
        last = before.group(1)
        if (_is_name_token(last) and last not in KNOWN_FIRST_NAMES) or (value.islower() and last.islower()
                                                                         and last not in FUNCTION_WORDS):
            return Span("PERSON", before.start(1), span.end)
    return None


def _known_any_case(word: str) -> bool:
    return word.lower() in KNOWN_FIRST_NAMES_LOWER or _is_first_name(word.capitalize()) or \
        word.split("-")[0].capitalize() in KNOWN_FIRST_NAMES


def _more_caps(text: str, end: int) -> bool:
    """A capitalised word follows, maybe after particles (the comma started a list, not "Last, First")."""
    while (m := _NEXT_RE.match(text, end)) is not None and m.group(1) in PARTICLES:
        end = m.end()  # "Jan de Vries": the particle leads on to the surname
    return m is not None and _is_name_token(m.group(1))
