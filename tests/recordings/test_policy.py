"""Which version a user may play, read or download: every permission set × every media state."""

from __future__ import annotations

import itertools

import pytest

from portal.accounts import permissions as p
from portal.accounts.default_profiles import DEFAULT_PROFILES
from recordings import policy
from recordings.models import ORIGINAL, REDACTED
from recordings.policy import Denied, MediaState

MEDIA_PERMISSIONS = (
    p.RECORDINGS_REDACTED,
    p.RECORDINGS_UNREDACTED,
    p.RECORDINGS_REDACTED_DOWNLOAD,
    p.RECORDINGS_UNREDACTED_DOWNLOAD,
    p.TRANSCRIPTS_REDACTED,
    p.TRANSCRIPTS_UNREDACTED,
    p.TRANSCRIPTS_UNREDACTED_DOWNLOAD,
    p.DELETE_RECORDINGS,
)
ALL_GRANTS = [
    frozenset(combo)
    for n in range(len(MEDIA_PERMISSIONS) + 1)
    for combo in itertools.combinations(MEDIA_PERMISSIONS, n)
]
ALL_STATES = [
    MediaState(status, redacted_audio, original_text, redacted_text, lens)
    for status in (None, "AVAILABLE", "DELETING", "DELETED")
    for redacted_audio, original_text, redacted_text, lens in itertools.product((False, True), repeat=4)
]

ENGLISH = MediaState("AVAILABLE", True, True, True, True)
JAPANESE = MediaState("AVAILABLE", False, True, False, True, redaction=policy.REDACTION_LANGUAGE)  # not redacted
DELETED = MediaState("DELETED", True, True, True, True)
CHAT = MediaState(None, False, True, True, True)
PENDING = MediaState("AVAILABLE", False, False, False, True)
UNANALYSED = MediaState("AVAILABLE", False, False, False, False)


def outcome(check, *args) -> str:
    try:
        check(*args)
    except Denied as denied:
        return denied.code
    return "ok"


def profile(name: str) -> frozenset[str]:
    return frozenset(DEFAULT_PROFILES[name])


def test_there_are_256_permission_sets_and_64_states():
    assert len(ALL_GRANTS) == 256 and len(ALL_STATES) == 64


@pytest.mark.parametrize("state", ALL_STATES, ids=str)
def test_play_rules_hold_for_every_permission_set(state):
    for granted in ALL_GRANTS:
        playable = policy.playable_versions(granted, state)
        for version, permission in ((REDACTED, p.RECORDINGS_REDACTED), (ORIGINAL, p.RECORDINGS_UNREDACTED)):
            exists = state.recording_status == "AVAILABLE" and (version == ORIGINAL or state.has_redacted_audio)
            assert (version in playable) == (permission in granted and exists)
            result = outcome(policy.check_play, granted, state, version, "a reason")
            if permission not in granted:
                assert result == policy.FORBIDDEN
            elif not exists:
                assert result == policy.UNAVAILABLE
            else:
                assert result == "ok"
                no_reason = outcome(policy.check_play, granted, state, version, "  ")
                assert no_reason == (policy.REASON_REQUIRED if version == ORIGINAL else "ok")
        # The original is never chosen without being asked for.
        assert policy.default_play_version(granted, state) in (None, REDACTED)
        assert (policy.default_play_version(granted, state) == REDACTED) == (REDACTED in playable)


@pytest.mark.parametrize("state", ALL_STATES, ids=str)
def test_download_needs_the_matching_button_on_top_of_access(state):
    buttons = {REDACTED: p.RECORDINGS_REDACTED_DOWNLOAD, ORIGINAL: p.RECORDINGS_UNREDACTED_DOWNLOAD}
    for granted in ALL_GRANTS:
        downloadable = policy.downloadable_versions(granted, state)
        for version in (REDACTED, ORIGINAL):
            allowed = version in policy.playable_versions(granted, state) and buttons[version] in granted
            assert (version in downloadable) == allowed
            result = outcome(policy.check_download, granted, state, version, "a reason")
            assert (result == "ok") == allowed
            if buttons[version] not in granted and result != "ok":
                assert result in (policy.FORBIDDEN, policy.UNAVAILABLE)


@pytest.mark.parametrize("state", ALL_STATES, ids=str)
def test_transcript_rules_hold_for_every_permission_set(state):
    gone = state.recording_status in ("DELETING", "DELETED")
    for granted in ALL_GRANTS:
        readable = policy.readable_transcripts(granted, state)
        exists = {REDACTED: state.has_redacted_transcript, ORIGINAL: state.has_original_transcript}
        for version, permission in ((REDACTED, p.TRANSCRIPTS_REDACTED), (ORIGINAL, p.TRANSCRIPTS_UNREDACTED)):
            assert (version in readable) == (permission in granted and exists[version] and not gone)
            shown = policy.transcript_state(granted, state, version)
            if permission not in granted:
                assert shown == policy.NO_ACCESS
            elif gone:
                assert shown == policy.DELETED
            elif exists[version]:
                assert shown == policy.AVAILABLE
        assert policy.default_transcript_version(granted, state) in (None, REDACTED)


