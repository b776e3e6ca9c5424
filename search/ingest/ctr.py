"""Reading one Connect contact record (CTR) into the values the portal stores.

Connect adds fields over time and leaves any of them `null`; only `ContactId` and a
usable `LastUpdateTimestamp` (or another timestamp to stand in for it) are required.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any


class BadRecord(ValueError):
    pass


@dataclass(frozen=True)
class Named:
    """A directory entry seen in a record: an agent, group, queue or routing profile."""

    id: str
    arn: str
    name: str
    level: int | None = None
    parent_id: str | None = None


@dataclass
class ContactRecord:
    contact_id: str
    last_update_ts: datetime
    values: dict[str, Any]
    agent: Named | None = None
    groups: list[Named] = field(default_factory=list)
    queue: Named | None = None
    routing_profile: Named | None = None
    customer_phone: str | None = None
    system_phone: str | None = None
    transferred_to: str | None = None
    attributes: dict[str, str] = field(default_factory=dict)
    recording_location: str | None = None
    recording_status: str | None = None
    recording_deletion_reason: str = ""
    raw: dict = field(default_factory=dict)
    raw_text: str = ""  # the record exactly as delivered, when the reader kept it


def parse_timestamp(value: Any, *, name: str) -> datetime | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise BadRecord(f"bad timestamp in {name}: {value!r}")
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise BadRecord(f"bad timestamp in {name}: {value!r}") from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def arn_id(arn: Any) -> str | None:
    """The last path segment of an ARN. `rpartition` is about five times cheaper than a
    regex search (which tries a match at every slash); a record holds a dozen ARNs."""
    if not isinstance(arn, str):
        return None
    head, slash, last = arn.rpartition("/")
    return last if slash and last else None


def _int(value: Any) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(round(float(value)))
    except (TypeError, ValueError):
        return None


def _dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _address(endpoint: Any) -> str | None:
    address = _dict(endpoint).get("Address")
    return address if isinstance(address, str) and address else None


def _hierarchy(agent: dict) -> list[Named]:
    groups: list[Named] = []
    levels = _dict(agent.get("HierarchyGroups"))
    parent: str | None = None
    for level in range(1, 6):
        entry = _dict(levels.get(f"Level{level}"))
        group_id = arn_id(entry.get("ARN") or entry.get("Arn"))
        if group_id is None:
            break
        groups.append(Named(group_id, entry.get("ARN") or "", str(entry.get("GroupName") or group_id), level, parent))
        parent = group_id
    return groups


def _instance(doc: dict, expected: str) -> str:
    """The record's InstanceARN; a record of another instance than `expected` is refused,
    so a misrouted bucket never mixes another instance's contacts into this portal."""
    arn = doc.get("InstanceARN")
    if arn is None or arn == "":
        return ""
    if not isinstance(arn, str):
        raise BadRecord(f"InstanceARN is not an ARN: {arn!r}")
    arn = arn.strip()
    if expected and arn != expected:
        raise BadRecord(f"record of another Connect instance ({arn[:256]}), not {expected}")
    return arn[:256]


