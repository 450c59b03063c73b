"""A throwaway PostgreSQL server for tests: a real server from Debian's `postgresql` package,
started in a temporary directory, listening on 127.0.0.1 only, and removed at the end.

    with PgServer.start() as server:
        url = server.create_database()  # a fresh, empty database: postgresql://...@127.0.0.1:PORT/db

PostgreSQL refuses to run as root, and CI runs the tests as root: then initdb and the server run
as the `postgres` system user (created by the Debian package; `nobody` where it is missing), and
the temporary directory is made under a directory that user can reach (/tmp, not pytest's
0700 /tmp/pytest-of-root). Not root: they run as the current user. Missing binaries are an error
that names the package, never a skip: CI installs it (.ci/run)."""

from __future__ import annotations

import contextlib
import ctypes
import itertools
import os
import pwd
import re
import shutil
import signal
import socket
import stat
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

import psycopg
from psycopg import sql

DEBIAN_BINDIRS = "/usr/lib/postgresql/*/bin"
SUPERUSER = "postgres"  # the database role the URLs name (trust auth: no password)
TEMPLATE = "bot_test_template"  # empty; each create_database() copies it
START_SECONDS = 30.0
STOP_SECONDS = 15.0
# The server's settings: a disposable cluster, so durability is traded for speed.
SETTINGS = {
    "listen_addresses": "127.0.0.1",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "200",
    "logging_collector": "off",
}


class PostgresNotFound(RuntimeError):
    """No PostgreSQL server binaries on this machine."""


class PostgresStartError(RuntimeError):
    """The server did not start; the message carries the end of its log."""


