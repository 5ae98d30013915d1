"""SQL injection through every parameter of every read, and forged cursors on every paginated list.

The operations and their path and query parameters come from the services' OpenAPI documents, so a new
list or filter is attacked as soon as it is published. Each answer is a 2xx with no more rows than a
value matching nothing gets, or a 4xx problem; never a 5xx, never the database's words in the body, and
every service's tables hold as many rows afterwards as before. No endpoint takes a sort key.
"""

from __future__ import annotations

import base64
import json
import secrets
from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from tests.security.openapi_inputs import SERVICES, all_inputs, operations, parameters, public_path
from tests.security.probes import assert_problem, concrete, database_text, without_echo

PAYLOADS = {
    "quote or": "' OR 1=1 --",
    "stacked drop": '"; DROP TABLE events; --',
    "union select": "%' UNION SELECT id, owner, name FROM events --",
    "like wildcard": "%",
    "nul byte": "\x00",
}


def _nothing(value: str) -> str:
    """A harmless value as long as `value` (so length limits treat both alike), found in no record or page."""
    return "\u01c2" * len(value)


READS = [
    (service, path, parameter["in"], parameter["name"])
    for service in SERVICES
    for method, path, _ in operations(service)
    if method == "get"
    for parameter in parameters(service, method, path)
]
PAGINATED = [
    (service, path)
    for service in SERVICES
    for method, path, _ in operations(service)
    if method == "get" and any(p["name"] == "cursor" for p in parameters(service, method, path))
]


def _request(hostile: httpx.Client, known_ids: dict[str, str], service: str, path: str, where: str, name: str,
             value: str) -> httpx.Response:
    url = public_path(service, concrete(path, known_ids, **({name: value} if where == "path" else {})))
    return hostile.get(url, params={name: value} if where == "query" else None)


def _rows(response: httpx.Response) -> int | None:
    """How many records a JSON answer lists, if it is a list."""
    if not response.headers.get("content-type", "").startswith("application/json"):
        return None
    body: Any = response.json()
    if isinstance(body, dict) and isinstance(body.get("items"), list):
        return len(body["items"])
    return len(body) if isinstance(body, list) else None


@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize(("service", "path", "where", "name"), READS,
                         ids=[f"{s} GET {p} {w}.{n}" for s, p, w, n in READS])
def test_injection_is_inert(hostile, known_ids, fingerprints, service, path, where, name, payload):
    value = PAYLOADS[payload]
    before = fingerprints[service].take()
    response = _request(hostile, known_ids, service, path, where, name, value)
    assert response.status_code < 500, f"{response.status_code}: {response.text[:300]}"
    leaked = database_text(response.text, value)
    assert leaked is None, f"database text {leaked!r} in {response.text[:300]}"
    if response.status_code >= 400:
        if path.startswith("/v1/"):
            assert_problem(response, (400, 404, 409, 422))  # the portal's human pages answer in HTML
    else:
        # Answered: then exactly as for a value that matches nothing (a list may hold fewer rows).
        nothing = _nothing(value)
        baseline = _request(hostile, known_ids, service, path, where, name, nothing)
        rows, allowed = _rows(response), _rows(baseline)
        if rows is not None and allowed is not None:
            assert rows <= allowed, f"{rows} rows for {value!r}, {allowed} for a value matching nothing"
        else:
            assert response.status_code == baseline.status_code, baseline.text[:300]
            # Each answer with its own echo masked, and whatever else looks like the payload masked in both.
            expected = without_echo(without_echo(baseline.text, nothing), value)
            assert without_echo(response.text, value) == expected
    assert fingerprints[service].take() == before


def _forged(position: dict[str, Any]) -> str:
    """A cursor of the right shape (16-byte MAC, JSON position) signed by nobody."""
    raw = secrets.token_bytes(16) + json.dumps(position).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _tampered(cursor: str) -> str:
    raw = bytearray(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    raw[-2] ^= 0x01
    return base64.urlsafe_b64encode(bytes(raw)).decode().rstrip("=")


@pytest.fixture(scope="module")
def genuine_cursor(hostile, known_ids) -> str:
    """A real next_cursor of accounting's event list (the hostile owner alone has two events)."""
    cursor = hostile.get("/accounting/v1/events", params={"limit": 1}).json()["next_cursor"]
    assert cursor
    return str(cursor)


CURSORS = {
    "forged id": lambda genuine: _forged({"id": "' OR 1=1 --"}),
    "forged key": lambda genuine: _forged({"k": ["2000-01-01T00:00:00", "x' OR 'a'='a"]}),
    "forged empty": lambda genuine: _forged({}),
    "not base64": lambda genuine: "' OR 1=1 --",
    "too short": lambda genuine: "AAAA",
    "tampered": _tampered,
    "another list's": lambda genuine: genuine,
}


CURSOR_SOURCE = ("accounting", "/v1/events")
CURSOR_CASES = [
    (service, path, cursor)
    for service, path in PAGINATED
    for cursor in CURSORS
    if not (cursor == "another list's" and (service, path) == CURSOR_SOURCE)
]


@pytest.mark.parametrize(("service", "path", "cursor"), CURSOR_CASES,
                         ids=[f"{s} GET {p} {c}" for s, p, c in CURSOR_CASES])
def test_a_cursor_the_list_did_not_hand_out_is_refused(hostile, known_ids, fingerprints, genuine_cursor,
                                                        service, path, cursor):
    value = CURSORS[cursor](genuine_cursor)
    before = fingerprints[service].take()
    response = _request(hostile, known_ids, service, path, "query", "cursor", value)
    assert_problem(response, (400,))
    assert fingerprints[service].take() == before


SORT_NAMES = {"sort", "sort_by", "order", "order_by", "orderby", "ordering"}


def test_a_sort_key_is_a_closed_set():
    # A sort key that reached ORDER BY as text could name any column or expression. None is published
    # today; one added later must be an enum of the columns it may sort on.
    sort_keys = [item for item in all_inputs() if item.where[0] == "query" and item.where[1].lower() in SORT_NAMES]
    assert [item.name for item in sort_keys if "enum" not in item.schema and "const" not in item.schema] == []


def _stored_text_cases() -> dict[str, tuple[str, str, dict[str, Any]]]:
    """Creations that would succeed but for a NUL character in one text."""
    starts = date.today() + timedelta(days=60)
    return {
        "accounting event name": ("accounting", "/accounting/v1/events", {
            "name": "Expo\x00' OR 1=1 --", "organizers": ["Probe bureau"], "kind": "exhibition",
            "jurisdiction": "CN-HI", "host_type": "government", "venue": "Haikou",
            "starts_at": starts.isoformat(), "ends_at": (starts + timedelta(days=1)).isoformat(),
            "expected_participants": 10,
        }),
        "registry account name": ("registry", "/registry/v1/accounts", {
            "owner": "org:hostile", "kind": "organization", "name": "Probe\x00",
        }),
    }


@pytest.mark.parametrize("case", list(_stored_text_cases()))
def test_a_nul_character_in_text_to_store_is_refused(hostile, fingerprints, case):
    service, url, body = _stored_text_cases()[case]
    before = fingerprints[service].take()
    assert_problem(hostile.post(url, json=body), (400, 422))
    assert fingerprints[service].take() == before
