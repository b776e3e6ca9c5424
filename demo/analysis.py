"""Contact Lens post-contact analysis files, shaped like the ones Connect writes.

Voice files follow Contact Lens `1.1.0` (see the real sample in `shared/samples`), chat
files `CHAT-2022-11-30`. English contacts get an original (`Raw`) and a redacted twin;
Japanese ones only the original, because Contact Lens does not redact Japanese.
Scores follow what the real files show: a turn counts +5 / −5 / 0 for POSITIVE /
NEGATIVE / other, and a participant's score is the mean over their turns.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from json.encoder import encode_basestring as _jstr  # the C encoder, as json.dumps(ensure_ascii=False)

from demo.conversations import AGENT, CUSTOMER, Turn, VoiceTimeline
from demo.directory import EN_US, JA_JP
from demo.records import between, ts, uuid4, uuid4_batch

SCORE = {"POSITIVE": 5, "NEGATIVE": -5}
NON_TALK_MIN_MS = 3000
REDACTION_ENTITIES = ["ADDRESS", "CREDIT_DEBIT_NUMBER", "CREDIT_DEBIT_EXPIRY", "EMAIL", "NAME", "PHONE"]
REDACTED_METADATA = {
    "Output": "Redacted",
    "RedactionTypes": ["PII"],
    "RedactionTypesMetadata": {"PII": {"RedactionEntitiesRequested": REDACTION_ENTITIES, "RedactionMaskMode": "PII"}},
}


def _num(value: float) -> float | int:
    """Whole numbers as ints: Connect's files say `0` and `5`, not `0.0` and `5.0`."""
    return int(value) if value == int(value) else value


# Loudness values are cut from one fixed pool, already as JSON text: cheap, and they
# look like real ones (mostly 55-88, an occasional 0 for a pause inside the turn).
_pool_rng = random.Random(20220330)
_LOUDNESS_JSON = [
    "0" if _pool_rng.random() < 0.05 else repr(_num(round(_pool_rng.uniform(55, 88), 2))) for _ in range(4096)
]


@dataclass(frozen=True)
class Source:
    """Who the analysis is about, for `AccountId` and `CustomerMetadata`."""

    contact_id: str
    instance_id: str
    account_id: str
    language: str
    input_s3_uri: str


def redacts(language: str) -> bool:
    return language != JA_JP


def _mean(values: list[int]) -> float:
    return sum(values) / len(values) if values else 0


def _trimmed(text: str) -> int:
    """End of a detected phrase: Contact Lens leaves out the closing punctuation."""
    end = len(text)
    while end and text[end - 1] in ".?!。？！":
        end -= 1
    return end


