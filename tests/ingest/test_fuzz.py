"""Ingestion fuzzed with Hypothesis through the real path (local files, real database):
contact record files mixing good records with broken ones (wrong types, missing and
extra fields, huge strings, deep nesting, NUL characters, invalid UTF-8, garbage
between records), plain, gzipped or with the gzip cut short; and Contact Lens files
with parts replaced by anything JSON can hold.

The promise held: no crash; every good record of a file goes in; every bad one is
reported with its position ("record N"). Seeded (derandomize) and bounded.
"""

from __future__ import annotations

import gzip
import json
import re
import uuid
import zlib
from itertools import count
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from search.ingest.runner import ingest_sources
from search.models import Contact, ContactAnalysis
from tests.ctr_builder import arn, ctr

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
_files = count()
HUGE = "Ω" * 120_000
DEEP = "[" * 50_000 + "]" * 50_000
# NUL characters are their own case: a record or file holding one is refused whole.
TEXT = st.text(st.characters(exclude_characters="\x00"), max_size=30)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=12,
)
NOT_A_STRING = st.none() | st.booleans() | st.integers() | st.lists(st.integers(), max_size=3) | st.just({})


def _fresh_file(tmp_path: Path, name: str) -> Path:
    folder = tmp_path / f"run-{next(_files)}"
    folder.mkdir()
    return folder / name


# --- Contact records ------------------------------------------------------------------


def _good_record(draw) -> dict:
    """A record that must go in, however odd: extra fields, wrong types where Connect
    allows nothing to be relied on, huge and unusual strings."""
    record = ctr(str(draw(st.uuids(version=4))))
    oddity = draw(st.sampled_from(["none", "extra", "huge", "types", "unicode"]))
    if oddity == "extra":
        record.update(draw(st.dictionaries(TEXT.filter(bool), JSON_VALUES, max_size=4)))
    elif oddity == "huge":
        place = draw(st.sampled_from(["username", "queue", "attribute", "reason", "group"]))
        if place == "username":
            record["Agent"]["Username"] = HUGE
        elif place == "queue":
            record["Queue"]["Name"] = HUGE
        elif place == "attribute":
            record["Attributes"]["note"] = HUGE
        elif place == "reason":
            record["DisconnectReason"] = HUGE
        else:
            record["Agent"]["HierarchyGroups"]["Level1"]["GroupName"] = HUGE
    elif oddity == "types":
        key = draw(st.sampled_from(["Agent", "Queue", "Attributes", "Recording", "CustomerEndpoint", "ContactLens"]))
        record[key] = draw(st.sampled_from(["text", 7, [1, 2], True]))
    elif oddity == "unicode":
        record["Agent"]["Username"] = draw(TEXT.filter(bool))
    return record


def _bad_record(draw) -> tuple[str, bool]:
    """The text of a record that must be refused, and whether it is broken JSON (the
    reader then resumes at the next line that opens an object)."""
    record = ctr(str(draw(st.uuids(version=4))))
    kind = draw(st.sampled_from(["no-id", "id-type", "long-id", "no-time", "bad-time", "nul", "deep", "long-arn",
                                 "bad-utf8", "truncated"]))  # fmt: skip
    if kind == "no-id":
        del record["ContactId"]
    elif kind == "id-type":
        record["ContactId"] = draw(NOT_A_STRING | st.just("  "))
    elif kind == "long-id":
        record["ContactId"] = "c" * draw(st.integers(65, 400))
    elif kind == "no-time":
        for key in ("InitiationTimestamp", "DisconnectTimestamp", "LastUpdateTimestamp"):
            record.pop(key)
    elif kind == "bad-time":
        record["LastUpdateTimestamp"] = draw(NOT_A_STRING.filter(lambda v: v not in (None, "")) | st.just("soon"))
    elif kind == "nul":
        where = draw(st.sampled_from(["ContactId", "Channel", "Username"]))
        if where == "Username":
            record["Agent"]["Username"] = "ag\x00ent"
        else:
            record[where] = record[where] + "\x00"
    elif kind == "long-arn":
        record["Agent"]["ARN"] = arn("agent", "a" * 100)
    text = json.dumps(record, ensure_ascii=draw(st.booleans()))
    if kind == "deep":
        text = text.replace('"Tags": {}', f'"Tags": {DEEP}')
    elif kind == "bad-utf8":
        text = text.replace('"Channel": "VOICE"', '"Channel": "VO\udcc3(ICE"')
    elif kind == "truncated":
        text = text[: draw(st.integers(1, len(text) - 1))]
    return text, kind in ("deep", "truncated")


