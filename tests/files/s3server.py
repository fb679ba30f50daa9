"""A local S3-compatible server for tests and benchmarks: moto's server mode, in its own process.

Its own process, so its memory (it keeps objects in RAM) never counts as ours when we measure.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from typing import Any

from objectbase.files.s3 import S3FileStore, make_s3_client

__all__ = ["MotoServer", "free_port"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class MotoServer:
    REGION = "us-east-1"
    KEY = "testing"

    def __init__(self) -> None:
        self.port = free_port()
        self.endpoint_url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        self._wait_until_up()

    def _wait_until_up(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("moto server exited at start-up")
            try:
                with urllib.request.urlopen(f"{self.endpoint_url}/moto-api/", timeout=1):
                    return
            except (urllib.error.URLError, ConnectionError, OSError):
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("moto server did not start in time")

    def client(self) -> Any:
        return make_s3_client(self.endpoint_url, self.REGION, self.KEY, self.KEY)

    def new_store(self, part_bytes: int = 5 * 1024 * 1024) -> S3FileStore:
        """A store on a fresh bucket, so tests never see each other's objects."""
        client = self.client()
        bucket = f"ob-{uuid.uuid4().hex[:16]}"
        client.create_bucket(Bucket=bucket)
        return S3FileStore(client, bucket, "objectbase", part_bytes=part_bytes)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
