"""A service the portal needs stopped answering: say which, in a sentence, with a 503.

Each client already gives up within its bounded wait (see the timeouts in settings);
this turns the error it raises into a page a user can act on, or an error in Connect's
shape for the API, instead of a server error. Two doors, because Django reaches them
differently: `ServiceUnavailableMiddleware` for errors raised in a view, and
`server_error` (the project's handler500) for errors raised before the view, such as a
session read from a database that just went away.

The page is rendered without the request's context processors: they would ask the
same unavailable database (for the user and their permissions) again.
"""

from __future__ import annotations

import sys

import kombu.exceptions
import redis.exceptions
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from portal.db import is_statement_timeout

RETRY_AFTER_SECONDS = 30

DATABASE_DOWN = gettext_noop(
    "The portal's database is not answering right now. Nothing you did was lost; try again in a minute."
)
CACHE_DOWN = gettext_noop(
    "Signing in and other checks that use the portal's cache (Redis) are unavailable right now, because it is not "
    "answering. Try again in a minute; if this lasts, tell your administrator."
)
QUEUE_DOWN = gettext_noop(
    "The portal's job queue is not answering right now, so this cannot be started. Search still works; try again "
    "in a minute."
)
SERVER_ERROR = gettext_noop("Something went wrong on our side. It has been logged; try again, or tell your administrator.")


def unavailable_message(error: BaseException | None) -> str | None:
    """Which service failed, as an untranslated sentence; None for any other error."""
    if isinstance(error, OperationalError | InterfaceError) and not is_statement_timeout(error):
        return DATABASE_DOWN
    if isinstance(error, redis.exceptions.ConnectionError | redis.exceptions.TimeoutError):
        return CACHE_DOWN
    if isinstance(error, kombu.exceptions.OperationalError):
        return QUEUE_DOWN
    return None


def _answer(request: HttpRequest, message: str, status: int) -> HttpResponse:
    if request.path.startswith("/api/"):
        from portal.api import api_error

        response = api_error("ServiceUnavailableException" if status == 503 else "InternalServerException",
                             _(message), status)  # fmt: skip
    else:
        page = render_to_string("portal/unavailable.html", {"message": _(message), "status": status})
        response = HttpResponse(page, status=status)
    if status == 503:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class ServiceUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        message = unavailable_message(exception)
        return _answer(request, message, 503) if message else None


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: a named outage where there is one, a plain apology otherwise; no trace."""
    message = unavailable_message(sys.exc_info()[1])
    return _answer(request, message, 503) if message else _answer(request, SERVER_ERROR, 500)
