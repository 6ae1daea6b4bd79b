"""A fresh PostgreSQL database per test, when CENTINELA_TEST_POSTGRES_URL names a server (see .ci/run); and a
server of a test's own, for the tests that stop it."""

from __future__ import annotations

import glob
import os
import pwd
import shlex
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager, suppress
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

ENV = "CENTINELA_TEST_POSTGRES_URL"


def server_url() -> str | None:
    return os.environ.get(ENV) or None


@asynccontextmanager
async def fresh_database(admin_url: str) -> AsyncIterator[str]:
    """Create an empty database on the server, yield its URL, and drop it afterwards."""
    name = f"centinela_test_{uuid.uuid4().hex[:12]}"
    admin = create_async_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as connection:
            await connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        await admin.dispose()


class PrivateCluster:
    """A PostgreSQL server of one test's own, in `folder`, that the test may stop and start again (the shared
    server of CENTINELA_TEST_POSTGRES_URL must stay up for the other tests). Runs as .ci/postgres.sh's
    unprivileged user when the tests run as root, as initdb refuses root (so `folder` must be reachable by
    that user: pytest's own temporary folders are not)."""

    USER = "centinela_ci"

    def __init__(self, folder: Path) -> None:
        found = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda path: int(Path(path).parent.name))
        if not found:
            pytest.skip("PostgreSQL is not installed (.ci/postgres.sh installs it)")
        if os.geteuid() == 0:
            try:
                pwd.getpwnam(self.USER)
            except KeyError:
                pytest.skip(f"no user {self.USER} to run PostgreSQL as (.ci/postgres.sh creates it)")
        self._bin = Path(found[-1])
        self._folder = folder
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *command: str) -> None:
        # The server keeps the real clock: under .ci/run's faketime pass, only the bot's clock is moved
        # (initdb fails with libfaketime preloaded).
        environment = {name: value for name, value in os.environ.items()
                       if name != "LD_PRELOAD" and not name.startswith("FAKETIME")}
        line = " ".join(shlex.quote(part) for part in command)
        if os.geteuid() == 0:
            subprocess.run(["su", "-s", "/bin/bash", self.USER, "-c", line], check=True, capture_output=True,
                           env=environment)
        else:
            subprocess.run(command, check=True, capture_output=True, env=environment)

    def create(self) -> None:
        self._folder.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self._folder, self.USER)
        self._run(str(self._bin / "initdb"), "-D", str(self._folder / "data"), "-U", "postgres", "--auth=trust",
                  "-E", "UTF8")
        self.start()

    def start(self) -> None:
        options = f"-p {self.port} -k {self._folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(str(self._bin / "pg_ctl"), "-D", str(self._folder / "data"), "-l", str(self._folder / "log"),
                  "-w", "-o", options, "start")

    def stop(self, mode: str = "fast") -> None:
        """`immediate` is a crash: every session is cut at once, nothing is shut down cleanly."""
        self._run(str(self._bin / "pg_ctl"), "-D", str(self._folder / "data"), "-m", mode, "-w", "stop")


@contextmanager
def private_cluster() -> Iterator[PrivateCluster]:
    folder = Path(tempfile.mkdtemp(prefix="centinela-test-pg-"))
    try:
        cluster = PrivateCluster(folder)
        cluster.create()
        try:
            yield cluster
        finally:
            with suppress(subprocess.CalledProcessError):
                cluster.stop("immediate")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
