"""Every door of the portal, for every kind of caller, with no leak through any of them.

`DOORS` is the one table: a row per URL pattern of the resolver (named by its URL name
where that is unique, else by its route), saying how to call it and which status each
persona gets. A pattern the table does not name fails `test_every_url_pattern_has_a_row`,
so a new page or endpoint cannot ship without its row.

For a door that names an object, each persona calls it three times: with an object in
their scope, one outside it, and one that does not exist. Outside and missing must
answer alike (same status, same bytes once the requested id and per-request tokens are
masked), and no response may carry what the access rule keeps from that persona: the
out-of-scope contact's id, attribute value, phone digits, transcript words or audio,
nor, on contacts it does see, attributes or original transcripts its permissions withhold.
A refused response carries no contact data and no audio at all.

Every request runs in a savepoint that is rolled back afterwards, so doors that write
(deletions, revocations, legal holds) leave the world as it was for the next caller.
"""

from __future__ import annotations

import functools
import json
import logging
import re
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from types import SimpleNamespace

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount, SocialApp
from django.conf import settings as django_settings
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from bulk.models import BulkAction
from erasure.models import Erasure
from hierarchy.models import HierarchyGroup
from portal import crypto
from portal.accounts import permissions as p
from portal.accounts.access_keys import access_key_create
from portal.accounts.models import AccessKey, ApiToken, SecurityProfile
from portal.accounts.tokens import token_create
from portal.audit.models import AuditEvent
from recordings import audio_cache, storage
from recordings.audio_tokens import audio_url
from recordings.models import REDACTED, RecordingFetchJob
from search.models import Contact, SavedSearch, SearchableAttributeKey, TranscriptTurn
from tests.api.conftest import HOST, signed
from tests.factories import make_agent, make_group, make_user
from tests.recordings.conftest import _analysis_doc, make_media, persona

# --- Personas --------------------------------------------------------------------------

# Signed in through a live session, and active.
SIGNED_IN = ("no_perms", "agent", "qa", "restricted", "unrestricted", "admin", "moved")
# Nobody the portal's pages should recognise: no session, a deactivated user's session,
# an idle-expired session, a deactivated user's bearer token, a signature (API only).
PAGE_OUTSIDERS = ("anonymous", "deactivated", "expired", "dead_token", "qa_key")
API_OUTSIDERS = ("anonymous", "deactivated", "expired", "dead_token")
PERSONAS = (*SIGNED_IN, *PAGE_OUTSIDERS)

KINDS = ("own", "outside", "missing")
MISSING_CONTACT = "00000000-0000-4000-8000-00000000dead"
MISSING_PK = "987654321"
EITHER_HEALTH = frozenset({200, 503})  # the probe reports the services, whoever asks

# Unique words per contact, so finding one in a body can only mean that contact leaked.
EAST = SimpleNamespace(attribute="ATTR-EAST-4471", phone="+81355501234", redacted="kiwifruit", original="aardvark")
WEST = SimpleNamespace(attribute="ATTR-WEST-9082", phone="+81398765432", redacted="quokka", original="zanzibar")


def page(default: int, *, outsiders: int = 302, **statuses: int) -> dict[str, int]:
    """Expected statuses of an HTML door: outsiders are sent to the login page."""
    expected = {name: outsiders for name in PAGE_OUTSIDERS} | {name: default for name in SIGNED_IN}
    return expected | statuses


def api(default: int, **statuses: int) -> dict[str, int]:
    """Expected statuses of a JSON door: outsiders get 401; the QA analyst's access key
    gets what the QA analyst gets."""
    expected = {name: 401 for name in API_OUTSIDERS} | {name: default for name in SIGNED_IN}
    expected |= statuses
    expected.setdefault("qa_key", expected["qa"])
    return expected


def everyone(status) -> dict:
    return {name: status for name in PERSONAS}


@dataclass(frozen=True)
class Door:
    """How to call one URL pattern, and what each persona gets.

    `ids` names what `{id}` in `path` stands for: a contact (`contact`, or its primary key
    `contact_pk`), a fetch job (`job`), an audio link (`audio`), a bearer token, an access
    key, a saved search, a bulk action or an erasure (`token`, `key`, `saved`, `bulk`, `erasure`: the
    persona's own, someone else's, none), or an admin object (`admin:<app_label.model>`). `expect` is for the persona's
    own or in-scope object; `gone` for the other two kinds (default: outsiders as
    `expect`, everyone signed in 404). `lists` marks doors that list contacts, which must
    show the in-scope contact (or the check for leaks would prove nothing)."""

    key: str
    path: str
    expect: dict
    method: str = "GET"
    ids: str = ""
    data: dict | None = None
    gone: dict | None = None
    lists: bool = False


