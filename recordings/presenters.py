"""The contact as the API and the detail page show it, limited to what the user may see."""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from recordings import policy, selectors
from recordings.models import Recording
from redaction.selectors import redaction_provenance
from search.models import Contact


def iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def _endpoint(address: str | None) -> dict[str, str] | None:
    return {"Address": address, "Type": "TELEPHONE_NUMBER"} if address else None


def _hierarchy(contact: Contact) -> dict[str, dict[str, str | None]]:
    names = list(contact.hierarchy_names or [])
    groups = {}
    for level in range(1, 6):
        group_id = getattr(contact, f"hierarchy_l{level}")
        if group_id:
            groups[f"Level{level}"] = {"Id": group_id, "Name": names[level - 1] if level <= len(names) else None}
    return groups


def _agent(contact: Contact) -> dict[str, Any] | None:
    if contact.agent is None:
        return None
    return {
        "Id": contact.agent.agent_id,
        "Username": contact.agent.username,
        "ConnectedToAgentTimestamp": iso(contact.connected_to_agent_ts),
        "HierarchyGroups": _hierarchy(contact),
        "AgentInteractionDuration": contact.agent_interaction_seconds,
        "CustomerHoldDuration": contact.customer_hold_seconds,
        "NumberOfHolds": contact.number_of_holds,
        "LongestHoldDuration": contact.longest_hold_seconds,
        "AfterContactWorkDuration": contact.after_contact_work_seconds,
    }


def _queue(contact: Contact) -> dict[str, Any] | None:
    if contact.queue is None:
        return None
    return {
        "Id": contact.queue.queue_id,
        "Name": contact.queue.name,
        "EnqueueTimestamp": iso(contact.enqueue_ts),
        "DequeueTimestamp": iso(contact.dequeue_ts),
        "Duration": contact.queue_seconds,
    }


def _analytics(data: dict[str, Any] | None) -> dict[str, Any] | None:
    if data is None:
        return None
    return {
        "LanguageCode": data["language_code"],
        "TotalConversationDurationMillis": data["total_duration_ms"],
        "OverallSentiment": {"AGENT": data["agent_sentiment"], "CUSTOMER": data["customer_sentiment"]},
        "SentimentByQuarter": {"AGENT": data["agent_quarters"], "CUSTOMER": data["customer_quarters"]},
        "TalkTimeMillis": data["talk_time_ms"],
        "TalkTimeByParticipant": data["talk_time_by_participant"],
        "NonTalkTimeMillis": data["non_talk_ms"],
        "NonTalkTimePercent": data["non_talk_percent"],
        "Interruptions": data["interruptions"],
        "Categories": [
            {
                "Name": c["name"],
                "PointsOfInterest": [
                    {"BeginOffsetMillis": s.get("begin_ms"), "EndOffsetMillis": s.get("end_ms")} for s in c["points"]
                ],
            }
            for c in data["categories"]
        ],
    }


# What the recording of a contact is, as a whole (`RecordingNotice.state`).
NOT_RECORDED = policy.NOT_RECORDED
AVAILABLE = "AVAILABLE"
EXPIRED = policy.EXPIRED
DELETING = policy.DELETING
DELETED = policy.DELETED


@dataclass(frozen=True)
class RecordingNotice:
    """What the page and the contact document say about a contact's recording, for one user.

    `state` is the recording as a whole; `message` the sentence shown for it (empty when
    a player says it all); `gaps` why each missing version is missing, whoever may hear
    it; `note` a remark beside the player (a version this user may hear does not exist,
    or, with no player, how long storage keeps the recording).
    """

    state: str
    message: str = ""
    note: str = ""
    reason: str = ""  # the gap `message` or `note` explains
    gaps: dict[str, str] = field(default_factory=dict)
    expiry: selectors.StorageExpiry | None = None


def _day(value: datetime) -> str:
    return formats.date_format(timezone.localtime(value), "Y-m-d")


def _state(state: policy.MediaState) -> str:
    if state.recording_status is None:
        return NOT_RECORDED
    if state.recording_status in (DELETING, DELETED):
        return state.recording_status
    if all(policy.audio_gap(state, v) == policy.EXPIRED for v in policy.VERSIONS):
        return EXPIRED  # the rule removed the original, and no redacted twin outlived it
    return AVAILABLE


def _deleted_message(recording: Recording) -> str:
    parts = [_("Recording deleted")]
    if recording.deleted_at:
        parts.append(formats.date_format(timezone.localtime(recording.deleted_at), "Y-m-d H:i T"))
    if recording.deleted_by_id and recording.deleted_by:
        parts.append(_("by %(user)s") % {"user": recording.deleted_by.username})
    if recording.deletion_reason:
        parts.append(_("Reason: %(reason)s") % {"reason": recording.deletion_reason})
    return " · ".join(parts)


def _expired_message(expiry: selectors.StorageExpiry | None) -> str:
    if expiry is None:
        return str(policy.AUDIO_GAP_MESSAGES[policy.EXPIRED])
    return _(
        "Removed from storage: the bucket's lifecycle rule deletes recordings %(days)s days after the call, "
        "and this one reached that age on %(when)s."
    ) % {"days": expiry.days, "when": _day(expiry.around)}


def _kept_message(expiry: selectors.StorageExpiry | None) -> str:
    if expiry is None or expiry.passed:
        return ""
    return _(
        "Kept in storage until about %(when)s (the bucket's lifecycle rule deletes recordings after %(days)s days)."
    ) % {"when": _day(expiry.around), "days": expiry.days}


def _user_gap(granted: Set[str], gaps: dict[str, str]) -> str:
    """The gap of the first version this user may hear but which does not exist."""
    return next((gaps[v] for v in policy.VERSIONS if v in gaps and policy.may_hear_version(granted, v)), "")


