"""`sync_connect` against botocore's Stubber, which checks every call and answer against
Connect's real API model."""

from __future__ import annotations

from io import StringIO

import boto3
import pytest
from botocore.stub import Stubber
from django.core.management import call_command
from django.core.management.base import CommandError

from hierarchy.models import Agent, HierarchyGroup
from hierarchy.services import connect_sync
from portal.audit.models import AuditEvent
from tests.factories import make_agent, make_group, make_user

INSTANCE = "11111111-2222-4333-8444-555555555555"
ARN = f"arn:aws:connect:ap-northeast-1:123456789012:instance/{INSTANCE}"


def group(gid: str, name: str) -> dict:
    return {"Id": gid, "Arn": f"{ARN}/agent-group/{gid}", "Name": name}


TOKYO, SALES, SALES_A, SUPPORT = (
    group("g-tokyo", "Tokyo"), group("g-sales", "Sales"), group("g-sales-a", "Sales A"), group("g-support", "Support"),
)  # fmt: skip
PATHS = {
    "g-tokyo": {"LevelOne": TOKYO},
    "g-sales": {"LevelOne": TOKYO, "LevelTwo": SALES},
    "g-sales-a": {"LevelOne": TOKYO, "LevelTwo": SALES, "LevelThree": SALES_A},
    "g-support": {"LevelOne": TOKYO, "LevelTwo": SUPPORT},
}
USERS = {
    "u-1": ("yamada", "Taro", "Yamada", "g-sales-a"),
    "u-2": ("suzuki", "Hanako", "Suzuki", "g-support"),
    "u-3": ("admin", "", "", None),
}


def _describe_group(stub: Stubber, gid: str) -> None:
    path = PATHS[gid]
    me = list(path.values())[-1]
    answer = {"HierarchyGroup": {**me, "LevelId": str(len(path)), "HierarchyPath": path}}
    stub.add_response("describe_user_hierarchy_group", answer, {"HierarchyGroupId": gid, "InstanceId": INSTANCE})


def _describe_user(stub: Stubber, uid: str) -> None:
    username, first, last, gid = USERS[uid]
    user = {"Id": uid, "Arn": f"{ARN}/agent/{uid}", "Username": username, "SecurityProfileIds": ["sp-1"],
            "RoutingProfileId": "rp-1", "PhoneConfig": {"PhoneType": "SOFT_PHONE"}}  # fmt: skip
    if first:
        user["IdentityInfo"] = {"FirstName": first, "LastName": last}
    if gid:
        user["HierarchyGroupId"] = gid
    stub.add_response("describe_user", {"User": user}, {"UserId": uid, "InstanceId": INSTANCE})


def _summary(uid: str) -> dict:
    return {"Id": uid, "Arn": f"{ARN}/agent/{uid}", "Username": USERS[uid][0]}


def stubbed_connect(group_order: list[str]) -> tuple:
    """A Connect client whose answers are queued in call order: two pages of groups
    (children listed before parents), then two pages of users."""
    client = boto3.client("connect", region_name="ap-northeast-1", aws_access_key_id="x", aws_secret_access_key="y")
    stub = Stubber(client)
    first, second = group_order[:2], group_order[2:]
    stub.add_response(
        "list_user_hierarchy_groups",
        {"UserHierarchyGroupSummaryList": [group(g, PATHS[g][list(PATHS[g])[-1]]["Name"]) for g in first],
         "NextToken": "groups-2"},
        {"InstanceId": INSTANCE},
    )  # fmt: skip
    for gid in first:
        _describe_group(stub, gid)
    stub.add_response(
        "list_user_hierarchy_groups",
        {"UserHierarchyGroupSummaryList": [group(g, PATHS[g][list(PATHS[g])[-1]]["Name"]) for g in second]},
        {"InstanceId": INSTANCE, "NextToken": "groups-2"},
    )
    for gid in second:
        _describe_group(stub, gid)
    stub.add_response(
        "list_users", {"UserSummaryList": [_summary("u-1"), _summary("u-2")], "NextToken": "users-2"},
        {"InstanceId": INSTANCE},
    )  # fmt: skip
    _describe_user(stub, "u-1")
    _describe_user(stub, "u-2")
    stub.add_response(
        "list_users", {"UserSummaryList": [_summary("u-3")]}, {"InstanceId": INSTANCE, "NextToken": "users-2"}
    )
    _describe_user(stub, "u-3")
    return client, stub


