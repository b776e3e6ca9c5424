"""The erasure pages: the request, the plan with its typed confirmation, the progress
and the certificate.

SECURITY: every view needs DeleteCallRecordings (and so a second factor, which the
MFA middleware demands of its holders); the contacts touched are those the user may
see (`Contact.objects.visible_to`), and an erasure is shown only to its requester
(`selectors.erasure_for_user_or_404`).
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from erasure import presenters, selectors, services
from erasure.forms import CONFIRMATION_WORD, ErasureConfirmForm, ErasureForm
from erasure.models import Erasure
from recordings import policy


def _require_delete_permission(request: HttpRequest) -> None:
    if not policy.may_delete(request.user.connect_permissions):
        raise PermissionDenied(_("Erasing a customer needs the DeleteCallRecordings permission."))


@login_required
@require_GET
def erasure_list(request: HttpRequest) -> HttpResponse:
    _require_delete_permission(request)
    context = {"form": ErasureForm(), "erasures": selectors.erasures_for_user(user=request.user)}
    return render(request, "erasure/erasure_list.html", context)


@login_required
@require_POST
def erasure_plan(request: HttpRequest) -> HttpResponse:
    """First step: what would be erased, before anything is touched."""
    _require_delete_permission(request)
    form = ErasureForm(request.POST)
    phone_hash = selectors.erasure_phone_index(phone=request.POST.get("phone", "")) if form.is_valid() else None
    if phone_hash is None:
        if form.is_valid():
            form.add_error("phone", _("Enter the customer's phone number."))
        context = {"form": form, "erasures": selectors.erasures_for_user(user=request.user)}
        return render(request, "erasure/erasure_list.html", context, status=400)
    plan = selectors.erasure_plan(user=request.user, phone_hash=phone_hash)
    confirm = ErasureConfirmForm(initial=form.cleaned_data)
    return render(request, "erasure/erasure_plan.html", {"plan": plan, "form": confirm, "word": CONFIRMATION_WORD})


@login_required
@require_POST
def erasure_start(request: HttpRequest) -> HttpResponse:
    """Second step: the typed confirmation, then the erasure starts."""
    _require_delete_permission(request)
    form = ErasureConfirmForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(reverse("erasure-list"))
    try:
        erasure = services.erasure_create(
            user=request.user, phone=form.cleaned_data["phone"], reason=form.cleaned_data["reason"], request=request
        )
    except services.ErasureRefused as refused:
        messages.error(request, refused.message)
        return redirect(reverse("erasure-list"))
    messages.success(request, _("Erasure started. This page shows its progress."))
    return redirect(reverse("erasure-detail", args=[erasure.pk]))


@login_required
@require_GET
def erasure_detail(request: HttpRequest, erasure_id: str) -> HttpResponse:
    _require_delete_permission(request)
    erasure = selectors.erasure_for_user_or_404(user=request.user, erasure_id=erasure_id)
    context = {
        "erasure": erasure,
        "progress": selectors.erasure_progress(erasure=erasure),
        "certificate": presenters.certificate(erasure=erasure),
        "running": erasure.status == Erasure.RUNNING,
    }
    return render(request, "erasure/erasure_detail.html", context)


@login_required
@require_GET
def erasure_certificate(request: HttpRequest, erasure_id: str, fmt: str) -> HttpResponse:
    _require_delete_permission(request)
    erasure = selectors.erasure_for_user_or_404(user=request.user, erasure_id=erasure_id)
    certificate = presenters.certificate(erasure=erasure)
    if certificate is None:
        raise PermissionDenied(_("The certificate is issued when the erasure is done."))
    name = f"erasure-{erasure.pk}.{fmt}"
    if fmt == "csv":
        response = HttpResponse(selectors.erasure_certificate_csv(certificate=certificate), content_type="text/csv")
    else:
        body = json.dumps(certificate, ensure_ascii=False, indent=2)
        response = HttpResponse(body, content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
