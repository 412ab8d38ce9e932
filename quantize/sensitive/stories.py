"""Word problems and third-person puzzles: people with names who earn, owe, eat and walk, and disclose nothing.

A classifier that learned disclosures about "<PERSON_1>" and "my sister" tags any short story about a
named person: school maths problems ("<PERSON_1> borrowed $2000 and repays it with 10% interest; how
much a month?") came out flagged as finances, health or sex life four times in ten. These are the
negatives that teach it otherwise: arithmetic problems and riddles about named people (names of many
origins, or the placeholder the redactor leaves) doing everyday things with numbers, ending in the
question a textbook asks. The people are invented; the question is about the arithmetic.
"""

from __future__ import annotations

import random

from quantize.sensitive.compose import Subject, fill, sentence_case

_NAMES = {
    "f": ("Mandy", "Rose", "Carmen", "Aiko", "Ngozi", "Ingrid", "Lucía", "Mei", "Zainab", "Olga", "Priya", "Ashlyn",
          "Janeth", "Kelly", "Shelly", "Terri", "Nadia", "Colette", "Yara", "Beatriz", "Siobhan", "Hana", "Amara",
          "Greta", "Lori", "Ruby", "Imani", "Sakura", "Elif", "Maren"),
    "m": ("Pancho", "Lloyd", "Zaid", "Baldur", "Brady", "Chad", "Darren", "Griffin", "Kwame", "Ravi", "Tomasz",
          "Hiroshi", "Mateo", "Johnny", "Ram", "Carl", "Jerry", "Travis", "Bill", "Dmitri", "Emeka", "Luca", "Sven",
          "Omar", "Felipe", "Arjun", "Theo", "Malik", "Jin", "Piet"),
}
_TITLES = {"f": ("Mrs.", "Ms.", "Miss"), "m": ("Mr.",)}
_SURNAMES = ("Cruz", "Tan", "Okafor", "Schmidt", "Novak", "Haddad", "Kim", "Dubois", "Silva", "Murphy", "Yilmaz")
_ROLES = {"f": ("a farmer", "a baker", "a teacher", "a shop owner", "my daughter", "my sister", "a mother", "a nurse"),
          "m": ("a farmer", "a baker", "a teacher", "a shop owner", "my son", "my brother", "a father", "a waiter")}


def person(rng: random.Random) -> Subject:
    """A character of a word problem: a first name, a title and surname, a role, or a placeholder."""
    g = rng.choice("fm")
    pron, pos, obj = ("she", "her", "her") if g == "f" else ("he", "his", "him")
    roll = rng.random()
    if roll < 0.3:
        text = f"<PERSON_{rng.choice((1, 1, 2))}>"
    elif roll < 0.4:
        text = f"{rng.choice(_TITLES[g])} {rng.choice(_SURNAMES)}"
    elif roll < 0.52:
        text = rng.choice(_ROLES[g])
    else:
        text = rng.choice(_NAMES[g])
    return Subject(text, "3", pron, pos, obj, f"{text}'s", g)


def _other(rng: random.Random, first: Subject) -> str:
    """A second character, never the first one's text."""
    while True:
        other = person(rng).text
        if other != first.text and not other.startswith("my "):
            return other


