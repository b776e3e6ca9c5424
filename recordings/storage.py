"""The only module that talks to S3.

A cached client with bounded timeouts (settings S3_*), a handful of verbs, and two exceptions:
`ObjectMissing` (the key is not there; a lifecycle rule may have removed it) and
`StorageError` (S3 could not be reached or refused us). Callers never see botocore.
"""

from __future__ import annotations

import functools
import http.client
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO
from urllib.parse import urlsplit

import boto3
import urllib3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings

from recordings import sigv4

_MISSING_CODES = {"NoSuchKey", "404", "NotFound", "NoSuchVersion"}


class StorageError(Exception):
    """S3 failed for a reason other than a missing object."""


class ObjectMissing(StorageError):
    """The object does not exist."""


@dataclass(frozen=True)
class ObjectInfo:
    bucket: str
    key: str
    etag: str
    size: int


@dataclass(frozen=True)
class ObjectVersion:
    key: str
    version_id: str | None
    is_delete_marker: bool


@functools.cache
def _session() -> boto3.session.Session:
    """Credentials from settings, else boto3's default chain (instance roles renew themselves)."""
    return boto3.session.Session(
        aws_access_key_id=settings.AWS_ACCESS_KEY_ID,
        aws_secret_access_key=settings.AWS_SECRET_ACCESS_KEY,
        region_name=settings.AWS_REGION,
    )


@functools.cache
def client():
    return _make_client(
        settings.S3_ENDPOINT_URL,
        connect_timeout=settings.S3_CONNECT_TIMEOUT,
        read_timeout=settings.S3_READ_TIMEOUT,
        max_attempts=settings.S3_MAX_ATTEMPTS,
    )


def _probe_client():
    """For answers a page can do without (the health check, lifecycle rules): one
    attempt with the health check's deadline, so a hung S3 costs a page at most that."""
    return _probe_client_for(settings.S3_ENDPOINT_URL, settings.HEALTH_CHECK_TIMEOUT)


@functools.cache
def _probe_client_for(endpoint_url: str | None, timeout: float):
    return _make_client(endpoint_url, connect_timeout=timeout, read_timeout=timeout, max_attempts=1)


def _make_client(endpoint_url: str | None, *, connect_timeout: float, read_timeout: float, max_attempts: int):
    return _session().client(
        "s3",
        endpoint_url=endpoint_url,
        region_name=settings.AWS_REGION,
        config=Config(
            connect_timeout=connect_timeout,
            max_pool_connections=32,
            read_timeout=read_timeout,
            # total_max_attempts counts the first try; botocore's max_attempts would not.
            retries={"total_max_attempts": max_attempts, "mode": "standard"},
            s3={"addressing_style": "path"},
        ),
    )


def endpoint_url() -> str:
    """Where lifecycle and health reads go (what breakers are keyed by)."""
    return _probe_client().meta.endpoint_url


def reset_clients() -> None:
    """Build the clients again from settings (after S3_ENDPOINT_URL or a timeout changed)."""
    client.cache_clear()
    _probe_client_for.cache_clear()


def _wrap(error: Exception, what: str) -> StorageError:
    if isinstance(error, ClientError):
        code = error.response.get("Error", {}).get("Code", "")
        if code in _MISSING_CODES:
            return ObjectMissing(f"{what}: not in storage")
        return StorageError(f"{what}: S3 answered {code or 'an error'}")
    return StorageError(f"{what}: S3 is unreachable ({type(error).__name__})")


def split_location(location: str) -> tuple[str, str]:
    """Connect's `Location` is `bucket/key`; `s3://bucket/key` is accepted too."""
    text = location.removeprefix("s3://")
    bucket, _, key = text.partition("/")
    if not bucket or not key:
        raise ValueError(f"not a bucket/key location: {location!r}")
    return bucket, key


def check_bucket(bucket: str) -> None:
    """Raises `StorageError` unless S3 answers for `bucket` within the health check's deadline."""
    try:
        _probe_client().head_bucket(Bucket=bucket)
    except (ClientError, BotoCoreError) as error:
        raise _wrap(error, f"bucket {bucket}") from error


def ensure_bucket(bucket: str, *, versioned: bool = False) -> None:
    try:
        client().head_bucket(Bucket=bucket)
    except ClientError:
        try:
            client().create_bucket(Bucket=bucket)
        except (ClientError, BotoCoreError) as error:
            raise _wrap(error, f"create bucket {bucket}") from error
    except BotoCoreError as error:
        raise _wrap(error, f"bucket {bucket}") from error
    if versioned:
        client().put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})


def _sse_args() -> dict[str, str]:
    if not settings.S3_SSE:
        return {}
    args = {"ServerSideEncryption": settings.S3_SSE}
    if settings.S3_SSE == "aws:kms" and settings.S3_SSE_KMS_KEY_ID:
        args["SSEKMSKeyId"] = settings.S3_SSE_KMS_KEY_ID
    return args


