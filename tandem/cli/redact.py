"""`tandem redact`: PII into typed placeholders, for one text or JSON lines on stdin."""

from __future__ import annotations

import sys

import click

from tandem.cli.config import cli_settings


@click.command()
@click.argument("text", required=False)
@click.option("--jsonl", is_flag=True, help='Read JSON lines {"text": ...} on stdin, write one result per line.')
def redact(text: str | None, jsonl: bool) -> None:
    """Redact PII from TEXT (or stdin JSON lines with --jsonl) into typed placeholders.

    With --jsonl each result also lists the sensitive-context categories its redacted text discloses
    ("sensitive": ["health", ...], empty when none); for TEXT they go to stderr when there are any
    (and the classifier is built: a plain redaction never waits for its first build).
    """
    from device.redaction import redact_jsonl
    from device.redaction.sensitive import SensitiveClassifier, find_built, tag_jsonl
    from tandem.assembly.redaction_setup import device_redactor, device_sensitive

    settings = cli_settings()
    redactor = device_redactor(settings)
    if jsonl:
        classifier = device_sensitive(settings)
        if classifier is None and settings.redaction.sensitive != "off":
            click.echo('warning: the sensitive-context classifier is not built, so "sensitive" is empty on every line; '
                       "build it with `tandem model train-sensitive`", err=True)
        for line in tag_jsonl(redact_jsonl(sys.stdin, redactor), classifier):
            click.echo(line)
        return
    redacted = redactor.redact(sys.stdin.read() if text is None else text).text
    click.echo(redacted)
    found = None if settings.redaction.sensitive == "off" else find_built(settings.models_dir)
    categories = () if found is None else SensitiveClassifier(found).classify(redacted)
    if categories:
        click.echo(f"sensitive: {', '.join(categories)}", err=True)
