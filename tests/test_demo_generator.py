"""The demo Connect instance generator: determinism, Connect's file formats, audio.

Plain pytest, no database: `python -m pytest tests/test_demo_generator.py -p no:django -q`.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import re
import wave
from array import array
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from demo import DemoObject, demo_directory, generate_instance
from demo.generate import RECORDING_DAYS, lifecycle_expiry

NOW = datetime(2025, 11, 20, 12, 0, tzinfo=UTC)
SAMPLES = Path(__file__).resolve().parent / "fixtures" / "samples"
TS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
CARD = re.compile(r"(?<!\d)\d{4} \d{4} \d{4} \d{4}(?!\d)")

# Top-level keys of the real files in shared/samples (checked against them below when present).
VOICE_KEYS = [
    "Version",
    "AccountId",
    "Channel",
    "ContentMetadata",
    "JobStatus",
    "LanguageCode",
    "Participants",
    "Categories",
    "ConversationCharacteristics",
    "CustomModels",
    "Transcript",
    "CustomerMetadata",
]
CHAT_KEYS = [
    "AccountId",
    "Categories",
    "Channel",
    "ChatTranscriptVersion",
    "ContentMetadata",
    "ConversationCharacteristics",
    "CustomerMetadata",
    "JobStatus",
    "LanguageCode",
    "Participants",
    "Transcript",
    "Version",
]
CTR_FIELDS = {
    "AWSAccountId",
    "AWSContactTraceRecordFormatVersion",
    "Agent",
    "Attributes",
    "Channel",
    "ConnectedToSystemTimestamp",
    "ContactId",
    "ContactLens",
    "CustomerEndpoint",
    "DisconnectReason",
    "DisconnectTimestamp",
    "InitialContactId",
    "InitiationMethod",
    "InitiationTimestamp",
    "InstanceARN",
    "LastUpdateTimestamp",
    "MediaStreams",
    "NextContactId",
    "PreviousContactId",
    "Queue",
    "Recording",
    "Recordings",
    "ScheduledTimestamp",
    "SystemEndpoint",
    "Tags",
    "TransferCompletedTimestamp",
    "TransferredToEndpoint",
}
AGENT_FIELDS = {
    "ARN",
    "Username",
    "ConnectedToAgentTimestamp",
    "AgentInteractionDuration",
    "CustomerHoldDuration",
    "NumberOfHolds",
    "LongestHoldDuration",
    "AfterContactWorkDuration",
    "AfterContactWorkStartTimestamp",
    "AfterContactWorkEndTimestamp",
    "RoutingProfile",
    "HierarchyGroups",
}


def parse_records(obj: DemoObject) -> list[dict]:
    """Firehose output: concatenated or newline-delimited JSON, maybe gzip-compressed."""
    body = gzip.decompress(obj.body) if obj.key.endswith(".gz") else obj.body
    text = body.decode("utf-8")
    decoder = json.JSONDecoder()
    records, pos = [], 0
    while True:
        while pos < len(text) and text[pos] in " \r\n\t":
            pos += 1
        if pos >= len(text):
            return records
        record, pos = decoder.raw_decode(text, pos)
        records.append(record)


class Instance:
    def __init__(self, objects: list[DemoObject]):
        self.objects = objects
        self.by_key = {o.key: o for o in objects}
        self.records: list[dict] = []
        for obj in objects:
            if obj.role == "ctr":
                self.records.extend(parse_records(obj))
        latest: dict[str, dict] = {}
        for record in self.records:
            old = latest.get(record["ContactId"])
            if old is None or record["LastUpdateTimestamp"] > old["LastUpdateTimestamp"]:
                latest[record["ContactId"]] = record
        self.contacts = latest
        self.analyses: dict[tuple[str, str], tuple[str, dict]] = {}
        for obj in objects:
            if obj.role == "analysis":
                doc = json.loads(obj.body)
                output = doc["ContentMetadata"]["Output"]
                self.analyses[(doc["CustomerMetadata"]["ContactId"], output)] = (obj.key, doc)


@pytest.fixture(scope="module")
def instance() -> Instance:
    return Instance(list(generate_instance(contacts=1500, seed=11, now=NOW, recording_days=2)))


@pytest.fixture(scope="module")
def audio_instance() -> Instance:
    # A long window over a small instance: a dozen calls with audio, in both languages.
    objects = generate_instance(contacts=100, seed=5, now=NOW, recording_days=14)
    return Instance(list(objects))


def digest(objects) -> list[tuple[str, str]]:
    return [(o.key, hashlib.sha256(o.body).hexdigest()) for o in objects]


# ---------------------------------------------------------------------------------------


def test_same_seed_same_bytes_and_other_seed_differs():
    kwargs = dict(contacts=200, now=NOW, recording_days=4)
    first = digest(generate_instance(seed=3, **kwargs))
    assert first == digest(generate_instance(seed=3, **kwargs))
    assert any(key.endswith(".wav") for key, _ in first)
    other = digest(generate_instance(seed=4, **kwargs))
    analyses = {key for key, _ in first if key.startswith("Analysis/")}
    assert analyses and analyses.isdisjoint(key for key, _ in other)  # other contact ids altogether


def test_generate_is_a_lazy_stream():
    stream = generate_instance(contacts=1_000_000, now=NOW, recording_days=0)
    first = next(stream)  # would take minutes if everything were built up front
    assert isinstance(first, DemoObject)
    stream.close()


def test_counts_and_distinct_contact_ids(instance: Instance):
    assert len(instance.contacts) == 1500
    assert all(re.fullmatch(UUID, cid) for cid in instance.contacts)
    assert len(instance.records) > 1500  # at-least-once delivery re-sends some


def test_redelivery_with_older_update_after_newer(instance: Instance):
    seen: dict[str, str] = {}
    stale_after_newer = 0
    for record in instance.records:
        cid, updated = record["ContactId"], record["LastUpdateTimestamp"]
        if cid in seen and updated < seen[cid]:
            stale_after_newer += 1
        seen[cid] = max(updated, seen.get(cid, ""))
    duplicates = len(instance.records) - len(instance.contacts)
    assert 0.005 * 1500 < duplicates < 0.05 * 1500
    assert stale_after_newer >= 5


def test_ctr_objects_in_all_three_encodings(instance: Instance):
    ctr = [o for o in instance.objects if o.role == "ctr"]
    assert all(re.fullmatch(r"ctr/\d{4}/\d{2}/\d{2}/\d{2}/demo-firehose-\d+\.json(\.gz)?", o.key) for o in ctr)
    gz = [o for o in ctr if o.key.endswith(".gz")]
    assert gz and all(o.content_type == "application/gzip" and o.body[:2] == b"\x1f\x8b" for o in gz)
    plain = [o.body for o in ctr if not o.key.endswith(".gz")]
    assert any(b"}\n{" in body for body in plain)  # newline-delimited
    assert any(b"}{" in body for body in plain)  # concatenated, Firehose's default
    for obj in ctr:
        assert 400 <= len(parse_records(obj)) <= 600 or obj is ctr[-1]


def test_ctr_records_have_connect_fields(instance: Instance):
    directory = demo_directory(11)
    for record in instance.contacts.values():
        assert CTR_FIELDS - {"CustomerEndpoint"} <= set(record)
        assert record["AWSContactTraceRecordFormatVersion"] == "2017-03-10"
        assert record["InstanceARN"] == directory.instance_arn
        for key in ("InitiationTimestamp", "DisconnectTimestamp", "LastUpdateTimestamp"):
            assert TS.match(record[key]), (key, record[key])
        assert record["Channel"] in ("VOICE", "CHAT")
        if record["Agent"] is not None:
            assert AGENT_FIELDS <= set(record["Agent"])
            assert TS.match(record["Agent"]["ConnectedToAgentTimestamp"])
            levels = {k: v for k, v in record["Agent"]["HierarchyGroups"].items() if v}
            assert {"Level1", "Level2", "Level3"} <= set(levels)
            assert all("/agent-group/" in v["ARN"] for v in levels.values())
        if record["Queue"] is not None:
            assert {"ARN", "Name", "EnqueueTimestamp", "DequeueTimestamp", "Duration"} <= set(record["Queue"])
        config = record["ContactLens"]["ConversationalAnalytics"]["Configuration"]
        assert config["LanguageLocale"] in ("en-US", "ja-JP")
        if config["LanguageLocale"] == "ja-JP":
            assert config["RedactionConfiguration"]["Behavior"] == "Disable"


def test_ctr_mix_of_contacts(instance: Instance):
    records = list(instance.contacts.values())
    methods = Counter(r["InitiationMethod"] for r in records)
    assert {"INBOUND", "OUTBOUND", "TRANSFER", "CALLBACK", "API"} <= set(methods)
    reasons = Counter(r["DisconnectReason"] for r in records)
    assert {"CUSTOMER_DISCONNECT", "AGENT_DISCONNECT", "CONTACT_FLOW_DISCONNECT"} <= set(reasons)
    assert any(r["Agent"] is None and r["Queue"] is not None for r in records)  # abandoned in queue
    languages = Counter(r["ContactLens"]["ConversationalAnalytics"]["Configuration"]["LanguageLocale"] for r in records)
    assert 0.4 < languages["ja-JP"] / len(records) < 0.6
    assert any(r.get("TransferredToEndpoint") for r in records)
    assert any(set(r) - CTR_FIELDS - {"AgentConnectionAttempts"} for r in records)  # newer, unknown fields
    oldest = min(r["InitiationTimestamp"] for r in records)
    assert oldest >= (NOW - timedelta(days=90, hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert max(r["LastUpdateTimestamp"] for r in records) < NOW.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_transfers_link_to_earlier_contacts(instance: Instance):
    transfers = [r for r in instance.contacts.values() if r["InitiationMethod"] in ("TRANSFER", "CALLBACK")]
    assert transfers
    for record in transfers:
        previous = instance.contacts[record["PreviousContactId"]]
        assert previous["NextContactId"] == record["ContactId"]
        assert record["InitialContactId"] == previous["ContactId"]
        assert previous["InitiationTimestamp"] <= record["InitiationTimestamp"]


def test_agents_match_language_and_directory(instance: Instance):
    directory = demo_directory(11)
    agents = {a.arn: a for a in directory.agents}
    for record in instance.contacts.values():
        if record["Agent"]:
            agent = agents[record["Agent"]["ARN"]]
            locale = record["ContactLens"]["ConversationalAnalytics"]["Configuration"]["LanguageLocale"]
            assert agent.language == locale
            region = record["Agent"]["HierarchyGroups"]["Level1"]["GroupName"]
            assert region == ("Japan" if locale == "ja-JP" else "North America")
            assert record["Agent"]["Username"] == agent.username


def test_voice_recording_location_format(instance: Instance):
    voice = [r for r in instance.contacts.values() if r["Channel"] == "VOICE" and r["Agent"]]
    assert voice
    for record in voice:
        location = record["Recording"]["Location"]
        assert record["Recording"]["Status"] == "AVAILABLE"
        assert record["Recordings"][0]["Location"] == location
        connected = record["Agent"]["ConnectedToAgentTimestamp"]
        stamp = connected[:4] + connected[5:7] + connected[8:10] + "T" + connected[11:16]
        folder = connected[:10].replace("-", "/")
        assert location == (
            f"amazon-connect-demo/connect/demo/CallRecordings/{folder}/{record['ContactId']}_{stamp}_UTC.wav"
        )
    chats = [r for r in instance.contacts.values() if r["Channel"] == "CHAT"]
    assert chats and all(r["Recording"] is None and not r.get("CustomerEndpoint") for r in chats)


def _epoch(stamp: str) -> int:
    return int(datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp())


def _kept(record: dict, days: int) -> bool:
    """What the bucket's lifecycle rule of `days` days still keeps at NOW."""
    return NOW.timestamp() < lifecycle_expiry(_epoch(record["DisconnectTimestamp"]), days)


