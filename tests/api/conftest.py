"""Signing helpers and the search world for tests of the AWS-facing API.

Requests are signed by botocore itself (the client side), so the portal's verifier is
held to what real clients send."""

from __future__ import annotations

from datetime import UTC, datetime
from unittest import mock
from urllib.parse import urlsplit

import pytest
from botocore.auth import SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from django.test import Client, RequestFactory

from tests.search.conftest import fast_passwords, mfa, search_world  # noqa: F401

REGION = "ap-northeast-1"  # the demo instance's region (CONNECT_INSTANCE_ARN)
HOST = "testserver"


@pytest.fixture(autouse=True)
def _private_rate_limit_keys(settings):
    import uuid

    caches = {name: dict(conf) for name, conf in settings.CACHES.items()}
    caches["default"]["KEY_PREFIX"] = f"test-{uuid.uuid4().hex}"
    settings.CACHES = caches


def signed(
    method: str,
    path: str,
    *,
    key_id: str,
    secret: str,
    body: bytes = b"",
    region: str = REGION,
    at: datetime | None = None,
    presign_expires: int | None = None,
    headers: dict[str, str] | None = None,
) -> AWSRequest:
    """A request to `path` on the test server, signed by botocore (at `at`, or now)."""
    request = AWSRequest(method=method, url=f"http://{HOST}{path}", data=body, headers=dict(headers or {}))
    if body:
        request.headers["Content-Type"] = "application/x-amz-json-1.1"
    credentials = Credentials(key_id, secret)
    signer = (
        SigV4QueryAuth(credentials, "connect", region, expires=presign_expires)
        if presign_expires
        else SigV4Auth(credentials, "connect", region)
    )
    moment = at or datetime.now(UTC)
    with mock.patch("botocore.auth.get_current_datetime", return_value=moment.replace(tzinfo=None)):
        signer.add_auth(request)
    return request


def _django_kwargs(request: AWSRequest) -> tuple[str, dict]:
    parts = urlsplit(request.url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    headers = {k: v for k, v in request.headers.items() if k.lower() != "content-type"}
    headers.setdefault("Host", HOST)
    kwargs = {"data": request.body or b"", "headers": headers}
    if request.headers.get("Content-Type"):
        kwargs["content_type"] = request.headers["Content-Type"]
    return target, kwargs


def send(request: AWSRequest):
    """Send a signed request through Django's test client, exactly as signed."""
    target, kwargs = _django_kwargs(request)
    return Client().generic(request.method, target, **kwargs)


def django_request(request: AWSRequest, **meta):
    """The Django request a server would build from `request` (for the verifier alone)."""
    target, kwargs = _django_kwargs(request)
    built = RequestFactory().generic(request.method, target, **kwargs)
    built.META.update(meta)
    return built