def find_bindir() -> Path:
    """The directory holding initdb and postgres: Debian's highest version, else PATH's."""
    versions = []
    for bindir in Path("/").glob(DEBIAN_BINDIRS.lstrip("/")):
        version = bindir.parent.name
        if (bindir / "initdb").is_file() and (bindir / "postgres").is_file():
            key = tuple(int(part) for part in re.findall(r"\d+", version))
            versions.append((key, bindir))
    if versions:
        return max(versions)[1]
    initdb = shutil.which("initdb")
    if initdb and (Path(initdb).parent / "postgres").is_file():
        return Path(initdb).parent
    raise PostgresNotFound(
        f"PostgreSQL server binaries (initdb, postgres) not found in {DEBIAN_BINDIRS} or on "
        "PATH: install Debian's `postgresql` package (apt-get install postgresql); .ci/run "
        "installs it when it is missing"
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


_LIBC = ctypes.CDLL(None, use_errno=True)  # resolved here: the child must not search for it
_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """In the child, before exec: the server gets SIGQUIT (immediate shutdown) if the test
    process dies without stopping it (kill -9, a CI time-out), so no server is left behind."""
    if hasattr(_LIBC, "prctl"):  # Linux
        _LIBC.prctl(_PR_SET_PDEATHSIG, int(signal.SIGQUIT), 0, 0, 0)


def _searchable_by_others(path: Path) -> bool:
    return all(p.stat().st_mode & stat.S_IXOTH for p in [path, *path.parents])


@dataclass
class PgServer:
    """One running server; `stop()` (or leaving the `with` block) ends it and deletes its files."""

    bindir: Path
    root: Path  # the temporary directory: data/, the unix socket, the log
    port: int
    process: subprocess.Popen[bytes]
    _counter: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    @classmethod
    def start(cls) -> PgServer:
        """initdb a new cluster in a temporary directory and start it on a free 127.0.0.1 port;
        returns once it accepts connections, with an empty template database created."""
        bindir = find_bindir()
        unprivileged = _unprivileged_user() if os.geteuid() == 0 else None
        base = Path(tempfile.gettempdir())
        if unprivileged is not None and not _searchable_by_others(base):
            base = Path("/tmp")  # the server's user must reach the directory
        root = Path(tempfile.mkdtemp(prefix="bot-pg-", dir=base))
        try:
            if unprivileged is not None:
                os.chown(root, unprivileged.pw_uid, unprivileged.pw_gid)
            run_as = _run_as(unprivileged)
            _run(
                [
                    str(bindir / "initdb"),
                    "-D",
                    str(root / "data"),
                    "-U",
                    SUPERUSER,
                    "--auth=trust",
                    "--no-locale",
                    "-E",
                    "UTF8",
                    "--no-sync",
                ],
                root,
                run_as,
            )
            (root / "data" / "pg_hba.conf").write_text(
                "local all all trust\nhost all all 127.0.0.1/32 trust\n", encoding="utf-8"
            )
            attempts = 3  # a free port can be taken by another process before the server binds it
            for attempt in range(1, attempts + 1):
                server = cls._launch(bindir, root, _free_port(), run_as)
                try:
                    server._wait_ready()
                    break
                except BaseException:
                    server._kill()
                    if attempt == attempts or "could not bind" not in server.log_tail():
                        raise
            server._admin_execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(TEMPLATE)))
            return server
        except BaseException:
            shutil.rmtree(root, ignore_errors=True)
            raise

    @classmethod
    def _launch(cls, bindir: Path, root: Path, port: int, run_as: RunAs) -> PgServer:
        settings = {**SETTINGS, "port": str(port), "unix_socket_directories": str(root)}
        argv = [str(bindir / "postgres"), "-D", str(root / "data")]
        for name, value in settings.items():
            argv += ["-c", f"{name}={value}"]
        with open(root / "postgres.log", "ab") as log:
            process = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=root,
                env=_server_env(),
                preexec_fn=_die_with_parent,  # before any test thread starts
                user=run_as.user,
                group=run_as.group,
                extra_groups=run_as.extra_groups,
            )
        return cls(bindir=bindir, root=root, port=port, process=process)

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + START_SECONDS
        while True:
            if self.process.poll() is not None:
                raise PostgresStartError(
                    f"postgres exited with {self.process.returncode}:\n{self.log_tail()}"
                )
            try:
                with psycopg.connect(self.url("postgres"), connect_timeout=2):
                    return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise PostgresStartError(
                        f"postgres did not accept connections within {START_SECONDS:.0f}s:\n"
                        f"{self.log_tail()}"
                    ) from None
                time.sleep(0.05)

    def url(self, dbname: str) -> str:
        """The URL of one of this server's databases."""
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{dbname}"

    def create_database(self, name: str | None = None) -> str:
        """A new, empty database (a copy of the empty template: ~30 ms); returns its URL."""
        name = name or f"test_{os.getpid()}_{next(self._counter)}"
        self._admin_execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(name), sql.Identifier(TEMPLATE)
            )
        )
        return self.url(name)

    def drop_database(self, name: str) -> None:
        """Drops a database, ending any connection a test left open to it."""
        self._admin_execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )

    def _admin_execute(self, statement: sql.Composed) -> None:
        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(statement)

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = (self.root / "postgres.log").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        """Fast shutdown (SIGINT: sessions are ended, no waiting for clients), then the
        temporary directory is removed."""
        try:
            if self.process.poll() is None:
                self.process.send_signal(signal.SIGINT)
                try:
                    self.process.wait(STOP_SECONDS)
                except subprocess.TimeoutExpired:
                    self._kill()
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def _kill(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)  # immediate shutdown, ends its children
            try:
                self.process.wait(STOP_SECONDS)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self) -> PgServer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def _unprivileged_user() -> pwd.struct_passwd:
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name)
    raise PostgresNotFound(
        "running as root, and PostgreSQL refuses to: no `postgres` system user to run it as "
        "(Debian's `postgresql` package creates it: apt-get install postgresql)"
    )


@dataclass(frozen=True)
class RunAs:
    """subprocess's user/group/extra_groups: an unprivileged user's, or all None (no change)."""

    user: int | None = None
    group: int | None = None
    extra_groups: list[int] | None = None


def _run_as(user: pwd.struct_passwd | None) -> RunAs:
    if user is None:
        return RunAs()
    return RunAs(user.pw_uid, user.pw_gid, [])


def _server_env() -> dict[str, str]:
    # No PG* variables from the caller's environment, and the C locale (initdb --no-locale).
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C", "LANG": "C"}


def _run(argv: list[str], cwd: Path, run_as: RunAs) -> None:
    result: subprocess.CompletedProcess[str] = subprocess.run(
        argv,
        cwd=cwd,
        env=_server_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        user=run_as.user,
        group=run_as.group,
        extra_groups=run_as.extra_groups,
    )
    if result.returncode != 0:
        raise PostgresStartError(f"{argv[0]} failed ({result.returncode}):\n{result.stderr}")
