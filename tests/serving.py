"""A real `objectbase serve` process for tests: a free port, and waiting until it answers /health."""

from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path

import httpx2 as httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_healthy(base: str, process: subprocess.Popen[bytes], log: Path, timeout: float = 30) -> None:
    """Until `GET {base}/health` answers 200; fails with the server's log if it exits or never answers."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        assert process.poll() is None, f"server exited: {log.read_text(errors='replace')}"
        assert time.monotonic() < deadline, f"server did not start: {log.read_text(errors='replace')}"
        time.sleep(0.2)
