"""`python -m loadtest [--users N] [--duration 5m] [--saturation-duration 1m] [--presses 200]`.

See the package docstring for what it does; figures print as plain tables.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import psutil
import requests

REPO = Path(__file__).resolve().parent.parent
LOCUSTFILE = Path(__file__).resolve().parent / "locustfile.py"
PROFILE_NAME = "Load test"
USER_PREFIX = "loadtest-"
TOKEN_NAME = "loadtest"


def _arguments() -> argparse.Namespace:
    env = os.environ.get
    parser = argparse.ArgumentParser(prog="python -m loadtest", description=__doc__)
    port = env("PORT", "8000")
    parser.add_argument("--host", default=env("LOADTEST_HOST", f"http://127.0.0.1:{port}"))
    parser.add_argument("--users", type=int, default=int(env("LOADTEST_USERS", "50")))
    parser.add_argument("--spawn-rate", type=float, default=float(env("LOADTEST_SPAWN_RATE", "10")))
    parser.add_argument("--duration", default=env("LOADTEST_DURATION", "5m"), help="Locust's -t, e.g. 2m")
    parser.add_argument("--saturation-duration", default=env("LOADTEST_SATURATION_DURATION", "1m"), help="0 skips it")
    parser.add_argument("--presses", type=int, default=int(env("LOADTEST_PRESSES", "200")))
    return parser.parse_args()


# --- The stack -------------------------------------------------------------------------


def _healthy(host: str) -> bool:
    try:
        with urllib.request.urlopen(f"{host}/healthz", timeout=5) as answer:
            return answer.status == 200
    except OSError:
        return False


def _start_stack(host: str, log_dir: Path) -> subprocess.Popen:
    port = host.rsplit(":", 1)[-1].strip("/")
    log = open(log_dir / "stack.log", "ab")  # noqa: SIM115 - the launcher owns it until it exits
    print(f"Starting the portal on port {port} (log: {log_dir / 'stack.log'})…", flush=True)
    launcher = subprocess.Popen(
        [sys.executable, "-m", "portal.launcher"], cwd=REPO, env={**os.environ, "PORT": port},
        stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    deadline = time.monotonic() + 30 * 60  # the first run loads the demo instance
    while not _healthy(host):
        if launcher.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"The portal did not start; see {log_dir / 'stack.log'}")
        time.sleep(2)
    return launcher


def _stop_stack(launcher: subprocess.Popen) -> None:
    launcher.send_signal(signal.SIGINT)  # what Ctrl-C does: it stops everything it started
    try:
        launcher.wait(timeout=60)
    except subprocess.TimeoutExpired:
        launcher.kill()


# --- Logins and contacts ---------------------------------------------------------------


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()


def _people(count: int) -> list[dict]:
    """One login per simulated person: a browser session and an API token."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.db import transaction
    from django.utils import timezone

    from portal.accounts import permissions as p
    from portal.accounts.default_profiles import DEFAULT_PROFILES
    from portal.accounts.models import ApiToken, SecurityProfile, User
    from portal.accounts.tokens import token_create

    store = import_module(settings.SESSION_ENGINE).SessionStore
    grants = sorted(set(DEFAULT_PROFILES["QualityAnalyst"]) | {p.HISTORICAL_CHANGES})
    people = []
    with transaction.atomic():
        profile, _ = SecurityProfile.objects.update_or_create(
            name=PROFILE_NAME, defaults={"permissions": grants, "description": "python -m loadtest"}
        )
        for n in range(1, count + 1):
            user, created = User.objects.get_or_create(
                username=f"{USER_PREFIX}{n:02d}", defaults={"email": f"{USER_PREFIX}{n:02d}@example.com"}
            )
            if created:
                user.set_unusable_password()
                user.save(update_fields=["password"])
            user.security_profiles.set([profile])
            ApiToken.objects.filter(user=user, name=TOKEN_NAME, revoked_at__isnull=True).update(
                revoked_at=timezone.now()
            )
            session = store()
            session[SESSION_KEY] = str(user.pk)
            session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
            session[HASH_SESSION_KEY] = user.get_session_auth_hash()
            session.create()
            people.append({"session": session.session_key, "token": token_create(user=user, name=TOKEN_NAME)})
    return people