def test_every_call_the_lifecycle_rule_keeps_has_its_audio_and_no_older_one_does(instance: Instance):
    kept = removed = 0
    for record in instance.contacts.values():
        if not record["Recording"]:
            continue
        key = record["Recording"]["Location"].split("/", 1)[1]
        redacted = [o for o in instance.objects if o.key.endswith(".wav") and record["ContactId"] in o.key
                    and "/Redacted/" in o.key]  # fmt: skip
        if _kept(record, 2):
            kept += 1
            assert key in instance.by_key
            english = record["ContactLens"]["ConversationalAnalytics"]["Configuration"]["LanguageLocale"] == "en-US"
            assert len(redacted) == (1 if english else 0)
            assert (record["ContactId"], "Redacted") in instance.analyses if english else True
        else:
            removed += 1
            assert key not in instance.by_key and not redacted
    assert kept >= 3 and removed > 500


def test_the_recording_window_follows_the_rule():
    assert RECORDING_DAYS >= 1
    assert not [o for o in generate_instance(contacts=300, seed=2, now=NOW, recording_days=0) if o.role == "recording"]
    assert lifecycle_expiry(1_000, 3) == 1_000 + 3 * 86400


def test_analysis_files_shaped_like_the_samples(instance: Instance):
    if SAMPLES.exists():
        voice_sample = json.loads((SAMPLES / "contact_lens_voice_analysis_v1.1.0_servicecloudvoice.json").read_text())
        chat_sample = json.loads((SAMPLES / "awsdocs_contact_lens_chat_example_1.json").read_text())
        assert list(voice_sample) == VOICE_KEYS and list(chat_sample) == CHAT_KEYS
        assert set(voice_sample["ConversationCharacteristics"]) <= set(
            next(d for (_, o), (_, d) in instance.analyses.items() if d["Channel"] == "VOICE")[
                "ConversationCharacteristics"
            ]
        )
    channels = Counter()
    for (contact_id, output), (key, doc) in instance.analyses.items():
        channels[doc["Channel"], output] += 1
        record = instance.contacts[contact_id]
        assert doc["CustomerMetadata"]["ContactId"] == contact_id
        assert doc["CustomerMetadata"]["InstanceId"] in record["InstanceARN"]
        connected = record["Agent"]["ConnectedToAgentTimestamp"]
        folder = connected[:10].replace("-", "/")
        if doc["Channel"] == "VOICE":
            assert list(doc) == VOICE_KEYS and doc["Version"] == "1.1.0"
            assert doc["CustomerMetadata"]["InputS3Uri"] == "s3://" + record["Recording"]["Location"]
            cc = doc["ConversationCharacteristics"]
            quarters = cc["Sentiment"]["SentimentByPeriod"]["QUARTER"]
            assert len(quarters["AGENT"]) == 4 and len(quarters["CUSTOMER"]) == 4
            for role in ("AGENT", "CUSTOMER"):
                assert -5 <= cc["Sentiment"]["OverallSentiment"][role] <= 5
            assert cc["TalkTime"]["TotalTimeMillis"] <= cc["TotalConversationDurationMillis"] * 2
            agent = record["Agent"]
            seconds = agent["AgentInteractionDuration"] + agent["CustomerHoldDuration"]
            assert abs(cc["TotalConversationDurationMillis"] / 1000 - seconds) <= 1.5
            assert all(t["EndOffsetMillis"] <= cc["TotalConversationDurationMillis"] for t in doc["Transcript"])
            folder_key = "Analysis/Voice/Redacted/" if output == "Redacted" else "Analysis/Voice/"
            suffix = "_analysis_redacted_" if output == "Redacted" else "_analysis_"
        else:
            assert list(doc) == CHAT_KEYS and doc["Version"] == "CHAT-2022-11-30"
            assert doc["ChatTranscriptVersion"] == "2019-08-26"
            items = [t for t in doc["Transcript"] if t["Type"] == "MESSAGE"]
            assert {
                "AbsoluteTime",
                "Content",
                "ContentType",
                "DisplayName",
                "Id",
                "ParticipantId",
                "ParticipantRole",
                "Type",
            } <= set(items[0])
            folder_key = "Analysis/Chat/Redacted/" if output == "Redacted" else "Analysis/Chat/"
            suffix = "_analysis_redacted_" if output == "Redacted" else "_analysis_"
        assert key == f"{folder_key}{folder}/{contact_id}{suffix}{connected}.json"
    assert channels["VOICE", "Raw"] and channels["VOICE", "Redacted"]
    assert channels["CHAT", "Raw"] and channels["CHAT", "Redacted"]


