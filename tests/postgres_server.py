"""A real PostgreSQL server for the tests that need one, started from the installed binaries (initdb,
pg_ctl) in a temp dir on a free loopback port, as the `postgres` user when the suite runs as root (the
server refuses root). Absent binaries skip those tests with the reason."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

from tandem.broker import free_port


def _binary(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


def available() -> str | None:
    """None when a server can be started here, else why not."""
    if _binary("initdb") is None or _binary("pg_ctl") is None:
        return "PostgreSQL is not installed (initdb, pg_ctl): apt-get install postgresql"
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        return "running as root without runuser: PostgreSQL refuses to run as root"
    return None


@dataclass
class PostgresServer:
    root: Path
    port: int
    _as: list[str]

    @property
    def admin_url(self) -> str:
        return f"postgresql://tandem@127.0.0.1:{self.port}/postgres"

    def new_database(self) -> str:
        """A fresh, empty database's URL (each test its own tables)."""
        import psycopg

        name = f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.admin_url, autocommit=True) as db:
            db.execute(f"CREATE DATABASE {name}")
        return f"postgresql://tandem@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        subprocess.run([*self._as, _binary("pg_ctl") or "pg_ctl", "-D", str(self.root / "data"), "stop", "-m", "fast"],
                       capture_output=True, check=False, timeout=60)
        shutil.rmtree(self.root, ignore_errors=True)


def start() -> PostgresServer:
    """A server in a fresh dir under the system temp dir (pytest's own is closed to the `postgres` user)."""
    root = Path(tempfile.mkdtemp(prefix="tandem-pg-"))
    run_as: list[str] = []
    if os.geteuid() == 0:
        run_as = ["runuser", "-u", "postgres", "--"]
        shutil.chown(root, "postgres")
    port = free_port()
    subprocess.run([*run_as, _binary("initdb") or "initdb", "-D", str(root / "data"), "-A", "trust", "-U", "tandem"],
                   capture_output=True, check=True, timeout=120)
    subprocess.run([*run_as, _binary("pg_ctl") or "pg_ctl", "-D", str(root / "data"), "-l", str(root / "server.log"),
                    "-o", f"-p {port} -k {root} -c listen_addresses=127.0.0.1", "-w", "start"],
                   capture_output=True, check=True, timeout=120)
    return PostgresServer(root, port, run_as)
