"""Contacts with real media in a real S3 bucket, the personas who look at them, and
real Celery workers for the asynchronous paths."""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import signal
import struct
import subprocess
import time
import uuid
import wave
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import pytest
from allauth.mfa.models import Authenticator
from django.db import connection

from portal.accounts import permissions as p
from portal.accounts.default_profiles import DEFAULT_PROFILES
from recordings import storage
from recordings.models import Recording
from search.models import ContactAnalysis, TranscriptSearchDoc, TranscriptTurn
from tests.databases import test_database_url
from tests.factories import make_agent, make_contact, make_group, make_user

RATE = 8000
ORIGINAL_TEXT = "My card number is 4111 1111 1111 1111"
REDACTED_TEXT = "My card number is [PII]"


def wav_bytes(seconds: float = 2.0, *, rate: int = RATE) -> bytes:
    """Stereo 16-bit PCM: a low tone on the left (customer), a high one on the right (agent)."""
    frames = int(seconds * rate)
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(2)
        out.setsampwidth(2)
        out.setframerate(rate)
        chunk = bytearray()
        for i in range(frames):
            left = int(8000 * math.sin(2 * math.pi * 300 * i / rate))
            right = int(8000 * math.sin(2 * math.pi * 900 * i / rate))
            chunk += struct.pack("<hh", left, right)
        out.writeframes(bytes(chunk))
    return buffer.getvalue()


def big_wav_bytes(size_mib: int) -> bytes:
    """A valid WAV of about `size_mib` MiB, quick to build (silence after the header)."""
    frames = size_mib * 1024 * 1024 // 4
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(2)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(bytes(frames * 4))
    return buffer.getvalue()


def enrol_mfa(user) -> None:
    """Users whose permissions need MFA get a TOTP authenticator, as after enrolment."""
    from allauth.mfa.adapter import get_adapter

    secret = "JBSWY3DPEHPK3PXP"
    Authenticator.objects.create(
        user=user, type=Authenticator.Type.TOTP, data={"secret": get_adapter().encrypt(secret)}
    )


def persona(username: str, profile: str, *, group=None, agent=None, extra: tuple[str, ...] = (), without=()):
    """A user holding a default profile's permissions (as a custom profile, so the
    test does not depend on rows that a transactional flush removes)."""
    permissions = sorted((set(DEFAULT_PROFILES[profile]) | set(extra)) - set(without))
    user = make_user(username, permissions=permissions, group=group, agent=agent)
    if user.connect_permissions & p.MFA_REQUIRED_FOR:
        enrol_mfa(user)
    return user


@dataclass
class Media:
    """One contact and what was put in S3 for it."""

    contact: object
    bucket: str
    original_key: str = ""
    redacted_audio_key: str = ""
    analysis_original_key: str = ""
    analysis_redacted_key: str = ""
    audio: bytes = b""
    redacted_audio: bytes = b""
    keys: list[str] = field(default_factory=list)

    @property
    def contact_id(self) -> str:
        return self.contact.contact_id


def _analysis_doc(contact_id: str, text: str, *, redacted: bool, language: str = "en-US") -> dict:
    return {
        "Version": "1.1.0",
        "Channel": "VOICE",
        "LanguageCode": language,
        "ContentMetadata": {"Output": "Redacted" if redacted else "Raw"},
        "CustomerMetadata": {"ContactId": contact_id},
        "Participants": [{"ParticipantId": "A", "ParticipantRole": "AGENT"},
                         {"ParticipantId": "C", "ParticipantRole": "CUSTOMER"}],
        "ConversationCharacteristics": {"TotalConversationDurationMillis": 2000},
        "Transcript": [
            {"ParticipantId": "A", "Content": "Thank you for calling.", "BeginOffsetMillis": 0,
             "EndOffsetMillis": 900, "Sentiment": "NEUTRAL"},
            {"ParticipantId": "C", "Content": text, "BeginOffsetMillis": 1000, "EndOffsetMillis": 1900,
             "Sentiment": "NEGATIVE"},
        ],
    }  # fmt: skip


