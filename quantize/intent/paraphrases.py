"""Everyday phrasings of Home Assistant's intents that its templates miss, labelled through a canonical twin.

Each entry pairs a paraphrase ("kill the {light}") with a canonical sentence in Home Assistant's own
style ("turn off the {light}"). Both are filled with the same values; the canonical one is run
through `hassil.recognize_best` and its intent and slot values are the paraphrase's label, so the
paraphrases follow Home Assistant's conventions exactly (values, fixed `domain` slots) without a
second copy of them here. Each slot's span is where the paraphrase says the placeholder's words,
which may differ from the canonical words: "halfway" in the paraphrase is "50" in the twin,
"eighty" is "80".

Placeholders: an entity of a domain ({light} {switch} {fan} {cover} {lock} {media} {climate}
{vacuum} {mower} {valve} {scene} {sensor} {city} {todo}), the same with its area said after its own
word ({light_in}: "chandelier in the den" for the Den Chandelier), {area}, {floor}, numbers ({pct}
{temp} {hr} {min} {sec} {vol}), {unit} (a temperature's unit, which the twin does not say), {color},
{item}, {todo_item}, {message}, {query}, {tname} (a timer's name) and {half} ("halfway" -> 50).

Twins cannot label what Home Assistant's installed templates do not say at all (every lock of an area,
toggling); those sentences are in `DIRECT`, labelled by hand with the same conventions.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable, Iterator
from dataclasses import replace
from typing import Any

from quantize.intent.ha_templates import WILDCARDS, english_intents, slot_lists
from quantize.intent.homes import SynthHome
from quantize.intent.labels import Labelled, Span

PAIRS: tuple[tuple[str, str], ...] = (
    # on / off
    ("kill the {light}", "turn off the {light}"),
    ("switch the {light} off", "turn off the {light}"),
    ("shut off the {light}", "turn off the {light}"),
    ("cut the {light}", "turn off the {light}"),
    ("{light} off please", "turn off the {light}"),
    ("can you turn the {light} off", "turn off the {light}"),
    ("i don't need the {light} anymore, turn it off", "turn off the {light}"),
    ("power down the {switch}", "turn off the {switch}"),
    ("get the {light} on", "turn on the {light}"),
    ("flip on the {light}", "turn on the {light}"),
    ("fire up the {switch}", "turn on the {switch}"),
    ("could you switch on the {light} for me", "turn on the {light}"),
    ("hit the {light}", "turn on the {light}"),
    ("{light} on", "turn on the {light}"),
    ("start the {fan}", "turn on the {fan}"),
    ("stop the {fan}", "turn off the {fan}"),
    ("get the {fan} going", "turn on the {fan}"),
    ("it's hot in here, put the {fan} on", "turn on the {fan}"),
    ("it's too dark in the {area}", "turn on the lights in the {area}"),
    ("i can't see anything in the {area}, lights on", "turn on the lights in the {area}"),
    ("light up the {area}", "turn on the lights in the {area}"),
    ("kill the lights in the {area}", "turn off the lights in the {area}"),
    ("lights out in the {area}", "turn off the lights in the {area}"),
    ("nobody is in the {area}, switch the lights off", "turn off the lights in the {area}"),
    ("{area} lights off", "turn off the lights in the {area}"),
    ("{area} lights on please", "turn on the lights in the {area}"),
    ("shut off every light on the {floor}", "turn off the lights on the {floor}"),
    ("make it bright on the {floor}", "turn on the lights on the {floor}"),
    ("darken the {floor}", "turn off the lights on the {floor}"),
    # covers
    ("shut the blinds in the {area}", "close the blinds in the {area}"),
    ("pull down the blinds in the {area}", "close the blinds in the {area}"),
    ("let some light into the {area}, open the blinds", "open the blinds in the {area}"),
    ("draw the curtains in the {area}", "close the curtains in the {area}"),
    ("raise the {cover}", "open the {cover}"),
    ("lower the {cover}", "close the {cover}"),
    ("roll up the {cover}", "open the {cover}"),
    ("put the {cover} down", "close the {cover}"),
    ("shut the {cover} {half}", "set {cover} position to {half}"),
    ("open the {cover} {half}", "set {cover} position to {half}"),
    ("move the {cover} to {pct} percent", "set {cover} position to {pct}"),
    ("i want the {cover} at {pct}%", "set {cover} position to {pct}"),
    ("put the blinds in the {area} to {pct} percent", "set the blinds in the {area} to {pct}%"),
    ("bring the blinds in the {area} {half} down", "set the blinds in the {area} to {half}%"),
    # locks
    ("secure the {lock}", "lock the {lock}"),
    ("make sure the {lock} is locked", "lock the {lock}"),
    ("let me in, unlock the {lock}", "unlock the {lock}"),
    ("open up the {lock}", "unlock the {lock}"),
    ("bolt the {lock}", "lock the {lock}"),
    # brightness and colour
    ("it's too dark in the {area}, bump the lights up to {pct}%", "set the brightness in the {area} to {pct}%"),
    ("turn the lights in the {area} up to {pct} percent", "set the brightness in the {area} to {pct}%"),
    ("dim the {area} lights to {pct}%", "set the brightness in the {area} to {pct}%"),
    ("{area} lights at {pct} please", "set the brightness in the {area} to {pct}%"),
    ("make the {light} {pct} percent bright", "set the {light} brightness to {pct}%"),
    ("dim the {light} down to {pct}", "set the {light} brightness to {pct}%"),
    ("put the {light} at {pct}%", "set the {light} brightness to {pct}%"),
    ("bring the {light} to {pct} percent brightness", "set the {light} brightness to {pct}%"),
    ("crank the {light} all the way up", "set the {light} brightness to 100%"),
    ("make the {light} {color}", "set the {light} to {color}"),
    ("turn the {light} {color}", "set the {light} to {color}"),
    ("i want {color} light from the {light}", "set the {light} to {color}"),
    ("change the {light} colour to {color}", "set the {light} to {color}"),
    ("make the lights in the {area} {color}", "set the lights in the {area} to {color}"),
    ("paint the {area} {color}", "set the lights in the {area} to {color}"),
    # climate
    ("make it warmer in the {area}, {temp} degrees", "set the temperature in the {area} to {temp} degrees"),
    ("heat the {area} to {temp}", "set the temperature in the {area} to {temp} degrees"),
    ("i'm cold, put the {area} on {temp} degrees", "set the temperature in the {area} to {temp} degrees"),
    ("cool the {area} down to {temp}", "set the temperature in the {area} to {temp} degrees"),
    ("{temp} degrees in the {area} please", "set the temperature in the {area} to {temp} degrees"),
    ("put the {climate} on {temp}", "set {climate} to {temp}"),
    ("turn the {climate} to {temp} degrees", "set {climate} to {temp}"),
    ("crank the {climate} up to {temp}", "set {climate} to {temp}"),
    ("how warm is it in the {area}", "what is the temperature in the {area}"),
    ("how cold is the {area} right now", "what is the temperature in the {area}"),
    ("what's the temp in the {area}", "what is the temperature in the {area}"),
    ("is it warm in the {area}", "what is the temperature in the {area}"),
    ("what does the {climate} say", "what is the temperature of {climate}"),
    # fans
    ("run the {fan} at {pct} percent", "set the {fan} to {pct}%"),
    ("put the {fan} on {pct}%", "set the {fan} to {pct}%"),
    ("{fan} speed {pct}", "set the {fan} to {pct}%"),
    # volume and media
    ("make the {media} louder", "turn up the {media} volume"),
    ("crank up the {media}", "turn up the {media} volume"),
    ("the {media} is too quiet", "turn up the {media} volume"),
    ("make the {media} quieter", "turn down the {media} volume"),
    ("the {media} is too loud", "turn down the {media} volume"),
    ("turn the {media} down a bit", "turn down the {media} volume"),
    ("bump the {media} up by {vol}", "turn up {media} volume by {vol}"),
    ("lower the {media} by {vol} percent", "turn down {media} volume by {vol}%"),
    ("put the {media} volume at {vol}", "set {media} volume to {vol}%"),
    ("{media} volume {vol} percent", "set {media} volume to {vol}%"),
    ("change the volume on the {media} to {vol}", "set {media} volume to {vol}%"),
    ("hold the {media}", "pause {media}"),
    ("stop the music on the {media}", "pause {media}"),
    ("freeze the {media} for a second", "pause {media}"),
    ("carry on playing the {media}", "resume {media}"),
    ("keep going on the {media}", "resume {media}"),
    ("unpause the {media}", "resume {media}"),
    ("skip this one on the {media}", "skip the song on {media}"),
    ("next one on the {media}", "skip the song on {media}"),
    ("go back a song on the {media}", "previous track on {media}"),
    ("play the last track again on the {media}", "previous track on {media}"),
    ("silence the {media}", "mute {media}"),
    ("shut the {media} up", "mute {media}"),
    ("put on {query} on the {media}", "play {query} on {media}"),
    ("i want to hear {query} on the {media}", "play {query} on {media}"),
    ("throw on some {query} in the {area}", "play {query} in the {area}"),
    ("can we get {query} playing in the {area}", "play {query} in the {area}"),
    # timers
    ("start a {min} minute countdown for the {tname}", "set a {min} minute timer for {tname}"),
    ("give me {min} minutes for the {tname}", "set a {min} minute timer for {tname}"),
    ("time {min} minutes", "set a timer for {min} minutes"),
    ("count down {min} minutes", "set a timer for {min} minutes"),
    ("wake me in {min} minutes", "set a timer for {min} minutes"),
    ("let me know when {sec} seconds are up", "set a timer for {sec} seconds"),
    ("{hr} hour timer please", "set a timer for {hr} hours"),
    ("countdown from {hr} hours and {min} minutes", "start a timer for {hr} hours and {min} minutes"),
    ("i need a timer, {min} minutes", "set a timer for {min} minutes"),
    ("forget the timer", "cancel the timer"),
    ("stop the countdown", "cancel the timer"),
    ("scrap the {tname} timer", "cancel the {tname} timer"),
    ("never mind the {tname} timer", "cancel the {tname} timer"),
    ("how long until the timer goes off", "how much time is left on the timer"),
    ("how long is left on the {tname} timer", "how much time is left on the {tname} timer"),
    ("when will the {tname} be done", "how much time is left on the {tname} timer"),
    ("hold the timer", "pause the timer"),
    ("freeze the {tname} timer", "pause the {tname} timer"),
    # lists
    ("we're out of {item}", "add {item} to my shopping list"),
    ("put {item} on the shopping list", "add {item} to my shopping list"),
    ("don't let me forget to buy {item}", "add {item} to my shopping list"),
    ("i need to pick up {item}, put it on the list", "add {item} to my shopping list"),
    ("shopping list: {item}", "add {item} to my shopping list"),
    # state
    ("did i leave the {light} on", "is the {light} on"),
    ("is the {light} still on", "is the {light} on"),
    ("did someone lock the {lock}", "is the {lock} locked"),
    ("is the {lock} secure", "is the {lock} locked"),
    ("tell me if the {light} is on", "is the {light} on"),
    # vacuum, weather, time
    ("get {vacuum} cleaning", "start {vacuum}"),
    ("let {vacuum} do the floors", "start {vacuum}"),
    ("send {vacuum} home", "return {vacuum} to base"),
    ("{vacuum} go back to your dock", "return {vacuum} to base"),
    ("do i need an umbrella today", "what's the weather"),
    ("what's it like outside", "what's the weather"),
    ("how's the weather looking", "what's the weather"),
    ("got the time", "what time is it"),
    ("what's the time now", "what time is it"),
    # more everyday phrasings
    ("turn the {light} off", "turn off the {light}"),
    ("turn the {light} on", "turn on the {light}"),
    ("switch the {switch} on", "turn on the {switch}"),
    ("i'd like the {light} on", "turn on the {light}"),
    ("please get rid of the {light}", "turn off the {light}"),
    ("lights off in the {area} please", "turn off the lights in the {area}"),
    ("can you switch off all the lights in the {area}", "turn off the lights in the {area}"),
    ("i'm going to bed, turn off the lights on the {floor}", "turn off the lights on the {floor}"),
    ("brighten up the {area}", "turn on the lights in the {area}"),
    ("need some light in the {area}", "turn on the lights in the {area}"),
    ("the {area} is too bright, dim it to {pct}%", "set the brightness in the {area} to {pct}%"),
    ("lower the lights in the {area} to {pct} percent", "set the brightness in the {area} to {pct}%"),
    ("{light} to {pct} percent", "set the {light} brightness to {pct}%"),
    ("set {light} at {pct}%", "set the {light} brightness to {pct}%"),
    ("max out the {light}", "set the {light} brightness to 100%"),
    ("close the {cover} all the way", "close the {cover}"),
    ("open the {cover} fully", "open the {cover}"),
    ("let the sun in, open the {cover}", "open the {cover}"),
    ("block the sun in the {area}, close the blinds", "close the blinds in the {area}"),
    ("i'm leaving, lock the {lock}", "lock the {lock}"),
    ("is the {lock} locked or not", "is the {lock} locked"),
    ("check whether the {lock} is locked", "is the {lock} locked"),
    ("it's freezing in the {area}, set the heat to {temp}", "set the temperature in the {area} to {temp} degrees"),
    ("warm the {area} up to {temp} degrees", "set the temperature in the {area} to {temp} degrees"),
    ("i'd like {temp} degrees in the {area}", "set the temperature in the {area} to {temp} degrees"),
    ("set the {climate} to {temp} please", "set {climate} to {temp}"),
    ("what's the temperature like in the {area}", "what is the temperature in the {area}"),
    ("tell me the temperature in the {area}", "what is the temperature in the {area}"),
    ("speed the {fan} up to {pct}%", "set the {fan} to {pct}%"),
    ("slow the {fan} down to {pct} percent", "set the {fan} to {pct}%"),
    ("louder please on the {media}", "turn up the {media} volume"),
    ("lower the volume on the {media}", "turn down the {media} volume"),
    ("i can't hear the {media}", "turn up the {media} volume"),
    ("volume on the {media} to {vol}", "set {media} volume to {vol}%"),
    ("pause the music on the {media}", "pause {media}"),
    ("resume playback on the {media}", "resume {media}"),
    ("play the next song on the {media}", "skip the song on {media}"),
    ("skip ahead on the {media}", "skip the song on {media}"),
    ("play {query} on the {media} please", "play {query} on {media}"),
    ("put some {query} on in the {area}", "play {query} in the {area}"),
    ("timer {min} minutes", "set a timer for {min} minutes"),
    ("set me a {min} minute timer", "set a timer for {min} minutes"),
    ("can you time {min} minutes for the {tname}", "set a {min} minute timer for {tname}"),
    ("start a timer, {hr} hours", "set a timer for {hr} hours"),
    ("{sec} second timer", "set a timer for {sec} seconds"),
    ("start the {tname} timer for {min} minutes", "set a {min} minute timer for {tname}"),
    ("cancel my {tname} timer", "cancel the {tname} timer"),
    ("turn off the timer", "cancel the timer"),
    ("how much longer on the timer", "how much time is left on the timer"),
    ("time left on the {tname} timer", "how much time is left on the {tname} timer"),
    ("carry on the timer", "resume the timer"),
    ("add {item} to the list", "add {item} to my shopping list"),
    ("we need {item}", "add {item} to my shopping list"),
    ("put {item} on my list", "add {item} to my shopping list"),
    ("hoover the floors with {vacuum}", "start {vacuum}"),
    ("{vacuum}, start cleaning", "start {vacuum}"),
    ("dock {vacuum}", "return {vacuum} to base"),
    ("will it rain today", "what's the weather"),
    ("what's the forecast", "what's the weather"),
    ("what day is it today", "what is the date"),
    ("tell me the time", "what time is it"),
    # degrees with their unit: Home Assistant's newer templates keep it as `temperature_unit`
    ("set the temperature in the {area} to {temp} degrees {unit}", "set the temperature in the {area} to {temp} degrees"),
    ("{area} to {temp} degrees {unit}", "set the temperature in the {area} to {temp} degrees"),
    ("make the {area} {temp}° {unit}", "set the temperature in the {area} to {temp} degrees"),
    ("heat the {area} to {temp} {unit}", "set the temperature in the {area} to {temp} degrees"),
    ("set {climate} to {temp}°{unit}", "set {climate} to {temp}"),
    ("put the {climate} on {temp} degrees {unit}", "set {climate} to {temp}"),
    # volume said by a word, not a number
    ("{media} louder", "turn up the {media} volume"),
    ("a bit quieter on the {media}", "turn down the {media} volume"),
    ("i can barely hear the {media}, turn it up", "turn up the {media} volume"),
    ("the {media} is blasting, turn it down", "turn down the {media} volume"),
    ("bring the {media} volume down", "turn down the {media} volume"),
    ("restore the sound on the {media}", "unmute {media}"),
    ("turn the sound back on for the {media}", "unmute {media}"),
    ("{media} unmute please", "unmute {media}"),
    ("hit play on the {media}", "resume {media}"),
    ("let the {media} keep playing", "resume {media}"),
    ("next track on the {media} please", "skip the song on {media}"),
    ("this song is boring, next on the {media}", "skip the song on {media}"),
    ("put on the previous song on the {media}", "previous track on {media}"),
    ("switch the {media} off, i'm done", "turn off the {media}"),
    ("{media} on", "turn on the {media}"),
    # mowers, vacuums, valves, scenes
    ("have {mower} cut the lawn", "start {mower}"),
    ("{mower}, time to mow", "start {mower}"),
    ("send {mower} out to do the lawn", "start {mower}"),
    ("let {mower} do the grass", "start {mower}"),
    ("bring {mower} back to its base", "dock {mower}"),
    ("{mower} stop and go home", "dock {mower}"),
    ("put {mower} away", "dock {mower}"),
    ("have {vacuum} clean the house", "start {vacuum}"),
    ("run {vacuum}", "start {vacuum}"),
    ("{vacuum}, time to clean", "start {vacuum}"),
    ("{vacuum} go charge", "return {vacuum} to base"),
    ("tell {vacuum} to go back and charge", "return {vacuum} to base"),
    ("turn the water off at the {valve}", "close the {valve}"),
    ("shut the {valve}", "close the {valve}"),
    ("open up the {valve}", "open the {valve}"),
    ("we're watching a film, {scene} please", "activate {scene}"),
    ("put on {scene}", "activate {scene}"),
    ("set the mood to {scene}", "activate {scene}"),
    ("run {scene}", "activate {scene}"),
    # sensors and the weather somewhere
    ("what's the {sensor} at", "what is the {sensor}"),
    ("how much is the {sensor}", "what is the {sensor}"),
    ("check the {sensor} for me", "what is the {sensor}"),
    ("what does the {sensor} read", "what is the {sensor}"),
    ("is it raining in {city}", "what's the weather in {city}"),
    ("how's the weather in {city} today", "what's the weather in {city}"),
    ("will i need a jacket in {city}", "what's the weather in {city}"),
    ("what's it like outside in {city}", "what's the weather in {city}"),
    ("weather for {city} please", "what's the weather in {city}"),
    # named lists
    ("put {todo_item} on {todo}", "add {todo_item} to the {todo} list"),
    ("remind me to {todo_item}, put it on the {todo} list", "add {todo_item} to the {todo} list"),
    ("{todo} list: {todo_item}", "add {todo_item} to the {todo} list"),
    ("{todo_item} is done, tick it off the {todo} list", "check off {todo_item} from the {todo} list"),
    ("i finished {todo_item} on the {todo} list", "check off {todo_item} from the {todo} list"),
    ("cross {todo_item} off the {todo} list", "remove {todo_item} from the {todo} list"),
    ("get rid of {todo_item} on the {todo} list", "remove {todo_item} from the {todo} list"),
    # announcements, never mind
    ("let the whole house know {message}", "broadcast {message}"),
    ("tell the house {message}", "broadcast {message}"),
    ("make an announcement: {message}", "broadcast {message}"),
    ("announce to everyone that {message}", "broadcast {message}"),
    ("shout {message} to everybody", "broadcast {message}"),
    ("forget it", "nevermind"),
    ("ignore that", "nevermind"),
    ("oops, never mind", "nevermind"),
    ("cancel that request", "nevermind"),
    ("actually, forget what i said", "nevermind"),
    # timers said differently
    ("i need a {hr} hour timer", "set a timer for {hr} hours"),
    ("time an hour for me", "set a timer for 1 hour"),
    ("i need a timer for a minute", "set a timer for 1 minute"),
    ("an hour on the {tname} timer please", "set a 1 hour timer for {tname}"),
    ("give me a timer, one hour", "set a timer for 1 hour"),
    ("start a countdown for an hour", "set a timer for 1 hour"),
    ("give the timer {min} more minutes", "add {min} minutes to the timer"),
    ("add another {min} minutes to the {tname} timer", "add {min} minutes to the {tname} timer"),
    ("take {min} minutes off the timer", "remove {min} minutes from the timer"),
    ("cut the timer by {sec} seconds", "remove {sec} seconds from the timer"),
    ("stop all the timers", "cancel all timers"),
    ("get rid of all my timers", "cancel all timers"),
    # a device by its own word and its area said after it ("the chandelier in the den": Den Chandelier)
    ("switch off the {light_in}", "turn off the {light_in}"),
    ("turn the {light_in} on", "turn on the {light_in}"),
    ("could you turn on the {switch_in}", "turn on the {switch_in}"),
    ("kill the {switch_in}", "turn off the {switch_in}"),
    ("pause the {media_in}", "pause {media_in}"),
    ("dim the {light_in} to {pct}%", "set the {light_in} brightness to {pct}%"),
    ("close the {cover_in} please", "close the {cover_in}"),
    ("is the {light_in} still on", "is the {light_in} on"),
    # a thermostat's reading
    ("what's the {climate} at", "what is the temperature of {climate}"),
    ("what is the {climate} reading", "what is the temperature of {climate}"),
    ("what's the {climate} showing right now", "what is the temperature of {climate}"),
    # whether something is locked
    ("did i lock the {lock}", "is the {lock} locked"),
    ("the {lock} is locked, right?", "is the {lock} locked"),
    ("have we locked the {lock}", "is the {lock} locked"),
    ("did somebody leave the {lock} unlocked", "is the {lock} unlocked"),
)

# Sentences Home Assistant's installed templates do not say at all (so no twin can label them), labelled
# directly: (paraphrase, intent, the slots it fixes). Entity placeholders fill `name`, {area} `area`,
# {floor} `floor`, with the home's names as values.
DIRECT: tuple[tuple[str, str, dict[str, Any]], ...] = (
    # every lock of a place, or of the home
    ("lock every door in the {area}", "HassTurnOn", {"domain": "lock"}),
    ("lock up the doors in the {area}", "HassTurnOn", {"domain": "lock"}),
    ("lock the {area} doors", "HassTurnOn", {"domain": "lock"}),
    ("lock the {area} up", "HassTurnOn", {"domain": "lock"}),
    ("secure every lock in the {area}", "HassTurnOn", {"domain": "lock"}),
    ("lock the doors on the {floor}", "HassTurnOn", {"domain": "lock"}),
    ("unlock every door in the {area}", "HassTurnOff", {"domain": "lock"}),
    ("unlock the {area} doors please", "HassTurnOff", {"domain": "lock"}),
    ("unlock the locks in the {area}", "HassTurnOff", {"domain": "lock"}),
    ("lock every door", "HassTurnOn", {"domain": "lock"}),
    ("lock up the house", "HassTurnOn", {"domain": "lock"}),
    ("lock all of the doors for me", "HassTurnOn", {"domain": "lock"}),
    ("unlock every door", "HassTurnOff", {"domain": "lock"}),
    ("unlock all of the locks", "HassTurnOff", {"domain": "lock"}),
    # toggling: on when off, off when on
    ("toggle the {light}", "HassToggle", {}),
    ("toggle {switch}", "HassToggle", {}),
    ("flip the {switch}", "HassToggle", {}),
    ("toggle the {fan} please", "HassToggle", {}),
    ("switch the {light} to the other state", "HassToggle", {}),
    ("toggle the lights in the {area}", "HassToggle", {"domain": "light"}),
    # all the lights of the home, with a home word that is no area
    ("turn off all the lights in the house", "HassTurnOff", {"domain": "light"}),
    ("switch every light in the apartment on", "HassTurnOn", {"domain": "light"}),
    ("lights off everywhere in the flat", "HassTurnOff", {"domain": "light"}),
    # a vacuum or a mower by its kind, not its name
    ("start the vacuum", "HassVacuumStart", {}),
    ("get the robot vacuum cleaning", "HassVacuumStart", {}),
    ("send the vacuum back to its base", "HassVacuumReturnToBase", {}),
    ("vacuum, go home and charge", "HassVacuumReturnToBase", {}),
    ("stop cleaning and dock the robot", "HassVacuumReturnToBase", {}),
    ("put the mower back in its dock", "HassLawnMowerDock", {}),
    ("bring the lawn mower back in", "HassLawnMowerDock", {}),
    ("the mower is done, send it home", "HassLawnMowerDock", {}),
    # the media where the device is, said without a name (Home Assistant's templates need the device's area)
    ("turn it up a little", "HassSetVolumeRelative", {"volume_step": "up"}),
    ("a bit louder", "HassSetVolumeRelative", {"volume_step": "up"}),
    ("turn the sound up please", "HassSetVolumeRelative", {"volume_step": "up"}),
    ("turn it down a bit", "HassSetVolumeRelative", {"volume_step": "down"}),
    ("too loud, quieter please", "HassSetVolumeRelative", {"volume_step": "down"}),
    ("skip this track", "HassMediaNext", {}),
    ("i don't like this one, next please", "HassMediaNext", {}),
    ("go to the next song", "HassMediaNext", {}),
    ("play the song before this one", "HassMediaPrevious", {}),
    ("disregard that", "HassNevermind", {}),
    ("no wait, don't do that", "HassNevermind", {}),
    ("get the mower out on the grass", "HassLawnMowerStartMowing", {}),
    ("start mowing the {area}", "HassLawnMowerStartMowing", {}),
    ("mow the lawn in the {area}", "HassLawnMowerStartMowing", {}),
    ("stop mowing the {area}", "HassLawnMowerDock", {}),
)

_DOMAINS = {"light": "light", "switch": "switch", "fan": "fan", "cover": "cover", "lock": "lock",
            "media": "media_player", "climate": "climate", "vacuum": "vacuum", "mower": "lawn_mower",
            "valve": "valve", "scene": "scene", "sensor": "sensor", "city": "weather", "todo": "todo"}
# a device's own word that reads as "every one of that kind" ("the lamp in the den": the den's lights)
_DEVICE_WORDS = frozenset({"light", "lights", "lamp", "lamps", "switch", "fan", "blinds", "blind", "curtains", "shades",
                           "tv", "speaker", "thermostat", "lock"})
# placeholders a paraphrase says beyond its twin: the slot each fills (the twin's template lacks it)
_EXTRA = {"unit": "temperature_unit"}
_UNITS = (("celsius", "celsius"), ("celsius", "C"), ("celsius", "degrees celsius"), ("fahrenheit", "fahrenheit"),
          ("fahrenheit", "F"), ("celsius", "centigrade"))
# slots a twin says with a word the paraphrase replaces by another ("louder" for "up"): fixed by the class
_IMPLIED = frozenset({"volume_step", "brightness", "position", "state"})
_COLORS = ("red", "blue", "green", "purple", "orange", "yellow", "pink", "white", "warm white", "cyan")
_WORDS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight", 9: "nine",
          10: "ten", 12: "twelve", 15: "fifteen", 20: "twenty", 25: "twenty five", 30: "thirty", 40: "forty",
          45: "forty five", 50: "fifty", 60: "sixty", 70: "seventy", 75: "seventy five", 80: "eighty",
          90: "ninety", 100: "a hundred"}
_PLACE = re.compile(r"\{(\w+)\}")


def _spoken_number(n: int) -> str:
    """A pattern for `n` said in words ("an" or "a" before a unit for 1)."""
    said = [re.escape(_WORDS[n])] if n in _WORDS else []
    if n == 1:
        said.append(r"an?(?= (?:hour|minute|second))")
    return rf"\b(?:{'|'.join(said)})\b" if said else r"(?!)"


def _number(rng: random.Random, lo: int, hi: int, step: int = 1) -> tuple[str, str]:
    n = rng.randrange(lo, hi + 1, step)
    spoken = _WORDS[n] if n in _WORDS and rng.random() < 0.3 else str(n)
    return str(n), spoken


def _fill(kind: str, rng: random.Random, h: SynthHome) -> tuple[str, str] | None:
    """(canonical words, paraphrase words) for a placeholder, or None when the home has nothing for it."""
    if kind.endswith("_in") and kind[:-3] in _DOMAINS:  # "chandelier in the den" for the Den Chandelier
        own = [(e.name, e.area) for e in h.entities if e.domain == _DOMAINS[kind[:-3]] and e.area
               and e.name.casefold().startswith(e.area.casefold() + " ")
               and e.name[len(e.area) + 1:].casefold() not in _DEVICE_WORDS]
        if not own:
            return None
        name, area = rng.choice(own)
        return name, f"{name[len(area) + 1:].lower()} in the {area.lower()}"
    if kind in _DOMAINS:
        names = [e.name for e in h.entities if e.domain == _DOMAINS[kind]]
        if not names:
            return None
        name = rng.choice(names)
        spoken = name.lower() if rng.random() < 0.5 else name
        return spoken, spoken
    if kind == "area":
        area = rng.choice(h.areas).lower()
        return area, area
    if kind == "floor":
        floor = rng.choice(h.floors).lower()
        return floor, floor
    if kind == "pct":
        return _number(rng, 5, 100, 5) if rng.random() < 0.7 else _number(rng, 1, 100)
    if kind == "vol":
        return _number(rng, 5, 50, 5)
    if kind == "temp":
        return _number(rng, 15, 28)
    if kind == "hr":
        return _number(rng, 1, 5)
    if kind == "min":
        return _number(rng, 1, 60) if rng.random() < 0.5 else _number(rng, 5, 45, 5)
    if kind == "sec":
        return _number(rng, 10, 90, 5)
    if kind == "half":
        return "50", rng.choice(("halfway", "half way", "half"))
    if kind == "color":
        color = rng.choice(_COLORS[:8])
        return color, color
    if kind == "item":
        item = rng.choice(WILDCARDS["shopping_list_item"])
        return item, item
    if kind == "query":
        query = rng.choice(WILDCARDS["search_query"])
        return query, query
    if kind == "unit":
        return rng.choice(_UNITS)
    if kind == "todo_item":
        item = rng.choice(WILDCARDS["todo_list_item"])
        return item, item
    if kind == "message":
        message = rng.choice(WILDCARDS["message"])
        return message, message
    if kind == "tname":
        name = rng.choice(WILDCARDS["timer_name"])
        return name, name
    raise ValueError(f"unknown placeholder {{{kind}}}")


def _render(template: str, fills: dict[str, tuple[str, str]], which: int) -> tuple[str, dict[str, tuple[int, int]]]:
    out, at, where = [], 0, {}
    for m in _PLACE.finditer(template):
        out.append(template[at:m.start()])
        start = sum(len(p) for p in out)
        words = fills[m.group(1)][which]
        out.append(words)
        where[m.group(1)] = (start, start + len(words))
        at = m.end()
    out.append(template[at:])
    return "".join(out), where


def paraphrase_samples(rng: random.Random, homes: list[SynthHome], n: int,
                       pairs: tuple[tuple[str, str], ...] = PAIRS,
                       direct: tuple[tuple[str, str, dict[str, Any]], ...] = DIRECT) -> Iterator[Labelled]:
    """`n` labelled paraphrases (fewer when the canonical twin is not recognised for the draws), from `pairs`
    and `direct` alike."""
    from hassil import recognize_best

    intents = english_intents()
    lists = [slot_lists(h) for h in homes]
    made = attempts = 0
    while made < n and attempts < n * 3:
        attempts += 1
        pick = rng.randrange(len(pairs) + len(direct))
        para, canon = pairs[pick] if pick < len(pairs) else (direct[pick - len(pairs)][0], "")
        k = rng.randrange(len(homes))
        fills: dict[str, tuple[str, str]] = {}
        for kind in _PLACE.findall(para + canon):
            if kind not in fills:
                fill = _fill(kind, rng, homes[k])
                if fill is None:
                    break
                fills[kind] = fill
        else:
            text, para_at = _render(para, fills, 1)
            labelled: Labelled | None
            if pick >= len(pairs):
                _, intent, fixed = direct[pick - len(pairs)]
                labelled = _direct_label(text, intent, fixed, fills, para_at, homes[k])
            else:
                canon_text, canon_at = _render(canon, fills, 0)
                result = recognize_best(canon_text, intents, slot_lists=lists[k], language="en",
                                        best_slot_name="name")  # as Home Assistant's agent: a named entity wins
                if result is None or result.intent is None:
                    continue
                labelled = _label(text, canon_text, canon_at, para_at, result, fills)
            if labelled is not None:
                labelled = replace(labelled, home=k)
                made += 1
                yield labelled


def _direct_label(text: str, intent: str, fixed: dict[str, Any], fills: dict[str, tuple[str, str]],
                  para_at: dict[str, tuple[int, int]], h: SynthHome) -> Labelled:
    """A `DIRECT` sentence's label: its fixed slots, and a span per placeholder with the home's name as value."""
    spans: list[Span] = []
    for kind, (s, e) in para_at.items():
        said = fills[kind][1].casefold()
        if kind == "area":
            spans.append(Span(s, e, "area", next(a for a in h.areas if a.casefold() == said)))
        elif kind == "floor":
            spans.append(Span(s, e, "floor", next(f for f in h.floors if f.casefold() == said)))
        elif kind in _DOMAINS:
            spans.append(Span(s, e, "name", next(x.name for x in h.entities if x.name.casefold() == said)))
        else:
            raise ValueError(f"a direct paraphrase cannot fill {{{kind}}}: label it through a twin")
    return Labelled(text, intent, tuple(sorted(fixed.items())), tuple(sorted(spans)), source="paraphrase")


def _word_at(folded: str, words: str, placed: Iterable[tuple[int, int]]) -> int:
    """Where `words` stand as whole words outside the filled placeholders (the state "on" is not the "on"
    of "Moon Lamp", "shut" not the start of "Shutters"); -1 when nowhere."""
    spans = list(placed)
    for m in re.finditer(rf"(?<!\w){re.escape(words)}(?!\w)", folded):
        if not any(s < m.end() and m.start() < e for s, e in spans):
            return m.start()
    return -1


def _label(text: str, canon_text: str, canon_at: dict[str, tuple[int, int]], para_at: dict[str, tuple[int, int]],
           result: Any, fills: dict[str, tuple[str, str]] | None = None) -> Labelled | None:
    spans: list[Span] = []
    fixed: dict[str, Any] = {}
    folded = text.casefold()
    for slot, entity in result.entities.items():
        value = entity.value
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        words = (entity.text or "").strip().casefold()
        if not words:
            fixed[slot] = value
            continue
        # the placeholder whose canonical words hassil read for this slot
        kinds = [k for k, (s, e) in canon_at.items() if canon_text[s:e].casefold() == words]
        if len(kinds) > 1:
            return None  # two placeholders drew the same words ("2 hours and 2 minutes"): which is which?
        kind = kinds[0] if kinds else None
        if kind is not None and kind in para_at:
            s, e = para_at[kind]
            if kind.endswith("_in") and fills is not None:  # the name is the device's word; its area is said after
                noun, _, area = fills[kind][1].partition(" in the ")
                e = s + len(noun)
                # the area's words are still tagged an area: the parser reads the name through it, and the
                # call has no area then (value None: no slot of the label)
                area_at = e + len(" in the ")
                spans.append(Span(area_at, area_at + len(area), "area", None))
        else:
            s = _word_at(folded, words, para_at.values())
            if s < 0 and words.isdigit():  # "an hour" for the twin's "1 hour", "ten" for its "10"
                m = re.search(_spoken_number(int(words)), folded)
                s, words = (m.start(), m.group()) if m else (-1, words)
            if s < 0 and slot in _IMPLIED and isinstance(value, (str, int)):
                fixed[slot] = value  # "louder" says the twin's "up": the class carries it
                continue
            if s < 0:
                return None  # the paraphrase does not say it: not a fair label
            e = s + len(words)
        spans.append(Span(s, e, slot, value))
    for kind, slot in _EXTRA.items():  # "... degrees celsius": a slot the twin's template has no words for
        if kind in para_at and kind not in canon_at and fills is not None:
            spans.append(Span(*para_at[kind], slot, fills[kind][0]))
    return Labelled(text, result.intent.name, tuple(sorted(fixed.items())), tuple(sorted(spans)), source="paraphrase")