def _contacts(count: int) -> tuple[list[str], list[str], str | None]:
    """Contacts with a redacted transcript (what a QualityAnalyst opens), those of them
    with a redacted recording (what they play), and one playable contact kept out of the
    mix, its cached copy evicted, for the simultaneous presses."""
    from recordings import audio_cache
    from recordings.models import Recording, RecordingFetchJob
    from search.models import Contact

    readable = Contact.objects.filter(analysis__isnull=False).exclude(analysis__redacted_key="")
    playable = (
        readable.filter(recording__status=Recording.AVAILABLE)
        .exclude(recording__location="")
        .exclude(analysis__redacted_audio_key="")
    )
    running = [RecordingFetchJob.QUEUED, RecordingFetchJob.RUNNING]
    live = RecordingFetchJob.objects.filter(status__in=running).values("contact")
    reserved = playable.exclude(pk__in=live).order_by("?").values_list("contact_id", flat=True).first()
    if reserved:
        audio_cache.evict(reserved)
    pages = list(readable.order_by("?").values_list("contact_id", flat=True)[:count])
    plays = list(playable.exclude(contact_id=reserved).values_list("contact_id", flat=True))
    return pages, plays, reserved


def _demo_login_check(host: str) -> str:
    """One real sign-in through allauth's form, as the demo's QualityAnalyst."""
    from django.conf import settings

    password_file = Path(settings.VAR_DIR) / "demo-password"
    password = os.environ.get("PORTAL_DEMO_PASSWORD") or (
        password_file.read_text().strip() if password_file.exists() else ""
    )
    if not password:
        return "skipped (no demo password)"
    browser = requests.Session()
    page = browser.get(f"{host}/accounts/login/", timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    started = time.perf_counter()
    answer = browser.post(
        f"{host}/accounts/login/",
        data={"login": "qa", "password": password, "csrfmiddlewaretoken": token[1] if token else ""},
        headers={"Referer": f"{host}/accounts/login/"}, allow_redirects=False, timeout=30,
    )  # fmt: skip
    took = (time.perf_counter() - started) * 1000
    search = browser.get(f"{host}/", timeout=30, allow_redirects=False)
    ok = answer.status_code == 302 and search.status_code == 200
    return f"{'ok' if ok else 'FAILED'} (POST {answer.status_code} in {took:.0f} ms, then search page {search.status_code})"


# --- Processes -------------------------------------------------------------------------


@dataclass
class Usage:
    cpu: list[float] = field(default_factory=list)
    rss_max: int = 0
    count_max: int = 0


class Sampler(threading.Thread):
    """CPU (% of one core) and resident memory of each process of the stack, once a second."""

    def __init__(self, port: str, var_dir: Path, extra: dict[int, str]) -> None:
        super().__init__(daemon=True)
        self.port, self.var_dir, self.extra = port, var_dir, extra
        self.usage: dict[str, Usage] = defaultdict(Usage)
        self.machine: list[float] = []
        self._known: dict[int, psutil.Process] = {}
        self._stop_event = threading.Event()

    def groups(self) -> dict[str, list[int]]:
        found: dict[str, list[int]] = defaultdict(list)
        for pid, role in self.extra.items():
            found[role].append(pid)
        master = next((p for p in psutil.process_iter(["cmdline"]) if _is_gunicorn_master(p, self.port)), None)
        if master is not None:
            found[f"gunicorn master {master.pid}"].append(master.pid)
            for worker in master.children():
                found[f"gunicorn worker {worker.pid}"].append(worker.pid)
            for child in master.parent().children():
                command = " ".join(child.cmdline())
                if "celery" in command and " worker" in command:
                    found[f"celery worker {child.pid}"].append(child.pid)
                    found["celery worker pool"].extend(c.pid for c in child.children(recursive=True))
                elif "celery" in command and " beat" in command:
                    found[f"celery beat {child.pid}"].append(child.pid)
        postmaster = _pid_from(self.var_dir / "pg" / "postmaster.pid", line=0)
        if postmaster and psutil.pid_exists(postmaster):
            found[f"postgres postmaster {postmaster}"].append(postmaster)
            found["postgres backends and helpers"].extend(c.pid for c in psutil.Process(postmaster).children())
        state = _json(self.var_dir / "devstack-state.json")
        for name, label in (("redis", "redis-server"), ("s3", "weed (S3)")):
            pid = state.get(name, {}).get("pid")
            if pid and psutil.pid_exists(pid):
                found[f"{label} {pid}"].append(pid)
        return found

    def run(self) -> None:
        psutil.cpu_percent(None)
        while not self._stop_event.wait(1.0):
            self.machine.append(psutil.cpu_percent(None))
            for role, pids in self.groups().items():
                cpu, rss, alive = 0.0, 0, 0
                for pid in pids:
                    try:
                        process = self._known.get(pid)
                        if process is None:
                            process = self._known[pid] = psutil.Process(pid)
                            process.cpu_percent(None)  # the first reading only starts the clock
                        cpu += process.cpu_percent(None)
                        rss += process.memory_info().rss
                        alive += 1
                    except psutil.Error:
                        continue
                usage = self.usage[role]
                usage.cpu.append(cpu)
                usage.rss_max = max(usage.rss_max, rss)
                usage.count_max = max(usage.count_max, alive)

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


def _is_gunicorn_master(process: psutil.Process, port: str) -> bool:
    command = " ".join(process.info.get("cmdline") or [])
    if "gunicorn" not in command or f":{port}" not in command:
        return False
    try:
        return "gunicorn" not in " ".join(process.parent().cmdline())
    except psutil.Error:
        return False


def _pid_from(path: Path, *, line: int) -> int | None:
    try:
        return int(path.read_text().splitlines()[line])
    except (OSError, ValueError, IndexError):
        return None


def _json(path: Path) -> dict:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}


