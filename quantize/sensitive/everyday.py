"""Everyday requests: what most of a device's traffic is, and what must never be flagged.

Three kinds: assembled requests (timers, recipes, code, smart-home commands, errands for people
close to the user, placeholders of redacted contacts), requests whose words look sensitive but are
not ("technical debt", "Union Station", "the Cancer star sign"), and the PII NER's own training
sentences in six languages, with their names and addresses either left in or replaced by
placeholders the way the redactor would.
"""

from __future__ import annotations

import random
import re

from quantize.sensitive.compose import close_person, fill, sentence_case
from quantize.sensitive.frames import SLOTS

_TEMPLATES = (
    "Set a timer for {n} minutes.", "What's the weather going to be like in {city} {day}?", "Remind me to {task} at {time}.",
    "Switch {onoff} the lights in the {room}.", "Find a recipe for {dish}.", "Translate '{phrase}' into {language}.",
    "How do I {howto}?", "Write a {code} function that {code_task}.", "Recommend a {genre} book for the holidays.",
    "Book a table for {n} at an Italian place {day}.", "Add {item} and {item} to my shopping list.",
    "What time is it in {city}?", "Put on {music} in the {room}.", "How many {unit} are in a {unit2}?",
    "Set the {room} heating to {n} degrees.", "Is it worth visiting {city} in {month}?",
    "Plan a {n}-day trip to {city} for me.", "Explain how {tech} works.", "What's the difference between {thing} and {thing2}?",
    "Summarise this text in three bullet points: {filler}", "Fix the grammar: '{filler}'",
    "{SP} birthday is {day}; what should I get {obj}?", "{S} wants to learn {skill}; where should {pron} start?",
    "{S} is visiting us {day}, suggest a nice dinner.", "Help me write a thank-you card for {S}.",
    "{S} needs help with {homework} homework, explain it simply.", "Remind me to call {S} about {errand}.",
    "Send {S} the {doc} from this morning.", "{S} and I are going to {city} {day}; what should we see?",
    "Email the {doc} to <EMAIL_1> before {time}.", "Call <PHONE_1> and ask about {errand}.",
    "Text <PERSON_1> that I'm running {n} minutes late.", "Forward the {doc} to <PERSON_1> and <PERSON_2>.",
    "Find a {shop} near <STREET_ADDRESS_1>.", "Is <STREET_ADDRESS_1> close to the station?",
    "Schedule a meeting with <PERSON_1> on {day} at {time}.", "What did <PERSON_1> say about the {doc}?",
    "I'm a {job} and need {work_ask}.", "I just moved to {city}, where do people buy second-hand furniture?",
    "I'm learning {skill}; give me a four-week plan.", "I'm {mood}, tell me a {joke}.",
    "We're hosting {n} friends for dinner {day}; plan a menu.", "My {device} won't {device_fail}, what can I try?",
    "{S} has a new {other_partner}; what's a good gift for a first Christmas together?",
    "{S} and {pos} {other_partner} are coming for lunch {day}, suggest a menu.", "{S} is bringing {pos} {other_partner} to the party.",
    "{S} is moving in with {pos} {other_partner}, what furniture do they need?",
    "How do I get to {place} from the {station}?", "Find a parking spot near {place}.", "Is {place} worth a visit?",
    "We'll be tourists at {site} in {month}; what should we see?", "What's the dress code for visiting {site}?",
    "How can I clear my {loan} faster?", "The bank took a {fee} from my account; can I dispute it?",
    "How much should I save each month for a {purchase}?", "Compare two {loan} offers for me: {rate1} and {rate2} interest.",
    "Is it worth switching my {account} to another bank?", "How do I set up a standing order for the rent?",
    "The airline {airline_issue}; help me write a complaint.", "What can I take in hand luggage on a flight to {city}?",
    "{S} is moving house {day}, how can I help with the packing?", "We're moving to {city} in {month}; make a checklist.",
    "How do I change my address with the post office after moving?", "Which documents do I need to rent a car in {country}?",
    "How early should I be at the airport for a flight to {country}?", "Find a removal company for a two-bedroom flat.",
    "Do I need a visa-free travel authorisation for a holiday in {country}?", "How do I renew {SP} passport online?",
    "Book a doctor's appointment for {S} next week.", "Remind me to pick up {SP} glasses from the optician.",
    "What time does the pharmacy close on {day2}?", "{S} has a dentist appointment {day}; remind me an hour before.",
    "Help me fill in the school registration form for {SP} son.", "What should I pack for a week of camping in {country}?",
    "{S} starts a new job {day}; what's a nice good-luck message?", "How do I report a pothole on my street to the council?",
    "Our flight to {city} was cancelled; what are our options?", "How do I get a parking permit for my street?",
)
_LOOKALIKES = (
    "How do I pay off technical debt in a legacy codebase?", "The bank holiday is on Monday, are shops open?",
    "How do I get from the airport to Union Station?", "Find a café on Church Road with outdoor seating.",
    "Our office party is on Friday, suggest some games.", "Is Pride and Prejudice worth reading?",
    "What is a strike in bowling?", "Plan a training schedule for my first 10k race.", "Which native plants attract bees?",
    "How do I give positive feedback to a junior developer?", "Record a voice memo: buy batteries.",
    "Is this sentence grammatical: 'Me and him went'?", "My phone won't charge past 80 percent.",
    "What does a carrier unlock cost for an iPhone?", "What's the mass of the Earth?", "Explain Gay-Lussac's law.",
    "Get the winter coats out of the closet, remind me on Saturday.", "Go straight to the point: what is Kubernetes?",
    "Is a queen bed big enough for two adults?", "Add a fade transition between the slides.",
    "Which foods contain trans fats?", "Give me a conservative estimate for the project timeline.",
    "Use garlic liberally in this recipe?", "How are labour costs calculated in construction?",
    "Decorate for a green-themed party.", "What is the union of two sets in Python?", "Is my Visa card accepted in Japan?",
    "Is Arkham Asylum a good game?", "Who directed the movie Alien?", "What happens if you go to jail in Monopoly?",
    "How do you go bankrupt in Monopoly?", "Is Arrested Development worth watching?", "What is abuse of notation in maths?",
    "What was the biggest hit song of 1985?", "How long should I beat egg whites?", "Are Beats headphones any good?",
    "Recipe for a non-alcoholic fruit punch.", "Will the tropical depression reach Florida?",
    "What traits does a Cancer star sign have?", "My laptop has a virus, how do I remove it?",
    "Explain the game Plague Inc.", "What is a pregnant pause in a speech?", "The engine light came on, what does it mean?",
    "How does water treatment remove bacteria?", "What's a good dose of humour for a wedding speech?",
    "Gene Hackman's best films?", "How does a mobile carrier set roaming prices?", "Is 'Faith' by George Michael on Spotify?",
    "Book the mass transit pass for next month.", "What is a dominant trait in genetics class?",
    "Which hormone makes leaves fall in autumn?", "Find a cheap flight with an exit row.", "How do I transition to a new job?",
    "Is the Conservative Party conference open to tourists?", "Explain the debt ceiling in simple words.",
    "What does 'credit' mean on a film poster?", "Where is the nearest Catholic cathedral to visit as a tourist?",
    "The kids want to see the temple ruins at Angkor, how do we plan it?", "What's on at the Labour History Museum?",
    "Our pub quiz team needs a name, something with 'union'.", "How do I cook a Thanksgiving turkey?",
    "Which party game works for 8-year-olds?", "I'm out of ideas: dinner with rice and beans?",
    "My sister's wedding is in June, which flowers are in season?", "My husband snores, any gadget that helps?",
    "My mum keeps forgetting her phone password, how do I reset it?", "My son wants to join the football club, what gear?",
    "My colleague is retiring, ideas for a card?", "My neighbour lent me a drill, how do I use it safely?",
    "Our landlord is painting the hallway, what colour goes with oak?", "My patients' waiting room needs magazines, which ones?",
)
_SLOTS = {
    **SLOTS,
    "n": ("2", "3", "4", "5", "6", "8", "10", "15", "20", "25", "45"),
    "day": ("tomorrow", "on Saturday", "this weekend", "next Friday", "tonight", "on Sunday morning"),
    "time": ("7", "8:30", "noon", "6 pm", "quarter past nine", "17:00"),
    "task": ("water the plants", "take the bins out", "call the plumber", "book the car service", "pay the phone bill",
             "order printer ink", "pick up the parcel", "defrost the chicken", "charge the drone"),
    "onoff": ("on", "off"),
    "room": ("kitchen", "living room", "bedroom", "hallway", "garage", "office", "kids' room"),
    "dish": ("banana bread", "pad thai", "shakshuka", "a quick curry", "pancakes", "minestrone", "lemon tart",
             "chicken tikka", "ratatouille", "goulash", "vegan chili", "dumplings"),
    "phrase": ("good morning", "the bill, please", "how much is this", "I'm lost", "see you tomorrow"),
    "language": ("French", "German", "Spanish", "Japanese", "Portuguese", "Dutch", "Polish"),
    "howto": ("change a bike chain", "bleed a radiator", "descale a kettle", "sharpen a knife", "unclog a drain",
              "set up a VPN", "make sourdough", "fold a fitted sheet", "install Python on Windows", "tie a tie",
              "grow tomatoes on a balcony", "write a cover letter", "speed up my wifi"),
    "code": ("Python", "JavaScript", "Rust", "Go", "SQL", "Bash"),
    "code_task": ("parses a CSV file", "removes duplicates from a list", "checks if a string is a palindrome",
                  "sends an HTTP request with retries", "sorts a dictionary by value", "merges two sorted arrays"),
    "genre": ("crime", "sci-fi", "fantasy", "history", "cookery", "travel", "poetry"),
    "item": ("eggs", "coffee", "tomatoes", "dish soap", "oat milk", "rice", "apples", "toilet paper", "butter"),
    "music": ("some jazz", "the news", "relaxing music", "80s hits", "a podcast", "classical music"),
    "unit": ("millilitres", "ounces", "teaspoons", "centimetres", "grams"),
    "unit2": ("cup", "pound", "tablespoon", "foot", "kilo"),
    "tech": ("a heat pump", "GPS", "a blockchain", "an electric car battery", "Wi-Fi", "a neural network", "solar panels"),
    "thing": ("an espresso", "TCP", "yeast", "a virus", "weather", "a crocodile", "an LLC"),
    "thing2": ("a ristretto", "UDP", "a sourdough starter", "a bacterium", "climate", "an alligator", "a sole trader"),
    "filler": ("the meeting went well and we agreed on next steps", "their going to the cinema tonight",
               "the quarterly numbers were up by six percent"),
    "skill": ("the guitar", "Spanish", "to swim", "chess", "to code", "photography", "to knit"),
    "homework": ("maths", "fractions", "French", "chemistry", "history", "geography"),
    "errand": ("the car insurance", "the dinner on Friday", "the invoice", "the school trip", "the broken fence",
               "the holiday flat"),
    "doc": ("slides", "report", "invoice", "photos", "contract", "meeting notes", "spreadsheet"),
    "shop": ("bakery", "pharmacy", "hardware store", "post office", "bike shop", "supermarket"),
    "job": ("teacher", "software developer", "chef", "bus driver", "project manager", "plumber", "nurse", "lawyer"),
    "work_ask": ("a checklist for my first week", "ideas for a team-building day", "a template for a weekly report",
                 "tips for a difficult customer", "a polite reminder email to a client"),
    "place": ("Temple Bar", "Parliament Square", "Chapel Road", "Court Lane",
              "Bank station", "Prison Island", "Hospital Road", "Abbey Road", "Mosque Road", "Synagogue Square",
              "Liberty Island", "Labour Street", "Castro Street", "the Gay Hussar restaurant"),
    "station": ("train station", "airport", "bus station", "hotel", "harbour"),
    "site": ("Notre-Dame", "the Blue Mosque", "the Western Wall", "Westminster Abbey", "a Buddhist temple",
             "the Golden Temple", "the Reichstag", "the Houses of Parliament", "Alcatraz", "Sagrada Família"),
    "loan": ("car loan", "mortgage", "student loan", "personal loan"),
    "fee": ("monthly account fee", "foreign transaction fee", "fee for a late payment", "card replacement fee"),
    "purchase": ("new car", "holiday in Japan", "house deposit", "wedding", "new laptop"),
    "rate1": ("3.9%", "4.2%", "5%"), "rate2": ("4.1%", "3.5%", "4.8%"),
    "account": ("current account", "savings account", "credit card", "pension"),
    "airline_issue": ("lost my suitcase", "cancelled my flight", "damaged my pram", "charged me twice for a seat",
                      "delayed us by nine hours"),
    "day2": ("Sunday", "Saturday", "a bank holiday", "Christmas Eve"),
    "mood": ("bored", "tired", "in a good mood", "stuck in traffic", "waiting for a train"),
    "joke": ("joke", "fun fact", "riddle", "short story"),
    "device": ("printer", "laptop", "dishwasher", "router", "phone", "smart speaker", "car"),
    "device_fail": ("turn on", "connect to wifi", "drain", "charge", "start", "update"),
}


