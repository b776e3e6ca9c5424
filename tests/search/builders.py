"""Connect-shaped files for search tests: contact records (CONNECT §4) and Contact Lens
analyses (CONNECT §6), written to a folder and read by the real ingestion."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

INSTANCE = "arn:aws:connect:ap-northeast-1:123456789012:instance/00000000-0000-4000-8000-000000000001"


def arn(kind: str, ident: str) -> str:
    return f"{INSTANCE}/{kind}/{ident}"


def iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None


@dataclass
class Call:
    """One contact: its record, and optionally its analysis (original and/or redacted)."""

    contact_id: str
    started: datetime
    agent: str | None = None
    groups: tuple[tuple[str, str], ...] = ()  # (group id, name), level 1 first
    channel: str = "VOICE"
    method: str = "INBOUND"
    duration: int = 300
    queue: tuple[str, str] | None = ("q-billing", "Billing")
    routing_profile: tuple[str, str] | None = ("rp-basic", "Basic Routing")
    customer_phone: str | None = "+81312345678"
    system_phone: str | None = "+81501234567"
    disconnect_reason: str = "CUSTOMER_DISCONNECT"
    attributes: dict[str, str] = field(default_factory=dict)
    recording: str | None = "AVAILABLE"  # AVAILABLE, DELETED or None
    scheduled: datetime | None = None
    # Analysis: turns as (role, original text, redacted text or None when not redacted).
    turns: list[tuple[str, str, str | None]] = field(default_factory=list)
    language: str = "en-US"
    agent_sentiment: float | None = None
    customer_sentiment: float | None = None
    agent_quarters: tuple[float, ...] = ()
    customer_quarters: tuple[float, ...] = ()
    categories: tuple[str, ...] = ()
    non_talk_ms: int = 0
    interruptions: int = 0

    @property
    def redacted(self) -> bool:
        return any(r is not None for _, _, r in self.turns)


def ctr(call: Call) -> dict:
    started = call.started
    ended = started + timedelta(seconds=call.duration)
    record = {
        "AWSAccountId": "123456789012",
        "AWSContactTraceRecordFormatVersion": "2017-03-10",
        "InstanceARN": INSTANCE,
        "ContactId": call.contact_id,
        "InitialContactId": None,
        "PreviousContactId": None,
        "NextContactId": None,
        "Channel": call.channel,
        "InitiationMethod": call.method,
        "InitiationTimestamp": iso(started),
        "ConnectedToSystemTimestamp": iso(started + timedelta(seconds=1)),
        "DisconnectTimestamp": iso(ended),
        "ScheduledTimestamp": iso(call.scheduled),
        "LastUpdateTimestamp": iso(ended + timedelta(minutes=1)),
        "DisconnectReason": call.disconnect_reason,
        "Attributes": call.attributes,
        "CustomerEndpoint": {"Address": call.customer_phone, "Type": "TELEPHONE_NUMBER"}
        if call.customer_phone
        else None,
        "SystemEndpoint": {"Address": call.system_phone, "Type": "TELEPHONE_NUMBER"} if call.system_phone else None,
        "Queue": None,
        "Agent": None,
        "Recording": None,
        "ContactLens": {
            "ConversationalAnalytics": {"Configuration": {"Enabled": bool(call.turns), "LanguageLocale": call.language}}
        },
    }
    if call.queue:
        record["Queue"] = {
            "ARN": arn("queue", call.queue[0]),
            "Name": call.queue[1],
            "EnqueueTimestamp": iso(started + timedelta(seconds=5)),
            "DequeueTimestamp": iso(started + timedelta(seconds=20)),
            "Duration": 15,
        }
    if call.agent:
        record["Agent"] = {
            "ARN": arn("agent", call.agent),
            "Username": call.agent,
            "ConnectedToAgentTimestamp": iso(started + timedelta(seconds=20)),
            "AgentInteractionDuration": call.duration - 30,
            "RoutingProfile": {"ARN": arn("routing-profile", call.routing_profile[0]), "Name": call.routing_profile[1]}
            if call.routing_profile
            else None,
            "HierarchyGroups": {
                f"Level{level}": {"ARN": arn("agent-group", gid), "GroupName": name}
                for level, (gid, name) in enumerate(call.groups, start=1)
            },
        }
    if call.recording:
        record["Recording"] = {
            "Location": f"bucket/connect/demo/CallRecordings/{call.contact_id}.wav",
            "Status": call.recording,
            "Type": "AUDIO",
            "DeletionReason": "customer request" if call.recording == "DELETED" else None,
        }
    return record


def _quarters(scores: tuple[float, ...], total: int) -> list[dict]:
    step = total // 4
    return [
        {"BeginOffsetMillis": i * step, "EndOffsetMillis": (i + 1) * step, "Score": s} for i, s in enumerate(scores)
    ]


def analysis(call: Call, *, redacted: bool) -> dict:
    total = call.duration * 1000
    transcript = []
    for position, (role, original, redacted_text) in enumerate(call.turns):
        content = redacted_text if redacted and redacted_text is not None else original
        transcript.append(
            {
                "Id": f"t{position}",
                "ParticipantId": role,
                "Content": content,
                "BeginOffsetMillis": position * 1000,
                "EndOffsetMillis": position * 1000 + 900,
                "Sentiment": "NEUTRAL",
            }
        )
    return {
        "Version": "1.1.0",
        "AccountId": "123456789012",
        "Channel": "VOICE",
        "ContentMetadata": {"Output": "Redacted" if redacted else "Raw"},
        "JobStatus": "COMPLETED",
        "LanguageCode": call.language,
        "Participants": [
            {"ParticipantId": "AGENT", "ParticipantRole": "AGENT"},
            {"ParticipantId": "CUSTOMER", "ParticipantRole": "CUSTOMER"},
            {"ParticipantId": "SYSTEM", "ParticipantRole": "SYSTEM"},
        ],
        "Categories": {
            "MatchedCategories": list(call.categories),
            "MatchedDetails": {name: {"PointsOfInterest": []} for name in call.categories},
        },
        "ConversationCharacteristics": {
            "TotalConversationDurationMillis": total,
            "Sentiment": {
                "OverallSentiment": {"AGENT": call.agent_sentiment, "CUSTOMER": call.customer_sentiment},
                "SentimentByPeriod": {
                    "QUARTER": {
                        "AGENT": _quarters(call.agent_quarters, total),
                        "CUSTOMER": _quarters(call.customer_quarters, total),
                    }
                },
            },
            "Interruptions": {"TotalCount": call.interruptions, "TotalTimeMillis": call.interruptions * 500},
            "NonTalkTime": {"TotalTimeMillis": call.non_talk_ms, "Instances": []},
            "TalkTime": {"TotalTimeMillis": total - call.non_talk_ms, "DetailsByParticipant": {}},
        },
        "CustomerMetadata": {"ContactId": call.contact_id, "InstanceId": INSTANCE.rsplit("/", 1)[-1]},
        "Transcript": transcript,
    }


def write_calls(folder: Path, calls: list[Call]) -> None:
    """Contact records as one Firehose-style file of concatenated JSON; analyses in
    Connect's Analysis/ layout (a redacted twin where redaction ran)."""
    (folder / "ctr").mkdir(parents=True, exist_ok=True)
    (folder / "ctr" / "records.json").write_text("".join(json.dumps(ctr(c), ensure_ascii=False) for c in calls))
    for call in calls:
        if not call.turns:
            continue
        day = call.started.strftime("%Y/%m/%d")
        stamp = iso(call.started + timedelta(seconds=call.duration + 120))
        voice = folder / "Analysis" / "Voice" / day
        voice.mkdir(parents=True, exist_ok=True)
        original = voice / f"{call.contact_id}_analysis_{stamp}.json"
        original.write_text(json.dumps(analysis(call, redacted=False), ensure_ascii=False))
        if call.redacted:
            folder_r = folder / "Analysis" / "Voice" / "Redacted" / day
            folder_r.mkdir(parents=True, exist_ok=True)
            path = folder_r / f"{call.contact_id}_analysis_redacted_{stamp}.json"
            path.write_text(json.dumps(analysis(call, redacted=True), ensure_ascii=False))


def ingest_calls(folder: Path, calls: list[Call]) -> None:
    from search.ingest.runner import ingest_sources

    write_calls(folder, calls)
    report = ingest_sources([str(folder)])
    assert not report.rejections, report.rejections
    assert report.contacts == len(calls)