# --- Locust ----------------------------------------------------------------------------


def _locust(args, *, name: str, think: str, duration: str, config: Path, out: Path, var_dir: Path) -> tuple:
    prefix = out / name
    command = [
        sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "-u", str(args.users),
        "-r", str(args.spawn_rate), "-t", duration, "--host", args.host, "--csv", str(prefix),
        "--only-summary", "--stop-timeout", "15", "--loglevel", "WARNING",
    ]  # fmt: skip
    env = {**os.environ, "LOADTEST_CONFIG": str(config), "LOADTEST_THINK": think}
    print(f"\n== {name}: {args.users} users, think time {think.replace(',', '-')} s, {duration} ==", flush=True)
    with open(out / f"{name}.log", "wb") as log:
        locust = subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
        sampler = Sampler(args.host.rsplit(":", 1)[-1].strip("/"), var_dir, {locust.pid: "locust (load generator)"})
        sampler.start()
        locust.wait()
        sampler.stop()
    return _read_stats(prefix), _read_failures(prefix), sampler


def _read_stats(prefix: Path) -> list[dict]:
    path = Path(f"{prefix}_stats.csv")
    if not path.exists():
        raise SystemExit(f"Locust wrote no statistics; see {prefix}.log")
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _read_failures(prefix: Path) -> list[dict]:
    path = Path(f"{prefix}_failures.csv")
    if not path.exists():
        return []
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _print_requests(stats: list[dict], failures: list[dict]) -> None:
    print(
        f"{'request':<36} {'count':>7} {'errors':>6} {'req/s':>6} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'max ms':>7}"
    )
    for row in sorted(stats, key=lambda r: (r["Name"] == "Aggregated", r["Name"])):
        name = "all requests" if row["Name"] == "Aggregated" else row["Name"]
        print(
            f"{name:<36} {row['Request Count']:>7} {row['Failure Count']:>6} {float(row['Requests/s']):>6.1f} "
            f"{row['50%']:>7} {row['95%']:>7} {row['99%']:>7} {float(row['Max Response Time']):>7.0f}"
        )
    for failure in failures[:10]:
        print(f"  error x{failure['Occurrences']}: {failure['Name']}: {failure['Error'][:150]}")


def _print_processes(sampler: Sampler) -> None:
    machine = sampler.machine or [0.0]
    cores = psutil.cpu_count()
    print(f"\nprocesses (CPU: % of one core, machine has {cores}; machine busy {sum(machine) / len(machine):.0f} % "
          f"on average, peak {max(machine):.0f} %)")  # fmt: skip
    print(f"{'process':<36} {'CPU mean':>8} {'CPU max':>8} {'RSS max MB':>10}")
    for role, usage in sorted(sampler.usage.items()):
        cpu = usage.cpu or [0.0]
        label = role if usage.count_max <= 1 else f"{role} ({usage.count_max} processes)"
        print(f"{label:<36} {sum(cpu) / len(cpu):>8.0f} {max(cpu):>8.0f} {usage.rss_max / 2**20:>10.0f}")


# --- Simultaneous presses --------------------------------------------------------------


