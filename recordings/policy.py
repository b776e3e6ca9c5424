"""Which recording and transcript versions a user may play, read or download.

Pure functions of the user's Connect permissions and the contact's media state, so
every rule is testable without a database. Visibility of the contact itself is not
decided here: callers reach a contact only through `Contact.objects.visible_to(user)`.

Decisions (Connect shows the redacted version where one exists; we add):
- The original recording or transcript is never the default: it is served only when
  asked for explicitly, with a reason that is audited, and only with the matching
  `…Unredacted.Access` permission.
- A contact without redacted media (Contact Lens does not redact Japanese, and the
  portal's own redaction, redaction/, has not run or is off for the language) has
  nothing for redacted-only users, and each user is told the true reason (`audio_gap`).
- A recording older than the bucket's lifecycle rule is gone: never offered for play.
- A recording being deleted or deleted has no playable version and no transcript.
- Downloads need the matching `…DownloadButton` (enforced here, not only hidden).
  Connect has no download permission for the redacted transcript; we require
  `ContactTranscripts.Redacted.Access` plus either `CallRecordings.Redacted.DownloadButton`
  or `ContactTranscripts.Unredacted.DownloadButton` (whoever may take the recording
  or the stronger transcript away may take the redacted text).
- Legal hold and deletion belong to `DeleteCallRecordings` holders.
"""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.accounts import permissions as p
from recordings.models import ORIGINAL, REDACTED, Recording

VERSIONS = (REDACTED, ORIGINAL)

# Transcript states shown to users.
AVAILABLE = "AVAILABLE"
REDACTION_NOT_AVAILABLE = "REDACTION_NOT_AVAILABLE"
PENDING = "PENDING"
MISSING = "MISSING"
DELETED = "DELETED"
NO_ACCESS = "NO_ACCESS"
REDACTION_OFF = "REDACTION_OFF"  # the flow turned Contact Lens redaction off for the contact
NOT_PRODUCED = "NOT_PRODUCED"  # redaction was on, yet no redacted output arrived
NO_REDACTED = "NO_REDACTED"  # no redacted version, and nothing says why

# Why a version of a recording cannot be heard (besides AVAILABLE, PENDING, DELETED, ...).
NOT_RECORDED = "NOT_RECORDED"
DELETING = "DELETING"
EXPIRED = "EXPIRED"  # the bucket's lifecycle rule has removed it
LANGUAGE_NOT_REDACTED = "LANGUAGE_NOT_REDACTED"
NOT_ANALYSED = "NOT_ANALYSED"

# What the contact record and the analysis say about redaction (`MediaState.redaction`).
REDACTION_ON = "ON"
REDACTION_DISABLED = "OFF"
REDACTION_LANGUAGE = "LANGUAGE"  # Contact Lens does not redact the contact's language
# Languages Contact Lens analyses but does not redact.
LENS_UNREDACTED_LANGUAGES = frozenset({"ja-JP"})

FORBIDDEN = "forbidden"  # a visible contact and a missing permission: 403
UNAVAILABLE = "unavailable"  # the version does not exist (or no longer): 400
REASON_REQUIRED = "reason_required"  # 400
INVALID = "invalid"  # 400

_RECORDING_ACCESS = {REDACTED: p.RECORDINGS_REDACTED, ORIGINAL: p.RECORDINGS_UNREDACTED}
_RECORDING_DOWNLOAD = {REDACTED: p.RECORDINGS_REDACTED_DOWNLOAD, ORIGINAL: p.RECORDINGS_UNREDACTED_DOWNLOAD}
_TRANSCRIPT_ACCESS = {REDACTED: p.TRANSCRIPTS_REDACTED, ORIGINAL: p.TRANSCRIPTS_UNREDACTED}


