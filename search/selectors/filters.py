"""SearchCriteria → one `Q` over contacts.

SECURITY: these conditions only ever narrow `Contact.objects.visible_to(user)`; they are
never a base queryset of their own. Multi-valued relations (attribute index,
recordings, search documents) are tested with `Exists`, never joined, so no filter can
multiply or leak rows. Counts repeat the user's scope and the time range on the search
documents' copies of them, only so PostgreSQL can intersect the document indexes; the
contact's own conditions still decide.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import BooleanField, Exists, F, Func, OuterRef, Q
from django.utils import timezone

from hierarchy.access import contact_scope
from hierarchy.models import Agent
from portal.accounts import permissions as p
from portal.crypto import attribute_blind_index
from portal.phone import phone_form_index
from search.criteria import MATCH_ALL, MATCH_ANY, MATCH_NONE, TIME_TYPES, SearchCriteria, TextCriterion
from search.models import ContactAnalysis, ContactAttributeIndex, Queue, RoutingProfile, TranscriptSearchDoc

# Who spoke, as the search document's writer weights it (search/sql/fts_roles.sql).
ROLE_WEIGHTS = {"AGENT": "A", "CUSTOMER": "B", "SYSTEM": "C", "CUSTOM_BOT": "C", "SUPERVISOR": "C"}


class DocumentMatches(Func):
    """`document @@ (<tsquery SQL>)`, the query built from `portal_fts_query` calls on
    literal terms, so PostgreSQL folds it to a constant and can use the GIN index."""

    output_field = BooleanField()

    def __init__(self, document, query_sql: str, query_params: tuple) -> None:
        super().__init__(document)
        self.query_sql = query_sql
        self.query_params = tuple(query_params)

    def as_sql(self, compiler, connection, **extra_context):
        document_sql, document_params = compiler.compile(self.source_expressions[0])
        return f"({document_sql} @@ {self.query_sql})", (*document_params, *self.query_params)


def criteria_q(user, criteria: SearchCriteria, *, by_copies: bool = False) -> Q:
    """Every filter of `criteria`; a contact id ignores the others (the scope still applies).

    `by_copies` also narrows search documents by their copies of the scope and time
    (see `_copied_scope_q`): for counting, where intersecting the document's indexes
    beats probing documents contact by contact. A page wants the opposite: walking
    contacts in sort order and stopping at the page's end, which the planner only picks
    when it does not see (and multiply) the same condition twice."""
    if criteria.contact_id:
        return Q(contact_id=criteria.contact_id)
    narrowing = _copied_scope_q(user, criteria) if by_copies else Q()
    q = _time_q(criteria) & _record_q(criteria) & _directory_q(criteria) & _phone_q(criteria)
    if criteria.uses_keywords:
        q &= keyword_exists(user, criteria, narrowing)
    if criteria.uses_characteristics:
        q &= _analysis_exists(criteria)
    if criteria.uses_attributes:
        q &= _attributes_q(criteria)
    return q


def _copied_scope_q(user, criteria: SearchCriteria) -> Q:
    """The contact's scope and initiation range, on a search document's copies.

    The same rule (`contact_scope`) and field names as on contacts. A row whose copies
    are NULL (written before its contact committed) stays a candidate: a copy may only
    narrow what the contact's own conditions allow, never decide."""
    q = contact_scope(user)
    if TIME_TYPES[criteria.time_type] == "initiation_ts":
        q &= _time_q(criteria)
    # `Q() | x` would be `x` alone: nothing to narrow must stay nothing.
    return q | Q(initiation_ts__isnull=True) if q else Q()


def _time_q(criteria: SearchCriteria) -> Q:
    column = TIME_TYPES[criteria.time_type]
    # No start: the whole retention period. It also excludes contacts lacking the timestamp.
    start = criteria.start or timezone.now() - timedelta(days=settings.CONTACT_RETENTION_DAYS)
    q = Q(**{f"{column}__gte": start})
    if criteria.end:
        q &= Q(**{f"{column}__lt": criteria.end})
    return q


def _record_q(criteria: SearchCriteria) -> Q:
    from recordings.models import Recording

    q = Q()
    if criteria.channels:
        q &= Q(channel__in=criteria.channels)
    if criteria.initiation_methods:
        q &= Q(initiation_method__in=criteria.initiation_methods)
    if criteria.disconnect_reasons:
        q &= Q(disconnect_reason__in=criteria.disconnect_reasons)
    if criteria.min_duration is not None:
        q &= Q(duration_seconds__gte=criteria.min_duration)
    if criteria.max_duration is not None:
        q &= Q(duration_seconds__lte=criteria.max_duration)
    if criteria.has_recording is not None:
        available = Exists(Recording.objects.filter(contact_id=OuterRef("pk"), status=Recording.AVAILABLE))
        q &= Q(available) if criteria.has_recording else ~Q(available)
    if criteria.recording_statuses:
        q &= Q(Exists(Recording.objects.filter(contact_id=OuterRef("pk"), status__in=criteria.recording_statuses)))
    return q


def _pks(model, id_field: str, ids: tuple[str, ...]) -> list[int]:
    """Connect ids → our keys up front, so the planner sees constants it can estimate."""
    return list(model.objects.filter(**{f"{id_field}__in": ids}).values_list("pk", flat=True))


