"""Private PostgreSQL, Redis and S3 servers, and the portal's own processes, that the
fault suite may kill and pause without disturbing the shared services.

Every server runs in its own process group, so one signal reaches the whole server
(the postmaster and its backends, weed and its goroutine threads). A restart reuses
the same data directory and port, as an operator's restart would.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

REPO = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
PG_BIN = Path(__import__("pgserver").__file__).parent / "pginstall" / "bin"
S3_KEYS = {"AWS_ACCESS_KEY_ID": "faults", "AWS_SECRET_ACCESS_KEY": "faults-secret", "AWS_REGION": "us-east-1"}


def wait_until(check: Callable[[], object], timeout: float, what: str, step: float = 0.05):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(step)


def free_port() -> int:
    """A free port whose +10000 twin (weed's gRPC port) is free too, below the ephemeral range."""
    import random

    for port in random.sample(range(12000, 22000), 500):
        if all(_port_free(p) for p in (port, port + 10000)):
            return port
    raise OSError("no free port pair")


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@dataclass
class Server:
    """A server process group that can be killed, paused and restarted in place."""

    name: str
    workdir: Path
    process: subprocess.Popen | None = None
    paused: bool = False

    def command(self) -> tuple[list[str], dict]:
        raise NotImplementedError

    def ready(self) -> bool:
        raise NotImplementedError

    ready_timeout = 20.0

    def start(self) -> None:
        args, kwargs = self.command()
        log = open(self.workdir / f"{self.name}.log", "ab")  # noqa: SIM115 - the child owns it
        self.process = subprocess.Popen(
            args, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, **kwargs
        )
        log.close()
        wait_until(self._ready_or_dead, self.ready_timeout, f"{self.name} to start (log: {self.log_tail()})")

    def _ready_or_dead(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError(f"{self.name} exited with {self.process.returncode}: {self.log_tail()}")
        return self.ready()

    def log_tail(self, size: int = 1500) -> str:
        with contextlib.suppress(OSError):
            return (self.workdir / f"{self.name}.log").read_text(errors="replace")[-size:]
        return ""

    def signal(self, sig: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, sig)

    def kill(self) -> None:
        """SIGKILL the whole group, as the OOM killer or a power cut would."""
        self.signal(signal.SIGKILL)
        self.process.wait(timeout=10)
        self.paused = False
        self.after_kill()

    def after_kill(self) -> None:
        """Wait until every process of the group is gone (backends outlive the postmaster briefly)."""
        wait_until(lambda: not _group_alive(self.process.pid), 10, f"{self.name}'s processes to exit")

    def pause(self) -> None:
        self.signal(signal.SIGSTOP)
        self.paused = True

    def resume(self) -> None:
        self.signal(signal.SIGCONT)
        self.paused = False

    def destroy(self) -> None:
        """SIGKILL, for the end of the suite: nothing of the server's state is kept."""
        if self.process is not None:
            self.signal(signal.SIGCONT)
            self.signal(signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=10)

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def ensure_up(self) -> None:
        if self.paused:
            self.resume()
        if not self.running:
            self.start()

    def stop(self) -> None:
        if self.process is None:
            return
        if self.paused:
            self.resume()
        if self.process.poll() is None:
            self.signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.signal(signal.SIGKILL)
                self.process.wait(timeout=10)
        # Children left behind by the group (none expected) go too.
        self.signal(signal.SIGKILL)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # Zombies count as gone.
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                if int(fields[2]) == pgid and fields[0] != "Z":
                    return True
    return False


class Postgres(Server):
    """`postgres` from the pgserver wheel, on a unix socket in its work dir. As root it
    runs as the `pgserver` user (PostgreSQL refuses root), which needs to enter the dir."""

    def __init__(self, workdir: Path) -> None:
        super().__init__("postgres", workdir)
        workdir.mkdir(parents=True, exist_ok=True)
        self.data = workdir / "data"
        self._user = {"user": "pgserver", "group": "pgserver", "extra_groups": []} if os.geteuid() == 0 else {}
        if self._user:
            os.chown(workdir, _uid("pgserver"), -1)
        subprocess.run(
            [str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8"],
            check=True, capture_output=True, timeout=60, cwd=workdir, **self._user,
        )  # fmt: skip

    def command(self) -> tuple[list[str], dict]:
        # fsync off: a killed process loses nothing the kernel already has, and tests are faster.
        args = [str(PG_BIN / "postgres"), "-D", str(self.data), "-k", str(self.workdir), "-h", "",
                "-c", "fsync=off", "-c", "max_connections=60"]  # fmt: skip
        return args, {"cwd": self.workdir, **self._user}

    def url(self, database: str) -> str:
        return f"postgres://postgres@{quote(str(self.workdir), safe='')}/{database}"

    def ready(self) -> bool:
        import psycopg

        try:
            with psycopg.connect(self.url("postgres"), connect_timeout=1) as conn:
                conn.execute("SELECT 1")
        except psycopg.Error:
            return False
        return True

    def execute(self, database: str, sql: str, params=None, *, autocommit: bool = True) -> list[tuple]:
        import psycopg

        with psycopg.connect(self.url(database), connect_timeout=3, autocommit=autocommit) as conn:
            cursor = conn.execute(sql, params)
            return cursor.fetchall() if cursor.description else []

    def stop(self) -> None:
        if self.process is not None and self.paused:
            self.resume()
        if self.running:
            self.signal(signal.SIGINT)  # fast shutdown
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=15)
        super().stop()

    def destroy(self) -> None:
        self.stop()  # a fast shutdown takes a moment, and leaves no shared memory behind


def _uid(name: str) -> int:
    import pwd

    return pwd.getpwnam(name).pw_uid


class Redis(Server):
    def __init__(self, workdir: Path) -> None:
        super().__init__("redis", workdir)
        self.port = free_port()
        (workdir / "redis.conf").write_text(
            f'bind 127.0.0.1\nport {self.port}\ndaemonize no\ndir "{workdir}"\nsave ""\nappendonly no\n'
        )

    def command(self) -> tuple[list[str], dict]:
        return [str(VENV_BIN / "redis-server"), str(self.workdir / "redis.conf")], {"cwd": self.workdir}

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def ready(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False


class S3(Server):
    """SeaweedFS with the devstack's flags (see portal/devstack/s3.py for why each is there)."""

    ready_timeout = 40.0
    # An object to read before a restarted server counts as up: buckets are listed (by
    # the filer) before the volume server has registered, and reads fail until then.
    probe: tuple[str, str] | None = None

    def __init__(self, workdir: Path) -> None:
        super().__init__("s3", workdir)
        self.ports = {role: free_port() for role in ("master", "volume", "filer", "s3")}
        (workdir / "data").mkdir()
        (workdir / "master.toml").write_text("[master.volume_growth]\ncopy_1 = 1\n")
        identity = {"name": "faults", "credentials": [{"accessKey": S3_KEYS["AWS_ACCESS_KEY_ID"],
                    "secretKey": S3_KEYS["AWS_SECRET_ACCESS_KEY"]}], "actions": ["Admin", "Read", "Write", "List"]}  # fmt: skip
        (workdir / "identities.json").write_text(json.dumps({"identities": [identity]}))

    def command(self) -> tuple[list[str], dict]:
        p = self.ports
        args = [str(VENV_BIN / "weed"), "-logtostderr", "server", f"-dir={self.workdir / 'data'}", "-ip=127.0.0.1",
                "-ip.bind=127.0.0.1", f"-master.port={p['master']}", f"-volume.port={p['volume']}", "-filer",
                f"-filer.port={p['filer']}", "-s3", f"-s3.port={p['s3']}",
                f"-s3.config={self.workdir / 'identities.json'}", "-s3.port.iceberg=0", "-s3.port.lance=0",
                "-master.telemetry=false", "-volume.max=0", "-master.volumeSizeLimitMB=64",
                "-volume.preStopSeconds=0", "-master.electionTimeout=1s", "-s3.readerCacheSizeMB=16",
                "-s3.cacheCapacityMB=0"]  # fmt: skip
        return args, {"cwd": self.workdir, "env": {**os.environ, "GOMEMLIMIT": "256MiB"}}

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.ports['s3']}"

    def client(self, timeout: float = 3):
        import boto3
        from botocore.config import Config

        config = Config(connect_timeout=1, read_timeout=timeout, retries={"total_max_attempts": 1},
                        s3={"addressing_style": "path"})  # fmt: skip
        return boto3.client("s3", endpoint_url=self.endpoint, aws_access_key_id=S3_KEYS["AWS_ACCESS_KEY_ID"],
                            aws_secret_access_key=S3_KEYS["AWS_SECRET_ACCESS_KEY"], region_name="us-east-1",
                            config=config)  # fmt: skip

    def ready(self) -> bool:
        try:
            client = self.client(timeout=2)
            client.list_buckets()
            if self.probe:
                client.get_object(Bucket=self.probe[0], Key=self.probe[1])["Body"].read()
        except Exception:  # noqa: BLE001 - any failure means "not ready yet"
            return False
        return True

    def stop(self) -> None:
        super().stop()
        self._forget_sockets()

    def destroy(self) -> None:
        super().destroy()
        self._forget_sockets()

    def _forget_sockets(self) -> None:
        tmp = Path(os.environ.get("TMPDIR") or "/tmp")
        for role, port in self.ports.items():
            for name in (f"seaweedfs-{role}-{port}.sock", f"seaweedfs-{role}-grpc-{port + 10000}.sock"):
                with contextlib.suppress(OSError):
                    (tmp / name).unlink()


@dataclass
class Portal:
    """The environment every portal process of the suite runs with."""

    postgres: Postgres
    redis: Redis
    s3: S3
    workdir: Path
    bucket: str
    database: str = "portal"
    extra: dict[str, str] = field(default_factory=dict)

    def env(self, database: str | None = None, **extra: str) -> dict[str, str]:
        return {
            **os.environ,
            **S3_KEYS,
            "DATABASE_URL": self.postgres.url(database or self.database),
            "REDIS_URL": self.redis.url,
            "S3_ENDPOINT_URL": self.s3.endpoint,
            "CONNECT_BUCKET": self.bucket,
            "CTR_SOURCE": f"s3://{self.bucket}/ctr/",
            "RECORDING_CACHE_DIR": str(self.workdir / "cache"),
            # var/ of the repository is never touched: secrets and state live in the work dir.
            "PORTAL_VAR_DIR": str(self.workdir / "var"),
            "DJANGO_SECRET_KEY": "faults-secret-key",
            "PORTAL_DATA_KEY": "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
            "DJANGO_DEBUG": "false",
            "CACHE_KEY_PREFIX": "faults",
            "LOG_LEVEL": "INFO",
            **self.extra,
            **extra,
        }

    def manage(self, *args: str, database: str | None = None, timeout: float = 60, **extra: str):
        return subprocess.run(
            [sys.executable, "manage.py", *args], cwd=REPO, env=self.env(database, **extra),
            capture_output=True, text=True, timeout=timeout,
        )  # fmt: skip


class Process(Server):
    """A portal process (web or worker): a server in the same sense, started with the portal env."""

    def __init__(self, name: str, workdir: Path, args: list[str], env: dict[str, str], ready: Callable[[], bool]):
        super().__init__(name, workdir)
        self._args, self._env, self._ready = args, env, ready
        self.ready_timeout = 60.0

    def command(self) -> tuple[list[str], dict]:
        return self._args, {"cwd": REPO, "env": self._env}

    def start(self) -> None:
        self.start_offset = self.log_size()
        super().start()

    def ready(self) -> bool:
        return self._ready()

    def log_since(self, offset: int) -> str:
        return self.log_tail(10**7)[offset:]

    def log_size(self) -> int:
        return len(self.log_tail(10**7))


def web_process(portal: Portal, workdir: Path) -> Process:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    # Threads, as in production: one hung request must not hold up the others.
    args = [str(VENV_BIN / "gunicorn"), "portal.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1",
            "--threads", "8", "--timeout", "30", "--graceful-timeout", "2"]  # fmt: skip

    def ready() -> bool:
        import requests

        try:
            return requests.get(f"{base}/accounts/login/", timeout=5).status_code in (200, 500, 503)
        except requests.RequestException:
            return False

    process = Process("web", workdir, args, portal.env(), ready)
    process.base_url = base  # type: ignore[attr-defined]
    return process


def worker_process(portal: Portal, workdir: Path, queue: str | None = None, **extra: str) -> Process:
    queue = queue or f"faults-{uuid.uuid4().hex[:8]}"
    args = [str(VENV_BIN / "celery"), "-A", "tests.faults.worker_app", "worker", "-Q", queue, "-n",
            f"{queue}@%h", "--concurrency", "1", "--pool", "prefork", "--without-gossip", "--without-mingle",
            "--without-heartbeat", "-l", "INFO"]  # fmt: skip
    env = portal.env(CELERY_QUEUE=queue, DB_CONN_MAX_AGE="60", **extra)
    holder: dict[str, Process] = {}

    def ready() -> bool:
        process = holder["process"]
        return " ready." in process.log_since(process.start_offset)

    process = Process(f"worker-{queue}", workdir, args, env, ready)
    holder["process"] = process
    process.queue = queue  # type: ignore[attr-defined]
    return process
