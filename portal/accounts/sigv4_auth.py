"""Checking AWS Signature Version 4 on API requests signed with a portal access key.

The AWS CLI and SDKs sign every call (service `connect`); the portal recomputes the
signature with the key's secret and compares. The canonical request is botocore's own
(`SigV4Auth.canonical_request`, `string_to_sign`, `signature`), fed an `AWSRequest`
rebuilt from what arrived, so the portal and the clients cannot disagree about
canonicalisation. Two details botocore leaves to its caller:

* the path must be the one the client sent, still percent-encoded (botocore encodes
  it a second time, as SigV4 prescribes for every service but S3). gunicorn passes it
  as `RAW_URI`; servers that pass only the decoded path get it re-encoded the way
  AWS SDKs encode URI labels, trying an ARN's slash both ways;
* the query is decoded and handed over as parameters, so botocore encodes it in the
  canonical way whatever encoding the client chose.

Both forms are accepted: the `Authorization: AWS4-HMAC-SHA256 …` header and the
presigned query (`X-Amz-Algorithm`, `X-Amz-Signature`, …). Errors follow AWS's names.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, quote, urlsplit

from botocore.auth import EMPTY_SHA256_HASH, UNSIGNED_PAYLOAD, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.utils import percent_encode
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from portal.accounts.access_keys import KeyHolder, access_key_lookup, access_key_touch

ALGORITHM = "AWS4-HMAC-SHA256"
SERVICE = "connect"
MAX_SKEW = timedelta(minutes=5)
MAX_PRESIGNED_EXPIRY = 7 * 24 * 3600  # AWS's own limit for presigned requests
_STAMP = "%Y%m%dT%H%M%SZ"

UNRECOGNIZED_CLIENT = "UnrecognizedClientException"
INVALID_SIGNATURE = "InvalidSignatureException"
ACCESS_DENIED = "AccessDeniedException"

_HEADER_FIELDS = re.compile(r"(Credential|SignedHeaders|Signature)=([^,\s]+)")
_ARN_LABEL = re.compile(r"^arn:[^/]*$")
_PATH_SAFE = "/-._~!$&'()*+,;=:@"


class SignatureRefused(Exception):
    """A signed request that does not authenticate; `type` is AWS's error name."""

    def __init__(self, type_: str, message: str) -> None:
        super().__init__(message)
        self.type = type_
        self.message = message


@dataclass(frozen=True)
class Claim:
    """What the client says it signed, read from the header or the query."""

    access_key_id: str
    day: str
    region: str
    service: str
    terminator: str
    signed_headers: tuple[str, ...]
    signature: str
    timestamp: str
    presigned: bool
    expires: int = 0


def is_signed(request) -> bool:
    return request.headers.get("Authorization", "").startswith(ALGORITHM) or "X-Amz-Algorithm" in request.GET


def _refused(message: str) -> SignatureRefused:
    return SignatureRefused(INVALID_SIGNATURE, message)


def _claim(request) -> Claim:
    if "X-Amz-Algorithm" in request.GET:
        return _query_claim(request.GET)
    fields = dict(_HEADER_FIELDS.findall(request.headers["Authorization"].removeprefix(ALGORITHM)))
    if set(fields) != {"Credential", "SignedHeaders", "Signature"}:
        raise _refused(_("The Authorization header needs Credential, SignedHeaders and Signature."))
    timestamp = request.headers.get("X-Amz-Date", "")
    return _build_claim(fields["Credential"], fields["SignedHeaders"], fields["Signature"], timestamp, None)


def _query_claim(query) -> Claim:
    if query.get("X-Amz-Algorithm") != ALGORITHM:
        raise _refused(_("Only the %(algorithm)s algorithm is supported.") % {"algorithm": ALGORITHM})
    names = ("X-Amz-Credential", "X-Amz-SignedHeaders", "X-Amz-Signature", "X-Amz-Date", "X-Amz-Expires")
    missing = [name for name in names if not query.get(name)]
    if missing:
        raise _refused(_("The presigned request lacks %(names)s.") % {"names": ", ".join(missing)})
    values = [query[name] for name in names]
    return _build_claim(*values)


def _build_claim(credential: str, headers: str, signature: str, timestamp: str, expires: str | None) -> Claim:
    parts = credential.split("/")
    if len(parts) != 5:
        raise _refused(_("The credential must read KEY_ID/DATE/REGION/SERVICE/aws4_request."))
    try:
        lifetime = int(expires) if expires is not None else 0
    except ValueError:
        raise _refused(_("X-Amz-Expires must be a number of seconds.")) from None
    return Claim(
        access_key_id=parts[0],
        day=parts[1],
        region=parts[2],
        service=parts[3],
        terminator=parts[4],
        signed_headers=tuple(headers.lower().split(";")),
        signature=signature.lower(),
        timestamp=timestamp,
        presigned=expires is not None,
        expires=lifetime,
    )


def accepted_regions() -> frozenset[str]:
    """The portal's region, and its Connect instance's (they may differ)."""
    arn_region = settings.CONNECT_INSTANCE_ARN.split(":")[3] if settings.CONNECT_INSTANCE_ARN.count(":") >= 5 else ""
    return frozenset(r for r in (settings.AWS_REGION, arn_region) if r)


def _check_scope(claim: Claim) -> None:
    if claim.service != SERVICE or claim.terminator != "aws4_request":
        raise _refused(_("The credential must be scoped to the %(service)s service.") % {"service": SERVICE})
    if claim.region not in accepted_regions():
        regions = ", ".join(sorted(accepted_regions()))
        raise _refused(_("The credential must be scoped to the region %(regions)s.") % {"regions": regions})
    if not claim.timestamp.startswith(claim.day):
        raise _refused(_("The credential's date does not match X-Amz-Date."))