@st.composite
def record_files(draw):
    """(elements, format): each element is ("good", record) or ("bad", text)."""
    elements = []
    for _ in range(draw(st.integers(1, 8))):
        choice = draw(st.sampled_from(["good", "good", "bad", "garbage"]))
        if choice == "good":
            elements.append(("good", _good_record(draw)))
            continue
        if choice == "bad":
            text, broken = _bad_record(draw)
        else:
            junk = draw(st.text(st.characters(exclude_characters='{}[]\n\r"\x00'), max_size=40))
            text, broken = "#" + junk + draw(st.sampled_from(["", "\udcff\udcfe garbage"])), True
        elements.append(("bad", text))
        if broken:
            # The reader resumes at the next line that opens an object: one follows.
            elements.append(("good", _good_record(draw)))
    fmt = draw(st.sampled_from(["ndjson", "concatenated", "gzip", "gzip-truncated"]))
    return elements, fmt, draw(st.floats(0.2, 0.9))


def _render(elements, fmt: str) -> str:
    parts = []
    for kind, value in elements:
        text = json.dumps(value) if kind == "good" else value
        # Concatenated JSON has no separator; a broken element still ends its line.
        parts.append(text + ("\n" if fmt != "concatenated" or kind == "bad" else ""))
    return "".join(parts)


def _salvaged(data: bytes) -> str:
    """What a gzip cut short still holds."""
    return zlib.decompressobj(wbits=31).decompress(data).decode("utf-8", "surrogateescape")


@FUZZ
@given(case=record_files())
def test_contact_record_files(case, tmp_path):
    elements, fmt, cut = case
    text = _render(elements, fmt)
    data = text.encode("utf-8", "surrogateescape")
    if fmt.startswith("gzip"):
        data = gzip.compress(data, mtime=0)
    if fmt == "gzip-truncated":
        data = data[: max(10, int(len(data) * cut))]
    path = _fresh_file(tmp_path, "ctr.json.gz" if fmt.startswith("gzip") else "ctr.json")
    path.write_bytes(data)

    report = ingest_sources([str(path)])

    readable = _salvaged(data) if fmt == "gzip-truncated" else text
    positions = {int(m.group(1)) for r in report.rejections if (m := re.match(r"record (\d+)", r.position))}
    offset = 0
    for number, (kind, value) in enumerate(elements, start=1):
        rendered = _render([(kind, value)], fmt)
        complete = offset + len(rendered.rstrip("\n")) <= len(readable)
        offset += len(rendered)
        if not complete:
            break
        if kind == "good":
            assert Contact.objects.filter(contact_id=value["ContactId"]).exists(), (number, fmt)
        else:
            assert number in positions, (number, value[:200], report.rejections)
    if fmt == "gzip-truncated":
        assert any("truncated" in r.reason for r in report.rejections) or readable == text


# --- Contact Lens analysis files ------------------------------------------------------


def _analysis(contact_id: str) -> dict:
    return {
        "Version": "1.1.0",
        "Channel": "VOICE",
        "LanguageCode": "en-US",
        "ContentMetadata": {"Output": "Redacted"},
        "CustomerMetadata": {"ContactId": contact_id},
        "Participants": [{"ParticipantId": "A", "ParticipantRole": "AGENT"},
                         {"ParticipantId": "C", "ParticipantRole": "CUSTOMER"}],
        "ConversationCharacteristics": {
            "TotalConversationDurationMillis": 2000,
            "Sentiment": {"OverallSentiment": {"AGENT": 1.5, "CUSTOMER": -0.5},
                          "SentimentByPeriod": {"QUARTER": {"AGENT": [{"Score": 1.0}], "CUSTOMER": [{"Score": -1}]}}},
            "Interruptions": {"TotalCount": 1},
            "NonTalkTime": {"TotalTimeMillis": 300},
            "TalkTime": {"TotalTimeMillis": 1700, "DetailsByParticipant": {"AGENT": {"TotalTimeMillis": 900}}},
        },
        "Categories": {"MatchedCategories": ["Refund"],
                       "MatchedDetails": {"Refund": {"PointsOfInterest": [{"BeginOffsetMillis": 10,
                                                                           "EndOffsetMillis": 20}]}}},
        "Transcript": [
            {"ParticipantId": "A", "Content": "Thank you for calling.", "BeginOffsetMillis": 0,
             "EndOffsetMillis": 900, "Sentiment": "NEUTRAL"},
            {"ParticipantId": "C", "Content": "I want a refund.", "BeginOffsetMillis": 1000,
             "EndOffsetMillis": 1900, "Sentiment": "NEGATIVE"},
        ],
    }  # fmt: skip


