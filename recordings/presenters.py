"""The contact as the API and the detail page show it, limited to what the user may see."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings

from recordings import policy, selectors
from recordings.models import Recording
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


def _media(contact: Contact, user, recording: Recording | None, state: policy.MediaState) -> dict[str, Any]:
    granted = user.connect_permissions
    exists = selectors.versions_summary(state)
    return {
        "Recording": {
            "Status": recording.status if recording else None,
            "Versions": exists["recordings"],
            "Playable": list(policy.playable_versions(granted, state)),
            "Downloadable": list(policy.downloadable_versions(granted, state)),
            "DeletionReason": recording.deletion_reason if recording and recording.status != "AVAILABLE" else None,
            "DeletedAt": iso(recording.deleted_at) if recording else None,
        },
        "Transcript": {
            "Versions": exists["transcripts"],
            "Readable": list(policy.readable_transcripts(granted, state)),
            "State": policy.transcript_state(granted, state, policy.REDACTED),
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
        "Arn": f"{settings.CONNECT_INSTANCE_ARN}/contact/{contact.contact_id}",
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
