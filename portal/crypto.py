"""PII protection: AES-GCM encryption and keyed blind indexes.

All keys are derived (HKDF) from one instance key, `PORTAL_DATA_KEY`: either 32 raw
bytes in base64, or, with `PORTAL_DATA_KMS_KEY_ID`, a KMS-encrypted data key that is
decrypted once per process. Separate derived keys keep a leaked blind index from
helping anyone decrypt, and vice versa.
"""

from __future__ import annotations

import base64
import functools
import hmac
import json
import os
import zlib
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

_NONCE_BYTES = 12
_VERSION = b"\x01"
_VERSION_COMPRESSED = b"\x02"  # plaintext was zlib-compressed before sealing


def _kms_client():
    import boto3

    return boto3.client("kms", region_name=settings.AWS_REGION)


@functools.cache
def _instance_key() -> bytes:
    raw = settings.PORTAL_DATA_KEY
    if not raw:
        raise ImproperlyConfigured("PORTAL_DATA_KEY is not set")
    try:
        blob = base64.b64decode(raw, validate=True)
    except ValueError:
        raise ImproperlyConfigured("PORTAL_DATA_KEY must be base64") from None
    if settings.PORTAL_DATA_KMS_KEY_ID:
        answer = _kms_client().decrypt(CiphertextBlob=blob, KeyId=settings.PORTAL_DATA_KMS_KEY_ID)
        blob = answer["Plaintext"]
    if len(blob) != 32:
        raise ImproperlyConfigured("PORTAL_DATA_KEY must decode to 32 bytes")
    return blob


@functools.cache
def _derived(purpose: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose.encode()).derive(_instance_key())


@functools.cache
def _aead() -> AESGCM:
    # One cipher object per process: building it per value showed up in ingest profiles.
    return AESGCM(_derived("pii-encryption"))


def load_keys() -> None:
    """Fetch the instance key now (a KMS call at most), e.g. before forking worker
    processes, so each child inherits it instead of asking KMS again."""
    _instance_key()


def reset_keys() -> None:
    """Forget derived keys (tests that switch PORTAL_DATA_KEY)."""
    _instance_key.cache_clear()
    _derived.cache_clear()
    _aead.cache_clear()


def encrypt(plaintext: bytes, *, context: str, compress: bool = False) -> bytes:
    """AES-GCM; `context` (e.g. the contact id) is bound as associated data so a
    ciphertext copied onto another row fails to decrypt. `compress` suits large
    texts (whole records): ciphertext does not compress, so it must happen before."""
    version = _VERSION_COMPRESSED if compress else _VERSION
    if compress:
        plaintext = zlib.compress(plaintext, 1)
    nonce = os.urandom(_NONCE_BYTES)
    # The compressed format also binds its version byte, so it cannot be passed off as the plain one.
    associated = (version + context.encode()) if compress else context.encode()
    sealed = _aead().encrypt(nonce, plaintext, associated)
    return version + nonce + sealed


def decrypt(token: bytes, *, context: str) -> bytes:
    token = bytes(token)
    version = token[:1]
    if version not in (_VERSION, _VERSION_COMPRESSED):
        raise ValueError("unknown ciphertext version")
    nonce, sealed = token[1 : 1 + _NONCE_BYTES], token[1 + _NONCE_BYTES :]
    associated = (version + context.encode()) if version == _VERSION_COMPRESSED else context.encode()
    plaintext = _aead().decrypt(nonce, sealed, associated)
    return zlib.decompress(plaintext) if version == _VERSION_COMPRESSED else plaintext


def encrypt_text(value: str | None, *, context: str) -> bytes | None:
    return None if value is None else encrypt(value.encode(), context=context)


def decrypt_text(token: bytes | None, *, context: str) -> str | None:
    return None if token is None else decrypt(token, context=context).decode()


def encrypt_json(value: Any, *, context: str) -> bytes:
    return encrypt(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode(), context=context)


def decrypt_json(token: bytes | None, *, context: str) -> Any:
    return None if token is None else json.loads(decrypt(token, context=context))


def blind_index(value: str, *, purpose: str) -> bytes:
    """A keyed hash for exact-match search; 16 bytes keeps indexes small and is ample
    against collisions among a few million values."""
    return hmac.digest(_derived(f"blind-index:{purpose}"), value.encode(), "sha256")[:16]


def attribute_blind_index(key: str, value: str) -> bytes:
    """The keyed hash of one custom attribute, the same at ingest and in search."""
    return blind_index(f"{key}\x00{value}", purpose="attribute")
