"""Embedded PostgreSQL from the `pgserver` wheel, data in `var/pg/`.

`pgserver.get_server` is only ever called in a short-lived child process: a
process that holds a server handle with the default cleanup mode stops the
shared server when it exits, and pgserver caches handles per process, which
would hide a server stopped by `down` from a later `up` in the same process.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import quote

from .proc import runs, stop_pid, wait_until
from .state import DevstackError, Paths, start_failure

NAME = "postgres"
ENV_VAR = "DATABASE_URL"
ENV_KEYS = (ENV_VAR,)
DB_NAME = "portal"

# Runs in the child; its output (pgserver logs at INFO) goes to var/log/postgres-launcher.log.
# The memory settings are written into postgresql.conf before the server starts: right
# after initdb for a new data dir (pgserver runs initdb and start in one call), or
# ahead of the next start for an existing one.
_LAUNCHER = """
import logging, os, subprocess, sys, warnings
from pathlib import Path
warnings.simplefilter("ignore")  # platformdirs warns when XDG_RUNTIME_DIR is unset
logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
import pgserver
import pgserver.postgres_server as server

def tune(data):
    conf = Path(data) / "postgresql.conf"
    lines = [line for line in conf.read_text().splitlines() if not line.endswith("{TAG}")]
    conf.write_text("\\n".join(lines + [line + "  {TAG}" for line in sys.argv[2:]]) + "\\n")

_initdb = server.initdb
def initdb(*args, pgdata, **kwargs):
    _initdb(*args, pgdata=pgdata, **kwargs)
    tune(pgdata)
server.initdb = initdb
try:
    if (Path(sys.argv[1]) / "PG_VERSION").exists():
        tune(sys.argv[1])
    pgserver.get_server(sys.argv[1], cleanup_mode=None)
except subprocess.CalledProcessError as exc:
    print(f"{MARK}{os.path.basename(exc.cmd[0])} exited with status {exc.returncode}", file=sys.stderr)
    sys.exit(1)
except Exception as exc:
    print(f"{MARK}{type(exc).__name__}: {' '.join(str(exc).split())[:300]}", file=sys.stderr)
    sys.exit(1)
""".replace("{MARK}", "pgserver failed: ").replace("{TAG}", "# set by portal.devstack")


def memory_settings() -> list[str]:
    """initdb's 128 MB of shared buffers is a tenth of what a million-contact search
    touches; a quarter of the machine's memory (the usual advice), 128 MB to 2 GB,
    keeps those pages in PostgreSQL's own cache. Linux commits it only as it is used."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (OSError, ValueError):
        total = 0
    megabytes = max(128, min(2048, total // 4 // 2**20))
    return [f"shared_buffers = '{megabytes}MB'"]


def pgdata(paths: Paths) -> Path:
    return paths.data("pg")


def _server_log(paths: Paths) -> Path:
    return pgdata(paths) / "log"  # pgserver's fixed choice; linked from var/log/postgres.log


def _postmaster(paths: Paths) -> tuple[int, Path | None, int] | None:
    """(pid, socket dir, port) from postmaster.pid; the socket dir moves when the data path is long."""
    try:
        lines = (pgdata(paths) / "postmaster.pid").read_text().splitlines()
        pid = int(lines[0])
        port = int(lines[3]) if len(lines) > 3 and lines[3].strip() else 5432
    except (OSError, ValueError, IndexError):
        return None
    socket_dir = Path(lines[4].strip()) if len(lines) > 4 and lines[4].strip() else None
    return pid, socket_dir, port


def database_url(socket_dir: Path, port: int = 5432, database: str = DB_NAME) -> str:
    host = quote(str(socket_dir), safe="")
    return f"postgres://postgres@{host}{'' if port == 5432 else f':{port}'}/{database}"


def _running_url(paths: Paths, database: str = DB_NAME) -> str | None:
    info = _postmaster(paths)
    if info is None or info[1] is None or not runs(info[0], "postgres"):
        return None
    return database_url(info[1], info[2], database)


def probe(paths: Paths, state: dict[str, Any]) -> dict[str, str] | None:
    url = _running_url(paths)
    if url is None:
        return None
    import psycopg

    try:
        with psycopg.connect(url, connect_timeout=3) as conn:
            conn.execute("select 1")
    except psycopg.Error:
        return None  # running but not answering, or the database is missing: start() repairs
    return {ENV_VAR: url}


def start(paths: Paths, state: dict[str, Any]) -> dict[str, str]:
    _open_path_for_postgres_user(pgdata(paths))
    _launch(paths)
    url = _running_url(paths)
    if url is None:
        raise start_failure(NAME, "postmaster.pid has no running server", _server_log(paths))
    _ensure_database(paths, url)
    _link_log(paths)
    return {ENV_VAR: url}


def _open_path_for_postgres_user(data: Path) -> None:
    """As root, pgserver runs postgres as the `pgserver` user, which must be able to
    traverse every parent of the data dir (mkdtemp and `umask 077` make 0700 dirs)."""
    if os.geteuid() != 0:
        return
    for parent in data.parents:
        mode = parent.stat().st_mode
        if mode & 0o011 != 0o011:
            parent.chmod(mode | 0o011)


def _launch(paths: Paths) -> None:
    log = paths.log_file("postgres-launcher")
    with open(log, "ab") as out:
        try:
            # cwd=var: initdb runs as `pgserver` and fails in a directory it cannot enter.
            done = subprocess.run(
                [sys.executable, "-c", _LAUNCHER, str(pgdata(paths)), *memory_settings()],
                cwd=paths.var,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=out,
                timeout=90,
            )
        except subprocess.TimeoutExpired:
            raise start_failure(NAME, "timed out after 90 s", _server_log(paths)) from None
    if done.returncode != 0:
        # The launcher's last line says what failed; the server log usually says why.
        server_log = _server_log(paths)
        raise start_failure(NAME, _launcher_reason(log), server_log if server_log.exists() else log)


def _launcher_reason(log: Path) -> str:
    marker = "pgserver failed: "
    try:
        lines = log.read_text(errors="replace").splitlines()[-50:]
    except OSError:
        lines = []
    found = [line.split(marker, 1)[1] for line in lines if marker in line]
    return found[-1] if found else f"the launcher failed (see {log})"


def _ensure_database(paths: Paths, url: str) -> None:
    import psycopg

    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    try:
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as conn:
            exists = conn.execute("select 1 from pg_database where datname = %s", [DB_NAME]).fetchone()
            if not exists:
                conn.execute(f'create database "{DB_NAME}"')
    except psycopg.Error as exc:
        reason = f"cannot create database {DB_NAME}: {' '.join(str(exc).split())}"
        raise start_failure(NAME, reason, _server_log(paths)) from None


def _link_log(paths: Paths) -> None:
    link = paths.log_file(NAME)
    if not link.is_symlink():
        try:
            link.symlink_to(os.path.relpath(_server_log(paths), paths.log))
        except OSError:
            pass  # a convenience only


def stop(paths: Paths, state: dict[str, Any]) -> bool:
    info = _postmaster(paths)
    if info is None or not runs(info[0], "postgres"):
        return False
    # SIGINT is PostgreSQL's "fast" shutdown (what `pg_ctl -m fast stop` sends); it works
    # as root without switching to the `pgserver` user. SIGQUIT is "immediate".
    stop_pid(info[0], signal.SIGINT, grace=30.0, last=signal.SIGQUIT)
    if not wait_until(lambda: not runs(info[0], "postgres"), 1.0):
        raise DevstackError(f"{NAME}: could not stop pid {info[0]}")
    return True
