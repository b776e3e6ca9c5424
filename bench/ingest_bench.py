"""Ingest throughput: 100,000 contact records and 20,000 Contact Lens analyses read
from the (embedded) S3, through the same code path as production.
Target: ≥ 5,000 records/s and ≥ 1,000 analyses/s on a 2-core machine."""

from __future__ import annotations

import argparse
import time
import uuid
from datetime import UTC, datetime
from itertools import islice

from bench.common import setup_django


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--analyses", type=int, default=20_000)
    parser.add_argument("--bucket", help="reuse the objects an earlier run left in this bucket (A/B comparisons)")
    parser.add_argument("--skip-records", action="store_true", help="measure the analyses only")
    args = parser.parse_args()
    setup_django("bench_ingest")

    from django.conf import settings
    from django.db import connection

    from demo import generate_instance
    from demo.loader import _upload
    from recordings import storage
    from search.ingest.runner import ingest_sources

    with connection.cursor() as cursor:  # a clean slate for every run
        cursor.execute("TRUNCATE search_contact, search_contactanalysis, search_transcriptturn, "
                       "search_transcriptsearchdoc, search_ingestedobject, search_ingestrejection, "
                       "search_contactattributeindex, recordings_recording CASCADE")  # fmt: skip
    bucket = args.bucket or f"bench-{uuid.uuid4().hex[:8]}"
    storage.ensure_bucket(bucket)
    reuse = bool(args.bucket) and any(True for _ in islice(storage.list_objects(bucket), 1))
    now = datetime(2026, 11, 1, tzinfo=UTC)

    started = time.perf_counter()
    ctr_objects = (o for o in generate_instance(contacts=args.records, seed=1, now=now, bucket=bucket,
                                                recording_days=0, instance_arn=settings.CONNECT_INSTANCE_ARN)
                   if o.role == "ctr")  # fmt: skip
    written = (0,) if reuse else _upload(ctr_objects, bucket, bucket)
    analyses = []
    for obj in generate_instance(contacts=args.analyses, seed=2, now=now, bucket=bucket, recording_days=0):
        if obj.role == "analysis":
            analyses.append(obj)
            if len(analyses) >= args.analyses:
                break
    if not reuse:
        _upload(analyses, bucket, bucket)
    print(f"prepared {written[0]} CTR objects and {len(analyses)} analysis files in S3 bucket {bucket} "
          f"({time.perf_counter() - started:.0f} s, not measured)")  # fmt: skip

    if not args.skip_records:
        started = time.perf_counter()
        report = ingest_sources([f"s3://{bucket}/ctr/"])
        elapsed = time.perf_counter() - started
        records = report.contacts
        print(f"contact records: {records:,} contacts in {elapsed:.1f} s = {records / elapsed:,.0f} records/s "
              f"(target ≥ 5,000/s; {len(report.rejections)} rejected)")  # fmt: skip
        _stages(report, records)

    started = time.perf_counter()
    report = ingest_sources([f"s3://{bucket}/Analysis/"])
    elapsed = time.perf_counter() - started
    print(f"analyses: {report.analyses:,} files in {elapsed:.1f} s = {report.analyses / elapsed:,.0f} analyses/s "
          f"(target ≥ 1,000/s; {len(report.rejections)} rejected; {report.originals_not_downloaded:,} originals "
          f"settled by their redacted twin, not downloaded)")  # fmt: skip
    _stages(report, report.analyses)
    _store_ceiling(bucket, analyses[:2000])
    _without_s3(analyses[:4000])


def _stages(report, count: int) -> None:
    """Where the time went. Parse and crypto run in worker processes, overlapping each
    other and the writes, so the stages add up to more than the wall-clock time. The
    load average says how much of the two cores other work was using meanwhile."""
    import os

    per = {stage: 1000 * seconds / max(count, 1) for stage, seconds in report.seconds.items()}
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print("  ms per item: " + ", ".join(f"{stage} {ms:.3f}" for stage, ms in per.items()) + f"; load average {load}")


def _store_ceiling(bucket: str, objects: list) -> None:
    """How fast the S3 server alone answers GETs of these objects (16 threads, the ingest's read path)."""
    from concurrent.futures import ThreadPoolExecutor

    from recordings import storage

    started = time.perf_counter()
    with ThreadPoolExecutor(16) as pool:
        list(pool.map(lambda o: storage.get_bytes_presigned(bucket, o.key), objects))
    print(f"  the S3 server alone: {len(objects) / (time.perf_counter() - started):,.0f} GETs/s of analysis files")


def _without_s3(objects: list) -> None:
    """Parsing and writing alone: the same files from local disk into a clean slate."""
    import tempfile
    from pathlib import Path

    from django.db import connection

    from search.ingest.runner import ingest_sources

    with tempfile.TemporaryDirectory() as folder:
        for obj in objects:
            path = Path(folder, obj.key)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(obj.body)
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE search_contactanalysis, search_transcriptturn, search_transcriptsearchdoc")
        started = time.perf_counter()
        report = ingest_sources([folder])
        elapsed = time.perf_counter() - started
    print(f"  parse + write without S3: {report.analyses / elapsed:,.0f} analyses/s")


if __name__ == "__main__":
    main()
