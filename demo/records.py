"""Contact trace records (CTRs) in Connect's own JSON shape (data model "2017-03-10").

`Contact` holds what happened on one contact (times as epoch seconds); `ctr_record`
turns it into the dict Connect streams out, keys in Connect's alphabetical order.
`stale_version` is the same contact as an earlier update, as Kinesis/Firehose may
deliver it again after the final one (at-least-once delivery).
"""

from __future__ import annotations

import calendar
import random
import time
from dataclasses import dataclass, field

from demo.directory import JA_JP, Agent, Directory, Queue

FORMAT_VERSION = "2017-03-10"


_VARIANT = {c: "89ab"[int(c, 16) & 3] for c in "0123456789abcdef"}


def uuid4(rng: random.Random) -> str:
    """A version-4 UUID drawn from `rng` (uuid.uuid4 would read the OS entropy pool)."""
    h = f"{rng.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{_VARIANT[h[16]]}{h[17:20]}-{h[20:]}"


def uuid4_batch(rng: random.Random, count: int) -> list[str]:
    """`count` version-4 UUIDs from one draw: much cheaper than `count` calls of uuid4."""
    h = f"{rng.getrandbits(128 * count):0{32 * count}x}" if count else ""
    out = []
    for i in range(0, 32 * count, 32):
        out.append(
            f"{h[i : i + 8]}-{h[i + 8 : i + 12]}-4{h[i + 13 : i + 16]}-{_VARIANT[h[i + 16]]}"
            f"{h[i + 17 : i + 20]}-{h[i + 20 : i + 32]}"
        )
    return out


# random.randint/randrange/choice cost about ten times random() itself; the generator
# draws millions of numbers, so these two helpers do the same from one random().
def between(rng: random.Random, low: int, high: int) -> int:
    """An int in [low, high], like rng.randint."""
    return low + int(rng.random() * (high - low + 1))


def pick(rng: random.Random, seq):  # noqa: ANN001, ANN201 - any sequence
    """An element of seq, like rng.choice."""
    return seq[int(rng.random() * len(seq))]


_DAYS: dict[int, str] = {}


def ts(epoch: int | None) -> str | None:
    """Connect's CTR timestamp format, `yyyy-mm-ddThh:mm:ssZ` in UTC."""
    if epoch is None:
        return None
    day, second = divmod(epoch, 86400)
    prefix = _DAYS.get(day)
    if prefix is None:
        prefix = _DAYS[day] = time.strftime("%Y-%m-%dT", time.gmtime(day * 86400))
    hour, rest = divmod(second, 3600)
    return f"{prefix}{hour:02d}:{rest // 60:02d}:{rest % 60:02d}Z"


def recording_key(alias: str, contact_id: str, connected: int) -> str:
    """`connect/<alias>/CallRecordings/YYYY/MM/DD/<contactId>_YYYYMMDDThh:mm_UTC.wav` (bucket-relative)."""
    t = time.gmtime(connected)
    return (
        f"connect/{alias}/CallRecordings/{t.tm_year:04d}/{t.tm_mon:02d}/{t.tm_mday:02d}/"
        f"{contact_id}_{time.strftime('%Y%m%dT%H:%M', t)}_UTC.wav"
    )


@dataclass(slots=True)
class Contact:
    contact_id: str
    channel: str  # VOICE | CHAT
    language: str
    method: str  # INBOUND | OUTBOUND | TRANSFER | CALLBACK | API
    initiation: int
    disconnect: int
    disconnect_reason: str
    customer_number: str | None = None
    system_number: str | None = None
    connected_system: int | None = None
    queue: Queue | None = None
    enqueue: int | None = None
    dequeue: int | None = None
    agent: Agent | None = None
    connected_agent: int | None = None
    agent_left: int | None = None
    interaction_s: int = 0
    hold_s: int = 0
    holds: int = 0
    longest_hold_s: int = 0
    acw_s: int = 0
    last_update: int = 0
    previous_id: str | None = None
    initial_id: str | None = None
    next_id: str | None = None
    transfer_completed: int | None = None
    transferred_to: str | None = None
    recording_location: str | None = None  # "bucket/key"
    attributes: dict[str, str] | None = field(default_factory=dict)
    tags: dict[str, str] | None = None
    extras: dict | None = None  # fields newer than the portal (consumers must ignore them)
    topic: str = ""


def _hierarchy(directory: Directory, agent: Agent, compact: bool) -> dict:
    levels: dict[str, dict | None] = {
        f"Level{g.level}": {"ARN": g.arn, "GroupName": g.name} for g in directory.lineage(agent.group_id)
    }
    if not compact:  # most records spell out the unused levels as null, some leave them out
        for level in range(1, 6):
            levels.setdefault(f"Level{level}", None)
    return {key: levels[key] for key in sorted(levels)}


