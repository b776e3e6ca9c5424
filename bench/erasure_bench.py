"""Erasing one customer with 200 contacts, each with a recording, a redacted recording and
two Contact Lens files in S3 (800 objects) and a record in the contact-record files,
beside a plain boto3 `delete_objects` of the same keys (the floor: no listing of
versions, no database, no certificate).

    .venv/bin/python -m bench.erasure_bench [--contacts 200]

Real PostgreSQL (database `bench_erasure`) and the embedded S3, a versioned bucket of
its own. The erasure runs in this process, as `manage.py erase_customer` runs it.
Target: ≤ 2 × the floor.
"""

from __future__ import annotations

import argparse
import json
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from bench.common import setup_django

DATABASE = "bench_erasure"
BODY = b"\0" * 16 * 1024


def log(message: str) -> None:
    print(message, flush=True)


def _keys(contact_id: str) -> list[str]:
    day = "2026/11/01"
    return [
        f"connect/bench/CallRecordings/{day}/{contact_id}_20261101T09:00_UTC.wav",
        f"Analysis/Voice/Redacted/{day}/{contact_id}_call_recording_redacted_2026-11-01T09:05:00Z.wav",
        f"Analysis/Voice/{day}/{contact_id}_analysis_2026-11-01T09:05:00Z.json",
        f"Analysis/Voice/Redacted/{day}/{contact_id}_analysis_redacted_2026-11-01T09:05:00Z.json",
    ]


def _put_all(bucket: str, keys: list[str]) -> None:
    from recordings import storage

    with ThreadPoolExecutor(max_workers=32) as pool:
        list(pool.map(lambda key: storage.put_bytes(bucket, key, BODY), keys))


def _customer(bucket: str, count: int, number: str) -> list[str]:
    """`count` contacts of one customer in the database, their objects and records in S3."""
    from portal import crypto
    from portal.phone import phone_blind_index
    from recordings import storage
    from recordings.models import Recording
    from search.models import Contact, ContactAnalysis, TranscriptTurn

    ids = [str(uuid.uuid4()) for _ in range(count)]
    start = datetime(2026, 11, 1, 9, tzinfo=UTC)
    contacts = Contact.objects.bulk_create(
        Contact(
            contact_id=cid,
            channel="VOICE",
            initiation_ts=start + timedelta(minutes=n),
            last_update_ts=start + timedelta(minutes=n + 6),
            customer_phone_hash=phone_blind_index(number),
            customer_phone_enc=crypto.encrypt_text(number, context=cid),
        )  # fmt: skip
        for n, cid in enumerate(ids)
    )
    Recording.objects.bulk_create(Recording(contact=c, location=f"{bucket}/{_keys(c.contact_id)[0]}") for c in contacts)
    ContactAnalysis.objects.bulk_create(
        ContactAnalysis(
            contact_id=cid,
            channel="VOICE",
            bucket=bucket,
            redacted_audio_key=_keys(cid)[1],
            original_key=_keys(cid)[2],
            redacted_key=_keys(cid)[3],
        )  # fmt: skip
        for cid in ids
    )
    TranscriptTurn.objects.bulk_create(
        TranscriptTurn(contact_id=cid, position=p, participant_role="CUSTOMER", content="my order [PII]")
        for cid in ids
        for p in range(2)
    )
    _put_all(bucket, [key for cid in ids for key in _keys(cid)])
    # Contact records as Firehose writes them: 20 files, the customer's beside others'.
    for part in range(20):
        records = [{"ContactId": cid, "CustomerEndpoint": {"Address": number}} for cid in ids[part::20]]
        records += [{"ContactId": str(uuid.uuid4()), "CustomerEndpoint": {"Address": "+81312345678"}}] * 10
        storage.put_bytes(bucket, f"ctr/2026/11/01/09/stream-{part}", "\n".join(map(json.dumps, records)).encode())
    return ids


def bench_erasure(bucket: str, count: int) -> float:
    from django.conf import settings

    from erasure import services

    settings.CTR_SOURCE = f"s3://{bucket}/ctr/"
    number = f"+8190{uuid.uuid4().int % 10**8:08d}"
    _customer(bucket, count, number)
    started = time.perf_counter()
    erasure = services.erasure_create(user=None, phone=number, reason="bench", enqueue=False)
    assert services.erasure_run(erasure_id=erasure.pk) == "DONE"
    return time.perf_counter() - started


def bench_floor(bucket: str, count: int) -> float:
    from recordings import storage

    keys = [key for _ in range(count) for key in _keys(str(uuid.uuid4()))]
    _put_all(bucket, keys)
    started = time.perf_counter()
    for first in range(0, len(keys), 1000):
        chunk = [{"Key": key} for key in keys[first : first + 1000]]
        storage.client().delete_objects(Bucket=bucket, Delete={"Objects": chunk, "Quiet": True})
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=200)
    args = parser.parse_args()
    setup_django(DATABASE)
    from recordings import storage

    bucket = f"bench-erasure-{uuid.uuid4().hex[:8]}"
    storage.ensure_bucket(bucket, versioned=True)
    erasure = bench_erasure(bucket, args.contacts)
    floor = bench_floor(bucket, args.contacts)
    log(f"erase a customer with {args.contacts} contacts ({args.contacts * 4} objects): {erasure * 1000:8.0f} ms")
    log(f"boto3 delete_objects of as many keys (the floor):   {floor * 1000:8.0f} ms")
    log(f"ratio: {erasure / floor:.1f} x the floor (target <= 2)")
    _drop(bucket)


def _drop(bucket: str) -> None:
    """The bench's bucket goes with every version it holds."""
    from recordings import storage

    client = storage.client()
    for page in client.get_paginator("list_object_versions").paginate(Bucket=bucket):
        versions = [{"Key": v["Key"], "VersionId": v["VersionId"]}
                    for v in page.get("Versions", []) + page.get("DeleteMarkers", [])]  # fmt: skip
        if versions:
            client.delete_objects(Bucket=bucket, Delete={"Objects": versions, "Quiet": True})
    client.delete_bucket(Bucket=bucket)


if __name__ == "__main__":
    main()
