"""HTML pages forbid inline script and anything from a third party; our templates keep
to that (scripts from static files, data in `json_script` blocks)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.factories import make_user

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE_DIRS = ("portal", "search", "recordings", "hierarchy", "demo")
_SCRIPT = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {name: values for name, *values in (part.split() for part in header.split(";") if part.strip())}


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/accounts/login/", "/", "/audit/", "/account/"])
def test_pages_send_a_policy_without_inline_script_or_third_parties(client, path):
    if path != "/accounts/login/":
        client.force_login(make_user("admin", profiles=["Admin"]))
    response = client.get(path, follow=True)
    assert response.status_code == 200
    policy = _policy(response)
    assert policy["default-src"] == ["'self'"] and policy["script-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    sources = [value for values in policy.values() for value in values]
    assert not [s for s in sources if s.startswith(("http:", "https:", "*")) or "." in s]
    assert "'unsafe-eval'" not in sources


def _templates() -> list[Path]:
    return [path for folder in TEMPLATE_DIRS for path in (ROOT / folder).rglob("*.html")]


def test_templates_hold_no_inline_script():
    inline = []
    for path in _templates():
        text = path.read_text()
        for match in _SCRIPT.finditer(text):
            attributes = match.group(1)
            if "src=" not in attributes and 'type="application/json"' not in attributes:
                inline.append(f"{path.relative_to(ROOT)}: {match.group(0)}")
        inline += [f"{path.relative_to(ROOT)}: event handler attribute" for _ in _HANDLER.finditer(text)]
    assert _templates() and inline == []
