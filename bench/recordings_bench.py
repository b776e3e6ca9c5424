"""Playback: from "play" to a playable audio URL, cold (a worker fetches from S3) and
cached, beside a plain boto3 download of the same object (the floor); the first byte
of a ranged audio request; a worker's memory while it fetches a large object.

    .venv/bin/python -m bench.recordings_bench [--runs 50] [--big-mib 500]

Everything is real and started as `make run` starts it: gunicorn, a Celery worker,
Redis, PostgreSQL (database `bench_recordings`) and the embedded S3.
Targets: cold ≤ 2 × the plain download and < 1 s; cached first byte ≤ 50 ms; worker
memory growth ≤ 50 MB.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import wave
from contextlib import contextmanager
from pathlib import Path

from bench.common import percentile, setup_django

DATABASE = "bench_recordings"
REPO = Path(__file__).resolve().parents[1]
FIVE_MINUTES = 300
RATE = 8000


def log(message: str) -> None:
    print(message, flush=True)


# --- Fixtures: audio in S3, a contact, a user with a token -------------------------------


def wav_file(path: Path, *, seconds: float | None = None, size_mib: int | None = None, noise: bool = True) -> Path:
    """Stereo 8 kHz 16-bit PCM: random samples for the 5-minute call (incompressible, like speech
    on the wire), zeros for the large one (quick to write)."""
    frames = int(seconds * RATE) if seconds else size_mib * 1024 * 1024 // 4
    with wave.open(str(path), "wb") as out:
        out.setnchannels(2)
        out.setsampwidth(2)
        out.setframerate(RATE)
        left = frames
        while left:
            step = min(left, 256 * 1024)
            out.writeframes(os.urandom(step * 4) if noise else bytes(step * 4))
            left -= step
    return path


def upload(bucket: str, key: str, path: Path) -> None:
    from recordings import storage

    storage.client().upload_file(str(path), bucket, key)


def make_contact(bucket: str, audio_key: str, agent):
    from recordings.models import Recording
    from search.models import Contact, ContactAnalysis

    contact_id = str(uuid.uuid4())
    contact = Contact.objects.create(contact_id=contact_id, channel="VOICE", agent=agent,
                                     last_update_ts="2026-11-01T09:00:00Z", language_locale="en-US")  # fmt: skip
    Recording.objects.create(contact=contact, location=f"{bucket}/{audio_key}")
    ContactAnalysis.objects.create(contact_id=contact_id, channel="VOICE", bucket=bucket, redacted_key="unused.json",
                                   redacted_audio_key=audio_key)  # fmt: skip
    return contact


def make_listener():
    from hierarchy.models import Agent
    from portal.accounts.default_profiles import DEFAULT_PROFILES
    from portal.accounts.models import SecurityProfile, User
    from portal.accounts.tokens import token_create

    agent = Agent.objects.create(agent_id=str(uuid.uuid4()), username=f"bench-{uuid.uuid4().hex[:6]}")
    user = User.objects.create_user(username=f"bench-qa-{uuid.uuid4().hex[:6]}")
    profile = SecurityProfile.objects.create(name=f"bench-{user.username}",
                                             permissions=DEFAULT_PROFILES["QualityAnalyst"])  # fmt: skip
    user.security_profiles.add(profile)
    return agent, token_create(user=user)


# --- The web server and the worker ------------------------------------------------------


def _service_env(queue: str, cache_dir: Path) -> dict[str, str]:
    """The environment of `make run`'s processes, pointed at the benchmark's queue and cache;
    `setup_django` already put the benchmark database in DATABASE_URL."""
    return {**os.environ, "CELERY_QUEUE": queue, "RECORDING_CACHE_DIR": str(cache_dir)}


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def web_server(queue: str, cache_dir: Path, log_path: Path):
    """gunicorn as `make run` starts it, so the figures are the served portal's."""
    port = _free_port()
    command = [str(REPO / ".venv" / "bin" / "gunicorn"), "portal.wsgi", "--bind", f"127.0.0.1:{port}",
               "--workers", "2", "--threads", "4", "--timeout", "60"]  # fmt: skip
    with open(log_path, "wb") as handle:
        process = subprocess.Popen(command, cwd=REPO, env=_service_env(queue, cache_dir), stdout=handle,
                                   stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            probe = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            try:
                probe.request("GET", "/healthz")
                probe.getresponse().read()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("gunicorn did not start:\n" + log_path.read_text()[-2000:]) from None
                time.sleep(0.1)
            finally:
                probe.close()
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)


@contextmanager
def worker(queue: str, cache_dir: Path, log_path: Path):
    env = _service_env(queue, cache_dir)
    command = [str(REPO / ".venv" / "bin" / "celery"), "-A", "portal", "worker", "-Q", queue, "--concurrency", "1",
               "-n", f"{queue}@%h", "--without-gossip", "--without-mingle", "-l", "INFO"]  # fmt: skip
    with open(log_path, "wb") as handle:
        process = subprocess.Popen(command, cwd=REPO, env=env, stdout=handle, stderr=subprocess.STDOUT,
                                   start_new_session=True)  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while " ready." not in log_path.read_text(errors="replace"):
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("the Celery worker did not start:\n" + log_path.read_text()[-2000:])
            time.sleep(0.1)
        yield process
    finally:
        process.terminate()
        process.wait(timeout=30)


