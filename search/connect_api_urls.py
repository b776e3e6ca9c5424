"""Connect's paths under /api/v1/, beside the portal's own (`recordings.api_urls`).

`contacts/{InstanceId}/{ContactId}` cannot be mistaken for the portal's
`contacts/{ContactId}/transcript` and the like: a Connect contact id is a UUID, never
one of those words. An InstanceId given as an ARN arrives with its "/" decoded.
"""

from django.urls import re_path

from search import connect_api

_INSTANCE = r"(?P<instance_id>arn:[^/]+/[^/]+|[^/]+)"
_UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"

urlpatterns = [
    re_path(rf"^contacts/{_INSTANCE}/(?P<contact_id>{_UUID})$", connect_api.describe_contact,
            name="api-connect-describe-contact"),
    re_path(rf"^contact/attributes/{_INSTANCE}/(?P<initial_contact_id>[^/]+)$", connect_api.get_contact_attributes,
            name="api-connect-contact-attributes"),
]  # fmt: skip
