"""`Contact.objects.visible_to(user)`: exact expected sets for each persona (CONNECT §3.4)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from hierarchy.access import contact_for_user_or_404
from portal.accounts import permissions as p
from portal.accounts.models import User
from search.models import Contact
from tests.factories import make_contact, make_user

pytestmark = pytest.mark.django_db

RESTRICTED = [p.CONTACT_SEARCH, p.RESTRICT_BY_HIERARCHY]


def visible(user) -> set[str]:
    return set(Contact.objects.visible_to(user).values_list("contact_id", flat=True))


def ids(*contacts) -> set[str]:
    return {c.contact_id for c in contacts}


def everything() -> set[str]:
    return set(Contact.objects.values_list("contact_id", flat=True))


def fresh(user: User) -> User:
    """The user as the next request loads it."""
    return User.objects.get(pk=user.pk)


def test_unrestricted_manager_sees_everything(world):
    manager = make_user("boss", permissions=[p.CONTACT_SEARCH])
    assert visible(manager) == everything()
    assert len(everything()) == 8


def test_admin_profile_sees_everything(world):
    assert visible(make_user("root", profiles=["Admin"])) == everything()


def test_restricted_manager_of_level2_group_sees_its_teams_not_the_sibling_branch(world):
    c = world.contacts
    manager = make_user("sales-mgr", profiles=["CallCenterManager"], group=world.groups.sales)
    assert visible(manager) == ids(c.sales_a, c.sales_b, c.sales_lead, c.mover_before)


def test_restricted_manager_of_level3_team_sees_only_that_team(world):
    c = world.contacts
    manager = make_user("team-mgr", permissions=RESTRICTED, group=world.groups.sales_b)
    assert visible(manager) == ids(c.sales_b)


def test_restricted_manager_of_level1_group_sees_the_whole_branch(world):
    c = world.contacts
    manager = make_user("tokyo-mgr", permissions=RESTRICTED, group=world.groups.tokyo)
    assert visible(manager) == everything() - ids(c.osaka, c.no_agent)


def test_restricted_manager_also_sees_own_contacts_outside_the_group(world):
    c = world.contacts
    manager = make_user("hybrid", permissions=RESTRICTED, group=world.groups.support, agent=world.agents.os)
    assert visible(manager) == ids(c.support_a, c.mover_after, c.osaka)


def test_restricted_user_without_group_sees_only_own_contacts(world):
    with_agent = make_user("nogroup-agent", permissions=RESTRICTED, agent=world.agents.sb)
    without_agent = make_user("nogroup", permissions=RESTRICTED)
    assert visible(with_agent) == ids(world.contacts.sales_b)
    assert visible(without_agent) == set()


def test_group_of_unknown_level_matches_at_any_level(world):
    c = world.contacts
    world.groups.sales.level = None
    world.groups.sales.save(update_fields=["level"])
    manager = make_user("nolevel", permissions=RESTRICTED, group=world.groups.sales)
    assert visible(manager) == ids(c.sales_a, c.sales_b, c.sales_lead, c.mover_before)


def test_qa_analyst_sees_everything(world):
    assert visible(make_user("qa", profiles=["QualityAnalyst"])) == everything()


def test_agent_sees_only_own_contacts(world):
    c = world.contacts
    agent = make_user("mover-user", profiles=["Agent"], agent=world.agents.mover)
    assert visible(agent) == ids(c.mover_before, c.mover_after)


def test_agent_profile_without_linked_agent_sees_nothing(world):
    assert visible(make_user("unlinked", profiles=["Agent"])) == set()


def test_both_search_permissions_see_everything(world):
    user = make_user("both", permissions=[p.CONTACT_SEARCH, p.MY_CONTACTS], agent=world.agents.sa)
    assert visible(user) == everything()


def test_my_contacts_with_restriction_is_still_own_contacts(world):
    user = make_user("mine", permissions=[p.MY_CONTACTS, p.RESTRICT_BY_HIERARCHY], group=world.groups.tokyo,
                     agent=world.agents.sa)  # fmt: skip
    assert visible(user) == ids(world.contacts.sales_a)


def test_user_without_profile_sees_nothing(world):
    assert visible(make_user("nobody", group=world.groups.tokyo, agent=world.agents.sa)) == set()


def test_profile_without_search_permissions_sees_nothing(world):
    user = make_user("recordings-only", permissions=[p.RECORDINGS_REDACTED, p.TRANSCRIPTS_REDACTED])
    assert visible(user) == set()


def test_inactive_and_anonymous_users_see_nothing(world):
    user = make_user("gone", permissions=[p.CONTACT_SEARCH])
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert visible(fresh(user)) == set()
    assert visible(AnonymousUser()) == set()
    assert visible(None) == set()


def test_group_change_takes_effect_on_next_request(world):
    c = world.contacts
    manager = make_user("moving-mgr", permissions=RESTRICTED, group=world.groups.sales)
    assert visible(manager) == ids(c.sales_a, c.sales_b, c.sales_lead, c.mover_before)

    User.objects.filter(pk=manager.pk).update(hierarchy_group=world.groups.support)
    assert visible(fresh(manager)) == ids(c.support_a, c.mover_after)


def test_profile_change_takes_effect_on_next_request(world):
    user = make_user("promoted", permissions=[p.CONTACT_SEARCH, p.RESTRICT_BY_HIERARCHY], group=world.groups.osaka)
    assert visible(user) == ids(world.contacts.osaka)
    profile = user.security_profiles.get()
    profile.permissions = [p.CONTACT_SEARCH]
    profile.save(update_fields=["permissions"])
    assert visible(fresh(user)) == everything()


def test_contact_without_agent_is_invisible_to_restricted_users(world):
    no_agent = world.contacts.no_agent.contact_id
    for user in (
        make_user("r1", permissions=RESTRICTED, group=world.groups.tokyo),
        make_user("r2", permissions=RESTRICTED, group=world.groups.osaka),
        make_user("r3", permissions=RESTRICTED),
    ):
        assert no_agent not in visible(user)
    assert no_agent in visible(make_user("open", permissions=[p.CONTACT_SEARCH]))


def test_snapshot_without_agent_is_invisible_to_restricted_users(world):
    orphan = make_contact(agent=None, groups=[world.groups.tokyo, world.groups.sales, world.groups.sales_a])
    restricted = make_user("r-orphan", permissions=RESTRICTED, group=world.groups.sales)
    assert orphan.contact_id not in visible(restricted)
    assert orphan.contact_id in visible(make_user("open-orphan", permissions=[p.CONTACT_SEARCH]))


def test_contact_keeps_hierarchy_snapshot_after_agent_moves(world):
    c = world.contacts
    sales = make_user("sales", permissions=RESTRICTED, group=world.groups.sales_a)
    support = make_user("support", permissions=RESTRICTED, group=world.groups.support_a)
    assert visible(sales) == ids(c.sales_a, c.mover_before)
    assert visible(support) == ids(c.support_a, c.mover_after)


def test_visible_to_composes_with_other_filters_without_leaking(world):
    manager = make_user("composed", permissions=RESTRICTED, group=world.groups.sales_b)
    qs = Contact.objects.filter(agent__username__in=["sa", "sb", "su"]).visible_to(manager)
    assert set(qs.values_list("contact_id", flat=True)) == ids(world.contacts.sales_b)


def test_contact_for_user_or_404(world):
    c = world.contacts
    manager = make_user("lookup", permissions=RESTRICTED, group=world.groups.sales)
    assert contact_for_user_or_404(manager, c.sales_a.contact_id) == c.sales_a
    for contact_id in (c.support_a.contact_id, c.osaka.contact_id, c.no_agent.contact_id, "no-such-contact"):
        with pytest.raises(Http404):
            contact_for_user_or_404(manager, contact_id)


def test_contact_for_user_or_404_respects_a_given_queryset(world):
    manager = make_user("qs", permissions=[p.CONTACT_SEARCH])
    narrowed = Contact.objects.filter(agent=world.agents.sa)
    assert contact_for_user_or_404(manager, world.contacts.sales_a.contact_id, narrowed) == world.contacts.sales_a
    with pytest.raises(Http404):
        contact_for_user_or_404(manager, world.contacts.sales_b.contact_id, narrowed)
