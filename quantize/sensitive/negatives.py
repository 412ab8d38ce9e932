"""Hard negatives: requests on the same subjects that disclose nothing about the user or anyone close.

The rule the classifier learns (and `device.redaction.sensitive` documents): a request is tagged
only when it states or presupposes a fact of a category about a specific private person. So these
are not tagged: knowledge questions ("How is bipolar disorder treated?"), questions about rights
that state no fact ("Can an employer ask about my religion?": everybody has some religion or none,
and asking reveals which of them nobody), hypotheticals about nobody in particular ("What should
someone do if they are undocumented?"), facts about public figures, fiction about invented
characters, people whose job touches the subject ("I'm an immigration lawyer, summarise ..."), and
everyday requests, including those with words that look sensitive ("my bank app", "Church Street",
"the party starts at 8", "technical debt", "a tropical depression").
"""

from __future__ import annotations

import random

from quantize.sensitive.compose import ME, Subject, fill, generic, sentence_case
from quantize.sensitive.frames import SLOTS
from quantize.sensitive.lexicon import Lexicon

_GENERAL = ("Give me a short overview of {t}.", "What does the research say about {t}?", "Write a short essay on {t}.",
            "Explain {t} in simple terms.", "Summarise the debate about {t}.", "Make a quiz about {t} for my class.",
            "What are common myths about {t}?", "Recommend a good book about {t}.", "Create a lesson plan on {t}.",
            "What are five facts about {t}?", "Find me a documentary about {t}.", "Write a blog post about {t}.",
            "I'm preparing a presentation on {t}; give me an outline.", "what is {t}", "Define {t}.")

_HYPOTHETICAL = ("What should {G} do if {f}?", "Can an employer fire {G} if {f}?", "How can you tell if {f}?",
                 "What support is there when {f}?", "Is it common that {f}?", "What happens when {f}?",
                 "How should a manager react if {f}?", "What are the rights of {G} if {f}?",
                 "How do you support {G} if {f}?", "Statistically, how often does it happen that {f}?")
_FICTION = ("Write a short story about {c} {f}.", "Write a poem from the point of view of {c} {f}.",
            "Give me a plot outline for a film about {c} {f}.", "Create a character profile for {c} {f}.",
            "Write a scene for my novel about {c} {f}.", "Write a monologue for {c} {f}.",
            "Invent a backstory for {c} {f}, for my role-playing game.")
_CHARACTERS = ("a young nurse", "an old fisherman", "a teenage girl", "a soldier", "a detective", "a single mother",
               "a character", "a farmer in 1920s Ireland", "a retired teacher", "a boy in a small town", "a pirate",
               "a woman in Victorian London", "a dragon", "a robot", "a medieval knight", "a jazz musician")
_PUBLIC = ("Is it true that {f}?", "When did the public learn that {f}?", "How did fans react when they heard that {f}?",
           "Which biography says that {f}?", "Fact check: {f}.", "Did the press report that {f}?",
           "Write a Wikipedia-style paragraph on how {f}.", "Was it in the news that {f}?", "In which year was it revealed that {f}?",
           "Which documentary tells how {f}?", "Why do people say that {f}?")
_PUBLIC_NOUN = ("Tell me about {SP} {noun}.", "What do we know about {SP} {noun}?", "How did {SP} {noun} affect {pos} career?",
                "When did {SP} {noun} become public?", "Summarise the press coverage of {SP} {noun}.",
                "Which song is about {SP} {noun}?")
_CELEBRITIES = (("Whitney Houston", "f"), ("Prince", "m"), ("David Bowie", "m"), ("Lady Gaga", "f"), ("Kurt Cobain", "m"),
                ("Taylor Swift", "f"), ("Winston Churchill", "m"), ("Queen Victoria", "f"), ("Napoleon", "m"),
                ("Marie Curie", "f"), ("Frida Kahlo", "f"), ("Ellen DeGeneres", "f"), ("Tim Cook", "m"),
                ("Laverne Cox", "f"), ("Britney Spears", "f"), ("Charlie Sheen", "m"), ("Kanye West", "m"),
                ("Serena Williams", "f"), ("Lionel Messi", "m"), ("Oprah Winfrey", "f"), ("Bill Gates", "m"),
                ("Angela Merkel", "f"), ("Emmanuel Macron", "m"), ("Boris Johnson", "m"), ("Vincent van Gogh", "m"),
                ("Ernest Hemingway", "m"), ("Amy Winehouse", "f"), ("Demi Lovato", "f"), ("Ricky Martin", "m"),
                ("Tom Hanks", "m"), ("Michael J. Fox", "m"), ("Jimmy Carter", "m"), ("Steve Jobs", "m"),
                ("Malcolm X", "m"), ("Rosa Parks", "f"), ("Greta Thunberg", "f"), ("Lewis Hamilton", "m"),
                ("Kim Kardashian", "f"), ("Rihanna", "f"), ("Princess Diana", "f"), ("the Pope", "m"),
                ("Elvis Presley", "m"), ("Cristiano Ronaldo", "m"), ("Meryl Streep", "f"), ("Johnny Cash", "m"))
_ATTRIBUTES = ("DNA", "fingerprints", "religious beliefs", "party membership", "salary", "health data", "religion", "sexual orientation", "health", "medical history", "nationality", "ethnic origin",
               "political views", "immigration status", "gender identity", "age", "marital status", "family plans",
               "credit history", "criminal record check", "genetic data", "sex life")
