"""AWS Signature Version 4 for one kind of request: a query-signed (presigned) S3 GET
of an object, path-style.

botocore's presigner walks its endpoint rules and event hooks on every call (~120 µs);
ingest signs one URL per small file, thousands per second, on the same GIL as
everything else. This is the same algorithm with the signing key cached per day
(~15 µs): https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html
"""

from __future__ import annotations

import functools
import hashlib
import hmac
from datetime import UTC, datetime
from urllib.parse import quote

ALGORITHM = "AWS4-HMAC-SHA256"


@functools.lru_cache(maxsize=8)
def _signing_key(secret: str, day: str, region: str) -> bytes:
    key = ("AWS4" + secret).encode()
    for part in (day, region, "s3", "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


def _encode(text: str) -> str:
    """SigV4's URI encoding: everything but unreserved characters, UTF-8."""
    return quote(text, safe="-_.~")


def presigned_get_target(
    *,
    host: str,
    bucket: str,
    key: str,
    access_key: str,
    secret_key: str,
    region: str,
    session_token: str | None = None,
    expires: int = 300,
    now: datetime | None = None,
) -> str:
    """The request target (path and query) of a presigned GET, for a request to `host`
    (as sent in the Host header: `name` or `name:port`)."""
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    stamp = moment.strftime("%Y%m%dT%H%M%SZ")
    day = stamp[:8]
    scope = f"{day}/{region}/s3/aws4_request"
    path = "/" + _encode(bucket) + "/" + quote(key, safe="/-_.~")
    params = {
        "X-Amz-Algorithm": ALGORITHM,
        "X-Amz-Credential": f"{access_key}/{scope}",
        "X-Amz-Date": stamp,
        "X-Amz-Expires": str(expires),
        "X-Amz-SignedHeaders": "host",
    }
    if session_token:
        params["X-Amz-Security-Token"] = session_token
    query = "&".join(f"{_encode(name)}={_encode(value)}" for name, value in sorted(params.items()))
    canonical = f"GET\n{path}\n{query}\nhost:{host}\n\nhost\nUNSIGNED-PAYLOAD"
    to_sign = f"{ALGORITHM}\n{stamp}\n{scope}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
    signature = hmac.new(_signing_key(secret_key, day, region), to_sign.encode(), hashlib.sha256).hexdigest()
    return f"{path}?{query}&X-Amz-Signature={signature}"
