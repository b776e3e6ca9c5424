"""The search page: results in scope, columns, sorting, page sizes, the result cap,
time zones, htmx partials, CSV export, saved searches and the attribute settings."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.core.management import call_command
from django.test import Client

from portal.audit.models import AuditEvent
from search.models import SavedSearch, SearchableAttributeKey
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def shown(response) -> list[str]:
    """Contact ids in the results table, in order."""
    return re.findall(r'<th scope="row"><a href="/contacts/([^/]+)/">', response.content.decode())


def named(world, *names: str) -> list[str]:
    return [world.calls[n].contact_id for n in names]


def test_restricted_supervisor_sees_only_their_teams(search_world):
    w = search_world
    response = logged_in(w.users.sales_mgr).get("/")
    assert response.status_code == 200
    assert set(shown(response)) == set(named(w, "refund", "billing", "ja_other", "task", "deleted", "old"))
    assert "6 contacts" in response.content.decode()


def test_rows_link_to_the_contact_page(search_world):
    w = search_world
    body = logged_in(w.users.admin).get("/").content.decode()
    assert f'href="/contacts/{w.calls["refund"].contact_id}/"' in body


def test_filters_from_the_form(search_world):
    w = search_world
    client = logged_in(w.users.admin)
    assert shown(client.get("/?channel=CHAT")) == named(w, "billing")
    assert shown(client.get("/?customer_phone=090-1111-2222")) == named(w, "billing")
    assert set(shown(client.get("/?keywords=refund&keyword_roles=CUSTOMER"))) == set(named(w, "refund", "osaka"))
    assert shown(client.get("/?keywords=解約")) == named(w, "ja")
    assert shown(client.get("/?time_type=SCHEDULED_TIMESTAMP")) == named(w, "task")
    assert shown(client.get("/?start=2026-10-01T09:30&end=2026-10-01T10:30")) == named(w, "billing")
    assert shown(client.get("/?sentiment_role=CUSTOMER&sentiment_max=-1.5")) == named(w, "refund")
    query = "/?sentiment_type=SHIFT&sentiment_role=CUSTOMER&sentiment_begin_max=-1&sentiment_end_min=1"
    assert set(shown(client.get(query))) == set(named(w, "refund", "ja"))
    assert set(shown(client.get("/?categories=Cancellation&category_match=MATCH_NONE"))) == set(
        named(w, "billing", "ja", "ja_other", "no_agent")
    )
    assert set(shown(client.get("/?attr_key_1=customerTier&attr_value_1=gold"))) == set(named(w, "refund", "osaka"))
    assert set(shown(client.get("/?agent=sa&has_recording=yes"))) == set(named(w, "refund", "ja_other", "old"))
    assert shown(client.get("/?hierarchy_l3=g-support-a")) == named(w, "ja")
    assert shown(client.get("/?non_talk_min_percent=15")) == named(w, "billing")
    assert shown(client.get(f"/?contact_id={w.calls['osaka'].contact_id}&channel=CHAT")) == named(w, "osaka")


def test_form_errors_are_shown_not_searched(search_world):
    response = logged_in(search_world.users.admin).get("/?customer_phone=hello&page_size=30")
    assert response.status_code == 400
    body = response.content.decode()
    assert "Enter a phone number" in body and shown(response) == []


def test_times_in_the_users_time_zone(search_world):
    w = search_world
    w.users.admin.time_zone = "Asia/Tokyo"
    w.users.admin.save(update_fields=["time_zone"])
    body = logged_in(w.users.admin).get(f"/?contact_id={w.calls['refund'].contact_id}").content.decode()
    assert 'datetime="2026-10-01T18:00:00+09:00"' in body  # 09:00 UTC
    # A form time is read in the user's zone too: 18:30 in Tokyo is 09:30 UTC.
    assert shown(logged_in(w.users.admin).get("/?start=2026-10-01T18:30&end=2026-10-01T19:30")) == named(w, "billing")


def test_japanese_interface(search_world):
    w = search_world
    w.users.admin.language = "ja"
    w.users.admin.save(update_fields=["language"])
    response = logged_in(w.users.admin).get("/")
    assert response.status_code == 200 and 'lang="ja"' in response.content.decode()


def test_connect_values_are_named_in_the_users_language(search_world):
    w = search_world
    w.users.admin.search_columns = ["channel", "initiation_method", "disconnect_reason"]
    w.users.admin.language = "ja"
    w.users.admin.save(update_fields=["search_columns", "language"])
    client = logged_in(w.users.admin)
    row = row_cells(client.get(f"/?contact_id={w.calls['refund'].contact_id}"))
    assert row == ["音声", "インバウンド", "顧客による切断"]
    form = client.get("/").content.decode()
    assert '<option value="QUEUE_TRANSFER">キュー転送</option>' in form
    assert '<option value="AGENT_CONNECTION_NOT_ESTABLISHED">エージェントとの接続が確立されなかった</option>' in form
    # The CSV keeps Connect's values, for the scripts that read it.
    rows = export(client, f"contact_id={w.calls['refund'].contact_id}")
    assert rows[1][1:] == ["VOICE", "INBOUND", "CUSTOMER_DISCONNECT"]


def test_english_names_and_values_connect_has_not_named_yet(search_world):
    from search.models import Contact

    w = search_world
    Contact.objects.filter(contact_id=w.calls["refund"].contact_id).update(initiation_method="HOLOGRAM")
    w.users.admin.search_columns = ["initiation_method"]
    w.users.admin.save(update_fields=["search_columns"])
    client = logged_in(w.users.admin)
    assert row_cells(client.get(f"/?contact_id={w.calls['refund'].contact_id}")) == ["HOLOGRAM"]
    form = client.get("/").content.decode()
    assert '<option value="API">API</option>' in form and '<option value="WEBRTC_API">WebRTC API</option>' in form


def row_cells(response) -> list[str]:
    """The cells of the first result row, without markup."""
    body = response.content.decode()
    row = re.search(r"<tbody>\s*<tr>(.*?)</tr>", body, re.S).group(1)
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]


def test_the_agent_picker_lists_every_agent_escaped_and_keeps_the_choice(search_world):
    from django.utils.html import escape

    from hierarchy.models import Agent
    from tests.factories import make_agent

    make_agent('<b>"odd"</b>')
    body = logged_in(search_world.users.admin).get("/?agent=sa").content.decode()
    picker = re.search(r'<select name="agent" id="id_agent" multiple size="4">(.*?)</select>', body, re.S).group(1)
    options = re.findall(r'<option value="([^"]*)"( selected)?>([^<]*)</option>', picker)
    everyone = Agent.objects.order_by("username")
    assert [(value, label) for value, _, label in options] == [(a.agent_id, escape(a.username)) for a in everyone]
    assert [value for value, selected, _ in options if selected] == ["sa"]
    assert "<b>" not in picker


def test_sorting_and_page_sizes(search_world):
    w = search_world
    client = logged_in(w.users.sales_mgr)
    ascending = shown(client.get("/?sort=INITIATION_TIMESTAMP&order=ASCENDING"))
    assert ascending == named(w, "old", "refund", "billing", "ja_other", "task", "deleted")
    assert shown(client.get("/?sort=DURATION&order=DESCENDING"))[:2] == named(w, "task", "deleted")
    body = client.get("/").content.decode()
    assert 'aria-sort="descending"' in body and "order=ASCENDING" in body
    for size in (25, 50, 100):
        assert client.get(f"/?page_size={size}").status_code == 200
    assert client.get("/?page_size=7").status_code == 400


def test_totals_beyond_the_cap_show_a_plus(search_world, settings):
    settings.SEARCH_RESULT_CAP = 5
    body = logged_in(search_world.users.admin).get("/").content.decode()
    assert "5+ contacts" in body
    assert "Next page" not in body  # nothing is served past the cap


def test_next_page_link(search_world, monkeypatch):
    w = search_world
    monkeypatch.setattr("search.views.PAGE_SIZES", (2, 25, 50, 100))
    from search import forms

    monkeypatch.setattr(forms.SearchForm.base_fields["page_size"], "choices", [(2, 2), (25, 25)])
    client = logged_in(w.users.sales_mgr)
    first = client.get("/?page_size=2&sort=INITIATION_TIMESTAMP&order=ASCENDING")
    body = first.content.decode()
    link = re.search(r'href="/\?([^"]*page_token=[^"]*)" hx-get', body).group(1).replace("&amp;", "&")
    second = client.get("/?" + link)
    assert shown(first) == named(w, "old", "refund")
    assert shown(second) == named(w, "billing", "ja_other")
    assert "showing 3–4" in second.content.decode()
    assert "First page" in second.content.decode()


def test_htmx_gets_only_the_results(search_world):
    response = logged_in(search_world.users.admin).get(
        "/?channel=CHAT", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results"
    )
    body = response.content.decode()
    assert "<html" not in body and "result-count" in body and shown(response) == named(search_world, "billing")


def test_page_is_accessible(search_world):
    body = logged_in(search_world.users.admin).get("/").content.decode()
    assert 'aria-live="polite"' in body and 'role="search"' in body
    assert "<legend>" in body and '<th scope="col"' in body
    for field in re.findall(r'<input type="(?:text|number|datetime-local)" name="([^"]+)"[^>]*id="([^"]+)"', body):
        assert f'for="{field[1]}"' in body, field


def test_every_page_search_is_audited(search_world):
    w = search_world
    before = AuditEvent.objects.filter(action="search").count()
    logged_in(w.users.admin).get("/?customer_phone=090-1111-2222")
    event = AuditEvent.objects.filter(action="search").latest("id")
    assert AuditEvent.objects.filter(action="search").count() == before + 1
    assert event.details["via"] == "page" and event.details["criteria"]["customer_phone"] == "•••"


# --- Columns ------------------------------------------------------------------------------


@pytest.mark.parametrize("sort", ["INITIATION_TIMESTAMP", "DURATION", "AGENT_SENTIMENT"])
@pytest.mark.parametrize("url", ["/", "/search/export.csv"])
def test_rows_cost_no_query_each_with_every_column(search_world, url, sort):
    """Rows load only what the chosen columns show, joined in the one query: one
    contact or all of them take the same number of queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from search.selectors.columns import COLUMNS

    w = search_world
    w.users.admin.search_columns = [c.key for c in COLUMNS]
    w.users.admin.save(update_fields=["search_columns"])
    client = logged_in(w.users.admin)
    counts, bodies = [], []
    for query in ("customer_phone=090-1111-2222", ""):  # one contact, then all of them
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"{url}?sort={sort}&{query}")
        assert response.status_code == 200
        counts.append(len(queries))
        bodies.append(response.content.decode("utf-8-sig"))
    assert counts[0] == counts[1]
    everything = bodies[1]
    rows = re.findall(r'<th scope="row">', everything) if url == "/" else everything.splitlines()[1:]
    assert len(rows) > 5
    for value in ("sa", "Billing", "Basic Routing", "Tokyo / Sales / Sales A", "+81312345678"):
        assert value in everything


