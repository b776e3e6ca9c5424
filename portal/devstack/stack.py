"""`up`, `down` and `status` over the three embedded services."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from . import postgres, redis, s3
from .state import DevstackError, Paths, locked, prepare, read_json, resolve_var_dir, write_json_atomic

SERVICES: tuple[ModuleType, ...] = (postgres, redis, s3)
Echo = Callable[[str], None]
VarDir = str | os.PathLike[str] | None


@dataclass(frozen=True)
class Report:
    name: str
    state: str  # started | reused | skipped | running | down | stopped | not running
    detail: str = ""
    ok: bool = True

    def line(self) -> str:
        return f"{self.name}: {self.state}" + (f" ({self.detail})" if self.detail else "")


def _external(service: ModuleType) -> bool:
    """An empty variable counts as unset, so `VAR=` cannot silently disable a service."""
    return bool(os.environ.get(service.ENV_VAR))


def _quiet(line: str) -> None:
    pass


Outcome = tuple[Report | DevstackError, dict[str, str]]


def _up_one(service: ModuleType, paths: Paths, section: dict[str, Any]) -> Outcome:
    """Skip, reuse or start one service: (report or error, the values it provides)."""
    if _external(service):
        return Report(service.NAME, "skipped", f"{service.ENV_VAR} is set"), {}
    try:
        values = service.probe(paths, section)
        verb = "reused"
        if values is None:
            values = service.start(paths, section)
            verb = "started"
    except DevstackError as exc:
        return exc, {}
    except (OSError, subprocess.SubprocessError) as exc:
        return DevstackError(f"{service.NAME}: could not start: {' '.join(str(exc).split())}"), {}
    return Report(service.NAME, verb, values[service.ENV_VAR]), values


def up(var_dir: VarDir = None, *, echo: Echo | None = None) -> dict[str, str]:
    """Start or reuse every service the environment does not already provide.

    Returns what was written to `var/services.json`. The services start side by
    side (S3 alone takes ~4 s); a service that cannot start does not stop the
    others, and the failures are raised together afterwards, one line each.
    """
    echo = echo or _quiet
    paths = prepare(var_dir)
    with locked(paths):
        state = read_json(paths.state)
        sections = [state.setdefault(service.NAME, {}) for service in SERVICES]
        with ThreadPoolExecutor(max_workers=len(SERVICES)) as pool:
            outcomes = list(pool.map(_up_one, SERVICES, [paths] * len(SERVICES), sections))
        env: dict[str, str] = {}
        errors: list[str] = []
        for outcome, values in outcomes:
            if isinstance(outcome, Report):
                echo(outcome.line())
            else:
                errors.append(str(outcome))
            env.update(values)
        write_json_atomic(paths.state, state)
        write_json_atomic(paths.services, env)
    if errors:
        raise DevstackError("\n".join(errors))
    return env


def down(var_dir: VarDir = None, *, echo: Echo | None = None) -> None:
    """Stop every embedded service of this var dir (whatever the environment says)."""
    echo = echo or _quiet
    paths = Paths(resolve_var_dir(var_dir))
    if not paths.var.is_dir():
        return
    with locked(paths):
        state = read_json(paths.state)
        env = read_json(paths.services)
        errors: list[str] = []
        for service in SERVICES:
            section = state.setdefault(service.NAME, {})
            try:
                stopped = service.stop(paths, section)
            except (DevstackError, OSError) as exc:
                errors.append(str(exc) if isinstance(exc, DevstackError) else f"{service.NAME}: {exc}")
                continue
            for key in service.ENV_KEYS:
                env.pop(key, None)
            write_json_atomic(paths.state, state)
            echo(Report(service.NAME, "stopped" if stopped else "not running").line())
        write_json_atomic(paths.services, env)
    if errors:
        raise DevstackError("\n".join(errors))


def status(var_dir: VarDir = None) -> list[Report]:
    """One report per service; `ok` is False for an embedded service that does not answer."""
    paths = Paths(resolve_var_dir(var_dir))
    state = read_json(paths.state)
    reports = []
    for service in SERVICES:
        if _external(service):
            reports.append(Report(service.NAME, "skipped", f"{service.ENV_VAR} is set"))
            continue
        values = service.probe(paths, dict(state.get(service.NAME, {})))
        if values:
            reports.append(Report(service.NAME, "running", values[service.ENV_VAR]))
        else:
            reports.append(Report(service.NAME, "down", ok=False))
    return reports


def load_service_env(var_dir: VarDir = None) -> dict[str, str]:
    """The embedded services' settings from `var/services.json`; {} when there are none.

    Cheap and side-effect free: Django settings call it at import time.
    """
    data = read_json(Paths(resolve_var_dir(var_dir)).services)
    return {key: value for key, value in data.items() if isinstance(value, str)}