def pii_millis(turn: Turn) -> list[tuple[int, int]]:
    """When, inside the turn, each personal-data span is spoken (proportional to its characters)."""
    length = len(turn.text) or 1
    duration = turn.end - turn.begin
    spans = []
    for start, stop in turn.pii_spans():
        begin = turn.begin + duration * start // length
        end = turn.begin + -(-duration * stop // length)
        spans.append((begin, max(end, begin + 1)))
    return spans


def redacted_spans(timeline: VoiceTimeline) -> list[tuple[int, int]]:
    """Every redacted interval of a call: the silence of the redacted recording."""
    return [span for turn in timeline.turns if turn.has_pii for span in pii_millis(turn)]


def _span(begin: int, end: int) -> str:
    return f'{{"BeginOffsetMillis":{begin},"DurationMillis":{end - begin},"EndOffsetMillis":{end}}}'


def _point(begin: int, end: int) -> str:
    return f'{{"BeginOffsetMillis":{begin},"EndOffsetMillis":{end}}}'


def _quarters(timed: list[tuple[int, int, int]]) -> str:
    """Four equal periods up to the participant's last word, each the mean of the turns starting in it."""
    last = max((end for _, end, _ in timed), default=0)
    bounds = [last * k // 4 for k in range(5)]
    sums, counts = [0, 0, 0, 0], [0, 0, 0, 0]
    for begin, _, score in timed:
        k = min(3, 4 * begin // last) if last else 0
        while k and begin < bounds[k]:  # integer rounding at the bounds
            k -= 1
        while k < 3 and begin >= bounds[k + 1]:
            k += 1
        sums[k] += score
        counts[k] += 1
    periods = (
        f'{{"BeginOffsetMillis":{bounds[k]},"EndOffsetMillis":{bounds[k + 1]},'
        f'"Score":{repr(_num(round(sums[k] / counts[k], 1))) if counts[k] else 0}}}'
        for k in range(4)
    )
    return f"[{','.join(periods)}]"


def _non_talk(turns: list[Turn]) -> list[tuple[int, int]]:
    """Silences of three seconds or more, as (begin, end)."""
    instances, cursor = [], 0
    for turn in turns:  # ordered by begin
        if turn.begin - cursor >= NON_TALK_MIN_MS:
            instances.append((cursor, turn.begin))
        cursor = max(cursor, turn.end)
    return instances


_DETECTIONS = (("issue", "IssuesDetected"), ("outcome", "OutcomesDetected"), ("action", "ActionItemsDetected"))


def _detected_json(name: str, text: str) -> str:
    end = _trimmed(text)
    return (
        f',"{name}":[{{"CharacterOffsets":{{"BeginOffsetChar":0,"EndOffsetChar":{end}}},"Text":{_jstr(text[:end])}}}]'
    )


def _categories(matched: dict[str, list[dict]]) -> dict:
    return {
        "MatchedCategories": list(matched),
        "MatchedDetails": {name: {"PointsOfInterest": points} for name, points in matched.items()},
    }


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))  # one instance: json.dumps builds one per call


def _dumps(doc: dict) -> str:
    return _ENCODER.encode(doc)


_RAW_METADATA = '"ContentMetadata":{"Output":"Raw"}'
_PARTICIPANTS = (
    '[{"ParticipantId":"AGENT","ParticipantRole":"AGENT"},{"ParticipantId":"CUSTOMER","ParticipantRole":"CUSTOMER"}]'
)
_REDACTED_METADATA_JSON = f'"ContentMetadata":{_dumps(REDACTED_METADATA)}'


def voice_analysis(source: Source, timeline: VoiceTimeline, rng: random.Random) -> tuple[bytes, bytes | None]:
    """The original analysis file and, where the language is redacted, its redacted twin (JSON bytes).

    Transcript items are written straight to JSON text: they are most of the file,
    and an item without personal data is the same text in both files, so it is
    serialized once and shared.
    """
    turns = timeline.turns
    redact = redacts(source.language)
    detect = source.language == EN_US  # issue/outcome/action detection is English-only
    rand = rng.random
    items: list[str] = []
    redacted_items: list[str] = []
    matched: dict[str, list[tuple[int, int]]] = {}
    timed: dict[str, list[tuple[int, int, int]]] = {AGENT: [], CUSTOMER: []}
    talk = {AGENT: 0, CUSTOMER: 0}
    words = {AGENT: 0.0, CUSTOMER: 0.0}
    japanese = source.language == JA_JP
    ids = iter(uuid4_batch(rng, len(turns)))
    for turn in turns:
        begin, end, role, text, tags = turn.begin, turn.end, turn.role, turn.text, turn.tags
        duration = end - begin
        timed[role].append((begin, end, SCORE.get(turn.sentiment, 0)))
        talk[role] += duration
        words[role] += len(text) / 2.5 if japanese else text.count(" ") + 1  # ~2.5 kana/kanji a word
        n = duration // 900 or 1
        start = int(rand() * (4096 - n))
        tail = (
            f',"EndOffsetMillis":{end},"Id":"{next(ids)}","ParticipantId":"{role}","Sentiment":"{turn.sentiment}",'
            f'"LoudnessScore":[{",".join(_LOUDNESS_JSON[start : start + n])}]'
        )
        if not tags and not turn.has_pii:  # most turns: one text for both files
            item = f'{{"BeginOffsetMillis":{begin},"Content":{_jstr(text)}{tail}}}'
            items.append(item)
            if redact:
                redacted_items.append(item)
            continue
        for tag in tags:
            if tag.startswith("cat:"):
                matched.setdefault(tag[4:], []).append((begin, end))
        extra = ""
        pii = redact and turn.has_pii
        if pii:
            stamps = ",".join(f'{{"BeginOffsetMillis":{b},"EndOffsetMillis":{e}}}' for b, e in pii_millis(turn))
            extra = f',"Redaction":{{"RedactedTimestamps":[{stamps}]}}'
        redacted_text = turn.redacted()[0] if pii else text
        redacted_extra = extra
        if detect and tags:
            for tag, name in _DETECTIONS:
                if tag in tags:
                    extra += _detected_json(name, text)
                    redacted_extra += _detected_json(name, redacted_text)
        head = f'{{"BeginOffsetMillis":{begin},"Content":'
        item = f"{head}{_jstr(text)}{tail}{extra}}}"
        items.append(item)
        if redact:
            same = redacted_text is text
            redacted_items.append(item if same else f"{head}{_jstr(redacted_text)}{tail}{redacted_extra}}}")

    # The rest of the file is small but made of many tiny objects, which json.dumps is
    # slow at; it is written out directly too, in Connect's key order.
    by_interrupter: dict[str, list[str]] = {}
    for role, begin, end in timeline.interruptions:
        by_interrupter.setdefault(role, []).append(_span(begin, end))
    interrupters = ",".join(f'"{role}":[{",".join(spans)}]' for role, spans in by_interrupter.items())
    non_talk = _non_talk(turns)
    pauses = ",".join(_span(begin, end) for begin, end in non_talk)

    def mean(role: str) -> str:
        scores = timed[role]
        return repr(_num(round(sum(s for _, _, s in scores) / len(scores), 1))) if scores else "0"

    def wpm(role: str) -> int:
        return round(words[role] * 60000 / talk[role]) if talk[role] else 0

    characteristics = (
        f'{{"TotalConversationDurationMillis":{timeline.duration_ms},'
        f'"Sentiment":{{"OverallSentiment":{{"AGENT":{mean(AGENT)},"CUSTOMER":{mean(CUSTOMER)}}},'
        f'"SentimentByPeriod":{{"QUARTER":{{"AGENT":{_quarters(timed[AGENT])},"CUSTOMER":{_quarters(timed[CUSTOMER])}}}}}}},'
        f'"Interruptions":{{"InterruptionsByInterrupter":{{{interrupters}}},"TotalCount":{len(timeline.interruptions)},'
        f'"TotalTimeMillis":{sum(end - begin for _, begin, end in timeline.interruptions)}}},'
        f'"NonTalkTime":{{"TotalTimeMillis":{sum(end - begin for begin, end in non_talk)},"Instances":[{pauses}]}},'
        f'"TalkSpeed":{{"DetailsByParticipant":{{"AGENT":{{"AverageWordsPerMinute":{wpm(AGENT)}}},'
        f'"CUSTOMER":{{"AverageWordsPerMinute":{wpm(CUSTOMER)}}}}}}},'
        f'"TalkTime":{{"TotalTimeMillis":{talk[AGENT] + talk[CUSTOMER]},"DetailsByParticipant":{{'
        f'"AGENT":{{"TotalTimeMillis":{talk[AGENT]}}},"CUSTOMER":{{"TotalTimeMillis":{talk[CUSTOMER]}}}}}}}}}'
    )
    categories = (
        f'{{"MatchedCategories":[{",".join(_jstr(name) for name in matched)}],"MatchedDetails":{{'
        + ",".join(
            f'{_jstr(name)}:{{"PointsOfInterest":[{",".join(_point(b, e) for b, e in points)}]}}'
            for name, points in matched.items()
        )
        + "}}"
    )
    metadata = (
        f'{{"InputS3Uri":{_jstr(source.input_s3_uri)},"ContactId":{_jstr(source.contact_id)},'
        f'"InstanceId":{_jstr(source.instance_id)}}}'
    )
    # Key order as in Connect's files: ..., CustomModels, Transcript, CustomerMetadata.
    head = (
        f'{{"Version":"1.1.0","AccountId":{_jstr(source.account_id)},"Channel":"VOICE",{_RAW_METADATA},'
        f'"JobStatus":"COMPLETED","LanguageCode":{_jstr(source.language)},"Participants":{_PARTICIPANTS},'
        f'"Categories":{categories},"ConversationCharacteristics":{characteristics},"CustomModels":[]'
    )
    original = f'{head},"Transcript":[{",".join(items)}],"CustomerMetadata":{metadata}}}'
    if not redact:
        return original.encode(), None
    # The twin differs only in ContentMetadata and the transcript: reuse the rest of the text.
    head = head.replace(_RAW_METADATA, _REDACTED_METADATA_JSON, 1)
    redacted = f'{head},"Transcript":[{",".join(redacted_items)}],"CustomerMetadata":{metadata}}}'
    return original.encode(), redacted.encode()


# ---------------------------------------------------------------------------------------
# Chat
# ---------------------------------------------------------------------------------------

_SYSTEM_MESSAGES = {
    EN_US: (
        "Hello, thanks for contacting us. An agent will be with you shortly.",
        "You are now being placed in queue to chat with an agent.",
    ),
    JA_JP: (
        "お問い合わせありがとうございます。ただいま担当者におつなぎしております。",
        "順番にご案内しております。しばらくお待ちください。",
    ),
}
_EVENT = "application/vnd.amazonaws.connect.event."


def iso_millis(epoch_ms: int) -> str:
    """`AbsoluteTime` of a chat item: ISO 8601 with milliseconds."""
    seconds, millis = divmod(epoch_ms, 1000)
    return f"{ts(seconds)[:-1]}.{millis:03d}Z"  # type: ignore[index]


@dataclass(frozen=True)
class ChatSession:
    """The chat's participants and the moments around the messages (epoch ms)."""

    customer_name: str
    agent_name: str
    started_ms: int
    agent_joined_ms: int
    ended_ms: int
    customer_left: bool


def _offsets(spans: list[tuple[int, int]]) -> dict:
    return {"CharacterOffsets": [{"BeginOffsetChar": b, "EndOffsetChar": e} for b, e in spans]}


def chat_analysis(
    source: Source, session: ChatSession, turns: list[Turn], rng: random.Random
) -> tuple[bytes, bytes | None]:
    """The original chat analysis file and, where the language is redacted, its redacted twin (JSON bytes)."""
    redact = redacts(source.language)
    customer_id, system_id, agent_id = uuid4(rng), uuid4(rng), uuid4(rng)
    ids = {AGENT: agent_id, CUSTOMER: customer_id}
    names = {AGENT: session.agent_name, CUSTOMER: session.customer_name}

    def event(kind: str, at_ms: int, role: str | None) -> dict:
        item = {"AbsoluteTime": iso_millis(at_ms), "ContentType": _EVENT + kind}
        if role:
            item["DisplayName"] = names[role]
        item["Id"] = uuid4(rng)
        if role:
            item["ParticipantId"] = ids[role]
            item["ParticipantRole"] = role
        item["Type"] = "EVENT"
        return item

    transcript = [event("participant.joined", session.started_ms, CUSTOMER)]
    at = session.started_ms
    for text in _SYSTEM_MESSAGES[source.language]:
        at += between(rng, 900, 2600)
        transcript.append(
            {
                "AbsoluteTime": iso_millis(at),
                "Content": text,
                "ContentType": "text/plain",
                "DisplayName": "SYSTEM_MESSAGE",
                "Id": uuid4(rng),
                "ParticipantId": system_id,
                "ParticipantRole": "SYSTEM",
                "Type": "MESSAGE",
            }
        )
    transcript.append(event("participant.joined", session.agent_joined_ms, AGENT))

    messages: list[tuple[Turn, dict]] = []
    for turn in turns:
        item = {
            "AbsoluteTime": iso_millis(turn.begin),
            "Content": turn.text,
            "ContentType": "text/markdown",
            "DisplayName": names[turn.role],
            "Id": uuid4(rng),
            "ParticipantId": ids[turn.role],
            "ParticipantRole": turn.role,
        }
        if redact and turn.has_pii:
            item["Redaction"] = _offsets(turn.pii_spans())
        item["Type"] = "MESSAGE"
        transcript.append(item)
        messages.append((turn, item))
    leaver = CUSTOMER if session.customer_left else AGENT
    transcript.append(event("participant.left", session.ended_ms, leaver))
    ended = {
        "AbsoluteTime": iso_millis(session.ended_ms + between(rng, 200, 900)),
        "ContentType": _EVENT + "chat.ended",
        "Id": uuid4(rng),
        "Type": "EVENT",
    }
    transcript.append(ended)

    original = _chat_document(source, session, messages, transcript, ids, names, system_id, redacted=False)
    if not redact:
        return _dumps(original).encode(), None
    redacted = _chat_document(source, session, messages, transcript, ids, names, system_id, redacted=True)
    return _dumps(original).encode(), _dumps(redacted).encode()


def _chat_document(
    source: Source,
    session: ChatSession,
    messages: list[tuple[Turn, dict]],
    transcript: list[dict],
    ids: dict[str, str],
    names: dict[str, str],
    system_id: str,
    redacted: bool,
) -> dict:
    # The redacted twin replaces personal data, display names included, and Connect
    # marks every message there as plain text.
    content: dict[str, str] = {}
    if redacted:
        swapped = {}
        for turn, item in messages:
            twin = dict(item, ContentType="text/plain", DisplayName="[PII]")
            if turn.has_pii:
                text, spans = turn.redacted()
                twin["Content"] = text
                twin["Redaction"] = _offsets(spans)
            swapped[item["Id"]] = twin
        items = []
        for item in transcript:
            if item["Id"] in swapped:
                items.append(swapped[item["Id"]])
            elif item.get("DisplayName") not in (None, "SYSTEM_MESSAGE"):
                items.append(dict(item, DisplayName="[PII]"))
            else:
                items.append(item)
        transcript = items
        content = {item["Id"]: item["Content"] for item in swapped.values()}
    text_of = (lambda item: content[item["Id"]]) if redacted else (lambda item: item["Content"])

    matched: dict[str, list[dict]] = {}
    summary: dict[str, list[dict]] = {"ActionItemsDetected": [], "IssuesDetected": [], "OutcomesDetected": []}
    detect = source.language == EN_US
    groups = []
    history: dict[str, list[int]] = {AGENT: [], CUSTOMER: []}
    progressive: dict[str, list[float]] = {AGENT: [], CUSTOMER: []}
    response: dict[str, list[tuple[int, str]]] = {AGENT: [], CUSTOMER: []}
    prev_role, prev_ms = None, session.agent_joined_ms
    first_agent_ms = None
    for turn, item in messages:
        text = text_of(item)
        pointer = {"CharacterOffsets": {"BeginOffsetChar": 0, "EndOffsetChar": _trimmed(text)}, "Id": item["Id"]}
        for tag in turn.tags:
            if tag.startswith("cat:"):
                matched.setdefault(tag[4:], []).append({"TranscriptItems": [pointer]})
        if detect:
            for tag, name in (
                ("issue", "IssuesDetected"),
                ("outcome", "OutcomesDetected"),
                ("action", "ActionItemsDetected"),
            ):
                if tag in turn.tags:
                    summary[name].append({"TranscriptItems": [pointer]})
        scores = history[turn.role]
        scores.append(SCORE.get(turn.sentiment, 0))
        score = _num(sum(scores[-3:]) / 3)  # a moving average over the last three, as Connect's progressive score
        progressive[turn.role].append(score)
        groups.append(
            {
                "ParticipantRole": turn.role,
                "ProgressiveScore": score,
                "Sentiment": turn.sentiment,
                "TranscriptItems": [{"Id": item["Id"]}],
            }
        )
        if turn.role == AGENT and first_agent_ms is None:
            first_agent_ms = turn.begin
        if prev_role is not None and turn.role != prev_role:
            response[turn.role].append((turn.begin - prev_ms, item["Id"]))
        prev_role, prev_ms = turn.role, turn.begin
    groups.sort(key=lambda g: g["ParticipantRole"])  # Connect lists the agent's groups first

    response_time: dict = {
        "AgentGreetingTimeMillis": (first_agent_ms or session.agent_joined_ms) - session.agent_joined_ms
    }
    details = {}
    for role in (AGENT, CUSTOMER):
        if response[role]:
            slowest = max(response[role])
            details[role] = {
                "Average": {"ValueMillis": sum(v for v, _ in response[role]) // len(response[role])},
                "Maximum": {"TranscriptItems": [{"Id": slowest[1]}], "ValueMillis": slowest[0]},
            }
    response_time["DetailsByParticipantRole"] = details

    overall = {role: _num(_mean(history[role])) for role in (AGENT, CUSTOMER)}
    shift = {
        role: {"BeginScore": progressive[role][0], "EndScore": progressive[role][-1]}
        for role in (AGENT, CUSTOMER)
        if progressive[role]
    }
    characteristics: dict = {}
    if detect and any(summary.values()):
        characteristics["ContactSummary"] = {"SummaryItemsDetected": [summary]}
    characteristics["ResponseTime"] = response_time
    characteristics["Sentiment"] = {
        "DetailsByTranscriptItemGroup": groups,
        "OverallSentiment": {
            "DetailsByInteraction": {"DetailsByParticipantRole": {CUSTOMER: {"WithAgent": overall[CUSTOMER]}}},
            "DetailsByParticipantRole": overall,
        },
        "SentimentShift": {
            "DetailsByInteraction": {
                "DetailsByParticipantRole": {CUSTOMER: {"WithAgent": shift[CUSTOMER]}} if CUSTOMER in shift else {}
            },
            "DetailsByParticipantRole": shift,
        },
    }
    if redacted:
        participants = [
            {"DisplayName": "[PII]", "ParticipantId": ids[CUSTOMER]},
            {"DisplayName": "SYSTEM_MESSAGE", "ParticipantId": system_id},
            {"DisplayName": "[PII]", "ParticipantId": ids[AGENT]},
        ]
    else:
        participants = [
            {"DisplayName": names[CUSTOMER], "ParticipantId": ids[CUSTOMER], "ParticipantRole": CUSTOMER},
            {"DisplayName": "SYSTEM_MESSAGE", "ParticipantId": system_id, "ParticipantRole": "SYSTEM"},
            {"DisplayName": names[AGENT], "ParticipantId": ids[AGENT], "ParticipantRole": AGENT},
        ]
    return {
        "AccountId": source.account_id,
        "Categories": _categories(matched),
        "Channel": "CHAT",
        "ChatTranscriptVersion": "2019-08-26",
        "ContentMetadata": REDACTED_METADATA if redacted else {"Output": "Raw"},
        "ConversationCharacteristics": characteristics,
        "CustomerMetadata": {
            "ContactId": source.contact_id,
            "InputS3Uri": source.input_s3_uri,
            "InstanceId": source.instance_id,
        },
        "JobStatus": "COMPLETED",
        "LanguageCode": source.language,
        "Participants": participants,
        "Transcript": transcript,
        "Version": "CHAT-2022-11-30",
    }
