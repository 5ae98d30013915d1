"""A provincial sign-on, simulated: its own signing key, its JWKS served over HTTP, tokens it would issue."""

from __future__ import annotations

import json
import os
import secrets
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec

from shared import jws
from tests.support.running import RunningPlatform

ISSUER = "https://sso.province.example"
ALIAS = "province"


@dataclass
class ExternalIssuer:
    """A sign-on provider the platform may be told to trust."""

    key: ec.EllipticCurvePrivateKey
    jwks_url: str
    issuer: str = ISSUER

    def trusted(self, alias: str = ALIAS, **fields: Any) -> dict[str, Any]:
        """Its entry in LINGTAN_TRUSTED_ISSUERS (audiences `lingtan-<service>`)."""
        return {"issuer": self.issuer, "alias": alias, "jwks_url": self.jwks_url, "audience": "lingtan-{service}",
                **fields}

    def token(self, service: str, scope: str, sub: str = "citizen-42", **changes: Any) -> str:
        """An RFC 9068 access token for `service`, then `changes` applied (None deletes a claim)."""
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "sub": sub,
            "client_id": "province-carbon-app",
            "aud": f"lingtan-{service}",
            "iat": now,
            "exp": now + 300,
            "jti": uuid.uuid4().hex,
            "scope": scope,
        }
        for name, value in changes.items():
            if value is None:
                claims.pop(name, None)
            else:
                claims[name] = value
        header = {"alg": "ES256", "typ": "at+jwt", "kid": jws.public_jwk(self.key)["kid"]}
        return jws.sign_compact(header, json.dumps(claims).encode(), self.key)


@contextmanager
def serving_jwks(issuer: str = ISSUER) -> Iterator[ExternalIssuer]:
    """A fresh key whose JWKS is served on a loopback port while the block runs."""
    key = jws.generate_key()
    document = json.dumps({"keys": [jws.public_jwk(key)]}).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.end_headers()
            self.wfile.write(document)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield ExternalIssuer(key, f"http://127.0.0.1:{server.server_address[1]}/jwks", issuer)
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def trusting_platform(
    data_dir: Path, schema_prefix: str, issuer: ExternalIssuer, **fields: Any
) -> Iterator[RunningPlatform]:
    """A platform of its own that trusts `issuer` (its entry changed by `fields`)."""
    running = RunningPlatform(
        data_dir=data_dir,
        schema_prefix=f"{schema_prefix}ext{secrets.token_hex(3)}_",
        database_url=os.environ.get("LINGTAN_TEST_DATABASE_URL"),
        overrides={"trusted_issuers": [issuer.trusted(**fields)]},
    ).start()
    try:
        yield running
    finally:
        running.stop()