def test_every_connected_voice_contact_is_analysed(instance: Instance):
    voice = [r for r in instance.contacts.values() if r["Channel"] == "VOICE" and r["Agent"]]
    assert all((r["ContactId"], "Raw") in instance.analyses for r in voice)
    chats = [r for r in instance.contacts.values() if r["Channel"] == "CHAT" and r["Agent"]]
    analysed = sum((r["ContactId"], "Raw") in instance.analyses for r in chats)
    assert 0.8 * len(chats) <= analysed < len(chats)


def test_japanese_is_never_redacted(instance: Instance):
    japanese = [(cid, doc) for (cid, output), (_, doc) in instance.analyses.items() if doc["LanguageCode"] == "ja-JP"]
    assert japanese
    for contact_id, doc in japanese:
        assert doc["ContentMetadata"]["Output"] == "Raw"
        assert (contact_id, "Redacted") not in instance.analyses
        assert not any("Redaction" in t for t in doc["Transcript"])
    english = [cid for (cid, output), (_, doc) in instance.analyses.items() if doc["LanguageCode"] == "en-US"]
    assert english and all((cid, "Redacted") in instance.analyses for cid in english)
    assert not any(
        o.key.startswith("Analysis/Voice/Redacted/")
        and o.key.endswith(".wav")
        and instance.contacts[o.key.split("/")[-1][:36]]["ContactLens"]["ConversationalAnalytics"]["Configuration"][
            "LanguageLocale"
        ]
        == "ja-JP"
        for o in instance.objects
    )


