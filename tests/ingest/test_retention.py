"""Daily retention: contacts older than CONTACT_RETENTION_DAYS go, with everything
keyed to them; contacts on legal hold and younger contacts stay."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from recordings.models import Recording
from search.ingest.runner import ingest_sources
from search.models import Contact, ContactAnalysis, ContactAttributeIndex, TranscriptSearchDoc, TranscriptTurn
from search.retention import contacts_purge_expired
from tests.ctr_builder import ctr

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 22, tzinfo=UTC)


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _analysis(contact_id: str) -> dict:
    return {
        "Version": "1.1.0", "Channel": "VOICE", "LanguageCode": "en-US",
        "ContentMetadata": {"Output": "Redacted", "RedactionTypes": ["PII"]},
        "Participants": [{"ParticipantId": "AGENT", "ParticipantRole": "AGENT"}],
        "ConversationCharacteristics": {"TotalConversationDurationMillis": 1000},
        "CustomerMetadata": {"ContactId": contact_id},
        "Transcript": [{"ParticipantId": "AGENT", "Content": "Hello [PII]", "BeginOffsetMillis": 0,
                        "EndOffsetMillis": 900, "Sentiment": "NEUTRAL"}],
    }  # fmt: skip


def test_old_contacts_are_purged_in_batches_with_their_rows(tmp_path, settings):
    settings.CONTACT_RETENTION_DAYS = 730
    old_day, young_day = NOW - timedelta(days=731), NOW - timedelta(days=729)
    old = [ctr(InitiationTimestamp=_iso(old_day), updated=_iso(old_day)) for _ in range(5)]
    held = ctr(InitiationTimestamp=_iso(old_day), updated=_iso(old_day))
    young = ctr(InitiationTimestamp=_iso(young_day), updated=_iso(young_day))
    (tmp_path / "ctr.json").write_text("\n".join(json.dumps(r) for r in [*old, held, young]))
    for record in [*old, young]:
        cid = record["ContactId"]
        (tmp_path / f"{cid}_analysis_redacted_2024-01-01T00:00:00Z.json").write_text(json.dumps(_analysis(cid)))
    ingest_sources([str(tmp_path)])
    Contact.objects.filter(contact_id=held["ContactId"]).update(legal_hold=True)

    assert contacts_purge_expired(now=NOW, batch=2) == 5

    left = set(Contact.objects.values_list("contact_id", flat=True))
    assert left == {held["ContactId"], young["ContactId"]}
    gone = [r["ContactId"] for r in old]
    for model in (ContactAnalysis, TranscriptTurn, TranscriptSearchDoc):
        assert not model.objects.filter(contact_id__in=gone).exists()
    assert ContactAnalysis.objects.filter(contact_id=young["ContactId"]).exists()
    assert Recording.objects.count() == 2 and ContactAttributeIndex.objects.filter(contact__contact_id__in=gone).count() == 0
    assert contacts_purge_expired(now=NOW) == 0
