"""Process and port helpers shared by the service launchers (Linux)."""

from __future__ import annotations

import contextlib
import os
import random
import signal
import socket
import time
from collections.abc import Callable, Iterable
from pathlib import Path


def _reaped(pid: int) -> bool:
    """Collect our own exited child so it does not linger as a zombie."""
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return False
    return done == pid


def pid_alive(pid: int | None) -> bool:
    if not pid or pid <= 0 or _reaped(pid):
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # exists, owned by another user (postgres runs as `pgserver`)
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"


def runs(pid: int | None, needle: str) -> bool:
    """True when `pid` is alive and is the program we expect (guards against pid reuse)."""
    if not pid_alive(pid):
        return False
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
    except OSError:
        return True
    return needle.encode() in cmdline


def read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def wait_until(check: Callable[[], bool], timeout: float, interval: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while True:
        if check():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)


def stop_pid(pid: int, sig: int = signal.SIGTERM, grace: float = 10.0, last: int = signal.SIGKILL) -> None:
    """Send `sig`, wait up to `grace` seconds, then send `last` and wait a little more."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, sig)
    if wait_until(lambda: not pid_alive(pid), grace):
        return
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, last)
    wait_until(lambda: not pid_alive(pid), 5.0)


def port_free(port: int) -> bool:
    # SO_REUSEADDR like the servers themselves, so TIME_WAIT leftovers do not count as taken.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def ports_free(ports: Iterable[int], offset: int = 0) -> bool:
    return all(port_free(p) and (not offset or port_free(p + offset)) for p in ports)


def pick_ports(count: int, low: int, high: int, offset: int = 0) -> list[int]:
    """Free ports below the kernel's ephemeral range, so outgoing connections do not
    grab them between restarts; with `offset`, port+offset must be free too."""
    taken: set[int] = set()
    chosen: list[int] = []
    for port in random.sample(range(low, high), min(2000, high - low)):
        related = {port, port + offset} if offset else {port}
        if related & taken or not ports_free([port], offset):
            continue
        chosen.append(port)
        taken |= related
        if len(chosen) == count:
            return chosen
    raise OSError(f"no free TCP ports between {low} and {high}")
