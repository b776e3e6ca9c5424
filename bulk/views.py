"""The bulk-action pages: the confirmation form over a search's results, the job page,
and the zip download. Thin: read the search from the query string, call one service.

SECURITY: the contacts are the user's own search results (`bulk.selectors`); a job page
answers 404 to anyone but the user who started the job.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from bulk import archive, selectors, services
from bulk.models import BulkAction, BulkActionItem
from recordings import policy
from search.criteria import (
    CriteriaError,
    SearchCriteria,
    SearchPermissionDenied,
    criteria_check_permissions,
    criteria_from_form,
)
from search.filter_chips import filter_chips
from search.forms import SearchForm
from search.views import query_string

_STATUS = {services.BulkRefused.FORBIDDEN: 403, services.BulkRefused.INVALID: 400,
           services.BulkRefused.CONFLICT: 400, services.BulkRefused.UNAVAILABLE: 503}  # fmt: skip


ACTION_LABELS = {
    BulkAction.SET_LEGAL_HOLD: gettext_lazy("Set legal hold"),
    BulkAction.CLEAR_LEGAL_HOLD: gettext_lazy("Clear legal hold"),
    BulkAction.DELETE_RECORDINGS: gettext_lazy("Delete recordings"),
}
OUTCOME_LABELS = {
    BulkActionItem.DELETED: gettext_lazy("Deleted"),
    BulkActionItem.HELD: gettext_lazy("Skipped: legal hold"),
    BulkActionItem.NO_RECORDING: gettext_lazy("Skipped: no recording"),
    BulkActionItem.ALREADY_DELETED: gettext_lazy("Skipped: already deleted"),
    BulkActionItem.HOLD_SET: gettext_lazy("Legal hold set"),
    BulkActionItem.HOLD_CLEARED: gettext_lazy("Legal hold cleared"),
    BulkActionItem.FAILED: gettext_lazy("Failed"),
}
STATUS_LABELS = {
    BulkAction.QUEUED: gettext_lazy("Waiting for a worker"),
    BulkAction.RUNNING: gettext_lazy("Running"),
    BulkAction.DONE: gettext_lazy("Done"),
    BulkAction.FAILED: gettext_lazy("Stopped"),
}


class _Refused(Exception):
    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.message, self.status = message, status


def _criteria(request: HttpRequest) -> tuple[SearchForm, SearchCriteria]:
    """The search of the query string, read as the search page reads it."""
    form = SearchForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        raise _Refused(_("Please correct the search form."), 400)
    try:
        criteria = criteria_from_form(form.cleaned_data) if form.is_bound else SearchCriteria()
    except CriteriaError as error:
        raise _Refused(error.message, 400) from None
    return form, criteria


def _call(service, **kwargs):
    try:
        return service(**kwargs)
    except services.BulkRefused as refused:
        raise _Refused(refused.message, _STATUS[refused.code]) from None
    except SearchPermissionDenied as error:
        raise _Refused(str(error), 403) from None
    except CriteriaError as error:
        raise _Refused(error.message, error.status) from None


def _page(request: HttpRequest, *, error: str = "", status: int = 200) -> HttpResponse:
    granted = request.user.connect_permissions
    context = {
        "error": error,
        "query": query_string(request.GET, drop=("page_token", "shown", "page_size")),
        "limit": selectors.bulk_limit(),
        "can_hold": policy.may_manage_legal_hold(granted),
        "can_delete": policy.may_delete(granted),
        "can_download": _may_download(request.user),
        "count": None,
        "over": False,
    }
    try:
        form, criteria = _criteria(request)
        context["chips"] = filter_chips(form, request.GET)
        _call(criteria_check_permissions, user=request.user, criteria=criteria)
        context["count"], context["over"] = _call(selectors.bulk_count, user=request.user, criteria=criteria)
    except _Refused as refused:
        context["error"] = error or refused.message
        status = status if error else refused.status
    return render(request, "bulk/start.html", context, status=status)


def _may_download(user) -> bool:
    try:
        archive.bulk_zip_check(user=user)
    except services.BulkRefused:
        return False
    return True


@login_required
@require_GET
def bulk_start(request: HttpRequest) -> HttpResponse:
    return _page(request)


@login_required
@require_POST
def bulk_action_create(request: HttpRequest) -> HttpResponse:
    action = request.POST.get("action", "")
    if action not in dict(BulkAction.ACTIONS):
        return _page(request, error=_("Choose an action."), status=400)
    try:
        _form, criteria = _criteria(request)
        job = _call(
            services.bulk_action_start, user=request.user, action=action, criteria=criteria,
            reason=request.POST.get("reason", ""), expected_count=request.POST.get("confirm", ""), request=request,
        )  # fmt: skip
    except _Refused as refused:
        return _page(request, error=refused.message, status=refused.status)
    return redirect("bulk-action-detail", bulk_action_id=job.pk)


@login_required
@require_POST
def bulk_download(request: HttpRequest) -> HttpResponse:
    try:
        _form, criteria = _criteria(request)
        result = _call(
            archive.bulk_zip_start, user=request.user, criteria=criteria, reason=request.POST.get("reason", ""),
            expected_count=request.POST.get("confirm", ""), request=request,
        )  # fmt: skip
    except _Refused as refused:
        return _page(request, error=refused.message, status=refused.status)
    response = StreamingHttpResponse(result.chunks, content_type="application/zip")
    response["Content-Disposition"] = 'attachment; filename="contacts.zip"'
    return response


@login_required
@require_GET
def bulk_action_detail(request: HttpRequest, bulk_action_id: str) -> HttpResponse:
    job = selectors.bulk_action_for_user(request.user, bulk_action_id)
    if job is None:
        raise Http404("No such bulk action")
    progress = selectors.bulk_progress(job)
    context = {
        "job": job,
        "action_label": ACTION_LABELS[job.action],
        "progress": progress,
        "outcomes": [(OUTCOME_LABELS.get(code, code), count) for code, count in sorted(progress.outcomes.items())],
        "items": [
            (item.contact_id, OUTCOME_LABELS.get(item.outcome, _("Waiting")), _(item.detail) if item.detail else "")
            for item in selectors.bulk_items(job, limit=1000)
        ],
        "status_label": STATUS_LABELS[job.status],
        "message": _(job.message) if job.message else "",
        "running": job.status in (BulkAction.QUEUED, BulkAction.RUNNING),
    }
    return render(request, "bulk/detail.html", context)
