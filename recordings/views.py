"""The contact detail page, the deletion confirmation and the legal-hold toggle.

SECURITY: each view starts with `selectors.contact_or_404` (the access rule's
`contact_for_user_or_404`); the audio itself is served
by `recordings.api.audio`, which repeats the check on every request.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from portal.db import statement_time_limit
from portal.worker_presence import workers_present
from recordings import charts, policy, presenters, selectors, services, storage
from recordings.models import ORIGINAL, REDACTED
from redaction.selectors import redaction_provenance


@login_required
@require_http_methods(["GET", "POST"])
@statement_time_limit("CONTACT_STATEMENT_TIMEOUT_MS")
def contact_detail(request: HttpRequest, contact_id: str) -> HttpResponse:
    """GET shows the page; POST (with a reason) shows it with the original transcript."""
    contact = selectors.contact_or_404(request.user, contact_id)
    wants_original = request.method == "POST" and request.POST.get("transcript") == "original"
    reason = request.POST.get("reason", "") if wants_original else ""
    context = _page(request, contact)
    context.update(_transcript(request, contact, context["state"], ORIGINAL if wants_original else None, reason))
    services.contact_view_record(contact=contact, user=request.user, request=request)
    return render(request, "recordings/contact_detail.html", context)


def _page(request: HttpRequest, contact) -> dict:
    user = request.user
    granted = user.connect_permissions
    recording = selectors.recording_for(contact)
    state = selectors.media_state(contact)
    analytics = selectors.analytics_for(selectors.analysis_for(contact), user)
    return {
        "contact": contact,
        "recording": recording,
        "notice": presenters.recording_notice(contact, recording, state, granted),
        "state": state,
        "phones": selectors.phone_numbers(contact),
        "attributes": selectors.attributes_for(contact, user),
        "analytics": analytics,
        "chart": _chart(analytics),
        "neighbours": selectors.visible_neighbours(contact, user),
        "player": _player(granted, state),
        "redaction": redaction_provenance(selectors.analysis_for(contact)),
        "downloads": policy.downloadable_versions(granted, state),
        "transcript_downloads": [
            v for v in policy.readable_transcripts(granted, state) if policy.transcript_download_allowed(granted, v)
        ],
        "can_delete": policy.may_delete(granted),
        "can_hold": policy.may_manage_legal_hold(granted),
        "may_hear_any": policy.may_hear_any(granted),
        "player_strings": _player_strings(),
        # Only asked while a deletion waits on a worker: one cache read.
        "workers_absent": recording is not None and recording.status == "DELETING" and not workers_present(),
    }


def _player_strings() -> dict[str, str]:
    return {
        "queued": _("Waiting for a recording worker…"),
        "running": _("Fetching the recording from storage…"),
        "ready": _("Ready."),
        "failed": _("The recording could not be fetched."),
        "unreachable": _("The portal could not be reached; check your connection and try again."),
        "expired": _("The audio link expired; getting a fresh one…"),
        "play": _("Play"),
        "pause": _("Pause"),
        "noAudioContext": _("This browser cannot split the channels; playing both."),
        "REDACTED": _("Redacted recording"),
        "ORIGINAL": _("Original (unredacted) recording"),
    }


def _chart(analytics: dict | None) -> dict | None:
    if not analytics:
        return None
    return charts.sentiment_quarters(
        analytics["agent_quarters"],
        analytics["customer_quarters"],
        agent_label=_("Agent"),
        customer_label=_("Customer"),
    )


def _player(granted, state: policy.MediaState) -> dict:
    playable = policy.playable_versions(granted, state)
    return {
        "redacted": REDACTED in playable,
        "original": ORIGINAL in playable,
        "any": bool(playable),
    }


def _transcript(request: HttpRequest, contact, state: policy.MediaState, asked: str | None, reason: str) -> dict:
    granted = request.user.connect_permissions
    version = asked or policy.default_transcript_version(granted, state)
    result, error = None, ""
    if version is not None:
        try:
            result = services.transcript_read(
                contact=contact, user=request.user, version=version, reason=reason, request=request
            )
        except policy.Denied as denied:
            error = denied.message
        except storage.StorageError:
            error = _("The original transcript could not be read from storage; try again later.")
    return {
        "transcript": result,
        "transcript_error": error,
        "transcript_state": policy.transcript_state(granted, state, REDACTED),
        "can_read_original": ORIGINAL in policy.readable_transcripts(granted, state),
        "showing_original": result is not None and result.version == ORIGINAL,
    }


@login_required
@require_http_methods(["GET", "POST"])
def recording_delete(request: HttpRequest, contact_id: str) -> HttpResponse:
    contact = selectors.contact_or_404(request.user, contact_id)
    if not policy.may_delete(request.user.connect_permissions):
        raise PermissionDenied(_("Deleting recordings needs the DeleteCallRecordings permission."))
    recording = selectors.recording_for(contact)
    if request.method == "POST":
        try:
            services.recording_delete_request(
                contact=contact, user=request.user, reason=request.POST.get("reason", ""), request=request
            )
        except services.DeletionRefused as refused:
            messages.error(request, refused.message)
            return redirect(reverse("recording-delete", args=[contact.contact_id]))
        messages.success(request, _("Deletion started. The page shows when every copy is gone."))
        return redirect(reverse("contact-detail", args=[contact.contact_id]))
    context = {"contact": contact, "recording": recording, "phones": selectors.phone_numbers(contact)}
    return render(request, "recordings/delete_confirm.html", context)


@login_required
@require_POST
def legal_hold(request: HttpRequest, contact_id: str) -> HttpResponse:
    contact = selectors.contact_or_404(request.user, contact_id)
    if not policy.may_manage_legal_hold(request.user.connect_permissions):
        raise PermissionDenied(_("Legal holds need the DeleteCallRecordings permission."))
    reason = request.POST.get("reason", "")
    try:
        if request.POST.get("action") == "clear":
            services.legal_hold_clear(contact=contact, user=request.user, reason=reason, request=request)
            messages.success(request, _("Legal hold cleared."))
        else:
            services.legal_hold_set(contact=contact, user=request.user, reason=reason, request=request)
            messages.success(request, _("Legal hold set: this recording cannot be deleted."))
    except services.DeletionRefused as refused:
        messages.error(request, refused.message)
    return redirect(reverse("contact-detail", args=[contact.contact_id]))
