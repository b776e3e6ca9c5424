"""The search page, its CSV export, column choice, saved searches, and the searchable
attribute settings. Thin: parse, check, call a selector or service, render."""

from __future__ import annotations

from html import escape
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hierarchy.models import Agent
from portal import ratelimit
from portal.accounts import permissions as p
from search.criteria import (
    CriteriaError,
    SearchCriteria,
    SearchPermissionDenied,
    allowed_filters,
    criteria_check_permissions,
    criteria_from_form,
)
from search.filter_chips import clear_query, filter_chips
from search.forms import PAGE_SIZES, PATH_SEPARATOR, AttributeKeyForm, SavedSearchForm, SearchForm
from search.models import SavedSearch, SearchableAttributeKey
from search.selectors import contact_search
from search.selectors.columns import chosen_columns, columns_for, rows_for, table_rows
from search.services import (
    saved_search_create,
    saved_search_delete,
    search_audit,
    search_columns_save,
    search_export_csv,
    searchable_attribute_add,
    searchable_attribute_remove,
)

# Keys that are not part of a search (paging and display), left out of saved queries.
_NOT_CRITERIA = ("page_token", "page_size")


class SearchRefused(Exception):
    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.message, self.status = message, status


def _criteria(request: HttpRequest, form: SearchForm) -> SearchCriteria:
    """The checked criteria of a bound form, or `SearchRefused` with the reason."""
    if form.is_bound and not form.is_valid():
        raise SearchRefused(_("Please correct the search form."), 400)
    try:
        criteria = criteria_from_form(form.cleaned_data) if form.is_bound else SearchCriteria()
        criteria_check_permissions(request.user, criteria)
    except SearchPermissionDenied as error:
        raise SearchRefused(str(error), 403) from None
    except CriteriaError as error:
        raise SearchRefused(error.message, 400) from None
    return criteria


def query_string(params: QueryDict, *, drop: tuple[str, ...] = (), **overrides) -> str:
    kept = {k: v for k, v in params.lists() if k not in drop and k not in overrides and any(v)}
    kept.update({k: [v] for k, v in overrides.items() if v not in (None, "")})
    return urlencode(kept, doseq=True)


def _headers(request: HttpRequest, criteria: SearchCriteria, columns) -> list[dict]:
    """Column headers; a sortable one links to the search sorted by it (toggling the order)."""
    headers = []
    for column in columns:
        if not column.sort:
            headers.append({"column": column})
            continue
        current = criteria.sort_field == column.sort
        order = "ASCENDING" if current and criteria.sort_order == "DESCENDING" else "DESCENDING"
        state = ("descending" if criteria.sort_order == "DESCENDING" else "ascending") if current else "none"
        query = query_string(request.GET, drop=("page_token", "shown"), sort=column.sort, order=order)
        headers.append({"column": column, "query": query, "aria_sort": state})
    return headers


def _shown(request: HttpRequest) -> int:
    """How many rows earlier pages showed (display only; the token decides the rows)."""
    value = request.GET.get("shown", "")
    return int(value) if value.isdigit() else 0


def _results_context(request: HttpRequest, form: SearchForm) -> tuple[dict, int]:
    try:
        criteria = _criteria(request, form)
    except SearchRefused as refused:
        return {"error": refused.message}, refused.status
    cleaned = form.cleaned_data if form.is_bound else {}
    page_size = cleaned.get("page_size") or 25
    token = cleaned.get("page_token") or None
    columns = chosen_columns(request.user)
    try:
        page = contact_search(
            user=request.user, criteria=criteria, page_token=token, page_size=page_size, rows=rows_for(columns)
        )
    except CriteriaError as error:
        return {"error": error.message}, 400
    with transaction.atomic():
        search_audit(
            user=request.user,
            request=request,
            criteria=criteria,
            total=page.total_count,
            capped=page.total_capped,
            via="page",
            continued=bool(token),
        )
    served_before = _shown(request) if token else 0
    return {
        "page": page,
        "rows": table_rows(page.contacts, columns),
        "columns": columns,
        "headers": _headers(request, criteria, columns),
        "first_shown": served_before + 1,
        "last_shown": served_before + len(page.contacts),
        "next_query": query_string(request.GET, page_token=page.next_token, shown=served_before + len(page.contacts))
        if page.next_token
        else "",
        "first_query": query_string(request.GET, drop=("page_token", "shown")) if token else "",
        "chips": filter_chips(form, request.GET),
        "clear_query": clear_query(request.GET),
        "export_query": query_string(request.GET, drop=("page_token", "shown", "page_size")),
        "cap": settings.SEARCH_RESULT_CAP,
        "export_cap": settings.EXPORT_ROW_CAP,
    }, 200


def agent_options(form: SearchForm) -> SafeString:
    """The agent picker's options. Built here, not in a template loop: a contact centre
    has hundreds or thousands of agents, and the loop cost ~18 µs each (Django's own
    escaping, with its lazy-string checks, still ~6 µs)."""
    chosen = set(form["agent"].value() or ())
    agents = Agent.objects.order_by("username").values_list("agent_id", "username")
    # html.escape quotes " and ', so a value is safe inside the double-quoted attribute too.
    return mark_safe(
        "".join(
            f'<option value="{escape(agent_id)}"{" selected" if agent_id in chosen else ""}>{escape(username)}</option>'
            for agent_id, username in agents
        )
    )


