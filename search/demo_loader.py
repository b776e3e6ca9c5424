"""Writing the demo Connect instance into S3 in Connect's layout, then ingesting it
through the same path as production data, and creating one portal login per profile."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.db import transaction

from recordings import storage
from search.ingest.runner import IngestReport, ingest_sources

UPLOAD_THREADS = 8
DEMO_USERS = (
    # username, profiles, hierarchy level of the group to scope to (None = unrestricted), description
    ("admin", ["Admin"], None, "Admin: everything, including deleting recordings"),
    ("manager.japan", ["CallCenterManager"], ("Japan", 1), "CallCenterManager restricted to the Japan region"),
    ("supervisor.tokyo", ["CallCenterManager"], ("Tokyo", 2), "CallCenterManager restricted to the Tokyo site"),
    ("qa", ["QualityAnalyst"], None, "QualityAnalyst: redacted recordings and transcripts only"),
    ("agent", ["Agent"], None, "Agent: only the contacts they handled"),
)


@dataclass
class DemoReport:
    objects: int
    bytes: int
    audio_bytes: int
    ingest: IngestReport


def demo_password() -> str:
    """From PORTAL_DEMO_PASSWORD, else generated once into var/ (development only)."""
    import os

    if os.environ.get("PORTAL_DEMO_PASSWORD"):
        return os.environ["PORTAL_DEMO_PASSWORD"]
    path = Path(settings.VAR_DIR) / "demo-password"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(12))
        path.chmod(0o600)
    return path.read_text().strip()


def _bucket_and_prefix(uri: str) -> tuple[str, str]:
    bucket, _, prefix = uri.removeprefix("s3://").partition("/")
    return bucket, prefix


def _upload(objects: Iterable, ctr_bucket: str, connect_bucket: str = "") -> tuple[int, int, int]:
    """Upload in parallel: CTR objects to the Firehose bucket, everything else to Connect's."""
    count = total = audio = 0
    connect_bucket = connect_bucket or settings.CONNECT_BUCKET

    def put(obj) -> int:
        bucket = ctr_bucket if obj.role == "ctr" else connect_bucket
        storage.put_bytes(bucket, obj.key, obj.body, content_type=obj.content_type)
        return len(obj.body)

    with ThreadPoolExecutor(UPLOAD_THREADS) as pool:
        pending = []
        for obj in objects:
            pending.append((obj.role, pool.submit(put, obj)))
            if len(pending) >= 256:
                for role, future in pending:
                    size = future.result()
                    count, total = count + 1, total + size
                    audio += size if role == "recording" else 0
                pending = []
        for role, future in pending:
            size = future.result()
            count, total = count + 1, total + size
            audio += size if role == "recording" else 0
    return count, total, audio


def demo_load(*, contacts: int = 2000, seed: int = 7, now: datetime | None = None) -> DemoReport:
    from search.demo import generate_instance

    ctr_bucket, ctr_prefix = _bucket_and_prefix(settings.CTR_SOURCE)
    storage.ensure_bucket(settings.CONNECT_BUCKET)
    storage.ensure_bucket(ctr_bucket)
    storage.set_lifecycle_expiry(settings.CONNECT_BUCKET, "connect/", days=14)
    objects = generate_instance(
        contacts=contacts,
        seed=seed,
        now=now or datetime.now(UTC).replace(microsecond=0),
        bucket=settings.CONNECT_BUCKET,
        ctr_prefix=ctr_prefix,
    )
    count, total, audio = _upload(objects, ctr_bucket)
    report = ingest_sources([settings.CTR_SOURCE, f"s3://{settings.CONNECT_BUCKET}/{settings.ANALYSIS_PREFIX}"])
    demo_users_create(seed=seed)
    return DemoReport(count, total, audio, report)


@transaction.atomic
def demo_users_create(*, seed: int = 7) -> None:
    from hierarchy.models import Agent, HierarchyGroup
    from portal.accounts.models import SecurityProfile, User

    password = demo_password()
    for username, profiles, scope, _ in DEMO_USERS:
        user, created = User.objects.get_or_create(username=username, defaults={"email": f"{username}@example.com"})
        if created:
            user.set_password(password)
        user.is_staff = user.is_superuser = username == "admin"
        user.time_zone = "Asia/Tokyo"
        if scope:
            name, level = scope
            user.hierarchy_group = HierarchyGroup.objects.filter(name=name, level=level).first()
        if username == "agent":
            user.agent = Agent.objects.filter(contacts__isnull=False).order_by("username").first()
        user.save()
        user.security_profiles.set(SecurityProfile.objects.filter(name__in=profiles))


def demo_is_loaded() -> bool:
    from portal.accounts.models import User
    from search.models import Contact

    return User.objects.filter(username="admin").exists() and Contact.objects.exists()


def demo_logins() -> list[tuple[str, str]]:
    return [(username, description) for username, _, _, description in DEMO_USERS]
