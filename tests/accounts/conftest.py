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


ACCOUNT_TEMPLATES = "portal/accounts/templates"
MFA_MIDDLEWARE = "portal.accounts.middleware.MfaRequiredMiddleware"


@pytest.fixture(autouse=True)
def portal_account_setup(settings):
    """What the project settings are to contain: the MFA middleware, and the portal's
    templates for allauth's pages ahead of allauth's own (allauth is listed first)."""
    if MFA_MIDDLEWARE not in settings.MIDDLEWARE:
        settings.MIDDLEWARE = [*settings.MIDDLEWARE, MFA_MIDDLEWARE]
    templates = [dict(engine) for engine in settings.TEMPLATES]
    dirs = [str(d) for d in templates[0]["DIRS"]]
    if not any(d.endswith(ACCOUNT_TEMPLATES) for d in dirs):
        templates[0]["DIRS"] = [*templates[0]["DIRS"], settings.BASE_DIR / ACCOUNT_TEMPLATES]
        settings.TEMPLATES = templates


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