def make_media(
    bucket: str,
    *,
    agent=None,
    redacted: bool = True,
    original_analysis: bool = True,
    audio: bytes | None = None,
    language: str = "en-US",
    **contact_fields,
) -> Media:
    """A voice contact with an original WAV, and optionally a redacted WAV and analyses, in S3."""
    contact = make_contact(agent=agent, language_locale=language, **contact_fields)
    cid = contact.contact_id
    media = Media(contact=contact, bucket=bucket, audio=audio if audio is not None else wav_bytes())
    media.original_key = f"connect/demo/CallRecordings/2026/11/01/{cid}_20261101T09:00_UTC.wav"
    storage.put_bytes(bucket, media.original_key, media.audio, content_type="audio/wav")
    Recording.objects.create(contact=contact, location=f"{bucket}/{media.original_key}")
    analysis = ContactAnalysis(contact_id=cid, channel="VOICE", language_code=language, bucket=bucket)
    if original_analysis:
        media.analysis_original_key = f"Analysis/Voice/2026/11/01/{cid}_analysis_2026-11-01T09:05:00Z.json"
        doc = _analysis_doc(cid, ORIGINAL_TEXT, redacted=False, language=language)
        storage.put_bytes(bucket, media.analysis_original_key, json.dumps(doc).encode())
        analysis.original_key = media.analysis_original_key
    if redacted:
        _add_redacted(media, analysis)
    analysis.agent_sentiment_quarters = [1.0, 2.0, 0.5, 3.0]
    analysis.customer_sentiment_quarters = [-2.0, -1.0, 1.0, 2.5]
    analysis.agent_sentiment, analysis.customer_sentiment = 1.6, 0.1
    analysis.categories = ["Card payment"]
    analysis.category_points = {"Card payment": [{"begin_ms": 1000, "end_ms": 1900}]}
    analysis.save()
    media.keys = [k for k in (media.original_key, media.redacted_audio_key, media.analysis_original_key,
                              media.analysis_redacted_key) if k]  # fmt: skip
    return media


def _add_redacted(media: Media, analysis: ContactAnalysis) -> None:
    cid = media.contact_id
    media.analysis_redacted_key = (
        f"Analysis/Voice/Redacted/2026/11/01/{cid}_analysis_redacted_2026-11-01T09:05:00Z.json"
    )
    media.redacted_audio_key = media.analysis_redacted_key.replace("_analysis_redacted_", "_call_recording_redacted_")
    media.redacted_audio_key = media.redacted_audio_key.removesuffix(".json") + ".wav"
    media.redacted_audio = wav_bytes(seconds=len(media.audio) / (RATE * 4) if len(media.audio) < 200_000 else 1.0)
    storage.put_bytes(media.bucket, media.redacted_audio_key, media.redacted_audio, content_type="audio/wav")
    doc = _analysis_doc(cid, REDACTED_TEXT, redacted=True)
    storage.put_bytes(media.bucket, media.analysis_redacted_key, json.dumps(doc).encode())
    analysis.redacted_key = media.analysis_redacted_key
    analysis.redacted_audio_key = media.redacted_audio_key
    TranscriptTurn.objects.bulk_create(
        [
            TranscriptTurn(contact_id=cid, position=0, participant_role="AGENT", begin_ms=0, end_ms=900,
                           sentiment="NEUTRAL", content="Thank you for calling."),
            TranscriptTurn(contact_id=cid, position=1, participant_role="CUSTOMER", begin_ms=1000, end_ms=1900,
                           sentiment="NEGATIVE", content=REDACTED_TEXT),
        ]
    )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO search_transcriptsearchdoc (contact_id, version, document) "
            "VALUES (%s, 'REDACTED', portal_fts_document(%s, %s, ''))",
            [cid, "Thank you for calling.", REDACTED_TEXT],
        )
    assert TranscriptSearchDoc.objects.filter(contact_id=cid).exists()


@pytest.fixture
def org(db):
    """Two branches; a supervisor of one, users of every kind, a contact in each branch."""
    east = make_group("East", level=1)
    east_team = make_group("East team", level=2, parent=east)
    west = make_group("West", level=1)
    alice = make_agent("alice", group=east_team)
    wendy = make_agent("wendy", group=west)
    return SimpleNamespace(east=east, east_team=east_team, west=west, alice=alice, wendy=wendy)