_PARTS = (
    ("ConversationCharacteristics",), ("ConversationCharacteristics", "Sentiment"),
    ("ConversationCharacteristics", "Sentiment", "OverallSentiment"),
    ("ConversationCharacteristics", "Sentiment", "SentimentByPeriod"),
    ("ConversationCharacteristics", "Sentiment", "SentimentByPeriod", "QUARTER"),
    ("ConversationCharacteristics", "TalkTime"), ("ConversationCharacteristics", "Interruptions"),
    ("Categories",), ("Categories", "MatchedCategories"), ("Categories", "MatchedDetails"),
    ("Categories", "MatchedDetails", "Refund"), ("Participants",), ("Participants", 0), ("Transcript",),
    ("Transcript", 0), ("Transcript", 0, "Content"), ("Transcript", 0, "Sentiment"),
    ("Transcript", 1, "BeginOffsetMillis"), ("CustomerMetadata",), ("CustomerMetadata", "ContactId"), ("Channel",),
    ("LanguageCode",), ("Version",), ("ContentMetadata",), ("ContentMetadata", "Output"),
)  # fmt: skip


def _replace(doc: dict, path: tuple, value) -> None:
    holder = doc
    for step in path[:-1]:
        holder = holder[step]
    if value is _DELETE:
        del holder[path[-1]]
    else:
        holder[path[-1]] = value


_DELETE = object()


@st.composite
def analysis_files(draw):
    """(document text or bytes, must it go in?)"""
    contact_id = str(draw(st.uuids(version=4)))
    doc = _analysis(contact_id)
    kind = draw(st.sampled_from(["replace", "replace", "extra", "huge", "deep", "nul", "bad-utf8", "truncated-gzip",
                                 "two-documents"]))  # fmt: skip
    benign = kind in ("extra", "huge")
    if kind == "replace":
        for _ in range(draw(st.integers(1, 3))):
            path = draw(st.sampled_from(_PARTS))
            try:
                _replace(doc, path, draw(st.just(_DELETE) | JSON_VALUES | st.just(HUGE)))
            except (KeyError, IndexError, TypeError):
                pass  # an earlier replacement removed the way there
    elif kind == "extra":
        doc.update(draw(st.dictionaries(TEXT.filter(lambda k: k and k not in doc), JSON_VALUES,
                                        max_size=4)))  # fmt: skip
    elif kind == "huge":
        doc["Transcript"][1]["Content"] = HUGE
    text = json.dumps(doc)
    if kind == "deep":
        text = text.replace('"Version": "1.1.0"', f'"Version": {DEEP}')
    elif kind == "nul":
        text = text.replace("I want a refund.", "I want\\u0000 a refund.")
    elif kind == "bad-utf8":
        text = text.replace("refund", "ref\udcffund")
    elif kind == "two-documents":
        text = text + "\n" + text
    data = text.encode("utf-8", "surrogateescape")
    if kind == "truncated-gzip":
        data = gzip.compress(data, mtime=0)
        data = data[: draw(st.integers(10, len(data) - 1))]
    return contact_id, data, benign


@FUZZ
@given(case=analysis_files())
def test_contact_lens_files(case, tmp_path):
    contact_id, data, benign = case
    good_id = str(uuid.uuid4())
    folder = _fresh_file(tmp_path, "Analysis").parent / "Analysis" / "Voice" / "Redacted" / "2026" / "11" / "01"
    folder.mkdir(parents=True)
    suffix = "_analysis_redacted_2026-11-01T09:05:00Z.json"
    fuzzed = folder / f"{contact_id}{suffix}"
    fuzzed.write_bytes(data)
    (folder / f"{good_id}{suffix}").write_text(json.dumps(_analysis(good_id)))

    report = ingest_sources([str(folder)])

    assert ContactAnalysis.objects.filter(contact_id=good_id).exists()
    stored = ContactAnalysis.objects.filter(contact_id=contact_id).exists()
    refused = [r for r in report.rejections if r.source == str(fuzzed.resolve())]
    assert stored or refused, report.rejections
    if benign:
        assert stored, report.rejections
