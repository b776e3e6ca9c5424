"""allauth's pages render inside the portal layout."""

from __future__ import annotations

import pytest

from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/accounts/login/", "/accounts/password/reset/"])
def test_anonymous_pages(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert 'class="brand"' in response.content.decode()


@pytest.mark.parametrize(
    "path", ["/accounts/logout/", "/accounts/2fa/", "/accounts/password/change/", "/accounts/reauthenticate/"]
)
def test_signed_in_pages(client, path):
    client.force_login(make_user("pat"))
    response = client.get(path)
    assert response.status_code == 200, path
    assert 'class="brand"' in response.content.decode()
