"""`tandem ask` and `tandem demo`: answer a request, locally or with redacted parts escalated."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import click

from protocol.errors import TandemError
from tandem.cli.config import cli_settings
from tandem.settings import Settings

# device.collab.steps.FORCES, spelt out so that `--help` imports nothing from device (a test keeps them equal)
FORCES = ("local", "cloud")

DEMO_TEXT = (
    "Remind Anna Keller (anna.keller@example.com, +41 79 555 12 34) that the boiler service is on Friday, "
    "and explain how a condensing boiler works.")


async def _run_ask(settings: Settings, text: str, force: str | None, autostart: bool, stream: bool,
                   dry_run: bool = False, system: str | None = None, conversation: str | None = None,
                   continue_last: bool = False) -> Any:
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
    cloud = force != "local"
    if cloud:
        from protocol.errors import KeyStoreError
        from protocol.keys import DeviceKeys

        try:
            DeviceKeys.load(settings.keys_dir, settings.device_id)
        except KeyStoreError as exc:  # not enrolled with a pool: the device answers, and says why
            click.echo(f"[warning] no cloud: {exc}; answering on the device only", err=True)
            cloud = False
    agent, escalator = make_agent(settings, with_cloud=cloud)
    if not cloud and force != "local":
        agent.offline_reason = "this device is not enrolled with a worker pool (`tandem keys pin`)"
    try:
        _open_conversation(agent, conversation, continue_last)
        if agent.tools is not None:
            await agent.tools.start()
        if escalator is not None:
            try:
                await escalator.start()
            except BrokerUnavailable as exc:
                click.echo(f"[warning] {exc}; answering on the device only", err=True)
                agent.escalator = escalator = None
                agent.offline_reason = f"broker unreachable ({settings.broker_url})"

        def on_token(part: int, chunk: str) -> None:
            if stream:
                click.echo(chunk, nl=False, err=True)

        answer = await agent.ask(text, force=force, on_token=on_token if stream else None,
                                 dry_run=dry_run, system=system)
        if stream:
            click.echo("", err=True)
        return answer
    finally:
        if agent.tools is not None:
            await agent.tools.close()
        if escalator is not None:
            await escalator.close()
        if infra is not None:
            infra.stop()


def _open_conversation(agent: Any, conversation: str | None, continue_last: bool) -> None:
    """`--conversation ID`, or with `-c` the last conversation of `tandem ask`, or a new one: every ask is
    kept (`tandem logs`), and its id is in `--json`'s `conversation`."""
    from device.personal.conversations import new_conversation_id

    if conversation is None and continue_last and agent.memory is not None:
        conversation = agent.memory.latest_conversation(face="ask")
        if conversation is None:
            click.echo("[note] no earlier `tandem ask` conversation to continue: starting a new one", err=True)
    agent.open_conversation(conversation or new_conversation_id("ask"), face="ask")


def _text_or_stdin(text: str | None) -> str:
    """TEXT as given, or stdin's text for `-` or no TEXT (`echo hi | tandem ask -`)."""
    if text is not None and text != "-":
        return text
    import sys

    stdin = sys.stdin
    if stdin is None or stdin.isatty():
        raise click.UsageError("give TEXT, or pipe it in: echo 'what time is it?' | tandem ask -")
    read = stdin.read().strip()
    if not read:
        raise click.UsageError("stdin held no text to answer")
    return read


@click.command()
@click.argument("text", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (answer, route, sent, timings_ms).")
@click.option("--force", type=click.Choice(FORCES), default=None, help="Route every part this way.")
@click.option("--no-autostart", is_flag=True, help="Do not start a loopback broker/worker when none answers.")
@click.option("--dry-run", is_flag=True, help="Tools show the calls they would make and act on nothing.")
@click.option("-s", "--system", default=None,
              help="A system prompt for this request (redacted like it; the cloud sees placeholders).")
@click.option("-c", "--continue", "continue_last", is_flag=True,
              help="Continue the last `tandem ask` conversation (its earlier turns are the context).")
@click.option("--conversation", default=None, metavar="ID",
              help="Continue (or start) the conversation ID; `tandem logs` lists them.")
def ask(text: str | None, as_json: bool, force: str | None, no_autostart: bool, dry_run: bool,
        system: str | None, continue_last: bool, conversation: str | None) -> None:
    """Answer TEXT (`-` or none: read it from stdin): with the device's tools (home, timers, reminders), its
    model, or with redacted parts escalated to the worker pool. Every ask is kept as a conversation on the
    device (`tandem logs`); `-c` continues the last one. `--json` adds `tool_calls`: [{"name", "arguments",
    "result"}] and `conversation`."""
    text = _text_or_stdin(text)
    settings = cli_settings()
    answer = asyncio.run(_run_ask(settings, text, force, not no_autostart, stream=False, dry_run=dry_run,
                                  system=system, conversation=conversation, continue_last=continue_last))
    if as_json:
        click.echo(json.dumps(answer.to_json(), ensure_ascii=False))
    else:
        click.echo(answer.answer)


@click.command()
@click.argument("text", default=DEMO_TEXT)
@click.option("--force", type=click.Choice(FORCES), default=None)
def demo(text: str, force: str | None) -> None:
    """Set up what is missing (models, keys, broker, a worker), answer TEXT and show the trace.

    The cloud worker runs Qwen2.5-Coder-1.5B (llama.cpp) when installed, else Qwen2.5-Coder-0.5B (ONNX)."""
    from tandem.assembly.demo_cloud import demo_settings
    from tandem.assembly.trace_text import render_trace

    settings = demo_settings(cli_settings())
    answer = asyncio.run(_run_ask(settings, text, force, autostart=True, stream=False))
    click.echo(render_trace(answer))