def _tree() -> dict[str, tuple]:
    return {
        g.group_id: (g.name, g.level, g.parent.group_id if g.parent else None) for g in HierarchyGroup.objects.all()
    }


@pytest.mark.django_db
def test_sync_pages_through_groups_and_users():
    client, stub = stubbed_connect(["g-sales-a", "g-tokyo", "g-support", "g-sales"])
    with stub:
        result = connect_sync(client, INSTANCE)
        stub.assert_no_pending_responses()

    assert (result.groups, result.agents) == (4, 3)
    assert _tree() == {
        "g-tokyo": ("Tokyo", 1, None),
        "g-sales": ("Sales", 2, "g-tokyo"),
        "g-sales-a": ("Sales A", 3, "g-sales"),
        "g-support": ("Support", 2, "g-tokyo"),
    }
    agents = {a.agent_id: (a.username, a.first_name, a.last_name, a.hierarchy_group and a.hierarchy_group.group_id)
              for a in Agent.objects.select_related("hierarchy_group")}  # fmt: skip
    assert agents == {
        "u-1": ("yamada", "Taro", "Yamada", "g-sales-a"),
        "u-2": ("suzuki", "Hanako", "Suzuki", "g-support"),
        "u-3": ("admin", "", "", None),
    }
    assert Agent.objects.get(agent_id="u-1").arn == f"{ARN}/agent/u-1"


@pytest.mark.django_db
def test_sync_is_idempotent_and_updates_what_changed():
    # A group and an agent already known from contact records, with stale names and levels.
    make_group("old name", level=None, group_id="g-sales")
    known = make_agent("yamada-old")
    Agent.objects.filter(pk=known.pk).update(agent_id="u-1")
    for _ in range(2):
        client, stub = stubbed_connect(["g-tokyo", "g-sales", "g-sales-a", "g-support"])
        with stub:
            connect_sync(client, INSTANCE)
    assert HierarchyGroup.objects.count() == 4
    assert Agent.objects.count() == 3
    assert _tree()["g-sales"] == ("Sales", 2, "g-tokyo")
    assert Agent.objects.get(agent_id="u-1").username == "yamada"


@pytest.mark.django_db
def test_linked_portal_user_follows_the_agents_group_and_it_is_audited():
    sales_b = make_group("Sales B", level=3, group_id="g-sales-b")
    agent = make_agent("yamada", group=sales_b)
    Agent.objects.filter(pk=agent.pk).update(agent_id="u-1")
    linked = make_user("yamada", profiles=["CallCenterManager"], group=sales_b, agent=Agent.objects.get(agent_id="u-1"))
    unlinked = make_user("other", profiles=["CallCenterManager"], group=sales_b)

    client, stub = stubbed_connect(["g-tokyo", "g-sales", "g-sales-a", "g-support"])
    with stub:
        result = connect_sync(client, INSTANCE)

    assert result.portal_users_moved == 1
    linked.refresh_from_db()
    unlinked.refresh_from_db()
    assert linked.hierarchy_group.group_id == "g-sales-a"
    assert unlinked.hierarchy_group.group_id == "g-sales-b"
    event = AuditEvent.objects.get(action="group_change")
    assert event.details == {"user": "yamada", "source": "sync_connect", "before": "g-sales-b", "after": "g-sales-a"}


@pytest.mark.django_db
def test_command_uses_the_instance_id_and_reports(monkeypatch):
    client, stub = stubbed_connect(["g-tokyo", "g-sales", "g-sales-a", "g-support"])
    monkeypatch.setattr("hierarchy.management.commands.sync_connect.connect_client", lambda region=None: client)
    out = StringIO()
    with stub:
        call_command("sync_connect", "--instance-id", INSTANCE, stdout=out)
    assert out.getvalue().strip() == "synchronised 4 hierarchy groups, 3 users; 0 portal users moved to a new group"


@pytest.mark.django_db
def test_command_defaults_to_the_configured_instance_and_reports_connect_errors(monkeypatch, settings):
    settings.CONNECT_INSTANCE_ARN = ARN
    client = boto3.client("connect", region_name="ap-northeast-1", aws_access_key_id="x", aws_secret_access_key="y")
    stub = Stubber(client)
    stub.add_client_error(
        "list_user_hierarchy_groups",
        "AccessDeniedException",
        "not allowed",
        403,
        expected_params={"InstanceId": INSTANCE},
    )
    monkeypatch.setattr("hierarchy.management.commands.sync_connect.connect_client", lambda region=None: client)
    with stub, pytest.raises(CommandError, match="not allowed"):
        call_command("sync_connect")
