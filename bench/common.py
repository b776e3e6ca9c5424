"""Shared set-up for benchmarks: a separate database on the same server, so a
benchmark never touches the development data."""

from __future__ import annotations

import os
import statistics
from urllib.parse import urlsplit, urlunsplit


def use_database(name: str) -> str:
    """Point Django at database `name` on the configured server, creating it if needed.
    Call before `django.setup()`."""
    from portal.devstack import load_service_env

    url = os.environ.get("DATABASE_URL") or load_service_env().get("DATABASE_URL")
    if not url:
        raise SystemExit("no database: run `python -m portal.devstack up` or set DATABASE_URL")
    parts = urlsplit(url)
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    bench_url = urlunsplit(parts._replace(path=f"/{name}"))
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = bench_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    return bench_url


def setup_django(database: str) -> None:
    use_database(database)
    # A benchmark is one user asking as fast as it can: a limit it never reaches keeps
    # the limiter's own cost (one Redis call a request) in the figures.
    os.environ.setdefault("API_RATE_LIMIT", "1000000/s")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * pct / 100
    low, high = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def summary(values: list[float]) -> str:
    return f"p50 {statistics.median(values):8.1f}  p95 {percentile(values, 95):8.1f}"