def parse_record(doc: dict, *, raw_text: str = "", instance_arn: str = "") -> ContactRecord:
    """`instance_arn`: this portal's instance; records naming another are refused."""
    contact_id = doc.get("ContactId")
    if not isinstance(contact_id, str) or not contact_id.strip():
        raise BadRecord("record has no ContactId")
    contact_id = contact_id.strip()
    if len(contact_id) > 64:
        raise BadRecord(f"ContactId too long ({len(contact_id)} characters)")

    stamps = {
        "initiation_ts": parse_timestamp(doc.get("InitiationTimestamp"), name="InitiationTimestamp"),
        "connected_to_system_ts": parse_timestamp(
            doc.get("ConnectedToSystemTimestamp"), name="ConnectedToSystemTimestamp"
        ),
        "disconnect_ts": parse_timestamp(doc.get("DisconnectTimestamp"), name="DisconnectTimestamp"),
        "scheduled_ts": parse_timestamp(doc.get("ScheduledTimestamp"), name="ScheduledTimestamp"),
        "transfer_completed_ts": parse_timestamp(
            doc.get("TransferCompletedTimestamp"), name="TransferCompletedTimestamp"
        ),
    }
    agent = _dict(doc.get("Agent"))
    queue = _dict(doc.get("Queue"))
    stamps["connected_to_agent_ts"] = parse_timestamp(
        agent.get("ConnectedToAgentTimestamp"), name="Agent.ConnectedToAgentTimestamp"
    )
    stamps["enqueue_ts"] = parse_timestamp(queue.get("EnqueueTimestamp"), name="Queue.EnqueueTimestamp")
    stamps["dequeue_ts"] = parse_timestamp(queue.get("DequeueTimestamp"), name="Queue.DequeueTimestamp")
    instance = _instance(doc, instance_arn)
    last_update = parse_timestamp(doc.get("LastUpdateTimestamp"), name="LastUpdateTimestamp")
    last_update = last_update or stamps["disconnect_ts"] or stamps["initiation_ts"]
    if last_update is None:
        raise BadRecord("record has no LastUpdateTimestamp")

    duration = None
    if stamps["initiation_ts"] and stamps["disconnect_ts"]:
        duration = max(0, int((stamps["disconnect_ts"] - stamps["initiation_ts"]).total_seconds()))

    lens = _dict(_dict(_dict(doc.get("ContactLens")).get("ConversationalAnalytics")).get("Configuration"))
    values = {
        **stamps,
        "last_update_ts": last_update,
        "duration_seconds": duration,
        "initial_contact_id": str(doc.get("InitialContactId") or "")[:64],
        "previous_contact_id": str(doc.get("PreviousContactId") or "")[:64],
        "next_contact_id": str(doc.get("NextContactId") or "")[:64],
        "channel": str(doc.get("Channel") or "")[:16],
        "initiation_method": str(doc.get("InitiationMethod") or "")[:32],
        "disconnect_reason": str(doc.get("DisconnectReason") or "")[:64],
        "agent_interaction_seconds": _int(agent.get("AgentInteractionDuration")),
        "customer_hold_seconds": _int(agent.get("CustomerHoldDuration")),
        "number_of_holds": _int(agent.get("NumberOfHolds")),
        "longest_hold_seconds": _int(agent.get("LongestHoldDuration")),
        "after_contact_work_seconds": _int(agent.get("AfterContactWorkDuration")),
        "queue_seconds": _int(queue.get("Duration")),
        "language_locale": str(lens.get("LanguageLocale") or "")[:16],
        "redaction_policy": str(_dict(lens.get("RedactionConfiguration")).get("Policy") or "")[:32],
        "instance_arn": instance,
    }

    record = ContactRecord(contact_id=contact_id, last_update_ts=last_update, values=values, raw=doc, raw_text=raw_text)
    agent_id = arn_id(agent.get("ARN"))
    if agent_id:
        record.agent = Named(agent_id, agent["ARN"], str(agent.get("Username") or agent_id))
        record.groups = _hierarchy(agent)
    routing = _dict(agent.get("RoutingProfile"))
    routing_id = arn_id(routing.get("ARN"))
    if routing_id:
        record.routing_profile = Named(routing_id, routing["ARN"], str(routing.get("Name") or routing_id))
    queue_id = arn_id(queue.get("ARN"))
    if queue_id:
        record.queue = Named(queue_id, queue["ARN"], str(queue.get("Name") or queue_id))

    record.customer_phone = _address(doc.get("CustomerEndpoint"))
    record.system_phone = _address(doc.get("SystemEndpoint"))
    record.transferred_to = _address(doc.get("TransferredToEndpoint"))
    attributes = _dict(doc.get("Attributes"))
    record.attributes = {str(k): "" if v is None else str(v) for k, v in attributes.items()}
    _recording(doc, record)
    _check_lengths(record)
    return record


_MAX_ID = 64  # the portal's columns for Connect ids


def _check_lengths(record: ContactRecord) -> None:
    """Connect's ids are short; a longer one is no Connect id, and would not fit."""
    named = [record.agent, record.queue, record.routing_profile, *record.groups]
    for entry in named:
        if entry is not None and len(entry.id) > _MAX_ID:
            raise BadRecord(f"id too long ({len(entry.id)} characters) in {entry.arn[:100]}…")
    if record.recording_location and len(record.recording_location) > 1024:
        raise BadRecord(f"Recording.Location too long ({len(record.recording_location)} characters)")


def _recording(doc: dict, record: ContactRecord) -> None:
    first = _dict(doc.get("Recording"))
    if not first.get("Location"):
        for item in doc.get("Recordings") or []:
            item = _dict(item)
            if item.get("Location") and str(item.get("MediaStreamType", "AUDIO")).upper() == "AUDIO":
                first = item
                break
    location = first.get("Location")
    if isinstance(location, str) and location:
        record.recording_location = location
        record.recording_status = str(first.get("Status") or "AVAILABLE").upper()
        record.recording_deletion_reason = str(first.get("DeletionReason") or "")
