"""Start an MQTT broker for a zero-setup run or a test: Mosquitto when installed, else amqtt.

`tandem demo` uses this when nothing answers at the configured broker URL; the test suite uses
it (Mosquitto only) for its session broker and for brokers it stops and restarts.
"""

from __future__ import annotations

import logging
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from protocol.errors import TandemError
from tandem.processes import stop_processes

log = logging.getLogger(__name__)


class BrokerStartError(TandemError):
    pass


def is_listening(host: str, port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class BrokerProcess:
    kind: str  # "mosquitto" | "amqtt"
    host: str
    port: int
    process: subprocess.Popen[bytes]
    workdir: Path
    config: Path

    @property
    def url(self) -> str:
        return f"mqtt://{self.host}:{self.port}"

    @property
    def supports_shared_subscriptions(self) -> bool:
        return self.kind == "mosquitto"

    def stop(self) -> None:
        stop_processes([self.process], grace_s=5)

    def restart(self) -> None:
        """Stop and start again on the same port (fault tests)."""
        self.stop()
        self.process = _spawn(self.kind, self.config, self.workdir)
        wait_listening(self.host, self.port, self.process, self.workdir)


def mosquitto_path() -> str | None:
    return shutil.which("mosquitto") or next(
        (p for p in ("/usr/sbin/mosquitto", "/usr/local/sbin/mosquitto") if Path(p).exists()), None
    )


def start_broker(port: int | None = None, *, prefer: str = "mosquitto", workdir: Path | None = None) -> BrokerProcess:
    """Start a loopback broker on `port` (a free one if None). Raises BrokerStartError."""
    port = port or free_port()
    workdir = Path(workdir or tempfile.mkdtemp(prefix="tandem-broker-"))
    workdir.mkdir(parents=True, exist_ok=True)
    kind = "mosquitto" if prefer in ("mosquitto", "mosquitto-only") and mosquitto_path() else "amqtt"
    if kind == "amqtt" and prefer == "mosquitto-only":
        raise BrokerStartError("mosquitto is not installed: `apt-get install mosquitto`")
    config = workdir / ("mosquitto.conf" if kind == "mosquitto" else "amqtt.yaml")
    if kind == "mosquitto":
        config.write_text(
            f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n"
            "log_dest stderr\nlog_type error\nlog_type warning\nuser root\n"
            "max_packet_size 1048576\nset_tcp_nodelay true\n"
        )
    else:
        config.write_text(
            "listeners:\n  default:\n    type: tcp\n"
            f"    bind: 127.0.0.1:{port}\n"
            "plugins:\n  amqtt.plugins.authentication.AnonymousAuthPlugin:\n    allow_anonymous: true\n"
        )
    proc = _spawn(kind, config, workdir)
    wait_listening("127.0.0.1", port, proc, workdir)
    log.info("broker started kind=%s port=%d", kind, port)
    return BrokerProcess(kind, "127.0.0.1", port, proc, workdir, config)


def _spawn(kind: str, config: Path, workdir: Path) -> subprocess.Popen[bytes]:
    stderr = open(workdir / "broker.log", "ab")  # noqa: SIM115 - handed to the child process
    if kind == "mosquitto":
        cmd = [mosquitto_path() or "mosquitto", "-c", str(config)]
    else:
        try:
            import amqtt  # noqa: F401
        except ImportError as exc:
            raise BrokerStartError(
                "no MQTT broker available: install Mosquitto (`apt-get install mosquitto`) "
                "or the embedded one (`pip install 'tandem-edge[broker]'`)"
            ) from exc
        cmd = [sys.executable, "-m", "amqtt.scripts.broker_script", "-c", str(config)]
    try:
        return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=stderr, cwd=workdir)
    finally:
        stderr.close()


def wait_listening(host: str, port: int, proc: subprocess.Popen[bytes], workdir: Path) -> None:
    """Return once `proc` accepts connections on host:port; raise BrokerStartError (with the tail of
    workdir/broker.log) when it exits first or does not listen within 15 s."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = (workdir / "broker.log").read_text(errors="replace")[-800:]
            raise BrokerStartError(f"broker exited with code {proc.returncode} on port {port}: {tail}")
        if is_listening(host, port, 0.2):
            return
        time.sleep(0.02)
    proc.kill()
    raise BrokerStartError(f"broker did not listen on {host}:{port} within 15 s")
