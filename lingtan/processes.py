"""`lingtan serve --processes`: the gateway and every service, each as its own uvicorn process.

The runner migrates every database once (`lingtan db upgrade`), starts one
`uvicorn lingtan.factory:<service> --factory` process per service on a loopback port (several
workers where asked), prepares the gateway once and starts it, waits until every process answers
its readiness check, and prints one JSON line with the URLs and process ids. Children are
configured by the environment alone: the runner's own, plus where the others are.

On SIGINT or SIGTERM it sends SIGTERM to every child, waits, then kills each child's whole process
group (a multi-worker child's workers included) with SIGKILL, and exits. A child that dies after it
was ready is started again on the same port; one that dies before it was ever ready stops the set.
A child that exits cleanly (its own SIGTERM: an operator stopping one service, say to restore its
database) stays stopped until the runner gets SIGUSR1, which starts every stopped child again.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import FrameType
from urllib.parse import urlsplit

from lingtan.healthcheck import is_ready
from shared.logs import configure_logging
from shared.settings import DEFAULT_PORTS, SERVICES

log = logging.getLogger("lingtan.processes")

ORDER = ("gateway", *SERVICES)
DEFAULT_WORKERS = {"gateway": 2, "disclosure": 2}
READY_TIMEOUT_SECONDS = 120.0
STOP_TIMEOUT_SECONDS = 20.0
GRACEFUL_SHUTDOWN_SECONDS = 10
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
WILDCARD_HOSTS = {"0.0.0.0", "::"}  # noqa: S104 - names the wildcard addresses, binds nothing
_PR_SET_PDEATHSIG = 1


def worker_count(value: str) -> tuple[str, int]:
    """Parse a `--workers SERVICE=N` option."""
    service, _, count = value.partition("=")
    if service not in ORDER or not count.isdigit() or int(count) < 1:
        raise argparse.ArgumentTypeError(f"expected SERVICE=N with SERVICE one of {', '.join(ORDER)} and N >= 1")
    return service, int(count)


@dataclass(frozen=True)
class ProcessSpec:
    """One child: which service, where it listens, how many workers."""

    service: str
    host: str
    port: int
    workers: int

    @property
    def url(self) -> str:
        """Where the runner (and the other services) reach it."""
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        """The uvicorn command line of this child."""
        return [
            sys.executable, "-m", "uvicorn", f"lingtan.factory:{self.service}", "--factory",
            "--host", self.host, "--port", str(self.port), "--workers", str(self.workers),
            "--no-access-log", "--log-level", "warning",
            "--timeout-graceful-shutdown", str(GRACEFUL_SHUTDOWN_SECONDS),
        ]


def _loopback_port(url: str | None) -> int | None:
    if not url:
        return None
    parts = urlsplit(url)
    return parts.port if parts.hostname in LOOPBACK_HOSTS else None


def plan(host: str, port: int, workers: Mapping[str, int], env: Mapping[str, str]) -> list[ProcessSpec]:
    """The children: gateway on host:port; each service on the loopback port of its LINGTAN_<SERVICE>_URL,
    else at the gateway's port plus its usual offset (8001-8004 next to a gateway on 8000)."""
    def count(service: str) -> int:
        return workers.get(service, DEFAULT_WORKERS.get(service, 1))

    specs = [ProcessSpec("gateway", host, port, count("gateway"))]
    for service in SERVICES:
        own = _loopback_port(env.get(f"LINGTAN_{service.upper()}_URL"))
        service_port = own or port + DEFAULT_PORTS[service] - DEFAULT_PORTS["gateway"]
        specs.append(ProcessSpec(service, "127.0.0.1", service_port, count(service)))
    ports = [spec.port for spec in specs]
    if len(set(ports)) != len(ports):
        raise ValueError(f"two services would share a port: {dict(zip(ORDER, ports, strict=True))}")
    return specs


def public_url(gateway: ProcessSpec) -> str:
    """The gateway's URL as a caller on this machine writes it."""
    if gateway.host in WILDCARD_HOSTS:
        return gateway.url
    host = f"[{gateway.host}]" if ":" in gateway.host else gateway.host
    return f"http://{host}:{gateway.port}"