@pytest.fixture
def people(org):
    return SimpleNamespace(
        supervisor=persona("supervisor", "CallCenterManager", group=org.east),
        qa=persona("qa", "QualityAnalyst"),
        agent=persona("agent-alice", "Agent", agent=org.alice),
        admin=persona("admin", "Admin"),
        west=persona("west-supervisor", "CallCenterManager", group=org.west),
    )


@pytest.fixture
def s3_versioned(s3_bucket):
    storage.ensure_bucket(s3_bucket, versioned=True)
    return s3_bucket


def unique_queue() -> str:
    return f"test-recordings-{uuid.uuid4().hex[:10]}"


# --- Real Celery workers -------------------------------------------------------------

REPO = Path(__file__).resolve().parents[2]


@dataclass
class WorkerProcess:
    process: subprocess.Popen
    log: Path
    queue: str

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL the worker and its pool processes, as an OOM killer or a power cut would."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.kill()


def start_worker_process(
    *, queue: str, cache_dir: Path, log_dir: Path, env: dict[str, str] | None = None, concurrency: int = 1
) -> WorkerProcess:
    log = log_dir / f"worker-{uuid.uuid4().hex[:6]}.log"
    environment = {
        **os.environ,
        "DATABASE_URL": test_database_url(),
        "CELERY_QUEUE": queue,
        "RECORDING_CACHE_DIR": str(cache_dir),
        "DB_CONN_MAX_AGE": "0",
        **(env or {}),
    }
    command = [
        str(REPO / ".venv" / "bin" / "celery"), "-A", "tests.recordings.worker_app", "worker", "-Q", queue,
        "-n", f"{queue}-{uuid.uuid4().hex[:4]}@%h", "--concurrency", str(concurrency), "--pool", "prefork",
        "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "INFO",
    ]  # fmt: skip
    handle = open(log, "wb")  # noqa: SIM115 - owned by the child
    process = subprocess.Popen(command, cwd=REPO, env=environment, stdout=handle, stderr=subprocess.STDOUT,
                               start_new_session=True)  # fmt: skip
    worker = WorkerProcess(process, log, queue)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if " ready." in worker.output():
            return worker
        if process.poll() is not None:
            raise RuntimeError("the Celery worker exited:\n" + worker.output()[-3000:])
        time.sleep(0.1)
    worker.stop()
    raise RuntimeError("the Celery worker did not start:\n" + worker.output()[-3000:])


@pytest.fixture
def celery_queue():
    """A queue of our own, so no other suite's worker takes our tasks."""
    from portal.celery import app

    previous = app.conf.task_default_queue
    name = unique_queue()
    app.conf.task_default_queue = name
    yield name
    app.conf.task_default_queue = previous


@pytest.fixture(scope="session")
def _session_worker(django_db_setup, django_db_blocker, tmp_path_factory):
    """One real worker for the session's asynchronous tests."""
    queue = unique_queue()
    cache_dir = tmp_path_factory.mktemp("worker-cache")
    with django_db_blocker.unblock():
        worker = start_worker_process(queue=queue, cache_dir=cache_dir, log_dir=tmp_path_factory.mktemp("logs"))
    yield worker, cache_dir
    worker.stop()


@pytest.fixture
def worker(_session_worker, settings, transactional_db):
    """The session's worker, with this process publishing to its queue and sharing its cache."""
    from portal.celery import app

    process, cache_dir = _session_worker
    previous = app.conf.task_default_queue
    app.conf.task_default_queue = process.queue
    settings.RECORDING_CACHE_DIR = cache_dir
    yield process
    app.conf.task_default_queue = previous
    for path in cache_dir.iterdir():
        path.unlink()


def wait_for(predicate, *, timeout: float = 30.0, step: float = 0.05, what: str = "the condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Hashing passwords properly costs seconds per persona; these tests log in with force_login.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def broker_unreachable():
    """Point this process's Celery producer at a closed port, as if Redis were down."""
    from portal.celery import app

    previous = app.conf.broker_url
    app.conf.broker_url = f"redis://127.0.0.1:{closed_port()}/0"
    _reset_producer(app)
    yield
    app.conf.broker_url = previous
    _reset_producer(app)


def _reset_producer(app) -> None:
    app._pool = None
    app.amqp._producer_pool = None


def closed_port() -> int:
    """A loopback port nothing listens on."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
