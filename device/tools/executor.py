"""`DeviceTools`: the agent's tool executor. A tool step in, one short sentence and the call's record out.

    step (redacted) -> its ToolCall (parsed on the device, or planned by the cloud: `planned_by`) -> the tool -> arguments validated against
    its schema, values restored -> the act policy -> execute (or, in a dry run, only show) -> the answer
    from the tool's template, still redacted (the fuser restores it) + {"name", "arguments", "result"}

What the user must hear is said, not raised: a target that matches several devices comes back as a
question ("Which Lamp: Study or Bedroom?"), a device that does not exist as a sentence, an act the
policy refuses as "I did not ...". `ToolError` is raised only when the step is not a command the
device can do at all: the agent then answers it with the model. Every call is logged without values
(the tool, whether it acts, the outcome) and acts are idempotent on the request id.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from device.collab.executors import ToolContext
from device.collab.steps import Step, StepResult, ToolCall
from device.errors import AmbiguousTarget, DeviceError, HomeUnavailable, ToolError, ToolRefused, UnknownEntity
from device.tools import ToolRegistry
from device.tools.base import ToolInput, ToolServices
from device.tools.parsers import make_parser
from device.tools.parsers.base import CommandParser, HomeVocabulary
from device.tools.parsers.cascade import make_cascade
from device.tools.parsers.rewrite import as_device_call
from device.tools.schema import validate

log = logging.getLogger(__name__)


@dataclass
class DeviceTools:
    registry: ToolRegistry
    services: ToolServices
    parser_name: str = "rules"
    parser_stages: tuple[str, ...] = ()
    """With `parser_name` "cascade": its stages (empty: the default ones)."""
    min_confidence: float = 0.5
    parser_factories: Mapping[str, Callable[[HomeVocabulary], CommandParser]] | None = None
    """The registry the cascade's stages come from (None: `device.tools.parsers.PARSERS`)."""
    here: str | None = None
    """`[home] area` as configured; resolved to an area id once the home is up (`start`)."""
    _parser: CommandParser | None = None
    _started: bool = False

    async def start(self) -> None:
        """Connect the home (its retained discovery configs arrive before this returns) and build the
        parser over its areas. Idempotent; a home that cannot be reached leaves the tools that need it
        saying so, the others work."""
        if self._started:
            return
        self._started = True
        home = self.services.home
        if home is not None:
            try:
                await home.start()
            except HomeUnavailable as exc:
                log.warning("home unavailable: %s", type(exc).__name__)
            if self.here is not None:
                self.services = replace(self.services, here_area=_area_id(home, self.here))
        self._parser = None

    async def close(self) -> None:
        if self._started and self.services.home is not None:
            await self.services.home.close()
        self._started = False

    @property
    def parser(self) -> CommandParser:
        if self._parser is None:
            vocabulary = self.vocabulary()
            if self.parser_name == "cascade" and self.parser_stages:
                factories = dict(self.parser_factories) if self.parser_factories is not None else None
                self._parser = make_cascade(vocabulary, self.parser_stages, self.min_confidence, factories,
                                            known=frozenset(t.name for t in self.registry))
            else:
                self._parser = make_parser(self.parser_name, vocabulary)
        return self._parser

    def vocabulary(self) -> HomeVocabulary:
        """The home's words as known now (the discovered devices once `start` ran)."""
        return HomeVocabulary.from_home(self.services.home, self.services.here_area)

    def recognise(self, text: str) -> ToolCall | None:
        """The call `text` (redacted) asks for, when this device can do it; None otherwise (not a command,
        no such tool, or a home command while the device knows no home or no such target)."""
        call = self.parser.parse(text)
        if call is not None:
            call = as_device_call(call)
        if call is None or call.name not in self.registry:
            return None
        if self.registry.get(call.name).home and not self._home_knows(call.arguments):
            return None
        return call

    def _home_knows(self, arguments: Mapping[str, Any]) -> bool:
        home = self.services.home
        if home is None:
            return False
        from device.home.resolve import resolve

        try:
            return bool(resolve(home, name=arguments.get("name"), area=arguments.get("area"),
                                floor=arguments.get("floor"), domain=arguments.get("domain"),
                                device_class=arguments.get("device_class"), here_area=self.services.here_area))
        except AmbiguousTarget:
            return True  # still a command: the tool asks back which one
        except UnknownEntity:
            return False  # no such device here: not a command for this home

    async def run(self, step: Step, context: ToolContext) -> StepResult:
        call = step.call or self.recognise(step.text)
        if call is None:
            raise ToolError("this is not a command the device can carry out")
        tool = self.registry.get(call.name)
        redacted = dict(call.arguments)
        restored = {k: _restore(v, context.restore) for k, v in redacted.items()}
        validate(tool.name, tool.schema, restored)
        record: dict[str, Any] = {"name": tool.name, "arguments": redacted, "planned_by": call.planned_by}
        inp = ToolInput(restored, redacted, self.services, dry_run=context.dry_run, request_id=context.request_id,
                        confirm=context.confirm)
        try:
            outcome = await tool.execute(inp)
        except ToolRefused as exc:
            log.info("tool call=%s acts=%s outcome=refused", tool.name, tool.acts)
            return self._said(step, record, {"refused": True}, str(exc) + ".")
        except ToolError:
            log.info("tool call=%s acts=%s outcome=failed", tool.name, tool.acts)
            raise
        except DeviceError as exc:  # the home's and the store's own errors: a question or a fact to say
            question = getattr(exc, "question", None)
            outcome_kind = "question" if question else "error"
            log.info("tool call=%s acts=%s outcome=%s", tool.name, tool.acts, outcome_kind)
            return self._said(step, record, {outcome_kind: True}, str(question or exc))
        log.info("tool call=%s acts=%s dry_run=%s outcome=done", tool.name, tool.acts, context.dry_run)
        if context.dry_run:
            said = f"Dry run: {tool.name} would run with {redacted}; nothing was done."
            return self._said(step, record, dict(outcome.result), said)
        return self._said(step, record, dict(outcome.result), tool.say(redacted, outcome))

    @staticmethod
    def _said(step: Step, record: dict[str, Any], result: dict[str, Any], text: str) -> StepResult:
        return StepResult(step.index, text, "tool", {"call": {**record, "result": result}})


def _restore(value: Any, restore: Callable[[str], str]) -> Any:
    """`value` with the placeholders of every string in it restored (a planned call may nest them)."""
    if isinstance(value, str):
        return restore(value)
    if isinstance(value, list):
        return [_restore(v, restore) for v in value]
    if isinstance(value, dict):
        return {k: _restore(v, restore) for k, v in value.items()}
    return value


def _area_id(home: Any, wanted: str) -> str:
    key = wanted.strip().casefold()
    for area in home.areas():
        if key in (area.id.casefold(), area.name.casefold(), *(a.casefold() for a in area.aliases)):
            return str(area.id)
    return key.replace(" ", "_")