def admin_doors(model: str, *, admin: dict[str, int], restricted: dict[str, int]) -> list[Door]:
    """The six pages Django's admin builds for a model. Only staff get past the admin's
    login page; `admin` and `restricted` (both staff) give the status per page for an
    existing object. A missing object sends staff back to the admin index, except where
    Django asks for the permission first (the change and delete pages)."""
    app, name = model.split(".")
    base = f"/admin/{app}/{name}/"
    pages = {
        f"admin:{app}_{name}_changelist": (base, "changelist"),
        f"admin:{app}_{name}_add": (base + "add/", "add"),
        f"admin:{app}_{name}_history": (base + "{id}/history/", "history"),
        f"admin:{app}_{name}_delete": (base + "{id}/delete/", "delete"),
        f"admin:{app}_{name}_change": (base + "{id}/change/", "change"),
        f"admin/{app}/{name}/<path:object_id>/": (base + "{id}/", "redirect"),
    }
    doors = []
    for key, (path, kind) in pages.items():
        expect = page(302, admin=admin[kind], restricted=restricted[kind])
        missing = {who: 403 if kind in ("change", "delete") and statuses[kind] == 403 else 302
                   for who, statuses in (("admin", admin), ("restricted", restricted))}  # fmt: skip
        ids = f"admin:{model}" if "{id}" in path else ""
        doors.append(Door(key, path, expect, ids=ids, gone=page(302, **missing)))
    return doors


VIEW_ONLY = {"changelist": 200, "add": 403, "history": 200, "delete": 403, "change": 200, "redirect": 302}
EDITABLE = {"changelist": 200, "add": 200, "history": 200, "delete": 200, "change": 200, "redirect": 302}
HIDDEN = {"changelist": 403, "add": 403, "history": 403, "delete": 403, "change": 403, "redirect": 302}

CONTACT = "/contacts/{id}/"
API_CONTACT = "/api/v1/contacts/{id}"
SEARCH_QUERY = "?start={start}&end={end}&time_type=INITIATION_TIMESTAMP"

