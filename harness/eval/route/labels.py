"""The labels routing learns from and is measured on: each item answered by the device and by the cloud.

`tandem eval route` (the measure), `tandem route train` (the `pregen` router's model) and `tandem route
calibrate` (a router's threshold for a target) all read the same answers, computed once and cached under
`<cache>/route-eval/` (`harness.eval.route.answers.AnswerCache`):

* knowledge items: the device model (`settings.device_model`, greedy, as the agent drafts) and the
  cloud model (`--cloud auto`: the largest installed, as `tandem demo` chooses; `worker`: the
  configured worker backend), the same prompt to both;
* command items: the device's command parser (the configured cascade) and the cloud planner (the
  worker's model given the redacted request and the tools without values, as a device asks it), both
  over the held-out fixture home `harness/eval/data/tools_home.yaml`.

Models are loaded only when an answer is missing from the cache.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from tandem.settings import Settings


@dataclass
class RouteLabels:
    settings: Settings
    cloud_choice: str = "auto"
    """auto: the largest cloud model installed (as `tandem demo`); worker: the configured worker backend."""
    progress: Callable[[str], None] | None = None
    _device: Any = None
    _backend: Any = None
    _parsers: dict[str | None, Any] = field(default_factory=dict)
    _planner: Any = None

    def __post_init__(self) -> None:
        from harness.eval.route.answers import AnswerCache
        from tandem.assembly.demo_cloud import demo_settings
        from tandem.locations import cache_dir

        self.cache = AnswerCache(cache_dir() / "route-eval")
        self.cloud_settings = demo_settings(self.settings) if self.cloud_choice == "auto" else self.settings
        self.device_name = f"device-{self.settings.device_model}"
        self.cloud_name = f"cloud-{self.cloud_settings.worker_backend}-{self._cloud_model()}"

    def _cloud_model(self) -> str:
        from tandem.assembly.worker_backend import worker_model_name

        return worker_model_name(self.cloud_settings)

    def samples(self, items: Sequence[Any]) -> list[Any]:
        """The items both sides answered (`harness.eval.route.routers.Sample`), answering what is missing."""
        from harness.eval.route.answers import BackendAnswerer, EngineAnswerer, ParserAnswerer, answer_all
        from harness.eval.route.report import samples

        items = list(items)
        knowledge = [i for i in items if i.kind != "command"]
        commands = [i for i in items if i.kind == "command"]
        device = EngineAnswerer(_Lazy(self._device_engine), self.device_name)
        cloud = BackendAnswerer(_Lazy(self._cloud_backend), self.cloud_name)
        device_answers = answer_all(knowledge, device, self.cache, self._step(f"device ({device.name})", len(knowledge)))
        cloud_answers = answer_all(knowledge, cloud, self.cache, self._step(f"cloud ({cloud.name})", len(knowledge)))
        if commands:
            device_answers.update(answer_all(commands, ParserAnswerer(self._parse), None))
            planner = ParserAnswerer(self._plan, f"cloud-planner-{self._cloud_model()}")
            cloud_answers.update(answer_all(commands, planner, self.cache,
                                            self._step(f"cloud planner ({planner.name})", len(commands))))
        return samples(items, device_answers, cloud_answers)

    def _step(self, label: str, total: int) -> Callable[[int], None]:
        done = [0]

        def step(n: int) -> None:
            done[0] += n
            if self.progress is not None and (done[0] % 10 == 0 or done[0] == total):
                self.progress(f"{label}: {done[0]}/{total}")

        return step

    def _device_engine(self) -> Any:
        if self._device is None:
            from inference.engine import load_engine
            from tandem.assembly.runtime import model_dir

            self._device = load_engine(model_dir(self.settings.device_model, self.settings),
                                       threads=self.settings.threads)
        return self._device

    def _cloud_backend(self) -> Any:
        if self._backend is None:
            from tandem.assembly.worker_backend import make_worker_backend

            self._backend = make_worker_backend(self.cloud_settings)
        return self._backend

    def parser(self, here: str | None) -> Any:
        """The device's command parser (the configured cascade) over the fixture home, one per area."""
        if here not in self._parsers:
            self._parsers[here] = fixture_parser(self.settings, here)
        return self._parsers[here]

    def _parse(self, item: Any) -> tuple[dict[str, Any] | None, float]:
        from device.tools.parsers.cascade import CascadeParser

        parser = self.parser((item.extra.get("context") or {}).get("area"))
        call = parser.best(item.text).call if isinstance(parser, CascadeParser) else parser.parse(item.text)
        if call is None:
            return None, 0.0
        return {"intent": call.name, "slots": dict(call.arguments)}, call.confidence

    def _plan(self, item: Any) -> tuple[dict[str, Any] | None, float]:
        from device.home.inventory import load_inventory
        from harness.eval.route.items import COMMANDS
        from tandem.assembly.remote_planner import home_command_planner

        if self._planner is None:  # the fixture home and the registry, read once for every command item
            self._planner = home_command_planner(self._cloud_backend(), load_inventory(COMMANDS / "tools_home.yaml"))
        return self._planner(item.text, (item.extra.get("context") or {}).get("area"))


def fixture_parser(settings: Settings, here: str | None = None) -> Any:
    """The device's command parser (the configured cascade, the registry's tools) over the held-out fixture
    home `harness/eval/data/tools_home.yaml`, as a device in area `here` would run it."""
    from device.home.inventory import load_inventory
    from device.tools import load_registry
    from device.tools.parsers.base import HomeVocabulary
    from harness.eval.route.items import COMMANDS
    from tandem.assembly.parser_setup import command_parser

    inv = load_inventory(COMMANDS / "tools_home.yaml")
    known = frozenset(t.name for t in load_registry(entry_points=False))
    vocabulary = HomeVocabulary(tuple(inv.floors), tuple(inv.areas), tuple(inv.entities), here)
    return command_parser(settings, vocabulary, "cascade", known)


class _Lazy:
    """An engine or backend built on first use (a fully cached run loads no model)."""

    def __init__(self, build: Callable[[], Any]) -> None:
        self._build = build

    def __getattr__(self, name: str) -> Any:
        return getattr(self._build(), name)
