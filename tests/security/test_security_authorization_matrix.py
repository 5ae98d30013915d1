"""The authorization matrix in docs/authorization.md, walked route by route and role by role.

The document is the table: each row is a route as it is called through the gateway, each column a
role (its scopes are listed in the same document), each cell what that caller gets: `ok` (past
authentication and authorization: any answer but 401 or 403), `403` or `401`. Every route a service
publishes in its OpenAPI document must have a row.
"""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "authorization.md"
ANONYMOUS = "none"


def _tables() -> tuple[dict[str, str], list[str], list[tuple[str, str, list[str]]]]:
    roles: dict[str, str] = {}
    columns: list[str] = []
    rows: list[tuple[str, str, list[str]]] = []
    section = ""
    for line in DOC.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            section = line[3:].strip().lower()
            continue
        if not line.startswith("|") or set(line) <= set("|-: "):
            continue
        cells = [c.strip().strip("`") for c in line.strip("|").split("|")]
        if section.startswith("roles") and cells[0] != "role":
            roles[cells[0]] = cells[1]
        elif section.startswith("matrix"):
            if cells[0] == "route":
                columns = cells[1:]
            else:
                method, path = cells[0].split(" ", 1)
                rows.append((method, path, cells[1:]))
    return roles, columns, rows


ROLES, COLUMNS, ROWS = _tables()


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "does-not-exist-0", path)


@pytest.fixture(scope="module")
def role_headers(platform):
    headers: dict[str, dict[str, str]] = {ANONYMOUS: {}}
    for role, scopes in ROLES.items():
        if role == ANONYMOUS:
            continue
        caller = platform.register(f"org:matrix-{role}", scopes)
        headers[role] = caller.headers()
    return headers


@pytest.mark.parametrize(("method", "path", "expected"), ROWS, ids=[f"{m} {p}" for m, p, _ in ROWS])
def test_every_role_gets_what_the_matrix_says(platform, role_headers, method, path, expected):
    assert len(expected) == len(COLUMNS)
    url = f"{platform.url}{_concrete(path)}"
    with httpx.Client(timeout=30) as client:
        for role, want in zip(COLUMNS, expected, strict=True):
            body = None if method in ("GET", "HEAD") else {}
            response = client.request(method, url, json=body, headers=role_headers[role])
            got = response.status_code
            if want == "ok":
                assert got not in (401, 403), f"{role}: {method} {path} -> {got} {response.text[:200]}"
            else:
                assert got == int(want), f"{role}: {method} {path} -> {got}, expected {want}"


def test_every_published_route_is_in_the_matrix(platform):
    listed = {(m, p) for m, p, _ in ROWS}
    missing = []
    for service in ("accounting", "registry", "certification", "disclosure"):
        spec = httpx.get(f"{platform.service_url(service)}/openapi.json").json()
        for path, operations in spec["paths"].items():
            for method in operations:
                if method.upper() in ("GET", "POST", "PUT", "PATCH", "DELETE"):
                    key = (method.upper(), f"/{service}{path}")
                    if key not in listed:
                        missing.append(f"{key[0]} {key[1]}")
    assert missing == [], "routes without a row in docs/authorization.md: " + ", ".join(sorted(missing))