def test_transcripts_read_like_calls(instance: Instance):
    text = {
        lang: " ".join(
            t.get("Content", "")
            for (_, o), (_, d) in instance.analyses.items()
            if o == "Raw" and d["LanguageCode"] == lang
            for t in d["Transcript"]
        )
        for lang in ("en-US", "ja-JP")
    }
    for phrase in ("Thank you for calling", "cancel", "card", "supervisor", "address"):
        assert phrase in text["en-US"]
    for phrase in ("お電話ありがとうございます。", "解約したい", "カード番号", "住所", "責任者"):
        assert phrase in text["ja-JP"]
    assert CARD.search(text["en-US"]) and CARD.search(text["ja-JP"])
    assert re.search(r"\+?\d{3}-555-\d{4}", text["en-US"]) and re.search(r"0[789]0-\d{4}-\d{4}", text["ja-JP"])


def test_redacted_transcripts_hide_personal_data(instance: Instance):
    checked = 0
    for (contact_id, output), (_, redacted) in instance.analyses.items():
        if output != "Redacted":
            continue
        original = instance.analyses[contact_id, "Raw"][1]
        raw = json.dumps(original, ensure_ascii=False)
        hidden = json.dumps(redacted, ensure_ascii=False)
        assert "[PII]" in hidden
        for card in CARD.findall(raw):
            assert card not in hidden and card.replace(" ", "") not in hidden
            checked += 1
        if redacted["Channel"] == "VOICE":
            for before, after in zip(original["Transcript"], redacted["Transcript"], strict=True):
                assert before["Id"] == after["Id"]
                if "Redaction" in after:
                    assert "[PII]" in after["Content"] and after["Content"] != before["Content"]
                    for span in after["Redaction"]["RedactedTimestamps"]:
                        assert before["BeginOffsetMillis"] <= span["BeginOffsetMillis"] < span["EndOffsetMillis"]
                        assert span["EndOffsetMillis"] <= before["EndOffsetMillis"]
                else:
                    assert after["Content"] == before["Content"]
        else:
            assert all(p["DisplayName"] in ("[PII]", "SYSTEM_MESSAGE") for p in redacted["Participants"])
    assert checked > 0


