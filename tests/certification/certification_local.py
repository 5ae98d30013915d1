"""A certification service of its own per test: migrated database, the app in process, fakes at its HTTP edge."""

from __future__ import annotations

import functools
import json
import time
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
from anyio.from_thread import BlockingPortal
from cryptography.hazmat.primitives.asymmetric import ec
from fastapi import FastAPI

from services.certification.app import create_app
from services.certification.settings import CertificationSettings
from shared import jws
from shared.db.engine import Database
from shared.service_client import ServiceClient
from tests.certification.certification_fakes import ACCOUNTING, GATEWAY, REGISTRY, Upstream

PUBLIC_URL = "https://lingtan.test"


def settings(**overrides: Any) -> CertificationSettings:
    """Settings pointing the service's calls at the fakes."""
    values: dict[str, Any] = {
        "env": "test",
        "issuer": GATEWAY,
        "token_url": f"{GATEWAY}/oauth/token",
        "jwks_url": f"{GATEWAY}/.well-known/jwks.json",
        "accounting_url": ACCOUNTING,
        "registry_url": REGISTRY,
        "public_url": PUBLIC_URL,
        "secret_key": "test-secret-key-for-certification",
        "service_client_secret": "test-service-secret",
        **overrides,
    }
    return CertificationSettings(**values)


@dataclass
class LocalCertification:
    """The app, an httpx.AsyncClient on it driven from sync tests, the fakes and a token minter."""

    app: FastAPI
    portal: BlockingPortal
    http: httpx.AsyncClient
    upstream: Upstream
    database: Database
    signing_key: ec.EllipticCurvePrivateKey
    settings: CertificationSettings

    @classmethod
    def start(
        cls, portal: BlockingPortal, database: Database, upstream: Upstream, **overrides: Any
    ) -> LocalCertification:
        """Build the app on a migrated database."""
        chosen = settings(**overrides)
        key = jws.generate_key()
        client = ServiceClient(chosen, "certification", transport=httpx.MockTransport(upstream.handle))

        async def platform_keys() -> dict[str, Any]:
            return {"keys": [jws.public_jwk(key)]}

        app = create_app(chosen, database, client=client, platform_keys=platform_keys)
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://certification.test")
        return cls(app, portal, http, upstream, database, key, chosen)

    def close(self) -> None:
        """Close the client."""
        self.portal.call(self.http.aclose)

    def token(self, owner: str, scopes: str) -> str:
        """An access token as the gateway would mint it."""
        now = int(time.time())
        claims = {
            "iss": self.settings.issuer, "sub": f"lt_{owner.replace(':', '_')}", "client_id": "lt_test",
            "aud": self.settings.audience("certification"), "iat": now, "nbf": now, "exp": now + 300,
            "jti": uuid.uuid4().hex, "scope": scopes, "owner": owner,
        }
        header = {"alg": "ES256", "typ": "at+jwt", "kid": jws.public_jwk(self.signing_key)["kid"]}
        return jws.sign_compact(header, json.dumps(claims).encode(), self.signing_key)

    def request(
        self, method: str, path: str, *, owner: str | None = None, scopes: str = "", **kwargs: Any
    ) -> httpx.Response:
        """One request to the app, with a token for owner and scopes when an owner is given."""
        headers = dict(kwargs.pop("headers", {}))
        if owner is not None:
            headers["Authorization"] = f"Bearer {self.token(owner, scopes)}"
        call = functools.partial(self.http.request, method, path, headers=headers, **kwargs)
        return self.portal.call(call)

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        """GET."""
        return self.request("GET", path, **kwargs)

    def post(self, path: str, body: Any, **kwargs: Any) -> httpx.Response:
        """POST a JSON body."""
        return self.request("POST", path, json=body, **kwargs)


ORGANIZER = "org:expo"
ISSUER = "org:hainan-office"
EVALUATOR = "org:accredited-body"
AUDITOR = "org:ecology-department"


def commitment(event: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """A self-commitment stating every item either province lists; `changes` set or (None) drop items."""
    contents: dict[str, Any] = {
        "method": "self_commitment",
        "event_name": event["name"],
        "organizers": event["organizers"],
        "scale": f"{event['expected_participants']} participants",
        "dates": f"{event['starts_at']} — {event['ends_at']}",
        "accounting_boundary": "venue energy, travel, hotels, catering, materials, waste",
        "accounted_emissions": f"{(event['accounted'] or {}).get('total_kgco2e')} kgCO2e",
        "offset_method": "carbon-inclusion credits retired on Lingtan",
        "neutrality_date": event["policy"]["deadline"],
        "confirmation_method": "self-commitment",
    }
    for name, value in changes.items():
        if value is None:
            contents.pop(name, None)
        else:
            contents[name] = value
    return contents


def apply(local: LocalCertification, event: dict[str, Any], confirmation: dict[str, Any] | None = None,
          owner: str = ORGANIZER) -> httpx.Response:
    """POST /v1/applications for an event as its organizer."""
    body = {"event_id": event["id"], "confirmation": confirmation or commitment(event)}
    return local.post("/v1/applications", body, owner=owner, scopes="certification:apply")


def decide(local: LocalCertification, application_id: str, approve: bool = True, reason: str | None = None,
           **kwargs: Any) -> httpx.Response:
    """The issuer's decision."""
    body: dict[str, Any] = {"approve": approve}
    if reason is not None:
        body["reason"] = reason
    return local.post(f"/v1/applications/{application_id}/decision", body, owner=ISSUER,
                      scopes="certification:issue", **kwargs)


def check(application: dict[str, Any], check_id: str) -> dict[str, Any]:
    """One check of an application by id."""
    return next(c for c in application["checks"] if c["id"] == check_id)


def coverage(response: httpx.Response) -> dict[str, Any]:
    """The coverage check: in the application, or in the problem that refused an application falling short."""
    body: dict[str, Any] = response.json()
    if response.status_code == 409:
        assert body["type"].endswith("offsets-do-not-cover"), body
        result: dict[str, Any] = body["coverage"]
        assert result["result"] == "fail" and result["reason"] == body["detail"]
        return result
    assert response.status_code == 201, response.text
    return check(body, "coverage")


def certified(local: LocalCertification, total_kgco2e: str = "1000.000") -> dict[str, Any]:
    """A Hainan event covered to the gram, applied for and approved: the certificate as GET returns it."""
    event = local.upstream.accounting.event(total_kgco2e=total_kgco2e)
    local.upstream.registry.retire(event["id"], 1_000_000)
    applied = apply(local, event)
    assert applied.status_code == 201, applied.text
    decided = decide(local, applied.json()["id"])
    assert decided.status_code == 200, decided.text
    answer = local.get(f"/v1/certificates/{decided.json()['certificate_id']}")
    assert answer.status_code == 200, answer.text
    certificate: dict[str, Any] = answer.json()
    return certificate
