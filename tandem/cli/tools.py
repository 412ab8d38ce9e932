"""`tandem tools`: the device's tools, and how it understands a command.

`parse --jsonl` is an interface the team's checks use: it reads `{"text": ...}` lines on stdin and
writes, in the same order, one line each, `{"intent": <Home Assistant intent name> | null, "slots":
{...}, "ms": <float>}` (plus `confidence` and `stage`; a line that is not a JSON object with a string
`text` gets `"error"` and an empty parse, and the run goes on). Understanding only: nothing is
executed and nothing is sent anywhere. The home's words come from `--inventory FILE` (else `[home]
inventory`); with neither, only commands that need no home (timers, lists, the time) parse.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import click

from tandem.cli.config import cli_settings

_MAX_LINE = 64 * 1024


@click.group()
def tools() -> None:
    """The device's tools: list them, parse commands."""


@tools.command("list")
@click.option("--json", "as_json", is_flag=True, help='Print [{"name", "description", "acts", "schema"}].')
def list_cmd(as_json: bool) -> None:
    """The tools this device can run (built-in and the user's own)."""
    from device.tools import load_registry

    settings = cli_settings()
    registry = load_registry(toml_file=settings.tools.file)
    found = sorted(registry, key=lambda t: t.name)
    if as_json:
        click.echo(json.dumps([{"name": t.name, "description": t.description, "acts": t.acts,
                                "schema": dict(t.schema)} for t in found], ensure_ascii=False))
        return
    for t in found:
        click.echo(f"{t.name:<32} {'acts ' if t.acts else 'reads'}  {t.description}")


@tools.command("parse")
@click.option("--jsonl", "jsonl", is_flag=True, required=True,
              help='Read {"text": ...} lines on stdin, write {"intent", "slots", "ms"} lines.')
@click.option("--inventory", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A home inventory (YAML/JSON, Home Assistant fixture shape); default: [home] inventory.")
@click.option("--parser", "parser_name", default=None, help="A parser from the registry (default: [tools] parser).")
def parse_cmd(jsonl: bool, inventory: Path | None, parser_name: str | None) -> None:
    """Text -> Home Assistant intent and slots, one JSON line per input line. Executes nothing."""
    from device.tools.parsers.cascade import CascadeParser

    settings = cli_settings()
    vocabulary = _vocabulary(inventory or settings.home.inventory, settings.home.area)
    from device.tools import load_registry
    from tandem.assembly.parser_setup import command_parser

    known = frozenset(t.name for t in load_registry(toml_file=settings.tools.file))
    parser = command_parser(settings, vocabulary, parser_name, known=known)
    out = sys.stdout
    for raw in sys.stdin:
        if not raw.strip():
            continue
        text, error = _text_of(raw)
        line: dict[str, Any] = {"intent": None, "slots": {}, "ms": 0.0}
        if error is not None:
            line["error"] = error
        else:
            assert text is not None
            started = time.perf_counter()
            stage = parser.name
            if isinstance(parser, CascadeParser):  # which stage answered, for the curious
                found = parser.best(text)
                sure = found.call is not None and found.call.confidence >= parser.min_confidence
                call, stage = (found.call, found.stage or stage) if sure else (None, stage)
            else:
                call = parser.parse(text)
            line["ms"] = round((time.perf_counter() - started) * 1000, 3)
            if call is not None:
                line.update(intent=call.name, slots=dict(call.arguments), confidence=round(call.confidence, 4),
                            stage=stage)
        out.write(json.dumps(line, ensure_ascii=False) + "\n")
        out.flush()


def _text_of(raw: str) -> tuple[str | None, str | None]:
    if len(raw) > _MAX_LINE:
        return None, f"line longer than {_MAX_LINE} characters: send one command per line"
    try:
        obj = json.loads(raw)
    except json.JSONDecodeError as exc:
        return None, f"not JSON ({exc.msg} at column {exc.colno}): send {{\"text\": \"...\"}} per line"
    if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
        return None, 'each line must be a JSON object with a string "text"'
    return obj["text"], None


def _vocabulary(inventory: Path | None, area: str | None) -> Any:
    from device.home.inventory import load_inventory
    from device.tools.parsers.base import HomeVocabulary

    if inventory is None:
        return HomeVocabulary()
    inv = load_inventory(inventory)
    here = None
    if area is not None:
        found = inv.find_area(area)
        here = found.name if found is not None else None
    return HomeVocabulary(tuple(inv.floors), tuple(inv.areas), tuple(inv.entities), here)
