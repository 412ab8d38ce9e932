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
    ("sensitive": ["health", ...], empty when none); for TEXT they go to stderr when there are any.
    """
    from device.redaction import redact_jsonl
    from tandem.assembly.redaction_setup import device_redactor, device_sensitive, ner_model_dir

    settings = cli_settings()
    redactor = device_redactor(settings, ner_model_dir(settings))
    classifier = device_sensitive(settings)
    if classifier is None and settings.redaction.sensitive.model != "off":
        click.echo('warning: the sensitive-context classifier is not built, so no category is reported; '
                   "build it with `tandem model train-sensitive`", err=True)
    if jsonl:
        # every result lists its categories: none at all with the classifier off
        tag = classifier.classify if classifier is not None else lambda redacted, original: ()
        for line in redact_jsonl(sys.stdin, redactor, tag):
            click.echo(line)
        return
    original = sys.stdin.read() if text is None else text
    redacted = redactor.redact(original).text
    click.echo(redacted)
    categories = () if classifier is None else classifier.classify(redacted, original)
    if categories:
        click.echo(f"sensitive: {', '.join(categories)}", err=True)
