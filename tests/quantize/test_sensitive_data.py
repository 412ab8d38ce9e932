"""The sensitive-context training data: seeded, labelled with the device's categories, and apart from
the hand-written evaluation sets."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("faker", reason="the generator borrows the NER's sentences, which need Faker: pip install 'tandem-edge[quantize]'")

from device.redaction.sensitive import CATEGORIES
from harness.eval.sensitive import FIFTH, FOURTH, HELDOUT, SECOND, THIRD, load
from quantize.sensitive.calibrate import CALIBRATION
from quantize.sensitive.dataset import LEXICONS, samples


def test_samples_are_reproducible_from_the_seed() -> None:
    assert samples(60, seed=5) == samples(60, seed=5)
    assert samples(60, seed=5) != samples(60, seed=6)


def test_every_category_is_drawn_and_labels_are_the_device_categories() -> None:
    drawn = samples(1500, seed=3)
    counts = Counter(c for e in drawn for c in e.categories)
    assert set(counts) == set(CATEGORIES)
    assert min(counts.values()) > 40
    clean = sum(1 for e in drawn if not e.categories)
    assert 0.4 < clean / len(drawn) < 0.6
    for e in drawn:
        assert "{" not in e.text and "}" not in e.text, e.text  # every slot filled
        assert list(e.categories) == [c for c in CATEGORIES if c in e.categories]
    assert set(LEXICONS) == set(CATEGORIES)


def test_placeholders_appear_on_both_sides() -> None:
    drawn = samples(1500, seed=4)
    assert any("<PERSON_" in e.text for e in drawn if e.categories)
    assert any("<PERSON_" in e.text for e in drawn if not e.categories)


def _ngrams(text: str, n: int) -> set[tuple[str, ...]]:
    words = re.findall(r"\w+", text.lower())
    return {tuple(words[i:i + n]) for i in range(len(words) - n + 1)}


def _near_copies(text: str, others: list[set[tuple[str, ...]]]) -> list[set[tuple[str, ...]]]:
    """The 4-gram sets in `others` sharing half the 4-grams of the shorter text with `text` (the near-copy rule)."""
    mine = _ngrams(text, 4)
    return [g for g in others if mine and len(mine & g) >= 0.5 * min(len(mine), len(g))]


def test_the_hand_written_sets_are_not_generated_text() -> None:
    generated = samples(4000, seed=1234)
    seen = {e.text.lower().rstrip(".?! ") for e in generated}
    grams: set[tuple[str, ...]] = set()
    for e in generated:
        grams |= _ngrams(e.text, 7)
    for path in (HELDOUT, SECOND, THIRD, FOURTH, FIFTH, CALIBRATION):
        rows = load(path)
        assert not any(r["text"].lower().rstrip(".?! ") in seen for r in rows)
        shared = [r["text"] for r in rows if _ngrams(r["text"], 7) & grams]
        assert len(shared) / len(rows) < 0.02, shared  # a few stock phrases ("write a short story about a") may meet


def test_the_held_out_set_has_what_the_issue_asks_for() -> None:
    rows = load(HELDOUT)
    per = Counter(c for r in rows for c in r["sensitive"])
    assert set(per) == set(CATEGORIES) and min(per.values()) >= 15
    assert sum(1 for r in rows if r["sensitive"]) >= 200
    negatives = [r for r in rows if not r["sensitive"]]
    assert len(negatives) >= 300
    assert {r["kind"].split(":")[0] for r in negatives} == {"everyday", "general", "rights", "public_figure", "writing"}
    general_on = {r["kind"].split(":")[1] for r in negatives if r["kind"].startswith("general:")}
    assert general_on == set(CATEGORIES)  # a knowledge question on every category's subject
    assert len({r["text"] for r in rows}) == len(rows)
    for line in HELDOUT.read_text(encoding="utf-8").splitlines():
        assert set(json.loads(line)) <= {"text", "sensitive", "lang", "kind"}


def _assert_labelled_with_the_devices_categories(rows: list[dict[str, Any]], negatives: int) -> None:
    """Every category at least 15 times, all three languages, 250 disclosures and `negatives` other requests."""
    per = Counter(c for r in rows for c in r["sensitive"])
    assert set(per) == set(CATEGORIES) and min(per.values()) >= 15
    assert {r["lang"] for r in rows} == {"en", "de", "fr"}
    assert sum(1 for r in rows if r["sensitive"]) >= 250 and sum(1 for r in rows if not r["sensitive"]) >= negatives
    assert len({r["text"].strip().lower() for r in rows}) == len(rows)


def test_the_second_held_out_set_is_labelled_with_the_devices_categories() -> None:
    rows = load(SECOND)
    _assert_labelled_with_the_devices_categories(rows, negatives=250)
    assert all(r["kind"] for r in rows if not r["sensitive"])
    assert not {r["text"] for r in rows} & {r["text"] for r in load(HELDOUT)}


def test_the_third_held_out_set_is_labelled_with_the_devices_categories_and_apart_from_the_others() -> None:
    rows = load(THIRD)
    _assert_labelled_with_the_devices_categories(rows, negatives=200)
    assert {r["kind"] for r in rows if not r["sensitive"]} == {"everyday", "general", "rights", "professional",
                                                                 "public_figure", "writing"}
    assert {r["half"] for r in rows} == {"a", "b"}  # "a" chose between training variants, "b" never did
    earlier = [g for path in (HELDOUT, SECOND) for r in load(path) if (g := _ngrams(r["text"], 4))]
    for r in rows:
        assert not _near_copies(r["text"], earlier), r["text"]


@pytest.mark.parametrize(("path", "negatives"), [(FOURTH, 180), (FIFTH, 190)])
def test_the_later_held_out_sets_are_labelled_and_apart_from_training_and_the_other_sets(
        path: Path, negatives: int) -> None:
    """Written after the others by writers told to read nothing (the fifth before the fourth's misses were
    read): a line within the near-copy rule of any training line or other scored text was dropped when the
    set was made, so none is left."""
    from quantize.sensitive.written import written

    rows = load(path)
    _assert_labelled_with_the_devices_categories(rows, negatives=negatives)
    others = [text for text, _ in written()] + [r["text"] for other in (HELDOUT, SECOND, THIRD, FOURTH, FIFTH, CALIBRATION)
                                                 if other != path for r in load(other)]
    grams = [g for text in others if (g := _ngrams(text, 4))]
    for r in rows:
        assert not _near_copies(r["text"], grams), r["text"]


def test_the_hand_written_training_requests_load_and_stay_apart_from_every_scored_set() -> None:
    from quantize.sensitive.written import written

    pairs = written()
    texts = {t.strip().lower() for t, _ in pairs}
    assert len(pairs) >= 1500
    assert {c for _, cats in pairs for c in cats} == set(CATEGORIES)
    assert 0.3 < sum(1 for _, cats in pairs if cats) / len(pairs) < 0.7  # both kinds
    for path in (HELDOUT, SECOND, THIRD, FOURTH, FIFTH, CALIBRATION):
        scored = {r["text"].strip().lower() for r in load(path)}
        assert not texts & scored, sorted(texts & scored)[:5]


def test_a_written_share_of_the_samples_comes_from_the_hand_written_requests() -> None:
    from quantize.sensitive.written import written

    pool = {t for t, _ in written()}
    drawn = samples(600, seed=3, written_share=0.4)
    # noise may lower-case, drop the final stop or add a typo, so compare loosely
    loose = {t.lower().rstrip(".?! ") for t in pool}
    share = sum(1 for e in drawn if e.text.lower().rstrip(".?! ") in loose) / len(drawn)
    assert 0.25 < share < 0.5
    assert samples(50, seed=3) == samples(50, seed=3, written_share=0.0)


def test_an_explain_share_of_the_samples_holding_a_term_reads_as_the_device_explains_them() -> None:
    from device.redaction.jargon import explain, load_jargon

    jargon = load_jargon()
    explanations = {e for table in (jargon.exact, jargon.folded) for e in table.values()}
    drawn = samples(600, seed=3, written_share=0.8, explain_share=1.0)
    explained = [e for e in drawn if any(f"({x})" in e.text for x in explanations)]
    plain = samples(600, seed=3, written_share=0.8)
    with_terms = [e for e in plain if explain(e.text) is not None]
    assert with_terms and len(explained) >= 0.6 * len(with_terms)  # noise may break a term's spelling
    assert {c for e in explained for c in e.categories} and any(not e.categories for e in explained)
    assert samples(50, seed=3) == samples(50, seed=3, explain_share=0.0)


def test_word_problems_are_about_invented_people_and_end_in_a_question() -> None:
    import random

    from quantize.sensitive.stories import word_problem

    rng = random.Random(8)
    drawn = [word_problem(rng) for _ in range(2000)]
    assert all("{" not in t and "}" not in t for t in drawn), [t for t in drawn if "{" in t][:3]
    assert sum("?" in t for t in drawn) / len(drawn) > 0.95
    assert any("<PERSON_" in t for t in drawn)  # as the redactor leaves a name: those must stay clean too
    assert len(set(drawn)) > 1800
    # a second person is never the first one again ("<PERSON_2> owes <PERSON_2> $100")
    same = re.compile(r"(<PERSON_\d>) (?:owes|and|is \d+ years older than|is twice as old as) \1")
    assert not [t for t in drawn if same.search(t)]
    generated = samples(3000, seed=9)  # and the generator mixes them in as negatives
    assert sum(1 for e in generated if not e.categories and e.text.startswith(("Solve:", "Word problem:"))) > 10


def test_a_gloss_share_of_german_and_french_samples_is_read_as_their_english_gloss() -> None:
    from device.redaction.gloss import language_of

    def foreign(drawn: list[Any]) -> int:
        return sum(1 for e in drawn if language_of(e.text) is not None)

    plain = samples(400, seed=5, foreign_share=0.5, written_share=0.8)
    glossed = samples(400, seed=5, foreign_share=0.5, written_share=0.8, gloss_share=1.0)
    assert foreign(plain) > 60 and foreign(glossed) < foreign(plain) / 4
    assert {e.categories for e in glossed if e.categories} and any(not e.categories for e in glossed)


def test_two_requests_in_one_are_joined_alike_for_disclosures_and_the_rest() -> None:
    drawn = samples(4000, seed=11)
    joins = ("Also: ", " Then ", " Oh and ")
    for join in joins:
        with_join = [e for e in drawn if join in e.text]
        assert any(e.categories for e in with_join) and any(not e.categories for e in with_join), join


def test_the_later_hand_written_files_hold_no_near_copy_of_a_scored_text() -> None:
    """Writers of training and of evaluation text reach for the same sentences ("write a speech for my
    brother's wedding to his husband Marco"): a training line sharing half its word 4-grams with a
    held-out or calibration text is dropped, not only an exact copy."""
    from quantize.sensitive.written import DATA

    scored = [g for path in (HELDOUT, SECOND, THIRD, FOURTH, FIFTH, CALIBRATION) for r in load(path) if (g := _ngrams(r["text"], 4))]
    for name in ("written_stories.jsonl", "written_work.jsonl", "written_implicit.jsonl", "written_voices.jsonl",
                 "written_plain.jsonl", "written_worlds.jsonl"):
        for line in (DATA / name).read_text(encoding="utf-8").splitlines():
            near = _near_copies(json.loads(line)["text"], scored)
            assert not near, (name, json.loads(line)["text"])