def test_chosen_columns_are_remembered(search_world):
    w = search_world
    client = logged_in(w.users.admin)
    response = client.post(
        "/search/columns", {"columns": ["agent", "customer_sentiment", "recording"], "query": "channel=CHAT"}
    )
    assert response.status_code == 302 and response["Location"] == "/?channel=CHAT"
    w.users.admin.refresh_from_db()
    assert w.users.admin.search_columns == ["agent", "customer_sentiment", "recording"]
    body = client.get("/").content.decode()
    headers = re.findall(r'<th scope="col"[^>]*>(?:<a [^>]*>)?([^<]+)', body)
    assert headers == ["Contact ID", "Agent", "Recording", "Customer sentiment"]
    assert ">Available<" in body


def test_columns_a_user_may_not_see_are_not_offered_or_kept(search_world):
    w = search_world
    client = logged_in(w.users.agent_sa)  # no GraphTrends.View
    client.post("/search/columns", {"columns": ["agent", "customer_sentiment"]})
    w.users.agent_sa.refresh_from_db()
    assert w.users.agent_sa.search_columns == ["agent"]
    assert 'value="customer_sentiment"' not in client.get("/").content.decode()


# --- Export -------------------------------------------------------------------------------


def export(client, query: str = "") -> list[list[str]]:
    response = client.get(f"/search/export.csv?{query}")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == 'attachment; filename="contacts.csv"'
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_export_is_the_search_in_scope_with_the_users_columns(search_world):
    w = search_world
    w.users.sales_mgr.search_columns = ["initiation_ts", "agent", "customer_sentiment", "customer_phone"]
    w.users.sales_mgr.save(update_fields=["search_columns"])
    rows = export(logged_in(w.users.sales_mgr), "sort=INITIATION_TIMESTAMP&order=ASCENDING")
    assert rows[0] == ["Contact ID", "Initiated", "Agent", "Customer phone number", "Customer sentiment"]
    assert [r[0] for r in rows[1:]] == named(w, "old", "refund", "billing", "ja_other", "task", "deleted")
    refund = rows[2]
    assert refund[1] == "2026-10-01T09:00:00+00:00" and refund[2] == "sa"
    assert refund[3] == "'+81312345678" and refund[4] == "-2.0"  # text that looks like a formula stays text


