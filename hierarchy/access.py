"""Which contacts a user may see: Connect's rule (CONNECT §3.4), failing closed.

SECURITY: this is the single source of truth. Every path to a contact, transcript or
audio byte filters through `Contact.objects.visible_to(user)`, which calls
`contact_scope`. Build one `Q`; never chain `.filter()` across multi-valued relations.

| ContactSearch | MyContacts | Restrict | visible                                   |
| on            | any        | off      | everything                                |
| on            | any        | on       | agent's hierarchy at the time ⊆ user's current group, plus the user's own |
| off           | on         | any      | the user's own contacts (as agent)        |
| off           | off        | any      | nothing                                   |

Our decisions where Connect is silent: a restricted user without a group sees only
their own contacts; contacts without an agent are invisible to restricted users.
"""

from __future__ import annotations

from django.db.models import Q

from hierarchy.models import MAX_LEVELS
from portal.accounts import permissions as p

NOTHING = Q(pk__in=[])


def _own_contacts(user) -> Q:
    return Q(agent_id=user.agent_id) if user.agent_id else NOTHING


def _hierarchy_subtree(user) -> Q:
    group = user.hierarchy_group
    if group is None:
        return NOTHING
    if group.level and 1 <= group.level <= MAX_LEVELS:
        scope = Q(**{f"hierarchy_l{group.level}": group.group_id})
    else:
        # Level unknown: group ids are unique, so matching any level is still exact.
        scope = NOTHING
        for level in range(1, MAX_LEVELS + 1):
            scope |= Q(**{f"hierarchy_l{level}": group.group_id})
    # A snapshot without an agent (its Agent row gone) still fails closed.
    return scope & Q(agent_id__isnull=False)


def contact_scope(user) -> Q:
    if user is None or not user.is_authenticated or not user.is_active:
        return NOTHING
    granted = user.connect_permissions
    if p.CONTACT_SEARCH in granted:
        if p.RESTRICT_BY_HIERARCHY not in granted:
            return Q()
        return _hierarchy_subtree(user) | _own_contacts(user)
    if p.MY_CONTACTS in granted:
        return _own_contacts(user)
    return NOTHING


def contact_for_user_or_404(user, contact_id: str, queryset=None):
    """The contact if the user may see it; 404 otherwise, so strangers cannot tell
    "forbidden" from "missing"."""
    from django.http import Http404

    from search.models import Contact

    base = queryset if queryset is not None else Contact.objects.all()
    contact = base.visible_to(user).filter(contact_id=contact_id).first()
    if contact is None:
        raise Http404("No such contact")
    return contact