def assembled(rng: random.Random) -> str:
    return sentence_case(fill(rng.choice(_TEMPLATES), close_person(rng), _SLOTS, rng))


def lookalike(rng: random.Random) -> str:
    return rng.choice(_LOOKALIKES)


_HEALTH_WORDS = re.compile(r"krank|malade|\bsick|\bill\b|doctor|arzt|médecin|antibiotic|hospital", re.IGNORECASE)


class NerSentences:
    """The PII NER's training sentences as everyday requests (needs Faker, like the NER's data)."""

    LOCALES = ("en_US", "en_GB", "de_DE", "fr_FR", "en_IE", "de_CH")

    def __init__(self, seed: int) -> None:
        from quantize.ner.fakes import Fakes

        self.fakes = Fakes(seed, self.LOCALES)

    def __call__(self, rng: random.Random) -> str:
        from quantize.ner.fakes import lang
        from quantize.ner.grammar import sentence
        from quantize.ner.render import render

        locale = rng.choice(self.LOCALES)
        template = sentence(rng, lang(locale))
        while _HEALTH_WORDS.search(template):  # "Mein Nachbar {P} ist krank" would disclose
            template = sentence(rng, lang(locale))
        sample = render(template, self.fakes, locale)
        text = sample.text
        if rng.random() < 0.6:  # as the redactor leaves it
            counts: dict[str, int] = {}
            for kind, start, end in sorted(sample.spans, key=lambda s: -s[1]):
                counts[kind] = counts.get(kind, 0) + 1
                text = f"{text[:start]}<{kind}_{counts[kind]}>{text[end:]}"
        return text
