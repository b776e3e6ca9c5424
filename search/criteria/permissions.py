"""The one rule deciding which search filters a user may use (page and API alike)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from portal.accounts import permissions as p
from search.criteria.model import CriteriaError, SearchCriteria, SearchPermissionDenied


def criteria_check_permissions(user, criteria: SearchCriteria) -> None:
    """The one place that decides which filters a user may use.

    Raises `SearchPermissionDenied` naming the first missing permission, and
    `CriteriaError` for an attribute key an administrator has not made searchable.
    """
    granted = user.connect_permissions
    if p.CONTACT_SEARCH not in granted and p.MY_CONTACTS not in granted:
        raise SearchPermissionDenied(p.CONTACT_SEARCH)
    if criteria.uses_agents and p.USERS_VIEW not in granted:
        raise SearchPermissionDenied(p.USERS_VIEW)
    if criteria.uses_keywords and p.SEARCH_KEYWORDS not in granted:
        raise SearchPermissionDenied(p.SEARCH_KEYWORDS)
    if criteria.uses_characteristics and p.SEARCH_CHARACTERISTICS not in granted:
        raise SearchPermissionDenied(p.SEARCH_CHARACTERISTICS)
    if criteria.uses_attributes:
        if p.CONTACT_ATTRIBUTES not in granted:
            raise SearchPermissionDenied(p.CONTACT_ATTRIBUTES)
        _check_searchable_keys(criteria)


def _check_searchable_keys(criteria: SearchCriteria) -> None:
    from search.models import SearchableAttributeKey

    wanted = {a.key for a in criteria.attributes}
    allowed = set(SearchableAttributeKey.objects.filter(key__in=wanted).values_list("key", flat=True))
    refused = sorted(wanted - allowed)
    if refused:
        raise CriteriaError(_("Contact attribute %(key)s is not searchable.") % {"key": refused[0]})


def allowed_filters(user) -> dict[str, bool]:
    """Which optional filter groups the page offers this user (same rule as above)."""
    granted = user.connect_permissions
    can_search = p.CONTACT_SEARCH in granted or p.MY_CONTACTS in granted
    return {
        "search": can_search,
        "agents": can_search and p.USERS_VIEW in granted,
        "keywords": can_search and p.SEARCH_KEYWORDS in granted,
        "characteristics": can_search and p.SEARCH_CHARACTERISTICS in granted,
        "attributes": can_search and p.CONTACT_ATTRIBUTES in granted,
    }
