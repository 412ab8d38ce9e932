"""The service under the flood fault: `tandem serve`'s faces (Unix socket, MQTT command topic, HTTP API) and
its admission control in a process of their own, in front of an agent whose device model is a stand-in that
answers after `--delay-ms` (what is measured is the service under hostile load, not a model; the cloud side of
`tandem chaos` uses the echo worker the same way).

    python -m harness.chaos.service_role --broker URL --device ID --socket PATH --ready FILE [--delay-ms 20]

It writes `{"pid", "http"}` to `--ready` once every face listens, and runs until SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import threading
import time
from pathlib import Path
from typing import Any

from inference.engine import Generation, TokenEvent


class DelayEngine:
    """Answers "ok" after `delay_s`, from the engine's thread, as a board's model would (slowly)."""

    def __init__(self, delay_s: float) -> None:
        self.delay_s = delay_s

    def chat(self, messages: Any, params: Any, on_token: Any = None, cancel: threading.Event | None = None) -> Generation:
        time.sleep(self.delay_s)
        if on_token is not None:
            on_token(TokenEvent(0, "ok", -0.1, 0.1))
        return Generation("ok", (0,), (-0.1,), (0.1,), 3, "stop", 1.0, 1.0)

    def encode(self, text: str) -> list[int]:
        return list(range(len(text.split())))


async def serve(args: argparse.Namespace) -> None:
    from device.agent import Agent, AgentConfig
    from device.redaction import RuleRedactor
    from device.service import AskService, Backend
    from device.service.http_face import HttpFace
    from device.service.mqtt_face import MqttFace
    from device.service.socket_face import SocketFace

    agent = Agent(DelayEngine(args.delay_ms / 1000), RuleRedactor(ner=None),  # type: ignore[arg-type]
                  AgentConfig(threshold=99, probe_tokens=1), None)
    service = AskService(Backend(agent, profile="chaos"))
    faces: list[Any] = [SocketFace(service, Path(args.socket)),
                        MqttFace(service, broker_url=args.broker, device_id=args.device, verified_callers=False),
                        HttpFace(service, "127.0.0.1", 0)]
    for face in faces:
        await face.start()
    await asyncio.wait_for(faces[1].connected.wait(), 20)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    Path(args.ready).write_text(json.dumps({"pid": os.getpid(), "http": faces[2].url}))
    await stop.wait()
    for face in reversed(faces):
        await face.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="harness.chaos.service_role")
    parser.add_argument("--broker", required=True)
    parser.add_argument("--device", required=True)
    parser.add_argument("--socket", required=True)
    parser.add_argument("--ready", required=True)
    parser.add_argument("--delay-ms", type=float, default=20.0)
    asyncio.run(serve(parser.parse_args(argv)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
