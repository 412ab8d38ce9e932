"""`tandem redact`: PII into typed placeholders, for one text or JSON lines on stdin."""

from __future__ import annotations

import sys

import click

from tandem.cli.config import cli_settings


@click.command()
@click.argument("text", required=False)
@click.option("--jsonl", is_flag=True, help='Read JSON lines {"text": ...} on stdin, write one result per line.')
def redact(text: str | None, jsonl: bool) -> None:
    """Redact PII from TEXT (or stdin JSON lines with --jsonl) into typed placeholders."""
    from device.redaction import redact_jsonl
    from tandem.assembly.redaction_setup import device_redactor, ner_model_dir

    settings = cli_settings()
    redactor = device_redactor(settings, ner_model_dir(settings))
    if jsonl:
        for line in redact_jsonl(sys.stdin, redactor):
            click.echo(line)
    else:
        click.echo(redactor.redact(sys.stdin.read() if text is None else text).text)
