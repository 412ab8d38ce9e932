"""Street-type words of the shipped languages, for growing and checking street address spans.

The learned model often starts a street address one word late when the street type comes first
and is rare or lower-case ("callejón ascensión batalla 287", "Incrocio Scotto, 20"), or misses a
flat/studio prefix ("Studio 83t, Brown Rue"). These lists let `grow` take such a word back in. They
name kinds of streets only, never streets, so they hold nothing personal.
"""

from __future__ import annotations

import re

# Street types that come before the street's name (Romance languages, Polish, Portuguese).
PREFIX_TYPES: tuple[str, ...] = (
    # French
    "rue", "avenue", "av.", "boulevard", "bd", "bd.", "chemin", "place", "allée", "allee", "impasse", "quai",
    "route", "cours", "square", "sentier", "passage", "voie", "faubourg", "rond-point", "ruelle", "esplanade",
    "promenade", "montée", "parvis",
    # Italian
    "via", "viale", "piazza", "piazzale", "piazzetta", "corso", "vicolo", "largo", "contrada", "strada",
    "stretto", "borgo", "incrocio", "rotonda", "canale", "salita", "lungomare", "lungolago", "traversa",
    "vico", "calle", "circonvallazione", "località", "frazione", "rampa", "galleria",
    # Spanish / Catalan
    "avenida", "avda.", "avda", "plaza", "paseo", "camino", "carrer", "travesía", "travesia", "ronda",
    "glorieta", "callejón", "callejon", "urbanización", "urbanizacion", "cañada", "canada", "alameda",
    "acceso", "pasaje", "cuesta", "pasadizo", "rambla", "vial", "carretera", "calzada", "cerrada",
    "privada", "prolongación", "andador", "circuito", "carrera", "diagonal", "transversal", "c.", "c/",
    "partida", "polígono", "senda", "subida", "bajada", "barrio", "sector", "plazuela", "passeig", "plaça",
    # Portuguese
    "rua", "praça", "praca", "travessa", "estrada", "rodovia", "largo", "beco", "ladeira", "r.",
    # Polish and others
    "ulica", "ul.", "aleja", "al.", "plac", "os.", "osiedle",
)
# Secondary parts that may come before the house number ("Flat 36, Alan Plains", "Studio 2, ...").
SECONDARY_BEFORE: tuple[str, ...] = ("flat", "studio", "apt", "apt.", "apartment", "unit", "suite", "room", "no.")
# ... and after it ("Apt. 251", "Piano 3", "Appartamento 7", "Puerta 2", "Stiege 3").
SECONDARY_AFTER: tuple[str, ...] = (
    "apt", "apt.", "apartment", "suite", "unit", "flat", "#", "appartamento", "app.", "interno", "int.", "scala",
    "piano", "piso", "puerta", "dto.", "depto.", "bus", "boîte", "bte", "wohnung", "stiege", "top", "étage",
    "etage", "esc.", "escalera", "andar", "ap.", "lok.", "m.",
)


def _alternation(words: tuple[str, ...]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


PREFIX_ALT = _alternation(PREFIX_TYPES)
SECONDARY_BEFORE_ALT = _alternation(SECONDARY_BEFORE)
SECONDARY_AFTER_ALT = _alternation(SECONDARY_AFTER)