def hierarchy_options(form: SearchForm) -> SafeString:
    """The hierarchy picker's options: one checkbox per group, named by its path, in tree
    order. Each submits the level field the search reads (`hierarchy_l1`..`hierarchy_l5`).
    Built here for the same reason as `agent_options`."""
    chosen = form.hierarchy_chosen()
    items = []
    for group in form.hierarchy_groups:
        above = PATH_SEPARATOR.join(group.path[:-1]) + PATH_SEPARATOR if len(group.path) > 1 else ""
        checked = " checked" if group.group_id in chosen else ""
        leaf = group.label.removeprefix(above)
        items.append(
            "<li><label>"
            f'<input type="checkbox" name="hierarchy_l{group.level}" value="{escape(group.group_id)}"{checked}>'
            f' <span class="path"><span class="above">{escape(above)}</span>{escape(leaf)}</span>'
            "</label></li>"
        )
    return mark_safe("".join(items))


@login_required
@require_GET
def search_page(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    context, status = _results_context(request, form)
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "results":
        return render(request, "search/_results.html", context, status=status)
    allowed = allowed_filters(request.user)
    context.update(
        form=form,
        allowed=allowed,
        all_columns=columns_for(request.user),
        chosen_keys=[c.key for c in chosen_columns(request.user)],
        saved_searches=SavedSearch.objects.filter(user=request.user),
        saved_form=SavedSearchForm(initial={"query": query_string(request.GET, drop=(*_NOT_CRITERIA, "shown"))}),
        current_query=query_string(request.GET, drop=("page_token", "shown")),
        page_sizes=PAGE_SIZES,
        agent_options=agent_options(form) if allowed["agents"] else "",
        hierarchy_options=hierarchy_options(form),
        more_filters_open=_more_filters_used(request.GET),
    )
    return render(request, "search/search.html", context, status=status)


@login_required
@require_GET
def export_csv(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    try:
        criteria = _criteria(request, form)
    except SearchRefused as refused:
        return HttpResponse(refused.message, status=refused.status, content_type="text/plain; charset=utf-8")
    try:
        with ratelimit.export_slot(request.user), transaction.atomic():
            content = search_export_csv(
                user=request.user, request=request, criteria=criteria, columns=chosen_columns(request.user)
            )
    except ratelimit.Throttled as busy:
        response = HttpResponse(busy.message, status=429, content_type="text/plain; charset=utf-8")
        response["Retry-After"] = str(busy.retry_after)
        return response
    except CriteriaError as error:  # e.g. the export ran out of time
        return HttpResponse(error.message, status=error.status, content_type="text/plain; charset=utf-8")
    # A byte-order mark, so spreadsheet programs read Japanese text as UTF-8.
    response = HttpResponse("\ufeff" + content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="contacts.csv"'
    return response


# Filters behind "More filters": the section opens when one of them is in use.
_MORE_FILTERS = (
    "contact_id", "initiation_method", "disconnect_reason", "routing_profile", "customer_phone", "system_phone",
    "min_duration", "max_duration", "has_recording", "recording_status", "non_talk_min_seconds",
    "non_talk_max_seconds", "non_talk_min_percent", "non_talk_max_percent", "interruptions_min", "interruptions_max",
    "attr_key_1", "attr_key_2", "attr_key_3",
)  # fmt: skip


def _more_filters_used(params: QueryDict) -> bool:
    return any(v.strip() for name in _MORE_FILTERS for v in params.getlist(name))


def clean_query(query: str) -> str:
    """A search query string, re-encoded: only ever parameters of our own page."""
    return QueryDict(query).urlencode()[:8000]


def _back_to_search(query: str) -> HttpResponseRedirect:
    query = clean_query(query)
    return HttpResponseRedirect("/?" + query if query else "/")


@login_required
@require_POST
def columns_save(request: HttpRequest) -> HttpResponse:
    allowed = {c.key for c in columns_for(request.user)}
    chosen = [key for key in request.POST.getlist("columns") if key in allowed]
    if chosen:
        search_columns_save(user=request.user, columns=chosen)
    return _back_to_search(request.POST.get("query", ""))


@login_required
@require_POST
def saved_search_add(request: HttpRequest) -> HttpResponse:
    form = SavedSearchForm(request.POST)
    if form.is_valid():
        query = clean_query(form.cleaned_data["query"])
        saved_search_create(user=request.user, name=form.cleaned_data["name"], query=query)
        messages.success(request, _("Search saved."))
    else:
        messages.error(request, _("Give the search a name to save it."))
    return _back_to_search(request.POST.get("query", ""))


@login_required
@require_POST
def saved_search_remove(request: HttpRequest, saved_search_id: int) -> HttpResponse:
    if saved_search_delete(user=request.user, saved_search_id=saved_search_id):
        messages.success(request, _("Saved search deleted."))
    return _back_to_search("")


@login_required
@require_http_methods(["GET", "POST"])
def attribute_settings(request: HttpRequest) -> HttpResponse:
    if not request.user.has_connect_permission(p.CONFIGURE_ATTRIBUTES):
        raise PermissionDenied(
            _("This page needs the %(permission)s permission.") % {"permission": p.CONFIGURE_ATTRIBUTES}
        )
    form = AttributeKeyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        key = form.cleaned_data["key"]
        if request.POST.get("action") == "remove":
            searchable_attribute_remove(key=key, actor=request.user, request=request)
            messages.success(request, _("%(key)s is no longer searchable.") % {"key": key})
        else:
            searchable_attribute_add(key=key, actor=request.user, request=request)
            messages.success(request, _("%(key)s is now searchable.") % {"key": key})
        return HttpResponseRedirect(request.path)
    keys = SearchableAttributeKey.objects.all()
    return render(request, "search/attribute_settings.html", {"form": form, "keys": keys})