def test_categories_and_sentiment(instance: Instance):
    names = Counter(
        c for (_, o), (_, d) in instance.analyses.items() if o == "Raw" for c in d["Categories"]["MatchedCategories"]
    )
    assert {"Greeting", "Cancellation", "Complaint", "PaymentIssue", "Escalation"} <= set(names)
    for _, doc in instance.analyses.values():
        for name in doc["Categories"]["MatchedCategories"]:
            assert doc["Categories"]["MatchedDetails"][name]["PointsOfInterest"]
        for turn in doc["Transcript"]:
            if "Sentiment" in turn:
                assert turn["Sentiment"] in ("POSITIVE", "NEGATIVE", "NEUTRAL", "MIXED")


def read_wav(body: bytes) -> tuple[wave.Wave_read, array]:
    reader = wave.open(io.BytesIO(body))
    samples = array("h", reader.readframes(reader.getnframes()))
    return reader, samples


def test_recordings_are_connect_wavs(audio_instance: Instance):
    recordings = [o for o in audio_instance.objects if o.role == "recording"]
    originals = [o for o in recordings if o.key.startswith("connect/demo/CallRecordings/")]
    assert originals and all(o.content_type == "audio/wav" for o in recordings)
    languages = set()
    for obj in originals:
        contact_id = obj.key.split("/")[-1][:36]
        record = audio_instance.contacts[contact_id]
        assert record["Recording"]["Location"] == f"amazon-connect-demo/{obj.key}"
        doc = audio_instance.analyses[contact_id, "Raw"][1]
        languages.add(doc["LanguageCode"])
        reader, samples = read_wav(obj.body)
        assert (reader.getnchannels(), reader.getframerate(), reader.getsampwidth()) == (2, 8000, 2)
        duration_ms = reader.getnframes() * 1000 / 8000
        assert abs(duration_ms - doc["ConversationCharacteristics"]["TotalConversationDurationMillis"]) <= 50
        left, right = samples[0::2], samples[1::2]
        agent_right = agent_left = customer_left = customer_right = 0
        for turn in doc["Transcript"]:
            start, stop = turn["BeginOffsetMillis"] * 8, turn["EndOffsetMillis"] * 8
            l_energy = sum(map(abs, left[start:stop]))
            r_energy = sum(map(abs, right[start:stop]))
            if turn["ParticipantId"] == "AGENT":
                agent_left, agent_right = agent_left + l_energy, agent_right + r_energy
            else:
                customer_left, customer_right = customer_left + l_energy, customer_right + r_energy
        assert agent_right > 5 * agent_left  # the agent is on the right channel
        assert customer_left > 5 * customer_right  # the customer on the left
        # silence outside every turn
        spoken = bytearray(len(left))
        for turn in doc["Transcript"]:
            spoken[turn["BeginOffsetMillis"] * 8 : turn["EndOffsetMillis"] * 8] = b"\x01" * (
                (turn["EndOffsetMillis"] - turn["BeginOffsetMillis"]) * 8
            )
        assert all(left[i] == 0 and right[i] == 0 for i in range(0, len(left), 97) if not spoken[i])
    assert languages == {"en-US", "ja-JP"}