def _check_time(claim: Claim, now: datetime) -> None:
    try:
        signed_at = datetime.strptime(claim.timestamp, _STAMP).replace(tzinfo=UTC)
    except ValueError:
        raise _refused(_("X-Amz-Date must be a time such as 20260101T000000Z.")) from None
    if signed_at - now > MAX_SKEW:
        raise _refused(_("Signature not yet current: %(signed)s is more than 5 minutes ahead of the portal's clock.")
                       % {"signed": claim.timestamp})  # fmt: skip
    if claim.presigned:
        if not 0 < claim.expires <= MAX_PRESIGNED_EXPIRY:
            raise _refused(_("X-Amz-Expires must be between 1 and %(max)d seconds.") % {"max": MAX_PRESIGNED_EXPIRY})
        if now > signed_at + timedelta(seconds=claim.expires):
            raise _refused(_("The presigned request expired."))
    elif now - signed_at > MAX_SKEW:
        raise _refused(_("Signature expired: %(signed)s is more than 5 minutes behind the portal's clock.")
                       % {"signed": claim.timestamp})  # fmt: skip


def _payload_hash(request, claim: Claim) -> str:
    """The body's SHA-256; a client-declared `x-amz-content-sha256` must agree with it."""
    actual = hashlib.sha256(request.body).hexdigest() if request.body else EMPTY_SHA256_HASH
    declared = request.headers.get("X-Amz-Content-SHA256")
    if declared is not None and declared != actual and not (declared == UNSIGNED_PAYLOAD and not request.body):
        raise _refused(_("The x-amz-content-sha256 header does not match the request body."))
    return actual


def _sent_paths(request) -> list[str]:
    """The path as the client sent it, percent-encoded; candidates when only the
    decoded path is known."""
    raw = request.META.get("RAW_URI") or request.META.get("REQUEST_URI")
    if raw:
        return [urlsplit(raw).path]
    labels = request.path.split("/")
    candidates = ["/".join(percent_encode(label) for label in labels)]
    for i, label in enumerate(labels[:-1]):
        # An ARN's "/" (`…:instance/ID`) was sent as %2F inside one URI label.
        if _ARN_LABEL.match(label):
            joined = [*labels[:i], f"{label}/{labels[i + 1]}", *labels[i + 2 :]]
            candidates.append("/".join(percent_encode(label) for label in joined))
    # A client that left RFC 3986's sub-delimiters (":" and the like) unencoded.
    candidates.append(quote(request.path, safe=_PATH_SAFE))
    return list(dict.fromkeys(candidates))


class _Verifier(SigV4Auth):
    """botocore's signer with the payload hash given: it was checked already, and
    botocore would otherwise prepare the whole request to read the body."""

    def __init__(self, credentials: Credentials, region: str, payload_hash: str) -> None:
        super().__init__(credentials, SERVICE, region)
        self._payload_hash = payload_hash

    def payload(self, request) -> str:
        return self._payload_hash


def _headers(request, claim: Claim) -> dict[str, str]:
    headers = {}
    for name in claim.signed_headers:
        value = request.headers.get(name)
        if value is None:
            raise _refused(_("The signed header %(name)s is missing from the request.") % {"name": name})
        headers[name] = value
    return headers


def expected_signature(request, claim: Claim, secret: str, path: str, payload_hash: str) -> str:
    params = [(k, v) for k, v in parse_qsl(request.META.get("QUERY_STRING", ""), keep_blank_values=True)
              if k != "X-Amz-Signature"]  # fmt: skip
    # The scheme only decides whether botocore hashes the payload; `_Verifier` always does.
    host = request.headers.get("Host", "")
    aws = AWSRequest(method=request.method, url=f"http://{host}{path}", headers=_headers(request, claim))
    aws.params = params
    aws.context["timestamp"] = claim.timestamp
    signer = _Verifier(Credentials(claim.access_key_id, secret), claim.region, payload_hash)
    canonical = signer.canonical_request(aws)
    return signer.signature(signer.string_to_sign(aws, canonical), aws)


def _check_signature(request, claim: Claim, holder: KeyHolder, payload_hash: str) -> None:
    for path in _sent_paths(request):
        if hmac.compare_digest(expected_signature(request, claim, holder.secret, path, payload_hash), claim.signature):
            return
    raise _refused(
        _(
            "The request signature we calculated does not match the signature you provided. "
            "Check your AWS Secret Access Key and signing method."
        )
    )


_REFUSALS = {
    "revoked": gettext_noop("The access key %(key)s has been revoked."),
    "expired": gettext_noop("The access key %(key)s has expired."),
    "inactive": gettext_noop("The user of access key %(key)s is deactivated."),
}


def authenticate(request, *, now: datetime | None = None) -> KeyHolder:
    """The key (and its user) that signed this request, or SignatureRefused.

    The signature is checked before the key's state is told, so only the holder of
    the secret learns that a key was revoked or has expired."""
    moment = now or datetime.now(UTC)
    claim = _claim(request)
    _check_scope(claim)
    _check_time(claim, moment)
    payload_hash = _payload_hash(request, claim)
    holder = access_key_lookup(claim.access_key_id)
    if holder is None:
        raise SignatureRefused(UNRECOGNIZED_CLIENT, _("The security token included in the request is invalid."))
    _check_signature(request, claim, holder, payload_hash)
    refusal = holder.refusal(moment)
    if refusal is not None:
        raise SignatureRefused(ACCESS_DENIED, _(_REFUSALS[refusal]) % {"key": holder.access_key_id})
    access_key_touch(holder, moment)
    return holder
