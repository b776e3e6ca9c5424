"""Every URL that names a contact answers 404 for a contact out of the caller's scope,
exactly as for one that does not exist. The URL list is read from the URLconf, so pages
and endpoints added later are covered without touching this file."""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from portal.accounts import permissions as p
from portal.accounts.tokens import token_create
from tests.factories import make_agent, make_contact, make_group, make_user

CONTACT_KWARGS = ("contact_id", "ContactId")
# Everything a viewer could hold apart from wider visibility, and nothing that needs MFA.
VIEWER_PERMISSIONS = [
    p.CONTACT_SEARCH, p.RESTRICT_BY_HIERARCHY, p.CONTACT_ATTRIBUTES, p.GRAPH_TRENDS,
    p.RECORDINGS_REDACTED, p.RECORDINGS_REDACTED_DOWNLOAD, p.TRANSCRIPTS_REDACTED,
]  # fmt: skip


def _walk(patterns, prefix: str = ""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern)


def _to_path(route: str, contact_id: str) -> str | None:
    """A concrete path for a `path()` route naming a contact, or None."""
    if route.startswith("^"):
        return None  # regex routes: none name contacts
    names = re.findall(r"<(?:\w+:)?(\w+)>", route)
    if not any(name in CONTACT_KWARGS for name in names):
        return None
    if set(names) - set(CONTACT_KWARGS):
        return None
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", contact_id, route)


def contact_routes() -> list[str]:
    return sorted({r for r in _walk(get_resolver().url_patterns) if _to_path(r, "x")})


def _probe(client, path: str, headers: dict) -> int:
    """The status of the first method the URL accepts (405 means: try the next)."""
    query = {"version": "redacted", "reason": "access review"}
    attempts = [
        ("get", {"data": query}),
        ("post", {"data": {"Version": "REDACTED", "Reason": "access review"}, "content_type": "application/json"}),
        ("delete", {"data": {"Reason": "access review"}, "content_type": "application/json"}),
    ]
    status = 405
    for method, kwargs in attempts:
        status = getattr(client, method)(path, headers=headers, **kwargs).status_code
        if status != 405:
            return status
    return status


def test_the_sweep_finds_routes_when_they_exist():
    # Not an assertion on the product, just a guard that the route parser works.
    assert _to_path("api/v1/contacts/<str:contact_id>/transcript", "abc") == "/api/v1/contacts/abc/transcript"
    assert _to_path("contacts/<ContactId>/", "abc") == "/contacts/abc/"
    assert _to_path("recording-jobs/<str:job_id>", "abc") is None


@pytest.mark.parametrize("route", contact_routes() or [pytest.param("", marks=pytest.mark.skip("no contact URLs yet"))])
def test_out_of_scope_contact_is_404_on_every_contact_url(db, client, route):
    company = make_group("Company", level=1)
    east = make_group("East", level=2, parent=company)
    west = make_group("West", level=2, parent=company)
    visible_id = make_contact(agent=make_agent("east-agent", group=east)).contact_id
    hidden = make_contact(agent=make_agent("west-agent", group=west)).contact_id
    viewer = make_user("east-viewer", permissions=VIEWER_PERMISSIONS, group=east)
    token = token_create(user=viewer)

    client.force_login(viewer)
    for headers in ({}, {"Authorization": f"Bearer {token}"}):
        out_of_scope = _probe(client, _to_path(route, hidden), headers)
        missing = _probe(client, _to_path(route, "00000000-0000-0000-0000-000000000000"), headers)
        assert out_of_scope == missing == 404, route
    if re.search(r"<(?:\w+:)?(?:contact_id|ContactId)>/?$", route):
        # A detail URL answers for a contact in scope, so the 404 above is the scope at work.
        assert _probe(client, _to_path(route, visible_id), {}) == 200, route
