#!/usr/bin/env python3
"""Files throughput: upload and download one large file through the QuickBlox Content API.

One command:  python bench/files/run.py  [--size-mb 100] [--backends local,s3] [--json]

For each backend it starts `objectbase serve` as its own process (SQLite in a fresh data folder;
files in that folder, or in S3 served by moto in a third process), then over real HTTP on loopback:
creates a blob (C1), streams the file to the upload URL (C2) as one multipart body, completes it
(C3) and streams it back (C9), checking the SHA-256. It reports MB/s (10^6 bytes per second, wall
clock, client side) and the server process's peak resident memory (VmHWM from /proc, reset with
clear_refs before each transfer, so each figure is the peak during that transfer alone).

moto keeps objects in its own memory and is no S3: its figures show our overhead on an S3-shaped
backend, not what AWS or MinIO would give.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Iterator

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from objectbase.core.actor import Actor  # noqa: E402
from objectbase.core.services import Services  # noqa: E402
from objectbase.core.users import NewUser  # noqa: E402
from objectbase.security.signatures import sign_params  # noqa: E402
from objectbase.settings import Settings  # noqa: E402
from objectbase.storage import open_storage  # noqa: E402
from tests.files.s3server import MotoServer, free_port  # noqa: E402

CHUNK = os.urandom(1024 * 1024)
MB = 1_000_000


@dataclass
class Result:
    backend: str
    size_bytes: int
    upload_mb_s: float
    download_mb_s: float
    server_rss_idle_mib: float
    server_peak_rss_upload_mib: float
    server_peak_rss_download_mib: float


def _status(pid: int, field: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024  # kB -> MiB
    raise RuntimeError(f"{field} not in /proc/{pid}/status")


def _reset_peak(pid: int) -> None:
    # "5" resets the peak RSS (VmHWM) to the current RSS (Linux >= 4.0).
    Path(f"/proc/{pid}/clear_refs").write_text("5")


class Server:
    def __init__(self, data_dir: Path, env: dict[str, str], max_upload: int) -> None:
        self.port = free_port()
        self.log = open(data_dir / "server.log", "wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "objectbase", "serve", "--host", "127.0.0.1", "--port", str(self.port),
             "--data-dir", str(data_dir), "--max-upload-bytes", str(max_upload)],
            env={**os.environ, **env}, stdout=self.log, stderr=subprocess.STDOUT, cwd=ROOT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if self.request("GET", "/health")[0] == 200:
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"server did not start; see {data_dir / 'server.log'}")

    def connection(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        conn = self.connection()
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)
        self.log.close()


def _prepare(settings: Settings) -> tuple[Any, str, str]:
    """An app and a user, made through the core before the server starts (the CLI would do the same)."""
    storage = open_storage(settings.resolved_database_url, secrets=settings.secret_box())
    services = Services.build(storage)
    credentials = services.apps.create_app("bench")
    services.users.create_user(Actor.admin(credentials.app_id), NewUser({"login": "bench"}, "password1"))
    storage.close()
    return credentials, "bench", "password1"


def _json(server: Server, method: str, path: str, data: dict[str, Any], token: str | None = None) -> Any:
    headers = {"Content-Type": "application/json", **({"QB-Token": token} if token else {})}
    status, body = server.request(method, path, json.dumps(data).encode(), headers)
    if status >= 300:
        raise RuntimeError(f"{method} {path}: {status} {body[:300]!r}")
    return json.loads(body) if body else None


def _multipart(fields: list[tuple[str, str]], size: int, boundary: str) -> tuple[int, Iterator[bytes], Any]:
    head = b"".join(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
                    for k, v in fields)
    head += (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="bench.bin"\r\n'
             "Content-Type: application/octet-stream\r\n\r\n").encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    digest = hashlib.sha256()

    def body() -> Iterator[bytes]:
        yield head
        sent = 0
        while sent < size:
            piece = CHUNK[:min(len(CHUNK), size - sent)]
            digest.update(piece)
            sent += len(piece)
            yield piece
        yield tail
    return len(head) + size + len(tail), body(), digest


def run_backend(backend: str, size: int) -> Result:
    with tempfile.TemporaryDirectory(prefix=f"ob-bench-{backend}-") as folder:
        data_dir = Path(folder)
        env: dict[str, str] = {}
        moto: MotoServer | None = None
        if backend == "s3":
            moto = MotoServer()
            bucket = f"bench-{uuid.uuid4().hex[:12]}"
            moto.client().create_bucket(Bucket=bucket)
            env = {"OBJECTBASE_FILES_URL": f"s3://{bucket}/objectbase", "OBJECTBASE_S3_ENDPOINT_URL": moto.endpoint_url,
                   "OBJECTBASE_S3_REGION": moto.REGION, "OBJECTBASE_S3_ACCESS_KEY_ID": moto.KEY,
                   "OBJECTBASE_S3_SECRET_ACCESS_KEY": moto.KEY}
        credentials, login, password = _prepare(Settings(data_dir=str(data_dir)))
        server = Server(data_dir, env, max_upload=size + 1)
        try:
            session_params: dict[str, Any] = {
                "application_id": credentials.app_id, "auth_key": credentials.auth_key,
                "nonce": 1, "timestamp": int(time.time()), "user": {"login": login, "password": password}}
            session_params["signature"] = sign_params(session_params, credentials.auth_secret)
            token = _json(server, "POST", "/session.json", session_params)["session"]["token"]
            blob = _json(server, "POST", "/blobs.json", {"blob": {"name": "bench.bin",
                                                                  "content_type": "application/octet-stream"}},
                         token)["blob"]
            params = urllib.parse.urlsplit(blob["blob_object_access"]["params"])
            fields = urllib.parse.parse_qsl(params.query)
            idle = _status(server.process.pid, "VmRSS")

            boundary = uuid.uuid4().hex
            length, body, sent_digest = _multipart(fields, size, boundary)
            _reset_peak(server.process.pid)
            conn = server.connection()
            started = time.perf_counter()
            conn.putrequest("POST", params.path)
            conn.putheader("Content-Type", f"multipart/form-data; boundary={boundary}")
            conn.putheader("Content-Length", str(length))
            conn.endheaders()
            for piece in body:
                conn.send(piece)
            response = conn.getresponse()
            response.read()
            upload_seconds = time.perf_counter() - started
            conn.close()
            if response.status != 201:
                raise RuntimeError(f"upload answered {response.status}")
            upload_peak = _status(server.process.pid, "VmHWM")
            _json(server, "PUT", f"/blobs/{blob['id']}/complete.json", {"size": size}, token)

            _reset_peak(server.process.pid)
            conn = server.connection()
            received = hashlib.sha256()
            count = 0
            started = time.perf_counter()
            conn.request("GET", f"/blobs/{blob['uid']}", headers={"QB-Token": token})
            response = conn.getresponse()
            while piece := response.read(1024 * 1024):
                received.update(piece)
                count += len(piece)
            download_seconds = time.perf_counter() - started
            conn.close()
            download_peak = _status(server.process.pid, "VmHWM")
            if response.status != 200 or count != size or received.digest() != sent_digest.digest():
                raise RuntimeError("download did not return the uploaded bytes")
        finally:
            server.stop()
            if moto is not None:
                moto.stop()
    return Result(backend, size, round(size / MB / upload_seconds, 1), round(size / MB / download_seconds, 1),
                  round(idle, 1), round(upload_peak, 1), round(download_peak, 1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mb", type=int, default=100, help="file size in MB (10^6 bytes)")
    parser.add_argument("--backends", default="local,s3", help="comma-separated: local, s3")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args()
    results = [run_backend(b.strip(), args.size_mb * MB) for b in args.backends.split(",") if b.strip()]
    if args.json:
        print(json.dumps([asdict(r) for r in results], indent=2))
        return
    print(f"{'backend':8} {'size':>8} {'upload MB/s':>12} {'download MB/s':>14} {'RSS idle':>9} "
          f"{'peak RSS up':>12} {'peak RSS down':>14}")
    for r in results:
        print(f"{r.backend:8} {r.size_bytes // MB:>6}MB {r.upload_mb_s:>12} {r.download_mb_s:>14} "
              f"{r.server_rss_idle_mib:>7}Mi {r.server_peak_rss_upload_mib:>10}Mi "
              f"{r.server_peak_rss_download_mib:>12}Mi")


if __name__ == "__main__":
    main()
