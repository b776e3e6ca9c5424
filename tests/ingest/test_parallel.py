"""The ingest tests again with parsing and encryption in worker processes (ingests
this small normally stay in-process)."""

from __future__ import annotations

import pytest

from search.ingest import prepare, runner
from tests.ingest.test_batches import (  # noqa: F401 - tests re-run below
    test_a_failing_later_batch_keeps_earlier_batches_and_half_writes_nothing,
    test_original_and_redacted_files_in_one_batch_end_as_separate_runs_would,
    test_records_naming_new_agents_queues_and_groups_resolve_in_one_batch,
)
from tests.ingest.test_ingest import (  # noqa: F401 - fixtures and tests re-run below
    samples,
    test_analysis_arriving_before_its_record_is_joined_later,
    test_bad_records_are_reported_and_the_rest_goes_in,
    test_concatenated_ndjson_and_gzip_files,
    test_newest_update_wins_and_older_or_equal_changes_nothing,
    test_no_plaintext_pii_anywhere_in_the_database,
    test_public_samples_ingest_and_broken_ones_are_reported,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def in_worker_processes(monkeypatch):
    monkeypatch.setattr(runner, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(prepare, "WORKERS", 2)
    started = []
    original = prepare.Preparer.__init__

    def init(self, *, parallel=True):
        original(self, parallel=parallel)
        started.append(self.pool is not None)

    monkeypatch.setattr(prepare.Preparer, "__init__", init)
    yield
    assert started and all(started), "the worker processes were not used"