def put_bytes(bucket: str, key: str, body: bytes, *, content_type: str = "application/octet-stream") -> str | None:
    """Returns the new version's id (None where the bucket is not versioned)."""
    try:
        answer = client().put_object(Bucket=bucket, Key=key, Body=body, ContentType=content_type, **_sse_args())
    except (ClientError, BotoCoreError) as error:
        raise _wrap(error, f"put s3://{bucket}/{key}") from error
    version = answer.get("VersionId")
    return version if version and version != "null" else None


def put_file(bucket: str, key: str, handle: BinaryIO, *, content_type: str = "application/octet-stream") -> None:
    """Upload an open file in parts (large WAVs are never held in memory whole)."""
    extra = {"ContentType": content_type, **_sse_args()}
    try:
        client().upload_fileobj(handle, bucket, key, ExtraArgs=extra)
    except (ClientError, BotoCoreError) as error:
        raise _wrap(error, f"put s3://{bucket}/{key}") from error


def get_bytes(bucket: str, key: str) -> bytes:
    try:
        return client().get_object(Bucket=bucket, Key=key)["Body"].read()
    except (ClientError, BotoCoreError) as error:
        raise _wrap(error, f"s3://{bucket}/{key}") from error


def open_stream(bucket: str, key: str) -> tuple[BinaryIO, int]:
    """A streaming body and its length; read it in chunks, never whole."""
    try:
        answer = client().get_object(Bucket=bucket, Key=key)
    except (ClientError, BotoCoreError) as error:
        raise _wrap(error, f"s3://{bucket}/{key}") from error
    return answer["Body"], int(answer["ContentLength"])


@dataclass(frozen=True)
class _Endpoint:
    scheme: str
    hostname: str
    port: int
    host_header: str


def _endpoint() -> _Endpoint:
    """Where the client sends requests (read each time: tests repoint the client)."""
    url = urlsplit(client().meta.endpoint_url)
    default = 443 if url.scheme == "https" else 80
    port = url.port or default
    hostname = url.hostname or ""
    return _Endpoint(url.scheme, hostname, port, hostname if port == default else f"{hostname}:{port}")


_connections = threading.local()
_GET_ATTEMPTS = 3


def _connection(endpoint: _Endpoint) -> http.client.HTTPConnection:
    """This thread's kept-alive connection to `endpoint`."""
    conn = getattr(_connections, "conn", None)
    if conn is None or getattr(_connections, "endpoint", None) != endpoint:
        if conn is not None:
            conn.close()
        kind = http.client.HTTPSConnection if endpoint.scheme == "https" else http.client.HTTPConnection
        conn = _connections.conn = kind(endpoint.hostname, endpoint.port, timeout=settings.S3_CONNECT_TIMEOUT)
        _connections.endpoint = endpoint
    if conn.sock is None:
        # http.client has one timeout for connecting and reading: connect with the short
        # one, then give each read the read timeout, as botocore does.
        conn.connect()
        conn.sock.settimeout(settings.S3_READ_TIMEOUT)
    return conn


def get_bytes_presigned(bucket: str, key: str) -> bytes:
    """`get_bytes` for reading many small objects (ingest): a query-signed GET on a
    kept-alive connection per thread. boto3's get_object costs ~1.4 ms of CPU per call
    under the GIL, a botocore-presigned URL through urllib3 ~0.5 ms, this ~0.2 ms: that
    doubles how many files one process can read. Unlike boto3 it ignores proxy and
    custom CA bundle settings (HTTPS uses the system's trust store)."""
    what = f"s3://{bucket}/{key}"
    endpoint = _endpoint()
    credentials = _session().get_credentials()
    if credentials is None:
        raise StorageError(f"{what}: no AWS credentials are configured")
    for attempt in range(1, _GET_ATTEMPTS + 1):
        frozen = credentials.get_frozen_credentials()
        target = sigv4.presigned_get_target(
            host=endpoint.host_header, bucket=bucket, key=key, access_key=frozen.access_key,
            secret_key=frozen.secret_key, region=client().meta.region_name, session_token=frozen.token,
        )  # fmt: skip
        try:
            conn = _connection(endpoint)
            conn.request("GET", target, headers={"Host": endpoint.host_header})
            response = conn.getresponse()
            body = response.read()
        except (OSError, http.client.HTTPException) as error:
            _connections.conn.close()  # the next request reconnects
            if attempt == _GET_ATTEMPTS:
                raise StorageError(f"{what}: S3 is unreachable ({type(error).__name__})") from error
            continue
        if response.status == 200:
            return body
        if response.status == 404:
            raise ObjectMissing(f"{what}: not in storage")
        if response.status < 500 or attempt == _GET_ATTEMPTS:
            raise StorageError(f"{what}: S3 answered HTTP {response.status}")
        time.sleep(0.2 * attempt)
    raise AssertionError("unreachable")