class Api:
    def __init__(self, port: int, token: str) -> None:
        self.port, self.token = port, token

    def call(self, method: str, path: str, body: dict | None = None, headers: dict | None = None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        data = json.dumps(body).encode() if body is not None else None
        sent = {"Authorization": f"Bearer {self.token}", **(headers or {})}
        if data is not None:
            sent["Content-Type"] = "application/json"
        conn.request(method, path, body=data, headers=sent)
        return conn, conn.getresponse()

    def json(self, method: str, path: str, body: dict | None = None) -> dict:
        conn, response = self.call(method, path, body)
        try:
            return json.loads(response.read())
        finally:
            conn.close()

    def play(self, contact_id: str) -> dict:
        """POST fetch, then long-poll the job until it has a playable URL."""
        job = self.json("POST", f"/api/v1/contacts/{contact_id}/recording/fetch", {"Version": "REDACTED", "Wait": 5})
        while job["Status"] in ("QUEUED", "RUNNING"):
            job = self.json("GET", f"/api/v1/recording-jobs/{job['JobId']}?wait=10")
        if job["Status"] != "READY":
            raise SystemExit(f"play failed: {job}")
        return job

    def first_byte(self, url: str, start: int, length: int) -> float:
        began = time.perf_counter()
        conn, response = self.call("GET", url, headers={"Range": f"bytes={start}-{start + length - 1}"})
        response.read(1)
        elapsed = time.perf_counter() - began
        assert response.status == 206, response.status
        response.read()
        conn.close()
        return elapsed


# --- Measurements -------------------------------------------------------------------------


def forget(contact) -> None:
    """Back to cold: no cached file, no live job."""
    from recordings import audio_cache
    from recordings.models import RecordingFetchJob

    RecordingFetchJob.objects.filter(contact=contact).delete()
    audio_cache.evict(contact.contact_id)


def plain_download(bucket: str, key: str, target: Path) -> float:
    from recordings import storage

    began = time.perf_counter()
    body = storage.client().get_object(Bucket=bucket, Key=key)["Body"]
    with open(target, "wb") as out:
        while chunk := body.read(1024 * 1024):
            out.write(chunk)
    return time.perf_counter() - began


def managed_download(bucket: str, key: str, target: Path) -> float:
    from recordings import storage

    began = time.perf_counter()
    storage.client().download_file(bucket, key, str(target))
    return time.perf_counter() - began


def job_phases(contact) -> tuple[float, float]:
    """Queued → claimed, claimed → ready (a small file sends no progress, so the
    claim's heartbeat is the time the worker took it)."""
    from recordings.models import RecordingFetchJob

    job = RecordingFetchJob.objects.get(contact=contact, status="READY")
    return (job.heartbeat_at - job.created_at).total_seconds(), (job.finished_at - job.heartbeat_at).total_seconds()


def timed(fn) -> float:
    began = time.perf_counter()
    fn()
    return time.perf_counter() - began


def tree_rss(process) -> dict[int, int]:
    import psutil

    try:
        root = psutil.Process(process.pid)
        members = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return {}
    sizes = {}
    for member in members:
        try:
            sizes[member.pid] = member.memory_info().rss
        except psutil.NoSuchProcess:
            continue
    return sizes


def peak_growth(process, action) -> tuple[int, int]:
    """Largest RSS growth of any one worker process, and of the whole tree, while `action` runs."""
    baseline = tree_rss(process)
    peaks = dict(baseline)
    done = threading.Event()
    samples = [0]

    def sample() -> None:
        while not done.is_set():
            samples[0] += 1
            for pid, rss in tree_rss(process).items():
                peaks[pid] = max(peaks.get(pid, 0), rss)
            time.sleep(0.005)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        action()
    finally:
        done.set()
        sampler.join()
    per_process = max(peaks[pid] - baseline.get(pid, peaks[pid]) for pid in peaks)
    whole = sum(peaks.values()) - sum(baseline.values())
    log(
        f"  worker RSS before: {', '.join(f'{v / 2**20:.1f}' for v in baseline.values())} MiB;"
        f" peak: {', '.join(f'{v / 2**20:.1f}' for v in peaks.values())} MiB ({samples[0]} samples)"
    )
    return per_process, whole


def ms(values: list[float]) -> tuple[float, float]:
    return percentile(values, 50) * 1000, percentile(values, 95) * 1000


def row(name: str, values: list[float]) -> tuple[float, float]:
    p50, p95 = ms(values)
    log(f"  {name:<44} p50 {p50:8.1f} ms   p95 {p95:8.1f} ms   (n={len(values)})")
    return p50, p95


def run(runs: int, big_mib: int) -> int:
    from django.conf import settings

    from portal.celery import app
    from recordings import storage

    work = Path(tempfile.mkdtemp(prefix="recbench-"))
    cache_dir = work / "cache"
    settings.RECORDING_CACHE_DIR = cache_dir
    bucket = f"bench-rec-{uuid.uuid4().hex[:8]}"
    queue = f"bench-recordings-{uuid.uuid4().hex[:8]}"
    app.conf.task_default_queue = queue
    storage.ensure_bucket(bucket)
    log(f"bucket {bucket}, queue {queue}, cache {cache_dir}")
    try:
        return _measure(runs, big_mib, work, cache_dir, bucket, queue)
    finally:
        _empty_bucket(bucket)
        for path in sorted(work.rglob("*"), reverse=True):
            path.rmdir() if path.is_dir() else path.unlink()
        work.rmdir()


def _measure(runs: int, big_mib: int, work: Path, cache_dir: Path, bucket: str, queue: str) -> int:
    call = wav_file(work / "call.wav", seconds=FIVE_MINUTES)
    size = call.stat().st_size
    upload(bucket, "Analysis/Voice/Redacted/2026/11/01/call_call_recording_redacted.wav", call)
    log(f"5-minute stereo 8 kHz 16-bit WAV: {size / 1e6:.1f} MB; building a {big_mib} MiB one…")
    big = wav_file(work / "big.wav", size_mib=big_mib, noise=False)
    upload(bucket, "Analysis/Voice/Redacted/2026/11/01/big_call_recording_redacted.wav", big)
    big.unlink()
    agent, token = make_listener()
    contact = make_contact(bucket, "Analysis/Voice/Redacted/2026/11/01/call_call_recording_redacted.wav", agent)
    large = make_contact(bucket, "Analysis/Voice/Redacted/2026/11/01/big_call_recording_redacted.wav", agent)

    with web_server(queue, cache_dir, work / "web.log") as port, worker(queue, cache_dir, work / "worker.log") as process:
        api = Api(port, token)
        forget(contact)
        api.play(contact.contact_id)  # warm up the worker, the connections and the server

        # Interleaved, so a change in the machine's load hits the floor and the portal alike.
        floor, managed, cold, pickup, fetch = [], [], [], [], []
        key = contact.analysis.redacted_audio_key
        for _ in range(runs):
            floor.append(plain_download(bucket, key, work / "floor.wav"))
            managed.append(managed_download(bucket, key, work / "managed.wav"))
            forget(contact)
            cold.append(timed(lambda: api.play(contact.contact_id)))
            waited, worked = job_phases(contact)
            pickup.append(waited)
            fetch.append(worked)
        cached = [timed(lambda: api.play(contact.contact_id)) for _ in range(runs)]
        url = api.play(contact.contact_id)["AudioUrl"]
        first = [api.first_byte(url, random.randrange(44, size - 65536), 65536) for _ in range(runs)]

        forget(large)
        api.play(contact.contact_id)
        per_process, whole = peak_growth(process, lambda: api.play(large.contact_id))
        forget(large)

    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    log(
        f"\nplay → playable URL, {size / 1e6:.1f} MB WAV, {runs} runs each (load average {load}, {os.cpu_count()} CPUs)"
    )
    floor_p50, floor_p95 = row("plain boto3 get_object → file (the floor)", floor)
    row("boto3 download_file (managed transfer)", managed)
    cold_p50, cold_p95 = row("cold: worker fetches from S3", cold)
    row("  of which: job queued → taken by the worker", pickup)
    row("  of which: taken → file validated and ready", fetch)
    row("cached: already in the local cache", cached)
    _, first_p95 = row("first byte of a 64 KiB ranged audio request", first)
    log(f"  worker memory while fetching {big_mib} MiB: +{per_process / 2**20:.1f} MiB in the busiest process,"
        f" +{whole / 2**20:.1f} MiB across the worker")  # fmt: skip
    checks = [
        (f"cold p50 ≤ 2 × floor p50 ({cold_p50:.0f} ≤ {2 * floor_p50:.0f} ms)", cold_p50 <= 2 * floor_p50),
        (f"cold p95 < 1 s ({cold_p95:.0f} ms)", cold_p95 < 1000),
        (f"cached first byte p95 ≤ 50 ms ({first_p95:.1f} ms)", first_p95 <= 50),
        (f"worker memory growth ≤ 50 MB ({per_process / 1e6:.1f} MB)", per_process <= 50e6),
    ]
    log("\ntargets")
    for text, ok in checks:
        log(f"  {'PASS' if ok else 'FAIL'}  {text}")
    return 0 if all(ok for _, ok in checks) else 1


def _empty_bucket(bucket: str) -> None:
    from recordings import storage

    for item in storage.list_objects(bucket):
        storage.delete_every_version(bucket, item.key)
    storage.client().delete_bucket(Bucket=bucket)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--big-mib", type=int, default=500)
    args = parser.parse_args(argv)
    setup_django(DATABASE)
    return run(args.runs, args.big_mib)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
