"""Synthetic homes: the floors, areas and device names the training sentences are filled with.

Two disjoint vocabularies: `TRAIN` for the training set and `HELDOUT` for the generated held-out
split, so its accuracy measures names the model never saw. Neither uses the names of the project's
example inventory nor of Home Assistant's intent-test fixtures (Kitchen, Living Room, Bedroom, ...),
so the hand-written held-out sets over those homes stay honest.

An entity is ``(name, domain, device_class)``; `home(rng, vocab)` draws one home: a few floors, a
handful of areas and a dozen entities, some named after their area ("Den Lamp"), some not; scenes,
scripts, weather places and to-do lists have names of their own and no area.
"""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Vocabulary:
    floors: tuple[str, ...]
    areas: tuple[str, ...]
    qualifiers: tuple[str, ...]
    """Words that name a device besides its area: "Sofa", "Bedside", "Corner"."""
    nouns: dict[str, tuple[tuple[str, str | None], ...]]
    """domain -> (device noun, device class) pairs: light -> ("Lamp", None), cover -> ("Blinds", "blind")."""
    proper: dict[str, tuple[str, ...]]
    """domain -> names that are not "<qualifier> <noun>" ("Dusty" the vacuum, "Soundbar")."""


@dataclass(frozen=True)
class SynthEntity:
    name: str
    domain: str
    device_class: str | None
    area: str | None


@dataclass(frozen=True)
class SynthHome:
    floors: tuple[str, ...]
    areas: tuple[str, ...]
    entities: tuple[SynthEntity, ...]


TRAIN = Vocabulary(
    floors=("Main Floor", "Lower Level", "Top Floor", "Mezzanine", "Third Floor", "Attic Floor", "Basement Level",
            "Garden Level", "Upper Floor", "Second Level"),
    areas=("Den", "Pantry", "Attic", "Sunroom", "Mudroom", "Loft", "Laundry Room", "Spare Room", "Playroom",
           "Library", "Workshop", "Hallway", "Porch", "Cellar", "Foyer", "Gym", "Studio", "Master Suite",
           "Kids Room", "Dressing Room", "Utility Room", "Landing", "Balcony", "Lounge", "Family Room",
           "Boot Room", "Greenhouse", "Shed", "Sauna", "Music Room", "Craft Room", "Home Cinema", "Back Garden",
           "Driveway", "Ensuite", "Toy Room", "Reading Nook", "Wine Cellar", "Annex", "Games Room"),
    qualifiers=("Sofa", "Bedside", "Corner", "Piano", "Vanity", "Desk", "Counter", "Window", "Mirror", "Stair",
                "Accent", "Floor", "Wall", "Hanging", "Cabinet", "Pool", "Fireplace", "Aquarium", "Night",
                "Ceiling", "Bar", "Entry", "Path", "Shelf", "Bookcase", "Dresser", "Crib", "Hob", "Sink", "Porch",
                "Den", "Loft", "Attic", "Hallway", "Gym", "Studio", "Pantry", "Cellar", "Left", "Right", "Big",
                "Small", "Main", "Back", "Side", "Deck", "Arcade", "Gallery"),
    nouns={
        "light": (("Light", None), ("Lamp", None), ("Lights", None), ("Spotlights", None), ("Chandelier", None),
                  ("Sconce", None), ("Strip", None), ("LED Strip", None), ("Downlights", None), ("Bulb", None),
                  ("Pendant Lamp", None), ("Uplighter", None), ("Lantern", None)),
        "switch": (("Plug", None), ("Socket", None), ("Outlet", None), ("Switch", None), ("Heater", None),
                   ("Coffee Maker", None), ("Dehumidifier", None), ("Fountain", None), ("Toaster", None)),
        "fan": (("Fan", None), ("Ceiling Fan", None), ("Tower Fan", None), ("Air Purifier", None),
                ("Extractor", None)),
        "cover": (("Blinds", "blind"), ("Blind", "blind"), ("Shades", "shade"), ("Curtains", "curtain"),
                  ("Shutters", "shutter"), ("Awning", "awning"), ("Gate", "gate"), ("Roller Door", "garage"),
                  ("Skylight", "window"), ("Drapes", "curtain")),
        "lock": (("Lock", None), ("Door Lock", None), ("Deadbolt", None), ("Gate Lock", None)),
        "media_player": (("TV", "tv"), ("Speaker", "speaker"), ("Soundbar", "speaker"), ("Stereo", "speaker"),
                         ("Television", "tv"), ("Projector", "tv"), ("Radio", "speaker")),
        "climate": (("Thermostat", None), ("Radiator", None), ("AC", None), ("Air Conditioner", None),
                    ("Heat Pump", None)),
        "sensor": (("Thermometer", "temperature"), ("Humidity", "humidity"), ("Climate Sensor", "temperature")),
        "vacuum": (("Vacuum", None), ("Robot Vacuum", None), ("Mop", None)),
        "lawn_mower": (("Mower", None), ("Lawn Mower", None), ("Robot Mower", None)),
        "valve": (("Valve", None), ("Water Valve", None), ("Sprinkler", None), ("Gas Valve", None)),
        "binary_sensor": (("Motion Detector", "motion"), ("Window Sensor", "window"), ("Door Sensor", "door"),
                          ("Leak Sensor", "moisture"), ("Smoke Detector", "smoke")),
    },
    proper={"vacuum": ("Dusty", "Rosie", "Bender", "Wall-E", "Hoover Max"),
            "media_player": ("Sonos Arc", "Jukebox", "Bravia", "Echo Dot", "Hi-Fi", "Speaker", "Stereo", "Radio"),
            "light": ("Moon Lamp", "Lava Lamp", "Fairy Lights", "Christmas Tree", "Neon Sign"),
            "switch": ("Espresso Machine", "Kettle Plug", "Water Heater", "Printer"),
            "lawn_mower": ("Grassy", "Lawnbot", "Chomper", "Automower"),
            "sensor": ("Energy Usage", "Car Battery", "Wind Speed", "Air Quality", "Water Usage", "Solar Output",
                       "Power Draw", "Rainfall", "Tablet Battery", "Freezer Temperature"),
            "scene": ("Movie Night", "Dinner Time", "Relax", "Good Morning", "Romantic", "Night Mode", "Focus Mode",
                      "Cinema Mode", "Away Mode", "Reading Time"),
            "script": ("Morning Routine", "Bedtime Routine", "Leave Home", "Water The Plants", "Welcome Home"),
            "weather": ("Paris", "Berlin", "Tokyo", "Seattle", "Madrid", "Home", "Forecast", "Sydney", "Chicago"),
            "todo": ("Groceries", "Errands", "Hardware Store", "Work Tasks", "Costco", "Packing", "Weekend",
                     "Garden Jobs")},
)

