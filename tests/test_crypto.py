"""PII encryption and blind indexes; the KMS data-key path with botocore's Stubber
(KMS is the one part that cannot run here)."""

from __future__ import annotations

import base64
import os

import pytest
from botocore.stub import Stubber
from cryptography.exceptions import InvalidTag

from portal import crypto
from portal.phone import phone_blind_index, to_e164


@pytest.fixture(autouse=True)
def fresh_keys():
    crypto.reset_keys()
    yield
    crypto.reset_keys()


@pytest.mark.parametrize("compress", [False, True])
def test_round_trip_and_context_binding(compress):
    token = crypto.encrypt(b"+81312345678" * 50, context="contact-a", compress=compress)
    assert crypto.decrypt(token, context="contact-a") == b"+81312345678" * 50
    assert b"81312345678" not in token
    with pytest.raises(InvalidTag):
        crypto.decrypt(token, context="contact-b")


def test_compression_shrinks_records_and_cannot_be_downgraded():
    record = ('{"ContactId": "x", "Attributes": {"reason": "billing"}, "Agent": null}' * 40).encode()
    packed = crypto.encrypt(record, context="c", compress=True)
    assert len(packed) < len(record) / 4
    tampered = b"\x01" + bytes(packed)[1:]  # claim "not compressed"
    with pytest.raises(InvalidTag):
        crypto.decrypt(tampered, context="c")


def test_nonces_differ_and_blind_index_is_stable_and_keyed(settings):
    assert crypto.encrypt(b"same", context="c") != crypto.encrypt(b"same", context="c")
    first = crypto.blind_index("+81312345678", purpose="phone")
    assert first == crypto.blind_index("+81312345678", purpose="phone")
    assert first != crypto.blind_index("+81312345678", purpose="attribute")
    settings.PORTAL_DATA_KEY = base64.b64encode(os.urandom(32)).decode()
    crypto.reset_keys()
    assert crypto.blind_index("+81312345678", purpose="phone") != first


@pytest.mark.parametrize("typed", ["03-1234-5678", "+81 3 1234 5678", "(03)1234-5678", "tel:+81312345678", "０３１２３４５６７８"])
def test_phone_numbers_normalise_to_e164(typed):
    assert to_e164(typed) == "+81312345678"
    assert phone_blind_index(typed) == phone_blind_index("+81312345678")


def test_unparseable_phone_has_no_index():
    assert to_e164("not a number") is None and phone_blind_index("") is None


def test_kms_data_key_is_decrypted_once(settings):
    plaintext_key = os.urandom(32)
    blob = b"kms-ciphertext-blob"
    settings.PORTAL_DATA_KMS_KEY_ID = "arn:aws:kms:ap-northeast-1:123456789012:key/abcd"
    settings.PORTAL_DATA_KEY = base64.b64encode(blob).decode()
    client = crypto._kms_client()
    with Stubber(client) as stub:
        stub.add_response(
            "decrypt",
            {"Plaintext": plaintext_key, "KeyId": settings.PORTAL_DATA_KMS_KEY_ID},
            {"CiphertextBlob": blob, "KeyId": settings.PORTAL_DATA_KMS_KEY_ID},
        )
        original = crypto._kms_client
        crypto._kms_client = lambda: client
        try:
            token = crypto.encrypt(b"secret", context="c")
            assert crypto.decrypt(token, context="c") == b"secret"  # no second KMS call: the Stubber would fail
        finally:
            crypto._kms_client = original
        stub.assert_no_pending_responses()
    assert crypto._instance_key() == plaintext_key
