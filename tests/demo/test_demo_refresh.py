"""A demo loaded days ago is brought up to now on the next `make run`, so calls inside
the bucket's lifecycle rule can be played again, as on a live instance."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from demo.generate import RECORDING_DAYS
from demo.loader import demo_load, demo_refresh
from recordings import storage
from search.models import Contact

NOW = datetime.now(UTC).replace(microsecond=0)


def test_a_demo_days_old_gets_the_days_since_with_their_recordings(transactional_db, s3_bucket):
    loaded_at = NOW - timedelta(days=5)
    # The days added are drawn afresh from the refresh time (to the second); enough
    # contacts that some recorded calls always fall inside the lifecycle rule.
    demo_load(contacts=120, seed=4, now=loaded_at, days=10)
    before = set(Contact.objects.values_list("contact_id", flat=True))
    newest_before = max(Contact.objects.values_list("initiation_ts", flat=True))

    report = demo_refresh(seed=4, now=NOW)

    added = Contact.objects.exclude(contact_id__in=before)
    assert report is not None and report.ingest.contacts == added.count() > 0
    assert Contact.objects.filter(contact_id__in=before).count() == len(before)  # nothing replaced
    # Whole days since the newest contact (the first may overlap that contact's day).
    assert all(newest_before - timedelta(days=1) < c.initiation_ts <= NOW for c in added)
    kept_from = NOW - timedelta(days=RECORDING_DAYS) + timedelta(hours=2)
    recent_calls = added.filter(channel="VOICE", disconnect_ts__gte=kept_from, recording__isnull=False)
    assert recent_calls.exists()
    for call in recent_calls.select_related("recording"):
        found = storage.head(*storage.split_location(call.recording.location))
        assert found is not None and found.size > 44, call.contact_id  # the audio is there to play
    newest = max(Contact.objects.values_list("initiation_ts", flat=True))
    assert demo_refresh(seed=4, now=newest + timedelta(hours=2)) is None  # less than a day behind: left alone
