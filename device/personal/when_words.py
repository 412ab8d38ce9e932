"""The words `device.personal.when` understands, English and German: numbers, units, weekdays,
months and parts of the day. Data only, so a language is added here, not in the grammar."""

from __future__ import annotations

from datetime import time

ONES = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
    "null": 0, "eins": 1, "ein": 1, "eine": 1, "einen": 1, "einer": 1, "einem": 1, "zwei": 2, "drei": 3,
    "vier": 4, "fünf": 5, "fuenf": 5, "sechs": 6, "sieben": 7, "acht": 8, "neun": 9, "zehn": 10, "elf": 11,
    "zwölf": 12, "zwoelf": 12, "dreizehn": 13, "vierzehn": 14, "fünfzehn": 15, "fuenfzehn": 15,
    "sechzehn": 16, "siebzehn": 17, "achtzehn": 18, "neunzehn": 19,
}
TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
    "ninety": 90,
    "zwanzig": 20, "dreißig": 30, "dreissig": 30, "vierzig": 40, "fünfzig": 50, "fuenfzig": 50,
    "sechzig": 60, "siebzig": 70, "achtzig": 80, "neunzig": 90,
}
ARTICLE_ONE = frozenset({"a", "an"})
"""Articles that count as one before a unit ("an hour"); German's "eine" is in ONES."""
FRACTIONS = {"half": 0.5, "halb": 0.5, "halbe": 0.5, "halben": 0.5, "quarter": 0.25, "viertel": 0.25,
             "dreiviertel": 0.75, "anderthalb": 1.5, "eineinhalb": 1.5, "couple": 2.0}
UNITS = {
    "s": 1, "sec": 1, "secs": 1, "second": 1, "seconds": 1, "sek": 1, "sekunde": 1, "sekunden": 1,
    "m": 60, "min": 60, "mins": 60, "minute": 60, "minutes": 60, "minuten": 60,
    "h": 3600, "hr": 3600, "hrs": 3600, "hour": 3600, "hours": 3600, "std": 3600, "stunde": 3600,
    "stunden": 3600,
    "d": 86400, "day": 86400, "days": 86400, "tag": 86400, "tage": 86400, "tagen": 86400,
    "w": 604800, "week": 604800, "weeks": 604800, "woche": 604800, "wochen": 604800,
    "viertelstunde": 900, "viertelstunden": 900,
}
SMALLER = {3600: 60, 60: 1, 86400: 3600, 604800: 86400}
"""A bare number after a unit counts in the next smaller one: "1h30" = 1 h 30 min."""
CONNECTORS = frozenset({"and", "und", "plus", "of", "for", "für", "fuer"})

WEEKDAYS = {
    "monday": 0, "mon": 0, "tuesday": 1, "tue": 1, "tues": 1, "wednesday": 2, "wed": 2, "thursday": 3,
    "thu": 3, "thur": 3, "thurs": 3, "friday": 4, "fri": 4, "saturday": 5, "sunday": 6,
    "montag": 0, "dienstag": 1, "mittwoch": 2, "donnerstag": 3, "freitag": 4, "samstag": 5, "sonnabend": 5,
    "sonntag": 6,
}
MONTHS = {
    "january": 1, "jan": 1, "januar": 1, "jänner": 1, "february": 2, "feb": 2, "februar": 2, "march": 3,
    "mar": 3, "märz": 3, "maerz": 3, "april": 4, "apr": 4, "may": 5, "mai": 5, "june": 6, "jun": 6,
    "juni": 6, "july": 7, "jul": 7, "juli": 7, "august": 8, "aug": 8, "september": 9, "sep": 9, "sept": 9,
    "october": 10, "oct": 10, "oktober": 10, "okt": 10, "november": 11, "nov": 11, "december": 12,
    "dec": 12, "dezember": 12, "dez": 12,
}
PARTS_OF_DAY = {
    "morning": time(9, 0), "morgens": time(9, 0), "früh": time(9, 0), "frueh": time(9, 0),
    "vormittag": time(10, 0), "vormittags": time(10, 0),
    "noon": time(12, 0), "midday": time(12, 0), "mittag": time(12, 0), "mittags": time(12, 0),
    "afternoon": time(15, 0), "nachmittag": time(15, 0), "nachmittags": time(15, 0),
    "evening": time(19, 0), "abend": time(19, 0), "abends": time(19, 0),
    "night": time(21, 0), "nacht": time(21, 0), "nachts": time(21, 0), "tonight": time(20, 0),
    "midnight": time(0, 0), "mitternacht": time(0, 0),
}
"""When a part of the day starts, for "tomorrow morning", "this evening", "tonight"."""
PM_PARTS = frozenset({"afternoon", "nachmittag", "nachmittags", "evening", "abend", "abends", "night",
                      "nacht", "nachts", "tonight"})
"""Parts of the day that make "at 7" mean 19:00."""
EXACT_PARTS = frozenset({"noon", "midday", "mittag", "midnight", "mitternacht"})
"""Parts that are a time of their own ("at noon"), not a default for one."""

TODAY = frozenset({"today", "heute"})
TOMORROW = frozenset({"tomorrow", "morgen"})
DAY_AFTER = ("day after tomorrow", "übermorgen", "uebermorgen")
NEXT = frozenset({"next", "coming", "nächsten", "nächster", "nächste", "naechsten", "kommenden", "kommender"})
THIS = frozenset({"this", "diesen", "dieser", "diese"})
FILLER = frozenset({"on", "at", "the", "of", "by", "in", "um", "am", "an", "den", "dem", "der", "gegen",
                    "oclock", "uhr", "this", "for", "from", "so", "around", "about", "ca"})
"""Words a due-time phrase may hold besides its parts ("on the 5th at 9 o'clock")."""
