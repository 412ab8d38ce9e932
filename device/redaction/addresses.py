"""Street addresses by rule: the fallback when the NER model is not built, and a second opinion.

A street address needs a house number next to a street word: "12 Baker Street", "Hauptstraße 5",
"Bahnhofstr. 21a", "12, rue de la Paix", "Via Roma 12", "Calle Mayor, 5", "Kalverstraat 12". A
postcode + town that follows ("10115 Berlin", "London NW1 6XE") belongs to the same address. A street
without a number ("on Main Street", "Kurfürstendamm") names a place, not a home, and stays.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from device.redaction.detectors import Span
from device.redaction.streets import PREFIX_ALT

_NUM = r"[0-9]{1,5}(?:\s?[a-zA-Z](?![a-zA-Z]))?(?:\s?[-/]\s?[0-9]{1,5}[a-z]?)?"
_CAP = r"[A-ZÄÖÜÀ-ÝŁŚŻİŞĞÇĆŃŹŽŠČŘĎŤŇ][\w'’.-]*"
# English-style: number first, capitalised words, then a street type.
_EN_TYPES = (
    r"Street|St\.?|Avenue|Ave\.?|Road|Rd\.?|Boulevard|Blvd\.?|Lane|Ln\.?|Drive|Dr\.?|Court|Ct\.?|Way|Place|"
    r"Pl\.?|Square|Sq\.?|Terrace|Crescent|Close|Parkway|Pkwy\.?|Circle|Cir\.?|Highway|Hwy\.?|Trail|Row|"
    r"Gardens|Grove|Hill|Mews|Walk|Green|Rise|Vale|View|Park|Loop|Pike|Plaza|Alley|Motorway|Cape|Track|"
    r"Heights|Meadows?|Ridge|Crossing|Point|Estates?|Ports?|Junction|Fields?|Falls|Isle|Lakes?|Manor|Mall"
)
_EN_RE = re.compile(
    r"(?<![\w.,])(?:(?:Flat|Apt\.?|Unit|Suite)\s+\w{1,5},?\s+)?[0-9]{1,6}[a-zA-Z]?,?\s+(?:" + _CAP + r"\s+){1,4}(?:" + _EN_TYPES + r")"
    r"(?![\w])(?:,?\s+(?:Apt\.?|Suite|Unit|Flat|#)\s*[\w-]{1,6})?"
)
# Germanic/Nordic/Dutch compounds ending in a street word, then the number.
_COMPOUND_RE = re.compile(
    r"(?<![\w])(?:" + _CAP + r"[ -])?" + r"[\wÄÖÜäöüß'’.-]*?"
    r"(?i:stra(?:ß|ss)e|str\.|weg|gasse|platz|allee|ring|damm|ufer|steig|pfad|chaussee|markt|hof|"
    r"gracht|laan|straat|plein|kade|dijk|singel|park|gade|vej|gatan|vägen|torget|katu|tie|väg|ulica|ul\.)"
    r"\s+" + _NUM + r"(?![\w])",
)
# Dutch/Flemish street words that also end ordinary words ("iPad 2"): only after a capitalised stem.
_DUTCH_RE = re.compile(r"(?<![\w])[A-Z][a-zà-ÿ]{2,}(?:baan|dreef|pad|steeg|lei|wal|erf|veld)\s+" + _NUM + r"(?![\w])")
# Romance: street type first; the number before ("12, rue ...") or after ("Via Roma 12").
_ROM_TYPES = (
    r"rue|avenue|av\.|boulevard|bd\.?|place|chemin|all[ée]e|impasse|quai|route|cours|via|viale|piazza|"
    r"piazzale|corso|vicolo|largo|contrada|strada|borgo|calle|avenida|avda\.?|plaza|paseo|camino|carrer|"
    r"traves[íi]a|ronda|glorieta|callej[óo]n|rua|pra[çc]a|travessa|largo|estrada|alameda|ulica|aleja"
)
_PARTICLE = r"(?:de|del|della|dei|di|da|do|dos|das|du|des|la|le|los|las|l'|d')\s+"
_ROM_AFTER_RE = re.compile(
    r"(?<![\w])(?i:" + _ROM_TYPES + r")\s+(?:" + _PARTICLE + r"|" + _CAP + r"\s+){0,5}?(?:" + _CAP + r"|[0-9]+),?\s+"
    r"(?:n[°º.]?\s*)?" + _NUM + r"(?![\w])",
)
_ROM_BEFORE_RE = re.compile(
    r"(?<![\w.,])" + _NUM + r"(?:\s?(?:bis|ter))?,?\s+(?i:" + _ROM_TYPES + r")\s+(?i:" + _PARTICLE + r")*"
    r"(?:[\w'’-]+)(?:\s+[A-ZÀ-Ý][\w'’-]+){0,3}",
)
# Turkish: street name, street type, "No:" and the number, then district and city ("Bağdat Caddesi No: 214,
# Kadıköy, İstanbul").
_TR_TYPES = r"Caddesi|Cad\.|Cd\.|Sokak|Sokağı|Sok\.|Sk\.|Bulvarı|Blv\.|Mahallesi|Mah\."
_TR_RE = re.compile(
    r"(?<![\w])(?:" + _CAP + r"\s+){1,3}(?:" + _TR_TYPES + r")\s*(?:No\s*[:.]?\s*)?[0-9]{1,5}[a-zA-Z]?(?:/[0-9]{1,4})?"
    r"(?:,\s*" + _CAP + r"){0,2}(?![\w])"
)
# A postcode and town after the street ("10115 Berlin", "75002 Paris", "1012 NX Amsterdam",
# "London NW1 6XE", "Springfield, IL 62704").
TAIL_RE = re.compile(
    r"(?:,|\n|\s)\s*(?:"
    r"(?:[A-Z]{1,2}-)?[0-9]{4,5}(?:\s?[A-Z]{2})?,?\s+" + _CAP + r"(?:[ -]" + _CAP + r"){0,3}"
    r"|" + _CAP + r"(?:[ -]" + _CAP + r"){0,2},?\s+(?:[A-Z]{2}\s+[0-9]{5}(?:-[0-9]{4})?|[A-Z]{1,2}[0-9][A-Z0-9]?\s?[0-9][A-Z]{2})"
    r")"
)


# What makes a learned span look like an address at all: a street word of any shipped language.
STREET_WORD_RE = re.compile(
    r"(?i:\b(?:" + _EN_TYPES + r")\b|stra(?:ß|ss)e\b|str\.|weg\b|gasse\b|platz\b|allee\b|ring\b|damm\b|ufer\b|"
    r"gracht\b|laan\b|straat\b|plein\b|kade\b|dijk\b|singel\b|baan\b|dreef\b|pad\b|steeg\b|hof\b|boulevard\b|lei\b|"
    r"\b(?:" + _TR_TYPES + r")|"
    r"(?<!\w)(?:" + PREFIX_ALT + r")(?=\s))"
)


def plausible_address(value: str) -> bool:
    """Could `value` be a street address? It starts with a house number, holds a postcode-sized number,
    a comma or a line break, or a street word. "Garmin Forerunner 265", "Kia Niro", "CHF 777" do not."""
    return bool(value[:1].isdigit() or re.search(r"[0-9]{4,5}|[,\n]", value) or STREET_WORD_RE.search(value))


def find_addresses(text: str) -> Iterator[Span]:
    for pattern in (_EN_RE, _COMPOUND_RE, _DUTCH_RE, _ROM_AFTER_RE, _ROM_BEFORE_RE, _TR_RE):
        for m in pattern.finditer(text):
            end = m.end()
            tail = TAIL_RE.match(text, end)
            if tail is not None:
                end = tail.end()
            yield Span("STREET_ADDRESS", m.start(), end)
