"""What the certification endpoints share: the service context, settings, issuer keys, readers and URLs."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request

from services.certification.certificates.keys import IssuerKeys, load_issuer_keys
from services.certification.settings import CertificationSettings
from services.certification.upstream.accounting import AccountingReader
from services.certification.upstream.registry import RegistryReader
from shared.app import ServiceContext


@dataclass
class CertificationRuntime:
    """The running certification service."""

    context: ServiceContext
    settings: CertificationSettings
    accounting: AccountingReader
    registry: RegistryReader
    _keys: IssuerKeys | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def start(cls, context: ServiceContext, settings: CertificationSettings) -> CertificationRuntime:
        """The runtime of a service context; readers use the service's own client."""
        return cls(context, settings, AccountingReader(context.client), RegistryReader(context.client))

    @property
    def keys(self) -> IssuerKeys:
        """The issuer keys, loaded (and in development created) on first use."""
        return self.load_keys()

    def load_keys(self) -> IssuerKeys:
        """Load the issuer keys once: the configured key recorded, or the development key made."""
        with self._lock:
            if self._keys is None:
                self._keys = load_issuer_keys(self.settings, self.context.database.writes)
            return self._keys

    @property
    def base_url(self) -> str:
        """The platform's public origin."""
        return self.settings.public_url.rstrip("/")

    @property
    def issuer_id(self) -> str:
        """The issuer's id in credentials: the certification service's public base URL."""
        return f"{self.base_url}/certification"

    def status_list_url(self, list_id: int) -> str:
        """Where a status list credential is published."""
        return f"{self.base_url}/certification/v1/status-lists/{list_id}"

    def certificate_url(self, certificate_id: str, suffix: str = "") -> str:
        """A certificate's public address (suffix '.pdf' or '.png' for its printable forms)."""
        return f"{self.base_url}/certification/v1/certificates/{quote(certificate_id, safe='')}{suffix}"

    def verification_url(self, certificate_id: str) -> str:
        """The public page that verifies a certificate: what its QR code opens."""
        return f"{self.base_url}/disclosure/verify?id={quote(certificate_id, safe='')}"


async def certification_runtime(request: Request) -> CertificationRuntime:
    """The running certification service, for endpoints (a coroutine: a plain function would cost
    every request a round trip through the thread pool)."""
    runtime: CertificationRuntime = request.app.state.certification
    return runtime


Runtime = Annotated[CertificationRuntime, Depends(certification_runtime)]
