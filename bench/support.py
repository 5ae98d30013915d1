"""Helpers for benchmarks: start the platform as a real process, register a client, run wrk."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
LINGTAN = str(Path(sys.executable).with_name("lingtan"))


@dataclass
class Platform:
    """A `lingtan serve` process."""

    process: subprocess.Popen[bytes]
    url: str
    env: dict[str, str]
    started_seconds: float

    def rss_mb(self) -> float:
        """Resident memory of the process in MB."""
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        kb = int(re.search(r"VmRSS:\s+(\d+)", status).group(1))  # type: ignore[union-attr]
        return kb / 1024

    def client(self, owner: str, scopes: str) -> dict[str, str]:
        """Register a client with the CLI (as an operator would)."""
        out = subprocess.run(
            [LINGTAN, "client", "create", "--name", "bench", "--owner", owner, "--scope", scopes],
            env=self.env,
            check=True,
            capture_output=True,
            text=True,
        )
        created: dict[str, str] = json.loads(out.stdout)
        return created

    def token(self, client: dict[str, str], scope: str | None = None) -> str:
        """An access token for a registered client."""
        data = {"grant_type": "client_credentials"}
        if scope:
            data["scope"] = scope
        r = httpx.post(f"{self.url}/oauth/token", data=data, auth=(client["client_id"], client["client_secret"]))
        r.raise_for_status()
        return str(r.json()["access_token"])


@contextlib.contextmanager
def running_platform(
    extra_env: dict[str, str] | None = None, port: int = 8000, serve_args: list[str] | None = None
) -> Iterator[Platform]:
    """Start `lingtan serve` on a scratch data dir and wait until the gateway and services answer."""
    with tempfile.TemporaryDirectory() as data:
        env = {
            **os.environ,
            "LINGTAN_DATA_DIR": data,
            "LINGTAN_GATEWAY_RATE_PER_SECOND": "1000000",
            "LINGTAN_GATEWAY_RATE_BURST": "1000000",
            **(extra_env or {}),
        }
        started = time.perf_counter()
        process = subprocess.Popen(
            [LINGTAN, "serve", "--port", str(port), *(serve_args or [])],
            env=env,
            cwd=data,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if all(
                        httpx.get(f"{url}/{s}/health").status_code == 200
                        for s in ("accounting", "registry", "certification", "disclosure")
                    ):
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("platform did not start")
                time.sleep(0.1)
            yield Platform(process, url, env, time.perf_counter() - started)
        finally:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


@dataclass
class WrkResult:
    """What wrk measured."""

    requests_per_second: float
    median_ms: float
    errors: int


def _ms(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(url: str, headers: dict[str, str], connections: int = 16, seconds: int = 10, threads: int = 1) -> WrkResult:
    """Run wrk against `url` and parse its throughput and median latency."""
    args = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency"]
    for name, value in headers.items():
        args += ["-H", f"{name}: {value}"]
    out = subprocess.run([*args, url], check=True, capture_output=True, text=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    median = _ms(re.search(r"^\s*50%\s+(\S+)", out, re.MULTILINE).group(1))  # type: ignore[union-attr]
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
    return WrkResult(rps, median, errors)
