"""`make run`: the whole portal in one command.

Starts (or reuses) the embedded services, migrates, loads the demo instance once,
then runs a Celery worker, Celery beat and gunicorn until Ctrl-C, which stops every
process this run started.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from portal import devstack

REPO = Path(__file__).resolve().parent.parent
DEMO_PASSWORD_ENV = "PORTAL_DEMO_PASSWORD"


def _start(name: str, args: list[str], log_dir: Path) -> subprocess.Popen:
    log = open(log_dir / f"{name}.log", "ab")  # noqa: SIM115 - the child owns it until it exits
    print(f"  {name}: log in {log_dir / f'{name}.log'}")
    return subprocess.Popen(args, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def _wait_healthy(url: str, processes: dict[str, subprocess.Popen], log_dir: Path, timeout: float = 90) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for name, proc in processes.items():
            if proc.poll() is not None:
                print(f"{name} exited with code {proc.returncode}; see {log_dir / (name + '.log')}")
                return False
        try:
            with urllib.request.urlopen(url, timeout=3) as answer:
                if answer.status == 200:
                    return True
        except OSError:
            pass
        time.sleep(1)
    return False


def _stop(processes: dict[str, subprocess.Popen]) -> None:
    for proc in processes.values():
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
    deadline = time.monotonic() + 20
    for proc in processes.values():
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def _prepare_django() -> list[tuple[str, str, bool]]:
    """Migrate, load the demo once; the demo logins as (username, description, second factor)."""
    import django
    from django.core.management import call_command

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    django.setup()
    call_command("migrate", interactive=False, verbosity=0)
    from demo.loader import demo_is_loaded

    if not demo_is_loaded():
        print("Loading the demo Connect instance (first run only)…", flush=True)
        started = time.monotonic()
        call_command("load_demo")
        print(f"Demo loaded in {time.monotonic() - started:.0f} s")
    else:
        from demo.loader import demo_refresh

        topped_up = demo_refresh()
        if topped_up is not None:
            print(f"Demo brought up to date: {topped_up.ingest.contacts} contacts since it was last run")
    _queue_portal_redaction()
    from demo.loader import demo_logins, demo_logins_with_second_factor

    second = demo_logins_with_second_factor()
    return [(username, description, username in second) for username, description in demo_logins()]


def _queue_portal_redaction() -> None:
    """The calls Contact Lens left unredacted (Japanese) are redacted by the worker once
    it starts; the loop below shows how far it got."""
    from redaction.services import redaction_queue_pending

    queued = redaction_queue_pending()
    if queued:
        print(f"Portal redaction queued for {queued} contacts Contact Lens does not redact", flush=True)


class _RedactionProgress:
    """Prints the background redaction's progress every few seconds until it is done."""

    EVERY_SECONDS = 5.0

    def __init__(self) -> None:
        self._total = self._left() or 0
        self._next = time.monotonic()

    @staticmethod
    def _left() -> int | None:
        """Contacts still to redact; None while the database does not answer (the
        processes' own logs say so, and the portal carries on)."""
        from django.db import DatabaseError, connection

        from redaction.selectors import contacts_to_redact_count

        try:
            connection.close_if_unusable_or_obsolete()
            return contacts_to_redact_count()
        except DatabaseError:
            connection.close()
            return None

    def tick(self) -> None:
        if not self._total or time.monotonic() < self._next:
            return
        self._next = time.monotonic() + self.EVERY_SECONDS
        left = self._left()
        if left is None:
            return
        if left:
            print(f"  portal redaction: {self._total - left}/{self._total} contacts", flush=True)
        else:
            print(f"  portal redaction: all {self._total} contacts done", flush=True)
            self._total = 0


def _python_command() -> str:
    """How to run this Python from the repository, with the var dir when it is not the default."""
    python = Path(sys.executable)
    try:
        command = str(python.relative_to(REPO))
    except ValueError:
        command = str(python)
    var_dir = os.environ.get("PORTAL_VAR_DIR")
    return f"PORTAL_VAR_DIR={var_dir} {command}" if var_dir else command


def _print_logins(logins: list[tuple[str, str, bool]], var_dir: Path) -> None:
    print("Demo logins:")
    for username, description, second_factor in logins:
        line = f"  {username:<18} {description}"
        if second_factor:
            line += f" (second factor: `{_python_command()} manage.py demo_code {username}`)"
        print(line)
    print(f"  password for all: {os.environ.get(DEMO_PASSWORD_ENV) or 'see ' + str(var_dir / 'demo-password')}")


def main() -> int:
    port = int(os.environ.get("PORT", "8000"))
    # The demo runs as production does: an outage answers with a page naming it, not
    # Django's debug page with a stack trace (DJANGO_DEBUG=1 brings that back).
    os.environ.setdefault("DJANGO_DEBUG", "0")
    started: list[str] = []

    def echo(line: str) -> None:
        print(line)
        if ": started" in line:
            started.append(line.split(":", 1)[0])

    try:
        os.environ.update(devstack.up(echo=echo))
    except devstack.DevstackError as error:
        print(error)
        return 1
    logins = _prepare_django()

    var_dir = Path(os.environ.get("PORTAL_VAR_DIR") or REPO / "var")
    log_dir = var_dir / "log"
    log_dir.mkdir(parents=True, exist_ok=True)
    python = sys.executable
    bindir = Path(python).parent
    processes = {
        "worker": _start("worker", [python, "-m", "celery", "-A", "portal", "worker", "-l", "info",
                                    "--concurrency", os.environ.get("WORKER_CONCURRENCY", "2")], log_dir),
        "beat": _start("beat", [python, "-m", "celery", "-A", "portal", "beat", "-l", "info"], log_dir),
        "web": _start("web", [str(bindir / "gunicorn"), "portal.wsgi", "--bind", f"127.0.0.1:{port}",
                              "--workers", os.environ.get("WEB_CONCURRENCY", "2"), "--threads", "4",
                              "--timeout", "60", "--access-logfile", "-"], log_dir),
    }  # fmt: skip
    stopping = False

    def on_signal(signum, frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    url = f"http://127.0.0.1:{port}"
    if not _wait_healthy(f"{url}/healthz", processes, log_dir):
        print(f"The portal did not become healthy; see {log_dir} and {url}/healthz")
        _stop(processes)
        return 1
    print(f"\nThe portal is running at {url}/  (Ctrl-C stops it)\n")
    _print_logins(logins, var_dir)
    progress = _RedactionProgress()
    while not stopping:
        progress.tick()
        for name, proc in processes.items():
            if proc.poll() is not None:
                print(f"{name} stopped (exit {proc.returncode}); shutting down. See {log_dir / (name + '.log')}")
                stopping = True
        time.sleep(0.5)
    print("Stopping…")
    _stop(processes)
    # Services this run started are stopped too; ones it found running are left alone
    # for whoever started them (another `make run`, or `make test`).
    if started:
        devstack.down(echo=print)
    return 0


if __name__ == "__main__":
    sys.exit(main())