# {S} the character, {pron}/{pos}/{obj} theirs, {Q} another character; numbers from _NUMBERS.
_PROBLEMS = (
    "{S} earns ${wage} an hour {job_ing}. {Pron} worked {a} hours last week and {b} hours this week. How much did {pron} earn in total?",
    "{S} gets a {pct}% raise on a salary of ${big} a year. What is {pos} new salary?",
    "{S} spends 1/{d} of {pos} salary on rent and 1/{d2} on food. If {pron} earns ${big} a month, how much is left?",
    "{S} owes {Q} ${mid}. They agree on {pct}% interest a month. If {S} pays it back after {a} months, how much does {pron} pay?",
    "{S} borrowed ${big} and promised to return it with an extra {pct}%. If {pron} pays ${mid} a month, how many months will it take?",
    "{S} has {a} quarters and {b} dimes. If {pron} buys a drink for {c} cents, how many cents are left?",
    "{S} is saving for a bike that costs ${mid}. {Pron} has ${small} and saves ${c} a week. How many weeks until {pron} can buy it?",
    "{S} bought {a} {food} at ${price} each and {b} {food2} at ${price2} each. How much did {pron} spend?",
    "A jacket costs ${mid}. {S} has a {pct}% discount coupon. How much does {pron} pay after the discount?",
    "{S} and {Q} share a flat. The rent is ${big} a month and {S} pays {pct}% of it. How much does {Q} pay?",
    "The bill at the restaurant was ${mid}. {S} left a {pct}% tip. How much did {pron} pay in total?",
    "{S} sold {pos} house for ${house}. {Pron} paid a {pct}% agent fee. How much did {pron} keep?",
    "{S} has a piggy bank with {a} coins of 50 cents and {b} coins of 20 cents. How much money is in it?",
    "{S} pays ${c} a month for a phone plan with {mins} minutes. {Pron} uses {a} minutes a day. Will {pron} run out in a 30-day month?",
    "{S} returns {a} overdue books to the library. The fine is ${price} per book plus a ${c} fee. How much does {pron} owe?",
    "{S} ate {a} slices of pizza and {Q} ate twice as many. The pizza had {slices} slices. How many are left?",
    "{S} bakes {a} trays of {b} cookies each. {Pron} gives away {c} cookies. How many does {pron} keep?",
    "{S} walks {a} miles a day, except on weekends when {pron} walks {b} miles. How many miles does {pron} walk in a week?",
    "{S} does {pushups} pushups on the first day and {c} more each day after that. How many does {pron} do on day {a}?",
    "{S} swims {a} lengths of a {pool}-metre pool every morning. How many kilometres does {pron} swim in {b} days?",
    "{S} runs {a} km on Monday, twice that on Wednesday and {b} km on Friday. How far did {pron} run this week?",
    "{S} is {a} years older than {Q}. In {b} years their ages will add up to {ages}. How old is {Q} now?",
    "{S} is twice as old as {Q}. {c} years ago {S} was three times as old. How old is {S} today?",
    "{S} has {a} sisters. Each sister has {b} brothers. How many children are in the family?",
    "A class has {class_size} students and {pct}% of them are girls. How many boys are in {SP} class?",
    "{S} plants {a} trees a year and cuts down {b}. {Pron} starts with {mid} trees. How many are there after {c} years?",
    "{S} has {a} apps on {pos} tablet. {Pron} deletes {b} and downloads {c}. How many apps are on it now?",
    "{S} starts on floor {a}. The lift takes {obj} up {b} floors, then down {c}. Which floor is {pron} on?",
    "{S} fills a {mid}-litre tank and uses {a} litres a day for the garden. How many days does the water last?",
    "{S} reads {a} pages a day. The book has {mid} pages. How many days will it take {obj} to finish it?",
    "{S} drives {a} miles to work and back every day, {b} days a week. The car does {c} miles per gallon. How many gallons a week?",
    "{S} has {a} dogs and {b} cats. Each dog eats {c} cups of food a day. How many cups do the dogs eat in a week?",
    "{S} buys a car for ${house} and pays {pct}% tax plus ${mid} for registration. What is the total?",
    "{S} invested ${mid}, which tripled in a year. {Pron} then spent ${small}. How much does {pron} have now?",
    "{S}'s makeup artist charges ${c} an hour and works {a} hours a day for {b} days. What is the total cost?",
    "{S} has ${mid}, {Q} has ${small} more than {S}. How much do they have together?",
)
_PUZZLES = (
    "{S} has {a} sisters. Each of {pos} sisters has one brother. How many brothers does {S} have?",
    "{S} is {Q}'s mother's only child's {relative}. What is {S} to {Q}?",
    "{S} says: 'I am lying.' Is {pron} telling the truth?",
    "Five friends sit in a row. {S} sits next to {Q}, who is not at either end. Who can sit in the middle?",
    "{S} is older than {Q} but younger than the baker. Who is the oldest?",
    "If {S} was {a} when {pos} brother was half {pos} age, how old is the brother when {S} is {ages}?",
    "{S} has a brother and a sister. The sister has {a} brothers. How many children does their mother have?",
    "A father and his son are in a car crash; the surgeon says 'I can't operate, he's my son'. Who is the surgeon? Riddle from class, explain it.",
)
_FRAMES = ("{}", "{}", "{}", "Solve: {}", "{} Show your working.", "Help my kid with this one: {}",
           "Maths homework: {}", "{} Explain step by step.", "Word problem: {}")
_NUMBERS = {
    "a": tuple(str(n) for n in range(2, 13)), "b": tuple(str(n) for n in range(2, 11)),
    "c": tuple(str(n) for n in (3, 4, 5, 6, 8, 10, 12, 15, 20, 25)), "d": ("3", "4", "5"), "d2": ("6", "8", "10"),
    "wage": ("8", "10", "12.50", "15", "18", "22"), "pct": ("2", "5", "10", "15", "20", "25", "30"),
    "small": ("20", "35", "50", "75", "120"), "mid": ("100", "150", "250", "320", "400", "600", "850"),
    "big": ("1200", "1800", "2000", "2500", "3600", "48000", "60000"), "house": ("20000", "180000", "350000", "400000"),
    "price": ("0.25", "0.50", "1.20", "2", "3.50", "4.20"), "price2": ("0.75", "1.35", "2.50", "6", "9.45"),
    "mins": ("300", "500", "1000"), "slices": ("12", "16", "24"), "pushups": ("20", "50", "100"),
    "pool": ("25", "50"), "ages": ("30", "40", "52", "64"), "class_size": ("20", "24", "28", "30"),
    "food": ("cakes", "cupcakes", "popsicles", "sandwiches", "apples", "melons", "croissants"),
    "food2": ("ice cream bars", "bottles of juice", "pies", "bags of crisps", "bagels"),
    "job_ing": ("tutoring maths", "babysitting", "washing cars", "at the café", "mowing lawns", "delivering papers"),
    "relative": ("daughter", "son", "nephew", "niece"),
}


def word_problem(rng: random.Random) -> str:
    """A textbook word problem (or a riddle) about invented people."""
    subj = person(rng)
    template = rng.choice(_PUZZLES) if rng.random() < 0.12 else rng.choice(_PROBLEMS)
    slots = {**_NUMBERS, "Q": (_other(rng, subj),), "Pron": (subj.pron.capitalize(),)}
    text = sentence_case(fill(template, subj, slots, rng))
    return rng.choice(_FRAMES).format(text)
