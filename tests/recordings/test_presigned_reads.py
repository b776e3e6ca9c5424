"""The ingest's own S3 reader: SigV4 query signing and a kept-alive GET per thread,
checked against botocore's signer and against the real S3 server, which verifies
every signature."""

from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import boto3
import botocore.auth
import pytest
from botocore.config import Config
from botocore.credentials import Credentials

from recordings import sigv4, storage

ODD_KEYS = [
    "Analysis/Voice/2026/11/01/plain_analysis.json",
    "Analysis/Voice/a b+c=d~e(1)&x;y,z@w$.json",
    "Analysis/Voice/日本語/通話 記録.json",
    "ctr/%41 percent and 'quote'.json",
]


@pytest.mark.parametrize("token", [None, "FQoGZXIvYXdzEJr//////////wEaDDEXAMPLE+token="])
@pytest.mark.parametrize("key", ODD_KEYS)
def test_signature_matches_botocore(monkeypatch, key, token):
    moment = datetime(2026, 11, 27, 12, 34, 56, tzinfo=UTC)
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda: moment.replace(tzinfo=None))
    client = boto3.client(
        "s3", endpoint_url="http://127.0.0.1:9333", region_name="ap-northeast-1",
        aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        aws_session_token=token, config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
    )  # fmt: skip
    expected = urlsplit(client.generate_presigned_url("get_object", Params={"Bucket": "my-bucket", "Key": key}))

    ours = urlsplit(
        sigv4.presigned_get_target(
            host="127.0.0.1:9333", bucket="my-bucket", key=key, access_key="AKIDEXAMPLE",
            secret_key="wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", region="ap-northeast-1",
            session_token=token, expires=3600, now=moment,
        )
    )  # fmt: skip

    assert ours.path == expected.path
    assert parse_qs(ours.query) == parse_qs(expected.query)


@pytest.mark.parametrize("key", ODD_KEYS)
def test_odd_keys_round_trip_through_the_real_server(s3_bucket, key):
    body = key.encode() * 100
    storage.put_bytes(s3_bucket, key, body)
    assert storage.get_bytes_presigned(s3_bucket, key) == body


def test_a_wrong_secret_is_refused_not_retried_forever(s3_bucket, monkeypatch):
    storage.put_bytes(s3_bucket, "ctr/one.json", b"{}")
    wrong = Credentials("portal-dev", "not-the-secret")
    monkeypatch.setattr(storage._session(), "get_credentials", lambda: wrong)
    with pytest.raises(storage.StorageError, match="HTTP 403") as raised:
        storage.get_bytes_presigned(s3_bucket, "ctr/one.json")
    assert not isinstance(raised.value, storage.ObjectMissing)


def test_an_unreachable_server_is_a_storage_error(monkeypatch):
    dead = storage._Endpoint("http", "127.0.0.1", 9, "127.0.0.1:9")  # discard port: nothing listens
    monkeypatch.setattr(storage, "_endpoint", lambda: dead)
    with pytest.raises(storage.StorageError, match="unreachable"):
        storage.get_bytes_presigned("any-bucket", "any/key.json")


def test_a_dropped_connection_is_reopened(s3_bucket):
    storage.put_bytes(s3_bucket, "ctr/one.json", b"first")
    assert storage.get_bytes_presigned(s3_bucket, "ctr/one.json") == b"first"
    storage._connections.conn.sock.close()  # as if the server closed the kept-alive connection
    assert storage.get_bytes_presigned(s3_bucket, "ctr/one.json") == b"first"
