"""How a disclosure sits in a request: stated then asked about, presupposed by a question, told to
someone in a letter, owned as a noun ("my parole conditions"), claimed as an identity ("As a
refugee, ..."), or buried after an everyday request. English; ``languages`` has DE and FR.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from quantize.sensitive.compose import ME, Subject, close_person, fill, sentence_case
from quantize.sensitive.lexicon import Lexicon

#: Slots every category may use.
SLOTS: dict[str, tuple[str, ...]] = {
    "when": ("last week", "yesterday", "in March", "two years ago", "this morning", "last month", "at 19",
             "recently", "after Christmas", "in 2019", "a few days ago", "over the summer", "last year"),
    "when_next": ("next week", "in May", "on Monday", "next month", "soon", "in two weeks", "tomorrow"),
    "dur": ("six months", "a year", "ten years", "three weeks", "most of my life", "two years", "a few months",
            "decades", "four years"),
    "month": ("January", "April", "June", "September", "November", "the spring"),
    "audience": ("my boss", "my employer", "HR", "my parents", "my family", "my landlord", "my teacher",
                 "my partner", "my kids", "my doctor", "my insurer", "my friends", "my coworkers", "the school",
                 "my manager", "my mum", "my dad", "my in-laws", "my girlfriend", "my husband", "my team"),
    "country": ("Germany", "the UK", "France", "the US", "Canada", "Switzerland", "Spain", "Italy", "Austria",
                "Australia", "the Netherlands", "Ireland", "Poland", "Sweden"),
    "city": ("Berlin", "London", "Paris", "Madrid", "Vienna", "Zurich", "Toronto", "Manchester", "Lyon", "Chicago"),
    "life_goal": ("get a mortgage", "travel to the US", "keep my job", "adopt a child", "get a security clearance",
                  "study abroad", "rent a flat", "become a teacher", "get insurance"),
}

_PREFIX = ("", "", "", "", "Hi, ", "So ", "Quick question: ", "I need advice. ", "ok so ", "Hey. ",
           "This is hard to say, but ", "Honestly, ", "Please help. ", "Um, ", "Can I ask something personal? ")
_FOLLOW_ME = (
    "", "", "What should I do?", "What are my options?", "Is this normal?", "Who can I talk to?", "How do I cope?",
    "Do I have to tell {audience}?", "Should I tell {audience}?", "How do I explain it to {audience}?",
    "Can you help me write an email to {audience} about it?", "Can {audience} find out?", "Where can I get help?",
    "What are my rights?", "Any advice?", "I don't know what to do.", "Can I still {life_goal}?",
    "How do I find a support group near me?", "What questions should I ask at the next appointment?",
    "Is it ok to keep it secret?", "Please help me plan the next steps.", "How do I tell my family?",
    "Will it affect my job?", "I feel so ashamed.", "I can't sleep because of it.", "What would you do in my place?",
    "How do I get through the week?", "Can you recommend a counsellor?", "Help me write a message to my boss asking for a day off.",
    "Will this show up anywhere?", "How do I stop feeling guilty?", "Where do I even begin?",
    "{audience} is really angry.", "{audience} doesn't know yet.", "I feel completely lost.", "It's ruining my career.",
    "When should I return to work?", "How do I explain the gap in my CV?", "Can I still travel to {country}?",
    "It's been a nightmare.", "Nobody knows except you.", "I'm too embarrassed to ask anyone else.",
    "My family keeps asking questions.", "How do I fill in the form?", "What do I write on the application?",
)
_FOLLOW_THEM = (
    "", "How can I support {obj}?", "What can I do to help {obj}?", "Should I say something to {obj}?",
    "How do I talk to {obj} about it?", "Is there anything I can do?", "What should we do?",
    "How do I explain it to the kids?", "Should I tell the rest of the family?", "How do I react?",
    "Can you help me write a kind message to {obj}?", "I'm worried about {obj}.", "What are {pos} options?",
    "{audience} is really angry.", "The rest of the family doesn't know.", "{pron} begged me not to tell anyone.",
    "What do I say to {obj}?", "{pron} is completely lost.", "How do we tell the grandparents?",
)
_FIRST = ("I need some advice.", "Can you help me?", "I don't know who else to ask.", "Need help with something.",
          "Be honest with me.", "Something personal:", "Quick one.")
_DOCS = ("an email", "a message", "a letter", "a short text", "a note", "a WhatsApp message")
_EXPLAINING = ("explaining", "saying", "telling them", "to let them know")
_SINCE_Q = ("what should I change at work?", "how do I plan the next months?", "what should I tell people?",
            "how do I keep going?", "what support can I ask for?", "how do I organise the week?")
_SO = ("help me plan my week", "what should I tell my boss", "how do I handle the family dinner",
       "what do I say at work", "please help me write a message to HR", "how do I explain the gap in my CV")
_NOUN_FRAMES = (
    "How do I deal with {SP} {noun}?", "Can my employer fire me because of {SP} {noun}?",
    "Do I have to mention {SP} {noun} to {audience}?", "Help me write a letter to {audience} about {SP} {noun}.",
    "I'm so worried about {SP} {noun}.", "How do I keep {SP} {noun} secret from {audience}?",
    "Nobody at work knows about {SP} {noun}. Should they?", "{SP} {noun} is ruining everything.",
    "What's the best way to talk about {SP} {noun} with {audience}?", "Can {audience} find out about {SP} {noun}?",
)
_AS_A = ("what should I know before moving to {city}?", "how do I find a job?", "where can I find a support group?",
         "what are my rights at work?", "is it safe for me to travel to {country}?", "how do I make friends in a new city?",
         "I often feel alone. Any advice?", "how do I deal with comments from colleagues?",
         "which neighbourhoods in {city} would suit me?", "what should I put in my dating profile?")


def _fact(lex: Lexicon, subj: Subject, rng: random.Random) -> str:
    return fill(lex.facts[rng.randrange(len(lex.facts))], subj, _slots(lex), rng)


def _slots(lex: Lexicon) -> dict[str, tuple[str, ...]]:
    return {**SLOTS, **lex.slots, "noun": lex.nouns, "identity": lex.identities}


def _follow(subj: Subject, lex: Lexicon, rng: random.Random) -> str:
    pool = _FOLLOW_ME if subj is ME or rng.random() < 0.3 else _FOLLOW_THEM
    return fill(rng.choice(pool), subj, _slots(lex), rng)


def _stated(lex: Lexicon, subj: Subject, rng: random.Random) -> str:
    fact = sentence_case(rng.choice(_PREFIX) + _fact(lex, subj, rng))
    follow = _follow(subj, lex, rng)
    return f"{fact}{rng.choice(('.', '.', '!', '...', ' -'))} {follow}".strip()


def _asked_first(lex: Lexicon, subj: Subject, rng: random.Random) -> str:
    return f"{rng.choice(_FIRST)} {sentence_case(_fact(lex, subj, rng))}."


def _tell(lex: Lexicon, subj: Subject, rng: random.Random) -> str:
    fact = _fact(lex, subj, rng)
    frame = rng.choice(("How do I tell {audience} that {f}?", "Should I tell {audience} that {f}?",
                        "How do I break it to {audience} that {f}?", "Is it wise to tell {audience} that {f}?",
                        "I just found out that {f}.", "What do I say if {audience} asks why {f}?",
                        "Does {audience} need to know that {f}?"))
    return fill(frame.replace("{f}", "\x00"), subj, _slots(lex), rng).replace("\x00", fact)


def _letter(lex: Lexicon, subj: Subject, rng: random.Random) -> str:
    verb = rng.choice(("Write", "Draft", "Help me write", "Can you write", "pls write"))
    fact = _fact(lex, subj, rng)
    audience = fill("{audience}", subj, SLOTS, rng)
    return f"{verb} {rng.choice(_DOCS)} to {audience} {rng.choice(_EXPLAINING)} that {fact}."


def _since(lex: Lexicon, subj: Subject, rng: random.Random) -> str:
    fact = _fact(lex, subj, rng)
    if rng.random() < 0.5:
        return sentence_case(f"{rng.choice(('since', 'now that', 'because'))} {fact}, {rng.choice(_SINCE_Q)}")
    return sentence_case(f"{fact}, so {rng.choice(_SO)}?")


def _noun(lex: Lexicon, subj: Subject, rng: random.Random) -> str:
    return sentence_case(fill(rng.choice(_NOUN_FRAMES), subj, _slots(lex), rng))


def _ask(lex: Lexicon, subj: Subject, rng: random.Random) -> str:
    return sentence_case(fill(rng.choice(lex.asks), subj, _slots(lex), rng))


def _identity(lex: Lexicon, subj: Subject, rng: random.Random) -> str:
    if not lex.identities:
        return _stated(lex, subj, rng)
    who = fill(rng.choice(lex.identities), subj, _slots(lex), rng)
    article = "an" if who[:1].lower() in "aeiou" else "a"
    if subj is ME:
        return f"As {article} {who}, {fill(rng.choice(_AS_A), subj, SLOTS, rng)}"
    other = close_person(rng)
    return sentence_case(f"{other.text} is {article} {who}. {fill(rng.choice(_FOLLOW_THEM), other, SLOTS, rng)}")


POSITIVE_FRAMES: tuple[tuple[Callable[[Lexicon, Subject, random.Random], str], float], ...] = (
    (_stated, 0.34), (_asked_first, 0.05), (_tell, 0.12), (_letter, 0.08), (_since, 0.08), (_noun, 0.12),
    (_ask, 0.1), (_identity, 0.11),
)


def disclosure(lex: Lexicon, subj: Subject, rng: random.Random) -> str:
    """One request that discloses something of `lex`'s category about `subj`."""
    frames, weights = zip(*POSITIVE_FRAMES)
    frame = rng.choices(frames, weights)[0]
    return frame(lex, subj, rng)


def two_disclosures(first: Lexicon, second: Lexicon, subj: Subject, rng: random.Random) -> str:
    """Two categories about the same person in one request ("I'm undocumented and my husband hits me")."""
    again = subj if subj.person == "1" else Subject(subj.pron, subj.person, subj.pron, subj.pos, subj.obj, subj.pos)
    a, b = _fact(first, subj, rng), _fact(second, again, rng)
    glue = rng.choice((" and ", ". Also, ", ", and on top of that ", ". Plus "))
    return f"{sentence_case(a)}{glue}{b}. {_follow(subj, first, rng)}".strip()
