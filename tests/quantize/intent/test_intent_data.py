"""The command parser's training data: reproducible from a seed, labelled as Home Assistant's matcher says,
held-out names kept apart."""

from __future__ import annotations

import random

from quantize.intent.dataset import draw, encode, load_tokenizer, samples
from quantize.intent.homes import HELDOUT, TRAIN, home
from quantize.intent.labels import NONE, bio_tags, class_name, parse_class
from quantize.intent.train import label_spaces


def test_the_same_seed_gives_the_same_sentences_and_another_seed_others() -> None:
    first = samples(120, seed=5)
    assert first == samples(120, seed=5)
    assert [s.text for s in first] != [s.text for s in samples(120, seed=6)]


def test_every_source_is_in_the_mix_and_every_span_says_its_words() -> None:
    data = samples(400, seed=11)
    assert {s.source for s in data} == {"ha", "paraphrase", "negative"}
    for s in data:
        for span in s.spans:
            assert 0 <= span.start < span.end <= len(s.text), (s.text, span)
            assert s.text[span.start:span.end].strip() == s.text[span.start:span.end]
        if s.source == "negative":
            assert s.intent is None and s.cls == NONE and not s.spans


def test_template_sentences_carry_home_assistants_own_labels() -> None:
    """Relabelling by hassil: a sentence with a light's name is HassTurnOn/Off with that name, an area command
    with a fixed domain is in the class, numbers are numbers."""
    data = [s for s in samples(600, seed=3) if s.source in ("ha", "paraphrase")]
    assert any(s.cls.startswith("HassTurnOn|domain=light") for s in data)
    for s in data:
        for span in s.spans:
            if span.slot in ("brightness", "position", "temperature", "minutes", "seconds", "hours"):
                assert isinstance(span.value, (int, float)), (s.text, span)


def test_commands_that_need_the_devices_area_are_labelled_with_it() -> None:
    """"turn on the lights" matches Home Assistant's templates only with the device's own area as context:
    such a sentence says no area, and its label carries the context area (`here`), not an area span."""
    data = [s for s in samples(600, seed=3) if s.source == "ha"]
    here = [s for s in data if s.here is not None]
    assert here, "no template sentence used the device's area"
    for s in here:
        assert not any(span.slot == "area" for span in s.spans), s.text
        assert s.slots()["area"] == s.here


def test_the_held_out_names_are_not_the_training_names() -> None:
    rng = random.Random(1)
    train = {e.name for _ in range(40) for e in home(rng, TRAIN).entities} | set(TRAIN.areas) | set(TRAIN.floors)
    held = {e.name for _ in range(40) for e in home(rng, HELDOUT).entities} | set(HELDOUT.areas) | set(HELDOUT.floors)
    assert not set(TRAIN.areas) & set(HELDOUT.areas) and not set(TRAIN.floors) & set(HELDOUT.floors)
    assert len(train & held) < 0.05 * len(held)  # only a rare "<qualifier> Lamp" coincidence
    homes, _ = draw(100, seed=2, vocab=HELDOUT)
    assert all(a in HELDOUT.areas for h in homes for a in h.areas)


def test_example_inventory_names_are_not_in_the_training_names() -> None:
    names = {"Kitchen", "Living Room", "Study", "Nursery", "Kitchen Spots", "Dining Pendant", "Reading Lamp",
             "Study Blind", "Desk Fan", "Patio Door", "Kitchen Speaker", "Heat Pump Upstairs"}
    rng = random.Random(4)
    train = {e.name for _ in range(60) for e in home(rng, TRAIN).entities} | set(TRAIN.areas) | set(TRAIN.floors)
    assert not names & train


def test_classes_round_trip_and_tags_are_bio() -> None:
    assert parse_class(class_name("HassTurnOn", (("domain", "light"),))) == ("HassTurnOn", {"domain": "light"})
    assert parse_class(class_name(None)) == (None, {})
    assert bio_tags(["name", "area", "name"]) == ("O", "B-area", "I-area", "B-name", "I-name")


