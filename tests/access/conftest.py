"""A small Connect instance for access tests.

    Tokyo (L1)
    ├── Sales (L2)
    │   ├── Sales A (L3): agent sa
    │   └── Sales B (L3): agent sb
    └── Support (L2)
        └── Support A (L3): agent su
    Osaka (L1): agent os

Agent `mover` worked in Sales A, then moved to Support A; each of their contacts keeps
the hierarchy of its own time. One contact went straight to Sales (L2) and one was
never handled by an agent.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from tests.factories import group_path, make_agent, make_contact, make_group


@pytest.fixture
def world(db):
    tokyo = make_group("Tokyo", level=1)
    sales = make_group("Sales", level=2, parent=tokyo)
    sales_a = make_group("Sales A", level=3, parent=sales)
    sales_b = make_group("Sales B", level=3, parent=sales)
    support = make_group("Support", level=2, parent=tokyo)
    support_a = make_group("Support A", level=3, parent=support)
    osaka = make_group("Osaka", level=1)

    sa = make_agent("sa", group=sales_a)
    sb = make_agent("sb", group=sales_b)
    su = make_agent("su", group=support_a)
    os_ = make_agent("os", group=osaka)
    lead = make_agent("lead", group=sales)
    mover = make_agent("mover", group=sales_a)

    c = SimpleNamespace()
    c.sales_a = make_contact(agent=sa)
    c.sales_b = make_contact(agent=sb)
    c.support_a = make_contact(agent=su)
    c.osaka = make_contact(agent=os_)
    c.sales_lead = make_contact(agent=lead)
    c.no_agent = make_contact(agent=None)
    c.mover_before = make_contact(agent=mover)
    mover.hierarchy_group = support_a
    mover.save(update_fields=["hierarchy_group"])
    c.mover_after = make_contact(agent=mover, groups=group_path(support_a))

    return SimpleNamespace(
        groups=SimpleNamespace(
            tokyo=tokyo,
            sales=sales,
            sales_a=sales_a,
            sales_b=sales_b,
            support=support,
            support_a=support_a,
            osaka=osaka,
        ),
        agents=SimpleNamespace(sa=sa, sb=sb, su=su, os=os_, lead=lead, mover=mover),
        contacts=c,
    )


MFA_MIDDLEWARE = "portal.accounts.middleware.MfaRequiredMiddleware"


@pytest.fixture(scope="session", autouse=True)
def mfa_middleware_installed():
    """Production settings list MfaRequiredMiddleware; make sure these tests run with it
    (session-wide, so live_server's handler is built with it too)."""
    from django.conf import settings

    if MFA_MIDDLEWARE not in settings.MIDDLEWARE:
        settings.MIDDLEWARE = [*settings.MIDDLEWARE, MFA_MIDDLEWARE]
    yield
