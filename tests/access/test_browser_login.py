"""End to end in headless Chromium: a manager with unredacted access logs in with a
password, is made to enrol TOTP before anything else, lands on the portal, and next time
logs in with password and code."""

from __future__ import annotations

import shutil
import time
import uuid
from collections.abc import Iterator

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

from portal.accounts import permissions as p
from portal.accounts.default_profiles import DEFAULT_PROFILES
from tests.factories import make_user

CHROMIUM = "/usr/bin/chromium"
PASSWORD = "a-long-and-unguessable-passphrase"
# transactional_db empties every table between tests, the default profiles included.
QUALITY_ANALYST = DEFAULT_PROFILES["QualityAnalyst"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not shutil.which(CHROMIUM), reason=f"Chromium not installed at {CHROMIUM}"),
]


def totp_code(secret: str) -> str:
    """The current code, taken early enough in its 30-second period that the server
    still accepts it when the form arrives."""
    if 30 - time.time() % 30 < 3:
        time.sleep(30 - time.time() % 30 + 0.1)
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


@pytest.fixture
def page(live_server, settings, monkeypatch) -> Iterator:
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; the ORM calls made by the
    # test itself are still plain synchronous ones.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

    # Rate-limit counters live in the shared cache: a private prefix keeps other suites' failed logins out.
    settings.CACHES = {"default": {**settings.CACHES["default"], "KEY_PREFIX": f"test-{uuid.uuid4().hex}"}}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        context = browser.new_context(base_url=live_server.url, locale="en-GB")
        context.set_default_timeout(15_000)
        yield context.new_page()
        browser.close()


def log_in(page, username: str) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():  # the POST's answer, not the page already loaded
        page.press("input[name=password]", "Enter")


def path_of(page) -> str:
    return "/" + page.url.split("/", 3)[3]


def confirm_password_if_asked(page) -> None:
    # allauth asks for the password again before adding an authenticator
    # (MFA_REAUTHENTICATION_REQUIRED, on by default).
    if path_of(page).startswith("/accounts/reauthenticate/"):
        page.fill("input[name=password]", PASSWORD)
        with page.expect_navigation():
            page.press("input[name=password]", "Enter")


def test_password_then_forced_totp_enrolment_then_portal(transactional_db, page):
    user = make_user("manager", permissions=[p.CONTACT_SEARCH, p.RECORDINGS_UNREDACTED], password=PASSWORD)

    log_in(page, "manager")
    # Unredacted access: nothing but the enrolment page until a second factor exists.
    confirm_password_if_asked(page)
    assert path_of(page).startswith("/accounts/2fa/totp/activate/")
    page.goto("/")
    assert path_of(page).startswith("/accounts/2fa/totp/activate/")

    secret = page.input_value("#authenticator_secret")
    page.fill("input[name=code]", totp_code(secret))
    with page.expect_navigation():  # the POST's answer, not the page already loaded
        page.press("input[name=code]", "Enter")
    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    assert secret not in str(authenticator.data), "the TOTP secret must be stored encrypted"

    page.goto("/")
    assert path_of(page) == "/"
    assert page.locator("header nav").get_by_text("manager").is_visible()

    # Log out (server-side), then a fresh login asks for the code and lands on the portal.
    with page.expect_navigation():
        page.locator("header nav").get_by_role("button").last.click()
    page.goto("/")
    assert path_of(page).startswith("/accounts/login/")
    log_in(page, "manager")
    assert path_of(page).startswith("/accounts/2fa/authenticate/")
    page.fill("input[name=code]", totp_code(secret))
    with page.expect_navigation():
        page.press("input[name=code]", "Enter")
    assert path_of(page) == "/"
    assert page.locator("header nav").get_by_text("manager").is_visible()


def test_user_without_mfa_requirement_lands_straight_on_the_portal(transactional_db, page):
    make_user("analyst", permissions=QUALITY_ANALYST, password=PASSWORD)
    log_in(page, "analyst")
    assert path_of(page) == "/"
    assert page.locator("header nav").get_by_text("analyst").is_visible()


def test_wrong_password_stays_on_the_login_page(transactional_db, page):
    make_user("analyst", permissions=QUALITY_ANALYST, password=PASSWORD)
    page.goto("/accounts/login/")
    page.fill("input[name=login]", "analyst")
    page.fill("input[name=password]", "not the password")
    with page.expect_navigation():
        page.press("input[name=password]", "Enter")
    assert path_of(page).startswith("/accounts/login/")
    page.goto("/")
    assert path_of(page).startswith("/accounts/login/")