def child_environment(specs: list[ProcessSpec], env: Mapping[str, str]) -> dict[str, str]:
    """The runner's environment plus where every service listens; the issuer defaults to the gateway."""
    gateway = next(spec for spec in specs if spec.service == "gateway")
    local, public = gateway.url, public_url(gateway)
    child = dict(env)
    for spec in specs:
        if spec.service != "gateway":
            child[f"LINGTAN_{spec.service.upper()}_URL"] = spec.url
    child.setdefault("LINGTAN_ISSUER", public)
    child.setdefault("LINGTAN_PUBLIC_URL", public)
    child.setdefault("LINGTAN_JWKS_URL", f"{local}/.well-known/jwks.json")
    child.setdefault("LINGTAN_TOKEN_URL", f"{local}/oauth/token")
    return child


def _die_with_parent() -> None:
    # Runs in the child between fork and exec: if the runner is killed outright (SIGKILL), the
    # kernel sends the child SIGTERM instead of leaving it running as an orphan.
    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


@dataclass
class Child:
    """A running child process and what the runner knows of it."""

    spec: ProcessSpec
    process: subprocess.Popen[bytes]
    started_at: float
    ready: bool = False
    restarts: int = 0
    stopped: bool = False


class StartFailed(RuntimeError):
    """A child or a set-up step failed before the set was ready."""


@dataclass
class ProcessSet:
    """The children, started and stopped together."""

    specs: list[ProcessSpec]
    env: dict[str, str]
    children: dict[str, Child] = field(default_factory=dict)
    restart_at: dict[str, float] = field(default_factory=dict)

    def run_step(self, args: list[str], what: str) -> None:
        """Run a one-shot set-up command with the children's environment; its output goes to stderr."""
        result = subprocess.run([sys.executable, *args], env=self.env, stdout=sys.stderr, check=False)  # noqa: S603
        if result.returncode != 0:
            raise StartFailed(f"{what} failed with exit code {result.returncode}")

    def start(self, service: str, restarts: int = 0) -> None:
        """Start one child in a process group of its own (so that its workers can be stopped with it)."""
        spec = next(s for s in self.specs if s.service == service)
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            spec.command(),
            env=self.env,
            stdout=sys.stderr,
            start_new_session=True,
            preexec_fn=_die_with_parent if sys.platform == "linux" else None,
        )
        self.children[service] = Child(spec, process, time.monotonic(), restarts=restarts)
        log.info("process started", extra={"service": service, "pid": process.pid, "port": spec.port,
                                           "workers": spec.workers})

    def wait_ready(self, stop_requested: SignalFlag, timeout: float = READY_TIMEOUT_SECONDS) -> bool:
        """Wait until every child answers its readiness check; False when a stop was asked for first."""
        deadline = time.monotonic() + timeout
        while not stop_requested.signal:
            for child in self.children.values():
                if child.process.poll() is not None:
                    raise StartFailed(f"{child.spec.service} exited with code {child.process.returncode} before ready")
                if not child.ready:
                    child.ready = is_ready(child.spec.url, timeout=1.0)
            if all(child.ready for child in self.children.values()):
                return True
            if time.monotonic() > deadline:
                late = sorted(c.spec.service for c in self.children.values() if not c.ready)
                raise StartFailed(f"not ready after {timeout:.0f} s: {', '.join(late)}")
            time.sleep(0.1)
        return False

    def supervise(self) -> None:
        """Start again a child that died after it was ready, backing off while it keeps dying; leave one that
        exited cleanly stopped."""
        now = time.monotonic()
        for service, child in list(self.children.items()):
            if child.process.poll() is None or child.stopped:
                continue
            if service not in self.restart_at:
                # Leftover workers of a dead multi-worker child would hold its port.
                _kill_group(child.process.pid)
                if child.process.returncode == 0:
                    child.stopped = True
                    log.warning("process stopped; SIGUSR1 to the runner starts it again",
                                extra={"service": service, "pid": child.process.pid, "runner_pid": os.getpid()})
                    continue
                quick = now - child.started_at < 30
                restarts = child.restarts + 1 if quick else 1
                self.restart_at[service] = now + min(30.0, 2.0 ** (restarts - 1))
                child.restarts = restarts
                log.warning("process exited; starting it again", extra={
                    "service": service, "pid": child.process.pid, "exit_code": child.process.returncode,
                    "restart_in_seconds": round(self.restart_at[service] - now, 1)})
            elif now >= self.restart_at[service]:
                del self.restart_at[service]
                self.start(service, restarts=child.restarts)

    def start_stopped(self) -> None:
        """Start again every child that was stopped on purpose."""
        for service, child in list(self.children.items()):
            if child.stopped:
                self.start(service)

    def stop(self, timeout: float = STOP_TIMEOUT_SECONDS) -> None:
        """SIGTERM every child, wait up to `timeout`, then SIGKILL whatever is left of each process group."""
        for child in self.children.values():
            if child.process.poll() is None:
                child.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for child in self.children.values():
            try:
                child.process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log.warning("process did not stop in time; killing it",
                            extra={"service": child.spec.service, "pid": child.process.pid})
        for child in self.children.values():
            if _group_alive(child.process.pid):
                _kill_group(child.process.pid)
            child.process.wait()

    def summary(self) -> dict[str, object]:
        """The JSON line printed once every child is ready."""
        return {
            "gateway": public_url(self.children["gateway"].spec),
            "services": {s.service: s.url for s in self.specs if s.service != "gateway"},
            "pids": {name: child.process.pid for name, child in self.children.items()},
            "workers": {s.service: s.workers for s in self.specs},
        }


