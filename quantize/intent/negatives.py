"""Hard negatives: requests that talk about the home's things but ask for no tool ("not a command").

Knowledge questions about lights, heating, locks, timers and weather; writing tasks about them;
small talk; and requests for tools the home does not have (email, calendar, search). They share the
commands' words ("why do my LED lights flicker?", "write a poem about the lights in my den"), so
the model learns that the verb and the request decide, not the nouns. Frames are filled with device
words, the synthetic home's areas and names, so the same nouns appear on both sides of the line.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator

from quantize.intent.ha_templates import WILDCARDS
from quantize.intent.homes import SynthHome
from quantize.intent.labels import Labelled

DEVICES = ("thermostat", "light bulb", "LED strip", "smart lock", "ceiling fan", "dimmer switch", "kitchen timer",
           "roller blind", "TV", "smart speaker", "robot vacuum", "heat pump", "radiator", "smart plug", "lamp",
           "motion sensor", "garage door opener", "air conditioner", "boiler", "doorbell", "curtains", "dehumidifier",
           "lights", "heating", "blinds", "fan", "lock", "timer", "volume", "shopping list")

FRAMES = (
    "how does a {device} work", "why does my {device} keep turning off", "why do {device}s flicker",
    "what's the best {device} to buy", "is it safe to leave the {device} on overnight",
    "how much electricity does a {device} use", "how do i install a {device}", "how do i reset my {device}",
    "who invented the {device}", "what is the history of the {device}", "can a {device} be hacked",
    "should i get a smart {device} or a normal one", "how long does a {device} last",
    "what temperature should the {device} be set to in winter", "explain how a {device} saves energy",
    "write a poem about my {device}", "write a short story about a {device} that comes alive",
    "write a haiku about the {device} in my {area}", "compose a song about turning off the {device}",
    "tell me a joke about a {device}", "draft an email to my landlord about the broken {device}",
    "write a product review for my new {device}", "summarize the manual of the {device}",
    "translate 'turn on the {device}' into french", "what's the german word for {device}",
    "compare the {device} from ikea and philips", "is the {device} worth the money",
    "my {device} in the {area} is making a weird noise, what could it be",
    "what does it mean when the {device} blinks red", "how can i make my {device} more efficient",
    "is it bad to turn the {device} on and off a lot", "do i need an electrician to replace the {device}",
    "how many watts is a typical {device}", "recommend a {device} for a small {area}",
    "what should i name my {device}", "why is the {device} in the {area} so loud",
    "i'm thinking about buying a {device} for the {area}", "can you explain what a {device} is",
    "the {device} is broken, who should i call", "list the pros and cons of a {device}",
    "search the web for {device} deals", "order a new {device} from amazon", "add a {device} to my calendar",
    "email the installer about the {device}", "what did the {name} cost", "when was the {name} installed",
    "who set up the {name}", "write a limerick about the {name}", "how old is the {name}",
    # questions about one of the home's own devices, by its name, that ask no state and no action
    "is the {name} energy efficient", "why is the {name} so noisy", "how do i clean the {name}",
    "should i replace the {name}", "is it normal that the {name} gets warm", "what brand is the {name}",
    "how much power does the {name} use", "can the {name} be repaired", "where did we buy the {name}",
    "is the {name} still under warranty", "how do i reset the {name}", "what's wrong with the {name}",
    "who makes the {name}", "was the {name} expensive",
    # things that happened or that someone did: told, not asked for
    "i left the {device} on in the {area} last night", "i turned the {device} off before i went out",
    "the {device} was on all night again", "we forgot to switch off the {device} yesterday",
    "my kids always leave the {device} on", "i already turned off the {device} in the {area}",
    "the {device} in the {area} turned itself on this morning", "someone left the {name} on all weekend",
    "yesterday the {name} was locked when i got home", "i set the {device} to 20 degrees last winter",
    "last week i opened the {device} in the {area} and it broke", "my neighbour's {device} is always on",
    "remember when the {name} stopped working", "the {device} has been on for hours, that's crazy",
    "what colour should i paint the {area}", "what colour is the {name}", "which {device} colour do you prefer",
    # numbers, durations and opening hours asked about, not set
    "is 20 minutes enough for the {device} to warm up", "is 5 minutes long enough to boil an egg",
    "are 30 minutes enough for a nap", "is 21 degrees too warm for the {area}", "is 50 percent brightness enough to read",
    "how many minutes does a {device} take to cool down", "is {name} open on sundays", "what time does {name} close",
    "is the store open on public holidays", "does the {device} need 10 minutes to heat up",
    # how things work, asked with a command's verbs
    "does turning the {device} up make the {area} warm up faster", "does turning the {device} off save money",
    "does leaving the {device} on all day cost more", "would turning down the {device} help me sleep",
    "can turning the {device} on and off break it", "does dimming the {device} save electricity",
)

# what people say about food and things they buy without asking to list them ({item}: a shopping item)
ITEM_FRAMES = (
    "mention {item} and {item2}", "one of my guests doesn't eat {item}", "i'm allergic to {item}",
    "{item} is my favourite snack", "write a poem about {item}", "we had {item} for dinner last night",
    "the kids hate {item}", "describe {item} in three words", "is {item} healthy",
    "how much {item} do i need for a cake", "two of them are vegan and one doesn't eat {item}",
    "is {item} cheaper at the market", "what goes well with {item}", "the recipe uses {item} and {item2}",
    "tell me a fun fact about {item}", "my dog stole the {item}", "highlight the {item} in the description",
)

FIXED = (
    "how are you today", "tell me a joke", "what's the meaning of life", "thanks, that's all", "good morning",
    "who are you", "what can you do", "i'm bored", "hello there", "that's great, thank you",
    "what is the capital of australia", "how far is the moon", "what's 17 times 23", "who won the world cup in 2018",
    "explain quantum computing simply", "give me a recipe for banana bread", "how do i boil an egg",
    "how long should i boil pasta", "what's a good name for a cat", "recommend a good book",
    "write a cover letter for a nursing job", "summarize this article for me", "draft a birthday message for my mum",
    "how do i get to the train station", "what's the difference between a virus and bacteria",
    "why is the sky blue", "how do timers work in javascript", "what is a light year",
    "how do i set a timer on my iphone", "how do i turn off the lights in my car", "why does the light turn red",
    "is it cheaper to leave the heating on all day", "what's the ideal bedroom temperature for sleep",
    "how cold does it get in siberia", "what was the temperature record in death valley",
    "how do locks get picked", "what's the weather like on mars", "will it be a hot summer this year in general",
    "why do cats like warm places", "what volume is safe for headphones", "how loud is a jet engine",
    "who sang turn off the light", "play the devil's advocate for me", "let's play twenty questions",
    "what music was popular in the 80s", "who wrote the song light my fire", "what's the best podcast app",
    "how long is a football match", "how many minutes are in a day", "convert 20 degrees celsius to fahrenheit",
    "what is the boiling point of water", "how do i open a stuck jar", "open a bank account for me",
    "close my eyes and imagine a beach", "turn this paragraph into bullet points", "turn my notes into an essay",
    "set the table for dinner is my job tonight", "lock in my answer: b", "open the pod bay doors, hal",
    "start a new chapter of my novel", "stop talking like a robot", "play a word game with me",
    "increase my motivation", "decrease the length of this text", "make this email sound more polite",
    "make it shorter", "make the story darker", "turn the essay into a poem", "brighten up my day with a compliment",
    "i need a timer app recommendation", "what's a good shopping list for a barbecue",
    "plan my week", "what should i cook tonight", "is it going to be a long winter in the north",
    "what does it mean to be light hearted", "tell me about the history of locks and keys",
    "are smart homes worth it", "which smart home system is the most private", "how does home assistant work",
    "what is mqtt", "what's the difference between zigbee and z-wave", "help me debug my python timer code",
    "i turned off all the lights before leaving", "we locked every door last night", "my mum always leaves the tv on",
    "i lost track of time yesterday", "the power went out last night", "i forgot to set an alarm this morning",
    "lights, camera, action", "the lights went out during the storm", "turn up for what",
    "what's your favourite colour", "what colour is a flamingo", "which colour goes with navy blue",
    "what's the best light colour for sleeping", "what's your favourite song", "do you like music",
    # a word or two of chat: a reply, not a request
    "lol", "cool", "ok", "okay", "haha", "nice", "wow", "great", "hmm", "yes", "no", "yep", "nope", "sure",
    "awesome", "thank you", "cheers", "ok cool", "oh no", "interesting", "fair enough", "got it", "sounds good",
)

_WRAP = ("{q}", "{q}?", "hey, {q}", "quick question: {q}", "{q} please", "i was wondering {q}", "can you tell me {q}")


def negative_samples(rng: random.Random, homes: list[SynthHome], n: int) -> Iterator[Labelled]:
    """`n` sentences that are not commands, over the homes' areas and names."""
    for _ in range(n):
        k = rng.randrange(len(homes))
        h = homes[k]
        roll = rng.random()
        if roll < 0.3:
            q = FIXED[rng.randrange(len(FIXED))]
        elif roll < 0.38:
            item, item2 = rng.sample(WILDCARDS["shopping_list_item"], 2)
            q = ITEM_FRAMES[rng.randrange(len(ITEM_FRAMES))].replace("{item}", item).replace("{item2}", item2)
        else:
            frame = FRAMES[rng.randrange(len(FRAMES))]
            device = DEVICES[rng.randrange(len(DEVICES))]
            name = rng.choice(h.entities).name if h.entities else device
            q = frame.replace("{device}", device).replace("{area}", rng.choice(h.areas).lower())
            q = q.replace("{name}", name.lower() if rng.random() < 0.5 else name)
        text = _WRAP[rng.randrange(len(_WRAP))].replace("{q}", q)
        text = re.sub(r"\?\?$", "?", text)
        if rng.random() < 0.3:
            text = text[0].upper() + text[1:]
        yield Labelled(text, None, source="negative", home=k)
