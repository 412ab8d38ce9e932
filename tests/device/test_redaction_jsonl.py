"""`redact_jsonl`, the engine of `tandem redact --jsonl`."""

from __future__ import annotations

import json

from device.redaction import redact_jsonl


def run(lines: list[str]) -> list[dict]:
    return [json.loads(out) for out in redact_jsonl(lines)]


def test_one_output_per_input_in_order() -> None:
    lines = [json.dumps({"text": t}) for t in ("a@example.com", "nothing here", "Anna Keller, b@example.com")]
    out = run(lines)
    assert [o["text"] for o in out] == ["<EMAIL_1>", "nothing here", "<PERSON_1>, <EMAIL_1>"]
    assert out[2]["entities"] == [
        {"type": "PERSON", "start": 0, "end": 11, "placeholder": "<PERSON_1>"},
        {"type": "EMAIL", "start": 13, "end": 26, "placeholder": "<EMAIL_1>"},
    ]
    assert out[1]["entities"] == []


def test_each_line_gets_a_fresh_vault() -> None:
    out = run([json.dumps({"text": "a@example.com"}), json.dumps({"text": "b@example.com"})])
    assert [o["text"] for o in out] == ["<EMAIL_1>", "<EMAIL_1>"]


def test_malformed_lines_become_errors_and_processing_continues() -> None:
    lines = [
        '{"text": "a@example.com"}',
        "{not json",
        "[1, 2]",
        '{"txt": "x"}',
        '{"text": 42}',
        "",
        '{"text": "secret@example.com"',
        '{"text": "last b@example.com"}\n',
    ]
    out = run(lines)
    assert len(out) == len(lines)
    assert out[0]["text"] == "<EMAIL_1>"
    assert out[-1]["text"] == "last <EMAIL_1>"
    errors = out[1:-1]
    assert [e["line"] for e in errors] == [2, 3, 4, 5, 6, 7]
    assert all(set(e) == {"error", "line"} and e["error"] for e in errors)
    assert "invalid JSON" in errors[0]["error"]
    assert "JSON object" in errors[1]["error"]
    assert '"text"' in errors[2]["error"] and "string" in errors[3]["error"]
    assert "empty" in errors[4]["error"]
    # errors never echo the input: it may be exactly the PII to hide
    assert all("secret" not in e["error"] for e in errors)


def test_offsets_survive_non_ascii_and_surrogates() -> None:
    text = "Grüße 🎉 an anna@example.com \ud800"
    (out,) = run([json.dumps({"text": text})])
    (entity,) = out["entities"]
    assert text[entity["start"] : entity["end"]] == "anna@example.com"
    assert out["text"] == "Grüße 🎉 an <EMAIL_1> \ud800"