def _agent_section(directory: Directory, c: Contact, compact: bool) -> dict | None:
    agent = c.agent
    if agent is None:
        return None
    acw_start = c.agent_left
    profile = directory.routing_profile(agent.routing_profile_id)
    return {
        "ARN": agent.arn,
        "AfterContactWorkDuration": c.acw_s,
        "AfterContactWorkEndTimestamp": ts(acw_start + c.acw_s if acw_start is not None else None),
        "AfterContactWorkStartTimestamp": ts(acw_start),
        "AgentInteractionDuration": c.interaction_s,
        "ConnectedToAgentTimestamp": ts(c.connected_agent),
        "CustomerHoldDuration": c.hold_s,
        "HierarchyGroups": _hierarchy(directory, agent, compact),
        "LongestHoldDuration": c.longest_hold_s,
        "NumberOfHolds": c.holds,
        "RoutingProfile": {"ARN": profile.arn, "Name": profile.name},
        "Username": agent.username,
    }


def _queue_section(c: Contact) -> dict | None:
    if c.queue is None:
        return None
    duration = (c.dequeue - c.enqueue) if c.enqueue is not None and c.dequeue is not None else 0
    return {
        "ARN": c.queue.arn,
        "DequeueTimestamp": ts(c.dequeue),
        "Duration": duration,
        "EnqueueTimestamp": ts(c.enqueue),
        "Name": c.queue.name,
    }


def _recording_sections(c: Contact) -> tuple[dict | None, list | None]:
    if c.recording_location is None:
        return None, None
    recording = {"DeletionReason": None, "Location": c.recording_location, "Status": "AVAILABLE", "Type": "AUDIO"}
    recordings = [
        {
            "DeletionReason": None,
            "FragmentStartNumber": None,
            "FragmentStopNumber": None,
            "Location": c.recording_location,
            "MediaStreamType": "AUDIO",
            "ParticipantType": "ALL",
            "StartTimestamp": ts(c.connected_agent),
            "Status": "AVAILABLE",
            "StopTimestamp": ts(c.agent_left),
            "StorageType": "S3",
        }
    ]
    return recording, recordings


def _contact_lens(c: Contact) -> dict:
    japanese = c.language == JA_JP
    return {
        "ConversationalAnalytics": {
            "Configuration": {
                "Enabled": True,
                "LanguageLocale": c.language,
                # Contact Lens cannot redact Japanese, so the flow leaves redaction off there.
                "RedactionConfiguration": {
                    "Behavior": "Disable" if japanese else "Enable",
                    "Policy": "None" if japanese else "RedactedAndOriginal",
                },
            }
        }
    }


def ctr_record(directory: Directory, c: Contact, compact_hierarchy: bool = False) -> dict:
    voice = c.channel == "VOICE"
    recording, recordings = _recording_sections(c)
    record = {
        "AWSAccountId": directory.account_id,
        "AWSContactTraceRecordFormatVersion": FORMAT_VERSION,
        "Agent": _agent_section(directory, c, compact_hierarchy),
        "AgentConnectionAttempts": 1 if c.agent else 0,
        "Attributes": c.attributes,
        "Channel": c.channel,
        "ConnectedToSystemTimestamp": ts(c.connected_system),
        "ContactId": c.contact_id,
        "ContactLens": _contact_lens(c),
        "CustomerEndpoint": {"Address": c.customer_number, "Type": "TELEPHONE_NUMBER"} if c.customer_number else None,
        "DisconnectReason": c.disconnect_reason,
        "DisconnectTimestamp": ts(c.disconnect),
        "InitialContactId": c.initial_id,
        "InitiationMethod": c.method,
        "InitiationTimestamp": ts(c.initiation),
        "InstanceARN": directory.instance_arn,
        "LastUpdateTimestamp": ts(c.last_update),
        "MediaStreams": [{"Type": "AUDIO" if voice else "CHAT"}],
        "NextContactId": c.next_id,
        "PreviousContactId": c.previous_id,
        "Queue": _queue_section(c),
        "Recording": recording,
        "Recordings": recordings,
        "ScheduledTimestamp": None,
        "SystemEndpoint": {"Address": c.system_number, "Type": "TELEPHONE_NUMBER"} if c.system_number else None,
        "Tags": c.tags,
        "TransferCompletedTimestamp": ts(c.transfer_completed),
        "TransferredToEndpoint": (
            {"Address": c.transferred_to, "Type": "TELEPHONE_NUMBER"} if c.transferred_to else None
        ),
    }
    if c.extras:
        record.update(c.extras)
        record = {key: record[key] for key in sorted(record)}
    return record


def stale_version(record: dict, rng: random.Random) -> dict:
    """The record as an earlier update: before after-contact work was finished."""
    older = dict(record)
    disconnect = record["DisconnectTimestamp"]
    agent = record.get("Agent")
    if agent:
        older["Agent"] = dict(agent, AfterContactWorkDuration=None, AfterContactWorkEndTimestamp=None)
    older["LastUpdateTimestamp"] = _shift(disconnect, rng.randint(1, 4))
    if older["LastUpdateTimestamp"] >= record["LastUpdateTimestamp"]:
        older["LastUpdateTimestamp"] = _shift(record["LastUpdateTimestamp"], -1)
    return older


def _shift(stamp: str, seconds: int) -> str:
    epoch = calendar.timegm(time.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ"))
    return ts(epoch + seconds)  # type: ignore[return-value]