def test_redacted_only_users_get_nothing_from_a_contact_without_redaction():
    qa = profile("QualityAnalyst")
    assert policy.playable_versions(qa, JAPANESE) == ()
    assert outcome(policy.check_play, qa, JAPANESE, REDACTED, "") == policy.UNAVAILABLE
    assert policy.readable_transcripts(qa, JAPANESE) == ()
    assert policy.transcript_state(qa, JAPANESE, REDACTED) == policy.REDACTION_NOT_AVAILABLE
    assert policy.default_transcript_version(qa, JAPANESE) is None


def test_users_with_both_hear_redacted_by_default_and_the_original_only_when_asked_with_a_reason():
    manager = profile("CallCenterManager")
    assert policy.default_play_version(manager, ENGLISH) == REDACTED
    assert policy.playable_versions(manager, ENGLISH) == (REDACTED, ORIGINAL)
    assert outcome(policy.check_play, manager, ENGLISH, ORIGINAL, "") == policy.REASON_REQUIRED
    assert outcome(policy.check_play, manager, ENGLISH, ORIGINAL, "complaint 1234") == "ok"
    # A Japanese contact: the original is there, still only on an explicit request.
    assert policy.default_play_version(manager, JAPANESE) is None
    assert policy.playable_versions(manager, JAPANESE) == (ORIGINAL,)


def test_default_profiles_as_connect_ships_them():
    qa, agent, admin = profile("QualityAnalyst"), profile("Agent"), profile("Admin")
    assert outcome(policy.check_play, qa, ENGLISH, ORIGINAL, "why") == policy.FORBIDDEN
    assert outcome(policy.check_download, qa, ENGLISH, REDACTED, "") == policy.FORBIDDEN
    assert outcome(policy.check_download, agent, ENGLISH, REDACTED, "") == policy.FORBIDDEN
    assert outcome(policy.check_download, admin, ENGLISH, ORIGINAL, "legal request") == "ok"
    assert (
        policy.may_delete(admin) and not policy.may_delete(qa) and not policy.may_delete(profile("CallCenterManager"))
    )
    assert policy.may_manage_legal_hold(admin) and not policy.may_manage_legal_hold(agent)


def test_a_deleted_recording_has_nothing_to_play_or_read():
    admin = profile("Admin")
    assert policy.playable_versions(admin, DELETED) == ()
    assert policy.readable_transcripts(admin, DELETED) == ()
    assert policy.transcript_state(admin, DELETED) == policy.DELETED
    with pytest.raises(Denied, match="deleted"):
        policy.check_play(admin, DELETED, REDACTED, "")
    with pytest.raises(Denied, match="being deleted"):
        policy.check_play(admin, MediaState("DELETING", True, True, True, True), REDACTED, "")


def test_transcript_states_for_chat_pending_and_unanalysed_contacts():
    qa = profile("QualityAnalyst")
    assert policy.transcript_state(qa, CHAT) == policy.AVAILABLE
    assert policy.playable_versions(qa, CHAT) == ()
    assert policy.transcript_state(qa, PENDING) == policy.PENDING
    assert policy.transcript_state(qa, UNANALYSED) == policy.MISSING


def test_transcript_download_rules():
    redacted_reader = {p.TRANSCRIPTS_REDACTED}
    assert not policy.transcript_download_allowed(redacted_reader, REDACTED)
    assert policy.transcript_download_allowed(redacted_reader | {p.RECORDINGS_REDACTED_DOWNLOAD}, REDACTED)
    assert policy.transcript_download_allowed(redacted_reader | {p.TRANSCRIPTS_UNREDACTED_DOWNLOAD}, REDACTED)
    assert not policy.transcript_download_allowed({p.TRANSCRIPTS_UNREDACTED}, ORIGINAL)
    assert policy.transcript_download_allowed({p.TRANSCRIPTS_UNREDACTED, p.TRANSCRIPTS_UNREDACTED_DOWNLOAD}, ORIGINAL)
    granted = {p.TRANSCRIPTS_UNREDACTED, p.TRANSCRIPTS_UNREDACTED_DOWNLOAD}
    assert outcome(policy.check_transcript_download, granted, ENGLISH, ORIGINAL, "") == policy.REASON_REQUIRED
    assert outcome(policy.check_transcript_download, granted, ENGLISH, ORIGINAL, "audit") == "ok"
    assert outcome(policy.check_transcript_download, granted, DELETED, ORIGINAL, "audit") == policy.UNAVAILABLE


@pytest.mark.parametrize(
    "value, expected",
    [("redacted", REDACTED), ("ORIGINAL", ORIGINAL), (" Original ", ORIGINAL), (None, REDACTED), ("", REDACTED)],
)
def test_version_names(value, expected):
    assert policy.parse_version(value, default=REDACTED) == expected


@pytest.mark.parametrize("value", ["both", "raw", "redacted,original"])
def test_unknown_versions_are_refused(value):
    with pytest.raises(Denied) as denied:
        policy.parse_version(value, default=REDACTED)
    assert denied.value.code == policy.INVALID
