"""What a SigV4-signed API call costs beside a bearer-token one (target: ≤ 0.5 ms more).

    .venv/bin/python -m bench.api_auth_bench [--runs 2000]

Both kinds of call go through Django's test client to the same endpoints, interleaved
so drifts in the machine's load touch both alike: an unknown path (the authentication
alone: the middleware runs before routing) and DescribeContact for a contact that does
not exist (authentication, the API wrapper, the rate limit and the access query). Each
signed request is signed once, before the clock starts: the cost measured is the
portal's, not the client's. Runs in its own database, `bench_api_auth`.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import time
from urllib.parse import urlsplit

from bench.common import percentile, setup_django

DATABASE = "bench_api_auth"
MISSING = "99999999-0000-4000-8000-000000000000"


def _user():
    from portal.accounts import permissions as p
    from portal.accounts.models import SecurityProfile, User

    profile, _ = SecurityProfile.objects.update_or_create(
        name="bench-api-auth", defaults={"permissions": [p.CONTACT_SEARCH, p.CONTACT_ATTRIBUTES]}
    )
    user, _ = User.objects.get_or_create(username="bench-api-auth")
    user.security_profiles.set([profile])
    return user


def _presigned(path: str, key) -> tuple[str, dict[str, str]]:
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    from django.conf import settings

    request = AWSRequest(method="GET", url=f"http://testserver{path}")
    region = settings.CONNECT_INSTANCE_ARN.split(":")[3]
    SigV4Auth(Credentials(key.access_key_id, key.secret), "connect", region).add_auth(request)
    return urlsplit(request.url).path, {**dict(request.headers.items()), "Host": "testserver"}


def _time(client, path: str, headers: dict[str, str], expected: int) -> float:
    started = time.perf_counter()
    response = client.get(path, headers=headers)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != expected:
        raise SystemExit(f"{path} answered {response.status_code}: {response.content[:300]!r}")
    return elapsed


def compare(client, path: str, expected: int, token: str, key, runs: int) -> tuple[list[float], list[float]]:
    bearer_headers = {"Authorization": f"Bearer {token}"}
    signed_path, signed_headers = _presigned(path, key)
    for _ in range(50):  # warm caches, connections and the signing-key path
        _time(client, path, bearer_headers, expected)
        _time(client, signed_path, signed_headers, expected)
    bearer, signed = [], []
    for _ in range(runs):
        bearer.append(_time(client, path, bearer_headers, expected))
        signed.append(_time(client, signed_path, signed_headers, expected))
    return bearer, signed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2000)
    args = parser.parse_args(argv)
    setup_django(DATABASE)
    from django.conf import settings
    from django.test import Client

    from portal.accounts.access_keys import access_key_create
    from portal.accounts.tokens import token_create

    settings.DEBUG = False
    logging.getLogger("django.request").setLevel(logging.ERROR)  # every 404 would be logged
    settings.API_RATE_LIMIT = "1000000/s"
    user = _user()
    token, key = token_create(user=user, name="bench"), access_key_create(user=user)
    instance = settings.CONNECT_INSTANCE_ARN.rsplit("/", 1)[-1]
    endpoints = {
        "unknown path (auth only)": ("/api/v1/bench-nothing-here", 404),
        "DescribeContact, missing": (f"/api/v1/contacts/{instance}/{MISSING}", 404),
    }
    client = Client()
    print(f"\n{'endpoint':<28} {'bearer p50':>10} {'SigV4 p50':>10} {'extra p50':>10} {'bearer p95':>10} "
          f"{'SigV4 p95':>10}   (ms, {args.runs} calls each)")  # fmt: skip
    worst = 0.0
    for name, (path, expected) in endpoints.items():
        bearer, signed = compare(client, path, expected, token, key, args.runs)
        extra = statistics.median(signed) - statistics.median(bearer)
        worst = max(worst, extra)
        print(f"{name:<28} {statistics.median(bearer):10.3f} {statistics.median(signed):10.3f} {extra:10.3f} "
              f"{percentile(bearer, 95):10.3f} {percentile(signed, 95):10.3f}")  # fmt: skip
    print(f"\nSigV4 costs {worst:.3f} ms more than a bearer token at the median (target ≤ 0.5 ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
