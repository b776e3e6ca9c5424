"""A small world for bulk actions: contacts with real media in S3 in two branches, the
personas of tests/recordings, and real Celery workers for deletion jobs."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from portal.accounts import permissions as p
from recordings.models import Recording
from tests.factories import make_contact
from tests.recordings.conftest import (  # noqa: F401 - fixtures used by this package's tests
    _session_worker,
    make_media,
    org,
    people,
    persona,
    s3_versioned,
    worker,
)

START = datetime(2026, 10, 1, tzinfo=UTC)
END = datetime(2026, 12, 1, tzinfo=UTC)
TIME_RANGE = {"Type": "INITIATION_TIMESTAMP", "StartTime": START.isoformat(), "EndTime": END.isoformat()}


@pytest.fixture
def bulk_world(org, people, s3_versioned, recording_cache):  # noqa: F811 - the fixtures imported above
    """East: two calls of alice (one with only an original, Japanese-style) and a chat
    without a recording; West: a call of wendy; and a call no agent handled."""
    bucket = s3_versioned
    east = [make_media(bucket, agent=org.alice), make_media(bucket, agent=org.alice, redacted=False, language="ja-JP")]
    west = [make_media(bucket, agent=org.wendy)]
    unhandled = make_media(bucket)
    chat = make_contact(agent=org.alice, channel="CHAT")
    media = {m.contact_id: m for m in (*east, *west, unhandled)}
    return SimpleNamespace(
        bucket=bucket, east=east, west=west, unhandled=unhandled, chat=chat, media=media, org=org, people=people
    )


def deleters(org) -> SimpleNamespace:  # noqa: F811 - a parameter, not the fixture
    """The five personas, each also holding DeleteCallRecordings (so each may run every action)."""
    extra = (p.DELETE_RECORDINGS,)
    return SimpleNamespace(
        supervisor=persona("bulk-supervisor", "CallCenterManager", group=org.east, extra=extra),
        qa=persona("bulk-qa", "QualityAnalyst", extra=extra),
        agent=persona("bulk-agent", "Agent", agent=org.alice, extra=extra),
        admin=persona("bulk-admin", "Admin"),
        west=persona("bulk-west", "CallCenterManager", group=org.west, extra=extra),
    )


def recording_status(contact_id: str) -> str | None:
    row = Recording.objects.filter(contact__contact_id=contact_id).first()
    return row.status if row else None
