"""`POST /api/v1/search-contacts`: Connect's `SearchContacts`, over the visible contacts."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, JsonResponse

from portal.api import ACCESS_DENIED, ApiError, api_view, json_body
from search.criteria import CriteriaError, SearchPermissionDenied, criteria_check_permissions, criteria_from_api
from search.models import Contact
from search.openapi import openapi_document
from search.selectors import RowShape, contact_search
from search.services import search_audit


def _time(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z") if value else None


def _compact(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v not in (None, "", {})}


# Exactly what `contact_summary` reads: the agent's and queue's values ride on the row.
SUMMARY_ROWS = RowShape(
    fields=(
        "contact_id", "initial_contact_id", "previous_contact_id", "initiation_method", "channel", "enqueue_ts",
        "connected_to_agent_ts", "initiation_ts", "disconnect_ts", "scheduled_ts",
    ),
    related={
        "agent_ref": "agent__agent_id", "agent_username": "agent__username",
        "queue_ref": "queue__queue_id", "queue_name": "queue__name",
    },
)  # fmt: skip


def contact_summary(contact: Contact) -> dict[str, Any]:
    """Connect's ContactSearchSummary, plus AgentInfo.Username and QueueInfo.Name, from
    a row shaped by `SUMMARY_ROWS`."""
    return _compact(
        {
            "Arn": f"{settings.CONNECT_INSTANCE_ARN}/contact/{contact.contact_id}",
            "Id": contact.contact_id,
            "InitialContactId": contact.initial_contact_id,
            "PreviousContactId": contact.previous_contact_id,
            "InitiationMethod": contact.initiation_method,
            "Channel": contact.channel,
            "QueueInfo": _compact(
                {
                    "Id": contact.queue_ref,
                    "Name": contact.queue_name,
                    "EnqueueTimestamp": _time(contact.enqueue_ts),
                }
            ),
            "AgentInfo": _compact(
                {
                    "Id": contact.agent_ref,
                    "Username": contact.agent_username,
                    "ConnectedToAgentTimestamp": _time(contact.connected_to_agent_ts),
                }
            ),
            "InitiationTimestamp": _time(contact.initiation_ts),
            "DisconnectTimestamp": _time(contact.disconnect_ts),
            "ScheduledTimestamp": _time(contact.scheduled_ts),
        }
    )


@api_view(["POST"])
def search_contacts(request: HttpRequest) -> JsonResponse:
    try:
        parsed = criteria_from_api(json_body(request))
        criteria_check_permissions(request.user, parsed.criteria)
        # The search and its audit record share one transaction: two round trips fewer.
        with transaction.atomic():
            page = contact_search(
                user=request.user,
                criteria=parsed.criteria,
                page_token=parsed.next_token,
                page_size=parsed.max_results,
                rows=SUMMARY_ROWS,
            )
            search_audit(
                user=request.user,
                request=request,
                criteria=parsed.criteria,
                total=page.total_count,
                capped=page.total_capped,
                via="api",
                continued=bool(parsed.next_token),
            )
    except CriteriaError as error:
        raise ApiError(error.type, error.message, error.status) from None
    except SearchPermissionDenied as error:
        raise ApiError(ACCESS_DENIED, str(error), 403) from None
    body: dict[str, Any] = {"Contacts": [contact_summary(c) for c in page.contacts], "TotalCount": page.total_count}
    if page.next_token:
        body["NextToken"] = page.next_token
    return JsonResponse(body, json_dumps_params={"ensure_ascii": False})


@api_view(["GET"], authenticated=False)
def openapi(request: HttpRequest) -> JsonResponse:
    return JsonResponse(openapi_document(), json_dumps_params={"ensure_ascii": False})
