"""Bulk actions: deleting 1,000 recordings in one bulk job beside boto3's `delete_objects`
on the same number of keys (the floor), and the zip stream's throughput beside a plain
S3 read of the same objects, with the process's memory growth while streaming.

    .venv/bin/python -m bench.bulk_bench [--contacts 1000] [--zip-files 30] [--zip-mib 8]

The deletion job runs in this process exactly as a worker runs it
(`bulk.services.bulk_deletion_run`, batches through `recordings.bulk_deletion`), against
PostgreSQL (database `bench_bulk`), Redis and the embedded S3.
Targets: bulk deletion ≤ 2 × the floor; zip throughput ≥ 80 % of the plain read;
memory growth while streaming ≤ 50 MB.
"""

from __future__ import annotations

import argparse
import os
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from bench.common import setup_django

DATABASE = "bench_bulk"
KEY_BYTES = 4096


def log(message: str) -> None:
    print(message, flush=True)


def _user(name: str, permissions: list[str]):
    from portal.accounts.models import SecurityProfile, User

    user, _ = User.objects.get_or_create(username=name)
    profile, _ = SecurityProfile.objects.update_or_create(name=f"bench-{name}", defaults={"permissions": permissions})
    user.security_profiles.set([profile])
    return User.objects.get(pk=user.pk)


def _contacts(bucket: str, count: int, *, body: bytes | None, tag: str, hours_ago: int) -> list:
    """`count` contacts, each with an original recording at its own key in `bucket`."""
    from django.utils import timezone

    from recordings import storage
    from recordings.models import Recording
    from search.models import Contact

    now = timezone.now() - timedelta(hours=hours_ago)
    contacts = Contact.objects.bulk_create(
        Contact(contact_id=f"{tag}-{i:05d}-{uuid.uuid4().hex[:8]}", channel="VOICE", initiation_method="INBOUND",
                initiation_ts=now - timedelta(seconds=i), disconnect_ts=now, last_update_ts=now)
        for i in range(count)
    )  # fmt: skip
    keys = [f"connect/bench/CallRecordings/{c.contact_id}.wav" for c in contacts]
    payload = body if body is not None else os.urandom(KEY_BYTES)
    with ThreadPoolExecutor(16) as pool:
        list(pool.map(lambda key: storage.put_bytes(bucket, key, payload, content_type="audio/wav"), keys))
    Recording.objects.bulk_create(
        Recording(contact=c, location=f"{bucket}/{k}") for c, k in zip(contacts, keys, strict=True)
    )
    return contacts


def _floor(bucket: str, count: int) -> float:
    """boto3's delete_objects over `count` keys, 1,000 per request."""
    from recordings import storage

    keys = [f"floor/{uuid.uuid4().hex}.wav" for _ in range(count)]
    payload = os.urandom(KEY_BYTES)
    with ThreadPoolExecutor(16) as pool:
        list(pool.map(lambda key: storage.put_bytes(bucket, key, payload), keys))
    started = time.perf_counter()
    for start in range(0, count, 1000):
        objects = [{"Key": key} for key in keys[start : start + 1000]]
        storage.client().delete_objects(Bucket=bucket, Delete={"Objects": objects, "Quiet": True})
    return time.perf_counter() - started


def bench_deletion(bucket: str, count: int) -> None:
    from bulk import services
    from bulk.models import BulkAction, BulkActionItem
    from portal.accounts import permissions as p
    from recordings.models import Recording
    from search.criteria import SearchCriteria

    user = _user("bench-bulk-deleter", [p.CONTACT_SEARCH, p.DELETE_RECORDINGS])
    contacts = _contacts(bucket, count, body=None, tag="bench-del", hours_ago=2)
    floor = _floor(bucket, count)

    services._enqueue = lambda job: None  # run below, in this process, as the worker runs it
    criteria = SearchCriteria(start=contacts[-1].initiation_ts, end=contacts[0].initiation_ts + timedelta(seconds=1))
    started = time.perf_counter()
    job = services.bulk_action_start(user=user, action=BulkAction.DELETE_RECORDINGS, criteria=criteria,
                                     reason="benchmark", expected_count=count)  # fmt: skip
    selected = time.perf_counter()
    services.bulk_deletion_run(bulk_action_id=str(job.pk))
    finished = time.perf_counter()

    deleted = BulkActionItem.objects.filter(bulk_action=job, outcome=BulkActionItem.DELETED).count()
    assert deleted == count, f"{deleted} of {count} deleted"
    assert Recording.objects.filter(contact__in=contacts, status=Recording.DELETED).count() == count
    total = finished - started
    log(
        f"bulk deletion of {count} recordings ({services.BATCH} a batch): "
        f"{total:.2f} s ({total / count * 1000:.1f} ms each; selecting and confirming {selected - started:.2f} s)"
    )
    log(f"floor, boto3 delete_objects on {count} keys: {floor:.3f} s")
    log(f"ratio: {total / floor:.1f} × the floor (target ≤ 2 ×)")


