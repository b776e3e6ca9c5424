"""`GET /healthz`: the state of every service the portal needs, 503 naming what is down."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse


def _database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return "ok"


def _redis() -> str:
    cache.set("healthz", "1", timeout=10)
    return "ok"


def _s3() -> str:
    from recordings import storage

    storage.client().head_bucket(Bucket=settings.CONNECT_BUCKET)
    return "ok"


def _workers() -> str:
    from portal.celery import app

    replies = app.control.inspect(timeout=1.0).ping() or {}
    if not replies:
        raise RuntimeError("no Celery worker answered")
    return f"ok ({len(replies)})"


CHECKS = {"database": _database, "redis": _redis, "s3": _s3, "workers": _workers}


def healthz(request):
    report: dict[str, str] = {}
    down = []
    for name, check in CHECKS.items():
        try:
            report[name] = check()
        except Exception as error:  # noqa: BLE001 - any failure means "down", reported by name
            report[name] = f"down: {type(error).__name__}: {error}"[:300]
            down.append(name)
    status = 503 if down else 200
    return JsonResponse({"status": "down: " + ", ".join(down) if down else "ok", "services": report}, status=status)
