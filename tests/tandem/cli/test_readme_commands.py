"""The README's command table and the commands' own `--help` agree: every option a row names exists,
and every option a command takes is in its row (a newcomer reads one, the program does the other)."""

from __future__ import annotations

import re
from pathlib import Path

import click

from tandem.cli.app import main

README = Path(__file__).resolve().parents[3] / "README.md"
_OPTION = re.compile(r"(?<![\w-])--[a-z][a-z0-9-]*")


def _rows() -> list[tuple[str, str]]:
    """(command words, the row's text for that command) for each `tandem ...` in the table's first column."""
    rows = []
    for line in README.read_text(encoding="utf-8").splitlines():
        if not line.startswith("| `tandem "):
            continue
        first = line.split(" | ", 1)[0].lstrip("| ")
        for segment in re.findall(r"`(tandem [^`]+)`", first):
            words = []
            for word in segment.split()[1:]:
                if not re.fullmatch(r"[a-z][a-z-]*", word):
                    break
                words.append(word)
            rows.append((" ".join(words), segment))
    return rows


def _command(words: str) -> click.Command:
    command: click.Command = main
    for word in words.split():
        assert isinstance(command, click.Group), f"{words}: {word} is not a subcommand"
        found = command.get_command(click.Context(command), word)
        assert found is not None, f"the README names `tandem {words}`, which does not exist"
        command = found
    return command


def test_every_readme_row_matches_its_command_s_options() -> None:
    rows: dict[str, str] = {}
    for words, text in _rows():  # a command named in two places of the table: both count
        rows[words] = f"{rows.get(words, '')} {text}"
    assert len(rows) >= 15
    problems = []
    for words, text in rows.items():
        command = _command(words)
        takes = {o for p in command.params if isinstance(p, click.Option) and not p.hidden
                 for o in (*p.opts, *p.secondary_opts) if o.startswith("--") and o != "--help"}
        named = set(_OPTION.findall(text))
        if named - takes:
            problems.append(f"`tandem {words}`: the README names {sorted(named - takes)}, which it does not take")
        if takes - named:
            problems.append(f"`tandem {words}`: takes {sorted(takes - named)}, which its README row does not name")
    assert not problems, "\n".join(problems)