_RIGHTS = ("Is an employer allowed to ask about my {a}?", "May a landlord ask about my {a}?",
           "Do I have to answer questions about my {a} in a job interview?", "Who is allowed to see data about my {a}?",
           "Can a company store information about my {a}?", "What does GDPR say about data on someone's {a}?",
           "Can my insurer ask about my {a}?", "Is my {a} protected under discrimination law in {country}?",
           "Can my employer ask whether {f}?", "Is a landlord allowed to ask if {f}?",
           "Must I disclose my {a} to a future employer?", "Should I mention my {a} at work?",
           "Is the police allowed to store my {a}?", "Is it legal to be fired because of your {a}?")
_YOU = Subject("you", "p", "you", "your", "you", "your")
_YOU_FRAMES = ("Can you {goal} if {f}?", "What happens if {f}?", "Is it legal to fire you if {f}?",
               "How do you know if {f}?", "Can you {goal} when {f}?", "What are your options if {f}?",
               "Where do you get help if {f}?", "Do you have to tell your boss if {f}?")
_GOALS = ("get a US visa", "get a mortgage", "rent a flat", "work in a school", "adopt", "get life insurance",
          "join the army", "become a citizen", "open a bank account", "work abroad")
_PROFESSIONS = ("I'm a nurse", "I'm an immigration lawyer", "I'm a social worker", "I'm a police officer",
                "I work in HR", "I'm a debt counsellor", "I'm a genetics researcher", "I'm a history teacher",
                "I'm a journalist", "I'm a pharmacist", "I'm a medical student", "I'm a prison officer",
                "I volunteer at a food pantry", "I'm a GP", "I work for a trade magazine", "I'm a politics student")


def general(lex: Lexicon, rng: random.Random) -> str:
    topic = fill(rng.choice(lex.topics), ME, {**SLOTS, **lex.slots}, rng)
    frame = rng.choice(lex.general + _GENERAL)
    return fill(frame.replace("{t}", "\x00"), ME, SLOTS, rng).replace("\x00", topic)


def _about(lex: Lexicon, subj: Subject, rng: random.Random) -> str:
    return fill(rng.choice(lex.facts), subj, {**SLOTS, **lex.slots, "noun": lex.nouns}, rng)


def hypothetical(lex: Lexicon, rng: random.Random) -> str:
    who = generic(rng)
    pron = Subject(who.pron, "3", who.pron, who.pos, who.obj, who.first)
    frame = rng.choice(_HYPOTHETICAL)
    fact = _about(lex, pron if "{G}" in frame else who, rng)
    return frame.replace("{G}", who.text).replace("{f}", fact)


def fiction(lex: Lexicon, rng: random.Random) -> str:
    who = Subject("who", "3", rng.choice(("she", "he")), "their", "them", "whose")
    frame = rng.choice(_FICTION)
    return frame.replace("{c}", rng.choice(_CHARACTERS)).replace("{f}", _about(lex, who, rng))


def public_figure(lex: Lexicon, rng: random.Random) -> str:
    """A knowledge question about a famous person, the name often redacted as the NER leaves it: asking
    the assistant for facts about someone presupposes the facts are public."""
    name, gender = rng.choice(_CELEBRITIES)
    if rng.random() < 0.4:
        name = rng.choice(("<PERSON_1>", "<PERSON_1>", "<PERSON_2>"))
    she = gender == "f"
    star = Subject(name, "3", "she" if she else "he", "her" if she else "his", "her" if she else "him", name + "'s")
    if rng.random() < 0.25 and lex.nouns:
        return sentence_case(fill(rng.choice(_PUBLIC_NOUN), star, {**SLOTS, **lex.slots, "noun": lex.nouns}, rng))
    return rng.choice(_PUBLIC).replace("{f}", _about(lex, star, rng))


def rights(lex: Lexicon, rng: random.Random) -> str:
    frame = rng.choice(_RIGHTS)
    if "{f}" in frame:
        return fill(frame.replace("{f}", "\x00"), ME, SLOTS, rng).replace("\x00", _about(lex, ME, rng))
    return fill(frame.replace("{a}", rng.choice(_ATTRIBUTES)), ME, SLOTS, rng)


def you_generic(lex: Lexicon, rng: random.Random) -> str:
    """General questions with the generic "you": "Can you travel to the US if you have a criminal record?"."""
    frame = rng.choice(_YOU_FRAMES).replace("{goal}", rng.choice(_GOALS))
    return frame.replace("{f}", _about(lex, _YOU, rng))


def professional(lex: Lexicon, rng: random.Random) -> str:
    topic = fill(rng.choice(lex.topics), ME, {**SLOTS, **lex.slots}, rng)
    ask = rng.choice(("summarise the latest guidance on {t}", "make a checklist about {t} for new colleagues",
                      "explain {t} for a training session", "what are good sources on {t}",
                      "draft a leaflet about {t}"))
    return f"{rng.choice(_PROFESSIONS)}; {ask.replace('{t}', topic)}."


NEGATIVE_FRAMES = ((general, 0.36), (hypothetical, 0.12), (fiction, 0.1), (public_figure, 0.14), (rights, 0.1),
                   (professional, 0.08), (you_generic, 0.1))


def topical(lex: Lexicon, rng: random.Random) -> str:
    """A request on `lex`'s subject that discloses nothing about a private person."""
    frames, weights = zip(*NEGATIVE_FRAMES)
    return rng.choices(frames, weights)[0](lex, rng)
