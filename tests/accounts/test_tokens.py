"""A bearer token finds its user, with what the access rule reads, in one query."""

from __future__ import annotations

from datetime import timedelta

import pytest
from allauth.mfa.models import Authenticator
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hierarchy.access import contact_scope
from portal.accounts import permissions as p
from portal.accounts.mfa import mfa_enrolled
from portal.accounts.models import ApiToken, SecurityProfile
from portal.accounts.tokens import token_create, token_revoke, user_for_token
from tests.factories import make_group, make_user

pytestmark = pytest.mark.django_db


def test_the_user_comes_with_every_profiles_permissions_and_the_group():
    tokyo = make_group("Tokyo", level=1)
    sales = make_group("Sales", level=2, parent=tokyo)
    user = make_user("mgr", permissions=[p.CONTACT_SEARCH, p.RESTRICT_BY_HIERARCHY], group=sales)
    user.security_profiles.add(SecurityProfile.objects.create(name="extra", permissions=[p.USERS_VIEW]))
    token = token_create(user=user)
    ApiToken.objects.update(last_used_at=timezone.now())  # no last-use write in this call

    with CaptureQueriesContext(connection) as queries:
        found = user_for_token(token)
        scope = contact_scope(found)
        group = found.hierarchy_group

    assert len(queries) == 1
    assert found.pk == user.pk and found.username == "mgr"
    assert found.connect_permissions == frozenset({p.CONTACT_SEARCH, p.RESTRICT_BY_HIERARCHY, p.USERS_VIEW})
    assert (group.pk, group.group_id, group.level, group.parent_id) == (sales.pk, sales.group_id, 2, tokyo.pk)
    # The same permissions and scope as the user loaded by any other path.
    loaded = type(user).objects.get(pk=user.pk)
    assert found.connect_permissions == loaded.connect_permissions
    assert scope == contact_scope(loaded)
    assert group._state.db == loaded._state.db


@pytest.mark.parametrize(
    ("authenticators", "enrolled"),
    [((), False), ((Authenticator.Type.TOTP,), True), ((Authenticator.Type.RECOVERY_CODES,), False)],
)
def test_mfa_enrolment_comes_along_and_agrees_with_allauth(authenticators, enrolled):
    user = make_user("mgr", permissions=[p.TRANSCRIPTS_UNREDACTED])
    for kind in authenticators:
        Authenticator.objects.create(user=user, type=kind, data={})
    token = token_create(user=user)
    ApiToken.objects.update(last_used_at=timezone.now())

    with CaptureQueriesContext(connection) as queries:
        found = user_for_token(token)
        answer = mfa_enrolled(found)

    assert len(queries) == 1
    assert answer is enrolled
    # allauth's own answer for the same user, asked by the ordinary path.
    assert mfa_enrolled(type(user).objects.get(pk=user.pk)) is enrolled


def test_a_user_without_a_group_or_profiles_has_neither():
    token = token_create(user=make_user("plain"))
    found = user_for_token(token)
    assert found.hierarchy_group is None
    assert found.connect_permissions == frozenset()


@pytest.mark.parametrize("case", ["revoked", "inactive", "unknown", "foreign prefix"])
def test_refused_tokens_find_nobody(case):
    user = make_user("gone", permissions=[p.CONTACT_SEARCH])
    token = token_create(user=user)
    if case == "revoked":
        assert token_revoke(token_id=ApiToken.objects.get().pk, user=user)
    elif case == "inactive":
        type(user).objects.filter(pk=user.pk).update(is_active=False)
    elif case == "unknown":
        token = token[:-4] + "AAAA"
    else:
        token = "xyz_" + token[4:]
    assert user_for_token(token) is None


def test_last_use_is_recorded_at_most_once_a_minute():
    token = token_create(user=make_user("busy"))
    user_for_token(token)
    first = ApiToken.objects.get().last_used_at
    assert first is not None
    user_for_token(token)
    assert ApiToken.objects.get().last_used_at == first

    ApiToken.objects.update(last_used_at=first - timedelta(minutes=5))
    user_for_token(token)
    assert ApiToken.objects.get().last_used_at > first - timedelta(minutes=1)
