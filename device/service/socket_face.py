"""The service's Unix socket: newline-delimited JSON, one reply line per request line.

For local programs that do not speak MQTT (`socat - UNIX-CONNECT:/run/tandem/tandem.sock`). The
socket is created 0660, so only the service's user and group can ask. Each connection's caller is
the uid the kernel reports for the peer (SO_PEERCRED): a named conversation opened by one uid is
refused to another.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import struct
from pathlib import Path

from device.service.callers import Caller
from device.service.core import AskService
from device.service.messages import AskReply

log = logging.getLogger(__name__)

MAX_LINE = 1 << 20


class SocketFace:
    def __init__(self, service: AskService, path: Path) -> None:
        self.service = service
        self.path = Path(path)
        self._server: asyncio.AbstractServer | None = None

    async def start(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()  # a stale socket of an earlier run
        self._server = await asyncio.start_unix_server(self._client, path=str(self.path), limit=MAX_LINE)
        os.chmod(self.path, 0o660)
        log.info("socket face listening path=%s", self.path)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        caller = peer_caller(writer.get_extra_info("socket"))
        try:
            while True:
                try:
                    line = await reader.readline()
                except ValueError:  # longer than MAX_LINE
                    writer.write(AskReply.failure(f"request longer than {MAX_LINE} bytes").model_dump_json()
                                 .encode() + b"\n")
                    break
                if not line:
                    break
                if not line.strip():
                    continue
                _, reply = await self.service.handle_raw(line, caller=caller)
                writer.write(reply.model_dump_json().encode() + b"\n")
                await writer.drain()
        except ConnectionResetError:
            log.info("socket client went away")
        finally:
            writer.close()
            with contextlib.suppress(ConnectionResetError, BrokenPipeError):
                await writer.wait_closed()


def peer_caller(sock: socket.socket) -> Caller:
    """The connecting process's uid, as the kernel reports it (SO_PEERCRED: pid, uid, gid)."""
    creds = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    _pid, uid, _gid = struct.unpack("3i", creds)
    return Caller("unix", str(uid), verified=True)
