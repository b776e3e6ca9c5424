"""Connect's own read operations at the paths of the AWS service model, so the AWS CLI
and boto3 pointed at `<portal>/api/v1` call them unchanged:

* DescribeContact      GET /contacts/{InstanceId}/{ContactId}
* GetContactAttributes GET /contact/attributes/{InstanceId}/{InitialContactId}

(SearchContacts is `search.api`.) Timestamps are epoch seconds, as AWS sends them.

SECURITY: contacts are reached through `recordings.selectors.contact_or_404` or
`Contact.objects.visible_to`, so a contact outside the caller's scope is a
ResourceNotFoundException exactly like a missing one.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext as _

from portal.accounts import permissions as p
from portal.api import NOT_FOUND, ApiError, api_view, require_permission
from portal.audit.services import audit_record
from recordings import selectors
from search.criteria import resource_id
from search.models import Contact

_LEVELS = range(1, 6)


def _check_instance(instance_id: str) -> None:
    if resource_id(instance_id) != settings.CONNECT_INSTANCE_ARN.rsplit("/", 1)[-1]:
        raise ApiError(NOT_FOUND, _("Instance %(id)s not found.") % {"id": instance_id[:100]}, 404)


def _epoch(value: datetime | None) -> float | None:
    return value.timestamp() if value else None


def _compact(values: dict[str, Any]) -> dict[str, Any]:
    # AWS leaves out what it does not know rather than sending nulls.
    return {k: v for k, v in values.items() if v not in (None, "", {})}


def _hierarchy_groups(contact: Contact) -> dict[str, dict[str, str]]:
    instance = contact.instance_arn or settings.CONNECT_INSTANCE_ARN
    return {
        f"Level{level}": {"Arn": f"{instance}/agent-group/{group_id}"}
        for level in _LEVELS
        if (group_id := getattr(contact, f"hierarchy_l{level}"))
    }


def _agent_info(contact: Contact) -> dict[str, Any] | None:
    if contact.agent is None:
        return None
    return _compact(
        {
            "Id": contact.agent.agent_id,
            "ConnectedToAgentTimestamp": _epoch(contact.connected_to_agent_ts),
            "HierarchyGroups": _hierarchy_groups(contact),
            "AfterContactWorkDuration": contact.after_contact_work_seconds,
        }
    )


def _queue_info(contact: Contact) -> dict[str, Any] | None:
    if contact.queue is None:
        return None
    return _compact({"Id": contact.queue.queue_id, "EnqueueTimestamp": _epoch(contact.enqueue_ts)})


def _endpoint(address: str | None) -> dict[str, str] | None:
    return {"Type": "TELEPHONE_NUMBER", "Address": address} if address else None


def connect_contact(contact: Contact, user) -> dict[str, Any]:
    """Connect's `Contact` shape (DescribeContact), with what this user may see: the same
    fields as the portal's own contact document, attributes only with ContactAttributes.View."""
    phones = selectors.phone_numbers(contact)
    document = {
        "Arn": contact.arn,
        "Id": contact.contact_id,
        "InitialContactId": contact.initial_contact_id,
        "PreviousContactId": contact.previous_contact_id,
        "InitiationMethod": contact.initiation_method,
        "Channel": contact.channel,
        "QueueInfo": _queue_info(contact),
        "AgentInfo": _agent_info(contact),
        "InitiationTimestamp": _epoch(contact.initiation_ts),
        "ConnectedToSystemTimestamp": _epoch(contact.connected_to_system_ts),
        "DisconnectTimestamp": _epoch(contact.disconnect_ts),
        "LastUpdateTimestamp": _epoch(contact.last_update_ts),
        "ScheduledTimestamp": _epoch(contact.scheduled_ts),
        "CustomerEndpoint": _endpoint(phones.customer),
        "SystemEndpoint": _endpoint(phones.system),
        "DisconnectReason": contact.disconnect_reason,
    }
    document = _compact(document)
    attributes = selectors.attributes_for(contact, user)
    if attributes is not None:  # an empty map still tells the caller there are none
        document["Attributes"] = attributes
    return document


def _audit_read(request: HttpRequest, contact: Contact, operation: str) -> None:
    details = {"operation": operation}
    audit_record(action="contact_view", request=request, contact_id=contact.contact_id, details=details)


@api_view(["GET"])
def describe_contact(request: HttpRequest, instance_id: str, contact_id: str) -> JsonResponse:
    _check_instance(instance_id)
    contact = selectors.contact_or_404(request.user, contact_id)
    _audit_read(request, contact, "DescribeContact")
    return JsonResponse({"Contact": connect_contact(contact, request.user)}, json_dumps_params={"ensure_ascii": False})


def _initial_contact_or_404(user, initial_contact_id: str) -> Contact:
    """The contact with that id, or else the latest visible contact of its chain: Connect
    keys attributes by the initial contact, which the portal may not hold itself."""
    visible = Contact.objects.visible_to(user).defer("raw_enc")
    contact = visible.filter(contact_id=initial_contact_id).first()
    if contact is None:
        contact = visible.filter(initial_contact_id=initial_contact_id).order_by("-initiation_ts", "-id").first()
    if contact is None:
        raise Http404("No such contact")
    return contact


@api_view(["GET"])
def get_contact_attributes(request: HttpRequest, instance_id: str, initial_contact_id: str) -> JsonResponse:
    _check_instance(instance_id)
    contact = _initial_contact_or_404(request.user, initial_contact_id)
    require_permission(request.user, p.CONTACT_ATTRIBUTES)
    _audit_read(request, contact, "GetContactAttributes")
    attributes = selectors.attributes_for(contact, request.user) or {}
    return JsonResponse({"Attributes": attributes}, json_dumps_params={"ensure_ascii": False})
