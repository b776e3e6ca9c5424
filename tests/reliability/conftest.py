"""Personas and their contacts, shared with the recording tests."""

from tests.recordings.conftest import org, people  # noqa: F401 - fixtures
