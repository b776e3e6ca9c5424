"""The embedded PostgreSQL, Redis and S3: started, reused, skipped, stopped, and clear failures.

These tests start real servers in a short temporary var dir under /tmp (the
PostgreSQL unix socket path has a ~107 byte limit) and need no Django settings.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pytest

from portal.devstack import DevstackError, down, load_service_env, status, up
from portal.devstack import postgres as devstack_postgres
from portal.devstack import redis as devstack_redis
from portal.devstack.proc import pid_alive, read_pid

REPO = Path(__file__).resolve().parents[1]
SERVICE_VARS = ("DATABASE_URL", "REDIS_URL", "S3_ENDPOINT_URL", "PORTAL_VAR_DIR")


@dataclass
class Stack:
    var: Path
    env: dict[str, str]
    lines: list[str] = field(default_factory=list)


def _short_tmp() -> Path:
    return Path(tempfile.mkdtemp(prefix="pd", dir="/tmp"))


def _clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in SERVICE_VARS}
    return {**env, **extra}


def _cli(*args: str, var: Path | str, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "portal.devstack", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=90,
        env=_clean_env(PORTAL_VAR_DIR=str(var), **extra),
    )


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    var = _short_tmp()
    with pytest.MonkeyPatch.context() as mp:
        for name in SERVICE_VARS:
            mp.delenv(name, raising=False)
        lines: list[str] = []
        try:
            yield Stack(var, up(var, echo=lines.append), lines)
        finally:
            down(var)
            shutil.rmtree(var, ignore_errors=True)


@pytest.fixture
def scratch(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    for name in SERVICE_VARS:
        monkeypatch.delenv(name, raising=False)
    var = _short_tmp()
    try:
        yield var
    finally:
        down(var)
        shutil.rmtree(var, ignore_errors=True)


def test_up_starts_all_three(stack: Stack) -> None:
    assert [line.split(" (")[0] for line in stack.lines] == [
        "postgres: started",
        "redis: started",
        "s3: started",
    ]
    assert stack.env["DATABASE_URL"].startswith("postgres://postgres@%2F")
    assert stack.env["DATABASE_URL"].endswith("/portal")
    assert stack.env["REDIS_URL"].startswith("redis://127.0.0.1:")
    assert stack.env["AWS_REGION"] == "us-east-1"
    assert json.loads((stack.var / "services.json").read_text()) == stack.env
    assert load_service_env(stack.var) == stack.env


def test_services_answer(stack: Stack) -> None:
    import boto3
    import psycopg
    import redis

    with psycopg.connect(stack.env["DATABASE_URL"]) as conn:
        assert conn.execute("select 1, current_database()").fetchone() == (1, "portal")
    assert redis.Redis.from_url(stack.env["REDIS_URL"]).ping() is True
    s3 = boto3.client(
        "s3",
        endpoint_url=stack.env["S3_ENDPOINT_URL"],
        region_name=stack.env["AWS_REGION"],
        aws_access_key_id=stack.env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=stack.env["AWS_SECRET_ACCESS_KEY"],
    )
    s3.create_bucket(Bucket="devstack-test")
    s3.put_object(Bucket="devstack-test", Key="hello.txt", Body=b"hello")
    assert s3.get_object(Bucket="devstack-test", Key="hello.txt")["Body"].read() == b"hello"


def _shared_buffers_mb(url: str) -> int:
    import psycopg

    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT setting::bigint * 8192 / 1048576 FROM pg_settings WHERE name = 'shared_buffers'")
        return row.fetchone()[0]


def test_postgres_gets_a_cache_sized_to_the_machine(stack: Stack) -> None:
    (setting,) = devstack_postgres.memory_settings()
    wanted = int(setting.split("'")[1].removesuffix("MB"))
    assert 128 <= wanted <= 2048
    assert _shared_buffers_mb(stack.env["DATABASE_URL"]) == wanted

    # An existing data dir with an older value of ours gets the current one at its next start.
    conf = stack.var / "pg" / "postgresql.conf"
    conf.write_text(conf.read_text().replace(setting, "shared_buffers = '16MB'"))
    down(stack.var)
    env = up(stack.var, echo=lambda line: None)
    assert _shared_buffers_mb(env["DATABASE_URL"]) == wanted
    assert conf.read_text().count("set by portal.devstack") == 1


def test_second_up_reuses_quickly(stack: Stack) -> None:
    began = time.monotonic()
    done = _cli("up", var=stack.var)
    elapsed = time.monotonic() - began
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        f"postgres: reused ({stack.env['DATABASE_URL']})",
        f"redis: reused ({stack.env['REDIS_URL']})",
        f"s3: reused ({stack.env['S3_ENDPOINT_URL']})",
    ]
    assert elapsed < 3, f"reuse took {elapsed:.2f} s"
    assert load_service_env(stack.var) == stack.env


def test_status_reports_running(stack: Stack) -> None:
    assert all(report.ok and report.state == "running" for report in status(stack.var))
    done = _cli("status", var=stack.var)
    assert done.returncode == 0, done.stdout + done.stderr
    assert len(done.stdout.splitlines()) == 3


def test_environment_url_skips_the_service(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDIS_URL", "redis://redis.example.internal:6379/0")
    monkeypatch.setenv("S3_ENDPOINT_URL", "")  # empty counts as unset
    lines: list[str] = []
    env = up(stack.var, echo=lines.append)
    assert "redis: skipped (REDIS_URL is set)" in lines
    assert "REDIS_URL" not in env and "REDIS_URL" not in load_service_env(stack.var)
    assert env["S3_ENDPOINT_URL"] == stack.env["S3_ENDPOINT_URL"]
    monkeypatch.delenv("REDIS_URL")
    assert up(stack.var) == stack.env  # the embedded Redis was left running


def test_missing_binary_is_one_clear_line(scratch: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgres://db.example.internal/portal")
    monkeypatch.setenv("S3_ENDPOINT_URL", "http://s3.example.internal")
    monkeypatch.setattr(devstack_redis, "_candidates", lambda: [scratch / "no-such-redis-server"])
    with pytest.raises(DevstackError) as caught:
        up(scratch)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("redis: could not start: redis-server not found")
    assert load_service_env(scratch) == {}


def test_unusable_var_dir_fails_without_traceback(scratch: Path) -> None:
    not_a_dir = scratch / "file"
    not_a_dir.write_text("")
    done = _cli("up", var=not_a_dir)
    assert done.returncode != 0
    assert done.stderr.strip() == f"devstack: cannot use var dir {not_a_dir}: Not a directory"


def test_long_var_path_moves_the_postgres_socket(scratch: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    deep = scratch / ("a" * 40) / ("b" * 40) / "var"
    monkeypatch.setenv("REDIS_URL", "redis://redis.example.internal:6379/0")
    monkeypatch.setenv("S3_ENDPOINT_URL", "http://s3.example.internal")
    env = up(deep)
    assert quote(str(deep / "pg"), safe="") not in env["DATABASE_URL"]  # socket moved out
    import psycopg

    with psycopg.connect(env["DATABASE_URL"]) as conn:
        assert conn.execute("select current_database()").fetchone() == ("portal",)
    down(deep)
    assert status(deep)[0].state == "down"


def test_down_stops_everything(stack: Stack) -> None:
    pids = {
        "postgres": read_pid(stack.var / "pg" / "postmaster.pid"),
        "redis": read_pid(stack.var / "redis" / "redis.pid"),
        "s3": read_pid(stack.var / "s3" / "weed.pid"),
    }
    assert all(pid_alive(pid) for pid in pids.values())
    lines: list[str] = []
    down(stack.var, echo=lines.append)
    assert lines == ["postgres: stopped", "redis: stopped", "s3: stopped"]
    assert not [name for name, pid in pids.items() if pid_alive(pid)]
    assert load_service_env(stack.var) == {}
    assert _cli("status", var=stack.var).returncode == 1
