"""Content-Security-Policy violations seen by a headless Chromium tab.

Chromium reports each blocked script, style or connection on the console; the browser
tests collect those lines and expect none."""

from __future__ import annotations

import time


def watch_csp(page, violations: list[str] | None = None) -> list[str]:
    found = [] if violations is None else violations

    def seen(message) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            found.append(message.text)

    page.on("console", seen)
    return found


def wait_for_js(page, expression: str, *, timeout: float = 15_000) -> None:
    """`page.wait_for_function` without its in-page `new Function`, which the policy
    (no 'unsafe-eval') refuses: poll the expression from outside the page instead."""
    deadline = time.monotonic() + timeout / 1000
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout / 1000:.0f}s: {expression}")
        page.wait_for_timeout(50)
