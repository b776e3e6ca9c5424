"""A PostgreSQL that stops answering costs a web request seconds, not a hung thread.

The test database is reached through a relay that can stop passing bytes while keeping
both connections open: what a paused server or a network partition looks like to
psycopg, which has no read timeout of its own. Pausing the shared PostgreSQL instead
would stall every other suite using it.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest
from django.db import close_old_connections, connection

from tests.factories import make_user


class HangingRelay:
    """Relays TCP connections to PostgreSQL; `pause()` holds every byte until `resume()`."""

    def __init__(self, target: str | tuple[str, int]) -> None:
        self.target = target
        self.flowing = threading.Event()
        self.flowing.set()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _connect_upstream(self) -> socket.socket:
        if isinstance(self.target, str):
            upstream = socket.socket(socket.AF_UNIX)
            upstream.connect(self.target)
            return upstream
        return socket.create_connection(self.target)

    def _accept(self) -> None:
        while True:
            try:
                client, _address = self.listener.accept()
            except OSError:
                return
            upstream = self._connect_upstream()
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                self.flowing.wait()
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                end.close()

    def pause(self) -> None:
        self.flowing.clear()

    def resume(self) -> None:
        self.flowing.set()

    def close(self) -> None:
        self.resume()
        self.listener.close()


def _target(settings_dict: dict) -> str | tuple[str, int]:
    host, port = settings_dict["HOST"] or "/var/run/postgresql", int(settings_dict["PORT"] or 5432)
    return f"{host}/.s.PGSQL.{port}" if host.startswith("/") else (host, port)


@pytest.fixture
def relayed_database(transactional_db, settings) -> Iterator[HangingRelay]:
    """This process's default connection goes through the relay from its next connect."""
    settings.DB_QUERY_WAIT_SECONDS = 1.0
    saved = {key: connection.settings_dict[key] for key in ("HOST", "PORT")}
    relay = HangingRelay(_target(connection.settings_dict))
    connection.close()
    connection.settings_dict.update(HOST="127.0.0.1", PORT=str(relay.port))
    yield relay
    relay.close()
    connection.close()
    connection.settings_dict.update(saved)


def _request(client, path: str, **headers):
    close_old_connections()  # what a server does between requests
    started = time.monotonic()
    response = client.get(path, **headers)
    return response, time.monotonic() - started


def test_a_silent_database_is_answered_within_seconds_then_recovered(client, relayed_database, settings):
    client.raise_request_exception = False  # judge the answer a browser would get
    client.force_login(make_user("analyst", profiles=["QualityAnalyst"]))
    response, _seconds = _request(client, "/?keywords=refund")
    assert response.status_code == 200

    relayed_database.pause()
    # A kept connection: its health check gives up after DB_HEALTH_CHECK_SECONDS, then
    # reconnecting after DB_CONNECT_TIMEOUT (libpq tries with and without TLS over TCP).
    connect = settings.DATABASES["default"]["OPTIONS"]["connect_timeout"]
    response, seconds = _request(client, "/?keywords=refund")
    page = response.content.decode()
    assert response.status_code == 503 and seconds < settings.DB_HEALTH_CHECK_SECONDS + 2 * connect + 1, seconds
    assert "database is not answering" in page and "Traceback" not in page
    # A new connection: connecting gives up after DB_CONNECT_TIMEOUT.
    response, seconds = _request(client, "/api/v1/audit-events")
    assert response.status_code == 503 and seconds < 2 * connect + 1, seconds
    assert response.json()["Type"] == "ServiceUnavailableException"

    relayed_database.resume()
    response, seconds = _request(client, "/?keywords=refund")
    assert response.status_code == 200 and seconds < 2


def test_a_query_waiting_on_a_silent_database_is_cut(client, relayed_database, settings):
    """Without the health check in the way (a server that stops mid-request), the
    watchdog cuts the waiting query after DB_QUERY_WAIT_SECONDS."""
    client.raise_request_exception = False
    client.force_login(make_user("analyst", profiles=["QualityAnalyst"]))
    assert _request(client, "/")[0].status_code == 200
    connection.health_check_enabled = False
    relayed_database.pause()
    started = time.monotonic()
    response = client.get("/?keywords=refund")
    seconds = time.monotonic() - started
    assert response.status_code == 503 and seconds < settings.DB_QUERY_WAIT_SECONDS + 1, seconds
    relayed_database.resume()
    assert _request(client, "/?keywords=refund")[0].status_code == 200


def test_a_search_gets_its_statement_timeout_before_the_watchdog(client, relayed_database, settings):
    """The server's own timeout answers a slow search (asking to narrow it); the
    watchdog's allowance for that request is the statement timeout plus a grace."""
    from portal import db_watchdog

    db_watchdog._request.allowance = 1.0
    db_watchdog._allowance_from("SELECT set_config('statement_timeout', %s, true)", ["10000"])
    assert db_watchdog._request.allowance == 10 + db_watchdog.GRACE_SECONDS