def head(bucket: str, key: str) -> ObjectInfo | None:
    try:
        answer = client().head_object(Bucket=bucket, Key=key)
    except ClientError as error:
        wrapped = _wrap(error, f"s3://{bucket}/{key}")
        if isinstance(wrapped, ObjectMissing):
            return None
        raise wrapped from error
    except BotoCoreError as error:
        raise _wrap(error, f"s3://{bucket}/{key}") from error
    return ObjectInfo(bucket, key, answer.get("ETag", "").strip('"'), int(answer.get("ContentLength", 0)))


def list_objects(bucket: str, prefix: str = "", *, direct_only: bool = False) -> Iterator[ObjectInfo]:
    """Every object under `prefix`, or with `direct_only` those not inside a sub-folder."""
    args = {"Bucket": bucket, "Prefix": prefix, **({"Delimiter": "/"} if direct_only else {})}
    try:
        for page in client().get_paginator("list_objects_v2").paginate(**args):
            for item in page.get("Contents", []):
                yield ObjectInfo(bucket, item["Key"], item.get("ETag", "").strip('"'), int(item.get("Size", 0)))
    except (ClientError, BotoCoreError) as error:
        raise _wrap(error, f"list s3://{bucket}/{prefix}") from error


def list_folders(bucket: str, prefix: str = "") -> list[str]:
    """The sub-folders directly under `prefix` (S3's common prefixes), e.g. `Analysis/Voice/`."""
    folders: list[str] = []
    try:
        for page in client().get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix, Delimiter="/"):
            folders += [item["Prefix"] for item in page.get("CommonPrefixes", [])]
    except (ClientError, BotoCoreError) as error:
        raise _wrap(error, f"list s3://{bucket}/{prefix}") from error
    return folders


def list_versions(bucket: str, key: str) -> list[ObjectVersion]:
    """Every version and delete marker of exactly `key` (plain objects on unversioned buckets)."""
    found: list[ObjectVersion] = []
    try:
        pages = client().get_paginator("list_object_versions").paginate(Bucket=bucket, Prefix=key)
        for page in pages:
            for item in page.get("Versions", []):
                if item["Key"] == key:
                    found.append(ObjectVersion(key, item.get("VersionId"), False))
            for item in page.get("DeleteMarkers", []):
                if item["Key"] == key:
                    found.append(ObjectVersion(key, item.get("VersionId"), True))
    except (ClientError, BotoCoreError) as error:
        raise _wrap(error, f"list versions of s3://{bucket}/{key}") from error
    return found


def keys_under(bucket: str, prefix: str) -> list[str]:
    """Every key under `prefix` that has any version or delete marker left (plain
    listings miss keys whose current version is a delete marker)."""
    found: dict[str, None] = {}
    try:
        for page in client().get_paginator("list_object_versions").paginate(Bucket=bucket, Prefix=prefix):
            for item in page.get("Versions", []) + page.get("DeleteMarkers", []):
                found[item["Key"]] = None
    except (ClientError, BotoCoreError) as error:
        raise _wrap(error, f"list versions under s3://{bucket}/{prefix}") from error
    # Some stores list no versions on an unversioned bucket.
    found.update((obj.key, None) for obj in list_objects(bucket, prefix))
    return list(found)


def versions_under(bucket: str, prefix: str) -> list[ObjectVersion]:
    """Every version and delete marker under `prefix`, for finding many keys' versions
    with one listing of the folder they share. A store that lists no versions at all
    (some do on an unversioned bucket) gives its plain objects, with no version id."""
    found: list[ObjectVersion] = []
    try:
        for page in client().get_paginator("list_object_versions").paginate(Bucket=bucket, Prefix=prefix):
            found += [ObjectVersion(item["Key"], item.get("VersionId"), False) for item in page.get("Versions", [])]
            found += [ObjectVersion(item["Key"], item.get("VersionId"), True) for item in page.get("DeleteMarkers", [])]
    except (ClientError, BotoCoreError) as error:
        raise _wrap(error, f"list versions under s3://{bucket}/{prefix}") from error
    if found:
        return found
    return [ObjectVersion(obj.key, None, False) for obj in list_objects(bucket, prefix)]