def _query(read):
    """`read()`, again on a fresh connection if the server dropped ours (shared servers
    are restarted and their sessions ended by other work on the machine)."""
    from django.db import OperationalError, connection

    for _attempt in range(5):
        try:
            return read()
        except OperationalError:
            connection.close()
            time.sleep(1)
    return read()


def _presses(args, people: list[dict], contact: str | None, worker_log: Path) -> None:
    print(f"\n== {args.presses} simultaneous Play presses on one uncached contact ==")
    if contact is None:
        print("skipped: no playable contact is free of a running fetch")
        return
    from recordings.models import RecordingFetchJob

    started_at = datetime.now(UTC)
    log_offset = worker_log.stat().st_size if worker_log.exists() else 0
    gate = threading.Barrier(args.presses)
    url = f"{args.host}/api/v1/contacts/{contact}/recording/fetch"

    def press(n: int) -> tuple[int, str | None, float]:
        headers = {"Authorization": f"Bearer {people[n % len(people)]['token']}"}
        gate.wait()
        began = time.perf_counter()
        answer = requests.post(url, json={"Version": "REDACTED"}, headers=headers, timeout=120)
        took = time.perf_counter() - began
        return answer.status_code, (answer.json().get("JobId") if answer.status_code == 202 else None), took

    with ThreadPoolExecutor(args.presses) as pool:
        results = list(pool.map(press, range(args.presses)))
    statuses: dict[int, int] = defaultdict(int)
    for status, _, _ in results:
        statuses[status] += 1
    jobs = RecordingFetchJob.objects.filter(contact__contact_id=contact, version="REDACTED", created_at__gte=started_at)
    deadline = time.monotonic() + 120
    running = [RecordingFetchJob.QUEUED, RecordingFetchJob.RUNNING]
    while _query(jobs.filter(status__in=running).exists) and time.monotonic() < deadline:
        time.sleep(0.5)
    time.sleep(2)  # the worker logs the task's end just after the job's
    appended = worker_log.read_bytes()[log_offset:].decode("utf-8", "replace") if worker_log.exists() else ""
    tasks = len(re.findall(r"fetch_recording\[[^\]]+\] received", appended))
    slowest = max(took for _, _, took in results)
    print(
        f"answers: {dict(statuses)}; distinct JobIds: {len({j for _, j, _ in results if j})}; slowest answer {slowest:.1f} s"
    )
    created = _query(lambda: sorted(jobs.values_list("status", flat=True)))
    print(f"fetch jobs created: {len(created)} (statuses: {created}); "
          f"fetch tasks received by the worker: {tasks}")  # fmt: skip


def main() -> int:
    args = _arguments()
    _django()
    from django.conf import settings

    var_dir = Path(settings.VAR_DIR)
    out = var_dir / "loadtest"
    out.mkdir(parents=True, exist_ok=True)
    launcher = None if _healthy(args.host) else _start_stack(args.host, out)
    try:
        people = _people(args.users)
        contacts, playable, fresh = _contacts(300)
        if not contacts or not playable:
            raise SystemExit("No contacts with redacted transcripts and recordings: load the demo first (make run)")
        config = out / "config.json"
        config.write_text(json.dumps({"accounts": people, "contacts": contacts, "playable": playable}))
        config.chmod(0o600)
        print(f"Portal at {args.host}; {len(people)} logins; {len(contacts)} contacts to open, {len(playable)} to play")
        print(f"sign-in through the login form as the demo's qa: {_demo_login_check(args.host)}")
        runs = [("steady", "1,5", args.duration)]
        stats, failures, sampler = _locust(args, name=runs[0][0], think=runs[0][1], duration=runs[0][2],
                                           config=config, out=out, var_dir=var_dir)  # fmt: skip
        _print_requests(stats, failures)
        _print_processes(sampler)
        _presses(args, people, fresh, var_dir / "log" / "worker.log")
        if args.saturation_duration not in ("0", "0s", "0m", ""):
            stats, failures, sampler = _locust(args, name="saturation", think="0,0", duration=args.saturation_duration,
                                               config=config, out=out, var_dir=var_dir)  # fmt: skip
            _print_requests(stats, failures)
            _print_processes(sampler)
        print(f"\nLocust's own statistics and logs: {out}")
    finally:
        if launcher is not None:
            _stop_stack(launcher)
    return 0


if __name__ == "__main__":
    sys.exit(main())
