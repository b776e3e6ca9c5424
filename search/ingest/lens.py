"""Reading a Contact Lens analysis file (voice or chat, original or redacted)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from search.ingest.ctr import BadRecord, parse_timestamp

_CONTACT_ID_IN_KEY = re.compile(r"(?:^|/)([0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12})_")
_ROLES = {"AGENT", "CUSTOMER", "SYSTEM", "CUSTOM_BOT", "SUPERVISOR"}


class NotAnAnalysis(ValueError):
    pass


class Turn(NamedTuple):
    """One transcript line, in the column order of the stored turn. A tuple, because
    transcripts cross from worker processes by pickle, and tuples pickle cheaply."""

    role: str
    begin_ms: int | None
    end_ms: int | None
    sentiment: str
    content: str


@dataclass
class Analysis:
    contact_id: str
    channel: str
    redacted: bool
    language_code: str
    version: str
    metrics: dict[str, Any] = field(default_factory=dict)
    turns: list[Turn] = field(default_factory=list)
    # text_by_weight() prepared for the full-text index, filled in a worker process
    search_text: tuple[str, str, str] | None = None

    def text_by_weight(self) -> tuple[str, str, str]:
        """The transcript split for indexing: agent, customer, everyone else."""
        parts: dict[str, list[str]] = {"AGENT": [], "CUSTOMER": [], "OTHER": []}
        for turn in self.turns:
            parts[turn.role if turn.role in ("AGENT", "CUSTOMER") else "OTHER"].append(turn.content)
        return " ".join(parts["AGENT"]), " ".join(parts["CUSTOMER"]), " ".join(parts["OTHER"])


def looks_like_analysis(doc: dict) -> bool:
    has_parts = "ConversationCharacteristics" in doc or "Participants" in doc
    return "Transcript" in doc and has_parts and "ContactId" not in doc


def is_redacted(doc: dict, key: str) -> bool:
    output = str((doc.get("ContentMetadata") or {}).get("Output") or "")
    if output:
        return output.lower() == "redacted"
    return "/Redacted/" in key or "_redacted_" in key


def contact_id_for(doc: dict, key: str) -> str:
    meta = doc.get("CustomerMetadata") or {}
    contact_id = meta.get("ContactId") if isinstance(meta, dict) else None
    if isinstance(contact_id, str) and contact_id.strip():
        if len(contact_id.strip()) > 64:
            raise BadRecord(f"CustomerMetadata.ContactId too long ({len(contact_id.strip())} characters)")
        return contact_id.strip()
    match = _CONTACT_ID_IN_KEY.search(key)
    if match:
        return match.group(1)
    raise BadRecord("analysis names no contact (no CustomerMetadata.ContactId and no contact id in the key)")


def _num(value: Any) -> float | None:
    try:
        return None if value is None else float(value)
    except (TypeError, ValueError):
        return None


def _int(value: Any) -> int | None:
    number = _num(value)
    return None if number is None else int(round(number))


def _voice_metrics(cc: dict) -> dict[str, Any]:
    sentiment = cc.get("Sentiment") or {}
    overall = sentiment.get("OverallSentiment") or {}
    quarters = ((sentiment.get("SentimentByPeriod") or {}).get("QUARTER")) or {}
    metrics: dict[str, Any] = {
        "total_duration_ms": _int(cc.get("TotalConversationDurationMillis")),
        "agent_sentiment": _num(overall.get("AGENT")),
        "customer_sentiment": _num(overall.get("CUSTOMER")),
        "interruptions": _int((cc.get("Interruptions") or {}).get("TotalCount")),
        "non_talk_ms": _int((cc.get("NonTalkTime") or {}).get("TotalTimeMillis")),
        "talk_time_ms": _int((cc.get("TalkTime") or {}).get("TotalTimeMillis")),
        "talk_time_by_participant": (cc.get("TalkTime") or {}).get("DetailsByParticipant") or {},
    }
    for role, prefix in (("AGENT", "agent"), ("CUSTOMER", "customer")):
        scores = [_num(p.get("Score")) for p in quarters.get(role) or [] if isinstance(p, dict)]
        scores = [s for s in scores if s is not None]
        metrics[f"{prefix}_sentiment_quarters"] = scores or None
        metrics[f"{prefix}_sentiment_begin"] = scores[0] if scores else None
        metrics[f"{prefix}_sentiment_end"] = scores[-1] if scores else None
    total, non_talk = metrics["total_duration_ms"], metrics["non_talk_ms"]
    metrics["non_talk_percent"] = round(100.0 * non_talk / total, 2) if total and non_talk is not None else None
    return metrics


def _chat_metrics(cc: dict) -> dict[str, Any]:
    sentiment = cc.get("Sentiment") or {}
    overall = (sentiment.get("OverallSentiment") or {}).get("DetailsByParticipantRole") or {}
    shift = (sentiment.get("SentimentShift") or {}).get("DetailsByParticipantRole") or {}
    metrics: dict[str, Any] = {
        "agent_sentiment": _num(overall.get("AGENT")),
        "customer_sentiment": _num(overall.get("CUSTOMER")),
    }
    for role, prefix in (("AGENT", "agent"), ("CUSTOMER", "customer")):
        detail = shift.get(role) or {}
        metrics[f"{prefix}_sentiment_begin"] = _num(detail.get("BeginScore"))
        metrics[f"{prefix}_sentiment_end"] = _num(detail.get("EndScore"))
    return metrics


def _categories(doc: dict) -> tuple[list[str], dict]:
    categories = doc.get("Categories") or {}
    names = [str(n)[:256] for n in categories.get("MatchedCategories") or [] if n]
    points: dict[str, list[dict]] = {}
    for name, detail in (categories.get("MatchedDetails") or {}).items():
        spots = []
        for poi in (detail or {}).get("PointsOfInterest") or []:
            if "BeginOffsetMillis" in poi:
                begin, end = _int(poi.get("BeginOffsetMillis")), _int(poi.get("EndOffsetMillis"))
                spots.append({"begin_ms": begin, "end_ms": end})
        points[str(name)] = spots
    return names, points


def _voice_turns(doc: dict) -> list[Turn]:
    roles = {
        p.get("ParticipantId"): str(p.get("ParticipantRole") or p.get("ParticipantId") or "").upper()
        for p in doc.get("Participants") or []
        if isinstance(p, dict)
    }
    turns = []
    for item in doc.get("Transcript") or []:
        if not isinstance(item, dict) or not isinstance(item.get("Content"), str):
            continue
        participant = item.get("ParticipantId")
        role = item.get("ParticipantRole") or roles.get(participant) or str(participant or "").upper()
        turns.append(
            Turn(
                role=role if role in _ROLES else "SYSTEM",
                begin_ms=_int(item.get("BeginOffsetMillis")),
                end_ms=_int(item.get("EndOffsetMillis")),
                sentiment=str(item.get("Sentiment") or "")[:16],
                content=item["Content"],
            )
        )
    return turns


def _chat_turns(doc: dict) -> list[Turn]:
    """Chat offsets are computed from `AbsoluteTime`, relative to the first item."""
    turns, start = [], None
    sentiments = {}
    for group in ((doc.get("ConversationCharacteristics") or {}).get("Sentiment") or {}).get(
        "DetailsByTranscriptItemGroup"
    ) or []:
        for item in group.get("TranscriptItems") or []:
            sentiments[item.get("Id")] = str(group.get("Sentiment") or "")[:16]
    for item in doc.get("Transcript") or []:
        if not isinstance(item, dict):
            continue
        when: datetime | None = None
        try:
            when = parse_timestamp(item.get("AbsoluteTime"), name="AbsoluteTime")
        except BadRecord:
            when = None
        if when is not None and start is None:
            start = when
        if item.get("Type") != "MESSAGE" or not isinstance(item.get("Content"), str):
            continue
        offset = int((when - start).total_seconds() * 1000) if when and start else None
        role = str(item.get("ParticipantRole") or "").upper()
        role = role if role in _ROLES else "SYSTEM"
        turns.append(Turn(role, offset, offset, sentiments.get(item.get("Id"), ""), item["Content"]))
    return turns


def parse_analysis(doc: dict, key: str) -> Analysis:
    if not looks_like_analysis(doc):
        raise NotAnAnalysis("not a Contact Lens analysis file")
    channel = str(doc.get("Channel") or ("CHAT" if "/Chat/" in key else "VOICE")).upper()[:16]
    cc = doc.get("ConversationCharacteristics") or {}
    analysis = Analysis(
        contact_id=contact_id_for(doc, key),
        channel=channel,
        redacted=is_redacted(doc, key),
        language_code=str(doc.get("LanguageCode") or "")[:16],
        version=str(doc.get("Version") or "")[:32],
    )
    analysis.metrics = _chat_metrics(cc) if channel == "CHAT" else _voice_metrics(cc)
    analysis.metrics["categories"], analysis.metrics["category_points"] = _categories(doc)
    analysis.turns = _chat_turns(doc) if channel == "CHAT" else _voice_turns(doc)
    return analysis


def redacted_audio_key_for(analysis_key: str) -> str:
    """Where Contact Lens writes the redacted WAV beside a redacted voice analysis."""
    return analysis_key.replace("_analysis_redacted_", "_call_recording_redacted_").removesuffix(".json") + ".wav"
