"""Seeded PII values (and look-alikes that are not PII) in many locales and formats.

Faker gives locale-true names, streets, postcodes and cities; the formats around them (titles,
lower case, "Last, First", multi-line addresses, apartment numbers) are ours, because users type
them in every one of those shapes. Phone numbers are re-drawn until `phonenumbers` calls them valid
and then printed in one of its formats: a real number is valid, and Faker's are often not.

Hard negatives live here too: cities and countries alone, companies, products, dates, amounts and
ids that look like numbers. Both the training data and the evaluation set draw from this module; the
templates they are put into differ.
"""

from __future__ import annotations

import datetime as dt
import functools
import random
import string
from collections.abc import Callable
from functools import cached_property

#: Locales of the evaluation set (the markets the device ships to).
EVAL_LOCALES: tuple[str, ...] = ("en_US", "en_GB", "de_DE", "de_CH", "fr_FR", "it_IT", "es_ES", "nl_NL")
#: Training sees more locales than evaluation, so names and streets generalise beyond them.
TRAIN_LOCALES: tuple[str, ...] = EVAL_LOCALES + (
    "fr_CH", "de_AT", "en_IE", "en_AU", "en_CA", "pt_PT", "pt_BR", "pl_PL", "sv_SE", "da_DK",
    "cs_CZ", "fi_FI", "tr_TR", "en_IN",
)

_TITLES = {
    "en": ("Mr.", "Mrs.", "Ms.", "Dr.", "Prof.", "Mr", "Ms", "Dr"),
    "de": ("Herr", "Frau", "Dr.", "Prof. Dr.", "Frau Dr."),
    "fr": ("M.", "Mme", "Mme.", "Dr", "Madame", "Monsieur"),
    "it": ("Sig.", "Sig.ra", "Dott.", "Dott.ssa", "Signor"),
    "es": ("Sr.", "Sra.", "Dr.", "Don", "Doña"),
    "nl": ("dhr.", "mevr.", "Dr.", "meneer", "mevrouw"),
}
PRODUCTS: tuple[str, ...] = (
    "iPhone 15 Pro", "Galaxy S24", "ThinkPad X1 Carbon", "PlayStation 5", "Kindle Paperwhite",
    "Raspberry Pi 5", "MacBook Air", "Pixel 8", "Surface Pro 9", "Dyson V15", "Nespresso Vertuo",
    "Tesla Model 3", "Golf GTI", "Thermomix TM6", "Apple Watch", "AirPods Pro", "Nintendo Switch",
    "Philips Hue", "Sonos One", "Kia Niro", "Fiat 500", "Vespa Primavera", "Bosch Serie 6",
    "Miele W1", "Garmin Forerunner 265", "Jetson Orin Nano", "Windows 11", "Ubuntu 24.04",
    "Excel", "PowerPoint", "Photoshop", "Jira", "Slack", "Zoom", "Spotify", "Netflix",
    "Ford Mustang", "Mercedes C-Class", "Ray-Ban Wayfarer", "Lego Millennium Falcon", "Jordan 1",
    "Linux", "Python 3.12", "Marie Curie Fellowship", "Nobel Prize",
)
# Words that are names elsewhere but not here: the model must read context, not the word.
AMBIGUOUS_WORDS: tuple[str, ...] = (
    "June", "April", "August", "May", "Will", "Grace", "Hope", "Joy", "Rose", "Mark", "Bill",
    "Frank", "Victoria", "Jordan", "Paris", "Florence", "Sydney", "Austin", "Chase", "Brown",
    "Smith", "Baker", "Miller", "Summer", "Dawn", "Sky", "Amber", "Ruby", "Jasmine", "Georgia",
)
FAMOUS: tuple[str, ...] = (
    "Einstein", "Shakespeare", "Mozart", "Napoleon", "Beethoven", "Darwin", "Newton", "Picasso",
    "Goethe", "Van Gogh", "Da Vinci", "Cleopatra", "Gandhi", "Churchill",
)
# Dates are drawn around a fixed day, not the clock: Faker's relative dates ("-2y") shift every
# second, and with them how many random numbers each draw takes, so a set would not repeat from its seed.
_TODAY = dt.date(2026, 1, 1)
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")
_STREET_WORDS = {  # a street name without a house number is a landmark, not an address
    "en": ("Main Street", "Oxford Street", "Fifth Avenue", "Broadway", "High Street"),
    "de": ("Bahnhofstrasse", "Kurfürstendamm", "Hauptstraße", "Königsallee"),
    "fr": ("Champs-Élysées", "rue de Rivoli", "boulevard Saint-Germain"),
    "it": ("Via del Corso", "Via Condotti"),
    "es": ("Gran Vía", "La Rambla", "Paseo de la Castellana"),
    "nl": ("Kalverstraat", "Damrak", "Coolsingel"),
}


