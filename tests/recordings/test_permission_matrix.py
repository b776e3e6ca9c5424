"""Every persona × every action on one contact, through the real URLs: 200 / 202 / 403 / 404.

The contact was handled by alice (East team) and has a redacted and an original
recording and analysis in a real S3 bucket.
"""

from __future__ import annotations

import pytest

from portal.accounts import permissions as p
from portal.accounts.tokens import token_create
from portal.audit.models import AuditEvent
from tests.factories import make_agent, make_user
from tests.recordings.conftest import make_media, persona

REASON = "customer complaint 42"

ACTIONS = {
    "view": ("get", "/api/v1/contacts/{id}", None),
    "page": ("get", "/contacts/{id}/", None),
    "transcript": ("get", "/api/v1/contacts/{id}/transcript?version=redacted", None),
    "transcript original": ("get", f"/api/v1/contacts/{{id}}/transcript?version=original&reason={REASON}", None),
    "play redacted": ("post", "/api/v1/contacts/{id}/recording/fetch", {"Version": "REDACTED"}),
    "play original": ("post", "/api/v1/contacts/{id}/recording/fetch", {"Version": "ORIGINAL", "Reason": REASON}),
    "download redacted": ("get", "/api/v1/contacts/{id}/recording/download?version=redacted", None),
    "download original": ("get", f"/api/v1/contacts/{{id}}/recording/download?version=original&reason={REASON}", None),
    "transcript download": ("get", "/api/v1/contacts/{id}/transcript/download?version=redacted", None),
    "delete page": ("get", "/contacts/{id}/recording/delete", None),
    "delete": ("delete", "/api/v1/contacts/{id}/recording", {"Reason": REASON}),
}

# persona → expected status per action, in ACTIONS order.
EXPECTED = {
    #              view page trans orig  play  orig  dl-r  dl-o  t-dl  del-p del
    "supervisor": (200, 200, 200, 200, 202, 202, 200, 200, 200, 403, 403),
    "qa":         (200, 200, 200, 403, 202, 403, 403, 403, 403, 403, 403),
    "agent":      (200, 200, 200, 403, 202, 403, 403, 403, 403, 403, 403),
    "admin":      (200, 200, 200, 200, 202, 202, 200, 200, 200, 200, 202),
    "west":       (404,) * 11,
    "other agent": (404,) * 11,
    "no profile": (404,) * 11,
}  # fmt: skip


@pytest.fixture
def world(db, s3_bucket, recording_cache, org, people):
    media = make_media(s3_bucket, agent=org.alice)
    bob = make_agent("bob", group=org.east_team)
    users = {
        "supervisor": people.supervisor,
        "qa": people.qa,
        "agent": people.agent,
        "admin": people.admin,
        "west": people.west,
        "other agent": persona("agent-bob", "Agent", agent=bob),
        "no profile": make_user("nobody"),
    }
    return media, users


def _call(client, action: str, contact_id: str, headers=None):
    method, url, body = ACTIONS[action]
    url = url.format(id=contact_id)
    kwargs = {"headers": headers or {}}
    if body is not None:
        kwargs.update(data=body, content_type="application/json")
    return getattr(client, method)(url, **kwargs)


@pytest.mark.parametrize("who", list(EXPECTED))
def test_each_persona_gets_exactly_the_expected_answers(client, world, who):
    media, users = world
    client.force_login(users[who])
    got = {action: _call(client, action, media.contact_id).status_code for action in ACTIONS}
    assert got == dict(zip(ACTIONS, EXPECTED[who], strict=True))


@pytest.mark.parametrize("who", ["supervisor", "qa", "west"])
def test_bearer_tokens_get_the_same_answers(client, world, who):
    media, users = world
    headers = {"Authorization": f"Bearer {token_create(user=users[who])}"}
    for action in ("view", "transcript", "play redacted", "download redacted", "delete"):
        expected = EXPECTED[who][list(ACTIONS).index(action)]
        assert _call(client, action, media.contact_id, headers).status_code == expected, action


def test_out_of_scope_and_missing_contacts_look_the_same(client, world):
    media, users = world
    client.force_login(users["west"])
    for action in ACTIONS:
        hidden = _call(client, action, media.contact_id)
        missing = _call(client, action, "00000000-0000-4000-8000-000000000000")
        assert hidden.status_code == missing.status_code == 404, action
        if hidden["Content-Type"].startswith("application/json"):
            assert hidden.json() == missing.json(), action


def test_a_403_names_the_missing_permission_in_connects_error_shape(client, world):
    media, users = world
    client.force_login(users["qa"])
    response = _call(client, "download redacted", media.contact_id)
    assert response.json() == {
        "Type": "AccessDeniedException",
        "Message": f"This needs the {p.RECORDINGS_REDACTED_DOWNLOAD} permission.",
    }
    assert response["x-amzn-ErrorType"] == "AccessDeniedException"


def test_the_original_needs_a_reason(client, world):
    media, users = world
    client.force_login(users["supervisor"])
    play = client.post(
        f"/api/v1/contacts/{media.contact_id}/recording/fetch", {"Version": "ORIGINAL"}, content_type="application/json"
    )
    assert play.status_code == 400 and play.json()["Type"] == "InvalidRequestException"
    for url in (
        f"/api/v1/contacts/{media.contact_id}/transcript?version=original",
        f"/api/v1/contacts/{media.contact_id}/recording/download?version=original",
    ):
        assert client.get(url).status_code == 400, url


def test_downloads_are_attachments_named_after_the_contact(client, world):
    media, users = world
    client.force_login(users["supervisor"])
    wav = _call(client, "download redacted", media.contact_id)
    assert wav["Content-Disposition"] == f'attachment; filename="{media.contact_id}.wav"'
    assert b"".join(wav.streaming_content) == media.redacted_audio
    original = _call(client, "download original", media.contact_id)
    assert b"".join(original.streaming_content) == media.audio
    transcript = _call(client, "transcript download", media.contact_id)
    assert transcript["Content-Disposition"] == f'attachment; filename="{media.contact_id}.json"'
    assert transcript.json()["Version"] == "REDACTED"


def test_every_access_is_audited(client, world):
    media, users = world
    client.force_login(users["supervisor"])
    for action in ACTIONS:
        _call(client, action, media.contact_id)
    events = AuditEvent.objects.filter(contact_id=media.contact_id, actor=users["supervisor"])
    actions = set(events.values_list("action", flat=True))
    assert {"contact_view", "transcript_view", "recording_play", "recording_download", "transcript_download"} <= actions
    original = events.get(action="recording_play", details__version="ORIGINAL")
    assert original.readable_details()["reason"] == REASON
    transcript = events.get(action="transcript_view", details__version="ORIGINAL")
    assert transcript.readable_details()["reason"] == REASON


def test_a_user_who_needs_mfa_and_has_not_enrolled_is_refused_by_the_api(client, world):
    media, _users = world
    unenrolled = make_user("fresh-manager", permissions=[p.CONTACT_SEARCH, p.RECORDINGS_UNREDACTED])
    client.force_login(unenrolled)
    assert client.get(f"/api/v1/contacts/{media.contact_id}").status_code == 403
