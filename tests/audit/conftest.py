from __future__ import annotations

import uuid

import pytest


@pytest.fixture(autouse=True)
def private_cache(settings):
    """Rate-limit counters live in the shared Redis; a private key prefix keeps other
    test runs (and the dev server) from counting against ours."""
    caches = {name: dict(conf) for name, conf in settings.CACHES.items()}
    caches["default"]["KEY_PREFIX"] = f"test-{uuid.uuid4().hex}"
    settings.CACHES = caches


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