def _directory_q(criteria: SearchCriteria) -> Q:
    q = Q()
    if criteria.agent_ids:
        q &= Q(agent_id__in=_pks(Agent, "agent_id", criteria.agent_ids))
    if criteria.queue_ids:
        q &= Q(queue_id__in=_pks(Queue, "queue_id", criteria.queue_ids))
    if criteria.routing_profile_ids:
        q &= Q(routing_profile_id__in=_pks(RoutingProfile, "routing_profile_id", criteria.routing_profile_ids))
    for level, ids in enumerate(criteria.hierarchy, start=1):
        if ids:
            q &= Q(**{f"hierarchy_l{level}__in": ids})
    return q


def _phone_q(criteria: SearchCriteria) -> Q:
    q = Q()
    if criteria.customer_phone:
        q &= Q(customer_phone_hash=phone_form_index(criteria.customer_phone))
    if criteria.system_phone:
        q &= Q(system_phone_hash=phone_form_index(criteria.system_phone))
    return q


# --- Words and phrases ---------------------------------------------------------------


def _weights(roles: tuple[str, ...]) -> str:
    return "".join(sorted({ROLE_WEIGHTS[role] for role in roles}))


def _criterion_sql(criterion: TextCriterion) -> tuple[str, list[str]]:
    weights = _weights(criterion.roles)
    parts, params = [], []
    for term in criterion.terms:
        # A phrase must occur as written; loose words must each occur somewhere.
        words = [term.text] if term.phrase else term.text.split()
        parts.append("(" + " && ".join(["public.portal_fts_query(%s, %s)"] * len(words)) + ")")
        for word in words:
            params += [word, weights]
    joiner = " && " if criterion.match == MATCH_ALL else " || "
    return "(" + joiner.join(parts) + ")", params


def tsquery_sql(criteria: tuple[TextCriterion, ...], match: str) -> tuple[str, list[str]]:
    pieces = [_criterion_sql(c) for c in criteria]
    joiner = " || " if match == MATCH_ANY else " && "
    return "(" + joiner.join(sql for sql, _ in pieces) + ")", [param for _, ps in pieces for param in ps]


def keyword_exists(user, criteria: SearchCriteria, narrowing: Q) -> Exists:
    """Contacts whose transcript text — the text this user may read — matches.

    SECURITY: without unredacted transcript access only REDACTED documents count. With it,
    ORIGINAL documents count too; those exist only for contacts that have no redacted
    analysis, so the original text of a redacted contact is never searchable by anyone.
    """
    sql, params = tsquery_sql(criteria.transcript, criteria.transcript_match)
    docs = TranscriptSearchDoc.objects.filter(narrowing, contact_id=OuterRef("contact_id"))
    if not user.has_connect_permission(p.TRANSCRIPTS_UNREDACTED):
        docs = docs.filter(version=TranscriptSearchDoc.REDACTED)
    return Exists(docs.filter(DocumentMatches(F("document"), sql, tuple(params))))


# --- Contact Lens characteristics ----------------------------------------------------


def _range(q: Q, column: str, low, high) -> Q:
    if low is not None:
        q &= Q(**{f"{column}__gte": low})
    if high is not None:
        q &= Q(**{f"{column}__lte": high})
    return q


def _analysis_conditions(criteria: SearchCriteria) -> Q:
    q = Q()
    if s := criteria.sentiment:
        prefix = "agent" if s.role == "AGENT" else "customer"
        if s.kind == "SHIFT":
            q = _range(q, f"{prefix}_sentiment_begin", s.begin_min, s.begin_max)
            q = _range(q, f"{prefix}_sentiment_end", s.end_min, s.end_max)
        else:
            q = _range(q, f"{prefix}_sentiment", s.min, s.max)
    if nt := criteria.non_talk:
        q = _range(q, "non_talk_ms", nt.min_ms, nt.max_ms)
        q = _range(q, "non_talk_percent", nt.min_percent, nt.max_percent)
    q = _range(q, "interruptions", criteria.interruptions_min, criteria.interruptions_max)
    if c := criteria.categories:
        names = list(c.names)
        if c.match == MATCH_ALL:
            q &= Q(categories__contains=names)
        elif c.match == MATCH_NONE:
            # "None" means analysed contacts without them, not every contact without them.
            q &= ~Q(categories__overlap=names) & (~Q(original_key="") | ~Q(redacted_key=""))
        else:
            q &= Q(categories__overlap=names)
    return q


def _analysis_exists(criteria: SearchCriteria) -> Exists:
    analyses = ContactAnalysis.objects.filter(contact_id=OuterRef("contact_id"))
    return Exists(analyses.filter(_analysis_conditions(criteria)))


# --- Custom attributes ---------------------------------------------------------------


def _attributes_q(criteria: SearchCriteria) -> Q:
    q = Q()
    for item in criteria.attributes:
        hashes = [attribute_blind_index(item.key, value) for value in item.values]
        exists = Q(
            Exists(ContactAttributeIndex.objects.filter(contact_id=OuterRef("pk"), key=item.key, value_hash__in=hashes))
        )
        if not q:
            q = exists
        elif criteria.attributes_match == MATCH_ANY:
            q |= exists
        else:
            q &= exists
    return q