def test_export_only_columns_the_user_may_see(search_world):
    w = search_world
    w.users.agent_sa.search_columns = ["initiation_ts", "customer_sentiment", "categories"]
    w.users.agent_sa.save(update_fields=["search_columns"])
    rows = export(logged_in(w.users.agent_sa))
    assert rows[0] == ["Contact ID", "Initiated"]
    assert {r[0] for r in rows[1:]} == set(named(w, "refund", "ja_other", "deleted", "old"))


def test_export_is_capped_and_audited(search_world, settings):
    w = search_world
    settings.EXPORT_ROW_CAP = 3
    rows = export(logged_in(w.users.admin), "customer_phone=03-1234-5678")
    assert len(rows) == 1 + 3
    event = AuditEvent.objects.filter(action="export").latest("id")
    assert event.actor == w.users.admin and event.details["rows"] == 3
    assert event.details["criteria"]["customer_phone"] == "•••"


def test_export_refuses_filters_the_user_may_not_use(search_world):
    response = logged_in(search_world.users.agent_sa).get("/search/export.csv?keywords=refund")
    assert response.status_code == 403 and b"ContactSearchWithKeywords.Access" in response.content
    assert not AuditEvent.objects.filter(action="export").exists()


def test_export_in_japanese_keeps_utf8(search_world):
    w = search_world
    w.users.admin.search_columns = ["hierarchy"]
    w.users.admin.save(update_fields=["search_columns"])
    response = logged_in(w.users.admin).get("/search/export.csv?keywords=解約")
    assert response.content.startswith("\ufeff".encode())
    assert "Tokyo / Support / Support A" in response.content.decode("utf-8-sig")


