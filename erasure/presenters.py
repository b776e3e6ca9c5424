"""How an erasure is shown: its certificate (the stored facts plus the sealed reason)
and the API's answer."""

from __future__ import annotations

from typing import Any

from erasure import selectors
from erasure.models import Erasure, ErasureContact


def certificate(*, erasure: Erasure) -> dict[str, Any] | None:
    """The certificate of a finished erasure; never the customer's number."""
    if erasure.certificate is None:
        return None
    return {**erasure.certificate, "Reason": erasure.reason}


def erasure_body(*, erasure: Erasure) -> dict[str, Any]:
    progress = selectors.erasure_progress(erasure=erasure)
    rows = ErasureContact.objects.filter(erasure=erasure).values_list("contact_id_text", "state")
    return {
        "ErasureId": str(erasure.pk),
        "Status": erasure.status,
        "Message": erasure.message,
        "Contacts": [{"ContactId": contact_id, "State": state} for contact_id, state in rows],
        "Skipped": [{"ContactId": row.contact_id_text, "Why": row.why} for row in progress.skipped],
        "ObjectsDeleted": progress.objects_deleted,
        "Certificate": certificate(erasure=erasure),
    }