HELDOUT = Vocabulary(
    floors=("Lower Ground", "First Storey", "Penthouse", "Split Level", "Roof Level"),
    areas=("Snug", "Scullery", "Parlour", "Atrium", "Solarium", "Cloakroom", "Veranda", "Nursery Two",
           "Observatory", "Orangery", "Box Room", "Carport", "Rumpus Room", "Dojo", "Boathouse", "Vestibule"),
    qualifiers=("Armchair", "Reading", "Harp", "Tank", "Island", "Alcove", "Arch", "Banister", "Canopy", "Trellis",
                "Snug", "Parlour", "Atrium", "Mantel", "Easel", "Hammock"),
    nouns={
        "light": (("Globe", None), ("Floodlight", None), ("Torchiere", None), ("Light Bar", None), ("Lamp", None)),
        "switch": (("Power Strip", None), ("Humidifier", None), ("Smart Plug", None)),
        "fan": (("Pedestal Fan", None), ("Fan", None)),
        "cover": (("Roller Blind", "blind"), ("Louvres", "shutter"), ("Sheers", "curtain")),
        "lock": (("Latch", None), ("Smart Lock", None)),
        "media_player": (("Boombox", "speaker"), ("Telly", "tv")),
        "climate": (("Boiler", None), ("Mini Split", None)),
        "sensor": (("Temp Probe", "temperature"),),
        "vacuum": (("Robovac", None),),
        "lawn_mower": (("Grass Cutter", None),),
        "valve": (("Stopcock", None),),
        "binary_sensor": (("Contact Sensor", "opening"),),
    },
    proper={"vacuum": ("Scooter", "Mopsy"), "media_player": ("Gramophone",), "light": ("Salt Lamp",),
            "switch": ("Waffle Iron",), "lawn_mower": ("Mulcher",), "sensor": ("Heat Output", "Bike Battery"),
            "scene": ("Date Night", "Lazy Sunday"), "script": ("School Run",), "weather": ("Lisbon", "Oslo"),
            "todo": ("Pharmacy", "Holiday Prep")},
)

# how often a home has a device of each domain, and how many
_DOMAIN_COUNTS = {"light": (2, 5), "switch": (0, 2), "fan": (0, 2), "cover": (0, 2), "lock": (0, 2),
                  "media_player": (0, 2), "climate": (0, 1), "sensor": (0, 2), "vacuum": (0, 1), "lawn_mower": (0, 1),
                  "valve": (0, 1), "binary_sensor": (0, 1), "scene": (0, 2), "script": (0, 1), "weather": (0, 1),
                  "todo": (0, 2)}
# domains whose things have names of their own, in no area ("Movie Night", "Paris", "Groceries")
_NAMED_ONLY = frozenset({"scene", "script", "weather", "todo"})
_PROPER_SHARE = {"sensor": 0.6}  # a sensor is "Energy Usage" more often than "Den Thermometer"


def home(rng: random.Random, vocab: Vocabulary) -> SynthHome:
    """One random home over `vocab`: 1-3 floors, 3-7 areas, entities named "<area or qualifier> <noun>"."""
    floors = tuple(rng.sample(vocab.floors, rng.randint(1, 3)))
    areas = tuple(rng.sample(vocab.areas, rng.randint(3, 7)))
    entities: list[SynthEntity] = []
    seen: set[str] = set()
    for domain, (lo, hi) in _DOMAIN_COUNTS.items():
        for _ in range(rng.randint(lo, hi)):
            nouns = vocab.nouns.get(domain, ())
            noun, device_class = rng.choice(nouns) if nouns else ("", None)
            area = rng.choice(areas)
            roll = rng.random()
            if domain in _NAMED_ONLY or (roll < _PROPER_SHARE.get(domain, 0.12) and domain in vocab.proper):
                name = rng.choice(vocab.proper[domain])
            elif roll < 0.55:
                name = f"{area} {noun}"
            else:
                name = f"{rng.choice(vocab.qualifiers)} {noun}"
            if name.casefold() in seen:
                continue
            seen.add(name.casefold())
            placed = domain not in _NAMED_ONLY and rng.random() < 0.9
            entities.append(SynthEntity(name, domain, device_class, area if placed else None))
    return SynthHome(floors, areas, tuple(entities))
