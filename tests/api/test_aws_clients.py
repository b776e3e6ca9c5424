"""The real AWS CLI and boto3, unchanged and with no hooks, against the portal: an
access key in the environment and `--endpoint-url <portal>/api/v1` are all they need."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import boto3
import pytest
from botocore.exceptions import ClientError

from portal.accounts import permissions as p
from portal.accounts.access_keys import access_key_create
from portal.accounts.default_profiles import DEFAULT_PROFILES
from tests.api.conftest import REGION
from tests.factories import make_user

pytestmark = pytest.mark.django_db(transaction=True)

AWS = Path(sys.executable).parent / "aws"
START, END = "2026-09-01T00:00:00Z", "2026-12-01T00:00:00Z"


def instance_id(settings) -> str:
    return settings.CONNECT_INSTANCE_ARN.rsplit("/", 1)[-1]


def aws(live_server, key, *args: str) -> subprocess.CompletedProcess:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", "/tmp"),
        "AWS_CONFIG_FILE": "/dev/null",
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ACCESS_KEY_ID": key.access_key_id,
        "AWS_SECRET_ACCESS_KEY": key.secret,
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    command = [str(AWS), "connect", *args, "--endpoint-url", f"{live_server.url}/api/v1", "--output", "json"]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)


def epoch(moment: datetime) -> float:
    return moment.timestamp()


def test_cli_search_contacts_walks_every_page(live_server, search_world, settings):
    w = search_world
    key = access_key_create(user=w.users.sales_mgr)
    done = aws(live_server, key, "search-contacts", "--instance-id", instance_id(settings),
               "--time-range", f"Type=INITIATION_TIMESTAMP,StartTime={START},EndTime={END}",
               "--page-size", "2")  # fmt: skip
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    expected = {w.calls[n].contact_id for n in ("refund", "billing", "ja_other", "task", "deleted")}
    assert {c["Id"] for c in answer["Contacts"]} == expected
    refund = next(c for c in answer["Contacts"] if c["Id"] == w.calls["refund"].contact_id)
    assert refund["AgentInfo"]["Id"] == "sa" and refund["Channel"] == "VOICE"


def test_cli_describe_contact_and_attributes(live_server, search_world, settings):
    w = search_world
    key = access_key_create(user=w.users.sales_mgr)
    refund = w.contacts["refund"]
    done = aws(live_server, key, "describe-contact", "--instance-id", settings.CONNECT_INSTANCE_ARN,
               "--contact-id", refund.contact_id)  # fmt: skip
    assert done.returncode == 0, done.stderr
    contact = json.loads(done.stdout)["Contact"]
    assert contact["Id"] == refund.contact_id
    assert contact["Arn"] == f"{settings.CONNECT_INSTANCE_ARN}/contact/{refund.contact_id}"
    assert contact["Channel"] == "VOICE" and contact["InitiationMethod"] == "INBOUND"
    assert contact["AgentInfo"]["Id"] == "sa"
    assert contact["QueueInfo"]["Id"] == "q-billing"
    levels = contact["AgentInfo"]["HierarchyGroups"]
    assert levels["Level3"]["Arn"].endswith("/agent-group/g-sales-a")
    assert contact["Attributes"] == {"customerTier": "gold", "accountNumber": "ACC-1"}
    done = aws(live_server, key, "get-contact-attributes", "--instance-id", instance_id(settings),
               "--initial-contact-id", refund.contact_id)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"Attributes": {"customerTier": "gold", "accountNumber": "ACC-1"}}


def test_cli_reports_a_wrong_secret_as_a_signature_error(live_server, search_world, settings):
    key = access_key_create(user=search_world.users.sales_mgr)
    forged = type(key)(key.access_key_id, "W" * 40, None)
    done = aws(live_server, forged, "describe-contact", "--instance-id", instance_id(settings),
               "--contact-id", search_world.contacts["refund"].contact_id)  # fmt: skip
    assert done.returncode != 0
    assert "InvalidSignatureException" in done.stderr and "DescribeContact" in done.stderr


def test_cli_qa_key_cannot_see_an_out_of_scope_contact(live_server, search_world, settings):
    w = search_world
    # A QA analyst restricted to the Sales branch: Osaka's contact is not there for them.
    analyst = make_user("qa-sales", permissions=[*DEFAULT_PROFILES["QualityAnalyst"], p.RESTRICT_BY_HIERARCHY],
                        group=w.groups["g-sales"])  # fmt: skip
    key = access_key_create(user=analyst)
    for operation, id_option in (
        ("describe-contact", "--contact-id"),
        ("get-contact-attributes", "--initial-contact-id"),
    ):
        done = aws(live_server, key, operation, "--instance-id", instance_id(settings),
                   id_option, w.contacts["osaka"].contact_id)  # fmt: skip
        assert done.returncode != 0 and "ResourceNotFoundException" in done.stderr, done.stderr
    done = aws(live_server, key, "describe-contact", "--instance-id", instance_id(settings),
               "--contact-id", w.contacts["refund"].contact_id)  # fmt: skip
    assert done.returncode == 0, done.stderr
    # In scope, but attributes need ContactAttributes.View.
    done = aws(live_server, key, "get-contact-attributes", "--instance-id", instance_id(settings),
               "--initial-contact-id", w.contacts["refund"].contact_id)  # fmt: skip
    assert done.returncode != 0 and "AccessDeniedException" in done.stderr


def client(live_server, key):
    return boto3.client(
        "connect",
        endpoint_url=f"{live_server.url}/api/v1",
        region_name=REGION,
        aws_access_key_id=key.access_key_id,
        aws_secret_access_key=key.secret,
    )


def test_boto3_paginator_walks_a_search_to_its_end(live_server, search_world, settings):
    w = search_world
    connect = client(live_server, access_key_create(user=w.users.admin))
    request = {
        "InstanceId": instance_id(settings),
        "TimeRange": {"Type": "INITIATION_TIMESTAMP", "StartTime": datetime(2026, 9, 1, tzinfo=UTC),
                      "EndTime": datetime(2026, 12, 1, tzinfo=UTC)},
        "Sort": {"FieldName": "INITIATION_TIMESTAMP", "Order": "ASCENDING"},
    }  # fmt: skip
    pages = list(connect.get_paginator("search_contacts").paginate(**request, PaginationConfig={"PageSize": 3}))
    assert len(pages) == 3
    found = [c["Id"] for page in pages for c in page["Contacts"]]
    names = ("refund", "billing", "ja", "ja_other", "osaka", "no_agent", "task", "deleted")
    assert found == [w.calls[n].contact_id for n in names]


def test_boto3_describe_contact_parses_connects_shape(live_server, search_world, settings):
    w = search_world
    connect = client(live_server, access_key_create(user=w.users.qa))
    contact = connect.describe_contact(InstanceId=instance_id(settings), ContactId=w.contacts["refund"].contact_id)
    contact = contact["Contact"]
    assert contact["InitiationTimestamp"] == datetime(2026, 10, 1, 9, tzinfo=UTC).astimezone(
        contact["InitiationTimestamp"].tzinfo
    )
    assert contact["AgentInfo"]["ConnectedToAgentTimestamp"] > contact["InitiationTimestamp"]
    assert "Attributes" not in contact  # QA may not read attributes
    with pytest.raises(ClientError) as missing:
        connect.describe_contact(InstanceId="another-instance", ContactId=w.contacts["refund"].contact_id)
    assert missing.value.response["Error"]["Code"] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as denied:
        connect.get_contact_attributes(InstanceId=instance_id(settings),
                                       InitialContactId=w.contacts["refund"].contact_id)  # fmt: skip
    assert denied.value.response["Error"]["Code"] == "AccessDeniedException"
    assert denied.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
