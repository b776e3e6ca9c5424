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
from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext as _

from search.criteria import ASCENDING, TIME_TYPES, CriteriaError, SearchCriteria

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

    def order_by(self) -> list:
        column, pk = F(self.path), F("pk")
        if not self.nullable:
            # Plain order matches the (column DESC, id DESC) indexes in both directions.
            return [column.desc(), pk.desc()] if self.descending else [column.asc(), pk.asc()]
        if self.descending:
            return [column.desc(nulls_last=True), pk.desc()]
        return [column.asc(nulls_last=True), pk.asc()]

    def after(self, value: Any, pk: int) -> Q:
        """Rows strictly after (value, pk) in this order."""
        before, after = ("lt", "lt") if self.descending else ("gt", "gt")
        if value is None:
            return Q(**{f"{self.path}__isnull": True, f"pk__{after}": pk})
        # `column <= value` (or >=) bounds the index scan; the OR picks the exact position.
        bound = "lte" if self.descending else "gte"
        q = Q(**{f"{self.path}__{bound}": value}) & (Q(**{f"{self.path}__{before}": value}) | Q(**{f"pk__{after}": pk}))
        if self.nullable:
            q |= Q(**{f"{self.path}__isnull": True})
        return q

    def value_of(self, contact) -> Any:
        target = contact
        for part in self.path.split("__"):
            target = getattr(target, part, None) if target is not None else None
        return target


def sort_spec(criteria: SearchCriteria) -> SortSpec:
    path = _SORT_COLUMNS[criteria.sort_field]
    # The filtered timestamp is never null in the results, so its index serves the order.
    filtered = not criteria.contact_id and path == TIME_TYPES.get(criteria.time_type)
    nullable = path not in _NEVER_NULL and not filtered
    return SortSpec(path, criteria.sort_order != ASCENDING, nullable)


def ordered(queryset: QuerySet, spec: SortSpec, position: tuple[Any, int] | None) -> QuerySet:
    if position is not None:
        queryset = queryset.filter(spec.after(*position))
    return queryset.order_by(*spec.order_by())


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