class Denied(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class MediaState:
    """What exists for one contact, as far as the portal knows."""

    recording_status: str | None = None  # None: Connect recorded nothing
    has_redacted_audio: bool = False
    has_original_transcript: bool = False
    has_redacted_transcript: bool = False
    lens_expected: bool = False  # Contact Lens was on for the contact
    redaction: str = ""  # REDACTION_ON, REDACTION_DISABLED, REDACTION_LANGUAGE or "" (not known)
    original_expired: bool = False  # older than the lifecycle rule over the original's key
    redacted_expired: bool = False  # the same for the redacted WAV's key

    @property
    def recording_live(self) -> bool:
        return self.recording_status == Recording.AVAILABLE

    @property
    def analysed(self) -> bool:
        return self.has_original_transcript or self.has_redacted_transcript

    def audio_exists(self, version: str) -> bool:
        if not self.recording_live:
            return False
        if version == ORIGINAL:
            return not self.original_expired
        return self.has_redacted_audio and not self.redacted_expired

    def transcript_exists(self, version: str) -> bool:
        if self.recording_status in (Recording.DELETING, Recording.DELETED):
            return False
        return self.has_redacted_transcript if version == REDACTED else self.has_original_transcript


def audio_gap(state: MediaState, version: str) -> str | None:
    """Why `version` of the recording cannot be heard, or None when it can."""
    if state.recording_status is None:
        return NOT_RECORDED
    if state.recording_status in (Recording.DELETING, Recording.DELETED):
        return state.recording_status
    if state.audio_exists(version):
        return None
    if version == ORIGINAL or state.redacted_expired or (state.original_expired and not state.has_redacted_audio):
        return EXPIRED
    return _redacted_gap(state)


def _redacted_gap(state: MediaState) -> str:
    if state.redaction == REDACTION_LANGUAGE:
        return LANGUAGE_NOT_REDACTED
    if state.redaction == REDACTION_DISABLED:
        return REDACTION_OFF
    if not state.analysed:
        return PENDING if state.lens_expected else NOT_ANALYSED
    return NOT_PRODUCED if state.redaction == REDACTION_ON else NO_REDACTED


def parse_version(value: str | None, *, default: str | None = None) -> str:
    text = (value or default or "").strip().upper()
    if text not in VERSIONS:
        raise Denied(INVALID, _("Version must be REDACTED or ORIGINAL."))
    return text


def needs_reason(version: str) -> bool:
    return version == ORIGINAL


def _check_reason(version: str, reason: str | None) -> None:
    if needs_reason(version) and not (reason or "").strip():
        raise Denied(REASON_REQUIRED, _("Give a reason to access the original (unredacted) version."))


# --- Recordings ---------------------------------------------------------------


def playable_versions(granted: Set[str], state: MediaState) -> tuple[str, ...]:
    return tuple(v for v in VERSIONS if _RECORDING_ACCESS[v] in granted and state.audio_exists(v))


def default_play_version(granted: Set[str], state: MediaState) -> str | None:
    """Redacted where the user may hear it; the original is never chosen implicitly."""
    return REDACTED if REDACTED in playable_versions(granted, state) else None


def may_hear_version(granted: Set[str], version: str) -> bool:
    return _RECORDING_ACCESS[version] in granted


def may_hear_any(granted: Set[str]) -> bool:
    return any(name in granted for name in _RECORDING_ACCESS.values())


def check_hear(granted: Set[str], state: MediaState, version: str) -> None:
    """May the user hear `version` now (permission and existence; the reason is asked once, at play)."""
    permission = _RECORDING_ACCESS[version]
    if permission not in granted:
        raise Denied(FORBIDDEN, _("This needs the %(permission)s permission.") % {"permission": permission})
    _check_audio_exists(state, version)


def check_play(granted: Set[str], state: MediaState, version: str, reason: str | None) -> None:
    check_hear(granted, state, version)
    _check_reason(version, reason)


def _check_audio_exists(state: MediaState, version: str) -> None:
    gap = audio_gap(state, version)
    if gap is not None:
        raise Denied(UNAVAILABLE, str(AUDIO_GAP_MESSAGES[gap]))


AUDIO_GAP_MESSAGES = {
    NOT_RECORDED: gettext_lazy("Connect recorded no audio for this contact."),
    DELETING: gettext_lazy("This recording is being deleted."),
    DELETED: gettext_lazy("This recording has been deleted."),
    EXPIRED: gettext_lazy("The bucket's lifecycle rule has removed this recording from storage."),
    LANGUAGE_NOT_REDACTED: gettext_lazy(
        "There is no redacted recording: redaction is not available for this language."
    ),
    REDACTION_OFF: gettext_lazy("There is no redacted recording: redaction was turned off for this contact."),
    PENDING: gettext_lazy("There is no redacted recording yet: the Contact Lens analysis is pending."),
    NOT_ANALYSED: gettext_lazy("There is no redacted recording: Contact Lens did not analyse this contact."),
    NOT_PRODUCED: gettext_lazy("Contact Lens produced no redacted recording for this contact."),
    NO_REDACTED: gettext_lazy("There is no redacted recording for this contact."),
}


def downloadable_versions(granted: Set[str], state: MediaState) -> tuple[str, ...]:
    return tuple(v for v in playable_versions(granted, state) if _RECORDING_DOWNLOAD[v] in granted)


def check_download(granted: Set[str], state: MediaState, version: str, reason: str | None) -> None:
    check_play(granted, state, version, reason)
    permission = _RECORDING_DOWNLOAD[version]
    if permission not in granted:
        raise Denied(FORBIDDEN, _("This needs the %(permission)s permission.") % {"permission": permission})


# --- Transcripts --------------------------------------------------------------


def readable_transcripts(granted: Set[str], state: MediaState) -> tuple[str, ...]:
    return tuple(v for v in VERSIONS if _TRANSCRIPT_ACCESS[v] in granted and state.transcript_exists(v))


def default_transcript_version(granted: Set[str], state: MediaState) -> str | None:
    return REDACTED if REDACTED in readable_transcripts(granted, state) else None


def transcript_state(granted: Set[str], state: MediaState, version: str = REDACTED) -> str:
    """What the user should be told about `version` of the transcript."""
    if _TRANSCRIPT_ACCESS[version] not in granted:
        return NO_ACCESS
    if state.recording_status in (Recording.DELETING, Recording.DELETED):
        return DELETED
    if state.transcript_exists(version):
        return AVAILABLE
    if version == REDACTED and state.has_original_transcript:
        return _REDACTED_TRANSCRIPT_GAP.get(state.redaction, NO_REDACTED)
    if state.has_redacted_transcript or state.has_original_transcript:
        return MISSING  # original asked for, only the redacted one exists
    return PENDING if state.lens_expected else MISSING


_REDACTED_TRANSCRIPT_GAP = {
    REDACTION_LANGUAGE: REDACTION_NOT_AVAILABLE,
    REDACTION_DISABLED: REDACTION_OFF,
    REDACTION_ON: NOT_PRODUCED,
}


def check_transcript(granted: Set[str], state: MediaState, version: str, reason: str | None) -> None:
    permission = _TRANSCRIPT_ACCESS[version]
    if permission not in granted:
        raise Denied(FORBIDDEN, _("This needs the %(permission)s permission.") % {"permission": permission})
    _check_reason(version, reason)


def transcript_download_allowed(granted: Set[str], version: str) -> bool:
    if version == ORIGINAL:
        return p.TRANSCRIPTS_UNREDACTED_DOWNLOAD in granted and p.TRANSCRIPTS_UNREDACTED in granted
    takes_away = p.RECORDINGS_REDACTED_DOWNLOAD in granted or p.TRANSCRIPTS_UNREDACTED_DOWNLOAD in granted
    return p.TRANSCRIPTS_REDACTED in granted and takes_away


def check_transcript_download(granted: Set[str], state: MediaState, version: str, reason: str | None) -> None:
    check_transcript(granted, state, version, reason)
    if not transcript_download_allowed(granted, version):
        needed = p.TRANSCRIPTS_UNREDACTED_DOWNLOAD if version == ORIGINAL else p.RECORDINGS_REDACTED_DOWNLOAD
        raise Denied(FORBIDDEN, _("This needs the %(permission)s permission.") % {"permission": needed})
    if not state.transcript_exists(version):
        raise Denied(UNAVAILABLE, _("There is no such transcript for this contact."))


# --- Deletion and legal hold --------------------------------------------------


def may_delete(granted: Set[str]) -> bool:
    return p.DELETE_RECORDINGS in granted


def may_manage_legal_hold(granted: Set[str]) -> bool:
    return p.DELETE_RECORDINGS in granted
