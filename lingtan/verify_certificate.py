"""`lingtan verify certificate`: check a certificate's signature against the issuer's keys and its status bit.

    lingtan verify certificate FILE [--jwks FILE_OR_URL] [--status-list FILE_OR_URL]
    lingtan verify certificate --id CERTIFICATE_ID --url PLATFORM_URL

FILE holds the certificate's compact JWS (application/vc+jwt), or the JSON that
``GET /certification/v1/certificates/{id}`` returns (its ``jws`` is checked, nothing else it says is
trusted). ``--url`` is the platform's public origin (the gateway), or the certification service itself.

1. The signature: the JWS must be ES256, typed vc+jwt, and verify with the key its ``kid`` names in the
   issuer's JWK Set: ``--jwks`` when given (pin it), else ``{url}/certification/.well-known/jwks.json``,
   else the ``/.well-known/jwks.json`` under the issuer id the credential names (the result says which).
2. The status: the credential's ``credentialStatus`` names a Bitstring Status List credential and an
   index. The list (``--status-list``, else fetched from its URL) must itself verify with the same keys
   and be the list the certificate names; the bit at the index set means revoked.

Prints one JSON object, as the other `lingtan verify` checks do: ``ok``, and on failure ``failed``
(signature, status or input) with ``error``. Exit 0: authentic and not revoked; 1: the signature does
not verify, or the certificate is revoked; 2: an input could not be read or fetched (nothing concluded).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx

from services.certification.certificates.credential import CredentialError, verify
from services.certification.status.bitstring import StatusListError, decode, get_bit
from shared.jws import b64url_decode

TIMEOUT = httpx.Timeout(10.0, connect=5.0)
Result = dict[str, Any]


class InputError(Exception):
    """A file or a document from the platform could not be read."""


def _fetch(http: httpx.Client, url: str, accept: str) -> httpx.Response:
    try:
        return http.get(url, headers={"Accept": accept})
    except httpx.HTTPError as exc:
        raise InputError(f"cannot fetch {url}: {exc}") from exc


def _document(http: httpx.Client, source: str, accept: str) -> str:
    """A document from a file path or an http(s) URL, as text."""
    if source.startswith(("http://", "https://")):
        response = _fetch(http, source, accept)
        if response.status_code != 200:
            raise InputError(f"GET {source} answered {response.status_code}")
        return response.text
    try:
        return Path(source).read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read {source}: {exc}") from exc


def _token_from(text: str) -> str:
    stripped = text.strip()
    if stripped.startswith("{"):
        try:
            document = json.loads(stripped)
        except ValueError as exc:
            raise InputError(f"the certificate file is not JSON: {exc}") from exc
        if not isinstance(document, Mapping) or not isinstance(document.get("jws"), str):
            raise InputError("the certificate JSON has no 'jws' member")
        return str(document["jws"]).strip()
    return stripped


def _unverified_issuer(token: str) -> str | None:
    try:
        payload = json.loads(b64url_decode(token.split(".")[1]))
    except (ValueError, IndexError):
        return None
    issuer = payload.get("issuer") if isinstance(payload, dict) else None
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    return issuer_id if isinstance(issuer_id, str) else None


def _jwks(http: httpx.Client, args: argparse.Namespace, token: str) -> tuple[dict[str, Any], str]:
    if args.jwks:
        return _json(_document(http, args.jwks, "application/json"), "the key set"), args.jwks
    candidates: list[str] = []
    if args.url:
        base = args.url.rstrip("/")
        candidates += [f"{base}/certification/.well-known/jwks.json", f"{base}/.well-known/jwks.json"]
    else:
        issuer = _unverified_issuer(token)
        if issuer is None or not issuer.startswith(("http://", "https://")):
            raise InputError("no --jwks or --url given, and the credential names no issuer URL to find keys at")
        candidates.append(f"{issuer.rstrip('/')}/.well-known/jwks.json")
    for url in candidates:
        response = _fetch(http, url, "application/json")
        if response.status_code == 200:
            return _json(response.text, "the key set"), url
    raise InputError(f"no issuer key set at {' or '.join(candidates)}")


def _json(text: str, what: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise InputError(f"{what} is not JSON: {exc}") from exc
    if not isinstance(value, dict):
        raise InputError(f"{what} is not a JSON object")
    return value


def _certificate_token(http: httpx.Client, args: argparse.Namespace) -> str:
    if args.file:
        return _token_from(_document(http, args.file, "application/json"))
    if not (args.id and args.url):
        raise InputError("give a certificate FILE, or --id with --url")
    base = args.url.rstrip("/")
    for url in (f"{base}/certification/v1/certificates/{args.id}", f"{base}/v1/certificates/{args.id}"):
        response = _fetch(http, url, "application/json")
        if response.status_code == 200:
            return _token_from(response.text)
        if response.status_code == 404 and "problem" in response.headers.get("content-type", ""):
            raise InputError(f"no certificate {args.id} at {base}")
    raise InputError(f"no certification service answers at {base}")


def _status(http: httpx.Client, args: argparse.Namespace, credential: Mapping[str, Any], jwks: Mapping[str, Any]
            ) -> tuple[bool, str, int]:
    """Whether the certificate's revocation bit is set, in a status list that verifies with the issuer keys."""
    entry = credential.get("credentialStatus")
    if not isinstance(entry, Mapping) or entry.get("statusPurpose") != "revocation":
        raise InputError("the credential has no revocation status entry")
    url, index_text = entry.get("statusListCredential"), entry.get("statusListIndex")
    if not isinstance(url, str) or not isinstance(index_text, str) or not index_text.isdigit():
        raise InputError("the credential's status entry names no list URL and index")
    signed = _document(http, args.status_list or url, "application/vc+jwt").strip()
    try:
        status_list = verify(signed, jwks)
    except CredentialError as exc:
        raise InputError(f"the status list at {url} does not verify with the issuer's keys: {exc}") from exc
    if status_list.get("id") != url:
        raise InputError(f"the status list is {status_list.get('id')!r}, not the certificate's {url}")
    subject = status_list.get("credentialSubject")
    encoded = subject.get("encodedList") if isinstance(subject, Mapping) else None
    if not isinstance(encoded, str):
        raise InputError("the status list carries no encodedList")
    try:
        return get_bit(decode(encoded), int(index_text)), url, int(index_text)
    except StatusListError as exc:
        raise InputError(f"the status list cannot be read: {exc}") from exc