class _PeakRss:
    """The process's resident memory, sampled every 5 ms."""

    def __init__(self) -> None:
        import psutil

        self.process = psutil.Process()
        self.start = self.peak = self.process.memory_info().rss
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(0.005):
            self.peak = max(self.peak, self.process.memory_info().rss)

    def __enter__(self) -> _PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def bench_zip(bucket: str, files: int, mib: int) -> None:
    from bulk import archive
    from portal.accounts import permissions as p
    from recordings import storage
    from search.criteria import SearchCriteria

    user = _user("bench-bulk-zipper", [p.CONTACT_SEARCH, p.RECORDINGS_UNREDACTED, p.RECORDINGS_UNREDACTED_DOWNLOAD])
    contacts = _contacts(bucket, files, body=os.urandom(mib * 1024 * 1024), tag="bench-zip", hours_ago=5)
    keys = [f"connect/bench/CallRecordings/{c.contact_id}.wav" for c in contacts]
    payload = files * mib * 1024 * 1024

    def plain() -> float:
        started = time.perf_counter()
        for key in keys:
            body, _size = storage.open_stream(bucket, key)
            for _chunk in storage.read_chunks(body, what=key):
                pass
        return time.perf_counter() - started

    criteria = SearchCriteria(start=contacts[-1].initiation_ts, end=contacts[0].initiation_ts + timedelta(seconds=1))

    def zipped() -> tuple[float, int]:
        started = time.perf_counter()
        result = archive.bulk_zip_start(user=user, criteria=criteria, reason="benchmark", expected_count=files)
        sent = sum(len(chunk) for chunk in result.chunks)
        return time.perf_counter() - started, sent

    plain()  # warm both paths: connections, caches
    zipped()
    plain_runs, zip_runs = [], []
    for _ in range(3):  # interleaved, so a busy moment of the machine hits both alike
        plain_runs.append(plain())
        zip_runs.append(zipped())
    best_plain = min(plain_runs)
    best_zip, sent = min(zip_runs)
    with _PeakRss() as rss:  # measured apart: sampling steals time from the stream
        zipped()
    growth = rss.peak - rss.start
    mb = payload / 1e6
    log(f"plain S3 read of {files} × {mib} MiB: {best_plain:.2f} s, {mb / best_plain:.0f} MB/s")
    log(
        f"zip stream of the same ({sent / 1e6:.0f} MB on the wire): {best_zip:.2f} s, {mb / best_zip:.0f} MB/s "
        f"= {best_plain / best_zip * 100:.0f} % of the plain read (target ≥ 80 %)"
    )
    log(f"memory growth while streaming (peak RSS over the start): {growth / 1e6:.1f} MB (target ≤ 50 MB)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--contacts", type=int, default=1000)
    # About a five-minute call each: 8 kHz stereo 16-bit WAV is ~1.9 MiB a minute.
    parser.add_argument("--zip-files", type=int, default=30)
    parser.add_argument("--zip-mib", type=int, default=8)
    args = parser.parse_args()
    os.environ.setdefault("CELERY_QUEUE", "bench-bulk")  # single deletions' messages stay out of real queues
    setup_django(DATABASE)
    from django.conf import settings

    from recordings import storage

    settings.BULK_ACTION_MAX_CONTACTS = max(settings.BULK_ACTION_MAX_CONTACTS, args.contacts)
    settings.SEARCH_RESULT_CAP = max(settings.SEARCH_RESULT_CAP, args.contacts)
    bucket = f"bench-bulk-{uuid.uuid4().hex[:8]}"
    storage.ensure_bucket(bucket)
    try:
        bench_deletion(bucket, args.contacts)
        bench_zip(bucket, args.zip_files, args.zip_mib)
    finally:
        _cleanup(bucket)


def _cleanup(bucket: str) -> None:
    from portal.celery import app
    from recordings import storage
    from search.models import Contact

    Contact.objects.filter(contact_id__startswith="bench-").delete()
    client = storage.client()
    for page in client.get_paginator("list_object_versions").paginate(Bucket=bucket):
        for item in page.get("Versions", []) + page.get("DeleteMarkers", []):
            client.delete_object(Bucket=bucket, Key=item["Key"], VersionId=item["VersionId"])
    client.delete_bucket(Bucket=bucket)
    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge(os.environ["CELERY_QUEUE"])


if __name__ == "__main__":
    main()