def test_redacted_wav_silences_redacted_spans(audio_instance: Instance):
    redacted_wavs = [o for o in audio_instance.objects if o.role == "recording" and "/Redacted/" in o.key]
    assert redacted_wavs
    for obj in redacted_wavs:
        contact_id = obj.key.split("/")[-1][:36]
        key, doc = audio_instance.analyses[contact_id, "Redacted"]
        assert doc["LanguageCode"] == "en-US"
        stamp = key.rsplit("_", 1)[1][: -len(".json")]
        assert (
            obj.key
            == f"Analysis/Voice/Redacted/{stamp[:10].replace('-', '/')}/{contact_id}_call_recording_redacted_{stamp}.wav"
        )
        original = audio_instance.by_key[audio_instance.contacts[contact_id]["Recording"]["Location"].split("/", 1)[1]]
        _, muted = read_wav(obj.body)
        _, full = read_wav(original.body)
        assert len(muted) == len(full)
        spans = [s for t in doc["Transcript"] for s in t.get("Redaction", {}).get("RedactedTimestamps", [])]
        assert spans
        loud_before = 0
        for span in spans:
            start, stop = span["BeginOffsetMillis"] * 16, span["EndOffsetMillis"] * 16
            assert not any(muted[start:stop])  # both channels silent
            loud_before += sum(map(abs, full[start:stop]))
        assert loud_before > 0  # there was speech there in the original
        outside = [
            i
            for i in range(0, len(full), 101)
            if not any(s["BeginOffsetMillis"] * 16 - 2 <= i < s["EndOffsetMillis"] * 16 + 2 for s in spans)
        ]
        assert all(muted[i] == full[i] for i in outside)


def test_directory():
    directory = demo_directory(7)
    assert directory == demo_directory(7)
    assert directory.instance_id != demo_directory(8).instance_id
    assert 36 <= len(directory.agents) <= 44
    assert {g.level for g in directory.groups} >= {1, 2, 3}
    assert {g.name for g in directory.groups if g.level == 1} == {"Japan", "North America"}
    assert {g.name for g in directory.groups if g.level == 2} == {"Tokyo", "Osaka", "Seattle", "Toronto"}
    assert re.fullmatch(rf"arn:aws:connect:ap-northeast-1:123456789012:instance/{UUID}", directory.instance_arn)
    for agent in directory.agents:
        lineage = directory.lineage(agent.group_id)
        assert lineage[0].level == 1 and lineage[-1].id == agent.group_id
        assert agent.arn == f"{directory.instance_arn}/agent/{agent.id}"
        assert re.fullmatch(r"[a-z]+\.[a-z]+", agent.username)
        assert (lineage[0].name == "Japan") == (agent.language == "ja-JP")
    assert len(directory.queues) >= 6 and any(q.name == "請求" for q in directory.queues)
    assert len(directory.routing_profiles) == 4
    assert all(q.arn.endswith(f"/queue/{q.id}") for q in directory.queues)
    assert all(p.arn.endswith(f"/routing-profile/{p.id}") for p in directory.routing_profiles)
    assert all(g.arn.endswith(f"/agent-group/{g.id}") for g in directory.groups)
