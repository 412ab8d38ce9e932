"""The Unix socket face: newline JSON in, one reply line per request, errors as replies."""

from __future__ import annotations

import asyncio
import json
import stat
from pathlib import Path

from device.service.socket_face import MAX_LINE, SocketFace
from tests.device.service.support import tiny_service


def test_many_requests_on_one_connection_and_bad_lines(tiny_model: Path, tmp_path: Path) -> None:
    path = tmp_path / "run" / "tandem.sock"
    path.parent.mkdir()
    path.write_text("stale")  # an earlier run's leftover is replaced
    face = SocketFace(tiny_service(tiny_model), path)

    async def go() -> None:
        await face.start()
        assert stat.S_IMODE(path.stat().st_mode) == 0o660
        reader, writer = await asyncio.open_unix_connection(str(path))
        writer.write(b'{"text": "hello there, how are you", "id": "a"}\n\nnot json\n'
                     b'{"text": "what is two and two", "id": "b", "force": "local"}\n')
        await writer.drain()
        replies = [json.loads(await reader.readline()) for _ in range(3)]
        assert [r["id"] for r in replies] == ["a", None, "b"]
        assert [r["ok"] for r in replies] == [True, False, True]
        writer.write(b"x" * (MAX_LINE + 10) + b"\n")
        await writer.drain()
        too_long = json.loads(await reader.readline())
        assert not too_long["ok"] and "longer than" in too_long["error"]
        writer.close()
        await face.stop()
        assert not path.exists()

    asyncio.run(go())
