"""A small Connect instance for search tests, loaded through the real ingestion.

    Tokyo (L1)
    ├── Sales (L2)
    │   ├── Sales A (L3): agent sa
    │   └── Sales B (L3): agent sb
    └── Support (L2)
        └── Support A (L3): agent su
    Osaka (L1): agent os

Personas: admin (everything), sales_mgr (CallCenterManager restricted to Sales),
osaka_mgr (CallCenterManager restricted to Osaka), qa (QualityAnalyst: redacted only,
no attributes, no Users.View), agent_sa (Agent profile, agent sa), searcher (only
ContactSearch.View), nobody (no permissions).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from tests.factories import make_user
from tests.search.builders import Call, ingest_calls

T0 = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
SALES_A = (("g-tokyo", "Tokyo"), ("g-sales", "Sales"), ("g-sales-a", "Sales A"))
SALES_B = (("g-tokyo", "Tokyo"), ("g-sales", "Sales"), ("g-sales-b", "Sales B"))
SUPPORT_A = (("g-tokyo", "Tokyo"), ("g-support", "Support"), ("g-support-a", "Support A"))
OSAKA = (("g-osaka", "Osaka"),)


def _calls() -> dict[str, Call]:
    def at(hours: int) -> datetime:
        return T0 + timedelta(hours=hours)

    return {
        "refund": Call(
            "11111111-0000-4000-8000-000000000001", at(0), "sa", SALES_A,
            attributes={"customerTier": "gold", "accountNumber": "ACC-1"},
            turns=[
                ("AGENT", "Thank you for calling, how can I help?", "Thank you for calling, how can I help?"),
                ("CUSTOMER", "I want to cancel my account and get a refund. My name is John Smith.",
                 "I want to cancel my account and get a refund. My name is [NAME]."),
                ("SYSTEM", "This call may be recorded.", "This call may be recorded."),
            ],
            agent_sentiment=1.5, customer_sentiment=-2.0, customer_quarters=(-3, -1, 1, 2),
            agent_quarters=(1, 1, 2, 2), categories=("Cancellation",), non_talk_ms=20000, interruptions=3,
        ),
        "billing": Call(
            "11111111-0000-4000-8000-000000000002", at(1), "sb", SALES_B, channel="CHAT", method="API",
            duration=600, queue=("q-support", "Support"), customer_phone="+81 90-1111-2222",
            attributes={"customerTier": "silver"}, recording=None, disconnect_reason="AGENT_DISCONNECT",
            turns=[
                ("CUSTOMER", "The invoice was wrong, please fix the billing", "The invoice was wrong, please fix the billing"),
                ("AGENT", "I will refund the difference", "I will refund the difference"),
            ],
            agent_sentiment=4.0, customer_sentiment=3.0, customer_quarters=(1, 2, 3, 4),
            categories=("Billing",), non_talk_ms=120000, interruptions=0,
        ),
        "ja": Call(
            "11111111-0000-4000-8000-000000000003", at(2), "su", SUPPORT_A, language="ja-JP", duration=900,
            queue=("q-support", "Support"), routing_profile=("rp-ja", "Japanese"), method="TRANSFER",
            turns=[
                ("CUSTOMER", "契約を解約したいのですが", None),
                ("AGENT", "かしこまりました、手続きをいたします", None),
            ],
            agent_sentiment=2.0, customer_sentiment=-1.0, customer_quarters=(-2, -1, 0, 1),
            categories=("解約",), non_talk_ms=90000, interruptions=1,
        ),
        "ja_other": Call(
            "11111111-0000-4000-8000-000000000004", at(3), "sa", SALES_A, language="ja-JP",
            turns=[("CUSTOMER", "契約を確認したい", None), ("AGENT", "確認いたします", None)],
            agent_sentiment=3.0, customer_sentiment=1.0, categories=(), non_talk_ms=0,
        ),
        "osaka": Call(
            "11111111-0000-4000-8000-000000000005", at(4), "os", OSAKA, customer_phone="+81312345678",
            attributes={"customerTier": "gold"},
            turns=[("CUSTOMER", "refund please", "refund please"), ("AGENT", "Sure", "Sure")],
            agent_sentiment=0.0, customer_sentiment=0.0, categories=("Cancellation",),
        ),
        "no_agent": Call(
            "11111111-0000-4000-8000-000000000006", at(5), None, (), routing_profile=None,
            disconnect_reason="CONTACT_FLOW_DISCONNECT", duration=40,
            turns=[("SYSTEM", "Please hold for a refund", "Please hold for a refund")],
        ),
        "task": Call(
            "11111111-0000-4000-8000-000000000007", at(6), "sb", SALES_B, channel="TASK", method="API",
            duration=3600, queue=None, customer_phone=None, system_phone=None, recording=None,
            scheduled=at(30), disconnect_reason="OTHER",
        ),
        "deleted": Call(
            "11111111-0000-4000-8000-000000000008", at(7), "sa", SALES_A, recording="DELETED",
            system_phone="+81366667777", duration=1200, attributes={"customerTier": "bronze"},
        ),
        "old": Call(
            "11111111-0000-4000-8000-000000000009", T0 - timedelta(days=90), "sa", SALES_A, duration=60,
        ),
    }  # fmt: skip


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    # Personas are created per test; the production hasher would dominate the run time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def default_profiles() -> None:
    """The default security profiles; a transactional test before this one may have emptied the table."""
    from portal.accounts.default_profiles import DEFAULT_PROFILES
    from portal.accounts.models import SecurityProfile

    for name, permissions in DEFAULT_PROFILES.items():
        SecurityProfile.objects.get_or_create(name=name, defaults={"permissions": permissions})


@pytest.fixture
def search_world(db, tmp_path, settings):
    default_profiles()
    calls = _calls()
    ingest_calls(tmp_path / "connect", list(calls.values()))
    from hierarchy.models import Agent, HierarchyGroup
    from search.models import Contact, SearchableAttributeKey

    SearchableAttributeKey.objects.get_or_create(key="customerTier")
    groups = {g.group_id: g for g in HierarchyGroup.objects.all()}
    agents = {a.agent_id: a for a in Agent.objects.all()}
    users = SimpleNamespace(
        admin=mfa(make_user("admin", profiles=["Admin"])),
        sales_mgr=mfa(make_user("sales-mgr", profiles=["CallCenterManager"], group=groups["g-sales"])),
        osaka_mgr=mfa(make_user("osaka-mgr", profiles=["CallCenterManager"], group=groups["g-osaka"])),
        qa=make_user("qa", profiles=["QualityAnalyst"]),
        agent_sa=make_user("agent-sa", profiles=["Agent"], agent=agents["sa"]),
        searcher=make_user("searcher", permissions=["ContactSearch.View"]),
        nobody=make_user("nobody", permissions=[]),
    )
    contacts = {name: Contact.objects.get(contact_id=call.contact_id) for name, call in calls.items()}
    return SimpleNamespace(calls=calls, contacts=contacts, users=users, groups=groups, agents=agents)


def mfa(user):
    """Enrol a TOTP authenticator: profiles with unredacted access must have one."""
    from allauth.mfa.models import Authenticator

    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "test"})
    return user


def ids(*names: str, world) -> set[str]:
    return {world.calls[n].contact_id for n in names}


ALL_RECENT = ("refund", "billing", "ja", "ja_other", "osaka", "no_agent", "task", "deleted")
SALES = ("refund", "billing", "ja_other", "task", "deleted")