DOORS: list[Door] = [
    Door("healthz", "/healthz", everyone(EITHER_HEALTH)),
    # --- the portal's own pages
    Door("search", "/" + SEARCH_QUERY, page(200, no_perms=403), lists=True),
    Door("search", "/?contact_id={id}", page(200, no_perms=403), ids="contact", gone=page(200, no_perms=403)),
    Door("search-export", "/search/export.csv" + SEARCH_QUERY, page(200, no_perms=403), lists=True),
    Door("search-export", "/search/export.csv?contact_id={id}", page(200, no_perms=403), ids="contact",
         gone=page(200, no_perms=403)),
    Door("search-columns", "/search/columns", page(302), method="POST", data={"columns": ["contact_id"]}),
    Door("saved-search-add", "/search/saved", page(302), method="POST", data={"name": "mine", "query": "channel=VOICE"}),
    Door("saved-search-delete", "/search/saved/{id}/delete", page(302), method="POST", ids="saved", gone=page(302)),
    Door("attribute-settings", "/settings/attributes/", page(403, admin=200)),
    Door("contact-detail", CONTACT, page(200, no_perms=404), ids="contact"),
    Door("contact-detail", CONTACT, page(200, no_perms=404), method="POST", ids="contact",
         data={"transcript": "original", "reason": "quality review"}),
    Door("recording-delete", "/contacts/{id}/recording/delete", page(403, no_perms=404, admin=200), ids="contact"),
    Door("recording-delete", "/contacts/{id}/recording/delete", page(403, no_perms=404, admin=302), method="POST",
         ids="contact", data={"reason": "retention request"}),
    Door("legal-hold", "/contacts/{id}/legal-hold", page(403, no_perms=404, admin=302), method="POST", ids="contact",
         data={"reason": "litigation"}),
    Door("bulk-start", "/bulk/" + SEARCH_QUERY, page(200, no_perms=403)),
    Door("bulk-action-create", "/bulk/actions?contact_id={id}", page(403, admin=302), method="POST", ids="contact",
         data={"action": "SET_LEGAL_HOLD", "reason": "litigation", "confirm": "1"}, gone=page(403, admin=400)),
    Door("bulk-download", "/bulk/download?contact_id={id}", page(200, no_perms=403, agent=403, qa=403),
         method="POST", ids="contact", data={"confirm": "1"}, gone=page(400, no_perms=403, agent=403, qa=403)),
    Door("bulk-action-detail", "/bulk/{id}/", page(200), ids="bulk"),
    Door("erasure-list", "/erasures/", page(403, admin=200)),
    Door("erasure-plan", "/erasures/plan", page(403, admin=200), method="POST",
         data={"phone": "+81300000000", "reason": "door"}),
    Door("erasure-start", "/erasures/start", page(403, admin=302), method="POST",
         data={"phone": "+81300000000", "reason": "door", "confirmation": "ERASE"}),
    Door("erasure-detail", "/erasures/{id}/", page(403, admin=200), ids="erasure", gone=page(403, admin=404)),
    Door("erasure-certificate-json", "/erasures/{id}/certificate.json", page(403, admin=200), ids="erasure",
         gone=page(403, admin=404)),
    Door("erasure-certificate-csv", "/erasures/{id}/certificate.csv", page(403, admin=200), ids="erasure",
         gone=page(403, admin=404)),
    Door("account_profile", "/account/", page(200)),
    Door("account_token_create", "/account/tokens/", page(200), method="POST", data={"name": "door"}),
    Door("account_token_revoke", "/account/tokens/{id}/revoke/", page(302), method="POST", ids="token", gone=page(302)),
    Door("account_access_key_create", "/account/access-keys/", page(200), method="POST", data={"expires_in_days": "30"}),
    Door("account_access_key_revoke", "/account/access-keys/{id}/revoke/", page(302), method="POST", ids="key",
         gone=page(302)),
    Door("audit:events", "/audit/", page(403, admin=200)),
    Door("audit:sessions", "/audit/sessions/", page(200, no_perms=403, agent=403, qa=403)),
    Door("set_language", "/i18n/setlang/", everyone(302), method="POST", data={"language": "en", "next": "/"}),
    # --- the JSON API
    Door("api-search-contacts", "/api/v1/search-contacts", api(200, no_perms=403), method="POST", lists=True,
         data={"TimeRange": {"Type": "INITIATION_TIMESTAMP", "StartTime": "{start}", "EndTime": "{end}"}}),
    Door("api-openapi", "/api/v1/openapi.json", everyone(200)),
    Door("api-contact", API_CONTACT, api(200, no_perms=404), ids="contact"),
    Door("api-transcript", API_CONTACT + "/transcript?version=original&reason=review", api(200, no_perms=404, agent=403,
         qa=403), ids="contact"),
    Door("api-transcript", API_CONTACT + "/transcript", api(200, no_perms=404), ids="contact"),
    Door("api-transcript-download", API_CONTACT + "/transcript/download?version=original&reason=review",
         api(200, no_perms=404, agent=403, qa=403), ids="contact"),
    Door("api-recording", API_CONTACT + "/recording", api(200, no_perms=404), ids="contact"),
    Door("api-recording", API_CONTACT + "/recording", api(403, no_perms=404, admin=202), method="DELETE",
         ids="contact", data={"Reason": "retention request"}),
    Door("api-recording-fetch", API_CONTACT + "/recording/fetch", api(202, no_perms=404), method="POST",
         ids="contact", data={"Version": "REDACTED", "Reason": "review"}),
    Door("api-recording-download", API_CONTACT + "/recording/download?version=redacted&reason=review",
         api(200, no_perms=404, agent=403, qa=403), ids="contact"),
    Door("api-recording-job", "/api/v1/recording-jobs/{id}", api(200, no_perms=404), ids="job"),
    Door("recording-audio", "/api/v1/audio/{id}", api(200, no_perms=404), ids="audio"),
    Door("api_audit_events", "/api/v1/audit-events", api(403, admin=200)),
    Door("api-connect-describe-contact", "/api/v1/contacts/{instance}/{id}", api(200, no_perms=404), ids="contact"),
    Door("api-connect-contact-attributes", "/api/v1/contact/attributes/{instance}/{id}",
         api(200, no_perms=404, agent=403, qa=403), ids="contact"),
    Door("api-bulk-actions", "/api/v1/bulk-actions", api(403, admin=202), method="POST",
         data={"Action": "SET_LEGAL_HOLD", "Reason": "litigation", "ExpectedCount": 2,
               "TimeRange": {"Type": "INITIATION_TIMESTAMP", "StartTime": "{start}", "EndTime": "{end}"}}),
    Door("api-bulk-action", "/api/v1/bulk-actions/{id}", api(200), ids="bulk"),
    Door("api-bulk-downloads", "/api/v1/bulk-downloads", api(200, no_perms=403, agent=403, qa=403), method="POST",
         lists=True, data={"TimeRange": {"Type": "INITIATION_TIMESTAMP", "StartTime": "{start}", "EndTime": "{end}"}}),
    Door("api-erasures", "/api/v1/erasures", api(403, admin=202), method="POST",
         data={"CustomerPhoneNumber": "+81300000000", "Reason": "door"}),
    Door("api-erasure", "/api/v1/erasures/{id}", api(403, admin=200), ids="erasure", gone=api(403, admin=404)),
    Door("api-unknown-path", "/api/v1/no/such/operation", everyone(404)),
    Door("api-unknown-path", "/api/v1/contacts/{id}/recording/nothing", everyone(404), ids="contact",
         gone=everyone(404)),
    # --- allauth
    Door("account_login", "/accounts/login/", everyone(200) | page(302, outsiders=200)),
    Door("account_logout", "/accounts/logout/", everyone(302) | page(200, outsiders=302)),
    Door("account_inactive", "/accounts/inactive/", everyone(200)),
    Door("account_signup", "/accounts/signup/", page(302, outsiders=200)),
    Door("account_reauthenticate", "/accounts/reauthenticate/", page(200)),
    Door("account_email", "/accounts/email/", page(200)),
    Door("account_email_verification_sent", "/accounts/confirm-email/", everyone(200)),
    Door("account_change_password", "/accounts/password/change/", page(200)),
    Door("account_set_password", "/accounts/password/set/", page(302)),
    Door("account_reset_password", "/accounts/password/reset/", everyone(200)),
    Door("account_confirm_login_code", "/accounts/login/code/confirm/", everyone(302)),
    Door("account_confirm_email", "/accounts/confirm-email/not-a-key/", everyone(200)),
    Door("account_reset_password_from_key_done", "/accounts/password/reset/key/done/", everyone(200)),
    Door("account_reset_password_from_key", "/accounts/password/reset/key/1-not-a-key/", everyone(200)),
    Door("account_reset_password_done", "/accounts/password/reset/done/", everyone(200)),
    Door("mfa_index", "/accounts/2fa/", page(200)),
    Door("mfa_authenticate", "/accounts/2fa/authenticate/", everyone(302)),
    Door("mfa_reauthenticate", "/accounts/2fa/reauthenticate/", page(200, no_perms=302, agent=302, qa=302)),
    Door("mfa_activate_totp", "/accounts/2fa/totp/activate/", page(302)),
    Door("mfa_deactivate_totp", "/accounts/2fa/totp/deactivate/", page(302, no_perms=404, agent=404, qa=404)),
    Door("mfa_view_recovery_codes", "/accounts/2fa/recovery-codes/", page(404)),
    Door("mfa_generate_recovery_codes", "/accounts/2fa/recovery-codes/generate/", page(302)),
    Door("mfa_download_recovery_codes", "/accounts/2fa/recovery-codes/download/", page(404)),
    Door("socialaccount_login_cancelled", "/accounts/3rdparty/login/cancelled/", everyone(200)),
    Door("socialaccount_login_error", "/accounts/3rdparty/login/error/", everyone(401)),
    Door("socialaccount_signup", "/accounts/3rdparty/signup/", everyone(302)),
    Door("socialaccount_connections", "/accounts/3rdparty/", page(200)),
    Door("accounts/social/login/cancelled/", "/accounts/social/login/cancelled/", everyone(301)),
    Door("accounts/social/login/error/", "/accounts/social/login/error/", everyone(301)),
    Door("accounts/social/signup/", "/accounts/social/signup/", everyone(301)),
    Door("accounts/social/connections/", "/accounts/social/connections/", everyone(301)),
    Door("saml_acs", "/accounts/saml/acme/acs/", everyone(302)),
    Door("saml_finish_acs", "/accounts/saml/acme/acs/finish/", everyone(404)),
    Door("saml_sls", "/accounts/saml/acme/sls/", everyone(404)),
    Door("saml_metadata", "/accounts/saml/acme/metadata/", everyone(404)),
    Door("saml_login", "/accounts/saml/acme/login/", everyone(404)),
    Door("openid_connect_login", "/accounts/oidc/acme/login/", everyone(404)),
    Door("openid_connect_callback", "/accounts/oidc/acme/login/callback/", everyone(404)),
    # --- Django's admin: staff only, then each page's Connect permission
    Door("admin:index", "/admin/", page(302, admin=200, restricted=200)),
    Door("admin:login", "/admin/login/", page(200, admin=302, restricted=302, outsiders=200)),
    Door("admin:logout", "/admin/logout/", page(302, admin=405, restricted=405)),
    Door("admin:password_change", "/admin/password_change/", page(302, admin=200, restricted=200)),
    Door("admin:password_change_done", "/admin/password_change/done/", page(302, admin=200, restricted=200)),
    Door("admin:autocomplete", "/admin/autocomplete/?app_label=accounts&model_name=user&field_name=agent",
         page(302, admin=200, restricted=200)),
    Door("admin:jsi18n", "/admin/jsi18n/", page(302, admin=200, restricted=200)),
    Door("admin:view_on_site", "/admin/r/{ct}/{id}/", page(302, admin=404, restricted=404), ids="contact_pk",
         gone=page(302, admin=404, restricted=404)),
    Door("admin:auth_user_password_change", "/admin/accounts/user/{id}/password/",
         page(302, admin=200, restricted=403), ids="admin:accounts.user",
         gone=page(302, admin=404, restricted=403)),
    Door("admin:app_list", "/admin/accounts/", page(302, admin=200, restricted=200)),
    Door("admin/(?P<url>.*)$", "/admin/no-such-page/", page(302, admin=404, restricted=404)),
    Door("admin:accounts_securityprofile_import", "/admin/accounts/securityprofile/import/",
         page(302, admin=200, restricted=403)),
    *admin_doors("accounts.user", admin=EDITABLE, restricted=VIEW_ONLY),
    *admin_doors("accounts.securityprofile", admin=EDITABLE, restricted=HIDDEN),
    *admin_doors("accounts.apitoken", admin=VIEW_ONLY, restricted=VIEW_ONLY),
    *admin_doors("accounts.accesskey", admin=VIEW_ONLY | {"add": 200}, restricted=VIEW_ONLY),
    *admin_doors("account.emailaddress", admin=EDITABLE, restricted=VIEW_ONLY),
    *admin_doors("socialaccount.socialaccount", admin=VIEW_ONLY | {"delete": 200}, restricted=VIEW_ONLY),
    *admin_doors("mfa.authenticator", admin=VIEW_ONLY | {"delete": 200}, restricted=VIEW_ONLY),
    *admin_doors("socialaccount.socialapp", admin=EDITABLE, restricted=HIDDEN),
    *admin_doors("audit.auditevent", admin=VIEW_ONLY, restricted=HIDDEN),
    *admin_doors("hierarchy.hierarchygroup", admin=EDITABLE, restricted=HIDDEN),
    *admin_doors("hierarchy.agent", admin=VIEW_ONLY, restricted=VIEW_ONLY),
    *admin_doors("search.searchableattributekey", admin=EDITABLE, restricted=HIDDEN),
]  # fmt: skip