# --- Saved searches ---------------------------------------------------------------------


def test_saved_searches_are_private(search_world):
    w = search_world
    owner = logged_in(w.users.sales_mgr)
    response = owner.post("/search/saved", {"name": "Refunds", "query": "keywords=refund"})
    assert response.status_code == 302
    saved = SavedSearch.objects.get(user=w.users.sales_mgr)
    assert saved.name == "Refunds" and saved.query == "keywords=refund"
    assert 'href="/?keywords=refund">Refunds</a>' in owner.get("/").content.decode()

    other = logged_in(w.users.osaka_mgr)
    assert "Refunds" not in other.get("/").content.decode()
    other.post(f"/search/saved/{saved.pk}/delete")
    assert SavedSearch.objects.filter(pk=saved.pk).exists()

    owner.post(f"/search/saved/{saved.pk}/delete")
    assert not SavedSearch.objects.filter(pk=saved.pk).exists()


def test_saved_query_is_only_ever_a_query_of_this_page(search_world):
    client = logged_in(search_world.users.admin)
    response = client.post("/search/saved", {"name": "Odd", "query": "channel=CHAT\r\nSet-Cookie: x=1&a=<b>"})
    assert response.status_code == 302 and "\n" not in response["Location"]
    saved = SavedSearch.objects.get(name="Odd")
    assert saved.query == "channel=CHAT%0D%0ASet-Cookie%3A+x%3D1&a=%3Cb%3E"


