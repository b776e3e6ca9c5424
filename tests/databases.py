"""The test database as a URL, for child processes (workers, management commands)."""

from __future__ import annotations

from urllib.parse import quote

from django.db import connection


def test_database_url() -> str:
    """The URL of the database pytest-django set up, so a child process uses it and not the dev database."""
    params = connection.settings_dict
    host = quote(params.get("HOST") or "", safe="")
    port = f":{params['PORT']}" if params.get("PORT") else ""
    password = f":{quote(params['PASSWORD'], safe='')}" if params.get("PASSWORD") else ""
    return f"postgres://{quote(params.get('USER') or '', safe='')}{password}@{host}{port}/{params['NAME']}"