# --- The resolver's doors ------------------------------------------------------------


def _walk(patterns, prefix: str = "", namespace: str = ""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = namespace + (f"{entry.namespace}:" if entry.namespace else "")
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), namespace + (entry.name or "")


def resolver_doors() -> set[str]:
    """Every URL pattern, by its name where that is unique, else by its route."""
    found = list(_walk(get_resolver().url_patterns))
    names = Counter(name for _, name in found)
    return {name if name and names[name] == 1 and not name.endswith(":") else route for route, name in found}


def test_every_url_pattern_has_a_row():
    rows = {door.key for door in DOORS}
    doors = resolver_doors()
    assert doors - rows == set(), "URL patterns without a row in DOORS: add one (how to call it, who gets what)"
    assert rows - doors == set(), "rows in DOORS for URL patterns that no longer exist"


# --- The world -----------------------------------------------------------------------


def _unique_words(media, bucket: str, marks: SimpleNamespace) -> None:
    """make_media writes the same sentences for every contact; give this one its own."""
    cid = media.contact_id
    original = _analysis_doc(cid, f"My name is {marks.original}", redacted=False)
    storage.put_bytes(bucket, media.analysis_original_key, json.dumps(original).encode())
    redacted = _analysis_doc(cid, f"I keep a {marks.redacted}", redacted=True)
    storage.put_bytes(bucket, media.analysis_redacted_key, json.dumps(redacted).encode())
    TranscriptTurn.objects.filter(contact_id=cid, position=1).update(content=f"I keep a {marks.redacted}")


