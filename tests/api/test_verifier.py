"""The SigV4 verifier alone: both forms, and every way a signature is refused."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal.accounts import permissions as p
from portal.accounts.access_keys import access_key_create, access_key_revoke
from portal.accounts.models import AccessKey
from portal.accounts.sigv4_auth import (
    ACCESS_DENIED,
    INVALID_SIGNATURE,
    UNRECOGNIZED_CLIENT,
    SignatureRefused,
    authenticate,
)
from tests.api.conftest import django_request, signed
from tests.factories import make_user

pytestmark = pytest.mark.django_db

SEARCH = "/api/v1/search-contacts"
BODY = json.dumps({"TimeRange": {"Type": "INITIATION_TIMESTAMP", "StartTime": 1, "EndTime": 2}}).encode()
CONTACT = "/api/v1/contacts/00000000-0000-4000-8000-000000000001/11111111-0000-4000-8000-000000000001"
ARN = "arn:aws:connect:ap-northeast-1:123456789012:instance/00000000-0000-4000-8000-000000000001"


@pytest.fixture
def key():
    user = make_user("integrator", permissions=[p.CONTACT_SEARCH])
    return access_key_create(user=user)


def refusal(request, **kwargs) -> SignatureRefused:
    with pytest.raises(SignatureRefused) as refused:
        authenticate(request, **kwargs)
    return refused.value


def test_the_header_form_finds_the_keys_user(key):
    request = django_request(signed("POST", SEARCH, key_id=key.access_key_id, secret=key.secret, body=BODY))
    holder = authenticate(request)
    assert holder.user.username == "integrator" and holder.access_key_id == key.access_key_id
    assert holder.user.connect_permissions == frozenset({p.CONTACT_SEARCH})


def test_the_presigned_query_form(key):
    request = signed("GET", CONTACT, key_id=key.access_key_id, secret=key.secret, presign_expires=60)
    assert "X-Amz-Signature=" in request.url and "Authorization" not in request.headers
    assert authenticate(django_request(request)).access_key_id == key.access_key_id


def test_a_presigned_request_expires(key):
    at = datetime.now(UTC) - timedelta(minutes=2)
    request = django_request(signed("GET", CONTACT, key_id=key.access_key_id, secret=key.secret, at=at,
                                    presign_expires=60))  # fmt: skip
    assert refusal(request).type == INVALID_SIGNATURE


def test_query_parameters_are_signed(key):
    path = "/api/v1/contacts/11111111-0000-4000-8000-000000000001/transcript?version=redacted&reason=a%20b"
    request = signed("GET", path, key_id=key.access_key_id, secret=key.secret)
    assert authenticate(django_request(request)).access_key_id == key.access_key_id
    request.url = request.url.replace("redacted", "original")
    assert refusal(django_request(request)).type == INVALID_SIGNATURE


def test_an_arn_in_the_path_with_or_without_the_raw_uri(key):
    # botocore sends the ARN as one label, its "/" encoded; the server may only pass it decoded.
    from botocore.utils import percent_encode

    path = f"/api/v1/contacts/{percent_encode(ARN)}/11111111-0000-4000-8000-000000000001"
    request = signed("GET", path, key_id=key.access_key_id, secret=key.secret)
    assert authenticate(django_request(request)).access_key_id == key.access_key_id
    with_raw = django_request(request, RAW_URI=path)
    assert authenticate(with_raw).access_key_id == key.access_key_id


def test_a_tampered_body_is_refused(key):
    request = signed("POST", SEARCH, key_id=key.access_key_id, secret=key.secret, body=BODY)
    request.data = BODY.replace(b"1", b"0")
    assert refusal(django_request(request)).type == INVALID_SIGNATURE


def test_a_declared_payload_hash_must_match_the_body(key):
    declared = {"X-Amz-Content-SHA256": "0" * 64}
    request = signed("POST", SEARCH, key_id=key.access_key_id, secret=key.secret, body=BODY, headers=declared)
    refused = refusal(django_request(request))
    assert refused.type == INVALID_SIGNATURE and "x-amz-content-sha256" in refused.message


def test_a_declared_payload_hash_that_matches_is_accepted(key):
    import hashlib

    declared = {"X-Amz-Content-SHA256": hashlib.sha256(BODY).hexdigest()}
    request = signed("POST", SEARCH, key_id=key.access_key_id, secret=key.secret, body=BODY, headers=declared)
    assert authenticate(django_request(request)).access_key_id == key.access_key_id


@pytest.mark.parametrize("minutes", [-6, 6])
def test_more_than_five_minutes_of_skew_is_refused(key, minutes):
    at = datetime.now(UTC) + timedelta(minutes=minutes)
    request = django_request(signed("POST", SEARCH, key_id=key.access_key_id, secret=key.secret, body=BODY, at=at))
    assert refusal(request).type == INVALID_SIGNATURE


@pytest.mark.parametrize("minutes", [-4, 4])
def test_four_minutes_of_skew_is_tolerated(key, minutes):
    at = datetime.now(UTC) + timedelta(minutes=minutes)
    request = django_request(signed("POST", SEARCH, key_id=key.access_key_id, secret=key.secret, body=BODY, at=at))
    assert authenticate(request).access_key_id == key.access_key_id


def test_a_wrong_secret_is_an_invalid_signature(key):
    request = django_request(signed("POST", SEARCH, key_id=key.access_key_id, secret="x" * 40, body=BODY))
    assert refusal(request).type == INVALID_SIGNATURE


def test_an_unknown_key_is_unrecognised(key):
    request = django_request(signed("POST", SEARCH, key_id="PKIAUNKNOWNUNKNOWNXX", secret=key.secret, body=BODY))
    assert refusal(request).type == UNRECOGNIZED_CLIENT


@pytest.mark.parametrize(("service", "region"), [("s3", "ap-northeast-1"), ("connect", "eu-west-1")])
def test_another_service_or_region_is_refused(key, service, region, monkeypatch):
    from botocore.auth import SigV4Auth

    original = SigV4Auth.__init__
    monkeypatch.setattr(SigV4Auth, "__init__", lambda self, c, s, r: original(self, c, service, r))
    request = django_request(signed("POST", SEARCH, key_id=key.access_key_id, secret=key.secret, body=BODY,
                                    region=region))  # fmt: skip
    assert refusal(request).type == INVALID_SIGNATURE


def test_either_configured_region_is_accepted(key, settings):
    settings.AWS_REGION = "us-east-1"
    for region in ("us-east-1", "ap-northeast-1"):
        request = signed("POST", SEARCH, key_id=key.access_key_id, secret=key.secret, body=BODY, region=region)
        assert authenticate(django_request(request)).access_key_id == key.access_key_id


def test_a_revoked_key_is_denied(key):
    assert access_key_revoke(access_key_id=key.access_key_id) is not None
    request = django_request(signed("POST", SEARCH, key_id=key.access_key_id, secret=key.secret, body=BODY))
    refused = refusal(request)
    assert refused.type == ACCESS_DENIED and "revoked" in refused.message


def test_an_expired_key_is_denied(key):
    AccessKey.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    request = django_request(signed("POST", SEARCH, key_id=key.access_key_id, secret=key.secret, body=BODY))
    refused = refusal(request)
    assert refused.type == ACCESS_DENIED and "expired" in refused.message


def test_a_key_of_a_deactivated_user_is_denied(key):
    AccessKey.objects.get().user.__class__.objects.update(is_active=False)
    request = django_request(signed("POST", SEARCH, key_id=key.access_key_id, secret=key.secret, body=BODY))
    assert refusal(request).type == ACCESS_DENIED


def test_a_revoked_key_with_a_wrong_secret_tells_nothing_about_the_key(key):
    access_key_revoke(access_key_id=key.access_key_id)
    request = django_request(signed("POST", SEARCH, key_id=key.access_key_id, secret="y" * 40, body=BODY))
    assert refusal(request).type == INVALID_SIGNATURE


def test_one_query_and_last_use_written_at_most_once_a_minute(key):
    request = signed("POST", SEARCH, key_id=key.access_key_id, secret=key.secret, body=BODY)
    with CaptureQueriesContext(connection) as first:
        authenticate(django_request(request))
    assert len(first) == 2  # the lookup, and the first use recorded
    used = AccessKey.objects.get().last_used_at
    assert used is not None
    with CaptureQueriesContext(connection) as again:
        authenticate(django_request(request))
    assert len(again) == 1
    assert AccessKey.objects.get().last_used_at == used
    later = datetime.now(UTC) + timedelta(minutes=2)
    authenticate(django_request(request), now=later - timedelta(minutes=2, seconds=-61))
    assert AccessKey.objects.get().last_used_at > used


def test_the_secret_is_stored_encrypted(key):
    stored = bytes(AccessKey.objects.get().secret_enc)
    assert key.secret.encode() not in stored
    assert len(key.access_key_id) == 20 and key.access_key_id.startswith("PKIA")
    assert len(key.secret) == 40


def test_a_path_sent_with_its_colons_unencoded(key):
    # Not what botocore sends, but a valid URI another client may send as is.
    request = signed("GET", f"/api/v1/contacts/{ARN}/11111111-0000-4000-8000-000000000001",
                     key_id=key.access_key_id, secret=key.secret)  # fmt: skip
    assert authenticate(django_request(request)).access_key_id == key.access_key_id
