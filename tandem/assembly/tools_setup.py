"""The device's tools as settings describe them: the home, the personal store, the registry, the policy.

`make_tools(settings)` gives the agent's tool executor, not started: faces `await tools.start()` (it
connects the home's broker and reads its retained discovery configs) before the first request and
`await tools.close()` at the end. User tools that publish an MQTT message do so on the home's broker.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from device.tools import load_registry
from device.tools.base import ToolServices
from device.tools.executor import DeviceTools
from device.tools.policy import ActPolicy
from tandem.assembly.home_setup import make_home
from tandem.assembly.parser_setup import parser_factories
from tandem.assembly.personal_setup import open_personal_store
from tandem.settings import Settings


def make_tools(settings: Settings) -> DeviceTools:
    store = open_personal_store(settings)
    services = ToolServices(home=make_home(settings), personal=store, clock=store.now,
                            policy=ActPolicy(dict(settings.tools.policy)), default_time=settings.personal.default_time,
                            publish=_home_publisher(settings))
    return DeviceTools(load_registry(toml_file=settings.tools.file), services, parser_name=settings.tools.parser,
                       parser_stages=tuple(settings.tools.stages), min_confidence=settings.tools.min_confidence,
                       parser_factories=parser_factories(settings), here=settings.home.area)


def _home_publisher(settings: Settings) -> Callable[[str, bytes, bool], Awaitable[None]] | None:
    """Publishes one message on the home's broker (a short-lived client: user tools are rare)."""
    url = settings.home.broker_url
    if not url:
        return None

    async def publish(topic: str, payload: bytes, retain: bool) -> None:
        import asyncio

        from protocol.mqtt import connect, make_client

        def send() -> None:
            client = make_client(f"tandem-tool-{settings.device_id}", settings.home.mqtt_version)
            connect(client, url, auth=settings.home.mqtt_auth())
            try:
                client.publish(topic, payload, qos=1, retain=retain).wait_for_publish(5)
            finally:
                client.disconnect()
                client.loop_stop()

        await asyncio.to_thread(send)

    return publish
