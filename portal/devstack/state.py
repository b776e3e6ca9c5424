"""Where the embedded services keep their files, and the small JSON files about them.

`var/services.json` is what other processes read (Django settings, workers);
`var/devstack-state.json` is private bookkeeping (ports, pids) so that `up` can
tell a running service from a stale one and `down` knows what to stop.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]


class DevstackError(Exception):
    """An expected failure: reported as one line per service, without a traceback."""


@dataclass(frozen=True)
class Paths:
    var: Path

    @property
    def log(self) -> Path:
        return self.var / "log"

    @property
    def services(self) -> Path:
        return self.var / "services.json"

    @property
    def state(self) -> Path:
        return self.var / "devstack-state.json"

    @property
    def lock(self) -> Path:
        return self.var / ".devstack.lock"

    def data(self, name: str) -> Path:
        return self.var / name

    def log_file(self, name: str) -> Path:
        return self.log / f"{name}.log"


def resolve_var_dir(var_dir: str | os.PathLike[str] | None = None) -> Path:
    raw = var_dir or os.environ.get("PORTAL_VAR_DIR") or REPO_ROOT / "var"
    return Path(raw).expanduser().absolute()


def prepare(var_dir: str | os.PathLike[str] | None = None) -> Paths:
    """Create the var and log directories, turning OS errors into one clear line."""
    paths = Paths(resolve_var_dir(var_dir))
    try:
        paths.log.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DevstackError(f"devstack: cannot use var dir {paths.var}: {exc.strerror or exc}") from None
    return paths


def read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text())
    except (FileNotFoundError, NotADirectoryError, json.JSONDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def write_json_atomic(path: Path, data: dict[str, Any]) -> None:
    """Readers see the old file or the new one, never a half-written one."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w") as fh:
            json.dump(data, fh, indent=2, sort_keys=True)
            fh.write("\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def locked(paths: Paths) -> Iterator[None]:
    """Serialise `up`/`down` so two launchers never start the same service twice."""
    with open(paths.lock, "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def tail(path: Path, lines: int = 3, width: int = 400) -> str:
    """The last non-empty lines of a log, joined so the error stays on one line."""
    try:
        with open(path, "rb") as fh:
            fh.seek(0, os.SEEK_END)
            fh.seek(max(0, fh.tell() - 16384))
            text = fh.read().decode("utf-8", "replace")
    except OSError:
        return "(no log yet)"
    kept = [line.strip() for line in text.splitlines() if line.strip()][-lines:]
    joined = " | ".join(kept) or "(log is empty)"
    return joined if len(joined) <= width else "..." + joined[-width:]


def start_failure(service: str, reason: str, log: Path) -> DevstackError:
    return DevstackError(f"{service}: could not start: {reason}; log {log}: {tail(log)}")
