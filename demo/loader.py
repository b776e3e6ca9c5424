"""Writing the demo Connect instance into S3 in Connect's layout, then ingesting it
through the same path as production data, and creating one portal login per profile.

Logins whose permissions need a second factor come enrolled in TOTP, as after a real
enrolment (the secret sealed by the portal's MFA adapter); `demo_code` tells their
current code, and only for logins the demo created, outside production.
"""

from __future__ import annotations

import math
import secrets
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction

from demo.models import DemoLogin
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


def demo_load(
    *, contacts: int = 2000, seed: int = 7, now: datetime | None = None, days: int | None = None
) -> DemoReport:
    """The demo instance in S3 and in the portal; `days` of history (default 90)."""
    from demo.generate import DAYS, RECORDING_DAYS, generate_instance

    ctr_bucket, ctr_prefix = _bucket_and_prefix(settings.CTR_SOURCE)
    storage.ensure_bucket(settings.CONNECT_BUCKET)
    storage.ensure_bucket(ctr_bucket)
    # The rule and the recordings agree: calls inside it have their audio, older ones
    # name a recording the rule has removed.
    storage.set_lifecycle_expiry(settings.CONNECT_BUCKET, "connect/", days=RECORDING_DAYS)
    objects = generate_instance(
        contacts=contacts,
        seed=seed,
        now=now or datetime.now(UTC).replace(microsecond=0),
        bucket=settings.CONNECT_BUCKET,
        ctr_prefix=ctr_prefix,
        recording_days=RECORDING_DAYS,
        days=days or DAYS,
        instance_arn=settings.CONNECT_INSTANCE_ARN,
    )
    report = _write_and_ingest(objects, ctr_bucket)
    demo_users_create(seed=seed)
    return report


def _write_and_ingest(objects: Iterable, ctr_bucket: str) -> DemoReport:
    count, total, audio = _upload(objects, ctr_bucket)
    report = ingest_sources([settings.CTR_SOURCE, f"s3://{settings.CONNECT_BUCKET}/{settings.ANALYSIS_PREFIX}"])
    return DemoReport(count, total, audio, report)


def demo_refresh(*, seed: int = 7, now: datetime | None = None) -> DemoReport | None:
    """Top a demo loaded days ago up to now, as a live instance would have grown: the
    contacts of the days since its newest one, at its own daily rate, with recordings
    for those the bucket's lifecycle rule keeps. Without it, every call of a demo older
    than the rule would show as removed. None when the demo is less than a day old."""
    from django.db.models import Max

    from demo.generate import DAYS, RECORDING_DAYS, generate_instance
    from search.models import Contact

    now = now or datetime.now(UTC).replace(microsecond=0)
    newest = Contact.objects.aggregate(newest=Max("initiation_ts"))["newest"]
    if newest is None or now - newest < timedelta(days=1):
        return None
    days = min(DAYS, math.ceil((now - newest).total_seconds() / 86400))
    contacts = max(days, round(Contact.objects.count() / DAYS * days))
    ctr_bucket, ctr_prefix = _bucket_and_prefix(settings.CTR_SOURCE)
    objects = generate_instance(
        contacts=contacts, seed=seed, now=now, bucket=settings.CONNECT_BUCKET, ctr_prefix=ctr_prefix,
        recording_days=RECORDING_DAYS, days=days, batch=int(now.timestamp()),
        instance_arn=settings.CONNECT_INSTANCE_ARN,
    )  # fmt: skip
    return _write_and_ingest(objects, ctr_bucket)


@transaction.atomic
def demo_users_create(*, seed: int = 7) -> None:
    from hierarchy.models import Agent, HierarchyGroup
    from portal.accounts.models import SecurityProfile, User

    password = demo_password()
    for username, profiles, scope, _ in DEMO_USERS:
        user, created = User.objects.get_or_create(username=username, defaults={"email": f"{username}@example.com"})
        if created:
            user.set_password(password)
            DemoLogin.objects.create(user=user)
        user.is_staff = user.is_superuser = username == "admin"
        user.time_zone = "Asia/Tokyo"
        if scope:
            name, level = scope
            user.hierarchy_group = HierarchyGroup.objects.filter(name=name, level=level).first()
        if username == "agent":
            user.agent = _demo_agent(Agent)
        user.save()
        user.security_profiles.set(SecurityProfile.objects.filter(name__in=profiles))
        _enrol_second_factor(user)


def _demo_agent(agent_model):
    """The agent who took the latest call with a redacted recording: the Agent profile
    hears and reads only redacted media, which Contact Lens makes for English calls
    alone. Else (no such call) the first agent with any contact."""
    from search.models import Contact

    latest = (
        Contact.objects.filter(agent__isnull=False, channel="VOICE", analysis__redacted_audio_key__gt="")
        .order_by("-initiation_ts")
        .values_list("agent_id", flat=True)
        .first()
    )
    if latest is not None:
        return agent_model.objects.get(pk=latest)
    return agent_model.objects.filter(contacts__isnull=False).order_by("username").first()


def _enrol_second_factor(user) -> None:
    """A demo login whose permissions need MFA gets a TOTP authenticator, once."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    from portal.accounts.mfa import mfa_required

    user = type(user).objects.get(pk=user.pk)  # the permissions as just set, not as cached
    if not DemoLogin.objects.filter(user=user).exists() or not mfa_required(user):
        return
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, generate_totp_secret())


class NotADemoLogin(Exception):
    pass


def demo_totp_code(username: str, *, at: float | None = None) -> str:
    """The TOTP code a demo login's authenticator expects now (development only)."""
    import time

    from allauth.mfa import app_settings
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
    from allauth.mfa.utils import decrypt

    if settings.PRODUCTION:
        raise NotADemoLogin("demo codes exist only in development (PORTAL_ENV=production)")
    login = DemoLogin.objects.select_related("user").filter(user__username=username).first()
    if login is None:
        raise NotADemoLogin(f"{username!r} is not a login the demo created")
    authenticator = Authenticator.objects.filter(user=login.user, type=Authenticator.Type.TOTP).first()
    if authenticator is None:
        raise NotADemoLogin(f"{username!r} signs in without a second factor")
    secret = decrypt(authenticator.data["secret"])
    counter = int(time.time() if at is None else at) // app_settings.TOTP_PERIOD
    return format_hotp_value(hotp_value(secret, counter))


def demo_is_loaded() -> bool:
    from portal.accounts.models import User
    from search.models import Contact

    return User.objects.filter(username="admin").exists() and Contact.objects.exists()


def demo_logins() -> list[tuple[str, str]]:
    return [(username, description) for username, _, _, description in DEMO_USERS]


def demo_logins_with_second_factor() -> set[str]:
    """Usernames of demo logins that sign in with a TOTP code."""
    from allauth.mfa.models import Authenticator

    names = [username for username, _, _, _ in DEMO_USERS]
    return set(
        Authenticator.objects.filter(
            type=Authenticator.Type.TOTP, user__username__in=names, user__demo_login__isnull=False
        ).values_list("user__username", flat=True)
    )
