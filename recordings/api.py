"""JSON API for one contact: detail, transcript, recording fetch jobs, audio, downloads, deletion.

SECURITY: every endpoint reaches its contact through `selectors.contact_or_404` or its
lighter twin `playable_contact_or_404` (both are `hierarchy.access.contact_for_user_or_404`),
so a contact outside the caller's scope is a 404 exactly like a missing one; 403 is only
for a visible contact and a missing permission.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.utils.translation import gettext as _

from portal.accounts import permissions as p
from portal.api import ACCESS_DENIED, INVALID_REQUEST, NOT_FOUND, ApiError, api_view, json_body, require_permission
from recordings import audio_cache, job_events, policy, ranges, selectors, services, storage
from recordings.audio_tokens import audio_url, read_audio_token
from recordings.models import Recording, RecordingFetchJob
from recordings.presenters import contact_document, iso

CONFLICT = "ResourceConflictException"
UNAVAILABLE = "ServiceUnavailableException"
MAX_WAIT_SECONDS = 10.0


def _denied(error: policy.Denied) -> ApiError:
    if error.code == policy.FORBIDDEN:
        return ApiError(ACCESS_DENIED, error.message, 403)
    if error.code == policy.UNAVAILABLE:
        # A well-formed request for a version that does not exist (or no longer): the
        # message says why, as for a missing contact.
        return ApiError(NOT_FOUND, error.message, 404)
    return ApiError(INVALID_REQUEST, error.message, 400)


def _storage_failed(error: storage.StorageError) -> ApiError:
    if isinstance(error, storage.ObjectMissing):
        return ApiError(NOT_FOUND, _(services.NOT_IN_STORAGE), 404)
    return ApiError(UNAVAILABLE, _("Storage could not be reached; try again later."), 503)


def _version(value: str | None) -> str:
    try:
        return policy.parse_version(value, default="REDACTED")
    except policy.Denied as error:
        raise _denied(error) from None


@api_view(["GET"])
def contact_detail(request: HttpRequest, contact_id: str) -> HttpResponse:
    contact = selectors.contact_or_404(request.user, contact_id)
    services.contact_view_record(contact=contact, user=request.user, request=request)
    return JsonResponse({"Contact": contact_document(contact, request.user)})


@api_view(["GET"])
def transcript(request: HttpRequest, contact_id: str) -> HttpResponse:
    contact = selectors.contact_or_404(request.user, contact_id)
    version = _version(request.GET.get("version"))
    try:
        result = services.transcript_read(
            contact=contact, user=request.user, version=version, reason=request.GET.get("reason", ""), request=request
        )
    except policy.Denied as error:
        raise _denied(error) from None
    except storage.StorageError as error:
        raise _storage_failed(error) from None
    return JsonResponse(_transcript_body(contact.contact_id, result))


def _transcript_body(contact_id: str, result: services.Transcript) -> dict[str, Any]:
    body = {"ContactId": contact_id, "Version": result.version, "State": result.state, "Transcript": result.turns}
    if result.redaction is not None:
        body["RedactedBy"] = result.redaction.as_json()
    return body


@api_view(["GET"])
def transcript_download(request: HttpRequest, contact_id: str) -> HttpResponse:
    contact = selectors.contact_or_404(request.user, contact_id)
    version = _version(request.GET.get("version"))
    try:
        result = services.transcript_download(
            contact=contact, user=request.user, version=version, reason=request.GET.get("reason", ""), request=request
        )
    except policy.Denied as error:
        raise _denied(error) from None
    except storage.StorageError as error:
        raise _storage_failed(error) from None
    body = json.dumps(_transcript_body(contact.contact_id, result), ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{contact.contact_id}.json"'
    return response


@api_view(["POST"])
def recording_fetch(request: HttpRequest, contact_id: str) -> HttpResponse:
    contact = selectors.playable_contact_or_404(request.user, contact_id)
    body = json_body(request)
    version = _version(body.get("Version"))
    try:
        job = services.recording_fetch_request(
            contact=contact, user=request.user, version=version, reason=str(body.get("Reason") or ""), request=request
        )
    except policy.Denied as error:
        raise _denied(error) from None
    # "Wait" (seconds, optional) answers as soon as the fetch is done, saving a poll.
    job = _wait_for_change(job, _seconds(body.get("Wait", 0)))
    return JsonResponse({"JobId": str(job.pk), **_job_body(job, request.user)}, status=202)


def _job_body(job: RecordingFetchJob, user) -> dict[str, Any]:
    status, message = job.status, services.job_message(job)
    url = None
    if status == RecordingFetchJob.READY:
        if audio_cache.cache_path(job.contact.contact_id, job.version).is_file():
            url = audio_url(user=user, job=job)
        else:
            status, message = RecordingFetchJob.FAILED, _(services.EXPIRED)
    return {
        "Status": status,
        "Message": message,
        "AudioUrl": url,
        "Version": job.version,
        "BytesDone": job.bytes_done,
        "BytesTotal": job.bytes_total,
    }


@api_view(["GET"])
def recording_job(request: HttpRequest, job_id: str) -> HttpResponse:
    job = selectors.job_for_requester(request.user, job_id)
    no_such_job = ApiError(NOT_FOUND, _("No such recording job."), 404)
    if job is None:
        raise no_such_job
    # SECURITY: the user may have lost sight of the contact or the permission since asking;
    # a job whose contact left their scope answers exactly like a job that never existed.
    try:
        contact = selectors.playable_contact_or_404(request.user, job.contact.contact_id)
    except Http404:
        raise no_such_job from None
    try:
        policy.check_hear(request.user.connect_permissions, selectors.media_state(contact), job.version)
    except policy.Denied as error:
        if error.code == policy.FORBIDDEN:
            raise _denied(error) from None
    job = _wait_for_change(job, _seconds(request.GET.get("wait")))
    return JsonResponse({"JobId": str(job.pk), **_job_body(job, request.user)})


def _seconds(value) -> float:
    try:
        return max(0.0, min(MAX_WAIT_SECONDS, float(value or 0)))
    except (TypeError, ValueError):
        raise ApiError(INVALID_REQUEST, _("Wait must be a number of seconds."), 400) from None


def _wait_for_change(job: RecordingFetchJob, seconds: float) -> RecordingFetchJob:
    """Long polling: answer as soon as the job is finished, or after `seconds`."""
    if not seconds or job.status not in (RecordingFetchJob.QUEUED, RecordingFetchJob.RUNNING):
        return job

    def pending() -> bool:
        return RecordingFetchJob.objects.filter(
            pk=job.pk, status__in=[RecordingFetchJob.QUEUED, RecordingFetchJob.RUNNING]
        ).exists()

    job_events.wait_for_job(job.pk, seconds, pending)
    job.refresh_from_db(fields=["status", "message", "bytes_done", "bytes_total", "finished_at", "updated_at"])
    return job


@api_view(["GET"])
def audio(request: HttpRequest, token: str) -> HttpResponse:
    grant = read_audio_token(token, user=request.user)
    if grant is None:
        raise ApiError(NOT_FOUND, _("This audio link is not valid (it may have expired)."), 404)
    # SECURITY: the signed link saves lookups; it never replaces the access check.
    contact = selectors.contact_or_404(request.user, grant.contact_id)
    try:
        policy.check_hear(request.user.connect_permissions, selectors.media_state(contact), grant.version)
    except policy.Denied as error:
        raise _denied(error) from None
    # Only complete, validated files carry the final name, so existence means "ready".
    path = audio_cache.cache_path(contact.contact_id, grant.version)
    if not path.is_file():
        raise ApiError(NOT_FOUND, _(services.EXPIRED), 404)
    return ranges.file_response(request, path, content_type="audio/wav")


@api_view(["GET"])
def recording_download(request: HttpRequest, contact_id: str) -> HttpResponse:
    contact = selectors.contact_or_404(request.user, contact_id)
    version = _version(request.GET.get("version"))
    try:
        download = services.recording_download(
            contact=contact, user=request.user, version=version, reason=request.GET.get("reason", ""), request=request
        )
    except policy.Denied as error:
        raise _denied(error) from None
    except storage.StorageError as error:
        raise _storage_failed(error) from None
    filename = f"{contact.contact_id}.wav"
    if download.handle is not None:
        return FileResponse(download.handle, as_attachment=True, filename=filename, content_type="audio/wav")
    response = StreamingHttpResponse(download.chunks, content_type="audio/wav")
    response["Content-Length"] = str(download.size)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@api_view(["GET", "DELETE"])
def recording(request: HttpRequest, contact_id: str) -> HttpResponse:
    contact = selectors.contact_or_404(request.user, contact_id)
    if request.method == "GET":
        return JsonResponse(_recording_body(selectors.recording_for(contact)))
    require_permission(request.user, p.DELETE_RECORDINGS)
    body = json_body(request)
    try:
        current = services.recording_delete_request(
            contact=contact, user=request.user, reason=str(body.get("Reason") or ""), request=request
        )
    except services.DeletionRefused as error:
        if error.code == services.DeletionRefused.LEGAL_HOLD:
            raise ApiError(CONFLICT, error.message, 409) from None
        if error.code == services.DeletionRefused.QUEUE_UNAVAILABLE:
            raise ApiError(UNAVAILABLE, error.message, 503) from None
        raise ApiError(INVALID_REQUEST, error.message, 400) from None
    return JsonResponse(_recording_body(current), status=200 if current.status == Recording.DELETED else 202)


def _recording_body(recording: Recording | None) -> dict[str, Any]:
    if recording is None:
        return {"Status": None}
    body: dict[str, Any] = {"Status": recording.status}
    if recording.status != Recording.AVAILABLE:
        body.update(
            {
                "DeletionReason": recording.deletion_reason,
                "DeletedBy": recording.deleted_by.username if recording.deleted_by else None,
                "DeletionRequestedAt": iso(recording.deletion_requested_at),
                "DeletedAt": iso(recording.deleted_at),
                "Message": _(recording.deletion_message) if recording.deletion_message else "",
            }
        )
    return body
