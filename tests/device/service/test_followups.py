"""A follow-up over the socket and over MQTT is read against its named conversation: the device model
reads the turns before it (an engine that echoes everything it read shows them), the turns survive in the
personal store, and a request without a conversation carries nothing over."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

from device.personal.store import PersonalStore
from device.service.callers import Caller
from device.service.mqtt_face import MqttFace
from device.service.socket_face import SocketFace
from tandem.broker import BrokerProcess
from tests.device.service.support import Client, ConversationEchoEngine, echo_service


def _store(tmp_path: Path) -> PersonalStore:
    return PersonalStore(tmp_path / "personal.sqlite", key=b"k" * 32)


def test_follow_up_over_the_socket(tmp_path: Path) -> None:
    store = _store(tmp_path)
    service = echo_service(tmp_path / "vaults", memory=store, engine=ConversationEchoEngine())
    path = tmp_path / "tandem.sock"
    face = SocketFace(service, path)

    async def go() -> list[dict[str, object]]:
        await face.start()
        reader, writer = await asyncio.open_unix_connection(str(path))
        replies = []
        for text, conversation in (("What is the capital of France?", "trip"), ("And of Canada?", "trip"),
                                   ("And of Canada?", None)):
            writer.write(json.dumps({"text": text, "conversation": conversation}).encode() + b"\n")
            await writer.drain()
            replies.append(json.loads(await reader.readline()))
        writer.close()
        await face.stop()
        return replies

    first, follow, alone = asyncio.run(go())
    assert follow["ok"] and str(follow["answer"]).startswith("What is the capital of France? | " + str(first["answer"]))
    assert follow["conversation"] == "trip"
    assert alone["answer"] == "And of Canada?"  # no conversation: nothing before it
    assert [t.user for t in store.turns("trip")] == ["What is the capital of France?", "And of Canada?"]
    assert store.conversation("trip").owner == f"unix:{os.getuid()}"  # type: ignore[union-attr]


def test_follow_up_over_mqtt(tmp_path: Path, mosquitto: BrokerProcess) -> None:
    store = _store(tmp_path)
    service = echo_service(tmp_path / "vaults", memory=store, engine=ConversationEchoEngine())
    # the session broker is anonymous: this test vouches for callers itself, as a broker with accounts would
    face = MqttFace(service, broker_url=mosquitto.url, device_id="fu", verified_callers=True)
    bob = Client(mosquitto.url, ["tandem/fu/reply/bob/#"])

    async def go() -> list[dict[str, object]]:
        await face.start()
        await asyncio.wait_for(face.connected.wait(), 10)
        replies = []
        try:
            for n, text in enumerate(("What is the capital of France?", "And of Canada?"), 1):
                bob.ask("tandem/fu/ask/bob", {"text": text, "conversation": "bob-trip"},
                        response_topic=f"tandem/fu/reply/bob/{n}")
                got = await asyncio.to_thread(bob.wait, f"tandem/fu/reply/bob/{n}", 1)
                replies.append(json.loads(got[0][1]))
        finally:
            await face.stop()
        return replies

    try:
        first, follow = asyncio.run(go())
    finally:
        bob.close()
    assert str(follow["answer"]).startswith("What is the capital of France? | " + str(first["answer"]))
    assert [t.user for t in store.turns("bob-trip")] == ["What is the capital of France?", "And of Canada?"]
    assert store.conversation("bob-trip").face == "mqtt"  # type: ignore[union-attr]
    assert Caller("mqtt", "bob", verified=True).key == store.conversation("bob-trip").owner  # type: ignore[union-attr]