def _contact(bucket: str, agent, marks: SimpleNamespace, started):
    cid = str(uuid.uuid4())
    media = make_media(
        bucket,
        agent=agent,
        contact_id=cid,
        initiation_ts=started,
        disconnect_ts=started + timedelta(minutes=5),
        last_update_ts=started + timedelta(minutes=6),
        connected_to_agent_ts=started + timedelta(seconds=30),
        customer_phone_enc=crypto.encrypt_text(marks.phone, context=cid),
        attributes_enc=crypto.encrypt_json({"account": marks.attribute}, context=cid),
    )
    _unique_words(media, bucket, marks)
    return media


def _session(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[django_settings.SESSION_COOKIE_NAME].value


def _staff(user):
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return user


def _job(media, users) -> RecordingFetchJob:
    """A finished fetch of the redacted recording, asked for by every user, its file in the cache."""
    job = RecordingFetchJob.objects.create(contact=media.contact, version=REDACTED, status=RecordingFetchJob.READY,
                                           finished_at=timezone.now())  # fmt: skip
    job.requesters.add(*users)
    path = audio_cache.cache_path(media.contact_id, REDACTED)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(media.redacted_audio)
    return job


def _bulk_action(user) -> BulkAction:
    return BulkAction.objects.create(user=user, action=BulkAction.SET_LEGAL_HOLD, status=BulkAction.DONE)


def _erasure(user) -> Erasure:
    erasure = Erasure.objects.create(requested_by=user, reason="door", status=Erasure.DONE)
    erasure.certificate = {"ErasureId": str(erasure.pk), "RequestedBy": "door", "Contacts": [], "Skipped": [],
                           "Objects": []}  # fmt: skip
    erasure.save(update_fields=["certificate"])
    return erasure


def _token(user) -> ApiToken:
    token_create(user=user, name="door")
    return ApiToken.objects.filter(user=user).latest("id")


@dataclass
class Caller:
    """One persona: how it authenticates, what it may see, and its own objects."""

    name: str
    user: object = None
    session: str = ""
    bearer: str = ""
    key: object = None
    own: Contact | None = None  # a contact in scope (or the one asked about, for those who see none)
    outside: Contact | None = None  # a contact out of scope; None for those who see everything
    client: Client = field(default_factory=lambda: Client(raise_request_exception=False))
    sees: tuple = ()  # the contacts the access rule should show this persona
    withheld: tuple = ()  # markers a permission keeps from this persona even on contacts it sees
    objects: dict = field(default_factory=dict)


@pytest.fixture
def world(db, s3_bucket, recording_cache, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    company = make_group("Door Co", level=1)
    east, west = make_group("East", level=2, parent=company), make_group("West", level=2, parent=company)
    alice, wendy = make_agent("door-alice", group=east), make_agent("door-wendy", group=west)
    now = timezone.now()
    media_east = _contact(s3_bucket, alice, EAST, now - timedelta(hours=2))
    media_west = _contact(s3_bucket, wendy, WEST, now - timedelta(hours=1))
    east_contact, west_contact = media_east.contact, media_west.contact

    restricted = ("CallCenterManager",)
    users = {
        "no_perms": make_user("door-nobody", permissions=[]),
        "agent": persona("door-agent", "Agent", agent=alice),
        "qa": persona("door-qa", "QualityAnalyst"),
        "restricted": _staff(persona("door-east-mgr", *restricted, group=east)),
        "unrestricted": persona("door-all-mgr", *restricted, without=(p.RESTRICT_BY_HIERARCHY,)),
        "admin": _staff(persona("door-admin", "Admin")),
        "moved": persona("door-mover", *restricted, group=east),
        "deactivated": persona("door-gone", *restricted, group=east),
        "expired": persona("door-idle", *restricted, group=east),
        "dead_token": persona("door-dead-token", *restricted, group=east),
        "qa_key": persona("door-qa-key", "QualityAnalyst"),
    }
    callers = {"anonymous": Caller("anonymous", own=east_contact, outside=west_contact)}
    for name, user in users.items():
        callers[name] = Caller(name, user=user, own=east_contact, outside=west_contact)
    for name in ("unrestricted", "admin", "qa", "qa_key"):
        callers[name].outside = None
    for name in ("no_perms", "agent", "qa", "restricted", "unrestricted", "admin", "moved", "deactivated", "expired"):
        callers[name].session = _session(users[name])
    callers["dead_token"].bearer = token_create(user=users["dead_token"])
    callers["qa_key"].key = access_key_create(user=users["qa_key"])

    # Each caller's own objects, and someone else's for the "outside" kind.
    other = users["admin"]
    jobs = (_job(media_east, users.values()), _job(media_west, users.values()))
    theirs = {"token": _token(other), "key": access_key_create(user=other),
              "saved": SavedSearch.objects.create(user=other, name="theirs", query="channel=CHAT")}  # fmt: skip
    theirs["bulk"] = _bulk_action(make_user("door-bulk-owner", permissions=[]))
    theirs["erasure"] = _erasure(make_user("door-erasure-owner", permissions=[]))
    for caller in callers.values():
        owner = caller.user or other
        caller.objects["token"] = (_token(owner), theirs["token"])
        caller.objects["key"] = (access_key_create(user=owner), theirs["key"])
        saved, _ = SavedSearch.objects.get_or_create(user=owner, name="mine", defaults={"query": "channel=VOICE"})
        caller.objects["saved"] = (saved, theirs["saved"])
        caller.objects["job"] = jobs
        caller.objects["bulk"] = (_bulk_action(owner), theirs["bulk"])
        caller.objects["erasure"] = (_erasure(owner), theirs["erasure"])

    # Caches and sessions warmed while the mover saw East, the deactivated users were active.
    for name in ("moved", "deactivated"):
        warm = Client()
        warm.cookies[django_settings.SESSION_COOKIE_NAME] = callers[name].session
        assert warm.get(f"/contacts/{east_contact.contact_id}/").status_code == 200
        assert warm.get(f"/api/v1/contacts/{east_contact.contact_id}").status_code == 200
    bearer = {"Authorization": f"Bearer {callers['dead_token'].bearer}"}
    assert Client().get(f"/api/v1/contacts/{east_contact.contact_id}", headers=bearer).status_code == 200
    users["moved"].hierarchy_group = west
    users["moved"].save(update_fields=["hierarchy_group"])
    callers["moved"].own, callers["moved"].outside = west_contact, east_contact
    callers["moved"].objects["job"] = tuple(reversed(callers["moved"].objects["job"]))
    for name in ("deactivated", "dead_token"):
        users[name].is_active = False
        users[name].save(update_fields=["is_active"])
    Session.objects.filter(session_key=callers["expired"].session).update(expire_date=now - timedelta(seconds=1))

    everything = (east_contact, west_contact)
    sees = {"agent": (east_contact,), "qa": everything, "restricted": (east_contact,), "unrestricted": everything,
            "admin": everything, "moved": (west_contact,), "qa_key": everything}  # fmt: skip
    for name in ("agent", "qa", "qa_key"):  # no ContactAttributes.View, no unredacted transcripts
        callers[name].withheld = ("attribute value", "original transcript")
    for name, contacts in sees.items():
        callers[name].sees = contacts
        visible = set(Contact.objects.visible_to(users[name]).values_list("contact_id", flat=True))
        assert visible == {c.contact_id for c in contacts}, name  # the world is what this test thinks it is
    admin_objects = _admin_objects(users, east, alice, west_contact)
    return SimpleNamespace(callers=callers, east=east_contact, west=west_contact, media=(media_east, media_west),
                           admin_objects=admin_objects, start=now - timedelta(days=1), end=now + timedelta(hours=1))  # fmt: skip


def _admin_objects(users: dict, group: HierarchyGroup, agent, west_contact) -> dict[str, object]:
    someone = users["no_perms"]
    app = SocialApp.objects.create(provider="openid_connect", provider_id="door", name="Door SSO", client_id="door")
    event = AuditEvent.objects.create(action="contact_view", actor_username="door-admin",
                                      contact_id=west_contact.contact_id, details={})  # fmt: skip
    return {
        "accounts.user": someone,
        "accounts.securityprofile": SecurityProfile.objects.filter(name__startswith="custom-").first(),
        "accounts.apitoken": ApiToken.objects.first(),
        "accounts.accesskey": AccessKey.objects.first(),
        "account.emailaddress": EmailAddress.objects.create(user=someone, email=someone.email, primary=True),
        "socialaccount.socialaccount": SocialAccount.objects.create(user=someone, provider="door", uid="door-1"),
        "mfa.authenticator": Authenticator.objects.first(),
        "socialaccount.socialapp": app,
        "audit.auditevent": event,
        "hierarchy.hierarchygroup": group,
        "hierarchy.agent": agent,
        "search.searchableattributekey": SearchableAttributeKey.objects.create(key="door-key"),
    }


# --- Calling a door ------------------------------------------------------------------


def _fill(door: Door, w, caller: Caller, kind: str) -> tuple[str, dict | None, list[str]] | None:
    """The concrete path and data for `kind` ("own", "outside", "missing"), with the ids
    it names (masked when comparing bodies); None when the kind does not apply."""
    values = {"start": w.start.strftime("%Y-%m-%dT%H:%M:%SZ"), "end": w.end.strftime("%Y-%m-%dT%H:%M:%SZ"),
              "instance": django_settings.CONNECT_INSTANCE_ARN.rsplit("/", 1)[-1],
              "ct": ContentType.objects.get_for_model(Contact).pk}  # fmt: skip
    ident = _ident(door.ids, w, caller, kind)
    if ident is None:
        return None
    values["id"] = ident
    path = door.path.format(**values)
    data = json.loads(json.dumps(door.data).replace("{start}", values["start"]).replace("{end}", values["end"]))
    return path, data, [ident] if ident else []


def _ident(ids: str, w, caller: Caller, kind: str) -> str | None:
    """What `{id}` becomes; None when this persona has no object of that kind."""
    if not ids:
        return "" if kind == "own" else None
    contact = {"own": caller.own, "outside": caller.outside, "missing": None}[kind]
    if ids == "contact":
        return MISSING_CONTACT if kind == "missing" else (contact.contact_id if contact else None)
    if ids == "contact_pk":
        return MISSING_PK if kind == "missing" else (str(contact.pk) if contact else None)
    if ids.startswith("admin:"):
        return {"own": str(w.admin_objects[ids.removeprefix("admin:")].pk), "missing": MISSING_PK}.get(kind)
    if ids in ("job", "audio"):
        own_job, outside_job = caller.objects["job"]
        job = {"own": own_job, "outside": outside_job if caller.outside else None}.get(kind)
        if ids == "job":
            return str(job.pk) if job else (MISSING_PK if kind == "missing" else None)
        if kind == "missing":
            job = SimpleNamespace(
                pk=int(MISSING_PK), version=REDACTED, contact=SimpleNamespace(contact_id=MISSING_CONTACT)
            )
        return audio_url(user=caller.user or w.callers["admin"].user, job=job).rsplit("/", 1)[-1] if job else None
    mine, theirs = caller.objects[ids]
    chosen = {"own": mine, "outside": theirs}.get(kind)
    pick = (lambda o: o.access_key_id) if ids == "key" else (lambda o: str(o.pk))
    return pick(chosen) if chosen is not None else MISSING_PK


def _call(caller: Caller, door: Door, path: str, data: dict | None):
    client = caller.client
    client.cookies.clear()  # no cookie from an earlier answer (messages, a new session) carries over
    if caller.session:
        client.cookies[django_settings.SESSION_COOKIE_NAME] = caller.session
    api_door = path.startswith("/api/")
    if caller.key is not None and api_door:
        return _signed_call(client, caller.key, door.method, path, data)
    headers = {"Authorization": f"Bearer {caller.bearer}"} if caller.bearer else {}
    if api_door or door.method != "POST":
        body = json.dumps(data) if data is not None else ""
        return client.generic(door.method, path, body, content_type="application/json", headers=headers)
    return client.post(path, data or {}, headers=headers)


def _signed_call(client: Client, key, method: str, path: str, data: dict | None):
    """Signed by botocore, as an AWS SDK signs, and sent exactly as signed."""
    body = json.dumps(data).encode() if data is not None else b""
    request = signed(method, path, key_id=key.access_key_id, secret=key.secret, body=body)
    headers = {name: value for name, value in request.headers.items() if name.lower() != "content-type"}
    headers.setdefault("Host", HOST)
    content_type = request.headers.get("Content-Type") or "application/octet-stream"
    return client.generic(method, path, request.body or b"", content_type=content_type, headers=headers)


def _body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


_PER_REQUEST = [
    re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]+'),
    re.compile(rb'(nonce=")[^"]+'),
    re.compile(rb"('nonce-)[^']+"),
    re.compile(rb'(csrfToken["\']?\s*[:=]\s*["\'])[^"\']+'),
]


def _masked(body: bytes, ids: list[str]) -> bytes:
    for ident in ids:
        body = body.replace(ident.encode(), b"<id>")
    for pattern in _PER_REQUEST:
        body = pattern.sub(rb"\1-", body)
    return body


@functools.cache
def _markers(contact: Contact) -> dict[str, re.Pattern]:
    marks = EAST if contact.hierarchy_names[-1] == "East" else WEST
    digits = marks.phone.removeprefix("+81")
    return {
        "contact id": re.compile(re.escape(contact.contact_id.encode())),
        "attribute value": re.compile(re.escape(marks.attribute.encode())),
        "phone digits": re.compile(rb"[\s\-().]{0,2}".join(d.encode() for d in digits)),
        "redacted transcript": re.compile(marks.redacted.encode()),
        "original transcript": re.compile(marks.original.encode()),
    }


def _leaks(body: bytes, contacts, asked: list[str]) -> list[str]:
    found = []
    for contact in contacts:
        for what, pattern in _markers(contact).items():
            if what == "contact id" and contact.contact_id in asked:
                continue  # the caller named it; echoing it back tells them nothing
            if pattern.search(body):
                found.append(f"{what} of {contact.contact_id}")
    return found


def _expected(door: Door, name: str, kind: str):
    if kind == "own":
        return door.expect[name]
    if door.gone is not None:
        return door.gone[name]
    outsiders = API_OUTSIDERS if door.path.startswith("/api/") else PAGE_OUTSIDERS
    return door.expect[name] if name in outsiders else 404


def _refused(status: int) -> bool:
    return status >= 300


@dataclass
class Tally:
    problems: list[str] = field(default_factory=list)
    requests: int = 0
    listed: Counter = field(default_factory=Counter)  # list doors that showed an in-scope contact
    seen: set[str] = field(default_factory=set)  # kinds of marker found where they belong


def _probe(door: Door, w, caller: Caller, kind: str, tally: Tally) -> tuple[int, bytes] | None:
    """Call one door as one persona for one kind of id; note what is wrong; return the
    status and the masked body for comparing "outside" with "missing"."""
    filled = _fill(door, w, caller, kind)
    if filled is None:
        return None
    path, data, asked = filled
    with transaction.atomic():  # whatever the door writes is undone for the next caller
        response = _call(caller, door, path, data)
        body = _body(response)
        transaction.set_rollback(True)
    tally.requests += 1
    status, where = response.status_code, f"{door.method} {path} as {caller.name} ({kind})"
    want = _expected(door, caller.name, kind)
    if status not in (want if isinstance(want, frozenset) else {want}):
        tally.problems.append(f"{where}: {status}, expected {want}")
    api_door = door.path.startswith("/api/")
    if api_door and status >= 400 and not response["Content-Type"].startswith("application/json"):
        tally.problems.append(f"{where}: {status} answered with {response['Content-Type']}, not JSON")
    visible = () if caller.key is not None and not api_door else caller.sees
    hidden = [c for c in (w.east, w.west) if _refused(status) or c not in visible]
    leaked = _leaks(body, hidden, asked)
    for contact in set(visible) - set(hidden):
        leaked += [
            f"{what} of {contact.contact_id}" for what in caller.withheld if _markers(contact)[what].search(body)
        ]
    if _refused(status) and (b"RIFF" in body or b"WAVE" in body):
        leaked.append("audio bytes")
    if leaked:
        tally.problems.append(f"{where}: {status} carries {', '.join(sorted(set(leaked)))}")
    if status == 200:
        tally.seen |= {what for c in visible for what, marker in _markers(c).items() if marker.search(body)}
        if door.lists and caller.own in visible:
            tally.listed[door.key] += caller.own.contact_id.encode() in body
    return status, _masked(body, asked)


def test_no_door_leaks_to_any_persona(world, settings, record_property, caplog):
    caplog.set_level(logging.CRITICAL, logger="django.request")  # thousands of expected 403/404 warnings
    settings.HEALTH_CHECK_TIMEOUT = 0.1  # no answer changes with the caller; keep the probe short
    caches = {name: dict(conf) for name, conf in settings.CACHES.items()}
    caches["default"]["KEY_PREFIX"] = f"doors-{uuid.uuid4().hex}"  # export slots and throttles of our own
    settings.CACHES = caches

    tally, started = Tally(), time.monotonic()
    for door in DOORS:
        for name in PERSONAS:
            answers = {kind: _probe(door, world, world.callers[name], kind, tally) for kind in KINDS}
            if answers["outside"] and answers["missing"] and answers["outside"] != answers["missing"]:
                tally.problems.append(f"{door.method} {door.path} as {name}: out of scope and missing answer "
                                      f"differently ({answers['outside'][0]} vs {answers['missing'][0]})")  # fmt: skip

    doors = len(resolver_doors())
    for key, value in (
        ("doors", doors),
        ("rows", len(DOORS)),
        ("personas", len(PERSONAS)),
        ("requests", tally.requests),
    ):
        record_property(key, value)
    print(f"\ndoor matrix: {doors} URL patterns, {len(DOORS)} rows, {len(PERSONAS)} personas, "
          f"{tally.requests} requests in {time.monotonic() - started:.1f} s")  # fmt: skip
    for key in {door.key for door in DOORS if door.lists} - set(+tally.listed):
        tally.problems.append(f"{key}: never showed an in-scope contact, so its leak check proves nothing")
    if missed := set(_markers(world.east)) - tally.seen:
        tally.problems.append(f"markers never found where they belong, so looking for them proves nothing: {missed}")
    assert not tally.problems, f"{len(tally.problems)} problem(s):\n" + "\n".join(tally.problems)
