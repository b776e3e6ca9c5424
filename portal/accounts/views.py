"""The user's own page: preferences and API tokens."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.accounts.forms import PreferencesForm, TokenForm
from portal.accounts.mfa import mfa_enrolled, mfa_required
from portal.accounts.services import api_token_issue, api_token_withdraw, user_preferences_update


def _render(request: HttpRequest, *, preferences=None, token_form=None, new_token: str = "") -> HttpResponse:
    user = request.user
    context = {
        "preferences": preferences or PreferencesForm(initial={"time_zone": user.time_zone, "language": user.language}),
        "token_form": token_form or TokenForm(),
        "tokens": user.api_tokens.all(),
        "new_token": new_token,
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
