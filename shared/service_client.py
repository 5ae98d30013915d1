"""Calls from one service to another: authenticated with the caller's own client-credentials token,
carrying the request id, with timeouts, and retried only when a retry cannot do a thing twice."""

from __future__ import annotations

import threading
import time
import uuid
from typing import Any

import httpx

from shared.auth.scopes import SERVICE_CLIENT_SCOPES, service_client_id, service_client_secret
from shared.logs import REQUEST_ID_HEADER, current_request_id
from shared.problems import BadGateway, ServiceUnavailable
from shared.settings import PlatformSettings
from shared.tracing import inject_headers

RETRY_STATUSES = {502, 503, 504}


class ServiceClient:
    """A pooled, authenticated HTTP client for one service's calls to the others."""

    def __init__(
        self,
        settings: PlatformSettings,
        service: str,
        transport: httpx.BaseTransport | None = None,
        attempts: int = 3,
    ) -> None:
        self.settings = settings
        self.service = service
        self.attempts = attempts
        self._http = httpx.Client(
            timeout=httpx.Timeout(10.0, connect=3.0),
            limits=httpx.Limits(max_connections=50, max_keepalive_connections=20),
            transport=transport,
        )
        self._token: str | None = None
        self._token_expires = 0.0
        self._lock = threading.Lock()

    def close(self) -> None:
        """Close pooled connections."""
        self._http.close()

    def _access_token(self, force: bool = False) -> str:
        with self._lock:
            if force or self._token is None or time.time() > self._token_expires - 30:
                response = self._http.post(
                    self.settings.token_url,
                    data={
                        "grant_type": "client_credentials",
                        "scope": SERVICE_CLIENT_SCOPES[self.service],
                    },
                    auth=(
                        service_client_id(self.service),
                        service_client_secret(self.service, self.settings.service_client_secret),
                    ),
                )
                if response.status_code != 200:
                    raise ServiceUnavailable(f"{self.service} could not obtain a service token")
                data = response.json()
                self._token = str(data["access_token"])
                self._token_expires = time.time() + float(data.get("expires_in", 300))
            return self._token

    def request(
        self, method: str, target: str, path: str, *, json: Any = None, params: dict[str, Any] | None = None
    ) -> httpx.Response:
        """Call `target` service; GETs and keyed POSTs are retried on connection errors and 502-504."""
        url = self.settings.service_url(target).rstrip("/") + path
        headers = {}
        if rid := current_request_id():
            headers[REQUEST_ID_HEADER] = rid
        inject_headers(headers)
        if method.upper() not in ("GET", "HEAD", "PUT", "DELETE"):
            # One key for every attempt makes a retried write safe at the receiver.
            headers["Idempotency-Key"] = str(uuid.uuid4())
        refreshed = False
        last_error: Exception | None = None
        for attempt in range(self.attempts):
            headers["Authorization"] = f"Bearer {self._access_token()}"
            try:
                response = self._http.request(method, url, json=json, params=params, headers=headers)
            except httpx.TransportError as exc:
                last_error = exc
                time.sleep(0.1 * 2**attempt)
                continue
            if response.status_code == 401 and not refreshed:
                refreshed = True
                self._access_token(force=True)
                continue
            if response.status_code in RETRY_STATUSES and attempt + 1 < self.attempts:
                time.sleep(0.1 * 2**attempt)
                continue
            return response
        raise BadGateway(f"{target} is not reachable: {type(last_error).__name__}")
