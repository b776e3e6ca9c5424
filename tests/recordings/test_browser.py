"""End to end in headless Chromium: a QA analyst plays the redacted recording; an
administrator deletes one and sees it deleted. Real web server, worker, S3 and Redis."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client

from tests.browser_csp import wait_for_js, watch_csp
from tests.recordings.conftest import REDACTED_TEXT, make_media, wav_bytes

CHROMIUM = Path("/usr/bin/chromium")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.worker,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium"),
]


@pytest.fixture
def browser(monkeypatch):
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--autoplay-policy=no-user-gesture-required"],
        )  # fmt: skip
        yield chromium
        chromium.close()


_CSP_VIOLATIONS: list[str] = []


@pytest.fixture(autouse=True)
def _no_csp_violations():
    _CSP_VIOLATIONS.clear()
    yield
    assert _CSP_VIOLATIONS == []


def _page_for(browser, live_server, user):
    """A browser tab logged in as `user` (the login flow itself is tested with the accounts)."""
    client = Client()
    client.force_login(user)
    context = browser.new_context(base_url=live_server.url)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    page = context.new_page()
    watch_csp(page, _CSP_VIOLATIONS)
    return page


def test_a_qa_analyst_plays_the_redacted_recording(browser, live_server, worker, s3_bucket, org, people):
    media = make_media(s3_bucket, agent=org.alice, audio=wav_bytes(4.0))
    page = _page_for(browser, live_server, people.qa)
    audio_answers = []
    page.on("response", lambda r: audio_answers.append(r.status) if "/api/v1/audio/" in r.url else None)
    page.goto(f"/contacts/{media.contact_id}/")

    assert page.get_by_text(REDACTED_TEXT).is_visible()
    # No way to the original: no button, no form, no download, no link.
    assert page.locator('[data-play-version="ORIGINAL"]').count() == 0
    assert page.get_by_text("Show original transcript").count() == 0
    assert page.locator("a[href*='version=original'], form[action*='download']").count() == 0

    page.get_by_role("button", name="Play").first.click()
    wait_for_js(page, "document.querySelector('#player audio').readyState >= 1", timeout=30000)
    assert 206 in audio_answers
    assert page.locator(".player-ui").is_visible()
    duration = page.evaluate("document.querySelector('#player audio').duration")
    assert duration == pytest.approx(len(media.redacted_audio) / 32000, abs=0.1)

    # Clicking a transcript turn seeks there and highlights it.
    page.locator('.turn-time[data-seek-ms="1000"]').click()
    wait_for_js(page, "document.querySelector('#player audio').currentTime >= 1.0", timeout=10000)
    page.evaluate("document.querySelector('#player audio').pause()")
    page.evaluate("document.querySelector('#player audio').currentTime = 1.2")
    page.wait_for_selector(".turn.current[data-begin-ms='1000']", timeout=10000)

    page.select_option(".speed", "1.5")
    assert page.evaluate("document.querySelector('#player audio').playbackRate") == 1.5
    page.get_by_label("Agent", exact=True).check()  # routes the right channel through Web Audio
    assert page.locator(".player-status.error").count() == 0


def test_an_administrator_deletes_a_recording(browser, live_server, worker, s3_versioned, org, people):
    media = make_media(s3_versioned, agent=org.alice)
    page = _page_for(browser, live_server, people.admin)
    page.goto(f"/contacts/{media.contact_id}/")
    page.get_by_role("link", name="Delete recording…").click()
    assert media.contact_id in page.content()
    page.get_by_label("Reason (recorded in the audit log)").fill("customer asked for erasure")
    page.get_by_role("button", name="Delete recording").click()
    page.wait_for_selector('[data-recording-status="DELETED"]', timeout=45000)
    assert "customer asked for erasure" in page.content()
    assert page.locator("#player").count() == 0
