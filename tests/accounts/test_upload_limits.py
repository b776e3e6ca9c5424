"""Uploads are small and bounded: an oversized security-profile file is refused with a
message that says why, before its content is read."""

from __future__ import annotations

import io
import json

import pytest

from portal.accounts import permissions as p
from portal.accounts.admin_forms import SecurityProfileImportForm
from portal.accounts.models import SecurityProfile
from tests.factories import make_user

pytestmark = pytest.mark.django_db
IMPORT = "/admin/accounts/securityprofile/import/"


@pytest.fixture
def editor(client):
    user = make_user("sec", permissions=[p.SECURITY_PROFILES_EDIT])
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    client.force_login(user)
    return user


def _upload(content: bytes) -> io.BytesIO:
    upload = io.BytesIO(content)
    upload.name = "profiles.json"
    return upload


def test_an_oversized_profile_file_is_refused_with_a_clear_message(client, editor):
    document = {"SecurityProfileName": "Huge", "Permissions": ["ContactSearch.View"], "Description": ""}
    padded = json.dumps(document).encode().ljust(3 * SecurityProfileImportForm.MAX_BYTES, b" ")
    response = client.post(IMPORT, {"file": _upload(padded)})
    assert response.status_code == 200
    assert "The file is too large (3.0\xa0MB); a security profile file is at most 1.0\xa0MB." in response.content.decode()
    assert not SecurityProfile.objects.filter(name="Huge").exists()


def test_a_profile_file_under_the_limit_is_imported(client, editor):
    document = {"SecurityProfileName": "Small", "Permissions": ["ContactSearch.View"]}
    assert client.post(IMPORT, {"file": _upload(json.dumps(document).encode())}).status_code == 302
    assert SecurityProfile.objects.filter(name="Small").exists()


def test_request_bodies_other_than_files_are_capped(settings):
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= 2_621_440