def _gap_message(granted: Set[str], gap: str) -> str:
    message = str(policy.AUDIO_GAP_MESSAGES[gap])
    if not policy.may_hear_version(granted, policy.ORIGINAL):
        message += " " + _("You may only hear redacted recordings.")
    return message


def recording_notice(
    contact: Contact, recording: Recording | None, state: policy.MediaState, granted
) -> RecordingNotice:
    """The true reason for every state of the recording, in the user's language."""
    whole = _state(state)
    gaps = {v: gap for v in policy.VERSIONS if (gap := policy.audio_gap(state, v)) is not None}
    if whole == NOT_RECORDED:
        if contact.channel not in ("VOICE", "", None):
            return RecordingNotice(whole, _("A chat or task has no call recording; its transcript is below."), gaps=gaps)
        return RecordingNotice(whole, str(policy.AUDIO_GAP_MESSAGES[NOT_RECORDED]), gaps=gaps)
    if whole == DELETED:
        return RecordingNotice(whole, _deleted_message(recording), gaps=gaps)
    if whole == DELETING:
        return RecordingNotice(whole, str(policy.AUDIO_GAP_MESSAGES[DELETING]), gaps=gaps)
    expiry = selectors.storage_expiry(recording, contact)
    if whole == EXPIRED:
        return RecordingNotice(whole, _expired_message(expiry), gaps=gaps, expiry=expiry)
    gap = _user_gap(granted, gaps)
    if policy.playable_versions(granted, state):
        note = str(policy.AUDIO_GAP_MESSAGES[gap]) if gap else ""
        return RecordingNotice(whole, _kept_message(expiry), note=note, reason=gap, gaps=gaps, expiry=expiry)
    message = _gap_message(granted, gap) if gap else ""
    return RecordingNotice(whole, message, note=_kept_message(expiry), reason=gap, gaps=gaps, expiry=expiry)


def _media(contact: Contact, user, recording: Recording | None, state: policy.MediaState) -> dict[str, Any]:
    granted = user.connect_permissions
    exists = selectors.versions_summary(state)
    notice = recording_notice(contact, recording, state, granted)
    provenance = redaction_provenance(selectors.analysis_for(contact))
    made_by = provenance.as_json() if provenance is not None else None
    return {
        "Recording": {
            "Status": recording.status if recording else None,
            "State": notice.state,
            "Message": notice.message or None,
            "Note": notice.note or None,
            "Versions": exists["recordings"],
            "Playable": list(policy.playable_versions(granted, state)),
            "Downloadable": list(policy.downloadable_versions(granted, state)),
            "Unavailable": {
                version: {"Reason": gap, "Message": str(policy.AUDIO_GAP_MESSAGES[gap])}
                for version, gap in notice.gaps.items()
            },
            "StorageExpiry": {"LifecycleDays": notice.expiry.days, "Around": iso(notice.expiry.around)}
            if notice.expiry
            else None,
            "DeletionReason": recording.deletion_reason if recording and recording.status != "AVAILABLE" else None,
            "DeletedAt": iso(recording.deleted_at) if recording else None,
            "DeletedBy": recording.deleted_by.username if recording and recording.deleted_by_id else None,
            "RedactedBy": made_by if policy.REDACTED in exists["recordings"] else None,
        },
        "Transcript": {
            "Versions": exists["transcripts"],
            "Readable": list(policy.readable_transcripts(granted, state)),
            "State": policy.transcript_state(granted, state, policy.REDACTED),
            "RedactedBy": made_by if policy.REDACTED in exists["transcripts"] else None,
        },
    }


def contact_document(contact: Contact, user) -> dict[str, Any]:
    """`GET /api/v1/contacts/{ContactId}`: Connect's field names where Connect has them."""
    recording = selectors.recording_for(contact)
    analysis = selectors.analysis_for(contact)
    state = selectors.media_state(contact)
    phones = selectors.phone_numbers(contact)
    document: dict[str, Any] = {
        "Id": contact.contact_id,
        "Arn": contact.arn,
        "InitialContactId": contact.initial_contact_id or None,
        "PreviousContactId": contact.previous_contact_id or None,
        "NextContactId": contact.next_contact_id or None,
        "Channel": contact.channel,
        "InitiationMethod": contact.initiation_method or None,
        "DisconnectReason": contact.disconnect_reason or None,
        "InitiationTimestamp": iso(contact.initiation_ts),
        "ConnectedToSystemTimestamp": iso(contact.connected_to_system_ts),
        "DisconnectTimestamp": iso(contact.disconnect_ts),
        "ScheduledTimestamp": iso(contact.scheduled_ts),
        "TransferCompletedTimestamp": iso(contact.transfer_completed_ts),
        "LastUpdateTimestamp": iso(contact.last_update_ts),
        "DurationSeconds": contact.duration_seconds,
        "AgentInfo": _agent(contact),
        "QueueInfo": _queue(contact),
        "RoutingProfile": {"Id": contact.routing_profile.routing_profile_id, "Name": contact.routing_profile.name}
        if contact.routing_profile
        else None,
        "CustomerEndpoint": _endpoint(phones.customer),
        "SystemEndpoint": _endpoint(phones.system),
        "TransferredToEndpoint": _endpoint(phones.transferred_to),
        "LanguageLocale": contact.language_locale or None,
        "LegalHold": contact.legal_hold,
        "RelatedContacts": {k.title(): v for k, v in selectors.visible_neighbours(contact, user).items()},
        **_media(contact, user, recording, state),
    }
    attributes = selectors.attributes_for(contact, user)
    if attributes is not None:
        document["Attributes"] = attributes
    analytics = _analytics(selectors.analytics_for(analysis, user))
    if analytics is not None:
        document["Analytics"] = analytics
    return document
