"""AWS SDKs already speak this API: boto3's `connect` client, pointed at the portal,
searches contacts and reads Connect-shaped errors."""

from __future__ import annotations

from datetime import UTC, datetime

import boto3
import pytest
from botocore.exceptions import ClientError

from portal.accounts.tokens import token_create

pytestmark = pytest.mark.django_db(transaction=True)


def connect_client(live_server, token: str):
    client = boto3.client(
        "connect",
        endpoint_url=f"{live_server.url}/api/v1",
        region_name="ap-northeast-1",
        aws_access_key_id="unused",
        aws_secret_access_key="unused",
    )

    def bearer(request, **kwargs) -> None:
        # The portal authenticates with its own tokens, not SigV4.
        request.headers["Authorization"] = f"Bearer {token}"

    client.meta.events.register("before-send.connect.*", bearer)
    return client


def test_search_contacts_through_boto3(live_server, search_world, settings):
    w = search_world
    client = connect_client(live_server, token_create(user=w.users.sales_mgr))
    instance = settings.CONNECT_INSTANCE_ARN.rsplit("/", 1)[-1]
    request = {
        "InstanceId": instance,
        "TimeRange": {
            "Type": "INITIATION_TIMESTAMP",
            "StartTime": datetime(2026, 9, 1, tzinfo=UTC),
            "EndTime": datetime(2026, 12, 1, tzinfo=UTC),
        },
        "SearchCriteria": {"Channels": ["VOICE", "TASK"]},
        "Sort": {"FieldName": "INITIATION_TIMESTAMP", "Order": "ASCENDING"},
        "MaxResults": 2,
    }
    first = client.search_contacts(**request)
    assert first["TotalCount"] == 4
    assert [c["Id"] for c in first["Contacts"]] == [w.calls["refund"].contact_id, w.calls["ja_other"].contact_id]
    assert first["Contacts"][0]["InitiationTimestamp"] == datetime(2026, 10, 1, 9, tzinfo=UTC)
    assert first["Contacts"][0]["AgentInfo"]["Id"] == "sa"
    second = client.search_contacts(**request, NextToken=first["NextToken"])
    assert [c["Id"] for c in second["Contacts"]] == [w.calls["task"].contact_id, w.calls["deleted"].contact_id]
    assert "NextToken" not in second
    paginator = client.get_paginator("search_contacts")
    everything = [c["Id"] for page in paginator.paginate(**request) for c in page["Contacts"]]
    assert len(everything) == 4


def test_connect_errors_through_boto3(live_server, search_world, settings):
    w = search_world
    client = connect_client(live_server, token_create(user=w.users.qa))
    instance = settings.CONNECT_INSTANCE_ARN.rsplit("/", 1)[-1]
    time_range = {"Type": "INITIATION_TIMESTAMP", "StartTime": datetime(2026, 9, 1, tzinfo=UTC),
                  "EndTime": datetime(2026, 12, 1, tzinfo=UTC)}  # fmt: skip
    with pytest.raises(ClientError) as denied:
        client.search_contacts(InstanceId=instance, TimeRange=time_range, SearchCriteria={"AgentIds": ["sa"]})
    assert denied.value.response["Error"]["Code"] == "AccessDeniedException"
    assert "Users.View" in denied.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as invalid:
        client.search_contacts(InstanceId=instance, TimeRange=time_range, NextToken="forged")
    assert invalid.value.response["Error"]["Code"] == "InvalidParameterException"
    with pytest.raises(ClientError) as missing:
        client.search_contacts(InstanceId="another-instance", TimeRange=time_range)
    assert missing.value.response["Error"]["Code"] == "ResourceNotFoundException"