@functools.cache
def _listed_cities(locale: str) -> tuple[str, ...]:
    """Faker's fixed city list for `locale`, sorted: it_IT builds it from a set, whose order (and so
    which city a seed draws) changes with every process's string hashing."""
    import importlib

    try:
        provider = importlib.import_module(f"faker.providers.address.{locale}").Provider
    except ImportError:
        return ()
    cities = getattr(provider, "cities", None)
    return tuple(sorted(cities)) if isinstance(cities, list) else ()


def lang(locale: str) -> str:
    return locale.split("_")[0] if locale.split("_")[0] in _TITLES else "en"


class Fakes:
    """All values for one seed; `locale` picks which Faker answers each call."""

    def __init__(self, seed: int, locales: tuple[str, ...]) -> None:
        self.rng = random.Random(seed)
        self.locales = locales
        self._seed = seed

    @cached_property
    def _faker(self) -> dict[str, object]:
        from faker import Faker

        out: dict[str, object] = {}
        for i, loc in enumerate(self.locales):
            fake = Faker(loc)
            fake.seed_instance(self._seed * 1000 + i)
            out[loc] = fake
        return out

    def f(self, locale: str):
        return self._faker[locale]

    def choice(self, seq):
        return seq[self.rng.randrange(len(seq))]

    # -- PERSON ----------------------------------------------------------------------------------
    def person(self, locale: str, *, allow_single: bool = True) -> tuple[str, str]:
        """(text as typed, the PERSON part of it); a title stays outside the PERSON part."""
        f = self.f(locale)
        r = self.rng.random()
        first, last = f.first_name(), f.last_name()
        if r < 0.55:
            name = f"{first} {last}"
        elif r < 0.63:
            name = f"{first} {f.first_name()} {last}"
        elif r < 0.68:
            name = f"{last}, {first}"
        elif r < 0.74:
            name = f"{first[0]}. {last}"
        elif r < 0.86 or not allow_single:
            title = self.choice(_TITLES[lang(locale)])
            return f"{title} {last}", last
        else:
            name = first
        if self.rng.random() < 0.12:
            name = name.lower()
        return name, name

    # -- STREET_ADDRESS ------------------------------------------------------------------------------
    def address(self, locale: str) -> str:
        f = self.f(locale)
        street = f.street_address().replace("\n", ", ").strip()  # es_ES formats end in a space
        r = self.rng.random()
        if locale == "en_US":
            city_part = f"{self.city(locale)}, {f.state_abbr()} {f.postcode()}"
        elif locale in ("en_GB", "en_IE"):
            city_part = f"{self.city(locale)} {f.postcode()}"
        else:
            city_part = f"{f.postcode()} {self.city(locale)}"
        if r < 0.45:
            text = street
        elif r < 0.85:
            text = f"{street}, {city_part}"
        elif r < 0.93:
            text = f"{street} {city_part}"
        else:
            text = f"{street}\n{city_part}"
        if self.rng.random() < 0.08:
            text = text.lower()
        return text

    # -- things that are not PII -------------------------------------------------------------------
    def city(self, locale: str) -> str:
        cities = _listed_cities(locale)
        return self.choice(cities) if cities else self.f(locale).city()

    def country(self, locale: str) -> str:
        return self.f(locale).country()

    def org(self, locale: str) -> str:
        return self.f(locale).company()

    def product(self) -> str:
        return self.choice(PRODUCTS)

    def ambiguous(self) -> str:
        return self.choice(AMBIGUOUS_WORDS)

    def famous(self) -> str:
        return self.choice(FAMOUS)

    def landmark_street(self, locale: str) -> str:
        return self.choice(_STREET_WORDS[lang(locale)])

    def date(self, locale: str) -> str:
        d = _TODAY + dt.timedelta(days=self.rng.randrange(-730, 366))
        return self.choice((
            d.strftime("%Y-%m-%d"), d.strftime("%d.%m.%Y"), d.strftime("%m/%d/%Y"),
            f"{_MONTHS[d.month - 1]} {d.day}", f"{d.day} {_MONTHS[d.month - 1]} {d.year}",
            self.choice(_WEEKDAYS), f"next {self.choice(_WEEKDAYS)}",
        ))

    def time(self) -> str:
        h, m = self.rng.randrange(24), self.choice((0, 15, 30, 45))
        return self.choice((f"{h:02d}:{m:02d}", f"{h % 12 or 12} {'am' if h < 12 else 'pm'}", f"{h}h{m:02d}"))

    def amount(self) -> str:
        value = self.rng.randrange(1, 100000) / self.choice((1, 100))
        return self.choice((f"{value:,.2f} EUR", f"${value:,.2f}", f"CHF {value:.0f}", f"{value:.0f} kg",
                            f"{self.rng.randrange(1, 100)}%", f"{self.rng.randrange(2, 500)} km"))

    def ident(self) -> str:
        """Order, invoice, ticket and version numbers: digits that are no phone or card."""
        year = self.rng.randrange(2018, 2027)
        return self.choice((
            f"{year}-{self.rng.randrange(10**6):06d}", f"#{self.rng.randrange(10**4, 10**7)}",
            f"INV-{self.rng.randrange(10**5):05d}", f"v{self.rng.randrange(1, 9)}.{self.rng.randrange(20)}.{self.rng.randrange(20)}",
            f"{self.rng.randrange(100, 999)}-{self.rng.randrange(1000, 9999)}",
            f"PO {self.rng.randrange(10**7, 10**8)}", f"ticket {self.rng.randrange(1000, 99999)}",
            f"{self.rng.randrange(10**9, 10**10)}",
        ))

    # -- structured PII (caught by rules; the model sees them as context) --------------------------
    def email(self, locale: str) -> str:
        f = self.f(locale)
        if self.rng.random() < 0.5:
            return f.email()
        user = f"{f.first_name()}.{f.last_name()}".lower()
        user = "".join(c for c in user if c.isascii() and (c.isalnum() or c in "._-")) or "user"
        return f"{user}@{f.free_email_domain()}"

    def phone(self, locale: str) -> str:
        import phonenumbers
        from phonenumbers import PhoneNumberFormat as Fmt

        f, region = self.f(locale), locale.split("_")[1]
        for _ in range(50):
            try:
                number = phonenumbers.parse(f.phone_number(), region)
            except phonenumbers.NumberParseException:
                continue
            if phonenumbers.is_valid_number(number):
                fmt = self.choice((Fmt.INTERNATIONAL, Fmt.INTERNATIONAL, Fmt.NATIONAL, Fmt.E164))
                return phonenumbers.format_number(number, fmt)
        example = phonenumbers.example_number(region)
        if example is None:
            raise ValueError(f"phonenumbers has no example number for region {region!r}")
        return phonenumbers.format_number(example, Fmt.INTERNATIONAL)

    def card(self, locale: str) -> str:
        from device.redaction.validators import card_valid

        while True:
            digits = self.f(locale).credit_card_number()
            if card_valid(digits):
                break
        if self.rng.random() < 0.6 and len(digits) == 16:
            sep = self.choice((" ", "-"))
            return sep.join(digits[i:i + 4] for i in range(0, 16, 4))
        return digits

    def iban(self, locale: str) -> str:
        iban = self.f(locale).iban()
        if self.rng.random() < 0.6:
            return " ".join(iban[i:i + 4] for i in range(0, len(iban), 4))
        return iban

    def ssn(self) -> str:
        from device.redaction.validators import ssn_valid

        while True:
            area, group, serial = self.rng.randrange(1, 900), self.rng.randrange(1, 100), self.rng.randrange(1, 10000)
            if ssn_valid(f"{area:03d}", f"{group:02d}", f"{serial:04d}"):
                return f"{area:03d}-{group:02d}-{serial:04d}"

    def ip(self) -> str:
        f = self.f(self.locales[0])
        return f.ipv4() if self.rng.random() < 0.7 else f.ipv6()

    def mac(self) -> str:
        mac = self.f(self.locales[0]).mac_address()
        return mac.upper() if self.rng.random() < 0.4 else mac.replace(":", self.choice((":", "-")))

    def secret(self) -> str:
        """A key in a known vendor format, or a random high-entropy token."""
        alnum = string.ascii_letters + string.digits

        def rand(n: int, alphabet: str = alnum) -> str:
            return "".join(self.rng.choice(alphabet) for _ in range(n))

        return self.choice((
            "sk-" + rand(40), "sk-proj-" + rand(48), "ghp_" + rand(36), "AKIA" + rand(16, string.ascii_uppercase + string.digits),
            "xoxb-" + rand(12, string.digits) + "-" + rand(24), "sk_live_" + rand(24), "AIza" + rand(35),
            rand(32), rand(40, alnum + "_-"),
        ))

    def password(self) -> str:
        f = self.f(self.locales[0])
        return self.choice((f.password(length=self.rng.randrange(8, 16)),
                            f.word() + str(self.rng.randrange(10, 9999)) + self.choice("!?#$"),
                            f.word().capitalize() + f.word() + str(self.rng.randrange(1, 99))))

    def dob(self, locale: str) -> str:
        d = _TODAY - dt.timedelta(days=self.rng.randrange(365, 95 * 365))
        return self.choice((
            d.strftime("%Y-%m-%d"), d.strftime("%d.%m.%Y"), d.strftime("%m/%d/%Y"), d.strftime("%d/%m/%Y"),
            f"{_MONTHS[d.month - 1]} {d.day}, {d.year}", f"{d.day} {_MONTHS[d.month - 1]} {d.year}",
        ))

    def gps(self) -> str:
        lat, lon = self.rng.uniform(-60, 70), self.rng.uniform(-170, 170)
        r = self.rng.random()
        if r < 0.55:
            return f"{lat:.{self.rng.randrange(4, 7)}f}, {lon:.{self.rng.randrange(4, 7)}f}"
        if r < 0.8:
            ns, ew = ("N" if lat >= 0 else "S"), ("E" if lon >= 0 else "W")
            return f"{abs(lat):.4f}° {ns}, {abs(lon):.4f}° {ew}"
        def dms(v: float, pos: str, neg: str) -> str:
            a = abs(v)
            d, m = int(a), int((a % 1) * 60)
            s = ((a * 60) % 1) * 60
            return f"{d}°{m}'{s:.1f}\"{pos if v >= 0 else neg}"
        return f"{dms(lat, 'N', 'S')} {dms(lon, 'E', 'W')}"


def sampler(fakes: Fakes, locale: str) -> dict[str, Callable[[], str]]:
    """Slot name -> value generator for one locale (PERSON and address handled by the renderer)."""
    return {
        "city": lambda: fakes.city(locale), "country": lambda: fakes.country(locale),
        "org": lambda: fakes.org(locale), "product": fakes.product, "word": fakes.ambiguous,
        "famous": fakes.famous, "landmark": lambda: fakes.landmark_street(locale),
        "date": lambda: fakes.date(locale), "time": fakes.time, "amount": fakes.amount, "id": fakes.ident,
        "email": lambda: fakes.email(locale), "phone": lambda: fakes.phone(locale),
        "card": lambda: fakes.card(locale), "iban": lambda: fakes.iban(locale), "ssn": fakes.ssn,
        "ip": fakes.ip, "mac": fakes.mac, "secret": fakes.secret, "password": fakes.password,
        "dob": lambda: fakes.dob(locale), "gps": fakes.gps,
    }