def check_certificate(args: argparse.Namespace, http: httpx.Client) -> tuple[int, Result]:
    """Run both checks; the exit code and the JSON result."""
    token = _certificate_token(http, args)
    jwks, jwks_source = _jwks(http, args, token)
    try:
        credential = verify(token, jwks)
    except CredentialError as exc:
        return 1, {"check": "certificate", "ok": False, "failed": "signature", "signature": "invalid",
                   "status": "unchecked", "error": str(exc), "jwks_source": jwks_source}
    revoked, list_url, index = _status(http, args, credential, jwks)
    subject = credential.get("credentialSubject", {})
    issuer = credential.get("issuer", {})
    result: Result = {
        "check": "certificate",
        "ok": not revoked,
        "signature": "valid",
        "status": "revoked" if revoked else "valid",
        "certificate": credential.get("id"),
        "event_id": subject.get("eventId") if isinstance(subject, Mapping) else None,
        "event_name": subject.get("name") if isinstance(subject, Mapping) else None,
        "issuer": issuer.get("name") if isinstance(issuer, Mapping) else issuer,
        "valid_from": credential.get("validFrom"),
        "kid": json.loads(b64url_decode(token.split(".")[0])).get("kid"),
        "jwks_source": jwks_source,
        "status_list": list_url,
        "status_list_index": index,
    }
    if revoked:
        result["failed"] = "status"
    return (1 if revoked else 0), result


def _cmd_certificate(args: argparse.Namespace) -> int:
    with httpx.Client(timeout=TIMEOUT, follow_redirects=True) as http:
        try:
            code, result = check_certificate(args, http)
        except InputError as exc:
            code, result = 2, {"check": "certificate", "ok": False, "failed": "input", "error": str(exc)}
    sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
    return code


def add_certificate_command(verify_commands: Any) -> None:
    """Register `certificate` on the `lingtan verify` subcommand group."""
    command = verify_commands.add_parser(
        "certificate", help="a certificate's signature against the issuer's keys, and its revocation status"
    )
    command.add_argument("file", nargs="?", help="the certificate's JWS, or its JSON from the certification API")
    command.add_argument("--id", help="fetch the certificate with this id from --url")
    command.add_argument("--url", help="the platform's public URL (the gateway) or the certification service")
    command.add_argument("--jwks", help="the issuer's JWK Set (file or URL), pinned")
    command.add_argument("--status-list", dest="status_list", help="the status list's VC-JWT (file or URL)")
    command.set_defaults(func=_cmd_certificate)