def test_encoding_tags_the_span_tokens() -> None:
    from quantize.intent.build import source_dir

    tokenizer = load_tokenizer(source_dir() / "tokenizer.json")
    data = [s for s in samples(200, seed=9) if s.spans]
    classes, tags = label_spaces(data)
    class_ids = {c: i for i, c in enumerate(classes)}
    tag_ids = {t: i for i, t in enumerate(tags)}
    sample = data[0]
    enc = encode(sample, tokenizer, class_ids, tag_ids)
    assert enc.cls == class_ids[sample.cls]
    assert enc.tags[0] == -100 and enc.tags[-1] == -100
    begun = {tags[t][2:] for t in enc.tags if t >= 0 and tags[t].startswith("B-")}
    assert begun == {s.slot for s in sample.spans}


def test_the_eval_homes_names_are_not_in_the_training_names() -> None:
    """`tandem eval tools` speaks of Home Assistant's fixture home: none of its names is a training name."""
    from device.home.inventory import load_inventory
    from harness.eval.tools import HOME

    inv = load_inventory(HOME)
    names = {x.name.casefold() for x in (*inv.entities, *inv.areas, *inv.floors)}
    rng = random.Random(7)
    homes = [home(rng, TRAIN) for _ in range(80)]
    train = {e.name.casefold() for h in homes for e in h.entities} | {n.casefold() for n in (*TRAIN.areas, *TRAIN.floors)}
    assert not names & train, names & train


def test_paraphrases_say_what_their_labels_say() -> None:
    """A word the twin says otherwise ("louder" for "up") is in the class; a unit the twin lacks is a slot; a
    sentence the installed templates cannot say is labelled directly; an area that names a device is tagged but
    is no slot of the call."""
    from quantize.intent.paraphrases import DIRECT, paraphrase_samples

    rng = random.Random(3)
    homes = [home(rng, TRAIN) for _ in range(30)]

    def one(pair: tuple[str, str]) -> object:
        return next(iter(paraphrase_samples(random.Random(1), homes, 1, pairs=(pair,), direct=())))

    louder = one(("make the {media} louder", "turn up the {media} volume"))
    assert louder.cls == "HassSetVolumeRelative|volume_step=up"
    unit = one(("heat the {area} to {temp} {unit}", "set the temperature in the {area} to {temp} degrees"))
    assert unit.slots()["temperature_unit"] in ("celsius", "fahrenheit")
    hour = one(("time an hour for me", "set a timer for 1 hour"))
    assert hour.slots() == {"hours": 1} and hour.text[hour.spans[0].start:hour.spans[0].end] == "an"
    named = one(("switch off the {light_in}", "turn off the {light_in}"))
    assert set(named.slots()) == {"name"} and {s.slot for s in named.spans} == {"name", "area"}
    locks = [d for d in DIRECT if d[0] == "lock every door in the {area}"]
    made = next(iter(paraphrase_samples(random.Random(1), homes, 1, pairs=(), direct=tuple(locks))))
    assert made.intent == "HassTurnOn" and made.slots()["domain"] == "lock" and "area" in made.slots()


def test_a_twins_word_is_found_as_a_whole_word_outside_the_names() -> None:
    """The state "on" of "is the {light} still on" is the last word, not the "on" inside "Balcony" or "Moon
    Lamp"; two placeholders with the same words ("2 hours and 2 minutes") give no label rather than a
    wrong one."""
    from quantize.intent.paraphrases import paraphrase_samples

    rng = random.Random(4)
    homes = [home(rng, TRAIN) for _ in range(30)]
    made = list(paraphrase_samples(random.Random(2), homes, 300, pairs=(("is the {light} still on", "is the {light} on"),),
                                   direct=()))
    assert made
    for sample in made:
        state = [s for s in sample.spans if s.slot == "state"]
        assert [sample.text[s.start:s.end] for s in state] == ["on"] and state[0].end == len(sample.text)
    twice = list(paraphrase_samples(random.Random(2), homes, 200,
                                    pairs=(("a {hr} hour {min} minute timer", "set a timer for {hr} hours and {min} minutes"),),
                                    direct=()))
    assert twice and all(s.slots()["hours"] != s.slots()["minutes"] for s in twice)