def version_pages(bucket: str, prefix: str, *, page_size: int = 1000) -> Iterator[tuple[list[ObjectVersion], bool]]:
    """`versions_under` a page at a time, in key order, each with whether more follow: stop
    iterating to stop listing (a caller may find the rest of a large folder more cheaply
    another way)."""
    try:
        paginator = client().get_paginator("list_object_versions")
        pages = paginator.paginate(Bucket=bucket, Prefix=prefix, PaginationConfig={"PageSize": page_size})
        for number, page in enumerate(pages):
            found = [ObjectVersion(item["Key"], item.get("VersionId"), False) for item in page.get("Versions", [])]
            found += [ObjectVersion(item["Key"], item.get("VersionId"), True) for item in page.get("DeleteMarkers", [])]
            more = bool(page.get("IsTruncated"))
            if not number and not found and not more:
                break  # nothing versioned here: perhaps a store that lists no versions
            yield sorted(found, key=lambda version: version.key), more
        else:
            return
        yield [ObjectVersion(obj.key, None, False) for obj in list_objects(bucket, prefix)], False
    except (ClientError, BotoCoreError) as error:
        raise _wrap(error, f"list versions under s3://{bucket}/{prefix}") from error


def delete_every_version(bucket: str, key: str) -> int:
    """Remove the object, all its versions and delete markers; returns how many were removed."""
    versions = list_versions(bucket, key)
    try:
        for version in versions:
            args = {"Bucket": bucket, "Key": key}
            if version.version_id and version.version_id != "null":
                args["VersionId"] = version.version_id
            client().delete_object(**args)
        # A store that lists no versions may still serve the key. Only then a plain delete:
        # in a versioned bucket it would add a delete marker for a key already gone, so a
        # deletion run again after an interruption would never find S3 empty.
        if not versions and head(bucket, key) is not None:
            client().delete_object(Bucket=bucket, Key=key)
    except (ClientError, BotoCoreError) as error:
        raise _wrap(error, f"delete s3://{bucket}/{key}") from error
    return len(versions)


def delete_versions(bucket: str, versions: list[ObjectVersion]) -> set[str]:
    """Remove many listed versions with batched DeleteObjects calls (1,000 a call);
    returns the keys S3 reported an error for. A "null" version id is left out, as in
    `delete_every_version`."""
    failed: set[str] = set()
    for first in range(0, len(versions), 1000):
        objects = [
            {"Key": v.key, **({"VersionId": v.version_id} if v.version_id and v.version_id != "null" else {})}
            for v in versions[first : first + 1000]
        ]
        try:
            answer = client().delete_objects(Bucket=bucket, Delete={"Objects": objects, "Quiet": True})
        except (ClientError, BotoCoreError) as error:
            raise _wrap(error, f"delete {len(objects)} objects in s3://{bucket}") from error
        failed.update(item["Key"] for item in answer.get("Errors", []))
    return failed


def delete_version(bucket: str, key: str, version_id: str) -> None:
    """Remove one version (or delete marker) of `key` for good."""
    try:
        client().delete_object(Bucket=bucket, Key=key, VersionId=version_id)
    except (ClientError, BotoCoreError) as error:
        raise _wrap(error, f"delete s3://{bucket}/{key} version {version_id}") from error


def remaining_versions(bucket: str, key: str) -> int:
    """How many versions or markers of `key` still exist, and whether a plain GET would answer."""
    left = len(list_versions(bucket, key))
    return left if left else (1 if head(bucket, key) is not None else 0)


def set_lifecycle_expiry(bucket: str, prefix: str, *, days: int) -> None:
    """An expiry rule like Connect customers set on their recordings bucket."""
    rule = {"ID": f"expire-{prefix.strip('/') or 'all'}", "Filter": {"Prefix": prefix}, "Status": "Enabled",
            "Expiration": {"Days": days}}  # fmt: skip
    try:
        client().put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [rule]})
    except (ClientError, BotoCoreError) as error:
        raise _wrap(error, f"lifecycle of {bucket}") from error


def lifecycle_expiry_days(bucket: str, key: str) -> int | None:
    """Days after creation when the bucket's lifecycle rules delete `key`, if a rule says so."""
    try:
        rules = _probe_client().get_bucket_lifecycle_configuration(Bucket=bucket).get("Rules", [])
    except ClientError:
        return None  # no lifecycle configuration
    except BotoCoreError as error:
        raise _wrap(error, f"lifecycle of {bucket}") from error
    for rule in rules:
        prefix = (rule.get("Filter") or {}).get("Prefix", rule.get("Prefix", ""))
        days = (rule.get("Expiration") or {}).get("Days")
        if rule.get("Status") == "Enabled" and days and key.startswith(prefix):
            return int(days)
    return None


def read_chunks(body: BinaryIO, *, what: str, chunk_size: int = 1024 * 1024) -> Iterator[bytes]:
    """Chunks of a body from `open_stream`; a connection lost mid-read is a `StorageError`."""
    try:
        while chunk := body.read(chunk_size):
            yield chunk
    except (BotoCoreError, urllib3.exceptions.HTTPError, OSError) as error:
        raise StorageError(f"{what}: the download was interrupted ({type(error).__name__})") from error
    finally:
        body.close()
