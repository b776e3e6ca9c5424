"""Sorting and keyset pagination, with opaque signed page tokens.

A token carries the last row's sort key, how many rows were served, and the total
counted on the first page; it is signed with the user's id and a hash of the criteria,
so a tampered token, another user's token, or a token from another search is refused.
Missing values (a contact never connected to an agent, an unanalysed contact) sort
last in both directions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core import signing
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from search.criteria import ASCENDING, TIME_TYPES, CriteriaError, SearchCriteria
from search.selectors.rows import SORT_VALUE

TOKEN_SALT = "search.contact-search.page"

_SORT_COLUMNS = {
    **{name: column for name, column in TIME_TYPES.items()},
    "INITIATION_METHOD": "initiation_method",
    "CHANNEL": "channel",
    "DURATION": "duration_seconds",
    "AGENT_SENTIMENT": "analysis__agent_sentiment",
    "CUSTOMER_SENTIMENT": "analysis__customer_sentiment",
}
_NEVER_NULL = {"initiation_method", "channel"}


@dataclass(frozen=True)
class SortSpec:
    path: str
    descending: bool
    nullable: bool

    def _by_value(self) -> list:
        # Plain order matches the (column DESC, id DESC) indexes in both directions.
        column, pk = F(self.path), F("pk")
        return [column.desc(), pk.desc()] if self.descending else [column.asc(), pk.asc()]

    def _by_pk(self) -> list:
        return [F("pk").desc()] if self.descending else [F("pk").asc()]

    def _after_value(self, value: Any, pk: int) -> Q:
        """Rows with a value, strictly after (value, pk) in this order."""
        before = "lt" if self.descending else "gt"
        # `column <= value` (or >=) bounds the index scan; the OR picks the exact position.
        bound = "lte" if self.descending else "gte"
        return Q(**{f"{self.path}__{bound}": value}) & (
            Q(**{f"{self.path}__{before}": value}) | Q(**{f"pk__{before}": pk})
        )

    def _has_value(self, present: bool) -> Q:
        if "__" not in self.path:
            return Q(**{f"{self.path}__isnull": not present})
        # An analysis metric. Present: the filter joins the analysis (an inner join, which
        # the planner can walk in the metric's index order). Absent: no analysis with a
        # value, as an anti-join rather than a filter on an outer join.
        from search.models import ContactAnalysis

        field = self.path.split("__", 1)[1]
        valued = Exists(
            ContactAnalysis.objects.filter(contact_id=OuterRef("contact_id"), **{f"{field}__isnull": False})
        )
        return Q(**{f"{self.path}__isnull": False}) if present else ~Q(valued)

    def walks(self, position: tuple[Any, int] | None) -> list[tuple[Q, list]]:
        """(condition, order) of each walk that reads the rows after `position`, in turn.

        Missing values sort last in both directions, and no index order puts NULLs last
        both ways: one ORDER BY ... NULLS LAST would sort every match before the first
        row comes back. So a nullable key is read in two walks, each along an index: the
        rows with a value in key order, then those without one in id order."""
        if not self.nullable:
            return [(Q() if position is None else self._after_value(*position), self._by_value())]
        without = (self._has_value(False), self._by_pk())
        if position is None:
            return [(self._has_value(True), self._by_value()), without]
        value, pk = position
        if value is None:
            after = "lt" if self.descending else "gt"
            return [(without[0] & Q(**{f"pk__{after}": pk}), without[1])]
        return [(self._has_value(True) & self._after_value(value, pk), self._by_value()), without]

    def value_of(self, contact) -> Any:
        if "__" in self.path and hasattr(contact, SORT_VALUE):
            return getattr(contact, SORT_VALUE)  # a plain row carries it (`RowShape.plain`)
        target = contact
        for part in self.path.split("__"):
            target = getattr(target, part, None) if target is not None else None
        return target


def sort_spec(criteria: SearchCriteria) -> SortSpec:
    path = _SORT_COLUMNS[criteria.sort_field]
    # The filtered timestamp is never null in the results, so its index serves the order;
    # a contact id finds at most one contact, which any order serves.
    filtered = path == TIME_TYPES.get(criteria.time_type)
    nullable = path not in _NEVER_NULL and not filtered and not criteria.contact_id
    return SortSpec(path, criteria.sort_order != ASCENDING, nullable)


def ordered_walks(queryset: QuerySet, spec: SortSpec, position: tuple[Any, int] | None) -> list[QuerySet]:
    """`queryset` in the search's order from `position` on, as querysets to read in turn."""
    return [queryset.filter(condition).order_by(*order) for condition, order in spec.walks(position)]


# --- Tokens ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PageState:
    value: Any
    pk: int
    served: int
    total: int
    capped: bool


def _encode(value: Any) -> list:
    if isinstance(value, datetime):
        return ["t", value.isoformat()]
    return ["v", value]


def _decode(item: Any) -> Any:
    if not isinstance(item, list) or len(item) != 2:
        raise ValueError("bad sort value")
    kind, value = item
    if kind == "t":
        return datetime.fromisoformat(value)
    if kind == "v" and (value is None or isinstance(value, int | float | str)):
        return value
    raise ValueError("bad sort value")


def token_make(*, user, criteria: SearchCriteria, state: PageState) -> str:
    payload = {
        "u": user.pk,
        "c": criteria.fingerprint(),
        "k": _encode(state.value),
        "i": state.pk,
        "n": state.served,
        "t": state.total,
        "x": state.capped,
    }
    return signing.dumps(payload, salt=TOKEN_SALT, compress=True)


def token_read(token: str, *, user, criteria: SearchCriteria) -> PageState:
    """Raises `CriteriaError` (400) for a token that is not this user's, for this search."""
    try:
        payload = signing.loads(token, salt=TOKEN_SALT)
        if payload["u"] != user.pk or payload["c"] != criteria.fingerprint():
            raise ValueError("token of another user or search")
        return PageState(
            _decode(payload["k"]), int(payload["i"]), int(payload["n"]), int(payload["t"]), bool(payload["x"])
        )
    except (signing.BadSignature, ValueError, KeyError, TypeError):
        raise CriteriaError(_("The NextToken is invalid or belongs to another search.")) from None
