"""The user's own page: preferences, API tokens and API access keys."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.accounts.forms import AccessKeyForm, PreferencesForm, TokenForm
from portal.accounts.mfa import mfa_enrolled, mfa_required
from portal.accounts.services import (
    access_key_issue,
    access_key_withdraw,
    api_token_issue,
    api_token_withdraw,
    user_preferences_update,
)


def _render(
    request: HttpRequest, *, preferences=None, token_form=None, new_token: str = "", key_form=None, new_key=None
) -> HttpResponse:
    user = request.user
    context = {
        "preferences": preferences or PreferencesForm(initial={"time_zone": user.time_zone, "language": user.language}),
        "token_form": token_form or TokenForm(),
        "tokens": user.api_tokens.all(),
        "new_token": new_token,
        "key_form": key_form or AccessKeyForm(),
        "access_keys": user.access_keys.all(),
        "new_key": new_key,
        "mfa_enrolled": mfa_enrolled(user),
        "mfa_required": mfa_required(user),
        "profiles": user.security_profiles.all(),
    }
    return render(request, "accounts/profile.html", context)


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _render(request)
    form = PreferencesForm(request.POST)
    if not form.is_valid():
        return _render(request, preferences=form)
    user_preferences_update(user=request.user, **form.cleaned_data)
    request.session["portal_language"] = form.cleaned_data["language"]
    messages.success(request, _("Your preferences are saved."))
    return redirect("account_profile")


@login_required
@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST)
    if not form.is_valid():
        return _render(request, token_form=form)
    token = api_token_issue(user=request.user, name=form.cleaned_data["name"], request=request)
    # Rendered, not redirected: the token is shown this once and never stored in clear.
    return _render(request, new_token=token)


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    if api_token_withdraw(user=request.user, token_id=token_id, request=request):
        messages.success(request, _("The token is revoked."))
    return redirect("account_profile")


@login_required
@require_POST
def access_key_create(request: HttpRequest) -> HttpResponse:
    form = AccessKeyForm(request.POST)
    if not form.is_valid():
        return _render(request, key_form=form)
    issued = access_key_issue(user=request.user, expires_at=form.expires_at(), request=request)
    # Rendered, not redirected: the secret is shown this once and never stored in clear.
    return _render(request, new_key=issued)


@login_required
@require_POST
def access_key_revoke(request: HttpRequest, access_key_id: str) -> HttpResponse:
    if access_key_withdraw(access_key_id=access_key_id, user=request.user, request=request):
        messages.success(request, _("The access key is revoked."))
    return redirect("account_profile")
