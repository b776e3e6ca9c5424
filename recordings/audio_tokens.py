"""Short-lived audio URLs bound to one user and one fetch job.

The token is signed with the site secret and names the user, the job and the file
(contact and version). The audio view still re-checks visibility and permission on
every request: a token saves lookups, it never grants access by itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse

_SALT = "recordings.audio-url"


@dataclass(frozen=True)
class AudioGrant:
    job_id: int
    contact_id: str
    version: str


def audio_url(*, user, job) -> str:
    token = signing.dumps({"u": user.pk, "j": job.pk, "c": job.contact.contact_id, "v": job.version}, salt=_SALT)
    return reverse("recording-audio", args=[token])


def read_audio_token(token: str, *, user) -> AudioGrant | None:
    """What the token grants if it is genuine, fresh and issued to `user`; None otherwise."""
    try:
        data = signing.loads(token, salt=_SALT, max_age=settings.AUDIO_URL_TTL_SECONDS)
    except signing.BadSignature:  # includes SignatureExpired
        return None
    if not isinstance(data, dict) or data.get("u") != user.pk:
        return None
    try:
        return AudioGrant(int(data["j"]), str(data["c"]), str(data["v"]))
    except (KeyError, TypeError, ValueError):
        return None