@dataclass
class SignalFlag:
    """Set from a signal handler (a plain attribute: nothing in a handler may take a lock)."""

    signal: int | None = None

    def __call__(self, signum: int, _frame: FrameType | None) -> None:
        self.signal = signum


def serve_processes(host: str, port: int, workers: Mapping[str, int] | None = None) -> int:
    """Run the platform as separate processes until SIGINT or SIGTERM; 0 after a clean stop."""
    configure_logging(os.environ.get("LINGTAN_LOG_LEVEL", "INFO"))
    # One line per readiness probe would bury the children's own logs.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    try:
        specs = plan(host, port, workers or {}, os.environ)
    except ValueError as exc:
        log.error("platform not started", extra={"reason": str(exc)})
        return 2
    stop_requested, start_requested = SignalFlag(), SignalFlag()
    previous = {sig: signal.signal(sig, stop_requested) for sig in (signal.SIGINT, signal.SIGTERM)}
    previous[signal.SIGUSR1] = signal.signal(signal.SIGUSR1, start_requested)
    processes = ProcessSet(specs, child_environment(specs, os.environ))
    try:
        processes.run_step(["-m", "lingtan.cli", "db", "upgrade"], "lingtan db upgrade")
        for service in SERVICES:
            if stop_requested.signal is None:
                processes.start(service)
        if stop_requested.signal is None:
            # The services start meanwhile; only the gateway's workers need this done first.
            processes.run_step(["-m", "lingtan.factory", "prepare"], "gateway preparation")
            processes.start("gateway")
        if processes.wait_ready(stop_requested):
            sys.stdout.write(json.dumps(processes.summary()) + "\n")
            sys.stdout.flush()
            log.info("platform ready", extra=processes.summary())
        while stop_requested.signal is None:
            processes.supervise()
            if start_requested.signal is not None:
                start_requested.signal = None
                processes.start_stopped()
            time.sleep(0.2)
        log.info("stopping", extra={"signal": signal.Signals(stop_requested.signal).name})
        return 0
    except StartFailed as exc:
        if stop_requested.signal is not None:
            # Ctrl-C reaches a set-up step too (same terminal): that is a stop, not a failure.
            return 0
        log.error("platform did not start", extra={"reason": str(exc)})
        return 1
    finally:
        processes.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