def test_saving_under_the_same_name_replaces(search_world):
    client = logged_in(search_world.users.admin)
    client.post("/search/saved", {"name": "Mine", "query": "channel=CHAT"})
    client.post("/search/saved", {"name": "Mine", "query": "channel=VOICE"})
    assert list(SavedSearch.objects.values_list("name", "query")) == [("Mine", "channel=VOICE")]


def test_rerunning_a_saved_search(search_world):
    w = search_world
    client = logged_in(w.users.admin)
    client.post("/search/saved", {"name": "Chats", "query": "channel=CHAT"})
    body = client.get("/").content.decode()
    href = re.search(r'<a href="(/\?[^"]+)">Chats</a>', body).group(1)
    assert shown(client.get(href.replace("&amp;", "&"))) == named(w, "billing")


# --- Searchable attributes -------------------------------------------------------------


def test_attribute_settings_need_their_permission(search_world):
    assert logged_in(search_world.users.sales_mgr).get("/settings/attributes/").status_code == 403
    assert logged_in(search_world.users.admin).get("/settings/attributes/").status_code == 200


def test_attribute_settings_add_and_remove_are_audited(search_world):
    w = search_world
    client = logged_in(w.users.admin)
    client.post("/settings/attributes/", {"key": "accountNumber", "action": "add"})
    assert SearchableAttributeKey.objects.filter(key="accountNumber").exists()
    assert "accountNumber" in client.get("/settings/attributes/").content.decode()
    added = AuditEvent.objects.filter(action="searchable_attribute_add").latest("id")
    assert added.details == {"key": "accountNumber"} and added.actor == w.users.admin
    client.post("/settings/attributes/", {"key": "accountNumber", "action": "remove"})
    assert not SearchableAttributeKey.objects.filter(key="accountNumber").exists()
    assert AuditEvent.objects.filter(action="searchable_attribute_remove").exists()


def test_searchable_attribute_command(db, capsys):
    call_command("searchable_attribute", "add", "customerTier")
    call_command("searchable_attribute", "add", "accountNumber")
    call_command("searchable_attribute", "list")
    assert capsys.readouterr().out.splitlines()[-2:] == ["accountNumber", "customerTier"]
    call_command("searchable_attribute", "remove", "accountNumber")
    assert list(SearchableAttributeKey.objects.values_list("key", flat=True)) == ["customerTier"]
    from django.core.management import CommandError

    with pytest.raises(CommandError):
        call_command("searchable_attribute", "remove", "accountNumber")


def test_anonymous_users_are_sent_to_log_in(db):
    response = Client().get("/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_only_own_contacts_for_an_agent(search_world):
    w = search_world
    assert set(shown(logged_in(w.users.agent_sa).get("/"))) == set(named(w, "refund", "ja_other", "deleted", "old"))
    other = make_user("agent-nobody", profiles=["Agent"])
    assert shown(logged_in(other).get("/")) == []
