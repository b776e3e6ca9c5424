"""Fixtures shared by every test: an isolated S3 bucket and small factories.

Tests talk to the real services that `python -m portal.devstack up` (or the
environment) provides; nothing here mocks PostgreSQL, Redis or S3.
"""

from __future__ import annotations

import uuid

import pytest

from tests.factories import make_agent, make_contact, make_group, make_user  # noqa: F401


def _drop_bucket(name: str) -> None:
    from recordings import storage

    client = storage.client()
    pages = client.get_paginator("list_object_versions").paginate(Bucket=name)
    for page in pages:
        for item in page.get("Versions", []) + page.get("DeleteMarkers", []):
            client.delete_object(Bucket=name, Key=item["Key"], VersionId=item["VersionId"])
    for item in client.list_objects_v2(Bucket=name).get("Contents", []):
        client.delete_object(Bucket=name, Key=item["Key"])
    client.delete_bucket(Bucket=name)


@pytest.fixture(scope="session", autouse=True)
def _end_stray_database_sessions(django_db_setup, django_db_blocker):
    """Before the test database is dropped, end sessions that a live server's request
    threads or a killed worker left open; otherwise the drop fails with "being accessed
    by other users" and the next run starts on a stale database."""
    yield
    from django.db import connection

    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


@pytest.fixture(autouse=True)
def _generous_api_rate_limit(settings):
    """Tests call the API far faster than people do; tests/reliability holds the limits
    to their exact behaviour with their own settings."""
    settings.API_RATE_LIMIT = "100000/s"


@pytest.fixture
def s3_bucket(settings):
    """A fresh bucket standing in for the Connect bucket, removed afterwards."""
    from recordings import storage

    name = f"test-{uuid.uuid4().hex[:12]}"
    storage.ensure_bucket(name)
    settings.CONNECT_BUCKET = name
    settings.CTR_SOURCE = f"s3://{name}/ctr/"
    yield name
    _drop_bucket(name)


@pytest.fixture
def recording_cache(settings, tmp_path):
    settings.RECORDING_CACHE_DIR = tmp_path / "recordings"
    return settings.RECORDING_CACHE_DIR
