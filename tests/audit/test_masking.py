"""Audit details never carry phone numbers, but identifiers and times stay readable."""

from __future__ import annotations

import pytest

from portal.audit.masking import mask, mask_text


@pytest.mark.parametrize(
    "text",
    ["+81312345678", "03-1234-5678", "0120-12-3456", "(03) 1234 5678", "090 1234 5678", "call +1 (206) 555-0100 now"],
)
def test_phone_numbers_are_masked(text):
    masked = mask_text(text)
    assert sum(ch.isdigit() for ch in masked) == 2 and "•" in masked


@pytest.mark.parametrize(
    "text",
    [
        "6f1c5a2e-8b4d-4c3a-9e7f-0a1b2c3d4e5f",
        "2026-11-01",
        "2026-11-01T09:00:00Z",
        "2026-11-01T18:00:00+09:00",
        "2026-11-01 09:00",
        "contact 6f1c5a2e-8b4d-4c3a-9e7f-0a1b2c3d4e5f on 2026-11-01",
    ],
)
def test_identifiers_and_times_are_kept(text):
    assert mask_text(text) == text


def test_phone_keys_spare_nothing():
    assert mask({"CustomerPhoneNumber": "2026-11-01"}) == {"CustomerPhoneNumber": "••••••••01"}
    assert mask({"password": "hunter2"}) == {"password": "•••"}
    assert mask({"Values": ["a", "b"]}) == {"Values": ["•••", "•••"]}


def test_nested_structures_and_numbers():
    details = {"criteria": {"ContactId": "6f1c5a2e-8b4d-4c3a-9e7f-0a1b2c3d4e5f", "Note": "tel 03-1234-5678"}, "n": 5}
    masked = mask(details)
    assert masked["criteria"]["ContactId"] == "6f1c5a2e-8b4d-4c3a-9e7f-0a1b2c3d4e5f"
    assert "1234" not in masked["criteria"]["Note"]
    assert masked["n"] == 5
